/*
 * filter.h - what a filter is.
 *
 * A filter is a table entry (struct tm_filter_type), not a side effect:
 * the registry (registry.c) lists every filter in one static array and the
 * chain runs them in phase order, whatever order a user names them in.
 *
 * Filters are pure: text and options in, text and report entries out. They
 * do no I/O, keep no globals, and are reentrant, because the daemon runs
 * them on its threadpool. The pipeline feeds a filter its input in
 * segments that end at paragraph boundaries (or, for very long paragraphs,
 * at a line or character boundary); a filter that needs to look past the
 * end of a segment keeps what it needs in its state and may hold text back
 * until the next call or until finish.
 *
 * Input to every filter after decode is valid UTF-8 without NUL bytes or a
 * leading BOM; filters must produce the same.
 */
#ifndef TEXTMEND_FILTER_H
#define TEXTMEND_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "textmend/buf.h"
#include "textmend/err.h"

#define TM_FILTER_ABI 1

/* Phases decide the order of the chain (see DESIGN.md). */
enum tm_phase {
	TM_PHASE_DECODE = 10,
	TM_PHASE_MOJIBAKE = 20,
	TM_PHASE_MARKUP = 30,
	TM_PHASE_RUBY = 40,
	TM_PHASE_LAYOUT = 50,
	TM_PHASE_REFLOW = 60,
	TM_PHASE_SCRIPT = 70,
	TM_PHASE_WIDTH = 80,
	TM_PHASE_SPACE = 90
};

enum tm_opt_kind {
	TM_OPT_BOOL,		/* on/off, yes/no, true/false, 1/0 */
	TM_OPT_INT,		/* decimal, with optional k/M/G suffix */
	TM_OPT_ENUM,		/* one of `choices` (comma separated) */
	TM_OPT_STRING		/* anything; the filter validates it in init */
};

struct tm_option_desc {
	const char *name;
	enum tm_opt_kind kind;
	const char *def;	/* default, as text */
	const char *choices;	/* TM_OPT_ENUM only */
	const char *summary;
};

struct tm_options;		/* validated key=value settings, see pipeline.h */
struct tm_report;

/* What a filter's run and finish see besides the text. */
struct tm_filter_ctx {
	struct tm_report *report;
	unsigned slot;		/* this filter's index in the report */
	uint64_t offset;	/* document offset of the segment start, in
				   this filter's input */
	const char *input_name;	/* for diagnostics only */
};

struct tm_filter_type {
	int abi;
	const char *name;
	enum tm_phase phase;
	const char *summary;
	const struct tm_option_desc *options;	/* ends with a NULL name */
	int on_by_default;
	size_t state_size;

	/*
	 * Prepare zeroed caller storage for one document. Options have been
	 * checked against `options` already; init reads them with
	 * tm_opt_*() and may reject values that need more than a type
	 * check. May be NULL.
	 */
	int (*init)(void *state, const struct tm_options *opts,
	    struct tm_diag *diag);

	/*
	 * Rewrite one segment: append the result to out, record edits and
	 * suspects through ctx. May hold back a tail in state.
	 */
	int (*run)(void *state, struct tm_filter_ctx *ctx, const char *in,
	    size_t len, struct tm_buf *out, struct tm_diag *diag);

	/* End of document: append what was held back. May be NULL. */
	int (*finish)(void *state, struct tm_filter_ctx *ctx,
	    struct tm_buf *out, struct tm_diag *diag);

	/* Free what init allocated. Called after init succeeded. May be NULL. */
	void (*release)(void *state);
};

/* The registry: NULL-terminated, sorted by phase. */
extern const struct tm_filter_type *const tm_filters[];

/* Look a filter up by name; NULL when there is none. */
const struct tm_filter_type *tm_filter_find(const char *name);

/*
 * Option accessors for init. The key must be one the filter declares; the
 * value is the user's setting or the declared default. Bools and ints were
 * validated when the options were parsed.
 */
const char *tm_opt_str(const struct tm_options *opts, const char *key);
int tm_opt_bool(const struct tm_options *opts, const char *key);
long long tm_opt_int(const struct tm_options *opts, const char *key);

#endif
