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
 * @return the number of groups seen, or -1 when body is not XML or not
 *         a provisionGroupList
 */
int xmlbody_provisioning(struct sv body, const struct xmlbody_prov_sink *s);

/*
 * Read a location profile (LocationProfileDescription).
 * @param name   OUT: its <Name> (cut to namesz, NUL-terminated)
 * @param nrules OUT: number of <Rule> elements
 * @return 1 if found, 0 if not
 */
int xmlbody_location_profile(struct sv body, char *name, size_t namesz,
			     unsigned *nrules);

#endif
