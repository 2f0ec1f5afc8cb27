/* SPDX-License-Identifier: MIT */
/*
 * rep_json.c -- the JSON / NDJSON reporter (see rep.h); the only module
 * that uses cJSON.  `analyze` and `messages` documents are streamed:
 * each session, file end and message is written as it comes by the
 * JSON writer (jw.h, cJSON's layout without a tree) into one reused
 * buffer, then to the output, so memory does not grow with the input.
 * The rarely printed documents (flow, rules, the triage summary) are
 * cJSON trees printed whole.  Keys are stable; "schema_version" names
 * the layout (SFB_SCHEMA_VERSION).
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esc.h"
#include "join.h"
#include "jw.h"
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
	struct jw w;            /* the document being written (analyze),
				 * a message (messages) */
	/* analyze streams: the file being written, its sessions so far */
	const char *name;       /* borrowed: rep_json_file_begin */
	int in_file;            /* its opening printed */
	size_t nsess;
	size_t max_sessions;    /* 0: every session */
	uint64_t sessions_dropped;
	int joined;             /* rep_json_join called (JSON mode) */
	struct jw jn;           /* the "joined" array so far (JSON mode) */
};

/*
 * For the cJSON trees: a string goes in as valid UTF-8 (esc.h: invalid
 * bytes and NUL bytes become U+FFFD), so the output is always valid
 * JSON (RFC 8259) whatever the log holds; the same bytes as jw_str
 * writes (unit_jw.c compares them).
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

/* ---- the writer's helpers --------------------------------------------- */

static void str_or_null(struct jw *w, const char *key, const char *s)
{
	if (s && *s)
		jw_str(w, key, s);
	else
		jw_null(w, key);
}

/*
 * The keys of one object named from a log, the first of each name kept
 * (as cJSON_GetObjectItemCaseSensitive found it in the tree built
 * before): a name is compared as written, escaped.
 */
struct keyset {
	char **k;               /* owned: the keys written (esc_utf8) */
	size_t n, cap;
};

/* @return 1 when name is new: its key is written (the value follows) */
static int keyset_add(struct keyset *ks, struct jw *w, struct sv name)
{
	char *k = esc_utf8(name);
	for (size_t i = 0; i < ks->n; i++) {
		if (strcmp(ks->k[i], k) == 0) {
			free(k);
			return 0;
		}
	}
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 8;
		ks->k = sfb_xrealloc(ks->k, ks->cap * sizeof *ks->k);
	}
	ks->k[ks->n++] = k;
	jw_key(w, name);        /* escaping again changes nothing */
	return 1;
}

static void keyset_clear(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->k[i]);
	ks->n = 0;
}

static void keyset_free(struct keyset *ks)
{
	keyset_clear(ks);
	free(ks->k);
}

struct rep_json *rep_json_new(FILE *out, const char *command, int ndjson)
{
	struct rep_json *j = sfb_xcalloc(1, sizeof *j);
	j->out = out;
	j->command = command;
	j->ndjson = ndjson;
	j->files = arr();
	jw_init(&j->w, !ndjson, 0);
	return j;
}

void rep_json_free(struct rep_json *j)
{
	if (!j)
		return;
	cJSON_Delete(j->files);
	jw_free(&j->w);
	jw_free(&j->jn);
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

static void evidence_arr(struct jw *w, const struct sess_step *st)
{
	jw_arr(w, "evidence");
	for (size_t i = 0; i < st->nev; i++) {
		const struct sess_evidence *e = &st->ev[i];
		jw_obj(w, NULL);
		jw_str(w, "file", e->file);
		jw_num(w, "line", (double)e->line);
		jw_time(w, "time", e->ts);
		jw_bool(w, "failed", e->failed);
		jw_str(w, "text", e->text);
		jw_end(w);
	}
	jw_end(w);
}

static void auth_arr(struct jw *w, const char *key, unsigned bits)
{
	char name[32];
	jw_arr(w, key);
	for (unsigned b = 1; b <= SESS_AUTH_OTHER; b <<= 1)
		if (bits & b)
			jw_str(w, NULL, sess_auth_names(b, name, sizeof name));
	jw_end(w);
}

static void sess_auth(struct jw *w, const struct sess *s)
{
	char buf[64];
	jw_obj(w, "authentication");
	auth_arr(w, "offered", s->auth_offered);
	jw_str(w, "used", sess_auth_names(s->auth_used, buf, sizeof buf));
	jw_str(w, "confirmed", sess_auth_names(s->auth_confirmed, buf,
					       sizeof buf));
	jw_num(w, "register_pairs", s->register_pairs);
	jw_num(w, "register_sent", s->register_total);
	jw_num(w, "register_401", s->register_401);
	jw_num(w, "expected_pairs", sess_expected_pairs(
			s->auth_confirmed ? s->auth_confirmed : s->auth_used));
	jw_num(w, "final_status", s->register_final);
	jw_str(w, "final_reason", s->register_reason);
	if (s->register_diag) {
		jw_num(w, "ms_diagnostics", s->register_diag);
		jw_str(w, "ms_diagnostics_reason", s->register_diag_reason);
	}
	jw_num(w, "webticket_28032", s->webticket_28032);
	jw_arr(w, "web_services");
	for (size_t i = 0; i < s->nhttp; i++) {
		const struct sess_http *h = &s->http[i];
		jw_obj(w, NULL);
		jw_str(w, "kind", sess_http_kind_name(h->kind));
		jw_str(w, "file", h->file);
		jw_num(w, "line", (double)h->line);
		jw_time(w, "time", h->ts);
		jw_str(w, "method", h->method);
		jw_str(w, "url", h->url);
		jw_num(w, "status", h->status);
		if (h->diag_code) {
			jw_num(w, "x_ms_diagnostics", h->diag_code);
			jw_str(w, "x_ms_diagnostics_reason", h->diag_reason);
		}
		if (h->fault_code[0]) {
			jw_str(w, "fault_code", h->fault_code);
			jw_str(w, "fault_reason", h->fault_reason);
		}
		jw_end(w);
	}
	jw_end(w);
	jw_num(w, "web_services_total", (double)s->nhttp_total);
	jw_end(w);
}

static void sess_settings(struct jw *w, const struct sess *s)
{
	jw_obj(w, "settings");
	for (int i = 0; i < SESS_SET__COUNT; i++) {
		const struct sess_setting *x = &s->settings[i];
		jw_obj(w, sess_setting_name((enum sess_setting_id)i));
		jw_str(w, "status", x->line && x->status == SESS_NOT_SEEN
			? "unanswered" : sess_status_name(x->status));
		jw_num(w, "code", x->code);
		if (x->line) {
			jw_str(w, "file", x->file);
			jw_num(w, "line", (double)x->line);
		}
		jw_end(w);
	}
	if (s->location_profile[0]) {
		jw_obj(w, "location_profile_data");
		jw_str(w, "name", s->location_profile);
		jw_num(w, "rules", s->location_rules);
		jw_end(w);
	}
	jw_obj(w, "provisioning");
	struct keyset ks = { NULL, 0, 0 };
	for (size_t g = 0; g < s->ngroups; g++) {
		jw_key(w, sv_cstr(s->groups[g]));
		jw_obj(w, NULL);
		for (size_t i = 0; i < s->nprops; i++)
			if (s->props[i].group == g &&
			    keyset_add(&ks, w, sv_cstr(s->props[i].name)))
				jw_str(w, NULL, s->props[i].value);
		keyset_clear(&ks);
		jw_end(w);
	}
	keyset_free(&ks);
	jw_end(w);
	jw_num(w, "provisioning_properties_total", (double)s->nprops_total);
	jw_end(w);
}

/* The members of a session's object (its findings follow). */
static void sess_members(struct jw *w, const struct sess *s)
{
	jw_num(w, "id", s->id);
	jw_str(w, "user", s->user);
	jw_str(w, "epid", s->epid);
	jw_str(w, "client_version", s->client_version);
	jw_str(w, "server_version", s->server_version);
	jw_str(w, "outcome", sess_outcome_name(s->outcome));
	jw_str(w, "outcome_text", s->outcome_text);
	jw_time(w, "start", s->start);
	jw_time(w, "end", s->end);
	if (s->start != SFB_TIME_NONE && s->end != SFB_TIME_NONE)
		jw_num(w, "duration_ms", (double)(s->end - s->start));
	jw_str(w, "file", s->file ? s->file : "");
	jw_num(w, "first_line", (double)s->first_line);
	jw_str(w, "last_file", s->last_file ? s->last_file : "");
	jw_num(w, "last_line", (double)s->last_line);
	jw_bool(w, "signed_out", s->signed_out);
	jw_bool(w, "evicted", s->evicted);
	jw_str(w, "server", s->server);
	jw_arr(w, "servers_seen");
	for (size_t i = 0; i < s->nservers; i++)
		jw_str(w, NULL, s->servers_seen[i]);
	jw_end(w);

	jw_obj(w, "steps");
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++) {
		const struct sess_step *st = &s->steps[i];
		jw_obj(w, sfb_step_name((enum sfb_step)i));
		jw_str(w, "status", sess_status_name(st->status));
		jw_str(w, "summary", st->summary);
		jw_num(w, "evidence_total", (double)st->nev_total);
		evidence_arr(w, st);
		jw_end(w);
	}
	jw_end(w);

	sess_auth(w, s);

	jw_obj(w, "redirection");
	jw_num(w, "count", s->nredirects);
	jw_str(w, "from", s->redirect_from);
	jw_str(w, "to", s->redirect_to);
	jw_bool(w, "loop", s->redirect_loop);
	jw_end(w);

	sess_settings(w, s);
	jw_num(w, "messages", (double)s->nmsgs);
}

/* A finding's evidence: file, line, time and text of each. */
static void finding_evidence(struct jw *w, const struct finding *f)
{
	jw_arr(w, "evidence");
	for (size_t i = 0; i < f->nev; i++) {
		const struct finding_evidence *x = &f->ev[i];
		jw_obj(w, NULL);
		jw_str(w, "file", x->file);
		jw_num(w, "line", (double)x->line);
		jw_time(w, "time", x->ts);
		jw_str(w, "text", x->text);
		jw_end(w);
	}
	jw_end(w);
}

static void finding_obj(struct jw *w, const struct finding *f)
{
	jw_obj(w, NULL);
	jw_str(w, "rule", f->rule->id);
	jw_str(w, "severity", sfb_sev_name(f->sev));
	jw_str(w, "title", f->title);
	jw_str(w, "step", f->step ? sfb_step_name(f->step) : "general");
	if (f->session) {
		jw_num(w, "session", f->session);
		jw_str(w, "user", f->user);
		jw_str(w, "epid", f->epid);
	} else {
		jw_null(w, "session");
	}
	jw_num(w, "count", (double)f->count);
	jw_str(w, "explanation", f->explanation);
	jw_str(w, "remediation", f->remediation);
	jw_arr(w, "references");
	for (size_t i = 0; i < f->rule->nrefs; i++)
		jw_str(w, NULL, f->rule->refs[i]);
	jw_end(w);
	finding_evidence(w, f);
	jw_num(w, "evidence_total", (double)f->evidence_total);
	jw_end(w);
}

static void findings_arr(struct jw *w, const struct finding *f, size_t nf)
{
	jw_arr(w, "findings");
	for (size_t i = 0; i < nf; i++)
		finding_obj(w, &f[i]);
	jw_end(w);
}

/*
 * The document's opening: printed once, before the first file; its
 * "files" array stays open in j->w until rep_json_end.
 */
static void open_doc(struct rep_json *j)
{
	if (j->opened || j->ndjson)
		return;
	jw_obj(&j->w, NULL);
	jw_num(&j->w, "schema_version", SFB_SCHEMA_VERSION);
	jw_str(&j->w, "version", SFB_VERSION);
	jw_str(&j->w, "command", j->command);
	jw_arr(&j->w, "files");
	j->opened = 1;
}

/*
 * A file object's opening: its name, then its sessions as they close
 * (the statistics follow at its end, rep_json_analyze), each written
 * out when done: the "sessions" array stays open in j->w.
 */
static void open_file(struct rep_json *j, const char *name)
{
	if (j->in_file)
		return;
	open_doc(j);
	jw_obj(&j->w, NULL);
	jw_str(&j->w, "file", name);
	jw_arr(&j->w, "sessions");
	jw_flush(&j->w, j->out);
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
	jw_obj(&j->w, NULL);
	sess_members(&j->w, s);
	jw_str(&j->w, "severity", sfb_sev_name(nf ? f[0].sev
						  : SFB_SEV_NONE));
	jw_str(&j->w, "top_rule", nf ? f[0].rule->id : "");
	findings_arr(&j->w, f, nf);
	jw_end(&j->w);
	jw_flush(&j->w, j->out);
	j->nsess++;
}

static void print_item(struct rep_json *j, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	if (!s)
		sfb_oom();
	fputs(s, j->out);
	free(s);
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

static void ana_counts(struct jw *w, const struct ana *a)
{
	jw_obj(w, "messages");
	jw_num(w, "total", (double)a->msgs);
	jw_num(w, "sip", (double)a->sip);
	jw_num(w, "http", (double)a->http);
	jw_num(w, "requests", (double)a->requests);
	jw_num(w, "responses", (double)a->responses);
	jw_num(w, "truncated", (double)a->truncated);
	jw_num(w, "content_length_mismatch", (double)a->cl_mismatch);
	jw_num(w, "content_length_invalid", (double)a->cl_invalid);
	jw_num(w, "bad_header_lines", (double)a->bad_header);
	jw_num(w, "not_sip_or_http", (double)a->bad_start);
	jw_num(w, "hop_copies", (double)a->copies);
	jw_obj(w, "requests_by_method");
	for (size_t i = 0; i < a->nmethods; i++) {
		/* a method is a token (sip.c): escaping keeps it as it is */
		jw_key(w, sv_cstr(a->methods[i].name));
		jw_num(w, NULL, (double)a->methods[i].n);
	}
	if (a->methods_other)
		jw_num(w, "other", (double)a->methods_other);
	jw_end(w);
	jw_obj(w, "responses_by_status");
	for (int s = 100; s < 700; s++) {
		if (!a->status[s])
			continue;
		char k[16];
		snprintf(k, sizeof k, "%d", s);
		jw_num(w, k, (double)a->status[s]);
	}
	jw_end(w);
	jw_end(w);
}

static void ana_diags(struct jw *w, const struct ana *a)
{
	jw_arr(w, "diagnostics");
	for (size_t i = 0; i < a->ndiags; i++) {
		const struct ana_diag *d = &a->diags[i];
		jw_obj(w, NULL);
		jw_str(w, "severity", sfb_sev_name(d->sev));
		jw_str(w, "header", ana_diag_hdr_name(d->hdr));
		jw_num(w, "code", d->code);
		if (d->sub >= 0)
			jw_num(w, "sub_code", d->sub);
		else
			jw_null(w, "sub_code");
		jw_str(w, "reason", d->reason);
		jw_str(w, "source", d->source);
		if (d->faultcode[0])
			jw_str(w, "faultcode", d->faultcode);
		jw_num(w, "status", d->status);
		jw_str(w, "request", d->request);
		jw_num(w, "count", (double)d->count);
		jw_str(w, "first_file", d->first_file);
		jw_num(w, "first_line", (double)d->first_line);
		jw_time(w, "first_time", d->first_ts);
		jw_end(w);
	}
	jw_end(w);
}

static void ana_results(struct jw *w, const struct ana *a)
{
	jw_arr(w, "server_diagnostics");
	for (size_t i = 0; i < a->nresults; i++) {
		const struct ana_result *r = &a->results[i];
		char code[24];
		snprintf(code, sizeof code, "0x%08llx",
			 (unsigned long long)r->code);
		jw_obj(w, NULL);
		jw_str(w, "severity", sfb_sev_name(r->sev));
		jw_str(w, "result_code", code);
		jw_str(w, "result_name", r->name);
		jw_str(w, "text", r->text);
		jw_num(w, "count", (double)r->count);
		jw_str(w, "first_file", r->first_file);
		jw_num(w, "first_line", (double)r->first_line);
		jw_end(w);
	}
	jw_end(w);
}

static void ana_txns(struct jw *w, const struct ana *a)
{
	jw_obj(w, "transactions");
	jw_num(w, "total", (double)a->txn_total);
	jw_num(w, "answered", (double)a->txn_answered);
	jw_num(w, "unanswered", (double)a->txn_unanswered);
	jw_num(w, "responses_without_request", (double)a->txn_no_request);
	jw_num(w, "multi_hop", (double)a->txn_multi_hop);
	jw_arr(w, "unanswered_list");
	for (size_t i = 0; i < a->nunanswered; i++) {
		const struct ana_unanswered *u = &a->unanswered[i];
		jw_obj(w, NULL);
		jw_str(w, "file", u->file);
		jw_num(w, "line", (double)u->line);
		jw_time(w, "time", u->ts);
		jw_str(w, "method", u->method);
		jw_str(w, "uri", u->uri);
		if (u->proto == MSG_SIP) {
			jw_str(w, "call_id", u->call_id);
			jw_num(w, "cseq", u->cseq);
		}
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

/* A file's statistics: the members after its sessions. */
static void ana_members(struct jw *w, const struct ana *a)
{
	if (a->failed) {
		jw_str(w, "error", a->error);
		return;
	}
	jw_null(w, "error");
	if (a->error[0])
		jw_str(w, "read_error", a->error);
	jw_str(w, "format", fmt_kind_name(a->kind));
	jw_str(w, "encoding", lr_encoding_name(a->enc));
	jw_bool(w, "gzip", a->gzip);
	jw_num(w, "bytes", (double)a->bytes);
	jw_num(w, "lines", (double)a->lines);
	jw_num(w, "entries", (double)a->entries);
	jw_time(w, "first_time", a->first_ts);
	jw_time(w, "last_time", a->last_ts);
	ana_counts(w, a);
	ana_txns(w, a);
	ana_diags(w, a);
	ana_results(w, a);
	jw_obj(w, "warnings");
	jw_num(w, "count", (double)a->warns_total);
	jw_arr(w, "items");
	for (size_t i = 0; i < a->nwarns; i++) {
		jw_obj(w, NULL);
		jw_str(w, "file", a->warns[i].file);
		jw_num(w, "line", (double)a->warns[i].line);
		jw_str(w, "message", a->warns[i].text);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
	jw_obj(w, "session_counts");
	jw_num(w, "total", (double)a->sess_total);
	jw_num(w, "signed_in", (double)a->sess_signed_in);
	jw_num(w, "failed", (double)a->sess_failed);
	jw_num(w, "incomplete", (double)a->sess_incomplete);
	jw_num(w, "messages_outside_sessions", (double)a->outside_msgs);
	jw_end(w);
}

void rep_json_analyze(struct rep_json *j, const struct ana *a,
		       const struct finding *f, size_t nf,
		       enum sfb_sev worst)
{
	open_file(j, a->file);
	jw_end(&j->w);          /* "sessions" */
	ana_members(&j->w, a);
	jw_str(&j->w, "worst_severity", sfb_sev_name(worst));
	findings_arr(&j->w, f, nf);
	jw_num(&j->w, "sessions_not_listed", (double)j->sessions_dropped);
	jw_end(&j->w);          /* the file */
	jw_flush(&j->w, j->out);
	if (j->ndjson) {
		fputc('\n', j->out);
		jw_init(&j->w, 0, 0);   /* the next line: a new document */
	}
	j->in_file = 0;
	j->name = NULL;
	j->count++;
}

/* A message's SIP / HTTP diagnostics, each with its parameters. */
static void msg_diags(struct jw *w, const struct msg *m)
{
	struct keyset ks = { NULL, 0, 0 };
	jw_arr(w, "diagnostics");
	for (size_t i = 0; i < m->ndiags; i++) {
		const struct msg_diag *d = &m->diags[i];
		jw_obj(w, NULL);
		jw_str(w, "header", ana_diag_hdr_name(d->hdr));
		jw_num(w, "code", d->code);
		if (d->sub >= 0)
			jw_num(w, "sub_code", d->sub);
		jw_sv(w, "reason", d->reason);
		jw_sv(w, "source", d->source);
		jw_obj(w, "params");
		for (size_t k = 0; k < d->nparams; k++) {
			struct sv name = d->params[k].name;
			if (name.n > 63)
				name.n = 63;
			if (keyset_add(&ks, w, name))
				jw_sv(w, NULL, d->params[k].value);
		}
		keyset_clear(&ks);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	keyset_free(&ks);
}

static void msg_obj(struct jw *w, const struct msg *m)
{
	jw_obj(w, NULL);
	jw_str(w, "file", m->file ? m->file : "-");
	jw_num(w, "line", (double)m->line_first);
	jw_num(w, "last_line", (double)m->line_last);
	jw_time(w, "time", m->ts);
	jw_str(w, "direction", m->dir == DIR_OUT ? "out"
			       : m->dir == DIR_IN ? "in" : "unknown");
	jw_str(w, "local", m->local);
	jw_str(w, "remote", m->remote);
	if (m->server[0])
		jw_str(w, "server", m->server);
	jw_str(w, "protocol", m->proto == MSG_SIP ? "sip"
			      : m->proto == MSG_HTTP ? "http" : "unknown");
	jw_str(w, "kind", m->kind == MSG_REQUEST ? "request"
			  : m->kind == MSG_RESPONSE ? "response" : "unknown");
	jw_sv(w, "start_line", m->start_line);
	if (m->kind == MSG_REQUEST) {
		jw_sv(w, "method", m->method);
		jw_sv(w, "uri", m->uri);
	} else if (m->kind == MSG_RESPONSE) {
		jw_num(w, "status", m->status);
		jw_sv(w, "reason", m->status_reason);
	}
	jw_sv(w, "call_id", m->call_id);
	if (m->cseq_method.n) {
		jw_num(w, "cseq", m->cseq);
		jw_sv(w, "cseq_method", m->cseq_method);
	}
	jw_sv(w, "from", m->from_uri);
	jw_sv(w, "to", m->to_uri);
	jw_sv(w, "epid", m->from_epid);
	if (m->declared_len >= 0)
		jw_num(w, "declared_bytes", (double)m->declared_len);
	jw_num(w, "body_bytes", (double)m->body.n);
	static const struct { unsigned f; const char *name; } flags[] = {
		{ MSG_F_TRUNCATED, "truncated" },
		{ MSG_F_BAD_START, "bad_start_line" },
		{ MSG_F_BAD_HEADER, "bad_header_line" },
		{ MSG_F_CL_MISMATCH, "content_length_mismatch" },
		{ MSG_F_CL_INVALID, "content_length_invalid" },
		{ MSG_F_NO_BLANK, "no_blank_line" },
		{ MSG_F_LIMIT, "too_many_headers" },
	};
	jw_arr(w, "flags");
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (m->flags & flags[i].f)
			jw_str(w, NULL, flags[i].name);
	jw_end(w);
	msg_diags(w, m);
	jw_end(w);
}

void rep_json_msg(struct rep_json *j, const struct msg *m)
{
	if (!j->ndjson) {
		if (!j->opened) {
			fprintf(j->out, "{\"schema_version\":%d,\"version\":"
				"\"%s\",\"command\":\"%s\",\"messages\":[\n",
				SFB_SCHEMA_VERSION, SFB_VERSION, j->command);
			j->opened = 1;
		} else {
			fputs(",\n", j->out);
		}
	}
	jw_init(&j->w, 0, 0);
	msg_obj(&j->w, m);
	jw_flush(&j->w, j->out);
	if (j->ndjson)
		fputc('\n', j->out);
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
		jw_end(&j->w);          /* "files" */
		if (j->joined) {
			jw_end(&j->jn);
			jw_raw(&j->w, "joined", j->jn.b, j->jn.n);
		}
		jw_end(&j->w);
		jw_flush(&j->w, j->out);
		fputc('\n', j->out);
		return;
	}
	/* flow: its objects kept as a tree (no join there) */
	cJSON *doc = obj();
	add_num(doc, "schema_version", SFB_SCHEMA_VERSION);
	add_str(doc, "version", SFB_VERSION);
	add_str(doc, "command", j->command);
	cJSON_AddItemToObject(doc, "files", j->files);
	j->files = NULL;
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

static void side_obj(struct jw *w, const char *key,
		     const struct join_side *s)
{
	jw_obj(w, key);
	jw_str(w, "file", s->file ? s->file : "-");
	jw_num(w, "session", s->id);
	jw_num(w, "line", (double)s->first_line);
	jw_str(w, "user", s->user);
	jw_str(w, "outcome", sess_outcome_name(s->outcome));
	if (s->nf)
		jw_str(w, "top_rule", s->f[0].rule);
	jw_end(w);
}

static void joined_obj(struct jw *w, const struct join_signin *js)
{
	const struct join_facts *fx = &js->facts;
	jw_obj(w, NULL);
	jw_str(w, "type", "joined_signin");
	side_obj(w, "client", js->client);
	jw_arr(w, "servers");
	for (size_t k = 0; k < js->nserver; k++)
		side_obj(w, NULL, js->server[k]);
	jw_end(w);
	jw_str(w, "joined_by", join_by_name(fx->by));
	jw_arr(w, "seen_by");
	for (const char *p = fx->servers; *p;) {
		size_t len = strcspn(p, ",");
		char name[48];
		snprintf(name, sizeof name, "%.*s", (int)(len < 47 ? len : 47),
			 p);
		jw_obj(w, NULL);
		jw_str(w, "server", name);
		jw_str(w, "role", role_name((enum role_id)
			join_party_role(js, name)));
		jw_end(w);
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	jw_end(w);
	if (fx->have_offset) {
		jw_obj(w, "clock");
		jw_num(w, "offset_ms", (double)fx->offset_ms);
		jw_num(w, "skew_ms", (double)fx->skew_ms);
		jw_num(w, "spread_ms", (double)fx->spread_ms);
		jw_num(w, "matched", fx->nmatched);
		jw_end(w);
	} else {
		jw_null(w, "clock");
	}
	jw_arr(w, "lost");
	for (size_t i = 0; i < fx->nlost; i++) {
		const struct join_msg *m = fx->lost[i].m;
		jw_obj(w, NULL);
		jw_str(w, "label", m->label);
		jw_num(w, "cseq", m->cseq);
		jw_str(w, "method", m->method);
		jw_str(w, "sent_by", fx->lost[i].to_client ? m->server
							   : "client");
		jw_str(w, "file", m->file ? m->file : "-");
		jw_num(w, "line", (double)m->line);
		jw_end(w);
	}
	jw_end(w);
	jw_num(w, "lost_total", fx->lost_total);
	findings_arr(w, js->f, js->nf);
	jw_end(w);
}

/*
 * JSON mode: the joined sign-ins are kept as text (the "joined" array
 * of the document, at its depth) until rep_json_end; NDJSON: a line
 * each.  Called for analyze only.
 */
void rep_json_join(struct rep_json *j, const struct join *jn)
{
	size_t nc, ns;
	join_inputs(jn, &nc, &ns);
	if (!nc || !ns)
		return;
	if (!j->ndjson && !j->joined) {
		jw_init(&j->jn, 1, 1);
		jw_arr(&j->jn, NULL);
		j->joined = 1;
	}
	for (size_t i = 0; i < join_count(jn); i++) {
		if (j->ndjson) {
			struct jw w = { 0 };
			jw_init(&w, 0, 0);
			joined_obj(&w, join_get(jn, i));
			jw_flush(&w, j->out);
			fputc('\n', j->out);
			jw_free(&w);
		} else {
			joined_obj(&j->jn, join_get(jn, i));
		}
	}
}

/* ---- triage records -------------------------------------------------- */

/* One record's text, laid out as rep_json_tri_result's. */
static void tri_put(FILE *out, const char *txt, size_t n, int doc,
		    size_t *count)
{
	if (doc && *count)
		fputs(",\n", out);
	fwrite(txt, 1, n, out);
	if (!doc)
		fputc('\n', out);
	(*count)++;
}

void rep_json_tri_record(FILE *out, cJSON *o, int doc, size_t *count)
{
	char *txt = cJSON_PrintUnformatted(o);
	if (!txt)
		sfb_oom();
	tri_put(out, txt, strlen(txt), doc, count);
	free(txt);
	cJSON_Delete(o);
}

static void tri_file_obj(struct jw *w, const struct tri_result *r,
			 const struct tri_file *f)
{
	const struct walk_item *it = f->item;
	char buf[40];
	jw_obj(w, NULL);
	jw_str(w, "type", "file");
	jw_str(w, "source", it->source);
	jw_str(w, "path", it->path);
	str_or_null(w, "entry", it->entry);
	jw_str(w, "stream", r->name);
	if (it->size >= 0)
		jw_num(w, "size", (double)it->size);
	else
		jw_null(w, "size");
	if (it->mtime > 0) {
		time_t tt = (time_t)it->mtime;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
		jw_str(w, "mtime", buf);
	} else {
		jw_null(w, "mtime");
	}
	jw_str(w, "status", f->problem ? "problem"
		: r->skipped ? "unchanged" : "ok");
	str_or_null(w, "code", walk_problem_name(f->problem));
	str_or_null(w, "reason", f->problem ? f->reason : NULL);
	jw_num(w, "bytes_read", (double)f->bytes);
	if (f->hashed) {
		snprintf(buf, sizeof buf, "%016" PRIx64, f->hash);
		jw_str(w, "hash", buf);
	} else {
		jw_null(w, "hash");
	}
	str_or_null(w, "format", r->ran && r->kind != FMT_AUTO
		    ? fmt_kind_name(r->kind) : NULL);
	jw_end(w);
}

static void tri_finding_obj(struct jw *w, const char *stream,
			    const struct tri_sess *s,
			    const struct finding *f)
{
	jw_obj(w, NULL);
	jw_str(w, "type", "finding");
	jw_str(w, "source", stream);
	if (s) {
		jw_num(w, "session", s->id);
		str_or_null(w, "user", s->user);
	} else {
		jw_null(w, "session");
		str_or_null(w, "user", f->user);
	}
	jw_str(w, "rule", f->rule->id);
	jw_str(w, "severity", sfb_sev_name(f->sev));
	jw_str(w, "step", f->step ? sfb_step_name(f->step) : "general");
	jw_str(w, "title", f->title);
	jw_num(w, "count", (double)f->count);
	jw_time(w, "time", f->nev ? f->ev[0].ts : SFB_TIME_NONE);
	finding_evidence(w, f);
	jw_end(w);
}

static void tri_sess_obj(struct jw *w, const char *stream,
			 const struct tri_sess *s)
{
	jw_obj(w, NULL);
	jw_str(w, "type", "session");
	jw_str(w, "source", stream);
	jw_str(w, "file", s->file ? s->file : "");
	jw_num(w, "line", (double)s->line);
	jw_num(w, "session", s->id);
	str_or_null(w, "user", s->user);
	str_or_null(w, "epid", s->epid);
	jw_time(w, "start", s->start);
	jw_time(w, "end", s->end);
	jw_str(w, "outcome", sess_outcome_name(s->outcome));
	jw_str(w, "outcome_text", s->outcome_text);
	str_or_null(w, "failed_step", s->failed_step
		    ? sfb_step_name(s->failed_step) : NULL);
	jw_str(w, "severity", sfb_sev_name(s->sev));
	jw_arr(w, "rules");
	for (size_t i = 0; i < s->nf; i++)
		jw_str(w, NULL, s->f[i].rule->id);
	jw_end(w);
	const struct finding *top = triage_top(s);
	str_or_null(w, "top_rule", top ? top->rule->id : NULL);
	jw_end(w);
}

/* The record in w, then w emptied for the next one. */
static void tri_flush(FILE *out, struct jw *w, int doc, size_t *count)
{
	tri_put(out, w->b, w->n, doc, count);
	jw_init(w, 0, 0);
}

void rep_json_tri_result(FILE *out, const struct tri_result *r, int doc,
			 size_t *count)
{
	struct jw w = { 0 };
	jw_init(&w, 0, 0);
	for (size_t i = 0; i < r->nfiles; i++) {
		tri_file_obj(&w, r, &r->files[i]);
		tri_flush(out, &w, doc, count);
	}
	for (size_t i = 0; i < r->nsess; i++) {
		const struct tri_sess *s = &r->sess[i];
		tri_sess_obj(&w, r->name, s);
		tri_flush(out, &w, doc, count);
		for (size_t k = 0; k < s->nf; k++) {
			tri_finding_obj(&w, r->name, s, &s->f[k]);
			tri_flush(out, &w, doc, count);
		}
	}
	for (size_t k = 0; k < r->nf; k++) {
		tri_finding_obj(&w, r->name, NULL, &r->f[k]);
		tri_flush(out, &w, doc, count);
	}
	jw_free(&w);
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
