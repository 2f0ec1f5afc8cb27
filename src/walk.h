/* SPDX-License-Identifier: MIT */
/*
 * walk.h -- what batch triage reads, before the line reader in the
 * pipeline: the inputs named (files, folders, zips) walked into a list
 * of items (a file, or one entry of a zip), then grouped into streams
 * (the rotated parts of one client log in one folder, oldest first).
 *
 * Folders are walked recursively in name order; symbolic links are
 * followed, but a folder or file reached twice (by dev/ino) is not read
 * twice, and a link back into a folder being walked is reported as a
 * symlink loop.  A zip (found by its magic bytes, not its name) is
 * listed, not extracted: each regular entry becomes an item.  An entry
 * named *.zip is listed in turn, streamed through the outer entry (one
 * level: a zip three deep is an item with a problem).  Whatever
 * cannot be read becomes an item with a problem (code and reason), so
 * that the report can say so; it is never silently dropped.
 *
 * Ownership: struct walk owns every item and string; walk_free frees
 * them.  Only the walk's own file-system calls; no global state.
 */
#ifndef SFB_WALK_H
#define SFB_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sfb.h"

/* Problem codes (stable: NDJSON "code", the store's files.code). */
#define WALK_PROBLEM_MAP(X)                                         \
	X(NONE, "")                                                 \
	X(UNREADABLE, "unreadable")                                 \
	X(VANISHED, "vanished")                                     \
	X(SYMLINK_LOOP, "symlink-loop")                             \
	X(CORRUPT_ZIP, "corrupt-zip")                               \
	X(CORRUPT_GZIP, "corrupt-gzip")                             \
	X(ZIP_BOMB, "zip-bomb")                                     \
	X(ENCRYPTED, "encrypted")                                   \
	X(NESTED_ZIP, "nested-zip")                                 \
	X(NOT_A_LOG, "not-a-log")                                   \
	X(DAMAGED, "damaged")                                       \
	X(ERROR, "error")

enum walk_problem {
#define WALK_X(id, name) WALK_P_##id,
	WALK_PROBLEM_MAP(WALK_X)
#undef WALK_X
	WALK_P__COUNT
};

/* @return the stable name of a problem ("" for none). */
const char *walk_problem_name(enum walk_problem p);

struct walk_item {
	char *path;             /* the file on disk (the zip for an entry) */
	char *entry;            /* the zip entry's name, NULL for a file;
				 * "INNER.zip!NAME" in a zip in the zip */
	size_t entry_index;     /* its place among the zip's headers */
	char *outer;            /* in a zip in the zip: INNER.zip (its
				 * entry at entry_index), else NULL */
	size_t sub_index;       /* NAME's place among INNER.zip's headers */
	char *source;           /* shown: path, or "ZIP!ENTRY" */
	int64_t size;           /* bytes (unpacked for an entry), -1 unknown */
	int64_t mtime;          /* seconds since 1970 */
	dev_t dev;
	ino_t ino;
	enum walk_problem problem;  /* found while walking */
	char reason[320];
};

/*
 * A unit of work, in input order: a stream of items (the rotated parts
 * of one log, oldest first), or one item with a problem (nitems = 1).
 */
struct walk_job {
	size_t *items;          /* owned: indexes into walk.items */
	size_t nitems;
	char *name;             /* owned: "a + b" for rotated parts */
};

struct walk {
	struct walk_item *items;
	size_t nitems, capitems;
	struct walk_job *jobs;
	size_t njobs;
	/* folders and files seen (dev, ino), to read nothing twice */
	struct walk_id { dev_t dev; ino_t ino; } *seen;
	size_t nseen, capseen;
	unsigned max_depth;
	/* caps while a zip inside a zip is listed (arc_list_in); 0: none */
	uint64_t max_unpacked;
	unsigned max_ratio;
};

void walk_init(struct walk *w);
/* Walk one named input (file, folder or zip); problems become items. */
void walk_add(struct walk *w, const char *path);
/* Group the items into jobs (call once, after the last walk_add). */
void walk_group(struct walk *w);
void walk_free(struct walk *w);

#endif
