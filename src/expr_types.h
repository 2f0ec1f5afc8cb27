/* SPDX-License-Identifier: MIT */
/*
 * expr_types.h -- the value types shared by the expression language
 * (expr.c, rule conditions) and the field table (field.c) that feeds
 * it: scopes, types, values.  Sixth stage of the pipeline (rules).
 */
#ifndef SFB_EXPR_TYPES_H
#define SFB_EXPR_TYPES_H

#include <stdint.h>

#include "sfb.h"

enum expr_scope { EXPR_SCOPE_MSG = 1, EXPR_SCOPE_EVENT,
		  EXPR_SCOPE_SESSION };
#define EXPR_SCOPE_BIT(s) (1u << (s))

enum expr_type { EXPR_T_BOOL = 1, EXPR_T_INT, EXPR_T_STR };

/* A value; s borrows from the item evaluated, valid during the call. */
struct expr_value {
	enum expr_type type;
	int64_t i;              /* bool (0/1) and int */
	struct sv s;
};

/* What the resolver says of a field name. */
struct expr_field {
	int id;
	enum expr_type type;
	unsigned scopes;        /* EXPR_SCOPE_BIT() of each valid scope */
	int keyed;              /* 1: takes a key, header("Server") */
};

#endif
