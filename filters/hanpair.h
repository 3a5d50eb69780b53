/*
 * hanpair.h - how well Han characters follow one another: the table of
 * character pairs that mojibake_cjk.c chooses a character that lost bytes
 * with, generated into hanpair.c by filters/tables/hanpair.py from the
 * same word list as hanfreq.c.
 *
 * The cost of Han character b after Han character a, in half bits, is
 * E(a) + S(b) - G(a, b): S how rarely b starts a word, E how rarely a
 * ends one, G how much more often b follows a inside words than two words
 * that merely meet would give (0 for a pair not listed). Read-only data;
 * any thread.
 */
#ifndef TEXTMEND_HANPAIR_H
#define TEXTMEND_HANPAIR_H

#include <stddef.h>
#include <stdint.h>

#define TM_HANPAIR_FIRST	0x3400u	/* the characters it knows .. */
#define TM_HANPAIR_LAST		0x9FFFu	/* .. the end of the unified block */
#define TM_HANPAIR_MAX		32768	/* pairs at most (indexed in 16 bits) */

/* Sorted entries: script << 28 | code point << 12 | S << 6 | E, for the
   characters that cost at most 19 bits alone (those of hanfreq.c; others
   are rarer); script 1 a character of Traditional text, 2 of Simplified,
   0 of both. */
extern const uint32_t tm_hanpair_char[];
extern const size_t tm_hanpair_char_len;

/* Sorted entries: (a - TM_HANPAIR_FIRST) << 15 | (b - TM_HANPAIR_FIRST),
   with G(a, b) at the same index of tm_hanpair_gain. */
extern const uint32_t tm_hanpair[];
extern const uint8_t tm_hanpair_gain[];
extern const size_t tm_hanpair_len;

#endif
