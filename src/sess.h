/* SPDX-License-Identifier: MIT */
/*
 * sess.h -- the sign-in session builder, fifth stage of the pipeline:
 * parsed messages (msg.h), free-text events (pattern.h) and CLS diagnostic
 * records in, rebuilt client sign-in sessions out (on_session), each
 * with the five steps of FORMATS.md section 4 -- discovery,
 * connectivity, authentication, redirection, settings -- their status
 * and the file:line evidence behind it.
 *
 * A session belongs to one user and endpoint (SIP URI + epid).  It
 * starts at discovery activity (lyncdiscover / autodiscover HTTP, DNS
 * and autodiscovery lines) or at the first REGISTER of a new
 * registration.  The phase before the first REGISTER (lyncdiscover,
 * Autodiscover, Web Ticket, CertProv, DNS: calls that mostly carry no
 * user) belongs to the sign-in that follows it: more discovery
 * activity continues it while it is within SFB_SESS_ATTACH_MS of log
 * time of its last activity (adjacent, when the log has no times) or
 * a redirect is pending, and the next REGISTER takes it over when it
 * comes within that window or names the user a lyncdiscover ?sipuri=
 * named.  A phase followed by nothing stays a session of its own.
 * A session ends at a completed sign-in (200 OK to REGISTER
 * plus the settings that follow, closed when they are done or after
 * SFB_SESS_SETTLE_MS of log time), at a failure (a final REGISTER error
 * other than a challenge or a redirect), at sign-out (REGISTER with
 * Expires: 0), when a new sign-in of the same endpoint begins, after an
 * idle gap of SFB_SESS_IDLE_MS of log time, or at end of input.  A
 * client log has one client, so messages without a user (HTTP) and
 * free-text events go to that client's current session; in a server
 * trace they are matched by the sipuri of the URL and the Call-ID, and
 * a web-service phase no session claims yet is held, per web peer, for
 * a REGISTER of its user or from its peer's host within the window
 * (at most SESS_MAX_WEB at once: the oldest is let go, counted in
 * sess_web_stats()).  Unclaimed, it is dropped like other traffic
 * without a user, unless it failed: then it is a sign-in of its own,
 * numbered from its first failure (its earlier messages got id 0).
 * Traffic that belongs to no sign-in (IM, calls, presence of others)
 * gets session id 0: it stays available as dialogs by Call-ID.
 *
 * Memory is bounded: at most max_open sessions are open at once (the
 * least recently active is closed early), each with capped evidence,
 * web-service calls and provisioning properties; closed sessions are
 * handed to the sink and freed.  Nothing reads the wall clock.
 *
 * Ownership: inputs are borrowed per call.  The struct sess given to
 * on_session is valid only during that call; file names inside it are
 * borrowed from the caller (they must outlive the builder).  Not shared
 * between threads.
 */
#ifndef SFB_SESS_H
#define SFB_SESS_H

#include <stdint.h>

#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sfb.h"

#ifndef SFB_SESS_IDLE_MS
#define SFB_SESS_IDLE_MS 300000   /* 5 min of log time without activity */
#endif
#ifndef SFB_SESS_SETTLE_MS
#define SFB_SESS_SETTLE_MS 60000  /* settings after 200 OK to REGISTER */
#endif
#ifndef SFB_SESS_ATTACH_MS
#define SFB_SESS_ATTACH_MS 120000 /* web phase to its REGISTER, 2 min */
#endif
#ifndef SFB_SESS_MAX_OPEN
#define SFB_SESS_MAX_OPEN 1024
#endif
#define SESS_MAX_EVIDENCE 10      /* evidence lines kept per step */
#define SESS_MAX_HTTP 24          /* web-service calls kept */
#define SESS_MAX_PROPS 192        /* provisioning properties kept */
#define SESS_MAX_GROUPS 24        /* provisioning groups kept */
#define SESS_MAX_SERVERS 4        /* servers (CLS) that saw the session */
#define SESS_MAX_WEB 32           /* server trace: web phases held */

enum sess_status { SESS_NOT_SEEN = 0, SESS_OK, SESS_FAILED };
enum sess_outcome { SESS_INCOMPLETE = 0, SESS_SIGNED_IN, SESS_FAILED_OUT };

/* Authentication methods, as bits (offered) or one value (used). */
#define SESS_AUTH_KERBEROS 0x01u   /* in the order reports list them */
#define SESS_AUTH_NTLM     0x02u
#define SESS_AUTH_TLSDSK   0x04u
#define SESS_AUTH_NEGOTIATE 0x08u
#define SESS_AUTH_OTHER    0x10u

struct sess_evidence {
	const char *file;       /* borrowed */
	unsigned long line;
	int64_t ts;
	int failed;             /* this line shows the step failing */
	char text[168];
};

struct sess_step {
	enum sess_status status;
	char summary[200];      /* one line saying what happened */
	struct sess_evidence ev[SESS_MAX_EVIDENCE];
	size_t nev;
	uint64_t nev_total;
	/* log time of its first and last evidence (every line, kept or
	 * not), SFB_TIME_NONE when none had a time */
	int64_t first_ts, last_ts;
};

/* Web-service calls seen during the sign-in. */
enum sess_http_kind { SESS_HTTP_LYNCDISCOVER = 1, SESS_HTTP_AUTODISCOVER,
		      SESS_HTTP_WEBTICKET, SESS_HTTP_CERTPROV,
		      SESS_HTTP_OTHER };

struct sess_http {
	enum sess_http_kind kind;
	const char *file;
	unsigned long line;     /* the request (or response if unpaired) */
	int64_t ts;
	char method[12];
	char url[160];          /* host + path, query cut */
	int status;             /* 0: no answer seen */
	uint32_t diag_code;     /* X-Ms-diagnostics, 0 if none */
	char diag_reason[128];
	char fault_code[96];    /* SOAP fault in the answer's body */
	char fault_reason[160];
};

enum sess_setting_id { SESS_SET_LOCATION_PROFILE = 0, SESS_SET_CONTACTS,
		       SESS_SET_PROVISIONING, SESS_SET_SELF, SESS_SET_ACL,
		       SESS_SET_PRESENCE, SESS_SET__COUNT };

struct sess_setting {
	enum sess_status status;
	int code;               /* final status of its request, 0 if none */
	const char *file;
	unsigned long line;
};

struct sess_prop {
	uint8_t group;          /* index into groups[] */
	char name[56];
	char value[136];
};

struct sess {
	unsigned id;            /* 1, 2, ... in order of start in the stream */
	char user[128];         /* "sip:alice@contoso.com", "" if unknown */
	char epid[40];
	char client_version[128];   /* User-Agent of REGISTER */
	char server_version[96];    /* Server of its answers */
	const char *file;       /* where it starts (borrowed) */
	unsigned long first_line, last_line;
	const char *last_file;
	int64_t start, end;     /* log time */
	enum sess_outcome outcome;
	char outcome_text[240]; /* what happened, in one sentence (a fact:
				 * the rules say why and what to do) */
	enum sfb_step failed_step; /* the step that failed, NONE if none */
	int client_log;         /* seen from a client log, else a trace */
	int64_t signin_ms;      /* start to 200 OK to REGISTER, -1 none */
	int signed_out;         /* ended by REGISTER Expires: 0 */
	int evicted;            /* closed early: too many open sessions */

	struct sess_step steps[SFB_STEP__COUNT]; /* [SFB_STEP_NONE] unused */

	/* connectivity */
	char server[128];       /* host:port the REGISTERs went to */
	char servers_seen[SESS_MAX_SERVERS][48]; /* CLS brackets */
	size_t nservers;

	/* authentication */
	unsigned auth_offered;  /* SESS_AUTH_* bits from 401/407 */
	unsigned auth_used;     /* one SESS_AUTH_* from Authorization */
	unsigned auth_confirmed;/* from Authentication-Info, 0 if none */
	unsigned register_pairs;/* REGISTER request/answer pairs (this pool) */
	unsigned register_total;/* REGISTERs of the sign-in, every pool */
	unsigned register_401;  /* answered 401/407 */
	unsigned register_creds;/* REGISTERs that carried credentials */
	int creds_refused;      /* a REGISTER with credentials answered
				 * 401/403 and no handshake went on */
	int register_final;     /* last final answer to REGISTER, 0 none */
	char register_reason[96];
	uint32_t register_diag; /* its ms-diagnostics code, 0 if none */
	char register_diag_reason[160];
	char hop_source[96];    /* the server whose next hop failed
				 * (ms-diagnostics 1007-1011, 1014 on the
				 * final answer), "" if none */
	struct sess_http http[SESS_MAX_HTTP];
	size_t nhttp;
	uint64_t nhttp_total;
	unsigned http_failed;   /* web-service calls answered >= 400 */
	unsigned webticket_28032;   /* X-Ms-diagnostics 28032 answers */

	/* redirection */
	unsigned nredirects;
	char redirect_from[128];
	char redirect_to[128];
	int redirect_loop;

	/* settings */
	struct sess_setting settings[SESS_SET__COUNT];
	char location_profile[96];
	unsigned location_rules;
	char groups[SESS_MAX_GROUPS][40];
	size_t ngroups;
	struct sess_prop *props;    /* owned, SESS_MAX_PROPS */
	size_t nprops;
	uint64_t nprops_total;

	uint64_t nmsgs;         /* messages attributed to the session */
};

struct sess_sink {
	void (*on_session)(void *ud, const struct sess *s);
	void *ud;
};

struct sess_builder;

/*
 * @param client_log 1: one client writes the stream (UccApilog); 0: a
 *                   server trace with many users (CLS)
 * @param max_open   0: SFB_SESS_MAX_OPEN
 */
struct sess_builder *sess_new(const struct sess_sink *sink, int client_log,
			      size_t max_open);
/*
 * A parsed message.  copy: txn_add() said it repeats one already seen
 * (another hop); req_method / req_uri: for a response, the request it
 * answers (txn_last_request), else empty.
 * @return the id of the session it was attributed to, 0 for none
 */
unsigned sess_msg(struct sess_builder *b, const struct msg *m, int copy,
		  struct sv req_method, struct sv req_uri);
/*
 * A free-text event of the pattern table, found in the entry that
 * starts at file:line with log time ts.
 * @return the session id it was attributed to, 0 for none
 */
unsigned sess_event(struct sess_builder *b, const struct pat_event *ev,
		    const char *file, unsigned long line, int64_t ts);
/* A CLS diagnostic record (REC_DIAG); @return session id or 0 */
unsigned sess_diag(struct sess_builder *b, const struct fmt_rec *rec,
		   const char *file);
/* End of input: close every open session (in order of start). */
void sess_flush(struct sess_builder *b);
/* Sessions started so far. */
unsigned sess_count(const struct sess_builder *b);
/* Server trace: what became of the web-service phases it held. */
struct sess_web_stats {
	uint64_t dropped;       /* let go unclaimed: more than SESS_MAX_WEB
				 * were held at once */
	const char *drop_file;  /* where the first of them starts */
	unsigned long drop_line;
	uint64_t late_msgs;     /* messages sess_msg() gave id 0 that a
				 * session took later (claimed or failed) */
};
void sess_web_stats(const struct sess_builder *b,
		    struct sess_web_stats *out);
void sess_free(struct sess_builder *b);

/* Names for reports: "signed-in", "failed", "incomplete" ... */
const char *sess_outcome_name(enum sess_outcome o);
const char *sess_status_name(enum sess_status s);  /* ok, failed, not seen */
/* "NTLM", "Kerberos", "TLS-DSK", "Negotiate", "other", "" for 0; for a
 * bit set, the names joined with ", " into out. @return out */
const char *sess_auth_names(unsigned bits, char *out, size_t outsz);
const char *sess_setting_name(enum sess_setting_id id);
const char *sess_http_kind_name(enum sess_http_kind k);
/* REGISTER pairs a clean sign-in needs with this method, 0 unknown. */
unsigned sess_expected_pairs(unsigned auth_used);

#endif
