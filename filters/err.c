/*
 * err.c - text for return codes, and the diagnostic record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "textmend/err.h"

const char *
tm_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case TM_EDATA:
		return "not text that can be cleaned";
	case TM_EBINARY:
		return "binary data, not text";
	case TM_ELIMIT:
		return "size limit exceeded";
	case TM_ECONF:
		return "bad configuration";
	case TM_EICU:
		return "ICU conversion failure";
	case TM_EZLIB:
		return "gzip data is corrupt";
	case TM_EUSAGE:
		return "unknown name";
	}
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown error";
}

int
tm_diag_set(struct tm_diag *diag, int err, const char *filter, int64_t offset,
    const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL)
		return err;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
	diag->filter = filter;
	diag->offset = offset;
	return err;
}

void
tm_diag_clear(struct tm_diag *diag)
{
	if (diag == NULL)
		return;
	diag->msg[0] = '\0';
	diag->filter = NULL;
	diag->offset = -1;
}
