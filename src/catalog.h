/* SPDX-License-Identifier: MIT */
/*
 * catalog.h -- the code catalog: what an ms-diagnostics id, an
 * X-Ms-diagnostics id, a client HRESULT, an SSPI or certificate status,
 * an AD sub-code, a CLS SIPPROXY_E_* result or a free-text client
 * signature means, at which sign-in step it shows, what to check next
 * and which public source says so.  The knowledge is data
 * (rules/catalog/ *.yaml, read with libyaml); only the arithmetic of
 * HRESULTs (severity, facility, the SIP status in 0x80EFxxxx, the Win32
 * error in 0x8007xxxx) is C.  It sits beside the rules stage of the
 * pipeline (line reader -> format parsers -> SIP/HTTP messages ->
 * transactions -> sessions -> rules -> reporters): the rule engine and
 * `sfblog explain` look codes up here; it never reads logs.
 *
 * A catalog is loaded once (catalog_load) and is then immutable, so
 * any number of threads may look up and format concurrently.
 *
 * Ownership: catalog_load returns an owned catalog (catalog_free).
 * Every struct catalog_entry, struct catalog_source and string reached
 * from it is owned by the catalog and lives until catalog_free.
 * struct catalog_result is caller-owned and borrows entries.
 */
#ifndef SFB_CATALOG_H
#define SFB_CATALOG_H

#include <stdint.h>
#include <stdio.h>

#include "sfb.h"

#ifndef SFB_CATALOG_MAX_ENTRIES
#define SFB_CATALOG_MAX_ENTRIES 8192    /* entries over all files */
#endif
#ifndef SFB_CATALOG_MAX_FILE
#define SFB_CATALOG_MAX_FILE (512 * 1024) /* bytes of one file */
#endif
#define CATALOG_MAX_TEXT 4096   /* bytes of one text field */
#define CATALOG_MAX_LIST 16     /* aliases or sources of one entry */
#define CATALOG_MAX_MATCHES 16  /* matches one lookup returns */

/*
 * The kinds of entries, as written in the files (`kind:`).  An
 * ms-diagnostics-public id shares the id space of ms-diagnostics: it is
 * stored as kind "ms-diagnostics" with `header: ms-diagnostics-public`,
 * and a lookup by either header name finds it.
 */
#define CATALOG_KIND_MAP(X)                                           \
	X(MSDIAG, "ms-diagnostics")                                   \
	X(MSDIAG_RANGE, "ms-diagnostics-range")                       \
	X(XMSDIAG, "x-ms-diagnostics")                                \
	X(SIP_STATUS, "sip-status")                                   \
	X(HRESULT, "hresult")                                         \
	X(SSPI, "sspi")                                               \
	X(CERT, "cert")                                               \
	X(CLS, "cls")                                                 \
	X(AD_SUBCODE, "ad-subcode")                                   \
	X(SIGNATURE, "signature")                                     \
	X(NOTE, "note")

enum catalog_kind {
#define CATALOG_X(name, str) CATALOG_K_##name,
	CATALOG_KIND_MAP(CATALOG_X)
#undef CATALOG_X
	CATALOG_K__COUNT
};

/* Where in the sign-in a code shows (`step:`). */
#define CATALOG_STEP_MAP(X)                                           \
	X(DISCOVERY, "discovery")                                     \
	X(CONNECTIVITY, "connectivity")                               \
	X(AUTH, "authentication")                                     \
	X(REDIRECT, "redirection")                                    \
	X(SETTINGS, "settings")                                       \
	X(S2S, "server-to-server")                                    \
	X(AFTER, "after-sign-in")                                     \
	X(ANY, "any")

enum catalog_step {
#define CATALOG_X(name, str) CATALOG_S_##name,
	CATALOG_STEP_MAP(CATALOG_X)
#undef CATALOG_X
	CATALOG_S__COUNT
};

/* One public source (sources.yaml). */
struct catalog_source {
	const char *key;        /* "OCER-1000" */
	const char *title;      /* what the source is */
	const char *location;   /* URL or repository path */
};

/*
 * One entry, read-only.  Texts are NUL-terminated with runs of white
 * space folded to one space; optional ones are "" when absent.
 */
struct catalog_entry {
	enum catalog_kind kind;
	const char *code;       /* as written: "1010", "0x80EF0191" */
	const char *name;       /* the short name or official text */
	const char *header;     /* "ms-diagnostics-public" or "" */
	const char *meaning;
	enum catalog_step step;
	const char *check;      /* what to check next */
	int inference;          /* 1: the meaning or check is inferred */
	const char *const *aliases;     /* naliases strings */
	size_t naliases;
	const struct catalog_source *const *sources; /* nsources */
	size_t nsources;
	uint32_t lo, hi;        /* numeric codes: the value (lo == hi);
				 * ranges: the bounds; hresult families
				 * (0x80EExxxx): the masked bounds */
	int numeric;            /* 1 when lo/hi are meaningful */
	const char *file;       /* where it was defined */
	unsigned long line;
};

struct catalog;

/*
 * Load catalogs, in order.  Each path is a directory (every *.yaml in
 * it, by name) or one file; each path is a layer: within a layer a
 * (kind, code) or a source key may appear once, and a later layer
 * replaces what an earlier one defined.  After loading, every source
 * key an entry cites must be defined.
 * @param paths  NULL-terminated array
 * @return the catalog, or NULL with err filled: SFB_E_IO (cannot read),
 *         SFB_E_LIMIT (a file or the catalog too large), SFB_E_RULE
 *         (err->msg "FILE:LINE:COL: error: ...", err->line/col set)
 */
struct catalog *catalog_load(const char *const *paths, struct sfb_err *err)
	SFB_WUR;
/* A catalog file held in memory (catalog_load_mem). */
struct catalog_text {
	const char *name;       /* the name errors give, "site.yaml" */
	const char *data;       /* YAML text, not NUL-terminated */
	size_t len;
};
/*
 * The same from texts in memory, each text a layer of its own (tests,
 * fuzzing, an embedded catalog).  Errors as catalog_load, named by
 * texts[i].name; SFB_E_IO cannot happen.
 */
struct catalog *catalog_load_mem(const struct catalog_text *texts,
				 size_t n, struct sfb_err *err) SFB_WUR;
void catalog_free(struct catalog *cat);

/* Number of entries; catalog_get(cat, i) for i < count, else NULL. */
size_t catalog_count(const struct catalog *cat);
const struct catalog_entry *catalog_get(const struct catalog *cat,
					size_t i);
/* Number of sources and the i-th one, else NULL. */
size_t catalog_source_count(const struct catalog *cat);
const struct catalog_source *catalog_source_get(const struct catalog *cat,
						size_t i);
const struct catalog_source *catalog_source_find(const struct catalog *cat,
						 const char *key);

/*
 * The sign-in step of sfb.h for a catalog step: discovery to settings
 * map one to one; server-to-server, after-sign-in and any give
 * SFB_STEP_NONE.
 */
enum sfb_step catalog_sfb_step(enum catalog_step s);

/* "ms-diagnostics"... / "discovery"...; catalog_*_parse: -1 if none. */
const char *catalog_kind_name(enum catalog_kind k);
int catalog_kind_parse(const char *s);
const char *catalog_step_name(enum catalog_step s);
int catalog_step_parse(const char *s);

/*
 * Exact lookup: the entry of this kind whose code equals code (ASCII
 * case ignored; for numeric kinds "0x80ef0191" equals "0x80EF0191" and
 * "80EF0191").  kind "ms-diagnostics-public" means "ms-diagnostics".
 * @return the entry or NULL
 */
const struct catalog_entry *catalog_find(const struct catalog *cat,
					 const char *kind, const char *code);

/* What the bits of an HRESULT say (catalog_hresult_decode). */
enum catalog_hr_wrap {
	CATALOG_HR_OTHER = 0,
	CATALOG_HR_SIP,         /* facility 0xEF: a SIP status code */
	CATALOG_HR_WIN32,       /* facility 7: a Win32 error number */
	CATALOG_HR_RTC,         /* facility 0xEE: UCC/RTC interface */
	CATALOG_HR_SECURITY,    /* facility 9: SSPI */
	CATALOG_HR_CERT         /* facility 11: certificates and trust */
};

struct catalog_hr {
	uint32_t value;
	int failure;            /* severity bit (31) set */
	int customer;           /* bit 29 set: not a Windows-defined code */
	unsigned facility;      /* bits 16-26 */
	const char *facility_name; /* "FACILITY_WIN32" or NULL */
	unsigned code;          /* low 16 bits */
	enum catalog_hr_wrap wrap;
};

/* Split an HRESULT into its fields; never fails. */
void catalog_hresult_decode(uint32_t hr, struct catalog_hr *out);

/* How a match was found. */
enum catalog_how {
	CATALOG_BY_CODE = 1,    /* the code itself */
	CATALOG_BY_ALIAS,       /* one of its aliases */
	CATALOG_BY_DECODED,     /* the value inside an HRESULT (SIP status
				 * of 0x80EFxxxx, Win32 error of 0x8007xxxx) */
	CATALOG_BY_FAMILY,      /* an id range or HRESULT family that holds
				 * an id the catalog does not list */
	CATALOG_BY_TEXT         /* a signature containing the query */
};

struct catalog_match {
	const struct catalog_entry *entry;      /* borrowed */
	enum catalog_how how;
};

struct catalog_result {
	struct catalog_match m[CATALOG_MAX_MATCHES];
	size_t n;
	int has_hr;             /* the query is an HRESULT: see hr */
	struct catalog_hr hr;
};

/*
 * Look up what an engineer types: "1010", "ms-diagnostics 1010",
 * "ms-diagnostics: 1010", "x-ms-diagnostics 28032", "28032",
 * "0x80ef0191", "80EF0191", "0X8007052E", "SEC_E_WRONG_PRINCIPAL",
 * "0x80090322", "52e", "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
 * "c3e93d67", "NEED NEW CERT", and a header value pasted whole
 * ("ms-diagnostics: 1010.2;reason=...", the id before '.' or ';').
 * Matches come most specific first:
 * codes and aliases, then entries of a decoded HRESULT value, then the
 * id range or HRESULT family (only for an id the catalog does not
 * list), then signatures containing the text (only when nothing else
 * matched).  A query of 8 hex digits (with or without 0x) is also
 * decoded as an HRESULT into res->hr.
 * @return res->n (0: nothing known, though res->has_hr may be set)
 */
size_t catalog_lookup(const struct catalog *cat, const char *query,
		      struct catalog_result *res);

/*
 * Write one entry as plain text for `sfblog explain`: a title line
 * ("ms-diagnostics 1010: name"), then step, meaning, what to check,
 * aliases and the sources with their titles and locations, wrapped to
 * width columns (0: 78).  No colour, no trailing blank line.
 * @return 0, or -1 on a write error (errno set by stdio)
 */
int catalog_format(const struct catalog_entry *e, unsigned width,
		   FILE *out);
/*
 * Everything a lookup found, as `sfblog explain QUERY` prints it: the
 * HRESULT decoding when there is one, then each match (catalog_format)
 * with how it was found, separated by blank lines; "no catalog entry
 * for 'QUERY'" when there is nothing at all.
 * @return 0, or -1 on a write error
 */
int catalog_format_result(const struct catalog_result *res,
			  const char *query, unsigned width, FILE *out);
/*
 * The same texts into buf (at most cap bytes, always NUL-terminated
 * when cap > 0).
 * @return the length the whole text needs (snprintf convention)
 */
size_t catalog_format_buf(const struct catalog_entry *e, unsigned width,
			  char *buf, size_t cap);
size_t catalog_format_result_buf(const struct catalog_result *res,
				 const char *query, unsigned width,
				 char *buf, size_t cap);

#endif
