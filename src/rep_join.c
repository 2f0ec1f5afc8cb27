/* SPDX-License-Identifier: MIT */
/*
 * rep_join.c -- stage 7 for stage 5b (join.h): the "joined sign-ins"
 * section of `sfblog analyze` and the joint ladder of `sfblog flow`,
 * as text.  It reads a finished struct join and writes to the FILE it
 * is given; nothing is kept.  Every name and text that comes from a
 * log goes out in terminal form (esc.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "join.h"
#include "rep.h"
#include "rep_color.h"
#include "rep_join.h"
#include "role.h"

#define COLW 16                 /* ladder column width */
#define MAXCOL 6                /* ladder columns: client + servers */

#define E(s) esc_str(t, (s))

/* "Edge", "Director", "Front End" ... for a role.c role. */
static const char *role_label(int r)
{
	switch (r) {
	case ROLE_CLIENT: return "client";
	case ROLE_EDGE: return "Edge";
	case ROLE_DIRECTOR: return "Director";
	case ROLE_REGISTRAR: return "Front End";
	case ROLE_WEB: return "web";
	default: return role_name((enum role_id)r);
	}
}

static const char *stream_of(const struct join_side *s)
{
	return s->file ? s->file : "-";
}

/* "10 min 2 s" for a duration in ms (absolute). */
static void fmt_dur(int64_t ms, char *out, size_t n)
{
	uint64_t a = ms < 0 ? (uint64_t)-ms : (uint64_t)ms;
	if (a >= 60000)
		snprintf(out, n, "%" PRIu64 " min %" PRIu64 " s", a / 60000,
			 a / 1000 % 60);
	else
		snprintf(out, n, "%" PRIu64 ".%03" PRIu64 " s", a / 1000,
			 a % 1000);
}

static void side_finding(FILE *out, struct esc_tmp *t, const char *who,
			 const struct join_side *s, int color)
{
	if (!s->nf) {
		fprintf(out, "    %-7s %s, no finding\n", who,
			sess_outcome_name(s->outcome));
		return;
	}
	const struct join_find *f = &s->f[0];
	fprintf(out, "    %-7s %s%-7s%s %s: %s (%s:%lu)\n", who,
		col(color, sev_color(f->sev)), sfb_sev_name(f->sev),
		col(color, C_RESET), f->rule, E(f->title),
		E(f->file ? f->file : "-"), f->line);
}

static void clock_line(FILE *out, const struct join_facts *fx, int color)
{
	char off[32], skew[32], spread[32];
	if (!fx->have_offset) {
		fputs("    clock:  no message both logs hold: offset "
		      "unknown\n", out);
		return;
	}
	join_fmt_offset(fx->offset_ms, off, sizeof off);
	fmt_dur(fx->skew_ms, skew, sizeof skew);
	fmt_dur(fx->spread_ms, spread, sizeof spread);
	int bad = (fx->skew_ms < 0 ? -fx->skew_ms : fx->skew_ms) >
		  JOIN_SKEW_LIMIT_S * 1000LL;
	fprintf(out, "    clock:  client log time = server UTC %s (median "
		"of %u matched message(s), spread %s)\n", off, fx->nmatched,
		spread);
	if (fx->skew_ms == 0)
		return;
	fprintf(out, "            %sthe client clock is %s %s the servers'"
		" beyond its time zone%s%s\n",
		bad ? col(color, C_RED) : "", skew,
		fx->skew_ms > 0 ? "ahead of" : "behind",
		bad ? ": more than 5 min, Kerberos and TLS-DSK fail" : "",
		bad ? col(color, C_RESET) : "");
}

static void lost_lines(FILE *out, struct esc_tmp *t,
		       const struct join_signin *js)
{
	const struct join_facts *fx = &js->facts;
	for (size_t i = 0; i < fx->nlost; i++) {
		const struct join_msg *m = fx->lost[i].m;
		if (fx->lost[i].to_client)
			fprintf(out, "    lost:   %s (CSeq %" PRIu32 " %s) "
				"sent by %s at %s:%lu, never received by the "
				"client\n", E(m->label), m->cseq,
				E(m->method), E(m->server),
				E(m->file ? m->file : "-"), m->line);
		else
			fprintf(out, "    lost:   %s (CSeq %" PRIu32 ") sent "
				"by the client at %s:%lu, never received by "
				"%s\n", E(m->label), m->cseq,
				E(m->file ? m->file : "-"), m->line,
				E(fx->servers[0] ? fx->servers
						 : "the servers"));
	}
	if (fx->lost_total > fx->nlost)
		fprintf(out, "    ... %u more lost message(s)\n",
			fx->lost_total - (unsigned)fx->nlost);
}

void rep_join_text(FILE *out, const struct join *j, int color, int verbose)
{
	size_t nc, ns;
	struct esc_tmp et = ESC_TMP_INIT, *t = &et;
	join_inputs(j, &nc, &ns);
	if (!nc || !ns)
		return;         /* nothing to join: say nothing */
	size_t n = join_count(j);
	if (!n) {
		fprintf(out, "\njoined sign-ins: none: the %zu client log(s) "
			"and %zu server trace(s) share no Call-ID, endpoint "
			"or user within 14 h (different users or days?)\n",
			nc, ns);
		return;
	}
	fprintf(out, "\njoined sign-ins: %zu (client logs with server "
		"traces)\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct join_signin *js = join_get(j, i);
		const struct join_side *c = js->client;
		const struct join_facts *fx = &js->facts;
		fprintf(out, "  %ssign-in %u of %s%s  %s  client: %s, "
			"servers: %s\n", col(color, C_BOLD), c->id,
			E(stream_of(c)), col(color, C_RESET),
			E(c->user[0] ? c->user : "(no user)"),
			sess_outcome_name(c->outcome),
			sess_outcome_name(fx->server_outcome));
		for (size_t k = 0; k < js->nserver; k++)
			fprintf(out, "    joined: sign-in %u of %s (line %lu)"
				" by %s\n", js->server[k]->id,
				E(stream_of(js->server[k])),
				js->server[k]->first_line,
				join_by_name(fx->by));
		if (fx->servers[0]) {
			fprintf(out, "    seen by:");
			const char *p = fx->servers;
			while (*p) {
				size_t len = strcspn(p, ",");
				char name[48];
				snprintf(name, sizeof name, "%.*s",
					 (int)(len < 47 ? len : 47), p);
				fprintf(out, " %s (%s)%s", E(name),
					role_label(join_party_role(js, name)),
					p[len] ? "," : "");
				p += len;
				while (*p == ',' || *p == ' ')
					p++;
			}
			fputc('\n', out);
		}
		clock_line(out, fx, color);
		side_finding(out, t, "client:", c, color);
		for (size_t k = 0; k < js->nserver; k++)
			side_finding(out, t, "server:", js->server[k], color);
		lost_lines(out, t, js);
		for (size_t k = 0; k < js->nf; k++)
			rep_verdict_finding(out, &js->f[k], color, verbose,
					    1);
	}
	if (join_dropped(j))
		fprintf(out, "  ... %" PRIu64 " sign-in(s) not indexed "
			"(limits: %d client, %d server sign-ins)\n",
			join_dropped(j), JOIN_MAX_CLIENT, JOIN_MAX_SERVER);
	esc_tmp_free(t);
}

/* ---- the joint ladder ------------------------------------------------- */

struct row {
	int64_t t;              /* server time (UTC) */
	const struct join_msg *m;
	unsigned seen;          /* bit per column */
	int lost;               /* 1: lost on its way, 2: to the client */
	size_t order;
};

struct ladder {
	char names[MAXCOL][48];
	int roles[MAXCOL];
	size_t ncol;
	struct row *rows;
	size_t nrows;
};

static size_t column_of(struct ladder *l, const struct join_signin *js,
			const struct join_msg *m, int client)
{
	if (client)
		return 0;
	for (size_t i = 1; i < l->ncol; i++)
		if (!strcmp(l->names[i], m->server))
			return i;
	if (l->ncol < MAXCOL) {
		snprintf(l->names[l->ncol], sizeof l->names[0], "%s",
			 m->server);
		l->roles[l->ncol] = join_party_role(js, m->server);
		return l->ncol++;
	}
	return MAXCOL - 1;
}

static int row_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

/* Columns in hop order: client, Edge, Director, Front End, others. */
static void order_columns(struct ladder *l, size_t *map)
{
	size_t idx[MAXCOL];
	for (size_t i = 0; i < l->ncol; i++)
		idx[i] = i;
	for (size_t i = 2; i < l->ncol; i++)
		for (size_t k = i; k > 1 &&
		     l->roles[idx[k]] < l->roles[idx[k - 1]]; k--) {
			size_t t = idx[k];
			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
	for (size_t i = 0; i < l->ncol; i++)
		map[idx[i]] = i;
}

static int is_lost(const struct join_facts *fx, const struct join_msg *m)
{
	for (size_t i = 0; i < fx->nlost; i++)
		if (fx->lost[i].m == m)
			return fx->lost[i].to_client ? 2 : 1;
	return 0;
}

static void add_rows(struct ladder *l, const struct join_signin *js,
		     const struct join_side *s, int client)
{
	const struct join_facts *fx = &js->facts;
	int64_t off = fx->have_offset ? fx->offset_ms : 0;
	for (size_t i = 0; i < s->nm; i++) {
		const struct join_msg *m = &s->m[i];
		size_t c = column_of(l, js, m, client);
		int64_t t = client && m->ts != SFB_TIME_NONE ? m->ts - off
							      : m->ts;
		struct row *r = NULL;
		for (size_t k = 0; k < l->nrows && !r; k++) {
			const struct join_msg *x = l->rows[k].m;
			if (m->cid ? x->cid == m->cid && x->cseq == m->cseq &&
				     x->request == m->request &&
				     x->status == m->status &&
				     !strcmp(x->method, m->method)
				   /* HTTP: the same line within a second */
				   : !x->cid && x->http && m->http &&
				     !(l->rows[k].seen & 1u << c) &&
				     x->request == m->request &&
				     !strcmp(x->label, m->label) &&
				     t - l->rows[k].t < 1000 &&
				     l->rows[k].t - t < 1000)
				r = &l->rows[k];
		}
		if (!r) {
			r = &l->rows[l->nrows];
			memset(r, 0, sizeof *r);
			r->order = l->nrows++;
			r->m = m;
			r->t = t;
			r->lost = is_lost(fx, m);
		}
		if (!client && t < r->t)
			r->t = t;
		r->seen |= 1u << c;
	}
}

static void draw_row(FILE *out, const struct ladder *l, const size_t *map,
		     const struct row *r, int width)
{
	char line[COLW * MAXCOL + 4];
	char ts[32];
	size_t w = COLW * l->ncol;
	memset(line, ' ', sizeof line);
	unsigned seen = 0;
	for (size_t i = 0; i < l->ncol; i++)
		if (r->seen & (1u << i))
			seen |= 1u << map[i];
	size_t a = MAXCOL, b = 0;
	for (size_t i = 0; i < l->ncol; i++)
		if (seen & (1u << i)) {
			if (a == MAXCOL)
				a = i;
			b = i;
		}
	int left = !r->m->request;
	if (r->lost == 1)
		b = l->ncol > 1 ? 1 : 0;   /* it stopped before the first */
	if (r->lost == 2 || !(seen & 1u))
		a = 0;                      /* from / to the client */
	if (a == b && b + 1 < l->ncol && !r->lost)
		b = a + 1 < l->ncol ? a + 1 : a;
	for (size_t x = a * COLW + 1; x < b * COLW; x++)
		line[x] = '-';
	if (a != b) {
		if (left)
			line[a * COLW + 1] = '<';
		else
			line[b * COLW - 1] = '>';
	}
	for (size_t i = 0; i < l->ncol; i++)
		line[i * COLW] = seen & (1u << i) ? 'o' : '|';
	if (!(seen & 1u) && !r->lost)
		line[0] = '?';
	if (r->lost == 1)
		line[b * COLW] = 'X';
	if (r->lost == 2)
		line[0] = 'X';
	line[w] = '\0';
	while (w && line[w - 1] == ' ')
		line[--w] = '\0';
	sfb_time_fmt(r->t, ts, sizeof ts);
	const char *hm = strchr(ts, 'T');
	int room = width - 14 - (int)(COLW * l->ncol) - 2;
	char label[160];
	snprintf(label, sizeof label, "%s%s%s", r->m->label,
		 r->m->diag ? (r->m->xms ? "  X-Ms-diag " : "  ms-diag ")
			    : "", "");
	if (r->m->diag) {
		size_t k = strlen(label);
		snprintf(label + k, sizeof label - k, "%" PRIu32, r->m->diag);
	}
	if (r->lost)
		snprintf(label + strlen(label), sizeof label - strlen(label),
			 "  LOST");
	size_t n = strlen(label), max = (size_t)(room > 8 ? room : 8);
	fprintf(out, "%-13.13s %-*s  ", hm ? hm + 1 : ts,
		(int)(COLW * l->ncol), line);
	esc_write(out, label, n < max ? n : max, 0);
	fputc('\n', out);
}

void rep_join_draw(FILE *out, const struct join *j, size_t i, int width)
{
	const struct join_signin *js = join_get(j, i);
	if (!js)
		return;
	struct ladder l;
	memset(&l, 0, sizeof l);
	size_t cap = js->client->nm;
	for (size_t k = 0; k < js->nserver; k++)
		cap += js->server[k]->nm;
	l.rows = calloc(cap ? cap : 1, sizeof *l.rows);
	if (!l.rows)
		sfb_oom();
	snprintf(l.names[0], sizeof l.names[0], "client");
	l.roles[0] = ROLE_CLIENT;
	l.ncol = 1;
	for (size_t k = 0; k < js->nserver; k++)
		add_rows(&l, js, js->server[k], 0);
	add_rows(&l, js, js->client, 1);
	qsort(l.rows, l.nrows, sizeof *l.rows, row_cmp);
	size_t map[MAXCOL];
	order_columns(&l, map);
	char off[32] = "unknown";
	if (js->facts.have_offset)
		join_fmt_offset(js->facts.offset_ms, off, sizeof off);
	fprintf(out, "joint ladder: sign-in %u of ", js->client->id);
	esc_puts(out, stream_of(js->client));
	fprintf(out, " with %zu server sign-in(s); times in server UTC "
		"(client log %s)\n", js->nserver, off);
	char head[2][COLW * MAXCOL + 1];
	memset(head, ' ', sizeof head);
	for (size_t c = 0; c < l.ncol; c++) {
		size_t at = map[c] * COLW;
		const char *r = role_label(l.roles[c]);
		memcpy(head[0] + at, l.names[c], strnlen(l.names[c],
		       COLW - 1));
		memcpy(head[1] + at, r, strnlen(r, COLW - 1));
	}
	for (int h = 0; h < 2; h++) {
		size_t w = COLW * l.ncol;
		head[h][w] = '\0';
		while (w && head[h][w - 1] == ' ')
			head[h][--w] = '\0';
		fprintf(out, "%-13s ", "");
		esc_write(out, head[h], w, 0);
		fputc('\n', out);
	}
	for (size_t k = 0; k < l.nrows; k++)
		draw_row(out, &l, map, &l.rows[k], width);
	free(l.rows);
}
