/* SPDX-License-Identifier: MIT */
/*
 * unit_rep_html.c -- unit tests of the HTML reporter (rep_html.c): the
 * escaping of log text (entities, control bytes, invalid UTF-8, bidi
 * controls, secrets, CR LF in raw text) and the page frame (the CSP
 * with the nonce given, one script, and nothing else).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rep.h"
#include "sv.h"

static char *html(const char *p, size_t n, int keep_nl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	rep_html_esc(f, p, n, keep_nl);
	fclose(f);
	return buf;
}

#define CHECK_HTML(lit, keep, want)                                      \
	do {                                                             \
		char *got_ = html(lit, sizeof(lit) - 1, keep);           \
		CHECK_SV(sv_cstr(got_), want);                           \
		free(got_);                                              \
	} while (0)

static void test_escape(void)
{
	CHECK_HTML("plain text", 0, "plain text");
	CHECK_HTML("<script>alert(1)</script>", 0,
		   "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_HTML("\"><img src=x onerror='a&b'>", 0,
		   "&quot;&gt;&lt;img src=x onerror=&#39;a&amp;b&#39;&gt;");
	/* control bytes, DEL and NUL become visible escapes */
	CHECK_HTML("a\033[2Jb\x7f", 0, "a\\x1b[2Jb\\x7f");
	CHECK_HTML("a\0b", 0, "a\\x00b");
	/* invalid UTF-8 (bad lead, cut sequence); valid UTF-8 kept */
	CHECK_HTML("\xff\xc3", 0, "\\xff\\xc3");
	CHECK_HTML("caf\xc3\xa9", 0, "caf\xc3\xa9");
	/* a right-to-left override cannot reorder the page */
	CHECK_HTML("a\xe2\x80\xae" "b", 0, "a\\u202eb");
	/* raw text: line feeds and tabs kept, the CR of CR LF dropped */
	CHECK_HTML("A: 1\r\nB:\t<2>\r\n", 1, "A: 1\nB:\t&lt;2&gt;\n");
	CHECK_HTML("a\rb\nc", 0, "a\\rb\\nc");
	/* secrets are masked before escaping */
	CHECK_HTML("X-MS-WebTicket: <opaque>\r\nCSeq: 1", 1,
		   "X-MS-WebTicket: &lt;web ticket, 8 B&gt;\nCSeq: 1");
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void test_page(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rep_html *h = rep_html_new(f, "n0nce");
	CHECK(rep_html_stream(h) == 0);
	rep_html_on_end(h, NULL, NULL, 0);
	rep_html_end(h);
	rep_html_free(h);
	fclose(f);
	CHECK(strncmp(buf, "<!DOCTYPE html>", 15) == 0);
	CHECK(strstr(buf, "default-src 'none'; script-src 'nonce-n0nce'")
	      != NULL);
	CHECK(count(buf, "<script") == 1);
	CHECK(strstr(buf, "<script nonce=\"n0nce\">") != NULL);
	CHECK(count(buf, "</script>") == 1);
	CHECK(strstr(buf, "http://") == NULL || count(buf, "http://") ==
	      count(buf, "http://www.w3.org/2000/svg"));
	CHECK(strstr(buf, "</html>\n") != NULL);
	free(buf);

	/* a random nonce: 32 hex digits, different each report */
	char *b2 = NULL, *b3 = NULL;
	size_t l2 = 0, l3 = 0;
	FILE *f2 = open_memstream(&b2, &l2), *f3 = open_memstream(&b3, &l3);
	struct rep_html *h2 = rep_html_new(f2, NULL);
	struct rep_html *h3 = rep_html_new(f3, NULL);
	rep_html_end(h2);
	rep_html_end(h3);
	rep_html_free(h2);
	rep_html_free(h3);
	fclose(f2);
	fclose(f3);
	const char *n2 = strstr(b2, "'nonce-"), *n3 = strstr(b3, "'nonce-");
	CHECK(n2 && n3 && strspn(n2 + 7, "0123456789abcdef") == 32);
	CHECK(n2 && n3 && memcmp(n2, n3, 39) != 0);
	free(b2);
	free(b3);
}

int main(void)
{
	test_escape();
	test_page();
	return CHECK_DONE("unit_rep_html");
}
