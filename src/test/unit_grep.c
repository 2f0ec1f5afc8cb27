/* SPDX-License-Identifier: MIT */
/*
 * unit_grep.c -- unit tests of the PCRE2 wrapper (grep.c): compile
 * errors with their offset, matching on views that are not
 * NUL-terminated and hold NUL bytes, case folding, reuse.
 */
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
	CHECK_INT(grep_match(re, sv_make(msg, sizeof msg - 1)), 1);
	/* the view ends before the code: no match past its end */
	CHECK_INT(grep_match(re, sv_make(msg, 45)), 0);
	CHECK_INT(grep_match(re, SV_LIT("x-ms-diagnostics: 28032")), 0);
	CHECK_INT(grep_match(re, SV_NULL), 0);
	grep_free(re);

	re = grep_new("x-ms-diagnostics: 280(32|33)", 1, &err);
	CHECK(re != NULL);
	CHECK_INT(grep_match(re, SV_LIT("X-MS-DIAGNOSTICS: 28033")), 1);
	/* bytes after a NUL are still searched */
	static const char nul[] = "a\0X-Ms-Diagnostics: 28032";
	CHECK_INT(grep_match(re, sv_make(nul, sizeof nul - 1)), 1);
	int hits = 0;
	for (int i = 0; i < 1000; i++) /* match data is reused */
		hits += grep_match(re, i % 2 ? SV_LIT("no")
					       : SV_LIT("x-ms-diagnostics: 28032"));
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
	return CHECK_DONE("unit_grep");
}
