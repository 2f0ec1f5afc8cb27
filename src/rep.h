/* SPDX-License-Identifier: MIT */
/*
 * rep.h -- the reporters, last stage of the pipeline: they turn an
 * analysis (ana.h) or a stream of messages (msg.h) into text for people
 * (rep_text.c) or JSON for programs (rep_json.c, the only module that
 * uses cJSON).  Reporters write to the FILE given; they never decide
 * exit codes and never read input.
 *
 * Ownership: everything passed in is borrowed for the call.  A struct
 * rep_json is owned by the caller (rep_json_new / rep_json_free).
 */
#ifndef SFB_REP_H
#define SFB_REP_H

#include <stdio.h>

#include "ana.h"
#include "finding.h"
#include "flow.h"
#include "msg.h"
#include "sess.h"

enum rep_format { REP_TEXT = 0, REP_JSON, REP_NDJSON, REP_HTML };

/* ---- text ---- */
/* The first line of a file's (or rotated stream's) report. */
void rep_text_file_header(FILE *out, const char *name, int color);
/*
 * One sign-in session: who, when, outcome, the five steps with their
 * status and evidence (file:line), auth method and REGISTER count,
 * redirects, web-service calls, settings and in-band provisioning.
 * @param verbose non-zero: every evidence line kept, every property
 */
void rep_text_session(FILE *out, const struct sess *s, int color,
		      int verbose);
/*
 * A failing sign-in without -v: who, when, where, the outcome, the five
 * steps and the evidence (file:line, the quoted cause) of the failed.
 */
void rep_text_session_brief(FILE *out, const struct sess *s, int color);
/* The statistics of one analysed file (after its sessions). */
void rep_text_analyze(FILE *out, const struct ana *a, int color);
/* Without -v: only what was skipped (parse warnings) and read errors. */
void rep_text_analyze_brief(FILE *out, const struct ana *a, int color);
/* One line for one message (the `messages` listing). */
void rep_text_msg(FILE *out, const struct msg *m, int color);

/* ---- text: the verdicts and findings first (rep_verdict.c) ---- */
#define REP_TOP_RULE 64

/* One file's (or stream's) verdict. */
struct rep_verdict {
	const char *name;       /* borrowed */
	int failed_read;
	const char *error;      /* borrowed, when failed_read */
	uint64_t sessions, signed_in, failed, incomplete;
	enum sfb_sev top_sev;
	char top_rule[REP_TOP_RULE];    /* "" when nothing above info */
};

/* One sign-in's verdict line. */
struct rep_session_line {
	unsigned id;
	char user[128];
	enum sess_outcome outcome;
	unsigned steps_ok, steps_seen;  /* of the five */
	int64_t dur_ms;                 /* -1: no times */
	enum sfb_sev top_sev;
	char top_rule[REP_TOP_RULE];
	char top_title[200];
};

/* Fill v from a stream's statistics and its worst finding. */
void rep_verdict_of(struct rep_verdict *v, const struct ana *a,
		    enum sfb_sev top_sev, const char *top_rule);
/* Fill l from a closed session and its findings (most severe first). */
void rep_verdict_session_of(struct rep_session_line *l,
			    const struct sess *s, const struct finding *f,
			    size_t nf);
/*
 * Write s (already in terminal form) in at most cols columns (0: no
 * limit), cut in the middle (middle) or at the end, with "...".
 * @return the columns written
 */
size_t rep_verdict_fit(FILE *out, const char *s, size_t cols, int middle);
/* The verdict line; width > 0: the name is cut to fit that many columns */
void rep_verdict_file(FILE *out, const struct rep_verdict *v, int color,
		      int width);
/* user, outcome, steps ok, duration, top finding (cut to width, if > 0) */
void rep_verdict_session(FILE *out, const struct rep_session_line *l,
			 int color, int width);
/*
 * One finding: severity, rule id, session, title; then (not for info
 * below level 2, -vv) why, what to do (explain: else a pointer to the
 * same rule above), the evidence (level 0: three lines) and the
 * references.
 */
void rep_verdict_finding(FILE *out, const struct finding *f, int color,
			 int level, int explain);

struct rules;
struct rules_rule;
/* `sfblog rules`: one line per rule (verbose: the whole rule). */
void rep_verdict_rules(FILE *out, const struct rules *rs, int verbose,
		       int color);
/* `sfblog explain RULE-ID`: one rule in full. */
void rep_verdict_rule(FILE *out, const struct rules_rule *r, int color);

/* ---- JSON ---- */
struct rep_json;
/*
 * @param command "analyze" or "messages" (names the document's array)
 * @param ndjson  non-zero: one compact object per line, no envelope
 */
struct rep_json *rep_json_new(FILE *out, const char *command, int ndjson);
/* Keep at most max sessions per file in the document (0: all). */
void rep_json_set_max_sessions(struct rep_json *j, size_t max);
/*
 * analyze streams its document: the name of the next file (borrowed
 * until its rep_json_analyze), whose opening is printed with its first
 * session (or at its end).
 */
void rep_json_file_begin(struct rep_json *j, const char *name);
/*
 * Print a closed session and its findings in the file being analysed
 * (nothing is kept: memory does not grow with the sessions).
 */
void rep_json_session(struct rep_json *j, const struct sess *s,
		      const struct finding *f, size_t nf);
/* Add the call flow of one stream (the `flow` command). */
void rep_json_flow(struct rep_json *j, const char *name,
		   const struct flow *f);
/*
 * Close one analysed file: its statistics, the findings of no session
 * and the worst finding severity of the file, after its sessions.
 */
void rep_json_analyze(struct rep_json *j, const struct ana *a,
		       const struct finding *f, size_t nf,
		       enum sfb_sev worst);
/* Add one message (printed at once in both modes: streaming). */
void rep_json_msg(struct rep_json *j, const struct msg *m);
/* `sfblog rules -o json`: the rule list as one document. */
void rep_json_rules(FILE *out, const struct rules *rs);
/*
 * `sfblog triage`: the records of one job (file, then session and
 * finding records, see man/sfblog-triage.schema.json), each one compact
 * object; doc = 0: one per line (NDJSON), else separated by commas
 * inside the caller's array, *count counting the records printed.
 */
struct tri_result;
struct tri_total;
void rep_json_tri_result(FILE *out, const struct tri_result *r, int doc,
			 size_t *count);
/*
 * One more record of the triage stream (e.g. triage --compare's), laid
 * out as rep_json_tri_result's; takes and frees o (a cJSON object).
 */
struct cJSON;
void rep_json_tri_record(FILE *out, struct cJSON *o, int doc,
			 size_t *count);
/* The summary record (doc: without the type key, as an object). */
void rep_json_tri_summary(FILE *out, const struct tri_total *t, int doc);
/* Close the document (JSON envelope). */
struct join;
/* The joined sign-ins (join.h): under "joined" of the document, or one
 * NDJSON line each; nothing unless client logs and traces were read. */
void rep_json_join(struct rep_json *j, const struct join *jn);
void rep_json_end(struct rep_json *j);
void rep_json_free(struct rep_json *j);
/* cJSON version string. */
const char *rep_json_version(void);

/* ---- HTML (rep_html.c): one self-contained page, an engine sink ---- */
struct rep_html;
/* @param nonce the CSP script nonce; NULL: 16 random bytes in hex */
struct rep_html *rep_html_new(FILE *out, const char *nonce);
/* Start a stream (before engine_run). @return -1: no temporary file */
int rep_html_stream(struct rep_html *h);
/* The engine sink callbacks (ud: the struct rep_html). */
void rep_html_on_msg(void *ud, const struct msg *m,
		     const struct fmt_rec *rec, unsigned session, int copy);
void rep_html_on_session(void *ud, const struct sess *s,
			 const struct finding *f, size_t nf);
void rep_html_on_end(void *ud, const struct ana *a,
		     const struct finding *f, size_t nf);
/* Close the page (writes the script). */
void rep_html_end(struct rep_html *h);
void rep_html_free(struct rep_html *h);
/*
 * The page frame shared by analyze's and triage's pages: the head with
 * the CSP allowing only the script with this nonce, the style, the
 * title (escaped) as <h1>; then the report's script and the end.
 */
void rep_html_page_head(FILE *o, const char *nonce, const char *title);
void rep_html_page_end(FILE *o, const char *nonce);
/* A CSP nonce: given (NULL: 16 random bytes in hex, n >= 33). */
void rep_html_nonce(char *out, size_t n, const char *given);
/* A duration for people: "412 ms", "3.250 s", "2 min 5 s". */
void rep_html_dur(int64_t ms, char *out, size_t n);
/*
 * One sign-in's detail for the triage page (rep_triage_html.c), made
 * in triage's worker while the session is alive: its verdict banner,
 * the five steps with their times, its findings in full (f[0..nf),
 * most severe first) and its settings; evidence is file:line text, no
 * links.  @return a NUL-terminated string the caller frees, *len its
 * length; NULL when out of temporary memory
 */
char *rep_html_tri_detail(const struct sess *s, const struct finding *f,
			  size_t nf, size_t *len);
/*
 * Write p[0..n) as HTML text (secrets masked; & < > " ' as entities;
 * control bytes and invalid UTF-8 as visible escapes; keep_nl: line
 * feeds and tabs kept, CR before LF dropped).
 */
void rep_html_esc(FILE *out, const char *p, size_t n, int keep_nl);

#endif
