/*
 * test_ruby.c - the ruby filter: leaked pinyin readings go, brackets
 * that only look like them stay (and the doubtful ones are reported).
 */
#include "harness.h"

TM_TEST(seed_tone_marked)
{
	EXPECT_CLEAN("ruby", "原標(biāo)題:婦聯(lián)組織建設(shè)\n", "原標題:婦聯組織建設\n");
}

TM_TEST(fullwidth_brackets_and_digits)
{
	EXPECT_CLEAN("ruby", "標（biāo）題與標(biao1)題\n", "標題與標題\n");
}

TM_TEST(several_syllables)
{
	EXPECT_CLEAN("ruby", "婦女(fùnǚ)工作\n", "婦女工作\n");
	EXPECT_CLEAN("ruby", "婦女(fù nǚ)工作\n", "婦女工作\n");
}

TM_TEST(toneless_confirmed_by_icu)
{
	EXPECT_CLEAN("ruby", "我的(de)朋友\n", "我的朋友\n");
}

TM_TEST(toneless_unconfirmed_is_suspect)
{
	unsigned long long edits = 1, suspects = 0;
	char *got = tm_test_clean("ruby", NULL,
	    "行(hang)不行\n", &edits, &suspects);

	CHECK_STR(got, "行(hang)不行\n");
	CHECK_INT(edits, 0);
	CHECK_INT(suspects, 1);
	free(got);
}

TM_TEST(toneless_option_off)
{
	char *got = tm_test_clean("ruby", "ruby.toneless=off",
	    "我的(de)朋友\n", NULL, NULL);

	CHECK_STR(got, "我的(de)朋友\n");
	free(got);
}

TM_TEST(real_brackets_kept)
{
	EXPECT_UNCHANGED("ruby", "使用(Linux)系统\n");
	EXPECT_UNCHANGED("ruby", "联合国教科文组织(UNESCO)\n");
	EXPECT_UNCHANGED("ruby", "方案(a)和(b)\n");
	EXPECT_UNCHANGED("ruby", "真好(笑)\n");
	EXPECT_UNCHANGED("ruby", "Text (biāo) after Latin stays.\n");
	EXPECT_UNCHANGED("ruby", "(biāo) at the start\n");
	EXPECT_UNCHANGED("ruby", "標(xyz)\n");
}

TM_TEST(more_syllables_than_characters_kept)
{
	EXPECT_UNCHANGED("ruby", "x標(biāo tí)\n");
}
