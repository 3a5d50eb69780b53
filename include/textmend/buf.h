/*
 * buf.h - the one growable byte container of textmend.
 *
 * A tm_buf is always NUL-terminated (ptr[len] == '\0', ptr never NULL), so
 * its contents can be handed to C string functions, and it has a hard
 * maximum: an append that would take it past `max` bytes fails with
 * TM_ELIMIT instead of growing, so no decoder or filter can exhaust memory.
 * (Modelled on curl's dynbuf and git's strbuf.)
 *
 * Not thread-safe; a buffer belongs to one thread at a time.
 */
#ifndef TEXTMEND_BUF_H
#define TEXTMEND_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct tm_buf {
	char *ptr;
	size_t len;
	size_t cap;		/* allocated bytes, 0 while ptr is the static "" */
	size_t max;		/* hard limit on len */
};

#define TM_BUF_DEFAULT_MAX ((size_t)1 << 30)

/* Initialise an empty buffer that may hold up to max bytes. */
void tm_buf_init(struct tm_buf *b, size_t max);

/* Free the storage; the buffer is empty and reusable afterwards. NULL ok. */
void tm_buf_release(struct tm_buf *b);

/* Make room for at least `extra` more bytes. 0, -ENOMEM or TM_ELIMIT. */
int tm_buf_reserve(struct tm_buf *b, size_t extra);

int tm_buf_append(struct tm_buf *b, const void *p, size_t n);
int tm_buf_puts(struct tm_buf *b, const char *s);
int tm_buf_putc(struct tm_buf *b, int c);

/* Append one Unicode scalar value as UTF-8. */
int tm_buf_put_utf8(struct tm_buf *b, unsigned cp);

int tm_buf_printf(struct tm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tm_buf_vprintf(struct tm_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Empty the buffer, keeping its storage. */
void tm_buf_reset(struct tm_buf *b);

/* Drop the first n bytes (n <= len). */
void tm_buf_consume(struct tm_buf *b, size_t n);

/* Shorten to n bytes (n <= len). */
void tm_buf_truncate(struct tm_buf *b, size_t n);

/* Exchange the contents of two buffers (limits included). */
void tm_buf_swap(struct tm_buf *a, struct tm_buf *b);

#endif
