/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sip.c -- libFuzzer target for the SIP/HTTP message parser
 * (parsers/sip.c) and the message model (src/msg.c).  The input is one
 * message text: msg_set_bytes() copies it, sip_parse() parses it, then
 * every view of every field, header, diag, auth and param (the auth
 * params parsed on demand) is read so ASan sees any view that points
 * outside the message.  The input is
 * parsed a second time in the same struct msg to exercise reuse.
 * Ownership: the struct msg lives for one call and is freed.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>

#include "msg.h"
#include "sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte of v; a wild view faults under ASan. */
static unsigned sum(struct sv v)
{
	unsigned s = 0;
	for (size_t i = 0; i < v.n; i++)
		s += (unsigned char)v.p[i];
	return s;
}

static unsigned sum_params(const struct msg_param *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s += sum(p[i].name) + sum(p[i].value);
	return s;
}

static unsigned touch(const struct msg *m)
{
	unsigned s = 0;
	char label[16];
	s += sum(m->start_line) + sum(m->method) + sum(m->uri);
	s += sum(m->version) + sum(m->status_reason) + sum(m->call_id);
	s += sum(m->cseq_method) + sum(m->from_uri) + sum(m->from_tag);
	s += sum(m->from_epid) + sum(m->from_name) + sum(m->to_uri);
	s += sum(m->to_tag) + sum(m->to_epid) + sum(m->via_branch);
	s += sum(m->via_branch_last) + sum(m->contact) + sum(m->event);
	s += sum(m->content_type) + sum(m->user_agent);
	s += sum(m->server_hdr) + sum(m->host) + sum(m->body);
	s += (unsigned)m->status + m->cseq + m->nvia + m->flags;
	s += (unsigned)m->expires + (unsigned)m->content_length;
	for (size_t i = 0; i < m->nhdrs; i++)
		s += sum(m->hdrs[i].name) + sum(m->hdrs[i].value);
	for (size_t i = 0; i < m->ndiags; i++) {
		const struct msg_diag *d = &m->diags[i];
		s += d->code + (unsigned)d->sub + (unsigned)d->hdr;
		s += sum(d->reason) + sum(d->source) + sum(d->raw);
		s += sum_params(d->params, d->nparams);
	}
	for (size_t i = 0; i < m->nauths; i++) {
		const struct msg_auth *a = &m->auths[i];
		struct msg_param ps[SFB_MAX_HPARAMS + 1];
		struct sv v;
		size_t n = sip_auth_params(a, ps, SFB_MAX_HPARAMS + 1);
		s += (unsigned)a->hdr + sum(a->scheme) + sum(a->rest);
		s += sum_params(ps, n) + (unsigned)n;
		/* the lookup walks the same list, bounded the same way */
		if (sip_auth_param(a, "realm", &v))
			s += sum(v);
		if (n > SFB_MAX_HPARAMS)
			abort();
	}
	s += sum_params(m->params, m->nparams);
	s += (unsigned)(unsigned char)msg_label(m, label, sizeof label)[0];
	if (msg_hdr_get(m, "Call-ID"))
		s++;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m;
	volatile unsigned sink;
	msg_init(&m);
	msg_set_bytes(&m, (const char *)data, size);
	sip_parse(&m);
	sink = touch(&m);
	/* parse again in place: the reset must leave no stale view */
	sip_parse(&m);
	sink = touch(&m);
	(void)sink;
	msg_free(&m);
	return 0;
}
