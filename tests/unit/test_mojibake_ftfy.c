/*
 * test_mojibake_ftfy.c - ftfy's own test cases through `decode,mojibake`.
 *
 * ftfy (the peer for Latin-script mojibake) ships its tests as JSON: each
 * case has the broken `original`, the `fixed` text and, where its full
 * fixer would also straighten quotes or change widths, `fixed-encoding`,
 * the result of the encoding repair alone, which is what this filter is
 * compared with. Every case ftfy marks "pass" must pass here too (each
 * failure is printed with what came out), every negative case must come
 * out unchanged, and of ftfy's known failures ("fail") at least
 * FLOOR_KNOWN must pass, so a change that loses a repair fails here.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Known failures textmend repairs anyway; raise it as repairs grow. */
#define FLOOR_KNOWN	7

/*
 * Run one file: every case marked "pass" must pass (a failed check per
 * case that does not). Returns how many cases passed in all.
 */
static int
run_file(const char *name)
{
	char path[4096];
	json_error_t jerr;
	json_t *root, *c;
	size_t i;
	int pass = 0, total;

	snprintf(path, sizeof(path), "%s/peers/ftfy/%s.json", TM_SHARED_DIR,
	    name);
	root = json_load_file(path, 0, &jerr);
	CHECK(root != NULL && json_is_array(root) &&
	    json_array_size(root) > 0);
	if (root == NULL)
		return 0;
	total = (int)json_array_size(root);
	json_array_foreach(root, i, c) {
		const char *orig = json_string_value(json_object_get(c,
		    "original"));
		const char *expect = json_string_value(json_object_get(c,
		    "expect"));
		json_t *want_j = json_object_get(c, "fixed-encoding");
		const char *want;
		char *got;
		int must;

		if (want_j == NULL)
			want_j = json_object_get(c, "fixed");
		want = json_string_value(want_j);
		CHECK(orig != NULL && want != NULL && expect != NULL);
		if (orig == NULL || want == NULL || expect == NULL)
			continue;
		must = strcmp(expect, "pass") == 0;
		got = tm_test_clean("mojibake", "decode.from-code=UTF-8", orig,
		    NULL, NULL);
		if (strcmp(got, want) == 0)
			pass++;
		else if (must) {
			tm_test_fail(__FILE__, __LINE__, name);
			fprintf(stderr, "  case %zu: %s\n  got:  %s\n"
			    "  want: %s\n", i, orig, got, want);
		}
		free(got);
	}
	printf("ftfy %s: %d of %d\n", name, pass, total);
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

TM_TEST(in_the_wild)
{
	run_file("in-the-wild");
}

TM_TEST(synthetic)
{
	run_file("synthetic");
}

TM_TEST(language_names)
{
	run_file("language-names");
}

TM_TEST(known_failures)
{
	int n = run_file("known-failures");

	printf("ftfy known failures repaired: %d (floor %d)\n", n,
	    FLOOR_KNOWN);
	CHECK(n >= FLOOR_KNOWN);
}
