/*
 * script.c - Traditional <-> Simplified Chinese, phrase by phrase.
 *
 * Phase 7, after reflow (so phrases are not cut by line breaks) and before
 * width. Off by default; `--script MODE` (option script.mode) turns it on.
 * Modes follow OpenCC's configs: t2s, s2t, s2tw, s2hk, tw2s, hk2s, plus
 * auto-s/auto-t, which convert a document only when it is mostly in the
 * other script (counted over its first 256 KiB) and report mixed ones.
 *
 * Conversion is longest match over OpenCC's dictionaries (phrases first,
 * then characters), compiled at build time by filters/tables/script_gen.c
 * into one file that is mapped read-only (format in script_data.h). A
 * mode is at most two tables, as OpenCC chains them: at each position the
 * first table's longest match is converted again by the second; a longer
 * match of the second table on the raw text wins, so tw2s keeps 乾隆
 * while still turning 著 into 着. One correction to forward matching:
 * a phrase that swallows the start of a longer one yields to it (see
 * overlapped()). textmend's own entries (filters/tables/script_extra_*)
 * come before OpenCC's: s2tw writes Taiwan's 台 and 宣布, and verb + 著
 * is the particle even before 著書. Beyond OpenCC, t2s also takes Taiwan
 * and Hong Kong forms (著 the aspect particle -> 着, 裡 -> 里, 牠 -> 它);
 * corner quotes 「」『』 become “”‘’ towards Simplified and the reverse
 * for s2tw/s2hk; Kangxi radicals and CJK compatibility ideographs become
 * the unified ideographs in every mode but none.
 *
 * Without the data file the filter falls back to ICU's Hant-Hans and
 * Hans-Hant transliterators and says so with a suspect ("icu-fallback").
 *
 * A phrase may straddle a segment cut in the middle of a long line, so
 * unless a segment ends with a newline its last TM_SCRIPT_MAXLEN - 1
 * characters are held back for the next call.
 *
 * Seed 001: "基層婦聯組織建設" -> "基层妇联组织建设".
 *
 * Pure and reentrant (the table is shared read-only); runs on the
 * daemon's threadpool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"
#include "script_data.h"
#include "script_icu.h"
#include "translit.h"

#ifndef TM_SCRIPT_DATA_BUILD
#define TM_SCRIPT_DATA_BUILD ""
#endif
#ifndef TM_SCRIPT_DATA_INSTALL
#define TM_SCRIPT_DATA_INSTALL ""
#endif

#define AUTO_SAMPLE ((size_t)256 << 10)	/* bytes looked at by auto modes */
#define AUTO_ENOUGH 2000		/* distinguishing characters */

enum mode {
	M_NONE, M_T2S, M_S2T, M_S2TW, M_S2HK, M_TW2S, M_HK2S, M_AUTO_S,
	M_AUTO_T
};

static const char *const mode_names[] = {
	"none", "t2s", "s2t", "s2tw", "s2hk", "tw2s", "hk2s", "auto-s", "auto-t"
};

enum quote_dir { Q_NONE, Q_TO_CURLY, Q_TO_CORNER };

/* One table of the mapped file. */
struct tab {
	const char *base;
	const uint16_t *pageidx;
	const struct tm_script_cell *pages;
	const struct tm_script_slot *slots;
	uint32_t mask;
	uint32_t npages;
};

struct script_state {
	enum mode mode;		/* as asked */
	enum mode run;		/* what runs: auto resolved, none */
	int quotes;
	int decided;
	const char *data_path;

	void *map;
	size_t maplen;
	struct tab tabs[TM_ST_COUNT];
	const struct tab *a, *b;	/* the mode's chain; a may be NULL */
	const char *rule_phrase, *rule_char;
	enum quote_dir qdir;	/* by mode and option */
	enum quote_dir qnow;	/* for the text being converted */

	struct tm_translit *icu;	/* fallback when map is NULL */
	const char *icu_id, *icu_rule;
	int told_icu;

	struct tm_buf pend;	/* held back: phrase tail, auto sample */
	uint64_t pend_off;	/* its offset in this filter's input */
	unsigned prev;		/* character before pend */
	size_t ntrad, nsimp;	/* auto: characters only one script has */
	size_t counted;		/* auto: bytes of pend counted */
};

static const struct tm_option_desc script_options[] = {
	{ "mode", TM_OPT_ENUM, "none",
	  "none,t2s,s2t,s2tw,s2hk,tw2s,hk2s,auto-s,auto-t",
	  "conversion: Traditional/Simplified (OpenCC names), auto-s/auto-t "
	  "convert only documents mostly in the other script" },
	{ "quotes", TM_OPT_BOOL, "on", NULL,
	  "corner quotes 「」『』 to “”‘’ towards Simplified, the reverse "
	  "for s2tw and s2hk" },
	{ "data", TM_OPT_STRING, "", NULL,
	  "conversion table file (default: $TEXTMEND_SCRIPT_DATA, then the "
	  "built-in path); \"icu\": ICU's transliterators instead" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* ---- the table file ---- */

static int
tab_init(struct tab *t, const char *base, size_t size, uint32_t off)
{
	struct tm_script_table_hdr h;
	struct tm_script_slot sl;
	uint64_t end;
	uint32_t i;

	if ((uint64_t)off + sizeof(h) > size || off % 4 != 0)
		return TM_EDATA;
	memcpy(&h, base + off, sizeof(h));
	if ((uint64_t)h.pageidx_off + TM_SCRIPT_NPAGEIDX * 2 > size ||
	    (uint64_t)h.pages_off + (uint64_t)h.npages * 256 *
	    sizeof(struct tm_script_cell) > size ||
	    (uint64_t)h.pool_off + h.pool_size > size ||
	    h.nslots == 0 || (h.nslots & (h.nslots - 1)) != 0 ||
	    h.npages == 0 || h.pageidx_off % 2 != 0 || h.pages_off % 4 != 0 ||
	    h.slots_off % 4 != 0)
		return TM_EDATA;
	end = (uint64_t)h.slots_off + (uint64_t)h.nslots *
	    sizeof(struct tm_script_slot);
	if (end > size)
		return TM_EDATA;
	/* Every string a slot names lies inside the file, so a damaged
	   or foreign file cannot make a lookup read outside the map. */
	for (i = 0; i < h.nslots; i++) {
		memcpy(&sl, base + h.slots_off + (size_t)i * sizeof(sl),
		    sizeof(sl));
		if (sl.key_off == UINT32_MAX)
			continue;
		if ((uint64_t)sl.key_off + sl.key_len > size ||
		    (sl.val_off != UINT32_MAX && (uint64_t)sl.val_off +
		    (sl.val_len & ~TM_SCRIPT_LONGER) > size))
			return TM_EDATA;
	}
	for (i = 0; i < TM_SCRIPT_NPAGEIDX; i++) {
		uint16_t pg;

		memcpy(&pg, base + h.pageidx_off + (size_t)i * 2, 2);
		if (pg >= h.npages)
			return TM_EDATA;
	}
	t->base = base;
	t->pageidx = (const uint16_t *)(const void *)(base + h.pageidx_off);
	t->pages = (const struct tm_script_cell *)(const void *)
	    (base + h.pages_off);
	t->slots = (const struct tm_script_slot *)(const void *)
	    (base + h.slots_off);
	t->mask = h.nslots - 1;
	t->npages = h.npages;
	return 0;
}

/* Map the file and check its structure. */
static int
data_open(struct script_state *s, const char *path, struct tm_diag *diag)
{
	struct tm_script_hdr h;
	struct stat st;
	void *m;
	int fd, rc, i;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if ((size_t)st.st_size < sizeof(h) || st.st_size > INT32_MAX) {
		close(fd);
		return tm_diag_set(diag, TM_EDATA, "script", -1,
		    "%s: not a script table", path);
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	rc = m == MAP_FAILED ? -errno : 0;
	close(fd);
	if (rc != 0)
		return rc;
	memcpy(&h, m, sizeof(h));
	if (memcmp(h.magic, TM_SCRIPT_MAGIC, 8) != 0 ||
	    h.ntables != TM_ST_COUNT || h.size != (uint32_t)st.st_size)
		rc = TM_EDATA;
	for (i = 0; rc == 0 && i < TM_ST_COUNT; i++)
		rc = tab_init(&s->tabs[i], m, (size_t)st.st_size,
		    h.table_off[i]);
	if (rc != 0) {
		munmap(m, (size_t)st.st_size);
		return tm_diag_set(diag, TM_EDATA, "script", -1,
		    "%s: not a script table of this version", path);
	}
	s->map = m;
	s->maplen = (size_t)st.st_size;
	return 0;
}

static const struct tm_script_cell *
cell(const struct tab *t, unsigned cp)
{
	static const struct tm_script_cell none;
	unsigned pg;

	if (cp >= TM_SCRIPT_NPAGEIDX << 8)
		return &none;
	pg = t->pageidx[cp >> 8];
	if (pg == 0 || pg >= t->npages)
		return &none;
	return &t->pages[(size_t)pg * 256 + (cp & 0xFF)];
}

/* The slot of key or prefix [p, p+n) with hash h, or NULL. */
static const struct tm_script_slot *
probe(const struct tab *t, uint32_t h, const char *p, size_t n)
{
	const struct tm_script_slot *sl;
	uint32_t i;

	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		sl = &t->slots[i];
		if (sl->key_off == UINT32_MAX)
			return NULL;
		if (sl->hash == h && sl->key_len == n &&
		    memcmp(t->base + sl->key_off, p, n) == 0)
			return sl;
	}
}

/*
 * Longest key of t at p (first character cp, already decoded, ending at
 * q). Returns its length in bytes (0: no key) and sets *v and *vlen to
 * the value; a one-character value is written to tmp.
 */
static size_t
match(const struct tab *t, const char *p, const char *q, const char *end,
    unsigned cp, const char **v, size_t *vlen, char *tmp)
{
	const struct tm_script_cell *c = cell(t, cp);
	const struct tm_script_slot *sl;
	const char *r = q, *r0;
	size_t best = 0;
	uint32_t h;
	unsigned n;

	if ((c->lens >> 1) != 0) {
		h = tm_script_hash(p, (size_t)(q - p));
		for (n = 2; n <= TM_SCRIPT_MAXLEN && r < end; n++) {
			r0 = r;
			tm_utf8_next(&r, end);
			h = tm_script_hash_more(h, r0, (size_t)(r - r0));
			if ((sl = probe(t, h, p, (size_t)(r - p))) == NULL)
				break;
			if (sl->val_off != UINT32_MAX) {
				best = (size_t)(r - p);
				*v = t->base + sl->val_off;
				*vlen = sl->val_len & ~TM_SCRIPT_LONGER;
			}
			if (!(sl->val_len & TM_SCRIPT_LONGER))
				break;
		}
		if (best != 0)
			return best;
	}
	if (c->map != 0) {
		*vlen = tm_utf8_put(tmp, c->map);
		*v = tmp;
		return (size_t)(q - p);
	}
	if ((c->lens & 1) && (sl = probe(t, tm_script_hash(p,
	    (size_t)(q - p)), p, (size_t)(q - p))) != NULL &&
	    sl->val_off != UINT32_MAX) {
		*v = t->base + sl->val_off;
		*vlen = sl->val_len & ~TM_SCRIPT_LONGER;
		return (size_t)(q - p);
	}
	return 0;
}

/* Convert [v, v+n) through t alone (the second table of a chain). */
static int
convert_all(const struct tab *t, const char *v, size_t n, struct tm_buf *out)
{
	const char *p = v, *end = v + n, *q, *w;
	size_t m, wlen;
	char tmp[4];
	unsigned cp;
	int rc;

	while (p < end) {
		q = p;
		cp = tm_utf8_next(&q, end);
		if ((m = match(t, p, q, end, cp, &w, &wlen, tmp)) != 0) {
			if ((rc = tm_buf_append(out, w, wlen)) != 0)
				return rc;
			p += m;
		} else {
			if ((rc = tm_buf_append(out, p, (size_t)(q - p))) != 0)
				return rc;
			p = q;
		}
	}
	return 0;
}

static int
is_ascii_alnum(unsigned c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'z');
}

/* The quote cp becomes, or 0. prev/next are the neighbours. */
static unsigned
quote(enum quote_dir d, unsigned cp, unsigned prev, unsigned next)
{
	if (d == Q_TO_CURLY)
		switch (cp) {
		case 0x300C: return 0x201C;
		case 0x300D: return 0x201D;
		case 0x300E: return 0x2018;
		case 0x300F: return 0x2019;
		default: return 0;
		}
	if (d == Q_TO_CORNER)
		switch (cp) {
		case 0x201C: return 0x300C;
		case 0x201D: return 0x300D;
		case 0x2018:
			return is_ascii_alnum(prev) ? 0 : 0x300E;
		case 0x2019:
			/* don’t, l’eau: an apostrophe, not a quote */
			return is_ascii_alnum(prev) && is_ascii_alnum(next) ?
			    0 : 0x300F;
		default: return 0;
		}
	return 0;
}

static unsigned
peek(const char *p, const char *end)
{
	return p < end ? tm_utf8_next(&p, end) : 0;
}

/*
 * Forward longest match goes wrong where a phrase swallows the first
 * character of a longer one that starts inside it (OpenCC has the same
 * fault). A phrase of m bytes at p is overlapped when a strictly longer
 * key starts inside it and runs past its end; then p converts as a
 * character and the longer phrase gets its chance. Equal lengths keep
 * the first: 皇后|后来, 头发|发展.
 */
static int
overlapped(const struct script_state *s, const char *p, size_t m,
    const char *end)
{
	const char *r = p, *rq, *v;
	size_t n, vlen;
	char tmp[4];
	unsigned cp;
	int i;

	tm_utf8_next(&r, end);
	while (r < p + m) {
		rq = r;
		cp = tm_utf8_next(&rq, end);
		for (i = 0; i < 2; i++) {
			const struct tab *t = i == 0 ? s->a : s->b;

			if (t == NULL)
				continue;
			n = match(t, r, rq, end, cp, &v, &vlen, tmp);
			if (n > (size_t)(rq - r) && r + n > p + m && n > m)
				return 1;
		}
		r = rq;
	}
	return 0;
}

/*
 * Convert with the tables: start positions before `stop`, looking ahead
 * to `len`. Returns the bytes consumed in *used (>= stop unless a phrase
 * runs past it). ctx's offset is that of `in`.
 */
static int
convert(struct script_state *s, struct tm_filter_ctx *ctx, const char *in,
    size_t len, size_t stop, struct tm_buf *out, size_t *used)
{
	const char *p = in, *end = in + len, *lim = in + stop, *done = in;
	const char *q, *v, *v2;
	size_t m1, m2, vlen, v2len, before, ul;
	unsigned cp, prev = s->prev, u;
	char tmp[4], tmp2[4], ub[4];
	const char *rule = NULL;
	enum { K_NONE, K_UNIFY, K_QUOTE, K_RAW, K_CHAIN } kind;
	int rc;

	while (p < lim) {
		if ((unsigned char)*p < 0x80) {
			prev = (unsigned char)*p++;
			continue;
		}
		q = p;
		cp = tm_utf8_next(&q, end);
		m1 = m2 = 0;
		v = v2 = NULL;
		vlen = v2len = 0;
		kind = K_NONE;
		if (tm_script_is_lookalike(cp) &&
		    (u = tm_script_unify(cp)) != cp) {
			kind = K_UNIFY;
			m1 = (size_t)(q - p);
		} else if ((u = quote(s->qnow, cp, prev, peek(q, end))) != 0) {
			kind = K_QUOTE;
			m1 = (size_t)(q - p);
		} else if (s->b != NULL) {
			if (s->a != NULL)
				m1 = match(s->a, p, q, end, cp, &v, &vlen, tmp);
			m2 = match(s->b, p, q, end, cp, &v2, &v2len, tmp2);
			if ((m1 > (size_t)(q - p) || m2 > (size_t)(q - p)) &&
			    overlapped(s, p, m1 > m2 ? m1 : m2, end)) {
				/* Leave the phrase to the one after it. */
				m1 = m2 = 0;
				if (s->a != NULL)
					m1 = match(s->a, p, q, q, cp, &v,
					    &vlen, tmp);
				m2 = match(s->b, p, q, q, cp, &v2, &v2len,
				    tmp2);
			}
			if (m2 > m1) {
				m1 = m2;
				kind = K_RAW;
			} else if (m1 > 0)
				kind = K_CHAIN;
		}
		if (kind == K_NONE) {
			prev = cp;
			p = q;
			continue;
		}
		if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0)
			return rc;
		before = out->len;
		switch (kind) {
		case K_UNIFY:
			/* The unified ideograph, converted as a character. */
			ul = tm_utf8_put(ub, u);
			rule = cp < 0x3000 ? "kangxi" : "compat-ideograph";
			if (s->b == NULL)
				rc = tm_buf_append(out, ub, ul);
			else if (s->a != NULL && match(s->a, ub, ub + ul,
			    ub + ul, u, &v, &vlen, tmp) != 0)
				rc = convert_all(s->b, v, vlen, out);
			else
				rc = convert_all(s->b, ub, ul, out);
			break;
		case K_QUOTE:
			rule = "quote";
			rc = tm_buf_put_utf8(out, u);
			break;
		case K_RAW:
			rc = tm_buf_append(out, v2, v2len);
			break;
		default:
			rc = convert_all(s->b, v, vlen, out);
			break;
		}
		if (rc != 0)
			return rc;
		if (kind == K_RAW || kind == K_CHAIN)
			rule = m1 > (size_t)(q - p) ? s->rule_phrase :
			    s->rule_char;
		/* A phrase that maps to itself (乾隆) is no edit. */
		if (out->len - before != m1 ||
		    memcmp(out->ptr + before, p, m1) != 0)
			tm_edit(ctx, (size_t)(p - in), p, m1, out->ptr + before,
			    out->len - before, rule);
		p += m1;
		done = p;
		q = p;
		prev = tm_utf8_prev(&q, in);
	}
	if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0)
		return rc;
	s->prev = prev;
	*used = (size_t)(p - in);
	return 0;
}

/* ---- ICU fallback ---- */

static size_t
nchars(const char *p, const char *end)
{
	size_t n = 0;

	for (; p < end; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	return n;
}

/*
 * Without tables: quotes and look-alikes by hand, then ICU's
 * transliterator; edits are found by comparing character by character
 * when the lengths agree (they do for Hant-Hans), else one per segment.
 */
static int
convert_icu(struct script_state *s, struct tm_filter_ctx *ctx, const char *in,
    size_t len, struct tm_buf *out, struct tm_diag *diag)
{
	struct tm_buf pre, res;
	const char *p = in, *end = in + len, *q;
	const char *a, *ae, *b, *be, *a0, *b0;
	unsigned cp, u, prev = s->prev, ca, cb;
	int rc;

	if (!s->told_icu) {
		s->told_icu = 1;
		/* Say which backend ran: the tables were not found. */
		tm_suspect(ctx, 0, s->icu_id, strlen(s->icu_id),
		    "icu-fallback");
	}
	tm_buf_init(&pre, out->max);
	tm_buf_init(&res, out->max);
	while (p < end) {
		q = p;
		cp = tm_utf8_next(&q, end);
		if ((tm_script_is_lookalike(cp) &&
		    (u = tm_script_unify(cp)) != cp) ||
		    (u = quote(s->qnow, cp, prev, peek(q, end))) != 0)
			rc = tm_buf_put_utf8(&pre, u);
		else
			rc = tm_buf_append(&pre, p, (size_t)(q - p));
		if (rc != 0)
			goto out;
		prev = cp;
		p = q;
	}
	s->prev = prev;
	if ((rc = tm_translit_run(s->icu, pre.ptr, pre.len, &res)) != 0)
		goto out;
	a = in;
	ae = end;
	b = res.ptr;
	be = res.ptr + res.len;
	if (nchars(a, ae) != nchars(b, be)) {
		/* Not one to one: the whole text is one edit. */
		if (len != res.len || memcmp(in, res.ptr, len) != 0)
			tm_edit(ctx, 0, in, len, res.ptr, res.len,
			    s->icu_rule);
		a = ae;
	}
	while (a < ae && b < be) {
		a0 = a;
		b0 = b;
		ca = tm_utf8_next(&a, ae);
		cb = tm_utf8_next(&b, be);
		if (ca != cb)
			tm_edit(ctx, (size_t)(a0 - in), a0,
			    (size_t)(a - a0), b0, (size_t)(b - b0),
			    tm_script_is_lookalike(ca) ?
			    "kangxi" : quote(s->qnow, ca, 0, 0) != 0 ?
			    "quote" : s->icu_rule);
	}
	rc = tm_buf_append(out, res.ptr, res.len);
out:
	tm_buf_release(&pre);
	tm_buf_release(&res);
	return rc;
}

/* ---- modes ---- */

static void
set_run(struct script_state *s, enum mode m)
{
	s->run = m;
	s->a = NULL;
	s->b = NULL;
	s->qdir = Q_NONE;
	switch (m) {
	case M_T2S:
		s->a = &s->tabs[TM_ST_TVR];
		s->b = &s->tabs[TM_ST_TS];
		s->rule_phrase = "t2s-phrase";
		s->rule_char = "t2s-char";
		s->qdir = Q_TO_CURLY;
		break;
	case M_TW2S:
	case M_HK2S:
		s->a = &s->tabs[m == M_TW2S ? TM_ST_TWVR : TM_ST_HKVR];
		s->b = &s->tabs[TM_ST_TS];
		s->rule_phrase = "t2s-phrase";
		s->rule_char = "t2s-char";
		s->qdir = Q_TO_CURLY;
		break;
	case M_S2T:
		s->b = &s->tabs[TM_ST_ST];
		s->rule_phrase = "s2t-phrase";
		s->rule_char = "s2t-char";
		break;
	case M_S2TW:
	case M_S2HK:
		s->a = &s->tabs[TM_ST_ST];
		s->b = &s->tabs[m == M_S2TW ? TM_ST_TWV : TM_ST_HKV];
		s->rule_phrase = "s2t-phrase";
		s->rule_char = "s2t-char";
		s->qdir = Q_TO_CORNER;
		break;
	default:
		break;
	}
	if (!s->quotes)
		s->qdir = Q_NONE;
}

static int
open_icu(struct script_state *s, struct tm_diag *diag)
{
	int to_hans = s->mode == M_T2S || s->mode == M_TW2S ||
	    s->mode == M_HK2S || s->mode == M_AUTO_S;

	s->icu_id = to_hans ? "Hant-Hans" : "Hans-Hant";
	s->icu_rule = to_hans ? "icu-hant-hans" : "icu-hans-hant";
	return tm_translit_open(&s->icu, s->icu_id, diag);
}

static int
script_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct script_state *s = state;
	const char *m = tm_opt_str(opts, "mode"), *path, *env;
	const char *tries[4];
	size_t i, n = 0;
	int rc = TM_EDATA;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(m, mode_names[i]) == 0)
			s->mode = (enum mode)i;
	s->quotes = tm_opt_bool(opts, "quotes");
	tm_buf_init(&s->pend, TM_BUF_DEFAULT_MAX);
	s->decided = s->mode != M_AUTO_S && s->mode != M_AUTO_T;
	if (s->mode == M_NONE) {
		s->run = M_NONE;
		return 0;
	}
	path = tm_opt_str(opts, "data");
	env = getenv("TEXTMEND_SCRIPT_DATA");
	if (path != NULL && strcmp(path, "icu") == 0) {
		if ((rc = open_icu(s, diag)) != 0)
			return rc;
	} else if (path != NULL && *path != '\0') {
		/* Asked for by name: it must be there. */
		if ((rc = data_open(s, path, diag)) != 0)
			return tm_diag_set(diag, rc == TM_EDATA ? TM_ECONF : rc,
			    "script", -1, "script.data %s: %s", path,
			    tm_strerror(rc));
	} else {
		if (env != NULL && *env != '\0')
			tries[n++] = env;
		tries[n++] = TM_SCRIPT_DATA_BUILD;
		tries[n++] = TM_SCRIPT_DATA_INSTALL;
		for (i = 0; i < n && s->map == NULL; i++)
			if (*tries[i] != '\0')
				rc = data_open(s, tries[i], NULL);
		if (s->map == NULL && (rc = open_icu(s, diag)) != 0)
			return rc;
	}
	if (s->decided)
		set_run(s, s->mode);
	return 0;
}

static void
script_release(void *state)
{
	struct script_state *s = state;

	if (s->map != NULL)
		munmap(s->map, s->maplen);
	tm_translit_close(s->icu);
	tm_buf_release(&s->pend);
}

/* Auto modes: count characters only one script has, in pend. */
static void
count(struct script_state *s)
{
	const char *p = s->pend.ptr + s->counted, *end = s->pend.ptr +
	    s->pend.len;
	unsigned cp;

	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		cp = tm_utf8_next(&p, end);
		if (s->map != NULL) {
			if (cell(&s->tabs[TM_ST_TS], cp)->map != 0)
				s->ntrad++;
			else if (cell(&s->tabs[TM_ST_ST], cp)->map != 0)
				s->nsimp++;
		}
	}
	s->counted = s->pend.len;
}

/* Without tables, ask ICU both ways over the sample. */
static int
count_icu(struct script_state *s, struct tm_diag *diag)
{
	struct tm_translit *t;
	struct tm_buf o;
	const char *ids[2] = { "Hant-Hans", "Hans-Hant" };
	size_t *n[2] = { &s->ntrad, &s->nsimp };
	const char *a, *ae, *b, *be;
	int i, rc;

	for (i = 0; i < 2; i++) {
		if ((rc = tm_translit_open(&t, ids[i], diag)) != 0)
			return rc;
		tm_buf_init(&o, TM_BUF_DEFAULT_MAX);
		rc = tm_translit_run(t, s->pend.ptr, s->pend.len, &o);
		tm_translit_close(t);
		if (rc != 0) {
			tm_buf_release(&o);
			return rc;
		}
		a = s->pend.ptr;
		ae = a + s->pend.len;
		b = o.ptr;
		be = b + o.len;
		while (a < ae && b < be)
			if (tm_utf8_next(&a, ae) != tm_utf8_next(&b, be))
				(*n[i])++;
		tm_buf_release(&o);
	}
	return 0;
}

/*
 * Decide what an auto mode does with this document: convert when at
 * least three in four of the distinguishing characters are of the other
 * script, leave it when at most one in four is; in between it is mixed:
 * reported, and converted only when the other script has the majority.
 */
static int
decide(struct script_state *s, struct tm_filter_ctx *ctx,
    struct tm_diag *diag)
{
	size_t other, own, total;
	char msg[96];
	int rc;

	if (s->map == NULL && (rc = count_icu(s, diag)) != 0)
		return rc;
	other = s->mode == M_AUTO_S ? s->ntrad : s->nsimp;
	own = s->mode == M_AUTO_S ? s->nsimp : s->ntrad;
	total = other + own;
	s->decided = 1;
	if (total > 0 && other * 4 > total && own * 4 > total) {
		snprintf(msg, sizeof(msg), "%zu Traditional, %zu Simplified "
		    "characters", s->ntrad, s->nsimp);
		tm_suspect(ctx, 0, msg, strlen(msg), "mixed-script");
	}
	if (total > 0 && other * 2 > total)
		set_run(s, s->mode == M_AUTO_S ? M_T2S : M_S2T);
	else
		set_run(s, M_NONE);
	return 0;
}

/* Start of the last TM_SCRIPT_MAXLEN - 1 characters of [in, in+len). */
static size_t
tail_start(const char *in, size_t len)
{
	const char *p = in + len;
	int n;

	if (len > 0 && in[len - 1] == '\n')
		return len;
	for (n = 0; n < TM_SCRIPT_MAXLEN - 1 && p > in; n++)
		tm_utf8_prev(&p, in);
	return (size_t)(p - in);
}

/*
 * Quotes are a matter of script only in text that is in the other script:
 * a Simplified document that writes 『』 passes t2s unchanged. So they
 * are converted only where the text being converted has a character that
 * the mode changes.
 */
static enum quote_dir
quotes_now(const struct script_state *s, const char *p, size_t len)
{
	const struct tab *t;
	const struct tm_script_cell *c;
	const char *end = p + len;
	unsigned cp;

	if (s->qdir == Q_NONE || s->map == NULL)
		return s->qdir;
	t = &s->tabs[s->qdir == Q_TO_CURLY ? TM_ST_TS : TM_ST_ST];
	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		cp = tm_utf8_next(&p, end);
		c = cell(t, cp);
		if (c->map != 0 || (c->lens & 1))
			return s->qdir;
	}
	return Q_NONE;
}

/* Convert what is in pend, keeping a tail back unless final. */
static int
flush(struct script_state *s, struct tm_filter_ctx *ctx, int final,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct tm_filter_ctx c = *ctx;
	size_t stop, used = 0;
	int rc;

	c.offset = s->pend_off;
	stop = final ? s->pend.len : tail_start(s->pend.ptr, s->pend.len);
	s->qnow = quotes_now(s, s->pend.ptr, s->pend.len);
	if (s->map == NULL && s->run != M_NONE) {
		used = stop;
		rc = convert_icu(s, &c, s->pend.ptr, stop, out, diag);
	} else
		rc = convert(s, &c, s->pend.ptr, s->pend.len, stop, out,
		    &used);
	if (rc != 0)
		return rc;
	if (final && used < s->pend.len)
		rc = tm_buf_append(out, s->pend.ptr + used,
		    s->pend.len - used);
	tm_buf_consume(&s->pend, used);
	s->pend_off += used;
	return rc;
}

static int
script_run(void *state, struct tm_filter_ctx *ctx, const char *in,
    size_t len, struct tm_buf *out, struct tm_diag *diag)
{
	struct script_state *s = state;
	int rc;

	if (s->mode == M_NONE)
		return tm_buf_append(out, in, len);
	if (s->pend.len == 0)
		s->pend_off = ctx->offset;
	if ((rc = tm_buf_append(&s->pend, in, len)) != 0)
		return rc;
	if (!s->decided) {
		count(s);
		if (s->pend.len < AUTO_SAMPLE &&
		    s->ntrad + s->nsimp < AUTO_ENOUGH)
			return 0;
		if ((rc = decide(s, ctx, diag)) != 0)
			return rc;
	}
	return flush(s, ctx, 0, out, diag);
}

static int
script_finish(void *state, struct tm_filter_ctx *ctx, struct tm_buf *out,
    struct tm_diag *diag)
{
	struct script_state *s = state;
	int rc;

	if (s->mode == M_NONE || s->pend.len == 0)
		return 0;
	if (!s->decided) {
		count(s);
		if ((rc = decide(s, ctx, diag)) != 0)
			return rc;
	}
	return flush(s, ctx, 1, out, diag);
}

const struct tm_filter_type tm_filter_script = {
	.abi = TM_FILTER_ABI,
	.name = "script",
	.phase = TM_PHASE_SCRIPT,
	.summary = "Traditional/Simplified Chinese, Kangxi radicals and "
	    "compatibility ideographs",
	.options = script_options,
	.on_by_default = 0,
	.state_size = sizeof(struct script_state),
	.init = script_init,
	.run = script_run,
	.finish = script_finish,
	.release = script_release,
};
