/* SPDX-License-Identifier: MIT */
/*
 * msg.c -- the message model (see msg.h): one SIP or HTTP message
 * copied out of a log record, third stage of the pipeline between the
 * format parsers (REC_MSG records) and transactions / reporters.
 * sip_parse() (parsers/sip.c) fills the parsed fields; this file owns
 * the storage, the reset between messages and the lookups.
 *
 * Ownership: a struct msg owns buf and its arrays; msg_set() keeps
 * every allocation and only grows it, so a warm message is reused with
 * no allocation at all.  Every view in it points into its text (buf,
 * or the record's with msg_view) or the fold scratch, and dies at the
 * next msg_set() / msg_free() (or with the record it views).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "sv.h"

/*
 * SIP compact header forms (RFC 3261 7.3.3 and the registry), so that a
 * lookup by the long name also finds a header logged in compact form.
 */
static const struct {
	char c;
	const char *name;
} compact[] = {
	{ 'i', "Call-ID" }, { 'f', "From" }, { 't', "To" },
	{ 'v', "Via" }, { 'm', "Contact" }, { 'l', "Content-Length" },
	{ 'c', "Content-Type" }, { 'e', "Content-Encoding" },
	{ 'k', "Supported" }, { 's', "Subject" }, { 'o', "Event" },
	{ 'u', "Allow-Events" }, { 'r', "Refer-To" }, { 'b', "Referred-By" },
	{ 'x', "Session-Expires" }, { 'a', "Accept-Contact" },
	{ 'j', "Reject-Contact" }, { 'd', "Request-Disposition" },
};

/*
 * Reset everything sip_parse() fills and the per-message counts; the
 * allocations stay.  The parsed block of struct msg runs from proto to
 * body, so one memset clears it (views become {NULL, 0}).
 */
void msg_reset_parsed(struct msg *m)
{
	m->parsed = 0;
	m->nhdrs = 0;
	m->ndiags = 0;
	m->nauths = 0;
	m->nparams = 0;
	m->fold_len = 0;
	memset(&m->proto, 0, (size_t)((char *)(&m->body + 1) -
				      (char *)&m->proto));
	m->expires = -1;
	m->content_length = -1;
}

void msg_init(struct msg *m)
{
	memset(m, 0, sizeof *m);
	m->ts = SFB_TIME_NONE;
	m->declared_len = -1;
	msg_reset_parsed(m);
}

/* Copy p[0..n) into buf, NUL-terminated (for debuggers only). */
static void copy_text(struct msg *m, const char *p, size_t n)
{
	if (n + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 1024;
		while (cap < n + 1)
			cap *= 2;
		m->buf = sfb_xrealloc(m->buf, cap);
		m->cap = cap;
	}
	if (n)
		memcpy(m->buf, p, n);
	m->buf[n] = '\0';
	m->text = m->buf;
	m->len = n;
}

/* Copy a view into a fixed char array, cut to fit, NUL-terminated. */
static void copy_fixed(char *dst, size_t dstsz, struct sv v)
{
	size_t n = v.n < dstsz - 1 ? v.n : dstsz - 1;
	if (n)
		memcpy(dst, v.p, n);
	dst[n] = '\0';
}

/* The record's context (all but the text) into m, parsed fields reset. */
static void set_context(struct msg *m, const struct fmt_rec *rec,
			const char *file)
{
	msg_reset_parsed(m);
	m->file = file;
	m->line_first = rec->line_first;
	m->line_last = rec->line_last;
	m->ts = rec->ts;
	m->dir = rec->dir;
	copy_fixed(m->local, sizeof m->local, rec->local);
	copy_fixed(m->remote, sizeof m->remote, rec->remote);
	copy_fixed(m->server, sizeof m->server, rec->server);
	m->server_trace = rec->flag.n > 0;
	m->declared_len = rec->declared_len;
	m->flags = rec->truncated ? MSG_F_TRUNCATED : 0;
}

void msg_set(struct msg *m, const struct fmt_rec *rec, const char *file)
{
	copy_text(m, rec->text.p, rec->text.n);
	set_context(m, rec, file);
}

void msg_view(struct msg *m, const struct fmt_rec *rec, const char *file)
{
	/* sip_parse takes a NULL text for "never set" */
	m->text = rec->text.p ? rec->text.p : "";
	m->len = rec->text.n;
	set_context(m, rec, file);
}

void msg_set_bytes(struct msg *m, const char *p, size_t n)
{
	copy_text(m, p, n);
	msg_reset_parsed(m);
	m->file = NULL;
	m->line_first = 0;
	m->line_last = 0;
	m->ts = SFB_TIME_NONE;
	m->dir = DIR_UNKNOWN;
	m->local[0] = '\0';
	m->remote[0] = '\0';
	m->server[0] = '\0';
	m->server_trace = 0;
	m->declared_len = -1;
	m->flags = 0;
}

void msg_free(struct msg *m)
{
	if (!m)
		return;
	free(m->buf);
	free(m->hdrs);
	free(m->diags);
	free(m->auths);
	free(m->params);
	free(m->fold);
	msg_init(m);
}

/* @return the compact letter of a long header name, or 0. */
static char compact_of(struct sv name)
{
	for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++)
		if (sv_ieq_cstr(name, compact[i].name))
			return compact[i].c;
	return 0;
}

/* @return the long name of a compact letter, or NULL. */
static const char *long_of(char c)
{
	c = (char)sv_lower((unsigned char)c);
	for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++)
		if (compact[i].c == c)
			return compact[i].name;
	return NULL;
}

/*
 * Compact forms exist only in SIP: in HTTP a header named "l" is just
 * "l", so the alias is used unless the message is known to be HTTP.
 */
const struct msg_hdr *msg_hdr_get(const struct msg *m, const char *name)
{
	struct sv want = sv_cstr(name);
	char c = 0;
	const char *alias = NULL;
	if (m->proto != MSG_HTTP) {
		if (want.n == 1)
			alias = long_of(want.p[0]);
		else
			c = compact_of(want);
	}
	for (size_t i = 0; i < m->nhdrs; i++) {
		struct sv n = m->hdrs[i].name;
		if (sv_ieq(n, want))
			return &m->hdrs[i];
		if (c && n.n == 1 && sv_lower((unsigned char)n.p[0]) == c)
			return &m->hdrs[i];
		if (alias && sv_ieq_cstr(n, alias))
			return &m->hdrs[i];
	}
	return NULL;
}

const struct sv *msg_param_get(const struct msg_param *params, size_t n,
			       const char *name)
{
	struct sv want = sv_cstr(name);
	for (size_t i = 0; i < n; i++)
		if (sv_ieq(params[i].name, want))
			return &params[i].value;
	return NULL;
}

const char *msg_label(const struct msg *m, char *out, size_t outsz)
{
	if (!outsz)
		return out;
	if (m->kind == MSG_REQUEST && m->method.n) {
		/* clamp first: the %.*s precision is an int */
		size_t n = m->method.n < outsz ? m->method.n : outsz;
		snprintf(out, outsz, "%.*s", (int)n, m->method.p);
	} else if (m->kind == MSG_RESPONSE) {
		snprintf(out, outsz, "%d", m->status);
	} else {
		snprintf(out, outsz, "?");
	}
	return out;
}

int msg_problem_next(const struct msg *m, unsigned *it, unsigned *flag,
		     char *out, size_t outsz)
{
	static const unsigned kinds[] = { MSG_F_BAD_START, MSG_F_BAD_HEADER,
					  MSG_F_CL_MISMATCH,
					  MSG_F_CL_INVALID, MSG_F_LIMIT };
	unsigned f = 0;
	if (!(m->flags & (MSG_F_MALFORMED | MSG_F_LIMIT)))
		return 0;       /* most messages: nothing to say */
	while (*it < sizeof kinds / sizeof kinds[0] && !f) {
		f = kinds[(*it)++];
		if (!(m->flags & f) ||
		    (f != MSG_F_BAD_START && (m->flags & MSG_F_BAD_START)))
			f = 0;
	}
	if (!f)
		return 0;
	if (flag)
		*flag = f;
	if (f == MSG_F_BAD_START) {
		snprintf(out, outsz, "framed block is not a SIP or HTTP "
			 "message");
	} else if (f == MSG_F_BAD_HEADER) {
		snprintf(out, outsz, "header line without a colon skipped");
	} else if (f == MSG_F_LIMIT) {
		snprintf(out, outsz, "more than %zu header lines: the rest "
			 "skipped", m->nhdrs);
	} else if (f == MSG_F_CL_MISMATCH) {
		snprintf(out, outsz, "Content-Length %lld does not match the "
			 "%zu-byte body", (long long)m->content_length,
			 m->body.n);
	} else {
		const struct msg_hdr *h = msg_hdr_get(m, "Content-Length");
		struct sv v = h ? h->value : SV_NULL;
		snprintf(out, outsz, "invalid Content-Length '%.*s'",
			 (int)(v.n > 40 ? 40 : v.n), v.p ? v.p : "");
	}
	return 1;
}
