/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.h -- the `sfblog diff GOOD BAD` command (cmd_diff.c): runs
 * the engine on each file, keeps the chosen sign-in of each, compares
 * them (diff.c) and prints the differences, text or JSON.  Also the
 * text and JSON form of `triage --compare` (compare.c).  CLI code,
 * called by main.c with the options it parsed: it prints, never exits.
 */
#ifndef SFB_CMD_DIFF_H
#define SFB_CMD_DIFF_H

#include <stdio.h>

#include "compare.h"
#include "parser.h"
#include "pattern.h"

struct rules;

struct cmd_diff_opts {
	enum fmt_kind format;
	size_t max_line, max_msg, max_txn, max_warn;
	int json;                       /* -o json, else text */
	int color;                      /* text: terminal colours */
	int quiet, strict;
	unsigned good_session, bad_session;     /* 0: the default pick */
	struct pat_table *patterns;     /* borrowed, may be NULL */
	const struct rules *rules;      /* borrowed, may be NULL */
};

/*
 * Compare the sign-ins of good and bad ("FILE" or "FILE@N" when no
 * file of that whole name exists).
 * @return the exit code: 0 no difference, 1 differences, 2 error
 */
int cmd_diff_run(const struct cmd_diff_opts *o, const char *good,
		 const char *bad);

/* triage --compare: the separating facts, as text or a JSON record
 * ({"type":"compare",...}; doc: an element of the records array). */
void cmd_diff_compare_text(FILE *out, struct compare *c);
void cmd_diff_compare_json(FILE *out, struct compare *c, int doc,
			   size_t *count);

#endif
