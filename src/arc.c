/* SPDX-License-Identifier: MIT */
/*
 * arc.c -- zip bundles through libarchive (see arc.h): listing, and one
 * entry streamed to the line reader with caps against zip bombs.
 *
 * The zip is read through our own callbacks (read, seek, skip on a file
 * descriptor).  The packed bytes of an entry are libarchive's offset in
 * the zip past where the entry's data began (not what a read took
 * ahead), so the unpacked/packed ratio is checked as the entry streams.
 * libarchive's seekable zip reader takes the central directory, so
 * reaching entry k costs k header reads, not k entries' data.
 *
 * A zip inside a zip is read through a second libarchive reader whose
 * read callback pulls the outer entry's unpacked bytes (arc_read, with
 * its caps): streamed, as nothing inside a packed entry can be sought.
 * Reaching its entry k reads the inner zip from its start up to it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arc.h"
#include "dl.h"

/*
 * libarchive, loaded on the first zip (dl.h): its functions are called
 * through la, e.g. la.archive_read_new().
 */
#define LA_FUNCS(X)                                                    \
	X(archive_entry_filetype) X(archive_entry_is_encrypted)        \
	X(archive_entry_mtime) X(archive_entry_mtime_is_set)           \
	X(archive_entry_pathname) X(archive_entry_size)                \
	X(archive_entry_size_is_set) X(archive_error_string)           \
	X(archive_filter_bytes) X(archive_read_data)                   \
	X(archive_read_free) X(archive_read_new)                       \
	X(archive_read_next_header) X(archive_read_open1)              \
	X(archive_read_set_callback_data)                              \
	X(archive_read_set_read_callback)                              \
	X(archive_read_set_seek_callback)                              \
	X(archive_read_set_skip_callback)                              \
	X(archive_read_support_format_zip)                             \
	X(archive_read_support_format_zip_streamable)                  \
	X(archive_set_error) X(archive_version_string)
#define LA_SYM(f) DL_SYM(la, f)
static struct {
	LA_FUNCS(DL_PTR)
} la;
static struct dl_sym la_syms[] = { LA_FUNCS(LA_SYM) };
/* libarchive 3.x has been libarchive.so.13 since 3.0 (2011) */
#if ARCHIVE_VERSION_NUMBER / 1000000 != 3
#error "libarchive is not 3.x: its SONAME here needs a look"
#endif
static struct dl_lib la_lib = DL_LIB("libarchive.so.13", la_syms);

#define ARC_BUFSZ (64u << 10)
#define ARC_HDRSZ (4u << 10)

struct arc_rd {
	struct archive *a;
	int fd;                 /* the zip on disk, or -1 ... */
	struct arc_rd *up;      /* ... the outer entry it streams from */
	struct sfb_err up_err;  /* what the outer entry's read said */
	unsigned char *buf;     /* owned, ARC_BUFSZ: packed input */
	size_t blk;             /* bytes a read asks for: small while
				 * headers are sought, so that they are
				 * not read with much of the data around
				 * them; ARC_BUFSZ for an entry's data */
	int64_t start;          /* where the entry's data begins ... */
	uint64_t packed;        /* ... and the packed bytes taken since:
				 * libarchive's offset in the zip, not
				 * what was read ahead */
	uint64_t out;           /* unpacked bytes handed out */
	uint64_t max_size;
	unsigned max_ratio;
	int eof;
	char what[600];         /* "ZIP: entry NAME", for messages */
};

static la_ssize_t cb_read(struct archive *a, void *ud, const void **buf)
{
	struct arc_rd *r = ud;
	if (r->up) {
		long n = arc_read(r->up, r->buf, r->blk, &r->up_err);
		if (n < 0) {
			la.archive_set_error(a, EIO, "%s", r->up_err.msg);
			return -1;
		}
		*buf = r->buf;
		return n;
	}
	for (;;) {
		ssize_t n = read(r->fd, r->buf, r->blk);
		if (n >= 0) {
			*buf = r->buf;
			return n;
		}
		if (errno != EINTR) {
			la.archive_set_error(a, errno, "read error");
			return -1;
		}
	}
}

static la_int64_t cb_seek(struct archive *a, void *ud, la_int64_t off,
			  int whence)
{
	struct arc_rd *r = ud;
	off_t o = lseek(r->fd, (off_t)off, whence);
	if (o < 0) {
		la.archive_set_error(a, errno, "seek error");
		return ARCHIVE_FATAL;
	}
	return (la_int64_t)o;
}

static la_int64_t cb_skip(struct archive *a, void *ud, la_int64_t n)
{
	struct arc_rd *r = ud;
	off_t cur = lseek(r->fd, 0, SEEK_CUR);
	if (cur < 0 || lseek(r->fd, (off_t)n, SEEK_CUR) < 0) {
		(void)a;
		return 0;       /* libarchive then reads over it */
	}
	return n;
}

static void rd_free(struct arc_rd *r)
{
	if (r->a)
		la.archive_read_free(r->a);
	if (r->fd >= 0)
		close(r->fd);
	if (r->up)
		rd_free(r->up);
	free(r->buf);
	free(r);
}

/* The error of a read through r: the outer entry's own if it failed. */
static int rd_error(struct arc_rd *r, struct sfb_err *err,
		    const char *what)
{
	if (r->up && r->up_err.code) {
		*err = r->up_err;
		return -1;
	}
	return sfb_err_set(err, SFB_E_FORMAT, 0, "corrupt zip: %s: %s",
			   what, la.archive_error_string(r->a) ?
			   la.archive_error_string(r->a) : "bad data");
}

/*
 * Open path as a zip through the callbacks, or -- up not NULL (taken
 * over: freed with the reader) -- the zip that up's entry holds,
 * streamed (no seeking inside a packed entry), named path in messages.
 * @return reader or NULL
 */
static struct arc_rd *rd_open(const char *path, struct arc_rd *up,
			      struct sfb_err *err)
{
	if (dl_load(&la_lib, err) < 0) {
		if (up)
			rd_free(up);
		return NULL;
	}
	struct arc_rd *r = sfb_xcalloc(1, sizeof *r);
	r->fd = -1;
	r->up = up;
	if (!up && (r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int e = errno;
		sfb_err_set(err, SFB_E_IO, e, "cannot open '%s': %s", path,
			    strerror(e));
		free(r);
		return NULL;
	}
	r->buf = sfb_xmalloc(ARC_BUFSZ);
	r->blk = ARC_HDRSZ;
	r->a = la.archive_read_new();
	if (!r->a)
		sfb_oom();
	if (up) {
		la.archive_read_support_format_zip_streamable(r->a);
	} else {
		la.archive_read_support_format_zip(r->a);
		la.archive_read_set_seek_callback(r->a, cb_seek);
		la.archive_read_set_skip_callback(r->a, cb_skip);
	}
	la.archive_read_set_read_callback(r->a, cb_read);
	la.archive_read_set_callback_data(r->a, r);
	if (la.archive_read_open1(r->a) != ARCHIVE_OK) {
		if (up && r->up_err.code)
			*err = r->up_err;
		else
			sfb_err_set(err, SFB_E_FORMAT, 0, "corrupt zip '%s': "
				    "%s", path, la.archive_error_string(r->a) ?
				    la.archive_error_string(r->a) :
				    "unreadable");
		rd_free(r);
		return NULL;
	}
	return r;
}

int arc_is_zip(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 'P' && p[1] == 'K' &&
	       ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* The regular entries of the zip open in r (label: for messages). */
static int list_rd(struct arc_rd *r, const char *label,
		   struct arc_entry **out, size_t *n, struct sfb_err *err)
{
	size_t cap = 0, index = 0;
	struct archive_entry *ae;
	for (;; index++) {
		int st = la.archive_read_next_header(r->a, &ae);
		if (st == ARCHIVE_EOF)
			return 0;
		if (st < ARCHIVE_WARN) {
			if (r->up && r->up_err.code)
				*err = r->up_err;
			else
				sfb_err_set(err, SFB_E_FORMAT, 0,
					    "corrupt zip '%s': %s", label,
					    la.archive_error_string(r->a) ?
					    la.archive_error_string(r->a) :
					    "bad header");
			return -1;
		}
		if (la.archive_entry_filetype(ae) != AE_IFREG)
			continue;
		const char *nm = la.archive_entry_pathname(ae);
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = sfb_xrealloc(*out, cap * sizeof **out);
		}
		struct arc_entry *e = &(*out)[(*n)++];
		nm = nm ? nm : "";
		e->name = sfb_xstrndup(nm, strlen(nm));
		e->size = la.archive_entry_size_is_set(ae)
			  ? (int64_t)la.archive_entry_size(ae) : -1;
		e->mtime = la.archive_entry_mtime_is_set(ae)
			   ? (int64_t)la.archive_entry_mtime(ae) : 0;
		e->encrypted = la.archive_entry_is_encrypted(ae) != 0;
		e->index = index;
	}
}

int arc_list(const char *path, struct arc_entry **out, size_t *n,
	     struct sfb_err *err)
{
	*out = NULL;
	*n = 0;
	struct arc_rd *r = rd_open(path, NULL, err);
	if (!r)
		return -1;
	int rc = list_rd(r, path, out, n, err);
	rd_free(r);
	return rc;
}

/* "PATH!NAME", the name of a zip inside a zip in messages. */
static char *inner_label(const char *path, const char *name)
{
	size_t lp = strlen(path), ln = strlen(name);
	char *s = sfb_xmalloc(lp + ln + 2);
	memcpy(s, path, lp);
	s[lp] = '!';
	memcpy(s + lp + 1, name, ln + 1);
	return s;
}

int arc_list_in(const char *path, size_t index, const char *name,
		uint64_t max_size, unsigned max_ratio,
		struct arc_entry **out, size_t *n, struct sfb_err *err)
{
	*out = NULL;
	*n = 0;
	struct arc_rd *up = arc_open(path, index, name, max_size, max_ratio,
				     err);
	if (!up)
		return -1;
	char *label = inner_label(path, name);
	struct arc_rd *r = rd_open(label, up, err);
	int rc = r ? list_rd(r, label, out, n, err) : -1;
	if (r)
		rd_free(r);
	free(label);
	return rc;
}

void arc_list_free(struct arc_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/*
 * Move r to entry index (name: checked against the header), with its
 * caps.  @return 0, or -1 with err filled (r is then freed)
 */
static int rd_seek(struct arc_rd *r, const char *label, size_t index,
		   const char *name, uint64_t max_size, unsigned max_ratio,
		   struct sfb_err *err)
{
	snprintf(r->what, sizeof r->what, "%s: entry %s", label, name);
	struct archive_entry *ae = NULL;
	for (size_t i = 0; i <= index; i++) {
		int st = la.archive_read_next_header(r->a, &ae);
		if (st == ARCHIVE_EOF || st < ARCHIVE_WARN) {
			if (st != ARCHIVE_EOF && r->up && r->up_err.code)
				*err = r->up_err;
			else
				sfb_err_set(err, SFB_E_FORMAT, 0, "corrupt "
					    "zip '%s': %s", label,
					    st == ARCHIVE_EOF ? "entry gone"
					    : la.archive_error_string(r->a));
			rd_free(r);
			return -1;
		}
	}
	const char *nm = la.archive_entry_pathname(ae);
	if (!nm || strcmp(nm, name) != 0) {
		sfb_err_set(err, SFB_E_IO, 0, "'%s' changed during the run",
			    label);
		rd_free(r);
		return -1;
	}
	if (la.archive_entry_is_encrypted(ae)) {
		sfb_err_set(err, SFB_E_USAGE, 0, "%s: encrypted", r->what);
		rd_free(r);
		return -1;
	}
	r->start = la.archive_filter_bytes(r->a, 0);
	r->blk = ARC_BUFSZ;
	r->max_size = max_size;
	r->max_ratio = max_ratio;
	return 0;
}

struct arc_rd *arc_open(const char *path, size_t index, const char *name,
			uint64_t max_size, unsigned max_ratio,
			struct sfb_err *err)
{
	struct arc_rd *r = rd_open(path, NULL, err);
	if (!r || rd_seek(r, path, index, name, max_size, max_ratio, err))
		return NULL;
	return r;
}

struct arc_rd *arc_open_in(const char *path, size_t index,
			   const char *name, size_t sub_index,
			   const char *sub_name, uint64_t max_size,
			   unsigned max_ratio, struct sfb_err *err)
{
	struct arc_rd *up = arc_open(path, index, name, max_size, max_ratio,
				     err);
	if (!up)
		return NULL;
	char *label = inner_label(path, name);
	struct arc_rd *r = rd_open(label, up, err);
	if (r && rd_seek(r, label, sub_index, sub_name, max_size, max_ratio,
			 err))
		r = NULL;
	free(label);
	return r;
}

long arc_read(void *ud, void *buf, size_t cap, struct sfb_err *err)
{
	struct arc_rd *r = ud;
	if (r->eof)
		return 0;
	la_ssize_t n = la.archive_read_data(r->a, buf, cap);
	if (n < 0)
		return rd_error(r, err, r->what);
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->out += (uint64_t)n;
	int64_t at = la.archive_filter_bytes(r->a, 0);
	r->packed = at > r->start ? (uint64_t)(at - r->start) : 0;
	if (r->max_size && r->out > r->max_size)
		return sfb_err_set(err, SFB_E_LIMIT, 0, "zip bomb? %s: "
				   "unpacks to more than %" PRIu64 " bytes "
				   "(--max-unpacked)", r->what, r->max_size);
	if (r->max_ratio && r->out > ARC_RATIO_FLOOR &&
	    r->out / (r->packed ? r->packed : 1) > r->max_ratio)
		return sfb_err_set(err, SFB_E_LIMIT, 0, "zip bomb? %s: "
				   "unpacks to more than %u times its packed "
				   "size (--max-ratio)", r->what,
				   r->max_ratio);
	return (long)n;
}

uint64_t arc_bytes(const struct arc_rd *r)
{
	return r->out;
}

void arc_close(struct arc_rd *r)
{
	if (r)
		rd_free(r);
}

const char *arc_version(void)
{
	if (dl_load(&la_lib, NULL) < 0)
		return "libarchive not found";
	return la.archive_version_string();
}
