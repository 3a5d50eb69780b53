/*
 * test_layout.c - the layout filter: page furniture goes, text stays.
 */
#include "harness.h"
#include "textmend/buf.h"

TM_TEST(continuation_markers)
{
	EXPECT_CLEAN("layout", "(上接第一版)\n甲。\n", "甲。\n");
	EXPECT_CLEAN("layout", "甲。\n\n（上接1版）\n\n乙。\n", "甲。\n\n乙。\n");
	EXPECT_CLEAN("layout", "甲。\n(下转第3版)\n（紧接第2版）\n(转A4版)\n(下轉第二版)\n",
	    "甲。\n");
}

TM_TEST(marker_inside_text_kept)
{
	EXPECT_UNCHANGED("layout", "（上接第一版）正文不是单独一行。\n");
	EXPECT_UNCHANGED("layout", "(上接)\n(第一版)\n");
}

TM_TEST(repeated_header_kept_once)
{
	EXPECT_CLEAN("layout", "來源:中國婦女報\n日期\n來源:中國婦女報\n來源:中國婦女報\n",
	    "來源:中國婦女報\n日期\n");
}

TM_TEST(short_repeats_kept)
{
	EXPECT_UNCHANGED("layout", "记者:\n是。\n是。\n好的好的。\n好的好的。\n");
}

TM_TEST(duplicates_across_segments)
{
	/* More than a segment of text between the two copies. */
	struct tm_buf in, want;
	char *got;
	int i;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	tm_buf_puts(&in, "來源:中國婦女報全媒體\n\n");
	for (i = 0; i < 20000; i++)
		tm_buf_printf(&in, "第%d段正文内容。\n\n", i);
	tm_buf_append(&want, in.ptr, in.len);
	tm_buf_puts(&in, "來源:中國婦女報全媒体\n");	/* differs: kept */
	tm_buf_puts(&want, "來源:中國婦女報全媒体\n");
	tm_buf_puts(&in, "來源:中國婦女報全媒體\n\n尾。\n");
	tm_buf_puts(&want, "尾。\n");
	got = tm_test_clean("layout", NULL, in.ptr, NULL, NULL);
	CHECK(strcmp(got, want.ptr) == 0);
	free(got);
	tm_buf_release(&in);
	tm_buf_release(&want);
}

TM_TEST(pull_quote)
{
	const char *in =
	    "构建妇建网络新格局，即打造1个试点示范区，每个区成立两个头部企业妇联。\n\n"
	    "未来我们将不断探索互联网行业妇女工作的新模式和新方法，以多元化、\n\n"
	    "即打造1个试点示范区，每个区成立两个头部企业妇联\n\n"
	    "更高质量的方式赋能女职工们综合能力的成长。\n";
	const char *want =
	    "构建妇建网络新格局，即打造1个试点示范区，每个区成立两个头部企业妇联。\n\n"
	    "未来我们将不断探索互联网行业妇女工作的新模式和新方法，以多元化、\n\n"
	    "更高质量的方式赋能女职工们综合能力的成长。\n";

	EXPECT_CLEAN("layout", in, want);
}

TM_TEST(repeat_after_sentence_end_is_suspect)
{
	unsigned long long edits = 1, suspects = 0;
	const char *in =
	    "构建妇建网络新格局，即打造1个试点示范区，每个区成立两个头部企业妇联。\n"
	    "这是一个完整的句子，而且足够长，超过二十个字了。\n"
	    "即打造1个试点示范区，每个区成立两个头部企业妇联\n";
	char *got = tm_test_clean("layout", NULL, in, &edits, &suspects);

	CHECK_STR(got, in);
	CHECK_INT(edits, 0);
	CHECK_INT(suspects, 1);
	free(got);
}

TM_TEST(heading_over_two_lines_kept)
{
	EXPECT_UNCHANGED("layout", "西安市总工会发布消费帮扶点推介名单\n\n西安市总工会\n\n"
	    "发布消费帮扶点推介名单\n");
}

TM_TEST(boilerplate)
{
	EXPECT_CLEAN("layout", "正文。\n想爆料?請登錄《陽光連線》提供新聞線索。\n",
	    "正文。\n");
	EXPECT_UNCHANGED("layout", "正文里提到了别的东西。\n");
}

TM_TEST(boilerplate_patterns_option)
{
	char *got = tm_test_clean("layout", "layout.boilerplate=来源：某某网",
	    "正文。\n本文来源：某某网\n", NULL, NULL);

	CHECK_STR(got, "正文。\n");
	free(got);
	got = tm_test_clean("layout", "layout.boilerplate=",
	    "正文。\n想爆料?\n", NULL, NULL);
	CHECK_STR(got, "正文。\n想爆料?\n");
	free(got);
}

TM_TEST(options_off)
{
	char *got = tm_test_clean("layout", "layout.markers=off",
	    "(上接第一版)\n", NULL, NULL);

	CHECK_STR(got, "(上接第一版)\n");
	free(got);
	got = tm_test_clean("layout", "layout.duplicates=off",
	    "來源:中國婦女報\n來源:中國婦女報\n", NULL, NULL);
	CHECK_STR(got, "來源:中國婦女報\n來源:中國婦女報\n");
	free(got);
}

TM_TEST(latin_duplicate_paragraph)
{
	EXPECT_CLEAN("layout", "It was a dark and stormy night.\n\nIt was a dark and stormy "
	    "night.\n\nThe end.\n", "It was a dark and stormy night.\n\n"
	    "The end.\n");
}

TM_TEST(repeating_text_is_not_furniture)
{
	/* Rows that repeat each other, ending in numbers: no pull quotes. */
	struct tm_buf in;
	unsigned long long edits = 1;
	char *got;
	int i;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < 40; i++)
		tm_buf_printf(&in, "本段文字在文件里出现了很多次只有最后的编号不同%d\n\n",
		    i);
	got = tm_test_clean("layout", NULL, in.ptr, &edits, NULL);
	CHECK_STR(got, in.ptr);
	CHECK_INT(edits, 0);
	free(got);
	/* Text that repeats itself in mid-sentence: only a few removed. */
	tm_buf_reset(&in);
	for (i = 0; i < 40; i++)
		tm_buf_printf(&in, "本段文字在文件里出现了很多次只有最后的编号不同%c%c\n\n",
		    'a' + i / 26, 'a' + i % 26);
	got = tm_test_clean("layout", NULL, in.ptr, &edits, NULL);
	CHECK(edits <= 40 / 20 + 1);
	free(got);
	tm_buf_release(&in);
}

TM_TEST(boilerplate_pattern_kinds)
{
	char *got;

	/* A pattern that starts with ASCII, found after Han text. */
	got = tm_test_clean("layout", "layout.boilerplate=Copyright",
	    "正文。\n本报 Copyright 2024\n尾。\n", NULL, NULL);
	CHECK_STR(got, "正文。\n尾。\n");
	free(got);
	/* One that starts inside a character (the tail bytes of 國) is
	   matched byte for byte like any other. */
	got = tm_test_clean("layout", "layout.boilerplate=\x9c\x8b",
	    "中國婦女報\n中国妇女报\n", NULL, NULL);
	CHECK_STR(got, "中国妇女报\n");
	free(got);
	/* Several patterns, the second one matching. */
	got = tm_test_clean("layout", "layout.boilerplate=广告|热线",
	    "欢迎拨打热线电话。\n正文。\n", NULL, NULL);
	CHECK_STR(got, "正文。\n");
	free(got);
}

TM_TEST(lines_longer_than_a_segment_kept)
{
	static const char unit[] = "加强对乡村振兴重点任务的统一部署，";
	size_t n = (size_t)(2 << 20) / (sizeof(unit) - 1) + 3, i;
	struct tm_buf in;
	char *got;

	/* One line of over 2 MiB repeating itself (a page saved as one
	   line): the pipeline cuts it into segments, and no piece of it,
	   the short last one included, may pass for a line repeating an
	   earlier one or for a pull quote. */
	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	CHECK_INT(tm_buf_puts(&in, "加强对乡村振兴重点任务的统一部署，加强对乡村振兴。\n"), 0);
	for (i = 0; i < n; i++)
		CHECK_INT(tm_buf_puts(&in, unit), 0);
	CHECK_INT(tm_buf_puts(&in, "加强对乡村振兴。\n"), 0);
	got = tm_test_clean("decode,layout", NULL, in.ptr, NULL, NULL);
	CHECK(strcmp(got, in.ptr) == 0);
	free(got);
	tm_buf_release(&in);
}
