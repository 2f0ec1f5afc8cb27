/* SPDX-License-Identifier: MIT */
/*
 * rules.h -- the rule-file loader: YAML files of rule, macro and list
 * entries (format in sfblog-rules(5)) read with libyaml, checked, and
 * compiled with expr.h into an immutable ruleset.  It sits at the rules
 * stage of the pipeline (... -> sessions -> rules -> reporters): the
 * engine loads a ruleset once and evaluates its conditions on every
 * message, event and closed session.
 *
 * Loading: every *.yaml and *.yml file directly in each directory (not
 * in subfolders), files in byte order of their names, directories in
 * the order given.  Macros and lists are global across all files and
 * directories and may be used before the entry that defines them
 * (everything is read first, then compiled).  A rule, macro or list
 * whose name already came from an EARLIER directory replaces it in
 * place (a site folder overrides a shipped rule); the same name twice in
 * one directory is an error.  A rule entry with only `rule` and
 * `enabled` switches an earlier rule on or off and changes nothing
 * else (it is ignored when no earlier directory defines that rule).
 *
 * Ownership: rules_load* return an owned ruleset (rules_free; NULL is a
 * no-op); every pointer in a struct rules_rule belongs to it and lives
 * as long as it.  The field table (struct expr_env.resolve and ud) is
 * borrowed during the load only; its macro and list members are
 * ignored (the loader supplies its own).  A loaded ruleset is never
 * changed, so several threads may evaluate it at once, each with its
 * own struct expr_ctx and struct expr_scratch (expr.h).  Nothing here
 * prints or keeps global state.
 */
#ifndef SFB_RULES_H
#define SFB_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "expr.h"
#include "sfb.h"

#define RULES_MAX_FILE (4u << 20)  /* bytes of one rule file */
#define RULES_MAX_TOTAL (64u << 20) /* bytes of all rule files, and
					 * of all text taken from them */
#define RULES_MAX_MEMORY (128u << 20) /* bytes of all compiled rules */
#define RULES_MAX_FILES 1024    /* rule files in one directory */
#define RULES_MAX_RULES 4096    /* rules, and macros, and lists */
#define RULES_MAX_ID 64         /* bytes of a rule id or a name */
#define RULES_MAX_TITLE 512     /* bytes of a title */
#define RULES_MAX_TEXT 16384    /* condition, output, explanation... */
#define RULES_MAX_ITEMS 4096    /* items of a list */
#define RULES_MAX_REFS 64       /* references of a rule */

/* One rule, read-only; owned by its ruleset. */
struct rules_rule {
	const char *id;         /* "auth.register-401-loop" */
	enum sfb_sev sev;       /* SFB_SEV_INFO, _WARNING or _ERROR */
	enum sfb_step step;     /* SFB_STEP_NONE for "general" */
	enum expr_scope scope;
	int enabled;            /* 0: switched off (enabled: false) */
	const struct expr *cond;
	const struct expr_tmpl *title;
	const struct expr_tmpl *output;        /* NULL when none */
	const struct expr_tmpl *explanation;
	const struct expr_tmpl *remediation;
	/* the texts as written, NUL-terminated ("" for no output) */
	const char *cond_src, *title_src, *output_src, *explanation_src,
		   *remediation_src;
	const char *const *refs;  /* references, nrefs of them */
	size_t nrefs;
	int priority;           /* priority: -100..100, default 0; among
				 * findings of one severity the higher
				 * one is the top finding */
	size_t index;           /* its place in the rule set */
	int fallback;           /* fallback: true -- dropped when the same
				 * session (or file) has another finding
				 * at least as severe */
	const char *file;       /* the file that defined it */
	unsigned long line;     /* 1-based line of its `rule:` key */
};

struct rules;

/*
 * Load the rule files of dirs (NULL-terminated) against the field
 * table fields.
 * @return the ruleset (maybe empty), or NULL with err filled: SFB_E_IO
 *         (cannot read a directory or file), SFB_E_RULE with err->msg
 *         "FILE:LINE:COL: error: what was expected" and err->line/col
 *         set, SFB_E_LIMIT for a file or count over a limit (also with
 *         FILE:LINE:COL)
 */
struct rules *rules_load(const char *const *dirs,
			 const struct expr_env *fields, struct sfb_err *err);
/* One file, as if it were alone in a directory (tests, --check). */
struct rules *rules_load_file(const char *path,
			      const struct expr_env *fields,
			      struct sfb_err *err);
/*
 * The same from memory: n bytes at data, named name in messages (the
 * fuzz target).
 */
struct rules *rules_load_mem(const char *name, const char *data, size_t n,
			     const struct expr_env *fields,
			     struct sfb_err *err);

/* The number of rules (disabled ones included). */
size_t rules_count(const struct rules *rs);
/* Rule i (< rules_count), in the order the files defined them. */
const struct rules_rule *rules_get(const struct rules *rs, size_t i);
/* @return the rule with that id, or NULL */
const struct rules_rule *rules_find(const struct rules *rs, const char *id);
/*
 * A rule index, so that an item is judged only by the rules that may
 * match it: items fall into classes (field_class in field.h: a message's
 * kind, protocol, method, status and diagnostics, an event's name and
 * hr, a session's outcome and step states...), and
 * for each class the index keeps the enabled rules of its scope whose
 * condition is not false for every item of the class (expr_may_match),
 * and the aggregates (count_msgs(...) and friends of session rules) that
 * count items of that scope, with what is decided of their filter and
 * predicate for every item of the class (expr_truth), and for each
 * rule what the class decides of its condition (expr_truth_memo), so
 * the engine reads of an item only the fields that matter.  A class's
 * lists are made the first time an item of it comes; past a few thousand
 * classes, the items of new ones get every rule and aggregate of their
 * scope.  The index borrows rs; it changes as it fills, so each
 * evaluating thread has its own.
 */
struct rules_index;
struct rules_index *rules_index_new(const struct rules *rs);

/* An aggregate to update for an item (the engine keeps the counters). */
struct rules_agg_use {
	/*
	 * Its counters' number: aggregates counted over every rule in
	 * order (disabled ones too), each rule's in its expr_agg order.
	 */
	size_t slot;
	const struct expr *filter;  /* NULL: every item of the class counts
				     * in total */
	const struct expr *pred;    /* NULL: pred_val for every such item */
	int pred_val;
};

/* What an item of a class is judged by; borrowed from the index. */
struct rules_cands {
	const size_t *rules;    /* indices for rules_get, ascending */
	/* per rule: what its condition's parts are for every item of the
	 * class, for expr_eval_memo */
	const signed char *const *memo;
	const int *start;       /* per rule: expr_memo_start of its memo */
	size_t nrules;
	const struct rules_agg_use *aggs;
	size_t naggs;
};

/*
 * The rules of scope that may match items of class (cls, sub), and the
 * aggregates that count such items; known/ud tell what is known of such
 * an item (used only the first time).  @return borrowed from ix
 */
const struct rules_cands *rules_index_get(struct rules_index *ix,
					  enum expr_scope scope, uint64_t cls,
					  uint64_t sub, expr_known_fn known,
					  void *ud);
void rules_index_free(struct rules_index *ix);
/* "discovery" ... "settings", "general" for SFB_STEP_NONE. */
const char *rules_step_name(enum sfb_step s);
void rules_free(struct rules *rs);

#endif
