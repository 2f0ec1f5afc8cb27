/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rep_html.c -- libFuzzer target for the HTML reporters (rep_html.c
 * and the triage page, rep_triage_html.c) fed by the whole pipeline
 * (engine.h and triage.h, shipped patterns and rules): arbitrary bytes
 * are written to a file whose name holds markup and read as a log, by
 * `analyze -o html` and by `triage -o html` on it; each page is written
 * into memory and parsed here.  Oracle: a page is the reporter's own
 * markup only --
 *   every tag is one rep_html.c writes, every attribute name is one it
 *   writes (no on* handler, no src, no style), every attribute value is
 *   quoted, every href starts with '#', and there is exactly one
 *   <script> (the report's, with its nonce); no NUL byte.
 * Input: byte 0 bits 0-1 pick the format (auto, client log, server
 * trace, auto); the rest is the log.  Seeds: testdata/corpus/rep_html/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine.h"
#include "field.h"
#include "rep.h"
#include "rep_triage_html.h"
#include "rules.h"
#include "shipped.h"
#include "triage.h"
#include "walk.h"

static char tmpdir[64];
static char cur_path[160];

static void remove_tmpdir(void)
{
	if (cur_path[0])
		unlink(cur_path);
	if (tmpdir[0])
		rmdir(tmpdir);
}

static void fail(const char *what, const char *buf, size_t n, size_t at)
{
	size_t from = at > 60 ? at - 60 : 0;
	size_t to = at + 40 < n ? at + 40 : n;
	fprintf(stderr, "fuzz_rep_html: %s at byte %zu of %zu:\n", what, at,
		n);
	fwrite(buf + from, 1, to - from, stderr);
	fputc('\n', stderr);
	remove_tmpdir();
	abort();
}

static int in_list(const char *const *list, const char *p, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], p, n) == 0)
			return 1;
	return 0;
}

static const char *const tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1",
	"h2", "h3", "h4", "pre", "div", "b", "br", "span", "table", "tr",
	"td", "th", "p", "ul", "li", "a", "small", "section", "ol",
	"details", "summary", "svg", "defs", "marker", "path", "text",
	"line", "g", "input", "script", "thead", "tbody", "rect", NULL
};

static const char *const attrs[] = {
	"lang", "charset", "http-equiv", "content", "name", "id", "class",
	"hidden", "href", "width", "height", "viewBox", "xmlns", "role",
	"markerWidth", "markerHeight", "refX", "refY", "orient", "d", "x",
	"y", "x1", "y1", "x2", "y2", "text-anchor", "marker-end",
	"placeholder", "size", "nonce", "fill", "stroke",
	"preserveAspectRatio", "aria-sort", NULL
};

static int is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '!';
}

/* One tag at buf[i] == '<': @return the index after its '>' */
static size_t check_tag(const char *buf, size_t n, size_t i, int *scripts)
{
	size_t at = i++;
	if (i < n && buf[i] == '/')
		i++;
	size_t t = i;
	while (i < n && is_name(buf[i]))
		i++;
	if (!in_list(tags, buf + t, i - t))
		fail("a tag the reporter does not write", buf, n, at);
	int script = buf[at + 1] != '/' && i - t == 6 &&
		     !strncasecmp(buf + t, "script", 6);
	if (buf[t] == '!')      /* <!DOCTYPE html> */
		return (size_t)((const char *)memchr(buf + i, '>', n - i) -
				buf) + 1;
	for (;;) {
		while (i < n && buf[i] == ' ')
			i++;
		if (i >= n)
			fail("a tag without its end", buf, n, at);
		if (buf[i] == '>')
			break;
		if (buf[i] == '/' && i + 1 < n && buf[i + 1] == '>') {
			i++;
			break;
		}
		size_t a = i;
		while (i < n && is_name(buf[i]))
			i++;
		if (!in_list(attrs, buf + a, i - a) &&
		    strncmp(buf + a, "data-", 5) != 0)
			fail("an attribute the reporter does not write", buf,
			     n, a);
		if (i < n && buf[i] == '=') {
			if (i + 1 >= n || buf[i + 1] != '"')
				fail("an unquoted attribute value", buf, n, i);
			if (i - a == 4 && !strncmp(buf + a, "href", 4) &&
			    (i + 2 >= n || buf[i + 2] != '#'))
				fail("a link out of the page", buf, n, a);
			const char *q = memchr(buf + i + 2, '"', n - i - 2);
			if (!q)
				fail("an attribute value without its end", buf,
				     n, a);
			i = (size_t)(q - buf) + 1;
		} else if (i == a) {
			fail("junk in a tag", buf, n, i);
		}
	}
	i++;
	if (script) {
		if (++*scripts > 1)
			fail("a second script", buf, n, at);
		const char *end = strstr(buf + i, "</script>");
		if (!end)
			fail("a script without its end", buf, n, at);
		i = (size_t)(end - buf);
	}
	return i;
}

static void check_page(const char *buf, size_t n)
{
	int scripts = 0;
	if (strlen(buf) != n)
		fail("NUL byte in the page", buf, n, strlen(buf));
	for (size_t i = 0; i < n;) {
		if (buf[i] == '<')
			i = check_tag(buf, n, i, &scripts);
		else
			i++;
	}
	if (scripts != 1)
		fail("not one script", buf, n, 0);
}

static void on_result(void *ud, const struct tri_result *r)
{
	rep_triage_html_result(ud, r);
}

/* triage -o html on the file, one worker, details capped at 3. */
static void triage_page(enum fmt_kind kind)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	if (!out)
		abort();
	struct pat_table *pt;
	const struct rules *rs;
	shipped(&pt, &rs);
	struct tri_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.workers = 1;
	cfg.patterns = &pt;
	cfg.rules = rs;
	cfg.format = kind;
	cfg.max_line = 64 << 10;
	cfg.max_msg = 64 << 10;
	cfg.max_txn = 256;
	cfg.since = cfg.until = SFB_TIME_NONE;
	cfg.detail = rep_html_tri_detail;
	cfg.max_detail = 3;
	struct walk w;
	walk_init(&w);
	walk_add(&w, cur_path);
	walk_group(&w);
	struct rep_triage_html *t = rep_triage_html_new(out, "fuzz", 3);
	struct tri_sink sk;
	memset(&sk, 0, sizeof sk);
	sk.on_result = on_result;
	sk.ud = t;
	struct sfb_err err = { 0 };
	if (triage_run(&cfg, &w, &sk, &err) != 0)
		abort();
	rep_triage_html_end(t);
	rep_triage_html_free(t);
	walk_free(&w);
	if (fclose(out) != 0)
		abort();
	check_page(buf, n);
	if (!strstr(buf, "<h2 id=\"detail\">"))
		fail("a triage page without its detail part", buf, n, 0);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fmt_kind kinds[4] = { FMT_AUTO, FMT_UCC, FMT_CLS,
						FMT_AUTO };
	if (size < 1)
		return 0;
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/fuzz_rep_html.XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
		atexit(remove_tmpdir);
	}
	snprintf(cur_path, sizeof cur_path,
		 "%s/\"><img src=x onerror=a()><script>.log", tmpdir);
	FILE *lf = fopen(cur_path, "wb");
	if (!lf)
		abort();
	size_t w = fwrite(data + 1, 1, size - 1, lf);
	if (fclose(lf) != 0 || w != size - 1)
		abort();

	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	if (!out)
		abort();
	struct engine_config cfg;
	struct engine_sink sk;
	memset(&cfg, 0, sizeof cfg);
	memset(&sk, 0, sizeof sk);
	cfg.format = kinds[data[0] & 3u];
	cfg.max_line = 64 << 10;
	cfg.max_msg = 64 << 10;
	cfg.max_txn = 256;
	cfg.max_warn = 20;
	shipped(&cfg.patterns, &cfg.rules);
	cfg.want = ENG_SESSIONS | ENG_ANALYSIS |
		   (cfg.rules ? ENG_RULES : 0);
	struct rep_html *h = rep_html_new(out, "fuzz");
	if (rep_html_stream(h) != 0)
		abort();
	sk.on_msg = rep_html_on_msg;
	sk.on_session = rep_html_on_session;
	sk.on_end = rep_html_on_end;
	sk.ud = h;
	struct engine *e = engine_new(&cfg, &sk);
	const char *path = cur_path;
	(void)engine_run(e, &path, 1, path);
	engine_free(e);
	rep_html_end(h);
	rep_html_free(h);
	if (fclose(out) != 0)
		abort();
	check_page(buf, n);
	free(buf);
	triage_page(cfg.format);
	unlink(cur_path);
	cur_path[0] = '\0';
	return 0;
}
