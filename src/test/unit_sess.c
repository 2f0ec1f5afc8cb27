/* SPDX-License-Identifier: MIT */
/*
 * unit_sess.c -- the session builder (sess.c) judged on whole logs:
 * every generator scenario, in both formats, must give the expected
 * verdict (user, outcome, auth method, REGISTER pairs, redirects, step
 * statuses, settings); two sessions in one file; a log cut in the
 * middle of a sign-in; the same log cut in two rotated parts; and the
 * client and server views of one incident must agree.  The web phase
 * before the first REGISTER (lyncdiscover, Web Ticket, CertProv) joins
 * the sign-in that follows it within the window, or that its sipuri
 * names, in small hand-written client logs and server traces.
 *
 * The logs come from the project's generator ($SFBGEN, default
 * build/sfbgen), run through the real pipeline (lr -> fmt -> sip ->
 * txn -> rule -> sess) by a small driver below, like main.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sess.h"
#include "sip.h"
#include "sv.h"
#include "txn.h"

#define MAXS 16

struct got_sess {
		unsigned id;
		char user[128];
		enum sess_outcome outcome;
		unsigned auth;          /* confirmed, else used */
		unsigned pairs, sent, n401, redirects, w28032;
		int final, diag;
		enum sess_status step[SFB_STEP__COUNT];
		int settings_ok;
		size_t ngroups;
		char loc[96];
		uint64_t nhttp;
		enum sess_status disc;
};

struct got {
	size_t n;
	struct got_sess s[MAXS];
	uint64_t dropped;       /* held web phases let go at the end */
};

struct drv {
	struct got *got;
	struct sess_builder *sb;
	struct txn_table *txn;
	struct pat_table *rules;
	struct fmt *fmt;
	struct msg msg;
	const char *file;
};

static void on_sess(void *ud, const struct sess *s)
{
	struct got *g = ud;
	if (g->n >= MAXS)
		return;
	struct got_sess *x = &g->s[g->n++];
	x->id = s->id;
	snprintf(x->user, sizeof x->user, "%s", s->user);
	x->outcome = s->outcome;
	x->auth = s->auth_confirmed ? s->auth_confirmed : s->auth_used;
	x->pairs = s->register_pairs;
	x->sent = s->register_total;
	x->n401 = s->register_401;
	x->redirects = s->nredirects;
	x->w28032 = s->webticket_28032;
	x->final = s->register_final;
	x->diag = (int)s->register_diag;
	for (int i = 0; i < SFB_STEP__COUNT; i++)
		x->step[i] = s->steps[i].status;
	x->settings_ok = 1;
	for (int i = 0; i < SESS_SET__COUNT; i++)
		if (s->settings[i].status != SESS_OK)
			x->settings_ok = 0;
	x->ngroups = s->ngroups;
	snprintf(x->loc, sizeof x->loc, "%s", s->location_profile);
	x->nhttp = s->nhttp_total;
	x->disc = s->steps[SFB_STEP_DISCOVERY].status;
}

struct evctx {
	struct drv *d;
	const struct fmt_rec *rec;
};

static int on_event(void *ud, const struct pat_event *ev)
{
	struct evctx *c = ud;
	sess_event(c->d->sb, ev, c->d->file, c->rec->line_first,
		   c->rec->ts);
	return 0;
}

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct drv *d = ud;
	if (!d->sb) {
		struct sess_sink ss = { on_sess, d->got };
		d->sb = sess_new(&ss, fmt_kind_get(d->fmt) != FMT_CLS, 0);
	}
	if (rec->type == REC_ENTRY) {
		struct evctx c = { d, rec };
		pattern_match(d->rules, rec->text, on_event, &c);
	} else if (rec->type == REC_DIAG) {
		sess_diag(d->sb, rec, d->file);
	} else if (rec->type == REC_MSG) {
		msg_set(&d->msg, rec, d->file);
		sip_parse(&d->msg);
		int copy = txn_add(d->txn, &d->msg);
		struct sv rm = SV_NULL, ru = SV_NULL;
		if (d->msg.kind == MSG_RESPONSE &&
		    txn_last_request(d->txn, &rm, &ru))
			rm = ru = SV_NULL;
		sess_msg(d->sb, &d->msg, copy, rm, ru);
	}
	return 0;
}

/* Read files as one stream, the way the CLI reads rotated parts. */
static void run(const char *const *files, size_t n, struct pat_table *rt,
		struct got *g)
{
	struct drv d = { 0 };
	memset(g, 0, sizeof *g);
	d.got = g;
	d.rules = rt;
	d.txn = txn_new(NULL, 0, -1);
	msg_init(&d.msg);
	for (size_t i = 0; i < n; i++) {
		struct sfb_err err = { 0 };
		struct lr *lr = lr_open(files[i], 0, &err);
		CHECK(lr != NULL);
		if (!lr)
			continue;
		struct fmt_sink sink = { on_rec, &d };
		d.fmt = fmt_new(FMT_AUTO, &sink, NULL);
		d.file = files[i];
		struct sv line;
		unsigned long no;
		int st;
		while ((st = lr_next(lr, &line, &no, &err)) == LR_LINE)
			CHECK_INT(fmt_feed(d.fmt, line, no, &err), 0);
		CHECK_INT(st, LR_EOF);
		CHECK_INT(fmt_finish(d.fmt, &err), 0);
		fmt_free(d.fmt);
		d.fmt = NULL;
		lr_close(lr);
	}
	if (d.sb) {
		struct sess_web_stats st;
		sess_web_stats(d.sb, &st);
		g->dropped = st.dropped;
		sess_flush(d.sb);
	}
	sess_free(d.sb);
	txn_free(d.txn);
	msg_free(&d.msg);
}

static const char *gen;
static char tmpdir[] = "/tmp/sfblog-unit-sess.XXXXXX";

/* Generate a log with sfbgen; @return its path (static buffer). */
static const char *generate(const char *name, const char *args)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s %s -o %s", gen, args, p);
	CHECK_INT(system(cmd), 0);
	return p;
}

struct want {
	const char *scenario;
	enum sess_outcome outcome;
	unsigned auth;          /* 0: not checked */
	unsigned pairs;         /* 0: not checked */
	unsigned redirects;
	enum sess_status auth_step, redirect_step, settings_step;
};

static const struct want table[] = {
	{ "ntlm-external-ok", SESS_SIGNED_IN, SESS_AUTH_NTLM, 3, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
	{ "kerberos-internal-ok", SESS_SIGNED_IN, SESS_AUTH_KERBEROS, 2, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
	{ "tlsdsk-ok", SESS_SIGNED_IN, SESS_AUTH_TLSDSK, 4, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
	{ "register-401-loop", SESS_FAILED_OUT, 0, 0, 0,
	  SESS_FAILED, SESS_NOT_SEEN, SESS_NOT_SEEN },
	{ "webticket-28032-loop", SESS_FAILED_OUT, 0, 0, 0,
	  SESS_FAILED, SESS_NOT_SEEN, SESS_NOT_SEEN },
	{ "redirect-301", SESS_SIGNED_IN, SESS_AUTH_KERBEROS, 2, 1,
	  SESS_OK, SESS_OK, SESS_OK },
	{ "forbidden-4003", SESS_FAILED_OUT, 0, 0, 0,
	  SESS_FAILED, SESS_NOT_SEEN, SESS_NOT_SEEN },
	/* web ticket, Autodiscover redirect, CertProv before REGISTER */
	{ "tlsdsk-web-redirect", SESS_SIGNED_IN, SESS_AUTH_TLSDSK, 4, 0,
	  SESS_OK, SESS_NOT_SEEN, SESS_OK },
};

static void check_one(const struct want *w, const struct got *g,
		      const char *fmt)
{
	if (g->n != 1) {
		fprintf(stderr, "%s %s: %zu sessions\n", w->scenario, fmt,
			g->n);
		CHECK_INT(g->n, 1);
		return;
	}
	const struct got_sess *x = &g->s[0];
	int ok = x->outcome == w->outcome &&
		 (!w->auth || x->auth == w->auth) &&
		 (!w->pairs || x->pairs == w->pairs) &&
		 x->redirects == w->redirects &&
		 x->step[SFB_STEP_AUTH] == w->auth_step &&
		 x->step[SFB_STEP_REDIRECT] == w->redirect_step &&
		 x->step[SFB_STEP_SETTINGS] == w->settings_step &&
		 strcmp(x->user, "sip:alice@contoso.com") == 0;
	if (!ok)
		fprintf(stderr, "%s %s: outcome %s auth %u pairs %u redirects "
			"%u steps auth %d redirect %d settings %d user %s\n",
			w->scenario, fmt, sess_outcome_name(x->outcome),
			x->auth, x->pairs, x->redirects,
			x->step[SFB_STEP_AUTH], x->step[SFB_STEP_REDIRECT],
			x->step[SFB_STEP_SETTINGS], x->user);
	CHECK(ok);
}

static void test_scenarios(struct pat_table *rt)
{
	struct got g;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		char args[256];
		const char *w = table[i].scenario;
		snprintf(args, sizeof args, "--scenario %s --seed 3", w);
		const char *f = generate("ucc.log", args);
		run(&f, 1, rt, &g);
		check_one(&table[i], &g, "uccapilog");
		/* the server's view of the same incident agrees */
		snprintf(args, sizeof args, "--format cls --hops --scenario %s "
			 "--seed 3", w);
		f = generate("cls.log", args);
		run(&f, 1, rt, &g);
		check_one(&table[i], &g, "cls");
	}
	/* the specific verdicts */
	const char *f = generate("x.log", "--scenario register-401-loop");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].n401 >= 4 && g.s[0].final == 0);
	f = generate("x.log", "--scenario forbidden-4003");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].final == 403 && g.s[0].diag == 4003);
	f = generate("x.log", "--scenario webticket-28032-loop");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].w28032 >= 2);
	f = generate("x.log", "--scenario tlsdsk-ok");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].ngroups >= 3 && g.s[0].loc[0]);
	/* the same location profile twice: read once, given to both */
	f = generate("x.log", "--scenario tlsdsk-ok --scenario tlsdsk-ok");
	run(&f, 1, rt, &g);
	CHECK(g.n == 2 && g.s[1].loc[0] &&
	      strcmp(g.s[0].loc, g.s[1].loc) == 0);
	/* its web phase before REGISTER is in it, in both views */
	f = generate("x.log", "--scenario tlsdsk-web-redirect");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].nhttp == 9 && g.s[0].disc == SESS_OK);
	f = generate("x.log", "--format cls --scenario tlsdsk-web-redirect");
	run(&f, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].nhttp == 9 && g.s[0].disc == SESS_OK);
	/* traffic of a signed-in user is no sign-in */
	f = generate("x.log", "--scenario im-call-traffic");
	run(&f, 1, rt, &g);
	CHECK_INT(g.n, 0);
}

static void test_two_and_cut(struct pat_table *rt)
{
	struct got g;
	const char *f = generate("two.log", "--scenario ntlm-external-ok "
				 "--scenario forbidden-4003");
	run(&f, 1, rt, &g);
	CHECK_INT(g.n, 2);
	CHECK(g.n == 2 && g.s[0].id == 1 && g.s[1].id == 2 &&
	      g.s[0].outcome == SESS_SIGNED_IN &&
	      g.s[1].outcome == SESS_FAILED_OUT);

	/* a log that ends after the first challenge: incomplete */
	const char *whole = generate("whole.log", "--scenario "
				     "ntlm-external-ok --lf");
	char cut[600], cmd[1400];
	snprintf(cut, sizeof cut, "%s/cut.log", tmpdir);
	/* keep everything up to the first 401's End of line */
	snprintf(cmd, sizeof cmd, "awk '{print} /End of Data Received/ && "
		 "seen401 {exit} /SIP\\/2.0 401/ {seen401=1}' %s > %s",
		 whole, cut);
	CHECK_INT(system(cmd), 0);
	const char *c = cut;
	run(&c, 1, rt, &g);
	CHECK(g.n == 1 && g.s[0].outcome == SESS_INCOMPLETE &&
	      g.s[0].n401 == 1);
}

static void test_rotated(struct pat_table *rt)
{
	struct got whole, parts;
	const char *f = generate("all.log", "--lf");
	run(&f, 1, rt, &whole);
	CHECK(whole.n >= 7);
	/*
	 * cut in the middle of a sign-in, before the opening line of the
	 * 8th REGISTER (the line above its start line)
	 */
	char p1[600], p0[600], cmd[2000];
	snprintf(p1, sizeof p1, "%s/Lync-UccApi-1.UccApilog", tmpdir);
	snprintf(p0, sizeof p0, "%s/Lync-UccApi-0.UccApilog", tmpdir);
	snprintf(cmd, sizeof cmd, "n=$(grep -n 'REGISTER sip:' %s | sed -n "
		 "'8p' | cut -d: -f1); head -n $((n - 2)) %s > %s && "
		 "tail -n +$((n - 1)) %s > %s", f, f, p1, f, p0);
	CHECK_INT(system(cmd), 0);
	const char *files[2] = { p1, p0 };
	run(files, 2, rt, &parts);
	CHECK_INT(parts.n, whole.n);
	int same = parts.n == whole.n;
	for (size_t i = 0; same && i < whole.n; i++)
		same = parts.s[i].outcome == whole.s[i].outcome &&
		       parts.s[i].pairs == whole.s[i].pairs &&
		       parts.s[i].auth == whole.s[i].auth;
	CHECK(same);
}

/* ---- the web phase before the first REGISTER ------------------------ */

/* Log time 09:12:00 + sec, in the client's or the server's form. */
static void stamp(char *out, size_t n, int sec, int cls)
{
	int m = (12 + sec / 60) % 60, x = sec % 60;
	if (cls)
		snprintf(out, n, "01/15/2021-09:%02d:%02d.000.%08X", m, x,
			 (unsigned)sec & 0xFFFFu);
	else
		snprintf(out, n, "01/15/2021|09:%02d:%02d.000", m, x);
}

/* A client framed block: start line, then rest (headers, blank, body). */
static void ucc_msg(FILE *f, int sec, int sending, const char *start,
		    const char *rest)
{
	char t[64];
	const char *dir = sending ? "Sending Packet" : "Data Received";
	const char *la = sending ? "From" : "To";
	size_t n = strlen(start) + 1 + strlen(rest);
	stamp(t, sizeof t, sec, 0);
	fprintf(f, "%s 2A10:3B4C INFO  :: %s - 203.0.113.20:443 (%s Local "
		"Address: 192.168.1.40:51234) %zu bytes:\n", t, dir, la, n);
	fprintf(f, "%s 2A10:3B4C INFO  :: %s\n%s", t, start, rest);
	fprintf(f, "%s 2A10:3B4C INFO  :: End of %s - 203.0.113.20:443 (%s "
		"Local Address: 192.168.1.40:51234) %zu bytes\n", t, dir, la,
		n);
}

/* A server trace record from peer; rest: header lines, LF-ended. */
static void cls_msg(FILE *f, int sec, const char *peer, int req,
		    const char *start, const char *rest)
{
	char t[64];
	stamp(t, sizeof t, sec, 1);
	fprintf(f, "TL_INFO(TF_PROTOCOL) [fe01\\fe01]1F40.2BC0::%s "
		"(WebInfrastructure,HttpTraceModule::TraceProtocolRecord:"
		"HttpTraceModule.cs(214)) [%d] $$begin_record\n"
		"Trace-Correlation-Id: %d\nInstance-Id: 0000CF40\n"
		"Direction: %s\nPeer: %s\nMessage-Type: %s\n"
		"Start-Line: %s\n%sMessage-Body: -\n$$end_record\n", t,
		1000 + sec, 1000 + sec, req ? "incoming" : "outgoing", peer,
		req ? "request" : "response", start, rest);
}

static const char H_LD[] = "Host: lyncdiscover.contoso.com\n";
static const char H_WT[] = "Host: lyncwebext.contoso.com\n";
static const char A_28032[] = "X-Ms-diagnostics: 28032;source=\"fe01."
	"contoso.com\";reason=\"The web ticket is invalid.\"\n";

/* lyncdiscover (?sipuri=user if user), then two web tickets refused. */
static void ucc_web_fail(FILE *f, int sec, const char *user)
{
	char start[160], rest[300];
	snprintf(start, sizeof start, "GET /%s%s HTTP/1.1", user ? "?sipuri="
		 : "", user ? user : "");
	ucc_msg(f, sec, 1, start, "Host: lyncdiscover.contoso.com\n"
		"Content-Length: 0\n\n");
	ucc_msg(f, sec + 1, 0, "HTTP/1.1 200 OK", "Content-Length: 0\n\n");
	for (int i = 0; i < 2; i++) {
		ucc_msg(f, sec + 2 + 2 * i, 1, "POST /WebTicket/WebTicket"
			"Service.svc HTTP/1.1", "Host: lyncwebext.contoso."
			"com\nContent-Length: 0\n\n");
		snprintf(rest, sizeof rest, "%sContent-Length: 0\n\n",
			 A_28032);
		ucc_msg(f, sec + 3 + 2 * i, 0, "HTTP/1.1 401 Unauthorized",
			rest);
	}
}

/* REGISTER of user (alice, bob) and its 200 OK, in a client log. */
static void ucc_register(FILE *f, int sec, const char *user)
{
	char rest[600];
	snprintf(rest, sizeof rest, "Via: SIP/2.0/TLS 192.168.1.40:51234;"
		 "branch=z9hG4bK1\nFrom: <sip:%s@contoso.com>;tag=a1;"
		 "epid=01e2f3a4b5\nTo: <sip:%s@contoso.com>\nCall-ID: "
		 "c%s\nCSeq: 1 REGISTER\nContent-Length: 0\n\n", user, user,
		 user);
	ucc_msg(f, sec, 1, "REGISTER sip:contoso.com SIP/2.0", rest);
	ucc_msg(f, sec + 1, 0, "SIP/2.0 200 OK", rest);
}

static FILE *open_tmp(const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	return f;
}

static void run_one(const char *path, struct pat_table *rt, struct got *g)
{
	run(&path, 1, rt, g);
}

static void test_web_phase_client(struct pat_table *rt)
{
	struct got g;
	char p[600];

	/* a web-ticket failure and nothing after it: a failed sign-in */
	FILE *f = open_tmp("w1.log", p, sizeof p);
	if (!f)
		return;
	ucc_web_fail(f, 0, NULL);
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && g.s[0].outcome == SESS_FAILED_OUT &&
	      g.s[0].w28032 == 2 && g.s[0].user[0] == '\0' &&
	      g.s[0].nhttp == 3 && g.s[0].sent == 0);

	/* followed by a REGISTER within the window: one sign-in */
	f = open_tmp("w2.log", p, sizeof p);
	if (!f)
		return;
	ucc_web_fail(f, 0, NULL);
	ucc_register(f, 60, "alice");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && strcmp(g.s[0].user, "sip:alice@contoso.com") == 0 &&
	      g.s[0].w28032 == 2 && g.s[0].nhttp == 3 && g.s[0].sent == 1 &&
	      g.s[0].disc == SESS_OK);

	/* past the window (200 s, short of the idle 300 s): two */
	f = open_tmp("w3.log", p, sizeof p);
	if (!f)
		return;
	ucc_web_fail(f, 0, NULL);
	ucc_register(f, 205, "alice");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 2 && g.s[0].user[0] == '\0' && g.s[0].w28032 == 2 &&
	      g.s[0].outcome == SESS_FAILED_OUT && g.s[1].nhttp == 0 &&
	      strcmp(g.s[1].user, "sip:alice@contoso.com") == 0);

	/* lyncdiscover named alice: her REGISTER takes it even then */
	f = open_tmp("w4.log", p, sizeof p);
	if (!f)
		return;
	ucc_web_fail(f, 0, "alice@contoso.com");
	ucc_register(f, 205, "alice");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && g.s[0].nhttp == 3 && g.s[0].sent == 1);

	/* ... and bob's REGISTER, close as it is, does not */
	f = open_tmp("w5.log", p, sizeof p);
	if (!f)
		return;
	ucc_web_fail(f, 0, "alice@contoso.com");
	ucc_register(f, 20, "bob");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 2 && strcmp(g.s[0].user, "sip:alice@contoso.com") == 0 &&
	      g.s[0].sent == 0 && g.s[1].nhttp == 0 &&
	      strcmp(g.s[1].user, "sip:bob@contoso.com") == 0);

	/* a second lyncdiscover of the same phase: still one */
	f = open_tmp("w6.log", p, sizeof p);
	if (!f)
		return;
	ucc_web_fail(f, 0, NULL);
	ucc_web_fail(f, 30, NULL);
	ucc_register(f, 50, "alice");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && g.s[0].nhttp == 6 && g.s[0].w28032 == 4);

	/* pasted SIP/HTTP text has no times: adjacency decides */
	const char *sp = generate("paste.txt", "--format sip --scenario "
				  "tlsdsk-web-redirect");
	run_one(sp, rt, &g);
	CHECK(g.n == 1 && g.s[0].outcome == SESS_SIGNED_IN &&
	      g.s[0].nhttp >= 9);

	/* the phase cut before its REGISTER stays a sign-in of its own */
	const char *whole = generate("wr.log", "--lf --scenario "
				     "tlsdsk-web-redirect");
	char cmd[1400];
	snprintf(p, sizeof p, "%s/wr-cut.log", tmpdir);
	snprintf(cmd, sizeof cmd, "sed '/Register: sending REGISTER/,$d' %s "
		 "> %s", whole, p);
	CHECK_INT(system(cmd), 0);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && g.s[0].outcome == SESS_INCOMPLETE &&
	      g.s[0].sent == 0 && g.s[0].nhttp >= 9 &&
	      strcmp(g.s[0].user, "sip:alice@contoso.com") == 0);
}

/* A REGISTER of user from peer, and its 200 OK, in a server trace. */
static void cls_register(FILE *f, int sec, const char *peer,
			 const char *user)
{
	char rest[600];
	snprintf(rest, sizeof rest, "Via: SIP/2.0/TLS %s;branch=z9hG4bK1\n"
		 "From: <sip:%s@contoso.com>;tag=a1;epid=01e2f3a4b5\n"
		 "To: <sip:%s@contoso.com>\nCall-ID: c%s\nCSeq: 1 REGISTER\n"
		 "Content-Length: 0\n", peer, user, user, user);
	cls_msg(f, sec, peer, 1, "REGISTER sip:contoso.com SIP/2.0", rest);
	cls_msg(f, sec + 1, peer, 0, "SIP/2.0 200 OK", rest);
}

/* User-less Web Ticket calls from peer; refused (28032) if fail. */
static void cls_webticket(FILE *f, int sec, const char *peer, int fail)
{
	char rest[300];
	cls_msg(f, sec, peer, 1, "POST /WebTicket/WebTicketService.svc "
		"HTTP/1.1", H_WT);
	snprintf(rest, sizeof rest, "%sContent-Length: 0\n",
		 fail ? A_28032 : "");
	cls_msg(f, sec + 1, peer, 0, fail ? "HTTP/1.1 401 Unauthorized"
		: "HTTP/1.1 200 OK", rest);
}

static void test_web_phase_server(struct pat_table *rt)
{
	struct got g;
	char p[600];

	/* an internal client: web calls and REGISTER from one host */
	FILE *f = open_tmp("c1.log", p, sizeof p);
	if (!f)
		return;
	cls_msg(f, 0, "10.0.1.50:50001", 1, "GET / HTTP/1.1", H_LD);
	cls_msg(f, 1, "10.0.1.50:50001", 0, "HTTP/1.1 200 OK",
		"Content-Length: 0\n");
	cls_webticket(f, 2, "10.0.1.50:50001", 0);
	cls_webticket(f, 4, "10.0.9.9:50002", 0);  /* someone else */
	cls_register(f, 30, "10.0.1.50:61000", "alice");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && g.s[0].nhttp == 2 && g.s[0].disc == SESS_OK &&
	      strcmp(g.s[0].user, "sip:alice@contoso.com") == 0);

	/* from another host, or past the window: not hers */
	f = open_tmp("c2.log", p, sizeof p);
	if (!f)
		return;
	cls_webticket(f, 0, "10.0.1.50:50001", 0);
	cls_register(f, 10, "10.0.1.51:61000", "alice");
	cls_webticket(f, 20, "10.0.1.52:50001", 0);
	cls_register(f, 200, "10.0.1.52:61000", "bob");
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 2 && g.s[0].nhttp == 0 && g.s[1].nhttp == 0);

	/* a phase that failed and nothing claimed: reported all the same */
	f = open_tmp("c3.log", p, sizeof p);
	if (!f)
		return;
	cls_webticket(f, 0, "10.0.1.50:50001", 1);
	cls_webticket(f, 2, "10.0.1.50:50001", 1);
	fclose(f);
	run_one(p, rt, &g);
	CHECK(g.n == 1 && g.s[0].w28032 == 2 &&
	      g.s[0].outcome == SESS_FAILED_OUT && g.s[0].id == 1);

	/* held phases are bounded: the oldest are let go, counted */
	f = open_tmp("c4.log", p, sizeof p);
	if (!f)
		return;
	for (int i = 0; i < SESS_MAX_WEB + 8; i++) {
		char peer[40];
		snprintf(peer, sizeof peer, "10.0.2.%d:50000", i + 1);
		cls_webticket(f, i, peer, i == 0);
	}
	cls_register(f, 50, "10.0.2.40:61000", "carol");
	fclose(f);
	run_one(p, rt, &g);
	CHECK_INT(g.dropped, 8);
	/* the first one failed: reported when let go; carol's is hers */
	CHECK(g.n == 2 && g.s[0].w28032 == 1 && g.s[1].nhttp == 1 &&
	      strcmp(g.s[1].user, "sip:carol@contoso.com") == 0);
}

/* One SIP message into the builder, with its transaction. */
static void feed_sip(struct sess_builder *sb, struct txn_table *txn,
		     const char *text)
{
	struct msg m;
	msg_init(&m);
	msg_set_bytes(&m, text, strlen(text));
	(void)sip_parse(&m);
	int copy = txn_add(txn, &m);
	sess_msg(sb, &m, copy, SV_NULL, SV_NULL);
	msg_free(&m);
}

/*
 * A user is one whatever the case of the URI (longer than the 8 bytes
 * the key is hashed at a time), and two URIs that differ only in a byte
 * that is not a letter are two users.
 */
static void test_user_case(void)
{
	static const char reg[] =
		"REGISTER sip:contoso.com SIP/2.0\n"
		"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa\n"
		"From: <sip:%s>;tag=1;epid=AB12cd\n"
		"To: <sip:%s>\nCall-ID: c1\nCSeq: 1 REGISTER\n"
		"Content-Length: 0\n\n";
	static const char ok[] =
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa\n"
		"From: <sip:%s>;tag=1;epid=ab12CD\n"
		"To: <sip:%s>;tag=2\nCall-ID: c1\nCSeq: 1 REGISTER\n"
		"Content-Length: 0\n\n";
	static const char *const pairs[][2] = {
		{ "Alice.Long-Name@Contoso.COM", "alice.long-name@contoso.com" },
		{ "a[b@contoso.com", "a{b@contoso.com" },
	};
	for (int i = 0; i < 2; i++) {
		struct got g = { 0 };
		struct sess_sink ss = { on_sess, &g };
		struct sess_builder *sb = sess_new(&ss, 1, 0);
		struct txn_table *txn = txn_new(NULL, 0, -1);
		char buf[512];
		snprintf(buf, sizeof buf, reg, pairs[i][0], pairs[i][0]);
		feed_sip(sb, txn, buf);
		snprintf(buf, sizeof buf, ok, pairs[i][1], pairs[i][1]);
		feed_sip(sb, txn, buf);
		sess_flush(sb);
		CHECK_INT(g.n, 1);
		CHECK_INT(g.s[0].final, i == 0 ? 200 : 0);
		sess_free(sb);
		txn_free(txn);
	}
}

int main(void)
{
	test_user_case();
	gen = getenv("SFBGEN");
	if (!gen || !*gen)
		gen = "build/sfbgen";
	if (access(gen, X_OK) != 0) {
		fprintf(stderr, "unit_sess: no generator at '%s' (make "
			"build/sfbgen, or set SFBGEN)\n", gen);
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	const char *paths[] = { "rules/patterns.tsv", NULL };
	struct sfb_err err = { 0 };
	struct pat_table *rt = pattern_load(paths, &err);
	CHECK(rt != NULL);
	if (!rt) {
		fprintf(stderr, "unit_sess: %s\n", err.msg);
		return CHECK_DONE("unit_sess");
	}
	test_scenarios(rt);
	test_two_and_cut(rt);
	test_rotated(rt);
	test_web_phase_client(rt);
	test_web_phase_server(rt);
	pattern_free(rt);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	CHECK_INT(system(cmd), 0);
	return CHECK_DONE("unit_sess");
}
