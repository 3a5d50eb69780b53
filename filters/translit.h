/*
 * translit.h - ICU's transliterators behind textmend's own types (see
 * translit.c).
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

#endif
