/* SPDX-License-Identifier: MIT */
/*
 * rxlit.h -- the literals a PCRE2 regex cannot match without.  The
 * pattern table (pattern.c) runs a regex only on texts that hold its
 * needle; rxlit reads the regex itself for more such literals, so a
 * pattern whose needle is common ("lyncdiscover", "sip.") waits for the
 * rarer words its regex also needs ("returned", "failed"...).  It sits
 * beside the pattern table, at load time only.
 *
 * The answer is a conjunction of clauses, each a disjunction of
 * literals: every match of the regex contains, for every clause, at
 * least one of its literals (ASCII case ignored, as the table compiles
 * its regexes caseless).  It is conservative: a construct it does not
 * know for sure (verbs, conditionals, \Q, extended mode, escapes that
 * are not plain characters...) gives no clauses at all, never a wrong
 * one.  Only the top-level sequence, groups that must match and
 * alternations whose every branch has a literal are read.  A literal
 * that starts with a word character right after \b is marked so: in
 * the text, the byte before it is not a word character (ASCII letters,
 * digits, '_'), or it is at the start.
 *
 * Ownership: the result lives in the caller's struct rxlit; its
 * literals are views into the buffer given to rxlit_required, which
 * must outlive them.  Nothing is allocated.
 */
#ifndef SFB_RXLIT_H
#define SFB_RXLIT_H

#include <stddef.h>
#include <stdint.h>

#include "sfb.h"

#define RXLIT_MAX_CLAUSES 8     /* clauses kept per regex */
#define RXLIT_MAX_ALTS 12       /* literals in one clause */
#define RXLIT_MAX_LEN 48        /* a longer literal keeps its start */
#define RXLIT_MAX_DEPTH 32      /* deeper groups: no clauses */

struct rxlit_clause {
	size_t n;                       /* literals, 1..RXLIT_MAX_ALTS */
	struct sv alt[RXLIT_MAX_ALTS];  /* into the caller's buffer */
	unsigned char word[RXLIT_MAX_ALTS]; /* 1: alt[i] starts a word */
};

struct rxlit {
	size_t n;                       /* clauses */
	struct rxlit_clause c[RXLIT_MAX_CLAUSES];
};

/*
 * Find the required literals of the regex re[0..n) (already compiled
 * by PCRE2, so its syntax is valid), keeping only literals of at least
 * min_len bytes.  The literals are written, lower-cased, to buf, which
 * must hold n bytes.  @return the number of clauses (out->n), 0 when
 * none is known
 */
size_t rxlit_required(const char *re, size_t n, size_t min_len, char *buf,
		      struct rxlit *out);
/*
 * The literals that rule a match out: a regex of one branch that starts
 * with "^(?![\s\S]*LIT)" or "^(?![\s\S]*(?:LIT|LIT...))", LIT plain
 * characters, cannot match a text that holds one of them anywhere (the
 * ^ without multiline is the start of the text, ASCII case ignored as
 * above).  Literals shorter than min_len are left out (fewer texts are
 * ruled out, no match is).  They are written, lower-cased, to buf
 * (n bytes).  @return out->n, 0 when the regex is not of that form
 */
size_t rxlit_forbidden(const char *re, size_t n, size_t min_len, char *buf,
		       struct rxlit_clause *out);

/*
 * The literals every match starts with: a regex whose matches all begin
 * with one of them (ASCII case ignored), after what takes no room (^,
 * \b, \B, lookarounds, option settings): a run of plain characters,
 * a group that must match and whose every branch starts so, or groups
 * that may be absent followed by more of the same ("(?:A...)?B" starts
 * with A or B).  A text holds none of them: the regex cannot match it;
 * else no match starts before the first one, so PCRE2 may start there
 * (the text before stays visible to lookbehinds and \b).  A literal
 * that starts a word is marked so (as above).  Conservative: anything
 * else first (a class, '.', an escape that is not a character, a
 * character that may be absent), a literal shorter than min_len, more
 * than RXLIT_MAX_ALTS literals, and \G, \Q, verbs or extended mode
 * anywhere give none.  The literals are written, lower-cased, to buf
 * (n bytes).  @return out->n, 0 when none is known
 */
size_t rxlit_leading(const char *re, size_t n, size_t min_len, char *buf,
		     struct rxlit_clause *out);

#endif
