/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rule.c -- libFuzzer target for the pattern-table loader and
 * matcher (src/pattern.c), fed arbitrary text as a user's pattern file.
 * The first input byte chooses the mode: bit 0 set loads a fixed
 * two-pattern file first (so names can clash across files and events
 * come in file order); the rest is the pattern file, written to a
 * temporary file made once per process.
 *
 * A load that fails must say where (FILE:LINE:COL inside the file, code
 * SFB_E_RULE); a table that loads is matched against a few fixed entry
 * texts and against the input itself, and every event must keep the
 * contract of pattern.h (a valid name and step, views inside the text, at
 * most PAT_MAX_CAPS fields, the callback count returned, a stop
 * honoured).  Oracle: the same events come, in the same order and with
 * the same matches, when every regex whose needle occurs runs
 * (pattern_set_derived off), so the literals rxlit.c reads out of the
 * regexes never skip a regex that matches.  A broken invariant aborts,
 * which libFuzzer and replay.c report.
 *
 * Ownership: the temporary files belong to this process; they are
 * unlinked as soon as they are made (read through /proc/self/fd), or at
 * exit where there is no /proc.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pattern.h"
#include "sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tmp {
	int fd;
	char path[512];
};

static struct tmp first = { -1, "" }, input = { -1, "" };

static void rm_tmp(void)
{
	if (first.path[0] && strncmp(first.path, "/proc/", 6))
		unlink(first.path);
	if (input.path[0] && strncmp(input.path, "/proc/", 6))
		unlink(input.path);
}

/* Replace the contents of f; @return 0, -1 when the system is at fault */
static int put_file(struct tmp *f, const void *p, size_t n)
{
	if (f->fd < 0) {
		const char *dir = getenv("TMPDIR");
		snprintf(f->path, sizeof f->path, "%s/fuzz_rule.XXXXXX",
			 dir && *dir ? dir : "/tmp");
		f->fd = mkstemp(f->path);
		if (f->fd < 0)
			return -1;
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->fd);
		if (access(proc, R_OK) == 0) {
			unlink(f->path);
			snprintf(f->path, sizeof f->path, "%s", proc);
		} else {
			static int registered;
			if (!registered++)
				atexit(rm_tmp);
		}
	}
	if (ftruncate(f->fd, 0) != 0)
		return -1;
	size_t off = 0;
	while (off < n) {
		ssize_t w = pwrite(f->fd, (const char *)p + off, n - off,
				   (off_t)off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static const char first_file[] =
	"# the fixed first file\n"
	"fix.signin\tauthentication\tinfo\tok\tsigned in\t"
	"signed in as (?<uri>sip:\\S+)\tFixed.\n"
	"fix.any\tnone\twarning\t-\t-\t(?<word>[a-z]{3,})\n";

static const char *const texts[] = {
	"SignIn: signed in as sip:bob@fabrikam.com on fe01.fabrikam.com "
	"(auth NTLM), hr=0x0",
	"Lync autodiscovery completed with hr: 0X80004005 sipint: sipext:",
	"Executing wws method with OAuth, asyncContext=1214F6C8,\n"
	"  AsyncHResult:80f10041\n"
	"  TargetUri:https://webdir.fabrikam.com/WebTicket/"
	"WebTicketService.svc/OAuth\n"
	" Error: The server returned a trust fault: 'The account is "
	"disabled.'",
	"TLS: handshake with 10.1.0.50:443 failed, hr=0x80090322",
	"",
};

#define LOG_MAX 64

struct chk {
	struct sv text;
	int calls;
	int stop_at;            /* 0: never */
	/* what came, for the oracle: names and match offsets */
	const char *name[LOG_MAX];
	size_t at[LOG_MAX], len[LOG_MAX];
};

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int inside(struct sv outer, struct sv v)
{
	if (v.n == 0)
		return 1;
	return v.p >= outer.p && v.n <= outer.n &&
	       (size_t)(v.p - outer.p) <= outer.n - v.n;
}

static int on_event(void *ud, const struct pat_event *ev)
{
	struct chk *c = ud;
	c->calls++;
	if (!ev->name || !ev->name[0] || !ev->explain)
		abort();
	for (const char *p = ev->name; *p; p++)
		if (!is_name_char(*p))
			abort();
	if ((unsigned)ev->step >= SFB_STEP__COUNT ||
	    ev->sev < 1 || ev->sev > 3 ||
	    (ev->fails_step != 0 && ev->fails_step != 1) ||
	    (ev->fails_step && ev->step == SFB_STEP_NONE))
		abort();
	/* an empty text may come back as another empty view */
	if ((c->text.n && ev->text.p != c->text.p) ||
	    ev->text.n != c->text.n || !inside(ev->text, ev->match) ||
	    ev->ncaps > PAT_MAX_CAPS)
		abort();
	for (size_t i = 0; i < ev->ncaps; i++)
		if (ev->caps[i].name.n == 0 || ev->caps[i].value.n == 0 ||
		    !inside(ev->text, ev->caps[i].value))
			abort();
	if (c->calls <= LOG_MAX) {
		size_t k = (size_t)c->calls - 1;
		c->name[k] = ev->name;
		c->at[k] = ev->match.n ? (size_t)(ev->match.p - ev->text.p)
				       : 0;
		c->len[k] = ev->match.n;
	}
	return c->stop_at && c->calls >= c->stop_at ? 3 : 0;
}

static void match_one(struct pat_table *t, struct sv text)
{
	struct chk c = { text, 0, 0, { 0 }, { 0 }, { 0 } };
	int n = pattern_match(t, text, on_event, &c);
	if (n != c.calls || (size_t)n > pattern_count(t))
		abort();
	/* the oracle: every regex whose needle occurs, run */
	struct chk all = { text, 0, 0, { 0 }, { 0 }, { 0 } };
	pattern_set_derived(t, 0);
	int m = pattern_match(t, text, on_event, &all);
	pattern_set_derived(t, 1);
	if (m != n)
		abort();
	for (int i = 0; i < n && i < LOG_MAX; i++)
		if (c.name[i] != all.name[i] || c.at[i] != all.at[i] ||
		    c.len[i] != all.len[i])
			abort();
	if (n < 1)
		return;
	/* a stop at the first event: -3, and nothing after it */
	struct chk s = { text, 0, 1, { 0 }, { 0 }, { 0 } };
	if (pattern_match(t, text, on_event, &s) != -3 || s.calls != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int two = data[0] & 1;
	const uint8_t *f = data + 1;
	size_t n = size - 1;
	if (put_file(&input, f, n) != 0)
		return 0;
	if (two && first.fd < 0 &&
	    put_file(&first, first_file, sizeof first_file - 1) != 0)
		return 0;
	const char *paths[3] = { NULL, NULL, NULL };
	paths[0] = two ? first.path : input.path;
	paths[1] = two ? input.path : NULL;

	struct sfb_err err;
	memset(&err, 0, sizeof err);
	struct pat_table *t = pattern_load(paths, &err);
	if (!t) {
		/* the error is in the input, at a line and column of it */
		size_t plen = strlen(input.path);
		unsigned long lines = 1;
		for (size_t i = 0; i < n; i++)
			lines += f[i] == '\n';
		if (err.code != SFB_E_RULE ||
		    strncmp(err.msg, input.path, plen) ||
		    err.msg[plen] != ':' || !strstr(err.msg, ": error: ") ||
		    err.line < 1 || err.line > lines || err.col < 1 ||
		    err.col > 4097)
			abort();
		return 0;
	}
	if (pattern_count(t) > SFB_MAX_PATTERNS ||
	    pattern_count(t) < (two ? 2u : 0u))
		abort();
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		match_one(t, sv_cstr(texts[i]));
	match_one(t, sv_make((const char *)f, n));
	match_one(t, SV_NULL);
	pattern_free(t);
	return 0;
}
