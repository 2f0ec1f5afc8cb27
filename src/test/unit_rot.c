/* SPDX-License-Identifier: MIT */
/*
 * unit_rot.c -- unit tests of the rotated-log helpers (rot.c).
 */
#include <string.h>

#include "check.h"
#include "rot.h"

static int fam(const char *path, const char *want, int rotated)
{
	char out[256];
	int r = rot_family(path, out, sizeof out);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "rot_family('%s') = '%s'\n", path, out);
	return r == rotated && strcmp(out, want) == 0;
}

int main(void)
{
	CHECK(fam("Lync-UccApi-0.UccApilog", "Lync-UccApi.UccApilog", 1));
	CHECK(fam("t/Lync-UccApi-1.UccApilog.bak", "t/Lync-UccApi.UccApilog",
		  1));
	CHECK(fam("Communicator-uccapi-2.uccapilog",
		  "Communicator-uccapi.uccapilog", 1));
	CHECK(fam("logs-1/trace.log", "logs-1/trace.log", 0));
	CHECK(fam("cls-edge-fe.log", "cls-edge-fe.log", 0));
	CHECK(fam("a-12345.log", "a-12345.log", 0)); /* not a rotation */
	CHECK(fam("-1.log", "-1.log", 0));
	CHECK(fam("x-1", "x-1", 0));                 /* no extension */
	CHECK(fam("", "", 0));
	CHECK(fam("Lync-UccApi-0.UccApilog.gz", "Lync-UccApi-0.UccApilog.gz",
		  0)); /* compressed copies keep their own names */
	CHECK(rot_age("Lync-UccApi-2.UccApilog") >
	      rot_age("Lync-UccApi-1.UccApilog"));
	CHECK(rot_age("Lync-UccApi-0.UccApilog.bak") >
	      rot_age("Lync-UccApi-0.UccApilog"));
	CHECK_INT(rot_age("plain.log"), 0);
	char small[8];
	CHECK_INT(rot_family("Lync-UccApi-0.UccApilog", small, sizeof small),
		  1);
	CHECK_INT(strlen(small), 7); /* cut, NUL-terminated */
	return CHECK_DONE("unit_rot");
}
