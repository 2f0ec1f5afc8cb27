/* SPDX-License-Identifier: MIT */
/*
 * rep_triage.h -- the text report of `sfblog triage` (reporters): fed
 * one result at a time, in input order, by triage_run's sink; prints
 * the summary table, the problems and the closing count at the end.
 * Ownership: the FILE is borrowed; rep_triage_free frees the rest.
 */
#ifndef SFB_REP_TRIAGE_H
#define SFB_REP_TRIAGE_H

#include <stdio.h>

#include "triage.h"

struct rep_triage;

/*
 * Output kinds: the bytes of one result, for tri_sink.format (called on
 * a worker's thread; ud unused).  detail: the text report's -v lines
 * of a stream; ndjson: one record a line; json: the records separated
 * by ",\n" (the caller puts ",\n" between two results' bytes).
 */
void rep_triage_fmt_detail(const void *ud, const struct tri_result *r,
			   FILE *out);
void rep_triage_fmt_ndjson(const void *ud, const struct tri_result *r,
			   FILE *out);
void rep_triage_fmt_json(const void *ud, const struct tri_result *r,
			 FILE *out);

/* verbose: print each stream's sessions and findings as they come. */
struct rep_triage *rep_triage_new(FILE *out, int verbose);
/* Take a result (its bytes: rep_triage_fmt_detail's, if -v). */
void rep_triage_result(struct rep_triage *t, const struct tri_result *r);
/* The table, the problems and the closing count. @return 0 */
int rep_triage_end(struct rep_triage *t);
/* The totals so far (for the exit status). */
const struct tri_total *rep_triage_total(const struct rep_triage *t);
void rep_triage_free(struct rep_triage *t);

#endif
