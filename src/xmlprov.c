/* SPDX-License-Identifier: MIT */
/*
 * xmlprov.c -- a provisioning body's reading, recorded and replayed
 * (see xmlprov.h), message stage.
 *
 * Ownership: struct xmlprov owns ev; the strings a replay hands to the
 * sink point into it.
 */
#include <stdlib.h>
#include <string.h>

#include "xmlprov.h"

void xmlprov_init(struct xmlprov *x)
{
	memset(x, 0, sizeof *x);
	x->rc = XMLBODY_NONE;
}

/* Append s and its NUL. */
static void put(struct xmlprov *x, const char *s)
{
	size_t n = strlen(s) + 1;
	if (x->n + n > x->cap) {
		size_t cap = x->cap ? x->cap : 1024;
		while (cap < x->n + n)
			cap *= 2;
		x->ev = sfb_xrealloc(x->ev, cap);
		x->cap = cap;
	}
	memcpy(x->ev + x->n, s, n);
	x->n += n;
}

static void rec_group(void *ud, const char *group)
{
	put(ud, "g");
	put(ud, group);
}

static void rec_prop(void *ud, const char *group, const char *name,
		     const char *value)
{
	put(ud, "p");
	put(ud, group);
	put(ud, name);
	put(ud, value);
}

int xmlprov_read(struct xmlprov *x, struct sv body)
{
	struct xmlbody_prov_sink s = { rec_group, rec_prop, x };
	x->n = 0;
	x->rc = xmlbody_provisioning(body, &s);
	return x->rc;
}

/* The string at *at, and *at moved past it. */
static const char *take(const struct xmlprov *x, size_t *at)
{
	const char *s = x->ev + *at;
	*at += strlen(s) + 1;
	return s;
}

int xmlprov_replay(const struct xmlprov *x,
		   const struct xmlbody_prov_sink *s)
{
	size_t at = 0;
	while (at < x->n) {
		char kind = *take(x, &at);
		const char *group = take(x, &at);
		if (kind == 'g') {
			if (s->on_group)
				s->on_group(s->ud, group);
			continue;
		}
		const char *name = take(x, &at);
		const char *value = take(x, &at);
		if (s->on_prop)
			s->on_prop(s->ud, group, name, value);
	}
	return x->rc;
}

void xmlprov_free(struct xmlprov *x)
{
	free(x->ev);
	x->ev = NULL;
	x->n = x->cap = 0;
}
