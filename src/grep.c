/* SPDX-License-Identifier: MIT */
/*
 * grep.c -- PCRE2 behind grep.h.  Used by the `messages --grep`
 * filter (and by the rule engine to come); nothing else links PCRE2.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "grep.h"

struct grep_re {
	pcre2_code *code;       /* owned */
	pcre2_match_data *md;   /* owned, reused by every match */
	pcre2_match_context *mctx; /* owned: the limits below */
	pcre2_jit_stack *jit;   /* owned, may be NULL */
};

struct grep_re *grep_new(const char *pattern, int caseless,
			    struct sfb_err *err)
{
	int ec = 0;
	PCRE2_SIZE off = 0;
	uint32_t opts = caseless ? PCRE2_CASELESS : 0;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern,
					 PCRE2_ZERO_TERMINATED, opts, &ec,
					 &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof msg);
		sfb_err_set(err, SFB_E_REGEX, 0, "%s at offset %zu",
			    (const char *)msg, (size_t)off);
		if (err)
			err->col = (unsigned)off + 1;
		return NULL;
	}
	/* JIT is an optimisation: without it matching still works */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	struct grep_re *re = sfb_xmalloc(sizeof *re);
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->md || !re->mctx)
		sfb_oom();
	/* the pattern table's limits (pattern.c): bounded time and memory
	 * whatever the pattern and the message */
	pcre2_set_match_limit(re->mctx, GREP_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, GREP_MATCH_LIMIT);
	pcre2_set_heap_limit(re->mctx, GREP_HEAP_KIB);
	re->jit = pcre2_jit_stack_create(32 * 1024, GREP_JIT_STACK, NULL);
	if (re->jit)
		pcre2_jit_stack_assign(re->mctx, NULL, re->jit);
	return re;
}

int grep_match(struct grep_re *re, struct sv subject, struct sfb_err *err)
{
	static const char empty[1] = "";
	int rc = pcre2_match(re->code,
			     (PCRE2_SPTR)(subject.p ? subject.p : empty),
			     subject.n, 0, 0, re->md, re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	PCRE2_UCHAR msg[160];
	if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
		return sfb_err_set(err, SFB_E_LIMIT, 0, "regex match error "
				   "%d", rc);
	return sfb_err_set(err, SFB_E_LIMIT, 0, "%s", (const char *)msg);
}

const char *grep_version(char *out, size_t outsz)
{
	if (outsz == 0)
		return out;
	out[0] = '\0';
	char buf[64];
	if (pcre2_config(PCRE2_CONFIG_VERSION, buf) > 0) {
		size_t n = strlen(buf);
		if (n >= outsz)
			n = outsz - 1;
		memcpy(out, buf, n);
		out[n] = '\0';
	}
	return out;
}

void grep_free(struct grep_re *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_jit_stack_free(re->jit);
	pcre2_code_free(re->code);
	free(re);
}
