/* SPDX-License-Identifier: MIT */
/*
 * jw.h -- a streaming JSON writer for the JSON reporter (rep_json.c),
 * last stage of the pipeline.  Keys and values are appended to a text
 * buffer as they come, no tree: the text is byte for byte what
 * cJSON_Print (fmt) or cJSON_PrintUnformatted would print for the same
 * tree, with the same numbers (cJSON's "%1.15g"), the same escapes and
 * the same layout (tabs, ", " between array items), so a document can
 * be written part by part and flushed between the parts.
 *
 * Strings: jw_str / jw_sv are the one way text gets into a document:
 * secrets masked (secret.h), then valid UTF-8 with invalid and NUL
 * bytes as U+FFFD and escaped as cJSON escapes (esc.h esc_json), the
 * same bytes as cJSON prints for esc_utf8's copy (checked by
 * unit_jw.c).  Keys given as `const char *` are this program's own
 * literals (plain ASCII, written as they are); a key from a log goes
 * through jw_key.
 *
 * Usage: jw_init, then values: inside an object, each call names its
 * key (or follows jw_key); inside an array or at the top, key is NULL.
 * jw_obj / jw_arr open a container, jw_end closes the innermost.
 * w->b[0..w->n) is the text so far; the caller writes it out and may
 * empty it (jw_flush) at any point, the nesting state stays.
 *
 * Cost: a string's JSON form is a pure function of its bytes (masking
 * and escaping keep no state), so the forms of the last strings seen
 * are kept (JW_MEMO, each at most JW_MEMO_MAX bytes: bounded memory)
 * and copied when the same bytes come again.
 *
 * Ownership: struct jw is the caller's; w->b and w->memo are owned by
 * it until jw_free.  Out of memory: sfb_oom.
 */
#ifndef SFB_JW_H
#define SFB_JW_H

#include <stdint.h>
#include <stdio.h>

#include "sfb.h"

#define JW_MAX_DEPTH 63
#define JW_MEMO 256             /* strings whose JSON form is kept */
#define JW_MEMO_MAX 1024        /* the longest string kept (bytes) */

/* A string and its JSON form (in quotes), one buffer. */
struct jw_memo {
	uint64_t hash;
	char *buf;              /* owned: the string, then its form */
	size_t n, jn, cap;      /* n: the string's length, jn: the form's */
};

struct jw {
	char *b;                /* owned: the text (not NUL-terminated) */
	size_t n, cap;
	int fmt;                /* cJSON_Print's layout, else compact */
	unsigned depth;         /* containers open (cJSON's depth) */
	uint64_t obj;           /* bit d: the container at depth d is an
				 * object (else an array) */
	uint64_t more;          /* bit d: ... already has an item */
	int keyed;              /* jw_key written: the value follows */
	/* jw_time: the date of the last time written (a log's times
	 * share their day), "YYYY-MM-DDT" */
	int64_t day;
	char date[32];
	size_t date_n;          /* 0: none yet */
	/* the JSON form of recent strings (a document repeats its file
	 * names, step summaries, rule texts in every session): owned,
	 * JW_MEMO entries, indexed by hash; NULL until the first string */
	struct jw_memo *memo;
};

/*
 * Start at depth (the containers around the text to be written, as if
 * it sat inside them: members of an object opened at depth d get d + 1
 * tabs in fmt layout).  w->b is kept if there is one.
 */
void jw_init(struct jw *w, int fmt, unsigned depth);
void jw_free(struct jw *w);
/* Write w->b[0..w->n) to out and empty it (the nesting state stays). */
void jw_flush(struct jw *w, FILE *out);

/* Open an object or an array (key: see the header comment). */
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
/* Close the innermost object or array. */
void jw_end(struct jw *w);
/* A key from a log (escaped as a string) for the next value. */
void jw_key(struct jw *w, struct sv key);
/* A string: NULL is written as "". */
void jw_str(struct jw *w, const char *key, const char *s);
void jw_sv(struct jw *w, const char *key, struct sv v);
void jw_num(struct jw *w, const char *key, double d);
void jw_bool(struct jw *w, const char *key, int b);
/* A time as sfb_time_fmt writes it; SFB_TIME_NONE: null. */
void jw_time(struct jw *w, const char *key, int64_t t);
void jw_null(struct jw *w, const char *key);
/* A value already in JSON form, e.g. from another struct jw. */
void jw_raw(struct jw *w, const char *key, const char *text, size_t n);

#endif
