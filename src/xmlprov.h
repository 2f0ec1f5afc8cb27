/* SPDX-License-Identifier: MIT */
/*
 * xmlprov.h -- an in-band provisioning body (provisionGroupList) read
 * once and replayed later, part of the message stage: par.c's workers
 * read it beside the SIP parse, with xmlbody's one-pass reader of plain
 * documents only (xmlbody_provisioning_fast), and attach the reading to
 * the message (msg.prov); the session stage (sess.c) replays it on the
 * caller's thread instead of reading the body there.  A body that
 * reader declines is not recorded (xmlprov_read returns -1): sess.c
 * then reads it itself, with libxml2 if need be, so libxml2 never runs
 * on the workers and a body costs them no more than one pass.  A
 * replay makes exactly the callbacks, and returns exactly the value,
 * that xmlbody_provisioning gives on the body: it is the one-pass
 * reader's whenever that reader takes the body.
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
	int rc;                 /* what the one-pass reader returned */
	char *ev;               /* owned: its callbacks in order, each a
				 * kind byte and NUL-terminated strings:
				 * 'g' (group), 'p' (group, name, value),
				 * 'q' (name, value; the group before) */
	size_t n, cap;
	size_t group;           /* where the last group's name starts in
				 * ev, for the next 'q' entry */
};

void xmlprov_init(struct xmlprov *x);
/*
 * Read body into x with the one-pass reader (what x held before is
 * dropped).  @return x->rc: >= 0 as xmlbody_provisioning, or -1 when
 * that reader declines the body (x records nothing then)
 */
int xmlprov_read(struct xmlprov *x, struct sv body);
/* Make the callbacks of the reading on s.  @return x->rc */
int xmlprov_replay(const struct xmlprov *x,
		   const struct xmlbody_prov_sink *s);
void xmlprov_free(struct xmlprov *x);

#endif
