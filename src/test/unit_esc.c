/* SPDX-License-Identifier: MIT */
/*
 * unit_esc.c -- unit tests of the sanitiser (esc.c): the terminal form
 * of every kind of byte, the JSON form (valid UTF-8, no NUL), and the
 * long error texts of err.c that keep their reason.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "esc.h"
#include "sv.h"

/* The terminal form of (p,n) with flags, as a malloc'd string. */
static char *term(const char *p, size_t n, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	esc_write(f, p, n, flags);
	fclose(f);
	return buf;
}

#define CHECK_TERM(lit, flags, want)                                     \
	do {                                                             \
		char *got_ = term(lit, sizeof(lit) - 1, flags);          \
		CHECK_SV(sv_cstr(got_), want);                           \
		free(got_);                                              \
	} while (0)

static void test_terminal(void)
{
	CHECK_TERM("plain text: a\\b", 0, "plain text: a\\b");
	/* ESC, BEL, an OSC title, clear screen */
	CHECK_TERM("\033]0;pwned\007x\033[2J", 0,
		   "\\x1b]0;pwned\\x07x\\x1b[2J");
	CHECK_TERM("a\nb\tc\rd", 0, "a\\nb\\tc\\rd");
	CHECK_TERM("a\nb\tc\rd", ESC_KEEP_NL, "a\nb\tc\\rd");
	CHECK_TERM("\x7f\x01", 0, "\\x7f\\x01");
	CHECK_TERM("x\0y", 0, "x\\x00y");
	/* valid UTF-8 stays; C1 controls and bidi overrides do not */
	CHECK_TERM("verf\xc3\xbcgbar \xe2\x82\xac \xf0\x9f\x98\x80", 0,
		   "verf\xc3\xbcgbar \xe2\x82\xac \xf0\x9f\x98\x80");
	CHECK_TERM("\xc2\x9b" "31m", 0, "\\u009b31m");
	CHECK_TERM("\xc2\x85", 0, "\\u0085");
	CHECK_TERM("a\xe2\x80\xae" "b", 0, "a\\u202eb");
	/* invalid: bare 8-bit C1 byte, bad lead, cut, overlong,
	 * surrogate, above U+10FFFF */
	CHECK_TERM("\x9b" "2J", 0, "\\x9b2J");
	CHECK_TERM("\xff\xfe", 0, "\\xff\\xfe");
	CHECK_TERM("\xc3", 0, "\\xc3");
	CHECK_TERM("\xe2\x82", 0, "\\xe2\\x82");
	CHECK_TERM("\xc0\xaf", 0, "\\xc0\\xaf");
	CHECK_TERM("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	CHECK_TERM("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80");
	CHECK(esc_clean("abc \xc3\xbc", 6));
	CHECK(!esc_clean("abc\033", 4));
	CHECK(!esc_clean("file\nname", 9));
}

static void test_tmp(void)
{
	struct esc_tmp t = ESC_TMP_INIT;
	const char *clean = "sip:alice@contoso.com";
	CHECK(esc_str(&t, clean) == clean);
	CHECK_INT(t.n, 0);
	/* (CHECK_SV evaluates its argument more than once) */
	const char *a = esc_str(&t, "two\nlines");
	const char *b = esc_str(&t, "\033[31mred");
	CHECK_SV(sv_cstr(a), "two\\nlines");
	CHECK_SV(sv_cstr(b), "\\x1b[31mred");
	CHECK_INT(t.n, 2);
	CHECK_SV(sv_cstr(esc_str(&t, NULL)), "");
	for (int i = 0; i < 40; i++)
		(void)esc_str(&t, "\a");
	CHECK_INT(t.n, 42);
	esc_tmp_free(&t);
	CHECK_INT(t.n, 0);
}

static void test_utf8(void)
{
	char *s = esc_utf8(SV_LIT("caf\xc3\xa9 ok"));
	CHECK_SV(sv_cstr(s), "caf\xc3\xa9 ok");
	free(s);
	/* each invalid byte and each NUL becomes U+FFFD; nothing is cut */
	s = esc_utf8(SV_LIT("a\xff" "b\0c\xc3"));
	CHECK_SV(sv_cstr(s), "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd");
	free(s);
	s = esc_utf8(SV_LIT("\xed\xa0\x80"));
	CHECK_SV(sv_cstr(s), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	/* controls are JSON's business (cJSON writes \u001b) */
	s = esc_utf8(SV_LIT("\033x"));
	CHECK_SV(sv_cstr(s), "\033x");
	free(s);
	s = esc_utf8(SV_NULL);
	CHECK_SV(sv_cstr(s), "");
	free(s);
}

/* A long path does not cut the reason (issue 8). */
static void test_long_error(void)
{
	struct sfb_err e;
	char path[5000];
	memset(path, 'p', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	sfb_err_set(&e, SFB_E_IO, 2, "cannot read '%.300s': %s", path,
		    "No such file or directory");
	CHECK(strstr(e.msg, "': No such file or directory") != NULL);
	CHECK_INT(strlen(e.msg), 13 + 300 + 28);
	sfb_err_set(&e, SFB_E_IO, 2, "cannot read '%s': %s", path,
		    "No such file or directory");
	CHECK_INT(strlen(e.msg), sizeof e.msg - 1);
	CHECK(strncmp(e.msg, "cannot read 'ppp", 16) == 0);
	CHECK(strstr(e.msg, "ppp...ppp") != NULL);
	size_t n = strlen(e.msg);
	CHECK(n > 28 && strcmp(e.msg + n - 28,
			       "': No such file or directory") == 0);
}

int main(void)
{
	test_terminal();
	test_tmp();
	test_utf8();
	test_long_error();
	return CHECK_DONE("unit_esc");
}
