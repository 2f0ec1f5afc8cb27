/* SPDX-License-Identifier: MIT */
/*
 * grep.h -- compiled regular expressions (PCRE2, 8-bit, JIT when the
 * library has it) for the filters and, later, the rule engine.  The
 * only module that calls pcre2_*.  Compile once, match many: the match
 * data is allocated at compile time and reused.  Every match runs with
 * a match limit (GREP_MATCH_LIMIT), a depth limit (GREP_DEPTH_LIMIT), a
 * heap limit (GREP_HEAP_KIB) and a JIT stack of at most GREP_JIT_STACK,
 * so a user's pattern cannot hang a run or overflow a stack: a limit
 * hit is an error the caller reports, never a silent "no match".
 *
 * Ownership: grep_new returns an owned object freed with
 * grep_free (NULL is a no-op).  Subjects are borrowed per call.
 * grep_match reuses the object's match data, so an object used with it
 * is not shared between threads; grep_exec takes the match data from
 * the caller (struct grep_md, one per thread) and leaves the object
 * untouched, so one compiled object serves several threads.
 */
#ifndef SFB_GREP_H
#define SFB_GREP_H

#include "sfb.h"

#ifndef GREP_MATCH_LIMIT
#define GREP_MATCH_LIMIT 100000u
#endif
#ifndef GREP_DEPTH_LIMIT
#define GREP_DEPTH_LIMIT 10000u
#endif
#define GREP_HEAP_KIB (16u * 1024)      /* backtracking memory */
#define GREP_JIT_STACK (512u * 1024)    /* largest JIT stack */

struct grep_re;
struct grep_md;

/*
 * Compile pattern (UTF-8 is not assumed: logs are bytes).
 * @param caseless non-zero for case-insensitive matching
 * @return the compiled object, or NULL with err filled (SFB_E_REGEX,
 *         err->col = 1-based offset of the error in the pattern)
 */
struct grep_re *grep_new(const char *pattern, int caseless,
			    struct sfb_err *err);
/* The same for a pattern of n bytes (it may hold NUL bytes). */
struct grep_re *grep_new_n(const char *pattern, size_t n, int caseless,
			   struct sfb_err *err);
/*
 * @return 1 on a match anywhere in subject, 0 on none, -1 when the
 *         subject could not be tested (a limit above was hit, or another
 *         match error) with err filled (SFB_E_LIMIT, PCRE2's text)
 */
int grep_match(struct grep_re *re, struct sv subject, struct sfb_err *err);

/* Match data for grep_exec, one per thread.  @return owned, never NULL */
struct grep_md *grep_md_new(void);
void grep_md_free(struct grep_md *md);
/*
 * Match re on subject with the caller's match data (NULL: a temporary
 * one is made for this call).  re is only read.
 * @return 1 on a match, 0 on none, -1 when a limit was hit or the match
 *         failed otherwise (the caller counts it as no match)
 */
int grep_exec(const struct grep_re *re, struct grep_md *md,
	      struct sv subject);
/* Library version, e.g. "10.42 2022-12-11" (into out). @return out */
const char *grep_version(char *out, size_t outsz);
void grep_free(struct grep_re *re);

#endif
