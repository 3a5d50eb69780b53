/*
 * mojibake_latin.c - the mojibake filter's repairs of UTF-8 read as a
 * single-byte charset: Windows-1252 and Latin-1 (plain, sloppy, several
 * times over), Windows-1251, and MacRoman and Windows-1250 inside words.
 * See mojibake.c for the rules; tm_moji_latin_run tries them in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "mojibake.h"

#define MAX_PASSES	4	/* encodings undone in one run */

/* ---- UTF-8 read as cp1252 ---- */

/*
 * The byte 0x80 + i of a single-byte charset whose upper half is hi[0..n)
 * (code points in byte order) that stands for cp, or -1.
 */
static int
high_byte(const uint16_t *hi, int n, uint32_t cp)
{
	int i;

	for (i = 0; i < n; i++)
		if (hi[i] == cp)
			return 0x80 + i;
	return -1;
}

/* The cp1252 byte of a character, sloppy (C1 controls are their own
   byte, as Latin-1 has them), or -1. */
static int
sloppy_byte(uint32_t cp)
{
	static const uint16_t hi[32] = {
		0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
		0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
	};

	if (cp >= 0x80 && cp <= 0xFF)
		return (int)cp;
	if (cp < 0x0152 || cp > 0x2122)
		return -1;	/* outside the table: skip the search */
	return high_byte(hi, 32, cp);
}

/*
 * Is cp, decoded from a 2-byte sequence, a character real text has?
 * Letters of the scripts whose UTF-8 is two bytes, and the Latin-1
 * symbols; not IPA, modifier letters, combining marks or C1 controls,
 * which is what accented capitals before punctuation ("CAFÉ»") would
 * decode to.
 */
static int
plausible2(uint32_t cp)
{
	if (cp >= 0xA0 && cp <= 0x17F)
		return 1;
	if (cp == 0x1A0 || cp == 0x1A1 || cp == 0x1AF || cp == 0x1B0 ||
	    (cp >= 0x1CD && cp <= 0x1DC) || (cp >= 0x218 && cp <= 0x21B))
		return 1;	/* Vietnamese, pinyin, Romanian */
	if ((cp >= 0x384 && cp <= 0x3CE) || (cp >= 0x400 && cp <= 0x45F) ||
	    cp == 0x490 || cp == 0x491)
		return 1;	/* Greek, Cyrillic */
	if ((cp >= 0x5D0 && cp <= 0x5EA) || cp == 0x60C || cp == 0x61B ||
	    cp == 0x61F || (cp >= 0x621 && cp <= 0x652) ||
	    (cp >= 0x660 && cp <= 0x669) || cp == 0x67E || cp == 0x686 ||
	    cp == 0x6A9 || cp == 0x6AF || cp == 0x6CC)
		return 1;	/* Hebrew, Arabic, Persian */
	return 0;
}

static int
plausible3(uint32_t cp)
{
	if (cp >= 0xE000 && cp <= 0xF8FF)	/* private use */
		return 0;
	if ((cp >= 0xFFF0 && cp != 0xFFFD) || (cp >= 0xFDD0 && cp <= 0xFDEF))
		return 0;
	if (cp >= 0x1D00 && cp <= 0x1DBF)	/* phonetic extensions */
		return 0;
	return 1;
}

static int
plausible4(uint32_t cp)
{
	return cp < 0xF0000 && (cp & 0xFFFE) != 0xFFFE;
}

/*
 * Continuation characters that are also everyday punctuation or
 * currency: an accented capital before one of them ("Ã’s", "AHÅ™",
 * "5×£35") is as likely to be real text as mojibake.
 */
static int
punct_cont(uint32_t cp)
{
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0x201A:
	case 0x201E: case 0x2039: case 0x203A: case 0x2013: case 0x2014:
	case 0x2026: case 0x2122: case 0x2022: case 0x00AB: case 0x00BB:
	case 0x00A0: case 0x00A2: case 0x00A3: case 0x00A4:
	case 0x00A5: case 0x00B7:
		return 1;
	}
	return 0;
}

enum { NONE, WEAK, STRONG };

/*
 * How sure is the UTF-8 sequence c[0..len) (with cp decoded) to be
 * mojibake? STRONG: the usual leads of Latin and Cyrillic mojibake (Ã Â
 * Ð Ñ) before a symbol, any three- or four-byte sequence with a symbol
 * in it, any C1 control. WEAK: the rest, which is repaired only beside
 * other mojibake.
 */
static int
strength(const uint32_t *c, size_t len, uint32_t cp)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (c[i] >= 0x80 && c[i] <= 0x9F)
			return STRONG;
	if (cp == 0xFFFD)
		return STRONG;
	if (len == 2) {
		if (c[0] == 0xC3 && c[1] == 0xA0)
			return STRONG;	/* à with its no-break space */
		if (c[0] == 0xC3)	/* "Ã’s" is a word, "Ã‘OS" is not */
			return c[1] == 0x2019 || c[1] == 0x201D ||
			    c[1] == 0x2026 ||
			    c[1] == 0x2122 || (c[1] >= 0xA2 && c[1] <= 0xA5) ?
			    WEAK : STRONG;
		return punct_cont(c[1]) ? WEAK : STRONG;
	}
	if (len == 3 && punct_cont(c[1]) && punct_cont(c[2]))
		return WEAK;	/* "Brontë…”" */
	return STRONG;
}

/*
 * Decode the UTF-8 sequence whose bytes are those of c[0..n) (as many
 * characters as the sequence needs). Returns its length in characters
 * (2..4) and sets the code point and strength, or returns 0. A sequence
 * whose last byte was lost to U+FFFD downstream ("â€�" for ”) decodes
 * to U+FFFD.
 */
static size_t
sequence_at(const uint32_t *c, size_t n, uint32_t *cp, int *str)
{
	int b[4], lead;
	size_t need, i;
	unsigned lo = 0x80, hi = 0xBF;
	uint32_t v;

	if ((lead = sloppy_byte(c[0])) < 0xC2 || lead > 0xF4)
		return 0;
	need = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
	if (n < need)
		return 0;
	if (lead == 0xE0)
		lo = 0xA0;
	else if (lead == 0xED)
		hi = 0x9F;
	else if (lead == 0xF0)
		lo = 0x90;
	else if (lead == 0xF4)
		hi = 0x8F;
	b[0] = lead;
	for (i = 1; i < need; i++) {
		b[i] = sloppy_byte(c[i]);
		if (i == need - 1 && c[i] == 0xFFFD && (i > 1 ||
		    (b[0] >= 0xC2 && b[0] <= 0xDF)))
			b[i] = 0x100;	/* lost, checked below */
		else if (b[i] < 0x80 || b[i] > 0xBF)
			return 0;
	}
	if (need > 2 && ((unsigned)b[1] < lo || (unsigned)b[1] > hi))
		return 0;
	if (b[need - 1] == 0x100) {
		*cp = 0xFFFD;
		*str = STRONG;
		return need;
	}
	if ((unsigned)b[1] < lo || (unsigned)b[1] > hi)
		return 0;
	v = (uint32_t)lead & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
	for (i = 1; i < need; i++)
		v = v << 6 | ((uint32_t)b[i] & 0x3F);
	if (need == 2 ? !plausible2(v) : need == 3 ? !plausible3(v) :
	    !plausible4(v))
		return 0;
	*cp = v;
	*str = strength(c, need, v);
	return need;
}

/*
 * One pass over c[0..n) into out: strong sequences decoded, weak ones
 * too when `weak` is set or the run holds two or more of them (a whole
 * word of Greek or Hebrew mojibake). *nstrong counts the strong ones.
 */
static int
upper(uint32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE &&
	    cp != 0xD7);
}

/*
 * The strength of the sequence at c[i] (of len characters) in its
 * context; `before` and `after` are the characters around the run.
 * "HÃ”TEL", "OÃ™ ET": a weak Ã sequence inside a capitalised word is
 * strong, where "Ã’s" before a lowercase letter stays a word.
 */
static int
in_context(const uint32_t *c, size_t n, size_t i, size_t len, int str,
    uint32_t before, uint32_t after)
{
	uint32_t prev = i > 0 ? c[i - 1] : before;
	uint32_t next = i + len < n ? c[i + len] : after;

	if (str == WEAK && c[i] == 0xC3 && len == 2 && upper(prev) &&
	    !(next >= 'a' && next <= 'z') && !(next >= 0xDF && next <= 0xFF))
		return STRONG;
	return str;
}

static size_t
latin_pass(const uint32_t *c, size_t n, uint32_t *out, size_t *nout,
    int weak, size_t *nstrong, uint32_t before, uint32_t after)
{
	size_t i, k = 0, len, fixed = 0, nweak = 0;
	uint32_t cp;
	int str;

	*nstrong = 0;
	for (i = 0; i < n; ) {
		if ((len = sequence_at(c + i, n - i, &cp, &str)) > 0) {
			str = in_context(c, n, i, len, str, before, after);
			if (str == STRONG)
				(*nstrong)++;
			else
				nweak++;
			i += len;
		} else
			i++;
	}
	if (nweak >= 2)
		weak = 1;
	for (i = 0; i < n; ) {
		if ((len = sequence_at(c + i, n - i, &cp, &str)) > 0 &&
		    (weak || in_context(c, n, i, len, str, before, after) ==
		    STRONG)) {
			out[k++] = cp;
			i += len;
			fixed++;
		} else
			out[k++] = c[i++];
	}
	*nout = k;
	return fixed;
}

/* Portuguese words that start with à: after "Ã" the space was its
   no-break space (ftfy's rule). */
static int
a_grave_word(const char *p, const char *end)
{
	static const char *const w[] = { "s ", "quele", "quela", "quilo" };
	size_t i, n;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		n = strlen(w[i]);
		if ((size_t)(end - p) >= n && memcmp(p, w[i], n) == 0)
			return 1;
	}
	return 0;
}

static int
lower_before(const char *seg, const char *p)
{
	uint32_t cp;

	if (p == seg)
		return 0;
	cp = tm_utf8_prev(&p, seg);
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF &&
	    cp != 0xF7);
}

/*
 * The non-ASCII run r[0..len) at offset off of segment seg[..end): repair
 * it into out if it is UTF-8 read as cp1252. `weak`: the segment holds
 * strong mojibake elsewhere. With out NULL, only count the strong
 * sequences into *nstrong. Returns 1 if it repaired, 0 if the run is to
 * be copied as it is, or -errno.
 */
static int
latin_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *r, size_t len, int weak, size_t *nstrong,
    size_t *eaten, struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, *t;
	size_t n = 0, m, k, i, pre, suf, pass, ns, boff;
	size_t off = (size_t)(r - seg);
	uint32_t before, after, v;
	int str;
	int any = 0, rc;

	*nstrong = 0;
	*eaten = 0;
	/* Fast path: a run without a Latin-1 or cp1252 character (all of
	   clean CJK text) cannot be this kind of mojibake. */
	while (p < rend)
		if (sloppy_byte(tm_utf8_next(&p, rend)) >= 0xC2) {
			any = 1;
			break;
		}
	if (!any)
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0 ||
	    (rc = tm_moji_grow(&s->c, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;	/* the run as it is */
	d = (uint32_t *)(void *)s->b.ptr;	/* the run repaired so far */
	t = (uint32_t *)(void *)s->c.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	before = 0;
	if (r > seg) {
		p = r;
		before = tm_utf8_prev(&p, seg);
	}
	p = rend;
	after = rend < end ? tm_utf8_next(&p, end) : 0;
	if (out == NULL) {
		latin_pass(c, n, d, &m, 0, nstrong, before, after);
		return 0;
	}
	latin_pass(c, n, d, &m, weak, nstrong, before, after);
	for (pass = 1; pass < MAX_PASSES; pass++) {
		if (latin_pass(d, m, t, &k, weak, &ns, before, after) == 0)
			break;
		memcpy(d, t, k * sizeof(*t));
		m = k;
	}
	/* A no-break space that became a plain one after a lead: "voilÃ le"
	   (à, the space stays a word break, except in Portuguese "Ã s",
	   "Ã quele"), "namedÂ „" (the space was the no-break space). */
	if (m > 0 && rend < end && *rend == ' ' && d[m - 1] == c[n - 1] &&
	    (d[m - 1] == 0xC2 || d[m - 1] == 0xC3 || d[m - 1] == 0xD0 ||
	    d[m - 1] == 0xD1 || d[m - 1] == 0xD8 || d[m - 1] == 0xD9) &&
	    (weak ||
	    (m == 1 && d[0] == 0xC3 && lower_before(seg, r)))) {
		v = 0;
		if (d[m - 1] >= 0xC2 && d[m - 1] <= 0xDF)
			v = (d[m - 1] & 0x1F) << 6 | 0x20;
		if (v != 0 && plausible2(v)) {
			d[m - 1] = v;
			if (v != 0xE0 || a_grave_word(rend + 1, end) ||
			    (rend + 1 < end && rend[1] == ' '))
				*eaten = 1;
		}
	}
	if (m == n && memcmp(c, d, n * sizeof(*c)) == 0) {
		/* "Ã’s", "MISUTÂ AJIKKO": the classic leads before a
		   continuation, left alone without stronger evidence */
		for (i = 0; i < n; i++)
			if ((c[i] == 0xC3 || c[i] == 0xC2) &&
			    sequence_at(c + i, n - i, &v, &str) > 0) {
				tm_suspect(ctx, off, r, len, "utf8-as-cp1252");
				break;
			}
		return 0;
	}
	/* Report the changed middle only: runs can hold correct text
	   around the broken part. */
	for (pre = 0; pre < n && pre < m && c[pre] == d[pre]; pre++)
		;
	for (suf = 0; suf < n - pre && suf < m - pre &&
	    c[n - 1 - suf] == d[m - 1 - suf]; suf++)
		;
	if (*eaten)	/* the space went into the last character */
		suf = 0;
	tm_buf_reset(&s->text);
	for (i = pre; i < m - suf; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	boff = tm_moji_utf8_size(c, pre);
	tm_edit(ctx, off + boff, r + boff, len + *eaten - boff -
	    tm_moji_utf8_size(c + n - suf, suf), s->text.ptr, s->text.len,
	    "utf8-as-cp1252");
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(out, d[i])) != 0)
			return rc;
	return 1;
}

/* ---- UTF-8 read as Windows-1251 ---- */

/* The cp1251 byte of a character (U+0098 for the undefined 98), or -1. */
static int
cp1251_byte(uint32_t cp)
{
	static const uint16_t hi[64] = {
		0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
		0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
		0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x0098, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
		0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
		0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
		0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
		0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457
	};

	if (cp >= 0x0410 && cp <= 0x044F)
		return (int)(cp - 0x0410 + 0xC0);
	if (cp < 0x98 || cp > 0x2122)
		return -1;	/* outside the table: skip the search */
	return high_byte(hi, 64, cp);
}

/*
 * One UTF-8 sequence in cp1251 at c[0..n): its length in characters and
 * code point, or 0. Three-byte sequences count only when they decode to
 * the punctuation that Russian mojibake is full of ("вЂ™" for ’); a
 * Ukrainian word such as "енергії" is also lowercase letter + і + ї.
 */
static size_t
cyr_sequence(const uint32_t *c, size_t n, uint32_t *cp)
{
	int b0, b1, b2;

	if (n < 2 || (b0 = cp1251_byte(c[0])) < 0xC2 || b0 > 0xEF ||
	    (b1 = cp1251_byte(c[1])) < 0x80 || b1 > 0xBF)
		return 0;
	if (b0 < 0xE0) {
		*cp = ((uint32_t)b0 & 0x1F) << 6 | ((uint32_t)b1 & 0x3F);
		return plausible2(*cp) ? 2 : 0;
	}
	if (n < 3 || (b2 = cp1251_byte(c[2])) < 0x80 || b2 > 0xBF ||
	    (b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F))
		return 0;
	*cp = ((uint32_t)b0 & 0x0F) << 12 | ((uint32_t)b1 & 0x3F) << 6 |
	    ((uint32_t)b2 & 0x3F);
	return (*cp >= 0x2010 && *cp <= 0x203A) || *cp == 0x20AC ||
	    *cp == 0x2116 || *cp == 0x2122 ? 3 : 0;
}

/*
 * The non-ASCII run r[0..len): repair it if it is UTF-8 read as cp1251.
 * Only a run that is mojibake from end to end is repaired, and a run of
 * two-byte sequences needs two of them: correct Cyrillic has the same
 * characters ("Рік" is Р + і + к), never a whole run of such pairs.
 */
static int
cyr_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *r, size_t len, struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, cp;
	size_t n = 0, m = 0, i, k, nseq = 0, long_seq = 0;
	int rc, b, any = 0;

	while (p < rend)
		if ((b = cp1251_byte(tm_utf8_next(&p, rend))) >= 0x80 &&
		    b <= 0xBF) {
			any = 1;
			break;
		}
	if (!any)
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	for (i = 0; i < n; i += k) {
		if ((k = cyr_sequence(c + i, n - i, &cp)) == 0)
			return 0;
		d[m++] = cp;
		nseq++;
		if (k == 3)
			long_seq++;
	}
	if (nseq < 2 && long_seq == 0)
		return 0;
	tm_buf_reset(&s->text);
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	tm_edit(ctx, (size_t)(r - seg), r, len, s->text.ptr, s->text.len,
	    "utf8-as-cp1251");
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	return 1;
}

/* ---- UTF-8 read as MacRoman or Windows-1250, inside words ---- */

/*
 * A single-byte charset whose letters mojibake is repaired inside words:
 * the characters of bytes 80..BF (the continuation bytes) and of C2..C5
 * (the leads of U+0080..U+017F; 0 where the lead cannot give a letter).
 */
struct sb_charset {
	uint16_t cont[64];
	uint16_t lead[4];
	const char *rule;
};

static const struct sb_charset macroman = {
	{
		0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
		0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
		0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
		0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
		0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
		0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
		0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
		0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8
	},
	{ 0x00AC, 0x221A, 0x0192, 0x2248 },	/* ¬ √ ƒ ≈ */
	"utf8-as-macroman"
};

static const struct sb_charset cp1250 = {
	{
		0x20AC, 0x0081, 0x201A, 0x0083, 0x201E, 0x2026, 0x2020, 0x2021,
		0x0088, 0x2030, 0x0160, 0x2039, 0x015A, 0x0164, 0x017D, 0x0179,
		0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x0098, 0x2122, 0x0161, 0x203A, 0x015B, 0x0165, 0x017E, 0x017A,
		0x00A0, 0x02C7, 0x02D8, 0x0141, 0x00A4, 0x0104, 0x00A6, 0x00A7,
		0x00A8, 0x00A9, 0x015E, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x017B,
		0x00B0, 0x00B1, 0x02DB, 0x0142, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
		0x00B8, 0x0105, 0x015F, 0x00BB, 0x013D, 0x02DD, 0x013E, 0x017C
	},
	{ 0, 0x0102, 0x00C4, 0x0139 },		/* Ă Ä Ĺ */
	"utf8-as-cp1250"
};

static int
sb_cont(const struct sb_charset *cs, uint32_t cp)
{
	int i;

	for (i = 0; i < 64; i++)
		if (cs->cont[i] == cp)
			return 0x80 + i;
	return -1;
}

static int
sb_lead(const struct sb_charset *cs, uint32_t cp)
{
	int i;

	for (i = 0; i < 4; i++)
		if (cs->lead[i] != 0 && cs->lead[i] == cp)
			return 0xC2 + i;
	return -1;
}

static int
letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	    (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

/*
 * Continuation characters that do not count inside a word: punctuation
 * after a capital is Romanian "COMANDĂ”"; for cp1250, Ą and ą, which
 * ISO 8859-2 has at other bytes (its "MĂĄm" is "Mám", not "Måm").
 */
static int
sb_punct(const struct sb_charset *cs, uint32_t cp)
{
	if (cs == &cp1250 && (cp == 0x0104 || cp == 0x0105))
		return 1;
	return punct_cont(cp) && !(cp >= 0xA2 && cp <= 0xA5) && cp != 0xB7;
}

static int
lower(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF &&
	    cp != 0xF7) || (cp >= 0x100 && cp <= 0x17F && (cp & 1));
}

/*
 * The non-ASCII run r[0..len): repair the Latin letters of UTF-8 read as
 * MacRoman ("wei√ü", "r√©gime", "SaeimƒÅ") or cp1250 ("LiĂ¨ge",
 * "NapĂ­Ĺˇte"). The lead must stand inside a word (a lowercase letter
 * before it, or one after the pair not preceded by a digit) and not
 * before punctuation, which keeps "2√π", "x ≈ °" and Romanian capitals
 * ("COMANDĂ”", "NICIODATĂ™") as they are.
 */
static int
sb_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *r, size_t len, const struct sb_charset *cs,
    struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, prev, next = 0, cp;
	size_t n = 0, m = 0, i, fixed = 0;
	int rc, lead, cont, any = 0;

	while (p < rend)
		if (sb_lead(cs, tm_utf8_next(&p, rend)) > 0) {
			any = 1;
			break;
		}
	if (!any)
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	prev = 0;
	if (r > seg) {
		p = r;
		prev = tm_utf8_prev(&p, seg);
	}
	for (i = 0; i < n; ) {
		if ((lead = sb_lead(cs, c[i])) > 0 && i + 1 < n &&
		    (cont = sb_cont(cs, c[i + 1])) > 0) {
			if (i + 2 < n)
				next = c[i + 2];
			else if (rend < end) {
				p = rend;
				next = tm_utf8_next(&p, end);
			} else
				next = 0;
			cp = ((uint32_t)lead & 0x1F) << 6 |
			    ((uint32_t)cont & 0x3F);
			if (letter(cp) && !sb_punct(cs, c[i + 1]) &&
			    (lower(prev) || (next >= 'a' && next <= 'z' &&
			    !(prev >= '0' && prev <= '9')))) {
				d[m++] = prev = cp;
				i += 2;
				fixed++;
				continue;
			}
		}
		d[m++] = prev = c[i++];
	}
	if (fixed == 0)
		return 0;
	tm_buf_reset(&s->text);
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	tm_edit(ctx, (size_t)(r - seg), r, len, s->text.ptr, s->text.len,
	    cs->rule);
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	return 1;
}

/* ---- what mojibake.c calls ---- */

/*
 * Can the run p[..end) hold mojibake of a single-byte charset? Every
 * character of cp1252, cp1251 and MacRoman is below U+2266: lead bytes
 * C2..E1, or E2 before 80..89. Most CJK text has none.
 */
int
tm_moji_maybe_latin(const char *p, const char *end)
{
	unsigned char b;

	for (; p < end; p++) {
		b = (unsigned char)*p;
		if ((b >= 0xC2 && b <= 0xE1) || (b == 0xE2 && p + 1 < end &&
		    (unsigned char)p[1] <= 0x89))
			return 1;
	}
	return 0;
}

/* Does the line p[..end) hold strong cp1252 mojibake anywhere? */
int
tm_moji_line_strong(struct moji_state *s, const char *seg, const char *p,
    const char *end)
{
	const char *q;
	size_t ns, eaten;
	int rc;

	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		for (q = p; q < end && (unsigned char)*q >= 0x80; q++)
			;
		rc = latin_run(s, NULL, seg, end, p, (size_t)(q - p), 0, &ns,
		    &eaten, NULL);
		if (rc < 0)
			return rc;
		if (ns > 0)
			return 1;
		p = q;
	}
	return 0;
}

int
tm_moji_latin_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, size_t len, int weak,
    size_t *eaten, struct tm_buf *out)
{
	size_t ns;
	int rc;

	*eaten = 0;
	rc = latin_run(s, ctx, seg, end, r, len, weak, &ns, eaten, out);
	if (rc == 0)
		rc = cyr_run(s, ctx, seg, r, len, out);
	if (rc == 0)
		rc = sb_run(s, ctx, seg, end, r, len, &macroman, out);
	if (rc == 0)
		rc = sb_run(s, ctx, seg, end, r, len, &cp1250, out);
	return rc;
}
