/* SPDX-License-Identifier: MIT */
/*
 * grep.h -- compiled regular expressions (PCRE2, 8-bit, JIT when the
 * library has it) for the filters and, later, the rule engine.  The
 * only module that calls pcre2_*.  Compile once, match many: the match
 * data is allocated at compile time and reused.
 *
 * Ownership: grep_new returns an owned object freed with
 * grep_free (NULL is a no-op).  Subjects are borrowed per call.  An
 * object is not shared between threads (its match data is reused).
 */
#ifndef SFB_GREP_H
#define SFB_GREP_H

#include "sfb.h"

struct grep_re;

/*
 * Limits of one match, the same as the pattern table's (pattern.c): a
 * pattern that backtracks without end on a big body stops with an
 * error instead of running for hours or overflowing a stack.
 */
#define GREP_MATCH_LIMIT 1000000        /* match and depth limit */
#define GREP_HEAP_KIB (16 * 1024)       /* backtracking memory */
#define GREP_JIT_STACK (512 * 1024)     /* largest JIT stack */

/*
 * Compile pattern (UTF-8 is not assumed: logs are bytes).
 * @param caseless non-zero for case-insensitive matching
 * @return the compiled object, or NULL with err filled (SFB_E_REGEX,
 *         err->col = 1-based offset of the error in the pattern)
 */
struct grep_re *grep_new(const char *pattern, int caseless,
			    struct sfb_err *err);
/*
 * @return 1 on a match anywhere in subject, 0 on none, -1 when the
 *         subject could not be tested (a limit above was hit, or another
 *         match error) with err filled (SFB_E_LIMIT, PCRE2's text)
 */
int grep_match(struct grep_re *re, struct sv subject, struct sfb_err *err);
/* Library version, e.g. "10.42 2022-12-11" (into out). @return out */
const char *grep_version(char *out, size_t outsz);
void grep_free(struct grep_re *re);

#endif
