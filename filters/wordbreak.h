/*
 * wordbreak.h - ICU's dictionary-based word break iterator, opened once
 * and pointed at one short piece of text after another (see wordbreak.c).
 */
#ifndef TEXTMEND_WORDBREAK_H
#define TEXTMEND_WORDBREAK_H

#include <stddef.h>

#include "textmend/err.h"

struct tm_wordbreak;

/* A word break iterator for Chinese (ICU's "zh" rules and dictionary):
   a clone of one the process opens the first time it is asked. -ENOMEM
   or TM_EICU. Still worth opening lazily and keeping for the document. */
int tm_wordbreak_new(struct tm_wordbreak **out);
void tm_wordbreak_free(struct tm_wordbreak *wb);

/*
 * Point wb at the UTF-8 text [p, p+n), which must stay valid and unchanged
 * until the next call or tm_wordbreak_free. 0, TM_ELIMIT (longer than
 * the iterator's buffer: ask no question about it) or TM_EICU.
 */
int tm_wordbreak_set(struct tm_wordbreak *wb, const char *p, size_t n);

/* Is byte offset `at` (a character boundary, at most n) of the text set
   a word boundary? 1 yes, 0 no ("乡|村" in 加强对乡村振兴). */
int tm_wordbreak_is_boundary(struct tm_wordbreak *wb, size_t at);

#endif
