/*
 * harness.c - registry and runner for TM_TEST cases (see harness.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include <zlib.h>

#include "harness.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"

#define MAX_CASES 256

static struct {
	const char *name;
	tm_test_fn fn;
} cases[MAX_CASES];
static int ncases;
static int failed_checks;

void
tm_test_register(const char *name, tm_test_fn fn)
{
	if (ncases < MAX_CASES) {
		cases[ncases].name = name;
		cases[ncases++].fn = fn;
	}
}

void
tm_test_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	failed_checks++;
}

char *
tm_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	do {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(2);
		}
		r = fread(buf + n, 1, 65536, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *
tm_test_gzip(const char *p, size_t n, size_t *outlen)
{
	uLongf cap = compressBound((uLong)n) + 64;
	unsigned char *out = malloc(cap);
	z_stream z;

	if (out == NULL)
		exit(2);
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	return (char *)out;
}

/* Set each line of settings ("filter.key=value") on c: 0 or -1. */
static int
set_lines(struct tm_chain *c, const char *settings, struct tm_diag *d)
{
	const char *nl;
	char one[256];
	size_t n;

	for (; settings != NULL && *settings != '\0'; settings += n) {
		nl = strchr(settings, '\n');
		n = nl != NULL ? (size_t)(nl - settings) : strlen(settings);
		if (n >= sizeof(one))
			return -1;
		memcpy(one, settings, n);
		one[n] = '\0';
		if (tm_chain_set_str(c, one, d) != 0)
			return -1;
		n += nl != NULL;
	}
	return 0;
}

char *
tm_test_clean(const char *filters, const char *setting, const char *in,
    unsigned long long *edits, unsigned long long *suspects)
{
	struct tm_chain *c = NULL;
	struct tm_report *r = tm_report_new("test");
	struct tm_buf out;
	struct tm_diag d;
	unsigned long long e = 0, s = 0;
	unsigned i;

	tm_diag_clear(&d);
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	if (r == NULL || tm_chain_new(&c, filters, &d) != 0 ||
	    set_lines(c, setting, &d) != 0 ||
	    tm_clean_mem(c, in, strlen(in), &out, r, &d) != 0)
		tm_test_fail(__FILE__, __LINE__, d.msg[0] ? d.msg :
		    "tm_test_clean failed");
	for (i = 1; r != NULL && i < tm_report_nfilters(r); i++) {
		e += tm_report_edits(r, i);
		s += tm_report_suspects(r, i);
	}
	if (edits != NULL)
		*edits = e;
	if (suspects != NULL)
		*suspects = s;
	tm_report_free(r);
	tm_chain_free(c);
	if (out.cap == 0)		/* still the static "": hand out a copy */
		return strdup("");
	return out.ptr;
}

int
main(int argc, char **argv)
{
	int i, passed = 0, failed = 0, ran = 0;

	for (i = 0; i < ncases; i++) {
		int before = failed_checks;

		if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		ran++;
		cases[i].fn();
		if (failed_checks == before)
			passed++;
		else {
			failed++;
			fprintf(stderr, "FAIL %s\n", cases[i].name);
		}
	}
	if (argc > 1 && ran == 0) {
		fprintf(stderr, "no test case named %s\n", argv[1]);
		return 2;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
