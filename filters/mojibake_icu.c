/*
 * mojibake_icu.c - ICU's GBK and Big5 converters for the mojibake filter.
 *
 * The filter needs GBK in both directions, and Big5 to decode, one character or a short run
 * at a time, with errors that stop the conversion instead of becoming
 * substitution characters: a candidate repair that does not decode
 * cleanly is no repair. Each filter state owns one converter (ICU
 * converters are not shared between threads). UErrorCode stays here.
 */
#include <errno.h>
#include <stdlib.h>

#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/utf16.h>

#include "textmend/err.h"
#include "mojibake_icu.h"

#define MAX_UNITS 256

#define ENC_NONE	0xFFFFu	/* no GBK bytes; 0 is "not asked yet" */

#define PAIR_NONE	0xFFFFu	/* not a pair; 0 is "not asked yet" */
#define PAIRS		(126 * 192)	/* lead 81..FE, trail 40..FF */

struct tm_moji_gbk {
	UConverter *cnv;
	UConverter *big5;	/* windows-950, opened when first asked */
	uint16_t *enc;	/* GBK bytes of each BMP character, filled as asked */
	uint16_t *pair[2];	/* what a GBK, a Big5 pair decodes to */
	uint16_t *enc5;	/* Big5 bytes of each BMP character, as asked */
};

/* A strict converter for `name`, or NULL. */
static UConverter *
open_strict(const char *name)
{
	UConverter *c;
	UErrorCode err = U_ZERO_ERROR;

	c = ucnv_open(name, &err);
	if (U_FAILURE(err))
		return NULL;
	err = U_ZERO_ERROR;
	ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
	    &err);
	if (U_SUCCESS(err))
		ucnv_setFromUCallBack(c, UCNV_FROM_U_CALLBACK_STOP, NULL,
		    NULL, NULL, &err);
	if (U_FAILURE(err)) {
		ucnv_close(c);
		return NULL;
	}
	return c;
}

int
tm_moji_gbk_open(struct tm_moji_gbk **out)
{
	struct tm_moji_gbk *g;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -ENOMEM;
	if ((g->cnv = open_strict("GBK")) == NULL) {
		free(g);
		return TM_EICU;
	}
	*out = g;
	return 0;
}

void
tm_moji_gbk_close(struct tm_moji_gbk *g)
{
	if (g == NULL)
		return;
	ucnv_close(g->cnv);
	if (g->big5 != NULL)
		ucnv_close(g->big5);
	free(g->enc);
	free(g->enc5);
	free(g->pair[0]);
	free(g->pair[1]);
	free(g);
}

/* cp through cnv: 1 or 2 bytes in out, or 0. */
static size_t
encode_icu(UConverter *cnv, uint32_t cp, unsigned char out[2])
{
	UChar u[2];
	char b[8];
	int32_t nu = 0, nb;
	UErrorCode err = U_ZERO_ERROR;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (cp <= 0xFFFF)
		u[nu++] = (UChar)cp;
	else {
		u[nu++] = U16_LEAD(cp);
		u[nu++] = U16_TRAIL(cp);
	}
	ucnv_resetFromUnicode(cnv);
	nb = ucnv_fromUChars(cnv, b, (int32_t)sizeof(b), u, nu, &err);
	if (U_FAILURE(err) || nb < 1 || nb > 2)
		return 0;
	out[0] = (unsigned char)b[0];
	if (nb == 2)
		out[1] = (unsigned char)b[1];
	return (size_t)nb;
}

/* The bytes of a remembered code (see below): how many. */
static size_t
cached_bytes(uint16_t v, unsigned char *out)
{
	if (v == ENC_NONE)
		return 0;
	if (v < 0x100) {
		out[0] = (unsigned char)v;
		return 1;
	}
	out[0] = (unsigned char)(v >> 8);
	out[1] = (unsigned char)v;
	return 2;
}

/*
 * cp through cnv, remembered in *tab per BMP character: a garbled page
 * asks for the same few thousand characters over and over, and ICU's call
 * is the costly part. A two-byte code has a lead byte 81..FE, so it never
 * looks like a single byte (< 0x100) or ENC_NONE.
 */
static size_t
encode_cached(UConverter *cnv, uint16_t **tab, uint32_t cp,
    unsigned char out[2])
{
	uint16_t v;
	size_t nb;

	if (cp > 0xFFFF)
		return encode_icu(cnv, cp, out);
	if (*tab == NULL && (*tab = calloc(0x10000, sizeof(**tab))) == NULL)
		return encode_icu(cnv, cp, out);
	if ((v = (*tab)[cp]) == 0) {
		nb = encode_icu(cnv, cp, out);
		v = nb == 0 ? ENC_NONE : nb == 1 ? out[0] :
		    (uint16_t)(out[0] << 8 | out[1]);
		(*tab)[cp] = v;
	}
	return cached_bytes(v, out);
}

size_t
tm_moji_gbk_encode(struct tm_moji_gbk *g, uint32_t cp, unsigned char out[4])
{
	return encode_cached(g->cnv, &g->enc, cp, out);
}


/* One pair through cnv: the BMP character, or PAIR_NONE. */
static uint16_t
pair_icu(UConverter *cnv, unsigned lead, unsigned trail)
{
	char b[2];
	UChar u[4];
	int32_t nu;
	UErrorCode err = U_ZERO_ERROR;

	b[0] = (char)lead;
	b[1] = (char)trail;
	ucnv_resetToUnicode(cnv);
	nu = ucnv_toUChars(cnv, u, 4, b, 2, &err);
	if (U_FAILURE(err) || nu != 1 || U16_IS_SURROGATE(u[0]) ||
	    u[0] == 0xFFFF || u[0] == 0)
		return PAIR_NONE;
	return u[0];
}

uint32_t
tm_moji_pair(struct tm_moji_gbk *g, int big5, unsigned lead, unsigned trail)
{
	uint16_t *t, v;
	size_t i;

	if (lead < 0x81 || lead > 0xFE || trail < 0x40 || trail > 0xFF)
		return 0;
	big5 = big5 != 0;
	if (big5 && g->big5 == NULL && (g->big5 = open_strict("windows-950"))
	    == NULL)
		return 0;
	if ((t = g->pair[big5]) == NULL &&
	    (t = g->pair[big5] = calloc(PAIRS, sizeof(*t))) == NULL)
		return 0;
	i = (lead - 0x81) * 192 + (trail - 0x40);
	if ((v = t[i]) == 0)
		v = t[i] = pair_icu(big5 ? g->big5 : g->cnv, lead, trail);
	return v == PAIR_NONE ? 0 : v;
}

size_t
tm_moji_big5_encode(struct tm_moji_gbk *g, uint32_t cp, unsigned char out[2])
{
	if (g->big5 == NULL && (g->big5 = open_strict("windows-950")) == NULL)
		return 0;
	return encode_cached(g->big5, &g->enc5, cp, out);
}

int
tm_moji_gbk_decode(struct tm_moji_gbk *g, const unsigned char *in, size_t n,
    uint32_t *cps, size_t cap)
{
	UChar u[MAX_UNITS];
	int32_t nu, i = 0;
	size_t k = 0;
	UErrorCode err = U_ZERO_ERROR;
	UChar32 c;

	if (n > MAX_UNITS)
		return -1;
	ucnv_resetToUnicode(g->cnv);
	nu = ucnv_toUChars(g->cnv, u, MAX_UNITS, (const char *)in, (int32_t)n,
	    &err);
	if (U_FAILURE(err))
		return -1;
	while (i < nu) {
		U16_NEXT(u, i, nu, c);
		if (k == cap || U16_IS_SURROGATE(c))
			return -1;
		cps[k++] = (uint32_t)c;
	}
	return (int)k;
}
