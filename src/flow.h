/* SPDX-License-Identifier: MIT */
/*
 * flow.h -- the call-flow ladder of `sfblog flow`: messages in, a
 * list of parties (columns) and arrows (rows) out, then drawn for a
 * terminal (flow.c) or written as JSON (rep_json.c).  It sits after the
 * session stage: the caller decides which messages belong to the flow
 * (a session, a Call-ID) and hands them over one by one.
 *
 * Parties: the client (the local endpoint of a client log, or the peer
 * of a server trace that no server name matches), each server of a CLS
 * trace (its bracket name, "edge01", "fe01"), and each other remote
 * endpoint, named by host (Host header for HTTP) and grouped by role:
 * "client", "edge", "director", "registrar" (answered a REGISTER
 * 200), "mediation",
 * "web" (HTTP services), "server", "peer" (see role.h).  At most
 * FLOW_MAX_PARTIES columns;
 * further endpoints share the last column ("others").
 *
 * Ownership: struct flow owns its copies of everything it shows; the
 * messages are borrowed per call.  Memory is bounded by max_arrows
 * (further messages are counted, not kept).  Not shared between
 * threads.
 */
#ifndef SFB_FLOW_H
#define SFB_FLOW_H

#include <stdint.h>
#include <stdio.h>

#include "msg.h"
#include "sfb.h"

#define FLOW_MAX_PARTIES 8

struct flow_party {
	char name[64];          /* "client 192.168.1.40", "fe01", host */
	char role[16];          /* role_name(): client, edge, ... */
};

struct flow_arrow {
	int64_t ts;
	int from, to;           /* party indexes */
	char label[72];         /* "REGISTER", "401 Unauthorized", "GET
				 * /WebTicket/WebTicketService.svc" */
	char note[96];          /* diagnostics / auth scheme, may be "" */
	int error;              /* 1: a 4xx-6xx answer (not a plain
				 * 401/407 challenge), or a diagnostic on
				 * an answer of 300 or more */
	int request;            /* 1 request, 0 response */
	const char *file;       /* borrowed from the message */
	unsigned long line;
	char call_id[40];       /* cut for display */
};

struct flow;

/* @param max_arrows 0: 10000 */
struct flow *flow_new(size_t max_arrows);
/* Add one parsed message as an arrow (parties created as needed). */
void flow_add(struct flow *f, const struct msg *m);
size_t flow_nparties(const struct flow *f);
const struct flow_party *flow_party_get(const struct flow *f, size_t i);
size_t flow_narrows(const struct flow *f);
const struct flow_arrow *flow_arrow_get(const struct flow *f, size_t i);
/* Messages not kept because of max_arrows. */
uint64_t flow_dropped(const struct flow *f);

struct flow_style {
	int width;              /* terminal columns (>= 40) */
	int color;              /* ANSI colour */
	int relative;           /* times relative to the first arrow */
};

/*
 * Draw the ladder: a header with one column per party, then one row
 * per arrow (time, arrow from one column to the other with its label,
 * errors marked "!" and coloured red), fitted to style->width (labels
 * are cut, never wrapped; columns narrow down to a minimum).
 */
void flow_draw(FILE *out, const struct flow *f,
	       const struct flow_style *style);
void flow_free(struct flow *f);

#endif
