/* SPDX-License-Identifier: MIT */
/*
 * store.h -- the SQLite store of `sfblog triage --db` (a reporter, last
 * stage of the pipeline): the records of each job in tables files,
 * sessions, findings and evidence (schema in store.c and README.md).
 * A job is written whole or not at all; jobs are committed in batches
 * (at most 64 jobs or half a second), so an interrupted run loses at
 * most the last batch, which a rerun redoes, and nothing committed; a
 * rerun skips a job whose files are stored with the same size, mtime
 * and content hash.  `sfblog db merge` joins shards.
 *
 * Ownership: struct store owns its connection; results are borrowed per
 * call.  Used from one thread (triage hands results to the caller's).
 */
#ifndef SFB_STORE_H
#define SFB_STORE_H

#include <stdint.h>

#include "sfb.h"
#include "triage.h"

#define STORE_SCHEMA_VERSION 1

struct store;

/* Open or create path (tables made if missing).  NULL: err filled. */
struct store *store_open(const char *path, struct sfb_err *err);
/*
 * What is stored of a source.  @return 1 found and read without a
 * problem (size, mtime, hash filled), 0 not so, -1 error (err)
 */
int store_lookup(struct store *s, const char *source, int64_t *size,
		 int64_t *mtime, uint64_t *hash, struct sfb_err *err);
/*
 * Replace the job's records by r's: all of them or none (a savepoint),
 * in a transaction committed every STORE_BATCH jobs or half a second,
 * and by store_flush.
 */
int store_result(struct store *s, const struct tri_result *r,
		 struct sfb_err *err);
/* Commit what store_result has written.  @return 0, -1 (err) */
int store_flush(struct store *s, struct sfb_err *err);
/* Merge the store at path into s (its streams replace s's). */
int store_merge(struct store *s, const char *path, struct sfb_err *err);
void store_close(struct store *s);
/* SQLite's version string. */
const char *store_version(void);

#endif
