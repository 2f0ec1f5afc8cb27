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
 * Compile pattern (UTF-8 is not assumed: logs are bytes).
 * @param caseless non-zero for case-insensitive matching
 * @return the compiled object, or NULL with err filled (SFB_E_REGEX,
 *         err->col = 1-based offset of the error in the pattern)
 */
struct grep_re *grep_new(const char *pattern, int caseless,
			    struct sfb_err *err);
/* @return 1 on a match anywhere in subject, 0 on none */
int grep_match(struct grep_re *re, struct sv subject);
/* Library version, e.g. "10.42 2022-12-11" (into out). @return out */
const char *grep_version(char *out, size_t outsz);
void grep_free(struct grep_re *re);

#endif
