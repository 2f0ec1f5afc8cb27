/* SPDX-License-Identifier: MIT */
/*
 * pattern.c -- the pattern table behind pattern.h: loads pattern files
 * (grammar in rules/README), compiles each regex once with PCRE2 (8-bit,
 * caseless; JIT, when the library has it, on a table's own copy of a
 * regex when it first runs) and matches free-text log entries against
 * all of them.  It sits beside the message stage:
 * entry texts (parser.h REC_ENTRY) in, named events out to the session
 * builder (sess.c).
 *
 * Speed comes from the literals, not the regexes.  A pattern's regex
 * runs only on a text that holds its needle and, for every clause that
 * rxlit.c reads out of the regex itself, one of the clause's literals
 * ("dns.sip.ok" needs "sip." and one of returned, resolved, answer;
 * "webservice.fault" needs "Error:" where a word starts, so the
 * "isTempError:" of every autodiscovery result does not run it), not
 * on a text that holds a literal its regex rules out at the start
 * ("^(?![\s\S]*(?:lyncdiscover|_sip))" of "dns.not_found"), and a
 * regex of lines ("(?m)^", derive_lead) only where a line starts with
 * a byte that may begin its match: a regex that cannot match is not
 * run.  A regex whose matches start with known literals (rxlit_leading:
 * "webservice.fault" starts with AsyncHResult:, TargetUri: or Error:)
 * runs from the first of them in the text, not from its start.
 * At load, every literal (needles and clauses, each kept once) is
 * lower-cased, and the first 4 bytes of those at least 4 long are
 * hashed into one 8 KiB table of flags (a byte each: a probe is one
 * load, which cost fewer instructions than a bit of a 2^16-bit map
 * with 8 times fewer false hits), so a line is scanned once for all of
 * them: each position costs one probe, independent of the others, and
 * only a hit compares the literals anchored there, 8 bytes at a time
 * (lit_at).  (A Wu-Manber skip table measured 2.5 times slower:
 * each step waits for the previous one, and 4-byte needles cap the skip
 * at 3.)  Shorter needles are searched one by one with memchr.  The
 * regexes that run share one match data and one JIT stack, with a match
 * limit so that a user's pathological regex costs bounded time instead
 * of hanging.
 *
 * Ownership: pattern_load returns an owned table (pattern_free);
 * it owns every string an event points to except the text and its
 * parts, which the caller lends for one pattern_match call.  The
 * match scratch (bitsets, literals found, the JIT-compiled copies of
 * the regexes, match data, JIT stack) lives in the table, so a table
 * is used by one thread at a time; pattern_clone gives another thread
 * its own scratch over the same read-only patterns and literals.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana.h"
#include "pattern.h"
#include "rxlit.h"
#include "sv.h"

#define LINE_MAX_BYTES 4096     /* longest line of a pattern file */
#define NAME_MAX_BYTES 64       /* longest event name */
#define NCOLS 7                 /* columns of a pattern line */
#define GRAM_MIN 4              /* literals this long go into the filter */
#define GRAM_SHIFT 13           /* the filter has 2^13 bytes (8 KiB) */
#define GRAM_BITS (1u << GRAM_SHIFT)
#define MATCH_LIMIT 1000000     /* pcre2 match limit per text and regex */
#define JIT_STACK_MAX (512 * 1024)

/*
 * The stored index of a literal is 16 bits (0 = none).  A needle always
 * fits: the clauses of a regex are left out when their literals could
 * take the room of the needles of the patterns still to come.
 */
#define MAX_LITS 65535
_Static_assert(SFB_MAX_PATTERNS * 2 < MAX_LITS, "literal index is 16 bits");

enum effect { EFFECT_NONE = 0, EFFECT_OK, EFFECT_FAIL };

struct cap_def {
	char *name;             /* owned, NUL-terminated */
	size_t len;
	uint32_t group;         /* capture group number */
};

/* A clause: the text must hold one of these literals (rxlit.h). */
struct pat_clause {
	size_t n;
	uint16_t lit[RXLIT_MAX_ALTS];   /* indexes into pat_table.lits */
};

struct pat {
	char *name;             /* owned */
	char *explain;          /* owned, "" when the column is absent */
	enum sfb_step step;
	int sev;                /* SFB_SEV_* */
	enum effect effect;     /* kept for a later "ok" field in events */
	uint32_t needle;        /* index into pat_table.lits; NO_LIT: none */
	struct pat_clause *clauses; /* owned: literals the regex needs */
	size_t nclauses;
	struct pat_clause forbid; /* none of these may be in the text */
	struct pat_clause start; /* every match starts with one of these */
	int has_lead;           /* matches start a line with a lead byte */
	int lead_blanks;        /* ... after the spaces and tabs there */
	uint8_t lead[32];       /* bitset of the bytes that may start one */
	pcre2_code *code;       /* owned; never JIT-compiled: the source
				 * of every table's own copy (run_code) */
	struct cap_def caps[PAT_MAX_CAPS];
	size_t ncaps;
	size_t file;            /* index into pat_table.files */
	unsigned long line;     /* where it was defined */
};

#define NO_LIT UINT32_MAX


/*
 * A literal to look for, a needle or a clause's, stored once however
 * many patterns name it.
 */
struct lit_word {
	uint64_t bytes;         /* 8 bytes of a literal (0 past its end) */
	uint64_t fold;          /* 0x20 where they are letters */
	uint64_t keep;          /* 0xff where they are the literal's */
};

struct lit {
	unsigned char *s;       /* owned, lower-case */
	size_t len;
	struct lit_word *w;     /* owned, (len + 7) / 8: s by words */
	int word;               /* 1: only where a word starts (rxlit.h) */
	uint32_t *pats;         /* owned: the patterns it is the needle of */
	size_t npats;
	uint16_t next;          /* 1 + next literal of the same 4-gram hash */
	struct lit_word pre;    /* the first literal of a 4-gram hash: the
				 * first bytes all its literals share */
};


struct pat_table {
	struct pat *pats;       /* owned, n of them */
	size_t n, cap;
	char **files;           /* owned copies of the paths loaded */
	size_t nfiles;

	unsigned char fold[256];/* ASCII lower-casing */

	struct lit *lits;       /* owned, nlits of them */
	size_t nlits, litcap;
	int derived;            /* 0: ignore the clauses (the reference) */

	/* prefilter, built once after the last file */
	uint8_t *gram;          /* owned, GRAM_BITS flags: 4-gram hashes of
				 * the literals' first 4 bytes */
	uint16_t *head;         /* owned, GRAM_BITS: 1 + first lits[] */
	size_t nlong;           /* literals in the filter */
	uint32_t *shortn;       /* owned: needles shorter than GRAM_MIN */
	size_t nshort;
	uint64_t *always;       /* owned bitset: patterns without needle */
	uint64_t *found;        /* owned bitset: scratch per text */
	size_t nwords;
	uint32_t *lit_gen;      /* owned, nlits: == gen if lits[k] is in
				 * this text (scratch per text) */
	size_t *lit_pos;        /* owned, nlits: where lits[k] is first,
				 * when it is in this text */
	uint32_t gen;           /* counts the texts matched */

	/*
	 * Each table's own copy of every regex, made and JIT-compiled when
	 * the regex first runs (most texts need few of the patterns, and
	 * compiling all of them cost more than matching a 32 MB log):
	 * code[i] NULL until then, jit[i] 1 if the JIT took it.
	 */
	pcre2_code **code;      /* owned, n */
	unsigned char *jit;     /* owned, n */
	pcre2_match_data *md;   /* owned, sized for the widest regex */
	pcre2_match_context *mctx; /* owned */
	pcre2_jit_stack *stack; /* owned, may be NULL */
	int clone;              /* pattern_clone: owns only the scratch
				 * (found, lit_gen, code, jit, md, mctx,
				 * stack); the rest is borrowed */
};

static const char *const step_names[SFB_STEP__COUNT] = {
	[SFB_STEP_NONE] = "none",
	[SFB_STEP_DISCOVERY] = "discovery",
	[SFB_STEP_CONNECTIVITY] = "connectivity",
	[SFB_STEP_AUTH] = "authentication",
	[SFB_STEP_REDIRECT] = "redirection",
	[SFB_STEP_SETTINGS] = "settings",
};

static const char *const col_names[NCOLS] = {
	"event name", "step", "severity", "effect", "needle", "regex",
	"explanation"
};

const char *sfb_step_name(enum sfb_step s)
{
	if ((unsigned)s < SFB_STEP__COUNT && step_names[s])
		return step_names[s];
	return "none";
}

size_t pattern_count(const struct pat_table *t)
{
	return t ? t->n : 0;
}

/* ------------------------------------------------------------------ */
/* loading                                                             */

struct loader {
	struct pat_table *t;
	const char *path;
	size_t file;            /* index of path in t->files */
	unsigned long line;
	struct sfb_err *err;
};

/* Fill err with "FILE:LINE:COL: error: ..." and return -1. */
static int SFB_PRINTF(3, 4) fail_at(struct loader *L, size_t col,
				    const char *fmt, ...)
{
	struct sfb_err *err = L->err;
	if (!err)
		return -1;
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	sfb_err_set(err, SFB_E_RULE, 0, "%s:%lu:%zu: error: %s", L->path,
		    L->line, col, what);
	err->line = L->line;
	err->col = col > UINT_MAX ? UINT_MAX : (unsigned)col;
	return -1;
}

/* @return the offset of the first byte that is not UTF-8, or -1. */
static long utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3, min = 0x10000;
		} else {
			return (long)i;
		}
		if (n - i <= k)
			return (long)i;
		uint32_t cp = c & (0x3fu >> k);
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return (long)i;
			cp = cp << 6 | (s[i + j] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += k + 1;
	}
	return -1;
}

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int lookup(struct sv v, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (sv_eq(v, sv_cstr(names[i])))
			return (int)i;
	return -1;
}

static void pat_clear(struct pat *p)
{
	free(p->name);
	free(p->explain);
	free(p->clauses);
	pcre2_code_free(p->code);
	for (size_t i = 0; i < p->ncaps; i++)
		free(p->caps[i].name);
	memset(p, 0, sizeof *p);
}

static int cap_cmp(const void *a, const void *b)
{
	const struct cap_def *x = a, *y = b;
	return (x->group > y->group) - (x->group < y->group);
}

/* Read the named groups of p->code into p->caps, in group order. */
static int load_caps(struct loader *L, struct pat *p, size_t col)
{
	uint32_t count = 0, size = 0;
	PCRE2_SPTR table = NULL;
	pcre2_pattern_info(p->code, PCRE2_INFO_NAMECOUNT, &count);
	if (count == 0)
		return 0;
	if (count > PAT_MAX_CAPS)
		return fail_at(L, col, "regex has %u named groups, at most %d",
			       count, PAT_MAX_CAPS);
	pcre2_pattern_info(p->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(p->code, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + (size_t)i * size;
		struct cap_def *c = &p->caps[p->ncaps++];
		c->group = (uint32_t)e[0] << 8 | e[1];
		c->len = strnlen((const char *)e + 2, size - 2);
		c->name = sfb_xstrndup((const char *)e + 2, c->len);
	}
	qsort(p->caps, p->ncaps, sizeof p->caps[0], cap_cmp);
	return 0;
}

/*
 * @return the index of the lower-case literal s[0..n), added if new;
 * word: 1 if it counts only where a word starts
 */
static uint32_t intern(struct pat_table *t, const char *s, size_t n,
		       int word)
{
	for (size_t i = 0; i < t->nlits; i++) {
		const struct lit *l = &t->lits[i];
		if (l->len != n || l->word != word)
			continue;
		size_t k = 0;
		while (k < n && l->s[k] == t->fold[(unsigned char)s[k]])
			k++;
		if (k == n)
			return (uint32_t)i;
	}
	if (t->nlits == t->litcap) {
		t->litcap = t->litcap ? t->litcap * 2 : 64;
		t->lits = sfb_xrealloc(t->lits, t->litcap * sizeof *t->lits);
	}
	struct lit *l = &t->lits[t->nlits];
	memset(l, 0, sizeof *l);
	l->s = sfb_xmalloc(n ? n : 1);
	for (size_t k = 0; k < n; k++)
		l->s[k] = t->fold[(unsigned char)s[k]];
	l->len = n;
	l->word = word;
	return (uint32_t)t->nlits++;
}

/*
 * The clauses of p's regex re (rxlit.h) as literals of t, leaving out
 * those that p's needle satisfies already.
 */
static void derive_clauses(struct pat_table *t, struct pat *p, struct sv re)
{
	if (t->nlits + (RXLIT_MAX_CLAUSES + 1) * RXLIT_MAX_ALTS +
	    (SFB_MAX_PATTERNS - t->n) >= MAX_LITS)
		return;         /* sound without them, only slower */
	char *buf = sfb_xmalloc(re.n ? re.n : 1);
	struct rxlit_clause no;
	rxlit_forbidden(re.p, re.n, GRAM_MIN, buf, &no);
	for (size_t k = 0; k < no.n; k++)
		p->forbid.lit[p->forbid.n++] = (uint16_t)intern(
			t, no.alt[k].p, no.alt[k].n, 0);
	struct rxlit rl;
	rxlit_required(re.p, re.n, GRAM_MIN, buf, &rl);
	p->clauses = rl.n ? sfb_xcalloc(rl.n, sizeof *p->clauses) : NULL;
	for (size_t i = 0; i < rl.n; i++) {
		struct pat_clause c = { 0, { 0 } };
		int redundant = 0;
		for (size_t k = 0; k < rl.c[i].n; k++) {
			struct sv a = rl.c[i].alt[k];
			uint32_t id = intern(t, a.p, a.n, rl.c[i].word[k]);
			redundant |= id == p->needle;
			c.lit[c.n++] = (uint16_t)id;
		}
		if (!redundant)
			p->clauses[p->nclauses++] = c;
	}
	free(buf);
}

/*
 * @return the index of a literal of t that every text holding the
 * literal s[0..n) at a place holds at the same place or before: s
 * itself or one of its prefixes (at least GRAM_MIN long), not limited
 * to where a word starts if s is; NO_LIT if t has none
 */
static uint32_t find_prefix(const struct pat_table *t, const char *s,
			    size_t n, int word)
{
	for (size_t i = 0; i < t->nlits; i++) {
		const struct lit *l = &t->lits[i];
		if (l->len < GRAM_MIN || l->len > n || l->word > word)
			continue;
		size_t k = 0;
		while (k < l->len && l->s[k] == t->fold[(unsigned char)s[k]])
			k++;
		if (k == l->len)
			return (uint32_t)i;
	}
	return NO_LIT;
}

/*
 * The literals every match of p's regex re starts with (rxlit.h): no
 * match starts before the first of them in a text.  Only when each is
 * (or starts with) a literal t looks for already: one more would cost
 * every text its search, more than PCRE2 saves by starting later.
 */
static void derive_start(struct pat_table *t, struct pat *p, struct sv re)
{
	char *buf = sfb_xmalloc(re.n ? re.n : 1);
	struct rxlit_clause c;
	rxlit_leading(re.p, re.n, GRAM_MIN, buf, &c);
	for (size_t k = 0; k < c.n; k++) {
		uint32_t id = find_prefix(t, c.alt[k].p, c.alt[k].n,
					  c.word[k]);
		if (id == NO_LIT) {
			p->start.n = 0;
			break;
		}
		p->start.lit[p->start.n++] = (uint16_t)id;
	}
	free(buf);
}

/*
 * The bytes a match of "(?m)" and re[from..) may start with, into lead
 * (a bitset), when PCRE2 knows them (one byte, or a start bitmap) and
 * that regex cannot match an empty text.  @return 1 if it did
 */
static int lead_of(struct sv re, size_t from, uint8_t lead[32])
{
	size_t n = 4 + re.n - from;
	char *rest = sfb_xmalloc(n);
	memcpy(rest, "(?m)", 4);
	memcpy(rest + 4, re.p + from, re.n - from);
	int ec = 0, ok = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *r = pcre2_compile((PCRE2_SPTR)rest, n, PCRE2_CASELESS,
				      &ec, &off, NULL);
	free(rest);
	if (!r)
		return 0;
	uint32_t minlen = 0, unit = 0, type = 0;
	const uint8_t *bits = NULL;
	pcre2_pattern_info(r, PCRE2_INFO_MINLENGTH, &minlen);
	pcre2_pattern_info(r, PCRE2_INFO_FIRSTCODETYPE, &type);
	pcre2_pattern_info(r, PCRE2_INFO_FIRSTCODEUNIT, &unit);
	pcre2_pattern_info(r, PCRE2_INFO_FIRSTBITMAP, &bits);
	memset(lead, 0, 32);
	if (minlen > 0 && type == 1 && unit < 256) {
		/* caseless: both cases of an ASCII letter */
		unsigned lo = unit, up = unit;
		if ((unit | 0x20) >= 'a' && (unit | 0x20) <= 'z')
			lo = unit | 0x20, up = unit & ~0x20u;
		lead[lo / 8] |= (uint8_t)(1u << (lo % 8));
		lead[up / 8] |= (uint8_t)(1u << (up % 8));
		ok = 1;
	} else if (minlen > 0 && type == 0 && bits) {
		memcpy(lead, bits, 32);
		ok = 1;
	}
	pcre2_code_free(r);
	return ok;
}

static int in_set(const uint8_t set[32], unsigned char c)
{
	return set[c / 8] >> (c % 8) & 1;
}

/*
 * A regex that starts with "(?m)^", and that PCRE2 itself only tries at
 * line starts (LF newlines), can match only where a line starts with a
 * byte that may begin a match of the rest of it: the rest matches
 * wherever the whole does, a ^ less.  Then p->lead holds those bytes
 * (lead_of).  When the rest is "[ \t]*" and a regex whose matches
 * cannot start with a space or a tab, the blanks take all of a line's
 * leading blanks: the first other byte of the line must be one that
 * regex may start with (p->lead_blanks).
 */
static void derive_lead(struct pat *p, struct sv re)
{
	static const char pre[] = "(?m)^", blanks[] = "(?m)^[ \\t]*";
	const size_t np = sizeof pre - 1, nb = sizeof blanks - 1;
	uint32_t type = 0, nl = 0;
	pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTCODETYPE, &type);
	pcre2_pattern_info(p->code, PCRE2_INFO_NEWLINE, &nl);
	if (type != 2 || nl != PCRE2_NEWLINE_LF || re.n < np ||
	    memcmp(re.p, pre, np))
		return;
	if (re.n > nb && !memcmp(re.p, blanks, nb) &&
	    lead_of(re, nb, p->lead) && !in_set(p->lead, ' ') &&
	    !in_set(p->lead, '\t'))
		p->has_lead = p->lead_blanks = 1;
	else
		p->has_lead = lead_of(re, np, p->lead);
}

/* Parse one pattern line (s[0..n), without its line end). */
static int parse_line(struct loader *L, const char *s, size_t n)
{
	struct pat_table *t = L->t;
	long bad = utf8_bad((const unsigned char *)s, n);
	const char *nul = memchr(s, '\0', n);
	if (nul && (bad < 0 || nul - s < bad))
		return fail_at(L, (size_t)(nul - s) + 1, "NUL byte in line");
	if (bad >= 0)
		return fail_at(L, (size_t)bad + 1, "invalid UTF-8");

	/* blank (spaces and tabs only) or comment: nothing to do */
	size_t lead = 0;
	while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
		lead++;
	if (lead == n || s[lead] == '#')
		return 0;
	if (s[0] == '\t')
		return fail_at(L, 1, "line starts with a tab: the event name "
			       "is missing");

	/* columns: runs of tabs separate them, so they can be aligned */
	struct sv col[NCOLS];
	size_t at[NCOLS], ncol = 0, pos = 0;
	int any_tab = memchr(s, '\t', n) != NULL;
	while (pos < n) {
		size_t start = pos;
		while (pos < n && s[pos] != '\t')
			pos++;
		if (ncol == NCOLS)
			return fail_at(L, start + 1, "too many columns (at "
				       "most %d): a tab inside the "
				       "explanation?", NCOLS);
		at[ncol] = start;
		col[ncol++] = sv_make(s + start, pos - start);
		while (pos < n && s[pos] == '\t')
			pos++;
	}
	if (ncol < NCOLS - 1) {
		size_t end = n;
		while (end > 0 && s[end - 1] == '\t')
			end--;
		return fail_at(L, end + 1, "missing column %zu (%s)%s",
			       ncol + 1, col_names[ncol],
			       any_tab ? "" : "; columns are separated by "
					      "tabs");
	}

	struct pat p;
	memset(&p, 0, sizeof p);
	p.file = L->file;
	p.line = L->line;

	/* 1: event name */
	for (size_t i = 0; i < col[0].n; i++)
		if (!name_char((unsigned char)col[0].p[i]))
			return fail_at(L, at[0] + i + 1, "bad event name "
				       "'%.*s': use a-z, 0-9, '_', '.' and "
				       "'-'", (int)(col[0].n > 64 ? 64 :
						    col[0].n), col[0].p);
	if (col[0].n > NAME_MAX_BYTES)
		return fail_at(L, at[0] + NAME_MAX_BYTES + 1, "event name "
			       "longer than %d bytes", NAME_MAX_BYTES);
	for (size_t i = 0; i < t->n; i++) {
		const struct pat *q = &t->pats[i];
		if (sv_eq(col[0], sv_cstr(q->name)))
			return fail_at(L, at[0] + 1, "duplicate event name "
				       "'%s' (first defined at %s:%lu)",
				       q->name, t->files[q->file], q->line);
	}
	if (t->n >= SFB_MAX_PATTERNS)
		return fail_at(L, 1, "more than %d patterns",
			       SFB_MAX_PATTERNS);

	/* 2-4: step, severity, effect */
	int step = lookup(col[1], step_names, SFB_STEP__COUNT);
	if (step < 0)
		return fail_at(L, at[1] + 1, "unknown step '%.*s' (discovery, "
			       "connectivity, authentication, redirection, "
			       "settings or none)",
			       (int)(col[1].n > 40 ? 40 : col[1].n),
			       col[1].p);
	static const char *const sevs[] = { "info", "warning", "error" };
	int sev = lookup(col[2], sevs, 3);
	if (sev < 0)
		return fail_at(L, at[2] + 1, "unknown severity '%.*s' (info, "
			       "warning or error)",
			       (int)(col[2].n > 40 ? 40 : col[2].n),
			       col[2].p);
	static const char *const effects[] = { "-", "ok", "fail" };
	int eff = lookup(col[3], effects, 3);
	if (eff < 0)
		return fail_at(L, at[3] + 1, "unknown effect '%.*s' (ok, fail "
			       "or -)", (int)(col[3].n > 40 ? 40 : col[3].n),
			       col[3].p);
	if (eff != EFFECT_NONE && step == SFB_STEP_NONE)
		return fail_at(L, at[3] + 1, "effect '%s' needs a step other "
			       "than 'none'", effects[eff]);
	p.step = (enum sfb_step)step;
	p.sev = sev == 0 ? SFB_SEV_INFO : sev == 1 ? SFB_SEV_WARNING
						   : SFB_SEV_ERROR;
	p.effect = (enum effect)eff;

	/* 6: regex, before anything is allocated for p */
	int ec = 0;
	PCRE2_SIZE off = 0;
	p.code = pcre2_compile((PCRE2_SPTR)col[5].p, col[5].n,
			       PCRE2_CASELESS, &ec, &off, NULL);
	if (!p.code) {
		PCRE2_UCHAR msg[160];
		if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", ec);
		if (off > col[5].n)
			off = col[5].n;
		return fail_at(L, at[5] + off + 1, "regex: %s",
			       (const char *)msg);
	}
	if (load_caps(L, &p, at[5] + 1) < 0) {
		pat_clear(&p);
		return -1;
	}
	/* 5: needle, then the literals the regex needs besides */
	p.needle = NO_LIT;
	if (!sv_eq(col[4], SV_LIT("-")))
		p.needle = intern(t, col[4].p, col[4].n, 0);
	derive_clauses(t, &p, col[5]);
	derive_start(t, &p, col[5]);
	derive_lead(&p, col[5]);

	/* 7: explanation, trailing blanks dropped */
	struct sv ex = ncol > 6 ? col[6] : SV_NULL;
	while (ex.n && (ex.p[ex.n - 1] == ' ' || ex.p[ex.n - 1] == '\t'))
		ex.n--;
	p.explain = sfb_xstrndup(ex.p ? ex.p : "", ex.n);
	p.name = sfb_xstrndup(col[0].p, col[0].n);

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->pats = sfb_xrealloc(t->pats, t->cap * sizeof *t->pats);
	}
	t->pats[t->n++] = p;
	return 0;
}

/* A complete line (its LF removed): drop a CR and a BOM, then parse. */
static int end_line(struct loader *L, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (n > LINE_MAX_BYTES)
		return fail_at(L, LINE_MAX_BYTES + 1, "line longer than %d "
			       "bytes", LINE_MAX_BYTES);
	if (L->line == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3, n -= 3;
	return parse_line(L, s, n);
}

/* Read one file line by line into parse_line. */
static int load_file(struct loader *L)
{
	struct sfb_err *err = L->err;
	if (err)
		err->line = 0, err->col = 0;    /* no position for I/O */
	FILE *f = fopen(L->path, "rb");
	if (!f) {
		int e = errno;
		sfb_err_set(err, SFB_E_IO, e, "cannot read '%s': %s", L->path,
			    strerror(e));
		return -1;
	}
	enum { CHUNK = 1 << 16 };
	char *buf = sfb_xmalloc(CHUNK);
	/* room for LINE_MAX_BYTES and a CR: one byte more is an error */
	char *line = sfb_xmalloc(LINE_MAX_BYTES + 1);
	size_t len = 0;
	int rc = 0, eof = 0;
	L->line = 1;
	while (!eof && rc == 0) {
		size_t got = fread(buf, 1, CHUNK, f);
		if (got < CHUNK) {
			if (ferror(f)) {
				int e = errno ? errno : EIO;
				rc = sfb_err_set(err, SFB_E_IO, e, "cannot "
						 "read '%s': %s", L->path,
						 strerror(e));
				break;
			}
			eof = 1;
		}
		for (size_t i = 0; i < got && rc == 0; i++) {
			if (buf[i] == '\n') {
				rc = end_line(L, line, len);
				L->line++;
				len = 0;
			} else if (len == LINE_MAX_BYTES + 1) {
				rc = fail_at(L, LINE_MAX_BYTES + 1, "line "
					     "longer than %d bytes",
					     LINE_MAX_BYTES);
			} else {
				line[len++] = buf[i];
			}
		}
	}
	if (rc == 0 && len > 0)    /* a last line without a line end */
		rc = end_line(L, line, len);
	free(line);
	free(buf);
	fclose(f);
	return rc;
}

/*
 * Hash of the 4 bytes at p with ASCII case ignored: or-ing 0x20 into
 * every byte lower-cases letters and merges a few punctuation pairs,
 * which only adds rare false hits, and needs no table lookup.
 */
static inline uint32_t gram4(const unsigned char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	w |= 0x20202020u;
	return (w * 2654435761u) >> (32 - GRAM_SHIFT);
}

/* Fill l->w: its bytes by words, to be compared 8 at a time. */
static void lit_words(struct lit *l)
{
	size_t nw = (l->len + 7) / 8;
	l->w = sfb_xcalloc(nw ? nw : 1, sizeof *l->w);
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = l->s[i];
		unsigned shift = (unsigned)(i % 8) * 8;
		struct lit_word *w = &l->w[i / 8];
		w->bytes |= (uint64_t)c << shift;
		w->keep |= (uint64_t)0xff << shift;
		if (c >= 'a' && c <= 'z')
			w->fold |= (uint64_t)0x20 << shift;
	}
}

/*
 * Does the literal l start at q (ASCII case ignored)?  room: the bytes
 * from q to the end of the text, at least l->len.  A letter of the
 * literal (lower-case) matches a byte that or-ed with 0x20 equals it,
 * which are the letter's two cases: so 8 bytes are compared at once
 * while 8 can be read, byte by byte after.
 */
static int lit_at(const struct pat_table *t, const struct lit *l,
		  const unsigned char *q, size_t room)
{
	size_t i = 0;
	for (const struct lit_word *w = l->w; i < l->len && i + 8 <= room;
	     i += 8, w++) {
		uint64_t x;
		memcpy(&x, q + i, 8);
		if (((x | w->fold) & w->keep) != w->bytes)
			return 0;
	}
	for (; i < l->len; i++)
		if (t->fold[q[i]] != l->s[i])
			return 0;
	return 1;
}

/*
 * Fill first->pre with the bytes that every literal of its 4-gram
 * chain starts with (up to 8; none if they differ from the first on).
 */
static void chain_prefix(const struct pat_table *t, struct lit *first)
{
	size_t i = 0;
	for (; i < 8 && i < first->len; i++) {
		const struct lit *l = first;
		while (l && l->len > i && l->s[i] == first->s[i])
			l = l->next ? &t->lits[l->next - 1] : NULL;
		if (l)
			break;
	}
	struct lit_word *w = &first->pre;
	memset(w, 0, sizeof *w);
	for (size_t k = 0; k < i; k++) {
		unsigned char c = first->s[k];
		w->bytes |= (uint64_t)c << k * 8;
		w->keep |= (uint64_t)0xff << k * 8;
		if (c >= 'a' && c <= 'z')
			w->fold |= (uint64_t)0x20 << k * 8;
	}
}

/* Build the 4-gram filter and the bitsets over the loaded patterns. */
static void build_filter(struct pat_table *t)
{
	t->nwords = t->n / 64 + 1;
	t->always = sfb_xcalloc(t->nwords, sizeof *t->always);
	t->found = sfb_xcalloc(t->nwords, sizeof *t->found);
	t->lit_gen = sfb_xcalloc(t->nlits + 1, sizeof *t->lit_gen);
	t->lit_pos = sfb_xcalloc(t->nlits + 1, sizeof *t->lit_pos);
	t->shortn = sfb_xcalloc(t->nlits + 1, sizeof *t->shortn);
	t->derived = 1;

	/* each literal lists the patterns it is the needle of */
	for (size_t i = 0; i < t->n; i++) {
		uint32_t k = t->pats[i].needle;
		if (k == NO_LIT)
			t->always[i / 64] |= UINT64_C(1) << (i % 64);
		else
			t->lits[k].npats++;
	}
	for (size_t k = 0; k < t->nlits; k++) {
		struct lit *l = &t->lits[k];
		l->pats = l->npats ? sfb_xcalloc(l->npats, sizeof *l->pats)
				   : NULL;
		l->npats = 0;
	}
	for (size_t i = 0; i < t->n; i++) {
		uint32_t k = t->pats[i].needle;
		if (k != NO_LIT)
			t->lits[k].pats[t->lits[k].npats++] = (uint32_t)i;
	}

	/*
	 * A literal is anchored by its first 4 bytes.  The clauses' literals
	 * share the filter with the needles: a second scan, only for the
	 * texts that need it, measured dearer than one scan for all.
	 */
	t->gram = sfb_xcalloc(GRAM_BITS, sizeof *t->gram);
	t->head = sfb_xcalloc(GRAM_BITS, sizeof *t->head);
	for (size_t k = 0; k < t->nlits; k++) {
		struct lit *l = &t->lits[k];
		lit_words(l);
		if (l->len < GRAM_MIN) {  /* only needles are this short */
			t->shortn[t->nshort++] = (uint32_t)k;
			continue;
		}
		uint32_t h = gram4(l->s);
		t->gram[h] = 1;
		l->next = t->head[h];
		t->head[h] = (uint16_t)(k + 1);
		t->nlong++;
	}
	for (size_t h = 0; h < GRAM_BITS; h++)
		if (t->head[h])
			chain_prefix(t, &t->lits[t->head[h] - 1]);
}

static void table_free_prefilter(struct pat_table *t)
{
	free(t->gram);
	free(t->head);
	free(t->shortn);
	free(t->always);
	free(t->found);
	free(t->lit_gen);
	free(t->lit_pos);
	for (size_t k = 0; k < t->nlits; k++) {
		free(t->lits[k].s);
		free(t->lits[k].w);
		free(t->lits[k].pats);
	}
	free(t->lits);
}

void pattern_set_derived(struct pat_table *t, int on)
{
	if (t)
		t->derived = on != 0;
}

/*
 * The per-thread scratch: the regex copies (none made yet), match data,
 * context, JIT stack.
 */
static void scratch_init(struct pat_table *t, uint32_t pairs,
			 const pcre2_match_context *from)
{
	t->code = sfb_xcalloc(t->n ? t->n : 1, sizeof *t->code);
	t->jit = sfb_xcalloc(t->n ? t->n : 1, sizeof *t->jit);
	t->md = pcre2_match_data_create(pairs, NULL);
	t->mctx = from ? pcre2_match_context_copy(
				 (pcre2_match_context *)from)
		       : pcre2_match_context_create(NULL);
	if (!t->md || !t->mctx)
		sfb_oom();
	/* without a JIT stack the JIT uses 32 KiB on the machine stack */
	t->stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	pcre2_jit_stack_assign(t->mctx, NULL, t->stack);
}

static void scratch_free(struct pat_table *t)
{
	for (size_t i = 0; t->code && i < t->n; i++)
		pcre2_code_free(t->code[i]);
	free(t->code);
	free(t->jit);
	pcre2_match_data_free(t->md);
	pcre2_match_context_free(t->mctx);
	pcre2_jit_stack_free(t->stack);
}

struct pat_table *pattern_clone(const struct pat_table *t)
{
	struct pat_table *c = sfb_xmalloc(sizeof *c);
	*c = *t;
	c->clone = 1;
	c->found = sfb_xcalloc(t->nwords, sizeof *c->found);
	c->lit_gen = sfb_xcalloc(t->nlits + 1, sizeof *c->lit_gen);
	c->lit_pos = sfb_xcalloc(t->nlits + 1, sizeof *c->lit_pos);
	scratch_init(c, pcre2_get_ovector_count(t->md), t->mctx);
	return c;
}

void pattern_free(struct pat_table *t)
{
	if (!t)
		return;
	if (t->clone) {
		free(t->found);
		free(t->lit_gen);
		free(t->lit_pos);
		scratch_free(t);
		free(t);
		return;
	}
	for (size_t i = 0; i < t->n; i++)
		pat_clear(&t->pats[i]);
	free(t->pats);
	for (size_t i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	table_free_prefilter(t);
	scratch_free(t);
	free(t);
}

struct pat_table *pattern_load(const char *const *paths,
				   struct sfb_err *err)
{
	struct pat_table *t = sfb_xcalloc(1, sizeof *t);
	for (unsigned c = 0; c < 256; c++)
		t->fold[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c | 0x20
							       : c);
	size_t np = 0;
	while (paths && paths[np])
		np++;
	t->files = sfb_xcalloc(np ? np : 1, sizeof *t->files);
	for (size_t i = 0; i < np; i++) {
		struct loader L = { t, paths[i], t->nfiles, 0, err };
		t->files[t->nfiles++] = sfb_xstrndup(paths[i],
						     strlen(paths[i]));
		if (load_file(&L) < 0) {
			pattern_free(t);
			return NULL;
		}
	}
	build_filter(t);

	uint32_t widest = 0;
	for (size_t i = 0; i < t->n; i++) {
		uint32_t c = 0;
		pcre2_pattern_info(t->pats[i].code, PCRE2_INFO_CAPTURECOUNT,
				   &c);
		if (c > widest)
			widest = c;
	}
	scratch_init(t, widest + 1, NULL);
	pcre2_set_match_limit(t->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(t->mctx, MATCH_LIMIT);
	pcre2_set_heap_limit(t->mctx, 16 * 1024); /* KiB */
	return t;
}

/* ------------------------------------------------------------------ */
/* matching                                                            */

static size_t ctz64(uint64_t x)
{
#if defined(__GNUC__)
	return (size_t)__builtin_ctzll(x);
#else
	size_t n = 0;
	while (!(x & 1))
		x >>= 1, n++;
	return n;
#endif
}

static void set_found(struct pat_table *t, uint32_t i)
{
	t->found[i / 64] |= UINT64_C(1) << (i % 64);
}

/*
 * Literal k occurs, first at pos: remember it, and mark the patterns
 * it is the needle of.
 */
static inline void lit_found(struct pat_table *t, uint32_t k, size_t pos)
{
	const struct lit *l = &t->lits[k];
	t->lit_gen[k] = t->gen;
	t->lit_pos[k] = pos;
	for (size_t j = 0; j < l->npats; j++)
		set_found(t, l->pats[j]);
}

/* A word character of \b (PCRE2 without UCP: ASCII only) */
static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Compare the literals whose first 4 bytes hash to hash with h[at..n):
 * first the bytes they all start with, so that most hits (another
 * 4-gram that hashes alike, a common word the literals start with)
 * cost one compare of 8 bytes
 */
static void verify_at(struct pat_table *t, uint32_t hash,
		      const unsigned char *h, size_t at, size_t n)
{
	unsigned k = t->head[hash];
	if (n - at >= 8) {
		const struct lit_word *pre = &t->lits[k - 1].pre;
		uint64_t x;
		memcpy(&x, h + at, 8);
		if (((x | pre->fold) & pre->keep) != pre->bytes)
			return;
	}
	for (; k; k = t->lits[k - 1].next) {
		const struct lit *w = &t->lits[k - 1];
		if (w->len > n - at || t->lit_gen[k - 1] == t->gen)
			continue;
		if (w->word && at > 0 && is_word(h[at - 1]))
			continue;       /* inside a word */
		if (lit_at(t, w, h + at, n - at))
			lit_found(t, k - 1, at);
	}
}

/* The 4-gram filter over h[0..n), n >= GRAM_MIN: see scan_lits. */
static void scan_grams(struct pat_table *t, const unsigned char *h,
		       size_t n)
{
	const uint8_t *bits = t->gram;
	size_t last = n - GRAM_MIN;       /* last 4-gram start */
	size_t i = 0;
	/*
	 * Four independent probes per round, one branch: the loads
	 * overlap, so the scan runs at the CPU's throughput rather
	 * than at the latency of one probe after another.
	 */
	for (; i + 3 <= last; i += 4) {
		uint32_t a = gram4(h + i), b = gram4(h + i + 1);
		uint32_t c = gram4(h + i + 2), d = gram4(h + i + 3);
		uint8_t fa = bits[a], fb = bits[b], fc = bits[c], fd = bits[d];
		if (!(fa | fb | fc | fd))
			continue;
		if (fa)
			verify_at(t, a, h, i, n);
		if (fb)
			verify_at(t, b, h, i + 1, n);
		if (fc)
			verify_at(t, c, h, i + 2, n);
		if (fd)
			verify_at(t, d, h, i + 3, n);
	}
	for (; i <= last; i++) {
		uint32_t x = gram4(h + i);
		if (bits[x])
			verify_at(t, x, h, i, n);
	}
}

/*
 * Mark every literal that occurs in h[0..n) (lit_found), and so in
 * t->found every pattern whose needle occurs.
 */
static void scan_lits(struct pat_table *t, const unsigned char *h,
		      size_t n)
{
	if (t->nlong && n >= GRAM_MIN)
		scan_grams(t, h, n);
	for (size_t k = 0; k < t->nshort; k++) {
		const struct lit *l = &t->lits[t->shortn[k]];
		const unsigned char *q;
		long at;
		if (l->len == 1 && (l->s[0] < 'a' || l->s[0] > 'z'))
			/* one byte that is not a letter: ":" */
			at = (q = memchr(h, l->s[0], n)) ? q - h : -1;
		else
			at = sv_ifind_sv(sv_make((const char *)h, n),
					 sv_make((const char *)l->s, l->len));
		if (at >= 0)
			lit_found(t, t->shortn[k], (size_t)at);
	}
}

/*
 * @return 1 if every clause of pattern i has a literal in the text and
 *         none of its forbidden literals is there
 */
static int clauses_met(const struct pat_table *t, size_t i)
{
	const struct pat *p = &t->pats[i];
	for (size_t k = 0; k < p->forbid.n; k++)
		if (t->lit_gen[p->forbid.lit[k]] == t->gen)
			return 0;
	for (size_t c = 0; c < p->nclauses; c++) {
		const struct pat_clause *cl = &p->clauses[c];
		size_t k = 0;
		while (k < cl->n && t->lit_gen[cl->lit[k]] != t->gen)
			k++;
		if (k == cl->n)
			return 0;
	}
	return 1;
}

/*
 * Where the first literal that a match of p starts with (p->start, not
 * empty) is in the text, into *at.  @return 0 when none is there (no
 * match), else 1
 */
static int start_met(const struct pat_table *t, const struct pat *p,
		     size_t *at)
{
	const struct pat_clause *c = &p->start;
	size_t first = SIZE_MAX;
	for (size_t k = 0; k < c->n; k++)
		if (t->lit_gen[c->lit[k]] == t->gen &&
		    t->lit_pos[c->lit[k]] < first)
			first = t->lit_pos[c->lit[k]];
	*at = first;
	return first != SIZE_MAX;
}

/*
 * @return 1 if a line of s[0..n) starts with a lead byte of p (after
 * its spaces and tabs, with p->lead_blanks)
 */
static int lead_met(const struct pat *p, const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (p->lead_blanks)
			while (s[i] == ' ' || s[i] == '\t')
				if (++i == n)
					return 0;
		if (in_set(p->lead, s[i]))
			return 1;
		const unsigned char *nl = memchr(s + i, '\n', n - i);
		if (!nl)
			return 0;
		i = (size_t)(nl - s) + 1;
	}
	return 0;
}

/*
 * Run pattern i on subj from off on (no match starts before it; the
 * text before stays visible to lookbehinds); on a match build its event
 * and call on_event, whose return goes to *r.  @return 1 on a match, 0
 * on none
 */
static int run_pattern(struct pat_table *t, size_t i, const char *subj,
		       size_t n, size_t off,
		       int (*on_event)(void *ud, const struct pat_event *ev),
		       void *ud, int *r)
{
	const struct pat *p = &t->pats[i];
	pcre2_code *code = t->code[i];
	if (!code) {
		code = t->code[i] = pcre2_code_copy(p->code);
		if (!code)
			sfb_oom();
		/* JIT is an optimisation: without it matching still works */
		t->jit[i] = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	}
	/* the JIT's own entry skips pcre2_match's checks of the arguments,
	 * which hold here (no UTF, off <= n, our match data) */
	int rc = t->jit[i] ? pcre2_jit_match(code, (PCRE2_SPTR)subj, n, off,
					     0, t->md, t->mctx)
			   : pcre2_match(code, (PCRE2_SPTR)subj, n, off, 0,
					 t->md, t->mctx);
	if (rc < 0)
		return 0;               /* no match, or a limit hit */
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
	uint32_t novec = pcre2_get_ovector_count(t->md);
	struct pat_event ev;
	ev.name = p->name;
	ev.step = p->step;
	ev.sev = p->sev;
	ev.fails_step = p->effect == EFFECT_FAIL;
	ev.ok_step = p->effect == EFFECT_OK;
	ev.explain = p->explain;
	ev.text = sv_make(subj, n);
	size_t a = ov[0], b = ov[1];
	if (a > n)
		a = n;
	if (b < a || b > n)     /* \K can put the end before the start */
		b = a;
	ev.match = sv_make(subj + a, b - a);
	ev.ncaps = 0;
	for (size_t c = 0; c < p->ncaps; c++) {
		uint32_t g = p->caps[c].group;
		if (g >= novec)
			continue;
		PCRE2_SIZE s = ov[2 * g], e = ov[2 * g + 1];
		/* groups that did not take part or matched nothing */
		if (s == PCRE2_UNSET || e <= s || e > n)
			continue;
		struct pat_cap *cap = &ev.caps[ev.ncaps++];
		cap->name = sv_make(p->caps[c].name, p->caps[c].len);
		cap->value = sv_make(subj + s, e - s);
	}
	*r = on_event(ud, &ev);
	return 1;
}

int pattern_match(struct pat_table *t, struct sv text,
		     int (*on_event)(void *ud, const struct pat_event *ev),
		     void *ud)
{
	static const char empty[1] = "";
	if (!t || t->n == 0)
		return 0;
	const char *subj = text.p ? text.p : empty;
	size_t n = text.p ? text.n : 0;

	for (size_t w = 0; w < t->nwords; w++)  /* one or two: no memcpy */
		t->found[w] = t->always[w];
	if (++t->gen == 0) {    /* wrapped: no literal may look found */
		memset(t->lit_gen, 0, t->nlits * sizeof *t->lit_gen);
		t->gen = 1;
	}
	scan_lits(t, (const unsigned char *)subj, n);

	int events = 0;
	for (size_t w = 0; w < t->nwords; w++) {
		uint64_t bits = t->found[w];
		while (bits) {
			size_t i = w * 64 + ctz64(bits);
			bits &= bits - 1;
			const struct pat *p = &t->pats[i];
			int r = 0;
			size_t off = 0;
			if (t->derived && (!clauses_met(t, i) ||
			    (p->start.n && !start_met(t, p, &off)) ||
			    (p->has_lead &&
			     !lead_met(p, (const unsigned char *)subj, n))))
				continue;
			if (!run_pattern(t, i, subj, n, off, on_event, ud,
					 &r))
				continue;
			events++;
			if (r)  /* INT_MIN has no negation: keep it negative */
				return r == INT_MIN ? -INT_MAX : -r;
		}
	}
	return events;
}
