/* SPDX-License-Identifier: MIT */
/*
 * dl.c -- optional shared libraries loaded on first use (see dl.h).
 *
 * Where it sits: beside the pipeline, under arc.c and store.c only.
 * Ownership: a library, once loaded, stays loaded until the process
 * ends (its functions may be called from any thread at any time); the
 * struct dl_lib is the caller's, usually a static of its module.
 */
#include <dlfcn.h>
#include <string.h>

#include "dl.h"

/* Copy dlerror()'s words (or a fallback) into lib->why. */
static void set_why(struct dl_lib *lib, const char *what)
{
	const char *e = dlerror();
	size_t n = strlen(e ? e : what);
	if (n >= sizeof lib->why)
		n = sizeof lib->why - 1;
	memcpy(lib->why, e ? e : what, n);
	lib->why[n] = '\0';
}

static int load(struct dl_lib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		set_why(lib, "not found");
		return -1;
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		dlerror();
		void *f = dlsym(h, lib->syms[i].name);
		if (!f) {
			set_why(lib, lib->syms[i].name);
			dlclose(h);
			return -1;
		}
		*lib->syms[i].slot = f;
	}
	return 0;
}

int dl_load(struct dl_lib *lib, struct sfb_err *err)
{
	pthread_mutex_lock(&lib->lock);
	if (lib->state == 0)
		lib->state = load(lib) == 0 ? 1 : -1;
	int st = lib->state;
	pthread_mutex_unlock(&lib->lock);
	if (st > 0)
		return 0;
	return sfb_err_set(err, SFB_E_IO, 0, "cannot load %s: %s",
			   lib->soname, lib->why);
}
