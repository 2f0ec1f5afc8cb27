/* SPDX-License-Identifier: MIT */
/*
 * esc.c -- the one sanitiser for bytes from logs and file names (see
 * esc.h): secrets masked (secret.h), then the terminal form with
 * visible escapes or the JSON form as valid UTF-8.
 * Reporters and main.c's messages call it; holds no state.
 */
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "secret.h"
#include "sv.h"

/*
 * Length of the valid UTF-8 sequence at p (n > 0, p[0] >= 0x80), 0 if
 * there is none; *cp gets its code point.
 */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t v, min;

	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Code points a terminal treats as controls or that reorder text. */
static int uni_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	       cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Printable ASCII, kept as it is in every form (esc_next's first case,
 * inlined in the loops below: most bytes of a log are such). */
static inline int printable(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f;
}

static const char hexd[] = "0123456789abcdef";

size_t esc_next(const char *p, size_t n, unsigned flags, char *out,
		size_t *olen, int *kept)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned char c = u[0];
	int k = 0;

	*olen = 0;
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		*olen = 1;
		k = 1;
	} else if ((c == '\n' || c == '\t') && (flags & ESC_KEEP_NL)) {
		out[0] = (char)c;
		*olen = 1;
		k = 1;
	} else if (c == '\n' || c == '\t' || c == '\r') {
		out[0] = '\\';
		out[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		*olen = 2;
	} else if (c >= 0x80) {
		uint32_t cp = 0;
		size_t len = utf8_seq(u, n, &cp);
		if (len && !uni_control(cp)) {
			memcpy(out, p, len);
			*olen = len;
			if (kept)
				*kept = 1;
			return len;
		}
		if (len) {
			memcpy(out, "\\u", 2);
			for (int i = 0; i < 4; i++)
				out[2 + i] = hexd[cp >> (12 - 4 * i) & 0xF];
			*olen = 6;
			if (kept)
				*kept = 0;
			return len;
		}
	}
	if (*olen == 0) {
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hexd[c >> 4];
		out[3] = hexd[c & 0xF];
		*olen = 4;
	}
	if (kept)
		*kept = k;
	return 1;
}

void esc_write(FILE *out, const char *p, size_t n, unsigned flags)
{
	size_t i = 0, run = 0;  /* run: bytes kept, not yet written */
	char buf[ESC_MAX];
	size_t mn;
	char *masked = secret_mask(sv_make(p, n), &mn);

	if (masked) {
		p = masked;
		n = mn;
	}
	while (i < n) {
		size_t olen;
		int kept;
		if (printable(p[i])) {  /* the usual byte: no call */
			run++;
			i++;
			continue;
		}
		size_t used = esc_next(p + i, n - i, flags, buf, &olen, &kept);
		if (kept) {
			run += used;
		} else {
			if (run)
				fwrite(p + i - run, 1, run, out);
			run = 0;
			fwrite(buf, 1, olen, out);
		}
		i += used;
	}
	if (run)
		fwrite(p + n - run, 1, run, out);
	free(masked);
}

void esc_puts(FILE *out, const char *s)
{
	if (s)
		esc_write(out, s, strlen(s), 0);
}

int esc_clean(const char *p, size_t n)
{
	char buf[ESC_MAX];
	size_t i = 0;

	while (i < n) {
		size_t olen;
		int kept;
		if (printable(p[i])) {
			i++;
			continue;
		}
		i += esc_next(p + i, n - i, 0, buf, &olen, &kept);
		if (!kept)
			return 0;
	}
	return 1;
}

const char *esc_str(struct esc_tmp *t, const char *s)
{
	if (!s)
		return "";
	size_t n = strlen(s);
	char *masked = secret_mask(sv_make(s, n), &n);
	if (!masked && esc_clean(s, n))
		return s;
	if (masked)
		s = masked;
	/* at most 4 output bytes per input byte (\xHH; \u202e is 6
	 * for 3), and the NUL */
	char *d = sfb_xmalloc(n * 4 + 1), buf[ESC_MAX];
	size_t i = 0, o = 0;
	while (i < n) {
		size_t olen;
		if (printable(s[i])) {
			d[o++] = s[i++];
			continue;
		}
		i += esc_next(s + i, n - i, 0, buf, &olen, NULL);
		memcpy(d + o, buf, olen);
		o += olen;
	}
	d[o] = '\0';
	free(masked);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->p = sfb_xrealloc(t->p, t->cap * sizeof *t->p);
	}
	t->p[t->n++] = d;
	return d;
}

void esc_tmp_free(struct esc_tmp *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->p[i]);
	free(t->p);
	t->p = NULL;
	t->n = t->cap = 0;
}

char *esc_utf8(struct sv v)
{
	size_t mn;
	char *masked = secret_mask(v, &mn);
	if (masked)
		v = sv_make(masked, mn);
	/* at most 3 output bytes (U+FFFD) per input byte */
	char *d = sfb_xmalloc(v.n * 3 + 1);
	const unsigned char *u = (const unsigned char *)v.p;
	size_t i = 0, o = 0;

	while (i < v.n) {
		unsigned char c = u[i];
		uint32_t cp;
		size_t len = c >= 0x80 ? utf8_seq(u + i, v.n - i, &cp) : 1;
		if (c == 0 || len == 0) {
			memcpy(d + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(d + o, u + i, len);
		o += len;
		i += len;
	}
	d[o] = '\0';
	free(masked);
	return d;
}

/* The bytes esc_json copies as they are: printable ASCII (and DEL) but
 * the quote and the backslash. */
#define P8(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1, \
	      [c + 4] = 1, [c + 5] = 1, [c + 6] = 1, [c + 7] = 1
static const unsigned char json_plain[256] = {
	[0x20] = 1, [0x21] = 1, [0x23] = 1, [0x24] = 1, [0x25] = 1,
	[0x26] = 1, [0x27] = 1,                 /* no 0x22 '"' */
	P8(0x28), P8(0x30), P8(0x38), P8(0x40), P8(0x48), P8(0x50),
	[0x58] = 1, [0x59] = 1, [0x5A] = 1, [0x5B] = 1, [0x5D] = 1,
	[0x5E] = 1, [0x5F] = 1,                 /* no 0x5C '\\' */
	P8(0x60), P8(0x68), P8(0x70), P8(0x78),
};
#undef P8

size_t esc_json(char *d, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t run = i;
		while (run < n && json_plain[u[run]])
			run++;
		if (run > i) {          /* the usual bytes, copied at once */
			memcpy(d + o, p + i, run - i);
			o += run - i;
			i = run;
			if (i == n)
				break;
		}
		unsigned char c = u[i];
		uint32_t cp;
		size_t len = c >= 0x80 ? utf8_seq(u + i, n - i, &cp) : 0;
		if (len) {
			memcpy(d + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		i++;
		if (c == 0 || c >= 0x80) {
			memcpy(d + o, "\xEF\xBF\xBD", 3);
			o += 3;
			continue;
		}
		d[o++] = '\\';
		switch (c) {
		case '"': case '\\': d[o++] = (char)c; break;
		case '\b': d[o++] = 'b'; break;
		case '\f': d[o++] = 'f'; break;
		case '\n': d[o++] = 'n'; break;
		case '\r': d[o++] = 'r'; break;
		case '\t': d[o++] = 't'; break;
		default:
			memcpy(d + o, "u00", 3);
			d[o + 3] = hexd[c >> 4];
			d[o + 4] = hexd[c & 0xF];
			o += 5;
		}
	}
	return o;
}
