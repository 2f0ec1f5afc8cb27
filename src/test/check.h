/* SPDX-License-Identifier: MIT */
/*
 * check.h -- the unit-test macros (curl curlcheck.h, redis test_cond).
 * Each failed CHECK prints file:line and the expression, and counts;
 * CHECK_DONE() prints the plain "N passed, N failed" line and returns
 * the exit status from main().
 */
#ifndef SFB_CHECK_H
#define SFB_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond)                                                      \
	do {                                                             \
		if (cond) {                                              \
			check_pass++;                                    \
		} else {                                                 \
			check_fail++;                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n",     \
				__FILE__, __LINE__, #cond);              \
		}                                                        \
	} while (0)

/* Compare a view (p,n) with a C string. */
#define CHECK_SV(sv, str)                                                \
	do {                                                             \
		const char *check_s_ = (str);                            \
		size_t check_n_ = strlen(check_s_);                      \
		if ((sv).n == check_n_ && (check_n_ == 0 ||              \
		    memcmp((sv).p, check_s_, check_n_) == 0)) {          \
			check_pass++;                                    \
		} else {                                                 \
			check_fail++;                                    \
			fprintf(stderr, "%s:%d: check failed: %s is "    \
				"'%.*s', expected '%s'\n", __FILE__,     \
				__LINE__, #sv, (int)(sv).n,              \
				(sv).p ? (sv).p : "", check_s_);         \
		}                                                        \
	} while (0)

#define CHECK_INT(a, b)                                                  \
	do {                                                             \
		long long check_a_ = (long long)(a);                     \
		long long check_b_ = (long long)(b);                     \
		if (check_a_ == check_b_) {                              \
			check_pass++;                                    \
		} else {                                                 \
			check_fail++;                                    \
			fprintf(stderr, "%s:%d: check failed: %s is "    \
				"%lld, expected %lld\n", __FILE__,       \
				__LINE__, #a, check_a_, check_b_);       \
		}                                                        \
	} while (0)

#define CHECK_DONE(name)                                                 \
	(printf("%s: %d passed, %d failed\n", (name), check_pass,        \
		check_fail),                                             \
	 check_fail ? 1 : 0)

#endif
