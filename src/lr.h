/* SPDX-License-Identifier: MIT */
/*
 * lr.h -- the line reader, first stage of the pipeline: a file (or '-'
 * for stdin) in, text lines out, one at a time (pull).
 *
 * It reads plain text and gzip alike (gzip is recognised by its magic
 * bytes, never by the name), removes a UTF-8 byte-order mark, and
 * transcodes UTF-16LE/BE (recognised by its BOM) to UTF-8 as it
 * streams.  Lines end at LF; a CR before the LF is removed; a last line
 * without an end is still returned.  Memory is bounded by the line
 * limit plus a fixed read buffer, whatever the size of the file: a line
 * longer than the limit is not kept but reported (LR_LONG) and skipped.
 *
 * Ownership: the view from lr_next() lives until the next lr_* call on
 * the same reader.  A struct lr is not shared between threads.
 */
#ifndef SFB_LR_H
#define SFB_LR_H

#include <stdint.h>

#include "sfb.h"

#ifndef SFB_MAX_LINE
#define SFB_MAX_LINE (16u << 20) /* default line limit: 16 MiB */
#endif

struct lr;

enum lr_encoding { LR_ENC_UTF8, LR_ENC_UTF8_BOM, LR_ENC_UTF16LE,
		   LR_ENC_UTF16BE };

enum lr_status {
	LR_ERR = -1,  /* read error: err says what; lr_next may not go on */
	LR_EOF = 0,
	LR_LINE = 1,  /* *line and *lineno are set */
	LR_LONG = 2   /* a line over the limit was skipped: *lineno is its
		       * number, line->n its full length, line->p NULL */
};

/*
 * Open path for reading ("-" is standard input, which is not closed).
 * @param max_line the longest line kept, in bytes (0: SFB_MAX_LINE)
 * @return the reader, or NULL with err filled (SFB_E_IO, errno kept)
 */
struct lr *lr_open(const char *path, size_t max_line, struct sfb_err *err);

/*
 * A caller's byte source, for data that is not a file of its own (an
 * entry of a zip read through libarchive, see triage.c).
 * @return bytes put at buf (at most cap), 0 at the end, -1 on error
 *         with err filled (its message names the source)
 */
typedef long (*lr_read_fn)(void *ud, void *buf, size_t cap,
			   struct sfb_err *err);

/*
 * Open a reader over fn (called until it returns 0 or -1); gzip and
 * UTF-16 are detected as for a file.  name is copied, for messages.
 * ud is borrowed for the reader's life; lr_close does not close it.
 */
struct lr *lr_open_reader(lr_read_fn fn, void *ud, const char *name,
			  size_t max_line);

/*
 * Next line, without its line end.
 * @param line   OUT: the line (valid until the next call)
 * @param lineno OUT: its 1-based physical line number
 * @return an enum lr_status; on LR_ERR err is filled (e.g. SFB_E_GZIP
 *         for a truncated gzip stream, after every complete line before
 *         the damage has been returned)
 */
int lr_next(struct lr *r, struct sv *line, unsigned long *lineno,
	    struct sfb_err *err);

/*
 * Encoding found at the start of the stream (valid after the first
 * lr_next).
 */
enum lr_encoding lr_encoding(const struct lr *r);
/* "utf-8", "utf-8-bom", "utf-16le", "utf-16be" */
const char *lr_encoding_name(enum lr_encoding e);
/* 1 if the input was gzip-compressed. */
int lr_is_gzip(const struct lr *r);
/* Bytes of (decompressed, pre-transcoding) input consumed so far. */
uint64_t lr_bytes(const struct lr *r);
/* Count of invalid UTF-16 units replaced by U+FFFD so far. */
uint64_t lr_bad_units(const struct lr *r);
/* The line (as numbered by lr_next) of the first of them, once that
 * line has been returned; 0 if none. */
unsigned long lr_bad_line(const struct lr *r);

/*
 * Caps against gzip bombs: at most max_out bytes inflated, and -- once
 * past LR_RATIO_FLOOR bytes -- at most max_ratio times the gzip bytes
 * read so far (0: no such cap; the default is none).  Over a cap
 * lr_next fails with SFB_E_LIMIT, after the lines before it, and a
 * message that names the file.  Plain text is not capped.
 */
#define LR_RATIO_FLOOR (8u << 20)
void lr_set_caps(struct lr *r, uint64_t max_out, unsigned max_ratio);

/*
 * Cap how many bytes each underlying read(2) may return (0: the
 * default, a whole buffer), so tests can split the byte stream at any
 * offset.  It applies from the next read on.
 */
void lr_set_chunk(struct lr *r, size_t n);

/* zlib version string (the library in use). */
const char *lr_zlib_version(void);

/* Close and free; NULL is a no-op. */
void lr_close(struct lr *r);

#endif
