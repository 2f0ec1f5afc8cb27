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

/* Grow w->b for n more bytes. */
static void grow(struct jw *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 4096;
	while (n > cap - w->n) {
		if (cap > SIZE_MAX / 2)
			sfb_oom();
		cap *= 2;
	}
	w->b = sfb_xrealloc(w->b, cap);
	w->cap = cap;
}

/* Room for n more bytes. */
static inline char *room(struct jw *w, size_t n)
{
	if (n > w->cap - w->n)
		grow(w, n);
	return w->b + w->n;
}

static inline void put(struct jw *w, const char *p, size_t n)
{
	memcpy(room(w, n), p, n);
	w->n += n;
}

static inline void putc1(struct jw *w, char c)
{
	*room(w, 1) = c;
	w->n++;
}

static inline void tabs(struct jw *w, unsigned n)
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
	w->date_n = 0;
}

void jw_free(struct jw *w)
{
	free(w->b);
	w->b = NULL;
	w->n = w->cap = 0;
	if (w->memo)
		for (size_t i = 0; i < JW_MEMO; i++)
			free(w->memo[i].buf);
	free(w->memo);
	w->memo = NULL;
}

void jw_flush(struct jw *w, FILE *out)
{
	if (w->n)
		fwrite(w->b, 1, w->n, out);
	w->n = 0;
}

/* A string in quotes: secrets masked, then esc_json's form. */
static void string_form(struct jw *w, struct sv v)
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

/* A hash of v's bytes, 8 at a time. */
static uint64_t hash(struct sv v)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ v.n, x;
	size_t i = 0;
	for (; i + 8 <= v.n; i += 8) {
		memcpy(&x, v.p + i, 8);
		h = (h ^ x) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	x = 0;
	if (v.n > i)
		memcpy(&x, v.p + i, v.n - i);
	h = (h ^ x) * 0xc4ceb9fe1a85ec53u;
	return h ^ h >> 29;
}

/* A string: its form kept from before, else made (and kept). */
static void string(struct jw *w, struct sv v)
{
	if (!v.n)
		v = sv_make("", 0);     /* no NULL to memcpy */
	if (v.n > JW_MEMO_MAX) {
		string_form(w, v);
		return;
	}
	if (!w->memo)
		w->memo = sfb_xcalloc(JW_MEMO, sizeof *w->memo);
	uint64_t h = hash(v);
	struct jw_memo *m = &w->memo[h % JW_MEMO];
	if (m->buf && m->hash == h && m->n == v.n &&
	    memcmp(m->buf, v.p, v.n) == 0) {
		put(w, m->buf + m->n, m->jn);
		return;
	}
	size_t at = w->n;
	string_form(w, v);
	size_t jn = w->n - at;
	if (v.n + jn > m->cap) {
		m->cap = v.n + jn;
		free(m->buf);
		m->buf = sfb_xmalloc(m->cap);
	}
	memcpy(m->buf, v.p, v.n);
	memcpy(m->buf + v.n, w->b + at, jn);
	m->hash = h;
	m->n = v.n;
	m->jn = jn;
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

/* Two digits of v (0..99) at p. */
static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * The time of day by hand after the date sfb_time_fmt wrote for the
 * day (once a day): "YYYY-MM-DDTHH:MM:SS.mmm", in quotes (no byte of
 * it needs escaping, none starts a secret).
 */
void jw_time(struct jw *w, const char *key, int64_t t)
{
	char buf[48];
	if (t == SFB_TIME_NONE) {
		jw_null(w, key);
		return;
	}
	if (t < INT64_MIN / 2 || t > INT64_MAX / 2) {   /* no day math */
		jw_str(w, key, sfb_time_fmt(t, buf, sizeof buf));
		return;
	}
	int64_t day = t / 86400000, ms = t % 86400000;
	if (ms < 0) {
		ms += 86400000;
		day--;
	}
	if (!w->date_n || day != w->day) {
		size_t n = strlen(sfb_time_fmt(day * 86400000, buf,
					       sizeof buf));
		/* "HH:MM:SS.mmm" after the date */
		w->date_n = n > 12 && n - 12 <= sizeof w->date ? n - 12 : 0;
		if (!w->date_n) {
			jw_str(w, key, sfb_time_fmt(t, buf, sizeof buf));
			return;
		}
		memcpy(w->date, buf, w->date_n);
		w->day = day;
	}
	item(w, key);
	char *d = room(w, w->date_n + 14);
	int sec = (int)(ms / 1000);
	d[0] = '"';
	memcpy(d + 1, w->date, w->date_n);
	d += 1 + w->date_n;
	two(d, sec / 3600);
	d[2] = ':';
	two(d + 3, sec / 60 % 60);
	d[5] = ':';
	two(d + 6, sec % 60);
	d[8] = '.';
	d[9] = (char)('0' + ms % 1000 / 100);
	two(d + 10, (int)(ms % 100));
	d[12] = '"';
	w->n += w->date_n + 14;
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
