/* SPDX-License-Identifier: MIT */
/*
 * fuzz_archive.c -- libFuzzer target for zip bundles (src/arc.c) and the
 * line reader over a caller's source (lr_open_reader), the way triage
 * reads a zip entry.  The input is written to a temporary file (made
 * once per process, unlinked at once where /proc allows), listed with
 * arc_list, and each of its first entries is streamed through
 * lr_open_reader with small caps (1 MiB unpacked, ratio 50).  The caps
 * must hold: no entry hands out more than the cap plus one read.  A
 * broken invariant aborts, which libFuzzer and replay.c report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arc.h"
#include "lr.h"

#define MAX_UNPACKED (1u << 20)
#define MAX_ENTRIES 16
#define MAX_LINES 200000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_path[512];

static void rm_tmp(void)
{
	unlink(tmp_path);
}

static int put_file(const uint8_t *p, size_t n)
{
	static int fd = -1;
	if (fd < 0) {
		const char *dir = getenv("TMPDIR");
		snprintf(tmp_path, sizeof tmp_path, "%s/fuzz_arc.XXXXXX",
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (put_file(data, size) != 0)
		return 0;
	struct arc_entry *ents;
	size_t n;
	struct sfb_err err = { 0 };
	(void)arc_list(tmp_path, &ents, &n, &err);
	for (size_t i = 0; i < n && i < MAX_ENTRIES; i++) {
		if (ents[i].encrypted)
			continue;
		struct arc_rd *r = arc_open(tmp_path, ents[i].index,
					    ents[i].name, MAX_UNPACKED, 50,
					    &err);
		if (!r)
			continue;
		struct lr *lr = lr_open_reader(arc_read, r, ents[i].name, 256);
		struct sv line;
		unsigned long lineno;
		for (int k = 0; k < MAX_LINES; k++) {
			int st = lr_next(lr, &line, &lineno, &err);
			if (st == LR_EOF || st == LR_ERR)
				break;
			if (st == LR_LINE && line.n > 256)
				abort();
		}
		if (arc_bytes(r) > MAX_UNPACKED + (256u << 10))
			abort();
		lr_close(lr);
		arc_close(r);
	}
	arc_list_free(ents, n);
	return 0;
}
