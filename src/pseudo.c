/* SPDX-License-Identifier: MIT */
/*
 * pseudo.c -- the alias table and the text scrubber of `sfblog redact`
 * (see pseudo.h for the aliases).  The table is an open-addressing hash
 * of (kind, lower-cased original) over an array kept in creation order
 * (for the --map file).  The scrubber walks a span once, left to right,
 * and at every token boundary tries, in order: a quoted display name
 * before '<', a secret (JWT, base64 blob), an IPv6 address, a word run
 * ([A-Za-z0-9._-] and UTF-8 bytes) that is user@host, an IPv4 address,
 * a phone number, a host name, a secret key (password=...) or a word
 * learned before (a user's local part, a domain's first label, a host
 * label, a display-name word).  Everything else is copied as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pseudo.h"
#include "sv.h"

struct ent {
	unsigned char kind;
	char *orig;             /* owned: as first seen */
	size_t olen;
	char *alias;            /* owned */
};

struct pseudo {
	struct ent *ents;       /* owned, creation order */
	size_t n, cap;
	size_t *slots;          /* owned: index + 1, 0 = empty */
	size_t nslots;
	unsigned count[PSEUDO__COUNT];
};

/* ---- buffer ------------------------------------------------------- */

void pseudo_buf_add(struct pseudo_buf *b, const char *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 256;
		while (c < b->n + n + 1)
			c *= 2;
		b->p = sfb_xrealloc(b->p, c);
		b->cap = c;
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void pseudo_buf_addc(struct pseudo_buf *b, char c)
{
	pseudo_buf_add(b, &c, 1);
}

void pseudo_buf_adds(struct pseudo_buf *b, const char *s)
{
	pseudo_buf_add(b, s, strlen(s));
}

void pseudo_buf_addu(struct pseudo_buf *b, unsigned long long v)
{
	char t[24];
	int n = snprintf(t, sizeof t, "%llu", v);
	pseudo_buf_add(b, t, (size_t)n);
}

/* ---- table -------------------------------------------------------- */

static const char *const kind_names[PSEUDO__COUNT] = {
	"user", "domain", "host", "ipv4", "ipv6", "phone", "name", "word"
};

const char *pseudo_kind_name(enum pseudo_kind k)
{
	return (unsigned)k < PSEUDO__COUNT ? kind_names[k] : "?";
}

struct pseudo *pseudo_new(void)
{
	struct pseudo *ps = sfb_xcalloc(1, sizeof *ps);
	ps->nslots = 1024;
	ps->slots = sfb_xcalloc(ps->nslots, sizeof *ps->slots);
	return ps;
}

void pseudo_free(struct pseudo *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->ents[i].orig);
		free(ps->ents[i].alias);
	}
	free(ps->ents);
	free(ps->slots);
	free(ps);
}

size_t pseudo_count(const struct pseudo *ps)
{
	return ps->n;
}

static size_t hash_key(unsigned kind, struct sv s)
{
	uint64_t h = 1469598103934665603ull ^ kind;
	for (size_t i = 0; i < s.n; i++) {
		h ^= sv_lower((unsigned char)s.p[i]);
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static struct ent *find(struct pseudo *ps, unsigned kind, struct sv s,
			size_t *slot)
{
	size_t m = ps->nslots - 1, i = hash_key(kind, s) & m;
	for (;;) {
		size_t e = ps->slots[i];
		if (!e) {
			*slot = i;
			return NULL;
		}
		struct ent *x = &ps->ents[e - 1];
		if (x->kind == kind && x->olen == s.n &&
		    sv_ieq(sv_make(x->orig, x->olen), s))
			return x;
		i = (i + 1) & m;
	}
}

static void grow(struct pseudo *ps)
{
	size_t ns = ps->nslots * 2;
	size_t *sl = sfb_xcalloc(ns, sizeof *sl);
	for (size_t e = 0; e < ps->n; e++) {
		struct ent *x = &ps->ents[e];
		size_t i = hash_key(x->kind, sv_make(x->orig, x->olen)) &
			   (ns - 1);
		while (sl[i])
			i = (i + 1) & (ns - 1);
		sl[i] = e + 1;
	}
	free(ps->slots);
	ps->slots = sl;
	ps->nslots = ns;
}

static const char *insert(struct pseudo *ps, unsigned kind, struct sv s,
			  const char *alias, size_t slot)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 256;
		ps->ents = sfb_xrealloc(ps->ents, ps->cap * sizeof *ps->ents);
	}
	struct ent *x = &ps->ents[ps->n];
	x->kind = (unsigned char)kind;
	x->orig = sfb_xstrndup(s.p, s.n);     /* as first seen */
	x->olen = s.n;
	x->alias = sfb_xstrndup(alias, strlen(alias));
	ps->slots[slot] = ++ps->n;
	if (ps->n * 2 > ps->nslots)
		grow(ps);
	return x->alias;
}

/* Words too common in logs to be replaced wherever they appear. */
static const char *const stop_words[] = {
	"sip", "sips", "tel", "user", "users", "phone", "admin", "test",
	"mail", "com", "net", "org", "www", "web", "server", "service",
	"pool", "edge", "host", "local", "domain", "info", "contact",
	"display", "name", "guest", "anonymous", "unknown", "lync", "skype",
	"microsoft", "office", "internal", "external", "front", "end",
	"director", "mediation", "proxy", "registrar", "access", "client",
	"remote", "true", "false", "none", "null", "default", "auth",
	"ntlm", "kerberos", "negotiate", "register", "invite", "message",
	"notify", "subscribe", "options", "presence", "the", "and", "for",
	"from", "with", "not", "you", "are", "was", "has", "have", "all",
	"new", "get", "set", "out", "state", "status", "type", "data",
	"text", "error", "warning", "result", "time", "dns", "tls", "tcp",
	"http", "https", "autodiscover", "lyncdiscover", "webticket",
	"certprov", "ucwa", "ews", "exchange", "contoso-not-a-word", NULL
};

static int word_worthy(struct sv w)
{
	if (w.n < 3 || w.n > 64)
		return 0;
	int alpha = 0;
	for (size_t i = 0; i < w.n; i++)
		if (!sv_is_digit(w.p[i]) && w.p[i] != '.' && w.p[i] != '-')
			alpha = 1;
	if (!alpha)
		return 0;
	for (size_t i = 0; stop_words[i]; i++)
		if (sv_ieq_cstr(w, stop_words[i]))
			return 0;
	return 1;
}

/* A word alone gets alias; a user's alias wins over a name word's. */
static void learn_word(struct pseudo *ps, struct sv w, const char *alias,
		       int override)
{
	size_t slot;
	if (!word_worthy(w))
		return;
	struct ent *x = find(ps, PSEUDO_WORD, w, &slot);
	if (x && override) {
		free(x->alias);
		x->alias = sfb_xstrndup(alias, strlen(alias));
	} else if (!x && ps->n < PSEUDO_MAX_ENTRIES) {
		insert(ps, PSEUDO_WORD, w, alias, slot);
	}
}

static void ipv4_alias(unsigned n, char *t, size_t tn)
{
	if (n <= 254)
		snprintf(t, tn, "192.0.2.%u", n);
	else if (n <= 508)
		snprintf(t, tn, "198.51.100.%u", n - 254);
	else if (n <= 762)
		snprintf(t, tn, "203.0.113.%u", n - 508);
	else {
		unsigned m = n - 762;
		snprintf(t, tn, "%u.%u.%u.%u", 240 + ((m >> 24) & 15),
			 (m >> 16) & 255, (m >> 8) & 255, m & 255);
	}
}

static void make_alias(enum pseudo_kind k, unsigned n, char *t, size_t tn)
{
	switch (k) {
	case PSEUDO_USER:
		snprintf(t, tn, "user%u", n);
		break;
	case PSEUDO_DOMAIN:
		snprintf(t, tn, "domain%u.example", n);
		break;
	case PSEUDO_LABEL:
		snprintf(t, tn, "host%u", n);
		break;
	case PSEUDO_IPV4:
		ipv4_alias(n, t, tn);
		break;
	case PSEUDO_IPV6:
		if (n)
			snprintf(t, tn, "2001:db8::%x", n);
		else
			snprintf(t, tn, "2001:db8::");
		break;
	case PSEUDO_PHONE:
		snprintf(t, tn, "1555%07u", n % 10000000u);
		break;
	case PSEUDO_NAME:
		snprintf(t, tn, "Person %u", n);
		break;
	default:
		snprintf(t, tn, "name%u", n);
		break;
	}
}

/* The words of a display name become name words. */
static void learn_name_words(struct pseudo *ps, struct sv name)
{
	size_t i = 0;
	while (i < name.n) {
		while (i < name.n && (name.p[i] == ' ' || name.p[i] == ',' ||
				      name.p[i] == '\t'))
			i++;
		size_t s = i;
		while (i < name.n && name.p[i] != ' ' && name.p[i] != ',' &&
		       name.p[i] != '\t')
			i++;
		struct sv w = sv_make(name.p + s, i - s);
		size_t slot;
		if (!word_worthy(w) || find(ps, PSEUDO_WORD, w, &slot))
			continue;
		char t[32];
		make_alias(PSEUDO_WORD, ++ps->count[PSEUDO_WORD], t, sizeof t);
		if (ps->n < PSEUDO_MAX_ENTRIES)
			insert(ps, PSEUDO_WORD, w, t, slot);
	}
}

const char *pseudo_alias(struct pseudo *ps, enum pseudo_kind k,
			 struct sv orig)
{
	size_t slot;
	struct ent *x = find(ps, (unsigned)k, orig, &slot);
	if (x)
		return x->alias;
	if (k == PSEUDO_WORD)
		return NULL;
	static const char *const zero[PSEUDO__COUNT] = {
		"user0", "domain0.example", "host0", "192.0.2.0",
		"2001:db8::", "15550000000", "Person 0", "name0"
	};
	if (ps->n >= PSEUDO_MAX_ENTRIES)
		return zero[k];
	char t[64];
	unsigned n = ++ps->count[k];
	make_alias(k, n, t, sizeof t);
	const char *a = insert(ps, (unsigned)k, orig, t, slot);
	if (k == PSEUDO_USER || k == PSEUDO_LABEL) {
		learn_word(ps, orig, a, k == PSEUDO_USER);
	} else if (k == PSEUDO_DOMAIN) {
		long dot = sv_find_char(orig, '.');
		char w[32];
		snprintf(w, sizeof w, "domain%u", n);
		learn_word(ps, dot > 0 ? sv_make(orig.p, (size_t)dot) : orig,
			   w, 0);
	} else if (k == PSEUDO_NAME) {
		learn_name_words(ps, orig);
	}
	/* the table may have moved: look the alias up again */
	x = find(ps, (unsigned)k, orig, &slot);
	return x ? x->alias : zero[k];
}

int pseudo_each(const struct pseudo *ps,
		int (*fn)(void *ud, enum pseudo_kind k, const char *orig,
			  const char *alias),
		void *ud)
{
	for (size_t i = 0; i < ps->n; i++) {
		int rc = fn(ud, (enum pseudo_kind)ps->ents[i].kind,
			    ps->ents[i].orig, ps->ents[i].alias);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- recognisers -------------------------------------------------- */

static int is_alpha(unsigned char c)
{
	return (c | 32) >= 'a' && (c | 32) <= 'z';
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || sv_is_digit((char)c);
}

/* word characters: host labels, user parts, UTF-8 letters */
static int is_wc(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c >= 0x80;
}

static int is_b64(unsigned char c)
{
	return is_alnum(c) || c == '+' || c == '/';
}

/* @return the length of a secret-looking run at p, or 0 */
static size_t blob_len(const char *p, size_t n)
{
	size_t k = 0;
	if (n >= 3 && memcmp(p, "eyJ", 3) == 0) {
		while (k < n && (is_alnum((unsigned char)p[k]) ||
				 p[k] == '-' || p[k] == '_' || p[k] == '.'))
			k++;
		if (k >= 30)
			return k;
		k = 0;
	}
	int up = 0, lo = 0, dig = 0, sym = 0;
	while (k < n && is_b64((unsigned char)p[k])) {
		unsigned char c = (unsigned char)p[k];
		up |= c >= 'A' && c <= 'Z';
		lo |= c >= 'a' && c <= 'z';
		dig |= sv_is_digit((char)c);
		sym |= c == '+' || c == '/';
		k++;
	}
	size_t body = k;
	while (k < n && k < body + 2 && p[k] == '=')
		k++;
	if (!(up && lo && dig))
		return 0;
	if (body >= 32 || (body >= 20 && (sym || k > body)))
		return k;
	return 0;
}

/* @return the length of an IPv6 address at p, or 0 */
static size_t ipv6_len(const char *p, size_t n)
{
	size_t k = 0, colons = 0, dbl = 0, grp = 0;
	int dig = 0;
	while (k < n && (sv_hex_digit(p[k]) >= 0 || p[k] == ':')) {
		if (p[k] == ':') {
			colons++;
			if (k + 1 < n && p[k + 1] == ':')
				dbl++;
			grp = 0;
		} else {
			dig |= sv_is_digit(p[k]);
			if (++grp > 4)
				return 0;
		}
		k++;
	}
	if (k < n && (is_wc((unsigned char)p[k]) || p[k] == '.'))
		return 0;
	if (!dig || colons < 2 || dbl > 1 || (!dbl && colons != 7) ||
	    colons > 7)
		return 0;
	/* a lone "::" run is nothing; "::1" is kept as it is */
	if (k == 3 && memcmp(p, "::1", 3) == 0)
		return 0;
	return k;
}

/* @return 1 if s is a dotted quad */
static int is_ipv4(struct sv s, unsigned v[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t d = 0;
		unsigned x = 0;
		while (i < s.n && sv_is_digit(s.p[i]) && d < 4) {
			x = x * 10 + (unsigned)(s.p[i] - '0');
			i++;
			d++;
		}
		if (!d || d > 3 || x > 255)
			return 0;
		v[part] = x;
		if (part < 3) {
			if (i >= s.n || s.p[i] != '.')
				return 0;
			i++;
		}
	}
	return i == s.n;
}

static int ipv4_kept(const unsigned v[4])
{
	return v[0] == 127 || (v[0] == 0 && !v[1] && !v[2] && !v[3]) ||
	       (v[0] == 255 && v[1] == 255 && v[2] == 255 && v[3] == 255);
}

/* Top-level domains taken as the end of a host name in free text. */
static const char *const tlds[] = {
	"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz",
	"local", "lan", "corp", "internal", "intranet", "intra", "home",
	"priv", "private", "localdomain", "io", "cloud", "online", "site",
	"tech", "app", "dev", "global", "group", "company", "world", NULL
};

/* two-letter names that are file extensions, not countries */
static const char *const not_cc[] = {
	"js", "cs", "py", "sh", "gz", "db", "pl", "md", "rb", "vb", "ps",
	"cc", "hh", "mk", "ts", "rs", "go", "nt", NULL
};

/* Names kept as they are: public services and schema owners. */
static const char *const public_domains[] = {
	"microsoft.com", "microsoftonline.com", "windows.net", "lync.com",
	"skype.com", "office.com", "office365.com", "live.com", "msn.com",
	"outlook.com", "w3.org", "xmlsoap.org", "oasis-open.org",
	"tempuri.org", "openxmlformats.org", "ietf.org", "example.com",
	"example.net", "example.org", "digicert.com", "verisign.com",
	"entrust.net", "globalsign.com", "godaddy.com", "letsencrypt.org",
	"sectigo.com", NULL
};

/* dotted product names that look like host names */
static const char *const products[] = {
	"asp.net", "ado.net", "vb.net", NULL
};

static const char *const public_tlds[] = {
	"example", "invalid", "test", "localhost", NULL
};

/* First labels that say what a host is for (FORMATS.md 4). */
static const char *const service_labels[] = {
	"lyncdiscover", "lyncdiscoverinternal", "sip", "sipinternal",
	"sipexternal", "_sip", "_sips", "_sipinternal", "_sipinternaltls",
	"_sipfederationtls", "_tcp", "_tls", "_udp", "www", "autodiscover",
	NULL
};

static int in_list(struct sv s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (sv_ieq_cstr(s, list[i]))
			return 1;
	return 0;
}

static int is_tld(struct sv l)
{
	if (l.n < 2 || l.n > 24)
		return 0;
	for (size_t i = 0; i < l.n; i++)
		if (!is_alpha((unsigned char)l.p[i]))
			return 0;
	if (l.n == 2)
		return !in_list(l, not_cc);
	return in_list(l, tlds) || in_list(l, public_tlds);
}

#define MAX_LABELS 32

/*
 * Append the alias of host name s.  forced: s follows '@' (any name).
 * @return 0, or 1 when s is not a host name (nothing appended)
 */
static int add_host(struct pseudo *ps, struct sv s, int forced,
		    struct pseudo_buf *out)
{
	struct sv lab[MAX_LABELS];
	size_t nl = 0, st = 0;
	for (size_t i = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i] != '.')
			continue;
		if (nl == MAX_LABELS || i == st)
			return forced ? (pseudo_buf_adds(out, pseudo_alias(
				ps, PSEUDO_DOMAIN, s)), 0) : 1;
		lab[nl++] = sv_make(s.p + st, i - st);
		st = i + 1;
	}
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] >= 0x80 && !forced)
			return 1;
	if (!forced && (nl < 2 || !is_tld(lab[nl - 1])))
		return 1;
	/* public names stay */
	if (in_list(lab[nl - 1], public_tlds) || in_list(s, products)) {
		pseudo_buf_add(out, s.p, s.n);
		return 0;
	}
	if (nl >= 2) {
		const char *d2 = lab[nl - 2].p;
		if (in_list(sv_make(d2, (size_t)(s.p + s.n - d2)),
			    public_domains)) {
			pseudo_buf_add(out, s.p, s.n);
			return 0;
		}
	}
	size_t nd = nl >= 3 && lab[nl - 1].n == 2 && lab[nl - 2].n <= 3 ? 3
		  : nl < 2 ? nl : 2;
	for (size_t i = 0; i + nd < nl; i++) {
		if (in_list(lab[i], service_labels))
			pseudo_buf_add(out, lab[i].p, lab[i].n);
		else
			pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_LABEL,
							  lab[i]));
		pseudo_buf_addc(out, '.');
	}
	const char *d = lab[nl - nd].p;
	pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_DOMAIN,
		sv_make(d, (size_t)(s.p + s.n - d))));
	return 0;
}

static int all_digits(struct sv s, size_t min)
{
	if (s.n < min)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (!sv_is_digit(s.p[i]))
			return 0;
	return 1;
}

static void add_phone(struct pseudo *ps, struct sv s,
		      struct pseudo_buf *out)
{
	int plus = s.n && s.p[0] == '+';
	if (plus) {
		pseudo_buf_addc(out, '+');
		sv_skip(&s, 1);
	}
	pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_PHONE, s));
}

/* Keys whose value is a secret: `password=...`. */
static const char *const secret_keys[] = {
	"password", "passwd", "pwd", "secret", "client_secret",
	"access_token", "refresh_token", "id_token", "token", NULL
};

static size_t value_len(const char *p, size_t n)
{
	size_t k = 0;
	while (k < n && p[k] != '&' && p[k] != ';' && p[k] != ',' &&
	       p[k] != ' ' && p[k] != '\t' && p[k] != '"' && p[k] != '\'' &&
	       p[k] != '<' && p[k] != '\n')
		k++;
	return k;
}

/*
 * A word run at p[0..] (the caller checked the boundary).
 * @return bytes consumed
 */
static size_t scrub_word(struct pseudo *ps, const char *p, size_t n,
			 int after_tel, size_t *nsec, struct pseudo_buf *out)
{
	size_t k = p[0] == '+' ? 1 : 0;
	while (k < n && (is_wc((unsigned char)p[k]) || p[k] == '.'))
		k++;
	while (k > 1 && p[k - 1] == '.')
		k--;
	struct sv run = sv_make(p, k);
	struct sv digits = run.n && run.p[0] == '+'
			   ? sv_make(run.p + 1, run.n - 1) : run;
	size_t at = k < n && p[k] == '@' ? 1
		  : k + 2 < n && p[k] == '%' && p[k + 1] == '4' &&
		    p[k + 2] == '0' ? 3 : 0;
	if (at) {
		size_t h = k + at, he = h;
		while (he < n && (is_wc((unsigned char)p[he]) ||
				  p[he] == '.'))
			he++;
		while (he > h && p[he - 1] == '.')
			he--;
		if (he > h) {
			if (all_digits(digits, 3))
				add_phone(ps, run, out);
			else
				pseudo_buf_adds(out, pseudo_alias(
					ps, PSEUDO_USER, run));
			pseudo_buf_add(out, p + k, at);
			struct sv host = sv_make(p + h, he - h);
			unsigned v[4];
			if (is_ipv4(host, v))
				pseudo_buf_adds(out, ipv4_kept(v) ? "127.0.0.1"
						: pseudo_alias(ps, PSEUDO_IPV4,
							       host));
			else
				add_host(ps, host, 1, out);
			return he;
		}
	}
	unsigned v[4];
	if (is_ipv4(run, v)) {
		if (ipv4_kept(v))
			pseudo_buf_add(out, run.p, run.n);
		else
			pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_IPV4,
							  run));
		return k;
	}
	if ((run.p[0] == '+' && all_digits(digits, 7)) ||
	    (after_tel && all_digits(run, 5))) {
		add_phone(ps, run, out);
		return k;
	}
	if (run.p[0] == '+') {
		pseudo_buf_addc(out, '+');
		return 1;
	}
	if (!add_host(ps, run, 0, out))
		return k;
	if (k < n && p[k] == '=' && in_list(run, secret_keys)) {
		size_t vl = value_len(p + k + 1, n - k - 1);
		pseudo_buf_add(out, p, k + 1);
		if (vl) {
			pseudo_buf_adds(out, PSEUDO_SECRET);
			++*nsec;
		}
		return k + 1 + vl;
	}
	const char *w = pseudo_alias(ps, PSEUDO_WORD, run);
	if (w) {
		pseudo_buf_adds(out, w);
		/* DOMAIN\user (or DOMAIN\\user, escaped): a user name */
		size_t b = k;
		while (b < n && b < k + 2 && p[b] == '\\')
			b++;
		size_t e = b;
		while (e < n && (is_wc((unsigned char)p[e]) || p[e] == '.'))
			e++;
		while (e > b && p[e - 1] == '.')
			e--;
		if (b > k && e > b && strncmp(w, "domain", 6) == 0) {
			pseudo_buf_add(out, p + k, b - k);
			pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_USER,
				sv_make(p + b, e - b)));
			return e;
		}
		return k;
	}
	/* the pieces of CONTOSO-Lync-CA, alice_laptop, chloe.martin */
	size_t s = 0;
	for (size_t i = 0; i <= k; i++) {
		if (i < k && p[i] != '-' && p[i] != '_' && p[i] != '.')
			continue;
		w = pseudo_alias(ps, PSEUDO_WORD, sv_make(p + s, i - s));
		if (w)
			pseudo_buf_adds(out, w);
		else
			pseudo_buf_add(out, p + s, i - s);
		if (i < k)
			pseudo_buf_addc(out, p[i]);
		s = i + 1;
	}
	return k;
}

/* A quoted display name before '<': @return bytes consumed, or 0. */
static size_t scrub_display(struct pseudo *ps, const char *p, size_t n,
			    struct pseudo_buf *out)
{
	size_t k = 1;
	while (k < n && p[k] != '"' && p[k] != '<' && p[k] != '\n')
		k += p[k] == '\\' && k + 1 < n ? 2 : 1;
	if (k >= n || p[k] != '"')
		return 0;
	size_t e = k + 1;
	while (e < n && p[e] == ' ')
		e++;
	struct sv name = sv_trim(sv_make(p + 1, k - 1));
	if (e >= n || p[e] != '<' || !name.n ||
	    sv_find_char(name, '=') >= 0 || sv_find_char(name, ';') >= 0)
		return 0;
	pseudo_buf_addc(out, '"');
	pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_NAME, name));
	pseudo_buf_addc(out, '"');
	return k + 1;
}

size_t pseudo_scrub(struct pseudo *ps, struct sv in, unsigned flags,
		    struct pseudo_buf *out)
{
	const char *p = in.p;
	size_t n = in.n, i = 0, nsec = 0;
	int after_esc = 0;
	pseudo_buf_add(out, "", 0);
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		unsigned char pc = i ? (unsigned char)p[i - 1] : ' ';
		int boundary = after_esc || (!is_wc(pc) && pc != '.');
		size_t k = 0;
		after_esc = 0;
		/* %3A, %40: a URL escape separates words */
		if (c == '%' && i + 2 < n && sv_hex_digit(p[i + 1]) >= 0 &&
		    sv_hex_digit(p[i + 2]) >= 0) {
			pseudo_buf_add(out, p + i, 3);
			i += 3;
			after_esc = 1;
			continue;
		}
		if (after_esc)
			pc = ' ';
		if (c == '"' && (pc == ' ' || pc == '\t' || pc == ':' ||
				 pc == ','))
			k = scrub_display(ps, p + i, n - i, out);
		if (!k && boundary && !(flags & PSEUDO_NO_BLOBS) &&
		    !is_b64(pc) && (k = blob_len(p + i, n - i)) != 0) {
			pseudo_buf_adds(out, PSEUDO_SECRET);
			nsec++;
		}
		if (!k && boundary && pc != ':' &&
		    (k = ipv6_len(p + i, n - i)) != 0)
			pseudo_buf_adds(out, pseudo_alias(ps, PSEUDO_IPV6,
				sv_make(p + i, k)));
		if (!k && boundary && (is_wc(c) || (c == '+' && i + 1 < n &&
				       sv_is_digit(p[i + 1])))) {
			int tel = i >= 4 && sv_istarts(sv_make(p + i - 4, 4),
						       "tel:");
			k = scrub_word(ps, p + i, n - i, tel, &nsec, out);
		}
		if (!k) {
			pseudo_buf_addc(out, (char)c);
			k = 1;
		}
		i += k;
	}
	return nsec;
}
