/* SPDX-License-Identifier: MIT */
/*
 * txn.c -- request/response pairing (see txn.h), fourth stage of the
 * pipeline: parsed messages in, one struct txn_info per transaction
 * out through the sink.
 *
 * Layout: transactions live in a growable array of nodes linked by
 * index, so the array can grow and a node's string buffer can be
 * reallocated without fixing any pointer.  An open-addressing hash
 * (linear probing, backward-shift deletion) finds a SIP
 * transaction by its key, and the oldest waiting HTTP request of a
 * connection by local + remote.  Intrusive lists keep the order:
 * "all" (insertion order: eviction, flush), "done" (has its final
 * response, in order of last copy seen: linger emission), "pending"
 * (no final response yet, insertion order: expiry), "wait" (HTTP
 * requests without a final response, oldest first) and one circular
 * list per HTTP connection.  Every operation is O(1).
 *
 * Choices txn.h leaves open: nreq, nprov and nfinal count every copy;
 * a provisional status seen before and a final with the first final's
 * status are copies (txn_add returns 1), a different final status is
 * neither kept nor counted.  A SIP request logged after its response
 * fills the request fields of that transaction (not a copy).  A
 * message without a Call-ID is never paired (a transaction of its
 * own).  nhops remembers TXN_SERVERS server names; a transaction seen
 * at more servers counts every copy from an unremembered one.  Linger
 * time runs from the log time of the last message of the transaction
 * (in arrival order, not the highest time), so one bogus time cannot
 * hold the others back for long.  Expiry time runs the same way, with
 * the last time seen standing in for a message without one, and the
 * log's clock before it for a message far ahead of it.  The
 * sink must not call back into the table.
 *
 * Ownership: the table owns its nodes; each node owns one byte buffer
 * holding every string it keeps (keys, method, URI, reason), each
 * capped at SFB_TXN_MAX_FIELD bytes so memory stays bounded by
 * max_open.  Emitted nodes go to a free list that keeps their buffer,
 * so a warm table allocates nothing.  The message passed to txn_add()
 * is borrowed for the call; file is kept as a borrowed pointer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"
#include "txn.h"

#ifndef SFB_TXN_MAX_FIELD
#define SFB_TXN_MAX_FIELD 256    /* bytes kept of one key or text field */
#endif

#define NIL UINT32_MAX
#define TXN_SERVERS 4            /* server names remembered for nhops */
#define REASON_RESERVE 32        /* room kept at creation for a reason */
#define MAX_NODES (1u << 30)     /* indices must stay below NIL */
#define HASH_MIN 64

#define HASH_SEED 0x9e3779b97f4a7c15ull
#define HASH_K 0x9ddfea08eb382d69ull

enum node_state {
	ST_FREE = 0,
	ST_OPEN,    /* no final response yet (SIP), or an HTTP orphan */
	ST_WAIT,    /* HTTP request waiting for its response */
	ST_DONE     /* final response seen: in the linger list */
};

/* A kept string: offset and length in the node's buffer. */
struct fld {
	uint32_t off, n;
};

struct node {
	uint64_t hash;          /* SIP key or HTTP connection */
	char *buf;              /* owned: every kept string */
	uint32_t buf_len, buf_cap;
	uint32_t all_prev, all_next;  /* "all" list; free list: all_next */
	uint32_t q_prev, q_next;      /* "done" or "wait" list */
	uint32_t p_prev, p_next;      /* "pending" list */
	uint32_t c_prev, c_next;      /* HTTP connection ring */
	enum node_state state;
	int hashed;             /* in the hash table */
	int64_t last_ts;        /* log time of the last message seen */
	int64_t seen_ts;        /* same, or the last time seen if none */
	int64_t clock_ts;       /* the log's time before that message */
	uint64_t servers[TXN_SERVERS];  /* hashes of server names */
	unsigned nservers;
	uint64_t prov_seen[2];  /* provisional statuses seen, 100..199 */

	struct fld call_id, cseq_method, branch, method, uri, reason;
	struct fld local, remote;
	/* Full lengths of the key fields, which may be kept truncated. */
	size_t call_id_full, cseq_method_full, branch_full;

	enum msg_proto proto;
	uint32_t cseq;
	const char *file;       /* borrowed: the first message's */
	unsigned long req_line, final_line;
	int64_t req_ts, final_ts;
	unsigned nreq, nprov, nfinal, nhops, flags;
	int final_status;
};

/* A key to look up, built from a message (views into it). */
struct key {
	enum msg_proto proto;
	uint64_t hash;
	struct sv call_id, cseq_method, branch;  /* SIP */
	uint32_t cseq;
	struct sv local, remote;                 /* HTTP */
};

struct list {
	uint32_t head, tail;
};

/*
 * A hash slot carries the low hash bits next to the node index, so a
 * probe or a backward shift touches a node only on a likely match.
 */
struct hslot {
	uint32_t idx;           /* node index, NIL when empty */
	uint32_t h;             /* low 32 bits of the node's hash */
};

struct txn_table {
	struct txn_sink sink;
	size_t max_open;
	int64_t linger_ms;

	struct node *nodes;     /* owned */
	uint32_t nnodes, nodes_cap;
	uint32_t free_head;     /* released nodes, linked by all_next */
	size_t nopen;

	struct hslot *slots;    /* owned */
	size_t nslots, nhashed;

	struct list all, done, wait, pending;
	uint32_t last;          /* node of the last message added, or NIL */
	int64_t prev_ts;        /* log time of the previous timed message */
	int64_t clock_ts;       /* the log's time before the last message */
};

/* ---- hashing ---------------------------------------------------------- */

/*
 * Word-at-a-time multiplicative hash: keys are tens of bytes, so a
 * byte loop (FNV-1a) would cost a multiply per byte on the hot path.
 * The length is mixed in so "ab"+"c" and "a"+"bc" differ; hash_fin() gives
 * every output bit a say in the low bits used for the slot.
 */
static uint64_t hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * HASH_K;
	return h ^ (h >> 29);
}

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
	size_t len = n;
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = hash_word(h, w);
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = hash_word(h, w);
	}
	return hash_word(h, len);
}

/* Same, one byte at a time with ASCII letters upper-cased (methods). */
static uint64_t hash_upper(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		h = hash_word(h, c);
	}
	return hash_word(h, n);
}

/* MurmurHash3 fmix64. */
static uint64_t hash_fin(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static int ieq_bytes(const char *a, const char *b, size_t n)
{
	if (n && memcmp(a, b, n) == 0)
		return 1;       /* mostly spelled alike: one compare */
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i];
		unsigned char y = (unsigned char)b[i];
		if (x >= 'a' && x <= 'z')
			x = (unsigned char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (unsigned char)(y - 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* @return the NUL-terminated prefix of a fixed char array as a view. */
static struct sv fixed_str(const char *s, size_t cap)
{
	const char *z = memchr(s, '\0', cap);
	return sv_make(s, z ? (size_t)(z - s) : cap);
}

static size_t capped(size_t n)
{
	return n < SFB_TXN_MAX_FIELD ? n : SFB_TXN_MAX_FIELD;
}

/*
 * The SIP key: Call-ID, CSeq number and method, and the originator's
 * (bottom) Via branch, which every hop keeps; the top one if the
 * message had only one parsed, none if neither.
 */
static void sip_key(struct key *k, const struct msg *m)
{
	k->proto = MSG_SIP;
	k->call_id = m->call_id;
	k->cseq = m->cseq;
	k->cseq_method = m->cseq_method;
	k->branch = m->via_branch_last.n ? m->via_branch_last : m->via_branch;
	k->local = k->remote = SV_NULL;

	uint64_t h = hash_bytes(HASH_SEED ^ MSG_SIP, k->call_id.p,
				k->call_id.n);
	h = hash_word(h, k->cseq);
	h = hash_upper(h, k->cseq_method.p, k->cseq_method.n);
	k->hash = hash_fin(hash_bytes(h, k->branch.p, k->branch.n));
}

static void conn_key(struct key *k, const struct msg *m)
{
	memset(k, 0, sizeof(*k));
	k->proto = MSG_HTTP;
	k->local = fixed_str(m->local, sizeof(m->local));
	k->remote = fixed_str(m->remote, sizeof(m->remote));
	uint64_t h = hash_bytes(HASH_SEED ^ MSG_HTTP, k->local.p, k->local.n);
	k->hash = hash_fin(hash_bytes(h, k->remote.p, k->remote.n));
}

/* Kept bytes of f in node n equal the first f.n bytes of v. */
static int fld_eq(const struct node *n, struct fld f, struct sv v)
{
	return f.n == 0 || memcmp(n->buf + f.off, v.p, f.n) == 0;
}

/*
 * Key fields may be kept truncated: a match needs the same full hash,
 * the same full lengths and the same kept prefix.
 */
static int key_match(const struct node *n, const struct key *k)
{
	if (n->proto != k->proto || n->hash != k->hash)
		return 0;
	if (k->proto == MSG_HTTP)
		return n->local.n == k->local.n &&
		       n->remote.n == k->remote.n &&
		       fld_eq(n, n->local, k->local) &&
		       fld_eq(n, n->remote, k->remote);
	return n->cseq == k->cseq &&
	       n->call_id_full == k->call_id.n &&
	       n->cseq_method_full == k->cseq_method.n &&
	       n->branch_full == k->branch.n &&
	       fld_eq(n, n->call_id, k->call_id) &&
	       fld_eq(n, n->branch, k->branch) &&
	       ieq_bytes(n->buf + n->cseq_method.off, k->cseq_method.p,
			 n->cseq_method.n);
}

/* ---- hash table of node indices ----------------------------------- */

static uint32_t hash_lookup(const struct txn_table *t, const struct key *k)
{
	if (!t->nslots)
		return NIL;
	size_t mask = t->nslots - 1;
	uint32_t h = (uint32_t)k->hash;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct hslot *sl = &t->slots[i];
		if (sl->idx == NIL)
			return NIL;
		if (sl->h == h && key_match(&t->nodes[sl->idx], k))
			return sl->idx;
	}
}

static void hash_place(struct txn_table *t, struct hslot sl)
{
	size_t mask = t->nslots - 1;
	size_t i = sl.h & mask;
	while (t->slots[i].idx != NIL)
		i = (i + 1) & mask;
	t->slots[i] = sl;
}

/* Keep the load at most 1/2 so probes stay short. */
static void hash_insert(struct txn_table *t, uint32_t idx)
{
	if ((t->nhashed + 1) * 2 > t->nslots) {
		struct hslot *old = t->slots;
		size_t nold = t->nslots;
		t->nslots = nold ? nold * 2 : HASH_MIN;
		t->slots = sfb_xmalloc(t->nslots * sizeof(*t->slots));
		memset(t->slots, 0xff, t->nslots * sizeof(*t->slots));
		for (size_t i = 0; i < nold; i++)
			if (old[i].idx != NIL)
				hash_place(t, old[i]);
		free(old);
	}
	struct hslot sl = { idx, (uint32_t)t->nodes[idx].hash };
	hash_place(t, sl);
	t->nodes[idx].hashed = 1;
	t->nhashed++;
}

/* @return the slot holding idx, which must be in the table. */
static size_t hash_slot_of(const struct txn_table *t, uint32_t idx)
{
	size_t mask = t->nslots - 1;
	size_t i = (uint32_t)t->nodes[idx].hash & mask;
	while (t->slots[i].idx != idx)
		i = (i + 1) & mask;
	return i;
}

/*
 * Remove idx; later entries of the probe run that would become
 * unreachable are shifted back, so no tombstones pile up.
 */
static void hash_remove(struct txn_table *t, uint32_t idx)
{
	size_t mask = t->nslots - 1;
	size_t i = hash_slot_of(t, idx);
	size_t j = i;

	t->nodes[idx].hashed = 0;
	t->nhashed--;
	for (;;) {
		j = (j + 1) & mask;
		if (t->slots[j].idx == NIL)
			break;
		size_t home = t->slots[j].h & mask;
		/* x may stay if its home lies cyclically in (i, j]. */
		int stays = i <= j ? (i < home && home <= j)
				   : (i < home || home <= j);
		if (stays)
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i].idx = NIL;
}

/* Put idx in the slot of old (same key): a connection's new head. */
static void hash_replace(struct txn_table *t, uint32_t old, uint32_t idx)
{
	t->slots[hash_slot_of(t, old)].idx = idx;
	t->nodes[old].hashed = 0;
	t->nodes[idx].hashed = 1;
}

/* ---- intrusive lists ---------------------------------------------- */

#define LIST_APPEND(t, l, idx, prev, next)                               \
	do {                                                             \
		struct node *n_ = &(t)->nodes[idx];                      \
		n_->prev = (l)->tail;                                    \
		n_->next = NIL;                                          \
		if ((l)->tail != NIL)                                    \
			(t)->nodes[(l)->tail].next = (idx);              \
		else                                                     \
			(l)->head = (idx);                               \
		(l)->tail = (idx);                                       \
	} while (0)

#define LIST_UNLINK(t, l, idx, prev, next)                               \
	do {                                                             \
		struct node *n_ = &(t)->nodes[idx];                      \
		if (n_->prev != NIL)                                     \
			(t)->nodes[n_->prev].next = n_->next;            \
		else                                                     \
			(l)->head = n_->next;                            \
		if (n_->next != NIL)                                     \
			(t)->nodes[n_->next].prev = n_->prev;            \
		else                                                     \
			(l)->tail = n_->prev;                            \
		n_->prev = n_->next = NIL;                               \
	} while (0)

/*
 * Queue an HTTP request on its connection: the ring's head (oldest)
 * is the one in the hash table.
 */
static void conn_push(struct txn_table *t, uint32_t idx, const struct key *k)
{
	struct node *n = &t->nodes[idx];
	uint32_t head = hash_lookup(t, k);

	if (head == NIL) {
		n->c_prev = n->c_next = idx;
		hash_insert(t, idx);
		return;
	}
	struct node *h = &t->nodes[head];
	uint32_t tail = h->c_prev;
	t->nodes[tail].c_next = idx;
	n->c_prev = tail;
	n->c_next = head;
	h->c_prev = idx;
}

static void conn_remove(struct txn_table *t, uint32_t idx)
{
	struct node *n = &t->nodes[idx];

	if (n->c_next == idx) {
		hash_remove(t, idx);
	} else {
		t->nodes[n->c_prev].c_next = n->c_next;
		t->nodes[n->c_next].c_prev = n->c_prev;
		if (n->hashed)
			hash_replace(t, idx, n->c_next);
	}
	n->c_prev = n->c_next = NIL;
}

/* ---- nodes and their strings ------------------------------------- */

static void buf_reserve(struct node *n, size_t extra)
{
	size_t need = (size_t)n->buf_len + extra;
	if (need <= n->buf_cap)
		return;
	size_t cap = n->buf_cap ? (size_t)n->buf_cap * 2 : 64;
	if (cap < need)
		cap = need;
	n->buf = sfb_xrealloc(n->buf, cap);
	n->buf_cap = (uint32_t)cap;
}

/* Copy at most SFB_TXN_MAX_FIELD bytes of v into n's buffer. */
static struct fld keep(struct node *n, struct sv v)
{
	struct fld f = { n->buf_len, (uint32_t)capped(v.n) };
	if (f.n) {
		buf_reserve(n, f.n);
		memcpy(n->buf + n->buf_len, v.p, f.n);
		n->buf_len += f.n;
	}
	return f;
}

static struct sv fld_sv(const struct node *n, struct fld f)
{
	return f.n ? sv_make(n->buf + f.off, f.n) : sv_make("", 0);
}

/* @return a fresh node, linked at the tail of "all", state ST_OPEN. */
static uint32_t node_new(struct txn_table *t, const struct msg *m)
{
	uint32_t idx;

	if (t->free_head != NIL) {
		idx = t->free_head;
		t->free_head = t->nodes[idx].all_next;
	} else {
		if (t->nnodes == t->nodes_cap) {
			size_t cap = (size_t)t->nodes_cap * 2;
			if (cap < 16)
				cap = 16;
			if (cap > t->max_open)
				cap = t->max_open;
			t->nodes = sfb_xrealloc(t->nodes,
						cap * sizeof(*t->nodes));
			t->nodes_cap = (uint32_t)cap;
		}
		idx = t->nnodes++;
		t->nodes[idx].buf = NULL;
		t->nodes[idx].buf_cap = 0;
	}

	struct node *n = &t->nodes[idx];
	char *buf = n->buf;
	uint32_t cap = n->buf_cap;
	memset(n, 0, sizeof(*n));
	n->buf = buf;
	n->buf_cap = cap;
	n->q_prev = n->q_next = n->c_prev = n->c_next = NIL;
	n->state = ST_OPEN;
	n->proto = m->proto;
	n->file = m->file;
	n->last_ts = m->ts;
	n->seen_ts = m->ts != SFB_TIME_NONE ? m->ts : t->prev_ts;
	n->clock_ts = t->clock_ts;
	n->req_ts = n->final_ts = SFB_TIME_NONE;
	LIST_APPEND(t, &t->all, idx, all_prev, all_next);
	LIST_APPEND(t, &t->pending, idx, p_prev, p_next);
	t->nopen++;
	return idx;
}

/* Count m's server towards nhops if not seen before. */
static void add_server(struct node *n, const struct msg *m)
{
	struct sv s = fixed_str(m->server, sizeof(m->server));
	uint64_t h = hash_bytes(HASH_SEED, s.p, s.n);

	for (unsigned i = 0; i < n->nservers; i++)
		if (n->servers[i] == h)
			return;
	/* Past TXN_SERVERS names a repeat of a later one counts again. */
	if (n->nservers < TXN_SERVERS)
		n->servers[n->nservers++] = h;
	n->nhops++;
}

/* Record m as the first copy of n's request. */
static void set_request(struct node *n, const struct msg *m)
{
	buf_reserve(n, capped(m->method.n) + capped(m->uri.n));
	/* SIP requests repeat their method in CSeq: keep it once. */
	if (n->cseq_method.n == m->method.n && m->method.n &&
	    fld_eq(n, n->cseq_method, m->method))
		n->method = n->cseq_method;
	else
		n->method = keep(n, m->method);
	n->uri = keep(n, m->uri);
	n->req_line = m->line_first;
	n->req_ts = m->ts;
	n->nreq = 1;
	n->flags &= ~TXN_F_NO_REQUEST;
	add_server(n, m);
}

/* ---- emission ------------------------------------------------------ */

static void node_release(struct txn_table *t, uint32_t idx)
{
	struct node *n = &t->nodes[idx];

	LIST_UNLINK(t, &t->all, idx, all_prev, all_next);
	if (n->state == ST_DONE) {
		LIST_UNLINK(t, &t->done, idx, q_prev, q_next);
	} else {
		LIST_UNLINK(t, &t->pending, idx, p_prev, p_next);
		if (n->state == ST_WAIT) {
			LIST_UNLINK(t, &t->wait, idx, q_prev, q_next);
			conn_remove(t, idx);
		}
	}
	if (n->hashed)
		hash_remove(t, idx);
	n->state = ST_FREE;
	n->all_next = t->free_head;
	t->free_head = idx;
	t->nopen--;
}

static void emit(struct txn_table *t, uint32_t idx, unsigned extra)
{
	const struct node *n = &t->nodes[idx];
	struct txn_info ti = {
		.proto = n->proto,
		.call_id = fld_sv(n, n->call_id),
		.cseq_method = fld_sv(n, n->cseq_method),
		.branch = fld_sv(n, n->branch),
		.cseq = n->cseq,
		.method = fld_sv(n, n->method),
		.uri = fld_sv(n, n->uri),
		.file = n->file,
		.req_line = n->req_line,
		.req_ts = n->req_ts,
		.nreq = n->nreq,
		.nprov = n->nprov,
		.final_status = n->final_status,
		.final_reason = fld_sv(n, n->reason),
		.final_line = n->final_line,
		.final_ts = n->final_ts,
		.nfinal = n->nfinal,
		.nhops = n->nhops ? n->nhops : 1,
		.flags = n->flags | extra |
			 (n->final_status ? 0 : TXN_F_NO_FINAL),
	};
	if (t->sink.on_txn)
		t->sink.on_txn(t->sink.ud, &ti);
	node_release(t, idx);
}

/*
 * Emit finished transactions whose last copy is more than linger_ms
 * older than now.  Only the head of "done" is looked at: it is in
 * order of last copy seen, so this is O(1) per emitted transaction;
 * with out-of-order times a later one may wait behind the head.
 */
static void emit_lingered(struct txn_table *t, int64_t now)
{
	while (t->done.head != NIL) {
		const struct node *n = &t->nodes[t->done.head];
		if (n->last_ts == SFB_TIME_NONE || now <= n->last_ts)
			break;
		/* Unsigned: the difference of any two int64 fits. */
		if ((uint64_t)now - (uint64_t)n->last_ts <=
		    (uint64_t)t->linger_ms)
			break;
		emit(t, t->done.head, 0);
	}
}

/*
 * How long a transaction without its final response stays open after
 * its last message (RFC 3261 17.1): a non-INVITE one, or an INVITE
 * with no provisional response yet, is dead at timer F or B (64*T1);
 * an INVITE in Proceeding waits for timer C, and an HTTP request has
 * no timer of its own: both get SFB_TXN_WAIT_MS.  Each adds the 32 s
 * of linger: a proxy answers 408 or 504 when its own timer, started a
 * hop later, fires, and the servers of a merged trace disagree on the
 * time by a little; such an answer must still find its request.
 */
static uint64_t expiry_ms(const struct node *n)
{
	if (n->proto == MSG_HTTP ||
	    (n->nprov && n->cseq_method.n == 6 &&
	     ieq_bytes(n->buf + n->cseq_method.off, "INVITE", 6)))
		return SFB_TXN_WAIT_MS;
	return SFB_TXN_EXPIRE_MS;
}

/*
 * Is the time ts of a transaction's last message further ahead of the
 * log's clock (hi: the later time of the last two timed messages) than
 * any expiry time?  Then that message's time was wrong, not the two
 * that followed it (a log that jumps ahead goes on at its new time).
 */
static int far_ahead(int64_t ts, int64_t hi)
{
	return ts != SFB_TIME_NONE && ts > hi &&
	       (uint64_t)ts - (uint64_t)hi > SFB_TXN_WAIT_MS;
}

/*
 * Emit the transactions still waiting for a final response whose last
 * message is older than their expiry time, as txn_flush() would at the
 * end of the input.  Only the head of "pending" (in order of creation)
 * is looked at, so open transactions are emitted in the same order as
 * without expiry; a later one waits behind a head that is not due yet,
 * or whose time lies ahead of now (the clock went back).  A head whose
 * time lies far ahead (far_ahead) is timed from the log's clock when
 * its message came instead, so that it holds back the others no longer
 * than its own expiry time -- if that clock is known and not itself
 * ahead of now: a merged trace whose other server runs an hour behind
 * brings the clock back for a while, and the head must then wait for
 * it, not expire before its answer.
 */
static void expire_pending(struct txn_table *t, int64_t now, int64_t hi)
{
	while (t->pending.head != NIL) {
		struct node *n = &t->nodes[t->pending.head];
		if (far_ahead(n->seen_ts, hi) &&
		    n->clock_ts != SFB_TIME_NONE && n->clock_ts <= hi)
			n->seen_ts = n->clock_ts;
		if (n->seen_ts == SFB_TIME_NONE || now <= n->seen_ts)
			break;
		if ((uint64_t)now - (uint64_t)n->seen_ts <= expiry_ms(n))
			break;
		emit(t, t->pending.head, 0);
	}
}

/* Make room for one more: emit the oldest while the table is full. */
static void make_room(struct txn_table *t)
{
	while (t->nopen >= t->max_open && t->all.head != NIL)
		emit(t, t->all.head, TXN_F_EVICTED);
}

/* Another message of n was seen: restart its linger time. */
static void touch(struct txn_table *t, uint32_t idx, int64_t ts)
{
	struct node *n = &t->nodes[idx];

	if (ts != SFB_TIME_NONE)
		n->last_ts = ts;
	n->seen_ts = ts != SFB_TIME_NONE ? ts : t->prev_ts;
	n->clock_ts = t->clock_ts;
	if (n->state == ST_DONE && t->done.tail != idx) {
		LIST_UNLINK(t, &t->done, idx, q_prev, q_next);
		LIST_APPEND(t, &t->done, idx, q_prev, q_next);
	}
}

/*
 * Apply a response to its transaction.
 * @return 1 if it repeats a provisional status or the final one
 */
static int add_response(struct txn_table *t, uint32_t idx,
			const struct msg *m)
{
	struct node *n = &t->nodes[idx];
	int st = m->status;

	if (st < 200) {
		n->nprov++;
		if (st < 100)
			return 0;
		unsigned b = (unsigned)(st - 100);
		uint64_t bit = 1ull << (b & 63);
		int seen = (n->prov_seen[b >> 6] & bit) != 0;
		n->prov_seen[b >> 6] |= bit;
		return seen;
	}
	if (n->final_status) {
		/* A different final (forked 200s, a race) is no copy. */
		if (st != n->final_status)
			return 0;
		n->nfinal++;
		return 1;
	}
	n->final_status = st;
	n->reason = keep(n, m->status_reason);
	n->final_line = m->line_first;
	n->final_ts = m->ts;
	n->nfinal = 1;
	LIST_UNLINK(t, &t->pending, idx, p_prev, p_next);
	if (n->state == ST_WAIT) {
		LIST_UNLINK(t, &t->wait, idx, q_prev, q_next);
		conn_remove(t, idx);
	}
	n->state = ST_DONE;
	LIST_APPEND(t, &t->done, idx, q_prev, q_next);
	return 0;
}

/* ---- SIP and HTTP ------------------------------------------------- */

static int sip_add(struct txn_table *t, const struct msg *m)
{
	struct key k;
	uint32_t idx = NIL;

	sip_key(&k, m);
	/* Without a Call-ID nothing ties messages together. */
	if (k.call_id.n)
		idx = hash_lookup(t, &k);

	if (idx == NIL) {
		make_room(t);
		idx = node_new(t, m);
		t->last = idx;
		struct node *n = &t->nodes[idx];
		n->hash = k.hash;
		n->cseq = k.cseq;
		n->call_id_full = k.call_id.n;
		n->cseq_method_full = k.cseq_method.n;
		n->branch_full = k.branch.n;
		buf_reserve(n, capped(k.call_id.n) + capped(k.cseq_method.n) +
			    capped(k.branch.n) + capped(m->method.n) +
			    capped(m->uri.n) + REASON_RESERVE);
		n->call_id = keep(n, k.call_id);
		n->cseq_method = keep(n, k.cseq_method);
		n->branch = keep(n, k.branch);
		if (k.call_id.n)
			hash_insert(t, idx);
		if (m->kind == MSG_REQUEST) {
			set_request(n, m);
			return 0;
		}
		n->flags |= TXN_F_NO_REQUEST;
		add_response(t, idx, m);
		return 0;
	}

	t->last = idx;
	touch(t, idx, m->ts);
	if (m->kind == MSG_RESPONSE)
		return add_response(t, idx, m);
	struct node *n = &t->nodes[idx];
	if (n->flags & TXN_F_NO_REQUEST) {
		/* The request logged after its response (merged hops). */
		set_request(n, m);
		return 0;
	}
	n->nreq++;
	add_server(n, m);
	return 1;
}

static void http_add(struct txn_table *t, const struct msg *m)
{
	struct key k;
	uint32_t idx;

	conn_key(&k, m);
	if (m->kind == MSG_REQUEST) {
		make_room(t);
		idx = node_new(t, m);
		t->last = idx;
		struct node *n = &t->nodes[idx];
		n->hash = k.hash;
		buf_reserve(n, k.local.n + k.remote.n + capped(m->method.n) +
			    capped(m->uri.n) + REASON_RESERVE);
		n->local = keep(n, k.local);
		n->remote = keep(n, k.remote);
		set_request(n, m);
		n->state = ST_WAIT;
		LIST_APPEND(t, &t->wait, idx, q_prev, q_next);
		conn_push(t, idx, &k);
		return;
	}

	idx = hash_lookup(t, &k);
	if (idx == NIL)
		idx = t->wait.head;
	if (idx == NIL) {
		make_room(t);
		idx = node_new(t, m);
		t->nodes[idx].flags |= TXN_F_NO_REQUEST;
	} else {
		touch(t, idx, m->ts);
	}
	t->last = idx;
	add_response(t, idx, m);
}

/* ---- public ------------------------------------------------------- */

struct txn_table *txn_new(const struct txn_sink *sink, size_t max_open,
			  int64_t linger_ms)
{
	struct txn_table *t = sfb_xcalloc(1, sizeof(*t));

	if (sink)
		t->sink = *sink;
	if (max_open == 0)
		max_open = SFB_MAX_TXN;
	if (max_open > MAX_NODES)
		max_open = MAX_NODES;
	t->max_open = max_open;
	t->linger_ms = linger_ms < 0 ? SFB_TXN_LINGER_MS : linger_ms;
	t->free_head = NIL;
	t->all.head = t->all.tail = NIL;
	t->done.head = t->done.tail = NIL;
	t->wait.head = t->wait.tail = NIL;
	t->pending.head = t->pending.tail = NIL;
	t->last = NIL;
	t->prev_ts = t->clock_ts = SFB_TIME_NONE;
	return t;
}

/*
 * The log's clock starts at ts: the transactions still waiting that
 * came before any time was known start their expiry time there (else
 * one of them at the head of "pending" would hold back every later one).
 */
static void start_clock(struct txn_table *t, int64_t ts)
{
	for (uint32_t i = t->pending.head; i != NIL;
	     i = t->nodes[i].p_next)
		if (t->nodes[i].seen_ts == SFB_TIME_NONE)
			t->nodes[i].seen_ts = ts;
}

int txn_add(struct txn_table *t, const struct msg *m)
{
	if (m->kind != MSG_REQUEST && m->kind != MSG_RESPONSE)
		return 0;
	if (m->proto != MSG_SIP && m->proto != MSG_HTTP)
		return 0;
	t->last = NIL;
	t->clock_ts = t->prev_ts;
	if (m->ts != SFB_TIME_NONE) {
		if (t->prev_ts == SFB_TIME_NONE)
			start_clock(t, m->ts);
		emit_lingered(t, m->ts);
		/*
		 * Expiry's clock is the lower of this message's time and
		 * the previous one's, so one record with a bogus time far
		 * ahead does not end every open transaction.
		 */
		int64_t now = m->ts < t->prev_ts ? m->ts : t->prev_ts;
		int64_t hi = m->ts < t->prev_ts ? t->prev_ts : m->ts;
		t->prev_ts = m->ts;
		if (now != SFB_TIME_NONE)
			expire_pending(t, now, hi);
	}
	if (m->proto == MSG_HTTP) {
		http_add(t, m);
		return 0;
	}
	return sip_add(t, m);
}

int txn_last_request(const struct txn_table *t, struct sv *method,
		     struct sv *uri)
{
	if (t->last == NIL)
		return -1;
	const struct node *n = &t->nodes[t->last];
	if (n->flags & TXN_F_NO_REQUEST)
		return -1;
	*method = fld_sv(n, n->method);
	*uri = fld_sv(n, n->uri);
	return 0;
}

void txn_flush(struct txn_table *t)
{
	t->last = NIL;
	while (t->all.head != NIL)
		emit(t, t->all.head, 0);
}

size_t txn_open_count(const struct txn_table *t)
{
	return t->nopen;
}

void txn_free(struct txn_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nnodes; i++)
		free(t->nodes[i].buf);
	free(t->nodes);
	free(t->slots);
	free(t);
}
