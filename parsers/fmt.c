/* SPDX-License-Identifier: MIT */
/*
 * fmt.c -- format detection and dispatch, the front of the second
 * pipeline stage: lines from lr go in, and are handed to the client-log
 * parser (fmt_ucc.c) or the server-trace parser (fmt_cls.c), which call
 * the sink, or to the raw SIP/HTTP text parser (fmt_sip.c).  With
 * FMT_AUTO the format is decided by content: the first line that sniffs
 * as a UccApilog entry or a CLS header line picks the parser, and the
 * lines held until then are replayed into it with their own line
 * numbers.  Raw text has no framing to sniff, only SIP/HTTP start lines
 * and step-tree lines that a log may hold too, so it is chosen only
 * when such a line was seen and no framing turned up before the
 * detection window (or the hold buffer, or the input) ran out.
 *
 * Ownership: the fmt object owns the parser it created and the copies
 * of the held lines (bounded: SFB_DETECT_LINES lines, FMT_HOLD_MAX
 * bytes); lines passed to fmt_feed are borrowed for the call only.
 * Records reach the sink with the parser's ownership rule (parser.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "sv.h"

/* Bytes of held lines kept while detecting (see hold_line). */
#define FMT_HOLD_MAX (1u << 20)

struct held {
	size_t off, n;
	int stand_in;              /* not kept: 1 replayed as "?", 2 (an
				    * fmt_skip line) not replayed */
	unsigned long lineno;
};

struct fmt {
	enum fmt_kind kind;
	struct fmt_sink sink;
	struct fmt_limits lim;
	struct fmt_ucc *ucc;       /* owned, once the kind is known */
	struct fmt_cls *cls;       /* owned, once the kind is known */
	struct fmt_sip *sip;       /* owned, once the kind is known */

	/* detection: held copies of the lines seen so far */
	char *hbuf;                /* owned */
	size_t hlen, hcap;
	struct held *held;         /* owned */
	size_t nheld, held_cap;
	unsigned long seen;        /* lines fed before the decision */
	unsigned long skipped;     /* of them, over-long (fmt_skip) */
	int failed;                /* gave up: every call fails */
	int sip_seen;              /* a raw start / step line was held */
};

static void make_parser(struct fmt *f, enum fmt_kind k)
{
	f->kind = k;
	if (k == FMT_UCC)
		f->ucc = fmt_ucc_new(&f->sink, &f->lim);
	else if (k == FMT_SIP)
		f->sip = fmt_sip_new(&f->sink, &f->lim);
	else
		f->cls = fmt_cls_new(&f->sink, &f->lim);
}

struct fmt *fmt_new(enum fmt_kind kind, const struct fmt_sink *sink,
		    const struct fmt_limits *lim)
{
	struct fmt *f = sfb_xcalloc(1, sizeof *f);
	f->sink = *sink;
	if (lim)
		f->lim = *lim;
	if (kind == FMT_UCC || kind == FMT_CLS || kind == FMT_SIP)
		make_parser(f, kind);
	return f;
}

static inline int feed_parser(struct fmt *f, struct sv line,
			      unsigned long lineno)
{
	if (f->ucc)
		return fmt_ucc_feed(f->ucc, line, lineno);
	if (f->sip)
		return fmt_sip_feed(f->sip, line, lineno);
	return fmt_cls_feed(f->cls, line, lineno);
}

static void drop_held(struct fmt *f)
{
	free(f->hbuf);
	free(f->held);
	f->hbuf = NULL;
	f->held = NULL;
	f->hlen = f->hcap = f->nheld = f->held_cap = 0;
}

/*
 * Keep a copy of a line seen before the format is known.  Such a line
 * sniffed as neither format, so either parser can only count it as
 * junk: once FMT_HOLD_MAX bytes are held, a line that does not fit is
 * held as a one-byte stand-in, which counts the same.  @param stand_in
 * 2: a line the reader skipped (fmt_skip), held only to count.
 */
static void hold_line(struct fmt *f, struct sv line, unsigned long lineno,
		      int stand_in)
{
	size_t n = line.n;
	if (!stand_in && n > FMT_HOLD_MAX - f->hlen)
		stand_in = 1;
	if (stand_in)
		n = 0;
	if (f->hlen + n > f->hcap) {
		size_t c = f->hcap ? f->hcap : 4096;
		while (c < f->hlen + n)
			c *= 2;
		f->hcap = c > FMT_HOLD_MAX ? FMT_HOLD_MAX : c;
		f->hbuf = sfb_xrealloc(f->hbuf, f->hcap);
	}
	if (f->nheld == f->held_cap) {
		f->held_cap = f->held_cap ? f->held_cap * 2 : 64;
		f->held = sfb_xrealloc(f->held,
				       f->held_cap * sizeof *f->held);
	}
	if (n)
		memcpy(f->hbuf + f->hlen, line.p, n);
	struct held *h = &f->held[f->nheld++];
	h->off = f->hlen;
	h->n = n;
	h->stand_in = stand_in;
	h->lineno = lineno;
	f->hlen += n;
}

static int give_up(struct fmt *f, struct sfb_err *err)
{
	f->failed = 1;
	drop_held(f);
	if (f->skipped)
		sfb_err_set(err, SFB_E_FORMAT, 0,
			    "not a UccApilog or CLS text log, nor SIP text: "
			    "no entry line or start line in the first %lu "
			    "lines (%lu of them too long to read)", f->seen,
			    f->skipped);
	else
		sfb_err_set(err, SFB_E_FORMAT, 0,
			    "not a UccApilog or CLS text log, nor SIP text: "
			    "no entry line or start line in the first %lu "
			    "lines", f->seen);
	if (err) {
		err->line = 0;
		err->col = 0;
	}
	return -1;
}

/*
 * The kind is known: make its parser and replay the held lines into
 * it, then line (if line.p).  @return what the parser returned
 */
static int decide(struct fmt *f, enum fmt_kind k, struct sv line,
		  unsigned long lineno)
{
	make_parser(f, k);
	int rc = 0;
	for (size_t i = 0; i < f->nheld && rc == 0; i++) {
		const struct held *h = &f->held[i];
		if (h->stand_in == 2)
			continue;       /* fmt_skip: the caller warned */
		struct sv v = h->stand_in ? SV_LIT("?") :
			      sv_make(f->hbuf + h->off, h->n);
		rc = feed_parser(f, v, h->lineno);
	}
	drop_held(f);
	if (rc || !line.p)
		return rc;
	return feed_parser(f, line, lineno);
}

/* fmt_feed before the format is known: detection (see the top). */
static SFB_NOINLINE int feed_auto(struct fmt *f, struct sv line,
				  unsigned long lineno, struct sfb_err *err)
{
	if (f->failed)
		return give_up(f, err);
	f->seen++;
	/*
	 * Blank lines before the first record mean nothing to the log
	 * parsers, so they are neither held nor counted against the
	 * detection window; raw text needs them (they end messages), so
	 * once a start line was seen they are held.
	 */
	if (sv_is_blank(line) && !f->sip_seen)
		return 0;
	enum fmt_kind k = FMT_AUTO;
	if (fmt_ucc_sniff(line))
		k = FMT_UCC;
	else if (fmt_cls_sniff(line))
		k = FMT_CLS;
	if (k != FMT_AUTO)
		return decide(f, k, line, lineno);
	if (!f->sip_seen && fmt_sip_sniff(line))
		f->sip_seen = 1;
	if (f->nheld + 1 >= SFB_DETECT_LINES ||
	    line.n > FMT_HOLD_MAX - f->hlen) {
		if (f->sip_seen)
			return decide(f, FMT_SIP, line, lineno);
		if (f->nheld + 1 >= SFB_DETECT_LINES)
			return give_up(f, err);
	}
	hold_line(f, line, lineno, 0);
	return 0;
}

int fmt_feed(struct fmt *f, struct sv line, unsigned long lineno,
	     struct sfb_err *err)
{
	/* every line of a log: the known format's parser, by a tail call */
	if (f->kind != FMT_AUTO)
		return feed_parser(f, line, lineno);
	return feed_auto(f, line, lineno, err);
}

int fmt_skip(struct fmt *f, unsigned long lineno, struct sfb_err *err)
{
	if (f->kind != FMT_AUTO)
		return 0;
	if (f->failed)
		return give_up(f, err);
	f->seen++;
	f->skipped++;
	if (f->nheld + 1 >= SFB_DETECT_LINES)
		return give_up(f, err);
	hold_line(f, SV_NULL, lineno, 2);
	return 0;
}

int fmt_finish(struct fmt *f, struct sfb_err *err)
{
	if (f->ucc)
		return fmt_ucc_finish(f->ucc);
	if (f->cls)
		return fmt_cls_finish(f->cls);
	if (f->sip)
		return fmt_sip_finish(f->sip);
	if (!f->failed && f->sip_seen) {
		int rc = decide(f, FMT_SIP, SV_NULL, 0);
		return rc ? rc : fmt_sip_finish(f->sip);
	}
	if (f->failed || f->nheld)
		return give_up(f, err);
	return 0;
}

/*
 * The bytes of the 8 at p that differ from the template t, where the
 * mask d marks digits: punctuation must be equal; a digit is a byte
 * 0x30-0x39, so its high nibble is 3 and adding 6 keeps it 3.  A carry
 * out of a byte comes only from a byte that fails anyway.
 * @return 0 when all 8 fit
 */
static inline uint64_t stamp_word_bad(const char *p, const char *t,
				      const unsigned char *d)
{
	const uint64_t hi = UINT64_C(0xf0f0f0f0f0f0f0f0);
	const uint64_t three = UINT64_C(0x3030303030303030);
	const uint64_t six = UINT64_C(0x0606060606060606);
	uint64_t w, tw, dw;
	memcpy(&w, p, 8);
	memcpy(&tw, t, 8);
	memcpy(&dw, d, 8);
	return ((w ^ tw) & ~dw) | ((w & hi & dw) ^ (three & dw)) |
	       (((w + six) & hi & dw) ^ (three & dw));
}

int fmt_stamp_ok(const char *p, char sep)
{
	static const unsigned char digit[23] = {
		0xff, 0xff, 0, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0,
		0xff, 0xff, 0, 0xff, 0xff, 0, 0xff, 0xff, 0, 0xff, 0xff, 0xff
	};
	char shape[24] = "00/00/0000?00:00:00.000";
	shape[10] = sep;
	/* word-wise, in three overlapping words */
	return (stamp_word_bad(p, shape, digit) |
		stamp_word_bad(p + 8, shape + 8, digit + 8) |
		stamp_word_bad(p + 15, shape + 15, digit + 15)) == 0;
}

int64_t fmt_stamp_time(const char *p, struct fmt_day *day)
{
	int hour = sv_dig2(p + 11), min = sv_dig2(p + 14);
	int sec = sv_dig2(p + 17);
	int ms = sv_dig2(p + 20) * 10 + (p[22] - '0');
	if (hour >= 24 || min >= 60 || sec > 60)
		return SFB_TIME_NONE;
	if (!day->set || memcmp(p, day->ymd, sizeof day->ymd) != 0) {
		int mon = sv_dig2(p), mday = sv_dig2(p + 3);
		int year = sv_dig2(p + 6) * 100 + sv_dig2(p + 8);
		if (mon < 1 || mon > 12 || mday < 1 || mday > 31)
			return SFB_TIME_NONE;
		memcpy(day->ymd, p, sizeof day->ymd);
		day->start = sfb_time_make(year, mon, mday, 0, 0, 0, 0);
		day->set = 1;
	}
	/* sfb_time_make is linear in the time of day */
	return day->start + ((int64_t)hour * 60 + min) * 60000 +
	       (int64_t)sec * 1000 + ms;
}

enum fmt_kind fmt_kind_get(const struct fmt *f)
{
	return f->kind;
}

const char *fmt_kind_name(enum fmt_kind k)
{
	switch (k) {
	case FMT_UCC:
		return "uccapilog";
	case FMT_CLS:
		return "cls";
	case FMT_SIP:
		return "sip";
	default:
		return "unknown";
	}
}

int fmt_kind_parse(const char *s)
{
	struct sv v = sv_cstr(s);
	if (sv_ieq_cstr(v, "uccapilog") || sv_ieq_cstr(v, "ucc"))
		return FMT_UCC;
	if (sv_ieq_cstr(v, "cls"))
		return FMT_CLS;
	if (sv_ieq_cstr(v, "sip") || sv_ieq_cstr(v, "raw"))
		return FMT_SIP;
	if (sv_ieq_cstr(v, "auto"))
		return FMT_AUTO;
	return -1;
}

void fmt_free(struct fmt *f)
{
	if (!f)
		return;
	fmt_ucc_free(f->ucc);
	fmt_cls_free(f->cls);
	fmt_sip_free(f->sip);
	drop_held(f);
	free(f);
}
