/* SPDX-License-Identifier: MIT */
/*
 * rep_triage.c -- the reports of `sfblog triage` (reporters, last
 * stage of the pipeline).  The output kinds format each result on a
 * worker's thread (rep_triage_fmt_*, tri_sink.format): the -v detail
 * of the text report, NDJSON and JSON records (rep_json.c).  The text
 * report then takes the results in input order: it writes the detail
 * bytes as they come and keeps one small row per source and user; at
 * the end it prints the rows sorted by severity, the inputs with
 * problems and their reasons, and a closing count.  Rows are small (no
 * findings kept, only the top one's id and title), so a run over many
 * files stays small.  The row (struct rep_triage_row) and what sets,
 * counts and sorts rows the same way in both reports are shared with
 * rep_triage_html.c.
 *
 * Names and log text are written in their terminal form (esc.h).
 *
 * Ownership: struct rep_triage owns its rows; the FILE is borrowed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "rep.h"
#include "rep_triage.h"
#include "rules.h"

/* The terminal form of a string, valid until esc_tmp_free(t). */
#define E(s) esc_str(t, (s))

struct problem_line {
	char *source;           /* owned */
	enum walk_problem code;
	char reason[1024];
};

struct rep_triage {
	FILE *out;
	int verbose;
	struct rep_triage_row *rows;
	size_t nrows, caprows;
	struct problem_line *probs;
	size_t nprobs, capprobs;
	struct tri_total total;
};

struct rep_triage *rep_triage_new(FILE *out, int verbose)
{
	struct rep_triage *t = sfb_xcalloc(1, sizeof *t);
	t->out = out;
	t->verbose = verbose;
	return t;
}

/* ---- rows, shared with rep_triage_html.c ----------------------------- */

void rep_triage_row_init(struct rep_triage_row *w, uint64_t order,
			 const struct tri_result *r, const char *user)
{
	memset(w, 0, sizeof *w);
	w->order = order;
	w->source = sfb_xstrndup(r->name, strlen(r->name));
	snprintf(w->user, sizeof w->user, "%s", user);
}

void rep_triage_row_count(struct rep_triage_row *w, const struct tri_sess *s)
{
	w->signins++;
	if (s->outcome == SESS_SIGNED_IN)
		w->signed_in++;
	else if (s->outcome == SESS_FAILED_OUT)
		w->failed++;
	else
		w->incomplete++;
}

int rep_triage_row_cmp(const void *x, const void *y)
{
	const struct rep_triage_row *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

int rep_triage_clean(const struct tri_result *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].read && !r->files[i].problem)
			return 1;
	return 0;
}

/* ---- the text report ------------------------------------------------- */

/* The row of user among this result's (from first on), else a new one. */
static struct rep_triage_row *row_for(struct rep_triage *t,
				      const struct tri_result *r,
				      const char *user, size_t first)
{
	for (size_t i = first; i < t->nrows; i++)
		if (strcmp(t->rows[i].user, user) == 0)
			return &t->rows[i];
	if (t->nrows == t->caprows) {
		t->caprows = t->caprows ? 2 * t->caprows : 64;
		t->rows = sfb_xrealloc(t->rows, t->caprows * sizeof *t->rows);
	}
	struct rep_triage_row *w = &t->rows[t->nrows];
	rep_triage_row_init(w, t->nrows++, r, user);
	return w;
}

void rep_triage_fmt_detail(const void *ud, const struct tri_result *r,
			   FILE *o)
{
	(void)ud;
	struct esc_tmp et = ESC_TMP_INIT, *t = &et;
	char a[32], b[32];
	fprintf(o, "== %s\n", E(r->name));
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].problem)
			fprintf(o, "  %s: %s: %s\n",
				E(r->files[i].item->source),
				walk_problem_name(r->files[i].problem),
				E(r->files[i].reason));
	for (size_t i = 0; i < r->nsess; i++) {
		const struct tri_sess *s = &r->sess[i];
		fprintf(o, "  session %u  %s  %s .. %s  %s (%s)\n", s->id,
			s->user[0] ? E(s->user) : "-",
			s->start == SFB_TIME_NONE ? "?"
			: sfb_time_fmt(s->start, a, sizeof a),
			s->end == SFB_TIME_NONE ? "?"
			: sfb_time_fmt(s->end, b, sizeof b),
			sess_outcome_name(s->outcome), sfb_sev_name(s->sev));
		if (s->outcome_text[0])
			fprintf(o, "    %s\n", E(s->outcome_text));
		for (size_t k = 0; k < s->nf; k++)
			fprintf(o, "    %-7s %s: %s (x%" PRIu64 ")\n",
				sfb_sev_name(s->f[k].sev),
				s->f[k].rule->id, E(s->f[k].title),
				s->f[k].count);
	}
	for (size_t k = 0; k < r->nf; k++)
		fprintf(o, "  %-7s %s: %s (x%" PRIu64 ", no session)\n",
			sfb_sev_name(r->f[k].sev), r->f[k].rule->id,
			E(r->f[k].title), r->f[k].count);
	if (rep_triage_clean(r) && !r->nsess)
		fprintf(o, "  no sign-in%s\n", r->sess_seen ?
			" passed the filters" : "");
	esc_tmp_free(t);
}

void rep_triage_result(struct rep_triage *t, const struct tri_result *r)
{
	triage_total_add(&t->total, r);
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct tri_file *f = &r->files[i];
		if (!f->problem)
			continue;
		if (t->nprobs == t->capprobs) {
			t->capprobs = t->capprobs ? 2 * t->capprobs : 16;
			t->probs = sfb_xrealloc(t->probs, t->capprobs *
						sizeof *t->probs);
		}
		struct problem_line *p = &t->probs[t->nprobs++];
		p->source = sfb_xstrndup(f->item->source,
					 strlen(f->item->source));
		p->code = f->problem;
		snprintf(p->reason, sizeof p->reason, "%s", f->reason);
	}
	if (r->nout)
		fwrite(r->out, 1, r->nout, t->out);
	if (!r->ran)
		return;
	size_t first = t->nrows;
	for (size_t i = 0; i < r->nsess; i++) {
		const struct tri_sess *s = &r->sess[i];
		struct rep_triage_row *w = row_for(t, r, s->user[0] ? s->user
						   : "-", first);
		rep_triage_row_count(w, s);
		if (s->sev > w->sev || !w->top[0]) {
			const struct finding *f = triage_top(s);
			if (f)
				snprintf(w->top, sizeof w->top, "%s: %s",
					 f->rule->id, f->title);
			else if (s->outcome == SESS_FAILED_OUT)
				snprintf(w->top, sizeof w->top, "%s",
					 s->outcome_text);
			if (s->sev > w->sev)
				w->sev = s->sev;
		}
	}
	if (r->nf) {
		struct rep_triage_row *w = row_for(t, r, "-", first);
		if (r->f[0].sev > w->sev) {
			w->sev = r->f[0].sev;
			snprintf(w->top, sizeof w->top, "%s: %s",
				 r->f[0].rule->id, r->f[0].title);
		}
	}
	if (t->nrows == first && !r->nsess && r->sess_seen == 0 &&
	    rep_triage_clean(r)) {
		struct rep_triage_row *w = row_for(t, r, "-", first);
		snprintf(w->top, sizeof w->top, "no sign-in in this log");
	}
}

void rep_triage_fmt_ndjson(const void *ud, const struct tri_result *r,
			   FILE *out)
{
	size_t n = 0;
	(void)ud;
	rep_json_tri_result(out, r, 0, &n);
}

void rep_triage_fmt_json(const void *ud, const struct tri_result *r,
			 FILE *out)
{
	size_t n = 0;
	(void)ud;
	rep_json_tri_result(out, r, 1, &n);
}

static void outcome_of(const struct rep_triage_row *w, char *out, size_t n)
{
	if (!w->signins)
		snprintf(out, n, "-");
	else if (w->failed)
		snprintf(out, n, "%" PRIu64 " failed", w->failed);
	else if (w->incomplete && !w->signed_in)
		snprintf(out, n, "incomplete");
	else
		snprintf(out, n, "signed in");
}

int rep_triage_end(struct rep_triage *rt)
{
	FILE *o = rt->out;
	struct tri_total *tt = &rt->total;
	struct esc_tmp et = ESC_TMP_INIT, *t = &et;
	char oc[32];
	if (rt->verbose && rt->nrows)
		fputc('\n', o);
	if (rt->nrows)
		qsort(rt->rows, rt->nrows, sizeof *rt->rows,
		      rep_triage_row_cmp);
	if (rt->nrows)
		fprintf(o, "%-8s %-44s %-28s %8s  %-10s %s\n", "SEVERITY",
			"SOURCE", "USER", "SIGN-INS", "OUTCOME",
			"TOP FINDING");
	for (size_t i = 0; i < rt->nrows; i++) {
		const struct rep_triage_row *w = &rt->rows[i];
		outcome_of(w, oc, sizeof oc);
		fprintf(o, "%-8s %-44s %-28s %8" PRIu64 "  %-10s %s\n",
			sfb_sev_name(w->sev), E(w->source), E(w->user),
			w->signins, oc, w->top[0] ? E(w->top) : "-");
	}
	if (rt->nprobs) {
		fprintf(o, "\nproblems (%zu):\n", rt->nprobs);
		for (size_t i = 0; i < rt->nprobs; i++)
			fprintf(o, "  %s: %s: %s\n", E(rt->probs[i].source),
				walk_problem_name(rt->probs[i].code),
				E(rt->probs[i].reason));
	}
	fprintf(o, "\n%" PRIu64 " file(s): %" PRIu64 " read, %" PRIu64
		" unchanged, %" PRIu64 " with problems; %" PRIu64
		" sign-in(s): %" PRIu64 " signed in, %" PRIu64 " failed, %"
		PRIu64 " incomplete\n", tt->files, tt->files_read,
		tt->files_unchanged, tt->files_problem, tt->sessions,
		tt->signed_in, tt->failed, tt->incomplete);
	triage_total_sort(tt);
	if (tt->nrules) {
		fputs("by top rule:", o);
		for (size_t i = 0; i < tt->nrules; i++)
			fprintf(o, " %s %" PRIu64 "%s", tt->rules[i].key,
				tt->rules[i].n, i + 1 < tt->nrules ? "," : "");
		fputc('\n', o);
	}
	int any = 0;
	for (int s = 1; s < SFB_STEP__COUNT; s++) {
		if (!tt->steps[s])
			continue;
		fprintf(o, "%s %s %" PRIu64, any ? "," : "failed at:",
			sfb_step_name((enum sfb_step)s), tt->steps[s]);
		any = 1;
	}
	if (any)
		fputc('\n', o);
	esc_tmp_free(t);
	return 0;
}

const struct tri_total *rep_triage_total(const struct rep_triage *t)
{
	return &t->total;
}

void rep_triage_free(struct rep_triage *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].source);
	for (size_t i = 0; i < t->nprobs; i++)
		free(t->probs[i].source);
	free(t->rows);
	free(t->probs);
	triage_total_free(&t->total);
	free(t);
}
