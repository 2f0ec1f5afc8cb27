/* SPDX-License-Identifier: MIT */
/*
 * unit_jw.c -- unit tests of the streaming JSON writer (jw.c): its
 * text must be byte for byte what cJSON prints for the same tree, as
 * the JSON reporter built it before (strings through esc_utf8, then
 * cJSON_CreateString): every byte 0x00-0xff, invalid UTF-8, secrets,
 * long strings, numbers at cJSON's edges, and random trees in both
 * layouts (cJSON_Print with tabs, cJSON_PrintUnformatted).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "esc.h"
#include "jw.h"
#include "sv.h"

/* cJSON's text for v, as the tree-building reporter made it. */
static char *cjson_str(struct sv v)
{
	char *s = esc_utf8(v);
	cJSON *j = cJSON_CreateString(s);
	free(s);
	char *t = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return t;
}

/* @return 1 when jw_sv writes what cJSON prints for v */
static int same_str(struct sv v)
{
	struct jw w = { 0 };
	jw_init(&w, 0, 0);
	jw_sv(&w, NULL, v);
	char *want = cjson_str(v);
	int ok = strlen(want) == w.n && memcmp(want, w.b, w.n) == 0;
	if (!ok)
		fprintf(stderr, "jw:   %.*s\ncJSON: %s\n", (int)w.n, w.b,
			want);
	free(want);
	jw_free(&w);
	return ok;
}

#define SAME_LIT(lit) CHECK(same_str(sv_make(lit, sizeof(lit) - 1)))

static uint64_t rnd_state = 88172645463325252u;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void test_strings(void)
{
	char b[2];
	/* each byte alone, and before a plain one */
	for (int c = 0; c < 256; c++) {
		b[0] = (char)c;
		b[1] = 'x';
		CHECK(same_str(sv_make(b, 1)));
		CHECK(same_str(sv_make(b, 2)));
	}
	/* all bytes in one string, both orders */
	char all[512];
	for (int c = 0; c < 256; c++) {
		all[c] = (char)c;
		all[511 - c] = (char)c;
	}
	CHECK(same_str(sv_make(all, sizeof all)));
	SAME_LIT("");
	SAME_LIT("quote \" backslash \\ slash / tab \t del \x7f");
	SAME_LIT("\b\f\n\r\t\x01\x1f\x1b[31m");
	/* valid UTF-8: 2, 3, 4 bytes, U+FFFD itself, C1 and bidi */
	SAME_LIT("verf\xc3\xbcgbar \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd");
	SAME_LIT("\xc2\x9b\xe2\x80\xae\xe2\x80\xa8");
	/* invalid: bad lead, cut, overlong, surrogate, above U+10FFFF */
	SAME_LIT("\x9b\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80");
	SAME_LIT("cut at the end \xe2\x82");
	SAME_LIT("cut \xf0\x9f\x98 inside");
	SAME_LIT("nul \0 inside");
	/* secrets masked: the same label */
	SAME_LIT("Cookie: MRRS=abcdef; other=1");
	SAME_LIT("NTLM TlRMTVNTUAACAAAADAAMADgAAAAFgomi, realm=\"x\"");
	SAME_LIT("gssapi-data=\"YIIGhgYJKoZIhvcSAQICAQ\", nonce=\"x\xff\"");
	SAME_LIT("<saml:Assertion ID=\"1\">\x01secret</saml:Assertion>");
	/* long strings: random bytes, random ASCII with escapes */
	size_t n = 100000;
	char *p = malloc(n);
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < n; i++) {
			uint64_t r = rnd();
			p[i] = round & 1 ? (char)r
			       : (char)(r % 4 ? ' ' + r % 95 : r % 40);
		}
		CHECK(same_str(sv_make(p, n - (size_t)round * 997)));
	}
	free(p);
}

/*
 * Strings again and again in one writer: the forms kept (and replaced,
 * more strings than JW_MEMO) are the forms made.
 */
static void test_memo(void)
{
	enum { NPOOL = 3 * JW_MEMO };
	static char pool[NPOOL][40];
	static size_t len[NPOOL];
	for (size_t i = 0; i < NPOOL; i++) {
		len[i] = rnd() % sizeof pool[i];
		for (size_t k = 0; k < len[i]; k++)
			pool[i][k] = (char)(rnd() % 2 ? 'a' + rnd() % 26
					    : rnd());
	}
	memcpy(pool[1], "Cookie: abc", len[1] = 11);
	struct jw w = { 0 };
	jw_init(&w, 0, 0);
	jw_arr(&w, NULL);
	char *want = NULL;
	size_t wn = 0;
	FILE *f = open_memstream(&want, &wn);
	fputc('[', f);
	for (int i = 0; i < 20000; i++) {
		size_t k = i % 3 ? rnd() % 8 : rnd() % NPOOL;
		struct sv v = sv_make(pool[k], len[k]);
		jw_sv(&w, NULL, v);
		char *t = cjson_str(v);
		fprintf(f, "%s%s", i ? "," : "", t);
		free(t);
	}
	jw_sv(&w, NULL, SV_NULL);
	fputs(",\"\"]", f);
	jw_end(&w);
	fclose(f);
	CHECK(wn == w.n && memcmp(want, w.b, wn) == 0);
	free(want);
	jw_free(&w);
}

/* @return 1 when jw_num writes what cJSON prints for d */
static int same_num(double d)
{
	struct jw w = { 0 };
	jw_init(&w, 0, 0);
	jw_num(&w, NULL, d);
	cJSON *j = cJSON_CreateNumber(d);
	char *want = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	int ok = strlen(want) == w.n && memcmp(want, w.b, w.n) == 0;
	if (!ok)
		fprintf(stderr, "jw: %.*s cJSON: %s\n", (int)w.n, w.b, want);
	free(want);
	jw_free(&w);
	return ok;
}

static void test_numbers(void)
{
	static const double v[] = {
		0, 1, -1, 7, 10, 200, 4003, 28032, 1685, -1685,
		INT_MAX, (double)INT_MAX + 1, INT_MIN, (double)INT_MIN - 1,
		4294967295.0, 4294967296.0, 268435456.0,
		999999999999999.0, 1e15, -999999999999999.0, -1e15,
		9007199254740992.0, 9007199254740993.0,
		18446744073709551615.0, 1.5, -0.5, 0.1, 1e-7, 1e300,
		-0.0,
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		CHECK(same_num(v[i]));
	CHECK(same_num(NAN));
	CHECK(same_num(INFINITY));
	for (int i = 0; i < 2000; i++) {
		uint64_t r = rnd();
		CHECK(same_num((double)(r >> (r % 64))));
		CHECK(same_num(-(double)(r >> (r % 64))));
	}
}

/*
 * A random tree, built as cJSON and written by jw at once.
 * @param in_obj the parent is an object (a key is needed)
 */
static cJSON *rnd_tree(struct jw *w, int in_obj, int depth)
{
	static const char *const keys[] = { "a", "file", "line", "x y" };
	char key[64], s[24];
	size_t kn = 0, sn = rnd() % sizeof s;
	int log_key = in_obj && rnd() % 4 == 0;
	const char *k = in_obj ? keys[rnd() % 4] : NULL;
	if (log_key) {  /* a key from a log: any bytes */
		kn = rnd() % 8;
		for (size_t i = 0; i < kn; i++)
			key[i] = (char)rnd();
		jw_key(w, sv_make(key, kn));
		k = NULL;
	}
	for (size_t i = 0; i < sn; i++)
		s[i] = (char)(rnd() % 3 ? 'a' + rnd() % 26 : rnd());
	cJSON *j;
	switch (depth < 5 ? rnd() % 7 : 2 + rnd() % 5) {
	case 0:
	case 1: {
		int o = rnd() % 2;
		j = o ? cJSON_CreateObject() : cJSON_CreateArray();
		if (o)
			jw_obj(w, k);
		else
			jw_arr(w, k);
		for (int n = (int)(rnd() % 5); n > 0; n--) {
			cJSON *c = rnd_tree(w, o, depth + 1);
			if (o)
				cJSON_AddItemToObject(j, c->string, c);
			else
				cJSON_AddItemToArray(j, c);
		}
		jw_end(w);
		break;
	}
	case 2: {
		char *e = esc_utf8(sv_make(s, sn));
		jw_sv(w, k, sv_make(s, sn));
		j = cJSON_CreateString(e);
		free(e);
		break;
	}
	case 3: {
		double d = (double)(int64_t)(rnd() % 2000000) - 1000000;
		jw_num(w, k, d);
		j = cJSON_CreateNumber(d);
		break;
	}
	case 4: {
		int b = (int)(rnd() % 2);
		jw_bool(w, k, b);
		j = cJSON_CreateBool(b);
		break;
	}
	default:
		jw_null(w, k);
		j = cJSON_CreateNull();
	}
	/* the name the parent gives it (cJSON_AddItemToObject copies) */
	free(j->string);
	j->string = NULL;
	if (in_obj) {
		char *e = log_key ? esc_utf8(sv_make(key, kn)) : NULL;
		j->string = e ? e : strdup(k);
	}
	return j;
}

static void test_trees(void)
{
	for (int round = 0; round < 3000; round++) {
		int fmt = round % 2;
		struct jw w = { 0 };
		jw_init(&w, fmt, 0);
		cJSON *j = rnd_tree(&w, 0, 0);
		char *want = fmt ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
		int ok = strlen(want) == w.n && memcmp(want, w.b, w.n) == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "jw:\n%.*s\ncJSON:\n%s\n", (int)w.n,
				w.b, want);
		free(want);
		cJSON_Delete(j);
		jw_free(&w);
	}
}

/* jw_time writes what sfb_time_fmt writes, in quotes. */
static int same_time(int64_t t)
{
	struct jw w = { 0 };
	char buf[64], want[80];
	jw_init(&w, 0, 0);
	jw_arr(&w, NULL);
	jw_time(&w, NULL, t);
	jw_time(&w, NULL, t);   /* the day kept */
	jw_end(&w);
	if (t == SFB_TIME_NONE)
		snprintf(want, sizeof want, "[null,null]");
	else
		snprintf(want, sizeof want, "[\"%s\",\"%s\"]",
			 sfb_time_fmt(t, buf, sizeof buf), buf);
	int ok = strlen(want) == w.n && memcmp(want, w.b, w.n) == 0;
	if (!ok)
		fprintf(stderr, "jw: %.*s want: %s\n", (int)w.n, w.b, want);
	jw_free(&w);
	return ok;
}

static void test_times(void)
{
	static const int64_t v[] = {
		0, 1, -1, 86399999, 86400000, -86400000, -86400001,
		1610701923428, 253402300799999, 253402300800000,
		-62135596800000, -62135596800001, INT64_MAX, INT64_MIN + 1,
		INT64_MAX / 2, INT64_MAX / 2 + 1, INT64_MIN / 2,
		INT64_MIN / 2 - 1, SFB_TIME_NONE,
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		CHECK(same_time(v[i]));
	/* times of one day, then of many days, in one writer */
	struct jw w = { 0 };
	jw_init(&w, 0, 0);
	jw_arr(&w, NULL);
	int ok = 1;
	for (int i = 0; i < 5000; i++) {
		char buf[64];
		uint64_t r = rnd();
		int64_t t = i < 2500 ? 1610701923428 + (int64_t)(r % 86400000)
			    : (int64_t)(r >> (r % 40)) * (r % 2 ? 1 : -1);
		size_t at = w.n + (i > 0);
		jw_time(&w, NULL, t);
		sfb_time_fmt(t, buf, sizeof buf);
		ok &= w.n - at == strlen(buf) + 2 &&
		      memcmp(w.b + at + 1, buf, strlen(buf)) == 0;
	}
	CHECK(ok);
	jw_free(&w);
}

/* Masking and making valid twice changes nothing (rep_json.c's keys
 * rely on it, as the tree built before escaped log keys twice). */
static void test_idempotent(void)
{
	static const char *const s[] = {
		"Cookie: MRRS=1", "nonce=\"x\", opaque=y", "NTLM "
		"TlRMTVNTUAACAAAADAAMADgAAAAFgomi", "x\xffnonce=1\xc3",
		"<a:Assertion>x</a:Assertion> set-cookie:\t1\r\n2",
		"Bearer abcdefghijklmnopqrstuvwxyz\"", "sig=&cnonce=\"\"",
	};
	char p[64];
	for (size_t i = 0; i < sizeof s / sizeof s[0] + 3000; i++) {
		struct sv v = sv_cstr(i < sizeof s / sizeof s[0] ? s[i] : p);
		if (i >= sizeof s / sizeof s[0]) {
			/* names of secrets and random bytes mixed */
			size_t n = 0;
			while (n < sizeof p - 16) {
				uint64_t r = rnd();
				const char *w = s[r % 7];
				size_t k = r % 3 ? 1 : strlen(w);
				memcpy(p + n, r % 3 ? (char *)&r + 1 : w,
				       k < sizeof p - 16 - n ? k : 1);
				n += k < sizeof p - 16 - n ? k : 1;
			}
			v = sv_make(p, n);
		}
		char *a = esc_utf8(v), *b = esc_utf8(sv_cstr(a));
		CHECK(strcmp(a, b) == 0);
		free(a);
		free(b);
	}
}

/* A part written at depth 4, as the reporter's sessions are. */
static void test_depth(void)
{
	struct jw w = { 0 };
	jw_init(&w, 1, 4);
	jw_obj(&w, NULL);
	jw_num(&w, "id", 1);
	jw_obj(&w, "empty");
	jw_end(&w);
	jw_arr(&w, "list");
	jw_str(&w, NULL, "a");
	jw_obj(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	CHECK_SV(sv_make(w.b, w.n), "{\n\t\t\t\t\t\"id\":\t1,\n"
		 "\t\t\t\t\t\"empty\":\t{\n\t\t\t\t\t},\n"
		 "\t\t\t\t\t\"list\":\t[\"a\", {\n\t\t\t\t\t\t}]\n"
		 "\t\t\t\t}");
	/* flushed between two parts, the nesting goes on */
	jw_init(&w, 0, 0);
	jw_arr(&w, NULL);
	jw_num(&w, NULL, 1);
	FILE *devnull = fopen("/dev/null", "w");
	jw_flush(&w, devnull);
	fclose(devnull);
	CHECK_INT(w.n, 0);
	jw_num(&w, NULL, 2);
	jw_end(&w);
	CHECK_SV(sv_make(w.b, w.n), ",2]");
	jw_free(&w);
}

int main(void)
{
	test_strings();
	test_memo();
	test_numbers();
	test_trees();
	test_depth();
	test_times();
	test_idempotent();
	return CHECK_DONE("unit_jw");
}
