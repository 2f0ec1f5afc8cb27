/* SPDX-License-Identifier: MIT */
/*
 * rot.h -- rotated client logs.  The client keeps up to three files
 * (Lync-UccApi-0.UccApilog .. -2, older ones sometimes copied to .bak);
 * given together they are one log cut in pieces.  These helpers name
 * the family a file belongs to and its place in the rotation, so the
 * CLI can read a family as one stream.  Pure string functions: no I/O,
 * no allocation, reentrant.
 */
#ifndef SFB_ROT_H
#define SFB_ROT_H

#include <stddef.h>

/*
 * The family of path, written to out: path without a trailing ".bak"
 * and without the "-N" before its extension
 * ("t/Lync-UccApi-1.UccApilog.bak" -> "t/Lync-UccApi.UccApilog").
 * Case is kept; comparison of families is the caller's (exact).
 * @return 1 if path has a rotation number, else 0 (out = path)
 */
int rot_family(const char *path, char *out, size_t outsz);

/*
 * Age rank of path in its family: larger is older ("-2" older than
 * "-1"; a ".bak" older than the same number without it); 0 when there
 * is no rotation number.
 */
int rot_age(const char *path);

#endif
