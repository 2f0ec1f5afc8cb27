/* SPDX-License-Identifier: MIT */
/*
 * expr.h -- the rule language: conditions over the documented fields of
 * a message, a free-text event or a session (sfblog-rules(5)), and the
 * text templates of findings.  It sits at the rules stage of the
 * pipeline (... -> sessions -> rules -> reporters): rules.c compiles
 * every condition and template once at load; the engine evaluates them
 * many times, on each message, event and closed session.
 *
 * The language knows no field: the field table is injected at compile
 * time (struct expr_env, resolve) and the values at run time (struct
 * expr_ctx, get), so this module builds and tests without the engine.
 * A compiled program holds field ids, literals, compiled regexes and
 * the aggregates it needs; it never stores messages.  Aggregates
 * (count_msgs, any_msg, all_msgs, count_events, any_event) are listed by
 * expr_nagg / expr_agg: the engine runs their sub-programs on each
 * message (or event) of an open session, keeps the two counters of each
 * and hands them back through expr_ctx.agg when the session is judged.
 *
 * Ownership: expr_compile and expr_tmpl_compile return owned objects
 * (expr_free, expr_tmpl_free; NULL is a no-op) that copy what they need
 * of the source text and the environment, which are borrowed during the
 * call only, with one exception: the items of a named list (env->list)
 * are borrowed for the life of the program, so that a large list used
 * many times is not copied many times.  A compiled object is immutable:
 * evaluating it from several threads at once is safe as long as each
 * thread has its own struct expr_ctx (and struct expr_scratch, which
 * holds the PCRE2 match data).  Values handed out by ctx->get are
 * borrowed for the call.  Nothing here prints or keeps global state.
 */
#ifndef SFB_EXPR_H
#define SFB_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "sfb.h"

#define EXPR_MAX_SRC 16384      /* bytes of one condition or template */
#define EXPR_MAX_DEPTH 64       /* nesting: parentheses, not, macros */
#define EXPR_MAX_NODES 4096     /* nodes of one program, macros expanded */
#define EXPR_MAX_AGG 64         /* aggregates in one program */
#define EXPR_MAX_BYTES (1 << 20) /* memory of one program, macros expanded */

enum expr_type { EXPR_T_BOOL = 1, EXPR_T_INT, EXPR_T_STR };

/*
 * EXPR_SCOPE_JOIN: a client sign-in joined with server traces (join.h),
 * after every file is read; session fields read the client's session.
 */
enum expr_scope { EXPR_SCOPE_MSG = 1, EXPR_SCOPE_EVENT, EXPR_SCOPE_SESSION,
		  EXPR_SCOPE_JOIN };

/* The bit of a scope in struct expr_field.scopes. */
#define EXPR_SCOPE_BIT(s) (1u << (s))

/* A value: bool and int in i (bool 0/1), string in s (borrowed). */
struct expr_value {
	enum expr_type type;
	int64_t i;
	struct sv s;
};

/* What the field table says about one field. */
struct expr_field {
	int id;                 /* handed back to expr_ctx.get */
	enum expr_type type;
	unsigned scopes;        /* EXPR_SCOPE_BIT(...) of each valid scope */
	int keyed;              /* 1: used as name("key"), e.g. header */
};

/* The compile-time environment; borrowed during expr_compile only. */
struct expr_env {
	/*
	 * Look up field name ("msg.status"; for a keyed field the function
	 * name "header" with key "Server", else key is empty with p NULL).
	 * Fill *out.  @return 0 known, -1 unknown
	 */
	int (*resolve)(void *ud, struct sv name, struct sv key,
		       struct expr_field *out);
	/* A macro's condition text (NULL: no macros). @return 0, -1 */
	int (*macro)(void *ud, struct sv name, struct sv *src);
	/*
	 * A named list's literals (NULL: no lists); *items must stay valid
	 * and unchanged while a program compiled with it lives.
	 * @return 0, -1
	 */
	int (*list)(void *ud, struct sv name,
		    const struct expr_value **items, size_t *n);
	void *ud;
};

/* Per-thread scratch for evaluation (PCRE2 match data). */
struct expr_scratch;

/* The run-time value provider; one per evaluation thread. */
struct expr_ctx {
	/*
	 * Fill *out (of the field's type) for field id, key as compiled
	 * (empty for fields that are not keyed).  The value is borrowed
	 * until the evaluation returns.  @return 0 present, 1 absent
	 */
	int (*get)(void *ud, int id, struct sv key, struct expr_value *out);
	/* The counters of aggregate i of the program being evaluated. */
	void (*agg)(void *ud, size_t i, uint64_t *matched, uint64_t *total);
	void *ud;
	struct expr_scratch *scratch; /* NULL: match data made per match */
	uint64_t limit_hits;    /* OUT: regex limit hits, added to */
};

struct expr;

/*
 * Compile the condition src (n bytes) for scope.  The result is a
 * condition: it must be of type bool.
 * @return the program, or NULL with err filled: SFB_E_RULE, err->col
 *         the 1-based byte column in src (for a text of several lines,
 *         counted through the whole text), err->msg what was expected
 *         (no position in it)
 */
struct expr *expr_compile(const char *src, size_t n, enum expr_scope scope,
			  const struct expr_env *env, struct sfb_err *err);
/*
 * Evaluate a condition.  ctx->limit_hits grows by the regex matches
 * that hit the PCRE2 limits (they evaluate as false).
 * @return 1 true, 0 false
 */
int expr_eval(const struct expr *e, struct expr_ctx *ctx);
/*
 * What a rule index may assume of an item before it reads the item:
 * fill *out for field id (key as compiled) as expr_ctx.get would.
 * @return 0 present, 1 absent, EXPR_UNKNOWN not known in advance
 */
#define EXPR_UNKNOWN 2
typedef int (*expr_known_fn)(void *ud, int id, struct sv key,
			     struct expr_value *out);
/*
 * Can the condition be true for an item of which known() tells some
 * fields?  A three-valued evaluation: what depends on an unknown field
 * is unknown, aggregates and regex matches are unknown, and only a
 * condition that is false whatever the unknown fields hold is false.
 * @return 0 never true for such an item, 1 maybe
 */
int expr_may_match(const struct expr *e, expr_known_fn known, void *ud);
/*
 * The same evaluation, all three answers: 0 false for every such item,
 * 1 true for every such item, EXPR_UNKNOWN when it depends on the item.
 */
int expr_truth(const struct expr *e, expr_known_fn known, void *ud);
/*
 * expr_truth that also keeps, in memo[0..expr_nodes(e)), the truth of
 * each condition inside e that it decided for every such item (0, 1;
 * EXPR_UNKNOWN for the others, and for what it did not need to read).
 * expr_eval_memo then takes those as decided and reads the item only
 * for the rest: the same answer as expr_eval for an item of which
 * known() tells the truth, with fewer fields read.  (The rule index
 * keeps a memo per rule and class of items.)
 */
int expr_truth_memo(const struct expr *e, expr_known_fn known, void *ud,
		    signed char *memo);
int expr_eval_memo(const struct expr *e, struct expr_ctx *ctx,
		   const signed char *memo);
/*
 * Where expr_eval_memo starts reading with memo (a node of e): the one
 * part the memo leaves undecided, down ands (ors) whose other parts it
 * decided true (false), else the root.  A caller that evaluates with
 * one memo many times keeps it for expr_eval_from, the same evaluation
 * from there.
 */
int expr_memo_start(const struct expr *e, const signed char *memo);
int expr_eval_from(const struct expr *e, struct expr_ctx *ctx,
		   const signed char *memo, int start);
/* The number of nodes of the program: the length of a memo. */
size_t expr_nodes(const struct expr *e);
/* Memory the program holds (bytes, about), for a caller's budget. */
size_t expr_size(const struct expr *e);
/* The scope the program was compiled for. */
enum expr_scope expr_scope_of(const struct expr *e);

/* The number of aggregates the program uses (session scope only). */
size_t expr_nagg(const struct expr *e);
/*
 * Aggregate i (< expr_nagg): the scope its sub-programs run in
 * (EXPR_SCOPE_MSG or EXPR_SCOPE_EVENT), its filter F (NULL: every
 * message counts in total) and its predicate P.  For each message of
 * the session: total += F matches (or 1), matched += F and P match.
 * The sub-programs belong to e.
 */
void expr_agg(const struct expr *e, size_t i, enum expr_scope *scope,
	      const struct expr **filter, const struct expr **pred);
void expr_free(struct expr *e);

/* Scratch for one evaluating thread.  @return owned, never NULL */
struct expr_scratch *expr_scratch_new(void);
void expr_scratch_free(struct expr_scratch *s);

/* "message", "event", "session", "join"; NULL when out of range. */
const char *expr_scope_name(enum expr_scope s);

/*
 * Templates: text with {field} placeholders, {header("Server")} for a
 * keyed field, {hex(field)} for an int as 0x%08X; {{ and }} are literal
 * braces.
 */
struct expr_tmpl;

/* @return the template, or NULL with err as for expr_compile */
struct expr_tmpl *expr_tmpl_compile(const char *src, size_t n,
				    enum expr_scope scope,
				    const struct expr_env *env,
				    struct sfb_err *err);
/*
 * Render into out (outsz bytes, always NUL-terminated when outsz > 0;
 * cut at outsz - 1).  Absent values give "?", bools true/false, ints
 * decimal.  Bytes are copied as they are.
 * @return the length written
 */
size_t expr_tmpl_render(const struct expr_tmpl *t, const struct expr_ctx *ctx,
			char *out, size_t outsz);
void expr_tmpl_free(struct expr_tmpl *t);

#endif
