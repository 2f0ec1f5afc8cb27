/* SPDX-License-Identifier: MIT */
/*
 * rec.c -- the record buffer and the warning record shared by the
 * format parsers (see rec.h), second stage of the pipeline.
 *
 * Ownership: struct rec_buf owns p; nothing else is kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "sv.h"

void rec_buf_init(struct rec_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void rec_buf_reset(struct rec_buf *b)
{
	b->len = b->keep = 0;
	b->nlines = 0;
	b->over = 0;
}

void rec_buf_free(struct rec_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = b->keep = 0;
}

/* Make room for n more bytes, capped at max. */
static void reserve(struct rec_buf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	size_t c = b->cap ? b->cap : 4096, need = b->len + n;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	b->cap = c > b->max ? b->max : c;
	b->p = sfb_xrealloc(b->p, b->cap);
}

/* Append v, cut at max; @return the bytes kept. */
static size_t append(struct rec_buf *b, struct sv v)
{
	size_t n = v.n;
	if (b->over)
		return 0;
	if (n > b->max - b->len) {
		b->over = 1;
		n = b->max - b->len;
	}
	reserve(b, n);
	if (n)
		memcpy(b->p + b->len, v.p, n);
	b->len += n;
	return n;
}

size_t rec_buf_line(struct rec_buf *b, struct sv line)
{
	size_t sep = b->nlines ? 1 : 0;
	if (!b->over && b->len + sep + line.n <= b->cap) {
		/* the usual case: it fits the allocation (cap <= max) */
		if (sep)
			b->p[b->len++] = '\n';
		size_t start = b->len;
		if (line.n) {
			memcpy(b->p + start, line.p, line.n);
			b->len += line.n;
			if (!sv_is_blank(line))
				b->keep = b->len;
		}
		b->nlines++;
		return start;
	}
	if (b->over)
		return b->len;
	if (b->nlines) {
		if (b->len + 1 > b->max) {
			b->over = 1;
			return b->len;
		}
		reserve(b, 1);
		b->p[b->len++] = '\n';
	}
	size_t start = b->len;
	size_t n = append(b, line);
	b->nlines++;
	if (n && !sv_is_blank(line))
		b->keep = b->len;
	return start;
}

void rec_buf_put(struct rec_buf *b, struct sv bytes)
{
	size_t n = append(b, bytes);
	if (n && !sv_is_blank(sv_make(bytes.p, n)))
		b->keep = b->len;
}

struct sv rec_buf_text(const struct rec_buf *b)
{
	return sv_make(b->p ? b->p : "", b->keep);
}

int rec_warn(const struct fmt_sink *sink, const char *text,
	     unsigned long first, unsigned long last, int64_t ts)
{
	struct fmt_rec r;
	memset(&r, 0, sizeof r);
	r.type = REC_WARN;
	r.line_first = first;
	r.line_last = last;
	r.ts = ts;
	r.raw = sv_make(text, 0);
	r.text = sv_cstr(text);
	r.declared_len = -1;
	return sink->on_rec(sink->ud, &r);
}
