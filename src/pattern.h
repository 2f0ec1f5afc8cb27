/* SPDX-License-Identifier: MIT */
/*
 * pattern.h -- the pattern table: free-text log entries (DNS lookups, TLS
 * and certificate errors, HRESULTs, autodiscovery results, CertProv and
 * web-ticket lines...) recognised by PCRE2 patterns kept as data
 * (rules/patterns.tsv, grammar in rules/README), which a user extends
 * with their own files without recompiling.  It sits beside the
 * message stage: entries (parser.h REC_ENTRY) in, named events with
 * their captured fields out, for the session builder (sess.c).
 *
 * A table is compiled once (pattern_load) into an immutable struct
 * pat_table and then matched many times.  Each pattern has a literal
 * "needle" that must occur in the text before its regex is run, and so
 * must the other literals its regex cannot match without (rxlit.h), so
 * the cost on lines that match nothing is one scan for all literals.
 *
 * Ownership: pattern_load returns an owned table (pattern_free);
 * the struct pat_event given to a callback is valid only during that
 * call; a copy of it stays valid while both the table (name, explain,
 * the capture names) and the matched text (text, match, the capture
 * values) do, as par.c relies on.  Matching reuses per-table match data,
 * so one table is used by one thread at a time (pattern_clone gives
 * another thread its own).
 */
#ifndef SFB_PATTERN_H
#define SFB_PATTERN_H

#include <stdint.h>

#include "sfb.h"

#ifndef SFB_MAX_PATTERNS
#define SFB_MAX_PATTERNS 1024    /* patterns in one table */
#endif
#define PAT_MAX_CAPS 8          /* named captures reported per event */

struct pat_cap {
	struct sv name, value;
};

struct pat_event {
	const char *name;       /* the pattern's event name, "dns.fail" */
	enum sfb_step step;     /* the sign-in step it is evidence for */
	int sev;                /* SFB_SEV_INFO / _WARNING / _ERROR (ana.h) */
	int fails_step;         /* 1: the step failed (effect "fail") */
	int ok_step;            /* 1: the step worked (effect "ok") */
	const char *explain;    /* the table's explanation text, may be "" */
	struct sv text;         /* the matched entry text */
	struct sv match;        /* the part of text the regex matched */
	struct pat_cap caps[PAT_MAX_CAPS]; /* named groups that matched */
	size_t ncaps;
};

struct pat_table;

/*
 * Load and compile pattern files, in order; a later file may add
 * patterns, never change earlier ones.
 * @param paths  files to read (NULL-terminated array)
 * @return the table, or NULL with err filled: SFB_E_IO (cannot read),
 *         SFB_E_RULE (err->msg "FILE:LINE:COL: ...", err->line/col set)
 */
struct pat_table *pattern_load(const char *const *paths,
				   struct sfb_err *err);
/*
 * Run every pattern on text; call on_event for each one that matches
 * (at most one event per pattern per text), in table order.
 * @return the number of events, or the non-zero return of on_event
 *         negated (matching stops there)
 */
int pattern_match(struct pat_table *t, struct sv text,
		     int (*on_event)(void *ud, const struct pat_event *ev),
		     void *ud);
/*
 * A table for another thread: it shares t's compiled patterns and has
 * its own match data.  t must outlive it; pattern_free frees only what
 * is its own.  @return the clone (owned)
 */
struct pat_table *pattern_clone(const struct pat_table *t);
/* Number of patterns loaded. */
size_t pattern_count(const struct pat_table *t);
/*
 * For tests: on (the default) a regex runs only where the literals it
 * needs besides its needle occur (rxlit.h); off, wherever its needle
 * does: the slow reference the fast path must agree with.
 */
void pattern_set_derived(struct pat_table *t, int on);
void pattern_free(struct pat_table *t);

#endif
