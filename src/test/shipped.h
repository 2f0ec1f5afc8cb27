/* SPDX-License-Identifier: MIT */
/*
 * shipped.h -- the shipped pattern table and rules (rules/, read from
 * the source tree) for the targets that drive the whole pipeline to
 * its reporters (fuzz_report.c, fuzz_rep_html.c): loaded once, kept
 * for the process's life; NULL when they cannot be read.
 * Header-only (static functions) so each test program links it alone.
 */
#ifndef SFB_TEST_SHIPPED_H
#define SFB_TEST_SHIPPED_H

#include "expr.h"
#include "field.h"
#include "pattern.h"
#include "rules.h"
#include "sfb.h"

static void shipped(struct pat_table **patterns, const struct rules **rules)
{
	static int tried;
	static struct pat_table *t;
	static struct rules *rs;
	static const struct expr_env fields = { field_resolve, NULL, NULL,
						NULL };
	if (!tried) {
		const char *paths[] = { "rules/patterns.tsv", NULL };
		const char *dirs[] = { "rules", NULL };
		struct sfb_err err;
		tried = 1;
		t = pattern_load(paths, &err);
		rs = rules_load(dirs, &fields, &err);
	}
	*patterns = t;
	*rules = rs;
}

#endif
