/* SPDX-License-Identifier: MIT */
/*
 * unit_msg.c -- unit tests of the message model (src/msg.c): defaults,
 * msg_set() copying a REC_MSG record and its log context (endpoints cut
 * to fit), msg_set_bytes(), the reset between messages, no allocation
 * once warm, msg_hdr_get() (any case, compact aliases), msg_param_get(),
 * msg_label() and msg_free().  Messages are parsed with sip_parse().
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "msg.h"
#include "sip.h"
#include "sv.h"

static const char *stream[] = {
	"REGISTER sip:contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.1.40:51234;branch=z9hG4bKreg1\n"
	"From: <sip:alice@contoso.com>;tag=9a1b2c3d4e;epid=01e2f3a4b5\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 1 REGISTER\n"
	"Content-Length: 0\n"
	"\n",

	"SIP/2.0 401 Unauthorized\n"
	"WWW-Authenticate: NTLM realm=\"SIP Communications Service\", "
	"targetname=\"fe01.contoso.com\", version=4\n"
	"WWW-Authenticate: TLS-DSK realm=\"SIP Communications Service\", "
	"targetname=\"fe01.contoso.com\", version=4, "
	"sts-uri=\"https://fe01.contoso.com/CertProv/"
	"CertProvisioningService.svc\"\n"
	"Subject: folded\n"
	" value\n"
	"ms-diagnostics: 1000;reason=\"Final handshake failed\";"
	"source=\"fe01.contoso.com\"\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 1 REGISTER\n"
	"Content-Length: 0\n"
	"\n",

	"HTTP/1.1 401 Unauthorized\n"
	"X-Ms-diagnostics: 28032;source=\"fe01.contoso.com\";"
	"reason=\"The web ticket is invalid.\";"
	"faultcode=\"wsse:InvalidSecurityToken\"\n"
	"Content-Length: 0\n"
	"\n",

	"junk that is not a message",
};

static void test_init_free(void)
{
	struct msg m;
	msg_init(&m);
	CHECK(m.buf == NULL);
	CHECK_INT(m.len, 0);
	CHECK_INT(m.nhdrs, 0);
	CHECK_INT(m.ts, SFB_TIME_NONE);
	CHECK_INT(m.declared_len, -1);
	CHECK_INT(m.expires, -1);
	CHECK_INT(m.content_length, -1);
	CHECK_INT(m.flags, 0);
	CHECK_INT(m.proto, MSG_PROTO_UNKNOWN);
	msg_set_bytes(&m, stream[1], strlen(stream[1]));
	CHECK_INT(sip_parse(&m), 0);
	CHECK(m.buf != NULL && m.hdrs != NULL && m.fold != NULL);
	msg_free(&m);
	/* freed and back to the initial state; a second free is harmless */
	CHECK(m.buf == NULL && m.hdrs == NULL && m.params == NULL);
	CHECK_INT(m.cap, 0);
	CHECK_INT(m.nhdrs, 0);
	CHECK_INT(m.content_length, -1);
	msg_free(&m);
	msg_free(NULL);
}

static void test_set(void)
{
	struct msg m;
	struct fmt_rec rec;
	const char *file = "Lync-UccApi-0.UccApilog";
	char long_ep[100];
	msg_init(&m);
	memset(long_ep, 'a', sizeof long_ep);
	memset(&rec, 0, sizeof rec);
	rec.type = REC_MSG;
	rec.line_first = 10;
	rec.line_last = 24;
	rec.ts = 1610701923101;
	rec.text = sv_cstr(stream[0]);
	rec.dir = DIR_OUT;
	rec.local = sv_cstr("192.168.1.40:51234");
	rec.remote = sv_make(long_ep, sizeof long_ep);
	rec.server = sv_cstr("sfvedge\\sfvedge");
	rec.declared_len = 1124;
	msg_set(&m, &rec, file);
	CHECK(m.buf != rec.text.p);
	CHECK_INT(m.len, strlen(stream[0]));
	CHECK(m.buf && memcmp(m.buf, stream[0], m.len) == 0);
	CHECK(m.buf && m.buf[m.len] == '\0');
	CHECK(m.file == file);
	CHECK_INT(m.line_first, 10);
	CHECK_INT(m.line_last, 24);
	CHECK_INT(m.ts, 1610701923101);
	CHECK_INT(m.dir, DIR_OUT);
	CHECK(strcmp(m.local, "192.168.1.40:51234") == 0);
	CHECK_INT(strlen(m.remote), sizeof m.remote - 1);   /* cut to fit */
	CHECK(m.remote[0] == 'a' && m.remote[62] == 'a');
	CHECK(strcmp(m.server, "sfvedge\\sfvedge") == 0);
	CHECK_INT(m.declared_len, 1124);
	CHECK_INT(m.flags, 0);
	CHECK_INT(sip_parse(&m), 0);
	CHECK_SV(m.method, "REGISTER");
	CHECK_INT(m.nhdrs, 6);
	/* the copy is independent of the record's bytes */
	rec.text = sv_cstr("SIP/2.0 200 OK\n\n");
	CHECK_SV(m.call_id, "7f3c2a1b9d8e4f60a1b2c3d4e5f60718");

	/* a new record resets what the last parse filled */
	rec.truncated = 1;
	rec.local = SV_NULL;
	rec.server = SV_NULL;
	rec.dir = DIR_IN;
	msg_set(&m, &rec, NULL);
	CHECK_INT(m.flags, MSG_F_TRUNCATED);
	CHECK_INT(m.nhdrs, 0);
	CHECK_SV(m.method, "");
	CHECK_SV(m.call_id, "");
	CHECK_INT(m.content_length, -1);
	CHECK(strcmp(m.local, "") == 0 && strcmp(m.server, "") == 0);
	CHECK_INT(m.dir, DIR_IN);
	CHECK_INT(sip_parse(&m), 0);
	CHECK_INT(m.status, 200);
	CHECK_INT(m.flags, MSG_F_TRUNCATED);

	/* plain bytes: no log context left over */
	msg_set_bytes(&m, "x", 1);
	CHECK(m.file == NULL);
	CHECK_INT(m.line_first, 0);
	CHECK_INT(m.ts, SFB_TIME_NONE);
	CHECK_INT(m.declared_len, -1);
	CHECK_INT(m.dir, DIR_UNKNOWN);
	CHECK(m.remote[0] == '\0');
	CHECK_INT(m.flags, 0);
	/* an empty record */
	rec.text = SV_NULL;
	msg_set(&m, &rec, file);
	CHECK_INT(m.len, 0);
	CHECK_INT(sip_parse(&m), -1);
	msg_free(&m);
}

/*
 * msg_view: the record's text is borrowed, not copied; the context is
 * set as msg_set does; a copy made before is left alone; an empty
 * record (no text pointer at all) still parses as "not a message".
 */
static void test_view(void)
{
	struct msg m;
	struct fmt_rec rec;
	static const char file[] = "client.UccApilog";
	msg_init(&m);
	memset(&rec, 0, sizeof rec);
	rec.type = REC_MSG;
	rec.line_first = 7;
	rec.ts = 1610701923101;
	rec.dir = DIR_IN;
	rec.local = sv_cstr("10.0.0.1:5061");
	rec.declared_len = 12;
	msg_set_bytes(&m, stream[1], strlen(stream[1]));
	char *copy = m.buf;
	rec.text = sv_cstr(stream[0]);
	msg_view(&m, &rec, file);
	CHECK(m.text == stream[0]);
	CHECK_INT(m.len, strlen(stream[0]));
	CHECK(m.buf == copy);           /* kept for the next msg_set */
	CHECK(m.file == file);
	CHECK_INT(m.line_first, 7);
	CHECK_INT(m.ts, 1610701923101);
	CHECK_INT(m.dir, DIR_IN);
	CHECK(strcmp(m.local, "10.0.0.1:5061") == 0);
	CHECK_INT(m.declared_len, 12);
	CHECK_INT(m.flags, 0);
	CHECK_INT(sip_parse(&m), 0);
	CHECK_SV(m.method, "REGISTER");
	CHECK(m.call_id.p >= stream[0] &&
	      m.call_id.p + m.call_id.n <= stream[0] + strlen(stream[0]));
	/* a view after a parse resets it, a copy after a view works */
	rec.truncated = 1;
	rec.text = sv_cstr("SIP/2.0 200 OK\n\n");
	msg_view(&m, &rec, file);
	CHECK_INT(m.flags, MSG_F_TRUNCATED);
	CHECK_INT(m.nhdrs, 0);
	CHECK_SV(m.method, "");
	CHECK_INT(sip_parse(&m), 0);
	CHECK_INT(m.status, 200);
	msg_set(&m, &rec, file);
	CHECK(m.text == m.buf && m.text != rec.text.p);
	CHECK_INT(sip_parse(&m), 0);
	CHECK_INT(m.status, 200);
	rec.text = SV_NULL;
	rec.truncated = 0;
	msg_view(&m, &rec, file);
	CHECK_INT(m.len, 0);
	CHECK_INT(sip_parse(&m), -1);
	CHECK_INT(m.flags, MSG_F_BAD_START);
	msg_free(&m);
}

/* Once warm, a stream of messages must not allocate: no cap moves. */
static void test_no_alloc_when_warm(void)
{
	struct msg m;
	size_t nstream = sizeof stream / sizeof stream[0];
	msg_init(&m);
	for (size_t i = 0; i < nstream; i++) {
		msg_set_bytes(&m, stream[i], strlen(stream[i]));
		sip_parse(&m);
	}
	/* the longest message last, so fold is sized for all of them */
	msg_set_bytes(&m, stream[1], strlen(stream[1]));
	sip_parse(&m);
	char *buf = m.buf, *fold = m.fold;
	struct msg_hdr *hdrs = m.hdrs;
	struct msg_param *params = m.params;
	struct msg_diag *diags = m.diags;
	struct msg_auth *auths = m.auths;
	size_t caps[6] = { m.cap, m.hdrs_cap, m.diags_cap, m.auths_cap,
			   m.params_cap, m.fold_cap };
	int same = 1, parsed = 0;
	for (int round = 0; round < 1000; round++) {
		for (size_t i = 0; i < nstream; i++) {
			msg_set_bytes(&m, stream[i], strlen(stream[i]));
			parsed += sip_parse(&m) == 0;
		}
		same &= m.buf == buf && m.fold == fold && m.hdrs == hdrs &&
			m.params == params && m.diags == diags &&
			m.auths == auths && m.cap == caps[0] &&
			m.hdrs_cap == caps[1] && m.diags_cap == caps[2] &&
			m.auths_cap == caps[3] && m.params_cap == caps[4] &&
			m.fold_cap == caps[5];
	}
	CHECK(same);
	CHECK_INT(parsed, 3000);
	msg_free(&m);
}

static void test_hdr_get(void)
{
	struct msg m;
	const struct msg_hdr *h;
	msg_init(&m);
	CHECK(msg_hdr_get(&m, "Call-ID") == NULL);
	const char sip[] = "SIP/2.0 200 OK\n"
			   "i: compact-call\n"
			   "X-Test: one\n"
			   "x-TEST: two\n"
			   "Content-Length: 0\n"
			   "k: gruu-10\n"
			   "\n";
	msg_set_bytes(&m, sip, sizeof sip - 1);
	CHECK_INT(m.len, sizeof sip - 1);
	CHECK_INT(sip_parse(&m), 0);
	h = msg_hdr_get(&m, "x-test");
	CHECK(h != NULL);
	CHECK_SV(h ? h->value : SV_NULL, "one");
	CHECK_SV(h ? h->name : SV_NULL, "X-Test");
	h = msg_hdr_get(&m, "call-id");
	CHECK_SV(h ? h->value : SV_NULL, "compact-call");
	h = msg_hdr_get(&m, "SUPPORTED");
	CHECK_SV(h ? h->value : SV_NULL, "gruu-10");
	h = msg_hdr_get(&m, "L");             /* long name by its letter */
	CHECK_SV(h ? h->value : SV_NULL, "0");
	CHECK(msg_hdr_get(&m, "Event") == NULL);
	CHECK(msg_hdr_get(&m, "X-Tes") == NULL);
	CHECK(msg_hdr_get(&m, "") == NULL);

	/* HTTP has no compact forms */
	const char http[] = "HTTP/1.1 200 OK\ni: not-a-call-id\n"
			    "Content-Length: 0\n\n";
	msg_set_bytes(&m, http, sizeof http - 1);
	CHECK_INT(sip_parse(&m), 0);
	CHECK(msg_hdr_get(&m, "Call-ID") == NULL);
	CHECK(msg_hdr_get(&m, "l") == NULL);
	CHECK(msg_hdr_get(&m, "i") != NULL);
	msg_free(&m);
}

static void test_param_get(void)
{
	struct msg_param p[3] = {
		{ SV_LIT("realm"), SV_LIT("SIP Communications Service") },
		{ SV_LIT("version"), SV_LIT("4") },
		{ SV_LIT("Realm"), SV_LIT("second") },
	};
	const struct sv *v = msg_param_get(p, 3, "REALM");
	CHECK(v == &p[0].value);
	v = msg_param_get(p, 3, "version");
	CHECK_SV(v ? *v : SV_NULL, "4");
	CHECK(msg_param_get(p, 3, "vers") == NULL);
	CHECK(msg_param_get(p, 0, "realm") == NULL);
	CHECK(msg_param_get(NULL, 0, "realm") == NULL);
}

static void test_label(void)
{
	struct msg m;
	char out[16];
	msg_init(&m);
	CHECK(strcmp(msg_label(&m, out, sizeof out), "?") == 0);
	msg_set_bytes(&m, stream[0], strlen(stream[0]));
	sip_parse(&m);
	CHECK(msg_label(&m, out, sizeof out) == out);
	CHECK(strcmp(out, "REGISTER") == 0);
	char tiny[4];
	CHECK(strcmp(msg_label(&m, tiny, sizeof tiny), "REG") == 0);
	msg_set_bytes(&m, stream[1], strlen(stream[1]));
	sip_parse(&m);
	CHECK(strcmp(msg_label(&m, out, sizeof out), "401") == 0);
	const char lng[] = "VERYLONGMETHODNAME12345 sip:x SIP/2.0\n\n";
	msg_set_bytes(&m, lng, sizeof lng - 1);
	CHECK_INT(sip_parse(&m), 0);
	CHECK(strcmp(msg_label(&m, out, sizeof out), "VERYLONGMETHODN") ==
	      0);
	msg_set_bytes(&m, stream[3], strlen(stream[3]));
	CHECK_INT(sip_parse(&m), -1);
	CHECK(strcmp(msg_label(&m, out, sizeof out), "?") == 0);
	msg_free(&m);
}

/* The warnings of a message: the same text for every command. */
static void test_problems(void)
{
	struct msg m;
	char text[160];
	unsigned it = 0, flag = 0;
	static const char bad[] = "REGISTER sip:contoso.com SIP/2.0\r\n"
				  "Call-ID: a\r\nno colon here\r\n"
				  "Content-Length: twelve\r\n\r\n";
	msg_init(&m);
	msg_set_bytes(&m, bad, sizeof bad - 1);
	CHECK_INT(sip_parse(&m), 0);
	CHECK(m.flags & MSG_F_MALFORMED);
	CHECK_INT(msg_problem_next(&m, &it, &flag, text, sizeof text), 1);
	CHECK_INT(flag, MSG_F_BAD_HEADER);
	CHECK_SV(sv_cstr(text), "header line without a colon skipped");
	CHECK_INT(msg_problem_next(&m, &it, &flag, text, sizeof text), 1);
	CHECK_INT(flag, MSG_F_CL_INVALID);
	CHECK_SV(sv_cstr(text), "invalid Content-Length 'twelve'");
	CHECK_INT(msg_problem_next(&m, &it, &flag, text, sizeof text), 0);
	/* not SIP: only that is said */
	msg_set_bytes(&m, "junk\r\nno colon\r\n", 17);
	(void)sip_parse(&m);
	it = 0;
	CHECK_INT(msg_problem_next(&m, &it, NULL, text, sizeof text), 1);
	CHECK_SV(sv_cstr(text), "framed block is not a SIP or HTTP message");
	CHECK_INT(msg_problem_next(&m, &it, NULL, text, sizeof text), 0);
	/* a clean message: nothing */
	static const char ok[] = "SIP/2.0 200 OK\r\nCall-ID: a\r\n"
				 "Content-Length: 0\r\n\r\n";
	msg_set_bytes(&m, ok, sizeof ok - 1);
	CHECK_INT(sip_parse(&m), 0);
	it = 0;
	CHECK_INT(msg_problem_next(&m, &it, NULL, text, sizeof text), 0);
	CHECK_INT(m.flags & MSG_F_MALFORMED, 0);
	msg_free(&m);
}

int main(void)
{
	test_problems();
	test_init_free();
	test_set();
	test_view();
	test_no_alloc_when_warm();
	test_hdr_get();
	test_param_get();
	test_label();
	return CHECK_DONE("unit_msg");
}
