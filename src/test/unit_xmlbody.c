/* SPDX-License-Identifier: MIT */
/*
 * unit_xmlbody.c -- unit tests of the XML body reader
 * (parsers/xmlbody.c): SOAP 1.2 / 1.1 / msrtc faults, in-band
 * provisioning (ServerConfiguration URLs, ucPolicy, meetingPolicy in
 * both shapes, nested properties), location profiles, namespace prefix
 * variants, and the bodies logs really hold: cut at every byte, JSON,
 * empty, binary junk, NULs, BOMs, Latin-1, huge, and hostile documents
 * (XXE, parameter entities, XInclude, billion laughs) -- with stderr
 * captured to prove libxml2 prints nothing.  Every body is handed over
 * in an exact-size buffer without a NUL, so ASan sees any over-read.
 * Fixtures: testdata/unit/xmlbody_* (run from the top directory, as
 * `make unit` does); all written for the project.
 * `unit_xmlbody --bench` prints the cost of one 50 KB provisioning parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sv.h"
#include "xmlbody.h"

#define FIX "testdata/unit/xmlbody_"

/* A body in a malloc'd buffer of exactly n bytes (no NUL after it). */
struct body {
	char *p;
	size_t n;
};

static struct body mk(const char *p, size_t n)
{
	struct body b;
	b.p = malloc(n ? n : 1);
	b.n = n;
	if (!b.p) {
		fprintf(stderr, "unit_xmlbody: out of memory\n");
		exit(2);
	}
	if (n)
		memcpy(b.p, p, n);
	return b;
}

static struct body mks(const char *s)
{
	return mk(s, strlen(s));
}

static struct sv bv(struct body b)
{
	return sv_make(b.p, b.n);
}

/* Read a fixture; an empty body (and a failed check) if missing. */
static struct body load(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16];
	size_t n = 0;
	CHECK(f != NULL);
	if (f) {
		n = fread(buf, 1, sizeof buf, f);
		CHECK(n > 0 && n < sizeof buf);
		fclose(f);
	}
	return mk(buf, n);
}

static int fault_s(const char *s, struct xmlbody_fault *f)
{
	struct body b = mks(s);
	int rc = xmlbody_soap_fault(bv(b), f);
	free(b.p);
	return rc;
}

/* ---- provisioning sink ------------------------------------------------- */

#define MAXP 64

struct prop {
	char group[160], name[160], value[600];
};

struct rec {
	char groups[16][160];
	int ngroups;
	struct prop props[MAXP];
	int nprops;
	int bad;                /* a string that is not NUL-terminated */
};

static void copy(char *dst, size_t sz, const char *src, int *bad)
{
	size_t n = strlen(src);
	if (n >= sz) {
		*bad = 1;
		n = sz - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void on_group(void *ud, const char *group)
{
	struct rec *r = ud;
	if (r->ngroups < 16)
		copy(r->groups[r->ngroups], sizeof r->groups[0], group,
		     &r->bad);
	r->ngroups++;
}

static void on_prop(void *ud, const char *group, const char *name,
		    const char *value)
{
	struct rec *r = ud;
	if (r->nprops < MAXP) {
		struct prop *p = &r->props[r->nprops];
		copy(p->group, sizeof p->group, group, &r->bad);
		copy(p->name, sizeof p->name, name, &r->bad);
		copy(p->value, sizeof p->value, value, &r->bad);
	}
	r->nprops++;
}

static int prov(struct body b, struct rec *r)
{
	struct xmlbody_prov_sink s = { on_group, on_prop, r };
	memset(r, 0, sizeof *r);
	return xmlbody_provisioning(bv(b), &s);
}

static int prov_s(const char *s, struct rec *r)
{
	struct body b = mks(s);
	int rc = prov(b, r);
	free(b.p);
	return rc;
}

/* The value of group/name, or NULL. */
static const char *pget(const struct rec *r, const char *group,
			const char *name)
{
	for (int i = 0; i < r->nprops && i < MAXP; i++)
		if (strcmp(r->props[i].group, group) == 0 &&
		    strcmp(r->props[i].name, name) == 0)
			return r->props[i].value;
	return NULL;
}

#define CHECK_PROP(r, g, n, v)                                           \
	do {                                                             \
		const char *got_ = pget((r), (g), (n));                  \
		CHECK(got_ != NULL);                                     \
		if (got_)                                                \
			CHECK_SV(sv_cstr(got_), (v));                    \
	} while (0)

static int loc_s(const char *s, char *name, size_t namesz, unsigned *nr)
{
	struct body b = mks(s);
	int rc = xmlbody_location_profile(bv(b), name, namesz, nr);
	free(b.p);
	return rc;
}

/* ---- SOAP faults ------------------------------------------------------- */

static void test_fault_soap12(void)
{
	struct body b = load(FIX "webticket_28032.xml");
	struct xmlbody_fault f;
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 1);
	CHECK_SV(sv_cstr(f.code), "wsse:InvalidSecurityToken");
	/* the en-US Text wins over the first (de-DE) one */
	CHECK_SV(sv_cstr(f.reason), "The web ticket is invalid.");
	CHECK_SV(sv_cstr(f.detail), "28032");
	/* the same fault is neither provisioning nor a location profile */
	CHECK_INT(xmlbody_provisioning(bv(b), NULL), -1);
	CHECK_INT(xmlbody_location_profile(bv(b), NULL, 0, NULL), 0);
	free(b.p);

	/* no Subcode: the Value; no English Text: the first; no Detail */
	CHECK_INT(fault_s("<env:Envelope xmlns:env=\"http://www.w3.org/2003/"
			  "05/soap-envelope\"><env:Body><env:Fault><env:Code>"
			  "<env:Value>env:Receiver</env:Value></env:Code>"
			  "<env:Reason><env:Text xml:lang=\"fr\">Erreur"
			  "</env:Text><env:Text xml:lang=\"es\">Error"
			  "</env:Text></env:Reason></env:Fault></env:Body>"
			  "</env:Envelope>", &f), 1);
	CHECK_SV(sv_cstr(f.code), "env:Receiver");
	CHECK_SV(sv_cstr(f.reason), "Erreur");
	CHECK_SV(sv_cstr(f.detail), "");

	/* nested Subcodes: the innermost Value */
	CHECK_INT(fault_s("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/"
			  "soap-envelope\"><s:Body><s:Fault><s:Code><s:Value>"
			  "s:Sender</s:Value><s:Subcode><s:Value>a:Outer"
			  "</s:Value><s:Subcode><s:Value>b:Inner</s:Value>"
			  "</s:Subcode></s:Subcode></s:Code><s:Reason>"
			  "<s:Text xml:lang=\"EN\">Bad &amp; worse</s:Text>"
			  "</s:Reason><s:Detail><x>  </x><y> first </y>"
			  "<z>second</z></s:Detail></s:Fault></s:Body>"
			  "</s:Envelope>", &f), 1);
	CHECK_SV(sv_cstr(f.code), "b:Inner");
	CHECK_SV(sv_cstr(f.reason), "Bad & worse");
	CHECK_SV(sv_cstr(f.detail), "first");
}

static void test_fault_soap11_msrtc(void)
{
	struct body b = load(FIX "soap11.xml");
	struct xmlbody_fault f;
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 1);
	CHECK_SV(sv_cstr(f.code), "a:FailedAuthentication");
	CHECK_SV(sv_cstr(f.reason), "The user could not be authenticated.");
	CHECK_SV(sv_cstr(f.detail), "Certificate provisioning failed: the "
		 "account is disabled.");
	free(b.p);

	b = load(FIX "msrtc_fault.xml");
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 1);
	CHECK_SV(sv_cstr(f.code), "Client.Delegate.Operation.NotAuthorized");
	CHECK_SV(sv_cstr(f.reason), "The user is not authorized to perform "
		 "this operation on behalf of the delegator.");
	/* <Details> is not <Detail>: only direct children count */
	CHECK_SV(sv_cstr(f.detail), "");
	free(b.p);

	/* what the generator writes for a web ticket 401 (SOAP 1.1) */
	CHECK_INT(fault_s("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/"
			  "soap/envelope/\"><s:Body><s:Fault><faultcode "
			  "xmlns:a=\"http://docs.oasis-open.org/wss/2004/01/"
			  "oasis-200401-wss-wssecurity-secext-1.0.xsd\">"
			  "a:InvalidSecurityToken</faultcode><faultstring "
			  "xml:lang=\"en-US\">The web ticket is invalid."
			  "</faultstring></s:Fault></s:Body></s:Envelope>",
			  &f), 1);
	CHECK_SV(sv_cstr(f.code), "a:InvalidSecurityToken");
	CHECK_SV(sv_cstr(f.reason), "The web ticket is invalid.");

	/* an empty Fault is still a Fault */
	CHECK_INT(fault_s("<Fault/>", &f), 1);
	CHECK_SV(sv_cstr(f.code), "");
	CHECK_SV(sv_cstr(f.reason), "");
}

static void test_fault_prefixes(void)
{
	static const char *const v[] = {
		/* default namespace, no prefix */
		"<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\">"
		"<Body><Fault><Code><Value>Sender</Value><Subcode><Value>"
		"wsse:InvalidSecurityToken</Value></Subcode></Code><Reason>"
		"<Text xml:lang=\"en-US\">The web ticket is invalid.</Text>"
		"</Reason></Fault></Body></Envelope>",
		/* SOAP-ENV prefix, upper case */
		"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/"
		"05/soap-envelope\"><SOAP-ENV:Body><SOAP-ENV:Fault>"
		"<SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender"
		"</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>"
		"wsse:InvalidSecurityToken</SOAP-ENV:Value></SOAP-ENV:Subcode>"
		"</SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="
		"\"en-US\">The web ticket is invalid.</SOAP-ENV:Text>"
		"</SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body>"
		"</SOAP-ENV:Envelope>",
		/* a prefix never declared (a fragment cut out of a log) */
		"<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>"
		"<s:Value>wsse:InvalidSecurityToken</s:Value></s:Subcode>"
		"</s:Code><s:Reason><s:Text>The web ticket is invalid."
		"</s:Text></s:Reason></s:Fault>",
		/* leading whitespace, a BOM, an XML declaration */
		"\r\n \t\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<e:Envelope xmlns:e=\"urn:e\"><e:Body><e:Fault><e:Code>"
		"<e:Value>e:Sender</e:Value><e:Subcode><e:Value>"
		"wsse:InvalidSecurityToken</e:Value></e:Subcode></e:Code>"
		"<e:Reason><e:Text>The web ticket is invalid.</e:Text>"
		"</e:Reason></e:Fault></e:Body></e:Envelope>\r\n",
		/* declared UTF-16, but the log reader made it UTF-8 */
		"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-16\"?>"
		"<s:Envelope xmlns:s=\"urn:s\"><s:Body><s:Fault><s:Code>"
		"<s:Value>s:Sender</s:Value><s:Subcode><s:Value>"
		"wsse:InvalidSecurityToken</s:Value></s:Subcode></s:Code>"
		"<s:Reason><s:Text>The web ticket is invalid.</s:Text>"
		"</s:Reason></s:Fault></s:Body></s:Envelope>",
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct xmlbody_fault f;
		CHECK_INT(fault_s(v[i], &f), 1);
		CHECK_SV(sv_cstr(f.code), "wsse:InvalidSecurityToken");
		CHECK_SV(sv_cstr(f.reason), "The web ticket is invalid.");
	}
}

static void test_fault_text(void)
{
	struct xmlbody_fault f;
	char big[2048];
	size_t n;

	/* ISO-8859-1 bytes (a Windows-1252 log) come out as UTF-8 */
	CHECK_INT(fault_s("<Fault><faultcode>x</faultcode><faultstring>"
			  "Das Webticket ist ung\xFCltig.</faultstring>"
			  "</Fault>", &f), 1);
	CHECK_SV(sv_cstr(f.reason), "Das Webticket ist ung\xC3\xBCltig.");

	/* cut to the field, never inside a UTF-8 sequence: two-byte
	 * characters make the 255-byte cut fall inside one */
	n = (size_t)snprintf(big, sizeof big, "<Fault><faultstring>");
	for (int i = 0; i < 300; i++) {
		memcpy(big + n, "\xC3\xA9", 2);
		n += 2;
	}
	n += (size_t)snprintf(big + n, sizeof big - n,
			      "</faultstring></Fault>");
	struct body b = mk(big, n);
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 1);
	CHECK_INT(strlen(f.reason), 254);
	CHECK(memcmp(f.reason + 252, "\xC3\xA9", 2) == 0);
	free(b.p);

	/* a faultcode with only whitespace; a CDATA faultstring */
	CHECK_INT(fault_s("<Fault><faultcode> \n </faultcode><faultstring>"
			  "<![CDATA[ a < b ]]></faultstring></Fault>", &f), 1);
	CHECK_SV(sv_cstr(f.code), "");
	CHECK_SV(sv_cstr(f.reason), "a < b");
}

static void test_fault_not_found(void)
{
	struct xmlbody_fault f;
	struct body b;

	/* SOAP that holds no Fault; "Fault" only as text or a longer
	 * name; a location profile whose rule name holds "Default" */
	CHECK_INT(fault_s("<s:Envelope xmlns:s=\"urn:s\"><s:Body><Request"
			  "SecurityTokenResponse>Fault</RequestSecurityToken"
			  "Response></s:Body></s:Envelope>", &f), 0);
	CHECK_INT(fault_s("<a><FaultX>1</FaultX><x:DefaultFault/></a>", &f),
		  0);
	CHECK_INT(fault_s("<s:Envelope xmlns:s=\"urn:s\"><s:Body><!-- "
			  "<s:Fault> --></s:Body></s:Envelope>", &f), 0);
	b = load(FIX "location_profile.xml");
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 0);
	free(b.p);
	b = load(FIX "provisioning.xml");
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 0);
	free(b.p);
	CHECK_SV(sv_cstr(f.code), "");
	CHECK_SV(sv_cstr(f.reason), "");
	CHECK_SV(sv_cstr(f.detail), "");
}

/* ---- provisioning ------------------------------------------------------ */

static void test_provisioning(void)
{
	struct body b = load(FIX "provisioning.xml");
	struct rec *r = calloc(1, sizeof *r);
	if (!r)
		exit(2);
	CHECK_INT(prov(b, r), 6);
	CHECK_INT(r->ngroups, 6);
	CHECK_SV(sv_cstr(r->groups[0]), "ServerConfiguration");
	CHECK_SV(sv_cstr(r->groups[1]), "ucPolicy");
	CHECK_SV(sv_cstr(r->groups[2]), "meetingPolicy");
	CHECK_SV(sv_cstr(r->groups[3]), "publicationGrammar");
	CHECK_SV(sv_cstr(r->groups[4]), "publicProviders");
	CHECK_SV(sv_cstr(r->groups[5]), "");
	CHECK_INT(r->nprops, 20);
	CHECK_INT(r->bad, 0);

	/* ServerConfiguration: the internal and external web URLs */
	CHECK_PROP(r, "ServerConfiguration", "absInternalServerUrl",
		   "https://pool02.fabrikam.com/abs/handler");
	CHECK_PROP(r, "ServerConfiguration", "absExternalServerUrl",
		   "https://webext.fabrikam.com/abs/handler");
	CHECK_PROP(r, "ServerConfiguration", "internalUcwaUrl",
		   "https://pool02.fabrikam.com/ucwa/v1/applications");
	CHECK_PROP(r, "ServerConfiguration", "externalUcwaUrl",
		   "https://webext.fabrikam.com/ucwa/v1/applications");
	/* trimmed across lines; empty and self-closing values; CDATA */
	CHECK_PROP(r, "ServerConfiguration", "internalEwsUrl",
		   "https://mail.fabrikam.com/EWS/Exchange.asmx");
	CHECK_PROP(r, "ServerConfiguration",
		   "hybridConfigServiceInternalUrl", "");
	CHECK_PROP(r, "ServerConfiguration",
		   "hybridConfigServiceExternalUrl", "");
	CHECK_PROP(r, "ServerConfiguration", "mrasUri",
		   "sip:mras.pool02.fabrikam.com@fabrikam.com;gruu;"
		   "opaque=srvr:MRAS:Xy_12");
	CHECK_SV(sv_cstr(r->props[0].name), "absInternalServerUrl");
	CHECK_SV(sv_cstr(r->props[8].name), "mrasUri");

	/* ucPolicy: a property holding properties reports its leaves */
	CHECK_PROP(r, "ucPolicy", "EnableAppearOffline", "true");
	CHECK_PROP(r, "ucPolicy", "EnableExchangeContactSync", "false");
	CHECK_PROP(r, "ucPolicy", "AllowCallForwarding", "true");
	CHECK_PROP(r, "ucPolicy", "AllowDelegation", "false");
	CHECK(pget(r, "ucPolicy", "PolicyEntries") == NULL);

	/* meetingPolicy in the <instance> shape */
	CHECK_PROP(r, "meetingPolicy", "AllowIPAudio", "true");
	CHECK_PROP(r, "meetingPolicy", "AllowIPVideo", "false");
	CHECK_PROP(r, "meetingPolicy", "MaxMeetingSize", "250");

	/* repeated instances: both kept, in order */
	CHECK_SV(sv_cstr(r->props[16].name), "domain");
	CHECK_SV(sv_cstr(r->props[16].value), "msn.com");
	CHECK_SV(sv_cstr(r->props[18].group), "publicProviders");
	CHECK_SV(sv_cstr(r->props[18].value), "yahoo.com");
	/* a property holding other XML: its text */
	CHECK_PROP(r, "", "Blob", "one two");

	/* no sink, or a sink without callbacks: only the count */
	CHECK_INT(xmlbody_provisioning(bv(b), NULL), 6);
	struct xmlbody_prov_sink none = { NULL, NULL, NULL };
	CHECK_INT(xmlbody_provisioning(bv(b), &none), 6);
	free(b.p);

	/* the generator's shape (attributes with a space before '>') */
	CHECK_INT(prov_s("<provisionGroupList xmlns=\"http://schemas."
			 "microsoft.com/2006/09/sip/provisiongrouplist-"
			 "notification\">\n<provisionGroup name=\"ucPolicy\""
			 " >\n<propertyEntryList >\n<property name=\"Enable"
			 "AppearOffline\" >true</property>\n</propertyEntry"
			 "List>\n</provisionGroup>\n</provisionGroupList>",
			 r), 1);
	CHECK_INT(r->nprops, 1);
	CHECK_PROP(r, "ucPolicy", "EnableAppearOffline", "true");

	/* an empty list; a prefixed one */
	CHECK_INT(prov_s("<provisionGroupList/>", r), 0);
	CHECK_INT(prov_s("<p:provisionGroupList xmlns:p=\"urn:p\">"
			 "<p:provisionGroup name=\"g\"><p:property name=\"k\">"
			 "v</p:property></p:provisionGroup>"
			 "</p:provisionGroupList>", r), 1);
	CHECK_PROP(r, "g", "k", "v");
	free(r);
}

static void test_provisioning_cut(void)
{
	struct rec *r = calloc(1, sizeof *r);
	char big[4096], want[512];
	size_t n;
	if (!r)
		exit(2);

	/* values cut to 511 bytes, names to 127, on a character border */
	n = (size_t)snprintf(big, sizeof big, "<provisionGroupList>"
			     "<provisionGroup name=\"g\"><property name=\"");
	memset(big + n, 'N', 300);
	n += 300;
	n += (size_t)snprintf(big + n, sizeof big - n, "\">xy");
	for (int i = 0; i < 400; i++) {
		memcpy(big + n, "\xE2\x82\xAC", 3);   /* the euro sign */
		n += 3;
	}
	n += (size_t)snprintf(big + n, sizeof big - n,
			      "</property></provisionGroup>"
			      "</provisionGroupList>");
	struct body b = mk(big, n);
	CHECK_INT(prov(b, r), 1);
	CHECK_INT(r->nprops, 1);
	CHECK_INT(strlen(r->props[0].name), 127);
	/* "xy" + 169 euro signs = 509 bytes: the 170th would not fit */
	CHECK_INT(strlen(r->props[0].value), 509);
	memcpy(want, "xy", 2);
	for (int i = 0; i < 169; i++)
		memcpy(want + 2 + 3 * i, "\xE2\x82\xAC", 3);
	want[509] = '\0';
	CHECK_SV(sv_cstr(r->props[0].value), want);
	free(b.p);
	free(r);
}

static void test_provisioning_not(void)
{
	struct rec r;
	struct body b = load(FIX "webticket_28032.xml");
	CHECK_INT(prov(b, &r), -1);
	free(b.p);
	/* provisionGroupList must be the root */
	CHECK_INT(prov_s("<x><provisionGroupList><provisionGroup name=\"g\"/>"
			 "</provisionGroupList></x>", &r), -1);
	CHECK_INT(prov_s("{\"provisionGroupList\": []}", &r), -1);
	CHECK_INT(r.ngroups, 0);
	CHECK_INT(r.nprops, 0);
}

/*
 * The one-pass reader takes a plain document itself (libxml2 is not
 * needed), and declines what is not ASCII text -- a NUL, a Latin-1
 * byte, UTF-8 -- which then reads as libxml2 reads it.
 */
static void test_provisioning_fast(void)
{
	static const char plain[] =
		"\xef\xbb\xbf <provisionGroupList xmlns=\"urn:x\">\n"
		"<provisionGroup name=\"ServerConfiguration\">"
		"<propertyEntryList><property name=\"a\"> 1 </property>"
		"</propertyEntryList></provisionGroup>"
		"<provisionGroup name=\"g\"/></provisionGroupList>\n";
	struct rec r, t;
	struct xmlbody_prov_sink sr = { on_group, on_prop, &r };
	struct xmlbody_prov_sink st = { on_group, on_prop, &t };
	struct body b = mk(plain, sizeof plain - 1);
	memset(&r, 0, sizeof r);
	memset(&t, 0, sizeof t);
	CHECK_INT(xmlbody_provisioning_fast(bv(b), &sr), 2);
	CHECK_INT(xmlbody_provisioning_tree(bv(b), &st), 2);
	CHECK_INT(r.nprops, 1);
	CHECK(memcmp(&r, &t, sizeof r) == 0);
	free(b.p);

	/* a value byte that is not ASCII text: declined, nothing handed
	 * over; the whole call still reads it (or refuses it) as libxml2 */
	static const char *const odd[] = { "\0", "\xe9", "\xc3\xa9" };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		char doc[256];
		size_t n = (size_t)snprintf(doc, sizeof doc, "%s",
			"<provisionGroupList><provisionGroup name=\"g\">"
			"<property name=\"a\">x");
		size_t k = i == 0 ? 1 : strlen(odd[i]);
		memcpy(doc + n, odd[i], k);
		n += k;
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s",
			"</property></provisionGroup></provisionGroupList>");
		b = mk(doc, n);
		memset(&r, 0, sizeof r);
		memset(&t, 0, sizeof t);
		CHECK_INT(xmlbody_provisioning_fast(bv(b), &sr), -1);
		CHECK_INT(r.ngroups + r.nprops, 0);
		CHECK_INT(xmlbody_provisioning(bv(b), &sr),
			  xmlbody_provisioning_tree(bv(b), &st));
		CHECK(memcmp(&r, &t, sizeof r) == 0);
		free(b.p);
	}
}

/* ---- location profile -------------------------------------------------- */

/*
 * The plain documents read without libxml2 (xmlbody.c, prov_fast) and
 * the others must give the same calls: each pair differs only in what
 * sends it one way or the other (a comment, a CR in a value, an
 * element inside a property, a prefix), so the rest must agree.
 */
static void test_provisioning_paths(void)
{
	static const char *const pairs[][2] = {
		{ "<provisionGroupList xmlns=\"urn:x\">\r\n"
		  "<provisionGroup name=\" g1 \" >\r\n<propertyEntryList>"
		  "<property name=\"a\"> v 1 </property>"
		  "<property  name = 'b' />"
		  "<property name=\"c\"></property></propertyEntryList>"
		  "</provisionGroup>\n<provisionGroup><property name=\"d\">"
		  "x&gt;</property></provisionGroup>"
		  "<property name=\"outside\">o</property>"
		  "</provisionGroupList>\n",
		  NULL },
		{ "<provisionGroupList><provisionGroup name=\"g\">"
		  "<property name=\"a\">1</property></provisionGroup>"
		  "</provisionGroupList>",
		  "<provisionGroupList><!-- c --><provisionGroup name=\"g\">"
		  "<property name=\"a\">1</property></provisionGroup>"
		  "</provisionGroupList>" },
		{ "<provisionGroupList><provisionGroup name=\"g\">"
		  "<property name=\"a\">1\n2</property></provisionGroup>"
		  "</provisionGroupList>",
		  "<provisionGroupList><provisionGroup name=\"g\">"
		  "<property name=\"a\">1\r\n2</property></provisionGroup>"
		  "</provisionGroupList>" },
		{ "<provisionGroupList><provisionGroup name=\"g\">"
		  "<property name=\"a\"></property></provisionGroup>"
		  "<provisionGroup name=\"h\"/></provisionGroupList>",
		  "<provisionGroupList><provisionGroup name=\"g\">"
		  "<property name=\"a\"><b/></property></provisionGroup>"
		  "<provisionGroup name=\"h\"/></provisionGroupList>" },
		{ "<provisionGroupList><provisionGroup name=\"g\">"
		  "<property name=\"a\">1</property></provisionGroup>"
		  "</provisionGroupList>",
		  "<p:provisionGroupList xmlns:p=\"urn:x\">"
		  "<p:provisionGroup name=\"g\"><p:property name=\"a\">1"
		  "</p:property></p:provisionGroup></p:provisionGroupList>" },
	};
	struct rec a, b;
	/* the first one by hand: trimmed names and values, empty ones,
	 * the entity sends it to libxml2, a property outside any group
	 * is no property of a group */
	CHECK_INT(prov_s(pairs[0][0], &a), 2);
	CHECK_INT(a.ngroups, 2);
	CHECK_SV(sv_cstr(a.groups[0]), "g1");
	CHECK_SV(sv_cstr(a.groups[1]), "");
	CHECK_INT(a.nprops, 4);
	CHECK_SV(sv_cstr(a.props[0].name), "a");
	CHECK_SV(sv_cstr(a.props[0].value), "v 1");
	CHECK_SV(sv_cstr(a.props[1].name), "b");
	CHECK_SV(sv_cstr(a.props[1].value), "");
	CHECK_SV(sv_cstr(a.props[2].value), "");
	CHECK_SV(sv_cstr(a.props[3].group), "");
	CHECK_SV(sv_cstr(a.props[3].value), "x>");
	for (size_t i = 1; i < sizeof pairs / sizeof pairs[0]; i++) {
		int ra = prov_s(pairs[i][0], &a), rb = prov_s(pairs[i][1], &b);
		CHECK_INT(ra, rb);
		CHECK_INT(a.ngroups, b.ngroups);
		CHECK_INT(a.nprops, b.nprops);
		CHECK(memcmp(a.groups, b.groups, sizeof a.groups) == 0);
		CHECK(memcmp(a.props, b.props, sizeof a.props) == 0);
	}
	/* a value over the callback's size is cut at 511 bytes */
	char big[1200];
	int n = snprintf(big, sizeof big, "<provisionGroupList>"
			 "<provisionGroup name=\"g\"><property name=\"a\">");
	memset(big + n, 'v', 600);
	snprintf(big + n + 600, sizeof big - (size_t)n - 600,
		 " </property></provisionGroup></provisionGroupList>");
	CHECK_INT(prov_s(big, &a), 1);
	CHECK_INT(strlen(a.props[0].value), 511);

	/* many properties: the one-pass reader's event list grows (300),
	 * or gives up at its limit (5000): both agree with libxml2's */
	static const int many[] = { 300, 5000 };
	for (size_t k = 0; k < sizeof many / sizeof many[0]; k++) {
		size_t cap = 64 + (size_t)many[k] * 48, len = 0;
		char *doc = malloc(cap);
		CHECK(doc != NULL);
		if (!doc)
			return;
		len += (size_t)snprintf(doc, cap, "<provisionGroupList>"
					"<provisionGroup name=\"g\">");
		for (int i = 0; i < many[k]; i++)
			len += (size_t)snprintf(doc + len, cap - len,
						"<property name=\"p%d\">%d"
						"</property>", i, i);
		snprintf(doc + len, cap - len,
			 "</provisionGroup></provisionGroupList>");
		struct xmlbody_prov_sink sa = { on_group, on_prop, &a };
		struct xmlbody_prov_sink sb = { on_group, on_prop, &b };
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		struct sv v = sv_cstr(doc);
		CHECK_INT(xmlbody_provisioning(v, &sa), 1);
		CHECK_INT(xmlbody_provisioning_tree(v, &sb), 1);
		CHECK_INT(a.nprops, many[k]);
		CHECK_INT(b.nprops, many[k]);
		CHECK(memcmp(a.props, b.props, sizeof a.props) == 0);
		CHECK_SV(sv_cstr(a.props[MAXP - 1].value), "63");
		free(doc);
	}
}

static void test_location(void)
{
	struct body b = load(FIX "location_profile.xml");
	char name[128], small[8];
	unsigned nr = 99;
	CHECK_INT(xmlbody_location_profile(bv(b), name, sizeof name, &nr), 1);
	CHECK_SV(sv_cstr(name), "pool02.fabrikam.com/RedmondProfile");
	CHECK_INT(nr, 3);
	/* cut to namesz; NULL outputs are fine */
	CHECK_INT(xmlbody_location_profile(bv(b), small, sizeof small, NULL),
		  1);
	CHECK_SV(sv_cstr(small), "pool02.");
	CHECK_INT(xmlbody_location_profile(bv(b), NULL, 0, &nr), 1);
	CHECK_INT(nr, 3);
	free(b.p);

	/* prefixed, with a Name that needs trimming and no rule */
	CHECK_INT(loc_s("<lp:LocationProfileDescription xmlns:lp=\"http://"
			"schemas.microsoft.com/2007/03/LocationProfile"
			"Description\"><lp:Name>\n  Global  \n</lp:Name>"
			"</lp:LocationProfileDescription>", name, sizeof name,
			&nr), 1);
	CHECK_SV(sv_cstr(name), "Global");
	CHECK_INT(nr, 0);

	/* the request (GetLocationProfiles) is not a profile */
	nr = 7;
	CHECK_INT(loc_s("<GetLocationProfiles xmlns=\"http://schemas."
			"microsoft.com/2007/03/LocationProfileDescription\">"
			"<User>sip:alice@contoso.com</User>"
			"</GetLocationProfiles>", name, sizeof name, &nr), 0);
	CHECK_SV(sv_cstr(name), "");
	CHECK_INT(nr, 0);
}

/* ---- hostile and broken bodies ----------------------------------------- */

/* Cut at every byte: only the whole document is found. */
static void test_truncated(void)
{
	static const char *const fx[] = {
		FIX "webticket_28032.xml", FIX "soap11.xml",
		FIX "msrtc_fault.xml", FIX "provisioning.xml",
		FIX "location_profile.xml",
	};
	for (size_t k = 0; k < sizeof fx / sizeof fx[0]; k++) {
		struct body b = load(fx[k]);
		size_t end = b.n, bad = 0;
		struct xmlbody_fault f;
		char name[64];
		unsigned nr;
		while (end && (b.p[end - 1] == '\n' || b.p[end - 1] == ' '))
			end--;
		for (size_t cut = 0; cut < end; cut++) {
			struct body c = mk(b.p, cut);
			bad += xmlbody_soap_fault(bv(c), &f) != 0;
			/* a cut provisioning document is one of ours
			 * that could not be read: BAD, never groups */
			int rc = xmlbody_provisioning(bv(c), NULL);
			bad += rc != XMLBODY_NONE &&
			       !(rc == XMLBODY_BAD &&
				 strstr(fx[k], "provisioning"));
			bad += xmlbody_location_profile(bv(c), name,
							sizeof name, &nr) != 0;
			free(c.p);
		}
		CHECK_INT(bad, 0);
		/* the whole of it is found by exactly one function */
		CHECK_INT(xmlbody_soap_fault(bv(b), &f) +
			  (xmlbody_provisioning(bv(b), NULL) >= 0) +
			  xmlbody_location_profile(bv(b), name, sizeof name,
						   &nr), 1);
		free(b.p);
	}
}

/* Everything that is not one of our documents: 0 / -1. */
static int junk_found(struct body b)
{
	struct xmlbody_fault f;
	char name[64];
	unsigned nr;
	struct rec *r = calloc(1, sizeof *r);
	int found = 0;
	if (!r)
		exit(2);
	found += xmlbody_soap_fault(bv(b), &f) != 0;
	found += prov(b, r) != -1;
	found += r->ngroups + r->nprops;
	found += xmlbody_location_profile(bv(b), name, sizeof name, &nr);
	free(r);
	return found;
}

static int junk_found_s(const char *s, size_t n)
{
	struct body b = mk(s, n);
	int found = junk_found(b);
	free(b.p);
	return found;
}

#define JUNK(lit) junk_found_s((lit), sizeof(lit) - 1)

static void test_junk(void)
{
	struct xmlbody_fault f;
	unsigned char rnd[4096];
	unsigned seed = 12345;

	CHECK_INT(xmlbody_soap_fault(SV_NULL, &f), 0);
	CHECK_INT(xmlbody_provisioning(SV_NULL, NULL), -1);
	CHECK_INT(xmlbody_location_profile(SV_NULL, NULL, 0, NULL), 0);
	CHECK_INT(JUNK(""), 0);
	CHECK_INT(JUNK(" \r\n\t"), 0);
	CHECK_INT(JUNK("\xEF\xBB\xBF"), 0);
	CHECK_INT(JUNK("{\"Fault\": {\"faultcode\": \"x\"}, "
		       "\"provisionGroupList\": [], "
		       "\"LocationProfileDescription\": 1}"), 0);
	CHECK_INT(JUNK("The server returned a trust fault: 'The web ticket "
		       "is invalid.' <Fault> provisionGroupList"), 0);
	CHECK_INT(JUNK("<"), 0);
	CHECK_INT(JUNK("<Fault"), 0);
	CHECK_INT(JUNK("<Fault></fault>"), 0);
	CHECK_INT(JUNK("<Fault>\0</Fault>"), 0);
	/* UTF-16LE and UCS-4 (libxml2 would guess them and call iconv) */
	CHECK_INT(JUNK("<\0F\0a\0u\0l\0t\0/\0>\0"), 0);
	CHECK_INT(JUNK("<\0\0\0a\0\0\0\xff\xff\xff\xff"), 0);
	CHECK_INT(JUNK("<\0\0\0\xff\xff\xff\xff<Fault/>"), 0);
	CHECK_INT(JUNK("\xff\xfe<\0F\0a\0u\0l\0t\0/\0>\0"), 0);
	/* two roots; trailing junk */
	CHECK_INT(JUNK("<Fault/><Fault/>"), 0);
	CHECK_INT(JUNK("<Fault/>\r\n0\r\n\r\n"), 0);
	/* deeper than libxml2's nesting limit */
	{
		char deep[8192];
		size_t n = (size_t)snprintf(deep, sizeof deep, "<Fault>");
		for (int i = 0; i < 600; i++)
			n += (size_t)snprintf(deep + n, sizeof deep - n,
					      "<a>");
		CHECK_INT(junk_found_s(deep, n), 0);
	}
	/* binary junk, some of it starting with a tag */
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + (size_t)round * 19 % sizeof rnd;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			rnd[i] = (unsigned char)(seed >> 16);
		}
		if (round & 1)
			memcpy(rnd, "<s:Fault>", n < 9 ? n : 9);
		CHECK_INT(junk_found_s((const char *)rnd, n), 0);
	}
}

/* A well-formed Fault of exactly n bytes (a long comment inside). */
static void huge_fault(char *p, size_t n)
{
	static const char head[] = "<Fault><faultcode>big</faultcode><!--";
	static const char tail[] = "--></Fault>";
	memcpy(p, head, sizeof head - 1);
	memset(p + sizeof head - 1, 'x', n - (sizeof head - 1));
	memcpy(p + n - (sizeof tail - 1), tail, sizeof tail - 1);
}

static void test_huge(void)
{
	size_t n = SFB_MAX_XML + 1;
	char *p = malloc(n);
	struct xmlbody_fault f;
	if (!p)
		exit(2);
	/* one byte over the limit: skipped unread */
	huge_fault(p, n);
	CHECK_INT(xmlbody_soap_fault(sv_make(p, n), &f), 0);
	/* at the limit: read */
	huge_fault(p, n - 1);
	CHECK_INT(xmlbody_soap_fault(sv_make(p, n - 1), &f), 1);
	CHECK_SV(sv_cstr(f.code), "big");
	free(p);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_hostile(void)
{
	struct xmlbody_fault f;
	struct rec *r = calloc(1, sizeof *r);
	char path[4096], doc[8192];
	if (!r)
		exit(2);

	/* XXE: an external entity naming a local file, used in the
	 * faultstring: the file is never read, the document refused */
	CHECK_INT(fault_s("<?xml version=\"1.0\"?><!DOCTYPE Fault [<!ENTITY "
			  "x SYSTEM \"file:///etc/passwd\">]><Fault>"
			  "<faultcode>c</faultcode><faultstring>&x;"
			  "</faultstring></Fault>", &f), 0);
	CHECK(strstr(f.reason, "root") == NULL);

	/* the same with our own secret file, by absolute path, as
	 * provisioning, as a parameter entity and as XInclude */
	CHECK(realpath(FIX "secret.txt", path) != NULL);
	snprintf(doc, sizeof doc, "<!DOCTYPE provisionGroupList [<!ENTITY s "
		 "SYSTEM \"file://%s\">]><provisionGroupList><provisionGroup "
		 "name=\"g\"><property name=\"k\">&s;</property>"
		 "</provisionGroup></provisionGroupList>", path);
	CHECK_INT(prov_s(doc, r), XMLBODY_REFUSED);
	CHECK(strstr(xmlbody_rc_text(XMLBODY_REFUSED), "DOCTYPE") != NULL);
	/* nested deeper than libxml2 allows: BAD, so the caller can say
	 * the body was not read (issue 8) */
	{
		size_t dn = (size_t)snprintf(doc, sizeof doc,
					     "<provisionGroupList>");
		for (int i = 0; i < 300; i++)
			dn += (size_t)snprintf(doc + dn, sizeof doc - dn,
					       "<a>");
		for (int i = 0; i < 300; i++)
			dn += (size_t)snprintf(doc + dn, sizeof doc - dn,
					       "</a>");
		dn += (size_t)snprintf(doc + dn, sizeof doc - dn,
				       "</provisionGroupList>");
		CHECK(dn < sizeof doc);
		CHECK_INT(xmlbody_provisioning(sv_make(doc, dn), NULL),
			  XMLBODY_BAD);
	}
	CHECK_INT(r->nprops, 0);
	snprintf(doc, sizeof doc, "<!DOCTYPE Fault [<!ENTITY %% p SYSTEM "
		 "\"file://%s\"> %%p;]><Fault><faultstring>x</faultstring>"
		 "</Fault>", path);
	CHECK_INT(fault_s(doc, &f), 0);
	snprintf(doc, sizeof doc, "<Fault xmlns:xi=\"http://www.w3.org/2001/"
		 "XInclude\"><faultstring><xi:include href=\"file://%s\" "
		 "parse=\"text\"/></faultstring></Fault>", path);
	CHECK_INT(fault_s(doc, &f), 1);
	CHECK(strstr(f.reason, "SECRET") == NULL);
	CHECK_SV(sv_cstr(f.reason), "");
	/* a remote DTD: network is off, and a DOCTYPE is refused anyway */
	CHECK_INT(fault_s("<!DOCTYPE Fault SYSTEM \"http://192.0.2.1/f.dtd\">"
			  "<Fault><faultstring>x</faultstring></Fault>", &f),
		  0);

	/* billion laughs (10^9 "lol"s) and a quadratic blow-up: refused
	 * at the DOCTYPE, at once */
	size_t n = (size_t)snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?>"
				    "<!DOCTYPE Fault [<!ENTITY l0 \"lol\">");
	for (int i = 1; i <= 9; i++) {
		n += (size_t)snprintf(doc + n, sizeof doc - n,
				      "<!ENTITY l%d \"", i);
		for (int j = 0; j < 10; j++)
			n += (size_t)snprintf(doc + n, sizeof doc - n,
					      "&l%d;", i - 1);
		n += (size_t)snprintf(doc + n, sizeof doc - n, "\">");
	}
	snprintf(doc + n, sizeof doc - n, "]><Fault><faultstring>&l9;"
		 "</faultstring></Fault>");
	double t = now();
	CHECK_INT(fault_s(doc, &f), 0);
	CHECK_INT(prov_s(doc, r), -1);
	char *q = malloc(1 << 20);
	if (!q)
		exit(2);
	n = (size_t)snprintf(q, 64, "<!DOCTYPE Fault [<!ENTITY a \"");
	memset(q + n, 'a', 50000);
	n += 50000;
	n += (size_t)snprintf(q + n, 64, "\">]><Fault><faultstring>");
	for (int i = 0; i < 50000; i++) {
		memcpy(q + n, "&a;", 3);
		n += 3;
	}
	n += (size_t)snprintf(q + n, 64, "</faultstring></Fault>");
	struct body b = mk(q, n);
	CHECK_INT(xmlbody_soap_fault(bv(b), &f), 0);
	free(b.p);
	free(q);
	CHECK(now() - t < 1.0);
	free(r);
}

/* Every call above, again, with stderr going to a file that must stay
 * empty (libxml2's default handlers print there). */
static void test_quiet(void)
{
	FILE *tmp = tmpfile();
	int saved;
	long size = -1;
	CHECK(tmp != NULL);
	if (!tmp)
		return;
	fflush(stderr);
	saved = dup(2);
	CHECK(saved >= 0);
	if (saved < 0 || dup2(fileno(tmp), 2) < 0) {
		fclose(tmp);
		return;
	}
	/* a check failing in here prints to the file, which shows too */
	test_fault_soap12();
	test_fault_soap11_msrtc();
	test_fault_prefixes();
	test_fault_text();
	test_fault_not_found();
	test_provisioning();
	test_provisioning_not();
	test_provisioning_paths();
	test_location();
	test_junk();
	test_hostile();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (fseek(tmp, 0, SEEK_END) == 0)
		size = ftell(tmp);
	CHECK_INT(size, 0);
	if (size > 0) {
		char buf[512];
		size_t got;
		rewind(tmp);
		got = fread(buf, 1, sizeof buf - 1, tmp);
		buf[got] = '\0';
		fprintf(stderr, "stderr got: %s\n", buf);
	}
	fclose(tmp);
}

/* ---- speed ------------------------------------------------------------- */

/* A ~50 KB provisioning body: 8 groups of 60 properties. */
static struct body big_prov(void)
{
	size_t cap = 1 << 17, n = 0;
	char *p = malloc(cap);
	if (!p)
		exit(2);
	n += (size_t)snprintf(p + n, cap - n, "<provisionGroupList xmlns=\""
			      "http://schemas.microsoft.com/2006/09/sip/"
			      "provisiongrouplist-notification\">\n");
	for (int g = 0; g < 8; g++) {
		n += (size_t)snprintf(p + n, cap - n, "<provisionGroup name="
				      "\"group%d\" >\n<propertyEntryList >\n",
				      g);
		for (int i = 0; i < 60; i++)
			n += (size_t)snprintf(p + n, cap - n,
					      "<property name=\"property%dOf"
					      "Group%d\" >https://pool01."
					      "contoso.com/service/%d/%d"
					      "</property>\n", i, g, g, i);
		n += (size_t)snprintf(p + n, cap - n, "</propertyEntryList>\n"
				      "</provisionGroup>\n");
	}
	n += (size_t)snprintf(p + n, cap - n, "</provisionGroupList>\n");
	struct body b = mk(p, n);
	free(p);
	return b;
}

static void count_prop(void *ud, const char *group, const char *name,
		       const char *value)
{
	(void)group;
	(void)name;
	(void)value;
	(*(int *)ud)++;
}

/* @return seconds per parse of b, over iters parses */
static double time_prov(struct body b, int iters, int *props)
{
	struct xmlbody_prov_sink s = { NULL, count_prop, props };
	double t = now();
	for (int i = 0; i < iters; i++)
		xmlbody_provisioning(bv(b), &s);
	return (now() - t) / iters;
}

static void test_speed(void)
{
	struct body b = big_prov();
	int props = 0;
	CHECK(b.n > 40000);
	/* correctness only: timing belongs to `make bench`, not to a
	 * unit test on a shared machine */
	(void)time_prov(b, 20, &props);
	CHECK_INT(props, 20 * 480);
	free(b.p);
}

static int bench(void)
{
	struct body b = big_prov();
	int props = 0;
	int iters = 2000;
	double per = time_prov(b, iters, &props);
	struct xmlbody_fault f;
	int found = 0;
	printf("xmlbody: %zu-byte provisioning body, %d properties: "
	       "%.1f us per parse, %.0f MB/s\n", b.n, props / iters,
	       per * 1e6, (double)b.n / per / 1e6);
	/* the same body asked for a Fault: screened out unparsed */
	double t = now();
	for (int i = 0; i < iters; i++)
		found += xmlbody_soap_fault(bv(b), &f);
	per = (now() - t) / iters;
	printf("xmlbody: the same body screened for a Fault: %.1f us, "
	       "%.0f MB/s (%d found)\n", per * 1e6,
	       (double)b.n / per / 1e6, found);
	free(b.p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--bench") == 0)
		return bench();
	CHECK(xmlbody_version()[0] == '2');
	test_fault_soap12();
	test_fault_soap11_msrtc();
	test_fault_prefixes();
	test_fault_text();
	test_fault_not_found();
	test_provisioning();
	test_provisioning_cut();
	test_provisioning_not();
	test_provisioning_paths();
	test_provisioning_fast();
	test_location();
	test_truncated();
	test_junk();
	test_huge();
	test_hostile();
	test_quiet();
	test_speed();
	return CHECK_DONE("unit_xmlbody");
}
