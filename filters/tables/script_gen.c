/*
 * script_gen.c - build the script filter's conversion tables.
 *
 * Runs at build time (CMake add_custom_command): reads OpenCC dictionaries
 * exported as text by `opencc_dict -f ocd2 -t text` (one entry a line,
 * "key<TAB>value[ value...]") plus textmend's own additions in the same
 * format, and writes the binary file described in filters/script_data.h.
 *
 *   script_gen OUT TABLE0 TABLE1 ... (one argument per table, in the order
 *   of enum tm_script_table; each a comma-separated list of text files)
 *
 * Within a table the files are a group, as in OpenCC's configs: a key
 * keeps the value from the first file that has it, and of several
 * candidate values the first. Identity entries are kept on purpose: a
 * phrase that maps to itself (乾隆) stops its characters from being
 * converted one by one. Lines starting with '#' are comments.
 *
 * A build tool, not part of the library: it may exit on error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../script_data.h"

struct entry {
	char *key, *val;
	size_t klen, vlen;
	uint32_t nchars;	/* of the key */
	uint32_t first;		/* first code point of the key */
};

struct table {
	struct entry *e;
	size_t n, cap;
	/* A small hash of keys seen, to keep the first value. */
	uint32_t *seen;
	size_t nseen;
};

static void
die(const char *what)
{
	fprintf(stderr, "script_gen: %s: %s\n", what,
	    errno ? strerror(errno) : "bad input");
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("realloc");
	return p;
}

/* Decode one UTF-8 character; 0 on a malformed one. */
static uint32_t
utf8_next(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t cp;
	int n, i;

	if (p[0] < 0x80) {
		*pp += 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		cp = p[0] & 0x1F;
		n = 1;
	} else if ((p[0] & 0xF0) == 0xE0) {
		cp = p[0] & 0x0F;
		n = 2;
	} else if ((p[0] & 0xF8) == 0xF0) {
		cp = p[0] & 0x07;
		n = 3;
	} else
		return 0;
	if ((const char *)p + n >= end)
		return 0;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	*pp += n + 1;
	return cp;
}

static int
find_seen(struct table *t, const char *k, size_t klen)
{
	size_t i;
	uint32_t h = tm_script_hash(k, klen);
	size_t mask = t->nseen - 1;

	for (i = h & mask;; i = (i + 1) & mask) {
		uint32_t x = t->seen[i];

		if (x == 0)
			return 0;
		if (t->e[x - 1].klen == klen &&
		    memcmp(t->e[x - 1].key, k, klen) == 0)
			return 1;
	}
}

static void
add_seen(struct table *t, size_t idx)
{
	size_t i, mask;
	uint32_t h;

	if ((t->n + 1) * 2 > t->nseen) {
		size_t j, old = t->nseen;
		uint32_t *s = t->seen;

		t->nseen = old ? old * 2 : 1024;
		t->seen = calloc(t->nseen, sizeof(*t->seen));
		if (t->seen == NULL)
			die("calloc");
		for (j = 0; j < old; j++)
			if (s[j] != 0) {
				struct entry *e = &t->e[s[j] - 1];

				mask = t->nseen - 1;
				h = tm_script_hash(e->key, e->klen);
				for (i = h & mask; t->seen[i] != 0;
				    i = (i + 1) & mask)
					;
				t->seen[i] = s[j];
			}
		free(s);
	}
	mask = t->nseen - 1;
	h = tm_script_hash(t->e[idx].key, t->e[idx].klen);
	for (i = h & mask; t->seen[i] != 0; i = (i + 1) & mask)
		;
	t->seen[i] = (uint32_t)idx + 1;
}

static void
load(struct table *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], *tab, *val, *sp;
	struct entry e;
	const char *p;
	size_t len;

	if (f == NULL)
		die(path);
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((tab = strchr(line, '\t')) == NULL)
			die(path);
		*tab = '\0';
		val = tab + 1;
		if ((sp = strchr(val, ' ')) != NULL)
			*sp = '\0';
		memset(&e, 0, sizeof(e));
		e.klen = strlen(line);
		e.vlen = strlen(val);
		if (e.klen == 0 || e.vlen == 0 || e.klen > 0xFFFF ||
		    e.vlen >= TM_SCRIPT_LONGER)
			die(path);
		p = line;
		while (p < line + e.klen) {
			uint32_t cp = utf8_next(&p, line + e.klen);

			if (cp == 0)
				die(path);
			if (e.nchars++ == 0)
				e.first = cp;
		}
		if (e.nchars > TM_SCRIPT_MAXLEN)
			continue;
		if (t->nseen > 0 && find_seen(t, line, e.klen))
			continue;	/* an earlier file of the group wins */
		if ((e.key = strdup(line)) == NULL ||
		    (e.val = strdup(val)) == NULL)
			die("strdup");
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 4096;
			t->e = xrealloc(t->e, t->cap * sizeof(*t->e));
		}
		t->e[t->n] = e;
		add_seen(t, t->n);
		t->n++;
	}
	if (ferror(f))
		die(path);
	fclose(f);
}

/* The output, grown as tables are appended. */
static char *out;
static size_t olen, ocap;

static size_t
emit(const void *p, size_t n)
{
	size_t pad = (4 - olen % 4) % 4, at;

	while (olen + pad + n > ocap) {
		ocap = ocap ? ocap * 2 : (size_t)1 << 20;
		out = xrealloc(out, ocap);
	}
	memset(out + olen, 0, pad);
	olen += pad;
	at = olen;
	if (p != NULL)
		memcpy(out + olen, p, n);
	else
		memset(out + olen, 0, n);
	olen += n;
	return at;
}

/* Is the value one code point? Then it fits a cell's map. */
static uint32_t
single_cp(const struct entry *e)
{
	const char *p = e->val;
	uint32_t cp = utf8_next(&p, e->val + e->vlen);

	return p == e->val + e->vlen ? cp : 0;
}

static size_t
write_table(struct table *t)
{
	struct tm_script_table_hdr h;
	uint16_t *pageidx;
	struct tm_script_cell *pages = NULL;
	struct tm_script_slot *slots;
	char *pool = NULL;
	size_t npages = 1, nslots = 16, nhash = 0, psize = 0, i, at, mask;
	size_t hdr_at;

	pageidx = calloc(TM_SCRIPT_NPAGEIDX, sizeof(*pageidx));
	if (pageidx == NULL)
		die("calloc");
	for (i = 0; i < t->n; i++) {
		uint32_t pg = t->e[i].first >> 8;

		if (pg >= TM_SCRIPT_NPAGEIDX)
			die("code point");
		if (pageidx[pg] == 0)
			pageidx[pg] = (uint16_t)npages++;
		if (t->e[i].nchars > 1 || single_cp(&t->e[i]) == 0 ||
		    single_cp(&t->e[i]) == t->e[i].first)
			nhash++;
	}
	/* Room for every key and every proper prefix of two or more
	   characters (see script_data.h), at most half full. */
	for (i = 0; i < t->n; i++)
		if (t->e[i].nchars > 2)
			nhash += t->e[i].nchars - 2;
	pages = calloc(npages * 256, sizeof(*pages));
	while (nslots < nhash * 2)
		nslots *= 2;
	slots = malloc(nslots * sizeof(*slots));
	if (pages == NULL || slots == NULL)
		die("malloc");
	for (i = 0; i < nslots; i++) {
		memset(&slots[i], 0, sizeof(slots[i]));
		slots[i].key_off = UINT32_MAX;
		slots[i].val_off = UINT32_MAX;
	}
	mask = nslots - 1;
	for (i = 0; i < t->n; i++) {
		struct entry *e = &t->e[i];
		struct tm_script_cell *c =
		    &pages[pageidx[e->first >> 8] * 256 + (e->first & 0xFF)];
		uint32_t cp = single_cp(e), hash;
		size_t j;

		if (e->nchars == 1 && cp != 0 && cp != e->first) {
			c->map = cp;
			continue;
		}
		/* Identity characters need no entry: unmapped is the same. */
		if (e->nchars == 1 && cp == e->first)
			continue;
		c->lens |= 1u << (e->nchars - 1);
		pool = xrealloc(pool, psize + e->klen + e->vlen);
		memcpy(pool + psize, e->key, e->klen);
		memcpy(pool + psize + e->klen, e->val, e->vlen);
		hash = tm_script_hash(e->key, e->klen);
		for (j = hash & mask; slots[j].key_off != UINT32_MAX;
		    j = (j + 1) & mask)
			;
		slots[j].hash = hash;
		slots[j].key_off = (uint32_t)psize;	/* relocated below */
		slots[j].key_len = (uint16_t)e->klen;
		slots[j].val_off = (uint32_t)(psize + e->klen);
		slots[j].val_len = (uint16_t)e->vlen;
		psize += e->klen + e->vlen;
	}
	/* The prefixes: mark keys that have longer keys, add the rest. */
	for (i = 0; i < t->n; i++) {
		struct entry *e = &t->e[i];
		const char *p = e->key, *end = e->key + e->klen;
		uint32_t n, hash;
		size_t j, plen;

		if (e->nchars < 3)
			continue;
		utf8_next(&p, end);
		for (n = 2; n < e->nchars; n++) {
			utf8_next(&p, end);
			plen = (size_t)(p - e->key);
			hash = tm_script_hash(e->key, plen);
			for (j = hash & mask; slots[j].key_off != UINT32_MAX;
			    j = (j + 1) & mask)
				if (slots[j].hash == hash &&
				    slots[j].key_len == plen &&
				    memcmp(pool + slots[j].key_off, e->key,
				    plen) == 0)
					break;
			if (slots[j].key_off == UINT32_MAX) {
				pool = xrealloc(pool, psize + plen);
				memcpy(pool + psize, e->key, plen);
				slots[j].hash = hash;
				slots[j].key_off = (uint32_t)psize;
				slots[j].key_len = (uint16_t)plen;
				psize += plen;
			}
			slots[j].val_len |= TM_SCRIPT_LONGER;
		}
	}

	memset(&h, 0, sizeof(h));
	hdr_at = emit(NULL, sizeof(h));
	h.pageidx_off = (uint32_t)emit(pageidx,
	    TM_SCRIPT_NPAGEIDX * sizeof(*pageidx));
	h.pages_off = (uint32_t)emit(pages, npages * 256 * sizeof(*pages));
	h.npages = (uint32_t)npages;
	h.pool_off = (uint32_t)emit(pool, psize);
	h.pool_size = (uint32_t)psize;
	for (i = 0; i < nslots; i++) {
		if (slots[i].key_off != UINT32_MAX)
			slots[i].key_off += h.pool_off;
		if (slots[i].val_off != UINT32_MAX)
			slots[i].val_off += h.pool_off;
	}
	h.slots_off = (uint32_t)emit(slots, nslots * sizeof(*slots));
	h.nslots = (uint32_t)nslots;
	h.nkeys = (uint32_t)t->n;
	memcpy(out + hdr_at, &h, sizeof(h));
	at = hdr_at;
	free(pageidx);
	free(pages);
	free(slots);
	free(pool);
	return at;
}

int
main(int argc, char **argv)
{
	struct tm_script_hdr hdr;
	struct table t;
	char *list, *file, *save;
	FILE *f;
	int i;

	if (argc != 2 + TM_ST_COUNT) {
		fprintf(stderr, "usage: script_gen OUT TABLE... (%d tables,"
		    " each FILE[,FILE...])\n", TM_ST_COUNT);
		return 2;
	}
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, TM_SCRIPT_MAGIC, 8);
	hdr.ntables = TM_ST_COUNT;
	emit(&hdr, sizeof(hdr));
	for (i = 0; i < TM_ST_COUNT; i++) {
		memset(&t, 0, sizeof(t));
		if ((list = strdup(argv[2 + i])) == NULL)
			die("strdup");
		for (file = strtok_r(list, ",", &save); file != NULL;
		    file = strtok_r(NULL, ",", &save))
			load(&t, file);
		hdr.table_off[i] = (uint32_t)write_table(&t);
		free(list);
		while (t.n > 0) {
			t.n--;
			free(t.e[t.n].key);
			free(t.e[t.n].val);
		}
		free(t.e);
		free(t.seen);
	}
	emit(NULL, 0);
	hdr.size = (uint32_t)olen;
	memcpy(out, &hdr, sizeof(hdr));
	errno = 0;
	if ((f = fopen(argv[1], "wb")) == NULL)
		die(argv[1]);
	if (fwrite(out, 1, olen, f) != olen || fclose(f) != 0)
		die(argv[1]);
	free(out);
	return 0;
}
