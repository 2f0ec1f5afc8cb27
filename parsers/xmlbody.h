/* SPDX-License-Identifier: MIT */
/*
 * xmlbody.h -- XML bodies of SIP and HTTP messages (SOAP faults of the
 * web services, in-band provisioning, location profiles), read with
 * libxml2; the only module that calls xml*.  Part of the message stage:
 * it reads a message's body view and never keeps it.
 *
 * Reentrant as long as libxml2 is initialised once (xmlbody_init).
 */
#ifndef SFB_XMLBODY_H
#define SFB_XMLBODY_H

/* libxml2 version string, e.g. "2.9.14". */
const char *xmlbody_version(void);

#endif
