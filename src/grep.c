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

/* Limits and a JIT stack: one per thread (a JIT stack is not shared). */
struct limits {
	pcre2_match_context *mctx; /* owned */
	pcre2_jit_stack *jit;   /* owned, may be NULL */
};

struct grep_re {
	pcre2_code *code;       /* owned */
	int jit;                /* code was JIT-compiled */
	pcre2_match_data *md;   /* owned, reused by grep_match */
	struct limits lim;      /* used by grep_match only */
};

struct grep_md {
	pcre2_match_data *md;   /* owned; one pair: match or not */
	struct limits lim;
};

static void limits_init(struct limits *l)
{
	l->mctx = pcre2_match_context_create(NULL);
	if (!l->mctx)
		sfb_oom();
	pcre2_set_match_limit(l->mctx, GREP_MATCH_LIMIT);
	pcre2_set_depth_limit(l->mctx, GREP_DEPTH_LIMIT);
	pcre2_set_heap_limit(l->mctx, GREP_HEAP_KIB);
	/* without one the JIT uses 32 KiB of the machine stack */
	l->jit = pcre2_jit_stack_create(32 * 1024, GREP_JIT_STACK, NULL);
	if (l->jit)
		pcre2_jit_stack_assign(l->mctx, NULL, l->jit);
}

static void limits_free(struct limits *l)
{
	pcre2_match_context_free(l->mctx);
	pcre2_jit_stack_free(l->jit);
}

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
	struct grep_re *re = sfb_xmalloc(sizeof *re);
	re->code = code;
	/* JIT is an optimisation: without it matching still works */
	re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!re->md)
		sfb_oom();
	limits_init(&re->lim);
	return re;
}

/*
 * One match with the given match data and limits: 1, 0, or -1 (a
 * limit, or another error: *pcre_rc says which).
 */
static int run(const struct grep_re *re, pcre2_match_data *md,
	       const struct limits *lim, struct sv subject, int *pcre_rc)
{
	static const char empty[1] = "";
	PCRE2_SPTR subj = (PCRE2_SPTR)(subject.p ? subject.p : empty);
	/* the JIT's own entry skips pcre2_match's checks of the
	 * arguments, which hold here (no UTF, offset 0, our match data) */
	int rc = re->jit ? pcre2_jit_match(re->code, subj, subject.n, 0, 0,
					   md, lim->mctx)
			 : pcre2_match(re->code, subj, subject.n, 0, 0, md,
				       lim->mctx);
	*pcre_rc = rc;
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int grep_match(struct grep_re *re, struct sv subject, struct sfb_err *err)
{
	int prc, rc = run(re, re->md, &re->lim, subject, &prc);
	if (rc >= 0)
		return rc;
	PCRE2_UCHAR msg[160];
	if (pcre2_get_error_message(prc, msg, sizeof msg) < 0)
		return sfb_err_set(err, SFB_E_LIMIT, 0, "regex match error "
				   "%d", prc);
	return sfb_err_set(err, SFB_E_LIMIT, 0, "%s", (const char *)msg);
}

struct grep_md *grep_md_new(void)
{
	struct grep_md *m = sfb_xmalloc(sizeof *m);
	m->md = pcre2_match_data_create(1, NULL);
	if (!m->md)
		sfb_oom();
	limits_init(&m->lim);
	return m;
}

void grep_md_free(struct grep_md *md)
{
	if (!md)
		return;
	pcre2_match_data_free(md->md);
	limits_free(&md->lim);
	free(md);
}

int grep_exec(const struct grep_re *re, struct grep_md *md,
	      struct sv subject)
{
	int prc;
	if (md)
		return run(re, md->md, &md->lim, subject, &prc);
	struct grep_md *tmp = grep_md_new();
	int rc = run(re, tmp->md, &tmp->lim, subject, &prc);
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
	limits_free(&re->lim);
	pcre2_code_free(re->code);
	free(re);
}
