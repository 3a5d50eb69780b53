/*
 * err.h - error codes and diagnostics shared by the filter library and the
 * program.
 *
 * Fallible functions return 0 on success and a negative value on failure:
 * -errno for system failures, TM_E* for domain errors. tm_strerror() turns
 * either into text. A struct tm_diag, when the caller passes one, carries
 * the details a person needs: which filter, which byte offset, what went
 * wrong.
 */
#ifndef TEXTMEND_ERR_H
#define TEXTMEND_ERR_H

#include <stdint.h>

enum {
	TM_EDATA = -1000,	/* input is not text we can clean */
	TM_EBINARY,		/* input is binary (executable, image, NUL-heavy) */
	TM_ELIMIT,		/* a size or ratio limit was exceeded */
	TM_ECONF,		/* bad configuration or option */
	TM_EICU,		/* ICU reported a failure */
	TM_EZLIB,		/* zlib reported a failure */
	TM_EUSAGE		/* unknown filter or option name */
};

struct tm_diag {
	char msg[256];		/* one line, no trailing newline */
	const char *filter;	/* static name of the filter, or NULL */
	int64_t offset;		/* byte offset the message refers to, or -1 */
};

/* Text for a return code (negative errno or TM_E*). Never NULL. */
const char *tm_strerror(int err);

/*
 * Fill *diag (if not NULL) with a formatted message. Returns err so that
 * callers can write `return tm_diag_set(d, TM_EDATA, ...);`.
 */
int tm_diag_set(struct tm_diag *diag, int err, const char *filter,
    int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Clear *diag (if not NULL). */
void tm_diag_clear(struct tm_diag *diag);

#endif
