/* SPDX-License-Identifier: MIT */
/*
 * redact.h -- `sfblog redact`: a copy of a client log (.UccApilog) or a
 * CLS / OCSLogger text trace that is safe to share.  It sits on the line
 * reader (lr) beside the format parsers: lines in, lines out, one framed
 * block at a time, so memory is bounded by one message (max_msg) plus
 * the alias table (pseudo.h), whatever the size of the file.
 *
 * What changes (man/sfblog.1, section REDACT, says it for users):
 *  - every piece of text goes through pseudo_scrub() (users, domains,
 *    hosts, addresses, phone numbers, display names, base64 secrets);
 *  - in SIP/HTTP messages, the values of the authentication headers
 *    that carry material (gssapi-data, opaque, response, rspauth, crand,
 *    srand, nonce, cnonce, token68 blobs) are replaced by REDACTED, the
 *    scheme and parameter names stay; Cookie / Set-Cookie values,
 *    X-MS-WebTicket and any header named like a token, ticket, password
 *    or secret lose their values; ms-body= of Ms-Text-Format too;
 *  - XML elements that hold tokens (saml Assertion, UserToken,
 *    BinarySecret, BinarySecurityToken, X509Certificate, ...) are
 *    emptied to REDACTED; IM bodies (MESSAGE requests; INFO requests
 *    with a text/ body; text/ parts of a multipart body, e.g. the first
 *    IM of an INVITE) become a one-line marker;
 *  - a changed body gets its Content-Length moved by the same number of
 *    bytes; a client-log block its "N bytes" counts (both lines).
 *    Line ends count as CRLF, as on the wire.  CLS text records have no
 *    length of their own.
 * Output: UTF-8 text with LF line ends (the input may be gzip, UTF-16
 * or CRLF).  Log time, thread ids, Call-IDs, tags, branches, epids and
 * GUIDs are kept.  Lines longer than the line limit cannot be read and
 * are dropped with a warning; a block over max_msg is written line by
 * line (still scrubbed) with its counts unchanged, and a warning.
 *
 * The library never prints: the copy goes to sink->write, warnings to
 * sink->warn.  Ownership: struct redact borrows the struct pseudo (one
 * per run, shared by every file of the run) and owns its block buffer.
 */
#ifndef SFB_REDACT_H
#define SFB_REDACT_H

#include <stddef.h>

#include "pseudo.h"
#include "sfb.h"

struct redact_sink {
	/* @return 0, or non-zero to stop (a write error) */
	int (*write)(void *ud, const char *p, size_t n);
	/* a warning about input line `line` (lowercase, no final stop) */
	void (*warn)(void *ud, unsigned long line, const char *msg);
	void *ud;
};

struct redact_stats {
	unsigned long lines;       /* lines read */
	unsigned long blocks;      /* framed messages rewritten */
	unsigned long secrets;     /* values replaced by REDACTED */
	unsigned long im_bodies;   /* IM bodies dropped */
	unsigned long lengths;     /* Content-Lengths and counts adjusted */
	unsigned long dropped;     /* lines dropped (over the line limit) */
	unsigned long oversize;    /* blocks written without a fix-up */
};

struct redact;

/* @param max_msg bytes of one block held (0: SFB_MAX_MSG) */
struct redact *redact_new(struct pseudo *ps, const struct redact_sink *s,
			  size_t max_msg);
/*
 * One input line (without its line end).
 * @return 0, or the non-zero value of sink->write
 */
int redact_feed(struct redact *r, struct sv line, unsigned long lineno);
/* A line over the limit was skipped by the reader: warn, count. */
void redact_skipped(struct redact *r, unsigned long lineno, size_t len);
/* Flush an open block at end of input.  @return as redact_feed */
int redact_finish(struct redact *r);
const struct redact_stats *redact_stats(const struct redact *r);
void redact_free(struct redact *r);

/*
 * Read path with the line reader and redact it to the sink (one file;
 * a new struct redact each call, the table ps shared).
 * @return 0, 1 when sink->write failed, -1 on a read error (err filled)
 */
int redact_file(struct pseudo *ps, const char *path, size_t max_line,
		size_t max_msg, const struct redact_sink *s,
		struct redact_stats *st, struct sfb_err *err);

/*
 * Rewrite one SIP/HTTP message (start line, headers, blank line, body;
 * lines joined with '\n') into out.  Exposed for the unit tests.
 * @return the change in wire length (line ends counted as CRLF)
 */
long long redact_message(struct pseudo *ps, struct sv msg,
			 struct pseudo_buf *out, struct redact_stats *st);

#endif
