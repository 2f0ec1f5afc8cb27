/* SPDX-License-Identifier: MIT */
/*
 * rec.h -- what the format parsers (fmt_cls.c, fmt_sip.c) share, in the
 * second stage of the pipeline: the bounded buffer a record's physical
 * lines (or its rebuilt message) are copied into, and the REC_WARN
 * record that reports a repair.
 *
 * Ownership: a struct rec_buf owns its bytes (rec_buf_free); it is
 * reused from record to record (rec_buf_reset keeps the allocation), so
 * a warm parser allocates nothing.  Views into it live until the next
 * append or reset.  Not shared between threads.
 */
#ifndef SFB_REC_H
#define SFB_REC_H

#include <stdint.h>

#include "parser.h"

struct rec_buf {
	char *p;                /* owned; not NUL-terminated */
	size_t len, cap;
	size_t keep;            /* len up to the end of the last non-blank
				 * line: a record never ends in blank lines */
	size_t max;             /* bytes kept at most */
	unsigned long nlines;   /* lines appended */
	int over;               /* something did not fit: cut there */
};

void rec_buf_init(struct rec_buf *b, size_t max);
/* Empty the buffer, keeping its allocation. */
void rec_buf_reset(struct rec_buf *b);
void rec_buf_free(struct rec_buf *b);
/*
 * Append line as a new line ('\n' before it unless it is the first).
 * A line that does not fit is cut at max and sets over; once over,
 * nothing more is kept.
 * @return where the line starts in p (len when none of it was kept)
 */
size_t rec_buf_line(struct rec_buf *b, struct sv line);
/* Append bytes to the last line, bounded the same way. */
void rec_buf_put(struct rec_buf *b, struct sv bytes);
/* @return the kept text: p[0..keep) */
struct sv rec_buf_text(const struct rec_buf *b);

/*
 * Send a REC_WARN with text (lowercase, no final stop) about lines
 * first..last to the sink.  @return what on_rec returned
 * A line number inside text is written "line N", and text holds no
 * bytes of the log: par.c (analyze -j) moves every number after
 * "line " by the lines of the chunks before, so a log byte sequence
 * "line 12" in a warning would be renumbered too.
 */
int rec_warn(const struct fmt_sink *sink, const char *text,
	     unsigned long first, unsigned long last, int64_t ts);

#endif
