/*
 * utf8.h - small UTF-8 helpers every filter needs.
 *
 * After `decode`, text inside the pipeline is valid UTF-8 without a
 * leading BOM; these helpers rely on that and stay fast. They never read
 * past `end`.
 */
#ifndef TEXTMEND_UTF8_H
#define TEXTMEND_UTF8_H

#include <stddef.h>
#include <stdbool.h>

/*
 * Decode the character at *p (p < end) and advance *p past it. On a
 * malformed or truncated sequence, advance by one byte and return
 * TM_UTF8_BAD; this only happens on text that did not come out of decode.
 */
#define TM_UTF8_BAD 0xFFFFFFFFu
unsigned tm_utf8_next(const char **p, const char *end);

/* Decode the character that ends just before *p (start < *p). */
unsigned tm_utf8_prev(const char **p, const char *start);

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
bool tm_is_han(unsigned cp);

/*
 * CJK "wide" text character: Han, kana, hangul, bopomofo and CJK/fullwidth
 * punctuation. Used where a filter asks "is this Chinese-like context?".
 */
bool tm_is_cjk(unsigned cp);

#endif
