/* SPDX-License-Identifier: MIT */
/*
 * diff.h -- compare two sign-ins: a working one ("good") and a failing
 * one ("bad").  It sits after the session stage of the pipeline, beside
 * the rules: the facts of each sign-in (struct sess) and a compact copy
 * of its messages (struct diff_msg, made by diff_msgs_add from the
 * engine's messages) in, a list of differences out, grouped by step
 * (discovery, connectivity, authentication, redirection, settings),
 * with the first place where the two diverge.  It prints nothing; the
 * command (cmd_diff.c) and triage --compare (compare.c) use it.
 *
 * Alignment: the two message lists are walked side by side; a message
 * matches one of the same kind (request or answer), method and HTTP
 * path; when they do not match, the nearest match within DIFF_WINDOW
 * messages ahead on either side decides which side has extra messages.
 *
 * What is compared is a fixed list of facts that matter: step status,
 * the server and port reached, auth methods offered and used, the
 * answer (status, ms-diagnostics code and reason) to each request, the
 * auth targetname, the sts-uri, web ticket and CertProv URLs, the
 * redirect target, client and server versions, the settings, the
 * rules that fired (warnings and errors, by rule id).  What
 * always differs (tags, branches, Call-IDs, epids, times, nonces,
 * opaque values, security blobs, cnum, crand, sequence numbers) is
 * never read.  Values are log bytes as logged: a reporter must mask
 * secrets and escape them (esc.h) before showing them.
 *
 * Ownership: diff_msgs and diff_result own their arrays (free them with
 * diff_msgs_free / diff_result_free); file names inside borrow from the
 * caller.  No global state.
 */
#ifndef SFB_DIFF_H
#define SFB_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "msg.h"
#include "sess.h"
#include "sfb.h"

#ifndef DIFF_MAX_MSGS
#define DIFF_MAX_MSGS 5000      /* messages kept per sign-in */
#endif
#define DIFF_MAX_ITEMS 200      /* differences kept */
#define DIFF_WINDOW 64          /* look-ahead of the alignment */

/* One message of a sign-in, reduced to what is compared. */
struct diff_msg {
	enum msg_proto proto;
	enum msg_kind kind;
	char method[16];        /* request method; of an answer: its
				 * request's (CSeq method for SIP) */
	char path[96];          /* HTTP: path, query cut; "" for SIP */
	char host[96];          /* SIP: Request-URI host; HTTP: Host */
	int status;             /* answers */
	char reason[64];
	uint32_t diag;          /* first ms-diagnostics code, 0 none */
	char diag_reason[120];
	char offered[64];       /* schemes of WWW-/Proxy-Authenticate */
	char used[24];          /* scheme of Authorization */
	char targetname[96];
	char sts_uri[128];
	char contact[128];      /* Contact of a 3xx answer */
	const char *file;       /* borrowed */
	unsigned long line;
};

struct diff_msgs {
	struct diff_msg *v;     /* owned */
	size_t n, cap;
	uint64_t dropped;       /* beyond DIFF_MAX_MSGS */
};

/*
 * Add a message (not a hop copy) to l; 1xx answers are skipped.  An
 * answer takes its method and HTTP path from the last request of l
 * with the same method (SIP) or the last HTTP request (HTTP).
 */
void diff_msgs_add(struct diff_msgs *l, const struct msg *m);
void diff_msgs_free(struct diff_msgs *l);

/* One side of the comparison (borrowed). */
struct diff_side {
	const struct sess *s;
	const struct diff_msgs *m;      /* may be NULL */
	const struct finding *f;        /* the session's findings, may be
					 * NULL; info ones are not compared */
	size_t nf;
};

#define DIFF_KIND_MAP(X)                                              \
	X(STEP, "step")                 /* a step's status */         \
	X(SERVER, "server")             /* server or port reached */  \
	X(AUTH, "auth")                 /* auth offered or used */    \
	X(ANSWER, "answer")             /* one request, two answers */ \
	X(ONLY, "only")                 /* an exchange in one only */ \
	X(HEADER, "header")             /* a header value that matters */ \
	X(FACT, "fact")                 /* another fact of the sign-in */ \
	X(FINDING, "finding")           /* a rule fired in one only */

enum diff_kind {
#define DIFF_X(id, name) DIFF_##id,
	DIFF_KIND_MAP(DIFF_X)
#undef DIFF_X
	DIFF__COUNT
};

struct diff_item {
	enum diff_kind kind;
	enum sfb_step step;     /* NONE: a finding of no step */
	char what[256];         /* "answer to GET /WebTicket/...", ... */
	char good[240], bad[240];   /* "" = absent on that side */
	const char *good_file, *bad_file;   /* borrowed, NULL none */
	unsigned long good_line, bad_line;
	unsigned repeats;       /* more places with the same difference */
	size_t pos;             /* place in the message walk, or
				 * SIZE_MAX for a fact of the session */
};

struct diff_result {
	struct diff_item *items;    /* owned, by step, then in order */
	size_t n, cap;
	uint64_t dropped;           /* beyond DIFF_MAX_ITEMS */
	size_t first;               /* where they first diverge; n none */
	size_t aligned, good_only, bad_only;   /* messages of the walk */
};

/*
 * Compare good with bad into out (zeroed by the caller, or reused after
 * diff_result_free).  @return the number of differences (out->n)
 */
size_t diff_compare(const struct diff_side *good,
		    const struct diff_side *bad, struct diff_result *out);
void diff_result_free(struct diff_result *r);

/* "step", "server", ... */
const char *diff_kind_name(enum diff_kind k);
/*
 * How the sign-in found its server, e.g. "lyncdiscover, DNS SRV", from
 * its web-service calls and discovery evidence; "none" when nothing
 * was seen.  @return out
 */
const char *diff_discovery(const struct sess *s, char *out, size_t outsz);

#endif
