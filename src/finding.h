/* SPDX-License-Identifier: MIT */
/*
 * finding.h -- a finding: what a rule (rules.h) concluded about a
 * sign-in session or a file, with the evidence behind it.  Made by the
 * engine (engine.c, stage 6), read by the reporters (stage 7).
 *
 * A rule fires at most once per session (or once per file for what
 * belongs to no session): later matches add to count and, up to
 * FINDING_MAX_EVIDENCE, to the evidence list; evidence_total counts
 * them all.  Texts are rendered from the rule's templates at the first
 * match, so they quote what the log said there.
 *
 * Ownership: a finding owns its strings (fixed arrays); rule borrows
 * from the loaded rule set, file names from the caller of the engine.
 * A finding handed to a sink is valid only during the call.
 */
#ifndef SFB_FINDING_H
#define SFB_FINDING_H

#include <stdint.h>

#include "sfb.h"

#define FINDING_MAX_EVIDENCE 5

struct rules_rule;

struct finding_evidence {
	const char *file;       /* borrowed */
	unsigned long line;
	int64_t ts;             /* log time, SFB_TIME_NONE if unknown */
	char text[200];         /* one line: what the message/event shows */
};

/*
 * engine.c fire() does not zero a new finding (4 KiB): it sets each
 * field itself.  A field added here must be set there too.
 */
struct finding {
	const struct rules_rule *rule;  /* borrowed: id, severity, refs */
	enum sfb_sev sev;
	enum sfb_step step;
	unsigned session;       /* session id, 0: the file */
	char user[128];         /* the session's user, "" if none */
	char epid[40];
	char title[200];
	char explanation[1200];
	char remediation[1200];
	uint64_t count;         /* matches (messages, events, or 1) */
	struct finding_evidence ev[FINDING_MAX_EVIDENCE];
	size_t nev;
	uint64_t evidence_total;
};

#endif
