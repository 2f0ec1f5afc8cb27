/* SPDX-License-Identifier: MIT */
/*
 * fuzz_diff.c -- libFuzzer target for diff.c: the input holds two logs
 * (split at the first NUL byte, else in the middle); each goes through
 * the engine (sessions, no rules), the messages of its first sign-in
 * are reduced (diff_msgs_add) and the two are compared.  Checks: the
 * result is bounded, its strings are terminated, the first divergence
 * is an item, and a side compared with itself has no difference.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "engine.h"

struct mem {
	const uint8_t *p;
	size_t n, off;
};

static long mem_read(void *ud, void *buf, size_t cap, struct sfb_err *err)
{
	struct mem *m = ud;
	(void)err;
	size_t k = m->n - m->off < cap ? m->n - m->off : cap;
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (long)k;
}

struct side {
	struct sess s;
	int have;
	struct diff_msgs m;
};

static void on_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	struct side *sd = ud;
	(void)f;
	(void)nf;
	if (sd->have || s->id != 1)
		return;
	sd->s = *s;
	sd->s.props = NULL;
	sd->s.nprops = 0;
	sd->have = 1;
}

static void on_msg(void *ud, const struct msg *m, const struct fmt_rec *rec,
		   unsigned session, int copy)
{
	struct side *sd = ud;
	(void)rec;
	if (session == 1 && !copy)
		diff_msgs_add(&sd->m, m);
}

static void load(struct side *sd, const uint8_t *p, size_t n)
{
	memset(sd, 0, sizeof *sd);
	struct engine_config cfg = { 0 };
	struct engine_sink sk = { 0 };
	cfg.want = ENG_SESSIONS;
	cfg.max_line = 1 << 16;
	cfg.max_msg = 1 << 16;
	cfg.max_txn = 256;
	sk.on_session = on_session;
	sk.on_msg = on_msg;
	sk.ud = sd;
	struct mem m = { p, n, 0 };
	struct engine_input in = { "fuzz", mem_read, &m };
	struct engine *e = engine_new(&cfg, &sk);
	(void)engine_run_inputs(e, &in, 1, "fuzz");
	engine_free(e);
}

static void check(const struct diff_result *r)
{
	if (r->n > DIFF_MAX_ITEMS || r->first > r->n ||
	    (r->n && r->first == r->n))
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_item *it = &r->items[i];
		if (strnlen(it->what, sizeof it->what) == sizeof it->what ||
		    strnlen(it->good, sizeof it->good) == sizeof it->good ||
		    strnlen(it->bad, sizeof it->bad) == sizeof it->bad ||
		    it->kind >= DIFF__COUNT)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t cut = nul ? (size_t)(nul - data) : size / 2;
	struct side a, b;
	load(&a, data, cut);
	load(&b, data + cut + (nul ? 1 : 0), size - cut - (nul ? 1 : 0));
	struct diff_side ga = { &a.s, &a.m, NULL, 0 };
	struct diff_side gb = { &b.s, &b.m, NULL, 0 };
	struct diff_result r = { 0 };
	diff_compare(&ga, &gb, &r);
	check(&r);
	diff_result_free(&r);
	/* a sign-in against itself: nothing differs */
	diff_compare(&ga, &ga, &r);
	check(&r);
	if (r.n)
		abort();
	diff_result_free(&r);
	diff_msgs_free(&a.m);
	diff_msgs_free(&b.m);
	return 0;
}
