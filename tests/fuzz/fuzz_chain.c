/*
 * fuzz_chain.c - the libFuzzer targets: any bytes through a filter chain.
 *
 * One source, built three ways (see CMakeLists.txt):
 *   fuzz_decode   the default chain (TM_FUZZ_DEFAULT_CHAIN);
 *   fuzz_NAME     decode and one filter (TM_FUZZ_FILTER="NAME", with an
 *                 optional TM_FUZZ_SETTING "NAME.key=value");
 *   fuzz_chain    any chain: the first two bytes pick it, bit i adding the
 *                 i-th filter of the registry after decode, so a filter
 *                 added to registry.c is fuzzed alone and in company
 *                 without touching this file.
 * The input is fed to a pipeline in three pieces, cut at points taken
 * from the data itself, so chunk boundaries land everywhere: inside gzip
 * headers and members, BOMs, multi-byte sequences, the sniffed head. When
 * the run succeeds the output must keep the filter contract (valid UTF-8,
 * no NUL), match what one whole-buffer run produces, and agree with the
 * report's size; the report must always serialise to valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/utf8.h"

#define OUT_MAX ((size_t)64 << 20)

static int
sink(void *arg, const char *p, size_t n)
{
	return tm_buf_append(arg, p, n);
}

static int
run(const struct tm_chain *c, const uint8_t *data, size_t size,
    const size_t cut[2], struct tm_buf *out, struct tm_report *r)
{
	struct tm_pipeline *p;
	struct tm_diag d;
	int rc;

	tm_diag_clear(&d);
	if ((rc = tm_pipeline_new(&p, c, r, sink, out, &d)) != 0)
		return rc;
	if ((rc = tm_pipeline_feed(p, data, cut[0], &d)) == 0 &&
	    (rc = tm_pipeline_feed(p, data + cut[0], cut[1] - cut[0],
	    &d)) == 0 &&
	    (rc = tm_pipeline_feed(p, data + cut[1], size - cut[1], &d)) == 0)
		rc = tm_pipeline_finish(p, &d);
	tm_pipeline_free(p);
	return rc;
}

#if defined(TM_FUZZ_DEFAULT_CHAIN) || defined(TM_FUZZ_FILTER)
/* The one chain of this target; the input is all text. */
static const struct tm_chain *
pick_chain(const uint8_t **data, size_t *size)
{
	static struct tm_chain *chain;

	(void)data;
	(void)size;
	if (chain != NULL)
		return chain;
#ifdef TM_FUZZ_FILTER
	if (tm_chain_new(&chain, "decode," TM_FUZZ_FILTER, NULL) != 0)
		abort();
#ifdef TM_FUZZ_SETTING
	if (tm_chain_set_str(chain, TM_FUZZ_SETTING, NULL) != 0)
		abort();
#endif
#else
	if (tm_chain_new(&chain, NULL, NULL) != 0)
		abort();
#endif
	return chain;
}
#else
#define MAX_CHAINS 65536

/* The chain named by the first two bytes, built once per mask. */
static const struct tm_chain *
pick_chain(const uint8_t **data, size_t *size)
{
	static struct tm_chain *chains[MAX_CHAINS];
	struct tm_buf list;
	unsigned mask;
	size_t i;

	if (*size < 2)
		return NULL;
	mask = ((unsigned)(*data)[0] << 8 | (*data)[1]) % MAX_CHAINS;
	*data += 2;
	*size -= 2;
	if (chains[mask] != NULL)
		return chains[mask];
	tm_buf_init(&list, 4096);
	if (tm_buf_puts(&list, "decode") != 0)
		abort();
	for (i = 1; tm_filters[i] != NULL && i <= 16; i++)
		if (mask & (1u << (i - 1)))
			if (tm_buf_printf(&list, ",%s", tm_filters[i]->name) != 0)
				abort();
	if (tm_chain_new(&chains[mask], list.ptr, NULL) != 0)
		abort();
	tm_buf_release(&list);
	return chains[mask];
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tm_chain *chain;
	struct tm_buf out, whole, json;
	struct tm_report *r, *r2;
	size_t cut[2], t;
	int rc, rc2;

	if ((chain = pick_chain(&data, &size)) == NULL)
		return 0;
	cut[0] = size > 0 ? (size_t)data[0] * 131 % (size + 1) : 0;
	cut[1] = size > 0 ? (size_t)data[size - 1] * 257 % (size + 1) : 0;
	if (cut[0] > cut[1]) {
		t = cut[0];
		cut[0] = cut[1];
		cut[1] = t;
	}
	tm_buf_init(&out, OUT_MAX);
	tm_buf_init(&whole, OUT_MAX);
	tm_buf_init(&json, OUT_MAX);
	r = tm_report_new("fuzz");
	r2 = tm_report_new("fuzz");
	if (r == NULL || r2 == NULL)
		abort();
	rc = run(chain, data, size, cut, &out, r);
	cut[0] = cut[1] = size;
	rc2 = run(chain, data, size, cut, &whole, r2);
	if (rc != rc2)
		abort();		/* chunking changed the verdict */
	if (rc == 0) {
		if (!tm_utf8_valid(out.ptr, out.len))
			abort();
		if (memchr(out.ptr, '\0', out.len) != NULL)
			abort();
		if (out.len != whole.len ||
		    memcmp(out.ptr, whole.ptr, out.len) != 0)
			abort();	/* chunking changed the text */
		if (tm_report_output_size(r) != out.len)
			abort();
	}
	if (tm_report_json(r, &json) != 0 ||
	    !tm_utf8_valid(json.ptr, json.len))
		abort();
	tm_report_free(r);
	tm_report_free(r2);
	tm_buf_release(&out);
	tm_buf_release(&whole);
	tm_buf_release(&json);
	return 0;
}
