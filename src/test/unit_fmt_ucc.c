/* SPDX-License-Identifier: MIT */
/*
 * unit_fmt_ucc.c -- unit tests of the client-log parser
 * (parsers/fmt_ucc.c): each case is fed line by line and the records
 * are serialised into a trace (type, line range, time, level, T:P,
 * direction, endpoints, declared length, truncation, text with '\n'
 * escaped) compared with the expected string; every case is also fed
 * three times back to back.  Every record's raw view is checked
 * against the physical lines it claims.  `unit_fmt_ucc --bench [MB]`
 * measures the parser's speed on a realistic log held in memory.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "parser.h"
#include "sv.h"

/* ---- a growable output string ---- */

struct out {
	char *p;
	size_t n, cap;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->n + n + 1 > o->cap) {
		while (o->n + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 1024;
		o->p = sfb_xrealloc(o->p, o->cap);
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static void out_fmt(struct out *o, const char *fmt, ...) SFB_PRINTF(2, 3);

static void out_fmt(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_add(o, tmp, (size_t)n < sizeof tmp ? (size_t)n :
			sizeof tmp - 1);
}

/* Text with '\n' as \n, '\\' and '"' escaped, other controls as \xNN. */
static void out_esc(struct out *o, struct sv v)
{
	out_str(o, "\"");
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (c == '\n')
			out_str(o, "\\n");
		else if (c == '\\' || c == '"')
			out_fmt(o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			out_fmt(o, "\\x%02x", c);
		else
			out_add(o, (const char *)&c, 1);
	}
	out_str(o, "\"");
}

/* ---- the input split into lines, for raw checks ---- */

struct lines {
	struct sv *v;
	size_t n;
	unsigned long base;     /* line number of v[0] */
};

/* ---- the trace sink ---- */

struct ctx {
	struct out out;
	const struct lines *in; /* the lines fed, for the raw check */
	size_t max;             /* the max_msg in force */
	int stop_after;         /* stop after this many records (0: no) */
	int nrec;
	const char *last_raw;   /* buffer reuse check */
	int raw_moved;
};

/* raw must be exactly the physical lines it names (or a cut prefix). */
static void check_raw(struct ctx *c, const struct fmt_rec *r)
{
	const struct lines *in = c->in;
	if (r->type == REC_WARN) {
		CHECK(r->raw.n == 0);
		return;
	}
	if (!in || r->line_first < in->base ||
	    r->line_last >= in->base + in->n || r->line_last < r->line_first) {
		CHECK(!"record line range outside the input");
		return;
	}
	size_t at = 0;
	int ok = 1;
	for (unsigned long l = r->line_first; l <= r->line_last && ok; l++) {
		struct sv s = in->v[l - in->base];
		if (l > r->line_first) {
			if (at >= r->raw.n)
				break;
			ok = r->raw.p[at] == '\n';
			at++;
		}
		size_t k = s.n;
		if (k > r->raw.n - at)
			k = r->raw.n - at;
		ok = ok && memcmp(r->raw.p + at, s.p, k) == 0;
		at += k;
		if (k < s.n)
			break;
	}
	CHECK(ok && at == r->raw.n);
	/* only a record over the limit may hold less than its lines */
	if (!r->truncated)
		CHECK(at == r->raw.n);
	CHECK(r->raw.n <= c->max);
	CHECK(r->text.n <= r->raw.n);
}

static int on_rec(void *ud, const struct fmt_rec *r)
{
	struct ctx *c = ud;
	static const char *const tn[] = { "?", "E", "M", "D", "W" };
	check_raw(c, r);
	if (r->type == REC_ENTRY || r->type == REC_MSG) {
		if (c->last_raw && c->last_raw != r->raw.p)
			c->raw_moved++;
		c->last_raw = r->raw.p;
	}
	unsigned ty = (unsigned)r->type <= 4 ? (unsigned)r->type : 0;
	out_fmt(&c->out, "%s %lu-%lu", tn[ty], r->line_first, r->line_last);
	if (r->type != REC_WARN) {
		char t[32];
		if (r->ts == SFB_TIME_NONE)
			out_str(&c->out, " @-");
		else
			out_fmt(&c->out, " @%s",
				sfb_time_fmt(r->ts, t, sizeof t) + 11);
		out_fmt(&c->out, " %.*s %x:%x", (int)r->level.n,
			r->level.p, r->tid, r->pid);
	}
	if (r->type == REC_MSG) {
		out_str(&c->out, r->dir == DIR_OUT ? " OUT" :
			r->dir == DIR_IN ? " IN" : " ?");
		if (r->remote.n)
			out_fmt(&c->out, " r=%.*s", (int)r->remote.n,
				r->remote.p);
		if (r->local.n)
			out_fmt(&c->out, " l=%.*s", (int)r->local.n,
				r->local.p);
		if (r->declared_len >= 0)
			out_fmt(&c->out, " len=%lld",
				(long long)r->declared_len);
	}
	if (r->truncated)
		out_str(&c->out, " TRUNC");
	out_str(&c->out, " ");
	out_esc(&c->out, r->text);
	out_str(&c->out, "\n");
	c->nrec++;
	return c->stop_after && c->nrec >= c->stop_after ? 7 : 0;
}

/* Split s at '\n' (a final '\n' ends the last line). */
static struct lines split(const char *s, size_t n, unsigned long base)
{
	struct lines L = { NULL, 0, base };
	size_t cap = 0, i = 0;
	while (i < n) {
		const char *e = memchr(s + i, '\n', n - i);
		size_t len = e ? (size_t)(e - (s + i)) : n - i;
		if (L.n == cap) {
			cap = cap ? cap * 2 : 64;
			L.v = sfb_xrealloc(L.v, cap * sizeof *L.v);
		}
		L.v[L.n++] = sv_make(s + i, len);
		i += len + 1;
	}
	return L;
}

/*
 * Feed in (copies times in a row, line numbers continuing) into one
 * parser with max_msg, finish, and return the trace (caller frees).
 */
static char *run(const char *in, size_t n, size_t max_msg, int copies,
		 int *raw_moved)
{
	struct lines one = split(in, n, 1);
	struct lines all = { NULL, 0, 1 };
	all.v = sfb_xmalloc((one.n * (size_t)copies + 1) * sizeof *all.v);
	for (int k = 0; k < copies; k++)
		for (size_t i = 0; i < one.n; i++)
			all.v[all.n++] = one.v[i];
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.in = &all;
	c.max = max_msg ? max_msg : SFB_MAX_MSG;
	struct fmt_sink sink = { on_rec, &c };
	struct fmt_limits lim = { max_msg };
	struct fmt_ucc *p = fmt_ucc_new(&sink, &lim);
	for (size_t i = 0; i < all.n; i++)
		CHECK(fmt_ucc_feed(p, all.v[i], i + 1) == 0);
	CHECK(fmt_ucc_finish(p) == 0);
	fmt_ucc_free(p);
	free(one.v);
	free(all.v);
	if (raw_moved)
		*raw_moved = c.raw_moved;
	if (!c.out.p)
		out_str(&c.out, "");
	return c.out.p;
}

/* Feed the lines with numbers starting at base into a fresh parser. */
static char *run_at(const char *in, size_t n, size_t max_msg,
		    unsigned long base)
{
	struct lines L = split(in, n, base);
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.in = &L;
	c.max = max_msg ? max_msg : SFB_MAX_MSG;
	struct fmt_sink sink = { on_rec, &c };
	struct fmt_limits lim = { max_msg };
	struct fmt_ucc *p = fmt_ucc_new(&sink, &lim);
	for (size_t i = 0; i < L.n; i++)
		CHECK(fmt_ucc_feed(p, L.v[i], base + i) == 0);
	CHECK(fmt_ucc_finish(p) == 0);
	fmt_ucc_free(p);
	free(L.v);
	if (!c.out.p)
		out_str(&c.out, "");
	return c.out.p;
}

static int lines_in(const char *s, size_t n)
{
	struct lines L = split(s, n, 1);
	free(L.v);
	return (int)L.n;
}

/* ---- the table ---- */

#define P1 "01/15/2021|09:12:03.101 2A10:3B4C INFO  :: "
#define P2 "01/15/2021|09:12:03.180 2A10:3B4C INFO  :: "
#define AT1 " @09:12:03.101 INFO 2a10:3b4c"
#define AT2 " @09:12:03.180 INFO 2a10:3b4c"

struct tcase {
	const char *name;
	size_t max_msg;
	int b2b;               /* also fed back to back */
	size_t len;            /* length of in when it holds NULs, else 0 */
	const char *in;
	const char *want;
};

#define NUL_IN P1 "a\0b\x01\n" "c\0\0\n" P1 "Sending Packet\n" \
	P1 "X\0Y SIP/2.0\n" "\0\n" P1 "End of\n"


static const struct tcase cases[] = {
	/*
	 * The prefix cache: a new time with the same thread and level
	 * only has its stamp read, which must still be a stamp and in
	 * range (then the next day is read whole).
	 */
	{ "new stamps after a cached prefix", 0, 1, 0,
	  P1 "a\n"
	  "01/15/2021|09:12:0x.180 2A10:3B4C INFO  :: not a prefix\n"
	  "01/15/2021|25:12:03.180 2A10:3B4C INFO  :: no time\n"
	  "01/16/2021|09:12:03.180 2A10:3B4C INFO  :: next day\n"
	  P2 "back\n",
	  "E 1-2" AT1 " \"a\\n01/15/2021|09:12:0x.180 2A10:3B4C INFO  :: "
	  "not a prefix\"\n"
	  "E 3-3 @- INFO 2a10:3b4c \"no time\"\n"
	  "E 4-4" AT2 " \"next day\"\n"
	  "E 5-5" AT2 " \"back\"\n" },

	{ "entry with continuation lines", 0, 1, 0,
	  P1 "Lync autodiscovery completed with hr: 0X80004005\n"
	  "status=0x80ef0191\n"
	  "ACTION: AUTH FAIL - NEED NEW CERT\n"
	  "01/15/2021|09:12:03.180 2A10:C14 ERROR :: second\n",
	  "E 1-3" AT1 " \"Lync autodiscovery completed with hr: 0X80004005"
	  "\\nstatus=0x80ef0191\\nACTION: AUTH FAIL - NEED NEW CERT\"\n"
	  "E 4-4 @09:12:03.180 ERROR 2a10:c14 \"second\"\n" },

	{ "full Sending and Data Received blocks back to back", 0, 1, 0,
	  P1 "Sending Packet - 10.0.0.20:443 (From Local Address: "
	  "192.168.1.40:51234) 1124 bytes:\n"
	  P1 "REGISTER sip:contoso.com SIP/2.0\n"
	  "Via: SIP/2.0/TLS 192.168.1.40:51234\n"
	  "CSeq: 1 REGISTER\n"
	  "Content-Length: 0\n"
	  "\n"
	  P1 "End of Sending Packet - 10.0.0.20:443 (From Local Address: "
	  "192.168.1.40:51234) 1124 bytes\n"
	  P2 "Data Received - 10.0.0.20:443 (To Local Address: "
	  "192.168.1.40:51234) 1380 bytes:\n"
	  P2 "SIP/2.0 200 OK\n"
	  "Content-Length: 5\n"
	  "\n"
	  "hello\n"
	  "\n"
	  "\n"
	  P2 "End of Data Received - 10.0.0.20:443 (To Local Address: "
	  "192.168.1.40:51234) 1380 bytes\n",
	  "M 1-7" AT1 " OUT r=10.0.0.20:443 l=192.168.1.40:51234 len=1124 "
	  "\"REGISTER sip:contoso.com SIP/2.0\\nVia: SIP/2.0/TLS "
	  "192.168.1.40:51234\\nCSeq: 1 REGISTER\\nContent-Length: 0\"\n"
	  "M 8-15" AT2 " IN r=10.0.0.20:443 l=192.168.1.40:51234 len=1380 "
	  "\"SIP/2.0 200 OK\\nContent-Length: 5\\n\\nhello\"\n" },

	{ "minimal Sending Packet and bare End of", 0, 1, 0,
	  "10/16/2013|08:40:18.943 2D8:1C98 INFO  :: Sending Packet\n"
	  "10/16/2013|08:40:18.943 2D8:1C98 INFO  :: SERVICE "
	  "sip:bob@example.org SIP/2.0\n"
	  "From: <sip:a>\n"
	  "Call-ID: 133\n"
	  "10/16/2013|08:40:18.943 2D8:1C98 INFO  :: End of\n",
	  "M 1-5 @08:40:18.943 INFO 2d8:1c98 OUT "
	  "\"SERVICE sip:bob@example.org SIP/2.0\\nFrom: <sip:a>\\n"
	  "Call-ID: 133\"\n" },

	{ "-192 without a space, one space before ::, IPv6, no colon", 0, 1, 0,
	  "04/16/2013|03:17:31.555 1F68:C14 INFO :: Data Received "
	  "-192.168.100.100:5061 (To Local Address: 192.168.103.35:20323) "
	  "1096 bytes\n"
	  "04/16/2013|03:17:31.555 1F68:C14 INFO :: SIP/2.0 100 Trying\n"
	  "04/16/2013|03:17:31.555 1F68:C14 INFO :: End of Data Received "
	  "-192.168.100.100:5061 (To Local Address: 192.168.103.35:20323) "
	  "1096 bytes\n"
	  "04/16/2013|03:17:31.600 1F68:C14 INFO ::Sending Packet - "
	  "[2001:db8::20]:443 (From Local Address: [2001:db8::40]:50000) "
	  "7 bytes:\n"
	  "04/16/2013|03:17:31.600 1F68:C14 INFO ::OPTIONS sip:x SIP/2.0\n"
	  "04/16/2013|03:17:31.600 1F68:C14 INFO ::End of Sending Packet\n"
	  "04/16/2013|03:17:31.700 1F68:C14 INFO  :: Sending Packet 42 "
	  "bytes:\n"
	  "04/16/2013|03:17:31.700 1F68:C14 INFO  :: BYE sip:y SIP/2.0\n"
	  "04/16/2013|03:17:31.700 1F68:C14 INFO  :: End of Sending "
	  "Packet\n",
	  "M 1-3 @03:17:31.555 INFO 1f68:c14 IN r=192.168.100.100:5061 "
	  "l=192.168.103.35:20323 len=1096 \"SIP/2.0 100 Trying\"\n"
	  "M 4-6 @03:17:31.600 INFO 1f68:c14 OUT r=[2001:db8::20]:443 "
	  "l=[2001:db8::40]:50000 len=7 \"OPTIONS sip:x SIP/2.0\"\n"
	  "M 7-9 @03:17:31.700 INFO 1f68:c14 OUT len=42 "
	  "\"BYE sip:y SIP/2.0\"\n" },

	{ "block cut short by a new entry", 0, 1, 0,
	  P1 "Sending Packet - 10.0.0.20:443 (From Local Address: "
	  "192.168.1.40:51234) 300 bytes:\n"
	  P1 "INVITE sip:bob@contoso.com SIP/2.0\n"
	  "Call-ID: abc\n"
	  "\n"
	  P2 "CUccSession::Terminate\n",
	  "M 1-3" AT1 " OUT r=10.0.0.20:443 l=192.168.1.40:51234 len=300 "
	  "TRUNC \"INVITE sip:bob@contoso.com SIP/2.0\\nCall-ID: abc\"\n"
	  "W 1-3 \"block opened at line 1 cut short: no 'End of' line\"\n"
	  "E 5-5" AT2 " \"CUccSession::Terminate\"\n" },

	{ "block cut at the end of input", 0, 1, 0,
	  P1 "Data Received - 10.0.0.20:443 (To Local Address: "
	  "192.168.1.40:51234) 99 bytes:\n"
	  P1 "SIP/2.0 401 Unauthorized\n"
	  "CSeq: 1 REGISTER\n",
	  "M 1-3" AT1 " IN r=10.0.0.20:443 l=192.168.1.40:51234 len=99 "
	  "TRUNC \"SIP/2.0 401 Unauthorized\\nCSeq: 1 REGISTER\"\n"
	  "W 1-3 \"block opened at line 1 cut short: no 'End of' line\"\n" },

	{ "block cut by the opening of another block", 0, 1, 0,
	  P1 "Sending Packet\n"
	  P2 "Sending Packet - 1.2.3.4:5061\n"
	  P2 "ACK sip:a SIP/2.0\n"
	  P2 "End of Sending Packet\n",
	  "M 1-1" AT1 " OUT TRUNC \"\"\n"
	  "W 1-1 \"block opened at line 1 cut short: no 'End of' line\"\n"
	  "M 2-4" AT2 " OUT r=1.2.3.4:5061 \"ACK sip:a SIP/2.0\"\n" },

	{ "End of directly after the opening line: empty message", 0, 1, 0,
	  P1 "Sending Packet - 10.0.0.20:443 0 bytes\n"
	  P1 "End of Sending Packet - 10.0.0.20:443 0 bytes\n",
	  "M 1-2" AT1 " OUT r=10.0.0.20:443 len=0 \"\"\n" },

	{ "opening line followed by a non-SIP entry: kept as is", 0, 1, 0,
	  P1 "Data Received - 10.0.0.20:443\n"
	  P1 "CTransportMgr::OnData something odd\n"
	  P1 "End of Data Received\n",
	  "M 1-3" AT1 " IN r=10.0.0.20:443 "
	  "\"CTransportMgr::OnData something odd\"\n" },

	{ "start line logged without a prefix", 0, 1, 0,
	  P1 "Sending Packet - 10.0.0.20:443\n"
	  "\n"
	  "NOTIFY sip:a SIP/2.0\n"
	  "Event: x\n"
	  P1 "End of Sending Packet\n",
	  "M 1-5" AT1 " OUT r=10.0.0.20:443 "
	  "\"NOTIFY sip:a SIP/2.0\\nEvent: x\"\n" },

	{ "End of without an open block", 0, 1, 0,
	  P1 "first\n"
	  P2 "End of Sending Packet - 10.0.0.20:443 12 bytes\n"
	  P2 "End of\n"
	  P2 "End of enumeration: 3 devices\n",
	  "E 1-1" AT1 " \"first\"\n"
	  "W 2-2 \"'End of' line without an open block\"\n"
	  "W 3-3 \"'End of' line without an open block\"\n"
	  "E 4-4" AT2 " \"End of enumeration: 3 devices\"\n" },

	{ "multi-line web-service entry (continuations start with space)",
	  0, 1, 0,
	  P1 "Executing wws method with OAuth, asyncContext=1214F6C8,\n"
	  " context: WebRequest context@ :301222784\n"
	  "  AsyncHResult:80f10041\n"
	  "  TargetUri:https://webdir.example.com/WebTicket/"
	  "WebTicketService.svc/OAuth\n"
	  " Error:\n"
	  "The server returned a trust fault: 'User is not SIP enabled'\n"
	  "\n",
	  "E 1-6" AT1 " \"Executing wws method with OAuth, "
	  "asyncContext=1214F6C8,\\n context: WebRequest context@ "
	  ":301222784\\n  AsyncHResult:80f10041\\n  TargetUri:https://"
	  "webdir.example.com/WebTicket/WebTicketService.svc/OAuth\\n "
	  "Error:\\nThe server returned a trust fault: 'User is not SIP "
	  "enabled'\"\n" },

	{ "levels and :: spacing", 0, 1, 0,
	  "01/02/2020|23:59:59.999 1:2 TRACE :: a\n"
	  "01/02/2020|23:59:59.999 1:2 VERBOSE_2   :: b\n"
	  "01/02/2020|23:59:59.999 ABCDEF01:2 WARN ::c\n"
	  "01/02/2020|23:59:59.999 1:2 INFO  ::  two spaces kept\n"
	  "01/02/2020|23:59:59.999 1:2 INFO  ::\n",
	  "E 1-1 @23:59:59.999 TRACE 1:2 \"a\"\n"
	  "E 2-2 @23:59:59.999 VERBOSE_2 1:2 \"b\"\n"
	  "E 3-3 @23:59:59.999 WARN abcdef01:2 \"c\"\n"
	  "E 4-4 @23:59:59.999 INFO 1:2 \" two spaces kept\"\n"
	  "E 5-5 @23:59:59.999 INFO 1:2 \"\"\n" },

	{ "a prefix repeated byte for byte, then with small changes", 0, 1,
	  0,
	  "01/02/2020|23:59:59.999 1:2 INFO  :: a\n"
	  "01/02/2020|23:59:59.999 1:2 INFO  ::b\n"
	  "01/02/2020|23:59:59.999 1:2 INFO  ::\n"
	  "01/02/2020|23:59:59.999 1:2 INFO  :: c\n"
	  "01/02/2020|23:59:59.999 1:3 INFO  :: d\n"
	  "01/02/2020|23:59:59.999 1:3 INFO   :: e\n"
	  "01/02/2020|23:59:59.998 1:3 INFO   :: f\n"
	  "01/02/2020|23:59:59.998 1:3 INFO   :\n"
	  "01/02/2020|23:59:59.998 1:3 INFO   :: g\n",
	  "E 1-1 @23:59:59.999 INFO 1:2 \"a\"\n"
	  "E 2-2 @23:59:59.999 INFO 1:2 \"b\"\n"
	  "E 3-3 @23:59:59.999 INFO 1:2 \"\"\n"
	  "E 4-4 @23:59:59.999 INFO 1:2 \"c\"\n"
	  "E 5-5 @23:59:59.999 INFO 1:3 \"d\"\n"
	  "E 6-6 @23:59:59.999 INFO 1:3 \"e\"\n"
	  "E 7-8 @23:59:59.998 INFO 1:3 \"f\\n01/02/2020|23:59:59.998 "
	  "1:3 INFO   :\"\n"
	  "E 9-9 @23:59:59.998 INFO 1:3 \"g\"\n" },

	{ "bad date fields: still an entry, no time", 0, 1, 0,
	  "13/45/2020|25:61:99.000 1:2 INFO  :: odd clock\n",
	  "E 1-1 @- INFO 1:2 \"odd clock\"\n" },

	{ "not prefixes: lower-case level, no ::, zero-width T", 0, 0, 0,
	  "01/02/2020|23:59:59.999 1:2 info  :: a\n"
	  "01/02/2020|23:59:59.999 1:2 INFO  : b\n"
	  "01/02/2020|23:59:59.999 :2 INFO  :: c\n"
	  "01-02-2020|23:59:59.999 1:2 INFO  :: d\n",
	  "W 1-4 \"4 lines without an entry prefix outside any entry "
	  "skipped\"\n" },

	{ "junk before the first entry, blank lines ignored", 0, 0, 0,
	  "\xef\xbb\xbfgarbage\n"
	  "\n"
	  "more garbage\n"
	  P1 "hello\n",
	  "W 1-3 \"2 lines without an entry prefix outside any entry "
	  "skipped\"\n"
	  "E 4-4" AT1 " \"hello\"\n" },

	{ "lines after an End of belong to no record", 0, 1, 0,
	  P1 "Sending Packet\n"
	  P1 "BYE sip:a SIP/2.0\n"
	  P1 "End of\n"
	  "stray 1\n"
	  "stray 2\n"
	  P2 "next\n",
	  "M 1-3" AT1 " OUT \"BYE sip:a SIP/2.0\"\n"
	  "W 4-5 \"2 lines without an entry prefix outside any entry "
	  "skipped\"\n"
	  "E 6-6" AT2 " \"next\"\n" },

	{ "NUL and control bytes are data", 0, 1, sizeof NUL_IN - 1, NUL_IN,
	  "E 1-2" AT1 " \"a\\x00b\\x01\\nc\\x00\\x00\"\n"
	  "M 3-6" AT1 " OUT \"X\\x00Y SIP/2.0\\n\\x00\"\n" },

	{ "message over max_msg: cut, consumed to its End of", 200, 1, 0,
	  P1 "Sending Packet - 10.0.0.20:443 999 bytes:\n"
	  P1 "MESSAGE sip:a SIP/2.0\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  P1 "End of Sending Packet\n"
	  P2 "after\n",
	  "M 1-7" AT1 " OUT r=10.0.0.20:443 len=999 TRUNC \"MESSAGE sip:a "
	  "SIP/2.0\\nX-Pad: 0123456789012345678901234567890123456789\\n"
	  "X-\"\n"
	  "W 1-7 \"message at line 1 over the size limit of 200 bytes: "
	  "cut\"\n"
	  "E 8-8" AT2 " \"after\"\n" },

	{ "entry over max_msg: cut in its first line", 50, 1, 0,
	  P1 "0123456789abcdefghij\n"
	  "more\n",
	  "E 1-2" AT1 " TRUNC \"0123456\"\n"
	  "W 1-2 \"entry at line 1 over the size limit of 50 bytes: "
	  "cut\"\n" },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t n = t->len ? t->len : strlen(t->in);
		char *got = run(t->in, n, t->max_msg, 1, NULL);
		if (strcmp(got, t->want) != 0)
			fprintf(stderr, "case '%s':\n got:\n%s want:\n%s",
				t->name, got, t->want);
		CHECK(strcmp(got, t->want) == 0);
		if (t->b2b) {
			/* three copies == three runs with shifted lines */
			int L = lines_in(t->in, n);
			char *three = run(t->in, n, t->max_msg, 3, NULL);
			struct out cat = { NULL, 0, 0 };
			for (int k = 0; k < 3; k++) {
				char *one = run_at(t->in, n, t->max_msg,
						   1 + (unsigned long)(k * L));
				out_str(&cat, one);
				free(one);
			}
			if (strcmp(three, cat.p) != 0)
				fprintf(stderr, "b2b '%s':\n got:\n%s want:\n"
					"%s", t->name, three, cat.p);
			CHECK(strcmp(three, cat.p) == 0);
			free(three);
			free(cat.p);
		}
		free(got);
	}
}

/* ---- sniff ---- */

static void test_sniff(void)
{
	static const char *const yes[] = {
		P1 "x",
		"04/16/2013|03:17:30.168 1F68:C14 INFO :: End of",
		"10/16/2013|08:40:18.943 2D8:1C98 INFO  :: Sending Packet",
		"01/02/2020|23:59:59.999 a:b ERROR ::",
		"01/02/2020|23:59:59.999 1:2 X ::y",
	};
	static const char *const no[] = {
		"",
		"Via: SIP/2.0/TLS 1.2.3.4",
		"01/02/2020|23:59:59.999 1:2 INFO",
		"01/02/2020|23:59:59.999 1:2 INFO  :",
		"01/02/2020 23:59:59.999 1:2 INFO  :: x",
		"01/02/2020|23:59:59.99 1:2 INFO  :: x",
		"01/02/2020|23:59:59.999 1-2 INFO  :: x",
		"01/02/2020|23:59:59.999 123456789:2 INFO  :: x",
		"01/02/2020|23:59:59.999 1:2 Info  :: x",
		"01/02/2020|23:59:59.999 1:2 INFO:: x",
		"01/02/2020|23:59:59.999 g:2 INFO  :: x",
		("TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101."
		 "00005386 (SIPStack,A::B:C.cpp(1))"),
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		int r = fmt_ucc_sniff(sv_cstr(yes[i]));
		if (!r)
			fprintf(stderr, "sniff should accept '%s'\n", yes[i]);
		CHECK(r == 1);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		int r = fmt_ucc_sniff(sv_cstr(no[i]));
		if (r)
			fprintf(stderr, "sniff should reject '%s'\n", no[i]);
		CHECK(r == 0);
	}
	/* every prefix of a valid line up to "::" is rejected */
	const char *full = P1;
	for (size_t n = 0; n + 3 < strlen(full); n++)
		CHECK(fmt_ucc_sniff(sv_make(full, n)) == 0);
}

/* ---- single-record field checks ---- */

struct grab {
	int n;
	struct fmt_rec r[8];
	char text[8][256];
};

static int grab_rec(void *ud, const struct fmt_rec *r)
{
	struct grab *g = ud;
	if (g->n < 8) {
		g->r[g->n] = *r;
		size_t n = r->text.n < 255 ? r->text.n : 255;
		memcpy(g->text[g->n], r->text.p, n);
		g->text[g->n][n] = '\0';
		g->r[g->n].text = sv_make(g->text[g->n], n);
	}
	g->n++;
	return 0;
}

static void test_fields(void)
{
	struct grab g;
	memset(&g, 0, sizeof g);
	struct fmt_sink sink = { grab_rec, &g };
	struct fmt_ucc *p = fmt_ucc_new(&sink, NULL);
	CHECK(fmt_ucc_feed(p, sv_cstr("02/29/2020|00:00:01.002 2A10:3B4C "
				      "INFO  :: hi"), 7) == 0);
	CHECK(g.n == 0); /* an entry is open until the next prefix */
	CHECK(fmt_ucc_finish(p) == 0);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.r[0].type, REC_ENTRY);
	CHECK_INT(g.r[0].ts, sfb_time_make(2020, 2, 29, 0, 0, 1, 2));
	CHECK_INT(g.r[0].tid, 0x2a10);
	CHECK_INT(g.r[0].pid, 0x3b4c);
	CHECK_INT(g.r[0].line_first, 7);
	CHECK_INT(g.r[0].line_last, 7);
	CHECK_INT(g.r[0].declared_len, -1);
	CHECK_INT(g.r[0].truncated, 0);
	CHECK_SV(g.r[0].text, "hi");
	fmt_ucc_free(p);
	fmt_ucc_free(NULL);
}

/* A non-zero on_rec stops the parser and comes back from feed. */
static int stop_rec(void *ud, const struct fmt_rec *r)
{
	(void)r;
	int *n = ud;
	(*n)++;
	return 42;
}

static void test_stop(void)
{
	int n = 0;
	struct fmt_sink sink = { stop_rec, &n };
	struct fmt_ucc *p = fmt_ucc_new(&sink, NULL);
	CHECK_INT(fmt_ucc_feed(p, sv_cstr(P1 "Sending Packet"), 1), 0);
	/* the cut block's REC_MSG stops it before the REC_WARN */
	CHECK_INT(fmt_ucc_feed(p, sv_cstr(P2 "Sending Packet"), 2), 42);
	CHECK_INT(n, 1);
	/* stopped means the line that caused it was not processed */
	CHECK_INT(fmt_ucc_finish(p), 0);
	CHECK_INT(n, 1);
	fmt_ucc_free(p);
}

/* ---- a long line and a realistic fixture ---- */

static void test_long_line(void)
{
	size_t big = 300000;
	char *in = sfb_xmalloc(big + 200);
	size_t n = 0;
	memcpy(in, P1, sizeof P1 - 1);
	n += sizeof P1 - 1;
	for (size_t i = 0; i < big; i++)
		in[n++] = (char)('a' + i % 26);
	in[n++] = '\n';
	memcpy(in + n, P2 "x\n", sizeof P2 + 1);
	n += sizeof P2 + 1;
	char *got = run(in, n, 0, 1, NULL);
	/* E 1-1 ... "abc...": its length tells the text was kept whole */
	const char *q = strchr(got, '"');
	CHECK(q != NULL);
	const char *e = q ? strchr(q + 1, '"') : NULL;
	CHECK(e != NULL && (size_t)(e - q - 1) == big);
	CHECK(strstr(got, "E 2-2" AT2 " \"x\"\n") != NULL);
	free(got);
	free(in);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0, r;
	char *b = sfb_xmalloc(cap);
	while ((r = fread(b + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap)
			b = sfb_xrealloc(b, cap *= 2);
	}
	fclose(f);
	*n = len;
	return b;
}

#define FIXTURE "testdata/unit/fmt_ucc_signin.log"

struct count {
	int n[6];
	int regs, ok200;
	int64_t last_ts;
	int ts_ok;
};

static int count_rec(void *ud, const struct fmt_rec *r)
{
	struct count *c = ud;
	c->n[(unsigned)r->type <= 4 ? r->type : 5]++;
	if (r->type == REC_MSG && sv_starts(r->text, "REGISTER "))
		c->regs++;
	if (r->type == REC_MSG && sv_starts(r->text, "SIP/2.0 200 OK"))
		c->ok200++;
	if (r->ts != SFB_TIME_NONE && r->ts < c->last_ts)
		c->ts_ok = 0;
	c->last_ts = r->ts;
	return 0;
}

static void test_fixture(void)
{
	size_t n;
	char *buf = slurp(FIXTURE, &n);
	CHECK(buf != NULL);
	if (!buf)
		return;
	struct count c;
	memset(&c, 0, sizeof c);
	c.ts_ok = 1;
	c.last_ts = INT64_MIN;
	struct fmt_sink sink = { count_rec, &c };
	struct fmt_ucc *p = fmt_ucc_new(&sink, NULL);
	struct lines L = split(buf, n, 1);
	for (size_t i = 0; i < L.n; i++)
		CHECK(fmt_ucc_feed(p, L.v[i], i + 1) == 0);
	CHECK(fmt_ucc_finish(p) == 0);
	CHECK_INT(c.n[REC_MSG], 4);
	CHECK_INT(c.n[REC_ENTRY], 6);
	CHECK_INT(c.n[REC_WARN], 0);
	CHECK_INT(c.regs, 2);
	CHECK_INT(c.ok200, 1);
	CHECK(c.ts_ok);
	fmt_ucc_free(p);

	/* the fixture through the tracing sink: raw checks, buffer reuse */
	int moved = -1;
	char *t = run(buf, n, 0, 3, &moved);
	CHECK_INT(moved, 0);
	CHECK(strstr(t, "M 51-65 @09:12:03.310 INFO 2a10:3b4c IN "
		     "r=10.0.0.20:5061 l=192.168.1.40:51234 len=1011 "
		     "\"SIP/2.0 200 OK\\nAuthentication-Info") != NULL);
	CHECK(strstr(t, "\\n\\n<roamingData xmlns=\\\"http://schemas."
		     "microsoft.com/2006/09/sip/roaming-self\\\">"
		     "</roamingData>\"\n") != NULL);
	free(t);
	free(L.v);
	free(buf);
}

/* ---- speed (only with --bench) ---- */

static int null_rec(void *ud, const struct fmt_rec *r)
{
	size_t *sum = ud;
	*sum += r->text.n + r->raw.n;
	return 0;
}

static int bench(size_t mb)
{
	size_t n;
	char *one = slurp(FIXTURE, &n);
	if (!one) {
		fprintf(stderr, "bench: cannot read %s\n", FIXTURE);
		return 1;
	}
	size_t want = mb << 20, len = 0;
	char *big = sfb_xmalloc(want + n);
	while (len < want) {
		memcpy(big + len, one, n);
		len += n;
	}
	struct lines L = split(big, len, 1);
	size_t sum = 0;
	struct fmt_sink sink = { null_rec, &sum };
	struct fmt_ucc *p = fmt_ucc_new(&sink, NULL);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < L.n; i++)
		if (fmt_ucc_feed(p, L.v[i], i + 1))
			return 1;
	if (fmt_ucc_finish(p))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) +
		   (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("fmt_ucc: %.1f MB in %.3f s: %.0f MB/s, %.1f M lines/s "
	       "(checksum %zu)\n", (double)len / 1e6, s,
	       (double)len / 1e6 / s, (double)L.n / 1e6 / s, sum);
	fmt_ucc_free(p);
	free(L.v);
	free(big);
	free(one);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		uint64_t mb = 256;
		if (argc > 2 && !sv_to_u64(sv_cstr(argv[2]), &mb))
			return 2;
		return bench((size_t)mb);
	}
	test_sniff();
	test_table();
	test_fields();
	test_stop();
	test_long_line();
	test_fixture();
	return CHECK_DONE("unit_fmt_ucc");
}
