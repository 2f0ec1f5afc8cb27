/* SPDX-License-Identifier: MIT */
/*
 * unit_expr.c -- unit tests of the rule language (expr.c) over the fake
 * field table of fake_fields.h: operators and precedence, absent values,
 * in lists (literal and named), macros (nested, cycles), regexes with
 * the PCRE2 limit, aggregates fed by the fake provider, scopes, every
 * compile error with its exact column, and templates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "expr.h"
#include "fake_fields.h"
#include "sv.h"

static const struct {
	const char *name, *src;
} macros[] = {
	{ "is_401", "msg.status == 401" },
	{ "is_register", "msg.method == \"REGISTER\"" },
	{ "register_401", "is_register and is_401" },
	{ "loop_a", "msg.status == 1 or loop_b" },
	{ "loop_b", "loop_a" },
	{ "self", "self" },
	{ "broken", "msg.status ==" },
	{ "twice0", "msg.status == 1" },
	{ "bigstr", NULL },     /* msg.method == 'xxx...' (8000 x) */
};

static char bigstr[8100];

static const struct expr_value errors_list[] = {
	{ EXPR_T_INT, 500, { NULL, 0 } },
	{ EXPR_T_INT, 503, { NULL, 0 } },
	{ EXPR_T_INT, 504, { NULL, 0 } },
};
static const struct expr_value methods_list[] = {
	{ EXPR_T_STR, 0, { "REGISTER", 8 } },
	{ EXPR_T_STR, 0, { "SUBSCRIBE", 9 } },
};

/* A chain twice1 .. twice40: each uses the one before twice. */
static char twice_src[40][64];

static int t_macro(void *ud, struct sv name, struct sv *src)
{
	(void)ud;
	for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++)
		if (sv_eq(name, sv_cstr(macros[i].name))) {
			*src = sv_cstr(macros[i].src ? macros[i].src : bigstr);
			return 0;
		}
	unsigned long k;
	if (name.n > 5 && !memcmp(name.p, "twice", 5) &&
	    sv_to_u64(sv_make(name.p + 5, name.n - 5), &k) &&
	    k >= 1 && k < 40) {
		snprintf(twice_src[k], sizeof twice_src[k],
			 "twice%lu and twice%lu", k - 1, k - 1);
		*src = sv_cstr(twice_src[k]);
		return 0;
	}
	return -1;
}

static int t_list(void *ud, struct sv name, const struct expr_value **items,
		  size_t *n)
{
	(void)ud;
	if (sv_eq(name, SV_LIT("register_errors"))) {
		*items = errors_list;
		*n = 3;
		return 0;
	}
	if (sv_eq(name, SV_LIT("methods"))) {
		*items = methods_list;
		*n = 2;
		return 0;
	}
	return -1;
}

static const struct expr_env env = { fake_resolve, t_macro, t_list, NULL };

static struct fake_vals V;

static struct expr_ctx ctx_for(struct fake_vals *v)
{
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.agg = fake_agg;
	c.ud = v;
	return c;
}

/* Compile in scope and evaluate against V: 1, 0, or -1 on a compile
 * error (printed). */
static int run(const char *src, enum expr_scope scope)
{
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	struct expr *e = expr_compile(src, strlen(src), scope, &env, &err);
	if (!e) {
		fprintf(stderr, "compile '%s': col %u: %s\n", src, err.col,
			err.msg);
		return -1;
	}
	struct expr_ctx c = ctx_for(&V);
	int r = expr_eval(e, &c);
	expr_free(e);
	return r;
}

static int msg(const char *src)
{
	return run(src, EXPR_SCOPE_MSG);
}

/* The compile error of src: col and message must be exact. */
static void bad_at(const char *src, enum expr_scope scope, unsigned col,
		   const char *want, int line)
{
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	struct expr *e = expr_compile(src, strlen(src), scope, &env, &err);
	if (e || err.col != col || strcmp(err.msg, want) ||
	    err.code != SFB_E_RULE) {
		check_fail++;
		fprintf(stderr, "%s:%d: '%s': got %s col %u '%s', expected "
			"col %u '%s'\n", __FILE__, line, src,
			e ? "success" : "error", err.col, err.msg, col, want);
	} else {
		check_pass++;
	}
	expr_free(e);
}

#define BAD(src, col, want) bad_at(src, EXPR_SCOPE_MSG, col, want, __LINE__)
#define BAD_S(src, col, want) \
	bad_at(src, EXPR_SCOPE_SESSION, col, want, __LINE__)

static void test_operators(void)
{
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_STATUS, 401);
	fake_set_s(&V, F_METHOD, "REGISTER");
	fake_set_i(&V, F_IS_RESP, 1);
	fake_set_s(&V, F_REASON, "Unauthorized (Kerberos)");
	V.header_server = "RTC/6.0";

	CHECK_INT(msg("msg.status == 401"), 1);
	CHECK_INT(msg("msg.status != 401"), 0);
	CHECK_INT(msg("msg.status < 402 and msg.status <= 401"), 1);
	CHECK_INT(msg("msg.status > 400 and msg.status >= 401"), 1);
	CHECK_INT(msg("msg.status > 401"), 0);
	CHECK_INT(msg("msg.status == 0x191"), 1);
	CHECK_INT(msg("-5 < 0 and 0x80EF0191 == 2163147153"), 1);
	CHECK_INT(msg("-9223372036854775808 < 9223372036854775807"), 1);
	CHECK_INT(msg("msg.method == \"REGISTER\""), 1);
	/* == on strings is case-sensitive */
	CHECK_INT(msg("msg.method == 'register'"), 0);
	CHECK_INT(msg("msg.method != 'register'"), 1);
	CHECK_INT(msg("msg.reason contains 'Kerberos'"), 1);
	CHECK_INT(msg("msg.reason contains 'kerberos'"), 0);
	CHECK_INT(msg("msg.reason icontains 'KERBEROS'"), 1);
	CHECK_INT(msg("msg.reason icontains ''"), 1);
	CHECK_INT(msg("msg.reason startswith 'Unauth'"), 1);
	CHECK_INT(msg("msg.reason startswith 'auth'"), 0);
	CHECK_INT(msg("msg.reason endswith '(Kerberos)'"), 1);
	CHECK_INT(msg("msg.reason endswith 'Kerberos'"), 0);
	CHECK_INT(msg("msg.reason matches '^Un.*\\\\(Kerb'"), 1);
	CHECK_INT(msg("msg.reason matches '^Kerb'"), 0);
	CHECK_INT(msg("msg.is_response"), 1);
	CHECK_INT(msg("msg.is_response == true"), 1);
	CHECK_INT(msg("msg.is_response == false"), 0);
	CHECK_INT(msg("not msg.is_response"), 0);
	CHECK_INT(msg("true and not false"), 1);
	/* escapes */
	CHECK_INT(msg("'a\\'b' == \"a'b\" and \"\\\\\" != '\\n'"), 1);
	/* keyed fields, case of the key is the provider's business */
	CHECK_INT(msg("header(\"Server\") startswith 'RTC/'"), 1);
	CHECK_INT(msg("header('X-Other') == 'x'"), 0);
	CHECK_INT(msg("exists(header(\"Server\"))"), 1);
	CHECK_INT(msg("exists(header(\"X-Other\"))"), 0);
	CHECK_INT(msg("not exists(header(\"X-Other\"))"), 1);

	/* precedence: not > and > or */
	CHECK_INT(msg("true or true and false"), 1);
	CHECK_INT(msg("(true or true) and false"), 0);
	CHECK_INT(msg("not true and false"), 0);
	CHECK_INT(msg("not (true and false)"), 1);
	CHECK_INT(msg("false or not false and true"), 1);
	CHECK_INT(msg("not not true"), 1);
	CHECK_INT(msg("((((msg.status == 401))))"), 1);
	/* comparison of bools with a parenthesised condition */
	CHECK_INT(msg("(msg.status == 401) == true"), 1);
	CHECK_INT(msg("msg.status\n==\t401\r\n"), 1);
}

static void test_absent(void)
{
	memset(&V, 0, sizeof V);
	fake_set_s(&V, F_METHOD, "REGISTER");
	/* msg.status absent: every comparison false, even != and in */
	CHECK_INT(msg("msg.status == 401"), 0);
	CHECK_INT(msg("msg.status != 401"), 0);
	CHECK_INT(msg("msg.status < 1 or msg.status >= 1"), 0);
	CHECK_INT(msg("msg.status in (401, 500)"), 0);
	CHECK_INT(msg("msg.status in register_errors"), 0);
	CHECK_INT(msg("not msg.status == 401"), 1);
	CHECK_INT(msg("not msg.status != 401"), 1);
	CHECK_INT(msg("exists(msg.status)"), 0);
	CHECK_INT(msg("exists(msg.method)"), 1);
	CHECK_INT(msg("msg.reason contains ''"), 0);
	CHECK_INT(msg("msg.reason matches '.*'"), 0);
	/* a bare absent bool is false, its not is true */
	CHECK_INT(msg("msg.is_response"), 0);
	CHECK_INT(msg("not msg.is_response"), 1);
	CHECK_INT(msg("msg.is_response == false"), 0);
	/* and/or short-circuit: the provider is asked no more than needed */
	V.gets = 0;
	CHECK_INT(msg("msg.method == 'X' and msg.status == 1"), 0);
	CHECK_INT(V.gets, 1);
	V.gets = 0;
	CHECK_INT(msg("msg.method == 'REGISTER' or msg.status == 1"), 1);
	CHECK_INT(V.gets, 1);
}

static void test_in(void)
{
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_STATUS, 503);
	fake_set_s(&V, F_METHOD, "SUBSCRIBE");
	CHECK_INT(msg("msg.status in (500, 503, 504)"), 1);
	CHECK_INT(msg("msg.status in (500)"), 0);
	CHECK_INT(msg("msg.status in register_errors"), 1);
	CHECK_INT(msg("not msg.status in register_errors"), 0);
	CHECK_INT(msg("msg.method in methods"), 1);
	CHECK_INT(msg("msg.method in ('REGISTER', 'subscribe')"), 0);
	CHECK_INT(msg("msg.method in ('REGISTER', \"SUBSCRIBE\")"), 1);
	CHECK_INT(msg("msg.status in (1, 2) or msg.status in (503)"), 1);
}

static void test_macros(void)
{
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_STATUS, 401);
	fake_set_s(&V, F_METHOD, "REGISTER");
	CHECK_INT(msg("register_401"), 1);
	CHECK_INT(msg("is_401 and not is_register"), 0);
	CHECK_INT(msg("not register_401 or is_401"), 1);
	fake_set_i(&V, F_STATUS, 1);
	CHECK_INT(msg("twice3"), 1);
	/* the column of an error in a macro is that of its use */
	BAD("msg.status == 1 or loop_a", 20,
	    "in macro 'loop_b', column 1: macro 'loop_a' uses itself "
	    "(loop_a -> loop_b -> loop_a)");
	BAD("self", 1, "in macro 'self', column 1: macro 'self' uses itself "
	    "(self -> self)");
	BAD("true and broken", 10,
	    "in macro 'broken', column 14: expected a field, a number, a "
	    "string, true, false or '(', found the end");
	/* a macro in the wrong scope: its field is named */
	BAD_S("is_401", 1, "in macro 'is_401', column 1: field 'msg.status' "
	      "is not available in session scope");
	/* a macro of a long string, used often: the memory limit */
	memcpy(bigstr, "msg.method == '", 15);
	memset(bigstr + 15, 'x', 8000);
	memcpy(bigstr + 8015, "'", 2);
	fake_set_s(&V, F_METHOD, bigstr + 15);
	CHECK_INT(msg("bigstr or false"), 0);
	char src[2000];
	for (int i = 0; i < 130; i++)
		memcpy(src + 10 * i, "bigstr or ", 10);
	memcpy(src + 1300, "bigstr", 7);
	BAD(src, 1251, "in macro 'bigstr', column 15: condition too large "
	    "(more than 1048576 bytes with its macros expanded)");
	/* doubling macros: the node limit stops the blow-up */
	BAD("twice20", 1, "in macro 'twice0', column 12: condition too "
	    "large (more than 4096 nodes with its macros expanded)");
}

static void test_matches_limit(void)
{
	memset(&V, 0, sizeof V);
	char subject[4096];
	memset(subject, 'a', sizeof subject - 2);
	subject[sizeof subject - 2] = 'b';
	subject[sizeof subject - 1] = '\0';
	fake_set_s(&V, F_REASON, subject);
	const char *src = "msg.reason matches '^(a|aa)+$' or "
			  "msg.reason matches '(a+)+$'";
	struct sfb_err err = { 0 };
	struct expr *e = expr_compile(src, strlen(src), EXPR_SCOPE_MSG, &env,
				      &err);
	CHECK(e != NULL);
	struct expr_ctx c = ctx_for(&V);
	struct expr_scratch *sc = expr_scratch_new();
	c.scratch = sc;
	clock_t t0 = clock();
	CHECK_INT(expr_eval(e, &c), 0);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 2.0);
	CHECK_INT(c.limit_hits, 2);
	/* without scratch too, and the counter adds up */
	c.scratch = NULL;
	CHECK_INT(expr_eval(e, &c), 0);
	CHECK_INT(c.limit_hits, 4);
	/* a subject that matches fast is still a match */
	fake_set_s(&V, F_REASON, "aaaa");
	c.limit_hits = 0;
	CHECK_INT(expr_eval(e, &c), 1);
	CHECK_INT(c.limit_hits, 0);
	expr_scratch_free(sc);
	expr_free(e);
}

static void test_aggregates(void)
{
	memset(&V, 0, sizeof V);
	const char *src = "count_msgs(is_401) >= 4 and "
			  "not any_msg(msg.status == 200) and "
			  "all_msgs(is_register, msg.status in (401, 200)) "
			  "and any_event(event.hr == 0x80090322) and "
			  "count_events(true) == 0";
	struct sfb_err err = { 0 };
	struct expr *e = expr_compile(src, strlen(src), EXPR_SCOPE_SESSION,
				      &env, &err);
	CHECK(e != NULL);
	CHECK_INT(expr_nagg(e), 5);
	CHECK(expr_size(e) > 5 * sizeof(void *));
	CHECK_INT(expr_size(NULL), 0);
	enum expr_scope sc;
	const struct expr *f, *p;
	expr_agg(e, 0, &sc, &f, &p);
	CHECK_INT(sc, EXPR_SCOPE_MSG);
	CHECK(f == NULL && p != NULL);
	CHECK_INT(expr_scope_of(p), EXPR_SCOPE_MSG);
	/* the engine's side: run F and P on a message */
	struct fake_vals m = { 0 };
	fake_set_i(&m, F_STATUS, 401);
	fake_set_s(&m, F_METHOD, "REGISTER");
	struct expr_ctx mc = ctx_for(&m);
	CHECK_INT(expr_eval(p, &mc), 1);
	expr_agg(e, 2, &sc, &f, &p);
	CHECK(f != NULL && p != NULL);
	CHECK_INT(expr_eval(f, &mc), 1);
	CHECK_INT(expr_eval(p, &mc), 1);
	expr_agg(e, 3, &sc, &f, &p);
	CHECK_INT(sc, EXPR_SCOPE_EVENT);
	CHECK(f == NULL);

	struct expr_ctx c = ctx_for(&V);
	V.matched[0] = 4;
	V.matched[2] = V.total[2] = 6;
	V.matched[3] = 1;
	CHECK_INT(expr_eval(e, &c), 1);
	V.matched[0] = 3;                       /* count below 4 */
	CHECK_INT(expr_eval(e, &c), 0);
	V.matched[0] = 4;
	V.matched[1] = 1;                       /* one 200 */
	CHECK_INT(expr_eval(e, &c), 0);
	V.matched[1] = 0;
	V.matched[2] = 5;                       /* one REGISTER not 401/200 */
	CHECK_INT(expr_eval(e, &c), 0);
	V.matched[2] = V.total[2] = 0;          /* no REGISTER at all */
	CHECK_INT(expr_eval(e, &c), 0);
	V.matched[2] = V.total[2] = 1;
	V.matched[4] = 1;
	CHECK_INT(expr_eval(e, &c), 0);
	expr_free(e);

	BAD("count_msgs(true) > 1", 1,
	    "'count_msgs' is only valid in a session condition");
	BAD_S("any_msg(session.user == 'x')", 9, "field 'session.user' is "
	      "not available in message scope");
	BAD_S("all_msgs(true)", 14, "expected ',', found ')'");
	BAD_S("any_event(event.hr)", 11, "'event.hr' is an int, not a "
	      "condition (compare it, e.g. with '==')");
	BAD_S("count_msgs(true)", 1, "'count_msgs(true)' is an int, not a "
	      "condition (compare it, e.g. with '==')");
}

static void test_scopes(void)
{
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_EV_HR, (int64_t)0x80090322);
	fake_set_s(&V, F_ANY_TIME, "a.log");
	CHECK_INT(run("event.hr == 0x80090322", EXPR_SCOPE_EVENT), 1);
	CHECK_INT(run("file.name == 'a.log'", EXPR_SCOPE_EVENT), 1);
	CHECK_INT(run("file.name == 'a.log'", EXPR_SCOPE_SESSION), 1);
	BAD("event.hr == 1", 1,
	    "field 'event.hr' is not available in message scope");
	bad_at("msg.status == 1", EXPR_SCOPE_EVENT, 1,
	       "field 'msg.status' is not available in event scope",
	       __LINE__);
}

/* open n times, "true", close n times, into out (400 bytes) */
static void nest(char *out, const char *open, int n, const char *close)
{
	size_t k = 0, lo = strlen(open), lc = strlen(close);
	for (int i = 0; i < n; i++, k += lo)
		memcpy(out + k, open, lo);
	memcpy(out + k, "true", 4);
	k += 4;
	for (int i = 0; i < n; i++, k += lc)
		memcpy(out + k, close, lc);
	out[k] = '\0';
}

static void test_errors(void)
{
	BAD("msg.staus == 401", 1, "unknown field 'msg.staus'");
	BAD("msg.status == \"x\"", 12,
	    "'msg.status' is an int, compared with a string");
	BAD("'x' != msg.status", 5, "''x'' is a string, compared with an int");
	BAD("msg.status", 1, "'msg.status' is an int, not a condition "
	    "(compare it, e.g. with '==')");
	BAD("msg.method and true", 1, "'msg.method' is a string, not a "
	    "condition (compare it, e.g. with '==')");
	BAD("true and 5", 10, "'5' is an int, not a condition (compare it, "
	    "e.g. with '==')");
	BAD("not 'x'", 5, "''x'' is a string, not a condition (compare it, "
	    "e.g. with '==')");
	BAD("msg.method < 'b'", 12, "'msg.method' is a string; '<' needs "
	    "ints");
	BAD("msg.status contains 'b'", 12, "'msg.status' is an int; "
	    "'contains' needs strings");
	BAD("msg.method contains 1", 12, "'1' is an int; 'contains' needs "
	    "strings");
	BAD("msg.status matches 'x'", 12, "'msg.status' is an int; "
	    "'matches' needs a string");
	BAD("msg.method matches msg.reason", 20, "expected a regex in quotes "
	    "after 'matches', found 'msg.reason'");
	BAD("msg.method matches 'a('", 20, "bad regex: missing closing "
	    "parenthesis at offset 2");
	BAD("msg.status in (500, 503", 24, "expected ')' after list");
	BAD("msg.status in (500 503)", 20, "expected ')' after list");
	BAD("msg.status in ()", 16, "expected a number, a string, true or "
	    "false, found ')'");
	BAD("msg.status in (500, 'x')", 21, "list item is a string, "
	    "'msg.status' is an int");
	BAD("msg.status in 500", 15, "expected '(' or a list name after "
	    "'in', found '500'");
	BAD("msg.status in nolist", 15, "unknown list 'nolist'");
	BAD("msg.method in register_errors", 15, "list 'register_errors' "
	    "holds an int, 'msg.method' is a string");
	BAD("(msg.status == 1", 17, "expected ')', found the end");
	BAD("msg.status == 1)", 16, "expected 'and', 'or' or the end, "
	    "found ')'");
	BAD("msg.status = 1", 12, "expected '==' (one '=' is not a "
	    "comparison)");
	BAD("!msg.is_response", 1, "unexpected '!': write 'not' or '!='");
	BAD("msg.status == 1 == true", 17, "expected 'and' or 'or' between "
	    "two comparisons");
	BAD("msg.Status == 1", 5, "'msg.Status': names are lowercase");
	BAD("msg..status == 1", 4, "expected a name after '.'");
	BAD("msg.status. == 1", 11, "expected a name after '.'");
	BAD("msg.status == 12ab", 15, "malformed number");
	BAD("msg.status == 0x", 15, "malformed number");
	BAD("msg.status == 99999999999999999999", 15,
	    "number out of range (64-bit)");
	BAD("msg.status == 0x8000000000000000", 15,
	    "number out of range (64-bit)");
	BAD("msg.method == 'abc", 15, "unterminated string");
	BAD("msg.method == 'a\\qb'", 17, "unknown escape in a string "
	    "(\\\" \\' \\\\ \\n \\t)");
	BAD("msg.status == 1 & true", 17, "unexpected '&'");
	BAD("msg.status == \x01", 15, "unexpected byte 0x01");
	BAD("", 1, "empty condition");
	BAD("   ", 1, "empty condition");
	BAD("msg.status ==", 14, "expected a field, a number, a string, "
	    "true, false or '(', found the end");
	BAD("header == 'x'", 1, "'header' needs a key, e.g. "
	    "header(\"Name\")");
	BAD("msg.status('x') == 1", 1, "'msg.status' takes no key");
	BAD("nofunc('x') == 1", 1, "unknown function or keyed field "
	    "'nofunc'");
	BAD("header(1) == 'x'", 8, "expected a string key, found '1'");
	BAD("header('a' == 'x'", 12, "expected ')', found '=='");
	BAD("exists(1)", 8, "exists() takes a field");
	BAD("exists(nofield)", 8, "unknown field 'nofield'");
	BAD("and", 1, "expected a field, a number, a string, true, false or "
	    "'(', found 'and'");
	/* nesting depth: 64 levels are fine, 65 are not */
	char deep[400];
	nest(deep, "(", 70, ")");
	BAD(deep, 65, "nested too deeply (more than 64 levels)");
	nest(deep, "not ", 70, "");
	BAD(deep, 257, "nested too deeply (more than 64 levels)");
	nest(deep, "(", 64, ")");
	CHECK_INT(msg(deep), 1);
	nest(deep, "not ", 64, "");
	CHECK_INT(msg(deep), 1);
	size_t k;
	/* source length */
	size_t big = EXPR_MAX_SRC + 1;
	char *s = malloc(big + 1);
	memset(s, ' ', big);
	memcpy(s, "true", 4);
	s[big] = '\0';
	BAD(s, EXPR_MAX_SRC + 1, "longer than 16384 bytes");
	/* long flat chains are fine (no recursion per term) */
	k = 0;
	while (k + 10 < EXPR_MAX_SRC) {
		memcpy(s + k, "true and ", 9);
		k += 9;
	}
	memcpy(s + k, "true", 5);
	CHECK_INT(msg(s), 1);
	free(s);
	/* bad scope */
	struct sfb_err err = { 0 };
	CHECK(expr_compile("true", 4, (enum expr_scope)9, &env, &err) ==
	      NULL);
	CHECK_INT(err.code, SFB_E_USAGE);
	CHECK(expr_scope_name((enum expr_scope)0) == NULL);
	CHECK(strcmp(expr_scope_name(EXPR_SCOPE_EVENT), "event") == 0);
	/* no environment at all: literals only */
	struct expr *e = expr_compile("1 < 2", 5, EXPR_SCOPE_MSG, NULL, &err);
	CHECK(e != NULL);
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	CHECK_INT(expr_eval(e, &c), 1);
	expr_free(e);
	expr_free(NULL);
	CHECK_INT(expr_eval(NULL, &c), 0);
}

/* Render src (compiled in scope) against V into a static buffer. */
static const char *render(const char *src, enum expr_scope scope,
			  size_t outsz)
{
	static char out[512];
	struct sfb_err err = { 0 };
	struct expr_tmpl *t = expr_tmpl_compile(src, strlen(src), scope, &env,
						&err);
	if (!t) {
		snprintf(out, sizeof out, "ERROR col %u: %.480s", err.col,
			 err.msg);
		return out;
	}
	struct expr_ctx c = ctx_for(&V);
	size_t n = expr_tmpl_render(t, &c, out, outsz);
	if (n != strlen(out))
		snprintf(out, sizeof out, "BAD LENGTH %zu", n);
	expr_tmpl_free(t);
	return out;
}

#define CHECK_RENDER(src, scope, want) \
	CHECK_SV(sv_cstr(render(src, scope, 512)), want)

static void test_templates(void)
{
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_STATUS, 401);
	fake_set_s(&V, F_METHOD, "REGISTER");
	fake_set_i(&V, F_IS_RESP, 1);
	V.header_server = "RTC/6.0";
	fake_set_i(&V, F_EV_HR, (int64_t)0x80EF0191);
	fake_set_s(&V, F_CAPTURE, "x");

	CHECK_RENDER("{msg.method} answered {msg.status}", EXPR_SCOPE_MSG,
		     "REGISTER answered 401");
	CHECK_RENDER("resp={msg.is_response} reason={msg.reason}.",
		     EXPR_SCOPE_MSG, "resp=true reason=?.");
	CHECK_RENDER("server {header(\"Server\")}, via {header('Via')}",
		     EXPR_SCOPE_MSG, "server RTC/6.0, via ?");
	CHECK_RENDER("{{literal}} {{{msg.status}}}", EXPR_SCOPE_MSG,
		     "{literal} {401}");
	CHECK_RENDER("", EXPR_SCOPE_MSG, "");
	CHECK_RENDER("no fields", EXPR_SCOPE_MSG, "no fields");
	CHECK_RENDER("hr {hex(event.hr)} = {event.hr}", EXPR_SCOPE_EVENT,
		     "hr 0x80EF0191 = 2163147153");
	fake_set_i(&V, F_EV_HR, -2131820143);   /* the same, sign-extended */
	CHECK_RENDER("{hex(event.hr)}", EXPR_SCOPE_EVENT, "0x80EF0191");
	fake_set_i(&V, F_EV_HR, 0x1234);
	CHECK_RENDER("{hex( event.hr )}", EXPR_SCOPE_EVENT, "0x00001234");
	CHECK_RENDER("{ msg.status }", EXPR_SCOPE_MSG, "401");
	/* numbers as the printf family wrote them */
	fake_set_i(&V, F_EV_HR, 0);
	CHECK_RENDER("{hex(event.hr)} {event.hr}", EXPR_SCOPE_EVENT,
		     "0x00000000 0");
	fake_set_i(&V, F_EV_HR, -5);
	CHECK_RENDER("{hex(event.hr)} {event.hr}", EXPR_SCOPE_EVENT,
		     "0xFFFFFFFB -5");
	fake_set_i(&V, F_EV_HR, INT64_MIN);
	CHECK_RENDER("{hex(event.hr)} {event.hr}", EXPR_SCOPE_EVENT,
		     "0x8000000000000000 -9223372036854775808");
	fake_set_i(&V, F_EV_HR, (int64_t)0x123456789A);
	CHECK_RENDER("{hex(event.hr)}", EXPR_SCOPE_EVENT, "0x123456789A");
	fake_set_i(&V, F_EV_HR, (int64_t)INT32_MIN - 1);
	CHECK_RENDER("{hex(event.hr)}", EXPR_SCOPE_EVENT,
		     "0xFFFFFFFF7FFFFFFF");
	fake_set_i(&V, F_IS_RESP, 0);
	CHECK_RENDER("{msg.is_response}", EXPR_SCOPE_MSG, "false");
	fake_set_i(&V, F_IS_RESP, 1);
	/* bounded output */
	CHECK_SV(sv_cstr(render("{msg.method} answered", EXPR_SCOPE_MSG, 6)),
		 "REGIS");
	CHECK_SV(sv_cstr(render("abc", EXPR_SCOPE_MSG, 1)), "");

	CHECK_RENDER("x {msg.staus}", EXPR_SCOPE_MSG,
		     "ERROR col 4: unknown field 'msg.staus'");
	CHECK_RENDER("x\ny {session.user}", EXPR_SCOPE_MSG,
		     "ERROR col 6: field 'session.user' is not available "
		     "in message scope");
	CHECK_RENDER("a {msg.status", EXPR_SCOPE_MSG,
		     "ERROR col 3: expected '}' to close this '{' (write "
		     "'{{' for a brace)");
	CHECK_RENDER("a {msg.status\n}", EXPR_SCOPE_MSG,
		     "ERROR col 3: expected '}' to close this '{' (write "
		     "'{{' for a brace)");
	CHECK_RENDER("a } b", EXPR_SCOPE_MSG,
		     "ERROR col 3: unmatched '}' (write '}}' for a brace)");
	CHECK_RENDER("{}", EXPR_SCOPE_MSG,
		     "ERROR col 2: expected a field name, found the end");
	CHECK_RENDER("{msg.status == 1}", EXPR_SCOPE_MSG,
		     "ERROR col 13: expected '}', found '=='");
	CHECK_RENDER("{hex(msg.method)}", EXPR_SCOPE_MSG,
		     "ERROR col 2: hex() takes an int field");
	CHECK_RENDER("{header}", EXPR_SCOPE_MSG,
		     "ERROR col 2: 'header' needs a key, e.g. "
		     "header(\"Name\")");
	CHECK_RENDER("{header(\"a}b\")}", EXPR_SCOPE_MSG, "?");
	CHECK_RENDER("{is_401}", EXPR_SCOPE_MSG,
		     "ERROR col 2: unknown field 'is_401'");
}

/* Evaluation of one program from several contexts: no shared state. */
static void test_shared(void)
{
	const char *src = "msg.reason matches 'b+c' and msg.status == 1";
	struct sfb_err err = { 0 };
	struct expr *e = expr_compile(src, strlen(src), EXPR_SCOPE_MSG, &env,
				      &err);
	CHECK(e != NULL);
	struct fake_vals a = { 0 }, b = { 0 };
	fake_set_i(&a, F_STATUS, 1);
	fake_set_s(&a, F_REASON, "abbbc");
	fake_set_i(&b, F_STATUS, 1);
	fake_set_s(&b, F_REASON, "ac");
	struct expr_ctx ca = ctx_for(&a), cb = ctx_for(&b);
	ca.scratch = expr_scratch_new();
	cb.scratch = expr_scratch_new();
	int hits = 0;
	for (int i = 0; i < 100; i++)
		hits += expr_eval(e, i % 2 ? &ca : &cb);
	CHECK_INT(hits, 50);
	expr_scratch_free(ca.scratch);
	expr_scratch_free(cb.scratch);
	expr_scratch_free(NULL);
	expr_free(e);
}

/* ---- expr_may_match: what a rule index may skip ---------------------- */

/* The known fields of the test: V's value for those in `known` (a bit
 * per field id), EXPR_UNKNOWN for the others. */
struct partial_view {
	struct fake_vals *v;
	unsigned known;
};

static int partial_get(void *ud, int id, struct sv key,
		       struct expr_value *out)
{
	struct partial_view *pv = ud;
	if (!(pv->known & 1u << id))
		return EXPR_UNKNOWN;
	return fake_get(pv->v, id, key, out);
}

/* src compiled for messages, or NULL */
static struct expr *msg_expr(const char *src)
{
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	return expr_compile(src, strlen(src), EXPR_SCOPE_MSG, &env, &err);
}

/* expr_may_match (truth 0), else expr_truth, of src on V */
static int partial(const char *src, unsigned known, int truth)
{
	struct expr *e = msg_expr(src);
	if (!e)
		return -1;
	struct partial_view pv = { &V, known };
	int r = truth ? expr_truth(e, partial_get, &pv)
		: expr_may_match(e, partial_get, &pv);
	expr_free(e);
	return r;
}

/*
 * src evaluated on V with a memo made for the fields in known
 * (expr_truth_memo, expr_eval_memo); *gets: the fields it read.
 */
static int memo_run(const char *src, unsigned known, int *gets)
{
	struct expr *e = msg_expr(src);
	if (!e)
		return -1;
	struct partial_view pv = { &V, known };
	signed char *memo = malloc(expr_nodes(e) + 1);
	(void)expr_truth_memo(e, partial_get, &pv, memo);
	struct expr_ctx c = ctx_for(&V);
	V.gets = 0;
	int r = expr_eval_memo(e, &c, memo);
	*gets = V.gets;
	free(memo);
	expr_free(e);
	return r;
}

static int may(const char *src, unsigned known)
{
	return partial(src, known, 0);
}

static int truth(const char *src, unsigned known)
{
	return partial(src, known, 1);
}

static void test_may_match(void)
{
	const unsigned RESP = 1u << F_IS_RESP, ST = 1u << F_STATUS,
		       ME = 1u << F_METHOD, RE = 1u << F_REASON;
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_IS_RESP, 0);           /* a request */
	CHECK(may("msg.is_response and msg.status == 401", RESP) == 0);
	CHECK(may("msg.is_response and msg.status == 401", 0) == 1);
	CHECK(may("not msg.is_response", RESP) == 1);
	CHECK(may("msg.is_response or msg.status == 1", RESP) == 1);
	CHECK(may("msg.status == 401", ST) == 0);       /* absent */
	CHECK(may("msg.status != 401", ST) == 0);
	CHECK(may("not (msg.status == 401)", ST) == 1);
	CHECK(may("exists(msg.reason)", RE) == 0);
	CHECK(may("exists(msg.reason)", 0) == 1);
	CHECK(may("msg.method matches 'REG'", ME) == 0);
	CHECK(may("msg.method matches 'REG'", 0) == 1);
	fake_set_i(&V, F_IS_RESP, 1);
	fake_set_s(&V, F_METHOD, "SUBSCRIBE");
	CHECK(may("msg.is_response and msg.status == 401", RESP) == 1);
	CHECK(may("not msg.is_response", RESP) == 0);
	CHECK(may("msg.method in ('REGISTER', 'INVITE')", ME) == 0);
	CHECK(may("msg.method in ('REGISTER', 'SUBSCRIBE')", ME) == 1);
	CHECK(may("msg.method == 'REGISTER' or msg.status == 1", ME) == 1);
	CHECK(may("msg.method == 'REGISTER' or msg.status == 1",
		  ME | ST) == 0);
	/* expr_truth: also what is true of every item */
	fake_set_i(&V, F_STATUS, 401);
	CHECK(truth("msg.is_response and msg.status == 401", RESP | ST) == 1);
	CHECK(truth("msg.is_response and msg.status == 401", RESP) ==
	      EXPR_UNKNOWN);
	CHECK(truth("msg.is_response and msg.status == 500", RESP | ST) == 0);
	CHECK(truth("msg.is_response or msg.method matches 'X'", RESP) == 1);
	CHECK(truth("msg.method matches 'SUB'", ME) == EXPR_UNKNOWN);
	CHECK(truth("not exists(msg.reason)", RE) == 1);
	/* a memo: what the class decides is not read again */
	int gets;
	fake_set_s(&V, F_REASON, "OK");
	CHECK_INT(memo_run("msg.is_response and msg.status == 401 and "
			   "msg.reason != 'x'", RESP | ST, &gets), 1);
	CHECK_INT(gets, 1);                     /* msg.reason only */
	CHECK_INT(memo_run("msg.status == 500 or msg.is_response", ST,
			   &gets), 1);
	CHECK_INT(gets, 1);
	CHECK_INT(memo_run("msg.status == 401 or msg.is_response", ST,
			   &gets), 1);
	CHECK_INT(gets, 0);                     /* decided */
	CHECK_INT(memo_run("msg.status == 401 or msg.is_response", 0,
			   &gets), 1);
	CHECK_INT(gets, 1);
	/* down an and, then an or, to the one part left to read */
	CHECK_INT(memo_run("msg.is_response and (msg.status == 500 or "
			   "msg.reason == 'OK')", RESP | ST, &gets), 1);
	CHECK_INT(gets, 1);
	CHECK_INT(memo_run("msg.is_response and (msg.status == 500 or "
			   "msg.reason == 'x')", RESP | ST, &gets), 0);
	CHECK_INT(gets, 1);
	CHECK_INT(memo_run("msg.is_response and (msg.status == 500 or "
			   "(msg.reason == 'OK' and msg.status == 401))",
			   RESP, &gets), 1);
	CHECK_INT(gets, 3);

	/*
	 * Soundness: whenever a condition is true of an item, it may
	 * match whatever part of the item is known.
	 */
	static const char *const conds[] = {
		"msg.is_response and msg.status == 401",
		"not msg.is_response or msg.method == 'REGISTER'",
		"msg.status >= 400 and not exists(msg.method)",
		"(msg.status == 200 or msg.reason contains 'OK') and "
		"msg.is_response",
		"msg.method in ('REGISTER', 'INVITE') and not "
		"(msg.status == 401)",
	};
	for (int resp = 0; resp < 2; resp++)
		for (int st = 0; st < 3; st++)
			for (int me = 0; me < 2; me++) {
				memset(&V, 0, sizeof V);
				fake_set_i(&V, F_IS_RESP, resp);
				if (st)
					fake_set_i(&V, F_STATUS,
						   st == 1 ? 401 : 200);
				if (me)
					fake_set_s(&V, F_METHOD, "REGISTER");
				fake_set_s(&V, F_REASON, "OK");
				for (size_t c = 0; c < sizeof conds /
				     sizeof conds[0]; c++) {
					int real = msg(conds[c]);
					for (unsigned k = 0; k < 16; k++) {
						unsigned kn =
							(k & 1 ? RESP : 0) |
							(k & 2 ? ST : 0) |
							(k & 4 ? ME : 0) |
							(k & 8 ? RE : 0);
						int t = truth(conds[c], kn);
						CHECK(t == EXPR_UNKNOWN ||
						      t == real);
						int g;
						CHECK_INT(memo_run(conds[c], kn,
								   &g), real);
						if (real == 1)
							CHECK(may(conds[c],
								  kn) == 1);
					}
				}
			}
}

int main(void)
{
	test_operators();
	test_absent();
	test_in();
	test_macros();
	test_matches_limit();
	test_aggregates();
	test_scopes();
	test_errors();
	test_templates();
	test_shared();
	test_may_match();
	return CHECK_DONE("unit_expr");
}
