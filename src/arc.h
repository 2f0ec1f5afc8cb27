/* SPDX-License-Identifier: MIT */
/*
 * arc.h -- zip bundles through libarchive, before the line reader (lr.h)
 * in the pipeline: list the entries of a zip, then stream one entry's
 * bytes to an lr_open_reader source.  Nothing is extracted to disk.
 *
 * Every entry is read through caps against zip bombs: at most max_size
 * bytes unpacked, and -- once past ARC_RATIO_FLOOR bytes -- at most
 * max_ratio times the packed bytes read so far.  Over a cap the read
 * fails with SFB_E_LIMIT and a message that names the entry.  An
 * encrypted entry is listed (encrypted = 1) and never opened.  A zip
 * inside a zip is streamed through its outer entry (arc_list_in).
 *
 * Ownership: arc_list returns an owned array (arc_list_free).  A
 * struct arc_rd owns its libarchive handle; it is used by one thread.
 * No global state.
 */
#ifndef SFB_ARC_H
#define SFB_ARC_H

#include <stddef.h>
#include <stdint.h>

#include "sfb.h"

#define ARC_RATIO_FLOOR (8u << 20)  /* ratio checked past 8 MiB */

struct arc_entry {
	char *name;             /* owned: the path inside the zip */
	int64_t size;           /* unpacked size the header says, -1 */
	int64_t mtime;          /* seconds since 1970, 0 if unknown */
	int encrypted;
	size_t index;           /* its place among the zip's headers */
};

/* 1 if the first bytes of a file (n >= 4) are those of a zip. */
int arc_is_zip(const unsigned char *p, size_t n);

/*
 * The regular entries of the zip at path (directories left out).
 * @return 0 with *out, *n set; -1 with err filled (corrupt zip: what
 *         libarchive said, the entries read before the damage are kept
 *         in *out)
 */
int arc_list(const char *path, struct arc_entry **out, size_t *n,
	     struct sfb_err *err);
void arc_list_free(struct arc_entry *e, size_t n);

struct arc_rd;

/*
 * Open entry index of the zip at path for reading; name is the entry's
 * name (checked against the header, for messages).
 * @return the reader, or NULL with err filled
 */
struct arc_rd *arc_open(const char *path, size_t index, const char *name,
			uint64_t max_size, unsigned max_ratio,
			struct sfb_err *err);
/*
 * A zip inside a zip: entry index (name) of the zip at path is itself a
 * zip, read as a stream through the outer entry (never extracted).
 * arc_list_in lists its regular entries (streaming the whole of it,
 * under the caps); arc_open_in opens its entry sub_index (sub_name).
 * Messages name it "PATH!NAME".  Deeper nesting is the caller's to
 * refuse.  @return as arc_list and arc_open
 */
int arc_list_in(const char *path, size_t index, const char *name,
		uint64_t max_size, unsigned max_ratio,
		struct arc_entry **out, size_t *n, struct sfb_err *err);
struct arc_rd *arc_open_in(const char *path, size_t index,
			   const char *name, size_t sub_index,
			   const char *sub_name, uint64_t max_size,
			   unsigned max_ratio, struct sfb_err *err);
/* An lr_read_fn over the entry (ud: the struct arc_rd). */
long arc_read(void *ud, void *buf, size_t cap, struct sfb_err *err);
/* Unpacked bytes read so far. */
uint64_t arc_bytes(const struct arc_rd *r);
void arc_close(struct arc_rd *r);

/* libarchive's version string. */
const char *arc_version(void);

#endif
