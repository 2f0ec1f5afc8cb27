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
#include "msg.h"

enum rep_format { REP_TEXT = 0, REP_JSON, REP_NDJSON };

/* ---- text ---- */
/* The human summary of one analysed file. */
void rep_text_analyze(FILE *out, const struct ana *a, int color);
/* One line for one message (the `messages` listing). */
void rep_text_msg(FILE *out, const struct msg *m, int color);

/* ---- JSON ---- */
struct rep_json;
/*
 * @param command "analyze" or "messages" (names the document's array)
 * @param ndjson  non-zero: one compact object per line, no envelope
 */
struct rep_json *rep_json_new(FILE *out, const char *command, int ndjson);
/* Add one analysed file (JSON: kept until rep_json_end; NDJSON: printed). */
void rep_json_analyze(struct rep_json *j, const struct ana *a);
/* Add one message (printed at once in both modes: streaming). */
void rep_json_msg(struct rep_json *j, const struct msg *m);
/* Close the document (JSON envelope). */
void rep_json_end(struct rep_json *j);
void rep_json_free(struct rep_json *j);
/* cJSON version string. */
const char *rep_json_version(void);

#endif
