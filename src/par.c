/* SPDX-License-Identifier: MIT */
/*
 * par.c -- one big file over several cores (see par.h): stages 1-3 of
 * the pipeline (lr.c lines, fmt*.c records, msg.c / sip.c messages,
 * pattern.c events) on jobs threads, one chunk of the file each, and an
 * ordered hand-over to stages 4-7 (the sink), which run as a serial
 * read does: one chunk at a time, in chunk order, each on the thread
 * that parsed it.  The caller's thread is one of the jobs threads, and
 * every thread does both: it hands over its chunk when that chunk's
 * turn has come, else it parses the next chunk, so at -j2 two threads
 * share two cores and neither waits while there is work.
 *
 *   detect     the caller's thread reads the file start once: format,
 *              encoding, gzip; the end of the line that decided the
 *              format is the earliest second chunk start
 *   claim      a thread whose chunk's turn has not come takes the next
 *              chunk, while fewer than nslots chunks are in flight
 *              (memory stays flat), and finds its end, in chunk order:
 *              the first boundary (par_scan) at or after its nominal
 *              end (or its start, if a long record took that past);
 *              the next chunk starts there
 *   parse      lr over the byte range (pread), fmt, sip_parse: records
 *              copied into the slot's arena (only those the caller
 *              reads: cfg.bare), messages into its pool, the pattern
 *              table's events on entry texts (the worker's clone of
 *              the table) into its event list, a provisioning answer's
 *              body read (xmlprov.h) for the session stage; line
 *              numbers counted from the chunk's start
 *   hand over  the slots go in chunk order, each by the thread that
 *              parsed it (the data it wrote is in its core's caches;
 *              only the stages' own state moves between cores), one at
 *              a time: it moves each item's line numbers by the lines of
 *              the chunks before (known by then), fetches ahead what the
 *              next items point to, and calls the sink for every item;
 *              then frees the slot
 *
 * Chunk 0 is read with the caller's format (FMT_AUTO: detected exactly
 * as in a serial read); the others with the format detected.  A parser
 * fed from a boundary line on emits the records a serial parser would:
 * at that line the serial parser ends its open record the same way as
 * fmt_finish does at a chunk's end (par_scan's rules make sure).
 *
 * Ownership: slots own their arena, items and messages until handed
 * over; the views handed to the sink live only during the call.  No
 * global state: every run has its own struct par.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "par.h"
#include "sip.h"
#include "sv.h"
#include "xmlprov.h"

#define ARENA_BLK (64u << 10)
#define ARENA_KEEP (4u << 20)   /* arena bytes a free slot keeps */
#define MSG_KEEP (16u << 10)    /* message buffer a free slot keeps */
#define READ_BLK (64u << 10)    /* bytes per pread while detecting */
#define SCAN_BLK (4u << 10)    /* bytes per pread while scanning: a
				 * boundary is a record or two away */

/* ---- the boundary finder ---------------------------------------------- */

enum { CTX_NONE = 0, CTX_OK, CTX_OPENER, CTX_UNKNOWN };

void par_scan_init(struct par_scan *s, enum fmt_kind kind,
		   size_t max_line, uint64_t from)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->max_line = max_line ? max_line : SFB_MAX_LINE;
	s->pos = from ? from - 1 : 0;
	s->in_line = from == 0;
	s->ctx = CTX_NONE;
}

/* A complete line (lf: it ended with LF).  @return 1: it qualifies */
static int judge(struct par_scan *s, int lf)
{
	size_t limit = s->max_line < PAR_HEAD ? s->max_line : PAR_HEAD;
	struct sv line = sv_make(s->head, s->len > PAR_HEAD ? PAR_HEAD
				 : (size_t)s->len);
	int known = s->len <= limit;
	if (known && lf && line.n && line.p[line.n - 1] == '\r')
		line.n--;       /* lr drops a CR before LF */
	if (known && sv_is_blank(line))
		return 0;
	if (!known) {
		s->ctx = CTX_UNKNOWN;
		return 0;
	}
	if (s->kind == FMT_CLS)
		return lf && fmt_cls_sniff(line);
	int prefixed = fmt_ucc_sniff(line);
	int end = 0, opener = 0;
	if (prefixed) {
		/* the text after "LEVEL ::" (T:P holds one colon only) */
		struct sv text = line;
		sv_skip(&text, 24);
		long cc = sv_find(text, "::");
		sv_skip(&text, cc < 0 ? text.n : (size_t)cc + 2);
		text = sv_trim(text);
		end = sv_starts(text, "End of");
		opener = !end && (sv_starts(text, "Sending Packet") ||
				  sv_starts(text, "Data Received"));
	}
	int ok = lf && prefixed && s->ctx == CTX_OK && !end;
	s->ctx = opener ? CTX_OPENER : CTX_OK;
	return ok;
}

int par_scan_feed(struct par_scan *s, const char *p, size_t n, int eof,
		  uint64_t *at)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		if (s->in_line) {
			if (s->len < PAR_HEAD) {
				size_t k = end - i;
				if (k > PAR_HEAD - s->len)
					k = PAR_HEAD - (size_t)s->len;
				memcpy(s->head + s->len, p + i, k);
			}
			s->len += end - i;
		}
		s->pos += end - i;
		i = end;
		if (!nl)
			break;
		/* the LF itself */
		s->pos++;
		i++;
		if (s->in_line && judge(s, 1)) {
			*at = s->line_at;
			return 1;
		}
		s->in_line = 1;
		s->line_at = s->pos;
		s->len = 0;
	}
	if (eof && s->in_line && s->len)
		(void)judge(s, 0);      /* a last line without LF: never */
	return 0;
}

/* ---- a run ---------------------------------------------------------- */

/* One arena block. */
struct blk {
	struct blk *next;
	size_t used, cap;
	char data[];
};

struct tools;           /* a thread's own (run_jobs) */

/*
 * What a chunk gives, in order.  Small, as the thread that hands it
 * over reads every one of them back, at times after the chunk has left
 * its caches: a record is copied whole into the arena only when it is
 * not bare.
 */
enum item_kind {
	IT_REC,                 /* rec */
	IT_BARE,                /* a record handed over bare (cfg.bare):
				 * type, line, line_last, ts, truncated */
	IT_LONG                 /* a long line skipped: line, n */
};

struct item {
	enum item_kind what;
	enum rec_type type;     /* IT_BARE */
	int truncated;          /* IT_BARE */
	struct fmt_rec *rec;    /* IT_REC: in the arena, views too */
	struct msg *m;          /* REC_MSG: its message (msgs) */
	size_t ev, nev;         /* IT_REC, REC_ENTRY: its pattern events,
				 * evs[ev..ev + nev) */
	unsigned long line, line_last; /* relative to the chunk */
	union {
		uint64_t n;     /* IT_LONG */
		int64_t ts;     /* IT_BARE */
	} u;
};

enum slot_state { S_FREE = 0, S_BUSY, S_DONE };

struct slot {
	enum slot_state state;
	size_t chunk;           /* the chunk it holds */
	uint64_t from, to;      /* its bytes (from == to: none) */
	struct blk *blk;        /* the arena's blocks, in use order */
	struct blk *cur;        /* the block being filled */
	struct item *items;
	size_t nitems, capitems;
	struct msg **msgs;
	size_t nmsgs, capmsgs;
	struct pat_event *evs;  /* views into the arena and the table */
	size_t nevs, capevs;
	struct xmlprov **provs; /* the messages' provisioning bodies read */
	size_t nprovs, capprovs;
	unsigned long nlines;
	uint64_t bytes;
	enum lr_encoding enc;
	int failed;
	struct sfb_err err;
	const struct tools *owner;      /* the thread that parsed it */
};

struct par {
	const char *path;
	struct par_config cfg;
	enum fmt_kind kind;
	int fd;
	uint64_t size;
	uint64_t first;         /* earliest start of chunk 1 */
	size_t nchunks, nslots;
	struct slot *slots;

	pthread_mutex_t mu;
	pthread_cond_t space;   /* a chunk was handed over, or stop */
	size_t next;            /* next chunk to claim */
	size_t consumed;        /* chunks handed over */
	uint64_t bound;         /* where the next chunk claimed starts */
	int stop;

	/* the hand-over's, touched only by the thread handing over */
	const struct par_sink *sk;
	struct par_result *res;
	struct sfb_err *err;
	int rc;                 /* 0, or -1 after a read error */
};

static void *arena_alloc(struct slot *sl, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct blk *b = sl->cur;
	while (b && b->cap - b->used < n && b->next) {
		b = b->next;    /* a kept block further on */
		b->used = 0;
	}
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLK ? n : ARENA_BLK;
		struct blk *nb = sfb_xmalloc(sizeof *nb + cap);
		nb->cap = cap;
		nb->used = 0;
		nb->next = NULL;
		if (b)
			b->next = nb;
		else
			sl->blk = nb;
		b = nb;
	}
	sl->cur = b;
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

/*
 * Every view of struct fmt_rec (parser.h) but text, raw and data.  A
 * view added there must be added here too: only par.sh's byte-for-byte
 * comparison with -j1 would show a missed one, and only when a test's
 * output prints that view.
 */
#define V(f) offsetof(struct fmt_rec, f)
static const size_t rec_views[] = {
	V(level), V(local), V(remote), V(flag), V(server), V(component),
	V(function), V(src_file), V(record_id), V(corr_id), V(instance_id),
	V(dir_source), V(dir_dest), V(msg_type), V(severity), V(diag_text),
	V(result_name), V(sip_start_line), V(sip_call_id), V(sip_cseq),
	V(peer),
};
#undef V

/* The bytes the views of a record copy: [lo, hi) of its raw text. */
struct span {
	const char *lo, *hi;    /* the part of raw copied (lo: raw.p) */
	char *copy;             /* its copy */
};

/* Widen sp to take v, if v lies in raw. */
static void widen(struct span *sp, struct sv v, struct sv raw)
{
	if (!raw.p || !v.n || v.p < raw.p || v.p + v.n > raw.p + raw.n)
		return;
	if (!sp->lo || v.p < sp->lo)
		sp->lo = v.p;
	if (!sp->hi || v.p + v.n > sp->hi)
		sp->hi = v.p + v.n;
}

/* A copy of v: inside the span, a view into its copy, else its own. */
static struct sv relocate(struct slot *sl, struct sv v,
			  const struct span *sp)
{
	if (!v.n)
		return sv_make(v.p ? "" : NULL, 0);
	if (sp->copy && v.p >= sp->lo && v.p + v.n <= sp->hi)
		return sv_make(sp->copy + (v.p - sp->lo), v.n);
	char *c = arena_alloc(sl, v.n);
	memcpy(c, v.p, v.n);
	return sv_make(c, v.n);
}

/*
 * Copy a record into the arena.  The views inside its raw text are
 * copied as one span: all of raw when raw is wanted (--raw), else from
 * the first to the end of the last of them.  text: the record's text
 * already copied (a message's buffer), or NULL.
 */
static void rec_copy(struct slot *sl, struct fmt_rec *d,
		     const struct fmt_rec *r, const char *text, int raw)
{
	struct span sp = { NULL, NULL, NULL };
	size_t nv = sizeof rec_views / sizeof rec_views[0];
	*d = *r;
	if (raw) {
		sp.lo = r->raw.p;
		sp.hi = r->raw.p ? r->raw.p + r->raw.n : NULL;
	} else {
		for (size_t i = 0; i < nv; i++)
			widen(&sp, *(const struct sv *)((const char *)r +
							rec_views[i]), r->raw);
		for (size_t i = 0; i < r->ndata; i++) {
			widen(&sp, r->data[i].key, r->raw);
			widen(&sp, r->data[i].val, r->raw);
		}
		if (!text)
			widen(&sp, r->text, r->raw);
	}
	if (sp.lo && sp.hi > sp.lo) {
		sp.copy = arena_alloc(sl, (size_t)(sp.hi - sp.lo));
		memcpy(sp.copy, sp.lo, (size_t)(sp.hi - sp.lo));
	}
	for (size_t i = 0; i < nv; i++) {
		struct sv *v = (struct sv *)((char *)d + rec_views[i]);
		*v = relocate(sl, *v, &sp);
	}
	d->text = text && r->text.n ? sv_make(text, r->text.n)
		  : relocate(sl, r->text, &sp);
	d->raw = raw ? relocate(sl, r->raw, &sp) : sv_make("", 0);
	if (r->ndata) {
		struct rec_kv *kv = arena_alloc(sl, r->ndata * sizeof *kv);
		for (size_t i = 0; i < r->ndata; i++) {
			kv[i].key = relocate(sl, r->data[i].key, &sp);
			kv[i].val = relocate(sl, r->data[i].val, &sp);
		}
		d->data = kv;
	} else {
		d->data = NULL;
	}
}

/*
 * Room for element n of array p (*cap elements of size bytes): the
 * array doubled (first elements at first) when full, the new room
 * zeroed.  @return the array
 */
static void *grow(void *p, size_t n, size_t *cap, size_t size,
		  size_t first)
{
	if (n < *cap)
		return p;
	size_t c = *cap ? *cap * 2 : first;
	p = sfb_xrealloc(p, c * size);
	memset((char *)p + *cap * size, 0, (c - *cap) * size);
	*cap = c;
	return p;
}

static struct item *item_new(struct slot *sl)
{
	sl->items = grow(sl->items, sl->nitems, &sl->capitems,
			 sizeof *sl->items, 256);
	struct item *it = &sl->items[sl->nitems++];
	it->rec = NULL;
	it->m = NULL;
	it->ev = it->nev = 0;
	it->line_last = 0;
	return it;
}

static struct msg *msg_next(struct slot *sl)
{
	sl->msgs = grow(sl->msgs, sl->nmsgs, &sl->capmsgs, sizeof *sl->msgs,
			64);
	struct msg **m = &sl->msgs[sl->nmsgs++];
	if (!*m) {
		*m = sfb_xmalloc(sizeof **m);
		msg_init(*m);
	}
	(*m)->prov = NULL;
	return *m;
}

static struct xmlprov *prov_next(struct slot *sl)
{
	sl->provs = grow(sl->provs, sl->nprovs, &sl->capprovs,
			 sizeof *sl->provs, 4);
	struct xmlprov **x = &sl->provs[sl->nprovs++];
	if (!*x) {
		*x = sfb_xmalloc(sizeof **x);
		xmlprov_init(*x);
	}
	return *x;
}

/* Empty a slot for its next chunk, keeping a bounded warm part. */
static void slot_reset(struct slot *sl)
{
	size_t kept = 0;
	struct blk **pb = &sl->blk;
	while (*pb) {
		struct blk *b = *pb;
		if (kept + b->cap <= ARENA_KEEP) {
			kept += b->cap;
			b->used = 0;
			pb = &b->next;  /* later ones are reset on use */
		} else {
			*pb = b->next;
			free(b);
		}
	}
	sl->cur = sl->blk;
	for (size_t i = 0; i < sl->nmsgs; i++)
		if (sl->msgs[i]->cap > MSG_KEEP) {
			msg_free(sl->msgs[i]);
			msg_init(sl->msgs[i]);
		}
	for (size_t i = 0; i < sl->nprovs; i++)
		if (sl->provs[i]->cap > MSG_KEEP)
			xmlprov_free(sl->provs[i]);
	sl->nitems = sl->nmsgs = sl->nevs = sl->nprovs = 0;
	sl->nlines = 0;
	sl->bytes = 0;
	sl->failed = 0;
}

static void slot_free(struct slot *sl)
{
	while (sl->blk) {
		struct blk *b = sl->blk;
		sl->blk = b->next;
		free(b);
	}
	for (size_t i = 0; i < sl->capmsgs; i++)
		if (sl->msgs[i]) {
			msg_free(sl->msgs[i]);
			free(sl->msgs[i]);
		}
	for (size_t i = 0; i < sl->capprovs; i++)
		if (sl->provs[i]) {
			xmlprov_free(sl->provs[i]);
			free(sl->provs[i]);
		}
	free(sl->msgs);
	free(sl->provs);
	free(sl->items);
	free(sl->evs);
}

/* pread all of n bytes at off (fewer at the end of the file). */
static long read_at(int fd, void *buf, size_t n, uint64_t off,
		    struct sfb_err *err, const char *path)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got,
				  (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sfb_err_set(err, SFB_E_IO, errno,
					   "cannot read '%s': %s", path,
					   strerror(errno));
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

/* The nominal start of chunk k. */
static uint64_t nominal(const struct par *p, size_t k)
{
	if (k == 0)
		return 0;
	if (k >= p->nchunks)
		return p->size;
	uint64_t o = (uint64_t)k * p->cfg.chunk;
	return o < p->first ? p->first : o;
}

/* The first boundary at or after from.  @return 0, or -1 (read error) */
static int find_boundary(struct par *p, uint64_t from, uint64_t *at,
			 char *buf, struct sfb_err *err)
{
	if (from == 0 || from >= p->size) {
		*at = from < p->size ? from : p->size;
		return 0;
	}
	struct par_scan s;
	par_scan_init(&s, p->kind, p->cfg.max_line, from);
	uint64_t off = from - 1;
	int rc = 0;
	*at = p->size;
	for (;;) {
		long n = read_at(p->fd, buf, SCAN_BLK, off, err, p->path);
		if (n < 0) {
			rc = -1;
			break;
		}
		int eof = off + (uint64_t)n >= p->size || n == 0;
		if (par_scan_feed(&s, buf, (size_t)n, eof, at) || eof)
			break;
		off += (uint64_t)n;
	}
	if (*at > p->size)
		*at = p->size;
	return rc;
}

/*
 * With p->mu held: where chunk k (the next claimed) ends, the boundary
 * at or after its nominal end, or after its start when a long record
 * took it past that (so no byte is scanned twice, whatever the record
 * sizes).  Found under the mutex, in chunk order, as the chunk is
 * claimed: a few KB read and scanned, and no thread ever waits for
 * another's boundary.  @return 0, or -1 (a read error: err filled, the
 * chunk ends at the end of the file)
 */
static int chunk_bounds(struct par *p, size_t k, struct slot *sl,
			char *buf)
{
	int rc = 0;
	sl->from = p->bound;
	if (k + 1 >= p->nchunks) {
		sl->to = p->size;
	} else {
		uint64_t x = nominal(p, k + 1);
		rc = find_boundary(p, x > sl->from ? x : sl->from, &sl->to,
				   buf, &sl->err);
		if (rc)
			sl->to = p->size;
	}
	p->bound = sl->to;
	return rc;
}

/* lr's byte source: a range of the file. */
struct range {
	struct par *p;
	uint64_t off, end;
	int started;            /* the first read is done */
};

/*
 * The first read gives lr only the few bytes it sniffs (gzip magic, a
 * BOM) into its input buffer, which it would copy again into its line
 * buffer: the rest of the chunk goes straight there.
 */
#define SNIFF 4

static long range_read(void *ud, void *buf, size_t cap, struct sfb_err *err)
{
	struct range *r = ud;
	if (r->off >= r->end)
		return 0;
	if (cap > r->end - r->off)
		cap = (size_t)(r->end - r->off);
	if (!r->started && cap > SNIFF)
		cap = SNIFF;
	r->started = 1;
	long n = read_at(r->p->fd, buf, cap, r->off, err, r->p->path);
	if (n > 0)
		r->off += (uint64_t)n;
	return n;
}

/* The parser's sink in a worker. */
struct wctx {
	struct par *p;
	struct slot *sl;
	struct pat_table *pt;   /* the worker's clone, or NULL */
};

/* A pattern event of the last item: kept in the slot. */
static int w_event(void *ud, const struct pat_event *ev)
{
	struct slot *sl = ud;
	sl->evs = grow(sl->evs, sl->nevs, &sl->capevs, sizeof *sl->evs, 64);
	sl->evs[sl->nevs++] = *ev;
	sl->items[sl->nitems - 1].nev++;
	return 0;
}

/*
 * A record with every view empty: what a bare item is handed over as,
 * with its type, lines, time and truncated flag.
 */
static void rec_bare(struct fmt_rec *d)
{
	size_t nv = sizeof rec_views / sizeof rec_views[0];
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < nv; i++)
		*(struct sv *)((char *)d + rec_views[i]) = sv_make("", 0);
	d->text = d->raw = sv_make("", 0);
	d->declared_len = -1;
}

/* it: r handed over bare. */
static void item_bare(struct item *it, const struct fmt_rec *r)
{
	it->what = IT_BARE;
	it->type = r->type;
	it->truncated = r->truncated;
	it->line = r->line_first;
	it->line_last = r->line_last;
	it->u.ts = r->ts;
}

/* The record's copy, in the arena (it->rec). */
static struct fmt_rec *rec_new(struct slot *sl, struct item *it)
{
	it->what = IT_REC;
	it->rec = arena_alloc(sl, sizeof *it->rec);
	return it->rec;
}

/* v moved from inside text to the same place in copy (same length). */
static struct sv move_view(struct sv v, struct sv text, const char *copy)
{
	if (!v.p || v.p < text.p || v.p > text.p + text.n)
		return v;
	return sv_make(copy + (v.p - text.p), v.n);
}

/*
 * An entry: the pattern table's events on its text (in the parser's
 * buffer), then the record copied, or with PAR_BARE_ENTRIES only its
 * text, when there are events (the rules read nothing else of it), and
 * their views moved into the copy.
 */
static void w_entry(struct wctx *w, struct item *it,
		    const struct fmt_rec *rec)
{
	struct slot *sl = w->sl;
	it->ev = sl->nevs;
	if (w->pt)
		(void)pattern_match(w->pt, rec->text, w_event, sl);
	const char *c;
	if (w->p->cfg.bare & PAR_BARE_ENTRIES) {
		item_bare(it, rec);
		if (!it->nev)
			return;
		struct span none = { NULL, NULL, NULL };
		c = relocate(sl, rec->text, &none).p;
	} else {
		struct fmt_rec *d = rec_new(sl, it);
		rec_copy(sl, d, rec, NULL, w->p->cfg.raw);
		c = d->text.p;
	}
	for (size_t i = it->ev; i < it->ev + it->nev; i++) {
		struct pat_event *ev = &sl->evs[i];
		ev->text = move_view(ev->text, rec->text, c);
		ev->match = move_view(ev->match, rec->text, c);
		for (size_t j = 0; j < ev->ncaps; j++)
			ev->caps[j].value = move_view(ev->caps[j].value,
						      rec->text, c);
	}
}

static int w_rec(void *ud, const struct fmt_rec *rec)
{
	struct wctx *w = ud;
	struct item *it = item_new(w->sl);
	if (rec->type == REC_ENTRY) {
		w_entry(w, it, rec);
		return 0;
	}
	if (rec->type != REC_MSG) {
		rec_copy(w->sl, rec_new(w->sl, it), rec, NULL,
			 w->p->cfg.raw);
		return 0;
	}
	struct msg *m = msg_next(w->sl);
	msg_set(m, rec, w->p->path);
	/* msg_set copied the text, unchanged, into m->buf: share it */
	if (w->p->cfg.bare & PAR_BARE_MSGS)
		item_bare(it, rec);
	else
		rec_copy(w->sl, rec_new(w->sl, it), rec, m->buf,
			 w->p->cfg.raw);
	(void)sip_parse(m);
	/* the session stage reads an answer's provisioning body: here,
	 * when the one-pass reader takes it (else sess.c reads it) */
	if (w->p->cfg.prov && m->kind == MSG_RESPONSE &&
	    m->status >= 200 && m->status < 300 && m->body.n &&
	    sv_ieq_cstr(m->cseq_method, "SUBSCRIBE") &&
	    sv_find(m->body, "provisionGroupList") >= 0) {
		struct xmlprov *x = prov_next(w->sl);
		if (xmlprov_read(x, m->body) >= 0)
			m->prov = x;
	}
	it->m = m;
	return 0;
}

/* Stage 1-3 over one claimed chunk into its slot; pt: the thread's
 * pattern table or NULL */
static void run_chunk(struct par *p, size_t k, struct slot *sl,
		      struct pat_table *pt)
{
	/* from == to: an empty chunk, past a record longer than chunks */
	if (sl->failed || sl->from == sl->to)
		return;

	struct range r = { p, sl->from, sl->to, 0 };
	struct wctx w = { p, sl, pt };
	struct fmt_sink sink = { w_rec, &w };
	struct fmt_limits lim = { p->cfg.max_msg };
	struct lr *lr = lr_open_reader(range_read, &r, p->path,
				       p->cfg.max_line);
	struct fmt *f = fmt_new(k == 0 ? p->cfg.format : p->kind, &sink,
				&lim);
	struct sv line;
	unsigned long ln = 0;
	int st;
	while ((st = lr_next(lr, &line, &ln, &sl->err)) != LR_EOF) {
		if (st == LR_ERR) {
			sl->failed = 1;
			break;
		}
		if (st == LR_LONG) {
			struct item *it = item_new(sl);
			it->what = IT_LONG;
			it->line = ln;
			it->u.n = line.n;
			(void)fmt_skip(f, ln, &sl->err);
		} else if (fmt_feed(f, line, ln, &sl->err) < 0) {
			sl->failed = 1;
			break;
		}
	}
	struct sfb_err ferr = { 0 };
	if (fmt_finish(f, sl->failed ? &ferr : &sl->err) < 0)
		sl->failed = 1;
	sl->nlines = ln;
	sl->bytes = lr_bytes(lr);
	sl->enc = lr_encoding(lr);
	fmt_free(f);
	lr_close(lr);
}

/* What a thread that parses chunks owns. */
struct tools {
	char *buf;              /* SCAN_BLK bytes for the boundary finder */
	struct pat_table *pt;   /* its clone of the pattern table, or NULL */
	size_t owned;           /* chunks it parsed, not yet handed over */
};

static void tools_init(struct tools *t, const struct par *p)
{
	t->buf = sfb_xmalloc(SCAN_BLK);
	t->pt = p->cfg.patterns ? pattern_clone(p->cfg.patterns) : NULL;
	t->owned = 0;
}

static void tools_free(struct tools *t)
{
	pattern_free(t->pt);
	free(t->buf);
}

/*
 * With p->mu held: claim the next chunk, if there is one and a slot for
 * it (fewer than nslots chunks in flight), and find its bounds (buf:
 * the thread's SCAN_BLK bytes).  @return its slot, or NULL
 */
static struct slot *claim(struct par *p, char *buf)
{
	if (p->stop || p->next >= p->nchunks ||
	    p->next >= p->consumed + p->nslots)
		return NULL;
	size_t k = p->next++;
	struct slot *sl = &p->slots[k % p->nslots];
	sl->state = S_BUSY;
	sl->chunk = k;
	sl->failed = chunk_bounds(p, k, sl, buf) != 0;
	return sl;
}


/* ---- detection -------------------------------------------------------- */

static int skip_rec(void *ud, const struct fmt_rec *rec)
{
	(void)ud;
	(void)rec;
	return 0;
}

/*
 * Read the file start as a serial read would until the format is
 * known.  @return 0 with p->kind and p->first set; 1 when the file is
 * not for par (compressed, UTF-16, raw SIP text, undetected)
 */
static int detect(struct par *p)
{
	struct sfb_err err = { 0 };
	struct lr *lr = lr_open(p->path, p->cfg.max_line, &err);
	if (!lr)
		return 1;
	struct fmt_sink sink = { skip_rec, NULL };
	struct fmt_limits lim = { p->cfg.max_msg };
	struct fmt *f = fmt_new(p->cfg.format, &sink, &lim);
	struct sv line;
	unsigned long ln = 0, decided = 0;
	int st;
	while (fmt_kind_get(f) == FMT_AUTO &&
	       (st = lr_next(lr, &line, &ln, &err)) != LR_EOF) {
		if (st == LR_ERR)
			break;
		if ((st == LR_LONG ? fmt_skip(f, ln, &err)
		     : fmt_feed(f, line, ln, &err)) < 0)
			break;
		decided = ln;
	}
	if (p->cfg.format == FMT_AUTO && fmt_kind_get(f) == FMT_AUTO)
		decided = 0;
	else if (p->cfg.format != FMT_AUTO)     /* read the encoding */
		(void)lr_next(lr, &line, &ln, &err);
	p->kind = fmt_kind_get(f);
	int no = lr_is_gzip(lr) || (lr_encoding(lr) != LR_ENC_UTF8 &&
				    lr_encoding(lr) != LR_ENC_UTF8_BOM) ||
		 (p->kind != FMT_UCC && p->kind != FMT_CLS) ||
		 (p->cfg.format == FMT_AUTO && !decided);
	fmt_free(f);
	lr_close(lr);
	if (no)
		return 1;
	/* the end of the line that decided: chunk 1 starts after it */
	p->first = 0;
	if (decided) {
		long long n = 0;
		char *buf = sfb_xmalloc(READ_BLK);
		uint64_t off = 0;
		while ((unsigned long)n < decided && off < p->size) {
			long got = read_at(p->fd, buf, READ_BLK, off, &err,
					   p->path);
			if (got <= 0)
				break;
			for (long i = 0; i < got; i++)
				if (buf[i] == '\n' &&
				    (unsigned long)++n == decided) {
					p->first = off + (uint64_t)i + 1;
					break;
				}
			off += (uint64_t)got;
		}
		free(buf);
		if ((unsigned long)n < decided)
			p->first = p->size;
	}
	return 0;
}

/* ---- the run ---------------------------------------------------------- */

/*
 * A warning's text with its line numbers (each number written right
 * after "line ") moved by base, in the slot's arena.  Room is made for
 * the longest numbers, so nothing is ever cut.
 */
static struct sv rebase_text(struct slot *sl, struct sv t,
			     unsigned long base)
{
	size_t cap = t.n, n = 0;
	for (struct sv s = t;;) {
		long at = sv_find(s, "line ");
		if (at < 0)
			break;
		cap += 20;      /* a number grows by 19 digits at most */
		sv_skip(&s, (size_t)at + 5);
	}
	char *out = arena_alloc(sl, cap);
	while (t.n) {
		long at = sv_find(t, "line ");
		size_t head = at < 0 ? t.n : (size_t)at + 5;
		memcpy(out + n, t.p, head);
		n += head;
		sv_skip(&t, head);
		uint64_t v;
		struct sv num = t;
		if (at < 0 || sv_take_u64(&num, 20, &v) != 0)
			continue;
		char dig[24];
		int k = 0;
		for (uint64_t x = v + base; k == 0 || x; x /= 10)
			dig[k++] = (char)('0' + x % 10);
		while (k)
			out[n++] = dig[--k];
		sv_skip(&t, t.n - num.n);
	}
	return sv_make(out, n);
}

/* Item i's line numbers, relative to its chunk, made the file's. */
static void rebase(struct slot *sl, struct item *it, unsigned long base)
{
	if (it->m) {
		it->m->line_first += base;
		it->m->line_last += base;
	}
	if (it->what != IT_REC) {
		it->line += base;
		it->line_last += base;
		return;
	}
	struct fmt_rec *r = it->rec;
	r->line_first += base;
	r->line_last += base;
	if (r->type == REC_WARN)
		r->text = rebase_text(sl, r->text, base);
}

static void prefetch(const void *p, size_t n)
{
	for (size_t o = 0; o < n; o += 64)
		__builtin_prefetch((const char *)p + o);
}

/*
 * What the hand-over will read of item i, fetched ahead: when the slot
 * was filled long enough ago (its turn came while its thread parsed
 * another chunk), every message's first touch would wait for memory.
 * The item itself far ahead, then its record and message, then what
 * the message points to (an entry's text is read only by the rules
 * that its events fire).
 */
#define AHEAD 8

static void fetch_ahead(const struct slot *sl, size_t i)
{
	if (i + 2 * AHEAD < sl->nitems)
		prefetch(&sl->items[i + 2 * AHEAD], sizeof(struct item));
	if (i + AHEAD < sl->nitems) {
		const struct item *it = &sl->items[i + AHEAD];
		if (it->rec)
			prefetch(it->rec, sizeof *it->rec);
		if (it->m)
			prefetch(it->m, sizeof *it->m);
	}
	if (i + AHEAD / 2 < sl->nitems) {
		const struct msg *m = sl->items[i + AHEAD / 2].m;
		if (m) {
			prefetch(m->buf, m->len);
			prefetch(m->hdrs, m->nhdrs * sizeof *m->hdrs);
			prefetch(m->auths, m->nauths * sizeof *m->auths);
			prefetch(m->params, m->nparams * sizeof *m->params);
		}
	}
}

/*
 * Hand one slot's items to the sink; base: the lines before its chunk.
 * @return non-zero to stop
 */
static int hand_over(struct slot *sl, const struct par_sink *sk,
		     unsigned long base)
{
	struct fmt_rec bare;
	rec_bare(&bare);
	for (size_t i = 0; i < sl->nitems; i++) {
		struct item *it = &sl->items[i];
		fetch_ahead(sl, i);
		if (base)
			rebase(sl, it, base);
		if (it->what == IT_LONG) {
			if (sk->on_long)
				sk->on_long(sk->ud, it->line, it->u.n);
			continue;
		}
		const struct fmt_rec *r = it->rec;
		if (it->what == IT_BARE) {
			bare.type = it->type;
			bare.truncated = it->truncated;
			bare.line_first = it->line;
			bare.line_last = it->line_last;
			bare.ts = it->u.ts;
			r = &bare;
		}
		const struct pat_event *ev = it->nev ? sl->evs + it->ev
						     : NULL;
		if (sk->on_rec && sk->on_rec(sk->ud, r, it->m, ev, it->nev))
			return 1;
	}
	return 0;
}

/*
 * Chunk sl's records to the sink, then the run's totals.  One thread at
 * a time calls this, in chunk order (run_jobs).  @return non-zero to stop
 */
static int deliver(struct par *p, struct slot *sl)
{
	struct par_result *res = p->res;
	int stop = hand_over(sl, p->sk, (unsigned long)res->lines);
	res->lines += sl->nlines;
	res->bytes += sl->bytes;
	if (sl->chunk == 0)
		res->enc = sl->enc;
	if (sl->failed) {
		*p->err = sl->err;
		if (p->err->line)
			p->err->line += (unsigned long)res->lines -
					sl->nlines;
		p->rc = -1;
		stop = 1;
	}
	return stop;
}

/*
 * What every thread of a run does, the caller's too: hand over the
 * chunk it parsed when that chunk's turn has come (every chunk before
 * it handed over), else parse the next chunk, else wait.  The hand-over
 * stays on the thread that parsed the chunk: the records, messages and
 * texts it wrote are read back from its own core's caches (a chunk
 * handed over by whichever thread was free, until the sixth round,
 * cost -j2 some 10% more CPU time).  The turns keep the hand-overs one
 * at a time, in chunk order: a chunk's turn comes only once the chunk
 * before is handed over.  p->mu is released while parsing and handing
 * over.
 */
static void run_jobs(struct par *p, struct tools *t)
{
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct slot *sl = &p->slots[p->consumed % p->nslots];
		if (p->consumed < p->nchunks && sl->state == S_DONE &&
		    sl->chunk == p->consumed && sl->owner == t) {
			pthread_mutex_unlock(&p->mu);
			int stop = deliver(p, sl);
			slot_reset(sl);
			pthread_mutex_lock(&p->mu);
			sl->state = S_FREE;
			t->owned--;
			p->consumed++;
			if (stop)
				p->stop = 1;
			pthread_cond_broadcast(&p->space);
		} else if ((sl = claim(p, t->buf)) != NULL) {
			pthread_mutex_unlock(&p->mu);
			run_chunk(p, sl->chunk, sl, t->pt);
			pthread_mutex_lock(&p->mu);
			sl->state = S_DONE;
			sl->owner = t;
			t->owned++;
		} else if (p->next >= p->nchunks && !t->owned) {
			break;  /* nothing left to parse or hand over */
		} else {
			/* a turn or a slot: a hand-over gives both */
			pthread_cond_wait(&p->space, &p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

static void *worker(void *ud)
{
	struct par *p = ud;
	struct tools t;
	tools_init(&t, p);
	run_jobs(p, &t);
	tools_free(&t);
	return NULL;
}

int par_run(const char *path, const struct par_config *cfg,
	    const struct par_sink *sk, struct par_result *res,
	    struct sfb_err *err)
{
	struct par p;
	struct stat sb;
	memset(&p, 0, sizeof p);
	memset(res, 0, sizeof *res);
	p.path = path;
	p.cfg = *cfg;
	if (!p.cfg.chunk)
		p.cfg.chunk = PAR_CHUNK;
	if (p.cfg.jobs < 1)
		p.cfg.jobs = 1;
	if (p.cfg.jobs > PAR_MAX_JOBS)
		p.cfg.jobs = PAR_MAX_JOBS;
	if (strcmp(path, "-") == 0)
		return 1;
	p.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p.fd < 0)
		return 1;       /* the serial read says why */
	if (fstat(p.fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size <= p.cfg.chunk) {
		close(p.fd);
		return 1;
	}
	p.size = (uint64_t)sb.st_size;
	if (detect(&p)) {
		close(p.fd);
		return 1;
	}
	p.nchunks = (size_t)((p.size + p.cfg.chunk - 1) / p.cfg.chunk);
	p.nslots = (size_t)p.cfg.jobs + 2;
	if (p.nslots > PAR_MAX_SLOTS)
		p.nslots = PAR_MAX_SLOTS;
	p.slots = sfb_xcalloc(p.nslots, sizeof *p.slots);
	p.sk = sk;
	p.res = res;
	p.err = err;
	res->kind = p.kind;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.space, NULL);
	/* jobs threads in all: the caller's and jobs - 1 workers */
	unsigned nworkers = p.cfg.jobs - 1, started = 0;
	pthread_t *th = sfb_xcalloc(nworkers + 1, sizeof *th);
	for (unsigned i = 0; i < nworkers; i++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	/* no worker at all: nothing was read, the caller reads serially */
	int rc = started || !nworkers ? 0 : 1;
	if (rc == 0) {
		struct tools tools;
		tools_init(&tools, &p);
		run_jobs(&p, &tools);
		tools_free(&tools);
	}
	/* the workers end when every chunk is claimed, and their last
	 * chunks handed over (or on stop) */
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	if (rc == 0)
		rc = p.rc;
	for (size_t i = 0; i < p.nslots; i++)
		slot_free(&p.slots[i]);
	free(p.slots);
	pthread_cond_destroy(&p.space);
	pthread_mutex_destroy(&p.mu);
	close(p.fd);
	return rc;
}
