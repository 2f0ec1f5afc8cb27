/* SPDX-License-Identifier: MIT */
/*
 * unit_fmt.c -- unit tests of format detection and dispatch
 * (parsers/fmt.c): a UccApilog and a CLS trace are recognised from
 * content (also late in the file, after junk, which is replayed with
 * its own line numbers), junk gives SFB_E_FORMAT (at finish, or as soon
 * as the detection window is used up), empty input is no error, an
 * explicit kind skips detection, and the kind names round-trip.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parser.h"
#include "sv.h"

#define UCC "01/15/2021|09:12:03.101 2A10:3B4C INFO  :: "
#define CLS "TL_INFO(TF_PROTOCOL) [0]06E4.0EB4::01/18/2012-05:00:43.101" \
	".00005386 (SIPStack,SIPAdminLog::TraceProtocolRecord:" \
	"SIPAdminLog.cpp(125))"

/* The trace: one "T first-last text" line per record. */
struct ctx {
	char out[8192];
	size_t n;
	int nrec;
	int stop_at;            /* return 5 from this record on (0: never) */
	size_t max_raw;
};

static int on_rec(void *ud, const struct fmt_rec *r)
{
	struct ctx *c = ud;
	static const char tn[] = "?EMDW";
	int k = snprintf(c->out + c->n, sizeof c->out - c->n,
			 "%c %lu-%lu %.*s\n",
			 tn[(unsigned)r->type <= 4 ? r->type : 0],
			 r->line_first, r->line_last,
			 (int)(r->text.n > 80 ? 80 : r->text.n), r->text.p);
	if (k > 0 && (size_t)k < sizeof c->out - c->n)
		c->n += (size_t)k;
	if (r->raw.n > c->max_raw)
		c->max_raw = r->raw.n;
	c->nrec++;
	return c->stop_at && c->nrec >= c->stop_at ? 5 : 0;
}

struct run {
	int feed_rc;            /* first non-zero fmt_feed result */
	unsigned long feed_line;/* where it came */
	int finish_rc;
	enum fmt_kind kind;
	struct sfb_err err;
};

/* Feed lines (NULL-terminated) with numbers from 1; finish. */
static struct run run(enum fmt_kind kind, const char *const *lines,
		      struct ctx *c, const struct fmt_limits *lim)
{
	struct run R;
	memset(&R, 0, sizeof R);
	struct fmt_sink sink = { on_rec, c };
	struct fmt *f = fmt_new(kind, &sink, lim);
	unsigned long ln = 1;
	for (; lines[ln - 1]; ln++) {
		int rc = fmt_feed(f, sv_cstr(lines[ln - 1]), ln, &R.err);
		if (rc && !R.feed_rc) {
			R.feed_rc = rc;
			R.feed_line = ln;
		}
	}
	if (!R.feed_rc)
		R.finish_rc = fmt_finish(f, &R.err);
	R.kind = fmt_kind_get(f);
	fmt_free(f);
	return R;
}

static void test_detect_ucc(void)
{
	static const char *const in[] = {
		"\xef\xbb\xbfjunk", "", UCC "hello", "cont", UCC "bye", NULL
	};
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct run R = run(FMT_AUTO, in, &c, NULL);
	CHECK_INT(R.feed_rc, 0);
	CHECK_INT(R.finish_rc, 0);
	CHECK_INT(R.kind, FMT_UCC);
	CHECK(strcmp(c.out, "W 1-1 1 line without an entry prefix outside "
		     "any entry skipped\nE 3-4 hello\ncont\nE 5-5 bye\n")
	      == 0);
}

static void test_detect_cls(void)
{
	static const char *const in[] = {
		"Formatted trace", "---", "", CLS "$$begin_record",
		"Severity: error", "$$end_record", CLS "free", NULL
	};
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct run R = run(FMT_AUTO, in, &c, NULL);
	CHECK_INT(R.feed_rc, 0);
	CHECK_INT(R.finish_rc, 0);
	CHECK_INT(R.kind, FMT_CLS);
	CHECK(strcmp(c.out, "W 1-2 2 lines outside any record skipped\n"
		     "D 4-6 \nE 7-7 free\n") == 0);
}

static void test_junk(void)
{
	static const char *const in[] = { "hello", "world", "", NULL };
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct run R = run(FMT_AUTO, in, &c, NULL);
	CHECK_INT(R.feed_rc, 0);
	CHECK_INT(R.finish_rc, -1);
	CHECK_INT(R.err.code, SFB_E_FORMAT);
	CHECK(strcmp(R.err.msg, "not a UccApilog or CLS text log, nor SIP "
		     "text: no entry line or start line in the first 3 lines")
	      == 0);
	CHECK_INT(R.kind, FMT_AUTO);
	CHECK_INT(c.nrec, 0);
}

static void test_empty(void)
{
	static const char *const none[] = { NULL };
	static const char *const blank[] = { "", "  ", "\r", "", NULL };
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct run R = run(FMT_AUTO, none, &c, NULL);
	CHECK_INT(R.finish_rc, 0);
	CHECK_INT(R.kind, FMT_AUTO);
	R = run(FMT_AUTO, blank, &c, NULL);
	CHECK_INT(R.feed_rc, 0);
	CHECK_INT(R.finish_rc, 0);
	CHECK_INT(R.kind, FMT_AUTO);
	CHECK_INT(c.nrec, 0);
}

/* A table of n lines: junk everywhere, `entry` at index at (or none). */
static const char **junk_lines(size_t n, size_t at, const char *entry)
{
	const char **v = sfb_xmalloc((n + 1) * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = i == at ? entry : "no prefix here";
	v[n] = NULL;
	return v;
}

static void test_late_and_window(void)
{
	/* the first entry on line 500 is still found; junk replayed */
	const char **v = junk_lines(600, 499, UCC "late");
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct run R = run(FMT_AUTO, v, &c, NULL);
	CHECK_INT(R.feed_rc, 0);
	CHECK_INT(R.finish_rc, 0);
	CHECK_INT(R.kind, FMT_UCC);
	/* lines 501.. continue the entry (the trace shows 80 bytes) */
	const char *head = "W 1-499 499 lines without an entry prefix "
			   "outside any entry skipped\nE 500-600 late\nno "
			   "prefix here\nno prefix here\n";
	CHECK(strncmp(c.out, head, strlen(head)) == 0);
	CHECK_INT(c.nrec, 2);
	free(v);

	/* the detection window: SFB_DETECT_LINES non-blank lines */
	v = junk_lines(SFB_DETECT_LINES + 5, SFB_DETECT_LINES + 2,
		       UCC "too late");
	memset(&c, 0, sizeof c);
	R = run(FMT_AUTO, v, &c, NULL);
	CHECK_INT(R.feed_rc, -1);
	CHECK_INT(R.feed_line, SFB_DETECT_LINES);
	CHECK_INT(R.err.code, SFB_E_FORMAT);
	char want[128];
	snprintf(want, sizeof want, "not a UccApilog or CLS text log, nor "
		 "SIP text: no entry line or start line in the first %d lines",
		 SFB_DETECT_LINES);
	CHECK(strcmp(R.err.msg, want) == 0);
	CHECK_INT(R.kind, FMT_AUTO);
	CHECK_INT(c.nrec, 0);
	free(v);

	/* blank lines do not use up the window */
	v = junk_lines(SFB_DETECT_LINES + 10, SFB_DETECT_LINES + 5,
		       CLS "found");
	for (size_t i = 0; i < SFB_DETECT_LINES + 5; i++)
		v[i] = i % 2 ? "" : "x";
	memset(&c, 0, sizeof c);
	R = run(FMT_AUTO, v, &c, NULL);
	CHECK_INT(R.feed_rc, 0);
	CHECK_INT(R.kind, FMT_CLS);
	snprintf(want, sizeof want, "W 1-%d %d lines outside any record "
		 "skipped\nE %d-%d found\n", SFB_DETECT_LINES + 5,
		 SFB_DETECT_LINES / 2 + 3, SFB_DETECT_LINES + 6,
		 SFB_DETECT_LINES + 10);
	CHECK(strcmp(c.out, want) == 0);
	free(v);
}

/* After giving up, every call fails the same way. */
static void test_after_failure(void)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct fmt_sink sink = { on_rec, &c };
	struct fmt *f = fmt_new(FMT_AUTO, &sink, NULL);
	struct sfb_err err;
	memset(&err, 0, sizeof err);
	int rc = 0;
	for (unsigned long i = 1; i <= SFB_DETECT_LINES && !rc; i++)
		rc = fmt_feed(f, sv_cstr("junk"), i, &err);
	CHECK_INT(rc, -1);
	memset(&err, 0, sizeof err);
	CHECK_INT(fmt_feed(f, sv_cstr(UCC "x"), 2000, &err), -1);
	CHECK_INT(err.code, SFB_E_FORMAT);
	CHECK_INT(fmt_feed(f, sv_cstr(UCC "x"), 2001, NULL), -1);
	CHECK_INT(fmt_finish(f, &err), -1);
	CHECK_INT(fmt_kind_get(f), FMT_AUTO);
	CHECK_INT(c.nrec, 0);
	fmt_free(f);
	fmt_free(NULL);
}

/* Held lines are bounded in bytes; the ones past it still count. */
static void test_hold_budget(void)
{
	size_t big = 300000;
	char *line = sfb_xmalloc(big + 1);
	memset(line, 'j', big);
	line[big] = '\0';
	const char *v[12];
	for (int i = 0; i < 10; i++)
		v[i] = line;
	v[10] = UCC "after";
	v[11] = NULL;
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct run R = run(FMT_AUTO, v, &c, NULL);
	CHECK_INT(R.kind, FMT_UCC);
	CHECK(strcmp(c.out, "W 1-10 10 lines without an entry prefix "
		     "outside any entry skipped\nE 11-11 after\n") == 0);
	free(line);
}

static void test_explicit_kind_and_limits(void)
{
	static const char *const in[] = {
		UCC "Sending Packet", UCC "INVITE sip:a SIP/2.0",
		"X-Pad: 0123456789012345678901234567890123456789",
		UCC "End of", NULL
	};
	struct ctx c;
	memset(&c, 0, sizeof c);
	struct fmt_limits lim = { 100 };
	struct run R = run(FMT_UCC, in, &c, &lim);
	CHECK_INT(R.kind, FMT_UCC);
	CHECK_INT(R.finish_rc, 0);
	CHECK_INT(c.max_raw, 100);
	CHECK(strstr(c.out, "W 1-4 message at line 1 over the size limit "
		     "of 100 bytes: cut\n") != NULL);

	/* a UccApilog read as CLS is all junk, and no error */
	memset(&c, 0, sizeof c);
	R = run(FMT_CLS, in, &c, NULL);
	CHECK_INT(R.kind, FMT_CLS);
	CHECK_INT(R.finish_rc, 0);
	CHECK(strcmp(c.out, "W 1-4 4 lines outside any record skipped\n")
	      == 0);
}

static void test_stop_in_replay(void)
{
	static const char *const in[] = { "junk", UCC "a", UCC "b", NULL };
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.stop_at = 1;
	struct run R = run(FMT_AUTO, in, &c, NULL);
	CHECK_INT(R.feed_rc, 5);
	CHECK_INT(R.feed_line, 2);
	CHECK_INT(c.nrec, 1);
}

static void test_names(void)
{
	CHECK(strcmp(fmt_kind_name(FMT_UCC), "uccapilog") == 0);
	CHECK(strcmp(fmt_kind_name(FMT_CLS), "cls") == 0);
	CHECK(strcmp(fmt_kind_name(FMT_AUTO), "unknown") == 0);
	CHECK(strcmp(fmt_kind_name((enum fmt_kind)77), "unknown") == 0);
	CHECK_INT(fmt_kind_parse("uccapilog"), FMT_UCC);
	CHECK_INT(fmt_kind_parse("UccApilog"), FMT_UCC);
	CHECK_INT(fmt_kind_parse("ucc"), FMT_UCC);
	CHECK_INT(fmt_kind_parse("cls"), FMT_CLS);
	CHECK_INT(fmt_kind_parse("auto"), FMT_AUTO);
	CHECK_INT(fmt_kind_parse("unknown"), -1);
	CHECK_INT(fmt_kind_parse(""), -1);
	CHECK_INT(fmt_kind_parse("clsx"), -1);
	CHECK_INT(fmt_kind_parse(NULL), -1);
	CHECK_INT(fmt_kind_parse(fmt_kind_name(FMT_UCC)), FMT_UCC);
	CHECK_INT(fmt_kind_parse(fmt_kind_name(FMT_CLS)), FMT_CLS);
}

/* the shared stamp reader: shape, ranges, and the day cache */
static void test_stamp(void)
{
	struct fmt_day day = { .set = 0 };
	CHECK(fmt_stamp_ok("01/15/2021|09:12:03.004", '|'));
	CHECK(fmt_stamp_ok("01/15/2021-09:12:03.004", '-'));
	CHECK(!fmt_stamp_ok("01/15/2021-09:12:03.004", '|'));
	CHECK(!fmt_stamp_ok("01/15/2021|09:12:03.0x4", '|'));
	CHECK(!fmt_stamp_ok("01/15/2021|09-12:03.004", '|'));
	/* every byte value at every place: digits where the shape has
	 * one, else only the punctuation itself */
	static const char shape[] = "00/00/0000|00:00:00.000";
	size_t bad = 0;
	for (size_t i = 0; i < sizeof shape - 1; i++) {
		for (int b = 0; b < 256; b++) {
			char t[sizeof shape];
			memcpy(t, "12/31/1999|23:59:58.987", sizeof t);
			t[i] = (char)b;
			int want = shape[i] == '0' ? b >= '0' && b <= '9'
						   : b == shape[i];
			bad += fmt_stamp_ok(t, '|') != want;
		}
	}
	CHECK(bad == 0);
	CHECK(fmt_stamp_time("01/15/2021|09:12:03.004", &day) ==
	      sfb_time_make(2021, 1, 15, 9, 12, 3, 4));
	CHECK(day.set);
	/* the same day from the cache, a leap second, then another day */
	CHECK(fmt_stamp_time("01/15/2021|23:59:60.999", &day) ==
	      sfb_time_make(2021, 1, 15, 23, 59, 60, 999));
	CHECK(fmt_stamp_time("02/29/2024-00:00:00.000", &day) ==
	      sfb_time_make(2024, 2, 29, 0, 0, 0, 0));
	CHECK(memcmp(day.ymd, "02/29/2024", 10) == 0);
	/* out of range: the shape is a stamp, the time is none */
	CHECK(fmt_stamp_time("13/15/2021|09:12:03.004", &day) ==
	      SFB_TIME_NONE);
	CHECK(fmt_stamp_time("01/00/2021|09:12:03.004", &day) ==
	      SFB_TIME_NONE);
	CHECK(fmt_stamp_time("02/29/2024|24:00:00.000", &day) ==
	      SFB_TIME_NONE);
	CHECK(fmt_stamp_time("02/29/2024|10:60:00.000", &day) ==
	      SFB_TIME_NONE);
	CHECK(fmt_stamp_time("02/29/2024|10:00:61.000", &day) ==
	      SFB_TIME_NONE);
	/* a bad day leaves the cached one alone */
	CHECK(memcmp(day.ymd, "02/29/2024", 10) == 0);
	CHECK(fmt_stamp_time("02/29/2024|10:00:01.000", &day) ==
	      sfb_time_make(2024, 2, 29, 10, 0, 1, 0));
}

int main(void)
{
	test_stamp();
	test_detect_ucc();
	test_detect_cls();
	test_junk();
	test_empty();
	test_late_and_window();
	test_after_failure();
	test_hold_budget();
	test_explicit_kind_and_limits();
	test_stop_in_replay();
	test_names();
	return CHECK_DONE("unit_fmt");
}
