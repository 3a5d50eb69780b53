/*
 * ruby.c - pinyin readings leaked inline from ruby markup.
 *
 * Phase 4, after markup. Web pages that annotate characters with their
 * reading (<ruby>標<rt>biāo</rt></ruby>) lose the markup when scraped and
 * leave the reading in brackets after the character:
 *   seed 001: "原標(biāo)題" -> "原標題", "婦聯(lián)" -> "婦聯".
 * A bracketed group (ASCII or fullwidth brackets) right after a Han
 * character is removed when it is pinyin:
 *   - with tone marks (biāo) or tone digits (biao1): every part must be a
 *     valid syllable (the table below, from ICU's Han-Latin data) and
 *     there must be a Han character for each. Tone-marked syllables in
 *     brackets after Han characters do not occur in clean text;
 *   - toneless (de): only when ICU's Han-Latin transliterator gives that
 *     reading for the characters before it, since a short Latin word
 *     could be meant. Unconfirmed ones are reported as suspects.
 * (Linux), (UNESCO), (a), (笑) and the like stay.
 *
 * Pure and reentrant; the transliterator is opened per document, lazily,
 * only when a toneless candidate turns up.
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"
#include "translit.h"

#define MAX_READING 64		/* bytes of a reading, tone-free */
#define MAX_SYLLABLES 4

struct ruby_state {
	int toneless;
	struct tm_translit *han_latin;	/* lazily opened */
	int han_latin_failed;
	struct tm_buf scratch;
};

static const struct tm_option_desc ruby_options[] = {
	{ "toneless", TM_OPT_BOOL, "on", NULL,
	  "also remove toneless readings that ICU confirms, like 的(de)" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* Mandarin syllables, tone-free, ü written v; sorted. */
static const char *const syllables[] = {
	"a", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bang",
	"bao", "bei", "ben", "beng", "bi", "bian", "biao", "bie",
	"bin", "bing", "bo", "bu", "ca", "cai", "can", "cang", "cao",
	"ce", "cen", "ceng", "cha", "chai", "chan", "chang", "chao",
	"che", "chen", "cheng", "chi", "chong", "chou", "chu", "chua",
	"chuai", "chuan", "chuang", "chui", "chun", "chuo", "ci",
	"cong", "cou", "cu", "cuan", "cui", "cun", "cuo", "da", "dai",
	"dan", "dang", "dao", "de", "den", "deng", "di", "dian",
	"diao", "die", "ding", "diu", "dong", "dou", "du", "duan",
	"dui", "dun", "duo", "e", "ei", "en", "eng", "er", "fa", "fan",
	"fang", "fei", "fen", "feng", "fiao", "fo", "fou", "fu", "ga",
	"gai", "gan", "gang", "gao", "ge", "gei", "gen", "geng",
	"gong", "gou", "gu", "gua", "guai", "guan", "guang", "gui",
	"gun", "guo", "ha", "hai", "han", "hang", "hao", "he", "hei",
	"hen", "heng", "hm", "hong", "hou", "hu", "hua", "huai",
	"huan", "huang", "hui", "hun", "huo", "ji", "jia", "jian",
	"jiang", "jiao", "jie", "jin", "jing", "jiong", "jiu", "ju",
	"juan", "jue", "jun", "ka", "kai", "kan", "kang", "kao", "ke",
	"kei", "ken", "keng", "kong", "kou", "ku", "kua", "kuai",
	"kuan", "kuang", "kui", "kun", "kuo", "la", "lai", "lan",
	"lang", "lao", "le", "lei", "leng", "li", "lia", "lian",
	"liang", "liao", "lie", "lin", "ling", "liu", "lo", "long",
	"lou", "lu", "luan", "lue", "lun", "luo", "lv", "lve", "m",
	"ma", "mai", "man", "mang", "mao", "me", "mei", "men", "meng",
	"mi", "mian", "miao", "mie", "min", "ming", "miu", "mo", "mou",
	"mu", "n", "na", "nai", "nan", "nang", "nao", "ne", "nei",
	"nen", "neng", "ng", "ni", "nian", "niang", "niao", "nie",
	"nin", "ning", "niu", "nong", "nou", "nu", "nuan", "nue",
	"nun", "nuo", "nv", "nve", "o", "ou", "pa", "pai", "pan",
	"pang", "pao", "pei", "pen", "peng", "pi", "pian", "piao",
	"pie", "pin", "ping", "po", "pou", "pu", "qi", "qia", "qian",
	"qiang", "qiao", "qie", "qin", "qing", "qiong", "qiu", "qu",
	"quan", "que", "qun", "ran", "rang", "rao", "re", "ren",
	"reng", "ri", "rong", "rou", "ru", "rua", "ruan", "rui", "run",
	"ruo", "sa", "sai", "san", "sang", "sao", "se", "sen", "seng",
	"sha", "shai", "shan", "shang", "shao", "she", "shei", "shen",
	"sheng", "shi", "shou", "shu", "shua", "shuai", "shuan",
	"shuang", "shui", "shun", "shuo", "si", "song", "sou", "su",
	"suan", "sui", "sun", "suo", "ta", "tai", "tan", "tang", "tao",
	"te", "teng", "ti", "tian", "tiao", "tie", "ting", "tong",
	"tou", "tu", "tuan", "tui", "tun", "tuo", "wa", "wai", "wan",
	"wang", "wei", "wen", "weng", "wo", "wu", "xi", "xia", "xian",
	"xiang", "xiao", "xie", "xin", "xing", "xiong", "xiu", "xu",
	"xuan", "xue", "xun", "ya", "yan", "yang", "yao", "ye", "yi",
	"yin", "ying", "yo", "yong", "you", "yu", "yuan", "yue", "yun",
	"za", "zai", "zan", "zang", "zao", "ze", "zei", "zen", "zeng",
	"zha", "zhai", "zhan", "zhang", "zhao", "zhe", "zhen", "zheng",
	"zhi", "zhong", "zhou", "zhu", "zhua", "zhuai", "zhuan",
	"zhuang", "zhui", "zhun", "zhuo", "zi", "zong", "zou", "zu",
	"zuan", "zui", "zun", "zuo",
};

static int
cmp_str(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
is_syllable(const char *s)
{
	return bsearch(s, syllables, sizeof(syllables) / sizeof(syllables[0]),
	    sizeof(syllables[0]), cmp_str) != NULL;
}

/*
 * The tone-free letter for a pinyin letter: a-z as is, tone-marked vowels
 * to their base, ü to v. 0 for anything else. *toned says a mark was seen.
 */
static char
pinyin_base(unsigned cp, int *toned)
{
	static const struct {
		unsigned cp;
		char base;
	} marked[] = {
		{ 0x00E0, 'a' }, { 0x00E1, 'a' }, { 0x00E8, 'e' }, { 0x00E9, 'e' },
		{ 0x00EA, 'e' }, { 0x00EC, 'i' }, { 0x00ED, 'i' }, { 0x00F2, 'o' },
		{ 0x00F3, 'o' }, { 0x00F9, 'u' }, { 0x00FA, 'u' }, { 0x00FC, 'v' },
		{ 0x0101, 'a' }, { 0x0113, 'e' }, { 0x011B, 'e' }, { 0x012B, 'i' },
		{ 0x0144, 'n' }, { 0x0148, 'n' }, { 0x014D, 'o' }, { 0x016B, 'u' },
		{ 0x01CE, 'a' }, { 0x01D0, 'i' }, { 0x01D2, 'o' }, { 0x01D4, 'u' },
		{ 0x01D6, 'v' }, { 0x01D8, 'v' }, { 0x01DA, 'v' }, { 0x01DC, 'v' },
		{ 0x01F9, 'n' }, { 0x1E3F, 'm' },
	};
	size_t i;

	if (cp >= 'a' && cp <= 'z')
		return (char)cp;
	for (i = 0; i < sizeof(marked) / sizeof(marked[0]); i++)
		if (marked[i].cp == cp) {
			if (cp != 0x00FC)
				*toned = 1;
			return marked[i].base;
		}
	return 0;
}

/*
 * Split a tone-free run of letters into syllables (longest first, with
 * backtracking). Returns the number of syllables, 0 if it cannot be split.
 */
static int
split_syllables(const char *s, size_t n, int max)
{
	char part[8];
	size_t len;
	int rest;

	if (n == 0)
		return 0;
	if (max == 0)
		return -1;
	for (len = n < 6 ? n : 6; len > 0; len--) {
		memcpy(part, s, len);
		part[len] = '\0';
		if (!is_syllable(part))
			continue;
		if (len == n)
			return 1;
		if ((rest = split_syllables(s + len, n - len, max - 1)) > 0)
			return rest + 1;
	}
	return -1;
}

struct reading {
	char base[MAX_READING];	/* tone-free letters, no separators */
	size_t len;
	int syllables;
	int toned;
	size_t bytes;		/* length of "(...)" in the text */
};

/* Parse "(reading)" at p, with ASCII or fullwidth brackets. */
static int
parse_reading(const char *p, const char *end, struct reading *r)
{
	const char *q = p;
	unsigned cp = tm_utf8_next(&q, end);
	int parts = 0, in_part = 0;
	char b;

	memset(r, 0, sizeof(*r));
	if (cp != '(' && cp != 0xFF08)
		return 0;
	while (q < end) {
		cp = tm_utf8_next(&q, end);
		if (cp == ')' || cp == 0xFF09) {
			if (r->len == 0)
				return 0;
			r->bytes = (size_t)(q - p);
			r->syllables = parts;
			return 1;
		}
		if (cp >= '1' && cp <= '5' && in_part) {
			r->toned = 1;	/* biao1 */
			in_part = 0;
			continue;
		}
		if (cp == ' ' || cp == '\'' || cp == 0x2019) {
			in_part = 0;
			continue;
		}
		if ((b = pinyin_base(cp, &r->toned)) == 0 ||
		    r->len + 1 >= MAX_READING || q - p > 4 * MAX_READING)
			return 0;
		if (!in_part) {
			parts++;
			in_part = 1;
		}
		r->base[r->len++] = b;
	}
	return 0;
}

/* How many Han characters end right before p (at most max). */
static int
han_before(const char *start, const char *p, int max)
{
	int n = 0;

	while (n < max && p > start && tm_is_han(tm_utf8_prev(&p, start)))
		n++;
	return n;
}

/* Tone-free Han-Latin reading of text, appended to s->scratch. */
static int
icu_reading(struct ruby_state *s, const char *han, size_t n)
{
	const char *p, *end;
	size_t from;
	int toned, rc;
	char b;

	if (s->han_latin == NULL && !s->han_latin_failed &&
	    tm_translit_open(&s->han_latin, "Han-Latin", NULL) != 0)
		s->han_latin_failed = 1;
	if (s->han_latin == NULL)
		return TM_EICU;
	tm_buf_reset(&s->scratch);
	if ((rc = tm_translit_run(s->han_latin, han, n, &s->scratch)) != 0)
		return rc;
	/* Keep the tone-free letters only. */
	p = s->scratch.ptr;
	end = p + s->scratch.len;
	from = 0;
	while (p < end) {
		if ((b = pinyin_base(tm_utf8_next(&p, end), &toned)) != 0)
			s->scratch.ptr[from++] = b;
	}
	tm_buf_truncate(&s->scratch, from);
	return 0;
}

static int
ruby_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct ruby_state *s = state;

	s->toneless = tm_opt_bool(opts, "toneless");
	tm_buf_init(&s->scratch, 4096);
	return 0;
}

static void
ruby_release(void *state)
{
	struct ruby_state *s = state;

	tm_translit_close(s->han_latin);
	tm_buf_release(&s->scratch);
}

/*
 * Decide about the bracket at p: 1 remove, 0 keep; *suspect set when it
 * should be reported.
 */
static int
is_leaked_reading(struct ruby_state *s, const char *in, const char *p,
    const struct reading *r, int *suspect)
{
	int nhan, k;

	*suspect = 0;
	nhan = han_before(in, p, MAX_SYLLABLES);
	if (nhan == 0)
		return 0;
	if (r->toned) {
		/* Every part a syllable (or a run that splits into them),
		   one Han character for each. */
		k = split_syllables(r->base, r->len, nhan);
		if (k > 0 && k <= nhan && (r->syllables <= 1 ||
		    r->syllables == k))
			return 1;
		*suspect = 1;
		return 0;
	}
	if (split_syllables(r->base, r->len, nhan) <= 0)
		return 0;
	if (!s->toneless) {
		*suspect = 1;
		return 0;
	}
	/* Toneless: the reading of the last k characters must match. */
	for (k = 1; k <= nhan; k++) {
		const char *q = p;
		int i;

		for (i = 0; i < k; i++)
			tm_utf8_prev(&q, in);
		if (icu_reading(s, q, (size_t)(p - q)) != 0)
			break;
		if (s->scratch.len == r->len &&
		    memcmp(s->scratch.ptr, r->base, r->len) == 0)
			return 1;
	}
	*suspect = 1;
	return 0;
}

/* The next '(' at or after p, or end. */
static const char *
find_paren(const char *p, const char *end)
{
	const char *q = memchr(p, '(', (size_t)(end - p));

	return q != NULL ? q : end;
}

/* The next U+FF08 (EF BC 88) at or after p, or end: by its last byte,
   which memchr finds fast. */
static const char *
find_fw_paren(const char *p, const char *end)
{
	const char *q;

	while (end - p >= 3 &&
	    (q = memchr(p + 2, 0x88, (size_t)(end - p - 2))) != NULL) {
		if (q[-2] == '\xef' && q[-1] == '\xbc')
			return q - 2;
		p = q - 1;
	}
	return end;
}

static int
ruby_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct ruby_state *s = state;
	const char *p = in, *end = in + len, *done = in, *paren, *fwparen;
	struct reading r;
	int rc, suspect;

	paren = find_paren(p, end);
	fwparen = find_fw_paren(p, end);
	while (p < end) {
		/* Candidates start with '(' or U+FF08: go to the next one.
		   Each is searched for again only once p has passed it. */
		if (paren < p)
			paren = find_paren(p, end);
		if (fwparen < p)
			fwparen = find_fw_paren(p, end);
		p = paren < fwparen ? paren : fwparen;
		if (p == end)
			break;
		if (!parse_reading(p, end, &r)) {
			p++;
			continue;
		}
		if (!is_leaked_reading(s, in, p, &r, &suspect)) {
			if (suspect && r.len > 1)	/* not list marks (a) */
				tm_suspect(ctx, (size_t)(p - in), p, r.bytes,
				    "bracketed word that may be a pinyin reading");
			p += r.bytes;
			continue;
		}
		if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0)
			return rc;
		tm_edit(ctx, (size_t)(p - in), p, r.bytes, "", 0,
		    r.toned ? "pinyin" : "pinyin-toneless");
		p += r.bytes;
		done = p;
	}
	return tm_buf_append(out, done, (size_t)(p - done));
}

const struct tm_filter_type tm_filter_ruby = {
	.abi = TM_FILTER_ABI,
	.name = "ruby",
	.phase = TM_PHASE_RUBY,
	.summary = "pinyin readings leaked from ruby markup, like 標(biāo)",
	.options = ruby_options,
	.on_by_default = 1,
	.state_size = sizeof(struct ruby_state),
	.init = ruby_init,
	.run = ruby_run,
	.release = ruby_release,
};
