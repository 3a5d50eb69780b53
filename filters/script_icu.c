/*
 * script_icu.c - what the script filter asks of ICU's normalizer: the
 * unified ideograph behind a Kangxi radical (U+2F00..U+2FD5, a
 * compatibility decomposition) or a CJK compatibility ideograph
 * (U+F900..U+FAFF, U+2F800..U+2FA1F, canonical singletons). PDF text
 * extraction and OCR produce these look-alikes; they search and sort as
 * different characters. The only place in the script filter that sees a
 * UErrorCode (the ICU transliterator fallback goes through translit.c).
 * Any thread: ICU's normalizer instances are shared and immutable.
 */
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include "script_icu.h"

unsigned
tm_script_unify(unsigned cp)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *n;
	UChar d[8];
	int32_t len, i = 0;
	UChar32 c;

	if (!tm_script_is_lookalike(cp))
		return cp;
	n = unorm2_getNFKCInstance(&err);
	if (U_FAILURE(err))
		return cp;
	err = U_ZERO_ERROR;
	len = unorm2_getDecomposition(n, (UChar32)cp, d, 8, &err);
	if (U_FAILURE(err) || len <= 0)
		return cp;	/* U+FA0E and friends are unified already */
	U16_NEXT(d, i, len, c);
	/* A singleton to one ideograph, or nothing. */
	if (i != len || c < 0x2E80)
		return cp;
	return (unsigned)c;
}
