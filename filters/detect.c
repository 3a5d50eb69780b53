/*
 * detect.c - which charset is this? (decode's detector)
 *
 * Runs on the first bytes of an input, once per document, on the
 * threadpool; pure and reentrant (ICU's converters and character
 * properties are thread-safe). Order of evidence:
 *   1. a byte-order mark settles it;
 *   2. magic numbers mark binary data;
 *   3. NUL lanes mark UTF-16/UTF-32 without a BOM, escape sequences
 *      7-bit ISO-2022-JP/KR/CN;
 *   4. valid UTF-8 with no NUL is UTF-8; pure ASCII is reported as UTF-8
 *      too (the two agree on it);
 *   5. otherwise every plausible charset decodes a sample of the input
 *      and a small language model scores the text it gives; the cheapest
 *      text (fewest bits) wins. A charset under which the sample is
 *      invalid pays so much per bad sequence that it only wins when all
 *      do. NUL- or control-heavy input that no UTF-16 reading explains is
 *      binary.
 *
 * The model, in bits per character: Han characters cost -log2 of their
 * frequency (hanfreq.c, from rime-essay), kana and hangul syllables a
 * cost by rank, letters a cost from the best-fitting language profile
 * among those the charset is made for, symbols and controls a fixed,
 * higher cost. On top come penalties for what real text rarely does:
 * scripts mixed inside a word or changing from word to word, capitals
 * after small letters, symbols inside words, a CJK character glued to
 * Latin letters, hanja glued to hangul, long runs of hangul with no
 * space, Japanese without kana, Chinese with kana. Example: the line
 * "來源:中國婦女報" in Big5 (a8 d3 b7 bd 3a ...) reads as GB18030
 * "ㄓ方:い瓣包厨" at about 110 bits and as Big5 (windows-950) at about
 * 73, so Big5 wins.
 */
#include <stdint.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "textmend/utf8.h"
#include "detect.h"
#include "hanfreq.h"
#include "icu.h"

/* At most this many bytes of non-ASCII lines are decoded per candidate. */
#define SCORE_BYTES ((size_t)8 << 10)
#define BAD_COST 40.0
/* Valid UTF-8 with this many multibyte sequences is UTF-8. */
#define UTF8_SURE 8
#define HAN_UNKNOWN 21.0

static const struct {
	const char *magic;
	size_t len;
	const char *what;
} magics[] = {
	{ "\x7f" "ELF", 4, "ELF executable" },
	{ "\x89PNG\r\n\x1a\n", 8, "PNG image" },
	{ "\xff\xd8\xff", 3, "JPEG image" },
	{ "GIF87a", 6, "GIF image" },
	{ "GIF89a", 6, "GIF image" },
	{ "%PDF-", 5, "PDF document" },
	{ "PK\x03\x04", 4, "zip archive" },
	{ "\xfd" "7zXZ\0", 6, "xz archive" },
	{ "BZh", 3, "bzip2 archive" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd archive" },
	{ "7z\xbc\xaf\x27\x1c", 6, "7z archive" },
	{ "\xca\xfe\xba\xbe", 4, "Mach-O or Java class file" },
	{ "\xcf\xfa\xed\xfe", 4, "Mach-O executable" },
	{ "RIFF", 4, "RIFF media file" },
	{ "\0asm", 4, "WebAssembly module" },
	{ "SQLite format 3", 15, "SQLite database" },
};

/*
 * The candidates for text that is not UTF-8, with a prior cost in bits
 * that breaks ties (a charset that decodes the same bytes to the same
 * text as a more common one never wins). ISO-8859-1 and -9 are left
 * out: windows-1252 and -1254 read their text the same. windows-950,
 * windows-949 and Shift_JIS (ibm-943) are the supersets that decode
 * what Big5, EUC-KR and Shift_JIS encoders write.
 */
/* Which Latin profiles a charset can stand for. */
#define G_W 1u		/* Western: windows-1252, ISO-8859-15 */
#define G_C 2u		/* Central: windows-1250, ISO-8859-2 */
#define G_T 4u		/* Turkish: windows-1254 */
#define G_B 8u		/* Baltic: windows-1257 */
#define G_V 16u		/* Vietnamese: windows-1258 */
#define G_ALL 31u

enum { ASCII_COMPAT, WIDE16, UTF8 };
enum { ANY, ZH, JA, KO };

static const struct cand {
	const char *name;
	double prior;
	int kind;
	int lang;	/* ZH, JA, KO: what its multibyte text is */
	unsigned latin;	/* G_*: the Latin profiles it can stand for */
} cands[] = {
	{ "UTF-8", 0.0, UTF8, ANY, G_ALL },	/* prior: see score_all */
	{ "GB18030", 0.0, ASCII_COMPAT, ZH, G_ALL },
	{ "windows-950", 0.5, ASCII_COMPAT, ZH, G_ALL },
	{ "Shift_JIS", 2.0, ASCII_COMPAT, JA, G_ALL },
	{ "EUC-JP", 2.5, ASCII_COMPAT, JA, G_ALL },
	{ "windows-949", 1.0, ASCII_COMPAT, KO, G_ALL },
	{ "windows-1252", 0.5, ASCII_COMPAT, ANY, G_W },
	{ "ISO-8859-15", 2.0, ASCII_COMPAT, ANY, G_W },
	{ "windows-1250", 1.0, ASCII_COMPAT, ANY, G_C },
	{ "ISO-8859-2", 2.0, ASCII_COMPAT, ANY, G_C },
	{ "windows-1251", 1.0, ASCII_COMPAT, ANY, G_ALL },
	{ "KOI8-R", 2.0, ASCII_COMPAT, ANY, G_ALL },
	{ "KOI8-U", 2.5, ASCII_COMPAT, ANY, G_ALL },
	{ "ISO-8859-5", 3.0, ASCII_COMPAT, ANY, G_ALL },
	{ "IBM866", 3.0, ASCII_COMPAT, ANY, G_ALL },
	{ "windows-1253", 1.5, ASCII_COMPAT, ANY, G_ALL },
	{ "ISO-8859-7", 2.5, ASCII_COMPAT, ANY, G_ALL },
	{ "windows-1254", 1.0, ASCII_COMPAT, ANY, G_T | G_W },
	{ "windows-1255", 2.0, ASCII_COMPAT, ANY, G_ALL },
	{ "ISO-8859-8", 3.0, ASCII_COMPAT, ANY, G_ALL },
	{ "windows-1256", 2.0, ASCII_COMPAT, ANY, G_ALL },
	{ "windows-1257", 1.5, ASCII_COMPAT, ANY, G_B },
	{ "windows-1258", 3.0, ASCII_COMPAT, ANY, G_V },
	{ "UTF-16LE", 3.0, WIDE16, ANY, G_ALL },
	{ "UTF-16BE", 3.0, WIDE16, ANY, G_ALL },
};
#define NCANDS (sizeof(cands) / sizeof(cands[0]))

/*
 * Language profiles: the letters beyond ASCII of each language, small
 * letters. Latin ones give each letter's frequency among all letters in
 * units of 0.01% (rounded, from published letter-frequency tables); a
 * letter costs -log2 of it. The other alphabets are listed whole, most
 * frequent first, and a letter costs by its rank. A letter not in the
 * profile costs OUT_COST.
 */
enum { LATIN, CYRILLIC, GREEK, HEBREW, ARABIC, NSCRIPTS };

static const struct profile {
	int script;
	unsigned group;
	const char *letters;
} profiles[] = {
	/* French */
	{ LATIN, G_W,
	  "é190 è27 à49 ç9 ê22 ù6 â5 î5 ô2 û6 ë1 ï1 œ2 ü1 ÿ1 æ1" },
	/* German */
	{ LATIN, G_W | G_C, "ü65 ä58 ö44 ß31" },
	/* Spanish */
	{ LATIN, G_W, "ó83 í50 á50 é43 ñ31 ú17 ü1" },
	/* Portuguese */
	{ LATIN, G_W, "ã73 ç53 é34 á12 ê45 ó30 í13 õ7 ú20 â56 à7 ô64" },
	/* Italian */
	{ LATIN, G_W, "à64 è26 ù17 ò10 é10 ì3 í1 ó1" },
	/* Swedish, Finnish */
	{ LATIN, G_W, "ä180 å130 ö130 é1" },
	/* Danish, Norwegian */
	{ LATIN, G_W, "å120 ø94 æ87 é2" },
	/* Polish */
	{ LATIN, G_C, "ł180 ę110 ą100 ó85 ż83 ś66 ć40 ń20 ź6" },
	/* Czech */
	{ LATIN, G_C,
	  "í400 á220 é120 ě120 ř120 ý100 š70 ž70 č50 ů20 ň8 ú5 ť4 ď4 ó3" },
	/* Slovak */
	{ LATIN, G_C, "á210 í160 ý100 č90 é80 š80 ú70 ž70 ľ40 ô20 ť15 ň10 "
	  "ä10 ď10 ó2 ŕ1 ĺ1" },
	/* Croatian, Slovene */
	{ LATIN, G_C, "č110 š100 ž70 ć50 đ20" },
	/* Hungarian */
	{ LATIN, G_C, "é350 á350 ö100 ó100 ő90 í60 ü60 ú30 ű30" },
	/* Romanian, with comma and with cedilla */
	{ LATIN, G_C, "ă250 ș140 ş140 ț100 ţ100 î100 â60" },
	/* Turkish */
	{ LATIN, G_T, "ı510 ü190 ş180 ç120 ğ110 ö80 â5" },
	/* Lithuanian */
	{ LATIN, G_B, "ė160 ų140 š110 ž90 į80 ą70 ū50 č40 ę20" },
	/* Latvian */
	{ LATIN, G_B, "ā400 ē170 ī160 š150 ž80 ū50 č40 ņ40 ļ40 ķ20 ģ10" },
	/* Estonian */
	{ LATIN, G_B, "ä200 ü120 õ100 ö70 š1 ž1" },
	/* Vietnamese (windows-1258 writes tones as combining marks) */
	{ LATIN, G_V, "ư150 ơ100 đ150 ê150 ô150 â150 ă100" },
	/* Russian, Ukrainian, Bulgarian, Serbian, Belarusian */
	{ CYRILLIC, 0, "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё" },
	{ CYRILLIC, 0, "оанивітерсклудмпязьбгчйхцюжшїєщфґ" },
	{ CYRILLIC, 0, "оаеинтрсвлкдпмзугяъбчцйжфхшщюь" },
	{ CYRILLIC, 0, "аиоентсрјвкдлупмзгбчшцћжњхљђџф" },
	{ CYRILLIC, 0, "оаеінлрсвкдтумыпзбгьчяйшхцўжёэф" },
	{ GREEK, 0, "αοιετσνηυρπκμλίάόέωδγήςχθύφώβξζψϊΐϋΰ" },
	{ HEBREW, 0, "יוהמלארבתשנעדכםקחפסזגטצןףךץ" },
	{ ARABIC, 0, "اليمونرتبعدهسفكقةحجىأشطصزخإضثغذظآءئؤ" },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))
#define OUT_COST 15.0

/* Kana and hangul syllables by frequency (general knowledge). */
static const char hiragana_rank[] =
    "のにはてをたがしでといなかるすれまらっこもうんりあくだきさょつお"
    "けよえそせみわめちじゃどろやげほごびずへぶねひぐざふむぎべばゆぼ"
    "ぜぞぱぷぽぴぺぁぃぅぇぉゅ";
static const char katakana_rank[] =
    "ーンスルトリイクラタテレシカコフアマドムプジロメオバッサディグブ"
    "キミュニセャョパナビポツケエウヤデソハペヒホネヘゲガゴダズゼボヴ"
    "ァィゥェォヌモワ";
static const char hangul_rank[] =
    "이다는의에하고을가지한서로기리를사어도자니시아대수인나들일해정으"
    "전게우국부적주상장소보면원라성과와스오제있것요동했내세마만여구개"
    "용중무그연조비방신경관발문생미학화행된계년식실치되유위저선공모물"
    "분까습던안야및더때말없같받많등명회통결터각려살알음입후현업반임금"
    "진단영간산합함히초심체운거며군민강차표교점작추트드크";

static const char small_kana[] = "ゃゅょぁぃぅぇぉゎャュョァィゥェォヮ";

/* Is cp in the UTF-8 string list? */
static int
strchr_cp(const char *list, uint32_t cp)
{
	const char *p = list, *end = list + strlen(list);

	while (p < end)
		if (tm_utf8_next(&p, end) == cp)
			return 1;
	return 0;
}

/* Cost of a character found by rank in a UTF-8 list, or `miss`. */
static double
rank_cost(const char *list, uint32_t cp, double base, double step,
    double miss)
{
	const char *p = list, *end = list + strlen(list);
	unsigned i = 0;

	while (p < end) {
		if (tm_utf8_next(&p, end) == cp)
			return base + step * i;
		i++;
	}
	return miss;
}

static double
ascii_cost(uint32_t c)
{
	if (c == ' ' || c == '\n')
		return 3.0;
	if (c == '\t' || c == '\r')
		return 6.0;
	if (c < 0x20 || c == 0x7f)
		return c == 0x0c || c == 0x1b ? 12.0 : 20.0;
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return 4.5;
	if (c >= '0' && c <= '9')
		return 5.0;
	if (strchr(".,:;!?'\"()-/", (int)c) != NULL)
		return 5.5;
	return 8.0;
}

/* Punctuation and symbols beyond ASCII that real text uses often. */
static double
symbol_cost(uint32_t c)
{
	static const char common_cjk[] =
	    "，。、「」『』（）！？：；《》【】〈〉“”‘’…—·～％";
	static const char common_latin[] = "«»–—„“”‘’‚…•€°§©®¿¡№";

	if (strchr_cp(common_cjk, c))
		return 6.0;
	if (strchr_cp(common_latin, c))
		return 8.0;
	if (c == 0x3000)	/* ideographic space */
		return 8.0;
	if (c == 0xa0)
		return 9.0;
	if (c >= 0x3000 && c <= 0x303f)	/* CJK punctuation */
		return 11.0;
	if (c >= 0xff01 && c <= 0xff5e)	/* fullwidth ASCII */
		return 11.0;
	return 14.0;
}

static int
letter_script(uint32_t c)
{
	switch (u_getIntPropertyValue((UChar32)c, UCHAR_SCRIPT)) {
	case USCRIPT_LATIN:
		return LATIN;
	case USCRIPT_CYRILLIC:
		return CYRILLIC;
	case USCRIPT_GREEK:
		return GREEK;
	case USCRIPT_HEBREW:
		return HEBREW;
	case USCRIPT_ARABIC:
		return ARABIC;
	default:
		return -1;
	}
}

/* Distinct small letters beyond ASCII, with counts, for the profiles. */
#define MAX_LETTERS 128

struct letters {
	uint32_t cp[MAX_LETTERS];
	unsigned count[MAX_LETTERS];
	int script[MAX_LETTERS];
	size_t n;
	unsigned other;		/* letters that did not fit */
	size_t ascii;		/* ASCII letters */
};

static void
letters_add(struct letters *l, uint32_t cp, int script)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->cp[i] == cp) {
			l->count[i]++;
			return;
		}
	if (l->n == MAX_LETTERS) {
		l->other++;
		return;
	}
	l->cp[l->n] = cp;
	l->script[l->n] = script;
	l->count[l->n++] = 1;
}

/* log2(x) for x >= 1, to within 0.01 (no libm in the filters). */
static double
log2_approx(double x)
{
	double r = 0;

	while (x >= 2) {
		x /= 2;
		r += 1;
	}
	x -= 1;
	return r + x * (1.3465 - 0.3465 * x);
}

/* The share of letters beyond ASCII in a Latin profile's language. */
static double
profile_share(const char *list)
{
	const char *p = list, *end = list + strlen(list);
	unsigned f, sum = 0;

	while (p < end) {
		(void)tm_utf8_next(&p, end);
		for (f = 0; p < end && *p >= '0' && *p <= '9'; p++)
			f = f * 10 + (unsigned)(*p - '0');
		while (p < end && *p == ' ')
			p++;
		sum += f;
	}
	return sum / 10000.0;
}

/* A letter's cost in a profile of "letter frequency" pairs. */
static double
freq_cost(const char *list, uint32_t cp)
{
	const char *p = list, *end = list + strlen(list);
	unsigned f;
	uint32_t c;

	while (p < end) {
		c = tm_utf8_next(&p, end);
		for (f = 0; p < end && *p >= '0' && *p <= '9'; p++)
			f = f * 10 + (unsigned)(*p - '0');
		while (p < end && *p == ' ')
			p++;
		if (c == cp && f > 0)
			return log2_approx(10000.0 / f);
	}
	return OUT_COST;
}

/* The cost of the letters under the best profile of each script. */
static double
letters_cost(const struct letters *l, unsigned latin)
{
	double total = OUT_COST * l->other, best[NSCRIPTS], c;
	size_t i, k;
	int s, used[NSCRIPTS] = { 0 };

	for (s = 0; s < NSCRIPTS; s++)
		best[s] = -1;
	for (i = 0; i < l->n; i++)
		used[l->script[i]] = 1;
	for (k = 0; k < NPROFILES; k++) {
		s = profiles[k].script;
		if (!used[s] || (s == LATIN && !(profiles[k].group & latin)))
			continue;
		/* A language rich in accents makes plain ASCII words
		   less likely: 1 - share for each ASCII letter. */
		c = 0;
		if (s == LATIN)
			c = (double)l->ascii * log2_approx(1.0 /
			    (1.0 - profile_share(profiles[k].letters)));
		for (i = 0; i < l->n; i++)
			if (l->script[i] == s)
				c += l->count[i] * (s == LATIN ?
				    freq_cost(profiles[k].letters, l->cp[i]) :
				    rank_cost(profiles[k].letters, l->cp[i],
				    3.2, 0.22, OUT_COST));
		if (best[s] < 0 || c < best[s])
			best[s] = c;
	}
	for (s = 0; s < NSCRIPTS; s++)
		if (best[s] > 0)
			total += best[s];
	/* Letters no profile allowed here explains. */
	for (i = 0; i < l->n; i++)
		if (best[l->script[i]] < 0)
			total += OUT_COST * l->count[i];
	return total;
}

enum { K_OTHER, K_LETTER, K_CJK, K_SPACE, K_SYMBOL };

/*
 * Bits to write the text cps[0..n) under the model (see the top of the
 * file). Lower is more plausible.
 */
static double
score_text(const uint32_t *cps, size_t n, int lang, unsigned latin)
{
	struct letters let;
	double cost = 0, unknown_han = HAN_UNKNOWN, sparse_cjk = 0;
	size_t i, kana = 0, cjk = 0, hangul_run = 0, ascii_letters = 0;
	size_t hangul_n = 0;
	int prev = K_SPACE, prev_script = -1, prev_case = 0, prev_hangul = 0;
	int prev_sym_in_word = 0, word_script = -1;

	let.n = 0;
	let.other = 0;
	let.ascii = 0;
	for (i = 0; i < n; i++) {
		uint32_t c = cps[i];

		if ((c >= 0x3041 && c <= 0x30ff))
			kana++;
		if (c >= 0x3040)
			cjk++;
		if (c >= 0xac00 && c <= 0xd7a3)
			hangul_n++;
		if (c < 0x80 && (c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			ascii_letters++;
	}
	/* What text a CJK charset decodes to says which language it is
	   (which is worth a few bits): Japanese has kana, Korean hangul,
	   Chinese neither. */
	if (lang != ANY && cjk > 0) {
		if ((kana > 0) != (lang == JA))
			cost += kana > 0 ? 8.0 : 6.0;
		if ((hangul_n > 0) != (lang == KO))
			cost += hangul_n > 0 ? 8.0 : 6.0;
	}
	/* A few CJK characters in Latin text are pairs of bytes that
	   belong to a single-byte charset. */
	let.ascii = ascii_letters;
	if (cjk * 10 < ascii_letters)
		sparse_cjk = 8.0;
	/* Japanese uses kanji forms Chinese lists do not have. */
	if (kana >= 2 && kana * 10 >= cjk)
		unknown_han = 15.0;

	for (i = 0; i < n; i++) {
		uint32_t c = cps[i];
		int kind = K_OTHER, script = -1, cs = 0, hangul = 0;
		int8_t type;

		if (c == 0xFFFD) {
			cost += BAD_COST;
			prev = K_OTHER;
			continue;
		}
		type = (int8_t)u_charType((UChar32)c);
		if (c < 0x80) {
			cost += ascii_cost(c);
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
				kind = K_LETTER;
				script = LATIN;
				cs = c < 'a' ? 1 : -1;
			} else if (c == ' ' || c == '\n' || c == '\t' ||
			    c == '\r')
				kind = K_SPACE;
			else
				kind = K_SYMBOL;
		} else if (type == U_CONTROL_CHAR) {
			cost += 25.0;		/* C1 control */
		} else if (type == U_PRIVATE_USE_CHAR ||
		    type == U_UNASSIGNED || type == U_SURROGATE) {
			cost += 25.0;
		} else if (u_hasBinaryProperty((UChar32)c,
		    UCHAR_IDEOGRAPHIC) && c >= 0x3400) {
			double h = tm_hanfreq_cost(c, HAN_UNKNOWN);

			cost += h == HAN_UNKNOWN ? unknown_han : h;
			if (prev_hangul)
				cost += 4.0;	/* hanja glued to hangul */
			kind = K_CJK;
		} else if (c >= 0x3041 && c <= 0x309f) {
			cost += rank_cost(hiragana_rank, c, 4.5, 0.15, 15.0);
			/* Small ya, yu, yo and vowels follow a kana. */
			if (strchr_cp(small_kana, c) && (i == 0 ||
			    cps[i - 1] < 0x3041 || cps[i - 1] > 0x30ff))
				cost += 8.0;
			/* Hiragana leans on kanji or kana: alone between
			   digits or Latin it is a misread. */
			if ((i == 0 || cps[i - 1] < 0x3000) &&
			    (i + 1 == n || cps[i + 1] < 0x3000))
				cost += 4.0;
			kind = K_CJK;
		} else if (c >= 0x30a0 && c <= 0x30ff) {
			cost += c == 0x30fb ? 8.0 :
			    rank_cost(katakana_rank, c, 6.5, 0.08, 12.0);
			if (strchr_cp(small_kana, c) && (i == 0 ||
			    cps[i - 1] < 0x3041 || cps[i - 1] > 0x30ff))
				cost += 8.0;
			kind = K_CJK;
		} else if (c >= 0xff61 && c <= 0xff9f) {
			cost += 13.0;	/* halfwidth katakana */
			kind = K_CJK;
		} else if (c >= 0xac00 && c <= 0xd7a3) {
			cost += rank_cost(hangul_rank, c, 6.0, 0.05, 14.0);
			if (prev == K_CJK && !prev_hangul)
				cost += 4.0;	/* hangul glued to hanja */
			hangul = 1;
			kind = K_CJK;
		} else if (type == U_UPPERCASE_LETTER ||
		    type == U_LOWERCASE_LETTER ||
		    type == U_OTHER_LETTER || type == U_TITLECASE_LETTER) {
			script = letter_script(c);
			kind = K_LETTER;
			if (script < 0 && c < 0x250) {
				cost += 10.0;	/* micro sign and kin */
			} else if (script < 0) {
				cost += 16.0;	/* Thai, Yi, Armenian, ... */
			} else {
				letters_add(&let,
				    (uint32_t)u_tolower((UChar32)c), script);
				cost += 1.0;
				/* Latin Extended-B and beyond, bar Romanian
				   and Vietnamese letters, is rare. */
				if (script == LATIN && c >= 0x180 &&
				    !(c >= 0x218 && c <= 0x21b) &&
				    c != 0x1a0 && c != 0x1a1 && c != 0x1af &&
				    c != 0x1b0)
					cost += 4.0;
				if (type == U_UPPERCASE_LETTER)
					cs = 1;
				else if (type == U_LOWERCASE_LETTER)
					cs = -1;
			}
			if (prev == K_CJK)
				cost += 6.0;	/* Greek or Cyrillic amid Han */
		} else if (type == U_NON_SPACING_MARK) {
			/* Accents on Latin letters (cp1258), points on Hebrew
			   and Arabic; other marks are rare. */
			if (prev == K_LETTER &&
			    ((prev_script == LATIN && c < 0x370) ||
			    (prev_script == HEBREW && c >= 0x591 &&
			    c <= 0x5c7) ||
			    (prev_script == ARABIC && c >= 0x64b &&
			    c <= 0x65f))) {
				cost += 9.0;
				kind = K_LETTER;
				script = prev_script;
			} else
				cost += 18.0;
		} else if (type == U_SPACE_SEPARATOR) {
			cost += c == 0xa0 ? 9.0 : c == 0x3000 ? 8.0 : 14.0;
			kind = K_SPACE;
		} else if (type == U_MODIFIER_SYMBOL) {
			cost += 16.0;	/* spacing accents: ´ ¨ ¸ ˆ */
			kind = K_SYMBOL;
		} else {
			cost += symbol_cost(c);
			kind = K_SYMBOL;
			if (prev == K_LETTER && c < 0x2000)
				cost += 4.0;	/* symbol after a letter */
		}

		/* CJK glued to ASCII letters: likely a byte pair that is a
		   letter of a single-byte charset and the next letter. */
		if (kind == K_CJK) {
			cost += sparse_cjk;
			if (i > 0 && cps[i - 1] < 0x80 && prev == K_LETTER)
				cost += 3.0;
		} else if (prev == K_CJK && kind == K_LETTER && c < 0x80)
			cost += 3.0;

		/* Words change script seldom, so a word in another
		   script (a Cyrillic "а" in French) costs. */
		if (kind == K_LETTER && prev != K_LETTER && script >= 0) {
			if (word_script >= 0 && script != word_script)
				cost += 5.0;
			word_script = script;
		}
		/* Final forms end words, the other forms do not. */
		if (c == 0x3c2 || c == 0x5da || c == 0x5dd || c == 0x5df ||
		    c == 0x5e3 || c == 0x5e5) {
			if (i + 1 < n && u_isalpha((UChar32)cps[i + 1]))
				cost += 8.0;
		} else if (c == 0x3c3 && prev == K_LETTER && (i + 1 == n ||
		    !u_isalpha((UChar32)cps[i + 1])))
			cost += 5.0;

		if (kind == K_LETTER && prev == K_LETTER) {
			if (script != prev_script)
				cost += 10.0;	/* scripts mixed in a word */
			if (cs > 0)
				cost += prev_case < 0 ? 8.0 : 2.5;
		} else if (kind == K_LETTER && cs > 0)
			cost += 1.5;
		if (kind == K_LETTER && prev_sym_in_word)
			cost += 4.0;	/* a symbol inside a word */
		prev_sym_in_word = kind == K_SYMBOL && prev == K_LETTER &&
		    c >= 0x80 && c < 0x2000;

		if (hangul) {
			if (++hangul_run > 5)
				cost += 2.5;	/* Korean puts spaces often */
		} else
			hangul_run = 0;
		prev_hangul = hangul;
		prev = kind;
		if (kind == K_LETTER) {
			prev_script = script;
			if (cs != 0)
				prev_case = cs;
		} else
			prev_case = 0;
	}
	return cost + letters_cost(&let, latin);
}

static int
has_prefix(const char *p, size_t n, const char *m, size_t mlen)
{
	return n >= mlen && memcmp(p, m, mlen) == 0;
}

static int
check_bom(const char *p, size_t n, struct tm_detect *out)
{
	if (has_prefix(p, n, "\xef\xbb\xbf", 3)) {
		out->charset = "UTF-8";
		out->bom_len = 3;
	} else if (has_prefix(p, n, "\xff\xfe\0\0", 4)) {
		out->charset = "UTF-32LE";
		out->bom_len = 4;
	} else if (has_prefix(p, n, "\0\0\xfe\xff", 4)) {
		out->charset = "UTF-32BE";
		out->bom_len = 4;
	} else if (has_prefix(p, n, "\xff\xfe", 2)) {
		out->charset = "UTF-16LE";
		out->bom_len = 2;
	} else if (has_prefix(p, n, "\xfe\xff", 2)) {
		out->charset = "UTF-16BE";
		out->bom_len = 2;
	} else
		return 0;
	out->confidence = 1.0;
	return 1;
}

/*
 * UTF-16/32 without a BOM: text in those forms has NUL bytes in a fixed
 * lane (every ASCII or Latin-1 character has one, most CJK characters
 * none). Returns 1 and fills out if the lanes say so clearly; text with
 * few NULs is left to the scoring.
 */
static int
check_wide(const char *s, size_t n, struct tm_detect *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t lane[4] = { 0, 0, 0, 0 }, i, nul = 0, units;

	if (n < 2 || memchr(p, '\0', n) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] == 0) {
			lane[i & 3]++;
			nul++;
		}
	if (n >= 8 && n % 4 == 0) {
		units = n / 4;
		/* UTF-32: two or three NUL bytes in every unit. */
		if (lane[3] >= units * 9 / 10 && lane[2] >= units * 9 / 10) {
			out->charset = "UTF-32LE";
			out->confidence = 0.9;
			return 1;
		}
		if (lane[0] >= units * 9 / 10 && lane[1] >= units * 9 / 10) {
			out->charset = "UTF-32BE";
			out->confidence = 0.9;
			return 1;
		}
	}
	units = n / 2;
	/* UTF-16: NULs only in one lane, and in a fair share of the units;
	   a few NULs may as well be CJK characters like U+4E00, so the
	   scoring decides those. */
	if (nul < 4)
		return 0;
	if (lane[1] + lane[3] >= units / 4 &&
	    (lane[0] + lane[2]) * 20 <= lane[1] + lane[3]) {
		out->charset = "UTF-16LE";
		out->confidence = 0.9;
		return 1;
	}
	if (lane[0] + lane[2] >= units / 4 &&
	    (lane[1] + lane[3]) * 20 <= lane[0] + lane[2]) {
		out->charset = "UTF-16BE";
		out->confidence = 0.9;
		return 1;
	}
	return 0;
}

/*
 * ISO-2022 (7-bit Japanese mail, and its Korean and Chinese kin): all
 * ASCII bytes, with escape sequences that designate the double-byte
 * sets. Returns the charset or NULL.
 */
static const char *
check_iso2022(const char *s, size_t n)
{
	static const struct {
		const char *esc;
		size_t len;
		const char *charset;
	} escs[] = {
		{ "\x1b$B", 3, "ISO-2022-JP" },
		{ "\x1b$@", 3, "ISO-2022-JP" },
		{ "\x1b$(D", 4, "ISO-2022-JP" },
		{ "\x1b$)C", 4, "ISO-2022-KR" },
		{ "\x1b$)A", 4, "ISO-2022-CN" },
		{ "\x1b$)G", 4, "ISO-2022-CN" },
		{ "\x1b$*H", 4, "ISO-2022-CN" },
	};
	const char *found = NULL, *e;
	size_t i, k;

	if ((e = memchr(s, 0x1b, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == 0)
			return NULL;
	for (i = (size_t)(e - s); i < n && found == NULL; i++)
		if (s[i] == 0x1b)
			for (k = 0; k < sizeof(escs) / sizeof(escs[0]); k++)
				if (has_prefix(s + i, n - i, escs[k].esc,
				    escs[k].len)) {
					found = escs[k].charset;
					break;
				}
	return found;
}

static const char *
check_magic(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (has_prefix(s, n, magics[i].magic, magics[i].len))
			return magics[i].what;
	return NULL;
}

/* Does any of the eight bytes at p lie below 0x20? */
static int
below_space(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	/* A byte b < 0x20 borrows in b - 0x20 and has bit 7 clear. */
	return ((w - UINT64_C(0x2020202020202020)) & ~w &
	    UINT64_C(0x8080808080808080)) != 0;
}

static const char *
check_controls(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, nul = 0, ctl = 0;

	for (i = 0; i < n; i++) {
		/* Skip eight bytes at a time while none is below 0x20. */
		while (n - i >= 8 && !below_space(p + i))
			i += 8;
		if (i == n)
			break;
		if (p[i] == 0)
			nul++;
		else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r' && p[i] != '\f' && p[i] != 0x1b)
			ctl++;
	}
	if (nul > 0 && nul * 100 >= n)
		return "NUL bytes";
	if (n >= 32 && (nul + ctl) * 10 > n)
		return "control bytes";
	return NULL;
}

/*
 * The sample ASCII-compatible charsets are scored on: the lines that hold
 * bytes >= 0x80, whole (a line feed is never part of a multibyte
 * sequence in these charsets), up to SCORE_BYTES. *cut says whether the
 * sample stops short of the end of the input.
 */
static size_t
legacy_sample(const char *p, size_t n, char *buf, int *cut)
{
	size_t i = 0, len = 0, end, take;
	int high;

	*cut = 0;
	while (i < n && len < SCORE_BYTES) {
		high = 0;
		for (end = i; end < n && p[end] != '\n'; end++)
			if ((unsigned char)p[end] >= 0x80)
				high = 1;
		if (end < n)
			end++;		/* keep the line feed */
		if (high) {
			take = end - i;
			if (take > SCORE_BYTES - len) {
				take = SCORE_BYTES - len;
				*cut = 1;
			}
			memcpy(buf + len, p + i, take);
			len += take;
		}
		i = end;
	}
	if (i < n)
		*cut = 1;
	return len;
}

struct scored {
	double cost;
	size_t nbad, ncps;
};

static void
score_cand(const struct cand *c, const char *p, size_t n, int flush,
    uint32_t *cps, struct scored *out)
{
	out->ncps = tm_icu_decode_sample(c->name, p, n, flush, cps,
	    SCORE_BYTES, &out->nbad);
	out->cost = c->prior + score_text(cps, out->ncps, c->lang, c->latin);
}

/*
 * Score candidate c on at most `limit` bytes of the samples: buf (len
 * bytes, *cut if it stops short of the input) for ASCII-compatible
 * charsets, the input itself for UTF-16. Returns -1 if c does not apply.
 */
static int
score_one(const struct cand *c, const char *p, size_t n, int complete,
    int only_wide, size_t utf8_seqs, const char *buf, size_t len, int cut,
    size_t limit, uint32_t *cps, struct scored *sc)
{
	size_t wlen = n < limit ? n : limit;

	if (len > limit) {
		len = limit;
		cut = 1;
	}
	if (c->kind == WIDE16) {
		wlen &= ~(size_t)1;
		if (wlen < 2 || (complete && n % 2 != 0))
			return -1;
		score_cand(c, p, wlen, complete && wlen == n, cps, sc);
		/* Real UTF-16 text nearly always has some ASCII (a line
		   feed, a space, a digit), hence a NUL byte. */
		if (complete && memchr(p, '\0', n) == NULL)
			sc->cost += 6.0;
		if (only_wide && (sc->nbad > 0 || sc->ncps == 0 ||
		    sc->cost / (double)sc->ncps > 13.0))
			return -1;
		return 0;
	}
	if (only_wide || len == 0 || (c->kind == UTF8 && utf8_seqs == 0))
		return -1;
	score_cand(c, buf, len, complete && !cut, cps, sc);
	if (c->kind == UTF8)
		sc->cost -= 3.5 * (double)utf8_seqs;
	return 0;
}

/*
 * Score every candidate; the best goes to out. Returns 0, or -1 when no
 * candidate reads the sample (then out is not changed). With only_wide,
 * just the UTF-16 readings are tried, and one is taken only if it is
 * clean and reads like text. utf8_seqs > 0 says the input is valid UTF-8
 * with that many multibyte sequences: in a legacy charset each pair of
 * bytes has about one chance in twelve to look like one, so UTF-8 gets
 * 3.5 bits off per sequence.
 *
 * To bound the work, a first round scores PRUNE_BYTES of each sample;
 * only candidates within PRUNE_MARGIN bits of the best go on to the
 * whole sample.
 */
#define PRUNE_BYTES 1024
#define PRUNE_MARGIN 40.0

static int
score_all(const char *p, size_t n, int complete, int only_wide,
    size_t utf8_seqs, struct tm_detect *out)
{
	char buf[SCORE_BYTES];
	uint32_t cps[SCORE_BYTES];
	struct scored sc = { 0, 0, 0 };
	size_t len, i;
	double best = 0, second = 0, first[NCANDS];
	int cut, found = -1, skip[NCANDS], pruning;

	len = legacy_sample(p, n, buf, &cut);
	pruning = len > PRUNE_BYTES || n > PRUNE_BYTES;
	for (i = 0; i < NCANDS; i++) {
		skip[i] = score_one(&cands[i], p, n, complete, only_wide,
		    utf8_seqs, buf, len, cut, pruning ? PRUNE_BYTES :
		    SCORE_BYTES, cps, &sc) != 0;
		first[i] = sc.cost;
		if (!skip[i] && (found < 0 || sc.cost < best)) {
			best = sc.cost;
			found = (int)i;
		}
	}
	if (found < 0)
		return -1;
	if (pruning) {
		for (i = 0; i < NCANDS; i++)
			if (!skip[i] && first[i] > best + PRUNE_MARGIN)
				skip[i] = 1;
		found = -1;
		for (i = 0; i < NCANDS; i++) {
			if (skip[i])
				continue;
			if (score_one(&cands[i], p, n, complete, only_wide,
			    utf8_seqs, buf, len, cut, SCORE_BYTES, cps,
			    &sc) != 0)
				continue;
			first[i] = sc.cost;
			if (found < 0 || sc.cost < best) {
				best = sc.cost;
				found = (int)i;
			}
		}
		if (found < 0)
			return -1;
	}
	second = best + 20.0;
	for (i = 0; i < NCANDS; i++) {
		if (!skip[i] && (int)i != found && first[i] < second)
			second = first[i];
	}
	out->charset = cands[found].name;
	/* Confidence from the margin over the runner-up, in bits. */
	out->confidence = 0.5 + 0.5 * (second - best) / (second - best + 4.0);
	return 0;
}

/*
 * Text that is UTF-8 but for a few bad bytes (a truncated download, one
 * stray Latin-1 character): many valid multibyte sequences and at most
 * one bad byte for every four of them. Legacy CJK text read as UTF-8
 * makes about five bad bytes for each sequence that happens to be valid,
 * so this does not catch it.
 */
static int
mostly_utf8(const char *p, size_t n)
{
	const char *end = p + n, *q;
	size_t good = 0, bad = 0, ok;

	while (p < end) {
		ok = tm_utf8_valid_prefix(p, (size_t)(end - p));
		for (q = p; q < p + ok; q++)
			good += (unsigned char)*q >= 0xc0;
		p += ok;
		if (p < end) {
			bad++;
			p++;
		}
	}
	return good >= UTF8_SURE && bad * 4 <= good;
}

void
tm_detect(const char *p, size_t n, int complete, struct tm_detect *out)
{
	size_t valid, i, seqs = 0;
	const char *why, *iso;

	memset(out, 0, sizeof(*out));
	out->charset = "UTF-8";
	out->confidence = 1.0;
	if (n == 0)
		return;
	if (check_bom(p, n, out))
		return;
	if ((out->binary = check_magic(p, n)) != NULL)
		return;
	if (check_wide(p, n, out))
		return;
	if ((iso = check_iso2022(p, n)) != NULL) {
		out->charset = iso;
		out->confidence = 0.95;
		return;
	}
	if ((why = check_controls(p, n)) != NULL) {
		if (score_all(p, n, complete, 1, 0, out) != 0)
			out->binary = why;
		return;
	}
	valid = tm_utf8_valid_prefix(p, n);
	out->utf8_valid = valid;
	if (valid < n && mostly_utf8(p, n)) {
		/* UTF-8 with a few broken bytes: decode reports them. */
		out->confidence = 0.8;
		return;
	}
	if (valid == n || (!complete && n - valid < 4)) {
		/* Pure ASCII is just as well called UTF-8; a few NULs may
		   still be the ASCII of UTF-16 text. */
		if (memchr(p, '\0', n) != NULL) {
			(void)score_all(p, n, complete, 1, 0, out);
			return;
		}
		/* Counting stops where the answer is sure: UTF8_SURE. */
		for (i = 0; i < valid && seqs < UTF8_SURE; i++)
			if ((unsigned char)p[i] >= 0xc0)
				seqs++;
		/* A few sequences may be legacy bytes by chance. */
		if (seqs == 0 || seqs >= UTF8_SURE)
			return;
	}
	if (score_all(p, n, complete, 0, seqs, out) != 0) {
		out->charset = "UTF-8";
		out->confidence = 0.1;
	}
}
