/*
 * buf.c - growable, NUL-terminated byte buffer with a hard maximum.
 *
 * An empty buffer points at a shared static "" so that ptr is never NULL
 * and an unused buffer costs no allocation. Growth doubles the capacity,
 * capped at max + 1 (the terminating NUL).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/buf.h"
#include "textmend/err.h"
#include "textmend/utf8.h"

static char empty[1];

void
tm_buf_init(struct tm_buf *b, size_t max)
{
	b->ptr = empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
tm_buf_release(struct tm_buf *b)
{
	if (b == NULL)
		return;
	if (b->cap != 0)
		free(b->ptr);
	b->ptr = empty;
	b->len = 0;
	b->cap = 0;
}

int
tm_buf_reserve(struct tm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	/* The NUL needs one byte past max, so max == SIZE_MAX is capped. */
	if (extra > b->max || b->len > b->max - extra ||
	    b->len + extra == SIZE_MAX)
		return TM_ELIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap != 0 ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap - 1 > b->max)		/* cap >= 64: no wrap */
		cap = b->max + 1;
	if (b->cap == 0) {
		if ((p = malloc(cap)) == NULL)
			return -ENOMEM;
		p[0] = '\0';
	} else if ((p = realloc(b->ptr, cap)) == NULL)
		return -ENOMEM;
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int
tm_buf_append(struct tm_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	/* Room already there (the usual case: filters append span after
	   span to a buffer that has grown to the segment size). memmove,
	   since the piece may come from the buffer itself. */
	if (n < b->cap - b->len && b->len <= b->max && n <= b->max - b->len) {
		memmove(b->ptr + b->len, p, n);
		b->len += n;
		b->ptr[b->len] = '\0';
		return 0;
	}
	/* Appending a piece of the buffer to itself survives the realloc. */
	if (b->cap != 0 && (uintptr_t)p >= (uintptr_t)b->ptr &&
	    (uintptr_t)p < (uintptr_t)b->ptr + b->len) {
		size_t at = (size_t)((const char *)p - b->ptr);

		if ((rc = tm_buf_reserve(b, n)) != 0)
			return rc;
		memmove(b->ptr + b->len, b->ptr + at, n);
	} else {
		if ((rc = tm_buf_reserve(b, n)) != 0)
			return rc;
		memcpy(b->ptr + b->len, p, n);
	}
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int
tm_buf_puts(struct tm_buf *b, const char *s)
{
	return tm_buf_append(b, s, strlen(s));
}

int
tm_buf_putc(struct tm_buf *b, int c)
{
	char ch = (char)c;

	return tm_buf_append(b, &ch, 1);
}

int
tm_buf_put_utf8(struct tm_buf *b, unsigned cp)
{
	char tmp[4];
	size_t n;

	if (tm_utf8_len(cp) == 0)
		cp = 0xFFFD;
	n = tm_utf8_put(tmp, cp);
	return tm_buf_append(b, tmp, n);
}

int
tm_buf_vprintf(struct tm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -EINVAL;
	if ((rc = tm_buf_reserve(b, (size_t)n)) != 0)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
tm_buf_printf(struct tm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
tm_buf_reset(struct tm_buf *b)
{
	tm_buf_truncate(b, 0);
}

void
tm_buf_truncate(struct tm_buf *b, size_t n)
{
	if (n >= b->len)
		return;
	b->len = n;
	b->ptr[n] = '\0';	/* n < len, so storage is allocated */
}

void
tm_buf_consume(struct tm_buf *b, size_t n)
{
	if (n == 0)
		return;
	if (n >= b->len) {
		tm_buf_truncate(b, 0);
		return;
	}
	memmove(b->ptr, b->ptr + n, b->len - n);
	b->len -= n;
	b->ptr[b->len] = '\0';
}

void
tm_buf_swap(struct tm_buf *a, struct tm_buf *b)
{
	struct tm_buf t = *a;

	*a = *b;
	*b = t;
}
