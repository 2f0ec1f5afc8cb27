/* SPDX-License-Identifier: MIT */
/*
 * sess.c -- the sign-in session builder (see sess.h for what a session
 * is and when it starts and ends).  It sits after the transaction
 * stage: each message, free-text event and CLS diagnostic record is
 * attributed to at most one open session, which collects evidence per
 * step; when a session closes its steps and outcome are decided
 * (finish()) and it is handed to the sink, then freed.
 *
 * Lookup: open sessions are found by a hash of user + epid (one chain
 * per bucket); a client log also has a "current" session for what
 * carries no user (HTTP, free text).  Time: sessions are kept in order
 * of last activity, so the idle check looks only at the oldest; signed-in
 * sessions are also kept in order of sign-in for the settle window.
 * Refresh REGISTERs of a registration whose session already closed are
 * recognised by a small ring of (user, Call-ID) pairs and not taken for
 * a new sign-in.
 *
 * The phase before the first REGISTER: in a client log it is the
 * current session (key 0) until a REGISTER takes it over; in a server
 * trace a web phase no open session claims is "held" (a small array by
 * peer; numbered only once it fails) until a REGISTER of its user or
 * from its peer's host claims it, or it is let go after
 * SFB_SESS_ATTACH_MS: reported when it failed, else dropped as before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sess.h"
#include "sip.h"
#include "str.h"
#include "sv.h"
#include "xmlbody.h"
#include "xmlprov.h"

#define NBUCKETS 2048u
#define RING 256u
#define RING_COUNTS 1024u  /* buckets of the ring's Call-ID hashes */
#define MAX_PENDING 16
#define SPARE 8         /* closed sessions kept for reuse */
/*
 * XML bodies whose reading is remembered.  The client logs bring about
 * nine by turns (two pools' location profiles, Autodiscover and Web
 * Ticket answers): with 8 slots the oldest-first reuse evicted each
 * body just before it came again, and nearly every one was parsed anew.
 */
#define MEMO 32         /* at most 128 KiB: MEMO_MAX bytes each */
#define MEMO_MAX 4096   /* bytes of a body remembered */

enum state { ST_DISCOVERY = 0, ST_REGISTERING, ST_SIGNED_IN, ST_DONE };

struct pending {
	uint64_t call;          /* hash of the Call-ID */
	uint32_t cseq;
	int setting;            /* enum sess_setting_id */
};

struct osess {
	struct sess s;          /* the model handed to the sink */
	uint64_t key;           /* hash of user + epid, 0 if no user yet */
	uint64_t reg_call;      /* hash of the registration's Call-ID */
	enum state state;
	int64_t last_ts;        /* last activity, SFB_TIME_NONE if none */
	int64_t signin_ts;      /* 200 OK to REGISTER */
	unsigned pool_req, pool_resp;
	int redirect_pending;
	unsigned fail_ev[SFB_STEP__COUNT];  /* failing evidence per step */
	unsigned ok_ev[SFB_STEP__COUNT];
	unsigned register_sent;
	struct pending pend[MAX_PENDING];
	size_t npend;
	int settings_seen;
	unsigned int_500;       /* web-service 500 answers */
	int last_creds;         /* the last REGISTER carried credentials */
	int web_redirect;       /* Autodiscover answered with a Redirect
				 * link: the next discovery is this one's */
	int held;               /* server trace: a web phase no sign-in
				 * claims yet (in b->web) */
	unsigned held_msgs;     /* its messages sess_msg() gave id 0 */
	char web_peer[64];      /* its web peer's host */
	/* lists: by last activity (lru), by sign-in (settle), by hash */
	struct osess *lru_prev, *lru_next;
	struct osess *set_prev, *set_next;
	struct osess *hnext;
	int in_hash, in_settle;
};

struct ring_ent {
	uint64_t key, call;
};

/*
 * What xmlbody read from one XML body: the location profile and the
 * SOAP faults come back the same in sign-in after sign-in (a pool's
 * profile, the web services' errors), and a libxml2 parse costs ~100
 * instructions a byte.  xmlbody's readers depend on the bytes only.
 */
enum memo_kind { MEMO_NONE = 0, MEMO_FAULT, MEMO_LOCATION };

struct memo {
	enum memo_kind kind;
	char *body;             /* owned: a copy of the body, MEMO_MAX */
	size_t n;
	int rc;
	struct xmlbody_fault fault;
	char loc[sizeof ((struct sess *)0)->location_profile];
	unsigned loc_rules;
};

/*
 * A hash kept with the one or two texts it was made of: the messages of
 * a sign-in follow one another with the same From, and a request's
 * answer with its Call-ID, so the same bytes give it back unhashed.
 */
struct kept_hash {
	uint64_t h;             /* 0: none kept */
	size_t n[2];
	char t0[128], t1[64];
};

struct sess_builder {
	struct sess_sink sink;
	int client_log;
	size_t max_open, nopen;
	unsigned next_id;
	struct osess *buckets[NBUCKETS];
	struct osess *lru_head, *lru_tail;
	struct osess *set_head, *set_tail;
	struct osess *current;      /* client log: the client's session */
	struct osess *ending;       /* ended by the last message: closed at
				     * the next call, so that the caller
				     * sees that message in it first */
	struct ring_ent ring[RING];
	unsigned ring_pos;
	/* the ring's entries per bucket of their Call-ID hash: a REGISTER
	 * of a Call-ID no entry has (a new sign-in) scans no ring */
	uint16_t ring_count[RING_COUNTS];
	/* server trace: who last asked from a web peer (sipuri=) */
	struct { char host[64]; char user[128]; } peers[16];
	unsigned peer_pos;
	/* server trace: web phases held for the REGISTER that follows */
	struct osess *web[SESS_MAX_WEB];
	size_t nweb;
	int64_t web_oldest;         /* <= every held last_ts, or NONE */
	struct sess_web_stats web_stats;
	/* closed sessions kept for reuse (no 30 KB calloc per sign-in) */
	struct osess *spare[SPARE];
	size_t nspare;
	struct memo memo[MEMO];     /* the last bodies read */
	unsigned memo_next;
	struct kept_hash from;      /* the last From's key (from_key) */
	struct kept_hash call;      /* the last Call-ID's (call_key) */
};

/* ---- small helpers --------------------------------------------------- */

/* A hash of v with ASCII case ignored, 8 bytes a step. */
static uint64_t hash_lower(uint64_t h, struct sv v)
{
	const uint64_t k = 0x9ddfea08eb382d69ull;
	const char *p = v.p;
	size_t n = v.n;
	uint64_t w;
	for (; n > 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ sv_lower8(w)) * k;
		h ^= h >> 29;
	}
	w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the same word without memcpy's call: the view's last 8 bytes,
	 * shifted down to the n of this tail */
	if (v.n >= 8) {
		memcpy(&w, p + n - 8, 8);
		w >>= 8 * (8 - n);
	} else if (n) {
		memcpy(&w, p, n);
	}
#else
	if (n)
		memcpy(&w, p, n);
#endif
	h = (h ^ sv_lower8(w)) * k;
	h ^= h >> 29;
	return (h ^ v.n) * k;
}

static uint64_t key_of(struct sv user, struct sv epid)
{
	uint64_t h = hash_lower(0xcbf29ce484222325ull, user);
	h = (h ^ 0xff) * 0x100000001b3ull;
	h = hash_lower(h, epid);
	return h ? h : 1;
}

static uint64_t hash_call(struct sv call_id)
{
	uint64_t h = hash_lower(0xcbf29ce484222325ull, call_id);
	return h ? h : 1;
}

/* The hash k keeps for the texts a and b, or 0. */
static uint64_t kept_get(const struct kept_hash *k, struct sv a, struct sv b)
{
	/* (an empty view's p may be NULL: not for memcmp or memcpy) */
	if (k->h && a.n == k->n[0] && b.n == k->n[1] &&
	    (!a.n || memcmp(a.p, k->t0, a.n) == 0) &&
	    (!b.n || memcmp(b.p, k->t1, b.n) == 0))
		return k->h;
	return 0;
}

/* Keep h for a and b (nothing when they do not fit).  @return h */
static uint64_t kept_put(struct kept_hash *k, struct sv a, struct sv b,
			 uint64_t h)
{
	k->h = 0;
	if (a.n > sizeof k->t0 || b.n > sizeof k->t1)
		return h;
	if (a.n)
		memcpy(k->t0, a.p, a.n);
	if (b.n)
		memcpy(k->t1, b.p, b.n);
	k->n[0] = a.n;
	k->n[1] = b.n;
	k->h = h;
	return h;
}

/* key_of a SIP message's From */
static uint64_t from_key(struct sess_builder *b, struct sv user,
			 struct sv epid)
{
	uint64_t h = kept_get(&b->from, user, epid);
	return h ? h : kept_put(&b->from, user, epid, key_of(user, epid));
}

/* hash_call of a Call-ID */
static uint64_t call_key(struct sess_builder *b, struct sv call_id)
{
	uint64_t h = kept_get(&b->call, call_id, SV_NULL);
	return h ? h : kept_put(&b->call, call_id, SV_NULL,
				hash_call(call_id));
}

/* The first line of v, trimmed (for evidence text). */
static struct sv first_line(struct sv v)
{
	long nl = sv_find_char(v, '\n');
	if (nl >= 0)
		v.n = (size_t)nl;
	if (v.n && v.p[v.n - 1] == '\r')
		v.n--;
	return sv_trim(v);
}

/* URI inside <...> of a Contact value, else the value up to ';'. */
static struct sv contact_uri(struct sv v)
{
	long lt = sv_find_char(v, '<');
	if (lt >= 0) {
		sv_skip(&v, (size_t)lt + 1);
		long gt = sv_find_char(v, '>');
		if (gt >= 0)
			v.n = (size_t)gt;
		return v;
	}
	long sc = sv_find_char(v, ';');
	if (sc >= 0)
		v.n = (size_t)sc;
	return sv_trim(v);
}

static unsigned auth_bit(struct sv scheme)
{
	if (sv_ieq_cstr(scheme, "NTLM"))
		return SESS_AUTH_NTLM;
	if (sv_ieq_cstr(scheme, "Kerberos"))
		return SESS_AUTH_KERBEROS;
	if (sv_ieq_cstr(scheme, "TLS-DSK"))
		return SESS_AUTH_TLSDSK;
	if (sv_ieq_cstr(scheme, "Negotiate"))
		return SESS_AUTH_NEGOTIATE;
	return scheme.n ? SESS_AUTH_OTHER : 0;
}

/* Bits of the auth headers of kind hdr (and its proxy twin). */
static unsigned auth_bits(const struct msg *m, enum msg_auth_hdr a,
			  enum msg_auth_hdr b)
{
	unsigned bits = 0;
	for (size_t i = 0; i < m->nauths; i++)
		if (m->auths[i].hdr == a || m->auths[i].hdr == b)
			bits |= auth_bit(m->auths[i].scheme);
	return bits;
}

/*
 * A non-empty gssapi-data or response parameter in an auth header of
 * kind a or b: credentials in a request, a handshake token in a 401.
 */
static int auth_token(const struct msg *m, enum msg_auth_hdr a,
		      enum msg_auth_hdr b)
{
	for (size_t i = 0; i < m->nauths; i++) {
		const struct msg_auth *h = &m->auths[i];
		struct sv v;
		if (h->hdr != a && h->hdr != b)
			continue;
		if (sip_auth_param(h, "gssapi-data", &v) && v.n)
			return 1;
		if (sip_auth_param(h, "response", &v) && v.n)
			return 1;
	}
	return 0;
}

/* ---- XML bodies read once ------------------------------------------ */

static struct memo *memo_find(struct sess_builder *b, enum memo_kind kind,
			      struct sv body)
{
	for (size_t i = 0; i < MEMO; i++) {
		struct memo *x = &b->memo[i];
		if (x->kind == kind && x->n == body.n &&
		    memcmp(x->body, body.p, body.n) == 0)
			return x;
	}
	return NULL;
}

/* A slot for body (the oldest is reused), or NULL if it is too long. */
static struct memo *memo_put(struct sess_builder *b, enum memo_kind kind,
			     struct sv body)
{
	if (body.n > MEMO_MAX)
		return NULL;
	struct memo *x = &b->memo[b->memo_next++ % MEMO];
	if (!x->body)
		x->body = sfb_xmalloc(MEMO_MAX);
	memcpy(x->body, body.p, body.n);
	x->n = body.n;
	x->kind = kind;
	return x;
}

/* xmlbody_soap_fault, remembered */
static int soap_fault(struct sess_builder *b, struct sv body,
		      struct xmlbody_fault *out)
{
	struct memo *x = memo_find(b, MEMO_FAULT, body);
	if (x) {
		*out = x->fault;
		return x->rc;
	}
	int rc = xmlbody_soap_fault(body, out);
	if ((x = memo_put(b, MEMO_FAULT, body)) != NULL) {
		x->rc = rc;
		x->fault = *out;
	}
	return rc;
}

/* xmlbody_location_profile into s, remembered */
static void location_profile(struct sess_builder *b, struct sess *s,
			     struct sv body)
{
	struct memo *x = memo_find(b, MEMO_LOCATION, body);
	if (!x) {
		(void)xmlbody_location_profile(body, s->location_profile,
					       sizeof s->location_profile,
					       &s->location_rules);
		if ((x = memo_put(b, MEMO_LOCATION, body)) == NULL)
			return;
		memcpy(x->loc, s->location_profile, sizeof x->loc);
		x->loc_rules = s->location_rules;
		return;
	}
	memcpy(s->location_profile, x->loc, sizeof x->loc);
	s->location_rules = x->loc_rules;
}

/* ---- lists ------------------------------------------------------------ */

static void lru_unlink(struct sess_builder *b, struct osess *o)
{
	if (o->lru_prev)
		o->lru_prev->lru_next = o->lru_next;
	else
		b->lru_head = o->lru_next;
	if (o->lru_next)
		o->lru_next->lru_prev = o->lru_prev;
	else
		b->lru_tail = o->lru_prev;
	o->lru_prev = o->lru_next = NULL;
}

static void lru_append(struct sess_builder *b, struct osess *o)
{
	o->lru_prev = b->lru_tail;
	o->lru_next = NULL;
	if (b->lru_tail)
		b->lru_tail->lru_next = o;
	else
		b->lru_head = o;
	b->lru_tail = o;
}

static void settle_unlink(struct sess_builder *b, struct osess *o)
{
	if (!o->in_settle)
		return;
	if (o->set_prev)
		o->set_prev->set_next = o->set_next;
	else
		b->set_head = o->set_next;
	if (o->set_next)
		o->set_next->set_prev = o->set_prev;
	else
		b->set_tail = o->set_prev;
	o->set_prev = o->set_next = NULL;
	o->in_settle = 0;
}

static void settle_append(struct sess_builder *b, struct osess *o)
{
	if (o->in_settle)
		return;
	o->set_prev = b->set_tail;
	o->set_next = NULL;
	if (b->set_tail)
		b->set_tail->set_next = o;
	else
		b->set_head = o;
	b->set_tail = o;
	o->in_settle = 1;
}

static void hash_insert(struct sess_builder *b, struct osess *o)
{
	if (o->in_hash || !o->key)
		return;
	struct osess **slot = &b->buckets[o->key % NBUCKETS];
	o->hnext = *slot;
	*slot = o;
	o->in_hash = 1;
}

static void hash_remove(struct sess_builder *b, struct osess *o)
{
	if (!o->in_hash)
		return;
	struct osess **pp = &b->buckets[o->key % NBUCKETS];
	while (*pp && *pp != o)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = o->hnext;
	o->in_hash = 0;
}

static struct osess *hash_find(struct sess_builder *b, uint64_t key)
{
	for (struct osess *o = b->buckets[key % NBUCKETS]; o; o = o->hnext)
		if (o->key == key)
			return o;
	return NULL;
}

/* ---- evidence ---------------------------------------------------------- */

/*
 * Add a line of evidence to a step.  failed: 1 the step failed there,
 * 0 it worked there, -1 neither (it only shows what happened).
 * text: n bytes, NUL-terminated, n < sizeof of an evidence text.
 */
static void evidence_text(struct osess *o, enum sfb_step step, int failed,
			  const char *file, unsigned long line, int64_t ts,
			  const char *text, size_t n)
{
	struct sess_step *st = &o->s.steps[step];
	/* two patterns on one line, or a hop copy: one piece of evidence */
	for (size_t i = 0; i < st->nev; i++)
		if (st->ev[i].line == line && st->ev[i].file == file &&
		    strcmp(st->ev[i].text, text) == 0)
			return;
	if (failed > 0)
		o->fail_ev[step]++;
	else if (failed == 0)
		o->ok_ev[step]++;
	st->nev_total++;
	if (ts != SFB_TIME_NONE) {
		if (st->first_ts == SFB_TIME_NONE || ts < st->first_ts)
			st->first_ts = ts;
		if (st->last_ts == SFB_TIME_NONE || ts > st->last_ts)
			st->last_ts = ts;
	}
	if (st->nev >= SESS_MAX_EVIDENCE) {
		/* keep the last slot for the latest failure: it decides */
		if (failed <= 0)
			return;
		st->nev = SESS_MAX_EVIDENCE - 1;
	}
	struct sess_evidence *e = &st->ev[st->nev++];
	e->file = file;
	e->line = line;
	e->ts = ts;
	e->failed = failed > 0;
	memcpy(e->text, text, n + 1);
}

/* evidence_text of a formatted line */
static void SFB_PRINTF(7, 8)
evidence(struct osess *o, enum sfb_step step, int failed, const char *file,
	 unsigned long line, int64_t ts, const char *fmt, ...)
{
	if (step <= SFB_STEP_NONE || step >= SFB_STEP__COUNT)
		return;
	char text[sizeof o->s.steps[0].ev[0].text];
	va_list ap;
	va_start(ap, fmt);
	str_vfmt(text, sizeof text, fmt, ap);
	va_end(ap);
	evidence_text(o, step, failed, file, line, ts, text, strlen(text));
}

/* evidence_text of the line v (cut, as "%.*s" would) */
static void evidence_sv(struct osess *o, enum sfb_step step, int failed,
			const char *file, unsigned long line, int64_t ts,
			struct sv v)
{
	if (step <= SFB_STEP_NONE || step >= SFB_STEP__COUNT)
		return;
	char text[sizeof o->s.steps[0].ev[0].text];
	sv_copy(text, sizeof text, v);  /* cut at a NUL too, as "%.*s" */
	evidence_text(o, step, failed, file, line, ts, text, strlen(text));
}

static void touch(struct sess_builder *b, struct osess *o, const char *file,
		  unsigned long line, int64_t ts)
{
	if (ts != SFB_TIME_NONE) {
		if (o->s.start == SFB_TIME_NONE || ts < o->s.start)
			o->s.start = ts;
		if (o->s.end == SFB_TIME_NONE || ts > o->s.end)
			o->s.end = ts;
		o->last_ts = ts;
	}
	if (line) {
		if (!o->s.first_line) {
			o->s.file = file;
			o->s.first_line = line;
		}
		o->s.last_line = line;
		o->s.last_file = file;
	}
	lru_unlink(b, o);
	lru_append(b, o);
}

/* ---- deciding a session ------------------------------------------------ */

const char *sess_outcome_name(enum sess_outcome o)
{
	switch (o) {
	case SESS_SIGNED_IN:
		return "signed-in";
	case SESS_FAILED_OUT:
		return "failed";
	case SESS_INCOMPLETE:
		break;
	}
	return "incomplete";
}

const char *sess_status_name(enum sess_status s)
{
	switch (s) {
	case SESS_OK:
		return "ok";
	case SESS_FAILED:
		return "failed";
	case SESS_NOT_SEEN:
		break;
	}
	return "not seen";
}

const char *sess_auth_names(unsigned bits, char *out, size_t outsz)
{
#define NAME(bit, s) { (bit), (s), sizeof(s) - 1 }
	static const struct {
		unsigned bit;
		const char *name;
		size_t len;
	} names[] = {
		NAME(SESS_AUTH_KERBEROS, "Kerberos"),
		NAME(SESS_AUTH_NTLM, "NTLM"),
		NAME(SESS_AUTH_TLSDSK, "TLS-DSK"),
		NAME(SESS_AUTH_NEGOTIATE, "Negotiate"),
		NAME(SESS_AUTH_OTHER, "other"),
	};
#undef NAME
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(bits & names[i].bit))
			continue;
		size_t sep = n ? 2 : 0, m = names[i].len;
		if (n + sep + m >= outsz) {     /* cut as snprintf, stop */
			str_fmt(out + n, outsz - n, "%s%s", sep ? ", " : "",
				names[i].name);
			break;
		}
		memcpy(out + n, ", ", sep);
		memcpy(out + n + sep, names[i].name, m + 1);
		n += sep + m;
	}
	return out;
}

const char *sess_setting_name(enum sess_setting_id id)
{
	static const char *const names[SESS_SET__COUNT] = {
		"location-profile", "roaming-contacts", "provisioning-v2",
		"roaming-self", "roaming-ACL", "presence",
	};
	return (unsigned)id < SESS_SET__COUNT ? names[id] : "?";
}

const char *sess_http_kind_name(enum sess_http_kind k)
{
	switch (k) {
	case SESS_HTTP_LYNCDISCOVER:
		return "lyncdiscover";
	case SESS_HTTP_AUTODISCOVER:
		return "autodiscover";
	case SESS_HTTP_WEBTICKET:
		return "webticket";
	case SESS_HTTP_CERTPROV:
		return "certprov";
	case SESS_HTTP_OTHER:
		break;
	}
	return "other";
}

unsigned sess_expected_pairs(unsigned auth_used)
{
	switch (auth_used) {
	case SESS_AUTH_KERBEROS:
	case SESS_AUTH_NEGOTIATE:
		return 2;
	case SESS_AUTH_NTLM:
		return 3;
	case SESS_AUTH_TLSDSK:
		return 4;
	}
	return 0;
}

/* A REGISTER loop: more 401s than any clean method needs, no 200. */
static int is_401_loop(const struct osess *o)
{
	return o->s.register_final != 200 && o->s.register_401 >= 4;
}

static void set_summary(struct sess_step *st, const char *fmt, ...)
	SFB_PRINTF(2, 3);
static void set_summary(struct sess_step *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	str_vfmt(st->summary, sizeof st->summary, fmt, ap);
	va_end(ap);
}

/* Append v to a step summary at off, cut at its end.  @return the end */
static size_t sum_add(char *sum, size_t off, struct sv v)
{
	size_t room = sizeof ((struct sess_step *)0)->summary - 1 - off;
	size_t n = v.n < room ? v.n : room;
	if (n)
		memcpy(sum + off, v.p, n);
	sum[off + n] = '\0';
	return off + n;
}

static void decide_discovery(struct osess *o)
{
	struct sess_step *st = &o->s.steps[SFB_STEP_DISCOVERY];
	unsigned ok = o->ok_ev[SFB_STEP_DISCOVERY];
	unsigned bad = o->fail_ev[SFB_STEP_DISCOVERY];
	const char *srv = o->s.server[0] ? o->s.server : "the server";
	if (!ok && !bad) {
		st->status = SESS_NOT_SEEN;
		if (o->register_sent)
			set_summary(st, "no discovery in the log; REGISTER "
				    "went to %s", srv);
		return;
	}
	if (ok || o->register_sent) {
		st->status = SESS_OK;
		if (o->register_sent)
			set_summary(st, "server found: %s%s",
				    o->s.server[0] ? o->s.server : "?",
				    bad ? " (after failed lookups)" : "");
		else
			set_summary(st, "%u lookup(s) answered%s", ok,
				    bad ? ", some failed" : "");
		return;
	}
	st->status = SESS_FAILED;
	set_summary(st, "every lookup failed (%u): the client found no "
		    "server to sign in to", bad);
}

static void decide_connectivity(struct osess *o)
{
	struct sess_step *st = &o->s.steps[SFB_STEP_CONNECTIVITY];
	unsigned bad = o->fail_ev[SFB_STEP_CONNECTIVITY];
	if (o->s.hop_source[0]) {
		st->status = SESS_FAILED;
		set_summary(st, "%s could not reach its next hop: REGISTER "
			    "answered %d, ms-diagnostics %u %.80s",
			    o->s.hop_source, o->s.register_final,
			    o->s.register_diag, o->s.register_diag_reason);
		return;
	}
	if (o->pool_resp || o->s.register_final || o->s.register_401) {
		st->status = SESS_OK;
		set_summary(st, "%s answered", o->s.server[0] ? o->s.server
							   : "the server");
		return;
	}
	if (bad) {
		st->status = SESS_FAILED;
		set_summary(st, "no answer from %s: connection or TLS "
			    "failure", o->s.server[0] ? o->s.server
						      : "the server");
		return;
	}
	if (o->ok_ev[SFB_STEP_CONNECTIVITY]) {
		st->status = SESS_OK;
		set_summary(st, "connection established");
		return;
	}
	st->status = SESS_NOT_SEEN;
	if (o->register_sent)
		set_summary(st, "REGISTER sent to %s, no answer in the log",
			    o->s.server[0] ? o->s.server : "the server");
}

static void decide_auth(struct osess *o)
{
	struct sess *s = &o->s;
	struct sess_step *st = &s->steps[SFB_STEP_AUTH];
	char used[48], off[64];
	if (s->register_final == 200) {
		sess_auth_names(s->auth_confirmed ? s->auth_confirmed
			: s->auth_used, used, sizeof used);
		st->status = SESS_OK;
		unsigned exp = sess_expected_pairs(s->auth_confirmed
			? s->auth_confirmed : s->auth_used);
		set_summary(st, "%s, %u REGISTER exchange%s%s", used[0] ? used
			    : "method not logged", s->register_pairs,
			    s->register_pairs == 1 ? "" : "s",
			    exp && exp != s->register_pairs
			    ? " (a clean sign-in with this method takes "
			      "another number)" : "");
		return;
	}
	if (s->hop_source[0]) {
		st->status = SESS_NOT_SEEN;
		set_summary(st, "not reached: the REGISTER stopped at %s "
			    "(connectivity to its next hop)", s->hop_source);
		return;
	}
	if (s->register_final >= 300 && s->register_final != 301 &&
	    s->register_final != 302) {
		st->status = SESS_FAILED;
		if (s->register_diag)
			set_summary(st, "REGISTER answered %d %s: "
				    "ms-diagnostics %u %s", s->register_final,
				    s->register_reason, s->register_diag,
				    s->register_diag_reason);
		else
			set_summary(st, "REGISTER answered %d %s",
				    s->register_final, s->register_reason);
		return;
	}
	/* what the last three summaries say was offered */
	sess_auth_names(s->auth_offered, off, sizeof off);
	if (is_401_loop(o)) {
		st->status = SESS_FAILED;
		set_summary(st, "REGISTER loop: %u REGISTERs, every one "
			    "answered 401 (offered: %s)", s->register_total,
			    off[0] ? off : "?");
		return;
	}
	if (s->webticket_28032 >= 2 || o->int_500) {
		st->status = SESS_FAILED;
		set_summary(st, "web ticket refused: %u answer(s) with "
			    "X-Ms-diagnostics 28032%s", s->webticket_28032,
			    o->int_500 ? ", then 500 from the web services"
				       : "");
		return;
	}
	if (o->fail_ev[SFB_STEP_AUTH] && !o->register_sent) {
		st->status = SESS_FAILED;
		set_summary(st, "authentication failed before any REGISTER");
		return;
	}
	if (s->creds_refused) {
		st->status = SESS_FAILED;
		set_summary(st, "credentials refused: a REGISTER with "
			    "credentials was answered 401 (offered: %s)",
			    off[0] ? off : "?");
		return;
	}
	st->status = SESS_NOT_SEEN;
	if (o->register_sent)
		set_summary(st, "%u REGISTER exchange%s, no final answer "
			    "(offered: %s)", s->register_pairs,
			    s->register_pairs == 1 ? "" : "s",
			    off[0] ? off : "-");
}

static void decide_redirect(struct osess *o)
{
	struct sess *s = &o->s;
	struct sess_step *st = &s->steps[SFB_STEP_REDIRECT];
	if (!s->nredirects) {
		st->status = SESS_NOT_SEEN;
		return;
	}
	if (s->redirect_loop) {
		st->status = SESS_FAILED;
		set_summary(st, "redirect loop: %u redirects, last to %s",
			    s->nredirects, s->redirect_to);
		return;
	}
	if (s->register_final == 200) {
		st->status = SESS_OK;
		set_summary(st, "redirected from %s to home pool %s",
			    s->redirect_from, s->redirect_to);
		return;
	}
	st->status = s->register_final >= 300 &&
		     s->register_final != 301 ? SESS_FAILED : SESS_NOT_SEEN;
	set_summary(st, "redirected from %s to %s, no sign-in there",
		    s->redirect_from, s->redirect_to);
}

static void decide_settings(struct osess *o)
{
	struct sess *s = &o->s;
	struct sess_step *st = &s->steps[SFB_STEP_SETTINGS];
	unsigned ok = 0, bad = 0, seen = 0;
	for (int i = 0; i < SESS_SET__COUNT; i++) {
		if (s->settings[i].status == SESS_OK)
			ok++;
		else if (s->settings[i].status == SESS_FAILED)
			bad++;
		if (s->settings[i].line)
			seen++;
	}
	if (!seen) {
		st->status = SESS_NOT_SEEN;
		return;
	}
	if (!ok && !bad) {
		st->status = SESS_NOT_SEEN;
		set_summary(st, "%u settings request(s) sent, no answer in "
			    "the log", seen);
		return;
	}
	st->status = bad ? SESS_FAILED : SESS_OK;
	/*
	 * What was answered, what failed, what was never asked for: at
	 * most 6 names and 4 labels, about 140 bytes, so nothing is cut.
	 */
#define LABEL(s) { (s), sizeof(s) - 1 }
	static const struct sv label[] = {
		LABEL("answered"), LABEL("failed"), LABEL("unanswered"),
		LABEL("not requested"),
	};
#undef LABEL
	char *sum = st->summary;
	size_t off = 0;
	for (int k = 0; k < 4; k++) {
		int first = 1;
		for (int i = 0; i < SESS_SET__COUNT; i++) {
			const struct sess_setting *x = &s->settings[i];
			int cat = !x->line ? 3 : x->status == SESS_OK ? 0
				  : x->status == SESS_FAILED ? 1 : 2;
			if (cat != k)
				continue;
			if (first) {
				if (off)
					off = sum_add(sum, off, SV_LIT("; "));
				off = sum_add(sum, off, label[k]);
				off = sum_add(sum, off, SV_LIT(": "));
			} else {
				off = sum_add(sum, off, SV_LIT(", "));
			}
			off = sum_add(sum, off, sv_cstr(sess_setting_name(
					      (enum sess_setting_id)i)));
			first = 0;
		}
	}
}

static void decide_outcome(struct osess *o)
{
	struct sess *s = &o->s;
	char used[48];
	if (s->register_final == 200) {
		sess_auth_names(s->auth_confirmed ? s->auth_confirmed
			: s->auth_used, used, sizeof used);
		s->outcome = SESS_SIGNED_IN;
		str_fmt(s->outcome_text, sizeof s->outcome_text,
				 "signed in%s%s after %u REGISTER "
				 "exchange%s%s", used[0] ? " with " : "",
				 used[0] ? used : " (method not logged)",
				 s->register_pairs,
				 s->register_pairs == 1 ? "" : "s",
				 s->nredirects ? ", at the home pool" : "");
		return;
	}
	int failed = 0;
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++)
		if (s->steps[i].status == SESS_FAILED &&
		    i != SFB_STEP_SETTINGS)
			failed = i;
	if (failed) {
		s->outcome = SESS_FAILED_OUT;
		s->failed_step = (enum sfb_step)failed;
		str_fmt(s->outcome_text, sizeof s->outcome_text, "%s failed: "
			"%s", sfb_step_name((enum sfb_step)failed),
			s->steps[failed].summary);
		return;
	}
	s->outcome = SESS_INCOMPLETE;
	const char *where = !o->register_sent ? "before any REGISTER"
			    : "during authentication";
	str_fmt(s->outcome_text, sizeof s->outcome_text, "the sign-in did "
		"not finish in the log: it stops %s", where);
}

static void finish(struct osess *o)
{
	decide_discovery(o);
	decide_connectivity(o);
	decide_auth(o);
	decide_redirect(o);
	decide_settings(o);
	decide_outcome(o);
}

static void ring_add(struct sess_builder *b, uint64_t key, uint64_t call)
{
	if (!key || !call)
		return;
	struct ring_ent *r = &b->ring[b->ring_pos % RING];
	if (r->call)
		b->ring_count[r->call % RING_COUNTS]--;
	*r = (struct ring_ent){ key, call };
	b->ring_count[call % RING_COUNTS]++;
	b->ring_pos++;
}

static int ring_has(const struct sess_builder *b, uint64_t key,
		    uint64_t call)
{
	if (!b->ring_count[call % RING_COUNTS])
		return 0;
	for (unsigned i = 0; i < RING; i++)
		if (b->ring[i].key == key && b->ring[i].call == call)
			return 1;
	return 0;
}

static void held_remove(struct sess_builder *b, struct osess *o)
{
	for (size_t i = 0; i < b->nweb; i++)
		if (b->web[i] == o) {
			b->web[i] = b->web[--b->nweb];
			break;
		}
	o->held = 0;
}

/* A held web phase that shows a failure: a sign-in attempt of its own. */
static int held_failed(const struct osess *o)
{
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++)
		if (o->fail_ev[i])
			return 1;
	return o->s.webticket_28032 || o->int_500;
}

static void close_sess(struct sess_builder *b, struct osess *o)
{
	int report = 1;
	if (b->ending == o)
		b->ending = NULL;
	if (o->held) {
		/* unclaimed: reported only when it failed */
		held_remove(b, o);
		report = held_failed(o);
		if (report && !o->s.id)
			o->s.id = ++b->next_id;
		if (report)
			b->web_stats.late_msgs += o->held_msgs;
	}
	if (o->state == ST_SIGNED_IN)
		ring_add(b, o->key, o->reg_call);
	hash_remove(b, o);
	lru_unlink(b, o);
	settle_unlink(b, o);
	if (b->current == o)
		b->current = NULL;
	b->nopen--;
	if (report && b->sink.on_session) {
		finish(o);
		b->sink.on_session(b->sink.ud, &o->s);
	}
	if (b->nspare < SPARE) {
		b->spare[b->nspare++] = o;      /* its props array too */
		return;
	}
	free(o->s.props);
	free(o);
}

/*
 * Set o up as a new session, as if it were calloc'd: every field is
 * cleared but the evidence lines of each step and the web-service
 * calls, which are written before they are read (below nev, nhttp),
 * and the props array, which is kept for reuse (nprops is cleared).
 * That saves clearing 30 KB per sign-in.
 */
/* sess_clear's ranges: what lies between them is what it keeps */
_Static_assert(offsetof(struct sess, server) ==
	       offsetof(struct sess, steps) + sizeof ((struct sess *)0)->steps,
	       "sess_clear: a field between steps and server is not cleared");
_Static_assert(offsetof(struct sess, nhttp) ==
	       offsetof(struct sess, http) + sizeof ((struct sess *)0)->http,
	       "sess_clear: a field between http and nhttp is not cleared");
_Static_assert(offsetof(struct osess, key) ==
	       offsetof(struct osess, s) + sizeof ((struct osess *)0)->s,
	       "sess_clear: a field between s and key is not cleared");

static void sess_clear(struct osess *o)
{
	struct sess *s = &o->s;
	struct sess_prop *props = s->props;
	memset(s, 0, offsetof(struct sess, steps));
	for (int k = 0; k < SFB_STEP__COUNT; k++) {
		struct sess_step *st = &s->steps[k];
		st->status = SESS_NOT_SEEN;
		st->summary[0] = '\0';
		st->nev = 0;
		st->nev_total = 0;
	}
	memset(s->server, 0, offsetof(struct sess, http) -
	       offsetof(struct sess, server));
	memset(&s->nhttp, 0, sizeof *s - offsetof(struct sess, nhttp));
	s->props = props;
	memset(&o->key, 0, sizeof *o - offsetof(struct osess, key));
}

/* A new open session; id 0 (the caller numbers it). */
static struct osess *new_sess(struct sess_builder *b, uint64_t key)
{
	while (b->nopen >= b->max_open && b->lru_head) {
		b->lru_head->s.evicted = 1;
		close_sess(b, b->lru_head);
	}
	struct osess *o;
	if (b->nspare) {
		o = b->spare[--b->nspare];
	} else {
		o = sfb_xmalloc(sizeof *o);
		o->s.props = NULL;
	}
	sess_clear(o);
	o->s.start = o->s.end = SFB_TIME_NONE;
	for (int k = 0; k < SFB_STEP__COUNT; k++)
		o->s.steps[k].first_ts = o->s.steps[k].last_ts =
			SFB_TIME_NONE;
	o->s.signin_ms = -1;
	o->s.client_log = b->client_log;
	o->last_ts = o->signin_ts = SFB_TIME_NONE;
	o->key = key;
	b->nopen++;
	hash_insert(b, o);
	lru_append(b, o);
	return o;
}

static struct osess *open_sess(struct sess_builder *b, uint64_t key)
{
	struct osess *o = new_sess(b, key);
	o->s.id = ++b->next_id;
	if (b->client_log)
		b->current = o;
	return o;
}

static void end_deferred(struct sess_builder *b)
{
	if (b->ending)
		close_sess(b, b->ending);
}

/* ts is more than SFB_SESS_ATTACH_MS of log time after since. */
static int past_window(int64_t since, int64_t ts)
{
	return since != SFB_TIME_NONE && ts != SFB_TIME_NONE && ts > since &&
	       (uint64_t)ts - (uint64_t)since > SFB_SESS_ATTACH_MS;
}

/* Let go of held web phases that no REGISTER claimed in the window. */
static void held_sweep(struct sess_builder *b, int64_t now)
{
	if (!b->nweb || !past_window(b->web_oldest, now))
		return;
	int64_t oldest = SFB_TIME_NONE;
	for (size_t i = 0; i < b->nweb;) {
		struct osess *o = b->web[i];
		if (past_window(o->last_ts, now)) {
			close_sess(b, o);   /* moves the last one to i */
			continue;
		}
		if (o->last_ts != SFB_TIME_NONE &&
		    (oldest == SFB_TIME_NONE || o->last_ts < oldest))
			oldest = o->last_ts;
		i++;
	}
	b->web_oldest = oldest;
}

/* Close what went idle, and signed-in sessions whose settle time is up. */
static void sweep(struct sess_builder *b, int64_t now)
{
	if (now == SFB_TIME_NONE)
		return;
	held_sweep(b, now);
	while (b->lru_head && b->lru_head->last_ts != SFB_TIME_NONE &&
	       now > b->lru_head->last_ts &&
	       (uint64_t)now - (uint64_t)b->lru_head->last_ts >
		       SFB_SESS_IDLE_MS)
		close_sess(b, b->lru_head);
	while (b->set_head && b->set_head->signin_ts != SFB_TIME_NONE &&
	       now > b->set_head->signin_ts &&
	       (uint64_t)now - (uint64_t)b->set_head->signin_ts >
		       SFB_SESS_SETTLE_MS)
		close_sess(b, b->set_head);
}

static void note_server(struct osess *o, const struct msg *m)
{
	if (!m->server[0])
		return;
	struct sv srv = sv_cstr(m->server);
	long bs = sv_find_char(srv, '\\');
	if (bs >= 0)
		srv.n = (size_t)bs;
	for (size_t i = 0; i < o->s.nservers; i++)
		if (sv_eq(sv_cstr(o->s.servers_seen[i]), srv))
			return;
	if (o->s.nservers < SESS_MAX_SERVERS)
		sv_copy(o->s.servers_seen[o->s.nservers++],
			sizeof o->s.servers_seen[0], srv);
}

/* ---- the phase before the first REGISTER ---------------------------- */

/* The host part of "host:port" / "[v6]:port" into out. */
static void host_of(const char *ep, char *out, size_t outsz)
{
	struct sv v = sv_cstr(ep);
	long c = v.n && v.p[0] == '[' ? sv_find_char(v, ']')
				      : sv_find_char(v, ':');
	if (c >= 0)
		v.n = (size_t)c + (v.p[0] == '[');
	sv_copy(out, outsz, v);
}


/* o has sent no REGISTER yet: discovery and web services only. */
static int before_register(const struct osess *o)
{
	return !o->register_sent && o->state == ST_DISCOVERY;
}

static int same_user(const char *a, struct sv b)
{
	return a[0] && sv_ieq(sv_cstr(a), b);
}

/*
 * Is discovery activity at ts (naming user, or "") a new sign-in
 * attempt, or more of o?  More of o: the phase before o's first
 * REGISTER, within the window or after an Autodiscover redirect, and
 * the discovery of the home pool after a 301.  Another user, or o past
 * its REGISTERs: a new attempt.
 */
static int new_attempt(const struct osess *o, int64_t ts, const char *user)
{
	if (user[0] && o->s.user[0] && !same_user(o->s.user, sv_cstr(user)))
		return 1;
	if (o->redirect_pending && o->state != ST_SIGNED_IN)
		return 0;
	if (before_register(o))
		return !o->web_redirect && past_window(o->last_ts, ts);
	return 1;
}

/*
 * May the REGISTER of user at ts take over the phase o (no REGISTER
 * yet)?  When lyncdiscover named that user; when it named nobody, if
 * the REGISTER comes within the window.
 */
static int claims(const struct osess *o, struct sv user, int64_t ts)
{
	if (o->s.user[0])
		return same_user(o->s.user, user);
	return !past_window(o->last_ts, ts);
}

/*
 * Server trace: the held web phase the REGISTER of user from peer
 * claims (its user, else one without a user from the peer's host), or
 * NULL.  Taken out of the array and numbered.
 */
static struct osess *held_claim(struct sess_builder *b, struct sv user,
				const char *peer, int64_t ts)
{
	char host[64];
	struct osess *best = NULL;
	host_of(peer, host, sizeof host);
	for (size_t i = 0; i < b->nweb; i++) {
		struct osess *o = b->web[i];
		if (!claims(o, user, ts) ||
		    (!o->s.user[0] && (!host[0] ||
				       strcmp(o->web_peer, host) != 0)))
			continue;
		/* the user's own phase first, then the newest */
		if (!best || (o->s.user[0] && !best->s.user[0]) ||
		    (!best->s.user[0] == !o->s.user[0] &&
		     o->last_ts > best->last_ts))
			best = o;
	}
	if (best) {
		held_remove(b, best);
		if (!best->s.id)
			best->s.id = ++b->next_id;
		b->web_stats.late_msgs += best->held_msgs;
	}
	return best;
}

/* Server trace: hold a new web phase from peer (user: "" if unknown). */
static struct osess *held_open(struct sess_builder *b, const char *peer,
			       const char *user, const struct msg *m)
{
	if (b->nweb >= SESS_MAX_WEB) {
		/* let the oldest go, and count it */
		struct osess *old = b->web[0];
		for (size_t i = 1; i < b->nweb; i++)
			if (b->web[i]->last_ts < old->last_ts)
				old = b->web[i];
		if (!b->web_stats.dropped++) {
			b->web_stats.drop_file = old->s.file;
			b->web_stats.drop_line = old->s.first_line;
		}
		close_sess(b, old);
	}
	struct osess *o = new_sess(b, 0);
	o->held = 1;
	host_of(peer, o->web_peer, sizeof o->web_peer);
	sv_copy(o->s.user, sizeof o->s.user, sv_cstr(user));
	if (!b->nweb || (m->ts != SFB_TIME_NONE &&
			 (b->web_oldest == SFB_TIME_NONE ||
			  m->ts < b->web_oldest)))
		b->web_oldest = m->ts;
	b->web[b->nweb++] = o;
	return o;
}

/* ---- SIP ---------------------------------------------------------------- */

static int event_setting(struct sv event)
{
	if (sv_ieq_cstr(event, "vnd-microsoft-roaming-contacts"))
		return SESS_SET_CONTACTS;
	if (sv_ieq_cstr(event, "vnd-microsoft-provisioning-v2"))
		return SESS_SET_PROVISIONING;
	if (sv_ieq_cstr(event, "vnd-microsoft-roaming-self"))
		return SESS_SET_SELF;
	if (sv_ieq_cstr(event, "vnd-microsoft-roaming-ACL"))
		return SESS_SET_ACL;
	if (sv_ieq_cstr(event, "presence"))
		return SESS_SET_PRESENCE;
	return -1;
}

struct prov_ctx {
	struct osess *o;
	int group;
};

static void prov_group(void *ud, const char *group)
{
	struct prov_ctx *c = ud;
	struct sess *s = &c->o->s;
	c->group = -1;
	for (size_t i = 0; i < s->ngroups; i++)
		if (strcmp(s->groups[i], group) == 0)
			c->group = (int)i;
	if (c->group < 0 && s->ngroups < SESS_MAX_GROUPS) {
		sv_copy(s->groups[s->ngroups], sizeof s->groups[0],
			sv_cstr(group));
		c->group = (int)s->ngroups++;
	}
}

static void prov_prop(void *ud, const char *group, const char *name,
		      const char *value)
{
	struct prov_ctx *c = ud;
	struct sess *s = &c->o->s;
	(void)group;
	s->nprops_total++;
	if (c->group < 0 || s->nprops >= SESS_MAX_PROPS)
		return;
	if (!s->props)
		s->props = sfb_xcalloc(SESS_MAX_PROPS, sizeof *s->props);
	struct sess_prop *p = &s->props[s->nprops++];
	p->group = (uint8_t)c->group;
	sv_copy(p->name, sizeof p->name, sv_cstr(name));
	sv_copy(p->value, sizeof p->value, sv_cstr(value));
}

static void settings_answer(struct sess_builder *b, struct osess *o,
			    const struct msg *m, int id)
{
	struct sess *s = &o->s;
	struct sess_setting *set = &s->settings[id];
	set->code = m->status;
	if (!set->line) {
		set->file = m->file;
		set->line = m->line_first;
	}
	if (m->status >= 300) {
		set->status = SESS_FAILED;
		evidence(o, SFB_STEP_SETTINGS, 1, m->file, m->line_first,
			 m->ts, "%s answered %d %.*s", sess_setting_name(
				 (enum sess_setting_id)id), m->status,
			 (int)m->status_reason.n, m->status_reason.p);
		return;
	}
	set->status = SESS_OK;
	evidence(o, SFB_STEP_SETTINGS, 0, m->file, m->line_first, m->ts,
		 "%s answered %d", sess_setting_name(
			 (enum sess_setting_id)id), m->status);
	if (id == SESS_SET_PROVISIONING && m->body.n) {
		struct prov_ctx c = { o, -1 };
		struct xmlbody_prov_sink ps = { prov_group, prov_prop, &c };
		/* read ahead on a worker (par.c), or here */
		int rc = m->prov ? xmlprov_replay(m->prov, &ps)
				 : xmlbody_provisioning(m->body, &ps);
		/* a body of ours that was not read: its settings are
		 * missing, which the report must say (issue 8) */
		if (rc < XMLBODY_NONE)
			evidence(o, SFB_STEP_SETTINGS, 1, m->file,
				 m->line_first, m->ts, "provisioning-v2 body "
				 "not read: %s", xmlbody_rc_text(rc));
	} else if (id == SESS_SET_LOCATION_PROFILE && m->body.n) {
		location_profile(b, s, m->body);
	}
}

/* A SERVICE or SUBSCRIBE of the settings phase, or its answer. */
static int settings_msg(struct sess_builder *b, struct osess *o,
			const struct msg *m)
{
	uint64_t call = call_key(b, m->call_id);
	if (m->kind == MSG_REQUEST) {
		int id = -1;
		if (sv_ieq_cstr(m->method, "SERVICE"))
			id = SESS_SET_LOCATION_PROFILE;
		else if (sv_ieq_cstr(m->method, "SUBSCRIBE"))
			id = event_setting(m->event);
		if (id < 0)
			return 0;
		/* SERVICE is used for more than the location profile */
		if (id == SESS_SET_LOCATION_PROFILE &&
		    o->s.settings[id].status == SESS_OK)
			return 0;
		if (!o->s.settings[id].line) {
			o->s.settings[id].file = m->file;
			o->s.settings[id].line = m->line_first;
		}
		if (o->npend < MAX_PENDING)
			o->pend[o->npend++] = (struct pending){ call, m->cseq,
								 id };
		o->settings_seen = 1;
		return 1;
	}
	for (size_t i = 0; i < o->npend; i++) {
		if (o->pend[i].call != call || o->pend[i].cseq != m->cseq)
			continue;
		if (m->status < 200)
			return 1;
		settings_answer(b, o, m, o->pend[i].setting);
		o->pend[i] = o->pend[--o->npend];
		return 1;
	}
	return 0;
}

static int settings_complete(const struct osess *o)
{
	for (int i = 0; i < SESS_SET__COUNT; i++)
		if (o->s.settings[i].status == SESS_NOT_SEEN)
			return 0;
	return 1;
}

static void register_request(struct sess_builder *b, struct osess *o,
			     const struct msg *m)
{
	struct sess *s = &o->s;
	if (o->redirect_pending) {
		/* the home pool: a new registration, counts start again */
		o->redirect_pending = 0;
		o->pool_req = o->pool_resp = 0;
		s->register_pairs = 0;
		o->reg_call = call_key(b, m->call_id);
	}
	if (!o->reg_call)
		o->reg_call = call_key(b, m->call_id);
	o->register_sent++;
	o->pool_req++;
	s->register_total++;
	if (o->state < ST_REGISTERING)
		o->state = ST_REGISTERING;
	if (m->user_agent.n && !s->client_version[0])
		sv_copy(s->client_version, sizeof s->client_version,
			m->user_agent);
	unsigned used = auth_bits(m, MSG_AUTH_AUTHORIZATION,
				  MSG_AUTH_PROXY_AUTHORIZATION);
	o->last_creds = auth_token(m, MSG_AUTH_AUTHORIZATION,
				   MSG_AUTH_PROXY_AUTHORIZATION);
	if (o->last_creds)
		s->register_creds++;
	if (used)
		s->auth_used = used & SESS_AUTH_TLSDSK ? SESS_AUTH_TLSDSK
			: used & SESS_AUTH_KERBEROS ? SESS_AUTH_KERBEROS
			: used & SESS_AUTH_NTLM ? SESS_AUTH_NTLM : used;
	struct sv to = sv_cstr(b->client_log ? m->remote : m->server);
	long bs = b->client_log ? -1 : sv_find_char(to, '\\');
	if (bs >= 0)
		to.n = (size_t)bs;    /* "fe01\\fe01": the server's name */

	if (to.n && (!s->server[0] || o->pool_req == 1))
		sv_copy(s->server, sizeof s->server, to);
	if (o->register_sent == 1 && to.n)
		evidence(o, SFB_STEP_CONNECTIVITY, 0, m->file, m->line_first,
			 m->ts, "REGISTER sent to %.*s", (int)to.n, to.p);
	else if (o->register_sent == 1)
		evidence(o, SFB_STEP_CONNECTIVITY, 0, m->file, m->line_first,
			 m->ts, "REGISTER sent (the log names no server "
			 "address)");
}

static void register_response(struct osess *o, const struct msg *m)
{
	struct sess *s = &o->s;
	char names[64];
	if (m->status < 200)
		return;
	o->pool_resp++;
	s->register_pairs = o->pool_resp < o->pool_req ? o->pool_resp
						       : o->pool_req;
	if (m->server_hdr.n && !s->server_version[0])
		sv_copy(s->server_version, sizeof s->server_version,
			m->server_hdr);
	if (o->pool_resp == 1)
		evidence(o, SFB_STEP_CONNECTIVITY, 0, m->file, m->line_first,
			 m->ts, "the server answered REGISTER (%d)",
			 m->status);
	if (m->status == 401 || m->status == 407) {
		s->register_401++;
		unsigned off = auth_bits(m, MSG_AUTH_WWW,
					 MSG_AUTH_PROXY_AUTHENTICATE);
		s->auth_offered |= off;
		/*
		 * A challenge is no error: the first 401 answers a
		 * REGISTER without credentials, and each 401 carrying a
		 * handshake token continues NTLM / Kerberos / TLS-DSK.
		 * Credentials are refused when a REGISTER that carried
		 * them gets a 401 with no token to go on with.
		 */
		int refused = o->last_creds &&
			      !auth_token(m, MSG_AUTH_WWW,
					  MSG_AUTH_PROXY_AUTHENTICATE);
		if (refused)
			s->creds_refused = 1;
		if (s->register_401 <= 2 || refused || is_401_loop(o))
			evidence(o, SFB_STEP_AUTH, refused || is_401_loop(o),
				 m->file, m->line_first, m->ts,
				 "REGISTER answered %d %.*s%s%s%s", m->status,
				 (int)m->status_reason.n, m->status_reason.p,
				 off ? ", offering " : "",
				 off ? sess_auth_names(off, names,
						       sizeof names) : "",
				 refused ? " (credentials refused)"
				 : o->last_creds ? " (handshake goes on)"
				 : " (challenge)");
		return;
	}
	s->register_final = m->status;
	sv_copy(s->register_reason, sizeof s->register_reason,
		m->status_reason);
	if (m->ndiags) {
		s->register_diag = m->diags[0].code;
		sv_copy(s->register_diag_reason,
			sizeof s->register_diag_reason, m->diags[0].reason);
		/*
		 * SIP-stack ids a server raises about its own next hop
		 * (MS-OCER 1007-1011, 1014): the hop failed, not the
		 * user's authentication; the source names that server.
		 */
		uint32_t c = m->diags[0].code;
		if (m->status >= 400 && ((c >= 1007 && c <= 1011) ||
					 c == 1014))
			sv_copy(s->hop_source, sizeof s->hop_source,
				m->diags[0].source.n ? m->diags[0].source
				: SV_LIT("a server"));
	}
	if (m->status >= 200 && m->status < 300) {
		unsigned conf = auth_bits(m, MSG_AUTH_INFO,
					  MSG_AUTH_PROXY_INFO);
		if (conf)
			s->auth_confirmed = conf;
		evidence(o, SFB_STEP_AUTH, 0, m->file, m->line_first, m->ts,
			 "REGISTER answered %d %.*s%s%s", m->status,
			 (int)m->status_reason.n, m->status_reason.p,
			 conf ? ", Authentication-Info " : "",
			 conf ? sess_auth_names(conf, names, sizeof names)
			      : "");
		if (s->nredirects)
			evidence(o, SFB_STEP_REDIRECT, 0, m->file,
				 m->line_first, m->ts, "signed in at %s",
				 s->redirect_to);
		return;
	}
	if (m->status == 301 || m->status == 302) {
		struct sv to = contact_uri(m->contact);
		char prev[128];
		sv_copy(prev, sizeof prev, sv_cstr(s->redirect_to));
		s->nredirects++;
		if (!s->redirect_from[0])
			sv_copy(s->redirect_from, sizeof s->redirect_from,
				sv_cstr(s->server));
		sv_copy(s->redirect_to, sizeof s->redirect_to, to);
		if ((prev[0] && strcmp(prev, s->redirect_to) == 0) ||
		    s->nredirects > 3)
			s->redirect_loop = 1;
		o->redirect_pending = 1;
		s->register_final = 0;
		evidence(o, SFB_STEP_REDIRECT, s->redirect_loop, m->file,
			 m->line_first, m->ts, "%d %.*s to %.*s", m->status,
			 (int)m->status_reason.n, m->status_reason.p,
			 (int)to.n, to.p);
		return;
	}
	if (m->ndiags)
		evidence(o, s->hop_source[0] ? SFB_STEP_CONNECTIVITY
			 : SFB_STEP_AUTH, 1, m->file, m->line_first, m->ts,
			 "REGISTER answered %d %.*s: ms-diagnostics %u %.*s",
			 m->status, (int)m->status_reason.n,
			 m->status_reason.p, m->diags[0].code,
			 (int)m->diags[0].reason.n, m->diags[0].reason.p);
	else
		evidence(o, SFB_STEP_AUTH, 1, m->file, m->line_first, m->ts,
			 "REGISTER answered %d %.*s", m->status,
			 (int)m->status_reason.n, m->status_reason.p);
}

static unsigned sip_msg(struct sess_builder *b, const struct msg *m,
			int copy)
{
	int is_register = m->kind == MSG_REQUEST
		? sv_ieq_cstr(m->method, "REGISTER")
		: sv_ieq_cstr(m->cseq_method, "REGISTER");
	if (!m->from_uri.n)
		return 0;
	uint64_t key = from_key(b, m->from_uri, m->from_epid);
	struct osess *o = hash_find(b, key);

	if (!is_register) {
		if (!o || o->state != ST_SIGNED_IN)
			return 0;
		if (copy) {
			note_server(o, m);
			return o->s.id;
		}
		if (!settings_msg(b, o, m))
			return 0;
		o->s.nmsgs++;
		touch(b, o, m->file, m->line_first, m->ts);
		unsigned id = o->s.id;
		if (settings_complete(o))
			close_sess(b, o);
		return id;
	}

	if (m->kind == MSG_REQUEST && !copy) {
		uint64_t call = call_key(b, m->call_id);
		if (m->expires == 0) {
			if (!o)
				return 0;
			o->s.signed_out = 1;
			evidence(o, SFB_STEP_SETTINGS, 0, m->file,
				 m->line_first, m->ts, "signed out "
				 "(REGISTER with Expires: 0)");
			touch(b, o, m->file, m->line_first, m->ts);
			unsigned id = o->s.id;
			close_sess(b, o);
			return id;
		}
		if (o && o->state == ST_SIGNED_IN) {
			if (o->reg_call == call) {
				o->s.nmsgs++;
				return o->s.id;  /* a refresh */
			}
			close_sess(b, o);
			o = NULL;
		} else if (o && o->reg_call && o->reg_call != call &&
			   !o->redirect_pending) {
			/* a new registration: the client started over */
			close_sess(b, o);
			o = NULL;
		}
		if (!o && ring_has(b, key, call))
			return 0;        /* refresh of a closed sign-in */
		if (!o && b->client_log && b->current && !b->current->key) {
			/* discovery and the web services went before the
			 * user was known: theirs is this sign-in, if it
			 * follows them closely or they named this user */
			if (claims(b->current, m->from_uri, m->ts))
				o = b->current;
			else
				close_sess(b, b->current);
		} else if (!o && !b->client_log) {
			o = held_claim(b, m->from_uri, m->remote, m->ts);
		}
		if (o && !o->key) {
			o->key = key;
			hash_insert(b, o);
		}
		if (!o)
			o = open_sess(b, key);
		/* a lyncdiscover ?sipuri= may have named the user already */
		if (!o->s.user[0])
			sv_copy(o->s.user, sizeof o->s.user, m->from_uri);
		if (!o->s.epid[0])
			sv_copy(o->s.epid, sizeof o->s.epid, m->from_epid);
		register_request(b, o, m);
	} else {
		if (!o)
			return 0;
		if (copy) {
			note_server(o, m);
			return o->s.id;
		}
		if (m->kind == MSG_RESPONSE) {
			if (o->state == ST_SIGNED_IN) {
				o->s.nmsgs++;
				return o->s.id;  /* answer to a refresh */
			}
			register_response(o, m);
		}
	}
	note_server(o, m);
	o->s.nmsgs++;
	touch(b, o, m->file, m->line_first, m->ts);
	unsigned id = o->s.id;
	if (m->kind == MSG_RESPONSE && o->s.register_final == 200 &&
	    o->state != ST_SIGNED_IN) {
		o->state = ST_SIGNED_IN;
		o->signin_ts = m->ts;
		if (m->ts != SFB_TIME_NONE && o->s.start != SFB_TIME_NONE &&
		    m->ts >= o->s.start)
			o->s.signin_ms = m->ts - o->s.start;
		settle_append(b, o);
	} else if (m->kind == MSG_RESPONSE && o->s.register_final >= 300 &&
		   !o->redirect_pending) {
		b->ending = o;           /* a final refusal ends it */
	} else if (o->s.redirect_loop) {
		b->ending = o;
	}
	return id;
}

/* ---- HTTP --------------------------------------------------------------- */

/* v holds word right at off (ASCII case ignored). */
static int word_at(struct sv v, size_t off, struct sv word)
{
	return off <= v.n && v.n - off >= word.n &&
	       sv_ieq(sv_make(v.p + off, word.n), word);
}

/*
 * What a web-service call is: the path names the Web Ticket service
 * ("/webticket/" anywhere, ASCII case ignored), else CertProv, else the
 * host lyncdiscover, else the path Autodiscover.  One pass over the
 * path's slashes finds each of the three names.
 */
static enum sess_http_kind http_kind(struct sv host, struct sv path)
{
	int webticket = 0, certprov = 0, autodiscover = 0;
	for (long i = sv_find_char(path, '/'); i >= 0;) {
		size_t at = (size_t)i + 1;
		webticket |= word_at(path, at, SV_LIT("webticket/"));
		certprov |= word_at(path, at, SV_LIT("certprov/"));
		autodiscover |= word_at(path, at, SV_LIT("autodiscover/"));
		long next = sv_find_char(sv_make(path.p + at, path.n - at),
					 '/');
		i = next < 0 ? -1 : (long)at + next;
	}
	if (webticket)
		return SESS_HTTP_WEBTICKET;
	if (certprov)
		return SESS_HTTP_CERTPROV;
	if (sv_istarts(host, "lyncdiscover"))
		return SESS_HTTP_LYNCDISCOVER;
	if (autodiscover)
		return SESS_HTTP_AUTODISCOVER;
	return SESS_HTTP_OTHER;
}

static struct sv path_only(struct sv uri)
{
	long q = sv_find_char(uri, '?');
	if (q >= 0)
		uri.n = (size_t)q;
	/* absolute form: drop scheme and host */
	long s = sv_find(uri, "://");
	if (s >= 0) {
		sv_skip(&uri, (size_t)s + 3);
		long sl = sv_find_char(uri, '/');
		if (sl >= 0)
			sv_skip(&uri, (size_t)sl);
	}
	return uri;
}

/* The sipuri= of a URL query, as "sip:user@domain" into out. */
static int sipuri_of(struct sv uri, char *out, size_t outsz)
{
	/* the first "sipuri=": each '=' is tried for the name before it */
	long i = sv_find_char(uri, '=');
	while (i >= 0 && (i < 6 || !word_at(uri, (size_t)i - 6,
					       SV_LIT("sipuri")))) {
		long next = sv_find_char(sv_make(uri.p + i + 1,
						 uri.n - (size_t)i - 1), '=');
		i = next < 0 ? -1 : i + 1 + next;
	}
	if (i < 0)
		return 0;
	sv_skip(&uri, (size_t)i + 1);
	long amp = sv_find_char(uri, '&');
	if (amp >= 0)
		uri.n = (size_t)amp;
	if (!uri.n)
		return 0;
	if (sv_istarts(uri, "sip:") || sv_istarts(uri, "sip%3a"))
		sv_skip(&uri, uri.p[3] == ':' ? 4 : 6);
	str_fmt(out, outsz, "sip:%.*s", (int)uri.n, uri.p);
	return 1;
}

/*
 * Web requests of a server trace carry no user; the first one of a
 * sign-in (lyncdiscover, ?sipuri=) does.  Remember who asked from each
 * web peer, so the next calls from that peer (often a reverse proxy)
 * go to that user's session.  A heuristic: one user at a time per peer.
 */
static void peer_remember(struct sess_builder *b, const char *peer,
			  const char *user)
{
	char host[64];
	host_of(peer, host, sizeof host);
	for (unsigned i = 0; i < 16; i++) {
		if (strcmp(b->peers[i].host, host) == 0) {
			sv_copy(b->peers[i].user, sizeof b->peers[i].user,
				sv_cstr(user));
			return;
		}
	}
	unsigned i = b->peer_pos++ % 16;
	sv_copy(b->peers[i].host, sizeof b->peers[i].host, sv_cstr(host));
	sv_copy(b->peers[i].user, sizeof b->peers[i].user, sv_cstr(user));
}

static const char *peer_user(const struct sess_builder *b, const char *peer)
{
	char host[64];
	host_of(peer, host, sizeof host);
	for (unsigned i = 0; i < 16; i++)
		if (b->peers[i].host[0] && strcmp(b->peers[i].host, host) == 0)
			return b->peers[i].user;
	return NULL;
}

/* Server trace: a held web phase without a user from peer's host. */
static struct osess *held_find(struct sess_builder *b, const char *peer)
{
	char host[64];
	host_of(peer, host, sizeof host);
	for (size_t i = 0; host[0] && i < b->nweb; i++)
		if (!b->web[i]->s.user[0] &&
		    strcmp(b->web[i]->web_peer, host) == 0)
			return b->web[i];
	return NULL;
}

static struct osess *find_user(struct sess_builder *b, const char *user)
{
	for (struct osess *o = b->lru_tail; o; o = o->lru_prev)
		if (strcmp(o->s.user, user) == 0)
			return o;
	return NULL;
}

static enum sfb_step http_step(enum sess_http_kind k, int status,
			       const struct msg *m)
{
	if (k == SESS_HTTP_WEBTICKET || k == SESS_HTTP_CERTPROV)
		return SFB_STEP_AUTH;
	if (status == 401 || m->ndiags)
		return SFB_STEP_AUTH;
	if (k == SESS_HTTP_LYNCDISCOVER || k == SESS_HTTP_AUTODISCOVER)
		return SFB_STEP_DISCOVERY;
	return SFB_STEP_NONE;
}

/* The unanswered call of o for this path (the newest), or NULL. */
static struct sess_http *pending_call(struct osess *o, struct sv path)
{
	char url_path[160];
	sv_copy(url_path, sizeof url_path, path);
	for (size_t i = o->s.nhttp; i-- > 0;) {
		struct sess_http *h = &o->s.http[i];
		size_t ul = strlen(h->url), pl = strlen(url_path);
		if (!h->status && ul >= pl &&
		    strcmp(h->url + ul - pl, url_path) == 0)
			return h;
	}
	return NULL;
}

static enum sess_http_kind pending_kind(struct osess *o, struct sv path)
{
	struct sess_http *h = pending_call(o, path);
	return h ? h->kind : SESS_HTTP_OTHER;
}

/*
 * A Redirect link in an Autodiscover answer (XML token="Redirect", JSON
 * "token":"Redirect" or "redirect":{"href": ...}); its href (may be
 * empty) into href.
 */
static int redirect_link(struct sv body, struct sv *href)
{
	/* each mark holds "redirect" at word: found by one pass over the
	 * body for that word; the first mark of the list that is there
	 * wins, at its first place */
	static const struct { const char *mark; size_t word; } marks[] = {
		{ "token=\"redirect\"", 7 },
		{ "\"token\":\"redirect\"", 9 },
		{ "\"redirect\":", 1 },
	};
	enum { NMARKS = sizeof marks / sizeof marks[0] };
	long first[NMARKS] = { -1, -1, -1 };
	for (size_t from = 0; from < body.n && first[0] < 0;) {
		long w = str_find(sv_make(body.p + from, body.n - from),
				  SV_LIT("redirect"), 1);
		if (w < 0)
			break;
		size_t at = from + (size_t)w;
		for (size_t i = 0; i < NMARKS; i++)
			if (first[i] < 0 && at >= marks[i].word &&
			    word_at(body, at - marks[i].word,
				    sv_cstr(marks[i].mark)))
				first[i] = (long)(at - marks[i].word);
		from = at + 1;
	}
	for (size_t i = 0; i < NMARKS; i++) {
		long at = first[i];
		if (at < 0)
			continue;
		struct sv v = body;
		sv_skip(&v, (size_t)at);
		if (v.n > 400)
			v.n = 400;
		*href = SV_NULL;
		long h = str_find(v, SV_LIT("href"), 1);
		if (h >= 0) {
			sv_skip(&v, (size_t)h + 4);
			long q = sv_find_char(v, '"');
			if (q >= 0 && q < 4) {
				sv_skip(&v, (size_t)q + 1);
				long e = sv_find_char(v, '"');
				if (e >= 0)
					*href = (struct sv){ v.p, (size_t)e };
			}
		}
		return 1;
	}
	return 0;
}

static void http_answer(struct sess_builder *b, struct osess *o,
			const struct msg *m, struct sv req_method,
			struct sv req_uri)
{
	struct sess *s = &o->s;
	struct sv path = path_only(req_uri);
	struct sess_http *h = pending_call(o, path);
	enum sess_http_kind kind = h ? h->kind
				     : http_kind(SV_NULL, path);
	if (h) {
		h->status = m->status;
		if (m->ndiags) {
			h->diag_code = m->diags[0].code;
			sv_copy(h->diag_reason, sizeof h->diag_reason,
				m->diags[0].reason);
		}
		struct sv body = sv_trim(m->body);
		struct xmlbody_fault f;
		if (body.n && body.p[0] == '<' &&
		    soap_fault(b, m->body, &f)) {
			sv_copy(h->fault_code, sizeof h->fault_code,
				sv_cstr(f.code));
			sv_copy(h->fault_reason, sizeof h->fault_reason,
				sv_cstr(f.reason));
		}
	}
	/* Autodiscover sending the client on: the next discovery is ours */
	char redir[112] = "";
	if ((kind == SESS_HTTP_LYNCDISCOVER ||
	     kind == SESS_HTTP_AUTODISCOVER) && m->status >= 200 &&
	    m->status < 300) {
		struct sv href;
		o->web_redirect = redirect_link(m->body, &href);
		if (o->web_redirect)
			str_fmt(redir, sizeof redir, ", redirect to %.*s",
				(int)(href.n > 90 ? 90 : href.n), href.p);
	}
	int is28032 = 0;
	for (size_t i = 0; i < m->ndiags; i++)
		if (m->diags[i].code == 28032)
			is28032 = 1;
	if (is28032)
		s->webticket_28032++;
	/* a plain 401 is the web service asking for credentials */
	int failed = m->status >= 400 && (m->status != 401 || m->ndiags);
	if (m->status >= 500 && kind != SESS_HTTP_LYNCDISCOVER &&
	    kind != SESS_HTTP_OTHER)
		o->int_500++;
	if (m->status >= 400 && kind != SESS_HTTP_LYNCDISCOVER)
		s->http_failed++;
	enum sfb_step step = http_step(kind, m->status, m);
	if (step == SFB_STEP_NONE)
		return;
	/* lyncdiscoverinternal failing is normal outside the network */
	if (kind == SESS_HTTP_LYNCDISCOVER && failed)
		failed = 0;
	if (m->ndiags)
		evidence(o, step, failed, m->file, m->line_first, m->ts,
			 "%.*s %.*s answered %d with %s %u %.*s",
			 (int)req_method.n, req_method.p, (int)path.n, path.p,
			 m->status, m->diags[0].hdr == MSG_DIAG_X_MS
			 ? "X-Ms-diagnostics" : "ms-diagnostics",
			 m->diags[0].code, (int)m->diags[0].reason.n,
			 m->diags[0].reason.p);
	else if (h && h->fault_code[0])
		evidence(o, step, failed, m->file, m->line_first, m->ts,
			 "%.*s %.*s answered %d, SOAP fault %s: %s",
			 (int)req_method.n, req_method.p, (int)path.n, path.p,
			 m->status, h->fault_code, h->fault_reason);
	else
		evidence(o, step, failed, m->file, m->line_first, m->ts,
			 "%.*s %.*s answered %d %.*s%s", (int)req_method.n,
			 req_method.p, (int)path.n, path.p, m->status,
			 (int)m->status_reason.n, m->status_reason.p, redir);
}

static unsigned http_msg(struct sess_builder *b, const struct msg *m,
			 struct sv req_method, struct sv req_uri)
{
	struct sv uri = m->kind == MSG_REQUEST ? m->uri : req_uri;
	struct sv path = path_only(uri);
	/* an answer has no Host: its request said what it was */
	enum sess_http_kind kind = m->kind == MSG_REQUEST
		? http_kind(m->host, path) : SESS_HTTP_OTHER;
	char user[128] = "";
	int has_user = sipuri_of(uri, user, sizeof user);
	struct osess *o = NULL;

	if (b->client_log) {
		o = b->current;
		if (m->kind == MSG_REQUEST &&
		    (kind == SESS_HTTP_LYNCDISCOVER ||
		     kind == SESS_HTTP_AUTODISCOVER) &&
		    (!o || (kind == SESS_HTTP_LYNCDISCOVER &&
			    new_attempt(o, m->ts, user)))) {
			if (o)
				close_sess(b, o);
			o = open_sess(b, 0);
		}
	} else {
		const char *u = has_user ? user : peer_user(b, m->remote);
		if (has_user)
			peer_remember(b, m->remote, user);
		if (u)
			o = find_user(b, u);
		else
			o = held_find(b, m->remote);
		/* lyncdiscover after the user's REGISTERs: a new attempt */
		if (o && m->kind == MSG_REQUEST &&
		    kind == SESS_HTTP_LYNCDISCOVER && !o->held &&
		    new_attempt(o, m->ts, user))
			o = NULL;
		/* the phase before a REGISTER: held for it */
		if (!o && m->kind == MSG_REQUEST &&
		    kind != SESS_HTTP_OTHER)
			o = held_open(b, m->remote, u ? u : "", m);
	}
	if (o && m->kind == MSG_RESPONSE)
		kind = pending_kind(o, path);
	if (!o || kind == SESS_HTTP_OTHER)
		return 0;
	/* lyncdiscover ?sipuri= names the user of the phase */
	if (has_user && !o->s.user[0] && !o->key)
		sv_copy(o->s.user, sizeof o->s.user, sv_cstr(user));
	if (m->kind == MSG_REQUEST) {
		o->s.nhttp_total++;
		if (o->s.nhttp < SESS_MAX_HTTP) {
			struct sess_http *h = &o->s.http[o->s.nhttp++];
			memset(h, 0, sizeof *h);
			h->kind = kind;
			h->file = m->file;
			h->line = m->line_first;
			h->ts = m->ts;
			sv_copy(h->method, sizeof h->method, m->method);
			str_fmt(h->url, sizeof h->url, "%.*s%.*s",
				(int)m->host.n, m->host.p ? m->host.p : "",
				(int)path.n, path.p ? path.p : "");
		}
	} else {
		http_answer(b, o, m, req_method, req_uri);
		/* a redirect link may name the user (?sipuri=) */
		if (!o->s.user[0] && !o->key &&
		    (kind == SESS_HTTP_LYNCDISCOVER ||
		     kind == SESS_HTTP_AUTODISCOVER) &&
		    sipuri_of(m->body, user, sizeof user))
			sv_copy(o->s.user, sizeof o->s.user, sv_cstr(user));
	}
	/* a held phase that failed is a sign-in attempt: number it now,
	 * so that what the rules find in it is found in a session */
	if (o->held && !o->s.id && held_failed(o))
		o->s.id = ++b->next_id;
	if (!o->s.id)
		o->held_msgs++;
	o->s.nmsgs++;
	touch(b, o, m->file, m->line_first, m->ts);
	return o->s.id;
}

/* ---- public ------------------------------------------------------- */

struct sess_builder *sess_new(const struct sess_sink *sink, int client_log,
			      size_t max_open)
{
	struct sess_builder *b = sfb_xcalloc(1, sizeof *b);
	if (sink)
		b->sink = *sink;
	b->client_log = client_log;
	b->max_open = max_open ? max_open : SFB_SESS_MAX_OPEN;
	return b;
}

unsigned sess_msg(struct sess_builder *b, const struct msg *m, int copy,
		  struct sv req_method, struct sv req_uri)
{
	end_deferred(b);
	if (m->kind != MSG_REQUEST && m->kind != MSG_RESPONSE)
		return 0;
	sweep(b, m->ts);
	if (m->proto == MSG_HTTP)
		return copy ? 0 : http_msg(b, m, req_method, req_uri);
	if (m->proto != MSG_SIP)
		return 0;
	return sip_msg(b, m, copy);
}

unsigned sess_event(struct sess_builder *b, const struct pat_event *ev,
		    const char *file, unsigned long line, int64_t ts)
{
	end_deferred(b);
	sweep(b, ts);
	if (!b->client_log || ev->step == SFB_STEP_NONE)
		return 0;
	struct osess *o = b->current;
	/* "autodiscovery started for sip:..." names the user */
	char user[128] = "";
	for (size_t i = 0; i < ev->ncaps; i++)
		if (sv_ieq_cstr(ev->caps[i].name, "uri") &&
		    sv_istarts(ev->caps[i].value, "sip:"))
			sv_copy(user, sizeof user, ev->caps[i].value);
	if (ev->step == SFB_STEP_DISCOVERY &&
	    (!o || new_attempt(o, ts, user))) {
		if (o)
			close_sess(b, o);
		o = open_sess(b, 0);
	}
	if (!o)
		return 0;
	if (user[0] && !o->s.user[0] && !o->key)
		sv_copy(o->s.user, sizeof o->s.user, sv_cstr(user));
	struct sv text = first_line(ev->text);
	/* effect "-": evidence of what happened, neither ok nor failed */
	int failed = ev->fails_step ? 1 : ev->ok_step ? 0 : -1;
	evidence_sv(o, ev->step, failed, file, line, ts, text);
	touch(b, o, file, line, ts);
	return o->s.id;
}

unsigned sess_diag(struct sess_builder *b, const struct fmt_rec *rec,
		   const char *file)
{
	end_deferred(b);
	sweep(b, rec->ts);
	if (!rec->sip_call_id.n)
		return 0;
	uint64_t call = call_key(b, rec->sip_call_id);
	for (struct osess *o = b->lru_tail; o; o = o->lru_prev) {
		if (o->reg_call != call)
			continue;
		int failed = sv_ieq_cstr(rec->severity, "error") ||
			     sv_ieq_cstr(rec->severity, "warning");
		struct sv text = first_line(rec->diag_text.n ? rec->diag_text
							      : rec->text);
		struct sv who = rec->server.n ? rec->server
				: rec->component.n ? rec->component
				: SV_LIT("the server");
		evidence(o, SFB_STEP_AUTH, failed, file, rec->line_first,
			 rec->ts, "%.*s: %.*s%s%.*s",
			 (int)who.n, who.p, (int)text.n,
			 text.p, rec->result_name.n ? " -- " : "",
			 (int)rec->result_name.n, rec->result_name.p);
		touch(b, o, file, rec->line_first, rec->ts);
		return o->s.id;
	}
	return 0;
}

void sess_flush(struct sess_builder *b)
{
	end_deferred(b);
	/* in order of start: ids ascend */
	while (b->nopen) {
		struct osess *first = NULL;
		for (struct osess *o = b->lru_head; o; o = o->lru_next)
			if (!first || o->s.id < first->s.id)
				first = o;
		if (!first)
			break;
		close_sess(b, first);
	}
}

unsigned sess_count(const struct sess_builder *b)
{
	return b->next_id;
}

void sess_web_stats(const struct sess_builder *b,
		    struct sess_web_stats *out)
{
	*out = b->web_stats;
}

void sess_free(struct sess_builder *b)
{
	if (!b)
		return;
	while (b->lru_head) {
		struct osess *o = b->lru_head;
		lru_unlink(b, o);
		free(o->s.props);
		free(o);
	}
	while (b->nspare) {
		struct osess *o = b->spare[--b->nspare];
		free(o->s.props);
		free(o);
	}
	for (size_t i = 0; i < MEMO; i++)
		free(b->memo[i].body);
	free(b);
}
