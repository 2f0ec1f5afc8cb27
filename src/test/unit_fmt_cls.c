/* SPDX-License-Identifier: MIT */
/*
 * unit_fmt_cls.c -- unit tests of the server-trace parser
 * (parsers/fmt_cls.c): each case is fed line by line and the records
 * are serialised into a trace (type, line range, time, the header
 * fields, the protocol and diagnostic fields, text with '\n' escaped)
 * compared with the expected string; cases that start with a header
 * line are also fed three times back to back.  Every record's raw view
 * is checked against the physical lines it claims.
 */
#include <stdarg.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* " name=<escaped v>" when v is not empty */
static void out_field(struct out *o, const char *name, struct sv v)
{
	if (!v.n)
		return;
	out_fmt(o, " %s=", name);
	out_esc(o, v);
}

/* ---- the input split into lines ---- */

struct lines {
	struct sv *v;
	size_t n;
	unsigned long base;
};

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

/* ---- the trace sink ---- */

struct ctx {
	struct out out;
	const struct lines *in;
	size_t max;
};

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
	CHECK(r->raw.n <= c->max);
	CHECK(r->text.n <= c->max);
}

static int on_rec(void *ud, const struct fmt_rec *r)
{
	struct ctx *c = ud;
	struct out *o = &c->out;
	static const char *const tn[] = { "?", "E", "M", "D", "W" };
	check_raw(c, r);
	out_fmt(o, "%s %lu-%lu", tn[(unsigned)r->type <= 4 ? r->type : 0],
		r->line_first, r->line_last);
	if (r->type != REC_WARN) {
		char t[32];
		if (r->ts == SFB_TIME_NONE)
			out_str(o, " @-");
		else
			out_fmt(o, " @%s", sfb_time_fmt(r->ts, t, sizeof t));
		out_fmt(o, " %.*s(%.*s)[%.*s]%x.%x#%x", (int)r->level.n,
			r->level.p, (int)r->flag.n, r->flag.p,
			(int)r->server.n, r->server.p, r->cls_pid,
			r->cls_tid, r->seq);
		if (r->component.n || r->function.n)
			out_fmt(o, " %.*s,%.*s:%.*s(%u)",
				(int)r->component.n, r->component.p,
				(int)r->function.n, r->function.p,
				(int)r->src_file.n, r->src_file.p,
				r->src_line);
		out_field(o, "id", r->record_id);
	}
	if (r->dir != DIR_UNKNOWN)
		out_str(o, r->dir == DIR_OUT ? " OUT" : " IN");
	out_field(o, "src", r->dir_source);
	out_field(o, "dst", r->dir_dest);
	out_field(o, "corr", r->corr_id);
	out_field(o, "inst", r->instance_id);
	out_field(o, "peer", r->peer);
	out_field(o, "mt", r->msg_type);
	out_field(o, "sev", r->severity);
	out_field(o, "dt", r->diag_text);
	if (r->result_code)
		out_fmt(o, " rc=0x%llx", (unsigned long long)r->result_code);
	out_field(o, "rn", r->result_name);
	out_field(o, "sl", r->sip_start_line);
	out_field(o, "cid", r->sip_call_id);
	out_field(o, "cseq", r->sip_cseq);
	for (size_t i = 0; i < r->ndata; i++) {
		out_fmt(o, " kv%zu=", i);
		out_esc(o, r->data[i].key);
		out_str(o, ":");
		out_esc(o, r->data[i].val);
	}
	if (r->type == REC_MSG)
		CHECK(sv_eq(r->remote, r->peer));
	if (r->truncated)
		out_str(o, " TRUNC");
	out_str(o, " ");
	out_esc(o, r->text);
	out_str(o, "\n");
	return 0;
}

static char *run_lines(const struct lines *L, size_t max_msg)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.in = L;
	c.max = max_msg ? max_msg : SFB_MAX_MSG;
	struct fmt_sink sink = { on_rec, &c };
	struct fmt_limits lim = { max_msg };
	struct fmt_cls *p = fmt_cls_new(&sink, &lim);
	for (size_t i = 0; i < L->n; i++)
		CHECK(fmt_cls_feed(p, L->v[i], L->base + i) == 0);
	CHECK(fmt_cls_finish(p) == 0);
	fmt_cls_free(p);
	if (!c.out.p)
		out_str(&c.out, "");
	return c.out.p;
}

/* @return the trace of in fed `copies` times in a row (caller frees) */
static char *run(const char *in, size_t max_msg, int copies,
		 unsigned long base)
{
	struct lines one = split(in, strlen(in), base);
	struct lines all = { NULL, 0, base };
	all.v = sfb_xmalloc((one.n * (size_t)copies + 1) * sizeof *all.v);
	for (int k = 0; k < copies; k++)
		for (size_t i = 0; i < one.n; i++)
			all.v[all.n++] = one.v[i];
	char *t = run_lines(&all, max_msg);
	free(one.v);
	free(all.v);
	return t;
}

/* ---- the table ---- */

#define H_PROTO "TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101" \
	".00005386 (SIPStack,SIPAdminLog::TraceProtocolRecord:" \
	"SIPAdminLog.cpp(125))"
#define T_PROTO " @2012-01-18T05:00:43.101 TL_INFO(TF_PROTOCOL)[]6e4.eb4" \
	"#5386 SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125)"

struct tcase {
	const char *name;
	size_t max_msg;
	int b2b;
	const char *in;
	const char *want;
};

static const struct tcase cases[] = {
	{ "OCS 2007 R2 protocol record, $$begin_record glued", 0, 1,
	  H_PROTO "$$begin_record\n"
	  "Trace-Correlation-Id: 2003888399\n"
	  "Instance-Id: 0000C23F\n"
	  "Direction: incoming;source=\"internal edge\";"
	  "destination=\"external edge\"\n"
	  "Peer: pool.contoso.com:61182\n"
	  "Message-Type: request\n"
	  "Start-Line: OPTIONS sip:probe@fabrikam.com SIP/2.0\n"
	  "To: <sip:probe@fabrikam.com>\n"
	  "CSeq: 1 OPTIONS\n"
	  "MAX-FORWARDS: 70\n"
	  "VIA: SIP/2.0/TLS 10.1.1.1:61182;branch=z9hG4bK6d\n"
	  "CONTENT-LENGTH: 0\n"
	  "Message-Body: -\n"
	  "$$end_record\n",
	  "M 1-14" T_PROTO " IN src=\"internal edge\" dst=\"external edge\""
	  " corr=\"2003888399\" inst=\"0000C23F\" "
	  "peer=\"pool.contoso.com:61182\" mt=\"request\" "
	  "\"OPTIONS sip:probe@fabrikam.com SIP/2.0\\nTo: "
	  "<sip:probe@fabrikam.com>\\nCSeq: 1 OPTIONS\\nMAX-FORWARDS: 70\\n"
	  "VIA: SIP/2.0/TLS 10.1.1.1:61182;branch=z9hG4bK6d\\n"
	  "CONTENT-LENGTH: 0\"\n" },

	{ "empty line inside the headers, Content-Length 0: kept", 0, 1,
	  H_PROTO " $$begin_record\n"
	  "Message-Type: request\n"
	  "Start-Line: REGISTER sip:contoso.com SIP/2.0\n"
	  "Authorization: TLS-DSK qop=\"auth\", cnum=\"85\",\n"
	  "\n"
	  "response=\"0a1b\"\n"
	  "Content-Length: 0\n"
	  "Message-Body: -\n"
	  "$$end_record\n",
	  "M 1-9" T_PROTO " mt=\"request\" \"REGISTER sip:contoso.com "
	  "SIP/2.0\\nAuthorization: TLS-DSK qop=\\\"auth\\\", cnum="
	  "\\\"85\\\",\\n response=\\\"0a1b\\\"\\n"
	  "Content-Length: 0\"\n"
	  "W 5-5 \"empty line inside the headers of the message at line 1: "
	  "the line after it kept as a header continuation (no body)\"\n" },

	{ "empty line inside the headers, a body announced: body", 0, 1,
	  H_PROTO " $$begin_record\n"
	  "Message-Type: request\n"
	  "Start-Line: MESSAGE sip:bob@contoso.com SIP/2.0\n"
	  "Content-Length: 5\n"
	  "\n"
	  "hello\n"
	  "$$end_record\n",
	  "M 1-7" T_PROTO " mt=\"request\" \"MESSAGE sip:bob@contoso.com "
	  "SIP/2.0\\nContent-Length: 5\\n\\nhello\"\n" },

	{ "SfB TF_DIAG: [id] $$begin_record, Result-Code glued to Text",
	  0, 1,
	  "TL_WARN(TF_DIAG) [sfvedge\\sfvedge]0584.0A44::03/02/2017-"
	  "07:10:46.230.0000773E (SIPStack,SIPAdminLog::WriteDiagnosticEvent"
	  ":SIPAdminLog.cpp(830)) [156659184] $$begin_record\n"
	  "Severity: warning\n"
	  "Text: The domain resolved by DNS SRV but none of the FQDNs "
	  "matched Result-Code: 0xc3e93d6f SIPPROXY_E_NO_SRV_MATCH\n"
	  "SIP-Start-Line: INVITE sip:bob@example.org SIP/2.0\n"
	  "SIP-Call-ID: f1b3ad5d\n"
	  "SIP-CSeq: 2066245576 INVITE\n"
	  "Peer: gw.example.org:25002\n"
	  "Data: domain =\" example.org \"; fqdn1 =\" gw.example.org "
	  ":5061\";bare; info=\"a;b\"\n"
	  "$$end_record\n",
	  "D 1-9 @2017-03-02T07:10:46.230 TL_WARN(TF_DIAG)"
	  "[sfvedge\\sfvedge]584.a44#773e SIPStack,SIPAdminLog::"
	  "WriteDiagnosticEvent:SIPAdminLog.cpp(830) id=\"156659184\" "
	  "peer=\"gw.example.org:25002\" sev=\"warning\" dt=\"The domain "
	  "resolved by DNS SRV but none of the FQDNs matched\" "
	  "rc=0xc3e93d6f rn=\"SIPPROXY_E_NO_SRV_MATCH\" "
	  "sl=\"INVITE sip:bob@example.org SIP/2.0\" cid=\"f1b3ad5d\" "
	  "cseq=\"2066245576 INVITE\" kv0=\"domain\":\"example.org\" "
	  "kv1=\"fqdn1\":\"gw.example.org :5061\" kv2=\"bare\":\"\" "
	  "kv3=\"info\":\"a;b\" \"\"\n" },

	{ "TF_COMPONENT free text then a LogType: diagnostic body", 0, 1,
	  "TL_ERROR(TF_COMPONENT) [0]0860.0CDC::01/18/2012-05:07:42.622."
	  "000d0b31 (SIPStack,CSIPRequest::GetNextHopByRouteHeader:"
	  "SIPRequest.cpp(2440))( 00000000028FDD70 ) Exit - route headers "
	  "from untrusted source. Result 0xC3E93C5E(SIPPROXY_E_ROUTING)\n"
	  "LogType: diagnostic\n"
	  "Severity: warning\n"
	  "Text: Cannot process Route headers\n"
	  "Result-Code: 0xc3e93c5e SIPPROXY_E_ROUTING\n"
	  "SIP-Start-Line: OPTIONS sip:x@y SIP/2.0\n"
	  "SIP-Call-ID: c00b\n"
	  "SIP-CSeq: 1 OPTIONS\n"
	  "$$end_record\n",
	  "D 1-9 @2012-01-18T05:07:42.622 TL_ERROR(TF_COMPONENT)[]860.cdc"
	  "#d0b31 SIPStack,CSIPRequest::GetNextHopByRouteHeader:"
	  "SIPRequest.cpp(2440) sev=\"warning\" dt=\"Cannot process Route "
	  "headers\" rc=0xc3e93c5e rn=\"SIPPROXY_E_ROUTING\" "
	  "sl=\"OPTIONS sip:x@y SIP/2.0\" cid=\"c00b\" cseq=\"1 OPTIONS\" "
	  "\"( 00000000028FDD70 ) Exit - route headers from untrusted "
	  "source. Result 0xC3E93C5E(SIPPROXY_E_ROUTING)\"\n" },

	{ "keys in any case, body on several lines", 0, 1,
	  H_PROTO " $$begin_record\n"
	  "trace-correlation-id: 7\n"
	  "DIRECTION: OUTGOING;SOURCE=\"a\";Destination=\"b\"\n"
	  "PEER: 10.0.0.9:5061\n"
	  "message-type: request\n"
	  "start-line: MESSAGE sip:b@c SIP/2.0\n"
	  "content-type: text/plain\n"
	  "CONTENT-LENGTH: 11\n"
	  "MESSAGE-BODY: hello\n"
	  "world\n"
	  "\n"
	  "$$END_RECORD\n"
	  "$$end_record\n",
	  "M 1-13" T_PROTO " OUT src=\"a\" dst=\"b\" corr=\"7\" "
	  "peer=\"10.0.0.9:5061\" mt=\"request\" \"MESSAGE sip:b@c "
	  "SIP/2.0\\ncontent-type: text/plain\\nCONTENT-LENGTH: 11\\n\\n"
	  "hello\\nworld\\n\\n$$END_RECORD\"\n" },

	{ "record without $$end_record closed by the next header", 0, 1,
	  H_PROTO "$$begin_record\n"
	  "Message-Type: response\n"
	  "Start-Line: SIP/2.0 200 OK\n"
	  "CSeq: 1 OPTIONS\n"
	  "\n"
	  H_PROTO "Connection closed\n",
	  "M 1-4" T_PROTO " mt=\"response\" TRUNC \"SIP/2.0 200 OK\\n"
	  "CSeq: 1 OPTIONS\"\n"
	  "W 1-4 \"record opened at line 1 cut short: no '$$end_record' "
	  "line\"\n"
	  "E 6-6" T_PROTO " \"Connection closed\"\n" },

	{ "record without $$end_record cut at the end of input", 0, 1,
	  H_PROTO " [9] $$begin_record\n"
	  "Severity: error\n",
	  "D 1-2" T_PROTO " id=\"9\" sev=\"error\" TRUNC \"\"\n"
	  "W 1-2 \"record opened at line 1 cut short: no '$$end_record' "
	  "line\"\n" },

	{ "junk before, between and after records", 0, 0,
	  "Search-CsClsLogging output\n"
	  "\n"
	  "=====\n"
	  H_PROTO "first\n"
	  H_PROTO "$$begin_record\n"
	  "$$end_record\n"
	  "\n"
	  "stray\n"
	  "$$end_record\n"
	  H_PROTO "last\n",
	  "W 1-3 \"2 lines outside any record skipped\"\n"
	  "E 4-4" T_PROTO " \"first\"\n"
	  "E 5-6" T_PROTO " \"\"\n"
	  "W 8-9 \"2 lines outside any record skipped\"\n"
	  "E 10-10" T_PROTO " \"last\"\n" },

	{ "two hops of the same message", 0, 1,
	  H_PROTO "$$begin_record\n"
	  "Direction: incoming;source=\"external edge\";"
	  "destination=\"internal edge\"\n"
	  "Start-Line: REGISTER sip:contoso.com SIP/2.0\n"
	  "CALL-ID: 42\n"
	  "Message-Body: -\n"
	  "$$end_record\n"
	  "TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.102"
	  ".00005387 (SIPStack,SIPAdminLog::TraceProtocolRecord:"
	  "SIPAdminLog.cpp(125))$$begin_record\n"
	  "Direction: outgoing;source=\"external edge\";"
	  "destination=\"internal edge\"\n"
	  "Start-Line: REGISTER sip:contoso.com SIP/2.0\n"
	  "CALL-ID: 42\n"
	  "Message-Body: -\n"
	  "$$end_record\n",
	  "M 1-6" T_PROTO " IN src=\"external edge\" dst=\"internal edge\" "
	  "\"REGISTER sip:contoso.com SIP/2.0\\nCALL-ID: 42\"\n"
	  "M 7-12 @2012-01-18T05:00:43.102 TL_INFO(TF_PROTOCOL)[]6e4.eb4"
	  "#5387 SIPStack,SIPAdminLog::TraceProtocolRecord:"
	  "SIPAdminLog.cpp(125) OUT src=\"external edge\" "
	  "dst=\"internal edge\" \"REGISTER sip:contoso.com SIP/2.0\\n"
	  "CALL-ID: 42\"\n" },

	{ "HTTP record without Start-Line: the body is the message", 0, 1,
	  H_PROTO "$$begin_record\n"
	  "Message-Type: request\n"
	  "Message-Body: GET /WebTicket/WebTicketService.svc HTTP/1.1\n"
	  "Host: fe01.contoso.com\n"
	  "$$end_record\n",
	  "M 1-5" T_PROTO " mt=\"request\" \"GET /WebTicket/"
	  "WebTicketService.svc HTTP/1.1\\nHost: fe01.contoso.com\"\n" },

	{ "header without a source part, body lines without begin", 0, 1,
	  "TL_VERBOSE(TF_X_1) [srv]0001.0002::12/31/2020-23:59:59.999."
	  "FFFFFFFF free text here\n"
	  "some body line\n"
	  "TL_FATAL(TF_SECURITY) [0]12345.0002::01/01/2021-00:00:00.000."
	  "00000001   \n",
	  "E 1-2 @2020-12-31T23:59:59.999 TL_VERBOSE(TF_X_1)[srv]1.2"
	  "#ffffffff \"free text here\"\n"
	  "E 3-3 @2021-01-01T00:00:00.000 TL_FATAL(TF_SECURITY)[]12345.2"
	  "#1 \"\"\n" },

	{ "odd source parts, result codes, a lone $$begin_record", 0, 1,
	  "TL_INFO(TF_A) [0]1.2::01/01/2021-00:00:00.000.1 (NoComma) x\n"
	  "TL_INFO(TF_A) [0]1.2::01/01/2021-00:00:00.000.2 (C,F:f.cpp(x)) y\n"
	  "TL_INFO(TF_A) [0]1.2::01/01/2021-00:00:00.000.3 (C,F.cpp(1)) z\n"
	  "TL_INFO(TF_A) [0]1.2::01/01/2021-00:00:00.000.4 (C,F:f.cpp(1)\n"
	  "TL_INFO(TF_A) [0]1.2::00/01/2021-00:00:00.000.5 (C,F:f.cpp(1))\n"
	  "$$begin_record\n"
	  "Result-Code: 0XC3E93C5E(SIPPROXY_E_ROUTING)\n"
	  "$$end_record\n"
	  "TL_INFO(TF_A) [0]1.2::01/01/2021-00:00:00.000.6 [x] "
	  "$$begin_record\n"
	  "Severity: info\n"
	  "Result-Code: unknown\n"
	  "Data: ;; a\n",
	  "E 1-1 @2021-01-01T00:00:00.000 TL_INFO(TF_A)[]1.2#1 "
	  "\"(NoComma) x\"\n"
	  "E 2-2 @2021-01-01T00:00:00.000 TL_INFO(TF_A)[]1.2#2 "
	  "\"(C,F:f.cpp(x)) y\"\n"
	  "E 3-3 @2021-01-01T00:00:00.000 TL_INFO(TF_A)[]1.2#3 "
	  "\"(C,F.cpp(1)) z\"\n"
	  "E 4-4 @2021-01-01T00:00:00.000 TL_INFO(TF_A)[]1.2#4 "
	  "\"(C,F:f.cpp(1)\"\n"
	  "D 5-8 @- TL_INFO(TF_A)[]1.2#5 C,F:f.cpp(1) rc=0xc3e93c5e "
	  "rn=\"SIPPROXY_E_ROUTING\" \"\"\n"
	  "D 9-12 @2021-01-01T00:00:00.000 TL_INFO(TF_A)[]1.2#6 "
	  "sev=\"info\" rn=\"unknown\" kv0=\"a\":\"\" TRUNC \"[x]\"\n"
	  "W 9-12 \"record opened at line 9 cut short: no '$$end_record' "
	  "line\"\n" },

	{ "record over max_msg: cut, consumed to $$end_record", 300, 1,
	  H_PROTO "$$begin_record\n"
	  "Start-Line: NOTIFY sip:a SIP/2.0\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  "X-Pad: 0123456789012345678901234567890123456789\n"
	  "Peer: late.example.org\n"
	  "$$end_record\n"
	  H_PROTO "after\n",
	  "M 1-7" T_PROTO " TRUNC \"NOTIFY sip:a SIP/2.0\\nX-Pad: "
	  "0123456789012345678901234567890123456789\\nX-Pad: "
	  "0123456789012345678901234567890123456789\"\n"
	  "W 1-7 \"record at line 1 over the size limit of 300 bytes: "
	  "cut\"\n"
	  "E 8-8" T_PROTO " \"after\"\n" },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		char *got = run(t->in, t->max_msg, 1, 1);
		if (strcmp(got, t->want) != 0)
			fprintf(stderr, "case '%s':\n got:\n%s want:\n%s",
				t->name, got, t->want);
		CHECK(strcmp(got, t->want) == 0);
		if (t->b2b) {
			struct lines L = split(t->in, strlen(t->in), 1);
			unsigned long nl = (unsigned long)L.n;
			free(L.v);
			char *three = run(t->in, t->max_msg, 3, 1);
			struct out cat = { NULL, 0, 0 };
			for (unsigned long k = 0; k < 3; k++) {
				char *one = run(t->in, t->max_msg, 1,
						1 + k * nl);
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
		H_PROTO,
		H_PROTO "$$begin_record",
		"TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101."
		"00005386",
		"TL_WARN(TF_DIAG) [a\\b]0584.0A44::03/02/2017-07:10:46.230."
		"0000773e (SIPStack,X::Y:Z.cpp(1)) [1] $$begin_record",
		"A(B) [0]1.2::01/02/2003-04:05:06.007.8 x",
	};
	static const char *const no[] = {
		"",
		"Start-Line: INVITE sip:a SIP/2.0",
		"tl_info(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101."
		"00005386",
		"TL_INFO(TF_PROTOCOL)[]06E4.0EB4::01/18/2012-05:00:43.101."
		"00005386",
		"TL_INFO(TF_PROTOCOL) 06E4.0EB4::01/18/2012-05:00:43.101."
		"00005386",
		"TL_INFO(TF_PROTOCOL) [0]06E4.0EB4:01/18/2012-05:00:43.101."
		"00005386",
		"TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012 05:00:43.101."
		"00005386",
		"TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101.",
		"TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101"
		" 00005386",
		"TL_INFO(TF_PROTOCOL) [0]0G.0EB4::01/18/2012-05:00:43.101."
		"00005386",
		"TL_INFO(TF_PROTOCOL) [0 06E4.0EB4::01/18/2012-05:00:43.101."
		"00005386",
		"01/15/2021|09:12:03.101 2A10:3B4C INFO  :: x",
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		int r = fmt_cls_sniff(sv_cstr(yes[i]));
		if (!r)
			fprintf(stderr, "sniff should accept '%s'\n", yes[i]);
		CHECK(r == 1);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		int r = fmt_cls_sniff(sv_cstr(no[i]));
		if (r)
			fprintf(stderr, "sniff should reject '%s'\n", no[i]);
		CHECK(r == 0);
	}
	const char *full = "TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-"
			   "05:00:43.101.00005386";
	for (size_t n = 0; n < strlen(full) - 8; n++)
		CHECK(fmt_cls_sniff(sv_make(full, n)) == 0);
}

/* ---- Data: pairs beyond SFB_MAX_KV are dropped ---- */

struct kvgrab {
	size_t ndata;
	int type;
	char last_key[16];
};

static int kv_rec(void *ud, const struct fmt_rec *r)
{
	struct kvgrab *g = ud;
	g->ndata = r->ndata;
	g->type = (int)r->type;
	if (r->ndata) {
		struct sv k = r->data[r->ndata - 1].key;
		size_t n = k.n < 15 ? k.n : 15;
		memcpy(g->last_key, k.p, n);
		g->last_key[n] = '\0';
	}
	return 0;
}

static void test_many_kv(void)
{
	struct out data = { NULL, 0, 0 };
	out_str(&data, "Data: ");
	for (int i = 0; i < SFB_MAX_KV + 10; i++)
		out_fmt(&data, "k%d=\"v\"; ", i);
	struct kvgrab g;
	memset(&g, 0, sizeof g);
	struct fmt_sink sink = { kv_rec, &g };
	struct fmt_cls *p = fmt_cls_new(&sink, NULL);
	CHECK(fmt_cls_feed(p, sv_cstr(H_PROTO "$$begin_record"), 1) == 0);
	CHECK(fmt_cls_feed(p, sv_cstr("Severity: error"), 2) == 0);
	CHECK(fmt_cls_feed(p, sv_make(data.p, data.n), 3) == 0);
	CHECK(fmt_cls_feed(p, sv_cstr("$$end_record"), 4) == 0);
	CHECK_INT(g.type, REC_DIAG);
	CHECK_INT(g.ndata, SFB_MAX_KV);
	char want[16];
	snprintf(want, sizeof want, "k%d", SFB_MAX_KV - 1);
	CHECK(strcmp(g.last_key, want) == 0);
	CHECK(fmt_cls_finish(p) == 0);
	fmt_cls_free(p);
	fmt_cls_free(NULL);
	free(data.p);
}

/* A non-zero on_rec stops the parser and comes back from feed. */
static int stop_rec(void *ud, const struct fmt_rec *r)
{
	(void)r;
	int *n = ud;
	(*n)++;
	return 9;
}

static void test_stop(void)
{
	int n = 0;
	struct fmt_sink sink = { stop_rec, &n };
	struct fmt_cls *p = fmt_cls_new(&sink, NULL);
	CHECK_INT(fmt_cls_feed(p, sv_cstr(H_PROTO "a"), 1), 0);
	CHECK_INT(fmt_cls_feed(p, sv_cstr(H_PROTO "b"), 2), 9);
	CHECK_INT(n, 1);
	CHECK_INT(fmt_cls_finish(p), 0);
	CHECK_INT(n, 1);
	fmt_cls_free(p);
}

/* ---- the fixture: a merged Edge / Front End trace ---- */

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

static void test_fixture(void)
{
	size_t n;
	char *buf = slurp("testdata/unit/fmt_cls_edge.log", &n);
	CHECK(buf != NULL);
	if (!buf)
		return;
	struct lines L = split(buf, n, 1);
	char *t = run_lines(&L, 0);
	int nrec[5] = { 0 };
	for (const char *q = t; *q; q = strchr(q, '\n') + 1) {
		const char *types = "?EMDW";
		const char *k = strchr(types, *q);
		nrec[k ? k - types : 0]++;
	}
	CHECK_INT(nrec[REC_WARN], 1);
	CHECK_INT(nrec[REC_MSG], 3);
	CHECK_INT(nrec[REC_DIAG], 2);
	CHECK_INT(nrec[REC_ENTRY], 1);
	CHECK(strncmp(t, "W 1-2 \"2 lines outside any record skipped\"\n",
		      43) == 0);
	CHECK(strstr(t, "M 22-39 @2021-01-15T09:12:03.121 ") != NULL);
	CHECK(strstr(t, " OUT src=\"external edge\" dst=\"internal edge\" "
		     "corr=\"1234567890\" inst=\"00000A02\" "
		     "peer=\"fe01.contoso.com:5061\" mt=\"request\" "
		     "\"REGISTER sip:contoso.com SIP/2.0\\nFROM:") != NULL);
	CHECK(strstr(t, "rc=0xc3e93d67 rn=\"SIPPROXY_E_ROUTING_MSG_CERT_"
		     "MISMATCH\"") != NULL);
	CHECK(strstr(t, "kv1=\"certName\":\"edge.fabrikam.net\"") != NULL);
	CHECK(strstr(t, "E 61-61 @2021-01-15T09:12:04.100 ") != NULL);
	CHECK(strstr(t, "mt=\"response\" \"HTTP/1.1 401 Unauthorized\\n"
		     "Content-Type: text/html\\nX-Ms-diagnostics: 28032;"
		     "source=\\\"fe01.contoso.com\\\";reason=\\\"The web "
		     "ticket is invalid.\\\";faultcode=\\\"wsse:"
		     "InvalidSecurityToken\\\"\\nContent-Length: 11\\n\\n"
		     "<html>\\n</html>\"\n") != NULL);
	free(t);
	free(L.v);
	free(buf);
}

/* Every record key is found, in any case, and SIP headers are not. */
static int no_rec(void *ud, const struct fmt_rec *r)
{
	(void)ud;
	(void)r;
	return 0;
}

static void test_keys(void)
{
	static const char *const keys[] = {
		"Trace-Correlation-Id", "Instance-Id", "Direction", "Peer",
		"Message-Type", "LogType", "Severity", "Text", "Result-Code",
		"SIP-Start-Line", "SIP-Call-ID", "SIP-CSeq", "Data",
		"Start-Line", "Message-Body"
	};
	static const char *const not_keys[] = {
		"From", "CSeq", "Call-ID", "Contact", "Content-Length",
		"Max-Forwards", "Peers", "Dat", "", "Trace-Correlation-Idx",
		"Message-Bodies", "Start_Line"
	};
	enum { N = sizeof keys / sizeof keys[0] };
	struct fmt_sink sink = { no_rec, NULL };
	struct fmt_cls *p = fmt_cls_new(&sink, NULL);
	int seen[N];
	for (size_t i = 0; i < N; i++) {
		char up[64], low[64];
		size_t n = strlen(keys[i]);
		for (size_t j = 0; j <= n; j++) {
			up[j] = (char)toupper((unsigned char)keys[i][j]);
			low[j] = (char)tolower((unsigned char)keys[i][j]);
		}
		seen[i] = fmt_cls_key(p, sv_cstr(keys[i]));
		CHECK(seen[i] >= 0);
		CHECK_INT(fmt_cls_key(p, sv_cstr(up)), seen[i]);
		CHECK_INT(fmt_cls_key(p, sv_cstr(low)), seen[i]);
		for (size_t j = 0; j < i; j++)
			CHECK(seen[j] != seen[i]);
	}
	for (size_t i = 0; i < sizeof not_keys / sizeof not_keys[0]; i++)
		CHECK_INT(fmt_cls_key(p, sv_cstr(not_keys[i])), -1);
	/* an empty key, also with no bytes at all behind it (review) */
	CHECK_INT(fmt_cls_key(p, SV_NULL), -1);
	CHECK_INT(fmt_cls_key(p, sv_make("", 0)), -1);
	fmt_cls_free(p);
}

int main(void)
{
	test_keys();
	test_sniff();
	test_table();
	test_many_kv();
	test_stop();
	test_fixture();
	return CHECK_DONE("unit_fmt_cls");
}
