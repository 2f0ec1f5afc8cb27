/* SPDX-License-Identifier: MIT */
/*
 * fuzz_par.c -- libFuzzer target for the chunk boundary finder of
 * src/par.c (par_scan), which decides where `analyze -j` cuts a file.
 * The first input byte picks the format (bit 0: client log or CLS) and
 * the line limit (bit 1: 64 bytes or the default); the rest is the
 * file.  The oracles of par_check.h must hold: boundaries are line
 * starts, monotone, independent of how bytes are fed (pieces of 1 to 16
 * bytes, their cuts varying with the offset: one byte at a time from
 * every offset made an execution scan ~1 KB a byte per offset), and
 * chunks parsed from them give the records of a serial parse (parsed
 * once; a chunk size that cuts where the one before did is not parsed
 * again).  A broken invariant aborts, which libFuzzer and replay.c
 * report.
 */
#include <stdint.h>
#include <stdlib.h>

#include "par_check.h"

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > MAX_INPUT)
		return 0;
	enum fmt_kind k = data[0] & 1 ? FMT_CLS : FMT_UCC;
	size_t max_line = data[0] & 2 ? 64 : SFB_MAX_LINE;
	const char *t = (const char *)data + 1;
	size_t n = size - 1;
	if (offsets_ok_pieces(k, t, n, max_line, n < 1024 ? 1 : 7, 16) != 0)
		abort();
	size_t sizes[] = { 1, 7, 64, n / 3 + 1 };
	if (!chunked_same_sizes(k, t, n, sizes, sizeof sizes / sizeof *sizes,
				max_line))
		abort();
	return 0;
}
