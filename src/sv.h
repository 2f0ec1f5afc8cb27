/* SPDX-License-Identifier: MIT */
/*
 * sv.h -- string views and bounded parse steps used by every parser.
 *
 * A struct sv borrows its bytes (see sfb.h).  The sv_take_* / sv_skip_*
 * steps advance a view in place and return 0 on success, non-zero when
 * the input does not fit, so a parse reads as a chain of steps joined
 * with || (curl STRPARSE).  None of these functions allocate, print or
 * keep state; all are reentrant.
 */
#ifndef SFB_SV_H
#define SFB_SV_H

#include <stdint.h>
#include <string.h>

#include "sfb.h"

static inline struct sv sv_make(const char *p, size_t n)
{
	struct sv v = { p, n };
	return v;
}

static inline struct sv sv_cstr(const char *s)
{
	return sv_make(s, s ? strlen(s) : 0);
}

/* ASCII character classes, locale-free (logs are bytes). */
static inline int sv_is_digit(char c)
{
	return (unsigned)(c - '0') < 10u;
}

static inline unsigned char sv_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* sv_lower on each byte of a word at once (SWAR; bytes >= 0x80 kept). */
static inline uint64_t sv_lower8(uint64_t x)
{
	const uint64_t hi = 0x8080808080808080ull;
	uint64_t seven = x & ~hi;               /* each byte's low 7 bits */
	uint64_t ge_a = seven + 0x3f3f3f3f3f3f3f3full;  /* >= 'A' */
	uint64_t gt_z = seven + 0x2525252525252525ull;  /* > 'Z' */
	return x | ((ge_a & ~gt_z & ~x & hi) >> 2);
}

/* The value of two decimal digits at p (the caller checked them). */
static inline int sv_dig2(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* @return 0..15 for a hex digit, else -1. */
int sv_hex_digit(char c);
/* @return 1 if v holds only spaces, tabs and CRs (or nothing). */
static inline int sv_is_blank(struct sv v)
{
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		/* most bytes are above ' ': one compare */
		if (c > ' ' || (c != ' ' && c != '\t' && c != '\r'))
			return 0;
	}
	return 1;
}
/*
 * @return 0..15 for a hex digit, else 16 or more: 'a'-'f' and 'A'-'F'
 * are the only bytes that or-ing 0x20 maps onto 'a'-'f'.
 */
static inline unsigned sv_hex_val(char c)
{
	unsigned d = (unsigned)(unsigned char)c - '0';
	if (d < 10)
		return d;
	d = ((unsigned)(unsigned char)c | 0x20) - 'a';
	return d < 6 ? d + 10 : 16;
}

/*
 * Take 1..8 hex digits (no "0x") at v.p[*i] into *out and advance *i
 * past them: the index-based step of the fixed-layout line prefixes,
 * inline because every prefixed line takes two or three.
 * @return 1 if there is no hex digit at *i
 */
static inline int sv_take_hex32_at(struct sv v, size_t *i, uint32_t *out)
{
	size_t j = *i, lim = j < v.n && v.n - j > 8 ? j + 8 : v.n;
	uint32_t x = 0;
	unsigned h;
	while (j < lim && (h = sv_hex_val(v.p[j])) < 16) {
		x = (x << 4) | h;
		j++;
	}
	if (j == *i)
		return 1;
	*i = j;
	*out = x;
	return 0;
}

/* @return 1 when a and b hold the same bytes (inline: mostly the
 * lengths differ, or one memcmp decides). */
static inline int sv_eq(struct sv a, struct sv b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}
/* @return 1 when a and b are equal ignoring ASCII case. */
int sv_ieq(struct sv a, struct sv b);
/*
 * @return 1 when a equals the C string s ignoring ASCII case.  Inline so
 * that a literal's length is known: a view of another length costs one
 * compare.
 */
static inline int sv_ieq_cstr(struct sv a, const char *s)
{
	size_t n = strlen(s);
	if (a.n != n)
		return 0;
	if (n == 0 || memcmp(a.p, s, n) == 0)
		return 1;       /* mostly logged as spelled: one compare */
	for (size_t i = 0; i < a.n; i++) {
		unsigned char x = (unsigned char)(a.p[i] | 0x20);
		if (a.p[i] != s[i] &&
		    (x != (s[i] | 0x20) || x < 'a' || x > 'z'))
			return 0;
	}
	return 1;
}
/* @return 1 when v starts with prefix (case-sensitive / ASCII
 * case-insensitive).  sv_starts is inline: a literal's length is known. */
static inline int sv_starts(struct sv v, const char *prefix)
{
	size_t n = strlen(prefix);
	return v.n >= n && memcmp(v.p, prefix, n) == 0;
}
int sv_istarts(struct sv v, const char *prefix);

/*
 * Copy v into out[n] as a C string, cut to n - 1 bytes (n >= 1): always
 * NUL-terminated.
 */
void sv_copy(char *out, size_t n, struct sv v);

/* @return v without leading and trailing spaces and tabs. */
static inline struct sv sv_trim(struct sv v)
{
	while (v.n && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.n--;
	}
	while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
		v.n--;
	return v;
}

/* @return offset of the first c in v, or -1. */
static inline long sv_find_char(struct sv v, char c)
{
	const char *q = v.n ? memchr(v.p, c, v.n) : NULL;
	return q ? (long)(q - v.p) : -1;
}
/* @return offset of the first occurrence of needle, or -1 (case-sensitive). */
long sv_find(struct sv v, const char *needle);
/* @return offset of needle ignoring ASCII case, or -1. */
long sv_ifind(struct sv v, const char *needle);
/* sv_ifind with a needle that is a view. */
long sv_ifind_sv(struct sv v, struct sv needle);

/*
 * Split at the first c: *head gets the part before it, v the part after.
 * @return 0 if c was found; else 1, *head = the whole of v and v empty.
 */
int sv_split(struct sv *v, char c, struct sv *head);

/* Drop n bytes from the front (n is clamped to the length). */
static inline void sv_skip(struct sv *v, size_t n)
{
	if (n > v->n)
		n = v->n;
	v->p += n;
	v->n -= n;
}

/* Parse steps: advance *v, return 0 on success, 1 on mismatch. */
int sv_skip_char(struct sv *v, char c);
int sv_skip_lit(struct sv *v, const char *lit);
/* Skip spaces and tabs; never fails. */
static inline int sv_skip_ws(struct sv *v)
{
	size_t i = 0;
	while (i < v->n && (v->p[i] == ' ' || v->p[i] == '\t'))
		i++;
	if (i) {                /* an empty view's p may be NULL */
		v->p += i;
		v->n -= i;
	}
	return 0;
}
/*
 * Take 1..max decimal digits into *out (at most UINT64_MAX).
 * @return 1 if no digit or on overflow.
 */
int sv_take_u64(struct sv *v, size_t max, uint64_t *out);
/* Exactly n decimal digits. */
int sv_take_digits(struct sv *v, size_t n, unsigned *out);
/* 1..max hex digits, optional "0x"/"0X" when allow_0x. */
int sv_take_hex(struct sv *v, size_t max, int allow_0x, uint64_t *out);

/* @return 1 if the whole of v is a decimal number that fits; value in *out. */
int sv_to_u64(struct sv v, uint64_t *out);

/*
 * A size as a user writes it: "1000", "512K", "16M", "1G" (powers of
 * 1024, either case).  @return 0 and *out set; -1 for junk, 0 or a
 * size past UINT64_MAX / 4.
 */
int sv_parse_size(struct sv v, size_t *out);

#endif
