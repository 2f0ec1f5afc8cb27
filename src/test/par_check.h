/* SPDX-License-Identifier: MIT */
/*
 * par_check.h -- the oracles of the chunk boundary finder (src/par.c),
 * shared by unit_par.c and fuzz_par.c: the boundary from any offset is
 * a line start at or after it, never moves back as the offset grows,
 * does not depend on how the bytes are fed, and fresh parsers fed
 * chunk by chunk from the boundaries emit the records of one serial
 * parser (type, lines, truncation, raw and text).
 */
#ifndef SFB_PAR_CHECK_H
#define SFB_PAR_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "parser.h"
#include "sv.h"

/* Every boundary par_scan finds from offset from, all bytes at once. */
static uint64_t find_all(enum fmt_kind k, const char *t, size_t n,
			 size_t max_line, uint64_t from)
{
	struct par_scan s;
	uint64_t at = n;
	if (from == 0)
		return 0;
	par_scan_init(&s, k, max_line, from);
	if (!par_scan_feed(&s, t + from - 1, n - (from - 1), 1, &at))
		at = n;
	return at;
}

/*
 * The same, fed in pieces: the byte before from alone, then pieces of 1
 * to piece_max bytes, their sizes varying with from, so that over the
 * offsets every byte ends a piece (piece_max 1: one byte at a time).
 */
static uint64_t find_pieces(enum fmt_kind k, const char *t, size_t n,
			    size_t max_line, uint64_t from, size_t piece_max)
{
	struct par_scan s;
	uint64_t at = n;
	if (from == 0)
		return 0;
	par_scan_init(&s, k, max_line, from);
	size_t len = 1;
	for (size_t i = from - 1, j = 0; i < n; i += len, j++) {
		if (j)
			len = 1 + (from + 5 * j) % piece_max;
		if (len > n - i)
			len = n - i;
		if (par_scan_feed(&s, t + i, len, i + len == n, &at))
			return at;
	}
	return n;
}

/* ---- records, serial and chunked -------------------------------------- */

struct trace {
	char *buf;
	size_t len, cap;
};

static void put(struct trace *t, const char *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static int on_rec(void *ud, const struct fmt_rec *r)
{
	char h[96];
	int n = snprintf(h, sizeof h, "%d %lu-%lu %d|", (int)r->type,
			 r->line_first, r->line_last, r->truncated);
	put(ud, h, (size_t)n);
	put(ud, r->raw.p ? r->raw.p : "", r->raw.n);
	put(ud, "|", 1);
	put(ud, r->text.p ? r->text.p : "", r->text.n);
	put(ud, "\n", 1);
	return 0;
}

/* Feed t[from, to) to a parser as lr would (lines, CR before LF cut,
 * lines over max_line skipped), numbering from line base + 1.
 * @return the lines read */
static unsigned long feed(struct fmt *f, const char *t, size_t from,
			  size_t to, unsigned long base, size_t max_line)
{
	struct sfb_err err = { 0 };
	unsigned long ln = base;
	size_t i = from;
	while (i < to) {
		const char *nl = memchr(t + i, '\n', to - i);
		size_t e = nl ? (size_t)(nl - t) : to;
		struct sv line = sv_make(t + i, e - i);
		if (nl && line.n && line.p[line.n - 1] == '\r')
			line.n--;
		ln++;
		if (line.n > max_line)
			(void)fmt_skip(f, ln, &err);
		else
			(void)fmt_feed(f, line, ln, &err);
		i = nl ? e + 1 : to;
	}
	return ln - base;
}

/* The records of t[from, to) by a fresh parser, lines numbered from
 * base + 1, appended to tr.  @return the lines read */
static unsigned long parse_range(enum fmt_kind k, struct trace *tr,
				 const char *t, size_t from, size_t to,
				 unsigned long base, size_t max_line)
{
	struct fmt_sink sink = { on_rec, tr };
	struct sfb_err err = { 0 };
	struct fmt *f = fmt_new(k, &sink, NULL);
	unsigned long lines = feed(f, t, from, to, base, max_line);
	(void)fmt_finish(f, &err);
	fmt_free(f);
	return lines;
}

/*
 * Where par.c's chunks of nominal size c end (chunk_bounds: from the
 * nominal end or the chunk's start; an empty chunk gets no parser, and
 * once a chunk reached the end the rest are empty).  @return how many
 * ends, in *ends (grown as needed)
 */
static size_t chunk_ends(enum fmt_kind k, const char *t, size_t n, size_t c,
			 size_t max_line, uint64_t **ends, size_t *cap)
{
	size_t ne = 0;
	uint64_t start = 0;
	for (size_t nom = c; start < n; nom += c) {
		uint64_t x = nom > start ? nom : start;
		uint64_t end = nom >= n ? n : find_all(k, t, n, max_line, x);
		if (end > start) {
			if (ne == *cap) {
				*cap = *cap ? 2 * *cap : 64;
				*ends = realloc(*ends, *cap * sizeof **ends);
			}
			(*ends)[ne++] = end;
		}
		start = end;
	}
	return ne;
}

/*
 * Records of a serial parse against those of chunks of each nominal
 * size in sizes[0..nsizes).  A size that cuts t where the size before
 * it did is not parsed again: the same chunks give the same records.
 */
static int chunked_same_sizes(enum fmt_kind k, const char *t, size_t n,
			      const size_t *sizes, size_t nsizes,
			      size_t max_line)
{
	struct trace a = { 0 };
	uint64_t *ends = NULL, *prev = NULL;
	size_t cap = 0, pcap = 0, nprev = (size_t)-1;
	int same = 1;
	parse_range(k, &a, t, 0, n, 0, max_line);
	for (size_t i = 0; i < nsizes && same; i++) {
		size_t ne = chunk_ends(k, t, n, sizes[i], max_line, &ends,
				       &cap);
		if (ne == nprev &&
		    (ne == 0 || !memcmp(ends, prev, ne * sizeof *ends)))
			continue;
		struct trace b = { 0 };
		unsigned long base = 0;
		uint64_t start = 0;
		for (size_t j = 0; j < ne; j++) {
			base += parse_range(k, &b, t, start, ends[j], base,
					    max_line);
			start = ends[j];
		}
		same = a.len == b.len && (!a.len ||
					  memcmp(a.buf, b.buf, a.len) == 0);
		if (!same)
			fprintf(stderr, "chunk %zu:\n--- serial\n%s--- "
				"chunked\n%s", sizes[i], a.buf, b.buf);
		free(b.buf);
		uint64_t *tmp = prev;
		prev = ends;
		ends = tmp;
		size_t tcap = pcap;
		pcap = cap;
		cap = tcap;
		nprev = ne;
	}
	free(a.buf);
	free(ends);
	free(prev);
	return same;
}

/* Records of a serial parse against those of chunks of nominal size c. */
static inline int chunked_same(enum fmt_kind k, const char *t, size_t n,
			size_t c, size_t max_line)
{
	return chunked_same_sizes(k, t, n, &c, 1, max_line);
}

/*
 * The offset properties over every offset of t (every step-th), the
 * boundaries found fed in pieces of up to piece_max bytes.
 * @return 0, or 1 not a line start, 2 moved back, 3 feed-dependent
 */
static int offsets_ok_pieces(enum fmt_kind k, const char *t, size_t n,
			     size_t max_line, size_t step, size_t piece_max)
{
	uint64_t prev = 0;
	for (size_t x = 0; x <= n; x += step) {
		uint64_t at = find_all(k, t, n, max_line, x);
		if (at < x || at > n || (at < n && at && t[at - 1] != '\n'))
			return 1;
		if (at < prev)
			return 2;
		if (find_pieces(k, t, n, max_line, x, piece_max) != at)
			return 3;
		prev = at;
	}
	return 0;
}

/* The same, fed one byte at a time. */
static inline int offsets_ok(enum fmt_kind k, const char *t, size_t n,
			     size_t max_line, size_t step)
{
	return offsets_ok_pieces(k, t, n, max_line, step, 1);
}

#endif
