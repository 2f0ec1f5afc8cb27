/* SPDX-License-Identifier: MIT */
/*
 * rule_re.h -- compiled regular expressions (PCRE2, 8-bit, JIT when the
 * library has it) for the filters and, later, the rule engine.  The
 * only module that calls pcre2_*.  Compile once, match many: the match
 * data is allocated at compile time and reused.
 *
 * Ownership: rule_re_new returns an owned object freed with
 * rule_re_free (NULL is a no-op).  Subjects are borrowed per call.  An
 * object is not shared between threads (its match data is reused).
 */
#ifndef SFB_RULE_RE_H
#define SFB_RULE_RE_H

#include "sfb.h"

struct rule_re;

/*
 * Compile pattern (UTF-8 is not assumed: logs are bytes).
 * @param caseless non-zero for case-insensitive matching
 * @return the compiled object, or NULL with err filled (SFB_E_REGEX,
 *         err->col = 1-based offset of the error in the pattern)
 */
struct rule_re *rule_re_new(const char *pattern, int caseless,
			    struct sfb_err *err);
/* @return 1 on a match anywhere in subject, 0 on none */
int rule_re_match(struct rule_re *re, struct sv subject);
/* Library version, e.g. "10.42 2022-12-11" (into out). @return out */
const char *rule_re_version(char *out, size_t outsz);
void rule_re_free(struct rule_re *re);

#endif
