/* SPDX-License-Identifier: MIT */
/*
 * main.c -- the sfblog command line: options, which data to load
 * (pattern table, rule files, code catalog), the engine's sinks that
 * print the reports (engine.h runs the pipeline), messages on stderr
 * and exit codes.  The only file that prints diagnostics and the only
 * one that exits.
 *
 * Exit codes: 0 done, nothing at or above --fail-on; 1 done, findings;
 * 2 could not do the job (usage, unreadable or unrecognised input,
 * write error, bad regex, --strict with malformed input).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ana.h"
#include "arc.h"
#include "catalog.h"
#include "cmd_diff.h"
#include "cmd_redact.h"
#include "compare.h"
#include "engine.h"
#include "esc.h"
#include "field.h"
#include "flow.h"
#include "grep.h"
#include "join.h"
#include "lr.h"
#include "msg.h"
#include "parser.h"
#include "pattern.h"
#include "rep.h"
#include "rep_join.h"
#include "rep_term.h"
#include "rot.h"
#include "rep_triage.h"
#include "rep_triage_html.h"
#include "rules.h"
#include "store.h"
#include "sess.h"
#include "sfb.h"
#include "sv.h"
#include "triage.h"
#include "walk.h"
#include "xmlbody.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

/* Which commands an option belongs to. */
#define C_AN 1u
#define C_MSG 2u
#define C_FLOW 4u
#define C_RULES 8u
#define C_INFO 16u              /* fields, explain */
#define C_TRI 32u               /* triage */
#define C_DIFF 64u              /* diff */
#define C_ALL (C_AN | C_MSG | C_FLOW | C_DIFF)

/*
 * The option list: X(id, long name, short, has_arg, commands, metavar,
 * help).  It generates the getopt table, the short-option string and
 * the --help text (curl: one enum per option).  man/sfblog.1 documents
 * each one; a golden test checks that.
 */
#define OPTION_MAP(X)                                                     \
	X(OUTPUT, "output", 'o', 1, C_ALL | C_RULES | C_TRI, "FMT",           \
	  "output: text, json, ndjson; html: analyze, triage (flow, "   \
	  "rules, diff: text, json)")                                      \
	X(FORMAT, "format", 'f', 1, C_ALL | C_TRI, "FMT",                 \
	  "input format: auto, uccapilog, cls or sip (default auto)")     \
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
	X(VERBOSE, "verbose", 'v', 0, C_AN | C_RULES | C_TRI, NULL,           \
	  "the detail and statistics; -vv: info findings in full, every " \
	  "evidence line and property")                                   \
	X(MAXSESS, "max-sessions", 0, 1, C_AN, "N",                       \
	  "sign-ins in detail per file (default 10 failing, -v 1000; "    \
	  "json: all)")                                                   \
	X(MAXLINES, "max-lines", 0, 1, C_AN, "N",                         \
	  "sign-ins listed one a line before a table of users (100)")     \
	X(PATTERNS, "patterns", 'p', 1, C_AN | C_FLOW | C_TRI, "FILE",        \
	  "also read this pattern table (repeatable)")                    \
	X(RULES, "rules", 0, 1, C_AN | C_RULES | C_INFO | C_TRI | C_DIFF,     \
	  "DIR", "also read the rule files (*.yaml) in DIR (repeatable)") \
	X(NODEF, "no-default-rules", 0, 0,                                    \
	  C_AN | C_RULES | C_INFO | C_TRI | C_DIFF, NULL,                     \
	  "do not read the shipped rule files")                           \
	X(CHECK, "check", 0, 1, C_RULES, "DIR",                           \
	  "validate the rule files in DIR, read no log (repeatable)")     \
	X(GREP, "grep", 'g', 1, C_MSG, "REGEX",                           \
	  "only messages whose text matches REGEX (PCRE2)")               \
	X(ICASE, "ignore-case", 'i', 0, C_MSG, NULL,                      \
	  "make --grep case-insensitive")                                 \
	X(RAW, "raw", 0, 0, C_MSG, NULL,                                  \
	  "print matching messages as logged (escapes, secrets and all)") \
	X(FAILON, "fail-on", 0, 1, C_AN | C_TRI, "SEV",                   \
	  "exit 1 on findings at or above SEV: info, warning, error, "    \
	  "none (default warning)")                                       \
	X(COLOR, "color", 0, 1, C_ALL | C_RULES | C_INFO | C_TRI, "WHEN",     \
	  "colour: auto, always or never (default auto)")                 \
	X(MAXLINE, "max-line", 0, 1, C_ALL | C_TRI, "SIZE",                   \
	  "skip lines longer than SIZE bytes (default 16M)")              \
	X(MAXMSG, "max-msg", 0, 1, C_ALL | C_TRI, "SIZE",                     \
	  "keep at most SIZE bytes of one message (default 4M)")          \
	X(MAXTXN, "max-txn", 0, 1, C_ALL | C_TRI, "N",                        \
	  "transactions held open at once (default 65536)")               \
	X(MAXWARN, "max-warnings", 0, 1, C_ALL, "N",                      \
	  "parse warnings shown per file (default 20)")                   \
	X(STRICT, "strict", 0, 0, C_ALL, NULL,                            \
	  "malformed or truncated input is an error (exit 2)")            \
	X(QUIET, "quiet", 'q', 0, C_ALL | C_TRI, NULL,                        \
	  "no warnings on standard error")                                \
	X(HELP, "help", 'h', 0, C_ALL | C_RULES | C_INFO | C_TRI, NULL,       \
	  "show this help and exit")                                      \
	X(VERSION, "version", 'V', 0, C_ALL | C_RULES | C_INFO | C_TRI, NULL, \
	  "show version and library versions and exit")                   \
	TRIAGE_OPTIONS(X)                                                 \
	DIFF_OPTIONS(X)

/* diff's options and triage --compare (cmd_diff.c, compare.c) */
#define DIFF_OPTIONS(X)                                                   \
	X(GOODSESS, "good-session", 0, 1, C_DIFF, "N",                    \
	  "diff: compare sign-in N of GOOD (default: the first that "     \
	  "signed in)")                                                   \
	X(BADSESS, "bad-session", 0, 1, C_DIFF, "N",                      \
	  "diff: compare sign-in N of BAD (default: the first that "      \
	  "failed)")                                                      \
	X(COMPARE, "compare", 0, 0, C_TRI, NULL,                          \
	  "also list the facts that separate failing sign-ins from "      \
	  "working ones")

/* triage's own options (TRIAGE_OPTIONS: the same X list). */
#define TRIAGE_OPTIONS(X)                                                 \
	X(JOBS, "jobs", 'j', 1, C_AN | C_MSG | C_TRI, "N",                \
	  "threads, 0: one per core (default 1; triage: one per core; "  \
	  "analyze, messages: at most 8)")                                \
	X(SINCE, "since", 0, 1, C_TRI, "TIME",                            \
	  "only sign-ins that start at or after TIME "                    \
	  "(YYYY-MM-DD[THH:MM[:SS]])")                                    \
	X(UNTIL, "until", 0, 1, C_TRI, "TIME",                            \
	  "only sign-ins that start before TIME")                         \
	X(USER, "user", 'u', 1, C_TRI, "TEXT",                            \
	  "only sign-ins whose user contains TEXT (any case)")            \
	X(MINSEV, "min-severity", 0, 1, C_TRI, "SEV",                     \
	  "only sign-ins graded SEV or worse: info, warning, error")      \
	X(FILESFROM, "files-from", 'T', 1, C_TRI, "FILE",                 \
	  "also read the inputs named in FILE ('-': standard input)")     \
	X(NUL, "null", '0', 0, C_TRI, NULL,                               \
	  "--files-from names end with NUL, not newline")                 \
	X(DB, "db", 0, 1, C_TRI, "FILE",                                  \
	  "also store the records in the SQLite file FILE (incremental)") \
	X(MAXUNPACKED, "max-unpacked", 0, 1, C_TRI, "SIZE",               \
	  "largest zip entry or gzip stream unpacked (default 4G)")       \
	X(MAXRATIO, "max-ratio", 0, 1, C_TRI, "N",                        \
	  "largest unpacked/packed ratio of a zip entry or gzip stream "   \
	  "(default 1000)")

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
	       CMD_RULES, CMD_FIELDS, CMD_EXPLAIN,
	       CMD_REDACT, CMD_TRIAGE, CMD_DB, CMD_DIFF };

static const struct {
	const char *name;
	enum command cmd;
	unsigned mask;
	const char *summary;
} commands[] = {
	{ "analyze", CMD_ANALYZE, C_AN,
	  "say what went wrong: a verdict per sign-in, the findings of "
	  "the rules, then each sign-in step by step and the statistics" },
	{ "messages", CMD_MESSAGES, C_MSG,
	  "list the SIP and HTTP messages, one line each, with filters" },
	{ "flow", CMD_FLOW, C_FLOW,
	  "draw the call flow of the sign-in sessions (or one dialog) "
	  "as a ladder" },
	{ "rules", CMD_RULES, C_RULES,
	  "list the rules, or validate rule files with --check" },
	{ "fields", CMD_FIELDS, C_INFO,
	  "list the fields that rule conditions can read" },
	{ "explain", CMD_EXPLAIN, C_INFO,
	  "explain a code (ms-diagnostics, HRESULT, SSPI...) or a rule" },
	{ "redact", CMD_REDACT, 0,
	  "write a copy of a log that is safe to share: secrets out, "
	  "names and addresses pseudonymised" },
	{ "triage", CMD_TRIAGE, C_TRI,
	  "many users' folders and zips, in parallel: who failed to sign "
	  "in, and why" },
	{ "db", CMD_DB, 0,
	  "'db merge OUT IN...': merge triage stores (--db)" },
	{ "diff", CMD_DIFF, C_DIFF,
	  "compare a working sign-in with a failing one: where they "
	  "first diverge, then every difference" },
};

/* triage's options */
struct tri_opts {
	unsigned jobs;          /* 0: the number of cores */
	int64_t since, until;
	const char *user;
	int min_sev;
	const char *files_from;
	int nul;
	const char *db;
	uint64_t max_unpacked;
	unsigned max_ratio;
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
	int jobs_set;           /* -j given (analyze, messages: else 1) */
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
	size_t max_sessions, max_lines;
	const char *patterns[16];
	size_t npatterns;
	const char *rule_dirs[16];      /* --rules, in order */
	size_t nrule_dirs;
	const char *check_dirs[16];     /* rules --check */
	size_t ncheck;
	int no_default_rules;
	struct tri_opts tri;    /* triage */
	unsigned diff_sess[2];  /* diff: --good-session, --bad-session */
	int compare;            /* triage --compare */
};

static struct opts g;

static int parse_time(const char *s, int64_t *out);
/*
 * One message on standard error: "sfblog: KIND: TEXT\n".  The text
 * holds file names, log text and arguments, so it goes through the
 * sanitiser (esc.h): one message is always one line.
 */
static void SFB_PRINTF(2, 0) vmessage(const char *kind, const char *fmt,
				      va_list ap)
{
	char small[512], *buf = small;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= (int)sizeof small) {
		buf = sfb_xmalloc((size_t)n + 1);
		vsnprintf(buf, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	if (kind)
		fprintf(stderr, "sfblog: %s: ", kind);
	else
		fputs("sfblog: ", stderr);
	if (n > 0)
		esc_write(stderr, buf, (size_t)n, 0);
	fputc('\n', stderr);
	if (buf != small)
		free(buf);
}

static void SFB_PRINTF(1, 2) errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
}

/* A message that says what it is already ("FILE:LINE:COL: error: "). */
static void SFB_PRINTF(1, 2) rawerrorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
}

static void SFB_PRINTF(1, 2) warnf(const char *fmt, ...)
{
	if (g.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vmessage("warning", fmt, ap);
	va_end(ap);
}

static void SFB_NORETURN SFB_PRINTF(1, 2) usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
	fputs("Try 'sfblog --help'.\n", stderr);
	exit(EXIT_ERROR);
}

static int finish_output(int rc);

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
			fprintf(out, "usage: sfblog %s [OPTIONS]%s\n\n"
				"%s.\n\noptions:\n", commands[i].name,
				cmd == CMD_RULES || cmd == CMD_FIELDS ? ""
				: cmd == CMD_EXPLAIN ? " CODE|RULE-ID..."
				: cmd == CMD_TRIAGE ? " FILE|FOLDER|ZIP..."
				: cmd == CMD_DIFF ? " GOOD[@N] BAD[@N]"
				: " FILE...", commands[i].summary);
			mask = commands[i].mask;
		}
	}
	for (size_t i = 0; i < NOPTS; i++) {
		const struct optdef *o = &optdefs[i];
		if (cmd != CMD_NONE && !(o->cmds & mask))
			continue;
		if (cmd == CMD_NONE && (o->cmds & C_ALL) != C_ALL)
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
		      "findings, 2 error", out);
	else if (cmd == CMD_RULES)
		fputs("\nexit status: 0 the rules load, 2 error (with "
		      "FILE:LINE:COL)", out);
	else if (cmd == CMD_EXPLAIN)
		fputs("\nexit status: 0 explained, 1 something not found, 2 "
		      "error", out);
	else if (cmd == CMD_DIFF)
		fputs("\nexit status: 0 no difference in the compared facts,"
		      " 1 differences, 2\nerror (unreadable file, no such "
		      "sign-in)", out);
	else if (cmd == CMD_TRIAGE)
		fputs("\nexit status: 0 nothing at or above --fail-on, 1 "
		      "failed sign-ins or findings, 2 no input\ncould be "
		      "read as a log (or usage, write or store error)", out);
	else
		fputs("\nexit status: 0 done, 2 error", out);
	if (cmd == CMD_NONE)
		fputs("\n(messages: also a message --grep could not test)",
		      out);
	else if (cmd == CMD_MESSAGES)
		fputs(" (also: a message --grep could not test)", out);
	fputs(";\n141 when the reader of the output goes away (a closed "
	      "pipe).\n", out);
}

static void print_version(void)
{
	char pcre[64];
	printf("sfblog %s\nlibraries: pcre2 %s, libxml2 %s, zlib %s, "
	       "cJSON %s, %s, sqlite %s\n", SFB_VERSION,
	       grep_version(pcre, sizeof pcre), xmlbody_version(),
	       lr_zlib_version(), rep_json_version(), arc_version(),
	       store_version());
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
	g.tri.since = g.tri.until = SFB_TIME_NONE;
	g.tri.max_unpacked = (size_t)4 << 30;
	g.tri.max_ratio = 1000;
	const char *nc = getenv("NO_COLOR");
	g.color = isatty(STDOUT_FILENO) && !(nc && *nc);

	if (argc < 2)
		usage_error("no command given");
	const char *c = argv[1];
	if (strcmp(c, "-h") == 0 || strcmp(c, "--help") == 0) {
		print_help(stdout, CMD_NONE);
		exit(finish_output(EXIT_OK));
	}
	if (strcmp(c, "-V") == 0 || strcmp(c, "--version") == 0) {
		print_version();
		exit(finish_output(EXIT_OK));
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
			else if (strcmp(optarg, "html") == 0)
				g.out = REP_HTML;
			else
				usage_error("invalid --output '%s': use text, "
					    "json, ndjson or html", optarg);
			break;
		case OPT_FORMAT: {
			int k = strcmp(optarg, "auto") == 0
				? FMT_AUTO : fmt_kind_parse(optarg);
			if (k < 0)
				usage_error("invalid --format '%s': use auto, "
					    "uccapilog, cls or sip", optarg);
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
			g.verbose++;
			break;
		case OPT_MAXSESS:
			if (sv_parse_size(sv_cstr(optarg), &g.max_sessions))
				usage_error("invalid --max-sessions '%s'",
					    optarg);
			break;
		case OPT_MAXLINES:
			if (sv_parse_size(sv_cstr(optarg), &g.max_lines) ||
			    !g.max_lines || g.max_lines > 100000)
				usage_error("invalid --max-lines '%s': give "
					    "1 to 100000", optarg);
			break;
		case OPT_PATTERNS:
			if (g.npatterns >= sizeof g.patterns /
					   sizeof g.patterns[0] - 2)
				usage_error("too many --patterns files");
			g.patterns[g.npatterns++] = optarg;
			break;
		case OPT_RULES:
			if (g.nrule_dirs >= sizeof g.rule_dirs /
					    sizeof g.rule_dirs[0])
				usage_error("too many --rules folders");
			g.rule_dirs[g.nrule_dirs++] = optarg;
			break;
		case OPT_NODEF:
			g.no_default_rules = 1;
			break;
		case OPT_CHECK:
			if (g.ncheck >= sizeof g.check_dirs /
					sizeof g.check_dirs[0])
				usage_error("too many --check folders");
			g.check_dirs[g.ncheck++] = optarg;
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
			if (sv_parse_size(sv_cstr(optarg), &g.max_line))
				usage_error("invalid --max-line '%s'", optarg);
			break;
		case OPT_MAXMSG:
			if (sv_parse_size(sv_cstr(optarg), &g.max_msg))
				usage_error("invalid --max-msg '%s'", optarg);
			break;
		case OPT_MAXTXN:
			if (sv_parse_size(sv_cstr(optarg), &g.max_txn))
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
			exit(finish_output(EXIT_OK));
		case OPT_VERSION:
			print_version();
			exit(finish_output(EXIT_OK));
		case OPT_JOBS: {
			uint64_t n;
			if (!sv_to_u64(sv_cstr(optarg), &n) ||
			    n > TRI_MAX_WORKERS)
				usage_error("invalid --jobs '%s': 0 to %d",
					    optarg, TRI_MAX_WORKERS);
			g.tri.jobs = (unsigned)n;
			g.jobs_set = 1;
			break;
		}
		case OPT_SINCE:
		case OPT_UNTIL:
			if (parse_time(optarg, o->id == OPT_SINCE
				       ? &g.tri.since : &g.tri.until))
				usage_error("invalid --%s '%s': use "
					    "YYYY-MM-DD[THH:MM[:SS]]",
					    o->name, optarg);
			break;
		case OPT_USER:
			g.tri.user = optarg;
			break;
		case OPT_MINSEV: {
			int s = sfb_sev_parse(optarg);
			if (s < 0)
				usage_error("invalid --min-severity '%s': use "
					    "info, warning or error", optarg);
			g.tri.min_sev = s;
			break;
		}
		case OPT_FILESFROM:
			g.tri.files_from = optarg;
			break;
		case OPT_NUL:
			g.tri.nul = 1;
			break;
		case OPT_DB:
			g.tri.db = optarg;
			break;
		case OPT_MAXUNPACKED: {
			size_t n;
			if (sv_parse_size(sv_cstr(optarg), &n))
				usage_error("invalid --max-unpacked '%s'",
					    optarg);
			g.tri.max_unpacked = n;
			break;
		}
		case OPT_MAXRATIO: {
			uint64_t n;
			if (!sv_to_u64(sv_cstr(optarg), &n) || n < 2 ||
			    n > 1000000)
				usage_error("invalid --max-ratio '%s': 2 to "
					    "1000000", optarg);
			g.tri.max_ratio = (unsigned)n;
			break;
		}
		case OPT_GOODSESS:
		case OPT_BADSESS: {
			uint64_t n;
			if (!sv_to_u64(sv_cstr(optarg), &n) || n == 0 ||
			    n > UINT32_MAX)
				usage_error("invalid --%s '%s': a number from "
					    "1", o->name, optarg);
			g.diff_sess[o->id == OPT_BADSESS] = (unsigned)n;
			break;
		}
		case OPT_COMPARE:
			g.compare = 1;
			break;
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
	if (g.out == REP_HTML && g.cmd != CMD_ANALYZE &&
	    g.cmd != CMD_TRIAGE)
		usage_error("--output html is for analyze and triage");
	if (g.out == REP_HTML && g.compare)
		usage_error("--compare does not go with --output html "
			    "(text, json, ndjson)");
	if (g.raw && g.out != REP_TEXT)
		usage_error("--raw prints the log text: it does not go with "
			    "--output %s", g.out == REP_JSON ? "json"
							     : "ndjson");
	if (g.cmd == CMD_EXPLAIN && optind >= argc)
		usage_error("explain what? give a code or a rule id");
	if (g.cmd == CMD_RULES || g.cmd == CMD_FIELDS) {
		if (optind < argc)
			usage_error("'%s' takes no file (rules: --check DIR)",
				    c);
		if (g.out == REP_NDJSON)
			usage_error("'%s' writes text or json", c);
	} else if (optind >= argc && g.cmd != CMD_TRIAGE) {
		usage_error("no input file given (use '-' for standard "
			    "input)");
	}
}


/* ---- the data: pattern table, rules, catalog -------------------------- */

/* Is dir/patterns.tsv there? */
static int data_in(const char *dir)
{
	char path[4400];
	int n = snprintf(path, sizeof path, "%s/patterns.tsv", dir);
	return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/*
 * The shipped data folder (patterns.tsv, rule files, catalog/):
 * beside the binary (the source tree's build/../rules, an installed
 * bin/../share/sfblog/rules), then the configured data folder.
 * @return 0 and dir filled, -1 if not found
 */
static int find_data(char *dir, size_t dirsz)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dir, dirsz, "%s/../rules", exe);
			if (data_in(dir))
				return 0;
			snprintf(dir, dirsz, "%s/../share/sfblog/rules", exe);
			if (data_in(dir))
				return 0;
		}
	}
	snprintf(dir, dirsz, "%s", SFB_DATADIR "/rules");
	return data_in(dir) ? 0 : -1;
}

static char datadir[4200];

static void need_data(void)
{
	if (datadir[0])
		return;
	if (find_data(datadir, sizeof datadir) != 0) {
		errorf("cannot find the shipped rules folder (patterns.tsv, "
		       "*.yaml) beside the program or in %s/rules: is "
		       "sfblog installed?", SFB_DATADIR);
		exit(EXIT_ERROR);
	}
}

static struct pat_table *load_patterns(void)
{
	char shipped[4400];
	const char *paths[sizeof g.patterns / sizeof g.patterns[0] + 2];
	size_t n = 0;
	need_data();
	snprintf(shipped, sizeof shipped, "%s/patterns.tsv", datadir);
	paths[n++] = shipped;
	for (size_t i = 0; i < g.npatterns; i++)
		paths[n++] = g.patterns[i];
	paths[n] = NULL;
	struct sfb_err err = { 0 };
	struct pat_table *t = pattern_load(paths, &err);
	if (!t) {
		/* "FILE:LINE:COL: error: ..." says what it is already */
		if (err.code == SFB_E_RULE)
			rawerrorf("%s", err.msg);
		else
			errorf("%s", err.msg);
		exit(EXIT_ERROR);
	}
	return t;
}

/*
 * The rule folders, in order: the shipped one (unless
 * --no-default-rules), $SFBLOG_RULES (colon-separated), --rules.
 * A later folder's rule replaces an earlier one of the same id.
 */
static size_t rule_dirs(const char **dirs, size_t max, char *envbuf,
			size_t envsz)
{
	size_t n = 0;
	if (!g.no_default_rules) {
		need_data();
		dirs[n++] = datadir;
	}
	const char *env = getenv("SFBLOG_RULES");
	if (env && *env) {
		snprintf(envbuf, envsz, "%s", env);
		char *p = envbuf;
		while (p && *p && n < max - 1) {
			char *q = strchr(p, ':');
			if (q)
				*q++ = '\0';
			if (*p)
				dirs[n++] = p;
			p = q;
		}
	}
	for (size_t i = 0; i < g.nrule_dirs && n < max - 1; i++)
		dirs[n++] = g.rule_dirs[i];
	dirs[n] = NULL;
	return n;
}

/* The rule language reads the fields of field.c. */
static const struct expr_env field_env = { field_resolve, NULL, NULL, NULL };

static struct rules *load_rules(void)
{
	const char *dirs[40];
	char envbuf[4096];
	rule_dirs(dirs, sizeof dirs / sizeof dirs[0], envbuf, sizeof envbuf);
	struct sfb_err err = { 0 };
	struct rules *rs = rules_load(dirs, &field_env, &err);
	if (!rs) {
		if (err.code == SFB_E_RULE)
			rawerrorf("%s", err.msg);
		else
			errorf("%s", err.msg);
		exit(EXIT_ERROR);
	}
	return rs;
}

/* ---- analyze: the report of one stream ---------------------------------- */

static int report_width(void);

/* JSON: the sessions go to rep_json; the text report is rep_term's. */
struct report {
	struct rep_json *json;  /* borrowed */
	enum sfb_sev worst;
};

static void an_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	struct report *r = ud;
	for (size_t i = 0; i < nf; i++)
		r->worst = f[i].sev > r->worst ? f[i].sev : r->worst;
	rep_json_session(r->json, s, f, nf);
}

static void an_end(void *ud, const struct ana *a, const struct finding *f,
		   size_t nf)
{
	struct report *r = ud;
	for (size_t i = 0; i < nf; i++)
		r->worst = f[i].sev > r->worst ? f[i].sev : r->worst;
	rep_json_analyze(r->json, a, f, nf, r->worst);
}

/*
 * Several files: stage 5b (join.h) sees every message and session of
 * the stream before the report's own sink does.
 */
struct join_tap {
	struct engine_sink inner;
	struct join *join;      /* borrowed */
};

static void tap_msg(void *ud, const struct msg *m, const struct fmt_rec *rec,
		    unsigned session, int copy)
{
	struct join_tap *t = ud;
	join_msg(t->join, m, session);
	if (t->inner.on_msg)
		t->inner.on_msg(t->inner.ud, m, rec, session, copy);
}

static void tap_session(void *ud, const struct sess *s,
			const struct finding *f, size_t nf)
{
	struct join_tap *t = ud;
	join_session(t->join, s, f, nf);
	if (t->inner.on_session)
		t->inner.on_session(t->inner.ud, s, f, nf);
}

static void tap_end(void *ud, const struct ana *a, const struct finding *f,
		    size_t nf)
{
	struct join_tap *t = ud;
	if (t->inner.on_end)
		t->inner.on_end(t->inner.ud, a, f, nf);
}

static void tap_warn(void *ud, const char *file, unsigned long line,
		     const char *text)
{
	struct join_tap *t = ud;
	if (t->inner.on_warn)
		t->inner.on_warn(t->inner.ud, file, line, text);
}

static void tap_error(void *ud, const char *file, const struct sfb_err *err)
{
	struct join_tap *t = ud;
	if (t->inner.on_error)
		t->inner.on_error(t->inner.ud, file, err);
}

/* @return the sink to give the engine: sk itself, or tap around it */
static const struct engine_sink *join_wrap(struct join_tap *tap,
					   struct engine_sink *out,
					   const struct engine_sink *sk,
					   struct join *join)
{
	if (!join)
		return sk;
	tap->inner = *sk;
	tap->join = join;
	*out = (struct engine_sink){ tap_msg, tap_session, tap_end,
				     tap_warn, tap_error, tap };
	return out;
}

/* ---- messages and flow -------------------------------------------------- */

static int status_match(int status)
{
	for (size_t i = 0; i < g.nstatuses; i++)
		if (status >= g.statuses[i].lo && status <= g.statuses[i].hi)
			return 1;
	return 0;
}

struct listing {
	struct grep_re *re;     /* borrowed: --grep */
	struct rep_json *json;  /* borrowed */
	struct flow *flow;      /* flow: the ladder being built */
	struct join *join;      /* flow of several files: the joint one */
	uint64_t stderr_warns;
	uint64_t grep_errors;   /* messages --grep could not test */
};

static int msg_match(struct listing *l, const struct msg *m)
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
	if (l->re) {
		struct sfb_err err = { 0 };
		int rc = grep_match(l->re, sv_make(m->text, m->len), &err);
		if (rc < 0) {
			/* not a "no match": said, counted, exit status 2 */
			l->grep_errors++;
			if (l->stderr_warns++ < g.max_warn)
				warnf("%s:%lu: message not tested against "
				      "--grep: %s", m->file ? m->file : "-",
				      m->line_first, err.msg);
		}
		return rc > 0;
	}
	return 1;
}

static void ls_msg(void *ud, const struct msg *m, const struct fmt_rec *rec,
		   unsigned session, int copy)
{
	struct listing *l = ud;
	(void)copy;
	if (l->flow) {
		/* flow: the chosen session, the chosen dialog, or all */
		if (g.call_id ? sv_eq(m->call_id, sv_cstr(g.call_id))
			      : g.session ? session == g.session
					  : session != 0)
			flow_add(l->flow, m);
		if (l->join)
			join_msg(l->join, m, session);
		return;
	}
	if (!msg_match(l, m))
		return;
	if (g.out != REP_TEXT) {
		rep_json_msg(l->json, m);
	} else if (g.raw) {
		if (rec->raw.n)
			fwrite(rec->raw.p, 1, rec->raw.n, stdout);
		fputc('\n', stdout);
	} else {
		rep_text_msg(stdout, m, g.color);
	}
}

static void ls_session(void *ud, const struct sess *s,
		       const struct finding *f, size_t nf)
{
	join_session(((struct listing *)ud)->join, s, f, nf);
}

/* Warnings of messages and flow go to stderr (analyze lists them). */
static void ls_warn(void *ud, const char *file, unsigned long line,
		    const char *text)
{
	struct listing *l = ud;
	if (l->stderr_warns++ < g.max_warn)
		warnf("%s:%lu: %s", file, line, text);
}

static void on_error_quoted(void *ud, const char *file,
			    const struct sfb_err *err)
{
	(void)ud;
	/* lr_open names the file itself; parse errors do not */
	if (err->code == SFB_E_IO)
		errorf("%s", err->msg);
	else
		errorf("'%s': %s", file, err->msg);
}

/* ---- one stream --------------------------------------------------------- */

struct run_ctx {
	struct pat_table *patterns;
	struct rules *rules;
	struct grep_re *re;
	struct rep_json *json;
	struct rep_html *html;
	struct join *join;      /* several files: stage 5b, else NULL */
};

/* @return EXIT_ERROR if a file failed; *findings when at --fail-on. */
static int run_stream(const struct run_ctx *rc, const char *const *files,
		      size_t nfiles, const char *name, int *findings)
{
	struct engine_config cfg = { 0 };
	struct engine_sink sk = { 0 };
	struct report rep = { 0 };
	struct rep_term *term = NULL;
	struct listing ls = { 0 };
	int rcode = EXIT_OK;

	cfg.format = g.format;
	cfg.max_line = g.max_line;
	cfg.max_msg = g.max_msg;
	cfg.max_txn = g.max_txn;
	cfg.max_warn = g.max_warn;
	cfg.patterns = rc->patterns;
	cfg.rules = rc->rules;
	if (g.jobs_set) {       /* one big file on several cores: par.h */
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		cfg.jobs = g.tri.jobs ? g.tri.jobs : nc > 0 ? (unsigned)nc : 1;
		/* hidden, for tests: small chunks split small files */
		const char *ch = getenv("SFBLOG_CHUNK");
		if (ch && sv_parse_size(sv_cstr(ch), &cfg.chunk))
			cfg.chunk = 0;
	}
	sk.on_error = on_error_quoted;
	if (g.cmd == CMD_ANALYZE) {
		cfg.want = ENG_SESSIONS | ENG_ANALYSIS | ENG_RULES;
		rep.json = rc->json;
		sk.on_session = an_session;
		sk.on_end = an_end;
		sk.ud = &rep;
		if (rep.json) {
			rep_json_file_begin(rep.json, name);
		} else if (!rc->html) {
			struct rep_term_opts to = { g.color, g.verbose,
						    report_width(),
						    g.max_lines,
						    g.max_sessions };
			if (!(term = rep_term_new(stdout, &to))) {
				errorf("cannot make a temporary file: %s",
				       strerror(errno));
				return EXIT_ERROR;
			}
			sk.on_session = rep_term_on_session;
			sk.on_end = rep_term_on_end;
			sk.ud = term;
		} else {
			if (rep_html_stream(rc->html) != 0) {
				errorf("cannot make a temporary file: %s",
				       strerror(errno));
				return EXIT_ERROR;
			}
			sk.on_msg = rep_html_on_msg;
			sk.on_session = rep_html_on_session;
			sk.on_end = rep_html_on_end;
			sk.ud = rc->html;
		}
	} else {
		cfg.want = g.cmd == CMD_FLOW ? ENG_SESSIONS : 0;
		if (g.raw)
			cfg.want |= ENG_RAW;
		ls.re = rc->re;
		ls.json = rc->json;
		if (g.cmd == CMD_FLOW)
			ls.flow = flow_new(0);
		sk.on_msg = ls_msg;
		sk.on_warn = ls_warn;
		sk.ud = &ls;
		if ((ls.join = ls.flow ? rc->join : NULL))
			sk.on_session = ls_session;
	}
	struct join_tap tap;
	struct engine_sink tapped;
	struct engine *e = engine_new(&cfg, g.cmd == CMD_ANALYZE
				      ? join_wrap(&tap, &tapped, &sk, rc->join)
				      : &sk);
	if (rc->join)
		join_begin(rc->join, name);
	if (engine_run(e, files, nfiles, name) != 0)
		rcode = EXIT_ERROR;
	if (rc->join)
		join_end(rc->join);
	if (g.strict && engine_malformed(e) && rcode == EXIT_OK) {
		errorf("'%s': %" PRIu64 " malformed or truncated input(s) "
		       "(--strict)", name, engine_malformed(e));
		rcode = EXIT_ERROR;
	}
	if (ls.grep_errors) {
		errorf("'%s': %" PRIu64 " message(s) could not be tested "
		       "against --grep (a match limit was hit): simplify "
		       "the regex", name, ls.grep_errors);
		rcode = EXIT_ERROR;
	}
	if (g.cmd == CMD_ANALYZE && g.fail_on != SFB_SEV_NONE &&
	    rcode == EXIT_OK && (int)engine_worst(e) >= g.fail_on)
		*findings = 1;
	if (g.cmd == CMD_FLOW) {
		if (g.out == REP_TEXT) {
			struct flow_style st = { g.width, g.color,
						 g.relative };
			rep_text_file_header(stdout, name, g.color);
			flow_draw(stdout, ls.flow, &st);
			if (!flow_narrows(ls.flow))
				fputs("  (no message in this selection)\n",
				      stdout);
			if (flow_dropped(ls.flow))
				printf("  ... %" PRIu64 " more message(s) not "
				       "drawn: choose one with --session or "
				       "--call-id\n", flow_dropped(ls.flow));
		} else {
			rep_json_flow(rc->json, name, ls.flow);
		}
		flow_free(ls.flow);
	}
	engine_free(e);
	rep_term_free(term);
	return rcode;
}

/* Stage 5b's report; @return 1 when a finding is at --fail-on. */
static int report_join(const struct run_ctx *rc)
{
	join_finish(rc->join, rc->rules);
	if (g.cmd == CMD_FLOW) {
		for (size_t i = 0; g.out == REP_TEXT &&
		     i < join_count(rc->join); i++) {
			fputc('\n', stdout);
			rep_join_draw(stdout, rc->join, i, g.width);
		}
		return 0;
	}
	if (rc->json)
		rep_json_join(rc->json, rc->join);
	else
		rep_join_text(stdout, rc->join, g.color, g.verbose);
	return g.fail_on != SFB_SEV_NONE &&
	       (int)join_worst(rc->join) >= g.fail_on;
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

/* The terminal's width: the tty's, else $COLUMNS; 0: not known. */
static int report_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	uint64_t n;
	const char *c = getenv("COLUMNS");
	if (c && sv_to_u64(sv_cstr(c), &n) && n >= 40 && n <= 1000)
		return (int)n;
	return 0;
}

/* The terminal's width for the ladder: --width, the terminal's, 100. */
static int term_width(void)
{
	int w = g.width ? g.width : report_width();
	return w ? w : 100;
}

/* ---- rules, fields, explain --------------------------------------------- */

static int cmd_rules(void)
{
	struct sfb_err err = { 0 };
	if (g.ncheck) {
		int rc = EXIT_OK;
		for (size_t i = 0; i < g.ncheck; i++) {
			const char *dirs[2] = { g.check_dirs[i], NULL };
			struct rules *rs = rules_load(dirs, &field_env,
						      &err);
			if (!rs) {
				rawerrorf("%s", err.msg);
				rc = EXIT_ERROR;
				continue;
			}
			printf("%s: %zu rule(s), ok\n", g.check_dirs[i],
			       rules_count(rs));
			rules_free(rs);
		}
		return finish_output(rc);
	}
	struct rules *rs = load_rules();
	if (g.out == REP_JSON)
		rep_json_rules(stdout, rs);
	else
		rep_verdict_rules(stdout, rs, g.verbose, g.color);
	rules_free(rs);
	return finish_output(EXIT_OK);
}

static int cmd_explain(int argc, char **argv)
{
	char catdir[4400];
	need_data();
	snprintf(catdir, sizeof catdir, "%s/catalog", datadir);
	const char *dirs[2] = { catdir, NULL };
	struct sfb_err err = { 0 };
	struct catalog *cat = catalog_load(dirs, &err);
	if (!cat) {
		rawerrorf("%s", err.msg);
		return EXIT_ERROR;
	}
	struct rules *rs = load_rules();
	int rc = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		const char *q = argv[i];
		const struct rules_rule *r = rules_find(rs, q);
		if (i > optind)
			fputc('\n', stdout);
		if (r) {
			rep_verdict_rule(stdout, r, g.color);
			continue;
		}
		struct catalog_result *res = sfb_xcalloc(1, sizeof *res);
		int found = catalog_lookup(cat, q, res) > 0 || res->has_hr;
		if (found)
			(void)catalog_format_result(res, q, 0, stdout);
		free(res);
		if (found)
			continue;
		errorf("'%s': no rule and no catalog entry of that name or "
		       "code", q);
		rc = EXIT_FINDINGS;
	}
	rules_free(rs);
	catalog_free(cat);
	return finish_output(rc);
}

/* ---- triage and db ------------------------------------------------------ */

/* "2021-01-15", "2021-01-15T09:12", "2021-01-15 09:12:03": log time. */
static int parse_time(const char *s, int64_t *out)
{
	int v[6] = { 0, 0, 0, 0, 0, 0 };
	static const char seps[] = "--T::";
	size_t i = 0;
	for (int k = 0; k < 6; k++) {
		if (k > 0) {
			if (!s[i])
				break;
			char c = s[i];
			if (c != seps[k - 1] && !(k == 3 && c == ' '))
				return -1;
			i++;
		}
		int digits = 0;
		while (s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v[k] = v[k] * 10 + (s[i++] - '0');
			digits++;
		}
		if (digits == 0 || (k == 0 && digits != 4) ||
		    (k > 0 && digits != 2))
			return -1;
		if (k == 2 && !s[i])
			break;
	}
	if (s[i] || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -1;
	*out = sfb_time_make(v[0], v[1], v[2], v[3], v[4], v[5], 0);
	return 0;
}

/* The names of --files-from (NUL- or newline-separated) into a list. */
static void read_names(const char *from, char ***names, size_t *n,
		       size_t *cap)
{
	FILE *f = strcmp(from, "-") == 0 ? stdin : fopen(from, "r");
	if (!f) {
		errorf("cannot open '%s': %s", from, strerror(errno));
		exit(EXIT_ERROR);
	}
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	while ((len = getdelim(&line, &lcap, g.tri.nul ? '\0' : '\n', f))
	       >= 0) {
		if (len && line[len - 1] == (g.tri.nul ? '\0' : '\n'))
			line[--len] = '\0';
		if (!g.tri.nul && len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*names = sfb_xrealloc(*names, *cap * sizeof **names);
		}
		(*names)[(*n)++] = sfb_xstrndup(line, (size_t)len);
	}
	free(line);
	if (ferror(f)) {
		errorf("cannot read '%s': %s", from, strerror(errno));
		exit(EXIT_ERROR);
	}
	if (f != stdin)
		fclose(f);
}

struct tri_out {
	struct rep_triage *text;        /* text output */
	struct rep_triage_html *html;   /* html output */
	struct tri_total total;         /* json, ndjson */
	size_t nrecords;
	struct store *db;
	int db_failed;
	struct compare *cmp;            /* triage --compare, else NULL */
	int progress;                   /* stderr is a terminal */
	struct timespec t0;
};

static void tri_on_result(void *ud, const struct tri_result *r)
{
	struct tri_out *o = ud;
	for (size_t i = 0; o->cmp && i < r->nsess; i++)
		if (r->sess[i].cmp)
			compare_add(o->cmp, r->sess[i].cmp);
	if (o->text) {
		rep_triage_result(o->text, r);
	} else if (o->html) {
		rep_triage_html_result(o->html, r);
	} else {
		triage_total_add(&o->total, r);
		if (r->nout && g.out == REP_JSON && o->nrecords++)
			fputs(",\n", stdout);
		if (r->nout)
			fwrite(r->out, 1, r->nout, stdout);
	}
	struct sfb_err err = { 0 };
	if (o->db && !o->db_failed && store_result(o->db, r, &err) < 0) {
		errorf("%s", err.msg);
		o->db_failed = 1;
	}
}

static void tri_on_progress(void *ud, size_t done, size_t total,
			    uint64_t bytes)
{
	struct tri_out *o = ud;
	if (!o->progress)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double s = (double)(now.tv_sec - o->t0.tv_sec) +
		   (double)(now.tv_nsec - o->t0.tv_nsec) / 1e9;
	double mbs = s > 0 ? (double)bytes / 1e6 / s : 0;
	double left = done ? s * (double)(total - done) / (double)done : 0;
	fprintf(stderr, "\r%zu/%zu done, %.1f MB/s, about %.0f s left   ",
		done, total, mbs, left);
}

/* Jobs whose files are in the store unchanged (size, mtime, hash). */
static unsigned char *tri_unchanged(struct store *db, const struct walk *w,
				    const struct tri_config *cfg)
{
	unsigned char *skip = sfb_xcalloc(w->njobs ? w->njobs : 1, 1);
	for (size_t j = 0; j < w->njobs; j++) {
		int same = 1;
		for (size_t k = 0; k < w->jobs[j].nitems && same; k++) {
			const struct walk_item *it =
				&w->items[w->jobs[j].items[k]];
			int64_t size, mtime;
			uint64_t h, h2;
			struct sfb_err err = { 0 };
			same = !it->problem &&
			       store_lookup(db, it->source, &size, &mtime, &h,
					    &err) == 1 &&
			       size == it->size && mtime == it->mtime &&
			       triage_hash(cfg, it, &h2, &err) == 0 &&
			       h == h2;
		}
		skip[j] = (unsigned char)same;
	}
	return skip;
}

static int cmd_triage(int argc, char **argv)
{
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	for (int i = optind; i < argc; i++) {
		if (nnames == cap) {
			cap = cap ? 2 * cap : 64;
			names = sfb_xrealloc(names, cap * sizeof *names);
		}
		names[nnames++] = sfb_xstrndup(argv[i], strlen(argv[i]));
	}
	if (g.tri.files_from)
		read_names(g.tri.files_from, &names, &nnames, &cap);
	if (!nnames)
		usage_error("triage: name at least one file, folder or zip "
			    "(or --files-from)");
	struct walk w;
	walk_init(&w);
	w.max_unpacked = g.tri.max_unpacked;
	w.max_ratio = g.tri.max_ratio;
	for (size_t i = 0; i < nnames; i++)
		walk_add(&w, names[i]);
	walk_group(&w);

	struct tri_config cfg = { 0 };
	long nc = sysconf(_SC_NPROCESSORS_ONLN);
	cfg.workers = g.tri.jobs ? g.tri.jobs : nc > 0 ? (unsigned)nc : 1;
	if (cfg.workers > w.njobs && w.njobs)
		cfg.workers = (unsigned)w.njobs;
	cfg.patterns = sfb_xcalloc(cfg.workers, sizeof *cfg.patterns);
	for (unsigned i = 0; i < cfg.workers; i++)
		cfg.patterns[i] = load_patterns();
	struct rules *rs = load_rules();
	cfg.rules = rs;
	cfg.format = g.format;
	cfg.max_line = g.max_line;
	cfg.max_msg = g.max_msg;
	cfg.max_txn = g.max_txn;
	cfg.max_unpacked = g.tri.max_unpacked;
	cfg.max_ratio = g.tri.max_ratio;
	cfg.since = g.tri.since;
	cfg.until = g.tri.until;
	cfg.user = g.tri.user;
	cfg.min_sev = (enum sfb_sev)g.tri.min_sev;
	cfg.compare = g.compare;

	struct tri_out o;
	memset(&o, 0, sizeof o);
	struct sfb_err err = { 0 };
	unsigned char *skip = NULL;
	if (g.tri.db) {
		o.db = store_open(g.tri.db, &err);
		if (!o.db) {
			errorf("%s", err.msg);
			return EXIT_ERROR;
		}
		skip = tri_unchanged(o.db, &w, &cfg);
		cfg.skip = skip;
	}
	o.progress = isatty(STDERR_FILENO) && !g.quiet;
	clock_gettime(CLOCK_MONOTONIC, &o.t0);
	o.cmp = g.compare ? compare_new() : NULL;
	if (g.out == REP_TEXT) {
		o.text = rep_triage_new(stdout, g.verbose);
	} else if (g.out == REP_HTML) {
		o.html = rep_triage_html_new(stdout, NULL, 0);
		cfg.detail = rep_html_tri_detail;
		cfg.max_detail = REP_TRIAGE_HTML_MAX_DETAIL;
	} else if (g.out == REP_JSON)
		printf("{\"schema\":\"sfblog-triage\",\"schema_version\":%d,"
		       "\"records\":[\n", TRI_SCHEMA_VERSION);
	struct tri_sink sk = { tri_on_result, tri_on_progress, &o, NULL,
			       NULL };
	if (g.out == REP_JSON)
		sk.format = rep_triage_fmt_json;
	else if (g.out == REP_NDJSON)
		sk.format = rep_triage_fmt_ndjson;
	else if (g.verbose)
		sk.format = rep_triage_fmt_detail;
	int rc = triage_run(&cfg, &w, &sk, &err);
	struct sfb_err ferr = { 0 };
	if (o.db && !o.db_failed && store_flush(o.db, &ferr) < 0) {
		errorf("%s", ferr.msg);
		o.db_failed = 1;
	}
	if (o.progress)
		fputs("\r\033[K", stderr);
	if (rc < 0)
		errorf("%s", err.msg);
	const struct tri_total *t = &o.total;
	if (o.text) {
		rep_triage_end(o.text);
		t = rep_triage_total(o.text);
		if (o.cmp)
			cmd_diff_compare_text(stdout, o.cmp);
	} else if (o.html) {
		rep_triage_html_end(o.html);
		t = rep_triage_html_total(o.html);
	} else {
		triage_total_sort(&o.total);
		if (o.cmp)
			cmd_diff_compare_json(stdout, o.cmp, g.out == REP_JSON,
					      &o.nrecords);
		if (g.out == REP_JSON)
			fputs("\n],\"summary\":", stdout);
		rep_json_tri_summary(stdout, t, g.out == REP_JSON);
		if (g.out == REP_JSON)
			fputs("}\n", stdout);
	}
	int code = EXIT_OK;
	if (rc < 0 || o.db_failed || !t->files ||
	    t->files_read + t->files_unchanged == 0)
		code = EXIT_ERROR;
	else if (g.fail_on != SFB_SEV_NONE && (int)t->worst >= g.fail_on)
		code = EXIT_FINDINGS;
	if (!t->files)
		errorf("no file found in the inputs");
	else if (code == EXIT_ERROR && rc == 0 && !o.db_failed)
		errorf("no input could be read as a log (see the problems)");
	rep_triage_free(o.text);
	rep_triage_html_free(o.html);
	compare_free(o.cmp);
	triage_total_free(&o.total);
	store_close(o.db);
	free(skip);
	for (unsigned i = 0; i < cfg.workers; i++)
		pattern_free(cfg.patterns[i]);
	free(cfg.patterns);
	rules_free(rs);
	walk_free(&w);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return finish_output(code);
}

/* `sfblog db merge OUT IN...` */
static int cmd_db(int argc, char **argv)
{
	if (argc - optind < 2 || strcmp(argv[optind], "merge") != 0)
		usage_error("use: sfblog db merge OUT.sqlite IN.sqlite...");
	struct sfb_err err = { 0 };
	struct store *s = store_open(argv[optind + 1], &err);
	if (!s) {
		errorf("%s", err.msg);
		return EXIT_ERROR;
	}
	int rc = EXIT_OK;
	for (int i = optind + 2; i < argc; i++)
		if (store_merge(s, argv[i], &err) < 0) {
			errorf("%s", err.msg);
			rc = EXIT_ERROR;
		}
	store_close(s);
	return finish_output(rc);
}

/* `sfblog diff GOOD BAD` (cmd_diff.c) */
static int cmd_diff(int argc, char **argv)
{
	if (argc - optind != 2)
		usage_error("diff compares two sign-ins: give GOOD and BAD");
	if (g.out == REP_NDJSON || g.out == REP_HTML)
		usage_error("diff writes text or json");
	struct cmd_diff_opts d = {
		g.format, g.max_line, g.max_msg, g.max_txn, g.max_warn,
		g.out == REP_JSON, g.color, g.quiet, g.strict, g.diff_sess[0],
		g.diff_sess[1], load_patterns(), NULL };
	struct rules *rs = load_rules();
	d.rules = rs;
	int rc = cmd_diff_run(&d, argv[optind], argv[optind + 1]);
	rules_free(rs);
	pattern_free(d.patterns);
	return finish_output(rc);
}

/* ---- main --------------------------------------------------------------- */

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
	/*
	 * A reader that goes away (`sfblog messages x | head -1`) ends the
	 * run at once through SIGPIPE, like cat or git: exit status 141 in
	 * the shell, no message.  Set it even when our parent ignored it.
	 */
	signal(SIGPIPE, SIG_DFL);
	if (argc > 1 && strcmp(argv[1], "redact") == 0)
		return cmd_redact_main(argc - 1, argv + 1);
	parse_args(argc, argv);
	if (g.cmd == CMD_FIELDS) {
		field_print(stdout);
		return finish_output(EXIT_OK);
	}
	if (g.cmd == CMD_RULES)
		return cmd_rules();
	if (g.cmd == CMD_EXPLAIN)
		return cmd_explain(argc, argv);
	if (g.cmd == CMD_TRIAGE)
		return cmd_triage(argc, argv);
	if (g.cmd == CMD_DB)
		return cmd_db(argc, argv);
	if (g.cmd == CMD_DIFF)
		return cmd_diff(argc, argv);
	if (g.cmd == CMD_FLOW)
		g.width = term_width();

	struct run_ctx rc = { 0 };
	if (g.grep) {
		struct sfb_err err = { 0 };
		rc.re = grep_new(g.grep, g.icase, &err);
		if (!rc.re)
			usage_error("invalid --grep '%s': %s", g.grep,
				    err.msg);
	}
	if (g.cmd != CMD_MESSAGES)
		rc.patterns = load_patterns();
	/* client logs with server traces: joined after the last file */
	if ((g.cmd == CMD_ANALYZE || g.cmd == CMD_FLOW) && !rc.html &&
	    g.out != REP_HTML && argc - optind > 1)
		rc.join = join_new();
	if (g.cmd == CMD_ANALYZE)
		rc.rules = load_rules();
	if (g.out == REP_HTML) {
		rc.html = rep_html_new(stdout, NULL);
	} else if (g.out != REP_TEXT) {
		const char *name = "";
		for (size_t i = 0; i < sizeof commands / sizeof commands[0];
		     i++)
			if (commands[i].cmd == g.cmd)
				name = commands[i].name;
		rc.json = rep_json_new(stdout, name, g.out == REP_NDJSON);
		rep_json_set_max_sessions(rc.json, g.max_sessions);
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
				ents[k].ts = engine_first_time(ents[k].path,
							    g.format,
							    g.max_line);
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

	int rcode = EXIT_OK, findings = 0, nstdin = 0;
	for (size_t i = 0; i < ngroups; i++) {
		struct group *gr = &groups[i];
		if (gr->n == 1 && strcmp(files[gr->first], "-") == 0 &&
		    nstdin++) {
			errorf("standard input ('-') given twice");
			rcode = EXIT_ERROR;
			continue;
		}
		if (g.cmd == CMD_ANALYZE && g.out == REP_TEXT && i > 0)
			fputc('\n', stdout);
		if (run_stream(&rc, files + gr->first, gr->n, gr->name,
			       &findings) == EXIT_ERROR)
			rcode = EXIT_ERROR;
	}
	if (rc.join)
		findings |= report_join(&rc);
	if (rc.json) {
		rep_json_end(rc.json);
		rep_json_free(rc.json);
	}
	if (rc.html) {
		rep_html_end(rc.html);
		rep_html_free(rc.html);
	}
	for (size_t i = 0; i < ngroups; i++)
		free(groups[i].name);
	free(groups);
	free(files);
	free(used);
	join_free(rc.join);
	pattern_free(rc.patterns);
	rules_free(rc.rules);
	grep_free(rc.re);
	free(g.method_buf);
	if (rcode == EXIT_OK && findings)
		rcode = EXIT_FINDINGS;
	return finish_output(rcode);
}
