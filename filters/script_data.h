/*
 * script_data.h - the binary conversion tables of the script filter: the
 * file format written by filters/tables/script_gen.c at build time and
 * mapped read-only by script.c.
 *
 * A file holds a few tables (one per OpenCC dictionary group). Each table
 * has
 *   - a two-level character index: page[cp >> 8] picks a page of 256
 *     entries, each { map, lens }: `map` is the one code point cp turns
 *     into (0: none, or the value is not a single character), `lens` has
 *     bit L-1 set when some key of L characters starts with cp;
 *   - an open-addressing hash of every key that is not a plain
 *     character-to-character entry (phrases, and characters whose value is
 *     longer), keyed by FNV-1a of the key's UTF-8 bytes, and of every
 *     proper prefix of two or more characters of a longer key: a slot
 *     without a value (val_off UINT32_MAX) is only a prefix, and
 *     TM_SCRIPT_LONGER in val_len says longer keys start with this one;
 *   - a string pool with the keys and values.
 * Longest match at a position: when lens says phrases start with the
 * character, walk forward a character at a time while the hash knows the
 * prefix (most positions stop after one probe), remembering the last
 * prefix that is a key; else take map. All integers are
 * little-endian 32-bit (16-bit where noted), offsets count from the start
 * of the file. The generator and the reader are built together, so the
 * format has a version in its magic and no compatibility rules.
 */
#ifndef TEXTMEND_SCRIPT_DATA_H
#define TEXTMEND_SCRIPT_DATA_H

#include <stdint.h>

#define TM_SCRIPT_MAGIC "TMSCRPT3"
#define TM_SCRIPT_NPAGEIDX 0x1100u	/* pages of 256 up to U+10FFFF */
#define TM_SCRIPT_MAXLEN 32		/* longest key, in characters */
#define TM_SCRIPT_LONGER 0x8000u	/* in val_len: longer keys exist */

/* The tables, in file order. */
enum tm_script_table {
	TM_ST_TS,	/* TSPhrases + TSCharacters + our additions */
	TM_ST_ST,	/* STPhrases + STCharacters */
	TM_ST_TWV,	/* TWVariants: OpenCC Traditional -> Taiwan forms */
	TM_ST_HKV,	/* HKVariants: -> Hong Kong forms */
	TM_ST_TWVR,	/* TWVariantsRevPhrases + TWVariantsRev + additions */
	TM_ST_HKVR,	/* HKVariantsRevPhrases + HKVariantsRev + additions */
	TM_ST_TVR,	/* both of the above: any regional form, for t2s */
	TM_ST_COUNT
};

struct tm_script_hdr {
	char magic[8];
	uint32_t ntables;
	uint32_t size;		/* of the whole file */
	uint32_t table_off[TM_ST_COUNT];
};

struct tm_script_table_hdr {
	uint32_t pageidx_off;	/* uint16_t[TM_SCRIPT_NPAGEIDX], 0: empty */
	uint32_t pages_off;	/* struct tm_script_cell[npages][256] */
	uint32_t npages;	/* page 0 is all zero */
	uint32_t slots_off;	/* struct tm_script_slot[nslots] */
	uint32_t nslots;	/* a power of two */
	uint32_t pool_off;
	uint32_t pool_size;
	uint32_t nkeys;
};

struct tm_script_cell {
	uint32_t map;
	uint32_t lens;
};

struct tm_script_slot {
	uint32_t hash;
	uint32_t key_off;	/* UINT32_MAX: empty slot */
	uint16_t key_len;	/* bytes */
	uint16_t val_len;	/* bytes, | TM_SCRIPT_LONGER */
	uint32_t val_off;	/* UINT32_MAX: a prefix, not a key */
};

#define TM_SCRIPT_HASH_INIT 2166136261u

/* FNV-1a, continued from h, so a prefix's hash extends to the next. */
static inline uint32_t
tm_script_hash_more(uint32_t h, const char *p, size_t n)
{
	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return h;
}

static inline uint32_t
tm_script_hash(const char *p, size_t n)
{
	uint32_t h = TM_SCRIPT_HASH_INIT;

	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return h;
}

#endif
