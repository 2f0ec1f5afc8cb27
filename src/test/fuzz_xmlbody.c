/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xmlbody.c -- libFuzzer target for the XML body reader
 * (parsers/xmlbody.c).  The input is one message body: the three
 * readers (SOAP fault, in-band provisioning, location profile) are run
 * on it, every string they return or hand to a callback is read to its
 * end (ASan sees any that is not NUL-terminated inside its buffer) and
 * the documented limits are asserted.  Seeds: testdata/corpus/xmlbody/.
 * Ownership: the input is borrowed; nothing outlives the call.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmlbody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct acc {
	unsigned sum;
	int groups;
};

/* Read every byte of s; abort when it is longer than max. */
static unsigned touch(const char *s, size_t max)
{
	unsigned sum = 0;
	size_t n = 0;
	while (s[n]) {
		sum += (unsigned char)s[n];
		n++;
	}
	if (n > max)
		abort();
	return sum;
}

static void on_group(void *ud, const char *group)
{
	struct acc *a = ud;
	a->sum += touch(group, 127);
	a->groups++;
}

static void on_prop(void *ud, const char *group, const char *name,
		    const char *value)
{
	struct acc *a = ud;
	a->sum += touch(group, 127) + touch(name, 127) + touch(value, 511);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv body = { (const char *)data, size };
	struct xmlbody_fault f;
	struct acc a = { 0, 0 };
	struct xmlbody_prov_sink sink = { on_group, on_prop, &a };
	char name[64];
	unsigned nrules = 0;
	volatile unsigned sink_sum;
	int rc;

	rc = xmlbody_soap_fault(body, &f);
	if (rc != 0 && rc != 1)
		abort();
	a.sum += touch(f.code, sizeof f.code - 1);
	a.sum += touch(f.reason, sizeof f.reason - 1);
	a.sum += touch(f.detail, sizeof f.detail - 1);

	rc = xmlbody_provisioning(body, &sink);
	if (rc < XMLBODY_BAD || (rc >= 0 && rc != a.groups) ||
	    (rc < 0 && a.groups != 0))
		abort();
	/* without a sink: the same count */
	if (xmlbody_provisioning(body, NULL) != rc)
		abort();

	rc = xmlbody_location_profile(body, name, sizeof name, &nrules);
	if (rc != 0 && rc != 1)
		abort();
	a.sum += touch(name, sizeof name - 1) + nrules;
	if (rc == 0 && (name[0] || nrules))
		abort();

	sink_sum = a.sum;
	(void)sink_sum;
	return 0;
}
