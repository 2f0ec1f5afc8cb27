/* SPDX-License-Identifier: MIT */
/*
 * unit_redact.c -- unit tests of the redacted copy (redact.c): one
 * message rewritten (auth parameters, cookies, tickets, IM bodies, XML
 * tokens) with its Content-Length moved by what changed; client-log
 * blocks with both byte counts fixed; CLS records; blocks cut short or
 * too big; lines over the limit.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pseudo.h"
#include "redact.h"
#include "sv.h"

struct cap {
	struct pseudo_buf out;
	int nwarn;
	unsigned long warn_line;
};

static int cap_write(void *ud, const char *p, size_t n)
{
	pseudo_buf_add(&((struct cap *)ud)->out, p, n);
	return 0;
}

static void cap_warn(void *ud, unsigned long line, const char *msg)
{
	struct cap *c = ud;
	(void)msg;
	c->nwarn++;
	c->warn_line = line;
}

/* Redact the lines of text (joined with '\n') into c->out. */
static void run(struct pseudo *ps, const char *text, size_t max_msg,
		struct cap *c)
{
	struct redact_sink s = { cap_write, cap_warn, c };
	struct redact *r = redact_new(ps, &s, max_msg);
	struct sv v = sv_cstr(text), line;
	unsigned long no = 0;
	while (v.n) {
		sv_split(&v, '\n', &line);
		CHECK_INT(redact_feed(r, line, ++no), 0);
	}
	CHECK_INT(redact_finish(r), 0);
	CHECK_INT(redact_stats(r)->lines, no);
	redact_free(r);
}

static int has(const struct pseudo_buf *b, const char *s)
{
	return b->p && strstr(b->p, s) != NULL;
}

static void test_message(void)
{
	struct pseudo *ps = pseudo_new();
	struct redact_stats st = { 0 };
	struct pseudo_buf o = { 0 };
	const char *m =
		"MESSAGE sip:bob@contoso.com SIP/2.0\n"
		"From: \"Alice Wood\"<sip:alice@contoso.com>;tag=1\n"
		"Proxy-Authorization: TLS-DSK qop=\"auth\", opaque=\"480D5C21\""
		", crand=\"583dfb62\", cnum=\"58\", response=\"8ffcac21\"\n"
		"Content-Type: text/plain; charset=UTF-8\n"
		"Content-Length: 31\n"
		"\n"
		"Sure, call me in two minutes.\n";
	long long d = redact_message(ps, sv_cstr(m), &o, &st);
	CHECK(has(&o, "MESSAGE sip:user1@domain1.example SIP/2.0\n"));
	CHECK(has(&o, "\"Person 1\"<sip:user2@domain1.example>"));
	CHECK(has(&o, "TLS-DSK qop=\"auth\", opaque=\"REDACTED\", "
		  "crand=\"REDACTED\", cnum=\"58\", response=\"REDACTED\""));
	CHECK(has(&o, "\n\n[IM text removed]\n"));
	CHECK(!has(&o, "minutes"));
	/* body 29 -> 17 bytes: Content-Length 31 -> 19 */
	CHECK(has(&o, "Content-Length: 19\n"));
	CHECK_INT(st.im_bodies, 1);
	CHECK_INT(st.secrets, 3);
	CHECK_INT(st.lengths, 1);
	CHECK_INT(d, (long long)o.n + 8 - ((long long)strlen(m) + 8));

	/* NTLM token68, cookies, web ticket, token XML; a body that does
	 * not change keeps its Content-Length */
	o.n = 0;
	const char *h =
		"POST /WebTicket/WebTicketService.svc HTTP/1.1\n"
		"Authorization: NTLM TlRMTVNTUAABAAAAl4II4gAAAAAAAAAA==\n"
		"Cookie: a=secret1; b=secret2\n"
		"Set-Cookie: s=abc123; Path=/; Domain=contoso.com\n"
		"X-MS-WebTicket: opaque=Zm9vYmFy\n"
		"WWW-Authenticate: Negotiate\n"
		"Content-Length: 40\n"
		"\n"
		"<a><UserToken Id=\"1\">secretvalue</UserToken></a>";
	redact_message(ps, sv_cstr(h), &o, &st);
	CHECK(has(&o, "Authorization: NTLM REDACTED\n"));
	CHECK(has(&o, "Cookie: a=REDACTED; b=REDACTED\n"));
	CHECK(has(&o, "Set-Cookie: s=REDACTED; Path=/; "
		  "Domain=domain1.example\n"));
	CHECK(has(&o, "X-MS-WebTicket: opaque=REDACTED\n"));
	CHECK(has(&o, "WWW-Authenticate: Negotiate\n"));
	CHECK(has(&o, "<UserToken Id=\"1\">REDACTED</UserToken>"));
	CHECK(has(&o, "Content-Length: 37\n"));  /* 11 -> 8 bytes */
	o.n = 0;
	redact_message(ps, sv_cstr("NOTIFY sip:a@b.com SIP/2.0\n\n"
		"<c><displayName>Alice Wood</displayName></c>"), &o, &st);
	CHECK(has(&o, "<c><displayName>Person 1</displayName></c>"));

	/* an unquoted display name */
	o.n = 0;
	redact_message(ps, sv_cstr("BYE sip:x@contoso.com SIP/2.0\n"
				   "f: Bob Smith <sip:bob@contoso.com>;tag=1\n"
				   "To: \"Bob Smith\" <sip:bob@contoso.com>\n"),
		       &o, &st);
	CHECK(has(&o, "f: Person 2 <sip:user1@domain1.example>;tag=1\n"
		  "To: \"Person 2\" <sip:user1@domain1.example>\n"));

	/* an INVITE with the first IM beside the SDP */
	o.n = 0;
	const char *inv =
		"INVITE sip:bob@contoso.com SIP/2.0\n"
		"Content-Type: multipart/alternative;boundary=\"XB1\"\n"
		"Content-Length: 151\n"
		"\n"
		"--XB1\n"
		"Content-Type: text/plain\n"
		"\n"
		"secret plan, line one\n"
		"line two\n"
		"--XB1\n"
		"Content-Type: application/sdp\n"
		"\n"
		"c=IN IP4 10.9.9.9\n"
		"--XB1--";
	long long d2 = redact_message(ps, sv_cstr(inv), &o, &st);
	CHECK(has(&o, "\n--XB1\nContent-Type: text/plain\n\n"
		  "[IM text removed]\n--XB1\n"));
	CHECK(has(&o, "c=IN IP4 192.0.2.1\n--XB1--"));
	CHECK(!has(&o, "secret") && !has(&o, "line two"));
	/* text 33 wire bytes -> 19, the address +1: 151 -> 138; the
	 * message also gains 6 in its start line */
	CHECK(has(&o, "Content-Length: 138\n"));
	CHECK_INT(d2, -13 + 6);

	/* nothing to change: the same bytes, delta 0 */
	o.n = 0;
	const char *plain = "SIP/2.0 200 OK\nCSeq: 1 REGISTER\n"
			    "Content-Length: 0\n";
	CHECK_INT(redact_message(ps, sv_cstr(plain), &o, &st), 0);
	CHECK_SV(sv_make(o.p, o.n), plain);
	free(o.p);
	pseudo_free(ps);
}

#define PFX "01/15/2021|09:12:03.961 20BE:2CE6 INFO  :: "

static void test_ucc_block(void)
{
	struct pseudo *ps = pseudo_new();
	struct cap c = { { 0 }, 0, 0 };
	run(ps,
	    PFX "Sending Packet - 10.0.0.20:443 (From Local Address: "
	    "192.168.1.40:51234) 120 bytes:\n"
	    PFX "INFO sip:robert@contoso.com SIP/2.0\n"
	    "Content-Type: text/html\n"
	    "Content-Length: 32\n"
	    "\n"
	    "<p>hello hello hello hello</p>\n"
	    PFX "End of Sending Packet - 10.0.0.20:443 (From Local Address: "
	    "192.168.1.40:51234) 120 bytes\n"
	    PFX "sign-in as sip:bob@contoso.com\n", 0, &c);
	/* body 30 -> 24 bytes, robert@contoso.com -> user1@domain1.example
	 * +3: both counts 120 -> 117 */
	CHECK(has(&c.out, "Sending Packet - 192.0.2.1:443 (From Local Address:"
		  " 192.0.2.2:51234) 117 bytes:\n"));
	CHECK(has(&c.out, "End of Sending Packet - 192.0.2.1:443 (From Local"
		  " Address: 192.0.2.2:51234) 117 bytes\n"));
	CHECK(has(&c.out, "\n" PFX "INFO sip:user1@domain1.example SIP/2.0\n"));
	CHECK(has(&c.out, "Content-Length: 26\n\n<p>[IM text removed]</p>\n"));
	CHECK(has(&c.out, PFX "sign-in as sip:user2@domain1.example\n"));
	CHECK_INT(c.nwarn, 0);

	/* cut short by the next entry: written, with a warning */
	c.out.n = 0;
	run(ps, PFX "Data Received - 10.0.0.20:443 7 bytes:\n"
		PFX "SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TLS 10.0.0.9\n"
		PFX "next entry\n", 0, &c);
	CHECK_INT(c.nwarn, 1);
	CHECK_INT(c.warn_line, 1);
	CHECK(has(&c.out, "Via: SIP/2.0/TLS 192.0.2.3\n" PFX "next entry\n"));

	/* too big to hold: scrubbed line by line, count unchanged */
	c.out.n = 0;
	c.nwarn = 0;
	run(ps, PFX "Data Received - 10.0.0.20:443 99 bytes:\n"
		PFX "MESSAGE sip:bob@contoso.com SIP/2.0\n"
		"Content-Length: 40\n"
		"\n"
		"a long IM text that goes past the limit\n"
		PFX "End of Data Received - 10.0.0.20:443 99 bytes\n", 64, &c);
	CHECK_INT(c.nwarn, 1);
	CHECK(has(&c.out, " 99 bytes:\n"));
	CHECK(has(&c.out, "MESSAGE sip:user2@domain1.example SIP/2.0\n"));
	free(c.out.p);
	pseudo_free(ps);
}

static void test_cls_record(void)
{
	struct pseudo *ps = pseudo_new();
	struct cap c = { { 0 }, 0, 0 };
	run(ps,
	    "TL_INFO(TF_PROTOCOL) [fe01\\fe01]0A2C.0B54::01/15/2021-09:12:06"
	    ".225.00000101 (SIPStack,SIPAdminLog::TraceProtocolRecord:"
	    "SIPAdminLog.cpp(125)) [2039041057] $$begin_record\n"
	    "Peer: edge01.contoso.com:60821\n"
	    "Start-Line: MESSAGE sip:alice@contoso.com SIP/2.0\n"
	    "Call-ID: 71cf3fe2e4286d04c0ffef6522e2e978\n"
	    "Content-Length: 12\n"
	    "Message-Body: Hello there!\n"
	    "$$end_record\n"
	    "TL_WARN(TF_DIAG) [fe01\\fe01]0A2C.0CB8::01/15/2021-09:12:04.284"
	    ".0000010E (SIPStack,SIPAdminLog::WriteDiagnosticEvent:"
	    "SIPAdminLog.cpp(830)) [65622848] $$begin_record\n"
	    "Data: user=\"CONTOSO\\alice\"; client-address="
	    "\"198.51.100.22:36080\"\n"
	    "$$end_record\n", 0, &c);
	CHECK(has(&c.out, "[host1\\host1]0A2C.0B54::01/15/2021-09:12:06.225"
		  ".00000101 (SIPStack,SIPAdminLog::TraceProtocolRecord:"
		  "SIPAdminLog.cpp(125)) [2039041057] $$begin_record\n"));
	CHECK(has(&c.out, "Peer: host2.domain1.example:60821\n"
		  "Start-Line: MESSAGE sip:user1@domain1.example SIP/2.0\n"
		  "Call-ID: 71cf3fe2e4286d04c0ffef6522e2e978\n"
		  "Content-Length: 17\n"
		  "Message-Body: [IM text removed]\n$$end_record\n"));
	CHECK(has(&c.out, "Data: user=\"domain1\\user1\"; client-address="
		  "\"192.0.2.1:36080\"\n$$end_record\n"));
	CHECK_INT(c.nwarn, 0);
	free(c.out.p);
	pseudo_free(ps);
}

static void test_skipped(void)
{
	struct pseudo *ps = pseudo_new();
	struct cap c = { { 0 }, 0, 0 };
	struct redact_sink s = { cap_write, cap_warn, &c };
	struct redact *r = redact_new(ps, &s, 0);
	redact_skipped(r, 42, 1u << 25);
	CHECK_INT(c.nwarn, 1);
	CHECK_INT(c.warn_line, 42);
	CHECK_INT(redact_stats(r)->dropped, 1);
	redact_free(r);
	free(c.out.p);
	pseudo_free(ps);
}

int main(void)
{
	test_message();
	test_ucc_block();
	test_cls_record();
	test_skipped();
	return CHECK_DONE("unit_redact");
}
