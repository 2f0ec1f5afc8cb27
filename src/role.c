/* SPDX-License-Identifier: MIT */
/*
 * role.c -- the role of a party of a call flow from what the log shows
 * (see role.h): evidence bits per message, one role per party.  It
 * sits beside the session stage and reads parsed messages only.
 *
 * What counts (FORMATS.md section 4 and the public traces):
 * - Edge: the header ms-edge-proxy-message-trust, which the Edge adds
 *   to what it relays inward, marks the sender; a SIP endpoint on port
 *   443 is the Access Edge's external side (Front Ends and Directors
 *   listen on 5061); a server that calls itself "...edge..." in a trace;
 * - Director: a 3xx answer to a REGISTER (301 Redirect request to Home
 *   Server, Contact naming the home pool);
 * - Front End / registrar: a 200 answer to a REGISTER;
 * - Mediation Server or gateway: "MediationServer" / "Mediation" /
 *   "gateway" in the Server or User-Agent header;
 * - web services: any HTTP;
 * - client: the sender of a REGISTER.
 *
 * Ownership: no allocation, no state; reentrant.
 */
#include <string.h>

#include "role.h"
#include "sv.h"

static const char *const names[ROLE__COUNT] = {
	"client", "edge", "director", "registrar", "mediation", "web",
	"server", "peer"
};

const char *role_name(enum role_id r)
{
	return (unsigned)r < ROLE__COUNT ? names[r] : "server";
}

static int is_register(const struct msg *m)
{
	if (m->kind == MSG_RESPONSE)
		return sv_ieq_cstr(m->cseq_method, "REGISTER");
	return sv_ieq_cstr(m->method, "REGISTER");
}

static unsigned product_evidence(struct sv v)
{
	if (sv_ifind(v, "mediation") >= 0 || sv_ifind(v, "gateway") >= 0)
		return ROLE_EV_MEDIATION;
	return 0;
}

unsigned role_sender_evidence(const struct msg *m)
{
	unsigned ev = 0;
	if (!m)
		return 0;
	if (m->proto == MSG_HTTP)
		return m->kind == MSG_RESPONSE ? ROLE_EV_WEB : 0;
	if (msg_hdr_get(m, "ms-edge-proxy-message-trust"))
		ev |= ROLE_EV_EDGE;
	if (m->kind == MSG_RESPONSE && is_register(m)) {
		if (m->status == 200)
			ev |= ROLE_EV_REGISTRAR;
		else if (m->status >= 300 && m->status < 400)
			ev |= ROLE_EV_DIRECTOR;
	}
	if (m->kind == MSG_REQUEST && is_register(m))
		ev |= ROLE_EV_CLIENT;
	ev |= product_evidence(m->kind == MSG_RESPONSE ? m->server_hdr
						       : m->user_agent);
	return ev;
}

unsigned role_receiver_evidence(const struct msg *m)
{
	if (m && m->proto == MSG_HTTP && m->kind == MSG_REQUEST)
		return ROLE_EV_WEB;
	return 0;
}

unsigned role_addr_evidence(struct sv addr, int sip)
{
	addr = sv_trim(addr);
	if (!sip || addr.n < 5)
		return 0;
	/* the port: after the last ':' that is not inside [v6] */
	size_t i = addr.n;
	while (i > 0 && sv_is_digit(addr.p[i - 1]))
		i--;
	if (i == 0 || i == addr.n || addr.p[i - 1] != ':')
		return 0;
	return sv_eq(sv_make(addr.p + i, addr.n - i), SV_LIT("443"))
	       ? ROLE_EV_EDGE : 0;
}

unsigned role_name_evidence(struct sv name)
{
	return sv_ifind(name, "edge") >= 0 ? ROLE_EV_EDGE : 0;
}

enum role_id role_decide(unsigned ev, enum role_id fallback)
{
	if (ev & ROLE_EV_EDGE)
		return ROLE_EDGE;
	if (ev & ROLE_EV_DIRECTOR)
		return ROLE_DIRECTOR;
	if (ev & ROLE_EV_REGISTRAR)
		return ROLE_REGISTRAR;
	if (ev & ROLE_EV_MEDIATION)
		return ROLE_MEDIATION;
	if (ev & ROLE_EV_WEB)
		return ROLE_WEB;
	if (ev & ROLE_EV_CLIENT)
		return ROLE_CLIENT;
	return fallback;
}
