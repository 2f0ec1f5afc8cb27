/* SPDX-License-Identifier: MIT */
/*
 * rep_triage_html.h -- the HTML page of `sfblog triage -o html`
 * (reporters): fed one result at a time, in input order, by
 * triage_run's sink, like rep_triage.h; the page is written at the end:
 * a summary, one table row per source and user (sorted by severity,
 * sortable by the page's script), the inputs with problems, and the
 * detail of the most severe sign-ins, made by the workers
 * (tri_config.detail = rep_html_tri_detail).
 *
 * Bounded: at most max_detail sign-ins detailed and
 * REP_TRIAGE_HTML_MAX_ROWS rows (the most severe, then the first, kept
 * in both); the page says what was left out.
 *
 * Ownership: the FILE is borrowed; the struct is the caller's
 * (rep_triage_html_new / rep_triage_html_free) and copies what it
 * keeps of each result.
 */
#ifndef SFB_REP_TRIAGE_HTML_H
#define SFB_REP_TRIAGE_HTML_H

#include <stdio.h>

#include "triage.h"

#define REP_TRIAGE_HTML_MAX_DETAIL 100  /* default sign-ins detailed */
#define REP_TRIAGE_HTML_MAX_ROWS 2000
#define REP_TRIAGE_HTML_MAX_PROBLEMS 1000

struct rep_triage_html;

/*
 * @param nonce      the CSP script nonce; NULL: random
 * @param max_detail sign-ins detailed (0: REP_TRIAGE_HTML_MAX_DETAIL);
 *                   give triage_run the same as tri_config.max_detail
 */
struct rep_triage_html *rep_triage_html_new(FILE *out, const char *nonce,
					    size_t max_detail);
void rep_triage_html_result(struct rep_triage_html *t,
			    const struct tri_result *r);
/* Write the page. @return 0 */
int rep_triage_html_end(struct rep_triage_html *t);
/* The totals so far (for the exit status). */
const struct tri_total *rep_triage_html_total(
	const struct rep_triage_html *t);
void rep_triage_html_free(struct rep_triage_html *t);

#endif
