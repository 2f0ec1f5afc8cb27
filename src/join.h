/* SPDX-License-Identifier: MIT */
/*
 * join.h -- one sign-in seen from several logs: a client log and the
 * server (CLS) traces of the same minutes.  Stage 5b of the pipeline
 * (engine.h): after the engine has read every stream, join matches the
 * sign-ins of client logs with those of server traces, estimates the
 * client's clock offset from the messages both saw, finds messages lost
 * between hops, and runs the join-scope rules (rules/join.yaml) on each
 * joined sign-in.  The reporters (main.c, rep_json.c) read the result.
 *
 * Feeding: for each stream, join_begin(), then the engine's messages
 * (join_msg, from on_msg) and closed sessions with their findings
 * (join_session, from on_session), then join_end().  After the last
 * stream, join_finish() matches and judges.
 *
 * Matching, strongest first: a Call-ID and CSeq both logs hold; else the
 * same endpoint id (epid); else the same user.  Never across users, and
 * never when the starts are JOIN_USER_WINDOW_MS or more of log time
 * apart (a client logs local time, a trace UTC: time zones fit in it).
 * A server sign-in joins the client sign-in it matches best (strongest
 * tier, then the nearest start).
 *
 * Memory is bounded: per sign-in, at most JOIN_MAX_MSGS message digests
 * (SIP and HTTP, without bodies); at most JOIN_MAX_CLIENT client
 * sign-ins and JOIN_MAX_SERVER server sign-ins are kept.  A server
 * sign-in is kept only if it can match: it shares a key (Call-ID+CSeq,
 * epid or user) with a client sign-in already read, or no client log has
 * been read yet (then the first JOIN_MAX_SERVER are kept).  What is
 * dropped is counted (join_dropped).
 *
 * Ownership: struct join owns everything it returns; file names are
 * borrowed from the caller and must outlive it.  Not shared between
 * threads.  Nothing here prints: rep_join.c draws the section and the
 * joint ladder, rep_json.c writes the JSON.
 */
#ifndef SFB_JOIN_H
#define SFB_JOIN_H

#include <stdint.h>

#include "finding.h"
#include "msg.h"
#include "sess.h"
#include "sfb.h"

#define JOIN_MAX_MSGS 64        /* message digests per sign-in */
#define JOIN_MAX_CLIENT 256     /* client sign-ins kept, all files */
#define JOIN_MAX_SERVER 2048    /* server sign-ins kept, all files */
#define JOIN_MAX_STREAMS 64     /* files (streams) of one run */
#define JOIN_MAX_FINDINGS 4     /* findings kept per sign-in */
#define JOIN_MAX_LOST 16        /* lost messages listed per sign-in */
#define JOIN_MAX_SIDES 8        /* server sign-ins joined to one */
#define JOIN_USER_WINDOW_MS (14LL * 3600 * 1000) /* time zones */
#define JOIN_SKEW_LIMIT_S 300   /* Kerberos / TLS-DSK tolerance */

struct rules;

/* One message as a sign-in's digest keeps it. */
struct join_msg {
	uint64_t cid;           /* hash of the Call-ID, 0: none (HTTP) */
	uint32_t cseq;
	int request;            /* 1 request, 0 response */
	int http;
	int status;             /* responses */
	char method[24];        /* request method, or the CSeq method */
	char label[64];         /* "REGISTER", "401 Unauthorized",
				 * "GET /WebTicket/WebTicketService.svc" */
	int64_t ts;             /* log time as logged */
	enum rec_dir dir;       /* of the party that logged it */
	char server[48];        /* "" client log; else the server bracket */
	char peer[64];          /* the other end, as logged */
	unsigned role_ev;       /* ROLE_EV_* of the party that logged it */
	const char *file;       /* borrowed */
	unsigned long line;
	uint32_t diag;          /* first diagnostic code, 0 none */
	int xms;                /* it came in X-Ms-diagnostics */
	char diag_reason[96];
};

/* A finding of one side, as shown beside the joint view. */
struct join_find {
	char rule[64];
	enum sfb_sev sev;
	char title[160];
	const char *file;       /* borrowed: its first evidence */
	unsigned long line;
};

/* One sign-in of one file. */
struct join_side {
	int client;             /* from a client log */
	size_t stream;          /* index of its file */
	unsigned id;            /* session id in its file */
	char user[128], epid[40];
	const char *file;
	unsigned long first_line;
	int64_t start, end;
	enum sess_outcome outcome;
	char outcome_text[160];
	struct sess *sess;      /* owned: client sides (props dropped) */
	struct join_find f[JOIN_MAX_FINDINGS];
	size_t nf;
	struct join_msg *m;     /* owned, JOIN_MAX_MSGS */
	size_t nm;
	uint64_t nm_total;
	int joined;             /* server side: joined to a client side */
};

/* How a server sign-in was matched, weakest first. */
enum join_by { JOIN_BY_NONE = 0, JOIN_BY_USER, JOIN_BY_EPID,
	       JOIN_BY_CALLID };

/* A message one party sent and the next never logged. */
struct join_lost {
	const struct join_msg *m;   /* borrowed from a side */
	int to_client;          /* 1: server sent, client never received */
};

/* The facts of a joined sign-in (what join-scope rules read). */
struct join_facts {
	enum join_by by;
	char servers[160];      /* server names that saw it, ", " */
	int have_offset;
	int64_t offset_ms;      /* client log time - server UTC, median */
	int64_t skew_ms;        /* offset less the nearest whole half hour
				 * (a time zone): the clock's own error */
	int64_t spread_ms;      /* max - min of the differences */
	unsigned nmatched;      /* messages both logs hold */
	const struct join_msg *pair_client, *pair_server; /* one of them */
	struct join_lost lost[JOIN_MAX_LOST];
	size_t nlost;
	unsigned lost_total;
	enum sess_outcome server_outcome;
	/* the first diagnostic on a server's error answer (>= 400) */
	const struct join_msg *cause;   /* NULL: none */
	const struct join_msg *xcause;  /* the first X-Ms-diagnostics */
	int client_saw_cause;   /* the client log holds that code too */
};

/* One client sign-in and the server sign-ins joined to it. */
struct join_signin {
	const struct join_side *client;
	const struct join_side *server[JOIN_MAX_SIDES];
	size_t nserver;
	struct join_facts facts;
	struct finding *f;      /* owned: join-scope findings */
	size_t nf;
};

struct join;

struct join *join_new(void);
/* A stream begins (name borrowed: shown as the file). */
void join_begin(struct join *j, const char *name);
/* A message of the stream; session: its sign-in (0: none, skipped). */
void join_msg(struct join *j, const struct msg *m, unsigned session);
/* A closed sign-in with its findings (most severe first). */
void join_session(struct join *j, const struct sess *s,
		  const struct finding *f, size_t nf);
void join_end(struct join *j);
/*
 * Match, estimate clocks, find lost messages and run the join-scope
 * rules of rs (may be NULL) on each joined sign-in.
 */
void join_finish(struct join *j, const struct rules *rs);

size_t join_count(const struct join *j);
const struct join_signin *join_get(const struct join *j, size_t i);
/* Client and server files (streams) read; sign-ins kept of each. */
void join_inputs(const struct join *j, size_t *clients, size_t *servers);
/* Server sign-ins not kept (JOIN_MAX_SERVER), client ones (..CLIENT). */
uint64_t join_dropped(const struct join *j);
/* Worst join-scope finding (SFB_SEV_NONE if none). */
enum sfb_sev join_worst(const struct join *j);
/* "Call-ID and CSeq", "epid", "user and time" */
const char *join_by_name(enum join_by b);
/* "+01:10:02.5" style offset into out. @return out */
const char *join_fmt_offset(int64_t ms, char *out, size_t n);
/*
 * The role of a party of joined sign-in s (role.c, from the evidence of
 * every message it logged): ROLE_CLIENT for srv "" (the client log).
 */
int join_party_role(const struct join_signin *s, const char *srv);

void join_free(struct join *j);

#endif
