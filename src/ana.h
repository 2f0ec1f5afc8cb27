/* SPDX-License-Identifier: MIT */
/*
 * ana.h -- the per-file analysis behind `sfblog analyze`: counters,
 * diagnostics seen, transactions without an answer and parse warnings,
 * accumulated from the records (parser.h), messages (msg.h) and
 * transactions (txn.h) of one input file.  Last stage before the
 * reporters (rep_text.c, rep_json.c), which only read it.
 *
 * Memory is bounded whatever the size of the file: every list has a
 * cap (distinct methods, distinct diagnostics, listed warnings, listed
 * unanswered transactions); what goes past a cap is still counted.
 *
 * Ownership: a struct ana is caller-owned; ana_init/ana_free manage
 * what it points to.  Strings are copied in (bounded char arrays), so
 * nothing in it borrows from the pipeline.  The file name is borrowed
 * for the life of the struct.  Not shared between threads.
 */
#ifndef SFB_ANA_H
#define SFB_ANA_H

#include <stdint.h>

#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "sess.h"
#include "sfb.h"
#include "txn.h"

#define ANA_MAX_METHODS 64
#define ANA_MAX_DIAGS 256
#define ANA_MAX_UNANSWERED 50
#define ANA_MAX_RESULTS 128


struct ana_count {
	char name[32];
	uint64_t n;
};

/* One distinct diagnostic: (header, code, sub-code, reason, status). */
struct ana_diag {
	enum msg_diag_hdr hdr;
	uint32_t code;
	int32_t sub;
	int status;             /* response status it came on */
	char request[112];      /* what it answered: the CSeq method (SIP),
				 * "METHOD /path" of the request (HTTP) */
	char reason[192];
	char source[96];
	char faultcode[64];     /* X-Ms-diagnostics faultcode, if any */
	uint64_t count;
	const char *first_file; /* borrowed */
	unsigned long first_line;
	int64_t first_ts;
	enum sfb_sev sev;
};

/* One distinct CLS diagnostic record result code. */
struct ana_result {
	uint64_t code;
	char name[64];
	char severity[16];
	char text[192];
	uint64_t count;
	const char *first_file; /* borrowed */
	unsigned long first_line;
	enum sfb_sev sev;
};

struct ana_unanswered {
	const char *file;       /* borrowed */
	unsigned long line;
	int64_t ts;
	char method[24];
	char uri[128];
	char call_id[80];
	uint32_t cseq;
	enum msg_proto proto;
};

struct ana_warn {
	const char *file;       /* borrowed */
	unsigned rank;          /* order of the file in the stream */
	unsigned long line;
	char text[200];
};

struct ana {
	const char *file;       /* borrowed: the name shown for the stream
				 * ("a + b" for merged rotated files) */
	const char *cur_file;   /* borrowed: the file being read now */
	unsigned cur_rank;      /* its place in the stream, from 0 */
	int failed;             /* the file could not be read (error set) */
	char error[SFB_ERR_MSG]; /* why, when failed; or a late read error */
	enum fmt_kind kind;
	enum lr_encoding enc;
	int gzip;

	uint64_t bytes, lines, entries;
	int64_t first_ts, last_ts;

	uint64_t msgs, sip, http, requests, responses;
	uint64_t truncated, bad_start, bad_header, cl_mismatch, cl_invalid;
	uint64_t copies;        /* messages that were another hop/resend */
	struct ana_count methods[ANA_MAX_METHODS];
	size_t nmethods;
	uint64_t methods_other;
	uint64_t status[700];   /* responses by status code 100..699 */

	struct ana_diag *diags; /* owned */
	size_t ndiags;
	uint64_t diags_total, diags_other;

	uint64_t cls_diag_records;
	struct ana_result *results; /* owned */
	size_t nresults;
	uint64_t results_other;

	uint64_t txn_total, txn_answered, txn_unanswered, txn_no_request;
	uint64_t txn_multi_hop;
	struct ana_unanswered *unanswered; /* owned, ANA_MAX_UNANSWERED */
	size_t nunanswered;

	uint64_t sess_total, sess_signed_in, sess_failed, sess_incomplete;
	uint64_t outside_msgs;  /* messages of no sign-in (IM, calls...) */

	size_t max_warn;        /* warnings listed (all are counted) */
	struct ana_warn *warns; /* owned */
	size_t nwarns;
	uint64_t warns_total;
	uint64_t long_lines;
};

/* Start an analysis of one file; max_warn = warnings listed. */
void ana_init(struct ana *a, const char *file, size_t max_warn);
/* The stream moves on to file (rotated files read as one stream). */
void ana_set_file(struct ana *a, const char *file);
/* A record from a format parser (REC_ENTRY, REC_DIAG, REC_WARN). */
void ana_rec(struct ana *a, const struct fmt_rec *rec);
/*
 * A parsed message; copy = txn_add() said it was another hop/resend;
 * req_method, req_uri: the request a response answered (txn.h
 * txn_last_request), or empty views when unknown.
 */
void ana_msg(struct ana *a, const struct msg *m, int copy,
	     struct sv req_method, struct sv req_uri);
/* A finished transaction. */
void ana_txn(struct ana *a, const struct txn_info *t);
/* A closed sign-in session: counted and graded. */
void ana_session(struct ana *a, const struct sess *s);
/*
 * Grade of a session: error when it failed, warning when it signed in
 * but a settings request failed or the REGISTER count does not fit the
 * method, info when the log ends before it finished, none when clean.
 */
enum sfb_sev ana_session_sev(const struct sess *s);
/* A warning of the driver (long line, read error...). */
void ana_warn(struct ana *a, unsigned long line, const char *fmt, ...)
	SFB_PRINTF(3, 4);
/* End of the file: order the listed warnings by line. */
void ana_finish(struct ana *a);
/* Name of a diagnostic header ("ms-diagnostics", "X-Ms-diagnostics"). */
const char *ana_diag_hdr_name(enum msg_diag_hdr h);
void ana_free(struct ana *a);

#endif
