/* SPDX-License-Identifier: MIT */
/*
 * secret.h -- secrets in log text shown as a kind and a length, never
 * as themselves: `<web ticket, 2 KB>`, `<gssapi-data, 1.2 KB>`.  Part
 * of the last stage of the pipeline: the sanitiser (esc.c) runs every
 * string from a log through secret_mask before it reaches a report
 * (text, JSON, flow), so no reporter can forget it.  `--raw` prints the
 * log as logged and is the only way around it.
 *
 * What is a secret (names case-insensitive):
 *  - the value of a header line X-MS-WebTicket (web ticket), Cookie,
 *    Set-Cookie (cookie), to the end of its line;
 *  - the value of a parameter gssapi-data, response, rspauth, opaque,
 *    cnonce, nonce, sig or access_token (as in Authorization,
 *    WWW-Authenticate, Proxy-*, Authentication-Info or a URL query;
 *    not after ';', as in a SIP URI's ";gruu;opaque=..."): quoted, or
 *    up to , ; & > blank or line end;
 *  - a bare token of 16 or more base64 characters after the scheme
 *    NTLM, Negotiate, Kerberos, Bearer or Basic;
 *  - an XML element Assertion (SAML assertion), RequestedSecurityToken,
 *    BinarySecurityToken or CipherValue (security token), any prefix,
 *    with its content, to its end tag or the end of the text.
 *
 * Ownership: secret_mask returns malloc'd memory or NULL.  No state.
 */
#ifndef SFB_SECRET_H
#define SFB_SECRET_H

#include "sfb.h"

/* A secret found in a text: bytes [start, end) and what it is. */
struct secret_span {
	size_t start, end;
	const char *kind;       /* static: "web ticket", "cookie", ... */
};

/*
 * Find the first secret of v at or after offset from.
 * @return 1 with *s filled, 0 when there is none
 */
int secret_find(struct sv v, size_t from, struct secret_span *s);

/*
 * "<kind, N B>", "<kind, 1.2 KB>", "<kind, 2 KB>", "<kind, 3.4 MB>" for
 * n bytes, into out (NUL-terminated).  @return its length
 */
size_t secret_label(const char *kind, size_t n, char *out, size_t outsz);

/*
 * v with every secret replaced by its label.
 * @return a malloc'd copy (length in *outn, NUL-terminated), or NULL
 *         when v holds no secret
 */
char *secret_mask(struct sv v, size_t *outn);

#endif
