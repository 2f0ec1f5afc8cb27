/* SPDX-License-Identifier: MIT */
/*
 * unit_rxlit.c -- unit tests of rxlit.c, the literals a regex cannot
 * match without: plain runs, quantifiers that take a character back,
 * groups that must match and those that may not, alternations, classes
 * and escapes, literals that start a word (after \b), and every
 * construct that must give no clause at all;
 * then regexes of the shipped rules/patterns.tsv against texts they
 * match: each text holds one literal of every clause.  (fuzz_pattern
 * compares the matcher with and without the clauses on any table.)
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rxlit.h"
#include "sv.h"

/* The clauses of re as "[a|b] [c]", min_len 4; "\\b" marks a literal
 * that starts a word. */
static void show(const char *re, char *out, size_t cap)
{
	char buf[512];
	struct rxlit r;
	size_t n = strlen(re);
	CHECK(n <= sizeof buf);
	rxlit_required(re, n, 4, buf, &r);
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r.n; i++) {
		at += (size_t)snprintf(out + at, cap - at, "%s[",
				       i ? " " : "");
		for (size_t k = 0; k < r.c[i].n; k++)
			at += (size_t)snprintf(out + at, cap - at, "%s%s%.*s",
					       k ? "|" : "",
					       r.c[i].word[k] ? "\\b" : "",
					       (int)r.c[i].alt[k].n,
					       r.c[i].alt[k].p);
		at += (size_t)snprintf(out + at, cap - at, "]");
	}
}

/* Check that re gave got, not another answer than want. */
static void same(const char *what, const char *re, const char *got,
		 const char *want)
{
	if (strcmp(got, want))
		fprintf(stderr, "%s %s: got '%s', want '%s'\n", what, re, got,
			want);
	CHECK(!strcmp(got, want));
}

static void expect(const char *re, const char *want)
{
	char got[1024];
	show(re, got, sizeof got);
	same("regex", re, got, want);
}

static void test_runs(void)
{
	expect("", "");
	expect("Hello World", "[hello world]");
	expect("abc", "");                      /* shorter than 4 */
	expect("signed in as\\s+(?<uri>sip:\\S+)", "[signed in as] [sip:]");
	expect("sip\\.contoso", "[sip.contoso]");
	/* a character that may be absent leaves the run */
	expect("timed? ?out", "[time]");
	expect("records?\\b", "[record]");
	expect("abcdx*efgh", "[abcd] [efgh]");
	expect("abcdx{0,3}efgh", "[abcd] [efgh]");
	/* one that must be there stays, but ends the run */
	expect("abcdx+efgh", "[abcdx] [efgh]");
	expect("abcdx{2}efgh", "[abcdx] [efgh]");
	expect("abcdx{1,}?efgh", "[abcdx] [efgh]");
	/* classes, dots, anchors and class escapes end a run */
	expect("abcd[xy]efgh", "[abcd] [efgh]");
	expect("abcd[]x]efgh", "[abcd] [efgh]");
	expect("abcd[^]x]efgh", "[abcd] [efgh]");
	expect("abcd[[:alpha:]]efgh", "[abcd] [efgh]");
	expect("abcd.efgh^ijkl$mnop", "[abcd] [efgh] [ijkl] [mnop]");
	expect("abcd\\defgh\\bijkl", "[abcd] [efgh] [\\bijkl]");
	expect("abcd\\tefgh", "[abcd] [efgh]");
	/* bytes that are not ASCII are never part of a literal */
	expect("abcd\xc3\xa9" "efgh", "[abcd] [efgh]");
	/* long literals keep their start */
	expect("0123456789012345678901234567890123456789012345678901234",
	       "[012345678901234567890123456789012345678901234567]");
}

static void test_words(void)
{
	/* a run right after \b that starts with a word character */
	expect("\\bError:", "[\\berror:]");
	expect("x\\bError:\\b", "[\\berror:]");
	expect("\\btimed? ?out\\b", "[\\btime]");
	expect("(?:abcd)?efgh\\b_ijk", "[efgh] [\\b_ijk]");
	/* not after anything else, nor when the \b is taken away */
	expect("\\b:abcd", "[:abcd]");
	expect("\\bx?abcd", "[abcd]");
	expect("\\B abcd", "[ abcd]");
	expect("\\b\\.abcd", "[.abcd]");
	expect("[\\b]abcd", "[abcd]");
	expect("\\b(?:abcd)", "[abcd]");
	expect("\\b(?i)abcd", "[abcd]");
	/* a \b at the end of a group's branch is not before what follows */
	expect("(?:ab|cd\\b)efgh", "[efgh]");
	expect("(?:ab\\b)efgh", "[efgh]");
	/* an alternation keeps each branch's mark */
	expect("(?:\\bfail|not exist)", "[\\bfail|not exist]");
}

/* The literals rxlit_forbidden finds in re, as "a|b", min_len 4. */
static void expect_no(const char *re, const char *want)
{
	char buf[512], got[512];
	struct rxlit_clause c;
	size_t n = strlen(re), at = 0;
	CHECK(n <= sizeof buf);
	CHECK_INT(rxlit_forbidden(re, n, 4, buf, &c), c.n);
	got[0] = '\0';
	for (size_t k = 0; k < c.n; k++)
		at += (size_t)snprintf(got + at, sizeof got - at, "%s%.*s",
				       k ? "|" : "", (int)c.alt[k].n,
				       c.alt[k].p);
	if (strcmp(got, want))
		fprintf(stderr, "regex %s: got '%s', want '%s'\n", re, got,
			want);
	CHECK(!strcmp(got, want));
}

static void test_forbidden(void)
{
	expect_no("^(?![\\s\\S]*(?:lyncdiscover|_SIP))(?:.*?\\bfor\\s+"
		  "(?<n>[a-z0-9_-]+))?.*?(?<hr>8007232b)",
		  "lyncdiscover|_sip");
	expect_no("^(?![\\s\\S]*80090324)[\\s\\S]*?skew", "80090324");
	expect_no("^(?![\\s\\S]*a\\.b\\-cd)x", "a.b-cd");
	/* short ones are left out, the others still rule out */
	expect_no("^(?![\\s\\S]*(?:ab|abcd))x", "abcd");
	/* not of that form: nothing */
	expect_no("(?![\\s\\S]*abcd)x", "");        /* no ^ */
	expect_no("x^(?![\\s\\S]*abcd)x", "");
	expect_no("^(?![\\s\\S]*?abcd)x", "");       /* lazy: unsure */
	expect_no("^(?!.*abcd)x", "");
	expect_no("^(?![\\s\\S]*abcd|efgh)x", "");   /* efgh at 0 only */
	expect_no("^(?![\\s\\S]*abcd.)x", "");
	expect_no("^(?![\\s\\S]*(?:abcd|efgh)x)y", "");
	expect_no("^(?![\\s\\S]*(?:abcd|))x", "");
	expect_no("^(?![\\s\\S]*abcd\\d)x", "");
	/* a second branch is not ruled out by the first one's ^ */
	expect_no("^(?![\\s\\S]*abcd)x|y", "");
	expect_no("^(?![\\s\\S]*abcd)(?:x)|y", "");
	expect_no("^(?![\\s\\S]*abcd)x(?:a|b)[|]\\|y", "abcd");
	expect_no("^(?![\\s\\S]*abcd)x\\Q|\\Ey", "");
	expect_no("^(?![\\s\\S]*abcd)x(?x) # |\ny", "");
	expect_no("^(?![\\s\\S]*abcd)x(*ACCEPT)", "");
	expect_no("^(?![\\s\\S]*abcd)x)", "");
}

static void test_groups(void)
{
	expect("(?:abcd)", "[abcd]");
	expect("(?<n>abcd)efgh", "[abcd] [efgh]");
	expect("(?P<n>abcd)(?'m'efgh)", "[abcd] [efgh]");
	expect("(?>abcd)(?i:efgh)(?-i:ijkl)", "[abcd] [efgh] [ijkl]");
	expect("(?:abcd)?efgh", "[efgh]");
	expect("(?:abcd)*efgh", "[efgh]");
	expect("(?:abcd){0,2}efgh", "[efgh]");
	expect("(?:abcd)+efgh", "[abcd] [efgh]");
	expect("(?:abcd){1,2}efgh", "[abcd] [efgh]");
	/* assertions and comments give nothing */
	expect("(?=abcd)(?!efgh)(?<=ijkl)(?<!mnop)qrst", "[qrst]");
	expect("(?#a comment)abcd", "[abcd]");
	expect("(?m)^abcd", "[abcd]");
	/* alternations: the longest literal of each branch */
	expect("(?:returned|resolved(?:\\s+to)?|answer(?:ed)?)",
	       "[returned|resolved|answer]");
	expect("abcd|efgh ijkl|mn", "");        /* a branch without */
	expect("abcd|efgh ijkl", "[abcd|efgh ijkl]");
	expect("(?:abcd|efgh)?ijkl", "[ijkl]");
	expect("(?|abcd|efgh)", "[abcd|efgh]");
	expect("x(?:(?:abcd|efgh)|ijkl)", "");  /* nested: not read */
}

static void test_unsure(void)
{
	/* anything not known for sure gives no clause at all */
	const char *const res[] = {
		"(*ACCEPT)abcd", "(*UTF)abcd", "abcd(?(1)efgh|ijkl)",
		"(?x)ab cd efgh", "(?x: ab cd)efgh", "abcd\\Qefgh\\E",
		"abcd\\x41efgh", "abcd\\p{L}efgh", "(abcd)\\1efgh",
		"abcd\\gefgh", "(?R)abcd", "(?1)abcd", "(?&n)abcd",
		"abcd{,3}efgh", "abcd{x}efgh", "abcd\\N{U+41}efgh",
		"abcd\\", "[abcd", "(abcd", "(?C1)abcd",
	};
	for (size_t i = 0; i < sizeof res / sizeof res[0]; i++)
		expect(res[i], "");
	/* too deep */
	char deep[256];
	size_t at = 0;
	for (int i = 0; i < RXLIT_MAX_DEPTH + 1; i++)
		deep[at++] = '(';
	memcpy(deep + at, "abcd", 4), at += 4;
	for (int i = 0; i < RXLIT_MAX_DEPTH + 1; i++)
		deep[at++] = ')';
	deep[at] = '\0';
	expect(deep, "");
	deep[0] = 'x';                  /* one level less: fine */
	deep[at - 1] = 'y';
	expect(deep, "[abcd]");
}

static void test_many_clauses(void)
{
	/* over RXLIT_MAX_CLAUSES: the longest literals stay */
	expect("aaaa.bbbb.cccc.dddd.eeee.ffff.gggg.hhhh.iiiiiiii.jjjjjjjjj",
	       "[iiiiiiii] [jjjjjjjjj] [cccc] [dddd] [eeee] [ffff] [gggg] "
	       "[hhhh]");
}

static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Does the text hold one literal of every clause (ASCII case ignored),
 * those that start a word where one starts?
 */
static int holds(const struct rxlit *r, const char *text)
{
	for (size_t i = 0; i < r->n; i++) {
		int any = 0;
		for (size_t k = 0; k < r->c[i].n && !any; k++) {
			struct sv a = r->c[i].alt[k];
			for (const char *p = text; *p && !any; p++) {
				size_t j = 0;
				if (r->c[i].word[k] && p > text &&
				    word_byte((unsigned char)p[-1]))
					continue;
				while (j < a.n && p[j] &&
				       sv_lower((unsigned char)p[j]) ==
				       (unsigned char)a.p[j])
					j++;
				any = j == a.n;
			}
		}
		if (!any)
			return 0;
	}
	return 1;
}

/* re compiled caseless, as the pattern table does (checked), or NULL */
static pcre2_code *compile_ci(const char *re)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re,
					 PCRE2_ZERO_TERMINATED,
					 PCRE2_CASELESS, &ec, &off, NULL);
	CHECK(code != NULL);
	return code;
}

/* Regexes of the shipped table: a text they match holds the clauses. */
static void test_matches(void)
{
	static const struct {
		const char *re, *text;
	} cases[] = {
		{ "\\b(?<name>sip\\.[a-z0-9-]+(?:\\.[a-z0-9-]+)+)\\b.*?\\b"
		  "(?:returned|resolved(?:\\s+to)?|answer(?:ed)?)\\s*:?\\s*"
		  "(?<ip>\\d{1,3}(?:\\.\\d{1,3}){3})",
		  "DNS: query SIP.contoso.com type A Resolved to 10.1.2.3" },
		{ "\\btimed? ?out\\b", "connect TIMEOUT" },
		{ "\\btimed? ?out\\b", "timeout" },
		{ "\\bError:[ \\t]*(?<fault>\\S+)",
		  "isTempError: 0\n Error: denied" },
		{ "(?:DNS|query)\\b.*?(?:\\bfail(?:ed|ure)?\\b|not exist|"
		  "NXDOMAIN|no records?\\b|\\btimed? ?out\\b)",
		  "DNS lookup: no record" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pcre2_code *re = compile_ci(cases[i].re);
		if (!re)
			continue;
		pcre2_match_data *md = pcre2_match_data_create(10, NULL);
		CHECK(pcre2_match(re, (PCRE2_SPTR)cases[i].text,
				  PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) > 0);
		char buf[512];
		struct rxlit r;
		CHECK(rxlit_required(cases[i].re, strlen(cases[i].re), 4, buf,
				     &r) > 0);
		CHECK(holds(&r, cases[i].text));
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
}

/* The literals re's matches start with, as show() writes clauses. */
static void expect_lead(const char *re, const char *want)
{
	char buf[512], got[512];
	struct rxlit_clause c;
	size_t n = strlen(re);
	CHECK(n <= sizeof buf);
	rxlit_leading(re, n, 4, buf, &c);
	size_t at = 0;
	got[0] = '\0';
	for (size_t k = 0; k < c.n; k++)
		at += (size_t)snprintf(got + at, sizeof got - at, "%s%s%.*s",
				       k ? "|" : "", c.word[k] ? "\\b" : "",
				       (int)c.alt[k].n, c.alt[k].p);
	same("lead", re, got, want);
}

static void test_leading(void)
{
	expect_lead("Hello World", "hello world");
	expect_lead("abc", "");                 /* shorter than 4 */
	expect_lead("", "");
	expect_lead("\\bError: (?<w>\\w+)", "\\berror: ");
	expect_lead("\\b_sip\\.x", "\\b_sip.x");
	expect_lead("\\b:abcd", ":abcd");       /* not a word start */
	/* groups that may be absent: their literals or what follows */
	expect_lead("(?:AsyncHResult:[ \\t]*\\w+)?(?:TargetUri:\\S+)?"
		    "\\bError:", "asynchresult:|targeturi:|\\berror:");
	expect_lead("(?:abcd)*efgh", "abcd|efgh");
	expect_lead("(?:abcd)?", "");           /* may match nothing */
	expect_lead("(?:abcd|efgh)+ij", "abcd|efgh");
	expect_lead("\\b(?:query|lookup)\\b", "\\bquery|\\blookup");
	expect_lead("(?<n>abcd)", "abcd");
	expect_lead("(?P<n>abcd)", "abcd");
	expect_lead("(?'n'abcd)", "abcd");
	expect_lead("(?>abcd)", "abcd");
	expect_lead("(?|abcd|efgh)", "abcd|efgh");
	expect_lead("abcd|efgh", "abcd|efgh");
	expect_lead("abcd|ef", "");             /* a branch too short */
	expect_lead("abcd|", "");               /* an empty branch */
	/* what takes no room before the literal */
	expect_lead("^abcd", "abcd");
	expect_lead("(?m)^abcd", "abcd");
	expect_lead("(?i)(?#note)abcd", "abcd");
	expect_lead("(?<![0-9a-f])(?<!x)abcd", "abcd");
	expect_lead("(?=ab)abcd", "abcd");
	expect_lead("(?!\\d)\\babcd", "\\babcd");
	expect_lead("(?-i:ABCD)", "abcd");      /* found caseless: more */
	/* a character that may be absent ends the run, or is the run */
	expect_lead("abcde?f", "abcd");
	expect_lead("abcd+e", "abcd");
	expect_lead("abcd{2}e", "abcd");
	expect_lead("abcde{0,2}f", "abcd");
	expect_lead("a?bcde", "");
	expect_lead("\\.abcd\\:", ".abcd:");
	expect_lead("abcd\\d", "abcd");
	expect_lead("(?<![0-9a-f])(?<hr>(?:0x)?80090322)", ""); /* 0x */
	/* not known: nothing */
	expect_lead(".abcd", "");
	expect_lead("[a]bcde", "");
	expect_lead("\\dabcd", "");
	expect_lead("(?m)^[ \\t]*abcd", "");
	expect_lead("(?=ab)?abcd", "");
	expect_lead("\\Gabcd", "");
	expect_lead("abcd\\G", "");
	expect_lead("abcd(*COMMIT)e", "");
	expect_lead("(*UTF)abcd", "");
	expect_lead("abcd(?x) e", "");
	expect_lead("abcd\\Q(\\E", "");
	expect_lead("abcd(?1)", "");
	expect_lead("(abcd)(?(1)e|f)", "");
	expect_lead("(?P=n)abcd", "");
	expect_lead("abcd(?#(c)e", "");
	expect_lead("ab\xc3\xa9" "cd", "");
	expect_lead("abcd[", "");               /* unterminated class */
}

/*
 * On texts: every match of these regexes starts at or after the first
 * of the literals rxlit_leading gives, and PCRE2 started there gives
 * the same match and captures as from the text's start.
 */
static void test_leading_matches(void)
{
	static const struct {
		const char *re, *text;
	} cases[] = {
		{ "(?:AsyncHResult:[ \\t]*(?<a>\\w+)[\\s\\S]{0,60}?)?"
		  "(?:TargetUri:[ \\t]*(?<t>\\S+)[\\s\\S]{0,60}?)?"
		  "\\bError:[ \\t]*(?<f>.*)",
		  "isTempError: 0\n AsyncHResult:80f10041\n TargetUri:"
		  "https://x/WebTicket\n Error: trust fault" },
		{ "(?:TargetUri:(?<t>\\S+)\\s*)?\\bError: (?<f>\\w+)",
		  "TargetUri:a " "0123456789012345678901234567890123456789"
		  " Error: late" },
		{ "(?<!no valid )\\buser certificate\\b", "no valid user "
		  "certificate; a User Certificate stored" },
		{ "(?m)^abcd(?<x>\\d)", "abcd\nxabcd1\nabcd2" },
		{ "\\b_sip(?:int)?\\._tcp", "x_sip._tcp _SIPINT._tcp" },
		{ "abab:", "ababab:" },         /* overlapping */
		{ "(?<=b)ab:c|(?<![a ])abab(?<x>.)", "aabab bab:c" },
		{ "^cab:", "cab:cab:" },
		{ "needle", "NEEDLE" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *txt = cases[i].text;
		size_t tn = strlen(txt);
		pcre2_code *re = compile_ci(cases[i].re);
		if (!re)
			continue;
		char buf[512];
		struct rxlit_clause c;
		CHECK(rxlit_leading(cases[i].re, strlen(cases[i].re), 4, buf,
				    &c) > 0);
		size_t first = tn;
		for (size_t k = 0; k < c.n; k++)
			for (size_t p = 0; p + c.alt[k].n <= tn; p++) {
				size_t j = 0;
				while (j < c.alt[k].n &&
				       sv_lower((unsigned char)txt[p + j]) ==
				       (unsigned char)c.alt[k].p[j])
					j++;
				if (j == c.alt[k].n && p < first &&
				    (!c.word[k] || p == 0 ||
				     (!isalnum((unsigned char)txt[p - 1]) &&
				      txt[p - 1] != '_'))) {
					first = p;
					break;
				}
			}
		pcre2_match_data *a = pcre2_match_data_create(10, NULL);
		pcre2_match_data *b = pcre2_match_data_create(10, NULL);
		int ra = pcre2_match(re, (PCRE2_SPTR)txt, tn, 0, 0, a, NULL);
		CHECK(ra > 0);
		int rb = pcre2_match(re, (PCRE2_SPTR)txt, tn, first, 0, b,
				     NULL);
		CHECK_INT(rb, ra);
		const PCRE2_SIZE *x = pcre2_get_ovector_pointer(a);
		const PCRE2_SIZE *y = pcre2_get_ovector_pointer(b);
		CHECK(ra <= 0 || x[0] >= first);
		for (int g = 0; ra > 0 && rb == ra && g < 2 * ra; g++)
			CHECK(x[g] == y[g]);
		pcre2_match_data_free(a);
		pcre2_match_data_free(b);
		pcre2_code_free(re);
	}
}

int main(void)
{
	test_runs();
	test_words();
	test_forbidden();
	test_groups();
	test_unsure();
	test_many_clauses();
	test_matches();
	test_leading();
	test_leading_matches();
	return CHECK_DONE("unit_rxlit");
}
