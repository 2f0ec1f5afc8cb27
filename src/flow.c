/* SPDX-License-Identifier: MIT */
/*
 * flow.c -- the call-flow ladder of `sfblog flow` (see flow.h): parsed
 * messages in, parties and arrows out, then drawn for a terminal.  It
 * sits after the session stage; the caller picks the messages.
 *
 * Parties.  Each message is placed by its own context: a client log
 * (m->server empty) has one "client <local IP>" party and one party
 * per remote endpoint (SIP: the remote as logged; HTTP: the request's
 * Host header, its answers follow the last host asked at that
 * address).  A CLS trace has one party per server (the bracket up to
 * '\'; a record whose bracket names no machine is an unnamed "server")
 * and one per peer host (port dropped: clients use a new port per
 * connection).  Roles come from what each message shows about its
 * sender and receiver (role.c: edge, director, registrar, mediation,
 * web, client), else "server" for a server or a client log's SIP
 * remote and "peer" for a CLS peer.  A peer whose first DNS label
 * is a server's name is that server, so Edge <-> Front End hops draw
 * between the two server columns; a peer party created before its
 * server showed up is turned into the server party then.  Endpoints
 * are found again through a small alias table (key -> party).
 *
 * Columns are kept sorted by role (client, edge, director, registrar,
 * mediation, web, server, peer, "others" last), then by first
 * appearance: a party created or re-roled during flow_add() renumbers
 * parties, arrows and aliases
 * (at most a few times per party, so O(arrows) each time is cheap).
 * When FLOW_MAX_PARTIES are in use and another endpoint appears, the
 * newest party that is neither a server nor the log's own client
 * becomes "others" and every later new endpoint shares it.
 *
 * Text: names, labels and notes are stored as printable ASCII (the
 * ladder is piped and grepped), through the sanitiser of esc.h (secrets
 * masked as secret.h says, then): control
 * and invalid bytes become its visible escapes (`\x1b`), tab and line
 * ends a space, each other non-ASCII character one '?'; a text
 * that does not fit its field ends in '~' (Call-IDs are cut plain, so
 * they stay a prefix).
 *
 * Drawing: one text line per row is composed in a cell buffer of
 * style->width cells (with a parallel "red" mask), so no line can ever
 * be longer than the width; colour escapes are added on output only.
 * Lane spacing: what the longest label needs (at most FLOW_SPACING_MAX,
 * at least FLOW_SPACING_MIN), narrowed to leave the notes
 * FLOW_NOTE_MIN columns; when the lanes do not fit at the minimum,
 * notes are dropped and the spacing goes below the minimum (labels cut
 * harder).
 *
 * Ownership: struct flow owns the party and arrow arrays and every
 * string in them, except flow_arrow.file, borrowed from the message
 * (the caller's file name).  Messages are borrowed for one call.
 * Memory is bounded by max_arrows.  Not shared between threads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "flow.h"
#include "role.h"
#include "secret.h"
#include "sv.h"

#define FLOW_DEFAULT_ARROWS 10000
#define FLOW_SPACING_MIN 14     /* lane spacing the layout aims not to
				 * go below */
#define FLOW_SPACING_MAX 40     /* wider lanes only waste the notes'
				 * room */
#define FLOW_NOTE_MIN 20        /* note room worth narrowing lanes for */
#define FLOW_NOTE_DROP 6        /* below this, notes are not shown */
#define FLOW_WIDTH_MAX 1024     /* cells composed per line */
#define FLOW_ALIASES 128        /* endpoint keys remembered */
#define FLOW_KEY 96

/* What a party stands for; decides how it may change later. */
enum kind {
	KIND_CLIENT,            /* the client log's own endpoint */
	KIND_REMOTE,            /* a client log's remote endpoint */
	KIND_SERVER,            /* a CLS server (bracket) */
	KIND_PEER,              /* a CLS peer that is no known server */
	KIND_OTHERS             /* the shared overflow column */
};

struct meta {
	unsigned seq;           /* creation order: ties in the sort */
	enum kind kind;
	enum role_id role;
	enum role_id fallback;  /* the role without evidence */
	unsigned ev;            /* ROLE_EV_* seen for this party */
	int named;              /* KIND_CLIENT: local IP in the name */
	char label[64];         /* SERVER: its name; PEER: first DNS label
				 * of its host ("" for an IP) */
};

struct alias {
	char key[FLOW_KEY];     /* "c", "s:edge01", "p:host", "r:ip:port",
				 * "a:ip:port", "h:host" */
	int party;
};

struct flow {
	struct flow_party party[FLOW_MAX_PARTIES];
	struct meta meta[FLOW_MAX_PARTIES];
	size_t nparty;
	unsigned seq;
	int others;             /* index of "others", -1 if none */
	int dirty;              /* roles or parties changed: resort */
	struct alias alias[FLOW_ALIASES];
	size_t nalias;
	struct flow_arrow *arrow; /* owned */
	size_t narrow, cap, max;
	uint64_t dropped;
};

/* ---- text -------------------------------------------------------- */

/*
 * Append v to dst (length *len, capacity cap with the NUL) as printable
 * ASCII.  When it does not fit, the last byte kept becomes mark (if
 * non-zero).  dst stays NUL-terminated.
 */
static void put_text(char *dst, size_t cap, size_t *len, struct sv v,
		     char mark)
{
	char form[ESC_MAX];
	size_t mn;
	char *masked;

	if (cap == 0)
		return;
	masked = secret_mask(v, &mn);   /* as esc.c does */
	if (masked)
		v = sv_make(masked, mn);
	for (size_t i = 0; i < v.n;) {
		unsigned char c = (unsigned char)v.p[i];
		size_t flen;
		int kept;

		i += esc_next(v.p + i, v.n - i, 0, form, &flen, &kept);
		if (c == '\t' || c == '\r' || c == '\n') {
			form[0] = ' ';
			flen = 1;
		} else if (kept && flen > 1) {
			form[0] = '?';  /* one cell per character */
			flen = 1;
		}
		if (*len + flen >= cap) {
			if (mark && cap >= 2)
				dst[cap - 2] = mark;
			*len = cap - 1;
			break;
		}
		memcpy(dst + *len, form, flen);
		*len += flen;
	}
	dst[*len] = '\0';
	free(masked);
}

static void put_str(char *dst, size_t cap, size_t *len, const char *s)
{
	put_text(dst, cap, len, sv_cstr(s), '~');
}

static void put_sv(char *dst, size_t cap, size_t *len, struct sv v)
{
	put_text(dst, cap, len, v, '~');
}

/* dst = prefix + v, ASCII-lowered so keys match any case. */
static void make_key(char *dst, const char *prefix, struct sv v)
{
	size_t n = 0;

	put_text(dst, FLOW_KEY, &n, sv_cstr(prefix), 0);
	put_text(dst, FLOW_KEY, &n, v, 0);
	for (char *p = dst; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
}

/* The host of "host:port", "[v6]:port", a bare host or IPv6 address. */
static struct sv host_of(struct sv ep)
{
	ep = sv_trim(ep);
	if (ep.n && ep.p[0] == '[') {
		long e = sv_find_char(ep, ']');
		return e > 0 ? sv_make(ep.p + 1, (size_t)e - 1) : ep;
	}
	long c = sv_find_char(ep, ':');
	if (c < 0)
		return ep;
	struct sv rest = sv_make(ep.p + c + 1, ep.n - (size_t)c - 1);
	if (sv_find_char(rest, ':') >= 0)
		return ep;      /* bare IPv6: no port to drop */
	return sv_make(ep.p, (size_t)c);
}

/* First DNS label of a host name; empty for an IP address. */
static struct sv first_label(struct sv host)
{
	int name = 0;

	for (size_t i = 0; i < host.n; i++) {
		char c = host.p[i];
		if (c == ':')
			return SV_NULL;
		if (c != '.' && (c < '0' || c > '9'))
			name = 1;
	}
	if (!name)
		return SV_NULL;
	long d = sv_find_char(host, '.');
	return d < 0 ? host : sv_make(host.p, (size_t)d);
}

static int all_digits(struct sv v)
{
	for (size_t i = 0; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	return v.n > 0;
}

/* ---- parties ----------------------------------------------------- */

static int alias_find(const struct flow *f, const char *key)
{
	for (size_t i = 0; i < f->nalias; i++)
		if (strcmp(f->alias[i].key, key) == 0)
			return f->alias[i].party;
	return -1;
}

/* Point key at party; when the table is full the key is not kept (a
 * later lookup misses and lands in "others" or a new party). */
static void alias_set(struct flow *f, const char *key, int party)
{
	for (size_t i = 0; i < f->nalias; i++)
		if (strcmp(f->alias[i].key, key) == 0) {
			f->alias[i].party = party;
			return;
		}
	if (f->nalias == FLOW_ALIASES)
		return;
	size_t n = strlen(key);
	memcpy(f->alias[f->nalias].key, key, n + 1);
	f->alias[f->nalias++].party = party;
}

static void set_role(struct flow *f, int i, enum role_id r)
{
	size_t n = 0;

	f->meta[i].role = r;
	put_str(f->party[i].role, sizeof f->party[i].role, &n, role_name(r));
	f->dirty = 1;
}

/* Add evidence about party i and re-decide its role. */
static void add_evidence(struct flow *f, int i, unsigned ev)
{
	struct meta *mt = &f->meta[i];
	if (mt->kind == KIND_CLIENT || mt->kind == KIND_OTHERS)
		return;
	mt->ev |= ev;
	enum role_id r = role_decide(mt->ev, mt->fallback);
	if (r != mt->role)
		set_role(f, i, r);
}

static void set_name(struct flow *f, int i, const char *a, struct sv b)
{
	size_t n = 0;

	put_str(f->party[i].name, sizeof f->party[i].name, &n, a);
	put_sv(f->party[i].name, sizeof f->party[i].name, &n, b);
}

/*
 * The "others" column, made on first need from the newest party that
 * is not a server, not the client and not avoid (the other end of the
 * message being added).
 */
static int others_get(struct flow *f, int avoid)
{
	int best = -1, any = -1;

	if (f->others >= 0)
		return f->others;
	for (size_t i = 0; i < f->nparty; i++) {
		const struct meta *mt = &f->meta[i];
		if ((int)i == avoid)
			continue;
		if (any < 0 || mt->seq > f->meta[any].seq)
			any = (int)i;
		if (mt->kind == KIND_SERVER || mt->kind == KIND_CLIENT)
			continue;
		if (best < 0 || mt->seq > f->meta[best].seq)
			best = (int)i;
	}
	if (best < 0)
		best = any;
	f->meta[best].kind = KIND_OTHERS;
	f->meta[best].label[0] = '\0';
	set_name(f, best, "others", SV_NULL);
	set_role(f, best, ROLE_PEER);
	f->others = best;
	return best;
}

/* @return a new party, or "others" when the columns are used up */
static int party_new(struct flow *f, enum kind k, enum role_id r,
		     const char *name, struct sv name2, int avoid)
{
	if (f->nparty == FLOW_MAX_PARTIES)
		return others_get(f, avoid);
	int i = (int)f->nparty++;
	memset(&f->party[i], 0, sizeof f->party[i]);
	memset(&f->meta[i], 0, sizeof f->meta[i]);
	f->meta[i].seq = f->seq++;
	f->meta[i].kind = k;
	set_name(f, i, name, name2);
	set_role(f, i, r);
	f->meta[i].fallback = r;
	return i;
}

/* Client log: the log's own endpoint. */
static int ucc_client(struct flow *f, const struct msg *m)
{
	struct sv ip = host_of(sv_cstr(m->local));
	int i = alias_find(f, "c");

	if (i < 0) {
		i = party_new(f, KIND_CLIENT, ROLE_CLIENT,
			      ip.n ? "client " : "client", ip, -1);
		alias_set(f, "c", i);
		if (f->meta[i].kind == KIND_CLIENT)
			f->meta[i].named = ip.n > 0;
	} else if (f->meta[i].kind == KIND_CLIENT && !f->meta[i].named &&
		   ip.n) {
		set_name(f, i, "client ", ip);
		f->meta[i].named = 1;
	}
	return i;
}

/* Client log: the remote end of m. */
static int ucc_remote(struct flow *f, const struct msg *m, int avoid)
{
	char key[FLOW_KEY], akey[FLOW_KEY];
	struct sv remote = sv_trim(sv_cstr(m->remote));
	const char *rname = remote.n ? "" : "unknown";
	int i;

	if (m->proto == MSG_HTTP) {
		make_key(akey, "a:", remote);
		if (m->kind == MSG_REQUEST && sv_trim(m->host).n) {
			struct sv host = sv_trim(m->host);
			make_key(key, "h:", host);
			i = alias_find(f, key);
			if (i < 0) {
				i = party_new(f, KIND_REMOTE, ROLE_WEB, "",
					      host, avoid);
				alias_set(f, key, i);
			}
			/* answers carry no Host: they come back from the
			 * address the last request went to (pasted text
			 * has no address: from the last host asked) */
			alias_set(f, akey, i);
			return i;
		}
		i = alias_find(f, akey);
		if (i < 0) {
			i = party_new(f, KIND_REMOTE, ROLE_WEB, rname, remote,
				      avoid);
			alias_set(f, akey, i);
		}
		return i;
	}
	make_key(key, "r:", remote);
	i = alias_find(f, key);
	if (i < 0) {
		i = party_new(f, KIND_REMOTE, ROLE_SERVER, rname, remote,
			      avoid);
		alias_set(f, key, i);
		add_evidence(f, i, role_addr_evidence(remote, 1));
	}
	return i;
}

/* CLS: the server that wrote the record. */
static int cls_server(struct flow *f, const struct msg *m)
{
	char key[FLOW_KEY];
	struct sv br = sv_trim(sv_cstr(m->server)), name = br, rest = br;
	enum role_id r;
	int i;

	sv_split(&rest, '\\', &name);
	make_key(key, "s:", name);
	i = alias_find(f, key);
	if (i >= 0)
		return i;
	r = role_decide(role_name_evidence(br), ROLE_SERVER);
	/* [0] is a CPU number (OCS 2007 R2), not a name */
	int anon = !name.n || all_digits(name);
	for (size_t j = 0; !anon && j < f->nparty; j++) {
		struct meta *mt = &f->meta[j];
		if (mt->kind != KIND_PEER || !mt->label[0] ||
		    !sv_ieq(sv_cstr(mt->label), name))
			continue;
		/* it was this server all along */
		i = (int)j;
		mt->kind = KIND_SERVER;
		mt->fallback = ROLE_SERVER;
		set_name(f, i, "", name);
		add_evidence(f, i, role_name_evidence(br));
		if (mt->role == ROLE_PEER)
			set_role(f, i, r);
		break;
	}
	if (i < 0) {
		i = party_new(f, KIND_SERVER, r, anon ? "server" : "",
			      anon ? SV_NULL : name, -1);
		f->meta[i].ev |= role_name_evidence(br);
	}
	if (f->meta[i].kind == KIND_SERVER) {
		size_t n = 0;
		f->meta[i].label[0] = '\0';
		if (!anon)
			put_text(f->meta[i].label, sizeof f->meta[i].label,
				 &n, name, 0);
	}
	alias_set(f, key, i);
	return i;
}

/* CLS: the peer of the record (a server when its name matches). */
static int cls_peer(struct flow *f, const struct msg *m, int server)
{
	char key[FLOW_KEY];
	struct sv host = host_of(sv_cstr(m->remote));
	struct sv label = first_label(host);
	int i;

	for (size_t j = 0; label.n && j < f->nparty; j++)
		if (f->meta[j].kind == KIND_SERVER &&
		    sv_ieq(sv_cstr(f->meta[j].label), label))
			return (int)j;
	make_key(key, "p:", host);
	i = alias_find(f, key);
	if (i < 0) {
		i = party_new(f, KIND_PEER, ROLE_PEER,
			      host.n ? "" : "unknown", host, server);
		alias_set(f, key, i);
		if (f->meta[i].kind == KIND_PEER) {
			size_t n = 0;
			put_text(f->meta[i].label, sizeof f->meta[i].label,
				 &n, label, 0);
		}
	}
	return i;
}

/* Column order: role, "others" last. */
static int rank(const struct flow *f, size_t i)
{
	if (f->meta[i].kind == KIND_OTHERS)
		return ROLE__COUNT;
	return (int)f->meta[i].role;
}

static int before(const struct flow *f, size_t a, size_t b)
{
	int ra = rank(f, a), rb = rank(f, b);
	return ra != rb ? ra < rb : f->meta[a].seq < f->meta[b].seq;
}

/* Sort the columns by role, then age; renumber everything. */
static void resort(struct flow *f)
{
	size_t ord[FLOW_MAX_PARTIES], n = f->nparty;
	int map[FLOW_MAX_PARTIES], same = 1;
	struct flow_party party[FLOW_MAX_PARTIES];
	struct meta meta[FLOW_MAX_PARTIES];

	f->dirty = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && before(f, i, ord[j - 1])) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	for (size_t k = 0; k < n; k++) {
		map[ord[k]] = (int)k;
		same &= ord[k] == k;
	}
	if (same)
		return;
	for (size_t k = 0; k < n; k++) {
		party[k] = f->party[ord[k]];
		meta[k] = f->meta[ord[k]];
	}
	memcpy(f->party, party, n * sizeof party[0]);
	memcpy(f->meta, meta, n * sizeof meta[0]);
	for (size_t i = 0; i < f->narrow; i++) {
		f->arrow[i].from = map[f->arrow[i].from];
		f->arrow[i].to = map[f->arrow[i].to];
	}
	for (size_t i = 0; i < f->nalias; i++)
		f->alias[i].party = map[f->alias[i].party];
	if (f->others >= 0)
		f->others = map[f->others];
}

/* ---- arrows ------------------------------------------------------ */

/* HTTP target without scheme, authority, query or fragment. */
static struct sv http_path(struct sv uri)
{
	uri = sv_trim(uri);
	if (sv_istarts(uri, "http://") || sv_istarts(uri, "https://")) {
		long s = sv_find(uri, "://");
		sv_skip(&uri, (size_t)s + 3);
		long p = sv_find_char(uri, '/');
		if (p < 0)
			return SV_LIT("/");
		sv_skip(&uri, (size_t)p);
	}
	for (size_t i = 0; i < uri.n; i++)
		if (uri.p[i] == '?' || uri.p[i] == '#')
			return sv_make(uri.p, i);
	return uri;
}

/* "REGISTER", "GET /path", "401 Unauthorized"; "?" if unparsed. */
static void make_label(struct flow_arrow *a, const struct msg *m)
{
	char *d = a->label;
	size_t cap = sizeof a->label, n = 0;

	if (m->kind == MSG_RESPONSE) {
		char num[16];
		snprintf(num, sizeof num, "%d", m->status);
		put_str(d, cap, &n, num);
		if (sv_trim(m->status_reason).n) {
			put_str(d, cap, &n, " ");
			put_sv(d, cap, &n, sv_trim(m->status_reason));
		}
	} else if (m->method.n) {
		put_sv(d, cap, &n, m->method);
		struct sv path = http_path(m->uri);
		if (m->proto == MSG_HTTP && path.n) {
			put_str(d, cap, &n, " ");
			put_sv(d, cap, &n, path);
		}
	} else {
		put_str(d, cap, &n, "?");
	}
}

/* How a diagnostic header is named in a note. */
static const char *diag_name(enum msg_diag_hdr h)
{
	switch (h) {
	case MSG_DIAG_X_MS:
		return "X-Ms-diag";
	case MSG_DIAG_MS_CLIENT:
		return "ms-client-diag";
	default:
		return "ms-diag";
	}
}

/* Auth headers looked at for the note (a message has a handful). */
#define FLOW_NOTE_AUTHS 32

/* 0 challenge, 1 credentials, 2 Authentication-Info */
static int auth_group(enum msg_auth_hdr h)
{
	if (h == MSG_AUTH_WWW || h == MSG_AUTH_PROXY_AUTHENTICATE)
		return 0;
	if (h == MSG_AUTH_AUTHORIZATION || h == MSG_AUTH_PROXY_AUTHORIZATION)
		return 1;
	return 2;
}

/*
 * The schemes of the auth headers of group g, each once, between pre
 * and post: "NTLM, TLS-DSK offered".  @return 1 if any was written
 */
static int put_schemes(char *d, size_t cap, size_t *n, const struct msg *m,
		       int g, const char *pre, const char *post)
{
	size_t lim = m->nauths < FLOW_NOTE_AUTHS ? m->nauths
						 : FLOW_NOTE_AUTHS;
	int any = 0;

	for (size_t i = 0; i < lim; i++) {
		struct sv sc = sv_trim(m->auths[i].scheme);
		int dup = 0;
		if (auth_group(m->auths[i].hdr) != g || !sc.n)
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = auth_group(m->auths[j].hdr) == g &&
			      sv_ieq(sv_trim(m->auths[j].scheme), sc);
		if (dup)
			continue;
		put_str(d, cap, n, any ? ", " : pre);
		put_sv(d, cap, n, sc);
		any = 1;
	}
	if (any)
		put_str(d, cap, n, post);
	return any;
}

/* The diagnostics, else the auth schemes, else a SUBSCRIBE's Event. */
static void make_note(struct flow_arrow *a, const struct msg *m)
{
	char *d = a->note;
	size_t cap = sizeof a->note, n = 0;

	if (m->ndiags) {
		for (size_t i = 0; i < m->ndiags && n + 1 < cap; i++) {
			const struct msg_diag *dg = &m->diags[i];
			char num[40];
			if (dg->sub >= 0)
				snprintf(num, sizeof num, " %lu.%ld",
					 (unsigned long)dg->code,
					 (long)dg->sub);
			else
				snprintf(num, sizeof num, " %lu",
					 (unsigned long)dg->code);
			put_str(d, cap, &n, i ? "; " : "");
			put_str(d, cap, &n, diag_name(dg->hdr));
			put_str(d, cap, &n, num);
			if (sv_trim(dg->reason).n) {
				put_str(d, cap, &n, " ");
				put_sv(d, cap, &n, sv_trim(dg->reason));
			}
		}
		return;
	}
	if (m->nauths) {
		int any = put_schemes(d, cap, &n, m, 0, "", " offered");
		if (put_schemes(d, cap, &n, m, 1, any ? "; auth " : "auth ",
				""))
			any = 1;
		put_schemes(d, cap, &n, m, 2, any ? "; auth-info " :
			    "auth-info ", "");
		if (n)
			return;
	}
	if (sv_trim(m->event).n && (sv_ieq_cstr(m->method, "SUBSCRIBE") ||
	    (m->kind == MSG_RESPONSE &&
	     sv_ieq_cstr(m->cseq_method, "SUBSCRIBE"))))
		put_sv(d, cap, &n, sv_trim(m->event));
}

struct flow *flow_new(size_t max_arrows)
{
	struct flow *f = sfb_xcalloc(1, sizeof *f);

	f->max = max_arrows ? max_arrows : FLOW_DEFAULT_ARROWS;
	f->others = -1;
	return f;
}

void flow_add(struct flow *f, const struct msg *m)
{
	int req, from, to;

	if (!f || !m)
		return;
	req = m->kind != MSG_RESPONSE;
	if (f->narrow >= f->max) {
		f->dropped++;
		return;
	}
	if (!m->server_trace) {
		int c = ucc_client(f, m), r = ucc_remote(f, m, c);
		int out = m->dir == DIR_OUT || (m->dir == DIR_UNKNOWN && req);
		from = out ? c : r;
		to = out ? r : c;
	} else {
		int s = cls_server(f, m), p = cls_peer(f, m, s);
		int in = m->dir == DIR_IN || (m->dir == DIR_UNKNOWN && req);
		from = in ? p : s;
		to = in ? s : p;
	}
	if (from != to) {
		add_evidence(f, from, role_sender_evidence(m));
		add_evidence(f, to, role_receiver_evidence(m));
	}
	if (f->narrow == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 64;
		if (nc > f->max)
			nc = f->max;
		f->arrow = sfb_xrealloc(f->arrow, nc * sizeof f->arrow[0]);
		f->cap = nc;
	}
	struct flow_arrow *a = &f->arrow[f->narrow++];
	size_t n = 0;
	int st = m->kind == MSG_RESPONSE ? m->status : 0;

	memset(a, 0, sizeof *a);
	a->ts = m->ts;
	a->from = from;
	a->to = to;
	a->request = m->kind != MSG_RESPONSE;
	a->file = m->file;
	a->line = m->line_first;
	/* a challenge is the normal first answer of a sign-in */
	a->error = (st >= 400 &&
		    !((st == 401 || st == 407) && m->ndiags == 0)) ||
		   (st >= 300 && m->ndiags > 0);
	make_label(a, m);
	make_note(a, m);
	put_text(a->call_id, sizeof a->call_id, &n, sv_trim(m->call_id), 0);
	if (f->dirty)
		resort(f);
}

size_t flow_nparties(const struct flow *f)
{
	return f ? f->nparty : 0;
}

const struct flow_party *flow_party_get(const struct flow *f, size_t i)
{
	return f && i < f->nparty ? &f->party[i] : NULL;
}

size_t flow_narrows(const struct flow *f)
{
	return f ? f->narrow : 0;
}

const struct flow_arrow *flow_arrow_get(const struct flow *f, size_t i)
{
	return f && i < f->narrow ? &f->arrow[i] : NULL;
}

uint64_t flow_dropped(const struct flow *f)
{
	return f ? f->dropped : 0;
}

void flow_free(struct flow *f)
{
	if (!f)
		return;
	free(f->arrow);
	free(f);
}

/* ---- drawing ----------------------------------------------------- */

/* One composed line: w visible cells, each plain or red. */
struct row {
	char *c;
	unsigned char *red;
	int w;
};

static void row_clear(struct row *r)
{
	memset(r->c, ' ', (size_t)r->w);
	memset(r->red, 0, (size_t)r->w);
}

static void row_put(struct row *r, int x, char ch, int red)
{
	if (x >= 0 && x < r->w) {
		r->c[x] = ch;
		r->red[x] = (unsigned char)red;
	}
}

/* Write s at x, at most max cells, cut with '~'. @return cells used */
static int row_text(struct row *r, int x, const char *s, int max, int red)
{
	int len = (int)strlen(s), k;

	if (max <= 0)
		return 0;
	if (len > max) {
		for (k = 0; k < max - 1; k++)
			row_put(r, x + k, s[k], red);
		row_put(r, x + max - 1, '~', red);
		return max;
	}
	for (k = 0; k < len; k++)
		row_put(r, x + k, s[k], red);
	return len;
}

/* Print the row without trailing blanks; red runs in ANSI colour. */
static void row_emit(FILE *out, const struct row *r, int color)
{
	int end = r->w, red = 0;

	while (end > 0 && r->c[end - 1] == ' ' && !r->red[end - 1])
		end--;
	for (int x = 0; x < end; x++) {
		int want = color && r->red[x];
		if (want != red) {
			fputs(want ? "\033[31m" : "\033[0m", out);
			red = want;
		}
		fputc(r->c[x], out);
	}
	if (red)
		fputs("\033[0m", out);
	fputc('\n', out);
}

/* "HH:MM:SS.mmm", or "+S.mmm" from t0; "?" when unknown. */
static void fmt_time(char *out, size_t cap, int64_t ts, int relative,
		     int64_t t0)
{
	if (ts == SFB_TIME_NONE || (relative && t0 == SFB_TIME_NONE)) {
		snprintf(out, cap, "%s", relative ? "?" : "--:--:--.---");
		return;
	}
	if (!relative) {
		int64_t d = ts % 86400000;
		if (d < 0)
			d += 86400000;
		snprintf(out, cap, "%02d:%02d:%02d.%03d",
			 (int)(d / 3600000), (int)(d / 60000 % 60),
			 (int)(d / 1000 % 60), (int)(d % 1000));
		return;
	}
	if ((t0 < 0 && ts > INT64_MAX + t0) ||
	    (t0 > 0 && ts < INT64_MIN + t0)) {
		snprintf(out, cap, "?");
		return;
	}
	int64_t d = ts - t0;
	uint64_t ad = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	snprintf(out, cap, "%c%llu.%03llu", d < 0 ? '-' : '+',
		 (unsigned long long)(ad / 1000),
		 (unsigned long long)(ad % 1000));
}

/* The layout of one drawing. */
struct layout {
	int w;                  /* line width */
	int timew;              /* time column */
	int x0, s;              /* first lane, lane spacing */
	int notes;              /* notes shown */
	int64_t t0;
};

/* Column of lane i. */
static int lane_x(const struct layout *l, int i)
{
	return l->x0 + i * l->s;
}

/* Label as drawn: "!" marks an error. */
static void arrow_text(char *out, size_t cap, const struct flow_arrow *a)
{
	snprintf(out, cap, "%s%s", a->error ? "!" : "", a->label);
}

/* Time column, lane spacing and whether notes show (see the top). */
static void plan(struct layout *l, const struct flow *f,
		 const struct flow_style *st)
{
	int n = (int)f->nparty, want = 0, maxnote = 0;
	char t[32];

	l->w = st && st->width > 0 ? st->width : 80;
	if (l->w > FLOW_WIDTH_MAX)
		l->w = FLOW_WIDTH_MAX;
	l->t0 = SFB_TIME_NONE;
	for (size_t i = 0; i < f->narrow && l->t0 == SFB_TIME_NONE; i++)
		l->t0 = f->arrow[i].ts;
	l->timew = 12;
	if (st && st->relative) {
		l->timew = 1;
		for (size_t i = 0; i < f->narrow; i++) {
			fmt_time(t, sizeof t, f->arrow[i].ts, 1, l->t0);
			if ((int)strlen(t) > l->timew)
				l->timew = (int)strlen(t);
		}
	}
	l->x0 = l->timew + 2;
	for (size_t i = 0; i < f->narrow; i++) {
		const struct flow_arrow *a = &f->arrow[i];
		int len = (int)strlen(a->label) + (a->error ? 1 : 0);
		int span = abs(a->to - a->from), need;
		if ((int)strlen(a->note) > maxnote)
			maxnote = (int)strlen(a->note);
		if (span == 0) {
			/* "<-+ label" must fit before the next lane */
			if (a->from == n - 1)
				continue;
			need = len + 5;
		} else {
			/* a dash each side, the head, a margin of 3 */
			need = (len + 6 + span - 1) / span;
		}
		if (need > want)
			want = need;
	}
	l->notes = maxnote > 0;
	if (n <= 1) {
		l->s = 0;
	} else {
		int room = l->w - l->x0 - 1;    /* for (n-1) * s */
		if (want < FLOW_SPACING_MIN)
			want = FLOW_SPACING_MIN;
		if (want > FLOW_SPACING_MAX)
			want = FLOW_SPACING_MAX;
		int s1 = room / (n - 1) < want ? room / (n - 1) : want;
		l->s = s1;
		if (l->notes && room - (n - 1) * s1 - 2 < FLOW_NOTE_MIN) {
			/* narrow the lanes for the notes, not below the
			 * minimum, and only if the notes then show */
			int s2 = (room - 2 - FLOW_NOTE_MIN) / (n - 1);
			if (s2 < FLOW_SPACING_MIN)
				s2 = FLOW_SPACING_MIN;
			if (s2 < s1 &&
			    room - (n - 1) * s2 - 2 >= FLOW_NOTE_DROP)
				l->s = s2;
		}
		if (l->s < 2)
			l->s = 2;
	}
	if (l->notes && l->w - (lane_x(l, n - 1) + 3) < FLOW_NOTE_DROP)
		l->notes = 0;
}

/*
 * Header row: each party's name (or role) centred over its lane, cut to
 * its share: the cells up to one before the middle between two lanes;
 * the first name may also use the (blank) time column, the last one
 * the note column.
 */
static void draw_header(FILE *out, struct row *r, const struct layout *l,
			const struct flow *f, int roles, int color)
{
	int n = (int)f->nparty;
	int h = n > 1 ? (l->s - 2) / 2 : l->w;

	if (h < 0)
		h = 0;
	row_clear(r);
	for (int i = 0; i < n; i++) {
		const char *s = roles ? f->party[i].role : f->party[i].name;
		int x = lane_x(l, i), lo = x - h, hi = x + h;
		int len = (int)strlen(s), start;
		if (i == 0 || lo < 0)
			lo = 0;
		if (i == n - 1 || hi > l->w - 1)
			hi = l->w - 1;
		if (hi < lo)
			continue;
		start = x - len / 2;
		if (start + len - 1 > hi)
			start = hi - len + 1;
		if (start < lo)
			start = lo;
		row_text(r, start, s, hi - start + 1, 0);
	}
	row_emit(out, r, color);
}

/*
 * One arrow row: time, lanes, the arrow over the cells between its two
 * lanes with its label centred (head '>' or '<' next to the target
 * lane), or a "<-+ label" self-loop; then the note.
 */
static void draw_arrow(FILE *out, struct row *r, const struct layout *l,
		       const struct flow *f, const struct flow_arrow *a,
		       int color, int relative)
{
	int n = (int)f->nparty, end;
	char t[32], text[80];

	row_clear(r);
	fmt_time(t, sizeof t, a->ts, relative, l->t0);
	row_text(r, l->timew - (int)strlen(t), t, (int)strlen(t), 0);
	for (int i = 0; i < n; i++)
		row_put(r, lane_x(l, i), '|', 0);
	end = lane_x(l, n - 1) + 1;
	arrow_text(text, sizeof text, a);
	if (a->from == a->to) {
		int x = lane_x(l, a->from);
		int hi = a->from < n - 1 ? lane_x(l, a->from + 1) - 1
					 : l->w - 1;
		int k = row_text(r, x + 1, "<-+", hi - x, a->error);
		if (hi - x - k > 1)
			k += 1 + row_text(r, x + k + 2, text, hi - x - k - 1,
					  a->error);
		if (x + k + 1 > end)
			end = x + k + 1;
	} else {
		int lr = a->from < a->to;
		int pa = lane_x(l, lr ? a->from : a->to);
		int pb = lane_x(l, lr ? a->to : a->from);
		int in = pb - pa - 1, room = in - 3;
		for (int x = pa + 1; x < pb; x++)
			row_put(r, x, '-', a->error);
		row_put(r, lr ? pb - 1 : pa + 1, lr ? '>' : '<', a->error);
		if (room >= 1) {
			int len = (int)strlen(text), x, lo, hi;
			if (len > room)
				len = room;
			lo = lr ? pa + 2 : pa + 3;
			hi = lr ? pb - 3 : pb - 2;
			x = pa + 1 + (in - len) / 2;
			if (x + len - 1 > hi)
				x = hi - len + 1;
			if (x < lo)
				x = lo;
			row_text(r, x, text, len, a->error);
		}
	}
	if (l->notes && a->note[0]) {
		int x = end + 2;
		if (x < lane_x(l, n - 1) + 3)
			x = lane_x(l, n - 1) + 3;
		if (l->w - x >= FLOW_NOTE_DROP)
			row_text(r, x, a->note, l->w - x, 0);
	}
	row_emit(out, r, color);
}

void flow_draw(FILE *out, const struct flow *f,
	       const struct flow_style *style)
{
	struct layout l;
	struct row r;
	int color = style && style->color;
	int relative = style && style->relative;

	if (!out || !f || f->narrow == 0 || f->nparty == 0)
		return;
	plan(&l, f, style);
	r.w = l.w;
	r.c = sfb_xmalloc((size_t)l.w);
	r.red = sfb_xmalloc((size_t)l.w);
	draw_header(out, &r, &l, f, 0, color);
	draw_header(out, &r, &l, f, 1, color);
	for (size_t i = 0; i < f->narrow; i++)
		draw_arrow(out, &r, &l, f, &f->arrow[i], color, relative);
	free(r.c);
	free(r.red);
}
