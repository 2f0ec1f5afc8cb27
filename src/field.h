/* SPDX-License-Identifier: MIT */
/*
 * field.h -- the fields that rule conditions and templates read, one
 * table for the four scopes (a message, a free-text event, a session
 * at its end, a client sign-in joined with server traces), and the
 * accessors that read them from the pipeline's facts.  Part of stage
 * 6 (rules, see engine.h): the rule loader resolves names through
 * field_resolve(), the engine (and join.c, stage 5b, for the join
 * scope) evaluates with field_get() over a struct field_item.
 * `sfblog fields` prints the table (name, type, scopes, meaning), so
 * this table is the reference of the rule language's vocabulary.
 *
 * Fields are facts only: what a message, event or session shows.
 * Judgement (is it a fault, how bad, what to do) lives in rule files.
 *
 * Ownership: field_get's string values borrow from the item (and from
 * its scratch buffer): valid until the next field_get on that item.
 * Nothing global changes: the table is const.
 */
#ifndef SFB_FIELD_H
#define SFB_FIELD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "expr.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "sess.h"

struct join_facts;

struct field_def {
	const char *name;       /* "msg.status", "header" (keyed) */
	enum expr_type type;
	unsigned scopes;        /* EXPR_SCOPE_BIT()s */
	int keyed;              /* name("KEY") form */
	const char *doc;        /* one line, for `sfblog fields` */
};

/* One thing being evaluated: exactly one of msg, ev, rec, sess is set. */
struct field_item {
	enum expr_scope scope;
	/* message scope */
	const struct msg *msg;
	struct sv req_method;   /* a response: the request it answers */
	struct sv req_uri;
	unsigned session_id;    /* 0: belongs to no sign-in */
	/* event scope: a pattern event or a CLS diagnostic record */
	const struct pat_event *ev;
	const struct fmt_rec *rec;
	const char *file;       /* where the event is (borrowed) */
	unsigned long line;
	int64_t ts;
	/* session scope; join scope: the client's session and the facts */
	const struct sess *sess;
	const struct join_facts *join;
	char scratch[256];      /* built strings (auth lists, hex) */
};

/* The table, in `sfblog fields` order. */
const struct field_def *field_table(size_t *n);
/*
 * expr resolver: name (and key for keyed fields) to field.
 * @return 0 and *out filled, -1 when no such field
 */
int field_resolve(void *ud, struct sv name, struct sv key,
		  struct expr_field *out);
/*
 * expr value provider: ud is a struct field_item.
 * @return 0 present, 1 absent (no such header, a request's status...)
 */
int field_get(void *ud, int id, struct sv key, struct expr_value *out);
/*
 * The rule index's view of an item (rules_index_get): its class, and
 * what field_known tells of every item of that class.  A message's
 * class is its kind, protocol, (request) method when it is a usual one,
 * status, whether it is in a session and whether it has ms-diagnostics
 * and X-Ms-diagnostics; an event's is its name and its hr, if any (a
 * CLS diagnostic: only the name); a session's is its outcome, the state
 * of each step and setting, its redirect loop and final REGISTER answer
 * and its small counts (redirects, 401s, REGISTERs, 28032s); a joined
 * sign-in has one class.
 */
struct field_cls {
	uint64_t a, b;          /* equal for the items of one class */
};
struct field_cls field_class(const struct field_item *it);
/*
 * expr_known_fn over a struct field_item (ud): the fields its class
 * decides (for a message msg.proto, msg.is_request, msg.is_response,
 * msg.in_session, msg.method and msg.request_method when the class
 * names them, msg.status, the absence of the diagnostics; for an event
 * event.name, event.hr of a pattern event, the absence of the fields of
 * the other kind of event; for a session the facts of its class), EXPR_UNKNOWN
 * for the others.
 */
int field_known(void *ud, int id, struct sv key, struct expr_value *out);
/* Print the table for `sfblog fields` (plain text, 79 columns). */
void field_print(FILE *out);

#endif
