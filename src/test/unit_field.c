/* SPDX-License-Identifier: MIT */
/*
 * unit_field.c -- unit tests of the rule fields (src/field.c): the
 * table is consistent (unique names, a meaning for each, every scope
 * used), names resolve with their type and scope, and field_get reads
 * messages (diagnostics, auth, headers, absent values), pattern
 * events (captures, the hr capture as a number), CLS diagnostic
 * records (result code, Data pairs) and sessions (counts, steps,
 * settings, the expected REGISTER pairs per method).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "field.h"
#include "msg.h"
#include "sip.h"
#include "sv.h"

static int resolve(const char *name, struct expr_field *f)
{
	return field_resolve(NULL, sv_cstr(name), SV_NULL, f);
}

/* @return 0 present (value in *v), 1 absent, -1 unknown name */
static int get(struct field_item *it, const char *name, const char *key,
	       struct expr_value *v)
{
	struct expr_field f;
	if (resolve(name, &f))
		return -1;
	return field_get(it, f.id, key ? sv_cstr(key) : SV_NULL, v);
}

static void test_table(void)
{
	size_t n;
	const struct field_def *d = field_table(&n);
	unsigned scopes = 0;
	CHECK(n > 60);
	for (size_t i = 0; i < n; i++) {
		CHECK(d[i].doc && d[i].doc[0]);
		CHECK(d[i].type >= EXPR_T_BOOL && d[i].type <= EXPR_T_STR);
		scopes |= d[i].scopes;
		for (size_t k = i + 1; k < n; k++)
			CHECK(strcmp(d[i].name, d[k].name) != 0);
	}
	CHECK(scopes == (EXPR_SCOPE_BIT(EXPR_SCOPE_MSG) |
			 EXPR_SCOPE_BIT(EXPR_SCOPE_EVENT) |
			 EXPR_SCOPE_BIT(EXPR_SCOPE_SESSION) |
			 EXPR_SCOPE_BIT(EXPR_SCOPE_JOIN)));
	struct expr_field f;
	CHECK(resolve("msg.status", &f) == 0);
	CHECK(f.type == EXPR_T_INT);
	CHECK(f.scopes == EXPR_SCOPE_BIT(EXPR_SCOPE_MSG));
	CHECK(!f.keyed);
	CHECK(resolve("header", &f) == 0 && f.keyed);
	CHECK(resolve("session.register.pairs", &f) == 0);
	/* session fields are read in the join scope too (the client's) */
	CHECK(f.scopes == (EXPR_SCOPE_BIT(EXPR_SCOPE_SESSION) |
			   EXPR_SCOPE_BIT(EXPR_SCOPE_JOIN)));
	CHECK(resolve("join.clock_skew", &f) == 0);
	CHECK(f.scopes == EXPR_SCOPE_BIT(EXPR_SCOPE_JOIN));
	CHECK(resolve("msg.staus", &f) == -1);
	CHECK(resolve("", &f) == -1);
}

static const char reg504[] =
	"SIP/2.0 504 Server time-out\n"
	"ms-diagnostics: 1010;reason=\"Certificate trust with next-hop "
	"server could not be established\";source=\"edge01.contoso.com\"\n"
	"From: <sip:alice@contoso.com>;tag=1;epid=01e2f3a4b5\n"
	"To: <sip:alice@contoso.com>;tag=2\n"
	"Call-ID: abc\n"
	"CSeq: 3 REGISTER\n"
	"Server: RTC/6.0\n"
	"Content-Length: 0\n"
	"\n";

static const char reg_creds[] =
	"REGISTER sip:contoso.com SIP/2.0\n"
	"From: <sip:alice@contoso.com>;tag=1;epid=01e2f3a4b5\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: abc\n"
	"CSeq: 2 REGISTER\n"
	"Authorization: NTLM qop=\"auth\", realm=\"SIP Communications "
	"Service\", targetname=\"fe01.contoso.com\", "
	"gssapi-data=\"TlRMTVNTUAADAAAA\", version=4\n"
	"Content-Length: 0\n"
	"\n";

static const char http401[] =
	"HTTP/1.1 401 Unauthorized\n"
	"X-Ms-diagnostics: 28032;source=\"fe01.contoso.com\";"
	"reason=\"The web ticket is invalid.\";"
	"faultcode=\"wsse:InvalidSecurityToken\"\n"
	"WWW-Authenticate: NTLM\n"
	"WWW-Authenticate: Negotiate\n"
	"Content-Length: 0\n"
	"\n";

static void test_msg(void)
{
	struct msg m;
	struct field_item it;
	struct expr_value v;
	msg_init(&m);
	memset(&it, 0, sizeof it);
	it.scope = EXPR_SCOPE_MSG;
	it.msg = &m;

	msg_set_bytes(&m, reg504, sizeof reg504 - 1);
	(void)sip_parse(&m);
	CHECK(get(&it, "msg.status", NULL, &v) == 0 && v.i == 504);
	CHECK(get(&it, "msg.is_response", NULL, &v) == 0 && v.i == 1);
	CHECK(get(&it, "msg.method", NULL, &v) == 1);
	CHECK(get(&it, "msg.request_method", NULL, &v) == 0);
	CHECK_SV(v.s, "REGISTER");
	CHECK(get(&it, "msg.diag.code", NULL, &v) == 0 && v.i == 1010);
	CHECK(get(&it, "msg.diag.source", NULL, &v) == 0);
	CHECK_SV(v.s, "edge01.contoso.com");
	CHECK(get(&it, "msg.diag.public", NULL, &v) == 0 && v.i == 0);
	CHECK(get(&it, "msg.xdiag.code", NULL, &v) == 1);
	CHECK(get(&it, "header", "server", &v) == 0);
	CHECK_SV(v.s, "RTC/6.0");
	CHECK(get(&it, "header", "X-Nope", &v) == 1);
	CHECK(get(&it, "msg.has_credentials", NULL, &v) == 0 && !v.i);
	CHECK(get(&it, "msg.in_session", NULL, &v) == 0 && !v.i);
	CHECK(get(&it, "msg.dir", NULL, &v) == 1);
	/* a field of another scope reads as absent */
	CHECK(get(&it, "session.user", NULL, &v) == 1);
	CHECK(get(&it, "event.name", NULL, &v) == 1);

	msg_set_bytes(&m, reg_creds, sizeof reg_creds - 1);
	(void)sip_parse(&m);
	CHECK(get(&it, "msg.status", NULL, &v) == 1);
	CHECK(get(&it, "msg.method", NULL, &v) == 0);
	CHECK_SV(v.s, "REGISTER");
	CHECK(get(&it, "msg.has_credentials", NULL, &v) == 0 && v.i);
	CHECK(get(&it, "msg.auth.scheme", NULL, &v) == 0);
	CHECK_SV(v.s, "NTLM");
	CHECK(get(&it, "auth_param", "targetname", &v) == 0);
	CHECK_SV(v.s, "fe01.contoso.com");
	CHECK(get(&it, "msg.cseq", NULL, &v) == 0 && v.i == 2);

	msg_set_bytes(&m, http401, sizeof http401 - 1);
	(void)sip_parse(&m);
	it.req_method = SV_LIT("GET");
	it.req_uri = SV_LIT("/Autodiscover/AutodiscoverService.svc/root");
	CHECK(get(&it, "msg.proto", NULL, &v) == 0);
	CHECK_SV(v.s, "http");
	CHECK(get(&it, "msg.request_method", NULL, &v) == 0);
	CHECK_SV(v.s, "GET");
	CHECK(get(&it, "msg.uri", NULL, &v) == 0);
	CHECK_SV(v.s, "/Autodiscover/AutodiscoverService.svc/root");
	CHECK(get(&it, "msg.xdiag.code", NULL, &v) == 0 && v.i == 28032);
	CHECK(get(&it, "msg.xdiag.faultcode", NULL, &v) == 0);
	CHECK_SV(v.s, "wsse:InvalidSecurityToken");
	CHECK(get(&it, "msg.diag.code", NULL, &v) == 1);
	CHECK(get(&it, "msg.auth.offered", NULL, &v) == 0);
	CHECK_SV(v.s, "NTLM,Negotiate");
	msg_free(&m);
}

/*
 * What field_known says of a message must be what field_get reads, for
 * every message of the class: check it on each message, and that the
 * class tells apart what field_known claims to know.
 */
static int same(struct field_cls x, struct field_cls y)
{
	return x.a == y.a && x.b == y.b;
}

static void known_agrees_key(struct field_item *it, struct sv key)
{
	size_t n;
	const struct field_def *d = field_table(&n);
	for (size_t id = 0; id < n; id++) {
		struct expr_value kv, gv;
		if (!(d[id].scopes & EXPR_SCOPE_BIT(it->scope)))
			continue;
		memset(&kv, 0, sizeof kv);
		int kr = field_known(it, (int)id, d[id].keyed ? key : SV_NULL,
				     &kv);
		if (kr == EXPR_UNKNOWN)
			continue;
		int gr = field_get(it, (int)id, d[id].keyed ? key : SV_NULL,
				   &gv);
		CHECK_INT(kr, gr);
		if (kr == 0 && gr == 0) {
			CHECK(kv.i == gv.i);
			CHECK(kv.s.n == gv.s.n && (!kv.s.n ||
			      memcmp(kv.s.p, gv.s.p, kv.s.n) == 0));
		}
	}
}

static void known_agrees(struct field_item *it)
{
	static const char *const keys[] = {
		"Server", "discovery", "authentication", "provisioning",
		"roaming-ACL", "acl", "bogus",
	};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		known_agrees_key(it, sv_cstr(keys[k]));
}

/* A session's class: each fact it holds changes it; known agrees. */
static void test_session_class(void)
{
	static struct sess s;
	struct field_item it;
	memset(&s, 0, sizeof s);
	memset(&it, 0, sizeof it);
	it.scope = EXPR_SCOPE_SESSION;
	it.sess = &s;
	s.outcome = SESS_SIGNED_IN;
	s.register_final = 200;
	s.register_401 = 2;
	s.register_total = 3;
	struct field_cls c0 = field_class(&it);
	known_agrees(&it);
	int *facts[] = {
		(int *)&s.outcome, &s.redirect_loop, &s.register_final,
		(int *)&s.steps[SFB_STEP_SETTINGS].status,
	};
	for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
		int was = *facts[i];
		*facts[i] = was ? 0 : 1;
		CHECK(!same(field_class(&it), c0));
		known_agrees(&it);
		*facts[i] = was;
	}
	unsigned *counts[] = { &s.nredirects, &s.register_401,
			       &s.register_total, &s.webticket_28032 };
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		unsigned was = *counts[i];
		*counts[i] = was + 1;
		CHECK(!same(field_class(&it), c0));
		known_agrees(&it);
		*counts[i] = 1000;      /* past what a class holds */
		known_agrees(&it);
		*counts[i] = was;
	}
	/* a setting's state: not requested, ok, failed, unanswered */
	s.settings[SESS_SET_ACL].status = SESS_OK;
	CHECK(same(field_class(&it), c0));  /* no line: not requested */
	s.settings[SESS_SET_ACL].line = 7;
	struct field_cls c1 = field_class(&it);
	CHECK(!same(c1, c0));
	known_agrees(&it);
	s.settings[SESS_SET_ACL].status = SESS_NOT_SEEN;
	CHECK(!same(field_class(&it), c0) && !same(field_class(&it), c1));
	known_agrees(&it);
	s.register_final = 1200;
	known_agrees(&it);
	CHECK(!same(field_class(&it), c0));
	s.register_final = 200;
	s.settings[SESS_SET_ACL].line = 0;
	/* facts the class does not hold: the same class */
	s.register_pairs = 9;
	s.signin_ms = 99999;
	snprintf(s.user, sizeof s.user, "sip:bob@contoso.com");
	CHECK(same(field_class(&it), c0));
	known_agrees(&it);
}

static void test_class(void)
{
	static const char *const texts[] = {
		reg504, reg_creds, http401,
		"SIP/2.0 401 Unauthorized\nCSeq: 1 REGISTER\n\n",
		"SIP/2.0 200 OK\nCSeq: 1 REGISTER\n\n",
		"SIP/2.0 200 OK\nCSeq: 7 SUBSCRIBE\n\n",
		"SIP/2.0 200 OK\nCSeq: 7 register\n\n",
		"SUBSCRIBE sip:a@b SIP/2.0\nCSeq: 7 SUBSCRIBE\n\n",
		"FOO sip:a@b SIP/2.0\nCSeq: 7 FOO\n\n",
	};
	enum { N = sizeof texts / sizeof texts[0] };
	struct msg m[N];
	struct field_item it[N];
	struct field_cls cls[N];
	for (int i = 0; i < N; i++) {
		msg_init(&m[i]);
		msg_set_bytes(&m[i], texts[i], strlen(texts[i]));
		(void)sip_parse(&m[i]);
		memset(&it[i], 0, sizeof it[i]);
		it[i].scope = EXPR_SCOPE_MSG;
		it[i].msg = &m[i];
		it[i].session_id = i & 1;
		cls[i] = field_class(&it[i]);
		known_agrees(&it[i]);
	}
	/* status, method and session make classes of their own */
	for (int i = 0; i < N; i++)
		for (int k = i + 1; k < N; k++)
			CHECK(!same(cls[i], cls[k]));
	/* the same message in another session: another class */
	it[3].session_id = 0;
	CHECK(!same(field_class(&it[3]), cls[3]));
	it[3].session_id = 1;
	CHECK(same(field_class(&it[3]), cls[3]));
	for (int i = 0; i < N; i++)
		msg_free(&m[i]);
	/* a status past 999 is not known from the class */
	struct msg big;
	struct field_item bi;
	struct expr_value v;
	struct expr_field f;
	msg_init(&big);
	msg_set_bytes(&big, "SIP/2.0 1200 Huh\nCSeq: 1 X\n\n", 29);
	(void)sip_parse(&big);
	memset(&bi, 0, sizeof bi);
	bi.scope = EXPR_SCOPE_MSG;
	bi.msg = &big;
	CHECK(resolve("msg.status", &f) == 0);
	if (big.kind == MSG_RESPONSE)
		CHECK(field_known(&bi, f.id, SV_NULL, &v) == EXPR_UNKNOWN);
	CHECK(resolve("msg.request_method", &f) == 0);
	CHECK(field_known(&bi, f.id, SV_NULL, &v) == EXPR_UNKNOWN);
	msg_free(&big);
}

static void test_event(void)
{
	struct pat_event ev;
	struct field_item it;
	struct expr_value v;
	memset(&ev, 0, sizeof ev);
	memset(&it, 0, sizeof it);
	ev.name = "client.hresult";
	ev.step = SFB_STEP_AUTH;
	ev.text = SV_LIT("SignIn: failed, hr=0x80ef0191\nsecond line");
	ev.caps[0].name = SV_LIT("hr");
	ev.caps[0].value = SV_LIT("0x80ef0191");
	ev.caps[1].name = SV_LIT("host");
	ev.caps[1].value = SV_LIT("fe01");
	ev.ncaps = 2;
	it.scope = EXPR_SCOPE_EVENT;
	it.ev = &ev;
	CHECK(get(&it, "event.name", NULL, &v) == 0);
	CHECK_SV(v.s, "client.hresult");
	CHECK(get(&it, "event.step", NULL, &v) == 0);
	CHECK_SV(v.s, "authentication");
	CHECK(get(&it, "event.hr", NULL, &v) == 0 && v.i == 0x80ef0191);
	CHECK(get(&it, "capture", "host", &v) == 0);
	CHECK_SV(v.s, "fe01");
	CHECK(get(&it, "capture", "nope", &v) == 1);
	CHECK(get(&it, "data", "x", &v) == 1);
	/* the class holds the hr: another hr, another class */
	struct field_cls c0 = field_class(&it);
	known_agrees(&it);
	ev.caps[0].value = SV_LIT("0x80ef0192");
	CHECK(!same(field_class(&it), c0));
	known_agrees(&it);
	ev.caps[0].value = SV_LIT("not hex");
	CHECK(get(&it, "event.hr", NULL, &v) == 1);
	CHECK(!same(field_class(&it), c0));
	known_agrees(&it);

	/* a CLS diagnostic record */
	struct fmt_rec rec;
	struct rec_kv kv[2] = {
		{ SV_LIT("expected-fqdn"), SV_LIT("pool01.contoso.com") },
		{ SV_LIT("certName"), SV_LIT("web.contoso.com") },
	};
	memset(&rec, 0, sizeof rec);
	rec.type = REC_DIAG;
	rec.result_code = 0xc3e93d67;
	rec.result_name = SV_LIT("SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH");
	rec.diag_text = SV_LIT("Peer certificate mismatch");
	rec.data = kv;
	rec.ndata = 2;
	memset(&it, 0, sizeof it);
	it.scope = EXPR_SCOPE_EVENT;
	it.rec = &rec;
	CHECK(get(&it, "event.name", NULL, &v) == 0);
	CHECK_SV(v.s, "cls.diag");
	CHECK(get(&it, "event.hr", NULL, &v) == 0 && v.i == 0xc3e93d67);
	CHECK(get(&it, "event.result_name", NULL, &v) == 0);
	CHECK_SV(v.s, "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH");
	CHECK(get(&it, "data", "CERTNAME", &v) == 0);
	CHECK_SV(v.s, "web.contoso.com");
	CHECK(get(&it, "event.text", NULL, &v) == 0);
	CHECK_SV(v.s, "Peer certificate mismatch");
}

static void test_session(void)
{
	static struct sess s;
	struct field_item it;
	struct expr_value v;
	memset(&s, 0, sizeof s);
	memset(&it, 0, sizeof it);
	it.scope = EXPR_SCOPE_SESSION;
	it.sess = &s;
	snprintf(s.user, sizeof s.user, "sip:alice@contoso.com");
	s.outcome = SESS_FAILED_OUT;
	s.failed_step = SFB_STEP_AUTH;
	s.steps[SFB_STEP_AUTH].status = SESS_FAILED;
	s.steps[SFB_STEP_DISCOVERY].status = SESS_OK;
	s.auth_offered = SESS_AUTH_KERBEROS | SESS_AUTH_NTLM;
	s.auth_used = SESS_AUTH_NTLM;
	s.register_pairs = 3;
	s.register_401 = 2;
	s.start = 1000;
	s.end = 4500;
	s.signin_ms = -1;
	s.settings[SESS_SET_PROVISIONING].line = 10;
	s.settings[SESS_SET_PROVISIONING].status = SESS_FAILED;
	CHECK(get(&it, "session.outcome", NULL, &v) == 0);
	CHECK_SV(v.s, "failed");
	CHECK(get(&it, "session.failed_step", NULL, &v) == 0);
	CHECK_SV(v.s, "authentication");
	CHECK(get(&it, "step", "authentication", &v) == 0);
	CHECK_SV(v.s, "failed");
	CHECK(get(&it, "step", "discovery", &v) == 0);
	CHECK_SV(v.s, "ok");
	CHECK(get(&it, "step", "redirection", &v) == 0);
	CHECK_SV(v.s, "not seen");
	CHECK(get(&it, "step", "bogus", &v) == 1);
	CHECK(get(&it, "session.auth.offered", NULL, &v) == 0);
	CHECK(sv_find(v.s, "Kerberos") >= 0 && sv_find(v.s, "NTLM") >= 0);
	CHECK(get(&it, "session.auth.method", NULL, &v) == 0);
	CHECK_SV(v.s, "NTLM");
	CHECK(get(&it, "session.register.expected_pairs", NULL, &v) == 0 &&
	      v.i == 3);
	CHECK(get(&it, "session.register.final", NULL, &v) == 1);
	CHECK(get(&it, "session.duration_ms", NULL, &v) == 0 &&
	      v.i == 3500);
	CHECK(get(&it, "session.signin_ms", NULL, &v) == 1);
	CHECK(get(&it, "setting", "provisioning-v2", &v) == 0);
	CHECK_SV(v.s, "failed");
	CHECK(get(&it, "setting", "roaming-acl", &v) == 0);
	CHECK_SV(v.s, "not requested");
	s.auth_confirmed = SESS_AUTH_TLSDSK;
	CHECK(get(&it, "session.register.expected_pairs", NULL, &v) == 0 &&
	      v.i == 4);
	s.failed_step = SFB_STEP_NONE;
	CHECK(get(&it, "session.failed_step", NULL, &v) == 1);
}

static void test_print(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	field_print(f);
	fclose(f);
	CHECK(strstr(buf, "msg.status") != NULL);
	CHECK(strstr(buf, "header(\"KEY\")") != NULL);
	/* no line over 79 columns */
	int longest = 0, cur = 0;
	for (size_t i = 0; i < len; i++) {
		cur = buf[i] == '\n' ? 0 : cur + 1;
		if (cur > longest)
			longest = cur;
	}
	CHECK(longest <= 79);
	free(buf);
}

int main(void)
{
	test_table();
	test_msg();
	test_class();
	test_event();
	test_session();
	test_session_class();
	test_print();
	return CHECK_DONE("unit_field");
}
