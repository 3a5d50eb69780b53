/*
 * mojibake_cjk.c - the mojibake filter's Chinese repairs: GBK paired one
 * off after a lost byte (seed 001), UTF-8 read as GBK (with lost bytes),
 * Big5 read as GBK, UTF-8 read as Big5, GBK read as Latin-1 or cp1252.
 * Han text is scored by how common its characters are (hanfreq.c,
 * flattened into a byte table for U+3000..U+9FFF); a repair replaces a
 * run only when it is much more plausible. Where UTF-8 read as Big5 or
 * misaligned GBK lost bytes, the character is chosen by how well it goes
 * with its neighbours (the pair table of hanpair.c, indexed once per
 * process). See mojibake.c for the rules. Runs on the thread that runs
 * the filter; everything it keeps is in struct moji_state, the tables
 * built once are only read.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "hanfreq.h"
#include "hanpair.h"
#include "mojibake.h"

#define GBK_MAX_RUN	120	/* characters in a misaligned run (its
				   bytes fit one tm_moji_gbk_decode) */
#define HAN_UNKNOWN	22
#define GBK_MIN_GAIN	4.0	/* mean cost the repair must save */
#define GBK_MIN_TAIL	4	/* characters of a run that ends a line */
#define GBK_TAIL_RARE	13.0	/* mean cost of a shorter one */
#define GBK_MAX_MEAN	11.0	/* mean cost a repaired run may have */
#define GUESS_MARK	6	/* bits a guessed mark costs beyond ，。、 */
#define GBK_SUSPECT	15.0	/* mean cost that makes a run suspect */
#define GBK_MAX_BLOCK	1024	/* characters in one UTF-8-as-GBK block */
#define GUESS_MARGIN	2	/* bits a guessed character must beat the
				   next candidate by */
#define GUESS_UNSURE	0x80000000u	/* a guess written as U+FFFD */
#define GBK_RARE	16.0	/* mean cost of three characters worth a
				   UTF-8-read-as-GBK check */

/* ---- what Chinese text costs ---- */

#define COST_FIRST	0x3000u	/* the flat table: CJK punctuation .. */
#define COST_LAST	0x9FFFu	/* .. the end of the unified Han block */

/*
 * How unlikely cp is in Chinese text, in bits, roughly, without the
 * table. `open` says an opening quote “ is waiting for its ” on this line.
 */
static unsigned
slow_cost(uint32_t cp, int open)
{
	if (tm_is_han(cp))
		return (unsigned)tm_hanfreq_cost(cp, HAN_UNKNOWN);
	switch (cp) {
	case 0x3002: case 0xFF0C: case 0x3001: case 0xFF1A: case 0xFF1B:
	case 0xFF01: case 0xFF1F: case 0x300A: case 0x300B: case 0xFF08:
	case 0xFF09: case 0x2026: case 0x2014:
		return 4;
	case 0x201D:
		return open ? 3 : 7;
	case 0x201C:
		return open ? 8 : 5;
	}
	if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF60))
		return 10;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z') ? 12 : 16;
	return 20;
}

/*
 * The costs of U+3000..U+9FFF in one flat table: every character of a
 * Chinese page is looked up, and a binary search of the frequency table
 * for each was most of the filter's time. Han costs are merged in from
 * the sorted frequency table in one pass. The table is built once per
 * process (it is the same for every document) and only read after.
 */
static uint8_t cost_table[COST_LAST - COST_FIRST + 1];
static once_flag cost_once = ONCE_FLAG_INIT;

static void
build_costs(void)
{
	uint32_t cp;
	size_t i;

	for (cp = COST_FIRST; cp <= COST_LAST; cp++)
		cost_table[cp - COST_FIRST] = tm_is_han(cp) ?
		    (uint8_t)HAN_UNKNOWN : (uint8_t)slow_cost(cp, 0);
	for (i = 0; i < tm_hanfreq_len; i++) {
		cp = tm_hanfreq[i] >> 5;
		if (cp >= COST_FIRST && cp <= COST_LAST && tm_is_han(cp))
			cost_table[cp - COST_FIRST] =
			    (uint8_t)(tm_hanfreq[i] & 31);
	}
}

/*
 * The pair table (hanpair.c) indexed by character, once per process like
 * the costs (when first needed, after them): where each character's
 * pairs start as the first of a pair and as the second, its S and E, and
 * the pairs by hash. Only read after.
 */
#define PAIR_CHARS	(TM_HANPAIR_LAST - TM_HANPAIR_FIRST + 1)
#define PAIR_RARE	44	/* S of a Han character the table leaves
				   out, in half bits */

static struct pair_char {
	uint8_t start, end;	/* S and E, half bits */
	uint8_t script;		/* 1 Traditional, 2 Simplified, 0 both */
	uint16_t next;		/* its first pair as a in tm_hanpair */
	uint16_t prev;		/* its first pair as b in pair_prev */
} pair_char[PAIR_CHARS + 1];
static uint16_t pair_prev[TM_HANPAIR_MAX];	/* the pairs by b, then a */
/* The same two lists with the pairs of each character ordered by the low
   six bits of the other: a character that lost its lead but not its last
   byte is looked up by them. */
static uint16_t pair_next_low[TM_HANPAIR_MAX];
static uint16_t pair_prev_low[TM_HANPAIR_MAX];
/* The pairs by hash, open addressing: 1 + their index, 0 none. At most
   half full. */
#define PAIR_SLOT_BITS	16
static uint16_t pair_slot[1u << PAIR_SLOT_BITS];
/* And a bit per hash of a smaller one: most pairs asked about are not in
   the table, and this says so from a table that stays in the cache. */
#define PAIR_SEEN_BITS	18
static uint64_t pair_seen[(1u << PAIR_SEEN_BITS) / 64];
static once_flag pair_once = ONCE_FLAG_INIT;
/* The cheapest guesses of all, cheapest first: what a character that
   lost all its bytes is tried as, besides what its neighbours bring. */
#define B5_COMMON	48
static uint16_t b5_common[B5_COMMON];

static inline uint32_t
pair_mix(uint32_t key)
{
	return key * 0x9E3779B1u;
}

static inline uint32_t
pair_hash(uint32_t key)
{
	return pair_mix(key) >> (32 - PAIR_SLOT_BITS);
}

static int cjk_result(uint32_t);

/* c, the cost of cp, as the cost of a guess for lost bytes: a mark
   other than ，。、 only where no Han character of the kind is likely. */
static inline unsigned
as_guess(uint32_t cp, unsigned c)
{
	if (!tm_is_han(cp) && cp != 0xFF0C && cp != 0x3002 && cp != 0x3001)
		c += GUESS_MARK;
	return c;
}

/* The cost of cp as a guess (guess_cost()), from the flat table. */
static unsigned
common_cost(uint32_t cp)
{
	return as_guess(cp, cp - COST_FIRST <= COST_LAST - COST_FIRST ?
	    cost_table[cp - COST_FIRST] : slow_cost(cp, 0));
}

/* Keep in cost[0..*n) and what[] the max cheapest seen, cheapest first,
   the first of equals ahead: w at cost c goes in if it is one of them. */
static void
keep_cheapest(unsigned *cost, uint16_t *what, size_t *n, size_t max,
    unsigned c, uint16_t w)
{
	size_t j;

	if (*n == max && c >= cost[max - 1])
		return;
	for (j = *n < max ? (*n)++ : max - 1; j > 0 && cost[j - 1] > c;
	    j--) {
		cost[j] = cost[j - 1];
		what[j] = what[j - 1];
	}
	cost[j] = c;
	what[j] = w;
}

/* b5_common: of the CJK text three bytes of UTF-8 with a lead Big5 may
   lose can be (U+2000..9FFF, U+FF00..FFEF), the cheapest, the first of
   equals ahead. */
static void
build_common(void)
{
	unsigned cost[B5_COMMON], c;
	size_t n = 0;
	uint32_t cp;

	for (cp = 0x2000; cp <= 0xFFEF; cp++) {
		if (cp == 0xA000)
			cp = 0xFF00;
		if (cjk_result(cp) && (c = common_cost(cp)) < HAN_UNKNOWN)
			keep_cheapest(cost, b5_common, &n, B5_COMMON, c,
			    (uint16_t)cp);
	}
}

/* The other character of pair at (b if back is 0, else a), an offset. */
static inline uint32_t
pair_other(size_t at, int back)
{
	return back ? tm_hanpair[at] >> 15 : tm_hanpair[at] & 0x7FFF;
}

/* out[g0, g1) = the pairs of in[g0, g1) (in NULL: the pairs g0..g1) by
   the low six bits of the other character, a counting sort. */
static void
order_low(const uint16_t *in, uint16_t *out, size_t g0, size_t g1,
    int back)
{
	uint16_t at[64 + 1];
	size_t i, k;

	memset(at, 0, sizeof(at));
	for (i = g0; i < g1; i++)
		at[(pair_other(in != NULL ? in[i] : i, back) & 0x3F) + 1]++;
	for (k = 1; k <= 64; k++)
		at[k] = (uint16_t)(at[k] + at[k - 1]);
	for (i = g0; i < g1; i++) {
		k = in != NULL ? in[i] : i;
		out[g0 + at[pair_other(k, back) & 0x3F]++] = (uint16_t)k;
	}
}

static void
build_pairs(void)
{
	struct pair_char *pc = pair_char;
	uint32_t cp, e;
	size_t i, j;

	for (j = 0; j <= PAIR_CHARS; j++)
		pc[j].start = PAIR_RARE;
	for (i = 0; i < tm_hanpair_char_len; i++) {
		e = tm_hanpair_char[i];
		if ((cp = (e >> 12 & 0xFFFF) - TM_HANPAIR_FIRST) < PAIR_CHARS) {
			pc[cp].start = (uint8_t)(e >> 6 & 63);
			pc[cp].end = (uint8_t)(e & 63);
			pc[cp].script = (uint8_t)(e >> 28 & 3);
		}
	}
	for (i = 0, j = 0; j <= PAIR_CHARS; j++) {
		while (i < tm_hanpair_len && tm_hanpair[i] >> 15 < j)
			i++;
		pc[j].next = (uint16_t)i;
	}
	/* by b: count each after its slot, sum up, place, move back */
	for (i = 0; i < tm_hanpair_len; i++)
		pc[(tm_hanpair[i] & 0x7FFF) + 1].prev++;
	for (j = 1; j <= PAIR_CHARS; j++)
		pc[j].prev = (uint16_t)(pc[j].prev + pc[j - 1].prev);
	for (i = 0; i < tm_hanpair_len; i++)
		pair_prev[pc[tm_hanpair[i] & 0x7FFF].prev++] = (uint16_t)i;
	for (j = PAIR_CHARS; j > 0; j--)
		pc[j].prev = pc[j - 1].prev;
	pc[0].prev = 0;
	for (j = 0; j < PAIR_CHARS; j++) {
		if (pc[j].next < pc[j + 1].next)
			order_low(NULL, pair_next_low, pc[j].next,
			    pc[j + 1].next, 0);
		if (pc[j].prev < pc[j + 1].prev)
			order_low(pair_prev, pair_prev_low, pc[j].prev,
			    pc[j + 1].prev, 1);
	}
	build_common();
	for (i = 0; i < tm_hanpair_len; i++) {
		for (e = pair_hash(tm_hanpair[i]); pair_slot[e] != 0;
		    e = (e + 1) & ((1u << PAIR_SLOT_BITS) - 1))
			;
		pair_slot[e] = (uint16_t)(i + 1);
		e = pair_mix(tm_hanpair[i]) >> (32 - PAIR_SEEN_BITS);
		pair_seen[e / 64] |= (uint64_t)1 << (e % 64);
	}
}

void
tm_moji_cjk_init(struct moji_state *s)
{
	call_once(&cost_once, build_costs);
	s->cjk_cost = cost_table;
}

/* slow_cost(), through the table where it can. */
static inline unsigned
char_cost(const struct moji_state *s, uint32_t cp, int open)
{
	if (cp - COST_FIRST <= COST_LAST - COST_FIRST)
		return s->cjk_cost[cp - COST_FIRST];
	return slow_cost(cp, open);
}

/* The cost of cp as a guess for lost bytes (as_guess()). */
static unsigned
guess_cost(const struct moji_state *s, uint32_t cp, int open)
{
	return as_guess(cp, char_cost(s, cp, open));
}

/* ---- GBK misalignment ---- */

static double
cost_of(const struct moji_state *s, const uint32_t *c, size_t n, int open)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += char_cost(s, c[i] & ~GUESS_UNSURE, open);
	return (double)sum;
}

/* tm_utf8_len() for the code points of valid text, inline. */
static inline size_t
utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* b = the UTF-8 of c[0..n), an unsure guess as U+FFFD: 0 or -ENOMEM. */
static int
put_text(struct tm_buf *b, const uint32_t *c, size_t n)
{
	size_t i;
	int rc;

	tm_buf_reset(b);
	if ((rc = tm_buf_reserve(b, 4 * n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		b->len += tm_utf8_put(b->ptr + b->len,
		    (c[i] & GUESS_UNSURE) ? 0xFFFD : c[i]);
	b->ptr[b->len] = '\0';
	return 0;
}

/* Is there a “ without its ” on the line before p? */
static int
quote_open(const char *start, const char *p)
{
	int open = 0;
	uint32_t cp;

	while (p > start) {
		cp = tm_utf8_prev(&p, start);
		if (cp == '\n' || cp == 0x201D)
			break;
		if (cp == 0x201C) {
			open = 1;
			break;
		}
	}
	return open;
}

/*
 * quote_open(), remembered: the "?" of a long line each ask it, and each
 * scan back to the start of the line made the line's cost quadratic. The
 * state keeps the answer at the last p asked about; a later p of the
 * same segment scans on from there (in valid UTF-8 the bytes of \n, “
 * and ” are those characters wherever they are found).
 */
static int
quote_open_at(struct moji_state *s, const char *seg, const char *p)
{
	const unsigned char *q;

	if (s->quote_at == NULL || p < s->quote_at)
		s->quote_open = quote_open(seg, p);
	else
		for (q = (const unsigned char *)s->quote_at;
		    q < (const unsigned char *)p; q++) {
			if (*q == '\n')
				s->quote_open = 0;
			else if (*q == 0xE2 && (const unsigned char *)p - q >=
			    3 && q[1] == 0x80 && (q[2] == 0x9C ||
			    q[2] == 0x9D)) {
				s->quote_open = q[2] == 0x9C;
				q += 2;
			}
		}
	s->quote_at = p;
	return s->quote_open;
}

/* The character before a lost byte: Chinese text or its punctuation. */
static int
chinese_before(uint32_t cp)
{
	return tm_is_cjk(cp) || cp == 0x201C || cp == 0x201D ||
	    cp == 0x2018 || cp == 0x2019 || cp == 0x2014 || cp == 0x2026;
}

/* Best (lowest cost) character for the GBK pair (lead, trail), with the
   unknown byte in position `which` (0 lead, 1 trail), and by how many
   bits the next best is worse. Remembered in the state: a page full of
   '?' asks the same questions again and again. */
static int
best_pair(struct moji_state *s, unsigned known, int which, int open,
    uint32_t *best, double *margin)
{
	struct pair_memo *memo = &s->memo[which][open != 0][known & 0xFF];
	unsigned char pair[2];
	unsigned x, lo = which == 0 ? 0x81 : 0x40;
	uint32_t cp;
	double c, next = 1e9;
	float bc = 1e9f;	/* the best's cost */

	if (memo->state == 0) {
		memo->state = 2;
		for (x = lo; x <= 0xFE; x++) {
			if (x == 0x7F)
				continue;
			pair[which] = (unsigned char)x;
			pair[!which] = (unsigned char)known;
			if (tm_moji_gbk_decode(s->gbk, pair, 2, &cp, 1) != 1)
				continue;
			/* only a lost lead pays for a mark: a lost trail
			   often ends a line, on one */
			c = which == 0 ? guess_cost(s, cp, open) :
			    char_cost(s, cp, open);
			if (c < bc) {	/* ties: the lowest byte */
				next = bc;
				bc = (float)c;
				memo->cp = cp;
				memo->state = 1;
			} else if (c < next)
				next = c;
		}
		memo->margin = (float)(next - bc);
	}
	*best = memo->cp;
	*margin = memo->margin;
	return memo->state == 1;
}

/* How a misaligned run ends, and so how its bytes pair back. */
enum gbk_end {
	END_RESYNC,	/* an ASCII byte that was a trail realigned it */
	END_SWALLOW,	/* its last pair took the ASCII after it as trail */
	END_LONE,	/* its last byte led no pair: a "?" before ASCII */
	END_EOL,	/* the same at the end of the line */
	END_TAG		/* "?/p>": the trail was the '<' of a tag */
};

/* An ASCII letter or digit. */
static int
ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
	    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The marks a Chinese sentence ends on. */
static int
sentence_end(uint32_t cp)
{
	return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0x201D ||
	    cp == 0x2026;
}

/* The marks that end or part a clause, fullwidth or folded to ASCII:
   one never follows another. */
static int
clause_mark(uint32_t cp)
{
	switch (cp) {
	case 0x3002: case 0xFF0C: case 0x3001: case 0xFF1B: case 0xFF1A:
	case 0xFF01: case 0xFF1F: case '.': case ',': case ';': case ':':
	case '!': case '?':
		return 1;
	}
	return 0;
}

/* Closing quotes and brackets. */
static int
closing_mark(uint32_t cp)
{
	switch (cp) {
	case 0x201D: case 0x2019: case 0x300D: case 0x300F: case 0xFF09:
	case 0x300B: case 0x3011: case 0x3009: case 0x3015: case 0x3017:
		return 1;
	}
	return 0;
}

/* Can the ASCII byte c not be a GBK trail (so a lead before it fails)? */
static int
no_trail(unsigned char c)
{
	return (c < 0x40 && c != '?') || c == 0x7F;
}

static uint32_t gbk_lost_pair(struct moji_state *, unsigned, int, uint32_t,
    uint32_t, int);

/*
 * Pair the GBK bytes b[0..nb) of a misaligned run back, the lost lead
 * byte before b[0], the way `how` says, into fixed (*nf characters).
 * orig[0..no) is the run as it was (its "?" first), nonascii how many
 * of it are not ASCII, prev the character before it, next the text after
 * it. Returns 1 if the repair is clearly more plausible than the run,
 * else 0. Whether it is, is weighed with the most common character for
 * each lost byte; what is written there is then chosen by the characters
 * around it (gbk_lost_pair()).
 */
static int
gbk_fix(struct moji_state *s, const unsigned char *b, size_t nb,
    const uint32_t *orig, size_t no, size_t nonascii, enum gbk_end how,
    int open, uint32_t prev, const char *next, const char *end,
    uint32_t *fixed, size_t *nf)
{
	double before, after, c;
	size_t i, nd, tail = 0;
	uint32_t z = 0, cp;
	int n, shortt;

	/* a tail has no realigning byte to vouch for it: it must be long
	   enough for the frequencies to speak ("魑魅?魍魉?" is not), or end
	   its line on a sentence mark (below) */
	shortt = (how == END_EOL || how == END_LONE) &&
	    nonascii < GBK_MIN_TAIL;
	if ((nonascii == 0 && no < 3) || nb < 2 ||
	    (shortt && (how != END_EOL || nonascii == 0)) ||
	    (how == END_SWALLOW && nonascii < 2))
		return 0;
	/* The lost byte X pairs with b[0]; the rest pair as they come. */
	if (!best_pair(s, b[0], 0, open, &fixed[0], &c))
		return 0;
	nd = how == END_RESYNC || how == END_SWALLOW ? nb - 1 : nb - 2;
	n = tm_moji_gbk_decode(s->gbk, b + 1, nd, fixed + 1, GBK_MAX_RUN);
	/* pairs only, but for the ASCII byte a last pair swallowed */
	if (n < 0 || (size_t)n * 2 != nd + (how == END_SWALLOW))
		return 0;
	*nf = 1 + (size_t)n;
	/* the ASCII byte a last pair swallowed starts a word of ASCII: Han
	   text is full of pairs whose trail is ASCII ("遷" is DF 77) */
	if (how == END_SWALLOW && (fixed[*nf - 1] >= 0x80 || next == end ||
	    !ascii_alnum((unsigned char)*next)))
		return 0;
	if (how == END_EOL || how == END_LONE || how == END_TAG) {
		/* b[nb-1] leads a pair whose trail is unknown, then comes
		   the '<' that pair swallowed, the ASCII byte no pair could
		   take, or the end of the line, where a lone mark is a full
		   stop */
		if (!best_pair(s, b[nb - 1], 1, open, &fixed[*nf], &c))
			return 0;
		if (how == END_EOL && fixed[*nf] == 0x3001)
			fixed[*nf] = 0x3002;
		tail = (*nf)++;
		if (how == END_TAG)
			fixed[(*nf)++] = '<';
		z = how == END_TAG ? '<' : how == END_LONE ?
		    (unsigned char)*next : 0;
	}
	/* A run of ASCII marks only ("??h") must realign into Chinese text,
	   and no repaired character may be one the table does not know. */
	if (nonascii == 0 && how == END_RESYNC &&
	    (next == end || !chinese_before(tm_utf8_next(&next, end))))
		return 0;
	for (i = 0; i < *nf; i++)
		if (char_cost(s, fixed[i] & ~GUESS_UNSURE, open) >= HAN_UNKNOWN)
			return 0;
	/* A short line tail ("?粲谩?" for "启用。") must end on a sentence
	   mark whose lead byte the last pair took, and be as rare as
	   garbled pairs are: real text is common. */
	if (shortt) {
		if (!sentence_end(fixed[*nf - 1]))
			return 0;
		for (c = 0, i = 1; i + 1 < no; i++)
			if (orig[i] >= 0x80)
				c += char_cost(s, orig[i], open);
		if (c < GBK_TAIL_RARE * (double)nonascii)
			return 0;
	}
	before = cost_of(s, orig, no, open) / (double)no;
	after = cost_of(s, fixed, *nf, open) / (double)*nf;
	if (after > GBK_MAX_MEAN || before - after < GBK_MIN_GAIN)
		return 0;
	/* the lost lead between prev and the next character, the trail
	   after the character before it */
	cp = gbk_lost_pair(s, b[0], 0, prev, *nf > 1 ? fixed[1] : 0, open);
	fixed[0] = cp != 0 ? cp : 0xFFFD;
	if (tail > 0) {
		cp = gbk_lost_pair(s, b[nb - 1], 1,
		    fixed[tail - 1] & ~GUESS_UNSURE, z, open);
		/* a lone mark at the end of a line is a full stop */
		if (how == END_EOL && (cp & ~GUESS_UNSURE) == 0x3001)
			cp = 0x3002 | (cp & GUESS_UNSURE);
		fixed[tail] = cp != 0 ? cp : 0xFFFD;
	}
	return 1;
}

/*
 * p is a '?' in seg[..end). If a misaligned GBK run starts here, append
 * its repair to out, record the edit, set *resume past the run and return
 * 1; otherwise 0 (a garbled run that could not be repaired is reported as
 * a suspect), or -errno.
 */
int
tm_moji_gbk_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *p, struct tm_buf *out, const char **resume)
{
	unsigned char b[2 * GBK_MAX_RUN + 2], e[4];
	uint32_t orig[GBK_MAX_RUN + 2], fixed[GBK_MAX_RUN + 4], cp, pc;
	const char *q = p + 1, *prev = p, *stop;
	size_t nb = 0, no = 1, nf = 0, nonascii = 0;
	enum gbk_end how = END_RESYNC;
	int ended = 0, open = -1, rc;

	if (p == seg || !chinese_before(pc = tm_utf8_prev(&prev, seg)))
		return 0;
	orig[0] = '?';
	while (q < end && no < GBK_MAX_RUN) {
		const char *at = q;

		cp = tm_utf8_next(&q, end);
		if (cp == '?' && q + 1 < end && *q == '/' &&
		    ((q[1] >= 'a' && q[1] <= 'z') ||
		    (q[1] >= 'A' && q[1] <= 'Z'))) {
			/* "?/p>": a pair whose trail was the '<' of a tag */
			orig[no++] = cp;
			how = END_TAG;
			ended = 1;
			break;
		}
		if (cp == '?' && (q == end || *q == '\n' || *q == '\r')) {
			/* the line ended on a lead byte: its trail, the
			   last byte of the line, became this "?" */
			orig[no++] = cp;
			how = END_EOL;
			ended = 1;
			break;
		}
		if (cp == '?' && q < end && no_trail((unsigned char)*q) &&
		    nonascii > 0) {
			/* a lead byte before ASCII no pair takes as its
			   trail ("?婊?20万"): the end, unless (folded)
			   this was a "？" and the run goes on */
			orig[no] = cp;
			if (open < 0)
				open = quote_open_at(s, seg, p);
			if (gbk_fix(s, b, nb, orig, no + 1, nonascii, END_LONE,
			    open, pc, q, end, fixed, &nf)) {
				no++;
				stop = q;
				goto repair;
			}
		}
		if (cp >= 0x40 && cp <= 0x7E) {
			/* realigned here, unless (folded) this was a
			   fullwidth letter and the run goes on */
			b[nb] = (unsigned char)cp;
			orig[no] = cp;
			if (q == end || (unsigned char)*q < 0x80 ||
			    nonascii == 0) {
				nb++;
				no++;
				ended = 1;
				break;
			}
			if (open < 0)
				open = quote_open_at(s, seg, p);
			if (gbk_fix(s, b, nb + 1, orig, no + 1, nonascii,
			    END_RESYNC, open, pc, q, end, fixed, &nf)) {
				no++;
				stop = q;
				goto repair;
			}
		}
		if (cp >= 0x21 && cp <= 0x7E) {
			/* a fullwidth form (A3xx) folded to ASCII */
			b[nb++] = 0xA3;
			b[nb++] = (unsigned char)(cp + 0x80);
		} else if (cp < 0x80 ||
		    tm_moji_gbk_encode(s->gbk, cp, e) != 2) {
			q = at;
			break;
		} else {
			b[nb++] = e[0];
			b[nb++] = e[1];
			nonascii++;
			if (e[1] >= 0x40 && e[1] <= 0x7E) {
				/* in the run a pair's second byte is the
				   next character's lead: one that is ASCII
				   was the text after the run ("霫van" for
				   "领Ivan") */
				orig[no++] = cp;
				how = END_SWALLOW;
				ended = 1;
				break;
			}
		}
		orig[no++] = cp;
	}
	stop = q;
	if (!ended)
		goto suspect;
	if (open < 0)
		open = quote_open_at(s, seg, p);
	if (!gbk_fix(s, b, nb, orig, no, nonascii, how, open, pc, stop, end,
	    fixed, &nf))
		goto suspect;
repair:
	if ((rc = put_text(&s->text, fixed, nf)) != 0)
		return rc;
	tm_edit(ctx, (size_t)(p - seg), p, (size_t)(stop - p), s->text.ptr,
	    s->text.len, "gbk-misaligned");
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	*resume = stop;
	return 1;
suspect:
	if (no >= 4 && nonascii >= 2 &&
	    cost_of(s, orig + 1, no - 1, 0) / (double)(no - 1) >= GBK_SUSPECT)
		tm_suspect(ctx, (size_t)(p - seg), p, (size_t)(stop - p),
		    "gbk-misaligned");
	return 0;
}

/* ---- UTF-8 read as GBK ---- */

/* Characters UTF-8 read as GBK turns Chinese into, and what it gives
   back: Han, kana, CJK and fullwidth punctuation. */
static int
cjk_text(uint32_t cp)
{
	return tm_is_han(cp) || (cp >= 0x3000 && cp <= 0x312F) ||
	    (cp >= 0xFF01 && cp <= 0xFF5E);
}

/* What UTF-8 read as GBK gives back: CJK text and its quotes, dashes. */
static int
cjk_result(uint32_t cp)
{
	return cjk_text(cp) || (cp >= 0x2013 && cp <= 0x2026);
}

/* Is c[0..n) a mark of one lost byte: U+FFFD, or 锟斤拷 (U+FFFD's UTF-8
   read as GBK)? Its length in characters, or 0. */
static size_t
lost_mark(const uint32_t *c, size_t n)
{
	if (n >= 1 && c[0] == 0xFFFD)
		return 1;
	if (n >= 3 && c[0] == 0x951F && c[1] == 0x65A4 && c[2] == 0x62F7)
		return 3;
	return 0;
}

/*
 * Can byte b, read where a pair starts with next after it, have been lost
 * by the decoder? cp936 has no pair of them, or only a private-use one
 * (strict decoders, Python's gbk among them, lose those), or b is 80,
 * which cp936 reads as € and strict decoders lose alone.
 */
static int
lost_before(struct moji_state *s, unsigned b, unsigned next)
{
	uint32_t cp;

	if (b == 0x80)
		return 1;
	cp = tm_moji_pair(s->gbk, 0, b, next);
	return cp == 0 || (cp >= 0xE000 && cp <= 0xF8FF);
}

/*
 * The character a three-byte UTF-8 sequence most plausibly was, one of
 * its continuation bytes lost: base with the lost byte's six bits, at
 * `shift`, unknown. Where the byte after the lost one is known (next,
 * else -1), only the bytes a decoder could have lost before it are
 * tried (lost_before()); else 81..BF. The most common CJK text, and
 * among marks of one cost, "，" or "。" ("。" at the end of a line). A
 * Han character no more common than the next candidate by GUESS_MARGIN,
 * or guessed from a lost middle byte with nothing known after it, is
 * flagged GUESS_UNSURE: it is scored as itself but written as U+FFFD,
 * so the loss stays visible rather than become a wrong character. 0 if
 * none is CJK text.
 */
static uint32_t
guess_byte(struct moji_state *s, uint32_t base, unsigned shift, int eol,
    int next)
{
	uint32_t cp, best = 0;
	unsigned b, key, bkey = ~0u, next_key = ~0u, rank;

	for (b = next >= 0 ? 0x80 : 0x81; b <= 0xBF; b++) {
		if (next >= 0 && !lost_before(s, b, (unsigned)next))
			continue;
		cp = base | (b & 0x3Fu) << shift;
		if (!cjk_result(cp))
			continue;
		rank = cp == (eol ? 0x3002u : 0xFF0Cu) ? 0 :
		    cp == (eol ? 0xFF0Cu : 0x3002u) ? 1 : cp == 0x3001 ? 2 : 3;
		key = char_cost(s, cp, 0) * 4 + rank;
		if (key < bkey) {
			next_key = bkey;
			bkey = key;
			best = cp;
		} else if (key < next_key)
			next_key = key;
	}
	/* a middle byte leaves the last one to share with many more */
	if (tm_is_han(best) && ((shift != 0 && next < 0) ||
	    (next_key != ~0u && next_key - bkey < GUESS_MARGIN * 4)))
		return best | GUESS_UNSURE;
	/* not guessing: only the one candidate is written */
	if (best != 0 && next_key != ~0u && !s->guess)
		return best | GUESS_UNSURE;
	return best;
}

/*
 * The longest block c[0..k) whose GBK bytes (cp936: € is the single byte
 * 80) are complete UTF-8 of CJK text: k, with the text in out (room for
 * n characters) and its length in *nout. 0 if there is none. ASCII bytes
 * a pair took as its trail ("锛圓" for "（A") come back as ASCII. Where
 * a continuation byte of a character was lost, to a mark inside the
 * block or (the last byte) to the "?" at `tail` just after it (*eat is
 * then 1), the most plausible byte is put back.
 */
static size_t
gbk_block(struct moji_state *s, const uint32_t *c, size_t n, uint32_t *out,
    size_t *nout, const char *tail, const char *end, size_t *eat)
{
	unsigned char e[4];
	size_t j, x, nb, k = 0, nd = 0, m;
	unsigned need = 0;
	uint32_t acc = 0, g;
	int hole = -1;		/* bit position of a lost byte's bits */
	int after = -1;		/* the byte after it, if known */

	*nout = 0;
	*eat = 0;
	for (j = 0; j < n && j < GBK_MAX_BLOCK; j++) {
		if (need > 0 && hole < 0 && (m = lost_mark(c + j, n - j)) > 0) {
			/* one continuation byte lost: its bits stay zero
			   until the character is complete */
			hole = (int)(6 * (need - 1));
			after = j + m < n && c[j + m] >= 0x80 &&
			    !lost_mark(c + j + m, n - j - m) &&
			    tm_moji_gbk_encode(s->gbk, c[j + m], e) > 0 ?
			    e[0] : -1;
			acc <<= 6;
			j += m - 1;
			if (--need > 0)
				continue;
			if ((g = guess_byte(s, acc, (unsigned)hole, 0,
			    after)) == 0)
				return k;
			out[nd++] = g;
			hole = -1;
			k = j + 1;
			*nout = nd;
			continue;
		}
		if (c[j] < 0x80 || (nb = tm_moji_gbk_encode(s->gbk, c[j],
		    e)) == 0)
			break;
		for (x = 0; x < nb; x++) {
			if (need == 0) {
				if (e[x] >= 0x40 && e[x] <= 0x7E && x == 1) {
					out[nd++] = e[x];
					continue;
				}
				if (e[x] < 0xE1 || e[x] > 0xEF || e[x] == 0xED)
					return k;
				acc = e[x] & 0x0Fu;
				need = 2;
			} else {
				if ((e[x] & 0xC0) != 0x80)
					return k;
				acc = acc << 6 | (e[x] & 0x3Fu);
				if (--need > 0)
					continue;
				if (hole >= 0) {
					g = guess_byte(s, acc,
					    (unsigned)hole, 0, after);
					hole = -1;
				} else
					g = cjk_result(acc) ? acc : 0;
				if (g == 0)
					return k;
				out[nd++] = g;
			}
		}
		if (need == 0) {
			k = j + 1;
			*nout = nd;
		}
	}
	if (j == n && need == 1 && hole < 0 && tail < end && *tail == '?' &&
	    (g = guess_byte(s, acc << 6, 0, tail + 1 == end ||
	    tail[1] == '\n' || tail[1] == '\r', -1)) != 0) {
		out[nd++] = g;
		*nout = nd;
		*eat = 1;
		k = n;
	}
	return k;
}

/*
 * Do three characters in a row in r[..end) cost 3 * GBK_RARE or more?
 * This runs over every Chinese character of every page, so three-byte
 * characters (all of CJK) are decoded here without the general decoder.
 */
static int
three_rare(const struct moji_state *s, const char *r, const char *end)
{
	const unsigned char *u = (const unsigned char *)r;
	const unsigned char *uend = (const unsigned char *)end;
	unsigned w0 = 0, w1 = 0, w2;
	uint32_t cp;

	/* no cost is above 22, so the zeros before the first character
	   never make a window on their own */
	while (u < uend) {
		if ((u[0] & 0xF0) == 0xE0 && u + 3 <= uend) {
			cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 |
			    (u[2] & 0x3Fu);
			u += 3;
		} else if ((u[0] & 0xE0) == 0xC0 && u + 2 <= uend) {
			cp = (u[0] & 0x1Fu) << 6 | (u[1] & 0x3Fu);
			u += 2;
		} else {
			r = (const char *)u;
			cp = tm_utf8_next(&r, end);
			u = (const unsigned char *)r;
		}
		w2 = w1;
		w1 = w0;
		w0 = char_cost(s, cp, 0);
		if (w0 + w1 + w2 >= 3 * GBK_RARE)
			return 1;
	}
	return 0;
}

/* ---- Big5 read as GBK ---- */

/* Symbols GBK holds that Chinese text uses beside its own marks: · ° ±
   × ÷ § ¨ ¤, Greek and Cyrillic letters, ① ℃ № → and box drawing. */
static int
gbk_symbol(uint32_t cp)
{
	return cp == 0xB7 || cp == 0xB0 || cp == 0xB1 || cp == 0xD7 ||
	    cp == 0xF7 || cp == 0xA7 || cp == 0xA8 || cp == 0xA4 ||
	    (cp >= 0x0391 && cp <= 0x03C9) || (cp >= 0x0401 && cp <= 0x0451) ||
	    (cp >= 0x2010 && cp <= 0x203B) || (cp >= 0x2100 && cp <= 0x26FF) ||
	    (cp >= 0xFE30 && cp <= 0xFE6B);
}


/* What Big5's own punctuation (A1xx) becomes in GBK: the private-use
   characters GBK's user-defined pairs decode to. Real text has none. */
static int
misread(uint32_t cp)
{
	return cp >= 0xE000 && cp <= 0xF8FF;
}

/*
 * Is r on a line of seg[..end) that holds a private-use character of
 * U+E000..EFFF (UTF-8 lead byte EE)? Big5's punctuation read as GBK gives
 * them, so on such a line every run is worth a look, short ones too. One
 * memchr finds the next such line; the state keeps it for the segment.
 */
static int
pua_line(struct moji_state *s, const char *seg, const char *end,
    const char *r)
{
	const char *x;

	if (s->pua_scan == NULL)
		s->pua_scan = seg;
	while (s->pua_scan < end && r >= s->pua_scan) {
		x = memchr(s->pua_scan, 0xEE, (size_t)(end - s->pua_scan));
		if (x == NULL) {
			s->pua_scan = end;
			break;
		}
		for (s->pua_from = x; s->pua_from > seg &&
		    s->pua_from[-1] != '\n'; s->pua_from--)
			;
		if ((s->pua_to = memchr(x, '\n', (size_t)(end - x))) == NULL)
			s->pua_to = end;
		s->pua_scan = s->pua_to;
	}
	return s->pua_from != NULL && r >= s->pua_from && r < s->pua_to;
}

/* Marks that end a Big5 block: GBK's own sentence punctuation, which
   Big5's marks never turn into (they turn into private-use ones). */
static int
gbk_stop(uint32_t cp)
{
	return cp == 0x3001 || cp == 0x3002 || cp == 0xFF0C || cp == 0xFF1A ||
	    cp == 0xFF1B || cp == 0xFF1F || cp == 0xFF01;
}

/*
 * The block c[0..n) read back as Big5 where it is Big5 read as GBK, into
 * d[0..n): 1 if it is, 0 if not. `hint`: its line holds Big5's marks.
 */
static int
big5_block(struct moji_state *s, const uint32_t *c, size_t n, uint32_t *d,
    int hint)
{
	unsigned char e[4];
	unsigned before = 0, after = 0;
	size_t i, han = 0, junk = 0;
	double gain;

	if (n == 0 || (n < 2 && !hint))
		return 0;
	for (i = 0; i < n; i++) {
		if (tm_moji_gbk_encode(s->gbk, c[i], e) != 2 ||
		    (d[i] = tm_moji_pair(s->gbk, 1, e[0], e[1])) == 0 ||
		    !(cjk_result(d[i]) || gbk_symbol(d[i])))
			return 0;
		before += char_cost(s, c[i], 0);
		after += char_cost(s, d[i], 0);
		han += tm_is_han(c[i]);
		junk += misread(c[i]);
	}
	/* Cyrillic, Greek, kana and bopomofo are GBK's too, and Big5 puts
	   common Han there: a Russian or a kana word is no Big5, so the
	   block must hold Han unless its line has Big5's marks */
	if (han == 0 && !hint)
		return 0;
	/* private-use characters among Han text are what Big5's marks
	   look like in GBK: with them, less gain will do */
	gain = (hint ? 1 : 2) * GBK_MIN_GAIN;
	if (junk > 0 && han > junk)
		gain /= 2;
	return (double)after / (double)n <= GBK_MAX_MEAN && before > after &&
	    (double)(before - after) / (double)n >= gain;
}

/*
 * The run r[0..len), its characters c[0..n), read back as Big5 where it
 * is Big5 read as GBK ("い地チ瓣" -> "中華民國"): blocks between GBK's
 * sentence marks whose characters are each two GBK bytes that pair in
 * Big5 into CJK text much more common than what is there. Big5 and GBK
 * pair alike, so a block keeps its length in characters. Returns 1
 * (the run written to out), 0 or -errno.
 */
static int
big5_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *r, size_t len, const uint32_t *c, size_t n,
    struct tm_buf *out)
{
	uint32_t *d = (uint32_t *)(void *)s->b.ptr;
	size_t i, k, boff = 0, blen, copied = 0, fixed = 0;
	int rc, hint;

	hint = pua_line(s, seg, end, r);
	for (i = 0; i < n; i = k) {
		for (k = i; k < n && !gbk_stop(c[k]); k++)
			;
		if (!big5_block(s, c + i, k - i, d, hint)) {
			for (; i < k; i++)
				boff += utf8_len(c[i]);
		} else {
			if ((rc = put_text(&s->text, d, k - i)) != 0)
				return rc;
			blen = tm_moji_utf8_size(c + i, k - i);
			tm_edit(ctx, (size_t)(r - seg) + boff, r + boff, blen,
			    s->text.ptr, s->text.len, "big5-as-gbk");
			if ((rc = tm_buf_append(out, r + copied,
			    boff - copied)) != 0 || (rc = tm_buf_append(out,
			    s->text.ptr, s->text.len)) != 0)
				return rc;
			boff += blen;
			copied = boff;
			fixed++;
		}
		if (k < n)
			boff += utf8_len(c[k++]);
	}
	if (fixed == 0)
		return 0;
	if ((rc = tm_buf_append(out, r + copied, len - copied)) != 0)
		return rc;
	return 1;
}

/*
 * The non-ASCII run r[0..len): repair blocks of UTF-8 read as GBK ("浣犲ソ"
 * -> "你好"). Only lossless blocks (every three characters give back two)
 * whose result is much more common Chinese than what is there are
 * repaired. Correct Chinese is full of common characters, so the costly
 * check only runs where three rare characters stand together.
 */
int
tm_moji_utf8_gbk_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, size_t len,
    struct tm_buf *out, size_t *eaten)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d;
	uint8_t *w;
	size_t n = 0, i, j, k, boff = 0, blen, copied = 0, fixed = 0, ate;
	double before = 0, after = 0;
	int rc, rare, short_loss;

	rare = three_rare(s, r, rend);
	/* a short run with a lost byte at its end ("骞?" for 年 in a
	   date) is worth the look that three rare characters are */
	short_loss = !rare && len <= 12 && ((rend < end && *rend == '?') ||
	    (len >= 3 && memcmp(rend - 3, "\xef\xbf\xbd", 3) == 0) ||
	    (len >= 9 && memcmp(rend - 9, "锟斤拷", 9) == 0));
	if (!rare && !short_loss && !pua_line(s, seg, end, r))
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0 ||
	    (rc = tm_moji_grow(&s->c, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	w = (uint8_t *)s->c.ptr;	/* cost of each character */
	for (p = r, n = 0; p < rend; n++) {
		c[n] = tm_utf8_next(&p, rend);
		w[n] = (uint8_t)char_cost(s, c[n], 0);
	}
	if (!rare && !short_loss)
		return big5_run(s, ctx, seg, end, r, len, c, n, out);
	for (i = 0; i < n; ) {
		if (!(short_loss && i == 0) && (i + 3 > n ||
		    w[i] + w[i + 1] + w[i + 2] < 3 * GBK_RARE)) {
			boff += utf8_len(c[i++]);
			continue;
		}
		j = i + gbk_block(s, c + i, n - i, d, &k, rend, end, &ate);
		if (j > i) {
			before = cost_of(s, c + i, j - i, 0) / (double)(j - i);
			after = cost_of(s, d, k, 0) / (double)k;
		}
		if (j == i || after > GBK_MAX_MEAN || before - after <
		    2 * GBK_MIN_GAIN) {
			/* a block that decodes but is no better is left
			   whole: trying each of its positions again would
			   make a long run quadratic */
			if (j == i)
				j = i + 1;
			for (; i < j; i++)
				boff += utf8_len(c[i]);
			continue;
		}
		if ((rc = put_text(&s->text, d, k)) != 0)
			return rc;
		/* the block ends the run where it took in the "?" after it */
		blen = tm_moji_utf8_size(c + i, j - i) + ate;
		tm_edit(ctx, (size_t)(r - seg) + boff, r + boff, blen,
		    s->text.ptr, s->text.len, "utf8-as-gbk");
		if ((rc = tm_buf_append(out, r + copied, boff - copied)) != 0 ||
		    (rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
			return rc;
		boff += blen;
		copied = boff;
		i = j;
		fixed++;
	}
	if (fixed == 0)
		return big5_run(s, ctx, seg, end, r, len, c, n, out);
	if (copied > len) {
		*eaten = copied - len;
		return 1;
	}
	if ((rc = tm_buf_append(out, r + copied, len - copied)) != 0)
		return rc;
	return 1;
}

/* ---- GBK read as Latin-1 or cp1252 ---- */

#define LAT_MAX		1024	/* bytes in one GBK-as-Latin-1 span */
#define LAT_WILD	0x100	/* a byte lost to U+FFFD */
#define LAT_MAX_MEAN	12.0	/* mean cost of the Chinese it gives */

/* cp1252's symbols for the bytes 80..9F (0: undefined there). */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

/* The bytes cp1252 leaves undefined: what a U+FFFD of it may have been. */
static const unsigned char cp1252_lost[] = { 0x81, 0x8D, 0x8F, 0x90, 0x9D };

/* The byte cp stands for in Latin-1 or cp1252, LAT_WILD, or -1. */
static int
latin_byte(uint32_t cp)
{
	int i;

	if (cp < 0x100)
		return (int)cp;
	if (cp == 0xFFFD)
		return LAT_WILD;
	if (cp > 0x2122)	/* ™, the last of them */
		return -1;
	for (i = 0; i < 32; i++)
		if (cp1252_high[i] == cp)
			return 0x80 + i;
	return -1;
}

/*
 * Where in the run r[..q) of text ending at end can GBK read as Latin-1
 * start? At two Latin-1, cp1252 or U+FFFD characters in a row, or one
 * that ends the run before what could be its trail byte ("ß@" for 這).
 * NULL if nowhere. Chinese runs are passed over by their lead bytes
 * (E3..E9, EF BC/BD), Latin-1 ones are C2/C3.
 */
static const char *
latin_start(const char *r, const char *q, const char *end)
{
	const char *p, *x, *first = NULL;
	unsigned char b;
	uint64_t w, t;

	/* most runs are Chinese: eight bytes at a time, look for a lead
	   byte C0..DF or E2 (U+FFFD's EF alone does not start a span) */
	for (p = r; q - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		t = (w & 0xE0E0E0E0E0E0E0E0ull) ^ 0xC0C0C0C0C0C0C0C0ull;
		if (((t - 0x0101010101010101ull) & ~t &
		    0x8080808080808080ull) != 0)
			break;
		t = w ^ 0xE2E2E2E2E2E2E2E2ull;
		if (((t - 0x0101010101010101ull) & ~t &
		    0x8080808080808080ull) != 0)
			break;
	}
	/* back to the start of the character the word cut into */
	while (p > r && ((unsigned char)*p & 0xC0) == 0x80)
		p--;
	for (; p < q; ) {
		b = (unsigned char)*p;
		if (!((b >= 0xC2 && b <= 0xCB) || b == 0xE2 || (b == 0xEF &&
		    p + 1 < q && (unsigned char)p[1] == 0xBF))) {
			first = NULL;
			p += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
			continue;
		}
		x = p;
		if (latin_byte(tm_utf8_next(&x, q)) < 0) {
			first = NULL;
			p = x;
			continue;
		}
		if (first != NULL)
			return first;
		first = p;
		p = x;
		if (p == q && q < end && *q >= 0x40 && *q <= 0x7E)
			return first;
	}
	return NULL;
}

/* The GBK character of (lead, trail), trying each byte U+FFFD may have
   been for a wild one: the most common, flagged GUESS_UNSURE when not
   guessing and another was possible; 0 if none. */
static uint32_t
wild_pair(struct moji_state *s, int lead, int trail)
{
	uint32_t cp, best = 0;
	unsigned c, bc = ~0u, found = 0;
	size_t i, j;

	for (i = 0; i < (lead == LAT_WILD ? sizeof(cp1252_lost) : 1); i++)
		for (j = 0; j < (trail == LAT_WILD ? sizeof(cp1252_lost) :
		    1); j++) {
			cp = tm_moji_pair(s->gbk, 0, lead == LAT_WILD ?
			    cp1252_lost[i] : (unsigned)lead, trail ==
			    LAT_WILD ? cp1252_lost[j] : (unsigned)trail);
			if (cp == 0)
				continue;
			found++;
			if ((c = char_cost(s, cp, 0)) < bc) {
				bc = c;
				best = cp;
			}
		}
	return found > 1 && !s->guess ? best | GUESS_UNSURE : best;
}

/*
 * Is the candidate c[0..n) (pairs decoded, ASCII kept) clearly Chinese?
 * Every character CJK text, a symbol of GBK or ASCII, two pairs in a row
 * somewhere, ASCII letters not dominating, and Han characters and marks
 * common enough: what real Latin-1 text gives when read as GBK is a
 * scatter of rare characters. A character flagged GUESS_UNSURE counts as
 * itself. 1 yes, -1 nearly (a suspect), 0 no.
 */
static int
latin_plausible(struct moji_state *s, const uint32_t *c, size_t n,
    size_t pairs, int adjacent)
{
	size_t i, han = 0, scored = 0, letters = 0, unknown = 0;
	unsigned sum = 0, k;
	uint32_t cp;
	double limit, mean;

	if (pairs < 2 || !adjacent)
		return 0;
	for (i = 0; i < n; i++) {
		cp = c[i] & ~GUESS_UNSURE;
		if (cp < 0x80) {
			if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
				letters++;
			continue;
		}
		if (!cjk_result(cp)) {
			if (!gbk_symbol(cp))
				return 0;
			continue;
		}
		k = char_cost(s, cp, 0);
		if (tm_is_han(cp)) {
			han++;
			if (k >= HAN_UNKNOWN)
				unknown++;
		}
		sum += k;
		scored++;
	}
	if (han < 2 || letters > 3 * han || unknown * 8 > han)
		return 0;
	/* a short candidate must be more common still */
	mean = (double)sum / (double)scored;
	limit = LAT_MAX_MEAN - (scored < 8 ? (double)(8 - scored) / 2 : 0);
	if (mean <= limit)
		return 1;
	return mean <= limit + 2 ? -1 : 0;
}

int
tm_moji_gbk_latin_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, const char *q,
    struct tm_buf *out, const char **resume, const char **seen)
{
	int16_t b[LAT_MAX + 1];
	uint32_t *d;
	const char *at[LAT_MAX + 1], *p, *x, *copied = r;
	size_t nb = 0, i, j, nd, lead, pairs, fixed = 0;
	int v, adjacent, last_pair;
	int rc;

	/* a clean start of the run is copied as it is */
	if (s->gbk == NULL || (p = latin_start(r, q, end)) == NULL)
		return 0;
	/* the span: Latin-1 characters and the ASCII between them */
	while (p < end && nb < LAT_MAX) {
		x = p;
		if ((v = latin_byte(tm_utf8_next(&x, end))) < 0 || v < 0x20)
			break;
		at[nb] = p;
		b[nb++] = (int16_t)v;
		p = x;
	}
	at[nb] = p;
	if ((rc = tm_moji_grow(&s->b, nb)) != 0)
		return rc;
	d = (uint32_t *)(void *)s->b.ptr;
	for (i = 0; i < nb; ) {
		/* a stretch of well-formed GBK from i to j */
		nd = pairs = 0;
		adjacent = last_pair = 0;
		for (j = i; j < nb; ) {
			if (b[j] < 0x80) {
				d[nd++] = (uint32_t)b[j++];
				last_pair = 0;
				continue;
			}
			if (j + 1 == nb || b[j] < 0x81 || (b[j + 1] < 0x40 &&
			    b[j + 1] != LAT_WILD) || b[j + 1] == 0x7F)
				break;
			if ((d[nd] = wild_pair(s, b[j], b[j + 1])) == 0)
				break;
			adjacent |= last_pair && b[j] >= 0x80 && b[j + 1] >= 0x80;
			last_pair = b[j] >= 0x80 && b[j + 1] >= 0x80;
			nd++;
			pairs++;
			j += 2;
		}
		/* the ASCII at both ends is as it was: not in the edit */
		while (j > i && b[j - 1] < 0x80 && nd > 0 && d[nd - 1] < 0x80) {
			j--;
			nd--;
		}
		for (lead = 0; lead < nd && d[lead] < 0x80; lead++)
			;
		i += lead;
		v = nd > lead ? latin_plausible(s, d + lead, nd - lead, pairs,
		    adjacent) : 0;
		if (v == 1) {
			if ((rc = put_text(&s->text, d + lead, nd - lead)) != 0)
				return rc;
			tm_edit(ctx, (size_t)(at[i] - seg), at[i],
			    (size_t)(at[j] - at[i]), s->text.ptr, s->text.len,
			    "gbk-as-latin1");
			if ((rc = tm_buf_append(out, copied,
			    (size_t)(at[i] - copied))) != 0 ||
			    (rc = tm_buf_append(out, s->text.ptr,
			    s->text.len)) != 0)
				return rc;
			copied = at[j];
			fixed++;
		} else if (v < 0 && pairs >= 6)
			tm_suspect(ctx, (size_t)(at[i] - seg), at[i],
			    (size_t)(at[j] - at[i]), "gbk-as-latin1");
		i = j > i ? j : i + 1;
	}
	*seen = at[nb];
	if (fixed == 0)
		return 0;
	if ((rc = tm_buf_append(out, copied, (size_t)(at[nb] - copied))) != 0)
		return rc;
	*resume = at[nb];
	return 1;
}

/* ---- UTF-8 read as Big5 ---- */

#define B5_MAX_TOK	512	/* characters in one UTF-8-as-Big5 span */
#define B5_MAX_SLOT	(2 * B5_MAX_TOK)
#define B5_LOST		2	/* bits each lost byte costs a candidate */
#define B5_NONE		1e30
#define B5_OPEN		2	/* margin a guess of twelve bits needs more */
#define B5_KNOWN	5	/* a stretch read holds one character in
				   this many that lost no byte, */
#define B5_KNOWN_BYTE	10	/* or in this many where a "?" is one
				   byte: strict decoders lose 80..A0 */
#define B5_CANDS	8	/* candidates weighed for a character that
				   lost bytes */
#define B5_WIDEN	2	/* of a guessed neighbour's, those whose
				   pairs bring in candidates */
#define B5_SURE		8	/* half bits the best reading of a line
				   through a guess must beat all others by, */
#define B5_SURE_BYTE	12	/* and where a "?" is one byte (more are
				   lost, so more candidates are open) */
#define B5_EOL_MARK	8	/* half bits a guessed mark that ends no
				   sentence costs at the end of a line, */
#define B5_EOL_HAN	8	/* and a guessed Han character */
#define B5_SCRIPT	8	/* half bits a guess of the other script
				   than the text around it costs */
#define GBK_LOST_SURE	6	/* half bits the best character for a byte
				   lost to GBK misalignment must beat the
				   next by (tuned on man pages and news:
				   closer, half the guesses are wrong) */

/*
 * The span as Big5 bytes: a slot per byte, a lost one (a "?" or U+FFFD
 * of the decoder) unknown. A lost pair before ASCII or the end of the
 * line may have been one lead byte alone: its second slot is optional.
 */
struct b5_work {
	int per_byte;			/* a "?" is a byte, not a pair */
	const char *at[B5_MAX_TOK + 1];	/* where each character starts */
	short first[B5_MAX_TOK + 1];	/* its first slot */
	unsigned char byte[B5_MAX_SLOT];
	unsigned char lost[B5_MAX_SLOT];	/* 1 lost, 2 lost, optional */
	short tok[B5_MAX_SLOT + 1];	/* the character a slot is of */
	struct b5_node {
		double cost;	/* cheapest way to read slots [0, j) */
		uint32_t cp;	/* what the last unit gave */
		short from;	/* where it started; -1 not reached */
		unsigned char kind;	/* 0 read, 1 kept as it was, 2 skip */
		unsigned char guessed;	/* it held lost bytes */
		unsigned char pb[3];	/* what was known of them, */
		unsigned char plost;	/* which were lost (bit i byte i) */
		unsigned char ppair;	/* and paired (bit i bytes i, i+1) */
	} node[B5_MAX_SLOT + 1];
	/* the characters of a stretch read, for b5_context() */
	short unit[B5_MAX_SLOT];	/* the node each one ends at */
	struct b5_cand {
		uint32_t cp[B5_CANDS];	/* what it may be, */
		int pre[B5_CANDS];	/* how well each fits, at first */
		int own[B5_CANDS];	/* what it costs in the reading */
		int16_t alone[B5_CANDS];	/* b5_alone() */
		uint8_t start[B5_CANDS];	/* b5_start() */
		uint8_t end[B5_CANDS];	/* b5_end() */
		uint8_t side[B5_CANDS];	/* b5_side() */
		uint8_t table[B5_CANDS];	/* pair_han() */
		int fw[B5_CANDS];	/* the best reading up to it */
		int bw[B5_CANDS];	/* and after it */
		/* b5_step() from each of the one before */
		int16_t step[B5_CANDS][B5_CANDS];
		unsigned char n;
		unsigned char guess;	/* it lost bytes: they are guesses */
	} cand[B5_MAX_SLOT];
};

/* Leads a lost byte may have been when it starts a character of
   Chinese text: punctuation (E2, E3), Han (E4..E9), fullwidth (EF). */
static const unsigned char b5_leads[] = {
	0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEF
};

/*
 * Can the three bytes x have been a character of the pattern that lost
 * bytes (pair[i]: bytes i and i+1 were one lost pair, which Big5 must not
 * have been able to decode)? Its code point, or 0.
 */
static uint32_t
b5_fits(struct moji_state *s, const unsigned char *x, const unsigned char *pair)
{
	uint32_t c;

	if ((pair[0] && (x[0] < 0x81 || tm_moji_pair(s->gbk, 1, x[0], x[1]) !=
	    0)) || (pair[1] && (x[1] < 0x81 ||
	    tm_moji_pair(s->gbk, 1, x[1], x[2]) != 0)))
		return 0;
	c = (x[0] & 0x0Fu) << 12 | (x[1] & 0x3Fu) << 6 | (x[2] & 0x3Fu);
	if (!cjk_result(c) || c < 0x800)
		return 0;
	return c;
}

/*
 * The best character for the three bytes x (lost: which are unknown;
 * pair[i]: bytes i and i+1 are one lost pair, which Big5 must not have
 * been able to decode), one or two of them lost, what is known of it a
 * valid part of UTF-8. Sets *cp and *unsure, and alt[0..*nalt) to the
 * B5_ALTS cheapest, best first; returns the cost of the best before the
 * lost bytes' own, or ~0u if none.
 */
static unsigned
b5_guess(struct moji_state *s, const unsigned char *b,
    const unsigned char *lost, const unsigned char *pair, uint32_t *cp,
    int *unsure, uint16_t *alt, unsigned *nalt)
{
	unsigned char x[3];
	size_t li, ci, nlead, ncont[3], i;
	uint32_t c;
	unsigned ak[B5_ALTS];
	size_t na = 0;

	nlead = lost[0] ? sizeof(b5_leads) : 1;
	for (i = 1; i < 3; i++)
		ncont[i] = lost[i] ? 64 : 1;
	for (li = 0; li < nlead; li++) {
		x[0] = lost[0] ? b5_leads[li] : b[0];
		for (ci = 0; ci < ncont[1] * ncont[2]; ci++) {
			x[1] = lost[1] ? (unsigned char)(0x80 + ci % 64) : b[1];
			x[2] = lost[2] ? (unsigned char)(0x80 + ci / ncont[1] %
			    64) : b[2];
			if ((c = b5_fits(s, x, pair)) != 0)
				keep_cheapest(ak, alt, &na, B5_ALTS,
				    guess_cost(s, c, 0), (uint16_t)c);
		}
	}
	*nalt = (unsigned)na;
	if (na == 0)
		return ~0u;
	*cp = alt[0];
	/* the more a lost pair leaves open, the clearer the best must be */
	*unsure = na > 1 && ak[1] - ak[0] < GUESS_MARGIN +
	    (lost[1] && lost[2] ? B5_OPEN : lost[0] ? B5_OPEN / 2 : 0);
	return ak[0];
}

/* Where the memo of b5_guess() keeps the known bits of each pattern of
   lost bytes (bit 2 the lead lost, bit 1 the second byte, bit 0 the
   third): after those of the patterns before it. */
static const unsigned short b5_memo_base[7] = {
	0, 0, 1024, 2048, 2064, 6160, 6224
};

/*
 * b5_guess(), remembered in the state: a page of Chinese with ASCII "?"
 * asks the same few questions for every lost pair. What it answers
 * depends only on which bytes are lost, which are one pair and the bits
 * of the known ones (a known lead is E0..EF, a known byte after it a
 * continuation byte), so those are the key. The cheapest few are kept
 * apart (the reading of a span asks only for the best): alt, if not
 * NULL, and *nalt are set as b5_guess() sets them.
 */
static unsigned
b5_guess_memo(struct moji_state *s, const unsigned char *b,
    const unsigned char *lost, const unsigned char *pair, uint32_t *cp,
    int *unsure, uint16_t *alt, unsigned *nalt)
{
	struct b5_memo *m;
	struct b5_alts *a;
	uint16_t any[B5_ALTS];
	unsigned lm, kb = 0, k, na;
	size_t i, at;

	lm = (lost[0] != 0) << 2 | (lost[1] != 0) << 1 | (lost[2] != 0);
	if (!lost[0]) {
		if ((b[0] & 0xF0) != 0xE0)
			return b5_guess(s, b, lost, pair, cp, unsure,
			    alt != NULL ? alt : any, nalt);
		kb = b[0] & 0x0Fu;
	}
	for (i = 1; i < 3; i++)
		if (!lost[i])
			kb = kb << 6 | (b[i] & 0x3Fu);
	if (s->b5memo == NULL && (s->b5memo = calloc(B5_MEMO,
	    sizeof(struct b5_memo) + sizeof(struct b5_alts))) == NULL)
		return b5_guess(s, b, lost, pair, cp, unsure,
		    alt != NULL ? alt : any, nalt);
	at = (b5_memo_base[lm] + kb) * 4 + (pair[0] != 0) * 2 +
	    (pair[1] != 0);
	m = &s->b5memo[at];
	a = (struct b5_alts *)(void *)(s->b5memo + B5_MEMO) + at;
	if (m->state == 0) {
		k = b5_guess(s, b, lost, pair, &m->cp, unsure, a->alt, &na);
		a->n = (uint8_t)na;
		m->unsure = (uint8_t)*unsure;
		m->cost = (uint16_t)k;
		m->state = k == ~0u ? 2 : 1;
	}
	*nalt = a->n;
	if (m->state == 2)
		return ~0u;
	if (alt != NULL)
		memcpy(alt, a->alt, a->n * sizeof(*alt));
	*cp = m->cp;
	*unsure = m->unsure;
	return m->cost;
}

/*
 * The character the n bytes at b make as UTF-8, all of them one
 * well-formed sequence (continuation bytes after the lead, no overlong,
 * no surrogate: tm_utf8_next()'s checks), or TM_UTF8_BAD.
 */
static uint32_t
utf8_whole(const unsigned char *b, size_t n)
{
	const char *p = (const char *)b;
	uint32_t c = tm_utf8_next(&p, p + n);

	return p == (const char *)b + n ? c : TM_UTF8_BAD;
}

/*
 * The best character for the UTF-8 pattern b[0..n) (lost[i]: byte i is
 * unknown; pair[i]: bytes i and i+1 are one lost pair, which Big5 must
 * not have been able to decode). Sets *cp and *unsure; returns its cost,
 * or B5_NONE.
 */
static double
b5_unit(struct moji_state *s, const unsigned char *b, const unsigned char *lost,
    const unsigned char *pair, size_t n, uint32_t *cp, int *unsure)
{
	size_t nl = 0, i;
	uint32_t c;
	unsigned bk, nalt;

	for (i = 0; i < n; i++)
		nl += lost[i] != 0;
	*unsure = 0;
	if (nl == 0) {
		if ((c = utf8_whole(b, n)) == TM_UTF8_BAD)
			return B5_NONE;
		*cp = c;
		return char_cost(s, c, 0);
	}
	if (n != 3)
		return B5_NONE;
	/* what is left of it must be continuation bytes: ASCII after a
	   lost pair is text of its own ("?6" of "年6月") */
	for (i = 1; i < 3; i++)
		if (!lost[i] && (b[i] & 0xC0) != 0x80)
			return B5_NONE;
	if (nl == 3) {
		/* nothing is left of it: one U+FFFD */
		*cp = 0xFFFD;
		*unsure = 1;
		return HAN_UNKNOWN;
	}
	if ((bk = b5_guess_memo(s, b, lost, pair, cp, unsure, NULL,
	    &nalt)) == ~0u)
		return B5_NONE;
	return (double)bk + B5_LOST * (double)nl;
}

/* Relax node `to` (the unit over slots j..to) if cheaper; b, lost and
   pair the pattern of a unit that lost bytes, else NULL. */
static void
b5_relax(struct b5_work *w, size_t j, size_t to, double cost, uint32_t cp,
    int kind, const unsigned char *b, const unsigned char *lost,
    const unsigned char *pair)
{
	struct b5_node *f = &w->node[j], *t = &w->node[to];
	size_t i;

	if (t->from >= 0 && t->cost <= f->cost + cost)
		return;
	t->cost = f->cost + cost;
	t->cp = cp;
	t->from = (short)j;
	t->kind = (unsigned char)kind;
	t->guessed = b != NULL;
	if (b == NULL)
		return;
	for (i = 0; i < 3; i++)
		t->pb[i] = lost[i] ? 0 : b[i];
	t->plost = (unsigned char)((lost[0] != 0) | (lost[1] != 0) << 1 |
	    (lost[2] != 0) << 2);
	t->ppair = (unsigned char)((pair[0] != 0) | (pair[1] != 0) << 1);
}

/* Every unit read from slot j: n bytes taken so far into b, at slot at. */
static void
b5_units(struct moji_state *s, struct b5_work *w, size_t ns, size_t j,
    size_t at, unsigned char *b, unsigned char *lost, unsigned char *pair,
    size_t n)
{
	size_t len;
	uint32_t cp = 0;
	int unsure;
	double c;

	if (n > 0) {
		len = lost[0] ? 3 : b[0] < 0x80 ? 1 : b[0] >= 0xC2 &&
		    b[0] <= 0xDF ? 2 : b[0] >= 0xE0 && b[0] <= 0xEF ? 3 : 0;
		if (len == 0)
			return;
		if (n == len) {
			c = b5_unit(s, b, lost, pair, n, &cp, &unsure);
			if (c < B5_NONE)
				b5_relax(w, j, at, c, unsure ? cp |
				    GUESS_UNSURE : cp, 0, (lost[0] | lost[1] |
				    (n > 2 ? lost[2] : 0)) ? b : NULL, lost,
				    pair);
			return;
		}
	}
	if (at >= ns)
		return;
	/* an optional slot inside a unit: the lost pair was one byte */
	if (n > 0 && w->lost[at] == 2) {
		pair[n - 1] = 0;
		b5_units(s, w, ns, j, at + 1, b, lost, pair, n);
	}
	b[n] = w->byte[at];
	lost[n] = w->lost[at] != 0;
	pair[n] = 0;
	if (n > 0 && lost[n] && lost[n - 1] && w->tok[at] == w->tok[at - 1])
		pair[n - 1] = 1;
	else if (n > 0)
		pair[n - 1] = 0;
	b5_units(s, w, ns, j, at + 1, b, lost, pair, n + 1);
}

/*
 * Can the span of slots [0, ns) be UTF-8 read as Big5 at all? A stretch
 * is repaired only where it holds two characters read whole, no byte of
 * them lost, each of them Chinese text, a symbol or U+FFFD (see below);
 * when the Big5 bytes nowhere hold two such UTF-8 sequences, the reading
 * need not be tried. Common Han characters with ASCII "?" give none: the
 * first bytes of most of them are UTF-8 continuation bytes.
 */
static int
b5_maybe(const struct b5_work *w, size_t ns)
{
	const unsigned char *b = w->byte;
	size_t j, len, i, found = 0;
	uint32_t c;

	for (j = 0; j + 1 < ns; j++) {
		if (w->lost[j] || b[j] < 0xC2 || b[j] > 0xEF)
			continue;
		len = b[j] <= 0xDF ? 2 : 3;
		if (j + len > ns)
			continue;
		for (i = 1; i < len; i++)
			if (w->lost[j + i])
				break;
		if (i < len || (c = utf8_whole(b + j, len)) == TM_UTF8_BAD)
			continue;
		if ((c == 0xFFFD || cjk_result(c) || gbk_symbol(c)) &&
		    ++found >= 2)
			return 1;
	}
	return 0;
}

/* How plausible a character kept as it was is: a lost one costs most. */
static unsigned
b5_keep_cost(struct moji_state *s, uint32_t cp)
{
	return cp == '?' || cp == 0xFFFD ? 20 : char_cost(s, cp, 0);
}

/* ---- UTF-8 read as Big5: a lost character by its neighbours ---- */

/* A Han character the pair table speaks of. */
static inline int
pair_han(uint32_t cp)
{
	return cp - TM_HANPAIR_FIRST < PAIR_CHARS && tm_is_han(cp);
}

/* G(a, b) of the pair table, half bits, a and b pair_han(); 0 for a
   pair it leaves out. */
static inline unsigned
pair_gain(uint32_t a, uint32_t b)
{
	uint32_t key, h;
	unsigned i;

	key = (a - TM_HANPAIR_FIRST) << 15 | (b - TM_HANPAIR_FIRST);
	h = pair_mix(key) >> (32 - PAIR_SEEN_BITS);
	if (!(pair_seen[h / 64] >> (h % 64) & 1))
		return 0;
	for (h = pair_hash(key); (i = pair_slot[h]) != 0;
	    h = (h + 1) & ((1u << PAIR_SLOT_BITS) - 1))
		if (tm_hanpair[i - 1] == key)
			return tm_hanpair_gain[i - 1];
	return 0;
}

/* G(a, b) for any two Han characters: 0 where the table has neither. */
static inline unsigned
pair_gain_han(uint32_t a, uint32_t b)
{
	return pair_han(a) && pair_han(b) ? pair_gain(a, b) : 0;
}

/* What cp costs as a guess on its own, its neighbours unknown, in half
   bits. */
static int
b5_alone(struct moji_state *s, uint32_t cp)
{
	return 2 * (int)guess_cost(s, cp, 0);
}

/* S and E of the pair table, half bits: how rarely cp starts a word and
   how rarely it ends one. */
static int
b5_start(uint32_t cp)
{
	return pair_han(cp) ? pair_char[cp - TM_HANPAIR_FIRST].start :
	    PAIR_RARE;
}

static int
b5_end(uint32_t cp)
{
	return pair_han(cp) ? pair_char[cp - TM_HANPAIR_FIRST].end : 0;
}

/* What a neighbour cp tells of a Han character beside it: 0 it is Han,
   1 a word ends there (a mark, a space), 2 nothing (a letter, a digit,
   U+FFFD). */
static int
b5_side(uint32_t cp)
{
	if (tm_is_han(cp))
		return 0;
	if (cp == 0xFFFD || (cp < 0x80 && ascii_alnum((unsigned char)cp)))
		return 2;
	return 1;
}

/*
 * The cost of candidate y of c after candidate x of p (p NULL: after what
 * tells nothing), in half bits, g the gain of the pair (hanpair.h): Han
 * after Han costs E + S - g, Han after the end of a word S, Han after
 * what tells nothing its cost alone; a mark or space after Han costs E,
 * and a guessed mark its cost as a guess on top.
 */
static inline int
b5_step(const struct b5_cand *p, size_t x, const struct b5_cand *c,
    size_t y, int g)
{
	int side = p != NULL ? p->side[x] : 2;

	if (c->side[y] == 0)
		return side == 0 ? p->end[x] + c->start[y] - g : side == 1 ?
		    c->start[y] : c->alone[y];
	return (side == 0 && c->side[y] == 1 ? p->end[x] : 0) +
	    (c->guess ? c->alone[y] : 0);
}

/*
 * The character of a GBK pair that lost a byte (`known` the other, the
 * lost one the lead if which is 0, else the trail) that fits best
 * between a and z (0: the end of the line), weighed as a guess of the
 * Big5 repair is (b5_step()): by the pair table beside Han characters,
 * alone beside what tells nothing, a mark by how common it is (open: a
 * “ waits for its ”). Flagged GUESS_UNSURE where another fits within
 * GBK_LOST_SURE, or where not guessing and another fits at all; 0 if
 * none is CJK text.
 */
static uint32_t
gbk_lost_pair(struct moji_state *s, unsigned known, int which, uint32_t a,
    uint32_t z, int open)
{
	uint32_t cp, best = 0;
	unsigned x;
	int v, bv = INT_MAX, next = INT_MAX, sa = b5_side(a), sz, han;

	call_once(&pair_once, build_pairs);
	sz = z != 0 ? b5_side(z) : 1;
	for (x = which == 0 ? 0x81 : 0x40; x <= 0xFE; x++) {
		if (x == 0x7F || (cp = tm_moji_pair(s->gbk, 0, which == 0 ?
		    x : known, which == 0 ? known : x)) == 0 ||
		    !cjk_result(cp))
			continue;
		han = tm_is_han(cp);
		/* after a mark that ends a clause only one that closes can
		   come, and ” where a “ is open */
		if (!han && clause_mark(a) && (!closing_mark(cp) ||
		    (open && cp != 0x201D)))
			continue;
		/* from a to it */
		if (han)
			v = sa == 0 ? b5_end(a) + b5_start(cp) -
			    (int)pair_gain_han(a, cp) : sa == 1 ?
			    b5_start(cp) : b5_alone(s, cp);
		else
			v = (sa == 0 && b5_side(cp) == 1 ? b5_end(a) : 0) +
			    2 * (int)guess_cost(s, cp, open);
		/* and on to z (what z costs alone is the same for all); the
		   end of a line ends a sentence more often than not */
		if (han && sz == 0)
			v += b5_end(cp) - (int)pair_gain_han(cp, z);
		else if (han && sz == 1)
			v += b5_end(cp) + (z == 0 ? B5_EOL_HAN : 0);
		else if (z == 0 && !sentence_end(cp))
			v += B5_EOL_MARK;

		if (v < bv) {
			next = bv;
			bv = v;
			best = cp;
		} else if (v < next)
			next = v;
	}
	if (best != 0 && next != INT_MAX &&
	    (next - bv < GBK_LOST_SURE || !s->guess))
		best |= GUESS_UNSURE;
	return best;
}

/* The code points node u can have been, as offsets into the pair table:
   [*lo, *hi), empty when none of them is in it. */
static void
b5_span(const struct b5_node *u, uint32_t *lo, uint32_t *hi)
{
	uint32_t a = 0x800, b = 0x10000;

	if (!(u->plost & 1)) {
		a = (uint32_t)(u->pb[0] & 0x0F) << 12;
		b = a + 0x1000;
		if (!(u->plost & 2)) {
			a |= (uint32_t)(u->pb[1] & 0x3F) << 6;
			b = a + 0x40;
		}
	}
	if (a < TM_HANPAIR_FIRST)
		a = TM_HANPAIR_FIRST;
	if (b > TM_HANPAIR_LAST + 1)
		b = TM_HANPAIR_LAST + 1;
	*lo = a - TM_HANPAIR_FIRST;
	*hi = b > a ? b - TM_HANPAIR_FIRST : *lo;
}

/* Add cp, fitting as well as pre says, to k: its B5_CANDS best fitting
   are kept, the best first. */
static void
cand_add(struct b5_cand *k, uint32_t cp, int pre)
{
	size_t i, j;

	/* no better than the worst kept, which it would be if kept */
	if (k->n == B5_CANDS && pre >= k->pre[k->n - 1])
		return;
	for (i = 0; i < k->n; i++) {
		if (k->cp[i] != cp)
			continue;
		if (k->pre[i] <= pre)
			return;
		/* fits better seen from another side: move it up */
		for (; i + 1 < k->n; i++) {
			k->cp[i] = k->cp[i + 1];
			k->pre[i] = k->pre[i + 1];
		}
		k->n--;
		break;
	}
	if (k->n == B5_CANDS && pre >= k->pre[k->n - 1])
		return;
	j = k->n < B5_CANDS ? k->n++ : k->n - 1u;
	for (; j > 0 && k->pre[j - 1] > pre; j--) {
		k->cp[j] = k->cp[j - 1];
		k->pre[j] = k->pre[j - 1];
	}
	k->cp[j] = cp;
	k->pre[j] = pre;
}

/* k has one candidate, what the reading made of it (d, U+FFFD where it
   was not sure). */
static void
cand_fixed(struct b5_cand *k, uint32_t d)
{
	k->cp[0] = d & GUESS_UNSURE ? 0xFFFD : d;
	k->pre[0] = 0;
	k->n = 1;
}

/*
 * Can node u have been cp (U+2000..FFFF, CJK text), the bits its known
 * bytes fix being right? What remains to ask is whether Big5 could not
 * decode its lost pairs. A trail of 80..A0 never decodes in windows-950,
 * so only higher trails need the converter.
 */
static inline int
b5_pairs_fit(struct moji_state *s, const struct b5_node *u, uint32_t cp)
{
	unsigned x0 = 0xE0 | cp >> 12, x1 = 0x80 | (cp >> 6 & 0x3F),
	    x2 = 0x80 | (cp & 0x3F);

	return !((u->ppair & 1) && x1 > 0xA0 &&
	    tm_moji_pair(s->gbk, 1, x0, x1) != 0) &&
	    !((u->ppair & 2) && (x1 < 0x81 || (x2 > 0xA0 &&
	    tm_moji_pair(s->gbk, 1, x1, x2) != 0)));
}

/*
 * Candidates for guessed character i that the pair table brings in: the
 * characters that follow `nb` (back 0) or come before it (back 1) inside
 * words, where node u can have been them; extra is what the neighbour
 * itself costs more than it would at best.
 */
static void
b5_pairs_in(struct moji_state *s, struct b5_work *w, size_t i,
    const struct b5_node *u, uint32_t nb, int back, int extra)
{
	const struct pair_char *pn;
	const uint16_t *list;
	uint32_t lo, hi, off, cp, mask = 0, want = 0, key;
	size_t a, z, mid, at;
	int low;

	if (!pair_han(nb))
		return;
	b5_span(u, &lo, &hi);
	/* the bits of the code point the known bytes fix, as offsets
	   (TM_HANPAIR_FIRST has none of them) */
	if (!(u->plost & 1)) {
		mask |= 0xF000;
		want |= (uint32_t)(u->pb[0] & 0x0F) << 12;
	}
	if (!(u->plost & 2)) {
		mask |= 0x0FC0;
		want |= (uint32_t)(u->pb[1] & 0x3F) << 6;
	}
	if (!(u->plost & 4)) {
		mask |= 0x003F;
		want |= u->pb[2] & 0x3Fu;
	}
	/* the lead lost, the last byte known: look its bits up, in the
	   lists by them; else the code points from lo, by them */
	if ((low = (u->plost & 5) == 1)) {
		list = back ? pair_prev_low : pair_next_low;
		key = want & 0x3F;
	} else {
		list = back ? pair_prev : NULL;
		key = lo;
	}
	pn = &pair_char[nb - TM_HANPAIR_FIRST];
	a = back ? pn[0].prev : pn[0].next;
	z = back ? pn[1].prev : pn[1].next;
	while (a < z) {
		mid = a + (z - a) / 2;
		off = pair_other(list != NULL ? list[mid] : mid, back);
		if ((low ? off & 0x3F : off) < key)
			a = mid + 1;
		else
			z = mid;
	}
	z = back ? pn[1].prev : pn[1].next;
	for (; a < z; a++) {
		at = list != NULL ? list[a] : a;
		off = pair_other(at, back);
		if (low ? (off & 0x3F) != key : off >= hi)
			break;
		/* most fail here: the bytes known fix six bits or more */
		cp = off + TM_HANPAIR_FIRST;
		if ((cp & mask) == want && b5_pairs_fit(s, u, cp))
			cand_add(&w->cand[i], cp, b5_alone(s, cp) + extra -
			    tm_hanpair_gain[at]);
	}
}

/*
 * Choose again the characters that lost bytes in the stretch read d[0..n)
 * (w->unit[i] the node of d[i]), by how well they fit their neighbours:
 * each has its B5_CANDS likeliest candidates (the cheapest alone, and
 * those the pair table brings in beside the characters around it), and
 * the cheapest reading of the whole stretch as a chain of characters
 * (b5_step()) wins, found forward and backward (Viterbi) so that each
 * candidate has the cost of the best reading through it. A guess is
 * sure only where every reading with another character there costs
 * B5_SURE (B5_SURE_BYTE) more; else it is written as U+FFFD. eol: the
 * stretch ends its line, which ends a sentence more often than not.
 */
static void
b5_context(struct moji_state *s, struct b5_work *w, uint32_t *d, size_t n,
    int eol)
{
	struct b5_cand *k, *kp;
	const struct b5_node *u;
	uint32_t cp, nb;
	uint16_t alt[B5_ALTS];
	unsigned nalt, ai;
	size_t i, x, y;
	int unsure, v, best, next, bi, add, other;
	int sure = w->per_byte ? B5_SURE_BYTE : B5_SURE;

	call_once(&pair_once, build_pairs);
	for (i = 0; i < n; i++) {
		k = &w->cand[i];
		u = &w->node[w->unit[i]];
		k->n = 0;
		k->guess = u->guessed;
		if (k->guess)
			continue;
		/* read whole, or kept as U+FFFD: it is what it is */
		cand_fixed(k, d[i]);
	}
	/* candidates alone, and beside the characters read whole */
	for (i = 0; i < n; i++) {
		unsigned char b[3], lost[3], pair[2];

		k = &w->cand[i];
		if (!k->guess)
			continue;
		u = &w->node[w->unit[i]];
		for (x = 0; x < 3; x++) {
			b[x] = u->pb[x];
			lost[x] = u->plost >> x & 1;
		}
		pair[0] = u->ppair & 1;
		pair[1] = u->ppair >> 1 & 1;
		if (u->plost == 7) {
			/* nothing known: the commonest that fit */
			for (nalt = 0, x = 0; x < B5_COMMON &&
			    nalt < B5_ALTS; x++)
				if (b5_pairs_fit(s, u, b5_common[x]))
					alt[nalt++] = b5_common[x];
		} else if (b5_guess_memo(s, b, lost, pair, &cp, &unsure, alt,
		    &nalt) == ~0u)
			nalt = 0;
		/* (a pair with a neighbour read whole moves one up below) */
		for (ai = 0; ai < nalt; ai++)
			cand_add(k, alt[ai], b5_alone(s, alt[ai]));
		if (i > 0 && !w->cand[i - 1].guess)
			b5_pairs_in(s, w, i, u, w->cand[i - 1].cp[0], 0, 0);
		if (i + 1 < n && !w->cand[i + 1].guess)
			b5_pairs_in(s, w, i, u, w->cand[i + 1].cp[0], 1, 0);
		if (k->n == 0) {
			/* nothing fits: it stays as it was */
			k->guess = 0;
			cand_fixed(k, d[i]);
		}
	}
	/* and beside the likeliest of guessed neighbours, both ways */
	for (i = 1; i < n; i++) {
		kp = &w->cand[i - 1];
		if (!w->cand[i].guess || !kp->guess)
			continue;
		u = &w->node[w->unit[i]];
		for (x = 0; x < kp->n && x < B5_WIDEN; x++)
			b5_pairs_in(s, w, i, u, kp->cp[x], 0,
			    kp->pre[x] - kp->pre[0]);
	}
	for (i = n; i-- > 1; ) {
		k = &w->cand[i];
		if (!k->guess || !w->cand[i - 1].guess)
			continue;
		u = &w->node[w->unit[i - 1]];
		for (x = 0; x < k->n && x < B5_WIDEN; x++)
			b5_pairs_in(s, w, i - 1, u, k->cp[x], 1,
			    k->pre[x] - k->pre[0]);
	}
	/* the script of the characters read whole, if they keep to one */
	for (i = 0, x = y = 0; i < n; i++)
		if (!w->cand[i].guess && pair_han(cp = w->cand[i].cp[0])) {
			x += pair_char[cp - TM_HANPAIR_FIRST].script == 1;
			y += pair_char[cp - TM_HANPAIR_FIRST].script == 2;
		}
	other = x > 2 * y ? 2 : y > 2 * x ? 1 : 0;
	/* the cheapest reading up to each candidate, then after it */
	for (i = 0; i < n; i++) {
		k = &w->cand[i];
		kp = i > 0 ? &w->cand[i - 1] : NULL;
		for (y = 0; y < k->n; y++) {
			cp = k->cp[y];
			k->side[y] = (uint8_t)b5_side(cp);
			k->table[y] = (uint8_t)pair_han(cp);
			k->start[y] = (uint8_t)b5_start(cp);
			k->end[y] = (uint8_t)b5_end(cp);
			k->alone[y] = (int16_t)(k->guess || k->side[y] == 0 ?
			    b5_alone(s, cp) : 0);
			add = 0;
			if (k->guess && eol && i + 1 == n && !tm_is_han(cp) &&
			    !sentence_end(cp) && cp != 0x300D &&
			    cp != 0x300F && cp != 0xFF09)
				add += B5_EOL_MARK;
			if (k->guess && eol && i + 1 == n && tm_is_han(cp))
				add += B5_EOL_HAN;
			if (k->guess && other != 0 && pair_han(cp) &&
			    pair_char[cp - TM_HANPAIR_FIRST].script == other)
				add += B5_SCRIPT;
			k->own[y] = add;
			if (kp == NULL) {
				k->fw[y] = add + b5_step(NULL, 0, k, y, 0);
				continue;
			}
			best = INT_MAX;
			for (x = 0; x < kp->n; x++) {
				k->step[x][y] = (int16_t)b5_step(kp, x, k, y,
				    kp->table[x] && k->table[y] ?
				    (int)pair_gain(kp->cp[x], cp) : 0);
				if ((v = kp->fw[x] + k->step[x][y]) < best)
					best = v;
			}
			k->fw[y] = best + add;
		}
	}
	for (i = n; i-- > 0; ) {
		k = &w->cand[i];
		kp = i + 1 < n ? &w->cand[i + 1] : NULL;
		for (y = 0; y < k->n; y++) {
			if (kp == NULL) {
				/* the end of a line ends a word */
				k->bw[y] = eol && tm_is_han(k->cp[y]) ?
				    b5_end(k->cp[y]) : 0;
				continue;
			}
			best = INT_MAX;
			for (x = 0; x < kp->n; x++) {
				v = kp->step[y][x] + kp->own[x] + kp->bw[x];
				if (v < best)
					best = v;
			}
			k->bw[y] = best;
		}
	}
	for (i = 0; i < n; i++) {
		k = &w->cand[i];
		if (!k->guess)
			continue;
		best = next = INT_MAX;
		bi = 0;
		for (y = 0; y < k->n; y++) {
			v = k->fw[y] + k->bw[y];
			if (v < best) {
				next = best;
				best = v;
				bi = (int)y;
			} else if (v < next)
				next = v;
		}
		nb = k->cp[bi];
		d[i] = next != INT_MAX && next - best < sure ?
		    nb | GUESS_UNSURE : nb;
	}
}

/* Not guessing: each character of the stretch read d[0..n) that lost
   bytes is U+FFFD. */
static void
b5_unguessed(const struct b5_work *w, uint32_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w->node[w->unit[i]].guessed)
			d[i] = 0xFFFD;
}

/* A stretch of units read, not kept, on the cheapest path of a span. */
struct b5_stretch {
	size_t t0, t1;	/* the characters of the span it reads, */
	size_t nd;	/* as d[0..nd) */
};

/*
 * Does the stretch of units read that the cheapest path (path[0..*pi),
 * the end first) reaches next, path[*pi - 1] not kept, repair? Reads it
 * into d[] (each unit's node in w->unit[]) and *st and moves *pi past it,
 * whatever it decides. It repairs when it holds Han text; at least two
 * characters read whole, one in B5_KNOWN (B5_KNOWN_BYTE) of those not
 * ASCII or U+FFFD (unless loose: the span is known to be UTF-8 read as
 * Big5 already); nothing but ASCII, U+FFFD, Chinese text and symbols;
 * and what it restores is common Chinese (GBK_MAX_MEAN), much more
 * common than the characters it was read from. A U+FFFD, a character
 * the reading admits it cannot restore, counts in neither the characters
 * read whole nor the mean of what it restores (the "?" it stands for
 * still weighs in the mean of what was there).
 */
static int
b5_stretch_repairs(struct moji_state *s, struct b5_work *w, const char *end,
    const short *path, size_t *pi, int loose, uint32_t *d,
    struct b5_stretch *st)
{
	size_t a = (size_t)w->node[path[*pi - 1]].from, j = a, nd = 0, k, i;
	size_t known = 0, han = 0, nafter = 0, nbefore = 0;
	unsigned before = 0, after = 0;
	uint32_t cp;
	int ok;

	while (*pi > 0 && w->node[path[*pi - 1]].kind != 1) {
		const struct b5_node *u = &w->node[path[*pi - 1]];

		j = (size_t)path[--*pi];
		if (u->kind == 2)
			continue;
		w->unit[nd] = (short)j;
		d[nd++] = u->cp;
		cp = u->cp & ~GUESS_UNSURE;
		if (cp >= 0x80 && cp != 0xFFFD) {
			after += char_cost(s, cp, 0);
			nafter++;
			known += !u->guessed;
			han += tm_is_han(cp);
		}
	}
	st->t0 = (size_t)w->tok[a];
	st->t1 = (size_t)w->tok[j - 1] + 1;
	st->nd = nd;
	for (k = st->t0; k < st->t1; k++) {
		const char *q = w->at[k];

		cp = tm_utf8_next(&q, end);
		if (cp >= 0x80 || cp == '?') {
			before += b5_keep_cost(s, cp);
			nbefore++;
		}
	}
	ok = han >= 1 && ((nafter >= 2 && known >= 2 &&
	    known * (w->per_byte ? B5_KNOWN_BYTE : B5_KNOWN) >= nafter) ||
	    loose);
	for (i = 0; ok && i < nd; i++) {
		cp = d[i] & ~GUESS_UNSURE;
		ok = cp < 0x80 || cp == 0xFFFD || cjk_result(cp) ||
		    gbk_symbol(cp);
	}
	if (!ok || (double)after / (double)nafter > GBK_MAX_MEAN ||
	    (double)before / (double)nbefore - (double)after /
	    (double)nafter < 2 * GBK_MIN_GAIN)
		return 0;
	return 1;
}

/*
 * The span from p to the end of its line, or the first character Big5
 * cannot hold, as Big5 bytes in w: a slot per byte, a "?" or U+FFFD of
 * the decoder one lost byte (per_byte, as Python's codecs write what they
 * cannot read) or a lost pair (as ICU and browsers do), its second byte
 * optional before ASCII or the end of the line. Sets *nt, *ns and *junk
 * (the characters that look misread); returns the end of the span.
 */
static const char *
b5_slots(struct moji_state *s, struct b5_work *w, const char *p,
    const char *end, int per_byte, size_t *nt, size_t *ns, size_t *junk)
{
	const char *x = p, *y;
	unsigned char e[2];
	uint32_t cp;
	size_t t = 0, n = 0, k, i, lost;

	*junk = 0;
	w->per_byte = per_byte;
	while (x < end && t < B5_MAX_TOK) {
		y = x;
		cp = tm_utf8_next(&y, end);
		if (cp == '\n' || cp == '\r')
			break;
		w->at[t] = x;
		w->first[t] = (short)n;
		if (cp == '?' || cp == 0xFFFD) {
			for (lost = per_byte ? 1 : 2; lost > 0; lost--) {
				w->lost[n] = 1;
				w->byte[n] = 0;
				w->tok[n++] = (short)t;
			}
			(*junk)++;
		} else if (cp < 0x80) {
			w->byte[n] = (unsigned char)cp;
			w->lost[n] = 0;
			w->tok[n++] = (short)t;
		} else if ((k = tm_moji_big5_encode(s->gbk, cp, e)) > 0) {
			for (i = 0; i < k; i++) {
				w->byte[n] = e[i];
				w->lost[n] = 0;
				w->tok[n++] = (short)t;
			}
			*junk += misread(cp) || cp == 0x80;
		} else
			break;
		/* a lost pair before ASCII may have been a lone lead */
		if (t > 0 && cp < 0x80 && cp != '?' &&
		    w->lost[w->first[t] - 1] == 1 &&
		    w->first[t] - w->first[t - 1] == 2)
			w->lost[w->first[t] - 1] = 2;
		t++;
		x = y;
	}
	if (t > 0 && w->lost[n - 1] == 1 && w->first[t - 1] == (short)n - 2)
		w->lost[n - 1] = 2;
	w->at[t] = x;
	w->first[t] = (short)n;
	w->tok[n] = (short)t;
	*nt = t;
	*ns = n;
	return x;
}

/*
 * Read the slots [0, ns) of w as UTF-8, each character either read or
 * kept as it was: the cost of the cheapest reading (w->node[ns] ends
 * it), B5_NONE if there is none. *kept_lost: it keeps a "?" as it was.
 */
static double
b5_read(struct moji_state *s, struct b5_work *w, size_t ns, const char *end,
    int *kept_lost)
{
	unsigned char b[4], lost[4], pair[4];
	uint32_t cp;
	size_t j, k;

	for (j = 0; j <= ns; j++)
		w->node[j].from = -1;
	w->node[0].cost = 0;
	for (j = 0; j < ns; j++) {
		if (j > 0 && w->node[j].from < 0)
			continue;
		k = (size_t)w->tok[j];
		if ((size_t)w->first[k] == j) {
			const char *q = w->at[k];

			cp = tm_utf8_next(&q, end);
			b5_relax(w, j, (size_t)w->first[k + 1],
			    b5_keep_cost(s, cp), cp, 1, NULL, NULL, NULL);
		}
		if (w->lost[j] == 2)
			b5_relax(w, j, j + 1, 0, 0, 2, NULL, NULL, NULL);
		b5_units(s, w, ns, j, j, b, lost, pair, 0);
	}
	*kept_lost = 0;
	if (w->node[ns].from < 0)
		return B5_NONE;
	for (j = ns; j > 0; j = (size_t)w->node[j].from)
		if (w->node[j].kind == 1 && w->lost[w->node[j].from])
			*kept_lost = 1;
	return w->node[ns].cost;
}

/*
 * UTF-8 read as Big5 ("?見嚗??憭批?" -> "同樣，施力的大"): the span
 * from p to the end of its line (b5_slots()) is read as UTF-8, each
 * character either read or kept as it was, the cheapest reading of all
 * winning (b5_read()); where that finds no reading or keeps a lost byte
 * as it was, the span is read again with a byte for each "?", and the
 * cheaper reading wins.
 * Stretches read that are CJK text much more common than what was there
 * are replaced; a character that lost bytes is put back where one
 * candidate clearly goes best with its neighbours (b5_context()), else
 * it becomes U+FFFD. Returns 1 (written to out, *resume past the last
 * repair), 0 or -errno; *seen is the end of the span.
 */
int
tm_moji_utf8_big5_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *p, struct tm_buf *out,
    const char **resume, const char **seen)
{
	struct b5_work *w;
	struct b5_stretch st;
	const char *x, *copied = p, *from, *to;
	uint32_t *d;
	short path[B5_MAX_SLOT + 1];
	size_t nt, ns, j, fixed = 0, junk, np = 0, pi, sure = 0;
	double cost, pair_cost;
	int rc, eol, pass, kept_lost;

	*seen = p;
	tm_buf_reset(&s->c);
	if ((rc = tm_buf_reserve(&s->c, sizeof(*w))) != 0 ||
	    (rc = tm_moji_grow(&s->b, B5_MAX_TOK)) != 0)
		return rc;
	w = (struct b5_work *)(void *)s->c.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	x = b5_slots(s, w, p, end, 0, &nt, &ns, &junk);
	*seen = x;
	eol = x == end || *x == '\n' || *x == '\r';
	if (junk < 2 || nt < 3)
		return 0;	/* the same whichever a "?" is */
	cost = b5_maybe(w, ns) ? b5_read(s, w, ns, end, &kept_lost) :
	    B5_NONE;
	if (cost == B5_NONE || kept_lost) {
		/* a byte for each "?": kept if it reads cheaper */
		pair_cost = cost;
		b5_slots(s, w, p, end, 1, &nt, &ns, &junk);
		cost = b5_maybe(w, ns) ? b5_read(s, w, ns, end, &kept_lost) :
		    B5_NONE;
		if (cost >= pair_cost) {
			if (pair_cost == B5_NONE)
				return 0;
			b5_slots(s, w, p, end, 0, &nt, &ns, &junk);
			b5_read(s, w, ns, end, &kept_lost);
		}
	}
	/* the cheapest path back from the end, then stretch by stretch
	   of units read (not kept) forward */
	for (j = ns; j > 0; j = (size_t)w->node[j].from)
		path[np++] = (short)j;
	/* The first pass counts the stretches that repair on their own.
	   Where one does, the span is UTF-8 read as Big5, and in the second
	   (run only then) a stretch need hold no character whole ("撟?" for
	   年 between the digits of a date). */
	for (pass = 0; pass < 2; pass++) {
		for (pi = np; pi > 0; ) {
			if (w->node[path[pi - 1]].kind == 1) {
				pi--;	/* a character kept as it was */
				continue;
			}
			if (!b5_stretch_repairs(s, w, end, path, &pi, pass == 1,
			    d, &st))
				continue;
			if (pass == 0) {
				sure++;
				continue;
			}
			if (s->guess)
				b5_context(s, w, d, st.nd, eol && st.t1 == nt);
			else
				b5_unguessed(w, d, st.nd);
			if ((rc = put_text(&s->text, d, st.nd)) != 0)
				return rc;
			from = w->at[st.t0];
			to = w->at[st.t1];
			tm_edit(ctx, (size_t)(from - seg), from,
			    (size_t)(to - from), s->text.ptr, s->text.len,
			    "utf8-as-big5");
			if ((rc = tm_buf_append(out, copied,
			    (size_t)(from - copied))) != 0 ||
			    (rc = tm_buf_append(out, s->text.ptr,
			    s->text.len)) != 0)
				return rc;
			copied = to;
			fixed++;
		}
		if (sure == 0)
			break;	/* the second pass would repeat the first */
	}
	if (fixed == 0)
		return 0;
	*resume = copied;
	return 1;
}
