/*
 * pipeline.h - a chain of filters and a run of it over one document.
 *
 * A tm_chain is the validated choice of filters and their options. It is
 * built once (from the command line or the config), never changes after
 * that, and can be shared by any number of threads.
 *
 * A tm_pipeline runs a chain over one document: feed it bytes as they
 * arrive, then finish. decode turns the bytes into UTF-8; the pipeline
 * cuts that text into segments at paragraph boundaries and passes each
 * segment through the other filters in phase order, handing the result to
 * the sink. Memory use is bounded by the segment size, not the file size.
 * A pipeline belongs to one thread.
 */
#ifndef TEXTMEND_PIPELINE_H
#define TEXTMEND_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "textmend/err.h"
#include "textmend/filter.h"
#include "textmend/report.h"

struct tm_chain;
struct tm_pipeline;

/*
 * Build a chain. `list` is a comma-separated list of filter names, or NULL
 * for the default chain (every filter that is on by default). decode is
 * always part of the chain. Unknown names: TM_EUSAGE with a diagnostic.
 */
int tm_chain_new(struct tm_chain **out, const char *list,
    struct tm_diag *diag);
void tm_chain_free(struct tm_chain *c);

/* Make a copy to change (the daemon's per-folder profiles). */
int tm_chain_clone(struct tm_chain **out, const struct tm_chain *c);

/*
 * Set one option, "filter.key=value" or with the parts separate. Setting
 * an option of a filter that is not in the chain adds the filter.
 * TM_EUSAGE for an unknown filter or key, TM_ECONF for a bad value.
 */
int tm_chain_set(struct tm_chain *c, const char *filter, const char *key,
    const char *value, struct tm_diag *diag);
int tm_chain_set_str(struct tm_chain *c, const char *setting,
    struct tm_diag *diag);

/* Add (on != 0) or remove a filter. decode cannot be removed. */
int tm_chain_enable(struct tm_chain *c, const char *filter, int on,
    struct tm_diag *diag);

/*
 * Check the options of every filter in the chain as the filters' init
 * would (charset names, patterns, ...), so a bad value is reported when
 * the command line or config is read, not on the first file.
 */
int tm_chain_check(const struct tm_chain *c, struct tm_diag *diag);

size_t tm_chain_len(const struct tm_chain *c);
const struct tm_filter_type *tm_chain_filter(const struct tm_chain *c,
    size_t i);
const struct tm_options *tm_chain_options(const struct tm_chain *c,
    size_t i);

/*
 * Receives the cleaned output, in order. Non-zero return aborts the run:
 * a negative one (-errno or TM_E*) is what the run returns, a positive
 * one becomes -EIO.
 */
typedef int (*tm_sink_fn)(void *arg, const char *p, size_t n);

/* Largest segment handed to filters; a paragraph longer than this is cut
   at a line break, or failing that at a character boundary. */
#define TM_SEGMENT_MAX ((size_t)1 << 20)

/*
 * Start a run of chain c over one document. The report (caller-owned)
 * receives everything the filters find; it must be new. A tap, if set, sees
 * decode's output (the text before cleaning), for `clean --diff`.
 */
int tm_pipeline_new(struct tm_pipeline **out, const struct tm_chain *c,
    struct tm_report *report, tm_sink_fn sink, void *sink_arg,
    struct tm_diag *diag);
void tm_pipeline_set_tap(struct tm_pipeline *p, tm_sink_fn tap, void *arg);
int tm_pipeline_feed(struct tm_pipeline *p, const void *bytes, size_t n,
    struct tm_diag *diag);
int tm_pipeline_finish(struct tm_pipeline *p, struct tm_diag *diag);
void tm_pipeline_free(struct tm_pipeline *p);

/*
 * Clean everything readable from fd: new pipeline, feed, finish, free.
 * Read errors come back as -errno.
 */
int tm_clean_fd(const struct tm_chain *c, int fd, struct tm_report *report,
    tm_sink_fn sink, void *sink_arg, struct tm_diag *diag);

/* Clean a memory buffer into out (for tests and small inputs). */
int tm_clean_mem(const struct tm_chain *c, const void *in, size_t n,
    struct tm_buf *out, struct tm_report *report, struct tm_diag *diag);

#endif
