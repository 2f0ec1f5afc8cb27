/* SPDX-License-Identifier: MIT */
/*
 * fmt_cls.c -- the server-trace (CLS / OCSLogger text) format parser,
 * second stage of the pipeline: physical lines in (from lr, through
 * fmt.c), records out: REC_MSG for protocol records (the SIP or HTTP
 * message rebuilt from Start-Line, the header lines and Message-Body),
 * REC_DIAG for diagnostic records, REC_ENTRY for component lines and
 * REC_WARN for what was repaired or skipped.  FORMATS.md section 2 is
 * the reference.
 *
 * A record is its header line plus the body lines up to $$end_record
 * (or the next header line).  Its physical lines are copied into one
 * reused buffer (raw) and every field is kept as an offset range into
 * it, so nothing dangles when it grows; a protocol record's message is
 * rebuilt into a second reused buffer.  Ownership: the views in an
 * emitted record point into those buffers and live only during the
 * on_rec call; the fed line is borrowed for the fmt_cls_feed call only.
 * Memory is bounded by lim->max_msg per buffer.
 *
 * Decisions where the format leaves room (each has a unit test):
 * - body keys are read (ASCII case ignored) only before Start-Line;
 *   after it every line is a message header, up to Message-Body;
 * - the rebuilt message never ends in blank lines, like the client
 *   parser's, so one message logged by both compares equal;
 * - a record without $$begin_record still takes the lines up to
 *   $$end_record or the next header as its body (TF_COMPONENT lines
 *   followed by a diagnostic body); it is truncated only if it had
 *   $$begin_record;
 * - the type: LogType: diagnostic gives REC_DIAG, else Start-Line or
 *   Message-Type gives REC_MSG, else Severity or Result-Code gives
 *   REC_DIAG, else REC_ENTRY;
 * - an empty line among the message headers (a long Authorization value
 *   wrapped by the formatter: `cnum="85",` / empty line /
 *   `response="..."`) ends the headers only when a body follows:
 *   where Content-Length is 0 or Message-Body is "-", the line after it
 *   is kept as a continuation of the header before it, with a warning;
 * - the server is taken from the header's bracket only when it holds a
 *   machine name ("[fe01\\fe01]"); a bare number there is the WPP CPU
 *   number ("[0]") and leaves the record's server empty;
 * - $$end_record is matched case-sensitively at the start of a line;
 * - non-blank lines outside any record are counted into one REC_WARN
 *   per run; a record comes before the REC_WARNs about it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "rec.h"
#include "sv.h"

#define CLS_MAX_WORD 32      /* longest LEVEL / FLAG word */
#define CLS_MAX_BRACKET 256  /* longest [server\instance] */
#define CLS_MAX_HBLANK 8     /* empty lines among headers repaired */

/* A byte range of the raw buffer (offsets survive reallocation). */
struct span {
	size_t off, len;
};

/* What a header line holds; spans are offsets into the line. */
struct cls_hdr {
	int64_t ts;
	uint32_t pid, tid, seq;
	struct span level, flag, server, component, function, src_file;
	struct span record_id, free;
	unsigned src_line;
	int begin;                 /* "$$begin_record" on the line */
};

/* Where the body of a record is. */
enum body_state {
	B_PRE = 0, /* key: value lines before Start-Line */
	B_HDRS,    /* the SIP/HTTP header lines after Start-Line */
	B_BODY     /* after Message-Body: */
};

/* Keys of the body that are read (ASCII case ignored). */
enum cls_key {
	K_CORR = 0, K_INST, K_DIR, K_PEER, K_MTYPE, K_LOGTYPE, K_SEV, K_TEXT,
	K_RC, K_SIP_START, K_SIP_CALLID, K_SIP_CSEQ, K_DATA, K__SPANS,
	K_START = K__SPANS, K_BODY, K__COUNT
};

#define CLS_KEYS(X)                                                      \
	X(K_CORR, "Trace-Correlation-Id") X(K_INST, "Instance-Id")        \
	X(K_DIR, "Direction") X(K_PEER, "Peer")                           \
	X(K_MTYPE, "Message-Type") X(K_LOGTYPE, "LogType")                \
	X(K_SEV, "Severity") X(K_TEXT, "Text") X(K_RC, "Result-Code")     \
	X(K_SIP_START, "SIP-Start-Line") X(K_SIP_CALLID, "SIP-Call-ID")   \
	X(K_SIP_CSEQ, "SIP-CSeq") X(K_DATA, "Data")                       \
	X(K_START, "Start-Line") X(K_BODY, "Message-Body")

/* The key names with their lengths (sizeof: none written by hand). */
static const struct {
	const char *s;
	size_t n;
} key_names[K__COUNT] = {
#define X(k, name) [k] = { name, sizeof name - 1 },
	CLS_KEYS(X)
#undef X
};

#define CLS_KEY_MAXLEN 31     /* longest key name */
#define CLS_KEYS_PER_LEN 3    /* most key names of one length */
#define X(k, name) _Static_assert(sizeof name - 1 <= CLS_KEY_MAXLEN, \
				  "CLS_KEY_MAXLEN");
CLS_KEYS(X)
#undef X

struct fmt_cls {
	struct fmt_sink sink;
	int open;                  /* a record is being collected */

	struct rec_buf raw;        /* the record's physical lines */
	struct rec_buf txt;        /* the rebuilt message */
	unsigned long first, last_keep;

	struct cls_hdr h;
	enum body_state bst;
	int has[K__COUNT];
	struct span val[K__SPANS];
	struct span text_only;     /* Text: without a glued Result-Code */
	struct span rc_text;       /* "0x... NAME" from Result-Code or Text */
	int dash_body;             /* "Message-Body: -" */
	int64_t clen;              /* Content-Length of the headers, -1 */
	size_t hblank[CLS_MAX_HBLANK]; /* empty header lines: txt offsets */
	unsigned long hblank_line[CLS_MAX_HBLANK];
	size_t nhblank, nhfixed;
	unsigned long hfixed_line; /* the first one repaired */

	struct rec_kv kv[SFB_MAX_KV];
	struct fmt_day day;        /* the day of the last header line */
	/* the keys of each name length, K__COUNT after the last (from
	 * key_names in fmt_cls_new): find_key's first step */
	unsigned char key_by_len[CLS_KEY_MAXLEN + 1][CLS_KEYS_PER_LEN];

	unsigned long junk_first, junk_last, junk_n;
	char wbuf[192];
};

static int is_word(char c)
{
	return (c >= 'A' && c <= 'Z') || sv_is_digit(c) || c == '_';
}

/* An upper-case word ending in term; @return 0 and the span, or 1. */
static int take_word(struct sv line, size_t *i, char term, struct span *s)
{
	size_t j = *i;
	if (j >= line.n || line.p[j] < 'A' || line.p[j] > 'Z')
		return 1;
	while (j < line.n && j - *i < CLS_MAX_WORD && is_word(line.p[j]))
		j++;
	if (j >= line.n || line.p[j] != term)
		return 1;
	s->off = *i;
	s->len = j - *i;
	*i = j + 1;
	return 0;
}

static long last_char(struct sv v, char c)
{
	for (size_t i = v.n; i-- > 0;)
		if (v.p[i] == c)
			return (long)i;
	return -1;
}

static struct span span_of(struct sv line, struct sv part)
{
	struct span s = { (size_t)(part.p - line.p), part.n };
	return s;
}

/*
 * "(Component,Class::Method:File.cpp(N))" at the start of v; on
 * success fills h and advances v past it.  @return 0 or 1.
 */
static int parse_source(struct sv line, struct sv *v, struct cls_hdr *h)
{
	struct sv w = *v;
	if (sv_skip_char(&w, '('))
		return 1;
	long comma = sv_find_char(w, ',');
	if (comma < 0)
		return 1;
	struct sv comp = sv_make(w.p, (size_t)comma);
	if (sv_find_char(comp, ')') >= 0 || sv_find_char(comp, '(') >= 0)
		return 1;
	sv_skip(&w, (size_t)comma + 1);
	long close = sv_find_char(w, ')');
	if (close < 0 || (size_t)close + 1 >= w.n || w.p[close + 1] != ')')
		return 1;
	struct sv seg = sv_make(w.p, (size_t)close);
	long lp = last_char(seg, '(');
	if (lp < 0)
		return 1;
	struct sv num = sv_make(seg.p + lp + 1, seg.n - (size_t)lp - 1);
	uint64_t n;
	if (!sv_to_u64(num, &n) || n > 0xffffffffu)
		return 1;
	struct sv ff = sv_make(seg.p, (size_t)lp);
	long colon = last_char(ff, ':');
	if (colon < 0)
		return 1;
	h->component = span_of(line, sv_trim(comp));
	h->function = span_of(line, sv_make(ff.p, (size_t)colon));
	h->src_file = span_of(line, sv_make(ff.p + colon + 1,
					    ff.n - (size_t)colon - 1));
	h->src_line = (unsigned)n;
	sv_skip(&w, (size_t)close + 2);
	*v = w;
	return 0;
}

/*
 * Recognise "LEVEL(FLAG) [bracket]PID.TID::MM/DD/YYYY-HH:MM:SS.mmm.SEQ"
 * and what follows.  Hand-written: it runs on every line of a trace.
 * day caches the date (see parser.h).
 * @return 0 and *h filled, or 1 if line is not a header line
 */
static int parse_header(struct sv line, struct cls_hdr *h,
			struct fmt_day *day)
{
	const char *p = line.p;
	size_t i = 0;
	struct span level, flag;
	/* cheapest rejection first: "TL_..." and the like */
	if (line.n < 36 || p[0] < 'A' || p[0] > 'Z')
		return 1;
	if (take_word(line, &i, '(', &level) ||
	    take_word(line, &i, ')', &flag))
		return 1;
	memset(h, 0, sizeof *h);
	h->level = level;
	h->flag = flag;
	if (i >= line.n || p[i] != ' ')
		return 1;
	while (i < line.n && p[i] == ' ')
		i++;
	if (i >= line.n || p[i] != '[')
		return 1;
	i++;
	size_t b = i;
	while (i < line.n && i - b <= CLS_MAX_BRACKET && p[i] != ']')
		i++;
	if (i >= line.n || p[i] != ']')
		return 1;
	h->server.off = b;
	h->server.len = i - b;
	i++;
	if (sv_take_hex32_at(line, &i, &h->pid) || i >= line.n || p[i] != '.')
		return 1;
	i++;
	if (sv_take_hex32_at(line, &i, &h->tid) || i + 2 > line.n ||
	    p[i] != ':' || p[i + 1] != ':')
		return 1;
	i += 2;
	/* MM/DD/YYYY-HH:MM:SS.mmm. */
	if (i + 24 > line.n)
		return 1;
	const char *d = p + i;
	if (!fmt_stamp_ok(d, '-') || d[23] != '.')
		return 1;
	i += 24;
	if (sv_take_hex32_at(line, &i, &h->seq))
		return 1;
	h->ts = fmt_stamp_time(d, day);

	/* the rest: " (Comp,Func:File(N))", " [id]", "$$begin_record" */
	struct sv v = sv_make(p + i, line.n - i);
	struct sv w = v;
	sv_skip_ws(&w);
	if (parse_source(line, &w, h) == 0)
		v = w;
	w = v;
	sv_skip_ws(&w);
	if (w.n >= 3 && w.p[0] == '[' && sv_is_digit(w.p[1])) {
		struct sv id = w;
		uint64_t ignored;
		sv_skip(&id, 1);
		const char *s = id.p;
		if (sv_take_u64(&id, 20, &ignored) == 0 &&
		    sv_skip_char(&id, ']') == 0) {
			h->record_id.off = (size_t)(s - p);
			h->record_id.len = (size_t)(id.p - s) - 1;
			v = id;
		}
	}
	v = sv_trim(v);
	size_t bl = sizeof "$$begin_record" - 1;
	if (v.n >= bl && memcmp(v.p + v.n - bl, "$$begin_record", bl) == 0) {
		h->begin = 1;
		v = sv_trim(sv_make(v.p, v.n - bl));
	}
	h->free = span_of(line, v);
	return 0;
}

int fmt_cls_sniff(struct sv line)
{
	struct cls_hdr h;
	struct fmt_day day = { .set = 0 };
	return parse_header(line, &h, &day) == 0;
}

/*
 * Append one physical line to raw.
 * @return where the line starts in raw (past the kept bytes when the
 *         limit was reached)
 */
static size_t raw_line(struct fmt_cls *p, struct sv line,
		       unsigned long lineno)
{
	if (!sv_is_blank(line))
		p->last_keep = lineno;
	return rec_buf_line(&p->raw, line);
}

/* Append one line to the rebuilt message. */
static void txt_line(struct fmt_cls *p, struct sv line)
{
	rec_buf_line(&p->txt, line);
}

static struct sv raw_sv(const struct fmt_cls *p, struct span s)
{
	size_t lim = p->raw.len;
	const char *b = p->raw.p ? p->raw.p : "";
	if (s.off >= lim)
		return sv_make(b + lim, 0);
	size_t n = s.len;
	if (n > lim - s.off)
		n = lim - s.off;
	return sv_make(b + s.off, n);
}

static void rec_reset(struct fmt_cls *p)
{
	p->open = 0;
	rec_buf_reset(&p->raw);
	rec_buf_reset(&p->txt);
	p->bst = B_PRE;
	p->dash_body = 0;
	p->clen = -1;
	p->nhblank = p->nhfixed = 0;
	memset(p->has, 0, sizeof p->has);
	memset(p->val, 0, sizeof p->val);
	p->text_only = p->rc_text = (struct span){ 0, 0 };
}

static int emit_warn(struct fmt_cls *p, unsigned long first,
		     unsigned long last, int64_t ts)
{
	return rec_warn(&p->sink, p->wbuf, first, last, ts);
}

static int flush_junk(struct fmt_cls *p)
{
	if (!p->junk_n)
		return 0;
	snprintf(p->wbuf, sizeof p->wbuf,
		 "%lu line%s outside any record skipped", p->junk_n,
		 p->junk_n == 1 ? "" : "s");
	unsigned long a = p->junk_first, b = p->junk_last;
	p->junk_n = 0;
	return emit_warn(p, a, b, SFB_TIME_NONE);
}

/* A value without one pair of surrounding double quotes, trimmed. */
static struct sv unquote(struct sv v)
{
	v = sv_trim(v);
	if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
		v = sv_trim(sv_make(v.p + 1, v.n - 2));
	return v;
}

/*
 * Split v at the next ';' outside double quotes.
 * @return 0 and *item, or 1 when v is used up
 */
static int next_item(struct sv *v, struct sv *item)
{
	if (v->n == 0)
		return 1;
	int q = 0;
	size_t i = 0;
	for (; i < v->n; i++) {
		if (v->p[i] == '"')
			q = !q;
		else if (v->p[i] == ';' && !q)
			break;
	}
	*item = sv_make(v->p, i);
	sv_skip(v, i < v->n ? i + 1 : i);
	return 0;
}

/* "key = value" -> trimmed key and unquoted value (empty if no '='). */
static void split_pair(struct sv item, struct sv *key, struct sv *val)
{
	long eq = sv_find_char(item, '=');
	if (eq < 0) {
		*key = sv_trim(item);
		*val = sv_make(item.p + item.n, 0);
		return;
	}
	*key = sv_trim(sv_make(item.p, (size_t)eq));
	*val = unquote(sv_make(item.p + eq + 1, item.n - (size_t)eq - 1));
}

/* @return the Data: pairs in p->kv. */
static size_t parse_data(struct fmt_cls *p, struct sv v)
{
	size_t n = 0;
	struct sv item;
	while (n < SFB_MAX_KV && next_item(&v, &item) == 0) {
		if (sv_is_blank(item))
			continue;
		split_pair(item, &p->kv[n].key, &p->kv[n].val);
		n++;
	}
	return n;
}

/* "0xc3e93d67 SIPPROXY_E_..." -> code and name. */
static void parse_rc(struct sv v, uint64_t *code, struct sv *name)
{
	v = sv_trim(v);
	uint64_t x;
	struct sv w = v;
	if (sv_take_hex(&w, 16, 1, &x) == 0 &&
	    (w.n == 0 || w.p[0] == ' ' || w.p[0] == '\t' || w.p[0] == '(')) {
		*code = x;
		if (w.n && w.p[0] == '(')
			sv_skip(&w, 1);
		w = sv_trim(w);
		if (w.n && w.p[w.n - 1] == ')')
			w.n--;
		*name = w;
		return;
	}
	*code = 0;
	*name = v;
}

/*
 * The bracket of a header line names the server only when it holds a
 * letter ("fe01\\fe01"); "[0]" is the CPU number of the WPP prefix.
 */
static struct sv machine_name(struct sv br)
{
	for (size_t i = 0; i < br.n; i++)
		if ((br.p[i] >= 'a' && br.p[i] <= 'z') ||
		    (br.p[i] >= 'A' && br.p[i] <= 'Z'))
			return br;
	return sv_make(br.p, 0);
}

/*
 * The empty lines seen among the headers, when the message has no body
 * (Content-Length 0 or "Message-Body: -"): each becomes the leading
 * blanks of the line after it, which so continues the header before it.
 * In place: "X\n\nY" becomes "X\n Y", same length.  An empty line
 * with nothing after it is left as the end of the headers.
 */
static void fix_hdr_blanks(struct fmt_cls *p)
{
	if (!p->nhblank || !(p->clen == 0 || (p->clen < 0 && p->dash_body)))
		return;
	for (size_t i = 0; i < p->nhblank; i++) {
		size_t at = p->hblank[i];
		char *t = p->txt.p;
		char *nl = at < p->txt.len ? memchr(t + at, '\n',
						    p->txt.len - at) : NULL;
		if (!nl || (size_t)(nl - t) + 1 >= p->txt.keep)
			continue;
		for (char *c = t + at; c <= nl; c++)
			*c = ' ';
		if (!p->nhfixed++)
			p->hfixed_line = p->hblank_line[i];
	}
	p->nhblank = 0;
}

static int emit_rec(struct fmt_cls *p, int cut)
{
	struct fmt_rec r;
	memset(&r, 0, sizeof r);
	const struct cls_hdr *h = &p->h;

	int diag_log = p->has[K_LOGTYPE] &&
		       sv_ieq_cstr(sv_trim(raw_sv(p, p->val[K_LOGTYPE])),
				   "diagnostic");
	if (diag_log)
		r.type = REC_DIAG;
	else if (p->has[K_START] || p->has[K_MTYPE])
		r.type = REC_MSG;
	else if (p->has[K_SEV] || p->has[K_RC] || p->rc_text.len)
		r.type = REC_DIAG;
	else
		r.type = REC_ENTRY;

	r.line_first = p->first;
	r.line_last = p->last_keep;
	r.ts = h->ts;
	r.raw = rec_buf_text(&p->raw);
	r.level = raw_sv(p, h->level);
	r.flag = raw_sv(p, h->flag);
	r.server = machine_name(raw_sv(p, h->server));
	r.cls_pid = h->pid;
	r.cls_tid = h->tid;
	r.seq = h->seq;
	r.component = raw_sv(p, h->component);
	r.function = raw_sv(p, h->function);
	r.src_file = raw_sv(p, h->src_file);
	r.src_line = h->src_line;
	r.record_id = raw_sv(p, h->record_id);
	r.declared_len = -1;
	r.truncated = cut || p->raw.over || p->txt.over;

	r.corr_id = raw_sv(p, p->val[K_CORR]);
	r.instance_id = raw_sv(p, p->val[K_INST]);
	r.peer = raw_sv(p, p->val[K_PEER]);
	r.msg_type = raw_sv(p, p->val[K_MTYPE]);
	r.severity = raw_sv(p, p->val[K_SEV]);
	r.sip_start_line = raw_sv(p, p->val[K_SIP_START]);
	r.sip_call_id = raw_sv(p, p->val[K_SIP_CALLID]);
	r.sip_cseq = raw_sv(p, p->val[K_SIP_CSEQ]);
	r.diag_text = raw_sv(p, p->text_only);
	if (p->rc_text.len)
		parse_rc(raw_sv(p, p->rc_text), &r.result_code,
			 &r.result_name);
	if (p->has[K_DATA]) {
		r.ndata = parse_data(p, raw_sv(p, p->val[K_DATA]));
		r.data = p->kv;
	}
	if (p->has[K_DIR]) {
		struct sv v = raw_sv(p, p->val[K_DIR]), item, k, val;
		if (next_item(&v, &item) == 0) {
			item = sv_trim(item);
			if (sv_ieq_cstr(item, "incoming"))
				r.dir = DIR_IN;
			else if (sv_ieq_cstr(item, "outgoing"))
				r.dir = DIR_OUT;
		}
		while (next_item(&v, &item) == 0) {
			split_pair(item, &k, &val);
			if (sv_ieq_cstr(k, "source"))
				r.dir_source = val;
			else if (sv_ieq_cstr(k, "destination"))
				r.dir_dest = val;
		}
	}
	if (p->bst == B_HDRS)
		fix_hdr_blanks(p);
	if (r.type == REC_MSG) {
		r.remote = r.peer;
		r.text = rec_buf_text(&p->txt);
	} else {
		r.text = raw_sv(p, h->free);
	}

	int over = p->raw.over || p->txt.over;
	unsigned long first = p->first, last = p->last_keep;
	unsigned long fixed = p->nhfixed, fixed_line = p->hfixed_line;
	int64_t ts = h->ts;
	int rc = p->sink.on_rec(p->sink.ud, &r);
	rec_reset(p);
	if (rc)
		return rc;
	if (fixed) {
		snprintf(p->wbuf, sizeof p->wbuf,
			 "empty line inside the headers of the message at "
			 "line %lu: the line after it kept as a header "
			 "continuation (no body)", first);
		rc = emit_warn(p, fixed_line, fixed_line, ts);
		if (rc)
			return rc;
	}
	if (cut) {
		snprintf(p->wbuf, sizeof p->wbuf,
			 "record opened at line %lu cut short: no "
			 "'$$end_record' line", first);
		rc = emit_warn(p, first, last, ts);
		if (rc)
			return rc;
	}
	if (over) {
		snprintf(p->wbuf, sizeof p->wbuf,
			 "record at line %lu over the size limit of %zu "
			 "bytes: cut", first, p->raw.max);
		rc = emit_warn(p, first, last, ts);
	}
	return rc;
}

/* @return the key of a "Key: value" line, or K__COUNT. */
static enum cls_key find_key(const struct fmt_cls *p, struct sv key)
{
	/*
	 * The length first, then the first letter: most lines are SIP
	 * headers, which match no key, so this mostly costs a lookup.
	 */
	if (key.n == 0 || key.n > CLS_KEY_MAXLEN)
		return K__COUNT;
	const unsigned char *cand = p->key_by_len[key.n];
	unsigned char f = sv_lower((unsigned char)key.p[0]);
	for (int i = 0; i < CLS_KEYS_PER_LEN && cand[i] != K__COUNT; i++) {
		const char *name = key_names[cand[i]].s;
		if (sv_lower((unsigned char)name[0]) == f &&
		    sv_ieq(key, sv_make(name, key.n)))
			return (enum cls_key)cand[i];
	}
	return K__COUNT;
}

/* Fill p->key_by_len from key_names. */
static void index_keys(struct fmt_cls *p)
{
	memset(p->key_by_len, K__COUNT, sizeof p->key_by_len);
	for (int k = 0; k < K__COUNT; k++) {
		unsigned char *slot = p->key_by_len[key_names[k].n];
		int i = 0;
		while (i < CLS_KEYS_PER_LEN - 1 && slot[i] != K__COUNT)
			i++;
		/* a key past CLS_KEYS_PER_LEN would be lost: the unit
		 * test that finds every key fails then */
		if (slot[i] == K__COUNT)
			slot[i] = (unsigned char)k;
	}
}

int fmt_cls_key(const struct fmt_cls *p, struct sv name)
{
	enum cls_key k = find_key(p, name);
	return k == K__COUNT ? -1 : (int)k;
}

/* Text: may carry "Result-Code: 0x... NAME" glued on (seen in SfB). */
static void set_text(struct fmt_cls *p, struct sv v, size_t base,
		     const char *line0)
{
	long at = sv_ifind(v, "Result-Code:");
	struct sv t = v;
	if (at >= 0) {
		struct sv rc = sv_trim(sv_make(v.p + at + 12,
					       v.n - (size_t)at - 12));
		t = sv_trim(sv_make(v.p, (size_t)at));
		if (!p->has[K_RC]) {
			p->rc_text.off = base + (size_t)(rc.p - line0);
			p->rc_text.len = rc.n;
		}
	}
	p->text_only.off = base + (size_t)(t.p - line0);
	p->text_only.len = t.n;
}

/*
 * A line of the message headers: Content-Length is noted, an empty
 * line remembered (fix_hdr_blanks decides about it).
 */
static void hdr_line(struct fmt_cls *p, struct sv line,
		     unsigned long lineno)
{
	if (sv_is_blank(line)) {
		if (p->nhblank < CLS_MAX_HBLANK) {
			p->hblank[p->nhblank] = p->txt.len +
						(p->txt.nlines ? 1 : 0);
			p->hblank_line[p->nhblank++] = lineno;
		}
	} else {
		long colon = p->clen < 0 ? sv_find_char(line, ':') : -1;
		struct sv k = colon > 0 ? sv_trim(sv_make(line.p,
					       (size_t)colon)) : SV_NULL;
		uint64_t x;
		if (((k.n == 14 && sv_ieq_cstr(k, "Content-Length")) ||
		     (k.n == 1 && sv_ieq_cstr(k, "l"))) &&
		    sv_to_u64(sv_trim(sv_make(line.p + colon + 1,
					   line.n - (size_t)colon - 1)),
			      &x) && x <= INT64_MAX)
			p->clen = (int64_t)x;
	}
	txt_line(p, line);
}

/* A line of an open record's body (already in raw at base). */
static void body_line(struct fmt_cls *p, struct sv line, size_t base,
		      unsigned long lineno)
{
	if (p->bst == B_BODY) {
		txt_line(p, line);
		return;
	}
	long colon = sv_find_char(line, ':');
	enum cls_key k = K__COUNT;
	struct sv val = SV_NULL;
	if (colon > 0) {
		k = find_key(p, sv_trim(sv_make(line.p, (size_t)colon)));
		val = sv_trim(sv_make(line.p + colon + 1,
				   line.n - (size_t)colon - 1));
	}
	if (k == K_BODY) {
		/*
		 * The blank line between headers and body, then the body;
		 * a dash means there is none.  Without a Start-Line the
		 * body itself is the message (HTTP in some traces).
		 */
		p->has[K_BODY] = 1;
		if (val.n == 1 && val.p[0] == '-')
			p->dash_body = 1;
		if (p->bst == B_HDRS)
			fix_hdr_blanks(p);
		if (p->has[K_START])
			txt_line(p, SV_NULL);
		p->bst = B_BODY;
		if (!p->dash_body && val.n)
			txt_line(p, val);
		return;
	}
	if (p->bst == B_HDRS) {
		hdr_line(p, line, lineno);
		return;
	}
	if (k == K__COUNT) {
		/* "$$begin_record" on a line of its own: tolerated */
		if (sv_starts(sv_trim(line), "$$begin_record"))
			p->h.begin = 1;
		return;
	}
	p->has[k] = 1;
	if (k == K_START) {
		txt_line(p, val);
		p->bst = B_HDRS;
		return;
	}
	struct span s = { base + (size_t)(val.p - line.p), val.n };
	p->val[k] = s;
	if (k == K_TEXT)
		set_text(p, val, base, line.p);
	else if (k == K_RC)
		p->rc_text = s;
}

static int is_end_record(struct sv line)
{
	size_t i = 0;
	while (i < line.n && (line.p[i] == ' ' || line.p[i] == '\t'))
		i++;
	return line.n - i >= 12 && memcmp(line.p + i, "$$end_record", 12) == 0;
}

int fmt_cls_feed(struct fmt_cls *p, struct sv line, unsigned long lineno)
{
	struct cls_hdr h;
	int rc;

	if (parse_header(line, &h, &p->day) != 0) {
		if (!p->open) {
			if (!sv_is_blank(line)) {
				if (!p->junk_n)
					p->junk_first = lineno;
				p->junk_last = lineno;
				p->junk_n++;
			}
			return 0;
		}
		size_t base = raw_line(p, line, lineno);
		if (is_end_record(line))
			return emit_rec(p, 0);
		/* a line that did not fit is consumed, not read */
		if (!p->raw.over)
			body_line(p, line, base, lineno);
		return 0;
	}

	if (p->open) {
		rc = emit_rec(p, p->h.begin);
		if (rc)
			return rc;
	}
	rc = flush_junk(p);
	if (rc)
		return rc;
	p->open = 1;
	p->first = lineno;
	p->h = h;
	/* the header is the first line of raw: its spans stay valid */
	raw_line(p, line, lineno);
	return 0;
}

int fmt_cls_finish(struct fmt_cls *p)
{
	if (p->open) {
		int rc = emit_rec(p, p->h.begin);
		if (rc)
			return rc;
	}
	return flush_junk(p);
}

struct fmt_cls *fmt_cls_new(const struct fmt_sink *sink,
			    const struct fmt_limits *lim)
{
	struct fmt_cls *p = sfb_xcalloc(1, sizeof *p);
	p->sink = *sink;
	size_t max = lim && lim->max_msg ? lim->max_msg : SFB_MAX_MSG;
	rec_buf_init(&p->raw, max);
	rec_buf_init(&p->txt, max);
	index_keys(p);
	rec_reset(p);
	return p;
}

void fmt_cls_free(struct fmt_cls *p)
{
	if (!p)
		return;
	rec_buf_free(&p->raw);
	rec_buf_free(&p->txt);
	free(p);
}
