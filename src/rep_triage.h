/* SPDX-License-Identifier: MIT */
/*
 * rep_triage.h -- the text report of `sfblog triage` (reporters): fed
 * one result at a time, in input order, by triage_run's sink; prints
 * the summary table, the problems and the closing count at the end.
 * Ownership: the FILE is borrowed; rep_triage_free frees the rest.
 */
#ifndef SFB_REP_TRIAGE_H
#define SFB_REP_TRIAGE_H

#include <stdint.h>
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

/*
 * A row of the triage reports (this one and rep_triage_html.c): one
 * source and user, their sign-ins by outcome, and the top finding.
 */
struct rep_triage_row {
	uint64_t order;         /* rows before it */
	char *source;           /* owned */
	char user[128];
	uint64_t signins, signed_in, failed, incomplete;
	enum sfb_sev sev;
	char top[300];          /* "rule: title", or the failure's text */
};

/* A new row (order) of r's source and of user. */
void rep_triage_row_init(struct rep_triage_row *w, uint64_t order,
			 const struct tri_result *r, const char *user);
/* One more sign-in of the row, counted by its outcome. */
void rep_triage_row_count(struct rep_triage_row *w,
			  const struct tri_sess *s);
/* qsort order of rows (or of structs that start with one): most
 * severe first, then in input order. */
int rep_triage_row_cmp(const void *x, const void *y);
/* Some file of r was read without a problem. */
int rep_triage_clean(const struct tri_result *r);

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
