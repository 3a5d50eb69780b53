/*
 * test_width.c - the width filter: ASCII marks in Chinese text to
 * fullwidth, fullwidth letters and digits to ASCII, everything else kept.
 */
#include "harness.h"

TM_TEST(comma_between_han)
{
	EXPECT_CLEAN("width", "东阿县,每一位\n", "东阿县，每一位\n");
}

TM_TEST(space_after_mark_dropped)
{
	EXPECT_CLEAN("width", "东阿县, 每一位\n", "东阿县，每一位\n");
	EXPECT_CLEAN("width", "时间: 8:00开始\n", "时间：8:00开始\n");
}

TM_TEST(question_and_exclamation)
{
	EXPECT_CLEAN("width", "你好吗?很好!\n", "你好吗？很好！\n");
}

TM_TEST(parentheses_pair)
{
	EXPECT_CLEAN("width", "(上接第一版)\n", "（上接第一版）\n");
	EXPECT_CLEAN("width", "本报讯(记者 刘强)10月9日\n", "本报讯（记者 刘强）10月9日\n");
	EXPECT_CLEAN("width", "组织(UNESCO)宣布\n", "组织（UNESCO）宣布\n");
}

TM_TEST(numbers_kept)
{
	EXPECT_UNCHANGED("width", "从8:00—17:00之间\n");
	EXPECT_UNCHANGED("width", "共1,000人，1.8亿元\n");
}

TM_TEST(links_kept)
{
	EXPECT_UNCHANGED("width", "网址http://example.com/a?b=1&c=(2)见\n");
	EXPECT_UNCHANGED("width", "请发到user@example.com,cc:a@b.org\n");
	EXPECT_CLEAN("width", "请发到user@example.com,谢谢\n", "请发到user@example.com，谢谢\n");
}

TM_TEST(latin_kept)
{
	EXPECT_UNCHANGED("width", "Hello, world: (this) stays; really? Yes!\n");
	EXPECT_UNCHANGED("width", "AT&T (Linux) a < b, c: d.\n");
	EXPECT_UNCHANGED("width", "Sentence one. (Aside) and more, words.\n");
}

TM_TEST(korean_kept)
{
	EXPECT_UNCHANGED("width", "안녕하세요, 반갑습니다! (정말?)\n");
}

TM_TEST(unmatched_paren_kept_unless_surrounded)
{
	EXPECT_UNCHANGED("width", "a (b\n");
	EXPECT_UNCHANGED("width", "1) 第一项\n");
}

TM_TEST(fullwidth_alnum)
{
	EXPECT_CLEAN("width", "ＡＢＣ１２３和ｔｅｘｔ\n", "ABC123和text\n");
}

TM_TEST(alnum_option_off)
{
	char *got = tm_test_clean("width", "width.alnum=off",
	    "ＡＢＣ\n", NULL, NULL);

	CHECK_STR(got, "ＡＢＣ\n");
	free(got);
}

TM_TEST(ascii_mode)
{
	char *got = tm_test_clean("width", "width.punct=ascii",
	    "东阿县，每一位（上接）：是？是！\n", NULL, NULL);

	CHECK_STR(got, "东阿县,每一位(上接):是?是!\n");
	free(got);
}

TM_TEST(keep_mode)
{
	char *got = tm_test_clean("width", "width.punct=keep",
	    "东阿县,每一位\n", NULL, NULL);

	CHECK_STR(got, "东阿县,每一位\n");
	free(got);
}

TM_TEST(edits_counted)
{
	unsigned long long edits = 0;
	char *got = tm_test_clean("width", NULL, "甲,乙,丙(丁)\n", &edits,
	    NULL);

	CHECK_STR(got, "甲，乙，丙（丁）\n");
	CHECK_INT(edits, 4);
	free(got);
}
