/* SPDX-License-Identifier: MIT */
/*
 * field.c -- the rule language's fields (see field.h): one X-macro
 * table gives the ids, names, types, scopes and meanings, and one
 * switch per scope reads the facts.
 */
#include <inttypes.h>
#include <string.h>

#include "field.h"
#include "join.h"
#include "sip.h"
#include "sv.h"

/* event.name of a CLS diagnostic record; also its class (field_class) */
static const char cls_diag_name[] = "cls.diag";

#define M EXPR_SCOPE_BIT(EXPR_SCOPE_MSG)
#define E EXPR_SCOPE_BIT(EXPR_SCOPE_EVENT)
#define J EXPR_SCOPE_BIT(EXPR_SCOPE_JOIN)
#define S (EXPR_SCOPE_BIT(EXPR_SCOPE_SESSION) | J)
#define B EXPR_T_BOOL
#define I EXPR_T_INT
#define T EXPR_T_STR

/* X(id, name, type, scopes, keyed, meaning) */
#define FIELD_MAP(X)                                                      \
	X(MSG_PROTO, "msg.proto", T, M, 0,                                \
	  "\"sip\" or \"http\"")                                          \
	X(MSG_IS_REQUEST, "msg.is_request", B, M, 0,                      \
	  "the message is a request")                                     \
	X(MSG_IS_RESPONSE, "msg.is_response", B, M, 0,                    \
	  "the message is a response")                                    \
	X(MSG_METHOD, "msg.method", T, M, 0,                              \
	  "request method (absent on responses)")                        \
	X(MSG_REQ_METHOD, "msg.request_method", T, M, 0,                  \
	  "the method of the request (for a response: the one it "        \
	  "answers)")                                                     \
	X(MSG_STATUS, "msg.status", I, M, 0,                              \
	  "response status code (absent on requests)")                   \
	X(MSG_REASON, "msg.reason", T, M, 0,                              \
	  "response reason phrase")                                       \
	X(MSG_URI, "msg.uri", T, M, 0,                                    \
	  "Request-URI or HTTP target (a response: its request's)")       \
	X(MSG_HOST, "msg.host", T, M, 0, "HTTP Host header")              \
	X(MSG_CALL_ID, "msg.call_id", T, M, 0, "SIP Call-ID")             \
	X(MSG_CSEQ, "msg.cseq", I, M, 0, "CSeq number")                   \
	X(MSG_FROM, "msg.from", T, M, 0, "From URI")                      \
	X(MSG_TO, "msg.to", T, M, 0, "To URI")                            \
	X(MSG_USER_AGENT, "msg.user_agent", T, M, 0,                      \
	  "User-Agent header")                                            \
	X(MSG_SERVER_HDR, "msg.server_header", T, M, 0,                   \
	  "Server header")                                                \
	X(MSG_DIR, "msg.dir", T, M, 0,                                    \
	  "\"sent\" or \"received\" by the party that logged it; absent " \
	  "when the log does not say")                                    \
	X(MSG_SERVER, "msg.server", T, M, 0,                              \
	  "server trace: the machine that logged it")                     \
	X(MSG_LOCAL, "msg.local", T, M, 0, "local address:port")          \
	X(MSG_REMOTE, "msg.remote", T, M, 0, "remote address:port")       \
	X(MSG_DIAG_CODE, "msg.diag.code", I, M, 0,                        \
	  "ms-diagnostics (or -public) error id")                         \
	X(MSG_DIAG_REASON, "msg.diag.reason", T, M, 0,                    \
	  "ms-diagnostics reason text")                                   \
	X(MSG_DIAG_SOURCE, "msg.diag.source", T, M, 0,                    \
	  "ms-diagnostics source: the server that raised it")             \
	X(MSG_DIAG_PUBLIC, "msg.diag.public", B, M, 0,                    \
	  "the diagnostic came in ms-diagnostics-public")                 \
	X(MSG_XDIAG_CODE, "msg.xdiag.code", I, M, 0,                      \
	  "X-Ms-diagnostics error id (web services)")                     \
	X(MSG_XDIAG_REASON, "msg.xdiag.reason", T, M, 0,                  \
	  "X-Ms-diagnostics reason text")                                 \
	X(MSG_XDIAG_FAULT, "msg.xdiag.faultcode", T, M, 0,                \
	  "X-Ms-diagnostics faultcode")                                   \
	X(MSG_XDIAG_SOURCE, "msg.xdiag.source", T, M, 0,                  \
	  "X-Ms-diagnostics source")                                      \
	X(MSG_AUTH_OFFERED, "msg.auth.offered", T, M, 0,                  \
	  "schemes offered by WWW-/Proxy-Authenticate, comma list "      \
	  "(\"NTLM,Kerberos,TLS-DSK\")")                                  \
	X(MSG_AUTH_SCHEME, "msg.auth.scheme", T, M, 0,                    \
	  "scheme of Authorization / Proxy-Authorization")                \
	X(MSG_CREDENTIALS, "msg.has_credentials", B, M, 0,                \
	  "the request carries credentials (Authorization with a "       \
	  "response or gssapi-data)")                                     \
	X(MSG_AUTH_PARAM, "auth_param", T, M, 1,                          \
	  "a parameter of the first authentication header: "              \
	  "auth_param(\"targetname\"), auth_param(\"sts-uri\")")         \
	X(MSG_EXPIRES, "msg.expires", I, M, 0, "Expires header")          \
	X(MSG_CTYPE, "msg.content_type", T, M, 0, "Content-Type")         \
	X(MSG_EVENT_HDR, "msg.event", T, M, 0, "SIP Event header")        \
	X(MSG_BODY, "msg.body", T, M, 0, "the body (as logged, capped)")  \
	X(MSG_BODY_LEN, "msg.body_length", I, M, 0, "body bytes")         \
	X(MSG_TRUNCATED, "msg.truncated", B, M, 0,                        \
	  "the log cut the message short")                                \
	X(MSG_IN_SESSION, "msg.in_session", B, M, 0,                      \
	  "the message belongs to a sign-in")                             \
	X(MSG_HEADER, "header", T, M, 1,                                  \
	  "any header by name: header(\"Server\")")                       \
	X(EV_NAME, "event.name", T, E, 0,                                 \
	  "pattern event name (\"tls.cert_untrusted\"), or \"cls.diag\" " \
	  "for a server diagnostic record")                               \
	X(EV_STEP, "event.step", T, E, 0,                                 \
	  "sign-in step the pattern table gives the event")               \
	X(EV_TEXT, "event.text", T, E, 0, "the entry's text")             \
	X(EV_MATCH, "event.match", T, E, 0,                               \
	  "the part of the text the pattern matched")                     \
	X(EV_FAILS, "event.fails_step", B, E, 0,                          \
	  "the pattern says the step failed")                             \
	X(EV_HR, "event.hr", I, E, 0,                                     \
	  "the HRESULT captured as \"hr\" (hex), or a CLS result code")   \
	X(EV_CAPTURE, "capture", T, E, 1,                                 \
	  "a named capture of the pattern: capture(\"host\")")           \
	X(EV_RESULT_NAME, "event.result_name", T, E, 0,                   \
	  "CLS diagnostic: the result code's name "                       \
	  "(SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH)")                       \
	X(EV_SEVERITY, "event.severity", T, E, 0,                         \
	  "CLS diagnostic: Severity: as logged")                          \
	X(EV_DATA, "data", T, E, 1,                                       \
	  "CLS diagnostic: a Data: pair, data(\"expected-fqdn\")")        \
	X(EV_SERVER, "event.server", T, E, 0,                             \
	  "server trace: the machine that logged it")                     \
	X(EV_PEER, "event.peer", T, E, 0, "CLS diagnostic: Peer:")        \
	X(S_USER, "session.user", T, S, 0, "SIP URI of the user")         \
	X(S_EPID, "session.epid", T, S, 0, "endpoint id")                 \
	X(S_CLIENT_LOG, "session.client_log", B, S, 0,                    \
	  "seen from a client log (else a server trace)")                 \
	X(S_OUTCOME, "session.outcome", T, S, 0,                          \
	  "\"signed-in\", \"failed\" or \"incomplete\"")                  \
	X(S_FAILED_STEP, "session.failed_step", T, S, 0,                  \
	  "the step that failed (absent when none)")                      \
	X(S_STEP, "step", T, S, 1,                                        \
	  "a step's status: step(\"discovery\") is \"ok\", \"failed\" "   \
	  "or \"not seen\"")                                              \
	X(S_AUTH_OFFERED, "session.auth.offered", T, S, 0,                \
	  "schemes the 401/407s offered, comma list")                     \
	X(S_AUTH_USED, "session.auth.used", T, S, 0,                      \
	  "scheme the client answered with")                              \
	X(S_AUTH_CONFIRMED, "session.auth.confirmed", T, S, 0,            \
	  "scheme in Authentication-Info of the 200")                     \
	X(S_AUTH_METHOD, "session.auth.method", T, S, 0,                  \
	  "confirmed scheme, else the one used")                          \
	X(S_REG_PAIRS, "session.register.pairs", I, S, 0,                 \
	  "REGISTER request/answer pairs at the final registrar")        \
	X(S_REG_TOTAL, "session.register.total", I, S, 0,                 \
	  "REGISTERs of the sign-in, every pool")                         \
	X(S_REG_CHALLENGES, "session.register.challenges", I, S, 0,       \
	  "REGISTERs answered 401/407")                                   \
	X(S_REG_CREDS, "session.register.with_credentials", I, S, 0,      \
	  "REGISTERs that carried credentials")                           \
	X(S_REG_FINAL, "session.register.final", I, S, 0,                 \
	  "last final answer to REGISTER other than 401/407/3xx "         \
	  "(absent: none)")                                               \
	X(S_REG_REASON, "session.register.reason", T, S, 0,               \
	  "its reason phrase")                                            \
	X(S_REG_DIAG, "session.register.diag", I, S, 0,                   \
	  "its ms-diagnostics id")                                        \
	X(S_REG_DIAG_REASON, "session.register.diag_reason", T, S, 0,     \
	  "its ms-diagnostics reason")                                    \
	X(S_HOP_SOURCE, "session.hop_failure", T, S, 0,                   \
	  "the server that could not reach its next hop (ms-diagnostics " \
	  "1007-1011, 1014 on the final answer); absent if none")         \
	X(S_REG_EXPECTED, "session.register.expected_pairs", I, S, 0,     \
	  "pairs a clean sign-in takes with the method: Kerberos 2, "     \
	  "NTLM 3, TLS-DSK 4 (absent: method unknown)")                   \
	X(S_REDIRECTS, "session.redirects", I, S, 0,                      \
	  "301/302 answers to REGISTER")                                  \
	X(S_REDIRECT_LOOP, "session.redirect.loop", B, S, 0,              \
	  "redirected back to a pool already tried, or more than 3 times")\
	X(S_REDIRECT_FROM, "session.redirect.from", T, S, 0,              \
	  "the first registrar")                                          \
	X(S_REDIRECT_TO, "session.redirect.to", T, S, 0,                  \
	  "the last redirect target")                                     \
	X(S_SERVER, "session.server", T, S, 0,                            \
	  "where the REGISTERs went (host:port or server name)")          \
	X(S_CLIENT_VERSION, "session.client_version", T, S, 0,            \
	  "User-Agent of the REGISTER")                                   \
	X(S_SERVER_VERSION, "session.server_version", T, S, 0,            \
	  "Server header of its answers")                                 \
	X(S_WEB_CALLS, "session.web.calls", I, S, 0,                      \
	  "web-service calls (lyncdiscover, autodiscover, web ticket, "   \
	  "CertProv)")                                                    \
	X(S_WEB_FAILED, "session.web.failed", I, S, 0,                    \
	  "web-service calls answered 400 or more")                       \
	X(S_WT_28032, "session.web.ticket_invalid", I, S, 0,              \
	  "answers with X-Ms-diagnostics 28032")                          \
	X(S_SETTING, "setting", T, S, 1,                                  \
	  "a settings request: setting(\"provisioning-v2\") is \"ok\", "  \
	  "\"failed\", \"unanswered\" or \"not requested\"; names: "      \
	  "location-profile, roaming-contacts, provisioning-v2, "         \
	  "roaming-self, roaming-ACL, presence (or contacts, "            \
	  "provisioning, self, acl)")                                     \
	X(S_LOCATION_PROFILE, "session.location_profile", T, S, 0,        \
	  "the location profile's name")                                  \
	X(S_DURATION, "session.duration_ms", I, S, 0,                     \
	  "log time from the first to the last line of the sign-in")      \
	X(S_SIGNIN_MS, "session.signin_ms", I, S, 0,                      \
	  "log time from the start to the 200 OK to REGISTER")            \
	X(S_SIGNED_OUT, "session.signed_out", B, S, 0,                    \
	  "ended by REGISTER with Expires: 0")                            \
	X(S_MESSAGES, "session.messages", I, S, 0,                        \
	  "messages attributed to the sign-in")                           \
	X(J_BY, "join.by", T, J, 0,                                       \
	  "how the server sign-ins were matched: \"call-id\", \"epid\" "  \
	  "or \"user\"")                                                  \
	X(J_SERVERS, "join.servers", T, J, 0,                             \
	  "the servers whose traces saw the sign-in, \", \" list")         \
	X(J_OFFSET, "join.clock_offset", I, J, 0,                         \
	  "client log time minus server UTC, seconds (median over the "  \
	  "messages both logs hold; absent: none)")                       \
	X(J_SKEW, "join.clock_skew", I, J, 0,                             \
	  "how far the client clock is off, seconds, absolute: the "      \
	  "offset less the nearest whole half hour (a time zone)")        \
	X(J_MATCHED, "join.clock_matches", I, J, 0,                       \
	  "messages both logs hold (behind the offset)")                  \
	X(J_LOST, "join.lost", I, J, 0,                                   \
	  "messages one side sent and the other never logged")            \
	X(J_S_OUTCOME, "join.server.outcome", T, J, 0,                    \
	  "the server traces' view: \"failed\", \"signed-in\" or "        \
	  "\"incomplete\"")                                               \
	X(J_S_DIAG, "join.server.diag.code", I, J, 0,                     \
	  "first ms-diagnostics id on a server's answer of 400 or more")  \
	X(J_S_DIAG_REASON, "join.server.diag.reason", T, J, 0,            \
	  "its reason text")                                              \
	X(J_S_XDIAG, "join.server.xdiag.code", I, J, 0,                   \
	  "first X-Ms-diagnostics id a server trace shows (web services)")\
	X(J_S_XDIAG_REASON, "join.server.xdiag.reason", T, J, 0,          \
	  "its reason text")                                              \
	X(J_S_CAUSE_AT, "join.server.cause_at", T, J, 0,                  \
	  "where that diagnostic is: \"server file:line\"")               \
	X(J_CLIENT_SAW, "join.client.saw_cause", B, J, 0,                 \
	  "the client log holds that diagnostic too")

enum field_id {
#define X(id, n, t, s, k, d) F_##id,
	FIELD_MAP(X)
#undef X
	F__COUNT
};

static const struct field_def defs[] = {
#define X(id, n, t, s, k, d) { n, t, s, k, d },
	FIELD_MAP(X)
#undef X
};

const struct field_def *field_table(size_t *n)
{
	*n = F__COUNT;
	return defs;
}

int field_resolve(void *ud, struct sv name, struct sv key,
		  struct expr_field *out)
{
	(void)ud;
	(void)key;
	for (size_t i = 0; i < F__COUNT; i++) {
		if (sv_eq(name, sv_cstr(defs[i].name))) {
			out->id = (int)i;
			out->type = defs[i].type;
			out->scopes = defs[i].scopes;
			out->keyed = defs[i].keyed;
			return 0;
		}
	}
	return -1;
}

void field_print(FILE *out)
{
	static const char *tn[] = { "", "bool", "int", "string" };
	for (size_t i = 0; i < F__COUNT; i++) {
		const struct field_def *d = &defs[i];
		char name[64];
		snprintf(name, sizeof name, "%s%s", d->name,
			 d->keyed ? "(\"KEY\")" : "");
		fprintf(out, "%-34s %-6s %s\n", name, tn[d->type],
			d->scopes & M ? "message" : d->scopes & E ? "event"
			: d->scopes == J ? "join" : "session");
		/* the meaning, wrapped under the name */
		const char *p = d->doc;
		while (*p) {
			size_t n = strlen(p), cut = n;
			if (n > 70) {
				cut = 70;
				while (cut > 20 && p[cut] != ' ')
					cut--;
			}
			fprintf(out, "    %.*s\n", (int)cut, p);
			p += cut;
			while (*p == ' ')
				p++;
		}
	}
}

/* ---- values ---------------------------------------------------------- */

static int v_str(struct expr_value *v, struct sv s)
{
	v->type = EXPR_T_STR;
	v->s = s;
	v->i = 0;
	return 0;
}

static int v_cstr(struct expr_value *v, const char *s)
{
	return v_str(v, sv_cstr(s));
}

/* A string that is empty when the fact is missing: absent. */
static int v_opt(struct expr_value *v, struct sv s)
{
	return s.n ? v_str(v, s) : 1;
}

static int v_int(struct expr_value *v, int64_t i)
{
	v->type = EXPR_T_INT;
	v->i = i;
	v->s = SV_NULL;
	return 0;
}

static int v_bool(struct expr_value *v, int b)
{
	v->type = EXPR_T_BOOL;
	v->i = b != 0;
	v->s = SV_NULL;
	return 0;
}

/* The first diagnostic of a kind: X-Ms (xms = 1) or ms-diagnostics. */
static const struct msg_diag *first_diag(const struct msg *m, int xms)
{
	for (size_t i = 0; i < m->ndiags; i++) {
		enum msg_diag_hdr h = m->diags[i].hdr;
		if (xms ? h == MSG_DIAG_X_MS
			: h == MSG_DIAG_MS || h == MSG_DIAG_MS_PUBLIC)
			return &m->diags[i];
	}
	return NULL;
}

static const struct msg_auth *first_auth(const struct msg *m, int want1,
					 int want2)
{
	for (size_t i = 0; i < m->nauths; i++)
		if ((int)m->auths[i].hdr == want1 ||
		    (int)m->auths[i].hdr == want2)
			return &m->auths[i];
	return NULL;
}

/* Offered schemes, joined with ',' into scratch. */
static struct sv offered(struct field_item *it)
{
	const struct msg *m = it->msg;
	size_t off = 0;
	it->scratch[0] = '\0';
	for (size_t i = 0; i < m->nauths; i++) {
		const struct msg_auth *a = &m->auths[i];
		if (a->hdr != MSG_AUTH_WWW &&
		    a->hdr != MSG_AUTH_PROXY_AUTHENTICATE)
			continue;
		if (off + a->scheme.n + 2 >= sizeof it->scratch)
			break;
		if (off)
			it->scratch[off++] = ',';
		memcpy(it->scratch + off, a->scheme.p, a->scheme.n);
		off += a->scheme.n;
		it->scratch[off] = '\0';
	}
	return sv_make(it->scratch, off);
}

static int has_credentials(const struct msg *m)
{
	struct sv v;
	for (size_t i = 0; i < m->nauths; i++) {
		const struct msg_auth *a = &m->auths[i];
		if (a->hdr != MSG_AUTH_AUTHORIZATION &&
		    a->hdr != MSG_AUTH_PROXY_AUTHORIZATION)
			continue;
		if (sip_auth_param(a, "gssapi-data", &v) ||
		    sip_auth_param(a, "response", &v))
			return 1;
	}
	return 0;
}

/* msg.request_method: a response's request's method (empty: absent) */
static struct sv req_method_of(const struct field_item *it)
{
	const struct msg *m = it->msg;
	if (m->kind != MSG_RESPONSE)
		return m->method;
	if (m->proto == MSG_SIP && m->cseq_method.n)
		return m->cseq_method;
	return it->req_method;
}

static int get_msg(struct field_item *it, int id, struct sv key,
		   struct expr_value *v)
{
	const struct msg *m = it->msg;
	const struct msg_diag *d;
	const struct msg_auth *a;
	int resp = m->kind == MSG_RESPONSE;
	switch ((enum field_id)id) {
	case F_MSG_PROTO:
		return m->proto == MSG_SIP ? v_cstr(v, "sip")
		       : m->proto == MSG_HTTP ? v_cstr(v, "http") : 1;
	case F_MSG_IS_REQUEST:
		return v_bool(v, m->kind == MSG_REQUEST);
	case F_MSG_IS_RESPONSE:
		return v_bool(v, resp);
	case F_MSG_METHOD:
		return resp ? 1 : v_opt(v, m->method);
	case F_MSG_REQ_METHOD:
		return v_opt(v, req_method_of(it));
	case F_MSG_STATUS:
		return resp ? v_int(v, m->status) : 1;
	case F_MSG_REASON:
		return resp ? v_opt(v, m->status_reason) : 1;
	case F_MSG_URI:
		return resp ? v_opt(v, it->req_uri) : v_opt(v, m->uri);
	case F_MSG_HOST:
		return v_opt(v, m->host);
	case F_MSG_CALL_ID:
		return v_opt(v, m->call_id);
	case F_MSG_CSEQ:
		return m->cseq_method.n ? v_int(v, m->cseq) : 1;
	case F_MSG_FROM:
		return v_opt(v, m->from_uri);
	case F_MSG_TO:
		return v_opt(v, m->to_uri);
	case F_MSG_USER_AGENT:
		return v_opt(v, m->user_agent);
	case F_MSG_SERVER_HDR:
		return v_opt(v, m->server_hdr);
	case F_MSG_DIR:
		return m->dir == DIR_OUT ? v_cstr(v, "sent")
		       : m->dir == DIR_IN ? v_cstr(v, "received") : 1;
	case F_MSG_SERVER:
		return v_opt(v, sv_cstr(m->server));
	case F_MSG_LOCAL:
		return v_opt(v, sv_cstr(m->local));
	case F_MSG_REMOTE:
		return v_opt(v, sv_cstr(m->remote));
	case F_MSG_DIAG_CODE:
		return (d = first_diag(m, 0)) ? v_int(v, d->code) : 1;
	case F_MSG_DIAG_REASON:
		return (d = first_diag(m, 0)) ? v_opt(v, d->reason) : 1;
	case F_MSG_DIAG_SOURCE:
		return (d = first_diag(m, 0)) ? v_opt(v, d->source) : 1;
	case F_MSG_DIAG_PUBLIC:
		return (d = first_diag(m, 0))
		       ? v_bool(v, d->hdr == MSG_DIAG_MS_PUBLIC) : 1;
	case F_MSG_XDIAG_CODE:
		return (d = first_diag(m, 1)) ? v_int(v, d->code) : 1;
	case F_MSG_XDIAG_REASON:
		return (d = first_diag(m, 1)) ? v_opt(v, d->reason) : 1;
	case F_MSG_XDIAG_SOURCE:
		return (d = first_diag(m, 1)) ? v_opt(v, d->source) : 1;
	case F_MSG_XDIAG_FAULT: {
		const struct sv *fc;
		if (!(d = first_diag(m, 1)))
			return 1;
		fc = msg_param_get(d->params, d->nparams, "faultcode");
		return fc ? v_opt(v, *fc) : 1;
	}
	case F_MSG_AUTH_OFFERED:
		return v_opt(v, offered(it));
	case F_MSG_AUTH_SCHEME:
		a = first_auth(m, MSG_AUTH_AUTHORIZATION,
			       MSG_AUTH_PROXY_AUTHORIZATION);
		return a ? v_opt(v, a->scheme) : 1;
	case F_MSG_CREDENTIALS:
		return v_bool(v, has_credentials(m));
	case F_MSG_AUTH_PARAM: {
		char k[64];
		struct sv p;
		if (!m->nauths || key.n >= sizeof k)
			return 1;
		memcpy(k, key.p, key.n);
		k[key.n] = '\0';
		a = &m->auths[0];
		return sip_auth_param(a, k, &p) ? v_str(v, p) : 1;
	}
	case F_MSG_EXPIRES:
		return m->expires >= 0 ? v_int(v, m->expires) : 1;
	case F_MSG_CTYPE:
		return v_opt(v, m->content_type);
	case F_MSG_EVENT_HDR:
		return v_opt(v, m->event);
	case F_MSG_BODY:
		return v_str(v, m->body);
	case F_MSG_BODY_LEN:
		return v_int(v, (int64_t)m->body.n);
	case F_MSG_TRUNCATED:
		return v_bool(v, m->flags & MSG_F_TRUNCATED);
	case F_MSG_IN_SESSION:
		return v_bool(v, it->session_id != 0);
	case F_MSG_HEADER: {
		for (size_t i = 0; i < m->nhdrs; i++)
			if (sv_ieq(m->hdrs[i].name, key))
				return v_str(v, m->hdrs[i].value);
		return 1;
	}
	default:
		return 1;
	}
}

/* Parse a captured "0x80ef0191" / "80EF0191" / "-2147..." HRESULT. */
static int parse_hr(struct sv s, int64_t *out)
{
	uint64_t x = 0;
	size_t i = 0;
	s = sv_trim(s);
	if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X'))
		i = 2;
	if (i == s.n || s.n - i > 16)
		return -1;
	for (; i < s.n; i++) {
		int h = sv_hex_digit(s.p[i]);
		if (h < 0)
			return -1;
		x = x << 4 | (uint64_t)h;
	}
	*out = (int64_t)x;
	return 0;
}

/* A pattern event's "hr" capture, parsed.  @return 0, or 1 if none */
static int event_hr(const struct pat_event *ev, int64_t *hr)
{
	for (size_t i = 0; i < ev->ncaps; i++)
		if (sv_eq(ev->caps[i].name, SV_LIT("hr")) &&
		    parse_hr(ev->caps[i].value, hr) == 0)
			return 0;
	return 1;
}

static int get_event(struct field_item *it, int id, struct sv key,
		     struct expr_value *v)
{
	const struct pat_event *ev = it->ev;
	const struct fmt_rec *r = it->rec;
	switch ((enum field_id)id) {
	case F_EV_NAME:
		return v_cstr(v, ev ? ev->name : cls_diag_name);
	case F_EV_STEP:
		return ev ? v_cstr(v, sfb_step_name(ev->step)) : 1;
	case F_EV_TEXT:
		return ev ? v_str(v, ev->text) : v_str(v, r->diag_text);
	case F_EV_MATCH:
		return ev ? v_str(v, ev->match) : 1;
	case F_EV_FAILS:
		return v_bool(v, ev && ev->fails_step);
	case F_EV_HR: {
		int64_t hr;
		if (r)
			return r->result_code ? v_int(v,
				(int64_t)r->result_code) : 1;
		return event_hr(ev, &hr) == 0 ? v_int(v, hr) : 1;
	}
	case F_EV_CAPTURE:
		if (!ev)
			return 1;
		for (size_t i = 0; i < ev->ncaps; i++)
			if (sv_eq(ev->caps[i].name, key))
				return v_opt(v, ev->caps[i].value);
		return 1;
	case F_EV_RESULT_NAME:
		return r ? v_opt(v, r->result_name) : 1;
	case F_EV_SEVERITY:
		return r ? v_opt(v, r->severity) : 1;
	case F_EV_DATA:
		if (!r)
			return 1;
		for (size_t i = 0; i < r->ndata; i++)
			if (sv_ieq(r->data[i].key, key))
				return v_str(v, r->data[i].val);
		return 1;
	case F_EV_SERVER:
		return r ? v_opt(v, r->server) : 1;
	case F_EV_PEER:
		return r ? v_opt(v, r->peer) : 1;
	default:
		return 1;
	}
}

/* Short names of the settings requests, beside sess_setting_name's. */
static const char *const setting_short[SESS_SET__COUNT] = {
	"location-profile", "contacts", "provisioning", "self", "acl",
	"presence"
};

static int get_session(struct field_item *it, int id, struct sv key,
		       struct expr_value *v)
{
	const struct sess *s = it->sess;
	unsigned method = s->auth_confirmed ? s->auth_confirmed
					    : s->auth_used;
	switch ((enum field_id)id) {
	case F_S_USER:
		return v_opt(v, sv_cstr(s->user));
	case F_S_EPID:
		return v_opt(v, sv_cstr(s->epid));
	case F_S_CLIENT_LOG:
		return v_bool(v, s->client_log);
	case F_S_OUTCOME:
		return v_cstr(v, sess_outcome_name(s->outcome));
	case F_S_FAILED_STEP:
		return s->failed_step ? v_cstr(v,
			sfb_step_name(s->failed_step)) : 1;
	case F_S_STEP:
		for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++)
			if (sv_eq(key, sv_cstr(sfb_step_name(
					(enum sfb_step)i))))
				return v_cstr(v, sess_status_name(
					s->steps[i].status));
		return 1;
	case F_S_AUTH_OFFERED:
		return v_opt(v, sv_cstr(sess_auth_names(s->auth_offered,
			it->scratch, sizeof it->scratch)));
	case F_S_AUTH_USED:
		return v_opt(v, sv_cstr(sess_auth_names(s->auth_used,
			it->scratch, sizeof it->scratch)));
	case F_S_AUTH_CONFIRMED:
		return v_opt(v, sv_cstr(sess_auth_names(s->auth_confirmed,
			it->scratch, sizeof it->scratch)));
	case F_S_AUTH_METHOD:
		return v_opt(v, sv_cstr(sess_auth_names(method,
			it->scratch, sizeof it->scratch)));
	case F_S_REG_PAIRS:
		return v_int(v, s->register_pairs);
	case F_S_REG_TOTAL:
		return v_int(v, s->register_total);
	case F_S_REG_CHALLENGES:
		return v_int(v, s->register_401);
	case F_S_REG_CREDS:
		return v_int(v, s->register_creds);
	case F_S_REG_FINAL:
		return s->register_final ? v_int(v, s->register_final) : 1;
	case F_S_REG_REASON:
		return s->register_final ? v_opt(v,
			sv_cstr(s->register_reason)) : 1;
	case F_S_REG_DIAG:
		return s->register_diag ? v_int(v, s->register_diag) : 1;
	case F_S_REG_DIAG_REASON:
		return v_opt(v, sv_cstr(s->register_diag_reason));
	case F_S_HOP_SOURCE:
		return v_opt(v, sv_cstr(s->hop_source));
	case F_S_REG_EXPECTED: {
		unsigned e = sess_expected_pairs(method);
		return e ? v_int(v, e) : 1;
	}
	case F_S_REDIRECTS:
		return v_int(v, s->nredirects);
	case F_S_REDIRECT_LOOP:
		return v_bool(v, s->redirect_loop);
	case F_S_REDIRECT_FROM:
		return v_opt(v, sv_cstr(s->redirect_from));
	case F_S_REDIRECT_TO:
		return v_opt(v, sv_cstr(s->redirect_to));
	case F_S_SERVER:
		return v_opt(v, sv_cstr(s->server));
	case F_S_CLIENT_VERSION:
		return v_opt(v, sv_cstr(s->client_version));
	case F_S_SERVER_VERSION:
		return v_opt(v, sv_cstr(s->server_version));
	case F_S_WEB_CALLS:
		return v_int(v, (int64_t)s->nhttp_total);
	case F_S_WEB_FAILED:
		return v_int(v, s->http_failed);
	case F_S_WT_28032:
		return v_int(v, s->webticket_28032);
	case F_S_SETTING:
		for (int i = 0; i < SESS_SET__COUNT; i++) {
			const struct sess_setting *st = &s->settings[i];
			if (!sv_ieq(key, sv_cstr(sess_setting_name(
					(enum sess_setting_id)i))) &&
			    !sv_ieq(key, sv_cstr(setting_short[i])))
				continue;
			return v_cstr(v, !st->line ? "not requested"
				: st->status == SESS_OK ? "ok"
				: st->status == SESS_FAILED ? "failed"
				: "unanswered");
		}
		return 1;
	case F_S_LOCATION_PROFILE:
		return v_opt(v, sv_cstr(s->location_profile));
	case F_S_DURATION:
		return s->start != SFB_TIME_NONE && s->end != SFB_TIME_NONE
		       ? v_int(v, s->end - s->start) : 1;
	case F_S_SIGNIN_MS:
		return s->signin_ms >= 0 ? v_int(v, s->signin_ms) : 1;
	case F_S_SIGNED_OUT:
		return v_bool(v, s->signed_out);
	case F_S_MESSAGES:
		return v_int(v, (int64_t)s->nmsgs);
	default:
		return 1;
	}
}

static int get_join(struct field_item *it, int id, struct expr_value *v)
{
	const struct join_facts *fx = it->join;
	const struct join_msg *why = fx->xcause ? fx->xcause : fx->cause;
	static const char *const by[] = { "", "user", "epid", "call-id" };
	switch ((enum field_id)id) {
	case F_J_BY:
		return v_opt(v, sv_cstr(by[fx->by]));
	case F_J_SERVERS:
		return v_opt(v, sv_cstr(fx->servers));
	case F_J_OFFSET:
		return fx->have_offset ? v_int(v, fx->offset_ms / 1000) : 1;
	case F_J_SKEW:
		return fx->have_offset ? v_int(v, (fx->skew_ms < 0
			? -fx->skew_ms : fx->skew_ms) / 1000) : 1;
	case F_J_MATCHED:
		return v_int(v, fx->nmatched);
	case F_J_LOST:
		return v_int(v, fx->lost_total);
	case F_J_S_OUTCOME:
		return v_cstr(v, sess_outcome_name(fx->server_outcome));
	case F_J_S_DIAG:
		return fx->cause ? v_int(v, fx->cause->diag) : 1;
	case F_J_S_DIAG_REASON:
		return fx->cause ? v_opt(v, sv_cstr(fx->cause->diag_reason))
				 : 1;
	case F_J_S_XDIAG:
		return fx->xcause ? v_int(v, fx->xcause->diag) : 1;
	case F_J_S_XDIAG_REASON:
		return fx->xcause ? v_opt(v,
			sv_cstr(fx->xcause->diag_reason)) : 1;
	case F_J_S_CAUSE_AT:
		if (!why)
			return 1;
		snprintf(it->scratch, sizeof it->scratch, "%s %s:%lu",
			 why->server, why->file ? why->file : "-",
			 why->line);
		return v_cstr(v, it->scratch);
	case F_J_CLIENT_SAW:
		return v_bool(v, fx->client_saw_cause);
	default:
		return 1;
	}
}

/* ---- the rule index's view (field_class, field_known) ---------------- */

/*
 * The methods a message class names (1 + their index; 0: another one):
 * rules compare methods as written, so a class holds one exact text.
 */
#define METHOD(s) { (s), sizeof(s) - 1 }
static const struct sv class_methods[] = {
	METHOD("REGISTER"), METHOD("SUBSCRIBE"), METHOD("SERVICE"),
	METHOD("NOTIFY"), METHOD("BENOTIFY"), METHOD("INVITE"), METHOD("ACK"),
	METHOD("BYE"), METHOD("CANCEL"), METHOD("OPTIONS"), METHOD("MESSAGE"),
	METHOD("INFO"), METHOD("PRACK"), METHOD("UPDATE"), METHOD("REFER"),
	METHOD("PUBLISH"), METHOD("GET"), METHOD("POST"), METHOD("PUT"),
	METHOD("DELETE"), METHOD("HEAD"),
};
#undef METHOD

static uint64_t method_no(struct sv m)
{
	for (size_t i = 0; i < sizeof class_methods / sizeof *class_methods;
	     i++) {
		struct sv c = class_methods[i];
		if (m.n == c.n && m.p[0] == c.p[0] &&
		    memcmp(m.p, c.p, m.n) == 0)
			return i + 1;
	}
	return 0;
}

/* A response's status, when its class holds it (else 0). */
static uint64_t class_status(const struct msg *m)
{
	return m->kind == MSG_RESPONSE && m->status >= 100 &&
	       m->status <= 999 ? (uint64_t)m->status : 0;
}

/* A session's counts a class holds exactly: up to its limit. */
#define CLASS_REDIRECTS 6u      /* 3 bits */
#define CLASS_COUNT 14u         /* 4 bits */

/* A setting as setting() reads it: 0 not requested ... 3 unanswered */
static unsigned setting_state(const struct sess_setting *st)
{
	return !st->line ? 0 : st->status == SESS_OK ? 1
	       : st->status == SESS_FAILED ? 2 : 3;
}

static uint64_t small(uint64_t n, unsigned limit)
{
	return n <= limit ? (uint64_t)n : limit + 1;
}

/*
 * A session's class: its outcome (2 bits), redirects (3), redirect
 * loop (1), the status of each step (5 x 2), of each setting (6 x 2),
 * REGISTERs answered 401 (4), REGISTERs (4), 28032 answers (3), the
 * final answer to REGISTER (10: 0 for none, or one past 999).
 */
static uint64_t session_class(const struct sess *s)
{
	uint64_t c = (uint64_t)s->outcome;
	int sh = 2;
	c |= small(s->nredirects, CLASS_REDIRECTS) << sh;
	sh += 3;
	c |= (uint64_t)(s->redirect_loop != 0) << sh;
	sh += 1;
	for (int i = SFB_STEP_DISCOVERY; i < SFB_STEP__COUNT; i++, sh += 2)
		c |= (uint64_t)(s->steps[i].status & 3) << sh;
	for (int i = 0; i < SESS_SET__COUNT; i++, sh += 2)
		c |= (uint64_t)setting_state(&s->settings[i]) << sh;
	c |= small(s->register_401, CLASS_COUNT) << sh;
	sh += 4;
	c |= small(s->register_total, CLASS_COUNT) << sh;
	sh += 4;
	c |= small(s->webticket_28032, CLASS_REDIRECTS) << sh;
	sh += 3;
	c |= (uint64_t)(s->register_final >= 0 && s->register_final <= 999
			 ? s->register_final : 1000) << sh;
	return c;
}

/* field_known of a session: what session_class holds. */
static int session_known(struct field_item *it, int id, struct sv key,
			 struct expr_value *out)
{
	const struct sess *s = it->sess;
	int known;
	switch ((enum field_id)id) {
	case F_S_OUTCOME:
	case F_S_REDIRECT_LOOP:
	case F_S_STEP:
	case F_S_SETTING:
		known = 1;
		break;
	case F_S_REDIRECTS:
		known = s->nredirects <= CLASS_REDIRECTS;
		break;
	case F_S_REG_CHALLENGES:
		known = s->register_401 <= CLASS_COUNT;
		break;
	case F_S_REG_TOTAL:
		known = s->register_total <= CLASS_COUNT;
		break;
	case F_S_WT_28032:
		known = s->webticket_28032 <= CLASS_REDIRECTS;
		break;
	case F_S_REG_FINAL:
		known = s->register_final >= 0 && s->register_final <= 999;
		break;
	default:
		known = 0;
		break;
	}
	return known ? field_get(it, id, key, out) : EXPR_UNKNOWN;
}

struct field_cls field_class(const struct field_item *it)
{
	const struct msg *m = it->msg;
	struct field_cls c = { 0, 0 };
	switch (it->scope) {
	case EXPR_SCOPE_MSG:
		/* kind (2 bits), diagnostics (2), proto (2), in a
		 * session (1), method (5), status (10) */
		if (m)
			c.a = (uint64_t)m->kind | (first_diag(m, 0) ? 4u : 0) |
			      (first_diag(m, 1) ? 8u : 0) |
			      (uint64_t)m->proto << 4 |
			      (uint64_t)(it->session_id != 0) << 6 |
			      method_no(req_method_of(it)) << 7 |
			      class_status(m) << 12;
		break;
	case EXPR_SCOPE_EVENT: {
		/* the name (names are distinct pointers), whether it has
		 * an hr, and the hr */
		int64_t hr = 0;
		if (!it->ev) {
			c.a = 2 * (uint64_t)(uintptr_t)cls_diag_name;
			break;
		}
		c.a = 2 * (uint64_t)(uintptr_t)it->ev->name +
		      (event_hr(it->ev, &hr) == 0);
		c.b = (uint64_t)hr;
		break;
	}
	case EXPR_SCOPE_SESSION:
		if (it->sess)
			c.a = session_class(it->sess);
		break;
	case EXPR_SCOPE_JOIN:   /* one class: every such rule is tried */
		break;
	}
	return c;
}

int field_known(void *ud, int id, struct sv key, struct expr_value *out)
{
	const struct field_item *it = ud;
	const struct msg *m = it->msg;
	int resp = m && m->kind == MSG_RESPONSE;
	switch (it->scope) {
	case EXPR_SCOPE_MSG:
		if (!m)
			return 1;
		switch ((enum field_id)id) {
		case F_MSG_PROTO:
		case F_MSG_IS_REQUEST:
		case F_MSG_IS_RESPONSE:
		case F_MSG_IN_SESSION:
			return field_get(ud, id, key, out);
		case F_MSG_METHOD:      /* a request's is its request's */
		case F_MSG_REQ_METHOD:
			if (resp && id == F_MSG_METHOD)
				return 1;
			return method_no(req_method_of(it))
			       ? field_get(ud, id, key, out) : EXPR_UNKNOWN;
		case F_MSG_STATUS:
			if (!resp)
				return 1;
			return class_status(m) ? field_get(ud, id, key, out)
					       : EXPR_UNKNOWN;
		case F_MSG_REASON:
			return resp ? EXPR_UNKNOWN : 1;
		case F_MSG_DIAG_CODE:
		case F_MSG_DIAG_REASON:
		case F_MSG_DIAG_SOURCE:
		case F_MSG_DIAG_PUBLIC:
			return first_diag(m, 0) ? EXPR_UNKNOWN : 1;
		case F_MSG_XDIAG_CODE:
		case F_MSG_XDIAG_REASON:
		case F_MSG_XDIAG_SOURCE:
		case F_MSG_XDIAG_FAULT:
			return first_diag(m, 1) ? EXPR_UNKNOWN : 1;
		default:
			return EXPR_UNKNOWN;
		}
	case EXPR_SCOPE_EVENT: {
		const struct pat_event *ev = it->ev;
		switch ((enum field_id)id) {
		case F_EV_NAME:
			return v_cstr(out, ev ? ev->name : cls_diag_name);
		case F_EV_HR:           /* a pattern event's: its class's */
			return ev ? field_get(ud, id, key, out) : EXPR_UNKNOWN;
		case F_EV_STEP:
		case F_EV_MATCH:
		case F_EV_CAPTURE:      /* a pattern event's only */
			return ev ? EXPR_UNKNOWN : 1;
		case F_EV_RESULT_NAME:
		case F_EV_SEVERITY:
		case F_EV_DATA:
		case F_EV_SERVER:
		case F_EV_PEER:         /* a CLS diagnostic's only */
			return ev ? 1 : EXPR_UNKNOWN;
		default:
			return EXPR_UNKNOWN;
		}
	}
	case EXPR_SCOPE_SESSION:
		return it->sess ? session_known(ud, id, key, out) : 1;
	case EXPR_SCOPE_JOIN:
		break;
	}
	return EXPR_UNKNOWN;
}

int field_get(void *ud, int id, struct sv key, struct expr_value *out)
{
	struct field_item *it = ud;
	if (id < 0 || id >= F__COUNT)
		return 1;
	switch (it->scope) {
	case EXPR_SCOPE_MSG:
		return it->msg ? get_msg(it, id, key, out) : 1;
	case EXPR_SCOPE_EVENT:
		return it->ev || it->rec ? get_event(it, id, key, out) : 1;
	case EXPR_SCOPE_SESSION:
		return it->sess ? get_session(it, id, key, out) : 1;
	case EXPR_SCOPE_JOIN:
		if (id < F_J_BY)
			return it->sess ? get_session(it, id, key, out) : 1;
		return it->join ? get_join(it, id, out) : 1;
	}
	return 1;
}
