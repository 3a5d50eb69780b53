/*
 * wordbreak.c - ICU's dictionary-based word break iterator for filters
 * that ask whether a break falls inside a word (reflow).
 *
 * Opening an iterator per question would cost tens of thousands of
 * instructions each, and reflow asks thousands of questions per megabyte
 * of Chinese. Here one iterator is kept per document and set on each
 * short piece of text (converted to UTF-16 in a fixed buffer; questions
 * are asked in byte offsets and mapped). Maps its own UErrorCodes (to
 * TM_EICU), like translit.c. An iterator belongs to one thread.
 *
 * Even opening one per document from ICU's rules and dictionary costs
 * about 40,000 instructions, as much as a short document's reflow; so the
 * process opens one prototype, once (pthread_once), never sets text on
 * it, and each document gets a clone of it, at a fraction of the cost.
 * Cloning only reads the prototype, so threads may clone at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include <unicode/ubrk.h>
#include <unicode/uversion.h>
#include <unicode/ustring.h>

#include "wordbreak.h"

#define WB_MAX 256		/* UTF-16 units of text a question may set */

struct tm_wordbreak {
	UBreakIterator *bi;
	const char *p;		/* the text set, UTF-8 */
	size_t n;
	UChar u[WB_MAX];	/* and as UTF-16 */
};

static pthread_once_t proto_once = PTHREAD_ONCE_INIT;
static UBreakIterator *proto;	/* NULL: ICU could not open one */

static void
open_proto(void)
{
	UErrorCode err = U_ZERO_ERROR;
	UBreakIterator *bi;

	bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &err);
	if (U_FAILURE(err)) {
		ubrk_close(bi);
		return;
	}
	proto = bi;
}

int
tm_wordbreak_new(struct tm_wordbreak **out)
{
	struct tm_wordbreak *wb;
	UErrorCode err = U_ZERO_ERROR;

	if (pthread_once(&proto_once, open_proto) != 0 || proto == NULL)
		return TM_EICU;
	if ((wb = calloc(1, sizeof(*wb))) == NULL)
		return -ENOMEM;
#if U_ICU_VERSION_MAJOR_NUM >= 69
	wb->bi = ubrk_clone(proto, &err);
#else
	wb->bi = ubrk_safeClone(proto, NULL, NULL, &err);
#endif
	if (U_FAILURE(err) || wb->bi == NULL) {
		ubrk_close(wb->bi);
		free(wb);
		return err == U_MEMORY_ALLOCATION_ERROR ?
		    -ENOMEM : TM_EICU;
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
