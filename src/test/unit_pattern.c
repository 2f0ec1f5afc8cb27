/* SPDX-License-Identifier: MIT */
/*
 * unit_rule.c -- unit tests of the pattern table (pattern.c) and of the
 * shipped rules/patterns.tsv: the events (names, steps, effects, fields)
 * that realistic client and server entries give, in table order, and
 * none on everyday chatter; every grammar error with its exact
 * FILE:LINE:COL message; several files in order; needle-less and short
 * needles; a callback that stops matching; the needle filter against a
 * naive oracle on random texts; the README examples; the bundled
 * sample end to end.  Run from the repository root.
 *
 * `unit_rule --bench [MB]` measures pattern_match over the entry
 * texts of testdata/sample/Lync-UccApi-0.UccApilog repeated to MB
 * megabytes (200 by default) and prints MB/s.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ana.h"
#include "check.h"
#include "lr.h"
#include "parser.h"
#include "pattern.h"
#include "grep.h"
#include "sv.h"

#define SHIPPED "rules/patterns.tsv"

/* ------------------------------------------------------------------ */
/* collecting events                                                   */

struct got {
	char name[72];
	enum sfb_step step;
	int sev, fails;
	char explain[600];
	size_t ncaps;
	char cap[PAT_MAX_CAPS][2][200];
	char match[200];
};

#define MAX_GOT 24

struct col {
	struct got ev[MAX_GOT];
	int n;
	int stop_at;            /* return 7 from this event on (1-based) */
	int calls;
};

static int collect(void *ud, const struct pat_event *ev)
{
	struct col *c = ud;
	c->calls++;
	if (c->n < MAX_GOT) {
		struct got *g = &c->ev[c->n++];
		snprintf(g->name, sizeof g->name, "%s", ev->name);
		g->step = ev->step;
		g->sev = ev->sev;
		g->fails = ev->fails_step;
		snprintf(g->explain, sizeof g->explain, "%s", ev->explain);
		g->ncaps = ev->ncaps;
		for (size_t i = 0; i < ev->ncaps; i++) {
			sv_copy(g->cap[i][0], sizeof g->cap[i][0],
				ev->caps[i].name);
			sv_copy(g->cap[i][1], sizeof g->cap[i][1],
				ev->caps[i].value);
		}
		sv_copy(g->match, sizeof g->match, ev->match);
	}
	return c->stop_at && c->calls >= c->stop_at ? 7 : 0;
}

static int run(struct pat_table *t, struct sv text, struct col *c)
{
	memset(c, 0, sizeof *c);
	return pattern_match(t, text, collect, c);
}

static const struct got *find_ev(const struct col *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->ev[i].name, name))
			return &c->ev[i];
	return NULL;
}

static const char *cap_of(const struct got *g, const char *name)
{
	for (size_t i = 0; g && i < g->ncaps; i++)
		if (!strcmp(g->cap[i][0], name))
			return g->cap[i][1];
	return NULL;
}

/* "a b c": the event names in order */
static void names_of(const struct col *c, char *out, size_t cap)
{
	out[0] = '\0';
	size_t n = 0;
	for (int i = 0; i < c->n; i++) {
		int w = snprintf(out + n, cap - n, "%s%s", i ? " " : "",
				 c->ev[i].name);
		if (w < 0 || (size_t)w >= cap - n)
			break;
		n += (size_t)w;
	}
}

/* ------------------------------------------------------------------ */
/* clones: the same events, on another thread at the same time         */

/* ------------------------------------------------------------------ */
/* temporary pattern files                                             */

static char tmp_path[512];

static const char *put_tmp(const char *data, size_t n)
{
	const char *dir = getenv("TMPDIR");
	snprintf(tmp_path, sizeof tmp_path, "%s/unit_rule.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmp_path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w <= 0) {
			perror("write");
			exit(2);
		}
		off += (size_t)w;
	}
	close(fd);
	return tmp_path;
}

static struct pat_table *load1(const char *path, struct sfb_err *err)
{
	const char *paths[] = { path, NULL };
	memset(err, 0, sizeof *err);
	return pattern_load(paths, err);
}

/* ------------------------------------------------------------------ */
/* the shipped table on realistic entries                              */

struct ecase {
	const char *text;
	const char *want;       /* event names in order, space-separated */
	const char *caps[12];   /* "event/cap=value"; "event/cap=" absent */
};

static const struct ecase ecases[] = {
	/* discovery */
	{ "Lync autodiscovery started for sip:bob@fabrikam.com\n"
	  " internal: https://lyncdiscoverinternal.fabrikam.com/?sipuri="
	  "bob@fabrikam.com\n"
	  " external: https://lyncdiscover.fabrikam.com/?sipuri="
	  "bob@fabrikam.com",
	  "autodiscover.start",
	  { "autodiscover.start/uri=sip:bob@fabrikam.com" } },
	{ "Lync autodiscovery completed with hr: 0X0 sipint: sipext: "
	  "sip.fabrikam.com:443 authint: authext: https://lyncweb.fabrikam."
	  "com/CertProv/CertProvisioningService.svc ucwaint: ucwaext: "
	  "https://lyncweb.fabrikam.com/ucwa/v1/applications wts: https://"
	  "lyncweb.fabrikam.com/WebTicket/WebTicketService.svc ucwaurl: "
	  "telemetryurl: isServiceInRefresh: 0 isTempError: 0",
	  "autodiscover.ok",
	  { "autodiscover.ok/hr=0X0", "autodiscover.ok/sipint=",
	    "autodiscover.ok/sipext=sip.fabrikam.com:443",
	    "autodiscover.ok/authint=",
	    "autodiscover.ok/authext=https://lyncweb.fabrikam.com/CertProv/"
	    "CertProvisioningService.svc",
	    "autodiscover.ok/wts=https://lyncweb.fabrikam.com/WebTicket/"
	    "WebTicketService.svc" } },
	{ "Lync autodiscovery completed with hr: 0x00000000 sipint: "
	  "pool01.fabrikam.com:5061 sipext: authint: https://pool01."
	  "fabrikam.com/CertProv/CertProvisioningService.svc authext: "
	  "ucwaint: ucwaext: wts: ucwaurl:",
	  "autodiscover.ok",
	  { "autodiscover.ok/sipint=pool01.fabrikam.com:5061",
	    "autodiscover.ok/sipext=", "autodiscover.ok/wts=",
	    "autodiscover.ok/authint=https://pool01.fabrikam.com/CertProv/"
	    "CertProvisioningService.svc" } },
	/* FORMATS.md section 1 */
	{ "Lync autodiscovery completed with hr: 0X80004005 sipint: ... "
	  "sipext: ...",
	  "autodiscover.fail", { "autodiscover.fail/hr=0X80004005" } },
	{ "DNS: query lyncdiscoverinternal.fabrikam.com type A failed, "
	  "status=0x8007232b (DNS name does not exist)",
	  "dns.lyncdiscover.fail",
	  { "dns.lyncdiscover.fail/name=lyncdiscoverinternal.fabrikam.com",
	    "dns.lyncdiscover.fail/hr=0x8007232b" } },
	{ "DNS: query lyncdiscover.fabrikam.com type A returned 198.51.100.20",
	  "dns.lyncdiscover.ok",
	  { "dns.lyncdiscover.ok/name=lyncdiscover.fabrikam.com",
	    "dns.lyncdiscover.ok/ip=198.51.100.20" } },
	{ "DNS: query _sip._tls.fabrikam.com type SRV returned "
	  "sip.fabrikam.com:443 (priority 0, weight 0)",
	  "dns.srv.ok",
	  { "dns.srv.ok/name=_sip._tls.fabrikam.com",
	    "dns.srv.ok/target=sip.fabrikam.com", "dns.srv.ok/port=443" } },
	{ "DNS: query _sipinternaltls._tcp.fabrikam.com type SRV failed, "
	  "status=0x8007232b (DNS name does not exist)",
	  "dns.srv.fail",
	  { "dns.srv.fail/name=_sipinternaltls._tcp.fabrikam.com" } },
	{ "DNS: query sipinternal.fabrikam.com type A returned 10.1.0.20",
	  "dns.sipinternal.ok",
	  { "dns.sipinternal.ok/name=sipinternal.fabrikam.com",
	    "dns.sipinternal.ok/ip=10.1.0.20" } },
	{ "DNS: query SIP.fabrikam.com type A returned 198.51.100.10",
	  "dns.sip.ok", { "dns.sip.ok/name=SIP.fabrikam.com" } },
	{ "DNS: query sipexternal.fabrikam.com type AAAA returned "
	  "2001:db8::10",
	  "dns.sipexternal.ok", { "dns.sipexternal.ok/ip=2001:db8::10" } },
	{ "DNS: query pool09.fabrikam.com type A failed, status=0x8007232B",
	  "dns.not_found",
	  { "dns.not_found/name=pool09.fabrikam.com",
	    "dns.not_found/hr=0x8007232B" } },
	{ "DnsQuery for webext.fabrikam.com failed with error 9003",
	  "dns.not_found_9003",
	  { "dns.not_found_9003/name=webext.fabrikam.com",
	    "dns.not_found_9003/code=9003" } },
	{ "GetAddrInfo for lyncweb.fabrikam.com: 0x80072ee7",
	  "http.name_not_resolved", { NULL } },
	/* connectivity */
	{ "Transport: TLS connection established to 198.51.100.10:443 "
	  "(sip.fabrikam.com) from 192.168.1.40:51234, protocol TLS 1.2, "
	  "server certificate CN=sip.fabrikam.com",
	  "tls.connected",
	  { "tls.connected/server=198.51.100.10:443",
	    "tls.connected/host=sip.fabrikam.com",
	    "tls.connected/cert=CN=sip.fabrikam.com" } },
	{ "TLS connection 0x1F2A00 accepted from 198.51.100.7:50123 on "
	  "203.0.113.10:443",
	  "tls.accepted",
	  { "tls.accepted/client=198.51.100.7:50123",
	    "tls.accepted/server=203.0.113.10:443" } },
	{ "TLS: handshake with 10.1.0.50:443 (lyncdiscoverinternal.fabrikam."
	  "com) failed, hr=0x80090322 SEC_E_WRONG_PRINCIPAL",
	  "tls.handshake_fail tls.wrong_principal",
	  { "tls.handshake_fail/server=10.1.0.50:443",
	    "tls.handshake_fail/host=lyncdiscoverinternal.fabrikam.com",
	    "tls.handshake_fail/hr=0x80090322",
	    "tls.wrong_principal/hr=0x80090322" } },
	{ "SEC_E_UNTRUSTED_ROOT 0x80090325 connecting to edge.fabrikam.com",
	  "tls.untrusted_root", { NULL } },
	{ "Certificate chain check failed, hr=0x800B0109 "
	  "(CERT_E_UNTRUSTEDROOT)",
	  "cert.untrusted_root", { "cert.untrusted_root/hr=0x800B0109" } },
	{ "Certificate validation failed with 800b0101 CERT_E_EXPIRED",
	  "cert.expired", { "cert.expired/hr=800b0101" } },
	{ "SEC_E_CERT_EXPIRED (0x80090328) from the server",
	  "tls.cert_expired", { NULL } },
	{ "Certificate name check failed 0x800B010F", "cert.name_mismatch",
	  { NULL } },
	{ "connect to 10.1.0.20:5061 failed, error 10061 (WSAECONNREFUSED)",
	  "net.refused", { "net.refused/code=10061" } },
	{ "Connection attempt failed: WSAETIMEDOUT 10060", "net.timeout",
	  { NULL } },
	{ "HTTP request to https://lyncdiscover.fabrikam.com/ failed, "
	  "hr=0x80072efd", "http.cannot_connect", { NULL } },
	{ "WinHttp request timed out, hr=0x80072EE2", "http.timeout",
	  { NULL } },
	{ "Register failed: hr=0x80EE0057 (UCC_E_NO_TRANSPORT)",
	  "transport.none", { NULL } },
	/* authentication, FORMATS.md section 1 */
	{ "status=0x80ef0191", "client.hr_sip_401",
	  { "client.hr_sip_401/hr=0x80ef0191" } },
	{ "ACTION: AUTH FAIL - NEED NEW CERT", "auth.need_new_cert",
	  { NULL } },
	{ "TargetUri:https://lyncweb.fabrikam.com/CertProv/"
	  "CertProvisioningService.svc/WebTicket_Proof",
	  "certprov.uri",
	  { "certprov.uri/uri=https://lyncweb.fabrikam.com/CertProv/"
	    "CertProvisioningService.svc/WebTicket_Proof" } },
	{ "Executing wws method with OAuth, asyncContext=1214F6C8,\n"
	  " context: WebRequest context@ :301222784\n"
	  " MethodType:1\n"
	  "  AsyncHResult:80f10041\n"
	  "  TargetUri:https://webdir.fabrikam.com/WebTicket/"
	  "WebTicketService.svc/OAuth\n"
	  " Error: The server returned a trust fault: 'User is not SIP "
	  "enabled'\n"
	  " The fault reason was: 'wsse:FailedAuthentication'",
	  "webticket.uri webservice.async_hr webservice.fault "
	  "webticket.trust_fault webticket.fault_reason auth.not_sip_enabled",
	  { "webticket.uri/uri=https://webdir.fabrikam.com/WebTicket/"
	    "WebTicketService.svc/OAuth",
	    "webservice.async_hr/hr=80f10041",
	    "webservice.async_hr/fault=User is not SIP enabled",
	    "webservice.fault/async_hr=80f10041",
	    "webservice.fault/target=https://webdir.fabrikam.com/WebTicket/"
	    "WebTicketService.svc/OAuth",
	    "webservice.fault/fault=User is not SIP enabled",
	    "webservice.fault/reason=wsse:FailedAuthentication",
	    "auth.not_sip_enabled/fault=User is not SIP enabled",
	    "webservice.async_hr/uri=https://webdir.fabrikam.com/WebTicket/"
	    "WebTicketService.svc/OAuth",
	    "webticket.trust_fault/fault=User is not SIP enabled",
	    "webticket.fault_reason/reason=wsse:FailedAuthentication" } },
	{ "Executing Token Auth method, TokenProviderType=0,\n"
	  " AsyncHResult:0\n"
	  " TargetUri:https://lyncweb.fabrikam.com/CertProv/"
	  "CertProvisioningService.svc/WebTicket_Proof",
	  "certprov.uri", { NULL } },
	{ "The server returned a trust fault: 'The account is disabled.'",
	  "webticket.trust_fault auth.account_disabled",
	  { "webticket.trust_fault/fault=The account is disabled." } },
	{ " Error: The server returned a trust fault: 'The password has "
	  "expired.'",
	  "webservice.fault webticket.trust_fault auth.password_expired",
	  { "webservice.fault/fault=The password has expired.",
	    "auth.password_expired/fault=The password has expired." } },
	{ "Executing wws method with OAuth,\n"
	  "  AsyncHResult:80f10041\n"
	  " Error:\n"
	  " The password has expired.",
	  "webservice.async_hr webservice.fault auth.password_expired",
	  { "webservice.fault/fault=The password has expired.",
	    "auth.password_expired/fault=The password has expired." } },
	{ "The SIP URI in the claim type requirements of the web ticket "
	  "request does not match the SIP URI associated with the presented "
	  "credentials.",
	  "auth.sip_uri_mismatch",
	  { "auth.sip_uri_mismatch/fault=The SIP URI in the claim type "
	    "requirements of the web ticket request does not match the SIP "
	    "URI associated with the presented credentials." } },
	{ "SignIn: giving up after 5 REGISTER requests all answered 401 "
	  "Unauthorized, hr=0xC0430004 (SIP_E_AUTH_UNAUTHORIZED)",
	  "auth.unauthorized signin.give_up",
	  { "signin.give_up/count=5", "signin.give_up/status=401",
	    "signin.give_up/hr=0xC0430004" } },
	{ "Register: hr=0x80EE0056 UCC_E_NO_REALM", "auth.no_realm",
	  { NULL } },
	{ "AcceptSecurityContext returned 0x8009030c SEC_E_LOGON_DENIED",
	  "auth.logon_denied", { NULL } },
	{ "InitializeSecurityContext failed: 0x80090324 SEC_E_TIME_SKEW",
	  "auth.time_skew", { NULL } },
	{ "Kerberos error KRB_AP_ERR_SKEW from dc01.fabrikam.com",
	  "auth.clock_skew", { NULL } },
	{ "Significant time skew detected during authentication",
	  "auth.clock_skew", { NULL } },
	{ "Security: Kerberos service ticket for sip/fe01.fabrikam.com "
	  "obtained from dc01.fabrikam.com",
	  "auth.kerberos_ticket",
	  { "auth.kerberos_ticket/spn=sip/fe01.fabrikam.com",
	    "auth.kerberos_ticket/kdc=dc01.fabrikam.com" } },
	{ "Security: user certificate CN=bob@fabrikam.com issued by "
	  "CN=FABRIKAM-CA, valid 180 days, stored in the user store",
	  "auth.user_cert_ok",
	  { "auth.user_cert_ok/subject=bob@fabrikam.com",
	    "auth.user_cert_ok/issuer=CN=FABRIKAM-CA" } },
	{ "Security: no valid user certificate for sip:bob@fabrikam.com in "
	  "the store, getting one from https://lyncweb.fabrikam.com/CertProv/"
	  "CertProvisioningService.svc",
	  "auth.no_user_cert",
	  { "auth.no_user_cert/uri=sip:bob@fabrikam.com",
	    "auth.no_user_cert/url=https://lyncweb.fabrikam.com/CertProv/"
	    "CertProvisioningService.svc" } },
	{ "Bootstrap: GetAndPublishCert failed, status=0x80ef0191",
	  "client.hr_sip_401 certprov.publish_fail",
	  { "certprov.publish_fail/hr=0x80ef0191" } },
	{ "1.3.1 GetAndPublishCert: FAIL (hr = 0x1)",
	  "certprov.publish_fail client.step.fail",
	  { "certprov.publish_fail/hr=0x1", "client.step.fail/step=1.3.1",
	    "client.step.fail/name=GetAndPublishCert",
	    "client.step.fail/result=FAIL", "client.step.fail/hr=0x1" } },
	/* a step-tree line with the web request under it (raw reader) */
	{ "1.1.1 Get-NewWebTicket: FAIL (hr = 0x80f10041)\n"
	  "Executing wws method with OAuth, asyncContext=1214F6C8,\n"
	  "  AsyncHResult:80f10041\n"
	  "  TargetUri:https://webdir.fabrikam.com/WebTicket/"
	  "WebTicketService.svc/OAuth\n"
	  " Error: The server returned a trust fault: 'The account is "
	  "disabled.'",
	  "webticket.uri webservice.async_hr webservice.fault "
	  "webticket.trust_fault auth.account_disabled client.step.fail",
	  { "client.step.fail/step=1.1.1",
	    "client.step.fail/name=Get-NewWebTicket",
	    "client.step.fail/hr=0x80f10041",
	    "client.step.fail/async_hr=80f10041",
	    "client.step.fail/target=https://webdir.fabrikam.com/WebTicket/"
	    "WebTicketService.svc/OAuth",
	    "client.step.fail/fault=The account is disabled.",
	    "auth.account_disabled/fault=The account is disabled." } },
	{ "SignIn: credentials rejected by fe01.fabrikam.com (attempt 2), "
	  "asking the user again",
	  "auth.credentials_rejected",
	  { "auth.credentials_rejected/server=fe01.fabrikam.com",
	    "auth.credentials_rejected/attempt=2" } },
	{ "SignIn: signed in as sip:bob@fabrikam.com on fe01.fabrikam.com "
	  "(auth NTLM), hr=0x0",
	  "signin.ok",
	  { "signin.ok/uri=sip:bob@fabrikam.com",
	    "signin.ok/server=fe01.fabrikam.com", "signin.ok/auth=NTLM" } },
	{ "SignIn: REGISTER answered 403 Forbidden (ms-diagnostics 4003: "
	  "From URI not enabled for remote access), sign-in stopped",
	  "signin.register_error",
	  { "signin.register_error/status=403",
	    "signin.register_error/diag=4003",
	    "signin.register_error/reason=From URI not enabled for remote "
	    "access" } },
	{ "Web ticket rejected for sip:bob@fabrikam.com: signature does not "
	  "verify with the certificate of the web ticket issuer; "
	  "X-Ms-diagnostics 28032",
	  "webticket.rejected",
	  { "webticket.rejected/for=sip:bob@fabrikam.com",
	    "webticket.rejected/diag=28032", "webticket.rejected/peer=" } },
	{ "Web ticket rejected for IssueToken from 10.1.0.40:58377: "
	  "InvalidSecurityToken; X-Ms-diagnostics 28032",
	  "webticket.rejected",
	  { "webticket.rejected/for=IssueToken",
	    "webticket.rejected/peer=10.1.0.40:58377",
	    "webticket.rejected/reason=InvalidSecurityToken" } },
	{ "Endpoint registered: sip:bob@fabrikam.com epid=0a1b2c3d4e "
	  "instance=5E1C7A11-0000-4000-8000-00AA00BB00CC auth=TLS-DSK "
	  "expires=3600",
	  "registrar.registered",
	  { "registrar.registered/epid=0a1b2c3d4e",
	    "registrar.registered/auth=TLS-DSK" } },
	/* redirection, settings, sign-in */
	{ "SignIn: redirected by dir01.fabrikam.com to home server "
	  "pool02.fabrikam.com:5061, signing in again",
	  "redirect.home_server",
	  { "redirect.home_server/from=dir01.fabrikam.com",
	    "redirect.home_server/to=pool02.fabrikam.com:5061" } },
	{ "User sip:bob@fabrikam.com is homed on pool02.fabrikam.com: "
	  "answering 301 Redirect request to Home Server",
	  "redirect.homed_on",
	  { "redirect.homed_on/pool=pool02.fabrikam.com" } },
	{ "<property name=\"hybridConfigServiceInternalUrl\" >https://hybrid."
	  "fabrikam.com/config</property>",
	  "settings.hybrid_config",
	  { "settings.hybrid_config/where=Internal",
	    "settings.hybrid_config/url=https://hybrid.fabrikam.com/"
	    "config" } },
	{ "<property name=\"hybridConfigServiceExternalUrl\" ></property>",
	  "settings.hybrid_config", { "settings.hybrid_config/url=" } },
	{ "<LocationProfileDescription xmlns=\"http://schemas.microsoft.com/"
	  "2007/03/LocationProfileDescription\"><Name>pool01.fabrikam.com/"
	  "DefaultProfile</Name><Rule><Pattern>^(\\d{4})$</Pattern>",
	  "settings.location_profile",
	  { "settings.location_profile/profile=pool01.fabrikam.com/"
	    "DefaultProfile" } },
	{ "SignIn: starting sign-in for sip:bob@fabrikam.com (server "
	  "configuration: automatic, client 16.0.5095.1000)",
	  "signin.start",
	  { "signin.start/uri=sip:bob@fabrikam.com",
	    "signin.start/version=16.0.5095.1000" } },
	{ "SignIn: sign-in failed for sip:bob@fabrikam.com, hr=0x80ef0191",
	  "client.hr_sip_401 signin.fail",
	  { "signin.fail/uri=sip:bob@fabrikam.com",
	    "signin.fail/hr=0x80ef0191" } },
	{ "1 Login: FAIL (hr = 0x1)", "client.step.fail",
	  { "client.step.fail/name=Login" } },
	/* a tab or two spaces after the colon: the regex allows them, so
	 * the needle must not be ": fail" (it was, and missed these) */
	{ "1 Login:\tFAIL (hr = 0x1)", "client.step.fail",
	  { "client.step.fail/name=Login" } },
	{ "2.1 Login:  FAIL", "client.step.fail",
	  { "client.step.fail/step=2.1" } },
	{ "- 1 Login: FAIL (hr = 0x80fb0800)", "client.step.fail",
	  { "client.step.fail/step=1", "client.step.fail/hr=0x80fb0800" } },
	{ "1.2 DNSAutoDiscovery: PASS", "client.step",
	  { "client.step/step=1.2", "client.step/name=DNSAutoDiscovery",
	    "client.step/result=PASS" } },
};

/* Everyday chatter and message lines: no event. */
static const char *const quiet[] = {
	"Exchange: EWS url https://mail.fabrikam.com/EWS/Exchange.asmx "
	"state=Connected",
	"Transport: keep-alive sent on 192.168.1.40:10061 (connection to "
	"198.51.100.10:443)",
	"Transport: 10.1.0.20:5061 bytes pending 0, last receive 9003 ms ago",
	"Presence: local state is 3500 (Available), activity token \"\"",
	"Media: device enumeration done, 2 audio devices, 1 video devices",
	"ContactList: view refreshed, 42 contacts in 5 groups",
	"Register: sending REGISTER to 198.51.100.10:443, no credentials "
	"yet (security association not set up)",
	"Conversation: call to +14255550100@fabrikam.com failed with 480 "
	"Temporarily Unavailable",
	"Conversation: new IM conversation with sip:chloe@fabrikam.com",
	"Kerberos ticket for sip/fe01.fabrikam.com could not be obtained",
	"WWW-Authenticate: Kerberos realm=\"SIP Communications Service\", "
	"targetname=\"sip/fe01.fabrikam.com\", version=4",
	"Via: SIP/2.0/TLS 192.168.1.40:51234;branch=z9hG4bK77a1;ms-received-"
	"port=51234",
	"Host: lyncdiscover.fabrikam.com",
	"GET /?sipuri=bob@fabrikam.com HTTP/1.1",
	"Lync autodiscovery completed with hr: 0x00000001x",
	"Service state: isTempError: 1 isServiceInRefresh: 0",
	"VerifyOnEnableEvent result return ONENABLE_FAIL_AUTH_FAIL_CERT_THEN_"
	"SPECIFIC",
	"hr=0x180090322 is not a certificate error",
	"",
};

static void test_shipped(void)
{
	struct sfb_err err;
	struct pat_table *t = load1(SHIPPED, &err);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	size_t n = pattern_count(t);
	CHECK(n >= 30 && n <= 80);

	for (size_t i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
		const struct ecase *e = &ecases[i];
		struct col c;
		int rc = run(t, sv_cstr(e->text), &c);
		char names[512];
		names_of(&c, names, sizeof names);
		if (strcmp(names, e->want) != 0)
			fprintf(stderr, "case %zu: got '%s'\n", i, names);
		CHECK(strcmp(names, e->want) == 0);
		CHECK_INT(rc, c.n);
		size_t ncap = sizeof e->caps / sizeof e->caps[0];
		for (size_t k = 0; k < ncap && e->caps[k]; k++) {
			char ev[80];
			const char *slash = strchr(e->caps[k], '/');
			const char *eq = strchr(e->caps[k], '=');
			snprintf(ev, sizeof ev, "%.*s",
				 (int)(slash - e->caps[k]), e->caps[k]);
			char cn[40];
			snprintf(cn, sizeof cn, "%.*s",
				 (int)(eq - slash - 1), slash + 1);
			const char *v = cap_of(find_ev(&c, ev), cn);
			if (eq[1] == '\0') {    /* the field is absent */
				CHECK(v == NULL);
				continue;
			}
			if (!v || strcmp(v, eq + 1))
				fprintf(stderr, "case %zu: %s is '%s'\n", i,
					e->caps[k], v ? v : "(none)");
			CHECK(v && !strcmp(v, eq + 1));
		}
	}
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
		struct col c;
		int rc = run(t, sv_cstr(quiet[i]), &c);
		if (rc)
			fprintf(stderr, "quiet %zu: %s\n", i, c.ev[0].name);
		CHECK_INT(rc, 0);
	}

	/* step, severity, effect and explanation come from the table */
	struct col c;
	run(t, SV_LIT("Security: Kerberos service ticket for sip/fe01.f.com "
		      "obtained from dc01.f.com"), &c);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.ev[0].step, SFB_STEP_AUTH);
	CHECK_INT(c.ev[0].sev, SFB_SEV_INFO);
	CHECK_INT(c.ev[0].fails, 0);
	CHECK(c.ev[0].explain[0] != '\0');
	CHECK(strstr(c.ev[0].match, "Kerberos service ticket") ==
	      c.ev[0].match);
	run(t, SV_LIT("x hr=0x80090322 y"), &c);
	CHECK_INT(c.ev[0].step, SFB_STEP_CONNECTIVITY);
	CHECK_INT(c.ev[0].sev, SFB_SEV_ERROR);
	CHECK_INT(c.ev[0].fails, 1);
	CHECK(!strcmp(c.ev[0].match, "0x80090322"));
	run(t, SV_LIT("DNS: query lyncdiscover.f.com type A failed"), &c);
	CHECK_INT(c.ev[0].step, SFB_STEP_DISCOVERY);
	CHECK_INT(c.ev[0].sev, SFB_SEV_WARNING);
	CHECK_INT(c.ev[0].fails, 1);
	run(t, SV_LIT("Lync autodiscovery started for sip:a@f.com"), &c);
	CHECK_INT(c.ev[0].step, SFB_STEP_DISCOVERY);
	CHECK_INT(c.ev[0].fails, 0);
	run(t, SV_LIT("SignIn: redirected by a.f.com to home server b.f.com"),
	    &c);
	CHECK_INT(c.ev[0].step, SFB_STEP_REDIRECT);
	run(t, SV_LIT("<LocationProfileDescription><Name>x</Name>"), &c);
	CHECK_INT(c.ev[0].step, SFB_STEP_SETTINGS);
	run(t, SV_LIT("1 Login: FAIL"), &c);
	CHECK_INT(c.ev[0].step, SFB_STEP_NONE);

	/* every shipped pattern has an explanation */
	FILE *f = fopen(SHIPPED, "r");
	CHECK(f != NULL);
	char line[4200];
	int rows = 0, explained = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		rows++;
		int tabs = 0;
		for (char *p = line; *p; p++)
			tabs += *p == '\t';
		explained += tabs == 6 && strlen(strrchr(line, '\t')) > 40;
	}
	if (f)
		fclose(f);
	CHECK_INT(rows, (long long)n);
	CHECK_INT(explained, rows);
	pattern_free(t);
}

/* ------------------------------------------------------------------ */
/* the grammar                                                         */

struct bad {
	const char *text;
	const char *want;       /* after "PATH:" */
	unsigned long line;
	unsigned col;
};

#define NECASES (sizeof ecases / sizeof ecases[0])

struct clone_run {
	struct pat_table *t;
	char names[NECASES][256]; /* per ecase, the events of the last round */
};

/* Every case 50 times (an analyze -j worker matches many entries). */
static void *clone_thread(void *ud)
{
	struct clone_run *r = ud;
	for (int round = 0; round < 50; round++)
		for (size_t i = 0; i < NECASES; i++) {
			struct col c;
			(void)run(r->t, sv_cstr(ecases[i].text), &c);
			names_of(&c, r->names[i], sizeof r->names[i]);
		}
	return NULL;
}

/* A clone matches as its table does, while the table is in use. */
static void test_clone(void)
{
	struct sfb_err err;
	struct pat_table *t = load1(SHIPPED, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	static struct clone_run a, b;
	a.t = t;
	b.t = pattern_clone(t);
	CHECK_INT(pattern_count(b.t), pattern_count(t));
	pthread_t th;
	int started = pthread_create(&th, NULL, clone_thread, &b) == 0;
	CHECK(started);
	clone_thread(&a);
	if (started)
		pthread_join(th, NULL);
	for (size_t i = 0; i < NECASES; i++) {
		CHECK(strcmp(a.names[i], ecases[i].want) == 0);
		CHECK(strcmp(b.names[i], ecases[i].want) == 0);
	}
	/* the clone's captures are its own match data's */
	struct col c;
	CHECK_INT(run(b.t, sv_cstr(ecases[0].text), &c), c.n);
	CHECK(c.n > 0);
	pattern_free(b.t);
	/* the table works on without its clone */
	CHECK_INT(run(t, sv_cstr(ecases[0].text), &c), c.n);
	CHECK(c.n > 0 && !strncmp(ecases[0].want, c.ev[0].name,
				   strlen(c.ev[0].name)));
	pattern_free(t);
}

static const struct bad bads[] = {
	{ "x\n", "1:2: error: missing column 2 (step); columns are "
	  "separated by tabs", 1, 2 },
	{ "# c\n\nsite.x\tdiscovery\tinfo\n",
	  "3:22: error: missing column 4 (effect)", 3, 22 },
	{ "a\tnone\tinfo\t-\tneedle\t\t\n",
	  "1:21: error: missing column 6 (regex)", 1, 21 },
	{ "\tdiscovery\tinfo\t-\tn\tr\n", "1:1: error: line starts with a "
	  "tab: the event name is missing", 1, 1 },
	{ "Dns.x\tdiscovery\tinfo\t-\tn\tr\n", "1:1: error: bad event name "
	  "'Dns.x': use a-z, 0-9, '_', '.' and '-'", 1, 1 },
	{ "dns x\tdiscovery\tinfo\t-\tn\tr\n", "1:4: error: bad event name "
	  "'dns x': use a-z, 0-9, '_', '.' and '-'", 1, 4 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "\tnone\tinfo\t-\tn\tr\n", "1:65: error: event name longer than 64 "
	  "bytes", 1, 65 },
	{ "a\tdiscover\tinfo\t-\tn\tr\n", "1:3: error: unknown step "
	  "'discover' (discovery, connectivity, authentication, "
	  "redirection, settings or none)", 1, 3 },
	{ "a\tsettings\tWarning\t-\tn\tr\n", "1:12: error: unknown severity "
	  "'Warning' (info, warning or error)", 1, 12 },
	{ "a\tsettings\twarning\tyes\tn\tr\n", "1:20: error: unknown effect "
	  "'yes' (ok, fail or -)", 1, 20 },
	{ "a\tnone\terror\tfail\tn\tr\n", "1:14: error: effect 'fail' needs "
	  "a step other than 'none'", 1, 14 },
	{ "a\tnone\tinfo\tok\tn\tr\n", "1:13: error: effect 'ok' needs "
	  "a step other than 'none'", 1, 13 },
	{ "a\tsettings\tinfo\t-\tneedle\tabc(def\n", "1:33: error: regex: "
	  "missing closing parenthesis", 1, 33 },
	{ "a\tsettings\tinfo\t-\tneedle\tx[\n", "1:28: error: regex: missing "
	  "terminating ] for character class", 1, 28 },
	{ "a\tsettings\tinfo\t-\tn\t(?<a>1)(?<b>2)(?<c>3)(?<d>4)(?<e>5)"
	  "(?<f>6)(?<g>7)(?<h>8)(?<i>9)\n", "1:21: error: regex has 9 named "
	  "groups, at most 8", 1, 21 },
	{ "a\tnone\tinfo\t-\tn\tr\n# c\nb\tnone\tinfo\t-\tn\tr\n"
	  "a\tnone\tinfo\t-\tn\tr\n", "4:1: error: duplicate event name 'a' "
	  "(first defined at %s:1)", 4, 1 },
	{ "a\tnone\tinfo\t-\tn\tr\texplained\textra\n", "1:29: error: too "
	  "many columns (at most 7): a tab inside the explanation?", 1, 29 },
	{ "a\tnone\tinfo\t-\tn\tr\x80\n", "1:18: error: invalid UTF-8",
	  1, 18 },
	{ "a\tnone\tinfo\t-\tn\tr\t\xc3\xa9t\xc3\xa9 \xed\xa0\x80\n",
	  "1:25: error: invalid UTF-8", 1, 25 },
	{ "a\tnone\tinfo\t-\tn\tr\t\xc0\xaf\n", "1:19: error: invalid UTF-8",
	  1, 19 },
	{ "# c\r\n\r\n  \t\r\na\tnone\tinfo\t-\tn\t(\r\n",
	  "4:18: error: regex: missing closing parenthesis", 4, 18 },
};

static void check_bad(const char *text, size_t len, const char *want,
		      unsigned long line, unsigned col)
{
	const char *path = put_tmp(text, len);
	/* exp = "PATH:" want, with a "%s" in want (the file of a first
	 * definition) replaced by PATH too */
	char exp[1200];
	const char *pct = strstr(want, "%s");
	if (pct)
		snprintf(exp, sizeof exp, "%s:%.*s%s%s", path,
			 (int)(pct - want), want, path, pct + 2);
	else
		snprintf(exp, sizeof exp, "%s:%s", path, want);
	struct sfb_err err;
	struct pat_table *t = load1(path, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, SFB_E_RULE);
	if (strcmp(err.msg, exp))
		fprintf(stderr, "got:  %s\nwant: %s\n", err.msg, exp);
	CHECK(!strcmp(err.msg, exp));
	CHECK_INT(err.line, line);
	CHECK_INT(err.col, col);
	pattern_free(t);
	unlink(path);
}

static void test_grammar_errors(void)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++)
		check_bad(bads[i].text, strlen(bads[i].text), bads[i].want,
			  bads[i].line, bads[i].col);

	/* a NUL byte (strlen cannot hold it) */
	static const char nul[] = "a\tnone\tinfo\t-\tn\tr\0x\n";
	check_bad(nul, sizeof nul - 1, "1:18: error: NUL byte in line", 1,
		  18);

	/* line length: 4096 bytes load (with LF or CRLF), 4097 do not */
	static char big[6000];
	memset(big, 'x', sizeof big);
	big[0] = '#';
	big[4096] = '\n';
	struct sfb_err err;
	struct pat_table *t = load1(put_tmp(big, 4097), &err);
	CHECK(t != NULL);
	CHECK_INT(pattern_count(t), 0);
	pattern_free(t);
	unlink(tmp_path);
	big[4096] = '\r';
	big[4097] = '\n';
	t = load1(put_tmp(big, 4098), &err);
	CHECK(t != NULL);
	pattern_free(t);
	unlink(tmp_path);
	big[4096] = 'x';
	big[4097] = '\n';
	check_bad(big, 4098, "1:4097: error: line longer than 4096 bytes",
		  1, 4097);
	check_bad(big, 4097, "1:4097: error: line longer than 4096 bytes",
		  1, 4097);     /* a last line without its LF */
	check_bad(big, sizeof big, "1:4097: error: line longer than 4096 "
		  "bytes", 1, 4097);
	/* the line number of a long line after others */
	memcpy(big, "# a\n\n#", 6);
	big[4097] = 'x';
	big[4102] = '\n';      /* line 3: big[5..4102), 4097 bytes */
	check_bad(big, 4103, "3:4097: error: line longer than 4096 bytes",
		  3, 4097);

	/* more than SFB_MAX_PATTERNS */
	size_t cap = (SFB_MAX_PATTERNS + 2) * 40, len = 0;
	char *many = malloc(cap);
	CHECK(many != NULL);
	if (!many)
		return;
	len += (size_t)snprintf(many, cap, "# many\n");
	for (int i = 0; i <= SFB_MAX_PATTERNS; i++)
		len += (size_t)snprintf(many + len, cap - len,
					"p%04d\tnone\tinfo\t-\tp%04d\tp%04d\n",
					i, i, i);
	char want[80];
	snprintf(want, sizeof want, "%d:1: error: more than %d patterns",
		 SFB_MAX_PATTERNS + 2, SFB_MAX_PATTERNS);
	check_bad(many, len, want, SFB_MAX_PATTERNS + 2, 1);
	/* exactly SFB_MAX_PATTERNS load, and the last one matches */
	char *last = many + len - 1;
	while (last[-1] != '\n')
		last--;
	t = load1(put_tmp(many, (size_t)(last - many)), &err);
	CHECK(t != NULL);
	CHECK_INT(pattern_count(t), SFB_MAX_PATTERNS);
	struct col c;
	char probe[32];
	snprintf(probe, sizeof probe, "x P%04d x", SFB_MAX_PATTERNS - 1);
	CHECK_INT(run(t, sv_cstr(probe), &c), 1);
	CHECK_INT(c.n, 1);
	CHECK(c.n == 1 && !strncmp(c.ev[0].name, "p", 1));
	pattern_free(t);
	unlink(tmp_path);
	free(many);

	/* files that cannot be read */
	t = load1("testdata/unit/rule_no_such_file.tsv", &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, SFB_E_IO);
	CHECK_INT(err.sys_errno, ENOENT);
	CHECK(!strcmp(err.msg, "cannot read 'testdata/unit/"
		      "rule_no_such_file.tsv': No such file or directory"));
	t = load1("testdata/unit", &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, SFB_E_IO);
	CHECK_INT(err.sys_errno, EISDIR);

	/* the fixture: a regex error on a CRLF line after a comment */
	t = load1("testdata/unit/rule_bad_regex.tsv", &err);
	CHECK(t == NULL);
	CHECK(!strcmp(err.msg, "testdata/unit/rule_bad_regex.tsv:3:62: "
		      "error: regex: missing closing parenthesis"));
	CHECK_INT(err.line, 3);
	CHECK_INT(err.col, 62);

	/* the README error examples hold */
	check_bad("my.event discovery info - needle regex\n",
		  strlen("my.event discovery info - needle regex\n"),
		  "1:39: error: missing column 2 (step); columns are "
		  "separated by tabs", 1, 39);
}

static void test_grammar_ok(void)
{
	struct sfb_err err;
	/* comments, blank lines, aligned columns, trailing tabs */
	struct pat_table *t = load1("testdata/unit/rule_site.tsv", &err);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_INT(pattern_count(t), 3);
	struct col c;
	CHECK_INT(run(t, SV_LIT("vpn: VPN TUNNEL corp-1 is down"), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "site.vpn.down"));
	CHECK_INT(c.ev[0].step, SFB_STEP_CONNECTIVITY);
	CHECK_INT(c.ev[0].sev, SFB_SEV_WARNING);
	CHECK_INT(c.ev[0].fails, 1);
	CHECK(!strcmp(cap_of(&c.ev[0], "tunnel"), "corp-1"));
	/* no explanation: "" (the trailing tabs are not a column) */
	CHECK_INT(run(t, SV_LIT("From: <sip:bob@fabrikam.com>"), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "site.any_sip_uri"));
	CHECK(!strcmp(c.ev[0].explain, ""));
	/* (?-i) makes the regex case-sensitive; the needle stays caseless */
	CHECK_INT(run(t, SV_LIT("MiXeD"), &c), 1);
	CHECK_INT(run(t, SV_LIT("mixed"), &c), 0);
	CHECK_INT(run(t, SV_LIT("MIXED"), &c), 0);
	pattern_free(t);

	/* CRLF and a byte order mark; explanations lose trailing blanks */
	t = load1("testdata/unit/rule_crlf_bom.tsv", &err);
	CHECK(t != NULL);
	CHECK_INT(pattern_count(t), 2);
	CHECK_INT(run(t, SV_LIT("the first and second 12"), &c), 2);
	CHECK(!strcmp(c.ev[0].name, "bom.first"));
	CHECK(!strcmp(c.ev[1].name, "bom.second"));
	CHECK(!strcmp(cap_of(&c.ev[1], "n"), "12"));
	CHECK(!strcmp(c.ev[1].explain, "Second pattern, \xc3\xa9t\xc3\xa9 "
		      "UTF-8 text."));
	pattern_free(t);

	/* no file at all, and an empty file: an empty table */
	const char *none[] = { NULL };
	t = pattern_load(none, &err);
	CHECK(t != NULL);
	CHECK_INT(pattern_count(t), 0);
	CHECK_INT(run(t, SV_LIT("anything"), &c), 0);
	pattern_free(t);
	t = load1(put_tmp("", 0), &err);
	CHECK(t != NULL);
	CHECK_INT(pattern_count(t), 0);
	pattern_free(t);
	unlink(tmp_path);
	pattern_free(NULL);
	CHECK_INT(pattern_count(NULL), 0);

	CHECK(!strcmp(sfb_step_name(SFB_STEP_NONE), "none"));
	CHECK(!strcmp(sfb_step_name(SFB_STEP_DISCOVERY), "discovery"));
	CHECK(!strcmp(sfb_step_name(SFB_STEP_CONNECTIVITY),
		      "connectivity"));
	CHECK(!strcmp(sfb_step_name(SFB_STEP_AUTH), "authentication"));
	CHECK(!strcmp(sfb_step_name(SFB_STEP_REDIRECT), "redirection"));
	CHECK(!strcmp(sfb_step_name(SFB_STEP_SETTINGS), "settings"));
	CHECK(!strcmp(sfb_step_name(SFB_STEP__COUNT), "none"));
	CHECK(!strcmp(sfb_step_name((enum sfb_step)-1), "none"));
}

/* Two files in order: the second adds patterns after the first's. */
static void test_two_files(void)
{
	struct sfb_err err;
	const char *paths[] = { SHIPPED, "testdata/unit/rule_site.tsv",
				NULL };
	struct pat_table *t = pattern_load(paths, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	struct pat_table *s = load1(SHIPPED, &err);
	CHECK_INT(pattern_count(t), pattern_count(s) + 3);
	pattern_free(s);
	struct col c;
	int rc = run(t, SV_LIT("SignIn: signed in as sip:bob@fabrikam.com on "
			       "fe01.fabrikam.com (auth NTLM), hr=0x0"), &c);
	CHECK_INT(rc, 2);
	CHECK(!strcmp(c.ev[0].name, "signin.ok"));
	CHECK(!strcmp(c.ev[1].name, "site.any_sip_uri"));
	CHECK(!strcmp(cap_of(&c.ev[1], "uri"), "sip:bob@fabrikam.com"));
	pattern_free(t);

	/* a later file cannot redefine a name: the error names both */
	const char *dup[] = { SHIPPED, "testdata/unit/rule_bad_dup.tsv",
			      NULL };
	t = pattern_load(dup, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, SFB_E_RULE);
	CHECK(!strcmp(err.msg, "testdata/unit/rule_bad_dup.tsv:4:1: error: "
		      "duplicate event name 'dns.srv.ok' (first defined at "
		      "rules/patterns.tsv:14)"));
	/* an unreadable second file fails the whole load */
	const char *gone[] = { SHIPPED, "testdata/unit/rule_gone.tsv", NULL };
	t = pattern_load(gone, &err);
	CHECK(t == NULL);
	CHECK_INT(err.code, SFB_E_IO);
	CHECK_INT(err.line, 0);         /* not the position of before */
	CHECK_INT(err.col, 0);
}

/* ------------------------------------------------------------------ */
/* matching details                                                    */

/* A table of the n bytes of text (checked: it loads), or NULL */
static struct pat_table *load_text(const char *text, size_t n)
{
	struct sfb_err err;
	struct pat_table *t = load1(put_tmp(text, n), &err);
	unlink(tmp_path);
	CHECK(t != NULL);
	if (!t)
		fprintf(stderr, "%s\n", err.msg);
	return t;
}

static void test_matching(void)
{
	static const char tbl[] =
		"no.needle\tnone\tinfo\t-\t-\t^(?<first>\\w+)\n"
		"short.one\tnone\tinfo\t-\tq\tq(?<after>\\d)\n"
		"short.two\tnone\tinfo\t-\tzz\t(?<zz>zz+)\n"
		"short.three\tnone\tinfo\t-\ta-b\ta-b(?<rest>.*)\n"
		"long.abc\tnone\tinfo\t-\tABCdef\t"
		"abcdef(?<opt>X)?(?<num>\\d*)\n"
		"long.tail\tnone\tinfo\t-\tend of it\tend of it$\n"
		"empty.group\tnone\tinfo\t-\tgroups\t(?<e>)groups(?<u>X)?"
		"(?<w>\\w*)\n"
		"dup.names\tnone\tinfo\t-\tdupe\t(?J)(?:(?<v>dupe1)|"
		"(?<v>dupe2))\n";
	struct sfb_err err;
	struct pat_table *t = load1(put_tmp(tbl, sizeof tbl - 1), &err);
	unlink(tmp_path);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	struct col c;
	char names[512];

	/* the needle-less pattern runs on every text, even empty ones */
	CHECK_INT(run(t, SV_LIT("hello world"), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "no.needle"));
	CHECK(!strcmp(cap_of(&c.ev[0], "first"), "hello"));
	CHECK_INT(run(t, SV_NULL, &c), 0);
	CHECK_INT(run(t, SV_LIT(""), &c), 0);

	/* short needles, any case; table order */
	CHECK_INT(run(t, SV_LIT("Q1 ZZZ A-B rest"), &c), 4);
	names_of(&c, names, sizeof names);
	CHECK(!strcmp(names, "no.needle short.one short.two short.three"));
	CHECK(!strcmp(cap_of(&c.ev[1], "after"), "1"));
	CHECK(!strcmp(cap_of(&c.ev[2], "zz"), "ZZZ"));
	CHECK(!strcmp(cap_of(&c.ev[3], "rest"), " rest"));
	/* the needle is found after near misses of either case */
	CHECK_INT(run(t, SV_LIT("-qqQqQqQqQqQ qQ5"), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "short.one"));

	/* long needles: ignoring case, at the very start and end */
	CHECK_INT(run(t, SV_LIT("aBcDeF7"), &c), 2);
	CHECK(!strcmp(c.ev[1].name, "long.abc"));
	CHECK(!strcmp(cap_of(&c.ev[1], "num"), "7"));
	CHECK(cap_of(&c.ev[1], "opt") == NULL);      /* unset group */
	CHECK_INT(c.ev[1].ncaps, 1);
	CHECK_INT(run(t, SV_LIT("-at the end of it"), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "long.tail"));
	/* a view that stops inside the needle: no match past the end */
	static const char buf[] = "-at the end of it";
	CHECK_INT(run(t, sv_make(buf, sizeof buf - 2), &c), 0);
	CHECK_INT(run(t, sv_make(buf, 3), &c), 0);
	CHECK_INT(run(t, sv_make(buf + 7, 8), &c), 0);
	/* NUL bytes are data */
	static const char nulbuf[] = "\0\0ABCDEF\0end of it";
	CHECK_INT(run(t, sv_make(nulbuf, sizeof nulbuf - 1), &c), 2);
	names_of(&c, names, sizeof names);
	CHECK(!strcmp(names, "long.abc long.tail"));

	/* empty groups are left out; named groups in regex order */
	CHECK_INT(run(t, SV_LIT("-groupsXyz"), &c), 1);
	CHECK_INT(c.ev[0].ncaps, 2);
	CHECK(!strcmp(c.ev[0].cap[0][0], "u"));
	CHECK(!strcmp(c.ev[0].cap[1][0], "w"));
	CHECK(!strcmp(c.ev[0].cap[1][1], "yz"));
	CHECK(!strcmp(c.ev[0].match, "groupsXyz"));
	/* duplicate names: the group that took part */
	CHECK_INT(run(t, SV_LIT("-dupe2"), &c), 1);
	CHECK_INT(c.ev[0].ncaps, 1);
	CHECK(!strcmp(cap_of(&c.ev[0], "v"), "dupe2"));

	/* a non-zero callback return stops matching, negated */
	memset(&c, 0, sizeof c);
	c.stop_at = 2;
	CHECK_INT(pattern_match(t, SV_LIT("Q1 ZZZ A-B rest"), collect,
				   &c), -7);
	CHECK_INT(c.calls, 2);
	memset(&c, 0, sizeof c);
	c.stop_at = 1;
	CHECK_INT(pattern_match(t, SV_LIT("abcdef"), collect, &c), -7);
	CHECK_INT(c.calls, 1);
	CHECK(!strcmp(c.ev[0].name, "no.needle"));
	pattern_free(t);

	/*
	 * a literal after \b counts only where a word starts: the
	 * needle "Error:" is in "isTempError:", the regex is not run
	 * there; the same answers as the slow reference
	 */
	static const char words[] =
		"word.start\tnone\tinfo\t-\tError:\t"
		"\\bError: (?<what>\\w+)\n";
	t = load_text(words, sizeof words - 1);
	for (int derived = 1; t && derived >= 0; derived--) {
		pattern_set_derived(t, derived);
		CHECK_INT(run(t, SV_LIT("isTempError: 0"), &c), 0);
		CHECK_INT(run(t, SV_LIT("isTempError: 0 error: x"), &c), 1);
		CHECK(!strcmp(cap_of(&c.ev[0], "what"), "x"));
		CHECK_INT(run(t, SV_LIT("Error: y"), &c), 1);
		CHECK_INT(run(t, SV_LIT("(ERROR: z"), &c), 1);
		CHECK_INT(run(t, SV_LIT("_Error: z"), &c), 0);
		CHECK_INT(run(t, SV_LIT("\xe9" "Error: z"), &c), 1);
	}
	pattern_free(t);

	/* a literal the regex rules out at its start: not run */
	static const char nots[] =
		"not.these\tnone\tinfo\t-\tquery\t"
		"^(?![\\s\\S]*(?:skipme|_sip)).*?query (?<q>\\w+)\n";
	t = load_text(nots, sizeof nots - 1);
	for (int derived = 1; t && derived >= 0; derived--) {
		pattern_set_derived(t, derived);
		CHECK_INT(run(t, SV_LIT("a query abc"), &c), 1);
		CHECK(!strcmp(cap_of(&c.ev[0], "q"), "abc"));
		CHECK_INT(run(t, SV_LIT("a query abc _SIP"), &c), 0);
		CHECK_INT(run(t, SV_LIT("SkipMe\na query abc"), &c), 0);
		CHECK_INT(run(t, SV_LIT("skip a query abc _si"), &c), 1);
	}
	pattern_free(t);

	/*
	 * a regex of lines ("(?m)^...") runs only on a text with a line
	 * that may start a match: its first byte (one letter, both
	 * cases) or a byte of PCRE2's start bitmap
	 */
	static const char lines[] =
		"line.step\tnone\tinfo\t-\t:\t"
		"(?m)^[ \\t]*(?<n>\\d+) (?<w>\\w+):\n"
		"line.word\tnone\tinfo\t-\tword\t(?m)^Word(?<d>\\d)\n"
		"line.two\tnone\tinfo\t-\tline\t(?m)^line2|^(?<l>\\d)line\n"
		"line.blank\tnone\tinfo\t-\tqq:\t(?m)^[ \\t]*(?: |-)qq:\n";
	t = load_text(lines, sizeof lines - 1);
	for (int derived = 1; t && derived >= 0; derived--) {
		pattern_set_derived(t, derived);
		CHECK_INT(run(t, SV_LIT("a 12 b: 3 c:"), &c), 0);
		CHECK_INT(run(t, SV_LIT("12 b:"), &c), 1);
		CHECK_INT(run(t, SV_LIT("x:\n\n\t 12 b:\n"), &c), 1);
		CHECK(!strcmp(cap_of(&c.ev[0], "n"), "12"));
		CHECK_INT(run(t, SV_LIT("x:\n"), &c), 0);
		/* after a line's blanks: a digit, the rest may not start
		 * with a blank; another regex's may */
		CHECK_INT(run(t, SV_LIT("x:\n  y: z\n\t-1 b:"), &c), 0);
		CHECK_INT(run(t, SV_LIT("x:\n \t"), &c), 0);
		CHECK_INT(run(t, SV_LIT("x:\n\t \t7 b:"), &c), 1);
		CHECK(!strcmp(cap_of(&c.ev[0], "n"), "7"));
		CHECK_INT(run(t, SV_LIT("a\n\t qq:"), &c), 1);
		CHECK(!strcmp(c.ev[0].name, "line.blank"));
		CHECK_INT(run(t, SV_LIT("a\n\t qx: qq:"), &c), 0);
		CHECK_INT(run(t, SV_LIT("a word1\nb word2"), &c), 0);
		CHECK_INT(run(t, SV_LIT("a word1\nWORD2"), &c), 1);
		CHECK(!strcmp(cap_of(&c.ev[0], "d"), "2"));
		CHECK_INT(run(t, SV_LIT("wOrd3"), &c), 1);
		CHECK_INT(run(t, SV_LIT("a line2\nb 7line"), &c), 0);
		CHECK_INT(run(t, SV_LIT("a line2\nLine2"), &c), 1);
		CHECK_INT(run(t, SV_LIT("a line2\n7line"), &c), 1);
		CHECK(!strcmp(cap_of(&c.ev[0], "l"), "7"));
	}
	pattern_free(t);

	/* a pathological regex gives up at the match limit, not hangs */
	static const char slow[] =
		"slow.one\tnone\tinfo\t-\taaaa\t^(a|aa)+$\n"
		"fast.one\tnone\tinfo\t-\taaaa\taaaa(?<b>b)\n";
	t = load1(put_tmp(slow, sizeof slow - 1), &err);
	unlink(tmp_path);
	CHECK(t != NULL);
	char text[4000];
	memset(text, 'a', sizeof text);
	text[sizeof text - 1] = 'b';
	clock_t t0 = clock();
	CHECK_INT(run(t, sv_make(text, sizeof text), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "fast.one"));
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.5);
	pattern_free(t);
}

/*
 * The needle filter against a naive oracle: random texts over a small
 * alphabet, needles of 1 to 8 bytes sharing prefixes and hashes ('@'
 * and '`' hash alike).  Each regex is `^`, which matches any text, so an
 * event comes exactly when the filter says its needle is there: a
 * needle missed and a needle seen where there is none both show.
 */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int naive_ifind(const char *h, size_t n, const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i + len <= n; i++) {
		size_t k = 0;
		while (k < len) {
			unsigned char a = (unsigned char)h[i + k];
			unsigned char b = (unsigned char)s[k];
			if (a >= 'A' && a <= 'Z')
				a |= 0x20;
			if (b >= 'A' && b <= 'Z')
				b |= 0x20;
			if (a != b)
				break;
			k++;
		}
		if (k == len)
			return 1;
	}
	return 0;
}

static void test_filter_oracle(void)
{
	static const char *const needles[] = {
		"a", "ab", "aB.", "abab", "ABAB", "abac", "baba", "abcab",
		"b.a`", "B.A@", "cab", "ca.b", "c@b.a", "aaaaaaaa", "ab.ca",
		"c`ab", "bbbbc", "a.c.b.c", "@@@@", "acbcacb", ".", "@",
	};
	enum { NN = sizeof needles / sizeof needles[0] };
	char tbl[4096];
	size_t len = 0;
	for (int i = 0; i < NN; i++)
		len += (size_t)snprintf(tbl + len, sizeof tbl - len,
					"n%02d\tnone\tinfo\t-\t%s\t^\n", i,
					needles[i]);
	struct sfb_err err;
	struct pat_table *t = load1(put_tmp(tbl, len), &err);
	unlink(tmp_path);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	static const char alpha[] = "aAbBcC.@`";
	char text[300];
	int bad = 0, hits = 0;
	for (int round = 0; round < 4000; round++) {
		size_t n = rnd(sizeof text);
		for (size_t i = 0; i < n; i++)
			text[i] = alpha[rnd(sizeof alpha - 1)];
		struct col c;
		run(t, sv_make(text, n), &c);
		int seen[NN] = { 0 };
		for (int i = 0; i < c.n; i++)
			seen[(c.ev[i].name[1] - '0') * 10 +
			     (c.ev[i].name[2] - '0')] = 1;
		for (int i = 0; i < NN; i++) {
			int want = naive_ifind(text, n, needles[i]);
			hits += want;
			if (want != seen[i] && bad++ < 5)
				fprintf(stderr, "oracle: needle '%s' in "
					"'%.*s': want %d\n", needles[i],
					(int)n, text, want);
		}
	}
	CHECK_INT(bad, 0);
	CHECK(hits > 4000);
	pattern_free(t);
}

/* @return 1 if a and b hold the same events (names, matches, captures) */
static int same_events(const struct col *a, const struct col *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++) {
		const struct got *x = &a->ev[i], *y = &b->ev[i];
		if (strcmp(x->name, y->name) || strcmp(x->match, y->match) ||
		    x->ncaps != y->ncaps)
			return 0;
		for (size_t k = 0; k < x->ncaps; k++)
			if (strcmp(x->cap[k][0], y->cap[k][0]) ||
			    strcmp(x->cap[k][1], y->cap[k][1]))
				return 0;
	}
	return 1;
}

/*
 * A regex whose matches start with known literals runs from the first
 * of them, or not at all when none is there (rxlit_leading): the same
 * events as the slow reference, which runs every regex whose needle is
 * there from the text's start.  Random texts over a small alphabet,
 * half of them with a needle put in anywhere (start and end too), and
 * regexes with optional groups before the literal, lookbehinds that
 * look before it, \b, (?m)^ and ^, and a literal found in either case.
 */
static void test_start_oracle(void)
{
	static const char tbl[] =
		"s.word\tnone\tinfo\t-\tabab\t\\babab(?<x>[ab]*)\n"
		"s.opt\tnone\tinfo\t-\tab:c\t"
		"(?:abab(?<x>c*)\\s?)?ab:c(?<y>\\w*)\n"
		"s.behind\tnone\tinfo\t-\tab:c\t"
		"(?<=b)ab:c|(?<![a ])abab(?<x>.)\n"
		"s.lines\tnone\tinfo\t-\tbbaa\t(?m)^bbaa(?<z>\\S*)\n"
		"s.anchor\tnone\tinfo\t-\tcab:\t^cab:(?<w>.?)\n"
		"s.short\tnone\tinfo\t-\tAbAb\t(?:aB)?abab:\n"
		"s.caseful\tnone\tinfo\t-\tbaba\t(?-i:BaBa)(?<v>b*)\n";
	static const char *const put[] = { "abab", "ab:c", "bbaa", "cab:",
					   "AbAb", "BaBa", "bAbA" };
	struct pat_table *t = load_text(tbl, sizeof tbl - 1);
	if (!t)
		return;
	static const char alpha[] = "aAbB:c \n";
	char text[120];
	int bad = 0, events = 0;
	for (int round = 0; round < 6000; round++) {
		size_t n = rnd(80);
		for (size_t i = 0; i < n; i++)
			text[i] = alpha[rnd(sizeof alpha - 1)];
		if (rnd(2)) {
			const char *w = put[rnd(sizeof put / sizeof put[0])];
			size_t at = rnd(3) == 0 ? 0 : rnd(3) == 0 ? n
							     : rnd((unsigned)n + 1);
			memmove(text + at + 4, text + at, n - at);
			memcpy(text + at, w, 4);
			n += 4;
		}
		struct col fast, slow;
		pattern_set_derived(t, 1);
		run(t, sv_make(text, n), &fast);
		pattern_set_derived(t, 0);
		run(t, sv_make(text, n), &slow);
		events += slow.n;
		if (!same_events(&fast, &slow) && bad++ < 5)
			fprintf(stderr, "start: '%.*s': %d events, want %d\n",
				(int)n, text, fast.n, slow.n);
	}
	CHECK_INT(bad, 0);
	CHECK(events > 2000);
	pattern_free(t);
}

/* ------------------------------------------------------------------ */
/* the README examples                                                 */

/*
 * rules/README shows pattern lines indented by two spaces, with real
 * tabs: they must load, and the worked example must give what the
 * README says it gives.
 */
static void test_readme(void)
{
	FILE *f = fopen("rules/README", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char line[4200], tbl[16384];
	size_t len = 0;
	int lines = 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "  ", 2) || !strchr(line, '\t') ||
		    line[2] == ' ' || line[2] == '\t')
			continue;
		size_t n = strlen(line + 2);
		if (len + n < sizeof tbl) {
			memcpy(tbl + len, line + 2, n);
			len += n;
			lines++;
		}
	}
	fclose(f);
	CHECK_INT(lines, 4);
	struct sfb_err err;
	struct pat_table *t = load1(put_tmp(tbl, len), &err);
	unlink(tmp_path);
	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "README: %s\n", err.msg);
		return;
	}
	struct col c;
	CHECK_INT(run(t, SV_LIT("DNS: query _sipinternaltls._tcp.contoso.com "
			       "type SRV returned pool01.contoso.com:5061 "
			       "(priority 0, weight 0)"), &c), 1);
	CHECK(!strcmp(c.ev[0].name, "dns.srv.ok"));
	CHECK_INT(c.ev[0].step, SFB_STEP_DISCOVERY);
	CHECK_INT(c.ev[0].fails, 0);
	CHECK(!strcmp(cap_of(&c.ev[0], "name"),
		      "_sipinternaltls._tcp.contoso.com"));
	CHECK(!strcmp(cap_of(&c.ev[0], "target"), "pool01.contoso.com"));
	CHECK(!strcmp(cap_of(&c.ev[0], "port"), "5061"));
	pattern_free(t);

	/* the examples said to come from patterns.tsv are its lines */
	f = fopen("rules/README", "r");
	FILE *p = fopen(SHIPPED, "r");
	CHECK(f && p);
	if (!f || !p) {
		if (f)
			fclose(f);
		if (p)
			fclose(p);
		return;
	}
	static char shipped[65536];
	size_t sn = fread(shipped, 1, sizeof shipped - 1, p);
	shipped[sn] = '\0';
	fclose(p);
	int from = 0, found = 0;
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "More examples, from patterns.tsv"))
			from = 1;
		if (!from || strncmp(line, "  ", 2) || !strchr(line, '\t'))
			continue;
		/* same line up to the explanation (shortened there) */
		char *last = strrchr(line, '\t');
		*last = '\0';
		char want[4200];
		snprintf(want, sizeof want, "\n%s\t", line + 2);
		found += strstr(shipped, want) != NULL;
		from++;
	}
	fclose(f);
	CHECK_INT(found, 3);
	CHECK_INT(from, 4);
}

/*
 * The error examples of rules/README: each bad line, placed at its line
 * of a user's file loaded after patterns.tsv, gives the message the
 * README shows (with the README's file name).
 */
static void test_readme_errors(void)
{
	static const struct {
		unsigned long line;
		const char *text, *want;
	} ex[] = {
		{ 3, "my.event discovery info - needle regex",
		  "3:39: error: missing column 2 (step); columns are "
		  "separated by tabs" },
		{ 4, "my.event\tdiscover\tinfo\t-\tneedle\tregex",
		  "4:10: error: unknown step 'discover' (discovery, "
		  "connectivity, authentication, redirection, settings or "
		  "none)" },
		{ 5, "My.event\tdiscovery\tinfo\t-\tneedle\tregex",
		  "5:1: error: bad event name 'My.event': use a-z, 0-9, '_', "
		  "'.' and '-'" },
		{ 6, "dns.srv.ok\tdiscovery\tinfo\tok\t_sip\t_sip",
		  "6:1: error: duplicate event name 'dns.srv.ok' (first "
		  "defined at rules/patterns.tsv:14)" },
		{ 7, "bad.regex\tauthentication\terror\tfail\tneedle\t"
		  "needle (?<x>[a-z]+\tNever loads.",
		  "7:62: error: regex: missing closing parenthesis" },
	};
	FILE *f = fopen("rules/README", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	static char readme[65536];
	size_t rn = fread(readme, 1, sizeof readme - 1, f);
	readme[rn] = '\0';
	fclose(f);
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		char file[600], want[700];
		size_t n = 0;
		for (unsigned long l = 1; l < ex[i].line; l++)
			n += (size_t)snprintf(file + n, sizeof file - n,
					      "# line %lu\n", l);
		n += (size_t)snprintf(file + n, sizeof file - n, "%s\n",
				      ex[i].text);
		const char *paths[] = { SHIPPED, put_tmp(file, n), NULL };
		struct sfb_err err;
		struct pat_table *t = pattern_load(paths, &err);
		CHECK(t == NULL);
		snprintf(want, sizeof want, "%s:%s", tmp_path, ex[i].want);
		if (strcmp(err.msg, want))
			fprintf(stderr, "got:  %s\nwant: %s\n", err.msg, want);
		CHECK(!strcmp(err.msg, want));
		unlink(tmp_path);
		snprintf(want, sizeof want, "  rules/site.tsv:%s\n",
			 ex[i].want);
		CHECK(strstr(readme, want) != NULL);
	}
}

/* ------------------------------------------------------------------ */
/* the bundled sample, end to end through the client-log parser        */

struct sample {
	struct pat_table *t;
	int counts[64];
	char names[64][72];
	int nnames;
	int entries, with_events, chatter_events;
};

static int count_ev(void *ud, const struct pat_event *ev)
{
	struct sample *s = ud;
	int i = 0;
	while (i < s->nnames && strcmp(s->names[i], ev->name))
		i++;
	if (i == s->nnames && s->nnames < 64)
		snprintf(s->names[s->nnames++], sizeof s->names[0], "%s",
			 ev->name);
	if (i < 64)
		s->counts[i]++;
	return 0;
}

static int count_of(const struct sample *s, const char *name)
{
	for (int i = 0; i < s->nnames; i++)
		if (!strcmp(s->names[i], name))
			return s->counts[i];
	return 0;
}

static int on_rec(void *ud, const struct fmt_rec *r)
{
	struct sample *s = ud;
	if (r->type != REC_ENTRY)
		return 0;
	s->entries++;
	int n = pattern_match(s->t, r->text, count_ev, s);
	s->with_events += n > 0;
	static const char *const chatter[] = {
		"Exchange:", "Presence:", "Media:", "ContactList:",
		"Transport: keep-alive", "Conversation:", "Register: sending",
	};
	for (size_t i = 0; i < sizeof chatter / sizeof chatter[0]; i++)
		if (sv_starts(r->text, chatter[i]))
			s->chatter_events += n;
	return 0;
}

/* lines of the raw file that hold s */
static int grep_count(const char *path, const char *s)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char line[65536];
	int n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

static void test_sample(void)
{
	static const char path[] = "testdata/sample/Lync-UccApi-0.UccApilog";
	struct sfb_err err;
	struct sample s;
	memset(&s, 0, sizeof s);
	s.t = load1(SHIPPED, &err);
	CHECK(s.t != NULL);
	struct lr *r = lr_open(path, 1 << 20, &err);
	CHECK(r != NULL);
	if (!s.t || !r) {
		pattern_free(s.t);
		lr_close(r);
		return;
	}
	struct fmt_sink sink = { on_rec, &s };
	struct fmt *f = fmt_new(FMT_UCC, &sink, NULL);
	struct sv line;
	unsigned long no;
	while (lr_next(r, &line, &no, &err) == LR_LINE)
		(void)fmt_feed(f, line, no, &err);
	(void)fmt_finish(f, &err);
	fmt_free(f);
	lr_close(r);

	CHECK(s.entries > 100);
	CHECK(s.with_events > 40);
	CHECK_INT(s.chatter_events, 0);
	/* one event per line that says so, as a plain search counts them */
	CHECK_INT(count_of(&s, "signin.ok"),
		  grep_count(path, "signed in as sip:"));
	CHECK_INT(count_of(&s, "signin.start"),
		  grep_count(path, "SignIn: starting sign-in"));
	CHECK_INT(count_of(&s, "autodiscover.ok") +
		  count_of(&s, "autodiscover.fail"),
		  grep_count(path, "autodiscovery completed with hr"));
	CHECK_INT(count_of(&s, "autodiscover.fail"),
		  grep_count(path, "completed with hr: 0X8"));
	CHECK_INT(count_of(&s, "webticket.trust_fault"),
		  grep_count(path, "returned a trust fault"));
	CHECK_INT(count_of(&s, "tls.connected"),
		  grep_count(path, "TLS connection established"));
	CHECK_INT(count_of(&s, "dns.lyncdiscover.ok") +
		  count_of(&s, "dns.lyncdiscover.fail"),
		  grep_count(path, "DNS: query lyncdiscover"));
	CHECK(count_of(&s, "signin.ok") >= 4);
	CHECK(count_of(&s, "dns.srv.ok") >= 1);
	CHECK(count_of(&s, "redirect.home_server") >= 1);
	CHECK(count_of(&s, "auth.kerberos_ticket") >= 1);
	CHECK(count_of(&s, "webservice.async_hr") >= 1);
	CHECK(count_of(&s, "auth.need_new_cert") >= 1);
	pattern_free(s.t);
}

/* ------------------------------------------------------------------ */
/* --bench                                                             */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_any(void *ud, const struct pat_event *ev)
{
	(void)ev;
	++*(long *)ud;
	return 0;
}

static int bench(double mb)
{
	static const char path[] = "testdata/sample/Lync-UccApi-0.UccApilog";
	struct sfb_err err;
	struct pat_table *t = load1(SHIPPED, &err);
	FILE *f = fopen(path, "rb");
	if (!t || !f) {
		fprintf(stderr, "unit_rule: cannot load the table or %s\n",
			path);
		return 2;
	}
	static char buf[1 << 21];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	enum { MAXL = 20000 };
	static struct sv lines[MAXL];
	static char quiet_line[MAXL];
	size_t nl = 0, bytes = 0, qbytes = 0;
	/* every physical line, as its entry text: after the prefix */
	for (char *p = buf, *end = buf + n; p < end && nl < MAXL;) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		struct sv l = sv_make(p, (size_t)(e - p));
		if (l.n && l.p[l.n - 1] == '\r')
			l.n--;
		long k = sv_find(l, " :: ");
		if (k >= 0)
			sv_skip(&l, (size_t)k + 4);
		lines[nl++] = l;
		bytes += l.n;
		p = e + 1;
	}
	long events = 0;
	for (size_t i = 0; i < nl; i++) {
		long c = 0;
		pattern_match(t, lines[i], count_any, &c);
		quiet_line[i] = c == 0;
		qbytes += c == 0 ? lines[i].n : 0;
		events += c;
	}
	printf("%s: %zu lines, %zu bytes of entry text, %ld events, %zu "
	       "patterns\n", path, nl, bytes, events, pattern_count(t));
	for (int pass = 0; pass < 2; pass++) {
		size_t per = pass ? qbytes : bytes;
		long reps = (long)(mb * 1e6 / (double)per) + 1;
		double t0 = now_s();
		for (long rep = 0; rep < reps; rep++)
			for (size_t i = 0; i < nl; i++)
				if (!pass || quiet_line[i])
					pattern_match(t, lines[i],
							 count_any, &events);
		double dt = now_s() - t0;
		double tot = (double)reps * (double)per / 1e6;
		printf("%-26s %6.0f MB in %.3f s: %6.0f MB/s\n",
		       pass ? "lines without an event:" : "all lines:", tot,
		       dt, tot / dt);
	}
	pattern_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		double mb = 200;
		if (argc > 2) {
			uint64_t v;
			if (!sv_to_u64(sv_cstr(argv[2]), &v) || v == 0) {
				fprintf(stderr, "usage: unit_rule [--bench "
					"[MB]]\n");
				return 2;
			}
			mb = (double)v;
		}
		return bench(mb);
	}
	test_shipped();
	test_clone();
	test_grammar_errors();
	test_grammar_ok();
	test_two_files();
	test_matching();
	test_filter_oracle();
	test_start_oracle();
	test_readme();
	test_readme_errors();
	test_sample();
	return CHECK_DONE("unit_pattern");
}
