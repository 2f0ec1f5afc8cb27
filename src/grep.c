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
	pcre2_match_data *md;   /* owned, reused by grep_match */
	pcre2_match_context *mctx; /* owned: the limits; only read */
};

struct grep_md {
	pcre2_match_data *md;   /* owned; one pair: match or not */
};

struct grep_re *grep_new(const char *pattern, int caseless,
			    struct sfb_err *err)
{
	return grep_new_n(pattern, strlen(pattern), caseless, err);
}

struct grep_re *grep_new_n(const char *pattern, size_t n, int caseless,
			   struct sfb_err *err)
{
	int ec = 0;
	PCRE2_SIZE off = 0;
	uint32_t opts = caseless ? PCRE2_CASELESS : 0;
	static const char empty[1] = "";
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)(n ? pattern : empty),
					 n, opts, &ec, &off, NULL);
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
	pcre2_set_match_limit(re->mctx, GREP_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, GREP_DEPTH_LIMIT);
	return re;
}

/* One match with the given match data: 1, 0, or -1 at a limit. */
static int run(const struct grep_re *re, pcre2_match_data *md,
	       struct sv subject)
{
	static const char empty[1] = "";
	int rc = pcre2_match(re->code,
			     (PCRE2_SPTR)(subject.p ? subject.p : empty),
			     subject.n, 0, 0, md, re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return -1;
	return 0;
}

int grep_match(struct grep_re *re, struct sv subject)
{
	return run(re, re->md, subject) == 1;
}

struct grep_md *grep_md_new(void)
{
	struct grep_md *m = sfb_xmalloc(sizeof *m);
	m->md = pcre2_match_data_create(1, NULL);
	if (!m->md)
		sfb_oom();
	return m;
}

void grep_md_free(struct grep_md *md)
{
	if (!md)
		return;
	pcre2_match_data_free(md->md);
	free(md);
}

int grep_exec(const struct grep_re *re, struct grep_md *md,
	      struct sv subject)
{
	if (md)
		return run(re, md->md, subject);
	struct grep_md *tmp = grep_md_new();
	int rc = run(re, tmp->md, subject);
	grep_md_free(tmp);
	return rc;
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
	pcre2_code_free(re->code);
	free(re);
}
