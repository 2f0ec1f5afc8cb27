/* SPDX-License-Identifier: MIT */
/*
 * str.h -- snprintf for the hot paths of the stateful stages
 * (transactions -> sessions -> rules -> reporters): the evidence lines,
 * step summaries and finding texts made for every sign-in.  glibc's
 * vsnprintf costs several hundred instructions a call before it writes
 * a byte; str_fmt writes the common conversions itself and hands any
 * other format to vsnprintf, so its output is snprintf's, byte for
 * byte.
 *
 * Done here: %% %s %c %d %i %u %x %X with the flags '-' and '0', a
 * width and a precision (a number or '*'; a precision only on %s), the
 * length modifiers l, ll, z and j.  Anything else (a NULL string, %p,
 * %f, '+', '#', ' ', h, an int precision...) goes to vsnprintf.
 *
 * str_find: the substring search of the rule language's contains and
 * icontains and of the session stage's URL and body checks.
 *
 * Ownership: writes into the caller's buffer only; no state.
 */
#ifndef SFB_STR_H
#define SFB_STR_H

#include <stdarg.h>
#include <stddef.h>

#include "sfb.h"

/*
 * As snprintf: at most n bytes into out (NUL-terminated when n > 0).
 * @return the length the whole text has (may be >= n: cut)
 */
int str_fmt(char *out, size_t n, const char *fmt, ...) SFB_PRINTF(3, 4);
int str_vfmt(char *out, size_t n, const char *fmt, va_list ap)
	SFB_PRINTF(3, 0);
/* Copy the C string s into out (n > 0 bytes), cut.  @return strlen(s) */
size_t str_copy(char *out, size_t n, const char *s);
/*
 * The first n in h (icase: ASCII case ignored), by memchr and memmem:
 * a long text is scanned many bytes at a time.
 * @return its offset, 0 for an empty n, -1 if none
 */
long str_find(struct sv h, struct sv n, int icase);

#endif
