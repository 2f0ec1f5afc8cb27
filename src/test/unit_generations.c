/* SPDX-License-Identifier: MIT */
/*
 * unit_generations.c -- the client log generations and pasted SIP text
 * through the line reader, format detection and the SIP parser:
 *  - each fixture of testdata/generations/ (README there) is detected
 *    as its format, every message in it parses cleanly, and its
 *    messages name the client generation and server version it is for;
 *  - round trip: for every generation, the generator ($SFBGEN, default
 *    build/sfbgen) writes the same story as a client log and as pasted
 *    SIP text (plain and with indented headers); both must give the
 *    same messages, header by header, body byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "sip.h"
#include "sv.h"

#define MAX_MSGS 512

/* What is compared of one message: its text as the SIP parser saw it,
 * normalised to "start\nname: value\n...\n\nbody". */
struct msgs {
	char *norm[MAX_MSGS];
	size_t n, bad;
	enum fmt_kind kind;
	char ua[160], server[40];
};

static struct msg M;

static void norm_add(char **dst, const char *s, size_t n)
{
	size_t have = *dst ? strlen(*dst) : 0;
	*dst = sfb_xrealloc(*dst, have + n + 1);
	memcpy(*dst + have, s, n);
	(*dst)[have + n] = '\0';
}

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct msgs *ms = ud;
	if (rec->type != REC_MSG || ms->n == MAX_MSGS)
		return 0;
	msg_set(&M, rec, "x");
	if (sip_parse(&M) != 0 || (M.flags & ~MSG_F_LIMIT)) {
		ms->bad++;
		return 0;
	}
	char *d = NULL;
	norm_add(&d, M.start_line.p, M.start_line.n);
	for (size_t i = 0; i < M.nhdrs; i++) {
		norm_add(&d, "\n", 1);
		norm_add(&d, M.hdrs[i].name.p, M.hdrs[i].name.n);
		norm_add(&d, ": ", 2);
		norm_add(&d, M.hdrs[i].value.p, M.hdrs[i].value.n);
	}
	norm_add(&d, "\n\n", 2);
	struct sv b = M.body;
	while (b.n && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == '\r'))
		b.n--;
	norm_add(&d, b.p ? b.p : "", b.n);
	ms->norm[ms->n++] = d;
	if (!ms->ua[0] && M.user_agent.n && M.kind == MSG_REQUEST &&
	    M.proto == MSG_SIP)
		snprintf(ms->ua, sizeof ms->ua, "%.*s", (int)M.user_agent.n,
			 M.user_agent.p);
	if (!ms->server[0] && M.server_hdr.n && M.proto == MSG_SIP)
		snprintf(ms->server, sizeof ms->server, "%.*s",
			 (int)M.server_hdr.n, M.server_hdr.p);
	return 0;
}

static int read_file(const char *path, struct msgs *ms)
{
	struct sfb_err err = { 0 };
	memset(ms, 0, sizeof *ms);
	struct lr *lr = lr_open(path, 1u << 20, &err);
	CHECK(lr != NULL);
	if (!lr) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return -1;
	}
	struct fmt_sink sink = { on_rec, ms };
	struct fmt *f = fmt_new(FMT_AUTO, &sink, NULL);
	struct sv line;
	unsigned long ln;
	int st;
	while ((st = lr_next(lr, &line, &ln, &err)) != LR_EOF &&
	       st != LR_ERR)
		if (st == LR_LINE)
			(void)fmt_feed(f, line, ln, &err);
	(void)fmt_finish(f, &err);
	ms->kind = fmt_kind_get(f);
	fmt_free(f);
	lr_close(lr);
	return 0;
}

static void msgs_free(struct msgs *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		free(ms->norm[i]);
	ms->n = 0;
}

static const struct {
	const char *path, *gen, *product, *server;
} fixtures[] = {
	{ "testdata/generations/communicator/Communicator-uccapi-0.uccapilog",
	  "communicator", "(Microsoft Office Communicator 2007 R2)",
	  "RTC/3.5" },
	{ "testdata/generations/lync2010/Communicator-uccapi-0.uccapilog",
	  "lync2010", "(Microsoft Lync 2010)", "RTC/4.0" },
	{ "testdata/generations/lync2013/Lync-UccApi-0.UccApilog",
	  "lync2013", "(Microsoft Lync)", "RTC/5.0" },
	{ "testdata/generations/sfb2015/Lync-UccApi-0.UccApilog",
	  "sfb2015", "UCCAPI/15.0.4787.1001", "RTC/6.0" },
	{ "testdata/generations/sfb2016/Lync-UccApi-0.UccApilog",
	  "sfb2016", "UCCAPI/16.0.4849.1000", "RTC/6.0" },
	{ "testdata/generations/sfb2019/Lync-UccApi-0.UccApilog",
	  "sfb2019", "UCCAPI/16.0.10827.20138", "RTC/7.0" },
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static void test_fixtures(void)
{
	struct msgs ms;
	for (size_t i = 0; i < NFIX; i++) {
		if (read_file(fixtures[i].path, &ms) != 0)
			continue;
		CHECK_INT(ms.kind, FMT_UCC);
		CHECK(ms.n >= 6);
		CHECK_INT(ms.bad, 0);
		if (!strstr(ms.ua, fixtures[i].product) ||
		    strcmp(ms.server, fixtures[i].server) != 0)
			fprintf(stderr, "%s: ua '%s' server '%s'\n",
				fixtures[i].path, ms.ua, ms.server);
		CHECK(strstr(ms.ua, fixtures[i].product) != NULL);
		CHECK(strcmp(ms.server, fixtures[i].server) == 0);
		msgs_free(&ms);
	}
	read_file("testdata/generations/pasted-sip.txt", &ms);
	CHECK_INT(ms.kind, FMT_SIP);
	CHECK(ms.n >= 10);
	CHECK_INT(ms.bad, 0);
	msgs_free(&ms);
}

static char tmpdir[] = "/tmp/unit_generations.XXXXXX";

/* Same story as a client log and as pasted text: same messages. */
static void test_round_trip(const char *gen)
{
	static const char *const pastes[] = { "--format sip",
					      "--format sip --sip-indent" };
	char cmd[1024], ucc[300], sip[300];
	struct msgs a, b;
	for (size_t i = 0; i < NFIX; i++) {
		const char *g = fixtures[i].gen;
		snprintf(ucc, sizeof ucc, "%s/%s.log", tmpdir, g);
		snprintf(cmd, sizeof cmd, "%s --client %s --seed 5 -o %s", gen,
			 g, ucc);
		CHECK_INT(system(cmd), 0);
		if (read_file(ucc, &a) != 0)
			continue;
		CHECK_INT(a.kind, FMT_UCC);
		CHECK_INT(a.bad, 0);
		for (size_t p = 0; p < 2; p++) {
			snprintf(sip, sizeof sip, "%s/%s-%zu.txt", tmpdir, g,
				 p);
			snprintf(cmd, sizeof cmd, "%s --client %s --seed 5 %s"
				 " -o %s", gen, g, pastes[p], sip);
			CHECK_INT(system(cmd), 0);
			if (read_file(sip, &b) != 0)
				continue;
			CHECK_INT(b.kind, FMT_SIP);
			CHECK_INT(b.bad, 0);
			CHECK_INT(b.n, a.n);
			size_t diff = 0;
			for (size_t k = 0; k < a.n && k < b.n; k++) {
				if (strcmp(a.norm[k], b.norm[k]) == 0)
					continue;
				if (!diff++)
					fprintf(stderr, "%s %s: message %zu "
						"differs:\n%s\n--- vs ---\n"
						"%s\n", g, pastes[p], k,
						a.norm[k], b.norm[k]);
			}
			CHECK_INT(diff, 0);
			msgs_free(&b);
		}
		msgs_free(&a);
	}
}

int main(void)
{
	const char *gen = getenv("SFBGEN");
	if (!gen || !*gen)
		gen = "build/sfbgen";
	msg_init(&M);
	test_fixtures();
	if (access(gen, X_OK) != 0) {
		fprintf(stderr, "unit_generations: no generator at '%s' (make "
			"build/sfbgen, or set SFBGEN)\n", gen);
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_round_trip(gen);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	CHECK_INT(system(cmd), 0);
	msg_free(&M);
	return CHECK_DONE("unit_generations");
}
