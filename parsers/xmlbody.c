/* SPDX-License-Identifier: MIT */
/*
 * xmlbody.c -- libxml2 behind xmlbody.h: SOAP faults, in-band
 * provisioning and location profiles read from the body of one SIP or
 * HTTP message.  Part of the message stage; the session builder calls
 * it on the bodies it cares about.  This is the only file that calls
 * xml* functions.
 *
 * Ownership: the body is borrowed for the call; each call parses it
 * into a libxml2 document that is freed before returning, so nothing
 * is kept.  Strings handed to the provisioning callbacks live in this
 * function's stack frame, for the duration of the callback only.
 *
 * Bodies come from logs, so they are screened before libxml2 sees them:
 * too large, empty, not starting with '<' (JSON, text, junk), holding
 * NUL bytes (UTF-16/UCS-4 guessing is how libxml2 reaches iconv, whose
 * errors go to stderr) or lacking the wanted start tag: "not found"
 * without a parse.  That screen also keeps a 50 KB roaming-contacts body
 * from being parsed only to learn it holds no Fault.  Log readers have
 * already turned the file into UTF-8, so the body's own encoding
 * declaration is stale and ignored; bytes that are not valid UTF-8 are
 * read as ISO-8859-1 (a Windows-1252 log) rather than rejected.
 *
 * Safety: network off, no entity substitution, no DTD loading, and a
 * document with a DOCTYPE is refused as soon as the parser meets it
 * (none of our three document kinds has one, SOAP forbids it): XXE and
 * entity bombs never get to run.  Errors are silenced for the parse:
 * XML_PARSE_NOERROR/NOWARNING for the parser's own errors, and no-op
 * generic and structured handlers (libxml2 thread-local state, restored
 * afterwards) for the encoding and I/O errors that bypass them.
 * Walks over the tree are iterative, never recursive.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "sv.h"
#include "xmlbody.h"

/* Sizes strings are cut to before a provisioning callback; a longer
 * value is a blob (a certificate, a grammar) nobody reads in a report. */
#define XB_MAX_NAME 128
#define XB_MAX_VALUE 512

const char *xmlbody_rc_text(int rc)
{
	switch (rc) {
	case XMLBODY_REFUSED:
		return "refused: it has a DOCTYPE (entities are never "
		       "expanded)";
	case XMLBODY_BAD:
		return "not well-formed XML (or nested too deep, or too "
		       "large)";
	default:
		return "not a document of that kind";
	}
}

const char *xmlbody_version(void)
{
	return LIBXML_DOTTED_VERSION;
}

/* ---- screening --------------------------------------------------------- */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * @return 1 when p[0..n) equals the C string s ignoring ASCII case.
 * Inline, so that a literal's length is known; names are mostly
 * written as spelled, so one memcmp mostly decides.
 */
static inline int ieq_n(const char *p, size_t n, const char *s)
{
	if (strlen(s) != n)
		return 0;
	if (memcmp(p, s, n) == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (sv_lower((unsigned char)p[i]) !=
		    sv_lower((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Drop leading whitespace and UTF-8 byte order marks, in any order. */
static struct sv skip_lead(struct sv v)
{
	for (;;) {
		if (v.n && is_space((unsigned char)v.p[0])) {
			v.p++;
			v.n--;
		} else if (v.n >= 3 && memcmp(v.p, "\xEF\xBB\xBF", 3) == 0) {
			v.p += 3;
			v.n -= 3;
		} else {
			return v;
		}
	}
}

/*
 * @return 1 when v holds a start tag whose local name (after any
 * prefix) is tag, ignoring case.  A text or comment that looks like one
 * only costs a parse; a real start tag is never missed.
 */
static int has_tag(struct sv v, const char *tag)
{
	const char *p = v.p, *end = v.p + v.n;
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *name, *q;
		if (!lt)
			return 0;
		name = q = lt + 1;
		while (q < end && !is_space((unsigned char)*q) && *q != '>' &&
		       *q != '/' && *q != '<') {
			if (*q == ':')
				name = q + 1;
			q++;
		}
		if (ieq_n(name, (size_t)(q - name), tag))
			return 1;
		p = q;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3Fu);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/*
 * Classify the bytes of v.
 * @return -1 when v holds a NUL byte (not text), 1 when it is all valid
 *         UTF-8, 0 otherwise (read as ISO-8859-1)
 */
static int text_kind(struct sv v)
{
	const unsigned char *p = (const unsigned char *)v.p;
	int utf8 = 1;
	size_t i = 0;
	if (memchr(v.p, '\0', v.n))
		return -1;
	while (i < v.n) {
		size_t len;
		uint64_t w;
		/* ASCII eight bytes at a time: bodies are nearly all ASCII */
		if (i + 8 <= v.n) {
			memcpy(&w, p + i, 8);
			if (!(w & 0x8080808080808080u)) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_len(p + i, v.n - i);
		if (len == 0) {
			utf8 = 0;
			break;
		}
		i += len;
	}
	return utf8;
}

/* ---- parsing ----------------------------------------------------------- */

static void init_once(void)
{
	/* xmlInitParser() is idempotent; the flag only saves the call.  A
	 * race between two first calls runs it twice, which it tolerates
	 * as well as anything in libxml2 2.9 does. */
	static atomic_int done;
	if (!atomic_load_explicit(&done, memory_order_acquire)) {
		xmlInitParser();
		atomic_store_explicit(&done, 1, memory_order_release);
	}
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

/* SAX internalSubset: a DOCTYPE; none of our documents has one. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
		       const xmlChar *sid)
{
	(void)name;
	(void)eid;
	(void)sid;
	xmlStopParser((xmlParserCtxtPtr)ctx);
}

/*
 * Parse body when it may hold a start tag named tag.
 * @param why OUT when NULL is returned: XMLBODY_NONE (not one of ours,
 *            no parse), XMLBODY_REFUSED (a DOCTYPE) or XMLBODY_BAD
 * @return the document (free with xmlFreeDoc), or NULL when body is not
 *         a well-formed document of ours
 */
static xmlDocPtr doc_read(struct sv body, const char *tag, int *why)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlGenericErrorFunc gfn;
	xmlStructuredErrorFunc sfn;
	void *gctx, *sctx;
	int kind, ok;
	/* NOCDATA: CDATA comes as plain text nodes; COMPACT: short strings
	 * live inside the nodes (fewer allocations); IGNORE_ENC: see the
	 * top of the file.  No NOENT, no DTDLOAD, no XINCLUDE, no HUGE. */
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR |
			 XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC |
			 XML_PARSE_NOCDATA | XML_PARSE_COMPACT;

	*why = XMLBODY_NONE;
	if (!body.p || body.n == 0)
		return NULL;
	body = skip_lead(body);
	if (body.n == 0 || body.p[0] != '<' ||
	    !has_tag(sv_make(body.p, body.n > SFB_MAX_XML ? SFB_MAX_XML
							   : body.n), tag))
		return NULL;
	*why = XMLBODY_BAD;     /* one of ours, from here on */
	if (body.n > SFB_MAX_XML)
		return NULL;
	kind = text_kind(body);
	if (kind < 0)
		return NULL;

	init_once();
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return NULL;
	ctxt->sax->internalSubset = refuse_dtd;

	gfn = xmlGenericError;
	gctx = xmlGenericErrorContext;
	sfn = xmlStructuredError;
	sctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);

	doc = xmlCtxtReadMemory(ctxt, body.p, (int)body.n, NULL,
				kind ? NULL : "ISO-8859-1", opts);
	/* a parse stopped at the DOCTYPE may still return a document; the
	 * intSubset test is the second lock should the hook be bypassed */
	ok = doc && ctxt->wellFormed && ctxt->errNo != XML_ERR_USER_STOP &&
	     !doc->intSubset && xmlDocGetRootElement(doc);
	if (ctxt->errNo == XML_ERR_USER_STOP || (doc && doc->intSubset))
		*why = XMLBODY_REFUSED;

	xmlSetGenericErrorFunc(gctx, gfn);
	xmlSetStructuredErrorFunc(sctx, sfn);
	xmlFreeParserCtxt(ctxt);
	if (!ok && doc) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/* ---- tree helpers ------------------------------------------------------ */

/* Local name of an element: after the prefix even when the prefix was
 * never declared (libxml2 then keeps "s:Fault" as the name). */
static const char *local_name(const xmlNode *n)
{
	const char *s = (const char *)n->name;
	const char *c = s ? strrchr(s, ':') : NULL;
	return c ? c + 1 : (s ? s : "");
}

static int is_el(const xmlNode *n, const char *local)
{
	const char *s;
	if (!n || n->type != XML_ELEMENT_NODE)
		return 0;
	s = local_name(n);
	return ieq_n(s, strlen(s), local);
}

/* Next node of a pre-order walk of top's subtree, entering elements
 * only (an entity reference's children belong to the entity). */
static xmlNode *walk_next(xmlNode *n, const xmlNode *top, int enter)
{
	if (enter && n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while (n && n != top) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* First element child of el named local. */
static xmlNode *child(const xmlNode *el, const char *local)
{
	xmlNode *c;
	for (c = el ? el->children : NULL; c; c = c->next)
		if (is_el(c, local))
			return c;
	return NULL;
}

/* First element named local in top's subtree, top included. */
static xmlNode *find(xmlNode *top, const char *local)
{
	xmlNode *n;
	for (n = top; n; n = walk_next(n, top, 1))
		if (is_el(n, local))
			return n;
	return NULL;
}

/* A bounded string being filled: leading space is skipped, the end is
 * trimmed and a cut never splits a UTF-8 sequence. */
struct tbuf {
	char *p;
	size_t cap;             /* bytes of p, NUL included, >= 1 */
	size_t n;
	int full;
};

static void tb_init(struct tbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->n = 0;
	b->full = 0;
	p[0] = '\0';
}

static void tb_add(struct tbuf *b, const char *s)
{
	size_t len, room;
	if (b->full || !s)
		return;
	if (b->n == 0)
		while (is_space((unsigned char)*s))
			s++;
	len = strlen(s);
	room = b->cap - 1 - b->n;
	if (len > room) {
		/* back off to the start of the sequence s[room] is in */
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
		b->full = 1;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void tb_end(struct tbuf *b)
{
	while (b->n && is_space((unsigned char)b->p[b->n - 1]))
		b->n--;
	b->p[b->n] = '\0';
}

static int is_text(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

/* All the text under el, trimmed, into out. */
static void text_of(xmlNode *el, char *out, size_t outsz)
{
	struct tbuf b;
	xmlNode *n;
	if (outsz == 0)
		return;
	tb_init(&b, out, outsz);
	for (n = el; n && !b.full; n = walk_next(n, el, 1))
		if (is_text(n))
			tb_add(&b, (const char *)n->content);
	tb_end(&b);
}

/* The first non-blank text node under el, trimmed, into out. */
static void first_text(xmlNode *el, char *out, size_t outsz)
{
	struct tbuf b;
	xmlNode *n;
	if (outsz == 0)
		return;
	tb_init(&b, out, outsz);
	for (n = el; n && b.n == 0; n = walk_next(n, el, 1))
		if (is_text(n))
			tb_add(&b, (const char *)n->content);
	tb_end(&b);
}

/* Attribute of el by local name (exact case), trimmed, into out; "" if
 * absent. */
static void attr_of(const xmlNode *el, const char *local, const char *ns,
		    char *out, size_t outsz)
{
	const xmlAttr *a;
	struct tbuf b;
	tb_init(&b, out, outsz);
	for (a = el->properties; a; a = a->next) {
		const xmlNode *t;
		if (!a->name || strcmp((const char *)a->name, local) != 0)
			continue;
		if (ns && (!a->ns || !a->ns->href ||
			   strcmp((const char *)a->ns->href, ns) != 0))
			continue;
		for (t = a->children; t; t = t->next)
			if (is_text(t))
				tb_add(&b, (const char *)t->content);
		break;
	}
	tb_end(&b);
}

/* ---- SOAP faults ------------------------------------------------------- */

/* SOAP 1.2 Reason: the English Text if any, else the first Text, else
 * whatever text the Reason holds. */
static void fault_reason12(xmlNode *reason, char *out, size_t outsz)
{
	xmlNode *c, *pick = NULL;
	char lang[16];
	for (c = reason->children; c; c = c->next) {
		if (!is_el(c, "Text"))
			continue;
		if (!pick)
			pick = c;
		attr_of(c, "lang", (const char *)XML_XML_NAMESPACE, lang,
			sizeof lang);
		if (sv_lower((unsigned char)lang[0]) == 'e' &&
		    sv_lower((unsigned char)lang[1]) == 'n') {
			pick = c;
			break;
		}
	}
	text_of(pick ? pick : reason, out, outsz);
}

int xmlbody_soap_fault(struct sv body, struct xmlbody_fault *out)
{
	xmlDocPtr doc;
	xmlNode *f, *c;
	int why;

	memset(out, 0, sizeof *out);
	doc = doc_read(body, "Fault", &why);
	if (!doc)
		return 0;
	f = find(xmlDocGetRootElement(doc), "Fault");
	if (!f) {
		xmlFreeDoc(doc);
		return 0;
	}

	/* SOAP 1.1 and msrtc-fault: faultcode; SOAP 1.2: Code/Value and the
	 * innermost Subcode/Value, the most specific one */
	c = child(f, "faultcode");
	if (c) {
		text_of(c, out->code, sizeof out->code);
	} else if ((c = child(f, "Code")) != NULL) {
		xmlNode *v = child(c, "Value"), *sub;
		for (sub = child(c, "Subcode"); sub;
		     sub = child(sub, "Subcode")) {
			xmlNode *sval = child(sub, "Value");
			if (sval)
				v = sval;
		}
		if (v)
			text_of(v, out->code, sizeof out->code);
	}

	c = child(f, "faultstring");
	if (c)
		text_of(c, out->reason, sizeof out->reason);
	else if ((c = child(f, "Reason")) != NULL)
		fault_reason12(c, out->reason, sizeof out->reason);

	c = child(f, "detail");
	if (c)
		first_text(c, out->detail, sizeof out->detail);

	xmlFreeDoc(doc);
	return 1;
}

/* ---- in-band provisioning ---------------------------------------------- */

/* @return 1 when el has a <property> element below it. */
static int has_inner_property(xmlNode *el)
{
	xmlNode *n;
	for (n = walk_next(el, el, 1); n; n = walk_next(n, el, 1))
		if (is_el(n, "property"))
			return 1;
	return 0;
}

/* Report the leaf <property> elements of group g, wherever they sit
 * (propertyEntryList, instance, or a property holding properties). */
static void prov_props(xmlNode *g, const char *gname,
		       const struct xmlbody_prov_sink *s)
{
	char name[XB_MAX_NAME], value[XB_MAX_VALUE];
	xmlNode *n = walk_next(g, g, 1);
	while (n) {
		if (is_el(n, "property") && !has_inner_property(n)) {
			attr_of(n, "name", NULL, name, sizeof name);
			text_of(n, value, sizeof value);
			s->on_prop(s->ud, gname, name, value);
			n = walk_next(n, g, 0);
		} else {
			n = walk_next(n, g, 1);
		}
	}
}

/* ---- provisioning without a tree ---------------------------------------- */

/*
 * libxml2 builds a tree of a provisioning document at about a hundred
 * instructions a byte, and every sign-in has one.  Nearly all of them
 * are plain: ASCII, no entities, comments, CDATA, declarations or
 * prefixes, properties holding only text (without a CR).  Such a
 * document is well-formed when its tags nest, its names and attributes
 * are well-shaped and no attribute repeats, so prov_fast reads it in
 * one pass and hands the callbacks what the tree walk would.  Anything
 * else -- and anything it is not sure of -- goes to libxml2.
 */
#define PF_MAX_DEPTH 64         /* deeper: libxml2 (its limit is 256) */
#define PF_MAX_EVENTS 4096      /* groups and properties per document */
#define PF_MAX_ATTRS 16         /* attributes per tag */

struct pf_event {
	int group;              /* 1: on_group, 0: on_prop */
	struct sv name, value;  /* into the body; value: property text */
	size_t gidx;            /* the group event a property belongs to */
};

struct pf_tag {
	struct sv name;
	struct sv attr_name;    /* the value of its first "name" attribute */
	int empty;              /* "<x/>" */
};

/*
 * The byte classes prov_fast reads, one table load per byte:
 * PF_NAME0 starts a name, PF_NAME continues one, PF_TEXT is plain
 * character data (printable ASCII, tab or LF; not '<', '&', '>' or CR,
 * which the text loop looks at), PF_ATTR is a byte of an attribute
 * value (printable ASCII but '<', '&' and the quotes).
 */
enum { PF_NAME0 = 1, PF_NAME = 2, PF_TEXT = 4, PF_ATTR = 8 };

#define PF_LETTER(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z'))
#define PF_PRINT(c) ((c) >= 0x20 && (c) < 0x7f)
#define PF_CLASS(c)                                                       \
	((PF_LETTER(c) || (c) == '_' ? PF_NAME0 | PF_NAME : 0) |          \
	 (((c) >= '0' && (c) <= '9') || (c) == '.' || (c) == '-'          \
	  ? PF_NAME : 0) |                                                \
	 ((PF_PRINT(c) || (c) == '\t' || (c) == '\n') && (c) != '<' &&    \
	  (c) != '&' && (c) != '>' ? PF_TEXT : 0) |                      \
	 (PF_PRINT(c) && (c) != '<' && (c) != '&' && (c) != '"' &&        \
	  (c) != '\'' ? PF_ATTR : 0))
#define PF_C4(c) PF_CLASS(c), PF_CLASS((c) + 1), PF_CLASS((c) + 2),      \
	PF_CLASS((c) + 3)
#define PF_C16(c) PF_C4(c), PF_C4((c) + 4), PF_C4((c) + 8), PF_C4((c) + 12)
#define PF_C64(c) PF_C16(c), PF_C16((c) + 16), PF_C16((c) + 32),         \
	PF_C16((c) + 48)
static const unsigned char pf_class[256] = {
	PF_C64(0), PF_C64(64), PF_C64(128), PF_C64(192)
};
#undef PF_C64
#undef PF_C16
#undef PF_C4
#undef PF_CLASS
#undef PF_PRINT
#undef PF_LETTER

static inline int pf_is(unsigned char c, unsigned cls)
{
	return pf_class[c] & cls;
}

/*
 * @return the index of the first byte at or after i (below n) not of
 * class cls, or n.  Four bytes a step while four are left: one bound
 * check serves them.
 */
static inline size_t pf_span(const char *p, size_t i, size_t n,
			     unsigned cls)
{
	while (n - i >= 4) {
		if (!pf_is((unsigned char)p[i], cls))
			return i;
		if (!pf_is((unsigned char)p[i + 1], cls))
			return i + 1;
		if (!pf_is((unsigned char)p[i + 2], cls))
			return i + 2;
		if (!pf_is((unsigned char)p[i + 3], cls))
			return i + 3;
		i += 4;
	}
	while (i < n && pf_is((unsigned char)p[i], cls))
		i++;
	return i;
}

/*
 * A name at p[i]: @return the index after it, or i when there is none
 * or it is one this reader leaves to libxml2 (reserved "xml..." names
 * other than the xmlns attribute, very long ones).
 */
static size_t pf_name(const char *p, size_t i, size_t n)
{
	size_t j = i;
	if (j >= n || !pf_is((unsigned char)p[j], PF_NAME0))
		return i;
	j = pf_span(p, j, n, PF_NAME);
	if (j - i > 256 || (j - i >= 3 && ieq_n(p + i, 3, "xml") &&
			    !(j - i == 5 && memcmp(p + i, "xmlns", 5) == 0)))
		return i;
	return j;
}

static size_t pf_ws(const char *p, size_t i, size_t n)
{
	while (i < n && is_space((unsigned char)p[i]))
		i++;
	return i;
}

/*
 * A start tag at p[i] ('<' there, not "</", "<?" or "<!").
 * @return the index after it, or 0 to leave the document to libxml2
 */
static size_t pf_start_tag(const char *p, size_t i, size_t n,
			   struct pf_tag *t)
{
	struct sv attrs[PF_MAX_ATTRS];
	size_t na = 0, j = pf_name(p, i + 1, n);
	if (j == i + 1)
		return 0;
	t->name = sv_make(p + i + 1, j - i - 1);
	if (t->name.n >= 3 && ieq_n(t->name.p, 3, "xml"))
		return 0;
	t->attr_name = SV_NULL;
	t->empty = 0;
	for (;;) {
		size_t k = pf_ws(p, j, n);
		if (k >= n)
			return 0;
		if (p[k] == '>')
			return k + 1;
		if (p[k] == '/') {
			if (k + 1 >= n || p[k + 1] != '>')
				return 0;
			t->empty = 1;
			return k + 2;
		}
		/* an attribute, after at least one blank */
		size_t e = pf_name(p, k, n);
		if (k == j || e == k || na == PF_MAX_ATTRS)
			return 0;
		struct sv an = sv_make(p + k, e - k);
		for (size_t a = 0; a < na; a++)
			if (sv_eq(attrs[a], an))
				return 0;
		attrs[na++] = an;
		k = pf_ws(p, e, n);
		if (k >= n || p[k] != '=')
			return 0;
		k = pf_ws(p, k + 1, n);
		if (k >= n || (p[k] != '"' && p[k] != '\''))
			return 0;
		char q = p[k];
		size_t v = ++k;
		for (;;) {
			k = pf_span(p, k, n, PF_ATTR);
			/* the other quote is a value byte too */
			if (k >= n || (p[k] != '"' && p[k] != '\''))
				return 0;
			if (p[k] == q)
				break;
			k++;
		}
		struct sv val = sv_make(p + v, k - v);
		/* xmlns binds the default namespace: the reserved ones are
		 * errors in libxml2 */
		if (sv_eq(an, SV_LIT("xmlns")) && sv_find(val, "w3.org") >= 0)
			return 0;
		if (sv_eq(an, SV_LIT("name")) && !t->attr_name.p)
			t->attr_name = val;
		j = k + 1;
	}
}

/* Copy v into out as the tree walk would: trimmed, cut to outsz - 1. */
static void pf_copy(struct sv v, char *out, size_t outsz)
{
	while (v.n && is_space((unsigned char)v.p[0])) {
		v.p++;
		v.n--;
	}
	if (v.n > outsz - 1)
		v.n = outsz - 1;
	while (v.n && is_space((unsigned char)v.p[v.n - 1]))
		v.n--;
	if (v.n)
		memcpy(out, v.p, v.n);
	out[v.n] = '\0';
}

/*
 * Read a plain provisionGroupList document (see above).
 * @return the number of groups, or -1 to leave it to libxml2 (nothing
 *         has been handed to s then)
 */
static int prov_fast(struct sv body, const struct xmlbody_prov_sink *s)
{
	struct pf_tag st[PF_MAX_DEPTH];
	struct pf_event *ev = NULL;
	size_t nev = 0, cap = 0, depth = 0, i = 0, n = body.n, group = 0;
	const char *p = body.p;
	int in_group = 0, ngroups = 0, done = 0, rc = -1;
	struct sv text = SV_NULL;   /* the text of an open property */
	int prop = 0;               /* a property is open at depth */

	while (i < n) {
		if (p[i] != '<') {
			/* character data up to the next tag */
			size_t j = i;
			int cr = 0;
			for (;;) {
				j = pf_span(p, j, n, PF_TEXT);
				if (j == n || p[j] == '<')
					break;
				/* '>' but in "]]>"; CR; else: to libxml2 */
				if (p[j] == '\r')
					cr = 1;
				else if (p[j] != '>' || (j >= 2 &&
							p[j - 1] == ']' &&
							p[j - 2] == ']'))
					goto out;
				j++;
			}
			/* libxml2 turns CR LF into LF in a value */
			if (cr && prop)
				goto out;
			/* only blanks around the root */
			if ((depth == 0) && pf_ws(p, i, j) != j)
				goto out;
			if (prop == 1)
				text = sv_make(p + i, j - i);
			i = j;
			continue;
		}
		if (i + 1 >= n || p[i + 1] == '!' || p[i + 1] == '?')
			goto out;
		if (p[i + 1] == '/') {
			/* an end tag: the name of the open one */
			if (depth == 0)
				goto out;
			/* the open tag's name is a whole name: its bytes,
			 * then no more name bytes */
			struct sv want = st[depth - 1].name;
			size_t e = i + 2 + want.n;
			if (e > n || memcmp(p + i + 2, want.p, want.n) != 0 ||
			    (e < n && pf_is((unsigned char)p[e], PF_NAME)))
				goto out;
			e = pf_ws(p, e, n);
			if (e >= n || p[e] != '>')
				goto out;
			i = e + 1;
		} else {
			if (done || depth == PF_MAX_DEPTH)
				goto out;
			struct pf_tag *t = &st[depth];
			size_t e = pf_start_tag(p, i, n, t);
			if (!e)
				goto out;
			i = e;
			if (prop)       /* an element inside a property */
				goto out;
			if (depth == 0 && !ieq_n(t->name.p, t->name.n,
						"provisionGroupList"))
				goto out;
			int is_group = depth == 1 &&
				       ieq_n(t->name.p, t->name.n,
					     "provisionGroup");
			int is_prop = depth >= 2 && in_group &&
				      ieq_n(t->name.p, t->name.n, "property");
			if ((is_group || is_prop) && nev == cap) {
				/* grown as needed: most documents are small */
				if (cap == PF_MAX_EVENTS)
					goto out;
				size_t c = cap ? 2 * cap : 64;
				struct pf_event *more =
					realloc(ev, c * sizeof *ev);
				if (!more)
					goto out;
				ev = more;
				cap = c;
			}
			if (is_group) {
				in_group = 1;
				ngroups++;
				group = nev;
			}
			if (is_group || is_prop) {
				ev[nev].group = is_group;
				ev[nev].name = t->attr_name;
				ev[nev].value = SV_NULL;
				ev[nev].gidx = group;
				nev++;
			}
			if (is_prop) {
				prop = 1;
				text = SV_NULL;
			}
			depth++;
			if (!t->empty)
				continue;
		}
		/* an element closed (end tag or "<x/>") */
		depth--;
		if (prop) {
			ev[nev - 1].value = text;
			prop = 0;
		}
		if (depth == 1)
			in_group = 0;
		if (depth == 0)
			done = 1;
	}
	if (!done)
		goto out;
	rc = ngroups;
	for (size_t k = 0; s && k < nev; k++) {
		char gname[XB_MAX_NAME], name[XB_MAX_NAME];
		char value[XB_MAX_VALUE];
		pf_copy(ev[ev[k].gidx].name, gname, sizeof gname);
		if (ev[k].group) {
			if (s->on_group)
				s->on_group(s->ud, gname);
		} else if (s->on_prop) {
			pf_copy(ev[k].name, name, sizeof name);
			pf_copy(ev[k].value, value, sizeof value);
			s->on_prop(s->ud, gname, name, value);
		}
	}
out:
	free(ev);
	return rc;
}

int xmlbody_provisioning_fast(struct sv body,
			      const struct xmlbody_prov_sink *s)
{
	/*
	 * The screen of doc_read but its text_kind: prov_fast takes only
	 * ASCII bytes other than NUL, so it declines what that would
	 * refuse or read as Latin-1, in the one pass.
	 */
	struct sv lead = skip_lead(body);
	if (lead.n && lead.n <= SFB_MAX_XML && lead.p[0] == '<' &&
	    has_tag(lead, "provisionGroupList"))
		return prov_fast(lead, s);
	return -1;
}

int xmlbody_provisioning(struct sv body, const struct xmlbody_prov_sink *s)
{
	int rc = xmlbody_provisioning_fast(body, s);
	return rc >= 0 ? rc : xmlbody_provisioning_tree(body, s);
}

int xmlbody_provisioning_tree(struct sv body,
			      const struct xmlbody_prov_sink *s)
{
	int why;
	xmlDocPtr doc = doc_read(body, "provisionGroupList", &why);
	xmlNode *root, *g;
	int ngroups = 0;
	char gname[XB_MAX_NAME];

	if (!doc)
		return why;
	root = xmlDocGetRootElement(doc);
	if (!is_el(root, "provisionGroupList")) {
		xmlFreeDoc(doc);
		return -1;
	}
	for (g = root->children; g; g = g->next) {
		if (!is_el(g, "provisionGroup"))
			continue;
		if (ngroups < INT_MAX)
			ngroups++;
		if (!s)
			continue;
		attr_of(g, "name", NULL, gname, sizeof gname);
		if (s->on_group)
			s->on_group(s->ud, gname);
		if (s->on_prop)
			prov_props(g, gname, s);
	}
	xmlFreeDoc(doc);
	return ngroups;
}

/* ---- location profile -------------------------------------------------- */

int xmlbody_location_profile(struct sv body, char *name, size_t namesz,
			     unsigned *nrules)
{
	xmlDocPtr doc;
	xmlNode *lp, *c;
	unsigned rules = 0;
	int why;

	if (name && namesz)
		name[0] = '\0';
	if (nrules)
		*nrules = 0;
	doc = doc_read(body, "LocationProfileDescription", &why);
	if (!doc)
		return 0;
	lp = find(xmlDocGetRootElement(doc), "LocationProfileDescription");
	if (!lp) {
		xmlFreeDoc(doc);
		return 0;
	}
	c = child(lp, "Name");
	if (c && name)
		text_of(c, name, namesz);
	for (c = lp->children; c; c = c->next)
		if (is_el(c, "Rule") && rules < UINT_MAX)
			rules++;
	if (nrules)
		*nrules = rules;
	xmlFreeDoc(doc);
	return 1;
}
