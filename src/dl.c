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

/*
 * Keep dlerror()'s words (or what, if it has none) in lib->why, less
 * a leading "SONAME: ", which the message says already.
 */
static void set_why(struct dl_lib *lib, const char *what)
{
	const char *e = dlerror();
	if (!e)
		e = what;
	size_t ls = strlen(lib->soname);
	if (strncmp(e, lib->soname, ls) == 0 && e[ls] == ':' &&
	    e[ls + 1] == ' ')
		e += ls + 2;
	size_t n = strlen(e);
	if (n >= sizeof lib->why)
		n = sizeof lib->why - 1;
	memcpy(lib->why, e, n);
	lib->why[n] = '\0';
}

/*
 * Open the library and find every function; fill the slots only when
 * all were found, so that a failure leaves none pointing into a closed
 * library.  memcpy, not a cast: the slot is a function pointer and
 * dlsym gives an object pointer, of the same size on every POSIX
 * system (which dlsym's own use needs).
 */
static int load(struct dl_lib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		set_why(lib, "not found");
		return -1;
	}
	void *f[DL_MAX_SYMS];
	if (lib->nsyms > DL_MAX_SYMS) {
		dlclose(h);
		memcpy(lib->why, "too many functions", 19);
		return -1;
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		dlerror();
		f[i] = dlsym(h, lib->syms[i].name);
		if (!f[i]) {
			set_why(lib, lib->syms[i].name);
			dlclose(h);
			return -1;
		}
	}
	for (size_t i = 0; i < lib->nsyms; i++)
		memcpy(lib->syms[i].slot, &f[i], sizeof f[i]);
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
	return sfb_err_set(err, SFB_E_LIB, 0, "cannot load %s: %s",
			   lib->soname, lib->why);
}
