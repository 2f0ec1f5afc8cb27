/* SPDX-License-Identifier: MIT */
/*
 * main.c -- the sfblog command line: options, wiring of the pipeline
 * (lr -> fmt -> msg/sip -> txn -> ana -> rep), messages on stderr and
 * exit codes.  The only file that sees the whole pipeline, the only one
 * that prints diagnostics and the only one that exits.
 *
 * Exit codes: 0 done, nothing at or above --fail-on; 1 done, findings;
 * 2 could not do the job (usage, unreadable or unrecognised input,
 * write error, bad regex, --strict with malformed input).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ana.h"
#include "cmd_redact.h"
#include "flow.h"
#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "rep.h"
#include "rot.h"
#include "pattern.h"
#include "grep.h"
#include "sess.h"
#include "sfb.h"
#include "sip.h"
#include "sv.h"
#include "txn.h"
#include "xmlbody.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

/* Which commands an option belongs to. */
#define C_AN 1u
#define C_MSG 2u
#define C_FLOW 4u
#define C_ALL (C_AN | C_MSG | C_FLOW)

/*
 * The option list: X(id, long name, short, has_arg, commands, metavar,
 * help).  It generates the getopt table, the short-option string and
 * the --help text (curl: one enum per option).  man/sfblog.1 documents
 * each one; a golden test checks that.
 */
#define OPTION_MAP(X)                                                     \
	X(OUTPUT, "output", 'o', 1, C_ALL, "FMT",                         \
	  "output: text, json or ndjson (flow: text or json)")            \
	X(FORMAT, "format", 'f', 1, C_ALL, "FMT",                         \
	  "input format: auto, uccapilog or cls (default auto)")          \
	X(METHOD, "method", 'm', 1, C_MSG, "LIST",                        \
	  "only these methods (comma list; responses by CSeq method)")    \
	X(STATUS, "status", 's', 1, C_MSG, "LIST",                        \
	  "only responses with these statuses (401, 4xx, 400-499, ...)")  \
	X(CALLID, "call-id", 'c', 1, C_MSG | C_FLOW, "ID",                \
	  "only messages with this Call-ID")                              \
	X(SESSION, "session", 'n', 1, C_FLOW, "N",                        \
	  "only sign-in session N (as numbered by analyze)")              \
	X(RELATIVE, "relative", 'r', 0, C_FLOW, NULL,                     \
	  "times relative to the first message")                          \
	X(WIDTH, "width", 'w', 1, C_FLOW, "N",                            \
	  "ladder width (default: the terminal's, else 100)")             \
	X(VERBOSE, "verbose", 'v', 0, C_AN, NULL,                         \
	  "every evidence line and provisioning property")                \
	X(MAXSESS, "max-sessions", 0, 1, C_AN, "N",                       \
	  "sessions listed per file in JSON (default 1000)")              \
	X(PATTERNS, "patterns", 'p', 1, C_AN | C_FLOW, "FILE",            \
	  "also read this pattern table (repeatable)")                    \
	X(RULES, "rules", 0, 1, C_AN | C_FLOW, "DIR",                     \
	  "the shipped rules folder (default: $SFBLOG_RULES, installed)") \
	X(GREP, "grep", 'g', 1, C_MSG, "REGEX",                           \
	  "only messages whose text matches REGEX (PCRE2)")               \
	X(ICASE, "ignore-case", 'i', 0, C_MSG, NULL,                      \
	  "make --grep case-insensitive")                                 \
	X(RAW, "raw", 0, 0, C_MSG, NULL,                                  \
	  "print matching messages as they appear in the log")            \
	X(FAILON, "fail-on", 0, 1, C_AN, "SEV",                           \
	  "exit 1 on findings at or above SEV: info, warning, error, "    \
	  "none (default warning)")                                       \
	X(COLOR, "color", 0, 1, C_ALL, "WHEN",                            \
	  "colour: auto, always or never (default auto)")                 \
	X(MAXLINE, "max-line", 0, 1, C_ALL, "SIZE",                       \
	  "skip lines longer than SIZE bytes (default 16M)")              \
	X(MAXMSG, "max-msg", 0, 1, C_ALL, "SIZE",                         \
	  "keep at most SIZE bytes of one message (default 4M)")          \
	X(MAXTXN, "max-txn", 0, 1, C_ALL, "N",                            \
	  "transactions held open at once (default 65536)")               \
	X(MAXWARN, "max-warnings", 0, 1, C_ALL, "N",                      \
	  "parse warnings shown per file (default 20)")                   \
	X(STRICT, "strict", 0, 0, C_ALL, NULL,                            \
	  "malformed or truncated input is an error (exit 2)")            \
	X(QUIET, "quiet", 'q', 0, C_ALL, NULL,                            \
	  "no warnings on standard error")                                \
	X(HELP, "help", 'h', 0, C_ALL, NULL, "show this help and exit")   \
	X(VERSION, "version", 'V', 0, C_ALL, NULL,                        \
	  "show version and library versions and exit")

enum opt_id {
	OPT_BASE = 256,
#define X(id, l, s, a, c, m, h) OPT_##id,
	OPTION_MAP(X)
#undef X
};

struct optdef {
	enum opt_id id;
	const char *name;
	int shortopt;
	int has_arg;
	unsigned cmds;
	const char *metavar;
	const char *help;
};

static const struct optdef optdefs[] = {
#define X(id, l, s, a, c, m, h) { OPT_##id, l, s, a, c, m, h },
	OPTION_MAP(X)
#undef X
};
#define NOPTS (sizeof optdefs / sizeof optdefs[0])

enum command { CMD_NONE = 0, CMD_ANALYZE, CMD_MESSAGES, CMD_FLOW,
	       CMD_REDACT };

static const struct {
	const char *name;
	enum command cmd;
	unsigned mask;
	const char *summary;
} commands[] = {
	{ "analyze", CMD_ANALYZE, C_AN,
	  "rebuild each sign-in step by step, then summarise the log: "
	  "messages, transactions, diagnostics, warnings" },
	{ "messages", CMD_MESSAGES, C_MSG,
	  "list the SIP and HTTP messages, one line each, with filters" },
	{ "flow", CMD_FLOW, C_FLOW,
	  "draw the call flow of the sign-in sessions (or one dialog) "
	  "as a ladder" },
	{ "redact", CMD_REDACT, 0,
	  "write a copy of a log that is safe to share: secrets out, "
	  "names and addresses pseudonymised" },
};

/* A --status item: lo..hi inclusive. */
struct status_range {
	int lo, hi;
};

#define MAX_LIST 32

/* The only global state: options, parsed once. */
struct opts {
	enum command cmd;
	enum rep_format out;
	enum fmt_kind format;
	int color;
	int quiet, strict, raw, icase;
	int fail_on;            /* enum sfb_sev; SFB_SEV_NONE = never */
	size_t max_line, max_msg, max_txn, max_warn;
	const char *methods[MAX_LIST];
	size_t nmethods;
	struct status_range statuses[MAX_LIST];
	size_t nstatuses;
	const char *call_id;
	const char *grep;
	char *method_buf;       /* owned: the split --method list */
	unsigned session;       /* flow: 0 = every session */
	int relative, verbose;
	int width;              /* flow: 0 = detect */
	size_t max_sessions;
	const char *patterns[16];
	size_t npatterns;
	const char *rules_dir;
};

static struct opts g;

static void SFB_PRINTF(1, 2) errorf(const char *fmt, ...)
{
	va_list ap;
	fputs("sfblog: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void SFB_PRINTF(1, 2) warnf(const char *fmt, ...)
{
	if (g.quiet)
		return;
	va_list ap;
	fputs("sfblog: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void SFB_NORETURN SFB_PRINTF(1, 2) usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("sfblog: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfblog --help'.\n", stderr);
	exit(EXIT_ERROR);
}

static void print_help(FILE *out, enum command cmd)
{
	unsigned mask = C_ALL;
	if (cmd == CMD_NONE) {
		fputs("usage: sfblog COMMAND [OPTIONS] FILE...\n\n"
		      "Read Skype for Business / Lync client logs (.UccApilog)"
		      " and server CLS/OCSLogger\ntext traces; extract SIP "
		      "and HTTP traffic and what went wrong.\n"
		      "FILE may be '-' for standard input; gzip and UTF-16 "
		      "are read as they are.\n\ncommands:\n", out);
		for (size_t i = 0; i < sizeof commands / sizeof commands[0];
		     i++)
			fprintf(out, "  %-10s %s\n", commands[i].name,
				commands[i].summary);
		fputs("\nRun 'sfblog COMMAND --help' for a command's options."
		      "\n\noptions:\n", out);
		mask = C_ALL;
	} else {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0];
		     i++) {
			if (commands[i].cmd != cmd)
				continue;
			fprintf(out, "usage: sfblog %s [OPTIONS] FILE...\n\n"
				"%s.\n\noptions:\n", commands[i].name,
				commands[i].summary);
			mask = commands[i].mask;
		}
	}
	for (size_t i = 0; i < NOPTS; i++) {
		const struct optdef *o = &optdefs[i];
		if (cmd != CMD_NONE && !(o->cmds & mask))
			continue;
		if (cmd == CMD_NONE && o->cmds != C_ALL)
			continue;
		char left[48];
		int n;
		if (o->shortopt)
			n = snprintf(left, sizeof left, "-%c, --%s",
				     o->shortopt, o->name);
		else
			n = snprintf(left, sizeof left, "    --%s", o->name);
		if (o->metavar && n > 0 && (size_t)n < sizeof left)
			snprintf(left + n, sizeof left - (size_t)n, " %s",
				 o->metavar);
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
	if (cmd == CMD_NONE || cmd == CMD_ANALYZE)
		fputs("\nexit status: 0 no findings at or above --fail-on, 1 "
		      "findings, 2 error.\n", out);
	else
		fputs("\nexit status: 0 done, 2 error.\n", out);
}

static void print_version(void)
{
	char pcre[64];
	printf("sfblog %s\nlibraries: pcre2 %s, libxml2 %s, zlib %s, "
	       "cJSON %s\n", SFB_VERSION, grep_version(pcre, sizeof pcre),
	       xmlbody_version(), lr_zlib_version(), rep_json_version());
}

/* "16M", "512K", "1G", "1000": @return 0 on success. */
static int parse_size(const char *s, size_t *out)
{
	struct sv v = sv_cstr(s);
	uint64_t x;
	if (sv_take_u64(&v, 20, &x))
		return -1;
	uint64_t mul = 1;
	if (v.n == 1) {
		switch (v.p[0]) {
		case 'k': case 'K': mul = 1ull << 10; break;
		case 'm': case 'M': mul = 1ull << 20; break;
		case 'g': case 'G': mul = 1ull << 30; break;
		default: return -1;
		}
	} else if (v.n) {
		return -1;
	}
	if (x == 0 || x > (UINT64_MAX >> 2) / mul)
		return -1;
	*out = (size_t)(x * mul);
	return 0;
}

static void parse_status_list(const char *arg)
{
	struct sv v = sv_cstr(arg), item;
	while (v.n) {
		sv_split(&v, ',', &item);
		item = sv_trim(item);
		if (!item.n)
			continue;
		if (g.nstatuses >= MAX_LIST)
			usage_error("too many --status items (at most %d)",
				    MAX_LIST);
		struct status_range r;
		uint64_t a, b;
		struct sv w = item;
		if (w.n == 3 && w.p[0] >= '1' && w.p[0] <= '6' &&
		    (w.p[1] == 'x' || w.p[1] == 'X') &&
		    (w.p[2] == 'x' || w.p[2] == 'X')) {
			r.lo = (w.p[0] - '0') * 100;
			r.hi = r.lo + 99;
		} else if (sv_take_u64(&w, 3, &a) == 0 &&
			   (w.n == 0 || (sv_skip_char(&w, '-') == 0 &&
					 sv_take_u64(&w, 3, &b) == 0 &&
					 w.n == 0))) {
			r.lo = (int)a;
			r.hi = item.n > 3 ? (int)b : (int)a;
		} else {
			usage_error("invalid --status '%.*s': use 401, 4xx or "
				    "400-499", (int)item.n, item.p);
		}
		if (r.lo < 100 || r.hi > 699 || r.lo > r.hi)
			usage_error("invalid --status '%.*s': statuses are "
				    "100 to 699", (int)item.n, item.p);
		g.statuses[g.nstatuses++] = r;
	}
}

static void parse_method_list(const char *arg)
{
	free(g.method_buf);
	g.method_buf = sfb_xstrndup(arg, strlen(arg));
	g.nmethods = 0;
	char *p = g.method_buf;
	while (*p) {
		char *q = strchr(p, ',');
		if (q)
			*q = '\0';
		if (*p) {
			if (g.nmethods >= MAX_LIST)
				usage_error("too many --method items (at most "
					    "%d)", MAX_LIST);
			g.methods[g.nmethods++] = p;
		}
		if (!q)
			break;
		p = q + 1;
	}
}

static void parse_args(int argc, char **argv)
{
	g.out = REP_TEXT;
	g.format = FMT_AUTO;
	g.fail_on = SFB_SEV_WARNING;
	g.max_line = SFB_MAX_LINE;
	g.max_msg = SFB_MAX_MSG;
	g.max_txn = SFB_MAX_TXN;
	g.max_warn = 20;
	const char *nc = getenv("NO_COLOR");
	g.color = isatty(STDOUT_FILENO) && !(nc && *nc);

	if (argc < 2)
		usage_error("no command given");
	const char *c = argv[1];
	if (strcmp(c, "-h") == 0 || strcmp(c, "--help") == 0) {
		print_help(stdout, CMD_NONE);
		exit(EXIT_OK);
	}
	if (strcmp(c, "-V") == 0 || strcmp(c, "--version") == 0) {
		print_version();
		exit(EXIT_OK);
	}
	unsigned mask = 0;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(c, commands[i].name) == 0) {
			g.cmd = commands[i].cmd;
			mask = commands[i].mask;
		}
	}
	if (g.cmd == CMD_NONE)
		usage_error(c[0] == '-' ? "'%s' before a command: options "
			    "come after it" : "unknown command '%s'", c);

	struct option lopts[NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	size_t ns = 0;
	shorts[ns++] = ':';  /* report a missing value as ':' */
	for (size_t i = 0; i < NOPTS; i++) {
		lopts[i].name = optdefs[i].name;
		lopts[i].has_arg = optdefs[i].has_arg ? required_argument
						      : no_argument;
		lopts[i].flag = NULL;
		lopts[i].val = optdefs[i].id;
		if (optdefs[i].shortopt) {
			shorts[ns++] = (char)optdefs[i].shortopt;
			if (optdefs[i].has_arg)
				shorts[ns++] = ':';
		}
	}
	lopts[NOPTS] = (struct option){ 0, 0, 0, 0 };
	shorts[ns] = '\0';

	optind = 2;
	opterr = 0;
	int ch, li;
	while ((ch = getopt_long(argc, argv, shorts, lopts, &li)) != -1) {
		const struct optdef *o = NULL;
		for (size_t i = 0; i < NOPTS; i++)
			if ((int)optdefs[i].id == ch ||
			    optdefs[i].shortopt == ch)
				o = &optdefs[i];
		if (ch == '?' || !o) {
			if (optopt && optopt < 256)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
		if (ch == ':')
			usage_error("option '%s' needs a value",
				    argv[optind - 1]);
		if (!(o->cmds & mask))
			usage_error("option '--%s' does not apply to '%s'",
				    o->name, c);
		switch (o->id) {
		case OPT_OUTPUT:
			if (strcmp(optarg, "text") == 0)
				g.out = REP_TEXT;
			else if (strcmp(optarg, "json") == 0)
				g.out = REP_JSON;
			else if (strcmp(optarg, "ndjson") == 0)
				g.out = REP_NDJSON;
			else
				usage_error("invalid --output '%s': use text, "
					    "json or ndjson", optarg);
			break;
		case OPT_FORMAT: {
			int k = strcmp(optarg, "auto") == 0
				? FMT_AUTO : fmt_kind_parse(optarg);
			if (k < 0)
				usage_error("invalid --format '%s': use auto, "
					    "uccapilog or cls", optarg);
			g.format = (enum fmt_kind)k;
			break;
		}
		case OPT_METHOD:
			parse_method_list(optarg);
			break;
		case OPT_STATUS:
			parse_status_list(optarg);
			break;
		case OPT_CALLID:
			g.call_id = optarg;
			break;
		case OPT_GREP:
			g.grep = optarg;
			break;
		case OPT_SESSION: {
			uint64_t n;
			if (!sv_to_u64(sv_cstr(optarg), &n) || n == 0 ||
			    n > UINT32_MAX)
				usage_error("invalid --session '%s': a number "
					    "from 1", optarg);
			g.session = (unsigned)n;
			break;
		}
		case OPT_RELATIVE:
			g.relative = 1;
			break;
		case OPT_WIDTH: {
			uint64_t n;
			if (!sv_to_u64(sv_cstr(optarg), &n) || n < 40 ||
			    n > 1000)
				usage_error("invalid --width '%s': 40 to 1000",
					    optarg);
			g.width = (int)n;
			break;
		}
		case OPT_VERBOSE:
			g.verbose = 1;
			break;
		case OPT_MAXSESS:
			if (parse_size(optarg, &g.max_sessions))
				usage_error("invalid --max-sessions '%s'",
					    optarg);
			break;
		case OPT_PATTERNS:
			if (g.npatterns >= sizeof g.patterns /
					   sizeof g.patterns[0] - 2)
				usage_error("too many --patterns files");
			g.patterns[g.npatterns++] = optarg;
			break;
		case OPT_RULES:
			g.rules_dir = optarg;
			break;
		case OPT_ICASE:
			g.icase = 1;
			break;
		case OPT_RAW:
			g.raw = 1;
			break;
		case OPT_FAILON: {
			int s = sfb_sev_parse(optarg);
			if (s < 0)
				usage_error("invalid --fail-on '%s': use "
					    "info, warning, error or none",
					    optarg);
			g.fail_on = s;
			break;
		}
		case OPT_COLOR:
			if (strcmp(optarg, "always") == 0)
				g.color = 1;
			else if (strcmp(optarg, "never") == 0)
				g.color = 0;
			else if (strcmp(optarg, "auto") != 0)
				usage_error("invalid --color '%s': use auto, "
					    "always or never", optarg);
			break;
		case OPT_MAXLINE:
			if (parse_size(optarg, &g.max_line))
				usage_error("invalid --max-line '%s'", optarg);
			break;
		case OPT_MAXMSG:
			if (parse_size(optarg, &g.max_msg))
				usage_error("invalid --max-msg '%s'", optarg);
			break;
		case OPT_MAXTXN:
			if (parse_size(optarg, &g.max_txn))
				usage_error("invalid --max-txn '%s'", optarg);
			break;
		case OPT_MAXWARN: {
			uint64_t n;
			if (!sv_to_u64(sv_cstr(optarg), &n) || n > 100000)
				usage_error("invalid --max-warnings '%s'",
					    optarg);
			g.max_warn = (size_t)n;
			break;
		}
		case OPT_STRICT:
			g.strict = 1;
			break;
		case OPT_QUIET:
			g.quiet = 1;
			break;
		case OPT_HELP:
			print_help(stdout, g.cmd);
			exit(EXIT_OK);
		case OPT_VERSION:
			print_version();
			exit(EXIT_OK);
		case OPT_BASE:
			break;
		}
	}
	if (g.out != REP_TEXT)
		g.color = 0;
	if (g.session && g.call_id)
		usage_error("--session and --call-id choose the same thing: "
			    "give one");
	if (g.cmd == CMD_FLOW && g.out == REP_NDJSON)
		usage_error("flow writes text or json");
	if (g.raw && g.out != REP_TEXT)
		usage_error("--raw prints the log text: it does not go with "
			    "--output %s", g.out == REP_JSON ? "json"
							     : "ndjson");
	if (optind >= argc)
		usage_error("no input file given (use '-' for standard "
			    "input)");
}


/* ---- the pattern table ---------------------------------------------- */

/* Is dir/patterns.tsv there? Fills path. */
static int rules_in(const char *dir, char *path, size_t pathsz)
{
	if (!dir || !*dir)
		return 0;
	int n = snprintf(path, pathsz, "%s/patterns.tsv", dir);
	return n > 0 && (size_t)n < pathsz && access(path, R_OK) == 0;
}

/*
 * The shipped table: --rules, $SFBLOG_RULES, beside the binary (the
 * source tree's build/../rules, an installed bin/../share/sfblog/rules),
 * then the configured data folder.
 */
static int find_rules(char *path, size_t pathsz)
{
	if (g.rules_dir)
		return rules_in(g.rules_dir, path, pathsz) ? 0 : -1;
	const char *env = getenv("SFBLOG_RULES");
	if (env && *env)
		return rules_in(env, path, pathsz) ? 0 : -1;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char dir[4200];
			snprintf(dir, sizeof dir, "%s/../rules", exe);
			if (rules_in(dir, path, pathsz))
				return 0;
			snprintf(dir, sizeof dir, "%s/../share/sfblog/rules",
				 exe);
			if (rules_in(dir, path, pathsz))
				return 0;
		}
	}
	return rules_in(SFB_DATADIR "/rules", path, pathsz) ? 0 : -1;
}

static struct pat_table *load_rules(void)
{
	static char shipped[4400];
	const char *paths[sizeof g.patterns / sizeof g.patterns[0] + 2];
	size_t n = 0;
	if (find_rules(shipped, sizeof shipped) != 0) {
		errorf("cannot find the pattern table patterns.tsv (looked "
		       "in %s): set SFBLOG_RULES or --rules to the rules "
		       "folder", g.rules_dir ? g.rules_dir
		       : getenv("SFBLOG_RULES") && *getenv("SFBLOG_RULES")
		       ? getenv("SFBLOG_RULES")
		       : "beside the binary and in " SFB_DATADIR "/rules");
		exit(EXIT_ERROR);
	}
	paths[n++] = shipped;
	for (size_t i = 0; i < g.npatterns; i++)
		paths[n++] = g.patterns[i];
	paths[n] = NULL;
	struct sfb_err err = { 0 };
	struct pat_table *t = pattern_load(paths, &err);
	if (!t) {
		/* "FILE:LINE:COL: error: ..." says what it is already */
		if (err.code == SFB_E_RULE)
			fprintf(stderr, "sfblog: %s\n", err.msg);
		else
			errorf("%s", err.msg);
		exit(EXIT_ERROR);
	}
	return t;
}

/* ---- one stream: a file, or rotated files read as one ---------------- */

struct run {
	const char *const *files;   /* borrowed: the stream, in order */
	size_t nfiles;
	const char *name;       /* borrowed: shown for the stream */
	const char *path;       /* the file being read */
	struct ana ana;
	struct msg msg;
	struct txn_table *txn;
	struct sess_builder *sess;
	struct flow *flow;
	struct fmt *fmt;        /* the parser of the file being read */
	struct pat_table *rules;  /* borrowed */
	struct grep_re *re;     /* borrowed: --grep */
	struct rep_json *json;  /* borrowed */
	uint64_t malformed;     /* for --strict */
	uint64_t stderr_warns;
};

static void run_warn(struct run *r, unsigned long line, struct sv text)
{
	r->malformed++;
	if (g.cmd == CMD_ANALYZE)
		return;         /* the report lists them */
	if (r->stderr_warns++ < g.max_warn)
		warnf("%s:%lu: %.*s", r->path, line, (int)text.n, text.p);
}

static int status_match(int status)
{
	for (size_t i = 0; i < g.nstatuses; i++)
		if (status >= g.statuses[i].lo && status <= g.statuses[i].hi)
			return 1;
	return 0;
}

static int msg_match(struct run *r, const struct msg *m)
{
	if (g.nmethods) {
		struct sv meth = m->kind == MSG_RESPONSE ? m->cseq_method
							 : m->method;
		int ok = 0;
		for (size_t i = 0; i < g.nmethods && !ok; i++)
			ok = sv_ieq_cstr(meth, g.methods[i]);
		if (!ok)
			return 0;
	}
	if (g.nstatuses &&
	    (m->kind != MSG_RESPONSE || !status_match(m->status)))
		return 0;
	if (g.call_id && !sv_eq(m->call_id, sv_cstr(g.call_id)))
		return 0;
	if (r->re && !grep_match(r->re, sv_make(m->buf, m->len)))
		return 0;
	return 1;
}

static void print_raw(const struct fmt_rec *rec)
{
	if (rec->raw.n)
		fwrite(rec->raw.p, 1, rec->raw.n, stdout);
	fputc('\n', stdout);
}

static void on_txn(void *ud, const struct txn_info *t)
{
	struct run *r = ud;
	ana_txn(&r->ana, t);
}

static void on_session(void *ud, const struct sess *s)
{
	struct run *r = ud;
	if (g.cmd != CMD_ANALYZE)
		return;
	ana_session(&r->ana, s);
	if (g.out == REP_TEXT)
		rep_text_session(stdout, s, g.color, g.verbose);
	else
		rep_json_session(r->json, s);
}

struct event_ctx {
	struct run *r;
	const struct fmt_rec *rec;
};

static int on_event(void *ud, const struct pat_event *ev)
{
	struct event_ctx *c = ud;
	(void)sess_event(c->r->sess, ev, c->r->path, c->rec->line_first,
			 c->rec->ts);
	return 0;
}

/* A message through transactions, sessions and the command's output. */
static void on_msg(struct run *r, const struct fmt_rec *rec)
{
	struct msg *m = &r->msg;
	msg_set(m, rec, r->path);
	if (rec->truncated)
		r->malformed++;
	(void)sip_parse(m);
	if (g.cmd == CMD_MESSAGES) {
		if (!msg_match(r, m))
			return;
		if (g.out != REP_TEXT)
			rep_json_msg(r->json, m);
		else if (g.raw)
			print_raw(rec);
		else
			rep_text_msg(stdout, m, g.color);
		return;
	}
	int copy = txn_add(r->txn, m);
	struct sv rm = SV_NULL, ru = SV_NULL;
	if (m->kind == MSG_RESPONSE && txn_last_request(r->txn, &rm, &ru))
		rm = ru = SV_NULL;
	unsigned id = sess_msg(r->sess, m, copy, rm, ru);
	if (g.cmd == CMD_ANALYZE) {
		ana_msg(&r->ana, m, copy, rm, ru);
		if (!id)
			r->ana.outside_msgs++;
		return;
	}
	/* flow: the chosen session, the chosen dialog, or every session */
	if (g.call_id ? sv_eq(m->call_id, sv_cstr(g.call_id))
		      : g.session ? id == g.session : id != 0)
		flow_add(r->flow, m);
}

static struct sess_builder *new_sess(struct run *r, enum fmt_kind kind);

static int on_rec(void *ud, const struct fmt_rec *rec)
{
	struct run *r = ud;
	/* the format is known at the first record: one client, or many */
	if (!r->sess && g.cmd != CMD_MESSAGES)
		r->sess = new_sess(r, fmt_kind_get(r->fmt));
	if (rec->type == REC_WARN) {
		run_warn(r, rec->line_first, rec->text);
		if (g.cmd == CMD_ANALYZE)
			ana_rec(&r->ana, rec);
		return 0;
	}
	if (g.cmd == CMD_ANALYZE)
		ana_rec(&r->ana, rec);
	switch (rec->type) {
	case REC_MSG:
		on_msg(r, rec);
		break;
	case REC_ENTRY:
		if (r->sess && r->rules) {
			struct event_ctx c = { r, rec };
			(void)pattern_match(r->rules, rec->text, on_event,
					       &c);
		}
		break;
	case REC_DIAG:
		if (r->sess)
			(void)sess_diag(r->sess, rec, r->path);
		break;
	case REC_WARN:
		break;
	}
	return 0;
}

/*
 * Read one file of the stream through the pipeline.  @return EXIT_ERROR
 * if it could not be read or recognised, else EXIT_OK.
 */
static int run_file(struct run *r, enum fmt_kind *kind)
{
	struct sfb_err err = { 0 };
	struct fmt_sink sink = { on_rec, r };
	struct fmt_limits lim = { g.max_msg };
	int rc = EXIT_OK;

	ana_set_file(&r->ana, r->path);
	struct lr *lr = lr_open(r->path, g.max_line, &err);
	if (!lr) {
		errorf("%s", err.msg);
		r->ana.failed = 1;
		snprintf(r->ana.error, sizeof r->ana.error, "%s", err.msg);
		return EXIT_ERROR;
	}
	struct fmt *f = fmt_new(g.format, &sink, &lim);
	r->fmt = f;
	struct sv line;
	unsigned long lineno = 0;
	int st;
	while ((st = lr_next(lr, &line, &lineno, &err)) != LR_EOF) {
		if (st == LR_ERR) {
			if (err.code == SFB_E_GZIP) {
				/* what came before the damage has been read */
				unsigned long at = err.line ? err.line
								: lineno + 1;
				warnf("%s:%lu: %s; the lines before it were "
				      "read", r->path, at, err.msg);
				ana_warn(&r->ana, at, "%s: the rest of the "
					 "file is lost", err.msg);
				r->malformed++;
				break;
			}
			errorf("'%s': %s", r->path, err.msg);
			snprintf(r->ana.error, sizeof r->ana.error, "%s",
				 err.msg);
			rc = EXIT_ERROR;
			break;
		}
		r->ana.lines++;
		if (st == LR_LONG) {
			char buf[160];
			snprintf(buf, sizeof buf, "line of %zu bytes skipped "
				 "(over --max-line %zu)", line.n, g.max_line);
			r->ana.long_lines++;
			run_warn(r, lineno, sv_cstr(buf));
			if (g.cmd == CMD_ANALYZE)
				ana_warn(&r->ana, lineno, "%s", buf);
			continue;
		}
		if (fmt_feed(f, line, lineno, &err) < 0) {
			errorf("'%s': %s", r->path, err.msg);
			r->ana.failed = 1;
			snprintf(r->ana.error, sizeof r->ana.error, "%s",
				 err.msg);
			rc = EXIT_ERROR;
			break;
		}
	}
	if (!r->ana.failed && fmt_finish(f, &err) < 0) {
		errorf("'%s': %s", r->path, err.msg);
		r->ana.failed = 1;
		snprintf(r->ana.error, sizeof r->ana.error, "%s", err.msg);
		rc = EXIT_ERROR;
	}
	if (fmt_kind_get(f) != FMT_AUTO)
		*kind = fmt_kind_get(f);
	r->ana.enc = lr_encoding(lr);
	r->ana.gzip |= lr_is_gzip(lr);
	r->ana.bytes += lr_bytes(lr);
	if (!r->ana.failed && lineno == 0)
		ana_warn(&r->ana, 0, "empty file");
	r->fmt = NULL;
	fmt_free(f);
	lr_close(lr);
	return rc;
}

static struct sess_builder *new_sess(struct run *r, enum fmt_kind kind)
{
	struct sess_sink ss = { on_session, r };
	return sess_new(&ss, kind != FMT_CLS, 0);
}

/* Peek at the first log time of a file (for ordering rotated parts). */
struct peek {
	int64_t ts;
};

static int peek_rec(void *ud, const struct fmt_rec *rec)
{
	struct peek *p = ud;
	if (rec->ts == SFB_TIME_NONE)
		return 0;
	p->ts = rec->ts;
	return 1;
}

static int64_t first_time(const char *path)
{
	struct peek p = { SFB_TIME_NONE };
	struct sfb_err err = { 0 };
	struct lr *lr = lr_open(path, g.max_line, &err);
	if (!lr)
		return SFB_TIME_NONE;
	struct fmt_sink sink = { peek_rec, &p };
	struct fmt_limits lim = { 64 << 10 };
	struct fmt *f = fmt_new(g.format, &sink, &lim);
	struct sv line;
	unsigned long lineno;
	for (int i = 0; i < SFB_DETECT_LINES + 64 && p.ts == SFB_TIME_NONE;
	     i++) {
		int st = lr_next(lr, &line, &lineno, &err);
		if (st == LR_EOF || st == LR_ERR)
			break;
		if (st == LR_LINE && fmt_feed(f, line, lineno, &err) != 0)
			break;
	}
	if (p.ts == SFB_TIME_NONE)
		(void)fmt_finish(f, &err);
	fmt_free(f);
	lr_close(lr);
	return p.ts;
}

/*
 * Read a stream (one file, or the rotated parts of one log in time
 * order) and report it.  @return EXIT_ERROR if a file failed, else
 * EXIT_OK; *findings is set when the analysis reaches --fail-on.
 */
static int run_stream(struct run *r, int *findings)
{
	int rc = EXIT_OK;
	ana_init(&r->ana, r->name, g.max_warn);
	if (g.cmd != CMD_MESSAGES) {
		struct txn_sink ts = { on_txn, r };
		r->txn = txn_new(&ts, g.max_txn, -1);
	}
	if (g.cmd == CMD_FLOW)
		r->flow = flow_new(0);
	if (g.cmd == CMD_ANALYZE && g.out == REP_TEXT)
		rep_text_file_header(stdout, r->name, g.color);
	for (size_t i = 0; i < r->nfiles; i++) {
		r->path = r->files[i];
		enum fmt_kind seen = FMT_AUTO;
		if (run_file(r, &seen) == EXIT_ERROR)
			rc = EXIT_ERROR;
		if (seen != FMT_AUTO)
			r->ana.kind = seen;
	}
	if (r->txn)
		txn_flush(r->txn);
	if (r->sess)
		sess_flush(r->sess);
	ana_finish(&r->ana);
	if (g.strict && r->malformed && rc == EXIT_OK) {
		errorf("'%s': %" PRIu64 " malformed or truncated input(s) "
		       "(--strict)", r->name, r->malformed);
		rc = EXIT_ERROR;
	}
	if (g.cmd == CMD_ANALYZE) {
		enum sfb_sev w = ana_worst(&r->ana);
		if (g.fail_on != SFB_SEV_NONE && (int)w >= g.fail_on &&
		    !r->ana.failed)
			*findings = 1;
		if (g.out == REP_TEXT)
			rep_text_analyze(stdout, &r->ana, g.color);
		else
			rep_json_analyze(r->json, &r->ana);
	} else if (g.cmd == CMD_FLOW) {
		if (g.out == REP_TEXT) {
			struct flow_style st = { g.width, g.color,
						 g.relative };
			rep_text_file_header(stdout, r->name, g.color);
			flow_draw(stdout, r->flow, &st);
			if (!flow_narrows(r->flow))
				fputs("  (no message in this selection)\n",
				      stdout);
			if (flow_dropped(r->flow))
				printf("  ... %" PRIu64 " more message(s) not "
				       "drawn: choose one with --session or "
				       "--call-id\n", flow_dropped(r->flow));
		} else {
			rep_json_flow(r->json, r->name, r->flow);
		}
	}
	sess_free(r->sess);
	txn_free(r->txn);
	flow_free(r->flow);
	ana_free(&r->ana);
	r->sess = NULL;
	r->txn = NULL;
	r->flow = NULL;
	return rc;
}

static int finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		errorf("cannot write the output: %s", strerror(errno));
		return EXIT_ERROR;
	}
	if (fclose(stdout) != 0) {
		errorf("cannot write the output: %s", strerror(errno));
		return EXIT_ERROR;
	}
	return rc;
}

/* The terminal's width for the ladder: --width, the tty, $COLUMNS, 100. */
static int term_width(void)
{
	if (g.width)
		return g.width;
	struct winsize ws;
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	uint64_t n;
	const char *c = getenv("COLUMNS");
	if (c && sv_to_u64(sv_cstr(c), &n) && n >= 40 && n <= 1000)
		return (int)n;
	return 100;
}

/* A group of input files read as one stream. */
struct group {
	size_t first, n;        /* into the order[] array */
	char *name;             /* owned: "a + b" when merged */
};

struct order_ent {
	const char *path;
	int64_t ts;
	int age;
};

static int order_cmp(const void *x, const void *y)
{
	const struct order_ent *a = x, *b = y;
	if (a->ts != SFB_TIME_NONE && b->ts != SFB_TIME_NONE &&
	    a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (a->age < b->age) - (a->age > b->age);   /* older first */
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "redact") == 0)
		return cmd_redact_main(argc - 1, argv + 1);
	parse_args(argc, argv);
	if (g.cmd == CMD_FLOW)
		g.width = term_width();

	struct grep_re *re = NULL;
	if (g.grep) {
		struct sfb_err err = { 0 };
		re = grep_new(g.grep, g.icase, &err);
		if (!re)
			usage_error("invalid --grep '%s': %s", g.grep,
				    err.msg);
	}
	struct pat_table *rules = g.cmd == CMD_MESSAGES ? NULL
							 : load_rules();
	struct rep_json *json = NULL;
	if (g.out != REP_TEXT) {
		const char *name = "";
		for (size_t i = 0; i < sizeof commands / sizeof commands[0];
		     i++)
			if (commands[i].cmd == g.cmd)
				name = commands[i].name;
		json = rep_json_new(stdout, name, g.out == REP_NDJSON);
		rep_json_set_max_sessions(json, g.max_sessions);
	}

	/* group the rotated parts of one log; keep the order given */
	size_t nfiles = (size_t)(argc - optind);
	const char **files = sfb_xcalloc(nfiles, sizeof *files);
	struct group *groups = sfb_xcalloc(nfiles, sizeof *groups);
	int *used = sfb_xcalloc(nfiles, sizeof *used);
	size_t ngroups = 0, nfo = 0;
	for (size_t i = 0; i < nfiles; i++) {
		if (used[i])
			continue;
		const char *p = argv[optind + (int)i];
		char fam[4096], fam2[4096];
		int rot = strcmp(p, "-") != 0 &&
			  rot_family(p, fam, sizeof fam);
		struct group *gr = &groups[ngroups++];
		gr->first = nfo;
		struct order_ent ents[64];
		size_t ne = 0;
		for (size_t k = i; k < nfiles; k++) {
			const char *q = argv[optind + (int)k];
			if (used[k] || (k != i && (!rot ||
			    !rot_family(q, fam2, sizeof fam2) ||
			    strcmp(fam, fam2) != 0)) || ne >= 64)
				continue;
			used[k] = 1;
			ents[ne++] = (struct order_ent){ q, SFB_TIME_NONE,
							 rot_age(q) };
		}
		if (ne > 1) {
			for (size_t k = 0; k < ne; k++)
				ents[k].ts = first_time(ents[k].path);
			qsort(ents, ne, sizeof ents[0], order_cmp);
		}
		size_t len = 0;
		for (size_t k = 0; k < ne; k++) {
			files[nfo++] = ents[k].path;
			len += strlen(ents[k].path) + 3;
		}
		gr->n = ne;
		gr->name = sfb_xmalloc(len + 1);
		gr->name[0] = '\0';
		size_t off = 0;
		for (size_t k = 0; k < ne; k++)
			off += (size_t)snprintf(gr->name + off, len + 1 - off,
						"%s%s", k ? " + " : "",
						ents[k].path);
	}

	int rc = EXIT_OK, findings = 0, nstdin = 0;
	for (size_t i = 0; i < ngroups; i++) {
		struct group *gr = &groups[i];
		if (gr->n == 1 && strcmp(files[gr->first], "-") == 0 &&
		    nstdin++) {
			errorf("standard input ('-') given twice");
			rc = EXIT_ERROR;
			continue;
		}
		if (g.cmd == CMD_ANALYZE && g.out == REP_TEXT && i > 0)
			fputc('\n', stdout);
		struct run r = { 0 };
		r.files = files + gr->first;
		r.nfiles = gr->n;
		r.name = gr->name;
		r.re = re;
		r.json = json;
		r.rules = rules;
		msg_init(&r.msg);
		if (run_stream(&r, &findings) == EXIT_ERROR)
			rc = EXIT_ERROR;
		msg_free(&r.msg);
	}
	if (json) {
		rep_json_end(json);
		rep_json_free(json);
	}
	for (size_t i = 0; i < ngroups; i++)
		free(groups[i].name);
	free(groups);
	free(files);
	free(used);
	pattern_free(rules);
	grep_free(re);
	free(g.method_buf);
	if (rc == EXIT_OK && findings)
		rc = EXIT_FINDINGS;
	return finish_output(rc);
}
