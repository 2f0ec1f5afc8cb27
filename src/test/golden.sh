#!/bin/sh
# SPDX-License-Identifier: MIT
# golden.sh -- golden tests of the sfblog command line (curl FILEFORMAT,
# jq tests/setup).  Each case is a folder testdata/golden/NNNN-name/ with
#   cmd            one shell command, run in the case folder with $SFBLOG
#                  (and $SFBGEN, $TMP) set; inputs live beside it
#   expected.out   its standard output
#   expected.err   its standard error
#   expected.rc    its exit status
# run with LC_ALL=C NO_COLOR=1 TZ=UTC.  `golden.sh --update` rewrites the
# expectations from the current binary, for review with git diff.
# It also checks that every long option of --help is in the man page,
# and that the bundled samples are what the generator writes today.
set -u
LC_ALL=C; NO_COLOR=1; TZ=UTC
unset COLUMNS SFBLOG_RULES
export LC_ALL NO_COLOR TZ
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}"
top=$(pwd)
SFBLOG=$(cd "$(dirname "$SFBLOG")" && pwd)/$(basename "$SFBLOG")
SFBGEN=$(cd "$(dirname "$SFBGEN")" && pwd)/$(basename "$SFBGEN")
export SFBLOG SFBGEN
update=0
[ "${1:-}" = --update ] && update=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfblog-golden.XXXXXX") || exit 2
export TMP
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0; fail=0

for dir in "$top"/testdata/golden/*/; do
	name=$(basename "$dir")
	[ -f "$dir/cmd" ] || { echo "golden: $name: no cmd file"; fail=$((fail+1)); continue; }
	( cd "$dir" && sh -c "$(cat cmd)" >"$TMP/out" 2>"$TMP/err" </dev/null; echo $? >"$TMP/rc" )
	if [ $update = 1 ]; then
		cp "$TMP/out" "$dir/expected.out"
		cp "$TMP/err" "$dir/expected.err"
		cp "$TMP/rc" "$dir/expected.rc"
		pass=$((pass+1))
		continue
	fi
	ok=1
	for k in out err rc; do
		if ! cmp -s "$TMP/$k" "$dir/expected.$k"; then
			[ $ok = 1 ] && echo "golden: FAIL $name"
			ok=0
			echo "--- expected.$k / +++ actual"
			diff -u "$dir/expected.$k" "$TMP/$k" | sed -n '3,40p'
		fi
	done
	if [ $ok = 1 ]; then pass=$((pass+1)); else fail=$((fail+1)); fi
done

# every long option in --help is documented in the man page
for c in analyze messages triage; do
	for o in $("$SFBLOG" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		n=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		if grep -q -- "$n" "$top/man/sfblog.1"; then
			pass=$((pass+1))
		else
			echo "golden: FAIL man page does not document '$o'"
			fail=$((fail+1))
		fi
	done
done

# every rule field is documented in sfblog-rules(5)
for f in $("$SFBLOG" fields | grep -v '^ ' | awk '{print $1}'); do
	n=$(printf '%s' "$f" | sed 's/("KEY")//; s/-/\\\\-/g')
	if grep -q -- "^\.B $n" "$top/man/sfblog-rules.5"; then
		pass=$((pass+1))
	else
		echo "golden: FAIL sfblog-rules.5 does not document field '$f'"
		fail=$((fail+1))
	fi
done

# the bundled samples are the generator's current output
while read -r file args; do
	[ -n "$file" ] || continue
	# shellcheck disable=SC2086
	"$SFBGEN" $args -o "$TMP/sample" 2>"$TMP/generr"
	if cmp -s "$TMP/sample" "$top/$file"; then
		pass=$((pass+1))
	elif [ $update = 1 ]; then
		cp "$TMP/sample" "$top/$file"; pass=$((pass+1))
	else
		echo "golden: FAIL $file differs from 'sfbgen $args' (run make golden-update)"
		fail=$((fail+1))
	fi
done <"$top/testdata/sample/MANIFEST"

echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
