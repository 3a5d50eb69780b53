/*
 * mojibake_icu.h - the GBK and Big5 converters the mojibake filter
 * re-encodes and decodes candidate repairs with (see mojibake_icu.c, the
 * only place that sees ICU).
 */
#ifndef TEXTMEND_MOJIBAKE_ICU_H
#define TEXTMEND_MOJIBAKE_ICU_H

#include <stddef.h>
#include <stdint.h>

struct tm_moji_gbk;

/* A strict GBK converter (errors stop, nothing is substituted): 0,
   -ENOMEM or TM_EICU. */
int tm_moji_gbk_open(struct tm_moji_gbk **out);
void tm_moji_gbk_close(struct tm_moji_gbk *g);

/* The GBK bytes of cp in out[0..2): their number (1 or 2), 0 if none. */
size_t tm_moji_gbk_encode(struct tm_moji_gbk *g, uint32_t cp,
    unsigned char out[4]);

/*
 * Decode n bytes of GBK into at most cap code points. Returns the number
 * of code points, or -1 if any byte sequence is illegal or unmapped.
 */
int tm_moji_gbk_decode(struct tm_moji_gbk *g, const unsigned char *in,
    size_t n, uint32_t *cps, size_t cap);

/*
 * The character the two bytes (lead, trail) decode to in GBK, or in Big5
 * (windows-950) if `big5`; 0 if they are no pair there. Remembered in g.
 */
uint32_t tm_moji_pair(struct tm_moji_gbk *g, int big5, unsigned lead,
    unsigned trail);

/*
 * The Big5 (windows-950) bytes of the BMP character cp in out[0..2):
 * their number (1 or 2), 0 if it has none. Private-use characters come
 * back as the user-defined pairs they were read from. Remembered in g.
 */
size_t tm_moji_big5_encode(struct tm_moji_gbk *g, uint32_t cp,
    unsigned char out[2]);

#endif
