/*
 * log.c - stderr lines for journald.
 *
 * Each event is one write(2) of one line starting with "<N>" (syslog
 * priority), which journald turns into the entry's priority; outside
 * systemd the prefix still sorts and greps well. Lines are built whole
 * and written at once, so lines from the loop and the threadpool never
 * interleave. File names are escaped so a name with a newline cannot
 * forge a second line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "textmend/utf8.h"
#include "fileio.h"
#include "log.h"

void
tm_log(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	n = snprintf(line, sizeof(line), "<%d>", prio);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)tm_write_all(STDERR_FILENO, line, (size_t)n);
}

const char *
tm_log_name(const char *name, char *out, size_t len)
{
	const char *p = name, *end = name + strlen(name);
	size_t o = 0, valid, k;
	char tmp[8];

	if (len < 8) {
		if (len > 0)
			out[0] = '\0';
		return out;
	}
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		size_t n = 1;

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			if (c == '\n')
				snprintf(tmp, sizeof(tmp), "\\n");
			else if (c == '"' || c == '\\')
				snprintf(tmp, sizeof(tmp), "\\%c", c);
			else
				snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		} else if (c < 0x80) {
			tmp[0] = (char)c;
			tmp[1] = '\0';
		} else {
			valid = tm_utf8_valid_prefix(p, (size_t)(end - p) < 4 ?
			    (size_t)(end - p) : 4);
			if (valid == 0)
				snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			else {
				/* one whole character */
				const char *q = p;

				(void)tm_utf8_next(&q, end);
				n = (size_t)(q - p);
				memcpy(tmp, p, n);
				tmp[n] = '\0';
			}
		}
		k = strlen(tmp);
		if (o + k + 4 > len) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, tmp, k);
		o += k;
		p += n;
	}
	out[o] = '\0';
	return out;
}
