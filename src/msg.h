/* SPDX-License-Identifier: MIT */
/*
 * msg.h -- the message model: one SIP or HTTP message as read from a
 * log, with every header kept and the fields later stages key on
 * parsed out.  Third stage of the pipeline: format parsers hand over a
 * REC_MSG record, msg_set() copies its text once into the message, and
 * sip_parse() (parsers/sip.c) fills the fields; transactions (txn.c),
 * filters and reporters read them.
 *
 * Ownership: a struct msg owns one byte buffer (buf) and the arrays
 * below; every struct sv inside points into its text, so all of them
 * stay valid until the next msg_set() or msg_free() on that message.
 * The text is buf, a copy (msg_set), or the record's own text
 * (msg_view): then the views die with the record, too.  A struct msg
 * is reusable: msg_set() keeps the allocations and resets the fields,
 * so a stream of messages costs no allocation once warm.
 * Log context (file, lines, time, endpoints) is copied in by msg_set()
 * too.  Not shared between threads.
 */
#ifndef SFB_MSG_H
#define SFB_MSG_H

#include <stdint.h>

#include "sfb.h"
#include "parser.h"

struct xmlprov;

enum msg_proto { MSG_PROTO_UNKNOWN = 0, MSG_SIP, MSG_HTTP };
enum msg_kind { MSG_KIND_UNKNOWN = 0, MSG_REQUEST, MSG_RESPONSE };

/* Flags on struct msg: what was wrong with the message as logged. */
#define MSG_F_TRUNCATED   0x01u /* block cut short in the log */
#define MSG_F_BAD_START   0x02u /* start line not SIP/HTTP */
#define MSG_F_BAD_HEADER  0x04u /* a header line without a colon (kept out) */
#define MSG_F_CL_MISMATCH 0x08u /* Content-Length differs from body */
#define MSG_F_CL_INVALID  0x10u /* Content-Length negative / huge / junk */
#define MSG_F_NO_BLANK    0x20u /* no blank line after the headers */
#define MSG_F_LIMIT       0x40u /* more headers than kept */
/*
 * The flags that make a message malformed input: each is warned about
 * with file:line (msg_problem_next) by every command and counts for
 * --strict.  (Truncation is the log's own warning, not repeated here;
 * a missing blank line comes with a Content-Length mismatch.)  The
 * header limit is warned about too, but it is ours, not malformed.
 */
#define MSG_F_MALFORMED (MSG_F_BAD_START | MSG_F_BAD_HEADER |             \
			 MSG_F_CL_MISMATCH | MSG_F_CL_INVALID)

struct msg_param {
	struct sv name, value;  /* value unquoted; empty if no '=' */
};

/* Which header a diagnostic came from. */
enum msg_diag_hdr { MSG_DIAG_MS = 1, MSG_DIAG_MS_PUBLIC,
		    MSG_DIAG_MS_CLIENT, MSG_DIAG_X_MS };

struct msg_diag {
	enum msg_diag_hdr hdr;
	uint32_t code;          /* ErrorId */
	int32_t sub;            /* .Sub error code, -1 if none */
	struct sv reason, source;
	struct msg_param *params; /* every name=value pair, reason and
				   * source included, in order; points into
				   * the message's param pool */
	size_t nparams;
	struct sv raw;          /* the whole header value */
};

enum msg_auth_hdr { MSG_AUTH_WWW = 1, MSG_AUTH_AUTHORIZATION,
		    MSG_AUTH_PROXY_AUTHENTICATE, MSG_AUTH_PROXY_AUTHORIZATION,
		    MSG_AUTH_INFO, MSG_AUTH_PROXY_INFO };

struct msg_auth {
	enum msg_auth_hdr hdr;
	struct sv scheme;       /* "NTLM", "Kerberos", "TLS-DSK", ... */
	struct sv rest;         /* the params as logged, after the scheme:
				 * realm, targetname, version, opaque,
				 * gssapi-data, sts-uri, crand, cnum,
				 * response, srand, snum, rspauth, ...
				 * parsed on demand by sip_auth_param() */
};

struct msg_hdr {
	struct sv name, value;  /* name as logged; value trimmed, folded
				 * continuation lines joined by one space */
};

struct msg {
	/* ---- the text, owned storage ---- */
	const char *text;       /* the message text: buf (msg_set), or
				 * borrowed from the record (msg_view) */
	size_t len;
	char *buf;              /* owned: msg_set's copy of the text */
	size_t cap;
	struct msg_hdr *hdrs;   /* owned */
	size_t nhdrs, hdrs_cap;
	struct msg_diag *diags; /* owned */
	size_t ndiags, diags_cap;
	struct msg_auth *auths; /* owned */
	size_t nauths, auths_cap;
	struct msg_param *params; /* owned: pool for diag params */
	size_t nparams, params_cap;
	char *fold;             /* owned: scratch for folded header values */
	size_t fold_len, fold_cap;

	/* ---- log context, copied by msg_set ---- */
	const char *file;       /* borrowed: the caller's file name */
	unsigned long line_first, line_last;
	int64_t ts;
	enum rec_dir dir;
	char local[64], remote[64];  /* endpoints, NUL-terminated */
	char server[64];        /* CLS: the server bracket, when it names
				 * a machine ("" for "[0]": see parser.h) */
	int server_trace;       /* 1: from a server trace (CLS record),
				 * so an empty server is an unnamed one */
	int64_t declared_len;
	unsigned flags;         /* MSG_F_* */
	int parsed;             /* sip_parse ran since the last reset, so
				 * the next one resets the fields first */

	/* ---- parsed by sip_parse ---- */
	enum msg_proto proto;
	enum msg_kind kind;
	struct sv start_line;
	struct sv method;       /* requests */
	struct sv uri;          /* Request-URI or HTTP target */
	struct sv version;      /* "SIP/2.0", "HTTP/1.1" */
	int status;             /* responses, else 0 */
	struct sv status_reason;
	struct sv call_id;
	uint32_t cseq;
	struct sv cseq_method;
	struct sv from_uri, from_tag, from_epid, from_name;
	struct sv to_uri, to_tag, to_epid;
	struct sv via_branch;       /* topmost Via */
	struct sv via_branch_last;  /* bottom Via: the originator's */
	unsigned nvia;
	struct sv contact;
	int64_t expires;            /* Expires header, -1 if absent */
	struct sv event, content_type, user_agent, server_hdr;
	struct sv host;             /* HTTP Host */
	int64_t content_length;     /* -1 if absent or invalid */
	struct sv body;

	/* ---- read ahead by par.c's workers, else NULL ---- */
	const struct xmlprov *prov; /* borrowed: the in-band provisioning
				     * body read (xmlprov.h); msg_set does
				     * not touch it */
};

/* Initialise an empty message (no allocation yet). */
void msg_init(struct msg *m);
/*
 * Copy a REC_MSG record's text and context into m, resetting every
 * parsed field.  The record is borrowed.  file is borrowed for the life
 * of m's current content.
 */
void msg_set(struct msg *m, const struct fmt_rec *rec, const char *file);
/*
 * The same without the copy: m borrows rec's text, so m's text and
 * every view sip_parse() sets live only as long as the record (a
 * format parser's record: its on_rec call).  For a caller that is done
 * with m before the record goes, as the engine's serial path is.
 */
void msg_view(struct msg *m, const struct fmt_rec *rec, const char *file);
/* Same, from plain bytes (tests, fuzzers): no log context. */
void msg_set_bytes(struct msg *m, const char *p, size_t n);
/*
 * Reset every field sip_parse() fills (flags excepted), keeping the
 * text, the log context and the allocations.
 */
void msg_reset_parsed(struct msg *m);
/* Free what m owns (m itself is the caller's); NULL is a no-op. */
void msg_free(struct msg *m);

/* @return the first header named name (case-insensitive), or NULL. */
const struct msg_hdr *msg_hdr_get(const struct msg *m, const char *name);
/* @return the value of parameter name in params (case-insensitive), or
 * NULL */
const struct sv *msg_param_get(const struct msg_param *params, size_t n,
			       const char *name);
/*
 * The warnings of a parsed message, one per call, in a fixed order,
 * e.g. "invalid Content-Length 'twelve'" (MSG_F_MALFORMED and
 * MSG_F_LIMIT; a message that is not SIP/HTTP has nothing else to say).
 * @param it  iterator: 0 before the first call
 * @param flag OUT (may be NULL): the MSG_F_* bit the text is about
 * @return 1 with out filled, 0 when there is no more
 */
int msg_problem_next(const struct msg *m, unsigned *it, unsigned *flag,
		     char *out, size_t outsz);
/* "INVITE" / "401" style label: method for requests, status for
 * responses, written into out (>= 16 bytes). @return out */
const char *msg_label(const struct msg *m, char *out, size_t outsz);

#endif
