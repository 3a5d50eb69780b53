/*
 * log.h - one line per event on stderr, with the "<N>" priority prefix
 * journald understands (sd-daemon(3)); any thread may log.
 */
#ifndef TEXTMEND_DAEMON_LOG_H
#define TEXTMEND_DAEMON_LOG_H

#include <stddef.h>

enum {
	TM_LOG_ERR = 3,
	TM_LOG_WARNING = 4,
	TM_LOG_NOTICE = 5,
	TM_LOG_INFO = 6,
	TM_LOG_DEBUG = 7
};

void tm_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Make a file name safe for one log line: control characters, quotes,
 * backslashes and bytes that are not UTF-8 become \n, \", \xNN.
 * Always NUL-terminates; truncates with "..." when out is too small.
 */
const char *tm_log_name(const char *name, char *out, size_t len);

#endif
