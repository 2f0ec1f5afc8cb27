/* SPDX-License-Identifier: MIT */
/*
 * role.h -- what a party of a call flow is (Edge, Director, Front End
 * registrar, Mediation Server or gateway, web services, client), decided
 * from what the log shows about it, never from a default.  It sits
 * beside the session stage: the flow ladder (flow.c) gathers evidence
 * per party from each message it places, and asks for the role; a
 * report can do the same.
 *
 * Evidence is a set of ROLE_EV_* bits, gathered per message about its
 * sender and its receiver; role_decide() turns the bits of one party
 * into one role, the strongest first (an Edge that relays the 200 of
 * a REGISTER is still the Edge).
 *
 * Ownership: nothing is allocated or kept; the functions are pure and
 * reentrant.
 */
#ifndef SFB_ROLE_H
#define SFB_ROLE_H

#include "msg.h"

enum role_id {
	ROLE_CLIENT = 0, ROLE_EDGE, ROLE_DIRECTOR, ROLE_REGISTRAR,
	ROLE_MEDIATION, ROLE_WEB, ROLE_SERVER, ROLE_PEER, ROLE__COUNT
};

#define ROLE_EV_EDGE      0x01u /* ms-edge-proxy-message-trust on what it
				 * sent, SIP on an external port (443),
				 * "edge" in its server name */
#define ROLE_EV_DIRECTOR  0x02u /* answered a REGISTER with a 3xx
				 * redirect (301 to the home pool) */
#define ROLE_EV_REGISTRAR 0x04u /* answered a REGISTER with 200 */
#define ROLE_EV_MEDIATION 0x08u /* Server / User-Agent of a Mediation
				 * Server or a PSTN gateway */
#define ROLE_EV_WEB       0x10u /* HTTP: web services */
#define ROLE_EV_CLIENT    0x20u /* sent a REGISTER */

/* Evidence m gives about the party that sent it. */
unsigned role_sender_evidence(const struct msg *m);
/* Evidence m gives about the party that received it. */
unsigned role_receiver_evidence(const struct msg *m);
/*
 * Evidence an endpoint gives by itself: a SIP address on port 443 is
 * the external (access) side of an Edge.
 * @param addr "host:port", "[v6]:port" or a bare host
 */
unsigned role_addr_evidence(struct sv addr, int sip);
/* Evidence of a server name as a trace writes it ("sfbedge01"). */
unsigned role_name_evidence(struct sv name);
/*
 * The role the evidence shows, strongest first: edge, director,
 * registrar, mediation, web, client; without any, fallback.
 */
enum role_id role_decide(unsigned ev, enum role_id fallback);
/* "client", "edge", "director", "registrar", "mediation", "web",
 * "server", "peer" */
const char *role_name(enum role_id r);

#endif
