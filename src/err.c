/* SPDX-License-Identifier: MIT */
/*
 * err.c -- the cross-cutting helpers of sfb.h: error table and error
 * record, allocation wrappers that exit on out-of-memory, and log-time
 * arithmetic.  Used by every stage; holds no state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfb.h"

static const char *const code_names[] = {
#define SFB_X(name, desc) #name,
	SFB_CODE_MAP(SFB_X)
#undef SFB_X
};

static const char *const code_strs[] = {
#define SFB_X(name, desc) desc,
	SFB_CODE_MAP(SFB_X)
#undef SFB_X
};

const char *sfb_code_name(enum sfb_code c)
{
	return (unsigned)c < SFB_E__COUNT ? code_names[c] : "UNKNOWN";
}

const char *sfb_code_str(enum sfb_code c)
{
	return (unsigned)c < SFB_E__COUNT ? code_strs[c] : "unknown error";
}

int sfb_err_set(struct sfb_err *err, enum sfb_code code, int sys_errno,
		const char *fmt, ...)
{
	if (!err)
		return -1;
	err->code = code;
	err->sys_errno = sys_errno;
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof err->msg) {
		/* too long (a long path): keep the head and the reason */
		char *full = malloc((size_t)n + 1);
		if (full) {
			vsnprintf(full, (size_t)n + 1, fmt, ap2);
			size_t cap = sizeof err->msg, head = cap / 4;
			size_t tail = cap - head - 4;   /* "...", the NUL */
			memcpy(err->msg + head, "...", 3);
			memcpy(err->msg + head + 3, full + (size_t)n - tail,
			       tail);
			err->msg[cap - 1] = '\0';
			free(full);
		}
	}
	va_end(ap2);
	return -1;
}

void sfb_oom(void)
{
	fputs("sfblog: fatal: out of memory\n", stderr);
	exit(2);
}

void *sfb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		sfb_oom();
	return p;
}

void *sfb_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		sfb_oom();
	return p;
}

void *sfb_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		sfb_oom();
	return q;
}

char *sfb_xstrndup(const char *p, size_t n)
{
	char *s = sfb_xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t sfb_time_make(int year, int mon, int day, int hour, int min,
		      int sec, int msec)
{
	int64_t days = days_from_civil(year, (unsigned)mon, (unsigned)day);
	return ((days * 24 + hour) * 60 + min) * 60000 + (int64_t)sec * 1000 +
	       msec;
}

char *sfb_time_fmt(int64_t t, char *out, size_t outsz)
{
	if (t == SFB_TIME_NONE) {
		snprintf(out, outsz, "-");
		return out;
	}
	int64_t ms = t % 86400000, z = t / 86400000;
	if (ms < 0) {
		ms += 86400000;
		z--;
	}
	/* civil_from_days */
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe =
		(doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t y0 = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	const long long y = (long long)(y0 + (m <= 2));
	snprintf(out, outsz, "%04lld-%02u-%02uT%02d:%02d:%02d.%03d", y, m, d,
		 (int)(ms / 3600000), (int)(ms / 60000 % 60),
		 (int)(ms / 1000 % 60), (int)(ms % 1000));
	return out;
}
