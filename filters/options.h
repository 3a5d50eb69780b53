/*
 * options.h - the storage behind struct tm_options (private to the
 * library; filters read options through tm_opt_*() in filter.h).
 */
#ifndef TEXTMEND_OPTIONS_H
#define TEXTMEND_OPTIONS_H

#include "textmend/filter.h"

#define TM_MAX_OPTIONS 24

struct tm_options {
	const struct tm_filter_type *type;
	char *values[TM_MAX_OPTIONS];	/* NULL: the declared default */
};

int tm_options_init(struct tm_options *o, const struct tm_filter_type *type);
void tm_options_release(struct tm_options *o);
int tm_options_copy(struct tm_options *dst, const struct tm_options *src);
int tm_options_set(struct tm_options *o, const char *key, const char *value,
    struct tm_diag *diag);

#endif
