/*
 * test_mojibake_cjk.c - the mojibake filter's Chinese confusions: UTF-8
 * read as GBK with a byte lost to "?", U+FFFD or 锟斤拷 (put back where
 * one candidate is clearly the most plausible, one U+FFFD otherwise), GBK
 * read as Latin-1 or cp1252 (with the bytes cp1252 lost to U+FFFD
 * restored), Big5 read as GBK, each repair an edit named after its
 * confusion at the right offset; GBK paired one off after a lost byte
 * up to the end of a line, to a "?" before ASCII, to an ASCII word a
 * pair took the first letter of, with fullwidth forms folded; UTF-8
 * read as Big5 where most characters lost a byte, a lost one chosen by
 * its neighbours; and the other side: accented Latin, Japanese, Korean,
 * Russian, bopomofo, Chinese with fullwidth punctuation and Chinese with
 * ASCII question marks (on lines megabytes long too, in linear time)
 * come out byte-identical.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "harness.h"

#define FILTERS "mojibake"
#define UTF8 "decode.from-code=UTF-8"

static char *
fix(const char *in, unsigned long long *edits, unsigned long long *suspects)
{
	return tm_test_clean(FILTERS, UTF8, in, edits, suspects);
}

/* fix() with the filter option `set` ("mojibake.KEY=VALUE") too */
#define EXPECT_FIX_SET(in, set, want)					\
	do {								\
		char *got_ = tm_test_clean(FILTERS, UTF8 "\n" set, in,	\
		    NULL, NULL);					\
		CHECK_STR(got_, want);					\
		free(got_);						\
	} while (0)

#define EXPECT_FIX(in, want)						\
	do {								\
		unsigned long long e_ = 0;				\
		char *got_ = fix(in, &e_, NULL);			\
		CHECK_STR(got_, want);					\
		CHECK(e_ >= 1);						\
		free(got_);						\
	} while (0)

#define EXPECT_SAME(in)							\
	do {								\
		unsigned long long e_ = 1;				\
		char *got_ = fix(in, &e_, NULL);			\
		CHECK_STR(got_, in);					\
		CHECK_INT(e_, 0);					\
		free(got_);						\
	} while (0)

struct edit_log {
	int n;
	uint64_t off[4];
	char before[4][256];
	char after[4][256];
	char rule[4][32];
};

static void
log_edit(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	struct edit_log *l = arg;

	if (strcmp(filter, "mojibake") != 0 || l->n == 4)
		return;
	l->off[l->n] = offset;
	snprintf(l->before[l->n], sizeof(l->before[0]), "%s", before);
	snprintf(l->after[l->n], sizeof(l->after[0]), "%s", after);
	snprintf(l->rule[l->n], sizeof(l->rule[0]), "%s", rule);
	l->n++;
}

/* Run `in`, return the output (free it) and the edits in *l. */
static char *
run_log(const char *in, struct edit_log *l)
{
	struct tm_chain *c = NULL;
	struct tm_report *r = tm_report_new("t");
	struct tm_buf out;
	struct tm_diag d;

	memset(l, 0, sizeof(*l));
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK(tm_chain_new(&c, FILTERS, &d) == 0);
	CHECK(tm_chain_set_str(c, UTF8, &d) == 0);
	CHECK(tm_clean_mem(c, in, strlen(in), &out, r, &d) == 0);
	tm_report_foreach_edit(r, log_edit, l);
	tm_chain_free(c);
	tm_report_free(r);
	if (out.cap == 0)
		return strdup("");
	return out.ptr;
}

/* "聊城市举办了文化节。" in UTF-8 read as GBK: the last byte of "。"
   (82) could not pair with the newline or the end and was lost. */
#define WENHUA "鑱婂煄甯備妇鍔炰簡鏂囧寲鑺傘€"

TM_TEST(utf8_as_gbk_lost_byte)
{
	struct edit_log l;
	char *got;

	/* the lost byte of "。" at the end of a line, whatever marks it */
	EXPECT_FIX(WENHUA "?", "聊城市举办了文化节。");
	EXPECT_FIX(WENHUA "?\n", "聊城市举办了文化节。\n");
	EXPECT_FIX(WENHUA "\xef\xbf\xbd", "聊城市举办了文化节。");
	EXPECT_FIX(WENHUA "锟斤拷", "聊城市举办了文化节。");
	/* the edit takes in the "?" after the run */
	got = run_log("ok " WENHUA "?", &l);
	CHECK_STR(got, "ok 聊城市举办了文化节。");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 3);
	CHECK_STR(l.before[0], WENHUA "?");
	CHECK_STR(l.rule[0], "utf8-as-gbk");
	free(got);
	/* 位, 住, 低, 体... share E4 BD: not clear, so one U+FFFD stays
	   for the one character, and "。" is put back */
	EXPECT_FIX("璁拌€呬粠鑱婂煄甯傝幏鎮夛紝2023骞村叏甯傛柊澧炲氨涓氬矖浣锟斤拷"
	    "5涓囦釜銆锟斤拷",
	    "记者从聊城市获悉，2023年全市新增就业岗\xef\xbf\xbd" "5万个。");
	/* an ASCII byte a pair took as its trail comes back ("（A"), and
	   a lost byte inside the run is put back too: before E3, only 80
	   and AA..AF (a private-use pair) can have been lost, and of
	   U+6500, U+652A..F "支" is the clear choice */
	EXPECT_FIX("鍔ㄤ綔鍐掗櫓娓告垙锛圓-AVG锛夋槸鍐掗櫓娓告垙鐨勫垎鏀\xef\xbf\xbd"
	    "銆\xef\xbf\xbd",
	    "动作冒险游戏（A-AVG）是冒险游戏的分支。");
	/* "这个一个问题" read by a strict decoder (Python's gbk), which
	   loses 80 alone and the lead of a private-use pair: "一" (80) or
	   "个" (AA) before E4 is not clear, nor "题" at the end, but of
	   what can precede E9 "问" (AE) is */
	EXPECT_FIX("杩欎釜涓\xef\xbf\xbd涓\xef\xbf\xbd"
	    "闂\xef\xbf\xbd棰\xef\xbf\xbd",
	    "这个\xef\xbf\xbd\xef\xbf\xbd问\xef\xbf\xbd");
	/* a real question mark after correct Chinese is no lost byte */
	EXPECT_SAME("你好吗?");
	EXPECT_SAME("鎏金?魑魅?魍魉?");
}

TM_TEST(gbk_as_latin1)
{
	EXPECT_FIX("ÄãºÃ", "你好");
	EXPECT_FIX("É½¶«¶«°¢340¸ö½íàþÖ¾Ô¸ÌØÉ«ÉçÍÅÎª¸¾Å®¶ùÍ¯°ìÊµÊÂ¡£",
	    "山东东阿340个巾帼志愿特色社团为妇女儿童办实事。");
	EXPECT_FIX("¡°Ö´Î¯Áì°ì+Æ·ÅÆ·þÎñ¡±ÈÃ»ù²ãÖÎÀí¡°Êµ¡±ÆðÀ´",
	    "“执委领办+品牌服务”让基层治理“实”起来");
	/* Traditional characters in GBK: trail bytes that are ASCII, the
	   first one ("ß@" 這) in a run of its own */
	EXPECT_FIX("ß@·NÜ\xc2\x87ÝvÈç¹û\xc2\x9awË½ÈË\xc2\x93íÓÐ£¬¶à°ë"
	    "\xc2\x95þÔOÖÃ°ºÙFµÄÒôîlÔO\xc2\x82ä¡£",
	    "這種車輛如果歸私人擁有，多半會設置昂貴的音頻設備。");
	EXPECT_FIX("ß@·NÜ‡ÝvÈç¹ûšwË½ÈË“íÓÐ£¬¶à°ë•þÔOÖÃ°ºÙFµÄÒôîlÔO‚ä¡£",
	    "這種車輛如果歸私人擁有，多半會設置昂貴的音頻設備。");
	/* an English name inside, and the middle dot of names */
	EXPECT_FIX("»ªÉ½ËÉ£¨Ñ§Ãû£ºPinus armandii£©£¬ÊÇÒ»ÖÖËÉ¿ÆÖ²Îï¡£",
	    "华山松（学名：Pinus armandii），是一种松科植物。");
	EXPECT_FIX("ÔÚÉ½Ä·¡¤»ªÄÉÊÅÊÀºó", "在山姆·华纳逝世后");
}

TM_TEST(gbk_as_cp1252)
{
	/* lead bytes 80..9F became cp1252's symbols */
	EXPECT_FIX("ÁÄ³ÇÊÐ‹DÂ“½M¿—é_Õ¹¡°½íŽ½Ö¾îŠ·þ„Õ¡±»î„Ó",
	    "聊城市婦聯組織開展“巾幗志願服務”活動");
	/* the lead byte 8F of 廣 is undefined in cp1252 and became U+FFFD,
	   or stayed a C1 control: it is the one that makes 廣 */
	EXPECT_FIX("È«Ê¡\xef\xbf\xbdV´ó‹DÅ®·e˜O…¢Åcàl´åÕñÅd¡£",
	    "全省廣大婦女積極參與鄉村振興。");
	EXPECT_FIX("È«Ê¡\xc2\x8fV´ó‹DÅ®·e˜O…¢Åcàl´åÕñÅd¡£",
	    "全省廣大婦女積極參與鄉村振興。");
}

TM_TEST(gbk_as_latin1_edit)
{
	struct edit_log l;
	char *got;

	/* one edit over the garbled part, at its offset, named */
	got = run_log("2024 ÄãºÃÊÀ½ç ok", &l);
	CHECK_STR(got, "2024 你好世界 ok");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 5);
	CHECK_STR(l.before[0], "ÄãºÃÊÀ½ç");
	CHECK_STR(l.after[0], "你好世界");
	CHECK_STR(l.rule[0], "gbk-as-latin1");
	free(got);
	/* correct Chinese before it stays, and ends the span */
	got = run_log("原文：ÄãºÃÊÀ½ç", &l);
	CHECK_STR(got, "原文：你好世界");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 9);
	free(got);
}

TM_TEST(gbk_as_latin1_negative)
{
	/* real Latin-1 text, some of it dense with accents */
	EXPECT_SAME("Le cœur a ses raisons que la raison ne connaît point.");
	EXPECT_SAME("Über den Wolken muß die Freiheit wohl grenzenlos sein.");
	EXPECT_SAME("Þú ert góður, Ðórður; æðri öld. Høj bør, blåbær.");
	EXPECT_SAME("ÀÉÎÕÜ àéîõü ÇÑ çñ ß ÿ ÆØÅ æøå ÞÐ þð");
	EXPECT_SAME("SÃO PAULO, ÇA VA, NAÏVE, ÉTÉ; Ölüberschuß ÄÖÜ");
	EXPECT_SAME("Mathematics: ± ¼ ½ ¾ · ² ³ µ ¶ § × ÷ « » ¿ ¡");
	/* rare Han characters read as Latin-1 are not clear enough */
	EXPECT_SAME("÷Î÷È÷Í÷Ë÷Ò÷Ñ£¬ë£ñóÖ®Äê");
}

TM_TEST(utf8_as_cp1252_stays_latin)
{
	struct edit_log l;
	char *got;

	/* UTF-8 read as cp1252 is not taken for GBK */
	got = run_log("Ã©tÃ© Ã  Paris", &l);
	CHECK_STR(got, "été à Paris");
	CHECK(l.n >= 1);
	CHECK_STR(l.rule[0], "utf8-as-cp1252");
	free(got);
	got = run_log("ç®€ä½“ä¸­æ–‡", &l);
	CHECK_STR(got, "简体中文");
	CHECK_INT(l.n, 1);
	CHECK_STR(l.rule[0], "utf8-as-cp1252");
	free(got);
}

/* Big5 bytes read by ICU's GBK: Big5's marks become private-use
   characters (U+E4C6.. for A140..). */
#define B5_ZHONGHUA							\
	"い地チ瓣包\xee\x98\x91羛\xee\x9a\xbe穦さら\xee\x9b\x88籓"	\
	"\xee\x99\xa5\xee\x99\xb2秨\xee\x9b\xa4\xee\x82\x94穦某"	\
	"\xee\x93\x89"
#define B5_BEIDA							\
	"赣场\xee\x9e\x94\xee\xa0\x84\xee\x99\xa5ㄊ\xee\x98\x90厩洛"	\
	"厩场秇ひ加7加\xee\x93\x87" "2010\xee\x9b\xa4" "1る7ら币ノ"	\
	"\xee\x93\x89"

TM_TEST(big5_as_gbk)
{
	struct edit_log l;
	char *got;

	EXPECT_FIX(B5_ZHONGHUA, "中華民國婦女聯合會今日在臺北召開年度會議。");
	/* short runs between digits are repaired on a line of Big5 */
	EXPECT_FIX(B5_BEIDA,
	    "該部位於北京大學醫學部逸夫樓7樓，2010年1月7日啟用。");
	got = run_log("標題：" B5_ZHONGHUA, &l);
	CHECK_STR(got, "標題：中華民國婦女聯合會今日在臺北召開年度會議。");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 9);
	CHECK_STR(l.rule[0], "big5-as-gbk");
	free(got);
}

TM_TEST(gbk_misaligned_line_end)
{
	struct edit_log l;
	char *got;

	/* the lead byte of 的 became "?", the rest paired one off to the
	   end of the line, whose last byte (the trail of "。") became "?";
	   between 身 and 特, 的, 心 (身心) and 材 (身材) are as likely: what
	   it was stays visible */
	got = run_log("位县妇联执委可根据自身?奶爻ぷ杂裳≡窳彀煜钅俊?\n", &l);
	CHECK_STR(got, "位县妇联执委可根据自身\xef\xbf\xbd"
	    "特长自由选择领办项目。\n");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 33);
	CHECK_STR(l.before[0], "?奶爻ぷ杂裳≡窳彀煜钅俊?");
	CHECK_STR(l.rule[0], "gbk-misaligned");
	free(got);
	EXPECT_FIX("推动党?牧斓脊嵬ǖ降住⒌车慕ㄉ杪涞绞荡Α?",
	    "推动党的领导贯通到底、党的建设落到实处。");
	/* correct text with question marks, rare characters after them */
	EXPECT_SAME("他问：这是什么?我不知道?\n为什么?因为天气很好?");
	EXPECT_SAME("鎏金?魑魅?魍魉饕餮?\n罕见字?魑魅魍魉饕餮耄耋?");
}

/* How a misaligned run ends: a pair that took the first letter of an
   ASCII word as its trail, a lead byte that no pair could take before
   ASCII, a short line tail that ends on a sentence mark. */
TM_TEST(gbk_misaligned_ends)
{
	/* "肔" is the trail of 用 and the "L" of "Linux" */
	EXPECT_FIX("他们?谘\xee\x9e\xae＠锸褂肔inux系统，也学习Python编程。\n",
	    "他们在学校里使用Linux系统，也学习Python编程。\n");
	EXPECT_FIX("他们在学校里使用Linux系?常\xee\x83\xad惭\xee\x9e\xad"
	    "癙ython编程。\n",
	    "他们在学校里使用Linux系统，也学习Python编程。\n");
	/* the "?" before "3000" led 工; what it was is not sure, nor is
	   了 before 新 (人 as in 设立人 weighs as much) */
	EXPECT_FIX("公司在上海设立?诵碌难芯恐行模\xee\x83\x94灿性惫?3000人。\n",
	    "公司在上海设立\xef\xbf\xbd新的研究中心，共有员\xef\xbf\xbd"
	    "3000人。\n");
	EXPECT_FIX("我们在那里工作了很多年，后来才回?郊蚁纭?\n",
	    "我们在那里工作了很多年，后来才回到家乡。\n");
	/* 记者的采访: 文 (文采) beats 的 by less than a sure margin */
	EXPECT_FIX("比赛结束后，球队的教练接受了记者?牟煞谩?\n",
	    "比赛结束后，球队的教练接受了记者\xef\xbf\xbd采访。\n");
	/* a lost lead byte is a Han character's before a rarer mark's:
	   定 not "（", 设 not "ｈ" */
	EXPECT_FIX("政府决?ㄔ诿髂昕\xee\x80\xa9冀ㄉ栊碌幕\xee\x8c\x82　?\n",
	    "政府决定在明年开始建设新的机场。\n");
	EXPECT_FIX("政府决定在明年开始建?栊碌幕\xee\x8c\x82　?\n",
	    "政府决定在明年开始建设新的机场。\n");
	/* correct text: pairs with an ASCII trail (遷 is DF 77) not before
	   an ASCII word, common characters in a short tail, a question
	   mark before a year */
	EXPECT_SAME("南京大學學生由浦口校區?!搬遷至新建成的仙林校區。\n");
	EXPECT_SAME("這些相對哲學現今?!被稱為詭辯。\n");
	EXPECT_SAME("真的吗?好啊?\n");
	EXPECT_SAME("他问?为什么?2018年的事?\n");
}

/* What a lost byte was is chosen by its neighbours: 作 after 工 (工作),
   not the more common 明; after 。 only a mark that closes, ） where no
   “ is open. Not guessing, only what nothing else fits is written. */
TM_TEST(gbk_misaligned_context)
{
	static const char in[] = "他表示，这项工?饕丫\xee\x85\x81"
	    "\xee\x81\xaf客瓿伞＃?\n";

	EXPECT_FIX(in, "他表示，这项工作已经全部完成。）\n");
	EXPECT_FIX_SET(in, "mojibake.guess=off",
	    "他表示，这项工\xef\xbf\xbd已经全部完成。）\n");
}

/* With the fullwidth forms of the run folded to ASCII (seed 001), a
   letter inside the run was one of them: "@" is "＠" (A3 C0). */
TM_TEST(gbk_misaligned_folded)
{
	EXPECT_FIX("他们?谘\xee\x9e\xae@锸褂肔inux系统，也学习Python编程。\n",
	    "他们在学校里使用Linux系统，也学习Python编程。\n");
}

TM_TEST(clean_unchanged)
{
	static const char *const text[] = {
		"中文（简体）：我们在山东省聊城市，“妇联”工作。",
		"繁體中文：我們村婦聯主席把在家的幾個姐妹召集起來。",
		"鎏金铜佛像，饕餮纹，魑魅魍魉，耄耋之年。",
		"いろはにほへと ちりぬるを、わかよたれそ。",
		"日本語の文章を書きます。これはペンです。",
		"カタカナとひらがなの練習をしましょう",
		"다람쥐 헌 쳇바퀴에 타고파.",
		"Съешь же ещё этих мягких французских булок.",
		"Ошибка при смещении в файле WARC.",
		"ㄅㄆㄇㄈ 注音符號，ㄉㄊㄋㄌ",
		"αβγ射线与ДЖ的关系；ā á ǎ à；┌─┐",
		"5 × 3 = 15; 30 °C; £5, ¥100, €20; © 2024 ™",
		NULL
	};
	const char *const *t;

	for (t = text; *t != NULL; t++)
		EXPECT_SAME(*t);
}

/* UTF-8 read as Big5, lost pairs "?": what is certain comes back, the
   rest is U+FFFD; Traditional Chinese with real "?" stays as it is. */
TM_TEST(utf8_as_big5)
{
	unsigned long long e = 0;
	/* "這種車輛如果歸私人擁有，多半會設置昂貴的音頻設備。" */
	char *got = fix(
	    "?\xee\xa9\x95\xe8\xbb\x8a\xe9\xa0\xa0\xef\x93\x83?\xe6"
	    "\x86\x92\xee\xbf\x99?\xe7\x94\x87\xe8\xb2\x8a?\xe9\x88"
	    "\xad\xe7\xae\xb8??\xef\x90\xad?\xe6\x86\xad\xee\xab"
	    "\xb0??\xef\x81\xb8\xe8\xba\xab\xe8\x9d\xb5\xe6\xa0\xbc?"
	    "\xe9\x9e\x8e\xe6\xb8\xa1??\xe5\x96\xb2\xee\xb9\xb4\xe9"
	    "\x96\xae\xe5\x89\x96???"
	    "\n", &e, NULL);

	CHECK(strstr(got, "種車") != NULL);
	CHECK(strstr(got, "設置") != NULL);
	CHECK(strchr(got, '?') == NULL);
	CHECK(e >= 1);
	free(got);
	/* a stretch where most characters lost a byte comes back too,
	   with U+FFFD for what is not sure: "這部電影在全國各地的電影院
	   上映，受到觀眾的歡迎。" */
	got = fix("?\xee\xa9\x97\xef\x80\xb8?餃蔣?典\xef\x85\xb2?"
	    "\xef\x95\x9d??啁??餃蔣?Ｖ??\xee\xba\xa8??\xee\xa4\x99"
	    "\xef\x8d\x91閫\xc2\x80?曄?甇∟???\n", &e, NULL);
	CHECK(strstr(got, "到觀") != NULL);
	CHECK(strchr(got, '?') == NULL);
	free(got);
	/* on a line that repairs, the short stretches between digits
	   too, and the digits stay: "他們在2011年10月決定退出出口市場，
	   為減少一半的產能。", "該地區的氣候溫和，每年的平均氣溫為18度。" */
	got = fix("隞\xee\xa1\xbc\xc2\x80\xee\x95\xab\xee\xaf\xad"
	    "2011撟?10?\xef\x8e\x87捱摰\xee\xab\xb4\xc2\x80\xc2\x80?箏"
	    "\xef\x8a\xbe????湛??箸?撠\xee\x95\xaa??\xef\x93\x82??Ｚ"
	    "\xef\x81\x8d??\n", &e, NULL);
	CHECK(strstr(got, "2011\xef\xbf\xbd" "10\xef\xbf\xbd決定") != NULL);
	CHECK(strchr(got, '?') == NULL);
	free(got);
	got = fix("閰脣\xee\xaf\xb5?\xc2\x80?\xef\x84\x93除?\xee\xa9\x94澈?"
	    "\xef\x98\x84?瘥\xee\x90\xb1僑?\xef\x84\x92像?\xef\x8b\xaa除"
	    "皞怎\xee\xbe\xad" "18摨艾\xc2\x80?\n", &e, NULL);
	CHECK(strstr(got, "氣溫為18度") != NULL);
	free(got);
	EXPECT_SAME("你好嗎?我很好??謝謝！\n");
	EXPECT_SAME("這是什麼?? 憭批 not mojibake?\n");
}

/* UTF-8 read as Big5: a character that lost two of its bytes, or all
   three, is chosen by how well it goes with its neighbours, where alone
   no candidate was ahead of the rest (they all came out U+FFFD). */
TM_TEST(utf8_as_big5_neighbours)
{
	char *got;

	/* "我們今天去學校上課，老師說明天放假。": 我 lost its lead and
	   second byte, 明 and 假 their last two, 。 all three */
	got = fix("?\xee\x95\xab\xc2\x80\xee\x95\xaa?憭拙\xee\x8d\xaa摮豢"
	    "\xee\xb9\x9a銝\xef\x93\x83玨嚗\xef\x97\xbd\xc2\x80\xee\xbc\xbb"
	    "葦隤芣?憭拇\xee\x9c\x9b?\xef\x8b\xa7\xc2\x80?\n", NULL, NULL);
	CHECK(strncmp(got, "我們", strlen("我們")) == 0);
	CHECK(strstr(got, "天去學校上課，老師說明天放假。\n") != NULL);
	free(got);
	/* "這本書的作者是一位著名的歷史學家。": 這 and 書; 這 alone in
	   front of its line has too little context to be sure of, and
	   stays U+FFFD */
	got = fix("?\xee\xa9\x94\xee\xaf\xb1?貊?雿\xee\xb0\xad\xc2\x80"
	    "\xef\x86\xb0\xee\xa6\x80銝\xc2\x80雿\xef\x9a\x9a??\xef\x9a\x99?"
	    "甇瑕\xee\x8f\xbe摮詨振??\n", NULL, NULL);
	CHECK(strncmp(got, "\xef\xbf\xbd本書", strlen("\xef\xbf\xbd本書")) == 0);
	CHECK(strstr(got, "作者是一位") != NULL);
	CHECK(strstr(got, "歷史學家。\n") != NULL);
	free(got);
}

/* UTF-8 read by a strict decoder (Python's big5), which writes a "?" for
   each byte it cannot read, not for each pair: a line may open with
   several of them. */
TM_TEST(utf8_as_big5_strict)
{
	char *got;

	/* "其測試包含了美術治療法，認知行為治療和洞察療法。" */
	got = fix("??嗆葫閰血????思??蝢?銵?瘝餌??瘜?嚗?隤???亥????"
	    "箸祥??????瘣?撖????瘜????\n", NULL, NULL);
	CHECK(strncmp(got, "\xef\xbf\xbd測試", strlen("\xef\xbf\xbd測試")) ==
	    0);
	CHECK(strstr(got, "治") != NULL);
	CHECK(strchr(got, '?') == NULL);
	free(got);
	/* and UTF-8 read as GBK after it on the line is repaired too:
	   "同樣，施力的大小不同，引起的加速度不同" "同样，施力的大小不同" */
	got = fix("???璅?嚗???賢?????憭批??銝????嚗?撘?韏瑞????????"
	    "摨虫????? 鍚屾牱锛屾柦鍔涚殑澶у皬涓嶅悓\n", NULL, NULL);
	CHECK(strstr(got, "，引起") != NULL);
	CHECK(strstr(got, " 同样，施力的大小不同\n") != NULL);
	free(got);
}

/* s repeated n times, one line with no newline: free it. */
static char *
repeat(const char *s, size_t n)
{
	size_t len = strlen(s), i;
	char *r = malloc(len * n + 1);

	if (r == NULL)
		abort();
	for (i = 0; i < n; i++)
		memcpy(r + i * len, s, len);
	r[len * n] = '\0';
	return r;
}

/* Long lines of Chinese with ASCII "?" come out as they were, in time
   linear in the line: each "?" before an ASCII word asked whether a
   quote was open by scanning back to the start of the line (6 MB took
   minutes), and each UTF-8-as-Big5 span searched every lost pair's
   candidates afresh. */
TM_TEST(long_line_question_marks)
{
	char *in;

	in = repeat("我用的是?iPhone手机?", 240000);
	EXPECT_SAME(in);
	free(in);
	in = repeat("“中?文?", 40000);
	EXPECT_SAME(in);
	free(in);
	in = repeat("想爆料?請登錄?你好?我是李明?", 20000);
	EXPECT_SAME(in);
	free(in);
}
