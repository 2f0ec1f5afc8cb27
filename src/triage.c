/* SPDX-License-Identifier: MIT */
/*
 * triage.c -- batch triage (see triage.h): a pool of pthreads, each
 * with its own engine, takes the jobs of a walk in order; the caller's
 * thread waits for job 0, 1, 2, ... and hands each result to the sink,
 * so the output is the same for any number of workers.
 *
 * Each item is read through a source (struct src) that counts and
 * hashes the bytes as the engine pulls them: a file by its descriptor,
 * a zip entry through arc.c.  Errors of the engine (on_error, and the
 * gzip damage it only warns about) are mapped back to the item and to
 * a stable problem code.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ana.h"
#include "rules.h"
#include "arc.h"
#include "engine.h"
#include "sv.h"
#include "triage.h"

/* ---- sources ------------------------------------------------------------ */

struct src {
	int fd;                 /* a file, or -1 */
	struct arc_rd *arc;     /* a zip entry, or NULL */
	uint64_t bytes;
	uLong crc, adler;
	int eof;
};

static long src_read(void *ud, void *buf, size_t cap, struct sfb_err *err)
{
	struct src *s = ud;
	long n;
	if (s->arc) {
		n = arc_read(s->arc, buf, cap, err);
	} else {
		ssize_t k;
		do
			k = read(s->fd, buf, cap);
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return sfb_err_set(err, SFB_E_IO, errno,
					   "cannot read: %s",
					   strerror(errno));
		n = (long)k;
	}
	if (n > 0) {
		s->bytes += (uint64_t)n;
		s->crc = crc32(s->crc, buf, (uInt)n);
		s->adler = adler32(s->adler, buf, (uInt)n);
	} else if (n == 0) {
		s->eof = 1;
	}
	return n;
}

static enum walk_problem err_problem(const struct sfb_err *e)
{
	switch (e->code) {
	case SFB_E_IO:
		return e->sys_errno == ENOENT ? WALK_P_VANISHED
					      : WALK_P_UNREADABLE;
	case SFB_E_GZIP:
		return WALK_P_CORRUPT_GZIP;
	case SFB_E_LIMIT:
		return WALK_P_ZIP_BOMB;
	case SFB_E_FORMAT:
		return strncmp(e->msg, "corrupt zip", 11) == 0
		       ? WALK_P_CORRUPT_ZIP : WALK_P_NOT_A_LOG;
	default:
		return WALK_P_ERROR;
	}
}

/* Open item's source.  @return 0, or -1 with err filled */
static int src_open(struct src *s, const struct tri_config *cfg,
		    const struct walk_item *it, struct sfb_err *err)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->crc = crc32(0, NULL, 0);
	s->adler = adler32(0, NULL, 0);
	if (it->entry) {
		s->arc = arc_open(it->path, it->entry_index, it->entry,
				  cfg->max_unpacked, cfg->max_ratio, err);
		return s->arc ? 0 : -1;
	}
	s->fd = open(it->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;
		return sfb_err_set(err, SFB_E_IO, e, "cannot open: %s",
				   strerror(e));
	}
	return 0;
}

static void src_close(struct src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	arc_close(s->arc);
	s->fd = -1;
	s->arc = NULL;
}

static uint64_t src_hash(const struct src *s)
{
	return (uint64_t)s->crc << 32 | (s->adler & 0xffffffffu);
}

int triage_hash(const struct tri_config *cfg, const struct walk_item *it,
		uint64_t *hash, struct sfb_err *err)
{
	struct src s;
	char buf[65536];
	long n;
	if (src_open(&s, cfg, it, err) < 0)
		return -1;
	while ((n = src_read(&s, buf, sizeof buf, err)) > 0)
		;
	src_close(&s);
	if (n < 0)
		return -1;
	*hash = src_hash(&s);
	return 0;
}

/* ---- the pool ------------------------------------------------------- */

struct pool {
	const struct tri_config *cfg;
	const struct walk *walk;
	pthread_mutex_t mu;
	pthread_cond_t done_cv;         /* a job finished */
	pthread_cond_t space_cv;        /* the caller took a result */
	size_t next;                    /* next job to start */
	size_t emitted;                 /* results handed to the sink */
	size_t window;
	struct tri_result **res;        /* per job, NULL until done */
	uint64_t bytes_done;
};

/* ---- one job --------------------------------------------------------- */

struct worker {
	struct pool *pool;
	unsigned no;
	pthread_t tid;
	struct engine *eng;
	struct tri_result *res;         /* the job being run */
	const struct engine_input *in;     /* its inputs, for on_error */
	size_t nin;
	size_t *in_file;                /* input -> files[] */
};

static struct tri_file *file_of(struct worker *w, const char *name)
{
	for (size_t i = 0; i < w->nin; i++)
		if (w->in[i].name == name ||
		    strcmp(w->in[i].name, name) == 0)
			return &w->res->files[w->in_file[i]];
	return NULL;
}

static int ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (sv_ieq(sv_make(hay, strnlen(hay, n)), sv_make(needle, n)))
			return 1;
	return n == 0;
}

static void on_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	struct worker *w = ud;
	const struct tri_config *cfg = w->pool->cfg;
	struct tri_result *r = w->res;
	r->sess_seen++;
	enum sfb_sev sev = ana_session_sev(s);
	for (size_t i = 0; i < nf; i++)
		if (f[i].sev > sev)
			sev = f[i].sev;
	if (cfg->user && !ci_contains(s->user, cfg->user))
		return;
	if (cfg->since != SFB_TIME_NONE &&
	    (s->start == SFB_TIME_NONE || s->start < cfg->since))
		return;
	if (cfg->until != SFB_TIME_NONE &&
	    (s->start == SFB_TIME_NONE || s->start >= cfg->until))
		return;
	if (sev < cfg->min_sev)
		return;
	if (r->nsess == r->capsess) {
		r->capsess = r->capsess ? 2 * r->capsess : 8;
		r->sess = sfb_xrealloc(r->sess, r->capsess * sizeof *r->sess);
	}
	struct tri_sess *t = &r->sess[r->nsess++];
	memset(t, 0, sizeof *t);
	t->id = s->id;
	snprintf(t->user, sizeof t->user, "%s", s->user);
	snprintf(t->epid, sizeof t->epid, "%s", s->epid);
	t->file = s->file;
	t->line = s->first_line;
	t->start = s->start;
	t->end = s->end;
	t->outcome = s->outcome;
	snprintf(t->outcome_text, sizeof t->outcome_text, "%s",
		 s->outcome_text);
	t->failed_step = s->failed_step;
	t->sev = sev;
	size_t keep = nf < TRI_MAX_SESS_FINDINGS ? nf : TRI_MAX_SESS_FINDINGS;
	if (keep) {
		t->f = sfb_xmalloc(keep * sizeof *t->f);
		memcpy(t->f, f, keep * sizeof *t->f);
	}
	t->nf = keep;
	t->f_dropped = nf - keep;
	if (cfg->compare) {
		t->cmp = sfb_xmalloc(sizeof *t->cmp);
		compare_extract(t->cmp, s);
	}
	if (sev > r->worst)
		r->worst = sev;
}

static void on_end(void *ud, const struct ana *a, const struct finding *f,
		   size_t nf)
{
	struct worker *w = ud;
	struct tri_result *r = w->res;
	if (a) {
		r->kind = a->kind;
		r->bytes = a->bytes;
		r->lines = a->lines;
		r->msgs = a->msgs;
		r->first_ts = a->first_ts;
		r->last_ts = a->last_ts;
	}
	/* findings of no session: kept unless a user filter is set */
	if (nf && !w->pool->cfg->user) {
		r->f = sfb_xmalloc(nf * sizeof *r->f);
		memcpy(r->f, f, nf * sizeof *r->f);
		r->nf = nf;
		for (size_t i = 0; i < nf; i++)
			if (f[i].sev > r->worst)
				r->worst = f[i].sev;
	}
}

static void on_warn(void *ud, const char *file, unsigned long line,
		    const char *text)
{
	struct worker *w = ud;
	(void)line;
	/* gzip damage is only a warning to the engine: the file's problem */
	if (!strstr(text, "gzip") || !strstr(text, "rest of the file"))
		return;
	struct tri_file *tf = file_of(w, file);
	if (tf && !tf->problem) {
		tf->problem = WALK_P_CORRUPT_GZIP;
		snprintf(tf->reason, sizeof tf->reason, "%s", text);
	}
}

static void on_error(void *ud, const char *file, const struct sfb_err *err)
{
	struct worker *w = ud;
	struct tri_file *tf = file_of(w, file);
	if (tf && !tf->problem) {
		tf->problem = err_problem(err);
		snprintf(tf->reason, sizeof tf->reason, "%s", err->msg);
	}
}

static void run_job(struct worker *w, size_t j)
{
	const struct tri_config *cfg = w->pool->cfg;
	const struct walk *wk = w->pool->walk;
	const struct walk_job *wj = &wk->jobs[j];
	struct tri_result *r = sfb_xcalloc(1, sizeof *r);
	r->job = j;
	r->wj = wj;
	r->first_ts = r->last_ts = SFB_TIME_NONE;
	r->nfiles = wj->nitems;
	r->files = sfb_xcalloc(wj->nitems, sizeof *r->files);
	w->res = r;
	struct src *src = sfb_xcalloc(wj->nitems, sizeof *src);
	struct engine_input *in = sfb_xcalloc(wj->nitems, sizeof *in);
	size_t *in_file = sfb_xcalloc(wj->nitems, sizeof *in_file);
	size_t nin = 0;
	for (size_t i = 0; i < wj->nitems; i++) {
		const struct walk_item *it = &wk->items[wj->items[i]];
		struct tri_file *tf = &r->files[i];
		tf->item = it;
		src[i].fd = -1;
		if (it->problem) {
			tf->problem = it->problem;
			snprintf(tf->reason, sizeof tf->reason, "%s",
				 it->reason);
			continue;
		}
		if (cfg->skip && cfg->skip[j])
			continue;
		struct sfb_err err = { 0 };
		if (src_open(&src[i], cfg, it, &err) < 0) {
			tf->problem = err_problem(&err);
			snprintf(tf->reason, sizeof tf->reason, "%s",
				 err.msg);
			continue;
		}
		in[nin].name = it->source;
		in[nin].read = src_read;
		in[nin].ud = &src[i];
		in_file[nin++] = i;
	}
	r->skipped = cfg->skip && cfg->skip[j];
	if (nin) {
		w->in = in;
		w->nin = nin;
		w->in_file = in_file;
		r->ran = 1;
		(void)engine_run_inputs(w->eng, in, nin, wj->name);
		r->malformed = engine_malformed(w->eng);
		w->in = NULL;
		w->nin = 0;
	}
	for (size_t k = 0; k < nin; k++) {
		struct src *s = &src[in_file[k]];
		struct tri_file *tf = &r->files[in_file[k]];
		tf->bytes = s->bytes;
		tf->hash = src_hash(s);
		tf->hashed = s->eof && !tf->problem;
		tf->read = 1;
		src_close(s);
	}
	free(src);
	free(in);
	free(in_file);
	w->res = NULL;
	struct pool *p = w->pool;
	pthread_mutex_lock(&p->mu);
	p->res[j] = r;
	p->bytes_done += r->bytes;
	pthread_cond_broadcast(&p->done_cv);
	pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->next < p->walk->njobs &&
		       p->next >= p->emitted + p->window)
			pthread_cond_wait(&p->space_cv, &p->mu);
		if (p->next >= p->walk->njobs) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		size_t j = p->next++;
		pthread_mutex_unlock(&p->mu);
		run_job(w, j);
	}
}

static void result_free(struct tri_result *r)
{
	for (size_t i = 0; i < r->nsess; i++) {
		free(r->sess[i].f);
		free(r->sess[i].cmp);
	}
	free(r->sess);
	free(r->f);
	free(r->files);
	free(r);
}

/* A monotonic clock in ms, for pacing the progress callback. */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += ms * 1000000L;
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

int triage_run(const struct tri_config *cfg, const struct walk *wk,
	       const struct tri_sink *sink, struct sfb_err *err)
{
	unsigned nw = cfg->workers ? cfg->workers : 1;
	if (nw > TRI_MAX_WORKERS)
		nw = TRI_MAX_WORKERS;
	struct pool p;
	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	p.walk = wk;
	p.window = (size_t)nw * TRI_WINDOW_PER_WORKER;
	p.res = sfb_xcalloc(wk->njobs ? wk->njobs : 1, sizeof *p.res);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.done_cv, NULL);
	pthread_cond_init(&p.space_cv, NULL);

	struct engine_config ec = { 0 };
	ec.want = ENG_SESSIONS | ENG_ANALYSIS |
		  (cfg->rules ? ENG_RULES : 0);
	ec.format = cfg->format;
	ec.max_line = cfg->max_line;
	ec.max_msg = cfg->max_msg;
	ec.max_txn = cfg->max_txn;
	ec.max_warn = 1;
	ec.rules = cfg->rules;
	struct worker *ws = sfb_xcalloc(nw, sizeof *ws);
	unsigned started = 0;
	int rc = 0;
	for (unsigned i = 0; i < nw; i++) {
		struct engine_sink sk = { 0 };
		sk.on_session = on_session;
		sk.on_end = on_end;
		sk.on_warn = on_warn;
		sk.on_error = on_error;
		sk.ud = &ws[i];
		ec.patterns = cfg->patterns ? cfg->patterns[i] : NULL;
		ws[i].pool = &p;
		ws[i].no = i;
		ws[i].eng = engine_new(&ec, &sk);
	}
	for (unsigned i = 0; i < nw; i++) {
		int e = pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
		if (e) {
			if (!started)
				rc = sfb_err_set(err, SFB_E_NOMEM, e,
						 "cannot start a thread: %s",
						 strerror(e));
			break;
		}
		started++;
	}
	int64_t last = now_ms();
	for (size_t j = 0; started && j < wk->njobs; j++) {
		pthread_mutex_lock(&p.mu);
		while (!p.res[j]) {
			struct timespec ts;
			deadline_in(&ts, 250);
			(void)pthread_cond_timedwait(&p.done_cv, &p.mu, &ts);
			if (sink->on_progress && now_ms() - last >= 250) {
				size_t done = p.emitted;
				uint64_t b = p.bytes_done;
				pthread_mutex_unlock(&p.mu);
				sink->on_progress(sink->ud, done, wk->njobs,
						  b);
				last = now_ms();
				pthread_mutex_lock(&p.mu);
			}
		}
		struct tri_result *r = p.res[j];
		p.res[j] = NULL;
		pthread_mutex_unlock(&p.mu);
		if (sink->on_result)
			sink->on_result(sink->ud, r);
		result_free(r);
		pthread_mutex_lock(&p.mu);
		p.emitted++;
		pthread_cond_broadcast(&p.space_cv);
		pthread_mutex_unlock(&p.mu);
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	for (unsigned i = 0; i < nw; i++)
		engine_free(ws[i].eng);
	free(ws);
	free(p.res);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.done_cv);
	pthread_cond_destroy(&p.space_cv);
	return rc;
}

/* ---- totals ------------------------------------------------------------ */

const struct finding *triage_top(const struct tri_sess *s)
{
	return s->nf && s->f[0].sev > SFB_SEV_INFO ? &s->f[0] : NULL;
}

static void count_rule(struct tri_total *t, const char *id)
{
	for (size_t i = 0; i < t->nrules; i++)
		if (strcmp(t->rules[i].key, id) == 0) {
			t->rules[i].n++;
			return;
		}
	t->rules = sfb_xrealloc(t->rules, (t->nrules + 1) * sizeof *t->rules);
	snprintf(t->rules[t->nrules].key, sizeof t->rules[0].key, "%s", id);
	t->rules[t->nrules++].n = 1;
}

void triage_total_add(struct tri_total *t, const struct tri_result *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		t->files++;
		if (r->files[i].problem) {
			t->files_problem++;
			t->problems[r->files[i].problem]++;
		} else if (r->skipped) {
			t->files_unchanged++;
		}
		enum walk_problem p = r->files[i].problem;
		if (r->files[i].read && p != WALK_P_NOT_A_LOG &&
		    p != WALK_P_UNREADABLE && p != WALK_P_VANISHED)
			t->files_read++;
	}
	if (r->ran)
		t->streams++;
	t->bytes += r->bytes;
	t->findings += r->nf;
	for (size_t i = 0; i < r->nsess; i++) {
		const struct tri_sess *s = &r->sess[i];
		t->sessions++;
		t->findings += s->nf;
		if (s->outcome == SESS_SIGNED_IN)
			t->signed_in++;
		else if (s->outcome == SESS_FAILED_OUT)
			t->failed++;
		else
			t->incomplete++;
		if (s->outcome == SESS_FAILED_OUT &&
		    s->failed_step > SFB_STEP_NONE &&
		    s->failed_step < SFB_STEP__COUNT)
			t->steps[s->failed_step]++;
		const struct finding *f = triage_top(s);
		if (f)
			count_rule(t, f->rule->id);
	}
	if (r->worst > t->worst)
		t->worst = r->worst;
}

static int count_cmp(const void *x, const void *y)
{
	const struct tri_count *a = x, *b = y;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->key, b->key);
}

void triage_total_sort(struct tri_total *t)
{
	if (t->nrules)
		qsort(t->rules, t->nrules, sizeof *t->rules, count_cmp);
}

void triage_total_free(struct tri_total *t)
{
	free(t->rules);
	t->rules = NULL;
	t->nrules = 0;
}
