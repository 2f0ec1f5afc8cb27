/* SPDX-License-Identifier: MIT */
/*
 * fuzz_redact.c -- libFuzzer target for `sfblog redact` (redact.c,
 * pseudo.c).  The input is a log: split at '\n' and fed line by line
 * to a struct redact with a small block limit (so blocks overflow too),
 * the copy collected by the sink.  Oracles: the copy ends with a line
 * end when anything was fed; every line fed is counted; and the whole
 * input, rewritten as one message by redact_message(), changes length
 * by exactly the delta it returns (line ends counted as CRLF), which
 * is what the byte-count fix-ups rely on.  One alias table per call.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pseudo.h"
#include "redact.h"
#include "sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink_write(void *ud, const char *p, size_t n)
{
	pseudo_buf_add(ud, p, n);
	return 0;
}

static long long wire(const char *p, size_t n)
{
	long long w = (long long)n;
	for (size_t i = 0; i < n; i++)
		w += p[i] == '\n';
	return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pseudo *ps = pseudo_new();
	struct pseudo_buf out = { 0 };
	struct redact_sink s = { sink_write, NULL, &out };
	struct redact *r = redact_new(ps, &s, 2048);
	struct sv v = sv_make((const char *)data, size), line;
	unsigned long no = 0;
	while (v.n) {
		sv_split(&v, '\n', &line);
		if (redact_feed(r, line, ++no))
			abort();
	}
	if (redact_finish(r))
		abort();
	if (redact_stats(r)->lines != no)
		abort();
	if (no && (!out.n || out.p[out.n - 1] != '\n'))
		abort();
	redact_free(r);

	struct pseudo_buf m = { 0 };
	struct redact_stats st = { 0 };
	long long d = redact_message(ps, sv_make((const char *)data, size),
				     &m, &st);
	if (d != wire(m.p, m.n) - wire((const char *)data, size))
		abort();
	free(m.p);
	free(out.p);
	pseudo_free(ps);
	return 0;
}
