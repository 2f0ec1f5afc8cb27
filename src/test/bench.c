/* SPDX-License-Identifier: MIT */
/*
 * bench.c -- the `make bench` runner: times commands on the same file in
 * the same run and reports MB/s and peak RSS (wait4 rusage), so sfblog's
 * speed is quoted as a ratio against `wc -l` and `grep -c` on that file
 * (the machines are shared and noisy: absolute figures drift, ratios
 * much less).  Each command runs REPS times (default 3); the best time
 * is kept.
 *
 * usage: bench FILE SFBLOG [REPS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Run argv with stdout to a scratch file (not /dev/null: GNU grep
 * notices /dev/null and stops at the first match); best wall time and
 * peak RSS (KiB).
 */
static int run(char *const argv[], int reps, double *best, long *rss)
{
	*best = 1e30;
	*rss = 0;
	for (int i = 0; i < reps; i++) {
		double t0 = now();
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			const char *tmp = getenv("TMPDIR");
			char out[512];
			snprintf(out, sizeof out, "%s/sfblog-bench.%d.out",
				 tmp && *tmp ? tmp : "/tmp", (int)getppid());
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd >= 0)
				dup2(fd, 1);
			execvp(argv[0], argv);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) < 0)
			return -1;
		double t = now() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
			fprintf(stderr, "bench: '%s' failed (status %d)\n",
				argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return -1;
		}
		if (t < *best)
			*best = t;
		if (ru.ru_maxrss > *rss)
			*rss = ru.ru_maxrss;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench FILE SFBLOG [REPS]\n");
		return 2;
	}
	const char *file = argv[1];
	int reps = argc > 3 ? (int)strtoul(argv[3], NULL, 10) : 3;
	if (reps < 1)
		reps = 1;
	struct stat st;
	if (stat(file, &st) != 0) {
		fprintf(stderr, "bench: cannot stat '%s': %s\n", file,
			strerror(errno));
		return 2;
	}
	double mb = (double)st.st_size / 1e6;
	char *wc[] = { "wc", "-l", (char *)file, NULL };
	char *grep[] = { "grep", "-c", "Sending Packet", (char *)file, NULL };
	char *sfb[] = { argv[2], "analyze", "-q", "--fail-on", "none",
			(char *)file, NULL };
	char *const *cmds[] = { wc, grep, sfb };
	const char *names[] = { "wc -l", "grep -c 'Sending Packet'",
				"sfblog analyze" };
	double t[3];
	long rss[3];
	printf("file %s: %.1f MB\n", file, mb);
	for (int i = 0; i < 3; i++) {
		if (run(cmds[i], reps, &t[i], &rss[i]) != 0)
			return 2;
		printf("  %-26s %8.2f s %9.1f MB/s  peak RSS %6.1f MB\n",
		       names[i], t[i], mb / t[i], (double)rss[i] / 1024.0);
	}
	printf("  sfblog analyze takes %.1f x the time of wc -l and %.1f x "
	       "that of grep -c; peak RSS %.1f MB\n", t[2] / t[0],
	       t[2] / t[1], (double)rss[2] / 1024.0);
	const char *tmp = getenv("TMPDIR");
	char out[512];
	snprintf(out, sizeof out, "%s/sfblog-bench.%d.out",
		 tmp && *tmp ? tmp : "/tmp", (int)getpid());
	unlink(out);
	fflush(stdout);
	return 0;
}
