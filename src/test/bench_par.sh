#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_par.sh -- `make bench-par` (also run by `make bench`): one big
# file over two cores.  Generates a client log and a CLS trace of $SIZE
# (default 1G) with sfbgen, then runs `sfblog analyze -j1` and `-j2` on
# each, alternating, REPS times (default 3), and prints every wall time,
# the -j1/-j2 ratio of the medians with its spread (the ratio of the
# best to the worst pairing), the peak RSS and the CPU time of all
# threads (user + system, best run; GNU time, when installed) and the
# load average, since the machine is shared: -j2 cannot beat -j1 on
# wall time while other work holds a core, but its CPU time against
# -j1's says how much dearer the parallel run is.  Each round also
# runs two `-j1` side by side on the same file (two processes, nothing
# shared but the machine): twice -j1's time over the pair's is what two
# cores give this machine at that moment, the ceiling for -j2, and
# -j2's ratio is printed against it too.  Both runs must print the
# same bytes.  Files go to $BENCH_DIR (default: a temp
# folder) and are removed.
set -eu
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}" "${SIZE:=1G}"
: "${REPS:=3}"
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sfblog-bench.XXXXXX")}
mkdir -p "$dir"
trap 'rm -f "$dir"/par.*; rmdir "$dir" 2>/dev/null || true' EXIT INT TERM
gtime=
[ -x /usr/bin/time ] && gtime=/usr/bin/time

# run J FILE: append "seconds rss_kib cpu_seconds" to $dir/par.J
run() {
	t0=$(date +%s.%N)
	if [ -n "$gtime" ]; then
		$gtime -f '%M %U %S' -o "$dir/par.rss" "$SFBLOG" analyze -q \
			--fail-on none -j "$1" "$2" >"$dir/par.out$1"
	else
		"$SFBLOG" analyze -q --fail-on none -j "$1" "$2" \
			>"$dir/par.out$1"
		echo 0 0 0 >"$dir/par.rss"
	fi
	t1=$(date +%s.%N)
	echo "$(awk "BEGIN { print $t1 - $t0 }") $(tail -n 1 "$dir/par.rss" |
		awk '{ print $1, $2 + $3 }')" >>"$dir/par.$1"
}

# pair FILE: append the wall seconds of two -j1 runs side by side
pair() {
	t0=$(date +%s.%N)
	"$SFBLOG" analyze -q --fail-on none -j 1 "$1" >/dev/null &
	"$SFBLOG" analyze -q --fail-on none -j 1 "$1" >/dev/null &
	wait
	t1=$(date +%s.%N)
	awk "BEGIN { print $t1 - $t0 }" >>"$dir/par.p"
}

median() {
	sort -n | awk '{ v[NR] = $1 }
		END { print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'
}

for fmt in ucc cls; do
	f="$dir/par.$fmt.log"
	"$SFBGEN" --format "$fmt" --size "$SIZE" --seed 7 -o "$f"
	rm -f "$dir/par.1" "$dir/par.2" "$dir/par.p"
	i=0
	while [ $i -lt "$REPS" ]; do
		run 1 "$f"
		run 2 "$f"
		pair "$f"
		cmp -s "$dir/par.out1" "$dir/par.out2" ||
			{ echo "bench-par: -j2 output differs"; exit 1; }
		i=$((i + 1))
	done
	m1=$(cut -d' ' -f1 "$dir/par.1" | median)
	m2=$(cut -d' ' -f1 "$dir/par.2" | median)
	mp=$(median <"$dir/par.p")
	lo=$(awk 'NR == FNR { if (!b || $1 < b) b = $1; next }
		  { if ($1 > w) w = $1 } END { print b / w }' \
		 "$dir/par.1" "$dir/par.2")
	hi=$(awk 'NR == FNR { if ($1 > w) w = $1; next }
		  { if (!b || $1 < b) b = $1 } END { print w / b }' \
		 "$dir/par.1" "$dir/par.2")
	r1=$(cut -d' ' -f2 "$dir/par.1" | sort -n | tail -n 1)
	r2=$(cut -d' ' -f2 "$dir/par.2" | sort -n | tail -n 1)
	t1=$(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$dir/par.1")
	t2=$(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$dir/par.2")
	c1=$(cut -d' ' -f3 "$dir/par.1" | sort -n | head -n 1)
	c2=$(cut -d' ' -f3 "$dir/par.2" | sort -n | head -n 1)
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "$fmt $(du -h "$f" | cut -f1): -j1 ${t1}s, -j2 ${t2}s"
	awk -v m1="$m1" -v m2="$m2" -v lo="$lo" -v hi="$hi" -v r1="$r1" \
	    -v r2="$r2" -v load="$load" -v mp="$mp" 'BEGIN {
		printf "  -j1/-j2 %.2fx (median; spread %.2f-%.2fx), " \
		       "peak RSS %d / %d KiB, load %s\n", m1 / m2, lo, hi,
		       r1, r2, load
		printf "  two -j1 side by side: %.2fx of one (median " \
		       "%.2fs); -j2 reaches %.0f%% of that\n", 2 * m1 / mp,
		       mp, 100 * (m1 / m2) / (2 * m1 / mp) }'
	[ -n "$gtime" ] && awk -v c1="$c1" -v c2="$c2" 'BEGIN {
		printf "  CPU time (best) -j1 %.2fs, -j2 %.2fs: %.2fx\n",
		       c1, c2, (c1 > 0 ? c2 / c1 : 0) }'
	rm -f "$f"
done
