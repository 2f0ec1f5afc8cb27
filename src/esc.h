/* SPDX-License-Identifier: MIT */
/*
 * esc.h -- bytes from a log or a file name made safe to show: for a
 * terminal (escapes such as `\x1b` instead of control bytes) and for
 * JSON (valid UTF-8).  Used by the last stage of the pipeline, the
 * reporters (rep_text.c, rep_json.c, flow.c), and by main.c for the
 * messages on standard error.  A log is hostile input: an ESC, a BEL
 * or an OSC sequence in a Call-ID or a reason phrase must never reach
 * the reader's terminal, and a newline in a file name must not split a
 * report line.
 *
 * Terminal form, one character at a time (esc_next): printable ASCII
 * and valid UTF-8 are kept; a backslash stays a backslash; tab, line
 * feed and carriage return become `\t`, `\n`, `\r` (kept as they are
 * with ESC_KEEP_NL for \n and \t); other C0 bytes and DEL become
 * `\xHH`; the C1 controls U+0080..U+009F, the line and paragraph
 * separators and the bidirectional controls (U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) become `\uHHHH`; a byte that does
 * not start a valid UTF-8 sequence (bad lead, cut, overlong,
 * surrogate, above U+10FFFF) becomes `\xHH`.
 *
 * Both forms first replace every secret by its kind and length
 * (secret.h: web tickets, auth blobs, cookies): a report never shows
 * one.
 *
 * JSON form (esc_utf8): valid UTF-8 is kept; each invalid byte and each
 * NUL byte becomes U+FFFD (a NUL would cut a C string); esc_json also
 * escapes it as the body of a JSON string, without a copy.
 *
 * Ownership: esc_utf8 returns malloc'd memory; esc_str returns either
 * its argument or a copy owned by the struct esc_tmp until
 * esc_tmp_free.  No global state.
 */
#ifndef SFB_ESC_H
#define SFB_ESC_H

#include <stdio.h>

#include "sfb.h"

#define ESC_KEEP_NL 1u          /* \n and \t pass (reporters' own) */
#define ESC_MAX 8               /* longest form of one character */

/*
 * The terminal form of the character at p (n > 0 bytes left).
 * @param out  OUT: ESC_MAX bytes, the form (not NUL-terminated)
 * @param olen OUT: its length
 * @param kept OUT (may be NULL): 1 when the form is the bytes themselves
 * @return the bytes consumed (at least 1)
 */
size_t esc_next(const char *p, size_t n, unsigned flags, char *out,
		size_t *olen, int *kept);

/* Write p[0..n) in terminal form. */
void esc_write(FILE *out, const char *p, size_t n, unsigned flags);
/* Write a C string (NULL: nothing) in terminal form, flags 0. */
void esc_puts(FILE *out, const char *s);
/* @return 1 when p[0..n) is its own terminal form (flags 0) */
int esc_clean(const char *p, size_t n);

/* Escaped copies kept until esc_tmp_free (for printf arguments). */
struct esc_tmp {
	char **p;
	size_t n, cap;
};
#define ESC_TMP_INIT { NULL, 0, 0 }
/* @return s itself when clean, else its terminal form (owned by t) */
const char *esc_str(struct esc_tmp *t, const char *s);
void esc_tmp_free(struct esc_tmp *t);

/*
 * A valid UTF-8, NUL-terminated copy of v for JSON: invalid bytes and
 * NUL bytes become U+FFFD.  @return malloc'd, never NULL
 */
char *esc_utf8(struct sv v);

/*
 * The body of a JSON string (no quotes) for p[0..n), as cJSON prints
 * esc_utf8's copy of it: invalid and NUL bytes become U+FFFD; `"`, `\`
 * and the C0 controls are escaped (\b \f \n \r \t, others \u00xx,
 * lowercase); DEL and valid UTF-8 stay.  Secrets are NOT masked here:
 * the caller masks first (jw.c).  d holds at least 6 * n bytes.
 * @return the bytes written
 */
size_t esc_json(char *d, const char *p, size_t n);

#endif
