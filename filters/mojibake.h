/*
 * mojibake.h - what the parts of the mojibake filter share: its state and
 * one entry per family of confusions. mojibake.c runs the filter and hands
 * each run of non-ASCII text to the repairs; mojibake_latin.c repairs UTF-8
 * read as a single-byte charset, mojibake_cjk.c the Chinese confusions
 * (UTF-8 or Big5 read as GBK, GBK read as Latin-1, GBK paired one off
 * after a lost byte).
 */
#ifndef TEXTMEND_MOJIBAKE_H
#define TEXTMEND_MOJIBAKE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "mojibake_icu.h"

/* The best character for a GBK pair with one byte unknown, by the known
   byte, which byte is unknown and whether a quote is open. */
struct pair_memo {
	uint32_t cp;
	float margin;		/* how much the next best costs more */
	uint8_t state;		/* 0 not tried, 1 found, 2 none */
};

/* The best character for three bytes of UTF-8 read as Big5 with one or
   two lost, by which are lost, which are one pair and the bits of the
   known ones (mojibake_cjk.c): 6288 patterns of known bits, 4 of pairs. */
#define B5_MEMO		(6288 * 4)
struct b5_memo {
	uint32_t cp;
	uint16_t cost;
	uint8_t unsure;
	uint8_t state;		/* 0 not tried, 1 found, 2 none */
};

/* And the cheapest few of each, for the choice by the neighbours. */
#define B5_ALTS		6
struct b5_alts {
	uint16_t alt[B5_ALTS];	/* best first */
	uint8_t n;
};

struct moji_state {
	int latin;
	int gbk_on;
	int guess;		/* put back what lost bytes, by likelihood */
	struct tm_moji_gbk *gbk;
	struct pair_memo memo[2][2][256];
	struct b5_memo *b5memo;	/* B5_MEMO of them, then B5_MEMO struct
				   b5_alts, made when first asked */
	const uint8_t *cjk_cost;	/* cost of U+3000..U+9FFF (mojibake_cjk.c) */
	const char *pua_scan;	/* the segment holds no U+E000..EFFF before */
	const char *pua_from, *pua_to;	/* the line holding the next one */
	const char *quote_at;	/* quote_open() last asked at, in this
				   segment */
	int quote_open;		/* its answer there */
	struct tm_buf a, b, c;	/* code point arrays for the latin passes */
	struct tm_buf text;	/* UTF-8 of a repaired run */
};

/* Reset b to room for n code points: 0 or -ENOMEM. */
int tm_moji_grow(struct tm_buf *b, size_t n);

/* The UTF-8 length of the code points c[0..n). */
size_t tm_moji_utf8_size(const uint32_t *c, size_t n);

/*
 * UTF-8 read as a single-byte charset (mojibake_latin.c). tm_moji_maybe_latin
 * says whether the non-ASCII run p[..end) can hold such mojibake at all;
 * tm_moji_line_strong whether the line p[..end) of segment seg holds strong
 * cp1252 mojibake (1), none (0) or -errno. tm_moji_latin_run repairs the
 * run r[0..len) into out: `weak` repairs weak sequences too; *eaten is how
 * many bytes after the run the repair took in. Returns 1 if it repaired,
 * 0 if the run is to be copied as it is, or -errno.
 */
int tm_moji_maybe_latin(const char *p, const char *end);
int tm_moji_line_strong(struct moji_state *s, const char *seg, const char *p,
    const char *end);
int tm_moji_latin_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, size_t len, int weak,
    size_t *eaten, struct tm_buf *out);

/* Point s at the Chinese repairs' cost table (built once per process). */
void tm_moji_cjk_init(struct moji_state *s);

/*
 * The Chinese confusions (mojibake_cjk.c). tm_moji_gbk_run looks at the
 * "?" at p: if a misaligned GBK run follows and repairs, it writes the
 * repair to out, sets *resume past the run and returns 1.
 * tm_moji_utf8_gbk_run repairs the non-ASCII run r[0..len) of seg[..end)
 * where it is UTF-8 read as GBK, or Big5 read as GBK; *eaten is how many
 * bytes after the run the repair took in (a "?" that stood for a lost
 * byte). Both return 1 if they repaired, 0 if not, or -errno.
 */
int tm_moji_gbk_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *p, struct tm_buf *out,
    const char **resume);
int tm_moji_utf8_gbk_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, size_t len,
    struct tm_buf *out, size_t *eaten);

/*
 * UTF-8 read as Big5 ("?見嚗??憭批?" -> "同樣，施力的大"), lost pairs
 * "?" or U+FFFD. p starts a span of seg[..end) that holds a sign of it
 * (mojibake.c looks for one); the span runs at most to the end of its
 * line and *seen is set to its end. Returns 1 with the repaired part written to out and
 * *resume past it, 0 if nothing was repaired, or -errno.
 */
int tm_moji_utf8_big5_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *p, struct tm_buf *out,
    const char **resume, const char **seen);

/*
 * GBK read as Latin-1 or cp1252 ("ÄãºÃ" -> "你好"). r[..q) is a non-ASCII
 * run of seg[..end); the span looked at runs on over ASCII to the first
 * character that is not Latin-1, cp1252 or U+FFFD, and *seen is set to
 * its end (what a later call would look at again). Returns 1 with the
 * span written to out and *resume past it, 0 if nothing was repaired, or
 * -errno.
 */
int tm_moji_gbk_latin_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, const char *q,
    struct tm_buf *out, const char **resume, const char **seen);

#endif
