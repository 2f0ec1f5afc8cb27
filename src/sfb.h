/* SPDX-License-Identifier: MIT */
/*
 * sfb.h -- definitions shared by every stage of the sfblog pipeline
 * (line reader -> format parsers -> SIP/HTTP messages -> transactions ->
 * reporters): string views, the error record, log time and the
 * allocation wrappers.
 *
 * Ownership: a struct sv never owns its bytes; it borrows them from
 * whoever produced it and is valid only as long as that producer says
 * (usually until its next call).  struct sfb_err is always caller-owned.
 * Everything here is reentrant; nothing keeps global state.
 */
#ifndef SFB_SFB_H
#define SFB_SFB_H

#include <stddef.h>
#include <stdint.h>

#define SFB_VERSION "0.1.0"

/* JSON output schema; bump when a key changes meaning or disappears. */
#define SFB_SCHEMA_VERSION 2

#if defined(__GNUC__)
#define SFB_WUR __attribute__((warn_unused_result))
#define SFB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SFB_NORETURN __attribute__((noreturn))
/* for hot paths, each use measured: see the commit that adds it */
#define SFB_INLINE inline __attribute__((always_inline))
#define SFB_NOINLINE __attribute__((noinline))
#else
#define SFB_WUR
#define SFB_PRINTF(a, b)
#define SFB_NORETURN
#define SFB_INLINE inline
#define SFB_NOINLINE
#endif

/* A borrowed byte range; not NUL-terminated. */
struct sv {
	const char *p;
	size_t n;
};

#define SV_NULL ((struct sv){ NULL, 0 })
#define SV_LIT(s) ((struct sv){ (s), sizeof(s) - 1 })

/*
 * Error codes.  X(name, description): one list makes the enum, the
 * names and the descriptions (http-parser HTTP_ERRNO_MAP).
 */
#define SFB_CODE_MAP(X)                                               \
	X(OK, "success")                                              \
	X(IO, "input/output error")                                   \
	X(NOMEM, "out of memory")                                     \
	X(USAGE, "invalid usage")                                     \
	X(GZIP, "corrupt or truncated gzip data")                     \
	X(ENCODING, "invalid text encoding")                          \
	X(LONG_LINE, "line longer than the limit")                    \
	X(FORMAT, "not a recognised log format")                      \
	X(PARSE, "malformed input")                                   \
	X(LIMIT, "input exceeds a limit")                             \
	X(REGEX, "invalid regular expression")                        \
	X(RULE, "invalid rule")                                       \
	X(LIB, "a shared library could not be loaded")

enum sfb_code {
#define SFB_X(name, desc) SFB_E_##name,
	SFB_CODE_MAP(SFB_X)
#undef SFB_X
	SFB_E__COUNT
};

/*
 * Room for an error text: a long path and the reason after it.  A text
 * longer than that loses its middle ("..."), never its end: the reason.
 */
#define SFB_ERR_MSG 1024

/* Filled by the callee on failure; owned by the caller. */
struct sfb_err {
	enum sfb_code code;
	int sys_errno;          /* errno at the failure, 0 if none */
	unsigned long line;     /* 1-based input line, 0 if none */
	unsigned col;           /* 1-based column, 0 if none */
	char msg[SFB_ERR_MSG];  /* human text, lowercase, no final stop */
};

/* @return the enum name ("IO") / description of a code. */
const char *sfb_code_name(enum sfb_code c);
const char *sfb_code_str(enum sfb_code c);

/*
 * Fill err (which may be NULL) and return -1, so callers can write
 * `return sfb_err_set(err, SFB_E_IO, errno, "cannot read '%s'", path);`.
 */
int sfb_err_set(struct sfb_err *err, enum sfb_code code, int sys_errno,
		const char *fmt, ...) SFB_PRINTF(4, 5);

/* Allocation that never returns NULL: prints a fatal message, exits 2. */
void *sfb_xmalloc(size_t n);
void *sfb_xcalloc(size_t nmemb, size_t size);
void *sfb_xrealloc(void *p, size_t n);
char *sfb_xstrndup(const char *p, size_t n);
void SFB_NORETURN sfb_oom(void);

/*
 * The five steps of a client sign-in (FORMATS.md section 4); shared by
 * the pattern table (rule.c), the session builder (sess.c) and the
 * reporters.  SFB_STEP_NONE: not a sign-in step.
 */
enum sfb_step {
	SFB_STEP_NONE = 0,
	SFB_STEP_DISCOVERY,
	SFB_STEP_CONNECTIVITY,
	SFB_STEP_AUTH,
	SFB_STEP_REDIRECT,
	SFB_STEP_SETTINGS,
	SFB_STEP__COUNT
};

/*
 * Severity of a finding (and of the diagnostics ana.c grades), in
 * increasing order: a finding at or above --fail-on makes the exit
 * status 1.
 */
enum sfb_sev { SFB_SEV_NONE = 0, SFB_SEV_INFO, SFB_SEV_WARNING,
	       SFB_SEV_ERROR };

/* "info" / "warning" / "error" / "none" (ana.c). */
const char *sfb_sev_name(enum sfb_sev s);
/* @return SFB_SEV_* named by s, or -1. */
int sfb_sev_parse(const char *s);
/* "discovery", "connectivity", ...; "none" for SFB_STEP_NONE (pattern.c). */
const char *sfb_step_name(enum sfb_step s);

/*
 * Log time: milliseconds since 1970-01-01 00:00:00 of the clock the log
 * was written in (client logs: local time without zone; CLS: UTC).
 * SFB_TIME_NONE when unknown.
 */
#define SFB_TIME_NONE INT64_MIN

/* @return ms for a civil date and time (no zone arithmetic). */
int64_t sfb_time_make(int year, int mon, int day, int hour, int min,
		      int sec, int msec);
/*
 * Format t as "YYYY-MM-DDTHH:MM:SS.mmm" into out (at least 24 bytes).
 * @return out.
 */
char *sfb_time_fmt(int64_t t, char *out, size_t outsz);

#endif
