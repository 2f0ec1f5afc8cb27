/* SPDX-License-Identifier: MIT */
/*
 * unit_rep_triage_html.c -- unit tests of the triage page
 * (rep_triage_html.c) and of the sign-in detail the workers make for it
 * (rep_html_tri_detail): hostile user, source, outcome and finding text
 * are escaped; rows sorted by severity then input order, one per source
 * and user; at most max_detail sign-ins detailed, the most severe, and
 * only rows whose sign-in is detailed link; the step timeline says when
 * a step ran and how long, or "no times"; durations as people read them;
 * triage's workers format the detail of the max_detail most severe
 * sign-ins of a stream, the first on a tie, whatever -j.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "rep.h"
#include "rep_triage_html.h"
#include "rules.h"
#include "sv.h"
#include "triage.h"
#include "walk.h"

static const char *const hostile = "</script><script>alert(1)</script>"
				   "\"><img src=x onerror=alert(2)>";

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void test_dur(void)
{
	char b[40];
	rep_html_dur(0, b, sizeof b);
	CHECK_SV(sv_cstr(b), "0 ms");
	rep_html_dur(412, b, sizeof b);
	CHECK_SV(sv_cstr(b), "412 ms");
	rep_html_dur(3250, b, sizeof b);
	CHECK_SV(sv_cstr(b), "3.250 s");
	rep_html_dur(125000, b, sizeof b);
	CHECK_SV(sv_cstr(b), "2 min 5 s");
	rep_html_dur(7500000, b, sizeof b);
	CHECK_SV(sv_cstr(b), "2 h 5 min");
	rep_html_dur(-5, b, sizeof b);
	CHECK_SV(sv_cstr(b), "0 ms");
}

static void sess_init(struct sess *s, unsigned id, const char *user)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	snprintf(s->user, sizeof s->user, "%s", user);
	s->file = "a.log";
	s->start = s->end = SFB_TIME_NONE;
	s->signin_ms = -1;
	for (int k = 0; k < SFB_STEP__COUNT; k++)
		s->steps[k].first_ts = s->steps[k].last_ts = SFB_TIME_NONE;
}

static void test_detail(void)
{
	static struct sess s;
	static struct finding f;
	struct rules_rule rule = { 0 };
	rule.id = "auth.x";
	sess_init(&s, 3, hostile);
	s.outcome = SESS_FAILED_OUT;
	snprintf(s.outcome_text, sizeof s.outcome_text, "%s", hostile);
	s.start = 1000000;
	s.end = 1002000;
	s.steps[SFB_STEP_DISCOVERY].status = SESS_OK;
	s.steps[SFB_STEP_DISCOVERY].nev_total = 2;
	s.steps[SFB_STEP_DISCOVERY].first_ts = 1000120;
	s.steps[SFB_STEP_DISCOVERY].last_ts = 1000532;
	s.steps[SFB_STEP_AUTH].status = SESS_FAILED;
	s.steps[SFB_STEP_AUTH].nev_total = 1;
	s.steps[SFB_STEP_AUTH].first_ts = 1001500;
	s.steps[SFB_STEP_AUTH].last_ts = 1001500;
	s.steps[SFB_STEP_CONNECTIVITY].status = SESS_OK;
	s.steps[SFB_STEP_CONNECTIVITY].nev_total = 1;
	f.rule = &rule;
	f.sev = SFB_SEV_ERROR;
	snprintf(f.title, sizeof f.title, "%s", hostile);
	snprintf(f.explanation, sizeof f.explanation, "why %s", hostile);
	snprintf(f.remediation, sizeof f.remediation, "do %s", hostile);
	f.nev = 1;
	f.ev[0].file = "a.log";
	f.ev[0].line = 7;
	f.ev[0].ts = SFB_TIME_NONE;
	snprintf(f.ev[0].text, sizeof f.ev[0].text, "%s", hostile);
	size_t n = 0;
	char *d = rep_html_tri_detail(&s, &f, 1, &n);
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(strlen(d) == n);
	/* hostile text: only as entities */
	CHECK(strstr(d, "<script") == NULL);
	CHECK(strstr(d, "<img") == NULL);
	CHECK(count(d, "&lt;/script&gt;&lt;script&gt;alert(1)") == 5);
	/* the timeline: when and how long, a bar; one moment: no "took" */
	CHECK(strstr(d, ">at +120 ms, took 412 ms</span>") != NULL);
	CHECK(strstr(d, ">at +1.500 s</span>") != NULL);
	CHECK(strstr(d, "<rect x=\"60\" width=\"206\"") != NULL);
	/* a step seen in a log without times */
	CHECK(strstr(d, "data-step=\"connectivity\"><b>connectivity: ok"
		     "</b><span class=\"dur\">no times</span>") != NULL);
	/* not seen, no evidence: no time at all */
	CHECK(strstr(d, "<b>settings: not seen</b></li>") != NULL);
	/* the finding in full, evidence as text (no message to link to) */
	CHECK(strstr(d, "<b>Why:</b> why &lt;/script&gt;") != NULL);
	CHECK(strstr(d, "<b>What to do:</b> do &lt;/script&gt;") != NULL);
	CHECK(strstr(d, "<li class=\"ev\">a.log:7 ") != NULL);
	CHECK(strstr(d, "href") == NULL);
	free(d);
}

/* A result of one job with n sessions (sev[i], user[i]). */
struct fake {
	struct walk_item item;
	struct walk_job wj;
	struct tri_file file;
	struct tri_result r;
	struct tri_sess s[4];
	struct finding f[4];
	char src[64];
};

static void fake_init(struct fake *k, size_t job, const char *name,
		      size_t n, const enum sfb_sev *sev,
		      const char *const *user, const struct rules_rule *rl)
{
	memset(k, 0, sizeof *k);
	snprintf(k->src, sizeof k->src, "%s", name);
	k->item.source = k->src;
	k->wj.name = k->src;
	k->wj.nitems = 1;
	k->file.item = &k->item;
	k->file.read = 1;
	k->r.job = job;
	k->r.wj = &k->wj;
	k->r.name = k->src;
	k->r.ran = 1;
	k->r.files = &k->file;
	k->r.nfiles = 1;
	k->r.sess = k->s;
	k->r.nsess = n;
	k->r.sess_seen = n;
	for (size_t i = 0; i < n; i++) {
		struct tri_sess *s = &k->s[i];
		s->id = (unsigned)i + 1;
		snprintf(s->user, sizeof s->user, "%s", user[i]);
		s->start = 1000000 + (int64_t)(job * 10 + i) * 1000;
		s->end = s->start + 500;
		s->sev = sev[i];
		s->outcome = sev[i] == SFB_SEV_ERROR ? SESS_FAILED_OUT
			     : SESS_SIGNED_IN;
		snprintf(s->outcome_text, sizeof s->outcome_text, "%s",
			 hostile);
		if (sev[i] > SFB_SEV_INFO) {
			k->f[i].rule = rl;
			k->f[i].sev = sev[i];
			snprintf(k->f[i].title, sizeof k->f[i].title, "t%zu",
				 job);
			s->f = &k->f[i];
			s->nf = 1;
		}
		/* the worker's detail: a marker to find in the page */
		s->detail = malloc(64);
		s->ndetail = (size_t)snprintf(s->detail, 64,
					      "<p>DETAIL %zu-%zu</p>", job,
					      i + 1);
	}
}

static void fake_free(struct fake *k)
{
	for (size_t i = 0; i < k->r.nsess; i++)
		free(k->s[i].detail);
}

static void test_page(void)
{
	struct rules_rule rule = { 0 };
	rule.id = "conn.y";
	static struct fake a, b, c;
	enum sfb_sev sa[] = { SFB_SEV_INFO, SFB_SEV_INFO };
	const char *ua[] = { "sip:ann@x", "sip:ann@x" };
	enum sfb_sev sb[] = { SFB_SEV_WARNING, SFB_SEV_ERROR,
			      SFB_SEV_INFO };
	const char *ub[] = { "sip:bob@x", "sip:cy@x", hostile };
	enum sfb_sev sc[] = { SFB_SEV_ERROR };
	const char *uc[] = { "sip:dee@x" };
	fake_init(&a, 0, "a.log", 2, sa, ua, &rule);
	fake_init(&b, 1, hostile, 3, sb, ub, &rule);
	fake_init(&c, 2, "c.log", 1, sc, uc, &rule);
	/* the worker's cap: a sign-in without a detail is still counted */
	free(b.s[2].detail);
	b.s[2].detail = NULL;
	b.s[2].ndetail = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	struct rep_triage_html *t = rep_triage_html_new(o, "n0nce", 2);
	rep_triage_html_result(t, &a.r);
	rep_triage_html_result(t, &b.r);
	rep_triage_html_result(t, &c.r);
	const struct tri_total *tt = rep_triage_html_total(t);
	CHECK(tt->sessions == 6 && tt->failed == 2);
	rep_triage_html_end(t);
	rep_triage_html_free(t);
	fclose(o);
	fake_free(&a);
	fake_free(&b);
	fake_free(&c);
	/* one script, the report's; the log's markup is text */
	CHECK(count(buf, "<script") == 1);
	CHECK(strstr(buf, "<script nonce=\"n0nce\">") != NULL);
	CHECK(strstr(buf, "<img") == NULL);
	CHECK(strstr(buf, "<title>sfblog triage</title>") != NULL);
	/* rows: ann (2 sign-ins), bob, cy, the hostile user, dee */
	CHECK(count(buf, "<tr data-sev=") == 5);
	CHECK(strstr(buf, "<td>2</td><td><span class=\"sev ok\">2 signed "
		     "in</span></td>") != NULL);
	/* sorted by severity, then input order: cy, dee, bob, ann, ... */
	const char *cy = strstr(buf, ">sip:cy@x<"),
		   *dee = strstr(buf, ">sip:dee@x<"),
		   *bob = strstr(buf, ">sip:bob@x<"),
		   *ann = strstr(buf, ">sip:ann@x<");
	CHECK(cy && dee && bob && ann && cy < dee && dee < bob &&
	      bob < ann);
	CHECK(strstr(buf, "data-order=\"0\"><td class=\"sev error\">"));
	/* two details, the errors, in order; the others only in the table */
	CHECK(count(buf, "<p>DETAIL ") == 2);
	const char *d1 = strstr(buf, "<p>DETAIL 1-2</p>"),
		   *d2 = strstr(buf, "<p>DETAIL 2-1</p>");
	CHECK(d1 && d2 && d1 < d2);
	CHECK(strstr(buf, "2 sign-in(s) detailed, the most severe first "
		     "(at most 2); 4 less severe sign-in(s) are in the "
		     "table only") != NULL);
	/* links only to what is detailed, and those anchors exist */
	CHECK(count(buf, "<a href=\"#d") == 2);
	CHECK(strstr(buf, "<a href=\"#d1-2\">sip:cy@x</a>") != NULL);
	CHECK(strstr(buf, "<a href=\"#d2-1\">sip:dee@x</a>") != NULL);
	CHECK(strstr(buf, "<section class=\"sess\" id=\"d1-2\"") != NULL);
	CHECK(strstr(buf, "<section class=\"sess\" id=\"d2-1\"") != NULL);
	free(buf);
}

/* A detail that names its sign-in: "3". */
static char *fake_detail(const struct sess *s, const struct finding *f,
			 size_t nf, size_t *len)
{
	(void)f;
	(void)nf;
	char *p = malloc(16);
	*len = (size_t)snprintf(p, 16, "%u", s->id);
	return p;
}

struct picked {
	size_t nsess, ndetail, bad;
};

/* The details are the max 2 most severe, the first on a tie. */
static void check_picked(void *ud, const struct tri_result *r)
{
	struct picked *p = ud;
	p->nsess += r->nsess;
	for (size_t i = 0; i < r->nsess; i++) {
		size_t better = 0;
		for (size_t k = 0; k < r->nsess; k++)
			better += r->sess[k].sev > r->sess[i].sev ||
				  (r->sess[k].sev == r->sess[i].sev &&
				   k < i);
		const char *d = r->sess[i].detail;
		p->ndetail += d != NULL;
		if ((better < 2) != (d != NULL))
			p->bad++;
		if (d && (unsigned)strtoul(d, NULL, 10) != r->sess[i].id)
			p->bad++;
	}
}

/*
 * seq: sign-ins graded none, warning, warning, error: the error must
 * push out the second warning, not the first (which was kept first).
 */
static void test_worker_pick(unsigned workers, const char *seq)
{
	struct walk w;
	walk_init(&w);
	walk_add(&w, "testdata/sample/Lync-UccApi-0.UccApilog");
	walk_add(&w, "testdata/sample/cls-edge-fe.log");
	if (seq)
		walk_add(&w, seq);
	walk_group(&w);
	struct tri_config cfg = { 0 };
	struct picked p = { 0 };
	struct tri_sink sk;
	memset(&sk, 0, sizeof sk);
	sk.on_result = check_picked;
	sk.ud = &p;
	struct sfb_err err = { 0 };
	cfg.workers = workers;
	cfg.since = cfg.until = SFB_TIME_NONE;
	cfg.detail = fake_detail;
	cfg.max_detail = 2;
	CHECK(triage_run(&cfg, &w, &sk, &err) == 0);
	/* two streams of 7 sign-ins (and 4): 2 details each */
	CHECK(p.nsess == (seq ? 18u : 14u));
	CHECK(p.ndetail == (seq ? 6u : 4u));
	CHECK(p.bad == 0);
	walk_free(&w);
}

/* @return the path of the none, warning, warning, error log, or NULL */
static const char *make_seq(char *path, size_t n)
{
	const char *gen = getenv("SFBGEN"), *tmp = getenv("TMPDIR");
	char cmd[1024];
	if (!gen)
		return NULL;
	snprintf(path, n, "%s/unit_rep_triage_html.%ld.UccApilog",
		 tmp && *tmp ? tmp : "/tmp", (long)getpid());
	snprintf(cmd, sizeof cmd, "'%s' --scenario kerberos-internal-ok "
		 "--scenario ntlm-extra-round --scenario ntlm-extra-round "
		 "--scenario register-401-loop -o '%s'", gen, path);
	return system(cmd) == 0 ? path : NULL;
}

int main(void)
{
	char seq[512];
	const char *sp = make_seq(seq, sizeof seq);
	if (!sp)
		fprintf(stderr, "unit_rep_triage_html: no SFBGEN, the tie "
			"test is skipped\n");
	test_worker_pick(1, sp);
	test_worker_pick(2, sp);
	if (sp)
		unlink(sp);
	test_dur();
	test_detail();
	test_page();
	return CHECK_DONE("unit_rep_triage_html");
}
