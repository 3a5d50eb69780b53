/*
 * test_mojibake_ftfy.c - ftfy's own test cases through `decode,mojibake`.
 *
 * ftfy (the peer for Latin-script mojibake) ships its tests as JSON: each
 * case has the broken `original`, the `fixed` text and, where its full
 * fixer would also straighten quotes or change widths, `fixed-encoding`,
 * the result of the encoding repair alone, which is what this filter is
 * compared with. Counts are printed per file. Every negative case must
 * come out unchanged, and the number of passing cases must not fall below
 * what the filter achieved when this test was written (FLOOR_*), so a
 * change that loses a repair fails here.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Cases passed when this test was written; raise them as repairs grow. */
#define FLOOR_WILD	41
#define FLOOR_SYNTHETIC	25
#define FLOOR_LANGUAGE	17
#define FLOOR_KNOWN	4

static int verbose;

/* Run one file; returns the passing cases and counts them in *total. */
static int
run_file(const char *name, int *total)
{
	char path[4096];
	json_error_t jerr;
	json_t *root, *c;
	size_t i;
	int pass = 0;

	snprintf(path, sizeof(path), "%s/peers/ftfy/%s.json", TM_SHARED_DIR,
	    name);
	root = json_load_file(path, 0, &jerr);
	CHECK(root != NULL && json_is_array(root));
	if (root == NULL)
		return 0;
	*total = (int)json_array_size(root);
	json_array_foreach(root, i, c) {
		const char *orig = json_string_value(json_object_get(c,
		    "original"));
		json_t *want_j = json_object_get(c, "fixed-encoding");
		const char *want;
		char *got;

		if (want_j == NULL)
			want_j = json_object_get(c, "fixed");
		want = json_string_value(want_j);
		CHECK(orig != NULL && want != NULL);
		if (orig == NULL || want == NULL)
			continue;
		got = tm_test_clean("mojibake", "decode.from-code=UTF-8", orig,
		    NULL, NULL);
		if (strcmp(got, want) == 0)
			pass++;
		else if (verbose)
			printf("  %s FAIL: %s\n    got:  %s\n    want: %s\n",
			    name, orig, got, want);
		free(got);
	}
	printf("ftfy %s: %d of %d\n", name, pass, *total);
	json_decref(root);
	return pass;
}

TM_TEST(negative_unchanged)
{
	char path[4096];
	json_error_t jerr;
	json_t *root, *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/peers/ftfy/negative.json",
	    TM_SHARED_DIR);
	root = json_load_file(path, 0, &jerr);
	CHECK(root != NULL && json_array_size(root) > 0);
	if (root == NULL)
		return;
	json_array_foreach(root, i, c) {
		const char *orig = json_string_value(json_object_get(c,
		    "original"));
		char *got;

		CHECK(orig != NULL);
		if (orig == NULL)
			continue;
		got = tm_test_clean("mojibake", "decode.from-code=UTF-8", orig,
		    NULL, NULL);
		CHECK_STR(got, orig);
		free(got);
	}
	json_decref(root);
}

TM_TEST(floor)
{
	int total = 0;

	verbose = getenv("TM_FTFY_VERBOSE") != NULL;
	CHECK(run_file("in-the-wild", &total) >= FLOOR_WILD);
	CHECK(run_file("synthetic", &total) >= FLOOR_SYNTHETIC);
	CHECK(run_file("language-names", &total) >= FLOOR_LANGUAGE);
	CHECK(run_file("known-failures", &total) >= FLOOR_KNOWN);
}
