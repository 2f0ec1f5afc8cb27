/* SPDX-License-Identifier: MIT */
/*
 * fuzz_report.c -- libFuzzer target for the last stage, the reporters,
 * fed by the whole pipeline (engine.h): arbitrary bytes are written to
 * a file and read as a log, and `analyze` (text and JSON, with the
 * shipped patterns and rules) and `messages` (text, JSON, NDJSON and
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
 * (0: "fuzz.log"; '/' becomes '_'), and the rest is the log, written
 * to a file in a temporary folder (so gzip and UTF-16 go through the
 * line reader too).  Seeds: pipeline corpus files and generated gzip
 * and UTF-16 logs behind such a header.
 *
 * The text report of analyze is rep_term's, as in main.c, with low caps
 * (two sign-in lines, three in detail) so that the table of users and
 * the "more" lines are reached; without --verbose it is cut to 80
 * columns.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "field.h"
#include "grep.h"
#include "rep.h"
#include "rep_term.h"
#include "rules.h"
#include "shipped.h"
#include "sv.h"

enum fz_cmd { FZ_ANALYZE, FZ_MESSAGES };

struct fz_opts {
	enum fz_cmd cmd;
	enum rep_format out;
	enum fmt_kind format;
	int verbose;
	struct grep_re *re;             /* borrowed: --grep, or NULL */
	struct pat_table *patterns;     /* borrowed, or NULL */
	const struct rules *rules;      /* borrowed, or NULL */
};

struct fz_run {
	const struct fz_opts *o;
	FILE *out;
	struct rep_json *json;
	struct rep_term *term;
	enum sfb_sev worst;
};

/* ---- the pipeline (main.c's run_stream, over the engine) ---- */

/* JSON: the worst finding, as main.c keeps it; text: rep_term's sink */
static void note_findings(struct fz_run *r, const struct finding *f,
			  size_t nf)
{
	for (size_t i = 0; i < nf; i++)
		if (f[i].sev > r->worst)
			r->worst = f[i].sev;
}

static void an_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	struct fz_run *r = ud;
	note_findings(r, f, nf);
	rep_json_session(r->json, s, f, nf);
}

static void an_end(void *ud, const struct ana *a, const struct finding *f,
		   size_t nf)
{
	struct fz_run *r = ud;
	note_findings(r, f, nf);
	rep_json_analyze(r->json, a, f, nf, r->worst);
}

/* grep_match, with its match errors (a limit hit) dropped */
static int grep_hit(struct grep_re *re, struct sv subject)
{
	struct sfb_err err;
	return grep_match(re, subject, &err);
}

static void ls_msg(void *ud, const struct msg *m, const struct fmt_rec *rec,
		   unsigned session, int copy)
{
	struct fz_run *r = ud;
	(void)rec;
	(void)session;
	(void)copy;
	if (r->o->re && grep_hit(r->o->re, sv_make(m->buf, m->len)) < 1)
		return;
	if (r->json)
		rep_json_msg(r->json, m);
	else
		rep_text_msg(r->out, m, 0);
}

/*
 * Read the log file at path through the engine and write the
 * command's report to out, as `sfblog analyze|messages` would.
 */
static void run_pipeline(const struct fz_opts *o, const char *path,
			 FILE *out)
{
	struct fz_run r;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.out = out;
	if (o->out != REP_TEXT)
		r.json = rep_json_new(out, o->cmd == FZ_ANALYZE ? "analyze"
				      : "messages", o->out == REP_NDJSON);
	struct engine_config cfg;
	struct engine_sink sk;
	memset(&cfg, 0, sizeof cfg);
	memset(&sk, 0, sizeof sk);
	cfg.format = o->format;
	cfg.max_line = 64 << 10;
	cfg.max_msg = 64 << 10;
	cfg.max_txn = 256;
	cfg.max_warn = 20;
	cfg.patterns = o->patterns;
	cfg.rules = o->rules;
	sk.ud = &r;
	if (o->cmd == FZ_ANALYZE) {
		cfg.want = ENG_SESSIONS | ENG_ANALYSIS |
			   (o->rules ? ENG_RULES : 0);
		sk.on_session = an_session;
		sk.on_end = an_end;
		if (r.json) {
			rep_json_file_begin(r.json, path);
		} else {
			/* verbose: -v, else the brief report cut to 80 */
			struct rep_term_opts to = { 0, o->verbose,
						    o->verbose ? 0 : 80, 2, 3 };
			if (!(r.term = rep_term_new(out, &to)))
				abort();
			sk.on_session = rep_term_on_session;
			sk.on_end = rep_term_on_end;
			sk.ud = r.term;
		}
	} else {
		sk.on_msg = ls_msg;
	}
	struct engine *e = engine_new(&cfg, &sk);
	(void)engine_run(e, &path, 1, path);
	engine_free(e);
	rep_term_free(r.term);
	if (r.json) {
		rep_json_end(r.json);
		rep_json_free(r.json);
	}
}

/* The folder of the log files, made once per process. */
static char tmpdir[64];
static char cur_path[128];     /* the log file being read */

static void remove_tmpdir(void)
{
	if (cur_path[0])
		unlink(cur_path);
	if (tmpdir[0])
		rmdir(tmpdir);
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
	remove_tmpdir();
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

static void run_checked(const struct fz_opts *o, const char *path)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	if (!out)
		abort();
	run_pipeline(o, path, out);
	if (fclose(out) != 0)
		abort();
	if (o->out == REP_TEXT)
		check_text(buf, n);
	else
		check_json(buf, n, o->out == REP_NDJSON);
	free(buf);
}

static const char *log_dir(void)
{
	if (!tmpdir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, sizeof tmpdir, "%s/fuzz_report.XXXXXX",
			 t && *t && strlen(t) < 40 ? t : "/tmp");
		if (!mkdtemp(tmpdir))
			abort();
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

/*
 * The number of open descriptors of files (not pipes or sockets, which
 * the sanitizers' symbolizer opens lazily), the one from path (if
 * any) in leak; it grows when a run leaks one.
 */
static int file_fds(char *leak, size_t cap)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;     /* no /proc: not checked */
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char link[300], to[256];
		if (de->d_name[0] == '.' ||
		    strtol(de->d_name, NULL, 10) == dirfd(d))
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%s", de->d_name);
		ssize_t k = readlink(link, to, sizeof to - 1);
		if (k <= 0 || to[0] != '/')
			continue;
		to[k] = '\0';
		n++;
		snprintf(leak, cap, "%s", to);
	}
	closedir(d);
	return n;
}

/* Write n bytes at p to the file path, or abort. */
static void write_log(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	size_t w = fwrite(p, 1, n, f);
	if (fclose(f) != 0 || w != n)
		abort();
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
		for (char *c = name; *c; c++)
			if (*c == '/')
				*c = '_';
		/* "_", not "_" over the first byte: the bytes after a
		 * leading NUL were never cleaned of '/' */
		if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
			memcpy(name, "_", 2);
	}
	const uint8_t *log = data + 2 + namelen;
	size_t n = size - 2 - namelen;
	char *path = cur_path;
	snprintf(path, sizeof cur_path, "%s/%s", log_dir(), name);
	write_log(path, log, n);
	struct fz_opts o;
	memset(&o, 0, sizeof o);
	o.format = kinds[flags & 3u];
	o.verbose = (flags >> 2) & 1u;
	shipped(&o.patterns, &o.rules);
	o.cmd = FZ_ANALYZE;
	o.out = REP_TEXT;
	run_checked(&o, path);
	o.out = REP_JSON;
	run_checked(&o, path);
	o.cmd = FZ_MESSAGES;
	o.patterns = NULL;
	o.rules = NULL;
	run_checked(&o, path);
	o.out = REP_NDJSON;
	run_checked(&o, path);
	o.out = REP_TEXT;
	run_checked(&o, path);
	o.re = regex((flags >> 3) & 7u);
	run_checked(&o, path);
	unlink(path);
	path[0] = '\0';
	/* every file a run opened is closed again */
	static int files0 = -1;
	char leak[256] = "";
	int nfiles = file_fds(leak, sizeof leak);
	if (files0 < 0)
		files0 = nfiles;
	if (nfiles > files0) {
		fprintf(stderr, "fuzz_report: a file descriptor leaked: "
			"%d open files, were %d (%s)\n", nfiles, files0, leak);
		remove_tmpdir();
		abort();
	}
	return 0;
}
