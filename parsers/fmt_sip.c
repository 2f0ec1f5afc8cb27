/* SPDX-License-Identifier: MIT */
/*
 * fmt_sip.c -- the raw SIP/HTTP text format parser (`--format sip`),
 * second stage of the pipeline: physical lines in (from lr, through
 * fmt.c), records out.  It reads what people paste into tickets, mails
 * and articles: SIP and HTTP messages without any log framing (a
 * Snooper copy, the SIP part of a client log, a message quoted in a
 * support article), and the client's sign-in step trees
 * ("1.3.1 GetAndPublishCert: FAIL (hr = 0x1)").
 *
 * Records: REC_MSG for each message (start line, headers, blank line,
 * body: the text rebuilt as a log would have it), REC_ENTRY for every
 * other run of text (a step-tree line with the lines under it, or a
 * line with its indented continuation lines), REC_WARN for what was
 * repaired.  Such text carries no times and no directions: every record
 * has ts SFB_TIME_NONE and dir DIR_UNKNOWN, never invented ones.
 *
 * Decisions where pasted text leaves room (each has a unit test):
 * - a message starts at a SIP/HTTP start line (leading blanks allowed)
 *   and ends at the next start line, at the blank line after its
 *   headers when it has no body (Content-Length 0 or absent and no
 *   body-looking line follows), or when its body reached Content-Length;
 * - headers indented under the start line (one to four blanks, as some
 *   articles quote them) are headers; deeper lines are folded values;
 * - a start or header line holding further "Name: " of known headers
 *   outside quotes and <> ("CSeq: 1 INVITE Via: SIP/2.0/TLS ...",
 *   "SIP/2.0 504 Server time-out Authentication-Info: ...") is split
 *   there, with a warning naming the line; a "Content-Length: N <xml"
 *   run together with its body is split before the body;
 * - a line inside the headers that is no header either starts the body
 *   ('<', '{' or "- <": warning, no blank line before the body) or is
 *   joined to the previous header (warning: a value wrapped by a paste);
 * - a step-tree line ("N[.N]* Name: WORD", optionally after a "- "
 *   list marker) starts an entry, and the non-blank lines under it up
 *   to the next step line, start line or blank line belong to it, so
 *   its AsyncHResult / TargetUri / Error lines reach the pattern table
 *   with it; any other text line starts an entry that takes the
 *   indented lines after it;
 * - a record never ends in blank lines; a record comes before the
 *   REC_WARNs about it.
 *
 * Ownership: the record's physical lines are copied into one reused
 * buffer (raw) and a message's rebuilt text into a second (txt); the
 * views in an emitted record point into them and live only during the
 * on_rec call; the fed line is borrowed for the fmt_sip_feed call only.
 * Memory is bounded by lim->max_msg per buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "rec.h"
#include "sv.h"

#define SIP_MAX_INDENT 4     /* blanks of headers indented by a quote */
#define SIP_MAX_METHOD 32    /* longest request method accepted */
#define SIP_QWARN 8          /* warnings kept per record */

enum sip_state {
	ST_NONE = 0,  /* between records */
	ST_ENTRY,     /* a free-text entry */
	ST_HDRS,      /* a message's start line and headers */
	ST_AFTER,     /* blank line after headers, no Content-Length */
	ST_BODY       /* a message's body */
};

struct qwarn {
	unsigned long line;
	char text[120];
};

struct fmt_sip {
	struct fmt_sink sink;
	enum sip_state st;
	int step;                  /* the entry is a step-tree line */

	struct rec_buf raw;        /* the record's physical lines */
	struct rec_buf txt;        /* the rebuilt message */
	unsigned long first, last_keep;

	size_t indent;             /* blanks stripped from message lines */
	int got_hdr;               /* a header line was read */
	int64_t clen;              /* Content-Length, -1: none */
	uint64_t body_bytes;       /* body as on the wire (CRLF lines) */
	unsigned long body_lines;

	struct qwarn q[SIP_QWARN]; /* warnings about the open record */
	size_t nq;
	unsigned long qmore;
	char wbuf[160];
};

/* Header names a paste may have run together on one line. */
static const char *const known_hdrs[] = {
	"Via", "From", "To", "Call-ID", "CSeq", "Contact",
	"Content-Length", "Content-Type", "Content-Encoding",
	"Max-Forwards", "User-Agent", "Server", "Date", "Expires", "Event",
	"Accept", "Supported", "Require", "Proxy-Require", "Allow",
	"Allow-Events", "Record-Route", "Route", "Subscription-State",
	"Authentication-Info", "Proxy-Authentication-Info",
	"WWW-Authenticate", "Proxy-Authenticate", "Authorization",
	"Proxy-Authorization", "ms-diagnostics", "ms-diagnostics-public",
	"ms-client-diagnostics", "X-Ms-diagnostics", "ms-user-logon-data",
	"ms-telemetry-id", "ms-piggyback-cseq", "ms-edge-proxy-message-trust",
	"ms-endpoint-location-data", "ms-keep-alive", "Refer-To",
	"Referred-By", "Session-Expires", "Min-Expires", "Retry-After",
	"Warning", "Priority", "Host", "Connection", "Cache-Control",
	"Location", "Set-Cookie", "Cookie",
};

static int is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

static size_t lead_of(struct sv line)
{
	size_t i = 0;
	while (i < line.n && is_blank_char(line.p[i]))
		i++;
	return i;
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alpha(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

/* "SIP/2.0", "HTTP/1.1", "HTTP/2" at v, followed by the end or a blank */
static size_t version_len(struct sv v)
{
	size_t n;
	if (sv_istarts(v, "SIP/2.0"))
		n = 7;
	else if (sv_istarts(v, "HTTP/1.0") || sv_istarts(v, "HTTP/1.1"))
		n = 8;
	else if (sv_istarts(v, "HTTP/2"))
		n = 6;
	else
		return 0;
	return n == v.n || is_blank_char(v.p[n]) ? n : 0;
}

/*
 * @return 1 when t (leading blanks removed) starts with a SIP or HTTP
 * start line: "SIP/2.0 NNN ..." or "METHOD uri SIP/2.0" (what follows
 * the version is a run-together header, split later).
 */
static int is_start(struct sv t)
{
	size_t vl = version_len(t);
	if (vl) {
		struct sv r = t;
		sv_skip(&r, vl);
		sv_skip_ws(&r);
		return r.n >= 3 && sv_is_digit(r.p[0]) &&
		       sv_is_digit(r.p[1]) && sv_is_digit(r.p[2]) &&
		       (r.n == 3 || is_blank_char(r.p[3]));
	}
	size_t i = 0;
	while (i < t.n && i < SIP_MAX_METHOD &&
	       (is_upper(t.p[i]) || t.p[i] == '-' || t.p[i] == '_'))
		i++;
	if (i == 0 || i >= t.n || t.p[i] != ' ' || !is_upper(t.p[0]))
		return 0;
	i++;
	size_t u = i;
	while (i < t.n && !is_blank_char(t.p[i]))
		i++;
	if (i == u || i >= t.n)
		return 0;
	while (i < t.n && is_blank_char(t.p[i]))
		i++;
	return version_len(sv_make(t.p + i, t.n - i)) > 0;
}

/*
 * A sign-in step-tree line: "1.3.1 GetAndPublishCert: FAIL ...",
 * optionally after a "- " list marker (pastebin).  @return 1 if so
 */
static int is_step(struct sv t)
{
	if (t.n >= 2 && t.p[0] == '-' && t.p[1] == ' ')
		sv_skip(&t, 2);
	size_t i = 0;
	for (;;) {
		size_t d = i;
		while (i < t.n && sv_is_digit(t.p[i]) && i - d < 4)
			i++;
		if (i == d)
			return 0;
		if (i < t.n && t.p[i] == '.' && i + 1 < t.n &&
		    sv_is_digit(t.p[i + 1])) {
			i++;
			continue;
		}
		break;
	}
	if (i >= t.n || t.p[i] != ' ')
		return 0;
	while (i < t.n && t.p[i] == ' ')
		i++;
	if (i >= t.n || !is_alpha(t.p[i]))
		return 0;
	while (i < t.n && (is_alpha(t.p[i]) || sv_is_digit(t.p[i]) ||
			   t.p[i] == '-' || t.p[i] == '_' || t.p[i] == '.'))
		i++;
	if (i + 1 >= t.n || t.p[i] != ':' || t.p[i + 1] != ' ')
		return 0;
	i += 2;
	while (i < t.n && t.p[i] == ' ')
		i++;
	size_t w = i;
	while (i < t.n && is_upper(t.p[i]))
		i++;
	return i - w >= 2 && (i == t.n || !is_alpha(t.p[i]));
}

int fmt_sip_sniff(struct sv line)
{
	struct sv t = line;
	sv_skip(&t, lead_of(line));
	return is_start(t) || is_step(t);
}

/*
 * "Name:" with a token name (starting with a letter, so that an
 * "ip:port" wrapped onto a line of its own is no header) at the start
 * of v.  @return the name's length, or 0
 */
static size_t hdr_name_len(struct sv v)
{
	size_t i = 0;
	if (!v.n || !is_alpha(v.p[0]))
		return 0;
	while (i < v.n && (is_alpha(v.p[i]) || sv_is_digit(v.p[i]) ||
			   strchr("-_.!%*+`'~", v.p[i])))
		i++;
	return i < v.n && v.p[i] == ':' ? i : 0;
}

/* @return 1 if at p (in v) a known header name is followed by ':'. */
static int known_at(struct sv v, size_t at)
{
	struct sv r = sv_make(v.p + at, v.n - at);
	for (size_t k = 0; k < sizeof known_hdrs / sizeof *known_hdrs; k++) {
		size_t n = strlen(known_hdrs[k]);
		if (r.n > n && r.p[n] == ':' &&
		    (r.n == n + 1 || is_blank_char(r.p[n + 1])) &&
		    sv_istarts(r, known_hdrs[k]))
			return 1;
	}
	return 0;
}

/*
 * Where the next run-together header starts in v, scanning from
 * offset from (outside double quotes and <>, after a blank).
 * @return the offset, or v.n
 */
static size_t next_split(struct sv v, size_t from)
{
	int q = 0, angle = 0;
	for (size_t i = from ? from : 1; i < v.n; i++) {
		char c = v.p[i];
		if (c == '"')
			q = !q;
		else if (!q && c == '<')
			angle++;
		else if (!q && c == '>' && angle)
			angle--;
		else if (!q && !angle && is_alpha(c) &&
			 is_blank_char(v.p[i - 1]) && known_at(v, i))
			return i;
	}
	return v.n;
}

/* Append one physical line to raw. */
static void raw_line(struct fmt_sip *p, struct sv line, unsigned long ln)
{
	if (!sv_is_blank(line))
		p->last_keep = ln;
	rec_buf_line(&p->raw, line);
}

/* Append pre (may be empty) and line as one line of the message. */
static void txt_line(struct fmt_sip *p, const char *pre, struct sv line)
{
	rec_buf_line(&p->txt, sv_cstr(pre));
	rec_buf_put(&p->txt, line);
}

static void rec_reset(struct fmt_sip *p)
{
	p->st = ST_NONE;
	p->step = 0;
	rec_buf_reset(&p->raw);
	rec_buf_reset(&p->txt);
	p->indent = 0;
	p->got_hdr = 0;
	p->clen = -1;
	p->body_bytes = 0;
	p->body_lines = 0;
	p->nq = 0;
	p->qmore = 0;
}

/* Note a warning about the open record (emitted after it). */
static void qwarn(struct fmt_sip *p, unsigned long line, const char *what,
		  struct sv name)
{
	if (p->nq == SIP_QWARN) {
		p->qmore++;
		return;
	}
	struct qwarn *w = &p->q[p->nq++];
	w->line = line;
	int nn = name.n > 40 ? 40 : (int)name.n;
	if (name.n)
		snprintf(w->text, sizeof w->text, "%s '%.*s'", what, nn,
			 name.p);
	else
		snprintf(w->text, sizeof w->text, "%s", what);
}

static int emit_warn(struct fmt_sip *p, unsigned long first,
		     unsigned long last)
{
	return rec_warn(&p->sink, p->wbuf, first, last, SFB_TIME_NONE);
}

/* Emit the open record (if any), then its warnings, and reset. */
static int emit_rec(struct fmt_sip *p)
{
	if (p->st == ST_NONE)
		return 0;
	struct fmt_rec r;
	memset(&r, 0, sizeof r);
	int msg = p->st != ST_ENTRY;
	r.type = msg ? REC_MSG : REC_ENTRY;
	r.line_first = p->first;
	r.line_last = p->last_keep;
	r.ts = SFB_TIME_NONE;
	r.raw = rec_buf_text(&p->raw);
	r.text = msg ? rec_buf_text(&p->txt) : r.raw;
	r.dir = DIR_UNKNOWN;
	r.declared_len = -1;
	r.truncated = p->raw.over || p->txt.over;

	struct qwarn q[SIP_QWARN];
	size_t nq = p->nq;
	unsigned long more = p->qmore, first = p->first, last = p->last_keep;
	int over = r.truncated;
	memcpy(q, p->q, nq * sizeof q[0]);
	int rc = p->sink.on_rec(p->sink.ud, &r);
	rec_reset(p);
	for (size_t i = 0; i < nq && rc == 0; i++) {
		snprintf(p->wbuf, sizeof p->wbuf, "%s", q[i].text);
		rc = emit_warn(p, q[i].line, q[i].line);
	}
	if (rc == 0 && more) {
		snprintf(p->wbuf, sizeof p->wbuf, "%lu more repair%s in the "
			 "message at line %lu", more, more == 1 ? "" : "s",
			 first);
		rc = emit_warn(p, first, last);
	}
	if (rc == 0 && over) {
		snprintf(p->wbuf, sizeof p->wbuf, "%s at line %lu over the "
			 "size limit of %zu bytes: cut",
			 msg ? "message" : "entry", first, p->raw.max);
		rc = emit_warn(p, first, last);
	}
	return rc;
}

/* A line of a message's body (indent already stripped). */
static void body_add(struct fmt_sip *p, struct sv s)
{
	txt_line(p, "", s);
	p->body_bytes += (p->body_lines ? 2 : 0) + s.n;
	p->body_lines++;
}

/* The body is complete when it reached Content-Length. */
static int body_done(const struct fmt_sip *p)
{
	return p->clen >= 0 && p->body_bytes >= (uint64_t)p->clen;
}

/* Enter the body: the blank line that separates it from the headers. */
static void body_begin(struct fmt_sip *p)
{
	txt_line(p, "", SV_NULL);
	p->st = ST_BODY;
}

static int is_clen_name(struct sv name)
{
	return sv_ieq_cstr(name, "Content-Length") ||
	       sv_ieq_cstr(name, "l");
}

/*
 * One header (a piece of a line).  A Content-Length run together with
 * the body that follows it ("Content-Length: 83 <Fault>") is split
 * before the body.
 */
static void header_piece(struct fmt_sip *p, struct sv h, unsigned long ln)
{
	size_t nl = hdr_name_len(h);
	struct sv name = sv_make(h.p, nl), val = h;
	sv_skip(&val, nl + 1);
	val = sv_trim(val);
	if (!is_clen_name(name)) {
		txt_line(p, "", h);
		return;
	}
	size_t i = 0;
	while (i < val.n && !is_blank_char(val.p[i]))
		i++;
	struct sv num = sv_make(val.p, i), rest = val;
	sv_skip(&rest, i);
	rest = sv_trim(rest);
	uint64_t x;
	if (sv_to_u64(num, &x) && x <= INT64_MAX)
		p->clen = (int64_t)x;
	if (rest.n && (rest.p[0] == '<' || rest.p[0] == '{')) {
		txt_line(p, "", sv_make(h.p, (size_t)(num.p + num.n - h.p)));
		qwarn(p, ln, "body run together with its headers after",
		      name);
		body_begin(p);
		body_add(p, rest);
		return;
	}
	txt_line(p, "", h);
}

/*
 * @return 1 if h is a Content-Length run together with the body after
 * it ("Content-Length: 83 <Fault>"): nothing after it is split.
 */
static int clen_glued(struct sv h)
{
	size_t nl = hdr_name_len(h);
	if (!nl || !is_clen_name(sv_make(h.p, nl)))
		return 0;
	struct sv v = h;
	sv_skip(&v, nl + 1);
	sv_skip_ws(&v);
	while (v.n && !is_blank_char(v.p[0]))
		sv_skip(&v, 1);
	sv_skip_ws(&v);
	return v.n && (v.p[0] == '<' || v.p[0] == '{');
}

/*
 * A start or header line, split where a paste ran further headers
 * into it.  from: where to look for the first split (past the line's
 * own header name).
 */
static void split_line(struct fmt_sip *p, struct sv s, size_t from,
		       unsigned long ln, int start)
{
	size_t at = !start && clen_glued(s) ? s.n : next_split(s, from);
	if (at < s.n) {
		size_t nl = hdr_name_len(sv_make(s.p + at, s.n - at));
		qwarn(p, ln, "headers run together on one line: split "
		      "before", sv_make(s.p + at, nl));
	}
	struct sv piece = sv_trim(sv_make(s.p, at));
	if (start)
		txt_line(p, "", piece);
	else
		header_piece(p, piece, ln);
	while (at < s.n && p->st == ST_HDRS) {
		struct sv rest = sv_make(s.p + at, s.n - at);
		size_t nl = hdr_name_len(rest);
		size_t nx = clen_glued(rest) ? rest.n
					     : next_split(rest, nl + 1);
		header_piece(p, sv_trim(sv_make(rest.p, nx)), ln);
		at += nx;
	}
}

static void msg_begin(struct fmt_sip *p, struct sv line, unsigned long ln)
{
	size_t lead = lead_of(line);
	struct sv t = sv_make(line.p + lead, line.n - lead);
	p->st = ST_HDRS;
	p->first = ln;
	p->indent = lead;
	raw_line(p, line, ln);
	split_line(p, sv_trim(t), 0, ln, 1);
}

static void entry_begin(struct fmt_sip *p, struct sv line,
			unsigned long ln, int step)
{
	p->st = ST_ENTRY;
	p->step = step;
	p->first = ln;
	raw_line(p, line, ln);
}

/* @return line without up to p->indent leading blanks. */
static struct sv strip_indent(const struct fmt_sip *p, struct sv line)
{
	size_t i = 0;
	while (i < line.n && i < p->indent && is_blank_char(line.p[i]))
		i++;
	return sv_make(line.p + i, line.n - i);
}

static int looks_like_body(struct sv t)
{
	return t.n && (t.p[0] == '<' || t.p[0] == '{' ||
		       (t.n > 2 && t.p[0] == '-' && t.p[1] == ' ' &&
			t.p[2] == '<'));
}

/* A non-blank, non-start, non-step line inside the headers. */
static void hdr_line(struct fmt_sip *p, struct sv line, unsigned long ln)
{
	size_t lead = lead_of(line);
	if (!p->got_hdr && lead > p->indent &&
	    lead <= p->indent + SIP_MAX_INDENT)
		p->indent = lead;      /* headers indented under the start */
	p->got_hdr = 1;
	raw_line(p, line, ln);
	struct sv s = strip_indent(p, line);
	if (s.n && is_blank_char(s.p[0])) {
		txt_line(p, "", s);    /* a folded value */
		return;
	}
	s = sv_trim(s);
	size_t nl = hdr_name_len(s);
	if (nl) {
		split_line(p, s, nl + 1, ln, 0);
		return;
	}
	if (looks_like_body(s)) {
		qwarn(p, ln, "no blank line before the body", SV_NULL);
		body_begin(p);
		body_add(p, s);
		return;
	}
	qwarn(p, ln, "not a header: joined to the header before it",
	      SV_NULL);
	txt_line(p, " ", s);
}

int fmt_sip_feed(struct fmt_sip *p, struct sv line, unsigned long lineno)
{
	int rc;
	size_t lead = lead_of(line);
	struct sv t = sv_make(line.p + lead, line.n - lead);
	int blank = sv_is_blank(line);

	if (!blank && is_start(t)) {
		rc = emit_rec(p);
		if (rc)
			return rc;
		msg_begin(p, line, lineno);
		return 0;
	}
	if (!blank && is_step(t)) {
		rc = emit_rec(p);
		if (rc)
			return rc;
		entry_begin(p, line, lineno, 1);
		return 0;
	}
	switch (p->st) {
	case ST_NONE:
		if (!blank)
			entry_begin(p, line, lineno, 0);
		return 0;
	case ST_ENTRY:
		if (blank)
			return emit_rec(p);
		if (lead || p->step) {
			raw_line(p, line, lineno);
			return 0;
		}
		rc = emit_rec(p);
		if (rc)
			return rc;
		entry_begin(p, line, lineno, 0);
		return 0;
	case ST_HDRS:
		if (!blank) {
			hdr_line(p, line, lineno);
			if (p->st == ST_BODY && body_done(p))
				return emit_rec(p);
			return 0;
		}
		if (p->clen > 0) {
			raw_line(p, line, lineno);
			body_begin(p);
			return 0;
		}
		if (p->clen == 0)
			return emit_rec(p);
		raw_line(p, line, lineno);
		p->st = ST_AFTER;
		return 0;
	case ST_AFTER: {
		/* no Content-Length: a body only if it looks like one */
		struct sv s = strip_indent(p, line);
		if (blank)
			return emit_rec(p);
		if (!looks_like_body(sv_trim(s))) {
			rc = emit_rec(p);
			if (rc)
				return rc;
			return fmt_sip_feed(p, line, lineno);
		}
		raw_line(p, line, lineno);
		body_begin(p);
		body_add(p, s);
		return 0;
	}
	case ST_BODY:
		if (blank && (p->clen < 0 ||
			      p->body_bytes + 2 >= (uint64_t)p->clen))
			return emit_rec(p);
		raw_line(p, line, lineno);
		body_add(p, strip_indent(p, line));
		if (body_done(p))
			return emit_rec(p);
		return 0;
	}
	return 0;
}

int fmt_sip_finish(struct fmt_sip *p)
{
	return emit_rec(p);
}

struct fmt_sip *fmt_sip_new(const struct fmt_sink *sink,
			    const struct fmt_limits *lim)
{
	struct fmt_sip *p = sfb_xcalloc(1, sizeof *p);
	p->sink = *sink;
	size_t max = lim && lim->max_msg ? lim->max_msg : SFB_MAX_MSG;
	rec_buf_init(&p->raw, max);
	rec_buf_init(&p->txt, max);
	rec_reset(p);
	return p;
}

void fmt_sip_free(struct fmt_sip *p)
{
	if (!p)
		return;
	rec_buf_free(&p->raw);
	rec_buf_free(&p->txt);
	free(p);
}
