/* SPDX-License-Identifier: MIT */
/*
 * xmlprov.c -- a provisioning body's reading, recorded and replayed
 * (see xmlprov.h), message stage.
 *
 * The record: one entry a callback, a kind byte then NUL-terminated
 * strings: 'g' GROUP (on_group), 'p' GROUP NAME VALUE (on_prop), 'q'
 * NAME VALUE (on_prop with the group of the entry before, which is
 * the common case: a group's properties come together).  So the
 * record is never much larger than the body it was read from.
 *
 * Ownership: struct xmlprov owns ev; the strings a replay hands to the
 * sink point into it.
 */
#include <stdlib.h>
#include <string.h>

#include "xmlprov.h"

#define NO_GROUP ((size_t)-1)

void xmlprov_init(struct xmlprov *x)
{
	memset(x, 0, sizeof *x);
	x->rc = XMLBODY_NONE;
	x->group = NO_GROUP;
}

/* Append s and its NUL.  @return where it starts in x->ev */
static size_t put(struct xmlprov *x, const char *s)
{
	size_t n = strlen(s) + 1, at = x->n;
	if (x->n + n > x->cap) {
		size_t cap = x->cap ? x->cap : 1024;
		while (cap < x->n + n)
			cap *= 2;
		x->ev = sfb_xrealloc(x->ev, cap);
		x->cap = cap;
	}
	memcpy(x->ev + x->n, s, n);
	x->n += n;
	return at;
}

static void rec_group(void *ud, const char *group)
{
	struct xmlprov *x = ud;
	put(x, "g");
	x->group = put(x, group);
}

static void rec_prop(void *ud, const char *group, const char *name,
		     const char *value)
{
	struct xmlprov *x = ud;
	if (x->group != NO_GROUP && strcmp(x->ev + x->group, group) == 0) {
		put(x, "q");
	} else {
		put(x, "p");
		x->group = put(x, group);
	}
	put(x, name);
	put(x, value);
}

int xmlprov_read(struct xmlprov *x, struct sv body)
{
	struct xmlbody_prov_sink s = { rec_group, rec_prop, x };
	x->n = 0;
	x->group = NO_GROUP;
	x->rc = xmlbody_provisioning_fast(body, &s);
	if (x->rc < 0)
		x->n = 0;       /* declined: it made no callbacks anyway */
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
	const char *group = "";
	while (at < x->n) {
		char kind = *take(x, &at);
		if (kind != 'q')
			group = take(x, &at);
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
	x->group = NO_GROUP;
}
