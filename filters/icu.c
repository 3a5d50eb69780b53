/*
 * icu.c - the only file that calls ICU's converters and maps UErrorCode.
 *
 * Two services: a streaming converter from any charset ICU knows to UTF-8
 * that reports every illegal or unmappable byte sequence to a callback
 * (decode writes U+FFFD for it and records the edit), and a one-shot
 * decoder of a small sample to code points, for the charset detector.
 *
 * Every ICU call gets a fresh UErrorCode, checked right after the call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucnv_err.h>
#include <unicode/ustring.h>

#include "icu.h"

#define PIVOT_LEN 1024

struct tm_icu_conv {
	UConverter *src;
	UConverter *utf8;
	UChar pivot[PIVOT_LEN];
	UChar *pivot_src, *pivot_tgt;
	tm_icu_bad_fn bad;
	void *bad_arg;
	const char *chunk;	/* source chunk being converted */
	uint64_t chunk_off;	/* its offset in the whole input */
};

/* ICU calls this for each illegal, irregular or unassigned sequence. */
static void
to_u_callback(const void *context, UConverterToUnicodeArgs *args,
    const char *units, int32_t len, UConverterCallbackReason reason,
    UErrorCode *err)
{
	struct tm_icu_conv *c = (struct tm_icu_conv *)context;
	static const UChar fffd = 0xFFFD;
	int64_t off;

	if (reason > UCNV_IRREGULAR)	/* reset, close, clone */
		return;
	/* Where the sequence started; it may have begun in the previous
	   chunk, so the offset into this one can be negative. */
	off = (int64_t)c->chunk_off + (int64_t)(args->source - c->chunk) - len;
	if (off < 0)
		off = 0;
	if (c->bad != NULL)
		c->bad(c->bad_arg, units, (size_t)len, (uint64_t)off);
	*err = U_ZERO_ERROR;
	ucnv_cbToUWriteUChars(args, &fffd, 1, 0, err);
}

int
tm_icu_open(struct tm_icu_conv **out, const char *charset, tm_icu_bad_fn bad,
    void *arg, struct tm_diag *diag)
{
	struct tm_icu_conv *c;
	UErrorCode err;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	c->bad = bad;
	c->bad_arg = arg;
	c->pivot_src = c->pivot_tgt = c->pivot;
	err = U_ZERO_ERROR;
	c->src = ucnv_open(charset, &err);
	if (U_FAILURE(err)) {
		free(c);
		return tm_diag_set(diag, TM_EUSAGE, "decode", -1,
		    "unknown encoding '%s' (%s)", charset, u_errorName(err));
	}
	err = U_ZERO_ERROR;
	ucnv_setToUCallBack(c->src, to_u_callback, c, NULL, NULL, &err);
	if (U_FAILURE(err))
		goto fail;
	err = U_ZERO_ERROR;
	c->utf8 = ucnv_open("UTF-8", &err);
	if (U_FAILURE(err))
		goto fail;
	*out = c;
	return 0;
fail:
	tm_icu_close(c);
	return tm_diag_set(diag, TM_EICU, "decode", -1, "ICU: %s",
	    u_errorName(err));
}

void
tm_icu_close(struct tm_icu_conv *c)
{
	if (c == NULL)
		return;
	if (c->src != NULL)
		ucnv_close(c->src);
	if (c->utf8 != NULL)
		ucnv_close(c->utf8);
	free(c);
}

const char *
tm_icu_canonical_name(const char *charset)
{
	UErrorCode err = U_ZERO_ERROR;
	const char *name = ucnv_getCanonicalName(charset, "", &err);

	if (U_FAILURE(err) || name == NULL) {
		/* Not an alias: try opening it to get the converter name. */
		UConverter *cnv;

		err = U_ZERO_ERROR;
		cnv = ucnv_open(charset, &err);
		if (U_FAILURE(err))
			return NULL;
		err = U_ZERO_ERROR;
		name = ucnv_getName(cnv, &err);
		ucnv_close(cnv);
		if (U_FAILURE(err))
			return NULL;
	}
	return name;
}

int
tm_icu_convert(struct tm_icu_conv *c, const char *in, size_t n,
    uint64_t offset, int flush, struct tm_buf *out, struct tm_diag *diag)
{
	const char *src = in, *src_end = in + n;
	UErrorCode err;
	char *tgt;
	size_t room;
	int rc;

	c->chunk = in;
	c->chunk_off = offset;
	do {
		room = n * 3 + 64;
		if (room < 4096)
			room = 4096;
		if ((rc = tm_buf_reserve(out, room)) != 0)
			return rc;
		tgt = out->ptr + out->len;
		err = U_ZERO_ERROR;
		ucnv_convertEx(c->utf8, c->src, &tgt, out->ptr + out->len + room,
		    &src, src_end, c->pivot, &c->pivot_src, &c->pivot_tgt,
		    c->pivot + PIVOT_LEN, 0, (UBool)flush, &err);
		out->len = (size_t)(tgt - out->ptr);
		out->ptr[out->len] = '\0';
		if (err == U_BUFFER_OVERFLOW_ERROR)
			continue;
		if (U_FAILURE(err))
			return tm_diag_set(diag, TM_EICU, "decode",
			    (int64_t)offset, "ICU: %s", u_errorName(err));
		break;
	} while (1);
	return 0;
}

/* Detection: each illegal or unmappable sequence becomes U+FFFD, counted. */
static void
count_bad(const void *context, UConverterToUnicodeArgs *args,
    const char *units, int32_t len, UConverterCallbackReason reason,
    UErrorCode *err)
{
	static const UChar fffd = 0xFFFD;
	size_t *bad = (size_t *)context;

	(void)units;
	(void)len;
	if (reason > UCNV_IRREGULAR)
		return;
	(*bad)++;
	*err = U_ZERO_ERROR;
	ucnv_cbToUWriteUChars(args, &fffd, 1, 0, err);
}

size_t
tm_icu_decode_sample(const char *charset, const char *in, size_t n,
    int flush, uint32_t *cps, size_t cap, size_t *nbad)
{
	UConverter *cnv;
	UErrorCode err = U_ZERO_ERROR;
	UChar u[1024], *tgt;
	const char *src = in, *end = in + n;
	size_t count = 0, bad = 0, i, ulen;
	uint32_t lead = 0;
	int done = 0;

	cnv = ucnv_open(charset, &err);
	if (U_FAILURE(err)) {
		*nbad = n;
		return 0;
	}
	err = U_ZERO_ERROR;
	ucnv_setToUCallBack(cnv, count_bad, &bad, NULL, NULL, &err);
	if (U_FAILURE(err)) {
		ucnv_close(cnv);
		*nbad = n;
		return 0;
	}
	/* Without flush, bytes of a sequence cut off at the end stay in
	   the converter and are dropped with it. */
	while (!done && count < cap) {
		tgt = u;
		err = U_ZERO_ERROR;
		ucnv_toUnicode(cnv, &tgt, u + sizeof(u) / sizeof(u[0]), &src,
		    end, NULL, (UBool)flush, &err);
		if (err != U_BUFFER_OVERFLOW_ERROR)
			done = 1;
		if (U_FAILURE(err) && err != U_BUFFER_OVERFLOW_ERROR)
			break;
		ulen = (size_t)(tgt - u);
		for (i = 0; i < ulen && count < cap; i++) {
			uint32_t c = u[i];

			if (lead != 0) {
				if (U16_IS_TRAIL(c)) {
					cps[count++] = (uint32_t)
					    U16_GET_SUPPLEMENTARY(lead, c);
					lead = 0;
					continue;
				}
				cps[count++] = lead;	/* lone surrogate */
				lead = 0;
				if (count == cap)
					break;
			}
			if (U16_IS_LEAD(c))
				lead = c;	/* its pair may be next round */
			else
				cps[count++] = c;
		}
	}
	if (lead != 0 && count < cap)
		cps[count++] = lead;
	ucnv_close(cnv);
	*nbad = bad;
	return count;
}
