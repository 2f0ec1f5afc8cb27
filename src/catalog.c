/* SPDX-License-Identifier: MIT */
/*
 * catalog.c -- the code catalog behind catalog.h: reads the catalog
 * files (rules/catalog/ *.yaml, grammar in rules/catalog/README) with
 * libyaml's document API, so that every node carries its line and
 * column for error messages; checks each entry (required keys, known
 * kind and step, a code that fits its kind, sources that exist); and
 * answers lookups of what an engineer types, decoding HRESULTs in C.
 * It sits beside the rules stage of the pipeline: the rule engine and
 * `sfblog explain` ask, it never sees a log.
 *
 * A file is hostile input like a log: it is read whole up to
 * SFB_CATALOG_MAX_FILE bytes, texts are capped at CATALOG_MAX_TEXT
 * bytes and lists at CATALOG_MAX_LIST items, the catalog at
 * SFB_CATALOG_MAX_ENTRIES entries; the walk over the YAML tree has a
 * fixed depth (file -> list -> entry -> list -> scalar), so anchors and
 * aliases cannot make it loop or blow up.
 *
 * Ownership: the catalog owns every entry, source, string and file
 * name; entries and sources are allocated one by one so that the
 * pointers handed out stay valid while the arrays grow.  Nothing is
 * mutable after catalog_load returns.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "catalog.h"
#include "sv.h"

#define MAX_FILES 256           /* *.yaml files in one directory */
#define MAX_ALIAS_BYTES 200     /* one alias or source key */
#define DEFAULT_WIDTH 78

struct src {
	struct catalog_source pub;
	char *key, *title, *location;   /* owned; pub points here */
	size_t layer;
	const char *file;       /* borrowed: catalog.files */
	unsigned long line;
};

/* A source key cited by an entry, with where it was written. */
struct ref {
	char *key;              /* owned */
	unsigned long line;
	unsigned col;
};

struct ent {
	struct catalog_entry pub;
	char *code, *name, *header, *meaning, *check; /* owned */
	char **aliases;         /* owned, pub.naliases */
	struct ref *refs;       /* owned, pub.nsources */
	const struct catalog_source **srcs; /* owned array, borrowed items */
	size_t layer;
};

struct catalog {
	struct ent **ents;      /* owned */
	size_t n, cap;
	struct src **srcs;      /* owned */
	size_t nsrc, capsrc;
	char **files;           /* owned copies of the file names read */
	size_t nfiles, capfiles;
};

static const char *const kind_names[CATALOG_K__COUNT] = {
#define CATALOG_X(name, str) [CATALOG_K_##name] = str,
	CATALOG_KIND_MAP(CATALOG_X)
#undef CATALOG_X
};

static const char *const step_names[CATALOG_S__COUNT] = {
#define CATALOG_X(name, str) [CATALOG_S_##name] = str,
	CATALOG_STEP_MAP(CATALOG_X)
#undef CATALOG_X
};

const char *catalog_kind_name(enum catalog_kind k)
{
	return (unsigned)k < CATALOG_K__COUNT ? kind_names[k] : "?";
}

const char *catalog_step_name(enum catalog_step s)
{
	return (unsigned)s < CATALOG_S__COUNT ? step_names[s] : "?";
}

enum sfb_step catalog_sfb_step(enum catalog_step s)
{
	switch (s) {
	case CATALOG_S_DISCOVERY:
		return SFB_STEP_DISCOVERY;
	case CATALOG_S_CONNECTIVITY:
		return SFB_STEP_CONNECTIVITY;
	case CATALOG_S_AUTH:
		return SFB_STEP_AUTH;
	case CATALOG_S_REDIRECT:
		return SFB_STEP_REDIRECT;
	case CATALOG_S_SETTINGS:
		return SFB_STEP_SETTINGS;
	default:
		return SFB_STEP_NONE;
	}
}

int catalog_kind_parse(const char *s)
{
	for (int k = 0; k < CATALOG_K__COUNT; k++)
		if (s && strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

int catalog_step_parse(const char *s)
{
	for (int k = 0; k < CATALOG_S__COUNT; k++)
		if (s && strcmp(s, step_names[k]) == 0)
			return k;
	return -1;
}

size_t catalog_count(const struct catalog *cat)
{
	return cat ? cat->n : 0;
}

const struct catalog_entry *catalog_get(const struct catalog *cat,
					size_t i)
{
	return cat && i < cat->n ? &cat->ents[i]->pub : NULL;
}

size_t catalog_source_count(const struct catalog *cat)
{
	return cat ? cat->nsrc : 0;
}

const struct catalog_source *catalog_source_get(const struct catalog *cat,
						size_t i)
{
	return cat && i < cat->nsrc ? &cat->srcs[i]->pub : NULL;
}

static struct src *src_find(const struct catalog *cat, const char *key)
{
	for (size_t i = 0; i < cat->nsrc; i++)
		if (strcmp(cat->srcs[i]->key, key) == 0)
			return cat->srcs[i];
	return NULL;
}

const struct catalog_source *catalog_source_find(const struct catalog *cat,
						 const char *key)
{
	struct src *s = cat && key ? src_find(cat, key) : NULL;
	return s ? &s->pub : NULL;
}

static void ent_free(struct ent *e)
{
	if (!e)
		return;
	free(e->code);
	free(e->name);
	free(e->header);
	free(e->meaning);
	free(e->check);
	for (size_t i = 0; i < e->pub.naliases; i++)
		free(e->aliases[i]);
	free(e->aliases);
	for (size_t i = 0; i < e->pub.nsources; i++)
		free(e->refs[i].key);
	free(e->refs);
	free(e->srcs);
	free(e);
}

static void src_free(struct src *s)
{
	if (!s)
		return;
	free(s->key);
	free(s->title);
	free(s->location);
	free(s);
}

void catalog_free(struct catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++)
		ent_free(cat->ents[i]);
	free(cat->ents);
	for (size_t i = 0; i < cat->nsrc; i++)
		src_free(cat->srcs[i]);
	free(cat->srcs);
	for (size_t i = 0; i < cat->nfiles; i++)
		free(cat->files[i]);
	free(cat->files);
	free(cat);
}

/* ------------------------------------------------------------------ */
/* codes                                                               */

static int is_hex(char c)
{
	return sv_hex_digit(c) >= 0;
}

/* @return 1 when s is 1..max decimal digits; value in *v. */
static int parse_dec(const char *s, size_t max, uint32_t *v)
{
	size_t n = strlen(s);
	uint64_t x = 0;
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!sv_is_digit(s[i]))
			return 0;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return 0;
	*v = (uint32_t)x;
	return 1;
}

/* @return 1 when s is exactly n hex digits; value in *v. */
static int parse_hexn(const char *s, size_t n, uint32_t *v)
{
	uint32_t x = 0;
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_hex(s[i]))
			return 0;
		x = x << 4 | (uint32_t)sv_hex_digit(s[i]);
	}
	*v = x;
	return 1;
}

static int has_0x(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/*
 * Check that code fits kind and fill the entry's numeric fields.
 * @return NULL, or what was expected
 */
static const char *code_check(enum catalog_kind kind, const char *code,
			      struct catalog_entry *e)
{
	uint32_t a, b;
	const char *dash;
	size_t n = strlen(code);

	e->numeric = 0;
	switch (kind) {
	case CATALOG_K_MSDIAG:
	case CATALOG_K_XMSDIAG:
		if (!parse_dec(code, 9, &a))
			return "a decimal id such as 1010";
		e->lo = e->hi = a;
		break;
	case CATALOG_K_MSDIAG_RANGE:
		dash = strchr(code, '-');
		if (!dash || dash - code > 9)
			return "a range of ids such as 1000-1999";
		{
			char lo[10];
			memcpy(lo, code, (size_t)(dash - code));
			lo[dash - code] = '\0';
			if (!parse_dec(lo, 9, &a) ||
			    !parse_dec(dash + 1, 9, &b) || a > b)
				return "a range of ids such as 1000-1999";
		}
		e->lo = a;
		e->hi = b;
		break;
	case CATALOG_K_SIP_STATUS:
		if (!parse_dec(code, 3, &a) || a < 100 || a > 699)
			return "a SIP status code such as 504";
		e->lo = e->hi = a;
		break;
	case CATALOG_K_HRESULT:
		if (n != 10 || !has_0x(code))
			return "0x and 8 hex digits, or a family such as "
			       "0x80EExxxx";
		if (parse_hexn(code + 2, 8, &a)) {
			e->lo = e->hi = a;
		} else if (strcmp(code + 6, "xxxx") == 0) {
			char hi4[5];
			memcpy(hi4, code + 2, 4);
			hi4[4] = '\0';
			if (!parse_hexn(hi4, 4, &a))
				return "0x and 8 hex digits, or a family "
				       "such as 0x80EExxxx";
			e->lo = a << 16;
			e->hi = e->lo | 0xffffu;
		} else {
			return "0x and 8 hex digits, or a family such as "
			       "0x80EExxxx";
		}
		break;
	case CATALOG_K_SSPI:
	case CATALOG_K_CERT:
	case CATALOG_K_CLS:
		if (n == 0 || !(code[0] >= 'A' && code[0] <= 'Z'))
			return "a symbolic name such as SEC_E_WRONG_PRINCIPAL";
		for (size_t i = 0; i < n; i++)
			if (!((code[i] >= 'A' && code[i] <= 'Z') ||
			      sv_is_digit(code[i]) || code[i] == '_'))
				return "a symbolic name such as "
				       "SEC_E_WRONG_PRINCIPAL";
		return NULL;
	case CATALOG_K_AD_SUBCODE:
		if (n < 2 || n > 4 || !parse_hexn(code, n, &a))
			return "2 to 4 hex digits such as 52e";
		e->lo = e->hi = a;
		break;
	case CATALOG_K_SIGNATURE:
	case CATALOG_K_NOTE:
	default:
		if (n == 0 || n > 64)
			return "a name of a-z, 0-9, '.' and '-'";
		for (size_t i = 0; i < n; i++)
			if (!((code[i] >= 'a' && code[i] <= 'z') ||
			      sv_is_digit(code[i]) || code[i] == '-' ||
			      (code[i] == '.' && i > 0)))
				return "a name of a-z, 0-9, '.' and '-'";
		return NULL;
	}
	e->numeric = 1;
	return NULL;
}

/*
 * Two codes are the same when their canonical forms are: ASCII case
 * ignored and a leading 0x dropped ("0x80EF0191" = "80ef0191").
 */
static int code_eq(const char *a, const char *b)
{
	if (has_0x(a))
		a += 2;
	if (has_0x(b))
		b += 2;
	return sv_ieq(sv_cstr(a), sv_cstr(b));
}

/* ------------------------------------------------------------------ */
/* loading                                                             */

static int kind_of(const char *s);

struct loader {
	struct catalog *cat;
	const char *path;       /* borrowed: cat->files */
	size_t layer;
	yaml_document_t *doc;
	struct sfb_err *err;
};

/* Fill err with "FILE:LINE:COL: error: ..." and return -1. */
static int SFB_PRINTF(5, 6) fail_at(struct sfb_err *err, const char *path,
				    unsigned long line, unsigned long col,
				    const char *fmt, ...)
{
	if (!err)
		return -1;
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	sfb_err_set(err, SFB_E_RULE, 0, "%s:%lu:%lu: error: %s", path, line,
		    col, what);
	err->line = line;
	err->col = col > UINT_MAX ? UINT_MAX : (unsigned)col;
	return -1;
}

static unsigned long node_line(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

static unsigned long node_col(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.column + 1;
}

#define FAIL(L, node, ...)                                              \
	fail_at((L)->err, (L)->path, node_line(node), node_col(node),   \
		__VA_ARGS__)

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a text";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/*
 * The text of a scalar node, with runs of white space folded to one
 * space and the ends trimmed, into an owned string.
 * @return 0, or -1 with err filled
 */
static int take_text(struct loader *L, const yaml_node_t *n,
		     const char *what, size_t max, char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return FAIL(L, n, "%s must be a text, not %s", what,
			    node_type_name(n));
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	if (len > max)
		return FAIL(L, n, "%s longer than %zu bytes", what, max);
	if (memchr(s, '\0', len))
		return FAIL(L, n, "%s contains a NUL character", what);
	char *o = sfb_xmalloc(len + 1);
	size_t k = 0;
	int space = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = k > 0;
			continue;
		}
		if (space)
			o[k++] = ' ';
		space = 0;
		o[k++] = c;
	}
	o[k] = '\0';
	if (k == 0) {
		free(o);
		return FAIL(L, n, "%s is empty", what);
	}
	*out = o;
	return 0;
}

/* A short scalar (kind, step, key) compared in place. */
static int scalar_is(const yaml_node_t *n, const char *s)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/*
 * The items of a list of texts (aliases, sources).
 * @return the number of items, or -1 with err filled
 */
static long seq_items(struct loader *L, const yaml_node_t *n,
		      const char *what, yaml_node_t **items, size_t max)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return FAIL(L, n, "%s must be a list, not %s", what,
			    node_type_name(n));
	yaml_node_item_t *it = n->data.sequence.items.start;
	yaml_node_item_t *end = n->data.sequence.items.top;
	size_t k = 0;
	for (; it < end; it++) {
		yaml_node_t *c = yaml_document_get_node(L->doc, *it);
		if (!c)
			return FAIL(L, n, "%s: broken list", what);
		if (k == max)
			return FAIL(L, c, "more than %zu %s", max, what);
		items[k++] = c;
	}
	return (long)k;
}

enum ekey { K_CODE, K_KIND, K_NAME, K_HEADER, K_ALIASES, K_MEANING,
	    K_STEP, K_CHECK, K_SOURCES, K_INFERENCE, K__COUNT };

static const char *const ekey_names[K__COUNT] = {
	"code", "kind", "name", "header", "aliases", "meaning", "step",
	"check", "sources", "inference"
};

static const int ekey_required[K__COUNT] = {
	[K_CODE] = 1, [K_KIND] = 1, [K_NAME] = 1, [K_MEANING] = 1,
	[K_STEP] = 1, [K_CHECK] = 1, [K_SOURCES] = 1
};

/*
 * The values of a mapping by key name, each key at most once and
 * known.  vals[i] is NULL for an absent key.
 * @return 0, or -1 with err filled
 */
static int map_keys(struct loader *L, const yaml_node_t *map,
		    const char *what, const char *const *names, size_t nk,
		    const char *known, yaml_node_t **vals,
		    yaml_node_t **keys)
{
	if (map->type != YAML_MAPPING_NODE)
		return FAIL(L, map, "%s must be a mapping of keys, not %s",
			    what, node_type_name(map));
	for (size_t i = 0; i < nk; i++)
		vals[i] = keys[i] = NULL;
	yaml_node_pair_t *p = map->data.mapping.pairs.start;
	for (; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v)
			return FAIL(L, map, "broken mapping");
		size_t i = 0;
		while (i < nk && !scalar_is(k, names[i]))
			i++;
		if (i == nk) {
			if (k->type != YAML_SCALAR_NODE)
				return FAIL(L, k, "a key of %s must be a "
					    "text", what);
			return FAIL(L, k, "unknown key '%.40s' in %s (%s)",
				    (const char *)k->data.scalar.value, what,
				    known);
		}
		if (vals[i])
			return FAIL(L, k, "duplicate key '%s' (first at "
				    "line %lu)", names[i], node_line(keys[i]));
		vals[i] = v;
		keys[i] = k;
	}
	return 0;
}

static struct ent *ent_lookup(const struct catalog *cat,
			      enum catalog_kind kind, const char *code,
			      size_t *idx)
{
	for (size_t i = 0; i < cat->n; i++) {
		struct ent *e = cat->ents[i];
		if (e->pub.kind == kind && code_eq(e->code, code)) {
			if (idx)
				*idx = i;
			return e;
		}
	}
	return NULL;
}

/* Store e, replacing an entry of an earlier layer. @return 0 or -1 */
static int ent_store(struct loader *L, struct ent *e, const yaml_node_t *n)
{
	struct catalog *cat = L->cat;
	size_t i;
	struct ent *old = ent_lookup(cat, e->pub.kind, e->code, &i);
	if (old && old->layer == L->layer) {
		fail_at(L->err, L->path, node_line(n), node_col(n),
			"duplicate entry %s %s (first defined at %s:%lu)",
			kind_names[e->pub.kind], e->code, old->pub.file,
			old->pub.line);
		return -1;
	}
	if (old) {
		ent_free(old);
		cat->ents[i] = e;
		return 0;
	}
	if (cat->n == SFB_CATALOG_MAX_ENTRIES) {
		fail_at(L->err, L->path, node_line(n), node_col(n),
			"more than %d entries in the catalog",
			SFB_CATALOG_MAX_ENTRIES);
		if (L->err)
			L->err->code = SFB_E_LIMIT;
		return -1;
	}
	if (cat->n == cat->cap) {
		cat->cap = cat->cap ? cat->cap * 2 : 64;
		cat->ents = sfb_xrealloc(cat->ents,
					 cat->cap * sizeof *cat->ents);
	}
	cat->ents[cat->n++] = e;
	return 0;
}

static const char known_keys[] =
	"code, kind, name, header, aliases, meaning, step, check, sources, "
	"inference";

/* Read one entry mapping. @return 0 or -1 */
static int load_entry(struct loader *L, const yaml_node_t *map)
{
	yaml_node_t *v[K__COUNT], *k[K__COUNT];
	if (map_keys(L, map, "an entry", ekey_names, K__COUNT, known_keys,
		     v, k))
		return -1;
	for (size_t i = 0; i < K__COUNT; i++)
		if (ekey_required[i] && !v[i])
			return FAIL(L, map, "entry lacks '%s'",
				    ekey_names[i]);

	struct ent *e = sfb_xcalloc(1, sizeof *e);
	e->layer = L->layer;
	e->pub.file = L->path;
	e->pub.line = node_line(map);
	int kind = -1, step = -1;
	int public = 0;
	if (v[K_KIND]->type == YAML_SCALAR_NODE) {
		kind = kind_of((const char *)v[K_KIND]->data.scalar.value);
		public = scalar_is(v[K_KIND], "ms-diagnostics-public");
	}
	if (kind < 0) {
		FAIL(L, v[K_KIND], "unknown kind (ms-diagnostics, "
		     "ms-diagnostics-public, ms-diagnostics-range, "
		     "x-ms-diagnostics, sip-status, hresult, sspi, cert, "
		     "cls, ad-subcode, signature or note)");
		goto fail;
	}
	e->pub.kind = (enum catalog_kind)kind;
	if (v[K_STEP]->type == YAML_SCALAR_NODE)
		step = catalog_step_parse(
			(const char *)v[K_STEP]->data.scalar.value);
	if (step < 0) {
		FAIL(L, v[K_STEP], "unknown step (discovery, connectivity, "
		     "authentication, redirection, settings, "
		     "server-to-server, after-sign-in or any)");
		goto fail;
	}
	e->pub.step = (enum catalog_step)step;
	if (take_text(L, v[K_CODE], "code", 64, &e->code) ||
	    take_text(L, v[K_NAME], "name", CATALOG_MAX_TEXT, &e->name) ||
	    take_text(L, v[K_MEANING], "meaning", CATALOG_MAX_TEXT,
		      &e->meaning) ||
	    take_text(L, v[K_CHECK], "check", CATALOG_MAX_TEXT, &e->check))
		goto fail;
	const char *why = code_check(e->pub.kind, e->code, &e->pub);
	if (why) {
		FAIL(L, v[K_CODE], "bad %s code '%s': expected %s",
		     kind_names[kind], e->code, why);
		goto fail;
	}
	if (v[K_HEADER]) {
		if (e->pub.kind != CATALOG_K_MSDIAG) {
			FAIL(L, k[K_HEADER], "'header' is only for "
			     "ms-diagnostics entries");
			goto fail;
		}
		if (!scalar_is(v[K_HEADER], "ms-diagnostics") &&
		    !scalar_is(v[K_HEADER], "ms-diagnostics-public")) {
			FAIL(L, v[K_HEADER], "header must be ms-diagnostics "
			     "or ms-diagnostics-public");
			goto fail;
		}
		if (take_text(L, v[K_HEADER], "header", 64, &e->header))
			goto fail;
	} else if (public) {
		e->header = sfb_xstrndup("ms-diagnostics-public", 21);
	} else {
		e->header = sfb_xstrndup("", 0);
	}
	if (v[K_INFERENCE]) {
		if (scalar_is(v[K_INFERENCE], "true")) {
			e->pub.inference = 1;
		} else if (!scalar_is(v[K_INFERENCE], "false")) {
			FAIL(L, v[K_INFERENCE], "inference must be true or "
			     "false");
			goto fail;
		}
	}

	yaml_node_t *items[CATALOG_MAX_LIST];
	long n = 0;
	if (v[K_ALIASES]) {
		n = seq_items(L, v[K_ALIASES], "aliases", items,
			      CATALOG_MAX_LIST);
		if (n < 0)
			goto fail;
		e->aliases = sfb_xcalloc((size_t)n + 1, sizeof *e->aliases);
		for (long i = 0; i < n; i++) {
			if (take_text(L, items[i], "an alias",
				      MAX_ALIAS_BYTES, &e->aliases[i]))
				goto fail;
			e->pub.naliases++;
		}
	}
	n = seq_items(L, v[K_SOURCES], "sources", items, CATALOG_MAX_LIST);
	if (n < 0)
		goto fail;
	if (n == 0) {
		FAIL(L, v[K_SOURCES], "an entry needs at least one source");
		goto fail;
	}
	e->refs = sfb_xcalloc((size_t)n, sizeof *e->refs);
	e->srcs = sfb_xcalloc((size_t)n, sizeof *e->srcs);
	for (long i = 0; i < n; i++) {
		if (take_text(L, items[i], "a source key", MAX_ALIAS_BYTES,
			      &e->refs[i].key))
			goto fail;
		e->refs[i].line = node_line(items[i]);
		e->refs[i].col = (unsigned)node_col(items[i]);
		e->pub.nsources++;
	}
	e->pub.code = e->code;
	e->pub.name = e->name;
	e->pub.header = e->header;
	e->pub.meaning = e->meaning;
	e->pub.check = e->check;
	e->pub.aliases = (const char *const *)e->aliases;
	if (ent_store(L, e, v[K_CODE]))
		goto fail;
	return 0;
fail:
	ent_free(e);
	return -1;
}

static const char *const skey_names[] = { "key", "title", "location" };

/* Read one source mapping. @return 0 or -1 */
static int load_source(struct loader *L, const yaml_node_t *map)
{
	yaml_node_t *v[3], *k[3];
	if (map_keys(L, map, "a source", skey_names, 3,
		     "key, title, location", v, k))
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (!v[i])
			return FAIL(L, map, "source lacks '%s'",
				    skey_names[i]);
	struct src *s = sfb_xcalloc(1, sizeof *s);
	s->layer = L->layer;
	s->file = L->path;
	s->line = node_line(map);
	if (take_text(L, v[0], "key", MAX_ALIAS_BYTES, &s->key) ||
	    take_text(L, v[1], "title", CATALOG_MAX_TEXT, &s->title) ||
	    take_text(L, v[2], "location", CATALOG_MAX_TEXT, &s->location))
		goto fail;
	for (const char *p = s->key; *p; p++)
		if (*p == ' ' || *p == ',') {
			FAIL(L, v[0], "a source key has no spaces or commas");
			goto fail;
		}
	s->pub.key = s->key;
	s->pub.title = s->title;
	s->pub.location = s->location;
	struct catalog *cat = L->cat;
	for (size_t i = 0; i < cat->nsrc; i++) {
		struct src *o = cat->srcs[i];
		if (strcmp(o->key, s->key))
			continue;
		if (o->layer == L->layer) {
			FAIL(L, v[0], "duplicate source '%s' (first defined "
			     "at %s:%lu)", s->key, o->file, o->line);
			goto fail;
		}
		src_free(o);
		cat->srcs[i] = s;
		return 0;
	}
	if (cat->nsrc == SFB_CATALOG_MAX_ENTRIES) {
		FAIL(L, map, "more than %d sources", SFB_CATALOG_MAX_ENTRIES);
		goto fail;
	}
	if (cat->nsrc == cat->capsrc) {
		cat->capsrc = cat->capsrc ? cat->capsrc * 2 : 64;
		cat->srcs = sfb_xrealloc(cat->srcs,
					 cat->capsrc * sizeof *cat->srcs);
	}
	cat->srcs[cat->nsrc++] = s;
	return 0;
fail:
	src_free(s);
	return -1;
}

static const char *const top_names[] = { "entries", "sources" };

/* The document's root: a mapping with entries: and/or sources:. */
static int load_root(struct loader *L, const yaml_node_t *root)
{
	yaml_node_t *v[2], *k[2];
	if (map_keys(L, root, "a catalog file", top_names, 2,
		     "entries, sources", v, k))
		return -1;
	for (size_t t = 0; t < 2; t++) {
		if (!v[t])
			continue;
		if (v[t]->type != YAML_SEQUENCE_NODE)
			return FAIL(L, v[t], "%s must be a list, not %s",
				    top_names[t], node_type_name(v[t]));
		yaml_node_item_t *it = v[t]->data.sequence.items.start;
		for (; it < v[t]->data.sequence.items.top; it++) {
			yaml_node_t *c = yaml_document_get_node(L->doc, *it);
			if (!c)
				return FAIL(L, v[t], "broken list");
			if (t == 0 ? load_entry(L, c) : load_source(L, c))
				return -1;
		}
	}
	return 0;
}

/* Read a whole file into an owned buffer. @return 0 or -1 */
static int read_file(const char *path, char **out, size_t *len,
		     struct sfb_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sfb_err_set(err, SFB_E_IO, errno, "cannot open '%s': "
				   "%s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *buf = sfb_xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > SFB_CATALOG_MAX_FILE)
				break;
			cap *= 2;
			buf = sfb_xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		free(buf);
		return sfb_err_set(err, SFB_E_IO, e, "cannot read '%s': %s",
				   path, strerror(e));
	}
	if (n > SFB_CATALOG_MAX_FILE) {
		free(buf);
		return sfb_err_set(err, SFB_E_LIMIT, 0, "%s: error: file "
				   "larger than %d bytes", path,
				   SFB_CATALOG_MAX_FILE);
	}
	*out = buf;
	*len = n;
	return 0;
}

static int yaml_fail(struct loader *L, const yaml_parser_t *p)
{
	const yaml_mark_t *m = &p->problem_mark;
	return fail_at(L->err, L->path, (unsigned long)m->line + 1,
		       (unsigned long)m->column + 1, "yaml: %s%s%s",
		       p->problem ? p->problem : "cannot parse",
		       p->context ? " " : "", p->context ? p->context : "");
}

static const char *keep_name(struct catalog *cat, const char *path)
{
	if (cat->nfiles == cat->capfiles) {
		cat->capfiles = cat->capfiles ? cat->capfiles * 2 : 16;
		cat->files = sfb_xrealloc(cat->files,
					  cat->capfiles * sizeof *cat->files);
	}
	char *s = sfb_xstrndup(path, strlen(path));
	cat->files[cat->nfiles++] = s;
	return s;
}

/* Parse one YAML text named path into the catalog, as part of layer. */
static int load_text(struct catalog *cat, const char *path,
		     const char *buf, size_t len, size_t layer,
		     struct sfb_err *err)
{
	if (len > SFB_CATALOG_MAX_FILE)
		return sfb_err_set(err, SFB_E_LIMIT, 0, "%s: error: file "
				   "larger than %d bytes", path,
				   SFB_CATALOG_MAX_FILE);
	struct loader L = { cat, keep_name(cat, path), layer, NULL, err };
	yaml_parser_t p;
	yaml_document_t doc, next;
	int rc = -1;
	if (!yaml_parser_initialize(&p))
		sfb_oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &doc)) {
		yaml_fail(&L, &p);
		goto out_parser;
	}
	L.doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && load_root(&L, root))
		goto out_doc;
	if (!yaml_parser_load(&p, &next)) {
		yaml_fail(&L, &p);
		goto out_doc;
	}
	yaml_node_t *r2 = yaml_document_get_root_node(&next);
	if (r2) {
		FAIL(&L, r2, "a catalog file holds one YAML document");
		yaml_document_delete(&next);
		goto out_doc;
	}
	yaml_document_delete(&next);
	rc = 0;
out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&p);
	return rc;
}

/* Load one YAML file into the catalog, as part of layer. */
static int load_file(struct catalog *cat, const char *path, size_t layer,
		     struct sfb_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	if (read_file(path, &buf, &len, err))
		return -1;
	int rc = load_text(cat, path, buf, len, layer, err);
	free(buf);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml_name(const char *s)
{
	size_t n = strlen(s);
	return s[0] != '.' && n > 5 && strcmp(s + n - 5, ".yaml") == 0;
}

/* Load every *.yaml of dir, by name, as one layer. */
static int load_dir(struct catalog *cat, const char *dir, size_t layer,
		    struct sfb_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return sfb_err_set(err, SFB_E_IO, errno, "cannot open '%s': "
				   "%s", dir, strerror(errno));
	char *names[MAX_FILES];
	size_t n = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_yaml_name(de->d_name))
			continue;
		if (n == MAX_FILES) {
			rc = sfb_err_set(err, SFB_E_LIMIT, 0, "%s: error: "
					 "more than %d catalog files", dir,
					 MAX_FILES);
			break;
		}
		names[n++] = sfb_xstrndup(de->d_name, strlen(de->d_name));
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[PATH_MAX];
		int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (w < 0 || (size_t)w >= sizeof path)
			rc = sfb_err_set(err, SFB_E_IO, ENAMETOOLONG,
					 "path too long: '%s/%s'", dir,
					 names[i]);
		else
			rc = load_file(cat, path, layer, err);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* Every source key an entry cites must be defined. */
static int resolve_sources(struct catalog *cat, struct sfb_err *err)
{
	for (size_t i = 0; i < cat->n; i++) {
		struct ent *e = cat->ents[i];
		for (size_t j = 0; j < e->pub.nsources; j++) {
			struct src *s = src_find(cat, e->refs[j].key);
			if (!s)
				return fail_at(err, e->pub.file,
					       e->refs[j].line,
					       e->refs[j].col,
					       "unknown source '%s' (define "
					       "it in a sources: list)",
					       e->refs[j].key);
			e->srcs[j] = &s->pub;
		}
		e->pub.sources = e->srcs;
	}
	return 0;
}

struct catalog *catalog_load(const char *const *paths, struct sfb_err *err)
{
	struct catalog *cat = sfb_xcalloc(1, sizeof *cat);
	for (size_t i = 0; paths && paths[i]; i++) {
		struct stat st;
		int rc;
		if (stat(paths[i], &st) != 0)
			rc = sfb_err_set(err, SFB_E_IO, errno, "cannot open "
					 "'%s': %s", paths[i],
					 strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = load_dir(cat, paths[i], i, err);
		else
			rc = load_file(cat, paths[i], i, err);
		if (rc)
			goto fail;
	}
	if (resolve_sources(cat, err))
		goto fail;
	return cat;
fail:
	catalog_free(cat);
	return NULL;
}

struct catalog *catalog_load_mem(const struct catalog_text *texts,
				 size_t n, struct sfb_err *err)
{
	struct catalog *cat = sfb_xcalloc(1, sizeof *cat);
	for (size_t i = 0; i < n; i++)
		if (load_text(cat, texts[i].name, texts[i].data, texts[i].len,
			      i, err))
			goto fail;
	if (resolve_sources(cat, err))
		goto fail;
	return cat;
fail:
	catalog_free(cat);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* lookup                                                              */

/* kind given as text: ms-diagnostics-public is ms-diagnostics. */
static int kind_of(const char *s)
{
	if (s && strcmp(s, "ms-diagnostics-public") == 0)
		return CATALOG_K_MSDIAG;
	return catalog_kind_parse(s);
}

const struct catalog_entry *catalog_find(const struct catalog *cat,
					 const char *kind, const char *code)
{
	int k = kind_of(kind);
	if (!cat || k < 0 || !code)
		return NULL;
	struct ent *e = ent_lookup(cat, (enum catalog_kind)k, code, NULL);
	return e ? &e->pub : NULL;
}

/* winerror.h; 0xEE and 0xEF from rtcerr.h (source key RTCERR) */
static const struct {
	unsigned facility;
	const char *name;
	enum catalog_hr_wrap wrap;
} fac_names[] = {
	{ 0x00, "FACILITY_NULL", CATALOG_HR_OTHER },
	{ 0x04, "FACILITY_ITF", CATALOG_HR_OTHER },
	{ 0x07, "FACILITY_WIN32", CATALOG_HR_WIN32 },
	{ 0x09, "FACILITY_SECURITY", CATALOG_HR_SECURITY },
	{ 0x0b, "FACILITY_CERT", CATALOG_HR_CERT },
	{ 0xee, "FACILITY_RTC_INTERFACE", CATALOG_HR_RTC },
	{ 0xef, "FACILITY_SIP_STATUS_CODE", CATALOG_HR_SIP },
};

void catalog_hresult_decode(uint32_t hr, struct catalog_hr *out)
{
	memset(out, 0, sizeof *out);
	out->value = hr;
	out->failure = (hr >> 31) & 1;
	out->customer = (hr >> 29) & 1;
	out->facility = (hr >> 16) & 0x7ff;
	out->code = hr & 0xffff;
	/* the Windows facilities mean that only for a failure HRESULT
	 * (bits 31-30 = 10) with bit 29 (customer) clear */
	if (out->customer || (hr >> 30) != 2)
		return;
	for (size_t i = 0; i < sizeof fac_names / sizeof fac_names[0]; i++)
		if (fac_names[i].facility == out->facility) {
			out->facility_name = fac_names[i].name;
			out->wrap = fac_names[i].wrap;
		}
}

static void add_match(struct catalog_result *res,
		      const struct catalog_entry *e, enum catalog_how how)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->m[i].entry == e)
			return;
	if (res->n < CATALOG_MAX_MATCHES) {
		res->m[res->n].entry = e;
		res->m[res->n].how = how;
		res->n++;
	}
}

/* Does kind k pass the filter (-1: no filter)? */
static int kind_ok(int filter, enum catalog_kind k)
{
	if (filter < 0)
		return 1;
	if (filter == CATALOG_K_MSDIAG)
		return k == CATALOG_K_MSDIAG || k == CATALOG_K_MSDIAG_RANGE;
	return (int)k == filter;
}

/* Strip a leading kind ("ms-diagnostics 1010", "x-ms-diagnostics:
 * 28032") from *q. @return the kind or -1 */
static int take_kind(const char **q)
{
	static const char *const names[] = {
		"ms-diagnostics-public", "ms-diagnostics-range",
		"x-ms-diagnostics", "ms-diagnostics", "sip-status",
		"hresult", "sspi", "cert", "cls", "ad-subcode",
		"signature", "note", "sip"
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i]);
		const char *s = *q;
		if (!sv_istarts(sv_cstr(s), names[i]) ||
		    (s[n] != ':' && s[n] != ' ' && s[n] != '\t'))
			continue;
		s += n;
		while (*s == ':' || *s == ' ' || *s == '\t')
			s++;
		*q = s;
		if (strcmp(names[i], "sip") == 0)
			return CATALOG_K_SIP_STATUS;
		char low[32];
		for (size_t j = 0; j <= n; j++)
			low[j] = (char)sv_lower((unsigned char)names[i][j]);
		return kind_of(low);
	}
	return -1;
}

static int text_has(const char *hay, const char *needle)
{
	return sv_ifind(sv_cstr(hay), needle) >= 0;
}

size_t catalog_lookup(const struct catalog *cat, const char *query,
		      struct catalog_result *res)
{
	memset(res, 0, sizeof *res);
	if (!cat || !query)
		return 0;
	char q[256];
	struct sv t = sv_trim(sv_cstr(query));
	if (t.n == 0 || t.n >= sizeof q)
		return 0;
	memcpy(q, t.p, t.n);
	q[t.n] = '\0';
	char *code = q;
	int filter = take_kind((const char **)&code);
	if (!*code)
		return 0;
	/* a pasted header value: "1010.2;reason=..." is id 1010 */
	if (sv_is_digit(code[0])) {
		size_t d = strspn(code, "0123456789");
		if (code[d] == ';' || code[d] == ' ' ||
		    (code[d] == '.' && sv_is_digit(code[d + 1])))
			code[d] = '\0';
	}

	/* 1: the code itself or an alias, in kind order */
	for (int k = 0; k < CATALOG_K__COUNT; k++) {
		if (!kind_ok(filter, (enum catalog_kind)k))
			continue;
		for (size_t i = 0; i < cat->n; i++) {
			const struct catalog_entry *e = &cat->ents[i]->pub;
			if ((int)e->kind != k)
				continue;
			if (code_eq(e->code, code))
				add_match(res, e, CATALOG_BY_CODE);
			for (size_t a = 0; a < e->naliases; a++)
				if (code_eq(e->aliases[a], code))
					add_match(res, e, CATALOG_BY_ALIAS);
		}
	}
	int exact = res->n > 0;

	/* 2: an HRESULT, and the value it wraps */
	const char *hex = has_0x(code) ? code + 2 : code;
	uint32_t v;
	if (parse_hexn(hex, 8, &v)) {
		res->has_hr = 1;
		catalog_hresult_decode(v, &res->hr);
		/* SIP status N: the sip-status entry; Win32 error N: the
		 * entries that give N as an alias */
		char num[16];
		snprintf(num, sizeof num, "%u", res->hr.code);
		for (size_t i = 0; i < cat->n; i++) {
			const struct catalog_entry *e = &cat->ents[i]->pub;
			if (res->hr.wrap == CATALOG_HR_SIP &&
			    e->kind == CATALOG_K_SIP_STATUS &&
			    e->lo == res->hr.code)
				add_match(res, e, CATALOG_BY_DECODED);
			if (res->hr.wrap != CATALOG_HR_WIN32)
				continue;
			for (size_t a = 0; a < e->naliases; a++)
				if (strcmp(e->aliases[a], num) == 0)
					add_match(res, e,
						  CATALOG_BY_DECODED);
		}
		/* the family, when the value itself is not listed */
		int listed = 0;
		for (size_t i = 0; i < res->n; i++)
			listed |= res->m[i].how == CATALOG_BY_CODE &&
				  res->m[i].entry->kind == CATALOG_K_HRESULT;
		for (size_t i = 0; i < cat->n && !listed; i++) {
			const struct catalog_entry *e = &cat->ents[i]->pub;
			if (e->kind == CATALOG_K_HRESULT && e->lo != e->hi &&
			    e->lo <= v && v <= e->hi &&
			    kind_ok(filter, e->kind))
				add_match(res, e, CATALOG_BY_FAMILY);
		}
	}

	/* 3: an ms-diagnostics id the catalog does not list: its range */
	uint32_t id;
	if (parse_dec(code, 9, &id) &&
	    (filter < 0 || filter == CATALOG_K_MSDIAG) &&
	    !catalog_find(cat, "ms-diagnostics", code)) {
		for (size_t i = 0; i < cat->n; i++) {
			const struct catalog_entry *e = &cat->ents[i]->pub;
			if (e->kind == CATALOG_K_MSDIAG_RANGE &&
			    e->lo <= id && id <= e->hi)
				add_match(res, e, CATALOG_BY_FAMILY);
		}
	}

	/* 4: free text inside a signature */
	if (!exact && res->n == 0 && strlen(code) >= 4 &&
	    (filter < 0 || filter == CATALOG_K_SIGNATURE)) {
		for (size_t i = 0; i < cat->n; i++) {
			const struct catalog_entry *e = &cat->ents[i]->pub;
			int hit = 0;
			if (e->kind != CATALOG_K_SIGNATURE)
				continue;
			hit = text_has(e->name, code) ||
			      text_has(e->code, code);
			for (size_t a = 0; a < e->naliases && !hit; a++)
				hit = text_has(e->aliases[a], code);
			if (hit)
				add_match(res, e, CATALOG_BY_TEXT);
		}
	}
	return res->n;
}

/* ------------------------------------------------------------------ */
/* plain-text output                                                   */

/* Output to a FILE or into a bounded buffer (len counts everything). */
struct out {
	FILE *f;
	char *buf;
	size_t cap, len;
	int failed;
};

static void out_put(struct out *o, const char *p, size_t n)
{
	if (o->f) {
		if (n && fwrite(p, 1, n, o->f) != n)
			o->failed = 1;
	} else if (o->cap && o->len < o->cap - 1) {
		size_t room = o->cap - 1 - o->len;
		memcpy(o->buf + o->len, p, n < room ? n : room);
	}
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void SFB_PRINTF(2, 3) out_fmt(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_put(o, tmp, (size_t)n < sizeof tmp ? (size_t)n
			: sizeof tmp - 1);
}

static void out_spaces(struct out *o, size_t n)
{
	while (n--)
		out_put(o, " ", 1);
}

/*
 * Write label (padded to indent columns) then text, word-wrapped to
 * width; continuation lines are indented by indent.  A word longer
 * than the line stands on a line of its own.
 */
static void out_wrap(struct out *o, const char *label, size_t indent,
		     const char *text, size_t width)
{
	size_t col = strlen(label);
	out_str(o, label);
	if (col < indent) {
		out_spaces(o, indent - col);
		col = indent;
	} else if (col > 0) {
		out_put(o, " ", 1);
		col++;
	}
	int first = 1;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t w = strcspn(p, " ");
		if (!first && col + 1 + w > width) {
			out_put(o, "\n", 1);
			out_spaces(o, indent);
			col = indent;
			first = 1;
		}
		if (!first) {
			out_put(o, " ", 1);
			col++;
		}
		out_put(o, p, w);
		col += w;
		p += w;
		first = 0;
	}
	out_put(o, "\n", 1);
}

#define INDENT 11

static void format_entry(struct out *o, const struct catalog_entry *e,
			 size_t width)
{
	char title[128];
	snprintf(title, sizeof title, "%s %s:", catalog_kind_name(e->kind),
		 e->code);
	out_wrap(o, title, 2, e->name, width);
	if (e->header && e->header[0])
		out_wrap(o, "  header:", INDENT, e->header, width);
	out_wrap(o, "  step:", INDENT, catalog_step_name(e->step), width);
	out_wrap(o, "  meaning:", INDENT, e->meaning, width);
	out_wrap(o, "  check:", INDENT, e->check, width);
	if (e->inference)
		out_wrap(o, "  caution:", INDENT, "part of this entry is an "
			 "inference that its sources do not state in so "
			 "many words", width);
	if (e->naliases) {
		size_t need = 1;
		for (size_t i = 0; i < e->naliases; i++)
			need += strlen(e->aliases[i]) + 2;
		char *al = sfb_xmalloc(need);
		size_t k = 0;
		for (size_t i = 0; i < e->naliases; i++) {
			size_t n = strlen(e->aliases[i]);
			if (i) {
				memcpy(al + k, ", ", 2);
				k += 2;
			}
			memcpy(al + k, e->aliases[i], n);
			k += n;
		}
		al[k] = '\0';
		out_wrap(o, "  aliases:", INDENT, al, width);
		free(al);
	}
	for (size_t i = 0; i < e->nsources; i++) {
		const struct catalog_source *s = e->sources[i];
		if (!s)
			continue;
		size_t kn = strlen(s->key), tn = strlen(s->title);
		char *kt = sfb_xmalloc(kn + tn + 3);
		memcpy(kt, s->key, kn);
		memcpy(kt + kn, ": ", 2);
		memcpy(kt + kn + 2, s->title, tn + 1);
		out_wrap(o, i ? "" : "  sources:", INDENT, kt, width);
		out_wrap(o, "", INDENT + 2, s->location, width);
		free(kt);
	}
}

static const char *how_text(enum catalog_how h)
{
	switch (h) {
	case CATALOG_BY_ALIAS:
		return "found by one of its aliases";
	case CATALOG_BY_DECODED:
		return "the value wrapped in the HRESULT";
	case CATALOG_BY_FAMILY:
		return "the catalog has no entry of its own for";
	case CATALOG_BY_TEXT:
		return "a signature containing the text";
	default:
		return "";
	}
}

static void format_hr(struct out *o, const struct catalog_hr *hr,
		      size_t width)
{
	char line[256];
	snprintf(line, sizeof line, "0x%08X: %s, facility 0x%X%s%s%s, code "
		 "0x%04X (%u)", (unsigned)hr->value,
		 hr->failure ? "failure (severity bit set)" : "success",
		 hr->facility, hr->facility_name ? " (" : "",
		 hr->facility_name ? hr->facility_name : "",
		 hr->facility_name ? ")" : "", hr->code, hr->code);
	out_wrap(o, "HRESULT", 8, line, width);
	const char *what = NULL;
	char buf[160];
	switch (hr->wrap) {
	case CATALOG_HR_SIP:
		snprintf(buf, sizeof buf, "SIP status %u wrapped in an "
			 "HRESULT: the low 16 bits are the status of the "
			 "SIP response", hr->code);
		what = buf;
		break;
	case CATALOG_HR_WIN32:
		snprintf(buf, sizeof buf, "Win32 error %u wrapped in an "
			 "HRESULT", hr->code);
		what = buf;
		break;
	case CATALOG_HR_RTC:
		what = "a UCC/RTC client API error (facility 0xEE)";
		break;
	case CATALOG_HR_SECURITY:
		what = "a security (SSPI) status";
		break;
	case CATALOG_HR_CERT:
		what = "a certificate or trust status";
		break;
	default:
		if (hr->customer)
			what = "bit 29 is set: a code defined by the "
			       "application, not by Windows";
		break;
	}
	if (what)
		out_wrap(o, "", 8, what, width);
}

static void format_result(struct out *o, const struct catalog_result *res,
			  const char *query, size_t width)
{
	int blank = 0;
	if (res->has_hr) {
		format_hr(o, &res->hr, width);
		blank = 1;
	}
	for (size_t i = 0; i < res->n; i++) {
		if (blank)
			out_put(o, "\n", 1);
		blank = 1;
		format_entry(o, res->m[i].entry, width);
		if (res->m[i].how == CATALOG_BY_FAMILY) {
			char fam[300];
			snprintf(fam, sizeof fam, "%s '%.200s'; this is the "
				 "range or family it belongs to",
				 how_text(res->m[i].how), query);
			out_wrap(o, "  found:", INDENT, fam, width);
		} else if (res->m[i].how != CATALOG_BY_CODE) {
			out_wrap(o, "  found:", INDENT,
				 how_text(res->m[i].how), width);
		}
	}
	if (!res->has_hr && res->n == 0)
		out_fmt(o, "no catalog entry for '%.200s'\n", query);
}

static size_t width_of(unsigned w)
{
	return w ? (w < 40 ? 40 : w) : DEFAULT_WIDTH;
}

int catalog_format(const struct catalog_entry *e, unsigned width,
		   FILE *out)
{
	struct out o = { out, NULL, 0, 0, 0 };
	format_entry(&o, e, width_of(width));
	return o.failed ? -1 : 0;
}

int catalog_format_result(const struct catalog_result *res,
			  const char *query, unsigned width, FILE *out)
{
	struct out o = { out, NULL, 0, 0, 0 };
	format_result(&o, res, query ? query : "", width_of(width));
	return o.failed ? -1 : 0;
}

static size_t buf_done(struct out *o)
{
	if (o->cap)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

size_t catalog_format_buf(const struct catalog_entry *e, unsigned width,
			  char *buf, size_t cap)
{
	struct out o = { NULL, buf, cap, 0, 0 };
	format_entry(&o, e, width_of(width));
	return buf_done(&o);
}

size_t catalog_format_result_buf(const struct catalog_result *res,
				 const char *query, unsigned width,
				 char *buf, size_t cap)
{
	struct out o = { NULL, buf, cap, 0, 0 };
	format_result(&o, res, query ? query : "", width_of(width));
	return buf_done(&o);
}
