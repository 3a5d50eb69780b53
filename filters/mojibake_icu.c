/*
 * mojibake_icu.c - ICU's GBK converter for the mojibake filter.
 *
 * The filter needs GBK in both directions, one character or a short run
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

struct tm_moji_gbk {
	UConverter *cnv;
};

int
tm_moji_gbk_open(struct tm_moji_gbk **out)
{
	struct tm_moji_gbk *g;
	UErrorCode err = U_ZERO_ERROR;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -ENOMEM;
	g->cnv = ucnv_open("GBK", &err);
	if (U_FAILURE(err)) {
		free(g);
		return TM_EICU;
	}
	err = U_ZERO_ERROR;
	ucnv_setToUCallBack(g->cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
	    &err);
	if (U_SUCCESS(err))
		ucnv_setFromUCallBack(g->cnv, UCNV_FROM_U_CALLBACK_STOP, NULL,
		    NULL, NULL, &err);
	if (U_FAILURE(err)) {
		ucnv_close(g->cnv);
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
	free(g);
}

size_t
tm_moji_gbk_encode(struct tm_moji_gbk *g, uint32_t cp, unsigned char out[4])
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
	ucnv_resetFromUnicode(g->cnv);
	nb = ucnv_fromUChars(g->cnv, b, (int32_t)sizeof(b), u, nu, &err);
	if (U_FAILURE(err) || nb < 1 || nb > 2)
		return 0;
	out[0] = (unsigned char)b[0];
	if (nb == 2)
		out[1] = (unsigned char)b[1];
	return (size_t)nb;
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
