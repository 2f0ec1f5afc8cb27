/* SPDX-License-Identifier: MIT */
/*
 * diff.c -- compare a working sign-in with a failing one (see diff.h):
 * the facts of the two sessions step by step, then their messages
 * walked side by side.  After the session stage; prints nothing.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "rules.h"
#include "sip.h"
#include "sv.h"

/* ---- messages ----------------------------------------------------------- */

static void cpy(char *dst, size_t n, struct sv v)
{
	size_t k = v.n < n - 1 ? v.n : n - 1;
	if (k)
		memcpy(dst, v.p, k);
	dst[k] = '\0';
}

static int has(const char *hay, const char *needle)
{
	return sv_ifind(sv_cstr(hay), needle) >= 0;
}

/* "https://host/p/a?q" or "/p/a?q" -> path "/p/a" (and host if any) */
static void http_target(struct sv uri, char *path, size_t pn, char *host,
			size_t hn)
{
	long q = sv_find_char(uri, '?');
	if (q >= 0)
		uri.n = (size_t)q;
	long s = sv_find(uri, "://");
	if (s >= 0) {
		sv_skip(&uri, (size_t)s + 3);
		long sl = sv_find_char(uri, '/');
		size_t hl = sl >= 0 ? (size_t)sl : uri.n;
		cpy(host, hn, sv_make(uri.p, hl));
		sv_skip(&uri, hl);
	}
	cpy(path, pn, uri);
}

/* "sip:user@host:port;params" -> "host:port" */
static void sip_host(struct sv uri, char *out, size_t n)
{
	long at = sv_find_char(uri, '@');
	if (at >= 0)
		sv_skip(&uri, (size_t)at + 1);
	else if (sv_istarts(uri, "sips:"))
		sv_skip(&uri, 5);
	else if (sv_istarts(uri, "sip:"))
		sv_skip(&uri, 4);
	size_t k = 0;
	while (k < uri.n && uri.p[k] != ';' && uri.p[k] != '?' &&
	       uri.p[k] != '>')
		k++;
	cpy(out, n, sv_make(uri.p, k));
}

/* Append a scheme to a ", " list unless it is there already. */
static void add_scheme(char *list, size_t n, struct sv scheme)
{
	char one[32];
	cpy(one, sizeof one, scheme);
	if (!one[0])
		return;
	struct sv l = sv_cstr(list), item;
	while (l.n) {
		sv_split(&l, ',', &item);
		if (sv_ieq_cstr(sv_trim(item), one))
			return;
	}
	size_t len = strlen(list);
	snprintf(list + len, n - len, "%s%s", len ? ", " : "", one);
}

static void auth_params(struct diff_msg *d, const struct msg *m, int req)
{
	for (size_t i = 0; i < m->nauths; i++) {
		const struct msg_auth *a = &m->auths[i];
		int is_req = a->hdr == MSG_AUTH_AUTHORIZATION ||
			     a->hdr == MSG_AUTH_PROXY_AUTHORIZATION;
		int is_chal = a->hdr == MSG_AUTH_WWW ||
			      a->hdr == MSG_AUTH_PROXY_AUTHENTICATE;
		if (req && is_req && !d->used[0])
			cpy(d->used, sizeof d->used, a->scheme);
		if (!req && is_chal)
			add_scheme(d->offered, sizeof d->offered, a->scheme);
		if (!is_req && !is_chal)
			continue;
		struct sv v;
		if (!d->targetname[0] &&
		    sip_auth_param(a, "targetname", &v))
			cpy(d->targetname, sizeof d->targetname, v);
		if (!d->sts_uri[0] && sip_auth_param(a, "sts-uri", &v))
			cpy(d->sts_uri, sizeof d->sts_uri, v);
	}
}

/*
 * The request an answer belongs to: the last one of its kind in l
 * before index end.  @return its index, or SIZE_MAX
 */
static size_t request_of(const struct diff_msgs *l, size_t end,
			 const struct diff_msg *d)
{
	size_t stop = end > DIFF_WINDOW ? end - DIFF_WINDOW : 0;
	for (size_t i = end; i-- > stop;) {
		const struct diff_msg *r = &l->v[i];
		if (r->kind != MSG_REQUEST || r->proto != d->proto)
			continue;
		if (d->proto == MSG_HTTP ||
		    sv_ieq_cstr(sv_cstr(r->method), d->method))
			return i;
	}
	return SIZE_MAX;
}

void diff_msgs_add(struct diff_msgs *l, const struct msg *m)
{
	if (m->proto == MSG_PROTO_UNKNOWN || m->kind == MSG_KIND_UNKNOWN ||
	    (m->kind == MSG_RESPONSE && m->status < 200))
		return;
	if (l->n >= DIFF_MAX_MSGS) {
		l->dropped++;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = sfb_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct diff_msg *d = &l->v[l->n];
	memset(d, 0, sizeof *d);
	d->proto = m->proto;
	d->kind = m->kind;
	d->file = m->file;
	d->line = m->line_first;
	if (m->kind == MSG_REQUEST) {
		cpy(d->method, sizeof d->method, m->method);
		if (m->proto == MSG_HTTP) {
			http_target(m->uri, d->path, sizeof d->path, d->host,
				    sizeof d->host);
			if (m->host.n)
				cpy(d->host, sizeof d->host, m->host);
		} else {
			sip_host(m->uri, d->host, sizeof d->host);
		}
		auth_params(d, m, 1);
	} else {
		d->status = m->status;
		cpy(d->reason, sizeof d->reason, m->status_reason);
		if (m->proto == MSG_SIP)
			cpy(d->method, sizeof d->method, m->cseq_method);
		size_t ri = request_of(l, l->n, d);
		if (ri != SIZE_MAX) {
			const struct diff_msg *r = &l->v[ri];
			if (m->proto == MSG_HTTP)
				memcpy(d->method, r->method,
				       sizeof d->method);
			memcpy(d->path, r->path, sizeof d->path);
			memcpy(d->host, r->host, sizeof d->host);
		}
		if (m->ndiags) {
			d->diag = m->diags[0].code;
			cpy(d->diag_reason, sizeof d->diag_reason,
			    m->diags[0].reason);
		}
		auth_params(d, m, 0);
		if (m->status >= 300 && m->status < 400)
			cpy(d->contact, sizeof d->contact, m->contact);
	}
	l->n++;
}

void diff_msgs_free(struct diff_msgs *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- the result --------------------------------------------------------- */

static const char *const kind_names[] = {
#define DIFF_X(id, name) name,
	DIFF_KIND_MAP(DIFF_X)
#undef DIFF_X
};

const char *diff_kind_name(enum diff_kind k)
{
	return (unsigned)k < DIFF__COUNT ? kind_names[k] : "?";
}

struct ctx {
	struct diff_result *r;
	size_t pos;
};

/*
 * Add a difference, or count it as a repeat of one with the same kind
 * and subject (and, for ONLY, the same side).
 */
static struct diff_item *add(struct diff_result *r, enum diff_kind k,
			     enum sfb_step st, size_t pos, const char *what,
			     const char *good, const char *bad)
{
	for (size_t i = 0; i < r->n; i++) {
		struct diff_item *it = &r->items[i];
		if (it->kind == k && strcmp(it->what, what) == 0 &&
		    (k != DIFF_ONLY || !it->good[0] == !good[0])) {
			it->repeats++;
			return NULL;
		}
	}
	if (r->n >= DIFF_MAX_ITEMS) {
		r->dropped++;
		return NULL;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->items = sfb_xrealloc(r->items, r->cap * sizeof *r->items);
	}
	struct diff_item *it = &r->items[r->n++];
	memset(it, 0, sizeof *it);
	it->kind = k;
	it->step = st;
	it->pos = pos;
	snprintf(it->what, sizeof it->what, "%s", what);
	snprintf(it->good, sizeof it->good, "%s", good);
	snprintf(it->bad, sizeof it->bad, "%s", bad);
	return it;
}

static void where(struct diff_item *it, const struct diff_msg *g,
		  const struct diff_msg *b)
{
	if (!it)
		return;
	if (g) {
		it->good_file = g->file;
		it->good_line = g->line;
	}
	if (b) {
		it->bad_file = b->file;
		it->bad_line = b->line;
	}
}

/* ---- facts of the sessions ---------------------------------------------- */

static const struct sess_evidence *step_ev(const struct sess_step *st)
{
	for (size_t i = 0; i < st->nev; i++)
		if (st->ev[i].failed)
			return &st->ev[i];
	return st->nev ? &st->ev[0] : NULL;
}

/* A fact that differs when the strings do. */
static struct diff_item *fact(struct diff_result *r, enum diff_kind k,
			      enum sfb_step st, const char *what,
			      const char *g, const char *b)
{
	if (strcmp(g, b) == 0)
		return NULL;
	return add(r, k, st, SIZE_MAX, what, g, b);
}

const char *diff_discovery(const struct sess *s, char *out, size_t outsz)
{
	int lync = 0, auto_ = 0, srv = 0, host = 0;
	for (size_t i = 0; i < s->nhttp; i++) {
		lync |= s->http[i].kind == SESS_HTTP_LYNCDISCOVER;
		auto_ |= s->http[i].kind == SESS_HTTP_AUTODISCOVER;
	}
	const struct sess_step *st = &s->steps[SFB_STEP_DISCOVERY];
	for (size_t i = 0; i < st->nev; i++) {
		const struct sess_evidence *e = &st->ev[i];
		if (e->failed)
			continue;
		if (has(e->text, "type SRV"))
			srv = 1;
		else if (has(e->text, "lyncdiscover") &&
			 !has(e->text, "failed"))
			lync = 1;
		else if (has(e->text, "DNS: query sip") &&
			 !has(e->text, "failed"))
			host = 1;
	}
	snprintf(out, outsz, "%s%s%s%s%s%s%s",
		 lync ? "lyncdiscover" : "",
		 lync && (auto_ || srv || host) ? ", " : "",
		 auto_ ? "autodiscover" : "",
		 auto_ && (srv || host) ? ", " : "",
		 srv ? "DNS SRV" : "", srv && host ? ", " : "",
		 host ? "DNS host name" : "");
	if (!out[0])
		snprintf(out, outsz, "none");
	return out;
}

static const char *http_url(const struct sess *s, enum sess_http_kind k)
{
	for (size_t i = 0; i < s->nhttp; i++)
		if (s->http[i].kind == k)
			return s->http[i].url;
	return "";
}

static void final_answer(const struct sess *s, char *out, size_t n)
{
	if (!s->register_final) {
		snprintf(out, n, "none");
		return;
	}
	int k = snprintf(out, n, "%d %s", s->register_final,
			 s->register_reason);
	if (s->register_diag && k > 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, "; ms-diagnostics %u %s",
			 (unsigned)s->register_diag,
			 s->register_diag_reason);
}

static void facts(struct diff_result *r, const struct sess *g,
		  const struct sess *b)
{
	char x[240], y[240];
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++) {
		const struct sess_step *sg = &g->steps[i], *sb = &b->steps[i];
		if (sg->status == sb->status)
			continue;
		snprintf(x, sizeof x, "%s%s%s", sess_status_name(sg->status),
			 sg->summary[0] ? ": " : "", sg->summary);
		snprintf(y, sizeof y, "%s%s%s", sess_status_name(sb->status),
			 sb->summary[0] ? ": " : "", sb->summary);
		char what[64];
		snprintf(what, sizeof what, "%s step",
			 sfb_step_name((enum sfb_step)i));
		struct diff_item *it = fact(r, DIFF_STEP, (enum sfb_step)i,
					    what, x, y);
		const struct sess_evidence *eg = step_ev(sg);
		const struct sess_evidence *eb = step_ev(sb);
		if (it && eg) {
			it->good_file = eg->file;
			it->good_line = eg->line;
		}
		if (it && eb) {
			it->bad_file = eb->file;
			it->bad_line = eb->line;
		}
	}
	fact(r, DIFF_FACT, SFB_STEP_DISCOVERY, "discovery path",
	     diff_discovery(g, x, sizeof x), diff_discovery(b, y, sizeof y));

	fact(r, DIFF_SERVER, SFB_STEP_CONNECTIVITY, "server reached",
	     g->server, b->server);
	x[0] = y[0] = '\0';
	for (size_t i = 0; i < g->nservers; i++)
		snprintf(x + strlen(x), sizeof x - strlen(x), "%s%s",
			 i ? ", " : "", g->servers_seen[i]);
	for (size_t i = 0; i < b->nservers; i++)
		snprintf(y + strlen(y), sizeof y - strlen(y), "%s%s",
			 i ? ", " : "", b->servers_seen[i]);
	fact(r, DIFF_SERVER, SFB_STEP_CONNECTIVITY, "servers that saw it",
	     x, y);
	fact(r, DIFF_HEADER, SFB_STEP_CONNECTIVITY,
	     "client version (User-Agent)", g->client_version,
	     b->client_version);
	fact(r, DIFF_HEADER, SFB_STEP_CONNECTIVITY,
	     "server version (Server)", g->server_version, b->server_version);

	fact(r, DIFF_AUTH, SFB_STEP_AUTH, "auth offered (WWW-Authenticate)",
	     sess_auth_names(g->auth_offered, x, sizeof x),
	     sess_auth_names(b->auth_offered, y, sizeof y));
	fact(r, DIFF_AUTH, SFB_STEP_AUTH, "auth used (Authorization)",
	     sess_auth_names(g->auth_used, x, sizeof x),
	     sess_auth_names(b->auth_used, y, sizeof y));
	final_answer(g, x, sizeof x);
	final_answer(b, y, sizeof y);
	fact(r, DIFF_FACT, SFB_STEP_AUTH, "final answer to REGISTER", x, y);
	fact(r, DIFF_HEADER, SFB_STEP_AUTH, "web ticket URL",
	     http_url(g, SESS_HTTP_WEBTICKET),
	     http_url(b, SESS_HTTP_WEBTICKET));
	fact(r, DIFF_HEADER, SFB_STEP_AUTH, "CertProv URL",
	     http_url(g, SESS_HTTP_CERTPROV),
	     http_url(b, SESS_HTTP_CERTPROV));

	fact(r, DIFF_HEADER, SFB_STEP_REDIRECT, "redirect target",
	     g->redirect_to, b->redirect_to);
	snprintf(x, sizeof x, "%u", g->nredirects);
	snprintf(y, sizeof y, "%u", b->nredirects);
	fact(r, DIFF_FACT, SFB_STEP_REDIRECT, "redirects", x, y);

	/* each setting, when both sign-ins got that far */
	for (int i = 0; i < SESS_SET__COUNT &&
	     g->steps[SFB_STEP_SETTINGS].status != SESS_NOT_SEEN &&
	     b->steps[SFB_STEP_SETTINGS].status != SESS_NOT_SEEN; i++) {
		const struct sess_setting *sg = &g->settings[i];
		const struct sess_setting *sb = &b->settings[i];
		snprintf(x, sizeof x, "%s", sess_status_name(sg->status));
		snprintf(y, sizeof y, "%s", sess_status_name(sb->status));
		if (sg->code)
			snprintf(x + strlen(x), sizeof x - strlen(x), " (%d)",
				 sg->code);
		if (sb->code)
			snprintf(y + strlen(y), sizeof y - strlen(y), " (%d)",
				 sb->code);
		char what[64];
		snprintf(what, sizeof what, "setting %s",
			 sess_setting_name((enum sess_setting_id)i));
		struct diff_item *it = fact(r, DIFF_FACT, SFB_STEP_SETTINGS,
					    what, x, y);
		if (it) {
			it->good_file = sg->file;
			it->good_line = sg->line;
			it->bad_file = sb->file;
			it->bad_line = sb->line;
		}
	}
}

/* The warnings and errors of one side that the other lacks. */
static void findings(struct diff_result *r, const struct diff_side *a,
		     const struct diff_side *b, int a_good)
{
	for (size_t i = 0; i < a->nf; i++) {
		const struct finding *f = &a->f[i];
		if (f->sev < SFB_SEV_WARNING || !f->rule)
			continue;
		size_t k = 0;
		while (k < b->nf && (!b->f[k].rule ||
		       strcmp(b->f[k].rule->id, f->rule->id) != 0))
			k++;
		if (k < b->nf)
			continue;
		char what[256], v[240];
		snprintf(what, sizeof what, "finding %s", f->rule->id);
		snprintf(v, sizeof v, "%s: %s", sfb_sev_name(f->sev),
			 f->title);
		struct diff_item *it = add(r, DIFF_FINDING, f->step,
					   SIZE_MAX, what, a_good ? v : "",
					   a_good ? "" : v);
		if (it && f->nev) {
			*(a_good ? &it->good_file : &it->bad_file) =
				f->ev[0].file;
			*(a_good ? &it->good_line : &it->bad_line) =
				f->ev[0].line;
		}
	}
}

/* ---- the message walk --------------------------------------------------- */

/* The web service of an HTTP path: its first segment ("/WebTicket"). */
static struct sv service(const char *path)
{
	struct sv p = sv_cstr(path);
	size_t k = p.n && p.p[0] == '/' ? 1 : 0;
	while (k < p.n && p.p[k] != '/')
		k++;
	return sv_make(p.p, k);
}

/* Messages that align: kind, method and (HTTP) web service. */
static int same_key(const struct diff_msg *a, const struct diff_msg *b)
{
	return a->proto == b->proto && a->kind == b->kind &&
	       sv_ieq_cstr(sv_cstr(a->method), b->method) &&
	       (a->proto != MSG_HTTP ||
		sv_ieq(service(a->path), service(b->path)));
}

static enum sfb_step msg_step(const struct diff_msg *d)
{
	if (d->proto == MSG_HTTP)
		return has(d->path, "autodiscover") ||
		       has(d->host, "lyncdiscover")
		       ? SFB_STEP_DISCOVERY : SFB_STEP_AUTH;
	if (!sv_ieq_cstr(sv_cstr(d->method), "REGISTER"))
		return SFB_STEP_SETTINGS;
	if (d->status >= 300 && d->status < 400)
		return SFB_STEP_REDIRECT;
	if (d->status >= 500 || d->status == 408 || d->status == 480)
		return SFB_STEP_CONNECTIVITY;
	return SFB_STEP_AUTH;
}

/* "REGISTER sip:contoso.com", "GET /WebTicket/WebTicketService.svc" */
static void subject(const struct diff_msg *d, char *out, size_t n)
{
	if (d->proto == MSG_HTTP)
		snprintf(out, n, "%s %s%s", d->method,
			 d->path[0] ? "" : d->host, d->path);
	else
		snprintf(out, n, "%s %s", d->method[0] ? d->method : "?",
			 d->host);
}

static void answer_text(const struct diff_msg *d, char *out, size_t n)
{
	int k = snprintf(out, n, "%d %s", d->status, d->reason);
	if (d->diag && k > 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, "; ms-diagnostics %u %s",
			 (unsigned)d->diag, d->diag_reason);
}

static void pair(struct ctx *c, const struct diff_msg *g,
		 const struct diff_msg *b)
{
	char subj[232], what[256], x[240], y[240];
	enum sfb_step st = msg_step(g);
	subject(g, subj, sizeof subj);
	if (g->kind == MSG_REQUEST) {
		if (strcmp(g->host, b->host) != 0) {
			snprintf(what, sizeof what, "server of %s", g->method);
			where(add(c->r, DIFF_SERVER, st, c->pos, what,
				  g->host, b->host), g, b);
		}
		if (strcmp(g->path, b->path) != 0) {
			snprintf(what, sizeof what, "URL of %s", subj);
			where(add(c->r, DIFF_HEADER, st, c->pos, what,
				  g->path, b->path), g, b);
		}
		if (strcmp(g->targetname, b->targetname) != 0) {
			where(add(c->r, DIFF_HEADER, st, c->pos,
				  "auth targetname (Authorization)",
				  g->targetname, b->targetname), g, b);
		}
		return;
	}
	if (g->status != b->status || g->diag != b->diag) {
		answer_text(g, x, sizeof x);
		answer_text(b, y, sizeof y);
		snprintf(what, sizeof what, "answer to %s", subj);
		where(add(c->r, DIFF_ANSWER, st, c->pos, what, x, y), g, b);
	}
	static const struct {
		size_t off;
		const char *name;
	} hdrs[] = {
		{ offsetof(struct diff_msg, targetname),
		  "auth targetname (WWW-Authenticate)" },
		{ offsetof(struct diff_msg, sts_uri),
		  "sts-uri (WWW-Authenticate)" },
		{ offsetof(struct diff_msg, contact),
		  "redirect target (Contact of the 3xx)" },
	};
	for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
		const char *vg = (const char *)g + hdrs[i].off;
		const char *vb = (const char *)b + hdrs[i].off;
		if (strcmp(vg, vb) == 0)
			continue;
		where(add(c->r, DIFF_HEADER, st, c->pos, hdrs[i].name, vg,
			  vb), g, b);
	}
}

/* A message of one side with no match on the other. */
static void only(struct ctx *c, const struct diff_msgs *l, size_t i,
		 const unsigned char *matched, int good)
{
	const struct diff_msg *d = &l->v[i];
	char subj[232], what[256], x[240];
	if (d->kind == MSG_RESPONSE) {
		/* an unmatched request already says it */
		size_t ri = request_of(l, i, d);
		if (ri != SIZE_MAX && !matched[ri])
			return;
		subject(d, subj, sizeof subj);
		snprintf(what, sizeof what, "answer to %s", subj);
		answer_text(d, x, sizeof x);
	} else {
		subject(d, subj, sizeof subj);
		snprintf(what, sizeof what, "%s", subj);
		snprintf(x, sizeof x, "sent");
	}
	struct diff_item *it = add(c->r, DIFF_ONLY, msg_step(d), c->pos, what,
				   good ? x : "", good ? "" : x);
	where(it, good ? d : NULL, good ? NULL : d);
}

/* How far ahead in l (from i) a match of d is; SIZE_MAX none. */
static size_t ahead(const struct diff_msgs *l, size_t i,
		    const struct diff_msg *d)
{
	for (size_t k = 1; k <= DIFF_WINDOW && i + k < l->n; k++)
		if (same_key(&l->v[i + k], d))
			return k;
	return SIZE_MAX;
}

static void walk(struct ctx *c, const struct diff_msgs *a,
		 const struct diff_msgs *b)
{
	unsigned char *ma = sfb_xcalloc(a->n + 1, 1);
	unsigned char *mb = sfb_xcalloc(b->n + 1, 1);
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && same_key(&a->v[i], &b->v[j])) {
			ma[i] = mb[j] = 1;
			pair(c, &a->v[i++], &b->v[j++]);
			c->r->aligned++;
			c->pos++;
			continue;
		}
		size_t ka = j < b->n && i < a->n ? ahead(a, i, &b->v[j])
						 : SIZE_MAX;
		size_t kb = i < a->n && j < b->n ? ahead(b, j, &a->v[i])
						 : SIZE_MAX;
		size_t na = 0, nb = 0;
		if (j >= b->n)
			na = 1;
		else if (i >= a->n)
			nb = 1;
		else if (ka != SIZE_MAX && ka <= kb)
			na = ka;
		else if (kb != SIZE_MAX)
			nb = kb;
		else
			na = nb = 1;
		for (size_t k = 0; k < na; k++, i++) {
			only(c, a, i, ma, 1);
			c->r->good_only++;
			c->pos++;
		}
		for (size_t k = 0; k < nb; k++, j++) {
			only(c, b, j, mb, 0);
			c->r->bad_only++;
			c->pos++;
		}
	}
	free(ma);
	free(mb);
}

/* ---- the whole comparison ----------------------------------------------- */

static int before(const struct diff_item *x, const struct diff_item *y)
{
	if (x->step != y->step)
		return x->step < y->step;
	return x->pos < y->pos;
}

static int on_path(enum diff_kind k)
{
	return k == DIFF_STEP || k == DIFF_SERVER || k == DIFF_AUTH ||
	       k == DIFF_ANSWER || k == DIFF_ONLY;
}

size_t diff_compare(const struct diff_side *good,
		    const struct diff_side *bad, struct diff_result *out)
{
	struct ctx c = { out, 0 };
	facts(out, good->s, bad->s);
	findings(out, good, bad, 1);
	findings(out, bad, good, 0);
	static const struct diff_msgs none = { 0 };
	walk(&c, good->m ? good->m : &none, bad->m ? bad->m : &none);
	/* by step, the message walk before the facts (stable) */
	for (size_t i = 1; i < out->n; i++) {
		struct diff_item t = out->items[i];
		size_t k = i;
		while (k > 0 && before(&t, &out->items[k - 1])) {
			out->items[k] = out->items[k - 1];
			k--;
		}
		out->items[k] = t;
	}
	out->first = out->n;
	for (size_t i = 0; i < out->n && out->first == out->n; i++)
		if (on_path(out->items[i].kind))
			out->first = i;
	if (out->first == out->n && out->n)
		out->first = 0;
	return out->n;
}

void diff_result_free(struct diff_result *r)
{
	free(r->items);
	memset(r, 0, sizeof *r);
}
