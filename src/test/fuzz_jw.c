/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jw.c -- libFuzzer target for the streaming JSON writer (jw.c):
 * arbitrary bytes become a document that jw writes and cJSON prints
 * from a tree built alongside, as the JSON reporter built it before
 * (strings and log keys through esc_utf8); the two texts must be the
 * same bytes, in both layouts.  A difference aborts, so libFuzzer
 * saves the input.
 *
 * Input: byte 0 picks the layout (bit 0: cJSON_Print's) and the depth
 * the part starts at (bits 1-3); the rest is cut at each 0xFF byte
 * into pieces, whose first byte says what the piece is: '{' or '['
 * opens an object or an array, '}' closes the innermost, '#' is a
 * number (the next 8 bytes), anything else a string (the piece), and
 * inside an object each value takes the piece before it as its key.
 * Seeds: testdata/corpus/jw/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "esc.h"
#include "jw.h"
#include "sv.h"

#define MAX_NEST 16

/* Add c under the key k (the tree's side of jw_key). */
static void add(cJSON *parent, struct sv k, cJSON *c)
{
	if (cJSON_IsArray(parent)) {
		cJSON_AddItemToArray(parent, c);
		return;
	}
	char *e = esc_utf8(k);
	cJSON_AddItemToObject(parent, e, c);
	free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int fmt = data[0] & 1;
	unsigned depth = (data[0] >> 1) & 7;
	struct jw w = { 0 };
	jw_init(&w, fmt, depth);
	cJSON *stack[MAX_NEST + 1];
	stack[0] = cJSON_CreateArray();
	int top = 0;
	jw_arr(&w, NULL);
	struct sv key = SV_LIT("k");
	int want_key = 0;
	const char *p = (const char *)data + 1, *end = (const char *)data +
						       size;
	while (p < end) {
		const char *q = memchr(p, 0xFF, (size_t)(end - p));
		if (!q)
			q = end;
		struct sv piece = sv_make(p, (size_t)(q - p));
		p = q < end ? q + 1 : end;
		int in_obj = cJSON_IsObject(stack[top]);
		char c = piece.n ? piece.p[0] : 's';
		if (c == '}') {
			if (top > 0) {
				jw_end(&w);
				top--;
			}
			want_key = 0;
			continue;
		}
		if (in_obj && !want_key) {
			key = piece;    /* the next value's name */
			want_key = 1;
			continue;
		}
		if (in_obj)
			jw_key(&w, key);
		want_key = 0;
		cJSON *item;
		if ((c == '{' || c == '[') && top < MAX_NEST) {
			item = c == '{' ? cJSON_CreateObject()
					: cJSON_CreateArray();
			if (c == '{')
				jw_obj(&w, NULL);
			else
				jw_arr(&w, NULL);
			add(stack[top], key, item);
			stack[++top] = item;
			continue;
		}
		if (c == '#' && piece.n >= 9) {
			int64_t v;
			memcpy(&v, piece.p + 1, 8);
			double d = (double)(v >> (piece.p[1] & 63));
			jw_num(&w, NULL, d);
			item = cJSON_CreateNumber(d);
		} else {
			char *e = esc_utf8(piece);
			jw_sv(&w, NULL, piece);
			item = cJSON_CreateString(e);
			free(e);
		}
		add(stack[top], key, item);
	}
	while (top-- > 0)
		jw_end(&w);
	jw_end(&w);
	/* cJSON prints from depth 0: the same part, depth tabs fewer */
	char *want = fmt ? cJSON_Print(stack[0])
			 : cJSON_PrintUnformatted(stack[0]);
	size_t n = 0;
	char *got = malloc(w.n + 1);
	for (size_t i = 0; i < w.n; i++) {
		got[n++] = w.b[i];
		if (w.b[i] != '\n')
			continue;
		for (unsigned k = 1; k <= depth; k++)  /* the start depth */
			if (i + k >= w.n || w.b[i + k] != '\t')
				abort();
		i += depth;
	}
	if (n != strlen(want) || memcmp(got, want, n) != 0) {
		fprintf(stderr, "fuzz_jw: jw wrote\n%.*s\ncJSON printed\n%s\n",
			(int)w.n, w.b, want);
		abort();
	}
	free(got);
	free(want);
	cJSON_Delete(stack[0]);
	jw_free(&w);
	return 0;
}
