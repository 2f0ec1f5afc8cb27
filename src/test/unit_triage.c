/* SPDX-License-Identifier: MIT */
/*
 * unit_triage.c -- unit tests of the walk (walk.c) and the worker pool
 * (triage.c) on a small tree made here: name order, rotated parts as
 * one stream (oldest first), a file read once when reached twice, a
 * file that vanishes between the walk and the run, results in job order
 * whatever the number of workers, and the hash that the store compares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "triage.h"
#include "walk.h"

static char dir[256];

static void put(const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		exit(2);
	fputs(text, f);
	fclose(f);
}

#define LOG "01/15/2021|09:12:03.428 1A2C:3F8 INFO  :: hello\n"

struct got {
	size_t n;
	size_t order[16];
	enum walk_problem problem[16];
	uint64_t hash[16];
};

static void on_result(void *ud, const struct tri_result *r)
{
	struct got *g = ud;
	if (g->n < 16) {
		g->order[g->n] = r->job;
		g->problem[g->n] = r->files[0].problem;
		g->hash[g->n] = r->files[0].hash;
	}
	g->n++;
}

static struct got run(const struct walk *w, unsigned workers)
{
	struct tri_config cfg = { 0 };
	struct got g = { 0 };
	struct tri_sink sk = { on_result, NULL, &g, NULL, NULL };
	struct sfb_err err = { 0 };
	cfg.workers = workers;
	cfg.since = cfg.until = SFB_TIME_NONE;
	CHECK(triage_run(&cfg, w, &sk, &err) == 0);
	return g;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/unit_triage.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	put("b.log", LOG);
	put("Lync-UccApi-0.UccApilog", LOG LOG);
	put("Lync-UccApi-1.UccApilog", LOG);
	put("gone.log", LOG);
	char link[512], target[512];
	snprintf(link, sizeof link, "%s/again.log", dir);
	snprintf(target, sizeof target, "%s/b.log", dir);
	CHECK(symlink(target, link) == 0);

	struct walk w;
	walk_init(&w);
	walk_add(&w, dir);
	walk_add(&w, target);           /* named twice: read once */
	walk_group(&w);
	/* Lync-0, Lync-1, b.log (again.log is b.log), gone.log */
	CHECK_INT(w.nitems, 4);
	CHECK_INT(w.njobs, 3);
	CHECK_INT(w.jobs[0].nitems, 2);
	CHECK(strstr(w.items[w.jobs[0].items[0]].source, "-1.UccApilog"));
	CHECK(strstr(w.items[w.jobs[0].items[1]].source, "-0.UccApilog"));
	CHECK(strstr(w.jobs[0].name, "-1.UccApilog + "));
	CHECK(strstr(w.jobs[1].name, "/again.log") ||
	      strstr(w.jobs[1].name, "/b.log"));
	CHECK(strstr(w.jobs[2].name, "/gone.log"));

	char gone[512];
	snprintf(gone, sizeof gone, "%s/gone.log", dir);
	CHECK(unlink(gone) == 0);       /* vanishes during the run */
	struct got g1 = run(&w, 1), g2 = run(&w, 3);
	CHECK_INT(g1.n, 3);
	CHECK_INT(g2.n, 3);
	for (size_t i = 0; i < 3; i++) {
		CHECK_INT(g1.order[i], i);
		CHECK_INT(g2.order[i], i);
		CHECK_INT(g1.problem[i], g2.problem[i]);
		CHECK(g1.hash[i] == g2.hash[i]);
	}
	CHECK_INT(g1.problem[2], WALK_P_VANISHED);
	CHECK_INT(g1.problem[1], WALK_P_NONE);

	/* the store's check hashes the same bytes the same way */
	struct tri_config cfg = { 0 };
	uint64_t h = 0;
	struct sfb_err err = { 0 };
	CHECK(triage_hash(&cfg, &w.items[w.jobs[1].items[0]], &h, &err)
	      == 0);
	CHECK(h == g1.hash[1]);
	CHECK(triage_hash(&cfg, &w.items[w.jobs[2].items[0]], &h, &err)
	      < 0);

	CHECK(strcmp(walk_problem_name(WALK_P_ZIP_BOMB), "zip-bomb") == 0);
	CHECK(strcmp(walk_problem_name(WALK_P_NONE), "") == 0);
	walk_free(&w);

	/* a loop and a dangling link */
	char sub[512];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	CHECK(mkdir(sub, 0755) == 0);
	snprintf(link, sizeof link, "%s/sub/up", dir);
	CHECK(symlink("..", link) == 0);
	snprintf(link, sizeof link, "%s/sub/dangling", dir);
	CHECK(symlink("nowhere", link) == 0);
	walk_init(&w);
	walk_add(&w, dir);
	int dangling = 0, loop = 0;
	for (size_t i = 0; i < w.nitems; i++) {
		const char *s = w.items[i].source;
		size_t n = strlen(s);
		if (n > 9 && strcmp(s + n - 9, "/dangling") == 0)
			dangling = w.items[i].problem == WALK_P_UNREADABLE;
		if (n > 3 && strcmp(s + n - 3, "/up") == 0)
			loop = w.items[i].problem == WALK_P_SYMLINK_LOOP;
	}
	CHECK(dangling);
	CHECK(loop);
	CHECK_INT(w.nitems, 5);         /* nothing read twice */
	walk_free(&w);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return CHECK_DONE("unit_triage");
}
