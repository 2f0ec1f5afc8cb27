/* SPDX-License-Identifier: MIT */
/*
 * unit_ana.c -- unit tests of the per-file analysis (ana.c): counters,
 * distinct diagnostics, hop copies, unanswered transactions, warning
 * caps and the severity that decides the exit status.  Messages and
 * transactions are built by hand, so this tests ana.c alone.
 */
#include <string.h>

#include "ana.h"
#include "check.h"
#include "sv.h"

static struct msg response(int status, const char *cseq_method,
			   unsigned long line)
{
	struct msg m;
	memset(&m, 0, sizeof m);
	m.proto = MSG_SIP;
	m.kind = MSG_RESPONSE;
	m.status = status;
	m.cseq_method = sv_cstr(cseq_method);
	m.line_first = line;
	m.ts = SFB_TIME_NONE;
	return m;
}

static struct msg request(const char *method, unsigned long line)
{
	struct msg m;
	memset(&m, 0, sizeof m);
	m.proto = MSG_SIP;
	m.kind = MSG_REQUEST;
	m.method = sv_cstr(method);
	m.line_first = line;
	m.ts = sfb_time_make(2021, 1, 15, 9, 0, 0, (int)line);
	return m;
}

static void test_counts_and_diags(void)
{
	struct ana a;
	ana_init(&a, "x.log", 2);
	struct msg q = request("REGISTER", 1);
	ana_msg(&a, &q, 0, SV_NULL, SV_NULL);
	ana_msg(&a, &q, 0, SV_NULL, SV_NULL);
	q = request("SUBSCRIBE", 5);
	ana_msg(&a, &q, 0, SV_NULL, SV_NULL);
	struct msg r = response(401, "REGISTER", 10);
	ana_msg(&a, &r, 0, SV_LIT("POST"), SV_LIT("/WebTicket/WebTicketService.svc?x=1"));
	CHECK_INT(a.msgs, 4);
	CHECK_INT(a.requests, 3);
	CHECK_INT(a.responses, 1);
	CHECK_INT(a.nmethods, 2);
	CHECK(strcmp(a.methods[0].name, "REGISTER") == 0);
	CHECK_INT(a.methods[0].n, 2);
	CHECK_INT(a.status[401], 1);
	CHECK_INT(a.first_ts, SFB_TIME_NONE); /* ana_rec sets times */

	/* 401 with X-Ms-diagnostics 28032, three times, plus one copy */
	struct msg_param p[2] = {
		{ SV_LIT("reason"), SV_LIT("The web ticket is invalid.") },
		{ SV_LIT("faultcode"), SV_LIT("wsse:InvalidSecurityToken") },
	};
	struct msg_diag d = { MSG_DIAG_X_MS, 28032, -1,
			      SV_LIT("The web ticket is invalid."),
			      SV_LIT("fe01.contoso.com"), p, 2, SV_NULL };
	r = response(401, "", 20);
	r.proto = MSG_HTTP;
	r.diags = &d;
	r.ndiags = 1;
	ana_msg(&a, &r, 0, SV_LIT("POST"), SV_LIT("/WebTicket/WebTicketService.svc?x=1"));
	r.line_first = 30;
	ana_msg(&a, &r, 0, SV_LIT("POST"), SV_LIT("/WebTicket/WebTicketService.svc?x=1"));
	ana_msg(&a, &r, 1, SV_NULL, SV_NULL); /* the same answer at another hop */
	CHECK_INT(a.ndiags, 1);
	CHECK_INT(a.diags[0].count, 2);
	CHECK_INT(a.diags[0].first_line, 20);
	CHECK(strcmp(a.diags[0].faultcode, "wsse:InvalidSecurityToken") ==
	      0);
	CHECK(strcmp(a.diags[0].source, "fe01.contoso.com") == 0);
	CHECK(strcmp(a.diags[0].request,
		     "POST /WebTicket/WebTicketService.svc") == 0);
	CHECK_INT(a.copies, 1);
	CHECK_INT(a.http, 3);

	/* same code, other reason: a second distinct entry */
	d.reason = SV_LIT("The web ticket has expired.");
	ana_msg(&a, &r, 0, SV_LIT("POST"), SV_LIT("/WebTicket/WebTicketService.svc?x=1"));
	CHECK_INT(a.ndiags, 2);
	/* a 504 with 1009 is an error */
	struct msg_diag d2 = { MSG_DIAG_MS, 1009, -1,
			       SV_LIT("No match for domain in DNS SRV "
				      "results"), SV_LIT("sip.contoso.com"),
			       NULL, 0, SV_NULL };
	r = response(504, "INVITE", 40);
	r.diags = &d2;
	r.ndiags = 1;
	ana_msg(&a, &r, 0, SV_LIT("POST"), SV_LIT("/WebTicket/WebTicketService.svc?x=1"));
	CHECK_INT(a.diags[2].sev, SFB_SEV_ERROR);
	CHECK_INT(a.diags_total, 4); /* the hop copy is not counted */
	ana_free(&a);
}

static void test_txn_and_warnings(void)
{
	struct ana a;
	ana_init(&a, "y.log", 2);
	struct txn_info t;
	memset(&t, 0, sizeof t);
	t.proto = MSG_SIP;
	t.method = SV_LIT("REGISTER");
	t.final_status = 200;
	t.nhops = 2;
	ana_txn(&a, &t);
	CHECK_INT(a.txn_answered, 1);
	CHECK_INT(a.txn_multi_hop, 1);
	t.nhops = 1;
	t.final_status = 0;
	t.method = SV_LIT("ACK"); /* never answered: not counted */
	ana_txn(&a, &t);
	CHECK_INT(a.txn_unanswered, 0);
	t.method = SV_LIT("NOTIFY");
	t.req_line = 77;
	t.call_id = SV_LIT("abc");
	t.cseq = 3;
	ana_txn(&a, &t);
	CHECK_INT(a.txn_unanswered, 1);
	CHECK_INT(a.unanswered[0].line, 77);
	CHECK(strcmp(a.unanswered[0].call_id, "abc") == 0);
	t.method = SV_LIT("REGISTER");
	ana_txn(&a, &t);
	t.flags = TXN_F_NO_REQUEST;
	ana_txn(&a, &t);
	CHECK_INT(a.txn_no_request, 1);
	CHECK_INT(a.txn_total, 5);

	/* warnings: all counted, max_warn listed */
	struct fmt_rec w;
	memset(&w, 0, sizeof w);
	w.type = REC_WARN;
	w.ts = SFB_TIME_NONE;
	w.text = SV_LIT("block cut short");
	for (unsigned long i = 1; i <= 5; i++) {
		w.line_first = i;
		ana_rec(&a, &w);
	}
	ana_warn(&a, 9, "line of %d bytes skipped", 100);
	CHECK_INT(a.warns_total, 6);
	CHECK_INT(a.nwarns, 2);
	CHECK(strcmp(a.warns[1].text, "block cut short") == 0);

	/* CLS diagnostic records: grouped by result code */
	struct fmt_rec d;
	memset(&d, 0, sizeof d);
	d.type = REC_DIAG;
	d.ts = sfb_time_make(2017, 3, 2, 7, 10, 46, 230);
	d.severity = SV_LIT("error");
	d.result_code = 0xc3e93d67;
	d.result_name = SV_LIT("SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH");
	d.diag_text = SV_LIT("Message cannot be routed");
	d.line_first = 12;
	ana_rec(&a, &d);
	d.line_first = 40;
	ana_rec(&a, &d);
	CHECK_INT(a.nresults, 1);
	CHECK_INT(a.results[0].count, 2);
	CHECK_INT(a.results[0].first_line, 12);
	CHECK_INT(a.first_ts, d.ts);
	ana_free(&a);
	ana_free(NULL);
}

static void test_names(void)
{
	CHECK_INT(sfb_sev_parse("warning"), SFB_SEV_WARNING);
	CHECK_INT(sfb_sev_parse("none"), SFB_SEV_NONE);
	CHECK_INT(sfb_sev_parse("fatal"), -1);
	CHECK(strcmp(sfb_sev_name(SFB_SEV_ERROR), "error") == 0);
	CHECK(strcmp(ana_diag_hdr_name(MSG_DIAG_X_MS), "X-Ms-diagnostics") ==
	      0);
}

int main(void)
{
	test_counts_and_diags();
	test_txn_and_warnings();
	test_names();
	return CHECK_DONE("unit_ana");
}
