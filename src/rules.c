/* SPDX-License-Identifier: MIT */
/*
 * rules.c -- the rule-file loader behind rules.h.  Two passes: read
 * every file with libyaml's document API (yaml_parser_load, so every
 * node has its line and column) into entries, merging names across
 * directories; then compile the lists, check the macros and compile
 * every rule's condition and templates with expr.c, whose environment
 * is the caller's field table plus the macro and list tables built
 * here.  The file texts stay in memory until the end of the load, so
 * the column of an expression error is mapped back to the file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "rules.h"
#include "sv.h"

/* The keys of an entry; which kind accepts which is in key_kinds. */
enum key { K_RULE, K_MACRO, K_LIST, K_SEV, K_TITLE, K_STEP, K_SCOPE,
	   K_COND, K_OUTPUT, K_EXPL, K_REMED, K_REFS, K_ITEMS, K_ENABLED,
	   K_PRIORITY, K_FALLBACK, K__COUNT };

enum kind { E_RULE, E_MACRO, E_LIST };

static const struct {
	const char *name;
	unsigned kinds;         /* 1 << enum kind */
	int seq;                /* a sequence of scalars */
	size_t max;             /* bytes */
} keys[K__COUNT] = {
	[K_RULE] = { "rule", 1u << E_RULE, 0, RULES_MAX_ID },
	[K_MACRO] = { "macro", 1u << E_MACRO, 0, RULES_MAX_ID },
	[K_LIST] = { "list", 1u << E_LIST, 0, RULES_MAX_ID },
	[K_SEV] = { "severity", 1u << E_RULE, 0, 16 },
	[K_TITLE] = { "title", 1u << E_RULE, 0, RULES_MAX_TITLE },
	[K_STEP] = { "step", 1u << E_RULE, 0, 16 },
	[K_SCOPE] = { "scope", 1u << E_RULE, 0, 16 },
	[K_COND] = { "condition", 1u << E_RULE | 1u << E_MACRO, 0,
		     RULES_MAX_TEXT },
	[K_OUTPUT] = { "output", 1u << E_RULE, 0, RULES_MAX_TEXT },
	[K_EXPL] = { "explanation", 1u << E_RULE, 0, RULES_MAX_TEXT },
	[K_REMED] = { "remediation", 1u << E_RULE, 0, RULES_MAX_TEXT },
	[K_REFS] = { "references", 1u << E_RULE, 1, 128 },
	[K_ITEMS] = { "items", 1u << E_LIST, 1, 1024 },
	[K_ENABLED] = { "enabled", 1u << E_RULE, 0, 8 },
	[K_PRIORITY] = { "priority", 1u << E_RULE, 0, 8 },
	[K_FALLBACK] = { "fallback", 1u << E_RULE, 0, 8 },
};

/* Required keys of a rule (a macro: condition; a list: items). */
static const enum key rule_needs[] = { K_SEV, K_TITLE, K_STEP, K_SCOPE,
				       K_COND, K_EXPL, K_REMED };

static const char *const step_words[SFB_STEP__COUNT] = {
	[SFB_STEP_NONE] = "general",
	[SFB_STEP_DISCOVERY] = "discovery",
	[SFB_STEP_CONNECTIVITY] = "connectivity",
	[SFB_STEP_AUTH] = "authentication",
	[SFB_STEP_REDIRECT] = "redirection",
	[SFB_STEP_SETTINGS] = "settings",
};

static const char *const sev_words[] = { NULL, "info", "warning", "error" };

/* A scalar as read: its bytes and where it was. */
struct text {
	char *s;                /* owned, NUL-terminated; NULL: not set */
	size_t n;
	yaml_mark_t start;      /* of the value (0-based line, column) */
	yaml_scalar_style_t style;
};

struct entry {
	enum kind kind;
	size_t file;            /* index in loader.files */
	int dir;
	yaml_mark_t at;         /* of the name key */
	struct text v[K__COUNT];
	struct text *seq;       /* owned: references or items */
	size_t nseq;
	int toggle;             /* a rule entry of only rule + enabled */
	struct expr_value *vals; /* list: the items as literals, owned */
};

struct lfile {
	char *path;             /* owned; moves to the ruleset */
	char *buf;              /* owned until the end of the load */
	size_t n;
};

struct loader {
	const struct expr_env *fields;
	struct sfb_err *err;
	struct lfile *files;
	size_t nfiles;
	struct entry *ents;
	size_t nents;
	size_t counts[3];       /* entries of each kind */
	int dir;
	struct entry **idx;     /* owned: macros and lists by name */
	size_t nidx;
	size_t bytes;           /* of all files read */
	size_t copied;          /* of all scalars taken (aliases repeat) */
	size_t compiled;        /* memory of all compiled conditions */
};

struct rules {
	struct rules_rule *v;   /* owned, and everything they point to */
	size_t n;
	char **paths;           /* owned: the files the rules came from */
	size_t npaths;
	void **keep;            /* owned: the lists the conditions borrow */
	size_t nkeep;
};

/* ---- errors ------------------------------------------------------------ */

/* "FILE:LINE:COL: error: ..." (line and col 1-based); @return -1 */
static int SFB_PRINTF(6, 7) fail_pos(struct loader *L, size_t file,
				     enum sfb_code code, unsigned long line,
				     unsigned long col, const char *fmt, ...)
{
	struct sfb_err *err = L->err;
	if (!err)
		return -1;
	char what[224];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	sfb_err_set(err, code, 0, "%s:%lu:%lu: error: %s",
		    L->files[file].path, line, col, what);
	err->line = line;
	err->col = col > 0xFFFFFFul ? 0xFFFFFFu : (unsigned)col;
	return -1;
}

#define FAIL_AT(L, file, mark, ...)                                      \
	fail_pos(L, file, SFB_E_RULE, (unsigned long)(mark).line + 1,     \
		 (unsigned long)(mark).column + 1, __VA_ARGS__)

/* ---- reading ----------------------------------------------------------- */

static void text_free(struct text *t)
{
	free(t->s);
	t->s = NULL;
}

static void entry_free(struct entry *e)
{
	for (int k = 0; k < K__COUNT; k++)
		text_free(&e->v[k]);
	for (size_t i = 0; i < e->nseq; i++)
		text_free(&e->seq[i]);
	free(e->seq);
	free(e->vals);
	memset(e, 0, sizeof *e);
}

/* A scalar node into t, bounded by max bytes. */
static int take_scalar(struct loader *L, size_t file, yaml_node_t *nd,
		       const char *what, size_t max, struct text *t)
{
	if (nd->type != YAML_SCALAR_NODE)
		return FAIL_AT(L, file, nd->start_mark, "expected text for "
			       "'%s', found a %s", what,
			       nd->type == YAML_SEQUENCE_NODE ? "list"
							      : "mapping");
	if (nd->data.scalar.length > max)
		return FAIL_AT(L, file, nd->start_mark, "'%s' longer than %zu "
			       "bytes", what, max);
	L->copied += nd->data.scalar.length + 1;
	if (L->copied > RULES_MAX_TOTAL)
		return fail_pos(L, file, SFB_E_LIMIT,
				(unsigned long)nd->start_mark.line + 1,
				(unsigned long)nd->start_mark.column + 1,
				"more than %u bytes of text in all (YAML "
				"aliases repeat it)", RULES_MAX_TOTAL);
	t->s = sfb_xstrndup((const char *)nd->data.scalar.value,
			    nd->data.scalar.length);
	t->n = nd->data.scalar.length;
	t->start = nd->start_mark;
	t->style = nd->data.scalar.style;
	return 0;
}

/* A sequence of scalars (flow [a, b] or block - a), or one scalar. */
static int take_seq(struct loader *L, size_t file, yaml_document_t *doc,
		    yaml_node_t *nd, enum key k, struct entry *e)
{
	size_t limit = k == K_REFS ? RULES_MAX_REFS : RULES_MAX_ITEMS;
	if (nd->type == YAML_SCALAR_NODE && k == K_REFS) {
		e->seq = sfb_xcalloc(1, sizeof *e->seq);
		e->nseq = 1;
		return take_scalar(L, file, nd, keys[k].name, keys[k].max,
				   e->seq);
	}
	if (nd->type != YAML_SEQUENCE_NODE)
		return FAIL_AT(L, file, nd->start_mark, "expected a list "
			       "for '%s', e.g. [a, b]", keys[k].name);
	size_t n = (size_t)(nd->data.sequence.items.top -
			    nd->data.sequence.items.start);
	if (n > limit)
		return fail_pos(L, file, SFB_E_LIMIT,
				nd->start_mark.line + 1,
				nd->start_mark.column + 1, "more than %zu "
				"items in '%s'", limit, keys[k].name);
	e->seq = sfb_xcalloc(n ? n : 1, sizeof *e->seq);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = yaml_document_get_node(doc,
			nd->data.sequence.items.start[i]);
		if (!it || take_scalar(L, file, it, keys[k].name,
				       keys[k].max, &e->seq[i]))
			return it ? -1 : FAIL_AT(L, file, nd->start_mark,
						 "bad list");
		e->nseq = i + 1;
	}
	return 0;
}

static int is_id(const struct text *t, int dots)
{
	if (!t->n || !(t->s[0] >= 'a' && t->s[0] <= 'z'))
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->s[i];
		if (!((c >= 'a' && c <= 'z') || sv_is_digit(c) ||
		      (dots ? c == '.' || c == '-' : c == '_')))
			return 0;
	}
	return 1;
}

/* @return the index of s in words (n of them), or -1 */
static int word(const char *const *words, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (words[i] && !strcmp(words[i], s))
			return i;
	return -1;
}

/* Check the values of a complete entry. */
static int check_entry(struct loader *L, struct entry *e, yaml_mark_t map)
{
	static const char *const kind_key[] = { "rule", "macro", "list" };
	struct text *v = e->v;
	size_t f = e->file;
	struct text *name = &v[e->kind == E_RULE ? K_RULE : e->kind ==
			       E_MACRO ? K_MACRO : K_LIST];
	if (!is_id(name, e->kind == E_RULE) && e->kind == E_RULE)
		return FAIL_AT(L, f, name->start, "bad rule id '%.64s': "
			       "lowercase letters, digits, '.' and '-', "
			       "from a letter", name->s);
	if (!is_id(name, e->kind == E_RULE))
		return FAIL_AT(L, f, name->start, "bad %s name '%.64s': "
			       "lowercase letters, digits and '_', from a "
			       "letter", kind_key[e->kind], name->s);
	if (e->kind == E_RULE) {
		int others = 0;
		for (int k = K_SEV; k < K__COUNT; k++)
			others += k != K_ENABLED && v[k].s != NULL;
		e->toggle = !others && v[K_ENABLED].s;
		for (size_t i = 0; !e->toggle &&
		     i < sizeof rule_needs / sizeof rule_needs[0]; i++)
			if (!v[rule_needs[i]].s)
				return FAIL_AT(L, f, map, "rule '%s' has no "
					       "'%s'", name->s,
					       keys[rule_needs[i]].name);
	} else if (e->kind == E_MACRO && !v[K_COND].s) {
		return FAIL_AT(L, f, map, "macro '%s' has no 'condition'",
			       name->s);
	} else if (e->kind == E_LIST && !v[K_ITEMS].s && !e->seq) {
		return FAIL_AT(L, f, map, "list '%s' has no 'items'", name->s);
	}
	for (int k = 0; k < K__COUNT; k++)
		if (v[k].s && !keys[k].seq && v[k].n == 0 && k != K_OUTPUT)
			return FAIL_AT(L, f, v[k].start, "'%s' is empty",
				       keys[k].name);
	if (v[K_SEV].s && word(sev_words, 4, v[K_SEV].s) < 0)
		return FAIL_AT(L, f, v[K_SEV].start, "bad severity '%.32s': "
			       "expected info, warning or error",
			       v[K_SEV].s);
	if (v[K_STEP].s && word(step_words, SFB_STEP__COUNT, v[K_STEP].s) < 0)
		return FAIL_AT(L, f, v[K_STEP].start, "bad step '%.32s': "
			       "expected discovery, connectivity, "
			       "authentication, redirection, settings or "
			       "general", v[K_STEP].s);
	if (v[K_SCOPE].s && strcmp(v[K_SCOPE].s, "message") &&
	    strcmp(v[K_SCOPE].s, "event") &&
	    strcmp(v[K_SCOPE].s, "session") && strcmp(v[K_SCOPE].s, "join"))
		return FAIL_AT(L, f, v[K_SCOPE].start, "bad scope '%.32s': "
			       "expected message, event, session or "
			       "join",
			       v[K_SCOPE].s);
	if (v[K_ENABLED].s && strcmp(v[K_ENABLED].s, "true") &&
	    strcmp(v[K_ENABLED].s, "false"))
		return FAIL_AT(L, f, v[K_ENABLED].start, "bad value '%.32s' "
			       "for 'enabled': expected true or false",
			       v[K_ENABLED].s);
	if (v[K_FALLBACK].s && strcmp(v[K_FALLBACK].s, "true") &&
	    strcmp(v[K_FALLBACK].s, "false"))
		return FAIL_AT(L, f, v[K_FALLBACK].start, "bad value '%.32s' "
			       "for 'fallback': expected true or false",
			       v[K_FALLBACK].s);
	if (v[K_PRIORITY].s) {
		uint64_t x;
		struct sv p = sv_cstr(v[K_PRIORITY].s);
		int neg = p.n && p.p[0] == '-';
		if (neg)
			sv_skip(&p, 1);
		if (!sv_to_u64(p, &x) || x > 100)
			return FAIL_AT(L, f, v[K_PRIORITY].start, "bad "
				       "priority '%.32s': expected a whole "
				       "number from -100 to 100",
				       v[K_PRIORITY].s);
	}
	return 0;
}

/* One mapping of the top-level sequence into an entry. */
static int read_entry(struct loader *L, size_t f, yaml_document_t *doc,
		      yaml_node_t *map, struct entry *e)
{
	if (map->type != YAML_MAPPING_NODE)
		return FAIL_AT(L, f, map->start_mark, "expected an entry "
			       "'- rule:', '- macro:' or '- list:'");
	int kind = -1;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(doc, p->value);
		if (!kn || !vn)
			return FAIL_AT(L, f, map->start_mark, "bad entry");
		if (kn->type != YAML_SCALAR_NODE)
			return FAIL_AT(L, f, kn->start_mark, "expected a key "
				       "name");
		const char *kname = (const char *)kn->data.scalar.value;
		int k;
		for (k = 0; k < K__COUNT; k++)
			if (kn->data.scalar.length == strlen(keys[k].name) &&
			    !strcmp(kname, keys[k].name))
				break;
		if (k == K__COUNT)
			return FAIL_AT(L, f, kn->start_mark, "unknown key "
				       "'%.40s'", kname);
		if (e->v[k].s || (keys[k].seq && e->seq))
			return FAIL_AT(L, f, kn->start_mark, "duplicate key "
				       "'%s'", keys[k].name);
		if (k <= K_LIST) {
			if (kind >= 0)
				return FAIL_AT(L, f, kn->start_mark, "'%s' in "
					       "a %s entry: one of rule, "
					       "macro or list per entry",
					       keys[k].name,
					       keys[kind].name);
			kind = k;
			e->at = kn->start_mark;
		}
		int rc = keys[k].seq ? take_seq(L, f, doc, vn, k, e)
				     : take_scalar(L, f, vn, keys[k].name,
						   keys[k].max, &e->v[k]);
		if (rc)
			return -1;
		if (keys[k].seq) {
			/* marks that the key was seen */
			e->v[k].s = sfb_xstrndup("", 0);
			e->v[k].start = vn->start_mark;
		}
	}
	if (kind < 0)
		return FAIL_AT(L, f, map->start_mark, "expected a 'rule', "
			       "'macro' or 'list' key in this entry");
	e->kind = (enum kind)kind;
	for (int k = 0; k < K__COUNT; k++)
		if (e->v[k].s && !(keys[k].kinds & (1u << e->kind)))
			return FAIL_AT(L, f, e->v[k].start, "'%s' does not "
				       "belong in a %s entry", keys[k].name,
				       keys[kind].name);
	return check_entry(L, e, map->start_mark);
}

static struct text *entry_name(struct entry *e)
{
	return &e->v[e->kind == E_RULE ? K_RULE : e->kind == E_MACRO
		     ? K_MACRO : K_LIST];
}

/* @return the live entry of that kind and name, or NULL */
static struct entry *find_entry(struct loader *L, enum kind kind,
				struct sv name)
{
	for (size_t i = 0; i < L->nents; i++) {
		struct entry *e = &L->ents[i];
		if (e->kind == kind &&
		    sv_eq(sv_make(entry_name(e)->s, entry_name(e)->n), name))
			return e;
	}
	return NULL;
}

/* Add e (taken) to the entries, merging with an earlier one. */
static int add_entry(struct loader *L, struct entry *e)
{
	static const char *const kn[] = { "rule id", "macro", "list" };
	struct text *name = entry_name(e);
	struct entry *old = find_entry(L, e->kind,
				       sv_make(name->s, name->n));
	if (old && old->dir == e->dir)
		return FAIL_AT(L, e->file, name->start, "duplicate %s '%s' "
			       "(first in %s:%lu)", kn[e->kind], name->s,
			       L->files[old->file].path,
			       (unsigned long)old->at.line + 1);
	if (e->toggle) {
		/* switch an earlier directory's rule on or off */
		if (old) {
			text_free(&old->v[K_ENABLED]);
			old->v[K_ENABLED] = e->v[K_ENABLED];
			e->v[K_ENABLED].s = NULL;
		}
		entry_free(e);
		return 0;
	}
	if (!old && L->counts[e->kind] >= RULES_MAX_RULES)
		return fail_pos(L, e->file, SFB_E_LIMIT,
				(unsigned long)e->at.line + 1,
				(unsigned long)e->at.column + 1, "more than "
				"%d %ss", RULES_MAX_RULES,
				e->kind == E_RULE ? "rule" : kn[e->kind]);
	if (old) {
		/* a later directory replaces it in place */
		entry_free(old);
		*old = *e;
		return 0;
	}
	L->ents = sfb_xrealloc(L->ents, (L->nents + 1) * sizeof *L->ents);
	L->ents[L->nents++] = *e;
	L->counts[e->kind]++;
	return 0;
}

/* libyaml's error at its mark (reader errors: at a byte offset). */
static int yaml_fail(struct loader *L, size_t f, yaml_parser_t *p)
{
	unsigned long line = p->problem_mark.line + 1;
	unsigned long col = p->problem_mark.column + 1;
	if (p->error == YAML_READER_ERROR) {
		const char *b = L->files[f].buf;
		size_t off = p->problem_offset, ls = 0;
		line = 1;
		for (size_t i = 0; i < off && i < L->files[f].n; i++)
			if (b[i] == '\n')
				line++, ls = i + 1;
		col = off >= ls ? off - ls + 1 : 1;
	}
	const char *prob = p->problem ? p->problem : "syntax error";
	if (p->context)
		return fail_pos(L, f, SFB_E_RULE, line, col, "yaml: %s (%s)",
				prob, p->context);
	return fail_pos(L, f, SFB_E_RULE, line, col, "yaml: %s", prob);
}

/* Parse file f (its text in memory) into entries. */
static int parse_file(struct loader *L, size_t f)
{
	yaml_parser_t p;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&p))
		sfb_oom();
	yaml_parser_set_input_string(&p,
				     (const unsigned char *)L->files[f].buf,
				     L->files[f].n);
	if (!yaml_parser_load(&p, &doc)) {
		int rc = yaml_fail(L, f, &p);
		yaml_parser_delete(&p);
		return rc;
	}
	int rc = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_SEQUENCE_NODE)
		rc = FAIL_AT(L, f, root->start_mark, "expected a list of "
			     "entries ('- rule:', '- macro:', '- list:')");
	for (yaml_node_item_t *it = root && !rc
		     ? root->data.sequence.items.start : NULL;
	     it && it < root->data.sequence.items.top && !rc; it++) {
		struct entry e;
		memset(&e, 0, sizeof e);
		e.file = f;
		e.dir = L->dir;
		yaml_node_t *nd = yaml_document_get_node(&doc, *it);
		rc = nd ? read_entry(L, f, &doc, nd, &e)
			: FAIL_AT(L, f, root->start_mark, "bad entry");
		if (!rc)
			rc = add_entry(L, &e);
		if (rc)
			entry_free(&e);
	}
	if (!rc) {
		/* one document per file: a second one is a mistake */
		yaml_document_t more;
		if (!yaml_parser_load(&p, &more)) {
			rc = yaml_fail(L, f, &p);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&more);
			if (r2)
				rc = FAIL_AT(L, f, r2->start_mark, "a second "
					     "YAML document: one per file");
			yaml_document_delete(&more);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return rc;
}

/* Keep a file text as file index *f (path copied). */
static size_t add_file(struct loader *L, const char *path, char *buf,
		       size_t n)
{
	L->files = sfb_xrealloc(L->files, (L->nfiles + 1) * sizeof *L->files);
	struct lfile *lf = &L->files[L->nfiles];
	lf->path = sfb_xstrndup(path, strlen(path));
	lf->buf = buf;
	lf->n = n;
	return L->nfiles++;
}

static int read_file(struct loader *L, const char *path)
{
	struct sfb_err *err = L->err;
	if (err)
		err->line = 0, err->col = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		int e = errno;
		return sfb_err_set(err, SFB_E_IO, e, "cannot read '%s': %s",
				   path, strerror(e));
	}
	size_t cap = 1 << 14, n = 0;
	char *buf = sfb_xmalloc(cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = sfb_xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n > RULES_MAX_FILE || got == 0)
			break;
	}
	int bad = ferror(fp), e = errno;
	fclose(fp);
	size_t f = add_file(L, path, buf, n);
	if (bad)
		return sfb_err_set(err, SFB_E_IO, e ? e : EIO, "cannot read "
				   "'%s': %s", path, strerror(e ? e : EIO));
	if (n > RULES_MAX_FILE)
		return fail_pos(L, f, SFB_E_LIMIT, 1, 1, "file larger than "
				"%u bytes", RULES_MAX_FILE);
	L->bytes += n;
	if (L->bytes > RULES_MAX_TOTAL)
		return fail_pos(L, f, SFB_E_LIMIT, 1, 1, "rule files larger "
				"than %u bytes in all", RULES_MAX_TOTAL);
	return parse_file(L, f);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_rule_file(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' &&
	       ((n > 5 && !strcmp(name + n - 5, ".yaml")) ||
		(n > 4 && !strcmp(name + n - 4, ".yml")));
}

/* Every rule file directly in dir, in name order. */
static int read_dir(struct loader *L, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		if (L->err)
			L->err->line = 0, L->err->col = 0;
		return sfb_err_set(L->err, SFB_E_IO, e, "cannot read "
				   "directory '%s': %s", dir, strerror(e));
	}
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_rule_file(de->d_name))
			continue;
		if (n >= RULES_MAX_FILES) {
			rc = sfb_err_set(L->err, SFB_E_LIMIT, 0, "more than "
					 "%d rule files in '%s'",
					 RULES_MAX_FILES, dir);
			break;
		}
		names = sfb_xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = sfb_xstrndup(de->d_name, strlen(de->d_name));
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	size_t dl = strlen(dir);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		char *path = sfb_xmalloc(dl + nl + 2);
		memcpy(path, dir, dl);
		size_t k = dl;
		if (!dl || dir[dl - 1] != '/')
			path[k++] = '/';
		memcpy(path + k, names[i], nl + 1);
		struct stat st;
		/* a directory named x.yaml is not a rule file */
		if (!rc && !(stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
			rc = read_file(L, path);
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- compiling --------------------------------------------------------- */

static int env_resolve(void *ud, struct sv name, struct sv key,
		       struct expr_field *out)
{
	struct loader *L = ud;
	if (!L->fields || !L->fields->resolve)
		return -1;
	return L->fields->resolve(L->fields->ud, name, key, out);
}

/* Order of the index: kind, then name as bytes. */
static int cmp_key(enum kind ka, struct sv a, const struct entry *b)
{
	if (ka != b->kind)
		return ka < b->kind ? -1 : 1;
	const struct text *t = &b->v[b->kind == E_MACRO ? K_MACRO : K_LIST];
	size_t n = a.n < t->n ? a.n : t->n;
	int c = n ? memcmp(a.p, t->s, n) : 0;
	if (c)
		return c;
	return a.n < t->n ? -1 : a.n > t->n;
}

static int cmp_idx(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a;
	const struct text *t = &x->v[x->kind == E_MACRO ? K_MACRO : K_LIST];
	return cmp_key(x->kind, sv_make(t->s, t->n),
		       *(struct entry *const *)b);
}

/* Sort the macros and lists so the compiler finds them fast. */
static void build_index(struct loader *L)
{
	L->idx = sfb_xcalloc(L->nents ? L->nents : 1, sizeof *L->idx);
	for (size_t i = 0; i < L->nents; i++)
		if (L->ents[i].kind != E_RULE)
			L->idx[L->nidx++] = &L->ents[i];
	if (L->nidx)
		qsort(L->idx, L->nidx, sizeof *L->idx, cmp_idx);
}

static struct entry *lookup(struct loader *L, enum kind kind,
			    struct sv name)
{
	size_t lo = 0, hi = L->nidx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(kind, name, L->idx[mid]);
		if (!c)
			return L->idx[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int env_macro(void *ud, struct sv name, struct sv *src)
{
	struct entry *e = lookup(ud, E_MACRO, name);
	if (!e)
		return -1;
	*src = sv_make(e->v[K_COND].s, e->v[K_COND].n);
	return 0;
}

static int env_list(void *ud, struct sv name,
		    const struct expr_value **items, size_t *n)
{
	struct entry *e = lookup(ud, E_LIST, name);
	if (!e)
		return -1;
	*items = e->vals;
	*n = e->nseq;
	return 0;
}

/* Number of UTF-8 characters in [p, q). */
static size_t nchars(const char *p, const char *q)
{
	size_t n = 0;
	for (; p < q; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	return n;
}

/*
 * Find byte off of t's value in the file: walk the file's lines from
 * the value's start, each line without its leading blanks (block and
 * multi-line scalars), and accept the place only where the file holds
 * the same byte.  @return 0 with *line, *col (1-based), -1 if unsure
 */
static int map_pos(const struct lfile *f, const struct text *t, size_t off,
		   unsigned long *line, unsigned long *col)
{
	if (off >= t->n) {
		if (!t->n || map_pos(f, t, t->n - 1, line, col))
			return -1;
		++*col;
		return 0;
	}
	const char *b = f->buf, *end = f->buf + f->n, *p = b;
	unsigned long ln = 0;
	while (p < end && ln < t->start.line)
		if (*p++ == '\n')
			ln++;
	int block = t->style == YAML_LITERAL_SCALAR_STYLE ||
		    t->style == YAML_FOLDED_SCALAR_STYLE;
	size_t indent = (size_t)-1;     /* blanks a line starts with */
	if (block) {
		while (p < end && *p != '\n')
			p++;
		if (p == end)
			return -1;
		p++;
		ln++;
		const char *q = p;
		while (p < end && *p == ' ')
			p++;
		indent = (size_t)(p - q);
	} else {
		/* the column counts characters: skip UTF-8 tails */
		for (size_t c = 0; c < t->start.column && p < end; c++) {
			p++;
			while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
				p++;
		}
		if (t->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		    t->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
			p++;
	}
	size_t o = off;
	for (;;) {
		const char *eol = p;
		while (eol < end && *eol != '\n')
			eol++;
		const char *se = eol;
		if (se > p && se[-1] == '\r')
			se--;
		size_t seg = (size_t)(se - p);
		if (o < seg) {
			p += o;
			break;
		}
		o -= seg + 1;
		if (eol >= end || o > t->n)
			return -1;
		p = eol + 1;
		ln++;
		for (size_t k = 0; k < indent && p < end &&
		     (*p == ' ' || (!block && *p == '\t')); k++)
			p++;
	}
	if (p >= end || *p != t->s[off])
		return -1;
	const char *ls = p;
	while (ls > b && ls[-1] != '\n')
		ls--;
	*line = ln + 1;
	*col = nchars(ls, p) + 1;
	return 0;
}

/* An expression error (xe, its column in t) at the file position. */
static int expr_fail(struct loader *L, size_t f, const struct text *t,
		     const char *what, const struct sfb_err *xe)
{
	unsigned long line, col;
	size_t off = xe->col ? xe->col - 1 : 0;
	if (map_pos(&L->files[f], t, off, &line, &col) == 0)
		return fail_pos(L, f, xe->code, line, col, "%s: %s", what,
				xe->msg);
	return fail_pos(L, f, xe->code, t->start.line + 1,
			t->start.column + 1, "%s, column %zu: %s", what,
			off + 1, xe->msg);
}

/* A list's items as literals: all ints, all strings or all bools. */
static int compile_list(struct loader *L, struct entry *e)
{
	e->vals = sfb_xcalloc(e->nseq ? e->nseq : 1, sizeof *e->vals);
	for (size_t i = 0; i < e->nseq; i++) {
		struct text *t = &e->seq[i];
		struct expr_value *v = &e->vals[i];
		int plain = t->style == YAML_PLAIN_SCALAR_STYLE;
		uint64_t u;
		struct sv s = sv_make(t->s, t->n);
		int neg = s.n > 1 && s.p[0] == '-';
		struct sv digits = neg ? sv_make(s.p + 1, s.n - 1) : s;
		v->type = EXPR_T_STR;
		v->s = s;
		if (plain && (!strcmp(t->s, "true") ||
			      !strcmp(t->s, "false"))) {
			v->type = EXPR_T_BOOL;
			v->i = t->s[0] == 't';
		} else if (plain && digits.n && sv_is_digit(digits.p[0])) {
			int hex = digits.n > 2 && digits.p[1] == 'x';
			struct sv h = sv_make(digits.p + 2, digits.n - 2);
			if (hex ? sv_take_hex(&h, 16, 0, &u) || h.n
				: !sv_to_u64(digits, &u))
				return FAIL_AT(L, e->file, t->start, "bad "
					       "number '%.32s' in list '%s'",
					       t->s, e->v[K_LIST].s);
			if (u > (uint64_t)INT64_MAX + neg)
				return FAIL_AT(L, e->file, t->start, "number "
					       "'%.32s' out of range (64-bit)",
					       t->s);
			v->type = EXPR_T_INT;
			v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
		}
		if (i && v->type != e->vals[0].type)
			return FAIL_AT(L, e->file, t->start, "list '%s' mixes "
				       "%ss and %ss (quote numbers meant as "
				       "text)", e->v[K_LIST].s,
				       v->type == EXPR_T_INT ? "int"
				       : v->type == EXPR_T_STR ? "string"
				       : "bool",
				       e->vals[0].type == EXPR_T_INT ? "int"
				       : e->vals[0].type == EXPR_T_STR
				       ? "string" : "bool");
	}
	return 0;
}

/* A macro must compile in at least one scope; report the furthest
 * error when it compiles in none. */
static int check_macro(struct loader *L, const struct expr_env *env,
		       struct entry *e)
{
	struct sfb_err best, xe;
	memset(&best, 0, sizeof best);
	for (int s = EXPR_SCOPE_MSG; s <= EXPR_SCOPE_JOIN; s++) {
		memset(&xe, 0, sizeof xe);
		struct expr *x = expr_compile(e->v[K_COND].s, e->v[K_COND].n,
					      (enum expr_scope)s, env, &xe);
		if (x) {
			expr_free(x);
			return 0;
		}
		if (xe.col > best.col || !best.col)
			best = xe;
	}
	return expr_fail(L, e->file, &e->v[K_COND], "condition", &best);
}

static enum expr_scope scope_of(const char *s)
{
	return !strcmp(s, "message") ? EXPR_SCOPE_MSG
	       : !strcmp(s, "event") ? EXPR_SCOPE_EVENT
	       : !strcmp(s, "join") ? EXPR_SCOPE_JOIN : EXPR_SCOPE_SESSION;
}

static char *take(struct text *t)
{
	char *s = t->s ? t->s : sfb_xstrndup("", 0);
	t->s = NULL;
	return s;
}

/* A priority the checks above accepted: -100..100. */
static int atoi_checked(const char *s)
{
	uint64_t x = 0;
	struct sv p = sv_cstr(s);
	int neg = p.n && p.p[0] == '-';
	if (neg)
		sv_skip(&p, 1);
	(void)sv_to_u64(p, &x);
	return neg ? -(int)x : (int)x;
}

/* Compile one rule entry into r. */
static int compile_rule(struct loader *L, const struct expr_env *env,
			struct entry *e, struct rules_rule *r)
{
	struct text *v = e->v;
	enum expr_scope scope = scope_of(v[K_SCOPE].s);
	struct sfb_err xe;
	memset(&xe, 0, sizeof xe);
	r->scope = scope;
	r->cond = expr_compile(v[K_COND].s, v[K_COND].n, scope, env, &xe);
	if (!r->cond)
		return expr_fail(L, e->file, &v[K_COND], "condition", &xe);
	static const enum key tk[] = { K_TITLE, K_OUTPUT, K_EXPL, K_REMED };
	const struct expr_tmpl **slot[] = { &r->title, &r->output,
					    &r->explanation,
					    &r->remediation };
	for (int i = 0; i < 4; i++) {
		if (!v[tk[i]].s || (tk[i] == K_OUTPUT && !v[tk[i]].n))
			continue;       /* output: "" is no output */
		struct expr_tmpl *t = expr_tmpl_compile(v[tk[i]].s,
							v[tk[i]].n, scope,
							env, &xe);
		if (!t)
			return expr_fail(L, e->file, &v[tk[i]],
					 keys[tk[i]].name, &xe);
		*slot[i] = t;
	}
	r->sev = (enum sfb_sev)word(sev_words, 4, v[K_SEV].s);
	r->step = (enum sfb_step)word(step_words, SFB_STEP__COUNT,
				      v[K_STEP].s);
	r->enabled = !v[K_ENABLED].s || strcmp(v[K_ENABLED].s, "false");
	r->priority = v[K_PRIORITY].s ? atoi_checked(v[K_PRIORITY].s) : 0;
	r->fallback = v[K_FALLBACK].s && !strcmp(v[K_FALLBACK].s, "true");
	r->line = (unsigned long)e->at.line + 1;
	r->id = take(&v[K_RULE]);
	r->cond_src = take(&v[K_COND]);
	r->title_src = take(&v[K_TITLE]);
	r->output_src = take(&v[K_OUTPUT]);
	r->explanation_src = take(&v[K_EXPL]);
	r->remediation_src = take(&v[K_REMED]);
	char **refs = sfb_xcalloc(e->nseq ? e->nseq : 1, sizeof *refs);
	for (size_t i = 0; i < e->nseq; i++)
		refs[i] = take(&e->seq[i]);
	r->refs = (const char *const *)refs;
	r->nrefs = e->nseq;
	return 0;
}

static void rule_free(struct rules_rule *r)
{
	expr_free((struct expr *)r->cond);
	expr_tmpl_free((struct expr_tmpl *)r->title);
	expr_tmpl_free((struct expr_tmpl *)r->output);
	expr_tmpl_free((struct expr_tmpl *)r->explanation);
	expr_tmpl_free((struct expr_tmpl *)r->remediation);
	free((char *)r->id);
	free((char *)r->cond_src);
	free((char *)r->title_src);
	free((char *)r->output_src);
	free((char *)r->explanation_src);
	free((char *)r->remediation_src);
	for (size_t i = 0; i < r->nrefs; i++)
		free((char *)r->refs[i]);
	free((void *)r->refs);
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	for (size_t i = 0; i < rs->npaths; i++)
		free(rs->paths[i]);
	free(rs->paths);
	for (size_t i = 0; i < rs->nkeep; i++)
		free(rs->keep[i]);
	free(rs->keep);
	free(rs->v);
	free(rs);
}

/* The conditions borrow the lists: the ruleset keeps them. */
static void keep_lists(struct loader *L, struct rules *rs)
{
	for (size_t i = 0; i < L->nents; i++) {
		struct entry *e = &L->ents[i];
		if (e->kind != E_LIST || !e->vals)
			continue;
		rs->keep = sfb_xrealloc(rs->keep, (rs->nkeep + e->nseq + 1) *
					sizeof *rs->keep);
		rs->keep[rs->nkeep++] = e->vals;
		e->vals = NULL;
		for (size_t k = 0; k < e->nseq; k++) {
			rs->keep[rs->nkeep++] = e->seq[k].s;
			e->seq[k].s = NULL;
		}
	}
}

/* The second pass: lists, macros, rules. */
static struct rules *compile_all(struct loader *L)
{
	struct expr_env env = { env_resolve, env_macro, env_list, L };
	struct rules *rs = sfb_xcalloc(1, sizeof *rs);
	rs->v = sfb_xcalloc(L->counts[E_RULE] ? L->counts[E_RULE] : 1,
			    sizeof *rs->v);
	rs->paths = sfb_xcalloc(L->nfiles ? L->nfiles : 1,
				sizeof *rs->paths);
	rs->npaths = L->nfiles;
	for (size_t i = 0; i < L->nfiles; i++) {
		rs->paths[i] = L->files[i].path;
		L->files[i].path = sfb_xstrndup(rs->paths[i],
						strlen(rs->paths[i]));
	}
	int rc = 0;
	build_index(L);
	for (size_t i = 0; i < L->nents && !rc; i++)
		if (L->ents[i].kind == E_LIST)
			rc = compile_list(L, &L->ents[i]);
	for (size_t i = 0; i < L->nents && !rc; i++)
		if (L->ents[i].kind == E_MACRO)
			rc = check_macro(L, &env, &L->ents[i]);
	for (size_t i = 0; i < L->nents && !rc; i++) {
		struct entry *e = &L->ents[i];
		if (e->kind != E_RULE)
			continue;
		struct rules_rule *r = &rs->v[rs->n++];
		r->file = rs->paths[e->file];
		r->index = rs->n - 1;
		rc = compile_rule(L, &env, e, r);
		L->compiled += expr_size(r->cond);
		if (!rc && L->compiled > RULES_MAX_MEMORY)
			rc = fail_pos(L, e->file, SFB_E_LIMIT, r->line,
				      (unsigned long)e->at.column + 1,
				      "the conditions take more than %u "
				      "bytes in all", RULES_MAX_MEMORY);
	}
	keep_lists(L, rs);
	if (rc) {
		rules_free(rs);
		return NULL;
	}
	return rs;
}

static void loader_done(struct loader *L)
{
	for (size_t i = 0; i < L->nents; i++)
		entry_free(&L->ents[i]);
	free(L->ents);
	free(L->idx);
	for (size_t i = 0; i < L->nfiles; i++) {
		free(L->files[i].path);
		free(L->files[i].buf);
	}
	free(L->files);
}

static void loader_init(struct loader *L, const struct expr_env *fields,
			struct sfb_err *err)
{
	memset(L, 0, sizeof *L);
	L->fields = fields;
	L->err = err;
}

static struct rules *finish(struct loader *L, int rc)
{
	struct rules *rs = rc ? NULL : compile_all(L);
	loader_done(L);
	return rs;
}

struct rules *rules_load(const char *const *dirs,
			 const struct expr_env *fields, struct sfb_err *err)
{
	struct loader L;
	loader_init(&L, fields, err);
	int rc = 0;
	for (size_t i = 0; dirs && dirs[i] && !rc; i++) {
		L.dir = (int)i;
		rc = read_dir(&L, dirs[i]);
	}
	return finish(&L, rc);
}

struct rules *rules_load_file(const char *path,
			      const struct expr_env *fields,
			      struct sfb_err *err)
{
	struct loader L;
	loader_init(&L, fields, err);
	return finish(&L, read_file(&L, path));
}

struct rules *rules_load_mem(const char *name, const char *data, size_t n,
			     const struct expr_env *fields,
			     struct sfb_err *err)
{
	struct loader L;
	loader_init(&L, fields, err);
	int rc;
	if (n > RULES_MAX_FILE) {
		size_t f = add_file(&L, name, sfb_xmalloc(1), 0);
		rc = fail_pos(&L, f, SFB_E_LIMIT, 1, 1, "file larger than %u "
			      "bytes", RULES_MAX_FILE);
	} else {
		char *buf = sfb_xmalloc(n ? n : 1);
		if (n)
			memcpy(buf, data, n);
		rc = parse_file(&L, add_file(&L, name, buf, n));
	}
	return finish(&L, rc);
}

size_t rules_count(const struct rules *rs)
{
	return rs ? rs->n : 0;
}

const struct rules_rule *rules_get(const struct rules *rs, size_t i)
{
	return rs && i < rs->n ? &rs->v[i] : NULL;
}

const struct rules_rule *rules_find(const struct rules *rs, const char *id)
{
	for (size_t i = 0; rs && id && i < rs->n; i++)
		if (!strcmp(rs->v[i].id, id))
			return &rs->v[i];
	return NULL;
}

/* ---- the rule index ---------------------------------------------------- */

#define MAX_CLASSES 4096        /* classes kept; past them, one per scope */

struct rules_class {
	enum expr_scope scope;  /* 0: a free slot */
	uint64_t cls, sub;
	struct rules_cands c;   /* its arrays owned */
};

struct rules_index {
	const struct rules *rs;
	struct rules_class *tab; /* open addressing, cap a power of 2 */
	size_t cap, used;
	struct rules_class any[EXPR_SCOPE_JOIN + 1]; /* past MAX_CLASSES */
};

struct rules_index *rules_index_new(const struct rules *rs)
{
	struct rules_index *ix = sfb_xcalloc(1, sizeof *ix);
	ix->rs = rs;
	ix->cap = 64;
	ix->tab = sfb_xcalloc(ix->cap, sizeof *ix->tab);
	return ix;
}

static struct rules_class *class_slot(struct rules_class *tab, size_t cap,
				      enum expr_scope scope, uint64_t cls,
				      uint64_t sub)
{
	uint64_t x = cls ^ (cls >> 17) ^ sub * 0xff51afd7ed558ccdull ^
		     (uint64_t)scope;
	size_t h = (size_t)(x * 0x9e3779b97f4a7c15ull >> 20);
	for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!tab[i].scope || (tab[i].scope == scope &&
				      tab[i].cls == cls && tab[i].sub == sub))
			return &tab[i];
}

/* Nothing known: the class of every item (past MAX_CLASSES). */
static int know_nothing(void *ud, int id, struct sv key,
			struct expr_value *out)
{
	(void)ud, (void)id, (void)key, (void)out;
	return EXPR_UNKNOWN;
}

/* Fill c: the rules and aggregates that matter to items of a class. */
static void class_fill(const struct rules *rs, enum expr_scope scope,
		       struct rules_cands *c, expr_known_fn known, void *ud)
{
	size_t nagg = 0, slot = 0;
	for (size_t i = 0; i < rs->n; i++)
		nagg += expr_nagg(rs->v[i].cond);
	size_t *idx = sfb_xcalloc(rs->n ? rs->n : 1, sizeof *idx);
	signed char **memo = sfb_xcalloc(rs->n ? rs->n : 1, sizeof *memo);
	int *start = sfb_xcalloc(rs->n ? rs->n : 1, sizeof *start);
	struct rules_agg_use *au = sfb_xcalloc(nagg ? nagg : 1, sizeof *au);
	c->nrules = c->naggs = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rules_rule *r = &rs->v[i];
		size_t first = slot;
		slot += expr_nagg(r->cond);
		if (!r->enabled)
			continue;
		if (r->scope == scope) {
			signed char *m = sfb_xmalloc(expr_nodes(r->cond) + 1);
			if (expr_truth_memo(r->cond, known, ud, m) != 0) {
				start[c->nrules] = expr_memo_start(r->cond, m);
				memo[c->nrules] = m;
				idx[c->nrules++] = i;
			} else {
				free(m);
			}
		}
		/* its aggregates that count items of this scope */
		for (size_t k = 0; k < expr_nagg(r->cond); k++) {
			enum expr_scope as;
			const struct expr *f, *p;
			expr_agg(r->cond, k, &as, &f, &p);
			int ft = f ? expr_truth(f, known, ud) : 1;
			if (as != scope || ft == 0)
				continue;
			struct rules_agg_use *u = &au[c->naggs++];
			u->slot = first + k;
			u->filter = ft == 1 ? NULL : f;
			int pt = expr_truth(p, known, ud);
			u->pred = pt == EXPR_UNKNOWN ? p : NULL;
			u->pred_val = pt == 1;
		}
	}
	c->rules = idx;
	c->memo = (const signed char *const *)memo;
	c->start = start;
	c->aggs = au;
}

const struct rules_cands *rules_index_get(struct rules_index *ix,
					  enum expr_scope scope, uint64_t cls,
					  uint64_t sub, expr_known_fn known,
					  void *ud)
{
	struct rules_class *c = class_slot(ix->tab, ix->cap, scope, cls, sub);
	if (c->scope)
		return &c->c;
	if (ix->used >= MAX_CLASSES) {
		/* a log of many classes: no more memory, every rule tried */
		c = &ix->any[(unsigned)scope <= EXPR_SCOPE_JOIN ? scope : 0];
		if (!c->scope) {
			c->scope = scope;
			class_fill(ix->rs, scope, &c->c, know_nothing, NULL);
		}
		return &c->c;
	}
	if (2 * (ix->used + 1) > ix->cap) {
		size_t cap = 2 * ix->cap;
		struct rules_class *t = sfb_xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->tab[i].scope)
				*class_slot(t, cap, ix->tab[i].scope,
					    ix->tab[i].cls, ix->tab[i].sub) =
					ix->tab[i];
		free(ix->tab);
		ix->tab = t;
		ix->cap = cap;
		c = class_slot(t, cap, scope, cls, sub);
	}
	c->scope = scope;
	c->cls = cls;
	c->sub = sub;
	class_fill(ix->rs, scope, &c->c, known, ud);
	ix->used++;
	return &c->c;
}

static void class_free(struct rules_class *c)
{
	for (size_t i = 0; c->c.memo && i < c->c.nrules; i++)
		free((void *)c->c.memo[i]);
	free((void *)c->c.memo);
	free((void *)c->c.start);
	free((void *)c->c.rules);
	free((void *)c->c.aggs);
}

void rules_index_free(struct rules_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->cap; i++)
		class_free(&ix->tab[i]);
	for (size_t i = 0; i <= EXPR_SCOPE_JOIN; i++)
		class_free(&ix->any[i]);
	free(ix->tab);
	free(ix);
}

const char *rules_step_name(enum sfb_step s)
{
	return (unsigned)s < SFB_STEP__COUNT ? step_words[s] : "general";
}
