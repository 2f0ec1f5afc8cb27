/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fmt_sip.c -- libFuzzer target for the raw SIP text parser
 * (parsers/fmt_sip.c) behind detection and dispatch (parsers/fmt.c),
 * also replayed over testdata/corpus/fmt_sip/ by `make replay`.  The
 * first input byte is a control byte: bit 0 picks FMT_SIP (else
 * FMT_AUTO: pasted text must be detected first), the other bits the
 * size limit (0: the default, else a small one so the cut paths run).
 * The rest is fed as lines split at '\n', then finished.
 *
 * Besides ASan reading every byte of the views, on_rec checks what
 * pasted text promises: records in line order, no invented time or
 * direction, a message's text never longer than the limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	unsigned sum;
	size_t max;
	unsigned long last_first;
	int sip;                /* the records come from fmt_sip */
	struct fmt *f;
};

static unsigned bytes_of(struct sv v)
{
	unsigned s = 0;
	for (size_t i = 0; i < v.n; i++)
		s = s * 31u + (unsigned char)v.p[i];
	return s;
}

static int on_rec(void *ud, const struct fmt_rec *r)
{
	struct fz *z = ud;
	z->sum += bytes_of(r->raw) + bytes_of(r->text);
	if (r->line_first > r->line_last || r->type < REC_ENTRY ||
	    r->type > REC_WARN)
		abort();
	if (fmt_kind_get(z->f) != FMT_SIP || r->type == REC_WARN)
		return 0;
	if (r->ts != SFB_TIME_NONE || r->dir != DIR_UNKNOWN ||
	    r->text.n > z->max || r->raw.n > z->max ||
	    r->line_first < z->last_first)
		abort();
	z->last_first = r->line_first;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static volatile unsigned sink_sum;
	struct fz z;
	struct fmt_limits lim = { 0 };
	enum fmt_kind kind = FMT_AUTO;
	memset(&z, 0, sizeof z);
	if (size) {
		kind = data[0] & 1 ? FMT_SIP : FMT_AUTO;
		lim.max_msg = (size_t)(data[0] >> 1) * 8;
		data++;
		size--;
	}
	z.max = lim.max_msg ? lim.max_msg : SFB_MAX_MSG;
	struct fmt_sink sink = { on_rec, &z };
	z.f = fmt_new(kind, &sink, &lim);
	struct sfb_err err;
	const char *s = (const char *)data, *end = s + size;
	unsigned long ln = 1;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (fmt_feed(z.f, sv_make(s, n), ln++, &err) < 0)
			break;
		s += n + 1;
	}
	fmt_finish(z.f, &err);
	fmt_free(z.f);
	sink_sum = z.sum;
	(void)sink_sum;
	return 0;
}
