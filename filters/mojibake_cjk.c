/*
 * mojibake_cjk.c - the mojibake filter's Chinese repairs: GBK paired one
 * off after a lost byte (seed 001), and UTF-8 read as GBK. Han text is
 * scored by how common its characters are (hanfreq.c); a repair replaces
 * a run only when it is much more plausible. See mojibake.c for the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "hanfreq.h"
#include "mojibake.h"

#define GBK_MAX_RUN	48	/* characters in a misaligned run */
#define HAN_UNKNOWN	22.0
#define GBK_MIN_GAIN	4.0	/* mean cost the repair must save */
#define GBK_MAX_MEAN	11.0	/* mean cost a repaired run may have */
#define GBK_SUSPECT	15.0	/* mean cost that makes a run suspect */
#define GBK_MAX_BLOCK	1024	/* characters in one UTF-8-as-GBK block */
#define GBK_RARE	16.0	/* mean cost of three characters worth a
				   UTF-8-read-as-GBK check */

/* ---- GBK misalignment ---- */

/*
 * How unlikely cp is in Chinese text, in bits, roughly. `open` says an
 * opening quote “ is waiting for its ” on this line.
 */
static double
char_cost(uint32_t cp, int open)
{
	if (tm_is_han(cp))
		return tm_hanfreq_cost(cp, HAN_UNKNOWN);
	switch (cp) {
	case 0x3002: case 0xFF0C: case 0x3001: case 0xFF1A: case 0xFF1B:
	case 0xFF01: case 0xFF1F: case 0x300A: case 0x300B: case 0xFF08:
	case 0xFF09: case 0x2026: case 0x2014:
		return 4;
	case 0x201D:
		return open ? 3 : 7;
	case 0x201C:
		return open ? 8 : 5;
	}
	if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF60))
		return 10;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z') ? 12 : 16;
	return 20;
}

static double
cost_of(const uint32_t *c, size_t n, int open)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += char_cost(c[i], open);
	return sum;
}

/* Is there a “ without its ” on the line before p? */
static int
quote_open(const char *start, const char *p)
{
	int open = 0;
	uint32_t cp;

	while (p > start) {
		cp = tm_utf8_prev(&p, start);
		if (cp == '\n' || cp == 0x201D)
			break;
		if (cp == 0x201C) {
			open = 1;
			break;
		}
	}
	return open;
}

/* The character before a lost byte: Chinese text or its punctuation. */
static int
chinese_before(uint32_t cp)
{
	return tm_is_cjk(cp) || cp == 0x201C || cp == 0x201D ||
	    cp == 0x2018 || cp == 0x2019 || cp == 0x2014 || cp == 0x2026;
}

/* Best (lowest cost) character for the GBK pair (lead, trail), with the
   unknown byte in position `which` (0 lead, 1 trail). Remembered in the
   state: a page full of '?' asks the same questions again and again. */
static int
best_pair(struct moji_state *s, unsigned known, int which, int open,
    uint32_t *best, double *cost)
{
	struct pair_memo *memo = &s->memo[which][open != 0][known & 0xFF];
	unsigned char pair[2];
	unsigned x, lo = which == 0 ? 0x81 : 0x40;
	uint32_t cp;
	double c;

	if (memo->state == 0) {
		memo->state = 2;
		memo->cost = 1e9f;
		for (x = lo; x <= 0xFE; x++) {
			if (x == 0x7F)
				continue;
			pair[which] = (unsigned char)x;
			pair[!which] = (unsigned char)known;
			if (tm_moji_gbk_decode(s->gbk, pair, 2, &cp, 1) != 1)
				continue;
			c = char_cost(cp, open);
			if (c < memo->cost) {	/* ties: the lowest byte */
				memo->cost = (float)c;
				memo->cp = cp;
				memo->state = 1;
			}
		}
	}
	*best = memo->cp;
	*cost = memo->cost;
	return memo->state == 1;
}

/*
 * p is a '?' in seg[..end). If a misaligned GBK run starts here, append
 * its repair to out, record the edit, set *resume past the run and return
 * 1; otherwise 0 (a garbled run that could not be repaired is reported as
 * a suspect), or -errno.
 */
int
tm_moji_gbk_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *p, struct tm_buf *out, const char **resume)
{
	unsigned char b[2 * GBK_MAX_RUN + 2], e[4];
	uint32_t orig[GBK_MAX_RUN + 2], fixed[GBK_MAX_RUN + 4], cp;
	const char *q = p + 1, *prev = p, *stop;
	size_t nb = 0, no = 1, nf = 0, nonascii = 0, i;
	int resync = 0, tagtail = 0, open, n, rc;
	double before, after, c1, c2;

	if (p == seg || !chinese_before(tm_utf8_prev(&prev, seg)))
		return 0;
	orig[0] = '?';
	while (q < end && no < GBK_MAX_RUN) {
		const char *at = q;

		cp = tm_utf8_next(&q, end);
		if (cp == '?' && q + 1 < end && *q == '/' &&
		    ((q[1] >= 'a' && q[1] <= 'z') ||
		    (q[1] >= 'A' && q[1] <= 'Z'))) {
			/* "?/p>": a pair whose trail was the '<' of a tag */
			orig[no++] = cp;
			tagtail = 1;
			break;
		}
		if (cp >= 0x40 && cp <= 0x7E) {
			b[nb++] = (unsigned char)cp;	/* realigned here */
			orig[no++] = cp;
			resync = 1;
			break;
		}
		if (cp >= 0x21 && cp <= 0x3F) {
			/* a fullwidth mark (A3xx) folded to ASCII */
			b[nb++] = 0xA3;
			b[nb++] = (unsigned char)(cp + 0x80);
		} else if (cp < 0x80 ||
		    tm_moji_gbk_encode(s->gbk, cp, e) != 2) {
			q = at;
			break;
		} else {
			b[nb++] = e[0];
			b[nb++] = e[1];
			nonascii++;
		}
		orig[no++] = cp;
	}
	stop = q;
	if ((nonascii == 0 && no < 3) || !(resync || tagtail) || nb < 2)
		goto suspect;
	open = quote_open(seg, p);
	/* The lost byte X pairs with b[0]; the rest pair as they come. */
	if (!best_pair(s, b[0], 0, open, &fixed[0], &c1))
		goto suspect;
	nf = 1;
	if (resync) {
		n = tm_moji_gbk_decode(s->gbk, b + 1, nb - 1, fixed + 1,
		    GBK_MAX_RUN);
		if (n < 0 || (size_t)n * 2 != nb - 1)
			goto suspect;
		nf += (size_t)n;
	} else {
		/* tag tail: b[nb-1] leads a pair whose trail is unknown, then
		   the '<' that pair swallowed */
		n = tm_moji_gbk_decode(s->gbk, b + 1, nb - 2, fixed + 1,
		    GBK_MAX_RUN);
		if (n < 0 || (size_t)n * 2 != nb - 2)
			goto suspect;
		nf += (size_t)n;
		if (!best_pair(s, b[nb - 1], 1, open, &fixed[nf], &c2))
			goto suspect;
		nf++;
		fixed[nf++] = '<';
	}
	/* A run of ASCII marks only ("??h") must realign into Chinese text,
	   and no repaired character may be one the table does not know. */
	if (nonascii == 0 && resync) {
		const char *r = stop;

		if (r == end || !chinese_before(tm_utf8_next(&r, end)))
			goto suspect;
	}
	for (i = 0; i < nf; i++)
		if (char_cost(fixed[i], open) >= HAN_UNKNOWN)
			goto suspect;
	before = cost_of(orig, no, open) / (double)no;
	after = cost_of(fixed, nf, open) / (double)nf;
	if (after > GBK_MAX_MEAN || before - after < GBK_MIN_GAIN)
		goto suspect;
	tm_buf_reset(&s->text);
	for (i = 0; i < nf; i++)
		if ((rc = tm_buf_put_utf8(&s->text, fixed[i])) != 0)
			return rc;
	tm_edit(ctx, (size_t)(p - seg), p, (size_t)(stop - p), s->text.ptr,
	    s->text.len, "gbk-misaligned");
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	*resume = stop;
	return 1;
suspect:
	if (no >= 4 && nonascii >= 2 &&
	    cost_of(orig + 1, no - 1, 0) / (double)(no - 1) >= GBK_SUSPECT)
		tm_suspect(ctx, (size_t)(p - seg), p, (size_t)(stop - p),
		    "gbk-misaligned");
	return 0;
}

/* ---- UTF-8 read as GBK ---- */

/* Characters UTF-8 read as GBK turns Chinese into, and what it gives
   back: Han, kana, CJK and fullwidth punctuation. */
static int
cjk_text(uint32_t cp)
{
	return tm_is_han(cp) || (cp >= 0x3000 && cp <= 0x312F) ||
	    (cp >= 0xFF01 && cp <= 0xFF5E);
}

/* What UTF-8 read as GBK gives back: CJK text and its quotes, dashes. */
static int
cjk_result(uint32_t cp)
{
	return cjk_text(cp) || (cp >= 0x2013 && cp <= 0x2026);
}

/*
 * The longest block c[0..k) whose GBK bytes (cp936: € is the single byte
 * 80) are complete UTF-8 of CJK text: k, with the text in out (room for
 * n characters). 0 if there is none.
 */
static size_t
gbk_block(struct moji_state *s, const uint32_t *c, size_t n, uint32_t *out,
    size_t *nout)
{
	unsigned char e[4];
	size_t j, x, nb, k = 0, nd = 0;
	unsigned need = 0;
	uint32_t acc = 0;

	*nout = 0;
	for (j = 0; j < n && j < GBK_MAX_BLOCK; j++) {
		if (c[j] < 0x80 || (nb = tm_moji_gbk_encode(s->gbk, c[j],
		    e)) == 0)
			break;
		for (x = 0; x < nb; x++) {
			if (need == 0) {
				if (e[x] < 0xE1 || e[x] > 0xEF || e[x] == 0xED)
					return k;
				acc = e[x] & 0x0Fu;
				need = 2;
			} else {
				if ((e[x] & 0xC0) != 0x80)
					return k;
				acc = acc << 6 | (e[x] & 0x3Fu);
				if (--need == 0) {
					if (!cjk_result(acc))
						return k;
					out[nd++] = acc;
				}
			}
		}
		if (need == 0) {
			k = j + 1;
			*nout = nd;
		}
	}
	return k;
}

/*
 * The non-ASCII run r[0..len): repair blocks of UTF-8 read as GBK ("浣犲ソ"
 * -> "你好"). Only lossless blocks (every three characters give back two)
 * whose result is much more common Chinese than what is there are
 * repaired. Correct Chinese is full of common characters, so the costly
 * check only runs where three rare characters stand together.
 */
int
tm_moji_utf8_gbk_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *r, size_t len, struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d;
	float *w;
	int rare = 0;
	size_t n = 0, m = 0, i, j, k, boff = 0, fixed = 0;
	double before = 0, after = 0;
	int rc;

	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0 ||
	    (rc = tm_moji_grow(&s->c, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	w = (float *)(void *)s->c.ptr;	/* cost of each character */
	for (p = r; p < rend; n++) {
		c[n] = tm_utf8_next(&p, rend);
		w[n] = (float)char_cost(c[n], 0);
		if (n >= 2 && w[n] + w[n - 1] + w[n - 2] >= 3 * GBK_RARE)
			rare = 1;
	}
	if (!rare)
		return 0;
	for (i = 0; i < n; ) {
		if (i + 3 > n || w[i] + w[i + 1] + w[i + 2] < 3 * GBK_RARE) {
			d[m++] = c[i];
			boff += tm_utf8_len(c[i++]);
			continue;
		}
		j = i + gbk_block(s, c + i, n - i, d + m, &k);
		k += m;
		if (j > i) {
			before = cost_of(c + i, j - i, 0) / (double)(j - i);
			after = cost_of(d + m, k - m, 0) / (double)(k - m);
		}
		if (j == i || after > GBK_MAX_MEAN || before - after <
		    2 * GBK_MIN_GAIN) {
			/* a block that decodes but is no better is left
			   whole: trying each of its positions again would
			   make a long run quadratic */
			if (j == i)
				j = i + 1;
			for (; i < j; i++) {
				d[m++] = c[i];
				boff += tm_utf8_len(c[i]);
			}
			continue;
		}
		tm_buf_reset(&s->text);
		for (; m < k; m++)
			if ((rc = tm_buf_put_utf8(&s->text, d[m])) != 0)
				return rc;
		tm_edit(ctx, (size_t)(r - seg) + boff, r + boff,
		    tm_moji_utf8_size(c + i, j - i), s->text.ptr, s->text.len,
		    "utf8-as-gbk");
		boff += tm_moji_utf8_size(c + i, j - i);
		i = j;
		fixed++;
	}
	if (fixed == 0)
		return 0;
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(out, d[i])) != 0)
			return rc;
	return 1;
}

