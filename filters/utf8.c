/*
 * utf8.c - UTF-8 decoding, encoding and validation, and the character
 * classes filters share.
 *
 * Validation follows RFC 3629 exactly (no overlongs, no surrogates,
 * nothing above U+10FFFF), so text that passes it can be handed to ICU and
 * JSON writers without further checks.
 */
#include <stdint.h>
#include <string.h>

#include "textmend/utf8.h"

/* Length of a sequence from its lead byte; 0 for continuation/invalid. */
static const uint8_t seqlen[256] = {
	/* 0x00-0x7F */
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	/* 0x80-0xBF continuation */
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	/* 0xC0-0xC1 overlong, 0xC2-0xDF */
	0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
	/* 0xE0-0xEF */
	3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
	/* 0xF0-0xF4, rest invalid */
	4,4,4,4,4,0,0,0,0,0,0,0,0,0,0,0,
};

/*
 * Check one sequence of length n at p (all n bytes present). Returns the
 * code point or TM_UTF8_BAD.
 */
static unsigned
decode_seq(const unsigned char *p, size_t n)
{
	unsigned cp;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		if ((p[1] & 0xC0) != 0x80)
			return TM_UTF8_BAD;
		return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
	case 3:
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return TM_UTF8_BAD;
		cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) |
		    (p[2] & 0x3Fu);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
			return TM_UTF8_BAD;
		return cp;
	case 4:
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return TM_UTF8_BAD;
		cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) |
		    ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
		if (cp < 0x10000 || cp > 0x10FFFF)
			return TM_UTF8_BAD;
		return cp;
	}
	return TM_UTF8_BAD;
}

unsigned
tm_utf8_next_any(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	size_t n = seqlen[*p];
	unsigned cp;

	if (n == 0 || (size_t)((const unsigned char *)end - p) < n) {
		*pp += 1;
		return TM_UTF8_BAD;
	}
	cp = decode_seq(p, n);
	*pp += cp == TM_UTF8_BAD ? 1 : n;
	return cp;
}

unsigned
tm_utf8_prev_any(const char **pp, const char *start)
{
	const char *p = *pp, *q;
	size_t back = 0;
	unsigned cp;

	do {
		p--;
		back++;
	} while (p > start && back < 4 && (*(const unsigned char *)p & 0xC0) == 0x80);
	q = p;
	cp = tm_utf8_next_any(&q, *pp);
	if (q != *pp) {		/* malformed: step back one byte */
		*pp -= 1;
		return TM_UTF8_BAD;
	}
	*pp = p;
	return cp;
}

size_t
tm_utf8_len(unsigned cp)
{
	if (cp < 0x80)
		return 1;
	if (cp < 0x800)
		return 2;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000)
		return 3;
	if (cp <= 0x10FFFF)
		return 4;
	return 0;
}

size_t
tm_utf8_put(char *out, unsigned cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t
tm_utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t len;

	while (p < end) {
		/* ASCII fast path, eight bytes at a time. */
		while (end - p >= 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			p += 8;
		}
		if (p >= end)
			break;
		if (*p < 0x80) {
			p++;
			continue;
		}
		/* CJK text: three-byte sequences, one after another. Leads
		   E1-EC and EE-EF take any continuation bytes; E0 and ED
		   (overlongs, surrogates) go the long way below. */
		while (end - p >= 3) {
			uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			    (uint32_t)p[2] << 16;

			if ((w & 0xC0C0F0u) != 0x8080E0u || p[0] == 0xE0 ||
			    p[0] == 0xED)
				break;
			p += 3;
		}
		if (p >= end || *p < 0x80)
			continue;
		len = seqlen[*p];
		if (len == 0)
			break;
		if ((size_t)(end - p) < len) {
			/* Truncated: valid only if the bytes present fit. */
			break;
		}
		if (decode_seq(p, len) == TM_UTF8_BAD)
			break;
		p += len;
	}
	return (size_t)(p - (const unsigned char *)s);
}

bool
tm_utf8_valid(const char *p, size_t n)
{
	return tm_utf8_valid_prefix(p, n) == n;
}

bool
tm_is_cjk(unsigned cp)
{
	return tm_is_han(cp) ||
	    (cp >= 0x2E80 && cp <= 0x2FDF) ||	/* radicals */
	    (cp >= 0x3000 && cp <= 0x303F) ||	/* CJK symbols, punctuation */
	    (cp >= 0x3040 && cp <= 0x30FF) ||	/* kana */
	    (cp >= 0x3100 && cp <= 0x312F) ||	/* bopomofo */
	    (cp >= 0x3130 && cp <= 0x318F) ||	/* hangul compatibility jamo */
	    (cp >= 0xAC00 && cp <= 0xD7A3) ||	/* hangul syllables */
	    (cp >= 0xFF01 && cp <= 0xFF60) ||	/* fullwidth forms */
	    (cp >= 0xFE30 && cp <= 0xFE4F);	/* CJK compatibility forms */
}
