/* SPDX-License-Identifier: MIT */
/*
 * fake_fields.h -- a small field table for the tests of the rule
 * language (unit_expr.c, unit_rules.c, fuzz_expr.c, fuzz_rules.c): a
 * few message, event and session fields of each type, keyed header()
 * and capture(), and a value provider whose values a test sets.
 * Header-only (static functions) so each test program links it alone.
 */
#ifndef SFB_FAKE_FIELDS_H
#define SFB_FAKE_FIELDS_H

#include <string.h>

#include "expr.h"
#include "sv.h"

enum fake_id { F_STATUS, F_METHOD, F_IS_RESP, F_REASON, F_HEADER,
	       F_EV_NAME, F_EV_HR, F_CAPTURE, F_REG_TOTAL, F_REG_FINAL,
	       F_USER, F_SIGNED_IN, F_ANY_TIME, F__COUNT };

#define FAKE_M EXPR_SCOPE_BIT(EXPR_SCOPE_MSG)
#define FAKE_E EXPR_SCOPE_BIT(EXPR_SCOPE_EVENT)
#define FAKE_S EXPR_SCOPE_BIT(EXPR_SCOPE_SESSION)

static const struct {
	const char *name;
	enum expr_type type;
	unsigned scopes;
	int keyed;
} fake_fields[F__COUNT] = {
	[F_STATUS] = { "msg.status", EXPR_T_INT, FAKE_M, 0 },
	[F_METHOD] = { "msg.method", EXPR_T_STR, FAKE_M, 0 },
	[F_IS_RESP] = { "msg.is_response", EXPR_T_BOOL, FAKE_M, 0 },
	[F_REASON] = { "msg.reason", EXPR_T_STR, FAKE_M, 0 },
	[F_HEADER] = { "header", EXPR_T_STR, FAKE_M, 1 },
	[F_EV_NAME] = { "event.name", EXPR_T_STR, FAKE_E, 0 },
	[F_EV_HR] = { "event.hr", EXPR_T_INT, FAKE_E, 0 },
	[F_CAPTURE] = { "capture", EXPR_T_STR, FAKE_E, 1 },
	[F_REG_TOTAL] = { "session.register.total", EXPR_T_INT, FAKE_S,
			  0 },
	[F_REG_FINAL] = { "session.register.final", EXPR_T_INT, FAKE_S,
			  0 },
	[F_USER] = { "session.user", EXPR_T_STR, FAKE_S, 0 },
	[F_SIGNED_IN] = { "session.signed_in", EXPR_T_BOOL, FAKE_S, 0 },
	[F_ANY_TIME] = { "file.name", EXPR_T_STR, FAKE_M | FAKE_E | FAKE_S,
			 0 },
};

static int fake_resolve(void *ud, struct sv name, struct sv key,
			struct expr_field *out)
{
	(void)ud;
	(void)key;
	for (int i = 0; i < F__COUNT; i++)
		if (sv_eq(name, sv_cstr(fake_fields[i].name))) {
			out->id = i;
			out->type = fake_fields[i].type;
			out->scopes = fake_fields[i].scopes;
			out->keyed = fake_fields[i].keyed;
			return 0;
		}
	return -1;
}

/* The values a test sets: present[i] 0 means absent. */
struct fake_vals {
	int present[F__COUNT];
	int64_t i[F__COUNT];
	const char *s[F__COUNT];
	const char *header_server;      /* header("Server"), NULL absent */
	uint64_t matched[8], total[8];  /* aggregate counters */
	int gets;                       /* calls of fake_get */
};

static int fake_get(void *ud, int id, struct sv key, struct expr_value *out)
{
	struct fake_vals *v = ud;
	v->gets++;
	if (id < 0 || id >= F__COUNT)
		return 1;
	if (id == F_HEADER || id == F_CAPTURE) {
		if (!sv_ieq_cstr(key, "Server") || !v->header_server)
			return 1;
		out->s = sv_cstr(v->header_server);
		return 0;
	}
	if (!v->present[id])
		return 1;
	out->i = v->i[id];
	out->s = sv_cstr(v->s[id]);
	return 0;
}

static void fake_agg(void *ud, size_t i, uint64_t *matched, uint64_t *total)
{
	struct fake_vals *v = ud;
	*matched = i < 8 ? v->matched[i] : 0;
	*total = i < 8 ? v->total[i] : 0;
}

static void fake_set_i(struct fake_vals *v, int id, int64_t x)
{
	v->present[id] = 1;
	v->i[id] = x;
}

static void fake_set_s(struct fake_vals *v, int id, const char *s)
{
	v->present[id] = 1;
	v->s[id] = s;
}

#endif
