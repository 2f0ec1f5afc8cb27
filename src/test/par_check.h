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

/* The same, fed one byte at a time. */
static uint64_t find_bytes(enum fmt_kind k, const char *t, size_t n,
			   size_t max_line, uint64_t from)
{
	struct par_scan s;
	uint64_t at = n;
	if (from == 0)
		return 0;
	par_scan_init(&s, k, max_line, from);
	for (size_t i = from - 1; i < n; i++)
		if (par_scan_feed(&s, t + i, 1, i + 1 == n, &at))
			return at;
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

/* Records of a serial parse against those of chunks of nominal size c. */
static int chunked_same(enum fmt_kind k, const char *t, size_t n,
			size_t c, size_t max_line)
{
	struct trace a = { 0 }, b = { 0 };
	struct fmt_sink sa = { on_rec, &a }, sb = { on_rec, &b };
	struct sfb_err err = { 0 };
	struct fmt *f = fmt_new(k, &sa, NULL);
	feed(f, t, 0, n, 0, max_line);
	(void)fmt_finish(f, &err);
	fmt_free(f);

	unsigned long base = 0;
	uint64_t start = 0;
	for (size_t nom = c; ; nom += c) {
		/* par.c's chunk_bounds: from the nominal end or the start */
		uint64_t x = nom > start ? nom : start;
		uint64_t end = nom >= n ? n : find_all(k, t, n, max_line, x);
		f = fmt_new(k, &sb, NULL);
		base += feed(f, t, start, end, base, max_line);
		(void)fmt_finish(f, &err);
		fmt_free(f);
		start = end;
		if (nom >= n)
			break;
	}
	int same = a.len == b.len && (!a.len ||
				      memcmp(a.buf, b.buf, a.len) == 0);
	if (!same)
		fprintf(stderr, "chunk %zu:\n--- serial\n%s--- chunked\n%s",
			c, a.buf, b.buf);
	free(a.buf);
	free(b.buf);
	return same;
}

/*
 * The offset properties over every offset of t (every step-th).
 * @return 0, or 1 not a line start, 2 moved back, 3 feed-dependent
 */
static int offsets_ok(enum fmt_kind k, const char *t, size_t n,
		      size_t max_line, size_t step)
{
	uint64_t prev = 0;
	for (size_t x = 0; x <= n; x += step) {
		uint64_t at = find_all(k, t, n, max_line, x);
		if (at < x || at > n || (at < n && at && t[at - 1] != '\n'))
			return 1;
		if (at < prev)
			return 2;
		if (find_bytes(k, t, n, max_line, x) != at)
			return 3;
		prev = at;
	}
	return 0;
}

#endif
