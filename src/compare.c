/* SPDX-License-Identifier: MIT */
/*
 * compare.c -- triage --compare (see compare.h): feature vectors of
 * sign-ins, counted per group in an open-addressing table, and the
 * values that separate failing from working sign-ins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "diff.h"
#include "sv.h"

#define TABLE (2 * COMPARE_MAX_VALUES)  /* power of two, half full */

struct entry {
	const char *name;       /* NULL: free slot */
	char value[88];
	uint64_t n[3];          /* per enum compare_group */
};

struct compare {
	struct entry *tab;      /* owned, TABLE slots */
	size_t used;
	uint64_t groups[3];
	uint64_t dropped;
	struct compare_sep *sep;        /* owned: last compare_separate */
	size_t nsep;
};

void compare_vec_add(struct compare_vec *v, const char *name,
		     const char *value)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->f[i].name, name) == 0 &&
		    strcmp(v->f[i].value, value) == 0)
			return;
	if (v->n >= COMPARE_MAX_FEAT)
		return;
	v->f[v->n].name = name;
	snprintf(v->f[v->n].value, sizeof v->f[v->n].value, "%s",
		 value && *value ? value : "none");
	v->n++;
}

static void add_u(struct compare_vec *v, const char *name, unsigned n)
{
	char b[16];
	snprintf(b, sizeof b, "%u", n);
	compare_vec_add(v, name, b);
}

static void web_ticket(struct compare_vec *v, const struct sess *s)
{
	int asked = 0, got = 0, refused = 0;
	for (size_t i = 0; i < s->nhttp; i++) {
		if (s->http[i].kind != SESS_HTTP_WEBTICKET)
			continue;
		asked = 1;
		if (s->http[i].status >= 200 && s->http[i].status < 300)
			got = 1;
		else if (s->http[i].status >= 400)
			refused = 1;
	}
	if (s->webticket_28032)
		refused = 1;
	compare_vec_add(v, "web ticket", got ? "obtained" : refused
			? "refused" : asked ? "no answer" : "not requested");
}

void compare_extract(struct compare_vec *v, const struct sess *s)
{
	char b[240];
	memset(v, 0, sizeof *v);
	v->group = s->outcome == SESS_SIGNED_IN ? COMPARE_OK
		   : s->outcome == SESS_FAILED_OUT ? COMPARE_FAILED
						   : COMPARE_OTHER;
	compare_vec_add(v, "auth used",
			sess_auth_names(s->auth_used, b, sizeof b));
	for (unsigned bit = 1; bit <= SESS_AUTH_OTHER; bit <<= 1)
		if (s->auth_offered & bit)
			compare_vec_add(v, "auth offered",
					sess_auth_names(bit, b, sizeof b));
	if (!s->auth_offered)
		compare_vec_add(v, "auth offered", "none");
	compare_vec_add(v, "TLS-DSK certificate",
			s->auth_used & SESS_AUTH_TLSDSK ? "presented"
							: "not presented");
	struct sv d = sv_cstr(diff_discovery(s, b, sizeof b)), item;
	while (d.n) {
		sv_split(&d, ',', &item);
		item = sv_trim(item);
		char one[40];
		snprintf(one, sizeof one, "%.*s", (int)item.n, item.p);
		compare_vec_add(v, "discovery", one);
	}
	web_ticket(v, s);
	int certprov = 0;
	for (size_t i = 0; i < s->nhttp; i++)
		certprov |= s->http[i].kind == SESS_HTTP_CERTPROV;
	compare_vec_add(v, "certificate provisioning",
			certprov ? "requested" : "not requested");
	compare_vec_add(v, "redirected", s->nredirects ? "yes" : "no");
	compare_vec_add(v, "server", s->server);
	compare_vec_add(v, "client version", s->client_version);
	compare_vec_add(v, "server version", s->server_version);
	if (s->register_final)
		add_u(v, "final answer to REGISTER",
		      (unsigned)s->register_final);
	else
		compare_vec_add(v, "final answer to REGISTER", "none");
	size_t before = v->n;
	if (s->register_diag)
		add_u(v, "ms-diagnostics", (unsigned)s->register_diag);
	for (size_t i = 0; i < s->nhttp; i++)
		if (s->http[i].diag_code)
			add_u(v, "ms-diagnostics",
			      (unsigned)s->http[i].diag_code);
	if (v->n == before)
		compare_vec_add(v, "ms-diagnostics", "none");
}

struct compare *compare_new(void)
{
	struct compare *c = sfb_xcalloc(1, sizeof *c);
	c->tab = sfb_xcalloc(TABLE, sizeof *c->tab);
	return c;
}

static uint64_t hash(const char *name, const char *value)
{
	uint64_t h = 1469598103934665603u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (const char *p = value; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

void compare_add(struct compare *c, const struct compare_vec *v)
{
	if ((unsigned)v->group > COMPARE_FAILED)
		return;
	c->groups[v->group]++;
	for (size_t i = 0; i < v->n; i++) {
		const struct compare_feat *f = &v->f[i];
		size_t k = (size_t)hash(f->name, f->value) & (TABLE - 1);
		while (c->tab[k].name &&
		       (strcmp(c->tab[k].name, f->name) != 0 ||
			strcmp(c->tab[k].value, f->value) != 0))
			k = (k + 1) & (TABLE - 1);
		struct entry *e = &c->tab[k];
		if (!e->name) {
			if (c->used >= COMPARE_MAX_VALUES) {
				c->dropped++;
				continue;
			}
			c->used++;
			e->name = f->name;
			snprintf(e->value, sizeof e->value, "%s", f->value);
		}
		e->n[v->group]++;
	}
}

static double gap(const struct compare_sep *s)
{
	double d = s->share_fail - s->share_ok;
	return d < 0 ? -d : d;
}

static int sep_cmp(const void *x, const void *y)
{
	const struct compare_sep *a = x, *b = y;
	double ga = gap(a), gb = gap(b);
	if (ga != gb)
		return ga > gb ? -1 : 1;
	int r = strcmp(a->name, b->name);
	return r ? r : strcmp(a->value, b->value);
}

size_t compare_separate(struct compare *c, const struct compare_sep **out)
{
	free(c->sep);
	c->sep = NULL;
	c->nsep = 0;
	uint64_t nf = c->groups[COMPARE_FAILED], no = c->groups[COMPARE_OK];
	if (nf && no) {
		c->sep = sfb_xcalloc(c->used ? c->used : 1, sizeof *c->sep);
		for (size_t k = 0; k < TABLE; k++) {
			const struct entry *e = &c->tab[k];
			if (!e->name)
				continue;
			double sf = (double)e->n[COMPARE_FAILED] / (double)nf;
			double so = (double)e->n[COMPARE_OK] / (double)no;
			if (!((sf >= COMPARE_HI && so <= COMPARE_LO) ||
			      (so >= COMPARE_HI && sf <= COMPARE_LO)))
				continue;
			c->sep[c->nsep++] = (struct compare_sep){
				e->name, e->value, e->n[COMPARE_FAILED],
				e->n[COMPARE_OK], sf, so };
		}
		qsort(c->sep, c->nsep, sizeof *c->sep, sep_cmp);
	}
	*out = c->sep;
	return c->nsep;
}

uint64_t compare_count(const struct compare *c, enum compare_group g)
{
	return (unsigned)g < 3 ? c->groups[g] : 0;
}

uint64_t compare_dropped(const struct compare *c)
{
	return c->dropped;
}

void compare_free(struct compare *c)
{
	if (!c)
		return;
	free(c->tab);
	free(c->sep);
	free(c);
}
