/* SPDX-License-Identifier: MIT */
/*
 * fuzz_lr.c -- libFuzzer target for the line reader (src/lr.c), the
 * first stage of the pipeline.  The first input byte is the read size
 * (0: the default), the rest is the file, written to a temporary file
 * made once per process.  It is read twice, with that read size and
 * whole, under a line limit of 64, and the two traces must agree
 * (split-point invariance, jq jq_fuzz_parse_stream.c).  Every result is
 * checked against the contract of lr.h, and plain text (no gzip magic,
 * no UTF-16 BOM) against a naive line splitter.  A broken invariant
 * aborts, which libFuzzer and replay.c report.
 *
 * Ownership: the temporary file belongs to this process; it is
 * unlinked as soon as it is made (read through /proc/self/fd), or at
 * exit where there is no /proc.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lr.h"

#define MAX_LINE 64
#define MAX_RECS 200000 /* a gzip bomb of tiny lines ends here */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_path[512];

static void rm_tmp(void)
{
	unlink(tmp_path);
}

/*
 * Write the file to read; @return 0, -1 when the system is at fault.
 * libFuzzer ends with _Exit, which skips atexit: where /proc lets the
 * reader open the file through its descriptor, it is unlinked at once.
 */
static int put_file(const uint8_t *p, size_t n)
{
	static int fd = -1;
	if (fd < 0) {
		const char *dir = getenv("TMPDIR");
		snprintf(tmp_path, sizeof tmp_path, "%s/fuzz_lr.XXXXXX",
			 dir && *dir ? dir : "/tmp");
		fd = mkstemp(tmp_path);
		if (fd < 0)
			return -1;
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		if (access(proc, R_OK) == 0) {
			unlink(tmp_path);
			snprintf(tmp_path, sizeof tmp_path, "%s", proc);
		} else {
			atexit(rm_tmp);
		}
	}
	if (ftruncate(fd, 0) != 0)
		return -1;
	size_t off = 0;
	while (off < n) {
		ssize_t w = pwrite(fd, p + off, n - off, (off_t)off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* The naive splitter: the next expected result from text[*pos, n). */
static int ref_next(const uint8_t *t, size_t n, size_t *pos,
		    struct sv *line)
{
	if (*pos >= n)
		return LR_EOF;
	const uint8_t *p = t + *pos;
	const uint8_t *nl = memchr(p, '\n', n - *pos);
	size_t len = nl ? (size_t)(nl - p) : n - *pos;
	*pos += len + (nl != NULL);
	if (nl && len && p[len - 1] == '\r')
		len--;
	line->p = (const char *)p;
	line->n = len;
	return len > MAX_LINE ? LR_LONG : LR_LINE;
}

/*
 * Read the file once; abort on any broken invariant.
 * @param oracle  check against the naive splitter
 * @return the hash of the trace
 */
static uint64_t read_once(size_t chunk, const uint8_t *f, size_t n,
			  int oracle, uint64_t *bad_units)
{
	struct sfb_err e;
	struct lr *r = lr_open(tmp_path, MAX_LINE, &e);
	if (!r)
		abort();        /* a regular file we just wrote */
	lr_set_chunk(r, chunk);

	int gz = n >= 2 && f[0] == 0x1f && f[1] == 0x8b;
	size_t ref = 0;
	unsigned long last = 0;
	uint64_t h = 0xcbf29ce484222325ULL;
	int st = LR_LINE;
	for (long i = 0; i < MAX_RECS && st > 0; i++) {
		struct sv line;
		unsigned long no = 0;
		st = lr_next(r, &line, &no, &e);
		if (i == 0 && lr_is_gzip(r) != gz)
			abort();
		if (i == 0 && oracle && !gz) {
			int bom = n >= 3 && !memcmp(f, "\xef\xbb\xbf", 3);
			if (lr_encoding(r) != (bom ? LR_ENC_UTF8_BOM
						   : LR_ENC_UTF8))
				abort();
			ref = bom ? 3 : 0;
		}
		h = fnv(h, &st, sizeof st);
		if (st == LR_LINE || st == LR_LONG) {
			if (no != last + 1)
				abort();
			last = no;
			h = fnv(h, &no, sizeof no);
			h = fnv(h, &line.n, sizeof line.n);
		}
		if (st == LR_LINE) {
			if (line.n > MAX_LINE || (line.n && !line.p))
				abort();
			h = fnv(h, line.p, line.n);
		} else if (st == LR_LONG) {
			if (line.n <= MAX_LINE || line.p)
				abort();
		} else if (st == LR_ERR) {
			if (e.code != SFB_E_GZIP || !gz)
				abort();
			h = fnv(h, e.msg, strlen(e.msg));
			h = fnv(h, &e.line, sizeof e.line);
		}
		if (oracle && !gz) {
			struct sv want;
			if (ref_next(f, n, &ref, &want) != st ||
			    (st > 0 && want.n != line.n) ||
			    (st == LR_LINE &&
			     memcmp(want.p, line.p, line.n) != 0))
				abort();
		}
	}
	if (st <= 0) {          /* the end is sticky */
		struct sv line;
		unsigned long no;
		if (lr_next(r, &line, &no, &e) != st)
			abort();
		if (st == LR_EOF && !gz && lr_bytes(r) != n)
			abort();
	}
	*bad_units = lr_bad_units(r);
	lr_close(r);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *f = data + 1;
	size_t n = size - 1;
	if (put_file(f, n) != 0)
		return 0;
	int u16 = n >= 2 && ((f[0] == 0xff && f[1] == 0xfe) ||
			     (f[0] == 0xfe && f[1] == 0xff));
	uint64_t bad1, bad2;
	uint64_t h1 = read_once(data[0], f, n, !u16, &bad1);
	uint64_t h2 = read_once(0, f, n, 0, &bad2);
	if (h1 != h2 || bad1 != bad2)
		abort();
	return 0;
}
