#!/bin/sh
# SPDX-License-Identifier: MIT
# rules.sh -- the fixtures of the shipped rules (testdata/rules/README.md).
# For every rule `sfblog rules -o json` lists, testdata/rules/<rule-id>/
# must hold at least one log that triggers it (hit*) and one that must
# not (miss*); each is run through `sfblog analyze -o ndjson --fail-on
# none` with the shipped rules only, and the rule id must appear in a
# finding for every hit and never for a miss.  A fixture named *.gen
# holds sfbgen arguments (one line): the log is generated at test time.
# Also: the healthy generator scenarios, in both formats, give nothing
# above info (exit 0 with --fail-on warning).  Prints one line per
# failure and a closing "N passed, N failed"; exit 1 on any failure.
set -u
LC_ALL=C; NO_COLOR=1; TZ=UTC
unset COLUMNS SFBLOG_RULES
export LC_ALL NO_COLOR TZ
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}"
top=$(pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfblog-rules.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0; fail=0

bad() {
	echo "rules: FAIL $*"
	fail=$((fail+1))
}

# The log of a fixture: the file itself, or what its sfbgen line makes;
# a *.pair line makes a client log and its server trace (join rules).
log_of() {
	case $1 in
	*.gen)
		# shellcheck disable=SC2046 # split on purpose
		"$SFBGEN" $(cat "$1") -o "$TMP/gen.log" || return 1
		echo "$TMP/gen.log" ;;
	*.pair)
		# line 1: sfbgen arguments; line 2 (optional): a sed script
		# applied to the client log (what the client did not log)
		rm -rf "$TMP/pair" && mkdir "$TMP/pair" || return 1
		# shellcheck disable=SC2046 # split on purpose
		"$SFBGEN" $(head -n 1 "$1") --pair "$TMP/pair" || return 1
		ed=$(sed -n 2p "$1")
		if [ -n "$ed" ]; then
			sed -e "$ed" "$TMP/pair/client.UccApilog" \
				>"$TMP/pair/c" &&
			mv "$TMP/pair/c" "$TMP/pair/client.UccApilog" ||
			return 1
		fi
		echo "$TMP/pair/client.UccApilog $TMP/pair/server-cls.log" ;;
	*)	echo "$1" ;;
	esac
}

# Does analyzing log(s) $2 give a finding of rule $1?  0 yes, 1 no, 2 error
fires() {
	# shellcheck disable=SC2086 # a pair is two paths
	"$SFBLOG" analyze -q -o ndjson --fail-on none $2 >"$TMP/out" \
		2>"$TMP/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		sed 's/^/  /' "$TMP/err" | head -5
		return 2
	fi
	re=$(printf '%s' "$1" | sed 's/[.]/\\./g')
	grep -Eq "\"rule\":[[:space:]]*\"$re\"" "$TMP/out"
}

# the rule ids: from the loaded rule set, else from the shipped files
ids=
if "$SFBLOG" rules -o json >"$TMP/rules.json" 2>"$TMP/err"; then
	ids=$(grep -Eo '"(rule|id)":[[:space:]]*"[a-z0-9.-]+"' \
	      "$TMP/rules.json" |
	      sed 's/.*"\([a-z0-9.-]*\)"$/\1/' | sort -u)
fi
if [ -z "$ids" ]; then
	echo "rules: note: no ids from 'sfblog rules -o json'; reading" \
	     "rules/*.yaml"
	ids=$(sed -n 's/^- rule: *\([a-z0-9.-]*\).*/\1/p' \
	      "$top"/rules/*.yaml | sort -u)
fi
if [ -z "$ids" ]; then
	echo "rules: no shipped rules found"
	exit 1
fi

for id in $ids; do
	dir=$top/testdata/rules/$id
	if [ ! -d "$dir" ]; then
		bad "$id: no fixture folder testdata/rules/$id/"
		continue
	fi
	nh=0; nm=0
	for f in "$dir"/hit* "$dir"/miss*; do
		[ -f "$f" ] || continue
		name=${f#"$top"/}
		case $(basename "$f") in
		hit*) want=0; nh=$((nh+1)) ;;
		*) want=1; nm=$((nm+1)) ;;
		esac
		log=$(log_of "$f") || { bad "$name: sfbgen failed"; continue; }
		fires "$id" "$log"
		got=$?
		if [ $got = 2 ]; then
			bad "$name: sfblog analyze failed"
		elif [ $got != $want ]; then
			if [ $want = 0 ]; then
				bad "$name: rule $id did not fire"
			else
				bad "$name: rule $id fired on a miss"
			fi
		else
			pass=$((pass+1))
		fi
	done
	[ $nh -gt 0 ] || bad "$id: no hit fixture (testdata/rules/$id/hit*)"
	[ $nm -gt 0 ] || bad "$id: no miss fixture (testdata/rules/$id/miss*)"
done

# a fixture folder whose rule no longer exists
for dir in "$top"/testdata/rules/*/; do
	id=$(basename "$dir")
	printf '%s\n' "$ids" | grep -qx "$id" ||
		bad "testdata/rules/$id/: no shipped rule '$id'"
done

# the healthy sign-ins raise nothing above info, in both formats
for sc in ntlm-external-ok kerberos-internal-ok tlsdsk-ok redirect-301; do
	for fmt in ucc cls; do
		"$SFBGEN" --scenario $sc --format $fmt -o "$TMP/ok.log" ||
			{ bad "sfbgen --scenario $sc failed"; continue; }
		"$SFBLOG" analyze -q --fail-on warning "$TMP/ok.log" \
			>"$TMP/out" 2>&1
		rc=$?
		if [ $rc = 0 ]; then
			pass=$((pass+1))
		else
			bad "healthy $sc ($fmt) gave findings above info" \
			    "(exit $rc):"
			grep -E '^ *(warning|error) ' "$TMP/out" | head -5
		fi
	done
done

# ... and a healthy client log with its own server trace (join rules)
for sc in ntlm-external-ok kerberos-internal-ok tlsdsk-ok redirect-301; do
	rm -rf "$TMP/okp" && mkdir "$TMP/okp" &&
	"$SFBGEN" --scenario $sc --pair "$TMP/okp" ||
		{ bad "sfbgen --scenario $sc --pair failed"; continue; }
	if "$SFBLOG" analyze -q --fail-on warning "$TMP/okp/client.UccApilog" \
		"$TMP/okp/server-cls.log" >"$TMP/out" 2>&1; then
		pass=$((pass+1))
	else
		bad "healthy $sc (client log + trace) gave findings above info"
		grep -E '^ *(warning|error) ' "$TMP/out" | head -5
	fi
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
