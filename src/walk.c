/* SPDX-License-Identifier: MIT */
/*
 * walk.c -- inputs to items to jobs for batch triage (see walk.h).
 *
 * A folder is read whole, its names sorted (strcmp), then each name is
 * handled in order, so the walk and therefore the report do not depend
 * on the order readdir(3) returns.  The set of (dev, ino) seen is an
 * open-addressing hash table.  The folders on the current path are a
 * stack: a link to one of them is a loop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arc.h"
#include "rot.h"
#include "walk.h"

#define WALK_MAX_DEPTH 64

static const char *const problem_names[] = {
#define WALK_X(id, name) name,
	WALK_PROBLEM_MAP(WALK_X)
#undef WALK_X
};

const char *walk_problem_name(enum walk_problem p)
{
	return (unsigned)p < WALK_P__COUNT ? problem_names[p] : "error";
}

void walk_init(struct walk *w)
{
	memset(w, 0, sizeof *w);
	w->max_depth = WALK_MAX_DEPTH;
}

/* ---- the (dev, ino) set -------------------------------------------- */

static size_t id_hash(dev_t d, ino_t i)
{
	uint64_t h = (uint64_t)d * 0x9e3779b97f4a7c15ull ^ (uint64_t)i;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ h >> 29);
}

/* @return 1 if (d, i) was in the set, else 0 (and it is added) */
static int seen_add(struct walk *w, dev_t d, ino_t i)
{
	if (2 * (w->nseen + 1) > w->capseen) {
		size_t cap = w->capseen ? 2 * w->capseen : 256;
		struct walk_id *t = sfb_xcalloc(cap, sizeof *t);
		for (size_t k = 0; k < w->capseen; k++) {
			struct walk_id *o = &w->seen[k];
			if (!o->ino && !o->dev)
				continue;
			size_t h = id_hash(o->dev, o->ino) & (cap - 1);
			while (t[h].ino || t[h].dev)
				h = (h + 1) & (cap - 1);
			t[h] = *o;
		}
		free(w->seen);
		w->seen = t;
		w->capseen = cap;
	}
	size_t h = id_hash(d, i) & (w->capseen - 1);
	while (w->seen[h].ino || w->seen[h].dev) {
		if (w->seen[h].dev == d && w->seen[h].ino == i)
			return 1;
		h = (h + 1) & (w->capseen - 1);
	}
	w->seen[h].dev = d;
	w->seen[h].ino = i;
	w->nseen++;
	return 0;
}

/* ---- items ------------------------------------------------------------ */

static struct walk_item *item_new(struct walk *w, const char *path,
				  const char *entry)
{
	if (w->nitems == w->capitems) {
		w->capitems = w->capitems ? 2 * w->capitems : 64;
		w->items = sfb_xrealloc(w->items,
					w->capitems * sizeof *w->items);
	}
	struct walk_item *it = &w->items[w->nitems++];
	memset(it, 0, sizeof *it);
	it->path = sfb_xstrndup(path, strlen(path));
	it->size = -1;
	if (entry) {
		size_t lp = strlen(path), le = strlen(entry);
		it->entry = sfb_xstrndup(entry, le);
		it->source = sfb_xmalloc(lp + le + 2);
		memcpy(it->source, path, lp);
		it->source[lp] = '!';
		memcpy(it->source + lp + 1, entry, le + 1);
	} else {
		it->source = sfb_xstrndup(path, strlen(path));
	}
	return it;
}

static void SFB_PRINTF(4, 5) problem(struct walk *w, const char *path,
				     enum walk_problem p,
				     const char *fmt, ...)
{
	struct walk_item *it = item_new(w, path, NULL);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->reason, sizeof it->reason, fmt, ap);
	va_end(ap);
	it->problem = p;
}

static enum walk_problem errno_problem(int e)
{
	if (e == ENOENT)
		return WALK_P_VANISHED;
	if (e == ELOOP)
		return WALK_P_SYMLINK_LOOP;
	return WALK_P_UNREADABLE;
}

static void add_inner_zip(struct walk *w, const char *path,
			  const struct arc_entry *e);

/* What arc_list said of a zip, as a problem code. */
static enum walk_problem zip_problem(const struct sfb_err *e)
{
	switch (e->code) {
	case SFB_E_LIMIT:
		return WALK_P_ZIP_BOMB;
	case SFB_E_LIB:         /* libarchive missing: not the zip's fault */
		return WALK_P_ERROR;
	case SFB_E_IO:
		return e->sys_errno ? errno_problem(e->sys_errno)
				    : WALK_P_UNREADABLE;
	default:
		return WALK_P_CORRUPT_ZIP;
	}
}

static int ends_with_ci(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[n - k + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suf[i])
			return 0;
	}
	return 1;
}

/*
 * The entries of a zip (outer NULL), or of the zip inside its entry
 * outer (index oi): one item per regular entry.
 */
static void add_entries(struct walk *w, const char *path, const char *outer,
			size_t oi, const struct arc_entry *ents, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct arc_entry *e = &ents[i];
		int nested = ends_with_ci(e->name, ".zip");
		if (nested && !outer && !e->encrypted) {
			add_inner_zip(w, path, e);
			continue;
		}
		struct walk_item *it;
		if (outer) {
			size_t lo = strlen(outer), ln = strlen(e->name);
			char *full = sfb_xmalloc(lo + ln + 2);
			memcpy(full, outer, lo);
			full[lo] = '!';
			memcpy(full + lo + 1, e->name, ln + 1);
			it = item_new(w, path, full);
			free(full);
			it->outer = sfb_xstrndup(outer, lo);
			it->entry_index = oi;
			it->sub_index = e->index;
		} else {
			it = item_new(w, path, e->name);
			it->entry_index = e->index;
		}
		it->size = e->size;
		it->mtime = e->mtime;
		if (e->encrypted) {
			it->problem = WALK_P_ENCRYPTED;
			snprintf(it->reason, sizeof it->reason, "encrypted "
				 "entry: not read (no password is asked)");
		} else if (nested) {
			it->problem = WALK_P_NESTED_ZIP;
			snprintf(it->reason, sizeof it->reason, "zip inside "
				 "a zip inside a zip: not read (one level of "
				 "nesting is read)");
		}
	}
}

/* A zip inside the zip at path, entry e: its entries, streamed. */
static void add_inner_zip(struct walk *w, const char *path,
			  const struct arc_entry *e)
{
	struct arc_entry *ents;
	size_t n;
	struct sfb_err err = { 0 };
	int rc = arc_list_in(path, e->index, e->name, w->max_unpacked,
			     w->max_ratio, &ents, &n, &err);
	add_entries(w, path, e->name, e->index, ents, n);
	arc_list_free(ents, n);
	if (rc < 0) {
		struct walk_item *it = item_new(w, path, e->name);
		it->entry_index = e->index;
		it->size = e->size;
		it->mtime = e->mtime;
		it->problem = zip_problem(&err);
		snprintf(it->reason, sizeof it->reason, "%.*s",
			 (int)sizeof it->reason - 1, err.msg);
	}
}

/* A zip: one item per regular entry. */
static void add_zip(struct walk *w, const char *path)
{
	struct arc_entry *ents;
	size_t n;
	struct sfb_err err = { 0 };
	int rc = arc_list(path, &ents, &n, &err);
	add_entries(w, path, NULL, 0, ents, n);
	arc_list_free(ents, n);
	if (rc < 0)
		problem(w, path, zip_problem(&err), "%s", err.msg);
}

static void add_file(struct walk *w, const char *path, const struct stat *st)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		problem(w, path, errno_problem(e), "cannot open: %s",
			strerror(e));
		return;
	}
	ssize_t n;
	do
		n = read(fd, magic, sizeof magic);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(fd);
	if (n < 0) {
		problem(w, path, WALK_P_UNREADABLE, "cannot read: %s",
			strerror(e));
		return;
	}
	if (arc_is_zip(magic, (size_t)n)) {
		add_zip(w, path);
		return;
	}
	struct walk_item *it = item_new(w, path, NULL);
	it->size = (int64_t)st->st_size;
	it->mtime = (int64_t)st->st_mtime;
	it->dev = st->st_dev;
	it->ino = st->st_ino;
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

struct anc {
	dev_t dev;
	ino_t ino;
};

static void add_path(struct walk *w, const char *path, struct anc *stack,
		     unsigned depth);

static void add_dir(struct walk *w, const char *path, struct anc *stack,
		    unsigned depth)
{
	DIR *d = opendir(path);
	if (!d) {
		int e = errno;
		problem(w, path, errno_problem(e), "cannot open folder: %s",
			strerror(e));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = sfb_xrealloc(names, cap * sizeof *names);
		}
		names[n++] = sfb_xstrndup(de->d_name, strlen(de->d_name));
	}
	if (errno)
		problem(w, path, WALK_P_UNREADABLE, "cannot list folder: %s",
			strerror(errno));
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	size_t lp = strlen(path);
	int slash = lp && path[lp - 1] == '/';
	for (size_t i = 0; i < n; i++) {
		size_t ln = strlen(names[i]);
		char *child = sfb_xmalloc(lp + ln + 2);
		memcpy(child, path, lp);
		if (!slash)
			child[lp] = '/';
		memcpy(child + lp + !slash, names[i], ln + 1);
		add_path(w, child, stack, depth + 1);
		free(child);
		free(names[i]);
	}
	free(names);
}

static void add_path(struct walk *w, const char *path, struct anc *stack,
		     unsigned depth)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		int e = errno;
		struct stat lst;
		if (e == ENOENT && lstat(path, &lst) == 0)
			problem(w, path, WALK_P_UNREADABLE, "dangling "
				"symbolic link");
		else if (e == ELOOP)
			problem(w, path, WALK_P_SYMLINK_LOOP, "symbolic link "
				"loop: %s", strerror(e));
		else
			problem(w, path, WALK_P_UNREADABLE, "%s",
				strerror(e));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		for (unsigned k = 0; k < depth; k++)
			if (stack[k].dev == st.st_dev &&
			    stack[k].ino == st.st_ino) {
				problem(w, path, WALK_P_SYMLINK_LOOP,
					"symbolic link loop: a folder that "
					"contains it");
				return;
			}
		if (depth >= w->max_depth) {
			problem(w, path, WALK_P_UNREADABLE, "folders nested "
				"deeper than %u: not walked", w->max_depth);
			return;
		}
		if (seen_add(w, st.st_dev, st.st_ino))
			return;         /* walked already, by another name */
		stack[depth].dev = st.st_dev;
		stack[depth].ino = st.st_ino;
		add_dir(w, path, stack, depth);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		problem(w, path, WALK_P_NOT_A_LOG, "not a regular file");
		return;
	}
	if (seen_add(w, st.st_dev, st.st_ino))
		return;                 /* read once, by its first name */
	add_file(w, path, &st);
}

void walk_add(struct walk *w, const char *path)
{
	struct anc stack[WALK_MAX_DEPTH + 1];
	add_path(w, path, stack, 0);
}

/* ---- grouping ------------------------------------------------------- */

/*
 * The items with a rotation number are sorted by (family, input order),
 * so that each family is one run of that array: O(n log n) whatever
 * the number of families.  A job is made when its first item (in input
 * order) comes, with the family's parts oldest first.
 */
struct gent {
	size_t item;
	int age;
	char *fam;              /* owned; NULL: no rotation number */
};

/* Older first; then input order. */
static int gent_cmp(const void *x, const void *y)
{
	const struct gent *a = x, *b = y;
	if (a->age != b->age)
		return a->age > b->age ? -1 : 1;
	return (a->item > b->item) - (a->item < b->item);
}

/* By family, then input order. */
static int fam_cmp(const void *x, const void *y)
{
	const struct gent *a = x, *b = y;
	int c = strcmp(a->fam, b->fam);
	if (c)
		return c;
	return (a->item > b->item) - (a->item < b->item);
}

static void job_add(struct walk *w, size_t *cap, const struct gent *g,
		    size_t n)
{
	if (w->njobs == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		w->jobs = sfb_xrealloc(w->jobs, *cap * sizeof *w->jobs);
	}
	struct walk_job *j = &w->jobs[w->njobs++];
	j->nitems = n;
	j->items = sfb_xcalloc(n, sizeof *j->items);
	size_t len = 1;
	for (size_t k = 0; k < n; k++) {
		j->items[k] = g[k].item;
		len += strlen(w->items[g[k].item].source) + 3;
	}
	j->name = sfb_xmalloc(len);
	size_t off = 0;
	for (size_t k = 0; k < n; k++)
		off += (size_t)snprintf(j->name + off, len - off, "%s%s",
					k ? " + " : "",
					w->items[g[k].item].source);
}

void walk_group(struct walk *w)
{
	size_t n = w->nitems, nrot = 0, cap = 0;
	struct gent *rot = sfb_xcalloc(n ? n : 1, sizeof *rot);
	/* per item: where its family starts in rot[] (+1; 0: alone) */
	size_t *first = sfb_xcalloc(n ? n : 1, sizeof *first);
	size_t *len = sfb_xcalloc(n ? n : 1, sizeof *len);
	char fam[4096];
	for (size_t i = 0; i < n; i++) {
		const char *src = w->items[i].source;
		if (w->items[i].problem || !rot_family(src, fam, sizeof fam))
			continue;
		rot[nrot].item = i;
		rot[nrot].age = rot_age(src);
		rot[nrot++].fam = sfb_xstrndup(fam, strlen(fam));
	}
	if (nrot)
		qsort(rot, nrot, sizeof *rot, fam_cmp);
	for (size_t a = 0, b; a < nrot; a = b) {
		for (b = a + 1; b < nrot; b++)
			if (strcmp(rot[a].fam, rot[b].fam) != 0)
				break;
		first[rot[a].item] = a + 1;     /* its first part */
		len[rot[a].item] = b - a;
		for (size_t k = a + 1; k < b; k++)
			first[rot[k].item] = SIZE_MAX;  /* in a's job */
		qsort(rot + a, b - a, sizeof *rot, gent_cmp);
	}
	for (size_t i = 0; i < n; i++) {
		if (first[i] == SIZE_MAX)
			continue;
		if (first[i]) {
			job_add(w, &cap, rot + first[i] - 1, len[i]);
		} else {
			struct gent one = { i, 0, NULL };
			job_add(w, &cap, &one, 1);
		}
	}
	for (size_t k = 0; k < nrot; k++)
		free(rot[k].fam);
	free(len);
	free(first);
	free(rot);
}

void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->nitems; i++) {
		free(w->items[i].path);
		free(w->items[i].entry);
		free(w->items[i].outer);
		free(w->items[i].source);
	}
	free(w->items);
	for (size_t i = 0; i < w->njobs; i++) {
		free(w->jobs[i].items);
		free(w->jobs[i].name);
	}
	free(w->jobs);
	free(w->seen);
	memset(w, 0, sizeof *w);
}
