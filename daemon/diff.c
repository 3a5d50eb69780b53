/*
 * diff.c - a unified line diff, for `textmend clean --diff`.
 *
 * Myers' O(ND) algorithm over lines (compared by hash, then bytes), with
 * three lines of context, in the format `patch` reads. Cleaning changes
 * few lines of a document, so D stays small; past MAX_D differences the
 * whole text is shown as one replaced hunk rather than spending quadratic
 * memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CONTEXT 3
#define MAX_D 4000

struct line {
	const char *p;
	size_t len;		/* without the newline */
	int nl;			/* ends with a newline */
	uint64_t hash;
};

struct lines {
	struct line *v;
	size_t n;
};

enum { KEEP, DEL, INS };

struct op {
	int kind;
	size_t a, b;		/* line indexes in a and b */
};

static int
split(const char *s, size_t len, struct lines *out)
{
	const char *end = s + len, *nl;
	size_t cap = 64;

	out->n = 0;
	if ((out->v = malloc(cap * sizeof(*out->v))) == NULL)
		return -1;
	while (s < end) {
		struct line *l;
		uint64_t h = 1469598103934665603u;
		const char *q;

		if (out->n == cap) {
			struct line *v = realloc(out->v, 2 * cap * sizeof(*v));

			if (v == NULL)
				return -1;
			out->v = v;
			cap *= 2;
		}
		l = &out->v[out->n++];
		nl = memchr(s, '\n', (size_t)(end - s));
		l->p = s;
		l->len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		l->nl = nl != NULL;
		for (q = s; q < s + l->len; q++)
			h = (h ^ (unsigned char)*q) * 1099511628211u;
		l->hash = h ^ (uint64_t)l->nl;
		s += l->len + (size_t)l->nl;
	}
	return 0;
}

static int
same(const struct line *x, const struct line *y)
{
	return x->hash == y->hash && x->len == y->len && x->nl == y->nl &&
	    memcmp(x->p, y->p, x->len) == 0;
}

/*
 * Shortest edit script from a to b as a list of ops. Returns the number of
 * ops, or -1 when it would take more than MAX_D edits or memory fails.
 */
static long
myers(const struct lines *a, const struct lines *b, struct op **opsp)
{
	long n = (long)a->n, m = (long)b->n, max = n + m, d, k, x, y;
	long off, dmax = max < MAX_D ? max : MAX_D, nops = 0;
	long *v, **trace;
	struct op *ops;

	off = dmax + 1;
	if ((v = calloc((size_t)(2 * off + 1), sizeof(*v))) == NULL)
		return -1;
	if ((trace = calloc((size_t)dmax + 1, sizeof(*trace))) == NULL) {
		free(v);
		return -1;
	}
	for (d = 0; d <= dmax; d++) {
		if ((trace[d] = malloc((size_t)(2 * off + 1) * sizeof(long))) == NULL)
			goto fail;
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && same(&a->v[x], &b->v[y])) {
				x++;
				y++;
			}
			v[off + k] = x;
			if (x >= n && y >= m) {
				memcpy(trace[d], v, (size_t)(2 * off + 1) * sizeof(long));
				goto found;
			}
		}
		memcpy(trace[d], v, (size_t)(2 * off + 1) * sizeof(long));
	}
	goto fail;
found:
	/* Walk back through the trace, then reverse. */
	if ((ops = malloc((size_t)(n + m + 1) * sizeof(*ops))) == NULL)
		goto fail;
	x = n;
	y = m;
	for (; d > 0; d--) {
		long *pv = trace[d - 1], pk, px, py;

		k = x - y;
		if (k == -d || (k != d && pv[off + k - 1] < pv[off + k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = pv[off + pk];
		py = px - pk;
		while (x > px && y > py) {
			x--; y--;
			ops[nops++] = (struct op){ KEEP, (size_t)x, (size_t)y };
		}
		if (x == px) {
			y--;
			ops[nops++] = (struct op){ INS, (size_t)x, (size_t)y };
		} else {
			x--;
			ops[nops++] = (struct op){ DEL, (size_t)x, (size_t)y };
		}
	}
	while (x > 0 && y > 0) {
		x--; y--;
		ops[nops++] = (struct op){ KEEP, (size_t)x, (size_t)y };
	}
	for (k = 0; k < nops / 2; k++) {
		struct op t = ops[k];

		ops[k] = ops[nops - 1 - k];
		ops[nops - 1 - k] = t;
	}
	for (d = 0; d <= dmax && trace[d] != NULL; d++)
		free(trace[d]);
	free(trace);
	free(v);
	*opsp = ops;
	return nops;
fail:
	for (d = 0; d <= dmax && trace[d] != NULL; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return -1;
}

static void
put_line(FILE *f, char sign, const struct line *l, int color)
{
	const char *on = "", *off = "";

	if (color && sign != ' ') {
		on = sign == '-' ? "\033[31m" : "\033[32m";
		off = "\033[m";
	}
	fprintf(f, "%s%c%.*s%s\n", on, sign, (int)l->len, l->p, off);
	if (!l->nl)
		fputs("\\ No newline at end of file\n", f);
}

/* Everything replaced: the fallback when the diff would be too costly. */
static long
replace_all(const struct lines *a, const struct lines *b, struct op **opsp)
{
	struct op *ops;
	size_t i, n = 0;

	if ((ops = malloc((a->n + b->n + 1) * sizeof(*ops))) == NULL)
		return -1;
	for (i = 0; i < a->n; i++)
		ops[n++] = (struct op){ DEL, i, 0 };
	for (i = 0; i < b->n; i++)
		ops[n++] = (struct op){ INS, a->n, i };
	*opsp = ops;
	return (long)n;
}

int
tm_diff_unified(FILE *f, const char *a, size_t alen, const char *b,
    size_t blen, const char *name_a, const char *name_b, int color)
{
	struct lines la = { 0 }, lb = { 0 };
	struct op *ops = NULL;
	long nops, i, j, start, end;
	int hunks = 0;

	if (split(a, alen, &la) != 0 || split(b, blen, &lb) != 0)
		goto out;
	if ((nops = myers(&la, &lb, &ops)) < 0 &&
	    (nops = replace_all(&la, &lb, &ops)) < 0)
		goto out;
	for (i = 0; i < nops; i++) {
		size_t a0, b0, ac = 0, bc = 0;

		if (ops[i].kind == KEEP)
			continue;
		/* A hunk: from CONTEXT keeps before the change to the point
		   where more than 2*CONTEXT keeps follow the last change. */
		start = i - CONTEXT > 0 ? i - CONTEXT : 0;
		while (start < i && ops[start].kind != KEEP)
			start++;
		for (end = i; end < nops; end++) {
			if (ops[end].kind != KEEP)
				continue;
			for (j = end; j < nops && ops[j].kind == KEEP; j++)
				;
			if (j == nops || j - end > 2 * CONTEXT)
				break;
			end = j - 1;
		}
		end = end + CONTEXT < nops ? end + CONTEXT : nops;
		for (j = start; j < end; j++) {
			ac += ops[j].kind != INS;
			bc += ops[j].kind != DEL;
		}
		a0 = ops[start].a;
		b0 = ops[start].b;
		if (hunks++ == 0)
			fprintf(f, "--- %s\n+++ %s (cleaned)\n", name_a, name_b);
		fprintf(f, "%s@@ -%zu,%zu +%zu,%zu @@%s\n", color ? "\033[36m" : "",
		    ac ? a0 + 1 : a0, ac, bc ? b0 + 1 : b0, bc,
		    color ? "\033[m" : "");
		for (j = start; j < end; j++) {
			if (ops[j].kind == KEEP)
				put_line(f, ' ', &la.v[ops[j].a], color);
			else if (ops[j].kind == DEL)
				put_line(f, '-', &la.v[ops[j].a], color);
			else
				put_line(f, '+', &lb.v[ops[j].b], color);
		}
		i = end - 1;
	}
out:
	free(ops);
	free(la.v);
	free(lb.v);
	return hunks;
}
