/* SPDX-License-Identifier: MIT */
/*
 * sip.h -- the SIP/HTTP message parser, third stage of the pipeline:
 * msg_set() (src/msg.c) copies a REC_MSG record's text into a struct
 * msg (msg_view() borrows it), sip_parse() splits it into start line,
 * headers and body and fills the fields that transactions, rules and
 * reporters key on.
 *
 * Ownership: sip_parse() works in place on a message the caller owns;
 * every view it sets points into m->text or m->fold and stays valid until
 * the next msg_set() / msg_free() (with msg_view: while the record
 * lives).  It allocates only by growing m's own
 * arrays (a warm message costs no allocation), keeps no state between
 * calls and is reentrant on distinct messages.
 *
 * What is parsed (details in sip.c):
 *  - start line: SIP/HTTP request or response;
 *  - headers up to the first empty (or blank) line, LF or CRLF; folded
 *    lines joined with one space; SIP compact forms; names any case;
 *    a text that ends after the headers is a message without a body
 *    (format parsers drop trailing blank lines): MSG_F_NO_BLANK only
 *    when no blank line was found and Content-Length is above 0;
 *  - Call-ID, CSeq, From/To (name, URI, tag, epid), Via (top and bottom
 *    branch, count), Contact (the first value as logged, with its <>
 *    and parameters), Expires, Event, Content-Type, User-Agent, Server,
 *    Host, Content-Length: first occurrence wins;
 *  - ms-diagnostics, ms-diagnostics-public, ms-client-diagnostics,
 *    X-Ms-diagnostics: one struct msg_diag per header;
 *  - WWW-Authenticate, Authorization, Proxy-Authenticate,
 *    Proxy-Authorization, Authentication-Info, Proxy-Authentication-Info:
 *    one struct msg_auth per header, its scheme parsed and its params
 *    kept as logged: sip_auth_param() / sip_auth_params() parse them on
 *    demand, from the const message (nothing is stored).
 * Parameter values are unquoted and trimmed (also inside the quotes);
 * backslash escapes inside quotes are kept as logged.
 */
#ifndef SFB_SIP_H
#define SFB_SIP_H

#include "msg.h"

#ifndef SFB_MAX_HDRS
#define SFB_MAX_HDRS 512         /* headers kept per message */
#endif
#ifndef SFB_MAX_HPARAMS
#define SFB_MAX_HPARAMS 64       /* params kept per diagnostic / auth hdr */
#endif

/*
 * Parse m->text[0..m->len) into m's fields (any earlier parse result is
 * reset first; MSG_F_TRUNCATED is kept, the other flags are recomputed).
 * @return 0 for a SIP or HTTP message (m->flags may note problems), -1
 *         when the start line is neither: MSG_F_BAD_START is set and
 *         every parsed field is left empty.
 */
int sip_parse(struct msg *m);

/*
 * The params of an auth header, parsed on each call from a->rest: a
 * token68 blob first if the list starts with one (`Negotiate YIIG...==`:
 * the blob as name, an empty value), then every name[=value] pair in
 * order, as for the other params (values unquoted and trimmed), at most
 * SFB_MAX_HPARAMS (sip_parse set MSG_F_LIMIT when there were more).
 * Views point into the message, like a->rest.
 */
/*
 * @return 1 with *value set to the value of the first param named name
 * (ASCII case ignored), 0 if there is none
 */
int sip_auth_param(const struct msg_auth *a, const char *name,
		   struct sv *value);
/* Fill out[0..cap) with the params in order.  @return how many */
size_t sip_auth_params(const struct msg_auth *a, struct msg_param *out,
		       size_t cap);

#endif
