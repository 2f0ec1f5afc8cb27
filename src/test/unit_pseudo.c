/* SPDX-License-Identifier: MIT */
/*
 * unit_pseudo.c -- unit tests of the pseudonymiser (pseudo.c): aliases
 * are stable and case-blind, the kinds get their ranges, structure
 * stays (one FQDN stays one FQDN, service labels and public names
 * stay), secrets are replaced and look-alikes are not.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pseudo.h"
#include "sv.h"

/* Scrub s with ps; the result is valid until the next call. */
static struct sv scrub(struct pseudo *ps, const char *s, unsigned flags)
{
	static struct pseudo_buf b;
	b.n = 0;
	pseudo_scrub(ps, sv_cstr(s), flags, &b);
	if (!s[0] && !b.p)
		return SV_LIT("");
	return sv_make(b.p, b.n);
}

static void test_aliases(void)
{
	struct pseudo *ps = pseudo_new();
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_USER, SV_LIT("alice")),
		     "user1") == 0);
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_USER, SV_LIT("ALICE")),
		     "user1") == 0);
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_USER, SV_LIT("bob")),
		     "user2") == 0);
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_IPV4, SV_LIT("10.1.2.3")),
		     "192.0.2.1") == 0);
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_DOMAIN, SV_LIT("contoso.com")),
		     "domain1.example") == 0);
	/* learned words: the user's name alone, the NetBIOS domain */
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_WORD, SV_LIT("Alice")),
		     "user1") == 0);
	CHECK(strcmp(pseudo_alias(ps, PSEUDO_WORD, SV_LIT("CONTOSO")),
		     "domain1") == 0);
	CHECK(pseudo_alias(ps, PSEUDO_WORD, SV_LIT("nobody")) == NULL);
	/* IPv4 ranges: 254 per TEST-NET block, then the next */
	char ip[32];
	const char *a = NULL;
	for (int i = 0; i < 300; i++) {
		snprintf(ip, sizeof ip, "10.9.%d.%d", i / 200, i % 200);
		a = pseudo_alias(ps, PSEUDO_IPV4, sv_cstr(ip));
	}
	CHECK(strcmp(a, "198.51.100.47") == 0);
	CHECK(pseudo_count(ps) > 300);
	CHECK(strcmp(pseudo_kind_name(PSEUDO_LABEL), "host") == 0);
	pseudo_free(ps);
}

static void test_scrub(void)
{
	struct pseudo *ps = pseudo_new();
	CHECK_SV(scrub(ps, "From: \"Alice Wood\"<sip:alice@contoso.com>;"
		       "tag=2bff786883;epid=1cc52098ce", 0),
		 "From: \"Person 1\"<sip:user1@domain1.example>;"
		 "tag=2bff786883;epid=1cc52098ce");
	/* the same user later, a host of the domain, a NetBIOS name */
	CHECK_SV(scrub(ps, "user=\"CONTOSO\\alice\" on fe01.Contoso.com", 0),
		 "user=\"domain1\\user1\" on host1.domain1.example");
	/* service labels stay, so lyncdiscover and SRV names still say
	 * what they are */
	CHECK_SV(scrub(ps, "query lyncdiscoverinternal.contoso.com and "
		       "_sipinternaltls._tcp.contoso.com, sip.contoso.com", 0),
		 "query lyncdiscoverinternal.domain1.example and "
		 "_sipinternaltls._tcp.domain1.example, sip.domain1.example");
	/* addresses: IPv4 with port, IPv6 in brackets, loopback kept */
	CHECK_SV(scrub(ps, "10.0.0.5:5061 [fe80::1:2]:443 127.0.0.1 ::1", 0),
		 "192.0.2.1:5061 [2001:db8::1]:443 127.0.0.1 ::1");
	/* phone numbers, with and without '+' */
	CHECK_SV(scrub(ps, "sip:+14255556474@contoso.com;user=phone "
		       "tel:4255550100", 0),
		 "sip:+15550000001@domain1.example;user=phone "
		 "tel:15550000002");
	/* secrets: base64 blob, JWT, password= */
	CHECK_SV(scrub(ps, "token TlRMTVNTUAABAAAAl4II4gAAAAAAAAAA== ok", 0),
		 "token REDACTED ok");
	CHECK_SV(scrub(ps, "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9."
		       "eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", 0),
		 "Bearer REDACTED");
	CHECK_SV(scrub(ps, "a=1&password=hunter2&b=2", 0),
		 "a=1&password=REDACTED&b=2");
	/* not secrets nor names: hex ids, versions, timestamps, files,
	 * schema hosts, products, URL paths */
	const char *keep =
		"Call-ID: 7092e18804c3b45b36180195fbf128c3 "
		"UCCAPI/16.0.4849.1000 09:12:03.405 SIPAdminLog.cpp(125) "
		"http://schemas.xmlsoap.org/soap/envelope/ ASP.NET "
		"/Autodiscover/AutodiscoverService.svc/root "
		"76CEE856-1AD8-BEEB-E555-23BFEE2A398F e.g. "
		"+sip.instance=\"<urn:uuid:x>\" 0x8007232b";
	CHECK_SV(scrub(ps, keep, 0), keep);
	/* a Call-ID that looks like base64 is kept when asked */
	const char *cid = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==";
	CHECK_SV(scrub(ps, cid, PSEUDO_NO_BLOBS), cid);
	CHECK_SV(scrub(ps, cid, 0), "REDACTED");
	CHECK_SV(scrub(ps, "", 0), "");
	/* URL escapes separate words and stay */
	CHECK_SV(scrub(ps, "?sipuri=sip%3Aalice%40contoso.com&x=1", 0),
		 "?sipuri=sip%3Auser1%40domain1.example&x=1");
	/* pieces of a word: a CA named after the domain */
	CHECK_SV(scrub(ps, "issued by CN=CONTOSO-Lync-CA", 0),
		 "issued by CN=domain1-Lync-CA");
	pseudo_free(ps);
}

static int count_cb(void *ud, enum pseudo_kind k, const char *o,
		    const char *a)
{
	(void)o;
	(void)a;
	if (k != PSEUDO_WORD)
		++*(int *)ud;
	return 0;
}

static void test_each(void)
{
	struct pseudo *ps = pseudo_new();
	scrub(ps, "sip:alice@contoso.com 10.0.0.1", 0);
	int n = 0;
	CHECK_INT(pseudo_each(ps, count_cb, &n), 0);
	CHECK_INT(n, 3);        /* user, domain, ipv4 */
	pseudo_free(ps);
}

int main(void)
{
	test_aliases();
	test_scrub();
	test_each();
	return CHECK_DONE("unit_pseudo");
}
