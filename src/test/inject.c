/* SPDX-License-Identifier: MIT */
/*
 * inject.c -- I/O fault injection for the tests (after jq's
 * src/inject_errors.c): an LD_PRELOAD shim, build/test/inject.so, that
 * makes the input and output of an unmodified sfblog fail the way a
 * disk, a network file system or a closed pipe does.  Used by
 * src/test/faults.sh; not part of the program.
 *
 * What sfblog calls: the line reader (lr.c) reads with read(2); the
 * pattern loader (pattern.c) with fread(3); the reports go to stdout
 * through stdio, whose own write(2) calls cannot be interposed, so the
 * shim puts a stream of its own (fopencookie) in place of stdout at
 * start-up and fails its writes.
 *
 * Driven by environment variables, each one fault of the form KIND,
 * KIND@N (from the Nth call on) or KIND+B (after B bytes went through):
 *   SFB_INJECT_READ    read(2) on every descriptor:
 *                      short   each call returns 1 to 4096 bytes at most
 *                      eintr   every other call fails with EINTR first
 *                      eio@N, eio+B  EIO from then on
 *   SFB_INJECT_FREAD   fread(3): eio@N, eio+B (the error indicator is
 *                      set and errno is EIO, as for a real failure)
 *   SFB_INJECT_WRITE   standard output:
 *                      enospc@N, enospc+B  ENOSPC from then on (with +B
 *                      the first B bytes do reach the descriptor)
 *                      epipe@N, epipe+B   SIGPIPE, then EPIPE, as the
 *                      kernel does when the reader has gone
 *   SFB_INJECT_PREAD   pread(2), by which `-j` (par.c) reads from its
 *                      threads: eio@N, EIO from the Nth call on (the
 *                      calls counted atomically, whichever thread)
 *   SFB_INJECT_DLOPEN  dlopen(3), by which dl.c loads libarchive and
 *                      libsqlite3: "fail" fails every call, as when
 *                      the library is not installed
 * Unset or empty: no fault.  A malformed value aborts at start-up.
 * Not thread-safe but for SFB_INJECT_PREAD (only `-j` has threads).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum kind { K_NONE, K_SHORT, K_EINTR, K_EIO, K_ENOSPC, K_EPIPE };

struct fault {
	enum kind kind;
	unsigned long long at;  /* the call (@) or the byte count (+) */
	int bytes;              /* 1: at counts bytes */
	unsigned long long calls, done; /* calls seen, bytes through */
};

static struct fault rd, frd, wr, prd;

static void parse(struct fault *f, const char *var)
{
	static const struct {
		const char *name;
		enum kind kind;
	} kinds[] = {
		{ "short", K_SHORT }, { "eintr", K_EINTR }, { "eio", K_EIO },
		{ "enospc", K_ENOSPC }, { "epipe", K_EPIPE },
	};
	const char *v = getenv(var);
	if (!v || !*v)
		return;
	size_t n = strcspn(v, "@+");
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].name) == n &&
		    memcmp(v, kinds[i].name, n) == 0)
			f->kind = kinds[i].kind;
	f->at = 1;
	if (v[n]) {
		char *end;
		f->bytes = v[n] == '+';
		errno = 0;
		f->at = strtoull(v + n + 1, &end, 10);
		if (errno || *end || end == v + n + 1)
			f->kind = K_NONE;
	}
	if (f->kind == K_NONE) {
		fprintf(stderr, "inject: bad %s='%s'\n", var, v);
		abort();
	}
}

/*
 * How many of want bytes the call may move before the fault, or -1 to
 * fail now (errno set).  Counts the call.
 */
static long long gate(struct fault *f, size_t want)
{
	f->calls++;
	switch (f->kind) {
	case K_NONE:
		return (long long)want;
	case K_SHORT: {
		/* every third call 1 to 7 bytes, else up to 4 KiB: splits
		 * at every kind of offset without a syscall per byte */
		size_t cap = f->calls % 3 ? 1 + f->calls * 2654435761u % 4096
					  : 1 + f->calls % 7;
		return (long long)(want < cap ? want : cap);
	}
	case K_EINTR:
		if (f->calls % 2) {
			errno = EINTR;
			return -1;
		}
		return (long long)want;
	default:
		break;
	}
	int hit = f->bytes ? f->done >= f->at : f->calls >= f->at;
	if (!hit) {
		if (f->bytes && want > f->at - f->done)
			want = (size_t)(f->at - f->done);
		return (long long)want;
	}
	if (f->kind == K_EPIPE)
		raise(SIGPIPE);
	errno = f->kind == K_EIO ? EIO : f->kind == K_ENOSPC ? ENOSPC
			      : EPIPE;
	return -1;
}

/* ---- input ---- */

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	if (!real)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT,
							       "read");
	long long k = gate(&rd, n);
	if (k < 0)
		return -1;
	ssize_t got = real(fd, buf, (size_t)k);
	if (got > 0)
		rd.done += (unsigned long long)got;
	return got;
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);
	ssize_t (*r)(int, void *, size_t, off_t) =
		__atomic_load_n(&real, __ATOMIC_ACQUIRE);
	if (!r) {
		r = (ssize_t (*)(int, void *, size_t, off_t))dlsym(
			RTLD_NEXT, "pread");
		__atomic_store_n(&real, r, __ATOMIC_RELEASE);
	}
	if (prd.kind == K_EIO &&
	    __atomic_add_fetch(&prd.calls, 1, __ATOMIC_RELAXED) >= prd.at) {
		errno = EIO;
		return -1;
	}
	return r(fd, buf, n, off);
}

size_t fread(void *buf, size_t size, size_t nmemb, FILE *f)
{
	static size_t (*real)(void *, size_t, size_t, FILE *);
	if (!real)
		real = (size_t (*)(void *, size_t, size_t, FILE *))
			dlsym(RTLD_NEXT, "fread");
	if (size == 0 || frd.kind == K_NONE)
		return real(buf, size, nmemb, f);
	long long k = gate(&frd, size * nmemb);
	size_t got = 0;
	if (k > 0) {
		got = real(buf, size, (size_t)k / size, f);
		frd.done += got * size;
		if (got * size < (size_t)k || (size_t)k == size * nmemb)
			return got;     /* the end came first, or no fault */
	}
	/* fread stops at a failed read with the error indicator set */
	f->_flags |= _IO_ERR_SEEN;
	errno = EIO;
	return got;
}

/* ---- output: stdout through a stream of our own ---- */

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	size_t off = 0;
	while (off < n) {
		long long k = gate(&wr, n - off);
		if (k < 0)
			return off ? (ssize_t)off : -1;
		ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return off ? (ssize_t)off : -1;
		off += (size_t)w;
		wr.done += (unsigned long long)w;
	}
	return (ssize_t)n;
}

static int out_close(void *cookie)
{
	(void)cookie;
	return 0;
}

/* ---- shared libraries ---- */

static int dl_fail;

void *dlopen(const char *file, int mode)
{
	static void *(*real)(const char *, int);
	if (dl_fail)
		return NULL;
	if (!real)
		real = (void *(*)(const char *, int))dlsym(RTLD_NEXT,
							   "dlopen");
	return real(file, mode);
}

__attribute__((constructor)) static void inject_init(void)
{
	const char *dl = getenv("SFB_INJECT_DLOPEN");
	if (dl && *dl && strcmp(dl, "fail") != 0) {
		fprintf(stderr, "inject: bad SFB_INJECT_DLOPEN='%s'\n", dl);
		abort();
	}
	dl_fail = dl && *dl;
	parse(&rd, "SFB_INJECT_READ");
	parse(&frd, "SFB_INJECT_FREAD");
	parse(&wr, "SFB_INJECT_WRITE");
	parse(&prd, "SFB_INJECT_PREAD");
	if (prd.kind != K_NONE && (prd.kind != K_EIO || prd.bytes)) {
		fprintf(stderr, "inject: SFB_INJECT_PREAD takes eio@N only\n");
		abort();
	}
	if (frd.kind == K_SHORT || frd.kind == K_EINTR ||
	    wr.kind == K_SHORT || wr.kind == K_EINTR) {
		fprintf(stderr, "inject: short and eintr are for "
			"SFB_INJECT_READ only\n");
		abort();
	}
	if (wr.kind == K_NONE)
		return;
	cookie_io_functions_t io = { NULL, out_write, NULL, out_close };
	FILE *f = fopencookie(NULL, "w", io);
	if (!f) {
		perror("inject: fopencookie");
		abort();
	}
	stdout = f;
}
