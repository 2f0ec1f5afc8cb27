/* SPDX-License-Identifier: MIT */
/*
 * par.h -- one big file over several cores: stages 1-3 of the pipeline
 * (line reader, format parser, message parse, the pattern table on
 * free-text entries; see engine.h) run on
 * several threads over chunks of the file, and the records come back
 * to the stateful stages strictly in file order, with their parsed
 * messages (an answer's in-band provisioning body read too: msg.prov),
 * for the stateful stages 4-7.  The output of a run is the
 * same, byte for byte, as reading the file in one pass.
 *
 * Only for a regular, uncompressed UTF-8 file in a log format with
 * framing (client log or CLS trace): par_run says "not for this file"
 * for stdin, gzip, UTF-16, raw SIP text or a file that fits in one
 * chunk, and the caller reads it serially.
 *
 * Chunks are split at record boundaries: a chunk ends (and the next
 * starts) at the first line at or after its nominal end that a fresh
 * parser may start from (par_scan), so a record is never split or read
 * twice; a record longer than a chunk belongs wholly to the chunk where
 * it starts, and the next chunk starts after it.
 * A chunk is parsed with line numbers counted from its start; at the
 * hand-over they are moved by the lines of the chunks before, also
 * inside warning texts (a number written right after "line "), so
 * line numbers are the file's.
 *
 * Ownership: every record, message and event handed to the sink is
 * valid only during the call.  Memory is bounded: at most
 * PAR_MAX_SLOTS chunks (of PAR_CHUNK bytes) are in flight and
 * PAR_MAX_JOBS threads read, whatever the file size and -j.
 */
#ifndef SFB_PAR_H
#define SFB_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sfb.h"

/*
 * Nominal chunk size.  Small, and few chunks in flight (jobs + 2 at
 * most): the thread that hands a chunk over (the one that parsed it)
 * reads what it wrote while it is still in a cache (512 KiB chunks
 * cost the hand-over some 40% more time, waiting for memory).  Not
 * smaller: each chunk costs a boundary to find, a reader and a parser
 * to set up, a few system calls and a wake-up or two; at 32 KiB, -j2
 * spent 10% more CPU time than at 128 KiB on a 1 GB CLS trace, although
 * cachegrind (1 MiB last level) counts a quarter of the misses.
 */
#define PAR_CHUNK (128u << 10)
#define PAR_MAX_SLOTS 12        /* chunks in flight at most */
#define PAR_MAX_JOBS 8          /* threads at most: stages 4-7,
				 * one chunk at a time, are the limit */
#define PAR_HEAD 4096           /* longest line judged as a boundary */

struct par_config {
	enum fmt_kind format;   /* FMT_AUTO: detected at the file start */
	size_t max_line, max_msg;
	unsigned jobs;          /* threads, the caller's included, >= 1 */
	size_t chunk;           /* nominal chunk size; 0: PAR_CHUNK */
	int raw;                /* records keep their raw text (else
				 * rec->raw is empty) */
	/* the pattern table the workers match REC_ENTRY texts against
	 * (each with its own pattern_clone); NULL: none */
	const struct pat_table *patterns;
	/* PAR_BARE_*: the records handed over bare, every view empty,
	 * which saves copying them: the caller reads only their type,
	 * lines, time and truncated flag (and a REC_MSG's message) */
	unsigned bare;
	/* read a provisioning answer's body on the workers (msg.prov),
	 * for the session stage to replay: set only when it runs */
	int prov;
};

#define PAR_BARE_ENTRIES 1u     /* REC_ENTRY (its events' views into a
				 * copy of its text) */
#define PAR_BARE_MSGS 2u        /* REC_MSG */

struct par_sink {
	/* A record, in file order; m: its parsed message (REC_MSG), else
	 * NULL; ev[0..nev): the events of the pattern table on its text
	 * (REC_ENTRY with cfg.patterns), in table order, as pattern_match
	 * gives them.  @return 0 to go on, non-zero to stop the run */
	int (*on_rec)(void *ud, const struct fmt_rec *rec,
		      const struct msg *m, const struct pat_event *ev,
		      size_t nev);
	/* A line over max_line was skipped (its number and length). */
	void (*on_long)(void *ud, unsigned long line, uint64_t n);
	void *ud;
};

struct par_result {
	enum fmt_kind kind;     /* the format read: set before the first
				 * record is handed over */
	enum lr_encoding enc;
	uint64_t bytes;         /* bytes read */
	unsigned long lines;    /* physical lines read */
};

/*
 * Read path with cfg->jobs threads (the caller's and cfg->jobs - 1
 * workers) and hand its records to sk: in file order, one call at a
 * time, each on the thread that parsed its chunk (the caller's or a
 * worker), so sk must not depend on the thread it runs on.
 * path is borrowed for the run (messages keep it as their file).
 * @return 1: not for this file, nothing was read or handed over (read
 *         it serially); 0: done; -1: a read error (err filled; the
 *         records before it were handed over)
 */
int par_run(const char *path, const struct par_config *cfg,
	    const struct par_sink *sk, struct par_result *res,
	    struct sfb_err *err);

/*
 * The boundary finder, streaming: bytes of a file from offset from - 1
 * on (from > 0) go in, the first line at or after from where a fresh
 * parser of kind may start comes out.  A client-log line qualifies when
 * it has an entry prefix, is no "End of" line and the line before it
 * (blank lines aside) is known and opens no block; a CLS line when it
 * is a record header.  Lines longer than PAR_HEAD or max_line never
 * qualify, and such a line as context disqualifies the next one.
 */
struct par_scan {
	enum fmt_kind kind;
	size_t max_line;
	uint64_t pos;           /* file offset of the next byte fed */
	int in_line;            /* a line start has been seen */
	uint64_t line_at;       /* where the current line starts */
	uint64_t len;           /* its length so far */
	char head[PAR_HEAD + 1];
	int ctx;                /* what the last non-blank line was */
};

void par_scan_init(struct par_scan *s, enum fmt_kind kind,
		   size_t max_line, uint64_t from);
/*
 * Feed the next n bytes; eof: they are the last ones.
 * @return 1 with *at the boundary's file offset; 0 when none yet (at
 *         eof: none at all, the boundary is the end of the file)
 */
int par_scan_feed(struct par_scan *s, const char *p, size_t n, int eof,
		  uint64_t *at);

#endif
