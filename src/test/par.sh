#!/bin/sh
# SPDX-License-Identifier: MIT
# par.sh -- `analyze -j N` and `messages -j N` (src/par.c) give the same
# bytes as a serial read.  SFBLOG_CHUNK (a hidden test knob) makes the
# chunks tiny, so small files split into many chunks and records are
# larger than a chunk.
#   1. every golden case (testdata/golden) rerun with -j2 / -j4 injected
#      into analyze and messages, against its expected output;
#   2. generated client logs and CLS traces (several scenarios, CRLF and
#      LF, BOM, hops, truncated, compact, long lines skipped, messages
#      cut by --max-msg): text, JSON and messages, -j1 against -j2/-j4;
#   3. inputs par does not split (gzip, UTF-16, stdin) read serially.
set -u
LC_ALL=C; NO_COLOR=1; TZ=UTC
unset COLUMNS SFBLOG_RULES
export LC_ALL NO_COLOR TZ
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}"
top=$(pwd)
SFBLOG=$(cd "$(dirname "$SFBLOG")" && pwd)/$(basename "$SFBLOG")
SFBGEN=$(cd "$(dirname "$SFBGEN")" && pwd)/$(basename "$SFBGEN")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfblog-par.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0; fail=0

ok() { pass=$((pass+1)); }
bad() { echo "par: FAIL: $*"; fail=$((fail+1)); }

# 1. golden cases through a wrapper that adds -j to analyze / messages
real=$SFBLOG
cat >"$TMP/sfblog-j" <<EOF
#!/bin/sh
case "\${1:-}" in
analyze|messages) c=\$1; shift; exec "$real" "\$c" -j "\$PAR_J" "\$@" ;;
esac
exec "$real" "\$@"
EOF
chmod +x "$TMP/sfblog-j"
for dir in "$top"/testdata/golden/*/; do
	name=$(basename "$dir")
	grep -Eq 'analyze|messages' "$dir/cmd" || continue
	for jc in 2:1000 4:4096 2:65536; do
		j=${jc%%:*}; c=${jc#*:}
		( cd "$dir" && SFBLOG="$TMP/sfblog-j" SFBGEN="$SFBGEN" \
		  TMP="$TMP" PAR_J=$j SFBLOG_CHUNK=$c \
		  sh -c "$(cat cmd)" >"$TMP/out" 2>"$TMP/err" </dev/null
		  echo $? >"$TMP/rc" )
		if cmp -s "$TMP/out" "$dir/expected.out" &&
		   cmp -s "$TMP/err" "$dir/expected.err" &&
		   cmp -s "$TMP/rc" "$dir/expected.rc"; then
			ok
		else
			bad "golden $name -j$j chunk $c"
			diff "$dir/expected.out" "$TMP/out" | head -5
			diff "$dir/expected.err" "$TMP/err" | head -5
		fi
	done
done

# 2. generated logs: -j1 against -j2 / -j4, small chunks
# same FILE OPTS...: every output of analyze (text, json) and messages
same() {
	f=$1; shift
	for cmd in "analyze" "analyze -o json" "messages"; do
		# shellcheck disable=SC2086
		"$SFBLOG" $cmd "$@" -j1 "$f" >"$TMP/a.out" 2>"$TMP/a.err"
		ra=$?
		for jc in 2:4096 4:1000 2:65536; do
			j=${jc%%:*}; c=${jc#*:}
			# shellcheck disable=SC2086
			SFBLOG_CHUNK=$c "$SFBLOG" $cmd "$@" -j "$j" "$f" \
				>"$TMP/b.out" 2>"$TMP/b.err"
			rb=$?
			if [ $ra = $rb ] && cmp -s "$TMP/a.out" "$TMP/b.out" &&
			   cmp -s "$TMP/a.err" "$TMP/b.err"; then
				ok
			else
				bad "$(basename "$f") $cmd $* -j$j chunk $c"
				diff "$TMP/a.out" "$TMP/b.out" | head -5
				diff "$TMP/a.err" "$TMP/b.err" | head -5
			fi
		done
	done
}

g=$TMP/g
"$SFBGEN" --size 300K -o "$g.ucc" || exit 2
"$SFBGEN" --size 300K --seed 7 --lf --compact -o "$g-lf.ucc" || exit 2
"$SFBGEN" --size 200K --bom --truncate --seed 3 -o "$g-bom.ucc" || exit 2
"$SFBGEN" --scenario im-call-traffic --scenario register-401-loop \
	--size 200K --seed 5 -o "$g-sc.ucc" || exit 2
"$SFBGEN" --format cls --size 300K -o "$g.cls" || exit 2
"$SFBGEN" --format cls --hops --mixed-case --size 300K --seed 9 \
	-o "$g-hops.cls" || exit 2
"$SFBGEN" --format cls --truncate --lf --size 200K --seed 4 \
	-o "$g-tr.cls" || exit 2
for f in "$g.ucc" "$g-lf.ucc" "$g-bom.ucc" "$g-sc.ucc" "$g.cls" \
	 "$g-hops.cls" "$g-tr.cls"; do
	same "$f"
done
# the pattern table is matched on the threads that parse the chunks
# (each with its own clone): the shipped table and a user's, every
# evidence line of the events (-vv)
same "$g-sc.ucc" -vv \
	--patterns "$top/testdata/golden/0037-patterns-user-table/site.tsv"
same "$g-hops.cls" -vv
# lines over --max-line skipped inside chunks; messages cut short
same "$g.ucc" --max-line 300
same "$g.cls" --max-line 200 --max-msg 1000
# --raw: the records' raw text (par copies it only when asked for)
for f in "$g-bom.ucc" "$g-tr.cls"; do
	"$SFBLOG" messages --raw -j1 "$f" >"$TMP/a.out" 2>&1
	SFBLOG_CHUNK=4096 "$SFBLOG" messages --raw -j2 "$f" >"$TMP/b.out" 2>&1
	if [ -s "$TMP/a.out" ] && cmp -s "$TMP/a.out" "$TMP/b.out"; then
		ok
	else
		bad "$(basename "$f") messages --raw -j2"
		diff "$TMP/a.out" "$TMP/b.out" | head -5
	fi
done
# junk before the first entry, an over-long line as a record's context,
# a prefixed line inside a message body, a block opener at a boundary
{
	printf 'junk before the log\n\n'
	head -c 150000 "$g-lf.ucc"
	printf '\n%0500d\n' 0
	cat "$g-lf.ucc"
} >"$TMP/mixed.ucc"
same "$TMP/mixed.ucc" --max-line 400
# a warning in a later chunk, its text naming a line (par.c moves it by
# the lines of the chunks before): a block cut short far into the file
{
	cat "$g-lf.ucc"
	printf '01/15/2021|09:12:05.553 39F5:2925 INFO  :: Sending Packet '
	printf -- '- 203.0.113.20:443 (From Local Address: 10.0.0.1:5061) '
	printf '30 bytes:\nOPTIONS sip:a@b SIP/2.0\n'
	cat "$g-lf.ucc"
} >"$TMP/cut.ucc"
cut=$(($(wc -l <"$g-lf.ucc") + 1))
if "$SFBLOG" analyze -j1 "$TMP/cut.ucc" 2>&1 |
   grep -q "block opened at line $cut cut short"; then
	ok
else
	bad "cut.ucc: no warning about line $cut"
fi
same "$TMP/cut.ucc"

# 3. not split: gzip, UTF-16, stdin (read serially, same result)
"$SFBGEN" --size 200K --gzip -o "$g.ucc.gz" || exit 2
"$SFBGEN" --size 200K --utf16le -o "$g-16.ucc" || exit 2
same "$g.ucc.gz"
same "$g-16.ucc"
"$SFBLOG" analyze "$g.ucc" >"$TMP/a.out" 2>&1
SFBLOG_CHUNK=1000 "$SFBLOG" analyze -j2 - <"$g.ucc" >"$TMP/b.out" 2>&1
# stdin is named "-" in the report: compare the rest
if [ "$(grep -vc -- "$g.ucc" "$TMP/a.out")" -gt 0 ] &&
   [ "$(wc -l <"$TMP/a.out")" = "$(wc -l <"$TMP/b.out")" ]; then
	ok
else
	bad "stdin -j2"
fi

echo "par: $pass passed, $fail failed"
[ $fail = 0 ]
