/* SPDX-License-Identifier: MIT */
/*
 * unit_xmlprov.c -- unit tests of src/xmlprov.c: a provisioning body
 * read once and replayed gives the same callbacks, in the same order,
 * and the same result as xmlbody_provisioning on the body itself, or
 * is declined (-1, nothing recorded) exactly when the one-pass reader
 * declines it; for the fixture, a body cut short, a long group of 2000
 * properties (recorded in less than its own size), a body with a NUL,
 * one that is not provisioning and an empty one; and a reading reused
 * for another body keeps nothing of the first.  Fixture: testdata/unit/xmlbody_provisioning.xml (run
 * from the top directory, as `make unit` does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sv.h"
#include "xmlbody.h"
#include "xmlprov.h"

/* The callbacks as one text, "G:group\n" and "P:group|name|value\n". */
struct log {
	char *p;
	size_t n, cap;
	size_t ngroups, nprops;
};

static void add(struct log *l, const char *s)
{
	size_t n = strlen(s);
	if (l->n + n + 1 > l->cap) {
		l->cap = (l->n + n + 1) * 2;
		l->p = realloc(l->p, l->cap);
		if (!l->p)
			exit(2);
	}
	memcpy(l->p + l->n, s, n + 1);
	l->n += n;
}

static void on_group(void *ud, const char *group)
{
	struct log *l = ud;
	l->ngroups++;
	add(l, "G:");
	add(l, group);
	add(l, "\n");
}

static void on_prop(void *ud, const char *group, const char *name,
		    const char *value)
{
	struct log *l = ud;
	l->nprops++;
	add(l, "P:");
	add(l, group);
	add(l, "|");
	add(l, name);
	add(l, "|");
	add(l, value);
	add(l, "\n");
}

/*
 * body read directly and through x: the same rc and callbacks; or x
 * declined it (-1, nothing recorded) and so does the one-pass reader.
 */
static int same(struct xmlprov *x, struct sv body, size_t *nprops)
{
	struct log a = { 0 }, b = { 0 };
	struct xmlbody_prov_sink sa = { on_group, on_prop, &a };
	struct xmlbody_prov_sink sb = { on_group, on_prop, &b };
	int rx = xmlprov_read(x, body);
	int ok;
	if (rx < 0) {
		ok = rx == -1 && x->n == 0 &&
		     xmlbody_provisioning_fast(body, &sa) == -1 && a.n == 0;
		*nprops = 0;
		free(a.p);
		return ok;
	}
	int ra = xmlbody_provisioning(body, &sa);
	int rb = xmlprov_replay(x, &sb);
	ok = ra == rx && ra == rb && a.n == b.n &&
	     a.ngroups == b.ngroups && a.nprops == b.nprops &&
	     (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
	*nprops = a.nprops;
	free(a.p);
	free(b.p);
	return ok;
}

int main(void)
{
	FILE *f = fopen("testdata/unit/xmlbody_provisioning.xml", "rb");
	static char buf[1 << 16];
	size_t n = 0, nprops = 0;
	CHECK(f != NULL);
	if (f) {
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
	}
	CHECK(n > 0 && n < sizeof buf);
	struct xmlprov x;
	xmlprov_init(&x);
	CHECK(x.rc == XMLBODY_NONE);

	/* the fixture has an entity or comment, which the one-pass reader
	 * leaves to libxml2: declined, and said so */
	CHECK(same(&x, sv_make(buf, n), &nprops));
	CHECK(x.rc == -1);

	/* cut short: not well-formed (the one-pass reader may decline it:
	 * the session stage reads it then) */
	CHECK(same(&x, sv_make(buf, n / 2), &nprops));
	CHECK(x.rc == XMLBODY_BAD || x.rc == -1);

	/* many properties of one long-named group: recorded in less than
	 * the body, the group once (review: it was once a property, 12
	 * times the body) */
	{
		static char big[1 << 17];
		size_t k = 0;
		k += (size_t)snprintf(big + k, sizeof big - k,
			"<provisionGroupList xmlns=\"http://schemas.microsoft"
			".com/2006/09/sip/provisiongrouplist-notification\">"
			"<provisionGroup name=\"%0120d\">", 7);
		for (int i = 0; i < 2000; i++)
			k += (size_t)snprintf(big + k, sizeof big - k,
				"<property name=\"p%d\">v</property>", i);
		k += (size_t)snprintf(big + k, sizeof big - k,
				      "</provisionGroup></provisionGroupList>");
		CHECK(k < sizeof big);
		CHECK(same(&x, sv_make(big, k), &nprops));
		CHECK(x.rc == 1);
		CHECK(nprops == 2000);
		CHECK(x.n < k);
	}
	/* a NUL in the body: the one-pass reader declines, x records
	 * nothing and says so */
	{
		static const char nul[] = "<provisionGroupList><provisionGroup"
					  " name=\"a\">\0</provisionGroup>"
					  "</provisionGroupList>";
		CHECK(xmlprov_read(&x, sv_make(nul, sizeof nul - 1)) == -1);
		CHECK(x.n == 0);
		CHECK(same(&x, sv_make(nul, sizeof nul - 1), &nprops));
	}

	/* not provisioning, then empty: nothing of the first is kept */
	CHECK(same(&x, sv_cstr("<presentity><note>hi</note></presentity>"),
		   &nprops));
	CHECK(x.rc == XMLBODY_NONE);
	CHECK(nprops == 0);
	CHECK(same(&x, sv_make("", 0), &nprops));
	CHECK(x.n == 0);

	/* a replay with no callbacks set still returns the result */
	CHECK(xmlprov_read(&x, sv_cstr("<provisionGroupList><provisionGroup"
				       " name=\"a\"/></provisionGroupList>"))
	      > 0);
	struct xmlbody_prov_sink none = { NULL, NULL, NULL };
	CHECK(xmlprov_replay(&x, &none) == x.rc);

	xmlprov_free(&x);
	xmlprov_free(&x);
	return CHECK_DONE("unit_xmlprov");
}
