/* SPDX-License-Identifier: MIT */
/*
 * sfbgen.c -- the realistic log generator behind sfblog's fixtures,
 * golden tests, bundled samples and benchmark.  It sits outside the
 * pipeline: it writes what the pipeline reads, Skype for Business /
 * Lync client logs (.UccApilog) and server CLS text traces (Edge and
 * Front End merged), from named sign-in scenarios that follow the call
 * flow of FORMATS.md section 4.  One self-contained program (libc and
 * zlib only): it links none of sfblog's modules, so a parser bug cannot
 * hide a generator bug and the other way round.
 *
 * Ownership: one struct gen owns every buffer.  Scenario code builds a
 * message into gen's scratch buffers; the renderer copies it into the
 * output buffer in the chosen format; the output stage (optional UTF-16
 * transcoding, then optional gzip) writes it in large chunks.  Output is
 * deterministic for a seed and a set of options.  The story (Call-IDs,
 * tags, branches, times) draws from one PRNG and rendering details from
 * another, so a ucc and a cls file made with the same seed tell the
 * same story and can be read side by side.  Keep at most one PRNG draw
 * per function-call argument list: argument evaluation order differs
 * between compilers, and the bundled samples are compared byte for byte.
 */
#define ZLIB_CONST
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__GNUC__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(a, b)
#define NORETURN
#endif

#define FLUSH_AT (4u << 20)     /* output chunk: large fwrite calls */
#define ZCHUNK (256u << 10)     /* deflate output chunk */
#define UA "UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)"
#define REALM "SIP Communications Service"

/* ------------------------------------------------------------------ */
/* growable buffer and a small printf subset                           */

struct buf {
	char *p;
	size_t n, cap;
};

/* Out of memory: a generator cannot go on; exit 2 like sfblog. */
static NORETURN void oom(void)
{
	fputs("sfbgen: fatal: out of memory\n", stderr);
	exit(2);
}

/* Make room for `more` bytes; doubling keeps appends amortised O(1). */
static void buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	while (cap - b->n < more) {
		if (cap > SIZE_MAX / 2)
			oom();
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		oom();
	b->p = p;
	b->cap = cap;
}

/* Append n bytes (s may be NULL when n is 0). */
static void bput(struct buf *b, const void *s, size_t n)
{
	if (!n)
		return;
	if (b->cap - b->n < n)
		buf_grow(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

/* Append a NUL-terminated string, without the NUL. */
static void bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

/* Append one byte. */
static void bputc(struct buf *b, char c)
{
	if (b->cap == b->n)
		buf_grow(b, 1);
	b->p[b->n++] = c;
}

/* Append n copies of c. */
static void bpad(struct buf *b, char c, size_t n)
{
	while (n--)
		bputc(b, c);
}

/* Digits of v in base 10 or 16, left-padded with `pad` to `width`. */
static void bnum(struct buf *b, uint64_t v, unsigned base, int upper,
		 unsigned width, char pad)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char t[32];
	size_t i = sizeof t;

	do {
		t[--i] = dig[v % base];
		v /= base;
	} while (v);
	while (i > 0 && sizeof t - i < width)
		t[--i] = pad;
	bput(b, t + i, sizeof t - i);
}

/*
 * The printf subset the generator needs (%s %.*s %-Ns %c %d %u %x %X
 * with 0-padding, l/ll/z), appending to a buffer.  It exists because
 * the hot path formats a few hundred bytes per message: scanning for
 * '%' with strchr and copying literal runs is several times faster than
 * going through the C library's formatter and a bounce buffer.
 */
static void PRINTF_LIKE(2, 0) vbf(struct buf *b, const char *f, va_list ap)
{
	for (;;) {
		const char *pc = strchr(f, '%');
		unsigned width = 0;
		int prec = -1, lng = 0, left = 0;
		char pad = ' ', conv;

		if (!pc) {
			bputs(b, f);
			return;
		}
		bput(b, f, (size_t)(pc - f));
		f = pc + 1;
		for (; *f == '0' || *f == '-'; f++) {
			if (*f == '0')
				pad = '0';
			else
				left = 1;
		}
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (unsigned)(*f++ - '0');
		if (*f == '.') {
			f++;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else {
				prec = 0;
				while (*f >= '0' && *f <= '9')
					prec = prec * 10 + (*f++ - '0');
			}
		}
		for (; *f == 'l' || *f == 'z'; f++)
			lng = *f == 'z' ? 3 : lng + 1;
		conv = *f++;
		switch (conv) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = prec >= 0 ? strnlen(s, (size_t)prec)
					     : strlen(s);

			if (!left && width > n)
				bpad(b, ' ', width - n);
			bput(b, s, n);
			if (left && width > n)
				bpad(b, ' ', width - n);
			break;
		}
		case 'c':
			bputc(b, (char)va_arg(ap, int));
			break;
		case 'd': {
			long long v = lng == 2 ? va_arg(ap, long long)
				    : lng == 1 ? va_arg(ap, long)
					       : va_arg(ap, int);

			if (v < 0) {
				bputc(b, '-');
				bnum(b, (uint64_t)(-(v + 1)) + 1, 10, 0,
				     width, pad);
			} else {
				bnum(b, (uint64_t)v, 10, 0, width, pad);
			}
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng == 2 ? va_arg(ap, unsigned long long)
				   : lng == 1 ? va_arg(ap, unsigned long)
				   : lng == 3 ? va_arg(ap, size_t)
					      : va_arg(ap, unsigned);

			bnum(b, v, conv == 'u' ? 10 : 16, conv == 'X', width,
			     pad);
			break;
		}
		case '%':
			bputc(b, '%');
			break;
		default:
			/* a conversion this subset lacks: a generator bug */
			abort();
		}
	}
}

/* Append formatted text (the vbf() subset). */
static void PRINTF_LIKE(2, 3) bf(struct buf *b, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vbf(b, f, ap);
	va_end(ap);
}

/*
 * Format into a fixed char array (truncating, always NUL-terminated)
 * through vbf and a scratch buffer: a few of these run per message,
 * where snprintf would cost several times more.
 */
static void PRINTF_LIKE(4, 5) sfmt(struct buf *scratch, char *dst,
				   size_t cap, const char *f, ...)
{
	va_list ap;
	size_t n;

	scratch->n = 0;
	va_start(ap, f);
	vbf(scratch, f, ap);
	va_end(ap);
	n = scratch->n < cap - 1 ? scratch->n : cap - 1;
	if (n)
		memcpy(dst, scratch->p, n);
	dst[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* deterministic PRNG (splitmix64): no rand(), same output everywhere  */

struct rng {
	uint64_t s;
};

/* @return the next 64 random bits of the stream */
static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15u);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* @return a value in [0, n) (n > 0) */
static unsigned rbelow(struct rng *r, unsigned n)
{
	return (unsigned)(((rnd(r) >> 32) * n) >> 32);
}

/* @return a value in [lo, hi] */
static unsigned rrange(struct rng *r, unsigned lo, unsigned hi)
{
	return lo + rbelow(r, hi - lo + 1);
}

/* Fill dst with n random hex digits and a NUL. */
static void rhex(struct rng *r, char *dst, size_t n, int upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			v = rnd(r);
		dst[i] = dig[v & 15];
		v >>= 4;
	}
	dst[n] = '\0';
}

static const char b64a[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Append n random base64 characters (the opaque part of a token). */
static void rb64(struct rng *r, struct buf *b, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (b->cap - b->n < n)
		buf_grow(b, n);
	for (i = 0; i < n; i++) {
		if (i % 10 == 0)
			v = rnd(r);
		b->p[b->n++] = b64a[v & 63];
		v >>= 6;
	}
}

/* Append the base64 encoding of s[0..n). */
static void b64enc(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 |
			     u[i + 2];

		bputc(b, b64a[v >> 18]);
		bputc(b, b64a[v >> 12 & 63]);
		bputc(b, b64a[v >> 6 & 63]);
		bputc(b, b64a[v & 63]);
	}
	if (i < n) {
		uint32_t v = (uint32_t)u[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)u[i + 1] << 8;
		bputc(b, b64a[v >> 18]);
		bputc(b, b64a[v >> 12 & 63]);
		bputc(b, i + 1 < n ? b64a[v >> 6 & 63] : '=');
		bputc(b, '=');
	}
}

/* ------------------------------------------------------------------ */
/* calendar (proleptic Gregorian, days since 1970-01-01)               */

/* @return days since 1970-01-01 of a valid date (H. Hinnant's
 * algorithm, exact for any year). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The date of day z since 1970-01-01; inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m,
			    unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* ------------------------------------------------------------------ */
/* output stage: text buffer -> UTF-16 (optional) -> gzip (optional)   */

enum { ENC_UTF8, ENC_U16LE, ENC_U16BE };

struct out {
	FILE *fp;
	struct buf b;           /* UTF-8 text not yet written */
	uint64_t base;          /* stream offset of b.p[0] */
	/*
	 * --truncate: start and end of the last framed block.  Flushing
	 * never goes past `hold`, so at the end the last block is still in
	 * the buffer and can be cut in its middle.
	 */
	uint64_t hold, hold_end;
	int enc, bom, gz, started, zinit;
	z_stream z;
	unsigned char *zout;
	struct buf e;           /* transcoded chunk */
	int err;                /* errno of the first failure, 0 if none */
};

/*
 * Write encoded bytes to the file, through deflate under --gzip.  The
 * first failure is kept in o->err and later writes are skipped.
 */
static void out_raw(struct out *o, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (o->err || !n)
		return;
	if (!o->gz) {
		if (fwrite(p, 1, n, o->fp) != n)
			o->err = errno ? errno : EIO;
		return;
	}
	while (n) {
		/* avail_in is 32 bits: feed at most 1 GiB per round */
		size_t k = n < (1u << 30) ? n : (1u << 30);

		o->z.next_in = s;
		o->z.avail_in = (uInt)k;
		do {
			size_t got;

			o->z.next_out = o->zout;
			o->z.avail_out = ZCHUNK;
			if (deflate(&o->z, Z_NO_FLUSH) == Z_STREAM_ERROR) {
				o->err = EIO;
				return;
			}
			got = ZCHUNK - o->z.avail_out;
			if (got && fwrite(o->zout, 1, got, o->fp) != got) {
				o->err = errno ? errno : EIO;
				return;
			}
		} while (o->z.avail_out == 0);
		s += k;
		n -= k;
	}
}

/* Store one UTF-16 unit in the chosen byte order; @return 2. */
static size_t put16(unsigned char *d, uint32_t u, int be)
{
	d[be ? 0 : 1] = (unsigned char)(u >> 8);
	d[be ? 1 : 0] = (unsigned char)u;
	return 2;
}

/*
 * Write text, transcoded to UTF-16 when asked.  Chunks always end on a
 * character boundary (flushes happen between records), so no decoder
 * state is carried over.
 */
static void out_enc(struct out *o, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned char *d;
	size_t i = 0, k = 0;
	int be = o->enc == ENC_U16BE;

	if (!o->started) {
		o->started = 1;
		if (o->enc == ENC_UTF8 && o->bom)
			out_raw(o, "\xEF\xBB\xBF", 3);
		else if (o->enc == ENC_U16LE)
			out_raw(o, "\xFF\xFE", 2);
		else if (o->enc == ENC_U16BE)
			out_raw(o, "\xFE\xFF", 2);
	}
	if (o->enc == ENC_UTF8) {
		out_raw(o, p, n);
		return;
	}
	/* each UTF-8 byte becomes at most two UTF-16 bytes */
	o->e.n = 0;
	if (o->e.cap < 2 * n + 4)
		buf_grow(&o->e, 2 * n + 4);
	d = (unsigned char *)o->e.p;
	while (i < n) {
		uint32_t c = s[i];

		if (c < 0x80) {
			i++;
		} else if ((c & 0xE0) == 0xC0 && i + 1 < n) {
			c = (c & 0x1F) << 6 | (s[i + 1] & 0x3F);
			i += 2;
		} else if ((c & 0xF0) == 0xE0 && i + 2 < n) {
			c = (c & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6
			    | (s[i + 2] & 0x3F);
			i += 3;
		} else if ((c & 0xF8) == 0xF0 && i + 3 < n) {
			c = (c & 0x07) << 18 |
			    (uint32_t)(s[i + 1] & 0x3F) << 12 |
			    (uint32_t)(s[i + 2] & 0x3F) << 6 |
			    (s[i + 3] & 0x3F);
			i += 4;
		} else {
			c = 0xFFFD;
			i++;
		}
		if (c >= 0x10000) {
			c -= 0x10000;
			k += put16(d + k, 0xD800 | c >> 10, be);
			k += put16(d + k, 0xDC00 | (c & 0x3FF), be);
		} else {
			k += put16(d + k, c, be);
		}
	}
	out_raw(o, d, k);
}

/* Write buffered text, keeping the last framed block for --truncate. */
static void out_flush(struct out *o, int trunc, int final)
{
	size_t upto = o->b.n;

	if (trunc && !final) {
		uint64_t keep = o->hold > o->base ? o->hold - o->base : 0;

		if (keep < upto)
			upto = (size_t)keep;
	}
	out_enc(o, o->b.p, upto);
	memmove(o->b.p, o->b.p + upto, o->b.n - upto);
	o->b.n -= upto;
	o->base += upto;
}

/* @return the stream offset of the next byte of text */
static uint64_t out_pos(const struct out *o)
{
	return o->base + o->b.n;
}

/* @return 0, or an errno value */
static int out_close(struct out *o, int is_stdout)
{
	if (o->gz && o->zinit) {
		int rc;

		o->z.next_in = NULL;
		o->z.avail_in = 0;
		do {
			size_t got;

			o->z.next_out = o->zout;
			o->z.avail_out = ZCHUNK;
			rc = deflate(&o->z, Z_FINISH);
			got = ZCHUNK - o->z.avail_out;
			if (!o->err && got &&
			    fwrite(o->zout, 1, got, o->fp) != got)
				o->err = errno ? errno : EIO;
		} while (rc == Z_OK);
		if (rc != Z_STREAM_END && !o->err)
			o->err = EIO;
		deflateEnd(&o->z);
	}
	if (fflush(o->fp) != 0 && !o->err)
		o->err = errno ? errno : EIO;
	if (ferror(o->fp) && !o->err)
		o->err = EIO;
	if (!is_stdout && fclose(o->fp) != 0 && !o->err)
		o->err = errno ? errno : EIO;
	free(o->b.p);
	free(o->e.p);
	free(o->zout);
	return o->err;
}

/* ------------------------------------------------------------------ */
/* the world: servers, people, one scenario's connection state         */

/* A server as it appears in CLS (bracket, process) and in SIP. */
struct host {
	char fqdn[96];
	char ip[16];
	char bracket[40];       /* CLS [server\instance] */
	unsigned pid, tid[3];
	unsigned inst;          /* Instance-Id counter of its records */
};

struct party {
	char uri[128];          /* user@domain, no scheme */
	char disp[64];          /* display name, UTF-8 */
	char epid[11];
	char inst[37];          /* +sip.instance GUID */
	char gruu[32];          /* opaque=user:epid:<gruu> */
};

enum { T_SIP, T_UI, T_WEB };            /* client threads */
enum { A_NONE, A_NTLM, A_KERB, A_TLSDSK };

/* One sign-in story: the client's connections and auth state. */
struct sc {
	int ext;                /* outside: traffic crosses the Edge */
	struct party me, peer, fed;
	struct host *srv;       /* server that processes the SIP traffic */
	char lip[16], nat[16], rip[16];
	unsigned lport, nport, rport, edge_port;
	char laddr[24], raddr[24];      /* "ip:port" for the framing */
	char natp[24], edgep[112];      /* CLS Peer: values */
	char cid[8];                    /* ms-received-cid */
	char msop[11];                  /* Contact ms-opaque */
	unsigned tid[3];
	int scheme;
	char opaque[9], target[112];
	unsigned cnum, snum;
	/* web services connection */
	char waddr[24], wladdr[24], wpeer[24];
	unsigned wport;
};

/* A SIP transaction: what its messages share. */
struct tx {
	char method[16];
	unsigned cseq;
	int cli;                /* started by the client */
	char cbr[9], ebr[9], fbr[9];    /* Via branches (hex) */
	char einfo[25], finfo[25];      /* ms-internal-info opaques */
	char start[200];        /* request start line, for diagnostics */
	char from[240], to[240];
	int to_tagged;
};

struct dlg {
	char callid[33];
	char ltag[11];          /* the client's tag */
	char rtag[33];          /* the far end's tag ("" before) */
	unsigned lcseq, rcseq;
	struct tx tx;           /* current transaction */
};

/* The message being built.  Via lines are not in b: see mk_view(). */
struct msg {
	struct buf b;
	size_t via_off;         /* where the Via lines go; SIZE_MAX: HTTP */
	size_t body_off;        /* start of the body in b */
	int resp, http, compact;
	struct tx tx;           /* copy: the renderer builds Vias from it */
};

enum view { V_CLIENT, V_EDGE, V_FE };
enum { F_UCC, F_CLS, F_SIP };

/*
 * Client generations (--client): what the messages of each say about
 * the client and the server.  The log shape itself is the same for all
 * (testdata/generations/README.md says what is confirmed and what is
 * assumed); the default is Skype for Business 2016, whose strings are
 * the ones written in the scenarios (so its output never changes).
 */
struct generation {
	const char *name, *ua, *server;
};

static const struct generation generations[] = {
	{ "sfb2016", UA, "RTC/6.0" },
	{ "communicator", "UCCAPI/3.5.6907.0 OC/3.5.6907.0 (Microsoft Office "
	  "Communicator 2007 R2)", "RTC/3.5" },
	{ "lync2010", "UCCAPI/4.0.7577.0 OC/4.0.7577.0 (Microsoft Lync 2010)",
	  "RTC/4.0" },
	{ "lync2013", "UCCAPI/15.0.4420.1017 OC/15.0.4420.1017 (Microsoft "
	  "Lync)", "RTC/5.0" },
	{ "sfb2015", "UCCAPI/15.0.4787.1001 OC/15.0.4787.1001 (Skype for "
	  "Business)", "RTC/6.0" },
	{ "sfb2019", "UCCAPI/16.0.10827.20138 OC/16.0.10827.20138 (Skype "
	  "for Business)", "RTC/7.0" },
};

struct gen {
	/* options */
	int fmt, lf, trunc, compact, mixed, hops;
	int indent;             /* --sip-indent: headers under a space */
	int64_t client_off;     /* --client-offset: client log time - UTC */
	int srv_only;           /* the message is in the server trace only */
	unsigned lose_cseq;     /* --lose-cseq: CLS omits the client's SIP
				 * requests with this CSeq (lost on the way) */
	const struct generation *gen;   /* --client */
	uint64_t seed, size;
	int64_t start;          /* ms since 1970, log time */
	char user[128];
	int scen[64], nscen;
	/* state */
	struct rng r;           /* the story: same for both formats */
	struct rng rr;          /* rendering details only */
	int64_t now;            /* log time, ms */
	unsigned seq;           /* CLS sequence number */
	char dom[64], nb[32];   /* domain and its NetBIOS name */
	struct host edge, fe1, fe2, dir, web;
	struct sc s;
	struct msg m;
	struct buf view;        /* the Via lines of the current view */
	struct buf body, body2, tmp;
	struct buf fs;          /* sfmt() scratch */
	struct out o;
	const char *eol;
	size_t eollen;
	char pre[80];           /* current UCC entry prefix */
	size_t prelen;
	int64_t cday;           /* day cached in the strings below */
	char mdy[11], http_day[18];
	unsigned cycle;
	unsigned cpid;          /* client process id of this cycle */
};

/* ------------------------------------------------------------------ */
/* log time                                                            */

static const char *const wdays[] = {
	"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Two decimal digits of v (0-99) at p. */
static void d2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* Date strings change once a day: compute them only then. */
static void set_day(struct gen *g, int64_t day)
{
	int64_t y;
	unsigned m, d;
	char *p = g->mdy;

	civil_from_days(day, &y, &m, &d);
	d2(p, m);
	p[2] = '/';
	d2(p + 3, d);
	p[5] = '/';
	d2(p + 6, (unsigned)(y / 100));
	d2(p + 8, (unsigned)(y % 100));
	p[10] = '\0';
	snprintf(g->http_day, sizeof g->http_day, "%s, %02u %s %04u",
		 wdays[((day % 7) + 7) % 7], d, months[m - 1], (unsigned)y);
	g->cday = day;
}

/* "MM/DD/YYYY<sep>HH:MM:SS.mmm" into out[24]. */
static void fmt_time(struct gen *g, int64_t ms, char sep, char *out)
{
	int64_t day = ms / 86400000;
	unsigned rem = (unsigned)(ms % 86400000);

	if (day != g->cday)
		set_day(g, day);
	memcpy(out, g->mdy, 10);
	out[10] = sep;
	d2(out + 11, rem / 3600000);
	out[13] = ':';
	d2(out + 14, rem / 60000 % 60);
	out[16] = ':';
	d2(out + 17, rem / 1000 % 60);
	out[19] = '.';
	out[20] = (char)('0' + rem % 1000 / 100);
	d2(out + 21, rem % 100);
	out[23] = '\0';
}

/* HTTP / SIP Date: header value, e.g. "Fri, 15 Jan 2021 09:12:03 GMT" */
static void put_http_date(struct gen *g, struct buf *b)
{
	char t[24];

	fmt_time(g, g->now, ' ', t);
	bf(b, "%s %.8s GMT", g->http_day, t + 11);
}

/* Advance the log clock by [lo, hi] ms (story PRNG). */
static void tick(struct gen *g, unsigned lo, unsigned hi)
{
	g->now += rrange(&g->r, lo, hi);
}

/* ------------------------------------------------------------------ */
/* low-level writers into the output buffer                            */

/* The log's line end: CRLF, or LF under --lf. */
static void put_eol(struct gen *g)
{
	bput(&g->o.b, g->eol, g->eollen);
}

/* Copy CRLF text, turning CRLF into LF under --lf. */
static void put_crlf_text(struct gen *g, const char *p, size_t n)
{
	const char *e = p + n, *cr;

	if (!g->lf) {
		bput(&g->o.b, p, n);
		return;
	}
	while (p < e && (cr = memchr(p, '\r', (size_t)(e - p)))) {
		if (cr + 1 < e && cr[1] == '\n') {
			bput(&g->o.b, p, (size_t)(cr - p));
			p = cr + 1;
		} else {
			bput(&g->o.b, p, (size_t)(cr + 1 - p));
			p = cr + 1;
		}
	}
	bput(&g->o.b, p, (size_t)(e - p));
}

/* Copy '\n'-separated text with the log's own line ends. */
static void put_lines(struct gen *g, const char *p, size_t n)
{
	const char *e = p + n, *nl;

	while ((nl = memchr(p, '\n', (size_t)(e - p)))) {
		bput(&g->o.b, p, (size_t)(nl - p));
		put_eol(g);
		p = nl + 1;
	}
	bput(&g->o.b, p, (size_t)(e - p));
}

/* Build the UCC entry prefix "MM/DD/YYYY|HH:MM:SS.mmm T:P LEVEL :: ". */
/* Upper-case hex of v without leading zeros; @return its length. */
static size_t hexu(char *p, unsigned v)
{
	char t[8];
	size_t i = sizeof t, n;

	do {
		t[--i] = "0123456789ABCDEF"[v & 15];
		v >>= 4;
	} while (v);
	n = sizeof t - i;
	memcpy(p, t + i, n);
	return n;
}

/* Build the UCC entry prefix "MM/DD/YYYY|HH:MM:SS.mmm T:P LEVEL :: ";
 * levels (at most 8 characters) are padded to five. */
static void mk_pre(struct gen *g, unsigned tid, const char *level)
{
	char *p = g->pre;
	size_t n = strlen(level);

	fmt_time(g, g->now + g->client_off, '|', p);
	p += 23;
	*p++ = ' ';
	p += hexu(p, tid);
	*p++ = ':';
	p += hexu(p, g->cpid);
	*p++ = ' ';
	if (n > 8)
		n = 8;
	memcpy(p, level, n);
	p += n;
	for (; n < 5; n++)
		*p++ = ' ';
	memcpy(p, " :: ", 4);
	p += 4;
	g->prelen = (size_t)(p - g->pre);
}

/* Hand a full buffer to the output stage, between records only. */
static void maybe_flush(struct gen *g)
{
	if (g->o.b.n >= FLUSH_AT)
		out_flush(&g->o, g->trunc, 0);
}

/* ------------------------------------------------------------------ */
/* free-text entries                                                   */

/*
 * A client entry (UCC only).  '\n' in the text starts a continuation
 * line, which the client writes without a prefix.  It never draws from
 * the story PRNG, so CLS output stays in step.
 */
static void PRINTF_LIKE(4, 5) note(struct gen *g, int thr, const char *lvl,
				   const char *fmt, ...)
{
	va_list ap;

	if (g->fmt != F_UCC)
		return;
	g->tmp.n = 0;
	va_start(ap, fmt);
	vbf(&g->tmp, fmt, ap);
	va_end(ap);
	mk_pre(g, g->s.tid[thr], lvl);
	bput(&g->o.b, g->pre, g->prelen);
	put_lines(g, g->tmp.p, g->tmp.n);
	put_eol(g);
}

/* Everyday client chatter between blocks (rendering PRNG). */
static void noise(struct gen *g)
{
	struct sc *s = &g->s;
	unsigned k, x, y;

	if (g->fmt != F_UCC || rbelow(&g->rr, 4) != 0)
		return;
	/* draws in a fixed order: argument evaluation order is not */
	k = rbelow(&g->rr, 6);
	x = rbelow(&g->rr, 100);
	y = rbelow(&g->rr, 6);
	switch (k) {
	case 0:
		note(g, T_SIP, "INFO", "Transport: keep-alive sent on %s "
		     "(connection to %s)", s->laddr, s->raddr);
		break;
	case 1:
		note(g, T_UI, "INFO", "Presence: local state is %u "
		     "(Available), activity token \"\"", 3500u + y % 3 * 5);
		break;
	case 2:
		note(g, T_UI, "TRACE", "ContactList: view refreshed, "
		     "%u contacts in %u groups", 20 + x % 80, 2 + y);
		break;
	case 3:
		note(g, T_WEB, "INFO", "Exchange: EWS url https://mail.%s/"
		     "EWS/Exchange.asmx state=Connected", g->dom);
		break;
	case 4:
		note(g, T_UI, "INFO", "Media: device enumeration done, "
		     "%u audio devices, %u video devices", 1 + x % 3, y % 2);
		break;
	default:
		note(g, T_SIP, "VERBOSE", "Transport: %s bytes pending 0, "
		     "last receive %u ms ago", s->laddr, 10 + x * 9);
		break;
	}
}

/* CLS record header up to and including "(where)". */
static void cls_head(struct gen *g, struct host *h, const char *lvl,
		     const char *flag, const char *where, int64_t t)
{
	char ts[24];

	fmt_time(g, t, '-', ts);
	bf(&g->o.b, "%s(%s) [%s]%04X.%04X::%s.%08X (%s)", lvl, flag,
	   h->bracket, h->pid, h->tid[rbelow(&g->rr, 3)], ts, g->seq++,
	   where);
}

/*
 * A server free-text line (CLS only): component traces that end the
 * record on the header line, optionally with the object pointer the
 * SIP stack prints first.
 */
static void PRINTF_LIKE(7, 8) srv_line(struct gen *g, struct host *h,
				       const char *lvl, const char *flag,
				       const char *where, int obj,
				       const char *fmt, ...)
{
	va_list ap;

	if (g->fmt != F_CLS)
		return;
	cls_head(g, h, lvl, flag, where, g->now);
	if (obj) {
		uint64_t v = rnd(&g->rr);

		bf(&g->o.b, "( %08X%08X ) ", (unsigned)(v >> 56),
		   (unsigned)v & 0xFFFFFFF0u);
	} else
		bputc(&g->o.b, ' ');
	va_start(ap, fmt);
	g->tmp.n = 0;
	vbf(&g->tmp, fmt, ap);
	va_end(ap);
	bput(&g->o.b, g->tmp.p, g->tmp.n);
	put_eol(g);
}

struct diag {
	const char *lvl;        /* TL_ERROR ... */
	const char *sev;        /* Severity: */
	const char *text;
	const char *rc;         /* Result-Code: value, NULL for none */
	const char *peer;       /* NULL for none */
	const char *data;       /* Data: value, NULL for none */
	unsigned line;          /* source line in the header */
};

/*
 * Diagnostic fields of a record about the transaction t; `glue` puts
 * Result-Code on the Text line, as some formatted traces show it.
 */
static void diag_fields(struct gen *g, const struct diag *dg,
			const struct dlg *d, int logtype, int glue)
{
	struct buf *o = &g->o.b;

	if (logtype) {
		bputs(o, "LogType: diagnostic");
		put_eol(g);
	}
	bf(o, "Severity: %s", dg->sev);
	put_eol(g);
	bf(o, "Text: %s", dg->text);
	if (dg->rc && glue)
		bf(o, " Result-Code: %s", dg->rc);
	put_eol(g);
	if (dg->rc && !glue) {
		bf(o, "Result-Code: %s", dg->rc);
		put_eol(g);
	}
	if (d) {
		bf(o, "SIP-Start-Line: %s", d->tx.start);
		put_eol(g);
		bf(o, "SIP-Call-ID: %s", d->callid);
		put_eol(g);
		bf(o, "SIP-CSeq: %u %s", d->tx.cseq, d->tx.method);
		put_eol(g);
	}
	if (dg->peer) {
		bf(o, "Peer: %s", dg->peer);
		put_eol(g);
	}
	if (dg->data) {
		bf(o, "Data: %s", dg->data);
		put_eol(g);
	}
	bputs(o, "$$end_record");
	put_eol(g);
}

/* A TF_DIAG record (SIPAdminLog::WriteDiagnosticEvent), CLS only. */
static void ev_diag(struct gen *g, struct host *h, const struct diag *dg,
		    const struct dlg *d)
{
	char where[96];
	unsigned id;

	if (g->fmt != F_CLS)
		return;
	snprintf(where, sizeof where, "SIPStack,SIPAdminLog::"
		 "WriteDiagnosticEvent:SIPAdminLog.cpp(%u)", dg->line);
	cls_head(g, h, dg->lvl, "TF_DIAG", where, g->now);
	id = (unsigned)(rnd(&g->rr) >> 33);
	bf(&g->o.b, " [%u] $$begin_record", id);
	put_eol(g);
	diag_fields(g, dg, d, 0, rbelow(&g->rr, 3) == 0);
}

/*
 * A TF_COMPONENT line followed by a diagnostic body up to $$end_record,
 * the older shape (LogType: diagnostic) some components still write.
 */
static void ev_comp_diag(struct gen *g, struct host *h, const char *lvl,
			 const char *where, const char *head,
			 const struct diag *dg, const struct dlg *d)
{
	if (g->fmt != F_CLS)
		return;
	srv_line(g, h, lvl, "TF_COMPONENT", where, 1, "%s", head);
	diag_fields(g, dg, d, 1, 0);
}

/* ------------------------------------------------------------------ */
/* message building (CRLF line ends, exact Content-Length)             */

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* n random characters of a base64 flavour into dst (NUL-terminated). */
static void rtok(struct rng *r, char *dst, size_t n, const char *alpha)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 10 == 0)
			v = rnd(r);
		dst[i] = alpha[v & 63];
		v >>= 6;
	}
	dst[n] = '\0';
}

/* Append n random hex digits from the story PRNG. */
static void bhex(struct gen *g, struct buf *b, size_t n, int upper)
{
	char t[65];

	while (n) {
		size_t k = n < 64 ? n : 64;

		rhex(&g->r, t, k, upper);
		bput(b, t, k);
		n -= k;
	}
}

/* Start a new message in g->m (nothing written yet). */
static void m_reset(struct gen *g, int resp)
{
	struct msg *m = &g->m;

	m->b.n = 0;
	m->resp = resp;
	m->http = 0;
	m->via_off = SIZE_MAX;
	m->body_off = 0;
	/* --compact: about one SIP message in three uses the short forms */
	m->compact = g->compact && rbelow(&g->rr, 3) == 0;
}

/* A header name, in its compact form when this message uses them. */
static void hname(struct gen *g, const char *full, const char *c)
{
	struct buf *b = &g->m.b;

	bputs(b, g->m.compact && c ? c : full);
	bput(b, ": ", 2);
}

/* A new transaction: fresh branches for every Via it will carry. */
static void new_tx(struct gen *g, struct tx *t, const char *method,
		   unsigned cseq, int cli)
{
	size_t n = strlen(method);

	if (n >= sizeof t->method)
		n = sizeof t->method - 1;
	memcpy(t->method, method, n);
	t->method[n] = '\0';
	t->cseq = cseq;
	t->cli = cli;
	rhex(&g->r, t->cbr, 8, 0);
	rhex(&g->r, t->ebr, 8, 1);
	rhex(&g->r, t->fbr, 8, 1);
	rtok(&g->r, t->einfo, 24, b64a);
	rtok(&g->r, t->finfo, 24, b64a);
}

/* A new dialog: Call-ID, the client's tag, CSeq counters. */
static void dlg_new(struct gen *g, struct dlg *d)
{
	rhex(&g->r, d->callid, 32, 0);
	rhex(&g->r, d->ltag, 10, 0);
	d->rtag[0] = '\0';
	d->lcseq = 0;
	d->rcseq = rrange(&g->r, 1, 40);
}

/* The far end's tag: per response for REGISTER, once per dialog else. */
static void rtag_new(struct gen *g, struct dlg *d)
{
	rhex(&g->r, d->rtag, 32, 1);
}

/* Start line, Via slot, Max-Forwards, From, To, Call-ID, CSeq. */
static void m_head(struct gen *g, const struct tx *t, const char *callid)
{
	struct msg *m = &g->m;

	m_reset(g, 0);
	bputs(&m->b, t->start);
	bput(&m->b, "\r\n", 2);
	m->via_off = m->b.n;
	bputs(&m->b, t->cli ? "Max-Forwards: 70\r\n" : "Max-Forwards: 69\r\n");
	hname(g, "From", "f");
	bputs(&m->b, t->from);
	bput(&m->b, "\r\n", 2);
	hname(g, "To", "t");
	bputs(&m->b, t->to);
	bput(&m->b, "\r\n", 2);
	hname(g, "Call-ID", "i");
	bputs(&m->b, callid);
	bf(&m->b, "\r\nCSeq: %u %s\r\n", t->cseq, t->method);
	m->tx = *t;
}

/*
 * A request from the client with CSeq cseq.  to_uri NULL addresses the
 * user's own URI (REGISTER, SUBSCRIBE to self); disp puts the display
 * name in From.  From and To are kept so the answers can copy them.
 */
static void m_req_cseq(struct gen *g, struct dlg *d, const char *method,
		       const char *ruri, const char *to_uri, int disp,
		       unsigned cseq)
{
	struct sc *s = &g->s;
	struct tx *t = &d->tx;
	struct buf *f = &g->fs;

	new_tx(g, t, method, cseq, 1);
	if (disp)
		sfmt(f, t->from, sizeof t->from,
		     "\"%s\"<sip:%s>;tag=%s;epid=%s", s->me.disp, s->me.uri,
		     d->ltag, s->me.epid);
	else
		sfmt(f, t->from, sizeof t->from, "<sip:%s>;tag=%s;epid=%s",
		     s->me.uri, d->ltag, s->me.epid);
	if (!to_uri)
		to_uri = s->me.uri;
	if (d->rtag[0])
		sfmt(f, t->to, sizeof t->to, "<sip:%s>;tag=%s", to_uri,
		     d->rtag);
	else
		sfmt(f, t->to, sizeof t->to, "<sip:%s>", to_uri);
	t->to_tagged = d->rtag[0] != '\0';
	sfmt(f, t->start, sizeof t->start, "%s %s SIP/2.0", method, ruri);
	m_head(g, t, d->callid);
}

/* A request from the client with the next CSeq of the dialog. */
static void m_req(struct gen *g, struct dlg *d, const char *method,
		  const char *ruri, const char *to_uri, int disp)
{
	m_req_cseq(g, d, method, ruri, to_uri, disp, ++d->lcseq);
}

/*
 * ACK for the INVITE just answered: same CSeq number; a non-2xx ACK is
 * part of the INVITE transaction, so it keeps the INVITE's branch.
 */
static void m_ack(struct gen *g, struct dlg *d, const char *ruri,
		  const char *to_uri, int same_branch)
{
	struct tx old = d->tx;

	m_req_cseq(g, d, "ACK", ruri, to_uri, 1, old.cseq);
	if (same_branch) {
		memcpy(d->tx.cbr, old.cbr, sizeof old.cbr);
		memcpy(d->tx.ebr, old.ebr, sizeof old.ebr);
		memcpy(d->tx.fbr, old.fbr, sizeof old.fbr);
		g->m.tx = d->tx;
	}
}

/* A request from the far end (through the server) to the client. */
static void m_sreq(struct gen *g, struct dlg *d, const char *method,
		   const char *ruri, const struct party *from, int disp)
{
	struct sc *s = &g->s;
	struct tx *t = &d->tx;
	struct buf *f = &g->fs;

	new_tx(g, t, method, ++d->rcseq, 0);
	if (!d->rtag[0])
		rtag_new(g, d);
	if (disp)
		sfmt(f, t->from, sizeof t->from, "\"%s\"<sip:%s>;tag=%s",
		     from->disp, from->uri, d->rtag);
	else
		sfmt(f, t->from, sizeof t->from, "<sip:%s>;tag=%s", from->uri,
		     d->rtag);
	sfmt(f, t->to, sizeof t->to, "<sip:%s>;tag=%s;epid=%s", s->me.uri,
	     d->ltag, s->me.epid);
	t->to_tagged = 1;
	sfmt(f, t->start, sizeof t->start, "%s %s SIP/2.0", method, ruri);
	m_head(g, t, d->callid);
}

/* Start the answer to the dialog's current transaction. */
static void m_resp(struct gen *g, struct dlg *d, unsigned code,
		   const char *reason)
{
	m_reset(g, 1);
	g->m.tx = d->tx;
	bf(&g->m.b, "SIP/2.0 %u %s\r\n", code, reason);
}

/* From, To (with the answerer's tag), Call-ID, CSeq, then the Vias. */
static void m_rdlg(struct gen *g, struct dlg *d, int totag)
{
	struct msg *m = &g->m;
	const struct tx *t = &d->tx;

	hname(g, "From", "f");
	bputs(&m->b, t->from);
	bput(&m->b, "\r\n", 2);
	hname(g, "To", "t");
	bputs(&m->b, t->to);
	if (totag && !t->to_tagged && d->rtag[0])
		bf(&m->b, ";tag=%s", d->rtag);
	bput(&m->b, "\r\n", 2);
	hname(g, "Call-ID", "i");
	bputs(&m->b, d->callid);
	bf(&m->b, "\r\nCSeq: %u %s\r\n", t->cseq, t->method);
	m->via_off = m->b.n;
}

/* Content-Length: n (the body is written later by m_fin). */
static void m_clen(struct gen *g, size_t n)
{
	hname(g, "Content-Length", "l");
	bnum(&g->m.b, n, 10, 0, 0, ' ');
	bput(&g->m.b, "\r\n", 2);
}

/* The blank line and the body (Content-Length already written). */
static void m_fin(struct gen *g, const struct buf *body)
{
	bput(&g->m.b, "\r\n", 2);
	g->m.body_off = g->m.b.n;
	if (body && body->n)
		bput(&g->m.b, body->p, body->n);
}

/* Content-Type (if any), exact Content-Length, blank line, body. */
static void m_end(struct gen *g, const char *ctype, const struct buf *body)
{
	if (ctype) {
		hname(g, "Content-Type", "c");
		bputs(&g->m.b, ctype);
		bput(&g->m.b, "\r\n", 2);
	}
	m_clen(g, body ? body->n : 0);
	m_fin(g, body);
}

/* Start an HTTP request line; path is a format. */
static void PRINTF_LIKE(3, 4) h_req(struct gen *g, const char *method,
				    const char *path, ...)
{
	va_list ap;

	m_reset(g, 0);
	g->m.http = 1;
	g->m.compact = 0;
	g->m.tx.cli = 1;
	bputs(&g->m.b, method);
	bputc(&g->m.b, ' ');
	va_start(ap, path);
	vbf(&g->m.b, path, ap);
	va_end(ap);
	bputs(&g->m.b, " HTTP/1.1\r\n");
}

/* Start an HTTP status line. */
static void h_resp(struct gen *g, unsigned code, const char *reason)
{
	m_reset(g, 1);
	g->m.http = 1;
	g->m.compact = 0;
	g->m.tx.cli = 1;
	bf(&g->m.b, "HTTP/1.1 %u %s\r\n", code, reason);
}

/* The headers IIS adds to every answer of the web services. */
static void h_iis(struct gen *g, const char *cache)
{
	struct buf *b = &g->m.b;

	bf(b, "Cache-Control: %s\r\nServer: Microsoft-IIS/10.0\r\n"
	   "X-MS-Server-Fqdn: %s\r\nX-Content-Type-Options: nosniff\r\n"
	   "X-Powered-By: ASP.NET\r\nDate: ", cache, g->fe1.fqdn);
	put_http_date(g, b);
	bput(b, "\r\n", 2);
}

/* End an HTTP message: Content-Type, Content-Length if clen, body. */
static void h_end(struct gen *g, const char *ctype, const struct buf *body,
		  int clen)
{
	struct buf *b = &g->m.b;

	if (ctype)
		bf(b, "Content-Type: %s\r\n", ctype);
	if (clen)
		bf(b, "Content-Length: %zu\r\n", body ? body->n : 0);
	m_fin(g, body);
}

/* ------------------------------------------------------------------ */
/* rendering one message in the chosen format                          */

/* The client's Via; rcvd adds what the first server learnt. */
static void via_client(struct gen *g, struct buf *b, const struct tx *t,
		       int rcvd, const char *k)
{
	struct sc *s = &g->s;

	bf(b, "%sSIP/2.0/TLS %s:%u;branch=z9hG4bK%s", k, s->lip, s->lport,
	   t->cbr);
	if (rcvd && s->ext)
		bf(b, ";received=%s;ms-received-port=%u;ms-received-cid=%s",
		   s->nat, s->nport, s->cid);
	else if (rcvd)
		bf(b, ";ms-received-port=%u;ms-received-cid=%s", s->lport,
		   s->cid);
	bput(b, "\r\n", 2);
}

/*
 * The Via lines as seen at one place.  A client's request carries its
 * own Via; the first server adds received/ms-received-*; the Edge adds
 * its Via on the copy it forwards to the Front End and removes it from
 * the answer it forwards back.  A request from the server side carries
 * the Front End's Via, plus the Edge's beyond the Edge.  The bottom Via
 * (and its branch) is the same in every copy.
 */
static void put_vias(struct gen *g, struct buf *b, enum view v)
{
	const struct tx *t = &g->m.tx;
	struct sc *s = &g->s;
	const char *k = g->m.compact ? "v: " : "Via: ";

	if (t->cli) {
		if (v == V_FE && s->ext)
			bf(b, "%sSIP/2.0/TLS %s:%u;branch=z9hG4bK%s;"
			   "ms-internal-info=\"%s\"\r\n", k, g->edge.ip,
			   s->edge_port, t->ebr, t->einfo);
		via_client(g, b, t, !(v == V_CLIENT && !g->m.resp), k);
		return;
	}
	if (v != V_FE && s->ext)
		bf(b, "%sSIP/2.0/TLS 203.0.113.10:443;branch=z9hG4bK%s;"
		   "ms-internal-info=\"%s\"\r\n", k, t->ebr, t->einfo);
	bf(b, "%sSIP/2.0/TLS %s:5061;branch=z9hG4bK%s;"
	   "ms-internal-info=\"%s\"\r\n", k, s->srv->ip, t->fbr, t->finfo);
}

/*
 * The message as seen at place v, in three pieces so it is never
 * copied whole: up to the Vias, the Vias (built in g->view), the rest.
 */
struct seg {
	const char *p;
	size_t n;
};

/* Split g->m into the pieces seen at place v. */
static void mk_view(struct gen *g, enum view v, struct seg sg[3])
{
	struct msg *m = &g->m;

	g->view.n = 0;
	if (m->via_off == SIZE_MAX) {
		sg[0].p = m->b.p;
		sg[0].n = m->b.n;
		sg[1].p = sg[2].p = m->b.p;
		sg[1].n = sg[2].n = 0;
		return;
	}
	put_vias(g, &g->view, v);
	sg[0].p = m->b.p;
	sg[0].n = m->via_off;
	sg[1].p = g->view.p;
	sg[1].n = g->view.n;
	sg[2].p = m->b.p + m->via_off;
	sg[2].n = m->b.n - m->via_off;
}

/*
 * A client framed block: opening line and start line prefixed, the
 * rest unprefixed, then the closing line.  N is the message size with
 * CRLF line ends whatever the file uses.  The message's own final line
 * end is part of it; a body without one gets the log's line end, which
 * N does not count.
 */
static void ucc_block(struct gen *g, int sending, const char *remote,
		      const char *local)
{
	struct buf *o = &g->o.b;
	const char *what = sending ? "Sending Packet" : "Data Received";
	const char *la = sending ? "From" : "To";
	struct seg sg[3];
	size_t n, i;

	mk_view(g, V_CLIENT, sg);
	n = sg[0].n + sg[1].n + sg[2].n;
	g->o.hold = out_pos(&g->o);
	mk_pre(g, g->s.tid[g->m.http ? T_WEB : T_SIP], "INFO");
	bput(o, g->pre, g->prelen);
	bf(o, "%s - %s (%s Local Address: %s) %zu bytes:", what, remote, la,
	   local, n);
	put_eol(g);
	bput(o, g->pre, g->prelen);
	for (i = 0; i < 3; i++)
		put_crlf_text(g, sg[i].p, sg[i].n);
	if (g->m.b.p[g->m.b.n - 1] != '\n')
		put_eol(g);
	bput(o, g->pre, g->prelen);
	bf(o, "End of %s - %s (%s Local Address: %s) %zu bytes", what,
	   remote, la, local, n);
	put_eol(g);
	g->o.hold_end = out_pos(&g->o);
}

/* Header names the SIP stack prints as they came (2007 R2 traces). */
static int keep_case(const char *k, size_t n)
{
	return n == 1 || (n == 4 && !memcmp(k, "From", 4)) ||
	       (n == 2 && !memcmp(k, "To", 2)) ||
	       (n == 4 && !memcmp(k, "CSeq", 4)) ||
	       (n == 7 && !memcmp(k, "Call-ID", 7));
}

/* Header lines [p, e), keys upper-cased under --mixed-case. */
static void cls_headers(struct gen *g, const char *p, const char *e)
{
	struct buf *o = &g->o.b;

	if (!g->mixed) {
		put_crlf_text(g, p, (size_t)(e - p));
		return;
	}
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *c = memchr(p, ':', (size_t)(nl - p));
		size_t i, kl = c ? (size_t)(c - p) : 0;

		if (kl && !keep_case(p, kl)) {
			if (o->cap - o->n < kl)
				buf_grow(o, kl);
			for (i = 0; i < kl; i++) {
				char ch = p[i];

				o->p[o->n++] = ch >= 'a' && ch <= 'z' ?
					       (char)(ch - 32) : ch;
			}
			p += kl;
		}
		bput(o, p, (size_t)(nl - 1 - p));
		put_eol(g);
		p = nl + 1;
	}
}

/* A TF_PROTOCOL record of the message as seen at host h. */
static void cls_msg(struct gen *g, struct host *h, const char *where,
		    enum view v, const char *dir, const char *peer, int64_t t)
{
	struct buf *o = &g->o.b;
	struct msg *m = &g->m;
	const char *p = m->b.p, *sl_end, *hend = m->b.p + m->body_off - 2;
	struct seg sg[3];
	size_t bl = m->b.n - m->body_off;
	unsigned id;

	mk_view(g, v, sg);
	g->o.hold = out_pos(&g->o);
	cls_head(g, h, "TL_INFO", "TF_PROTOCOL", where, t);
	id = (unsigned)(rnd(&g->rr) >> 33);
	bf(o, " [%u] $$begin_record", id);
	put_eol(g);
	bf(o, "Trace-Correlation-Id: %u", id);
	put_eol(g);
	bf(o, "Instance-Id: %08X", h->inst++);
	put_eol(g);
	bf(o, "Direction: %s", dir);
	put_eol(g);
	bf(o, "Peer: %s", peer);
	put_eol(g);
	bf(o, "Message-Type: %s", m->resp ? "response" : "request");
	put_eol(g);
	sl_end = memchr(p, '\r', m->b.n);
	bputs(o, "Start-Line: ");
	bput(o, p, (size_t)(sl_end - p));
	put_eol(g);
	/* headers: start line end .. blank line, the Vias spliced in */
	if (sg[1].n) {
		cls_headers(g, sl_end + 2, sg[2].p);
		cls_headers(g, sg[1].p, sg[1].p + sg[1].n);
		cls_headers(g, sg[2].p, hend);
	} else {
		cls_headers(g, sl_end + 2, hend);
	}
	bputs(o, "Message-Body: ");
	if (!bl) {
		bputc(o, '-');
		put_eol(g);
	} else {
		put_crlf_text(g, p + m->body_off, bl);
		if (p[m->b.n - 1] != '\n')
			put_eol(g);
	}
	bputs(o, "$$end_record");
	put_eol(g);
	g->o.hold_end = out_pos(&g->o);
}

static const char W_SIP[] =
	"SIPStack,SIPAdminLog::TraceProtocolRecord:SIPAdminLog.cpp(125)";
static const char W_WEB[] =
	"WebInfrastructure,HttpTraceModule::TraceProtocolRecord:"
	"HttpTraceModule.cs(214)";
static const char D_IN[] =
	"incoming;source=\"external edge\";destination=\"internal edge\"";
static const char D_OUT[] =
	"outgoing;source=\"internal edge\";destination=\"external edge\"";

/*
 * Replace every from with to in the headers of g->m (before body_off),
 * keeping via_off and body_off in step.  Only for --client other than
 * the default, whose strings the scenarios write.
 */
static void m_subst(struct gen *g, const char *from, const char *to)
{
	struct msg *m = &g->m;
	size_t nf = strlen(from), nt = strlen(to), i = 0;
	size_t end = m->via_off == SIZE_MAX ? m->b.n : m->body_off;

	if (end > m->b.n)
		end = m->b.n;
	while (i + nf <= end) {
		char *q = memchr(m->b.p + i, from[0], end - i);
		size_t at;

		if (!q || (size_t)(q - m->b.p) + nf > end)
			break;
		at = (size_t)(q - m->b.p);
		if (memcmp(q, from, nf) != 0) {
			i = at + 1;
			continue;
		}
		if (nt > nf)
			buf_grow(&m->b, nt - nf);
		memmove(m->b.p + at + nt, m->b.p + at + nf, m->b.n - at - nf);
		memcpy(m->b.p + at, to, nt);
		m->b.n = m->b.n + nt - nf;
		end = end + nt - nf;
		if (m->via_off != SIZE_MAX && m->via_off > at)
			m->via_off = m->via_off + nt - nf;
		if (m->body_off > at)
			m->body_off = m->body_off + nt - nf;
		i = at + nt;
	}
}

/*
 * --format sip: the client's view of the message as people paste it:
 * no prefix, no framing, a blank line after each message; with
 * --sip-indent the header lines are indented by one space, as support
 * articles quote them.
 */
static void sip_paste(struct gen *g)
{
	struct buf *o = &g->o.b;
	struct seg sg[3];
	size_t i, n;
	const char *p, *e, *nl;
	int hdrs = 0;

	mk_view(g, V_CLIENT, sg);
	g->o.hold = out_pos(&g->o);
	g->tmp.n = 0;
	for (i = 0; i < 3; i++)
		bput(&g->tmp, sg[i].p, sg[i].n);
	p = g->tmp.p;
	e = p + g->tmp.n;
	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		n = nl ? (size_t)(nl + 1 - p) : (size_t)(e - p);
		if (hdrs == 1 && (n <= 2 && (p[0] == '\r' || p[0] == '\n')))
			hdrs = 2;
		if (hdrs == 1 && g->indent)
			bputc(o, ' ');
		put_crlf_text(g, p, n);
		if (!hdrs)
			hdrs = 1;
		p += n;
	}
	if (g->tmp.n && g->tmp.p[g->tmp.n - 1] != '\n')
		put_eol(g);
	put_eol(g);
	g->o.hold_end = out_pos(&g->o);
}

/*
 * Write g->m into the output in the chosen format: one framed block in
 * the client log; one record per server that logs it in CLS.
 */
static void render(struct gen *g)
{
	struct msg *m = &g->m;
	struct sc *s = &g->s;
	int up = m->tx.cli != m->resp;  /* flowing client -> server */
	const char *fepeer = s->ext ? s->edgep : s->laddr;
	int64_t dt;

	if (g->gen != generations) {
		char sv[48];

		snprintf(sv, sizeof sv, "Server: %s\r\n", g->gen->server);
		m_subst(g, UA, g->gen->ua);
		m_subst(g, "Server: RTC/6.0\r\n", sv);
	}
	if (g->srv_only && g->fmt != F_CLS)
		return;
	if (g->lose_cseq && g->fmt == F_CLS && !m->http && !m->resp &&
	    m->tx.cli && m->tx.cseq == g->lose_cseq)
		return;
	if (g->fmt == F_SIP) {
		sip_paste(g);
		return;
	}
	if (g->fmt == F_UCC) {
		if (m->http)
			ucc_block(g, up, s->waddr, s->wladdr);
		else
			ucc_block(g, up, s->raddr, s->laddr);
		noise(g);
		return;
	}
	if (m->http) {
		cls_msg(g, &g->web, W_WEB, V_FE, up ? "incoming" : "outgoing",
			s->wpeer, g->now);
		return;
	}
	if (!(s->ext && g->hops)) {
		cls_msg(g, s->srv, W_SIP, V_FE, up ? "incoming" : "outgoing",
			fepeer, g->now);
		return;
	}
	/* the second hop 1-2 ms later, within the 3 ms events are apart */
	dt = 1 + (int64_t)rbelow(&g->rr, 2);
	if (up) {
		cls_msg(g, &g->edge, W_SIP, V_EDGE, D_IN, s->natp, g->now);
		cls_msg(g, s->srv, W_SIP, V_FE, "incoming", s->edgep,
			g->now + dt);
	} else {
		cls_msg(g, s->srv, W_SIP, V_FE, "outgoing", s->edgep, g->now);
		cls_msg(g, &g->edge, W_SIP, V_EDGE, D_OUT, s->natp,
			g->now + dt);
	}
}

/* Advance the log clock by [lo, hi] ms, then log the built message. */
static void emit(struct gen *g, unsigned lo, unsigned hi)
{
	tick(g, lo < 3 ? 3 : lo, hi < 3 ? 3 : hi);
	render(g);
	maybe_flush(g);
}

/* ------------------------------------------------------------------ */
/* people, servers, connections                                        */

struct name {
	const char *disp, *ascii;
};

/* A few non-ASCII names, so the UTF-16 and byte counts get exercised. */
static const struct name firsts[] = {
	{ "Bruno", "bruno" }, { "Chen", "chen" }, { "Dana", "dana" },
	{ "Elif", "elif" }, { "Farah", "farah" }, { "Gustavo", "gustavo" },
	{ "Hana", "hana" }, { "Ivan", "ivan" }, { "Jamal", "jamal" },
	{ "Keiko", "keiko" }, { "Lars", "lars" }, { "Maya", "maya" },
	{ "Nuno", "nuno" }, { "Olga", "olga" }, { "Priya", "priya" },
	{ "Renée", "renee" }, { "Sven", "sven" }, { "Tariq", "tariq" },
	{ "Zoë", "zoe" }, { "José", "jose" }, { "Åsa", "asa" },
	{ "Łukasz", "lukasz" },
};
static const struct name lasts[] = {
	{ "Wood", "wood" }, { "Costa", "costa" }, { "Müller", "mueller" },
	{ "Nakamura", "nakamura" }, { "Okafor", "okafor" },
	{ "Lindqvist", "lindqvist" }, { "García", "garcia" },
	{ "Novak", "novak" }, { "Haddad", "haddad" },
	{ "Kowalski", "kowalski" }, { "Singh", "singh" },
	{ "O'Brien", "obrien" }, { "Dubois", "dubois" },
	{ "Yılmaz", "yilmaz" }, { "Ferreira", "ferreira" }, { "Kim", "kim" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A person with a new endpoint: epid, instance GUID, GRUU. */
static void mk_party(struct gen *g, struct party *p, const char *uri,
		     const char *disp)
{
	char h[33];

	snprintf(p->uri, sizeof p->uri, "%s", uri);
	snprintf(p->disp, sizeof p->disp, "%s", disp);
	rhex(&g->r, p->epid, 10, 0);
	rhex(&g->r, h, 32, 1);
	snprintf(p->inst, sizeof p->inst, "%.8s-%.4s-%.4s-%.4s-%.12s", h,
		 h + 8, h + 12, h + 16, h + 20);
	rtok(&g->r, p->gruu, 22, b64url);
	memcpy(p->gruu + 22, "AA", 3);
}

/* A fresh user of the domain: "first.last@dom" and "First Last". */
static void fresh_party(struct gen *g, struct party *p, const char *dom)
{
	const struct name *f = &firsts[rbelow(&g->r, NELEM(firsts))];
	const struct name *l = &lasts[rbelow(&g->r, NELEM(lasts))];
	char uri[128], disp[64];

	snprintf(uri, sizeof uri, "%s.%s@%s", f->ascii, l->ascii, dom);
	snprintf(disp, sizeof disp, "%s %s", f->disp, l->disp);
	mk_party(g, p, uri, disp);
}

/* "john.smith" -> "John Smith": a display name for --user. */
static void disp_from_uri(const char *uri, char *out, size_t cap)
{
	size_t i, k = 0;
	int up = 1;

	for (i = 0; uri[i] && uri[i] != '@' && k + 1 < cap; i++) {
		char c = uri[i];

		if (c == '.' || c == '_' || c == '-') {
			out[k++] = ' ';
			up = 1;
			continue;
		}
		out[k++] = up && c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
		up = 0;
	}
	out[k] = '\0';
}

/* A server with its CLS identity (bracket, process, threads). */
static void mk_host(struct host *h, const char *name, const char *dom,
		    const char *ip, unsigned pid, unsigned t0)
{
	snprintf(h->fqdn, sizeof h->fqdn, "%s.%s", name, dom);
	snprintf(h->ip, sizeof h->ip, "%s", ip);
	snprintf(h->bracket, sizeof h->bracket, "%s\\%s", name, name);
	h->pid = pid;
	h->tid[0] = t0;
	h->tid[1] = t0 + 0x44;
	h->tid[2] = t0 + 0x1A8;
	h->inst = 0x0000C000u + (pid & 0xFFF);
}

/* The deployment of the domain (RFC 5737 public, RFC 1918 inside). */
static void mk_world(struct gen *g)
{
	size_t i;

	mk_host(&g->edge, "edge01", g->dom, "10.0.0.30", 0x0584, 0x0A44);
	mk_host(&g->fe1, "fe01", g->dom, "10.0.0.21", 0x0A2C, 0x0B10);
	mk_host(&g->fe2, "fe02", g->dom, "10.0.0.23", 0x09F4, 0x0C38);
	mk_host(&g->dir, "dir01", g->dom, "10.0.0.25", 0x0B7C, 0x0E20);
	/* the web services run in IIS on the same Front End */
	mk_host(&g->web, "fe01", g->dom, "10.0.0.21", 0x1F40, 0x2A18);
	for (i = 0; g->dom[i] && g->dom[i] != '.' && i + 1 < sizeof g->nb;
	     i++) {
		char c = g->dom[i];

		g->nb[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
	}
	g->nb[i] = '\0';
}

/* The pool FQDN clients use for a Front End / Director. */
static const char *pool_of(struct gen *g, const struct host *h, char *b,
			   size_t cap)
{
	if (h == &g->fe2)
		snprintf(b, cap, "pool02.%s", g->dom);
	else if (h == &g->dir)
		snprintf(b, cap, "dir01.%s", g->dom);
	else
		snprintf(b, cap, "pool01.%s", g->dom);
	return b;
}

/* A new sign-in story; the user and the client process stay. */
static void sc_begin(struct gen *g, int ext, struct host *srv)
{
	struct sc *s = &g->s;
	static const unsigned nets[] = { 0, 1, 178 };
	unsigned net, host;
	int i;

	s->ext = ext;
	s->srv = srv;
	s->scheme = A_NONE;
	s->cnum = s->snum = 0;
	net = rbelow(&g->r, 3);
	host = rrange(&g->r, 20, 240);
	if (ext)
		snprintf(s->lip, sizeof s->lip, "192.168.%u.%u", nets[net],
			 host);
	else
		snprintf(s->lip, sizeof s->lip, "10.0.%u.%u", 1 + net * 4,
			 host);
	snprintf(s->nat, sizeof s->nat, "198.51.100.%u",
		 rrange(&g->r, 2, 250));
	for (i = 0; i < 3; i++)
		s->tid[i] = rrange(&g->r, 0x200, 0x3FFF);
	s->raddr[0] = s->laddr[0] = '\0';
	snprintf(s->waddr, sizeof s->waddr, "-");
	snprintf(s->wladdr, sizeof s->wladdr, "-");
	snprintf(s->wpeer, sizeof s->wpeer, "-");
}

/* A new TLS connection for SIP to rip:rport. */
static void connect_to(struct gen *g, const char *rip, unsigned rport)
{
	struct sc *s = &g->s;

	snprintf(s->rip, sizeof s->rip, "%s", rip);
	s->rport = rport;
	s->lport = rrange(&g->r, 49152, 65500);
	s->nport = rrange(&g->r, 1030, 65500);
	s->edge_port = rrange(&g->r, 49152, 65500);
	rhex(&g->r, s->cid, 4, 1);
	memcpy(s->cid + 4, "00", 3);
	rhex(&g->r, s->msop, 10, 0);
	snprintf(s->laddr, sizeof s->laddr, "%s:%u", s->lip, s->lport);
	snprintf(s->raddr, sizeof s->raddr, "%s:%u", s->rip, s->rport);
	snprintf(s->natp, sizeof s->natp, "%s:%u", s->nat, s->nport);
	snprintf(s->edgep, sizeof s->edgep, "%s:%u", g->edge.fqdn,
		 s->edge_port);
}

/* A new HTTPS connection to the web services (directly or via RP). */
static void web_connect(struct gen *g, const char *ip)
{
	struct sc *s = &g->s;

	s->wport = rrange(&g->r, 49152, 65500);
	snprintf(s->waddr, sizeof s->waddr, "%s:443", ip);
	snprintf(s->wladdr, sizeof s->wladdr, "%s:%u", s->lip, s->wport);
	if (s->ext)
		snprintf(s->wpeer, sizeof s->wpeer, "10.0.0.40:%u",
			 rrange(&g->r, 49152, 65500));
	else
		snprintf(s->wpeer, sizeof s->wpeer, "%s", s->wladdr);
}

/* Where the web services are, as the client reaches them. */
static const char *web_host(struct gen *g, char *b, size_t cap)
{
	snprintf(b, cap, "%s.%s", g->s.ext ? "lyncwebext" : "pool01",
		 g->dom);
	return b;
}

/* ------------------------------------------------------------------ */
/* authentication headers                                              */

/* @return the SIP name of an A_* authentication scheme */
static const char *scheme_name(int a)
{
	return a == A_KERB ? "Kerberos" : a == A_TLSDSK ? "TLS-DSK" : "NTLM";
}

/* The security association the server set up: opaque, targetname. */
static void auth_begin(struct gen *g, int scheme)
{
	struct sc *s = &g->s;

	s->scheme = scheme;
	rhex(&g->r, s->opaque, 8, 1);
	snprintf(s->target, sizeof s->target, "%s%s",
		 scheme == A_KERB ? "sip/" : "", s->srv->fqdn);
	s->cnum = s->snum = 0;
}

/* A signature value of the scheme's usual length and shape. */
static void put_sig(struct gen *g, struct buf *b, unsigned seq)
{
	switch (g->s.scheme) {
	case A_KERB:
		bputs(b, "040401ffffffffff0000000000000000");
		bhex(g, b, 24, 0);
		break;
	case A_TLSDSK:
		bhex(g, b, 40, 0);
		break;
	default:
		bputs(b, "01000000");
		bhex(g, b, 16, 0);
		bf(b, "%08x", seq);
		break;
	}
}

/* Proxy-Authorization (or Authorization) of a signed request. */
static void put_pauth(struct gen *g, const char *hdr)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	char crand[9];

	rhex(&g->r, crand, 8, 0);
	s->cnum++;
	bf(b, "%s: %s qop=\"auth\", realm=\"" REALM "\", opaque=\"%s\", "
	   "crand=\"%s\", cnum=\"%u\", targetname=\"%s\", response=\"", hdr,
	   scheme_name(s->scheme), s->opaque, crand, s->cnum, s->target);
	put_sig(g, b, s->cnum);
	bputs(b, "\"\r\n");
}

/* Authentication-Info of a signed answer. */
static void put_ainfo(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	char srand[9];

	rhex(&g->r, srand, 8, 1);
	s->snum++;
	bf(b, "Authentication-Info: %s qop=\"auth\", opaque=\"%s\", "
	   "srand=\"%s\", snum=\"%u\", rspauth=\"", scheme_name(s->scheme),
	   s->opaque, srand, s->snum);
	put_sig(g, b, s->snum);
	bf(b, "\", targetname=\"%s\", realm=\"" REALM "\", version=4\r\n",
	   s->target);
}

/* gssapi-data: a token-type prefix, then random base64 of length n. */
static void put_gss(struct gen *g, const char *prefix, size_t n)
{
	struct buf *b = &g->m.b;

	bputs(b, "gssapi-data=\"");
	bputs(b, prefix);
	rb64(&g->r, b, n);
	bputc(b, '"');
}

/* Contact: the party's GRUU. */
static void put_contact_gruu(struct gen *g, const struct party *p)
{
	hname(g, "Contact", "m");
	bf(&g->m.b, "<sip:%s;opaque=user:epid:%s;gruu>\r\n", p->uri, p->gruu);
}

/* Date: the current log time, as servers add to answers. */
static void put_date(struct gen *g)
{
	bputs(&g->m.b, "Date: ");
	put_http_date(g, &g->m.b);
	bput(&g->m.b, "\r\n", 2);
}

/* ------------------------------------------------------------------ */
/* sign-in: discovery, REGISTER legs                                   */

/* The user (or the client at start-up) begins a sign-in. */
static void signin_start(struct gen *g)
{
	struct sc *s = &g->s;

	/* the client version: what follows "UCCAPI/" in its User-Agent */
	const char *ver = g->gen->ua + 7;
	size_t vn = strcspn(ver, " ");
	char vbuf[32];

	snprintf(vbuf, sizeof vbuf, "%.*s", (int)vn, ver);
	tick(g, 300, 2500);
	note(g, T_UI, "INFO", "SignIn: starting sign-in for sip:%s "
	     "(server configuration: automatic, client %s)",
	     s->me.uri, vbuf);
}

/* A successful DNS A lookup, as the client logs it. */
static void dns_a(struct gen *g, const char *name, const char *ip)
{
	tick(g, 5, 60);
	note(g, T_WEB, "INFO", "DNS: query %s type A returned %s", name, ip);
}

/* A DNS name that does not exist (DNS_ERROR_RCODE_NAME_ERROR). */
static void dns_nx(struct gen *g, const char *name)
{
	tick(g, 10, 120);
	note(g, T_WEB, "WARN", "DNS: query %s type A failed, "
	     "status=0x8007232b (DNS name does not exist)", name);
}

/* The client opens its SIP connection; the server side logs it too. */
static void sip_connect(struct gen *g, const char *name, const char *ip,
			unsigned port, struct host *first)
{
	struct sc *s = &g->s;

	connect_to(g, ip, port);
	tick(g, 20, 150);
	note(g, T_SIP, "INFO", "Transport: TLS connection established to "
	     "%s (%s) from %s, protocol TLS 1.2, server certificate "
	     "CN=%s", s->raddr, name, s->laddr, name);
	srv_line(g, first, "TL_INFO", "TF_CONNECTION",
		 "SIPStack,CSIPTransportLayer::AcceptConnection:"
		 "TransportLayer.cpp(1502)", 1,
		 "TLS connection 0x%s accepted from %s on %s:%u",
		 s->cid, s->ext ? s->natp : s->laddr,
		 s->ext ? "203.0.113.10" : first->ip, port);
}

/* lyncdiscover for an external client: DNS, HTTP GET, JSON answer. */
static void disc_lyncdiscover_get(struct gen *g, int internal_tls_error)
{
	struct sc *s = &g->s;
	struct buf *b = &g->body;
	const char *d = g->dom, *u = s->me.uri;
	char web[96];

	web_host(g, web, sizeof web);
	tick(g, 5, 40);
	note(g, T_WEB, "INFO", "Lync autodiscovery started for sip:%s\n"
	     " internal: https://lyncdiscoverinternal.%s/?sipuri=%s\n"
	     " external: https://lyncdiscover.%s/?sipuri=%s", u, d, u, d, u);
	if (internal_tls_error) {
		char n[96];

		/* split DNS pointing at an internal host: a TLS failure */
		snprintf(n, sizeof n, "lyncdiscoverinternal.%s", d);
		dns_a(g, n, "10.0.0.50");
		tick(g, 30, 250);
		note(g, T_WEB, "ERROR", "TLS: handshake with 10.0.0.50:443 "
		     "(lyncdiscoverinternal.%s) failed, hr=0x800B0109 "
		     "CERT_E_UNTRUSTEDROOT: certificate chain ends in an "
		     "untrusted root", d);
	} else {
		char n[96];

		snprintf(n, sizeof n, "lyncdiscoverinternal.%s", d);
		dns_nx(g, n);
	}
	{
		char n[96];

		snprintf(n, sizeof n, "lyncdiscover.%s", d);
		dns_a(g, n, "203.0.113.20");
	}
	web_connect(g, "203.0.113.20");
	h_req(g, "GET", "/?sipuri=%s", u);
	bf(&g->m.b, "Accept: application/vnd.microsoft.rtc.autodiscover"
	   "+json;v=1\r\nUser-Agent: " UA "\r\nHost: lyncdiscover.%s\r\n"
	   "Connection: Keep-Alive\r\n", d);
	h_end(g, NULL, NULL, 0);
	emit(g, 20, 90);
	b->n = 0;
	bf(b, "{\"AccessLocation\":\"External\",\"Root\":{\"Links\":["
	   "{\"token\":\"Domain\",\"href\":\"https:\\/\\/%s\\/Autodiscover"
	   "\\/AutodiscoverService.svc\\/root\\/domain?originalDomain=%s\"},"
	   "{\"token\":\"User\",\"href\":\"https:\\/\\/%s\\/Autodiscover"
	   "\\/AutodiscoverService.svc\\/root\\/user?originalDomain=%s\"},"
	   "{\"token\":\"OAuth\",\"href\":\"https:\\/\\/%s\\/Autodiscover"
	   "\\/AutodiscoverService.svc\\/root\\/oauth\\/user?originalDomain"
	   "=%s\"},{\"token\":\"XFrame\",\"href\":\"https:\\/\\/%s\\/"
	   "Autodiscover\\/XFrame\\/XFrame.html\"}]}}",
	   web, d, web, d, web, d, web);
	h_resp(g, 200, "OK");
	h_iis(g, "no-cache");
	h_end(g, "application/vnd.microsoft.rtc.autodiscover+json; v=1", b,
	      1);
	emit(g, 60, 320);
}

/* The client's result line of autodiscovery, web services at web. */
static void disc_completed(struct gen *g, const char *web)
{
	tick(g, 5, 40);
	note(g, T_WEB, "INFO", "Lync autodiscovery completed with hr: 0X0 "
	     "sipint: sipext: sip.%s:443 authint: authext: https://%s/"
	     "CertProv/CertProvisioningService.svc ucwaint: ucwaext: "
	     "https://%s/ucwa/v1/applications wts: https://%s/WebTicket/"
	     "WebTicketService.svc ucwaurl: telemetryurl: "
	     "isServiceInRefresh: 0 isTempError: 0", g->dom, web, web, web);
}

/* lyncdiscover for an external client (HTTP GET, JSON answer). */
static void disc_lyncdiscover(struct gen *g, int internal_tls_error)
{
	char web[96];

	disc_lyncdiscover_get(g, internal_tls_error);
	disc_completed(g, web_host(g, web, sizeof web));
}

/* Internal discovery: no lyncdiscover record, DNS SRV instead. */
static void disc_internal(struct gen *g, const char *pool, const char *ip)
{
	struct sc *s = &g->s;
	const char *d = g->dom, *u = s->me.uri;
	char n[96];

	tick(g, 5, 40);
	note(g, T_WEB, "INFO", "Lync autodiscovery started for sip:%s\n"
	     " internal: https://lyncdiscoverinternal.%s/?sipuri=%s\n"
	     " external: https://lyncdiscover.%s/?sipuri=%s", u, d, u, d, u);
	snprintf(n, sizeof n, "lyncdiscoverinternal.%s", d);
	dns_nx(g, n);
	snprintf(n, sizeof n, "lyncdiscover.%s", d);
	dns_nx(g, n);
	tick(g, 2, 20);
	note(g, T_WEB, "WARN", "Lync autodiscovery completed with hr: "
	     "0X80004005 sipint: sipext: authint: authext: ucwaint: "
	     "ucwaext: wts: ucwaurl: telemetryurl: isServiceInRefresh: 0 "
	     "isTempError: 0");
	tick(g, 5, 60);
	note(g, T_SIP, "INFO", "DNS: query _sipinternaltls._tcp.%s type SRV "
	     "returned %s:5061 (priority 0, weight 0)", d, pool);
	dns_a(g, pool, ip);
	sip_connect(g, pool, ip, 5061, g->s.srv);
}

/* The REGISTER common part; the caller adds Authorization and ends. */
static void reg_req(struct gen *g, struct dlg *d)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	char ruri[80];

	snprintf(ruri, sizeof ruri, "sip:%s", g->dom);
	/* no dialog: a REGISTER never carries the last answer's to-tag */
	d->rtag[0] = '\0';
	m_req(g, d, "REGISTER", ruri, NULL, 0);
	hname(g, "Contact", "m");
	bf(b, "<sip:%s:%u;transport=tls;ms-opaque=%s>;methods=\"INVITE, "
	   "MESSAGE, INFO, SUBSCRIBE, OPTIONS, BYE, CANCEL, NOTIFY, ACK, "
	   "REFER, BENOTIFY\";proxy=replace;+sip.instance=\"<urn:uuid:%s>\""
	   "\r\n", s->lip, s->lport, s->msop, s->me.inst);
	bputs(b, "User-Agent: " UA "\r\n"
	      "Supported: gruu-10, adhoclist, msrtc-event-categories\r\n"
	      "Supported: ms-forking\r\nSupported: ms-cluster-failover\r\n"
	      "Supported: ms-userservices-state-notification\r\n"
	      "ms-keep-alive: UAC;hop-hop=yes\r\nEvent: registration\r\n");
}

/* Start of a REGISTER answer, up to its authentication headers. */
static void reg_resp(struct gen *g, struct dlg *d, unsigned code,
		     const char *reason)
{
	rtag_new(g, d);
	m_resp(g, d, code, reason);
	if (g->s.ext)
		bputs(&g->m.b, "ms-user-logon-data: RemoteUser\r\n");
}

/* REGISTER without credentials and the 401 offering the methods. */
static void reg_offer(struct gen *g, struct dlg *d)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	const char *t = s->srv->fqdn;
	char web[96];

	tick(g, 5, 40);
	note(g, T_SIP, "INFO", "Register: sending REGISTER to %s, "
	     "no credentials yet (security association not set up)",
	     s->raddr);
	reg_req(g, d);
	m_end(g, NULL, NULL);
	emit(g, 5, 30);
	reg_resp(g, d, 401, "Unauthorized");
	put_date(g);
	if (!s->ext)
		bf(b, "WWW-Authenticate: Kerberos realm=\"" REALM "\", "
		   "targetname=\"sip/%s\", version=4\r\n", t);
	bf(b, "WWW-Authenticate: NTLM realm=\"" REALM "\", "
	   "targetname=\"%s\", version=4\r\n", t);
	bf(b, "WWW-Authenticate: TLS-DSK realm=\"" REALM "\", "
	   "targetname=\"%s\", version=4, sts-uri=\"https://%s/CertProv/"
	   "CertProvisioningService.svc\"\r\n", t,
	   web_host(g, web, sizeof web));
	m_rdlg(g, d, 1);
	bputs(b, "Server: RTC/6.0\r\n");
	m_end(g, NULL, NULL);
	emit(g, 25, 160);
}

/*
 * An Authorization header of scheme with a token of n bytes that
 * starts with gss; opaque: the server's, from its challenge.
 */
static void put_authz(struct gen *g, const char *scheme, int opaque,
		      const char *gss, size_t n)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;

	bf(b, "Authorization: %s qop=\"auth\", realm=\"" REALM "\", ",
	   scheme);
	if (opaque)
		bf(b, "opaque=\"%s\", ", s->opaque);
	bf(b, "targetname=\"%s\", ", s->target);
	put_gss(g, gss, n);
	bputs(b, ", version=4\r\n");
}

/* A REGISTER with credentials (put_authz), sent. */
static void reg_token(struct gen *g, struct dlg *d, const char *scheme,
		      int opaque, const char *gss, size_t n)
{
	reg_req(g, d);
	put_authz(g, scheme, opaque, gss, n);
	m_end(g, NULL, NULL);
	emit(g, 5, 40);
}

/* Its 401 with the server's token of the scheme (gss, n bytes). */
static void reg_challenge(struct gen *g, struct dlg *d, const char *scheme,
			  const char *gss, size_t n, unsigned hi)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;

	reg_resp(g, d, 401, "Unauthorized");
	put_date(g);
	bf(b, "WWW-Authenticate: %s opaque=\"%s\", ", scheme, s->opaque);
	put_gss(g, gss, n);
	bf(b, ", targetname=\"%s\", realm=\"" REALM "\", version=4\r\n",
	   s->target);
	m_rdlg(g, d, 1);
	bputs(b, "Server: RTC/6.0\r\n");
	m_end(g, NULL, NULL);
	emit(g, 30, hi);
}

/* NTLM: negotiate -> 401 challenge -> authenticate (request sent). */
static void reg_ntlm_legs(struct gen *g, struct dlg *d)
{
	auth_begin(g, A_NTLM);
	reg_token(g, d, "NTLM", 0, "TlRMTVNTUAABAAAA", 40);
	reg_challenge(g, d, "NTLM", "TlRMTVNTUAACAAAA", 256, 150);
	reg_token(g, d, "NTLM", 1, "TlRMTVNTUAADAAAA", 396);
}

/* Kerberos: one REGISTER with the service ticket (request sent). */
static void reg_kerb_leg(struct gen *g, struct dlg *d)
{
	struct sc *s = &g->s;

	auth_begin(g, A_KERB);
	tick(g, 10, 90);
	note(g, T_SIP, "INFO", "Security: Kerberos service ticket for %s "
	     "obtained from dc01.%s", s->target, g->dom);
	reg_token(g, d, "Kerberos", 0, "YIIHBgYJKoZIhvcSAQICAQBuggb1MIIG",
		  2240);
}

/* A new registration: the offer of every method, then Kerberos. */
static void reg_kerberos(struct gen *g, struct dlg *d)
{
	dlg_new(g, d);
	reg_offer(g, d);
	reg_kerb_leg(g, d);
}

/* TLS-DSK: the TLS handshake inside three REGISTERs, then signed. */
static void reg_tlsdsk_legs(struct gen *g, struct dlg *d)
{
	auth_begin(g, A_TLSDSK);
	reg_token(g, d, "TLS-DSK", 0, "FgMDAKsBAACnAwNf", 212);
	reg_challenge(g, d, "TLS-DSK", "FgMDAFUCAABRAwNf", 2780, 160);
	reg_token(g, d, "TLS-DSK", 1, "FgMDCAALAAgEAAgB", 2604);
	reg_challenge(g, d, "TLS-DSK", "FAMDAAEBFgMDAEAA", 72, 160);
	reg_req(g, d);
	put_pauth(g, "Authorization");
	m_end(g, NULL, NULL);
	emit(g, 5, 40);
}

/* 200 OK to the last REGISTER: the endpoint is registered. */
static void reg_200(struct gen *g, struct dlg *d)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;

	reg_resp(g, d, 200, "OK");
	bputs(b, "ms-keep-alive: UAS; tcp=no; hop-hop=yes; end-pt=no; "
	      "timeout=300\r\n");
	put_ainfo(g);
	m_rdlg(g, d, 1);
	hname(g, "Contact", "m");
	bf(b, "<sip:%s:%u;transport=tls;ms-opaque=%s;ms-received-cid=%s>;"
	   "expires=7200;+sip.instance=\"<urn:uuid:%s>\";gruu=\"sip:%s;"
	   "opaque=user:epid:%s;gruu\"\r\n", s->lip, s->lport, s->msop,
	   s->cid, s->me.inst, s->me.uri, s->me.gruu);
	bputs(b, "Expires: 7200\r\npresence-state: register-action=\"added\""
	      "\r\nAllow-Events: vnd-microsoft-provisioning,"
	      "vnd-microsoft-roaming-contacts,vnd-microsoft-roaming-ACL,"
	      "presence,presence.wpending,vnd-microsoft-roaming-self,"
	      "vnd-microsoft-provisioning-v2\r\n"
	      "Supported: adhoclist, msrtc-event-categories, "
	      "ms-userservices-state-notification\r\n"
	      "Supported: ms-keepalive-deregister\r\n");
	if (s->ext)
		bputs(b, "Supported: ms-edge-proxy-message-trust\r\n");
	bputs(b, "Server: RTC/6.0\r\n");
	m_end(g, NULL, NULL);
	emit(g, 30, 200);
}

/* The registration took: both sides note it. */
static void signed_in(struct gen *g)
{
	struct sc *s = &g->s;

	tick(g, 3, 30);
	srv_line(g, s->srv, "TL_INFO", "TF_COMPONENT",
		 "UserServices,RegistrarEndpoint::AddEndpoint:"
		 "RegistrarEndpoint.cpp(412)", 0,
		 "Endpoint registered: sip:%s epid=%s instance=%s auth=%s "
		 "expires=7200", s->me.uri, s->me.epid, s->me.inst,
		 scheme_name(s->scheme));
	note(g, T_UI, "INFO", "SignIn: signed in as sip:%s on %s "
	     "(auth %s), hr=0x0", s->me.uri, s->srv->fqdn,
	     scheme_name(s->scheme));
}

/* ------------------------------------------------------------------ */
/* after sign-in: settings and policies                                */

/*
 * A SUBSCRIBE to one of the user's own event packages and its 200 OK;
 * request body in g->body, answer body in g->body2 (either may be
 * empty).  `early` writes Content-Length near the top, as the server
 * does on its big answers; `terminated` is a one-shot fetch.
 */
static void sub_self(struct gen *g, const char *event, const char *accept,
		     const char *qtype, const char *ptype, int early,
		     int terminated)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	struct dlg d;
	char ruri[160], pool[96];
	unsigned exp = terminated ? 0 : rrange(&g->r, 30000, 60000);

	snprintf(ruri, sizeof ruri, "sip:%s", s->me.uri);
	dlg_new(g, &d);
	m_req(g, &d, "SUBSCRIBE", ruri, NULL, 0);
	put_contact_gruu(g, &s->me);
	bf(b, "User-Agent: " UA "\r\nEvent: %s\r\nAccept: %s\r\n", event,
	   accept);
	bputs(b, "Supported: com.microsoft.autoextend\r\n"
	      "Supported: ms-benotify\r\nProxy-Require: ms-benotify\r\n"
	      "Supported: ms-piggyback-first-notify\r\n");
	if (terminated)
		bputs(b, "Expires: 0\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, g->body.n ? qtype : NULL, &g->body);
	emit(g, 5, 50);
	rtag_new(g, &d);
	m_resp(g, &d, 200, "OK");
	hname(g, "Contact", "m");
	bf(b, "<sip:%s:5061;transport=tls>\r\n",
	   pool_of(g, s->srv, pool, sizeof pool));
	if (early)
		m_clen(g, g->body2.n);
	put_ainfo(g);
	m_rdlg(g, &d, 1);
	bf(b, "Expires: %u\r\n", exp);
	if (g->body2.n) {
		hname(g, "Content-Type", "c");
		bf(b, "%s\r\n", ptype);
	}
	bf(b, "Event: %s\r\n", event);
	if (terminated)
		bputs(b, "subscription-state: terminated;expires=0\r\n");
	else
		bf(b, "subscription-state: active;expires=%u\r\n", exp);
	bputs(b, "ms-piggyback-cseq: 1\r\n"
	      "Supported: ms-benotify, ms-piggyback-first-notify\r\n"
	      "Server: RTC/6.0\r\n");
	if (early)
		m_fin(g, &g->body2);
	else
		m_end(g, NULL, &g->body2);
	emit(g, 20, 180);
}

/* The in-band provisioning answer: multi-line XML, CRLF, final CRLF. */
static void prov_body(struct gen *g, struct buf *a, const char *web,
		      const char *pool)
{
	struct sc *s = &g->s;
	char mras[17];

	rtok(&g->r, mras, 16, b64url);
	bputs(a, "<provisionGroupList xmlns=\"http://schemas.microsoft.com/"
	      "2006/09/sip/provisiongrouplist-notification\">\r\n"
	      "<provisionGroup name=\"ServerConfiguration\" >\r\n"
	      "<propertyEntryList >\r\n");
	bf(a, "<property name=\"absInternalServerUrl\" >https://%s/abs/"
	   "handler</property>\r\n<property name=\"absExternalServerUrl\" >"
	   "https://%s/abs/handler</property>\r\n"
	   "<property name=\"internalUcwaUrl\" >https://%s/ucwa/v1/"
	   "applications</property>\r\n<property name=\"externalUcwaUrl\" >"
	   "https://%s/ucwa/v1/applications</property>\r\n"
	   "<property name=\"dlxInternalUrl\" >https://%s/GroupExpansion/"
	   "Int/service.svc</property>\r\n<property name=\"dlxExternalUrl\" >"
	   "https://%s/GroupExpansion/Ext/service.svc</property>\r\n",
	   pool, web, pool, web, pool, web);
	bf(a, "<property name=\"hybridConfigServiceInternalUrl\" ></property>"
	   "\r\n<property name=\"hybridConfigServiceExternalUrl\" >"
	   "</property>\r\n<property name=\"focusFactoryUri\" >sip:%s;gruu;"
	   "opaque=app:conf:focusfactory</property>\r\n"
	   "<property name=\"mrasUri\" >sip:mras.%s@%s;gruu;opaque=srvr:"
	   "MRAS:%s</property>\r\n<property name=\"exumEnabled\" >false"
	   "</property>\r\n<property name=\"qosEnabled\" >false</property>"
	   "\r\n</propertyEntryList>\r\n</provisionGroup>\r\n",
	   s->me.uri, pool, g->dom, mras);
	bputs(a, "<provisionGroup name=\"ucPolicy\" >\r\n<propertyEntryList >"
	      "\r\n<property name=\"EnableAppearOffline\" >true</property>\r\n"
	      "<property name=\"EnableExchangeContactSync\" >true</property>"
	      "\r\n<property name=\"EnableOnlineFeedback\" >false</property>"
	      "\r\n<property name=\"AllowLargeMeetings\" >false</property>\r\n"
	      "</propertyEntryList>\r\n</provisionGroup>\r\n"
	      "<provisionGroup name=\"meetingPolicy\" >\r\n"
	      "<propertyEntryList >\r\n"
	      "<property name=\"AllowIPAudio\" >true</property>\r\n"
	      "<property name=\"AllowIPVideo\" >true</property>\r\n"
	      "<property name=\"AllowAnonymousParticipantsInMeetings\" >true"
	      "</property>\r\n<property name=\"MaxMeetingSize\" >250"
	      "</property>\r\n</propertyEntryList>\r\n</provisionGroup>\r\n"
	      "<provisionGroup name=\"locationPolicy\" >\r\n"
	      "<propertyEntryList >\r\n"
	      "<property name=\"EnhancedEmergencyServicesEnabled\" >false"
	      "</property>\r\n<property name=\"LocationRequired\" >no"
	      "</property>\r\n</propertyEntryList>\r\n</provisionGroup>\r\n"
	      "<provisionGroup name=\"endpointConfiguration\" >\r\n"
	      "<propertyEntryList >\r\n"
	      "<property name=\"MaxPhotoSizeKB\" >30</property>\r\n"
	      "<property name=\"ShowRecentContacts\" >true</property>\r\n"
	      "<property name=\"EnableSkypeUI\" >true</property>\r\n"
	      "</propertyEntryList>\r\n</provisionGroup>\r\n"
	      "</provisionGroupList>\r\n");
}

/* Batch presence SUBSCRIBE for the contact list. */
static void sub_presence(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b, *q = &g->body;
	struct dlg d;
	char ruri[160], pool[96];

	q->n = 0;
	bf(q, "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/"
	   "batch-subscribe\" uri=\"sip:%s\" name=\"\"><action name="
	   "\"subscribe\" id=\"%u\"><adhocList><resource uri=\"sip:%s\"/>"
	   "<resource uri=\"sip:%s\"/></adhocList><categoryList xmlns="
	   "\"http://schemas.microsoft.com/2006/09/sip/categorylist\">"
	   "<category name="
	   "\"calendarData\"/><category name=\"contactCard\"/><category name="
	   "\"note\"/><category name=\"services\"/><category name="
	   "\"sourcenetwork\"/><category name=\"state\"/></categoryList>"
	   "</action></batchSub>", s->me.uri, rrange(&g->r, 1000000, 99999999),
	   s->peer.uri, s->fed.uri);
	snprintf(ruri, sizeof ruri, "sip:%s", s->me.uri);
	dlg_new(g, &d);
	m_req(g, &d, "SUBSCRIBE", ruri, NULL, 0);
	put_contact_gruu(g, &s->me);
	bputs(b, "User-Agent: " UA "\r\nEvent: presence\r\n"
	      "Accept: application/msrtc-event-categories+xml, "
	      "application/xpidf+xml, application/pidf+xml, "
	      "application/rlmi+xml, multipart/related\r\n"
	      "Supported: ms-benotify\r\nProxy-Require: ms-benotify\r\n"
	      "Supported: ms-piggyback-first-notify\r\n"
	      "Require: adhoclist, categoryList\r\nSupported: eventlist\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "application/msrtc-adrl-categorylist+xml", q);
	emit(g, 5, 50);
	rtag_new(g, &d);
	m_resp(g, &d, 200, "OK");
	hname(g, "Contact", "m");
	bf(b, "<sip:%s:5061;transport=tls>\r\n",
	   pool_of(g, s->srv, pool, sizeof pool));
	put_ainfo(g);
	m_rdlg(g, &d, 1);
	bputs(b, "Expires: 36000\r\nRequire: eventlist\r\nEvent: presence\r\n"
	      "subscription-state: active;expires=36000\r\n"
	      "ms-piggyback-cseq: 1\r\n"
	      "Supported: ms-benotify, ms-piggyback-first-notify\r\n"
	      "Server: RTC/6.0\r\n");
	m_end(g, NULL, NULL);
	emit(g, 20, 200);
}

/* FORMATS.md 4 step 5: location profile, contacts, in-band
 * provisioning, roaming self and ACL, presence. */
static void settings(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *q = &g->body, *a = &g->body2;
	const char *u = s->me.uri;
	char web[96], pool[96], ruri[160];
	struct dlg d;
	static const char *const groups[] = {
		"ServerConfiguration", "meetingPolicy", "ucPolicy",
		"endpointConfiguration", "locationPolicy", "userSetting",
		"mediaConfiguration", "publicationGrammar",
	};
	size_t i;

	web_host(g, web, sizeof web);
	pool_of(g, s->srv, pool, sizeof pool);

	q->n = 0;
	bf(q, "<GetLocationProfiles xmlns=\"http://schemas.microsoft.com/"
	   "2007/03/LocationProfileDescription\"><User>sip:%s</User>"
	   "</GetLocationProfiles>", u);
	snprintf(ruri, sizeof ruri, "sip:%s", u);
	dlg_new(g, &d);
	tick(g, 20, 250);
	m_req(g, &d, "SERVICE", ruri, NULL, 0);
	put_contact_gruu(g, &s->me);
	bputs(&g->m.b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "application/ms-location-profile-definition+xml", q);
	emit(g, 5, 40);
	a->n = 0;
	bf(a, "<LocationProfileDescription xmlns=\"http://schemas.microsoft."
	   "com/2007/03/LocationProfileDescription\"><Name>%s/"
	   "DefaultProfile</Name><Rule><Pattern>^(\\d{4})$</Pattern>"
	   "<Translation>+1425555$1</Translation><InternalEnterprise"
	   "Extension>true</InternalEnterpriseExtension></Rule><Rule>"
	   "<Pattern>^(\\d{10})$</Pattern><Translation>+1$1</Translation>"
	   "</Rule><Rule><Pattern>^9?011(\\d{7,15})$</Pattern><Translation>"
	   "+$1</Translation></Rule><ExternalAccessPrefix>9</External"
	   "AccessPrefix><OptimizeDeviceDialing>true</OptimizeDevice"
	   "Dialing></LocationProfileDescription>", pool);
	rtag_new(g, &d);
	m_resp(g, &d, 200, "OK");
	put_ainfo(g);
	m_rdlg(g, &d, 1);
	bputs(&g->m.b, "Server: RTC/6.0\r\n");
	m_end(g, "application/ms-location-profile-definition+xml", a);
	emit(g, 20, 150);

	q->n = 0;
	a->n = 0;
	bf(a, "<contactList deltaNum=\"%u\" xmlns=\"http://schemas.microsoft."
	   "com/2006/09/sip/roaming-contacts\"><group id=\"1\" name=\"~\" "
	   "externalURI=\"\"/><group id=\"2\" name=\"Project Atlas\" "
	   "externalURI=\"\"/><contact uri=\"%s\" name=\"\" groups=\"1 2\" "
	   "subscribed=\"true\" externalURI=\"\"/><contact uri=\"%s\" "
	   "name=\"\" groups=\"1\" subscribed=\"true\" externalURI=\"\"/>"
	   "<contact uri=\"lobby.display@%s\" name=\"\" groups=\"2\" "
	   "subscribed=\"false\" externalURI=\"\"/></contactList>",
	   rrange(&g->r, 3, 400), s->peer.uri, s->fed.uri, g->dom);
	sub_self(g, "vnd-microsoft-roaming-contacts",
		 "application/vnd-microsoft-roaming-contacts+xml", NULL,
		 "application/vnd-microsoft-roaming-contacts+xml", 0, 0);

	q->n = 0;
	bputs(q, "<provisioningGroupList xmlns=\"http://schemas.microsoft.com/"
	      "2006/09/sip/provisioninggrouplist\">");
	for (i = 0; i < NELEM(groups); i++)
		bf(q, "<provisioningGroup name=\"%s\"/>", groups[i]);
	bputs(q, "</provisioningGroupList>");
	a->n = 0;
	prov_body(g, a, web, pool);
	sub_self(g, "vnd-microsoft-provisioning-v2",
		 "application/vnd-microsoft-roaming-provisioning-v2+xml",
		 "application/vnd-microsoft-roaming-provisioning-v2+xml",
		 "application/vnd-microsoft-roaming-provisioning-v2+xml",
		 1, 1);

	q->n = 0;
	bputs(q, "<roamingList xmlns=\"http://schemas.microsoft.com/2006/09/"
	      "sip/roaming-self\"><roaming type=\"categories\"/><roaming "
	      "type=\"containers\"/><roaming type=\"subscribers\"/>"
	      "</roamingList>");
	a->n = 0;
	bf(a, "<roamingData xmlns=\"http://schemas.microsoft.com/2006/09/sip/"
	   "roamingselfdata\"><categories xmlns=\"http://schemas.microsoft."
	   "com/2006/09/sip/categories\" uri=\"sip:%s\"><category name="
	   "\"note\" instance=\"0\" container=\"400\" version=\"%u\" "
	   "expireType=\"static\"><note xmlns=\"http://schemas.microsoft.com"
	   "/2006/09/sip/note\"><body type=\"personal\" uri=\"\">In the "
	   "office until 4 pm</body></note></category></categories>"
	   "<containers xmlns=\"http://schemas.microsoft.com/2006/09/sip/"
	   "container-management\"><container id=\"100\" version=\"1\"/>"
	   "<container id=\"200\" version=\"2\"/><container id=\"400\" "
	   "version=\"1\"/></containers><subscribers xmlns=\"http://schemas."
	   "microsoft.com/2006/09/sip/presence-subscribers\"/></roamingData>",
	   u, rrange(&g->r, 1, 30));
	sub_self(g, "vnd-microsoft-roaming-self",
		 "application/vnd-microsoft-roaming-self+xml",
		 "application/vnd-microsoft-roaming-self+xml",
		 "application/vnd-microsoft-roaming-self+xml", 0, 0);

	q->n = 0;
	a->n = 0;
	bf(a, "<acl deltaNum=\"%u\" xmlns=\"http://schemas.microsoft.com/2006/"
	   "09/sip/roaming-acls\"><ace type=\"DOMAIN\" mask=\"%s\" rights=\""
	   "AA\"/><ace type=\"ALL\" mask=\"\" rights=\"BD\"/></acl>",
	   rrange(&g->r, 1, 50), g->dom);
	sub_self(g, "vnd-microsoft-roaming-ACL",
		 "application/vnd-microsoft-roaming-acls+xml", NULL,
		 "application/vnd-microsoft-roaming-acls+xml", 0, 0);

	sub_presence(g);
}

/* The end of a sign-in that works: 200 OK, then the settings. */
static void signin_done(struct gen *g, struct dlg *d)
{
	reg_200(g, d);
	signed_in(g);
	settings(g);
}

/* ------------------------------------------------------------------ */
/* web services: Autodiscover, Web Ticket, CertProv (HTTP)             */

/* A request's usual trailing headers. */
static void h_client_hdrs(struct gen *g, const char *host)
{
	bf(&g->m.b, "User-Agent: " UA "\r\nHost: %s\r\n"
	   "Connection: Keep-Alive\r\n", host);
}

/* The SOAP RequestSecurityToken of a web ticket request, into q. */
static void soap_rst(struct gen *g, struct buf *q, const char *web)
{
	struct sc *s = &g->s;

	q->n = 0;
	bf(q, "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s="
	   "\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
	   "<RequestSecurityToken xmlns=\"http://docs.oasis-open.org/ws-sx/"
	   "ws-trust/200512\" Context=\"%u\"><TokenType>urn:component:"
	   "Microsoft.Rtc.WebAuthentication.2010:user-cwt-1</TokenType>"
	   "<RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue"
	   "</RequestType><AppliesTo xmlns=\"http://schemas.xmlsoap.org/ws/"
	   "2004/09/policy\"><EndpointReference xmlns=\"http://www.w3.org/"
	   "2005/08/addressing\"><Address>https://%s/CertProv/"
	   "CertProvisioningService.svc</Address></EndpointReference>"
	   "</AppliesTo><Claims Dialect=\"urn:component:Microsoft.Rtc."
	   "WebAuthentication.2010\" xmlns=\"http://schemas.xmlsoap.org/ws/"
	   "2005/05/identity\"><ClaimType Uri=\"http://schemas.xmlsoap.org/"
	   "ws/2005/05/identity/claims/uri\" Optional=\"false\"><Value>sip:"
	   "%s</Value></ClaimType></Claims><Entropy><BinarySecret>",
	   rrange(&g->r, 100000, 999999), web, s->me.uri);
	rb64(&g->r, q, 44);
	bputs(q, "</BinarySecret></Entropy><KeySize>256</KeySize>"
	      "</RequestSecurityToken></s:Body></s:Envelope>");
}

/* POST the web ticket request (the body in g->body). */
static void post_webticket(struct gen *g, const char *web,
			   const char *path, const char *auth)
{
	h_req(g, "POST", "%s", path);
	bputs(&g->m.b, "SOAPAction: \"http://tempuri.org/IWebTicketService/"
	      "IssueToken\"\r\n");
	if (auth)
		bputs(&g->m.b, auth);
	h_client_hdrs(g, web);
	h_end(g, "text/xml; charset=utf-8", &g->body, 1);
	emit(g, 5, 60);
}

/* A small IIS error page as answer body, into a. */
static void html_err(struct buf *a, unsigned code, const char *text)
{
	a->n = 0;
	bf(a, "<html><head><title>%u - %s</title></head><body><h2>%u - %s"
	   "</h2></body></html>", code, text, code, text);
}

/* A fresh "X-MS-WebTicket: opaque=..." header line into tk. */
static void webticket_header(struct gen *g, char *tk, size_t cap)
{
	g->tmp.n = 0;
	rb64(&g->r, &g->tmp, 96);
	snprintf(tk, cap, "X-MS-WebTicket: opaque=%.*s\r\n",
		 (int)g->tmp.n, g->tmp.p);
}

/* The web ticket service offered by a 401 of web. */
static void www_oauth(struct gen *g, const char *web)
{
	bf(&g->m.b, "WWW-Authenticate: MsRtcOAuth href=\"https://%s/"
	   "WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:"
	   "windows,urn:microsoft.rtc:anonmeeting,password\"\r\n", web);
}

/*
 * An HTTP "Authorization: NTLM <token>" line into g->tmp (NUL-ended);
 * post_webticket() copies it before anything else uses g->tmp.
 */
static void ntlm_http(struct gen *g, const char *prefix, size_t n)
{
	g->tmp.n = 0;
	bputs(&g->tmp, "Authorization: NTLM ");
	bputs(&g->tmp, prefix);
	rb64(&g->r, &g->tmp, n);
	bputs(&g->tmp, "\r\n");
	bputc(&g->tmp, '\0');
}

/* The Autodiscover user answer (XML): pool and web services, into a. */
static void autodisc_user_xml(struct gen *g, struct buf *a,
			      const char *pool, const char *web)
{
	const char *d = g->dom;

	a->n = 0;
	bf(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	   "<AutodiscoverResponse AccessLocation=\"External\"><User>"
	   "<SipServerInternalAccess fqdn=\"%s\" port=\"5061\"/>"
	   "<SipClientInternalAccess fqdn=\"%s\" port=\"5061\"/>"
	   "<SipServerExternalAccess fqdn=\"sip.%s\" port=\"443\"/>"
	   "<SipClientExternalAccess fqdn=\"sip.%s\" port=\"443\"/>"
	   "<Link token=\"Internal/Autodiscover\" href=\"https://%s/"
	   "Autodiscover/AutodiscoverService.svc/root\"/><Link token="
	   "\"External/Autodiscover\" href=\"https://%s/Autodiscover/"
	   "AutodiscoverService.svc/root\"/><Link token=\"External/"
	   "CertProvisioningService\" href=\"https://%s/CertProv/"
	   "CertProvisioningService.svc\"/><Link token=\"External/"
	   "WebTicketService\" href=\"https://%s/WebTicket/"
	   "WebTicketService.svc\"/><Link token=\"External/Ucwa\" href="
	   "\"https://%s/ucwa/v1/applications\"/></User>"
	   "</AutodiscoverResponse>", pool, pool, d, d, pool, web, web, web,
	   web);
}

/*
 * A web ticket with Windows (NTLM) authentication over HTTP: the
 * request body (g->body) answered 401, 401 with the challenge, 200.
 */
static void webticket_ntlm(struct gen *g, const char *web)
{
	struct buf *a = &g->body2;

	soap_rst(g, &g->body, web);
	post_webticket(g, web, "/WebTicket/WebTicketService.svc", NULL);
	html_err(a, 401, "Unauthorized: Access is denied due to invalid "
		 "credentials.");
	h_resp(g, 401, "Unauthorized");
	h_iis(g, "private");
	bputs(&g->m.b, "WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM"
	      "\r\n");
	h_end(g, "text/html", a, 1);
	emit(g, 30, 150);
	ntlm_http(g, "TlRMTVNTUAABAAAA", 40);
	post_webticket(g, web, "/WebTicket/WebTicketService.svc", g->tmp.p);
	h_resp(g, 401, "Unauthorized");
	h_iis(g, "private");
	bputs(&g->m.b, "WWW-Authenticate: NTLM TlRMTVNTUAACAAAA");
	rb64(&g->r, &g->m.b, 232);
	bputs(&g->m.b, "\r\n");
	h_end(g, "text/html", a, 1);
	emit(g, 30, 150);
	ntlm_http(g, "TlRMTVNTUAADAAAA", 380);
	post_webticket(g, web, "/WebTicket/WebTicketService.svc", g->tmp.p);
	a->n = 0;
	bputs(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:"
	      "s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
	      "<RequestSecurityTokenResponse xmlns=\"http://docs.oasis-open."
	      "org/ws-sx/ws-trust/200512\"><TokenType>urn:component:Microsoft"
	      ".Rtc.WebAuthentication.2010:user-cwt-1</TokenType>"
	      "<RequestedSecurityToken><UserToken Id=\"");
	bhex(g, a, 32, 0);
	bputs(a, "\">");
	rb64(&g->r, a, 640);
	bputs(a, "</UserToken></RequestedSecurityToken><Lifetime><Expires>"
	      "28800</Expires></Lifetime></RequestSecurityTokenResponse>"
	      "</s:Body></s:Envelope>");
	h_resp(g, 200, "OK");
	h_iis(g, "private");
	h_end(g, "text/xml; charset=utf-8", a, 1);
	emit(g, 60, 400);
}

/* CertProv at web: publish a key, get a user certificate. */
static void certprov_post(struct gen *g, const char *web)
{
	struct sc *s = &g->s;
	struct buf *a = &g->body2;

	g->body.n = 0;
	bf(&g->body, "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope "
	   "xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>"
	   "<Security xmlns=\"http://docs.oasis-open.org/wss/2004/01/"
	   "oasis-200401-wss-wssecurity-secext-1.0.xsd\"><UserToken>");
	rb64(&g->r, &g->body, 120);
	bf(&g->body, "</UserToken></Security></s:Header><s:Body>"
	   "<GetAndPublishCert xmlns=\"http://schemas.microsoft.com/2006/09/"
	   "sip/CertProvisioningService\" DeviceId=\"{%s}\" Entity=\"sip:%s\">"
	   "<CertificateRequestMessage>MIIC", s->me.inst, s->me.uri);
	rb64(&g->r, &g->body, 900);
	bputs(&g->body, "</CertificateRequestMessage></GetAndPublishCert>"
	      "</s:Body></s:Envelope>");
	h_req(g, "POST", "/CertProv/CertProvisioningService.svc");
	bputs(&g->m.b, "SOAPAction: \"http://tempuri.org/"
	      "ICertProvisioningService/GetAndPublishCert\"\r\n");
	h_client_hdrs(g, web);
	h_end(g, "text/xml; charset=utf-8", &g->body, 1);
	emit(g, 10, 80);
	a->n = 0;
	bputs(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:"
	      "s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
	      "<GetAndPublishCertResponse xmlns=\"http://schemas.microsoft.com"
	      "/2006/09/sip/CertProvisioningService\"><Reply><X509Certificate>"
	      "MIIF");
	rb64(&g->r, a, 1600);
	bputs(a, "</X509Certificate></Reply></GetAndPublishCertResponse>"
	      "</s:Body></s:Envelope>");
	h_resp(g, 200, "OK");
	h_iis(g, "private");
	h_end(g, "text/xml; charset=utf-8", a, 1);
	emit(g, 100, 700);
	tick(g, 10, 80);
	note(g, T_SIP, "INFO", "Security: user certificate CN=%s issued by "
	     "CN=%s-Lync-CA, valid 180 days, stored in the user store",
	     s->me.uri, g->nb);
}

/* Cert provisioning for TLS-DSK, FORMATS.md 4 step 3. */
static void certprov(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *a = &g->body2;
	char web[96], pool[96];

	web_host(g, web, sizeof web);
	pool_of(g, s->srv, pool, sizeof pool);
	tick(g, 10, 80);
	note(g, T_SIP, "INFO", "Security: no valid user certificate for "
	     "sip:%s in the store, getting one from https://%s/CertProv/"
	     "CertProvisioningService.svc", s->me.uri, web);
	web_connect(g, "203.0.113.20");
	h_req(g, "GET", "/Autodiscover/AutodiscoverService.svc/root?sipuri=%s",
	      s->me.uri);
	bputs(&g->m.b, "Accept: application/vnd.microsoft.rtc.autodiscover+"
	      "xml;v=1\r\n");
	h_client_hdrs(g, web);
	h_end(g, NULL, NULL, 0);
	emit(g, 5, 60);
	autodisc_user_xml(g, a, pool, web);
	h_resp(g, 200, "OK");
	h_iis(g, "private");
	h_end(g, "application/vnd.microsoft.rtc.autodiscover+xml; v=1", a, 1);
	emit(g, 40, 250);
	webticket_ntlm(g, web);
	certprov_post(g, web);
}

/* ------------------------------------------------------------------ */
/* scenarios                                                           */

/* The Edge: DNS for the access edge, then the SIP connection. */
static void sip_edge(struct gen *g)
{
	char n[96];

	snprintf(n, sizeof n, "sip.%s", g->dom);
	dns_a(g, n, "203.0.113.10");
	sip_connect(g, n, "203.0.113.10", 443, &g->edge);
}

/*
 * The start of an external sign-in at fe01 through the Edge: discovery,
 * the SIP connection, the first REGISTER and its 401 offering methods.
 */
static void ext_begin(struct gen *g, struct dlg *d)
{
	sc_begin(g, 1, &g->fe1);
	signin_start(g);
	disc_lyncdiscover(g, 0);
	sip_edge(g);
	dlg_new(g, d);
	reg_offer(g, d);
}

/* The start of an internal sign-in at fe01: SRV discovery, connection. */
static void int_begin(struct gen *g)
{
	char pool[96];

	sc_begin(g, 0, &g->fe1);
	signin_start(g);
	disc_internal(g, pool_of(g, &g->fe1, pool, sizeof pool), "10.0.0.20");
}

/* Scenario ntlm-external-ok: 3 REGISTER pairs through the Edge. */
static void sc_ntlm_ext(struct gen *g)
{
	struct dlg d;

	ext_begin(g, &d);
	reg_ntlm_legs(g, &d);
	signin_done(g, &d);
}

/* Scenario kerberos-internal-ok: SRV discovery, 2 REGISTER pairs. */
static void sc_kerb_int(struct gen *g)
{
	struct dlg d;

	int_begin(g);
	reg_kerberos(g, &d);
	signin_done(g, &d);
}

/* Scenario tlsdsk-ok: certificate provisioning, 4 REGISTER pairs. */
static void sc_tlsdsk(struct gen *g)
{
	struct dlg d;

	ext_begin(g, &d);
	certprov(g);
	reg_tlsdsk_legs(g, &d);
	signin_done(g, &d);
}

/* GET the Autodiscover user resource at web, with the web ticket tk. */
static void autodisc_user_get(struct gen *g, const char *web,
			      const char *tk)
{
	h_req(g, "GET", "/Autodiscover/AutodiscoverService.svc/root/oauth/"
	      "user?originalDomain=%s", g->dom);
	bputs(&g->m.b, "Accept: application/vnd.microsoft.rtc.autodiscover+"
	      "xml;v=1\r\n");
	if (tk)
		bputs(&g->m.b, tk);
	h_client_hdrs(g, web);
	h_end(g, NULL, NULL, 0);
	emit(g, 5, 60);
}

/*
 * Scenario tlsdsk-web-redirect: a new external user (no certificate)
 * gets a web ticket before any REGISTER.  lyncdiscover names the user
 * (?sipuri=); the Autodiscover, Web Ticket and CertProv calls after it
 * do not.  Autodiscover redirects the user to the home pool's web
 * services, where discovery runs again (a second root and user
 * request, "autodiscovery completed"), CertProv issues the
 * certificate, and the client signs in with TLS-DSK through the Edge.
 */
static void sc_tlsdsk_webredir(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *a = &g->body2;
	struct dlg d;
	char web[96], web2[96], home[96], tk[200];

	sc_begin(g, 1, &g->fe2);
	web_host(g, web, sizeof web);
	snprintf(web2, sizeof web2, "lyncwebext02.%s", g->dom);
	pool_of(g, &g->fe2, home, sizeof home);
	signin_start(g);
	disc_lyncdiscover_get(g, 0);
	/* the user resource wants a web ticket */
	autodisc_user_get(g, web, NULL);
	html_err(a, 401, "Unauthorized");
	h_resp(g, 401, "Unauthorized");
	h_iis(g, "private");
	www_oauth(g, web);
	h_end(g, "text/html", a, 1);
	emit(g, 30, 150);
	webticket_ntlm(g, web);
	webticket_header(g, tk, sizeof tk);
	/* with the ticket: the user is homed on pool02, go there */
	autodisc_user_get(g, web, tk);
	a->n = 0;
	bf(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	   "<AutodiscoverResponse AccessLocation=\"External\"><User>"
	   "<Link token=\"Redirect\" href=\"https://%s/Autodiscover/"
	   "AutodiscoverService.svc/root?originalDomain=%s\"/></User>"
	   "</AutodiscoverResponse>", web2, g->dom);
	h_resp(g, 200, "OK");
	h_iis(g, "private");
	h_end(g, "application/vnd.microsoft.rtc.autodiscover+xml; v=1", a, 1);
	emit(g, 40, 250);
	tick(g, 5, 40);
	note(g, T_WEB, "INFO", "Autodiscover: the home pool of sip:%s is "
	     "%s, continuing at https://%s/Autodiscover/"
	     "AutodiscoverService.svc/root", s->me.uri, home, web2);
	dns_a(g, web2, "203.0.113.21");
	web_connect(g, "203.0.113.21");
	h_req(g, "GET", "/Autodiscover/AutodiscoverService.svc/root?"
	      "originalDomain=%s", g->dom);
	bputs(&g->m.b, "Accept: application/vnd.microsoft.rtc.autodiscover+"
	      "xml;v=1\r\n");
	h_client_hdrs(g, web2);
	h_end(g, NULL, NULL, 0);
	emit(g, 5, 60);
	a->n = 0;
	bf(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	   "<AutodiscoverResponse AccessLocation=\"External\"><Root>"
	   "<Link token=\"User\" href=\"https://%s/Autodiscover/"
	   "AutodiscoverService.svc/root/oauth/user?originalDomain=%s\"/>"
	   "</Root></AutodiscoverResponse>", web2, g->dom);
	h_resp(g, 200, "OK");
	h_iis(g, "no-cache");
	h_end(g, "application/vnd.microsoft.rtc.autodiscover+xml; v=1", a, 1);
	emit(g, 40, 250);
	autodisc_user_get(g, web2, tk);
	autodisc_user_xml(g, a, home, web2);
	h_resp(g, 200, "OK");
	h_iis(g, "private");
	h_end(g, "application/vnd.microsoft.rtc.autodiscover+xml; v=1", a, 1);
	emit(g, 40, 250);
	disc_completed(g, web2);
	tick(g, 10, 80);
	note(g, T_SIP, "INFO", "Security: no valid user certificate for "
	     "sip:%s in the store, getting one from https://%s/CertProv/"
	     "CertProvisioningService.svc", s->me.uri, web2);
	certprov_post(g, web2);
	sip_edge(g);
	dlg_new(g, &d);
	reg_offer(g, &d);
	reg_tlsdsk_legs(g, &d);
	signin_done(g, &d);
}

/* The 401 that offers the methods again after failed credentials. */
static void reg_refused(struct gen *g, struct dlg *d)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	char web[96];

	reg_resp(g, d, 401, "Unauthorized");
	put_date(g);
	bf(b, "WWW-Authenticate: NTLM realm=\"" REALM "\", targetname=\"%s\","
	   " version=4\r\n", s->srv->fqdn);
	bf(b, "WWW-Authenticate: TLS-DSK realm=\"" REALM "\", targetname="
	   "\"%s\", version=4, sts-uri=\"https://%s/CertProv/"
	   "CertProvisioningService.svc\"\r\n", s->srv->fqdn,
	   web_host(g, web, sizeof web));
	m_rdlg(g, d, 1);
	bputs(b, "Server: RTC/6.0\r\n");
	m_end(g, NULL, NULL);
	emit(g, 30, 200);
}

/* Scenario register-401-loop: credentials refused until the client
 * gives up (7 REGISTERs, all 401). */
static void sc_401_loop(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;
	char data[256];
	const char *at;
	unsigned i, tries = 3;
	struct diag dg = {
		"TL_WARN", "warning", "NTLM authentication of the client "
		"failed: unknown user name or bad password",
		"0x8009030c SEC_E_LOGON_DENIED", NULL, NULL, 830
	};

	ext_begin(g, &d);
	at = strchr(s->me.uri, '@');
	snprintf(data, sizeof data, "user=\"%s\\%.*s\"; auth-method=\"NTLM\"; "
		 "client-address=\"%s\"", g->nb, (int)(at - s->me.uri),
		 s->me.uri, s->natp);
	dg.peer = s->edgep;
	dg.data = data;
	for (i = 0; i < tries; i++) {
		reg_ntlm_legs(g, &d);
		tick(g, 3, 20);
		ev_diag(g, s->srv, &dg, &d);
		reg_refused(g, &d);
		if (i + 1 < tries) {
			tick(g, 1500, 7000);
			note(g, T_UI, "WARN", "SignIn: credentials rejected "
			     "by %s (attempt %u), asking the user again",
			     s->srv->fqdn, i + 1);
		}
	}
	tick(g, 20, 200);
	note(g, T_SIP, "ERROR", "SignIn: giving up after %u REGISTER "
	     "requests all answered 401 Unauthorized, hr=0xC0430004 "
	     "(SIP_E_AUTH_UNAUTHORIZED)", 1 + 2 * tries);
}

/* The client's multi-line web service failure entry. */
static void wws_error(struct gen *g, const char *url, const char *hr)
{
	unsigned ctx = (unsigned)(rnd(&g->rr) & 0x3FFFFFF8u);
	unsigned req = (unsigned)(rnd(&g->rr) >> 34);
	unsigned cb = (unsigned)(rnd(&g->rr) & 0x3FFFFFFCu);

	note(g, T_WEB, "ERROR", "Executing wws method with OAuth, "
	     "asyncContext=%08X,\n context: WebRequest context@ :%u\n"
	     " MethodType:1\n ExecutionComplete? :1\n Callback@ :%08X\n"
	     "  AsyncHResult:%s\n  TargetUri:%s\n"
	     " Error: The server returned a trust fault: 'The web ticket is "
	     "invalid.'\n The fault reason was: 'wsse:InvalidSecurityToken'",
	     ctx, req, cb, hr, url);
}

/* X-Ms-diagnostics of an invalid web ticket (FORMATS.md 3). */
static void ms_28032(struct gen *g)
{
	bf(&g->m.b, "X-Ms-diagnostics: 28032;source=\"%s\";reason=\"The web "
	   "ticket is invalid.\";faultcode=\"wsse:InvalidSecurityToken\"\r\n",
	   g->fe1.fqdn);
}

/* The Front End's component that checks web tickets. */
#define WT_WHERE "WebInfrastructure,WebTicketAuthModule::ValidateTicket:" \
		 "WebTicketAuthModule.cs(377)"

/*
 * Autodiscover's user resource asked with a fresh web ticket (into tk)
 * that the Front End rejects: 401 with X-Ms-diagnostics 28032 (and the
 * web ticket service offered again if offer).
 */
static void webticket_rejected(struct gen *g, const char *web, char *tk,
			       size_t cap, int offer)
{
	struct sc *s = &g->s;
	struct buf *a = &g->body2;

	webticket_header(g, tk, cap);
	h_req(g, "GET", "/Autodiscover/AutodiscoverService.svc/root/"
	      "user?originalDomain=%s", g->dom);
	bputs(&g->m.b, "Accept: application/vnd.microsoft.rtc."
	      "autodiscover+xml;v=1\r\n");
	bputs(&g->m.b, tk);
	h_client_hdrs(g, web);
	h_end(g, NULL, NULL, 0);
	emit(g, 10, 90);
	tick(g, 3, 30);
	srv_line(g, &g->web, "TL_WARN", "TF_COMPONENT", WT_WHERE, 0,
		 "Web ticket rejected for sip:%s: signature does not "
		 "verify with the certificate of the web ticket "
		 "issuer (subject CN=sip.%s, expected CN=%s); "
		 "X-Ms-diagnostics 28032", s->me.uri, g->dom, web);
	html_err(a, 401, "Unauthorized");
	h_resp(g, 401, "Unauthorized");
	h_iis(g, "private");
	if (offer)
		www_oauth(g, web);
	ms_28032(g);
	h_end(g, "text/html", a, 1);
	emit(g, 30, 200);
}

/* Scenario webticket-28032-loop: rounds of 401 / 28032, then 500. */
static void sc_webticket(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *a = &g->body2;
	struct dlg d;
	char web[96], url[160], tk[200];
	unsigned round, rounds = 4;
	static const char wt_path[] = "/WebTicket/WebTicketService.svc/OAuth";

	sc_begin(g, 1, &g->fe1);
	web_host(g, web, sizeof web);
	signin_start(g);
	disc_lyncdiscover(g, 1);
	sip_edge(g);
	dlg_new(g, &d);
	reg_offer(g, &d);
	tick(g, 10, 80);
	note(g, T_SIP, "INFO", "Security: no valid user certificate for "
	     "sip:%s in the store, a web ticket is needed for https://%s/"
	     "CertProv/CertProvisioningService.svc", s->me.uri, web);
	web_connect(g, "203.0.113.20");
	snprintf(url, sizeof url, "https://%s%s", web, wt_path);
	for (round = 1; round <= rounds; round++) {
		webticket_rejected(g, web, tk, sizeof tk, 1);

		soap_rst(g, &g->body, web);
		post_webticket(g, web, wt_path, tk);
		if (round < rounds) {
			tick(g, 3, 30);
			srv_line(g, &g->web, "TL_WARN", "TF_COMPONENT",
				 WT_WHERE, 0, "Web ticket rejected for "
				 "IssueToken from %s: InvalidSecurityToken; "
				 "X-Ms-diagnostics 28032", s->wpeer);
			a->n = 0;
			bputs(a, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap"
			      ".org/soap/envelope/\"><s:Body><s:Fault>"
			      "<faultcode xmlns:a=\"http://docs.oasis-open.org"
			      "/wss/2004/01/oasis-200401-wss-wssecurity-secext"
			      "-1.0.xsd\">a:InvalidSecurityToken</faultcode>"
			      "<faultstring xml:lang=\"en-US\">The web ticket "
			      "is invalid.</faultstring></s:Fault></s:Body>"
			      "</s:Envelope>");
			h_resp(g, 401, "Unauthorized");
			h_iis(g, "private");
			ms_28032(g);
			h_end(g, "text/xml; charset=utf-8", a, 1);
			emit(g, 30, 200);
			wws_error(g, url, "80f10041");
			tick(g, 1500, 9000);
			continue;
		}
		tick(g, 3, 30);
		srv_line(g, &g->web, "TL_ERROR", "TF_COMPONENT",
			 "WebInfrastructure,WebTicketService::IssueToken:"
			 "WebTicketService.cs(512)", 0,
			 "IssueToken failed for sip:%s: unhandled "
			 "SecurityTokenValidationException, answering 500",
			 s->me.uri);
		a->n = 0;
		bputs(a, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/"
		      "soap/envelope/\"><s:Body><s:Fault><faultcode>s:Server"
		      "</faultcode><faultstring xml:lang=\"en-US\">The server "
		      "was unable to process the request due to an internal "
		      "error.</faultstring></s:Fault></s:Body></s:Envelope>");
		h_resp(g, 500, "Internal Server Error");
		h_iis(g, "private");
		h_end(g, "text/xml; charset=utf-8", a, 1);
		emit(g, 50, 400);
		wws_error(g, url, "80f10041");
	}
	tick(g, 5, 60);
	note(g, T_WEB, "ERROR", "Bootstrap: GetAndPublishCert failed, "
	     "status=0x80ef0191");
	note(g, T_WEB, "INFO", "ACTION: AUTH FAIL - NEED NEW CERT");
	tick(g, 5, 60);
	note(g, T_UI, "ERROR", "SignIn: sign-in failed for sip:%s, "
	     "hr=0x80ef0191", s->me.uri);
}

/*
 * Scenario webticket-28032-register (the field case of issue #11): an
 * external client without a user certificate REGISTERs, is offered
 * TLS-DSK, and asks Autodiscover for its web ticket, which the Front
 * End rejects with X-Ms-diagnostics 28032.  The client logs only its
 * SIP traffic (web service calls go to another log), so its log shows
 * REGISTERs answered 401 and nothing else: the cause is in the trace.
 */
static void sc_webticket_reg(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;
	char web[96], tk[200];
	unsigned round, rounds = 3;

	sc_begin(g, 1, &g->fe1);
	web_host(g, web, sizeof web);
	signin_start(g);
	disc_lyncdiscover(g, 1);
	sip_edge(g);
	dlg_new(g, &d);
	for (round = 1; round <= rounds; round++) {
		reg_offer(g, &d);
		g->srv_only = 1;
		webticket_rejected(g, web, tk, sizeof tk, 0);
		g->srv_only = 0;
		tick(g, 1500, 6000);
		note(g, T_SIP, "WARN", "SignIn: REGISTER to %s answered 401 "
		     "Unauthorized (attempt %u), trying again",
		     s->srv->fqdn, round);
	}
	tick(g, 20, 200);
	note(g, T_SIP, "ERROR", "SignIn: giving up after %u REGISTER "
	     "requests all answered 401 Unauthorized, hr=0xC0430004 "
	     "(SIP_E_AUTH_UNAUTHORIZED)", rounds);
}

/* The 301 to REGISTER that sends the client to next, and its note. */
static void answer_301(struct gen *g, struct dlg *d, const char *by,
		       const char *next)
{
	reg_resp(g, d, 301, "Redirect request to Home Server");
	put_ainfo(g);
	m_rdlg(g, d, 1);
	hname(g, "Contact", "m");
	bf(&g->m.b, "<sip:%s:5061;transport=tls>\r\nServer: RTC/6.0\r\n",
	   next);
	m_end(g, NULL, NULL);
	emit(g, 30, 200);
	tick(g, 5, 60);
	note(g, T_SIP, "INFO", "SignIn: redirected by %s to home server "
	     "%s:5061, signing in again", by, next);
}

/* An internal sign-in at the Director, with Kerberos (home: the name
 * of the user's pool, pool02). */
static void director_signin(struct gen *g, struct dlg *d, char *home,
			    size_t cap)
{
	char pool[96];

	sc_begin(g, 0, &g->dir);
	pool_of(g, &g->fe2, home, cap);
	signin_start(g);
	disc_internal(g, pool_of(g, &g->dir, pool, sizeof pool), g->dir.ip);
	reg_kerberos(g, d);
}

/* Scenario redirect-301: Director, 301, sign-in at the home pool. */
static void sc_redirect(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;
	char home[96];

	director_signin(g, &d, home, sizeof home);
	tick(g, 3, 20);
	srv_line(g, &g->dir, "TL_INFO", "TF_COMPONENT",
		 "UserServices,HomeServerRedirector::Redirect:"
		 "HomeServerRedirector.cpp(233)", 0,
		 "User sip:%s is homed on %s: answering 301 Redirect request "
		 "to Home Server", s->me.uri, home);
	answer_301(g, &d, g->dir.fqdn, home);
	s->srv = &g->fe2;
	s->scheme = A_NONE;
	dns_a(g, home, "10.0.0.22");
	sip_connect(g, home, "10.0.0.22", 5061, &g->fe2);
	reg_kerberos(g, &d);
	signin_done(g, &d);
}

/* Scenario forbidden-4003: NTLM sign-in refused with 403 / 4003. */
static void sc_4003(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;
	char data[256];
	struct diag dg = {
		"TL_WARN", "warning", "Registration refused: the user is not "
		"enabled for remote user access by the external access policy",
		NULL, NULL, NULL, 830
	};

	ext_begin(g, &d);
	reg_ntlm_legs(g, &d);
	snprintf(data, sizeof data, "uri=\"sip:%s\"; policy=\"Global\"; "
		 "ms-diagnostics=\"4003\"", s->me.uri);
	dg.peer = s->edgep;
	dg.data = data;
	tick(g, 3, 20);
	ev_diag(g, s->srv, &dg, &d);
	reg_resp(g, &d, 403, "Forbidden");
	put_ainfo(g);
	m_rdlg(g, &d, 1);
	bf(&g->m.b, "ms-diagnostics: 4003;reason=\"From URI not enabled for "
	   "remote access\";source=\"%s\"\r\nServer: RTC/6.0\r\n",
	   s->srv->fqdn);
	m_end(g, NULL, NULL);
	emit(g, 30, 200);
	tick(g, 5, 60);
	note(g, T_SIP, "ERROR", "SignIn: REGISTER answered 403 Forbidden "
	     "(ms-diagnostics 4003: From URI not enabled for remote "
	     "access), sign-in stopped");
}

/* ---- im-call-traffic ---------------------------------------------- */

/* The SDP of an IM session offer or answer, into b. */
static void sdp_im(struct buf *b, const char *ip)
{
	b->n = 0;
	bf(b, "v=0\r\no=- 0 0 IN IP4 %s\r\ns=session\r\nc=IN IP4 %s\r\n"
	   "t=0 0\r\nm=message 5060 sip null\r\na=accept-types:text/plain "
	   "multipart/alternative image/gif text/rtf text/html "
	   "application/x-ms-ink application/ms-imdn+xml "
	   "text/x-msmsgsinvite\r\n", ip, ip);
}

/* The SDP of an audio call offer (ICE candidates, SRTP), into b. */
static void sdp_audio(struct gen *g, struct buf *b)
{
	struct sc *s = &g->s;
	unsigned port = 2 * rrange(&g->r, 25000, 32000);

	b->n = 0;
	bf(b, "v=0\r\no=- 0 0 IN IP4 %s\r\ns=session\r\nc=IN IP4 %s\r\n"
	   "b=CT:99980\r\nt=0 0\r\nm=audio %u RTP/SAVP 117 104 114 9 0 8 "
	   "101\r\na=candidate:1 1 UDP 2130706431 %s %u typ host\r\n"
	   "a=candidate:1 2 UDP 2130705918 %s %u typ host\r\n"
	   "a=candidate:2 1 UDP 16648447 203.0.113.30 %u typ relay raddr "
	   "%s rport %u\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:",
	   s->lip, s->lip, port, s->lip, port, s->lip, port + 1,
	   rrange(&g->r, 50000, 59999), s->nat, port);
	rb64(&g->r, b, 40);
	bf(b, "|2^31|1:1\r\na=rtcp:%u\r\na=label:main-audio\r\n"
	   "a=rtpmap:117 G722/8000/2\r\na=rtpmap:104 SILK/16000\r\n"
	   "a=rtpmap:114 x-msrta/16000\r\na=rtpmap:9 G722/8000\r\n"
	   "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
	   "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
	   "a=ptime:20\r\n", port + 1);
}

/* Headers of the client's INVITE after CSeq. */
static void invite_hdrs(struct gen *g, const char *to)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	char conv[29];

	rtok(&g->r, conv, 28, b64a);
	put_contact_gruu(g, &s->me);
	bf(b, "User-Agent: " UA "\r\nSupported: ms-dialog-route-set-update\r\n"
	   "Ms-Conversation-ID: %s\r\nSupported: timer\r\n"
	   "Supported: histinfo\r\nSupported: ms-safe-transfer\r\n"
	   "Supported: ms-sender\r\nSupported: ms-early-media\r\n"
	   "Supported: Replaces\r\nRoster-Manager: sip:%s\r\n"
	   "EndPoints: <sip:%s>, <sip:%s>\r\n"
	   "Supported: com.microsoft.rtc-multiparty\r\n"
	   "ms-keep-alive: UAC;hop-hop=yes\r\n", conv, s->me.uri, s->me.uri,
	   to);
}

/* A 1xx-6xx answer relayed from the far end (or the server). */
static void far_resp(struct gen *g, struct dlg *d, unsigned code,
		     const char *reason, const struct party *p)
{
	struct buf *b = &g->m.b;

	m_resp(g, d, code, reason);
	if (code >= 180)
		put_ainfo(g);
	m_rdlg(g, d, code > 100);
	if (p) {
		put_contact_gruu(g, p);
		bputs(b, "User-Agent: " UA "\r\n");
	} else {
		bputs(b, "Server: RTC/6.0\r\n");
	}
}

/* The client's own 200 OK to a request from the server side. */
static void client_200(struct gen *g, struct dlg *d)
{
	m_resp(g, d, 200, "OK");
	m_rdlg(g, d, 1);
	bputs(&g->m.b, "User-Agent: " UA "\r\n");
	m_end(g, NULL, NULL);
	emit(g, 3, 25);
}

/* An IM conversation: INVITE to BYE, messages both ways, typing. */
static void im_session(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b, *q = &g->body, *a = &g->body2;
	struct party *p = &s->peer;
	struct dlg d;
	char ruri[160], pgruu[200], mygruu[200];
	static const char text1[] =
		"Hi Chlo\xC3\xA9, do you have five minutes for the Atlas "
		"review?";

	snprintf(ruri, sizeof ruri, "sip:%s", p->uri);
	snprintf(pgruu, sizeof pgruu, "sip:%s;opaque=user:epid:%s;gruu",
		 p->uri, p->gruu);
	snprintf(mygruu, sizeof mygruu, "sip:%s;opaque=user:epid:%s;gruu",
		 s->me.uri, s->me.gruu);
	dlg_new(g, &d);
	sdp_im(q, s->lip);
	tick(g, 2000, 20000);
	note(g, T_UI, "INFO", "Conversation: new IM conversation with sip:%s",
	     p->uri);
	m_req(g, &d, "INVITE", ruri, p->uri, 1);
	invite_hdrs(g, p->uri);
	bputs(b, "Ms-Text-Format: text/plain; charset=UTF-8;ms-body=");
	b64enc(b, text1, sizeof text1 - 1);
	bputs(b, "\r\nSupported: ms-renders-gif\r\nSupported: ms-ims\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "application/sdp", q);
	emit(g, 5, 40);
	far_resp(g, &d, 100, "Trying", NULL);
	m_end(g, NULL, NULL);
	emit(g, 15, 60);
	rtag_new(g, &d);
	far_resp(g, &d, 180, "Ringing", p);
	m_end(g, NULL, NULL);
	emit(g, 60, 400);
	sdp_im(a, "10.0.2.77");
	far_resp(g, &d, 200, "OK", p);
	bputs(b, "Supported: ms-dialog-route-set-update, ms-safe-transfer, "
	      "ms-sender, ms-early-media, timer, histinfo\r\n");
	m_end(g, "application/sdp", a);
	emit(g, 800, 4000);
	m_ack(g, &d, pgruu, p->uri, 0);
	bputs(b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, NULL, NULL);
	emit(g, 3, 20);

	q->n = 0;
	bput(q, text1, sizeof text1 - 1);
	m_req(g, &d, "MESSAGE", pgruu, p->uri, 1);
	bputs(b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "text/plain; charset=UTF-8", q);
	emit(g, 20, 200);
	far_resp(g, &d, 200, "OK", p);
	m_end(g, NULL, NULL);
	emit(g, 40, 250);

	q->n = 0;
	bputs(q, "<?xml version=\"1.0\"?><KeyboardActivity><status status="
	      "\"type\" /></KeyboardActivity>");
	m_req(g, &d, "INFO", pgruu, p->uri, 1);
	bputs(b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "application/xml", q);
	emit(g, 2000, 9000);
	far_resp(g, &d, 200, "OK", p);
	m_end(g, NULL, NULL);
	emit(g, 40, 250);

	/* the answer comes back in the same dialog, from the far end */
	q->n = 0;
	bputs(q, "Sure, call me in two minutes.\r\n");
	m_sreq(g, &d, "MESSAGE", mygruu, p, 1);
	bputs(b, "User-Agent: " UA "\r\n");
	m_end(g, "text/plain; charset=UTF-8", q);
	emit(g, 3000, 15000);
	client_200(g, &d);

	m_req(g, &d, "BYE", pgruu, p->uri, 1);
	bputs(b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, NULL, NULL);
	emit(g, 20000, 90000);
	far_resp(g, &d, 200, "OK", p);
	m_end(g, NULL, NULL);
	emit(g, 40, 250);
}

/* Presence BENOTIFY (no answer by design) and a contacts NOTIFY. */
static void notifies(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b, *q = &g->body;
	struct dlg d;
	char mygruu[200];
	unsigned inst, ver, avail;

	snprintf(mygruu, sizeof mygruu, "sip:%s;opaque=user:epid:%s;gruu",
		 s->me.uri, s->me.gruu);
	dlg_new(g, &d);
	inst = rrange(&g->r, 1, 9);
	ver = rrange(&g->r, 2, 90);
	avail = 3500 + 3000 * rbelow(&g->r, 3);
	q->n = 0;
	bf(q, "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/"
	   "categories\" uri=\"sip:%s\"><category name=\"state\" "
	   "instance=\"%u\" container=\"2\" version=\"%u\" "
	   "expireType=\"endpoint\"><state xsi:type=\"aggregateState\" "
	   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	   "xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\">"
	   "<availability>%u</availability></state></category>"
	   "</categories>", s->peer.uri, inst, ver, avail);
	m_sreq(g, &d, "BENOTIFY", mygruu, &s->me, 0);
	bputs(b, "Event: presence\r\nsubscription-state: active;"
	      "expires=36000\r\nRequire: eventlist\r\n");
	m_end(g, "application/msrtc-event-categories+xml", q);
	emit(g, 500, 6000);

	dlg_new(g, &d);
	q->n = 0;
	bf(q, "<contactDelta deltaNum=\"%u\" prevDeltaNum=\"%u\" xmlns=\""
	   "http://schemas.microsoft.com/2006/09/sip/roaming-contacts\">"
	   "<modifiedContact uri=\"%s\" name=\"\" groups=\"1 2\" "
	   "subscribed=\"true\" externalURI=\"\"/></contactDelta>",
	   41u, 40u, s->peer.uri);
	m_sreq(g, &d, "NOTIFY", mygruu, &s->me, 0);
	bputs(b, "Event: vnd-microsoft-roaming-contacts\r\n"
	      "subscription-state: active;expires=42100\r\n");
	m_end(g, "application/vnd-microsoft-roaming-contacts+xml", q);
	emit(g, 500, 6000);
	client_200(g, &d);
}

/* OPTIONS to a contact (capability query) and its answer. */
static void options_ping(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	struct dlg d;
	char ruri[160];

	snprintf(ruri, sizeof ruri, "sip:%s", s->peer.uri);
	dlg_new(g, &d);
	m_req(g, &d, "OPTIONS", ruri, s->peer.uri, 1);
	put_contact_gruu(g, &s->me);
	bputs(b, "User-Agent: " UA "\r\nAccept: application/sdp\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, NULL, NULL);
	emit(g, 1000, 8000);
	rtag_new(g, &d);
	far_resp(g, &d, 200, "OK", &s->peer);
	bputs(b, "Accept: application/sdp\r\nAllow: INVITE, BYE, ACK, CANCEL, "
	      "INFO, UPDATE, MESSAGE, SUBSCRIBE, NOTIFY, BENOTIFY, OPTIONS, "
	      "REFER\r\nSupported: ms-dialog-route-set-update, "
	      "ms-safe-transfer, ms-sender, ms-early-media, timer, histinfo"
	      "\r\n");
	m_end(g, NULL, NULL);
	emit(g, 40, 300);
}

/* INVITE answered with a final failure, then the ACK. */
static void failed_call(struct gen *g, const char *to, int phone,
			unsigned code, const char *reason, const char *diag)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b, *q = &g->body;
	struct dlg d;
	char ruri[160];

	snprintf(ruri, sizeof ruri, "sip:%s%s", to, phone ? ";user=phone" :
		 "");
	dlg_new(g, &d);
	if (phone)
		sdp_audio(g, q);
	else
		sdp_im(q, s->lip);
	m_req(g, &d, "INVITE", ruri, to, 1);
	invite_hdrs(g, to);
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "application/sdp", q);
	emit(g, 2000, 30000);
	far_resp(g, &d, 100, "Trying", NULL);
	m_end(g, NULL, NULL);
	emit(g, 15, 60);
	tick(g, phone ? 400 : 3000, phone ? 3000 : 9000);
	if (phone) {
		char peer[96];
		struct diag dg = {
			"TL_WARN", "warning", "Outbound routing: the gateway "
			"answered a final failure, no alternate route",
			"0xc3e93c5e SIPPROXY_E_ROUTING", NULL, NULL, 0
		};

		snprintf(peer, sizeof peer, "med01.%s:5070", g->dom);
		dg.peer = peer;
		ev_comp_diag(g, s->srv, "TL_WARN",
			     "SIPStack,COutboundRouting::OnFinalResponse:"
			     "OutboundRouting.cpp(1184)",
			     "Exit - outbound route failed. Result "
			     "0xC3E93C5E(SIPPROXY_E_ROUTING)", &dg, &d);
	} else {
		char peer[96], data[200];
		struct diag dg = {
			"TL_ERROR", "error", "Federated peer certificate "
			"does not carry the FQDN found through DNS SRV; "
			"message not routed",
			"0xc3e93d67 SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
			NULL, NULL, 833
		};
		const char *fd = strchr(to, '@');

		fd = fd ? fd + 1 : to;
		snprintf(peer, sizeof peer, "sip.%s:5061", fd);
		snprintf(data, sizeof data, "expected-fqdn=\"sip.%s\"; "
			 "cert-subject=\"edge-old.%s\"", fd, fd);
		dg.peer = peer;
		dg.data = data;
		ev_diag(g, &g->edge, &dg, &d);
	}
	rtag_new(g, &d);
	far_resp(g, &d, code, reason, NULL);
	bputs(b, diag);
	m_end(g, NULL, NULL);
	emit(g, 3, 20);
	m_ack(g, &d, ruri, to, 1);
	bputs(b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, NULL, NULL);
	emit(g, 3, 20);
	tick(g, 5, 60);
	note(g, T_UI, "WARN", "Conversation: call to %s failed with %u %s",
	     to, code, reason);
}

/* The call quality report: one-line <VQReportEvent> XML. */
static void vq_report(struct gen *g)
{
	struct sc *s = &g->s;
	struct buf *b = &g->m.b, *q = &g->body;
	struct dlg d;
	char ruri[160], sid[33];
	unsigned jitter, loss;

	rhex(&g->r, sid, 32, 0);
	jitter = rrange(&g->r, 1, 40);
	loss = rbelow(&g->r, 10);
	q->n = 0;
	bf(q, "<VQReportEvent xmlns=\"ms-rtcp-metrics.v2\"><VQSessionReport "
	   "SessionId=\"%s\"><Endpoint Name=\"%s\"><v2:OS xmlns:v2=\""
	   "ms-rtcp-metrics.v2\">Windows 10</v2:OS></Endpoint><DialogInfo "
	   "CallId=\"%s\" FromTag=\"%s\" ToTag=\"%s\" Start=\"...\">"
	   "<FromURI>sip:%s</FromURI><ToURI>sip:%s</ToURI><Caller>true"
	   "</Caller></DialogInfo><MediaLine><Description><Connectivity>"
	   "<Ice>ICEv19</Ice><RelayAddress>203.0.113.30</RelayAddress>"
	   "</Connectivity></Description><InboundStream><Network><Jitter>"
	   "<InterArrival>%u</InterArrival></Jitter><PacketLoss><LossRate>"
	   "0.0%u</LossRate></PacketLoss></Network><Payload><Audio>"
	   "<PayloadDescription>SILK</PayloadDescription></Audio></Payload>"
	   "</InboundStream></MediaLine></VQSessionReport></VQReportEvent>",
	   sid, s->me.uri, sid, s->me.epid, s->peer.epid, s->me.uri,
	   s->peer.uri, jitter, loss);
	snprintf(ruri, sizeof ruri, "sip:%s", s->me.uri);
	dlg_new(g, &d);
	m_req(g, &d, "SERVICE", ruri, NULL, 0);
	put_contact_gruu(g, &s->me);
	bputs(b, "User-Agent: " UA "\r\n");
	put_pauth(g, "Proxy-Authorization");
	m_end(g, "application/vq-rtcpxr+xml", q);
	emit(g, 100, 2000);
	rtag_new(g, &d);
	far_resp(g, &d, 200, "OK", NULL);
	m_end(g, NULL, NULL);
	emit(g, 20, 150);
}

/*
 * An external user already signed in (TLS-DSK): the log starts on a
 * live connection to fe01, mid-way through its signature counters.
 */
static void live_session(struct gen *g)
{
	struct sc *s = &g->s;

	sc_begin(g, 1, &g->fe1);
	connect_to(g, "203.0.113.10", 443);
	auth_begin(g, A_TLSDSK);
	s->cnum = rrange(&g->r, 20, 80);
	s->snum = s->cnum + rrange(&g->r, 0, 4);
}

/* Scenario im-call-traffic: everyday traffic, two failed calls. */
static void sc_traffic(struct gen *g)
{
	struct sc *s = &g->s;
	char diag[256], phone[96];

	live_session(g);
	tick(g, 100, 2000);
	note(g, T_UI, "INFO", "Session: signed in as sip:%s on %s (auth "
	     "TLS-DSK), connection %s -> %s", s->me.uri, s->srv->fqdn,
	     s->laddr, s->raddr);
	notifies(g);
	im_session(g);
	options_ping(g);
	snprintf(phone, sizeof phone, "+1425555%04u@%s",
		 rrange(&g->r, 100, 9999), g->dom);
	snprintf(diag, sizeof diag, "ms-diagnostics: 10003;reason=\"Proxy "
		 "returned a SIP failure code\";source=\"med01.%s\";"
		 "ResponseCode=\"480\"\r\n", g->dom);
	failed_call(g, phone, 1, 480, "Temporarily Unavailable", diag);
	snprintf(diag, sizeof diag, "ms-diagnostics: 1010;reason="
		 "\"Certificate trust with next-hop server could not be "
		 "established\";source=\"%s\"\r\n", g->edge.fqdn);
	failed_call(g, s->fed.uri, 0, 504, "Server time-out", diag);
	vq_report(g);
}

/* ------------------------------------------------------------------ */
/* extra scenarios: one signature each, for the rule fixtures           */
/* (not in the default run, so the bundled samples stay as they are)   */

/* A registrar's refusal of a REGISTER: what each side logs. */
struct refusal {
	int edge;               /* answered by the Edge before any 401 */
	unsigned code;
	const char *reason;
	unsigned diag;
	const char *diag_reason;
	const char *cls_text;   /* TF_DIAG Text: */
	const char *cls_rc;     /* Result-Code:, NULL for none */
	const char *cls_data;   /* Data: before the user's uri="..." */
	const char *note;       /* client line, " for sip:URI" follows */
	const char *hr;         /* then ", hr=..." when not NULL */
};

/* External NTLM sign-in (or a REGISTER at the Edge) refused with r. */
static void sc_refused(struct gen *g, const struct refusal *r)
{
	struct sc *s = &g->s;
	struct dlg d;
	char data[256];
	struct diag dg = { "TL_WARN", "warning", NULL, NULL, NULL, NULL,
			   830 };

	sc_begin(g, 1, r->edge ? &g->edge : &g->fe1);
	signin_start(g);
	disc_lyncdiscover(g, 0);
	sip_edge(g);
	dlg_new(g, &d);
	if (r->edge) {
		tick(g, 5, 40);
		note(g, T_SIP, "INFO", "Register: sending REGISTER to %s, "
		     "no credentials yet (security association not set up)",
		     s->raddr);
		reg_req(g, &d);
		m_end(g, NULL, NULL);
		emit(g, 5, 30);
	} else {
		reg_offer(g, &d);
		reg_ntlm_legs(g, &d);
	}
	snprintf(data, sizeof data, "%s%suri=\"sip:%s\"", r->cls_data,
		 *r->cls_data ? "; " : "", s->me.uri);
	dg.lvl = r->edge ? "TL_ERROR" : "TL_WARN";
	dg.sev = r->edge ? "error" : "warning";
	dg.text = r->cls_text;
	dg.rc = r->cls_rc;
	dg.peer = r->edge ? "fe01.contoso.com:5061" : s->edgep;
	dg.data = data;
	tick(g, 3, 20);
	ev_diag(g, s->srv, &dg, &d);
	reg_resp(g, &d, r->code, r->reason);
	if (!r->edge && r->code != 401)
		put_ainfo(g);
	m_rdlg(g, &d, 1);
	bf(&g->m.b, "ms-diagnostics: %u;reason=\"%s\";source=\"%s\"\r\n"
	   "Server: RTC/6.0\r\n", r->diag, r->diag_reason, s->srv->fqdn);
	m_end(g, NULL, NULL);
	emit(g, 30, 200);
	tick(g, 5, 60);
	note(g, T_SIP, "ERROR", "%s for sip:%s%s%s", r->note, s->me.uri,
	     r->hr ? ", hr=" : "", r->hr ? r->hr : "");
}

/* The REGISTER refusals of the extra scenarios (scenario table). */
enum { R_1010, R_4005, R_4004, R_1013, R_17000, R_17002, R_480,
       R_1014 };

static const struct refusal refusals[] = {
	[R_1010] = {
		1, 504, "Server time-out", 1010, "Certificate trust with "
		"next-hop server could not be established",
		"Outgoing TLS negotiation failed: the next hop's certificate "
		"does not carry the FQDN configured for it",
		"0xc3e93d67 SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
		"expected-fqdn=\"fe01.contoso.com\"; certName="
		"\"sip.contoso.com\"",
		"SignIn: REGISTER answered 504 Server time-out "
		"(ms-diagnostics 1010), sign-in failed", "0x80ef01f8"
	},
	[R_4005] = {
		0, 404, "Not Found", 4005, "Destination URI either not "
		"enabled for SIP or does not exist",
		"Registration refused: no SIP-enabled user for this URI",
		NULL, "",
		"SignIn: REGISTER answered 404 Not Found (ms-diagnostics "
		"4005), sign-in failed", "0x80ef0194"
	},
	[R_4004] = {
		0, 403, "Forbidden", 4004, "Credentials provided are not "
		"authorized to act as specified from URI",
		"Registration refused: the authenticated account does not "
		"own this SIP URI", NULL, "",
		"SignIn: REGISTER answered 403 Forbidden (ms-diagnostics "
		"4004), sign-in failed", "0x80ef0193"
	},
	[R_1013] = {
		0, 401, "Unauthorized", 1013, "Significant time skew "
		"detected during authentication",
		"NTLM authentication of the client failed: time skew "
		"between client and server", "0x80090324 SEC_E_TIME_SKEW",
		"auth-method=\"NTLM\"",
		"Security: authentication failed, SEC_E_TIME_SKEW "
		"(0x80090324): client clock differs from the server,", NULL
	},
	[R_17000] = {
		0, 503, "Service Unavailable", 17000, "Server overloaded",
		"Registration refused: the server is throttling new "
		"requests", NULL, "",
		"SignIn: REGISTER answered 503 Service Unavailable "
		"(ms-diagnostics 17000), sign-in failed", "0x80ef01f7"
	},
	[R_17002] = {
		0, 403, "Forbidden", 17002, "Invalid protocol client "
		"version", "Client version filter blocked the User-Agent "
		"of this client", NULL, "policy=\"Global\"",
		"SignIn: REGISTER answered 403 Forbidden (ms-diagnostics "
		"17002), sign-in failed", "0x80ef0193"
	},
	[R_480] = {
		0, 480, "Temporarily Unavailable", 1007, "Temporarily "
		"cannot route", "Registration failed: the user's home pool "
		"did not answer", NULL, "",
		"SignIn: REGISTER answered 480 Temporarily Unavailable, "
		"sign-in failed", "0x80ef01e0"
	},
	[R_1014] = {
		1, 504, "Server time-out", 1014, "Unable to resolve DNS A "
		"record", "Next hop FQDN could not be resolved",
		"0x8007232b DNS_ERROR_RCODE_NAME_ERROR",
		"fqdn=\"fe01.contoso.com\"",
		"SignIn: REGISTER answered 504 Server time-out "
		"(ms-diagnostics 1014), sign-in failed", "0x80ef01f8"
	},
};

/* Scenario cert-untrusted: the Edge's certificate is not trusted. */
static void sc_cert_untrusted(struct gen *g)
{
	struct sc *s = &g->s;
	char n[96];

	sc_begin(g, 1, &g->edge);
	signin_start(g);
	disc_lyncdiscover(g, 0);
	snprintf(n, sizeof n, "sip.%s", g->dom);
	dns_a(g, n, "203.0.113.10");
	connect_to(g, "203.0.113.10", 443);
	tick(g, 20, 150);
	note(g, T_SIP, "ERROR", "TLS: handshake with %s (%s) failed, "
	     "hr=0x80090325 SEC_E_UNTRUSTED_ROOT: the certificate chain "
	     "was issued by an authority that is not trusted", s->raddr, n);
	srv_line(g, &g->edge, "TL_WARN", "TF_CONNECTION",
		 "SIPStack,CSIPTransportLayer::OnHandshakeFailure:"
		 "TransportLayer.cpp(1733)", 1,
		 "TLS handshake with %s failed: the client aborted it "
		 "(alert unknown_ca), hr=0x80090325", s->natp);
	tick(g, 10, 80);
	note(g, T_UI, "ERROR", "SignIn: sign-in failed for sip:%s, "
	     "hr=0x80090325", s->me.uri);
}

/* Scenario proxy-407: an HTTP proxy wants credentials for lyncdiscover.
 * Only the client sees it (the server trace has nothing of it). */
static void sc_proxy_407(struct gen *g)
{
	struct sc *s = &g->s;
	const char *d = g->dom, *u = s->me.uri;
	struct buf *b = &g->body;
	char n[96];
	unsigned i;

	sc_begin(g, 1, &g->edge);
	signin_start(g);
	tick(g, 5, 40);
	note(g, T_WEB, "INFO", "Lync autodiscovery started for sip:%s\n"
	     " internal: https://lyncdiscoverinternal.%s/?sipuri=%s\n"
	     " external: https://lyncdiscover.%s/?sipuri=%s", u, d, u, d, u);
	snprintf(n, sizeof n, "lyncdiscoverinternal.%s", d);
	dns_nx(g, n);
	web_connect(g, "192.168.1.8");
	for (i = 0; i < 2; i++) {
		h_req(g, "GET", "https://lyncdiscover.%s/?sipuri=%s", d, u);
		bf(&g->m.b, "Accept: application/vnd.microsoft.rtc."
		   "autodiscover+json;v=1\r\nUser-Agent: " UA "\r\nHost: "
		   "lyncdiscover.%s\r\nProxy-Connection: Keep-Alive\r\n", d);
		h_end(g, NULL, NULL, 0);
		if (g->fmt == F_UCC)
			emit(g, 20, 90);
		else
			tick(g, 20, 90);
		b->n = 0;
		bputs(b, "<html><body>Proxy authentication required"
		      "</body></html>");
		h_resp(g, 407, "Proxy Authentication Required");
		bputs(&g->m.b, "Proxy-Authenticate: Negotiate\r\n"
		      "Proxy-Authenticate: NTLM\r\nVia: 1.1 proxy01\r\n"
		      "Connection: close\r\n");
		h_end(g, "text/html", b, 1);
		if (g->fmt == F_UCC)
			emit(g, 20, 90);
		else
			tick(g, 20, 90);
	}
	tick(g, 5, 40);
	note(g, T_WEB, "WARN", "Lync autodiscovery completed with hr: "
	     "0X80004005 sipint: sipext: authint: authext: ucwaint: "
	     "ucwaext: wts: ucwaurl: telemetryurl: isServiceInRefresh: 0 "
	     "isTempError: 0");
	tick(g, 5, 60);
	note(g, T_SIP, "WARN", "DNS: query _sip._tls.%s type SRV failed, "
	     "status=0x8007232b (DNS name does not exist)", d);
	tick(g, 10, 80);
	note(g, T_UI, "ERROR", "SignIn: sign-in failed for sip:%s, "
	     "hr=0x80ee0057", u);
}

/* Scenario kerberos-then-ntlm: inside, Kerberos offered, NTLM used. */
static void sc_kerb_ntlm(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;

	int_begin(g);
	dlg_new(g, &d);
	reg_offer(g, &d);
	tick(g, 10, 90);
	note(g, T_SIP, "WARN", "Security: no Kerberos ticket for sip/%s "
	     "(no domain controller answered), using NTLM",
	     s->srv->fqdn);
	reg_ntlm_legs(g, &d);
	signin_done(g, &d);
}

/* Scenario ntlm-extra-round: the first NTLM handshake is refused and
 * redone, so the sign-in takes 5 REGISTER pairs instead of 3. */
static void sc_ntlm_extra(struct gen *g)
{
	struct dlg d;

	ext_begin(g, &d);
	reg_ntlm_legs(g, &d);
	reg_refused(g, &d);
	tick(g, 20, 200);
	note(g, T_SIP, "WARN", "Register: security association was not "
	     "accepted, authenticating again");
	reg_ntlm_legs(g, &d);
	signin_done(g, &d);
}

/* Scenario redirect-unreachable: 301 to a home pool that never
 * answers. */
static void sc_redirect_dead(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;
	char home[96];

	director_signin(g, &d, home, sizeof home);
	answer_301(g, &d, g->dir.fqdn, home);
	dns_a(g, home, "10.0.0.22");
	tick(g, 21000, 21500);
	note(g, T_SIP, "ERROR", "Transport: connect to 10.0.0.22:5061 "
	     "(%s) failed, error 10060 WSAETIMEDOUT", home);
	tick(g, 10, 80);
	note(g, T_UI, "ERROR", "SignIn: sign-in failed for sip:%s, "
	     "hr=0x80ee0057", s->me.uri);
}

/* Scenario redirect-loop: the Director sends the user to pool02,
 * which sends the user back to the Director, four times in all. */
static void sc_redirect_loop(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;
	char pool[96], home[96], dir[96];
	struct host *to[4];
	unsigned i;

	sc_begin(g, 0, &g->dir);
	pool_of(g, &g->fe2, home, sizeof home);
	pool_of(g, &g->dir, dir, sizeof dir);
	to[0] = &g->fe2;
	to[1] = &g->dir;
	to[2] = &g->fe2;
	to[3] = &g->dir;
	signin_start(g);
	disc_internal(g, pool_of(g, &g->dir, pool, sizeof pool), g->dir.ip);
	for (i = 0; i < 4; i++) {
		const char *next = to[i] == &g->fe2 ? home : dir;

		dlg_new(g, &d);
		reg_offer(g, &d);
		reg_kerb_leg(g, &d);
		answer_301(g, &d, s->srv->fqdn, next);
		if (i == 3)
			break;
		s->srv = to[i];
		s->scheme = A_NONE;
		dns_a(g, next, to[i]->ip);
		sip_connect(g, next, to[i]->ip, 5061, to[i]);
	}
	tick(g, 10, 80);
	note(g, T_UI, "ERROR", "SignIn: too many redirects, sign-in failed "
	     "for sip:%s, hr=0x80ef012d", s->me.uri);
}

/* Scenario registration-lost: signed in, then the refresh REGISTER is
 * refused. */
static void sc_reg_lost(struct gen *g)
{
	struct sc *s = &g->s;
	struct dlg d;

	ext_begin(g, &d);
	reg_ntlm_legs(g, &d);
	signin_done(g, &d);
	/* the refresh re-uses the registration's Call-ID */
	tick(g, 60000, 90000);
	note(g, T_SIP, "INFO", "Register: refreshing the registration");
	reg_req(g, &d);
	put_pauth(g, "Authorization");
	m_end(g, NULL, NULL);
	emit(g, 5, 30);
	reg_resp(g, &d, 481, "Call Leg/Transaction Does Not Exist");
	m_rdlg(g, &d, 1);
	bf(&g->m.b, "ms-diagnostics: 1004;reason=\"Route set is no longer "
	   "valid\";source=\"%s\"\r\nServer: RTC/6.0\r\n", s->srv->fqdn);
	m_end(g, NULL, NULL);
	emit(g, 30, 200);
	tick(g, 5, 60);
	note(g, T_SIP, "WARN", "SignIn: registration lost (481), signing "
	     "in again");
}

/* Scenario signin-slow: a healthy internal sign-in with a 40 s wait
 * before the first REGISTER. */
static void sc_slow(struct gen *g)
{
	struct dlg d;

	int_begin(g);
	tick(g, 40000, 41000);
	note(g, T_SIP, "WARN", "Register: no answer to the first attempt "
	     "after 40 s, sending REGISTER again on a new connection");
	reg_kerberos(g, &d);
	signin_done(g, &d);
}

/*
 * Scenario dense-signins (benchmark only, `make bench`): sign-ins and
 * nothing else, lean messages, the densest client log there is (the
 * dense log of issue 12).  Each is a fresh user on an open connection:
 * REGISTER 401, REGISTER with NTLM credentials 401, again 200, then
 * SUBSCRIBEs to three settings packages answered 200, each dialog with
 * a fresh Call-ID, and two to twelve free-text lines.
 */
static void sc_dense(struct gen *g)
{
	static const char *const events[] = {
		"vnd-microsoft-roaming-contacts",
		"vnd-microsoft-provisioning-v2", "presence",
	};
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	struct dlg d;
	char ruri[160];
	unsigned i, n;

	sc_begin(g, 1, &g->fe1);
	connect_to(g, "203.0.113.10", 443);
	auth_begin(g, A_NTLM);
	dlg_new(g, &d);
	snprintf(ruri, sizeof ruri, "sip:%s", g->dom);
	for (i = 0; i < 3; i++) {
		d.rtag[0] = '\0';
		m_req(g, &d, "REGISTER", ruri, NULL, 0);
		bputs(b, "User-Agent: " UA "\r\n");
		if (i > 0)
			put_authz(g, "NTLM", 0, "TlRMTVNTUAABAAAA", 40);
		m_end(g, NULL, NULL);
		emit(g, 1, 40);
		rtag_new(g, &d);
		m_resp(g, &d, i < 2 ? 401 : 200, i < 2 ? "Unauthorized"
							: "OK");
		m_rdlg(g, &d, 1);
		if (i < 2)
			bf(b, "WWW-Authenticate: NTLM realm=\"" REALM "\", "
			   "targetname=\"%s\", version=4\r\n", s->target);
		else
			put_ainfo(g);
		bputs(b, "Server: RTC/6.0\r\n");
		m_end(g, NULL, NULL);
		emit(g, 1, 40);
	}
	snprintf(ruri, sizeof ruri, "sip:%s", s->me.uri);
	for (i = 0; i < NELEM(events); i++) {
		dlg_new(g, &d);
		m_req(g, &d, "SUBSCRIBE", ruri, NULL, 0);
		bf(b, "User-Agent: " UA "\r\nEvent: %s\r\n", events[i]);
		m_end(g, NULL, NULL);
		emit(g, 1, 40);
		rtag_new(g, &d);
		m_resp(g, &d, 200, "OK");
		m_rdlg(g, &d, 1);
		bputs(b, "Server: RTC/6.0\r\n");
		m_end(g, NULL, NULL);
		emit(g, 1, 40);
	}
	n = rrange(&g->r, 2, 12);
	for (i = 0; i < n; i++) {
		tick(g, 1, 40);
		note(g, T_UI, "INFO", "CUccDataSyncManager::SyncData - free "
		     "text entry %u hr=0x%08x", rrange(&g->r, 0, 99999),
		     rrange(&g->r, 0, 0xFFFF));
	}
}

/*
 * Scenario unanswered-flood (benchmark only): a signed-in user on a
 * live connection sends bursts of OPTIONS, SUBSCRIBE, INFO and INVITE
 * requests, each in a fresh dialog, that never get any response; the
 * client then notes the time-outs.  With --size it writes far more
 * unanswered requests than the analyzer keeps open at once (65,536),
 * to measure and test its memory on such logs.
 */
static void sc_unanswered(struct gen *g)
{
	static const char *const methods[] = {
		"OPTIONS", "SUBSCRIBE", "INFO", "INVITE",
	};
	struct sc *s = &g->s;
	struct buf *b = &g->m.b;
	struct dlg d;
	char ruri[160];
	unsigned i, n;

	live_session(g);
	snprintf(ruri, sizeof ruri, "sip:%s", s->peer.uri);
	n = rrange(&g->r, 16, 48);
	for (i = 0; i < n; i++) {
		const char *m = methods[rbelow(&g->r, NELEM(methods))];

		dlg_new(g, &d);
		m_req(g, &d, m, ruri, s->peer.uri, 1);
		put_contact_gruu(g, &s->me);
		bputs(b, "User-Agent: " UA "\r\n");
		put_pauth(g, "Proxy-Authorization");
		m_end(g, NULL, NULL);
		emit(g, 5, 60);
	}
	tick(g, 32000, 33000);
	note(g, T_SIP, "WARN", "Transport: %u requests to sip:%s timed out "
	     "without a response (timer F)", n, s->peer.uri);
}

/* ------------------------------------------------------------------ */
/* scenario table, command line, main                                  */

struct scenario {
	const char *name, *desc;
	void (*run)(struct gen *g);
	int extra;              /* 1: only with --scenario, not by default */
	const struct refusal *refusal;  /* run == NULL: sc_refused() */
};

static const struct scenario scenarios[] = {
	{ "ntlm-external-ok", "external sign-in via the Edge: lyncdiscover, "
	  "3 REGISTER pairs (NTLM), settings", sc_ntlm_ext, 0, NULL },
	{ "kerberos-internal-ok", "internal sign-in: DNS SRV discovery, 2 "
	  "REGISTER pairs (Kerberos), settings", sc_kerb_int, 0, NULL },
	{ "tlsdsk-ok", "external, new user certificate: Autodiscover, Web "
	  "Ticket, CertProv, 4 REGISTER pairs (TLS-DSK)", sc_tlsdsk, 0, NULL },
	{ "register-401-loop", "every REGISTER answered 401 (NTLM logon "
	  "denied); gives up with SIP_E_AUTH_UNAUTHORIZED",
	  sc_401_loop, 0, NULL },
	{ "webticket-28032-loop", "no certificate: Autodiscover / Web Ticket "
	  "answered 401 X-Ms-diagnostics 28032, then 500",
	  sc_webticket, 0, NULL },
	{ "redirect-301", "internal sign-in at the Director, 301 Redirect "
	  "request to Home Server, sign-in again there",
	  sc_redirect, 0, NULL },
	{ "forbidden-4003", "external REGISTER answered 403, ms-diagnostics "
	  "4003 (not enabled for remote access)", sc_4003, 0, NULL },
	{ "im-call-traffic", "a signed-in user's traffic: IM dialog, "
	  "presence, OPTIONS, calls failing 480 / 504", sc_traffic, 0, NULL },
	{ "edge-nexthop-1010", "REGISTER answered 504 by the Edge, "
	  "ms-diagnostics 1010 (next-hop certificate)",
	  NULL, 1, &refusals[R_1010] },
	{ "user-not-found-4005", "REGISTER answered 404, ms-diagnostics "
	  "4005 (user not SIP-enabled or unknown)",
	  NULL, 1, &refusals[R_4005] },
	{ "stale-user-4004", "REGISTER answered 403, ms-diagnostics 4004 "
	  "(credentials not for this SIP URI)",
	  NULL, 1, &refusals[R_4004] },
	{ "clock-skew-1013", "REGISTER answered 401, ms-diagnostics 1013; "
	  "SEC_E_TIME_SKEW on both sides",
	  NULL, 1, &refusals[R_1013] },
	{ "overload-17000", "REGISTER answered 503, ms-diagnostics 17000 "
	  "(server overloaded)", NULL, 1, &refusals[R_17000] },
	{ "client-version-17002", "REGISTER answered 403, ms-diagnostics "
	  "17002 (client version blocked)",
	  NULL, 1, &refusals[R_17002] },
	{ "pool-unavailable-480", "REGISTER answered 480, ms-diagnostics "
	  "1007 (home pool not answering)",
	  NULL, 1, &refusals[R_480] },
	{ "edge-dns-1014", "REGISTER answered 504 by the Edge, "
	  "ms-diagnostics 1014 (next hop not resolved)",
	  NULL, 1, &refusals[R_1014] },
	{ "cert-untrusted", "TLS to the Edge fails: SEC_E_UNTRUSTED_ROOT, "
	  "no REGISTER", sc_cert_untrusted, 1, NULL },
	{ "proxy-407", "lyncdiscover through an HTTP proxy answered 407; "
	  "no server found (client log only)", sc_proxy_407, 1, NULL },
	{ "kerberos-then-ntlm", "internal sign-in: Kerberos offered, no "
	  "ticket, NTLM used (3 pairs)", sc_kerb_ntlm, 1, NULL },
	{ "ntlm-extra-round", "external NTLM sign-in that needs a second "
	  "handshake: 5 REGISTER pairs", sc_ntlm_extra, 1, NULL },
	{ "redirect-unreachable", "301 to a home pool that never "
	  "answers (WSAETIMEDOUT)", sc_redirect_dead, 1, NULL },
	{ "redirect-loop", "Director and pool02 redirect the user to each "
	  "other: 4 redirects", sc_redirect_loop, 1, NULL },
	{ "registration-lost", "NTLM sign-in, then the refresh REGISTER is "
	  "answered 481 (1004)", sc_reg_lost, 1, NULL },
	{ "signin-slow", "healthy internal Kerberos sign-in with a 40 s "
	  "wait before REGISTER", sc_slow, 1, NULL },
	{ "webticket-28032-register", "REGISTERs answered 401; the web "
	  "ticket's 28032 is in the server trace only (client logs no "
	  "HTTP)", sc_webticket_reg, 1, NULL },
	{ "tlsdsk-web-redirect", "new external user: web ticket, "
	  "Autodiscover redirect to the home pool, CertProv, all before "
	  "the first REGISTER (TLS-DSK)", sc_tlsdsk_webredir, 1, NULL },
	{ "dense-signins", "benchmark: NTLM sign-ins with settings "
	  "SUBSCRIBEs and nothing else, fresh users", sc_dense, 1, NULL },
	{ "unanswered-flood", "benchmark: bursts of requests (OPTIONS, "
	  "SUBSCRIBE, INFO, INVITE) that never get a response",
	  sc_unanswered, 1, NULL },
};

static const char usage_text[] =
"usage: sfbgen [options] [-o FILE]\n"
"Write realistic Skype for Business / Lync logs from named scenarios.\n"
"\n"
"  -o, --output FILE   write to FILE (default: standard output)\n"
"  --format ucc|cls|sip  client .UccApilog (default), server CLS text,\n"
"                      or the client's SIP/HTTP messages as pasted text\n"
"  --sip-indent        sip: header lines indented by one space\n"
"  --client GEN        client generation: communicator, lync2010,\n"
"                      lync2013, sfb2015, sfb2016 (default), sfb2019\n"
"  --scenario NAME     run this scenario (repeatable; default: all)\n"
"  --list              list the scenarios and exit\n"
"  --seed N            PRNG seed (default 1); same seed, same output\n"
"  --start TIME        log time of the start, \"MM/DD/YYYY HH:MM:SS\"\n"
"                      (default \"01/15/2021 09:12:03\")\n"
"  --user URI          the signing-in user (default alice@contoso.com)\n"
"  --size SIZE         repeat the scenarios with fresh users until SIZE\n"
"                      bytes of text are written (500K, 64M, 1G)\n"
"  --lf                LF line ends (default CRLF)\n"
"  --bom               start with a UTF-8 byte order mark\n"
"  --utf16le, --utf16be  transcode to UTF-16 (with a byte order mark)\n"
"  --gzip              compress the output (gzip)\n"
"  --truncate          cut the last framed block in its middle\n"
"  --compact           compact SIP header names in some messages\n"
"  --mixed-case        CLS: upper-case header names (VIA:, ...)\n"
"  --pair DIR          write DIR/client.UccApilog and DIR/server-cls.log:\n"
"                      the client log and the server trace of the same\n"
"                      sign-ins (same Call-IDs, CSeqs, epid, user); DIR\n"
"                      must exist\n"
"  --client-offset S   client log time = server UTC + S seconds (a time\n"
"                      zone and/or a clock off; default 0)\n"
"  --lose-cseq N       CLS: leave out the client's SIP requests with\n"
"                      CSeq N, as if lost before the traced servers\n"
"  --hops              CLS: each message crossing the Edge is logged\n"
"                      at the Edge and at the Front End\n"
"  -h, --help          show this help\n";

/* A usage error: one line plus the hint, exit 2. */
static NORETURN PRINTF_LIKE(1, 2) void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfbgen: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfbgen --help'.\n", stderr);
	exit(2);
}

/* @return 0 and *out, or -1: a decimal number, no sign, no overflow */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* "500K", "64M", "1G", "123": binary multiples, optional B / iB. */
static int parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = 0;
	unsigned shift = 0;
	uint64_t v;

	while (s[n] >= '0' && s[n] <= '9' && n + 1 < sizeof num) {
		num[n] = s[n];
		n++;
	}
	num[n] = '\0';
	if (!n || parse_u64(num, &v))
		return -1;
	s += n;
	switch (*s) {
	case 'k': case 'K': shift = 10; s++; break;
	case 'm': case 'M': shift = 20; s++; break;
	case 'g': case 'G': shift = 30; s++; break;
	case 't': case 'T': shift = 40; s++; break;
	default: break;
	}
	if (shift && *s == 'i')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/* Exactly n digits at s into *v. */
static int digits(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/* "MM/DD/YYYY HH:MM:SS" -> ms since 1970. */
static int parse_start(const char *s, int64_t *out)
{
	static const unsigned mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned mo, d, y, h, mi, se;
	int leap;

	if (strlen(s) != 19 || s[2] != '/' || s[5] != '/' ||
	    (s[10] != ' ' && s[10] != '|' && s[10] != '-' && s[10] != 'T') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 2, &mo) || digits(s + 3, 2, &d) ||
	    digits(s + 6, 4, &y) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
		return -1;
	*out = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se)
	       * 1000;
	return 0;
}

/* user@domain with the characters a SIP URI user part may safely use */
static int valid_user(const char *u)
{
	const char *at = strchr(u, '@');
	size_t i;

	if (!at || at == u || !at[1] || strlen(u) > 100 ||
	    strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return 0;
	for (i = 0; u[i]; i++) {
		char c = u[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_' || c == '@'))
			return 0;
	}
	return 1;
}

/* @return the index of a scenario by name, -1 if unknown */
static int find_scenario(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(scenarios); i++)
		if (!strcmp(scenarios[i].name, name))
			return (int)i;
	return -1;
}

/* The user of a cycle: --user first, then fresh people. */
static void cycle_begin(struct gen *g)
{
	struct sc *s = &g->s;
	const char *fed = strcmp(g->dom, "fabrikam.com") ? "fabrikam.com"
							  : "litwareinc.com";
	char uri[128];

	if (g->cycle == 0) {
		char disp[64];

		if (!strcmp(g->user, "alice@contoso.com"))
			snprintf(disp, sizeof disp, "Alice Wood");
		else
			disp_from_uri(g->user, disp, sizeof disp);
		mk_party(g, &s->me, g->user, disp);
		snprintf(uri, sizeof uri, "chloe.martin@%s", g->dom);
		mk_party(g, &s->peer, uri, "Chlo\xC3\xA9 Martin");
		snprintf(uri, sizeof uri, "carol@%s", fed);
		mk_party(g, &s->fed, uri, "Carol Smith");
	} else {
		fresh_party(g, &s->me, g->dom);
		fresh_party(g, &s->peer, g->dom);
		fresh_party(g, &s->fed, fed);
	}
	g->cpid = rrange(&g->r, 0x400, 0x3FFF);
}

/*
 * Run the selected scenarios once, or cycle through them with fresh
 * users until --size bytes of text exist.
 */
static void run(struct gen *g)
{
	int i;

	g->now = g->start;
	for (;;) {
		cycle_begin(g);
		for (i = 0; i < g->nscen; i++) {
			const struct scenario *sc = &scenarios[g->scen[i]];

			if (sc->run)
				sc->run(g);
			else
				sc_refused(g, sc->refusal);
			/* the next sign-in a while later */
			tick(g, 20000, 240000);
			if (g->size && out_pos(&g->o) >= g->size)
				return;
		}
		g->cycle++;
		if (!g->size)
			return;
	}
}

/* --truncate: end the file in the middle of the last framed block. */
static void cut_last_block(struct out *o)
{
	uint64_t cut;
	size_t at;

	if (o->hold_end <= o->hold || o->hold < o->base)
		return;
	cut = o->hold + (o->hold_end - o->hold) / 2;
	at = (size_t)(cut - o->base);
	/* never split a UTF-8 sequence */
	while (at > 0 && ((unsigned char)o->b.p[at] & 0xC0) == 0x80)
		at--;
	o->b.n = at;
}

/* Parse the options (no getopt_long: the build is plain POSIX), set
 * up the output stage, run, flush, report a write failure (exit 2). */
/* Write the log of g's options to path (NULL or "-": stdout). */
static int generate(struct gen *g, const char *path, int utf16le,
		    int utf16be, int bom, int gz)
{
	int err;

	g->r.s = g->seed;
	/* rendering draws from its own stream so the story stays put */
	g->rr.s = g->seed ^ 0x5DEECE66DA3B9F21u;
	g->eol = g->lf ? "\n" : "\r\n";
	g->eollen = strlen(g->eol);
	g->seq = 0x00000100u + (unsigned)(g->seed % 0x1000);
	snprintf(g->dom, sizeof g->dom, "%s", strchr(g->user, '@') + 1);
	mk_world(g);

	g->o.enc = utf16le ? ENC_U16LE : utf16be ? ENC_U16BE : ENC_UTF8;
	g->o.bom = bom;
	g->o.gz = gz;
	if (path && strcmp(path, "-")) {
		g->o.fp = fopen(path, "wb");
		if (!g->o.fp) {
			fprintf(stderr, "sfbgen: error: cannot open '%s': "
				"%s\n", path, strerror(errno));
			return 2;
		}
	} else {
		g->o.fp = stdout;
		path = NULL;
	}
	if (gz) {
		g->o.zout = malloc(ZCHUNK);
		if (!g->o.zout)
			oom();
		if (deflateInit2(&g->o.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
				 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			fputs("sfbgen: error: cannot initialise zlib\n",
			      stderr);
			return 2;
		}
		g->o.zinit = 1;
	}
	buf_grow(&g->o.b, FLUSH_AT + (FLUSH_AT >> 2));

	run(g);

	if (g->trunc)
		cut_last_block(&g->o);
	out_flush(&g->o, g->trunc, 1);
	err = out_close(&g->o, path == NULL);
	free(g->m.b.p);
	free(g->view.p);
	free(g->body.p);
	free(g->body2.p);
	free(g->tmp.p);
	free(g->fs.p);
	if (err) {
		fprintf(stderr, "sfbgen: error: cannot write '%s': %s\n",
			path ? path : "standard output", strerror(err));
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen gen;
	struct gen *g = &gen;
	const char *path = NULL, *pair = NULL;
	int i, utf16le = 0, utf16be = 0, bom = 0, gz = 0;

	g->seed = 1;
	g->gen = generations;
	g->cday = -1;
	snprintf(g->user, sizeof g->user, "alice@contoso.com");
	if (parse_start("01/15/2021 09:12:03", &g->start))
		abort();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char opt[32];

		if (a[0] != '-' || !a[1])
			usage_error("unexpected argument '%s'", a);
		/* --name=value */
		eq = a[1] == '-' ? strchr(a, '=') : NULL;
		if (eq && (size_t)(eq - a) < sizeof opt) {
			snprintf(opt, sizeof opt, "%.*s", (int)(eq - a), a);
			val = eq + 1;
			a = opt;
		}
#define FLAG(name) (!strcmp(a, name) && !val)
#define WITHVAL(name) (!strcmp(a, name) && \
		       (val || (i + 1 < argc && (val = argv[++i]))))
		if (FLAG("-h") || FLAG("--help")) {
			fputs(usage_text, stdout);
			return fflush(stdout) || ferror(stdout) ? 2 : 0;
		} else if (FLAG("--list")) {
			size_t k;

			for (k = 0; k < NELEM(scenarios); k++)
				printf("%-22s %s\n", scenarios[k].name,
				       scenarios[k].desc);
			return fflush(stdout) || ferror(stdout) ? 2 : 0;
		} else if (WITHVAL("-o") || WITHVAL("--output")) {
			path = val;
		} else if (WITHVAL("--format")) {
			if (!strcmp(val, "ucc"))
				g->fmt = F_UCC;
			else if (!strcmp(val, "cls"))
				g->fmt = F_CLS;
			else if (!strcmp(val, "sip"))
				g->fmt = F_SIP;
			else
				usage_error("unknown format '%s' (ucc, cls, "
					    "sip)", val);
		} else if (FLAG("--sip-indent")) {
			g->indent = 1;
		} else if (WITHVAL("--client")) {
			size_t k;

			for (k = 0; k < NELEM(generations); k++)
				if (!strcmp(val, generations[k].name))
					break;
			if (k == NELEM(generations))
				usage_error("unknown client generation '%s' "
					    "(communicator, lync2010, "
					    "lync2013, sfb2015, sfb2016, "
					    "sfb2019)", val);
			g->gen = &generations[k];
		} else if (WITHVAL("--scenario")) {
			int k = find_scenario(val);

			if (k < 0)
				usage_error("unknown scenario '%s' (see "
					    "--list)", val);
			if (g->nscen >= (int)NELEM(g->scen))
				usage_error("too many scenarios");
			g->scen[g->nscen++] = k;
		} else if (WITHVAL("--seed")) {
			if (parse_u64(val, &g->seed))
				usage_error("invalid seed '%s'", val);
		} else if (WITHVAL("--start")) {
			if (parse_start(val, &g->start))
				usage_error("invalid start time '%s' (want "
					    "MM/DD/YYYY HH:MM:SS)", val);
		} else if (WITHVAL("--user")) {
			if (!valid_user(val))
				usage_error("invalid user '%s' (want "
					    "name@domain)", val);
			snprintf(g->user, sizeof g->user, "%s", val);
		} else if (WITHVAL("--size")) {
			if (parse_size(val, &g->size))
				usage_error("invalid size '%s'", val);
		} else if (FLAG("--lf")) {
			g->lf = 1;
		} else if (FLAG("--bom")) {
			bom = 1;
		} else if (FLAG("--utf16le")) {
			utf16le = 1;
		} else if (FLAG("--utf16be")) {
			utf16be = 1;
		} else if (FLAG("--gzip")) {
			gz = 1;
		} else if (FLAG("--truncate")) {
			g->trunc = 1;
		} else if (FLAG("--compact")) {
			g->compact = 1;
		} else if (FLAG("--mixed-case")) {
			g->mixed = 1;
		} else if (WITHVAL("--pair")) {
			pair = val;
		} else if (WITHVAL("--lose-cseq")) {
			uint64_t v;

			if (parse_u64(val, &v) || !v || v > 1000000)
				usage_error("invalid --lose-cseq '%s'", val);
			g->lose_cseq = (unsigned)v;
		} else if (WITHVAL("--client-offset")) {
			char *e;
			long long v;

			errno = 0;
			v = strtoll(val, &e, 10);
			if (errno || e == val || *e || v < -86400 ||
			    v > 86400)
				usage_error("invalid --client-offset '%s' "
					    "(seconds, -86400..86400)", val);
			g->client_off = (int64_t)v * 1000;
		} else if (FLAG("--hops")) {
			g->hops = 1;
		} else {
			usage_error("unknown option or missing value '%s'", a);
		}
#undef FLAG
#undef WITHVAL
	}
	if (utf16le && utf16be)
		usage_error("--utf16le and --utf16be exclude each other");
	if (!g->nscen) {
		for (i = 0; i < (int)NELEM(scenarios); i++)
			if (!scenarios[i].extra)
				g->scen[g->nscen++] = i;
	}

	if (pair) {
		/* the same story twice: the client's view, the server's */
		static struct gen saved;
		char cpath[4096], spath[4096];
		int rc;

		if (utf16le || utf16be || gz)
			usage_error("--pair writes plain text only");
		snprintf(cpath, sizeof cpath, "%s/client.UccApilog", pair);
		snprintf(spath, sizeof spath, "%s/server-cls.log", pair);
		saved = *g;
		g->fmt = F_UCC;
		rc = generate(g, cpath, 0, 0, bom, 0);
		if (rc)
			return rc;
		*g = saved;
		g->fmt = F_CLS;
		return generate(g, spath, 0, 0, bom, 0);
	}
	return generate(g, path, utf16le, utf16be, bom, gz);
}
