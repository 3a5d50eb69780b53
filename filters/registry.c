/*
 * registry.c - the list of filters, in phase order.
 *
 * This array is the only place a filter is made known. The chain is
 * sorted by phase when it is built, so the order here is for people
 * reading it; a test checks that it is sorted anyway.
 */
#include <string.h>

#include "internal.h"

const struct tm_filter_type *const tm_filters[] = {
	&tm_filter_decode,
	&tm_filter_mojibake,
	&tm_filter_markup,
	&tm_filter_ruby,
	&tm_filter_layout,
	&tm_filter_reflow,
	&tm_filter_script,
	&tm_filter_width,
	&tm_filter_space,
	NULL
};

const struct tm_filter_type *
tm_filter_find(const char *name)
{
	const struct tm_filter_type *const *f;

	for (f = tm_filters; *f != NULL; f++)
		if (strcmp((*f)->name, name) == 0)
			return *f;
	return NULL;
}
