/* SPDX-License-Identifier: MIT */
/*
 * rot.c -- rotated client logs (see rot.h).  Used by the CLI before the
 * pipeline starts, to group the files that are one log.
 */
#include <stdio.h>
#include <string.h>

#include "rot.h"

struct parts {
	size_t stem;    /* bytes before "-N" */
	size_t num_end; /* bytes up to the end of N */
	size_t base;    /* bytes up to ".bak" (or the whole length) */
	int num;
	int bak;
};

/* Find "-N" just before the last extension of the file name. */
static int split(const char *path, struct parts *p)
{
	size_t n = strlen(path);
	p->bak = n >= 4 && strcmp(path + n - 4, ".bak") == 0;
	p->base = p->bak ? n - 4 : n;
	const char *slash = strrchr(path, '/');
	size_t name = slash ? (size_t)(slash - path) + 1 : 0;
	size_t dot = p->base;
	while (dot > name && path[dot - 1] != '.')
		dot--;
	if (dot <= name + 1)
		return 0;           /* no extension */
	size_t end = dot - 1;   /* index of the '.' */
	size_t d = end;
	while (d > name && path[d - 1] >= '0' && path[d - 1] <= '9')
		d--;
	if (d == end || d <= name + 1 || path[d - 1] != '-' ||
	    end - d > 3)
		return 0;
	p->stem = d - 1;
	p->num_end = end;
	p->num = 0;
	for (size_t i = d; i < end; i++)
		p->num = p->num * 10 + (path[i] - '0');
	return 1;
}

int rot_family(const char *path, char *out, size_t outsz)
{
	struct parts p;
	if (outsz == 0)
		return 0;
	if (!split(path, &p)) {
		snprintf(out, outsz, "%s", path);
		return 0;
	}
	snprintf(out, outsz, "%.*s%.*s", (int)p.stem, path,
		 (int)(p.base - p.num_end), path + p.num_end);
	return 1;
}

int rot_age(const char *path)
{
	struct parts p;
	if (!split(path, &p))
		return 0;
	return p.num * 2 + p.bak + 1;
}
