/*
 * fuzz_chain.c - libFuzzer target for every filter, present and future.
 *
 * The first two bytes pick the chain: bit i set adds the i-th filter of
 * the registry after decode, so a filter added to registry.c is fuzzed
 * alone and in company without touching this file. The third byte picks
 * where the rest of the input is cut in two for feeding. Invariants on
 * success: valid UTF-8 without NUL, the same text as a single feed, and a
 * report that serialises.
 *
 * Built with TM_FUZZ_FILTER="name" (and optionally TM_FUZZ_SETTING
 * "name.key=value"), it is the target of that one filter: the chain is
 * always decode and that filter, and the first two bytes are ignored, so
 * the same corpus serves every target.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/utf8.h"

#define OUT_MAX ((size_t)64 << 20)
#define MAX_CHAINS 65536

static int
sink(void *arg, const char *p, size_t n)
{
	return tm_buf_append(arg, p, n);
}

static int
run(const struct tm_chain *c, const uint8_t *data, size_t size, size_t cut,
    struct tm_buf *out, struct tm_report *r)
{
	struct tm_pipeline *p;
	int rc;

	if ((rc = tm_pipeline_new(&p, c, r, sink, out, NULL)) != 0)
		return rc;
	if ((rc = tm_pipeline_feed(p, data, cut, NULL)) == 0 &&
	    (rc = tm_pipeline_feed(p, data + cut, size - cut, NULL)) == 0)
		rc = tm_pipeline_finish(p, NULL);
	tm_pipeline_free(p);
	return rc;
}

#ifdef TM_FUZZ_FILTER
/* The one chain of a single-filter target. */
static struct tm_chain *
chain_for(unsigned mask)
{
	static struct tm_chain *chain;

	(void)mask;
	if (chain == NULL) {
		if (tm_chain_new(&chain, "decode," TM_FUZZ_FILTER, NULL) != 0)
			abort();
#ifdef TM_FUZZ_SETTING
		if (tm_chain_set_str(chain, TM_FUZZ_SETTING, NULL) != 0)
			abort();
#endif
	}
	return chain;
}
#else
/* The chain for a mask, built once per mask. */
static struct tm_chain *
chain_for(unsigned mask)
{
	static struct tm_chain *chains[MAX_CHAINS];
	struct tm_buf list;
	size_t i;

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
	const struct tm_chain *c;
	struct tm_buf out, whole, json;
	struct tm_report *r, *r2;
	size_t cut;
	int rc, rc2;

	if (size < 3)
		return 0;
	c = chain_for(((unsigned)data[0] << 8 | data[1]) % MAX_CHAINS);
	cut = (size_t)data[2] * 97 % (size - 2);
	data += 3;
	size -= 3;
	tm_buf_init(&out, OUT_MAX);
	tm_buf_init(&whole, OUT_MAX);
	tm_buf_init(&json, OUT_MAX);
	r = tm_report_new("fuzz");
	r2 = tm_report_new("fuzz");
	if (r == NULL || r2 == NULL)
		abort();
	rc = run(c, data, size, cut, &out, r);
	rc2 = run(c, data, size, size, &whole, r2);
	if (rc != rc2)
		abort();
	if (rc == 0) {
		if (!tm_utf8_valid(out.ptr, out.len) ||
		    memchr(out.ptr, '\0', out.len) != NULL)
			abort();
		if (out.len != whole.len ||
		    memcmp(out.ptr, whole.ptr, out.len) != 0)
			abort();
	}
	if (tm_report_json(r, &json) != 0)
		abort();
	tm_report_free(r);
	tm_report_free(r2);
	tm_buf_release(&out);
	tm_buf_release(&whole);
	tm_buf_release(&json);
	return 0;
}
