/* SPDX-License-Identifier: MIT */
/*
 * unit_catalog.c -- unit tests of the code catalog (catalog.c) and of
 * the shipped rules/catalog/: every entry complete, every source key
 * defined, no duplicate (kind, code), every researched code present;
 * lookups in each form an engineer types; HRESULT decoding; the id range
 * and HRESULT family fallbacks; layers that replace entries; the plain
 * text of `sfblog explain`; every load error with its exact
 * FILE:LINE:COL message (fixtures in testdata/unit/catalog/).  Run from
 * the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "check.h"

#define SHIPPED "rules/catalog"
#define FIX "testdata/unit/catalog/"

static struct catalog *load1(const char *a, const char *b,
			     struct sfb_err *err)
{
	const char *paths[3] = { a, b, NULL };
	memset(err, 0, sizeof *err);
	return catalog_load(paths, err);
}

/* ------------------------------------------------------------------ */
/* the shipped catalog                                                 */

static void test_shipped_complete(const struct catalog *cat)
{
	size_t n = catalog_count(cat);
	CHECK(n >= 130);
	CHECK(catalog_get(cat, n) == NULL);
	size_t inferred = 0;
	for (size_t i = 0; i < n; i++) {
		const struct catalog_entry *e = catalog_get(cat, i);
		int ok = e && e->code[0] && e->name[0] && e->meaning[0] &&
			 e->check[0] && e->nsources > 0 &&
			 (unsigned)e->kind < CATALOG_K__COUNT &&
			 (unsigned)e->step < CATALOG_S__COUNT && e->header;
		if (!ok)
			fprintf(stderr, "incomplete entry %zu (%s)\n", i,
				e ? e->code : "?");
		CHECK(ok);
		inferred += e->inference;
		for (size_t s = 0; s < e->nsources; s++) {
			const struct catalog_source *src = e->sources[s];
			CHECK(src != NULL);
			if (!src)
				continue;
			CHECK(catalog_source_find(cat, src->key) == src);
			CHECK(src->title[0] && src->location[0]);
		}
		/* no duplicate (kind, code) */
		for (size_t j = i + 1; j < n; j++) {
			const struct catalog_entry *f = catalog_get(cat, j);
			if (f->kind == e->kind &&
			    strcasecmp(f->code, e->code) == 0) {
				fprintf(stderr, "duplicate %s %s\n",
					catalog_kind_name(e->kind), e->code);
				CHECK(0);
			}
		}
	}
	/* the research marks several meanings as inference */
	CHECK(inferred >= 10);
	CHECK(catalog_source_count(cat) >= 46);
	CHECK(catalog_source_get(cat, catalog_source_count(cat)) == NULL);
	const struct catalog_source *s = catalog_source_find(cat, "CISCO");
	CHECK(s && strstr(s->location, "212383"));
	CHECK(catalog_source_find(cat, "NOPE") == NULL);
}

/* Every researched code or signature (CATALOG-RESEARCH.md 1-90). */
static const char *const research[][2] = {
	{ "ms-diagnostics-range", "1000-1999" },        /* 1 */
	{ "ms-diagnostics-range", "17000-17999" },
	{ "note", "ms-diagnostics-header" },            /* 2 */
	{ "ms-diagnostics", "1000" }, { "ms-diagnostics", "1001" },
	{ "ms-diagnostics", "1002" }, { "ms-diagnostics", "1003" },
	{ "ms-diagnostics", "1004" }, { "ms-diagnostics", "1005" },
	{ "ms-diagnostics", "1006" }, { "ms-diagnostics", "1007" },
	{ "ms-diagnostics", "1008" }, { "ms-diagnostics", "1009" },
	{ "ms-diagnostics", "1010" }, { "ms-diagnostics", "1011" },
	{ "ms-diagnostics", "1012" }, { "ms-diagnostics", "1013" },
	{ "ms-diagnostics", "1014" }, { "ms-diagnostics", "1027" },
	{ "ms-diagnostics-public", "4003" },
	{ "ms-diagnostics-public", "4004" },
	{ "ms-diagnostics", "4005" }, { "ms-diagnostics", "4006" },
	{ "ms-diagnostics", "4007" }, { "ms-diagnostics", "4010" },
	{ "ms-diagnostics", "4011" }, { "ms-diagnostics", "4012" },
	{ "ms-diagnostics", "5000" }, { "ms-diagnostics", "5001" },
	{ "ms-diagnostics", "5003" }, { "ms-diagnostics", "15000" },
	{ "ms-diagnostics", "17000" }, { "ms-diagnostics", "17001" },
	{ "ms-diagnostics", "17002" }, { "ms-diagnostics", "17003" },
	{ "ms-diagnostics", "17004" },
	{ "note", "ms-diagnostics-not-handled" },       /* 31 */
	{ "note", "x-ms-diagnostics-header" },          /* 32 */
	{ "note", "web-ticket-auth-methods" },          /* 33 */
	{ "x-ms-diagnostics", "28000" }, { "x-ms-diagnostics", "28032" },
	{ "x-ms-diagnostics", "28033" }, { "x-ms-diagnostics", "28055" },
	{ "x-ms-diagnostics", "28056" }, { "x-ms-diagnostics", "28072" },
	{ "x-ms-diagnostics", "28077" }, { "x-ms-diagnostics", "28081" },
	{ "signature", "webticket-not-sip-enabled" },   /* 41 */
	{ "signature", "webticket-account-disabled" },
	{ "signature", "webticket-password-expired" },
	{ "signature", "webticket-sip-uri-mismatch" },
	{ "signature", "need-new-cert" },               /* 42 */
	{ "signature", "onenable-auth-fail-4004" },     /* 43 */
	{ "signature", "autodiscovery-empty" },         /* 44 */
	{ "signature", "lyncdiscover-cert-other-name" },/* 45 */
	{ "hresult", "0x80EExxxx" }, { "hresult", "0x80EE0011" },
	{ "hresult", "0x80EE0010" }, { "hresult", "0x80EE000C" },
	{ "hresult", "0x80EFxxxx" }, { "hresult", "0xC0430004" },
	{ "hresult", "0x8007052E" }, { "hresult", "0x8007232B" },
	{ "hresult", "0x80072EE2" }, { "hresult", "0x80072EE7" },
	{ "hresult", "0x80072EFD" }, { "hresult", "0x80072F8F" },
	{ "hresult", "0x80004005" },                    /* 58 */
	{ "signature", "trust-model-dialog" },          /* 59 */
	{ "signature", "problem-verifying-certificate" },
	{ "signature", "problem-acquiring-personal-certificate" },
	{ "signature", "server-temporarily-unavailable" },
	{ "signature", "entered-sign-in-address-incorrectly" },
	{ "signature", "cant-sign-in-with-this-version" },
	{ "signature", "stale-cached-sign-in-data" },
	{ "signature", "sign-in-step-tree" },
	{ "signature", "client-clock-skew" },           /* 67 */
	{ "sspi", "SEC_E_LOGON_DENIED" }, { "sspi", "SEC_E_WRONG_PRINCIPAL" },
	{ "sspi", "SEC_E_UNTRUSTED_ROOT" }, { "sspi", "SEC_E_CERT_EXPIRED" },
	{ "sspi", "SEC_E_TIME_SKEW" },
	{ "sspi", "SEC_E_NO_AUTHENTICATING_AUTHORITY" },
	{ "sspi", "SEC_E_UNSUPPORTED_FUNCTION" },
	{ "sspi", "SEC_E_ALGORITHM_MISMATCH" },
	{ "cert", "CERT_E_UNTRUSTEDROOT" }, { "cert", "CERT_E_EXPIRED" },
	{ "cert", "CERT_E_CN_NO_MATCH" },
	{ "cert", "CRYPT_E_NO_REVOCATION_CHECK" },
	{ "cert", "CRYPT_E_REVOCATION_OFFLINE" },
	{ "cls", "SIPPROXY_E_ROUTING" },
	{ "cls", "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH" },
	{ "cls", "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH" },
	{ "cls", "SIPPROXY_E_UNKNOWN_USER_OR_EPID" },
	{ "signature", "cls-diag-expected-fqdn" },      /* 82 */
	{ "signature", "register-401-loop" },
	{ "signature", "kerberos-offered-ntlm-used" },
	{ "signature", "web-kerberos-not-configured" },
	{ "signature", "tls-dsk-cert-revoked" },
	{ "note", "internal-auth-order" },
	{ "signature", "device-registrar-unreachable" },
	{ "note", "scoping" },
	{ "note", "external-intermittent-443-fine" },   /* 90 */
	{ "ad-subcode", "52e" }, { "ad-subcode", "530" },
	{ "ad-subcode", "531" }, { "ad-subcode", "532" },
	{ "ad-subcode", "533" }, { "ad-subcode", "701" },
	{ "ad-subcode", "773" }, { "ad-subcode", "775" },
	{ "sip-status", "401" }, { "sip-status", "403" },
	{ "sip-status", "504" },
};

static void test_shipped_covers_research(const struct catalog *cat)
{
	for (size_t i = 0; i < sizeof research / sizeof research[0]; i++) {
		const struct catalog_entry *e =
			catalog_find(cat, research[i][0], research[i][1]);
		if (!e)
			fprintf(stderr, "missing %s %s\n", research[i][0],
				research[i][1]);
		CHECK(e != NULL);
	}
	/* the inference marks the research asks for */
	CHECK(catalog_find(cat, "ms-diagnostics", "1010")->inference);
	CHECK(catalog_find(cat, "ms-diagnostics", "4004")->inference);
	CHECK(catalog_find(cat, "x-ms-diagnostics", "28032")->inference);
	CHECK(catalog_find(cat, "x-ms-diagnostics", "28077")->inference);
	CHECK(catalog_find(cat, "hresult", "0x80EFxxxx")->inference);
	CHECK(!catalog_find(cat, "hresult", "0x80EF0191")->inference);
	CHECK(!catalog_find(cat, "ms-diagnostics", "1013")->inference);
	/* public ids say so */
	CHECK(strcmp(catalog_find(cat, "ms-diagnostics", "4003")->header,
		     "ms-diagnostics-public") == 0);
	CHECK(strcmp(catalog_find(cat, "ms-diagnostics", "1010")->header,
		     "") == 0);
}

static void test_find(const struct catalog *cat)
{
	const struct catalog_entry *e;
	e = catalog_find(cat, "ms-diagnostics", "1010");
	CHECK(e && e->kind == CATALOG_K_MSDIAG && e->numeric &&
	      e->lo == 1010 && e->hi == 1010 &&
	      e->step == CATALOG_S_S2S);
	CHECK(e && strstr(e->file, "ms-diagnostics.yaml") && e->line > 1);
	/* numeric kinds ignore case and 0x */
	e = catalog_find(cat, "hresult", "0x80ef0191");
	CHECK(e && strcmp(e->code, "0x80EF0191") == 0);
	CHECK(catalog_find(cat, "hresult", "80EF0191") == e);
	CHECK(catalog_find(cat, "ms-diagnostics-public", "4003") ==
	      catalog_find(cat, "ms-diagnostics", "4003"));
	CHECK(catalog_find(cat, "x-ms-diagnostics", "1010") == NULL);
	CHECK(catalog_find(cat, "no-such-kind", "1010") == NULL);
	CHECK(catalog_find(cat, "ms-diagnostics", "999999") == NULL);
	e = catalog_find(cat, "ms-diagnostics-range", "4000-4999");
	CHECK(e && e->lo == 4000 && e->hi == 4999);
	e = catalog_find(cat, "hresult", "0x80EFxxxx");
	CHECK(e && e->lo == 0x80EF0000u && e->hi == 0x80EFFFFFu);
	CHECK(catalog_find(NULL, "hresult", "0x80EFxxxx") == NULL);
}

/*
 * testdata/catalog-check.md records, per entry, the sources its check
 * was verified against: each shipped entry needs its row there, with
 * the same source keys, and no row may be left unchecked.
 */
static void test_check_doc(const struct catalog *cat)
{
	FILE *f = fopen("testdata/catalog-check.md", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	size_t n = catalog_count(cat);
	char *seen = calloc(n ? n : 1, 1);
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		/* | file | kind | code | sources | inference | row | what | */
		char *col[8];
		size_t k = 0;
		if (line[0] != '|' || strncmp(line, "| file", 6) == 0 ||
		    strncmp(line, "|---", 4) == 0)
			continue;
		char *p = line + 1;
		while (k < 8) {
			char *bar = strstr(p, " |");
			if (!bar)
				break;
			*bar = '\0';
			while (*p == ' ')
				p++;
			col[k++] = p;
			p = bar + 2;
		}
		CHECK(k == 7);
		if (k != 7)
			continue;
		CHECK(strcmp(col[6], "NOT CHECKED") != 0 && strlen(col[6]) > 20);
		const struct catalog_entry *e = catalog_find(cat, col[1],
							     col[2]);
		CHECK(e != NULL);
		if (!e) {
			fprintf(stderr, "catalog-check.md: no entry %s %s\n",
				col[1], col[2]);
			continue;
		}
		char keys[512] = "";
		size_t len = 0;
		for (size_t i = 0; i < e->nsources; i++)
			len += (size_t)snprintf(keys + len, sizeof keys - len,
						"%s%s", i ? ", " : "",
						e->sources[i]->key);
		if (strcmp(keys, col[3]) != 0) {
			fprintf(stderr, "catalog-check.md: %s %s cites '%s', "
				"the entry '%s'\n", col[1], col[2], col[3],
				keys);
			CHECK(0);
		}
		CHECK(strcmp(col[4], e->inference ? "yes" : "") == 0);
		for (size_t i = 0; i < n; i++)
			if (catalog_get(cat, i) == e)
				seen[i] = 1;
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!seen[i]) {
			fprintf(stderr, "catalog-check.md: %s %s not "
				"checked\n",
				catalog_kind_name(catalog_get(cat, i)->kind),
				catalog_get(cat, i)->code);
			CHECK(0);
		}
	free(seen);
}

/* ------------------------------------------------------------------ */
/* lookups                                                             */

/* The i-th match of query is kind/code found as how. */
static int has(const struct catalog_result *r, size_t i, const char *kind,
	       const char *code, enum catalog_how how)
{
	if (i >= r->n)
		return 0;
	const struct catalog_entry *e = r->m[i].entry;
	int ok = strcmp(catalog_kind_name(e->kind), kind) == 0 &&
		 strcmp(e->code, code) == 0 && r->m[i].how == how;
	if (!ok)
		fprintf(stderr, "match %zu is %s %s (how %d), expected %s "
			"%s (how %d)\n", i, catalog_kind_name(e->kind),
			e->code, r->m[i].how, kind, code, how);
	return ok;
}

static void test_lookup(const struct catalog *cat)
{
	struct catalog_result r;

	CHECK_INT(catalog_lookup(cat, "1010", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics", "1010", CATALOG_BY_CODE));
	CHECK(!r.has_hr);
	CHECK_INT(catalog_lookup(cat, "  ms-diagnostics 1010 ", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics", "1010", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "ms-diagnostics: 1010", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics", "1010", CATALOG_BY_CODE));
	/* a header value pasted whole, with a sub-code */
	CHECK_INT(catalog_lookup(cat, "ms-diagnostics: 1010.2;reason=\"x\";"
				 "source=\"edge.contoso.com\"", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics", "1010", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "28032 ;source=\"fe\"", &r), 1);
	CHECK(has(&r, 0, "x-ms-diagnostics", "28032", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "MS-DIAGNOSTICS-PUBLIC: 4003", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics", "4003", CATALOG_BY_CODE));
	/* a kind filters: 1010 is no web service id */
	CHECK_INT(catalog_lookup(cat, "x-ms-diagnostics 1010", &r), 0);

	CHECK_INT(catalog_lookup(cat, "28032", &r), 1);
	CHECK(has(&r, 0, "x-ms-diagnostics", "28032", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "X-Ms-diagnostics: 28032", &r), 1);
	CHECK_INT(catalog_lookup(cat, "wsse:InvalidSecurityToken", &r), 1);
	CHECK(has(&r, 0, "x-ms-diagnostics", "28032", CATALOG_BY_ALIAS));

	/* a bare number can be several things: AD sub-code and id range */
	CHECK_INT(catalog_lookup(cat, "530", &r), 2);
	CHECK(has(&r, 0, "ad-subcode", "530", CATALOG_BY_CODE));
	CHECK(has(&r, 1, "ms-diagnostics-range", "0-999",
		  CATALOG_BY_FAMILY));
	CHECK_INT(catalog_lookup(cat, "52e", &r), 1);
	CHECK(has(&r, 0, "ad-subcode", "52e", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "52E", &r), 1);

	/* HRESULTs in every spelling */
	CHECK_INT(catalog_lookup(cat, "0x80ef0191", &r), 2);
	CHECK(has(&r, 0, "hresult", "0x80EF0191", CATALOG_BY_CODE));
	CHECK(has(&r, 1, "sip-status", "401", CATALOG_BY_DECODED));
	CHECK(r.has_hr && r.hr.wrap == CATALOG_HR_SIP && r.hr.code == 401);
	CHECK_INT(catalog_lookup(cat, "80EF0191", &r), 2);
	CHECK(has(&r, 0, "hresult", "0x80EF0191", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "RTC_E_STATUS_CLIENT_UNAUTHORIZED", &r),
		  1);
	CHECK(has(&r, 0, "hresult", "0x80EF0191", CATALOG_BY_ALIAS));
	CHECK_INT(catalog_lookup(cat, "0X8007052E", &r), 1);
	CHECK(has(&r, 0, "hresult", "0x8007052E", CATALOG_BY_CODE));
	CHECK(r.has_hr && r.hr.wrap == CATALOG_HR_WIN32 &&
	      r.hr.code == 1326);
	CHECK_INT(catalog_lookup(cat, "1326", &r), 2);
	CHECK(has(&r, 0, "hresult", "0x8007052E", CATALOG_BY_ALIAS));
	CHECK(has(&r, 1, "ms-diagnostics-range", "1000-1999",
		  CATALOG_BY_FAMILY));
	/* SIP 504 wrapped: the status entry and the family */
	CHECK_INT(catalog_lookup(cat, "0x80EF01F8", &r), 2);
	CHECK(has(&r, 0, "sip-status", "504", CATALOG_BY_DECODED));
	CHECK(has(&r, 1, "hresult", "0x80EFxxxx", CATALOG_BY_FAMILY));
	CHECK(r.hr.code == 504 && r.hr.failure &&
	      strcmp(r.hr.facility_name, "FACILITY_SIP_STATUS_CODE") == 0);
	CHECK_INT(catalog_lookup(cat, "0x80EF0193", &r), 2);
	CHECK(has(&r, 0, "sip-status", "403", CATALOG_BY_DECODED));
	/* an unlisted UCC_E value: its family */
	CHECK_INT(catalog_lookup(cat, "0x80EE0056", &r), 1);
	CHECK(has(&r, 0, "hresult", "0x80EExxxx", CATALOG_BY_FAMILY));
	CHECK(r.hr.wrap == CATALOG_HR_RTC);
	/* an unknown Win32 error: decoded, no entry */
	CHECK_INT(catalog_lookup(cat, "0x80070005", &r), 0);
	CHECK(r.has_hr && r.hr.wrap == CATALOG_HR_WIN32 && r.hr.code == 5);

	/* symbolic names and their values */
	CHECK_INT(catalog_lookup(cat, "SEC_E_WRONG_PRINCIPAL", &r), 1);
	CHECK(has(&r, 0, "sspi", "SEC_E_WRONG_PRINCIPAL", CATALOG_BY_CODE));
	CHECK(!r.has_hr);
	CHECK_INT(catalog_lookup(cat, "sec_e_wrong_principal", &r), 1);
	CHECK_INT(catalog_lookup(cat, "0x80090322", &r), 1);
	CHECK(has(&r, 0, "sspi", "SEC_E_WRONG_PRINCIPAL", CATALOG_BY_ALIAS));
	CHECK(r.has_hr && r.hr.wrap == CATALOG_HR_SECURITY);
	CHECK_INT(catalog_lookup(cat, "0x800B0109", &r), 1);
	CHECK(has(&r, 0, "cert", "CERT_E_UNTRUSTEDROOT", CATALOG_BY_ALIAS));
	CHECK(r.hr.wrap == CATALOG_HR_CERT);
	CHECK_INT(catalog_lookup(cat, "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
				 &r), 1);
	CHECK(has(&r, 0, "cls", "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
		  CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "c3e93d67", &r), 1);
	CHECK(has(&r, 0, "cls", "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
		  CATALOG_BY_ALIAS));
	CHECK(r.has_hr && r.hr.failure && !r.hr.facility_name &&
	      r.hr.wrap == CATALOG_HR_OTHER);

	/* ranges for ids the catalog does not list */
	CHECK_INT(catalog_lookup(cat, "1015", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics-range", "1000-1999",
		  CATALOG_BY_FAMILY));
	CHECK_INT(catalog_lookup(cat, "ms-diagnostics 4141", &r), 1);
	CHECK(has(&r, 0, "ms-diagnostics-range", "4000-4999",
		  CATALOG_BY_FAMILY));
	CHECK_INT(catalog_lookup(cat, "99999", &r), 0);

	/* signatures by their text */
	CHECK_INT(catalog_lookup(cat, "NEED NEW CERT", &r), 1);
	CHECK(has(&r, 0, "signature", "need-new-cert", CATALOG_BY_ALIAS));
	CHECK_INT(catalog_lookup(cat, "need-new-cert", &r), 1);
	CHECK(has(&r, 0, "signature", "need-new-cert", CATALOG_BY_CODE));
	CHECK_INT(catalog_lookup(cat, "personal certificate", &r), 1);
	CHECK(has(&r, 0, "signature",
		  "problem-acquiring-personal-certificate",
		  CATALOG_BY_TEXT));
	/* the text fallback needs 4 characters */
	CHECK_INT(catalog_lookup(cat, "cer", &r), 0);

	/* nothing, and hostile queries */
	CHECK_INT(catalog_lookup(cat, "no such code", &r), 0);
	CHECK_INT(catalog_lookup(cat, "", &r), 0);
	CHECK_INT(catalog_lookup(cat, "ms-diagnostics ", &r), 0);
	CHECK_INT(catalog_lookup(cat, NULL, &r), 0);
	char big[600];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_INT(catalog_lookup(cat, big, &r), 0);
}

static void test_decode(void)
{
	struct catalog_hr hr;
	catalog_hresult_decode(0x80EF0191u, &hr);
	CHECK(hr.failure && !hr.customer && hr.facility == 0xEF &&
	      hr.code == 0x191 && hr.wrap == CATALOG_HR_SIP);
	catalog_hresult_decode(0x8007232Bu, &hr);
	CHECK(hr.wrap == CATALOG_HR_WIN32 && hr.code == 9003 &&
	      strcmp(hr.facility_name, "FACILITY_WIN32") == 0);
	catalog_hresult_decode(0x80004005u, &hr);
	CHECK(hr.wrap == CATALOG_HR_OTHER && hr.facility == 0 &&
	      strcmp(hr.facility_name, "FACILITY_NULL") == 0);
	catalog_hresult_decode(0xC0430004u, &hr);
	CHECK(hr.failure && hr.facility == 0x43 && !hr.facility_name);
	catalog_hresult_decode(0xA0EF0191u, &hr);       /* customer bit */
	CHECK(hr.customer && hr.wrap == CATALOG_HR_OTHER);
	catalog_hresult_decode(0x00000000u, &hr);
	CHECK(!hr.failure && hr.wrap == CATALOG_HR_OTHER);
}

/* ------------------------------------------------------------------ */
/* plain text                                                          */

/* Every line fits width, or is one word too long to break. */
static int lines_fit(const char *s, size_t width)
{
	while (*s) {
		size_t n = strcspn(s, "\n");
		if (n > width) {
			size_t lead = strspn(s, " ");
			if (memchr(s + lead, ' ', n - lead)) {
				fprintf(stderr, "too wide: %.*s\n", (int)n, s);
				return 0;
			}
		}
		s += n + (s[n] == '\n');
	}
	return 1;
}

static void test_format(const struct catalog *cat)
{
	char buf[8192];
	const struct catalog_entry *e =
		catalog_find(cat, "ms-diagnostics", "1013");
	size_t n = catalog_format_buf(e, 0, buf, sizeof buf);
	CHECK(n == strlen(buf));
	CHECK(strncmp(buf, "ms-diagnostics 1013: Significant time skew",
		      42) == 0);
	CHECK(strstr(buf, "\n  step:    authentication\n") != NULL);
	CHECK(strstr(buf, "\n  meaning: The clocks") != NULL);
	CHECK(strstr(buf, "\n  check:   Time") != NULL);
	CHECK(strstr(buf, "\n  sources: OCER-1000p: [MS-OCER]") != NULL);
	CHECK(strstr(buf, "\n             https://learn.microsoft.com/")
	      != NULL);
	CHECK(strstr(buf, "KB2604176") && strstr(buf, "KB-ADMIN"));
	CHECK(strstr(buf, "caution") == NULL);
	CHECK(buf[n - 1] == '\n' && buf[n - 2] != '\n');
	/* wrapped to 78 columns, except a URL that is longer alone */
	CHECK(lines_fit(buf, 78));
	n = catalog_format_buf(e, 50, buf, sizeof buf);
	CHECK(strstr(buf, "\n  meaning: The clocks of the client and the "
		      "server\n           are too far") != NULL);
	CHECK(lines_fit(buf, 50));

	/* every shipped entry formats within 78 columns */
	for (size_t i = 0; i < catalog_count(cat); i++) {
		const struct catalog_entry *x = catalog_get(cat, i);
		size_t len = catalog_format_buf(x, 0, buf, sizeof buf);
		CHECK(len < sizeof buf && lines_fit(buf, 78));
	}

	/* inference is flagged, aliases listed */
	e = catalog_find(cat, "ms-diagnostics", "1010");
	catalog_format_buf(e, 0, buf, sizeof buf);
	CHECK(strstr(buf, "\n  caution: part of this entry is an "
		      "inference") != NULL);
	CHECK(strstr(buf, "\n  aliases: Certificate trust with another")
	      != NULL);

	/* truncation: snprintf convention, always terminated */
	char small[16];
	size_t full = catalog_format_buf(e, 0, small, sizeof small);
	CHECK(full > sizeof small && strlen(small) == sizeof small - 1);
	CHECK(strncmp(small, "ms-diagnostics ", 15) == 0);
	CHECK(catalog_format_buf(e, 0, NULL, 0) == full);

	/* a whole result: the HRESULT, then the entries */
	struct catalog_result r;
	catalog_lookup(cat, "0x80EF01F8", &r);
	n = catalog_format_result_buf(&r, "0x80EF01F8", 0, buf, sizeof buf);
	CHECK(n == strlen(buf));
	const char *head = "HRESULT 0x80EF01F8: failure (severity bit set), "
		"facility 0xEF\n        (FACILITY_SIP_STATUS_CODE), code "
		"0x01F8 (504)\n        SIP status 504 wrapped in an HRESULT";
	CHECK(strncmp(buf, head, strlen(head)) == 0);
	CHECK(strstr(buf, "\n\nsip-status 504: Server time-out\n") != NULL);
	CHECK(strstr(buf, "\n  found:   the value wrapped in the HRESULT\n")
	      != NULL);
	CHECK(strstr(buf, "\n\nhresult 0x80EFxxxx: SIP status code wrapped")
	      != NULL);
	catalog_lookup(cat, "nothing-here", &r);
	catalog_format_result_buf(&r, "nothing-here", 0, buf, sizeof buf);
	CHECK(strcmp(buf, "no catalog entry for 'nothing-here'\n") == 0);

	/* into a FILE */
	FILE *f = tmpfile();
	CHECK(f != NULL);
	if (f) {
		catalog_lookup(cat, "1010", &r);
		CHECK(catalog_format_result(&r, "1010", 0, f) == 0);
		long sz = ftell(f);
		size_t want = catalog_format_result_buf(&r, "1010", 0, NULL,
							0);
		CHECK(sz > 0 && (size_t)sz == want);
		fclose(f);
	}
	/* a write error is reported */
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		CHECK(catalog_format(e, 0, f) == -1);
		fclose(f);
	}
}

/* ------------------------------------------------------------------ */
/* layers and errors                                                   */

static void test_layers(void)
{
	struct sfb_err err;
	struct catalog *cat = load1(SHIPPED, FIX "ok_override.yaml", &err);
	CHECK(cat != NULL);
	if (!cat) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	const struct catalog_entry *e =
		catalog_find(cat, "ms-diagnostics", "1010");
	CHECK(e && strcmp(e->name, "Site text for 1010") == 0);
	CHECK(e && strcmp(e->meaning, "Replaced by the site layer.") == 0);
	CHECK(e && e->nsources == 2 &&
	      strcmp(e->sources[1]->title,
		     "site copy of the SipStack table") == 0);
	/* the replaced source serves the shipped entries too */
	e = catalog_find(cat, "ms-diagnostics", "1003");
	CHECK(e && strcmp(e->sources[0]->location,
			  "https://intranet.example/ocer-1000") == 0);
	/* added, and ms-diagnostics-public is stored as ms-diagnostics */
	e = catalog_find(cat, "ms-diagnostics", "4999");
	CHECK(e && e->kind == CATALOG_K_MSDIAG);
	struct catalog_result r;
	CHECK_INT(catalog_lookup(cat, "4999", &r), 1);
	catalog_free(cat);

	/* an empty file is an empty catalog */
	cat = load1(FIX "empty.yaml", NULL, &err);
	CHECK(cat && catalog_count(cat) == 0);
	catalog_free(cat);
	catalog_free(NULL);
}

static const struct {
	const char *file;
	int with_shipped;
	const char *msg;
} bad[] = {
	{ "bad_yaml.yaml", 0, FIX "bad_yaml.yaml:5:1: error: yaml: found "
	  "unexpected end of stream while scanning a quoted scalar" },
	{ "bad_kind.yaml", 0, FIX "bad_kind.yaml:3:11: error: unknown kind "
	  "(ms-diagnostics, ms-diagnostics-public, ms-diagnostics-range, "
	  "x-ms-diagnostics, "
	  "sip-status, hresult, sspi, cert, cls, ad-subcode, signature or "
	  "note)" },
	{ "bad_step.yaml", 0, FIX "bad_step.yaml:6:13: error: unknown step "
	  "(discovery, connectivity, authentication, redirection, settings, "
	  "server-to-server, after-sign-in or any)" },
	{ "missing_key.yaml", 0, FIX "missing_key.yaml:3:5: error: entry "
	  "lacks 'check'" },
	{ "unknown_key.yaml", 0, FIX "unknown_key.yaml:8:5: error: unknown "
	  "key 'remedy' in an entry (code, kind, name, header, aliases, "
	  "meaning, step, check, sources, inference)" },
	{ "dup_entry.yaml", 0, FIX "dup_entry.yaml:5:12: error: duplicate "
	  "entry hresult 0x80ef0191 (first defined at " FIX
	  "dup_entry.yaml:4)" },
	{ "bad_code.yaml", 0, FIX "bad_code.yaml:4:11: error: bad hresult "
	  "code '0x80EF019': expected 0x and 8 hex digits, or a family such "
	  "as 0x80EExxxx" },
	{ "unknown_source.yaml", 0, FIX "unknown_source.yaml:11:15: error: "
	  "unknown source 'NO-SUCH' (define it in a sources: list)" },
	{ "dup_key.yaml", 0, FIX "dup_key.yaml:5:5: error: duplicate key "
	  "'code' (first at line 2)" },
	{ "not_mapping.yaml", 0, FIX "not_mapping.yaml:1:1: error: a catalog "
	  "file must be a mapping of keys, not a list" },
	{ "two_docs.yaml", 0, FIX "two_docs.yaml:3:1: error: a catalog file "
	  "holds one YAML document" },
	{ "nul_escape.yaml", 0, FIX "nul_escape.yaml:3:12: error: title "
	  "contains a NUL character" },
	{ "sources_not_list.yaml", 0, FIX "sources_not_list.yaml:2:3: error: "
	  "sources must be a list, not a mapping" },
	{ "empty_sources.yaml", 0, FIX "empty_sources.yaml:2:93: error: an "
	  "entry needs at least one source" },
	{ "header_wrong_kind.yaml", 1, FIX "header_wrong_kind.yaml:4:5: "
	  "error: 'header' is only for ms-diagnostics entries" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sfb_err err;
		char path[256];
		snprintf(path, sizeof path, FIX "%s", bad[i].file);
		struct catalog *cat = bad[i].with_shipped
			? load1(SHIPPED, path, &err)
			: load1(path, NULL, &err);
		CHECK(cat == NULL);
		catalog_free(cat);
		CHECK(err.code == SFB_E_RULE);
		if (strcmp(err.msg, bad[i].msg) != 0) {
			fprintf(stderr, "%s:\n  got  '%s'\n  want '%s'\n",
				bad[i].file, err.msg, bad[i].msg);
			CHECK(0);
		}
		CHECK(err.line > 0 && err.col > 0);
	}
	/* a duplicate across files of one directory is an error too */
	struct sfb_err err;
	const char *twice[] = { SHIPPED, NULL };
	memset(&err, 0, sizeof err);
	struct catalog *cat = catalog_load(twice, &err);
	CHECK(cat != NULL);
	catalog_free(cat);
	/* missing paths */
	cat = load1(FIX "no-such.yaml", NULL, &err);
	CHECK(cat == NULL && err.code == SFB_E_IO &&
	      strstr(err.msg, "cannot open") != NULL);
	cat = load1("testdata/unit/no-such-dir/", NULL, &err);
	CHECK(cat == NULL && err.code == SFB_E_IO);
	/* the names of kinds and steps round-trip */
	for (int k = 0; k < CATALOG_K__COUNT; k++)
		CHECK(catalog_kind_parse(catalog_kind_name(
			(enum catalog_kind)k)) == k);
	for (int s = 0; s < CATALOG_S__COUNT; s++)
		CHECK(catalog_step_parse(catalog_step_name(
			(enum catalog_step)s)) == s);
	CHECK(catalog_sfb_step(CATALOG_S_DISCOVERY) == SFB_STEP_DISCOVERY);
	CHECK(catalog_sfb_step(CATALOG_S_AUTH) == SFB_STEP_AUTH);
	CHECK(catalog_sfb_step(CATALOG_S_SETTINGS) == SFB_STEP_SETTINGS);
	CHECK(catalog_sfb_step(CATALOG_S_S2S) == SFB_STEP_NONE);
	CHECK(catalog_sfb_step(CATALOG_S_ANY) == SFB_STEP_NONE);
	CHECK(catalog_kind_parse("nope") == -1);
	CHECK(catalog_step_parse(NULL) == -1);
}

int main(void)
{
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	const char *paths[] = { SHIPPED, NULL };
	struct catalog *cat = catalog_load(paths, &err);
	CHECK(cat != NULL);
	if (!cat) {
		fprintf(stderr, "unit_catalog: %s\n", err.msg);
		return CHECK_DONE("unit_catalog");
	}
	test_shipped_complete(cat);
	test_shipped_covers_research(cat);
	test_find(cat);
	test_check_doc(cat);
	test_lookup(cat);
	test_decode();
	test_format(cat);
	catalog_free(cat);
	test_layers();
	test_errors();
	return CHECK_DONE("unit_catalog");
}
