/* SPDX-License-Identifier: MIT */
/*
 * rep_triage_html.c -- `sfblog triage -o html` (reporters, last stage
 * of the pipeline): one self-contained page for a batch of logs.  The
 * results come in input order (triage_run); this keeps one small row
 * per source and user, the inputs with problems, and the detail of the
 * most severe sign-ins as the workers formatted them
 * (rep_html_tri_detail), then writes the page at the end with
 * rep_html.c's frame: the same CSP, style and script.
 *
 * Without JavaScript the rows are sorted by severity (then input
 * order); the script sorts them by severity or time from the data-*
 * attributes (numbers this file writes, never log text).  Every byte
 * from a log or a file name goes through rep_html_esc; ids are made of
 * job and sign-in numbers only.
 *
 * What is kept does not depend on the number of workers: rows and
 * details are ranked by severity, then by input order.
 *
 * Ownership: see rep_triage_html.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep.h"
#include "rep_triage.h"
#include "rep_triage_html.h"
#include "rules.h"

struct th_row {
	struct rep_triage_row r;        /* first: rep_triage_row_cmp */
	int64_t first, last;
	size_t job;             /* the sign-in it links to: */
	unsigned sid;           /* its worst, 0 none */
};

struct th_detail {
	uint64_t order;
	size_t job;
	unsigned sid;
	enum sfb_sev sev;
	char user[128];
	char *source;           /* owned */
	char *html;             /* owned */
	size_t n;
};

struct th_problem {
	char *source;           /* owned */
	enum walk_problem code;
	char reason[256];
};

struct rep_triage_html {
	FILE *out;
	char nonce[40];
	size_t max_detail;
	struct th_row *rows;
	size_t nrows, caprows;
	uint64_t rows_dropped;
	struct th_detail *det;  /* max_detail */
	size_t ndet;
	struct th_problem *probs;
	size_t nprobs;
	uint64_t probs_dropped;
	uint64_t order;         /* rows so far */
	uint64_t nsess;         /* sign-ins so far */
	struct tri_total total;
};

static void put_s(FILE *o, const char *s)
{
	rep_html_esc(o, s, strlen(s), 0);
}

struct rep_triage_html *rep_triage_html_new(FILE *out, const char *nonce,
					    size_t max_detail)
{
	struct rep_triage_html *t = sfb_xcalloc(1, sizeof *t);
	t->out = out;
	rep_html_nonce(t->nonce, sizeof t->nonce, nonce);
	t->max_detail = max_detail ? max_detail : REP_TRIAGE_HTML_MAX_DETAIL;
	t->det = sfb_xcalloc(t->max_detail, sizeof *t->det);
	return t;
}

/* ---- rows ------------------------------------------------------------ */

/* Keep the REP_TRIAGE_HTML_MAX_ROWS first rows, most severe first. */
static void rows_trim(struct rep_triage_html *t)
{
	if (t->nrows)
		qsort(t->rows, t->nrows, sizeof *t->rows,
		      rep_triage_row_cmp);
	while (t->nrows > REP_TRIAGE_HTML_MAX_ROWS) {
		free(t->rows[--t->nrows].r.source);
		t->rows_dropped++;
	}
}

static struct th_row *row_new(struct rep_triage_html *t,
			      const struct tri_result *r, const char *user)
{
	if (t->nrows == t->caprows) {
		if (t->nrows >= 2 * REP_TRIAGE_HTML_MAX_ROWS)
			rows_trim(t);
		if (t->nrows == t->caprows) {
			t->caprows = t->caprows ? 2 * t->caprows : 64;
			t->rows = sfb_xrealloc(t->rows, t->caprows *
					       sizeof *t->rows);
		}
	}
	struct th_row *w = &t->rows[t->nrows++];
	memset(w, 0, sizeof *w);
	rep_triage_row_init(&w->r, t->order++, r, user);
	w->first = w->last = SFB_TIME_NONE;
	return w;
}

static void row_add(struct th_row *w, size_t job, const struct tri_sess *s)
{
	rep_triage_row_count(&w->r, s);
	if (s->start != SFB_TIME_NONE &&
	    (w->first == SFB_TIME_NONE || s->start < w->first))
		w->first = s->start;
	int64_t end = s->end != SFB_TIME_NONE ? s->end : s->start;
	if (end != SFB_TIME_NONE &&
	    (w->last == SFB_TIME_NONE || end > w->last))
		w->last = end;
	if (w->sid && s->sev <= w->r.sev)
		return;
	w->r.sev = s->sev;
	w->job = job;
	w->sid = s->id;
	const struct finding *f = triage_top(s);
	if (f)
		snprintf(w->r.top, sizeof w->r.top, "%s: %s", f->rule->id,
			 f->title);
	else
		snprintf(w->r.top, sizeof w->r.top, "%s", s->outcome_text);
}

/* A session of one result, to sort by user then input order. */
struct th_ux {
	const char *user;
	size_t i;
};

static int by_user(const void *x, const void *y)
{
	const struct th_ux *a = x, *b = y;
	int c = strcmp(a->user, b->user);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int by_first(const void *x, const void *y)
{
	const size_t *a = x, *b = y;     /* {first session, group start} */
	return (a[0] > b[0]) - (a[0] < b[0]);
}

/*
 * One row per user of the result, in order of their first sign-in.
 * The sort keeps this n log n for a trace of many users.
 */
static void rows_of(struct rep_triage_html *t, const struct tri_result *r)
{
	size_t n = r->nsess;
	struct th_ux *ix = sfb_xmalloc((n ? n : 1) * sizeof *ix);
	size_t *grp = sfb_xmalloc((n ? n : 1) * 2 * sizeof *grp);
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		ix[i].user = r->sess[i].user;
		ix[i].i = i;
	}
	qsort(ix, n, sizeof *ix, by_user);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(ix[i].user, ix[i - 1].user) != 0) {
			grp[2 * ng] = ix[i].i;
			grp[2 * ng + 1] = i;
			ng++;
		}
	qsort(grp, ng, 2 * sizeof *grp, by_first);
	for (size_t g = 0; g < ng; g++) {
		size_t i = grp[2 * g + 1];
		const char *user = ix[i].user;
		struct th_row *w = row_new(t, r, user[0] ? user : "-");
		for (; i < n && strcmp(ix[i].user, user) == 0; i++)
			row_add(w, r->job, &r->sess[ix[i].i]);
	}
	free(ix);
	free(grp);
}

/* ---- details ------------------------------------------------------- */

static void detail_keep(struct rep_triage_html *t,
			const struct tri_result *r, const struct tri_sess *s,
			uint64_t order)
{
	size_t slot = t->ndet;
	if (t->ndet == t->max_detail) {
		slot = 0;
		for (size_t i = 1; i < t->ndet; i++)
			if (t->det[i].sev < t->det[slot].sev ||
			    (t->det[i].sev == t->det[slot].sev &&
			     t->det[i].order > t->det[slot].order))
				slot = i;
		if (t->det[slot].sev >= s->sev)
			return;
		free(t->det[slot].html);
		free(t->det[slot].source);
	} else {
		t->ndet++;
	}
	struct th_detail *d = &t->det[slot];
	d->order = order;
	d->job = r->job;
	d->sid = s->id;
	d->sev = s->sev;
	snprintf(d->user, sizeof d->user, "%s", s->user);
	d->source = sfb_xstrndup(r->name, strlen(r->name));
	d->html = sfb_xstrndup(s->detail, s->ndetail);
	d->n = s->ndetail;
}

static int det_cmp(const void *x, const void *y)
{
	const struct th_detail *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

static int det_has(const struct rep_triage_html *t, size_t job,
		   unsigned sid)
{
	for (size_t i = 0; i < t->ndet; i++)
		if (t->det[i].job == job && t->det[i].sid == sid)
			return 1;
	return 0;
}

/* ---- results ------------------------------------------------------- */

void rep_triage_html_result(struct rep_triage_html *t,
			    const struct tri_result *r)
{
	triage_total_add(&t->total, r);
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct tri_file *f = &r->files[i];
		if (!f->problem)
			continue;
		if (t->nprobs >= REP_TRIAGE_HTML_MAX_PROBLEMS) {
			t->probs_dropped++;
			continue;
		}
		if (!t->probs)
			t->probs = sfb_xcalloc(REP_TRIAGE_HTML_MAX_PROBLEMS,
					       sizeof *t->probs);
		struct th_problem *p = &t->probs[t->nprobs++];
		p->source = sfb_xstrndup(f->item->source,
					 strlen(f->item->source));
		p->code = f->problem;
		snprintf(p->reason, sizeof p->reason, "%.255s", f->reason);
	}
	if (!r->ran)
		return;
	for (size_t i = 0; i < r->nsess; i++)
		if (r->sess[i].detail)
			detail_keep(t, r, &r->sess[i], t->nsess + i);
	t->nsess += r->nsess;
	rows_of(t, r);
	if (r->nf) {
		struct rep_triage_row *w = &row_new(t, r, "-")->r;
		w->sev = r->f[0].sev;
		snprintf(w->top, sizeof w->top, "%s: %s (no sign-in)",
			 r->f[0].rule->id, r->f[0].title);
	}
	if (!r->nsess && !r->nf && !r->sess_seen && rep_triage_clean(r))
		snprintf(row_new(t, r, "-")->r.top, sizeof t->rows[0].r.top,
			 "no sign-in in this log");
}

/* ---- the page ------------------------------------------------------ */

static const char *sev_class(enum sfb_sev s)
{
	return s >= SFB_SEV_INFO ? sfb_sev_name(s) : "ok";
}

static void summary(struct rep_triage_html *t)
{
	FILE *o = t->out;
	struct tri_total *tt = &t->total;
	fprintf(o, "<div class=\"banner %s\" id=\"summary\"><b>%" PRIu64
		" file(s)</b>: %" PRIu64 " read, %" PRIu64 " unchanged, %"
		PRIu64 " with problems<br><b>%" PRIu64 " sign-in(s)</b>: %"
		PRIu64 " signed in, %" PRIu64 " failed, %" PRIu64
		" incomplete", tt->failed || tt->worst == SFB_SEV_ERROR
		? "error" : tt->worst == SFB_SEV_WARNING ? "warning" : "ok",
		tt->files, tt->files_read, tt->files_unchanged,
		tt->files_problem, tt->sessions, tt->signed_in, tt->failed,
		tt->incomplete);
	triage_total_sort(tt);
	if (tt->nrules) {
		fputs("<br>by top rule:", o);
		for (size_t i = 0; i < tt->nrules; i++) {
			fputc(' ', o);
			put_s(o, tt->rules[i].key);
			fprintf(o, " %" PRIu64 "%s", tt->rules[i].n,
				i + 1 < tt->nrules ? "," : "");
		}
	}
	int any = 0;
	for (int s = 1; s < SFB_STEP__COUNT; s++) {
		if (!tt->steps[s])
			continue;
		fprintf(o, "%s %s %" PRIu64, any ? "," : "<br>failed at:",
			sfb_step_name((enum sfb_step)s), tt->steps[s]);
		any = 1;
	}
	fputs("</div>\n", o);
}

/* Every outcome of the row's sign-ins, failures first: "1 failed, 2 ok". */
static void outcome_cell(FILE *o, const struct rep_triage_row *w)
{
	const uint64_t n[3] = { w->failed, w->incomplete, w->signed_in };
	const char *const name[3] = { "failed", "incomplete", "signed in" };
	const char *const cls[3] = { "error", "warning", "ok" };
	int any = 0;
	for (int i = 0; i < 3; i++) {
		if (!n[i])
			continue;
		fprintf(o, "%s<span class=\"sev %s\">%" PRIu64 " %s</span>",
			any ? ", " : "", cls[i], n[i], name[i]);
		any = 1;
	}
	if (!any)
		fputc('-', o);
}

/*
 * A table cell's time: "YYYY-MM-DD HH:MM:SS", only "HH:MM:SS" when on
 * the day of ref (the detail has the milliseconds).
 */
static void time_cell(FILE *o, int64_t t, int64_t ref)
{
	char a[32], b[32];
	fputs("<td class=\"t\">", o);
	if (t != SFB_TIME_NONE) {
		sfb_time_fmt(t, a, sizeof a);
		a[10] = ' ';
		a[19] = '\0';
		if (ref != SFB_TIME_NONE &&
		    memcmp(sfb_time_fmt(ref, b, sizeof b), a, 10) == 0)
			fputs(a + 11, o);
		else
			fputs(a, o);
	}
	fputs("</td>", o);
}

static void table(struct rep_triage_html *t)
{
	FILE *o = t->out;
	fprintf(o, "<h2 id=\"sources\">sources and users</h2>\n<p class=\""
		"note\">%zu row(s), most severe first", t->nrows);
	if (t->rows_dropped)
		fprintf(o, "; %" PRIu64 " less severe row(s) not listed (at "
			"most %d)", t->rows_dropped, REP_TRIAGE_HTML_MAX_ROWS);
	fputs("<span class=\"jsonly\" hidden>; click severity or first to "
	      "sort</span></p>\n", o);
	if (!t->nrows)
		return;
	fputs("<table class=\"sortable tri\"><thead><tr><th data-sort=\"sev\""
	      " data-dir=\"-1\" aria-sort=\"descending\">severity</th>"
	      "<th>source</th><th>user</th><th>sign-ins</th><th>outcome</th>"
	      "<th>top finding</th><th data-sort=\"t\" data-dir=\"1\" "
	      "aria-sort=\"none\">first</th><th>last</th></tr></thead>\n"
	      "<tbody>\n", o);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct th_row *w = &t->rows[i];
		const struct rep_triage_row *c = &w->r;
		/* no time: last when sorted by time */
		int64_t key = w->first != SFB_TIME_NONE ? w->first
			      : INT64_C(9000000000000000);
		fprintf(o, "<tr data-sev=\"%d\" data-t=\"%" PRId64 "\" "
			"data-order=\"%zu\"><td class=\"sev %s\">%s</td>"
			"<td class=\"ev\">", (int)c->sev, key, i,
			sev_class(c->sev), sfb_sev_name(c->sev));
		put_s(o, c->source);
		fputs("</td><td>", o);
		int link = w->sid && det_has(t, w->job, w->sid);
		if (link)
			fprintf(o, "<a href=\"#d%zu-%u\">", w->job, w->sid);
		put_s(o, c->user);
		fprintf(o, "%s</td><td>%" PRIu64 "</td><td>",
			link ? "</a>" : "", c->signins);
		outcome_cell(o, c);
		fputs("</td><td>", o);
		put_s(o, c->top[0] ? c->top : "-");
		fputs("</td>", o);
		time_cell(o, w->first, SFB_TIME_NONE);
		time_cell(o, w->last, w->first);
		fputs("</tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
}

static void problems(struct rep_triage_html *t)
{
	FILE *o = t->out;
	if (!t->nprobs)
		return;
	fprintf(o, "<h2 id=\"problems\">problems (%" PRIu64 ")</h2>\n<ul>\n",
		(uint64_t)t->nprobs + t->probs_dropped);
	for (size_t i = 0; i < t->nprobs; i++) {
		fputs("<li><span class=\"ev\">", o);
		put_s(o, t->probs[i].source);
		fprintf(o, "</span>: %s: ",
			walk_problem_name(t->probs[i].code));
		put_s(o, t->probs[i].reason);
		fputs("</li>\n", o);
	}
	fputs("</ul>\n", o);
	if (t->probs_dropped)
		fprintf(o, "<p class=\"note\">%" PRIu64 " more not listed"
			"</p>\n", t->probs_dropped);
}

static void details(struct rep_triage_html *t)
{
	FILE *o = t->out;
	if (t->ndet)
		qsort(t->det, t->ndet, sizeof *t->det, det_cmp);
	fprintf(o, "<h2 id=\"detail\">sign-in detail</h2>\n<p class=\"note\">"
		"%zu sign-in(s) detailed, the most severe first (at most %zu)",
		t->ndet, t->max_detail);
	/* the workers kept at most max_detail per stream: count them all */
	if (t->total.sessions > t->ndet)
		fprintf(o, "; %" PRIu64 " less severe sign-in(s) are in the "
			"table only", t->total.sessions - t->ndet);
	fputs("</p>\n", o);
	for (size_t i = 0; i < t->ndet; i++) {
		const struct th_detail *d = &t->det[i];
		fprintf(o, "<section class=\"sess\" id=\"d%zu-%u\" "
			"data-sess=\"%zu-%u\" data-sev=\"%s\">\n<h3>sign-in "
			"%u: ", d->job, d->sid, d->job, d->sid,
			sfb_sev_name(d->sev), d->sid);
		put_s(o, d->user[0] ? d->user : "(user unknown)");
		fputs(" <small>", o);
		put_s(o, d->source);
		fputs("</small></h3>\n", o);
		fwrite(d->html, 1, d->n, o);
		fputs("<p><a href=\"#sources\">back to the table</a></p>\n"
		      "</section>\n", o);
	}
}

int rep_triage_html_end(struct rep_triage_html *t)
{
	rows_trim(t);
	rep_html_page_head(t->out, t->nonce, "sfblog triage");
	summary(t);
	table(t);
	problems(t);
	details(t);
	rep_html_page_end(t->out, t->nonce);
	return 0;
}

const struct tri_total *rep_triage_html_total(
	const struct rep_triage_html *t)
{
	return &t->total;
}

void rep_triage_html_free(struct rep_triage_html *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].r.source);
	for (size_t i = 0; i < t->ndet; i++) {
		free(t->det[i].source);
		free(t->det[i].html);
	}
	for (size_t i = 0; i < t->nprobs; i++)
		free(t->probs[i].source);
	free(t->rows);
	free(t->det);
	free(t->probs);
	triage_total_free(&t->total);
	free(t);
}
