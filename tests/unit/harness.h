/*
 * harness.h - a very small unit-test harness.
 *
 *   TM_TEST(name) { ... CHECK(cond); CHECK_STR(a, b); ... }
 *
 * Cases register themselves at load time. `test_x` runs every case,
 * `test_x CASE` runs one (CTest adds one test per case, read from the
 * source by tests/CMakeLists.txt, so `ctest -R buf.grow` works). Each run
 * ends with the line "N passed, N failed".
 */
#ifndef TEXTMEND_HARNESS_H
#define TEXTMEND_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*tm_test_fn)(void);
void tm_test_register(const char *name, tm_test_fn fn);
void tm_test_fail(const char *file, int line, const char *what);
/* Read a whole file (tests' data); exits the test program on failure. */
char *tm_test_slurp(const char *path, size_t *len);

/* Compress n bytes into one gzip member (malloc'ed; free it). */
char *tm_test_gzip(const char *p, size_t n, size_t *outlen);

/*
 * Run `in` through `textmend clean --filters FILTERS` (with optional
 * "filter.key=value" settings, one a line) in memory. Returns the output
 * (free it); *edits and *suspects, when not NULL, get the totals of
 * every filter but decode. A failure to build the chain or clean is a failed check.
 */
char *tm_test_clean(const char *filters, const char *setting, const char *in,
    unsigned long long *edits, unsigned long long *suspects);

/* The output of FILTERS on IN must be WANT. */
#define EXPECT_CLEAN(filters, in, want)					\
	do {								\
		char *got_ = tm_test_clean(filters, NULL, in, NULL, NULL); \
		CHECK_STR(got_, want);					\
		free(got_);						\
	} while (0)

/* FILTERS must leave IN byte-identical and record no edit. */
#define EXPECT_UNCHANGED(filters, in)					\
	do {								\
		unsigned long long e_ = 1;				\
		char *got_ = tm_test_clean(filters, NULL, in, &e_, NULL); \
		CHECK_STR(got_, in);					\
		CHECK_INT(e_, 0);					\
		free(got_);						\
	} while (0)

#define TM_TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ tm_test_register(#name, test_##name); }			\
	static void test_##name(void)

#define CHECK(cond)							\
	do { if (!(cond)) tm_test_fail(__FILE__, __LINE__, #cond); }	\
	while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {	\
			tm_test_fail(__FILE__, __LINE__, #a " == " #b);	\
			fprintf(stderr, "  got:  \"%s\"\n  want: \"%s\"\n", \
			    a_ ? a_ : "(null)", b_ ? b_ : "(null)");	\
		}							\
	} while (0)

#define CHECK_INT(a, b)							\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (a_ != b_) {						\
			char m_[256];					\
			snprintf(m_, sizeof(m_), "%s == %s (%lld vs %lld)", \
			    #a, #b, a_, b_);				\
			tm_test_fail(__FILE__, __LINE__, m_);		\
		}							\
	} while (0)

#endif
