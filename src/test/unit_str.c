/* SPDX-License-Identifier: MIT */
/*
 * unit_str.c -- str_fmt against the C library's snprintf: the same
 * text and the same return value, for each conversion done by hand,
 * the ones handed on, and every buffer size (cut texts).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "str.h"
#include "sv.h"

/* Compare str_fmt and snprintf on one call, at every size 0..len+2. */
#define SAME(...)                                                        \
	do {                                                             \
		char want_[512], got_[512];                              \
		int wn_ = snprintf(want_, sizeof want_, __VA_ARGS__);    \
		int gn_ = str_fmt(got_, sizeof got_, __VA_ARGS__);       \
		CHECK_INT(gn_, wn_);                                     \
		CHECK(strcmp(got_, want_) == 0);                         \
		for (size_t n_ = 0; wn_ >= 0 && n_ < (size_t)wn_ + 3;    \
		     n_++) {                                             \
			memset(want_, 'x', sizeof want_);                \
			memset(got_, 'x', sizeof got_);                  \
			snprintf(want_, n_, __VA_ARGS__);                \
			str_fmt(got_, n_, __VA_ARGS__);                  \
			if (memcmp(got_, want_, n_ + 1) != 0) {          \
				CHECK(!"cut text differs");              \
				break;                                   \
			}                                                \
		}                                                        \
	} while (0)

/* The plain search str_find must agree with. */
static long naive_find(struct sv h, struct sv n, int icase)
{
	for (size_t i = 0; i + n.n <= h.n; i++) {
		size_t j = 0;
		while (j < n.n && (icase
			? sv_lower((unsigned char)h.p[i + j]) ==
			  sv_lower((unsigned char)n.p[j])
			: h.p[i + j] == n.p[j]))
			j++;
		if (j == n.n)
			return (long)i;
	}
	return -1;
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void test_find(void)
{
	struct sv text = SV_LIT("Certificate REVOKED: the revocation of "
				"lyncdiscoverInternal.contoso.com");
	CHECK_INT(str_find(text, SV_LIT("revoked"), 1), 12);
	CHECK_INT(str_find(text, SV_LIT("revoked"), 0), -1);
	CHECK_INT(str_find(text, SV_LIT("REVOKED"), 0), 12);
	CHECK_INT(str_find(text, SV_LIT("lyncdiscoverinternal"), 1), 39);
	CHECK_INT(str_find(text, SV_LIT(""), 1), 0);
	CHECK_INT(str_find(SV_LIT("ab"), SV_LIT("abc"), 1), -1);
	CHECK_INT(str_find(SV_LIT("xxa1"), SV_LIT("A1"), 1), 2);
	CHECK_INT(str_find(SV_LIT("a1"), SV_LIT("1"), 1), 1);
	CHECK_INT(str_find(SV_LIT("end"), SV_LIT("D"), 1), 2);
	/* against the plain search, over a small alphabet */
	unsigned seed = 7;
	char h[64], n[4];
	for (int t = 0; t < 20000; t++) {
		size_t hn = rnd(&seed) % 64, nn = rnd(&seed) % 5;
		for (size_t i = 0; i < hn; i++)
			h[i] = "aAbB:"[rnd(&seed) % 5];
		for (size_t i = 0; i < nn; i++)
			n[i] = "aAbB:"[rnd(&seed) % 5];
		struct sv hv = sv_make(h, hn), nv = sv_make(n, nn);
		for (int ic = 0; ic < 2; ic++)
			if (str_find(hv, nv, ic) != naive_find(hv, nv, ic)) {
				CHECK(!"str_find differs");
				t = 20000;
				break;
			}
	}
	CHECK(1);
}

int main(void)
{
	test_find();
	const char *sv = "REGISTER sip:contoso.com";
	SAME("plain text, no conversion");
	SAME("%s", "");
	SAME("%s and %s", "one", "two");
	SAME("[%10s|%-10s]", "ab", "cd");
	SAME("[%3s]", "longer than three");
	SAME("%.*s!", 8, sv);
	SAME("%.*s!", 0, sv);
	SAME("%.*s!", -1, sv);
	SAME("%.80s", sv);
	SAME("%.3s", "a");
	SAME("[%*s|%-*s]", 6, "x", 6, "y");
	SAME("[%*s]", -6, "x");
	SAME("%c%c%5c%-3c|", 'a', 'b', 'c', 'd');
	SAME("%d %i %d %d", 0, -1, INT_MAX, INT_MIN);
	SAME("%u %u", 0u, UINT_MAX);
	SAME("%ld %lu", LONG_MIN, ULONG_MAX);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%zu %zd", (size_t)12345, (ptrdiff_t)-77);
	SAME("%jd %ju", (intmax_t)-5, (uintmax_t)5);
	SAME("%" PRIu64 " %" PRId64 " %" PRIx64, UINT64_MAX, INT64_MIN,
	     (uint64_t)0xdeadbeef);
	SAME("[%5d|%-5d|%05d|%05d]", 42, 42, 42, -42);
	SAME("[%2d|%02d]", 12345, -12345);
	SAME("%x %X %08X %#x", 0xbeefu, 0xbeefu, 0x80ef0191u, 255u);
	SAME("100%% done, %d%%", 7);
	SAME("%s answered %d %.*s: ms-diagnostics %u %.*s", "REGISTER",
	     401, 12, "Unauthorized", 4005u, 5, "no such user");
	/* handed to vsnprintf: a NULL string, an int precision, flags */
	const char *volatile null = NULL;   /* not seen by -Wformat */
	SAME("%s", null);
	SAME("%.3s|", null);
	SAME("%.3d %+d % d", 5, 5, 5);
	SAME("%5.1f %g", 3.14159, 2.5);
	SAME("%hd %hhu", (short)-3, (unsigned char)250);
	SAME("%p", (void *)0);
	SAME("%s then %f", "text", 1.5);
	/* str_copy */
	char b[8];
	CHECK_INT(str_copy(b, sizeof b, "abc"), 3);
	CHECK(strcmp(b, "abc") == 0);
	CHECK_INT(str_copy(b, sizeof b, "abcdefghij"), 10);
	CHECK(strcmp(b, "abcdefg") == 0);
	CHECK_INT(str_copy(b, 1, "abc"), 3);
	CHECK(b[0] == '\0');
	return CHECK_DONE("unit_str");
}
