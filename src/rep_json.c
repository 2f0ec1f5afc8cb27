/* SPDX-License-Identifier: MIT */
/*
 * rep_json.c -- the JSON / NDJSON reporter (see rep.h); the only module
 * that uses cJSON.  `analyze` documents hold one object per file, built
 * and kept until the end (each is bounded by the caps of ana.h);
 * `messages` objects are printed as they come, inside an envelope that
 * is opened at the first one and closed by rep_json_end, so memory does
 * not grow with the input.  Keys are stable; "schema_version" names the
 * layout (SFB_SCHEMA_VERSION).
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esc.h"
#include "join.h"
#include "rep.h"
#include "role.h"
#include "pattern.h"
#include "rules.h"
#include "sv.h"
#include "triage.h"

struct rep_json {
	FILE *out;              /* borrowed */
	const char *command;    /* borrowed: "analyze" / "messages" */
	int ndjson;
	int opened;             /* envelope printed (messages, analyze) */
	size_t count;
	cJSON *files;           /* owned: flow objects (JSON mode) */
	/* analyze streams: the file being written, its sessions so far */
	const char *name;       /* borrowed: rep_json_file_begin */
	int in_file;            /* its opening printed */
	size_t nsess;
	size_t max_sessions;    /* 0: every session */
	uint64_t sessions_dropped;
	cJSON *joined;          /* owned: rep_json_join (JSON mode) */
};

static void print_item(struct rep_json *j, cJSON *o);

/*
 * The one way a string gets into a document: as valid UTF-8 (esc.h:
 * invalid bytes and NUL bytes become U+FFFD), so the output is always
 * valid JSON (RFC 8259) whatever the log holds.
 */
static cJSON *str_sv(struct sv v)
{
	char *s = esc_utf8(v);  /* also NUL-terminates the view */
	cJSON *j = cJSON_CreateString(s);
	free(s);
	if (!j)
		sfb_oom();
	return j;
}

static cJSON *str(const char *s)
{
	return str_sv(sv_cstr(s ? s : ""));
}

/* Add item under key; the key may come from the log, so it is made
 * valid UTF-8 too. */
static void add_item(cJSON *o, const char *key, cJSON *item)
{
	char *k = esc_utf8(sv_cstr(key));
	cJSON_AddItemToObject(o, k, item);
	free(k);
}

static void add_sv(cJSON *o, const char *key, struct sv v)
{
	add_item(o, key, str_sv(v));
}

static void add_str(cJSON *o, const char *key, const char *s)
{
	add_item(o, key, str(s));
}

static void add_num(cJSON *o, const char *key, double n)
{
	if (!cJSON_AddNumberToObject(o, key, n))
		sfb_oom();
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[32];
	if (t == SFB_TIME_NONE)
		cJSON_AddNullToObject(o, key);
	else
		add_str(o, key, sfb_time_fmt(t, buf, sizeof buf));
}

static cJSON *obj(void)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		sfb_oom();
	return o;
}

static cJSON *arr(void)
{
	cJSON *a = cJSON_CreateArray();
	if (!a)
		sfb_oom();
	return a;
}

struct rep_json *rep_json_new(FILE *out, const char *command, int ndjson)
{
	struct rep_json *j = sfb_xcalloc(1, sizeof *j);
	j->out = out;
	j->command = command;
	j->ndjson = ndjson;
	j->files = arr();
	return j;
}

void rep_json_free(struct rep_json *j)
{
	if (!j)
		return;
	cJSON_Delete(j->files);
	cJSON_Delete(j->joined);
	free(j);
}

void rep_json_set_max_sessions(struct rep_json *j, size_t max)
{
	j->max_sessions = max;
}

void rep_json_file_begin(struct rep_json *j, const char *name)
{
	j->name = name;
}

static cJSON *evidence_arr(const struct sess_step *st)
{
	cJSON *l = arr();
	for (size_t i = 0; i < st->nev; i++) {
		const struct sess_evidence *e = &st->ev[i];
		cJSON *o = obj();
		add_str(o, "file", e->file);
		add_num(o, "line", (double)e->line);
		add_time(o, "time", e->ts);
		cJSON_AddBoolToObject(o, "failed", e->failed);
		add_str(o, "text", e->text);
		cJSON_AddItemToArray(l, o);
	}
	return l;
}

static cJSON *auth_arr(unsigned bits)
{
	cJSON *l = arr();
	char name[32];
	for (unsigned b = 1; b <= SESS_AUTH_OTHER; b <<= 1)
		if (bits & b)
			cJSON_AddItemToArray(l, cJSON_CreateString(
				sess_auth_names(b, name, sizeof name)));
	return l;
}

static cJSON *sess_obj(const struct sess *s)
{
	cJSON *o = obj();
	char buf[64];
	add_num(o, "id", s->id);
	add_str(o, "user", s->user);
	add_str(o, "epid", s->epid);
	add_str(o, "client_version", s->client_version);
	add_str(o, "server_version", s->server_version);
	add_str(o, "outcome", sess_outcome_name(s->outcome));
	add_str(o, "outcome_text", s->outcome_text);
	add_time(o, "start", s->start);
	add_time(o, "end", s->end);
	if (s->start != SFB_TIME_NONE && s->end != SFB_TIME_NONE)
		add_num(o, "duration_ms", (double)(s->end - s->start));
	add_str(o, "file", s->file ? s->file : "");
	add_num(o, "first_line", (double)s->first_line);
	add_str(o, "last_file", s->last_file ? s->last_file : "");
	add_num(o, "last_line", (double)s->last_line);
	cJSON_AddBoolToObject(o, "signed_out", s->signed_out);
	cJSON_AddBoolToObject(o, "evicted", s->evicted);
	add_str(o, "server", s->server);
	cJSON *sv = arr();
	for (size_t i = 0; i < s->nservers; i++)
		cJSON_AddItemToArray(
			sv, str(s->servers_seen[i]));
	cJSON_AddItemToObject(o, "servers_seen", sv);

	cJSON *steps = obj();
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++) {
		const struct sess_step *st = &s->steps[i];
		cJSON *x = obj();
		add_str(x, "status", sess_status_name(st->status));
		add_str(x, "summary", st->summary);
		add_num(x, "evidence_total", (double)st->nev_total);
		cJSON_AddItemToObject(x, "evidence", evidence_arr(st));
		cJSON_AddItemToObject(steps, sfb_step_name((enum sfb_step)i),
				      x);
	}
	cJSON_AddItemToObject(o, "steps", steps);

	cJSON *au = obj();
	cJSON_AddItemToObject(au, "offered", auth_arr(s->auth_offered));
	add_str(au, "used", sess_auth_names(s->auth_used, buf, sizeof buf));
	add_str(au, "confirmed", sess_auth_names(s->auth_confirmed, buf,
						 sizeof buf));
	add_num(au, "register_pairs", s->register_pairs);
	add_num(au, "register_sent", s->register_total);
	add_num(au, "register_401", s->register_401);
	add_num(au, "expected_pairs", sess_expected_pairs(
			s->auth_confirmed ? s->auth_confirmed : s->auth_used));
	add_num(au, "final_status", s->register_final);
	add_str(au, "final_reason", s->register_reason);
	if (s->register_diag) {
		add_num(au, "ms_diagnostics", s->register_diag);
		add_str(au, "ms_diagnostics_reason", s->register_diag_reason);
	}
	add_num(au, "webticket_28032", s->webticket_28032);
	cJSON *hl = arr();
	for (size_t i = 0; i < s->nhttp; i++) {
		const struct sess_http *h = &s->http[i];
		cJSON *x = obj();
		add_str(x, "kind", sess_http_kind_name(h->kind));
		add_str(x, "file", h->file);
		add_num(x, "line", (double)h->line);
		add_time(x, "time", h->ts);
		add_str(x, "method", h->method);
		add_str(x, "url", h->url);
		add_num(x, "status", h->status);
		if (h->diag_code) {
			add_num(x, "x_ms_diagnostics", h->diag_code);
			add_str(x, "x_ms_diagnostics_reason", h->diag_reason);
		}
		if (h->fault_code[0]) {
			add_str(x, "fault_code", h->fault_code);
			add_str(x, "fault_reason", h->fault_reason);
		}
		cJSON_AddItemToArray(hl, x);
	}
	cJSON_AddItemToObject(au, "web_services", hl);
	add_num(au, "web_services_total", (double)s->nhttp_total);
	cJSON_AddItemToObject(o, "authentication", au);

	cJSON *rd = obj();
	add_num(rd, "count", s->nredirects);
	add_str(rd, "from", s->redirect_from);
	add_str(rd, "to", s->redirect_to);
	cJSON_AddBoolToObject(rd, "loop", s->redirect_loop);
	cJSON_AddItemToObject(o, "redirection", rd);

	cJSON *st = obj();
	for (int i = 0; i < SESS_SET__COUNT; i++) {
		const struct sess_setting *x = &s->settings[i];
		cJSON *y = obj();
		add_str(y, "status", x->line && x->status == SESS_NOT_SEEN
			? "unanswered" : sess_status_name(x->status));
		add_num(y, "code", x->code);
		if (x->line) {
			add_str(y, "file", x->file);
			add_num(y, "line", (double)x->line);
		}
		cJSON_AddItemToObject(st,
			sess_setting_name((enum sess_setting_id)i), y);
	}
	if (s->location_profile[0]) {
		cJSON *lp = obj();
		add_str(lp, "name", s->location_profile);
		add_num(lp, "rules", s->location_rules);
		cJSON_AddItemToObject(st, "location_profile_data", lp);
	}
	cJSON *pv = obj();
	for (size_t g = 0; g < s->ngroups; g++) {
		cJSON *grp = obj();
		for (size_t i = 0; i < s->nprops; i++) {
			if (s->props[i].group != g)
				continue;
			char *k = esc_utf8(sv_cstr(s->props[i].name));
			if (!cJSON_GetObjectItemCaseSensitive(grp, k))
				add_str(grp, k, s->props[i].value);
			free(k);
		}
		add_item(pv, s->groups[g], grp);
	}
	cJSON_AddItemToObject(st, "provisioning", pv);
	add_num(st, "provisioning_properties_total",
		(double)s->nprops_total);
	cJSON_AddItemToObject(o, "settings", st);
	add_num(o, "messages", (double)s->nmsgs);
	return o;
}

/* A finding's evidence: file, line, time and text of each. */
static cJSON *finding_evidence(const struct finding *f)
{
	cJSON *ev = arr();
	for (size_t i = 0; i < f->nev; i++) {
		const struct finding_evidence *x = &f->ev[i];
		cJSON *e = obj();
		add_str(e, "file", x->file);
		add_num(e, "line", (double)x->line);
		add_time(e, "time", x->ts);
		add_str(e, "text", x->text);
		cJSON_AddItemToArray(ev, e);
	}
	return ev;
}

static cJSON *finding_obj(const struct finding *f)
{
	cJSON *o = obj();
	size_t nref = f->rule->nrefs;
	const char *const *refs = f->rule->refs;
	add_str(o, "rule", f->rule->id);
	add_str(o, "severity", sfb_sev_name(f->sev));
	add_str(o, "title", f->title);
	add_str(o, "step", f->step ? sfb_step_name(f->step) : "general");
	if (f->session) {
		add_num(o, "session", f->session);
		add_str(o, "user", f->user);
		add_str(o, "epid", f->epid);
	} else {
		cJSON_AddNullToObject(o, "session");
	}
	add_num(o, "count", (double)f->count);
	add_str(o, "explanation", f->explanation);
	add_str(o, "remediation", f->remediation);
	cJSON *r = arr();
	for (size_t i = 0; i < nref; i++)
		cJSON_AddItemToArray(r, str_sv(sv_cstr(refs[i])));
	cJSON_AddItemToObject(o, "references", r);
	cJSON_AddItemToObject(o, "evidence", finding_evidence(f));
	add_num(o, "evidence_total", (double)f->evidence_total);
	return o;
}

static cJSON *findings_arr(const struct finding *f, size_t nf)
{
	cJSON *a = arr();
	for (size_t i = 0; i < nf; i++)
		cJSON_AddItemToArray(a, finding_obj(&f[i]));
	return a;
}

/*
 * Write s with depth more tabs after each line feed: a value printed
 * alone by cJSON_Print, placed inside the document (a string in the
 * output never holds a raw line feed, JSON escapes it).
 */
static void put_nested(struct rep_json *j, const char *s, int depth)
{
	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		fwrite(s, 1, (size_t)(nl - s) + 1, j->out);
		for (int i = 0; i < depth; i++)
			fputc('\t', j->out);
	}
	fputs(s, j->out);
}

/* The document's opening: printed once, before the first file. */
static void open_doc(struct rep_json *j)
{
	if (j->opened || j->ndjson)
		return;
	fprintf(j->out, "{\n\t\"schema_version\":\t%d,\n\t\"version\":\t"
		"\"%s\",\n\t\"command\":\t\"%s\",\n\t\"files\":\t[",
		SFB_SCHEMA_VERSION, SFB_VERSION, j->command);
	j->opened = 1;
}

/*
 * A file object's opening: its name, then its sessions as they close
 * (the statistics follow at its end, rep_json_analyze).  The layout is
 * cJSON_Print's (a file object at depth 3), as if the document had
 * been built whole.
 */
static void open_file(struct rep_json *j, const char *name)
{
	if (j->in_file)
		return;
	open_doc(j);
	cJSON *n = str(name);
	char *s = cJSON_PrintUnformatted(n);
	if (!s)
		sfb_oom();
	if (j->ndjson)
		fprintf(j->out, "{\"file\":%s,\"sessions\":[", s);
	else
		fprintf(j->out, "%s{\n\t\t\t\"file\":\t%s,\n\t\t\t"
			"\"sessions\":\t[", j->count ? ", " : "", s);
	free(s);
	cJSON_Delete(n);
	j->in_file = 1;
	j->nsess = 0;
	j->sessions_dropped = 0;
}

void rep_json_session(struct rep_json *j, const struct sess *s,
		      const struct finding *f, size_t nf)
{
	open_file(j, j->name ? j->name : s->file ? s->file : "-");
	if (j->max_sessions && j->nsess >= j->max_sessions) {
		j->sessions_dropped++;
		return;
	}
	cJSON *o = sess_obj(s);
	add_str(o, "severity", sfb_sev_name(nf ? f[0].sev : SFB_SEV_NONE));
	add_str(o, "top_rule", nf ? f[0].rule->id : "");
	cJSON_AddItemToObject(o, "findings", findings_arr(f, nf));
	char *p = j->ndjson ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
	if (!p)
		sfb_oom();
	if (j->nsess)
		fputs(j->ndjson ? "," : ", ", j->out);
	if (j->ndjson)
		fputs(p, j->out);
	else
		put_nested(j, p, 4);
	free(p);
	cJSON_Delete(o);
	j->nsess++;
}

void rep_json_flow(struct rep_json *j, const char *name,
		   const struct flow *f)
{
	cJSON *o = obj();
	add_str(o, "file", name);
	cJSON *ps = arr();
	for (size_t i = 0; i < flow_nparties(f); i++) {
		const struct flow_party *p = flow_party_get(f, i);
		cJSON *x = obj();
		add_num(x, "index", (double)i);
		add_str(x, "name", p->name);
		add_str(x, "role", p->role);
		cJSON_AddItemToArray(ps, x);
	}
	cJSON_AddItemToObject(o, "parties", ps);
	cJSON *as = arr();
	for (size_t i = 0; i < flow_narrows(f); i++) {
		const struct flow_arrow *a = flow_arrow_get(f, i);
		cJSON *x = obj();
		add_time(x, "time", a->ts);
		add_num(x, "from", a->from);
		add_num(x, "to", a->to);
		add_str(x, "label", a->label);
		add_str(x, "note", a->note);
		cJSON_AddBoolToObject(x, "error", a->error);
		cJSON_AddBoolToObject(x, "request", a->request);
		add_str(x, "file", a->file ? a->file : "");
		add_num(x, "line", (double)a->line);
		add_str(x, "call_id", a->call_id);
		cJSON_AddItemToArray(as, x);
	}
	cJSON_AddItemToObject(o, "arrows", as);
	add_num(o, "dropped", (double)flow_dropped(f));
	if (j->ndjson) {
		print_item(j, o);
		fputc('\n', j->out);
		cJSON_Delete(o);
	} else {
		cJSON_AddItemToArray(j->files, o);
	}
	j->count++;
}

void rep_json_rules(FILE *out, const struct rules *rs)
{
	cJSON *doc = obj();
	add_num(doc, "schema_version", SFB_SCHEMA_VERSION);
	add_str(doc, "version", SFB_VERSION);
	add_str(doc, "command", "rules");
	cJSON *a = arr();
	for (size_t i = 0; i < rules_count(rs); i++) {
		const struct rules_rule *r = rules_get(rs, i);
		cJSON *o = obj();
		add_str(o, "rule", r->id);
		add_str(o, "severity", sfb_sev_name(r->sev));
		add_str(o, "step", r->step ? sfb_step_name(r->step)
					   : "general");
		add_str(o, "scope", expr_scope_name(r->scope));
		cJSON_AddBoolToObject(o, "enabled", r->enabled);
		add_str(o, "title", r->title_src);
		add_str(o, "condition", r->cond_src);
		add_str(o, "output", r->output_src);
		add_str(o, "explanation", r->explanation_src);
		add_str(o, "remediation", r->remediation_src);
		cJSON *refs = arr();
		for (size_t k = 0; k < r->nrefs; k++)
			cJSON_AddItemToArray(refs,
					     str_sv(sv_cstr(r->refs[k])));
		cJSON_AddItemToObject(o, "references", refs);
		add_str(o, "file", r->file);
		add_num(o, "line", (double)r->line);
		cJSON_AddItemToArray(a, o);
	}
	cJSON_AddItemToObject(doc, "rules", a);
	char *text = cJSON_Print(doc);
	if (!text)
		sfb_oom();
	fputs(text, out);
	fputc('\n', out);
	free(text);
	cJSON_Delete(doc);
}

const char *rep_json_version(void)
{
	return cJSON_Version();
}

static cJSON *ana_counts(const struct ana *a)
{
	cJSON *m = obj();
	add_num(m, "total", (double)a->msgs);
	add_num(m, "sip", (double)a->sip);
	add_num(m, "http", (double)a->http);
	add_num(m, "requests", (double)a->requests);
	add_num(m, "responses", (double)a->responses);
	add_num(m, "truncated", (double)a->truncated);
	add_num(m, "content_length_mismatch", (double)a->cl_mismatch);
	add_num(m, "content_length_invalid", (double)a->cl_invalid);
	add_num(m, "bad_header_lines", (double)a->bad_header);
	add_num(m, "not_sip_or_http", (double)a->bad_start);
	add_num(m, "hop_copies", (double)a->copies);
	cJSON *by = obj();
	for (size_t i = 0; i < a->nmethods; i++)
		add_num(by, a->methods[i].name, (double)a->methods[i].n);
	if (a->methods_other)
		add_num(by, "other", (double)a->methods_other);
	cJSON_AddItemToObject(m, "requests_by_method", by);
	cJSON *st = obj();
	for (int s = 100; s < 700; s++) {
		if (!a->status[s])
			continue;
		char k[16];
		snprintf(k, sizeof k, "%d", s);
		add_num(st, k, (double)a->status[s]);
	}
	cJSON_AddItemToObject(m, "responses_by_status", st);
	return m;
}

static cJSON *ana_diags(const struct ana *a)
{
	cJSON *l = arr();
	for (size_t i = 0; i < a->ndiags; i++) {
		const struct ana_diag *d = &a->diags[i];
		cJSON *o = obj();
		add_str(o, "severity", sfb_sev_name(d->sev));
		add_str(o, "header", ana_diag_hdr_name(d->hdr));
		add_num(o, "code", d->code);
		if (d->sub >= 0)
			add_num(o, "sub_code", d->sub);
		else
			cJSON_AddNullToObject(o, "sub_code");
		add_str(o, "reason", d->reason);
		add_str(o, "source", d->source);
		if (d->faultcode[0])
			add_str(o, "faultcode", d->faultcode);
		add_num(o, "status", d->status);
		add_str(o, "request", d->request);
		add_num(o, "count", (double)d->count);
		add_str(o, "first_file", d->first_file);
		add_num(o, "first_line", (double)d->first_line);
		add_time(o, "first_time", d->first_ts);
		cJSON_AddItemToArray(l, o);
	}
	return l;
}

static cJSON *ana_results(const struct ana *a)
{
	cJSON *l = arr();
	for (size_t i = 0; i < a->nresults; i++) {
		const struct ana_result *r = &a->results[i];
		cJSON *o = obj();
		char code[24];
		snprintf(code, sizeof code, "0x%08llx",
			 (unsigned long long)r->code);
		add_str(o, "severity", sfb_sev_name(r->sev));
		add_str(o, "result_code", code);
		add_str(o, "result_name", r->name);
		add_str(o, "text", r->text);
		add_num(o, "count", (double)r->count);
		add_str(o, "first_file", r->first_file);
		add_num(o, "first_line", (double)r->first_line);
		cJSON_AddItemToArray(l, o);
	}
	return l;
}

static cJSON *ana_txns(const struct ana *a)
{
	cJSON *t = obj();
	add_num(t, "total", (double)a->txn_total);
	add_num(t, "answered", (double)a->txn_answered);
	add_num(t, "unanswered", (double)a->txn_unanswered);
	add_num(t, "responses_without_request", (double)a->txn_no_request);
	add_num(t, "multi_hop", (double)a->txn_multi_hop);
	cJSON *l = arr();
	for (size_t i = 0; i < a->nunanswered; i++) {
		const struct ana_unanswered *u = &a->unanswered[i];
		cJSON *o = obj();
		add_str(o, "file", u->file);
		add_num(o, "line", (double)u->line);
		add_time(o, "time", u->ts);
		add_str(o, "method", u->method);
		add_str(o, "uri", u->uri);
		if (u->proto == MSG_SIP) {
			add_str(o, "call_id", u->call_id);
			add_num(o, "cseq", u->cseq);
		}
		cJSON_AddItemToArray(l, o);
	}
	cJSON_AddItemToObject(t, "unanswered_list", l);
	return t;
}

static cJSON *ana_obj(const struct ana *a)
{
	cJSON *o = obj();
	add_str(o, "file", a->file);
	if (a->failed) {
		add_str(o, "error", a->error);
		return o;
	}
	cJSON_AddNullToObject(o, "error");
	if (a->error[0])
		add_str(o, "read_error", a->error);
	add_str(o, "format", fmt_kind_name(a->kind));
	add_str(o, "encoding", lr_encoding_name(a->enc));
	cJSON_AddBoolToObject(o, "gzip", a->gzip);
	add_num(o, "bytes", (double)a->bytes);
	add_num(o, "lines", (double)a->lines);
	add_num(o, "entries", (double)a->entries);
	add_time(o, "first_time", a->first_ts);
	add_time(o, "last_time", a->last_ts);
	cJSON_AddItemToObject(o, "messages", ana_counts(a));
	cJSON_AddItemToObject(o, "transactions", ana_txns(a));
	cJSON_AddItemToObject(o, "diagnostics", ana_diags(a));
	cJSON_AddItemToObject(o, "server_diagnostics", ana_results(a));
	cJSON *w = obj();
	add_num(w, "count", (double)a->warns_total);
	cJSON *l = arr();
	for (size_t i = 0; i < a->nwarns; i++) {
		cJSON *x = obj();
		add_str(x, "file", a->warns[i].file);
		add_num(x, "line", (double)a->warns[i].line);
		add_str(x, "message", a->warns[i].text);
		cJSON_AddItemToArray(l, x);
	}
	cJSON_AddItemToObject(w, "items", l);
	cJSON_AddItemToObject(o, "warnings", w);
	cJSON *ss = obj();
	add_num(ss, "total", (double)a->sess_total);
	add_num(ss, "signed_in", (double)a->sess_signed_in);
	add_num(ss, "failed", (double)a->sess_failed);
	add_num(ss, "incomplete", (double)a->sess_incomplete);
	add_num(ss, "messages_outside_sessions", (double)a->outside_msgs);
	cJSON_AddItemToObject(o, "session_counts", ss);
	return o;
}

static void print_item(struct rep_json *j, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	if (!s)
		sfb_oom();
	fputs(s, j->out);
	free(s);
}

void rep_json_analyze(struct rep_json *j, const struct ana *a,
		       const struct finding *f, size_t nf,
		       enum sfb_sev worst)
{
	open_file(j, a->file);
	cJSON *o = ana_obj(a);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "file");
	add_str(o, "worst_severity", sfb_sev_name(worst));
	cJSON_AddItemToObject(o, "findings", findings_arr(f, nf));
	add_num(o, "sessions_not_listed", (double)j->sessions_dropped);
	/* the members after "sessions": the object without its braces */
	char *s = j->ndjson ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
	if (!s)
		sfb_oom();
	s[strlen(s) - (j->ndjson ? 1 : 2)] = '\0';     /* "}" or "\n}" */
	fputs("],", j->out);
	if (j->ndjson) {
		fputs(s + 1, j->out);
		fputs("}\n", j->out);
	} else {
		put_nested(j, s + 1, 2);
		fputs("\n\t\t}", j->out);
	}
	free(s);
	cJSON_Delete(o);
	j->in_file = 0;
	j->name = NULL;
	j->count++;
}

static cJSON *msg_obj(const struct msg *m)
{
	cJSON *o = obj();
	add_str(o, "file", m->file ? m->file : "-");
	add_num(o, "line", (double)m->line_first);
	add_num(o, "last_line", (double)m->line_last);
	add_time(o, "time", m->ts);
	add_str(o, "direction", m->dir == DIR_OUT ? "out"
				: m->dir == DIR_IN ? "in" : "unknown");
	add_str(o, "local", m->local);
	add_str(o, "remote", m->remote);
	if (m->server[0])
		add_str(o, "server", m->server);
	add_str(o, "protocol", m->proto == MSG_SIP ? "sip"
			       : m->proto == MSG_HTTP ? "http" : "unknown");
	add_str(o, "kind", m->kind == MSG_REQUEST ? "request"
			   : m->kind == MSG_RESPONSE ? "response" : "unknown");
	add_sv(o, "start_line", m->start_line);
	if (m->kind == MSG_REQUEST) {
		add_sv(o, "method", m->method);
		add_sv(o, "uri", m->uri);
	} else if (m->kind == MSG_RESPONSE) {
		add_num(o, "status", m->status);
		add_sv(o, "reason", m->status_reason);
	}
	add_sv(o, "call_id", m->call_id);
	if (m->cseq_method.n) {
		add_num(o, "cseq", m->cseq);
		add_sv(o, "cseq_method", m->cseq_method);
	}
	add_sv(o, "from", m->from_uri);
	add_sv(o, "to", m->to_uri);
	add_sv(o, "epid", m->from_epid);
	if (m->declared_len >= 0)
		add_num(o, "declared_bytes", (double)m->declared_len);
	add_num(o, "body_bytes", (double)m->body.n);
	cJSON *fl = arr();
	static const struct { unsigned f; const char *name; } flags[] = {
		{ MSG_F_TRUNCATED, "truncated" },
		{ MSG_F_BAD_START, "bad_start_line" },
		{ MSG_F_BAD_HEADER, "bad_header_line" },
		{ MSG_F_CL_MISMATCH, "content_length_mismatch" },
		{ MSG_F_CL_INVALID, "content_length_invalid" },
		{ MSG_F_NO_BLANK, "no_blank_line" },
		{ MSG_F_LIMIT, "too_many_headers" },
	};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (m->flags & flags[i].f)
			cJSON_AddItemToArray(
				fl, cJSON_CreateString(flags[i].name));
	cJSON_AddItemToObject(o, "flags", fl);
	cJSON *dl = arr();
	for (size_t i = 0; i < m->ndiags; i++) {
		const struct msg_diag *d = &m->diags[i];
		cJSON *x = obj();
		add_str(x, "header", ana_diag_hdr_name(d->hdr));
		add_num(x, "code", d->code);
		if (d->sub >= 0)
			add_num(x, "sub_code", d->sub);
		add_sv(x, "reason", d->reason);
		add_sv(x, "source", d->source);
		cJSON *ps = obj();
		for (size_t k = 0; k < d->nparams; k++) {
			struct sv name = d->params[k].name;
			if (name.n > 63)
				name.n = 63;
			char *key = esc_utf8(name);
			if (!cJSON_GetObjectItemCaseSensitive(ps, key))
				add_sv(ps, key, d->params[k].value);
			free(key);
		}
		cJSON_AddItemToObject(x, "params", ps);
		cJSON_AddItemToArray(dl, x);
	}
	cJSON_AddItemToObject(o, "diagnostics", dl);
	return o;
}

void rep_json_msg(struct rep_json *j, const struct msg *m)
{
	cJSON *o = msg_obj(m);
	if (j->ndjson) {
		print_item(j, o);
		fputc('\n', j->out);
	} else {
		if (!j->opened) {
			fprintf(j->out, "{\"schema_version\":%d,\"version\":"
				"\"%s\",\"command\":\"%s\",\"messages\":[\n",
				SFB_SCHEMA_VERSION, SFB_VERSION, j->command);
			j->opened = 1;
		} else {
			fputs(",\n", j->out);
		}
		print_item(j, o);
	}
	cJSON_Delete(o);
	j->count++;
}

void rep_json_end(struct rep_json *j)
{
	if (j->ndjson)
		return;
	if (strcmp(j->command, "messages") == 0) {
		if (!j->opened)
			fprintf(j->out, "{\"schema_version\":%d,\"version\":"
				"\"%s\",\"command\":\"%s\",\"messages\":[",
				SFB_SCHEMA_VERSION, SFB_VERSION, j->command);
		fputs("\n]}\n", j->out);
		return;
	}
	if (strcmp(j->command, "analyze") == 0) {
		open_doc(j);
		fputc(']', j->out);
		if (j->joined) {
			/* {"joined": [...]} printed, without its braces */
			cJSON *w = obj();
			cJSON_AddItemToObject(w, "joined", j->joined);
			j->joined = NULL;
			char *s = cJSON_Print(w);
			if (!s)
				sfb_oom();
			size_t n = strlen(s);
			if (n >= 4)
				fprintf(j->out, ",\n%.*s", (int)(n - 4),
					s + 2);
			free(s);
			cJSON_Delete(w);
		}
		fputs("\n}\n", j->out);
		return;
	}
	cJSON *doc = obj();
	add_num(doc, "schema_version", SFB_SCHEMA_VERSION);
	add_str(doc, "version", SFB_VERSION);
	add_str(doc, "command", j->command);
	cJSON_AddItemToObject(doc, "files", j->files);
	j->files = NULL;
	if (j->joined)
		cJSON_AddItemToObject(doc, "joined", j->joined);
	j->joined = NULL;
	char *s = cJSON_Print(doc);
	if (!s)
		sfb_oom();
	fputs(s, j->out);
	fputc('\n', j->out);
	free(s);
	cJSON_Delete(doc);
	j->files = arr();
}

/* ---- joined sign-ins (join.h) ----------------------------------------- */

static cJSON *side_obj(const struct join_side *s)
{
	cJSON *o = obj();
	add_str(o, "file", s->file ? s->file : "-");
	add_num(o, "session", s->id);
	add_num(o, "line", (double)s->first_line);
	add_str(o, "user", s->user);
	add_str(o, "outcome", sess_outcome_name(s->outcome));
	if (s->nf)
		add_str(o, "top_rule", s->f[0].rule);
	return o;
}

static cJSON *joined_obj(const struct join_signin *js)
{
	const struct join_facts *fx = &js->facts;
	cJSON *o = obj();
	add_str(o, "type", "joined_signin");
	cJSON_AddItemToObject(o, "client", side_obj(js->client));
	cJSON *sv = arr();
	for (size_t k = 0; k < js->nserver; k++)
		cJSON_AddItemToArray(sv, side_obj(js->server[k]));
	cJSON_AddItemToObject(o, "servers", sv);
	add_str(o, "joined_by", join_by_name(fx->by));
	cJSON *seen = arr();
	for (const char *p = fx->servers; *p;) {
		size_t len = strcspn(p, ",");
		char name[48];
		snprintf(name, sizeof name, "%.*s", (int)(len < 47 ? len : 47),
			 p);
		cJSON *x = obj();
		add_str(x, "server", name);
		add_str(x, "role", role_name((enum role_id)
			join_party_role(js, name)));
		cJSON_AddItemToArray(seen, x);
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	cJSON_AddItemToObject(o, "seen_by", seen);
	if (fx->have_offset) {
		cJSON *c = obj();
		add_num(c, "offset_ms", (double)fx->offset_ms);
		add_num(c, "skew_ms", (double)fx->skew_ms);
		add_num(c, "spread_ms", (double)fx->spread_ms);
		add_num(c, "matched", fx->nmatched);
		cJSON_AddItemToObject(o, "clock", c);
	} else {
		cJSON_AddNullToObject(o, "clock");
	}
	cJSON *lost = arr();
	for (size_t i = 0; i < fx->nlost; i++) {
		const struct join_msg *m = fx->lost[i].m;
		cJSON *x = obj();
		add_str(x, "label", m->label);
		add_num(x, "cseq", m->cseq);
		add_str(x, "method", m->method);
		add_str(x, "sent_by", fx->lost[i].to_client ? m->server
							    : "client");
		add_str(x, "file", m->file ? m->file : "-");
		add_num(x, "line", (double)m->line);
		cJSON_AddItemToArray(lost, x);
	}
	cJSON_AddItemToObject(o, "lost", lost);
	add_num(o, "lost_total", fx->lost_total);
	cJSON_AddItemToObject(o, "findings", findings_arr(js->f, js->nf));
	return o;
}

void rep_json_join(struct rep_json *j, const struct join *jn)
{
	size_t nc, ns;
	join_inputs(jn, &nc, &ns);
	if (!nc || !ns)
		return;
	if (!j->ndjson && !j->joined)
		j->joined = arr();
	for (size_t i = 0; i < join_count(jn); i++) {
		cJSON *o = joined_obj(join_get(jn, i));
		if (j->ndjson) {
			print_item(j, o);
			fputc('\n', j->out);
			cJSON_Delete(o);
		} else {
			cJSON_AddItemToArray(j->joined, o);
		}
	}
}

/* ---- triage records -------------------------------------------------- */

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
	if (s && *s)
		add_str(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

void rep_json_tri_record(FILE *out, cJSON *o, int doc, size_t *count)
{
	char *txt = cJSON_PrintUnformatted(o);
	if (!txt)
		sfb_oom();
	if (doc && *count)
		fputs(",\n", out);
	fputs(txt, out);
	if (!doc)
		fputc('\n', out);
	(*count)++;
	free(txt);
	cJSON_Delete(o);
}

static cJSON *tri_file_obj(const struct tri_result *r,
			   const struct tri_file *f)
{
	const struct walk_item *it = f->item;
	cJSON *o = obj();
	char buf[40];
	add_str(o, "type", "file");
	add_str(o, "source", it->source);
	add_str(o, "path", it->path);
	add_str_or_null(o, "entry", it->entry);
	add_str(o, "stream", r->name);
	if (it->size >= 0)
		add_num(o, "size", (double)it->size);
	else
		cJSON_AddNullToObject(o, "size");
	if (it->mtime > 0) {
		time_t tt = (time_t)it->mtime;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
		add_str(o, "mtime", buf);
	} else {
		cJSON_AddNullToObject(o, "mtime");
	}
	add_str(o, "status", f->problem ? "problem"
		: r->skipped ? "unchanged" : "ok");
	add_str_or_null(o, "code", walk_problem_name(f->problem));
	add_str_or_null(o, "reason", f->problem ? f->reason : NULL);
	add_num(o, "bytes_read", (double)f->bytes);
	if (f->hashed) {
		snprintf(buf, sizeof buf, "%016" PRIx64, f->hash);
		add_str(o, "hash", buf);
	} else {
		cJSON_AddNullToObject(o, "hash");
	}
	add_str_or_null(o, "format", r->ran && r->kind != FMT_AUTO
			? fmt_kind_name(r->kind) : NULL);
	return o;
}


static cJSON *tri_finding_obj(const char *stream, const struct tri_sess *s,
			      const struct finding *f)
{
	cJSON *o = obj();
	add_str(o, "type", "finding");
	add_str(o, "source", stream);
	if (s) {
		add_num(o, "session", s->id);
		add_str_or_null(o, "user", s->user);
	} else {
		cJSON_AddNullToObject(o, "session");
		add_str_or_null(o, "user", f->user);
	}
	add_str(o, "rule", f->rule->id);
	add_str(o, "severity", sfb_sev_name(f->sev));
	add_str(o, "step", f->step ? sfb_step_name(f->step) : "general");
	add_str(o, "title", f->title);
	add_num(o, "count", (double)f->count);
	add_time(o, "time", f->nev ? f->ev[0].ts : SFB_TIME_NONE);
	cJSON_AddItemToObject(o, "evidence", finding_evidence(f));
	return o;
}

static cJSON *tri_sess_obj(const char *stream, const struct tri_sess *s)
{
	cJSON *o = obj();
	add_str(o, "type", "session");
	add_str(o, "source", stream);
	add_str(o, "file", s->file ? s->file : "");
	add_num(o, "line", (double)s->line);
	add_num(o, "session", s->id);
	add_str_or_null(o, "user", s->user);
	add_str_or_null(o, "epid", s->epid);
	add_time(o, "start", s->start);
	add_time(o, "end", s->end);
	add_str(o, "outcome", sess_outcome_name(s->outcome));
	add_str(o, "outcome_text", s->outcome_text);
	add_str_or_null(o, "failed_step", s->failed_step
			? sfb_step_name(s->failed_step) : NULL);
	add_str(o, "severity", sfb_sev_name(s->sev));
	cJSON *ids = arr();
	for (size_t i = 0; i < s->nf; i++)
		cJSON_AddItemToArray(ids, str_sv(sv_cstr(s->f[i].rule->id)));
	cJSON_AddItemToObject(o, "rules", ids);
	const struct finding *top = triage_top(s);
	add_str_or_null(o, "top_rule", top ? top->rule->id : NULL);
	return o;
}

void rep_json_tri_result(FILE *out, const struct tri_result *r, int doc,
			 size_t *count)
{
	for (size_t i = 0; i < r->nfiles; i++)
		rep_json_tri_record(out, tri_file_obj(r, &r->files[i]), doc,
				    count);
	for (size_t i = 0; i < r->nsess; i++) {
		const struct tri_sess *s = &r->sess[i];
		rep_json_tri_record(out, tri_sess_obj(r->name, s), doc, count);
		for (size_t k = 0; k < s->nf; k++)
			rep_json_tri_record(out, tri_finding_obj(r->name, s,
								 &s->f[k]),
					    doc, count);
	}
	for (size_t k = 0; k < r->nf; k++)
		rep_json_tri_record(out, tri_finding_obj(r->name, NULL,
							 &r->f[k]),
				    doc, count);
}

void rep_json_tri_summary(FILE *out, const struct tri_total *t, int doc)
{
	cJSON *o = obj();
	if (!doc)
		add_str(o, "type", "summary");
	add_num(o, "schema_version", TRI_SCHEMA_VERSION);
	add_num(o, "files", (double)t->files);
	add_num(o, "files_read", (double)t->files_read);
	add_num(o, "files_unchanged", (double)t->files_unchanged);
	add_num(o, "files_with_problems", (double)t->files_problem);
	cJSON *p = obj();
	for (int i = 1; i < WALK_P__COUNT; i++)
		if (t->problems[i])
			add_num(p, walk_problem_name((enum walk_problem)i),
				(double)t->problems[i]);
	cJSON_AddItemToObject(o, "problems", p);
	add_num(o, "streams", (double)t->streams);
	add_num(o, "bytes", (double)t->bytes);
	add_num(o, "sessions", (double)t->sessions);
	add_num(o, "signed_in", (double)t->signed_in);
	add_num(o, "failed", (double)t->failed);
	add_num(o, "incomplete", (double)t->incomplete);
	add_num(o, "findings", (double)t->findings);
	cJSON *rl = obj();
	for (size_t i = 0; i < t->nrules; i++)
		add_num(rl, t->rules[i].key, (double)t->rules[i].n);
	cJSON_AddItemToObject(o, "top_rules", rl);
	cJSON *st = obj();
	for (int i = 1; i < SFB_STEP__COUNT; i++)
		if (t->steps[i])
			add_num(st, sfb_step_name((enum sfb_step)i),
				(double)t->steps[i]);
	cJSON_AddItemToObject(o, "failed_steps", st);
	char *txt = cJSON_PrintUnformatted(o);
	if (!txt)
		sfb_oom();
	fputs(txt, out);
	if (!doc)
		fputc('\n', out);
	free(txt);
	cJSON_Delete(o);
}
