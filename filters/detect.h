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
	size_t utf8_valid;	/* the first this many bytes are valid UTF-8
				   (0: not checked), so decode need not
				   check them again */
};

/*
 * Look at the first n bytes of an input (after gunzip) and decide its
 * charset. `complete` says the sample is the whole input, so a sequence
 * cut off at its end is an error rather than the edge of the sample.
 * Always fills *out; out->binary is set for executables, images, archives
 * and NUL-heavy data that is not UTF-16/32. out->charset is a name
 * ucnv_open() accepts (UTF-8/16/32, GB18030, windows-950 for Big5,
 * Shift_JIS, EUC-JP, windows-949 for EUC-KR, ISO-2022-JP/KR/CN,
 * windows-1250..1258, KOI8-R/U, IBM866, ISO-8859-2/5/7/8/15). Works on
 * at most a few KiB of the non-ASCII lines of p. Pure and reentrant;
 * any thread.
 */
void tm_detect(const char *p, size_t n, int complete, struct tm_detect *out);

#endif
