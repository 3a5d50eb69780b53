/*
 * test_buf.c - struct tm_buf: the hard limit, growth, NUL termination,
 * consume/truncate/swap and printf.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/buf.h"
#include "textmend/err.h"
#include "harness.h"

TM_TEST(empty_is_nul_terminated)
{
	struct tm_buf b;

	tm_buf_init(&b, 100);
	CHECK(b.ptr != NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(b.cap, 0);
	CHECK_STR(b.ptr, "");
	/* Operations on an empty buffer must not write to the shared "". */
	tm_buf_reset(&b);
	tm_buf_truncate(&b, 0);
	tm_buf_consume(&b, 0);
	tm_buf_consume(&b, 5);
	CHECK_STR(b.ptr, "");
	CHECK_INT(tm_buf_append(&b, "x", 0), 0);
	CHECK_INT(b.cap, 0);
	tm_buf_release(&b);
	tm_buf_release(&b);
	tm_buf_release(NULL);
	CHECK_STR(b.ptr, "");
}

TM_TEST(append_and_growth)
{
	struct tm_buf b;
	char chunk[37];
	size_t i;

	tm_buf_init(&b, TM_BUF_DEFAULT_MAX);
	memset(chunk, 'q', sizeof(chunk));
	for (i = 0; i < 1000; i++) {
		CHECK_INT(tm_buf_append(&b, chunk, sizeof(chunk)), 0);
		CHECK_INT(b.len, (i + 1) * sizeof(chunk));
		CHECK(b.cap > b.len);
		CHECK(b.ptr[b.len] == '\0');
	}
	for (i = 0; i < b.len; i++)
		if (b.ptr[i] != 'q')
			break;
	CHECK_INT(i, b.len);
	/* Doubling growth: capacity stays within a small factor of use. */
	CHECK(b.cap <= 2 * (b.len + 1) + 64);
	tm_buf_release(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.ptr, "");
	/* Reusable after release, with the same limit. */
	CHECK_INT(tm_buf_puts(&b, "again"), 0);
	CHECK_STR(b.ptr, "again");
	CHECK_INT(b.max, TM_BUF_DEFAULT_MAX);
	tm_buf_release(&b);
}

TM_TEST(limit_exact)
{
	struct tm_buf b;

	tm_buf_init(&b, 10);
	CHECK_INT(tm_buf_append(&b, "0123456789", 10), 0);
	CHECK_INT(b.len, 10);
	CHECK(b.cap <= 11);
	CHECK_STR(b.ptr, "0123456789");
	CHECK_INT(tm_buf_putc(&b, 'x'), TM_ELIMIT);
	CHECK_INT(tm_buf_append(&b, "x", 1), TM_ELIMIT);
	CHECK_INT(tm_buf_puts(&b, "yy"), TM_ELIMIT);
	CHECK_INT(tm_buf_printf(&b, "%d", 7), TM_ELIMIT);
	CHECK_INT(tm_buf_put_utf8(&b, 0x4E2D), TM_ELIMIT);
	/* A failed append leaves the contents alone. */
	CHECK_INT(b.len, 10);
	CHECK_STR(b.ptr, "0123456789");
	tm_buf_truncate(&b, 4);
	CHECK_INT(tm_buf_append(&b, "abcdef", 6), 0);
	CHECK_STR(b.ptr, "0123abcdef");
	CHECK_INT(tm_buf_append(&b, "", 0), 0);
	tm_buf_release(&b);
}

TM_TEST(limit_overflow)
{
	struct tm_buf b;

	tm_buf_init(&b, 16);
	CHECK_INT(tm_buf_reserve(&b, SIZE_MAX), TM_ELIMIT);
	CHECK_INT(tm_buf_reserve(&b, 17), TM_ELIMIT);
	CHECK_INT(tm_buf_reserve(&b, 16), 0);
	CHECK_INT(tm_buf_append(&b, "abc", 3), 0);
	CHECK_INT(tm_buf_reserve(&b, SIZE_MAX - 1), TM_ELIMIT);
	CHECK_INT(tm_buf_reserve(&b, 14), TM_ELIMIT);
	CHECK_INT(tm_buf_reserve(&b, 13), 0);
	tm_buf_release(&b);

	/* No limit at all must not wrap max + 1 to zero. */
	tm_buf_init(&b, SIZE_MAX);
	CHECK_INT(tm_buf_puts(&b, "unbounded"), 0);
	CHECK_STR(b.ptr, "unbounded");
	CHECK(b.cap >= 10);
	CHECK_INT(tm_buf_reserve(&b, SIZE_MAX), TM_ELIMIT);
	tm_buf_release(&b);

	/* A zero limit holds nothing but is still a valid string. */
	tm_buf_init(&b, 0);
	CHECK_INT(tm_buf_putc(&b, 'a'), TM_ELIMIT);
	CHECK_INT(tm_buf_reserve(&b, 0), 0);
	CHECK_STR(b.ptr, "");
	tm_buf_release(&b);
}

TM_TEST(reserve_keeps_contents)
{
	struct tm_buf b;
	size_t cap;

	tm_buf_init(&b, 1 << 20);
	CHECK_INT(tm_buf_puts(&b, "keep"), 0);
	CHECK_INT(tm_buf_reserve(&b, 100000), 0);
	CHECK(b.cap >= 100005);
	CHECK_STR(b.ptr, "keep");
	cap = b.cap;
	CHECK_INT(tm_buf_reserve(&b, 10), 0);
	CHECK_INT(b.cap, cap);
	tm_buf_release(&b);
}

TM_TEST(putc_and_utf8)
{
	struct tm_buf b;

	tm_buf_init(&b, 64);
	CHECK_INT(tm_buf_putc(&b, 'A'), 0);
	CHECK_INT(tm_buf_putc(&b, 0xE4), 0);
	CHECK_INT(b.len, 2);
	CHECK((unsigned char)b.ptr[1] == 0xE4);
	tm_buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.ptr, "");
	CHECK_INT(tm_buf_put_utf8(&b, 'a'), 0);
	CHECK_INT(tm_buf_put_utf8(&b, 0xE9), 0);
	CHECK_INT(tm_buf_put_utf8(&b, 0x4E2D), 0);
	CHECK_INT(tm_buf_put_utf8(&b, 0x1F600), 0);
	CHECK_STR(b.ptr, "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
	tm_buf_reset(&b);
	/* Values that are not scalar values become U+FFFD. */
	CHECK_INT(tm_buf_put_utf8(&b, 0xD800), 0);
	CHECK_INT(tm_buf_put_utf8(&b, 0x110000), 0);
	CHECK_STR(b.ptr, "\xef\xbf\xbd\xef\xbf\xbd");
	tm_buf_release(&b);
}

TM_TEST(printf)
{
	struct tm_buf b;
	char big[5000];

	tm_buf_init(&b, 1 << 20);
	CHECK_INT(tm_buf_printf(&b, "%s-%d", "x", 42), 0);
	CHECK_STR(b.ptr, "x-42");
	CHECK_INT(tm_buf_printf(&b, "%s", ""), 0);
	CHECK_STR(b.ptr, "x-42");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(tm_buf_printf(&b, "[%s]", big), 0);
	CHECK_INT(b.len, 4 + 2 + sizeof(big) - 1);
	CHECK(b.ptr[b.len] == '\0');
	CHECK(b.ptr[4] == '[' && b.ptr[b.len - 1] == ']');
	tm_buf_release(&b);

	/* printf into a fresh buffer, and exactly at the limit. */
	tm_buf_init(&b, 5);
	CHECK_INT(tm_buf_printf(&b, "%05d", 123), 0);
	CHECK_STR(b.ptr, "00123");
	CHECK_INT(tm_buf_printf(&b, "%s", ""), 0);
	CHECK_INT(tm_buf_printf(&b, "%c", 'x'), TM_ELIMIT);
	CHECK_STR(b.ptr, "00123");
	tm_buf_release(&b);
}

TM_TEST(consume_truncate)
{
	struct tm_buf b;

	tm_buf_init(&b, 100);
	CHECK_INT(tm_buf_puts(&b, "hello, world"), 0);
	tm_buf_consume(&b, 7);
	CHECK_STR(b.ptr, "world");
	CHECK_INT(b.len, 5);
	tm_buf_consume(&b, 0);
	CHECK_STR(b.ptr, "world");
	tm_buf_truncate(&b, 3);
	CHECK_STR(b.ptr, "wor");
	tm_buf_truncate(&b, 10);	/* longer than len: no-op */
	CHECK_STR(b.ptr, "wor");
	CHECK_INT(b.len, 3);
	tm_buf_consume(&b, 3);
	CHECK_STR(b.ptr, "");
	CHECK_INT(b.len, 0);
	CHECK_INT(tm_buf_puts(&b, "abc"), 0);
	tm_buf_consume(&b, 99);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.ptr, "");
	/* Storage is kept for reuse. */
	CHECK(b.cap > 0);
	tm_buf_release(&b);
}

TM_TEST(swap)
{
	struct tm_buf a, b;

	tm_buf_init(&a, 10);
	tm_buf_init(&b, 1000);
	CHECK_INT(tm_buf_puts(&a, "aaa"), 0);
	tm_buf_swap(&a, &b);
	CHECK_STR(a.ptr, "");
	CHECK_STR(b.ptr, "aaa");
	CHECK_INT(a.max, 1000);
	CHECK_INT(b.max, 10);
	CHECK_INT(tm_buf_puts(&a, "a longer string than ten"), 0);
	CHECK_INT(tm_buf_puts(&b, "a longer string than ten"), TM_ELIMIT);
	tm_buf_swap(&a, &a);
	CHECK_STR(a.ptr, "a longer string than ten");
	tm_buf_release(&a);
	tm_buf_release(&b);
}

TM_TEST(append_self)
{
	struct tm_buf b;
	int i;

	/* A piece of the buffer appended to itself, across reallocations. */
	tm_buf_init(&b, 1 << 20);
	CHECK_INT(tm_buf_puts(&b, "abcdefgh"), 0);
	for (i = 0; i < 12; i++)
		CHECK_INT(tm_buf_append(&b, b.ptr, b.len), 0);
	CHECK_INT(b.len, 8 << 12);
	CHECK(memcmp(b.ptr + b.len - 8, "abcdefgh", 8) == 0);
	CHECK(b.ptr[b.len] == '\0');
	CHECK_INT(tm_buf_append(&b, b.ptr + 3, 2), 0);
	CHECK(memcmp(b.ptr + b.len - 2, "de", 2) == 0);
	tm_buf_release(&b);
}

TM_TEST(append_self_in_place)
{
	struct tm_buf b;

	/* Room to spare: the overlapping piece is copied without growing. */
	tm_buf_init(&b, 1 << 20);
	CHECK_INT(tm_buf_reserve(&b, 64), 0);
	CHECK_INT(tm_buf_puts(&b, "abcdefgh"), 0);
	CHECK_INT(tm_buf_append(&b, b.ptr + 2, 6), 0);
	CHECK_STR(b.ptr, "abcdefghcdefgh");
	CHECK_INT(tm_buf_append(&b, b.ptr, b.len), 0);
	CHECK_STR(b.ptr, "abcdefghcdefghabcdefghcdefgh");
	tm_buf_release(&b);

	/* The limit holds on the fast path too. */
	tm_buf_init(&b, 10);
	CHECK_INT(tm_buf_reserve(&b, 4), 0);
	CHECK_INT(tm_buf_puts(&b, "0123456789"), 0);
	CHECK(tm_buf_putc(&b, 'x') == TM_ELIMIT);
	CHECK_INT(b.len, 10);
	tm_buf_release(&b);
}
