/* SPDX-License-Identifier: MIT */
/*
 * unit_compare.c -- compare.c on synthetic feature vectors: the counts
 * per group, the separation thresholds, the order, the cap; and the
 * features of a session.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "compare.h"

static void vec(struct compare *c, enum compare_group g, const char *cert,
		const char *disc, const char *extra)
{
	struct compare_vec v;
	memset(&v, 0, sizeof v);
	v.group = g;
	compare_vec_add(&v, "cert", cert);
	compare_vec_add(&v, "discovery", disc);
	compare_vec_add(&v, "discovery", disc);     /* repeat: once */
	if (extra)
		compare_vec_add(&v, "diag", extra);
	compare_add(c, &v);
}

static void test_separate(void)
{
	struct compare *c = compare_new();
	const struct compare_sep *s;
	/* nothing to compare without both groups */
	vec(c, COMPARE_FAILED, "no", "autodiscover", "28032");
	CHECK_INT(compare_separate(c, &s), 0);
	for (int i = 1; i < 14; i++)
		vec(c, COMPARE_FAILED, "no", "autodiscover",
		    i < 13 ? "28032" : NULL);
	for (int i = 0; i < 32; i++)
		vec(c, COMPARE_OK, "yes", i < 3 ? "autodiscover" : "dns",
		    NULL);
	vec(c, COMPARE_OTHER, "yes", "autodiscover", NULL);
	CHECK_INT(compare_count(c, COMPARE_FAILED), 14);
	CHECK_INT(compare_count(c, COMPARE_OK), 32);
	CHECK_INT(compare_count(c, COMPARE_OTHER), 1);
	size_t n = compare_separate(c, &s);
	/* cert=no, cert=yes (gap 1); discovery=autodiscover (1 - 3/32),
	 * discovery=dns (29/32); diag=28032 13/14 = 0.93 >= 0.9 */
	CHECK_INT(n, 5);
	CHECK(n >= 2 && strcmp(s[0].name, "cert") == 0 &&
	      strcmp(s[0].value, "no") == 0);
	CHECK(n >= 2 && s[0].nfail == 14 && s[0].nok == 0);
	CHECK(n >= 2 && strcmp(s[1].value, "yes") == 0 && s[1].nok == 32);
	/* 13/14 = 0.93 before 29/32 = 0.91 (a tie: by value) */
	CHECK(n >= 5 && strcmp(s[2].name, "diag") == 0 &&
	      s[2].nfail == 13 && s[2].share_fail > 0.92);
	CHECK(n >= 5 && strcmp(s[3].name, "discovery") == 0 &&
	      strcmp(s[3].value, "autodiscover") == 0 && s[3].nok == 3);
	CHECK(n >= 5 && strcmp(s[4].value, "dns") == 0 && s[4].nok == 29);
	for (size_t i = 1; i < n; i++)
		CHECK((s[i - 1].share_fail - s[i - 1].share_ok) *
		      (s[i - 1].share_fail - s[i - 1].share_ok) >=
		      (s[i].share_fail - s[i].share_ok) *
		      (s[i].share_fail - s[i].share_ok));
	/* one more failing sign-in without 28032: 13/15 < 0.9, gone */
	vec(c, COMPARE_FAILED, "no", "autodiscover", NULL);
	n = compare_separate(c, &s);
	CHECK_INT(n, 4);
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(s[i].name, "diag") != 0);
	compare_free(c);
	compare_free(NULL);
}

static void test_cap(void)
{
	struct compare *c = compare_new();
	char b[32];
	for (int i = 0; i < COMPARE_MAX_VALUES + 10; i++) {
		struct compare_vec v;
		memset(&v, 0, sizeof v);
		v.group = i % 2 ? COMPARE_OK : COMPARE_FAILED;
		snprintf(b, sizeof b, "v%d", i);
		compare_vec_add(&v, "version", b);
		compare_add(c, &v);
	}
	CHECK_INT(compare_dropped(c), 10);
	const struct compare_sep *s;
	CHECK_INT(compare_separate(c, &s), 0);
	compare_free(c);
	struct compare_vec v;
	memset(&v, 0, sizeof v);
	for (int i = 0; i < COMPARE_MAX_FEAT + 5; i++) {
		snprintf(b, sizeof b, "%d", i);
		compare_vec_add(&v, "x", b);
	}
	CHECK_INT(v.n, COMPARE_MAX_FEAT);
}

static void test_extract(void)
{
	struct sess s;
	memset(&s, 0, sizeof s);
	s.outcome = SESS_FAILED_OUT;
	s.auth_offered = SESS_AUTH_NTLM | SESS_AUTH_TLSDSK;
	s.nhttp = 2;
	s.http[0].kind = SESS_HTTP_AUTODISCOVER;
	s.http[0].status = 401;
	s.http[0].diag_code = 28032;
	s.http[1].kind = SESS_HTTP_WEBTICKET;
	s.http[1].status = 401;
	s.http[1].diag_code = 28032;
	struct compare_vec v;
	compare_extract(&v, &s);
	CHECK_INT(v.group, COMPARE_FAILED);
	int seen = 0;
	for (size_t i = 0; i < v.n; i++) {
		const char *n = v.f[i].name, *x = v.f[i].value;
		seen += strcmp(n, "TLS-DSK certificate") == 0 &&
			strcmp(x, "not presented") == 0;
		seen += strcmp(n, "auth used") == 0 && strcmp(x, "none") == 0;
		seen += strcmp(n, "auth offered") == 0 &&
			strcmp(x, "TLS-DSK") == 0;
		seen += strcmp(n, "discovery") == 0 &&
			strcmp(x, "autodiscover") == 0;
		seen += strcmp(n, "web ticket") == 0 &&
			strcmp(x, "refused") == 0;
		seen += strcmp(n, "ms-diagnostics") == 0 &&
			strcmp(x, "28032") == 0;   /* once, not twice */
		seen += strcmp(n, "server") == 0 && strcmp(x, "none") == 0;
	}
	CHECK_INT(seen, 7);
	s.outcome = SESS_INCOMPLETE;
	compare_extract(&v, &s);
	CHECK_INT(v.group, COMPARE_OTHER);
}

int main(void)
{
	test_separate();
	test_cap();
	test_extract();
	return CHECK_DONE("unit_compare");
}
