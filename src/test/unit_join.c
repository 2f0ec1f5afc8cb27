/* SPDX-License-Identifier: MIT */
/*
 * unit_join.c -- unit tests of stage 5b (src/join.c): client sign-ins
 * joined with server sign-ins.  Messages and sessions are built by hand
 * (zeroed structs, views on literals), fed as the engine would (begin,
 * messages, closed sessions, end per stream), and each case asserts the
 * match, the clock offset and skew, the lost messages, the bounds and
 * the join-scope findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "field.h"
#include "join.h"
#include "rules.h"
#include "sv.h"

#define T0 INT64_C(1610701923000)      /* 2021-01-15 09:12:03 UTC */
#define MIN INT64_C(60000)

/* One message: a request (status 0) or a response. */
static void feed(struct join *j, unsigned session, const char *cid,
		 unsigned cseq, int status, int64_t ts, enum rec_dir dir,
		 const char *server, unsigned long line)
{
	struct msg m;
	memset(&m, 0, sizeof m);
	m.proto = MSG_SIP;
	m.kind = status ? MSG_RESPONSE : MSG_REQUEST;
	m.method = status ? SV_NULL : sv_cstr("REGISTER");
	m.status = status;
	m.status_reason = sv_cstr(status == 200 ? "OK" : "Unauthorized");
	m.call_id = sv_cstr(cid);
	m.cseq = cseq;
	m.cseq_method = sv_cstr("REGISTER");
	m.ts = ts;
	m.dir = dir;
	m.file = server ? "trace.log" : "client.log";
	m.line_first = line;
	m.server_trace = server != NULL;
	if (server)
		snprintf(m.server, sizeof m.server, "%s", server);
	join_msg(j, &m, session);
}

static void close_sess(struct join *j, unsigned id, int client,
		       const char *user, const char *epid, int64_t start)
{
	struct sess s;
	memset(&s, 0, sizeof s);
	s.id = id;
	s.client_log = client;
	snprintf(s.user, sizeof s.user, "%s", user);
	snprintf(s.epid, sizeof s.epid, "%s", epid);
	s.file = client ? "client.log" : "trace.log";
	s.first_line = 1;
	s.start = start;
	s.end = start + 1000;
	s.outcome = SESS_SIGNED_IN;
	join_session(j, &s, NULL, 0);
}

/*
 * A client sign-in of two REGISTER pairs (CSeq 1, 2) whose log time is
 * UTC + off, with Call-ID cid.
 */
static void client_stream(struct join *j, const char *cid, int64_t off,
			  const char *user)
{
	join_begin(j, "client.log");
	feed(j, 1, cid, 1, 0, T0 + off, DIR_OUT, NULL, 10);
	feed(j, 1, cid, 1, 401, T0 + 100 + off, DIR_IN, NULL, 20);
	feed(j, 1, cid, 2, 0, T0 + 200 + off, DIR_OUT, NULL, 30);
	feed(j, 1, cid, 2, 200, T0 + 300 + off, DIR_IN, NULL, 40);
	close_sess(j, 1, 1, user, "epid1", T0 + off);
	join_end(j);
}

/* The server's view of it; lose2: the trace misses CSeq 2. */
static void server_stream(struct join *j, const char *cid, int lose2,
			  const char *user)
{
	join_begin(j, "trace.log");
	feed(j, 1, cid, 1, 0, T0 + 2, DIR_IN, "fe01", 100);
	feed(j, 1, cid, 1, 401, T0 + 98, DIR_OUT, "fe01", 110);
	if (!lose2) {
		feed(j, 1, cid, 2, 0, T0 + 202, DIR_IN, "fe01", 120);
		feed(j, 1, cid, 2, 200, T0 + 298, DIR_OUT, "fe01", 130);
	}
	/* traffic of no sign-in: the trace covers the minutes after */
	feed(j, 0, "other", 1, 0, T0 + 5000, DIR_IN, "fe01", 140);
	close_sess(j, 1, 0, user, "epid1", T0 + 2);
	join_end(j);
}

/* Names listed once each, a name inside another one included. */
static void test_server_names(void)
{
	struct join *j = join_new();
	client_stream(j, "abc", 0, "sip:a@x");
	join_begin(j, "trace.log");
	feed(j, 1, "abc", 1, 0, T0 + 2, DIR_IN, "fe010", 100);
	feed(j, 1, "abc", 1, 401, T0 + 98, DIR_OUT, "fe010", 110);
	feed(j, 1, "abc", 2, 0, T0 + 202, DIR_IN, "fe01", 120);
	feed(j, 1, "abc", 2, 200, T0 + 298, DIR_OUT, "fe01", 130);
	close_sess(j, 1, 0, "sip:a@x", "epid1", T0 + 2);
	join_end(j);
	join_finish(j, NULL);
	const struct join_signin *js = join_get(j, 0);
	CHECK(js != NULL);
	if (js)
		CHECK(strcmp(js->facts.servers, "fe010, fe01") == 0);
	join_free(j);
}

static void test_join_and_clock(void)
{
	struct join *j = join_new();
	client_stream(j, "abc", 10 * MIN, "sip:a@x");
	server_stream(j, "abc", 0, "sip:a@x");
	join_finish(j, NULL);
	size_t nc, ns;
	join_inputs(j, &nc, &ns);
	CHECK_INT(nc, 1);
	CHECK_INT(ns, 1);
	CHECK_INT(join_count(j), 1);
	const struct join_signin *js = join_get(j, 0);
	CHECK(js != NULL);
	if (!js)
		goto out;
	CHECK_INT(js->nserver, 1);
	CHECK_INT(js->facts.by, JOIN_BY_CALLID);
	CHECK_INT(js->facts.nmatched, 4);
	CHECK(js->facts.have_offset);
	/* differences -2, +2, -2, +2 ms: median 0, spread 4 */
	CHECK_INT(js->facts.offset_ms, 10 * MIN);
	CHECK_INT(js->facts.spread_ms, 4);
	CHECK_INT(js->facts.skew_ms, 10 * MIN);
	CHECK_INT(js->facts.lost_total, 0);
	CHECK(strcmp(js->facts.servers, "fe01") == 0);
	CHECK(js->facts.pair_client && js->facts.pair_client->line == 10);
	CHECK(js->facts.pair_server && js->facts.pair_server->line == 100);
out:
	join_free(j);
}

static void test_time_zone(void)
{
	/* an hour and 3 s ahead: a time zone and a 3 s clock error */
	struct join *j = join_new();
	client_stream(j, "tz", 60 * MIN + 3000, "sip:a@x");
	server_stream(j, "tz", 0, "sip:a@x");
	join_finish(j, NULL);
	const struct join_signin *js = join_get(j, 0);
	CHECK(js && js->facts.offset_ms == 60 * MIN + 3000);
	CHECK(js && js->facts.skew_ms == 3000);
	join_free(j);
	/* 20 min behind: nearest half hour is -30 min, so +10 min off */
	j = join_new();
	client_stream(j, "tz2", -20 * MIN, "sip:a@x");
	server_stream(j, "tz2", 0, "sip:a@x");
	join_finish(j, NULL);
	js = join_get(j, 0);
	CHECK(js && js->facts.skew_ms == 10 * MIN);
	join_free(j);
}

static void test_lost(void)
{
	struct join *j = join_new();
	client_stream(j, "lost", 0, "sip:a@x");
	server_stream(j, "lost", 1, "sip:a@x");
	join_finish(j, NULL);
	const struct join_signin *js = join_get(j, 0);
	CHECK(js != NULL);
	if (js) {
		/* the REGISTER CSeq 2 the client sent; not its answer */
		CHECK_INT(js->facts.lost_total, 1);
		CHECK(js->facts.nlost == 1 && js->facts.lost[0].m->cseq == 2 &&
		      js->facts.lost[0].m->request &&
		      !js->facts.lost[0].to_client);
		CHECK_INT(js->facts.nmatched, 2);
	}
	join_free(j);

	/* the server answered; the client never logged the answer */
	j = join_new();
	join_begin(j, "client.log");
	feed(j, 1, "lc", 1, 0, T0, DIR_OUT, NULL, 10);
	feed(j, 1, "lc", 1, 401, T0 + 100, DIR_IN, NULL, 20);
	feed(j, 1, "lc", 2, 0, T0 + 5000, DIR_OUT, NULL, 30);
	close_sess(j, 1, 1, "sip:a@x", "e", T0);
	feed(j, 0, "later", 1, 0, T0 + 9000, DIR_OUT, NULL, 50);
	join_end(j);
	join_begin(j, "trace.log");
	feed(j, 1, "lc", 1, 0, T0 + 1, DIR_IN, "fe01", 100);
	feed(j, 1, "lc", 1, 401, T0 + 99, DIR_OUT, "fe01", 110);
	feed(j, 1, "lc", 2, 0, T0 + 5001, DIR_IN, "fe01", 120);
	feed(j, 1, "lc", 2, 200, T0 + 5100, DIR_OUT, "fe01", 130);
	close_sess(j, 1, 0, "sip:a@x", "e", T0);
	join_end(j);
	join_finish(j, NULL);
	js = join_get(j, 0);
	CHECK(js && js->facts.nlost == 1 && js->facts.lost[0].to_client
	      && js->facts.lost[0].m->line == 130);
	join_free(j);
}

static void test_order_and_tiers(void)
{
	/* the trace read first still joins */
	struct join *j = join_new();
	server_stream(j, "first", 0, "sip:a@x");
	client_stream(j, "first", 0, "sip:a@x");
	join_finish(j, NULL);
	CHECK_INT(join_count(j), 1);
	join_free(j);

	/* no common Call-ID: the same epid near in time */
	j = join_new();
	client_stream(j, "c1", 0, "sip:a@x");
	server_stream(j, "s1", 0, "sip:a@x");
	join_finish(j, NULL);
	CHECK_INT(join_count(j), 1);
	CHECK(join_count(j) && join_get(j, 0)->facts.by == JOIN_BY_EPID);
	CHECK(join_count(j) && !join_get(j, 0)->facts.have_offset);
	join_free(j);
}

static void test_unrelated(void)
{
	/* the same Call-ID (a generator's seed) but another user */
	struct join *j = join_new();
	client_stream(j, "same", 0, "sip:a@x");
	server_stream(j, "same", 0, "sip:b@y");
	join_finish(j, NULL);
	CHECK_INT(join_count(j), 0);
	size_t nc, ns;
	join_inputs(j, &nc, &ns);
	CHECK(nc == 1 && ns == 1);
	join_free(j);

	/* the same user a day later, nothing in common */
	j = join_new();
	client_stream(j, "d1", 24 * 60 * MIN, "sip:a@x");
	server_stream(j, "d2", 0, "sip:a@x");
	join_finish(j, NULL);
	CHECK_INT(join_count(j), 0);
	join_free(j);
}

static void test_bounds(void)
{
	/* before any client log: at most JOIN_MAX_SERVER are kept */
	struct join *j = join_new();
	join_begin(j, "trace.log");
	for (unsigned i = 1; i <= JOIN_MAX_SERVER + 10; i++) {
		char cid[32];
		snprintf(cid, sizeof cid, "x%u", i);
		feed(j, i, cid, 1, 0, T0 + i, DIR_IN, "fe01", i);
		close_sess(j, i, 0, "sip:o@x", "", T0 + i);
	}
	join_end(j);
	CHECK_INT(join_dropped(j), 10);
	join_free(j);

	/* after a client log: only what can match is kept, none dropped */
	j = join_new();
	client_stream(j, "keep", 0, "sip:a@x");
	join_begin(j, "trace.log");
	for (unsigned i = 1; i <= JOIN_MAX_SERVER + 10; i++) {
		char cid[32];
		snprintf(cid, sizeof cid, "y%u", i);
		feed(j, i, cid, 1, 0, T0 + i, DIR_IN, "fe01", i);
		close_sess(j, i, 0, "sip:other@x", "", T0 + i);
	}
	feed(j, 99999, "keep", 1, 0, T0 + 2, DIR_IN, "fe01", 5);
	close_sess(j, 99999, 0, "sip:a@x", "epid1", T0 + 2);
	join_end(j);
	CHECK_INT(join_dropped(j), 0);
	join_finish(j, NULL);
	CHECK_INT(join_count(j), 1);
	/* digests are capped per sign-in */
	join_free(j);

	j = join_new();
	join_begin(j, "client.log");
	for (unsigned i = 1; i <= JOIN_MAX_MSGS + 5; i++)
		feed(j, 1, "many", i, 0, T0 + i, DIR_OUT, NULL, i);
	close_sess(j, 1, 1, "sip:a@x", "e", T0);
	join_end(j);
	server_stream(j, "many", 0, "sip:a@x");
	join_finish(j, NULL);
	CHECK(join_count(j) == 1 &&
	      join_get(j, 0)->client->nm == JOIN_MAX_MSGS &&
	      join_get(j, 0)->client->nm_total == JOIN_MAX_MSGS + 5);
	join_free(j);
}

static void test_rules(void)
{
	static const char yaml[] =
		"- rule: join.test-skew\n"
		"  severity: error\n"
		"  title: \"off by {join.clock_skew} s\"\n"
		"  step: authentication\n"
		"  scope: join\n"
		"  condition: join.clock_skew > 300 and "
		"session.user == \"sip:a@x\"\n"
		"  output: \"offset {join.clock_offset} s, "
		"{join.clock_matches} matches, by {join.by}\"\n"
		"  explanation: x\n"
		"  remediation: y\n"
		"  references: [FORMATS]\n";
	struct expr_env env = { field_resolve, NULL, NULL, NULL };
	struct sfb_err err = { 0 };
	struct rules *rs = rules_load_mem("t.yaml", yaml, sizeof yaml - 1,
					  &env, &err);
	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	struct join *j = join_new();
	client_stream(j, "r", 10 * MIN, "sip:a@x");
	server_stream(j, "r", 0, "sip:a@x");
	join_finish(j, rs);
	const struct join_signin *js = join_get(j, 0);
	CHECK(js && js->nf == 1);
	if (js && js->nf == 1) {
		CHECK(strcmp(js->f[0].title, "off by 600 s") == 0);
		CHECK(strcmp(js->f[0].ev[0].text,
			     "offset 600 s, 4 matches, by call-id") == 0);
		/* the matched pair: the server's line, then the client's */
		CHECK(js->f[0].nev >= 3);
		CHECK(js->f[0].ev[1].line == 100 &&
		      js->f[0].ev[2].line == 10);
		CHECK(js->f[0].session == 1);
	}
	CHECK_INT(join_worst(j), SFB_SEV_ERROR);
	join_free(j);

	/* 2 min off: no finding */
	j = join_new();
	client_stream(j, "r2", 2 * MIN, "sip:a@x");
	server_stream(j, "r2", 0, "sip:a@x");
	join_finish(j, rs);
	CHECK(join_count(j) == 1 && join_get(j, 0)->nf == 0);
	CHECK_INT(join_worst(j), SFB_SEV_NONE);
	join_free(j);
	rules_free(rs);
}

static void test_names(void)
{
	char b[32];
	CHECK(strcmp(join_fmt_offset(-(61 * MIN + 2500), b, sizeof b),
		     "-01:01:02.500") == 0);
	CHECK(strcmp(join_fmt_offset(600000, b, sizeof b),
		     "+00:10:00.000") == 0);
	CHECK(strcmp(join_by_name(JOIN_BY_CALLID), "Call-ID and CSeq") == 0);
	join_free(NULL);
}

int main(void)
{
	test_join_and_clock();
	test_server_names();
	test_time_zone();
	test_lost();
	test_order_and_tiers();
	test_unrelated();
	test_bounds();
	test_rules();
	test_names();
	return CHECK_DONE("unit_join");
}
