/* SPDX-License-Identifier: MIT */
/*
 * rep_join.h -- text reporters (stage 7) of the joined sign-ins of
 * stage 5b (join.h): the section of `sfblog analyze` and the joint
 * ladder of `sfblog flow`.  They read a finished join and write to
 * out; nothing is kept.
 */
#ifndef SFB_REP_JOIN_H
#define SFB_REP_JOIN_H

#include <stdio.h>

#include "join.h"

/*
 * The "joined sign-ins" section: per joined sign-in, who saw it, the
 * client clock, each side's top finding, lost messages and the
 * join-scope findings; one line when client logs and server traces
 * were given and nothing joined; nothing when only one kind was given.
 */
void rep_join_text(FILE *out, const struct join *j, int color,
		   int verbose);
/*
 * The joint ladder of joined sign-in i: columns client, Edge, Director,
 * Front End, others (roles from role.c); one row per message in server
 * time; 'o' a party logged it, '?' the client log lacks it, 'X' where a
 * lost message stopped.  width: terminal columns.
 */
void rep_join_draw(FILE *out, const struct join *j, size_t i, int width);

#endif
