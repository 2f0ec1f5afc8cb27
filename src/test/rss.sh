#!/bin/sh
# SPDX-License-Identifier: MIT
# rss.sh -- memory stays flat on a log full of requests that never get a
# response (issue 12: peak RSS under 64 MB at any size, with -j too).
# The transaction table (src/txn.c) lets such a request expire at timer
# B/F (64 s of log time); before, each stayed until the table's cap of
# 65,536 and the peak RSS grew with the file up to about 40 MB.
# sfbgen's unanswered-flood scenario writes about one request per KB, so
# the big client log holds more requests than the cap.  For analyze
# (text, JSON, -j2) the peak RSS (bench -m, wait4 rusage) on the big
# log may exceed the one on a 1 MB log of the same kind by at most
# MAX_GROW_KB (4 MB; measured: under 0.5 MB, and 14-30 MB before).
# Last, -j2 against -j1 on a log with one huge provisioning body (below).
# Not run under `make check`: ASan's shadow memory would be measured.
set -u
LC_ALL=C; NO_COLOR=1; TZ=UTC
unset COLUMNS SFBLOG_RULES
export LC_ALL NO_COLOR TZ
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}"
: "${BENCH:=./build/test/bench}" "${MAX_GROW_KB:=4096}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfblog-rss.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0; fail=0

# rss FILE ARGS...: peak RSS in KiB of `sfblog ARGS... FILE`
rss() {
	f=$1; shift
	"$BENCH" -m "$SFBLOG" "$@" "$f" | sed -n 's/^rss //p'
}

# within WHAT BASE KIB: KIB (a peak RSS) is at most MAX_GROW_KB over BASE
# and under 64 MB; else say so, with WHAT
within() {
	if [ -z "$2" ] || [ -z "$3" ] ||
	   [ $(($3 - $2)) -gt "$MAX_GROW_KB" ] || [ "$3" -gt 65536 ]; then
		echo "rss: FAIL $1: peak RSS ${2:-?} KiB, then ${3:-?} KiB"
		fail=$((fail+1))
	else
		pass=$((pass+1))
	fi
}

# flat FORMAT BIGSIZE: generate both logs, compare every command
flat() {
	fmt=$1; size=$2
	for s in 1M "$size"; do
		"$SFBGEN" --format "$fmt" --scenario unanswered-flood \
		  --seed 5 --size "$s" -o "$TMP/$fmt-$s.log" || exit 2
	done
	for c in "analyze" "analyze -o json" "analyze -j2"; do
		# shellcheck disable=SC2086
		small=$(rss "$TMP/$fmt-1M.log" $c)
		# shellcheck disable=SC2086
		big=$(rss "$TMP/$fmt-$size.log" $c)
		within "$fmt $c, 1M then $size" "$small" "$big"
	done
	rm -f "$TMP/$fmt-$size.log"
}

flat ucc 72M
flat cls 32M

# A provisioning answer whose 3.7 MB body holds 340,000 properties of a
# group with a 127-byte name, that no sign-in waits for: -j2 must cost
# about what -j1 does.  (Its parsing threads once read every such body
# with a recording 12 times its size: 110 MB against 19 MB; review.)
"$SFBGEN" --format ucc --seed 3 --size 1M -o "$TMP/g.log" || exit 2
python3 - "$TMP/g.log" "$TMP/prov.log" <<'PY' || exit 2
import sys
L = open(sys.argv[1]).read().split('\n')
i = next(k for k, l in enumerate(L) if l.startswith('<provisionGroupList'))
s = max(k for k in range(i) if 'Data Received' in L[k])
e = next(k for k in range(i, len(L)) if 'End of Data Received' in L[k])
body = ('<provisionGroupList xmlns="http://schemas.microsoft.com/2006/09/'
        'sip/provisiongrouplist-notification"><provisionGroup name="%s">'
        % ('G' * 127) + '<property/>' * 340000 +
        '</provisionGroup></provisionGroupList>')
head = ['Content-Length: %d' % len(body) if h.startswith('Content-Length')
        else h for h in L[s:i]]
head = [h.replace('Call-ID: ', 'Call-ID: x') for h in head]
open(sys.argv[2], 'w').write('\n'.join(L) + '\n' + '\n'.join(head) +
                             '\n' + body + '\n' + L[e] + '\n' +
                             '\n'.join(L) + '\n')
PY
# -j1 parses each message inside its record (msg_view) while -j2's
# workers keep one copy of it (msg_set, shared with the record they
# hand over): the 3.7 MB message once more is allowed
grow=$MAX_GROW_KB
MAX_GROW_KB=$((grow + 3700))
for c in analyze messages; do
	within "$c on a big provisioning body, -j1 then -j2" \
	       "$(rss "$TMP/prov.log" $c -j1)" "$(rss "$TMP/prov.log" $c -j2)"
done
MAX_GROW_KB=$grow
echo "rss: $pass passed, $fail failed"
[ $fail = 0 ]
