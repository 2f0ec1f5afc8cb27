/* SPDX-License-Identifier: MIT */
/*
 * secret.c -- find secrets in log text and replace them by a kind and a
 * length (see secret.h).  Called by the sanitiser (esc.c) for every
 * string a report shows; holds no state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static int is_b64(int c)
{
	return is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '-' ||
	       c == '_' || c == '.';
}

/* Does word (lowercase) start at v[i], with no name character before? */
static int word_at(struct sv v, size_t i, const char *word)
{
	if (i >= v.n || lower((unsigned char)v.p[i]) != word[0])
		return 0;
	if (i > 0 && (is_alnum((unsigned char)v.p[i - 1]) ||
		      v.p[i - 1] == '-' || v.p[i - 1] == '_'))
		return 0;
	for (size_t k = 0; word[k]; k++)
		if (i + k >= v.n ||
		    lower((unsigned char)v.p[i + k]) != word[k])
			return 0;
	return 1;
}

static size_t skip_blanks(struct sv v, size_t i)
{
	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
		i++;
	return i;
}

static size_t line_end(struct sv v, size_t i)
{
	while (i < v.n && v.p[i] != '\r' && v.p[i] != '\n')
		i++;
	return i;
}

/* Header lines whose whole value is a secret. */
static const struct {
	const char *name;
	const char *kind;
} headers[] = {
	{ "x-ms-webticket", "web ticket" },
	{ "set-cookie", "cookie" },
	{ "cookie", "cookie" },
};

/* Parameters whose value is a secret (the kind is the name). */
static const char *const params[] = {
	"gssapi-data", "rspauth", "opaque", "response", "cnonce", "nonce",
	"sig", "access_token",
};

/* Schemes followed by a bare token. */
static const char *const schemes[] = {
	"ntlm", "negotiate", "kerberos", "bearer", "basic",
};

/* XML elements whose content is a secret. */
static const struct {
	const char *name;       /* local name, as written */
	const char *kind;
} elements[] = {
	{ "Assertion", "SAML assertion" },
	{ "RequestedSecurityToken", "security token" },
	{ "BinarySecurityToken", "security token" },
	{ "CipherValue", "security token" },
};

/*
 * Is v[k..] already a label "<kind, " (a text masked before, e.g. a
 * ladder label that goes into JSON)?  Masking is idempotent.
 */
static int is_label(struct sv v, size_t k, const char *kind)
{
	size_t n = strlen(kind);
	return k + n + 3 <= v.n && v.p[k] == '<' &&
	       memcmp(v.p + k + 1, kind, n) == 0 && v.p[k + 1 + n] == ',' &&
	       v.p[k + 2 + n] == ' ';
}

/*
 * try_header, try_param, try_scheme: does a name of their table start
 * at v[i], whose lowercase first two bytes are lc (a cheap test first:
 * most words start no name; every name has three bytes or more)?
 */
static int starts2(const char *name, const char lc[2])
{
	return name[0] == lc[0] && name[1] == lc[1];
}

static int try_header(struct sv v, size_t i, const char lc[2],
		      struct secret_span *s)
{
	for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
		const char *name = headers[h].name;
		if (!starts2(name, lc) || !word_at(v, i, name))
			continue;
		size_t k = skip_blanks(v, i + strlen(headers[h].name));
		if (k >= v.n || v.p[k] != ':')
			continue;
		k = skip_blanks(v, k + 1);
		if (is_label(v, k, headers[h].kind))
			continue;
		size_t e = line_end(v, k);
		while (e > k && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
			e--;
		if (e == k)
			continue;
		s->start = k;
		s->end = e;
		s->kind = headers[h].kind;
		return 1;
	}
	return 0;
}

static int try_param(struct sv v, size_t i, const char lc[2],
		     struct secret_span *s)
{
	for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
		/* ";opaque=" is a SIP URI parameter (GRUU), no secret */
		if (!starts2(params[p], lc) || !word_at(v, i, params[p]) ||
		    (i > 0 && v.p[i - 1] == ';'))
			continue;
		size_t k = skip_blanks(v, i + strlen(params[p]));
		if (k >= v.n || v.p[k] != '=')
			continue;
		k = skip_blanks(v, k + 1);
		if (is_label(v, k, params[p]))
			continue;
		size_t e = k;
		if (k < v.n && v.p[k] == '"') {
			e = k + 1;
			while (e < v.n && v.p[e] != '"' && v.p[e] != '\n')
				e++;
			if (e < v.n && v.p[e] == '"')
				e++;
		} else {
			while (e < v.n && v.p[e] != ',' && v.p[e] != ';' &&
			       v.p[e] != ' ' && v.p[e] != '\t' &&
			       v.p[e] != '\r' && v.p[e] != '\n' &&
			       v.p[e] != '&' && v.p[e] != '>')
				e++;
		}
		if (e == k || (e == k + 2 && v.p[k] == '"' &&
			       v.p[k + 1] == '"'))
			continue;       /* empty: nothing to hide */
		s->start = k;
		s->end = e;
		s->kind = params[p];
		return 1;
	}
	return 0;
}

static int try_scheme(struct sv v, size_t i, const char lc[2],
		      struct secret_span *s)
{
	for (size_t c = 0; c < sizeof schemes / sizeof schemes[0]; c++) {
		if (!starts2(schemes[c], lc) || !word_at(v, i, schemes[c]))
			continue;
		size_t k = i + strlen(schemes[c]);
		if (k >= v.n || v.p[k] != ' ')
			continue;
		k++;
		size_t e = k;
		while (e < v.n && is_b64((unsigned char)v.p[e]))
			e++;
		if (e - k < 16 || (e < v.n && v.p[e] == '"'))
			continue;
		s->start = k;
		s->end = e;
		s->kind = c == 0 ? "NTLM token" : c == 2 ? "Kerberos token"
			  : c == 1 ? "Negotiate token" : c == 3
			  ? "bearer token" : "basic credentials";
		return 1;
	}
	return 0;
}

/* An element <[prefix:]name ...> at v[i] ('<'): to its end tag. */
static int try_element(struct sv v, size_t i, struct secret_span *s)
{
	size_t k = i + 1, q = k;
	while (q < v.n && (is_alnum((unsigned char)v.p[q]) ||
			   v.p[q] == '_' || v.p[q] == '-' || v.p[q] == '.'))
		q++;
	size_t local = k;
	if (q < v.n && v.p[q] == ':') {
		local = q + 1;
		q = local;
		while (q < v.n && (is_alnum((unsigned char)v.p[q]) ||
				   v.p[q] == '_' || v.p[q] == '-'))
			q++;
	}
	if (q == local || (q < v.n && v.p[q] != '>' && v.p[q] != '/' &&
			   v.p[q] != ' ' && v.p[q] != '\t' &&
			   v.p[q] != '\r' && v.p[q] != '\n'))
		return 0;
	for (size_t e = 0; e < sizeof elements / sizeof elements[0]; e++) {
		size_t n = strlen(elements[e].name);
		if (q - local != n || memcmp(v.p + local, elements[e].name, n))
			continue;
		/* the end tag </qname>, or the end of the text */
		size_t qn = q - k, end = v.n;
		for (size_t j = q; j + qn + 3 <= v.n; j++) {
			if (v.p[j] == '<' && v.p[j + 1] == '/' &&
			    memcmp(v.p + j + 2, v.p + k, qn) == 0 &&
			    v.p[j + 2 + qn] == '>') {
				end = j + qn + 3;
				break;
			}
		}
		s->start = i;
		s->end = end;
		s->kind = elements[e].kind;
		return 1;
	}
	return 0;
}

/*
 * Byte classes for secret_find's scan: a word byte (letter or digit),
 * a first letter of the names above (either case), '<'.  Other bytes
 * start nothing.
 */
enum { B_WORD = 1, B_FIRST = 2, B_ELEM = 4 };
#define W(c) [c] = B_WORD, [c - 32] = B_WORD
#define F(c) [c] = B_WORD | B_FIRST, [c - 32] = B_WORD | B_FIRST
#define D(c) [c] = B_WORD
static const unsigned char bclass[256] = {
	D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'),
	D('8'), D('9'),
	F('a'), F('b'), F('c'), W('d'), W('e'), W('f'), F('g'), W('h'),
	W('i'), W('j'), F('k'), W('l'), W('m'), F('n'), F('o'), W('p'),
	W('q'), F('r'), F('s'), W('t'), W('u'), W('v'), W('w'), F('x'),
	W('y'), W('z'),
	['<'] = B_ELEM,
};
#undef W
#undef F
#undef D

/*
 * A name starts at a word's first byte (no letter or digit before) or
 * at '<': the bytes inside a word are skipped with one table look-up
 * each (every string of a report comes here, most of them long texts).
 */
int secret_find(struct sv v, size_t from, struct secret_span *s)
{
	const unsigned char *p = (const unsigned char *)v.p;
	size_t i = from;
	while (i < v.n) {
		unsigned b = bclass[p[i]];
		if (!b) {
			i++;
			continue;
		}
		if (b & B_ELEM) {
			if (try_element(v, i, s))
				return 1;
			i++;
			continue;
		}
		if ((b & B_FIRST) && i + 1 < v.n &&
		    (i == 0 || !(bclass[p[i - 1]] & B_WORD))) {
			char lc[2] = { (char)lower(p[i]),
				       (char)lower(p[i + 1]) };
			if (try_header(v, i, lc, s) ||
			    try_param(v, i, lc, s) ||
			    try_scheme(v, i, lc, s))
				return 1;
		}
		do      /* inside the word: no name starts */
			i++;
		while (i < v.n && (bclass[p[i]] & B_WORD));
	}
	return 0;
}

size_t secret_label(const char *kind, size_t n, char *out, size_t outsz)
{
	int r;
	if (n < 1024)
		r = snprintf(out, outsz, "<%s, %zu B>", kind, n);
	else if (n < (size_t)1 << 20)
		r = n % 1024 < 52 || n % 1024 > 972
		    ? snprintf(out, outsz, "<%s, %zu KB>", kind,
			       (n + 512) / 1024)
		    : snprintf(out, outsz, "<%s, %.1f KB>", kind,
			       (double)n / 1024);
	else
		r = snprintf(out, outsz, "<%s, %.1f MB>", kind,
			     (double)n / (1024 * 1024));
	if (r < 0)
		r = 0;
	return (size_t)r < outsz ? (size_t)r : outsz ? outsz - 1 : 0;
}

char *secret_mask(struct sv v, size_t *outn)
{
	struct secret_span s;
	if (!v.n || !secret_find(v, 0, &s))
		return NULL;
	/* a label is at most 48 bytes, and each replaces at least 1 */
	size_t cap = v.n + 64, o = 0, i = 0;
	char *d = sfb_xmalloc(cap);
	do {
		char label[64];
		size_t ln = secret_label(s.kind, s.end - s.start, label,
					 sizeof label);
		size_t need = o + (s.start - i) + ln + (v.n - s.end) + 1;
		if (need > cap) {
			cap = need + 64;
			d = sfb_xrealloc(d, cap);
		}
		memcpy(d + o, v.p + i, s.start - i);
		o += s.start - i;
		memcpy(d + o, label, ln);
		o += ln;
		i = s.end;
	} while (i < v.n && secret_find(v, i, &s));
	if (o + (v.n - i) + 1 > cap)
		d = sfb_xrealloc(d, o + (v.n - i) + 1);
	memcpy(d + o, v.p + i, v.n - i);
	o += v.n - i;
	d[o] = '\0';
	if (outn)
		*outn = o;
	return d;
}
