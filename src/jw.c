/* SPDX-License-Identifier: MIT */
/*
 * jw.c -- the streaming JSON writer (see jw.h): cJSON's print layout
 * without building a tree, for the JSON reporter (rep_json.c), last
 * stage of the pipeline.  The text grows in one buffer the caller
 * reuses; no state outside struct jw.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "jw.h"
#include "secret.h"
#include "sv.h"

/* Room for n more bytes. */
static char *room(struct jw *w, size_t n)
{
	if (n > w->cap - w->n) {
		size_t cap = w->cap ? w->cap : 4096;
		while (n > cap - w->n) {
			if (cap > SIZE_MAX / 2)
				sfb_oom();
			cap *= 2;
		}
		w->b = sfb_xrealloc(w->b, cap);
		w->cap = cap;
	}
	return w->b + w->n;
}

static void put(struct jw *w, const char *p, size_t n)
{
	memcpy(room(w, n), p, n);
	w->n += n;
}

static void putc1(struct jw *w, char c)
{
	*room(w, 1) = c;
	w->n++;
}

static void tabs(struct jw *w, unsigned n)
{
	memset(room(w, n), '\t', n);
	w->n += n;
}

void jw_init(struct jw *w, int fmt, unsigned depth)
{
	w->n = 0;
	w->fmt = fmt;
	w->depth = depth;
	w->obj = w->more = 0;
	w->keyed = 0;
}

void jw_free(struct jw *w)
{
	free(w->b);
	w->b = NULL;
	w->n = w->cap = 0;
}

void jw_flush(struct jw *w, FILE *out)
{
	if (w->n)
		fwrite(w->b, 1, w->n, out);
	w->n = 0;
}

/* A string in quotes: secrets masked, then esc_json's form. */
static void string(struct jw *w, struct sv v)
{
	size_t mn;
	char *masked = secret_mask(v, &mn);
	if (masked)
		v = sv_make(masked, mn);
	if (v.n > (SIZE_MAX - 2) / 6)
		sfb_oom();
	char *d = room(w, v.n * 6 + 2);
	d[0] = '"';
	size_t o = 1 + esc_json(d + 1, v.p, v.n);
	d[o++] = '"';
	w->n += o;
	free(masked);
}

/*
 * What comes before an item: the comma after the previous one; in an
 * object, the indentation.  @return 1 when a key must follow
 */
static int sep(struct jw *w)
{
	if (w->keyed) {
		w->keyed = 0;
		return 0;
	}
	uint64_t bit = (uint64_t)1 << w->depth;
	int in_obj = (w->obj & bit) != 0;
	if (w->more & bit) {
		if (in_obj)
			put(w, ",\n", w->fmt ? 2 : 1);
		else
			put(w, ", ", w->fmt ? 2 : 1);
	}
	w->more |= bit;
	if (in_obj && w->fmt)
		tabs(w, w->depth);
	return in_obj;
}

static void colon(struct jw *w)
{
	put(w, ":\t", w->fmt ? 2 : 1);
}

static void item(struct jw *w, const char *key)
{
	if (!sep(w))
		return;
	putc1(w, '"');
	put(w, key, strlen(key));
	putc1(w, '"');
	colon(w);
}

void jw_key(struct jw *w, struct sv key)
{
	if (sep(w)) {
		string(w, key);
		colon(w);
	}
	w->keyed = 1;
}

static void open_c(struct jw *w, const char *key, char c, int obj)
{
	item(w, key);
	if (w->depth >= JW_MAX_DEPTH)
		sfb_oom();      /* no document of ours nests so deep */
	w->depth++;
	uint64_t bit = (uint64_t)1 << w->depth;
	w->more &= ~bit;
	if (obj)
		w->obj |= bit;
	else
		w->obj &= ~bit;
	putc1(w, c);
	if (obj && w->fmt)
		putc1(w, '\n');
}

void jw_obj(struct jw *w, const char *key)
{
	open_c(w, key, '{', 1);
}

void jw_arr(struct jw *w, const char *key)
{
	open_c(w, key, '[', 0);
}

void jw_end(struct jw *w)
{
	uint64_t bit = (uint64_t)1 << w->depth;
	if (w->obj & bit) {
		if (w->fmt) {
			if (w->more & bit)
				putc1(w, '\n');
			tabs(w, w->depth - 1);
		}
		putc1(w, '}');
	} else {
		putc1(w, ']');
	}
	w->depth--;
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_sv(w, key, sv_cstr(s ? s : ""));
}

void jw_sv(struct jw *w, const char *key, struct sv v)
{
	item(w, key);
	string(w, v);
}

/*
 * cJSON's number: "%1.15g", or "%1.17g" when that does not read back
 * (compare_double); integers below 1e15 are their digits, without a
 * call to printf.
 */
void jw_num(struct jw *w, const char *key, double d)
{
	char buf[32];
	size_t n = 0;
	item(w, key);
	if (d > -1e15 && d < 1e15 && d == (double)(int64_t)d &&
	    !(d == 0 && signbit(d))) {
		int64_t v = (int64_t)d;
		uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		char *e = buf + sizeof buf, *p = e;
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			*--p = '-';
		put(w, p, (size_t)(e - p));
		return;
	}
	if (isnan(d) || isinf(d)) {
		put(w, "null", 4);
		return;
	}
	int r = snprintf(buf, sizeof buf, "%1.15g", d);
	double t = strtod(buf, NULL);
	double big = fabs(t) > fabs(d) ? fabs(t) : fabs(d);
	if (!(fabs(t - d) <= big * DBL_EPSILON))
		r = snprintf(buf, sizeof buf, "%1.17g", d);
	if (r > 0)
		n = (size_t)r < sizeof buf ? (size_t)r : sizeof buf - 1;
	put(w, buf, n);
}

void jw_bool(struct jw *w, const char *key, int b)
{
	item(w, key);
	if (b)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct jw *w, const char *key)
{
	item(w, key);
	put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *key, const char *text, size_t n)
{
	item(w, key);
	put(w, text, n);
}
