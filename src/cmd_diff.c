/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c -- `sfblog diff GOOD BAD`: the engine (engine.h) runs on
 * each file with sessions and rules, the chosen sign-in of each is kept
 * (its facts and, bounded, its messages: diff_msgs_add), diff.c
 * compares them and this file prints the result as text or JSON.  Also
 * the text and JSON form of `triage --compare` (compare.c).  CLI code
 * like main.c (which parses the options and calls cmd_diff_run): it
 * prints and returns an exit code, never exits.
 *
 * The chosen sign-in: the one named (--good-session N, FILE@N), else
 * the first of GOOD that signed in and the first of BAD that failed.
 * When none is named, a file is read twice: once to find the sign-in,
 * once to keep its messages (standard input cannot be read twice, so
 * it needs a number).
 *
 * Every string from a log goes through esc.h (secrets masked, control
 * bytes escaped) before it is printed.
 *
 * Exit codes: 0 no difference in the compared facts, 1 differences,
 * 2 could not compare (unreadable file, no such sign-in).
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_diff.h"
#include "diff.h"
#include "engine.h"
#include "esc.h"
#include "rep.h"
#include "rep_color.h"
#include "sv.h"

enum { RC_SAME = 0, RC_DIFF = 1, RC_ERROR = 2 };

#define MAX_F 64                /* findings kept of the chosen sign-in */

/* One side: the file, which sign-in, and what was kept of it. */
struct side {
	const char *label;      /* "good", "bad" */
	char *path;             /* owned */
	unsigned want;          /* the sign-in asked for, 0: default */
	int want_ok;            /* default: first signed-in (1) / failed */
	const struct cmd_diff_opts *o;
	unsigned chosen;        /* its id, 0 not found yet */
	int keep_msgs;          /* this pass keeps chosen's messages */
	struct sess s;          /* copy; props not kept */
	unsigned nsess, nok, nfail;
	struct diff_msgs m;
	struct finding *f;      /* owned: its findings, at most MAX_F */
	size_t nf;
	uint64_t nwarn;
	int failed;             /* a read error */
};

static void SFB_PRINTF(2, 3) msg(const char *kind, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "sfblog: %s: ", kind);
	if (n > 0)
		esc_write(stderr, buf, (size_t)n < sizeof buf ? (size_t)n
							      : sizeof buf - 1,
			  0);
	fputc('\n', stderr);
}

static void on_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	struct side *sd = ud;
	sd->nsess++;
	sd->nok += s->outcome == SESS_SIGNED_IN;
	sd->nfail += s->outcome == SESS_FAILED_OUT;
	if (sd->chosen)
		return;
	if (sd->want ? s->id != sd->want
		     : s->outcome != (sd->want_ok ? SESS_SIGNED_IN
						  : SESS_FAILED_OUT))
		return;
	sd->chosen = s->id;
	sd->s = *s;
	sd->s.props = NULL;
	sd->s.nprops = 0;
	sd->nf = nf < MAX_F ? nf : MAX_F;
	if (sd->nf) {
		sd->f = sfb_xmalloc(sd->nf * sizeof *sd->f);
		memcpy(sd->f, f, sd->nf * sizeof *sd->f);
	}
}

static void on_msg(void *ud, const struct msg *m, const struct fmt_rec *rec,
		   unsigned session, int copy)
{
	struct side *sd = ud;
	(void)rec;
	if (sd->keep_msgs && !copy && session && session == sd->want)
		diff_msgs_add(&sd->m, m);
}

static void on_warn(void *ud, const char *file, unsigned long line,
		    const char *text)
{
	struct side *sd = ud;
	if (!sd->o->quiet && sd->nwarn++ < sd->o->max_warn)
		msg("warning", "%s:%lu: %s", file, line, text);
}

static void on_error(void *ud, const char *file, const struct sfb_err *err)
{
	struct side *sd = ud;
	sd->failed = 1;
	if (err->code == SFB_E_IO)
		msg("error", "%s", err->msg);
	else
		msg("error", "'%s': %s", file, err->msg);
}

/* One pass of the engine over the side's file. */
static int run(struct side *sd)
{
	const struct cmd_diff_opts *o = sd->o;
	struct engine_config cfg = { 0 };
	struct engine_sink sk = { 0 };
	cfg.want = ENG_SESSIONS | ENG_RULES;
	cfg.format = o->format;
	cfg.max_line = o->max_line;
	cfg.max_msg = o->max_msg;
	cfg.max_txn = o->max_txn;
	cfg.max_warn = o->max_warn;
	cfg.patterns = o->patterns;
	cfg.rules = o->rules;
	sk.on_session = on_session;
	sk.on_msg = on_msg;
	sk.on_warn = on_warn;
	sk.on_error = on_error;
	sk.ud = sd;
	struct engine *e = engine_new(&cfg, &sk);
	const char *files[1] = { sd->path };
	int rc = engine_run(e, files, 1, sd->path);
	if (rc == 0 && o->strict && engine_malformed(e)) {
		msg("error", "'%s': %" PRIu64 " malformed or truncated "
		    "input(s) (--strict)", sd->path, engine_malformed(e));
		rc = -1;
	}
	engine_free(e);
	return rc != 0 || sd->failed ? -1 : 0;
}

/* "FILE@N" when FILE@N itself is not a file: N, and path cut. */
static int parse_arg(struct side *sd, const char *arg, unsigned opt_n)
{
	sd->path = sfb_xstrndup(arg, strlen(arg));
	sd->want = opt_n;
	const char *at = strrchr(arg, '@');
	uint64_t n;
	if (!at || at == arg || access(arg, F_OK) == 0 ||
	    !sv_to_u64(sv_cstr(at + 1), &n) || n == 0 || n > UINT32_MAX)
		return 0;
	if (opt_n) {
		msg("error", "'%s': the sign-in is given twice (@N and "
		    "--%s-session)", arg, sd->label);
		return -1;
	}
	sd->path[at - arg] = '\0';
	sd->want = (unsigned)n;
	return 0;
}

static int load(struct side *sd)
{
	if (strcmp(sd->path, "-") == 0 && !sd->want) {
		msg("error", "diff reads standard input once: name the "
		    "sign-in with --%s-session N", sd->label);
		return -1;
	}
	sd->keep_msgs = sd->want != 0;
	if (run(sd) != 0)
		return -1;
	if (!sd->chosen) {
		if (sd->want)
			msg("error", "'%s': no sign-in %u (the log has %u)",
			    sd->path, sd->want, sd->nsess);
		else
			msg("error", "'%s': no sign-in that %s (%u sign-in(s)"
			    ", %u signed in, %u failed): choose one with "
			    "--%s-session N", sd->path, sd->want_ok
			    ? "signed in" : "failed", sd->nsess, sd->nok,
			    sd->nfail, sd->label);
		return -1;
	}
	if (sd->keep_msgs)
		return 0;
	/* second pass: the messages of the chosen sign-in */
	sd->want = sd->chosen;
	sd->keep_msgs = 1;
	unsigned id = sd->chosen;
	struct sess keep = sd->s;
	struct finding *f = sd->f;
	size_t nf = sd->nf;
	sd->f = NULL;
	sd->chosen = 0;
	sd->nsess = sd->nok = sd->nfail = 0;
	int rc = run(sd);
	free(sd->f);
	sd->f = f;
	sd->nf = nf;
	sd->s = keep;
	sd->chosen = id;
	sd->want = 0;
	return rc;
}

/* "general" for a finding of no step, as the other reports say */
static const char *step_name(enum sfb_step st)
{
	return st == SFB_STEP_NONE ? "general" : sfb_step_name(st);
}

/* ---- text ----------------------------------------------------------- */

static void put(FILE *out, const char *s)
{
	esc_puts(out, s);
}

static void where_text(FILE *out, const char *file, unsigned long line)
{
	if (!file)
		return;
	fputs("  (", out);
	put(out, file);
	fprintf(out, ":%lu)", line);
}

static void side_text(FILE *out, const struct side *sd)
{
	char t[32];
	fprintf(out, "%-5s ", sd->label);
	put(out, sd->path);
	fprintf(out, ", sign-in %u of %u (%s)\n", sd->chosen, sd->nsess,
		sd->want ? "as asked" : sd->want_ok
		? "the first that signed in" : "the first that failed");
	fputs("      ", out);
	put(out, sd->s.user[0] ? sd->s.user : "(user unknown)");
	fprintf(out, ", %s: ", sess_outcome_name(sd->s.outcome));
	put(out, sd->s.outcome_text);
	fprintf(out, "\n      from %s, %zu message(s) compared",
		sd->s.start == SFB_TIME_NONE ? "?"
		: sfb_time_fmt(sd->s.start, t, sizeof t), sd->m.n);
	if (sd->m.dropped)
		fprintf(out, " (the first %d; %" PRIu64 " more not compared)",
			DIFF_MAX_MSGS, sd->m.dropped);
	fputc('\n', out);
}

static void value_text(FILE *out, const char *label, const char *v,
		       const char *file, unsigned long line, const char *c)
{
	fprintf(out, "      %s%s%s ", c, label, *c ? C_RESET : "");
	put(out, v[0] ? v : "(absent)");
	where_text(out, file, line);
	fputc('\n', out);
}

static void item_text(FILE *out, const struct diff_item *it, int color)
{
	put(out, it->what);
	fprintf(out, "  [%s]\n", diff_kind_name(it->kind));
	value_text(out, "good:", it->good, it->good_file, it->good_line,
		   col(color, C_GREEN));
	value_text(out, "bad: ", it->bad, it->bad_file, it->bad_line,
		   col(color, C_RED));
	if (it->repeats)
		fprintf(out, "      (and %u more like it)\n", it->repeats);
}

static void print_text(FILE *out, const struct side *g, const struct side *b,
		       const struct diff_result *r, int color)
{
	side_text(out, g);
	side_text(out, b);
	if (strcmp(g->s.user, b->s.user) != 0)
		fputs("note: different users: their facts are compared all "
		      "the same\n", out);
	if (g->s.client_log != b->s.client_log)
		fputs("note: a client log against a server trace: each shows"
		      " its own side\n", out);
	fputc('\n', out);
	if (!r->n) {
		fprintf(out, "no difference in the compared facts (%zu "
			"message(s) aligned)\n", r->aligned);
		return;
	}
	const struct diff_item *f = &r->items[r->first];
	fprintf(out, "%sfirst divergence%s, in %s: ", col(color, C_BOLD),
		col(color, C_RESET), step_name(f->step));
	item_text(out, f, color);
	fprintf(out, "\n%zu difference(s); %zu message(s) aligned, %zu only "
		"in good, %zu only in bad\n", r->n, r->aligned, r->good_only,
		r->bad_only);
	enum sfb_step st = SFB_STEP__COUNT;
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_item *it = &r->items[i];
		if (it->step != st) {
			st = it->step;
			fprintf(out, "%s%s%s\n", col(color, C_BOLD),
				step_name(st), col(color, C_RESET));
		}
		fputs("  * ", out);
		item_text(out, it, color);
	}
	if (r->dropped)
		fprintf(out, "... %" PRIu64 " more difference(s) not listed\n",
			r->dropped);
}

/* ---- JSON ----------------------------------------------------------- */

static void jstr(cJSON *o, const char *key, const char *s)
{
	cJSON *j;
	if (s) {
		char *u = esc_utf8(sv_cstr(s));
		j = cJSON_CreateString(u);
		free(u);
	} else {
		j = cJSON_CreateNull();
	}
	if (!j)
		sfb_oom();
	cJSON_AddItemToObject(o, key, j);
}

static void jnum(cJSON *o, const char *key, double n)
{
	if (!cJSON_AddNumberToObject(o, key, n))
		sfb_oom();
}

static cJSON *jobj(void)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		sfb_oom();
	return o;
}

static cJSON *side_json(const struct side *sd)
{
	char t[32];
	cJSON *o = jobj();
	jstr(o, "file", sd->path);
	jnum(o, "session", sd->chosen);
	jnum(o, "sessions", sd->nsess);
	jstr(o, "picked", sd->want ? "given" : sd->want_ok
			  ? "first-signed-in" : "first-failed");
	jstr(o, "user", sd->s.user);
	jstr(o, "outcome", sess_outcome_name(sd->s.outcome));
	jstr(o, "outcome_text", sd->s.outcome_text);
	jstr(o, "start", sd->s.start == SFB_TIME_NONE ? NULL
			 : sfb_time_fmt(sd->s.start, t, sizeof t));
	jnum(o, "messages", (double)sd->m.n);
	jnum(o, "messages_not_compared", (double)sd->m.dropped);
	return o;
}

static cJSON *item_json(const struct diff_item *it)
{
	cJSON *o = jobj();
	jstr(o, "kind", diff_kind_name(it->kind));
	jstr(o, "step", step_name(it->step));
	jstr(o, "what", it->what);
	static const char *const sides[2] = { "good", "bad" };
	for (int k = 0; k < 2; k++) {
		const char *v = k ? it->bad : it->good;
		const char *f = k ? it->bad_file : it->good_file;
		unsigned long l = k ? it->bad_line : it->good_line;
		cJSON *s = jobj();
		jstr(s, "value", v[0] ? v : NULL);
		jstr(s, "file", f);
		if (f)
			jnum(s, "line", (double)l);
		else
			cJSON_AddItemToObject(s, "line", cJSON_CreateNull());
		cJSON_AddItemToObject(o, sides[k], s);
	}
	jnum(o, "repeats", it->repeats);
	return o;
}

static void print_json(FILE *out, const struct side *g, const struct side *b,
		       const struct diff_result *r)
{
	cJSON *o = jobj();
	jstr(o, "schema", "sfblog-diff");
	jnum(o, "schema_version", 1);
	jstr(o, "version", SFB_VERSION);
	cJSON_AddItemToObject(o, "good", side_json(g));
	cJSON_AddItemToObject(o, "bad", side_json(b));
	cJSON_AddItemToObject(o, "same_user", cJSON_CreateBool(
		strcmp(g->s.user, b->s.user) == 0));
	cJSON_AddItemToObject(o, "first", r->n ? item_json(
		&r->items[r->first]) : cJSON_CreateNull());
	cJSON *a = cJSON_CreateArray();
	if (!a)
		sfb_oom();
	for (size_t i = 0; i < r->n; i++)
		cJSON_AddItemToArray(a, item_json(&r->items[i]));
	cJSON_AddItemToObject(o, "differences", a);
	jnum(o, "differences_not_listed", (double)r->dropped);
	jnum(o, "aligned", (double)r->aligned);
	jnum(o, "good_only", (double)r->good_only);
	jnum(o, "bad_only", (double)r->bad_only);
	char *txt = cJSON_Print(o);
	if (!txt)
		sfb_oom();
	fputs(txt, out);
	fputc('\n', out);
	free(txt);
	cJSON_Delete(o);
}

int cmd_diff_run(const struct cmd_diff_opts *o, const char *good,
		 const char *bad)
{
	struct side g = { 0 }, b = { 0 };
	g.label = "good";
	b.label = "bad";
	g.want_ok = 1;
	g.o = b.o = o;
	int rc = RC_ERROR;
	if (parse_arg(&g, good, o->good_session) != 0 ||
	    parse_arg(&b, bad, o->bad_session) != 0)
		goto out;
	if (load(&g) != 0 || load(&b) != 0)
		goto out;
	struct diff_side dg = { &g.s, &g.m, g.f, g.nf };
	struct diff_side db = { &b.s, &b.m, b.f, b.nf };
	struct diff_result r = { 0 };
	diff_compare(&dg, &db, &r);
	if (o->json)
		print_json(stdout, &g, &b, &r);
	else
		print_text(stdout, &g, &b, &r, o->color);
	rc = r.n ? RC_DIFF : RC_SAME;
	diff_result_free(&r);
out:
	free(g.path);
	free(b.path);
	free(g.f);
	free(b.f);
	diff_msgs_free(&g.m);
	diff_msgs_free(&b.m);
	return rc;
}

/* ---- triage --compare ----------------------------------------------- */

static double pct(double share)
{
	return share * 100.0;
}

void cmd_diff_compare_text(FILE *out, struct compare *c)
{
	const struct compare_sep *s;
	size_t n = compare_separate(c, &s);
	uint64_t nf = compare_count(c, COMPARE_FAILED);
	uint64_t no = compare_count(c, COMPARE_OK);
	fprintf(out, "\ncompare: %" PRIu64 " failing and %" PRIu64
		" working sign-in(s)", nf, no);
	if (compare_count(c, COMPARE_OTHER))
		fprintf(out, " (%" PRIu64 " incomplete not counted)",
			compare_count(c, COMPARE_OTHER));
	fputc('\n', out);
	if (!nf || !no) {
		fputs("  nothing to compare: it takes failing and working "
		      "sign-ins\n", out);
		return;
	}
	if (!n) {
		fprintf(out, "  no fact separates them (none in %.0f%% of "
			"one group and %.0f%% or less of the other)\n",
			pct(COMPARE_HI), pct(COMPARE_LO));
		return;
	}
	fprintf(out, "  the facts that separate them (in %.0f%% or more of "
		"one group, %.0f%% or less\n  of the other), strongest "
		"first:\n", pct(COMPARE_HI), pct(COMPARE_LO));
	/* grouped by feature, in the order of its strongest value */
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < i && strcmp(s[k].name, s[i].name) != 0)
			k++;
		if (k < i)
			continue;
		fputs("  ", out);
		put(out, s[i].name);
		fputs("\n", out);
		for (k = i; k < n; k++) {
			if (strcmp(s[k].name, s[i].name) != 0)
				continue;
			fputs("      ", out);
			put(out, s[k].value);
			fprintf(out, ": failing %" PRIu64 " of %" PRIu64
				" (%.0f%%), working %" PRIu64 " of %" PRIu64
				" (%.0f%%)\n", s[k].nfail, nf,
				pct(s[k].share_fail), s[k].nok, no,
				pct(s[k].share_ok));
		}
	}
	if (compare_dropped(c))
		fprintf(out, "  (%" PRIu64 " value(s) not counted: more than "
			"%d distinct)\n", compare_dropped(c),
			COMPARE_MAX_VALUES);
}

void cmd_diff_compare_json(FILE *out, struct compare *c, int doc,
			   size_t *count)
{
	const struct compare_sep *s;
	size_t n = compare_separate(c, &s);
	cJSON *o = jobj();
	jstr(o, "type", "compare");
	jnum(o, "failing", (double)compare_count(c, COMPARE_FAILED));
	jnum(o, "working", (double)compare_count(c, COMPARE_OK));
	jnum(o, "incomplete", (double)compare_count(c, COMPARE_OTHER));
	jnum(o, "values_not_counted", (double)compare_dropped(c));
	cJSON *a = cJSON_CreateArray();
	if (!a)
		sfb_oom();
	for (size_t i = 0; i < n; i++) {
		cJSON *e = jobj();
		jstr(e, "feature", s[i].name);
		jstr(e, "value", s[i].value);
		jnum(e, "failing", (double)s[i].nfail);
		jnum(e, "working", (double)s[i].nok);
		jnum(e, "failing_share", s[i].share_fail);
		jnum(e, "working_share", s[i].share_ok);
		cJSON_AddItemToArray(a, e);
	}
	cJSON_AddItemToObject(o, "separating", a);
	rep_json_tri_record(out, o, doc, count);
}
