/* SPDX-License-Identifier: MIT */
/*
 * compare.h -- triage --compare: what separates the failing sign-ins of
 * a batch from the working ones.  Beside the rules, after the session
 * stage: each closed sign-in is reduced to a small feature vector
 * (compare_extract: auth method offered and used, TLS-DSK certificate,
 * discovery path, web ticket, redirect, server, versions,
 * ms-diagnostics codes...), the vectors are counted per feature value
 * for the failing and the working group (compare_add), and the values
 * whose share differs strongly between the groups (at least
 * COMPARE_HI of one group and at most COMPARE_LO of the other) come
 * out strongest first (compare_separate).  Incomplete sign-ins count
 * in neither group.
 *
 * Memory is bounded: at most COMPARE_MAX_VALUES distinct feature
 * values are counted (the rest are counted as dropped).
 *
 * Ownership: a struct compare owns its counts; the separations it
 * returns are valid until the next compare_add or compare_free.  Feature
 * names are static strings (literals), values are copied.  No global
 * state; a struct compare is not shared between threads.
 */
#ifndef SFB_COMPARE_H
#define SFB_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "sess.h"

#define COMPARE_MAX_FEAT 32
#define COMPARE_MAX_VALUES 4096
#define COMPARE_HI 0.9
#define COMPARE_LO 0.1

enum compare_group { COMPARE_OTHER = 0, COMPARE_OK, COMPARE_FAILED };

struct compare_feat {
	const char *name;       /* static: "auth used", ... */
	char value[88];
};

/* One sign-in's features: a feature may have several values. */
struct compare_vec {
	enum compare_group group;
	struct compare_feat f[COMPARE_MAX_FEAT];
	size_t n;
};

/* The features of a closed sign-in (v is overwritten). */
void compare_extract(struct compare_vec *v, const struct sess *s);
/* Add one feature value (name: a literal); a repeat is ignored. */
void compare_vec_add(struct compare_vec *v, const char *name,
		     const char *value);

/* A feature value that separates the groups. */
struct compare_sep {
	const char *name, *value;
	uint64_t nfail, nok;            /* sign-ins with it, per group */
	double share_fail, share_ok;    /* of each group, 0..1 */
};

struct compare;

struct compare *compare_new(void);
void compare_add(struct compare *c, const struct compare_vec *v);
/*
 * The separating values, strongest first (then by name and value).
 * @return how many; *out owned by c
 */
size_t compare_separate(struct compare *c, const struct compare_sep **out);
/* Sign-ins counted per group; distinct values not counted (cap). */
uint64_t compare_count(const struct compare *c, enum compare_group g);
uint64_t compare_dropped(const struct compare *c);
void compare_free(struct compare *c);

#endif
