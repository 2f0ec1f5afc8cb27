/* SPDX-License-Identifier: MIT */
/*
 * cmd_redact.c -- the `sfblog redact` command line: options, files,
 * the two passes, the --map file, messages and exit codes.  It is CLI
 * code, like main.c (which calls cmd_redact_main() for the command and
 * nothing else): it prints and returns an exit code.  The work is done
 * by redact.c and pseudo.c.
 *
 * Two passes when every input is a file: the first reads all inputs
 * and only learns the identities (so a user name first seen alone,
 * "CONTOSO\alice", is known before it is written), the second writes.
 * Standard input is read once.
 *
 * Exit codes: 0 done; 2 usage error, unreadable input, write error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_redact.h"
#include "lr.h"
#include "parser.h"
#include "pseudo.h"
#include "redact.h"
#include "sv.h"

enum { RC_OK = 0, RC_ERROR = 2 };

struct ropts {
	const char *dir;        /* -o DIR */
	const char *map;        /* --map FILE */
	size_t max_line, max_msg, max_warn;
	int quiet;
};

struct wctx {
	const struct ropts *o;
	const char *name;       /* input file, for messages */
	FILE *f;
	unsigned long nwarn;
};

/* "sfblog: error: " and the message, without a line end */
static void SFB_PRINTF(1, 0) verror(const char *fmt, va_list ap)
{
	fputs("sfblog: error: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static void SFB_PRINTF(1, 2) rerror(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int SFB_PRINTF(1, 2) usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfblog redact --help'.\n", stderr);
	return RC_ERROR;
}

static const char help[] =
	"usage: sfblog redact [OPTIONS] FILE > COPY\n"
	"       sfblog redact -o DIR [OPTIONS] FILE...\n\n"
	"Write a copy of a client log or CLS trace that is safe to share: "
	"secrets\n(tickets, NTLM/Kerberos/TLS-DSK blobs, cookies) replaced,"
	" users, domains,\nhosts, addresses, phone numbers and display "
	"names pseudonymised the same\nway in every file of the run, IM "
	"text dropped, byte counts and\nContent-Lengths adjusted.\n\n"
	"options:\n"
	"  -o, --output-dir DIR       write DIR/<name of each FILE>\n"
	"      --map FILE             write the aliases (original -> "
	"alias) to FILE,\n"
	"                             mode 0600; keep it private\n"
	"      --max-line SIZE        drop lines longer than SIZE bytes "
	"(default 16M)\n"
	"      --max-msg SIZE         longest message fixed up (default "
	"4M)\n"
	"      --max-warnings N       warnings shown per file (default "
	"20)\n"
	"  -q, --quiet                no warnings on standard error\n"
	"  -h, --help                 show this help and exit\n\n"
	"exit status: 0 done, 2 error (usage, unreadable input, write "
	"error).\n";

static int w_write(void *ud, const char *p, size_t n)
{
	struct wctx *w = ud;
	return fwrite(p, 1, n, w->f) != n;
}

static void w_warn(void *ud, unsigned long line, const char *msg)
{
	struct wctx *w = ud;
	if (w->o->quiet || ++w->nwarn > w->o->max_warn)
		return;
	fprintf(stderr, "sfblog: warning: %s:%lu: %s\n", w->name, line, msg);
}

static int map_line(void *ud, enum pseudo_kind k, const char *orig,
		    const char *alias)
{
	if (k == PSEUDO_WORD)
		return 0;       /* derived from the others */
	return fprintf((FILE *)ud, "%s\t%s\t%s\n", pseudo_kind_name(k), orig,
		       alias) < 0;
}

static int write_map(const char *path, const struct pseudo *ps)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		rerror("cannot write the map '%s': %s", path,
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	fputs("# sfblog redact alias map: kind, original, alias.  "
	      "Private: it undoes the redaction.\n", f);
	int bad = pseudo_each(ps, map_line, f);
	if (fclose(f) != 0 || bad) {
		rerror("cannot write the map '%s': %s", path,
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* DIR/<base name of in>, without a final ".gz" (the copy is plain). */
static char *out_path(const char *dir, const char *in)
{
	const char *b = strrchr(in, '/');
	b = b ? b + 1 : in;
	size_t bn = strlen(b);
	if (bn > 3 && strcmp(b + bn - 3, ".gz") == 0)
		bn -= 3;
	size_t n = strlen(dir) + bn + 2;
	char *p = sfb_xmalloc(n);
	snprintf(p, n, "%s/%.*s", dir, (int)bn, b);
	return p;
}

static int same_file(const struct stat *a, const char *path)
{
	struct stat b;
	return stat(path, &b) == 0 && a->st_dev == b.st_dev &&
	       a->st_ino == b.st_ino;
}

static int run_one(struct pseudo *ps, const struct ropts *o,
		   const char *in, FILE *f, int learn)
{
	struct wctx w = { o, in, f, 0 };
	struct redact_sink s = { learn ? NULL : w_write,
				 learn ? NULL : w_warn, &w };
	struct sfb_err err = { 0 };
	struct redact_stats st;
	int rc = redact_file(ps, in, o->max_line, o->max_msg, &s, &st, &err);
	if (rc < 0) {
		rerror("%s", err.msg);
		return -1;
	}
	if (rc > 0) {
		rerror("cannot write the copy of '%s': %s", in,
		       strerror(errno));
		return -1;
	}
	if (!learn && !o->quiet && w.nwarn > o->max_warn)
		fprintf(stderr, "sfblog: warning: %s: %lu more warnings\n",
			in, w.nwarn - o->max_warn);
	return 0;
}

/* Check the -o DIR plan: no copy over an input, no two same names. */
static int check_outputs(const struct ropts *o, char **ins, int n)
{
	struct stat ds;
	if (stat(o->dir, &ds) != 0 || !S_ISDIR(ds.st_mode)) {
		rerror("'%s' is not a directory", o->dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(ins[i], "-") == 0) {
			rerror("-o DIR needs file names, not '-'");
			return -1;
		}
		char *p = out_path(o->dir, ins[i]);
		int bad = 0;
		for (int k = 0; k < n && !bad; k++) {
			struct stat s;
			if (stat(ins[k], &s) == 0 && same_file(&s, p)) {
				rerror("'%s' would overwrite the input '%s'",
				       p, ins[k]);
				bad = 1;
			}
			char *q = k != i ? out_path(o->dir, ins[k]) : NULL;
			if (q && strcmp(p, q) == 0) {
				rerror("'%s' and '%s' have the same name",
				       ins[i], ins[k]);
				bad = 1;
			}
			free(q);
		}
		free(p);
		if (bad)
			return -1;
	}
	return 0;
}

int cmd_redact_main(int argc, char **argv)
{
	struct ropts o = { NULL, NULL, SFB_MAX_LINE, SFB_MAX_MSG, 20, 0 };
	enum { O_MAP = 256, O_MAXLINE, O_MAXMSG, O_MAXWARN };
	static const struct option lo[] = {
		{ "output-dir", required_argument, NULL, 'o' },
		{ "map", required_argument, NULL, O_MAP },
		{ "max-line", required_argument, NULL, O_MAXLINE },
		{ "max-msg", required_argument, NULL, O_MAXMSG },
		{ "max-warnings", required_argument, NULL, O_MAXWARN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":o:qh", lo, NULL)) != -1) {
		size_t *sz = NULL;
		switch (ch) {
		case 'o':
			o.dir = optarg;
			break;
		case O_MAP:
			o.map = optarg;
			break;
		case O_MAXLINE:
			sz = &o.max_line;
			break;
		case O_MAXMSG:
			sz = &o.max_msg;
			break;
		case O_MAXWARN:
			sz = &o.max_warn;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return fflush(stdout) || ferror(stdout) ? RC_ERROR
								: RC_OK;
		case ':':
			return usage("option '%s' needs a value",
				     argv[optind - 1]);
		default:
			return usage("unknown option '%s'", argv[optind - 1]);
		}
		if (sz && sv_parse_size(sv_cstr(optarg), sz))
			return usage("invalid size '%s'", optarg);
	}
	int n = argc - optind;
	char **ins = argv + optind;
	if (n < 1)
		return usage("no input file given");
	if (n > 1 && !o.dir)
		return usage("several inputs need -o DIR");
	if (o.map && strcmp(o.map, "-") == 0)
		return usage("the --map file must not be '%s': it undoes "
			     "the redaction", o.map);
	if (o.dir && check_outputs(&o, ins, n))
		return RC_ERROR;
	int nstdin = 0;
	for (int i = 0; i < n; i++)
		nstdin += strcmp(ins[i], "-") == 0;
	if (!o.dir) {
		struct stat so, si;
		if (fstat(STDOUT_FILENO, &so) == 0 && S_ISREG(so.st_mode) &&
		    stat(ins[0], &si) == 0 && so.st_dev == si.st_dev &&
		    so.st_ino == si.st_ino) {
			rerror("standard output is the input '%s'", ins[0]);
			return RC_ERROR;
		}
	}

	struct pseudo *ps = pseudo_new();
	int rc = RC_OK;
	/* pass 1: learn every identity of the run */
	for (int i = 0; i < n && !nstdin; i++)
		if (run_one(ps, &o, ins[i], NULL, 1))
			rc = RC_ERROR;
	for (int i = 0; i < n && rc == RC_OK; i++) {
		if (!o.dir) {
			if (run_one(ps, &o, ins[i], stdout, 0))
				rc = RC_ERROR;
			continue;
		}
		char *p = out_path(o.dir, ins[i]);
		FILE *f = fopen(p, "w");
		if (!f) {
			rerror("cannot create '%s': %s", p, strerror(errno));
			rc = RC_ERROR;
		} else {
			if (run_one(ps, &o, ins[i], f, 0))
				rc = RC_ERROR;
			if (fclose(f) != 0) {
				rerror("cannot write '%s': %s", p,
				       strerror(errno));
				rc = RC_ERROR;
			}
		}
		free(p);
	}
	if (o.map && write_map(o.map, ps))
		rc = RC_ERROR;
	pseudo_free(ps);
	if ((fflush(stdout) != 0 || ferror(stdout)) && rc == RC_OK) {
		rerror("cannot write the output: %s", strerror(errno));
		rc = RC_ERROR;
	}
	return rc;
}
