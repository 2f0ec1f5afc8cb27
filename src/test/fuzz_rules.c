/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rules.c -- libFuzzer target for the rule-file loader
 * (src/rules.c): the input is one YAML rule file, loaded from memory
 * (rules_load_mem) against the fake field table of
 * src/test/fake_fields.h.
 *
 * A load that fails must say where: "fuzz.yaml:LINE:COL: error: ..."
 * with SFB_E_RULE or SFB_E_LIMIT and a line inside the file.  A
 * ruleset that loads must hold sane rules (an id, a severity, a step
 * and a scope in range, compiled condition and templates), whose
 * conditions evaluate to 0 or 1 and whose templates render within
 * their buffer.  A broken invariant aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_fields.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct expr_env env = { fake_resolve, NULL, NULL, NULL };

static void render(const struct expr_tmpl *t, struct expr_ctx *c)
{
	char out[40];
	out[33] = 'x';
	size_t n = expr_tmpl_render(t, c, out, 33);
	if (n > 32 || out[n] != '\0' || out[33] != 'x')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	struct rules *rs = rules_load_mem("fuzz.yaml", (const char *)data,
					  size, &env, &err);
	if (!rs) {
		/* YAML breaks lines at LF, CR, and NEL, LS, PS in UTF-8 */
		unsigned long lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n' || data[i] == '\r' ||
				 data[i] == 0x85 || data[i] == 0xA8 ||
				 data[i] == 0xA9;
		if ((err.code != SFB_E_RULE && err.code != SFB_E_LIMIT) ||
		    strncmp(err.msg, "fuzz.yaml:", 10) ||
		    !strstr(err.msg, ": error: ") || err.line < 1 ||
		    err.line > lines + 1 || err.col < 1)
			abort();
		return 0;
	}
	struct fake_vals v;
	memset(&v, 0, sizeof v);
	fake_set_i(&v, F_STATUS, 401);
	fake_set_s(&v, F_METHOD, "REGISTER");
	fake_set_i(&v, F_REG_TOTAL, 4);
	v.matched[0] = v.total[0] = 1;
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.agg = fake_agg;
	c.ud = &v;
	if (rules_count(rs) > RULES_MAX_RULES)
		abort();
	for (size_t i = 0; i < rules_count(rs); i++) {
		const struct rules_rule *r = rules_get(rs, i);
		if (!r || !r->id[0] || r->sev < SFB_SEV_INFO ||
		    r->sev > SFB_SEV_ERROR ||
		    (unsigned)r->step >= SFB_STEP__COUNT ||
		    r->scope < EXPR_SCOPE_MSG ||
		    r->scope > EXPR_SCOPE_SESSION || !r->cond ||
		    !r->title || !r->explanation || !r->remediation ||
		    (r->output == NULL) != (r->output_src[0] == '\0') ||
		    rules_find(rs, r->id) != r || !r->file || r->line < 1 ||
		    r->nrefs > RULES_MAX_REFS)
			abort();
		int x = expr_eval(r->cond, &c);
		if (x != 0 && x != 1)
			abort();
		render(r->title, &c);
		render(r->explanation, &c);
		render(r->remediation, &c);
		if (r->output)
			render(r->output, &c);
	}
	rules_free(rs);
	return 0;
}
