/* SPDX-License-Identifier: MIT */
/*
 * redact_norm.c -- test helper of src/test/redact.sh: reads the JSON of
 * `sfblog analyze -o json` on standard input and prints it with the
 * members whose values legitimately change in a redacted copy removed
 * (file names, byte counts, user, host and address texts), so the
 * outcomes, step statuses, auth methods, REGISTER counts, diagnostic
 * codes, line numbers and every other count can be compared with cmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static const char *const drop[] = {
	"file", "last_file", "first_file", "bytes", "encoding", "gzip",
	"user", "server", "servers_seen", "text", "summary", "url", "name",
	"source", "from", "to", "uri", "location_profile_data",
	"provisioning", "seen_at", "peer", "advice", "outcome_text",
	"reason", "first_at", "example", "local", "remote", "call_id",
	"host", "target", "title", "explanation", "remediation", NULL
};

static void strip(cJSON *x)
{
	cJSON *c = x ? x->child : NULL;
	while (c) {
		cJSON *next = c->next;
		int gone = 0;
		for (size_t i = 0; c->string && drop[i]; i++)
			if (strcmp(c->string, drop[i]) == 0) {
				cJSON_DeleteItemFromObject(x, c->string);
				gone = 1;
				break;
			}
		if (!gone)
			strip(c);
		c = next;
	}
}

int main(void)
{
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, stdin)) > 0) {
		n += r;
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return 2;
			}
			buf = nb;
		}
	}
	if (!buf)
		return 2;
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	if (!j) {
		fputs("redact_norm: invalid JSON\n", stderr);
		return 2;
	}
	strip(j);
	char *s = cJSON_Print(j);
	puts(s);
	free(s);
	cJSON_Delete(j);
	return 0;
}
