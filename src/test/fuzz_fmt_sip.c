/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fmt_sip.c -- libFuzzer target for the raw SIP text parser
 * (parsers/fmt_sip.c), also replayed over testdata/corpus/fmt_sip/ by
 * `make replay`.  The first input byte is a control byte: bit 0 sends
 * the lines through detection and dispatch (parsers/fmt.c, FMT_AUTO)
 * instead of the parser directly, the other bits pick the size limit
 * (0: the default, else a small one so the cut paths run).  The rest
 * is split into lines at '\n' and fed, then finished.  on_rec reads
 * every byte of every view so ASan catches one that points outside
 * live memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned sum_sv(struct sv v)
{
	unsigned s = 0;
	for (size_t i = 0; i < v.n; i++)
		s += (unsigned char)v.p[i];
	return s;
}

static int on_rec(void *ud, const struct fmt_rec *r)
{
	unsigned *sum = ud;
	*sum += sum_sv(r->raw) + sum_sv(r->text) + sum_sv(r->level) +
		sum_sv(r->local) + sum_sv(r->remote) + sum_sv(r->flag) +
		sum_sv(r->server) + sum_sv(r->component) +
		sum_sv(r->function) + sum_sv(r->src_file) +
		sum_sv(r->record_id) + sum_sv(r->corr_id) +
		sum_sv(r->instance_id) + sum_sv(r->dir_source) +
		sum_sv(r->dir_dest) + sum_sv(r->msg_type) +
		sum_sv(r->severity) + sum_sv(r->diag_text) +
		sum_sv(r->result_name) + sum_sv(r->sip_start_line) +
		sum_sv(r->sip_call_id) + sum_sv(r->sip_cseq) +
		sum_sv(r->peer);
	if (r->ndata > SFB_MAX_KV || (r->ndata && !r->data))
		abort();
	for (size_t i = 0; i < r->ndata; i++)
		*sum += sum_sv(r->data[i].key) + sum_sv(r->data[i].val);
	if (r->line_first > r->line_last || r->type < REC_ENTRY ||
	    r->type > REC_WARN)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static volatile unsigned sink_sum;
	unsigned sum = 0;
	struct fmt_limits lim = { 0 };
	int via_fmt = 0;
	if (size) {
		via_fmt = data[0] & 1;
		lim.max_msg = (size_t)(data[0] >> 1) * 8;
		data++;
		size--;
	}
	struct fmt_sink sink = { on_rec, &sum };
	struct fmt_sip *p = via_fmt ? NULL : fmt_sip_new(&sink, &lim);
	struct fmt *f = via_fmt ? fmt_new(FMT_AUTO, &sink, &lim) : NULL;
	struct sfb_err err;
	const char *s = (const char *)data;
	size_t i = 0;
	unsigned long ln = 1;
	while (i < size) {
		const char *e = memchr(s + i, '\n', size - i);
		size_t n = e ? (size_t)(e - (s + i)) : size - i;
		if (f)
			fmt_feed(f, sv_make(s + i, n), ln++, &err);
		else
			fmt_sip_feed(p, sv_make(s + i, n), ln++);
		i += n + 1;
	}
	if (f)
		fmt_finish(f, &err);
	else
		fmt_sip_finish(p);
	fmt_free(f);
	fmt_sip_free(p);
	sink_sum = sum;
	(void)sink_sum;
	return 0;
}
