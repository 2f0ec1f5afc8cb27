/* SPDX-License-Identifier: MIT */
/*
 * unit_sess.c -- the session builder (sess.c) judged on whole logs:
 * every generator scenario, in both formats, must give the expected
 * verdict (user, outcome, auth method, REGISTER pairs, redirects, step
 * statuses, settings); two sessions in one file; a log cut in the
 * middle of a sign-in; the same log cut in two rotated parts; and the
 * client and server views of one incident must agree.
 *
 * The logs come from the project's generator ($SFBGEN, default
 * build/sfbgen), run through the real pipeline (lr -> fmt -> sip ->
 * txn -> rule -> sess) by a small driver below, like main.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sess.h"
#include "sip.h"
#include "sv.h"
#include "txn.h"

#define MAXS 16

struct got_sess {
		unsigned id;
		char user[128];
		enum sess_outcome outcome;
		unsigned auth;          /* confirmed, else used */
		unsigned pairs, sent, n401, redirects, w28032;
		int final, diag;
		enum sess_status step[SFB_STEP__COUNT];
		int settings_ok;
		size_t ngroups;
		char loc[96];
};

struct got {
	size_t n;
	struct got_sess s[MAXS];
};

struct drv {
	struct got *got;
	struct sess_builder *sb;
	struct txn_table *txn;
	struct pat_table *rules;
	struct fmt *fmt;
	struct msg msg;
	const char *file;
};

static void on_sess(void *ud, const struct sess *s)
{
	struct got *g = ud;
	if (g->n >= MAXS)
		return;
	struct got_sess *x = &g->s[g->n++];
	x->id = s->id;
	snprintf(x->user, sizeof x->user, "%s", s->user);
	x->outcome = s->outcome;
	x->auth = s->auth_confirmed ? s->auth_confirmed : s->auth_used;
	x->pairs = s->register_pairs;
	x->sent = s->register_total;
	x->n401 = s->register_401;
	x->redirects = s->nredirects;
	x->w28032 = s->webticket_28032;
	x->final = s->register_final;
	x->diag = (int)s->register_diag;
	for (int i = 0; i < SFB_STEP__COUNT; i++)
		x->step[i] = s->steps[i].status;
	x->settings_ok = 1;
	for (int i = 0; i < SESS_SET__COUNT; i++)
		if (s->settings[i].status != SESS_OK)
			x->settings_ok = 0;
	x->ngroups = s->ngroups;
	snprintf(x->loc, sizeof x->loc, "%s", s->location_profile);
}

struct evctx {
	struct drv *d;
	const struct fmt_rec *rec;
};

static int on_event(void *ud, const struct pat_event *ev)
{
	struct evctx *c = ud;
	sess_event(c->d->sb, ev, c->d->file, c->rec->line_first,
		   c->rec->ts);
	return 0;
}

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct drv *d = ud;
	if (!d->sb) {
		struct sess_sink ss = { on_sess, d->got };
		d->sb = sess_new(&ss, fmt_kind_get(d->fmt) != FMT_CLS, 0);
	}
	if (rec->type == REC_ENTRY) {
		struct evctx c = { d, rec };
		pattern_match(d->rules, rec->text, on_event, &c);
	} else if (rec->type == REC_DIAG) {
		sess_diag(d->sb, rec, d->file);
	} else if (rec->type == REC_MSG) {
		msg_set(&d->msg, rec, d->file);
		sip_parse(&d->msg);
		int copy = txn_add(d->txn, &d->msg);
		struct sv rm = SV_NULL, ru = SV_NULL;
		if (d->msg.kind == MSG_RESPONSE &&
		    txn_last_request(d->txn, &rm, &ru))
			rm = ru = SV_NULL;
		sess_msg(d->sb, &d->msg, copy, rm, ru);
	}
	return 0;
}

/* Read files as one stream, the way the CLI reads rotated parts. */
static void run(const char *const *files, size_t n, struct pat_table *rt,
		struct got *g)
{
	struct drv d = { 0 };
	memset(g, 0, sizeof *g);
	d.got = g;
	d.rules = rt;
	d.txn = txn_new(NULL, 0, -1);
	msg_init(&d.msg);
	for (size_t i = 0; i < n; i++) {
		struct sfb_err err = { 0 };
		struct lr *lr = lr_open(files[i], 0, &err);
		CHECK(lr != NULL);
		if (!lr)
			continue;
		struct fmt_sink sink = { on_rec, &d };
		d.fmt = fmt_new(FMT_AUTO, &sink, NULL);
		d.file = files[i];
		struct sv line;
		unsigned long no;
		int st;
		while ((st = lr_next(lr, &line, &no, &err)) == LR_LINE)
			CHECK_INT(fmt_feed(d.fmt, line, no, &err), 0);
		CHECK_INT(st, LR_EOF);
		CHECK_INT(fmt_finish(d.fmt, &err), 0);
		fmt_free(d.fmt);
		d.fmt = NULL;
		lr_close(lr);
	}
	if (d.sb)
		sess_flush(d.sb);
	sess_free(d.sb);
	txn_free(d.txn);
	msg_free(&d.msg);
}

static const char *gen;
static char tmpdir[] = "/tmp/sfblog-unit-sess.XXXXXX";

/* Generate a log with sfbgen; @return its path (static buffer). */
static const char *generate(const char *name, const char *args)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s %s -o %s", gen, args, p);
	CHECK_INT(system(cmd), 0);
	return p;
}

struct want {
	const char *scenario;
	enum sess_outcome outcome;
	unsigned auth;          /* 0: not checked */
	unsigned pairs;         /* 0: not checked */
	unsigned redirects;
	enum sess_status auth_step, redirect_step, settings_step;
};

static const struct want table[] = {
	{ "ntlm-external-ok", SESS_SIGNED_IN, SESS_AUTH_NTLM, 3, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
	{ "kerberos-internal-ok", SESS_SIGNED_IN, SESS_AUTH_KERBEROS, 2, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
	{ "tlsdsk-ok", SESS_SIGNED_IN, SESS_AUTH_TLSDSK, 4, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
	{ "register-401-loop", SESS_FAILED_OUT, 0, 0, 0,
	  SESS_FAILED, SESS_NOT_SEEN, SESS_NOT_SEEN },
	{ "webticket-28032-loop", SESS_FAILED_OUT, 0, 0, 0,
	  SESS_FAILED, SESS_NOT_SEEN, SESS_NOT_SEEN },
	{ "redirect-301", SESS_SIGNED_IN, SESS_AUTH_KERBEROS, 2, 1,
	  SESS_OK, SESS_OK, SESS_OK },
	{ "forbidden-4003", SESS_FAILED_OUT, 0, 0, 0,
	  SESS_FAILED, SESS_NOT_SEEN, SESS_NOT_SEEN },
};

static void check_one(const struct want *w, const struct got *g,
		      const char *fmt)
{
	if (g->n != 1) {
		fprintf(stderr, "%s %s: %zu sessions\n", w->scenario, fmt,
			g->n);
		CHECK_INT(g->n, 1);
		return;
	}
	const struct got_sess *x = &g->s[0];
	int ok = x->outcome == w->outcome &&
		 (!w->auth || x->auth == w->auth) &&
		 (!w->pairs || x->pairs == w->pairs) &&
		 x->redirects == w->redirects &&
		 x->step[SFB_STEP_AUTH] == w->auth_step &&
		 x->step[SFB_STEP_REDIRECT] == w->redirect_step &&
		 x->step[SFB_STEP_SETTINGS] == w->settings_step &&
		 strcmp(x->user, "sip:alice@contoso.com") == 0;
	if (!ok)
		fprintf(stderr, "%s %s: outcome %s auth %u pairs %u redirects "
			"%u steps auth %d redirect %d settings %d user %s\n",
			w->scenario, fmt, sess_outcome_name(x->outcome),
			x->auth, x->pairs, x->redirects,
			x->step[SFB_STEP_AUTH], x->step[SFB_STEP_REDIRECT],
			x->step[SFB_STEP_SETTINGS], x->user);
	CHECK(ok);
}

static void test_scenarios(struct pat_table *rt)
{
	struct got g;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		char args[256];
		const char *w = table[i].scenario;
		snprintf(args, sizeof args, "--scenario %s --seed 3", w);
		const char *f = generate("ucc.log", args);
		run(&f, 1, rt, &g);
		check_one(&table[i], &g, "uccapilog");
		/* the server's view of the same incident agrees */
		snprintf(args, sizeof args, "--format cls --hops --scenario %s "
			 "--seed 3", w);
		f = generate("cls.log", args);
		run(&f, 1, rt, &g);
		check_one(&table[i], &g, "cls");
	}
	/* the specific verdicts */
	const char *f = generate("x.log", "--scenario register-401-loop");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].n401 >= 4 && g.s[0].final == 0);
	f = generate("x.log", "--scenario forbidden-4003");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].final == 403 && g.s[0].diag == 4003);
	f = generate("x.log", "--scenario webticket-28032-loop");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].w28032 >= 2);
	f = generate("x.log", "--scenario tlsdsk-ok");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].ngroups >= 3 && g.s[0].loc[0]);
	/* traffic of a signed-in user is no sign-in */
	f = generate("x.log", "--scenario im-call-traffic");
	run(&f, 1, rt, &g);
	CHECK_INT(g.n, 0);
}

static void test_two_and_cut(struct pat_table *rt)
{
	struct got g;
	const char *f = generate("two.log", "--scenario ntlm-external-ok "
				 "--scenario forbidden-4003");
	run(&f, 1, rt, &g);
	CHECK_INT(g.n, 2);
	CHECK(g.n == 2 && g.s[0].id == 1 && g.s[1].id == 2 &&
	      g.s[0].outcome == SESS_SIGNED_IN &&
	      g.s[1].outcome == SESS_FAILED_OUT);

	/* a log that ends after the first challenge: incomplete */
	const char *whole = generate("whole.log", "--scenario "
				     "ntlm-external-ok --lf");
	char cut[600], cmd[1400];
	snprintf(cut, sizeof cut, "%s/cut.log", tmpdir);
	/* keep everything up to the first 401's End of line */
	snprintf(cmd, sizeof cmd, "awk '{print} /End of Data Received/ && "
		 "seen401 {exit} /SIP\\/2.0 401/ {seen401=1}' %s > %s",
		 whole, cut);
	CHECK_INT(system(cmd), 0);
	const char *c = cut;
	run(&c, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].outcome == SESS_INCOMPLETE &&
	      g.s[0].n401 == 1);
}

static void test_rotated(struct pat_table *rt)
{
	struct got whole, parts;
	const char *f = generate("all.log", "--lf");
	run(&f, 1, rt, &whole);
	CHECK(whole.n >= 7);
	/*
	 * cut in the middle of a sign-in, before the opening line of the
	 * 8th REGISTER (the line above its start line)
	 */
	char p1[600], p0[600], cmd[2000];
	snprintf(p1, sizeof p1, "%s/Lync-UccApi-1.UccApilog", tmpdir);
	snprintf(p0, sizeof p0, "%s/Lync-UccApi-0.UccApilog", tmpdir);
	snprintf(cmd, sizeof cmd, "n=$(grep -n 'REGISTER sip:' %s | sed -n "
		 "'8p' | cut -d: -f1); head -n $((n - 2)) %s > %s && "
		 "tail -n +$((n - 1)) %s > %s", f, f, p1, f, p0);
	CHECK_INT(system(cmd), 0);
	const char *files[2] = { p1, p0 };
	run(files, 2, rt, &parts);
	CHECK_INT(parts.n, whole.n);
	int same = parts.n == whole.n;
	for (size_t i = 0; same && i < whole.n; i++)
		same = parts.s[i].outcome == whole.s[i].outcome &&
		       parts.s[i].pairs == whole.s[i].pairs &&
		       parts.s[i].auth == whole.s[i].auth;
	CHECK(same);
}

int main(void)
{
	gen = getenv("SFBGEN");
	if (!gen || !*gen)
		gen = "build/sfbgen";
	if (access(gen, X_OK) != 0) {
		fprintf(stderr, "unit_sess: no generator at '%s' (make "
			"build/sfbgen, or set SFBGEN)\n", gen);
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	const char *paths[] = { "rules/patterns.tsv", NULL };
	struct sfb_err err = { 0 };
	struct pat_table *rt = pattern_load(paths, &err);
	CHECK(rt != NULL);
	if (!rt) {
		fprintf(stderr, "unit_sess: %s\n", err.msg);
		return CHECK_DONE("unit_sess");
	}
	test_scenarios(rt);
	test_two_and_cut(rt);
	test_rotated(rt);
	pattern_free(rt);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	CHECK_INT(system(cmd), 0);
	return CHECK_DONE("unit_sess");
}
