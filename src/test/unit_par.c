/* SPDX-License-Identifier: MIT */
/*
 * unit_par.c -- unit tests of the chunk boundary finder (src/par.c,
 * par_scan): on hand-made client logs and CLS traces with the awkward
 * cases (a block's prefixed start line, "End of" lines, blank lines
 * after a block opener, junk, over-long lines, CRLF, a record longer
 * than a chunk), the boundary found from every offset must be a line
 * start, never move back as the offset grows, not depend on how the
 * bytes are fed, and the records of a serial parse must equal those of
 * fresh parsers fed chunk by chunk from the boundaries.  Then par_run
 * itself on a file of many small chunks, with 1 to 4 threads: every
 * record reaches the sink once, in file order, one call at a time
 * (whichever thread makes it), and a sink that says stop gets no call
 * after that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "par_check.h"

#define P "01/15/2021|09:12:03.100 1A2B:3C4D INFO  :: "

static const char ucc[] =
	"junk before\n"
	P "first entry\n"
	"continuation\n"
	"\n"
	P "Sending Packet - 10.0.0.1:443 (From Local Address: "
	"10.0.0.2:5000) 120 bytes:\n"
	"\n"
	P "REGISTER sip:contoso.com SIP/2.0\n"      /* the start line */
	"Via: SIP/2.0/TLS 10.0.0.2:5000\n"
	P "a prefixed line inside a block cuts it\n"
	"CSeq: 1 REGISTER\n"
	P "End of Sending Packet - 10.0.0.1:443\n"
	P "Data Received - 10.0.0.1:443 (From Local Address: "
	"10.0.0.2:5000) 80 bytes:\n"
	"SIP/2.0 200 OK\r\n"
	"CSeq: 1 REGISTER\r\n"
	"\r\n"
	P "End of Data Received - 10.0.0.1:443\n"
	P "an entry after a block\r\n"
	P "End of something else: an entry\n"
	"junk after\n"
	P "entry after junk\n"
	P "Data Received - 10.0.0.1:443 80 bytes:\n"
	P "SIP/2.0 401 Unauthorized\n"
	"CSeq: 2 REGISTER\n"
	P "Sending Packet - 10.0.0.1:443 120 bytes:\n"
	"REGISTER sip:contoso.com SIP/2.0\n"
	P "End of Sending Packet\n"
	P "last entry\n"
	"no final LF";

#define H(seq) "TL_INFO(TF_PROTOCOL) [fe01\\fe01]0A1B.0C2D::01/15/2021-" \
	"09:12:03.100." seq "::(SIPStack,SIPAdminLog::TraceProtocolRecord:" \
	"SIPAdminLog.cpp(125)) [156659184] $$begin_record\n"

static const char cls[] =
	"\n"
	H("00000001")
	"Trace-Correlation-Id: 1\n"
	"Direction: outgoing\n"
	"Start-Line: REGISTER sip:contoso.com SIP/2.0\n"
	"CSeq: 1 REGISTER\n"
	"Message-Body: -\n"
	"$$end_record\n"
	"junk between records\n"
	H("00000002")
	"Direction: incoming\n"
	"Start-Line: SIP/2.0 200 OK\n"
	"Message-Body: -\n"
	H("00000003")                       /* no $$end_record before */
	"Severity: error\n"
	"Text: something\n"
	"$$end_record\r\n"
	H("00000004")
	"Start-Line: SIP/2.0 401 Unauthorized\n"
	"Message-Body: -\n"
	"$$end_record\n";

/* Every property over every offset of t. */
static void check_text(enum fmt_kind k, const char *t, size_t max_line)
{
	size_t n = strlen(t);
	CHECK(offsets_ok(k, t, n, max_line, 1) == 0);
	for (size_t c = 1; c <= n; c += c < 64 ? 1 : 37)
		CHECK(chunked_same(k, t, n, c, max_line));
}

/* The boundary from offset of needle in t (first occurrence). */
static uint64_t from_text(enum fmt_kind k, const char *t, const char *needle)
{
	const char *at = strstr(t, needle);
	return find_all(k, t, strlen(t), SFB_MAX_LINE,
			(uint64_t)(at - t));
}

static uint64_t off(const char *t, const char *needle)
{
	const char *at = strstr(t, needle);
	return at ? (uint64_t)(at - t) : (uint64_t)-1;
}

/* ---- par_run ---------------------------------------------------------- */

struct seen {
	int in_call;            /* a call is running (atomic) */
	int overlaps;           /* calls that began while one ran */
	unsigned long n, last_line, out_of_order;
	unsigned long stop_at;  /* 0: never stop */
};

static int seen_rec(void *ud, const struct fmt_rec *r, const struct msg *m,
		    const struct pat_event *ev, size_t nev)
{
	struct seen *s = ud;
	(void)m;
	(void)ev;
	(void)nev;
	if (__atomic_exchange_n(&s->in_call, 1, __ATOMIC_ACQ_REL))
		s->overlaps++;
	if (r->line_first <= s->last_line)
		s->out_of_order++;
	s->last_line = r->line_last;
	s->n++;
	usleep(s->n % 97 == 0 ? 200 : 0);  /* let other threads run */
	__atomic_store_n(&s->in_call, 0, __ATOMIC_RELEASE);
	return s->stop_at && s->n == s->stop_at;
}

static void check_run(const char *path, unsigned jobs, unsigned long nrec,
		      unsigned long stop_at)
{
	struct par_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.format = FMT_AUTO;
	cfg.jobs = jobs;
	cfg.chunk = 1024;
	struct seen s;
	memset(&s, 0, sizeof s);
	s.stop_at = stop_at;
	struct par_sink sk = { seen_rec, NULL, &s };
	struct par_result res;
	struct sfb_err err = { 0 };
	CHECK_INT(par_run(path, &cfg, &sk, &res, &err), 0);
	CHECK_INT(res.kind, FMT_CLS);
	CHECK_INT(s.n, stop_at ? stop_at : nrec);
	CHECK_INT(s.overlaps, 0);
	CHECK_INT(s.out_of_order, 0);
}

static void check_par_run(void)
{
	char path[] = "/tmp/sfblog-unit-par.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	FILE *f = fdopen(fd, "w");
	unsigned long nrec = 1500;
	for (unsigned long i = 0; i < nrec; i++)
		fprintf(f, "TL_INFO(TF_PROTOCOL) [fe01\\fe01]0A1B.0C2D::"
			"01/15/2021-09:12:03.100.%08lu::(SIPStack,SIPAdminLog"
			"::TraceProtocolRecord:SIPAdminLog.cpp(125)) "
			"[156659184] $$begin_record\n"
			"Severity: information\nText: record %lu\n"
			"$$end_record\n", i + 1, i);
	CHECK_INT(fclose(f), 0);
	for (unsigned jobs = 1; jobs <= 4; jobs++) {
		check_run(path, jobs, nrec, 0);
		check_run(path, jobs, nrec, 777);
	}
	unlink(path);
}

int main(void)
{
	/* client log: the first qualifying lines, by hand */
	size_t n = strlen(ucc);
	/* "first entry" has no known line before it in the window */
	CHECK_INT(find_all(FMT_UCC, ucc, n, SFB_MAX_LINE, 1),
		  off(ucc, P "Sending Packet - 10.0.0.1:443 (From"));
	/* after the opener: neither the start line nor the cutting line
	 * (its context is a header line) ... the entry after the block is
	 * the first (the "End of" line is none) */
	CHECK_INT(from_text(FMT_UCC, ucc, "\n" P "REGISTER sip"),
		  off(ucc, P "a prefixed line inside"));
	CHECK_INT(from_text(FMT_UCC, ucc, "CSeq: 1 REGISTER\n" P "End"),
		  off(ucc, P "Data Received - 10.0.0.1:443 (From"));
	CHECK_INT(from_text(FMT_UCC, ucc, "SIP/2.0 200 OK"),
		  off(ucc, P "an entry after"));
	/* "End of something" is no boundary; after junk, a prefixed line */
	CHECK_INT(from_text(FMT_UCC, ucc, "\r\n" P "End of something"),
		  off(ucc, P "entry after junk"));
	/* a prefixed line right after an opener is its start line */
	CHECK_INT(from_text(FMT_UCC, ucc, "entry after junk"),
		  off(ucc, P "Sending Packet - 10.0.0.1:443 120"));
	/* nothing after the last entry: the end of the file */
	CHECK_INT(from_text(FMT_UCC, ucc, "last entry"), n);
	check_text(FMT_UCC, ucc, SFB_MAX_LINE);
	/* lines over the limit: skipped by the reader, never context */
	check_text(FMT_UCC, ucc, 60);
	CHECK_INT(find_all(FMT_UCC, ucc, n, 60, 1),
		  off(ucc, P "entry after junk"));

	/* CLS: every header line, whatever came before */
	n = strlen(cls);
	CHECK_INT(find_all(FMT_CLS, cls, n, SFB_MAX_LINE, 1),
		  off(cls, "TL_INFO"));
	CHECK_INT(from_text(FMT_CLS, cls, "junk between"),
		  off(cls, H("00000002")));
	CHECK_INT(from_text(FMT_CLS, cls, "Severity"),
		  off(cls, H("00000004")));
	CHECK_INT(from_text(FMT_CLS, cls, "401"), n);
	check_text(FMT_CLS, cls, SFB_MAX_LINE);
	check_text(FMT_CLS, cls, 100);

	/* a record far longer than a chunk belongs to the chunk where it
	 * starts: the next boundary is past it */
	size_t big = 50000;
	char *t = malloc(sizeof H("00000001") + big * 8 + sizeof cls);
	size_t len = 0;
	memcpy(t, H("00000001"), sizeof H("00000001") - 1);
	len = sizeof H("00000001") - 1;
	for (size_t i = 0; i < big; i++) {
		memcpy(t + len, "x: 1234\n", 8);
		len += 8;
	}
	memcpy(t + len, cls, sizeof cls);
	uint64_t second = len + off(cls, "TL_INFO");
	len += sizeof cls - 1;
	CHECK_INT(find_all(FMT_CLS, t, len, SFB_MAX_LINE, 4096), second);
	CHECK_INT(find_all(FMT_CLS, t, len, SFB_MAX_LINE, len / 2), second);
	CHECK(chunked_same(FMT_CLS, t, len, 8192, SFB_MAX_LINE));
	free(t);

	/* a line over PAR_HEAD is never judged, nor a line without LF */
	size_t hl = sizeof H("00000005") - 1, h6 = sizeof H("00000006") - 1;
	char *lng = malloc(1 + PAR_HEAD + 100 + h6 + 1);
	lng[0] = '\n';
	memcpy(lng + 1, H("00000005"), hl);
	memset(lng + hl, 'y', PAR_HEAD + 100 - hl);
	lng[PAR_HEAD + 100] = '\n';
	memcpy(lng + PAR_HEAD + 101, H("00000006"), h6 + 1);
	CHECK_INT(find_all(FMT_CLS, lng, strlen(lng), SFB_MAX_LINE, 1),
		  PAR_HEAD + 101);
	lng[PAR_HEAD + 100 + h6] = '\0';      /* the last without its LF */
	CHECK_INT(find_all(FMT_CLS, lng, strlen(lng), SFB_MAX_LINE, 1),
		  strlen(lng));
	free(lng);

	check_par_run();
	return CHECK_DONE("unit_par");
}
