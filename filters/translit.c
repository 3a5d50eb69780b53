/*
 * translit.c - ICU's transliterators for filters (ruby confirms a pinyin
 * reading with "Han-Latin"). Maps their UErrorCodes; a transliterator
 * belongs to one thread. The word break iterator reflow asks is in
 * wordbreak.c.
 */
#include <errno.h>
#include <stdlib.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "translit.h"

struct tm_translit {
	UTransliterator *t;
	UChar *u;		/* UTF-16 work buffer */
	int32_t ucap;
};

int
tm_translit_open(struct tm_translit **out, const char *id,
    struct tm_diag *diag)
{
	struct tm_translit *t;
	UChar uid[64];
	UErrorCode err = U_ZERO_ERROR;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -ENOMEM;
	u_strFromUTF8(uid, 64, NULL, id, -1, &err);
	if (U_FAILURE(err)) {
		free(t);
		return tm_diag_set(diag, TM_EICU, NULL, -1, "ICU: %s",
		    u_errorName(err));
	}
	err = U_ZERO_ERROR;
	t->t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
	if (U_FAILURE(err)) {
		free(t);
		return tm_diag_set(diag, TM_EICU, NULL, -1,
		    "ICU has no transliterator %s (%s)", id, u_errorName(err));
	}
	*out = t;
	return 0;
}

void
tm_translit_close(struct tm_translit *t)
{
	if (t == NULL)
		return;
	utrans_close(t->t);
	free(t->u);
	free(t);
}

static int
ensure(struct tm_translit *t, int32_t need)
{
	UChar *u;

	if (need <= t->ucap)
		return 0;
	if ((u = realloc(t->u, (size_t)need * sizeof(*u))) == NULL)
		return -ENOMEM;
	t->u = u;
	t->ucap = need;
	return 0;
}

int
tm_translit_run(struct tm_translit *t, const char *in, size_t n,
    struct tm_buf *out)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t len = 0, limit, cap, need;
	int rc;

	if (n > (size_t)INT32_MAX / 8)
		return TM_ELIMIT;
	/* Room for growth: transliteration may lengthen the text. */
	cap = (int32_t)n * 4 + 16;
	if ((rc = ensure(t, cap)) != 0)
		return rc;
	u_strFromUTF8(t->u, cap, &len, in, (int32_t)n, &err);
	if (U_FAILURE(err))
		return TM_EICU;
	for (;;) {
		err = U_ZERO_ERROR;
		limit = len;
		need = len;
		utrans_transUChars(t->t, t->u, &need, t->ucap, 0, &limit, &err);
		if (err == U_BUFFER_OVERFLOW_ERROR) {
			/* Grow and start again from the original text. */
			if ((rc = ensure(t, need * 2 + 16)) != 0)
				return rc;
			err = U_ZERO_ERROR;
			u_strFromUTF8(t->u, t->ucap, &len, in, (int32_t)n, &err);
			if (U_FAILURE(err))
				return TM_EICU;
			continue;
		}
		if (U_FAILURE(err))
			return TM_EICU;
		len = need;
		break;
	}
	err = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &need, t->u, len, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		return TM_EICU;
	if ((rc = tm_buf_reserve(out, (size_t)need)) != 0)
		return rc;
	err = U_ZERO_ERROR;
	u_strToUTF8(out->ptr + out->len, need + 1, NULL, t->u, len, &err);
	if (U_FAILURE(err))
		return TM_EICU;
	out->len += (size_t)need;
	out->ptr[out->len] = '\0';
	return 0;
}
