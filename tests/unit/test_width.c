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
	EXPECT_CLEAN("width", "详见http://example.com/a(b),谢谢\n",
	    "详见http://example.com/a(b)，谢谢\n");
	/* Each run of ASCII gets its own answer. */
	EXPECT_CLEAN("width", "见,http://a.b 中,x.y\n", "见,http://a.b 中，x.y\n");
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

TM_TEST(paren_reach)
{
	char in[1024], want[1024];
	size_t i, n;

	/* ')' 511 bytes after '(' is matched, 512 bytes is too far. */
	n = 0;
	in[n++] = '(';
	for (i = 0; i < 170; i++, n += 3)
		memcpy(in + n, "中", 3);
	memcpy(want, "（", 3);
	memcpy(want + 3, in + 1, n - 1);
	memcpy(want + n + 2, "）\n", 5);
	memcpy(in + n, ")\n", 3);
	EXPECT_CLEAN("width", in, want);
	memcpy(in + n, "a)\n", 4);
	EXPECT_UNCHANGED("width", in);
	/* An unmatched '(' does not hide the match of the next. */
	EXPECT_CLEAN("width", "中((中)\n", "中(（中）\n");
}

/*
 * Minified JavaScript: one line of a megabyte of printable ASCII without a
 * blank, full of parentheses and marks. Nothing in it is Chinese, so it is
 * kept as it is. The size is what makes this test: looking at the whole
 * run again for each '(' took minutes on a megabyte, beyond the test's
 * timeout; each run looked at once takes milliseconds.
 */
TM_TEST(long_ascii_run_kept)
{
	static const char js[] = "if(a){b(c);d(e,f);}x=g?h:i!j;";
	size_t n = 1 << 20, i;
	char *in = malloc(n + 1);

	CHECK(in != NULL);
	if (in == NULL)
		return;
	for (i = 0; i < n; i++)
		in[i] = js[i % (sizeof(js) - 1)];
	/* Then a run of '(' that nothing closes, and Chinese after it. */
	memset(in + n - 64 * 1024, '(', 64 * 1024 - 4);
	memcpy(in + n - 4, "中\n", 4);
	in[n] = '\0';
	EXPECT_UNCHANGED("width", in);
	free(in);
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
