/* SPDX-License-Identifier: MIT */
/*
 * fuzz_report.c -- libFuzzer target for the last stage, the reporters,
 * fed by the whole pipeline: arbitrary bytes are read as a log and
 * `analyze` (text and JSON) and `messages` (text, JSON, NDJSON and
 * text with a --grep regex) are written into memory, where oracles
 * judge what a reader or a program would get:
 *   text   no byte below 0x20 other than newline and tab, and no DEL:
 *          nothing from a log may drive the reader's terminal;
 *   JSON   cJSON parses it (NDJSON: each line), no NUL byte cuts it,
 *          and it is valid UTF-8 (RFC 3629, checked strictly here).
 * A failed oracle aborts, so libFuzzer saves the input.
 *
 * Input: byte 0 picks the options (bits 0-1 the format: auto, client
 * log, server trace, auto; bit 2 --verbose; bits 3-5 the --grep
 * regex), byte 1 is the length L (0-31) of the file name that follows
 * (0: "fuzz.log"), and the rest is the log.  Seeds are the pipeline
 * corpus behind such a header.
 *
 * The pipeline is wired here as main.c wires it, in run_pipeline()
 * alone, so that it can become one call of the engine API.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ana.h"
#include "grep.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "rep.h"
#include "sess.h"
#include "sip.h"
#include "sv.h"
#include "txn.h"

enum fz_cmd { FZ_ANALYZE, FZ_MESSAGES };

struct fz_opts {
	enum fz_cmd cmd;
	enum rep_format out;
	enum fmt_kind format;
	int verbose;
	struct grep_re *re;     /* borrowed: --grep, or NULL */
	struct pat_table *rules; /* borrowed, or NULL */
};

struct fz_run {
	const struct fz_opts *o;
	FILE *out;
	const char *name;
	struct ana ana;
	struct msg msg;
	struct txn_table *txn;
	struct sess_builder *sess;
	struct fmt *fmt;
	struct rep_json *json;
};

/* ---- the pipeline (main.c's run_stream, one file from memory) ---- */

static void on_txn(void *ud, const struct txn_info *t)
{
	struct fz_run *r = ud;
	ana_txn(&r->ana, t);
}

static void on_session(void *ud, const struct sess *s)
{
	struct fz_run *r = ud;
	if (r->o->cmd != FZ_ANALYZE)
		return;
	ana_session(&r->ana, s);
	if (r->o->out == REP_TEXT)
		rep_text_session(r->out, s, 0, r->o->verbose);
	else
		rep_json_session(r->json, s);
}

struct fz_event {
	struct fz_run *r;
	const struct fmt_rec *rec;
};

static int on_event(void *ud, const struct pat_event *ev)
{
	struct fz_event *c = ud;
	(void)sess_event(c->r->sess, ev, c->r->name, c->rec->line_first,
			 c->rec->ts);
	return 0;
}

/*
 * grep_match, before and after it reported match errors (issue 8: the
 * header then defines the limits); goes with the engine API.
 */
static int grep_hit(struct grep_re *re, struct sv subject)
{
#ifdef GREP_MATCH_LIMIT
	struct sfb_err err;
	return grep_match(re, subject, &err);
#else
	return grep_match(re, subject);
#endif
}

static void on_msg(struct fz_run *r, const struct fmt_rec *rec)
{
	struct msg *m = &r->msg;
	msg_set(m, rec, r->name);
	(void)sip_parse(m);
	if (r->o->cmd == FZ_MESSAGES) {
		if (r->o->re && grep_hit(r->o->re, sv_make(m->buf, m->len)) < 1)
			return;
		if (r->o->out != REP_TEXT)
			rep_json_msg(r->json, m);
		else
			rep_text_msg(r->out, m, 0);
		return;
	}
	int copy = txn_add(r->txn, m);
	struct sv rm = SV_NULL, ru = SV_NULL;
	if (m->kind == MSG_RESPONSE && txn_last_request(r->txn, &rm, &ru))
		rm = ru = SV_NULL;
	unsigned id = sess_msg(r->sess, m, copy, rm, ru);
	ana_msg(&r->ana, m, copy, rm, ru);
	if (!id)
		r->ana.outside_msgs++;
}

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct fz_run *r = ud;
	if (!r->sess && r->o->cmd == FZ_ANALYZE) {
		struct sess_sink ss = { on_session, r };
		r->sess = sess_new(&ss, fmt_kind_get(r->fmt) != FMT_CLS, 0);
	}
	if (r->o->cmd == FZ_ANALYZE)
		ana_rec(&r->ana, rec);
	if (rec->type == REC_MSG) {
		on_msg(r, rec);
	} else if (rec->type == REC_ENTRY && r->sess && r->o->rules) {
		struct fz_event c = { r, rec };
		(void)pattern_match(r->o->rules, rec->text, on_event, &c);
	} else if (rec->type == REC_DIAG && r->sess) {
		(void)sess_diag(r->sess, rec, r->name);
	}
	return 0;
}

/*
 * Read log (one file called name) through the pipeline and write the
 * command's report to out, as `sfblog analyze|messages` would.
 */
static void run_pipeline(const struct fz_opts *o, const char *name,
			 struct sv log, FILE *out)
{
	struct fz_run r;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.out = out;
	r.name = name;
	msg_init(&r.msg);
	ana_init(&r.ana, name, 20);
	ana_set_file(&r.ana, name);
	if (o->out != REP_TEXT)
		r.json = rep_json_new(out, o->cmd == FZ_ANALYZE ? "analyze"
				      : "messages", o->out == REP_NDJSON);
	if (o->cmd == FZ_ANALYZE) {
		struct txn_sink ts = { on_txn, &r };
		r.txn = txn_new(&ts, 256, -1);
		if (o->out == REP_TEXT)
			rep_text_file_header(out, name, 0);
	}
	struct fmt_sink sink = { on_rec, &r };
	struct fmt_limits lim = { 64 << 10 };
	r.fmt = fmt_new(o->format, &sink, &lim);
	struct sfb_err err;
	const char *p = log.p, *end = log.p + log.n;
	unsigned long no = 0;
	int failed = 0;
	while (p < end && !failed) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct sv line = sv_make(p, n);
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;       /* as the line reader does */
		r.ana.lines++;
		failed = fmt_feed(r.fmt, line, ++no, &err) < 0;
		p += n + (nl != NULL);
	}
	if (!failed)
		failed = fmt_finish(r.fmt, &err) < 0;
	if (failed) {
		r.ana.failed = 1;
		snprintf(r.ana.error, sizeof r.ana.error, "%s", err.msg);
	}
	if (fmt_kind_get(r.fmt) != FMT_AUTO)
		r.ana.kind = fmt_kind_get(r.fmt);
	r.ana.bytes = log.n;
	if (!failed && no == 0)
		ana_warn(&r.ana, 0, "empty file");
	if (r.txn)
		txn_flush(r.txn);
	if (r.sess)
		sess_flush(r.sess);
	ana_finish(&r.ana);
	if (o->cmd == FZ_ANALYZE) {
		if (o->out == REP_TEXT)
			rep_text_analyze(out, &r.ana, 0);
		else
			rep_json_analyze(r.json, &r.ana);
	}
	if (r.json) {
		rep_json_end(r.json);
		rep_json_free(r.json);
	}
	fmt_free(r.fmt);
	sess_free(r.sess);
	txn_free(r.txn);
	ana_free(&r.ana);
	msg_free(&r.msg);
}

/* ---- the oracles ---- */

/*
 * Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if it is not one.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;  /* range of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void fail(const char *what, const char *buf, size_t n, size_t at)
{
	size_t from = at > 60 ? at - 60 : 0;
	size_t to = at + 20 < n ? at + 20 : n;
	fprintf(stderr, "fuzz_report: %s at byte %zu of %zu:\n", what, at,
		n);
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputc('\n', stderr);
	abort();
}

static void check_text(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			fail("control byte in the text output", buf, n, i);
	}
}

static void check_json_doc(const char *buf, size_t n, size_t base,
			   const char *all, size_t alln)
{
	for (size_t i = 0; i < n;) {
		size_t k = buf[i] ? utf8_seq((const unsigned char *)buf + i,
					     n - i) : 0;
		if (!k)
			fail(buf[i] ? "invalid UTF-8 in the JSON output"
			     : "NUL byte in the JSON output", all, alln,
			     base + i);
		i += k;
	}
	char *z = malloc(n + 1);
	if (!z)
		abort();
	memcpy(z, buf, n);
	z[n] = '\0';
	cJSON *j = cJSON_Parse(z);
	if (!j)
		fail("the JSON output does not parse", all, alln,
		     base + (size_t)(cJSON_GetErrorPtr() ?
				     cJSON_GetErrorPtr() - z : 0));
	cJSON_Delete(j);
	free(z);
}

static void check_json(const char *buf, size_t n, int ndjson)
{
	if (!ndjson) {
		check_json_doc(buf, n, 0, buf, n);
		return;
	}
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
		if (!nl)
			fail("NDJSON output without a final newline", buf, n,
			     i);
		check_json_doc(buf + i, len, i, buf, n);
		i += len + 1;
	}
}

/* ---- the target ---- */

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

/* --grep regexes: cheap ones (the rest is another target's job) */
static const char *const regexes[8] = {
	"REGISTER", "^SIP/2\\.0 [45]", "(?i)call-id:\\s*\\S",
	"ms-diagnostics.*reason=", "\\x1b|\\x07", "[^\\x00-\\x7f]", "",
	"(?s)Content-Length: [1-9].*\\r?\\n\\r?\\n."
};

static struct grep_re *regex(unsigned i)
{
	static struct grep_re *re[8];
	if (!re[i]) {
		struct sfb_err err;
		re[i] = grep_new(regexes[i], 0, &err);
		if (!re[i])
			abort();        /* a bad regex in the table above */
	}
	return re[i];
}

static void run_checked(const struct fz_opts *o, const char *name,
			struct sv log)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	if (!out)
		abort();
	run_pipeline(o, name, log, out);
	if (fclose(out) != 0)
		abort();
	if (o->out == REP_TEXT)
		check_text(buf, n);
	else
		check_json(buf, n, o->out == REP_NDJSON);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fmt_kind kinds[4] = { FMT_AUTO, FMT_UCC, FMT_CLS,
						FMT_AUTO };
	if (size < 2)
		return 0;
	unsigned flags = data[0];
	size_t namelen = data[1] & 31u;
	if (namelen > size - 2)
		namelen = size - 2;
	char name[32] = "fuzz.log";
	if (namelen) {
		memcpy(name, data + 2, namelen);
		name[namelen] = '\0';   /* a NUL inside just cuts it */
	}
	struct sv log = sv_make((const char *)data + 2 + namelen,
				size - 2 - namelen);
	struct fz_opts o = { FZ_ANALYZE, REP_TEXT, kinds[flags & 3u],
			     (flags >> 2) & 1u, NULL, shipped() };
	run_checked(&o, name, log);
	o.out = REP_JSON;
	run_checked(&o, name, log);
	o.cmd = FZ_MESSAGES;
	o.rules = NULL;
	run_checked(&o, name, log);
	o.out = REP_NDJSON;
	run_checked(&o, name, log);
	o.out = REP_TEXT;
	run_checked(&o, name, log);
	o.re = regex((flags >> 3) & 7u);
	run_checked(&o, name, log);
	return 0;
}
