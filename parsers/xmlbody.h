/* SPDX-License-Identifier: MIT */
/*
 * xmlbody.h -- XML bodies of SIP and HTTP messages, read with libxml2
 * (the only module that calls xml*): SOAP faults of the web services
 * (Web Ticket, Autodiscover, CertProv), the in-band provisioning of
 * `vnd-microsoft-provisioning-v2` (provisionGroupList: groups and their
 * properties) and the location profile of a SERVICE answer.  Part of
 * the message stage: it reads a message's body view and keeps nothing.
 *
 * Safety: documents are parsed from memory with the network off, no
 * entity expansion and no DTD loading, errors silenced; a body that is
 * not well-formed XML gives "not found" (0), never a crash.
 *
 * Ownership: bodies are borrowed for the call; results are copied into
 * caller-owned structs or handed to callbacks whose strings live only
 * during the call.  Reentrant (libxml2 is initialised once, lazily).
 */
#ifndef SFB_XMLBODY_H
#define SFB_XMLBODY_H

#include <stddef.h>

#include "sfb.h"

#ifndef SFB_MAX_XML
#define SFB_MAX_XML (4u << 20)   /* bodies larger than this are skipped */
#endif

/* libxml2 version string, e.g. "2.9.14". */
const char *xmlbody_version(void);

/*
 * Why a body was not read (negative results of xmlbody_provisioning):
 * NONE is silent (not XML, or not that kind of document); REFUSED and
 * BAD mean the body is one of ours that was not read, which the caller
 * must report (its data is missing).
 */
enum { XMLBODY_NONE = -1,       /* not a document of that kind */
       XMLBODY_REFUSED = -2,    /* has a DOCTYPE: refused unread */
       XMLBODY_BAD = -3 };      /* not well-formed, too deep, too big */
/* @return a lowercase explanation of an XMLBODY_* code */
const char *xmlbody_rc_text(int rc);

struct xmlbody_fault {
	char code[96];          /* faultcode / Code/Value (+ Subcode), e.g.
				 * "wsse:InvalidSecurityToken" */
	char reason[256];       /* faultstring / Reason/Text */
	char detail[256];       /* first text of detail/Detail, may be "" */
};

/*
 * Find a SOAP 1.1 or 1.2 Fault (any namespace prefix) in body.
 * @return 1 and *out filled when one is found; 0 when body is not XML or
 *         holds no Fault
 */
int xmlbody_soap_fault(struct sv body, struct xmlbody_fault *out);

struct xmlbody_prov_sink {
	/* a <provisionGroup name="..."> (name may be "") */
	void (*on_group)(void *ud, const char *group);
	/* a <property name="...">value</property> of the current group,
	 * value trimmed; also <propertyEntryList> children of any group */
	void (*on_prop)(void *ud, const char *group, const char *name,
			const char *value);
	void *ud;
};

/*
 * Walk an in-band provisioning document (provisionGroupList).
 * @return the number of groups seen, or XMLBODY_NONE when body is not
 *         XML or not a provisionGroupList, XMLBODY_REFUSED or
 *         XMLBODY_BAD when it is one that was not read
 */
int xmlbody_provisioning(struct sv body, const struct xmlbody_prov_sink *s);
/*
 * The same through libxml2's tree only, never the one-pass reader of
 * plain documents: the oracle that fuzz_xmlbody checks that reader
 * against.  Same results and callbacks.
 */
int xmlbody_provisioning_tree(struct sv body,
			      const struct xmlbody_prov_sink *s);
/*
 * The one-pass reader alone: the number of groups of a plain document
 * (callbacks as above), or -1 when it declines the body (nothing was
 * handed to s then) and xmlbody_provisioning would use libxml2.
 */
int xmlbody_provisioning_fast(struct sv body,
			      const struct xmlbody_prov_sink *s);

/*
 * Read a location profile (LocationProfileDescription).
 * @param name   OUT: its <Name> (cut to namesz, NUL-terminated)
 * @param nrules OUT: number of <Rule> elements
 * @return 1 if found, 0 if not
 */
int xmlbody_location_profile(struct sv body, char *name, size_t namesz,
			     unsigned *nrules);

#endif
