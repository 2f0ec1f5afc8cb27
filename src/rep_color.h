/* SPDX-License-Identifier: MIT */
/*
 * rep_color.h -- the terminal colours of the text reporters (stage 7):
 * red errors, yellow warnings, cyan info, green for nothing found, dim
 * evidence.  The caller decides whether to colour at all (a terminal,
 * NO_COLOR, --color); col() gives "" when it does not.
 */
#ifndef SFB_REP_COLOR_H
#define SFB_REP_COLOR_H

#include "sfb.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_GREEN "\033[32m"
#define C_DIM "\033[2m"

static inline const char *col(int color, const char *code)
{
	return color ? code : "";
}

/* The colour of a severity; none (nothing found) is green. */
static inline const char *sev_color(enum sfb_sev s)
{
	return s == SFB_SEV_ERROR ? C_RED : s == SFB_SEV_WARNING ? C_YELLOW
	       : s == SFB_SEV_INFO ? C_CYAN : C_GREEN;
}

#endif
