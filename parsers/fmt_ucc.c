/* SPDX-License-Identifier: MIT */
/*
 * fmt_ucc.c -- the client-log (.UccApilog) format parser, second stage
 * of the pipeline: physical lines in (from lr, through fmt.c), records
 * out (REC_ENTRY for free-text entries, REC_MSG for the framed
 * "Sending Packet" / "Data Received" SIP and HTTP blocks, REC_WARN for
 * what was repaired or skipped).  FORMATS.md section 1 is the
 * reference.
 *
 * A record's physical lines are copied into one buffer that is reused
 * from record to record, so a warm parser allocates nothing.  The
 * record's text is a contiguous slice of that same buffer (the part
 * after the first line's prefix, minus a block's closing "End of"
 * line), so each line is copied exactly once.  Ownership: the views in
 * an emitted record point into the buffer and live only during the
 * on_rec call; the fed line is borrowed for the fmt_ucc_feed call only.
 * Memory is bounded by lim->max_msg per record.
 *
 * Decisions where the format leaves room (each has a unit test):
 * - a record never ends in blank lines: trailing blank lines count in
 *   neither its raw, its line_last nor its text (the blank line that
 *   separates a message's headers from its body is kept);
 * - a block whose opening line is followed directly by "End of" gives
 *   a REC_MSG with empty text; one followed by a prefixed non-SIP line
 *   takes that line as its start line (the SIP parser flags it); a
 *   second opening line cuts the first block short;
 * - an unprefixed non-blank line right after the opening line is
 *   taken as the message's start line;
 * - inside a block any "End of" text closes it; outside one, only a
 *   framing "End of" ("End of", "End of Sending Packet ...", "End of
 *   Data Received ...") warns, other "End of ..." texts are entries;
 * - non-blank lines outside any record (before the first entry, after
 *   an "End of") are counted into one REC_WARN per run;
 * - a REC_MSG or REC_ENTRY comes before the REC_WARNs about it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "sv.h"

/* Longest LEVEL word accepted in a prefix; real ones are 4-7 long. */
#define UCC_MAX_LEVEL 32
/* Longest prefix remembered whole (fmt_ucc.pfx); real ones are ~42. */
#define UCC_PFX_MAX 64

/* The text that closes a block ("End of Sending Packet - ..."). */
#define END_LIT "End of"

enum ucc_state {
	ST_NONE = 0,  /* between records */
	ST_ENTRY,     /* collecting a free-text entry */
	ST_OPEN,      /* a block was opened, its message has not started */
	ST_BLOCK      /* inside a block's message */
};

/* A byte range of the record buffer (offsets survive reallocation). */
struct span {
	size_t off, len;
};

/* What an entry prefix holds; offsets are into the line. */
struct ucc_prefix {
	int64_t ts;
	uint32_t tid, pid;
	size_t level_off, level_len;
	size_t text_off;
};

struct fmt_ucc {
	struct fmt_sink sink;
	size_t max;                /* bytes kept of one record */
	enum ucc_state st;

	/* the current record's physical lines, '\n'-joined; owned */
	char *buf;
	size_t len, cap;
	size_t keep;               /* len up to the last non-blank line */
	unsigned long nlines;      /* lines appended (for the separator) */
	unsigned long first, last_keep;
	int over;                  /* stopped collecting at the limit */
	int blank;                 /* the last line appended was blank */
	size_t text_off, text_end; /* the record's text in buf */

	/* metadata of the record's first line */
	int64_t ts;
	uint32_t tid, pid;
	struct span level, local, remote;
	enum rec_dir dir;
	int64_t declared;

	/* a run of lines outside any record, reported once */
	unsigned long junk_first, junk_last, junk_n;

	/* the date and time of the last prefix and its log time: the
	 * lines of one entry or block share them (parse_prefix) */
	char stamp[23];
	int64_t stamp_ts;
	struct fmt_day day;        /* the day of the last new stamp */
	/* the whole last prefix up to its "::" and what it held: the
	 * lines of one block usually repeat it byte for byte */
	char pfx[UCC_PFX_MAX];
	size_t pfx_len;            /* 0: none kept */
	struct ucc_prefix pfx_px;

	char wbuf[192];            /* REC_WARN text */
	/*
	 * The record emit_rec hands over: zeroed once (fmt_ucc_new), then
	 * emit_rec sets the same fields every time, so the other fields
	 * (CLS, diagnostics) stay zero without a memset per record.
	 */
	struct fmt_rec rec;
};

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* @return 1 when the 23 bytes of a date and time at a and b are equal */
static int same_stamp(const char *a, const char *b)
{
	uint64_t x0, x1, x2, y0, y1, y2;
	memcpy(&x0, a, 8);
	memcpy(&x1, a + 8, 8);
	memcpy(&x2, a + 15, 8);
	memcpy(&y0, b, 8);
	memcpy(&y1, b + 8, 8);
	memcpy(&y2, b + 15, 8);
	return ((x0 ^ y0) | (x1 ^ y1) | (x2 ^ y2)) == 0;
}

/*
 * @return 1 when a[23..n) equals b[23..n), n >= 32: the part of two
 * prefixes after the date and time, in 8-byte words (the last one
 * overlaps), without memcmp's call.
 */
static int same_tail(const char *a, const char *b, size_t n)
{
	uint64_t x, y, d = 0;
	size_t i = 23;
	for (; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return (d | (x ^ y)) == 0;
}

/*
 * Recognise "MM/DD/YYYY|HH:MM:SS.mmm T:P LEVEL :: " at the start of
 * line.  Hand-written: this runs on every physical line, and almost
 * every continuation line is rejected by its first byte.  A date whose
 * fields are out of range still makes a prefix (the shape decides), but
 * its time is SFB_TIME_NONE.
 * @return 0 and *px filled, or 1 if line has no prefix
 *
 * cache (may be NULL) remembers the last date and time read and its log
 * time, and the last whole prefix: the lines of one entry or block
 * share them.
 */
static int parse_prefix(struct sv line, struct ucc_prefix *px,
			struct fmt_ucc *cache)
{
	const char *p = line.p;
	/* 23 bytes of date and time, a space, "T:P ", "L", " ::" */
	if (line.n < 32 || !sv_is_digit(p[0]))
		return 1;
	size_t i;
	/*
	 * The same bytes as the last prefix up to its "::" parse the same
	 * way (nothing past them is read), so its fields are reused.  The
	 * part after the date and time is compared first: a new time with
	 * the same thread and level only needs its stamp read.
	 */
	if (cache && cache->pfx_len && line.n >= cache->pfx_len &&
	    same_tail(p, cache->pfx, cache->pfx_len)) {
		if (!same_stamp(p, cache->pfx)) {
			if (!fmt_stamp_ok(p, '|'))
				return 1;
			if (!same_stamp(p, cache->stamp)) {
				memcpy(cache->stamp, p, sizeof cache->stamp);
				cache->stamp_ts = fmt_stamp_time(p,
								 &cache->day);
			}
			memcpy(cache->pfx, p, 23);
			cache->pfx_px.ts = cache->stamp_ts;
		}
		*px = cache->pfx_px;
		i = cache->pfx_len;
		px->text_off = i < line.n && p[i] == ' ' ? i + 1 : i;
		return 0;
	}
	int same = cache && p[23] == ' ' && same_stamp(p, cache->stamp);
	if (!same && (p[23] != ' ' || !fmt_stamp_ok(p, '|')))
		return 1;
	i = 24;
	if (sv_take_hex32_at(line, &i, &px->tid) || i >= line.n || p[i] != ':')
		return 1;
	i++;
	if (sv_take_hex32_at(line, &i, &px->pid) || i >= line.n || p[i] != ' ')
		return 1;
	i++;
	size_t lv = i;
	if (i >= line.n || !is_upper(p[i]))
		return 1;
	while (i < line.n && i - lv < UCC_MAX_LEVEL &&
	       (is_upper(p[i]) || sv_is_digit(p[i]) || p[i] == '_'))
		i++;
	px->level_off = lv;
	px->level_len = i - lv;
	if (i >= line.n || p[i] != ' ')
		return 1;
	while (i < line.n && p[i] == ' ')
		i++;
	if (i + 1 >= line.n || p[i] != ':' || p[i + 1] != ':')
		return 1;
	i += 2;
	px->text_off = i < line.n && p[i] == ' ' ? i + 1 : i;
	if (!cache) {
		struct fmt_day day = { .set = 0 };
		px->ts = fmt_stamp_time(p, &day);
		return 0;
	}
	px->ts = same ? cache->stamp_ts : fmt_stamp_time(p, &cache->day);
	if (!same) {
		memcpy(cache->stamp, p, sizeof cache->stamp);
		cache->stamp_ts = px->ts;
	}
	if (i <= sizeof cache->pfx) {
		memcpy(cache->pfx, p, i);
		cache->pfx_len = i;
		cache->pfx_px = *px;
	}
	return 0;
}

int fmt_ucc_sniff(struct sv line)
{
	struct ucc_prefix px;
	return parse_prefix(line, &px, NULL) == 0;
}

/*
 * @return 1 when text starts with kw followed by the end, a space, a
 * dash or a colon (so "Sending Packets queued" is not a block)
 */
static inline int kw_at(struct sv text, const char *kw, size_t kwlen)
{
	if (text.n < kwlen || memcmp(text.p, kw, kwlen) != 0)
		return 0;
	if (text.n == kwlen)
		return 1;
	char c = text.p[kwlen];
	return c == ' ' || c == '-' || c == ':' || c == '\t';
}

/* @return the direction of a block-opening text, or DIR_UNKNOWN. */
static enum rec_dir block_kind(struct sv text)
{
	if (text.n < 13)
		return DIR_UNKNOWN;
	if (text.p[0] == 'S' && kw_at(text, "Sending Packet", 14))
		return DIR_OUT;
	if (text.p[0] == 'D' && kw_at(text, "Data Received", 13))
		return DIR_IN;
	return DIR_UNKNOWN;
}

static int is_end_line(struct sv text)
{
	return text.n >= 6 && memcmp(text.p, END_LIT, 6) == 0;
}

/*
 * An "End of" line outside a block is only worth a warning when it is
 * clearly framing; other entries may well start with those words.
 */
static int is_framing_end(struct sv text)
{
	struct sv t = text;
	if (!is_end_line(t))
		return 0;
	sv_skip(&t, 6);
	t = sv_trim(t);
	return t.n == 0 || block_kind(t) != DIR_UNKNOWN;
}

static size_t grow_to(size_t cap, size_t need)
{
	size_t c = cap ? cap : 4096;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	return c;
}

/*
 * Make room for sep + *n more bytes in buf, bounded by p->max (cap
 * never exceeds it): *n is cut to what fits, and p->over set when
 * something was cut.  @return 0 when nothing at all fits.
 */
static SFB_NOINLINE int rec_room(struct fmt_ucc *p, size_t sep, size_t *n)
{
	if (p->len + sep + *n > p->max) {
		p->over = 1;
		if (p->len + sep > p->max)
			return 0;
		*n = p->max - p->len - sep;
	}
	if (p->len + sep + *n > p->cap) {
		p->cap = grow_to(p->cap, p->len + sep + *n);
		if (p->cap > p->max)
			p->cap = p->max;
		p->buf = sfb_xrealloc(p->buf, p->cap);
	}
	return 1;
}

/*
 * Append one physical line to the record (raw), bounded by p->max;
 * p->blank tells whether it was blank, and a content line that is not
 * blank moves the text's end (p->text_end) to the end of the record.
 * Runs on every line: the common case (it fits) stays inline, rec_room
 * grows the buffer.  The copy comes last, so that on the path of most
 * lines nothing is left to do after memcpy's call.
 * @return the offset in buf where the line starts (may be past the
 *         kept bytes when the limit was reached)
 */
static inline size_t rec_line(struct fmt_ucc *p, struct sv line,
			      unsigned long lineno, int content)
{
	int blank = sv_is_blank(line);
	p->blank = blank;
	if (!blank)
		p->last_keep = lineno;
	size_t sep = p->nlines ? 1 : 0;
	size_t n = line.n;
	if (p->over ||
	    (p->len + sep + n > p->cap && !rec_room(p, sep, &n))) {
		if (content && !blank)
			p->text_end = p->len;
		return p->len;
	}
	if (sep)
		p->buf[p->len++] = '\n';
	size_t start = p->len;
	p->len += n;
	p->nlines++;
	if (!blank && n)
		p->keep = p->len;
	if (content && !blank)
		p->text_end = p->len;
	if (n)
		memcpy(p->buf + start, line.p, n);
	return start;
}

static struct sv span_sv(const struct fmt_ucc *p, struct span s)
{
	size_t lim = p->keep;
	if (s.off >= lim)
		return sv_make(p->buf ? p->buf + lim : "", 0);
	size_t n = s.len;
	if (n > lim - s.off)
		n = lim - s.off;
	return sv_make(p->buf + s.off, n);
}

static void rec_reset(struct fmt_ucc *p)
{
	p->st = ST_NONE;
	p->len = p->keep = 0;
	p->nlines = 0;
	p->over = 0;
	p->text_off = p->text_end = 0;
	p->level = p->local = p->remote = (struct span){ 0, 0 };
	p->dir = DIR_UNKNOWN;
	p->declared = -1;
}

static int emit_warn(struct fmt_ucc *p, unsigned long first,
		     unsigned long last, int64_t ts)
{
	struct fmt_rec r;
	memset(&r, 0, sizeof r);
	r.type = REC_WARN;
	r.line_first = first;
	r.line_last = last;
	r.ts = ts;
	r.raw = sv_make(p->wbuf, 0);
	size_t n = strlen(p->wbuf);
	r.text = sv_make(p->wbuf, n);
	r.declared_len = -1;
	return p->sink.on_rec(p->sink.ud, &r);
}

static int flush_junk(struct fmt_ucc *p)
{
	if (!p->junk_n)
		return 0;
	snprintf(p->wbuf, sizeof p->wbuf,
		 "%lu line%s without an entry prefix outside any entry "
		 "skipped", p->junk_n, p->junk_n == 1 ? "" : "s");
	unsigned long a = p->junk_first, b = p->junk_last;
	p->junk_n = 0;
	return emit_warn(p, a, b, SFB_TIME_NONE);
}

/*
 * Emit the current record (entry or block) and reset.  cut: a block
 * that ended without its "End of" line.
 */
static int emit_rec(struct fmt_ucc *p, int cut)
{
	struct fmt_rec *r = &p->rec;    /* see fmt_ucc.rec */
	int block = p->st == ST_OPEN || p->st == ST_BLOCK;
	r->type = block ? REC_MSG : REC_ENTRY;
	r->line_first = p->first;
	r->line_last = p->last_keep;
	r->ts = p->ts;
	const char *b = p->buf ? p->buf : "";
	r->raw = sv_make(b, p->keep);
	size_t to = p->text_off, te = p->text_end;
	if (te > p->keep)
		te = p->keep;
	if (to > te)
		to = te;
	r->text = sv_make(b + to, te - to);
	r->level = span_sv(p, p->level);
	r->tid = p->tid;
	r->pid = p->pid;
	r->dir = p->dir;
	r->local = span_sv(p, p->local);
	r->remote = span_sv(p, p->remote);
	r->declared_len = p->declared;
	r->truncated = cut || p->over;

	int over = p->over;
	unsigned long first = p->first, last = p->last_keep;
	int64_t ts = p->ts;
	int rc = p->sink.on_rec(p->sink.ud, r);
	rec_reset(p);
	if (rc)
		return rc;
	if (cut) {
		snprintf(p->wbuf, sizeof p->wbuf,
			 "block opened at line %lu cut short: no 'End of' "
			 "line", first);
		rc = emit_warn(p, first, last, ts);
		if (rc)
			return rc;
	}
	if (over) {
		snprintf(p->wbuf, sizeof p->wbuf,
			 "%s at line %lu over the size limit of %zu bytes: "
			 "cut", block ? "message" : "entry", first, p->max);
		rc = emit_warn(p, first, last, ts);
	}
	return rc;
}

/*
 * @return the offset of "Address:" in v, or -1.  It mostly sits before
 * v's first colon, which memchr finds faster than sv_find's search.
 */
static long find_address(struct sv v)
{
	const char *c = v.n ? memchr(v.p, ':', v.n) : NULL;
	if (!c)
		return -1;
	size_t at = (size_t)(c - v.p);
	if (at >= 7 && memcmp(c - 7, "Address", 7) == 0)
		return (long)(at - 7);
	return sv_find(v, "Address:");
}

/* The bytes that end the remote endpoint of a framing line. */
static const unsigned char remote_end[256] = {
	[' '] = 1, ['\t'] = 1, ['('] = 1,
};

/*
 * Parse the rest of a block-opening line after its keyword:
 * " - <remote> (From Local Address: <local>) N bytes:", each part
 * optional, "-192..." without a space accepted.  Offsets are made
 * relative to buf with base (where the line was stored).
 */
static void parse_framing(struct fmt_ucc *p, struct sv rest, size_t base,
			  const char *line0)
{
	struct sv v = rest;
	sv_skip_ws(&v);
	if (v.n && v.p[0] == '-') {
		sv_skip(&v, 1);
		sv_skip_ws(&v);
	}
	/* the remote endpoint, unless this is already "(..." or "N bytes" */
	if (v.n && v.p[0] != '(') {
		size_t i = 0;
		while (i < v.n && !remote_end[(unsigned char)v.p[i]])
			i++;
		struct sv tok = sv_make(v.p, i), after = v;
		sv_skip(&after, i);
		sv_skip_ws(&after);
		uint64_t num;
		int is_count = sv_starts(after, "bytes") &&
			       sv_to_u64(tok, &num);
		if (!is_count) {
			p->remote.off = base + (size_t)(tok.p - line0);
			p->remote.len = tok.n;
			v = after;
		}
	}
	if (v.n && v.p[0] == '(') {
		long close = sv_find_char(v, ')');
		struct sv in = sv_make(v.p + 1, close < 0 ? v.n - 1 :
					 (size_t)close - 1);
		long a = find_address(in);
		if (a >= 0)
			sv_skip(&in, (size_t)a + 8);
		in = sv_trim(in);
		p->local.off = base + (size_t)(in.p - line0);
		p->local.len = in.n;
		sv_skip(&v, close < 0 ? v.n : (size_t)close + 1);
		sv_skip_ws(&v);
	}
	uint64_t n;
	if (sv_take_u64(&v, 19, &n) == 0) {
		sv_skip_ws(&v);
		if (sv_starts(v, "bytes") && n <= INT64_MAX)
			p->declared = (int64_t)n;
	}
}

/* Start a record (entry or block) at a prefixed line. */
static void rec_begin(struct fmt_ucc *p, struct sv line, unsigned long ln,
		      const struct ucc_prefix *px)
{
	size_t base = rec_line(p, line, ln, 0);
	p->first = ln;
	p->ts = px->ts;
	p->tid = px->tid;
	p->pid = px->pid;
	p->level.off = base + px->level_off;
	p->level.len = px->level_len;
	struct sv text = sv_make(line.p + px->text_off,
				 line.n - px->text_off);
	enum rec_dir d = block_kind(text);
	if (d != DIR_UNKNOWN) {
		p->st = ST_OPEN;
		p->dir = d;
		struct sv rest = text;
		sv_skip(&rest, d == DIR_OUT ? 14 : 13);
		parse_framing(p, rest, base, line.p);
		return;
	}
	p->st = ST_ENTRY;
	p->text_off = base + px->text_off;
	p->text_end = sv_is_blank(text) ? p->text_off : p->len;
}

/* A content line of an entry or of a block's message. */
static void add_content(struct fmt_ucc *p, struct sv line, unsigned long ln)
{
	rec_line(p, line, ln, 1);
}

/* A line of any kind (fmt_ucc_feed takes the common one itself). */
static SFB_NOINLINE int feed_line(struct fmt_ucc *p, struct sv line,
				  unsigned long lineno)
{
	struct ucc_prefix px;
	int rc;

	/* most lines of a block are rejected by their first byte here */
	if (line.n < 32 || !sv_is_digit(line.p[0]) ||
	    parse_prefix(line, &px, p) != 0) {
		switch (p->st) {
		case ST_NONE:
			/* blank lines between records are not junk */
			if (!sv_is_blank(line)) {
				if (!p->junk_n)
					p->junk_first = lineno;
				p->junk_last = lineno;
				p->junk_n++;
			}
			return 0;
		case ST_OPEN: {
			/*
			 * Tolerance: a message whose start line was logged
			 * without a prefix starts at its first non-blank
			 * line.
			 */
			size_t at = rec_line(p, line, lineno, 0);
			if (!p->blank) {
				p->st = ST_BLOCK;
				p->text_off = at;
				p->text_end = p->len;
			}
			return 0;
		}
		case ST_ENTRY:
		case ST_BLOCK:
			add_content(p, line, lineno);
			return 0;
		}
		return 0;
	}

	struct sv text = sv_make(line.p + px.text_off, line.n - px.text_off);
	if (p->st == ST_OPEN || p->st == ST_BLOCK) {
		if (is_end_line(text)) {
			rec_line(p, line, lineno, 0);
			return emit_rec(p, 0);
		}
		if (p->st == ST_OPEN && block_kind(text) == DIR_UNKNOWN) {
			/* the message's start line */
			size_t base = rec_line(p, line, lineno, 0);
			p->st = ST_BLOCK;
			p->text_off = base + px.text_off;
			p->text_end = sv_is_blank(text) ? p->text_off : p->len;
			return 0;
		}
		/* a new entry or block: this one was cut short */
		rc = emit_rec(p, 1);
		if (rc)
			return rc;
	} else if (p->st == ST_ENTRY) {
		rc = emit_rec(p, 0);
		if (rc)
			return rc;
	}

	rc = flush_junk(p);
	if (rc)
		return rc;
	if (is_framing_end(text)) {
		snprintf(p->wbuf, sizeof p->wbuf,
			 "'End of' line without an open block");
		return emit_warn(p, lineno, lineno, px.ts);
	}
	rec_begin(p, line, lineno, &px);
	return 0;
}

/*
 * Most lines carry on an entry or a block and have no prefix, which
 * their first byte or length shows: they are only appended, on a short
 * path.  Every other line goes to feed_line.
 */
int fmt_ucc_feed(struct fmt_ucc *p, struct sv line, unsigned long lineno)
{
	if ((p->st == ST_BLOCK || p->st == ST_ENTRY) &&
	    (line.n < 32 || !sv_is_digit(line.p[0]))) {
		add_content(p, line, lineno);
		return 0;
	}
	return feed_line(p, line, lineno);
}

int fmt_ucc_finish(struct fmt_ucc *p)
{
	int rc = 0;
	if (p->st == ST_ENTRY)
		rc = emit_rec(p, 0);
	else if (p->st == ST_OPEN || p->st == ST_BLOCK)
		rc = emit_rec(p, 1);
	if (rc)
		return rc;
	return flush_junk(p);
}

struct fmt_ucc *fmt_ucc_new(const struct fmt_sink *sink,
			    const struct fmt_limits *lim)
{
	struct fmt_ucc *p = sfb_xcalloc(1, sizeof *p);
	p->sink = *sink;
	p->max = lim && lim->max_msg ? lim->max_msg : SFB_MAX_MSG;
	rec_reset(p);
	return p;
}

void fmt_ucc_free(struct fmt_ucc *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p);
}
