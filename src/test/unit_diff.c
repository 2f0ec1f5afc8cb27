/* SPDX-License-Identifier: MIT */
/*
 * unit_diff.c -- diff.c: messages reduced (diff_msgs_add), the walk
 * that aligns two sign-ins, the facts compared, what is ignored.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "diff.h"
#include "rules.h"
#include "sip.h"

/* Add one message given as text (CRLF added per line). */
static void add(struct diff_msgs *l, const char *text)
{
	char buf[2048];
	size_t n = 0;
	for (const char *p = text; *p && n < sizeof buf - 2; p++) {
		if (*p == '\n')
			buf[n++] = '\r';
		buf[n++] = *p;
	}
	struct msg m;
	msg_init(&m);
	msg_set_bytes(&m, buf, n);
	sip_parse(&m);
	m.file = "t.log";
	m.line_first = l->n + 1;
	diff_msgs_add(l, &m);
	msg_free(&m);
}

#define REG(cseq, callid, auth)                                          \
	"REGISTER sip:contoso.com SIP/2.0\n"                             \
	"Via: SIP/2.0/TLS 10.0.0.5:1;branch=z9hG4bK" callid "\n"          \
	"From: <sip:alice@contoso.com>;tag=" callid ";epid=" callid "\n" \
	"To: <sip:alice@contoso.com>\n"                                  \
	"Call-ID: " callid "\n"                                          \
	"CSeq: " cseq " REGISTER\n" auth                                 \
	"User-Agent: UCCAPI/16.0 OC/16.0\n"                              \
	"Content-Length: 0\n\n"

#define ANS(status, cseq, callid, extra)                                 \
	"SIP/2.0 " status "\n"                                           \
	"Via: SIP/2.0/TLS 10.0.0.5:1;branch=z9hG4bK" callid "\n"          \
	"From: <sip:alice@contoso.com>;tag=" callid "\n"                 \
	"To: <sip:alice@contoso.com>;tag=x" callid "\n"                  \
	"Call-ID: " callid "\n"                                          \
	"CSeq: " cseq " REGISTER\n" extra                                \
	"Content-Length: 0\n\n"

#define CHAL(target)                                                     \
	"WWW-Authenticate: NTLM realm=\"SIP Communications Service\", " \
	"targetname=\"" target "\", version=4, opaque=\"AB12\"\n"        \
	"WWW-Authenticate: TLS-DSK realm=\"x\", targetname=\"" target    \
	"\", sts-uri=\"https://web/CertProv/CertProvisioningService.svc\"\n"

static void test_msgs(void)
{
	struct diff_msgs l = { 0 };
	add(&l, REG("1", "aaa", ""));
	add(&l, "SIP/2.0 100 Trying\nCall-ID: aaa\nCSeq: 1 REGISTER\n"
		"Content-Length: 0\n\n");
	add(&l, ANS("401 Unauthorized", "1", "aaa", CHAL("fe01.contoso.com")));
	add(&l, "GET https://lyncdiscover.contoso.com/?sipuri=a@b HTTP/1.1\n"
		"Host: lyncdiscover.contoso.com\n\n");
	add(&l, "HTTP/1.1 401 Unauthorized\nX-Ms-diagnostics: 28032;"
		"reason=\"The web ticket is invalid.\";source=\"fe\"\n"
		"Content-Length: 0\n\n");
	CHECK_INT(l.n, 4);      /* the 100 is skipped */
	CHECK(strcmp(l.v[0].method, "REGISTER") == 0);
	CHECK(strcmp(l.v[0].host, "contoso.com") == 0);
	CHECK(strcmp(l.v[1].method, "REGISTER") == 0);
	CHECK_INT(l.v[1].status, 401);
	CHECK(strcmp(l.v[1].offered, "NTLM, TLS-DSK") == 0);
	CHECK(strcmp(l.v[1].targetname, "fe01.contoso.com") == 0);
	CHECK(strstr(l.v[1].sts_uri, "/CertProv/") != NULL);
	CHECK(strcmp(l.v[2].path, "/") == 0);
	CHECK(strcmp(l.v[2].host, "lyncdiscover.contoso.com") == 0);
	/* an HTTP answer takes its request's method and path */
	CHECK(strcmp(l.v[3].method, "GET") == 0);
	CHECK(strcmp(l.v[3].path, "/") == 0);
	CHECK_INT(l.v[3].diag, 28032);
	CHECK(strcmp(l.v[3].diag_reason, "The web ticket is invalid.") == 0);
	diff_msgs_free(&l);
	CHECK(l.v == NULL && l.n == 0);
}

static void init_sess(struct sess *s, const char *user)
{
	memset(s, 0, sizeof *s);
	s->id = 1;
	snprintf(s->user, sizeof s->user, "%s", user);
	snprintf(s->server, sizeof s->server, "203.0.113.10:443");
	s->outcome = SESS_SIGNED_IN;
	s->auth_offered = SESS_AUTH_NTLM | SESS_AUTH_TLSDSK;
	s->auth_used = SESS_AUTH_NTLM;
	s->register_final = 200;
	snprintf(s->register_reason, sizeof s->register_reason, "OK");
	for (int i = 1; i < SFB_STEP__COUNT; i++)
		s->steps[i].status = SESS_OK;
}

static const struct diff_item *find(const struct diff_result *r,
				    enum diff_kind k, const char *what)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].kind == k && strstr(r->items[i].what, what))
			return &r->items[i];
	return NULL;
}

static void test_same(void)
{
	struct sess a, b;
	init_sess(&a, "sip:alice@contoso.com");
	init_sess(&b, "sip:alice@contoso.com");
	struct diff_msgs ma = { 0 }, mb = { 0 };
	/* what always differs: Call-ID, tags, branch, epid, opaque */
	add(&ma, REG("1", "aaa", ""));
	add(&ma, ANS("401 Unauthorized", "1", "aaa", CHAL("fe01")));
	add(&ma, REG("2", "aaa", "Authorization: NTLM targetname=\"fe01\","
		     " opaque=\"1\", crand=\"5\", cnum=\"1\"\n"));
	add(&ma, ANS("200 OK", "2", "aaa", ""));
	add(&mb, REG("7", "bbb", ""));
	add(&mb, ANS("401 Unauthorized", "7", "bbb", CHAL("fe01")));
	add(&mb, REG("8", "bbb", "Authorization: NTLM targetname=\"fe01\","
		     " opaque=\"2\", crand=\"9\", cnum=\"3\"\n"));
	add(&mb, ANS("200 OK", "8", "bbb", ""));
	struct diff_side g = { &a, &ma, NULL, 0 };
	struct diff_side bd = { &b, &mb, NULL, 0 };
	struct diff_result r = { 0 };
	CHECK_INT(diff_compare(&g, &bd, &r), 0);
	CHECK_INT(r.aligned, 4);
	CHECK_INT(r.first, 0);
	diff_result_free(&r);
	diff_msgs_free(&ma);
	diff_msgs_free(&mb);
}

static void test_differ(void)
{
	const struct diff_item *it0;
	struct sess a, b;
	init_sess(&a, "sip:alice@contoso.com");
	init_sess(&b, "sip:alice@contoso.com");
	b.outcome = SESS_FAILED_OUT;
	b.steps[SFB_STEP_AUTH].status = SESS_FAILED;
	b.steps[SFB_STEP_SETTINGS].status = SESS_NOT_SEEN;
	b.auth_used = 0;
	b.register_final = 403;
	snprintf(b.register_reason, sizeof b.register_reason, "Forbidden");
	snprintf(b.server, sizeof b.server, "203.0.113.10:5061");
	struct diff_msgs ma = { 0 }, mb = { 0 };
	add(&ma, "GET /?sipuri=a HTTP/1.1\nHost: lyncdiscover.c.com\n\n");
	add(&ma, "HTTP/1.1 200 OK\nContent-Length: 0\n\n");
	add(&ma, REG("1", "aaa", ""));
	add(&ma, ANS("401 Unauthorized", "1", "aaa", CHAL("fe01")));
	add(&ma, REG("2", "aaa", "Authorization: NTLM targetname=\"fe01\"\n"));
	add(&ma, ANS("200 OK", "2", "aaa", ""));
	add(&mb, REG("1", "bbb", ""));
	add(&mb, ANS("401 Unauthorized", "1", "bbb", CHAL("fe02")));
	add(&mb, REG("2", "bbb", "Authorization: NTLM targetname=\"fe02\"\n"));
	add(&mb, ANS("403 Forbidden", "2", "bbb",
		     "ms-diagnostics: 4003;reason=\"From URI not enabled "
		     "for remote access\"\n"));
	add(&mb, REG("3", "bbb", "Authorization: NTLM targetname=\"fe02\"\n"));
	add(&mb, ANS("403 Forbidden", "3", "bbb", ""));
	/* findings: the warning in both and the info are not listed */
	static struct rules_rule r1, r2, r3;
	r1.id = "auth.both";
	r2.id = "auth.bad-only";
	r3.id = "info.only";
	struct finding fa[1], fb[3];
	memset(fa, 0, sizeof fa);
	memset(fb, 0, sizeof fb);
	fa[0] = (struct finding){ .rule = &r1, .sev = SFB_SEV_WARNING };
	fb[0] = (struct finding){ .rule = &r2, .sev = SFB_SEV_ERROR,
				  .step = SFB_STEP_AUTH, .nev = 1 };
	snprintf(fb[0].title, sizeof fb[0].title, "refused");
	fb[0].ev[0].file = "b.log";
	fb[0].ev[0].line = 42;
	fb[1] = (struct finding){ .rule = &r1, .sev = SFB_SEV_WARNING };
	fb[2] = (struct finding){ .rule = &r3, .sev = SFB_SEV_INFO };
	struct diff_side g = { &a, &ma, fa, 1 }, bd = { &b, &mb, fb, 3 };
	struct diff_result r = { 0 };
	CHECK(diff_compare(&g, &bd, &r) > 0);
	it0 = find(&r, DIFF_FINDING, "auth.bad-only");
	CHECK(it0 && strcmp(it0->bad, "error: refused") == 0 &&
	      !it0->good[0] && it0->bad_line == 42 &&
	      it0->step == SFB_STEP_AUTH);
	CHECK(find(&r, DIFF_FINDING, "auth.both") == NULL);
	CHECK(find(&r, DIFF_FINDING, "info.only") == NULL);
	CHECK_INT(r.aligned, 4);
	CHECK_INT(r.good_only, 2);
	CHECK_INT(r.bad_only, 2);
	/* the lyncdiscover GET is in good only: the first divergence */
	CHECK(r.first < r.n);
	CHECK_INT(r.items[r.first].kind, DIFF_ONLY);
	CHECK_INT(r.items[r.first].step, SFB_STEP_DISCOVERY);
	CHECK(strcmp(r.items[r.first].what, "GET /") == 0);
	CHECK(r.items[r.first].good[0] && !r.items[r.first].bad[0]);
	const struct diff_item *it = find(&r, DIFF_ANSWER, "REGISTER");
	CHECK(it && strcmp(it->good, "200 OK") == 0);
	CHECK(it && strstr(it->bad, "403 Forbidden; ms-diagnostics 4003"));
	CHECK(it && it->bad_line == 4 && it->good_line == 6);
	it = find(&r, DIFF_HEADER, "targetname (WWW-Authenticate)");
	CHECK(it && strcmp(it->good, "fe01") == 0 &&
	      strcmp(it->bad, "fe02") == 0);
	CHECK(find(&r, DIFF_HEADER, "targetname (Authorization)") != NULL);
	CHECK(find(&r, DIFF_SERVER, "server reached") != NULL);
	CHECK(find(&r, DIFF_STEP, "authentication step") != NULL);
	CHECK(find(&r, DIFF_STEP, "settings step") != NULL);
	CHECK(find(&r, DIFF_AUTH, "auth used") != NULL);
	CHECK(find(&r, DIFF_AUTH, "auth offered") == NULL);
	/* the extra REGISTER of bad: once, not with its answer */
	it = find(&r, DIFF_ONLY, "REGISTER");
	CHECK(it && !it->good[0] && it->repeats == 0);
	CHECK(find(&r, DIFF_ONLY, "answer to REGISTER") == NULL);
	/* by step: discovery first, settings last */
	for (size_t i = 1; i < r.n; i++)
		CHECK(r.items[i - 1].step <= r.items[i].step);
	diff_result_free(&r);
	diff_msgs_free(&ma);
	diff_msgs_free(&mb);
}

static void test_bounds(void)
{
	struct diff_msgs l = { 0 };
	for (int i = 0; i < DIFF_MAX_MSGS + 3; i++)
		add(&l, REG("1", "a", ""));
	CHECK_INT(l.n, DIFF_MAX_MSGS);
	CHECK_INT(l.dropped, 3);
	/* two long lists that never match: bounded items, no hang */
	struct diff_msgs o = { 0 };
	for (int i = 0; i < 400; i++) {
		/* each one its own method: 400 distinct differences */
		char m[80];
		snprintf(m, sizeof m, "X%d sip:x SIP/2.0\nCSeq: 1 X%d\n\n",
			 i, i);
		add(&o, m);
	}
	struct sess a, b;
	init_sess(&a, "a");
	init_sess(&b, "b");
	struct diff_side g = { &a, &l, NULL, 0 };
	struct diff_side bd = { &b, &o, NULL, 0 };
	struct diff_result r = { 0 };
	diff_compare(&g, &bd, &r);
	CHECK_INT(r.n, DIFF_MAX_ITEMS);
	CHECK(r.dropped > 0);
	CHECK_INT(r.good_only, DIFF_MAX_MSGS);
	CHECK_INT(r.bad_only, 400);
	diff_result_free(&r);
	diff_msgs_free(&l);
	diff_msgs_free(&o);
	char buf[64];
	init_sess(&a, "a");
	CHECK(strcmp(diff_discovery(&a, buf, sizeof buf), "none") == 0);
	a.nhttp = 1;
	a.http[0].kind = SESS_HTTP_LYNCDISCOVER;
	a.steps[SFB_STEP_DISCOVERY].nev = 1;
	snprintf(a.steps[SFB_STEP_DISCOVERY].ev[0].text, 100,
		 "DNS: query _sipinternaltls._tcp.c.com type SRV returned x");
	CHECK(strcmp(diff_discovery(&a, buf, sizeof buf),
		     "lyncdiscover, DNS SRV") == 0);
	CHECK(strcmp(diff_kind_name(DIFF_ANSWER), "answer") == 0);
}

int main(void)
{
	test_msgs();
	test_same();
	test_differ();
	test_bounds();
	return CHECK_DONE("unit_diff");
}
