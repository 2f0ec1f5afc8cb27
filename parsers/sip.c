/* SPDX-License-Identifier: MIT */
/*
 * sip.c -- the SIP/HTTP message parser (see sip.h), third stage of the
 * pipeline: it splits the text msg_set() / msg_view() put into a struct
 * msg into start line, headers and body, and fills the fields later
 * stages key on (Call-ID, CSeq, Via branches, diagnostics, auth
 * challenges...).
 *
 * Ownership: everything is parsed in place; views point into m->text,
 * or into m->fold for folded header values.  The only allocations grow
 * m's own arrays (hdrs, diags, auths, params, fold) and are kept for the
 * next message.  The fold scratch is sized to the message once, before
 * the first fold, so the views into it never move.  Diag params go to a
 * pool that may move while it grows: their pointers are set at the very
 * end.  Auth params are not parsed with the message: most messages are
 * never asked for them, and the auth headers of a sign-in are long
 * (gssapi-data); sip_auth_param() parses them on demand.
 *
 * Speed: one memchr per line for its end and one for the colon; header
 * names are dispatched on their length and first byte; field parsing
 * then walks the (short) header array once.  Logs lose the CRs, so the
 * Content-Length check counts every bare LF of the body as two bytes.
 */
#include <stdint.h>
#include <string.h>

#include "sip.h"
#include "sv.h"

#define SIP_MAX_CL (1u << 30)   /* a larger Content-Length is junk */

_Static_assert(SFB_MAX_HDRS <= UINT16_MAX, "header index in 16 bits");

/* Header kinds the parser reads (everything else is only kept). */
enum hid {
	H_NONE = 0, H_CALL_ID, H_CSEQ, H_FROM, H_TO, H_VIA, H_CONTACT,
	H_EXPIRES, H_EVENT, H_CTYPE, H_CLEN, H_UA, H_SERVER, H_HOST,
	H_DIAG_MS, H_DIAG_PUB, H_DIAG_CLIENT, H_DIAG_X,
	H_AUTH_WWW, H_AUTH_AUTHZ, H_AUTH_PROXY_AUTHN, H_AUTH_PROXY_AUTHZ,
	H_AUTH_INFO, H_AUTH_PROXY_INFO
};

static inline unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/*
 * Compare w bytes (2, 4 or 8) of a header name at p with the lowercase
 * literal at lit ignoring ASCII case.  lit holds only a-z, '-' and
 * digits: or-ing 0x20 into a byte where lit has a letter (bit 0x40 set)
 * folds exactly 'A'-'Z' onto 'a'-'z'; where lit has '-' or a digit the
 * byte must be equal.
 */
#define LCEQ_W(name, type, ones)                                          \
	static inline int name(const char *p, const char *lit)            \
	{                                                                  \
		type x, l;                                                 \
		memcpy(&x, p, sizeof x);                                   \
		memcpy(&l, lit, sizeof l);                                 \
		return (x | (type)((l & (type)(ones * 0x40u)) >> 1)) == l; \
	}
LCEQ_W(lceq2, uint16_t, UINT16_C(0x0101))
LCEQ_W(lceq4, uint32_t, UINT32_C(0x01010101))
LCEQ_W(lceq8, uint64_t, UINT64_C(0x0101010101010101))
#undef LCEQ_W

/*
 * @return 1 if n equals the lowercase literal lit ignoring ASCII case
 * (lit as for lceq8); the caller has already matched the length, 2 or
 * more.  Two overlapping loads cover any length up to twice the width.
 */
static inline int lceq(struct sv n, const char *lit)
{
	size_t k = n.n;
	const char *p = n.p;
	if (k >= 8) {
		for (size_t i = 0; i + 8 < k; i += 8)
			if (!lceq8(p + i, lit + i))
				return 0;
		return lceq8(p + k - 8, lit + k - 8);
	}
	if (k >= 4)
		return lceq4(p, lit) && lceq4(p + k - 4, lit + k - 4);
	return lceq2(p, lit) && lceq2(p + k - 2, lit + k - 2);
}

#define IS(lit, id) (lceq(n, lit) ? (id) : H_NONE)

/*
 * Classify a header name (non-empty) by its length and first byte, then
 * one compare.  Compact forms only count in SIP.
 */
static SFB_INLINE enum hid hdr_id(struct sv n, int sip)
{
	unsigned char c = lc((unsigned char)n.p[0]);
	switch (n.n) {
	case 1:
		if (!sip)
			return H_NONE;
		switch (c) {
		case 'i': return H_CALL_ID;
		case 'f': return H_FROM;
		case 't': return H_TO;
		case 'v': return H_VIA;
		case 'm': return H_CONTACT;
		case 'l': return H_CLEN;
		case 'c': return H_CTYPE;
		case 'o': return H_EVENT;
		default: return H_NONE;
		}
	case 2:
		return c == 't' ? IS("to", H_TO) : H_NONE;
	case 3:
		return c == 'v' ? IS("via", H_VIA) : H_NONE;
	case 4:
		if (c == 'c')
			return IS("cseq", H_CSEQ);
		if (c == 'f')
			return IS("from", H_FROM);
		return c == 'h' ? IS("host", H_HOST) : H_NONE;
	case 5:
		return c == 'e' ? IS("event", H_EVENT) : H_NONE;
	case 6:
		return c == 's' ? IS("server", H_SERVER) : H_NONE;
	case 7:
		if (c == 'c') {
			if (lc((unsigned char)n.p[1]) == 'a')
				return IS("call-id", H_CALL_ID);
			return IS("contact", H_CONTACT);
		}
		return c == 'e' ? IS("expires", H_EXPIRES) : H_NONE;
	case 10:
		return c == 'u' ? IS("user-agent", H_UA) : H_NONE;
	case 12:
		return c == 'c' ? IS("content-type", H_CTYPE) : H_NONE;
	case 13:
		return c == 'a' ? IS("authorization", H_AUTH_AUTHZ) : H_NONE;
	case 14:
		if (c == 'c')
			return IS("content-length", H_CLEN);
		return c == 'm' ? IS("ms-diagnostics", H_DIAG_MS) : H_NONE;
	case 16:
		if (c == 'x')
			return IS("x-ms-diagnostics", H_DIAG_X);
		return c == 'w' ? IS("www-authenticate", H_AUTH_WWW) : H_NONE;
	case 18:
		return c == 'p' ? IS("proxy-authenticate", H_AUTH_PROXY_AUTHN)
				: H_NONE;
	case 19:
		if (c == 'p')
			return IS("proxy-authorization", H_AUTH_PROXY_AUTHZ);
		return c == 'a' ? IS("authentication-info", H_AUTH_INFO)
				: H_NONE;
	case 21:
		if (c != 'm')
			return H_NONE;
		if (lc((unsigned char)n.p[3]) == 'd')
			return IS("ms-diagnostics-public", H_DIAG_PUB);
		return IS("ms-client-diagnostics", H_DIAG_CLIENT);
	case 25:
		return c == 'p' ? IS("proxy-authentication-info",
				     H_AUTH_PROXY_INFO) : H_NONE;
	default:
		return H_NONE;
	}
}

#undef IS

/* ---- small scanning helpers ------------------------------------------ */

/* Most bytes tested are above ' ': one compare rejects them. */
static inline int is_ws(char c)
{
	return (unsigned char)c <= ' ' && (c == ' ' || c == '\t');
}

/*
 * v starts just after an opening quote.  @return the offset of the
 * closing quote (a quote after an odd run of backslashes is escaped),
 * or v.n when the string is unterminated.
 */
static SFB_INLINE size_t quoted_len(struct sv v)
{
	size_t i = 0;
	while (i < v.n) {
		const char *q = memchr(v.p + i, '"', v.n - i);
		if (!q)
			return v.n;
		size_t at = (size_t)(q - v.p), bs = 0;
		while (bs < at && v.p[at - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return at;
		i = at + 1;
	}
	return v.n;
}

/* @return offset of the first c in v, or v.n. */
static size_t find_or_end(struct sv v, char c)
{
	const char *q = v.n ? memchr(v.p, c, v.n) : NULL;
	return q ? (size_t)(q - v.p) : v.n;
}

/*
 * @return the first byte in [c, e) whose entry in stop is set, or e.
 * Four bytes a step while four are left, so that one bound check serves
 * them: this walks every header name and parameter name.
 */
static inline const char *walk_to(const char *c, const char *e,
				  const unsigned char *stop)
{
	while (e - c >= 4) {
		if (stop[(unsigned char)c[0]])
			return c;
		if (stop[(unsigned char)c[1]])
			return c + 1;
		if (stop[(unsigned char)c[2]])
			return c + 2;
		if (stop[(unsigned char)c[3]])
			return c + 3;
		c += 4;
	}
	while (c < e && !stop[(unsigned char)*c])
		c++;
	return c;
}

/*
 * Local inline versions of the sv steps used per byte (sv.c's are out
 * of line): drop n bytes (clamped), skip blanks, trim blanks.
 */
static inline void skip(struct sv *v, size_t n)
{
	if (n > v->n)
		n = v->n;
	v->p += n;
	v->n -= n;
}

/* Pointer steps, which compile tighter; an empty view's p may be NULL */
static inline void skip_ws(struct sv *v)
{
	if (!v->n)
		return;
	const char *p = v->p, *e = p + v->n;
	while (p < e && is_ws(*p))
		p++;
	*v = sv_make(p, (size_t)(e - p));
}

static inline struct sv trim(struct sv v)
{
	if (!v.n)
		return v;
	const char *p = v.p, *e = p + v.n;
	while (p < e && is_ws(*p))
		p++;
	while (e > p && is_ws(e[-1]))
		e--;
	return sv_make(p, (size_t)(e - p));
}

/* The bytes that end a parameter name, for each separator. */
static const unsigned char pname_end_semi[256] = { ['='] = 1, [';'] = 1 };
static const unsigned char pname_end_comma[256] = { ['='] = 1, [','] = 1 };

/*
 * Take the next name[=value] pair of a list separated by sep (';' for
 * SIP parameters and diagnostics, ',' for auth parameters).  Empty
 * elements are skipped.  A quoted value may hold sep; it is returned
 * without its quotes and trimmed; anything between the closing quote and
 * the next sep is dropped.  A pair without '=' has an empty value.
 * @return 1 with *name / *value set, 0 at the end of v.
 */
static SFB_INLINE int param_next(struct sv *v, char sep, struct sv *name,
		      struct sv *value)
{
	const char *p = v->p, *e = p + v->n;
	while (p < e && (*p == sep || is_ws(*p)))
		p++;
	if (p == e) {
		*v = sv_make(e, 0);
		return 0;
	}
	/* p is on the name's first byte: only its end needs trimming */
	const unsigned char *stop = sep == ';' ? pname_end_semi
					       : pname_end_comma;
	const char *q = walk_to(p, e, stop), *ne = q;
	while (ne > p && is_ws(ne[-1]))
		ne--;
	*name = sv_make(p, (size_t)(ne - p));
	*value = SV_NULL;
	if (q == e || *q == sep) {
		q = q < e ? q + 1 : e;
		*v = sv_make(q, (size_t)(e - q));
		return 1;
	}
	q++;                    /* '=' */
	while (q < e && is_ws(*q))
		q++;
	int quoted = q < e && *q == '"';
	if (quoted) {
		q++;
		size_t j = quoted_len(sv_make(q, (size_t)(e - q)));
		*value = trim(sv_make(q, j));
		q += j < (size_t)(e - q) ? j + 1 : j;
		/*
		 * What follows the closing quote up to sep is dropped;
		 * mostly sep itself follows, after blanks at most.
		 */
		while (q < e && is_ws(*q))
			q++;
	}
	const char *s = q >= e ? NULL
		: *q == sep ? q : memchr(q, sep, (size_t)(e - q));
	if (!quoted) {
		/* the value runs to sep, blanks trimmed */
		const char *t = s ? s : e;
		while (t > q && is_ws(t[-1]))
			t--;
		*value = sv_make(q, (size_t)(t - q));
	}
	q = s ? s + 1 : e;
	*v = sv_make(q, (size_t)(e - q));
	return 1;
}

/*
 * Take the next element of a comma-separated header value (Via,
 * Contact); commas inside quotes or <> do not split.  Jumps from one
 * special byte to the next with memchr.  @return the element untrimmed,
 * and advance v past its comma.
 */
static struct sv list_next(struct sv *v)
{
	size_t i = 0;
	/* mostly a single element: without a comma it is all of v */
	if (find_or_end(*v, ',') == v->n)
		i = v->n;
	while (i < v->n) {
		struct sv rest = sv_make(v->p + i, v->n - i);
		size_t c = find_or_end(rest, ',');
		struct sv seg = sv_make(rest.p, c);
		size_t q = find_or_end(seg, '"'), a = find_or_end(seg, '<');
		if (q == c && a == c) {
			i += c;
			break;
		}
		if (q < a) {
			struct sv in = sv_make(rest.p + q + 1, rest.n - q - 1);
			i += q + 1 + quoted_len(in) + 1;
		} else {
			struct sv in = sv_make(rest.p + a + 1, rest.n - a - 1);
			i += a + 1 + find_or_end(in, '>') + 1;
		}
	}
	if (i > v->n)
		i = v->n;
	struct sv e = sv_make(v->p, i);
	skip(v, i + 1);
	return e;
}

/* ---- field parsers --------------------------------------------------- */

/* "1 REGISTER": number (32 bits) and method; junk leaves both empty. */
static void parse_cseq(struct msg *m, struct sv v)
{
	uint64_t x;
	if (sv_take_u64(&v, 20, &x) || x > UINT32_MAX)
		return;
	m->cseq = (uint32_t)x;
	skip_ws(&v);
	size_t i = 0;
	while (i < v.n && !is_ws(v.p[i]))
		i++;
	m->cseq_method = sv_make(v.p, i);
}

/*
 * From / To: `"Name" <uri>;params`, `Name <uri>;params` or
 * `uri;params`.  name may be NULL (To has no field for it).  The first
 * tag and epid parameters win.
 */
static void parse_nameaddr(struct sv v, struct sv *name, struct sv *uri,
			   struct sv *tag, struct sv *epid)
{
	struct sv nm = SV_NULL, params = SV_NULL, pn, pv;
	int quoted = 0, got_tag = 0, got_epid = 0;
	/* v is a header value: split_headers and fold_into trimmed it */
	if (v.n && v.p[0] == '"') {
		skip(&v, 1);
		size_t j = quoted_len(v);
		nm = trim(sv_make(v.p, j));
		skip(&v, j + 1);
		quoted = 1;
	}
	/* mostly the value starts with its '<' */
	size_t lt = v.n && v.p[0] == '<' ? 0 : find_or_end(v, '<');
	if (lt < v.n) {
		if (!quoted)
			nm = trim(sv_make(v.p, lt));
		skip(&v, lt + 1);
		size_t gt = find_or_end(v, '>');
		*uri = trim(sv_make(v.p, gt));
		skip(&v, gt + 1);
		params = v;
	} else {
		size_t sc = find_or_end(v, ';');
		*uri = trim(sv_make(v.p, sc));
		skip(&v, sc);
		params = v;
	}
	if (name)
		*name = nm;
	while (param_next(&params, ';', &pn, &pv)) {
		if (!got_tag && sv_ieq_cstr(pn, "tag")) {
			*tag = pv;
			got_tag = 1;
		} else if (!got_epid && sv_ieq_cstr(pn, "epid")) {
			*epid = pv;
			got_epid = 1;
		}
	}
}

/* @return the branch parameter of one via-parm, or an empty view. */
static struct sv via_branch(struct sv e)
{
	struct sv pn, pv;
	skip(&e, find_or_end(e, ';'));
	while (param_next(&e, ';', &pn, &pv))
		if (sv_ieq_cstr(pn, "branch"))
			return pv;
	return SV_NULL;
}

/*
 * Every Via header, and every comma-separated value in one: the first
 * one seen is the top hop, the last one the originator's.
 */
static void parse_via(struct msg *m, struct sv v)
{
	while (v.n) {
		struct sv e = trim(list_next(&v));
		if (!e.n)
			continue;
		struct sv br = via_branch(e);
		if (++m->nvia == 1)
			m->via_branch = br;
		m->via_branch_last = br;
	}
}

/*
 * @return 1 when v is one or more decimal digits worth at most cap, with
 * *out set (sv_to_u64 and a bound in one inline pass: every message has
 * a Content-Length).
 */
static inline int dec_upto(struct sv v, uint64_t cap, uint64_t *out)
{
	uint64_t x = 0;
	if (v.n == 0)
		return 0;
	for (size_t i = 0; i < v.n; i++) {
		unsigned d = (unsigned)(unsigned char)v.p[i] - '0';
		if (d > 9 || x > (cap - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	*out = x;
	return 1;
}

static void parse_clen(struct msg *m, struct sv v)
{
	uint64_t x;
	if (dec_upto(v, SIP_MAX_CL, &x)) {
		m->content_length = (int64_t)x;
	} else {
		m->content_length = -1;
		m->flags |= MSG_F_CL_INVALID;
	}
}

static SFB_INLINE void push_param(struct msg *m, struct sv name,
				   struct sv value)
{
	if (m->nparams == m->params_cap) {
		size_t cap = m->params_cap ? m->params_cap * 2 : 32;
		m->params = sfb_xrealloc(m->params, cap * sizeof *m->params);
		m->params_cap = cap;
	}
	m->params[m->nparams].name = name;
	m->params[m->nparams].value = value;
	m->nparams++;
}

/*
 * `<ErrorId>[.<Sub>];name=value;...`: a header whose id is not a number
 * gives no diag.  Params go to the pool; the pointer is set at the end
 * of sip_parse (the pool may still move).
 */
static void parse_diag(struct msg *m, enum msg_diag_hdr which,
		       struct sv raw)
{
	struct sv v = raw, pn, pv;
	uint64_t code, sub;
	int32_t sub32 = -1;
	int got_reason = 0, got_source = 0;
	if (sv_take_u64(&v, 10, &code) || code > UINT32_MAX)
		return;
	if (v.n && v.p[0] == '.') {
		skip(&v, 1);
		if (sv_take_u64(&v, 10, &sub) || sub > INT32_MAX)
			return;
		sub32 = (int32_t)sub;
	}
	skip_ws(&v);
	if (v.n && v.p[0] != ';')
		return;
	if (m->ndiags == m->diags_cap) {
		size_t cap = m->diags_cap ? m->diags_cap * 2 : 8;
		m->diags = sfb_xrealloc(m->diags, cap * sizeof *m->diags);
		m->diags_cap = cap;
	}
	struct msg_diag *d = &m->diags[m->ndiags++];
	memset(d, 0, sizeof *d);
	d->hdr = which;
	d->code = (uint32_t)code;
	d->sub = sub32;
	d->raw = raw;
	size_t start = m->nparams;
	while (param_next(&v, ';', &pn, &pv)) {
		if (m->nparams - start == SFB_MAX_HPARAMS) {
			m->flags |= MSG_F_LIMIT;
			break;
		}
		push_param(m, pn, pv);
		if (!got_reason && sv_ieq_cstr(pn, "reason")) {
			d->reason = pv;
			got_reason = 1;
		} else if (!got_source && sv_ieq_cstr(pn, "source")) {
			d->source = pv;
			got_source = 1;
		}
	}
	d->nparams = m->nparams - start;
}

static int is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '+' || c == '/';
}

/*
 * RFC 7235 token68 (a base64 blob such as `Negotiate YIIG...==`): a
 * token followed by '=' padding and then the end or a comma.  Without
 * this the padding would read as an empty name=value pair.
 * @return the blob's length, or 0 if v does not start with one.
 */
static size_t token68_len(struct sv v)
{
	size_t i = 0;
	while (i < v.n && is_b64(v.p[i]))
		i++;
	if (i == 0 || i == v.n || v.p[i] != '=')
		return 0;
	while (i < v.n && v.p[i] == '=')
		i++;
	size_t j = i;
	while (j < v.n && is_ws(v.p[j]))
		j++;
	return (j == v.n || v.p[j] == ',') ? i : 0;
}

/* A walk over the param list of an auth header (what follows its
 * scheme). */
struct auth_it {
	struct sv rest;         /* not read yet */
	size_t n;               /* params taken */
	int started;            /* the token68 check is done */
};

static void auth_begin(struct auth_it *it, struct sv list)
{
	it->rest = list;
	it->n = 0;
	it->started = 0;
}

/*
 * Take the next param: a token68 blob first if there is one (the blob
 * as name, an empty value), then name[=value] pairs, at most
 * SFB_MAX_HPARAMS in all.  @return 1 with *p set, 0 at the end.
 */
static int auth_next(struct auth_it *it, struct msg_param *p)
{
	if (it->n == SFB_MAX_HPARAMS)
		return 0;
	if (!it->started) {
		size_t t68;
		it->started = 1;
		skip_ws(&it->rest);
		t68 = token68_len(it->rest);
		if (t68) {
			p->name = sv_make(it->rest.p, t68);
			p->value = SV_NULL;
			skip(&it->rest, t68);
			it->n++;
			return 1;
		}
	}
	if (!param_next(&it->rest, ',', &p->name, &p->value))
		return 0;
	it->n++;
	return 1;
}

int sip_auth_param(const struct msg_auth *a, const char *name,
		   struct sv *value)
{
	struct auth_it it;
	struct msg_param p;
	struct sv want = sv_cstr(name);
	auth_begin(&it, a->rest);
	while (auth_next(&it, &p)) {
		/* the length first: it tells most names apart, inline */
		if (p.name.n == want.n && sv_ieq(p.name, want)) {
			*value = p.value;
			return 1;
		}
	}
	return 0;
}

size_t sip_auth_params(const struct msg_auth *a, struct msg_param *out,
		       size_t cap)
{
	struct auth_it it;
	size_t n = 0;
	auth_begin(&it, a->rest);
	while (n < cap && auth_next(&it, &out[n]))
		n++;
	return n;
}

/*
 * @return 1 when the param list v holds more than SFB_MAX_HPARAMS
 * params (sip_parse flags that, as it did when it parsed them all).
 * Every param but the last ends at a comma and takes a byte at least,
 * so a list of 2 * SFB_MAX_HPARAMS bytes or less, or one with fewer
 * commas than the limit, is within it without being parsed.
 */
static int auth_over_limit(struct sv v)
{
	const char *p = v.p, *e = v.p + v.n;
	size_t commas = 0;
	struct auth_it it;
	struct msg_param pm;
	if (v.n <= 2 * SFB_MAX_HPARAMS)
		return 0;
	while (commas < SFB_MAX_HPARAMS &&
	       (p = memchr(p, ',', (size_t)(e - p))) != NULL) {
		commas++;
		p++;
	}
	if (commas < SFB_MAX_HPARAMS)
		return 0;
	auth_begin(&it, v);
	while (auth_next(&it, &pm))
		;
	return param_next(&it.rest, ',', &pm.name, &pm.value);
}

/*
 * `Scheme name=value, name="v,v", ...`.  The first token is the scheme
 * unless it holds '=' (Digest Authentication-Info has no scheme).  The
 * params are parsed on demand (sip_auth_param): here only the scheme is
 * taken, and the list checked against the params limit.
 */
static void parse_auth(struct msg *m, enum msg_auth_hdr which,
		       struct sv v)
{
	if (m->nauths == m->auths_cap) {
		size_t cap = m->auths_cap ? m->auths_cap * 2 : 8;
		m->auths = sfb_xrealloc(m->auths, cap * sizeof *m->auths);
		m->auths_cap = cap;
	}
	struct msg_auth *a = &m->auths[m->nauths++];
	a->hdr = which;
	a->scheme = SV_NULL;
	size_t i = 0;
	while (i < v.n && !is_ws(v.p[i]) && v.p[i] != ',' && v.p[i] != '=')
		i++;
	if (i == v.n || v.p[i] != '=') {
		a->scheme = sv_make(v.p, i);
		skip(&v, i);
	}
	skip_ws(&v);
	a->rest = v;
	if (auth_over_limit(v))
		m->flags |= MSG_F_LIMIT;
}

/* ---- start line ------------------------------------------------------ */

/* RFC 3261 token characters (method names). */
static int is_token(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '!' ||
	       c == '%' || c == '*' || c == '_' || c == '+' || c == '`' ||
	       c == '\'' || c == '~';
}

/* @return 1 when v starts with "SIP/" (ASCII case ignored). */
static int is_sip_slash(struct sv v)
{
	return v.n >= 4 && (v.p[0] | 0x20) == 's' &&
	       (v.p[1] | 0x20) == 'i' && (v.p[2] | 0x20) == 'p' &&
	       v.p[3] == '/';
}

/* @return 1 when v starts with "HTTP/" (ASCII case ignored). */
static int is_http_slash(struct sv v)
{
	return v.n >= 5 && (v.p[0] | 0x20) == 'h' &&
	       (v.p[1] | 0x20) == 't' && (v.p[2] | 0x20) == 't' &&
	       (v.p[3] | 0x20) == 'p' && v.p[4] == '/';
}

/* Skip 1..3 decimal digits at v->p[*i]; @return 1 if there is none. */
static int skip_num3(struct sv v, size_t *i)
{
	size_t j = *i;
	while (j < v.n && j - *i < 3 && sv_is_digit(v.p[j]))
		j++;
	if (j == *i)
		return 1;
	*i = j;
	return 0;
}

/*
 * "SIP/2.0" -> MSG_SIP, "HTTP/1.1" (or "HTTP/2") -> MSG_HTTP, else
 * MSG_PROTO_UNKNOWN.  Digits around the dot are required.
 */
static enum msg_proto version_proto(struct sv v)
{
	enum msg_proto p;
	size_t i;
	if (is_sip_slash(v)) {
		p = MSG_SIP;
		i = 4;
	} else if (is_http_slash(v)) {
		p = MSG_HTTP;
		i = 5;
	} else {
		return MSG_PROTO_UNKNOWN;
	}
	if (skip_num3(v, &i))
		return MSG_PROTO_UNKNOWN;
	if (i == v.n)
		return p == MSG_HTTP ? p : MSG_PROTO_UNKNOWN;
	if (v.p[i] != '.')
		return MSG_PROTO_UNKNOWN;
	i++;
	if (skip_num3(v, &i) || i != v.n)
		return MSG_PROTO_UNKNOWN;
	return p;
}

/* version_proto, with the spellings nearly every message has first. */
static SFB_INLINE enum msg_proto version_of(struct sv v)
{
	if (v.n == 7 && memcmp(v.p, "SIP/2.0", 7) == 0)
		return MSG_SIP;
	if (v.n == 8 && memcmp(v.p, "HTTP/1.1", 8) == 0)
		return MSG_HTTP;
	return version_proto(v);
}

/* A status code: exactly 3 digits at the start of v, taken. */
static SFB_INLINE int take_status(struct sv *v, unsigned *st)
{
	if (v->n < 3 || !sv_is_digit(v->p[0]) || !sv_is_digit(v->p[1]) ||
	    !sv_is_digit(v->p[2]))
		return 1;
	*st = (unsigned)(v->p[0] - '0') * 100 + (unsigned)sv_dig2(v->p + 1);
	skip(v, 3);
	return 0;
}

/* @return 0 and the start-line fields set, or -1 (nothing set). */
static int parse_start(struct msg *m, struct sv line)
{
	struct sv v = trim(line), ver, rest;
	rest = v;
	size_t sp = find_or_end(rest, ' ');
	ver = sv_make(rest.p, sp);
	if (is_sip_slash(v) || is_http_slash(v)) {
		enum msg_proto p = version_of(ver);
		unsigned st;
		if (p == MSG_PROTO_UNKNOWN || sp == rest.n)
			return -1;
		skip(&rest, sp);
		skip_ws(&rest);
		if (take_status(&rest, &st) || st < 100 || st > 699 ||
		    (rest.n && !is_ws(rest.p[0])))
			return -1;
		m->proto = p;
		m->kind = MSG_RESPONSE;
		m->version = ver;
		m->status = (int)st;
		m->status_reason = trim(rest);
		m->start_line = v;
		return 0;
	}
	/* request: METHOD SP uri SP version */
	struct sv method = ver, uri;
	if (method.n == 0 || sp == rest.n)
		return -1;
	for (size_t i = 0; i < method.n; i++)
		if (!is_token(method.p[i]))
			return -1;
	skip(&rest, sp);
	size_t last = rest.n;
	while (last > 0 && !is_ws(rest.p[last - 1]))
		last--;
	ver = sv_make(rest.p + last, rest.n - last);
	uri = trim(sv_make(rest.p, last));
	enum msg_proto p = version_of(ver);
	if (p == MSG_PROTO_UNKNOWN || uri.n == 0)
		return -1;
	m->proto = p;
	m->kind = MSG_REQUEST;
	m->method = method;
	m->uri = uri;
	m->version = ver;
	m->start_line = v;
	return 0;
}

/* ---- lines, headers, folding ----------------------------------------- */

struct lines {
	const char *p, *end;
	int more;               /* a line starts at p (maybe empty) */
};

/*
 * Take the next line without its LF and one CR before it.  A final LF
 * is followed by one more (empty) line: format parsers join lines with
 * '\n', so "headers\n" ends with the blank line.  @return 0 at the end.
 */
static inline int line_next(struct lines *ls, struct sv *line)
{
	if (!ls->more)
		return 0;
	size_t n = (size_t)(ls->end - ls->p);
	const char *q = n ? memchr(ls->p, '\n', n) : NULL;
	if (q) {
		*line = sv_make(ls->p, (size_t)(q - ls->p));
		ls->p = q + 1;
	} else {
		*line = sv_make(ls->p, n);
		ls->p = ls->end;
		ls->more = 0;
	}
	if (line->n && line->p[line->n - 1] == '\r')
		line->n--;
	return 1;
}

/*
 * Join a continuation line to the last header's value with one space.
 * The joined value is built in m->fold, sized to the message on the
 * first fold so it never moves: every byte copied comes from a distinct
 * byte of the text and each joining space stands for a dropped LF, so the
 * scratch never needs more than m->len bytes.  *fold_hdr is 1 + the
 * header whose value currently ends the scratch (it grows in place).
 */
static void fold_into(struct msg *m, struct sv cont, size_t *fold_hdr)
{
	struct msg_hdr *h = &m->hdrs[m->nhdrs - 1];
	if (cont.n == 0)
		return;
	if (h->value.n == 0) {
		h->value = cont;        /* contiguous in the text: no copy */
		return;
	}
	if (m->fold_cap < m->len + 1) {
		/* only on the first fold of a message: fold_len is 0 */
		m->fold = sfb_xrealloc(m->fold, m->len + 1);
		m->fold_cap = m->len + 1;
	}
	size_t need = 1 + cont.n + (*fold_hdr == m->nhdrs ? 0 : h->value.n);
	if (m->fold_len + need > m->fold_cap)
		return;         /* cannot happen (see above); stay in bounds */
	if (*fold_hdr != m->nhdrs) {
		char *dst = m->fold + m->fold_len;
		memcpy(dst, h->value.p, h->value.n);
		m->fold_len += h->value.n;
		h->value.p = dst;
		*fold_hdr = m->nhdrs;
	}
	m->fold[m->fold_len++] = ' ';
	memcpy(m->fold + m->fold_len, cont.p, cont.n);
	m->fold_len += cont.n;
	h->value.n += 1 + cont.n;
}

static void push_hdr(struct msg *m, struct sv name, struct sv value)
{
	if (m->nhdrs == m->hdrs_cap) {
		size_t cap = m->hdrs_cap ? m->hdrs_cap * 2 : 32;
		m->hdrs = sfb_xrealloc(m->hdrs, cap * sizeof *m->hdrs);
		m->hdrs_cap = cap;
	}
	m->hdrs[m->nhdrs].name = name;
	m->hdrs[m->nhdrs].value = value;
	m->nhdrs++;
}

/* The bytes that end a header name: one table load per byte. */
static const unsigned char name_end[256] = {
	[':'] = 1, [' '] = 1, ['\t'] = 1,
};

/*
 * The bytes that end the fast scan of a line from its start: those of
 * a name and those that end or blank a line.  A line whose scan stops
 * on a colon after one byte or more is a plain "Name: value" line.
 */
static const unsigned char line_stop[256] = {
	[':'] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
};

/*
 * Take a plain "Name: value" line at ls->p in one pass: the name is
 * walked to its colon, then memchr finds the line's end from the
 * value.  @return 0 when the line is anything else (blank, indented,
 * without a colon...): ls is untouched and line_next takes it.
 */
static SFB_INLINE int plain_header(struct lines *ls, struct sv *name,
				   struct sv *value)
{
	const char *s = ls->p, *e = ls->end;
	if (!ls->more)
		return 0;
	const char *c = walk_to(s, e, line_stop);
	if (c == s || c == e || *c != ':')
		return 0;
	const char *v = c + 1, *nl = memchr(v, '\n', (size_t)(e - v));
	const char *ve = nl ? nl : e;
	if (ve > v && ve[-1] == '\r')
		ve--;
	*name = sv_make(s, (size_t)(c - s));
	*value = trim(sv_make(v, (size_t)(ve - v)));
	if (nl) {
		ls->p = nl + 1;
	} else {
		ls->p = e;
		ls->more = 0;
	}
	return 1;
}

/* The headers the parser reads, in order: about half of them. */
struct known {
	uint16_t at[SFB_MAX_HDRS];      /* index in m->hdrs */
	unsigned char id[SFB_MAX_HDRS]; /* enum hid */
	size_t n;
};

/*
 * Split the header block into m->hdrs, up to the first blank line, and
 * note the headers of a kind the parser reads in k.  One pass per
 * line: plain_header takes most; the others are split by line_next,
 * then their name is walked to its colon.
 * @return 1 if a blank line was found (ls then sits on the body).
 */
static int split_headers(struct msg *m, struct lines *ls, struct known *k)
{
	enum { PREV_NONE, PREV_KEPT, PREV_DROPPED } prev = PREV_NONE;
	size_t fold_hdr = 0;
	int sip = m->proto == MSG_SIP;
	struct sv l, name, value;
	for (;;) {
		if (plain_header(ls, &name, &value))
			goto got;
		if (!line_next(ls, &l))
			return 0;
		const char *s = l.p, *e = l.p + l.n, *q = s;
		while (q < e && is_ws(*q))
			q++;
		if (q == e || (*q == '\r' && sv_is_blank(l)))
			return 1;
		if (q != s && prev != PREV_NONE) {
			/* a continuation of a dropped line goes with it */
			if (prev == PREV_KEPT)
				fold_into(m, trim(l), &fold_hdr);
			continue;
		}
		/*
		 * A first header indented by the log is still a header.
		 * The name runs to the colon; blanks may only sit between
		 * it and the colon.
		 */
		const char *c = q;
		while (c < e && !name_end[(unsigned char)*c])
			c++;
		name = sv_make(q, (size_t)(c - q));
		while (c < e && is_ws(*c))
			c++;
		if (c == e || *c != ':' || name.n == 0) {
			m->flags |= MSG_F_BAD_HEADER;
			prev = PREV_DROPPED;
			continue;
		}
		value = trim(sv_make(c + 1, (size_t)(e - c - 1)));
got:
		if (m->nhdrs >= SFB_MAX_HDRS) {
			m->flags |= MSG_F_LIMIT;
			prev = PREV_DROPPED;
			continue;
		}
		enum hid id = hdr_id(name, sip);
		if (id != H_NONE) {
			k->at[k->n] = (uint16_t)m->nhdrs;
			k->id[k->n++] = (unsigned char)id;
		}
		push_hdr(m, name, value);
		prev = PREV_KEPT;
	}
}

/* @return the bytes v would have on the wire: each bare LF was CRLF. */
static uint64_t wire_len(struct sv v)
{
	uint64_t n = v.n;
	size_t i = 0;
	while (i < v.n) {
		const char *q = memchr(v.p + i, '\n', v.n - i);
		if (!q)
			break;
		size_t at = (size_t)(q - v.p);
		if (at == 0 || v.p[at - 1] != '\r')
			n++;
		i = at + 1;
	}
	return n;
}

/*
 * Content-Length against the body as logged.  Accepted: the wire length
 * of the body, up to 2 bytes more (the log lost the final line end), or
 * less down to the body without its trailing line ends (the log added
 * some).  A body cut by the log is not a mismatch.
 */
static void check_clen(struct msg *m)
{
	if (m->content_length < 0 || (m->flags & MSG_F_TRUNCATED))
		return;
	uint64_t cl = (uint64_t)m->content_length;
	struct sv core = m->body, tail;
	while (core.n && (core.p[core.n - 1] == '\n' ||
			  core.p[core.n - 1] == '\r'))
		core.n--;
	/*
	 * The body is core and a tail of line ends; the byte before the
	 * tail is no CR, so the tail's LFs count alone: one pass.
	 */
	tail = core.n < m->body.n ? sv_make(m->body.p + core.n,
					    m->body.n - core.n) : SV_NULL;
	uint64_t lo = wire_len(core), hi = lo + wire_len(tail) + 2;
	if (cl < lo || cl > hi)
		m->flags |= MSG_F_CL_MISMATCH;
}


static const enum msg_diag_hdr diag_of[] = {
	[H_DIAG_MS] = MSG_DIAG_MS, [H_DIAG_PUB] = MSG_DIAG_MS_PUBLIC,
	[H_DIAG_CLIENT] = MSG_DIAG_MS_CLIENT, [H_DIAG_X] = MSG_DIAG_X_MS,
};

static const enum msg_auth_hdr auth_of[] = {
	[H_AUTH_WWW] = MSG_AUTH_WWW,
	[H_AUTH_AUTHZ] = MSG_AUTH_AUTHORIZATION,
	[H_AUTH_PROXY_AUTHN] = MSG_AUTH_PROXY_AUTHENTICATE,
	[H_AUTH_PROXY_AUTHZ] = MSG_AUTH_PROXY_AUTHORIZATION,
	[H_AUTH_INFO] = MSG_AUTH_INFO,
	[H_AUTH_PROXY_INFO] = MSG_AUTH_PROXY_INFO,
};

/*
 * Read the fields out of the header array.  Single-valued fields take
 * the first occurrence.  Diagnostics fill the param pool, whose
 * pointers are set by a running offset at the end.
 */
static void read_fields(struct msg *m, const struct known *k)
{
	uint32_t seen = 0;
	for (size_t i = 0; i < k->n; i++) {
		enum hid id = (enum hid)k->id[i];
		struct sv v = m->hdrs[k->at[i]].value;
		if (id >= H_AUTH_WWW) {
			parse_auth(m, auth_of[id], v);
			continue;
		}
		if (id >= H_DIAG_MS) {
			parse_diag(m, diag_of[id], v);
			continue;
		}
		if (id != H_VIA && (seen & (1u << id)))
			continue;
		seen |= 1u << id;
		switch (id) {
		case H_CALL_ID:
			m->call_id = v;
			break;
		case H_CSEQ:
			parse_cseq(m, v);
			break;
		case H_FROM:
			parse_nameaddr(v, &m->from_name, &m->from_uri,
				       &m->from_tag, &m->from_epid);
			break;
		case H_TO:
			parse_nameaddr(v, NULL, &m->to_uri, &m->to_tag,
				       &m->to_epid);
			break;
		case H_VIA:
			parse_via(m, v);
			break;
		case H_CONTACT:
			m->contact = trim(list_next(&v));
			break;
		case H_EXPIRES: {
			uint64_t x;
			if (dec_upto(v, INT64_MAX, &x))
				m->expires = (int64_t)x;
			break;
		}
		case H_EVENT:
			m->event = v;
			break;
		case H_CTYPE:
			m->content_type = v;
			break;
		case H_CLEN:
			parse_clen(m, v);
			break;
		case H_UA:
			m->user_agent = v;
			break;
		case H_SERVER:
			m->server_hdr = v;
			break;
		case H_HOST:
			m->host = v;
			break;
		default:
			break;
		}
	}
	size_t off = 0;
	for (size_t i = 0; i < m->ndiags; i++) {
		m->diags[i].params = m->diags[i].nparams ? m->params + off
							 : NULL;
		off += m->diags[i].nparams;
	}
}

int sip_parse(struct msg *m)
{
	struct lines ls;
	struct sv l;
	/* what an earlier parse filled goes (msg_set has already reset
	 * a fresh message); the log's verdict stays */
	if (m->parsed)
		msg_reset_parsed(m);
	m->parsed = 1;
	m->flags &= MSG_F_TRUNCATED;
	if (!m->text) {         /* never set: no text at all */
		m->flags |= MSG_F_BAD_START;
		return -1;
	}
	ls.p = m->text;
	ls.end = m->text + m->len;
	ls.more = m->len > 0;
	/* the log may leave empty lines before the start line */
	do {
		if (!line_next(&ls, &l)) {
			m->flags |= MSG_F_BAD_START;
			return -1;
		}
	} while (sv_is_blank(l));
	if (parse_start(m, l) != 0) {
		m->flags |= MSG_F_BAD_START;
		return -1;
	}
	struct known k;
	k.n = 0;
	int blank = split_headers(m, &ls, &k);
	if (blank)
		m->body = sv_make(ls.p, (size_t)(ls.end - ls.p));
	read_fields(m, &k);
	/*
	 * The format parsers drop a record's trailing blank lines, so a
	 * message without a body normally arrives with no blank line at
	 * all: that is only a problem when the headers announce a body.
	 */
	if (!blank && m->content_length > 0)
		m->flags |= MSG_F_NO_BLANK;
	check_clen(m);
	return 0;
}
