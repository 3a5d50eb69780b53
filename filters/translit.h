/*
 * translit.h - ICU's transliterators and dictionary-based word breaks
 * behind textmend's own types (see translit.c).
 */
#ifndef TEXTMEND_TRANSLIT_H
#define TEXTMEND_TRANSLIT_H

#include <stddef.h>

#include "textmend/buf.h"
#include "textmend/err.h"

struct tm_translit;

/* Open the ICU transliterator `id` (e.g. "Han-Latin"). TM_EICU if ICU
   does not have it. Opening can take tens of milliseconds: open lazily. */
int tm_translit_open(struct tm_translit **out, const char *id,
    struct tm_diag *diag);
void tm_translit_close(struct tm_translit *t);

/* Transliterate n bytes of UTF-8 and append the result to out. */
int tm_translit_run(struct tm_translit *t, const char *in, size_t n,
    struct tm_buf *out);

/*
 * Is byte offset `at` of the UTF-8 text [p, p+n) a word boundary for ICU's
 * dictionary-based word break iterator (Chinese: "乡|村" in 加强对乡村振兴
 * is inside the word 乡村)? 1 yes, 0 no, <0 on failure.
 */
int tm_word_boundary(const char *p, size_t n, size_t at);

#endif
