/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xmlbody.c -- libFuzzer target for the XML body reader
 * (parsers/xmlbody.c).  The input is one message body: the three
 * readers (SOAP fault, in-band provisioning, location profile) are run
 * on it, every string they return or hand to a callback is read to its
 * end (ASan sees any that is not NUL-terminated inside its buffer) and
 * the documented limits are asserted.  The provisioning reader is also
 * checked against its oracle, libxml2's tree walk alone
 * (xmlbody_provisioning_tree): the same result and the same callbacks
 * in the same order, whether or not the one-pass reader of plain
 * documents took the input.  And the reading par.c's workers record
 * (src/xmlprov.c): replayed, the same result and callbacks, or -1 with
 * nothing recorded exactly when the one-pass reader declines.
 * Seeds: testdata/corpus/xmlbody/.
 * Ownership: the input is borrowed; nothing outlives the call.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmlbody.h"
#include "xmlprov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct acc {
	unsigned sum;
	int groups;
	uint64_t trace;         /* FNV-1a of every callback and its strings */
};

static void trace(struct acc *a, const char *s)
{
	do {
		a->trace ^= (unsigned char)*s;
		a->trace *= 0x100000001b3ULL;
	} while (*s++);
}

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
	trace(a, "G");
	trace(a, group);
}

static void on_prop(void *ud, const char *group, const char *name,
		    const char *value)
{
	struct acc *a = ud;
	a->sum += touch(group, 127) + touch(name, 127) + touch(value, 511);
	trace(a, "P");
	trace(a, group);
	trace(a, name);
	trace(a, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sv body = { (const char *)data, size };
	struct xmlbody_fault f;
	struct acc a = { 0, 0, 0xcbf29ce484222325ULL };
	struct acc o = a;
	struct xmlbody_prov_sink sink = { on_group, on_prop, &a };
	struct xmlbody_prov_sink oracle = { on_group, on_prop, &o };
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
	/* the oracle: libxml2's tree, the same result and callbacks */
	if (xmlbody_provisioning_tree(body, &oracle) != rc ||
	    o.trace != a.trace || o.groups != a.groups)
		abort();

	/* recorded and replayed (par.c's workers, sess.c) */
	struct xmlprov x;
	struct acc r = { 0, 0, 0xcbf29ce484222325ULL };
	struct xmlbody_prov_sink replay = { on_group, on_prop, &r };
	xmlprov_init(&x);
	int rx = xmlprov_read(&x, body);
	if (rx < 0) {
		if (rx != -1 || x.n != 0 ||
		    xmlbody_provisioning_fast(body, NULL) != -1)
			abort();
	} else if (rx != rc || xmlprov_replay(&x, &replay) != rc ||
		   r.trace != a.trace || r.groups != a.groups) {
		abort();
	}
	xmlprov_free(&x);

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
