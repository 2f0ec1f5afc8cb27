#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_triage.sh -- `make bench-triage`: a triage run over FOLDERS
# generated client folders (default 2000) of mixed sizes (most a single
# sign-in, some a whole day, a few 2 MiB), plain, gzip and, every tenth
# folder, zipped; then `sfblog triage -o ndjson` at -j1 and -j2, in
# turn, RUNS times (default 2): best wall time, files/s, MB/s (unpacked
# bytes read), the -j2/-j1 ratio of the best runs and its spread over
# the pairs of runs, and the peak RSS.  Needs GNU time (/usr/bin/time) and
# python3 (zipfile) for the zips.
set -u
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}" "${FOLDERS:=2000}"
: "${RUNS:=2}"
[ -x /usr/bin/time ] || { echo "bench-triage: needs /usr/bin/time"; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfblog-btri.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
echo "bench-triage: generating $FOLDERS client folders in $TMP"
i=0
while [ $i -lt "$FOLDERS" ]; do
	d=$TMP/t/u$i; mkdir -p "$d"
	case $((i % 20)) in
	0) set -- --size 2M ;;
	1|2|3|4|5) set -- ;;
	*) set -- --scenario ntlm-external-ok ;;
	esac
	gz=; [ $((i % 3)) = 1 ] && gz=--gzip
	"$SFBGEN" --seed $i --user "u$i@contoso.com" $gz "$@" \
		-o "$d/Lync-UccApi-0.UccApilog${gz:+.gz}" || exit 2
	i=$((i + 1))
done
( cd "$TMP/t" && python3 -c '
import os, zipfile
for n in sorted(os.listdir(".")):
    if int(n[1:]) % 10 == 9:
        with zipfile.ZipFile(n + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
            for f in os.listdir(n):
                z.write(os.path.join(n, f), os.path.join(n, f))
        for f in os.listdir(n):
            os.remove(os.path.join(n, f))
        os.rmdir(n)
' ) || exit 2
echo "bench-triage: $(du -sh "$TMP/t" | cut -f1) on disk"
best() { sort -n | head -n 1; }
# -j1 and -j2 alternate, so that both see the same load on a shared box
r=0
while [ $r -lt "$RUNS" ]; do
	for j in 1 2; do
		/usr/bin/time -f "%e %M" -o "$TMP/time.$j.$r" \
			"$SFBLOG" triage -j$j -o ndjson "$TMP/t" > "$TMP/out.$j" 2>/dev/null
	done
	r=$((r + 1))
done
for j in 1 2; do
	grep -hE "^[0-9]" "$TMP"/time.$j.* | awk '{ print $1 }' | best > "$TMP/wall.$j"
	grep -hE "^[0-9]" "$TMP"/time.$j.* | awk '{ print $2 }' | sort -n | tail -n 1 > "$TMP/rss.$j"
done
cmp -s "$TMP/out.1" "$TMP/out.2" || echo "bench-triage: WARNING -j1 and -j2 outputs differ"
files=$(grep -c '"type":"file"' "$TMP/out.1")
bytes=$(tail -n 1 "$TMP/out.1" | sed 's/.*"bytes":\([0-9]*\).*/\1/')
for j in 1 2; do
	awk -v w="$(cat "$TMP/wall.$j")" -v f="$files" -v b="$bytes" \
	    -v rss="$(cat "$TMP/rss.$j")" -v j=$j 'BEGIN {
		printf "bench-triage: -j%d  %d files, %.0f MB in %.2f s: %.0f files/s, %.1f MB/s, peak RSS %.1f MB\n",
		       j, f, b / 1e6, w, f / w, b / 1e6 / w, rss / 1024 }'
done
awk -v a="$(cat "$TMP/wall.1")" -v b="$(cat "$TMP/wall.2")" \
	'BEGIN { printf "bench-triage: -j2 is %.2fx -j1 (best against best)\n", a / b }'
# the spread: the ratio of each -j1 run to the -j2 run right after it
r=0
while [ $r -lt "$RUNS" ]; do
	a=$(grep -E "^[0-9]" "$TMP/time.1.$r" | cut -d' ' -f1)
	b=$(grep -E "^[0-9]" "$TMP/time.2.$r" | cut -d' ' -f1)
	awk -v a="$a" -v b="$b" 'BEGIN { print a / b }'
	r=$((r + 1))
done | sort -n | awk '{ v[NR] = $1 } END { if (NR > 1)
	printf "bench-triage: -j2/-j1 per pair of runs: median %.2fx, %.2fx .. %.2fx (%d pairs)\n",
	       v[int((NR + 1) / 2)], v[1], v[NR], NR }'
