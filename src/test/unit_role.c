/* SPDX-License-Identifier: MIT */
/*
 * unit_role.c -- unit tests of the party roles (src/role.c) and of
 * their use as the column labels of the flow ladder (src/flow.c): each
 * role is shown only on the evidence that names it, else "server".
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "flow.h"
#include "msg.h"
#include "role.h"
#include "sip.h"
#include "sv.h"

static struct msg M;

static const struct msg *parse(const char *text)
{
	msg_set_bytes(&M, text, strlen(text));
	CHECK_INT(sip_parse(&M), 0);
	return &M;
}

/* Add text to f as a client log (server "") or trace record. */
static void add(struct flow *f, const char *text, enum rec_dir dir,
		const char *remote, const char *server, int trace)
{
	parse(text);
	M.dir = dir;
	snprintf(M.local, sizeof M.local, "%s", trace ? "" : "10.0.0.5:1");
	snprintf(M.remote, sizeof M.remote, "%s", remote);
	snprintf(M.server, sizeof M.server, "%s", server);
	M.server_trace = trace;
	flow_add(f, &M);
}

static const char *role_of(const struct flow *f, const char *name)
{
	for (size_t i = 0; i < flow_nparties(f); i++)
		if (strcmp(flow_party_get(f, i)->name, name) == 0)
			return flow_party_get(f, i)->role;
	return "(none)";
}

static const char reg[] = "REGISTER sip:contoso.com SIP/2.0\n"
			  "Call-ID: a\nCSeq: 1 REGISTER\n\n";
static const char reg401[] = "SIP/2.0 401 Unauthorized\nCall-ID: a\n"
			     "CSeq: 1 REGISTER\n\n";
static const char reg200[] = "SIP/2.0 200 OK\nCall-ID: a\n"
			     "CSeq: 2 REGISTER\n\n";
static const char reg301[] = "SIP/2.0 301 Redirect request to Home "
			     "Server\nCall-ID: a\nCSeq: 2 REGISTER\n"
			     "Contact: <sip:pool02.contoso.com:5061;"
			     "transport=tls>\n\n";

static void test_evidence(void)
{
	CHECK_INT(role_sender_evidence(parse(reg200)), ROLE_EV_REGISTRAR);
	CHECK_INT(role_sender_evidence(parse(reg301)), ROLE_EV_DIRECTOR);
	CHECK_INT(role_sender_evidence(parse(reg401)), 0);
	CHECK_INT(role_sender_evidence(parse(reg)), ROLE_EV_CLIENT);
	CHECK_INT(role_receiver_evidence(parse(reg)), 0);
	CHECK_INT(role_sender_evidence(parse(
		"INVITE sip:x SIP/2.0\nCSeq: 1 INVITE\n"
		"ms-edge-proxy-message-trust: ms-source-type=EdgeProxy\n\n")),
		ROLE_EV_EDGE);
	CHECK_INT(role_sender_evidence(parse(
		"SIP/2.0 480 Temporarily Unavailable\nCSeq: 1 INVITE\n"
		"Server: RTCC/6.0.0.0 MediationServer\n\n")),
		ROLE_EV_MEDIATION);
	CHECK_INT(role_receiver_evidence(parse(
		"GET /x HTTP/1.1\nHost: web\n\n")), ROLE_EV_WEB);
	CHECK_INT(role_sender_evidence(parse("HTTP/1.1 200 OK\n\n")),
		  ROLE_EV_WEB);
	CHECK_INT(role_addr_evidence(SV_LIT("203.0.113.10:443"), 1),
		  ROLE_EV_EDGE);
	CHECK_INT(role_addr_evidence(SV_LIT("203.0.113.10:443"), 0), 0);
	CHECK_INT(role_addr_evidence(SV_LIT("10.0.0.1:5061"), 1), 0);
	CHECK_INT(role_addr_evidence(SV_LIT("10.0.0.1:4443"), 1), 0);
	CHECK_INT(role_addr_evidence(SV_LIT("[2001:db8::1]:443"), 1),
		  ROLE_EV_EDGE);
	CHECK_INT(role_addr_evidence(SV_LIT("sip.contoso.com"), 1), 0);
	CHECK_INT(role_name_evidence(SV_LIT("sfbedge01\\sfbedge01")),
		  ROLE_EV_EDGE);
	CHECK_INT(role_name_evidence(SV_LIT("fe01")), 0);
	/* the strongest evidence wins; none: the fallback */
	CHECK_INT(role_decide(ROLE_EV_EDGE | ROLE_EV_REGISTRAR, ROLE_PEER),
		  ROLE_EDGE);
	CHECK_INT(role_decide(ROLE_EV_DIRECTOR | ROLE_EV_REGISTRAR,
			      ROLE_PEER), ROLE_DIRECTOR);
	CHECK_INT(role_decide(0, ROLE_SERVER), ROLE_SERVER);
	CHECK(strcmp(role_name(ROLE_MEDIATION), "mediation") == 0);
	CHECK(strcmp(role_name(ROLE__COUNT), "server") == 0);
}

static void test_flow_labels(void)
{
	/* internal client: Director (301), then the home pool (200) */
	struct flow *f = flow_new(0);
	add(f, reg, DIR_OUT, "10.0.0.10:5061", "", 0);
	add(f, reg401, DIR_IN, "10.0.0.10:5061", "", 0);
	CHECK(strcmp(role_of(f, "10.0.0.10:5061"), "server") == 0);
	add(f, reg301, DIR_IN, "10.0.0.10:5061", "", 0);
	add(f, reg, DIR_OUT, "10.0.0.20:5061", "", 0);
	add(f, reg200, DIR_IN, "10.0.0.20:5061", "", 0);
	CHECK(strcmp(role_of(f, "10.0.0.10:5061"), "director") == 0);
	CHECK(strcmp(role_of(f, "10.0.0.20:5061"), "registrar") == 0);
	/* columns: client, director, registrar */
	CHECK(strcmp(flow_party_get(f, 1)->role, "director") == 0);
	CHECK(strcmp(flow_party_get(f, 2)->role, "registrar") == 0);
	flow_free(f);

	/* server trace: an unnamed server ([0]), an Edge peer known only
	 * by the trust header, a client peer, a Mediation Server */
	f = flow_new(0);
	add(f, "INVITE sip:bob@contoso.com SIP/2.0\nCSeq: 1 INVITE\n"
	    "ms-edge-proxy-message-trust: ms-source-type=EdgeProxy\n\n",
	    DIR_IN, "edgeint.contoso.com:5061", "", 1);
	add(f, reg, DIR_IN, "198.51.100.7:50000", "", 1);
	add(f, "SIP/2.0 480 Temporarily Unavailable\nCSeq: 1 INVITE\n"
	    "Server: RTCC/6.0.0.0 MediationServer\n\n", DIR_IN,
	    "med01.contoso.com:5070", "", 1);
	add(f, "OPTIONS sip:x SIP/2.0\nCSeq: 1 OPTIONS\n\n", DIR_IN,
	    "other.fabrikam.com:5061", "", 1);
	CHECK(strcmp(role_of(f, "server"), "server") == 0);
	CHECK(strcmp(role_of(f, "edgeint.contoso.com"), "edge") == 0);
	CHECK(strcmp(role_of(f, "198.51.100.7"), "client") == 0);
	CHECK(strcmp(role_of(f, "med01.contoso.com"), "mediation") == 0);
	CHECK(strcmp(role_of(f, "other.fabrikam.com"), "peer") == 0);
	CHECK_INT(flow_nparties(f), 5);
	flow_free(f);
}

int main(void)
{
	msg_init(&M);
	test_evidence();
	test_flow_labels();
	msg_free(&M);
	return CHECK_DONE("unit_role");
}
