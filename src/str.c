/* SPDX-License-Identifier: MIT */
/*
 * str.c -- str_fmt, snprintf's output without its cost (see str.h).
 * One pass over the format: literal runs are copied, the conversions
 * listed in str.h are written here, and at the first one that is not,
 * the whole text is made again by vsnprintf from a copy of the
 * arguments taken at the start.
 */
#define _GNU_SOURCE     /* memmem */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "str.h"
#include "sv.h"

/* The text being written: out[0..n) gets what fits of len bytes. */
struct sink {
	char *out;
	size_t n, len;
};

static void put(struct sink *k, const char *s, size_t m)
{
	if (k->len + 1 < k->n) {
		size_t room = k->n - 1 - k->len;
		memcpy(k->out + k->len, s, m < room ? m : room);
	}
	k->len += m;
}

static void pad(struct sink *k, char ch, size_t m)
{
	if (k->len + 1 < k->n) {
		size_t room = k->n - 1 - k->len;
		memset(k->out + k->len, ch, m < room ? m : room);
	}
	k->len += m;
}

/* body (m bytes) in a field of width, right-aligned unless left. */
static void field(struct sink *k, const char *body, size_t m, size_t width,
		  int left)
{
	size_t fill = width > m ? width - m : 0;
	if (fill && !left)
		pad(k, ' ', fill);
	put(k, body, m);
	if (fill && left)
		pad(k, ' ', fill);
}

/* An integer: sign, zero padding, digits of u in base 10 or 16. */
static void number(struct sink *k, uintmax_t u, int neg, unsigned base,
		   int upper, size_t width, int left, int zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[48];
	size_t i = sizeof buf;
	do {
		buf[--i] = digits[u % base];
		u /= base;
	} while (u);
	if (neg)
		buf[--i] = '-';
	size_t m = sizeof buf - i;
	if (zero && !left && width > m) {
		if (neg)
			put(k, "-", 1);
		pad(k, '0', width - m);
		put(k, buf + i + (neg != 0), m - (neg != 0));
		return;
	}
	field(k, buf + i, m, width, left);
}

/* number() without width or flags, in base 10 */
static void decimal(struct sink *k, uintmax_t u, int neg)
{
	char buf[24];
	size_t i = sizeof buf;
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		buf[--i] = '-';
	put(k, buf + i, sizeof buf - i);
}

enum lmod { L_INT, L_LONG, L_LLONG, L_SIZE, L_MAX };

/*
 * The conversion at *pp (after the '%'); *pp moves past it.
 * @return 0 done, -1 not done here (nothing read from ap in that
 *         case matters: the caller starts again with vsnprintf)
 */
static int conv(struct sink *k, const char **pp, va_list *ap)
{
	const char *p = *pp;
	/* the usual ones, %s %.*s %d %u, without flags, width or length */
	if (p[0] == 's' || (p[0] == '.' && p[1] == '*' && p[2] == 's')) {
		int prec = p[0] == '.' ? va_arg(*ap, int) : -1;
		const char *s = va_arg(*ap, const char *);
		if (!s)
			return -1;
		put(k, s, prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
		*pp = p + (p[0] == '.' ? 3 : 1);
		return 0;
	}
	if (p[0] == 'd') {
		int v = va_arg(*ap, int);
		decimal(k, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0);
		*pp = p + 1;
		return 0;
	}
	if (p[0] == 'u') {
		decimal(k, va_arg(*ap, unsigned), 0);
		*pp = p + 1;
		return 0;
	}
	int left = 0, zero = 0, prec = -1;
	size_t width = 0;
	for (;; p++) {
		if (*p == '-')
			left = 1;
		else if (*p == '0')
			zero = 1;
		else
			break;
	}
	if (*p == '*') {
		int w = va_arg(*ap, int);
		if (w < -4096 || w > 4096)
			return -1;
		if (w < 0)
			left = 1;
		width = (size_t)(w < 0 ? -w : w);
		p++;
	} else {
		for (; *p >= '0' && *p <= '9'; p++)
			if ((width = width * 10 + (size_t)(*p - '0')) > 4096)
				return -1;
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			prec = va_arg(*ap, int);
			if (prec < 0)
				prec = -1;
			p++;
		} else {
			prec = 0;
			for (; *p >= '0' && *p <= '9'; p++)
				if ((prec = prec * 10 + (*p - '0')) > 1 << 24)
					return -1;
		}
	}
	enum lmod lm = L_INT;
	if (*p == 'l' && p[1] == 'l')
		lm = L_LLONG, p += 2;
	else if (*p == 'l')
		lm = L_LONG, p++;
	else if (*p == 'z')
		lm = L_SIZE, p++;
	else if (*p == 'j')
		lm = L_MAX, p++;
	char c = *p++;
	*pp = p;
	if (c == 's' && lm == L_INT && !zero) {
		const char *s = va_arg(*ap, const char *);
		if (!s)
			return -1;
		size_t m = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
		field(k, s, m, width, left);
		return 0;
	}
	if (c == 'c' && lm == L_INT && prec < 0 && !zero) {
		char ch = (char)va_arg(*ap, int);
		field(k, &ch, 1, width, left);
		return 0;
	}
	if (prec >= 0)
		return -1;
	if (c == 'd' || c == 'i') {
		intmax_t v = lm == L_INT ? va_arg(*ap, int)
			: lm == L_LONG ? va_arg(*ap, long)
			: lm == L_LLONG ? va_arg(*ap, long long)
			: lm == L_SIZE ? (intmax_t)va_arg(*ap, ptrdiff_t)
			: va_arg(*ap, intmax_t);
		uintmax_t u = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
		number(k, u, v < 0, 10, 0, width, left, zero);
		return 0;
	}
	if (c == 'u' || c == 'x' || c == 'X') {
		uintmax_t u = lm == L_INT ? va_arg(*ap, unsigned)
			: lm == L_LONG ? va_arg(*ap, unsigned long)
			: lm == L_LLONG ? va_arg(*ap, unsigned long long)
			: lm == L_SIZE ? va_arg(*ap, size_t)
			: va_arg(*ap, uintmax_t);
		number(k, u, 0, c == 'u' ? 10 : 16, c == 'X', width, left,
		       zero);
		return 0;
	}
	if (c == '%' && lm == L_INT && !left && !zero && !width) {
		put(k, "%", 1);
		return 0;
	}
	return -1;
}

int str_vfmt(char *out, size_t n, const char *fmt, va_list ap)
{
	struct sink k = { out, n, 0 };
	va_list ap0, cur;
	va_copy(ap0, ap);
	va_copy(cur, ap);
	const char *p = fmt;
	int rc = 0;
	while (*p) {
		const char *pc = strchrnul(p, '%');
		if (pc > p)
			put(&k, p, (size_t)(pc - p));
		p = pc;
		if (!*p)
			break;
		p++;
		if ((rc = conv(&k, &p, &cur)) != 0)
			break;
	}
	va_end(cur);
	if (rc != 0 || k.len > INT_MAX) {
		int r = vsnprintf(out, n, fmt, ap0);
		va_end(ap0);
		return r;
	}
	va_end(ap0);
	if (n)
		out[k.len < n ? k.len : n - 1] = '\0';
	return (int)k.len;
}

int str_fmt(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = str_vfmt(out, n, fmt, ap);
	va_end(ap);
	return r;
}

size_t str_copy(char *out, size_t n, const char *s)
{
	size_t m = strlen(s);
	size_t c = m < n - 1 ? m : n - 1;
	memcpy(out, s, c);
	out[c] = '\0';
	return m;
}

long str_find(struct sv h, struct sv n, int icase)
{
	if (!n.n)
		return 0;
	if (n.n > h.n)
		return -1;
	if (!icase) {
		const char *p = memmem(h.p, h.n, n.p, n.n);
		return p ? p - h.p : -1;
	}
	return sv_ifind_sv(h, n);
}
