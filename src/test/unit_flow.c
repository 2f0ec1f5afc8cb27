/* SPDX-License-Identifier: MIT */
/*
 * unit_flow.c -- unit tests of the call-flow ladder (src/flow.c): the
 * model (parties, roles, arrows, labels, notes, error marks, the
 * "others" column, the arrow limit) and the terminal drawing (exact
 * text at several widths, relative times, colour, width never
 * exceeded).  Messages are real SIP/HTTP text parsed with sip_parse(),
 * with the log context (direction, endpoints, server, time) set by
 * hand.  Expected drawings: testdata/unit/flow_*.txt (run from the top
 * of the tree); FLOW_UPDATE=1 rewrites them for review.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow.h"
#include "sip.h"
#include "sv.h"

static struct msg M;    /* reused: flow_add borrows it per call */
static unsigned long Line;

/* Parse text and add it to f as logged with this context. */
static void add(struct flow *f, const char *text, enum rec_dir dir,
		const char *local, const char *remote, const char *server,
		int64_t ts)
{
	msg_set_bytes(&M, text, strlen(text));
	CHECK_INT(sip_parse(&M), 0);
	M.dir = dir;
	snprintf(M.local, sizeof M.local, "%s", local);
	snprintf(M.remote, sizeof M.remote, "%s", remote);
	/* "-": a server trace record whose bracket named no machine */
	M.server_trace = server[0] != '\0';
	snprintf(M.server, sizeof M.server, "%s",
		 strcmp(server, "-") == 0 ? "" : server);
	M.ts = ts;
	M.file = "unit.log";
	M.line_first = ++Line;
	flow_add(f, &M);
}

static char *draw(const struct flow *f, int width, int color, int rel)
{
	struct flow_style st = { width, color, rel };
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);

	flow_draw(out, f, &st);
	fclose(out);
	return buf;
}

/* Longest line in visible columns (ANSI colour sequences skipped). */
static int max_cols(const char *s)
{
	int best = 0, cur = 0;

	for (; *s; s++) {
		if (*s == '\033') {
			while (*s && *s != 'm')
				s++;
			if (!*s)
				break;
			continue;
		}
		if (*s == '\n') {
			cur = 0;
			continue;
		}
		if (++cur > best)
			best = cur;
	}
	return best;
}

static int nlines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Every byte printable ASCII or '\n' (escapes allowed if esc). */
static int plain_ascii(const char *s, int esc)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || (c >= 0x20 && c < 0x7f) ||
		    (esc && c == 0x1b))
			continue;
		return 0;
	}
	return 1;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Compare a drawing with its fixture (or rewrite it: FLOW_UPDATE=1). */
static void check_fixture(const char *got, const char *path)
{
	const char *up = getenv("FLOW_UPDATE");
	char *want;

	if (up && *up == '1') {
		FILE *fp = fopen(path, "wb");
		CHECK(fp != NULL);
		if (fp) {
			fputs(got, fp);
			fclose(fp);
		}
		return;
	}
	want = slurp(path);
	CHECK(want != NULL);
	if (!want)
		return;
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s: drawing differs; got:\n%s", path, got);
		CHECK(strcmp(got, want) == 0);
	} else {
		CHECK(1);
	}
	free(want);
}

#define T(s, ms) (sfb_time_make(2021, 1, 15, 9, 12, (s), (ms)))

/* ---- a client log sign-in ---------------------------------------- */

#define CLI_LOCAL "192.168.178.34:57813"
#define REG "203.0.113.10:443"
#define WEB "203.0.113.20:443"

static const char *const disc_get =
	"GET /?sipuri=alice@contoso.com HTTP/1.1\n"
	"Host: lyncdiscover.contoso.com\n"
	"Accept: application/vnd.microsoft.rtc.autodiscover+json;v=1\n\n";
static const char *const disc_200 =
	"HTTP/1.1 200 OK\nContent-Length: 0\n\n";
static const char *const reg1 =
	"REGISTER sip:contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKa1\n"
	"From: <sip:alice@contoso.com>;tag=9a1b;epid=01e2f3\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 1 REGISTER\nContent-Length: 0\n\n";
static const char *const reg1_401 =
	"SIP/2.0 401 Unauthorized\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKa1\n"
	"From: <sip:alice@contoso.com>;tag=9a1b;epid=01e2f3\n"
	"To: <sip:alice@contoso.com>;tag=77\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 1 REGISTER\n"
	"WWW-Authenticate: NTLM realm=\"SIP Communications Service\", "
	"targetname=\"fe01.contoso.com\", version=4\n"
	"WWW-Authenticate: TLS-DSK realm=\"SIP Communications Service\", "
	"targetname=\"fe01.contoso.com\", version=4, "
	"sts-uri=\"https://fe01.contoso.com:443/CertProv/"
	"CertProvisioningService.svc\"\n"
	"Content-Length: 0\n\n";
static const char *const reg2 =
	"REGISTER sip:contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKa2\n"
	"From: <sip:alice@contoso.com>;tag=9a1b;epid=01e2f3\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 2 REGISTER\n"
	"Authorization: NTLM qop=\"auth\", realm=\"SIP Communications "
	"Service\", targetname=\"fe01.contoso.com\", version=4, "
	"gssapi-data=\"TlRMTVNTUAABAAAAt4II4gAAAAAAAAAAAAAAAAAAAAAGAbEd\"\n"
	"Content-Length: 0\n\n";
static const char *const reg2_200 =
	"SIP/2.0 200 OK\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKa2\n"
	"From: <sip:alice@contoso.com>;tag=9a1b;epid=01e2f3\n"
	"To: <sip:alice@contoso.com>;tag=77\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 2 REGISTER\n"
	"Expires: 7200\nContent-Length: 0\n\n";
static const char *const sub =
	"SUBSCRIBE sip:alice@contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKa3\n"
	"From: <sip:alice@contoso.com>;tag=5c5c;epid=01e2f3\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e\n"
	"CSeq: 1 SUBSCRIBE\n"
	"Event: vnd-microsoft-roaming-contacts\n"
	"Content-Length: 0\n\n";
static const char *const sub_200 =
	"SIP/2.0 200 OK\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKa3\n"
	"From: <sip:alice@contoso.com>;tag=5c5c;epid=01e2f3\n"
	"To: <sip:alice@contoso.com>;tag=88\n"
	"Call-ID: 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e\n"
	"CSeq: 1 SUBSCRIBE\n"
	"Expires: 3600\nContent-Length: 0\n\n";

static struct flow *client_signin(void)
{
	struct flow *f = flow_new(0);

	add(f, disc_get, DIR_OUT, "192.168.178.34:65464", WEB, "", T(3, 585));
	add(f, disc_200, DIR_IN, "192.168.178.34:65464", WEB, "", T(3, 748));
	add(f, reg1, DIR_OUT, CLI_LOCAL, REG, "", T(3, 961));
	add(f, reg1_401, DIR_IN, CLI_LOCAL, REG, "", T(4, 116));
	add(f, reg2, DIR_OUT, CLI_LOCAL, REG, "", T(4, 145));
	add(f, reg2_200, DIR_IN, CLI_LOCAL, REG, "", T(4, 255));
	add(f, sub, DIR_OUT, CLI_LOCAL, REG, "", T(4, 640));
	add(f, sub_200, DIR_IN, CLI_LOCAL, REG, "", T(4, 768));
	return f;
}

#define check_arrow(...) (Where = __LINE__, check_arrow_(__VA_ARGS__))
static int Where;

static void check_arrow_(const struct flow *f, size_t i, int from, int to,
			 const char *label, const char *note, int error)
{
	const struct flow_arrow *a = flow_arrow_get(f, i);
	int fails = check_fail;

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(a->from, from);
	CHECK_INT(a->to, to);
	CHECK_SV(sv_cstr(a->label), label);
	CHECK_SV(sv_cstr(a->note), note);
	CHECK_INT(a->error, error);
	if (check_fail != fails)
		fprintf(stderr, "  (arrow %zu checked at line %d)\n", i,
			Where);
}

static void check_party(const struct flow *f, size_t i, const char *name,
			const char *role)
{
	const struct flow_party *p = flow_party_get(f, i);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_SV(sv_cstr(p->name), name);
	CHECK_SV(sv_cstr(p->role), role);
}

static void test_client_model(void)
{
	struct flow *f = client_signin();
	const struct flow_arrow *a;

	/* columns by role: client, registrar, web (the web host came
	 * first in the log; the arrows were renumbered) */
	CHECK_INT(flow_nparties(f), 3);
	check_party(f, 0, "client 192.168.178.34", "client");
	check_party(f, 1, "203.0.113.10:443", "edge");
	check_party(f, 2, "lyncdiscover.contoso.com", "web");
	CHECK(flow_party_get(f, 3) == NULL);
	CHECK_INT(flow_narrows(f), 8);
	CHECK_INT(flow_dropped(f), 0);
	check_arrow(f, 0, 0, 2, "GET /", "", 0);
	check_arrow(f, 1, 2, 0, "200 OK", "", 0);
	check_arrow(f, 2, 0, 1, "REGISTER", "", 0);
	check_arrow(f, 3, 1, 0, "401 Unauthorized", "NTLM, TLS-DSK offered",
		    0);
	check_arrow(f, 4, 0, 1, "REGISTER", "auth NTLM", 0);
	check_arrow(f, 5, 1, 0, "200 OK", "", 0);
	check_arrow(f, 6, 0, 1, "SUBSCRIBE", "vnd-microsoft-roaming-contacts",
		    0);
	check_arrow(f, 7, 1, 0, "200 OK", "", 0);
	CHECK(flow_arrow_get(f, 8) == NULL);
	a = flow_arrow_get(f, 3);
	CHECK_INT(a->ts, T(4, 116));
	CHECK_INT(a->request, 0);
	CHECK_INT(a->line, 4);
	CHECK(a->file != NULL && strcmp(a->file, "unit.log") == 0);
	CHECK_SV(sv_cstr(a->call_id), "7f3c2a1b9d8e4f60a1b2c3d4e5f60718");
	CHECK_INT(flow_arrow_get(f, 2)->request, 1);
	flow_free(f);
}

static void test_client_draw(void)
{
	struct flow *f = client_signin();
	char *s;

	s = draw(f, 80, 0, 0);
	check_fixture(s, "testdata/unit/flow_signin_80.txt");
	CHECK(max_cols(s) <= 80);
	CHECK_INT(nlines(s), 2 + 8);
	CHECK(plain_ascii(s, 0));
	free(s);

	s = draw(f, 120, 0, 0);
	check_fixture(s, "testdata/unit/flow_signin_120.txt");
	CHECK(max_cols(s) <= 120);
	/* the notes fit whole at 120 */
	CHECK(strstr(s, "vnd-microsoft-roaming-contacts\n") != NULL);
	free(s);

	s = draw(f, 50, 0, 0);
	check_fixture(s, "testdata/unit/flow_signin_50.txt");
	CHECK(max_cols(s) <= 50);
	/* no room for notes at 50 */
	CHECK(strstr(s, "offered") == NULL);
	free(s);

	s = draw(f, 80, 0, 1);
	check_fixture(s, "testdata/unit/flow_signin_rel.txt");
	CHECK(max_cols(s) <= 80);
	CHECK(strstr(s, "+0.000  |") != NULL);
	CHECK(strstr(s, "+1.183  |") != NULL);
	CHECK(strstr(s, "09:12") == NULL);
	free(s);

	/* no error here: colour on adds nothing */
	s = draw(f, 80, 1, 0);
	CHECK(strchr(s, '\033') == NULL);
	free(s);
	flow_free(f);
}

/* ---- a CLS trace: the same REGISTER at the Edge and the Front End ---- */

#define EDGE "edge01\\edge01"
#define FE "fe01\\fe01"
#define CLIENT_PEER "198.51.100.22:36080"
#define EDGE_PEER "edge01.contoso.com:61384"

static const char *const cls_reg =
	"REGISTER sip:contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKe5\n"
	"From: <sip:alice@contoso.com>;tag=2bff;epid=1cc5\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: 7092e18804c3b45b36180195fbf128c3\n"
	"CSeq: 1 REGISTER\nContent-Length: 0\n\n";
static const char *const cls_403 =
	"SIP/2.0 403 Forbidden\n"
	"Via: SIP/2.0/TLS 192.168.178.34:57813;branch=z9hG4bKe5\n"
	"From: <sip:alice@contoso.com>;tag=2bff;epid=1cc5\n"
	"To: <sip:alice@contoso.com>;tag=99\n"
	"Call-ID: 7092e18804c3b45b36180195fbf128c3\n"
	"CSeq: 1 REGISTER\n"
	"ms-diagnostics: 4003;reason=\"From URI not enabled for remote "
	"access\";source=\"fe01.contoso.com\"\n"
	"Content-Length: 0\n\n";

static void cls_hops(struct flow *f, int fe_first)
{
	if (!fe_first)
		add(f, cls_reg, DIR_IN, "", CLIENT_PEER, EDGE, T(3, 961));
	add(f, cls_reg, DIR_IN, "", EDGE_PEER, FE, T(3, 963));
	if (fe_first)
		add(f, cls_reg, DIR_IN, "", CLIENT_PEER, EDGE, T(3, 961));
	add(f, cls_403, DIR_OUT, "", EDGE_PEER, FE, T(4, 116));
	add(f, cls_403, DIR_OUT, "", CLIENT_PEER, EDGE, T(4, 117));
}

static void test_cls(void)
{
	struct flow *f = flow_new(0);
	char *s;
	const char *note = "ms-diag 4003 From URI not enabled for remote "
			   "access";

	cls_hops(f, 0);
	CHECK_INT(flow_nparties(f), 3);
	check_party(f, 0, "198.51.100.22", "client");
	check_party(f, 1, "edge01", "edge");
	check_party(f, 2, "fe01", "server");
	CHECK_INT(flow_narrows(f), 4);
	check_arrow(f, 0, 0, 1, "REGISTER", "", 0);
	check_arrow(f, 1, 1, 2, "REGISTER", "", 0);
	check_arrow(f, 2, 2, 1, "403 Forbidden", note, 1);
	check_arrow(f, 3, 1, 0, "403 Forbidden", note, 1);
	s = draw(f, 80, 0, 0);
	check_fixture(s, "testdata/unit/flow_cls_80.txt");
	CHECK(max_cols(s) <= 80);
	CHECK(strstr(s, "!403 Forbidden") != NULL);
	CHECK(strchr(s, '\033') == NULL);
	free(s);
	/* colour: the error arrows are red, the rest is not */
	s = draw(f, 80, 1, 0);
	check_fixture(s, "testdata/unit/flow_cls_80_color.txt");
	CHECK(strstr(s, "\033[31m") != NULL);
	CHECK(strstr(s, "\033[0m") != NULL);
	CHECK(max_cols(s) <= 80);
	CHECK(plain_ascii(s, 1));
	free(s);
	flow_free(f);

	/* the Front End's record first: "edge01.contoso.com" starts as a
	 * peer and becomes the Edge's column when the Edge shows up */
	f = flow_new(0);
	cls_hops(f, 1);
	CHECK_INT(flow_nparties(f), 3);
	check_party(f, 0, "198.51.100.22", "client");
	check_party(f, 1, "edge01", "edge");
	check_party(f, 2, "fe01", "server");
	check_arrow(f, 0, 1, 2, "REGISTER", "", 0);
	check_arrow(f, 1, 0, 1, "REGISTER", "", 0);
	check_arrow(f, 2, 2, 1, "403 Forbidden", note, 1);
	check_arrow(f, 3, 1, 0, "403 Forbidden", note, 1);
	flow_free(f);

	/* OCS 2007 R2: bracket [0] (no server name, the parser leaves it
	 * empty); peer host kept without its port; a peer that never
	 * sent a REGISTER stays "peer", the server without evidence is a
	 * "server" */
	f = flow_new(0);
	add(f, "OPTIONS sip:u@fabrikam.com SIP/2.0\nCall-ID: x\n"
	    "CSeq: 1 OPTIONS\n\n", DIR_IN, "", "lyncservr.contoso.com:61182",
	    "-", T(5, 0));
	CHECK_INT(flow_nparties(f), 2);
	check_party(f, 0, "server", "server");
	check_party(f, 1, "lyncservr.contoso.com", "peer");
	check_arrow(f, 0, 1, 0, "OPTIONS", "", 0);
	/* a new port of the same peer is the same party */
	add(f, "SIP/2.0 200 OK\nCall-ID: x\nCSeq: 1 OPTIONS\n\n", DIR_OUT,
	    "", "LyncServr.contoso.com:5061", "-", T(5, 1));
	CHECK_INT(flow_nparties(f), 2);
	check_arrow(f, 1, 0, 1, "200 OK", "", 0);
	flow_free(f);
}

/* ---- error marks and notes --------------------------------------- */

static void one(const char *text, const char *label, const char *note,
		int error)
{
	struct flow *f = flow_new(0);

	add(f, text, DIR_IN, "10.0.0.1:1", "10.0.0.2:5061", "", T(1, 0));
	check_arrow(f, 0, 1, 0, label, note, error);
	flow_free(f);
}

static void test_errors(void)
{
	one("SIP/2.0 401 Unauthorized\nCSeq: 1 REGISTER\n\n",
	    "401 Unauthorized", "", 0);
	one("SIP/2.0 407 Proxy Authentication Required\nCSeq: 1 INVITE\n"
	    "Proxy-Authenticate: Kerberos realm=\"x\"\n"
	    "Proxy-Authenticate: NTLM realm=\"x\"\n"
	    "Proxy-Authenticate: NTLM realm=\"y\"\n\n",
	    "407 Proxy Authentication Required", "Kerberos, NTLM offered", 0);
	one("HTTP/1.1 401 Unauthorized\n"
	    "X-Ms-diagnostics: 28032;source=\"fe01.contoso.com\";"
	    "reason=\"The web ticket is invalid.\";"
	    "faultcode=\"wsse:InvalidSecurityToken\"\n\n",
	    "401 Unauthorized", "X-Ms-diag 28032 The web ticket is invalid.",
	    1);
	one("SIP/2.0 403 Forbidden\nCSeq: 1 REGISTER\n"
	    "ms-diagnostics: 4003;reason=\"From URI not enabled for remote "
	    "access\";source=\"edge01.contoso.com\"\n\n",
	    "403 Forbidden",
	    "ms-diag 4003 From URI not enabled for remote access", 1);
	one("SIP/2.0 301 Redirect request to Home Server\nCSeq: 3 REGISTER\n"
	    "ms-diagnostics-public: 4006.2;reason=\"User not found in pool\"\n"
	    "\n", "301 Redirect request to Home Server",
	    "ms-diag 4006.2 User not found in pool", 1);
	one("SIP/2.0 301 Redirect request to Home Server\nCSeq: 3 REGISTER\n"
	    "\n", "301 Redirect request to Home Server", "", 0);
	one("SIP/2.0 200 OK\nCSeq: 3 SERVICE\n"
	    "ms-diagnostics: 2;reason=\"informational\"\n\n",
	    "200 OK", "ms-diag 2 informational", 0);
	one("SIP/2.0 500 Internal Server Error\nCSeq: 1 SERVICE\n\n",
	    "500 Internal Server Error", "", 1);
	one("SIP/2.0 404 Not Found\nCSeq: 1 INVITE\n\n", "404 Not Found", "",
	    1);
	one("SIP/2.0 504 Server Time-out\nCSeq: 1 REGISTER\n"
	    "ms-diagnostics: 1008;reason=\"Unable to resolve DNS SRV "
	    "record\"\n"
	    "ms-diagnostics: 1014;reason=\"Unable to resolve DNS A "
	    "record\"\n\n",
	    "504 Server Time-out", "ms-diag 1008 Unable to resolve DNS SRV "
	    "record; ms-diag 1014 Unable to resolve DNS A record", 1);
	/* a diagnostic beats the auth headers for the note */
	one("SIP/2.0 401 Unauthorized\nCSeq: 1 REGISTER\n"
	    "WWW-Authenticate: NTLM realm=\"x\"\n"
	    "ms-diagnostics: 1013;reason=\"Significant time skew detected "
	    "during authentication\"\n\n", "401 Unauthorized",
	    "ms-diag 1013 Significant time skew detected during "
	    "authentication", 1);
	/* requests never are errors, even with a client diagnostic */
	one("BYE sip:a@b SIP/2.0\nCSeq: 2 BYE\n"
	    "ms-client-diagnostics: 52001;reason=\"Client side general "
	    "processing error\"\n\n", "BYE",
	    "ms-client-diag 52001 Client side general processing error", 0);
	one("SIP/2.0 200 OK\nCSeq: 2 REGISTER\n"
	    "Authentication-Info: NTLM rspauth=\"0100\", srand=\"1\"\n\n",
	    "200 OK", "auth-info NTLM", 0);
	/* HTTP: path without scheme, host or query */
	one("GET https://lyncweb.contoso.com/WebTicket/WebTicketService.svc"
	    "?wsdl HTTP/1.1\nHost: lyncweb.contoso.com\n\n",
	    "GET /WebTicket/WebTicketService.svc", "", 0);
	one("POST /CertProv/CertProvisioningService.svc#x HTTP/1.1\n\n",
	    "POST /CertProv/CertProvisioningService.svc", "", 0);
	/* the event of a SUBSCRIBE only */
	one("NOTIFY sip:a@b SIP/2.0\nCSeq: 2 NOTIFY\nEvent: presence\n\n",
	    "NOTIFY", "", 0);
	one("SIP/2.0 200 OK\nCSeq: 1 SUBSCRIBE\nEvent: presence\n\n",
	    "200 OK", "presence", 0);
}

/* ---- HTTP hosts behind one address; IPv6 peers --------------------- */

static void test_http_hosts(void)
{
	struct flow *f = flow_new(0);

	/* an answer before any request: the address, role web */
	add(f, disc_200, DIR_IN, "10.0.0.5:1", WEB, "", T(1, 0));
	check_party(f, 1, WEB, "web");
	/* two hosts behind one reverse proxy: each answer goes to the
	 * host last asked at that address */
	add(f, "GET /a HTTP/1.1\nHost: LyncWeb.contoso.com:4443\n\n", DIR_OUT,
	    "10.0.0.5:1", WEB, "", T(1, 1));
	add(f, disc_200, DIR_IN, "10.0.0.5:1", WEB, "", T(1, 2));
	add(f, "GET /b HTTP/1.1\nHost: lyncdiscover.contoso.com\n\n",
	    DIR_OUT, "10.0.0.5:2", WEB, "", T(1, 3));
	add(f, disc_200, DIR_IN, "10.0.0.5:2", WEB, "", T(1, 4));
	/* the Host is matched in any case */
	add(f, "GET /c HTTP/1.1\nHost: lyncweb.CONTOSO.com:4443\n\n",
	    DIR_OUT, "10.0.0.5:1", WEB, "", T(1, 5));
	CHECK_INT(flow_nparties(f), 4);
	check_party(f, 0, "client 10.0.0.5", "client");
	check_party(f, 1, WEB, "web");
	check_party(f, 2, "LyncWeb.contoso.com:4443", "web");
	check_party(f, 3, "lyncdiscover.contoso.com", "web");
	check_arrow(f, 0, 1, 0, "200 OK", "", 0);
	check_arrow(f, 1, 0, 2, "GET /a", "", 0);
	check_arrow(f, 2, 2, 0, "200 OK", "", 0);
	check_arrow(f, 3, 0, 3, "GET /b", "", 0);
	check_arrow(f, 4, 3, 0, "200 OK", "", 0);
	check_arrow(f, 5, 0, 2, "GET /c", "", 0);
	flow_free(f);

	/* CLS peers: IPv6 with and without brackets, port dropped */
	f = flow_new(0);
	add(f, cls_reg, DIR_IN, "", "[2001:db8::1]:5061", FE, T(1, 0));
	add(f, cls_reg, DIR_IN, "", "[2001:db8::1]:5062", FE, T(1, 1));
	add(f, cls_reg, DIR_IN, "", "2001:db8::2", FE, T(1, 2));
	CHECK_INT(flow_nparties(f), 3);
	check_party(f, 0, "2001:db8::1", "client");
	check_party(f, 1, "2001:db8::2", "client");
	check_party(f, 2, "fe01", "server");
	check_arrow(f, 1, 0, 2, "REGISTER", "", 0);
	flow_free(f);
}

/* ---- more endpoints than columns --------------------------------- */

static void test_overflow(void)
{
	struct flow *f = flow_new(0);
	char remote[32];
	char *s;

	add(f, reg1, DIR_OUT, CLI_LOCAL, REG, "", T(1, 0));
	for (int i = 0; i < 10; i++) {
		snprintf(remote, sizeof remote, "10.1.0.%d:5061", i);
		add(f, "OPTIONS sip:x SIP/2.0\nCSeq: 1 OPTIONS\n\n", DIR_OUT,
		    CLI_LOCAL, remote, "", T(2, i));
	}
	CHECK_INT(flow_nparties(f), FLOW_MAX_PARTIES);
	check_party(f, 0, "client 192.168.178.34", "client");
	check_party(f, 1, REG, "edge");
	for (int i = 0; i < 5; i++) {
		snprintf(remote, sizeof remote, "10.1.0.%d:5061", i);
		check_party(f, 2 + (size_t)i, remote, "server");
	}
	check_party(f, 7, "others", "peer");
	/* the sixth peer became "others"; the rest went there too */
	for (int i = 0; i < 10; i++)
		CHECK_INT(flow_arrow_get(f, 1 + (size_t)i)->to,
			  i < 5 ? 2 + i : 7);
	/* a known endpoint keeps its column; a new one goes to others */
	add(f, "SIP/2.0 200 OK\nCSeq: 1 OPTIONS\n\n", DIR_IN, CLI_LOCAL,
	    "10.1.0.3:5061", "", T(3, 0));
	check_arrow(f, 11, 5, 0, "200 OK", "", 0);
	add(f, "SIP/2.0 200 OK\nCSeq: 1 OPTIONS\n\n", DIR_IN, CLI_LOCAL,
	    "10.1.0.99:5061", "", T(3, 1));
	check_arrow(f, 12, 7, 0, "200 OK", "", 0);
	CHECK_INT(flow_nparties(f), FLOW_MAX_PARTIES);
	for (int w = 40; w <= 200; w += 7) {
		s = draw(f, w, 0, 0);
		CHECK(max_cols(s) <= w);
		CHECK_INT(nlines(s), 2 + 13);
		free(s);
	}
	s = draw(f, 120, 0, 0);
	CHECK(strstr(s, "others") != NULL);
	free(s);
	flow_free(f);

	/* CLS: servers keep their columns when peers overflow */
	f = flow_new(0);
	add(f, cls_reg, DIR_IN, "", CLIENT_PEER, EDGE, T(1, 0));
	for (int i = 0; i < 12; i++) {
		snprintf(remote, sizeof remote, "10.2.0.%d:1000", i);
		add(f, cls_reg, DIR_IN, "", remote, i % 2 ? FE : EDGE,
		    T(2, i));
	}
	CHECK_INT(flow_nparties(f), FLOW_MAX_PARTIES);
	check_party(f, 0, "198.51.100.22", "client");
	check_party(f, FLOW_MAX_PARTIES - 1, "others", "peer");
	int edge = 0, fe = 0;
	for (size_t i = 0; i < flow_nparties(f); i++) {
		edge += strcmp(flow_party_get(f, i)->name, "edge01") == 0;
		fe += strcmp(flow_party_get(f, i)->name, "fe01") == 0;
	}
	CHECK_INT(edge, 1);
	CHECK_INT(fe, 1);
	flow_free(f);
}

/* ---- the arrow limit --------------------------------------------- */

static void test_limit(void)
{
	struct flow *f = flow_new(3);

	for (int i = 0; i < 5; i++)
		add(f, reg1, DIR_OUT, CLI_LOCAL, REG, "", T(1, i));
	CHECK_INT(flow_narrows(f), 3);
	CHECK_INT(flow_dropped(f), 2);
	CHECK(flow_arrow_get(f, 3) == NULL);
	/* dropped messages create no party */
	add(f, reg1, DIR_OUT, CLI_LOCAL, "10.9.9.9:5061", "", T(1, 9));
	CHECK_INT(flow_nparties(f), 2);
	CHECK_INT(flow_dropped(f), 3);
	flow_free(f);

	/* 0: the default of 10000 */
	f = flow_new(0);
	msg_set_bytes(&M, reg1, strlen(reg1));
	CHECK_INT(sip_parse(&M), 0);
	M.dir = DIR_OUT;
	snprintf(M.remote, sizeof M.remote, "%s", REG);
	for (int i = 0; i < 10005; i++) {
		M.ts = T(1, 0) + i;
		flow_add(f, &M);
	}
	CHECK_INT(flow_narrows(f), 10000);
	CHECK_INT(flow_dropped(f), 5);
	flow_free(f);
}

/* ---- odd input --------------------------------------------------- */

static void test_odd(void)
{
	struct flow *f = flow_new(0);
	char *s;

	/* a CLS server talking to itself: a self-loop row */
	add(f, cls_reg, DIR_OUT, "", "fe01.contoso.com:5061", FE, T(1, 0));
	CHECK_INT(flow_nparties(f), 1);
	check_arrow(f, 0, 0, 0, "REGISTER", "", 0);
	/* control bytes and UTF-8 in a reason: ASCII only, one '?' per
	 * non-ASCII character, control bytes as esc.h's visible escapes;
	 * an escape sequence cannot reach the terminal */
	add(f, "SIP/2.0 480 Nicht verf\xc3\xbc" "gbar \033[2J\n"
	    "CSeq: 1 INVITE\n\n", DIR_IN, "", "10.0.0.9:5061", FE,
	    T(1, 5));
	check_arrow(f, 1, 1, 0, "480 Nicht verf?gbar \\x1b[2J", "", 1);
	s = draw(f, 60, 0, 0);
	check_fixture(s, "testdata/unit/flow_odd_60.txt");
	CHECK(plain_ascii(s, 0));
	CHECK(strstr(s, "|<-+ REGISTER") != NULL);
	CHECK(max_cols(s) <= 60);
	free(s);
	flow_free(f);

	/* no context at all: direction from the message kind, unknown
	 * endpoints, unknown time */
	f = flow_new(0);
	msg_set_bytes(&M, reg1, strlen(reg1));
	CHECK_INT(sip_parse(&M), 0);
	flow_add(f, &M);
	msg_set_bytes(&M, reg1_401, strlen(reg1_401));
	CHECK_INT(sip_parse(&M), 0);
	flow_add(f, &M);
	/* not SIP at all: drawn as "?" */
	msg_set_bytes(&M, "garbage\n", 8);
	CHECK_INT(sip_parse(&M), -1);
	flow_add(f, &M);
	CHECK_INT(flow_nparties(f), 2);
	check_party(f, 0, "client", "client");
	check_party(f, 1, "unknown", "server");
	check_arrow(f, 0, 0, 1, "REGISTER", "", 0);
	check_arrow(f, 1, 1, 0, "401 Unauthorized", "NTLM, TLS-DSK offered",
		    0);
	check_arrow(f, 2, 0, 1, "?", "", 0);
	/* the client's IP, when it shows up, names it */
	add(f, reg1, DIR_OUT, CLI_LOCAL, "", "", T(1, 0));
	check_party(f, 0, "client 192.168.178.34", "client");
	s = draw(f, 80, 0, 0);
	CHECK(strstr(s, "--:--:--.---  |") != NULL);
	free(s);
	s = draw(f, 80, 0, 1);
	CHECK(strstr(s, "\n?  |") != NULL || strncmp(s, "?", 1) == 0 ||
	      strstr(s, " ?  |") != NULL);
	CHECK(strstr(s, "+0.000  |") != NULL);
	free(s);
	flow_free(f);

	/* nothing added: nothing drawn; NULLs are harmless */
	f = flow_new(0);
	s = draw(f, 80, 0, 0);
	CHECK_INT((int)strlen(s), 0);
	free(s);
	CHECK(flow_party_get(f, 0) == NULL);
	CHECK(flow_arrow_get(f, 0) == NULL);
	flow_add(f, NULL);
	CHECK_INT(flow_narrows(f), 0);
	flow_free(f);
	flow_free(NULL);
}

/* ---- any flow fits any width ------------------------------------- */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_random(void)
{
	static const char *const texts[] = {
		"REGISTER sip:contoso.com SIP/2.0\nCSeq: 1 REGISTER\n\n",
		"SIP/2.0 401 Unauthorized\nCSeq: 1 REGISTER\n"
		"WWW-Authenticate: NTLM realm=\"x\"\n\n",
		"SIP/2.0 403 Forbidden\nCSeq: 1 REGISTER\n"
		"ms-diagnostics: 4003;reason=\"From URI not enabled for "
		"remote access and a long tail to make the note very long "
		"indeed\"\n\n",
		"GET /Autodiscover/AutodiscoverService.svc/root/oauth/user"
		"/with/a/very/long/path/that/will/not/fit/anywhere/at/all "
		"HTTP/1.1\nHost: lyncwebext.contoso.com:4443\n\n",
		"HTTP/1.1 500 Internal Server Error\n\n",
		"SUBSCRIBE sip:a@b SIP/2.0\nCSeq: 1 SUBSCRIBE\n"
		"Event: vnd-microsoft-provisioning-v2\n\n",
	};
	static const char *const servers[] = { "", "", EDGE, FE, "0" };
	static const char *const remotes[] = {
		REG, WEB, CLIENT_PEER, EDGE_PEER, "fe01.contoso.com:5061",
		"10.0.0.1:1", "10.0.0.2:2", "10.0.0.3:3", "[2001:db8::1]:5061",
		"2001:db8::2",
		"a-very-long-host-name-for-a-column.example:443", "",
	};
	size_t nt = sizeof texts / sizeof texts[0];
	size_t ns = sizeof servers / sizeof servers[0];
	size_t nr = sizeof remotes / sizeof remotes[0];
	int bad = 0;

	for (int round = 0; round < 60; round++) {
		struct flow *f = flow_new(1 + rnd() % 40);
		int n = (int)(rnd() % 50);
		for (int i = 0; i < n; i++) {
			/* one call per statement: a fixed sequence */
			const char *text = texts[rnd() % nt];
			enum rec_dir dir = (enum rec_dir)(rnd() % 3);
			const char *remote = remotes[rnd() % nr];
			const char *server = servers[rnd() % ns];
			int64_t ts = T(0, 0) + (int64_t)(rnd() % 100000);
			if (rnd() % 5 == 0)
				ts = SFB_TIME_NONE;
			add(f, text, dir, "192.168.1.40:5000", remote, server,
			    ts);
		}
		CHECK(flow_nparties(f) <= FLOW_MAX_PARTIES);
		for (size_t i = 0; i < flow_narrows(f); i++) {
			const struct flow_arrow *a = flow_arrow_get(f, i);
			if (a->from < 0 || a->to < 0 ||
			    (size_t)a->from >= flow_nparties(f) ||
			    (size_t)a->to >= flow_nparties(f))
				bad++;
		}
		for (int k = 0; k < 6; k++) {
			int w = k == 0 ? 40 : (int)(1 + rnd() % 260);
			int color = (int)(rnd() % 2);
			int rel = (int)(rnd() % 2);
			char *s = draw(f, w, color, rel);
			if (max_cols(s) > w || !plain_ascii(s, color) ||
			    (!color && strchr(s, '\033')))
				bad++;
			if (flow_narrows(f) &&
			    nlines(s) != 2 + (int)flow_narrows(f))
				bad++;
			free(s);
		}
		flow_free(f);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	msg_init(&M);
	test_client_model();
	test_client_draw();
	test_cls();
	test_errors();
	test_http_hosts();
	test_overflow();
	test_limit();
	test_odd();
	test_random();
	msg_free(&M);
	return CHECK_DONE("unit_flow");
}
