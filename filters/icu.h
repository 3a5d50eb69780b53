/*
 * icu.h - ICU converters behind textmend's own types (see icu.c).
 */
#ifndef TEXTMEND_ICU_H
#define TEXTMEND_ICU_H

#include <stddef.h>
#include <stdint.h>

#include "textmend/buf.h"
#include "textmend/err.h"

struct tm_icu_conv;

/* Called for each illegal or unmappable sequence: its bytes and offset. */
typedef void (*tm_icu_bad_fn)(void *arg, const char *bytes, size_t len,
    uint64_t offset);

/* A converter from `charset` to UTF-8. TM_EUSAGE if ICU does not know it. */
int tm_icu_open(struct tm_icu_conv **out, const char *charset,
    tm_icu_bad_fn bad, void *arg, struct tm_diag *diag);
void tm_icu_close(struct tm_icu_conv *c);

/*
 * Convert n bytes (which start at `offset` in the input) and append UTF-8
 * to out. Bytes of an incomplete sequence at the end are kept for the next
 * call unless flush is set, in which case they are reported as bad.
 */
int tm_icu_convert(struct tm_icu_conv *c, const char *in, size_t n,
    uint64_t offset, int flush, struct tm_buf *out, struct tm_diag *diag);

/* ICU's canonical name for a charset or alias, NULL if unknown. */
const char *tm_icu_canonical_name(const char *charset);

/*
 * Decode up to cap code points of a sample, for detection. Illegal and
 * unmappable sequences become U+FFFD and are counted in *nbad; a sequence
 * cut off at the end of the sample is dropped, or with `flush` (the sample
 * is the whole input) counted as bad too. An unknown charset counts every
 * byte as bad. Returns the number of code points. Any thread.
 */
size_t tm_icu_decode_sample(const char *charset, const char *in, size_t n,
    int flush, uint32_t *cps, size_t cap, size_t *nbad);

#endif
