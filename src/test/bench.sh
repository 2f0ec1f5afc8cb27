#!/bin/sh
# SPDX-License-Identifier: MIT
# bench.sh -- `make bench`: for each size of $SIZES (default "128M
# 512M"), generate with sfbgen the three logs of issue 12 one at a time:
#   ucc    the generator's varied client log (every scenario in turn)
#   dense  a client log made only of sign-ins (--scenario dense-signins:
#          NTLM REGISTER 401/401/200, settings SUBSCRIBEs, few free-text
#          lines)
#   cls    the generator's server CLS trace
# and time on each, in the same run, sfblog analyze (text, json,
# ndjson), sfblog messages, grep -c and wc -l (bench.c: CPU time, best
# of $REPS, ratios to grep -c).  Last, analyze's MB/s per size, to see
# that the cost grows linearly (the sizes should agree within 15%).
# A file under 1 GB gets more runs: $REPS times 1 GB / its size, at
# most 8 times (128M: 8 x $REPS), since the best of a few short runs is
# noisier than the best of a few long ones, and the sizes are compared.
# The files go to $BENCH_DIR (default: a temp folder) and are removed.
#
# With CHECK=1 (`make bench-check`): only the dense log, at $SIZE
# (default 256M), only analyze and grep -c; fails when the ratio is more
# than 20% worse than the figure README.md gives on its line
# "`bench-check dense analyze/grep-c R`".
set -eu
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}"
: "${SIZES:=128M 512M}" "${REPS:=3}" "${CHECK:=0}" "${README:=README.md}"
BENCH=${BENCH:-./build/test/bench}
dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sfblog-bench.XXXXXX")}
trap 'rm -f "$dir"/bench.*; rmdir "$dir" 2>/dev/null || true' EXIT INT TERM

# gen KIND SIZE FILE
gen() {
	case $1 in
	ucc) "$SFBGEN" --format ucc --size "$2" --seed 7 -o "$3" ;;
	dense) "$SFBGEN" --format ucc --scenario dense-signins --size "$2" \
		--seed 7 -o "$3" ;;
	cls) "$SFBGEN" --format cls --size "$2" --seed 7 -o "$3" ;;
	esac
}

# reps_for SIZE: $REPS, times 1G / SIZE (at most 8) for a size below 1G
reps_for() {
	awk -v s="$1" -v r="$REPS" 'BEGIN {
		n = s + 0; u = toupper(substr(s, length(s)))
		mb = u == "G" ? n * 1024 : u == "M" ? n : \
		     u == "K" ? n / 1024 : n / 1048576
		k = mb > 0 && mb < 1024 ? int(1024 / mb) : 1
		print r * (k > 8 ? 8 : k) }'
}

if [ "$CHECK" = 1 ]; then
	want=$(sed -n 's/.*`bench-check dense analyze\/grep-c \([0-9.]*\)`.*/\1/p' \
		"$README" | head -n 1)
	[ -n "$want" ] || { echo "bench-check: no figure in $README"; exit 2; }
	f="$dir/bench.dense.log"
	gen dense "${SIZE:-256M}" "$f"
	got=$("$BENCH" -c -r "$REPS" "$f" "$SFBLOG" | tee /dev/stderr |
		sed -n 's/^ratio //p')
	# the ratio is a time ratio: 20% less speed is 1/0.8 the time
	awk -v got="$got" -v want="$want" 'BEGIN {
		lim = want / 0.8
		printf "bench-check: analyze takes %.2f x grep -c'"'"'s time on " \
		       "the dense log; README: %.2f; fails above %.2f\n", \
		       got, want, lim
		exit !(got <= lim) }' || { echo "bench-check: FAILED"; exit 1; }
	echo "bench-check: ok"
	exit 0
fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
sums="$dir/bench.summary"
: >"$sums"
for size in $SIZES; do
	for kind in ucc dense cls; do
		f="$dir/bench.$kind.log"
		t0=$(date +%s.%N)
		gen "$kind" "$size" "$f"
		t1=$(date +%s.%N)
		echo "generated $kind $size: $(du -h "$f" | cut -f1) in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
		"$BENCH" -r "$(reps_for "$size")" -k "$kind" "$f" "$SFBLOG" |
			tee "$dir/bench.out"
		grep '^summary ' "$dir/bench.out" >>"$sums"
		rm -f "$f"
	done
done
echo "linearity: sfblog analyze MB/s (x grep -c) by size; the spread is max/min - 1"
awk '{ mbs[$2] = mbs[$2] sprintf("  %5.0f MB: %6.1f MB/s (%5.2f x)", $3, $4, $5)
       if (!($2 in lo) || $4 < lo[$2]) lo[$2] = $4
       if (!($2 in hi) || $4 > hi[$2]) hi[$2] = $4 }
     END { for (k in mbs) printf "  %-5s%s  spread %.0f%%\n", k, mbs[k],
                                 100 * (hi[k] / lo[k] - 1) }' "$sums" | sort
