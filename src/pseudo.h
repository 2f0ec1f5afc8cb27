/* SPDX-License-Identifier: MIT */
/*
 * pseudo.h -- the pseudonymiser of `sfblog redact`: a table that gives
 * every user, domain, host, address, phone number and display name of
 * a run one stable alias, and a scrubber that rewrites a span of log
 * text with those aliases and with secrets (base64 blobs, JWTs,
 * password= values) replaced by a marker.  It sits beside the pipeline
 * (line reader -> redact.c -> pseudo.c), not in it: redact.c frames the
 * messages and calls pseudo_scrub() on every piece of text.
 *
 * Aliases (the same original, compared without ASCII case, always gets
 * the same alias within one struct pseudo):
 *   user part of user@host  userN              (digits: a phone alias)
 *   registered domain       domainN.example    (contoso.com, a.co.uk)
 *   its first label alone   domainN            (CONTOSO\alice)
 *   other host labels       hostN              (fe01.contoso.com ->
 *                                                host1.domain1.example)
 *   IPv4                    192.0.2.N, then 198.51.100.N, 203.0.113.N,
 *                           then 240.0.0.0/4   (loopback, 0.0.0.0 and
 *                                                broadcast kept)
 *   IPv6                    2001:db8::N
 *   phone (+ and 7+ digits) +1555NNNNNNN        (the + kept if present)
 *   display name "A B" <..> Person N, and each of its words nameN
 * Kept: service labels (lyncdiscover, lyncdiscoverinternal, sip,
 * sipinternal, sipexternal, _sip, _sipinternaltls, _tcp, _tls, ...),
 * public names (microsoft.com, w3.org, xmlsoap.org, *.example, ...),
 * Call-IDs, tags, epids and GUIDs (random, not personal).
 *
 * Memory: one entry per distinct original, at most PSEUDO_MAX_ENTRIES;
 * past that every new original of a kind gets that kind's alias 0.
 * Ownership: strings returned by pseudo_* are owned by the table and
 * live until pseudo_free().  Not thread-safe; no global state.
 */
#ifndef SFB_PSEUDO_H
#define SFB_PSEUDO_H

#include <stddef.h>

#include "sfb.h"

#ifndef PSEUDO_MAX_ENTRIES
#define PSEUDO_MAX_ENTRIES (1u << 20)
#endif

enum pseudo_kind {
	PSEUDO_USER = 0, PSEUDO_DOMAIN, PSEUDO_LABEL, PSEUDO_IPV4,
	PSEUDO_IPV6, PSEUDO_PHONE, PSEUDO_NAME, PSEUDO_WORD,
	PSEUDO__COUNT
};

/* The marker that replaces a secret value. */
#define PSEUDO_SECRET "REDACTED"

/* A growable output buffer (owned by its user; free p). */
struct pseudo_buf {
	char *p;
	size_t n, cap;
};

void pseudo_buf_add(struct pseudo_buf *b, const char *p, size_t n);
void pseudo_buf_addc(struct pseudo_buf *b, char c);
void pseudo_buf_adds(struct pseudo_buf *b, const char *s);
/* Append the decimal value of v. */
void pseudo_buf_addu(struct pseudo_buf *b, unsigned long long v);

struct pseudo;

struct pseudo *pseudo_new(void);
void pseudo_free(struct pseudo *ps);

/*
 * The alias of orig as kind k, made on first sight.  PSEUDO_WORD is
 * only looked up (NULL when orig was never learned).
 * @return a NUL-terminated alias owned by ps, or NULL (PSEUDO_WORD)
 */
const char *pseudo_alias(struct pseudo *ps, enum pseudo_kind k,
			 struct sv orig);

/* Scrub options (bits). */
#define PSEUDO_NO_BLOBS 1u   /* keep base64-looking runs (Call-ID) */

/*
 * Append to out the text in with every identity replaced by its alias
 * and every secret by PSEUDO_SECRET.
 * @return the number of secrets replaced
 */
size_t pseudo_scrub(struct pseudo *ps, struct sv in, unsigned flags,
		    struct pseudo_buf *out);

/*
 * Call fn(ud, kind, original, alias) for every entry, in the order they
 * were made (kind names: pseudo_kind_name).  Stops when fn returns
 * non-zero and returns that value.
 */
int pseudo_each(const struct pseudo *ps,
		int (*fn)(void *ud, enum pseudo_kind k, const char *orig,
			  const char *alias),
		void *ud);

/* "user", "domain", "host", "ipv4", "ipv6", "phone", "name", "word" */
const char *pseudo_kind_name(enum pseudo_kind k);

/* Entries made so far. */
size_t pseudo_count(const struct pseudo *ps);

#endif
