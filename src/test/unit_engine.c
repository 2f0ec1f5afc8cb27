/* SPDX-License-Identifier: MIT */
/*
 * unit_engine.c -- the engine (engine.c) with rules from memory over
 * generated logs: a message rule fires once per session with a count
 * and capped evidence (file:line of each message), a session rule
 * counts over the session's messages (count_msgs, all_msgs), an event
 * rule sees pattern events, a rule on traffic of no sign-in becomes a
 * finding of the file, templates quote the log, findings come most
 * severe first, the worst severity is reported, disabled rules stay
 * silent, and two engines can run the same rule set one after the
 * other with the same results.  Also: no rule set, sessions only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "field.h"
#include "rules.h"
#include "sv.h"

static const char rules_yaml[] =
	"- macro: register_answer\n"
	"  condition: msg.is_response and msg.request_method == "
	"\"REGISTER\"\n"
	"- rule: t.challenge\n"
	"  severity: info\n"
	"  title: \"challenge {msg.status} at {msg.cseq}\"\n"
	"  step: authentication\n"
	"  scope: message\n"
	"  condition: register_answer and msg.status == 401\n"
	"  explanation: the server asks for credentials\n"
	"  remediation: nothing\n"
	"- rule: t.loop\n"
	"  severity: error\n"
	"  title: only 401s\n"
	"  step: authentication\n"
	"  scope: session\n"
	"  condition: >\n"
	"    all_msgs(register_answer and msg.status >= 200, "
	"msg.status == 401) and count_msgs(register_answer) >= 4\n"
	"  output: \"{session.register.challenges} challenges\"\n"
	"  explanation: \"{session.user} never got a 200\"\n"
	"  remediation: read the server trace\n"
	"- rule: t.pairs\n"
	"  severity: warning\n"
	"  title: pairs\n"
	"  step: authentication\n"
	"  scope: session\n"
	"  condition: exists(session.register.final) and "
	"session.register.pairs != session.register.expected_pairs\n"
	"  explanation: x\n"
	"  remediation: y\n"
	"- rule: t.event\n"
	"  severity: warning\n"
	"  title: \"event {event.name}\"\n"
	"  step: discovery\n"
	"  scope: event\n"
	"  condition: event.name startswith \"dns.\" and event.fails_step\n"
	"  explanation: x\n"
	"  remediation: y\n"
	"- rule: t.outside\n"
	"  severity: warning\n"
	"  title: \"{msg.status} outside a sign-in\"\n"
	"  step: general\n"
	"  scope: message\n"
	"  condition: not msg.in_session and msg.status >= 400\n"
	"  explanation: x\n"
	"  remediation: y\n"
	"- rule: t.off\n"
	"  severity: error\n"
	"  title: never\n"
	"  step: general\n"
	"  scope: message\n"
	"  condition: msg.is_request\n"
	"  explanation: x\n"
	"  remediation: y\n"
	"  enabled: false\n";

#define MAXF 64

struct got {
	char rule[64];
	enum sfb_sev sev;
	unsigned session;
	char user[128];
	char title[200];
	char expl[200];
	uint64_t count, evidence_total;
	size_t nev;
	unsigned long line0;
	char ev0[200];
};

struct result {
	struct got f[MAXF];
	size_t nf;
	unsigned sessions;
	int ordered;            /* each list came most severe first */
	int ended;
};

static void keep(struct result *r, const struct finding *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++) {
		if (i && f[i].sev > f[i - 1].sev)
			r->ordered = 0;
		if (r->nf >= MAXF)
			continue;
		struct got *g = &r->f[r->nf++];
		snprintf(g->rule, sizeof g->rule, "%s", f[i].rule->id);
		g->sev = f[i].sev;
		g->session = f[i].session;
		snprintf(g->user, sizeof g->user, "%s", f[i].user);
		snprintf(g->title, sizeof g->title, "%s", f[i].title);
		snprintf(g->expl, sizeof g->expl, "%.199s",
			 f[i].explanation);
		g->count = f[i].count;
		g->evidence_total = f[i].evidence_total;
		g->nev = f[i].nev;
		g->line0 = f[i].nev ? f[i].ev[0].line : 0;
		snprintf(g->ev0, sizeof g->ev0, "%s",
			 f[i].nev ? f[i].ev[0].text : "");
	}
}

static void on_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	struct result *r = ud;
	r->sessions++;
	(void)s;
	keep(r, f, nf);
}

static void on_end(void *ud, const struct ana *a, const struct finding *f,
		   size_t nf)
{
	struct result *r = ud;
	r->ended = 1;
	CHECK(a != NULL);
	keep(r, f, nf);
}

static const struct got *find(const struct result *r, const char *rule)
{
	for (size_t i = 0; i < r->nf; i++)
		if (!strcmp(r->f[i].rule, rule))
			return &r->f[i];
	return NULL;
}

static const char *gen;
static char tmpdir[] = "/tmp/sfblog-unit-engine.XXXXXX";

static const char *generate(const char *name, const char *args)
{
	static char path[512];
	char cmd[2048];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	snprintf(cmd, sizeof cmd, "%s %s -o %s", gen, args, path);
	CHECK_INT(system(cmd), 0);
	return path;
}

static enum sfb_sev run(struct pat_table *pt, const struct rules *rs,
			const char *path, struct result *r)
{
	struct engine_config cfg = { 0 };
	struct engine_sink sk = { 0 };
	memset(r, 0, sizeof *r);
	r->ordered = 1;
	cfg.want = ENG_SESSIONS | ENG_ANALYSIS | (rs ? ENG_RULES : 0);
	cfg.max_line = 1 << 20;
	cfg.max_msg = 1 << 20;
	cfg.max_txn = 1024;
	cfg.max_warn = 10;
	cfg.patterns = pt;
	cfg.rules = rs;
	sk.on_session = on_session;
	sk.on_end = on_end;
	sk.ud = r;
	struct engine *e = engine_new(&cfg, &sk);
	const char *files[] = { path };
	CHECK_INT(engine_run(e, files, 1, path), 0);
	enum sfb_sev w = engine_worst(e);
	engine_free(e);
	return w;
}

static void test_loop(struct pat_table *pt, const struct rules *rs)
{
	struct result r;
	const char *p = generate("loop.log",
				 "--scenario register-401-loop --lf");
	enum sfb_sev w = run(pt, rs, p, &r);
	CHECK(r.ended);
	CHECK_INT(r.sessions, 1);
	CHECK(r.ordered);
	CHECK_INT(w, SFB_SEV_ERROR);
	const struct got *g = find(&r, "t.loop");
	CHECK(g != NULL);
	if (g) {
		CHECK_INT(g->sev, SFB_SEV_ERROR);
		CHECK_INT(g->session, 1);
		CHECK(!strcmp(g->user, "sip:alice@contoso.com"));
		CHECK(!strcmp(g->expl, "sip:alice@contoso.com never got a "
			      "200"));
		CHECK(strstr(g->ev0, "challenges") != NULL);
		CHECK_INT(g->count, 1);
	}
	/* the challenge rule: once per session, counted, evidence capped */
	g = find(&r, "t.challenge");
	CHECK(g != NULL);
	if (g) {
		CHECK(g->count >= 4);
		CHECK_INT(g->evidence_total, g->count);
		CHECK_INT(g->nev, FINDING_MAX_EVIDENCE);
		CHECK(g->line0 > 0);
		CHECK(!strncmp(g->title, "challenge 401 at ", 17));
		CHECK(strstr(g->ev0, "REGISTER answered 401") != NULL);
	}
	/* the most severe first */
	CHECK(r.nf > 0 && !strcmp(r.f[0].rule, "t.loop"));
	CHECK(find(&r, "t.off") == NULL);
	CHECK(find(&r, "t.pairs") == NULL);
}

static void test_ok_and_outside(struct pat_table *pt,
				const struct rules *rs)
{
	struct result r;
	const char *p = generate("ok.log",
				 "--scenario ntlm-external-ok --lf");
	enum sfb_sev w = run(pt, rs, p, &r);
	CHECK(find(&r, "t.loop") == NULL);
	CHECK(find(&r, "t.pairs") == NULL); /* 3 pairs with NTLM */
	CHECK(find(&r, "t.challenge") != NULL);
	CHECK(w == SFB_SEV_INFO || w == SFB_SEV_WARNING);

	/* IM and calls failing outside the sign-in: findings of the file */
	p = generate("im.log", "--scenario im-call-traffic --lf");
	run(pt, rs, p, &r);
	const struct got *g = find(&r, "t.outside");
	CHECK(g != NULL);
	if (g) {
		CHECK_INT(g->session, 0);
		CHECK(g->count >= 2);
		CHECK(g->user[0] == '\0');
	}
}

static void test_event(struct pat_table *pt, const struct rules *rs)
{
	struct result r;
	const char *p = generate("krb.log",
				 "--scenario kerberos-internal-ok --lf");
	run(pt, rs, p, &r);
	const struct got *g = find(&r, "t.event");
	CHECK(g != NULL);
	if (g) {
		CHECK(!strncmp(g->title, "event dns.", 10));
		CHECK(g->line0 > 0);
	}
}

static void test_no_rules(struct pat_table *pt)
{
	struct result r;
	const char *p = generate("loop2.log",
				 "--scenario register-401-loop --lf");
	enum sfb_sev w = run(pt, NULL, p, &r);
	CHECK_INT(r.sessions, 1);
	CHECK_INT(r.nf, 0);
	CHECK_INT(w, SFB_SEV_NONE);
}

int main(void)
{
	gen = getenv("SFBGEN");
	if (!gen || !*gen)
		gen = "build/sfbgen";
	if (access(gen, X_OK) != 0) {
		fprintf(stderr, "unit_engine: no generator at '%s'\n", gen);
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	const char *paths[] = { "rules/patterns.tsv", NULL };
	struct sfb_err err = { 0 };
	struct pat_table *pt = pattern_load(paths, &err);
	static const struct expr_env env = { field_resolve, NULL, NULL,
					     NULL };
	struct rules *rs = rules_load_mem("test.yaml", rules_yaml,
					  sizeof rules_yaml - 1, &env, &err);
	CHECK(pt != NULL);
	CHECK(rs != NULL);
	if (!rs)
		fprintf(stderr, "unit_engine: %s\n", err.msg);
	if (pt && rs) {
		test_loop(pt, rs);
		test_ok_and_outside(pt, rs);
		test_event(pt, rs);
		test_no_rules(pt);
		/* the same rule set again, in a fresh engine */
		test_loop(pt, rs);
	}
	rules_free(rs);
	pattern_free(pt);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	CHECK_INT(system(cmd), 0);
	return CHECK_DONE("unit_engine");
}
