/* SPDX-License-Identifier: MIT */
/*
 * xmlprov.h -- an in-band provisioning body (provisionGroupList) read
 * once and replayed later, part of the message stage: par.c's workers
 * read it (xmlbody_provisioning, ~100 instructions a byte) beside the
 * SIP parse and attach the reading to the message (msg.prov), and the
 * session stage (sess.c) replays it on the caller's thread instead of
 * reading the body there.  A replay makes exactly the callbacks, and
 * returns exactly the value, that xmlbody_provisioning gave: its
 * result depends on the body's bytes only.
 *
 * Ownership: a struct xmlprov owns its buffer (xmlprov_free); reading
 * again reuses it.  Not shared between threads while it is written.
 */
#ifndef SFB_XMLPROV_H
#define SFB_XMLPROV_H

#include <stddef.h>

#include "sfb.h"
#include "xmlbody.h"

struct xmlprov {
	int rc;                 /* what xmlbody_provisioning returned */
	char *ev;               /* owned: its callbacks in order, each a
				 * kind byte, 'g' (group) or 'p' (group,
				 * name, value), then its NUL-terminated
				 * strings */
	size_t n, cap;
};

void xmlprov_init(struct xmlprov *x);
/* Read body into x (what it held before is dropped).  @return x->rc */
int xmlprov_read(struct xmlprov *x, struct sv body);
/* Make the callbacks of the reading on s.  @return x->rc */
int xmlprov_replay(const struct xmlprov *x,
		   const struct xmlbody_prov_sink *s);
void xmlprov_free(struct xmlprov *x);

#endif
