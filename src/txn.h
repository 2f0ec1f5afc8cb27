/* SPDX-License-Identifier: MIT */
/*
 * txn.h -- request/response pairing, fourth stage of the pipeline:
 * parsed messages (msg.h) in, transactions out through a sink.
 *
 * SIP: a response belongs to the request with the same Call-ID, CSeq
 * number, CSeq method and originator's Via branch (the bottom-most Via,
 * which every hop keeps; the top Via changes per hop).  Provisional
 * (1xx) responses are counted; the first final (>= 200) response closes
 * the exchange.  In a CLS file that merges several servers the same
 * request or response appears once per hop: a copy seen again at
 * another server (or in the other direction) is a hop of the same
 * transaction, not a new one.
 *
 * HTTP has no Call-ID: a response is paired with the oldest unanswered
 * request on the same connection (local + remote endpoint), else with
 * the oldest unanswered HTTP request of the stream.
 *
 * Memory is bounded: at most max_open transactions are kept.  A
 * transaction is emitted (on_txn) once it has its final response and
 * no copy has been seen for linger_ms of log time (to absorb the other
 * hops); without a final response, once it has expired as a SIP
 * client transaction would (RFC 3261 17.1: timer B or F, plus the
 * linger time for a late copy or a proxy's time-out answer, so
 * SFB_TXN_EXPIRE_MS after its last message; SFB_TXN_WAIT_MS for an
 * INVITE that had a provisional response, and for HTTP), exactly as
 * txn_flush() would emit it, and in the same order; when the table is
 * full (oldest first; unanswered ones are reported as such); or at
 * txn_flush().
 * Expiry needs the log's time: without it (or while the log's clock
 * stands a little behind a transaction's time) the count cap is what
 * bounds memory; a transaction whose time is further ahead of the
 * log's clock than SFB_TXN_WAIT_MS is timed from that clock instead.
 * Nothing reads the wall clock.
 *
 * Ownership: the table copies what it keeps from a message; the
 * message is borrowed for the call.  The struct txn_info given to
 * on_txn, and every view in it, is valid only during that call.
 * Not shared between threads.
 */
#ifndef SFB_TXN_H
#define SFB_TXN_H

#include <stdint.h>

#include "msg.h"
#include "sfb.h"

#ifndef SFB_MAX_TXN
#define SFB_MAX_TXN 65536        /* transactions kept open at once */
#endif
#ifndef SFB_TXN_LINGER_MS
#define SFB_TXN_LINGER_MS 32000  /* SIP timer B/F: 64 * T1 */
#endif
#ifndef SFB_TXN_EXPIRE_MS
#define SFB_TXN_EXPIRE_MS 64000  /* unanswered: timer B/F + linger */
#endif
#ifndef SFB_TXN_WAIT_MS
#define SFB_TXN_WAIT_MS 212000   /* timer C (3 min) + linger; HTTP */
#endif

#define TXN_F_NO_REQUEST 0x01u   /* responses seen, request never */
#define TXN_F_NO_FINAL   0x02u   /* request seen, no final response */
#define TXN_F_EVICTED    0x04u   /* emitted early: the table was full */

struct txn_info {
	enum msg_proto proto;
	struct sv call_id, cseq_method, branch;  /* SIP key */
	uint32_t cseq;
	struct sv method;       /* request method ("REGISTER", "GET") */
	struct sv uri;          /* Request-URI / HTTP target */
	const char *file;       /* borrowed from the first message */
	unsigned long req_line; /* first line of the request, 0 if none */
	int64_t req_ts;         /* SFB_TIME_NONE if no request */
	unsigned nreq;          /* copies of the request (hops + resends) */
	unsigned nprov;         /* provisional responses seen */
	int final_status;       /* 0 if none */
	struct sv final_reason;
	unsigned long final_line;
	int64_t final_ts;
	unsigned nfinal;        /* copies of the final response */
	unsigned nhops;         /* distinct servers (CLS) that saw it, >= 1 */
	unsigned flags;         /* TXN_F_* */
};

struct txn_sink {
	void (*on_txn)(void *ud, const struct txn_info *t);
	void *ud;
};

struct txn_table;

/*
 * @param max_open  0: SFB_MAX_TXN
 * @param linger_ms <0: SFB_TXN_LINGER_MS
 */
struct txn_table *txn_new(const struct txn_sink *sink, size_t max_open,
			  int64_t linger_ms);
/*
 * Add one parsed message (request or response; others are ignored).
 * May emit transactions that are done or evicted.
 * @return 1 if m is a copy of a message already seen (another hop or a
 *         resend), else 0
 */
int txn_add(struct txn_table *t, const struct msg *m);
/*
 * The request (method, URI) of the transaction that the message last
 * given to txn_add() belongs to; views valid until the next txn_* call.
 * @return 0, or -1 when that transaction has no request (or none added)
 */
int txn_last_request(const struct txn_table *t, struct sv *method,
		     struct sv *uri);
/* Emit everything still open (end of input). */
void txn_flush(struct txn_table *t);
/* Transactions currently held. */
size_t txn_open_count(const struct txn_table *t);
void txn_free(struct txn_table *t);

#endif
