/* SPDX-License-Identifier: MIT */
/*
 * rep_verdict.c -- the top of the text report (stage 7, see rep.h): a
 * verdict line per file and per sign-in (who, outcome, the top
 * finding), then the findings by severity with explanation,
 * remediation and evidence.  The detail (rep_text.c) follows them.
 * Every string from a log or a file name (names, users, titles and
 * texts rendered from log values, evidence) goes through the sanitiser
 * of esc.h, as in rep_text.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "rep.h"
#include "rep_color.h"
#include "expr.h"
#include "rules.h"
#include "str.h"


/* The terminal form of a log string, valid until esc_tmp_free(t). */
#define E(s) esc_str(t, (s))

void rep_verdict_of(struct rep_verdict *v, const struct ana *a,
		    enum sfb_sev top_sev, const char *top_rule)
{
	memset(v, 0, sizeof *v);
	v->name = a->file;
	v->failed_read = a->failed;
	v->error = a->error;
	v->sessions = a->sess_total;
	v->signed_in = a->sess_signed_in;
	v->failed = a->sess_failed;
	v->incomplete = a->sess_incomplete;
	v->top_sev = top_sev;
	snprintf(v->top_rule, sizeof v->top_rule, "%s", top_rule);
}

void rep_verdict_session_of(struct rep_session_line *l,
			    const struct sess *s, const struct finding *f,
			    size_t nf)
{
	memset(l, 0, sizeof *l);
	l->id = s->id;
	str_copy(l->user, sizeof l->user, s->user);
	l->outcome = s->outcome;
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++) {
		l->steps_seen += s->steps[i].status != SESS_NOT_SEEN;
		l->steps_ok += s->steps[i].status == SESS_OK;
	}
	l->dur_ms = s->start != SFB_TIME_NONE && s->end != SFB_TIME_NONE
		    ? s->end - s->start : -1;
	if (nf && f[0].sev > SFB_SEV_INFO) {
		l->top_sev = f[0].sev;
		str_copy(l->top_rule, sizeof l->top_rule, f[0].rule->id);
		str_copy(l->top_title, sizeof l->top_title, f[0].title);
	}
}

/* The length in columns of a terminal-form string (code points). */
static size_t cols_of(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* The byte offset of column c in s[0..n) (a code point boundary). */
static size_t at_col(const char *s, size_t n, size_t c)
{
	size_t i = 0;
	for (; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c-- == 0)
			break;
	return i;
}

size_t rep_verdict_fit(FILE *out, const char *s, size_t cols, int middle)
{
	size_t n = strlen(s), w = cols_of(s, n);
	if (!cols || w <= cols) {
		fputs(s, out);
		return w;
	}
	if (cols <= 3) {
		fwrite("...", 1, cols, out);
		return cols;
	}
	size_t head = middle ? (cols - 3 + 1) / 2 : cols - 3;
	size_t tail = cols - 3 - head;
	fwrite(s, 1, at_col(s, n, head), out);
	fputs("...", out);
	fputs(s + at_col(s, n, w - tail), out);
	return cols;
}

void rep_verdict_file(FILE *out, const struct rep_verdict *v, int color,
		      int width)
{
	/* the verdict after the name, plain, to know its width */
	char rest[256];
	size_t n = 0;
	if (v->failed_read)
		n = (size_t)snprintf(rest, sizeof rest, ": not analysed: ");
	else if (!v->sessions)
		n = (size_t)snprintf(rest, sizeof rest, ": no sign-in in the "
				     "log");
	else if (v->failed)
		n = (size_t)snprintf(rest, sizeof rest, ": %" PRIu64 " of %"
				     PRIu64 " sign-in%s failed", v->failed,
				     v->sessions, v->sessions == 1 ? "" : "s");
	else
		n = (size_t)snprintf(rest, sizeof rest, ": %" PRIu64
				     " sign-in%s, %" PRIu64 " signed in%s",
				     v->sessions, v->sessions == 1 ? "" : "s",
				     v->signed_in, v->incomplete
				     ? ", some incomplete" : "");
	size_t rule = strlen(v->top_rule), sev = strlen(sfb_sev_name(
						v->top_sev));
	size_t tail = v->failed_read ? 24 : rule ? 16 + sev + rule : 20;
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	size_t room = width ? (size_t)width : 0, rule_room = 0;
	if (room && room < n + tail + 10 && rule) {
		/* a narrow terminal: the rule id gives way too */
		rule_room = room > n + 16 + sev + 10 + 8
			    ? room - n - 16 - sev - 10 : 8;
		tail = 16 + sev + rule_room;
	}
	room = room > n + tail + 10 ? room - n - tail : room ? 10 : 0;
	fputs(col(color, C_BOLD), out);
	size_t used = rep_verdict_fit(out, E(v->name), room, 1) + n;
	fputs(col(color, C_RESET), out);
	fputs(": ", out);
	if (v->failed_read) {
		fprintf(out, "%snot analysed%s: ", col(color, C_RED),
			col(color, C_RESET));
		rep_verdict_fit(out, E(v->error), !width ? 0 : (size_t)width
				> used + 16 ? (size_t)width - used : 16, 0);
		fputc('\n', out);
		esc_tmp_free(t);
		return;
	}
	if (v->failed)
		fprintf(out, "%s%s%s", col(color, C_BOLD C_RED), rest + 2,
			col(color, C_RESET));
	else
		fprintf(out, "%s%s%s", col(color, C_BOLD), rest + 2,
			col(color, C_RESET));
	if (v->top_rule[0]) {
		fprintf(out, "; top finding: %s%s%s ", col(color,
			sev_color(v->top_sev)), sfb_sev_name(v->top_sev),
			col(color, C_RESET));
		rep_verdict_fit(out, v->top_rule, rule_room, 0);
	} else
		fprintf(out, "; %snothing above info%s",
			col(color, C_GREEN), col(color, C_RESET));
	fputc('\n', out);
	esc_tmp_free(t);
}

void rep_verdict_session(FILE *out, const struct rep_session_line *l,
			 int color, int width)
{
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	const char *oc = l->outcome == SESS_SIGNED_IN ? C_GREEN
			 : l->outcome == SESS_FAILED_OUT ? C_RED : C_YELLOW;
	char steps[16], dur[24];
	snprintf(steps, sizeof steps, "%u/%u ok", l->steps_ok,
		 l->steps_seen);
	if (l->dur_ms >= 0)
		snprintf(dur, sizeof dur, "%.1f s", (double)l->dur_ms / 1000);
	else
		snprintf(dur, sizeof dur, "-");
	/* session 4   user...   failed     2/3 ok     6.4 s  error rule */
	size_t ucol = !width ? 32 : width < 42 + 12 ? 12 : width < 42 + 32
		      ? (size_t)width - 42 : 32;
	size_t used = (size_t)fprintf(out, "  session %-3u ", l->id);
	const char *user = l->user[0] ? E(l->user) : "(user not seen)";
	size_t w = rep_verdict_fit(out, user, width ? ucol : 0, 1);
	fprintf(out, "%*s %s%-10s%s %-7s %8s", w < ucol ? (int)(ucol - w)
		: 0, "", col(color, oc), sess_outcome_name(l->outcome),
		col(color, C_RESET), steps, dur);
	used += (w > ucol ? w : ucol) + 1 + 10 + 1 + 7 + 1 + 8;
	if (l->top_rule[0]) {
		size_t sw = strlen(sfb_sev_name(l->top_sev)) + 1;
		if (width && used + 2 + sw + strlen(l->top_rule) + 8 >
		    (size_t)width) {
			/* no room left: the finding on a line of its own */
			fprintf(out, "\n%14s", "");
			used = 14;
		} else {
			fputs("  ", out);
			used += 2;
		}
		fprintf(out, "%s%s%s %s: ", col(color, sev_color(l->top_sev)),
			sfb_sev_name(l->top_sev), col(color, C_RESET),
			l->top_rule);
		used += sw + strlen(l->top_rule) + 2;
		rep_verdict_fit(out, E(l->top_title), width ? (size_t)width
				> used + 8 ? (size_t)width - used : 8 : 0, 0);
	}
	fputc('\n', out);
	esc_tmp_free(t);
}

#define WRAP 78

/*
 * A rule's text under a label: paragraphs (blank-line separated) are
 * joined and wrapped to WRAP columns; a line starting with "- " or
 * "* " starts a list item.  Rule texts are written for this.
 */
static void indent_text(FILE *out, const char *label, const char *text,
			const char *ind)
{
	size_t lead = strlen(ind) + strlen(label), col = 0;
	const char *p = text;
	int first = 1, linestart = 1;
	while (*p) {
		if (*p == '\n') {
			/* a blank line or a list item breaks the line */
			const char *q = p + 1;
			while (*q == ' ')
				q++;
			if (*q == '\n' || ((*q == '-' || *q == '*') &&
					    q[1] == ' ')) {
				if (col)
					fputc('\n', out);
				if (*q == '\n' && q[1])
					fputc('\n', out);
				col = 0;
				linestart = 1;
				p = *q == '\n' ? q + 1 : q;
				continue;
			}
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		size_t w = strcspn(p, " \n");
		if (col && col + 1 + w > WRAP - lead) {
			fputc('\n', out);
			col = 0;
			linestart = 1;
		}
		if (linestart) {
			fprintf(out, "%s%s", ind, first ? label : "");
			if (!first)
				for (size_t i = 0; i < strlen(label); i++)
					fputc(' ', out);
			first = 0;
			linestart = 0;
		} else {
			fputc(' ', out);
			col++;
		}
		esc_write(out, p, w, 0);        /* log values inside */
		col += w;
		p += w;
	}
	if (col)
		fputc('\n', out);
}

void rep_verdict_finding(FILE *out, const struct finding *f, int color,
			 int level, int explain)
{
	char ts[32];
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	fprintf(out, "  %s%-7s%s %s%s%s", col(color, sev_color(f->sev)),
		sfb_sev_name(f->sev), col(color, C_RESET),
		col(color, C_BOLD), f->rule->id, col(color, C_RESET));
	if (f->session)
		fprintf(out, "  session %u%s%s", f->session,
			f->user[0] ? " " : "", E(f->user));
	if (f->count > 1)
		fprintf(out, "  (x%" PRIu64 ")", f->count);
	fprintf(out, "\n    %s\n", E(f->title));
	if (f->sev == SFB_SEV_INFO && level < 2) {
		if (f->nev)
			fprintf(out, "    %s%s:%lu%s\n", col(color, C_DIM),
				f->ev[0].file ? E(f->ev[0].file) : "-",
				f->ev[0].line, col(color, C_RESET));
		esc_tmp_free(t);
		return;
	}
	if (explain) {
		indent_text(out, "why:  ", f->explanation, "    ");
		indent_text(out, "do:   ", f->remediation, "    ");
	} else {
		fprintf(out, "    why, do: as for %s above\n", f->rule->id);
	}
	size_t nev = level || f->nev < 3 ? f->nev : 3;
	for (size_t i = 0; i < nev; i++) {
		const struct finding_evidence *x = &f->ev[i];
		fprintf(out, "    %s%s:%lu %s %s%s\n", col(color, C_DIM),
			x->file ? E(x->file) : "-", x->line,
			x->ts == SFB_TIME_NONE ? "-"
			: sfb_time_fmt(x->ts, ts, sizeof ts), E(x->text),
			col(color, C_RESET));
	}
	if (f->evidence_total > nev)
		fprintf(out, "    %s... %" PRIu64 " more%s\n",
			col(color, C_DIM), f->evidence_total - nev,
			col(color, C_RESET));
	size_t nref = explain ? f->rule->nrefs : 0;
	const char *const *refs = f->rule->refs;
	if (nref) {
		fputs("    refs: ", out);
		for (size_t i = 0; i < nref; i++)
			fprintf(out, "%s%s", i ? ", " : "", refs[i]);
		fputc('\n', out);
	}
	esc_tmp_free(t);
}

/* ---- the rule list (`sfblog rules`, `sfblog explain RULE-ID`) ---------- */

static const char *step_label(enum sfb_step s)
{
	return s == SFB_STEP_NONE ? "general" : sfb_step_name(s);
}

void rep_verdict_rule(FILE *out, const struct rules_rule *r, int color)
{
	fprintf(out, "%s%s%s  %s%s%s, %s, %s scope%s\n", col(color, C_BOLD),
		r->id, col(color, C_RESET), col(color, sev_color(r->sev)),
		sfb_sev_name(r->sev), col(color, C_RESET),
		step_label(r->step), expr_scope_name(r->scope),
		r->enabled ? "" : " (disabled)");
	fprintf(out, "  %s\n", r->title_src);
	indent_text(out, "when: ", r->cond_src, "  ");
	if (r->output_src[0])
		indent_text(out, "shows: ", r->output_src, "  ");
	indent_text(out, "why:  ", r->explanation_src, "  ");
	indent_text(out, "do:   ", r->remediation_src, "  ");
	if (r->nrefs) {
		fputs("  refs: ", out);
		for (size_t i = 0; i < r->nrefs; i++)
			fprintf(out, "%s%s", i ? ", " : "", r->refs[i]);
		fputc('\n', out);
	}
	fprintf(out, "  %sfrom %s:%lu%s\n", col(color, C_DIM), r->file,
		r->line, col(color, C_RESET));
}

void rep_verdict_rules(FILE *out, const struct rules *rs, int verbose,
		       int color)
{
	size_t n = rules_count(rs);
	for (size_t i = 0; i < n; i++) {
		const struct rules_rule *r = rules_get(rs, i);
		if (verbose) {
			if (i)
				fputc('\n', out);
			rep_verdict_rule(out, r, color);
			continue;
		}
		fprintf(out, "%-40s %s%-7s%s %-14s %-8s %s%s\n", r->id,
			col(color, sev_color(r->sev)), sfb_sev_name(r->sev),
			col(color, C_RESET), step_label(r->step),
			expr_scope_name(r->scope), r->title_src,
			r->enabled ? "" : " (disabled)");
	}
	fprintf(out, "%zu rule(s)\n", n);
}
