#!/bin/sh
# SPDX-License-Identifier: MIT
# triage.sh -- tests of `sfblog triage` over a generated tree: folders,
# rotated parts, gzip, CLS, zips made with python3's zipfile (a gzip in
# a zip, a zip bomb, an entry flagged encrypted by hand, a zip in a
# zip), a corrupt zip and gzip, a symlink loop, a dangling link, a file
# that is not a log.  Checks: each problem is reported with its code,
# -j1 and -j2 give the same bytes, records validate against
# man/sfblog-triage.schema.json (python3-jsonschema), two shards given
# through --files-from give the same records as one run, the SQLite
# store is incremental and `db merge` of shards equals one run, the
# filters, the exit status.  Rules: --no-default-rules, so that the
# results do not move with the rule pack.
set -u
: "${SFBLOG:=./build/sfblog}" "${SFBGEN:=./build/sfbgen}"
top=$(pwd)
SFBLOG=$(cd "$(dirname "$SFBLOG")" && pwd)/$(basename "$SFBLOG")
SFBGEN=$(cd "$(dirname "$SFBGEN")" && pwd)/$(basename "$SFBGEN")
SCHEMA=$top/man/sfblog-triage.schema.json
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfblog-triage.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
export LC_ALL=C TZ=UTC NO_COLOR=1
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { echo "triage.sh: FAIL $*"; fail=$((fail+1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
S() { "$SFBLOG" triage --no-default-rules "$@"; }

cd "$TMP" || exit 2
mkdir -p t/users/alice t/users/bob t/users/carol t/users/dave
"$SFBGEN" --lf --seed 1 --user alice@contoso.com -o all.log || exit 2
# alice: one log cut in two rotated parts (-1 is the older)
n=$(grep -n 'REGISTER sip:' all.log | sed -n 8p | cut -d: -f1)
head -n $((n - 2)) all.log > t/users/alice/Lync-UccApi-1.UccApilog
tail -n +$((n - 1)) all.log > t/users/alice/Lync-UccApi-0.UccApilog
"$SFBGEN" --seed 2 --user bob@contoso.com --scenario register-401-loop \
	--gzip -o t/users/bob/Lync-UccApi-0.UccApilog.gz
"$SFBGEN" --seed 3 --format cls --hops -o t/users/carol/cls-fe.log
echo "meeting notes, not a log" > t/users/dave/notes.txt
"$SFBGEN" --seed 4 --gzip -o full.gz
head -c 20000 full.gz > t/users/dave/Lync-UccApi-0.UccApilog.gz
ln -s .. t/users/loop
ln -s nowhere t/users/dangling
"$SFBGEN" --seed 5 --user erin@fabrikam.com -o erin.log
"$SFBGEN" --seed 6 --user frank@fabrikam.com --scenario forbidden-4003 \
	--gzip -o frank.gz
python3 - <<'PY' || exit 2
import struct, zipfile
with zipfile.ZipFile('t/bundle.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.write('erin.log', 'erin/Lync-UccApi-0.UccApilog')
    z.write('frank.gz', 'frank/Lync-UccApi-0.UccApilog.gz')
    z.writestr('bomb.UccApilog', b'\0' * (48 << 20))
    z.writestr('secret/Lync-UccApi-0.UccApilog', b'hidden\n' * 100)
    z.writestr('inner.zip', b'PK\x05\x06' + b'\0' * 18)
# flag the secret entry encrypted (general purpose bit 0), by hand:
# python's zipfile cannot encrypt
b = bytearray(open('t/bundle.zip', 'rb').read())
name = b'secret/Lync-UccApi-0.UccApilog'
for sig, off in ((b'PK\x03\x04', 6), (b'PK\x01\x02', 8)):
    i = 0
    while True:
        i = b.find(sig, i)
        if i < 0:
            break
        nlen_at = 26 if sig == b'PK\x03\x04' else 28
        nlen = struct.unpack_from('<H', b, i + nlen_at)[0]
        start = i + (30 if sig == b'PK\x03\x04' else 46)
        if bytes(b[start:start + nlen]) == name:
            b[i + off] |= 1
        i += 4
open('t/bundle.zip', 'wb').write(bytes(b))
z = open('t/bundle.zip', 'rb').read()
open('t/corrupt.zip', 'wb').write(z[:len(z) // 3])
PY

# ---- one run, and -j does not change a byte ---------------------------
S -j1 -o ndjson t > j1.nd 2> j1.err; rc1=$?
S -j2 -o ndjson t > j2.nd 2> j2.err
check "-j1 and -j2 ndjson differ" "cmp -s j1.nd j2.nd"
S -j1 t > j1.txt 2>&1; S -j2 -v t > j2v.txt 2>&1; S -j2 t > j2.txt 2>&1
check "-j1 and -j2 text differ" "cmp -s j1.txt j2.txt"
check "exit status 1 (failed sign-ins) expected, got $rc1" "[ $rc1 = 1 ]"
check "stderr not empty: $(head -c 200 j1.err)" "[ ! -s j1.err ]"

# ---- every problem, with its code ------------------------------------
has() { grep -q "\"source\":\"$1\".*\"code\":\"$2\"" j1.nd; }
check "symlink loop" "has t/users/loop symlink-loop"
check "dangling link" "has t/users/dangling unreadable"
check "not a log" "has t/users/dave/notes.txt not-a-log"
check "corrupt gzip" "has t/users/dave/Lync-UccApi-0.UccApilog.gz corrupt-gzip"
check "zip bomb" "has 't/bundle.zip!bomb.UccApilog' zip-bomb"
check "encrypted" "has 't/bundle.zip!secret/Lync-UccApi-0.UccApilog' encrypted"
check "nested zip" "has 't/bundle.zip!inner.zip' nested-zip"
check "corrupt zip" "has t/corrupt.zip corrupt-zip"
check "zip bomb names the entry" "grep -q 'zip-bomb: zip bomb? t/bundle.zip: entry bomb.UccApilog' j1.txt"
check "text lists the problems" "[ \$(sed -n '/^problems (/,/^\$/p' j1.txt | grep -c ': ') = 9 ]"

# ---- streams: rotated parts, gzip in zip, CLS ------------------------
check "rotated parts, oldest first" "grep -q '\"stream\":\"t/users/alice/Lync-UccApi-1.UccApilog + t/users/alice/Lync-UccApi-0.UccApilog\"' j1.nd"
whole=$("$SFBLOG" analyze --no-default-rules all.log | sed '/^detail:/q' |
	grep -c '^  session ')
split=$(grep '"type":"session"' j1.nd | grep -c '"source":"t/users/alice/')
check "rotated stream: $split sessions, the whole log $whole" "[ $split = $whole ]"
check "gzip inside a zip read" "grep -q '\"type\":\"session\",\"source\":\"t/bundle.zip!frank/Lync-UccApi-0.UccApilog.gz\".*\"outcome\":\"failed\"' j1.nd"
check "CLS read" "grep -q '\"source\":\"t/users/carol/cls-fe.log\".*\"format\":\"cls\"' j1.nd"
check "summary last" "tail -n 1 j1.nd | grep -q '^{\"type\":\"summary\"'"
check "summary table sorted by severity" "sed -n '2,/^\$/p' j1.txt | awk 'NF { print \$1 }' | awk 'BEGIN{r[\"error\"]=3;r[\"warning\"]=2;r[\"info\"]=1;r[\"none\"]=0;p=9} { if (r[\$1] > p) exit 1; p = r[\$1] }'"
check "closing count" "grep -Eq '^[0-9]+ file\\(s\\): [0-9]+ read, 0 unchanged, 9 with problems; [0-9]+ sign-in' j1.txt"
check "-v detail" "grep -q '^== t/users/bob/Lync-UccApi-0.UccApilog.gz' j2v.txt"

# ---- JSON Schema -------------------------------------------------------
S -o json t > doc.json
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$SCHEMA" j1.nd doc.json <<'PY' && ok || bad "JSON Schema"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
n = 0
for line in open(sys.argv[2]):
    v.validate(json.loads(line)); n += 1
doc = json.load(open(sys.argv[3]))
for r in doc['records']:
    v.validate(r); n += 1
s = dict(doc['summary']); s['type'] = 'summary'
v.validate(s)
nd = [json.loads(l) for l in open(sys.argv[2])]
assert nd[:-1] == doc['records'], 'json and ndjson records differ'
assert n > 20, n
PY
else
	echo "triage.sh: python3-jsonschema missing: schema not checked"
fi

# ---- the shard recipe: two shards == one run ----------------------------
# shard by client folder (rotated parts stay together); the loop left out
ls -d t/*.zip t/users/* | grep -v loop > inputs
S --files-from inputs -o ndjson > one.nd 2>/dev/null
awk 'NR % 2' inputs > shard1; awk 'NR % 2 == 0' inputs > shard2
for s in shard1 shard2; do S -o ndjson --files-from - < $s > $s.nd 2>/dev/null; done
if command -v parallel >/dev/null; then
	parallel --will-cite --pipe -N3 -k "$SFBLOG" triage --no-default-rules \
		--files-from - -o ndjson < inputs > par.nd 2>/dev/null
	grep -v '"type":"summary"' par.nd | sort > par.sorted
	grep -v '"type":"summary"' one.nd | sort > one.sorted
	check "GNU parallel shards differ from one run" "cmp -s par.sorted one.sorted"
fi
cat shard1.nd shard2.nd | grep -v '"type":"summary"' | sort > shards.sorted
grep -v '"type":"summary"' one.nd | sort > one.sorted
check "two shards differ from one run" "cmp -s shards.sorted one.sorted"
check "the shards have sessions" "grep -q '\"type\":\"session\"' shard1.nd && grep -q '\"type\":\"session\"' shard2.nd"
tr '\n' '\0' < inputs > inputs0
S -0 --files-from inputs0 -o ndjson > nul.nd 2>/dev/null
check "--files-from -0" "cmp -s nul.nd one.nd"

# ---- the SQLite store ------------------------------------------------------
q() { sqlite3 "$@" 2>/dev/null || python3 -c 'import sqlite3,sys; print("\n".join("|".join(str(x) for x in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$@"; }
S --db one.db --files-from inputs > db1.txt 2>&1
sessions=$(grep -c '"type":"session"' one.nd)
check "store sessions" "[ \$(q one.db 'select count(*) from sessions') = $sessions ]"
check "store problems" "[ \$(q one.db \"select count(*) from files where status='problem'\") = 8 ]"
S --db one.db --files-from inputs > db2.txt 2>&1
okfiles=$(q one.db "select count(*) from files where status = 'ok'")
check "rerun reads no healthy file again" "grep -q ' $okfiles unchanged' db2.txt"
check "rerun keeps the sessions" "[ \$(q one.db 'select count(*) from sessions') = $sessions ]"
echo >> t/users/carol/cls-fe.log
S --db one.db --files-from inputs > db3.txt 2>&1
check "a changed file is read again" "grep -q ' $((okfiles - 1)) unchanged' db3.txt"
check "rerun replaces, not adds" "[ \$(q one.db 'select count(*) from sessions') = $sessions ]"
S --db s1.db --files-from shard1 >/dev/null 2>&1
S --db s2.db --files-from shard2 >/dev/null 2>&1
"$SFBLOG" db merge merged.db s1.db s2.db
for t in files sessions findings evidence; do
	check "db merge: $t" "[ \$(q merged.db 'select count(*) from $t') = \$(q one.db 'select count(*) from $t') ]"
done
check "dashboard SQL" "q one.db \"select substr(start_time, 1, 10), count(*) from sessions where outcome = 'failed' group by 1\" | grep -q '^2021-01-15|'"

# ---- filters ----------------------------------------------------------------
n=$(S -o ndjson --user BOB t 2>/dev/null | grep -c '"type":"session"')
check "--user (any case): $n" "[ $n = 1 ]"
n=$(S -o ndjson --min-severity error t 2>/dev/null | grep '"type":"session"' | grep -vc '"severity":"error"')
check "--min-severity" "[ $n = 0 ]"
n=$(S -o ndjson --since 2021-01-15T09:20 --until 2021-01-15T09:30 t 2>/dev/null | grep '"type":"session"' | grep -vc '"start":"2021-01-15T09:[2]')
check "--since/--until" "[ $n = 0 ]"

# ---- rotated parts inside a zip, a .bak among them --------------------------
python3 -c "
import zipfile
z = zipfile.ZipFile('rot.zip', 'w', zipfile.ZIP_DEFLATED)
z.write('t/users/alice/Lync-UccApi-0.UccApilog', 'x/Lync-UccApi-0.UccApilog')
z.write('t/users/alice/Lync-UccApi-1.UccApilog', 'x/Lync-UccApi-1.UccApilog.bak')
z.close()"
n=$(S -o ndjson rot.zip 2>/dev/null | grep '"type":"session"' | grep -c '"source":"rot.zip!x/Lync-UccApi-1.UccApilog.bak + rot.zip!x/Lync-UccApi-0.UccApilog"')
check "rotated parts in a zip: $n sessions, $whole expected" "[ $n = $whole ]"

# ---- exit status 2 only when nothing could be done --------------------------
S t/users/dave/notes.txt t/users/dangling > /dev/null 2>&1; rc=$?
check "nothing readable: exit 2, got $rc" "[ $rc = 2 ]"
S t/users/dave > /dev/null 2>&1; rc=$?
check "some readable: exit 0 or 1, got $rc" "[ $rc -le 1 ]"
S does-not-exist > out.txt 2>&1; rc=$?
check "missing input: exit 2 and a reason" "[ $rc = 2 ] && grep -q 'does-not-exist: unreadable: No such file' out.txt"

# ---- --compare: failing against working sign-ins (compare.c) --------------
mkdir -p cmp
for i in 11 12 13 14 15 16; do
	mkdir -p cmp/ok$i
	"$SFBGEN" --lf --seed $i --user ok$i@contoso.com --scenario tlsdsk-ok \
		-o cmp/ok$i/Lync-UccApi-0.UccApilog || exit 2
done
for i in 21 22 23; do
	mkdir -p cmp/ko$i
	"$SFBGEN" --lf --seed $i --user ko$i@contoso.com \
		--scenario webticket-28032-loop \
		-o cmp/ko$i/Lync-UccApi-0.UccApilog || exit 2
done
S --compare cmp > cmp.txt 2>&1
S --compare -j1 -o ndjson cmp > cmp1.nd 2>/dev/null
S --compare -j2 -o ndjson cmp > cmp2.nd 2>/dev/null
S --compare -o json cmp > cmp.json 2>/dev/null
S -o ndjson cmp > nocmp.nd 2>/dev/null
check "--compare counts" "grep -q '^compare: 3 failing and 6 working sign-in(s)' cmp.txt"
check "--compare: the certificate separates" "grep -A2 '^  TLS-DSK certificate' cmp.txt | grep -q 'not presented: failing 3 of 3 (100%), working 0 of 6 (0%)'"
check "--compare: 28032 separates" "grep -A2 '^  ms-diagnostics' cmp.txt | grep -q '28032: failing 3 of 3 (100%), working 0 of 6 (0%)'"
check "--compare: the server does not separate" "! grep -q '^  server\$' cmp.txt"
check "--compare: -j1 and -j2 the same" "cmp -s cmp1.nd cmp2.nd"
check "--compare: record before the summary" "tail -n 2 cmp1.nd | head -n 1 | grep -q '^{\"type\":\"compare\",\"failing\":3,\"working\":6,'"
check "no --compare, no compare record" "! grep -q '\"type\":\"compare\"' nocmp.nd"
# diff: a working against a failing sign-in, its JSON schema
"$SFBLOG" diff -o json cmp/ok11/Lync-UccApi-0.UccApilog \
	cmp/ko21/Lync-UccApi-0.UccApilog > diff.json 2>/dev/null; rc=$?
check "diff: exit 1 on differences, got $rc" "[ $rc = 1 ]"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$SCHEMA" cmp1.nd cmp.json "$top/man/sfblog-diff.schema.json" \
		diff.json <<'PY' && ok || bad "JSON Schema of compare and diff"
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
nd = [json.loads(l) for l in open(sys.argv[2])]
for r in nd:
    v.validate(r)
doc = json.load(open(sys.argv[3]))
for r in doc['records']:
    v.validate(r)
c = [r for r in doc['records'] if r['type'] == 'compare']
assert len(c) == 1 and c[0]['separating'], c
ds = json.load(open(sys.argv[4]))
jsonschema.Draft202012Validator.check_schema(ds)
d = json.load(open(sys.argv[5]))
jsonschema.Draft202012Validator(ds).validate(d)
assert d['first']['kind'] == 'answer', d['first']
assert '28032' in d['first']['bad']['value'], d['first']
PY
fi

echo "triage.sh: $pass passed, $fail failed"
[ $fail = 0 ]
