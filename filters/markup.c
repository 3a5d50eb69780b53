/*
 * markup.c - HTML and XML left behind by web scraping.
 *
 * Phase 3, after encoding repair. Two kinds of remnant:
 *   - tags of HTML elements (<p>, </p>, <br>, <br/>, </div>, <span ...>,
 *     <!-- comments -->) and the broken closing halves scrapers leave at
 *     line ends (".../p>"). Line-breaking tags become line breaks: <br> a
 *     newline, </p> or </div> a paragraph end (nothing, when the line ends
 *     there anyway); other tags disappear;
 *   - character references: named (&nbsp; &amp; &ldquo;), decimal
 *     (&#12290;) and hex (&#x3002;), including the doubly escaped
 *     &amp;ldquo; of text that was escaped twice.
 * Only real HTML element names count as tags, and a reference needs its
 * closing semicolon, so `a < b`, `<tab> key`, `Press <Enter>` and `AT&T`
 * stay. A tag quoted in running text ("the “<p>” tag") stays too, and so
 * does a comment quoted so (“<!--”); a comment must also end within its
 * paragraph and COMMENT_MAX bytes, else it stays as a suspect.
 *
 * Seed 001 (after mojibake repair): "人均一年能收入5000多元。”</p>" ->
 * "人均一年能收入5000多元。”".
 *
 * Pure and reentrant; runs on the daemon's threadpool.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"

struct markup_state {
	int tags;
	int entities;
	char stops[TM_STOPS_MAX];	/* the bytes markup_run looks at */
	size_t nstops;
};

static const struct tm_option_desc markup_options[] = {
	{ "tags", TM_OPT_BOOL, "on", NULL,
	  "remove HTML tags; <br> and </p> become line breaks" },
	{ "entities", TM_OPT_BOOL, "on", NULL,
	  "decode &name; &#NNN; &#xHHH; character references" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* HTML element names, sorted; a tag's name must be one of these. */
static const char *const elements[] = {
	"a", "abbr", "address", "area", "article", "aside", "audio", "b",
	"base", "bdi", "bdo", "big", "blockquote", "body", "br", "button",
	"canvas", "caption", "center", "cite", "code", "col", "colgroup",
	"dd", "del", "details", "dfn", "div", "dl", "dt", "em", "embed",
	"fieldset", "figcaption", "figure", "font", "footer", "form", "h1",
	"h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i",
	"iframe", "img", "input", "ins", "kbd", "label", "legend", "li",
	"link", "main", "mark", "meta", "nav", "nobr", "noscript", "ol",
	"optgroup", "option", "p", "picture", "pre", "q", "rp", "rt", "ruby",
	"s", "samp", "script", "section", "select", "small", "source", "span",
	"strike", "strong", "style", "sub", "summary", "sup", "table",
	"tbody", "td", "textarea", "tfoot", "th", "thead", "time", "title",
	"tr", "tt", "u", "ul", "var", "video", "wbr",
};

/* Tags after which a line ends: br breaks a line, the rest a paragraph. */
static const char *const breaking[] = {
	"article", "blockquote", "br", "div", "dd", "dt", "figcaption",
	"footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
	"p", "section", "table", "tr",
};

struct entity {
	const char *name;
	unsigned cp;
};

/* HTML 4 named character references (sorted by strcmp) and &apos;. */
static const struct entity entities[] = {
	{ "AElig", 0x00C6 }, { "Aacute", 0x00C1 }, { "Acirc", 0x00C2 },
	{ "Agrave", 0x00C0 }, { "Alpha", 0x0391 }, { "Aring", 0x00C5 },
	{ "Atilde", 0x00C3 }, { "Auml", 0x00C4 }, { "Beta", 0x0392 },
	{ "Ccedil", 0x00C7 }, { "Chi", 0x03A7 }, { "Dagger", 0x2021 },
	{ "Delta", 0x0394 }, { "ETH", 0x00D0 }, { "Eacute", 0x00C9 },
	{ "Ecirc", 0x00CA }, { "Egrave", 0x00C8 }, { "Epsilon", 0x0395 },
	{ "Eta", 0x0397 }, { "Euml", 0x00CB }, { "Gamma", 0x0393 },
	{ "Iacute", 0x00CD }, { "Icirc", 0x00CE }, { "Igrave", 0x00CC },
	{ "Iota", 0x0399 }, { "Iuml", 0x00CF }, { "Kappa", 0x039A },
	{ "Lambda", 0x039B }, { "Mu", 0x039C }, { "Ntilde", 0x00D1 },
	{ "Nu", 0x039D }, { "OElig", 0x0152 }, { "Oacute", 0x00D3 },
	{ "Ocirc", 0x00D4 }, { "Ograve", 0x00D2 }, { "Omega", 0x03A9 },
	{ "Omicron", 0x039F }, { "Oslash", 0x00D8 }, { "Otilde", 0x00D5 },
	{ "Ouml", 0x00D6 }, { "Phi", 0x03A6 }, { "Pi", 0x03A0 },
	{ "Prime", 0x2033 }, { "Psi", 0x03A8 }, { "Rho", 0x03A1 },
	{ "Scaron", 0x0160 }, { "Sigma", 0x03A3 }, { "THORN", 0x00DE },
	{ "Tau", 0x03A4 }, { "Theta", 0x0398 }, { "Uacute", 0x00DA },
	{ "Ucirc", 0x00DB }, { "Ugrave", 0x00D9 }, { "Upsilon", 0x03A5 },
	{ "Uuml", 0x00DC }, { "Xi", 0x039E }, { "Yacute", 0x00DD },
	{ "Yuml", 0x0178 }, { "Zeta", 0x0396 }, { "aacute", 0x00E1 },
	{ "acirc", 0x00E2 }, { "acute", 0x00B4 }, { "aelig", 0x00E6 },
	{ "agrave", 0x00E0 }, { "alefsym", 0x2135 }, { "alpha", 0x03B1 },
	{ "amp", 0x0026 }, { "and", 0x2227 }, { "ang", 0x2220 },
	{ "apos", 0x0027 }, { "aring", 0x00E5 }, { "asymp", 0x2248 },
	{ "atilde", 0x00E3 }, { "auml", 0x00E4 }, { "bdquo", 0x201E },
	{ "beta", 0x03B2 }, { "brvbar", 0x00A6 }, { "bull", 0x2022 },
	{ "cap", 0x2229 }, { "ccedil", 0x00E7 }, { "cedil", 0x00B8 },
	{ "cent", 0x00A2 }, { "chi", 0x03C7 }, { "circ", 0x02C6 },
	{ "clubs", 0x2663 }, { "cong", 0x2245 }, { "copy", 0x00A9 },
	{ "crarr", 0x21B5 }, { "cup", 0x222A }, { "curren", 0x00A4 },
	{ "dArr", 0x21D3 }, { "dagger", 0x2020 }, { "darr", 0x2193 },
	{ "deg", 0x00B0 }, { "delta", 0x03B4 }, { "diams", 0x2666 },
	{ "divide", 0x00F7 }, { "eacute", 0x00E9 }, { "ecirc", 0x00EA },
	{ "egrave", 0x00E8 }, { "empty", 0x2205 }, { "emsp", 0x2003 },
	{ "ensp", 0x2002 }, { "epsilon", 0x03B5 }, { "equiv", 0x2261 },
	{ "eta", 0x03B7 }, { "eth", 0x00F0 }, { "euml", 0x00EB },
	{ "euro", 0x20AC }, { "exist", 0x2203 }, { "fnof", 0x0192 },
	{ "forall", 0x2200 }, { "frac12", 0x00BD }, { "frac14", 0x00BC },
	{ "frac34", 0x00BE }, { "frasl", 0x2044 }, { "gamma", 0x03B3 },
	{ "ge", 0x2265 }, { "gt", 0x003E }, { "hArr", 0x21D4 },
	{ "harr", 0x2194 }, { "hearts", 0x2665 }, { "hellip", 0x2026 },
	{ "iacute", 0x00ED }, { "icirc", 0x00EE }, { "iexcl", 0x00A1 },
	{ "igrave", 0x00EC }, { "image", 0x2111 }, { "infin", 0x221E },
	{ "int", 0x222B }, { "iota", 0x03B9 }, { "iquest", 0x00BF },
	{ "isin", 0x2208 }, { "iuml", 0x00EF }, { "kappa", 0x03BA },
	{ "lArr", 0x21D0 }, { "lambda", 0x03BB }, { "lang", 0x2329 },
	{ "laquo", 0x00AB }, { "larr", 0x2190 }, { "lceil", 0x2308 },
	{ "ldquo", 0x201C }, { "le", 0x2264 }, { "lfloor", 0x230A },
	{ "lowast", 0x2217 }, { "loz", 0x25CA }, { "lrm", 0x200E },
	{ "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", 0x003C },
	{ "macr", 0x00AF }, { "mdash", 0x2014 }, { "micro", 0x00B5 },
	{ "middot", 0x00B7 }, { "minus", 0x2212 }, { "mu", 0x03BC },
	{ "nabla", 0x2207 }, { "nbsp", 0x00A0 }, { "ndash", 0x2013 },
	{ "ne", 0x2260 }, { "ni", 0x220B }, { "not", 0x00AC },
	{ "notin", 0x2209 }, { "nsub", 0x2284 }, { "ntilde", 0x00F1 },
	{ "nu", 0x03BD }, { "oacute", 0x00F3 }, { "ocirc", 0x00F4 },
	{ "oelig", 0x0153 }, { "ograve", 0x00F2 }, { "oline", 0x203E },
	{ "omega", 0x03C9 }, { "omicron", 0x03BF }, { "oplus", 0x2295 },
	{ "or", 0x2228 }, { "ordf", 0x00AA }, { "ordm", 0x00BA },
	{ "oslash", 0x00F8 }, { "otilde", 0x00F5 }, { "otimes", 0x2297 },
	{ "ouml", 0x00F6 }, { "para", 0x00B6 }, { "part", 0x2202 },
	{ "permil", 0x2030 }, { "perp", 0x22A5 }, { "phi", 0x03C6 },
	{ "pi", 0x03C0 }, { "piv", 0x03D6 }, { "plusmn", 0x00B1 },
	{ "pound", 0x00A3 }, { "prime", 0x2032 }, { "prod", 0x220F },
	{ "prop", 0x221D }, { "psi", 0x03C8 }, { "quot", 0x0022 },
	{ "rArr", 0x21D2 }, { "radic", 0x221A }, { "rang", 0x232A },
	{ "raquo", 0x00BB }, { "rarr", 0x2192 }, { "rceil", 0x2309 },
	{ "rdquo", 0x201D }, { "real", 0x211C }, { "reg", 0x00AE },
	{ "rfloor", 0x230B }, { "rho", 0x03C1 }, { "rlm", 0x200F },
	{ "rsaquo", 0x203A }, { "rsquo", 0x2019 }, { "sbquo", 0x201A },
	{ "scaron", 0x0161 }, { "sdot", 0x22C5 }, { "sect", 0x00A7 },
	{ "shy", 0x00AD }, { "sigma", 0x03C3 }, { "sigmaf", 0x03C2 },
	{ "sim", 0x223C }, { "spades", 0x2660 }, { "sub", 0x2282 },
	{ "sube", 0x2286 }, { "sum", 0x2211 }, { "sup", 0x2283 },
	{ "sup1", 0x00B9 }, { "sup2", 0x00B2 }, { "sup3", 0x00B3 },
	{ "supe", 0x2287 }, { "szlig", 0x00DF }, { "tau", 0x03C4 },
	{ "there4", 0x2234 }, { "theta", 0x03B8 }, { "thetasym", 0x03D1 },
	{ "thinsp", 0x2009 }, { "thorn", 0x00FE }, { "tilde", 0x02DC },
	{ "times", 0x00D7 }, { "trade", 0x2122 }, { "uArr", 0x21D1 },
	{ "uacute", 0x00FA }, { "uarr", 0x2191 }, { "ucirc", 0x00FB },
	{ "ugrave", 0x00F9 }, { "uml", 0x00A8 }, { "upsih", 0x03D2 },
	{ "upsilon", 0x03C5 }, { "uuml", 0x00FC }, { "weierp", 0x2118 },
	{ "xi", 0x03BE }, { "yacute", 0x00FD }, { "yen", 0x00A5 },
	{ "yuml", 0x00FF }, { "zeta", 0x03B6 }, { "zwj", 0x200D },
	{ "zwnj", 0x200C },
};

static int
cmp_str(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
cmp_entity(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entity *)elem)->name);
}

static int
markup_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct markup_state *s = state;

	s->tags = tm_opt_bool(opts, "tags");
	s->entities = tm_opt_bool(opts, "entities");
	s->stops[s->nstops++] = '\n';
	if (s->tags) {
		s->stops[s->nstops++] = '<';
		s->stops[s->nstops++] = '/';
	}
	if (s->entities)
		s->stops[s->nstops++] = '&';
	return 0;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/*
 * Read an element name at p (letters and digits, at most 15), lower-cased
 * into name. Returns its length, 0 if it is not an HTML element.
 */
static size_t
element_at(const char *p, const char *end, char name[16])
{
	size_t n = 0;

	while (p + n < end && is_alnum((unsigned char)p[n]) && n < 15) {
		name[n] = (char)(p[n] | 0x20);
		n++;
	}
	name[n] = '\0';
	if (n == 0 || (p + n < end && is_alnum((unsigned char)p[n])) ||
	    !is_alpha((unsigned char)p[0]))
		return 0;
	if (bsearch(name, elements, sizeof(elements) / sizeof(elements[0]),
	    sizeof(elements[0]), cmp_str) == NULL)
		return 0;
	return n;
}

static int
line_breaking(const char *name)
{
	return bsearch(name, breaking, sizeof(breaking) / sizeof(breaking[0]),
	    sizeof(breaking[0]), cmp_str) != NULL;
}

/*
 * A tag at p ('<'): "<name attrs>", "</name>", "<name/>" on one line.
 * Returns its length (0: not a tag) and the element name.
 */
static size_t
tag_at(const char *p, const char *end, char name[16], int *closing)
{
	const char *q = p + 1;
	size_t n;
	char quote = 0;

	*closing = q < end && *q == '/';
	q += *closing;
	if ((n = element_at(q, end, name)) == 0)
		return 0;
	q += n;
	/* Attributes: up to '>' on the same line, quotes respected. Text
	   like "<b and c>" is not a tag: attributes must have a value. */
	for (; q < end && q - p < 1024; q++) {
		if (quote != 0) {
			if (*q == quote)
				quote = 0;
			else if (*q == '\n')
				return 0;
			continue;
		}
		if (*q == '>') {
			const char *a = p + 1 + *closing + n;

			while (a < q && (*a == ' ' || *a == '\t' || *a == '/'))
				a++;
			if (a < q && memchr(a, '=', (size_t)(q - a)) == NULL)
				return 0;
			return (size_t)(q - p) + 1;
		}
		if (*q == '"' || *q == '\'')
			quote = *q;
		else if (*q == '<' || *q == '\n')
			return 0;
		else if (q == p + 1 + *closing + n && *q != ' ' && *q != '\t' &&
		    *q != '/')
			return 0;	/* "<pa" is not <p> */
	}
	return 0;
}

/* Is the markup from p to tag_end quoted in running text, like “<p>”? */
static int
quoted(const char *in, const char *p, const char *tag_end, const char *end)
{
	const char *b = p;
	unsigned before, after;

	if (p == in || tag_end >= end)
		return 0;
	before = tm_utf8_prev(&b, in);
	b = tag_end;
	after = tm_utf8_next(&b, end);
	return (before == '"' && after == '"') || (before == '\'' &&
	    after == '\'') || (before == 0x201C && after == 0x201D) ||
	    (before == 0x2018 && after == 0x2019) || (before == 0x300C &&
	    after == 0x300D) || (before == '`' && after == '`');
}

/*
 * A comment's length is capped: a comment leaked from a page is an ad
 * marker, a conditional comment or a few commented-out lines, while a
 * longer span from "<!--" to "-->" is more likely text that names both
 * marks apart, and would lose more if removed. 4 KiB is some 1300 CJK
 * characters, well above the first kind and well below a page.
 */
#define COMMENT_MAX 4096

/*
 * Where the next "-->" and the next paragraph end are, at or after a
 * point that only moves forward within a segment. Each is searched for
 * once, not once per "<!--" before it, so each byte is looked at a bounded
 * number of times however many openers there are.
 */
struct ahead {
	/* NULL: not searched yet; end: there is none */
	const char *close;	/* the next "-->" */
	const char *para;	/* the next paragraph end */
	const char *reported;	/* the "-->" of the last suspect */
};

static const char *
next_close(struct ahead *a, const char *q, const char *end)
{
	const char *c;

	if (a->close == NULL || q > a->close) {
		c = memmem(q, (size_t)(end - q), "-->", 3);
		a->close = c != NULL ? c : end;
	}
	return a->close;
}

/* The newline before a blank line (as the pipeline cuts segments). */
static const char *
next_para(struct ahead *a, const char *q, const char *end)
{
	const char *r, *t;

	if (a->para != NULL && q <= a->para)
		return a->para;
	a->para = end;
	for (r = q; (r = memchr(r, '\n', (size_t)(end - r))) != NULL; r = t) {
		for (t = r + 1; t < end && tm_blank_line_byte(*t); t++)
			;
		if (t < end && *t == '\n') {
			a->para = r;
			break;
		}
	}
	return a->para;
}

/*
 * A comment "<!-- ... -->" at p: its length, or 0. Like a tag, it stays
 * when quoted in running text (“<!--” or the whole “<!-- x -->”). One
 * that spans a paragraph end or is longer than COMMENT_MAX stays too, as
 * a suspect.
 */
static size_t
comment_at(struct tm_filter_ctx *ctx, struct ahead *a, const char *in,
    const char *p, const char *end)
{
	const char *c;
	size_t n;

	if (end - p < 7 || memcmp(p, "<!--", 4) != 0)
		return 0;
	if ((c = next_close(a, p + 4, end)) == end)
		return 0;
	n = (size_t)(c + 3 - p);
	if (quoted(in, p, p + 4, end) || quoted(in, c, c + 3, end) ||
	    quoted(in, p, c + 3, end))
		return 0;
	if (n > COMMENT_MAX || next_para(a, p + 4, end) < c) {
		/* Once per "-->": the openers before it are one span. */
		if (a->reported != c)
			tm_suspect(ctx, (size_t)(p - in), p, n,
			    n > COMMENT_MAX ? "long-comment" :
			    "comment-across-paragraphs");
		a->reported = c;
		return 0;
	}
	return n;
}

/*
 * A character reference at p ('&'): its length (0: none) and code point.
 * &amp; followed by another reference decodes both (double escaping).
 */
static size_t
entity_at(const char *p, const char *end, unsigned *cp)
{
	const char *q = p + 1;
	char name[16];
	size_t n = 0;
	unsigned long v = 0;

	if (q < end && *q == '#') {
		int hex = q + 1 < end && (q[1] == 'x' || q[1] == 'X');
		int digits = 0;

		for (q += 1 + hex; q < end && digits < 8; q++, digits++) {
			int c = (unsigned char)*q, d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
		}
		if (digits == 0 || q >= end || *q != ';')
			return 0;
		/* Scalar values only; no NUL, C0/C1 controls or surrogates. */
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
		    (v < 0x20 && v != '\t' && v != '\n') ||
		    (v >= 0x7F && v < 0xA0))
			return 0;
		*cp = (unsigned)v;
		return (size_t)(q - p) + 1;
	}
	while (q + n < end && is_alnum((unsigned char)q[n]) && n < 15) {
		name[n] = q[n];
		n++;
	}
	name[n] = '\0';
	if (n == 0 || q + n >= end || q[n] != ';')
		return 0;
	{
		const struct entity *e = bsearch(name, entities,
		    sizeof(entities) / sizeof(entities[0]), sizeof(entities[0]),
		    cmp_entity);

		if (e == NULL)
			return 0;
		*cp = e->cp;
	}
	if (*cp == '&' && q + n + 1 < end && q[n + 1] != '&') {
		/* "&amp;ldquo;": text escaped twice. Read what follows
		   "&amp;" as a reference of its own. */
		char tmp[24];
		size_t rest = (size_t)(end - (q + n + 1)), m;
		unsigned inner;

		if (rest > sizeof(tmp) - 1)
			rest = sizeof(tmp) - 1;
		tmp[0] = '&';
		memcpy(tmp + 1, q + n + 1, rest);
		if ((m = entity_at(tmp, tmp + 1 + rest, &inner)) > 0) {
			*cp = inner;
			return (size_t)(q + n + 1 - p) + m - 1;
		}
	}
	return (size_t)(q + n - p) + 1;
}

/*
 * What a removed tag leaves: a line break for breaking tags, unless the
 * line ends right after it anyway or the output is at a line start
 * already (so "</p><p>" breaks once).
 */
static const char *
tag_replacement(const char *name, const struct tm_buf *out,
    const char *after, const char *end)
{
	if (!line_breaking(name))
		return "";
	if (after >= end || *after == '\n' || *after == '\r')
		return "";
	if (out->len == 0 || out->ptr[out->len - 1] == '\n')
		return "";
	return "\n";
}

/*
 * A broken closing tag at p, like "/p>" whose '<' was lost: accepted only
 * right before a line end, with a known element name.
 */
static size_t
broken_close_at(const char *p, const char *end, char name[16])
{
	size_t n;

	if ((n = element_at(p + 1, end, name)) == 0 || p + 1 + n >= end ||
	    p[1 + n] != '>')
		return 0;
	if (p + 2 + n < end && p[2 + n] != '\n' && p[2 + n] != '\r')
		return 0;
	return n + 2;
}

/*
 * At the newline at p: a line that held only tags (now blank) goes away
 * with its newline, so "<div>" on a line of its own leaves no blank line
 * that would split a paragraph.
 */
static int
end_line(struct tm_filter_ctx *ctx, const char *in, const char *p,
    const char **done, struct tm_buf *out, size_t *line_out, int *edited)
{
	size_t i;
	int rc;

	if ((rc = tm_buf_append(out, *done, (size_t)(p - *done))) != 0)
		return rc;
	*done = p;
	if (*edited) {
		/* From the last line start in the output: a tag may have
		   broken the line already. */
		for (i = out->len; i > *line_out && out->ptr[i - 1] != '\n'; i--)
			;
		*line_out = i;
		for (; i < out->len && tm_blank_line_byte(out->ptr[i]); i++)
			;
		if (i == out->len) {
			tm_buf_truncate(out, *line_out);
			tm_edit(ctx, (size_t)(p - in), p, 1, "", 0,
			    "empty-line");
			*done = p + 1;
		}
	}
	if (*done == p) {
		if ((rc = tm_buf_putc(out, '\n')) != 0)
			return rc;
		*done = p + 1;
	}
	*line_out = out->len;
	*edited = 0;
	return 0;
}

static int
markup_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct markup_state *s = state;
	const char *p = in, *end = in + len, *done = in;
	const char *repl;
	char name[16], tmp[4];
	size_t n, rlen;
	unsigned cp;
	int closing, rc;
	const char *rule;
	size_t line_out = out->len;
	int line_edited = 0;
	struct tm_stops st;
	struct ahead ahead = { NULL, NULL, NULL };

	tm_stops_init(&st, s->stops, s->nstops, in, end);
	while (p < end) {
		/* Skip to the next byte that can start something. */
		if ((p = tm_stops_next(&st, p, end)) == end)
			break;
		n = 0;
		if (*p == '<' && s->tags) {
			if ((n = comment_at(ctx, &ahead, in, p, end)) > 0) {
				repl = "";
				rule = "comment";
			} else if ((n = tag_at(p, end, name, &closing)) > 0 &&
			    !quoted(in, p, p + n, end)) {
				if ((rc = tm_buf_append(out, done,
				    (size_t)(p - done))) != 0)
					return rc;
				done = p;
				repl = tag_replacement(name, out, p + n, end);
				rule = "tag";
			} else
				n = 0;
			rlen = n ? strlen(repl) : 0;
		} else if (*p == '/' && s->tags && p > in && p[-1] != '<' &&
		    (n = broken_close_at(p, end, name)) > 0) {
			repl = "";
			rlen = 0;
			rule = "broken-tag";
		} else if (*p == '&' && s->entities &&
		    (n = entity_at(p, end, &cp)) > 0) {
			rlen = tm_utf8_put(tmp, cp);
			repl = tmp;
			rule = "entity";
		}
		if (n == 0 && *p == '\n') {
			if ((rc = end_line(ctx, in, p, &done, out, &line_out,
			    &line_edited)) != 0)
				return rc;
			p++;
			continue;
		}
		if (n == 0) {
			p++;
			continue;
		}
		line_edited = 1;
		if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0 ||
		    (rc = tm_buf_append(out, repl, rlen)) != 0)
			return rc;
		tm_edit(ctx, (size_t)(p - in), p, n, repl, rlen, rule);
		p += n;
		done = p;
	}
	return tm_buf_append(out, done, (size_t)(p - done));
}

const struct tm_filter_type tm_filter_markup = {
	.abi = TM_FILTER_ABI,
	.name = "markup",
	.phase = TM_PHASE_MARKUP,
	.summary = "HTML tags and character references left by web scraping",
	.options = markup_options,
	.on_by_default = 1,
	.state_size = sizeof(struct markup_state),
	.init = markup_init,
	.run = markup_run,
};
