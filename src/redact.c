/* SPDX-License-Identifier: MIT */
/*
 * redact.c -- the redacted copy of a log (redact.h says what changes).
 *
 * Lines come from the line reader.  A line that opens a framed block (a
 * client log's "Sending Packet" / "Data Received" entry, a CLS record
 * header ending in $$begin_record) starts a block, held in one buffer
 * until its end line ("End of ..." / $$end_record), the next entry or
 * record header (the block was cut short), or max_msg (then it is
 * written line by line without a length fix-up).  A complete block is
 * taken apart into its framing and its SIP/HTTP message, the message
 * is rewritten by redact_message(), and the framing's byte counts and
 * the Content-Length are moved by what the rewrite added or removed.
 * Every other line is scrubbed as it is: the client-log prefix and the
 * CLS header's time and component are kept verbatim, the rest goes
 * through pseudo_scrub().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr.h"
#include "parser.h"
#include "redact.h"
#include "sv.h"

enum blk { BLK_NONE = 0, BLK_UCC, BLK_CLS };

struct redact {
	struct pseudo *ps;              /* borrowed */
	struct redact_sink sink;
	size_t max_msg;
	enum blk blk;                   /* the open block, if any */
	int passthru;                   /* the open block overflowed */
	struct pseudo_buf buf;          /* owned: the block's lines */
	size_t nlines;
	unsigned long first;            /* line number of its first line */
	struct pseudo_buf out;          /* owned: lines to write */
	struct redact_stats st;
};

/* ---- small helpers ------------------------------------------------ */

static long long wire_len(struct sv s)
{
	long long n = (long long)s.n;
	for (size_t i = 0; i < s.n; i++)
		n += s.p[i] == '\n';
	return n;
}

/*
 * Next line of *v (without its '\n').  v->p NULL means done: text
 * ending in '\n' gives a last, empty line, as lines joined with '\n'.
 * @return 0 when there is no line left
 */
static int next_line(struct sv *v, struct sv *line)
{
	if (!v->p)
		return 0;
	long nl = sv_find_char(*v, '\n');
	if (nl < 0) {
		*line = *v;
		v->p = NULL;
		v->n = 0;
		return 1;
	}
	*line = sv_make(v->p, (size_t)nl);
	sv_skip(v, (size_t)nl + 1);
	return 1;
}

static int in_list(struct sv s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (sv_ieq_cstr(s, list[i]))
			return 1;
	return 0;
}

static int is_tok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       sv_is_digit(c) || c == '-' || c == '_' || c == '.';
}

/* ---- header values ------------------------------------------------ */

/* Parameters of authentication headers that carry key material. */
static const char *const auth_secret[] = {
	"gssapi-data", "opaque", "response", "rspauth", "crand", "srand",
	"nonce", "cnonce", "nextnonce", "signature", NULL
};

static void secret(struct pseudo_buf *o, int quoted,
		   struct redact_stats *st)
{
	pseudo_buf_adds(o, quoted ? "\"" PSEUDO_SECRET "\"" : PSEUDO_SECRET);
	st->secrets++;
}

/* A value of a name=value list: quoted string or token.  @return len */
static size_t param_value_len(struct sv v, const char *stops)
{
	if (v.n && v.p[0] == '"') {
		size_t k = 1;
		while (k < v.n && v.p[k] != '"')
			k += v.p[k] == '\\' && k + 1 < v.n ? 2 : 1;
		return k < v.n ? k + 1 : v.n;
	}
	size_t k = 0;
	while (k < v.n && !strchr(stops, v.p[k]))
		k++;
	return k;
}

/* 1 if v is one RFC 7235 token68 (a bare base64 blob). */
static int is_token68(struct sv v)
{
	v = sv_trim(v);
	if (!v.n)
		return 0;
	size_t k = 0;
	while (k < v.n && (is_tok(v.p[k]) || v.p[k] == '+' ||
			   v.p[k] == '/' || v.p[k] == '~'))
		k++;
	while (k < v.n && v.p[k] == '=')
		k++;
	return k == v.n;
}

/*
 * A list of name[=value] items separated by the characters of seps.
 * Values of names in `secrets` (NULL: every value) are replaced; bare
 * items too when `bare` is set; the rest is scrubbed.
 */
static void rewrite_params(struct pseudo *ps, struct sv v, const char *seps,
			   const char *const *secrets, int bare,
			   struct pseudo_buf *o, struct redact_stats *st)
{
	char stops[16];
	snprintf(stops, sizeof stops, "%s \t", seps);
	size_t i = 0;
	while (i < v.n) {
		char c = v.p[i];
		if (strchr(seps, c) || c == ' ' || c == '\t') {
			pseudo_buf_addc(o, c);
			i++;
			continue;
		}
		size_t s = i;
		while (i < v.n && is_tok(v.p[i]))
			i++;
		struct sv name = sv_make(v.p + s, i - s);
		size_t e = i;
		while (e < v.n && (v.p[e] == ' ' || v.p[e] == '\t'))
			e++;
		if (name.n && e < v.n && v.p[e] == '=') {
			pseudo_buf_add(o, v.p + s, e + 1 - s);
			e++;
			while (e < v.n && (v.p[e] == ' ' || v.p[e] == '\t'))
				pseudo_buf_addc(o, v.p[e++]);
			size_t vl = param_value_len(sv_make(v.p + e, v.n - e),
						    seps);
			struct sv val = sv_make(v.p + e, vl);
			if (vl && (!secrets || in_list(name, secrets)))
				secret(o, val.p[0] == '"', st);
			else
				st->secrets += pseudo_scrub(ps, val, 0, o);
			i = e + vl;
			continue;
		}
		/* a bare item: up to the next separator */
		size_t vl = param_value_len(sv_make(v.p + s, v.n - s), seps);
		if (!vl)
			vl = 1;
		if (bare)
			secret(o, 0, st);
		else
			st->secrets += pseudo_scrub(ps, sv_make(v.p + s, vl),
						    0, o);
		i = s + vl;
	}
}

/* WWW-Authenticate & co: "Scheme params" or "Scheme token68". */
static void rewrite_auth(struct pseudo *ps, struct sv v,
			 struct pseudo_buf *o, struct redact_stats *st)
{
	size_t i = 0;
	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
		pseudo_buf_addc(o, v.p[i++]);
	size_t s = i;
	while (i < v.n && is_tok(v.p[i]))
		i++;
	size_t e = i;
	while (e < v.n && (v.p[e] == ' ' || v.p[e] == '\t'))
		e++;
	if (e < v.n && v.p[e] == '=') {
		/* no scheme (HTTP Authentication-Info) */
		rewrite_params(ps, sv_make(v.p + s, v.n - s), ",",
			       auth_secret, 0, o, st);
		return;
	}
	pseudo_buf_add(o, v.p + s, e - s);      /* scheme and spaces */
	struct sv rest = sv_make(v.p + e, v.n - e);
	if (is_token68(rest))
		secret(o, 0, st);
	else
		rewrite_params(ps, rest, ",", auth_secret, 0, o, st);
}

static const char *const auth_headers[] = {
	"WWW-Authenticate", "Authorization", "Proxy-Authenticate",
	"Proxy-Authorization", "Authentication-Info",
	"Proxy-Authentication-Info", NULL
};

static const char *const im_format_secret[] = { "ms-body", NULL };

/* header names that hold a token or a credential as their value */
static int secret_header(struct sv name)
{
	static const char *const words[] = {
		"webticket", "ticket", "token", "password", "secret",
		"cookie2", NULL
	};
	for (size_t i = 0; words[i]; i++)
		if (sv_ifind(name, words[i]) >= 0)
			return 1;
	return 0;
}

/* Headers whose value is a name-addr: "Name" <uri>, or Name <uri>. */
static const char *const name_headers[] = {
	"From", "f", "To", "t", "Contact", "m", "P-Asserted-Identity",
	"P-Preferred-Identity", "Referred-By", "b", "Refer-To", "r",
	"Reply-To", "Remote-Party-ID", NULL
};

/* 1 if v is an unquoted display name before '<' */
static int unquoted_name(struct sv v)
{
	struct sv t = sv_trim(v);
	long lt = sv_find_char(t, '<');
	return t.n && t.p[0] != '"' && t.p[0] != '<' && lt > 0 &&
	       sv_find_char(sv_make(t.p, (size_t)lt), '"') < 0 &&
	       sv_find_char(sv_make(t.p, (size_t)lt), ',') < 0;
}

static void rewrite_name_addr(struct pseudo *ps, struct sv v,
			      struct pseudo_buf *o, struct redact_stats *st)
{
	long lt = sv_find_char(v, '<');
	struct sv name = sv_trim(sv_make(v.p, (size_t)lt));
	pseudo_buf_add(o, v.p, (size_t)(name.p - v.p));
	pseudo_buf_adds(o, pseudo_alias(ps, PSEUDO_NAME, name));
	pseudo_buf_add(o, name.p + name.n,
		       (size_t)(v.p + lt - (name.p + name.n)));
	st->secrets += pseudo_scrub(ps, sv_make(v.p + lt, v.n - (size_t)lt),
				    0, o);
}

static void rewrite_header(struct pseudo *ps, struct sv name, struct sv v,
			   struct pseudo_buf *o, struct redact_stats *st)
{
	if (in_list(name, auth_headers))
		rewrite_auth(ps, v, o, st);
	else if (sv_ieq_cstr(name, "Cookie"))
		rewrite_params(ps, v, ";,", NULL, 0, o, st);
	else if (sv_ieq_cstr(name, "Set-Cookie")) {
		long semi = sv_find_char(v, ';');
		size_t n1 = semi < 0 ? v.n : (size_t)semi;
		rewrite_params(ps, sv_make(v.p, n1), ";", NULL, 0, o, st);
		st->secrets += pseudo_scrub(ps, sv_make(v.p + n1, v.n - n1),
					    0, o);
	} else if (secret_header(name))
		rewrite_params(ps, v, ";,", NULL, 1, o, st);
	else if (sv_ieq_cstr(name, "Ms-Text-Format") ||
		 sv_ieq_cstr(name, "Ms-Im-Format"))
		rewrite_params(ps, v, ";", im_format_secret, 0, o, st);
	else if (in_list(name, name_headers) && unquoted_name(v))
		rewrite_name_addr(ps, v, o, st);
	else if (sv_ieq_cstr(name, "Call-ID") || sv_ieq_cstr(name, "i") ||
		 sv_ieq_cstr(name, "SIP-Call-ID"))
		st->secrets += pseudo_scrub(ps, v, PSEUDO_NO_BLOBS, o);
	else
		st->secrets += pseudo_scrub(ps, v, 0, o);
}

/* ---- bodies ------------------------------------------------------- */

/* XML elements whose content is a token, a key or a certificate. */
static const char *const secret_elems[] = {
	"Assertion", "UserToken", "BinarySecret", "BinarySecurityToken",
	"X509Certificate", "CertificateRequestMessage", "CertificateChain",
	"SignatureValue", "DigestValue", "CipherValue", "Password",
	"RequestedProofToken", "EncryptedAssertion", NULL
};

/* XML elements whose content is a person's name. */
static const char *const name_elems[] = {
	"displayName", "friendlyName", "givenName", "surname", "sn",
	"cn", NULL
};

/*
 * Scrub a body, with the content of secret elements replaced and names
 * of name elements pseudonymised.  The
 * element search is textual (no parser): "<p:Name ...>" up to
 * "</p:Name>", on the body as one string.
 */
static void rewrite_body(struct pseudo *ps, struct sv b, struct pseudo_buf *o,
			 struct redact_stats *st)
{
	size_t from = 0, i = 0;
	while (i < b.n) {
		long lt = sv_find_char(sv_make(b.p + i, b.n - i), '<');
		if (lt < 0)
			break;
		i += (size_t)lt + 1;
		size_t q = i;
		while (q < b.n && (is_tok(b.p[q]) || b.p[q] == ':'))
			q++;
		struct sv qn = sv_make(b.p + i, q - i);
		struct sv local = qn;
		long colon = sv_find_char(qn, ':');
		if (colon >= 0)
			local = sv_make(qn.p + colon + 1,
					qn.n - (size_t)colon - 1);
		int name = qn.n && in_list(local, name_elems);
		if (!qn.n || (!name && !in_list(local, secret_elems)))
			continue;
		long gt = sv_find_char(sv_make(b.p + q, b.n - q), '>');
		if (gt < 0 || b.p[q + (size_t)gt - 1] == '/')
			continue;
		size_t cs = q + (size_t)gt + 1, ce = cs;
		if (name) {
			/* <displayName>Alice Wood</displayName> */
			while (ce < b.n && b.p[ce] != '<')
				ce++;
			struct sv txt = sv_trim(sv_make(b.p + cs, ce - cs));
			if (ce + 2 + qn.n >= b.n || b.p[ce + 1] != '/' ||
			    memcmp(b.p + ce + 2, qn.p, qn.n) != 0 ||
			    !txt.n)
				continue;
			st->secrets += pseudo_scrub(ps, sv_make(b.p + from,
							cs - from), 0, o);
			pseudo_buf_adds(o, pseudo_alias(ps, PSEUDO_NAME, txt));
			from = i = ce;
			continue;
		}
		/* the closing tag */
		int found = 0;
		while (ce + qn.n + 3 <= b.n) {
			long nx = sv_find(sv_make(b.p + ce, b.n - ce), "</");
			if (nx < 0)
				break;
			ce += (size_t)nx;
			if (ce + 2 + qn.n < b.n &&
			    memcmp(b.p + ce + 2, qn.p, qn.n) == 0 &&
			    b.p[ce + 2 + qn.n] == '>') {
				found = 1;
				break;
			}
			ce += 2;
		}
		if (!found)
			break;  /* no closing tag later: stop looking */
		st->secrets += pseudo_scrub(ps, sv_make(b.p + from, cs - from),
					    0, o);
		if (ce > cs)
			secret(o, 0, st);
		from = i = ce;
	}
	st->secrets += pseudo_scrub(ps, sv_make(b.p + from, b.n - from), 0, o);
}

/* The marker that replaces IM text of content type ct. */
static const char *im_marker(struct sv ct)
{
	return sv_istarts(ct, "text/html") ? "<p>[IM text removed]</p>"
					    : "[IM text removed]";
}

static int im_type(struct sv ct)
{
	return sv_istarts(ct, "text/plain") || sv_istarts(ct, "text/html") ||
	       sv_istarts(ct, "text/rtf");
}

/*
 * A multipart body (an INVITE carrying the first IM beside its SDP):
 * the text parts become the marker, the others are scrubbed.
 * @return 0, or -1 when there is no boundary (nothing appended)
 */
static int rewrite_multipart(struct pseudo *ps, struct sv ctype, struct sv b,
			     struct pseudo_buf *o, struct redact_stats *st)
{
	long bp = sv_ifind(ctype, "boundary=");
	if (bp < 0)
		return -1;
	struct sv bd = sv_make(ctype.p + bp + 9, ctype.n - (size_t)bp - 9);
	if (bd.n && bd.p[0] == '"') {
		sv_skip(&bd, 1);
		long q = sv_find_char(bd, '"');
		bd.n = q < 0 ? bd.n : (size_t)q;
	} else {
		size_t k = 0;
		while (k < bd.n && bd.p[k] != ';' && bd.p[k] != ' ')
			k++;
		bd.n = k;
	}
	if (!bd.n || bd.n > 200)
		return -1;
	char delim[208];
	snprintf(delim, sizeof delim, "--%.*s", (int)bd.n, bd.p);
	struct sv v = b, line = SV_NULL, pct = SV_NULL;
	int in_hdrs = 0, text = 0, dropped = 0;
	while (v.p && next_line(&v, &line)) {
		int last = !v.p;
		if (sv_starts(line, delim)) {
			pseudo_buf_add(o, line.p, line.n);
			in_hdrs = 1;
			text = 0;
			dropped = 0;
			pct = SV_NULL;
		} else if (in_hdrs) {
			if (sv_is_blank(line)) {
				in_hdrs = 0;
				text = im_type(pct);
			} else if (sv_istarts(line, "Content-Type:")) {
				pct = sv_trim(sv_make(line.p + 13,
						      line.n - 13));
			}
			st->secrets += pseudo_scrub(ps, line, 0, o);
		} else if (text) {
			/* one marker per text part; its lines go */
			if (!dropped) {
				pseudo_buf_adds(o, im_marker(pct));
				st->im_bodies++;
				dropped = 1;
			} else if (o->n && o->p[o->n - 1] == '\n') {
				o->n--;
			}
		} else {
			st->secrets += pseudo_scrub(ps, line, 0, o);
		}
		if (!last)
			pseudo_buf_addc(o, '\n');
	}
	return 0;
}

/* ---- one message -------------------------------------------------- */

long long redact_message(struct pseudo *ps, struct sv msg,
			 struct pseudo_buf *out, struct redact_stats *st)
{
	struct pseudo_buf hdr = { 0 }, body = { 0 };
	struct sv v = msg, line = SV_NULL, ctype = SV_NULL;
	size_t cl_pos = 0, cl_len = 0;
	long long cl = -1;
	int have_blank = 0;

	/* the start line: method of a request */
	next_line(&v, &line);
	struct sv start = line, method = SV_NULL;
	if (!sv_starts(start, "SIP/") && !sv_starts(start, "HTTP/")) {
		long sp = sv_find_char(start, ' ');
		method = sp > 0 ? sv_make(start.p, (size_t)sp) : SV_NULL;
	}
	st->secrets += pseudo_scrub(ps, start, 0, &hdr);
	struct sv hname = SV_NULL;
	while (v.p && next_line(&v, &line)) {
		pseudo_buf_addc(&hdr, '\n');
		if (sv_is_blank(line)) {
			pseudo_buf_add(&hdr, line.p, line.n);
			have_blank = 1;
			break;
		}
		struct sv val;
		if ((line.p[0] == ' ' || line.p[0] == '\t') && hname.n) {
			val = line;     /* folded: the previous header */
			rewrite_header(ps, hname, val, &hdr, st);
			continue;
		}
		long colon = sv_find_char(line, ':');
		if (colon <= 0) {
			st->secrets += pseudo_scrub(ps, line, 0, &hdr);
			continue;
		}
		hname = sv_trim(sv_make(line.p, (size_t)colon));
		val = sv_make(line.p + colon + 1, line.n - (size_t)colon - 1);
		pseudo_buf_add(&hdr, line.p, (size_t)colon + 1);
		if (sv_ieq_cstr(hname, "Content-Length") ||
		    sv_ieq_cstr(hname, "l")) {
			struct sv t = sv_trim(val);
			uint64_t x;
			size_t lead = (size_t)(t.p - val.p);
			pseudo_buf_add(&hdr, val.p, val.n);
			if (t.n && sv_to_u64(t, &x) && x < (1ull << 40)) {
				cl = (long long)x;
				cl_pos = hdr.n - val.n + lead;
				cl_len = t.n;
			}
			continue;
		}
		if (sv_ieq_cstr(hname, "Content-Type") ||
		    sv_ieq_cstr(hname, "c"))
			ctype = sv_trim(val);
		rewrite_header(ps, hname, val, &hdr, st);
	}

	/* the body: what follows the blank line, trailing line ends apart */
	struct sv b = have_blank && v.p ? v : SV_NULL;
	if (have_blank && v.p)
		pseudo_buf_addc(&hdr, '\n');
	struct sv core = b;
	while (core.n && (core.p[core.n - 1] == '\n' ||
			  core.p[core.n - 1] == '\r'))
		core.n--;
	int im = core.n && method.n &&
		 (sv_ieq_cstr(method, "MESSAGE") ||
		  (sv_ieq_cstr(method, "INFO") && im_type(ctype)));
	if (im) {
		pseudo_buf_adds(&body, im_marker(ctype));
		st->im_bodies++;
	} else if (core.n && sv_istarts(ctype, "multipart/") &&
		   rewrite_multipart(ps, ctype, core, &body, st) == 0) {
		/* done */
	} else if (core.n) {
		rewrite_body(ps, core, &body, st);
	}
	if (b.n > core.n)
		pseudo_buf_add(&body, core.p + core.n, b.n - core.n);

	long long dbody = wire_len(sv_make(body.p, body.n)) - wire_len(b);
	size_t start_n = out->n;
	if (dbody && cl >= 0) {
		long long ncl = cl + dbody;
		if (ncl < 0)
			ncl = 0;
		pseudo_buf_add(out, hdr.p, cl_pos);
		pseudo_buf_addu(out, (unsigned long long)ncl);
		pseudo_buf_add(out, hdr.p + cl_pos + cl_len,
			       hdr.n - cl_pos - cl_len);
		st->lengths++;
	} else {
		pseudo_buf_add(out, hdr.p, hdr.n);
	}
	pseudo_buf_add(out, body.p, body.n);
	free(hdr.p);
	free(body.p);
	return wire_len(sv_make(out->p + start_n, out->n - start_n)) -
	       wire_len(msg);
}

/* ---- lines and blocks --------------------------------------------- */

static int emit(struct redact *r, const char *p, size_t n)
{
	return r->sink.write ? r->sink.write(r->sink.ud, p, n) : 0;
}

static void warn(struct redact *r, unsigned long line, const char *msg)
{
	if (r->sink.warn)
		r->sink.warn(r->sink.ud, line, msg);
}

/* Length of the client-log prefix ("... LEVEL :: "), 0 if none. */
static size_t ucc_prefix(struct sv line)
{
	if (!fmt_ucc_sniff(line))
		return 0;
	long k = sv_find(line, " :: ");
	if (k >= 0)
		return (size_t)k + 4;
	k = sv_find(line, " ::");
	return k >= 0 ? (size_t)k + 3 : 0;
}

/* A CLS record header: bracket names mapped, time and component kept. */
static void scrub_cls_header(struct redact *r, struct sv line,
			     struct pseudo_buf *o)
{
	long lb = sv_find_char(line, '[');
	long rb = sv_find_char(line, ']');
	if (lb < 0 || rb < lb) {
		r->st.secrets += pseudo_scrub(r->ps, line, 0, o);
		return;
	}
	pseudo_buf_add(o, line.p, (size_t)lb + 1);
	struct sv br = sv_make(line.p + lb + 1, (size_t)(rb - lb - 1));
	while (br.n) {
		struct sv part;
		sv_split(&br, '\\', &part);
		uint64_t x;
		if (!part.n || sv_to_u64(part, &x))
			pseudo_buf_add(o, part.p, part.n);
		else
			pseudo_buf_adds(o, pseudo_alias(r->ps, PSEUDO_LABEL,
							part));
		if (part.p + part.n < line.p + rb)
			pseudo_buf_addc(o, '\\');
	}
	/* time and (Component,Class::Method:File.cpp(N)) verbatim */
	size_t i = (size_t)rb, end = i;
	long op = sv_find(sv_make(line.p + i, line.n - i), " (");
	if (op >= 0) {
		int depth = 0;
		size_t k = i + (size_t)op + 1;
		for (; k < line.n; k++) {
			if (line.p[k] == '(')
				depth++;
			else if (line.p[k] == ')' && --depth == 0)
				break;
		}
		end = k < line.n ? k + 1 : i;
	}
	pseudo_buf_add(o, line.p + i, end - i);
	r->st.secrets += pseudo_scrub(r->ps, sv_make(line.p + end,
						     line.n - end), 0, o);
}

/* Scrub one line outside a message (or of an overflowed block). */
static void scrub_line(struct redact *r, struct sv line,
		       struct pseudo_buf *o)
{
	size_t pre = ucc_prefix(line);
	if (pre) {
		pseudo_buf_add(o, line.p, pre);
		r->st.secrets += pseudo_scrub(r->ps, sv_make(line.p + pre,
			line.n - pre), 0, o);
	} else if (fmt_cls_sniff(line)) {
		scrub_cls_header(r, line, o);
	} else if (sv_istarts(line, "SIP-Call-ID:")) {
		pseudo_buf_add(o, line.p, 12);
		r->st.secrets += pseudo_scrub(r->ps, sv_make(line.p + 12,
			line.n - 12), PSEUDO_NO_BLOBS, o);
	} else {
		r->st.secrets += pseudo_scrub(r->ps, line, 0, o);
	}
	pseudo_buf_addc(o, '\n');
}

/* Move the "N bytes" count of a framing line (already scrubbed in o,
 * from offset `at`) by delta. */
static void fix_count(struct pseudo_buf *o, size_t at, long long delta,
		      struct redact_stats *st)
{
	if (!delta)
		return;
	struct sv t = sv_make(o->p + at, o->n - at);
	long pos = -1, k;
	size_t off = 0;
	while ((k = sv_find(sv_make(t.p + off, t.n - off), " bytes")) >= 0) {
		pos = (long)off + k;
		off += (size_t)k + 1;
	}
	if (pos <= 0)
		return;
	size_t e = (size_t)pos, s = e;
	while (s > 0 && sv_is_digit(t.p[s - 1]))
		s--;
	uint64_t x;
	if (s == e || !sv_to_u64(sv_make(t.p + s, e - s), &x))
		return;
	long long nx = (long long)x + delta;
	if (nx < 0)
		nx = 0;
	size_t tn = t.n - e;
	struct pseudo_buf rest = { 0 };
	pseudo_buf_add(&rest, t.p + e, tn);
	o->n = at + s;
	pseudo_buf_addu(o, (unsigned long long)nx);
	pseudo_buf_add(o, rest.p, rest.n);
	free(rest.p);
	st->lengths++;
}

/* A client-log block: framing line, start line, message, End line. */
static void flush_ucc(struct redact *r, int has_end)
{
	struct pseudo_buf *o = &r->out;
	struct sv v = sv_make(r->buf.p, r->buf.n), l0 = SV_NULL, l1 = SV_NULL;
	next_line(&v, &l0);
	size_t pre1 = 0;
	if (r->nlines >= 2 + (size_t)has_end) {
		l1 = sv_make(v.p, v.n);
		long nl = sv_find_char(l1, '\n');
		if (nl >= 0)
			l1.n = (size_t)nl;
		pre1 = ucc_prefix(l1);
	}
	if (!l1.p) {    /* no message: every line as it is */
		struct sv all = sv_make(r->buf.p, r->buf.n), ln = SV_NULL;
		while (all.p && next_line(&all, &ln))
			scrub_line(r, ln, o);
		return;
	}
	struct sv rest = v, endl = SV_NULL;
	if (has_end) {
		/* the End line is the last one */
		size_t k = rest.n;
		while (k > 0 && rest.p[k - 1] != '\n')
			k--;
		endl = sv_make(rest.p + k, rest.n - k);
		rest.n = k ? k - 1 : 0;
	}
	struct sv msg = sv_make(rest.p + pre1, rest.n - pre1);
	struct pseudo_buf m = { 0 };
	long long delta = redact_message(r->ps, msg, &m, &r->st);
	r->st.blocks++;

	size_t at = o->n;
	scrub_line(r, l0, o);
	o->n--;                 /* the '\n' goes after the fix-up */
	fix_count(o, at, delta, &r->st);
	pseudo_buf_addc(o, '\n');
	pseudo_buf_add(o, l1.p, pre1);
	pseudo_buf_add(o, m.p, m.n);
	pseudo_buf_addc(o, '\n');
	free(m.p);
	if (has_end) {
		at = o->n;
		scrub_line(r, endl, o);
		o->n--;
		fix_count(o, at, delta, &r->st);
		pseudo_buf_addc(o, '\n');
	}
}

/*
 * A CLS record: header, "Key: value" lines, then (protocol records)
 * Start-Line:, the SIP/HTTP headers and Message-Body: up to the end.
 */
static void flush_cls(struct redact *r)
{
	struct pseudo_buf *o = &r->out;
	struct sv v = sv_make(r->buf.p, r->buf.n), ln = SV_NULL;
	struct sv start = SV_NULL;
	while (v.p && next_line(&v, &ln)) {
		if (sv_starts(ln, "Start-Line:")) {
			start = ln;
			break;
		}
		scrub_line(r, ln, o);
	}
	if (!start.p)
		return;
	/* headers up to Message-Body:, then the body to $$end_record */
	struct sv hdrs = sv_make(v.p, 0), body = SV_NULL, endl = SV_NULL;
	struct sv w = v;
	int bad = 0;
	while (w.p && next_line(&w, &ln)) {
		if (sv_starts(ln, "Message-Body:")) {
			body = sv_make(ln.p, w.p ? (size_t)(w.p - ln.p) + w.n
						 : ln.n);
			break;
		}
		if (sv_is_blank(ln) || sv_starts(ln, "$$end_record"))
			bad = 1;
		hdrs.n = (size_t)(ln.p + ln.n - hdrs.p);
	}
	if (body.p) {
		/* the end line goes apart */
		size_t k = body.n;
		while (k > 0 && body.p[k - 1] != '\n')
			k--;
		struct sv last = sv_make(body.p + k, body.n - k);
		if (k && sv_starts(last, "$$end_record")) {
			endl = last;
			body.n = k - 1;
		}
	}
	if (bad || !body.p) {
		scrub_line(r, start, o);
		struct sv all = v;
		while (all.p && next_line(&all, &ln))
			scrub_line(r, ln, o);
		return;
	}
	/* Message-Body: <first line of the body> */
	size_t kp = 13;
	while (kp < body.n && body.p[kp] == ' ')
		kp++;
	struct sv btext = sv_make(body.p + kp, body.n - kp);
	int dash = btext.n == 1 && btext.p[0] == '-';
	size_t sp = 11;
	while (sp < start.n && start.p[sp] == ' ')
		sp++;
	struct pseudo_buf in = { 0 }, m = { 0 };
	pseudo_buf_add(&in, start.p + sp, start.n - sp);
	if (hdrs.n) {
		pseudo_buf_addc(&in, '\n');
		pseudo_buf_add(&in, hdrs.p, hdrs.n);
	}
	pseudo_buf_add(&in, "\n\n", 2);
	if (!dash)
		pseudo_buf_add(&in, btext.p, btext.n);
	redact_message(r->ps, sv_make(in.p, in.n), &m, &r->st);
	r->st.blocks++;
	/* split the rewrite back: start, headers, blank, body */
	struct sv mv = sv_make(m.p, m.n), ml = SV_NULL;
	next_line(&mv, &ml);
	pseudo_buf_add(o, start.p, sp);
	pseudo_buf_add(o, ml.p, ml.n);
	pseudo_buf_addc(o, '\n');
	while (mv.p && next_line(&mv, &ml) && ml.n) {
		pseudo_buf_add(o, ml.p, ml.n);
		pseudo_buf_addc(o, '\n');
	}
	pseudo_buf_add(o, body.p, kp);
	if (dash || !mv.p || !mv.n)
		pseudo_buf_adds(o, dash ? "-" : "");
	else
		pseudo_buf_add(o, mv.p, mv.n);
	pseudo_buf_addc(o, '\n');
	if (endl.p) {
		pseudo_buf_add(o, endl.p, endl.n);
		pseudo_buf_addc(o, '\n');
	}
	free(in.p);
	free(m.p);
}

static int out_flush(struct redact *r)
{
	int rc = emit(r, r->out.p, r->out.n);
	r->out.n = 0;
	return rc;
}

static int flush_block(struct redact *r, int complete)
{
	if (r->blk == BLK_NONE)
		return 0;
	if (!r->passthru) {
		if (r->blk == BLK_UCC)
			flush_ucc(r, complete);
		else
			flush_cls(r);
	}
	r->blk = BLK_NONE;
	r->passthru = 0;
	r->buf.n = 0;
	r->nlines = 0;
	return out_flush(r);
}

static void hold(struct redact *r, struct sv line)
{
	if (r->passthru) {
		scrub_line(r, line, &r->out);
		r->nlines++;
		return;
	}
	if (r->nlines)
		pseudo_buf_addc(&r->buf, '\n');
	pseudo_buf_add(&r->buf, line.p, line.n);
	r->nlines++;
	if (r->buf.n > r->max_msg) {
		/* too big to hold: the lines so far, then line by line */
		char msg[128];
		snprintf(msg, sizeof msg, "block over %zu bytes: written "
			 "without a length fix-up", r->max_msg);
		warn(r, r->first, msg);
		r->st.oversize++;
		struct sv all = sv_make(r->buf.p, r->buf.n), ln = SV_NULL;
		while (all.p && next_line(&all, &ln))
			scrub_line(r, ln, &r->out);
		r->buf.n = 0;
		r->passthru = 1;
	}
}

static void open_block(struct redact *r, enum blk b, struct sv line,
		       unsigned long lineno)
{
	r->blk = b;
	r->first = lineno;
	r->nlines = 0;
	r->buf.n = 0;
	hold(r, line);
}

int redact_feed(struct redact *r, struct sv line, unsigned long lineno)
{
	r->st.lines++;
	size_t pre = ucc_prefix(line);
	struct sv text = sv_make(line.p + pre, line.n - pre);
	if (r->blk == BLK_UCC) {
		if (!pre) {
			hold(r, line);
			return r->passthru ? out_flush(r) : 0;
		}
		if (sv_starts(text, "End of ")) {
			hold(r, line);
			return flush_block(r, 1);
		}
		if (r->nlines == 1) {
			hold(r, line);  /* the start line */
			return r->passthru ? out_flush(r) : 0;
		}
		warn(r, r->first, "block cut short: no 'End of' line");
		int rc = flush_block(r, 0);
		if (rc)
			return rc;
	} else if (r->blk == BLK_CLS) {
		if (sv_starts(line, "$$end_record")) {
			hold(r, line);
			return flush_block(r, 1);
		}
		if (!fmt_cls_sniff(line)) {
			hold(r, line);
			return r->passthru ? out_flush(r) : 0;
		}
		warn(r, r->first, "record cut short: no $$end_record");
		int rc = flush_block(r, 0);
		if (rc)
			return rc;
	}
	if (pre && (sv_starts(text, "Sending Packet") ||
		    sv_starts(text, "Data Received"))) {
		open_block(r, BLK_UCC, line, lineno);
		return r->passthru ? out_flush(r) : 0;
	}
	if (!pre && fmt_cls_sniff(line) &&
	    sv_find(line, "$$begin_record") >= 0) {
		open_block(r, BLK_CLS, line, lineno);
		return r->passthru ? out_flush(r) : 0;
	}
	scrub_line(r, line, &r->out);
	return out_flush(r);
}

void redact_skipped(struct redact *r, unsigned long lineno, size_t len)
{
	char msg[128];
	snprintf(msg, sizeof msg, "line of %zu bytes over the line limit "
		 "dropped", len);
	warn(r, lineno, msg);
	r->st.dropped++;
}

int redact_finish(struct redact *r)
{
	if (r->blk != BLK_NONE && !r->passthru)
		warn(r, r->first, r->blk == BLK_UCC
		     ? "block cut short: no 'End of' line"
		     : "record cut short: no $$end_record");
	return flush_block(r, 0);
}

struct redact *redact_new(struct pseudo *ps, const struct redact_sink *s,
			  size_t max_msg)
{
	struct redact *r = sfb_xcalloc(1, sizeof *r);
	r->ps = ps;
	if (s)
		r->sink = *s;
	r->max_msg = max_msg ? max_msg : SFB_MAX_MSG;
	return r;
}

const struct redact_stats *redact_stats(const struct redact *r)
{
	return &r->st;
}

void redact_free(struct redact *r)
{
	if (!r)
		return;
	free(r->buf.p);
	free(r->out.p);
	free(r);
}

int redact_file(struct pseudo *ps, const char *path, size_t max_line,
		size_t max_msg, const struct redact_sink *s,
		struct redact_stats *st, struct sfb_err *err)
{
	struct lr *in = lr_open(path, max_line, err);
	if (!in)
		return -1;
	struct redact *r = redact_new(ps, s, max_msg);
	struct sv line;
	unsigned long lineno;
	int rc = 0, lrc;
	while ((lrc = lr_next(in, &line, &lineno, err)) != LR_EOF) {
		if (lrc == LR_ERR) {
			rc = -1;
			break;
		}
		if (lrc == LR_LONG) {
			redact_skipped(r, lineno, line.n);
			continue;
		}
		if (redact_feed(r, line, lineno)) {
			rc = 1;
			break;
		}
	}
	if (rc == 0 && redact_finish(r))
		rc = 1;
	else if (rc == -1)
		(void)redact_finish(r);
	if (st)
		*st = r->st;
	redact_free(r);
	lr_close(in);
	return rc;
}
