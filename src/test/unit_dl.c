/* SPDX-License-Identifier: MIT */
/*
 * unit_dl.c -- unit tests of the loader of optional libraries (dl.c):
 * a library and its functions found and filled in, a missing library
 * and a missing function said by name, the same answer on every call,
 * and -- the point of it all -- libarchive and libsqlite3 not mapped
 * until arc.c or store.c first needs them.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "arc.h"
#include "check.h"
#include "dl.h"
#include "store.h"

/* Is a library whose file name contains name mapped into us? */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	char line[4096];
	int found = 0;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

#define Z_FUNCS(X) X(zlibVersion) X(crc32)
#define Z_SYM(f) DL_SYM(z, f)
static struct {
	Z_FUNCS(DL_PTR)
} z;
static struct dl_sym z_syms[] = { Z_FUNCS(Z_SYM) };

static void test_found(void)
{
	struct dl_lib lib = DL_LIB("libz.so.1", z_syms);
	struct sfb_err err = { 0 };
	CHECK_INT(dl_load(&lib, &err), 0);
	/* zlib is linked too: the same library, so the same functions */
	CHECK(z.zlibVersion == zlibVersion);
	CHECK(z.crc32 == crc32);
	CHECK(strcmp(z.zlibVersion(), ZLIB_VERSION) == 0);
	CHECK_INT(dl_load(&lib, &err), 0);
	CHECK_INT(lib.state, 1);
}

static struct {
	void (*no_such_function_here)(void);
} nf;
static struct dl_sym nf_syms[] = {
	{ "no_such_function_here", &nf.no_such_function_here },
};

static void test_missing(void)
{
	struct dl_lib lib = DL_LIB("libsfblog-missing.so.9", z_syms);
	struct sfb_err err = { 0 };
	CHECK_INT(dl_load(&lib, &err), -1);
	CHECK_INT(err.code, SFB_E_LIB);
	CHECK(strstr(err.msg, "cannot load libsfblog-missing.so.9: ") ==
	      err.msg);
	/* dlerror's own "SONAME: " is not said twice */
	CHECK(strstr(err.msg + 13, "libsfblog-missing.so.9") == NULL);
	CHECK(strstr(err.msg, "No such file") != NULL);
	/* failed once, fails again the same way without trying again */
	struct sfb_err again = { 0 };
	CHECK_INT(dl_load(&lib, &again), -1);
	CHECK(strcmp(err.msg, again.msg) == 0);

	struct dl_lib fn = DL_LIB("libz.so.1", nf_syms);
	CHECK_INT(dl_load(&fn, &err), -1);
	CHECK(strstr(err.msg, "cannot load libz.so.1: ") == err.msg);
	CHECK(strstr(err.msg, "no_such_function_here") != NULL);
	CHECK(nf.no_such_function_here == NULL);

	/* a function missing after others were found: none is filled */
	struct {
		const char *(*zlibVersion)(void);
		void (*nope)(void);
	} part = { 0 };
	struct dl_sym part_syms[] = {
		{ "zlibVersion", &part.zlibVersion },
		{ "sfblog_no_such_function", &part.nope },
	};
	struct dl_lib pl = DL_LIB("libz.so.1", part_syms);
	CHECK_INT(dl_load(&pl, &err), -1);
	CHECK(strstr(err.msg, "sfblog_no_such_function") != NULL);
	CHECK(part.zlibVersion == NULL);
	CHECK_INT(dl_load(&fn, NULL), -1);
}

static struct dl_lib shared_lib = DL_LIB("libz.so.1", z_syms);

static void *load_in_thread(void *arg)
{
	struct sfb_err err = { 0 };
	*(int *)arg = dl_load(&shared_lib, &err);
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];
	int rc[4] = { -2, -2, -2, -2 };
	for (int i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&t[i], NULL, load_in_thread, &rc[i]),
			  0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(rc[i], 0);
	}
}

static void test_lazy(void)
{
	CHECK_INT(mapped("libarchive"), 0);
	CHECK_INT(mapped("libsqlite3"), 0);
	CHECK(strncmp(arc_version(), "libarchive ", 11) == 0);
	CHECK_INT(mapped("libarchive"), 1);
	CHECK_INT(mapped("libsqlite3"), 0);
	CHECK(strchr(store_version(), '.') != NULL);
	CHECK_INT(mapped("libsqlite3"), 1);
}

int main(void)
{
	test_lazy();            /* first: before anything loads them */
	test_found();
	test_missing();
	test_threads();
	return CHECK_DONE("unit_dl");
}
