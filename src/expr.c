/* SPDX-License-Identifier: MIT */
/*
 * expr.c -- the rule language behind expr.h: a hand-written lexer and
 * recursive-descent parser that type-check while they build, into a
 * flat array of nodes (children by index); a tree walk evaluates it.
 *
 * Bounds against hostile rule files: the source length (EXPR_MAX_SRC),
 * the nesting depth (EXPR_MAX_DEPTH, counting parentheses, not, function
 * arguments and macro expansions, so the walk's recursion is bounded
 * too), the node count with every macro expanded (EXPR_MAX_NODES: a
 * macro used twice by a macro used twice... cannot blow up) and the
 * aggregates (EXPR_MAX_AGG).  Regexes run through grep.c with PCRE2's
 * match and depth limits.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "grep.h"
#include "str.h"
#include "sv.h"

enum nkind { N_LIT, N_FIELD, N_NOT, N_AND, N_OR, N_CMP, N_IN, N_MATCH,
	     N_EXISTS, N_AGG };

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS,
	  OP_ICONTAINS, OP_STARTS, OP_ENDS, OP_MATCHES };

static const char *const op_names[] = {
	"==", "!=", "<", "<=", ">", ">=", "contains", "icontains",
	"startswith", "endswith", "matches",
};

enum aggk { A_COUNT_MSGS, A_ANY_MSG, A_ALL_MSGS, A_COUNT_EVENTS,
	    A_ANY_EVENT };

static const struct {
	const char *name;
	enum aggk kind;
	enum expr_scope scope;
	int nargs;
	enum expr_type type;
} aggs[] = {
	{ "count_msgs", A_COUNT_MSGS, EXPR_SCOPE_MSG, 1, EXPR_T_INT },
	{ "any_msg", A_ANY_MSG, EXPR_SCOPE_MSG, 1, EXPR_T_BOOL },
	{ "all_msgs", A_ALL_MSGS, EXPR_SCOPE_MSG, 2, EXPR_T_BOOL },
	{ "count_events", A_COUNT_EVENTS, EXPR_SCOPE_EVENT, 1, EXPR_T_INT },
	{ "any_event", A_ANY_EVENT, EXPR_SCOPE_EVENT, 1, EXPR_T_BOOL },
};

struct node {
	enum nkind kind;
	enum expr_type type;    /* of the value it gives */
	int a, b;               /* children (-1: none); and/or: first kid */
	int next;               /* next kid of an and/or, -1 */
	enum op op;
	int fid;                /* N_FIELD */
	struct expr_value val;  /* N_LIT; s.p owned by the node */
	char *key;              /* N_FIELD: owned key, may be NULL */
	size_t keyn;
	/* N_IN: a literal list (owned, strings owned) or a named list of
	 * the environment (borrowed: it outlives the program) */
	const struct expr_value *items;
	size_t nitems;
	int borrowed;
	struct grep_re *re;     /* N_MATCH: owned */
	size_t agg;             /* N_AGG: index in aggs */
	enum aggk aggk;
};

struct agg {
	enum expr_scope scope;
	struct expr *filter;    /* owned, may be NULL */
	struct expr *pred;      /* owned */
};

struct expr {
	enum expr_scope scope;
	struct node *nodes;     /* owned */
	size_t nn, cap;
	int root;
	struct agg *aggs;       /* owned */
	size_t nagg;
	size_t bytes;           /* memory charged, sub-programs included */
};

struct expr_scratch {
	struct grep_md *md;     /* owned */
};

/* ---- lexer -------------------------------------------------------------- */

enum tk { T_EOF, T_ERR, T_IDENT, T_NUM, T_STR, T_LP, T_RP, T_COMMA, T_OP,
	  T_AND, T_OR, T_NOT, T_IN, T_TRUE, T_FALSE };

struct tok {
	enum tk k;
	enum op op;             /* T_OP */
	size_t at, len;         /* in the current source */
	int64_t num;            /* T_NUM */
};

struct cc {
	const char *src;        /* current source: the text or a macro's */
	size_t n, pos;
	size_t prev_end;        /* end of the token before t */
	struct tok t;
	char *sbuf;             /* owned: the decoded T_STR */
	size_t slen, scap;
	const struct expr_env *env;
	struct sfb_err *err;
	int failed;
	int depth;
	size_t nodes;           /* made so far, over every program */
	size_t bytes;           /* memory charged so far, the same */
	struct expr *prog;      /* the program receiving nodes */
	enum expr_scope scope;
	struct sv mstack[EXPR_MAX_DEPTH]; /* macros being expanded */
	int nmac;
	size_t use_at;          /* outermost macro use in the top text */
};

static const char *const type_names[] = { "?", "a bool", "an int",
					  "a string" };

static const char *tname(enum expr_type t)
{
	return (unsigned)t < 4 ? type_names[t] : "?";
}

/* Record the first error at offset at of the current source. */
static int SFB_PRINTF(3, 4) fail(struct cc *c, size_t at, const char *fmt,
				 ...)
{
	if (c->failed)
		return -1;
	c->failed = 1;
	c->t.k = T_ERR;
	if (!c->err)
		return -1;
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (c->nmac) {
		struct sv m = c->mstack[c->nmac - 1];
		sfb_err_set(c->err, SFB_E_RULE, 0,
			    "in macro '%.*s', column %zu: %s", (int)m.n, m.p,
			    at + 1, what);
		at = c->use_at;
	} else {
		sfb_err_set(c->err, SFB_E_RULE, 0, "%s", what);
	}
	c->err->line = 0;
	c->err->col = at + 1 > 0xFFFFFFu ? 0xFFFFFFu : (unsigned)(at + 1);
	return -1;
}

static int is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

static int is_name_char(char ch)
{
	return is_lower(ch) || sv_is_digit(ch) || ch == '_' || ch == '.' ||
	       (ch >= 'A' && ch <= 'Z');
}

static void sbuf_put(struct cc *c, char ch)
{
	if (c->slen == c->scap) {
		c->scap = c->scap ? c->scap * 2 : 64;
		c->sbuf = sfb_xrealloc(c->sbuf, c->scap);
	}
	c->sbuf[c->slen++] = ch;
}

static void lex_string(struct cc *c)
{
	char q = c->src[c->pos++];
	c->slen = 0;
	while (c->pos < c->n && c->src[c->pos] != q) {
		char ch = c->src[c->pos++];
		if (ch == '\\') {
			char e = c->pos < c->n ? c->src[c->pos] : '\0';
			if (e == '"' || e == '\'' || e == '\\')
				ch = e;
			else if (e == 'n')
				ch = '\n';
			else if (e == 't')
				ch = '\t';
			else {
				fail(c, c->pos - 1, "unknown escape in a "
				     "string (\\\" \\' \\\\ \\n \\t)");
				return;
			}
			c->pos++;
		}
		sbuf_put(c, ch);
	}
	if (c->pos >= c->n) {
		fail(c, c->t.at, "unterminated string");
		return;
	}
	c->pos++;
	c->t.k = T_STR;
}

static void lex_number(struct cc *c)
{
	int neg = c->src[c->pos] == '-';
	if (neg)
		c->pos++;
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	int hex = c->pos + 1 < c->n && c->src[c->pos] == '0' &&
		  (c->src[c->pos + 1] == 'x' || c->src[c->pos + 1] == 'X');
	unsigned base = hex ? 16 : 10;
	size_t digits = 0;
	if (hex)
		c->pos += 2;
	while (c->pos < c->n) {
		int d = hex ? sv_hex_digit(c->src[c->pos])
			    : sv_is_digit(c->src[c->pos])
			    ? c->src[c->pos] - '0' : -1;
		if (d < 0)
			break;
		if (v > (lim - (uint64_t)d) / base) {
			fail(c, c->t.at, "number out of range (64-bit)");
			return;
		}
		v = v * base + (uint64_t)d;
		c->pos++;
		digits++;
	}
	if (!digits || (c->pos < c->n && is_name_char(c->src[c->pos]))) {
		fail(c, c->t.at, "malformed number");
		return;
	}
	c->t.k = T_NUM;
	c->t.num = neg ? (int64_t)(0 - v) : (int64_t)v;
}

static const struct {
	const char *w;
	enum tk k;
	enum op op;
} words[] = {
	{ "and", T_AND, OP_EQ }, { "or", T_OR, OP_EQ },
	{ "not", T_NOT, OP_EQ }, { "in", T_IN, OP_EQ },
	{ "true", T_TRUE, OP_EQ }, { "false", T_FALSE, OP_EQ },
	{ "contains", T_OP, OP_CONTAINS },
	{ "icontains", T_OP, OP_ICONTAINS },
	{ "startswith", T_OP, OP_STARTS }, { "endswith", T_OP, OP_ENDS },
	{ "matches", T_OP, OP_MATCHES },
};

static void lex_ident(struct cc *c)
{
	size_t s = c->pos;
	while (c->pos < c->n && is_name_char(c->src[c->pos]))
		c->pos++;
	struct sv w = sv_make(c->src + s, c->pos - s);
	for (size_t i = 0; i < w.n; i++) {
		char ch = w.p[i];
		if (ch >= 'A' && ch <= 'Z') {
			fail(c, s + i, "'%.*s': names are lowercase",
			     (int)(w.n > 60 ? 60 : w.n), w.p);
			return;
		}
		if (ch == '.' && (i + 1 == w.n || w.p[i + 1] == '.')) {
			fail(c, s + i, "expected a name after '.'");
			return;
		}
	}
	c->t.k = T_IDENT;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (w.n == strlen(words[i].w) &&
		    !memcmp(w.p, words[i].w, w.n)) {
			c->t.k = words[i].k;
			c->t.op = words[i].op;
		}
}

/* Two-character and one-character operators. */
static int lex_op(struct cc *c, char ch, char nx)
{
	static const struct {
		char a, b;
		enum op op;
	} ops[] = { { '=', '=', OP_EQ }, { '!', '=', OP_NE },
		    { '<', '=', OP_LE }, { '>', '=', OP_GE },
		    { '<', 0, OP_LT }, { '>', 0, OP_GT } };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (ch == ops[i].a && (!ops[i].b || nx == ops[i].b)) {
			c->t.k = T_OP;
			c->t.op = ops[i].op;
			c->pos += ops[i].b ? 2 : 1;
			return 1;
		}
	return 0;
}

static void lex(struct cc *c)
{
	if (c->failed) {
		c->t.k = T_ERR;
		return;
	}
	c->prev_end = c->pos;
	while (c->pos < c->n && (c->src[c->pos] == ' ' ||
	       c->src[c->pos] == '\t' || c->src[c->pos] == '\n' ||
	       c->src[c->pos] == '\r'))
		c->pos++;
	c->t.at = c->pos;
	c->t.k = T_EOF;
	if (c->pos >= c->n) {
		c->t.len = 0;
		return;
	}
	char ch = c->src[c->pos];
	char nx = c->pos + 1 < c->n ? c->src[c->pos + 1] : '\0';
	if (ch == '(' || ch == ')' || ch == ',') {
		c->t.k = ch == '(' ? T_LP : ch == ')' ? T_RP : T_COMMA;
		c->pos++;
	} else if (lex_op(c, ch, nx)) {
		;
	} else if (ch == '=') {
		fail(c, c->pos, "expected '==' (one '=' is not a comparison)");
	} else if (ch == '!') {
		fail(c, c->pos, "unexpected '!': write 'not' or '!='");
	} else if (ch == '"' || ch == '\'') {
		lex_string(c);
	} else if (sv_is_digit(ch) || (ch == '-' && sv_is_digit(nx))) {
		lex_number(c);
	} else if (is_lower(ch) || ch == '_' || (ch >= 'A' && ch <= 'Z')) {
		lex_ident(c);
	} else if (ch > 32 && ch < 127) {
		fail(c, c->pos, "unexpected '%c'", ch);
	} else {
		fail(c, c->pos, "unexpected byte 0x%02X",
		     (unsigned)(unsigned char)ch);
	}
	c->t.len = c->pos - c->t.at;
}

/* ---- program building --------------------------------------------------- */

/* Count n bytes of memory against EXPR_MAX_BYTES. */
static int charge(struct cc *c, size_t n)
{
	c->bytes += n;
	if (c->bytes <= EXPR_MAX_BYTES)
		return 0;
	return fail(c, c->t.at, "condition too large (more than %d bytes "
		    "with its macros expanded)", EXPR_MAX_BYTES);
}

static int add_node(struct cc *c, enum nkind k, enum expr_type type)
{
	if (charge(c, sizeof(struct node)))
		return -1;
	if (++c->nodes > EXPR_MAX_NODES)
		return fail(c, c->t.at, "condition too large (more than %d "
			    "nodes with its macros expanded)",
			    EXPR_MAX_NODES);
	struct expr *e = c->prog;
	if (e->nn == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->nodes = sfb_xrealloc(e->nodes, e->cap * sizeof *e->nodes);
	}
	struct node *nd = &e->nodes[e->nn];
	memset(nd, 0, sizeof *nd);
	nd->kind = k;
	nd->type = type;
	nd->a = nd->b = nd->next = -1;
	return (int)e->nn++;
}

static struct node *N(struct cc *c, int i)
{
	return &c->prog->nodes[i];
}

static struct expr *prog_new(enum expr_scope scope)
{
	struct expr *e = sfb_xcalloc(1, sizeof *e);
	e->scope = scope;
	e->root = -1;
	return e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nn; i++) {
		struct node *nd = &e->nodes[i];
		if (nd->kind == N_LIT && nd->val.type == EXPR_T_STR)
			free((char *)nd->val.s.p);
		free(nd->key);
		for (size_t j = 0; !nd->borrowed && j < nd->nitems; j++)
			if (nd->items[j].type == EXPR_T_STR)
				free((char *)nd->items[j].s.p);
		if (!nd->borrowed)
			free((void *)nd->items);
		grep_free(nd->re);
	}
	for (size_t i = 0; i < e->nagg; i++) {
		expr_free(e->aggs[i].filter);
		expr_free(e->aggs[i].pred);
	}
	free(e->aggs);
	free(e->nodes);
	free(e);
}

/* A literal value from the current token (number, string, bool). */
static int tok_literal(struct cc *c, struct expr_value *v)
{
	memset(v, 0, sizeof *v);
	switch (c->t.k) {
	case T_NUM:
		v->type = EXPR_T_INT;
		v->i = c->t.num;
		return 0;
	case T_STR:
		if (charge(c, c->slen + 1))
			return -1;
		v->type = EXPR_T_STR;
		v->s = sv_make(sfb_xstrndup(c->sbuf, c->slen), c->slen);
		return 0;
	case T_TRUE:
	case T_FALSE:
		v->type = EXPR_T_BOOL;
		v->i = c->t.k == T_TRUE;
		return 0;
	default:
		return -1;
	}
}

/* The source text of [s, e) of the current source, for messages. */
struct span {
	int n;
	const char *p;
};

static struct span text_of(struct cc *c, size_t s, size_t e)
{
	struct span sp = { 0, c->src + s };
	size_t n = e > s ? e - s : 0;
	sp.n = n > 48 ? 48 : (int)n;
	return sp;
}

static int parse_or(struct cc *c);

/* A bool node, or an error naming [s, e) as not a condition. */
static int need_bool(struct cc *c, int x, size_t s, size_t e)
{
	if (x < 0)
		return -1;
	if (N(c, x)->type == EXPR_T_BOOL)
		return x;
	struct span sp = text_of(c, s, e);
	return fail(c, s, "'%.*s' is %s, not a condition (compare it, e.g. "
		    "with '==')", sp.n, sp.p, tname(N(c, x)->type));
}

static int expect(struct cc *c, enum tk k, const char *what)
{
	if (c->t.k == k) {
		lex(c);
		return 0;
	}
	if (c->t.k == T_EOF)
		return fail(c, c->t.at, "expected %s, found the end", what);
	struct span sp = text_of(c, c->t.at, c->t.at + c->t.len);
	return fail(c, c->t.at, "expected %s, found '%.*s'", what, sp.n,
		    sp.p);
}

static int enter(struct cc *c)
{
	if (c->depth >= EXPR_MAX_DEPTH)
		return fail(c, c->t.at, "nested too deeply (more than %d "
			    "levels)", EXPR_MAX_DEPTH);
	c->depth++;
	return 0;
}

/* Resolve a field (key: p NULL when none) and check its scope. */
static int field_node(struct cc *c, struct sv name, struct sv key,
		      int has_key, size_t at)
{
	struct expr_field f;
	memset(&f, 0, sizeof f);
	int known = c->env && c->env->resolve &&
		    c->env->resolve(c->env->ud, name, key, &f) == 0;
	int nl = name.n > 60 ? 60 : (int)name.n;
	if (!known)
		return fail(c, at, has_key ? "unknown function or keyed "
			    "field '%.*s'" : "unknown field '%.*s'", nl,
			    name.p);
	if (f.keyed && !has_key)
		return fail(c, at, "'%.*s' needs a key, e.g. %.*s(\"Name\")",
			    nl, name.p, nl, name.p);
	if (!f.keyed && has_key)
		return fail(c, at, "'%.*s' takes no key", nl, name.p);
	if (f.type < EXPR_T_BOOL || f.type > EXPR_T_STR)
		return fail(c, at, "field '%.*s' has no type", nl, name.p);
	if (!(f.scopes & EXPR_SCOPE_BIT(c->scope)))
		return fail(c, at, "field '%.*s' is not available in %s "
			    "scope", nl, name.p, expr_scope_name(c->scope));
	int x = has_key && charge(c, key.n + 1) ? -1
					       : add_node(c, N_FIELD, f.type);
	if (x < 0)
		return -1;
	N(c, x)->fid = f.id;
	if (has_key) {
		N(c, x)->key = sfb_xstrndup(key.p, key.n);
		N(c, x)->keyn = key.n;
	}
	return x;
}

/* Expand macro name (src from the environment) in place. */
static int expand_macro(struct cc *c, struct sv name, struct sv msrc,
			size_t at)
{
	for (int i = 0; i < c->nmac; i++) {
		if (!sv_eq(c->mstack[i], name))
			continue;
		char chain[120];
		size_t k = 0;
		for (int j = i; j <= c->nmac; j++) {
			struct sv m = j < c->nmac ? c->mstack[j] : name;
			int w = snprintf(chain + k, sizeof chain - k, "%s%.*s",
					 j > i ? " -> " : "", (int)m.n, m.p);
			if (w < 0 || (size_t)w >= sizeof chain - k)
				break;
			k += (size_t)w;
		}
		return fail(c, at, "macro '%.*s' uses itself (%s)",
			    (int)name.n, name.p, chain);
	}
	if (msrc.n > EXPR_MAX_SRC)
		return fail(c, at, "macro '%.*s' longer than %d bytes",
			    (int)name.n, name.p, EXPR_MAX_SRC);
	if (enter(c))
		return -1;
	struct cc saved = *c;
	if (c->nmac == 0)
		c->use_at = at;
	c->mstack[c->nmac++] = name;
	c->src = msrc.p ? msrc.p : "";
	c->n = msrc.n;
	c->pos = 0;
	lex(c);
	int x = parse_or(c);
	if (x >= 0 && c->t.k != T_EOF)
		x = fail(c, c->t.at, "expected 'and', 'or' or the end of "
			 "the macro");
	if (x < 0)
		return -1;
	/* back to the use site: its source, position and token */
	c->src = saved.src;
	c->n = saved.n;
	c->pos = saved.pos;
	c->prev_end = saved.prev_end;
	c->t = saved.t;
	c->nmac--;
	c->depth--;
	return x;
}

/* count_msgs(P), all_msgs(F, P), ...: after the '(' */
static int parse_agg(struct cc *c, size_t ai, size_t at)
{
	if (c->scope != EXPR_SCOPE_SESSION)
		return fail(c, at, "'%s' is only valid in a session condition",
			    aggs[ai].name);
	if (c->prog->nagg >= EXPR_MAX_AGG)
		return fail(c, at, "more than %d aggregates", EXPR_MAX_AGG);
	struct expr *outer = c->prog;
	struct expr *sub[2] = { NULL, NULL };
	int k;
	for (k = 0; k < aggs[ai].nargs; k++) {
		sub[k] = prog_new(aggs[ai].scope);
		c->prog = sub[k];
		c->scope = aggs[ai].scope;
		size_t s = c->t.at;
		int x = parse_or(c);
		x = need_bool(c, x, s, c->prev_end);
		c->prog = outer;
		c->scope = EXPR_SCOPE_SESSION;
		sub[k]->root = x;
		if (x < 0 || expect(c, k + 1 < aggs[ai].nargs ? T_COMMA : T_RP,
				    k + 1 < aggs[ai].nargs ? "','" : "')'"))
			break;
	}
	if (k < aggs[ai].nargs) {
		expr_free(sub[0]);
		expr_free(sub[1]);
		return -1;
	}
	int x = add_node(c, N_AGG, aggs[ai].type);
	if (x < 0) {
		expr_free(sub[0]);
		expr_free(sub[1]);
		return -1;
	}
	struct expr *e = c->prog;
	e->aggs = sfb_xrealloc(e->aggs, (e->nagg + 1) * sizeof *e->aggs);
	e->aggs[e->nagg].scope = aggs[ai].scope;
	e->aggs[e->nagg].filter = aggs[ai].nargs == 2 ? sub[0] : NULL;
	e->aggs[e->nagg].pred = aggs[ai].nargs == 2 ? sub[1] : sub[0];
	N(c, x)->agg = e->nagg++;
	N(c, x)->aggk = aggs[ai].kind;
	return x;
}

/* name(...): an aggregate, exists() or a keyed field; after the '(' */
static int parse_call(struct cc *c, struct sv name, size_t at)
{
	for (size_t i = 0; i < sizeof aggs / sizeof aggs[0]; i++)
		if (name.n == strlen(aggs[i].name) &&
		    !memcmp(name.p, aggs[i].name, name.n))
			return parse_agg(c, i, at);
	if (name.n == 6 && !memcmp(name.p, "exists", 6)) {
		if (c->t.k != T_IDENT)
			return fail(c, c->t.at, "exists() takes a field");
		struct sv f = sv_make(c->src + c->t.at, c->t.len);
		size_t fat = c->t.at;
		lex(c);
		int x;
		if (c->t.k == T_LP) {
			lex(c);
			if (c->t.k != T_STR)
				return expect(c, T_STR, "a string key");
			struct sv key = sv_make(c->sbuf, c->slen);
			x = field_node(c, f, key, 1, fat);
			lex(c);
			if (x < 0 || expect(c, T_RP, "')'"))
				return -1;
		} else {
			x = field_node(c, f, SV_NULL, 0, fat);
		}
		if (x < 0 || expect(c, T_RP, "')'"))
			return -1;
		int y = add_node(c, N_EXISTS, EXPR_T_BOOL);
		if (y >= 0)
			N(c, y)->a = x;
		return y;
	}
	if (c->t.k != T_STR)
		return expect(c, T_STR, "a string key");
	int x = field_node(c, name, sv_make(c->sbuf, c->slen), 1, at);
	if (x < 0)
		return -1;
	lex(c);
	return expect(c, T_RP, "')'") ? -1 : x;
}

static int parse_operand(struct cc *c)
{
	struct expr_value v;
	size_t at = c->t.at;
	if (tok_literal(c, &v) == 0) {
		int x = add_node(c, N_LIT, v.type);
		if (x < 0) {
			if (v.type == EXPR_T_STR)
				free((char *)v.s.p);
			return -1;
		}
		N(c, x)->val = v;
		lex(c);
		return x;
	}
	if (c->t.k == T_LP) {
		if (enter(c))
			return -1;
		lex(c);
		int x = parse_or(c);
		if (x < 0 || expect(c, T_RP, "')'"))
			return -1;
		c->depth--;
		return x;
	}
	if (c->t.k != T_IDENT)
		return expect(c, T_IDENT, "a field, a number, a string, true, "
			      "false or '('");
	struct sv name = sv_make(c->src + at, c->t.len);
	lex(c);
	if (c->t.k == T_LP) {
		if (enter(c))
			return -1;
		lex(c);
		int x = parse_call(c, name, at);
		if (x >= 0)
			c->depth--;
		return x;
	}
	struct expr_field f;
	struct sv msrc = SV_NULL;
	if (c->env && c->env->resolve &&
	    c->env->resolve(c->env->ud, name, SV_NULL, &f) == 0)
		return field_node(c, name, SV_NULL, 0, at);
	if (c->env && c->env->macro &&
	    c->env->macro(c->env->ud, name, &msrc) == 0)
		return expand_macro(c, name, msrc, at);
	return field_node(c, name, SV_NULL, 0, at);
}

/* `in (lit, ...)`: after the '(' */
static int parse_in_list(struct cc *c, int l, const char *ltext, int ltn)
{
	struct expr_value *items = NULL;
	size_t n = 0;
	int x = -1;
	for (;;) {
		struct expr_value v;
		size_t at = c->t.at;
		if (tok_literal(c, &v)) {
			expect(c, T_NUM, "a number, a string, true or false");
			break;
		}
		if (charge(c, sizeof *items)) {
			if (v.type == EXPR_T_STR)
				free((char *)v.s.p);
			break;
		}
		items = sfb_xrealloc(items, (n + 1) * sizeof *items);
		items[n++] = v;
		if (v.type != N(c, l)->type) {
			fail(c, at, "list item is %s, '%.*s' is %s",
			     tname(v.type), ltn, ltext, tname(N(c, l)->type));
			break;
		}
		lex(c);
		if (c->t.k == T_COMMA) {
			lex(c);
			continue;
		}
		if (c->t.k != T_RP) {
			fail(c, c->t.at, "expected ')' after list");
			break;
		}
		lex(c);
		x = add_node(c, N_IN, EXPR_T_BOOL);
		break;
	}
	if (x < 0) {
		for (size_t i = 0; i < n; i++)
			if (items[i].type == EXPR_T_STR)
				free((char *)items[i].s.p);
		free(items);
		return -1;
	}
	N(c, x)->a = l;
	N(c, x)->items = items;
	N(c, x)->nitems = n;
	return x;
}

/* `in NAME`: a list of the environment, copied */
static int parse_in_name(struct cc *c, int l, const char *ltext, int ltn)
{
	struct sv name = sv_make(c->src + c->t.at, c->t.len);
	const struct expr_value *src = NULL;
	size_t n = 0;
	int nl = name.n > 60 ? 60 : (int)name.n;
	if (!c->env || !c->env->list ||
	    c->env->list(c->env->ud, name, &src, &n) != 0)
		return fail(c, c->t.at, "unknown list '%.*s'", nl, name.p);
	for (size_t i = 0; i < n; i++)
		if (src[i].type != N(c, l)->type)
			return fail(c, c->t.at, "list '%.*s' holds %s, "
				    "'%.*s' is %s", nl, name.p,
				    tname(src[i].type), ltn, ltext,
				    tname(N(c, l)->type));
	int x = add_node(c, N_IN, EXPR_T_BOOL);
	if (x < 0)
		return -1;
	N(c, x)->a = l;
	N(c, x)->items = src;
	N(c, x)->nitems = n;
	N(c, x)->borrowed = 1;
	lex(c);
	return x;
}

static int check_cmp(struct cc *c, enum op op, int l, int r, size_t ls,
		     size_t le, size_t rs, size_t re, size_t at)
{
	enum expr_type lt = N(c, l)->type, rt = N(c, r)->type;
	struct span sl = text_of(c, ls, le), sr = text_of(c, rs, re);
	if (op == OP_EQ || op == OP_NE) {
		if (lt != rt)
			return fail(c, at, "'%.*s' is %s, compared with %s",
				    sl.n, sl.p, tname(lt), tname(rt));
		return 0;
	}
	enum expr_type want = op <= OP_GE ? EXPR_T_INT : EXPR_T_STR;
	if (lt != want || rt != want) {
		struct span b = lt != want ? sl : sr;
		return fail(c, at, "'%.*s' is %s; '%s' needs %s", b.n, b.p,
			    tname(lt != want ? lt : rt), op_names[op],
			    want == EXPR_T_INT ? "ints" : "strings");
	}
	return 0;
}

static int parse_cmp(struct cc *c)
{
	size_t ls = c->t.at;
	int l = parse_operand(c);
	if (l < 0)
		return -1;
	size_t le = c->prev_end;
	struct span lt = text_of(c, ls, le);
	if (c->t.k == T_IN) {
		lex(c);
		if (c->t.k == T_LP) {
			lex(c);
			return parse_in_list(c, l, lt.p, lt.n);
		}
		if (c->t.k == T_IDENT)
			return parse_in_name(c, l, lt.p, lt.n);
		return expect(c, T_LP, "'(' or a list name after 'in'");
	}
	if (c->t.k != T_OP)
		return l;
	enum op op = c->t.op;
	size_t at = c->t.at;
	lex(c);
	if (op == OP_MATCHES) {
		if (N(c, l)->type != EXPR_T_STR)
			return fail(c, at, "'%.*s' is %s; 'matches' needs a "
				    "string", lt.n, lt.p,
				    tname(N(c, l)->type));
		if (c->t.k != T_STR)
			return expect(c, T_STR, "a regex in quotes after "
				      "'matches'");
		/* a compiled regex takes a few times its source */
		if (charge(c, 256 + 8 * c->slen))
			return -1;
		struct sfb_err rerr;
		memset(&rerr, 0, sizeof rerr);
		struct grep_re *re = grep_new_n(c->sbuf, c->slen, 0, &rerr);
		if (!re)
			return fail(c, c->t.at, "bad regex: %s", rerr.msg);
		int x = add_node(c, N_MATCH, EXPR_T_BOOL);
		if (x < 0) {
			grep_free(re);
			return -1;
		}
		N(c, x)->re = re;
		N(c, x)->a = l;
		lex(c);
		return x;
	}
	size_t rs = c->t.at;
	int r = parse_operand(c);
	if (r < 0 || check_cmp(c, op, l, r, ls, le, rs, c->prev_end, at))
		return -1;
	int x = add_node(c, N_CMP, EXPR_T_BOOL);
	if (x < 0)
		return -1;
	N(c, x)->op = op;
	N(c, x)->a = l;
	N(c, x)->b = r;
	if (c->t.k == T_OP)
		return fail(c, c->t.at, "expected 'and' or 'or' between two "
			    "comparisons");
	return x;
}

static int parse_unary(struct cc *c)
{
	if (c->t.k != T_NOT)
		return parse_cmp(c);
	if (enter(c))
		return -1;
	lex(c);
	size_t s = c->t.at;
	int x = parse_unary(c);
	x = need_bool(c, x, s, c->prev_end);
	if (x < 0)
		return -1;
	c->depth--;
	int y = add_node(c, N_NOT, EXPR_T_BOOL);
	if (y >= 0)
		N(c, y)->a = x;
	return y;
}

/* a (sep a)*: one and/or node with the kids linked */
static int parse_chain(struct cc *c, enum tk sep, enum nkind kind,
		       int (*sub)(struct cc *))
{
	size_t s = c->t.at;
	int x = sub(c);
	if (x < 0 || c->t.k != sep)
		return x;
	if (need_bool(c, x, s, c->prev_end) < 0)
		return -1;
	int y = add_node(c, kind, EXPR_T_BOOL);
	if (y < 0)
		return -1;
	N(c, y)->a = x;
	int last = x;
	while (c->t.k == sep) {
		lex(c);
		s = c->t.at;
		int z = sub(c);
		z = need_bool(c, z, s, c->prev_end);
		if (z < 0)
			return -1;
		N(c, last)->next = z;
		last = z;
	}
	return y;
}

static int parse_and(struct cc *c)
{
	return parse_chain(c, T_AND, N_AND, parse_unary);
}

static int parse_or(struct cc *c)
{
	return parse_chain(c, T_OR, N_OR, parse_and);
}

static void cc_init(struct cc *c, const char *src, size_t n,
		    enum expr_scope scope, const struct expr_env *env,
		    struct sfb_err *err)
{
	memset(c, 0, sizeof *c);
	c->src = src ? src : "";
	c->n = src ? n : 0;
	c->env = env;
	c->err = err;
	c->scope = scope;
}

static int check_input(size_t n, enum expr_scope scope,
		       struct sfb_err *err)
{
	if (!expr_scope_name(scope)) {
		sfb_err_set(err, SFB_E_USAGE, 0, "bad scope %d", (int)scope);
		return -1;
	}
	if (n > EXPR_MAX_SRC) {
		sfb_err_set(err, SFB_E_RULE, 0, "longer than %d bytes",
			    EXPR_MAX_SRC);
		if (err)
			err->line = 0, err->col = EXPR_MAX_SRC + 1;
		return -1;
	}
	return 0;
}

struct expr *expr_compile(const char *src, size_t n, enum expr_scope scope,
			  const struct expr_env *env, struct sfb_err *err)
{
	if (check_input(n, scope, err))
		return NULL;
	struct cc c;
	cc_init(&c, src, n, scope, env, err);
	struct expr *e = prog_new(scope);
	c.prog = e;
	lex(&c);
	if (c.t.k == T_EOF)
		fail(&c, 0, "empty condition");
	size_t s = c.t.at;
	int x = parse_or(&c);
	if (x >= 0 && c.t.k != T_EOF)
		x = expect(&c, T_EOF, "'and', 'or' or the end");
	x = need_bool(&c, x, s, c.prev_end);
	free(c.sbuf);
	if (x < 0) {
		expr_free(e);
		return NULL;
	}
	e->root = x;
	e->bytes = c.bytes + sizeof *e;
	return e;
}

/* ---- evaluation --------------------------------------------------------- */

static int find(struct sv h, struct sv n, int icase)
{
	return str_find(h, n, icase) >= 0;
}

static int value_eq(const struct expr_value *a, const struct expr_value *b)
{
	if (a->type == EXPR_T_STR)
		return sv_eq(a->s, b->s);
	return a->i == b->i;
}

static int compare(enum op op, const struct expr_value *a,
		   const struct expr_value *b)
{
	switch (op) {
	case OP_EQ: return value_eq(a, b);
	case OP_NE: return !value_eq(a, b);
	case OP_LT: return a->i < b->i;
	case OP_LE: return a->i <= b->i;
	case OP_GT: return a->i > b->i;
	case OP_GE: return a->i >= b->i;
	case OP_CONTAINS: return find(a->s, b->s, 0);
	case OP_ICONTAINS: return find(a->s, b->s, 1);
	case OP_STARTS:
		return a->s.n >= b->s.n &&
		       (b->s.n == 0 || !memcmp(a->s.p, b->s.p, b->s.n));
	case OP_ENDS:
		return a->s.n >= b->s.n &&
		       (b->s.n == 0 || !memcmp(a->s.p + a->s.n - b->s.n,
					       b->s.p, b->s.n));
	case OP_MATCHES: break;
	}
	return 0;
}

static int64_t agg_value(const struct node *nd, struct expr_ctx *ctx)
{
	uint64_t m = 0, t = 0;
	if (ctx->agg)
		ctx->agg(ctx->ud, nd->agg, &m, &t);
	switch (nd->aggk) {
	case A_COUNT_MSGS:
	case A_COUNT_EVENTS:
		return m > INT64_MAX ? INT64_MAX : (int64_t)m;
	case A_ANY_MSG:
	case A_ANY_EVENT:
		return m > 0;
	case A_ALL_MSGS:
		return t > 0 && m == t;
	}
	return 0;
}

/*
 * What an evaluation reads: the item's values (expr_eval), or only
 * what is known of every item of a kind (expr_truth: known set, ctx
 * NULL), where a field, a regex match or an aggregate may be unknown.
 */
struct walk {
	struct expr_ctx *ctx;
	expr_known_fn known;
	void *ud;
	/* per node: its truth for every item of a class (EXPR_UNKNOWN
	 * when it depends on the item); known set: filled, else read */
	signed char *memo;
};

static int node_value(const struct expr *e, int i, struct walk *w,
		      struct expr_value *v);

/* A bool node's truth: 0 false (absent too), 1 true, EXPR_UNKNOWN. */
static int truth(const struct expr *e, int i, struct walk *w)
{
	if (w->memo && !w->known && w->memo[i] != EXPR_UNKNOWN)
		return w->memo[i];
	struct expr_value v;
	int r = node_value(e, i, w, &v);
	int t = r == EXPR_UNKNOWN ? EXPR_UNKNOWN : r == 0 && v.i != 0;
	if (w->memo && w->known)
		w->memo[i] = (signed char)t;
	return t;
}

/* A field's value: @return 0 present, 1 absent, EXPR_UNKNOWN */
static int field_value(const struct node *nd, struct walk *w,
		       struct expr_value *v)
{
	struct sv key = sv_make(nd->key, nd->keyn);
	int r;
	if (w->known)
		r = w->known(w->ud, nd->fid, key, v);
	else
		r = !w->ctx->get || w->ctx->get(w->ctx->ud, nd->fid, key,
						 v) != 0;
	if (r != 0)
		return r;
	v->type = nd->type;
	if (nd->type == EXPR_T_BOOL)
		v->i = v->i != 0;
	if (nd->type == EXPR_T_STR && !v->s.p)
		v->s = sv_make("", 0);
	return 0;
}

/* node_value of an operand: a field or a literal (the usual) in place */
static int operand(const struct expr *e, int i, struct walk *w,
		   struct expr_value *v)
{
	const struct node *nd = &e->nodes[i];
	if (nd->kind == N_FIELD)
		return field_value(nd, w, v);
	if (nd->kind == N_LIT) {
		*v = nd->val;
		return 0;
	}
	return node_value(e, i, w, v);
}

/*
 * @return 0 present (*v filled), 1 absent, EXPR_UNKNOWN (only with
 *         w->known: the value depends on the item)
 */
static int node_value(const struct expr *e, int i, struct walk *w,
		      struct expr_value *v)
{
	const struct node *nd = &e->nodes[i];
	struct expr_value a, b;
	int ra, rb, unknown = 0;
	v->type = nd->type;
	v->s = SV_NULL;
	v->i = 0;
	switch (nd->kind) {
	case N_LIT:
		*v = nd->val;
		return 0;
	case N_FIELD:
		return field_value(nd, w, v);
	case N_NOT:
		ra = truth(e, nd->a, w);
		if (ra == EXPR_UNKNOWN)
			return EXPR_UNKNOWN;
		v->i = !ra;
		return 0;
	case N_AND:
	case N_OR:
		/* and: one false decides; or: one true decides */
		for (int k = nd->a; k >= 0; k = e->nodes[k].next) {
			/* a kid the memo decided, without the call */
			ra = w->memo && !w->known &&
			     w->memo[k] != EXPR_UNKNOWN ? w->memo[k]
							: truth(e, k, w);
			if (ra == EXPR_UNKNOWN)
				unknown = 1;
			else if (ra == (nd->kind == N_OR)) {
				v->i = ra;
				return 0;
			}
		}
		if (unknown)
			return EXPR_UNKNOWN;
		v->i = nd->kind == N_AND;
		return 0;
	case N_CMP:
		/* an absent side makes it false, an unknown one unknown */
		ra = operand(e, nd->a, w, &a);
		if (ra == 1)
			return 0;
		rb = operand(e, nd->b, w, &b);
		if (rb == 1)
			return 0;
		if (ra == EXPR_UNKNOWN || rb == EXPR_UNKNOWN)
			return EXPR_UNKNOWN;
		v->i = compare(nd->op, &a, &b);
		return 0;
	case N_IN:
		ra = operand(e, nd->a, w, &a);
		if (ra != 0)
			return ra == 1 ? 0 : EXPR_UNKNOWN;
		for (size_t k = 0; k < nd->nitems && !v->i; k++)
			v->i = value_eq(&a, &nd->items[k]);
		return 0;
	case N_MATCH:
		ra = operand(e, nd->a, w, &a);
		if (ra != 0)
			return ra == 1 ? 0 : EXPR_UNKNOWN;
		if (w->known)
			return EXPR_UNKNOWN;    /* no text to match */
		{
			struct expr_ctx *ctx = w->ctx;
			int rc = grep_exec(nd->re, ctx->scratch
					   ? ctx->scratch->md : NULL, a.s);
			if (rc < 0)
				ctx->limit_hits++;
			v->i = rc == 1;
		}
		return 0;
	case N_EXISTS:
		ra = node_value(e, nd->a, w, &a);
		if (ra == EXPR_UNKNOWN)
			return EXPR_UNKNOWN;
		v->i = ra == 0;
		return 0;
	case N_AGG:
		if (w->known)
			return EXPR_UNKNOWN;    /* no counters */
		v->i = agg_value(nd, w->ctx);
		return 0;
	}
	return w->known ? EXPR_UNKNOWN : 1;
}

int expr_eval(const struct expr *e, struct expr_ctx *ctx)
{
	return expr_eval_memo(e, ctx, NULL);
}

/*
 * Where a memo leaves one condition to read: from the root, an and (an
 * or) whose other parts the memo decided true (false) is as true as
 * that one part, and so on down.  An and with a part decided false is
 * decided itself, so the memo never leaves such a one undecided.
 */
int expr_memo_start(const struct expr *e, const signed char *memo)
{
	if (!e || e->root < 0 || !memo)
		return e ? e->root : -1;
	int i = e->root;
	while (memo[i] == EXPR_UNKNOWN && (e->nodes[i].kind == N_AND ||
					   e->nodes[i].kind == N_OR)) {
		int open = -1, n = 0;
		for (int k = e->nodes[i].a; k >= 0; k = e->nodes[k].next)
			if (memo[k] == EXPR_UNKNOWN) {
				open = k;
				n++;
			} else if (memo[k] != (e->nodes[i].kind == N_AND)) {
				return i;       /* not from expr_truth_memo */
			}
		if (n != 1)
			return i;
		i = open;
	}
	return i;
}

int expr_eval_from(const struct expr *e, struct expr_ctx *ctx,
		   const signed char *memo, int start)
{
	if (!e || e->root < 0 || start < 0 || (size_t)start >= e->nn)
		return 0;
	struct walk w = { ctx, NULL, NULL, (signed char *)memo };
	return truth(e, start, &w);
}

int expr_eval_memo(const struct expr *e, struct expr_ctx *ctx,
		   const signed char *memo)
{
	return expr_eval_from(e, ctx, memo, expr_memo_start(e, memo));
}

/* ---- what may match: three-valued evaluation (expr_may_match) ------ */

int expr_truth(const struct expr *e, expr_known_fn known, void *ud)
{
	return expr_truth_memo(e, known, ud, NULL);
}

int expr_truth_memo(const struct expr *e, expr_known_fn known, void *ud,
		    signed char *memo)
{
	if (memo)
		memset(memo, EXPR_UNKNOWN, expr_nodes(e));
	if (!e || e->root < 0)
		return 0;
	struct walk w = { NULL, known, ud, memo };
	return truth(e, e->root, &w);
}

size_t expr_nodes(const struct expr *e)
{
	return e ? e->nn : 0;
}

int expr_may_match(const struct expr *e, expr_known_fn known, void *ud)
{
	return expr_truth(e, known, ud) != 0;
}

enum expr_scope expr_scope_of(const struct expr *e)
{
	return e->scope;
}

size_t expr_size(const struct expr *e)
{
	return e ? e->bytes : 0;
}

size_t expr_nagg(const struct expr *e)
{
	return e ? e->nagg : 0;
}

void expr_agg(const struct expr *e, size_t i, enum expr_scope *scope,
	      const struct expr **filter, const struct expr **pred)
{
	const struct agg *a = &e->aggs[i];
	if (scope)
		*scope = a->scope;
	if (filter)
		*filter = a->filter;
	if (pred)
		*pred = a->pred;
}

struct expr_scratch *expr_scratch_new(void)
{
	struct expr_scratch *s = sfb_xmalloc(sizeof *s);
	s->md = grep_md_new();
	return s;
}

void expr_scratch_free(struct expr_scratch *s)
{
	if (!s)
		return;
	grep_md_free(s->md);
	free(s);
}

const char *expr_scope_name(enum expr_scope s)
{
	switch (s) {
	case EXPR_SCOPE_MSG: return "message";
	case EXPR_SCOPE_EVENT: return "event";
	case EXPR_SCOPE_SESSION: return "session";
	case EXPR_SCOPE_JOIN: return "join";
	}
	return NULL;
}

/* ---- templates ---------------------------------------------------------- */

struct tpart {
	int hex;                /* {hex(field)} */
	char *text;             /* owned: literal text, or NULL: a field */
	size_t n;               /* its length */
	int fid;
	enum expr_type type;
	char *key;              /* owned, may be NULL */
	size_t keyn;
};

struct expr_tmpl {
	struct tpart *parts;    /* owned */
	size_t np;
};

void expr_tmpl_free(struct expr_tmpl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->np; i++) {
		free(t->parts[i].text);
		free(t->parts[i].key);
	}
	free(t->parts);
	free(t);
}

static struct tpart *tmpl_add(struct expr_tmpl *t)
{
	t->parts = sfb_xrealloc(t->parts, (t->np + 1) * sizeof *t->parts);
	struct tpart *p = &t->parts[t->np++];
	memset(p, 0, sizeof *p);
	return p;
}

/* Literal text: appended to the last part when it is text too. */
static void tmpl_text(struct expr_tmpl *t, const char *s, size_t n)
{
	struct tpart *p = t->np && t->parts[t->np - 1].text
			  ? &t->parts[t->np - 1] : NULL;
	if (!p) {
		p = tmpl_add(t);
		p->text = sfb_xmalloc(1);
	}
	p->text = sfb_xrealloc(p->text, p->n + n + 1);
	memcpy(p->text + p->n, s, n);
	p->n += n;
	p->text[p->n] = '\0';
}

/*
 * A field reference name or name("key") at c->t; fills one N_FIELD
 * node of c->prog and moves it into part p.
 */
static int tmpl_ref(struct cc *c, struct tpart *p)
{
	if (c->t.k != T_IDENT)
		return expect(c, T_IDENT, "a field name");
	struct sv name = sv_make(c->src + c->t.at, c->t.len);
	size_t at = c->t.at;
	int x;
	lex(c);
	if (c->t.k == T_LP) {
		lex(c);
		if (c->t.k != T_STR)
			return expect(c, T_STR, "a string key");
		x = field_node(c, name, sv_make(c->sbuf, c->slen), 1, at);
		if (x >= 0) {
			lex(c);
			if (expect(c, T_RP, "')'"))
				x = -1;
		}
	} else {
		x = field_node(c, name, SV_NULL, 0, at);
	}
	if (x < 0)
		return -1;
	struct node *nd = N(c, x);
	p->fid = nd->fid;
	p->type = nd->type;
	p->key = nd->key;
	p->keyn = nd->keyn;
	nd->key = NULL;
	return 0;
}

/* One placeholder: the text between '{' at s and its '}' at e. */
static int tmpl_field(struct cc *c, struct expr_tmpl *t, size_t s, size_t e)
{
	c->pos = s + 1;
	c->n = e;
	c->prog->nn = 0;
	lex(c);
	struct tpart *p = tmpl_add(t);
	if (c->t.k == T_IDENT && c->t.len == 3 &&
	    !memcmp(c->src + c->t.at, "hex", 3) &&
	    c->pos < c->n && c->src[c->pos] == '(') {
		size_t at = c->t.at;
		lex(c);
		lex(c);
		if (tmpl_ref(c, p) || expect(c, T_RP, "')'"))
			return -1;
		if (p->type != EXPR_T_INT)
			return fail(c, at, "hex() takes an int field");
		p->hex = 1;
	} else if (tmpl_ref(c, p)) {
		return -1;
	}
	if (c->t.k != T_EOF)
		return expect(c, T_EOF, "'}'");
	return 0;
}

/* @return the offset of the '}' closing the '{' at s, or n */
static size_t tmpl_close(const char *src, size_t s, size_t n)
{
	char q = 0;
	for (size_t i = s + 1; i < n; i++) {
		if (q) {
			if (src[i] == '\\')
				i++;
			else if (src[i] == q)
				q = 0;
		} else if (src[i] == '"' || src[i] == '\'') {
			q = src[i];
		} else if (src[i] == '}' || src[i] == '{' ||
			   src[i] == '\n') {
			return src[i] == '}' ? i : n;
		}
	}
	return n;
}

struct expr_tmpl *expr_tmpl_compile(const char *src, size_t n,
				    enum expr_scope scope,
				    const struct expr_env *env,
				    struct sfb_err *err)
{
	if (check_input(n, scope, err))
		return NULL;
	struct cc c;
	cc_init(&c, src, n, scope, env, err);
	struct expr *scratch = prog_new(scope);
	c.prog = scratch;
	struct expr_tmpl *t = sfb_xcalloc(1, sizeof *t);
	size_t i = 0, lit = 0;
	src = c.src;
	n = c.n;
	while (i < n && !c.failed) {
		char ch = src[i];
		if ((ch == '{' || ch == '}') && i + 1 < n &&
		    src[i + 1] == ch) {
			tmpl_text(t, src + lit, i + 1 - lit);
			i += 2;
			lit = i;
			continue;
		}
		if (ch == '}') {
			fail(&c, i, "unmatched '}' (write '}}' for a brace)");
			break;
		}
		if (ch != '{') {
			i++;
			continue;
		}
		if (i > lit)
			tmpl_text(t, src + lit, i - lit);
		size_t e = tmpl_close(src, i, n);
		if (e == n) {
			fail(&c, i, "expected '}' to close this '{' (write "
			     "'{{' for a brace)");
			break;
		}
		tmpl_field(&c, t, i, e);
		c.n = n;
		c.nodes = 0;
		i = e + 1;
		lit = i;
	}
	if (!c.failed && i > lit)
		tmpl_text(t, src + lit, i - lit);
	expr_free(scratch);
	free(c.sbuf);
	if (c.failed) {
		expr_tmpl_free(t);
		return NULL;
	}
	return t;
}

/* Append n bytes at *len, bounded by outsz - 1. */
static void put(char *out, size_t outsz, size_t *len, const char *s,
		size_t n)
{
	if (*len + 1 >= outsz)
		return;
	if (n > outsz - 1 - *len)
		n = outsz - 1 - *len;
	if (n)
		memcpy(out + *len, s, n);
	*len += n;
}

/*
 * A number part of a template, written at the end of num (32 bytes):
 * "true"/"false", the decimal int, or hex() as 0x and at least 8
 * upper-case digits (the low 32 bits of a negative int32).
 * @return its length
 */
static size_t tmpl_num(char num[32], const struct tpart *p,
		       const struct expr_value *v)
{
	static const char digits[] = "0123456789ABCDEF";
	char *end = num + 32, *q = end;
	if (p->type == EXPR_T_BOOL) {
		const char *w = v->i ? "true" : "false";
		size_t n = strlen(w);
		memcpy(end - n, w, n);
		return n;
	}
	if (p->hex) {
		uint64_t u = v->i < 0 && v->i >= INT32_MIN
			     ? (uint32_t)v->i : (uint64_t)v->i;
		do {
			*--q = digits[u & 15];
			u >>= 4;
		} while (u || end - q < 8);
		*--q = 'x';
		*--q = '0';
		return (size_t)(end - q);
	}
	uint64_t u = v->i < 0 ? 0 - (uint64_t)v->i : (uint64_t)v->i;
	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v->i < 0)
		*--q = '-';
	return (size_t)(end - q);
}

size_t expr_tmpl_render(const struct expr_tmpl *t, const struct expr_ctx *ctx,
			char *out, size_t outsz)
{
	size_t len = 0;
	if (!outsz)
		return 0;
	for (size_t i = 0; t && i < t->np; i++) {
		const struct tpart *p = &t->parts[i];
		if (p->text) {
			put(out, outsz, &len, p->text, p->n);
			continue;
		}
		struct expr_value v;
		memset(&v, 0, sizeof v);
		v.type = p->type;
		if (!ctx || !ctx->get ||
		    ctx->get(ctx->ud, p->fid, sv_make(p->key, p->keyn),
			     &v) != 0) {
			put(out, outsz, &len, "?", 1);
			continue;
		}
		if (p->type == EXPR_T_STR) {
			if (v.s.p)
				put(out, outsz, &len, v.s.p, v.s.n);
			continue;
		}
		char num[32];
		size_t k = tmpl_num(num, p, &v);
		put(out, outsz, &len, num + sizeof num - k, k);
	}
	out[len] = '\0';
	return len;
}
