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

/*
 * Random texts made of hostile pieces: the terminal form holds no
 * control byte and is its own terminal form; the JSON form holds no
 * NUL and is its own JSON form (valid UTF-8, secrets masked once).
 */
static void test_random(void)
{
	static const char *const piece[] = {
		"a", "Call-ID: ", "\033", "[2J", "\a", "\n", "\r", "\t",
		"\xff", "\xc2\x9b", "\xc2", "\xe2\x80\xae", "\xed\xa0\x80",
		"\xf0\x9f\x98\x80", "\x7f", "\\", "gssapi-data=", "\"",
		"Cookie: ", "X-MS-WebTicket:", "<saml:Assertion>",
		"</saml:Assertion>", "NTLM ", "TlRMTVNTUAABAAAAB4II", ", ",
		"opaque=", ";opaque=", "<", ">", "\xc3\xbc",
	};
	const size_t np = sizeof piece / sizeof piece[0];
	unsigned long seed = 12345;
	int term_ok = 1, json_ok = 1;
	for (int round = 0; round < 20000; round++) {
		char in[512];
		size_t n = 0;
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		int k = (int)(seed >> 59);
		for (int i = 0; i < k; i++) {
			seed = seed * 6364136223846793005ul + 1;
			const char *p = piece[(seed >> 33) % np];
			size_t len = strlen(p);
			if ((seed >> 20) % 9 == 0) {
				in[n++] = '\0';        /* a NUL too */
				continue;
			}
			memcpy(in + n, p, len);
			n += len;
		}
		char *t = term(in, n, 0);
		for (const char *c = t; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				term_ok = 0;
		if (!esc_clean(t, strlen(t)))
			term_ok = 0;
		free(t);
		char *j = esc_utf8(sv_make(in, n));
		char *j2 = esc_utf8(sv_cstr(j));
		if (strcmp(j, j2) != 0 && json_ok) {
			json_ok = 0;
			fprintf(stderr, "json form not stable:\n%s\n%s\n", j,
				j2);
			for (size_t q = 0; q < n; q++)
				fprintf(stderr, "%02x ", (unsigned char)in[q]);
			fputc('\n', stderr);
		}
		free(j);
		free(j2);
	}
	CHECK(term_ok);
	CHECK(json_ok);
}

int main(void)
{
	test_random();
	test_terminal();
	test_tmp();
	test_utf8();
	test_long_error();
	return CHECK_DONE("unit_esc");
}
