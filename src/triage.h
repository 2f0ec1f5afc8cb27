/* SPDX-License-Identifier: MIT */
/*
 * triage.h -- batch triage: the jobs of a walk (walk.h) run by worker
 * threads, each with its own engine (engine.h) and pattern table, the
 * rule set shared read-only; the results handed back to the caller in
 * input order, whatever the number of workers.  It sits above the
 * engine: each job is one stream through the whole pipeline; the
 * reporters (rep_triage.c, rep_json.c, store.c) take its results.
 *
 * Workers run at most TRI_WINDOW jobs ahead of the one the caller is
 * waiting for, so memory stays bounded by that window of results.
 * A file is read once: its content hash is computed as the engine
 * reads it.  Filters (user, time, severity) are applied as sessions
 * close, so what is filtered out is never kept.
 *
 * Ownership: the configuration, the walk and the pattern tables are
 * borrowed for triage_run.  A struct tri_result handed to on_result is
 * valid only during the call; the names in it borrow from the walk.
 */
#ifndef SFB_TRIAGE_H
#define SFB_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "finding.h"
#include "parser.h"
#include "pattern.h"
#include "sess.h"
#include "sfb.h"
#include "walk.h"

/* Layout of the triage records; bump when a key changes meaning. */
#define TRI_SCHEMA_VERSION 1

#define TRI_MAX_WORKERS 256
#define TRI_WINDOW_PER_WORKER 8
#define TRI_MAX_SESS_FINDINGS 32    /* findings kept per session */

struct rules;

struct tri_config {
	unsigned workers;               /* >= 1 */
	struct pat_table **patterns;    /* one per worker (may be NULL) */
	const struct rules *rules;      /* shared; may be NULL */
	enum fmt_kind format;
	size_t max_line, max_msg, max_txn;
	uint64_t max_unpacked;          /* zip entry cap, 0: none */
	unsigned max_ratio;             /* zip entry ratio cap, 0: none */
	/* filters: sessions outside are not kept */
	int64_t since, until;           /* log time; SFB_TIME_NONE: open */
	const char *user;               /* substring, any case; NULL all */
	enum sfb_sev min_sev;           /* SFB_SEV_NONE: all */
	const unsigned char *skip;      /* per job: 1 = unchanged, not run
					 * (store.c); NULL: run all */
	int compare;                    /* keep each session's features
					 * (compare.h, triage --compare) */
};

/* One item of a job as it was read. */
struct tri_file {
	const struct walk_item *item;   /* borrowed from the walk */
	enum walk_problem problem;
	char reason[1024];
	uint64_t bytes;                 /* bytes read (unpacked) */
	uint64_t hash;                  /* crc32 << 32 | adler32 of them */
	int hashed;                     /* read to its end: hash is set */
	int read;                       /* went through the engine */
};

/* A sign-in session that passed the filters, with its findings. */
struct tri_sess {
	unsigned id;
	char user[128];
	char epid[40];
	const char *file;               /* source it starts in (borrowed) */
	unsigned long line;
	int64_t start, end;
	enum sess_outcome outcome;
	char outcome_text[240];
	enum sfb_step failed_step;
	enum sfb_sev sev;               /* worst of grade and findings */
	struct finding *f;              /* owned, most severe first */
	size_t nf;
	uint64_t f_dropped;
	struct compare_vec *cmp;        /* owned, with cfg.compare */
};

struct tri_result {
	size_t job;                     /* index into walk.jobs */
	const struct walk_job *wj;      /* borrowed */
	int skipped;                    /* config.skip said unchanged */
	int ran;                        /* at least one item was read */
	struct tri_file *files;         /* owned, wj->nitems */
	size_t nfiles;
	struct tri_sess *sess;          /* owned */
	size_t nsess, capsess;
	struct finding *f;              /* owned: findings of no session */
	size_t nf;
	uint64_t sess_seen;             /* before the filters */
	enum fmt_kind kind;
	uint64_t bytes, lines, msgs, malformed;
	int64_t first_ts, last_ts;
	enum sfb_sev worst;             /* of what was kept */
};

struct tri_sink {
	/* A job's result, in job order (called from the caller's thread). */
	void (*on_result)(void *ud, const struct tri_result *r);
	/* Now and then while waiting (about 4 times a second). */
	void (*on_progress)(void *ud, size_t jobs_done, size_t jobs,
			    uint64_t bytes_done);
	void *ud;
};

/* Counts over a whole run, for the closing line and the summary. */
struct tri_count {
	char key[64];
	uint64_t n;
};

struct tri_total {
	uint64_t files, files_problem, files_unchanged;
	uint64_t files_read;            /* read as logs, even when damaged
					 * (then a problem too) */
	uint64_t problems[WALK_P__COUNT];
	uint64_t streams, sessions, signed_in, failed, incomplete;
	uint64_t findings, bytes;
	struct tri_count *rules;        /* owned: sessions by top rule */
	size_t nrules;
	uint64_t steps[SFB_STEP__COUNT];    /* failed sessions by step */
	enum sfb_sev worst;
};

/* Add a result to the totals. */
void triage_total_add(struct tri_total *t, const struct tri_result *r);
/* The top rules, most frequent first (then by id). */
void triage_total_sort(struct tri_total *t);
void triage_total_free(struct tri_total *t);
/* The top finding of a session: its first above info, or NULL. */
const struct finding *triage_top(const struct tri_sess *s);

/*
 * Run every job of the walk.  @return 0; -1 with err filled when the
 * threads could not be started (nothing was run)
 */
int triage_run(const struct tri_config *cfg, const struct walk *w,
	       const struct tri_sink *sink, struct sfb_err *err);

/*
 * Hash an item as triage_run would (for the store's unchanged check).
 * @return 0 with *hash, -1 with err filled
 */
int triage_hash(const struct tri_config *cfg, const struct walk_item *it,
		uint64_t *hash, struct sfb_err *err);

#endif
