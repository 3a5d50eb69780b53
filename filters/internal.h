/*
 * internal.h - what the files of the filter library share with each other
 * and not with the program: the filter types for the registry, and the
 * wrappers that are the only places that see ICU and zlib error codes.
 */
#ifndef TEXTMEND_INTERNAL_H
#define TEXTMEND_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "textmend/buf.h"
#include "textmend/err.h"
#include "textmend/filter.h"

extern const struct tm_filter_type tm_filter_decode;
extern const struct tm_filter_type tm_filter_mojibake;
extern const struct tm_filter_type tm_filter_script;
extern const struct tm_filter_type tm_filter_markup;
extern const struct tm_filter_type tm_filter_ruby;
extern const struct tm_filter_type tm_filter_layout;
extern const struct tm_filter_type tm_filter_reflow;
extern const struct tm_filter_type tm_filter_width;
extern const struct tm_filter_type tm_filter_space;

/* pipeline.c: add a filter type that is not in the registry (the unit
   tests' probe filters). Placed by phase like any other; 0 or TM_EUSAGE
   for a type without run() or of another ABI. */
struct tm_chain;
int tm_chain_add_type(struct tm_chain *c, const struct tm_filter_type *type);

/*
 * The longest line the line-by-line filters judge as a line (layout) or
 * hold back to join (reflow). No heading, furniture, wrapped line or
 * paragraph split by a column break is that long; a longer one is text
 * that was never broken into lines, passed on as it is.
 */
#define TM_LINE_MAX ((size_t)64 << 10)

/*
 * A byte a blank line may hold besides its newline: a space, a tab or the
 * CR of CRLF. A newline, a line of nothing else and its newline end a
 * paragraph: the pipeline cuts segments there (scan()), and markup's
 * comments do not span one.
 */
static inline int
tm_blank_line_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* zlib.c */
uint32_t tm_crc32(uint32_t crc, const void *p, size_t n);



/* zlib.c: streaming gunzip with a limit on the expansion ratio. */
struct tm_gunzip;
int tm_gunzip_new(struct tm_gunzip **out);
void tm_gunzip_free(struct tm_gunzip *g);
/* Inflate n bytes, appending to out. TM_ELIMIT past max_ratio (0: none). */
int tm_gunzip_run(struct tm_gunzip *g, const char *in, size_t n,
    struct tm_buf *out, long long max_ratio, struct tm_diag *diag);
/* At end of input: TM_EZLIB unless the last member was complete. */
int tm_gunzip_end(struct tm_gunzip *g, struct tm_diag *diag);
#endif
