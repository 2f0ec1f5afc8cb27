/* SPDX-License-Identifier: MIT */
/*
 * rep_term.c -- the text report of `sfblog analyze`, one stream at a
 * time (stage 7, see rep_term.h): what is kept while the log is read,
 * within fixed caps, and the order it is printed in at the end.  The
 * lines themselves are rep_verdict.c's (verdicts, findings) and
 * rep_text.c's (a sign-in in detail, the statistics).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "rep_color.h"
#include "rep_term.h"
#include "rules.h"
#include "str.h"

/* One user of the table (a server trace: many sign-ins, many users). */
struct user_row {
	char user[128];
	uint64_t n, ok, failed, other;
	enum sfb_sev sev;               /* worst top finding */
	char rule[REP_TOP_RULE];
};

struct rep_term {
	FILE *out;                      /* borrowed */
	struct rep_term_opts o;
	/* the sign-in lines, the first max_lines */
	struct rep_session_line *lines;
	size_t nlines;
	uint64_t sessions;
	/* the users: open addressing, at most max_users by name */
	struct user_row *users;         /* cap_users slots */
	size_t nusers, max_users, cap_users;
	struct user_row rest;           /* the users past max_users */
	/* the findings, the REP_TERM_FINDINGS most severe */
	struct finding *f;
	size_t nf;
	size_t low;                     /* f's least severe, SIZE_MAX: find */
	uint64_t f_dropped;
	uint64_t by_sev[SFB_SEV_ERROR + 1];
	struct {
		const struct rules_rule *rule;
		uint64_t n;
	} per_rule[REP_TERM_RULES];     /* findings of each rule, all */
	size_t nrules;
	enum sfb_sev worst;
	char top_rule[REP_TOP_RULE];
	/* the sign-ins in detail, written as they close */
	FILE *detail;                   /* owned */
	uint64_t ndetail, detail_skipped, failing;
};

struct rep_term *rep_term_new(FILE *out, const struct rep_term_opts *o)
{
	struct rep_term *t = sfb_xcalloc(1, sizeof *t);
	t->out = out;
	t->o = *o;
	if (!t->o.max_lines)
		t->o.max_lines = REP_TERM_LINES;
	if (!t->o.max_detail)
		t->o.max_detail = o->verbose ? REP_TERM_DETAIL_V
					     : REP_TERM_DETAIL;
	t->max_users = 10 * t->o.max_lines;
	t->cap_users = 2 * t->max_users;
	t->lines = sfb_xcalloc(t->o.max_lines, sizeof *t->lines);
	t->users = sfb_xcalloc(t->cap_users, sizeof *t->users);
	if (!(t->detail = tmpfile())) {
		rep_term_free(t);
		return NULL;
	}
	return t;
}

void rep_term_free(struct rep_term *t)
{
	if (!t)
		return;
	if (t->detail)
		fclose(t->detail);
	free(t->lines);
	free(t->users);
	free(t->f);
	free(t);
}

/* Keep a copy of f, or drop the least severe kept one for it. */
static void keep_finding(struct rep_term *t, const struct finding *f)
{
	t->by_sev[f->sev]++;
	size_t r = 0;
	for (; r < t->nrules && t->per_rule[r].rule != f->rule; r++)
		;
	if (r == t->nrules && r < REP_TERM_RULES)
		t->per_rule[t->nrules++].rule = f->rule;
	if (r < t->nrules)
		t->per_rule[r].n++;
	if (f->sev > t->worst || (!t->top_rule[0] && f->sev > SFB_SEV_INFO)) {
		t->worst = f->sev > t->worst ? f->sev : t->worst;
		if (f->sev > SFB_SEV_INFO)
			str_copy(t->top_rule, sizeof t->top_rule,
				 f->rule->id);
	}
	if (t->nf < REP_TERM_FINDINGS) {
		if (!t->f)
			t->f = sfb_xcalloc(REP_TERM_FINDINGS, sizeof *t->f);
		t->f[t->nf++] = *f;
		t->low = SIZE_MAX;
		return;
	}
	if (t->low == SIZE_MAX) {       /* the first least severe one */
		t->low = 0;
		for (size_t i = 1; i < t->nf; i++)
			if (t->f[i].sev < t->f[t->low].sev)
				t->low = i;
	}
	t->f_dropped++;
	if (t->f[t->low].sev < f->sev) {
		t->f[t->low] = *f;      /* the order is made when printed */
		t->low = SIZE_MAX;
	}
}

/* FNV-1a */
static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

/* The row of user u: a new one while there is room, else the rest. */
static struct user_row *user_row(struct rep_term *t, const char *u)
{
	size_t i = hash_str(u) % t->cap_users;
	for (;; i = (i + 1) % t->cap_users) {
		struct user_row *r = &t->users[i];
		if (r->n && strcmp(r->user, u) == 0)
			return r;
		if (r->n)
			continue;
		if (t->nusers == t->max_users)
			return &t->rest;
		t->nusers++;
		str_copy(r->user, sizeof r->user, u);
		return r;
	}
}

static void count_user(struct rep_term *t, const struct rep_session_line *l)
{
	struct user_row *r = user_row(t, l->user);
	r->n++;
	if (l->outcome == SESS_SIGNED_IN)
		r->ok++;
	else if (l->outcome == SESS_FAILED_OUT)
		r->failed++;
	else
		r->other++;
	if (l->top_rule[0] && (l->top_sev > r->sev || !r->rule[0])) {
		r->sev = l->top_sev;
		str_copy(r->rule, sizeof r->rule, l->top_rule);
	}
}

void rep_term_on_session(void *ud, const struct sess *s,
			 const struct finding *f, size_t nf)
{
	struct rep_term *t = ud;
	struct rep_session_line l;
	for (size_t i = 0; i < nf; i++)
		keep_finding(t, &f[i]);
	rep_verdict_session_of(&l, s, f, nf);
	if (t->nlines < t->o.max_lines)
		t->lines[t->nlines++] = l;
	count_user(t, &l);
	t->sessions++;
	int failing = s->outcome != SESS_SIGNED_IN;
	t->failing += failing;
	if (!t->o.verbose && !failing)
		return;
	if (t->ndetail == t->o.max_detail) {
		t->detail_skipped++;
		return;
	}
	t->ndetail++;
	if (t->o.verbose) {
		rep_text_session(t->detail, s, t->o.color,
				 t->o.verbose > 1);
	} else {
		rep_text_session_brief(t->detail, s, t->o.color);
	}
}

static int finding_order(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	return (a->session > b->session) - (a->session < b->session);
}

static int user_order(const void *x, const void *y)
{
	const struct user_row *a = x, *b = y;
	if (a->failed != b->failed)
		return a->failed > b->failed ? -1 : 1;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->user, b->user);
}

/* The columns left on a line after used ones (0: no limit). */
static size_t room(const struct rep_term *t, size_t used)
{
	if (!t->o.width)
		return 0;
	return (size_t)t->o.width > used + 8 ? (size_t)t->o.width - used : 8;
}

static void print_user(struct rep_term *t, const struct user_row *r,
		       const char *name)
{
	struct esc_tmp tmp = ESC_TMP_INIT, *e = &tmp;
	int c = t->o.color;
	fputs("  ", t->out);
	size_t w = rep_verdict_fit(t->out, name ? name : r->user[0]
				   ? esc_str(e, r->user) : "(user not seen)",
				   t->o.width ? 32 : 0, 1);
	fprintf(t->out, "%*s %8" PRIu64 " %8" PRIu64 " %s%8" PRIu64 "%s %8"
		PRIu64, w < 32 ? (int)(32 - w) : 0, "", r->n, r->ok,
		col(c && r->failed, C_RED), r->failed,
		col(c && r->failed, C_RESET), r->other);
	if (r->rule[0]) {
		fprintf(t->out, "  %s%s%s ", col(c, sev_color(r->sev)),
			sfb_sev_name(r->sev), col(c, C_RESET));
		size_t used = 2 + 32 + 4 * 9 + 3 +
			      strlen(sfb_sev_name(r->sev));
		rep_verdict_fit(t->out, r->rule, room(t, used), 0);
	}
	fputc('\n', t->out);
	esc_tmp_free(e);
}

/* Past max_lines sign-ins: one row per user, the most failures first. */
static void print_users(struct rep_term *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->cap_users; i++)
		if (t->users[i].n)
			t->users[n++] = t->users[i];
	qsort(t->users, n, sizeof *t->users, user_order);
	fprintf(t->out, "  %s%-32s %8s %8s %8s %8s  %s%s\n",
		col(t->o.color, C_BOLD), "user", "sign-ins", "ok", "failed",
		"other", "top finding", col(t->o.color, C_RESET));
	size_t shown = n < t->o.max_lines ? n : t->o.max_lines;
	for (size_t i = 0; i < shown; i++)
		print_user(t, &t->users[i], NULL);
	if (n > shown) {
		struct user_row more = { .n = 0 };
		for (size_t i = shown; i < n; i++) {
			more.n += t->users[i].n;
			more.ok += t->users[i].ok;
			more.failed += t->users[i].failed;
			more.other += t->users[i].other;
		}
		char name[64];
		snprintf(name, sizeof name, "(%zu more users)", n - shown);
		print_user(t, &more, name);
	}
	if (t->rest.n) {
		char name[64];
		snprintf(name, sizeof name, "(users past the first %zu)",
			 t->max_users);
		print_user(t, &t->rest, name);
	}
	fprintf(t->out, "  %s%" PRIu64 " sign-in%s of %zu%s user%s%s\n",
		col(t->o.color, C_DIM), t->sessions,
		t->sessions == 1 ? "" : "s", n, t->rest.n ? " and more" : "",
		n == 1 && !t->rest.n ? "" : "s", col(t->o.color, C_RESET));
}

/* All the findings of f's rule, kept or not (0: not known). */
static uint64_t rule_total(const struct rep_term *t, const struct finding *f)
{
	for (size_t r = 0; r < t->nrules; r++)
		if (t->per_rule[r].rule == f->rule)
			return t->per_rule[r].n;
	return 0;
}

/*
 * Without -v, after the first finding of a rule: the other sign-ins it
 * was found in, on one line ("also in session 11, 18, ... and 40 more").
 */
static void print_also(struct rep_term *t, size_t first)
{
	const struct finding *f = &t->f[first];
	size_t listed = 0, kept = 0;
	for (size_t j = first + 1; j < t->nf; j++) {
		if (t->f[j].rule != f->rule)
			continue;
		kept++;
		if (listed == 8)
			continue;
		fputs(listed ? ", " : "    also in session(s) ", t->out);
		if (t->f[j].session)
			fprintf(t->out, "%u", t->f[j].session);
		else
			fputs("(the file)", t->out);
		listed++;
	}
	uint64_t total = rule_total(t, f);
	uint64_t more = total > 1 + listed ? total - 1 - listed
					   : kept - listed;
	if (listed && more)
		fprintf(t->out, " and %" PRIu64 " more", more);
	else if (!listed && more)
		fprintf(t->out, "    also %" PRIu64 " more time(s)", more);
	if (listed || more)
		fputc('\n', t->out);
}

/* Without -v: an info rule on one line, however many sign-ins. */
static void print_infos(struct rep_term *t)
{
	for (size_t i = 0; i < t->nf; i++) {
		const struct finding *f = &t->f[i];
		if (f->sev != SFB_SEV_INFO)
			continue;
		size_t k = 0;
		for (; k < i && t->f[k].rule != f->rule; k++)
			;
		if (k < i)
			continue;       /* shown with the first of its rule */
		uint64_t n = rule_total(t, f);
		struct esc_tmp tmp = ESC_TMP_INIT, *e = &tmp;
		char head[REP_TOP_RULE + 32];
		if (n > 1)
			snprintf(head, sizeof head, "%s (%" PRIu64 " times): ",
				 f->rule->id, n);
		else
			snprintf(head, sizeof head, "%s: ", f->rule->id);
		fprintf(t->out, "  %sinfo   %s %s", col(t->o.color, C_CYAN),
			col(t->o.color, C_RESET), head);
		size_t used = 10 + strlen(head);
		rep_verdict_fit(t->out, esc_str(e, f->title), room(t, used),
				0);
		fputc('\n', t->out);
		esc_tmp_free(e);
	}
}

static void print_findings(struct rep_term *t)
{
	if (!t->nf)
		return;
	qsort(t->f, t->nf, sizeof *t->f, finding_order);
	fprintf(t->out, "\n%sfindings%s: %" PRIu64 " error(s), %" PRIu64
		" warning(s), %" PRIu64 " info\n", col(t->o.color, C_BOLD),
		col(t->o.color, C_RESET), t->by_sev[SFB_SEV_ERROR],
		t->by_sev[SFB_SEV_WARNING], t->by_sev[SFB_SEV_INFO]);
	for (size_t i = 0; i < t->nf; i++) {
		const struct finding *f = &t->f[i];
		if (t->o.verbose) {
			rep_verdict_finding(t->out, f, t->o.color,
					    t->o.verbose, 1);
			continue;
		}
		if (f->sev == SFB_SEV_INFO)
			continue;
		/* without -v: a rule once, then where else it was found */
		size_t k = 0;
		for (; k < i && t->f[k].rule != f->rule; k++)
			;
		if (k < i)
			continue;
		rep_verdict_finding(t->out, f, t->o.color, 0, 1);
		print_also(t, i);
	}
	if (!t->o.verbose)
		print_infos(t);
	if (t->f_dropped)
		fprintf(t->out, "  ... %" PRIu64 " less severe finding(s) "
			"not listed (JSON has them all)\n", t->f_dropped);
}

static void copy_detail(struct rep_term *t)
{
	char buf[65536];
	size_t n;
	rewind(t->detail);
	while ((n = fread(buf, 1, sizeof buf, t->detail)) > 0)
		fwrite(buf, 1, n, t->out);
}

void rep_term_on_end(void *ud, const struct ana *a,
		     const struct finding *f, size_t nf)
{
	struct rep_term *t = ud;
	FILE *out = t->out;
	int c = t->o.color;
	for (size_t i = 0; i < nf; i++)
		keep_finding(t, &f[i]);
	struct rep_verdict v;
	rep_verdict_of(&v, a, t->worst, t->top_rule);
	rep_verdict_file(out, &v, c, t->o.width);
	if (a->failed)
		return;
	if (t->sessions > t->o.max_lines)
		print_users(t);
	else
		for (size_t i = 0; i < t->nlines; i++)
			rep_verdict_session(out, &t->lines[i], c,
					    t->o.width);
	print_findings(t);
	if (t->o.verbose) {
		fputs("\ndetail:\n", out);
		copy_detail(t);
		if (t->detail_skipped)
			fprintf(out, "\n  ... and %" PRIu64 " more sign-in(s) "
				"(--max-sessions; -o json has them all)\n",
				t->detail_skipped);
		rep_text_analyze(out, a, c);
		return;
	}
	if (t->ndetail) {
		fprintf(out, "\n%sfailed or incomplete sign-ins%s",
			col(c, C_BOLD), col(c, C_RESET));
		if (t->detail_skipped)
			fprintf(out, " (the first %" PRIu64 " of %" PRIu64
				")", t->ndetail, t->failing);
		fputs(":\n", out);
		copy_detail(t);
		if (t->detail_skipped)
			fprintf(out, "\n  ... and %" PRIu64 " more failed or "
				"incomplete sign-in(s): see -o json "
				"(--max-sessions N shows more here)\n",
				t->detail_skipped);
	}
	rep_text_analyze_brief(out, a, c);
	fprintf(out, "\n%suse -v for the detail (%" PRIu64 " messages, %"
		PRIu64 " transactions)%s\n", col(c, C_DIM), a->msgs,
		a->txn_total, col(c, C_RESET));
}
