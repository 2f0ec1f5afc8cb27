/* SPDX-License-Identifier: MIT */
/*
 * parser.h -- the shared push interface of the format parsers, second
 * stage of the pipeline: text lines in (from lr), records out (to a
 * sink).  One file per format: fmt_ucc.c (client .UccApilog), fmt_cls.c
 * (server CLS / OCSLogger text), fmt_sip.c (raw SIP/HTTP text and
 * sign-in step trees pasted without log framing: no times, no
 * directions); fmt.c detects the format from content and dispatches.
 *
 * A parser never opens files, prints or exits (http-parser).  It is fed
 * one physical line at a time with fmt_feed() and calls
 * sink->on_rec(sink->ud, &rec) for every record it completes; a
 * non-zero return from on_rec stops the parser (fmt_feed then returns
 * that value).  fmt_finish() flushes what is still open at end of input
 * (an unterminated block is emitted truncated).
 *
 * Ownership: every struct sv in a struct fmt_rec borrows parser memory
 * and is valid only during the on_rec call; a stage that keeps data
 * copies it.  The input line passed to fmt_feed is borrowed for the
 * call only: the parser copies what it needs to keep.  Memory is bounded
 * by the limits: a record that grows past them is cut, flagged
 * truncated, and a REC_WARN says so.  Not reentrant per parser object;
 * distinct objects are independent.
 */
#ifndef SFB_PARSER_H
#define SFB_PARSER_H

#include <stdint.h>

#include "sfb.h"

#ifndef SFB_MAX_MSG
#define SFB_MAX_MSG (4u << 20)   /* one SIP/HTTP message or entry: 4 MiB */
#endif
#ifndef SFB_DETECT_LINES
#define SFB_DETECT_LINES 1000    /* lines looked at to detect a format */
#endif
#ifndef SFB_MAX_KV
#define SFB_MAX_KV 64            /* Data: pairs kept per diagnostic */
#endif

enum fmt_kind { FMT_AUTO = 0, FMT_UCC, FMT_CLS, FMT_SIP };

enum rec_type {
	REC_ENTRY = 1, /* a free-text log entry (with continuation lines) */
	REC_MSG,       /* one framed SIP/HTTP message */
	REC_DIAG,      /* a CLS diagnostic record (TF_DIAG, LogType:
			* diagnostic) */
	REC_WARN       /* malformed input the parser skipped or repaired */
};

/* Direction as seen by the party that wrote the log. */
enum rec_dir { DIR_UNKNOWN = 0, DIR_OUT, DIR_IN };

struct rec_kv {
	struct sv key, val;     /* trimmed; quotes removed from val */
};

struct fmt_rec {
	enum rec_type type;
	unsigned long line_first, line_last; /* physical lines, 1-based */
	int64_t ts;             /* log time (sfb.h), SFB_TIME_NONE: unknown */

	/*
	 * raw: the record's physical lines exactly as in the log, joined
	 * with '\n' (no final '\n').  For REC_WARN: empty.
	 */
	struct sv raw;
	/*
	 * text: REC_ENTRY: the entry text after the prefix, continuation
	 * lines joined with '\n'.  REC_MSG: the message itself (start line,
	 * headers, blank line, body), lines joined with '\n'.  REC_DIAG:
	 * the header's free text (may be empty).  REC_WARN: what was wrong,
	 * lowercase, no final stop ("block cut short: no 'End of' line").
	 */
	struct sv text;
	struct sv level;        /* "INFO", "ERROR", "TL_INFO", ... */

	/* ---- client log (FMT_UCC) ---- */
	uint32_t tid, pid;      /* the T:P hex pair of the prefix */

	/* ---- REC_MSG ---- */
	enum rec_dir dir;       /* UCC: Sending = OUT, Data Received = IN;
				 * CLS: Direction: outgoing / incoming */
	struct sv local, remote;/* "ip:port" (UCC); CLS: remote = Peer */
	int64_t declared_len;   /* byte count the framing line gave, -1 */
	int truncated;          /* block cut short or over the size limit */

	/* ---- server trace (FMT_CLS) ---- */
	struct sv flag;         /* "TF_PROTOCOL" */
	struct sv server;       /* the bracket when it holds a machine
				 * name ("sfvedge\\sfvedge"); empty for a
				 * WPP CPU number ("[0]") */
	uint32_t cls_pid, cls_tid;
	uint32_t seq;           /* the 8-hex-digit sequence number */
	struct sv component;    /* "SIPStack" */
	struct sv function;     /* "SIPAdminLog::TraceProtocolRecord" */
	struct sv src_file;     /* "SIPAdminLog.cpp" */
	unsigned src_line;      /* (125) */
	struct sv record_id;    /* "[156659184]" without brackets */
	struct sv corr_id;      /* Trace-Correlation-Id */
	struct sv instance_id;  /* Instance-Id */
	struct sv dir_source;   /* Direction: ...;source="..." */
	struct sv dir_dest;     /* Direction: ...;destination="..." */
	struct sv msg_type;     /* Message-Type: request|response */

	/* ---- REC_DIAG ---- */
	struct sv severity;     /* Severity: */
	struct sv diag_text;    /* Text: (without a Result-Code glued on) */
	uint64_t result_code;   /* Result-Code: 0xc3e93d67 (0 if none) */
	struct sv result_name;  /* SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH */
	struct sv sip_start_line, sip_call_id, sip_cseq;
	struct sv peer;         /* Peer: (also set for protocol records) */
	const struct rec_kv *data; /* Data: key="value"; ... */
	size_t ndata;
};

struct fmt_sink {
	/* @return 0 to go on, non-zero to stop the parser */
	int (*on_rec)(void *ud, const struct fmt_rec *rec);
	void *ud;
};

struct fmt_limits {
	size_t max_msg;         /* bytes kept of one record (0: SFB_MAX_MSG) */
};

/* ---- the date and time of a line prefix (fmt.c) ---- */
/*
 * The client log and CLS traces stamp lines "MM/DD/YYYY?HH:MM:SS.mmm"
 * (23 bytes; '|' or '-' at p[10]).  A struct fmt_day remembers the last
 * valid day read and its start, so the lines of one day cost no date
 * arithmetic; zero it before the first use.
 */
struct fmt_day {
	char ymd[10];           /* "MM/DD/YYYY" as logged */
	int64_t start;          /* its log time at 00:00:00.000 */
	int set;                /* ymd and start hold a day */
};
/* @return 1 when the 23 bytes at p have the digits and punctuation of a
 * stamp, with sep at p[10] */
int fmt_stamp_ok(const char *p, char sep);
/*
 * @return the log time of a stamp fmt_stamp_ok accepted, or
 * SFB_TIME_NONE when a field is out of range (the shape alone makes a
 * prefix).  day: the cache above (not NULL).
 */
int64_t fmt_stamp_time(const char *p, struct fmt_day *day);

/* ---- per-format parsers (same shape; fmt.c dispatches) ---- */
struct fmt_ucc;
struct fmt_ucc *fmt_ucc_new(const struct fmt_sink *sink,
			    const struct fmt_limits *lim);
/* @return 0, or the non-zero value an on_rec returned */
int fmt_ucc_feed(struct fmt_ucc *p, struct sv line, unsigned long lineno);
int fmt_ucc_finish(struct fmt_ucc *p);
void fmt_ucc_free(struct fmt_ucc *p);
/* @return 1 if line starts with a client-log entry prefix */
int fmt_ucc_sniff(struct sv line);

struct fmt_cls;
struct fmt_cls *fmt_cls_new(const struct fmt_sink *sink,
			    const struct fmt_limits *lim);
int fmt_cls_feed(struct fmt_cls *p, struct sv line, unsigned long lineno);
int fmt_cls_finish(struct fmt_cls *p);
void fmt_cls_free(struct fmt_cls *p);
/* @return 1 if line is a CLS / OCSLogger record header line */
int fmt_cls_sniff(struct sv line);
/* @return the id of the record key a CLS body line names (ASCII case
 * ignored), or -1: the parser's own lookup, for its unit test */
int fmt_cls_key(const struct fmt_cls *p, struct sv name);

struct fmt_sip;
struct fmt_sip *fmt_sip_new(const struct fmt_sink *sink,
			    const struct fmt_limits *lim);
int fmt_sip_feed(struct fmt_sip *p, struct sv line, unsigned long lineno);
int fmt_sip_finish(struct fmt_sip *p);
void fmt_sip_free(struct fmt_sip *p);
/* @return 1 if line (leading blanks allowed) is a SIP/HTTP start line
 * or a sign-in step-tree line ("1.1 Lync-autodiscovery: FAIL ...") */
int fmt_sip_sniff(struct sv line);

/* ---- detection and dispatch (fmt.c) ---- */
struct fmt;
/*
 * @param kind FMT_AUTO to detect from the first SFB_DETECT_LINES lines
 *             (they are held, copied, until the format is known)
 */
struct fmt *fmt_new(enum fmt_kind kind, const struct fmt_sink *sink,
		    const struct fmt_limits *lim);
/*
 * Feed one line.  @return 0, the non-zero value of an on_rec, or -1
 * when detection gave up (no entry or record line in the first
 * SFB_DETECT_LINES lines): err is filled with SFB_E_FORMAT.  Raw SIP
 * text (FMT_SIP) is chosen only when no log framing showed up in that
 * window (or by end of input) and a start or step-tree line did.
 */
int fmt_feed(struct fmt *f, struct sv line, unsigned long lineno,
	     struct sfb_err *err);
/*
 * A line the reader could not give (over its length limit) at lineno.
 * Before the format is known it counts as a line that is no entry, so
 * a file of nothing but over-long lines is "not a log" (-1, SFB_E_FORMAT,
 * at once or at fmt_finish), as a file of short junk lines is.  Once
 * the format is known: nothing (the caller has warned).  @return 0 or -1
 */
int fmt_skip(struct fmt *f, unsigned long lineno, struct sfb_err *err);
/* Flush at end of input; -1 with SFB_E_FORMAT if never detected. */
int fmt_finish(struct fmt *f, struct sfb_err *err);
/* FMT_AUTO until detected. */
enum fmt_kind fmt_kind_get(const struct fmt *f);
/* "uccapilog", "cls", "sip" */
const char *fmt_kind_name(enum fmt_kind k);
/* @return the kind named by s, or -1 */
int fmt_kind_parse(const char *s);
void fmt_free(struct fmt *f);

#endif
