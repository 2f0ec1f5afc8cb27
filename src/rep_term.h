/* SPDX-License-Identifier: MIT */
/*
 * rep_term.h -- the text report of `sfblog analyze` for one stream (the
 * last stage of the pipeline, an engine sink like rep_html): it takes
 * the closed sessions and their findings as they come, keeps what the
 * report needs within fixed caps, and at the end of the stream prints,
 * in this order:
 *
 *   the verdict line (first: who failed, the top finding);
 *   one line per sign-in, or past max_lines sign-ins a table of users
 *   (sign-ins, signed in, failed, other, top finding);
 *   the findings, most severe first (without -v: each rule once with
 *   its explanation, then the other sign-ins it was found in; info
 *   findings one line per rule);
 *   without -v: the failing sign-ins in detail (the first max_detail),
 *   the parse warnings and a one-line hint to use -v;
 *   with -v: every sign-in in detail (up to max_detail) and the
 *   statistics; -vv: every evidence line and property too.
 *
 * The report's size and memory are bounded by the caps, not by the log:
 * at most max_lines lines, 10 * max_lines users by name (the others
 * counted together), REP_TERM_FINDINGS findings, max_detail blocks (on a
 * temporary file until the end).
 *
 * Ownership: a struct rep_term is the caller's (rep_term_new/free); what
 * the callbacks get is borrowed for the call.
 */
#ifndef SFB_REP_TERM_H
#define SFB_REP_TERM_H

#include <stdio.h>

#include "rep.h"

#define REP_TERM_LINES 100      /* default max_lines */
#define REP_TERM_DETAIL 10      /* default max_detail, failing ones */
#define REP_TERM_DETAIL_V 1000  /* default max_detail with -v */
#define REP_TERM_FINDINGS 100   /* findings kept per stream */
#define REP_TERM_RULES 256      /* rules counted apart per stream */

struct rep_term_opts {
	int color;
	int verbose;            /* 0, 1 (-v) or 2 (-vv) */
	int width;              /* columns of the terminal; 0: no limit */
	size_t max_lines;       /* 0: REP_TERM_LINES */
	size_t max_detail;      /* 0: REP_TERM_DETAIL (-v: _DETAIL_V) */
};

struct rep_term;

/* @return NULL when no temporary file can be made (errno set) */
struct rep_term *rep_term_new(FILE *out, const struct rep_term_opts *o);
/* Engine sink callbacks (ud: the struct rep_term). */
void rep_term_on_session(void *ud, const struct sess *s,
			 const struct finding *f, size_t nf);
void rep_term_on_end(void *ud, const struct ana *a,
		     const struct finding *f, size_t nf);
void rep_term_free(struct rep_term *t);

#endif
