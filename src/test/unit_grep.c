/* SPDX-License-Identifier: MIT */
/*
 * unit_grep.c -- unit tests of the PCRE2 wrapper (grep.c): compile
 * errors with their offset, matching on views that are not
 * NUL-terminated and hold NUL bytes, case folding, reuse.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grep.h"
#include "sv.h"

int main(void)
{
	struct sfb_err err = { 0 };
	struct grep_re *re = grep_new("X-Ms-diagnostics: 28032", 0, &err);
	CHECK(re != NULL);
	const char msg[] = "HTTP/1.1 401 Unauthorized\nX-Ms-diagnostics: "
			   "28032;reason=\"The web ticket is invalid.\"";
	CHECK_INT(grep_match(re, sv_make(msg, sizeof msg - 1), &err), 1);
	/* the view ends before the code: no match past its end */
	CHECK_INT(grep_match(re, sv_make(msg, 45), &err), 0);
	CHECK_INT(grep_match(re, SV_LIT("x-ms-diagnostics: 28032"), &err), 0);
	CHECK_INT(grep_match(re, SV_NULL, &err), 0);
	grep_free(re);

	re = grep_new("x-ms-diagnostics: 280(32|33)", 1, &err);
	CHECK(re != NULL);
	CHECK_INT(grep_match(re, SV_LIT("X-MS-DIAGNOSTICS: 28033"), &err), 1);
	/* bytes after a NUL are still searched */
	static const char nul[] = "a\0X-Ms-Diagnostics: 28032";
	CHECK_INT(grep_match(re, sv_make(nul, sizeof nul - 1), &err), 1);
	int hits = 0;
	for (int i = 0; i < 1000; i++) /* match data is reused */
		hits += grep_match(re, i % 2 ? SV_LIT("no")
				   : SV_LIT("x-ms-diagnostics: 28032"), &err);
	CHECK_INT(hits, 500);
	grep_free(re);

	memset(&err, 0, sizeof err);
	re = grep_new("abc(", 0, &err);
	CHECK(re == NULL);
	CHECK_INT(err.code, SFB_E_REGEX);
	CHECK(strstr(err.msg, "offset 4") != NULL);
	CHECK_INT(err.col, 5);
	grep_free(NULL);

	char v[64];
	grep_version(v, sizeof v);
	CHECK(v[0] >= '1' && v[0] <= '9');

	/* limits: catastrophic backtracking and a deep (.|\n)* on a big
	 * body are errors, never a silent "no match" (issue 8) */
	size_t big = 228 * 1024;
	char *body = malloc(big + 16);
	CHECK(body != NULL);
	memset(body, 'a', big);
	memcpy(body, "provisionGroupList", 18);
	memcpy(body + big, "ZZZMARK", 7);
	re = grep_new("(a+)+c|Call-ID", 0, &err);
	CHECK(re != NULL);
	memset(&err, 0, sizeof err);
	CHECK_INT(grep_match(re, sv_make(body + 18, 40), &err), -1);
	CHECK_INT(err.code, SFB_E_LIMIT);
	CHECK(strstr(err.msg, "limit") != NULL);
	/* the same object still matches after an error */
	CHECK_INT(grep_match(re, SV_LIT("Call-ID: x"), &err), 1);
	CHECK_INT(grep_match(re, SV_LIT("aaac"), &err), 1);
	grep_free(re);
	re = grep_new("provisionGroupList(.|\n)*ZZZMARK", 0, &err);
	CHECK(re != NULL);
	memset(&err, 0, sizeof err);
	CHECK_INT(grep_match(re, sv_make(body, big + 7), &err), -1);
	CHECK_INT(err.code, SFB_E_LIMIT);
	/* written so that it does not backtrack, it finds the mark */
	grep_free(re);
	re = grep_new("(?s)provisionGroupList.*ZZZMARK", 0, &err);
	CHECK_INT(grep_match(re, sv_make(body, big + 7), &err), 1);
	grep_free(re);
	free(body);
	return CHECK_DONE("unit_grep");
}
