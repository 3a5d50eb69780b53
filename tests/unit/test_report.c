/*
 * test_report.c - the per-file report: exact counts, the sample limit,
 * valid JSON (parsed back with jansson), invalid bytes shown as \xNN, and
 * the output size and CRC-32 a pipeline run records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "harness.h"

static json_t *
to_json(const struct tm_report *r)
{
	struct tm_buf b;
	json_error_t err;
	json_t *j;

	tm_buf_init(&b, TM_BUF_DEFAULT_MAX);
	CHECK_INT(tm_report_json(r, &b), 0);
	/* One line. */
	CHECK(memchr(b.ptr, '\n', b.len) == NULL);
	j = json_loadb(b.ptr, b.len, 0, &err);
	if (j == NULL) {
		fprintf(stderr, "JSON error: %s: %s\n", err.text, b.ptr);
		tm_test_fail(__FILE__, __LINE__, "report is not valid JSON");
	}
	tm_buf_release(&b);
	return j;
}

static json_t *
filter_obj(json_t *root, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(root, "filters"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")),
		    name) == 0)
			return f;
	return NULL;
}

TM_TEST(counts)
{
	struct tm_report *r = tm_report_new("doc.txt");
	struct tm_filter_ctx a = { 0 }, b = { 0 };
	json_t *j, *f;
	int i;

	CHECK(r != NULL);
	CHECK_STR(tm_report_name(r), "doc.txt");
	CHECK_INT(tm_report_add_filter(r, "alpha"), 0);
	CHECK_INT(tm_report_add_filter(r, "beta"), 1);
	CHECK_INT(tm_report_nfilters(r), 2);
	CHECK_STR(tm_report_filter_name(r, 1), "beta");
	CHECK(tm_report_filter_name(r, 2) == NULL);
	a.report = b.report = r;
	a.slot = 0;
	b.slot = 1;
	b.offset = 1000;
	for (i = 0; i < 5; i++)
		tm_edit(&a, (size_t)i, "x", 1, "y", 1, "swap");
	tm_edit(&a, 9, "\r\n", 2, "\n", 1, "crlf");
	tm_edit(&b, 3, "a", 1, "", 0, "drop");
	tm_suspect(&b, 4, "律律", 6, "stutter");
	tm_suspect(&b, 5, "組組組", 9, "stutter");
	CHECK_INT(tm_report_edits(r, 0), 6);
	CHECK_INT(tm_report_edits(r, 1), 1);
	CHECK_INT(tm_report_suspects(r, 0), 0);
	CHECK_INT(tm_report_suspects(r, 1), 2);
	CHECK_INT(tm_report_total_edits(r), 7);
	CHECK_INT(tm_report_edits(r, 7), 0);

	j = to_json(r);
	CHECK_STR(json_string_value(json_object_get(j, "input")), "doc.txt");
	CHECK_INT(json_integer_value(json_object_get(j, "edits")), 7);
	f = filter_obj(j, "alpha");
	CHECK(f != NULL);
	CHECK_INT(json_integer_value(json_object_get(f, "edits")), 6);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(f,
	    "rules"), "swap")), 5);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(f,
	    "rules"), "crlf")), 1);
	CHECK_INT(json_array_size(json_object_get(f, "sample")), 6);
	f = filter_obj(j, "beta");
	CHECK(f != NULL);
	CHECK_INT(json_integer_value(json_object_get(f, "suspects")), 2);
	/* Document offset = segment offset + position in the segment. */
	CHECK_INT(json_integer_value(json_object_get(json_array_get(
	    json_object_get(f, "sample"), 0), "offset")), 1003);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(f, "suspect_sample"), 1), "text")), "組組組");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(f, "suspect_sample"), 1), "reason")), "stutter");
	/* No output recorded yet: no size or CRC claimed. */
	CHECK(json_object_get(j, "crc32") == NULL);
	json_decref(j);
	tm_report_free(r);
	tm_report_free(NULL);
}

TM_TEST(sample_limit)
{
	struct tm_report *r = tm_report_new("many");
	struct tm_filter_ctx c = { 0 };
	json_t *j, *f;
	int i;

	tm_report_set_sample_limit(r, 3);
	tm_report_add_filter(r, "f");
	c.report = r;
	for (i = 0; i < 1000; i++) {
		tm_edit(&c, (size_t)i, "a", 1, "b", 1, "r");
		tm_suspect(&c, (size_t)i, "s", 1, "why");
	}
	CHECK_INT(tm_report_edits(r, 0), 1000);
	CHECK_INT(tm_report_suspects(r, 0), 1000);
	j = to_json(r);
	f = filter_obj(j, "f");
	CHECK_INT(json_integer_value(json_object_get(f, "edits")), 1000);
	CHECK_INT(json_array_size(json_object_get(f, "sample")), 3);
	CHECK_INT(json_array_size(json_object_get(f, "suspect_sample")), 3);
	/* The sample is the first edits, in order. */
	CHECK_INT(json_integer_value(json_object_get(json_array_get(
	    json_object_get(f, "sample"), 2), "offset")), 2);
	json_decref(j);
	tm_report_free(r);

	/* -1 keeps everything; 0 keeps nothing but still counts. */
	r = tm_report_new("all");
	tm_report_set_sample_limit(r, -1);
	tm_report_add_filter(r, "f");
	c.report = r;
	for (i = 0; i < 500; i++)
		tm_edit(&c, (size_t)i, "a", 1, "b", 1, "r");
	j = to_json(r);
	CHECK_INT(json_array_size(json_object_get(filter_obj(j, "f"),
	    "sample")), 500);
	json_decref(j);
	tm_report_free(r);
	r = tm_report_new("none");
	tm_report_set_sample_limit(r, 0);
	tm_report_add_filter(r, "f");
	c.report = r;
	tm_edit(&c, 0, "a", 1, "b", 1, "r");
	j = to_json(r);
	CHECK_INT(json_array_size(json_object_get(filter_obj(j, "f"),
	    "sample")), 0);
	CHECK_INT(json_integer_value(json_object_get(j, "edits")), 1);
	json_decref(j);
	tm_report_free(r);
}

struct seen {
	int n;
	char before[64], after[64];
	uint64_t offset;
};

static void
first_edit(void *arg, const char *filter, uint64_t offset,
    const char *before, const char *after, const char *rule)
{
	struct seen *s = arg;

	if (s->n++ == 0) {
		snprintf(s->before, sizeof(s->before), "%s", before);
		snprintf(s->after, sizeof(s->after), "%s", after);
		s->offset = offset;
	}
}

TM_TEST(invalid_utf8_escaped)
{
	struct tm_report *r = tm_report_new("bad\xff" "name\xe4\xb8.txt");
	struct tm_filter_ctx c = { 0 };
	struct seen s = { 0 };
	json_t *j, *e;

	tm_report_add_filter(r, "decode");
	c.report = r;
	tm_edit(&c, 7, "a\xff\xe4\xb8" "b\0c", 7, "\xef\xbf\xbd", 3,
	    "invalid-byte");
	tm_suspect(&c, 8, "\xc0\xaf", 2, "odd");
	tm_report_foreach_edit(r, first_edit, &s);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.before, "a\\xFF\\xE4\\xB8b\\x00c");
	CHECK_STR(s.after, "\xef\xbf\xbd");
	CHECK_INT(s.offset, 7);
	j = to_json(r);
	CHECK(j != NULL);
	if (j == NULL)
		goto out;
	CHECK_STR(json_string_value(json_object_get(j, "input")),
	    "bad\\xFFname\\xE4\\xB8.txt");
	e = json_array_get(json_object_get(filter_obj(j, "decode"),
	    "sample"), 0);
	CHECK_STR(json_string_value(json_object_get(e, "before")),
	    "a\\xFF\\xE4\\xB8b\\x00c");
	CHECK_STR(json_string_value(json_object_get(e, "after")), "\xef\xbf\xbd");
	CHECK_STR(json_string_value(json_object_get(e, "rule")), "invalid-byte");
	e = json_array_get(json_object_get(filter_obj(j, "decode"),
	    "suspect_sample"), 0);
	CHECK_STR(json_string_value(json_object_get(e, "text")), "\\xC0\\xAF");
	json_decref(j);
out:
	tm_report_free(r);
}

TM_TEST(long_text_cut)
{
	struct tm_report *r = tm_report_new("long");
	struct tm_filter_ctx c = { 0 };
	struct seen s = { 0 };
	char big[3000];
	size_t i;
	json_t *j;

	/* 1000 CJK characters, and 3000 bad bytes: both cut short, still
	   valid UTF-8, never split inside a character. */
	for (i = 0; i < 1000; i++)
		memcpy(big + 3 * i, "中", 3);
	tm_report_add_filter(r, "f");
	c.report = r;
	tm_edit(&c, 0, big, sizeof(big), "x", 1, "r");
	memset(big, 0xff, sizeof(big));
	tm_edit(&c, 0, big, sizeof(big), "x", 1, "r");
	tm_report_foreach_edit(r, first_edit, &s);
	CHECK(strlen(s.before) > 0);
	j = to_json(r);
	CHECK(j != NULL);
	if (j != NULL) {
		json_t *e = json_array_get(json_object_get(filter_obj(j, "f"),
		    "sample"), 0);
		const char *t = json_string_value(json_object_get(e, "before"));

		CHECK(t != NULL && strlen(t) < 200);
		CHECK(t != NULL && strstr(t, "中中") == t);
		CHECK(t != NULL && strcmp(t + strlen(t) - 3, "…") == 0);
		e = json_array_get(json_object_get(filter_obj(j, "f"),
		    "sample"), 1);
		t = json_string_value(json_object_get(e, "before"));
		CHECK(t != NULL && strlen(t) < 200);
		CHECK(t != NULL && strncmp(t, "\\xFF\\xFF", 8) == 0);
		json_decref(j);
	}
	tm_report_free(r);
}

TM_TEST(encoding_and_flags)
{
	struct tm_report *r = tm_report_new("enc");
	json_t *j;

	tm_report_set_encoding(r, "GB18030", 0.75, 1, 0);
	CHECK_STR(tm_report_encoding(r), "GB18030");
	CHECK(tm_report_confidence(r) == 0.75);
	j = to_json(r);
	CHECK_STR(json_string_value(json_object_get(j, "encoding")), "GB18030");
	CHECK(json_is_true(json_object_get(j, "gzip")));
	CHECK(json_is_false(json_object_get(j, "bom")));
	CHECK(json_real_value(json_object_get(j, "confidence")) == 0.75);
	json_decref(j);
	tm_report_free(r);
	/* No encoding yet: null, not "". */
	r = tm_report_new(NULL);
	CHECK_STR(tm_report_name(r), "-");
	j = to_json(r);
	CHECK(json_is_null(json_object_get(j, "encoding")));
	json_decref(j);
	tm_report_free(r);
}

TM_TEST(crc_and_sizes)
{
	const char *in = "\xef\xbb\xbf" "來源:中國婦女報\r\n2025-02-08\n";
	struct tm_chain *c;
	struct tm_report *r = tm_report_new("crc");
	struct tm_buf out;
	char want[16];
	json_t *j;

	CHECK_INT(tm_chain_new(&c, NULL, NULL), 0);
	tm_buf_init(&out, 1 << 20);
	CHECK_INT(tm_clean_mem(c, in, strlen(in), &out, r, NULL), 0);
	CHECK_INT(tm_report_output_size(r), out.len);
	snprintf(want, sizeof(want), "%08lx",
	    crc32(0, (const Bytef *)out.ptr, (uInt)out.len));
	j = to_json(r);
	CHECK_INT(json_integer_value(json_object_get(j, "input_size")),
	    strlen(in));
	CHECK_INT(json_integer_value(json_object_get(j, "output_size")),
	    out.len);
	CHECK_STR(json_string_value(json_object_get(j, "crc32")), want);
	CHECK(json_is_true(json_object_get(j, "bom")));
	CHECK_STR(json_string_value(json_object_get(j, "encoding")), "UTF-8");
	CHECK_INT(json_array_size(json_object_get(j, "filters")),
	    tm_chain_len(c));
	CHECK(json_is_number(json_object_get(j, "ms")));
	json_decref(j);
	tm_report_free(r);
	tm_buf_release(&out);

	/* Empty output: size 0, CRC 00000000. */
	r = tm_report_new("empty");
	tm_buf_init(&out, 1 << 20);
	CHECK_INT(tm_clean_mem(c, "", 0, &out, r, NULL), 0);
	j = to_json(r);
	CHECK_INT(json_integer_value(json_object_get(j, "output_size")), 0);
	CHECK_STR(json_string_value(json_object_get(j, "crc32")), "00000000");
	json_decref(j);
	tm_report_free(r);
	tm_buf_release(&out);
	tm_chain_free(c);
}
