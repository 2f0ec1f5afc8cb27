/* SPDX-License-Identifier: MIT */
/*
 * dl.h -- shared libraries that only some commands need, loaded on
 * first use with dlopen(3) instead of at every start.
 *
 * Where it sits: beside the pipeline, under the two modules whose
 * library few runs need: arc.c (zip bundles, libarchive) and store.c
 * (the triage store, SQLite).  Linked the usual way, those two and five
 * libraries only libarchive needs (nettle, acl, zstd, lz4, bz2) were
 * mapped and relocated by every run, also by an `analyze` of a plain
 * log that never opens a zip: 21 shared libraries instead of 14, about
 * a fifth of the start's CPU time (README, "Speed").  They are still
 * Debian's packages found through pkg-config at build time: the build
 * takes their headers (and so checks every function's type) but does
 * not link them; a run loads the SONAME the headers belong to.
 *
 * A module lists its functions once (an X-macro), and gets a struct of
 * typed pointers and the table that fills it:
 *
 *   #define LA_FUNCS(X) X(archive_read_new) X(archive_read_free)
 *   #define LA_SYM(f) DL_SYM(la, f)
 *   static struct { LA_FUNCS(DL_PTR) } la;
 *   static struct dl_sym la_syms[] = { LA_FUNCS(LA_SYM) };
 *   static struct dl_lib la_lib = DL_LIB("libarchive.so.13", la_syms);
 *   ...
 *   if (dl_load(&la_lib, err) < 0) return NULL;
 *   la.archive_read_new();
 *
 * Thread-safe: dl_load may be called from any thread; it takes the
 * library's own lock, the first call loads, the later ones read the
 * result.  A library that failed to load fails the same way every time.
 * A module calls it where its objects are made (arc_open, store_open),
 * never per call: the pointers do not change once filled.  The table
 * and its struct dl_lib are the module's statics, the one kind of
 * process-wide state in library code: the loaded library is
 * process-wide itself.
 */
#ifndef SFB_DL_H
#define SFB_DL_H

#include <pthread.h>
#include <stddef.h>

#include "sfb.h"

#define DL_MAX_SYMS 64            /* functions of one library at most */

struct dl_sym {
	const char *name;
	void *slot;             /* the function pointer its address goes
				 * to (memcpy'd: sizeof(void *) bytes) */
};

struct dl_lib {
	const char *soname;
	struct dl_sym *syms;
	size_t nsyms;
	pthread_mutex_t lock;
	int state;              /* 0 not tried, 1 loaded, -1 failed */
	char why[256];          /* what failed: dlerror()'s words */
};

/* X-macro helpers: a typed pointer member, and its table row. */
#define DL_PTR(f) __typeof__(f) *f;
#define DL_SYM(s, f) { #f, &(s).f },

#define DL_LIB(soname, syms)                                           \
	{ (soname), (syms), sizeof(syms) / sizeof((syms)[0]),          \
	  PTHREAD_MUTEX_INITIALIZER, 0, "" }

/*
 * Load lib and fill every slot of its table, once.  @return 0, or -1
 * with err set (SFB_E_LIB: "cannot load SONAME: WHY")
 */
int dl_load(struct dl_lib *lib, struct sfb_err *err) SFB_WUR;

#endif
