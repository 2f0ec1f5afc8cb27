/* SPDX-License-Identifier: MIT */
/*
 * lr.c -- the line reader (see lr.h), first stage of the pipeline: it
 * turns a file, '-' (stdin) or gzip data into physical text lines for
 * the format parsers.  Three layers, each pulled by the one above:
 *
 *   raw     read(2) into a buffer, at most `chunk` bytes a call
 *   decode  gzip members inflated by zlib, or the raw bytes as they are
 *   text    UTF-16 transcoded to UTF-8, or the decoded bytes as they are
 *
 * and the line splitter on top, which memchr()s the text buffer for LF
 * and hands out views straight into it.  Only a line that spans two
 * fills of the text buffer is copied, into a line buffer that grows by
 * doubling up to the line limit; past the limit the line is not kept
 * but counted until its end (LR_LONG), so memory stays bounded by the
 * limit plus the fixed buffers whatever the input.
 *
 * Damage is data up to the point where it starts: gzip output decoded
 * before a truncation, a bad CRC or trailing garbage (zero padding
 * after the last member is accepted, like Python's gzip) is split into
 * lines as usual, the line cut by the damage is dropped, and then
 * lr_next fails with SFB_E_GZIP, for good.  Invalid UTF-16 becomes
 * U+FFFD and is only counted.
 *
 * Ownership: the reader owns every buffer; a view handed out by lr_next
 * is valid until the next lr_* call on the same reader.  Reentrant: no
 * global state (strerror aside).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define NO_BAD SIZE_MAX         /* lr.bad_at: no invalid unit pending */

#include "lr.h"
#include "sv.h"

/*
 * Text buffer: large enough that the per-read and per-fill costs vanish
 * against memchr, small enough to stay in L2.  The UTF-16 staging
 * buffer is half of it, so that its transcoding (at most 3 bytes of
 * UTF-8 per 2 bytes of UTF-16) always fits in the text buffer.
 */
#define LR_BUFSZ (256u << 10)
#define LR_U16SZ (LR_BUFSZ / 2)
#define LR_INSZ (64u << 10)     /* sniffing and compressed input */
#define LR_LBMIN 4096u          /* first size of the line buffer */

struct lr {
	int fd;
	int own_fd;             /* 0 for stdin, which is not closed */
	lr_read_fn src;         /* lr_open_reader: the caller's source */
	void *src_ud;
	char *path;             /* owned: for error messages */
	size_t max_line;
	size_t chunk;           /* cap of one read(2); 0 = none */

	/* text layer output, where lines are found */
	char *buf;              /* owned, LR_BUFSZ */
	size_t pos, end;        /* unconsumed bytes: buf[pos, end) */

	/* a line not yet ended by LF (it spans fills) */
	int pend;               /* such a line is open */
	char *lb;               /* owned: its bytes so far */
	size_t lbn, lbcap;
	int skipping;           /* over the limit: only counted */
	uint64_t skiplen;
	int last_cr;            /* last skipped byte was CR */

	unsigned long lineno;
	uint64_t bytes;         /* decoded bytes read (ahead of lines) */
	uint64_t bad;           /* invalid UTF-16 units */
	size_t bad_at;          /* buf offset of the first one, until its
				 * line is known; NO_BAD when none */
	unsigned long bad_line; /* line of the first one, 0 if none */
	enum lr_encoding enc;

	int started;            /* gzip and BOM sniffed */
	int text_eof;           /* the text layer is exhausted */
	int failed;             /* sticky: e says why */
	int reported;           /* e.line already set */
	struct sfb_err e;

	/* raw layer */
	unsigned char *in;      /* owned, LR_INSZ: sniff + gzip input */
	size_t in_pos, in_end;
	int raw_eof;

	/* decode layer: gzip */
	int gzip;
	int z_init;             /* inflateInit2 done */
	int z_end;              /* between members */
	int z_bad;              /* error found, reported at the next read */
	char z_msg[96];
	z_stream zs;
	int dec_eof;
	uint64_t raw_in;        /* raw bytes taken into the input buffer */
	uint64_t cap_out;       /* gzip output cap (lr_set_caps), 0: none */
	unsigned cap_ratio;     /* gzip output / input cap, 0: none */

	/* text layer: UTF-16 staging */
	unsigned char *u16;     /* owned, LR_U16SZ (UTF-16 only) */
	size_t u16n;
};

/*
 * Record a failure in the reader (sticky) and return -1.  The line
 * number is filled in when lr_next reports it, because by then every
 * complete line before the damage has been handed out.
 */
static int fail(struct lr *r, enum sfb_code code, int sys_errno,
		const char *what)
{
	r->failed = 1;
	r->e.line = 0;
	r->e.col = 0;
	if (sys_errno) {
		sfb_err_set(&r->e, code, sys_errno, "%s '%s': %s", what,
			    r->path, strerror(sys_errno));
		errno = sys_errno;      /* kept for the caller */
	} else {
		sfb_err_set(&r->e, code, 0, "%s", what);
	}
	return -1;
}

/* A reader with its buffers, for lr_open and lr_open_reader. */
static struct lr *lr_alloc(const char *name, size_t max_line)
{
	struct lr *r = sfb_xcalloc(1, sizeof *r);
	r->fd = -1;
	r->bad_at = NO_BAD;
	r->path = sfb_xstrndup(name, strlen(name));
	/* the +1 for a CR and the doubling must not overflow */
	if (max_line == 0)
		max_line = SFB_MAX_LINE;
	if (max_line > SIZE_MAX / 4)
		max_line = SIZE_MAX / 4;
	r->max_line = max_line;
	r->buf = sfb_xmalloc(LR_BUFSZ);
	r->in = sfb_xmalloc(LR_INSZ);
	r->enc = LR_ENC_UTF8;
	return r;
}

struct lr *lr_open(const char *path, size_t max_line, struct sfb_err *err)
{
	int fd, own = 1;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		own = 0;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			sfb_err_set(err, SFB_E_IO, e, "cannot open '%s': %s",
				    path, strerror(e));
			if (err)
				err->line = err->col = 0;
			errno = e;
			return NULL;
		}
	}
	/*
	 * open(2) accepts a directory and read(2) would fail later: say
	 * so now, in the words read(2) would use.
	 */
	struct stat st;
	int known = fstat(fd, &st) == 0;
	if (known && S_ISDIR(st.st_mode)) {
		if (own)
			close(fd);
		sfb_err_set(err, SFB_E_IO, EISDIR, "cannot read '%s': %s",
			    path, strerror(EISDIR));
		if (err)
			err->line = err->col = 0;
		errno = EISDIR;
		return NULL;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	if (known && S_ISREG(st.st_mode))
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

	struct lr *r = lr_alloc(path, max_line);
	r->fd = fd;
	r->own_fd = own;
	return r;
}

struct lr *lr_open_reader(lr_read_fn fn, void *ud, const char *name,
			  size_t max_line)
{
	struct lr *r = lr_alloc(name, max_line);
	r->src = fn;
	r->src_ud = ud;
	return r;
}

/* raw_read from the caller's source; an error is kept as it said. */
static long src_read(struct lr *r, unsigned char *dst, size_t cap)
{
	struct sfb_err e = { 0 };
	long n = r->src(r->src_ud, dst, cap, &e);
	if (n > 0)
		return n > (long)cap ? (long)cap : n;
	if (n == 0) {
		r->raw_eof = 1;
		return 0;
	}
	if (e.code == SFB_E_OK)
		sfb_err_set(&e, SFB_E_IO, 0, "cannot read '%s'", r->path);
	r->failed = 1;
	r->e = e;
	r->e.line = 0;
	r->e.col = 0;
	return -1;
}

void lr_set_caps(struct lr *r, uint64_t max_out, unsigned max_ratio)
{
	r->cap_out = max_out;
	r->cap_ratio = max_ratio;
}

/*
 * The caps of lr_set_caps, with n more bytes inflated.
 * @return 0, or -1 (recorded: SFB_E_LIMIT) when one is passed
 */
static int gz_cap(struct lr *r, uint64_t n)
{
	uint64_t out = r->bytes + n;
	char what[600];
	if (r->cap_out && out > r->cap_out) {
		snprintf(what, sizeof what, "gzip bomb? %s: unpacks to more "
			 "than %" PRIu64 " bytes (--max-unpacked)", r->path,
			 r->cap_out);
		return fail(r, SFB_E_LIMIT, 0, what);
	}
	if (r->cap_ratio && out > LR_RATIO_FLOOR &&
	    out / (r->raw_in ? r->raw_in : 1) > r->cap_ratio) {
		snprintf(what, sizeof what, "gzip bomb? %s: unpacks to more "
			 "than %u times its packed size (--max-ratio)",
			 r->path, r->cap_ratio);
		return fail(r, SFB_E_LIMIT, 0, what);
	}
	return 0;
}

void lr_set_chunk(struct lr *r, size_t n)
{
	r->chunk = n;
}

enum lr_encoding lr_encoding(const struct lr *r)
{
	return r->enc;
}

int lr_is_gzip(const struct lr *r)
{
	return r->gzip;
}

uint64_t lr_bytes(const struct lr *r)
{
	return r->bytes;
}

unsigned long lr_bad_line(const struct lr *r)
{
	return r->bad_line;
}

uint64_t lr_bad_units(const struct lr *r)
{
	return r->bad;
}

void lr_close(struct lr *r)
{
	if (!r)
		return;
	if (r->z_init)
		inflateEnd(&r->zs);
	if (r->own_fd)
		close(r->fd);
	free(r->path);
	free(r->buf);
	free(r->lb);
	free(r->in);
	free(r->u16);
	free(r);
}

/* ---- raw layer --------------------------------------------------------- */

/*
 * Read at most cap (and at most chunk) bytes into dst.
 * @return the count, 0 at end of input (remembered, so a terminal is
 *         not read again), -1 on error (recorded)
 */
static long raw_read(struct lr *r, unsigned char *dst, size_t cap)
{
	if (r->raw_eof)
		return 0;
	if (r->chunk && cap > r->chunk)
		cap = r->chunk;
	if (r->src)
		return src_read(r, dst, cap);
	for (;;) {
		ssize_t n = read(r->fd, dst, cap);
		if (n > 0)
			return (long)n;
		if (n == 0) {
			r->raw_eof = 1;
			return 0;
		}
		if (errno != EINTR)
			return fail(r, SFB_E_IO, errno, "cannot read");
	}
}

/*
 * Read more into the input buffer after what is left in it (moved to
 * the front first).  @return as raw_read
 */
static long in_refill(struct lr *r)
{
	if (r->in_pos > 0) {
		memmove(r->in, r->in + r->in_pos, r->in_end - r->in_pos);
		r->in_end -= r->in_pos;
		r->in_pos = 0;
	}
	long n = raw_read(r, r->in + r->in_end, LR_INSZ - r->in_end);
	if (n > 0) {
		r->in_end += (size_t)n;
		r->raw_in += (uint64_t)n;
	}
	return n;
}

/* ---- decode layer ------------------------------------------------------ */

/*
 * Between gzip members: skip zero padding (as Python's gzip does), then
 * expect the next member's magic.
 * @return 1 a member follows, 0 clean end, -1 error (recorded)
 */
static int gz_next_member(struct lr *r)
{
	for (;;) {
		while (r->in_pos < r->in_end && r->in[r->in_pos] == 0)
			r->in_pos++;
		if (r->in_end - r->in_pos >= 2)
			break;
		long n = in_refill(r);
		if (n < 0)
			return -1;
		if (n == 0) {
			if (r->in_pos == r->in_end)
				return 0;
			break;
		}
	}
	if (r->in_end - r->in_pos < 2 || r->in[r->in_pos] != 0x1f ||
	    r->in[r->in_pos + 1] != 0x8b)
		return fail(r, SFB_E_GZIP, 0,
			    "trailing garbage after gzip data");
	if (inflateReset(&r->zs) != Z_OK)
		return fail(r, SFB_E_GZIP, 0, "corrupt gzip data");
	r->z_end = 0;
	return 1;
}

/*
 * Inflate into dst (cap bytes at most), going on across members.
 * Output found before an error is returned first; the error comes with
 * the next call, so that no complete line before the damage is lost.
 * @return bytes produced, 0 at the clean end, -1 on error (recorded)
 */
static long gz_read(struct lr *r, unsigned char *dst, size_t cap)
{
	z_stream *zs = &r->zs;

	if (r->z_bad)
		return fail(r, SFB_E_GZIP, 0, r->z_msg);
	if (cap > UINT_MAX)
		cap = UINT_MAX;
	zs->next_out = dst;
	zs->avail_out = (unsigned)cap;
	for (;;) {
		if (r->z_end) {
			int m = gz_next_member(r);
			if (m <= 0)
				return m;
		}
		/*
		 * inflate even with no input left: when the last call
		 * stopped because the output was full, zlib may still
		 * hold decodable bits (or a bad code) of input it has
		 * taken.  Only Z_BUF_ERROR says it needs more.
		 */
		zs->next_in = r->in + r->in_pos;
		zs->avail_in = (unsigned)(r->in_end - r->in_pos);
		int ret = inflate(zs, Z_NO_FLUSH), more = 0;
		r->in_pos = r->in_end - zs->avail_in;
		size_t got = cap - zs->avail_out;
		switch (ret) {
		case Z_STREAM_END:
			r->z_end = 1;
			break;
		case Z_OK:
			break;
		case Z_BUF_ERROR:       /* no progress without input */
			more = 1;
			break;
		case Z_MEM_ERROR:
			sfb_oom();
		default:                /* Z_DATA_ERROR, Z_NEED_DICT */
			r->z_bad = 1;
			snprintf(r->z_msg, sizeof r->z_msg,
				 "corrupt gzip data: %s",
				 zs->msg ? zs->msg : "bad stream");
			if (got)
				return (long)got;
			return fail(r, SFB_E_GZIP, 0, r->z_msg);
		}
		if (got)
			return (long)got;
		if (more) {
			long n = in_refill(r);
			if (n < 0)
				return -1;
			if (n == 0)
				return fail(r, SFB_E_GZIP, 0,
					    "truncated gzip data");
		}
	}
}

/*
 * Decoded bytes into dst: what sniffing left in the input buffer
 * first, then gzip output or the raw bytes.  @return as raw_read
 */
static long dec_read(struct lr *r, unsigned char *dst, size_t cap)
{
	long n;

	if (r->gzip) {
		n = gz_read(r, dst, cap);
		if (n > 0 && gz_cap(r, (uint64_t)n) < 0)
			return -1;
	} else if (r->in_pos < r->in_end) {
		n = (long)(r->in_end - r->in_pos);
		if ((size_t)n > cap)
			n = (long)cap;
		memcpy(dst, r->in + r->in_pos, (size_t)n);
		r->in_pos += (size_t)n;
	} else {
		n = raw_read(r, dst, cap);
	}
	if (n > 0)
		r->bytes += (uint64_t)n;
	return n;
}

/* ---- text layer -------------------------------------------------------- */

/* Append code point c (at most U+10FFFF) as UTF-8 at o; @return new o. */
static inline char *put_utf8(char *o, unsigned c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}


/* Remember where the first invalid unit lands in buf (at o). */
static void note_bad_unit(struct lr *r, const char *o)
{
	if (!r->bad_line && r->bad_at == NO_BAD)
		r->bad_at = (size_t)(o - r->buf);
}

/* buf[0, upto) now belongs to line lineno: is the first bad unit in? */
static void place_bad_unit(struct lr *r, size_t upto, unsigned long lineno)
{
	if (r->bad_at != NO_BAD && r->bad_at < upto) {
		r->bad_line = lineno;
		r->bad_at = NO_BAD;
	}
}

/*
 * Transcode the staged UTF-16 bytes into buf.  An odd byte or a high
 * surrogate at the end of the staging buffer waits for the next read,
 * unless this is the end of input (last), where it becomes U+FFFD.
 * Invalid units become U+FFFD and are counted.
 * @return the UTF-8 bytes written at buf
 */
static size_t u16_transcode(struct lr *r, int last)
{
	const unsigned char *b = r->u16;
	size_t n = r->u16n, i = 0;
	int be = r->enc == LR_ENC_UTF16BE;
	char *o = r->buf;

	while (i + 2 <= n) {
		unsigned u = be ? (unsigned)b[i] << 8 | b[i + 1]
				: (unsigned)b[i + 1] << 8 | b[i];
		if (u < 0xd800 || u > 0xdfff) {
			o = put_utf8(o, u);
			i += 2;
			continue;
		}
		if (u <= 0xdbff) {
			if (i + 4 > n && !last)
				break;  /* its pair may be in the next read */
			if (i + 4 <= n) {
				unsigned v = be ?
					(unsigned)b[i + 2] << 8 | b[i + 3] :
					(unsigned)b[i + 3] << 8 | b[i + 2];
				if (v >= 0xdc00 && v <= 0xdfff) {
					o = put_utf8(o, 0x10000 +
						     ((u - 0xd800) << 10) +
						     (v - 0xdc00));
					i += 4;
					continue;
				}
			}
		}
		/* lone surrogate: the next unit is read on its own */
		note_bad_unit(r, o);
		o = put_utf8(o, 0xfffd);
		r->bad++;
		i += 2;
	}
	if (last && i < n) {    /* an odd byte at the very end */
		note_bad_unit(r, o);
		o = put_utf8(o, 0xfffd);
		r->bad++;
		i = n;
	}
	memmove(r->u16, b + i, n - i);
	r->u16n = n - i;
	return (size_t)(o - r->buf);
}

/*
 * Fill buf (whose bytes are all consumed) with UTF-8 text.
 * @return bytes at buf, 0 at end of input, -1 on error (recorded)
 */
static long text_fill(struct lr *r)
{
	if (r->enc != LR_ENC_UTF16LE && r->enc != LR_ENC_UTF16BE) {
		if (r->dec_eof)
			return 0;
		long n = dec_read(r, (unsigned char *)r->buf, LR_BUFSZ);
		if (n == 0)
			r->dec_eof = 1;
		return n;
	}
	for (;;) {
		if (r->dec_eof && r->u16n == 0)
			return 0;
		if (!r->dec_eof) {
			long n = dec_read(r, r->u16 + r->u16n,
					  LR_U16SZ - r->u16n);
			if (n < 0)
				return -1;
			if (n == 0)
				r->dec_eof = 1;
			r->u16n += (size_t)n;
		}
		size_t out = u16_transcode(r, r->dec_eof);
		if (out > 0 || r->dec_eof)
			return (long)out;
	}
}

/*
 * First read: gzip from the magic bytes of the raw stream, then the
 * encoding from a BOM at the start of the decoded stream.  Leaves the
 * first (at most 3) text bytes in buf.  @return 0, or -1 (recorded)
 */
static int start(struct lr *r)
{
	r->started = 1;
	while (r->in_end < 2) {
		long n = in_refill(r);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
	}
	if (r->in_end >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
		r->gzip = 1;
		/* 16 + MAX_WBITS: a gzip wrapper, checked (CRC, size) */
		int zr = inflateInit2(&r->zs, 16 + MAX_WBITS);
		if (zr == Z_MEM_ERROR)
			sfb_oom();
		if (zr != Z_OK)
			return fail(r, SFB_E_GZIP, 0, "cannot start zlib");
		r->z_init = 1;
	}

	/* at most 3 bytes, so that what follows a UTF-16 BOM is tiny */
	unsigned char *t = (unsigned char *)r->buf;
	while (r->end < 3) {
		long n = dec_read(r, t + r->end, 3 - r->end);
		if (n < 0)
			return -1;
		if (n == 0) {
			r->dec_eof = 1;
			break;
		}
		r->end += (size_t)n;
	}
	if (r->end >= 3 && t[0] == 0xef && t[1] == 0xbb && t[2] == 0xbf) {
		r->enc = LR_ENC_UTF8_BOM;
		r->pos = 3;
	} else if (r->end >= 2 && ((t[0] == 0xff && t[1] == 0xfe) ||
				   (t[0] == 0xfe && t[1] == 0xff))) {
		r->enc = t[0] == 0xff ? LR_ENC_UTF16LE : LR_ENC_UTF16BE;
		r->u16 = sfb_xmalloc(LR_U16SZ);
		r->u16n = r->end - 2;
		memcpy(r->u16, t + 2, r->u16n);
		r->pos = r->end = 0;
	}
	return 0;
}

/* ---- line splitter ----------------------------------------------------- */

/* Append n bytes to the line buffer, which may hold max_line + 1. */
static void lb_add(struct lr *r, const char *p, size_t n)
{
	if (r->lbn + n > r->lbcap) {
		size_t cap = r->lbcap ? r->lbcap : LR_LBMIN;
		while (cap < r->lbn + n)
			cap *= 2;
		if (cap > r->max_line + 1)
			cap = r->max_line + 1;
		r->lb = sfb_xrealloc(r->lb, cap);
		r->lbcap = cap;
	}
	memcpy(r->lb + r->lbn, p, n);
	r->lbn += n;
}

/*
 * The unended rest of the text buffer (n > 0 bytes at p) belongs to a
 * line that goes on in the next fill: keep it, or only count it once
 * the line has outgrown the limit (+1 for a CR that may precede LF).
 */
static void add_partial(struct lr *r, const char *p, size_t n)
{
	r->pend = 1;
	if (!r->skipping && r->lbn + n > r->max_line + 1) {
		r->skipping = 1;
		r->skiplen = r->lbn;
		r->lbn = 0;
	}
	if (r->skipping) {
		r->skiplen += n;
		r->last_cr = p[n - 1] == '\r';
		return;
	}
	lb_add(r, p, n);
}

/* Report a line over the limit, of length n without its line end. */
static int too_long(struct sv *line, uint64_t n)
{
	line->p = NULL;
	line->n = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
	return LR_LONG;
}

/*
 * The open line ends with the n bytes at p (LF excluded): finish it
 * from the line buffer, or report it skipped.
 */
static int end_partial(struct lr *r, const char *p, size_t n,
		       struct sv *line)
{
	r->pend = 0;
	if (!r->skipping && r->lbn + n > r->max_line + 1) {
		r->skipping = 1;
		r->skiplen = r->lbn;
		r->last_cr = 0;
	}
	if (r->skipping) {
		uint64_t len = r->skiplen + n;
		if (n ? p[n - 1] == '\r' : r->last_cr)
			len--;
		r->skipping = 0;
		r->lbn = 0;
		return too_long(line, len);
	}
	lb_add(r, p, n);
	size_t len = r->lbn;
	r->lbn = 0;
	if (r->lb[len - 1] == '\r')
		len--;
	if (len > r->max_line)
		return too_long(line, len);
	*line = sv_make(r->lb, len);
	return LR_LINE;
}

/* Hand the recorded failure to the caller (again, if asked again). */
static int report(struct lr *r, struct sv *line, struct sfb_err *err)
{
	if (!r->reported) {
		r->reported = 1;
		r->e.line = r->lineno + 1;
	}
	if (err)
		*err = r->e;
	*line = SV_NULL;
	return LR_ERR;
}

/* lr_next past its common case: a fill, a pending line, the end. */
static SFB_NOINLINE int next_slow(struct lr *r, struct sv *line,
				  unsigned long *lineno, struct sfb_err *err)
{
	if (r->failed)
		return report(r, line, err);
	if (!r->started && start(r) < 0)
		return report(r, line, err);
	for (;;) {
		size_t avail = r->end - r->pos;
		if (avail) {
			char *p = r->buf + r->pos;
			char *nl = memchr(p, '\n', avail);
			if (!nl) {
				place_bad_unit(r, r->end, r->lineno + 1);
				add_partial(r, p, avail);
				r->pos = r->end;
				continue;
			}
			size_t n = (size_t)(nl - p);
			r->pos += n + 1;
			*lineno = ++r->lineno;
			place_bad_unit(r, r->pos, r->lineno);
			if (r->pend)
				return end_partial(r, p, n, line);
			if (n && p[n - 1] == '\r')
				n--;
			if (n > r->max_line)
				return too_long(line, n);
			*line = sv_make(p, n);
			return LR_LINE;
		}
		if (!r->text_eof) {
			long got = text_fill(r);
			if (got < 0)
				return report(r, line, err);
			r->pos = 0;
			r->end = (size_t)got;
			if (got == 0)
				r->text_eof = 1;
			continue;
		}
		if (!r->pend) {
			*line = SV_NULL;
			return LR_EOF;
		}
		/* a last line without LF; a CR of its own is kept */
		r->pend = 0;
		*lineno = ++r->lineno;
		if (r->skipping) {
			r->skipping = 0;
			return too_long(line, r->skiplen);
		}
		size_t len = r->lbn;
		r->lbn = 0;
		if (len > r->max_line)
			return too_long(line, len);
		*line = sv_make(r->lb, len);
		return LR_LINE;
	}
}

/*
 * The common case inline and lean: a whole line waiting in the text
 * buffer, no line pending from an earlier fill.  Anything else, and a
 * buffer without LF, goes to next_slow (which looks again).
 */
int lr_next(struct lr *r, struct sv *line, unsigned long *lineno,
	    struct sfb_err *err)
{
	size_t avail = r->end - r->pos;
	if (avail && !r->pend && !r->failed) {
		char *p = r->buf + r->pos;
		char *nl = memchr(p, '\n', avail);
		if (nl) {
			size_t n = (size_t)(nl - p);
			r->pos += n + 1;
			*lineno = ++r->lineno;
			place_bad_unit(r, r->pos, r->lineno);
			if (n && p[n - 1] == '\r')
				n--;
			if (n > r->max_line)
				return too_long(line, n);
			*line = sv_make(p, n);
			return LR_LINE;
		}
	}
	return next_slow(r, line, lineno, err);
}

const char *lr_zlib_version(void)
{
	return zlibVersion();
}

const char *lr_encoding_name(enum lr_encoding e)
{
	switch (e) {
	case LR_ENC_UTF8_BOM:
		return "utf-8-bom";
	case LR_ENC_UTF16LE:
		return "utf-16le";
	case LR_ENC_UTF16BE:
		return "utf-16be";
	case LR_ENC_UTF8:
		break;
	}
	return "utf-8";
}
