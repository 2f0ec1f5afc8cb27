/* SPDX-License-Identifier: MIT */
/*
 * fuzz_expr.c -- libFuzzer target for the rule language (src/expr.c):
 * arbitrary text compiled as a condition or a template over the fake
 * field table (src/test/fake_fields.h) with a few macros and lists,
 * then evaluated and rendered.  The first input byte chooses the scope
 * (bits 0-1), condition or template (bit 2) and which values are
 * present (bits 3-7); the rest is the source.
 *
 * A compile that fails must say where (SFB_E_RULE, a column inside the
 * text or just past it, a message); a program that compiles must
 * evaluate to 0 or 1, list sane aggregates whose sub-programs evaluate
 * too, expr_truth from part of the item's fields must decide as
 * expr_eval does or not at all (what the rule index relies on), and a
 * template must render NUL-terminated within its buffer.
 * A broken invariant aborts, which libFuzzer and replay.c report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "fake_fields.h"
#include "sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *name, *src;
} macros[] = {
	{ "is_401", "msg.status == 401" },
	{ "reg", "msg.method == 'REGISTER' and is_401" },
	{ "cyc", "not cyc2" },
	{ "cyc2", "cyc or true" },
	{ "dbl", "reg and reg or reg" },
	{ "dbl2", "dbl and dbl or dbl" },
	{ "dbl3", "dbl2 and dbl2 or dbl2" },
	{ "dbl4", "dbl3 and dbl3 or dbl3" },
	{ "ses", "session.signed_in and count_msgs(is_401) > 1" },
};

static const struct expr_value ints[] = {
	{ EXPR_T_INT, 500, { NULL, 0 } }, { EXPR_T_INT, -1, { NULL, 0 } },
};
static const struct expr_value strs[] = {
	{ EXPR_T_STR, 0, { "REGISTER", 8 } }, { EXPR_T_STR, 0, { "", 0 } },
};

static int f_macro(void *ud, struct sv name, struct sv *src)
{
	(void)ud;
	for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++)
		if (sv_eq(name, sv_cstr(macros[i].name))) {
			*src = sv_cstr(macros[i].src);
			return 0;
		}
	return -1;
}

static int f_list(void *ud, struct sv name, const struct expr_value **items,
		  size_t *n)
{
	(void)ud;
	if (sv_eq(name, SV_LIT("codes"))) {
		*items = ints;
		*n = 2;
		return 0;
	}
	if (sv_eq(name, SV_LIT("names"))) {
		*items = strs;
		*n = 2;
		return 0;
	}
	return -1;
}

static const struct expr_env env = { fake_resolve, f_macro, f_list, NULL };

static void values(struct fake_vals *v, unsigned bits)
{
	memset(v, 0, sizeof *v);
	if (bits & 1) {
		fake_set_i(v, F_STATUS, 401);
		fake_set_s(v, F_METHOD, "REGISTER");
		fake_set_s(v, F_REASON, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
	}
	if (bits & 2) {
		fake_set_i(v, F_IS_RESP, 1);
		fake_set_i(v, F_SIGNED_IN, 1);
		fake_set_i(v, F_REG_TOTAL, 5);
	}
	if (bits & 4) {
		fake_set_s(v, F_EV_NAME, "tls.fail");
		fake_set_i(v, F_EV_HR, -2146893022);
		fake_set_s(v, F_USER, "sip:bob@fabrikam.com");
		v->header_server = "RTC/6.0";
	}
	fake_set_s(v, F_ANY_TIME, "");
	for (int i = 0; i < 8; i++) {
		v->total[i] = (bits >> 3) & 1 ? (uint64_t)i : 0;
		v->matched[i] = (bits >> 4) & 1 ? v->total[i] / 2 : 0;
	}
}

/* expr_truth's view of the item: fields of the mask's bits known, with
 * the item's values (present or absent), the others unknown */
struct known_view {
	struct fake_vals *v;
	uint32_t mask;
};

static int known_get(void *ud, int id, struct sv key, struct expr_value *out)
{
	struct known_view *k = ud;
	if (!(k->mask >> (id & 31) & 1))
		return EXPR_UNKNOWN;
	return fake_get(k->v, id, key, out);
}

/*
 * Evaluate; what expr_truth decides from some of the item's fields (no
 * field, every one, every other one) must be what expr_eval finds.
 */
static void run(const struct expr *e, struct expr_ctx *c)
{
	static const uint32_t masks[] = { 0, UINT32_MAX, 0x55555555u,
					  0xaaaaaaaau };
	int r = expr_eval(e, c);
	if (r != 0 && r != 1)
		abort();
	for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		struct known_view k = { c->ud, masks[i] };
		int t = expr_truth(e, known_get, &k);
		if (t != EXPR_UNKNOWN && t != r)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum expr_scope scope = (enum expr_scope)((data[0] & 3) % 3 + 1);
	int tmpl = data[0] >> 2 & 1;
	const char *src = (const char *)data + 1;
	size_t n = size - 1;
	struct fake_vals v;
	values(&v, data[0] >> 3);
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.agg = fake_agg;
	c.ud = &v;
	c.scratch = expr_scratch_new();
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	if (tmpl) {
		struct expr_tmpl *t = expr_tmpl_compile(src, n, scope, &env,
							&err);
		if (t) {
			char out[64];
			memset(out, 'x', sizeof out);
			size_t len = expr_tmpl_render(t, &c, out, 17);
			if (len > 16 || out[len] != '\0' || out[17] != 'x')
				abort();
			expr_tmpl_free(t);
		}
	} else {
		struct expr *e = expr_compile(src, n, scope, &env, &err);
		if (e) {
			run(e, &c);
			if (expr_nagg(e) > EXPR_MAX_AGG ||
			    (expr_nagg(e) && scope != EXPR_SCOPE_SESSION))
				abort();
			for (size_t i = 0; i < expr_nagg(e); i++) {
				enum expr_scope s;
				const struct expr *f, *p;
				expr_agg(e, i, &s, &f, &p);
				if (!p || (s != EXPR_SCOPE_MSG &&
					   s != EXPR_SCOPE_EVENT) ||
				    expr_nagg(p) || expr_scope_of(p) != s)
					abort();
				if (f)
					run(f, &c);
				run(p, &c);
			}
			expr_free(e);
		}
	}
	if (err.code != SFB_E_OK) {
		size_t lim = n > EXPR_MAX_SRC ? EXPR_MAX_SRC : n;
		if (err.code != SFB_E_RULE || err.col < 1 ||
		    err.col > lim + 1 || !err.msg[0])
			abort();
	}
	expr_scratch_free(c.scratch);
	return 0;
}
