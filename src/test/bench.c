/* SPDX-License-Identifier: MIT */
/*
 * bench.c -- the `make bench` and `make bench-check` runner: times
 * commands on the same file in the same run and reports MB/s and peak
 * RSS (wait4 rusage), so that sfblog's speed is quoted as a ratio to
 * `grep -c` and `wc -l` on that file.
 *
 * The machine is shared and noisy: wall time counts the other
 * programs' work too, CPU time (user + system) much less.  So each
 * command runs REPS times (default 3), the commands in turn within a
 * round, and the best CPU time of each is kept; MB/s and ratios come
 * from it.  The best wall time is shown beside it.
 *
 *   bench [-r REPS] [-k KIND] FILE SFBLOG     the full table
 *   bench -c [-r REPS] FILE SFBLOG            grep -c and analyze only;
 *                                             last line "ratio R"
 *   bench -m COMMAND [ARG...]                 run it once; print its
 *                                             peak RSS, "rss KIB"
 *
 * The full table ends with a line "summary KIND MB ANALYZE_MBS RATIO"
 * (KIND from -k, default "file") that bench.sh gathers to compare
 * sizes.  A ratio is sfblog's time over grep -c's: 4.0 means sfblog
 * takes four times as long as grep -c on the same file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

#define MAXCMD 8

struct cmd {
	const char *name;
	char *argv[12];
	double wall, cpu;       /* best of the runs, seconds */
	long rss;               /* peak RSS over the runs, KiB */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The scratch file that takes each command's standard output. */
static void out_path(char *out, size_t n, int pid)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(out, n, "%s/sfblog-bench.%d.out", tmp && *tmp ? tmp : "/tmp",
		 pid);
}

/*
 * Run c once with stdout to a scratch file (not /dev/null: GNU grep
 * notices /dev/null and stops at the first match); keep its best times
 * and peak RSS.  @return 0, or -1 if it failed (exit status over 1)
 */
static int run_once(struct cmd *c)
{
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char out[512];
		out_path(out, sizeof out, (int)getppid());
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			dup2(fd, 1);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0)
		return -1;
	double wall = now() - t0;
	double cpu = tv_sec(ru.ru_utime) + tv_sec(ru.ru_stime);
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
		fprintf(stderr, "bench: '%s' failed (status %d)\n", c->name,
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	if (wall < c->wall)
		c->wall = wall;
	if (cpu < c->cpu)
		c->cpu = cpu;
	if (ru.ru_maxrss > c->rss)
		c->rss = ru.ru_maxrss;
	return 0;
}

/* Append a command: name, then its argv (NULL-terminated). */
static struct cmd *add(struct cmd *cmds, size_t *n, const char *name, ...)
	__attribute__((sentinel));
static struct cmd *add(struct cmd *cmds, size_t *n, const char *name, ...)
{
	struct cmd *c = &cmds[(*n)++];
	va_list ap;
	size_t k = 0;
	const char *a;

	memset(c, 0, sizeof *c);
	c->name = name;
	c->wall = c->cpu = 1e30;
	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) && k + 1 < 12)
		c->argv[k++] = (char *)a;
	va_end(ap);
	c->argv[k] = NULL;
	return c;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench [-c] [-r REPS] [-k KIND] FILE "
		"SFBLOG\n       bench -m COMMAND [ARG...]\n");
	exit(2);
}

/* -m: the peak RSS of one run of argv (src/test/rss.sh). */
static int peak_rss(char **argv, int argc)
{
	struct cmd c;

	if (argc < 1 || argc > 11)
		usage();
	memset(&c, 0, sizeof c);
	c.name = argv[0];
	c.wall = c.cpu = 1e30;
	memcpy(c.argv, argv, (size_t)argc * sizeof *argv);
	c.argv[argc] = NULL;
	int rc = run_once(&c);
	char out[512];
	out_path(out, sizeof out, (int)getpid());
	unlink(out);
	if (rc != 0)
		return 2;
	printf("rss %ld\n", c.rss);
	return 0;
}

int main(int argc, char **argv)
{
	int check = 0, reps = 3, opt;
	const char *kind = "file";

	while ((opt = getopt(argc, argv, "+cmr:k:")) != -1) {
		switch (opt) {
		case 'm':
			return peak_rss(argv + optind, argc - optind);
		case 'c':
			check = 1;
			break;
		case 'r':
			reps = (int)strtol(optarg, NULL, 10);
			break;
		case 'k':
			kind = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	if (reps < 1)
		reps = 1;
	const char *file = argv[optind], *sfb = argv[optind + 1];
	struct stat st;
	if (stat(file, &st) != 0) {
		fprintf(stderr, "bench: cannot stat '%s': %s\n", file,
			strerror(errno));
		return 2;
	}
	double mb = (double)st.st_size / 1e6;

	struct cmd cmds[MAXCMD];
	size_t n = 0;
	struct cmd *wc = NULL;
	struct cmd *grep = add(cmds, &n, "grep -c 'Sending Packet'", "grep",
			       "-c", "Sending Packet", file, NULL);
	struct cmd *ana = add(cmds, &n, "sfblog analyze", sfb, "analyze",
			      "-q", "--fail-on", "none", file, NULL);
	if (!check) {
		add(cmds, &n, "sfblog analyze -o json", sfb, "analyze", "-q",
		    "--fail-on", "none", "-o", "json", file, NULL);
		add(cmds, &n, "sfblog analyze -o ndjson", sfb, "analyze",
		    "-q", "--fail-on", "none", "-o", "ndjson", file, NULL);
		add(cmds, &n, "sfblog messages", sfb, "messages", "-q", file,
		    NULL);
		wc = add(cmds, &n, "wc -l", "wc", "-l", file, NULL);
	}
	/* rounds of every command in turn: a busy spell hits them all */
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n; i++)
			if (run_once(&cmds[i]) != 0)
				return 2;
	char out[512];
	out_path(out, sizeof out, (int)getpid());
	unlink(out);

	if (check) {
		printf("%s: %.1f MB, grep -c %.2f s, analyze %.2f s "
		       "(CPU, best of %d)\n", file, mb, grep->cpu, ana->cpu,
		       reps);
		printf("ratio %.2f\n", ana->cpu / grep->cpu);
		return 0;
	}
	printf("%s (%s): %.1f MB; CPU time (user+sys), best of %d; "
	       "x grep = time over grep -c's\n", file, kind, mb, reps);
	printf("  %-25s %7s %7s %8s %7s %8s %9s\n", "command", "wall s",
	       "CPU s", "MB/s", "x grep", "x wc -l", "peak RSS");
	for (size_t i = 0; i < n; i++) {
		const struct cmd *c = &cmds[i];
		printf("  %-25s %7.2f %7.2f %8.1f %7.2f %8.2f %6.1f MB\n",
		       c->name, c->wall, c->cpu, mb / c->cpu,
		       c->cpu / grep->cpu, c->cpu / wc->cpu,
		       (double)c->rss / 1024.0);
	}
	printf("summary %s %.0f %.1f %.2f\n", kind, mb, mb / ana->cpu,
	       ana->cpu / grep->cpu);
	fflush(stdout);
	return 0;
}
