/* SPDX-License-Identifier: MIT */
/*
 * join.c -- stage 5b (engine.h): the sign-ins of client logs joined
 * with those of server traces (see join.h).  Per stream it keeps a
 * digest of each open sign-in's messages, decides at the sign-in's
 * close whether it can ever match, and after the last stream matches,
 * estimates the client's clock offset (median of the differences of
 * the messages both logs hold), lists what was lost between hops and
 * runs the join-scope rules on the joint facts.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "field.h"
#include "join.h"
#include "role.h"
#include "rules.h"
#include "sv.h"

#define NBUCKETS 256
#define KEYS_CAP (2 * JOIN_MAX_CLIENT * JOIN_MAX_MSGS)  /* power of 2 */
#define HALF_HOUR_MS (1800LL * 1000)

struct acc {                    /* an open sign-in of the stream */
	unsigned id;
	struct join_side *side;
	struct acc *next;
};

struct stream {
	const char *name;       /* borrowed */
	int client;             /* a client log (its messages say so) */
	int64_t first, last;    /* log time range of its messages */
};

struct join {
	struct stream streams[JOIN_MAX_STREAMS];
	size_t nstreams;
	int in_stream;          /* between join_begin and join_end */
	uint64_t skipped_streams;
	struct acc *buckets[NBUCKETS];
	struct join_side **sides;       /* owned: kept sign-ins */
	size_t nsides, capsides;
	size_t nclient, nserver;
	uint64_t dropped;
	uint64_t *keys;         /* owned: client (Call-ID, CSeq) keys */
	size_t nkeys;
	struct join_signin *out;        /* owned */
	size_t nout;
	enum sfb_sev worst;
};

/* ---- keys -------------------------------------------------------------- */

static uint64_t hash_sv(struct sv s)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < s.n; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

static uint64_t key_of(const struct join_msg *m)
{
	uint64_t k = m->cid * 31u + m->cseq;
	return k ? k : 1;
}

static void keys_add(struct join *j, uint64_t k)
{
	if (!j->keys)
		j->keys = sfb_xcalloc(KEYS_CAP, sizeof *j->keys);
	if (j->nkeys >= KEYS_CAP / 2)
		return;         /* cannot happen: capped by the sides */
	size_t i = (size_t)(k & (KEYS_CAP - 1));
	while (j->keys[i] && j->keys[i] != k)
		i = (i + 1) & (KEYS_CAP - 1);
	if (!j->keys[i]) {
		j->keys[i] = k;
		j->nkeys++;
	}
}

static int keys_has(const struct join *j, uint64_t k)
{
	if (!j->keys)
		return 0;
	size_t i = (size_t)(k & (KEYS_CAP - 1));
	while (j->keys[i]) {
		if (j->keys[i] == k)
			return 1;
		i = (i + 1) & (KEYS_CAP - 1);
	}
	return 0;
}

/* ---- feeding ----------------------------------------------------------- */

struct join *join_new(void)
{
	return sfb_xcalloc(1, sizeof(struct join));
}

void join_begin(struct join *j, const char *name)
{
	j->in_stream = 0;
	if (j->nstreams >= JOIN_MAX_STREAMS) {
		j->skipped_streams++;
		return;
	}
	struct stream *st = &j->streams[j->nstreams++];
	memset(st, 0, sizeof *st);
	st->name = name;
	st->first = st->last = SFB_TIME_NONE;
	j->in_stream = 1;
}

static struct stream *cur(struct join *j)
{
	return j->in_stream ? &j->streams[j->nstreams - 1] : NULL;
}

static void side_free(struct join_side *s)
{
	if (!s)
		return;
	free(s->sess);
	free(s->m);
	free(s);
}

static struct join_side *acc_get(struct join *j, unsigned id, int make)
{
	struct acc **b = &j->buckets[id % NBUCKETS];
	for (struct acc *a = *b; a; a = a->next)
		if (a->id == id)
			return a->side;
	if (!make)
		return NULL;
	struct acc *a = sfb_xcalloc(1, sizeof *a);
	a->id = id;
	a->side = sfb_xcalloc(1, sizeof *a->side);
	a->side->id = id;
	a->side->stream = j->nstreams - 1;
	a->next = *b;
	*b = a;
	return a->side;
}

/* Take the side of id out of the open table (NULL if none). */
static struct join_side *acc_take(struct join *j, unsigned id)
{
	for (struct acc **p = &j->buckets[id % NBUCKETS]; *p;
	     p = &(*p)->next) {
		if ((*p)->id != id)
			continue;
		struct acc *a = *p;
		struct join_side *s = a->side;
		*p = a->next;
		free(a);
		return s;
	}
	return NULL;
}

static void digest(struct join_msg *d, const struct msg *m)
{
	memset(d, 0, sizeof *d);
	d->cid = m->call_id.n ? hash_sv(m->call_id) : 0;
	d->cseq = m->cseq;
	d->request = m->kind == MSG_REQUEST;
	d->http = m->proto == MSG_HTTP;
	d->status = m->status;
	sv_copy(d->method, sizeof d->method,
		d->request ? m->method : m->cseq_method);
	if (d->request) {
		struct sv u = m->uri;
		long q = sv_find_char(u, '?');
		if (q >= 0)
			u.n = (size_t)q;
		if (d->http)
			snprintf(d->label, sizeof d->label, "%.*s %.*s",
				 (int)(m->method.n > 10 ? 10 : m->method.n),
				 m->method.p, (int)(u.n > 48 ? 48 : u.n),
				 u.p);
		else
			sv_copy(d->label, sizeof d->label, m->method);
	} else {
		snprintf(d->label, sizeof d->label, "%d %.*s", m->status,
			 (int)(m->status_reason.n > 48 ? 48
			 : m->status_reason.n), m->status_reason.p);
	}
	d->ts = m->ts;
	d->dir = m->dir;
	if (m->server_trace) {
		const char *bs = strrchr(m->server, '\\');
		snprintf(d->server, sizeof d->server, "%.47s",
			 bs && bs[1] ? bs + 1 : m->server[0] ? m->server
			 : "server");
		d->role_ev = role_name_evidence(sv_cstr(m->server));
		d->role_ev |= m->dir == DIR_OUT ? role_sender_evidence(m)
			    : m->dir == DIR_IN ? role_receiver_evidence(m)
			    : 0;
		/* a server that takes REGISTERs and is no Edge or
		 * Director (stronger evidence wins) is the registrar */
		if (m->proto == MSG_SIP && sv_ieq_cstr(m->kind == MSG_REQUEST
		    ? m->method : m->cseq_method, "REGISTER") &&
		    (m->dir == DIR_IN) == (m->kind == MSG_REQUEST))
			d->role_ev |= ROLE_EV_REGISTRAR;
	} else {
		d->role_ev = ROLE_EV_CLIENT;
	}
	snprintf(d->peer, sizeof d->peer, "%s", m->remote);
	d->file = m->file;
	d->line = m->line_first;
	if (m->ndiags) {
		const struct msg_diag *g = &m->diags[0];
		d->diag = g->code;
		d->xms = g->hdr == MSG_DIAG_X_MS;
		sv_copy(d->diag_reason, sizeof d->diag_reason, g->reason);
	}
}

void join_msg(struct join *j, const struct msg *m, unsigned session)
{
	struct stream *st = cur(j);
	if (!st)
		return;
	if (!m->server_trace)
		st->client = 1;
	/* the time the file covers: every message, in a sign-in or not */
	if (m->ts != SFB_TIME_NONE) {
		if (st->first == SFB_TIME_NONE || m->ts < st->first)
			st->first = m->ts;
		if (st->last == SFB_TIME_NONE || m->ts > st->last)
			st->last = m->ts;
	}
	if (!session || (m->proto != MSG_SIP && m->proto != MSG_HTTP))
		return;
	struct join_side *s = acc_get(j, session, 1);
	s->nm_total++;
	if (s->nm >= JOIN_MAX_MSGS)
		return;
	if (!s->m)
		s->m = sfb_xcalloc(JOIN_MAX_MSGS, sizeof *s->m);
	digest(&s->m[s->nm++], m);
}

/* Could a server side match a client side read so far? */
static int can_match(const struct join *j, const struct join_side *s)
{
	for (size_t i = 0; i < s->nm; i++)
		if (s->m[i].cid && keys_has(j, key_of(&s->m[i])))
			return 1;
	for (size_t i = 0; i < j->nsides; i++) {
		const struct join_side *c = j->sides[i];
		if (!c->client)
			continue;
		if ((s->epid[0] && !strcmp(s->epid, c->epid)) ||
		    (s->user[0] && !strcmp(s->user, c->user)))
			return 1;
	}
	return 0;
}

static void keep(struct join *j, struct join_side *s)
{
	if (j->nsides == j->capsides) {
		j->capsides = j->capsides ? 2 * j->capsides : 16;
		j->sides = sfb_xrealloc(j->sides,
					j->capsides * sizeof *j->sides);
	}
	j->sides[j->nsides++] = s;
}

void join_session(struct join *j, const struct sess *ss,
		  const struct finding *f, size_t nf)
{
	struct stream *st = cur(j);
	if (!st)
		return;
	struct join_side *s = acc_take(j, ss->id);
	if (!s) {
		s = sfb_xcalloc(1, sizeof *s);
		s->id = ss->id;
		s->stream = j->nstreams - 1;
	}
	s->client = ss->client_log;
	if (s->client)
		st->client = 1;
	snprintf(s->user, sizeof s->user, "%s", ss->user);
	snprintf(s->epid, sizeof s->epid, "%s", ss->epid);
	s->file = ss->file;
	s->first_line = ss->first_line;
	s->start = ss->start;
	s->end = ss->end;
	s->outcome = ss->outcome;
	snprintf(s->outcome_text, sizeof s->outcome_text, "%.159s",
		 ss->outcome_text);
	for (size_t i = 0; i < nf && s->nf < JOIN_MAX_FINDINGS; i++) {
		struct join_find *x = &s->f[s->nf++];
		snprintf(x->rule, sizeof x->rule, "%s", f[i].rule->id);
		x->sev = f[i].sev;
		snprintf(x->title, sizeof x->title, "%s", f[i].title);
		x->file = f[i].nev ? f[i].ev[0].file : ss->file;
		x->line = f[i].nev ? f[i].ev[0].line : ss->first_line;
	}
	if (s->client) {
		if (j->nclient >= JOIN_MAX_CLIENT) {
			j->dropped++;
			side_free(s);
			return;
		}
		s->sess = sfb_xmalloc(sizeof *s->sess);
		*s->sess = *ss;
		s->sess->props = NULL;  /* owned by the builder */
		s->sess->nprops = 0;
		for (size_t i = 0; i < s->nm; i++)
			if (s->m[i].cid)
				keys_add(j, key_of(&s->m[i]));
		j->nclient++;
		keep(j, s);
		return;
	}
	if (j->nclient && !can_match(j, s)) {
		side_free(s);   /* cannot join: not kept, not a loss */
		return;
	}
	if (j->nserver >= JOIN_MAX_SERVER) {
		j->dropped++;
		side_free(s);
		return;
	}
	j->nserver++;
	keep(j, s);
}

void join_end(struct join *j)
{
	/* sign-ins left open (the engine flushes them all): drop */
	for (size_t b = 0; b < NBUCKETS; b++) {
		while (j->buckets[b]) {
			struct acc *a = j->buckets[b];
			j->buckets[b] = a->next;
			side_free(a->side);
			free(a);
		}
	}
	j->in_stream = 0;
}

/* ---- matching ---------------------------------------------------------- */

static int shares_key(const struct join_side *a, const struct join_side *b)
{
	for (size_t i = 0; i < a->nm; i++) {
		if (!a->m[i].cid)
			continue;
		for (size_t k = 0; k < b->nm; k++)
			if (b->m[k].cid == a->m[i].cid &&
			    b->m[k].cseq == a->m[i].cseq)
				return 1;
	}
	return 0;
}

static int64_t absdiff(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

static enum join_by match_of(const struct join_side *c,
			     const struct join_side *s)
{
	/*
	 * Never two users, never two days: a Call-ID is unique only where
	 * it was made, and an endpoint signs in many times.
	 */
	if ((c->user[0] && s->user[0] && strcmp(c->user, s->user)) ||
	    c->start == SFB_TIME_NONE || s->start == SFB_TIME_NONE ||
	    absdiff(c->start, s->start) >= JOIN_USER_WINDOW_MS)
		return JOIN_BY_NONE;
	if (shares_key(c, s))
		return JOIN_BY_CALLID;
	if (c->epid[0] && !strcmp(c->epid, s->epid))
		return JOIN_BY_EPID;
	if (c->user[0] && !strcmp(c->user, s->user))
		return JOIN_BY_USER;
	return JOIN_BY_NONE;
}

/* Same message: Call-ID, CSeq, request or response, status, method. */
static int same_msg(const struct join_msg *a, const struct join_msg *b)
{
	return a->cid && a->cid == b->cid && a->cseq == b->cseq &&
	       a->request == b->request && a->status == b->status &&
	       !strcmp(a->method, b->method);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/*
 * The server copy of client message c: for what the client sent, the
 * first server to log it; for what it received, the last.
 */
static const struct join_msg *server_copy(const struct join_signin *js,
					  const struct join_msg *c)
{
	const struct join_msg *best = NULL;
	for (size_t k = 0; k < js->nserver; k++) {
		const struct join_side *s = js->server[k];
		for (size_t i = 0; i < s->nm; i++) {
			const struct join_msg *x = &s->m[i];
			if (!same_msg(c, x) || x->ts == SFB_TIME_NONE)
				continue;
			if (!best || (c->dir == DIR_IN ? x->ts > best->ts
						       : x->ts < best->ts))
				best = x;
		}
	}
	return best;
}

static void clock_facts(struct join_signin *js)
{
	struct join_facts *fx = &js->facts;
	const struct join_side *c = js->client;
	int64_t d[JOIN_MAX_MSGS];
	size_t n = 0;
	for (size_t i = 0; i < c->nm; i++) {
		const struct join_msg *m = &c->m[i];
		if (!m->cid || m->ts == SFB_TIME_NONE)
			continue;
		const struct join_msg *x = server_copy(js, m);
		if (!x)
			continue;
		if (!fx->pair_client) {
			fx->pair_client = m;
			fx->pair_server = x;
		}
		d[n++] = m->ts - x->ts;
	}
	fx->nmatched = (unsigned)n;
	if (!n)
		return;
	qsort(d, n, sizeof d[0], cmp_i64);
	fx->have_offset = 1;
	fx->offset_ms = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	fx->spread_ms = d[n - 1] - d[0];
	int64_t zones = fx->offset_ms >= 0
		? (fx->offset_ms + HALF_HOUR_MS / 2) / HALF_HOUR_MS
		: -((-fx->offset_ms + HALF_HOUR_MS / 2) / HALF_HOUR_MS);
	fx->skew_ms = fx->offset_ms - zones * HALF_HOUR_MS;
}

static int in_range(const struct stream *st, int64_t t)
{
	return st->first != SFB_TIME_NONE && t >= st->first &&
	       t <= st->last;
}

static void add_lost(struct join_facts *fx, const struct join_msg *m,
		     int to_client)
{
	for (size_t i = 0; i < fx->nlost; i++)
		if (same_msg(fx->lost[i].m, m) &&
		    fx->lost[i].to_client == to_client)
			return;         /* one per message, not per hop */
	fx->lost_total++;
	if (fx->nlost < JOIN_MAX_LOST) {
		fx->lost[fx->nlost].m = m;
		fx->lost[fx->nlost++].to_client = to_client;
	}
}

static void lost_facts(const struct join *j, struct join_signin *js)
{
	struct join_facts *fx = &js->facts;
	const struct join_side *c = js->client;
	if (!fx->have_offset)
		return;         /* no common clock: cannot say */
	for (size_t i = 0; i < c->nm; i++) {
		const struct join_msg *m = &c->m[i];
		if (!m->cid || m->http || m->dir != DIR_OUT ||
		    m->ts == SFB_TIME_NONE || server_copy(js, m))
			continue;
		int64_t t = m->ts - fx->offset_ms;
		for (size_t k = 0; k < js->nserver; k++)
			if (in_range(&j->streams[js->server[k]->stream], t)) {
				add_lost(fx, m, 0);
				break;
			}
	}
	const struct stream *cst = &j->streams[c->stream];
	for (size_t k = 0; k < js->nserver; k++) {
		const struct join_side *s = js->server[k];
		for (size_t i = 0; i < s->nm; i++) {
			const struct join_msg *m = &s->m[i];
			int seen = 0;
			if (!m->cid || m->http || m->dir != DIR_OUT ||
			    m->request || m->ts == SFB_TIME_NONE ||
			    !in_range(cst, m->ts + fx->offset_ms))
				continue;
			for (size_t x = 0; x < c->nm && !seen; x++)
				seen = same_msg(&c->m[x], m);
			if (!seen)
				add_lost(fx, m, 1);
		}
	}
}

/* @return 1 when name is one of the ", "-separated names of list */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0)
			return 1;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

static void server_facts(struct join_signin *js)
{
	struct join_facts *fx = &js->facts;
	size_t off = 0;
	fx->server_outcome = SESS_INCOMPLETE;
	for (size_t k = 0; k < js->nserver; k++) {
		const struct join_side *s = js->server[k];
		if (s->outcome == SESS_FAILED_OUT)
			fx->server_outcome = SESS_FAILED_OUT;
		else if (s->outcome == SESS_SIGNED_IN &&
			 fx->server_outcome != SESS_FAILED_OUT)
			fx->server_outcome = SESS_SIGNED_IN;
		for (size_t i = 0; i < s->nm; i++) {
			const struct join_msg *m = &s->m[i];
			if (m->server[0] && !in_list(fx->servers, m->server) &&
			    off + strlen(m->server) + 3 < sizeof fx->servers)
				off += (size_t)snprintf(fx->servers + off,
					sizeof fx->servers - off, "%s%s",
					off ? ", " : "", m->server);
			if (m->request || !m->diag)
				continue;
			if (m->xms) {
				if (!fx->xcause || m->ts < fx->xcause->ts)
					fx->xcause = m;
			} else if (m->status >= 400 &&
				   (!fx->cause || m->ts < fx->cause->ts)) {
				fx->cause = m;
			}
		}
	}
	const struct join_msg *why = fx->xcause ? fx->xcause : fx->cause;
	const struct join_side *c = js->client;
	for (size_t i = 0; why && i < c->nm; i++)
		if (c->m[i].diag == why->diag)
			fx->client_saw_cause = 1;
}

/* ---- join-scope rules --------------------------------------------------- */

static void ev_add(struct finding *f, const char *file, unsigned long line,
		   int64_t ts, const char *text)
{
	f->evidence_total++;
	if (f->nev >= FINDING_MAX_EVIDENCE)
		return;
	struct finding_evidence *x = &f->ev[f->nev++];
	x->file = file;
	x->line = line;
	x->ts = ts;
	snprintf(x->text, sizeof x->text, "%s", text);
}

static void ev_msg(struct finding *f, const struct join_msg *m,
		   const char *who)
{
	char t[200];
	int ans = !m->request && m->method[0];
	if (m->diag)
		snprintf(t, sizeof t, "%.30s: %.20s%s%.50s: %s %" PRIu32
			 " %.40s", who, ans ? m->method : "",
			 ans ? " answered " : "", m->label,
			 m->xms ? "X-Ms-diagnostics" : "ms-diagnostics",
			 m->diag, m->diag_reason);
	else
		snprintf(t, sizeof t, "%.40s: %s %.60s (CSeq %" PRIu32
			 "%s%.20s)",
			 who, m->dir == DIR_OUT ? "sent" : "received",
			 m->label, m->cseq, m->request ? "" : " ",
			 m->request ? "" : m->method);
	ev_add(f, m->file, m->line, m->ts, t);
}

static void judge(struct join_signin *js, const struct rules *rs,
		  struct expr_scratch *scr)
{
	const struct join_side *c = js->client;
	const struct join_facts *fx = &js->facts;
	struct field_item it;
	memset(&it, 0, sizeof it);
	it.scope = EXPR_SCOPE_JOIN;
	it.sess = c->sess;
	it.join = fx;
	it.session_id = c->id;
	struct expr_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.get = field_get;
	ctx.ud = &it;
	ctx.scratch = scr;
	for (size_t i = 0; rs && i < rules_count(rs); i++) {
		const struct rules_rule *r = rules_get(rs, i);
		if (!r->enabled || r->scope != EXPR_SCOPE_JOIN ||
		    !expr_eval(r->cond, &ctx))
			continue;
		js->f = sfb_xrealloc(js->f, (js->nf + 1) * sizeof *js->f);
		struct finding *f = &js->f[js->nf++];
		memset(f, 0, sizeof *f);
		f->rule = r;
		f->sev = r->sev;
		f->step = r->step;
		f->session = c->id;
		f->count = 1;
		snprintf(f->user, sizeof f->user, "%s", c->user);
		snprintf(f->epid, sizeof f->epid, "%s", c->epid);
		expr_tmpl_render(r->title, &ctx, f->title, sizeof f->title);
		expr_tmpl_render(r->explanation, &ctx, f->explanation,
				 sizeof f->explanation);
		expr_tmpl_render(r->remediation, &ctx, f->remediation,
				 sizeof f->remediation);
		/*
		 * The server's evidence first, the client's beside it; what
		 * the condition reads decides which: the clock (a matched
		 * pair), lost messages, else the server's diagnostic.
		 */
		const struct join_msg *why = fx->xcause ? fx->xcause
							: fx->cause;
		int clock = strstr(r->cond_src, "join.clock") != NULL;
		int lost = strstr(r->cond_src, "join.lost") != NULL;
		if (clock || lost)
			why = NULL;
		if (r->output) {
			char t[200];
			const struct join_msg *at = why ? why
				: lost && fx->nlost ? fx->lost[0].m
				: fx->pair_server;
			expr_tmpl_render(r->output, &ctx, t, sizeof t);
			if (at)
				ev_add(f, at->file, at->line, at->ts, t);
			else
				ev_add(f, c->file, c->first_line, c->start,
				       t);
		}
		if (lost) {
			for (size_t k = 0; k < fx->nlost; k++)
				ev_msg(f, fx->lost[k].m,
				       fx->lost[k].to_client
				       ? fx->lost[k].m->server : "client");
		} else if (why && !r->output) {
			ev_msg(f, why, why->server);
		} else if (!why && fx->pair_client) {
			ev_msg(f, fx->pair_server, fx->pair_server->server);
			ev_msg(f, fx->pair_client, "client");
		}
		const struct sess_step *st = r->step > SFB_STEP_NONE &&
			r->step < SFB_STEP__COUNT ? &c->sess->steps[r->step]
			: NULL;
		for (int pass = 0; st && pass < 2; pass++)
			for (size_t k = 0; k < st->nev; k++)
				if (st->ev[k].failed == !pass)
					ev_add(f, st->ev[k].file,
					       st->ev[k].line, st->ev[k].ts,
					       st->ev[k].text);
		if (!st || !st->nev)
			ev_add(f, c->file, c->first_line, c->start,
			       c->outcome_text);
	}
}

static int side_start_cmp(const void *x, const void *y)
{
	const struct join_side *a = *(const struct join_side *const *)x;
	const struct join_side *b = *(const struct join_side *const *)y;
	if (a->stream != b->stream)
		return a->stream < b->stream ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

void join_finish(struct join *j, const struct rules *rs)
{
	if (j->nout)
		return;
	qsort(j->sides, j->nsides, sizeof *j->sides, side_start_cmp);
	j->out = sfb_xcalloc(j->nclient ? j->nclient : 1, sizeof *j->out);
	/* each server sign-in goes to the client sign-in it fits best */
	size_t *best = sfb_xcalloc(j->nsides ? j->nsides : 1, sizeof *best);
	enum join_by *by = sfb_xcalloc(j->nsides ? j->nsides : 1,
				       sizeof *by);
	for (size_t i = 0; i < j->nsides; i++) {
		const struct join_side *s = j->sides[i];
		if (s->client)
			continue;
		for (size_t k = 0; k < j->nsides; k++) {
			const struct join_side *c = j->sides[k];
			if (!c->client || c->stream == s->stream)
				continue;
			enum join_by b = match_of(c, s);
			if (b > by[i] || (b && b == by[i] &&
			    absdiff(c->start, s->start) <
			    absdiff(j->sides[best[i]]->start, s->start))) {
				by[i] = b;
				best[i] = k;
			}
		}
	}
	struct expr_scratch *scr = rs ? expr_scratch_new() : NULL;
	for (size_t k = 0; k < j->nsides; k++) {
		struct join_side *c = j->sides[k];
		if (!c->client)
			continue;
		struct join_signin *js = &j->out[j->nout];
		memset(js, 0, sizeof *js);
		js->client = c;
		for (size_t i = 0; i < j->nsides; i++) {
			if (j->sides[i]->client || !by[i] || best[i] != k ||
			    js->nserver >= JOIN_MAX_SIDES)
				continue;
			/* the strongest tier wins: Call-ID over epid ... */
			if (by[i] < js->facts.by && js->facts.by)
				continue;
			if (by[i] > js->facts.by)
				js->nserver = 0;
			js->facts.by = by[i];
			js->server[js->nserver++] = j->sides[i];
			j->sides[i]->joined = 1;
		}
		if (!js->nserver)
			continue;
		j->nout++;
		server_facts(js);
		clock_facts(js);
		lost_facts(j, js);
		judge(js, rs, scr);
		for (size_t i = 0; i < js->nf; i++)
			if (js->f[i].sev > j->worst)
				j->worst = js->f[i].sev;
	}
	expr_scratch_free(scr);
	free(best);
	free(by);
}

/* ---- results ------------------------------------------------------------ */

size_t join_count(const struct join *j)
{
	return j->nout;
}

const struct join_signin *join_get(const struct join *j, size_t i)
{
	return i < j->nout ? &j->out[i] : NULL;
}

void join_inputs(const struct join *j, size_t *clients, size_t *servers)
{
	*clients = *servers = 0;
	for (size_t i = 0; i < j->nstreams; i++) {
		if (j->streams[i].client)
			++*clients;
		else if (j->streams[i].first != SFB_TIME_NONE)
			++*servers;
	}
}

uint64_t join_dropped(const struct join *j)
{
	return j->dropped;
}

enum sfb_sev join_worst(const struct join *j)
{
	return j->worst;
}

const char *join_by_name(enum join_by b)
{
	switch (b) {
	case JOIN_BY_CALLID: return "Call-ID and CSeq";
	case JOIN_BY_EPID: return "endpoint id (epid)";
	case JOIN_BY_USER: return "user and time";
	case JOIN_BY_NONE: break;
	}
	return "nothing";
}

const char *join_fmt_offset(int64_t ms, char *out, size_t n)
{
	uint64_t a = ms < 0 ? (uint64_t)-ms : (uint64_t)ms;
	snprintf(out, n, "%c%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		 ".%03" PRIu64, ms < 0 ? '-' : '+', a / 3600000,
		 a / 60000 % 60, a / 1000 % 60, a % 1000);
	return out;
}

int join_party_role(const struct join_signin *js, const char *srv)
{
	unsigned ev = 0;
	if (!srv[0])
		return ROLE_CLIENT;
	for (size_t k = 0; k < js->nserver; k++)
		for (size_t i = 0; i < js->server[k]->nm; i++)
			if (!strcmp(js->server[k]->m[i].server, srv))
				ev |= js->server[k]->m[i].role_ev;
	ev &= ~(unsigned)ROLE_EV_CLIENT;
	return (int)role_decide(ev, ROLE_SERVER);
}

void join_free(struct join *j)
{
	if (!j)
		return;
	join_end(j);
	for (size_t i = 0; i < j->nsides; i++)
		side_free(j->sides[i]);
	for (size_t i = 0; i < j->nout; i++)
		free(j->out[i].f);
	free(j->out);
	free(j->sides);
	free(j->keys);
	free(j);
}
