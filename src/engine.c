/* SPDX-License-Identifier: MIT */
/*
 * engine.c -- the per-stream pipeline (see engine.h for the numbered
 * stages): reads the files of one stream line by line, hands records
 * to the format parser, messages to transactions and sessions, events
 * to the pattern table, and runs the rules over messages, events and
 * closed sessions.  Findings are kept per open session (one per rule,
 * evidence capped) and handed to the sink with the session; findings
 * outside any session go with the end of the stream.
 *
 * Session-scope rules may count over a session's messages or events
 * (count_msgs(...) and friends, expr.h): the engine does not keep the
 * messages, it runs each aggregate's predicates on every message as it
 * passes and keeps two counters per aggregate and open session.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "expr.h"
#include "field.h"
#include "lr.h"
#include "par.h"
#include "rules.h"
#include "sip.h"
#include "str.h"
#include "sv.h"
#include "txn.h"

#define NBUCKETS 256
#define NSPARE 8                /* session states kept for reuse */
#define SPARE_FINDINGS 8        /* with their findings array up to this */
#define LATE_MAX 8              /* fallback rules held back per session */

/* What the engine keeps for an open session. */
struct sess_state {
	unsigned id;
	uint64_t *counters;             /* 2 per aggregate: matched, total */
	struct finding *f;
	size_t nf, capf;
	struct sess_state *next;
};

struct engine {
	struct engine_config cfg;
	struct engine_sink sink;

	/* rules, indexed once */
	size_t nrules;
	size_t *rule_slot;              /* first aggregate slot per rule */
	size_t naggs;                   /* aggregates of every rule */

	/* the stream being read */
	const char *path;
	const struct engine_input *in;  /* engine_run_inputs: its source */
	struct ana ana;
	struct msg msg;
	struct txn_table *txn;
	struct sess_builder *sess;
	struct fmt *fmt;
	const struct par_result *par;   /* run_par: what par_run reads */
	const struct fmt_rec *rec;      /* the record being handled */
	uint64_t malformed;
	uint64_t rule_limits;
	struct expr_scratch *scratch;   /* this engine's regex match data */
	struct rules_index *rix;        /* the rules each item may match */
	enum sfb_sev worst;
	struct sess_state *buckets[NBUCKETS];
	struct sess_state *spare;       /* dropped states kept for reuse */
	size_t nspare;
	/* the sessions closed since the last item ran the rules */
	unsigned *closed;
	size_t nclosed, capclosed;
	struct finding *file_f;         /* findings of no session */
	size_t file_nf, file_capf;
};

/* field_get's item, and the counters an aggregate reads. */
struct eval {
	struct field_item it;           /* first: field_get's ud */
	const uint64_t *counters;
	size_t slot;                    /* the rule's first slot */
};

/*
 * A blank eval of scope.  The item's scratch is left as it is: field.c
 * writes there before it reads, and clearing it cost more than the
 * rest for every message and event.
 */
_Static_assert(offsetof(struct field_item, scratch) +
	       sizeof ((struct field_item *)0)->scratch ==
	       sizeof(struct field_item),
	       "eval_init: the item's scratch must come last");

static void eval_init(struct eval *ev, enum expr_scope scope)
{
	memset(&ev->it, 0, offsetof(struct field_item, scratch));
	ev->it.scope = scope;
	ev->counters = NULL;
	ev->slot = 0;
}

static void eval_agg(void *ud, size_t i, uint64_t *matched,
		     uint64_t *total)
{
	struct eval *ev = ud;
	if (!ev->counters) {
		*matched = *total = 0;
		return;
	}
	*matched = ev->counters[2 * (ev->slot + i)];
	*total = ev->counters[2 * (ev->slot + i) + 1];
}

static struct expr_ctx ctx_of(struct engine *e, struct eval *ev)
{
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = field_get;      /* ud: the eval, whose item comes first */
	c.agg = eval_agg;
	c.ud = ev;
	c.scratch = e->scratch;
	return c;
}

/* ---- rules, indexed ---------------------------------------------------- */

static void index_rules(struct engine *e)
{
	const struct rules *rs = e->cfg.rules;
	e->nrules = rs ? rules_count(rs) : 0;
	if (!e->nrules)
		return;
	/* the slots as struct rules_agg_use numbers them */
	e->rule_slot = sfb_xcalloc(e->nrules, sizeof *e->rule_slot);
	for (size_t i = 0; i < e->nrules; i++) {
		e->rule_slot[i] = e->naggs;
		e->naggs += expr_nagg(rules_get(rs, i)->cond);
	}
}

/* ---- findings ----------------------------------------------------------- */

static struct sess_state *state_get(struct engine *e, unsigned id, int make)
{
	struct sess_state **b = &e->buckets[id % NBUCKETS];
	for (struct sess_state *s = *b; s; s = s->next)
		if (s->id == id)
			return s;
	if (!make)
		return NULL;
	struct sess_state *s = e->spare;
	if (s) {
		/* a dropped one, with its counters and findings array */
		e->spare = s->next;
		e->nspare--;
		s->nf = 0;
		if (e->naggs)
			memset(s->counters, 0,
			       2 * e->naggs * sizeof *s->counters);
	} else {
		s = sfb_xcalloc(1, sizeof *s);
		if (e->naggs)
			s->counters = sfb_xcalloc(2 * e->naggs,
						  sizeof *s->counters);
	}
	s->id = id;
	s->next = *b;
	*b = s;
	return s;
}

static void state_free(struct sess_state *s)
{
	free(s->counters);
	free(s->f);
	free(s);
}

static void state_drop(struct engine *e, unsigned id)
{
	for (struct sess_state **p = &e->buckets[id % NBUCKETS]; *p;
	     p = &(*p)->next) {
		if ((*p)->id != id)
			continue;
		struct sess_state *s = *p;
		*p = s->next;
		if (e->nspare < NSPARE) {
			/* a findings array past the usual few is let go:
			 * kept, it would stay as large in the next state */
			if (s->capf > SPARE_FINDINGS) {
				free(s->f);
				s->f = NULL;
				s->capf = 0;
			}
			s->next = e->spare;
			e->spare = s;
			e->nspare++;
		} else {
			state_free(s);
		}
		return;
	}
}

/* One line about a message: "504 Server time-out to REGISTER: ..." */
static void msg_summary(const struct field_item *it, char *out, size_t n)
{
	const struct msg *m = it->msg;
	char diag[160] = "";
	if (m->ndiags) {
		const struct msg_diag *d = &m->diags[0];
		str_fmt(diag, sizeof diag, ": %s %u %.*s",
			ana_diag_hdr_name(d->hdr), d->code,
			(int)(d->reason.n > 100 ? 100 : d->reason.n),
			d->reason.p);
	}
	if (m->kind == MSG_RESPONSE) {
		struct sv rm = m->proto == MSG_SIP && m->cseq_method.n
			? m->cseq_method : it->req_method;
		struct sv path = m->proto == MSG_HTTP ? it->req_uri : SV_NULL;
		long q = sv_find_char(path, '?');
		if (q >= 0)
			path.n = (size_t)q;
		str_fmt(out, n, "%.*s%s%.*s answered %d %.*s%s",
			(int)(rm.n > 24 ? 24 : rm.n), rm.n ? rm.p : "?",
			path.n ? " " : "", (int)(path.n > 80 ? 80 : path.n),
			path.p ? path.p : "", m->status,
			(int)(m->status_reason.n > 40 ? 40
			: m->status_reason.n), m->status_reason.p, diag);
	} else {
		str_fmt(out, n, "%.*s %.*s%s",
			(int)(m->method.n > 24 ? 24 : m->method.n),
			m->method.p, (int)(m->uri.n > 100 ? 100 : m->uri.n),
			m->uri.p, diag);
	}
}

/* The first line of a text, as one evidence line. */
static void first_line_of(struct sv t, char *out, size_t n)
{
	long nl = sv_find_char(t, '\n');
	if (nl >= 0)
		t.n = (size_t)nl;
	str_fmt(out, n, "%.*s", (int)(t.n > 190 ? 190 : t.n), t.p);
}

static void evidence_add(struct finding *f, const struct eval *ev,
			 const struct rules_rule *r, struct expr_ctx *c)
{
	const struct field_item *it = &ev->it;
	struct finding_evidence *x;
	f->evidence_total++;
	if (f->nev >= FINDING_MAX_EVIDENCE)
		return;
	x = &f->ev[f->nev++];
	x->text[0] = '\0';
	if (it->msg) {
		x->file = it->msg->file;
		x->line = it->msg->line_first;
		x->ts = it->msg->ts;
	} else if (it->ev || it->rec) {
		x->file = it->file;
		x->line = it->line;
		x->ts = it->ts;
	} else {
		x->file = it->sess->file;
		x->line = it->sess->first_line;
		x->ts = it->sess->start;
	}
	if (r->output) {
		expr_tmpl_render(r->output, c, x->text, sizeof x->text);
		return;
	}
	if (it->msg)
		msg_summary(it, x->text, sizeof x->text);
	else if (it->ev)
		first_line_of(it->ev->text, x->text, sizeof x->text);
	else if (it->rec)
		first_line_of(it->rec->diag_text.n ? it->rec->diag_text
			      : it->rec->text, x->text, sizeof x->text);
	else
		str_fmt(x->text, sizeof x->text, "%.190s",
			it->sess->outcome_text);
}

/*
 * A session-scope finding's evidence: the lines of the rule's step
 * that show it failing (else every line of that step).
 */
static void step_evidence(struct finding *f, const struct sess *s,
			  enum sfb_step step)
{
	const struct sess_step *st;
	if (step <= SFB_STEP_NONE || step >= SFB_STEP__COUNT)
		return;
	st = &s->steps[step];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < st->nev; i++) {
			const struct sess_evidence *x = &st->ev[i];
			if (pass == 0 ? !x->failed : x->failed)
				continue;
			if (pass == 1 && f->nev)
				return; /* failing lines were enough */
			f->evidence_total++;
			if (f->nev >= FINDING_MAX_EVIDENCE)
				continue;
			struct finding_evidence *y = &f->ev[f->nev++];
			y->file = x->file;
			y->line = x->line;
			y->ts = x->ts;
			str_copy(y->text, sizeof y->text, x->text);
		}
	}
}

/* Record that rule ri matched the item in ev: new finding or one more. */
static void fire(struct engine *e, struct finding **list, size_t *n,
		 size_t *cap, size_t ri, struct eval *ev)
{
	const struct rules_rule *r = rules_get(e->cfg.rules, ri);
	struct expr_ctx c = ctx_of(e, ev);
	struct finding *f = NULL;
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i].rule == r)
			f = &(*list)[i];
	if (f && f->nev && ev->it.sess == NULL) {
		/* two patterns on one entry, or one message: once */
		const struct finding_evidence *last = &f->ev[f->nev - 1];
		int64_t line = ev->it.msg ? (int64_t)ev->it.msg->line_first
					  : (int64_t)ev->it.line;
		const char *file = ev->it.msg ? ev->it.msg->file
					      : ev->it.file;
		if (last->file == file && (int64_t)last->line == line)
			return;
	}
	if (!f) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 4;
			*list = sfb_xrealloc(*list, *cap * sizeof **list);
		}
		f = &(*list)[(*n)++];
		/* every field but the texts, written below or at the
		 * session's end (user, epid), and the evidence past nev:
		 * zeroing 4 KiB a finding cost more than its templates */
		f->rule = r;
		f->sev = r->sev;
		f->step = r->step;
		f->session = ev->it.session_id;
		f->user[0] = f->epid[0] = '\0';
		f->count = 0;
		f->nev = 0;
		f->evidence_total = 0;
		expr_tmpl_render(r->title, &c, f->title, sizeof f->title);
		expr_tmpl_render(r->explanation, &c, f->explanation,
				 sizeof f->explanation);
		expr_tmpl_render(r->remediation, &c, f->remediation,
				 sizeof f->remediation);
	}
	f->count++;
	e->rule_limits += c.limit_hits;
	if (!ev->it.sess) {
		evidence_add(f, ev, r, &c);
		return;
	}
	/* a session: the rule's summary, then the lines of its step */
	if (r->output)
		evidence_add(f, ev, r, &c);
	step_evidence(f, ev->it.sess, r->step);
	if (!f->nev)
		evidence_add(f, ev, r, &c);
}

/*
 * The sessions the session stage closed (on_session) since the last
 * message or event ran the rules.  The call that gave an item its id
 * may have closed that very sign-in (the answer that completed its
 * settings, a sign-out), and others with it (idle ones, one evicted):
 * what run_rules kept for the item then is never reported, so it is
 * not kept.  A closed session's id is never given again, so the list
 * is cleared after each item: it holds at most the sessions that were
 * open, and usually none.
 */
static void closed_note(struct engine *e, unsigned id)
{
	if (e->nclosed == e->capclosed) {
		e->capclosed = e->capclosed ? 2 * e->capclosed : 8;
		e->closed = sfb_xrealloc(e->closed, e->capclosed *
					 sizeof *e->closed);
	}
	e->closed[e->nclosed++] = id;
}

/* After an item's rules: drop id's state if its session closed. */
static void closed_forget(struct engine *e, unsigned id)
{
	for (size_t i = 0; id && i < e->nclosed; i++)
		if (e->closed[i] == id) {
			state_drop(e, id);
			break;
		}
	e->nclosed = 0;
}

/* Would drop_fallbacks drop a finding of the fallback rule r from f? */
static int outranked(const struct finding *f, size_t n,
		     const struct rules_rule *r)
{
	for (size_t i = 0; i < n; i++)
		if (!f[i].rule->fallback && f[i].sev >= r->sev)
			return 1;
	return 0;
}

/* Run the rules of one scope on an item; attach to its session. */
static void run_rules(struct engine *e, struct eval *ev)
{
	if (!(e->cfg.want & ENG_RULES) || !e->nrules)
		return;
	enum expr_scope scope = ev->it.scope;
	unsigned id = ev->it.session_id;
	struct sess_state *st = NULL;
	struct expr_ctx c = ctx_of(e, ev);
	/* only the rules that may match an item of its class */
	struct field_cls cls = field_class(&ev->it);
	const struct rules_cands *cand = rules_index_get(
		e->rix, scope, cls.a, cls.b, field_known, &ev->it);
	/* aggregates: counted per open session */
	for (size_t k = 0; id && scope != EXPR_SCOPE_SESSION &&
	     k < cand->naggs; k++) {
		const struct rules_agg_use *a = &cand->aggs[k];
		if (a->filter && !expr_eval(a->filter, &c))
			continue;
		if (!st)
			st = state_get(e, id, 1);
		st->counters[2 * a->slot + 1]++;
		if (a->pred ? expr_eval(a->pred, &c) : a->pred_val)
			st->counters[2 * a->slot]++;
	}
	/* a session's fallback rules that matched wait for its others:
	 * one they outrank (see drop_fallbacks) is not made at all */
	size_t late[LATE_MAX], nlate = 0;
	for (size_t k = 0; k < cand->nrules; k++) {
		size_t i = cand->rules[k];
		const struct rules_rule *r = rules_get(e->cfg.rules, i);
		ev->slot = e->rule_slot[i];
		if (!expr_eval_from(r->cond, &c, cand->memo[k],
				    cand->start[k]))
			continue;
		if (scope == EXPR_SCOPE_SESSION && r->fallback &&
		    nlate < LATE_MAX) {
			late[nlate++] = i;
			continue;
		}
		if (scope == EXPR_SCOPE_SESSION || id) {
			if (!st)
				st = state_get(e, id, 1);
			fire(e, &st->f, &st->nf, &st->capf, i, ev);
		} else {
			fire(e, &e->file_f, &e->file_nf, &e->file_capf, i,
			     ev);
		}
	}
	for (size_t k = 0; k < nlate; k++) {
		const struct rules_rule *r = rules_get(e->cfg.rules, late[k]);
		if (!st)
			st = state_get(e, id, 1);
		if (outranked(st->f, st->nf, r))
			continue;
		ev->slot = e->rule_slot[late[k]];
		fire(e, &st->f, &st->nf, &st->capf, late[k], ev);
	}
	e->rule_limits += c.limit_hits;
	if (scope != EXPR_SCOPE_SESSION)
		closed_forget(e, st ? id : 0);
}

static int finding_cmp(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	/* what a message or event showed before a session's summary */
	int sa = a->rule->scope == EXPR_SCOPE_SESSION;
	int sb = b->rule->scope == EXPR_SCOPE_SESSION;
	if (sa != sb)
		return sa - sb;
	if (a->rule->priority != b->rule->priority)
		return a->rule->priority > b->rule->priority
		       ? -1 : 1;
	return a->rule->index < b->rule->index ? -1
	       : a->rule->index > b->rule->index;
}

/*
 * Sort a list of findings by finding_cmp (a total order: one finding per
 * rule).  A session has a few, often in order already: an insertion
 * sort moves no 4 KB finding then; a long list goes to qsort.
 */
static void sort_findings(struct finding *f, size_t n)
{
	if (n > 8) {
		qsort(f, n, sizeof *f, finding_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		if (finding_cmp(&f[i - 1], &f[i]) <= 0)
			continue;
		struct finding tmp = f[i];
		size_t j = i;
		for (; j > 0 && finding_cmp(&f[j - 1], &tmp) > 0; j--)
			f[j] = f[j - 1];
		f[j] = tmp;
	}
}

/*
 * Drop fallback findings (a rule's "fallback: true") of a list that
 * holds another finding at least as severe.  @return the new count
 */
static size_t drop_fallbacks(struct finding *f, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int drop = 0;
		for (size_t j = 0; f[i].rule->fallback && j < n; j++)
			if (j != i && !f[j].rule->fallback &&
			    f[j].sev >= f[i].sev)
				drop = 1;
		if (!drop && k++ != i)
			f[k - 1] = f[i];        /* 4 KB: only when it moves */
	}
	return k;
}

static void note_worst(struct engine *e, const struct finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].sev > e->worst)
			e->worst = f[i].sev;
}

/* ---- stage callbacks ---------------------------------------------------- */

static void on_txn(void *ud, const struct txn_info *t)
{
	struct engine *e = ud;
	if (e->cfg.want & ENG_ANALYSIS)
		ana_txn(&e->ana, t);
}

static void on_session(void *ud, const struct sess *s)
{
	struct engine *e = ud;
	struct sess_state *st = state_get(e, s->id, 0);
	struct finding *f = NULL;
	size_t nf = 0;
	if ((e->cfg.want & ENG_RULES) && e->nrules) {
		struct eval ev;
		eval_init(&ev, EXPR_SCOPE_SESSION);
		ev.it.sess = s;
		ev.it.session_id = s->id;
		ev.counters = st ? st->counters : NULL;
		run_rules(e, &ev);
		st = state_get(e, s->id, 0);
	}
	if (st) {
		st->nf = drop_fallbacks(st->f, st->nf);
		f = st->f;
		nf = st->nf;
		for (size_t i = 0; i < nf; i++) {
			str_copy(f[i].user, sizeof f[i].user, s->user);
			str_copy(f[i].epid, sizeof f[i].epid, s->epid);
		}
		sort_findings(f, nf);
		note_worst(e, f, nf);
	}
	if (e->cfg.want & ENG_ANALYSIS)
		ana_session(&e->ana, s);
	if (e->sink.on_session)
		e->sink.on_session(e->sink.ud, s, f, nf);
	state_drop(e, s->id);
	if ((e->cfg.want & ENG_RULES) && e->nrules)
		closed_note(e, s->id);
}

static void warn(struct engine *e, unsigned long line, const char *fmt, ...)
	SFB_PRINTF(3, 4);
static void warn(struct engine *e, unsigned long line, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	e->malformed++;
	if (e->cfg.want & ENG_ANALYSIS)
		ana_warn(&e->ana, line, "%s", buf);
	if (e->sink.on_warn)
		e->sink.on_warn(e->sink.ud, e->path, line, buf);
}

/* A REC_MSG record; m: its message, parsed by par.c (NULL: parse it) */
static void on_msg(struct engine *e, const struct fmt_rec *rec,
		   const struct msg *m)
{
	if (!m) {
		/* e->msg is done with before rec goes: no copy */
		msg_view(&e->msg, rec, e->path);
		(void)sip_parse(&e->msg);
		m = &e->msg;
	}
	if (rec->truncated)
		e->malformed++;
	/* malformed input for --strict; the same warnings as analyze's
	 * list (ana_msg) for the callers that print them */
	if (m->flags & MSG_F_MALFORMED)
		e->malformed++;
	if (e->sink.on_warn && (m->flags & (MSG_F_MALFORMED | MSG_F_LIMIT))) {
		char text[160];
		for (unsigned it = 0; msg_problem_next(m, &it, NULL, text,
						       sizeof text);)
			e->sink.on_warn(e->sink.ud, e->path, m->line_first,
					text);
	}
	if (!(e->cfg.want & ENG_SESSIONS)) {
		if (e->sink.on_msg)
			e->sink.on_msg(e->sink.ud, m, rec, 0, 0);
		return;
	}
	int copy = txn_add(e->txn, m);
	struct sv rm = SV_NULL, ru = SV_NULL;
	if (m->kind == MSG_RESPONSE && txn_last_request(e->txn, &rm, &ru))
		rm = ru = SV_NULL;
	unsigned id = sess_msg(e->sess, m, copy, rm, ru);
	if (e->cfg.want & ENG_ANALYSIS) {
		ana_msg(&e->ana, m, copy, rm, ru);
		if (!id)
			e->ana.outside_msgs++;
	}
	if (!copy) {
		struct eval ev;
		eval_init(&ev, EXPR_SCOPE_MSG);
		ev.it.msg = m;
		ev.it.req_method = rm;
		ev.it.req_uri = ru;
		ev.it.session_id = id;
		run_rules(e, &ev);
	}
	if (e->sink.on_msg)
		e->sink.on_msg(e->sink.ud, m, rec, id, copy);
}

static int on_pattern(void *ud, const struct pat_event *pe)
{
	struct engine *e = ud;
	const struct fmt_rec *rec = e->rec;
	unsigned id = sess_event(e->sess, pe, e->path, rec->line_first,
				 rec->ts);
	struct eval ev;
	eval_init(&ev, EXPR_SCOPE_EVENT);
	ev.it.ev = pe;
	ev.it.file = e->path;
	ev.it.line = rec->line_first;
	ev.it.ts = rec->ts;
	ev.it.session_id = id;
	run_rules(e, &ev);
	return 0;
}

static void on_diag(struct engine *e, const struct fmt_rec *rec)
{
	unsigned id = sess_diag(e->sess, rec, e->path);
	struct eval ev;
	eval_init(&ev, EXPR_SCOPE_EVENT);
	ev.it.rec = rec;
	ev.it.file = e->path;
	ev.it.line = rec->line_first;
	ev.it.ts = rec->ts;
	ev.it.session_id = id;
	run_rules(e, &ev);
}

/*
 * A record; m: its message (par.c), else NULL; ev[0..nev): the pattern
 * events par.c's workers found in an entry (with e->par set), else the
 * table is matched here.  par.c hands an entry over bare, its events'
 * views into a copy of its text (PAR_BARE_ENTRIES), and a message
 * record too when the sink takes no messages (PAR_BARE_MSGS): only
 * type, lines, time and truncated are read here then.
 */
static int rec_in(void *ud, const struct fmt_rec *rec, const struct msg *m,
		  const struct pat_event *ev, size_t nev)
{
	struct engine *e = ud;
	int sessions = e->cfg.want & ENG_SESSIONS;
	/* the format is known at the first record: one client, or many */
	if (sessions && !e->sess) {
		struct sess_sink ss = { on_session, e };
		enum fmt_kind k = e->fmt ? fmt_kind_get(e->fmt)
				  : e->par->kind;
		e->sess = sess_new(&ss, k != FMT_CLS, 0);
	}
	if (e->cfg.want & ENG_ANALYSIS)
		ana_rec(&e->ana, rec);
	e->rec = rec;
	switch (rec->type) {
	case REC_WARN:
		e->malformed++;
		if (e->sink.on_warn) {
			char buf[512];
			snprintf(buf, sizeof buf, "%.*s",
				 (int)(rec->text.n > 500 ? 500 : rec->text.n),
				 rec->text.p);
			e->sink.on_warn(e->sink.ud, e->path,
					rec->line_first, buf);
		}
		break;
	case REC_MSG:
		on_msg(e, rec, m);
		break;
	case REC_ENTRY:
		if (!sessions || !e->cfg.patterns)
			break;
		if (e->par)
			for (size_t i = 0; i < nev; i++)
				(void)on_pattern(e, &ev[i]);
		else
			(void)pattern_match(e->cfg.patterns, rec->text,
					    on_pattern, e);
		break;
	case REC_DIAG:
		if (sessions)
			on_diag(e, rec);
		break;
	}
	e->rec = NULL;
	return 0;
}

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	return rec_in(ud, rec, NULL, NULL, 0);
}

/* ---- reading ------------------------------------------------------------ */

static void fail(struct engine *e, const struct sfb_err *err)
{
	e->ana.failed = 1;
	snprintf(e->ana.error, sizeof e->ana.error, "%s", err->msg);
	if (e->sink.on_error)
		e->sink.on_error(e->sink.ud, e->path, err);
}

static void long_line(struct engine *e, unsigned long lineno, uint64_t n)
{
	e->ana.long_lines++;
	warn(e, lineno, "line of %" PRIu64 " bytes skipped (over "
	     "--max-line %zu)", n, e->cfg.max_line);
}

static void par_long(void *ud, unsigned long lineno, uint64_t n)
{
	long_line(ud, lineno, n);
}

/*
 * One file by par.c (stages 1-3 on cfg.jobs threads).  @return 1 when
 * par does not read it (see par.h), else as run_file
 */
static int run_par(struct engine *e, enum fmt_kind *kind)
{
	struct par_config pc = { e->cfg.format, e->cfg.max_line,
				 e->cfg.max_msg, e->cfg.jobs, e->cfg.chunk,
				 (e->cfg.want & ENG_RAW) != 0,
				 (e->cfg.want & ENG_SESSIONS) ? e->cfg.patterns
							       : NULL,
				 PAR_BARE_ENTRIES |
				 (e->sink.on_msg ? 0 : PAR_BARE_MSGS),
				 (e->cfg.want & ENG_SESSIONS) != 0 };
	struct par_sink ps = { rec_in, par_long, e };
	struct par_result res;
	struct sfb_err err = { 0 };
	e->par = &res;
	int rc = par_run(e->path, &pc, &ps, &res, &err);
	e->par = NULL;
	if (rc == 1)
		return 1;
	if (rc < 0)
		fail(e, &err);
	*kind = res.kind;
	e->ana.lines += res.lines;
	e->ana.enc = res.enc;
	e->ana.bytes += res.bytes;
	return rc;
}

/* One file of the stream.  @return -1 if it could not be read. */
static int run_file(struct engine *e, enum fmt_kind *kind)
{
	struct sfb_err err = { 0 };
	struct fmt_sink sink = { on_rec, e };
	struct fmt_limits lim = { e->cfg.max_msg };
	int rc = 0;

	if (e->cfg.want & ENG_ANALYSIS)
		ana_set_file(&e->ana, e->path);
	if (e->cfg.jobs > 1 && !e->in) {
		if ((rc = run_par(e, kind)) != 1)
			return rc;
		rc = 0;
	}
	struct lr *lr = e->in ? lr_open_reader(e->in->read, e->in->ud,
					       e->path, e->cfg.max_line)
			      : lr_open(e->path, e->cfg.max_line, &err);
	if (!lr) {
		fail(e, &err);
		return -1;
	}
	lr_set_caps(lr, e->cfg.max_unpacked, e->cfg.max_ratio);
	struct fmt *f = fmt_new(e->cfg.format, &sink, &lim);
	e->fmt = f;
	struct sv line;
	unsigned long lineno = 0;
	int st;
	while ((st = lr_next(lr, &line, &lineno, &err)) != LR_EOF) {
		if (st == LR_ERR) {
			if (err.code == SFB_E_GZIP) {
				/* what came before the damage has been read */
				warn(e, err.line ? err.line : lineno + 1,
				     "%s: the rest of the file is lost",
				     err.msg);
				break;
			}
			fail(e, &err);
			rc = -2;        /* a read error: keep what was read */
			break;
		}
		e->ana.lines++;
		int fst;
		if (st == LR_LONG) {
			long_line(e, lineno, line.n);
			/* before detection it is a line that is no entry */
			fst = fmt_skip(f, lineno, &err);
		} else {
			fst = fmt_feed(f, line, lineno, &err);
		}
		if (fst < 0) {
			fail(e, &err);
			rc = -1;
			break;
		}
	}
	if (rc == -2) {
		/* the record the parser had open at the fault is kept,
		 * marked truncated, as at an early end of file */
		struct sfb_err ferr = { 0 };
		(void)fmt_finish(f, &ferr);
		rc = -1;
	} else if (rc == 0 && fmt_finish(f, &err) < 0) {
		fail(e, &err);
		rc = -1;
	}
	if (lr_bad_units(lr))   /* text that was not there: said */
		warn(e, lr_bad_line(lr), "%" PRIu64 " invalid UTF-16 "
		     "unit(s) read as U+FFFD, the first on this line",
		     lr_bad_units(lr));
	if (fmt_kind_get(f) != FMT_AUTO)
		*kind = fmt_kind_get(f);
	e->ana.enc = lr_encoding(lr);
	e->ana.gzip |= lr_is_gzip(lr);
	e->ana.bytes += lr_bytes(lr);
	if (rc == 0 && lineno == 0 && (e->cfg.want & ENG_ANALYSIS))
		ana_warn(&e->ana, 0, "empty file");
	e->fmt = NULL;
	fmt_free(f);
	lr_close(lr);
	return rc;
}

struct engine *engine_new(const struct engine_config *cfg,
			  const struct engine_sink *sk)
{
	struct engine *e = sfb_xcalloc(1, sizeof *e);
	e->cfg = *cfg;
	if (sk)
		e->sink = *sk;
	if (e->cfg.want & ENG_RULES)
		e->cfg.want |= ENG_SESSIONS;
	msg_init(&e->msg);
	index_rules(e);
	if (e->nrules) {
		e->scratch = expr_scratch_new();
		e->rix = rules_index_new(e->cfg.rules);
	}
	return e;
}

/*
 * Server trace: web phases the session stage held for a REGISTER.
 * Their messages that a session took later are no longer outside one;
 * those it had to let go are said.
 */
static void note_web_phases(struct engine *e)
{
	struct sess_web_stats st;
	sess_web_stats(e->sess, &st);
	e->ana.outside_msgs -= st.late_msgs < e->ana.outside_msgs
			       ? st.late_msgs : e->ana.outside_msgs;
	if (!st.dropped)
		return;
	char buf[200];
	snprintf(buf, sizeof buf, "%llu web-service call phase(s) without a "
		 "user not matched to a sign-in: more than %d held at once",
		 (unsigned long long)st.dropped, SESS_MAX_WEB);
	if (e->cfg.want & ENG_ANALYSIS)
		ana_warn(&e->ana, st.drop_line, "%s", buf);
	if (e->sink.on_warn)
		e->sink.on_warn(e->sink.ud, st.drop_file ? st.drop_file
				: e->path, st.drop_line, buf);
}

/* engine_run, engine_run_inputs: files (paths) or in (sources). */
static int run_stream(struct engine *e, const char *const *files,
		      const struct engine_input *in, size_t nfiles,
		      const char *name)
{
	int rc = 0;
	e->malformed = e->rule_limits = 0;
	e->nclosed = 0;
	e->worst = SFB_SEV_NONE;
	ana_init(&e->ana, name, e->cfg.max_warn);
	if (e->cfg.want & ENG_SESSIONS) {
		struct txn_sink ts = { on_txn, e };
		e->txn = txn_new(&ts, e->cfg.max_txn, -1);
	}
	for (size_t i = 0; i < nfiles; i++) {
		enum fmt_kind seen = FMT_AUTO;
		e->in = in ? &in[i] : NULL;
		e->path = in ? in[i].name : files[i];
		if (run_file(e, &seen) < 0)
			rc = -1;
		if (seen != FMT_AUTO)
			e->ana.kind = seen;
	}
	if (e->txn)
		txn_flush(e->txn);
	if (e->sess) {
		sess_flush(e->sess);
		note_web_phases(e);
	}
	ana_finish(&e->ana);
	e->file_nf = drop_fallbacks(e->file_f, e->file_nf);
	sort_findings(e->file_f, e->file_nf);
	note_worst(e, e->file_f, e->file_nf);
	if (e->sink.on_end)
		e->sink.on_end(e->sink.ud, (e->cfg.want & ENG_ANALYSIS)
			       ? &e->ana : NULL, e->file_f, e->file_nf);
	/* every session was closed by sess_flush; drop what is left */
	for (size_t b = 0; b < NBUCKETS; b++)
		while (e->buckets[b])
			state_drop(e, e->buckets[b]->id);
	free(e->file_f);
	e->file_f = NULL;
	e->file_nf = e->file_capf = 0;
	sess_free(e->sess);
	txn_free(e->txn);
	ana_free(&e->ana);
	e->sess = NULL;
	e->txn = NULL;
	e->in = NULL;
	return rc;
}

int engine_run(struct engine *e, const char *const *files, size_t nfiles,
	    const char *name)
{
	return run_stream(e, files, NULL, nfiles, name);
}

int engine_run_inputs(struct engine *e, const struct engine_input *in,
		      size_t n, const char *name)
{
	return run_stream(e, NULL, in, n, name);
}

uint64_t engine_malformed(const struct engine *e)
{
	return e->malformed;
}

enum sfb_sev engine_worst(const struct engine *e)
{
	return e->worst;
}

uint64_t engine_rule_limits(const struct engine *e)
{
	return e->rule_limits;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	msg_free(&e->msg);
	expr_scratch_free(e->scratch);
	rules_index_free(e->rix);
	while (e->spare) {
		struct sess_state *s = e->spare;
		e->spare = s->next;
		state_free(s);
	}
	free(e->rule_slot);
	free(e->closed);
	free(e);
}

/* ---- the first log time of a file ------------------------------------ */

struct peek {
	int64_t ts;
};

static int peek_rec(void *ud, const struct fmt_rec *rec)
{
	struct peek *p = ud;
	if (rec->ts == SFB_TIME_NONE)
		return 0;
	p->ts = rec->ts;
	return 1;
}

/* The first log time of the lines of lr (closed here). */
static int64_t first_time(struct lr *lr, enum fmt_kind format)
{
	struct peek p = { SFB_TIME_NONE };
	struct sfb_err err = { 0 };
	struct fmt_sink sink = { peek_rec, &p };
	struct fmt_limits lim = { 64 << 10 };
	struct fmt *f = fmt_new(format, &sink, &lim);
	struct sv line;
	unsigned long lineno;
	for (int i = 0; i < SFB_DETECT_LINES + 64 && p.ts == SFB_TIME_NONE;
	     i++) {
		int st = lr_next(lr, &line, &lineno, &err);
		if (st == LR_EOF || st == LR_ERR)
			break;
		if (st == LR_LINE && fmt_feed(f, line, lineno, &err) != 0)
			break;
	}
	if (p.ts == SFB_TIME_NONE)
		(void)fmt_finish(f, &err);
	fmt_free(f);
	lr_close(lr);
	return p.ts;
}

int64_t engine_first_time(const char *path, enum fmt_kind format,
		       size_t max_line)
{
	struct sfb_err err = { 0 };
	struct lr *lr = lr_open(path, max_line, &err);
	return lr ? first_time(lr, format) : SFB_TIME_NONE;
}

int64_t engine_first_time_reader(lr_read_fn fn, void *ud, const char *name,
				 enum fmt_kind format, size_t max_line)
{
	return first_time(lr_open_reader(fn, ud, name, max_line), format);
}
