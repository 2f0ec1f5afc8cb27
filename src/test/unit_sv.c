/* SPDX-License-Identifier: MIT */
/*
 * unit_sv.c -- unit tests of the string views and parse steps (sv.c)
 * and of the shared helpers in err.c (error table, log time).
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "sfb.h"
#include "sv.h"

static void test_compare(void)
{
	CHECK(sv_eq(SV_LIT("abc"), SV_LIT("abc")));
	CHECK(!sv_eq(SV_LIT("abc"), SV_LIT("abd")));
	CHECK(!sv_eq(SV_LIT("abc"), SV_LIT("ab")));
	CHECK(sv_eq(SV_NULL, SV_LIT("")));
	CHECK(sv_ieq(SV_LIT("Call-ID"), SV_LIT("CALL-id")));
	CHECK(!sv_ieq(SV_LIT("Call-ID"), SV_LIT("Call-IE")));
	CHECK(sv_ieq_cstr(SV_LIT("VIA"), "via"));
	/* 8 bytes and more go a word at a time, the last word overlapping */
	CHECK(sv_ieq(SV_LIT("Content-Length"), SV_LIT("CONTENT-length")));
	CHECK(sv_ieq(SV_LIT("ms-diagnostics-public"),
		     SV_LIT("MS-Diagnostics-Public")));
	CHECK(!sv_ieq(SV_LIT("Content-Length"), SV_LIT("Content-Lengtx")));
	CHECK(!sv_ieq(SV_LIT("Content-Length"), SV_LIT("xontent-Length")));
	CHECK(!sv_ieq(SV_LIT("Content-Length"), SV_LIT("Content_Length")));
	/* bytes 0x20 apart that are no letters differ, in a word too */
	CHECK(!sv_ieq(SV_LIT("abcdefgh@"), SV_LIT("ABCDEFGH`")));
	CHECK(!sv_ieq(SV_LIT("abcdefgh[x"), SV_LIT("abcdefgh{x")));
	CHECK(!sv_ieq(SV_LIT("12345678\xc1"), SV_LIT("12345678\xe1")));
	CHECK(sv_ieq(SV_LIT("12345678\xc1"), SV_LIT("12345678\xc1")));
	CHECK(sv_starts(SV_LIT("SIP/2.0 200 OK"), "SIP/2.0"));
	CHECK(!sv_starts(SV_LIT("SIP"), "SIP/2.0"));
	CHECK(sv_istarts(SV_LIT("x-ms-diagnostics: 1"), "X-MS-"));
	CHECK_SV(sv_trim(SV_LIT(" \t a b \t")), "a b");
	CHECK_SV(sv_trim(SV_LIT("   ")), "");
}

static void test_find_split(void)
{
	CHECK_INT(sv_find_char(SV_LIT("a;b"), ';'), 1);
	CHECK_INT(sv_find_char(SV_LIT("ab"), ';'), -1);
	CHECK_INT(sv_find(SV_LIT("xxEnd of yy"), "End of"), 2);
	CHECK_INT(sv_find(SV_LIT("End o"), "End of"), -1);
	CHECK_INT(sv_find(SV_LIT("aaab"), "aab"), 1);
	CHECK_INT(sv_ifind(SV_LIT("x REASON=y"), "reason="), 2);
	/* candidates of both cases, in order; the last possible start */
	CHECK_INT(sv_ifind(SV_LIT("Rr rEAs reason"), "reason"), 8);
	CHECK_INT(sv_ifind(SV_LIT("rREASON"), "reason"), 1);
	CHECK_INT(sv_ifind(SV_LIT("abcHREF"), "href"), 3);
	CHECK_INT(sv_ifind(SV_LIT("abcHRE"), "href"), -1);
	CHECK_INT(sv_ifind(SV_LIT("\"\"\"token\":"), "\"TOKEN\""), 2);
	CHECK_INT(sv_ifind(SV_LIT("x"), "xy"), -1);
	CHECK_INT(sv_ifind(SV_LIT("[@"), "{`"), -1);  /* not letters */
	CHECK_INT(sv_ifind(SV_NULL, "a"), -1);
	struct sv v = SV_LIT("a=1;b=2"), h;
	CHECK_INT(sv_split(&v, ';', &h), 0);
	CHECK_SV(h, "a=1");
	CHECK_SV(v, "b=2");
	CHECK_INT(sv_split(&v, ';', &h), 1);
	CHECK_SV(h, "b=2");
	CHECK_INT(v.n, 0);
}

static void test_numbers(void)
{
	struct sv v = SV_LIT("1124 bytes");
	uint64_t x = 0;
	CHECK_INT(sv_take_u64(&v, 20, &x), 0);
	CHECK_INT(x, 1124);
	CHECK_SV(v, " bytes");
	CHECK_INT(sv_take_u64(&v, 20, &x), 1); /* no digit */
	v = SV_LIT("18446744073709551616"); /* UINT64_MAX + 1 */
	CHECK_INT(sv_take_u64(&v, 30, &x), 1);
	v = SV_LIT("18446744073709551615");
	CHECK_INT(sv_take_u64(&v, 30, &x), 0);
	CHECK(x == UINT64_MAX);
	unsigned d = 0;
	v = SV_LIT("2021|");
	CHECK_INT(sv_take_digits(&v, 4, &d), 0);
	CHECK_INT(d, 2021);
	v = SV_LIT("20x1");
	CHECK_INT(sv_take_digits(&v, 4, &d), 1);
	CHECK_SV(v, "20x1"); /* unchanged on failure */
	v = SV_LIT("0xc3e93d67 SIPPROXY");
	CHECK_INT(sv_take_hex(&v, 16, 1, &x), 0);
	CHECK(x == 0xc3e93d67u);
	CHECK_SV(v, " SIPPROXY");
	v = SV_LIT("2A10:3B4C");
	CHECK_INT(sv_take_hex(&v, 8, 0, &x), 0);
	CHECK_INT(x, 0x2A10);
	v = SV_LIT("0x");  /* a lone 0 is a number, x stays */
	CHECK_INT(sv_take_hex(&v, 8, 1, &x), 0);
	CHECK_INT(x, 0);
	CHECK_SV(v, "x");
	v = SV_LIT("11112222333344445"); /* 17 hex digits overflow */
	CHECK_INT(sv_take_hex(&v, 32, 0, &x), 1);
	CHECK(sv_to_u64(SV_LIT("42"), &x) && x == 42);
	CHECK(!sv_to_u64(SV_LIT("42 "), &x));
	CHECK(!sv_to_u64(SV_LIT(""), &x));
	v = SV_LIT("ab");
	CHECK_INT(sv_skip_lit(&v, "abc"), 1);
	CHECK_INT(sv_skip_lit(&v, "a"), 0);
	CHECK_INT(sv_skip_char(&v, 'b'), 0);
	CHECK_INT(sv_skip_char(&v, 'b'), 1);
	sv_skip(&v, 10); /* clamped */
	CHECK_INT(v.n, 0);
}

static void test_char_helpers(void)
{
	CHECK(sv_is_digit('0') && sv_is_digit('9') && !sv_is_digit('a'));
	CHECK(!sv_is_digit('/') && !sv_is_digit(':'));
	CHECK_INT(sv_lower('Q'), 'q');
	CHECK_INT(sv_lower('['), '[');
	CHECK_INT(sv_dig2("07"), 7);
	CHECK_INT(sv_hex_digit('f'), 15);
	CHECK_INT(sv_hex_digit('A'), 10);
	CHECK_INT(sv_hex_digit('g'), -1);
	CHECK(sv_is_blank(SV_LIT(" \t\r")));
	CHECK(sv_is_blank(SV_NULL));
	CHECK(!sv_is_blank(SV_LIT(" x")));
	CHECK(!sv_is_blank(SV_LIT("\n")));  /* LF is a line end, not blank */
	CHECK(!sv_is_blank(SV_LIT(" \x01")));
	CHECK(!sv_is_blank(SV_LIT("\t\x80")));
	struct sv v = SV_LIT("x2A10:3B4C");
	size_t i = 1;
	uint32_t h = 0;
	CHECK_INT(sv_take_hex32_at(v, &i, &h), 0);
	CHECK_INT(h, 0x2A10);
	CHECK_INT(i, 5);
	CHECK_INT(sv_take_hex32_at(v, &i, &h), 1);  /* ':' */
	CHECK_INT(i, 5);
	v = SV_LIT("123456789");                    /* at most 8 digits */
	i = 0;
	CHECK_INT(sv_take_hex32_at(v, &i, &h), 0);
	CHECK_INT(i, 8);
	CHECK(h == 0x12345678u);
	i = 9;                                      /* at the end */
	CHECK_INT(sv_take_hex32_at(v, &i, &h), 1);
}

static void test_err_time(void)
{
	CHECK(strcmp(sfb_code_name(SFB_E_GZIP), "GZIP") == 0);
	CHECK(strcmp(sfb_code_str(SFB_E_OK), "success") == 0);
	CHECK(strcmp(sfb_code_name((enum sfb_code)999), "UNKNOWN") == 0);
	struct sfb_err e = { 0 };
	CHECK_INT(sfb_err_set(&e, SFB_E_IO, 2, "cannot open '%s'", "x"), -1);
	CHECK(strcmp(e.msg, "cannot open 'x'") == 0);
	CHECK_INT(e.sys_errno, 2);
	CHECK_INT(sfb_err_set(NULL, SFB_E_IO, 0, "x"), -1);

	char buf[32];
	CHECK_INT(sfb_time_make(1970, 1, 1, 0, 0, 0, 0), 0);
	int64_t t = sfb_time_make(2021, 1, 15, 9, 12, 3, 101);
	CHECK_INT(t, 1610701923101LL);
	CHECK(strcmp(sfb_time_fmt(t, buf, sizeof buf),
		     "2021-01-15T09:12:03.101") == 0);
	t = sfb_time_make(2012, 2, 29, 23, 59, 59, 999); /* leap day */
	CHECK(strcmp(sfb_time_fmt(t, buf, sizeof buf),
		     "2012-02-29T23:59:59.999") == 0);
	CHECK(strcmp(sfb_time_fmt(SFB_TIME_NONE, buf, sizeof buf), "-") ==
	      0);
	/* ordering across a month and a year boundary */
	CHECK(sfb_time_make(2020, 12, 31, 23, 59, 59, 999) <
	      sfb_time_make(2021, 1, 1, 0, 0, 0, 0));
}

static void test_parse_size(void)
{
	size_t n = 7;
	CHECK(sv_parse_size(sv_cstr("1000"), &n) == 0 && n == 1000);
	CHECK(sv_parse_size(sv_cstr("512K"), &n) == 0 && n == 512u << 10);
	CHECK(sv_parse_size(sv_cstr("16m"), &n) == 0 && n == 16u << 20);
	CHECK(sv_parse_size(sv_cstr("1G"), &n) == 0 && n == 1u << 30);
	n = 7;
	CHECK(sv_parse_size(sv_cstr("0"), &n) == -1 && n == 7);
	CHECK(sv_parse_size(sv_cstr(""), &n) == -1);
	CHECK(sv_parse_size(sv_cstr("12KB"), &n) == -1);
	CHECK(sv_parse_size(sv_cstr("3T"), &n) == -1);
	CHECK(sv_parse_size(sv_cstr("-1"), &n) == -1);
	CHECK(sv_parse_size(sv_cstr("99999999999999999999G"), &n) == -1);
	CHECK(sv_parse_size(sv_cstr("17179869184G"), &n) == -1);
	CHECK(n == 7);
}

/* The first case-blind match the slow way (letters fold, nothing else). */
static long naive_ifind(struct sv v, struct sv nd)
{
	for (size_t i = 0; nd.n <= v.n && i <= v.n - nd.n; i++) {
		size_t k = 0;
		while (k < nd.n && sv_lower((unsigned char)v.p[i + k]) ==
				   sv_lower((unsigned char)nd.p[k]))
			k++;
		if (k == nd.n)
			return (long)i;
	}
	return -1;
}

/*
 * sv_ifind_sv anchors on the needle's rarest byte: every anchor place
 * (first, middle, last byte; either case; the text's edges) must give
 * the first match, as a plain scan does.
 */
static void test_ifind_anchor(void)
{
	static const char alpha[] = "aAkK\"zZ:e ";
	unsigned seed = 12345;
	size_t bad = 0;
	for (int round = 0; round < 20000; round++) {
		char hay[40], nd[6];
		size_t hn, nn;
		seed = seed * 1103515245u + 12345u;
		hn = (seed >> 16) % sizeof hay;
		seed = seed * 1103515245u + 12345u;
		nn = 1 + (seed >> 16) % sizeof nd;
		for (size_t i = 0; i < hn; i++) {
			seed = seed * 1103515245u + 12345u;
			hay[i] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		for (size_t i = 0; i < nn; i++) {
			seed = seed * 1103515245u + 12345u;
			nd[i] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		struct sv h = sv_make(hay, hn), n = sv_make(nd, nn);
		bad += sv_ifind_sv(h, n) != naive_ifind(h, n);
	}
	CHECK_INT(bad, 0);
	/* the rare byte last, first, and a miss by one at the end */
	CHECK_INT(sv_ifind(SV_LIT("\"\"\"to\"token\":"), "\"TOKEN\":"), 5);
	CHECK_INT(sv_ifind(SV_LIT("eeeeKeeeeke"), "ke"), 4);
	CHECK_INT(sv_ifind(SV_LIT("eeeeeeeeek"), "eek"), 7);
	CHECK_INT(sv_ifind(SV_LIT("eeeeeeeeek"), "eeka"), -1);
}

int main(void)
{
	test_ifind_anchor();
	test_parse_size();
	test_compare();
	test_find_split();
	test_numbers();
	test_char_helpers();
	test_err_time();
	return CHECK_DONE("unit_sv");
}
