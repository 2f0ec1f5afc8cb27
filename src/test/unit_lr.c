/* SPDX-License-Identifier: MIT */
/*
 * unit_lr.c -- unit tests of the line reader (src/lr.c), the first
 * stage of the pipeline.  Fixtures are written at run time into a
 * mkdtemp directory (removed at the end): plain text with every kind of
 * line end, BOMs, UTF-16LE/BE, gzip (one and two members, truncated,
 * corrupt), NUL bytes, lines over the limit (one of 100 MB), stdin, and
 * error paths.  Each read is turned into a trace of (status, line
 * number, bytes) and compared with the expected one; the split-point
 * tests (http-parser test.c) read the same samples with every read size
 * from 1 byte up and require the very same trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <dirent.h>

#include "check.h"
#include "lr.h"
#include "sv.h"

static char tmpdir[256];

/* ---- fixtures ---------------------------------------------------------- */

/* Path of fixture name in the temp directory (a static buffer each). */
static const char *tpath(const char *name)
{
	static char paths[4][512];
	static int k;
	char *p = paths[k++ & 3];
	snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
	return p;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static const char *write_file(const char *name, const void *p, size_t n)
{
	const char *path = tpath(name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path);
	return path;
}

/* Write p as one gzip member; mode "wb" starts the file, "ab" appends. */
static const char *write_gz(const char *name, const char *mode,
			    const void *p, size_t n)
{
	const char *path = tpath(name);
	gzFile g = gzopen(path, mode);
	if (!g || (n && gzwrite(g, p, (unsigned)n) != (int)n) ||
	    gzclose(g) != Z_OK)
		die(path);
	return path;
}

static long file_size(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die(path);
	return (long)st.st_size;
}

static void cut_file(const char *path, long size)
{
	if (truncate(path, size) != 0)
		die(path);
}

/* Overwrite one byte of a file at off with c. */
static void poke(const char *path, long off, unsigned char c)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0 || pwrite(fd, &c, 1, off) != 1 || close(fd) != 0)
		die(path);
}

static void rm_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(tpath(e->d_name));
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

/* UTF-16 builder: code units, encoded with a BOM in either order. */
struct u16b {
	unsigned u[4096];
	size_t n;
};

static void ub_unit(struct u16b *b, unsigned u)
{
	b->u[b->n++] = u;
}

static void ub_str(struct u16b *b, const char *s)
{
	while (*s)
		ub_unit(b, (unsigned char)*s++);
}

static void ub_rep(struct u16b *b, unsigned u, size_t n)
{
	while (n--)
		ub_unit(b, u);
}

/* @return bytes written at out: every unit, then odd if >= 0 */
static size_t ub_bytes(const struct u16b *b, int be, int odd,
		       unsigned char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++) {
		unsigned u = b->u[i];
		out[k++] = (unsigned char)(be ? u >> 8 : u & 0xff);
		out[k++] = (unsigned char)(be ? u & 0xff : u >> 8);
	}
	if (odd >= 0)
		out[k++] = (unsigned char)odd;
	return k;
}

/* ---- traces ------------------------------------------------------------ */

struct trace {
	char *p;
	size_t n, cap;
};

static void tr_add(struct trace *t, const void *p, size_t n)
{
	if (t->n + n > t->cap) {
		t->cap = (t->n + n) * 2 + 256;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			die("realloc");
	}
	if (n)
		memcpy(t->p + t->n, p, n);
	t->n += n;
}

/* One lr_next result; p and n are the line, or for LR_ERR the message
 * and the code, with no the error's line. */
static void tr_rec(struct trace *t, int st, unsigned long no,
		   const char *p, size_t n)
{
	char h[64];
	int k;
	switch (st) {
	case LR_LINE:
		k = snprintf(h, sizeof h, "L %lu %zu:", no, n);
		tr_add(t, h, (size_t)k);
		tr_add(t, p, n);
		break;
	case LR_LONG:
		k = snprintf(h, sizeof h, "G %lu %zu %s", no, n,
			     p ? "p!" : "");
		tr_add(t, h, (size_t)k);
		break;
	case LR_EOF:
		tr_add(t, "E", 1);
		break;
	default:
		k = snprintf(h, sizeof h, "X %lu %zu ", no, n);
		tr_add(t, h, (size_t)k);
		tr_add(t, p, strlen(p));
		break;
	}
	tr_add(t, "\n", 1);
}

/* Read path to its end (or error) into a trace; @return the last status */
static int read_trace(const char *path, size_t max_line, size_t chunk,
		      struct trace *t)
{
	struct sfb_err e;
	memset(&e, 0, sizeof e);
	t->n = 0;
	struct lr *r = lr_open(path, max_line, &e);
	if (!r) {
		tr_rec(t, LR_ERR, 0, e.msg, (size_t)e.code);
		return LR_ERR;
	}
	lr_set_chunk(r, chunk);
	/* the bound turns a reader that never ends into a failure */
	for (int i = 0; i < 100000; i++) {
		struct sv line = { "junk", 4 };
		unsigned long no = 0;
		int st = lr_next(r, &line, &no, &e);
		if (st == LR_ERR)
			tr_rec(t, st, e.line, e.msg, (size_t)e.code);
		else
			tr_rec(t, st, no, line.p, line.n);
		if (st == LR_EOF || st == LR_ERR) {
			/* the end is sticky */
			int again = lr_next(r, &line, &no, &e);
			if (again != st)
				tr_add(t, "not sticky\n", 11);
			lr_close(r);
			return st;
		}
	}
	lr_close(r);
	tr_add(t, "no end\n", 7);
	return LR_ERR;
}

struct want {
	int st;
	unsigned long no;
	const char *p;  /* line; for LR_ERR the message */
	size_t n;       /* its length; for LR_ERR the code */
};

#define W_LINE(no, s) { LR_LINE, (no), (s), sizeof(s) - 1 }
#define W_LONG(no, len) { LR_LONG, (no), NULL, (len) }
#define W_EOF { LR_EOF, 0, NULL, 0 }
#define W_ERR(no, code, msg) { LR_ERR, (no), (msg), (code) }

static void want_trace(const struct want *w, size_t n, struct trace *t)
{
	t->n = 0;
	for (size_t i = 0; i < n; i++)
		tr_rec(t, w[i].st, w[i].no, w[i].p, w[i].n);
}

static void print_escaped(const char *label, const struct trace *t)
{
	fprintf(stderr, "  %s: ", label);
	for (size_t i = 0; i < t->n; i++) {
		unsigned char c = (unsigned char)t->p[i];
		if (c == '\n')
			fputs("\n    ", stderr);
		else if (c < 32 || c > 126)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

static int same_trace(const struct trace *a, const struct trace *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* Compare the reading of path with want; show both on a mismatch. */
#define CHECK_READ(path, max, chunk, w)                                   \
	check_read(__LINE__, (path), (max), (chunk), (w),                 \
		   sizeof(w) / sizeof((w)[0]))

static void check_read(int at, const char *path, size_t max_line,
		       size_t chunk, const struct want *w, size_t nw)
{
	struct trace got = { 0 }, exp = { 0 };
	read_trace(path, max_line, chunk, &got);
	want_trace(w, nw, &exp);
	int ok = same_trace(&got, &exp);
	CHECK(ok);
	if (!ok) {
		fprintf(stderr, "line %d: %s (chunk %zu):\n", at, path, chunk);
		print_escaped("got", &got);
		print_escaped("want", &exp);
	}
	free(got.p);
	free(exp.p);
}

/* ---- basic line splitting ---------------------------------------------- */

static void test_line_ends(void)
{
	const char *p = write_file("lr_lf", "a\nbb\n\nccc\n", 10);
	static const struct want lf[] = {
		W_LINE(1, "a"), W_LINE(2, "bb"), W_LINE(3, ""),
		W_LINE(4, "ccc"), W_EOF
	};
	CHECK_READ(p, 0, 0, lf);

	p = write_file("lr_crlf", "a\r\nbb\r\n\r\n", 9);
	static const struct want crlf[] = {
		W_LINE(1, "a"), W_LINE(2, "bb"), W_LINE(3, ""), W_EOF
	};
	CHECK_READ(p, 0, 0, crlf);

	/* only the one CR right before LF goes */
	static const char mixed_s[] = "a\r\nb\nc\r\r\nd\re\n\r\n";
	p = write_file("lr_mixed", mixed_s, sizeof mixed_s - 1);
	static const struct want mixed[] = {
		W_LINE(1, "a"), W_LINE(2, "b"), W_LINE(3, "c\r"),
		W_LINE(4, "d\re"), W_LINE(5, ""), W_EOF
	};
	CHECK_READ(p, 0, 0, mixed);
	CHECK_READ(p, 0, 1, mixed);

	p = write_file("lr_noeol", "a\nlast", 6);
	static const struct want noeol[] = {
		W_LINE(1, "a"), W_LINE(2, "last"), W_EOF
	};
	CHECK_READ(p, 0, 0, noeol);

	/* a CR is removed only before an LF, so a lone last one stays */
	p = write_file("lr_noeol_cr", "a\r\nlast\r", 8);
	static const struct want noeol_cr[] = {
		W_LINE(1, "a"), W_LINE(2, "last\r"), W_EOF
	};
	CHECK_READ(p, 0, 0, noeol_cr);

	p = write_file("lr_empty", "", 0);
	static const struct want empty[] = { W_EOF };
	CHECK_READ(p, 0, 0, empty);

	p = write_file("lr_nl", "\n", 1);
	static const struct want nl[] = { W_LINE(1, ""), W_EOF };
	CHECK_READ(p, 0, 0, nl);

	p = write_file("lr_one", "x", 1);
	static const struct want one[] = { W_LINE(1, "x"), W_EOF };
	CHECK_READ(p, 0, 0, one);
}

/* Lines inside one buffer come as views into it; lr_bytes counts. */
static void test_accessors(void)
{
	struct sfb_err e;
	struct sv line;
	unsigned long no = 0;
	char big[3000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = i % 30 == 29 ? '\n' : (char)('a' + i % 26);
	const char *p = write_file("lr_acc", big, sizeof big);
	struct lr *r = lr_open(p, 0, &e);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(lr_next(r, &line, &no, &e), LR_LINE);
	CHECK_INT(lr_encoding(r), LR_ENC_UTF8);
	CHECK_INT(lr_is_gzip(r), 0);
	CHECK_INT(line.n, 29);
	const char *prev = NULL;
	int st, lines = 1, ok = 1, views = 1;
	while ((st = lr_next(r, &line, &no, &e)) == LR_LINE) {
		lines++;
		ok &= line.n == 29 && no == (unsigned long)lines &&
		      memcmp(line.p, big + (lines - 1) * 30, 29) == 0;
		/* not copied: each view follows the last in one buffer */
		if (prev)
			views &= line.p == prev + 30;
		prev = line.p;
	}
	CHECK_INT(st, LR_EOF);
	CHECK_INT(lines, 100);
	CHECK(ok);
	CHECK(views);
	CHECK_INT(lr_bytes(r), sizeof big);
	CHECK_INT(lr_bad_units(r), 0);
	lr_close(r);
	lr_close(NULL);         /* a no-op */
}

static void test_bom(void)
{
	static const char s[] = "\xef\xbb\xbf" "abc\r\nd\xef\xbb\xbf\n";
	const char *p = write_file("lr_bom", s, sizeof s - 1);
	static const struct want bom[] = {
		W_LINE(1, "abc"), W_LINE(2, "d\xef\xbb\xbf"), W_EOF
	};
	CHECK_READ(p, 0, 0, bom);
	CHECK_READ(p, 0, 1, bom);

	struct sfb_err e;
	struct sv line;
	unsigned long no;
	struct lr *r = lr_open(p, 0, &e);
	CHECK(r && lr_next(r, &line, &no, &e) == LR_LINE);
	CHECK(r && lr_encoding(r) == LR_ENC_UTF8_BOM);
	while (r && lr_next(r, &line, &no, &e) == LR_LINE)
		;
	CHECK(r && lr_bytes(r) == sizeof s - 1);   /* the BOM counts */
	lr_close(r);

	p = write_file("lr_bom_only", "\xef\xbb\xbf", 3);
	static const struct want only[] = { W_EOF };
	CHECK_READ(p, 0, 0, only);

	/* not a whole BOM: the bytes are text */
	p = write_file("lr_bom_half", "\xef\xbb\n", 3);
	static const struct want half[] = { W_LINE(1, "\xef\xbb"), W_EOF };
	CHECK_READ(p, 0, 0, half);
}

static void test_utf16(void)
{
	struct u16b b = { .n = 0 };
	unsigned char raw[256];
	ub_unit(&b, 0xfeff);
	ub_str(&b, "H");
	ub_unit(&b, 0xe9);              /* é */
	ub_unit(&b, 0x20ac);            /* € */
	ub_str(&b, "\r\n");
	ub_unit(&b, 0xd83d);            /* U+1F600 */
	ub_unit(&b, 0xde00);
	ub_str(&b, "\n\n");
	/* the edges of each UTF-8 length, around the surrogates */
	static const unsigned edges[] = { 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff,
					  0xe000, 0xfffd, 0xffff, 0xd800,
					  0xdc00, 0xdbff, 0xdfff };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		ub_unit(&b, edges[i]);
	ub_str(&b, "\nx");
	static const struct want w[] = {
		W_LINE(1, "H\xc3\xa9\xe2\x82\xac"),
		W_LINE(2, "\xf0\x9f\x98\x80"), W_LINE(3, ""),
		W_LINE(4, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"
			  "\xee\x80\x80\xef\xbf\xbd\xef\xbf\xbf"
			  "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
		W_LINE(5, "x"), W_EOF
	};
	for (int be = 0; be <= 1; be++) {
		size_t n = ub_bytes(&b, be, -1, raw);
		const char *p = write_file(be ? "lr_u16be" : "lr_u16le",
					   raw, n);
		CHECK_READ(p, 0, 0, w);
		CHECK_READ(p, 0, 3, w);

		struct sfb_err e;
		struct sv line;
		unsigned long no;
		struct lr *r = lr_open(p, 0, &e);
		CHECK(r && lr_next(r, &line, &no, &e) == LR_LINE);
		CHECK(r && lr_encoding(r) ==
			   (be ? LR_ENC_UTF16BE : LR_ENC_UTF16LE));
		while (r && lr_next(r, &line, &no, &e) == LR_LINE)
			;
		CHECK(r && lr_bytes(r) == n);      /* before transcoding */
		CHECK(r && lr_bad_units(r) == 0);
		lr_close(r);
	}

	/* invalid units become U+FFFD, each counted; U+0000 is kept */
	b.n = 0;
	ub_unit(&b, 0xfeff);
	ub_unit(&b, 0xdc00);            /* lone low surrogate */
	ub_str(&b, "b");
	ub_unit(&b, 0xd800);            /* high surrogate, no low */
	ub_str(&b, "c");
	ub_unit(&b, 0xdfff);            /* the last low surrogate */
	ub_unit(&b, 0);
	ub_str(&b, "d\nlast");
	ub_unit(&b, 0xd83d);            /* high surrogate at the end */
	size_t n = ub_bytes(&b, 0, 'Q', raw);   /* and an odd byte */
	const char *p = write_file("lr_u16bad", raw, n);
	static const struct want bad[] = {
		{ LR_LINE, 1, "\xef\xbf\xbd" "b\xef\xbf\xbd"
			      "c\xef\xbf\xbd\0d", 13 },
		W_LINE(2, "last\xef\xbf\xbd\xef\xbf\xbd"), W_EOF
	};
	CHECK_READ(p, 0, 0, bad);
	CHECK_READ(p, 0, 1, bad);
	struct sfb_err e;
	struct sv line;
	unsigned long no;
	struct lr *r = lr_open(p, 0, &e);
	while (r && lr_next(r, &line, &no, &e) == LR_LINE)
		;
	CHECK(r && lr_bad_units(r) == 5);
	CHECK(r && lr_bad_line(r) == 1);
	lr_close(r);

	/* a BOM and nothing else; a BOM and one odd byte */
	p = write_file("lr_u16empty", "\xff\xfe", 2);
	static const struct want none[] = { W_EOF };
	CHECK_READ(p, 0, 0, none);
	p = write_file("lr_u16odd", "\xfe\xff\x41", 3);
	static const struct want odd[] = {
		W_LINE(1, "\xef\xbf\xbd"), W_EOF
	};
	CHECK_READ(p, 0, 0, odd);
}

/*
 * UTF-16LE text: prefix 'a' units, then the units of tail (a '#' is a
 * lone surrogate).  @return the file's path
 */
static const char *u16_file(const char *name, size_t prefix,
			    const char *tail)
{
	size_t n = 2 + 2 * (prefix + strlen(tail)), k = 0;
	unsigned char *raw = malloc(n);
	raw[k++] = 0xff;
	raw[k++] = 0xfe;
	for (size_t i = 0; i < prefix; i++) {
		raw[k++] = 'a';
		raw[k++] = 0;
	}
	for (const char *t = tail; *t; t++) {
		raw[k++] = *t == '#' ? 0x00 : (unsigned char)*t;
		raw[k++] = *t == '#' ? 0xdc : 0;
	}
	const char *p = write_file(name, raw, n);
	free(raw);
	return p;
}

/* The line of the first invalid unit (issue 8: count + first line). */
static void test_utf16_bad_line(void)
{
	static const struct {
		size_t prefix;
		const char *tail;
		unsigned long line;
		uint64_t units;
	} cases[] = {
		{ 0, "one\ntwo\nth#ree\nfour#\n", 3, 2 },
		{ 0, "ok\n", 0, 0 },
		/* line 1 spans several fills of the text buffer */
		{ 300000, "#\nz\n", 1, 1 },
		{ 300000, "\nq#\n", 2, 1 },
		/* the last line has no LF */
		{ 0, "x\ny\nlast#", 3, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *p = u16_file("lr_u16line", cases[i].prefix,
					 cases[i].tail);
		struct sfb_err e;
		struct sv line;
		unsigned long no;
		struct lr *r = lr_open(p, 0, &e);
		CHECK(r != NULL);
		while (r && lr_next(r, &line, &no, &e) == LR_LINE)
			;
		CHECK_INT(lr_bad_units(r), cases[i].units);
		CHECK_INT(lr_bad_line(r), cases[i].line);
		lr_close(r);
	}
}

static void test_nul(void)
{
	static const char s[] = "a\0b\nc\0\0\r\n\0\n\xff\xfe\n\0";
	/* \xff\xfe not at the start: plain bytes, not a BOM */
	const char *p = write_file("lr_nul", s, sizeof s - 1);
	static const struct want w[] = {
		{ LR_LINE, 1, "a\0b", 3 }, { LR_LINE, 2, "c\0\0", 3 },
		{ LR_LINE, 3, "\0", 1 }, W_LINE(4, "\xff\xfe"),
		{ LR_LINE, 5, "\0", 1 }, W_EOF
	};
	CHECK_READ(p, 0, 0, w);
	CHECK_READ(p, 0, 2, w);
}

/* ---- gzip -------------------------------------------------------------- */

static void test_gzip(void)
{
	struct sfb_err e;
	struct sv line;
	unsigned long no;

	const char *p = write_gz("lr_gz", "wb", "one\r\ntwo\nthree", 14);
	static const struct want one[] = {
		W_LINE(1, "one"), W_LINE(2, "two"), W_LINE(3, "three"), W_EOF
	};
	CHECK_READ(p, 0, 0, one);
	struct lr *r = lr_open(p, 0, &e);
	CHECK(r && lr_next(r, &line, &no, &e) == LR_LINE);
	CHECK(r && lr_is_gzip(r) == 1);
	while (r && lr_next(r, &line, &no, &e) == LR_LINE)
		;
	CHECK(r && lr_bytes(r) == 14);     /* decompressed bytes */
	lr_close(r);

	/* a member boundary is not a line boundary */
	write_gz("lr_gz2", "wb", "a\nb", 3);
	p = write_gz("lr_gz2", "ab", "c\nd\n", 4);
	static const struct want two[] = {
		W_LINE(1, "a"), W_LINE(2, "bc"), W_LINE(3, "d"), W_EOF
	};
	CHECK_READ(p, 0, 0, two);
	CHECK_READ(p, 0, 1, two);

	/* an empty member in between, and zero padding after the end */
	write_gz("lr_gz3", "wb", "a\n", 2);
	write_gz("lr_gz3", "ab", "", 0);
	p = write_gz("lr_gz3", "ab", "b\n", 2);
	FILE *f = fopen(p, "ab");
	CHECK(f && fwrite("\0\0\0\0\0", 1, 5, f) == 5);
	if (f)
		fclose(f);
	static const struct want pad[] = {
		W_LINE(1, "a"), W_LINE(2, "b"), W_EOF
	};
	CHECK_READ(p, 0, 0, pad);
	CHECK_READ(p, 0, 2, pad);

	/* other trailing bytes are damage */
	f = fopen(p, "ab");
	CHECK(f && fwrite("junk\n", 1, 5, f) == 5);
	if (f)
		fclose(f);
	static const struct want junk[] = {
		W_LINE(1, "a"), W_LINE(2, "b"),
		W_ERR(3, SFB_E_GZIP, "trailing garbage after gzip data")
	};
	CHECK_READ(p, 0, 0, junk);

	/* gzip of UTF-16LE text */
	struct u16b b = { .n = 0 };
	unsigned char raw[64];
	ub_unit(&b, 0xfeff);
	ub_str(&b, "gz");
	ub_unit(&b, 0xe9);
	ub_str(&b, "\r\nok");
	size_t n = ub_bytes(&b, 0, -1, raw);
	p = write_gz("lr_gz16", "wb", raw, n);
	static const struct want u16[] = {
		W_LINE(1, "gz\xc3\xa9"), W_LINE(2, "ok"), W_EOF
	};
	CHECK_READ(p, 0, 0, u16);
	r = lr_open(p, 0, &e);
	CHECK(r && lr_next(r, &line, &no, &e) == LR_LINE);
	CHECK(r && lr_is_gzip(r) && lr_encoding(r) == LR_ENC_UTF16LE);
	lr_close(r);

	/* the magic alone, and a bad method byte */
	p = write_file("lr_gzmagic", "\x1f\x8b", 2);
	static const struct want magic[] = {
		W_ERR(1, SFB_E_GZIP, "truncated gzip data")
	};
	CHECK_READ(p, 0, 0, magic);
	p = write_gz("lr_gzmethod", "wb", "x\n", 2);
	poke(p, 2, 7);
	static const struct want method[] = {
		W_ERR(1, SFB_E_GZIP,
		      "corrupt gzip data: unknown compression method")
	};
	CHECK_READ(p, 0, 0, method);

	/*
	 * Found by fuzz_lr: read whole, zlib took the bad code into its
	 * bit buffer while filling the 3 bytes of the BOM sniff, and the
	 * damage was called a truncation; read in pieces, it was found.
	 */
	static const char dist[] = "\x1f\x8b\x08\x00\xfa\xfd\xff\xff\x02"
				   "\x03\x4b\xe4\x4a\x02\x29\x00";
	p = write_file("lr_gzdist", dist, sizeof dist - 1);
	static const struct want bad_dist[] = {
		W_LINE(1, "a"),
		W_ERR(2, SFB_E_GZIP,
		      "corrupt gzip data: invalid distance too far back")
	};
	CHECK_READ(p, 0, 0, bad_dist);
	CHECK_READ(p, 0, 1, bad_dist);
}

/* Read the "line %06d" lines of a damaged gzip file. */
static int read_numbered(const char *p, size_t chunk, int *lines,
			 struct sfb_err *e)
{
	struct sv line;
	unsigned long no;
	char exp[32];
	int st, ok = 1;
	struct lr *r = lr_open(p, 0, e);
	if (!r)
		return LR_ERR;
	lr_set_chunk(r, chunk);
	*lines = 0;
	while ((st = lr_next(r, &line, &no, e)) == LR_LINE) {
		++*lines;
		int k = snprintf(exp, sizeof exp, "line %06d", *lines);
		ok &= no == (unsigned long)*lines && line.n == (size_t)k &&
		      memcmp(line.p, exp, line.n) == 0;
	}
	CHECK(ok);
	CHECK_INT(lr_next(r, &line, &no, e), st);  /* sticky */
	lr_close(r);
	return st;
}

static void test_gzip_damage(void)
{
	enum { N = 20000 };
	static char text[N * 12 + 1];     /* + the last NUL */
	size_t n = 0;
	for (int i = 1; i <= N; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "line %06d\n", i);
	struct sfb_err e;
	int lines;

	/* cut in the middle: the lines before the cut, then the error */
	const char *p = write_gz("lr_gzcut", "wb", text, n);
	long size = file_size(p);
	cut_file(p, size / 2);
	for (size_t chunk = 0; chunk < 300; chunk += 97) {
		int st = read_numbered(p, chunk, &lines, &e);
		CHECK_INT(st, LR_ERR);
		CHECK_INT(e.code, SFB_E_GZIP);
		CHECK(strcmp(e.msg, "truncated gzip data") == 0);
		CHECK(lines > 0 && lines < N);
		CHECK_INT(e.line, lines + 1);
	}

	/* the trailer cut off: every line, then the error */
	p = write_gz("lr_gztrail", "wb", text, n);
	cut_file(p, file_size(p) - 4);
	CHECK_INT(read_numbered(p, 0, &lines, &e), LR_ERR);
	CHECK_INT(lines, N);
	CHECK_INT(e.code, SFB_E_GZIP);
	CHECK(strcmp(e.msg, "truncated gzip data") == 0);

	/* a wrong CRC: every line, then the error */
	p = write_gz("lr_gzcrc", "wb", text, n);
	size = file_size(p);
	poke(p, size - 8, 0x5a);
	poke(p, size - 7, 0xa5);
	CHECK_INT(read_numbered(p, 0, &lines, &e), LR_ERR);
	CHECK_INT(lines, N);
	CHECK_INT(e.code, SFB_E_GZIP);
	CHECK(strcmp(e.msg, "corrupt gzip data: incorrect data check") ==
	      0);

	/* bytes flipped inside: a gzip error, whatever came before it */
	p = write_gz("lr_gzflip", "wb", text, n);
	size = file_size(p);
	for (long off = 20; off < size - 8; off += size / 7)
		poke(p, off, 0xff);
	CHECK_INT(read_numbered(p, 0, &lines, &e), LR_ERR);
	CHECK_INT(e.code, SFB_E_GZIP);
}

/* ---- the line limit ---------------------------------------------------- */

static void test_long(void)
{
	static char s[1024];
	size_t n = 0;
	n += (size_t)snprintf(s + n, sizeof s - n, "short1\n");
	memset(s + n, 'x', 150);
	n += 150;
	n += (size_t)snprintf(s + n, sizeof s - n, "\nshort2\n");
	memset(s + n, 'y', 100);        /* exactly the limit */
	n += 100;
	n += (size_t)snprintf(s + n, sizeof s - n, "\r\n");
	memset(s + n, 'z', 101);        /* one over */
	n += 101;
	n += (size_t)snprintf(s + n, sizeof s - n, "\n");
	memset(s + n, 'w', 150);        /* over, with CRLF */
	n += 150;
	n += (size_t)snprintf(s + n, sizeof s - n, "\r\nend\n");
	memset(s + n, 'v', 120);        /* over, at the end, no LF */
	n += 120;
	const char *p = write_file("lr_long", s, n);
	static char y100[101];
	memset(y100, 'y', 100);
	const struct want w[] = {
		W_LINE(1, "short1"), W_LONG(2, 150), W_LINE(3, "short2"),
		{ LR_LINE, 4, y100, 100 }, W_LONG(5, 101), W_LONG(6, 150),
		W_LINE(7, "end"), W_LONG(8, 120), W_EOF
	};
	static const size_t chunks[] = { 0, 1, 2, 7, 64, 99, 100, 101, 102,
					 103, 151, 200 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++)
		CHECK_READ(p, 100, chunks[i], w);
}

/*
 * A 100 MB line under the default 16 MiB limit: skipped, the next line
 * read, and memory bounded by the limit.  The file is sparse (its line
 * is NUL bytes), so writing it costs nothing.
 */
static void test_huge_line(void)
{
	const long len = 100L * 1000 * 1000;
	const char *p = tpath("lr_huge");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "first\nX", 7) != 7 ||
	    ftruncate(fd, 6 + len) != 0 || lseek(fd, 0, SEEK_END) < 0 ||
	    write(fd, "\r\nnext\n", 7) != 7 || close(fd) != 0)
		die(p);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long before = ru.ru_maxrss;     /* KiB */

	static const struct want w[] = {
		W_LINE(1, "first"), W_LONG(2, 100L * 1000 * 1000),
		W_LINE(3, "next"), W_EOF
	};
	CHECK_READ(p, 0, 0, w);

	getrusage(RUSAGE_SELF, &ru);
	long grown = ru.ru_maxrss - before;
	/* 16 MiB of line buffer and 320 KiB of buffers, not 100 MB */
	CHECK(grown < 48L * 1024);
	if (grown >= 48L * 1024)
		fprintf(stderr, "  max RSS grew by %ld KiB\n", grown);
	unlink(p);
}

/* ---- errors and stdin -------------------------------------------------- */

static void test_errors(void)
{
	struct sfb_err e;
	char msg[600];
	memset(&e, 0, sizeof e);

	const char *p = tpath("lr_missing");
	CHECK(lr_open(p, 0, &e) == NULL);
	CHECK_INT(e.code, SFB_E_IO);
	CHECK_INT(e.sys_errno, ENOENT);
	snprintf(msg, sizeof msg,
		 "cannot open '%s': No such file or directory", p);
	CHECK(strcmp(e.msg, msg) == 0);

	memset(&e, 0, sizeof e);
	CHECK(lr_open(tmpdir, 0, &e) == NULL);
	CHECK_INT(e.code, SFB_E_IO);
	CHECK_INT(e.sys_errno, EISDIR);
	snprintf(msg, sizeof msg, "cannot read '%s': Is a directory",
		 tmpdir);
	CHECK(strcmp(e.msg, msg) == 0);

	CHECK(lr_open(p, 0, NULL) == NULL);     /* err may be NULL */
}

static void test_stdin(void)
{
	int fds[2];
	int saved = dup(STDIN_FILENO);
	if (saved < 0 || pipe(fds) != 0)
		die("pipe");
	static const char s[] = "s1\r\ns2\n\xef\xbb\xbfs3";
	if (write(fds[1], s, sizeof s - 1) != (long)sizeof s - 1)
		die("write");
	close(fds[1]);
	if (dup2(fds[0], STDIN_FILENO) < 0)
		die("dup2");
	close(fds[0]);

	static const struct want w[] = {
		W_LINE(1, "s1"), W_LINE(2, "s2"), W_LINE(3, "\xef\xbb\xbfs3"),
		W_EOF
	};
	CHECK_READ("-", 0, 0, w);
	/* stdin is still open after lr_close: a read sees the pipe's end */
	char c;
	CHECK_INT(read(STDIN_FILENO, &c, 1), 0);

	dup2(saved, STDIN_FILENO);
	close(saved);
}

/* ---- split points ------------------------------------------------------ */

/*
 * Read the sample whole (checked against want), then with every read
 * size from 1 to its size: the trace must not change.
 */
static void split_all(const char *p, size_t max_line,
		      const struct want *w, size_t nw, size_t step_max)
{
	struct trace ref = { 0 }, exp = { 0 }, got = { 0 };
	read_trace(p, max_line, 0, &ref);
	want_trace(w, nw, &exp);
	int ok = same_trace(&ref, &exp);
	CHECK(ok);
	if (!ok) {
		fprintf(stderr, "%s unsplit:\n", p);
		print_escaped("got", &ref);
		print_escaped("want", &exp);
	}
	size_t size = (size_t)file_size(p), bad = 0;
	if (step_max == 0 || step_max > size)
		step_max = size;
	for (size_t k = 1; k <= step_max; k++) {
		read_trace(p, max_line, k, &got);
		if (!same_trace(&got, &ref)) {
			if (!bad++) {
				fprintf(stderr, "%s split at %zu:\n", p, k);
				print_escaped("got", &got);
			}
		}
	}
	CHECK_INT(bad, 0);
	free(ref.p);
	free(exp.p);
	free(got.p);
}

static char z40[41], y60[61];

/* The UTF-16 sample: every feature of the transcoder in one file. */
static size_t sample16(unsigned char *raw, int be)
{
	struct u16b b = { .n = 0 };
	ub_unit(&b, 0xfeff);
	ub_str(&b, "a\r\n");
	ub_unit(&b, 0xe9);
	ub_unit(&b, 0x20ac);
	ub_unit(&b, 0xd83d);
	ub_unit(&b, 0xde00);
	ub_str(&b, "\n");
	ub_rep(&b, 'y', 60);            /* over the limit of 40 */
	ub_str(&b, "\r\n");
	ub_rep(&b, 'z', 40);            /* at the limit */
	ub_str(&b, "\r\n");
	ub_unit(&b, 0x4e2d);            /* 3 bytes each in UTF-8 */
	ub_rep(&b, 0x6587, 13);         /* 42 bytes: over */
	ub_str(&b, "\n");
	ub_unit(&b, 0xdc00);
	ub_str(&b, "b");
	ub_unit(&b, 0xd800);
	ub_str(&b, "c");
	ub_unit(&b, 0);
	ub_str(&b, "d\n\n\r\r\nlast");
	ub_unit(&b, 0xd83d);
	return ub_bytes(&b, be, 'Q', raw);
}

static const struct want want16[] = {
	W_LINE(1, "a"),
	W_LINE(2, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	W_LONG(3, 60),
	{ LR_LINE, 4, z40, 40 },
	W_LONG(5, 42),
	{ LR_LINE, 6, "\xef\xbf\xbd" "b\xef\xbf\xbd" "c\0d", 10 },
	W_LINE(7, ""),
	W_LINE(8, "\r"),
	W_LINE(9, "last\xef\xbf\xbd\xef\xbf\xbd"),
	W_EOF
};

static void test_split(void)
{
	static unsigned char raw[1024];
	memset(z40, 'z', 40);
	memset(y60, 'y', 60);

	for (int be = 0; be <= 1; be++) {
		size_t n = sample16(raw, be);
		const char *p = write_file(be ? "lr_s16be" : "lr_s16le",
					   raw, n);
		split_all(p, 40, want16, sizeof want16 / sizeof want16[0],
			  0);
	}

	/* plain UTF-8 with a BOM */
	static char s[512];
	size_t n = 0;
	n += (size_t)snprintf(s + n, sizeof s - n,
			      "\xef\xbb\xbf" "first\r\n%s\r\nmid", y60);
	memcpy(s + n, "\0dle\n\r\n", 7);
	n += 7;
	n += (size_t)snprintf(s + n, sizeof s - n,
			      "%sq\r\n%s\r\na\rb\n\n%s\ntail\r", z40, z40,
			      z40);
	const struct want w8[] = {
		W_LINE(1, "first"), W_LONG(2, 60),
		{ LR_LINE, 3, "mid\0dle", 7 }, W_LINE(4, ""),
		W_LONG(5, 41), { LR_LINE, 6, z40, 40 }, W_LINE(7, "a\rb"),
		W_LINE(8, ""), { LR_LINE, 9, z40, 40 }, W_LINE(10, "tail\r"),
		W_EOF
	};
	const size_t n8 = n;
	const char *p = write_file("lr_s8", s, n8);
	split_all(p, 40, w8, sizeof w8 / sizeof w8[0], 0);

	/*
	 * gzip: the UTF-16 sample in two members cut at an odd offset,
	 * read whole and with a few read sizes.
	 */
	n = sample16(raw, 0);
	write_gz("lr_sgz", "wb", raw, 51);
	p = write_gz("lr_sgz", "ab", raw + 51, n - 51);
	split_all(p, 40, want16, sizeof want16 / sizeof want16[0], 9);
	struct trace ref = { 0 }, got = { 0 };
	read_trace(p, 40, 0, &ref);
	static const size_t chunks[] = { 16, 17, 64, 100, 1000 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		read_trace(p, 40, chunks[i], &got);
		CHECK(same_trace(&got, &ref));
	}

	/* a truncated gzip ends the same way whatever the read size */
	p = write_gz("lr_sgzcut", "wb", s, n8);
	cut_file(p, file_size(p) - 10);
	CHECK_INT(read_trace(p, 40, 0, &ref), LR_ERR);
	char tail[64];
	size_t tn = (size_t)snprintf(tail, sizeof tail,
				     " %d truncated gzip data\n",
				     (int)SFB_E_GZIP);
	CHECK(ref.n > 12 && memcmp(ref.p, "L 1 5:first\n", 12) == 0);
	CHECK(ref.n > tn && memcmp(ref.p + ref.n - tn, tail, tn) == 0);
	for (size_t k = 1; k < 40; k += 3) {
		read_trace(p, 40, k, &got);
		CHECK(same_trace(&got, &ref));
	}
	free(ref.p);
	free(got.p);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/unit_lr.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		die("mkdtemp");

	test_huge_line();       /* first: it measures the peak RSS */
	test_line_ends();
	test_accessors();
	test_bom();
	test_utf16();
	test_utf16_bad_line();
	test_nul();
	test_gzip();
	test_gzip_damage();
	test_long();
	test_errors();
	test_stdin();
	test_split();

	rm_tmpdir();
	return CHECK_DONE("unit_lr");
}
