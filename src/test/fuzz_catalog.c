/* SPDX-License-Identifier: MIT */
/*
 * fuzz_catalog.c -- libFuzzer target for the code catalog loader and
 * its lookups (src/catalog.c), fed arbitrary bytes as a catalog file.
 * The first input byte chooses the mode: bit 0 set loads a small fixed
 * catalog first, so that the input is a second layer that can replace
 * its entries and sources or cite them; the rest is the file.
 *
 * A load that fails must say where, inside the input (SFB_E_RULE with
 * "input.yaml:LINE:COL: error: ..." and a line and column that can
 * exist)
 * or that a limit was hit (SFB_E_LIMIT).  A catalog that loads must
 * keep the contract of catalog.h: complete entries whose sources are
 * resolved, exact lookups that find each entry again, bounded lookups
 * of fixed queries and of text taken from the input, and formatting
 * whose length matches in a buffer of any size.  A broken invariant
 * aborts, which libFuzzer and replay.c report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char first[] =
	"sources:\n"
	"  - {key: S, title: the fixed source, location: nowhere}\n"
	"entries:\n"
	"  - code: \"1010\"\n"
	"    kind: ms-diagnostics\n"
	"    name: fixed\n"
	"    meaning: m\n"
	"    step: any\n"
	"    check: c\n"
	"    sources: [S]\n"
	"  - {code: 1000-1999, kind: ms-diagnostics-range, name: r,\n"
	"     meaning: m, step: any, check: c, sources: [S]}\n"
	"  - {code: 0x80EFxxxx, kind: hresult, name: h, meaning: m,\n"
	"     step: any, check: c, sources: [S]}\n";

static const char *const queries[] = {
	"1010", "ms-diagnostics 1010", "1500", "0x80EF01F8", "80ef0191",
	"SEC_E_WRONG_PRINCIPAL", "52e", "NEED NEW CERT", "x-ms-diagnostics:",
	"0x", "c3e93d67", "zzzz",
};

static void check_entry(const struct catalog *cat,
			const struct catalog_entry *e)
{
	if (!e || !e->code[0] || !e->name[0] || !e->meaning[0] ||
	    !e->check[0] || !e->header || e->nsources == 0 ||
	    e->nsources > CATALOG_MAX_LIST ||
	    e->naliases > CATALOG_MAX_LIST ||
	    (unsigned)e->kind >= CATALOG_K__COUNT ||
	    (unsigned)e->step >= CATALOG_S__COUNT)
		abort();
	for (size_t i = 0; i < e->nsources; i++)
		if (!e->sources[i] ||
		    catalog_source_find(cat, e->sources[i]->key) !=
		    e->sources[i])
			abort();
	for (size_t i = 0; i < e->naliases; i++)
		if (!e->aliases[i] || !e->aliases[i][0])
			abort();
	if (e->numeric && e->lo > e->hi)
		abort();
	if (catalog_find(cat, catalog_kind_name(e->kind), e->code) != e)
		abort();
}

static void check_format(const struct catalog_result *r, const char *q)
{
	static char big[1 << 16];
	char small[7];
	size_t n = catalog_format_result_buf(r, q, 0, big, sizeof big);
	size_t m = catalog_format_result_buf(r, q, 0, small, sizeof small);
	if (n != m || n == 0)
		abort();
	if (n < sizeof big && strlen(big) != n)
		abort();
	if (strlen(small) != (n < sizeof small ? n : sizeof small - 1))
		abort();
}

static void check_lookup(const struct catalog *cat, const char *q)
{
	struct catalog_result r;
	size_t n = catalog_lookup(cat, q, &r);
	if (n != r.n || n > CATALOG_MAX_MATCHES)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!r.m[i].entry || r.m[i].how < CATALOG_BY_CODE ||
		    r.m[i].how > CATALOG_BY_TEXT)
			abort();
	check_format(&r, q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int two = data[0] & 1;
	struct catalog_text t[2] = {
		{ "first.yaml", first, sizeof first - 1 },
		{ "input.yaml", (const char *)data + 1, size - 1 },
	};
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	struct catalog *cat = catalog_load_mem(two ? t : t + 1,
					       two ? 2 : 1, &err);
	if (!cat) {
		/* libyaml also breaks lines at CR, NEL, LS and PS: every
		 * break takes at least one byte */
		unsigned long lines = size;
		if (err.code == SFB_E_LIMIT)
			return 0;
		if (err.code != SFB_E_RULE ||
		    strncmp(err.msg, "input.yaml:", 11) != 0 ||
		    !strstr(err.msg, ": error: ") || err.line < 1 ||
		    err.line > lines + 1 || err.col < 1 ||
		    err.col > size + 1)
			abort();
		return 0;
	}
	size_t n = catalog_count(cat);
	if (n > SFB_CATALOG_MAX_ENTRIES || (two && n < 3))
		abort();
	for (size_t i = 0; i < n; i++)
		check_entry(cat, catalog_get(cat, i));
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
		check_lookup(cat, queries[i]);
	/* the input's own words as queries */
	char q[48];
	size_t k = size - 1 < sizeof q - 1 ? size - 1 : sizeof q - 1;
	memcpy(q, data + 1, k);
	q[k] = '\0';
	check_lookup(cat, q);
	for (size_t i = 0; i < n && i < 64; i++) {
		const struct catalog_entry *e = catalog_get(cat, i);
		check_lookup(cat, e->code);
		for (size_t a = 0; a < e->naliases; a++)
			check_lookup(cat, e->aliases[a]);
	}
	catalog_free(cat);
	return 0;
}
