/*
 * utf8.h - small UTF-8 helpers every filter needs.
 *
 * After `decode`, text inside the pipeline is valid UTF-8 without a
 * leading BOM; these helpers rely on that and stay fast. They never read
 * past `end`.
 */
#ifndef TEXTMEND_UTF8_H
#define TEXTMEND_UTF8_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * Decode the character at *p (p < end) and advance *p past it. On a
 * malformed or truncated sequence, advance by one byte and return
 * TM_UTF8_BAD; this only happens on text that did not come out of decode.
 */
#define TM_UTF8_BAD 0xFFFFFFFFu
static inline unsigned tm_utf8_next(const char **p, const char *end);

/* Decode the character that ends just before *p (start < *p). */
static inline unsigned tm_utf8_prev(const char **p, const char *start);

/*
 * The general cases of the two above, out of line: every filter decodes
 * every character, so the header inlines ASCII and the three-byte
 * sequences of CJK text and calls these for the rest.
 */
unsigned tm_utf8_next_any(const char **p, const char *end);
unsigned tm_utf8_prev_any(const char **p, const char *start);

/* Encoded length of cp (1..4), or 0 for a surrogate or cp > 0x10FFFF. */
size_t tm_utf8_len(unsigned cp);

/* Write cp to out (room for 4 bytes); returns the length. cp must be valid. */
size_t tm_utf8_put(char *out, unsigned cp);

/*
 * Length of the longest valid UTF-8 prefix of [p, p+n). A sequence that is
 * cut off by the end of the range (but valid so far) is not counted, so
 * the caller can wait for more bytes.
 */
size_t tm_utf8_valid_prefix(const char *p, size_t n);

bool tm_utf8_valid(const char *p, size_t n);

/* Han ideograph (unified, extensions, compatibility), as used by filters. */
static inline bool tm_is_han(unsigned cp);

/*
 * CJK "wide" text character: Han, kana, hangul, bopomofo and CJK/fullwidth
 * punctuation. Used where a filter asks "is this Chinese-like context?".
 */
bool tm_is_cjk(unsigned cp);

/*
 * Finding the next of a few bytes in clean text, where they are rare: one
 * memchr per byte value, each searched for again only once the caller has
 * passed its last find, so a filter that looks at a handful of trigger
 * bytes goes through untouched text at memchr's speed instead of testing
 * every byte. Up to TM_STOPS_MAX values.
 */
#define TM_STOPS_MAX 8
struct tm_stops {
	const char *next[TM_STOPS_MAX];	/* next occurrence, or end */
	unsigned char c[TM_STOPS_MAX];
	unsigned n;
};

/* Look for the n bytes in `bytes` from p on. */
static inline void tm_stops_init(struct tm_stops *st, const char *bytes,
    size_t n, const char *p, const char *end);

/* The first of the bytes at or after p (p at or after the last p given),
   or end. */
static inline const char *tm_stops_next(struct tm_stops *st, const char *p,
    const char *end);

/* ---- inline definitions ---- */

static inline const char *
tm_stops_find(int c, const char *p, const char *end)
{
	const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;

	return q != NULL ? q : end;
}

static inline void
tm_stops_init(struct tm_stops *st, const char *bytes, size_t n,
    const char *p, const char *end)
{
	size_t i;

	assert(n <= TM_STOPS_MAX);
	st->n = 0;
	for (i = 0; i < n && i < TM_STOPS_MAX; i++) {
		st->c[i] = (unsigned char)bytes[i];
		st->next[i] = tm_stops_find(st->c[i], p, end);
		st->n++;
	}
}

static inline const char *
tm_stops_next(struct tm_stops *st, const char *p, const char *end)
{
	const char *best = end;
	unsigned i;

	for (i = 0; i < st->n; i++) {
		if (st->next[i] < p)
			st->next[i] = tm_stops_find(st->c[i], p, end);
		if (st->next[i] < best)
			best = st->next[i];
	}
	return best;
}

/* A well-formed three-byte sequence (U+0800..U+FFFF but surrogates). */
static inline unsigned
tm_utf8_seq3(const unsigned char *u)
{
	unsigned w = (unsigned)u[0] | (unsigned)u[1] << 8 |
	    (unsigned)u[2] << 16, cp;

	/* 1110xxxx 10xxxxxx 10xxxxxx, tested at once. */
	if ((w & 0xC0C0F0u) != 0x8080E0u)
		return TM_UTF8_BAD;
	cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
	if (cp < 0x800 || (cp & 0xF800) == 0xD800)
		return TM_UTF8_BAD;
	return cp;
}

static inline unsigned
tm_utf8_next(const char **p, const char *end)
{
	const unsigned char *u = (const unsigned char *)*p;
	unsigned cp;

	if (u[0] < 0x80) {
		*p += 1;
		return u[0];
	}
	if (end - *p >= 3 && (cp = tm_utf8_seq3(u)) != TM_UTF8_BAD) {
		*p += 3;
		return cp;
	}
	return tm_utf8_next_any(p, end);
}

static inline unsigned
tm_utf8_prev(const char **p, const char *start)
{
	const unsigned char *u = (const unsigned char *)*p;
	unsigned cp;

	if (u[-1] < 0x80) {
		*p -= 1;
		return u[-1];
	}
	if (*p - start >= 3 && (cp = tm_utf8_seq3(u - 3)) != TM_UTF8_BAD) {
		*p -= 3;
		return cp;
	}
	return tm_utf8_prev_any(p, start);
}

static inline bool
tm_is_han(unsigned cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) ||	/* unified */
	    (cp >= 0x3400 && cp <= 0x4DBF) ||		/* ext A */
	    (cp >= 0xF900 && cp <= 0xFAFF) ||		/* compatibility */
	    (cp >= 0x20000 && cp <= 0x323AF) ||		/* ext B-H */
	    cp == 0x3007;				/* 〇 */
}

#endif
