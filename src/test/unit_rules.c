/* SPDX-License-Identifier: MIT */
/*
 * unit_rules.c -- unit tests of the rule-file loader (rules.c) over the
 * fake field table of fake_fields.h and the files of
 * testdata/unit/rules/: a good folder (lists, macros used before their
 * definition, every key, ignored files), a site folder overriding,
 * disabling and enabling rules across directories, a duplicate id in
 * one folder, and one file per load error with its exact
 * FILE:LINE:COL text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expr.h"
#include "fake_fields.h"
#include "field.h"
#include "rules.h"
#include "sv.h"

#define DIR "testdata/unit/rules/"

static const struct expr_env fields = { fake_resolve, NULL, NULL, NULL };

static const struct {
	const char *file;
	const char *msg;        /* '@' stands for the file's path */
} bad[] = {
	{ "bad-enabled.yaml",
	  "@:9:12: error: bad value 'yes' for 'enabled': expected true "
	  "or false" },
	{ "bad-id.yaml",
	  "@:1:9: error: bad rule id 'Auth.X': lowercase letters, "
	  "digits, '.' and '-', from a letter" },
	{ "bad-scope.yaml",
	  "@:5:10: error: bad scope 'call': expected message, event, "
	  "session or join" },
	{ "bad-severity.yaml",
	  "@:2:13: error: bad severity 'critical': expected info, "
	  "warning or error" },
	{ "bad-step.yaml",
	  "@:4:9: error: bad step 'login': expected discovery, "
	  "connectivity, authentication, redirection, settings or "
	  "general" },
	{ "cond-folded-blank.yaml",
	  "@:6:14: error: condition, column 32: 'msg.method' is a "
	  "string, compared with an int" },
	{ "cond-literal.yaml",
	  "@:8:18: error: condition: 'msg.method' is a string, "
	  "compared with an int" },
	{ "cond-plain.yaml",
	  "@:6:14: error: condition: unknown field 'msg.staus'" },
	{ "cond-quoted.yaml",
	  "@:6:26: error: condition: 'msg.status' is an int, compared "
	  "with a string" },
	{ "cond-scope.yaml",
	  "@:6:14: error: condition: field 'session.user' is not "
	  "available in message scope" },
	{ "dup-id.yaml",
	  "@:10:9: error: duplicate rule id 'a.b' (first in @:1)" },
	{ "dup-key.yaml",
	  "@:4:3: error: duplicate key 'title'" },
	{ "empty-title.yaml",
	  "@:3:10: error: 'title' is empty" },
	{ "expl-block.yaml",
	  "@:9:13: error: explanation: unknown field 'nofield'" },
	{ "list-mix.yaml",
	  "@:2:14: error: list 'l' mixes strings and ints (quote "
	  "numbers meant as text)" },
	{ "list-not-seq.yaml",
	  "@:2:10: error: expected a list for 'items', e.g. [a, b]" },
	{ "macro-bad.yaml",
	  "@:2:28: error: condition: expected a field, a number, a "
	  "string, true, false or '(', found '=='" },
	{ "macro-cycle.yaml",
	  "@:2:14: error: condition: in macro 'a', column 1: macro 'b' "
	  "uses itself (b -> a -> b)" },
	{ "macro-name.yaml",
	  "@:1:10: error: bad macro name 'is-401': lowercase letters, "
	  "digits and '_', from a letter" },
	{ "missing-key.yaml",
	  "@:1:3: error: rule 'a.b' has no 'remediation'" },
	{ "no-kind.yaml",
	  "@:1:3: error: expected a 'rule', 'macro' or 'list' key in "
	  "this entry" },
	{ "not-map.yaml",
	  "@:1:3: error: expected an entry '- rule:', '- macro:' or '- "
	  "list:'" },
	{ "not-seq.yaml",
	  "@:1:1: error: expected a list of entries ('- rule:', '- "
	  "macro:', '- list:')" },
	{ "title-field.yaml",
	  "@:3:21: error: title: unknown field 'msg.stat'" },
	{ "title-seq.yaml",
	  "@:3:10: error: expected text for 'title', found a list" },
	{ "two-docs.yaml",
	  "@:10:1: error: a second YAML document: one per file" },
	{ "two-kinds.yaml",
	  "@:2:3: error: 'list' in a macro entry: one of rule, macro "
	  "or list per entry" },
	{ "unknown-key.yaml",
	  "@:3:3: error: unknown key 'titel'" },
	{ "unknown-list.yaml",
	  "@:6:28: error: condition: unknown list 'errs'" },
	{ "utf8.yaml",
	  "@:2:15: error: yaml: invalid trailing UTF-8 octet" },
	{ "wrong-kind-key.yaml",
	  "@:3:13: error: 'severity' does not belong in a macro entry" },
	{ "yaml-syntax.yaml",
	  "@:2:11: error: yaml: did not find expected ',' or ']' "
	  "(while parsing a flow sequence)" },
	{ "yaml-tab.yaml",
	  "@:2:1: error: yaml: found a tab character that violates "
	  "indentation (while scanning a plain scalar)" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[256], want[512];
		snprintf(path, sizeof path, DIR "bad/%s", bad[i].file);
		size_t k = 0;
		for (const char *p = bad[i].msg; *p && k + 200 < sizeof want;
		     p++) {
			if (*p == '@') {
				k += (size_t)snprintf(want + k,
						      sizeof want - k, "%s",
						      path);
			} else {
				want[k++] = *p;
			}
		}
		want[k] = '\0';
		struct sfb_err err;
		memset(&err, 0, sizeof err);
		struct rules *rs = rules_load_file(path, &fields, &err);
		if (rs || strcmp(err.msg, want) ||
		    (err.code != SFB_E_RULE && err.code != SFB_E_LIMIT) ||
		    err.line == 0 || err.col == 0) {
			check_fail++;
			fprintf(stderr, "%s: got %s '%s', expected '%s'\n",
				path, rs ? "success" : "error", err.msg,
				want);
		} else {
			check_pass++;
		}
		rules_free(rs);
	}
}

/* Values for the templates: a session with a user and a count. */
static struct fake_vals V;

static const char *render(const struct expr_tmpl *t)
{
	static char out[256];
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.ud = &V;
	expr_tmpl_render(t, &c, out, sizeof out);
	return out;
}

static void test_good(void)
{
	struct sfb_err err = { 0 };
	const char *dirs[] = { DIR "good", NULL };
	struct rules *rs = rules_load(dirs, &fields, &err);
	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "load: %s\n", err.msg);
		return;
	}
	CHECK_INT(rules_count(rs), 3);
	const struct rules_rule *r = rules_get(rs, 0);
	CHECK(strcmp(r->id, "auth.register-401-loop") == 0);
	CHECK_INT(r->sev, SFB_SEV_ERROR);
	CHECK_INT(r->step, SFB_STEP_AUTH);
	CHECK_INT(r->scope, EXPR_SCOPE_SESSION);
	CHECK_INT(r->enabled, 1);
	CHECK(strcmp(r->file, DIR "good/10-auth.yaml") == 0);
	CHECK_INT(r->line, 2);
	CHECK_INT(r->nrefs, 2);
	CHECK(strcmp(r->refs[0], "OCER-1000") == 0);
	CHECK(strcmp(r->refs[1], "FORMATS") == 0);
	/* folded: one line; literal: the lines kept */
	CHECK(strcmp(r->cond_src, "session.register.total >= 4 and "
		     "count_msgs(register_401) >= 4 and not "
		     "any_msg(msg.status == 200)\n") == 0);
	CHECK_INT(expr_nagg(r->cond), 2);
	CHECK(r->output != NULL);
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_REG_TOTAL, 7);
	fake_set_s(&V, F_USER, "sip:bob@fabrikam.com");
	CHECK_SV(sv_cstr(render(r->title)),
		 "REGISTER loop: 7 REGISTERs, never 200");
	CHECK_SV(sv_cstr(render(r->output)), "7 REGISTERs");
	CHECK_SV(sv_cstr(render(r->explanation)),
		 "Every REGISTER of sip:bob@fabrikam.com was answered "
		 "401.\nLiteral {braces} stay.\n");
	CHECK_SV(sv_cstr(render(r->remediation)), "Check the credentials.\n");
	/* the macro register_401 uses is_401, defined after it */
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.agg = fake_agg;
	c.ud = &V;
	V.matched[0] = 4;
	CHECK_INT(expr_eval(r->cond, &c), 1);
	V.matched[1] = 1;
	CHECK_INT(expr_eval(r->cond, &c), 0);
	const struct expr *p;
	expr_agg(r->cond, 0, NULL, NULL, &p);
	struct fake_vals m = { 0 };
	fake_set_i(&m, F_STATUS, 401);
	fake_set_s(&m, F_METHOD, "REGISTER");
	c.ud = &m;
	CHECK_INT(expr_eval(p, &c), 1);
	fake_set_s(&m, F_METHOD, "INVITE");
	CHECK_INT(expr_eval(p, &c), 0);

	r = rules_find(rs, "msg.server-error");
	CHECK(r == rules_get(rs, 1));
	CHECK_INT(r->sev, SFB_SEV_WARNING);
	CHECK_INT(r->step, SFB_STEP_NONE);
	CHECK_INT(r->scope, EXPR_SCOPE_MSG);
	CHECK(r->output == NULL);
	CHECK(strcmp(r->output_src, "") == 0);
	CHECK_INT(r->nrefs, 1);
	CHECK(strcmp(r->refs[0], "OCER-2000") == 0);
	/* lists: ints (hex too) and strings, plain and quoted */
	memset(&m, 0, sizeof m);
	fake_set_i(&m, F_STATUS, 504);
	fake_set_s(&m, F_METHOD, "SUBSCRIBE");
	CHECK_INT(expr_eval(r->cond, &c), 1);
	fake_set_i(&m, F_STATUS, 0x1F8);
	CHECK_INT(expr_eval(r->cond, &c), 1);
	fake_set_i(&m, F_STATUS, 501);
	CHECK_INT(expr_eval(r->cond, &c), 0);
	fake_set_i(&m, F_STATUS, 500);
	fake_set_s(&m, F_METHOD, "INVITE");
	CHECK_INT(expr_eval(r->cond, &c), 0);
	memset(&V, 0, sizeof V);
	fake_set_i(&V, F_STATUS, 500);
	fake_set_s(&V, F_METHOD, "INVITE");
	CHECK_SV(sv_cstr(render(r->title)), "server error 500 on INVITE");

	r = rules_find(rs, "event.tls");
	CHECK(r != NULL && r->enabled == 0);
	CHECK_INT(r->step, SFB_STEP_CONNECTIVITY);
	CHECK_INT(r->sev, SFB_SEV_INFO);
	CHECK_INT(r->scope, EXPR_SCOPE_EVENT);
	fake_set_i(&V, F_EV_HR, 0x80090322);
	CHECK_SV(sv_cstr(render(r->title)), "TLS failure 0x80090322");
	CHECK(rules_find(rs, "nope") == NULL);
	CHECK(rules_get(rs, 3) == NULL);
	rules_free(rs);
}

static void test_override(void)
{
	struct sfb_err err = { 0 };
	const char *dirs[] = { DIR "good", DIR "site", NULL };
	struct rules *rs = rules_load(dirs, &fields, &err);
	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "load: %s\n", err.msg);
		return;
	}
	/* replaced in place, one added; the unknown toggle is ignored */
	CHECK_INT(rules_count(rs), 4);
	const struct rules_rule *r = rules_get(rs, 0);
	CHECK(strcmp(r->id, "auth.register-401-loop") == 0);
	CHECK_INT(r->enabled, 0);
	/* the rest of a disabled rule stays as shipped */
	CHECK_INT(r->sev, SFB_SEV_ERROR);
	CHECK(strcmp(r->file, DIR "good/10-auth.yaml") == 0);
	r = rules_get(rs, 1);
	CHECK(strcmp(r->id, "msg.server-error") == 0);
	CHECK_INT(r->sev, SFB_SEV_ERROR);
	CHECK(strcmp(r->title_src, "site version") == 0);
	CHECK(strcmp(r->file, DIR "site/00-site.yaml") == 0);
	CHECK_INT(r->line, 3);
	CHECK_INT(r->enabled, 1);
	/* the site's list replaced the shipped one: 503 only */
	struct fake_vals m = { 0 };
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.ud = &m;
	fake_set_i(&m, F_STATUS, 500);
	CHECK_INT(expr_eval(r->cond, &c), 0);
	fake_set_i(&m, F_STATUS, 503);
	CHECK_INT(expr_eval(r->cond, &c), 1);
	r = rules_find(rs, "event.tls");
	CHECK(r != NULL && r->enabled == 1);
	r = rules_get(rs, 3);
	CHECK(strcmp(r->id, "site.only") == 0);
	CHECK_INT(r->step, SFB_STEP_SETTINGS);
	CHECK(rules_find(rs, "not.shipped") == NULL);
	rules_free(rs);

	/* the site folder alone: its toggles touch nothing */
	const char *site[] = { DIR "site", NULL };
	rs = rules_load(site, &fields, &err);
	CHECK(rs != NULL);
	CHECK_INT(rules_count(rs), 2);
	rules_free(rs);

	/* the same folder twice: every name is a duplicate */
	const char *twice[] = { DIR "good", DIR "good", NULL };
	rs = rules_load(twice, &fields, &err);
	CHECK(rs != NULL);
	CHECK_INT(rules_count(rs), 3);
	rules_free(rs);
}

static void test_dirs(void)
{
	struct sfb_err err = { 0 };
	const char *dup[] = { DIR "dup", NULL };
	CHECK(rules_load(dup, &fields, &err) == NULL);
	CHECK_INT(err.code, SFB_E_RULE);
	CHECK(strcmp(err.msg, DIR "dup/b.yaml:2:9: error: duplicate rule id "
		     "'x.one' (first in " DIR "dup/a.yaml:3)") == 0);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.col, 9);

	memset(&err, 0, sizeof err);
	const char *none[] = { DIR "no-such-dir", NULL };
	CHECK(rules_load(none, &fields, &err) == NULL);
	CHECK_INT(err.code, SFB_E_IO);
	CHECK(strstr(err.msg, "no-such-dir") != NULL);

	memset(&err, 0, sizeof err);
	CHECK(rules_load_file(DIR "nofile.yaml", &fields, &err) == NULL);
	CHECK_INT(err.code, SFB_E_IO);

	/* no directories at all: an empty ruleset */
	const char *empty[] = { NULL };
	struct rules *rs = rules_load(empty, &fields, &err);
	CHECK(rs != NULL);
	CHECK_INT(rules_count(rs), 0);
	rules_free(rs);
	rules_free(NULL);
	CHECK_INT(rules_count(NULL), 0);
	CHECK(strcmp(rules_step_name(SFB_STEP_NONE), "general") == 0);
	CHECK(strcmp(rules_step_name(SFB_STEP_REDIRECT), "redirection") == 0);
}

static void test_mem(void)
{
	struct sfb_err err = { 0 };
	static const char ok[] =
		"# comment\n"
		"- macro: m\n  condition: msg.status == 1 # trailing\n"
		"- rule: a.b\n  severity: info\n  title: t\n"
		"  step: discovery\n  scope: message\n  condition: m\n"
		"  explanation: e\n  remediation: r\n";
	struct rules *rs = rules_load_mem("mem.yaml", ok, sizeof ok - 1,
					  &fields, &err);
	CHECK(rs != NULL);
	CHECK_INT(rules_count(rs), 1);
	CHECK_INT(rules_get(rs, 0)->step, SFB_STEP_DISCOVERY);
	CHECK_INT(rules_get(rs, 0)->nrefs, 0);
	CHECK(rules_get(rs, 0)->output == NULL);
	rules_free(rs);

	/* output: "" is no output */
	static const char empty_out[] =
		"- rule: a.b\n  severity: info\n  title: t\n"
		"  step: general\n  scope: message\n  condition: 'true'\n"
		"  output: ''\n  explanation: e\n  remediation: r\n";
	rs = rules_load_mem("o.yaml", empty_out, sizeof empty_out - 1,
			    &fields, &err);
	CHECK(rs != NULL && rules_get(rs, 0)->output == NULL &&
	      !strcmp(rules_get(rs, 0)->output_src, ""));
	rules_free(rs);

	/* empty and comment-only files hold no rules */
	rs = rules_load_mem("e.yaml", "", 0, &fields, &err);
	CHECK(rs != NULL && rules_count(rs) == 0);
	rules_free(rs);
	rs = rules_load_mem("e.yaml", "# x\n", 4, &fields, &err);
	CHECK(rs != NULL && rules_count(rs) == 0);
	rules_free(rs);

	/* a macro that fits no scope: the furthest error */
	static const char m2[] = "- macro: m\n  condition: msg.status == 1 "
				 "and session.user == 1\n";
	memset(&err, 0, sizeof err);
	CHECK(rules_load_mem("m.yaml", m2, sizeof m2 - 1, &fields, &err) ==
	      NULL);
	CHECK(strcmp(err.msg, "m.yaml:2:34: error: condition: field "
		     "'session.user' is not available in message scope") ==
	      0);

	/* limits: the file size */
	size_t big = RULES_MAX_FILE + 1;
	char *s = calloc(1, big);
	memset(s, '#', big);
	memset(&err, 0, sizeof err);
	CHECK(rules_load_mem("big.yaml", s, big, &fields, &err) == NULL);
	CHECK_INT(err.code, SFB_E_LIMIT);
	CHECK(strcmp(err.msg, "big.yaml:1:1: error: file larger than "
		     "4194304 bytes") == 0);
	free(s);

	/* limits: a title too long */
	char t[1024];
	int n = snprintf(t, sizeof t, "- rule: a.b\n  title: ");
	memset(t + n, 'x', 600);
	t[n + 600] = '\n';
	memset(&err, 0, sizeof err);
	CHECK(rules_load_mem("t.yaml", t, (size_t)n + 601, &fields, &err) ==
	      NULL);
	CHECK(strcmp(err.msg, "t.yaml:2:10: error: 'title' longer than 512 "
		     "bytes") == 0);

	/* limits: the number of rules */
	size_t cap = 5000 * 40, k = 0;
	s = malloc(cap);
	for (int i = 0; i < RULES_MAX_RULES + 1; i++)
		k += (size_t)snprintf(s + k, cap - k, "- list: l%d\n  items: "
				      "[1]\n", i);
	memset(&err, 0, sizeof err);
	CHECK(rules_load_mem("n.yaml", s, k, &fields, &err) == NULL);
	CHECK_INT(err.code, SFB_E_LIMIT);
	CHECK(strcmp(err.msg, "n.yaml:8193:3: error: more than 4096 "
		     "lists") == 0);
	free(s);

	/* YAML aliases repeat text: the total is bounded */
	cap = 512 << 10;
	s = malloc(cap);
	k = (size_t)snprintf(s, cap, "- list: a\n  items: [&x ");
	memset(s + k, 'y', 1000);
	k += 1000;
	s[k++] = ']';
	s[k++] = '\n';
	for (int i = 0; i < 17 && k + 4200 * 4 < cap; i++) {
		k += (size_t)snprintf(s + k, cap - k, "- list: b%d\n  "
				      "items: [", i);
		for (int j = 0; j < RULES_MAX_ITEMS; j++)
			k += (size_t)snprintf(s + k, cap - k, "*x,");
		s[k - 1] = ']';
		s[k++] = '\n';
	}
	memset(&err, 0, sizeof err);
	CHECK(k < cap);
	CHECK(rules_load_mem("a.yaml", s, k, &fields, &err) == NULL);
	CHECK_INT(err.code, SFB_E_LIMIT);
	CHECK(strstr(err.msg, "error: more than 67108864 bytes of text in "
		     "all (YAML aliases repeat it)") != NULL);
	free(s);

	/* a list of 0x hex, negative and bool literals */
	static const char l[] =
		"- list: hr\n  items: [0x80EF0191, -1]\n"
		"- list: b\n  items: [true]\n"
		"- rule: a.b\n  severity: info\n  title: t\n"
		"  step: general\n  scope: message\n"
		"  condition: msg.status in hr and msg.is_response in b\n"
		"  explanation: e\n  remediation: r\n";
	rs = rules_load_mem("l.yaml", l, sizeof l - 1, &fields, &err);
	CHECK(rs != NULL);
	struct fake_vals m = { 0 };
	struct expr_ctx c;
	memset(&c, 0, sizeof c);
	c.get = fake_get;
	c.ud = &m;
	fake_set_i(&m, F_STATUS, 0x80EF0191);
	fake_set_i(&m, F_IS_RESP, 1);
	CHECK_INT(rs && expr_eval(rules_get(rs, 0)->cond, &c), 1);
	fake_set_i(&m, F_STATUS, -1);
	CHECK_INT(rs && expr_eval(rules_get(rs, 0)->cond, &c), 1);
	fake_set_i(&m, F_IS_RESP, 0);
	CHECK_INT(rs && expr_eval(rules_get(rs, 0)->cond, &c), 0);
	rules_free(rs);
}

/* The three signatures against the real field table. */
static void test_real_fields(void)
{
	struct sfb_err err = { 0 };
	struct expr_env real = { field_resolve, NULL, NULL, NULL };
	const char *dirs[] = { DIR "real", NULL };
	struct rules *rs = rules_load(dirs, &real, &err);
	CHECK(rs != NULL);
	if (!rs) {
		fprintf(stderr, "load: %s\n", err.msg);
		return;
	}
	CHECK_INT(rules_count(rs), 4);
	const struct rules_rule *r = rules_find(rs, "auth.register-401-loop");
	CHECK(r != NULL && expr_nagg(r->cond) == 2);
	r = rules_find(rs, "disc.autodiscover-loop-500");
	CHECK(r != NULL && expr_nagg(r->cond) == 2);
	rules_free(rs);

	/* the examples of the man page */
	const char *man[] = { DIR "man", NULL };
	rs = rules_load(man, &real, &err);
	CHECK(rs != NULL);
	if (!rs)
		fprintf(stderr, "load: %s\n", err.msg);
	CHECK_INT(rules_count(rs), 5);
	rules_free(rs);
}

/* The rule index's view in test_index: the status is known. */
static int status_known(void *ud, int id, struct sv key,
			struct expr_value *out)
{
	if (id != F_STATUS)
		return EXPR_UNKNOWN;
	return fake_get(ud, id, key, out);
}

static void test_index(void)
{
	struct sfb_err err = { 0 };
	static const char y[] =
		"- rule: m.401\n  severity: info\n  title: t\n"
		"  step: general\n  scope: message\n"
		"  condition: msg.status == 401\n"
		"  explanation: e\n  remediation: r\n"
		"- rule: m.500\n  severity: info\n  title: t\n"
		"  step: general\n  scope: message\n"
		"  condition: msg.status == 500 or msg.method == 'X'\n"
		"  explanation: e\n  remediation: r\n"
		"- rule: s.agg\n  severity: info\n  title: t\n"
		"  step: general\n  scope: session\n"
		"  condition: count_msgs(msg.status == 401) >= 1 and\n"
		"    all_msgs(msg.status < 300, msg.is_response)\n"
		"  explanation: e\n  remediation: r\n";
	struct rules *rs = rules_load_mem("i.yaml", y, sizeof y - 1,
					  &fields, &err);
	CHECK(rs != NULL);
	if (!rs)
		return;
	struct rules_index *ix = rules_index_new(rs);
	struct fake_vals v;
	memset(&v, 0, sizeof v);
	fake_set_i(&v, F_STATUS, 401);
	const struct rules_cands *c = rules_index_get(ix, EXPR_SCOPE_MSG, 1,
						      0, status_known, &v);
	CHECK_INT(c->nrules, 2);        /* m.500 may match by its method */
	CHECK_INT(c->naggs, 1);         /* all_msgs's filter: 401 >= 300 */
	CHECK(c->naggs == 1 && c->aggs[0].slot == 0 && !c->aggs[0].filter &&
	      !c->aggs[0].pred && c->aggs[0].pred_val == 1);
	fake_set_i(&v, F_STATUS, 200);
	c = rules_index_get(ix, EXPR_SCOPE_MSG, 2, 0, status_known, &v);
	CHECK_INT(c->nrules, 1);
	CHECK(c->nrules == 1 && c->rules[0] == 1);
	CHECK_INT(c->naggs, 2);
	CHECK(c->naggs == 2 && c->aggs[0].pred_val == 0 && !c->aggs[0].pred &&
	      c->aggs[1].slot == 1 && !c->aggs[1].filter &&
	      c->aggs[1].pred != NULL);
	/* the second word of a class counts too */
	c = rules_index_get(ix, EXPR_SCOPE_MSG, 2, 1, status_known, &v);
	CHECK_INT(c->nrules, 1);
	fake_set_i(&v, F_STATUS, 401);
	c = rules_index_get(ix, EXPR_SCOPE_MSG, 2, 2, status_known, &v);
	CHECK_INT(c->nrules, 2);
	/* a class seen before keeps its lists: what known says is unused */
	c = rules_index_get(ix, EXPR_SCOPE_MSG, 1, 0, NULL, NULL);
	CHECK_INT(c->nrules, 2);
	/* the session scope: its rule, no aggregate counts sessions */
	c = rules_index_get(ix, EXPR_SCOPE_SESSION, 0, 0, status_known, &v);
	CHECK(c->nrules == 1 && c->rules[0] == 2 && c->naggs == 0);
	/* past the cap, a new class gets everything of its scope */
	for (uint64_t k = 3; k < 5000; k++)
		c = rules_index_get(ix, EXPR_SCOPE_MSG, k, 0, status_known,
				    &v);
	CHECK_INT(c->nrules, 2);
	CHECK(c->naggs == 2 && c->aggs[0].pred && c->aggs[1].filter &&
	      c->aggs[1].pred);
	rules_index_free(ix);
	rules_free(rs);
}

int main(void)
{
	test_index();
	test_real_fields();
	test_bad();
	test_good();
	test_override();
	test_dirs();
	test_mem();
	return CHECK_DONE("unit_rules");
}
