/*
 * wordbreak.c - ICU's dictionary-based word break iterator for filters
 * that ask whether a break falls inside a word (reflow).
 *
 * tm_word_boundary() in translit.c opens an iterator per question, which
 * costs about 60,000 instructions; reflow asks thousands of questions per
 * megabyte of Chinese. Here one iterator is opened per document and set
 * on each short piece of text through a UTF-8 UText, so offsets stay byte
 * offsets and nothing is converted. Maps its own UErrorCodes (to
 * TM_EICU), like translit.c. An iterator belongs to one thread.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#include "wordbreak.h"

#define WB_MAX 256		/* UTF-16 units of text a question may set */

struct tm_wordbreak {
	UBreakIterator *bi;
	const char *p;		/* the text set, UTF-8 */
	size_t n;
	UChar u[WB_MAX];	/* and as UTF-16 */
};

int
tm_wordbreak_new(struct tm_wordbreak **out)
{
	struct tm_wordbreak *wb;
	UErrorCode err = U_ZERO_ERROR;

	if ((wb = calloc(1, sizeof(*wb))) == NULL)
		return -ENOMEM;
	wb->bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &err);
	if (U_FAILURE(err)) {
		free(wb);
		return TM_EICU;
	}
	*out = wb;
	return 0;
}

void
tm_wordbreak_free(struct tm_wordbreak *wb)
{
	if (wb == NULL)
		return;
	ubrk_close(wb->bi);
	free(wb);
}

int
tm_wordbreak_set(struct tm_wordbreak *wb, const char *p, size_t n)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t len = 0;

	if (n >= WB_MAX)
		return TM_ELIMIT;
	u_strFromUTF8(wb->u, WB_MAX, &len, p, (int32_t)n, &err);
	if (U_FAILURE(err))
		return TM_EICU;
	err = U_ZERO_ERROR;
	ubrk_setText(wb->bi, wb->u, len, &err);
	if (U_FAILURE(err))
		return TM_EICU;
	wb->p = p;
	wb->n = n;
	return 0;
}

int
tm_wordbreak_is_boundary(struct tm_wordbreak *wb, size_t at)
{
	const unsigned char *b = (const unsigned char *)wb->p;
	int32_t u = 0;
	size_t i;

	/* The UTF-16 offset of byte `at`: one unit per character, two for
	   those that take four bytes. */
	for (i = 0; i < at && i < wb->n; i++)
		u += (b[i] & 0xC0) != 0x80 ? 1 + (b[i] >= 0xF0) : 0;
	return ubrk_isBoundary(wb->bi, u) ? 1 : 0;
}
