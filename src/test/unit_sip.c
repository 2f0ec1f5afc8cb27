/* SPDX-License-Identifier: MIT */
/*
 * unit_sip.c -- unit tests of the SIP/HTTP message parser
 * (parsers/sip.c): start lines, headers (compact, folded, repeated,
 * any case, bad, too many), the parsed fields, ms-diagnostics and auth
 * headers, the Content-Length check, junk input and reuse of one
 * struct msg.  Fixtures: testdata/unit/sip_* (run from the top
 * directory, as `make unit` does).  Every message here is written for
 * the project, in the shape of the samples in FORMATS.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "msg.h"
#include "sip.h"
#include "sv.h"

static int parse(struct msg *m, const char *s)
{
	msg_set_bytes(m, s, strlen(s));
	return sip_parse(m);
}

/* Read a fixture into a malloc'd buffer; NULL (and a failed check) if
 * missing. */
static char *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long sz;
	CHECK(f != NULL);
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)sz + 1);
		if (p && fread(p, 1, (size_t)sz, f) != (size_t)sz) {
			free(p);
			p = NULL;
		}
		*n = (size_t)sz;
	}
	fclose(f);
	CHECK(p != NULL);
	return p;
}

static int parse_file(struct msg *m, const char *path)
{
	size_t n = 0;
	char *p = load(path, &n);
	int rc;
	if (!p)
		return -2;
	msg_set_bytes(m, p, n);
	free(p);
	rc = sip_parse(m);
	return rc;
}

static struct sv pget(const struct msg_param *p, size_t n, const char *k)
{
	const struct sv *v = msg_param_get(p, n, k);
	return v ? *v : sv_cstr("<absent>");
}

/* An auth header's params, parsed on demand into the caller's array. */
struct aps {
	struct msg_param p[SFB_MAX_HPARAMS];
	size_t n;
};

static struct aps aps_of(const struct msg_auth *a)
{
	struct aps x;
	x.n = sip_auth_params(a, x.p, SFB_MAX_HPARAMS);
	return x;
}

static struct sv hget(const struct msg *m, const char *name)
{
	const struct msg_hdr *h = msg_hdr_get(m, name);
	return h ? h->value : sv_cstr("<absent>");
}

static const char register_msg[] =
	"REGISTER sip:contoso.com SIP/2.0\n"
	"Via: SIP/2.0/TLS 192.168.1.40:51234;branch=z9hG4bKreg1\n"
	"Max-Forwards: 70\n"
	"From: <sip:alice@contoso.com>;tag=9a1b2c3d4e;epid=01e2f3a4b5\n"
	"To: <sip:alice@contoso.com>\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 1 REGISTER\n"
	"Contact: <sip:192.168.1.40:51234;transport=tls;ms-opaque=d3470f>"
	";methods=\"INVITE, MESSAGE, INFO, OPTIONS, BYE\";proxy=replace\n"
	"User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 "
	"(Skype for Business)\n"
	"Supported: gruu-10, adhoclist, msrtc-event-categories\n"
	"ms-keep-alive: UAC;hop-hop=yes\n"
	"Event: registration\n"
	"Content-Length: 0\n"
	"\n";

static void test_register(struct msg *m)
{
	CHECK_INT(parse(m, register_msg), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->proto, MSG_SIP);
	CHECK_INT(m->kind, MSG_REQUEST);
	CHECK_SV(m->start_line, "REGISTER sip:contoso.com SIP/2.0");
	CHECK_SV(m->method, "REGISTER");
	CHECK_SV(m->uri, "sip:contoso.com");
	CHECK_SV(m->version, "SIP/2.0");
	CHECK_INT(m->status, 0);
	CHECK_SV(m->call_id, "7f3c2a1b9d8e4f60a1b2c3d4e5f60718");
	CHECK_INT(m->cseq, 1);
	CHECK_SV(m->cseq_method, "REGISTER");
	CHECK_SV(m->from_uri, "sip:alice@contoso.com");
	CHECK_SV(m->from_tag, "9a1b2c3d4e");
	CHECK_SV(m->from_epid, "01e2f3a4b5");
	CHECK_SV(m->from_name, "");
	CHECK_SV(m->to_uri, "sip:alice@contoso.com");
	CHECK_SV(m->to_tag, "");
	CHECK_INT(m->nvia, 1);
	CHECK_SV(m->via_branch, "z9hG4bKreg1");
	CHECK_SV(m->via_branch_last, "z9hG4bKreg1");
	/* the quoted methods list holds commas: still one value */
	CHECK_SV(m->contact, "<sip:192.168.1.40:51234;transport=tls;"
		 "ms-opaque=d3470f>;methods=\"INVITE, MESSAGE, INFO, "
		 "OPTIONS, BYE\";proxy=replace");
	CHECK_SV(m->user_agent, "UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 "
		 "(Skype for Business)");
	CHECK_SV(m->event, "registration");
	CHECK_INT(m->expires, -1);
	CHECK_INT(m->content_length, 0);
	CHECK_INT(m->body.n, 0);
	CHECK_INT(m->nhdrs, 12);
	CHECK_SV(m->hdrs[1].name, "Max-Forwards");
	CHECK_SV(m->hdrs[1].value, "70");
	CHECK_SV(hget(m, "ms-keep-alive"), "UAC;hop-hop=yes");
	CHECK_INT(m->ndiags, 0);
	CHECK_INT(m->nauths, 0);
}

static void test_401(struct msg *m)
{
	const struct msg_auth *a;
	struct aps ap;
	CHECK_INT(parse_file(m, "testdata/unit/sip_401_register.txt"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->kind, MSG_RESPONSE);
	CHECK_INT(m->status, 401);
	CHECK_SV(m->status_reason, "Unauthorized");
	CHECK_SV(m->version, "SIP/2.0");
	CHECK_SV(m->method, "");
	CHECK_SV(m->to_tag, "C0FFEE00112233445566778899AABBCC");
	CHECK_SV(m->server_hdr, "RTC/7.0");
	CHECK_SV(m->cseq_method, "REGISTER");
	CHECK_SV(m->via_branch, "z9hG4bKreg1");
	/* CRLF input: no CR left in any value */
	CHECK_SV(m->hdrs[0].value, "RemoteUser");
	CHECK_INT(m->nauths, 3);
	if (m->nauths != 3)
		return;
	a = &m->auths[0];
	ap = aps_of(a);
	CHECK_INT(a->hdr, MSG_AUTH_WWW);
	CHECK_SV(a->scheme, "NTLM");
	CHECK_INT(ap.n, 3);
	CHECK_SV(ap.p[0].name, "realm");
	CHECK_SV(ap.p[0].value, "SIP Communications Service");
	CHECK_SV(pget(ap.p, ap.n, "TargetName"), "fe01.contoso.com");
	CHECK_SV(pget(ap.p, ap.n, "version"), "4");
	a = &m->auths[1];
	ap = aps_of(a);
	CHECK_SV(a->scheme, "Kerberos");
	CHECK_INT(ap.n, 3);
	CHECK_SV(pget(ap.p, ap.n, "targetname"), "sip/fe01.contoso.com");
	a = &m->auths[2];
	ap = aps_of(a);
	CHECK_SV(a->scheme, "TLS-DSK");
	CHECK_INT(ap.n, 4);
	CHECK_SV(pget(ap.p, ap.n, "sts-uri"),
		 "https://fe01.contoso.com:443/CertProv/"
		 "CertProvisioningService.svc");
	CHECK_SV(pget(ap.p, ap.n, "realm"), "SIP Communications Service");
	CHECK(msg_param_get(ap.p, ap.n, "gssapi-data") == NULL);
}

static const char ok_msg[] =
	"SIP/2.0 200 OK\n"
	"ms-user-logon-data: RemoteUser\n"
	"Authentication-Info: TLS-DSK qop=\"auth\", opaque=\"FA404B9C\", "
	"srand=\"8168D157\", snum=\"38\", "
	"rspauth=\"65d8d93b66e5b217115e3b1636bf433c\", "
	"targetname=\"fe01.contoso.com\", "
	"realm=\"SIP Communications Service\", version=4\n"
	"Via: SIP/2.0/TLS 192.168.1.40:51234;branch=z9hG4bKreg3\n"
	"From: \"Alice Smith\" <sip:alice@contoso.com>;tag=9a1b2c3d4e;"
	"epid=01e2f3a4b5\n"
	"To: <sip:alice@contoso.com>;tag=D00D\n"
	"Call-ID: 7f3c2a1b9d8e4f60a1b2c3d4e5f60718\n"
	"CSeq: 3 REGISTER\n"
	"Contact: <sip:192.168.1.40:51234;transport=tls>;expires=7200\n"
	"Expires: 7200\n"
	"Content-Length: 0\n"
	"\n";

static void test_200(struct msg *m)
{
	const struct msg_auth *a;
	struct aps ap;
	CHECK_INT(parse(m, ok_msg), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->status, 200);
	CHECK_SV(m->status_reason, "OK");
	CHECK_INT(m->cseq, 3);
	CHECK_INT(m->expires, 7200);
	CHECK_SV(m->from_name, "Alice Smith");
	CHECK_SV(m->from_uri, "sip:alice@contoso.com");
	CHECK_SV(m->to_tag, "D00D");
	CHECK_INT(m->nauths, 1);
	if (m->nauths != 1)
		return;
	a = &m->auths[0];
	ap = aps_of(a);
	CHECK_INT(a->hdr, MSG_AUTH_INFO);
	CHECK_SV(a->scheme, "TLS-DSK");
	CHECK_INT(ap.n, 8);
	CHECK_SV(pget(ap.p, ap.n, "qop"), "auth");
	CHECK_SV(pget(ap.p, ap.n, "snum"), "38");
	CHECK_SV(pget(ap.p, ap.n, "rspauth"),
		 "65d8d93b66e5b217115e3b1636bf433c");
	CHECK_SV(ap.p[7].name, "version");
	CHECK_SV(ap.p[7].value, "4");
}

static void test_301(struct msg *m)
{
	CHECK_INT(parse(m,
		"SIP/2.0 301 Redirect request to Home Server\n"
		"Contact: <sip:pool2.contoso.com:5061;transport=tls>\n"
		"Via: SIP/2.0/TLS 192.168.1.40:51234;branch=z9hG4bKreg2\n"
		"CSeq: 2 REGISTER\n"
		"Content-Length: 0\n"
		"\n"), 0);
	CHECK_INT(m->status, 301);
	CHECK_SV(m->status_reason, "Redirect request to Home Server");
	CHECK_SV(m->contact, "<sip:pool2.contoso.com:5061;transport=tls>");
	/* several values: the first one, quotes and <> respected */
	CHECK_INT(parse(m,
		"SIP/2.0 302 Moved Temporarily\n"
		"Contact: \"Pool, Two\" <sip:a,b@x;y=1>;q=0.5, <sip:c@d>\n"
		"Contact: <sip:e@f>\n"
		"\n"), 0);
	CHECK_SV(m->contact, "\"Pool, Two\" <sip:a,b@x;y=1>;q=0.5");
}

static void test_403(struct msg *m)
{
	const struct msg_diag *d;
	CHECK_INT(parse(m,
		"SIP/2.0 403 Forbidden\n"
		"ms-diagnostics: 4003;reason=\"From URI not enabled for "
		"remote access\";source=\"edge01.contoso.com\"\n"
		"ms-diagnostics-public: 4003.7;reason=\"Not enabled\";"
		"appName=UserServices\n"
		"ms-client-diagnostics: 52001; reason=\"Client side general "
		"processing error.\"\n"
		"Content-Length: 0\n"
		"\n"), 0);
	CHECK_INT(m->ndiags, 3);
	if (m->ndiags != 3)
		return;
	d = &m->diags[0];
	CHECK_INT(d->hdr, MSG_DIAG_MS);
	CHECK_INT(d->code, 4003);
	CHECK_INT(d->sub, -1);
	CHECK_SV(d->reason, "From URI not enabled for remote access");
	CHECK_SV(d->source, "edge01.contoso.com");
	CHECK_INT(d->nparams, 2);
	CHECK_SV(d->params[0].name, "reason");
	CHECK_SV(d->params[1].name, "source");
	CHECK_SV(d->raw, "4003;reason=\"From URI not enabled for remote "
		 "access\";source=\"edge01.contoso.com\"");
	d = &m->diags[1];
	CHECK_INT(d->hdr, MSG_DIAG_MS_PUBLIC);
	CHECK_INT(d->code, 4003);
	CHECK_INT(d->sub, 7);
	CHECK_SV(d->source, "");
	CHECK_SV(pget(d->params, d->nparams, "appname"), "UserServices");
	d = &m->diags[2];
	CHECK_INT(d->hdr, MSG_DIAG_MS_CLIENT);
	CHECK_INT(d->code, 52001);
	CHECK_SV(d->reason, "Client side general processing error.");
}

/* The two shapes of an Edge's 504 (stray spaces, source last). */
static void test_504(struct msg *m)
{
	const struct msg_diag *d;
	CHECK_INT(parse(m,
		"SIP/2.0 504 Server time-out\n"
		"Authentication-Info: TLS-DSK qop=\"auth\", opaque=\"1A2B\", "
		"srand=\"0C0D0E0F\", snum=\"12\", rspauth=\"ab12\", "
		"targetname=\"fe01.contoso.com\", "
		"realm=\"SIP Communications Service\", version=4\n"
		"From: \"Bob Jones\"<sip:bob@contoso.com>;tag=77aa;"
		"epid=88bb\n"
		"To: <sip:meet@partner.example>;tag=99CC\n"
		"Call-ID: 5e38e39898cf40188170f0d70644a87b\n"
		"CSeq: 1 INVITE\n"
		"Via: SIP/2.0/TLS 10.1.2.3:62937;ms-received-port=62937\n"
		"ms-diagnostics: 1009; reason =\"No match for domain in DNS "
		"SRV results\"; domain =\" partner.example \"; fqdn1 =\" "
		"sip.sub.partner.example :5061\";source=\"sip.contoso.com\"\n"
		"ms-diagnostics: 1010; reason =\"Certificate trust with "
		"another server could not be established\";ErrorType=\"The "
		"peer certificate does not contain a matching FQDN\"; "
		"tls-target =\" sip.partner.example \"; PeerServer =\" "
		"edge.partner.example \";"
		"HRESULT=\"0x80090322(SEC_E_WRONG_PRINCIPAL)\";"
		"source=\"sip.contoso.com\"\n"
		"Server: RTC/6.0\n"
		"Content-Length: 0\n"
		"\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->status, 504);
	CHECK_SV(m->from_name, "Bob Jones");
	CHECK_SV(m->from_uri, "sip:bob@contoso.com");
	CHECK_SV(m->from_epid, "88bb");
	CHECK_INT(m->nvia, 1);
	CHECK_SV(m->via_branch, "");
	CHECK_INT(m->nauths, 1);
	CHECK_INT(m->ndiags, 2);
	if (m->ndiags != 2)
		return;
	d = &m->diags[0];
	CHECK_INT(d->code, 1009);
	CHECK_SV(d->reason, "No match for domain in DNS SRV results");
	CHECK_SV(d->source, "sip.contoso.com");
	CHECK_INT(d->nparams, 4);
	CHECK_SV(d->params[1].name, "domain");
	CHECK_SV(d->params[1].value, "partner.example");
	CHECK_SV(pget(d->params, d->nparams, "fqdn1"),
		 "sip.sub.partner.example :5061");
	d = &m->diags[1];
	CHECK_INT(d->code, 1010);
	CHECK_INT(d->nparams, 6);
	CHECK_SV(d->reason, "Certificate trust with another server could "
		 "not be established");
	CHECK_SV(pget(d->params, d->nparams, "errortype"),
		 "The peer certificate does not contain a matching FQDN");
	CHECK_SV(pget(d->params, d->nparams, "tls-target"),
		 "sip.partner.example");
	CHECK_SV(pget(d->params, d->nparams, "PeerServer"),
		 "edge.partner.example");
	CHECK_SV(pget(d->params, d->nparams, "hresult"),
		 "0x80090322(SEC_E_WRONG_PRINCIPAL)");
	CHECK_SV(d->params[5].name, "source");
	/* the auth params are parsed apart from the diag params' pool */
	CHECK_INT(m->nparams, 10);
	CHECK_SV(pget(aps_of(&m->auths[0]).p, aps_of(&m->auths[0]).n,
		      "snum"), "12");
}

static void test_subscribe(struct msg *m)
{
	CHECK_INT(parse_file(m, "testdata/unit/sip_subscribe_lf.txt"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_SV(m->method, "SUBSCRIBE");
	CHECK_SV(m->event, "presence");
	CHECK_SV(m->content_type, "application/msrtc-adrl-categorylist+xml");
	CHECK_INT(m->content_length, 472);
	CHECK_INT(m->body.n, 459);   /* 12 lines, 11 LF, no final line end */
	CHECK(sv_starts(m->body, "<batchSub xmlns="));
	CHECK(m->body.n > 0 && m->body.p[m->body.n - 1] == '>');
	CHECK_INT(m->nhdrs, 17);
	/* the same message with every CRLF kept */
	CHECK_INT(parse_file(m, "testdata/unit/sip_subscribe_crlf.txt"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->content_length, 472);
	CHECK_INT(m->body.n, 472);
	CHECK_SV(m->hdrs[16].value, "472");
	/* a body as a log gives it, CL counting the lost CRs exactly */
	CHECK_INT(parse(m,
		"NOTIFY sip:a@b SIP/2.0\n"
		"Event: vnd-microsoft-provisioning-v2\n"
		"Content-Length: 19\n"
		"\n"
		"<a>\n"
		"  <b/>\n"
		"</a>\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_SV(m->body, "<a>\n  <b/>\n</a>\n");
	/* 2 bytes short (final CRLF lost) and 1 byte short: fine */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 5\n\nabc"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 4\n\nabc"), 0);
	CHECK_INT(m->flags, 0);
	/* the log added line ends after the body: fine */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 3\n\nabc\n\n"),
		  0);
	CHECK_INT(m->flags, 0);
}

static void test_http(struct msg *m)
{
	const struct msg_diag *d;
	const struct msg_auth *a;
	CHECK_INT(parse(m,
		"GET /Autodiscover/AutodiscoverService.svc/root?"
		"sipuri=alice@contoso.com HTTP/1.1\r\n"
		"Host: lyncdiscover.contoso.com\r\n"
		"Accept: application/vnd.microsoft.rtc.autodiscover+xml;"
		"v=1\r\n"
		"User-Agent: Microsoft Lync/16.0\r\n"
		"\r\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->proto, MSG_HTTP);
	CHECK_INT(m->kind, MSG_REQUEST);
	CHECK_SV(m->method, "GET");
	CHECK_SV(m->uri, "/Autodiscover/AutodiscoverService.svc/root?"
		 "sipuri=alice@contoso.com");
	CHECK_SV(m->version, "HTTP/1.1");
	CHECK_SV(m->host, "lyncdiscover.contoso.com");
	CHECK_SV(m->user_agent, "Microsoft Lync/16.0");
	CHECK_INT(m->content_length, -1);

	CHECK_INT(parse(m,
		"HTTP/1.1 401 Unauthorized\n"
		"Content-Type: text/html\n"
		"Server: Microsoft-IIS/10.0\n"
		"WWW-Authenticate: MsRtcOAuth href=https://fe01.contoso.com/"
		"WebTicket/oauthtoken,grant_type=\"urn:microsoft.rtc:windows,"
		"urn:microsoft.rtc:anonmeeting,password\"\n"
		"WWW-Authenticate: Negotiate\n"
		"WWW-Authenticate: NTLM\n"
		"x-ms-DIAGNOSTICS: 28032;source=\"fe01.contoso.com\";"
		"reason=\"The web ticket is invalid.\";"
		"faultcode=\"wsse:InvalidSecurityToken\"\n"
		"l: 99\n"
		"Content-Length: 5\n"
		"\n"
		"denied"), 0);
	/* "denied" is 6 bytes for CL 5: below the tolerated range */
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(m->proto, MSG_HTTP);
	CHECK_INT(m->status, 401);
	CHECK_SV(m->version, "HTTP/1.1");
	CHECK_SV(m->server_hdr, "Microsoft-IIS/10.0");
	/* no compact forms in HTTP: "l" is not Content-Length */
	CHECK_INT(m->content_length, 5);
	CHECK_SV(hget(m, "Content-Length"), "5");
	CHECK_INT(m->ndiags, 1);
	if (m->ndiags == 1) {
		d = &m->diags[0];
		CHECK_INT(d->hdr, MSG_DIAG_X_MS);
		CHECK_INT(d->code, 28032);
		CHECK_SV(d->reason, "The web ticket is invalid.");
		CHECK_SV(d->source, "fe01.contoso.com");
		CHECK_SV(pget(d->params, d->nparams, "faultcode"),
			 "wsse:InvalidSecurityToken");
		CHECK_INT(d->nparams, 3);
	}
	CHECK_INT(m->nauths, 3);
	if (m->nauths == 3) {
		struct aps ap = aps_of(&m->auths[0]);
		a = &m->auths[0];
		CHECK_SV(a->scheme, "MsRtcOAuth");
		CHECK_INT(ap.n, 2);
		CHECK_SV(pget(ap.p, ap.n, "href"),
			 "https://fe01.contoso.com/WebTicket/oauthtoken");
		CHECK_SV(pget(ap.p, ap.n, "grant_type"),
			 "urn:microsoft.rtc:windows,"
			 "urn:microsoft.rtc:anonmeeting,password");
		CHECK_SV(m->auths[1].scheme, "Negotiate");
		CHECK_INT(aps_of(&m->auths[1]).n, 0);
		CHECK_SV(m->auths[2].scheme, "NTLM");
	}

	CHECK_INT(parse(m,
		"HTTP/1.1 500 Internal Server Error\n"
		"Content-Type: text/plain\n"
		"X-Ms-diagnostics: 28072;source=\"fe01.contoso.com\";"
		"reason=\"The ticket presented could not be verified\"\n"
		"Content-Length: 12\n"
		"\n"
		"server error"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->status, 500);
	CHECK_SV(m->status_reason, "Internal Server Error");
	CHECK_SV(m->body, "server error");
	CHECK_INT(m->ndiags, 1);
	CHECK_INT(m->ndiags ? m->diags[0].code : 0, 28072);
	/* HTTP/1.0 and a response without a reason phrase */
	CHECK_INT(parse(m, "HTTP/1.0 204\n\n"), 0);
	CHECK_INT(m->status, 204);
	CHECK_SV(m->status_reason, "");
}

static void test_auth_shapes(struct msg *m)
{
	const struct msg_auth *a;
	struct aps ap;
	CHECK_INT(parse(m,
		"REGISTER sip:contoso.com SIP/2.0\n"
		"Authorization: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBna==\n"
		"Proxy-Authorization: NTLM qop=\"auth\", realm=\"SIP "
		"Communications Service\", opaque=\"A1B2\", "
		"targetname=\"fe01.contoso.com\", "
		"gssapi-data=\"TlRMTVNTUAADAA==\", version=4, crand=\"5dd9\", "
		"cnum=\"1\", response=\"0100abcd\"\n"
		"Proxy-Authenticate: Kerberos realm=\"X\"\n"
		"Proxy-Authentication-Info: Kerberos rspauth=\"ff\"\n"
		"Authentication-Info: nextnonce=\"47364c23432d2e131a5f\""
		", qop=auth\n"
		"WWW-Authenticate: Digest realm=\"a, b\" , nonce=x,,stale\n"
		"\n"), 0);
	CHECK_INT(m->nauths, 6);
	if (m->nauths != 6)
		return;
	a = &m->auths[0];
	ap = aps_of(a);
	CHECK_INT(a->hdr, MSG_AUTH_AUTHORIZATION);
	CHECK_SV(a->scheme, "Negotiate");
	CHECK_INT(ap.n, 1);
	CHECK_SV(ap.p[0].name, "YIIGhgYGKwYBBQUCoIIGejCCBna==");
	CHECK_INT(ap.p[0].value.n, 0);
	a = &m->auths[1];
	ap = aps_of(a);
	CHECK_INT(a->hdr, MSG_AUTH_PROXY_AUTHORIZATION);
	CHECK_INT(ap.n, 9);
	CHECK_SV(pget(ap.p, ap.n, "gssapi-data"), "TlRMTVNTUAADAA==");
	CHECK_SV(pget(ap.p, ap.n, "cnum"), "1");
	CHECK_SV(pget(ap.p, ap.n, "response"), "0100abcd");
	CHECK_INT(m->auths[2].hdr, MSG_AUTH_PROXY_AUTHENTICATE);
	CHECK_INT(m->auths[3].hdr, MSG_AUTH_PROXY_INFO);
	a = &m->auths[4];
	ap = aps_of(a);
	CHECK_INT(a->hdr, MSG_AUTH_INFO);
	CHECK_SV(a->scheme, "");        /* Digest style: no scheme */
	CHECK_INT(ap.n, 2);
	CHECK_SV(pget(ap.p, ap.n, "qop"), "auth");
	a = &m->auths[5];
	ap = aps_of(a);
	CHECK_SV(a->scheme, "Digest");
	CHECK_INT(ap.n, 3);
	CHECK_SV(pget(ap.p, ap.n, "realm"), "a, b");
	CHECK_SV(pget(ap.p, ap.n, "nonce"), "x");
	CHECK_SV(ap.p[2].name, "stale");
}

static void test_compact(struct msg *m)
{
	CHECK_INT(parse(m,
		"INVITE sip:bob@contoso.com SIP/2.0\n"
		"v: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKc1\n"
		"f: \"Alice\" <sip:alice@contoso.com>;tag=abc;epid=e1\n"
		"t: <sip:bob@contoso.com>\n"
		"i: callid-compact-1\n"
		"m: <sip:alice@10.0.0.1:5061;transport=tls>\n"
		"c: text/plain\n"
		"o: presence\n"
		"k: timer\n"
		"e: gzip\n"
		"l: 4\n"
		"\n"
		"body"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_SV(m->via_branch, "z9hG4bKc1");
	CHECK_SV(m->from_name, "Alice");
	CHECK_SV(m->from_tag, "abc");
	CHECK_SV(m->from_epid, "e1");
	CHECK_SV(m->to_uri, "sip:bob@contoso.com");
	CHECK_SV(m->call_id, "callid-compact-1");
	CHECK_SV(m->contact, "<sip:alice@10.0.0.1:5061;transport=tls>");
	CHECK_SV(m->content_type, "text/plain");
	CHECK_SV(m->event, "presence");
	CHECK_INT(m->content_length, 4);
	CHECK_SV(m->body, "body");
	/* names as logged; lookups by the long name find them */
	CHECK_SV(m->hdrs[3].name, "i");
	CHECK_SV(hget(m, "Call-ID"), "callid-compact-1");
	CHECK_SV(hget(m, "supported"), "timer");
	CHECK_SV(hget(m, "Content-Encoding"), "gzip");
	CHECK_SV(hget(m, "I"), "callid-compact-1");
	CHECK_SV(hget(m, "Subject"), "<absent>");
}

static void test_folded(struct msg *m)
{
	CHECK_INT(parse(m,
		"SIP/2.0 404 Not Found\n"
		"Subject: part one\n"
		"  part two\n"
		"\tpart three  \n"
		"From: <sip:a@contoso.com>;\n"
		" tag=xyz\n"
		"ms-diagnostics: 1003;reason=\"User does\n"
		" not exist\";source=\"fe01.contoso.com\"\n"
		"X-Empty:\n"
		" later\n"
		"Via: SIP/2.0/TLS 1.1.1.1:1;branch=z9hG4bKa,\n"
		"  SIP/2.0/TLS 2.2.2.2:2;branch=z9hG4bKb\n"
		"Content-Length: 0\n"
		"\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nhdrs, 6);
	CHECK_SV(hget(m, "subject"), "part one part two part three");
	CHECK_SV(m->from_tag, "xyz");
	CHECK_SV(hget(m, "X-Empty"), "later");
	CHECK_INT(m->ndiags, 1);
	CHECK_SV(m->ndiags ? m->diags[0].reason : SV_NULL,
		 "User does not exist");
	CHECK_INT(m->nvia, 2);
	CHECK_SV(m->via_branch, "z9hG4bKa");
	CHECK_SV(m->via_branch_last, "z9hG4bKb");
	/* the first header indented by the log is still a header */
	CHECK_INT(parse(m,
		"SIP/2.0 500 Server Internal Error\n"
		" Call-ID: fd8c35c4\n"
		" CSeq: 1 INVITE\n"
		"\n"), 0);
	CHECK_SV(m->call_id, "fd8c35c4 CSeq: 1 INVITE");
}

static void test_repeated_and_case(struct msg *m)
{
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"cAlL-iD: first-call\n"
		"CALL-ID: second-call\n"
		"CSEQ: 42 SERVICE\n"
		"supported: a\n"
		"Supported: b\n"
		"FROM: <sip:x@y>;TAG=t1;Tag=t2\n"
		"VIA: SIP/2.0/TLS h:1;BRANCH=z9hG4bKup\n"
		"CONTENT-LENGTH: 0\n"
		"content-length: 9\n"
		"MS-Diagnostics: 1;reason=\"Service unavailable\"\n"
		"expires: 60\n"
		"Expires: 90\n"
		"\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nhdrs, 12);
	CHECK_SV(m->call_id, "first-call");
	CHECK_SV(hget(m, "call-id"), "first-call");
	CHECK_SV(m->hdrs[1].value, "second-call");
	CHECK_INT(m->cseq, 42);
	CHECK_SV(m->cseq_method, "SERVICE");
	CHECK_SV(hget(m, "SUPPORTED"), "a");
	CHECK_SV(m->hdrs[4].value, "b");
	CHECK_SV(m->from_tag, "t1");
	CHECK_SV(m->via_branch, "z9hG4bKup");
	CHECK_INT(m->content_length, 0);
	CHECK_INT(m->expires, 60);
	CHECK_INT(m->ndiags, 1);
	CHECK_INT(m->ndiags ? m->diags[0].code : 99, 1);
}

static void test_via(struct msg *m)
{
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKtop;"
		"ms-internal-info=\"a,b\"\n"
		"Via: SIP/2.0/TLS 192.168.1.40:51234;branch=z9hG4bKorig;"
		"received=203.0.113.9\n"
		"\n"), 0);
	CHECK_INT(m->nvia, 2);
	CHECK_SV(m->via_branch, "z9hG4bKtop");
	CHECK_SV(m->via_branch_last, "z9hG4bKorig");
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/TLS a:1;branch=z9hG4bK1 , "
		"SIP/2.0/TLS b:2;branch=z9hG4bK2,\n"
		"Via: SIP/2.0/TLS c:3;received=1.2.3.4;branch=z9hG4bK3\n"
		"\n"), 0);
	CHECK_INT(m->nvia, 3);
	CHECK_SV(m->via_branch, "z9hG4bK1");
	CHECK_SV(m->via_branch_last, "z9hG4bK3");
	/* the bottom hop without a branch: empty, not the one above */
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"v: SIP/2.0/TLS a:1;branch=z9hG4bKx, SIP/2.0/TLS b:2\n"
		"\n"), 0);
	CHECK_INT(m->nvia, 2);
	CHECK_SV(m->via_branch, "z9hG4bKx");
	CHECK_SV(m->via_branch_last, "");
}

static void test_bad_headers(struct msg *m)
{
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"Call-ID: c1\n"
		"this line has no colon\n"
		" and its continuation\n"
		": no name\n"
		"Bad Name: spaces in the name\n"
		"CSeq: 7 OPTIONS\n"
		"\n"), 0);
	CHECK_INT(m->flags, MSG_F_BAD_HEADER);
	CHECK_INT(m->nhdrs, 2);
	CHECK_SV(m->call_id, "c1");
	CHECK_INT(m->cseq, 7);

	/*
	 * No blank line: every line is a header, no body.  Format parsers
	 * drop trailing blank lines, so without a body that is the normal
	 * shape; flagged only when Content-Length announces a body.
	 */
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"Call-ID: c2\n"
		"Content-Length: 0"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nhdrs, 2);
	CHECK_INT(m->body.n, 0);
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"Call-ID: c2\n"
		"Content-Type: text/plain\n"
		"Content-Length: 2\n"
		"X-Looks-Like: a header"), 0);
	CHECK_INT(m->flags, MSG_F_NO_BLANK);      /* 2 <= 0 + 2: no mismatch */
	CHECK_INT(m->nhdrs, 4);
	CHECK_INT(m->body.n, 0);
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\n"
		"Call-ID: c3\n"
		"Content-Length: 4\n"
		"<xml>"), 0);
	CHECK_INT(m->flags, MSG_F_NO_BLANK | MSG_F_BAD_HEADER |
		  MSG_F_CL_MISMATCH);

	/* a blank line made of spaces (and a lone CR) ends the headers */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\r\nA: 1\r\n \t\r\nbody"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_SV(m->body, "body");

	/* a NUL byte inside a header is just a byte */
	static const char nul[] =
		"SIP/2.0 200 OK\nX-Nul: a\0b\nCall-ID: c\0d\nCSeq: 5 BYE\n\n";
	msg_set_bytes(m, nul, sizeof nul - 1);
	CHECK_INT(sip_parse(m), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nhdrs, 3);
	CHECK_INT(m->hdrs[0].value.n, 3);
	CHECK(m->hdrs[0].value.n == 3 && m->hdrs[0].value.p[1] == '\0');
	CHECK_INT(m->call_id.n, 3);
	CHECK_INT(m->cseq, 5);

	/*
	 * Plain "Name: value" lines take a one-pass path, the others the
	 * general one: both give the same headers.
	 */
	CHECK_INT(parse(m,
		"SIP/2.0 200 OK\r\n"
		"A:1\r\n"
		"B:  two words \t\r\n"
		"C:\r\n"
		"D : spaced\r\n"
		"E\rF: cr in the name\r\n"
		"G: folded\r\n"
		"  on\r\n"
		"Call-ID:x\r\n"
		"\r\n"
		"body"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nhdrs, 7);
	CHECK_SV(m->hdrs[0].name, "A");
	CHECK_SV(m->hdrs[0].value, "1");
	CHECK_SV(m->hdrs[1].value, "two words");
	CHECK_SV(m->hdrs[2].name, "C");
	CHECK_SV(m->hdrs[2].value, "");
	CHECK_SV(m->hdrs[3].name, "D");
	CHECK_SV(m->hdrs[3].value, "spaced");
	CHECK_SV(m->hdrs[4].name, "E\rF");
	CHECK_SV(m->hdrs[4].value, "cr in the name");
	CHECK_SV(m->hdrs[5].value, "folded on");
	CHECK_SV(m->call_id, "x");
	CHECK_SV(m->body, "body");
}

static void test_content_length(struct msg *m)
{
	static const char *bad[] = { "-5", "2000000000", "12abc", "",
				     "0x10", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128];
		snprintf(text, sizeof text,
			 "SIP/2.0 200 OK\nContent-Length: %s\n\nxyz", bad[i]);
		CHECK_INT(parse(m, text), 0);
		CHECK_INT(m->flags, MSG_F_CL_INVALID);
		CHECK_INT(m->content_length, -1);
	}
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 1073741824\n\n"), 0);
	CHECK_INT(m->content_length, 1073741824);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 1073741825\n\n"), 0);
	CHECK_INT(m->flags, MSG_F_CL_INVALID);
	/* leading zeros are digits too, however many */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 0000000000000000000000003"
			"\n\nabc"), 0);
	CHECK_INT(m->content_length, 3);
	CHECK_INT(m->flags, 0);

	/* Expires: any number up to INT64_MAX, else none */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nExpires: 9223372036854775807"
			"\n\n"), 0);
	CHECK(m->expires == INT64_MAX);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nExpires: 9223372036854775808"
			"\n\n"), 0);
	CHECK_INT(m->expires, -1);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nExpires: 007\n\n"), 0);
	CHECK_INT(m->expires, 7);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nExpires: 7s\n\n"), 0);
	CHECK_INT(m->expires, -1);

	/* mismatch: too long and too short */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 100\n\nshort"),
		  0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 9\n\nab\ncd"),
		  0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);  /* wire 6, +2 at most */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 8\n\nab\ncd"),
		  0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 2\n\nab\ncd"),
		  0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 6\n\nab\ncd"),
		  0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nContent-Length: 0\n\n"), 0);
	CHECK_INT(m->flags, 0);
	/* trailing line ends: wire "ab\r\ncd" 6 to body 10, +2 */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 12\n\nab\r\ncd\r\n\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 13\n\nab\r\ncd\r\n\n"), 0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 6\n\nab\r\ncd\r\n\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 5\n\nab\r\ncd\r\n\n"), 0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 8\n\nab\n\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 9\n\nab\n\n"), 0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 4\n\n\r\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nl: 5\n\n\r\n"), 0);
	CHECK_INT(m->flags, MSG_F_CL_MISMATCH);

	/* a block cut by the log: no mismatch, TRUNCATED kept */
	struct fmt_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.type = REC_MSG;
	rec.text = sv_cstr("SIP/2.0 200 OK\nContent-Length: 100\n\nshort");
	rec.truncated = 1;
	rec.declared_len = -1;
	msg_set(m, &rec, "x.log");
	CHECK_INT(sip_parse(m), 0);
	CHECK_INT(m->flags, MSG_F_TRUNCATED);
	CHECK_INT(m->content_length, 100);
}

static void test_bad_start(struct msg *m)
{
	static const char *bad[] = {
		"", "\n\n", "   \r\n", "Hello world", "SIP/2.0 OK",
		"SIP/2.0 99 Low", "SIP/2.0 2000 OK", "SIP/2.0 200OK",
		"SIP/2.0", "REGISTER sip:x SIP/3", "REGISTER SIP/2.0",
		"GET /x HTTP/x.y", "GET /x HTTP/1.", "HTTP/1.1 abc",
		"RE(GISTER sip:x SIP/2.0", "SIPX/2.0 200 OK",
		"Via: SIP/2.0/TLS 1.2.3.4\nCall-ID: x\n\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_INT(parse(m, bad[i]), -1);
		CHECK_INT(m->flags, MSG_F_BAD_START);
		CHECK_INT(m->proto, MSG_PROTO_UNKNOWN);
		CHECK_INT(m->nhdrs, 0);
		CHECK_INT(m->start_line.n, 0);
	}
	/* binary junk */
	unsigned char junk[300];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 37u + 11u);
	msg_set_bytes(m, (const char *)junk, sizeof junk);
	CHECK_INT(sip_parse(m), -1);
	CHECK_INT(m->flags, MSG_F_BAD_START);
	CHECK_INT(m->nhdrs, 0);
	/* a never-set message */
	struct msg fresh;
	msg_init(&fresh);
	CHECK_INT(sip_parse(&fresh), -1);
	msg_free(&fresh);

	/* versions other than the usual spellings take the full check */
	CHECK_INT(parse(m, "sip/2.0 200 OK"), 0);
	CHECK_INT(m->proto, MSG_SIP);
	CHECK_INT(m->status, 200);
	CHECK_INT(parse(m, "HTTP/2 404 Not Found"), 0);
	CHECK_INT(m->proto, MSG_HTTP);
	CHECK_INT(m->status, 404);
	CHECK_INT(parse(m, "GET / http/1.0"), 0);
	CHECK_INT(m->proto, MSG_HTTP);
	CHECK_INT(parse(m, "SIP/2.0 7xx Odd"), -1);

	/* a start line only: a message without headers or body */
	CHECK_INT(parse(m, "SIP/2.0 180 Ringing"), 0);
	CHECK_INT(m->flags, 0);
	CHECK(m->body.p == NULL);
	CHECK_INT(m->status, 180);
	CHECK_SV(m->status_reason, "Ringing");
	CHECK_INT(m->nhdrs, 0);
	/* a final line end: the empty last line is the blank line */
	CHECK_INT(parse(m, "\n\nOPTIONS sip:fe01.contoso.com SIP/2.0\n"),
		  0);
	CHECK_INT(m->flags, 0);
	CHECK_SV(m->method, "OPTIONS");
	CHECK_SV(m->uri, "sip:fe01.contoso.com");
}

static void test_limits(struct msg *m)
{
	size_t cap = 64 * (SFB_MAX_HDRS + 20) + 4096, n = 0;
	char *t = malloc(cap);
	CHECK(t != NULL);
	if (!t)
		return;
	n += (size_t)snprintf(t + n, cap - n, "SIP/2.0 200 OK\n");
	for (unsigned i = 0; i < SFB_MAX_HDRS + 10; i++)
		n += (size_t)snprintf(t + n, cap - n, "X-H%u: %u\n", i, i);
	n += (size_t)snprintf(t + n, cap - n, "Call-ID: late\n\nbody");
	CHECK_INT(parse(m, t), 0);
	CHECK_INT(m->flags, MSG_F_LIMIT);
	CHECK_INT(m->nhdrs, SFB_MAX_HDRS);
	CHECK_SV(m->call_id, "");       /* dropped: past the cap */
	CHECK_SV(m->body, "body");

	/* params per diag capped */
	n = (size_t)snprintf(t, cap, "SIP/2.0 500 x\nms-diagnostics: 1");
	for (unsigned i = 0; i < SFB_MAX_HPARAMS + 5; i++)
		n += (size_t)snprintf(t + n, cap - n, ";p%u=%u", i, i);
	snprintf(t + n, cap - n, "\n\n");
	CHECK_INT(parse(m, t), 0);
	CHECK_INT(m->flags, MSG_F_LIMIT);
	CHECK_INT(m->ndiags, 1);
	CHECK_INT(m->ndiags ? m->diags[0].nparams : 0, SFB_MAX_HPARAMS);

	/* many diags and auths: the param pool moves while it grows */
	n = (size_t)snprintf(t, cap, "SIP/2.0 401 x\n");
	for (unsigned i = 0; i < 20; i++)
		n += (size_t)snprintf(t + n, cap - n,
			"WWW-Authenticate: NTLM id=\"a%u\", b=1, c=2\n"
			"ms-diagnostics: %u;id=\"d%u\";reason=\"r%u\"\n",
			i, 1000 + i, i, i);
	snprintf(t + n, cap - n, "\n");
	CHECK_INT(parse(m, t), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->ndiags, 20);
	CHECK_INT(m->nauths, 20);
	CHECK_INT(m->nparams, 20 * 2);      /* auth params: on demand */
	int good = m->ndiags == 20 && m->nauths == 20;
	for (unsigned i = 0; good && i < 20; i++) {
		char want[16];
		const struct msg_diag *d = &m->diags[i];
		const struct msg_auth *a = &m->auths[i];
		snprintf(want, sizeof want, "d%u", i);
		good &= d->code == 1000 + i &&
			sv_eq(pget(d->params, d->nparams, "id"),
			      sv_cstr(want));
		snprintf(want, sizeof want, "r%u", i);
		good &= sv_eq(d->reason, sv_cstr(want));
		snprintf(want, sizeof want, "a%u", i);
		struct aps ap = aps_of(a);
		good &= ap.n == 3 && sv_eq(ap.p[0].value, sv_cstr(want));
	}
	CHECK(good);
	free(t);
}

static void test_diag_edge(struct msg *m)
{
	CHECK_INT(parse(m,
		"SIP/2.0 480 Temporarily Unavailable\n"
		"ms-diagnostics: abc;reason=\"not a number\"\n"
		"ms-diagnostics: 12x;reason=\"junk after the id\"\n"
		"ms-diagnostics: 4005\n"
		"ms-diagnostics: 15000;reason=\"a;b,c\";appName=ExumRouting;"
		"flag\n"
		"ms-diagnostics: 99999999999;reason=\"too big\"\n"
		"ms-diagnostics: 2139 ; reason=\"spaced\"\n"
		"ms-diagnostics: 7;reason=\"say \\\"hi\\\"; bye\";x=1\n"
		"\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nhdrs, 7);
	CHECK_INT(m->ndiags, 4);
	if (m->ndiags != 4)
		return;
	/* an escaped quote does not end the value; escapes kept */
	CHECK_SV(m->diags[3].reason, "say \\\"hi\\\"; bye");
	CHECK_INT(m->diags[3].nparams, 2);
	CHECK_INT(m->diags[0].code, 4005);
	CHECK_INT(m->diags[0].nparams, 0);
	CHECK(m->diags[0].params == NULL);
	CHECK_SV(m->diags[0].reason, "");
	CHECK_INT(m->diags[1].code, 15000);
	CHECK_SV(m->diags[1].reason, "a;b,c");
	CHECK_INT(m->diags[1].nparams, 3);
	CHECK_SV(pget(m->diags[1].params, 3, "appName"), "ExumRouting");
	CHECK_SV(m->diags[1].params[2].name, "flag");
	CHECK_INT(m->diags[1].params[2].value.n, 0);
	CHECK_INT(m->diags[2].code, 2139);
	CHECK_SV(m->diags[2].reason, "spaced");
}

/* A lookup through sip_auth_param(): "<absent>" when not found. */
static struct sv aget(const struct msg_auth *a, const char *name)
{
	struct sv v;
	return sip_auth_param(a, name, &v) ? v : sv_cstr("<absent>");
}

/*
 * The auth params are parsed on each access from the header's value:
 * present, absent, empty, malformed, several headers, repeated access,
 * the params limit.
 */
static void test_auth_lazy(struct msg *m)
{
	const struct msg_auth *a;
	struct aps ap;
	CHECK_INT(parse(m,
		"SIP/2.0 401 Unauthorized\n"
		"WWW-Authenticate: NTLM realm=\"SIP Communications Service\", "
		"targetname=\"fe01.contoso.com\", version=4\n"
		"Call-ID: c1\n"
		"WWW-Authenticate: Kerberos realm=\"K\", opaque=, "
		"targetname=\"sip/fe01.contoso.com\", targetname=\"second\"\n"
		"WWW-Authenticate: TLS-DSK\n"
		"WWW-Authenticate: NTLM realm=\"unterminated, version=3\n"
		"WWW-Authenticate: NTLM ,, =x, \"q\"=1 , flag ,\n"
		"\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nauths, 5);
	if (m->nauths != 5)
		return;
	a = &m->auths[0];
	/* present (any case), absent, then the same again: no state */
	CHECK_SV(aget(a, "targetname"), "fe01.contoso.com");
	CHECK_SV(aget(a, "TARGETNAME"), "fe01.contoso.com");
	CHECK_SV(aget(a, "version"), "4");
	CHECK_SV(aget(a, "gssapi-data"), "<absent>");
	CHECK_SV(aget(a, "targetname"), "fe01.contoso.com");
	CHECK_SV(aget(a, ""), "<absent>");
	CHECK_SV(a->rest, "realm=\"SIP Communications Service\", "
		 "targetname=\"fe01.contoso.com\", version=4");
	/* a second header is its own list; the first of a name wins */
	a = &m->auths[1];
	CHECK_SV(aget(a, "targetname"), "sip/fe01.contoso.com");
	CHECK_SV(aget(a, "realm"), "K");
	/* "opaque=" is there with an empty value */
	{
		struct sv v = sv_cstr("unset");
		CHECK_INT(sip_auth_param(a, "opaque", &v), 1);
		CHECK_INT(v.n, 0);
	}
	CHECK_SV(aget(a, "version"), "<absent>");
	CHECK_INT(aps_of(a).n, 4);
	/* a scheme alone: no params */
	a = &m->auths[2];
	CHECK_SV(a->scheme, "TLS-DSK");
	CHECK_INT(a->rest.n, 0);
	CHECK_INT(aps_of(a).n, 0);
	CHECK_SV(aget(a, "realm"), "<absent>");
	/* an unterminated quote runs to the end of the value */
	a = &m->auths[3];
	CHECK_SV(aget(a, "realm"), "unterminated, version=3");
	CHECK_SV(aget(a, "version"), "<absent>");
	/* empty elements skipped, an empty name, a quoted name, a flag */
	a = &m->auths[4];
	ap = aps_of(a);
	CHECK_INT(ap.n, 3);
	CHECK_SV(ap.p[0].name, "");
	CHECK_SV(ap.p[0].value, "x");
	CHECK_SV(ap.p[1].name, "\"q\"");
	CHECK_SV(ap.p[1].value, "1");
	CHECK_SV(ap.p[2].name, "flag");
	CHECK_SV(aget(a, ""), "x");
	CHECK_SV(aget(a, "flag"), "");
	/* a smaller array than the params: filled up to its size */
	{
		struct msg_param two[2];
		CHECK_INT(sip_auth_params(&m->auths[1], two, 2), 2);
		CHECK_SV(two[1].name, "opaque");
		CHECK_INT(sip_auth_params(&m->auths[1], two, 0), 0);
	}
	/* the message is reused: the views follow the new text */
	CHECK_INT(parse(m, "REGISTER sip:contoso.com SIP/2.0\n"
			"Authorization: NTLM gssapi-data=\"T1\", cnum=\"2\"\n"
			"\n"), 0);
	CHECK_INT(m->nauths, 1);
	if (m->nauths == 1) {
		CHECK_SV(aget(&m->auths[0], "gssapi-data"), "T1");
		CHECK_SV(aget(&m->auths[0], "targetname"), "<absent>");
	}
}

/*
 * The params limit of an auth header: the lookup stops after
 * SFB_MAX_HPARAMS params, and sip_parse flags more (a long list with
 * few commas, or many commas inside one quoted value, is no more).
 */
static void test_auth_limit(struct msg *m)
{
	size_t cap = 16 * 1024, n;
	char *t = malloc(cap);
	CHECK(t != NULL);
	if (!t)
		return;
	for (unsigned extra = 0; extra < 2; extra++) {
		n = (size_t)snprintf(t, cap, "SIP/2.0 401 x\n"
				     "WWW-Authenticate: NTLM ");
		for (unsigned i = 0; i < SFB_MAX_HPARAMS + extra; i++)
			n += (size_t)snprintf(t + n, cap - n, "%sp%u=%u",
					      i ? ", " : "", i, i);
		snprintf(t + n, cap - n, "\n\n");
		CHECK_INT(parse(m, t), 0);
		CHECK_INT(m->flags, extra ? MSG_F_LIMIT : 0);
		CHECK_INT(m->nauths, 1);
		if (m->nauths != 1)
			continue;
		CHECK_INT(aps_of(&m->auths[0]).n, SFB_MAX_HPARAMS);
		CHECK_SV(aget(&m->auths[0], "p0"), "0");
		CHECK_SV(aget(&m->auths[0], "p63"), "63");
		CHECK_SV(aget(&m->auths[0], "p64"), "<absent>");
	}
	/* a token68 blob counts as one of them */
	n = (size_t)snprintf(t, cap, "SIP/2.0 401 x\n"
			     "WWW-Authenticate: Negotiate YIIG==");
	for (unsigned i = 0; i < SFB_MAX_HPARAMS; i++)
		n += (size_t)snprintf(t + n, cap - n, ", p%u=%u", i, i);
	snprintf(t + n, cap - n, "\n\n");
	CHECK_INT(parse(m, t), 0);
	CHECK_INT(m->flags, MSG_F_LIMIT);
	CHECK_SV(aget(&m->auths[0], "p62"), "62");
	CHECK_SV(aget(&m->auths[0], "p63"), "<absent>");
	/* many commas in one quoted value and long values: within it */
	n = (size_t)snprintf(t, cap, "SIP/2.0 401 x\n"
			     "WWW-Authenticate: NTLM a=\"");
	for (unsigned i = 0; i < 3 * SFB_MAX_HPARAMS; i++)
		n += (size_t)snprintf(t + n, cap - n, "x,");
	n += (size_t)snprintf(t + n, cap - n, "\", b=\"");
	for (unsigned i = 0; i < 400; i++)
		n += (size_t)snprintf(t + n, cap - n, "y");
	snprintf(t + n, cap - n, "\", c\n\n");
	CHECK_INT(parse(m, t), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(aps_of(&m->auths[0]).n, 3);
	CHECK_INT(aget(&m->auths[0], "b").n, 400);
	/* 65 one-byte params: the shortest list over the limit */
	n = (size_t)snprintf(t, cap, "SIP/2.0 401 x\n"
			     "WWW-Authenticate: Digest ");
	for (unsigned i = 0; i <= SFB_MAX_HPARAMS; i++)
		n += (size_t)snprintf(t + n, cap - n, "%sa", i ? "," : "");
	snprintf(t + n, cap - n, "\n\n");
	CHECK_INT(parse(m, t), 0);
	CHECK_INT(m->flags, MSG_F_LIMIT);
	CHECK_INT(aps_of(&m->auths[0]).n, SFB_MAX_HPARAMS);
	free(t);
}

/* One struct msg across very different messages: nothing leaks over. */
static void test_reuse(struct msg *m)
{
	CHECK_INT(parse_file(m, "testdata/unit/sip_401_register.txt"), 0);
	CHECK_INT(m->nauths, 3);
	CHECK_INT(parse(m, "GET / HTTP/1.1\nHost: h\n\n"), 0);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->nauths, 0);
	CHECK_INT(m->ndiags, 0);
	CHECK_INT(m->nparams, 0);
	CHECK_INT(m->nhdrs, 1);
	CHECK_INT(m->status, 0);
	CHECK_INT(m->cseq, 0);
	CHECK_INT(m->nvia, 0);
	CHECK_SV(m->call_id, "");
	CHECK_SV(m->from_tag, "");
	CHECK_SV(m->to_tag, "");
	CHECK_SV(m->server_hdr, "");
	CHECK_SV(m->via_branch, "");
	CHECK_SV(m->status_reason, "");
	CHECK_INT(m->content_length, -1);
	CHECK_INT(m->expires, -1);
	CHECK_INT(parse(m, "SIP/2.0 500 x\nContent-Length: zz\n"
			"Expires: 5\nms-diagnostics: 1;reason=\"r\""), 0);
	CHECK_INT(m->flags, MSG_F_CL_INVALID);
	CHECK_INT(m->expires, 5);
	CHECK_INT(m->ndiags, 1);
	CHECK_INT(parse(m, "SIP/2.0 500 x\nl: 3\nX: y"), 0);
	CHECK_INT(m->flags, MSG_F_NO_BLANK | MSG_F_CL_MISMATCH);
	CHECK_INT(parse(m, "junk"), -1);
	CHECK_INT(m->flags, MSG_F_BAD_START);
	CHECK_INT(m->ndiags, 0);
	CHECK_INT(m->status, 0);
	CHECK_INT(m->expires, -1);
	CHECK_INT(m->content_length, -1);
	CHECK_INT(parse(m, register_msg), 0);
	CHECK_INT(m->flags, 0);
	CHECK_SV(m->call_id, "7f3c2a1b9d8e4f60a1b2c3d4e5f60718");
	CHECK_SV(m->host, "");
	CHECK_INT(m->nhdrs, 12);
	/* parsing the same text twice gives the same result */
	CHECK_INT(sip_parse(m), 0);
	CHECK_INT(m->nhdrs, 12);
	CHECK_SV(m->from_tag, "9a1b2c3d4e");
	CHECK_INT(m->nvia, 1);

	/* folded values survive a reparse and a longer message */
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nSubject: a\n b\n\n"), 0);
	CHECK_SV(hget(m, "Subject"), "a b");
	CHECK_INT(sip_parse(m), 0);
	CHECK_SV(hget(m, "Subject"), "a b");
	CHECK_INT(parse_file(m, "testdata/unit/sip_subscribe_crlf.txt"), 0);
	CHECK_INT(parse(m, "SIP/2.0 200 OK\nSubject: c\n d\n e\n\n"), 0);
	CHECK_SV(hget(m, "Subject"), "c d e");
}

int main(void)
{
	struct msg m;
	msg_init(&m);
	test_register(&m);
	test_401(&m);
	test_200(&m);
	test_301(&m);
	test_403(&m);
	test_504(&m);
	test_subscribe(&m);
	test_http(&m);
	test_auth_shapes(&m);
	test_auth_lazy(&m);
	test_auth_limit(&m);
	test_compact(&m);
	test_folded(&m);
	test_repeated_and_case(&m);
	test_via(&m);
	test_bad_headers(&m);
	test_content_length(&m);
	test_bad_start(&m);
	test_limits(&m);
	test_diag_edge(&m);
	test_reuse(&m);
	msg_free(&m);
	return CHECK_DONE("unit_sip");
}
