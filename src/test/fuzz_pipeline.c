/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pipeline.c -- libFuzzer target for the stages after the parsers:
 * the input is cut into lines and read as a log (format detected), and
 * every record goes through the SIP parser, transactions, the session
 * builder (client and server modes, from the first byte) and the call
 * flow, which is then drawn.  What each stage hands the next is the
 * attack surface here: odd but parseable messages, not raw bytes.
 * The pattern table is the shipped one when it can be found
 * (rules/patterns.tsv from the repository root), else none.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sess.h"
#include "sip.h"
#include "sv.h"
#include "txn.h"

struct fz {
	struct fmt *fmt;
	struct sess_builder *sb;
	struct txn_table *txn;
	struct flow *flow;
	struct pat_table *rules;
	struct msg msg;
	int client;
	uint64_t sum;
};

static void on_sess(void *ud, const struct sess *s)
{
	struct fz *z = ud;
	z->sum += s->id + strlen(s->outcome_text) + s->nprops;
	for (int i = 0; i < SFB_STEP__COUNT; i++)
		for (size_t k = 0; k < s->steps[i].nev; k++)
			z->sum += strlen(s->steps[i].ev[k].text);
}

static int on_event(void *ud, const struct pat_event *ev)
{
	struct fz *z = ud;
	sess_event(z->sb, ev, "fuzz", 1, SFB_TIME_NONE);
	return 0;
}

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct fz *z = ud;
	if (rec->type == REC_ENTRY && z->rules)
		pattern_match(z->rules, rec->text, on_event, z);
	else if (rec->type == REC_DIAG)
		sess_diag(z->sb, rec, "fuzz");
	if (rec->type != REC_MSG)
		return 0;
	msg_set(&z->msg, rec, "fuzz");
	sip_parse(&z->msg);
	int copy = txn_add(z->txn, &z->msg);
	struct sv rm = SV_NULL, ru = SV_NULL;
	if (txn_last_request(z->txn, &rm, &ru))
		rm = ru = SV_NULL;
	if (sess_msg(z->sb, &z->msg, copy, rm, ru) || copy)
		flow_add(z->flow, &z->msg);
	return 0;
}

static struct pat_table *shipped(void)
{
	static int tried;
	static struct pat_table *t;
	if (!tried) {
		const char *paths[] = { "rules/patterns.tsv", NULL };
		struct sfb_err err;
		tried = 1;
		t = pattern_load(paths, &err);
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	memset(&z, 0, sizeof z);
	z.client = size ? data[0] & 1 : 1;
	z.rules = shipped();
	struct sess_sink ss = { on_sess, &z };
	z.sb = sess_new(&ss, z.client, 4);
	z.txn = txn_new(NULL, 8, 1000);
	z.flow = flow_new(64);
	msg_init(&z.msg);
	struct fmt_sink sink = { on_rec, &z };
	struct fmt_limits lim = { 4096 };
	z.fmt = fmt_new(FMT_AUTO, &sink, &lim);
	struct sfb_err err;
	const char *p = (const char *)data, *end = p + size;
	unsigned long no = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (fmt_feed(z.fmt, sv_make(p, n), ++no, &err) < 0)
			break;
		p += n + (nl != NULL);
	}
	fmt_finish(z.fmt, &err);
	txn_flush(z.txn);
	sess_flush(z.sb);
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		struct flow_style st = { 60, 1, 1 };
		flow_draw(devnull, z.flow, &st);
		fclose(devnull);
	}
	fmt_free(z.fmt);
	sess_free(z.sb);
	txn_free(z.txn);
	flow_free(z.flow);
	msg_free(&z.msg);
	return 0;
}
