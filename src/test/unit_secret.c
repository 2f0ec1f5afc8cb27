/* SPDX-License-Identifier: MIT */
/*
 * unit_secret.c -- unit tests of the secret masking (secret.c) and of
 * its use by the sanitiser (esc.c): every kind of secret becomes a kind
 * and a length, what is around it stays, text without one is left
 * alone (NULL: no copy).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "esc.h"
#include "secret.h"
#include "sv.h"

/* secret_mask of a C string, "" when nothing was masked. */
static char got[4096];
static const char *mask(const char *s)
{
	size_t n;
	char *m = secret_mask(sv_cstr(s), &n);
	if (!m)
		return "";
	CHECK_INT(n, strlen(m));
	snprintf(got, sizeof got, "%s", m);
	free(m);
	return got;
}

#define CHECK_MASK(in, want)                                             \
	do {                                                             \
		const char *m_ = mask(in);                               \
		CHECK_SV(sv_cstr(m_), want);                             \
	} while (0)

static void test_kinds(void)
{
	CHECK_MASK("X-MS-WebTicket: opaque-ticket-bytes\r\nCSeq: 1",
		   "X-MS-WebTicket: <web ticket, 19 B>\r\nCSeq: 1");
	CHECK_MASK("cookie: a=b; c=d", "cookie: <cookie, 8 B>");
	CHECK_MASK("Set-Cookie: MSISAuth=xyz; path=/",
		   "Set-Cookie: <cookie, 20 B>");
	CHECK_MASK("Authorization: TLS-DSK qop=\"auth\", realm=\"SIP "
		   "Communications Service\", opaque=\"ABCD1234\", "
		   "crand=\"12\", cnum=\"1\", targetname=\"fe.contoso.com\", "
		   "response=\"ffeeddcc\"",
		   "Authorization: TLS-DSK qop=\"auth\", realm=\"SIP "
		   "Communications Service\", opaque=<opaque, 10 B>, "
		   "crand=\"12\", cnum=\"1\", targetname=\"fe.contoso.com\", "
		   "response=<response, 10 B>");
	CHECK_MASK("WWW-Authenticate: NTLM realm=\"x\", gssapi-data="
		   "\"TlRMTVNTUAACAAAAAAAAADgAAAA=\"",
		   "WWW-Authenticate: NTLM realm=\"x\", gssapi-data="
		   "<gssapi-data, 30 B>");
	CHECK_MASK("Authentication-Info: TLS-DSK rspauth=\"0123\",srand=x",
		   "Authentication-Info: TLS-DSK rspauth=<rspauth, 6 B>,"
		   "srand=x");
	CHECK_MASK("Authorization: NTLM TlRMTVNTUAABAAAAB4IIog==",
		   "Authorization: NTLM <NTLM token, 24 B>");
	CHECK_MASK("Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.x.y",
		   "Authorization: Bearer <bearer token, 30 B>");
	CHECK_MASK("<s:Body><saml:Assertion ID=\"a\">secret</saml:Assertion>"
		   "</s:Body>",
		   "<s:Body><SAML assertion, 46 B></s:Body>");
	CHECK_MASK("<Assertion>cut", "<SAML assertion, 14 B>");
	CHECK_MASK("a <wsse:BinarySecurityToken ValueType=\"x\">QUJD"
		   "</wsse:BinarySecurityToken> b",
		   "a <security token, 71 B> b");
	/* two secrets in one text */
	CHECK_MASK("gssapi-data=AAAA, opaque=BBBB",
		   "gssapi-data=<gssapi-data, 4 B>, opaque=<opaque, 4 B>");
}

static void test_not_secrets(void)
{
	/* no secret: no copy */
	size_t n = 99;
	CHECK(secret_mask(SV_LIT("REGISTER sip:contoso.com SIP/2.0"),
			  &n) == NULL);
	CHECK(secret_mask(SV_NULL, &n) == NULL);
	CHECK_MASK("WWW-Authenticate: NTLM realm=\"SIP Communications "
		   "Service\", targetname=\"fe.contoso.com\", version=4", "");
	CHECK_MASK("Basic authentication failed", "");
	CHECK_MASK("the server's response was 200", "");
	CHECK_MASK("nocookie: x", "");
	CHECK_MASK("sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory",
		   "");
	CHECK_MASK("gssapi-data=\"\"", "");
	CHECK_MASK("<AssertionConsumer>x</AssertionConsumer>", "");
	CHECK_MASK("<saml:Assertionx>", "");
	/* a label is not masked again: masking is idempotent */
	CHECK_MASK("X-MS-WebTicket: <web ticket, 2 KB>", "");
	CHECK_MASK("gssapi-data=<gssapi-data, 1.2 KB>, opaque=<opaque, 8 B>",
		   "");
	CHECK_MASK("Cookie: <cookie, 9 B>", "");
}

static void test_label(void)
{
	char b[64];
	secret_label("web ticket", 2048, b, sizeof b);
	CHECK_SV(sv_cstr(b), "<web ticket, 2 KB>");
	secret_label("gssapi-data", 1229, b, sizeof b);
	CHECK_SV(sv_cstr(b), "<gssapi-data, 1.2 KB>");
	secret_label("cookie", 1023, b, sizeof b);
	CHECK_SV(sv_cstr(b), "<cookie, 1023 B>");
	secret_label("SAML assertion", 3u << 20, b, sizeof b);
	CHECK_SV(sv_cstr(b), "<SAML assertion, 3.0 MB>");
	CHECK_INT(secret_label("x", 5, b, 4), 3);
}

/* The sanitiser masks before it escapes, in both forms. */
static void test_esc(void)
{
	struct esc_tmp t = ESC_TMP_INIT;
	const char *s = esc_str(&t, "Cookie: \033[2J");
	CHECK_SV(sv_cstr(s), "Cookie: <cookie, 4 B>");
	s = esc_str(&t, "opaque=\"x\"\n");
	CHECK_SV(sv_cstr(s), "opaque=<opaque, 3 B>\\n");
	esc_tmp_free(&t);
	char *j = esc_utf8(SV_LIT("gssapi-data=\"\xff\xfe\""));
	CHECK_SV(sv_cstr(j), "gssapi-data=<gssapi-data, 4 B>");
	free(j);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	esc_write(f, "X-MS-WebTicket: abc\nnext", 24, ESC_KEEP_NL);
	fclose(f);
	CHECK_SV(sv_make(buf, len), "X-MS-WebTicket: <web ticket, 3 B>\n"
		 "next");
	free(buf);
}

int main(void)
{
	test_kinds();
	test_not_secrets();
	test_label();
	test_esc();
	return CHECK_DONE("unit_secret");
}
