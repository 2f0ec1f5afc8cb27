/* SPDX-License-Identifier: MIT */
/*
 * sv.c -- string views and bounded parse steps (see sv.h).  Used by
 * every parser; allocates nothing and keeps no state.
 */
#include <stdint.h>
#include <string.h>

#include "sv.h"

/*
 * @return 1 when bytes x and y are equal ignoring ASCII case: equal
 * bytes need one compare; else they must differ only in bit 0x20 and
 * be letters (or-ing 0x20 maps exactly 'A'-'Z' onto 'a'-'z').
 */
static inline int ieq_byte(unsigned char x, unsigned char y)
{
	if (x == y)
		return 1;
	unsigned char lx = (unsigned char)(x | 0x20);
	return lx == (y | 0x20) && lx >= 'a' && lx <= 'z';
}

/*
 * Two bytes are equal ignoring ASCII case exactly when sv_lower maps
 * them to the same byte, so 8 bytes are compared at once with
 * sv_lower8 (the last word overlaps); short views byte by byte.
 */
int sv_ieq(struct sv a, struct sv b)
{
	size_t n = a.n;
	if (n != b.n)
		return 0;
	/* most views that differ do so in their first byte */
	if (n < 8 || !ieq_byte((unsigned char)a.p[0], (unsigned char)b.p[0])) {
		for (size_t i = 0; i < n; i++)
			if (!ieq_byte((unsigned char)a.p[i],
				      (unsigned char)b.p[i]))
				return 0;
		return 1;
	}
	uint64_t x, y;
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a.p + i, 8);
		memcpy(&y, b.p + i, 8);
		if (x != y && sv_lower8(x) != sv_lower8(y))
			return 0;
	}
	memcpy(&x, a.p + n - 8, 8);
	memcpy(&y, b.p + n - 8, 8);
	return x == y || sv_lower8(x) == sv_lower8(y);
}

int sv_istarts(struct sv v, const char *prefix)
{
	size_t n = strlen(prefix);
	return v.n >= n && sv_ieq(sv_make(v.p, n), sv_make(prefix, n));
}

long sv_find(struct sv v, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return 0;
	if (v.n < n)
		return -1;
	const char *p = v.p, *end = v.p + v.n - n + 1;
	while (p < end) {
		const char *q = memchr(p, needle[0], (size_t)(end - p));
		if (!q)
			return -1;
		if (memcmp(q, needle, n) == 0)
			return (long)(q - v.p);
		p = q + 1;
	}
	return -1;
}

long sv_ifind(struct sv v, const char *needle)
{
	return sv_ifind_sv(v, sv_cstr(needle));
}

/*
 * How common a byte is in log text, ASCII case folded (0: rare): the
 * case-blind search anchors on the needle's rarest byte, so a needle
 * such as "\"token\":\"redirect\"" is not tried at every quote of a
 * JSON body.  A rough order is enough: any byte finds every match.
 * Both cases of a letter have its entry (L), so that no byte of the
 * needle needs folding first.
 */
#define L(c, f) [c] = f, [(c) - 32] = f
static const unsigned char byte_freq[256] = {
	[' '] = 9, ['"'] = 8, L('e', 8), L('t', 7), L('a', 7), L('o', 7),
	L('i', 7), L('n', 7), L('s', 7), L('r', 7), ['<'] = 6, ['>'] = 6,
	['/'] = 6, ['='] = 6, [':'] = 6, ['.'] = 6, ['0'] = 6, ['1'] = 6,
	['2'] = 6, L('c', 6), L('l', 6), L('d', 6), L('h', 5), L('u', 5),
	L('p', 5), L('m', 5), ['-'] = 5, [','] = 5, ['\n'] = 5, ['\t'] = 5,
	['3'] = 5, ['4'] = 5, ['5'] = 5, ['6'] = 5, ['7'] = 5, ['8'] = 5,
	['9'] = 5, L('f', 4), L('g', 4), L('b', 4), ['_'] = 4, [';'] = 4,
	L('w', 3), L('y', 3), L('v', 3), L('k', 2), L('x', 2), ['@'] = 2,
	['{'] = 2, ['}'] = 2, ['['] = 2, [']'] = 2, ['('] = 2, [')'] = 2,
	['\''] = 2, L('j', 1), L('q', 1), L('z', 1),
};
#undef L

long sv_ifind_sv(struct sv v, struct sv needle)
{
	size_t n = needle.n;
	if (n == 0)
		return 0;
	if (v.n < n)
		return -1;
	if (n == 1) {           /* short needles of the pattern table */
		unsigned char c = sv_lower((unsigned char)needle.p[0]);
		const char *a = memchr(v.p, c, v.n), *b = NULL;
		if (c >= 'a' && c <= 'z')
			b = memchr(v.p, c - 32, a ? (size_t)(a - v.p) : v.n);
		return b ? (long)(b - v.p) : a ? (long)(a - v.p) : -1;
	}
	/* the anchor: the needle's rarest byte, at offset j */
	size_t j = 0;
	unsigned char fj = byte_freq[(unsigned char)needle.p[0]];
	for (size_t i = 1; i < n && fj; i++) {
		unsigned char fi = byte_freq[(unsigned char)needle.p[i]];
		if (fi < fj) {
			j = i;
			fj = fi;
		}
	}
	/* the anchor byte in either case, then the whole needle compared */
	unsigned char lo = sv_lower((unsigned char)needle.p[j]);
	unsigned char up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32)
						  : lo;
	const char *from = v.p + j;
	const char *end = v.p + (v.n - n) + j + 1;  /* anchors before it */
	const char *a = memchr(from, lo, (size_t)(end - from));
	const char *b = up != lo ? memchr(from, up, (size_t)(end - from))
				 : NULL;
	/* the next candidate of each case; only the one consumed is
	 * searched again, so the scan stays linear */
	while (a || b) {
		const char *q = !b || (a && a < b) ? a : b;
		/* the needle's ends first, inline: most places fail there */
		if (ieq_byte((unsigned char)q[-(long)j],
			     (unsigned char)needle.p[0]) &&
		    ieq_byte((unsigned char)q[n - 1 - j],
			     (unsigned char)needle.p[n - 1]) &&
		    sv_ieq(sv_make(q - j, n), needle))
			return (long)(q - j - v.p);
		const char *after = q + 1;
		unsigned char c = q == a ? lo : up;
		const char *next = after < end ?
			memchr(after, c, (size_t)(end - after)) : NULL;
		if (q == a)
			a = next;
		else
			b = next;
	}
	return -1;
}

int sv_split(struct sv *v, char c, struct sv *head)
{
	long i = sv_find_char(*v, c);
	if (i < 0) {
		*head = *v;
		v->p += v->n;
		v->n = 0;
		return 1;
	}
	*head = sv_make(v->p, (size_t)i);
	v->p += i + 1;
	v->n -= (size_t)i + 1;
	return 0;
}

int sv_skip_char(struct sv *v, char c)
{
	if (v->n == 0 || v->p[0] != c)
		return 1;
	sv_skip(v, 1);
	return 0;
}

int sv_skip_lit(struct sv *v, const char *lit)
{
	if (!sv_starts(*v, lit))
		return 1;
	sv_skip(v, strlen(lit));
	return 0;
}

int sv_take_u64(struct sv *v, size_t max, uint64_t *out)
{
	const char *p = v->p;
	size_t lim = v->n < max ? v->n : max, i = 0;
	uint64_t x = 0;
	/* one bound and one compare a digit: every CSeq, every framing */
	for (; i < lim; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9)
			break;
		/* 19 digits always fit: only a 20th can overflow */
		if (i >= 19 && x > (UINT64_MAX - d) / 10)
			return 1;
		x = x * 10 + d;
	}
	if (i == 0)
		return 1;
	*out = x;
	v->p += i;
	v->n -= i;
	return 0;
}

int sv_take_digits(struct sv *v, size_t n, unsigned *out)
{
	unsigned x = 0;
	if (v->n < n)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char c = v->p[i];
		if (c < '0' || c > '9')
			return 1;
		x = x * 10 + (unsigned)(c - '0');
	}
	*out = x;
	sv_skip(v, n);
	return 0;
}

int sv_hex_digit(char c)
{
	unsigned h = sv_hex_val(c);
	return h < 16 ? (int)h : -1;
}

int sv_take_hex(struct sv *v, size_t max, int allow_0x, uint64_t *out)
{
	struct sv w = *v;
	if (allow_0x && w.n >= 3 && w.p[0] == '0' &&
	    (w.p[1] == 'x' || w.p[1] == 'X') && sv_hex_digit(w.p[2]) >= 0)
		sv_skip(&w, 2);
	uint64_t x = 0;
	size_t i = 0;
	int h;
	while (i < w.n && i < max && (h = sv_hex_digit(w.p[i])) >= 0) {
		if (i >= 16)
			return 1;
		x = (x << 4) | (uint64_t)h;
		i++;
	}
	if (i == 0)
		return 1;
	sv_skip(&w, i);
	*out = x;
	*v = w;
	return 0;
}

int sv_to_u64(struct sv v, uint64_t *out)
{
	return sv_take_u64(&v, v.n, out) == 0 && v.n == 0;
}

int sv_parse_size(struct sv v, size_t *out)
{
	uint64_t x, mul = 1;
	if (sv_take_u64(&v, 20, &x))
		return -1;
	if (v.n == 1 && (v.p[0] | 32) == 'k')
		mul = 1ull << 10;
	else if (v.n == 1 && (v.p[0] | 32) == 'm')
		mul = 1ull << 20;
	else if (v.n == 1 && (v.p[0] | 32) == 'g')
		mul = 1ull << 30;
	else if (v.n)
		return -1;
	if (x == 0 || x > (UINT64_MAX >> 2) / mul)
		return -1;
	*out = (size_t)(x * mul);
	return 0;
}

void sv_copy(char *out, size_t n, struct sv v)
{
	size_t k = v.n < n - 1 ? v.n : n - 1;
	if (k)
		memcpy(out, v.p, k);
	out[k] = '\0';
}
