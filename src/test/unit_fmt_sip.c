/* SPDX-License-Identifier: MIT */
/*
 * unit_fmt_sip.c -- unit tests of the raw SIP/HTTP text parser
 * (parsers/fmt_sip.c) and of its detection (parsers/fmt.c).
 *
 * Besides the cases (indented headers, headers run together by a
 * paste, bodies with and without Content-Length, step trees, the
 * shapes of the public samples), split tests in the spirit of
 * http-parser's test.c: every pair of messages fed back to back with
 * every separator must give the same two messages as each alone; every
 * message cut after every line must give a prefix of its whole text;
 * every message broken at every byte offset (a line split in two by a
 * paste) must still account for every non-blank line exactly once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sip.h"
#include "sv.h"

#define MAX_RECS 64

struct grec {
	enum rec_type type;
	unsigned long first, last;
	int64_t ts;
	enum rec_dir dir;
	int truncated;
	char text[8192];
	size_t n;
};

struct got {
	struct grec r[MAX_RECS];
	size_t n, nmsg, nentry, nwarn;
	unsigned long covered[256];  /* times each line was in a record */
};

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct got *g = ud;
	if (rec->type == REC_MSG)
		g->nmsg++;
	else if (rec->type == REC_ENTRY)
		g->nentry++;
	else if (rec->type == REC_WARN)
		g->nwarn++;
	if (rec->type != REC_WARN)
		for (unsigned long l = rec->line_first;
		     l <= rec->line_last && l < 256; l++)
			g->covered[l]++;
	if (g->n == MAX_RECS)
		return 0;
	struct grec *r = &g->r[g->n++];
	r->type = rec->type;
	r->first = rec->line_first;
	r->last = rec->line_last;
	r->ts = rec->ts;
	r->dir = rec->dir;
	r->truncated = rec->truncated;
	r->n = rec->text.n < sizeof r->text ? rec->text.n
					    : sizeof r->text - 1;
	if (r->n)
		memcpy(r->text, rec->text.p, r->n);
	r->text[r->n] = '\0';
	return 0;
}

/* Feed text line by line (at '\n') through fmt_sip or fmt (auto). */
static enum fmt_kind feed(const char *text, size_t len, struct got *g,
			  int via_fmt)
{
	struct fmt_sink sink = { on_rec, g };
	struct fmt_sip *p = via_fmt ? NULL : fmt_sip_new(&sink, NULL);
	struct fmt *f = via_fmt ? fmt_new(FMT_AUTO, &sink, NULL) : NULL;
	struct sfb_err err = { 0 };
	size_t i = 0;
	unsigned long ln = 1;
	memset(g, 0, sizeof *g);
	while (i < len) {
		const char *e = memchr(text + i, '\n', len - i);
		size_t n = e ? (size_t)(e - (text + i)) : len - i;
		if (f)
			(void)fmt_feed(f, sv_make(text + i, n), ln++, &err);
		else
			(void)fmt_sip_feed(p, sv_make(text + i, n), ln++);
		i += n + 1;
	}
	enum fmt_kind k = FMT_SIP;
	if (f) {
		(void)fmt_finish(f, &err);
		k = fmt_kind_get(f);
	} else {
		(void)fmt_sip_finish(p);
	}
	fmt_free(f);
	fmt_sip_free(p);
	return k;
}

static const struct grec *nth(const struct got *g, enum rec_type t,
			      size_t k)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->r[i].type == t && k-- == 0)
			return &g->r[i];
	return NULL;
}

/* Parse a record's text as a message (m is the caller's). */
static int parse(struct msg *m, const struct grec *r)
{
	msg_set_bytes(m, r->text, r->n);
	return sip_parse(m);
}

/* ---- the messages of the split tests ---- */

static const char *const msgs[] = {
	/* plain REGISTER, no body */
	"REGISTER sip:contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.1.40:51234\n"
	"From: <sip:alice@contoso.com>;tag=9a1b;epid=01e2\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: c1\n"
	"CSeq: 1 REGISTER\n"
	"Content-Length: 0\n",
	/* headers indented by one space under the start line */
	"SIP/2.0 500 Server Internal Error\n"
	" ms-user-logon-data: RemoteUser\n"
	" Via: SIP/2.0/TLS 192.168.1.190:58350;received=192.168.1.1\n"
	" Call-ID: c2\n"
	" CSeq: 1 INVITE\n"
	" ms-diagnostics: 15000;reason=\"Unable to read\";source=\"fe\"\n"
	" Content-Length: 0 \n",
	/* run together by a paste */
	"SIP/2.0 504 Server time-out Authentication-Info: TLS-DSK "
	"qop=\"auth\", opaque=\"FA40\", targetname=\"fe.skype.lab\", "
	"version=4\n"
	"Call-ID: c3\n"
	"CSeq: 1 INVITE Via: SIP/2.0/TLS 10.55.186.71:62937;ms-received-"
	"port=62937\n"
	"ms-diagnostics: 1009; reason =\"No match\";source=\"sip.lab\"\n"
	"Content-Length: 0\n",
	/* a body with Content-Length (LF counted as CRLF) */
	"SIP/2.0 200 OK\n"
	"Call-ID: c4\n"
	"CSeq: 2 SERVICE\n"
	"Content-Type: application/xml\n"
	"Content-Length: 13\n"
	"\n"
	"<a>\n"
	"\n"
	"<b/>\n",
	/* HTTP with a body and no Content-Length */
	"HTTP/1.1 401 Unauthorized\n"
	"X-Ms-diagnostics: 28032;source=\"fe01\";reason=\"The web ticket is "
	"invalid.\"\n"
	"Content-Type: text/xml\n"
	"\n"
	"<s:Fault/>\n",
	/* a whole message flattened onto one line, body included */
	"SERVICE sip:bob@contoso.com SIP/2.0 Via: SIP/2.0/TCP 172.24.32.124:"
	"54111 From: <sip:bob@contoso.com>;tag=aa5b To: <sip:bob@contoso.com>"
	" Call-ID: c6 CSeq: 1 SERVICE Content-Type: application/msrtc-"
	"presence-setsubscriber+xml Content-Length: 40 <setSubscribers "
	"user=\"j\"/>\n",
};
#define NMSGS (sizeof msgs / sizeof msgs[0])
static const char *const call_ids[NMSGS] = {
	"c1", "c2", "c3", "c4", "c5-none", "c6"
};

static void test_each_alone(void)
{
	struct got g;
	struct msg m;
	msg_init(&m);
	for (size_t i = 0; i < NMSGS; i++) {
		feed(msgs[i], strlen(msgs[i]), &g, 0);
		CHECK_INT(g.nmsg, 1);
		CHECK_INT(g.nentry, 0);
		const struct grec *r = nth(&g, REC_MSG, 0);
		if (!r)
			continue;
		CHECK(r->ts == SFB_TIME_NONE);
		CHECK(r->dir == DIR_UNKNOWN);
		CHECK(!r->truncated);
		CHECK_INT(parse(&m, r), 0);
		if (i != 4)
			CHECK_SV(m.call_id, call_ids[i]);
		CHECK(!(m.flags & MSG_F_BAD_HEADER));
	}
	/* the indented headers are headers */
	feed(msgs[1], strlen(msgs[1]), &g, 0);
	parse(&m, &g.r[0]);
	CHECK_INT(m.ndiags, 1);
	CHECK_INT(m.diags[0].code, 15000);
	CHECK_SV(m.cseq_method, "INVITE");
	CHECK_INT(g.nwarn, 0);
	/* run-together headers: split, one warning per line naming it */
	feed(msgs[2], strlen(msgs[2]), &g, 0);
	parse(&m, &g.r[0]);
	CHECK_INT(m.status, 504);
	CHECK_SV(m.status_reason, "Server time-out");
	CHECK_INT(m.nauths, 1);
	CHECK_SV(m.auths[0].scheme, "TLS-DSK");
	CHECK_SV(m.cseq_method, "INVITE");
	CHECK_INT(m.nvia, 1);
	CHECK_INT(m.ndiags, 1);
	CHECK_INT(m.diags[0].code, 1009);
	CHECK_INT(g.nwarn, 2);
	const struct grec *w = nth(&g, REC_WARN, 0);
	CHECK(w && w->first == 1 && strstr(w->text, "'Authentication-Info'"));
	w = nth(&g, REC_WARN, 1);
	CHECK(w && w->first == 3 && strstr(w->text, "'Via'"));
	/* the body and its Content-Length */
	feed(msgs[3], strlen(msgs[3]), &g, 0);
	parse(&m, &g.r[0]);
	CHECK_SV(m.body, "<a>\n\n<b/>");
	CHECK(!(m.flags & MSG_F_CL_MISMATCH));
	/* HTTP: a body-looking line after the blank is the body */
	feed(msgs[4], strlen(msgs[4]), &g, 0);
	parse(&m, &g.r[0]);
	CHECK_INT(m.proto, MSG_HTTP);
	CHECK_SV(m.body, "<s:Fault/>");
	CHECK_INT(m.ndiags, 1);
	/* flattened: every header and the body found again */
	feed(msgs[5], strlen(msgs[5]), &g, 0);
	parse(&m, &g.r[0]);
	CHECK_SV(m.method, "SERVICE");
	CHECK_SV(m.uri, "sip:bob@contoso.com");
	CHECK_SV(m.from_tag, "aa5b");
	CHECK_SV(m.content_type,
		 "application/msrtc-presence-setsubscriber+xml");
	CHECK_SV(m.body, "<setSubscribers user=\"j\"/>");
	msg_free(&m);
}

/* Every pair back to back, with no, one and two blank lines between. */
static void test_back_to_back(void)
{
	static const char *const seps[] = { "", "\n", "\n\n" };
	struct got ga, gb, g;
	char buf[8192];
	for (size_t i = 0; i < NMSGS; i++) {
		for (size_t j = 0; j < NMSGS; j++) {
			feed(msgs[i], strlen(msgs[i]), &ga, 0);
			feed(msgs[j], strlen(msgs[j]), &gb, 0);
			for (size_t s = 0; s < 3; s++) {
				/* a body without Content-Length needs the
				 * blank line to end (as on the wire) */
				if (i == 4 && s == 0)
					continue;
				int n = snprintf(buf, sizeof buf, "%s%s%s",
						 msgs[i], seps[s], msgs[j]);
				feed(buf, (size_t)n, &g, 0);
				CHECK_INT(g.nmsg, 2);
				const struct grec *a = nth(&g, REC_MSG, 0);
				const struct grec *b = nth(&g, REC_MSG, 1);
				CHECK(a && b && strcmp(a->text,
						       ga.r[0].text) == 0 &&
				      strcmp(b->text, gb.r[0].text) == 0);
				CHECK_INT(g.nwarn, ga.nwarn + gb.nwarn);
			}
		}
	}
}

/* Cut after every line: the message so far is a prefix of the whole. */
static void test_cut_every_line(void)
{
	struct got whole, g;
	for (size_t i = 0; i < NMSGS; i++) {
		size_t len = strlen(msgs[i]);
		feed(msgs[i], len, &whole, 0);
		for (size_t k = 0; k < len; k++) {
			if (msgs[i][k] != '\n')
				continue;
			feed(msgs[i], k + 1, &g, 0);
			CHECK_INT(g.nmsg, 1);
			const struct grec *r = nth(&g, REC_MSG, 0);
			CHECK(r && r->n <= whole.r[0].n &&
			      memcmp(r->text, whole.r[0].text, r->n) == 0);
		}
	}
}

/*
 * Break a line at every byte offset (a paste that wrapped it): no
 * crash, every non-blank line in exactly one record, records in line
 * order.
 */
static void test_break_every_byte(void)
{
	struct got g;
	char buf[8192];
	for (size_t i = 0; i < NMSGS; i++) {
		size_t len = strlen(msgs[i]);
		for (size_t k = 1; k < len; k++) {
			memcpy(buf, msgs[i], k);
			buf[k] = '\n';
			memcpy(buf + k + 1, msgs[i] + k, len - k);
			size_t n = len + 1;
			feed(buf, n, &g, 0);
			/* a broken start line is no start line */
			if (k > (size_t)(strchr(msgs[i], '\n') - msgs[i]))
				CHECK(g.nmsg >= 1);
			unsigned long ln = 1, bad = 0;
			for (size_t a = 0; a < n; ln++) {
				const char *e = memchr(buf + a, '\n', n - a);
				size_t l = e ? (size_t)(e - buf - a) : n - a;
				int blank = sv_is_blank(sv_make(buf + a, l));
				/* a blank line inside a body is in it */
				if (ln < 256 && (g.covered[ln] > 1 ||
						 (!blank && !g.covered[ln])))
					bad++;
				a += l + 1;
			}
			if (bad)
				fprintf(stderr, "message %zu broken at %zu\n",
					i, k);
			CHECK_INT(bad, 0);
			for (size_t r = 1; r < g.n; r++)
				CHECK(g.r[r].first >= g.r[r - 1].first);
		}
	}
}

static void test_step_tree(void)
{
	static const char tree[] =
		"1 Login: FAIL (hr = 0x80fb0800)\n"
		"VerifyOnEnableEvent result return ONENABLE_FAIL_AUTH\n"
		"status=0x80ef0191\n"
		"1.1 Lync-autodiscovery: PASS\n"
		"1.1.1 Get-NewWebTicket: FAIL (hr = 0x80f10041)\n"
		"Executing wws method with OAuth, asyncContext=1214F6C8,\n"
		" context: WebRequest context@ :301222784\n"
		"  AsyncHResult:80f10041\n"
		"  TargetUri:https://webdir.contoso.com/WebTicket/"
		"WebTicketService.svc/OAuth\n"
		"\n"
		"- 1.3.1 GetAndPublishCert: FAIL (hr = 0x1)\n"
		"- AsyncHResult:3d0000\n";
	struct got g;
	enum fmt_kind k = feed(tree, sizeof tree - 1, &g, 1);
	CHECK_INT(k, FMT_SIP);
	CHECK_INT(g.nmsg, 0);
	CHECK_INT(g.nentry, 4);
	const struct grec *e = nth(&g, REC_ENTRY, 0);
	CHECK(e && e->first == 1 && e->last == 3 &&
	      strstr(e->text, "status=0x80ef0191"));
	e = nth(&g, REC_ENTRY, 2);
	CHECK(e && e->first == 5 && e->last == 9 &&
	      strstr(e->text, "AsyncHResult:80f10041\n  TargetUri:"));
	CHECK(e && e->ts == SFB_TIME_NONE);
	e = nth(&g, REC_ENTRY, 3);
	CHECK(e && e->first == 11 && e->last == 12);
}

static void test_detect(void)
{
	struct got g;
	/* free text, then a message: detected as raw text */
	static const char a[] =
		"In the UCCAPILOG was this entry:\n"
		"\n"
		"SIP/2.0 401 Unauthorized\n"
		"Call-ID: x1\n"
		"WWW-Authenticate: TLS-DSK realm=\"SIP Communications "
		"Service\", version=4\n";
	CHECK_INT(feed(a, sizeof a - 1, &g, 1), FMT_SIP);
	CHECK_INT(g.nmsg, 1);
	CHECK_INT(g.nentry, 1);
	CHECK(g.r[0].type == REC_ENTRY && g.r[0].first == 1);
	/* a client log stays a client log, even after a bare message */
	static const char b[] =
		"SIP/2.0 200 OK\n"
		"01/15/2021|09:12:03.101 2A10:3B4C INFO  :: hello\n";
	CHECK_INT(feed(b, sizeof b - 1, &g, 1), FMT_UCC);
	/* text without any start line is refused */
	static const char c[] = "hello\nworld\n";
	CHECK_INT(feed(c, sizeof c - 1, &g, 1), FMT_AUTO);
	CHECK_INT(g.n, 0);
	CHECK_INT(fmt_kind_parse("sip"), FMT_SIP);
	CHECK(strcmp(fmt_kind_name(FMT_SIP), "sip") == 0);
	CHECK(fmt_sip_sniff(SV_LIT(" SIP/2.0 200 OK")));
	CHECK(fmt_sip_sniff(SV_LIT("GET /x?y=1 HTTP/1.1")));
	CHECK(!fmt_sip_sniff(SV_LIT("Start-Line: REGISTER sip:a SIP/2.0")));
	CHECK(!fmt_sip_sniff(SV_LIT("The REGISTER got SIP/2.0 back")));
	CHECK(fmt_sip_sniff(SV_LIT("1.3 BootStrap: FAIL (hr = 0x1)")));
	CHECK(!fmt_sip_sniff(SV_LIT("1 Login: fail")));
}

static void test_repairs(void)
{
	struct got g;
	struct msg m;
	msg_init(&m);
	/* a wrapped value is joined, a body without a blank line found */
	static const char a[] =
		"SIP/2.0 403 Forbidden\n"
		"Via: SIP/2.0/TLS\n"
		"192.168.0.1:49176;received=62.0.0.1\n"
		"Call-ID: r1\n"
		"Content-Length: 10\n"
		"- <Fault>\n";
	feed(a, sizeof a - 1, &g, 0);
	CHECK_INT(g.nmsg, 1);
	CHECK_INT(g.nwarn, 2);
	parse(&m, nth(&g, REC_MSG, 0));
	CHECK_INT(m.nvia, 1);
	const struct msg_hdr *h = msg_hdr_get(&m, "Via");
	CHECK(h != NULL);
	if (h)
		CHECK_SV(h->value,
			 "SIP/2.0/TLS 192.168.0.1:49176;received=62.0.0.1");
	CHECK_SV(m.body, "- <Fault>");
	/* quoted and bracketed text is never split */
	static const char b[] =
		"SIP/2.0 480 Temporarily Unavailable\n"
		"ms-diagnostics: 1;reason=\"see Via: x\";source=\"a\"\n"
		"Contact: <sip:a;x=To: y>\n";
	feed(b, sizeof b - 1, &g, 0);
	CHECK_INT(g.nwarn, 0);
	parse(&m, nth(&g, REC_MSG, 0));
	CHECK_INT(m.nhdrs, 2);
	/* the size limit cuts and says so */
	struct fmt_limits lim = { 64 };
	struct fmt_sink sink = { on_rec, &g };
	memset(&g, 0, sizeof g);
	struct fmt_sip *p = fmt_sip_new(&sink, &lim);
	fmt_sip_feed(p, SV_LIT("SIP/2.0 200 OK"), 1);
	for (unsigned long l = 2; l < 40; l++)
		fmt_sip_feed(p, SV_LIT("X-Pad: 0123456789"), l);
	fmt_sip_finish(p);
	fmt_sip_free(p);
	CHECK_INT(g.nmsg, 1);
	CHECK(g.r[0].truncated && g.r[0].n <= 64);
	CHECK(nth(&g, REC_WARN, 0) &&
	      strstr(nth(&g, REC_WARN, 0)->text, "size limit"));
	msg_free(&m);
}

/* ---- step trees reach the pattern table as events ---- */

struct evs {
	struct pat_table *t;
	char names[1024];
	char caps[2048];
};

static int on_event(void *ud, const struct pat_event *ev)
{
	struct evs *e = ud;
	size_t n = strlen(e->names);
	snprintf(e->names + n, sizeof e->names - n, "%s%s", n ? " " : "",
		 ev->name);
	for (size_t i = 0; i < ev->ncaps; i++) {
		size_t m = strlen(e->caps);
		snprintf(e->caps + m, sizeof e->caps - m, "%s/%.*s=%.*s\n",
			 ev->name, (int)ev->caps[i].name.n, ev->caps[i].name.p,
			 (int)ev->caps[i].value.n, ev->caps[i].value.p);
	}
	return 0;
}

static int on_entry(void *ud, const struct fmt_rec *rec)
{
	if (rec->type == REC_ENTRY) {
		struct evs *e = ud;
		(void)pattern_match(e->t, rec->text, on_event, e);
	}
	return 0;
}

/* Feed text through fmt (auto) with every entry matched. */
static enum fmt_kind feed_events(const char *text, struct evs *e)
{
	struct fmt_sink sink = { on_entry, e };
	struct fmt *f = fmt_new(FMT_AUTO, &sink, NULL);
	struct sfb_err err = { 0 };
	size_t len = strlen(text), i = 0;
	unsigned long ln = 1;
	e->names[0] = e->caps[0] = '\0';
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		(void)fmt_feed(f, sv_make(text + i, n), ln++, &err);
		i += n + 1;
	}
	(void)fmt_finish(f, &err);
	enum fmt_kind k = fmt_kind_get(f);
	fmt_free(f);
	return k;
}

static void test_step_events(void)
{
	static const char *const paths[] = { "rules/patterns.tsv", NULL };
	struct sfb_err err = { 0 };
	struct evs e;
	e.t = pattern_load(paths, &err);
	CHECK(e.t != NULL);
	if (!e.t) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	/* inside a client log: the continuation lines are the entry's */
	static const char ucc[] =
		"01/15/2021|09:20:40.100 1EB8:2CE6 INFO  :: 1.1.1 "
		"Get-NewWebTicket: FAIL (hr = 0x80f10041)\n"
		"01/15/2021|09:20:40.101 1EB8:2CE6 INFO  :: Executing wws "
		"method with OAuth, asyncContext=1214F6C8,\n"
		"  AsyncHResult:80f10041\n"
		"  TargetUri:https://webdir.contoso.com/WebTicket/"
		"WebTicketService.svc/OAuth\n"
		" Error: The server returned a trust fault: 'The SIP URI in "
		"the claim type requirements of the web ticket request does "
		"not match the SIP URI associated with the presented "
		"credentials.'\n";
	CHECK_INT(feed_events(ucc, &e), FMT_UCC);
	CHECK(strstr(e.caps, "client.step.fail/step=1.1.1\n") != NULL);
	CHECK(strstr(e.caps, "client.step.fail/hr=0x80f10041\n") != NULL);
	CHECK(strstr(e.caps, "webservice.fault/fault=The SIP URI in the "
			     "claim type requirements") != NULL);
	CHECK(strstr(e.caps, "auth.sip_uri_mismatch/fault=The SIP URI")
	      != NULL);
	/* pasted: the step line takes the request under it */
	static const char paste[] =
		"1 Login: FAIL (hr = 0x80fb0800)\n"
		"1.1.1 Get-NewWebTicket: FAIL (hr = 0x80f10041)\n"
		"Executing wws method with OAuth, asyncContext=1214F6C8,\n"
		"  AsyncHResult:80f10041\n"
		"  TargetUri:https://webdir.contoso.com/WebTicket/"
		"WebTicketService.svc/OAuth\n"
		" Error: The server returned a trust fault: 'User is not SIP "
		"enabled'\n"
		"1.2 DNSAutoDiscovery: PASS\n";
	CHECK_INT(feed_events(paste, &e), FMT_SIP);
	CHECK(strstr(e.caps, "client.step.fail/step=1\n"
			     "client.step.fail/name=Login\n"
			     "client.step.fail/result=FAIL\n"
			     "client.step.fail/hr=0x80fb0800\n") != NULL);
	CHECK(strstr(e.caps, "client.step.fail/async_hr=80f10041\n"
			     "client.step.fail/target=https://webdir."
			     "contoso.com/WebTicket/WebTicketService.svc/"
			     "OAuth\n"
			     "client.step.fail/fault=User is not SIP "
			     "enabled\n") != NULL);
	CHECK(strstr(e.caps, "client.step/result=PASS\n") != NULL);
	CHECK(strstr(e.names, "auth.not_sip_enabled") != NULL);
	pattern_free(e.t);
}

int main(void)
{
	test_each_alone();
	test_back_to_back();
	test_cut_every_line();
	test_break_every_byte();
	test_step_tree();
	test_detect();
	test_repairs();
	test_step_events();
	return CHECK_DONE("unit_fmt_sip");
}
