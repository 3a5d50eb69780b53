/*
 * report.h - the per-file report: what came in, what each filter changed.
 *
 * One report per input document. Filters add to it only through
 * tm_edit() and tm_suspect(); the pipeline fills in sizes, timings and the
 * CRC-32 of the output; decode sets the encoding. Edits and suspects are
 * counted in full and sampled (the first `sample_limit` of each per
 * filter, with byte offsets and before/after text), so a report stays
 * small however many changes a large file needs.
 *
 * Text in the report is valid UTF-8: bytes that are not (decode's invalid
 * input) are shown as \xNN. tm_report_json() writes one line of JSON.
 * A report belongs to one thread at a time.
 */
#ifndef TEXTMEND_REPORT_H
#define TEXTMEND_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "textmend/buf.h"
#include "textmend/filter.h"

struct tm_report;

#define TM_REPORT_SAMPLE_DEFAULT 50

/* New empty report for the input `name` (copied). NULL on ENOMEM. */
struct tm_report *tm_report_new(const char *name);
void tm_report_free(struct tm_report *r);

/* How many edits and suspects per filter keep their text (-1: all). */
void tm_report_set_sample_limit(struct tm_report *r, long limit);

/* Pipeline side. */
int tm_report_add_filter(struct tm_report *r, const char *name);
void tm_report_set_input_size(struct tm_report *r, uint64_t size);
void tm_report_set_output(struct tm_report *r, uint64_t size, uint32_t crc32);
void tm_report_add_time(struct tm_report *r, unsigned slot, uint64_t ns);
void tm_report_set_total_time(struct tm_report *r, uint64_t ns);

/* decode's findings. `name` is an ICU converter name; confidence 0..1. */
void tm_report_set_encoding(struct tm_report *r, const char *name,
    double confidence, int gzip, int bom);

/*
 * Record one change made by the filter behind ctx: at byte offset
 * seg_off of the current segment (of the filter's input), `before` was
 * replaced by `after`. `rule` is a short static name for the kind of
 * change ("crlf", "invalid-byte"); counts are kept per rule too.
 */
void tm_edit(struct tm_filter_ctx *ctx, size_t seg_off, const char *before,
    size_t blen, const char *after, size_t alen, const char *rule);

/* Record something that looks broken but was left as it is. */
void tm_suspect(struct tm_filter_ctx *ctx, size_t seg_off, const char *text,
    size_t len, const char *reason);

/* Readers, for the program and the daemon's statistics. */
const char *tm_report_name(const struct tm_report *r);
const char *tm_report_encoding(const struct tm_report *r);
double tm_report_confidence(const struct tm_report *r);
unsigned tm_report_nfilters(const struct tm_report *r);
const char *tm_report_filter_name(const struct tm_report *r, unsigned slot);
uint64_t tm_report_edits(const struct tm_report *r, unsigned slot);
uint64_t tm_report_suspects(const struct tm_report *r, unsigned slot);
uint64_t tm_report_total_edits(const struct tm_report *r);
/* Time the filter in slot spent in init(), run() and finish(), in
   nanoseconds. */
uint64_t tm_report_time_ns(const struct tm_report *r, unsigned slot);
uint64_t tm_report_output_size(const struct tm_report *r);

/*
 * Walk every sampled edit in the order it was recorded: fn gets the
 * filter name, document offset (in that filter's input), before, after,
 * rule. Used by `clean --diff`'s change list and by tests.
 */
typedef void (*tm_report_edit_fn)(void *arg, const char *filter,
    uint64_t offset, const char *before, const char *after, const char *rule);
void tm_report_foreach_edit(const struct tm_report *r, tm_report_edit_fn fn,
    void *arg);
typedef void (*tm_report_suspect_fn)(void *arg, const char *filter,
    uint64_t offset, const char *text, const char *reason);
void tm_report_foreach_suspect(const struct tm_report *r,
    tm_report_suspect_fn fn, void *arg);

/* Append the report as one line of JSON (no trailing newline). */
int tm_report_json(const struct tm_report *r, struct tm_buf *out);

#endif
