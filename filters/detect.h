/*
 * detect.h - charset detection for decode (see detect.c).
 */
#ifndef TEXTMEND_DETECT_H
#define TEXTMEND_DETECT_H

#include <stddef.h>

struct tm_detect {
	const char *charset;	/* ICU converter name, static */
	double confidence;	/* 0..1 */
	size_t bom_len;		/* bytes of byte-order mark to skip */
	const char *binary;	/* not NULL: the input is binary, and why */
};

/*
 * Look at the first n bytes of an input (after gunzip) and decide its
 * charset. `complete` says the sample is the whole input, so a sequence
 * cut off at its end is an error rather than the edge of the sample.
 * Always fills *out; out->binary is set for executables, images, archives
 * and NUL-heavy data that is not UTF-16/32.
 */
void tm_detect(const char *p, size_t n, int complete, struct tm_detect *out);

#endif
