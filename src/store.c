/* SPDX-License-Identifier: MIT */
/*
 * store.c -- the SQLite store of triage results (see store.h).
 *
 * One row per file (its source is the key: a path, or ZIP!ENTRY), per
 * sign-in session, per finding and per evidence line.  A job's rows are
 * replaced as a whole: every row of a stream that shares a file with
 * the job is deleted first, in the same transaction as the inserts.
 * Times are the log's ("YYYY-MM-DDTHH:MM:SS.mmm", no zone), so that
 * SQLite's date functions read them; file mtimes are Unix seconds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "dl.h"
#include "esc.h"
#include "rules.h"
#include "store.h"
#include "sv.h"

/*
 * libsqlite3, loaded on the first store_open (dl.h): its functions are
 * called through sq, e.g. sq.sqlite3_step().
 */
#define SQ_FUNCS(X)                                                    \
	X(sqlite3_bind_int64) X(sqlite3_bind_null) X(sqlite3_bind_text)\
	X(sqlite3_busy_timeout) X(sqlite3_clear_bindings)              \
	X(sqlite3_close) X(sqlite3_column_int64) X(sqlite3_column_text)\
	X(sqlite3_column_type) X(sqlite3_errmsg) X(sqlite3_exec)       \
	X(sqlite3_finalize) X(sqlite3_last_insert_rowid)               \
	X(sqlite3_libversion) X(sqlite3_open_v2) X(sqlite3_prepare_v2) \
	X(sqlite3_reset) X(sqlite3_step)
#define SQ_SYM(f) DL_SYM(sq, f)
static struct {
	SQ_FUNCS(DL_PTR)
} sq;
static struct dl_sym sq_syms[] = { SQ_FUNCS(SQ_SYM) };
/* SQLite 3 has always been libsqlite3.so.0 */
#if SQLITE_VERSION_NUMBER / 1000000 != 3
#error "SQLite is not 3.x: its SONAME here needs a look"
#endif
static struct dl_lib sq_lib = DL_LIB("libsqlite3.so.0", sq_syms);

/* Jobs per transaction at most, and its age at most (ms). */
#define STORE_BATCH 64
#define STORE_BATCH_MS 500

struct ins {
	sqlite3_stmt *file, *sess, *find, *ev, *del, *d1, *d2;
};

struct store {
	sqlite3 *db;
	char *path;
	struct ins q;           /* prepared once, at the first result */
	int open;               /* a transaction is open ... */
	unsigned pending;       /* ... with this many jobs in it */
	struct timespec since;  /* ... begun then */
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"INSERT OR IGNORE INTO meta VALUES('schema_version', '1');"
	"CREATE TABLE IF NOT EXISTS files("
	" source TEXT PRIMARY KEY, path TEXT NOT NULL, entry TEXT,"
	" stream TEXT NOT NULL, size INTEGER, mtime INTEGER, hash TEXT,"
	" status TEXT NOT NULL, code TEXT, reason TEXT,"
	" bytes_read INTEGER, format TEXT);"
	"CREATE TABLE IF NOT EXISTS sessions("
	" id INTEGER PRIMARY KEY, stream TEXT NOT NULL, file TEXT,"
	" line INTEGER, session INTEGER, user TEXT, epid TEXT,"
	" start_time TEXT, end_time TEXT, outcome TEXT, outcome_text TEXT,"
	" failed_step TEXT, severity TEXT, top_rule TEXT);"
	"CREATE TABLE IF NOT EXISTS findings("
	" id INTEGER PRIMARY KEY, stream TEXT NOT NULL,"
	" session_id INTEGER REFERENCES sessions(id), session INTEGER,"
	" user TEXT, rule TEXT, severity TEXT, step TEXT, title TEXT,"
	" count INTEGER, time TEXT);"
	"CREATE TABLE IF NOT EXISTS evidence("
	" finding_id INTEGER NOT NULL REFERENCES findings(id),"
	" file TEXT, line INTEGER, time TEXT, text TEXT);"
	"CREATE INDEX IF NOT EXISTS files_stream ON files(stream);"
	"CREATE INDEX IF NOT EXISTS sessions_stream ON sessions(stream);"
	"CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);"
	"CREATE INDEX IF NOT EXISTS sessions_start ON sessions(start_time);"
	"CREATE INDEX IF NOT EXISTS sessions_outcome ON sessions(outcome);"
	"CREATE INDEX IF NOT EXISTS findings_stream ON findings(stream);"
	"CREATE INDEX IF NOT EXISTS findings_rule ON findings(rule);"
	"CREATE INDEX IF NOT EXISTS findings_session ON findings(session_id);"
	"CREATE INDEX IF NOT EXISTS evidence_finding ON evidence(finding_id);";

static int db_fail(struct store *s, struct sfb_err *err, const char *what)
{
	return sfb_err_set(err, SFB_E_IO, 0, "%s: %s: %s", s->path, what,
			   sq.sqlite3_errmsg(s->db));
}

struct store *store_open(const char *path, struct sfb_err *err)
{
	if (dl_load(&sq_lib, err) < 0)
		return NULL;
	struct store *s = sfb_xcalloc(1, sizeof *s);
	s->path = sfb_xstrndup(path, strlen(path));
	if (sq.sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			       SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sq.sqlite3_busy_timeout(s->db, 10000) != SQLITE_OK ||
	    sq.sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, err, "cannot open the store");
		store_close(s);
		return NULL;
	}
	return s;
}

static void ins_free(struct ins *q)
{
	sqlite3_stmt **all[] = { &q->file, &q->sess, &q->find, &q->ev,
				 &q->del, &q->d1, &q->d2 };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		sq.sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->open)
		(void)sq.sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	ins_free(&s->q);
	sq.sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *store_version(void)
{
	if (dl_load(&sq_lib, NULL) < 0)
		return "not found";
	return sq.sqlite3_libversion();
}

static sqlite3_stmt *prep(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sq.sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

int store_lookup(struct store *s, const char *source, int64_t *size,
		 int64_t *mtime, uint64_t *hash, struct sfb_err *err)
{
	sqlite3_stmt *st = prep(s, "SELECT size, mtime, hash FROM files "
				"WHERE source = ?1 AND status != 'problem'");
	if (!st)
		return db_fail(s, err, "cannot read the store");
	sq.sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	int rc = 0;
	if (sq.sqlite3_step(st) == SQLITE_ROW &&
	    sq.sqlite3_column_type(st, 2) == SQLITE_TEXT) {
		*size = sq.sqlite3_column_int64(st, 0);
		*mtime = sq.sqlite3_column_int64(st, 1);
		const char *h = (const char *)sq.sqlite3_column_text(st, 2);
		*hash = strtoull(h, NULL, 16);
		rc = 1;
	}
	sq.sqlite3_finalize(st);
	return rc;
}

/* Bind a text or NULL (empty string: NULL), valid until the step. */
static void bind_s(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sq.sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sq.sqlite3_bind_null(st, i);
}

/* Bind log text as the JSON records have it: secrets masked, UTF-8. */
static void bind_m(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sq.sqlite3_bind_text(st, i, esc_utf8(sv_cstr(v)), -1, free);
	else
		sq.sqlite3_bind_null(st, i);
}

static void bind_t(sqlite3_stmt *st, int i, int64_t t)
{
	char buf[32];
	if (t == SFB_TIME_NONE)
		sq.sqlite3_bind_null(st, i);
	else
		sq.sqlite3_bind_text(st, i,
				     sfb_time_fmt(t, buf, sizeof buf), -1,
				     SQLITE_TRANSIENT);
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sq.sqlite3_step(st);
	sq.sqlite3_reset(st);
	sq.sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int put_finding(struct store *s, struct ins *q, const char *stream,
		       int64_t sess_row, const struct tri_sess *ts,
		       const struct finding *f)
{
	sqlite3_stmt *st = q->find;
	sq.sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
	if (sess_row)
		sq.sqlite3_bind_int64(st, 2, sess_row);
	if (ts)
		sq.sqlite3_bind_int64(st, 3, ts->id);
	bind_s(st, 4, ts ? ts->user : f->user);
	bind_s(st, 5, f->rule->id);
	bind_s(st, 6, sfb_sev_name(f->sev));
	bind_s(st, 7, f->step ? sfb_step_name(f->step) : "general");
	bind_m(st, 8, f->title);
	sq.sqlite3_bind_int64(st, 9, (sqlite3_int64)f->count);
	bind_t(st, 10, f->nev ? f->ev[0].ts : SFB_TIME_NONE);
	if (step_done(st))
		return -1;
	int64_t fid = sq.sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < f->nev; i++) {
		st = q->ev;
		sq.sqlite3_bind_int64(st, 1, fid);
		bind_s(st, 2, f->ev[i].file);
		sq.sqlite3_bind_int64(st, 3, (sqlite3_int64)f->ev[i].line);
		bind_t(st, 4, f->ev[i].ts);
		bind_m(st, 5, f->ev[i].text);
		if (step_done(st))
			return -1;
	}
	return 0;
}

static int put_result(struct store *s, struct ins *q,
		      const struct tri_result *r)
{
	const char *stream = r->name;
	char hex[20];
	for (size_t i = 0; i < r->nfiles; i++) {
		sq.sqlite3_bind_text(q->del, 1, r->files[i].item->source,
				     -1, SQLITE_STATIC);
		if (sq.sqlite3_step(q->del) != SQLITE_DONE)
			return -1;
		sq.sqlite3_reset(q->del);
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct tri_file *f = &r->files[i];
		const struct walk_item *it = f->item;
		sqlite3_stmt *st = q->file;
		bind_s(st, 1, it->source);
		bind_s(st, 2, it->path);
		bind_s(st, 3, it->entry);
		bind_s(st, 4, stream);
		if (it->size >= 0)
			sq.sqlite3_bind_int64(st, 5, it->size);
		sq.sqlite3_bind_int64(st, 6, it->mtime);
		if (f->hashed) {
			snprintf(hex, sizeof hex, "%016" PRIx64, f->hash);
			bind_s(st, 7, hex);
		}
		bind_s(st, 8, f->problem ? "problem" : "ok");
		bind_s(st, 9, walk_problem_name(f->problem));
		bind_m(st, 10, f->problem ? f->reason : NULL);
		sq.sqlite3_bind_int64(st, 11, (sqlite3_int64)f->bytes);
		bind_s(st, 12, r->ran && r->kind != FMT_AUTO
		       ? fmt_kind_name(r->kind) : NULL);
		if (step_done(st))
			return -1;
	}
	for (size_t i = 0; i < r->nsess; i++) {
		const struct tri_sess *t = &r->sess[i];
		const struct finding *top = triage_top(t);
		sqlite3_stmt *st = q->sess;
		bind_s(st, 1, stream);
		bind_s(st, 2, t->file);
		sq.sqlite3_bind_int64(st, 3, (sqlite3_int64)t->line);
		sq.sqlite3_bind_int64(st, 4, t->id);
		bind_s(st, 5, t->user);
		bind_s(st, 6, t->epid);
		bind_t(st, 7, t->start);
		bind_t(st, 8, t->end);
		bind_s(st, 9, sess_outcome_name(t->outcome));
		bind_m(st, 10, t->outcome_text);
		bind_s(st, 11, t->failed_step ? sfb_step_name(t->failed_step)
					      : NULL);
		bind_s(st, 12, sfb_sev_name(t->sev));
		bind_s(st, 13, top ? top->rule->id : NULL);
		if (step_done(st))
			return -1;
		int64_t row = sq.sqlite3_last_insert_rowid(s->db);
		for (size_t k = 0; k < t->nf; k++)
			if (put_finding(s, q, stream, row, t, &t->f[k]))
				return -1;
	}
	for (size_t k = 0; k < r->nf; k++)
		if (put_finding(s, q, stream, 0, NULL, &r->f[k]))
			return -1;
	return 0;
}

/* Every row of the streams that hold file ?1, in child-first order. */
static const char del_sql[] =
	"DELETE FROM evidence WHERE finding_id IN (SELECT id FROM findings "
	" WHERE stream IN (SELECT stream FROM files WHERE source = ?1));"
	;

static int ins_prep(struct store *s, struct ins *q)
{
	if (q->file)
		return 0;
	q->file = prep(s, "INSERT OR REPLACE INTO files VALUES(?1, ?2, ?3, "
		       "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	q->sess = prep(s, "INSERT INTO sessions VALUES(NULL, ?1, ?2, ?3, "
		       "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	q->find = prep(s, "INSERT INTO findings VALUES(NULL, ?1, ?2, ?3, "
		       "?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	q->ev = prep(s, "INSERT INTO evidence VALUES(?1, ?2, ?3, ?4, ?5)");
	q->del = prep(s, "DELETE FROM sessions WHERE stream IN (SELECT "
		      "stream FROM files WHERE source = ?1)");
	q->d1 = prep(s, del_sql);
	q->d2 = prep(s, "DELETE FROM findings WHERE stream IN (SELECT "
		     "stream FROM files WHERE source = ?1)");
	if (q->file && q->sess && q->find && q->ev && q->del && q->d1 &&
	    q->d2)
		return 0;
	ins_free(q);
	return -1;
}

static int64_t ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int store_flush(struct store *s, struct sfb_err *err)
{
	if (!s->open)
		return 0;
	s->open = 0;
	s->pending = 0;
	if (sq.sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, err, "cannot store");
		(void)sq.sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int store_result(struct store *s, const struct tri_result *r,
		 struct sfb_err *err)
{
	if (r->skipped)
		return 0;
	struct ins *q = &s->q;
	if (ins_prep(s, q) < 0)
		return db_fail(s, err, "cannot store");
	if (!s->open) {
		if (sq.sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
				    NULL))
			return db_fail(s, err, "cannot store");
		s->open = 1;
		clock_gettime(CLOCK_MONOTONIC, &s->since);
	}
	/* the job whole or not at all, inside the batch */
	if (sq.sqlite3_exec(s->db, "SAVEPOINT job", NULL, NULL, NULL))
		return db_fail(s, err, "cannot store");
	int bad = 0;
	for (size_t i = 0; i < r->nfiles && !bad; i++) {
		const char *src = r->files[i].item->source;
		sq.sqlite3_bind_text(q->d1, 1, src, -1, SQLITE_STATIC);
		sq.sqlite3_bind_text(q->d2, 1, src, -1, SQLITE_STATIC);
		bad = step_done(q->d1) || step_done(q->d2);
	}
	if (bad || put_result(s, q, r)) {
		db_fail(s, err, "cannot store");
		(void)sq.sqlite3_exec(s->db,
				      "ROLLBACK TO job; RELEASE job", NULL,
				      NULL, NULL);
		return -1;
	}
	if (sq.sqlite3_exec(s->db, "RELEASE job", NULL, NULL, NULL))
		return db_fail(s, err, "cannot store");
	if (++s->pending >= STORE_BATCH ||
	    ms_since(&s->since) >= STORE_BATCH_MS)
		return store_flush(s, err);
	return 0;
}

/* Offsets that move the ids of the attached store past ours. */
static const char merge_sql[] =
	"BEGIN IMMEDIATE;"
	"CREATE TEMP TABLE IF NOT EXISTS off(s INTEGER, f INTEGER);"
	"DELETE FROM off;"
	"INSERT INTO off SELECT IFNULL((SELECT MAX(id) FROM sessions), 0),"
	" IFNULL((SELECT MAX(id) FROM findings), 0);"
	"DELETE FROM evidence WHERE finding_id IN (SELECT id FROM findings"
	" WHERE stream IN (SELECT stream FROM src.files));"
	"DELETE FROM findings WHERE stream IN (SELECT stream FROM src.files);"
	"DELETE FROM sessions WHERE stream IN (SELECT stream FROM src.files);"
	"INSERT OR REPLACE INTO files SELECT * FROM src.files;"
	"INSERT INTO sessions SELECT id + (SELECT s FROM off), stream, file,"
	" line, session, user, epid, start_time, end_time, outcome,"
	" outcome_text, failed_step, severity, top_rule FROM src.sessions;"
	"INSERT INTO findings SELECT id + (SELECT f FROM off), stream,"
	" session_id + (SELECT s FROM off), session, user, rule, severity,"
	" step, title, count, time FROM src.findings;"
	"INSERT INTO evidence SELECT finding_id + (SELECT f FROM off), file,"
	" line, time, text FROM src.evidence;"
	"COMMIT;";

int store_merge(struct store *s, const char *path, struct sfb_err *err)
{
	sqlite3_stmt *st = prep(s, "ATTACH DATABASE ?1 AS src");
	if (!st)
		return db_fail(s, err, "cannot attach");
	sq.sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	int ok = sq.sqlite3_step(st) == SQLITE_DONE;
	sq.sqlite3_finalize(st);
	if (!ok)
		return sfb_err_set(err, SFB_E_IO, 0, "cannot open '%s': %s",
				   path, sq.sqlite3_errmsg(s->db));
	int rc = 0;
	if (sq.sqlite3_exec(s->db, merge_sql, NULL, NULL, NULL) != SQLITE_OK) {
		rc = sfb_err_set(err, SFB_E_IO, 0, "cannot merge '%s': %s",
				 path, sq.sqlite3_errmsg(s->db));
		sq.sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sq.sqlite3_exec(s->db, "DETACH DATABASE src", NULL, NULL, NULL);
	return rc;
}
