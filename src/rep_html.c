/* SPDX-License-Identifier: MIT */
/*
 * rep_html.c -- the HTML reporter (`sfblog analyze -o html`), last
 * stage of the pipeline: an engine sink (engine.h) that turns the
 * messages, closed sign-in sessions and findings of each stream into
 * one self-contained HTML page (CSS and JavaScript inline, nothing
 * from the network).  Per stream: a verdict banner, the findings by
 * severity, per sign-in the five steps and the ladder as inline SVG
 * (drawn from flow.c's model of the session's messages), the
 * provisioning and location profile, and a message list with the raw
 * text of each message in a <details>.
 *
 * Hostile input: every byte from a log or a file name goes through
 * secret_mask (secret.h) and then rep_html_esc: & < > " ' become
 * entities, control bytes and invalid UTF-8 their visible escapes
 * (esc.h).  Nothing from a log goes into the script: the script reads
 * data-* attributes and DOM text.  A Content-Security-Policy meta tag
 * lets only the report's own script (by a nonce) run.
 *
 * Bounded: at most REP_HTML_MAX_SESS sessions detailed, a ladder of
 * REP_HTML_MAX_ARROWS arrows each, REP_HTML_MAX_MSGS messages listed
 * per stream with at most REP_HTML_MAX_RAW bytes of text each, and
 * REP_HTML_MAX_FINDINGS findings; what is left out is said.
 *
 * Ownership: a struct rep_html is the caller's (rep_html_new /
 * rep_html_free); what the sink callbacks get is borrowed per call.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "rep.h"
#include "rules.h"
#include "secret.h"
#include "sv.h"

#define REP_HTML_MAX_SESS 200
#define REP_HTML_MAX_FLOWS 64      /* ladders being built at once */
#define REP_HTML_MAX_ARROWS 300
#define REP_HTML_MAX_MSGS 500
#define REP_HTML_MAX_RAW 8192
#define REP_HTML_MAX_FINDINGS 100
#define REP_HTML_MAX_ROWS 1000     /* sign-in table rows */

struct html_flow {
	unsigned id;
	struct flow *f;
};

struct html_row {
	unsigned id;
	char user[128];
	enum sess_outcome outcome;
	int64_t start;
	enum sfb_sev sev;
	char top[200];
	int detailed;
};

struct rep_html {
	FILE *out;
	char nonce[40];
	unsigned stream;        /* 1, 2, ... */
	int head_done;
	/* per stream */
	FILE *sess;             /* owned: session sections */
	FILE *msgs;             /* owned: message rows */
	struct html_flow flows[REP_HTML_MAX_FLOWS];
	size_t nflows;
	/*
	 * The last session closed: its section is open until the next
	 * callback, as the message that closed it comes after it.
	 */
	int pend;
	struct html_flow pending;       /* f owned, may be NULL */
	char *tail;             /* owned: its settings, after the ladder */
	size_t ntail;
	uint64_t nmsgs, msgs_dropped;
	size_t ndetailed;
	uint64_t sess_dropped, ladders_dropped;
	struct html_row *rows;
	size_t nrows;
	uint64_t rows_dropped;
	struct finding *f;      /* owned */
	size_t nf;
	uint64_t f_dropped, by_sev[SFB_SEV_ERROR + 1];
};

/* ---- escaping ------------------------------------------------------ */

static void put_ent(FILE *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(p[i], out); break;
		}
	}
}

void rep_html_esc(FILE *out, const char *p, size_t n, int keep_nl)
{
	size_t mn;
	char *masked = secret_mask(sv_make(p, n), &mn);
	if (masked) {
		p = masked;
		n = mn;
	}
	while (n) {
		char form[ESC_MAX];
		size_t fl;
		if (keep_nl && p[0] == '\r' && n > 1 && p[1] == '\n') {
			p++;
			n--;
			continue;
		}
		size_t k = esc_next(p, n, keep_nl ? ESC_KEEP_NL : 0, form,
				    &fl, NULL);
		put_ent(out, form, fl);
		p += k;
		n -= k;
	}
	free(masked);
}

static void esc_s(FILE *out, const char *s)
{
	if (s)
		rep_html_esc(out, s, strlen(s), 0);
}

static void esc_v(FILE *out, struct sv v)
{
	rep_html_esc(out, v.p, v.n, 0);
}

static const char *tfmt(int64_t t, char *buf, size_t n)
{
	if (t == SFB_TIME_NONE)
		return "";
	sfb_time_fmt(t, buf, n);
	return buf;
}

/* ---- the page ------------------------------------------------------ */

static const char css[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}"
"h1{font-size:1.4em}h2{margin-top:1.5em;border-bottom:2px solid #ccc}"
".banner{padding:.6em 1em;border-radius:6px;margin:.5em 0;"
"border-left:8px solid #888;background:#f4f4f4}"
".banner.ok{border-color:#2a8a2a;background:#eef8ee}"
".banner.warning{border-color:#c80;background:#fff6e0}"
".banner.error{border-color:#c22;background:#fdecec}"
".sev{font-weight:bold}.sev.ok{color:#2a8a2a}"
"h4 .sev{display:inline-block;min-width:5em}"
".sev.error{color:#b00}.sev.warning{color:#a60}.sev.info{color:#36c}"
".finding{border:1px solid #ddd;border-radius:4px;padding:.4em .8em;"
"margin:.4em 0}.finding h4{margin:.2em 0}"
"table{border-collapse:collapse;margin:.4em 0}"
"td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
"vertical-align:top}th{background:#f0f0f0}"
".steps{display:flex;gap:4px;list-style:none;padding:0;flex-wrap:wrap}"
".steps li{flex:1;min-width:10em;padding:.3em .5em;border-radius:4px;"
"background:#eee}.steps li.ok{background:#dff0d8}"
".steps li.failed{background:#f8d7da}.steps li.notseen{color:#777}"
".steps li b{display:block}"
".sess{border-top:1px solid #ccc;margin-top:1em}"
"svg.ladder{font:11px monospace;background:#fff}"
"svg .party{font-weight:bold}svg .role{fill:#666}"
"svg .life{stroke:#bbb;stroke-dasharray:4 3}"
"svg .arrow{color:#333}svg .arrow line{stroke:currentColor}"
"svg .arrow.err{color:#c00}svg marker path{fill:#333}"
"svg .arrow.err text{fill:#c00;font-weight:bold}"
"pre{white-space:pre-wrap;word-break:break-all;background:#f8f8f8;"
"padding:.4em;max-height:30em;overflow:auto}"
".ev{font-family:monospace;font-size:12px}"
".filters input{margin-right:.5em}.note{color:#666}"
"tr.err td{color:#b00}"
".dur{display:block;font-size:12px;color:#555}"
"svg.bar{display:block;width:100%;height:6px;margin:3px 0}"
"svg.bar rect{fill:#2a8a2a}svg.bar rect.span{fill:#fff}"
".steps li.failed svg.bar rect{fill:#c22}"
".steps li.failed svg.bar rect.span,.steps li.notseen svg.bar rect.span"
"{fill:#fff}.steps li.notseen svg.bar rect{fill:#999}"
"th[data-sort]{cursor:pointer;white-space:nowrap}td.t{white-space:nowrap}"
"th[aria-sort=descending]::after{content:' \\25bc'}"
"th[aria-sort=ascending]::after{content:' \\25b2'}"
".sess h3 small{font-weight:normal;color:#555}"
"@media print{.filters,#selftest{display:none}"
"details{display:block}pre{max-height:none}"
".sess{page-break-inside:avoid}body{margin:0}}";

/*
 * The report's only script: filters for the message lists, opening the
 * message an arrow or evidence link points at, and a self-test when
 * the page is loaded with #selftest (make test-browser).
 */
static const char js[] =
"(function(){'use strict';var errs=[];"
"window.addEventListener('error',function(e){errs.push('error: '+"
"e.message)});"
"document.addEventListener('securitypolicyviolation',function(e){"
"errs.push('csp: '+e.violatedDirective)});"
"function apply(fs){var q=function(n){return fs.querySelector("
"'[data-f='+n+']').value.trim().toLowerCase()};"
"var m=q('method'),s=q('status'),c=q('callid'),t=q('text'),shown=0;"
"var rows=document.querySelectorAll('#'+fs.dataset.list+' tr.msg');"
"rows.forEach(function(r){var ok=(!m||r.dataset.method.toLowerCase()"
"===m)&&(!s||r.dataset.status.indexOf(s)===0)&&(!c||r.dataset.callid"
".toLowerCase().indexOf(c)>=0)&&(!t||r.textContent.toLowerCase()"
".indexOf(t)>=0);r.hidden=!ok;if(ok)shown++});"
"fs.querySelector('.count').textContent=shown+' shown';return shown}"
"document.querySelectorAll('.filters').forEach(function(fs){"
"fs.hidden=false;fs.addEventListener('input',function(){apply(fs)})});"
"function open(){var h=location.hash.slice(1);if(!h)return;"
"var e=document.getElementById(h);if(!e)return;"
"var d=e.querySelector('details');if(d)d.open=true;"
"var r=e.closest&&e.closest('tr');if(r)r.hidden=false}"
"window.addEventListener('hashchange',open);open();"
"function rowsOf(t){return Array.prototype.slice.call(t.tBodies[0].rows)}"
"function sortBy(t,h,dir){var k=h.dataset.sort,b=t.tBodies[0];"
"rowsOf(t).sort(function(x,y){var a=+x.dataset[k],c=+y.dataset[k];"
"return a!==c?(a<c?-dir:dir):x.dataset.order-y.dataset.order})"
".forEach(function(r){b.appendChild(r)});"
"t.querySelectorAll('th[data-sort]').forEach(function(e){"
"e.setAttribute('aria-sort',e===h?(dir>0?'ascending':'descending')"
":'none')})}"
"document.querySelectorAll('.jsonly').forEach(function(e){e.hidden=false});"
"document.querySelectorAll('table.sortable').forEach(function(t){"
"t.querySelectorAll('th[data-sort]').forEach(function(h){"
"h.tabIndex=0;var go=function(){var a=h.getAttribute('aria-sort');"
"sortBy(t,h,a==='ascending'?-1:a==='descending'?1:+h.dataset.dir)};"
"h.addEventListener('click',go);h.addEventListener('keydown',"
"function(e){if(e.key==='Enter')go()})})});"
"if(location.hash==='#selftest'){var o=[],fs=document.querySelector("
"'.filters');o.push('sessions='+document.querySelectorAll('.sess')"
".length);o.push('findings='+document.querySelectorAll('.finding')"
".length);o.push('findings.error='+document.querySelectorAll("
"'.finding[data-sev=error]').length);"
"document.querySelectorAll('.sess').forEach(function(s){"
"o.push('arrows.'+s.dataset.sess+'='+s.querySelectorAll("
"'svg g.arrow').length)});"
"o.push('scripts='+document.scripts.length);"
"o.push('imgs='+document.images.length);"
"o.push('iframes='+document.querySelectorAll('iframe,object,embed')"
".length);"
"if(fs){var all=document.querySelectorAll('#'+fs.dataset.list+"
"' tr.msg').length;fs.querySelector('[data-f=method]').value="
"'REGISTER';var n=apply(fs),bad=0;document.querySelectorAll('#'+"
"fs.dataset.list+' tr.msg').forEach(function(r){if(!r.hidden&&"
"r.dataset.method!=='REGISTER')bad++});o.push('msgs='+all);"
"o.push('filter.register='+n);o.push('filter.bad='+bad);"
"fs.querySelector('[data-f=method]').value='';"
"o.push('filter.reset='+apply(fs))}"
"var tt=document.querySelector('table.sortable');"
"if(tt){var mono=function(k,d){var bad=0,rs=rowsOf(tt);"
"for(var i=1;i<rs.length;i++)if(d*(rs[i].dataset[k]-"
"rs[i-1].dataset[k])<0)bad++;return bad};"
"o.push('rows='+rowsOf(tt).length);o.push('sorted.sev='+mono('sev',-1));"
"o.push('unsorted.time='+mono('t',1));"
"tt.querySelector('th[data-sort=t]').click();"
"o.push('sort.time.bad='+mono('t',1));"
"tt.querySelector('th[data-sort=sev]').click();"
"o.push('sort.sev.bad='+mono('sev',-1));"
"o.push('sort.sev.top='+rowsOf(tt)[0].dataset.sev);"
"var ls=tt.querySelectorAll('a[href^=\"#\"]'),lb=0;ls.forEach("
"function(a){if(!document.getElementById(a.getAttribute('href')"
".slice(1)))lb++});o.push('links='+ls.length);o.push('links.bad='+lb)}"
"o.push('title='+document.title);"
"o.push('errors='+errs.length);errs.forEach(function(e){o.push(e)});"
"var p=document.getElementById('selftest');p.hidden=false;"
"p.textContent=o.join('\\n')+'\\nselftest=done'}})();";

void rep_html_page_head(FILE *o, const char *nonce, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head>"
	      "<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\""
	      "default-src 'none'; script-src 'nonce-", o);
	fputs(nonce, o);
	fputs("'; style-src 'unsafe-inline'; img-src data:; "
	      "base-uri 'none'; form-action 'none'\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<title>", o);
	esc_s(o, title);
	fputs("</title>\n<style>", o);
	fputs(css, o);
	fputs("</style></head><body>\n<h1>", o);
	esc_s(o, title);
	fputs("</h1>\n<pre id=\"selftest\" hidden></pre>\n", o);
}

static void page_head(struct rep_html *h)
{
	rep_html_page_head(h->out, h->nonce, "sfblog report");
	h->head_done = 1;
}

void rep_html_nonce(char *out, size_t n, const char *given)
{
	if (given) {
		snprintf(out, n, "%s", given);
		return;
	}
	unsigned char b[16] = { 0 };
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(b, 1, sizeof b, f) : 0;
	if (f)
		fclose(f);
	if (got != sizeof b) {
		/* no randomness: still a valid nonce, just a guessable one */
		memset(b, 0x5a, sizeof b);
	}
	size_t k = 0;
	for (size_t i = 0; i < sizeof b && k + 3 <= n; i++)
		k += (size_t)snprintf(out + k, n - k, "%02x", b[i]);
}

struct rep_html *rep_html_new(FILE *out, const char *nonce)
{
	struct rep_html *h = sfb_xcalloc(1, sizeof *h);
	h->out = out;
	rep_html_nonce(h->nonce, sizeof h->nonce, nonce);
	return h;
}

static void ladder(struct rep_html *h, FILE *o, unsigned sid,
		   const struct flow *f);

/* Close the section of the last session: its ladder. */
static void flush_pending(struct rep_html *h)
{
	if (!h->pend)
		return;
	h->pend = 0;
	fputs("<h4>ladder</h4>\n", h->sess);
	if (h->pending.f)
		ladder(h, h->sess, h->pending.id, h->pending.f);
	else
		fputs("<p class=\"note\">ladder not kept (too many sign-ins "
		      "at once)</p>\n", h->sess);
	if (h->tail)
		fwrite(h->tail, 1, h->ntail, h->sess);
	fputs("</section>\n", h->sess);
	flow_free(h->pending.f);
	h->pending.f = NULL;
	free(h->tail);
	h->tail = NULL;
}

static void stream_reset(struct rep_html *h)
{
	flow_free(h->pending.f);
	h->pending.f = NULL;
	h->pend = 0;
	free(h->tail);
	h->tail = NULL;
	if (h->sess)
		fclose(h->sess);
	if (h->msgs)
		fclose(h->msgs);
	h->sess = h->msgs = NULL;
	for (size_t i = 0; i < h->nflows; i++)
		flow_free(h->flows[i].f);
	h->nflows = 0;
	free(h->rows);
	free(h->f);
	h->rows = NULL;
	h->f = NULL;
	h->nrows = h->nf = h->ndetailed = 0;
	h->nmsgs = h->msgs_dropped = h->sess_dropped = 0;
	h->ladders_dropped = h->rows_dropped = h->f_dropped = 0;
	memset(h->by_sev, 0, sizeof h->by_sev);
}

int rep_html_stream(struct rep_html *h)
{
	if (!h->head_done)
		page_head(h);
	stream_reset(h);
	h->stream++;
	h->sess = tmpfile();
	h->msgs = tmpfile();
	return h->sess && h->msgs ? 0 : -1;
}

/* ---- messages -------------------------------------------------------- */

static struct flow *flow_of(struct rep_html *h, unsigned id, int create)
{
	for (size_t i = 0; i < h->nflows; i++)
		if (h->flows[i].id == id)
			return h->flows[i].f;
	if (!create || h->nflows >= REP_HTML_MAX_FLOWS ||
	    h->ndetailed + h->nflows >= REP_HTML_MAX_SESS)
		return NULL;
	h->flows[h->nflows].id = id;
	h->flows[h->nflows].f = flow_new(REP_HTML_MAX_ARROWS);
	return h->flows[h->nflows++].f;
}

static void msg_anchor(FILE *o, unsigned stream, const char *file,
		       unsigned long line)
{
	/* file names are not in ids: stream and line are enough */
	(void)file;
	fprintf(o, "m%u-%lu", stream, line);
}

void rep_html_on_msg(void *ud, const struct msg *m,
		     const struct fmt_rec *rec, unsigned session, int copy)
{
	struct rep_html *h = ud;
	(void)rec;
	(void)copy;
	int late = h->pend && session && session == h->pending.id;
	if (late && h->pending.f)
		flow_add(h->pending.f, m);
	flush_pending(h);
	if (session && !late) {
		struct flow *f = flow_of(h, session, 1);
		if (f)
			flow_add(f, m);
	}
	if (!h->msgs)
		return;
	if (h->nmsgs >= REP_HTML_MAX_MSGS) {
		h->msgs_dropped++;
		return;
	}
	h->nmsgs++;
	FILE *o = h->msgs;
	char lab[80], tb[32];
	struct sv meth = m->kind == MSG_RESPONSE ? m->cseq_method : m->method;
	msg_label(m, lab, sizeof lab);
	/* errors as the ladder marks them: not a plain 401/407 challenge */
	int err = m->status >= 400 && m->status != 401 && m->status != 407;
	fprintf(o, "<tr class=\"msg%s\" id=\"", err ? " err" : "");
	msg_anchor(o, h->stream, m->file, m->line_first);
	fputs("\" data-method=\"", o);
	esc_v(o, meth);
	fprintf(o, "\" data-status=\"%d\" data-callid=\"", m->status);
	esc_v(o, m->call_id);
	fprintf(o, "\"><td>%s</td><td class=\"ev\">", tfmt(m->ts, tb,
							   sizeof tb));
	esc_s(o, m->file);
	fprintf(o, ":%lu</td><td>%s</td><td>", m->line_first,
		m->dir == DIR_IN ? "in" : m->dir == DIR_OUT ? "out"
		: "");
	esc_s(o, lab);
	if (m->kind == MSG_RESPONSE) {
		fputc(' ', o);
		esc_v(o, m->status_reason);
	}
	fputs("</td><td class=\"ev\">", o);
	esc_v(o, m->call_id);
	fputs("</td><td>", o);
	if (session)
		fprintf(o, "<a href=\"#s%u-%u\">%u</a>", h->stream, session,
			session);
	fputs("</td><td><details><summary>text</summary><pre>", o);
	size_t n = m->len > REP_HTML_MAX_RAW ? REP_HTML_MAX_RAW : m->len;
	rep_html_esc(o, m->text, n, 1);
	if (n < m->len)
		fprintf(o, "\n[... %zu more byte(s) not shown]", m->len - n);
	fputs("</pre></details></td></tr>\n", o);
}

/* ---- sessions ------------------------------------------------------ */

static void keep_finding(struct rep_html *h, const struct finding *f)
{
	if (f->sev <= SFB_SEV_ERROR)
		h->by_sev[f->sev]++;
	if (h->nf < REP_HTML_MAX_FINDINGS) {
		if (!h->f)
			h->f = sfb_xcalloc(REP_HTML_MAX_FINDINGS,
					   sizeof *h->f);
		h->f[h->nf++] = *f;
		return;
	}
	size_t low = 0;
	for (size_t i = 1; i < h->nf; i++)
		if (h->f[i].sev < h->f[low].sev)
			low = i;
	h->f_dropped++;
	if (h->f[low].sev < f->sev)
		h->f[low] = *f;
}

static const char *outcome_class(enum sess_outcome o)
{
	return o == SESS_SIGNED_IN ? "ok" : o == SESS_FAILED_OUT ? "error"
	       : "warning";
}

static void ladder(struct rep_html *h, FILE *o, unsigned sid,
		   const struct flow *f)
{
	size_t np = flow_nparties(f), na = flow_narrows(f);
	const int colw = 170, left = 100, top = 44, rowh = 22;
	if (!na) {
		fputs("<p class=\"note\">no message of this sign-in was "
		      "kept for a ladder</p>\n", o);
		return;
	}
	int w = left + (int)np * colw + 160;	/* room for loop labels */
	int hgt = top + (int)na * rowh + 10;
	fprintf(o, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/"
		"svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\"><defs><marker id=\"ah%u-%u\" markerWidth=\"8\" "
		"markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\">"
		"<path d=\"M0,0 L8,4 L0,8 z\"/></marker></defs>\n", w, hgt,
		w, hgt, h->stream, sid);
	for (size_t i = 0; i < np; i++) {
		const struct flow_party *p = flow_party_get(f, i);
		int x = left + (int)i * colw + colw / 2;
		fprintf(o, "<text class=\"party\" x=\"%d\" y=\"14\" "
			"text-anchor=\"middle\">", x);
		rep_html_esc(o, p->name, strnlen(p->name, 26), 0);
		fprintf(o, "</text><text class=\"role\" x=\"%d\" y=\"28\" "
			"text-anchor=\"middle\">", x);
		esc_s(o, p->role);
		fprintf(o, "</text><line class=\"life\" x1=\"%d\" y1=\"34\" "
			"x2=\"%d\" y2=\"%d\"/>\n", x, x, hgt);
	}
	int64_t t0 = flow_arrow_get(f, 0)->ts;
	for (size_t i = 0; i < na; i++) {
		const struct flow_arrow *a = flow_arrow_get(f, i);
		int y = top + (int)i * rowh + 14;
		int x1 = left + a->from * colw + colw / 2;
		int x2 = left + a->to * colw + colw / 2;
		fprintf(o, "<g class=\"arrow%s\"><a href=\"#", a->error
			? " err" : "");
		msg_anchor(o, h->stream, a->file, a->line);
		fputs("\"><title>", o);
		esc_s(o, a->file);
		fprintf(o, ":%lu ", a->line);
		esc_s(o, a->label);
		if (a->note[0]) {
			fputs(" -- ", o);
			esc_s(o, a->note);
		}
		fputs("</title>", o);
		if (a->ts != SFB_TIME_NONE && t0 != SFB_TIME_NONE)
			fprintf(o, "<text x=\"4\" y=\"%d\">+%.3f s</text>", y,
				(double)(a->ts - t0) / 1000.0);
		if (x1 == x2) {
			/* a message within one party: a loop, label beside */
			fprintf(o, "<path d=\"M%d,%d h30 v10 h-28\" "
				"fill=\"none\" stroke=\"currentColor\" "
				"marker-end=\"url(#ah%u-%u)\"/><text x=\"%d\""
				" y=\"%d\">", x1, y - 8, h->stream, sid,
				x1 + 36, y);
		} else {
			fprintf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2="
				"\"%d\" marker-end=\"url(#ah%u-%u)\"/><text x="
				"\"%d\" y=\"%d\" text-anchor=\"middle\">", x1,
				y, x2, y, h->stream, sid, (x1 + x2) / 2,
				y - 3);
		}
		if (a->error)
			fputs("! ", o);
		rep_html_esc(o, a->label, strnlen(a->label, 40), 0);
		fputs("</text></a></g>\n", o);
	}
	fputs("</svg>\n", o);
	if (flow_dropped(f))
		fprintf(o, "<p class=\"note\">%" PRIu64 " more message(s) "
			"not drawn</p>\n", flow_dropped(f));
}

static void evidence_li(FILE *o, unsigned stream, const char *file,
			unsigned long line, int64_t ts, const char *text)
{
	char tb[32];
	fputs("<li class=\"ev\">", o);
	if (stream) {
		fputs("<a href=\"#", o);
		msg_anchor(o, stream, file, line);
		fputs("\">", o);
	}
	esc_s(o, file);
	fprintf(o, ":%lu%s %s ", line, stream ? "</a>" : "",
		tfmt(ts, tb, sizeof tb));
	esc_s(o, text);
	fputs("</li>\n", o);
}

/* A duration in ms as people read it: "412 ms", "3.250 s", "2 min 5 s". */
void rep_html_dur(int64_t ms, char *out, size_t n)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(out, n, "%" PRId64 " ms", ms);
	else if (ms < 60000)
		snprintf(out, n, "%.3f s", (double)ms / 1000.0);
	else if (ms < 3600000)
		snprintf(out, n, "%" PRId64 " min %" PRId64 " s", ms / 60000,
			 ms / 1000 % 60);
	else
		snprintf(out, n, "%" PRId64 " h %" PRId64 " min", ms / 3600000,
			 ms / 60000 % 60);
}

/*
 * When a step happened: its offset from the start of the sign-in and
 * how long it took (first to last line of its evidence), as text and
 * as a bar over the sign-in's span.  A step without a time says so.
 */
static void step_time(FILE *o, const struct sess *s,
		      const struct sess_step *st)
{
	char a[40], b[40];
	if (st->status == SESS_NOT_SEEN && !st->nev_total)
		return;
	if (st->first_ts == SFB_TIME_NONE || s->start == SFB_TIME_NONE) {
		fputs("<span class=\"dur\">no times</span>", o);
		return;
	}
	int64_t off = st->first_ts - s->start;
	int64_t dur = st->last_ts - st->first_ts;
	int64_t span = s->end != SFB_TIME_NONE && s->end > s->start
		       ? s->end - s->start : 0;
	rep_html_dur(off, a, sizeof a);
	rep_html_dur(dur, b, sizeof b);
	fprintf(o, "<span class=\"dur\" data-ms=\"%" PRId64 "\">at +%s",
		dur, a);
	if (dur > 0)
		fprintf(o, ", took %s", b);
	fputs("</span>", o);
	if (span > 0) {
		/* per mille of the sign-in, at least a sliver to be seen */
		int64_t l = off * 1000 / span, w = dur * 1000 / span;
		if (l > 995)
			l = 995;
		if (w < 5)
			w = 5;
		if (l + w > 1000)
			w = 1000 - l;
		fprintf(o, "<svg class=\"bar\" viewBox=\"0 0 1000 8\" "
			"preserveAspectRatio=\"none\" role=\"img\"><rect "
			"class=\"span\" width=\"1000\" height=\"8\"/><rect "
			"x=\"%" PRId64 "\" width=\"%" PRId64 "\" "
			"height=\"8\"/></svg>", l, w);
	}
}

static void steps(FILE *o, unsigned stream, const struct sess *s)
{
	fputs("<ol class=\"steps\">\n", o);
	for (int k = SFB_STEP_DISCOVERY; k < SFB_STEP__COUNT; k++) {
		const struct sess_step *st = &s->steps[k];
		const char *cls = st->status == SESS_OK ? "ok"
				  : st->status == SESS_FAILED ? "failed"
				  : "notseen";
		fprintf(o, "<li class=\"%s\" data-step=\"%s\"><b>%s: %s</b>",
			cls, sfb_step_name((enum sfb_step)k),
			sfb_step_name((enum sfb_step)k),
			sess_status_name(st->status));
		step_time(o, s, st);
		esc_s(o, st->summary);
		if (st->nev) {
			fputs("<details><summary>evidence</summary><ul>", o);
			for (size_t i = 0; i < st->nev; i++)
				evidence_li(o, stream, st->ev[i].file,
					    st->ev[i].line, st->ev[i].ts,
					    st->ev[i].text);
			if (st->nev_total > st->nev)
				fprintf(o, "<li>%" PRIu64 " more</li>",
					st->nev_total - st->nev);
			fputs("</ul></details>", o);
		}
		fputs("</li>\n", o);
	}
	fputs("</ol>\n", o);
}

static void settings(FILE *o, const struct sess *s)
{
	fputs("<table><tr><th>setting</th><th>status</th><th>code</th>"
	      "</tr>\n", o);
	for (int i = 0; i < SESS_SET__COUNT; i++)
		fprintf(o, "<tr><td>%s</td><td>%s</td><td>%d</td></tr>\n",
			sess_setting_name((enum sess_setting_id)i),
			sess_status_name(s->settings[i].status),
			s->settings[i].code);
	fputs("</table>\n", o);
	if (s->location_profile[0]) {
		fputs("<h4>location profile</h4><table><tr><th>profile</th>"
		      "<th>rules</th></tr><tr><td>", o);
		esc_s(o, s->location_profile);
		fprintf(o, "</td><td>%u</td></tr></table>\n",
			s->location_rules);
	}
	if (s->nprops) {
		fputs("<details><summary>in-band provisioning</summary>"
		      "<table><tr><th>group</th><th>name</th><th>value</th>"
		      "</tr>\n", o);
		for (size_t i = 0; i < s->nprops; i++) {
			const struct sess_prop *p = &s->props[i];
			fputs("<tr><td>", o);
			if (p->group < s->ngroups)
				esc_s(o, s->groups[p->group]);
			fputs("</td><td>", o);
			esc_s(o, p->name);
			fputs("</td><td>", o);
			esc_s(o, p->value);
			fputs("</td></tr>\n", o);
		}
		fputs("</table>", o);
		if (s->nprops_total > s->nprops)
			fprintf(o, "<p class=\"note\">%" PRIu64 " more "
				"properties not kept</p>",
				s->nprops_total - s->nprops);
		fputs("</details>\n", o);
	}
}

/* Who, when, how it ended, where in the log: a sign-in's verdict. */
static void sess_banner(FILE *o, const struct sess *s)
{
	char tb[32], tb2[32], am[64];
	fprintf(o, "<div class=\"banner %s\"><b>%s</b> ",
		outcome_class(s->outcome), sess_outcome_name(s->outcome));
	esc_s(o, s->outcome_text);
	fprintf(o, "<br>%s to %s", tfmt(s->start, tb, sizeof tb),
		tfmt(s->end, tb2, sizeof tb2));
	if (s->signin_ms >= 0)
		fprintf(o, " (signed in after %.3f s)",
			(double)s->signin_ms / 1000.0);
	fputs("<br><span class=\"ev\">", o);
	esc_s(o, s->file);
	fprintf(o, ":%lu-%lu</span>", s->first_line, s->last_line);
	if (s->client_version[0]) {
		fputs("<br>client: ", o);
		esc_s(o, s->client_version);
	}
	if (s->server[0]) {
		fputs("<br>server: ", o);
		esc_s(o, s->server);
	}
	fprintf(o, "<br>auth: %s, %u REGISTER(s)",
		s->auth_used ? sess_auth_names(s->auth_used, am, sizeof am)
		: "none seen", s->register_total);
	fputs("</div>\n", o);
}

/* The section of a session, but its ladder (flush_pending). */
static void session_section(struct rep_html *h, const struct sess *s,
			    const struct finding *f, size_t nf)
{
	FILE *o = h->sess;
	fprintf(o, "<section class=\"sess\" id=\"s%u-%u\" data-sess=\"%u\" "
		"data-outcome=\"%s\">\n<h3>sign-in %u: ", h->stream, s->id,
		s->id, sess_outcome_name(s->outcome), s->id);
	esc_s(o, s->user[0] ? s->user : "(user unknown)");
	fputs("</h3>\n", o);
	sess_banner(o, s);
	if (nf) {
		fputs("<p>findings: ", o);
		for (size_t i = 0; i < nf; i++) {
			fprintf(o, "%s<span class=\"sev %s\">%s</span> ",
				i ? ", " : "", sfb_sev_name(f[i].sev),
				sfb_sev_name(f[i].sev));
			esc_s(o, f[i].rule->id);
		}
		fputs("</p>\n", o);
	}
	fputs("<h4>steps</h4>\n", o);
	steps(o, h->stream, s);
	/* the settings go after the ladder (flush_pending) */
	FILE *t = open_memstream(&h->tail, &h->ntail);
	if (t) {
		fputs("<h4>settings</h4>\n", t);
		settings(t, s);
		fclose(t);
	}
}

void rep_html_on_session(void *ud, const struct sess *s,
			 const struct finding *f, size_t nf)
{
	struct rep_html *h = ud;
	flush_pending(h);
	for (size_t i = 0; i < nf; i++)
		keep_finding(h, &f[i]);
	size_t fi = h->nflows;
	for (size_t i = 0; i < h->nflows; i++)
		if (h->flows[i].id == s->id)
			fi = i;
	struct flow *fl = fi < h->nflows ? h->flows[fi].f : NULL;
	int detail = h->sess && h->ndetailed < REP_HTML_MAX_SESS;
	if (detail) {
		h->ndetailed++;
		if (!fl)
			h->ladders_dropped++;
		session_section(h, s, f, nf);
		h->pend = 1;
		h->pending.id = s->id;
		h->pending.f = fl;
	} else {
		h->sess_dropped++;
		flow_free(fl);
	}
	if (fl)
		h->flows[fi] = h->flows[--h->nflows];
	if (h->nrows >= REP_HTML_MAX_ROWS) {
		h->rows_dropped++;
		return;
	}
	if (!h->rows)
		h->rows = sfb_xcalloc(REP_HTML_MAX_ROWS, sizeof *h->rows);
	struct html_row *r = &h->rows[h->nrows++];
	r->id = s->id;
	snprintf(r->user, sizeof r->user, "%s", s->user);
	r->outcome = s->outcome;
	r->start = s->start;
	r->detailed = detail;
	if (nf && f[0].sev > SFB_SEV_INFO) {
		r->sev = f[0].sev;
		snprintf(r->top, sizeof r->top, "%s", f[0].title);
	}
}

/* ---- end of a stream ----------------------------------------------- */

static int finding_order(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	return (a->session > b->session) - (a->session < b->session);
}

/* One finding in full; stream 0: no links to messages or sign-ins. */
static void finding_block(FILE *o, unsigned stream, const struct finding *f)
{
	fprintf(o, "<div class=\"finding\" data-sev=\"%s\"><h4><span "
		"class=\"sev %s\">%s</span> ", sfb_sev_name(f->sev),
		sfb_sev_name(f->sev), sfb_sev_name(f->sev));
	esc_s(o, f->title);
	fputs(" <small>(", o);
	esc_s(o, f->rule->id);
	if (f->session && stream)
		fprintf(o, ", <a href=\"#s%u-%u\">sign-in %u</a>", stream,
			f->session, f->session);
	if (f->count > 1)
		fprintf(o, ", %" PRIu64 " times", f->count);
	fputs(")</small></h4>\n<p><b>Why:</b> ", o);
	rep_html_esc(o, f->explanation, strlen(f->explanation), 1);
	fputs("</p>\n<p><b>What to do:</b> ", o);
	rep_html_esc(o, f->remediation, strlen(f->remediation), 1);
	fputs("</p>\n", o);
	if (f->nev) {
		fputs("<ul>", o);
		for (size_t i = 0; i < f->nev; i++)
			evidence_li(o, stream, f->ev[i].file,
				    f->ev[i].line, f->ev[i].ts,
				    f->ev[i].text);
		if (f->evidence_total > f->nev)
			fprintf(o, "<li>%" PRIu64 " more</li>",
				f->evidence_total - f->nev);
		fputs("</ul>\n", o);
	}
	if (f->rule->nrefs) {
		fputs("<p class=\"note\">see: ", o);
		for (size_t i = 0; i < f->rule->nrefs; i++) {
			if (i)
				fputs("; ", o);
			esc_s(o, f->rule->refs[i]);
		}
		fputs("</p>\n", o);
	}
	fputs("</div>\n", o);
}

char *rep_html_tri_detail(const struct sess *s, const struct finding *f,
			  size_t nf, size_t *len)
{
	char *buf = NULL;
	FILE *o = open_memstream(&buf, len);
	if (!o)
		return NULL;
	sess_banner(o, s);
	fputs("<h4>steps</h4>\n", o);
	steps(o, 0, s);
	if (nf) {
		fputs("<h4>findings</h4>\n", o);
		for (size_t i = 0; i < nf; i++)
			finding_block(o, 0, &f[i]);
	}
	fputs("<details><summary>settings</summary>\n", o);
	settings(o, s);
	fputs("</details>\n", o);
	if (fclose(o) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void copy_file(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	if (!from)
		return;
	rewind(from);
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		fwrite(buf, 1, n, to);
}

static void banner(struct rep_html *h, const struct ana *a)
{
	FILE *o = h->out;
	enum sfb_sev worst = SFB_SEV_NONE;
	for (int s = SFB_SEV_ERROR; s > SFB_SEV_NONE && !worst; s--)
		if (h->by_sev[s])
			worst = (enum sfb_sev)s;
	const char *cls = a && a->failed ? "error"
			  : worst >= SFB_SEV_WARNING ? sfb_sev_name(worst)
			  : "ok";
	fprintf(o, "<div class=\"banner %s\" id=\"verdict%u\">", cls,
		h->stream);
	if (!a) {
		fputs("no statistics</div>\n", o);
		return;
	}
	if (a->failed) {
		fputs("<b>not read:</b> ", o);
		esc_s(o, a->error);
		fputs("</div>\n", o);
		return;
	}
	fprintf(o, "<b>%" PRIu64 " sign-in(s)</b>: %" PRIu64 " signed in, %"
		PRIu64 " failed, %" PRIu64 " incomplete", a->sess_total,
		a->sess_signed_in, a->sess_failed, a->sess_incomplete);
	if (h->nrows && h->rows[0].user[0]) {
		char tb[32];
		fputs("<br>who: ", o);
		esc_s(o, h->rows[0].user);
		fprintf(o, ", from %s", tfmt(h->rows[0].start, tb,
					     sizeof tb));
	}
	if (h->nf && h->f[0].sev > SFB_SEV_INFO) {
		fprintf(o, "<br>top finding: <span class=\"sev %s\">%s"
			"</span> ", sfb_sev_name(h->f[0].sev),
			sfb_sev_name(h->f[0].sev));
		esc_s(o, h->f[0].title);
		fputs(" (", o);
		esc_s(o, h->f[0].rule->id);
		fputs(")", o);
	} else {
		fputs("<br>no problem found", o);
	}
	fputs("</div>\n", o);
}

static void rows_table(struct rep_html *h)
{
	FILE *o = h->out;
	if (!h->nrows)
		return;
	fputs("<h3>sign-ins</h3><table class=\"rows\"><tr><th>#</th><th>"
	      "user</th><th>start</th><th>outcome</th><th>top finding</th>"
	      "</tr>\n", o);
	for (size_t i = 0; i < h->nrows; i++) {
		const struct html_row *r = &h->rows[i];
		char tb[32];
		if (r->detailed)
			fprintf(o, "<tr><td><a href=\"#s%u-%u\">%u</a></td>"
				"<td>", h->stream, r->id, r->id);
		else
			fprintf(o, "<tr><td>%u</td><td>", r->id);
		esc_s(o, r->user);
		fprintf(o, "</td><td>%s</td><td class=\"sev %s\">%s</td><td>",
			tfmt(r->start, tb, sizeof tb),
			outcome_class(r->outcome),
			sess_outcome_name(r->outcome));
		esc_s(o, r->top);
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
	if (h->rows_dropped)
		fprintf(o, "<p class=\"note\">%" PRIu64 " more sign-in(s) not "
			"listed</p>\n", h->rows_dropped);
}

void rep_html_on_end(void *ud, const struct ana *a, const struct finding *f,
		     size_t nf)
{
	struct rep_html *h = ud;
	FILE *o = h->out;
	flush_pending(h);
	for (size_t i = 0; i < nf; i++)
		keep_finding(h, &f[i]);
	if (h->nf)
		qsort(h->f, h->nf, sizeof *h->f, finding_order);
	fprintf(o, "<h2 id=\"stream%u\">", h->stream);
	esc_s(o, a ? a->file : "");
	fputs("</h2>\n", o);
	banner(h, a);
	rows_table(h);
	fprintf(o, "<h3>findings</h3>\n<p>%" PRIu64 " error(s), %" PRIu64
		" warning(s), %" PRIu64 " info</p>\n",
		h->by_sev[SFB_SEV_ERROR], h->by_sev[SFB_SEV_WARNING],
		h->by_sev[SFB_SEV_INFO]);
	for (size_t i = 0; i < h->nf; i++)
		finding_block(o, h->stream, &h->f[i]);
	if (h->f_dropped)
		fprintf(o, "<p class=\"note\">%" PRIu64 " less severe "
			"finding(s) not shown</p>\n", h->f_dropped);
	fputs("<h3>sign-in detail</h3>\n", o);
	copy_file(h->sess, o);
	if (h->sess_dropped)
		fprintf(o, "<p class=\"note\">%" PRIu64 " more sign-in(s) "
			"not detailed (at most %d)</p>\n", h->sess_dropped,
			REP_HTML_MAX_SESS);
	fprintf(o, "<h3>messages</h3>\n<div class=\"filters\" hidden "
		"data-list=\"msgs%u\">filter: <input data-f=\"method\" "
		"placeholder=\"method\" size=\"10\"><input data-f=\"status\" "
		"placeholder=\"status\" size=\"6\"><input data-f=\"callid\" "
		"placeholder=\"Call-ID\" size=\"20\"><input data-f=\"text\" "
		"placeholder=\"text\" size=\"20\"> <span class=\"count\">"
		"</span></div>\n<table id=\"msgs%u\"><tr><th>time</th><th>"
		"where</th><th>dir</th><th>message</th><th>Call-ID</th><th>"
		"sign-in</th><th>text</th></tr>\n", h->stream, h->stream);
	copy_file(h->msgs, o);
	fputs("</table>\n", o);
	if (h->msgs_dropped)
		fprintf(o, "<p class=\"note\">%" PRIu64 " more message(s) "
			"not listed (at most %d per file)</p>\n",
			h->msgs_dropped, REP_HTML_MAX_MSGS);
	stream_reset(h);
}

void rep_html_page_end(FILE *o, const char *nonce)
{
	fprintf(o, "<script nonce=\"%s\">", nonce);
	fputs(js, o);
	fputs("</script>\n</body></html>\n", o);
}

void rep_html_end(struct rep_html *h)
{
	if (!h->head_done)
		page_head(h);
	rep_html_page_end(h->out, h->nonce);
}

void rep_html_free(struct rep_html *h)
{
	if (!h)
		return;
	stream_reset(h);
	free(h);
}
