/* SPDX-License-Identifier: MIT */
/*
 * rep_text.c -- the human-readable reporter (see rep.h): the summary of
 * `sfblog analyze` and the one-line-per-message listing of `sfblog
 * messages`.  Colour (ANSI) only when the caller says so; the caller
 * decides that from the terminal, NO_COLOR and --color.
 *
 * Every string that comes from a log or a file name goes through the
 * sanitiser of esc.h (E() below, esc_write for views): control bytes
 * show as visible escapes, so a log cannot drive the reader's terminal
 * and a newline in a file name cannot split a line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "rep.h"
#include "rep_color.h"
#include "pattern.h"
#include "sv.h"


/* The terminal form of a log string, valid until esc_tmp_free(t). */
#define E(s) esc_str(t, (s))

static void sev_tag(FILE *out, enum sfb_sev s, int color)
{
	fprintf(out, "%s%-7s%s", col(color, sev_color(s)), sfb_sev_name(s),
		col(color, C_RESET));
}

static void print_counts(FILE *out, const struct ana *a,
			 struct esc_tmp *t)
{
	char t1[32], t2[32];
	fprintf(out, "  %-13s %s, %s%s\n", "format", fmt_kind_name(a->kind),
		lr_encoding_name(a->enc), a->gzip ? ", gzip" : "");
	if (a->first_ts != SFB_TIME_NONE)
		fprintf(out, "  %-13s %s .. %s\n", "log time",
			sfb_time_fmt(a->first_ts, t1, sizeof t1),
			sfb_time_fmt(a->last_ts, t2, sizeof t2));
	else if (a->kind == FMT_SIP)
		fprintf(out, "  %-13s none: pasted SIP text carries no times "
			"and no directions (read in the order given)\n",
			"log time");
	fprintf(out, "  %-13s %" PRIu64 " (%" PRIu64 " entries, %" PRIu64
		" bytes)\n", "lines", a->lines, a->entries, a->bytes);
	fprintf(out, "  %-13s %" PRIu64 ": %" PRIu64 " SIP, %" PRIu64
		" HTTP; %" PRIu64 " requests, %" PRIu64 " responses\n",
		"messages", a->msgs, a->sip, a->http, a->requests,
		a->responses);
	if (a->truncated || a->cl_mismatch || a->copies || a->bad_start ||
	    a->bad_header || a->cl_invalid)
		fprintf(out, "  %-13s %" PRIu64 " truncated, %" PRIu64
			" Content-Length mismatch, %" PRIu64
			" invalid Content-Length, %" PRIu64
			" with bad header lines, %" PRIu64
			" not SIP/HTTP, %" PRIu64 " copies at other hops\n",
			"", a->truncated, a->cl_mismatch, a->cl_invalid,
			a->bad_header, a->bad_start, a->copies);
	if (a->nmethods) {
		fprintf(out, "  %-13s", "requests");
		for (size_t i = 0; i < a->nmethods; i++)
			fprintf(out, "%s %s %" PRIu64, i ? "," : "",
				E(a->methods[i].name), a->methods[i].n);
		if (a->methods_other)
			fprintf(out, ", other %" PRIu64, a->methods_other);
		fputc('\n', out);
	}
	int first = 1;
	for (int s = 100; s < 700; s++) {
		if (!a->status[s])
			continue;
		fprintf(out, first ? "  %-13s" : ",", "responses");
		fprintf(out, " %d %" PRIu64, s, a->status[s]);
		first = 0;
	}
	if (!first)
		fputc('\n', out);
	if (a->sess_total)
		fprintf(out, "  %-13s %" PRIu64 ": %" PRIu64 " signed in, %"
			PRIu64 " failed, %" PRIu64 " incomplete\n",
			"sessions", a->sess_total, a->sess_signed_in,
			a->sess_failed, a->sess_incomplete);
	if (a->outside_msgs)
		fprintf(out, "  %-13s %" PRIu64 " messages belong to no "
			"sign-in (IM, calls, presence, refreshes): see "
			"'sfblog messages' and 'sfblog flow --call-id'\n",
			"dialogs", a->outside_msgs);
	fprintf(out, "  %-13s %" PRIu64 ": %" PRIu64 " answered, %" PRIu64
		" without final answer, %" PRIu64 " responses without request",
		"transactions", a->txn_total, a->txn_answered,
		a->txn_unanswered, a->txn_no_request);
	if (a->txn_multi_hop)
		fprintf(out, ", %" PRIu64 " seen at several hops",
			a->txn_multi_hop);
	fputc('\n', out);
}

static void print_diags(FILE *out, const struct ana *a, int color,
			struct esc_tmp *t)
{
	if (!a->ndiags)
		return;
	fprintf(out, "\n%sdiagnostics%s (%zu distinct, %" PRIu64 " in all)\n",
		col(color, C_BOLD), col(color, C_RESET), a->ndiags,
		a->diags_total);
	for (size_t i = 0; i < a->ndiags; i++) {
		const struct ana_diag *d = &a->diags[i];
		fputs("  ", out);
		sev_tag(out, d->sev, color);
		fprintf(out, " %6" PRIu64 "x  %s %" PRIu32, d->count,
			ana_diag_hdr_name(d->hdr), d->code);
		if (d->sub >= 0)
			fprintf(out, ".%" PRId32, d->sub);
		fprintf(out, " on %d to %s: %s", d->status,
			d->request[0] ? E(d->request) : "?",
			d->reason[0] ? E(d->reason) : "(no reason given)");
		if (d->source[0] || d->faultcode[0]) {
			fputs(" (", out);
			if (d->source[0])
				fprintf(out, "source %s", E(d->source));
			if (d->faultcode[0])
				fprintf(out, "%sfaultcode %s",
					d->source[0] ? "; " : "",
					E(d->faultcode));
			fputc(')', out);
		}
		fprintf(out, "; first at %s:%lu\n", E(d->first_file),
			d->first_line);
	}
	if (a->diags_other)
		fprintf(out, "  ... %" PRIu64 " more of other kinds\n",
			a->diags_other);
}

static void print_results(FILE *out, const struct ana *a, int color,
			  struct esc_tmp *t)
{
	if (!a->nresults)
		return;
	fprintf(out, "\n%sserver diagnostic records%s (%" PRIu64 ")\n",
		col(color, C_BOLD), col(color, C_RESET), a->cls_diag_records);
	for (size_t i = 0; i < a->nresults; i++) {
		const struct ana_result *r = &a->results[i];
		fputs("  ", out);
		sev_tag(out, r->sev, color);
		fprintf(out, " %6" PRIu64 "x  ", r->count);
		if (r->code || r->name[0])
			fprintf(out, "0x%08" PRIx64 "%s%s: ", r->code,
				r->name[0] ? " " : "", E(r->name));
		fprintf(out, "%s; first at %s:%lu\n",
			r->text[0] ? E(r->text) : "(no text)",
			E(r->first_file), r->first_line);
	}
	if (a->results_other)
		fprintf(out, "  ... %" PRIu64 " more of other kinds\n",
			a->results_other);
}

static void print_unanswered(FILE *out, const struct ana *a, int color,
			     struct esc_tmp *t)
{
	if (!a->txn_unanswered)
		return;
	fprintf(out, "\n%srequests without a final answer%s (%" PRIu64 ")\n",
		col(color, C_BOLD), col(color, C_RESET), a->txn_unanswered);
	for (size_t i = 0; i < a->nunanswered; i++) {
		const struct ana_unanswered *u = &a->unanswered[i];
		enum sfb_sev s = strcmp(u->method, "REGISTER")
			? SFB_SEV_INFO : SFB_SEV_WARNING;
		fputs("  ", out);
		sev_tag(out, s, color);
		fprintf(out, " %s:%lu: %s %s", E(u->file), u->line,
			E(u->method), E(u->uri));
		if (u->proto == MSG_SIP && u->call_id[0])
			fprintf(out, " (Call-ID %s, CSeq %" PRIu32 ")",
				E(u->call_id), u->cseq);
		fputc('\n', out);
	}
	if (a->txn_unanswered > a->nunanswered)
		fprintf(out, "  ... %" PRIu64 " more\n",
			a->txn_unanswered - a->nunanswered);
}

static void print_warns(FILE *out, const struct ana *a, int color,
			struct esc_tmp *t)
{
	if (!a->warns_total)
		return;
	fprintf(out, "\n%sparse warnings%s (%" PRIu64 ")\n",
		col(color, C_BOLD), col(color, C_RESET), a->warns_total);
	for (size_t i = 0; i < a->nwarns; i++) {
		if (a->warns[i].line)
			fprintf(out, "  %s:%lu: %s\n", E(a->warns[i].file),
				a->warns[i].line, E(a->warns[i].text));
		else
			fprintf(out, "  %s: %s\n", E(a->warns[i].file),
				E(a->warns[i].text));
	}
	if (a->warns_total > a->nwarns)
		fprintf(out, "  ... %" PRIu64 " more (see --max-warnings)\n",
			a->warns_total - a->nwarns);
}

void rep_text_file_header(FILE *out, const char *name, int color)
{
	fputs(col(color, C_BOLD), out);
	esc_puts(out, name);
	fprintf(out, "%s\n", col(color, C_RESET));
}

static const char *status_mark(enum sess_status st, int color,
			       const char **c)
{
	switch (st) {
	case SESS_OK:
		*c = col(color, C_GREEN);
		return "ok";
	case SESS_FAILED:
		*c = col(color, C_RED);
		return "FAILED";
	case SESS_NOT_SEEN:
		break;
	}
	*c = col(color, C_DIM);
	return "-";
}

static void print_evidence(FILE *out, const struct sess_step *st,
			   int verbose, int color, struct esc_tmp *t)
{
	/* the failing lines first: they say why */
	size_t shown = 0, limit = verbose ? SESS_MAX_EVIDENCE : 3;
	for (int pass = 1; pass >= 0; pass--) {
		for (size_t i = 0; i < st->nev && shown < limit; i++) {
			const struct sess_evidence *e = &st->ev[i];
			if (e->failed != pass)
				continue;
			/* the failing lines plain, the others dim */
			fprintf(out, "        %s%s:%lu: %s%s%s\n",
				e->failed ? "" : col(color, C_DIM),
				E(e->file), e->line, e->failed ? "! " : "",
				E(e->text), e->failed ? ""
				: col(color, C_RESET));
			shown++;
		}
	}
	if (st->nev_total > shown)
		fprintf(out, "        ... %" PRIu64 " more line(s)%s\n",
			st->nev_total - shown, verbose ? "" : " (-v)");
}

static void print_http(FILE *out, const struct sess *s, int verbose,
		       struct esc_tmp *t)
{
	if (!s->nhttp)
		return;
	fprintf(out, "    web services: %" PRIu64 " call(s)\n",
		s->nhttp_total);
	size_t limit = verbose ? s->nhttp : (s->nhttp < 6 ? s->nhttp : 6);
	for (size_t i = 0; i < limit; i++) {
		const struct sess_http *h = &s->http[i];
		fprintf(out, "      %s:%lu: %-12s %s %s -> ", E(h->file),
			h->line, sess_http_kind_name(h->kind), E(h->method),
			E(h->url));
		if (h->status)
			fprintf(out, "%d", h->status);
		else
			fputs("no answer", out);
		if (h->diag_code)
			fprintf(out, ", X-Ms-diagnostics %" PRIu32 " %s",
				h->diag_code, E(h->diag_reason));
		if (h->fault_code[0])
			fprintf(out, ", fault %s: %s", E(h->fault_code),
				E(h->fault_reason));
		fputc('\n', out);
	}
	if (s->nhttp_total > limit)
		fprintf(out, "      ... %" PRIu64 " more\n",
			s->nhttp_total - limit);
}

static void print_settings(FILE *out, const struct sess *s, int verbose,
			   struct esc_tmp *t)
{
	int any = 0;
	for (int i = 0; i < SESS_SET__COUNT; i++)
		any |= s->settings[i].line != 0;
	if (!any)
		return;
	fputs("    settings:", out);
	for (int i = 0; i < SESS_SET__COUNT; i++) {
		const struct sess_setting *x = &s->settings[i];
		fprintf(out, " %s %s", sess_setting_name(
				(enum sess_setting_id)i),
			x->status == SESS_OK ? "ok"
			: x->status == SESS_FAILED ? "FAILED"
			: x->line ? "unanswered" : "-");
		if (x->status == SESS_FAILED)
			fprintf(out, "(%d)", x->code);
		fputc(i + 1 < SESS_SET__COUNT ? ',' : '\n', out);
	}
	if (s->location_profile[0])
		fprintf(out, "    location profile: %s, %u rule(s)\n",
			E(s->location_profile), s->location_rules);
	if (!s->ngroups)
		return;
	fprintf(out, "    in-band provisioning: %zu group(s), %" PRIu64
		" properties:", s->ngroups, s->nprops_total);
	for (size_t i = 0; i < s->ngroups; i++)
		fprintf(out, "%s %s", i ? "," : "", E(s->groups[i]));
	fputc('\n', out);
	for (size_t i = 0; i < s->nprops; i++) {
		const struct sess_prop *p = &s->props[i];
		/* without -v: the URLs, what a helpdesk checks first */
		if (!verbose && !strstr(p->name, "Url") &&
		    !strstr(p->name, "Uri") && !strstr(p->name, "URL"))
			continue;
		fprintf(out, "      %s.%s = %s\n", E(s->groups[p->group]),
			E(p->name), E(p->value));
	}
}

/* A session's first two lines: who and outcome; when and where. */
static void print_head(FILE *out, const struct sess *s, int color,
		       struct esc_tmp *t)
{
	char t1[32], t2[32];
	const char *oc = s->outcome == SESS_SIGNED_IN ? C_GREEN
			 : s->outcome == SESS_FAILED_OUT ? C_RED : C_YELLOW;
	fprintf(out, "\n  %ssession %u%s  %s%s%s  %s%s%s\n",
		col(color, C_BOLD), s->id, col(color, C_RESET),
		s->user[0] ? E(s->user) : "(user not seen)",
		s->epid[0] ? " epid " : "", E(s->epid), col(color, oc),
		sess_outcome_name(s->outcome), col(color, C_RESET));
	fprintf(out, "    when: %s .. %s", sfb_time_fmt(s->start, t1,
							   sizeof t1),
		sfb_time_fmt(s->end, t2, sizeof t2));
	if (s->start != SFB_TIME_NONE && s->end != SFB_TIME_NONE)
		fprintf(out, " (%.3f s)", (double)(s->end - s->start) / 1000);
	if (s->last_file == s->file)
		fprintf(out, ", %s:%lu..%lu\n", s->file ? E(s->file) : "-",
			s->first_line, s->last_line);
	else
		fprintf(out, ", %s:%lu..%s:%lu\n",
			s->file ? E(s->file) : "-", s->first_line,
			s->last_file ? E(s->last_file) : "-", s->last_line);
}

/* The five steps, one line each, and the evidence of some. */
static void print_steps(FILE *out, const struct sess *s, int color,
			int verbose, int failed_only, struct esc_tmp *t)
{
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++) {
		const struct sess_step *st = &s->steps[i];
		const char *c;
		const char *mark = status_mark(st->status, color, &c);
		fprintf(out, "    %d %-15s %s%-6s%s %s\n", i,
			sfb_step_name((enum sfb_step)i), c, mark,
			col(color, C_RESET), st->summary[0] ? E(st->summary)
			: st->status == SESS_NOT_SEEN ? "not seen in the log"
			: "");
		if (!failed_only || st->status == SESS_FAILED)
			print_evidence(out, st, verbose, color, t);
	}
}

void rep_text_session_brief(FILE *out, const struct sess *s, int color)
{
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	print_head(out, s, color, t);
	fprintf(out, "    outcome: %s\n", E(s->outcome_text));
	print_steps(out, s, color, 0, 1, t);
	esc_tmp_free(t);
}

void rep_text_session(FILE *out, const struct sess *s, int color,
		      int verbose)
{
	char names[64], off[64];
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	print_head(out, s, color, t);
	if (s->client_version[0] || s->server_version[0])
		fprintf(out, "    client: %s; server: %s\n",
			s->client_version[0] ? E(s->client_version) : "-",
			s->server_version[0] ? E(s->server_version) : "-");
	if (s->nservers) {
		fputs("    seen at:", out);
		for (size_t i = 0; i < s->nservers; i++)
			fprintf(out, " %s", E(s->servers_seen[i]));
		fputc('\n', out);
	}
	fprintf(out, "    outcome: %s%s\n", E(s->outcome_text),
		s->signed_out ? " (then signed out)" : s->evicted
		? " (closed early: too many open sessions)" : "");
	sess_auth_names(s->auth_confirmed ? s->auth_confirmed : s->auth_used,
			names, sizeof names);
	sess_auth_names(s->auth_offered, off, sizeof off);
	fprintf(out, "    auth: offered %s; used %s%s; REGISTER %u "
		"exchange(s), %u sent, %u answered 401/407",
		off[0] ? off : "-", names[0] ? names : "-",
		s->auth_confirmed ? " (confirmed)" : "", s->register_pairs,
		s->register_total, s->register_401);
	unsigned exp = sess_expected_pairs(s->auth_confirmed
					   ? s->auth_confirmed : s->auth_used);
	if (exp && s->register_final == 200)
		fprintf(out, "; a clean %s sign-in takes %u", names, exp);
	fputc('\n', out);
	if (s->nredirects)
		fprintf(out, "    redirect: %u, from %s to %s%s\n",
			s->nredirects, E(s->redirect_from), E(s->redirect_to),
			s->redirect_loop ? " (loop)" : "");
	print_steps(out, s, color, verbose, 0, t);
	print_http(out, s, verbose, t);
	print_settings(out, s, verbose, t);
	esc_tmp_free(t);
}

void rep_text_analyze_brief(FILE *out, const struct ana *a, int color)
{
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	if (a->failed) {
		esc_tmp_free(t);
		return;
	}
	print_warns(out, a, color, t);
	if (a->error[0])
		fprintf(out, "\n  %serror%s: %s\n", col(color, C_RED),
			col(color, C_RESET), E(a->error));
	esc_tmp_free(t);
}

void rep_text_analyze(FILE *out, const struct ana *a, int color)
{
	struct esc_tmp tmp = ESC_TMP_INIT, *t = &tmp;
	if (a->failed) {
		fprintf(out, "  %serror%s: %s\n", col(color, C_RED),
			col(color, C_RESET), E(a->error));
		esc_tmp_free(t);
		return;
	}
	if (a->sess_total)
		fprintf(out, "\n");
	print_counts(out, a, t);
	print_diags(out, a, color, t);
	print_results(out, a, color, t);
	print_unanswered(out, a, color, t);
	print_warns(out, a, color, t);
	if (a->error[0])
		fprintf(out, "\n  %serror%s: %s\n", col(color, C_RED),
			col(color, C_RESET), E(a->error));
	esc_tmp_free(t);
	/* the verdict line at the top says how bad it is: the findings */
}

static void put_sv(FILE *out, struct sv v)
{
	if (v.n)
		esc_write(out, v.p, v.n, 0);
}

void rep_text_msg(FILE *out, const struct msg *m, int color)
{
	char t[32];
	fprintf(out, "%s ", sfb_time_fmt(m->ts, t, sizeof t));
	esc_puts(out, m->file ? m->file : "-");
	fprintf(out, ":%lu ", m->line_first);
	fputs(m->dir == DIR_OUT ? "-> " : m->dir == DIR_IN ? "<- " : "-- ",
	      out);
	esc_puts(out, m->remote[0] ? m->remote : "-");
	fputc(' ', out);
	if (m->server[0]) {
		fputc('[', out);
		esc_puts(out, m->server);
		fputs("] ", out);
	}
	const char *c = "";
	if (m->kind == MSG_RESPONSE)
		c = m->status >= 400 ? C_RED : m->status >= 300 ? C_YELLOW
							       : C_GREEN;
	else if (m->kind == MSG_REQUEST)
		c = C_BOLD;
	fputs(col(color, c), out);
	put_sv(out, m->start_line);
	fputs(col(color && c[0], C_RESET), out);
	if (m->call_id.n) {
		fputs(" | Call-ID ", out);
		put_sv(out, m->call_id);
	}
	if (m->cseq_method.n) {
		fprintf(out, " | CSeq %" PRIu32 " ", m->cseq);
		put_sv(out, m->cseq_method);
	}
	for (size_t i = 0; i < m->ndiags; i++) {
		const struct msg_diag *d = &m->diags[i];
		fprintf(out, " | %s%s %" PRIu32, col(color, C_YELLOW),
			ana_diag_hdr_name(d->hdr), d->code);
		if (d->reason.n) {
			fputc(' ', out);
			put_sv(out, d->reason);
		}
		fputs(col(color, C_RESET), out);
	}
	if (m->flags & MSG_F_TRUNCATED)
		fputs(" | truncated", out);
	fputc('\n', out);
}
