/* SPDX-License-Identifier: MIT */
/*
 * engine.h -- the per-stream engine: the one pipeline that the CLI
 * (analyze, messages, flow), batch triage and the HTML reporter call.
 *
 * The numbered pipeline (each module's header cites its stage):
 *
 *   1 line reader      lr.c        bytes (plain, gzip, UTF-16) -> lines
 *   2 format parsers   fmt*.c      lines -> records (entries, messages,
 *                                  CLS diagnostics, warnings)
 *   3 messages         msg.c sip.c records -> parsed SIP/HTTP messages;
 *                      pattern.c   entries -> named free-text events
 *   4 transactions     txn.c       requests paired with their answers
 *   5 sessions         sess.c      messages + events -> sign-in facts
 *   5b join            join.c      after every stream: client sign-ins
 *                                  joined with server-trace sign-ins
 *                                  (fed from on_msg / on_session by the
 *                                  caller; join-scope rules run there)
 *   6 rules            rules.c expr.c field.c, run here: conditions
 *                      over messages, events and sessions -> findings
 *   7 reporters        rep_*.c flow.c   text, JSON, ladder
 *
 *   ana.c counts per-file statistics beside stages 3-5.
 *
 *   par.c runs stages 1-3 of one big file on worker threads (chunks
 *   split at record boundaries) and hands the records over in file
 *   order to stages 4-7 on the engine's thread (engine_config.jobs).
 *
 * An engine reads one stream: a file, or the rotated parts of one log
 * in the order given.  It takes a const configuration and a sink of
 * callbacks; it has no global mutable state, so several engines may
 * run on several threads at once as long as each has its own pattern
 * table (the table reuses match data) -- the rule set is shared
 * read-only.
 *
 * Ownership: the configuration and everything it points to are
 * borrowed for the engine's life.  Everything handed to a callback is
 * valid only during the call.
 */
#ifndef SFB_ENGINE_H
#define SFB_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "ana.h"
#include "finding.h"
#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sess.h"
#include "sfb.h"

struct rules;

/* What the caller wants done beyond parsing messages. */
#define ENG_SESSIONS 0x01u      /* stages 4-5: transactions, sessions */
#define ENG_ANALYSIS 0x02u      /* per-file statistics (ana.h) */
#define ENG_RULES    0x04u      /* stage 6 (needs ENG_SESSIONS) */
#define ENG_RAW      0x08u      /* the sink reads rec->raw: without it a
				 * record read by par.c (jobs > 1) comes
				 * with an empty raw */

struct engine_config {
	unsigned want;          /* ENG_* */
	enum fmt_kind format;   /* FMT_AUTO: detect */
	size_t max_line, max_msg, max_txn, max_warn;
	struct pat_table *patterns;    /* may be NULL */
	const struct rules *rules;      /* may be NULL */
	uint64_t max_unpacked;  /* gzip caps, lr_set_caps (0: none) */
	unsigned max_ratio;
	unsigned jobs;          /* > 1: stages 1-3 of a big regular file
				 * on this many threads (par.h) */
	size_t chunk;           /* par's chunk size (0: PAR_CHUNK) */
};

struct engine_sink {
	/*
	 * A parsed message.  session: the sign-in it belongs to (0 none,
	 * or ENG_SESSIONS not wanted); copy: another hop of one seen.
	 * rec: the record it came from (rec->raw: as logged).
	 */
	void (*on_msg)(void *ud, const struct msg *m,
		       const struct fmt_rec *rec, unsigned session,
		       int copy);
	/*
	 * A closed sign-in session with its findings, most severe first
	 * (only with ENG_RULES; else nf = 0).
	 */
	void (*on_session)(void *ud, const struct sess *s,
			   const struct finding *f, size_t nf);
	/*
	 * End of the stream: its statistics (ENG_ANALYSIS, else NULL) and
	 * the findings that belong to no session, most severe first.
	 */
	void (*on_end)(void *ud, const struct ana *a,
		       const struct finding *f, size_t nf);
	/* Malformed input the parsers skipped or repaired (file:line). */
	void (*on_warn)(void *ud, const char *file, unsigned long line,
			const char *text);
	/* A file could not be read or recognised (err says why). */
	void (*on_error)(void *ud, const char *file,
			 const struct sfb_err *err);
	void *ud;
};

struct engine;

struct engine *engine_new(const struct engine_config *cfg,
			  const struct engine_sink *sk);
/*
 * Read one stream through the pipeline and report it to the sink.
 * @param files  the files, in the order they are read ("-": stdin)
 * @param name   the name shown for the stream (borrowed)
 * @return 0; -1 when a file could not be read or recognised (on_error
 *         was called; the other files were still read)
 */
int engine_run(struct engine *e, const char *const *files, size_t nfiles,
	    const char *name);
/*
 * One input of a stream that is not read by path: a caller's byte
 * source (lr_open_reader), e.g. a zip entry.  name is what messages and
 * evidence show (borrowed: it must outlive the engine's callbacks).
 */
struct engine_input {
	const char *name;
	lr_read_fn read;
	void *ud;
};

/*
 * engine_run over callers' sources instead of paths: the same pipeline,
 * the inputs read in the order given, one stream.
 */
int engine_run_inputs(struct engine *e, const struct engine_input *in,
		      size_t n, const char *name);
/* Malformed or truncated inputs seen in the last engine_run (--strict). */
uint64_t engine_malformed(const struct engine *e);
/* Worst finding severity of the last engine_run (SFB_SEV_NONE if none). */
enum sfb_sev engine_worst(const struct engine *e);
/* Rule evaluations cut by a regex limit in the last engine_run. */
uint64_t engine_rule_limits(const struct engine *e);
void engine_free(struct engine *e);

/* The first log time of a file, for ordering rotated parts. */
int64_t engine_first_time(const char *path, enum fmt_kind format,
		       size_t max_line);
/* The same over a caller's source (read only as far as needed). */
int64_t engine_first_time_reader(lr_read_fn fn, void *ud, const char *name,
				 enum fmt_kind format, size_t max_line);

#endif
