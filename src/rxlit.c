/* SPDX-License-Identifier: MIT */
/*
 * rxlit.c -- the literals a PCRE2 regex cannot match without (rxlit.h).
 * Load time only, beside the pattern table (pattern.c).
 *
 * A recursive descent over the regex source.  A sequence collects runs
 * of plain characters: a run ends at anything else (a class, an escape
 * that is not a character, an assertion, a group), and a quantifier
 * that allows zero takes its character back out of the run.  Each run
 * long enough is a clause of one literal.  A group that must match
 * (no ?, *, {0,...} after it) adds its own clauses; an alternation
 * gives one clause made of the longest literal of each branch, or
 * nothing if a branch has none.  Lookarounds are read only to find
 * their end.  A run that starts right after \b with a word character
 * is marked as starting a word.  Whatever else is not known for sure
 * stops the whole analysis (x->bail): no clauses is always a correct
 * answer.
 *
 * rxlit_leading reads the start of a regex the same way: it skips what
 * takes no room, takes a run of plain characters, or steps into a
 * group (and on past it when the group may be absent); then it only
 * checks the rest for what could make the start offset matter.
 *
 * Ownership: see rxlit.h; the literals are written to the caller's
 * buffer, at most one byte per byte of the regex.
 */
#include <string.h>

#include "rxlit.h"
#include "sv.h"

struct rx {
	const char *s;
	size_t n, i;
	size_t min_len;
	char *buf;              /* the caller's; literals end at used */
	size_t used;
	int depth;
	int bail;               /* not understood: no clauses at all */
	int after_b;            /* the item before was \b */
	int run_word;           /* the current run starts a word */
};

enum last { LAST_NONE, LAST_LIT, LAST_GROUP };

static void alternation(struct rx *x, struct rxlit *out);

/* The shortest literal of c: a clause is as rare as its commonest. */
static size_t clause_len(const struct rxlit_clause *c)
{
	size_t m = RXLIT_MAX_LEN;
	for (size_t i = 0; i < c->n; i++)
		if (c->alt[i].n < m)
			m = c->alt[i].n;
	return m;
}

/* Add c to l; when l is full, c replaces a clause of shorter literals. */
static void add_clause(struct rxlit *l, const struct rxlit_clause *c)
{
	if (l->n < RXLIT_MAX_CLAUSES) {
		l->c[l->n++] = *c;
		return;
	}
	size_t worst = 0;
	for (size_t i = 1; i < l->n; i++)
		if (clause_len(&l->c[i]) < clause_len(&l->c[worst]))
			worst = i;
	if (clause_len(c) > clause_len(&l->c[worst]))
		l->c[worst] = *c;
}

static void add_all(struct rxlit *to, const struct rxlit *from)
{
	for (size_t i = 0; i < from->n; i++)
		add_clause(to, &from->c[i]);
}

/*
 * End the run of plain characters that started at buf[start]: keep it
 * as a clause when long enough, else give its bytes back.
 */
static void flush(struct rx *x, struct rxlit *seq, size_t start)
{
	size_t len = x->used - start;
	int word = x->run_word;
	x->run_word = 0;        /* the next run starts afresh */
	if (len < x->min_len || len == 0) {
		x->used = start;
		return;
	}
	struct rxlit_clause c;
	c.n = 1;
	c.alt[0] = sv_make(x->buf + start,
			   len > RXLIT_MAX_LEN ? RXLIT_MAX_LEN : len);
	c.word[0] = (unsigned char)word;
	add_clause(seq, &c);
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* A word character of \b (PCRE2's tables without UCP: ASCII only) */
static int is_word(unsigned char c)
{
	return is_alnum(c) || c == '_';
}

/* Read digits at x->i; @return their value (capped), or -1 if none. */
static long digits(struct rx *x)
{
	long v = -1;
	while (x->i < x->n && sv_is_digit(x->s[x->i])) {
		v = (v < 0 ? 0 : v) * 10 + (x->s[x->i] - '0');
		if (v > 65535)
			v = 65535;
		x->i++;
	}
	return v;
}

/*
 * A quantifier at x->i, if there is one: consume it with its lazy or
 * possessive mark.  @return its minimum, or -1 when there is none
 */
static long quantifier(struct rx *x)
{
	if (x->i >= x->n)
		return -1;
	long min;
	char c = x->s[x->i];
	if (c == '?' || c == '*' || c == '+') {
		min = c == '+';
		x->i++;
	} else if (c == '{') {
		/* only {n}, {n,} and {n,m}: any other brace is not sure */
		x->i++;
		min = digits(x);
		if (min >= 0 && x->i < x->n && x->s[x->i] == ',') {
			x->i++;
			(void)digits(x);
		}
		if (min < 0 || x->i >= x->n || x->s[x->i] != '}') {
			x->bail = 1;
			return -1;
		}
		x->i++;
	} else {
		return -1;
	}
	if (x->i < x->n && (x->s[x->i] == '?' || x->s[x->i] == '+'))
		x->i++;
	return min;
}

/*
 * An escape at x->i (the backslash).  @return the character it stands
 * for when it is a plain punctuation character, else -1 (a class, an
 * assertion or a control character: none is part of a literal)
 */
static int escape(struct rx *x)
{
	if (x->i + 1 >= x->n) {
		x->bail = 1;
		return -1;
	}
	unsigned char c = (unsigned char)x->s[x->i + 1];
	x->i += 2;
	if (c < 0x80 && !is_alnum(c))
		return c;
	if (c == 'N' && x->i < x->n && x->s[x->i] == '{')
		x->bail = 1;            /* \N{U+...} is a character */
	else if (!c || !strchr("dDsSwWhHvVRXCNbBAzZGKntrfae", c))
		x->bail = 1;            /* \x, \Q, \p{..}, \1, \g...: unsure */
	return -1;
}

/* Skip a character class; x->i is at its '['. */
static void skip_class(struct rx *x)
{
	x->i++;
	if (x->i < x->n && x->s[x->i] == '^')
		x->i++;
	if (x->i < x->n && x->s[x->i] == ']')
		x->i++;                 /* a leading ']' is a member */
	while (x->i < x->n) {
		char c = x->s[x->i];
		if (c == '\\') {
			if (x->i + 1 < x->n && x->s[x->i + 1] == 'Q')
				break;
			x->i += 2;
		} else if (c == '[' && x->i + 1 < x->n &&
			   x->s[x->i + 1] == ':') {
			/* [:alpha:], [:<:]: skip to its ":]" */
			size_t j = x->i + 2;
			while (j + 1 < x->n && x->s[j] != ']' &&
			       !(x->s[j] == ':' && x->s[j + 1] == ']'))
				j++;
			x->i = j + 1 < x->n && x->s[j] == ':' ? j + 2
							       : x->i + 1;
		} else if (c == ']') {
			x->i++;
			return;
		} else {
			x->i++;
		}
	}
	x->bail = 1;
}

/* Skip a group name up to and past the byte end. */
static void skip_name(struct rx *x, char end)
{
	while (x->i < x->n && x->s[x->i] != end)
		x->i++;
	if (x->i >= x->n)
		x->bail = 1;
	else
		x->i++;
}

/*
 * A group; x->i is at its '('.  @return 1 with its clauses in out when
 * it matches text (capturing, non-capturing, atomic, branch reset), 0
 * for an assertion, a comment or an option setting (out empty)
 */
static int group(struct rx *x, struct rxlit *out)
{
	int keep = 1;
	out->n = 0;
	x->i++;
	if (x->i < x->n && x->s[x->i] == '*') {
		x->bail = 1;            /* (*VERB), (*ACCEPT), (*pla:...) */
		return 0;
	}
	if (x->i < x->n && x->s[x->i] == '?') {
		x->i++;
		char c = x->i < x->n ? x->s[x->i] : '\0';
		char d = x->i + 1 < x->n ? x->s[x->i + 1] : '\0';
		if (c == '#') {
			skip_name(x, ')');
			return 0;
		} else if (c == ':' || c == '|' || c == '>') {
			x->i++;
		} else if (c == '=' || c == '!') {
			x->i++, keep = 0;
		} else if (c == '<' && (d == '=' || d == '!')) {
			x->i += 2, keep = 0;
		} else if (c == '<' || (c == 'P' && d == '<')) {
			skip_name(x, '>');
		} else if (c == '\'') {
			x->i++;
			skip_name(x, '\'');
		} else {
			/* option letters, then ':' (a group) or ')' */
			size_t j = x->i;
			while (j < x->n && x->s[j] && strchr("imnsJUa^-",
							     x->s[j]))
				j++;
			if (j == x->i || j >= x->n ||
			    (x->s[j] != ':' && x->s[j] != ')')) {
				x->bail = 1;    /* (?x), (?(, (?R), (?&... */
				return 0;
			}
			x->i = j + 1;
			if (x->s[j] == ')')
				return 0;
		}
	}
	if (x->bail)
		return 0;
	if (++x->depth > RXLIT_MAX_DEPTH) {
		x->bail = 1;
		return 0;
	}
	alternation(x, out);
	x->depth--;
	if (x->bail || x->i >= x->n || x->s[x->i] != ')') {
		x->bail = 1;
		return 0;
	}
	x->i++;
	if (!keep)
		out->n = 0;
	return keep;
}

/* One branch: up to '|', ')' or the end, into seq. */
static void sequence(struct rx *x, struct rxlit *seq)
{
	struct rxlit grp;
	enum last last = LAST_NONE;
	size_t start = x->used;         /* the current run */
	seq->n = 0;
	x->after_b = 0;
	while (x->i < x->n && !x->bail) {
		char c = x->s[x->i];
		if (c == '|' || c == ')')
			break;
		int after_b = x->after_b;
		x->after_b = 0;
		long min = quantifier(x);
		if (min >= 0) {
			/* a plain character that may be absent leaves */
			if (last == LAST_LIT && min == 0)
				x->used--;
			if (last == LAST_GROUP && min > 0)
				add_all(seq, &grp);
			flush(x, seq, start);
			start = x->used;
			last = LAST_NONE;
			continue;
		}
		if (x->bail)
			break;
		if (last == LAST_GROUP)
			add_all(seq, &grp);
		last = LAST_NONE;
		int lit = -1;
		if (c == '\\') {
			lit = escape(x);
			x->after_b = lit < 0 && !x->bail &&
				     x->s[x->i - 1] == 'b';
		} else if (c == '[') {
			skip_class(x);
		} else if (c == '(') {
			flush(x, seq, start);
			if (group(x, &grp))
				last = LAST_GROUP;
			x->after_b = 0; /* its last branch's, not ours */
			start = x->used;
			continue;
		} else if (c == '.' || c == '^' || c == '$' ||
			   (unsigned char)c >= 0x80) {
			x->i++;
		} else {
			lit = (unsigned char)c;
			x->i++;
		}
		if (lit >= 0) {
			if (x->used == start)   /* a run begins */
				x->run_word = after_b &&
					      is_word((unsigned char)lit);
			x->buf[x->used++] = (char)sv_lower((unsigned char)lit);
			last = LAST_LIT;
		} else {
			flush(x, seq, start);
			start = x->used;
		}
	}
	if (last == LAST_GROUP)
		add_all(seq, &grp);
	flush(x, seq, start);
}

/* The one-literal clause of l with the longest literal, or NULL. */
static const struct rxlit_clause *longest(const struct rxlit *l)
{
	const struct rxlit_clause *best = NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].n == 1 &&
		    (!best || l->c[i].alt[0].n > best->alt[0].n))
			best = &l->c[i];
	return best;
}

/* Add the literal of the one-literal clause l to c. */
static void add_alt(struct rxlit_clause *c, const struct rxlit_clause *l)
{
	c->alt[c->n] = l->alt[0];
	c->word[c->n++] = l->word[0];
}

/* Branches up to ')' or the end, into out. */
static void alternation(struct rx *x, struct rxlit *out)
{
	struct rxlit br;
	struct rxlit_clause any;        /* the longest literal per branch */
	int all = 1;                    /* every branch has one */
	any.n = 0;
	sequence(x, out);
	if (x->bail || x->i >= x->n || x->s[x->i] != '|')
		return;                 /* one branch: its own clauses */
	const struct rxlit_clause *l = longest(out);
	if (l)
		add_alt(&any, l);
	else
		all = 0;
	while (!x->bail && x->i < x->n && x->s[x->i] == '|') {
		x->i++;
		sequence(x, &br);
		l = longest(&br);
		if (l && any.n < RXLIT_MAX_ALTS)
			add_alt(&any, l);
		else
			all = 0;
	}
	out->n = 0;
	if (all)
		out->c[out->n++] = any;
}

size_t rxlit_required(const char *re, size_t n, size_t min_len, char *buf,
		      struct rxlit *out)
{
	struct rx x = { re, n, 0, min_len ? min_len : 1, buf, 0, 0, 0, 0,
			0 };
	alternation(&x, out);
	if (x.bail || x.i != n)
		out->n = 0;
	return out->n;
}

/*
 * The rest of a regex from x->i has no '|' outside groups, and nothing
 * that could hide one from this reading (\Q, extended mode, verbs).
 */
static int one_branch(struct rx *x)
{
	int depth = 0;
	while (x->i < x->n && !x->bail) {
		char c = x->s[x->i];
		if (c == '\\') {
			if (x->i + 1 < x->n && x->s[x->i + 1] == 'Q')
				return 0;
			x->i += 2;
		} else if (c == '[') {
			skip_class(x);
		} else if (c == '(') {
			size_t j = ++x->i;
			if (j < x->n && x->s[j] == '*')
				return 0;       /* (*VERB) */
			if (j < x->n && x->s[j] == '?')
				for (j++; j < x->n && x->s[j] &&
				     strchr("imnsxJUa^-", x->s[j]); j++)
					if (x->s[j] == 'x')
						return 0;
			depth++;
		} else if (c == ')') {
			if (--depth < 0)
				return 0;
			x->i++;
		} else if (c == '|' && depth == 0) {
			return 0;
		} else {
			x->i++;
		}
	}
	return !x->bail && depth == 0;
}

size_t rxlit_forbidden(const char *re, size_t n, size_t min_len, char *buf,
		       struct rxlit_clause *out)
{
	static const char pre[] = "^(?![\\s\\S]*";
	const size_t np = sizeof pre - 1;
	struct rx x = { re, n, np, min_len ? min_len : 1, buf, 0, 0, 0, 0,
			0 };
	out->n = 0;
	if (n < np || memcmp(re, pre, np))
		return 0;
	int grp = n - np >= 3 && !memcmp(re + np, "(?:", 3);
	if (grp)
		x.i += 3;
	for (;;) {
		size_t start = x.used;
		while (x.i < x.n) {
			unsigned char c = (unsigned char)re[x.i];
			if (c == '\\' && x.i + 1 < x.n &&
			    (unsigned char)re[x.i + 1] < 0x80 &&
			    !is_alnum((unsigned char)re[x.i + 1])) {
				c = (unsigned char)re[x.i + 1];
				x.i++;
			} else if (c >= 0x80 || strchr("\\.^$|()[]{}*+?", c)) {
				break;  /* '|' or ')' ends it; else unsure */
			}
			x.buf[x.used++] = (char)sv_lower(c);
			x.i++;
		}
		size_t len = x.used - start;
		if (len == 0 || x.i >= x.n)
			break;
		if (len >= x.min_len && out->n < RXLIT_MAX_ALTS) {
			out->alt[out->n] = sv_make(buf + start, len);
			out->word[out->n++] = 0;
		}
		char c = re[x.i++];
		if (grp && c == '|')
			continue;
		if (grp && c == ')' && x.i < x.n && re[x.i] == ')')
			x.i++;
		else if (grp || c != ')')
			break;
		/* the lookahead has ended: the rest has one branch */
		return one_branch(&x) ? out->n : (out->n = 0);
	}
	out->n = 0;
	return 0;
}

/* ---- the literals a match starts with (rxlit_leading) ---------------- */

/*
 * Skip the rest of a branch, up to its '|' or ')' (not consumed) or
 * the end; bail on what could change where a match may start or how
 * the regex reads (\G, \Q, verbs, extended mode, callouts...).
 */
static void skip_branch(struct rx *x)
{
	int depth = 0;
	while (x->i < x->n && !x->bail) {
		char c = x->s[x->i];
		if (c == '\\') {
			char d = x->i + 1 < x->n ? x->s[x->i + 1] : 'Q';
			if (d == 'G' || d == 'Q')
				x->bail = 1;
			x->i += 2;
		} else if (c == '[') {
			skip_class(x);
		} else if (c == '(') {
			size_t j = ++x->i;
			char d = j < x->n ? x->s[j] : '*';
			if (d == '*') {
				x->bail = 1;
			} else if (d == '?') {
				for (j++; j < x->n && x->s[j] &&
				     strchr("imnsJUa^-", x->s[j]); j++)
					;
				char e = j < x->n ? x->s[j] : '\0';
				if (!e || !strchr(":)|>=!<P'", e))
					x->bail = 1;    /* (?x (?( (?# (?R */
			}
			depth++;
		} else if (c == ')' || c == '|') {
			if (depth == 0)
				return;
			depth -= c == ')';
			x->i++;
		} else {
			x->i++;
		}
	}
	if (depth)
		x->bail = 1;
}

static int lead_alt(struct rx *x, struct rxlit_clause *out, int top,
		    int after_b);

/* Add the literal buf[start..x->used) to out.  @return 0 if it cannot */
static int lead_add(struct rx *x, struct rxlit_clause *out, size_t start,
		    int word)
{
	size_t len = x->used - start;
	if (len == 0 || len < x->min_len || out->n == RXLIT_MAX_ALTS)
		return 0;
	out->alt[out->n] = sv_make(x->buf + start,
				   len > RXLIT_MAX_LEN ? RXLIT_MAX_LEN : len);
	out->word[out->n++] = (unsigned char)word;
	return 1;
}

/*
 * Open the group at x->i ('('), up to its body.  @return 1 for a group
 * that matches text, 0 for one that takes no room (lookaround, comment,
 * option setting), already skipped whole, -1 when unsure
 */
static int lead_open(struct rx *x)
{
	size_t j = ++x->i;
	char c = j < x->n ? x->s[j] : '\0';
	char d = j + 1 < x->n ? x->s[j + 1] : '\0';
	if (c == '*')
		return -1;
	if (c != '?')
		return 1;
	x->i++;
	if (d == ':' || d == '|' || d == '>') {
		x->i++;
		return 1;
	}
	if (d == '<' && j + 2 < x->n &&
	    (x->s[j + 2] == '=' || x->s[j + 2] == '!')) {
		x->i += 2;
	} else if (d == '=' || d == '!') {
		x->i++;
	} else if (d == '<' || (d == 'P' && j + 2 < x->n &&
				x->s[j + 2] == '<')) {
		skip_name(x, '>');
		return x->bail ? -1 : 1;
	} else if (d == '\'') {
		x->i++;
		skip_name(x, '\'');
		return x->bail ? -1 : 1;
	} else if (d == '#') {
		skip_name(x, ')');
		return x->bail ? -1 : 0;
	} else {
		size_t k = x->i;
		while (k < x->n && x->s[k] && strchr("imnsJUa^-", x->s[k]))
			k++;
		if (k == x->i || k >= x->n ||
		    (x->s[k] != ':' && x->s[k] != ')'))
			return -1;
		x->i = k + 1;
		return x->s[k] == ':';
	}
	/* a lookaround: skip its branches and the ')' */
	for (;;) {
		skip_branch(x);
		if (x->bail || x->i >= x->n)
			return -1;
		if (x->s[x->i++] == ')')
			return 0;
	}
}

/*
 * One branch from x->i: add to out the literals its matches start
 * with.  @return 1 when known (the rest of the branch is not read),
 * 0 when not
 */
static int lead_seq(struct rx *x, struct rxlit_clause *out, int after_b)
{
	while (x->i < x->n && !x->bail) {
		char c = x->s[x->i];
		int lit = -1;
		if (c == '^') {
			x->i++;
			after_b = 0;
			if (quantifier(x) >= 0)
				return 0;
			continue;
		} else if (c == '\\') {
			char d = x->i + 1 < x->n ? x->s[x->i + 1] : '\0';
			if (d == 'b' || d == 'B') {
				x->i += 2;
				after_b = d == 'b';
				if (quantifier(x) >= 0)
					return 0;
				continue;
			}
			lit = escape(x);
			if (lit < 0)
				return 0;
		} else if (c == '(') {
			int kind = lead_open(x);
			if (kind < 0 || x->bail)
				return 0;
			if (kind == 0) {        /* takes no room */
				after_b = 0;
				if (quantifier(x) >= 0)
					return 0;
				continue;
			}
			if (!lead_alt(x, out, 0, after_b))
				return 0;
			long min = quantifier(x);
			if (x->bail)
				return 0;
			if (min != 0)           /* it must match: done */
				return 1;
			after_b = 0;            /* may be absent: or next */
			continue;
		} else if ((unsigned char)c >= 0x80 ||
			   strchr("|).[$*+?{}", c)) {
			return 0;
		} else {
			lit = (unsigned char)c;
			x->i++;
		}
		/* a run of plain characters from lit on */
		size_t start = x->used;
		int word = after_b && is_word((unsigned char)lit);
		for (;;) {
			x->buf[x->used++] = (char)sv_lower((unsigned char)lit);
			long min = quantifier(x);
			if (x->bail)
				return 0;
			if (min == 0)
				x->used--;      /* it may be absent */
			if (min >= 0 || x->i >= x->n)
				break;
			c = x->s[x->i];
			if (c == '\\') {
				size_t at = x->i;
				lit = escape(x);
				if (lit < 0) {
					x->i = at;
					x->bail = 0;
					break;
				}
			} else if ((unsigned char)c < 0x80 &&
				   !strchr("\\.^$|()[]{}*+?", c)) {
				lit = (unsigned char)c;
				x->i++;
			} else {
				break;
			}
		}
		return lead_add(x, out, start, word);
	}
	return 0;
}

/*
 * Branches up to ')' (consumed, inside a group) or the end (top): add
 * the literals each starts with to out.  @return 1 when every branch's
 * are known
 */
static int lead_alt(struct rx *x, struct rxlit_clause *out, int top,
		    int after_b)
{
	if (++x->depth > RXLIT_MAX_DEPTH)
		return 0;
	for (;;) {
		if (!lead_seq(x, out, after_b))
			return 0;
		skip_branch(x);
		if (x->bail)
			return 0;
		if (x->i >= x->n)
			break;
		if (x->s[x->i++] == ')') {
			if (top)
				return 0;
			x->depth--;
			return 1;
		}
	}
	x->depth--;
	return top;
}

size_t rxlit_leading(const char *re, size_t n, size_t min_len, char *buf,
		     struct rxlit_clause *out)
{
	struct rx x = { re, n, 0, min_len ? min_len : 1, buf, 0, 0, 0, 0,
			0 };
	out->n = 0;
	if (!lead_alt(&x, out, 1, 0) || x.bail || x.i != n)
		out->n = 0;
	return out->n;
}
