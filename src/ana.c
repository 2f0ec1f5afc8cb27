/* SPDX-License-Identifier: MIT */
/*
 * ana.c -- per-file analysis for `sfblog analyze` (see ana.h): counts
 * what the pipeline hands over and keeps bounded lists of what is worth
 * showing.  It sits after the transaction stage and before the
 * reporters; it never prints.
 *
 * Each listed diagnostic carries a grade for the statistics table (the
 * findings, which decide the verdict and the exit status, come from the
 * rules, engine.c):
 *   error    a 5xx/6xx answer, a CLS diagnostic record of severity error
 *   warning  a 4xx answer other than an authentication challenge, any
 *            diagnostic on a 401/407 (a plain challenge carries none),
 *            a REGISTER that got no final answer, a CLS warning record
 *   info     unanswered non-REGISTER requests, parse warnings
 */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ana.h"
#include "sv.h"

void ana_init(struct ana *a, const char *file, size_t max_warn)
{
	memset(a, 0, sizeof *a);
	a->file = file;
	a->cur_file = file;
	a->first_ts = a->last_ts = SFB_TIME_NONE;
	a->max_warn = max_warn;
	a->diags = sfb_xcalloc(ANA_MAX_DIAGS, sizeof *a->diags);
	a->results = sfb_xcalloc(ANA_MAX_RESULTS, sizeof *a->results);
	a->unanswered = sfb_xcalloc(ANA_MAX_UNANSWERED, sizeof *a->unanswered);
	a->warns = sfb_xcalloc(max_warn ? max_warn : 1, sizeof *a->warns);
}

void ana_set_file(struct ana *a, const char *file)
{
	if (file != a->cur_file)
		a->cur_rank++;
	a->cur_file = file;
}

void ana_free(struct ana *a)
{
	if (!a)
		return;
	free(a->diags);
	free(a->results);
	free(a->unanswered);
	free(a->warns);
	a->diags = NULL;
	a->results = NULL;
	a->unanswered = NULL;
	a->warns = NULL;
}

static void add_warn(struct ana *a, unsigned long line, struct sv text)
{
	a->warns_total++;
	if (a->nwarns >= a->max_warn)
		return;
	struct ana_warn *w = &a->warns[a->nwarns++];
	w->file = a->cur_file;
	w->rank = a->cur_rank;
	w->line = line;
	sv_copy(w->text, sizeof w->text, text);
}

void ana_warn(struct ana *a, unsigned long line, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	add_warn(a, line, sv_cstr(buf));
}

static void note_time(struct ana *a, int64_t ts)
{
	if (ts == SFB_TIME_NONE)
		return;
	if (a->first_ts == SFB_TIME_NONE || ts < a->first_ts)
		a->first_ts = ts;
	if (a->last_ts == SFB_TIME_NONE || ts > a->last_ts)
		a->last_ts = ts;
}

static enum sfb_sev result_sev(struct sv severity)
{
	if (sv_ieq_cstr(severity, "error") || sv_ieq_cstr(severity, "fatal"))
		return SFB_SEV_ERROR;
	if (sv_ieq_cstr(severity, "warning"))
		return SFB_SEV_WARNING;
	return SFB_SEV_INFO;
}

static void add_result(struct ana *a, const struct fmt_rec *rec)
{
	a->cls_diag_records++;
	for (size_t i = 0; i < a->nresults; i++) {
		struct ana_result *r = &a->results[i];
		if (r->code == rec->result_code &&
		    sv_eq(sv_cstr(r->name), rec->result_name)) {
			r->count++;
			return;
		}
	}
	if (a->nresults >= ANA_MAX_RESULTS) {
		a->results_other++;
		return;
	}
	struct ana_result *r = &a->results[a->nresults++];
	r->code = rec->result_code;
	sv_copy(r->name, sizeof r->name, rec->result_name);
	sv_copy(r->severity, sizeof r->severity, rec->severity);
	sv_copy(r->text, sizeof r->text,
		rec->diag_text.n ? rec->diag_text : rec->text);
	r->count = 1;
	r->first_file = a->cur_file;
	r->first_line = rec->line_first;
	r->sev = result_sev(rec->severity);
}

void ana_rec(struct ana *a, const struct fmt_rec *rec)
{
	note_time(a, rec->ts);
	switch (rec->type) {
	case REC_ENTRY:
		a->entries++;
		break;
	case REC_DIAG:
		a->entries++;
		add_result(a, rec);
		break;
	case REC_WARN:
		add_warn(a, rec->line_first, rec->text);
		break;
	case REC_MSG:
		a->entries++;
		break;
	}
}

static void count_method(struct ana *a, struct sv method)
{
	for (size_t i = 0; i < a->nmethods; i++) {
		if (sv_eq(sv_cstr(a->methods[i].name), method)) {
			a->methods[i].n++;
			return;
		}
	}
	if (a->nmethods >= ANA_MAX_METHODS ||
	    method.n >= sizeof a->methods[0].name) {
		a->methods_other++;
		return;
	}
	struct ana_count *c = &a->methods[a->nmethods++];
	sv_copy(c->name, sizeof c->name, method);
	c->n = 1;
}

/* Grade a diagnostic by the answer that carried it (401 included: a
 * plain challenge carries none). */
static enum sfb_sev diag_sev(int status)
{
	if (status >= 500)
		return SFB_SEV_ERROR;
	if (status >= 400)
		return SFB_SEV_WARNING;
	return SFB_SEV_INFO;
}

/* "REGISTER" for SIP; "POST /WebTicket/WebTicketService.svc" for HTTP */
static void describe_request(char *out, size_t outsz, const struct msg *m,
			     struct sv req_method, struct sv req_uri)
{
	if (m->proto == MSG_SIP || !req_method.n) {
		sv_copy(out, outsz, m->cseq_method.n ? m->cseq_method
			: req_method.n ? req_method : m->method);
		return;
	}
	struct sv path = req_uri;
	long q = sv_find_char(path, '?');
	if (q >= 0)
		path.n = (size_t)q;
	snprintf(out, outsz, "%.*s %.*s", (int)req_method.n, req_method.p,
		 (int)path.n, path.p ? path.p : "");
}

static void add_diag(struct ana *a, const struct msg *m,
		     const struct msg_diag *d, struct sv req_method,
		     struct sv req_uri)
{
	a->diags_total++;
	struct sv reason = d->reason;
	for (size_t i = 0; i < a->ndiags; i++) {
		struct ana_diag *x = &a->diags[i];
		if (x->code == d->code && x->sub == d->sub &&
		    x->hdr == d->hdr && x->status == m->status &&
		    strncmp(x->reason, reason.p ? reason.p : "",
			    reason.n) == 0 &&
		    (reason.n >= sizeof x->reason - 1 ||
		     x->reason[reason.n] == '\0')) {
			x->count++;
			return;
		}
	}
	if (a->ndiags >= ANA_MAX_DIAGS) {
		a->diags_other++;
		return;
	}
	struct ana_diag *x = &a->diags[a->ndiags++];
	x->hdr = d->hdr;
	x->code = d->code;
	x->sub = d->sub;
	x->status = m->status;
	describe_request(x->request, sizeof x->request, m, req_method,
			 req_uri);
	sv_copy(x->reason, sizeof x->reason, reason);
	sv_copy(x->source, sizeof x->source, d->source);
	const struct sv *fc = msg_param_get(d->params, d->nparams,
					    "faultcode");
	if (fc)
		sv_copy(x->faultcode, sizeof x->faultcode, *fc);
	x->count = 1;
	x->first_file = m->file ? m->file : a->cur_file;
	x->first_line = m->line_first;
	x->first_ts = m->ts;
	x->sev = diag_sev(m->status);
}

void ana_msg(struct ana *a, const struct msg *m, int copy,
	     struct sv req_method, struct sv req_uri)
{
	a->msgs++;
	if (copy)
		a->copies++;
	if (m->flags & MSG_F_TRUNCATED)
		a->truncated++;
	/* the warnings are msg.c's, the same for every command */
	char text[160];
	for (unsigned it = 0; msg_problem_next(m, &it, NULL, text,
					       sizeof text);)
		ana_warn(a, m->line_first, "%s", text);
	if (m->flags & MSG_F_BAD_START) {
		a->bad_start++;
		return;
	}
	if (m->flags & MSG_F_BAD_HEADER)
		a->bad_header++;
	if (m->flags & MSG_F_CL_MISMATCH)
		a->cl_mismatch++;
	if (m->flags & MSG_F_CL_INVALID)
		a->cl_invalid++;
	if (m->proto == MSG_SIP)
		a->sip++;
	else if (m->proto == MSG_HTTP)
		a->http++;
	if (m->kind == MSG_REQUEST) {
		a->requests++;
		count_method(a, m->method);
	} else if (m->kind == MSG_RESPONSE) {
		a->responses++;
		if (m->status >= 100 && m->status < 700)
			a->status[m->status]++;
	}
	/* count each hop's copy once: the diagnostic is one event */
	if (copy)
		return;
	for (size_t i = 0; i < m->ndiags; i++)
		add_diag(a, m, &m->diags[i], req_method, req_uri);
}

void ana_txn(struct ana *a, const struct txn_info *t)
{
	a->txn_total++;
	if (t->nhops > 1)
		a->txn_multi_hop++;
	if (t->flags & TXN_F_NO_REQUEST) {
		a->txn_no_request++;
		return;
	}
	if (t->final_status) {
		a->txn_answered++;
		return;
	}
	/* ACK and BENOTIFY (best-effort NOTIFY) are never answered */
	if (sv_eq(t->method, SV_LIT("ACK")) ||
	    sv_eq(t->method, SV_LIT("BENOTIFY")))
		return;
	a->txn_unanswered++;
	if (a->nunanswered >= ANA_MAX_UNANSWERED)
		return;
	struct ana_unanswered *u = &a->unanswered[a->nunanswered++];
	u->file = t->file ? t->file : a->cur_file;
	u->line = t->req_line;
	u->ts = t->req_ts;
	u->proto = t->proto;
	u->cseq = t->cseq;
	sv_copy(u->method, sizeof u->method, t->method);
	sv_copy(u->uri, sizeof u->uri, t->uri);
	sv_copy(u->call_id, sizeof u->call_id, t->call_id);
}

/* By file in the order of reading, then by line. */
enum sfb_sev ana_session_sev(const struct sess *s)
{
	if (s->outcome == SESS_FAILED_OUT)
		return SFB_SEV_ERROR;
	if (s->outcome == SESS_INCOMPLETE)
		return SFB_SEV_INFO;
	unsigned used = s->auth_confirmed ? s->auth_confirmed : s->auth_used;
	unsigned exp = sess_expected_pairs(used);
	if (s->steps[SFB_STEP_SETTINGS].status == SESS_FAILED ||
	    (exp && exp != s->register_pairs))
		return SFB_SEV_WARNING;
	return SFB_SEV_NONE;
}

void ana_session(struct ana *a, const struct sess *s)
{
	a->sess_total++;
	if (s->outcome == SESS_SIGNED_IN)
		a->sess_signed_in++;
	else if (s->outcome == SESS_FAILED_OUT)
		a->sess_failed++;
	else
		a->sess_incomplete++;
}

static int warn_cmp(const void *x, const void *y)
{
	const struct ana_warn *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank > b->rank ? 1 : -1;
	return (a->line > b->line) - (a->line < b->line);
}

void ana_finish(struct ana *a)
{
	/* stable enough: equal lines keep no particular order */
	qsort(a->warns, a->nwarns, sizeof *a->warns, warn_cmp);
}

const char *sfb_sev_name(enum sfb_sev s)
{
	switch (s) {
	case SFB_SEV_INFO:
		return "info";
	case SFB_SEV_WARNING:
		return "warning";
	case SFB_SEV_ERROR:
		return "error";
	case SFB_SEV_NONE:
		break;
	}
	return "none";
}

int sfb_sev_parse(const char *s)
{
	static const char *const names[] = { "none", "info", "warning",
					     "error" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *ana_diag_hdr_name(enum msg_diag_hdr h)
{
	switch (h) {
	case MSG_DIAG_MS:
		return "ms-diagnostics";
	case MSG_DIAG_MS_PUBLIC:
		return "ms-diagnostics-public";
	case MSG_DIAG_MS_CLIENT:
		return "ms-client-diagnostics";
	case MSG_DIAG_X_MS:
		return "X-Ms-diagnostics";
	}
	return "diagnostics";
}
