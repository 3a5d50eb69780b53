/*
 * test_reflow.c - the reflow filter: breaks inside sentences are joined,
 * the author's paragraphs stay.
 */
#include <pthread.h>

#include "harness.h"
#include "textmend/buf.h"

#define BODY "通过省市县乡村五级党组织联动建立健全责任落实考核督导监督等制度机制"

TM_TEST(split_inside_word)
{
	EXPECT_CLEAN("reflow", BODY "，加强对乡\n\n村振兴重点任务的管理与监督。\n\n下一段。\n",
	    BODY "，加强对乡村振兴重点任务的管理与监督。\n\n下一段。\n");
}

TM_TEST(split_after_comma)
{
	EXPECT_CLEAN("reflow", "短句，\n\n接着写完。\n", "短句，接着写完。\n");
}

TM_TEST(doubled_character_dropped)
{
	EXPECT_CLEAN("reflow", BODY "，因地制宜\n\n宜将三新领域妇女全部纳入管理。\n",
	    BODY "，因地制宜将三新领域妇女全部纳入管理。\n");
}

TM_TEST(doubled_word_kept)
{
	EXPECT_CLEAN("reflow", BODY "，我们常\n\n常去那里看看。\n",
	    BODY "，我们常常去那里看看。\n");
}

TM_TEST(sentence_end_kept)
{
	EXPECT_UNCHANGED("reflow", BODY "。\n\n村振兴重点任务的管理与监督。\n");
}

TM_TEST(headings_kept)
{
	EXPECT_UNCHANGED("reflow", "深化改革 “破难行动”进行时\n\n山东东阿340个巾帼志愿特色社团\n\n"
	    "□ 中国妇女报全媒体记者 姚建\n\n正文第一段。\n");
	/* A body paragraph cut off, then the next article's heading. */
	EXPECT_UNCHANGED("reflow", BODY "始终坚持农\n\n全国女职工数字技能提升网络培训班举办\n\n"
	    "正文。\n");
}

TM_TEST(list_items_kept)
{
	EXPECT_UNCHANGED("reflow", BODY "的三项措施\n\n1. 第一项措施要落实到每一个村的每一户人家去。\n");
	EXPECT_UNCHANGED("reflow", BODY "的三项措施\n\n——全面提升党组织覆盖质量。\n");
}

TM_TEST(enumerated_paragraphs_kept)
{
	/* Items without a full stop, long enough not to pass for headings,
	   before a body paragraph. */
	EXPECT_UNCHANGED("reflow", "一、" BODY "\n\n" BODY "。\n");
	EXPECT_UNCHANGED("reflow", "（二）" BODY "\n\n" BODY "。\n");
	EXPECT_UNCHANGED("reflow", "\xe2\x91\xa0 " BODY "\n\n" BODY "。\n");
	EXPECT_UNCHANGED("reflow", "3. " BODY "\n\n" BODY "。\n");
	/* An inline enumeration ends a UD sentence without a full stop. */
	EXPECT_UNCHANGED("reflow", "世界三大观赏树厦门园林植物园种植有世界三大观赏树："
	    "中国金钱松，日本金松，日本南洋杉\n\n厦门港是中国沿海主要港口之一。\n");
	/* The next paragraph opens a series: 一楼为…，二楼为… */
	EXPECT_UNCHANGED("reflow", BODY "，时为台湾五大学府\n\n"
	    "一楼为供学生自习的K书中心，二楼为期刊阅览室。\n");
}

TM_TEST(enumerated_paragraph_split_inside_word)
{
	/* A column break inside an item is joined when it cuts a word. */
	EXPECT_CLEAN("reflow", "一、" BODY "，加强对乡\n\n村振兴重点任务的管理与监督。\n",
	    "一、" BODY "，加强对乡村振兴重点任务的管理与监督。\n");
	/* Numbers that are not enumerators: "1.8亿" starts a body line. */
	EXPECT_CLEAN("reflow", "1.8亿" BODY "，加强对乡\n\n村振兴。\n",
	    "1.8亿" BODY "，加强对乡村振兴。\n");
	/* Items that are not parallel are a sentence cut short. */
	EXPECT_CLEAN("reflow", BODY "：中国金钱松，日本金松，日本南洋杉与园林\n\n"
	    "植物园的树。\n", BODY "：中国金钱松，日本金松，日本南洋杉与园林植物园的树。\n");
}

TM_TEST(single_newline_paragraphs_kept)
{
	EXPECT_UNCHANGED("reflow", "來源:中國婦女報\n2025-02-08 09:07:02\n"
	    "夯實基層基礎,織密傳統領域組織覆蓋網\n"
	    "聊城市是革命老區、農業大市,下轄136個鄉鎮(街道)、2000余個行政村。\n");
}

/* Lines of a page printed 22 characters wide: the first of a paragraph
   indented, the last short. */
#define FIRST	"　　一二三四五六七八九十一二三四五六七八九十"
#define FULL	"一二三四五六七八九十一二三四五六七八九十一二"
#define NUMBER	"1.8亿四五六七八九十一二三四五六七八九十二"

TM_TEST(hard_wrapped_chinese)
{
	EXPECT_CLEAN("reflow",
	    FIRST "\n" FULL "\n" FULL "\n" "一二三四五。\n"
	    FIRST "\n" FULL "\n" FULL "\n" FULL "\n" "完。\n",
	    FIRST FULL FULL "一二三四五。\n"
	    FIRST FULL FULL FULL "完。\n");
	/* A wrapped line that starts with a number is no list item. */
	EXPECT_CLEAN("reflow",
	    FIRST "\n" FULL "\n" FULL "\n" "一二三四五。\n"
	    FIRST "\n" FULL "\n" NUMBER "\n" FULL "\n" "完。\n",
	    FIRST FULL FULL "一二三四五。\n"
	    FIRST FULL NUMBER FULL "完。\n");
}

TM_TEST(latin_split_paragraph)
{
	EXPECT_CLEAN("reflow", "This paragraph was split in the middle of a long sentence by a "
	    "column\n\nbreak that the scanner kept.\n",
	    "This paragraph was split in the middle of a long sentence by a "
	    "column break that the scanner kept.\n");
	EXPECT_UNCHANGED("reflow", "Heading\n\nthe text starts lower-case.\n");
}

TM_TEST(dehyphenation)
{
	EXPECT_CLEAN("reflow", "We studied this long and winding sentence with an exam-\n\n"
	    "ple of the problem.\n", "We studied this long and winding "
	    "sentence with an example of the problem.\n");
	EXPECT_CLEAN("reflow", "We studied this long and winding sentence with the well-\n\n"
	    "known result.\n", "We studied this long and winding sentence "
	    "with the well-known result.\n");
}

#define LATIN "We studied this long and winding sentence with "

/* hunspell's en_US (Debian's hunspell-en-us) decides; tests/install-deps.sh
   installs it. */
TM_TEST(dehyphenation_dictionary)
{
	unsigned long long suspects = 0;
	char *got;

	EXPECT_CLEAN("reflow", LATIN "some non-\n\nsense of it.\n",
	    LATIN "some nonsense of it.\n");
	EXPECT_CLEAN("reflow", LATIN "strawberry ice-\n\ncream in it.\n",
	    LATIN "strawberry ice-cream in it.\n");
	EXPECT_CLEAN("reflow", LATIN "the self-\n\nevident result.\n",
	    LATIN "the self-evident result.\n");
	/* Not a word either way: joined as it is, and reported. */
	got = tm_test_clean("reflow", NULL, LATIN "the qwzx-\n\nplorf here.\n",
	    NULL, &suspects);
	CHECK_STR(got, LATIN "the qwzx-plorf here.\n");
	CHECK_INT(suspects, 1);
	free(got);
}

TM_TEST(dehyphenation_without_dictionary)
{
	unsigned long long suspects = 0;
	char *got;

	/* Off: the prefixes of old decide, and "icecream" is what they make
	   of a word they do not know. */
	got = tm_test_clean("reflow", "reflow.dictionary=off",
	    LATIN "strawberry ice-\n\ncream in it.\n", NULL, &suspects);
	CHECK_STR(got, LATIN "strawberry icecream in it.\n");
	CHECK_INT(suspects, 0);
	free(got);
	got = tm_test_clean("reflow", "reflow.dictionary=off",
	    LATIN "the well-\n\nknown one.\n", NULL, NULL);
	CHECK_STR(got, LATIN "the well-known one.\n");
	free(got);
	/* Not installed: the same, and the report says so once. */
	got = tm_test_clean("reflow", "reflow.dictionary=xx_NOWHERE",
	    LATIN "strawberry ice-\n\ncream in it, " LATIN "some non-\n\n"
	    "sense.\n", NULL, &suspects);
	CHECK_STR(got, LATIN "strawberry icecream in it, " LATIN
	    "some non-sense.\n");
	CHECK_INT(suspects, 1);
	free(got);
}

TM_TEST(suspects_reported_not_changed)
{
	unsigned long long edits = 1, suspects = 0;
	const char *in = "教育部党组组组高校党建。这是最深情的律律。"
	    "社会组织 and 律师。坏\xef\xbf\xbd字。周周有活动，铁骨铮铮誓言。\n";
	char *got = tm_test_clean("reflow", NULL, in, &edits, &suspects);

	CHECK_STR(got, in);
	CHECK_INT(edits, 0);
	CHECK_INT(suspects, 4);
	free(got);
}

TM_TEST(segments_do_not_matter)
{
	/* The split falls across the pipeline's segment boundary. */
	struct tm_buf in, want;
	char *got;
	int i;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < 3000; i++)
		tm_buf_printf(&in, "第%d段。" BODY "。\n\n", i);
	tm_buf_append(&want, in.ptr, in.len);
	tm_buf_puts(&in, BODY "，加强对乡\n\n村振兴。\n");
	tm_buf_puts(&want, BODY "，加强对乡村振兴。\n");
	got = tm_test_clean("reflow", NULL, in.ptr, NULL, NULL);
	CHECK(strcmp(got, want.ptr) == 0);
	free(got);
	tm_buf_release(&in);
	tm_buf_release(&want);
}

#define THREADS 4

static void *
clean_split(void *arg)
{
	char **got = arg;

	*got = tm_test_clean("reflow", NULL,
	    BODY "，加强对乡\n\n村振兴重点任务的管理与监督。\n", NULL, NULL);
	return NULL;
}

TM_TEST(word_breaks_in_threads)
{
	/* Every document gets its own clone of the process's word break
	   iterator: documents cleaned in several threads at once, and one
	   after another, all find the word 乡村 across the break. */
	pthread_t t[THREADS];
	char *got[THREADS];
	int i, round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < THREADS; i++)
			CHECK(pthread_create(&t[i], NULL, clean_split,
			    &got[i]) == 0);
		for (i = 0; i < THREADS; i++) {
			pthread_join(t[i], NULL);
			CHECK_STR(got[i],
			    BODY "，加强对乡村振兴重点任务的管理与监督。\n");
			free(got[i]);
		}
	}
}

TM_TEST(options_off)
{
	char *got = tm_test_clean("reflow", "reflow.paragraphs=off",
	    "短句，\n\n接着写完。\n", NULL, NULL);

	CHECK_STR(got, "短句，\n\n接着写完。\n");
	free(got);
}

TM_TEST(long_blank_runs)
{
	struct tm_buf in;
	char *got;

	/* Blank lines by the megabyte, alone and after a line: they pass
	   through whole, and a line followed by more than a page break's
	   worth of them ends its paragraph instead of being held. */
	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	CHECK_INT(tm_buf_reserve(&in, 3 << 20), 0);
	memset(in.ptr, '\n', 3 << 20);
	in.len = 3 << 20;
	in.ptr[in.len] = '\0';
	got = tm_test_clean("decode,reflow", NULL, in.ptr, NULL, NULL);
	CHECK(strcmp(got, in.ptr) == 0);
	free(got);
	tm_buf_reset(&in);
	CHECK_INT(tm_buf_puts(&in, BODY "，加强对乡"), 0);
	CHECK_INT(tm_buf_reserve(&in, 3 << 20), 0);
	memset(in.ptr + in.len, '\n', 3 << 20);
	in.len += 3 << 20;
	in.ptr[in.len] = '\0';
	CHECK_INT(tm_buf_puts(&in, "村振兴。\n"), 0);
	got = tm_test_clean("decode,reflow", NULL, in.ptr, NULL, NULL);
	CHECK(strcmp(got, in.ptr) == 0);
	free(got);
	tm_buf_release(&in);
}
