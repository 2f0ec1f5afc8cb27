#!/bin/sh
# SPDX-License-Identifier: MIT
# bench.sh -- `make bench`: generate a UccApilog and a CLS trace of at
# least $SIZE each (default 1G) with sfbgen, then time `sfblog analyze`
# on each beside `wc -l` and `grep -c` on the same file (bench.c).
# The files go to $BENCH_DIR (default: a temp folder) and are removed.
set -eu
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}" "${SIZE:=1G}"
: "${REPS:=3}"
BENCH=${BENCH:-./build/test/bench}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sfblog-bench.XXXXXX")}
trap 'rm -f "$dir"/bench.*; rmdir "$dir" 2>/dev/null || true' EXIT INT TERM
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for fmt in ucc cls; do
	f="$dir/bench.$fmt.log"
	t0=$(date +%s.%N)
	"$SFBGEN" --format "$fmt" --size "$SIZE" --seed 7 -o "$f"
	t1=$(date +%s.%N)
	echo "generated $fmt: $(du -h "$f" | cut -f1) in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
	"$BENCH" "$f" "$SFBLOG" "$REPS"
	rm -f "$f"
done
