/*
 * test_options.c - filter options: bool/int/enum/string parsing and its
 * errors (options.c), and setting options through a chain, including
 * unknown filters and keys given as "filter.key=value".
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/pipeline.h"
#include "options.h"
#include "harness.h"

static const struct tm_option_desc fake_options[] = {
	{ "flag", TM_OPT_BOOL, "off", NULL, "a switch" },
	{ "count", TM_OPT_INT, "12", NULL, "a number" },
	{ "mode", TM_OPT_ENUM, "t2s", "none,t2s,s2t,t2s-tw", "a choice" },
	{ "text", TM_OPT_STRING, "dflt", NULL, "anything" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct tm_filter_type fake = {
	.abi = TM_FILTER_ABI, .name = "fake", .phase = TM_PHASE_WIDTH,
	.summary = "options only", .options = fake_options,
};

static const struct tm_filter_type bare = {
	.abi = TM_FILTER_ABI, .name = "bare", .phase = TM_PHASE_WIDTH,
	.summary = "no options",
};

TM_TEST(defaults)
{
	struct tm_options o;

	tm_options_init(&o, &fake);
	CHECK_INT(tm_opt_bool(&o, "flag"), 0);
	CHECK_INT(tm_opt_int(&o, "count"), 12);
	CHECK_STR(tm_opt_str(&o, "mode"), "t2s");
	CHECK_STR(tm_opt_str(&o, "text"), "dflt");
	CHECK(tm_opt_str(&o, "nope") == NULL);
	CHECK_INT(tm_opt_bool(&o, "nope"), 0);
	CHECK_INT(tm_opt_int(&o, "nope"), 0);
	tm_options_release(&o);
}

TM_TEST(bool_values)
{
	static const char *const on[] = { "1", "on", "yes", "true", "ON",
	    "Yes", "TRUE" };
	static const char *const off[] = { "0", "off", "no", "false", "OFF",
	    "No", "False" };
	static const char *const bad[] = { "", "2", "y", "n", "enable",
	    "on ", " on", "truex" };
	struct tm_options o;
	struct tm_diag d;
	size_t i;

	tm_options_init(&o, &fake);
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		CHECK_INT(tm_options_set(&o, "flag", on[i], NULL), 0);
		CHECK_INT(tm_opt_bool(&o, "flag"), 1);
	}
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		CHECK_INT(tm_options_set(&o, "flag", off[i], NULL), 0);
		CHECK_INT(tm_opt_bool(&o, "flag"), 0);
	}
	CHECK_INT(tm_options_set(&o, "flag", "on", NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tm_diag_clear(&d);
		CHECK_INT(tm_options_set(&o, "flag", bad[i], &d), TM_ECONF);
		CHECK(strstr(d.msg, "fake.flag") != NULL);
		/* A rejected value leaves the previous one. */
		CHECK_INT(tm_opt_bool(&o, "flag"), 1);
	}
	tm_options_release(&o);
}

TM_TEST(int_values)
{
	static const struct {
		const char *text;
		long long value;
	} good[] = {
		{ "0", 0 }, { "7", 7 }, { "1000", 1000 }, { "4k", 4096 },
		{ "4K", 4096 }, { "3M", 3LL << 20 }, { "2G", 2LL << 30 },
		{ "9223372036854775807", 9223372036854775807LL },
	};
	static const char *const bad[] = { "", "x", "12x", "-1", "-5k",
	    "1.5", "4KB", "k", "99999999999999999999",
	    "9223372036854775807k", "9007199254740993G", "4 k" };
	struct tm_options o;
	struct tm_diag d;
	size_t i;

	tm_options_init(&o, &fake);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_INT(tm_options_set(&o, "count", good[i].text, NULL), 0);
		CHECK_INT(tm_opt_int(&o, "count"), good[i].value);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tm_diag_clear(&d);
		if (tm_options_set(&o, "count", bad[i], &d) != TM_ECONF) {
			tm_test_fail(__FILE__, __LINE__, bad[i]);
			continue;
		}
		CHECK(strstr(d.msg, "fake.count") != NULL);
		CHECK_STR(d.filter, "fake");
	}
	CHECK_INT(tm_opt_int(&o, "count"), 9223372036854775807LL);
	tm_options_release(&o);
}

TM_TEST(enum_values)
{
	struct tm_options o;
	struct tm_diag d;

	tm_options_init(&o, &fake);
	CHECK_INT(tm_options_set(&o, "mode", "s2t", NULL), 0);
	CHECK_STR(tm_opt_str(&o, "mode"), "s2t");
	CHECK_INT(tm_options_set(&o, "mode", "none", NULL), 0);
	CHECK_INT(tm_options_set(&o, "mode", "t2s-tw", NULL), 0);
	CHECK_STR(tm_opt_str(&o, "mode"), "t2s-tw");
	/* Prefixes, extensions, case variants and empty are not choices. */
	tm_diag_clear(&d);
	CHECK_INT(tm_options_set(&o, "mode", "t2", &d), TM_ECONF);
	CHECK(strstr(d.msg, "none,t2s,s2t,t2s-tw") != NULL);
	CHECK_INT(tm_options_set(&o, "mode", "t2s-", NULL), TM_ECONF);
	CHECK_INT(tm_options_set(&o, "mode", "T2S", NULL), TM_ECONF);
	CHECK_INT(tm_options_set(&o, "mode", "", NULL), TM_ECONF);
	CHECK_INT(tm_options_set(&o, "mode", "none,t2s", NULL), TM_ECONF);
	CHECK_STR(tm_opt_str(&o, "mode"), "t2s-tw");
	tm_options_release(&o);
}

TM_TEST(string_and_unknown_key)
{
	struct tm_options o, c;
	struct tm_diag d;

	tm_options_init(&o, &fake);
	CHECK_INT(tm_options_set(&o, "text", "", NULL), 0);
	CHECK_STR(tm_opt_str(&o, "text"), "");
	CHECK_INT(tm_options_set(&o, "text", "a=b,c", NULL), 0);
	CHECK_STR(tm_opt_str(&o, "text"), "a=b,c");
	tm_diag_clear(&d);
	CHECK_INT(tm_options_set(&o, "colour", "red", &d), TM_EUSAGE);
	CHECK(strstr(d.msg, "colour") != NULL);
	CHECK_INT(tm_options_set(&o, "", "x", NULL), TM_EUSAGE);
	CHECK_INT(tm_options_set(&o, "Flag", "on", NULL), TM_EUSAGE);
	/* A copy is deep: changing it leaves the original alone. */
	CHECK_INT(tm_options_set(&o, "count", "5", NULL), 0);
	CHECK_INT(tm_options_copy(&c, &o), 0);
	CHECK_INT(tm_options_set(&c, "count", "6", NULL), 0);
	CHECK_INT(tm_opt_int(&o, "count"), 5);
	CHECK_INT(tm_opt_int(&c, "count"), 6);
	CHECK_STR(tm_opt_str(&c, "text"), "a=b,c");
	tm_options_release(&c);
	tm_options_release(&o);

	tm_options_init(&o, &bare);
	CHECK_INT(tm_options_set(&o, "anything", "1", NULL), TM_EUSAGE);
	CHECK(tm_opt_str(&o, "anything") == NULL);
	tm_options_release(&o);
}

TM_TEST(chain_set_str)
{
	struct tm_chain *c;
	struct tm_diag d;

	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_set_str(c, "decode.max-ratio=50", NULL), 0);
	CHECK_INT(tm_opt_int(tm_chain_options(c, 0), "max-ratio"), 50);
	CHECK_INT(tm_chain_set_str(c, "decode.from-code=GBK", NULL), 0);
	CHECK_STR(tm_opt_str(tm_chain_options(c, 0), "from-code"), "GBK");
	/* The value may contain '=' and '.'. */
	CHECK_INT(tm_chain_set_str(c, "decode.from-code=x.y=z", NULL), 0);
	CHECK_STR(tm_opt_str(tm_chain_options(c, 0), "from-code"), "x.y=z");

	tm_diag_clear(&d);
	CHECK_INT(tm_chain_set_str(c, "decode.colour=red", &d), TM_EUSAGE);
	CHECK(strstr(d.msg, "colour") != NULL);
	tm_diag_clear(&d);
	CHECK_INT(tm_chain_set_str(c, "nosuch.key=1", &d), TM_EUSAGE);
	CHECK(strstr(d.msg, "nosuch") != NULL);
	tm_diag_clear(&d);
	CHECK_INT(tm_chain_set_str(c, "decode.max-ratio=lots", &d), TM_ECONF);
	CHECK(strstr(d.msg, "lots") != NULL);
	CHECK_INT(tm_chain_set_str(c, "decode.max-ratio", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set_str(c, "max-ratio=5", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set_str(c, "decode=a.b", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set_str(c, "", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set_str(c, ".x=1", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set_str(c, "decode.=1", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set_str(c,
	    "averyveryveryveryverylongfiltername.key=1", NULL), TM_EUSAGE);
	/* Failed settings changed nothing. */
	CHECK_INT(tm_opt_int(tm_chain_options(c, 0), "max-ratio"), 50);
	CHECK_INT(tm_chain_len(c), 1);
	tm_chain_free(c);
}

TM_TEST(chain_set_adds_filter)
{
	struct tm_chain *c, *k;

	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_len(c), 1);
	/* Setting an option of a filter not in the chain adds it. */
	if (tm_filter_find("space") != NULL && tm_filter_find("space")->options
	    != NULL && tm_filter_find("space")->options[0].name != NULL) {
		const struct tm_option_desc *od =
		    &tm_filter_find("space")->options[0];

		CHECK_INT(tm_chain_set(c, "space", od->name, od->def, NULL), 0);
		CHECK_INT(tm_chain_len(c), 2);
		CHECK_STR(tm_chain_filter(c, 1)->name, "space");
	}
	CHECK_INT(tm_chain_set(c, "decode", "max-ratio", "77", NULL), 0);
	CHECK_INT(tm_chain_clone(&k, c), 0);
	CHECK_INT(tm_chain_set(k, "decode", "max-ratio", "78", NULL), 0);
	CHECK_INT(tm_opt_int(tm_chain_options(c, 0), "max-ratio"), 77);
	CHECK_INT(tm_opt_int(tm_chain_options(k, 0), "max-ratio"), 78);
	CHECK_INT(tm_chain_len(k), tm_chain_len(c));
	tm_chain_free(k);
	tm_chain_free(c);
}

TM_TEST(chain_check_from_code)
{
	struct tm_chain *c;
	struct tm_diag d;

	CHECK_INT(tm_chain_new(&c, NULL, NULL), 0);
	CHECK_INT(tm_chain_check(c, NULL), 0);
	CHECK_INT(tm_chain_set(c, "decode", "from-code", "gbk", NULL), 0);
	CHECK_INT(tm_chain_check(c, NULL), 0);
	CHECK_INT(tm_chain_set(c, "decode", "from-code", "no-such-charset",
	    NULL), 0);
	tm_diag_clear(&d);
	CHECK_INT(tm_chain_check(c, &d), TM_EUSAGE);
	CHECK(strstr(d.msg, "no-such-charset") != NULL);
	tm_chain_free(c);
}
