/*
 * report.c - the per-file report.
 *
 * Counts are exact; the text of edits and suspects is sampled (the first
 * sample_limit per filter) and each sampled text is cut to SAMPLE_TEXT
 * bytes, so a report stays a few kilobytes for any input. Sampled text is
 * made valid UTF-8 (invalid bytes become the four characters \xNN) when
 * it is recorded, so the JSON writer never sees bad input.
 *
 * JSON is written with jansson (Debian's libjansson): it gets escaping and
 * number formatting right, and the daemon uses it to parse requests too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "textmend/report.h"
#include "textmend/utf8.h"

#define MAX_FILTERS 32
#define MAX_RULES 16
#define SAMPLE_TEXT 160

struct rule_count {
	const char *rule;	/* static */
	uint64_t n;
};

struct filter_rec {
	char name[24];
	uint64_t edits, suspects, ns;
	long sampled_edits, sampled_suspects;
	struct rule_count rules[MAX_RULES];
	unsigned nrules;
};

struct sample {
	unsigned slot;
	int suspect;
	uint64_t offset;
	char *before;		/* the text, for a suspect */
	char *after;		/* NULL for a suspect */
	const char *rule;	/* rule, or the suspect's reason */
};

struct tm_report {
	char *name;
	uint64_t input_size, output_size, total_ns;
	uint32_t crc32;
	int have_output;
	char encoding[48];
	double confidence;
	int gzip, bom;
	long sample_limit;
	struct filter_rec filters[MAX_FILTERS];
	unsigned nfilters;
	struct sample *samples;
	size_t nsamples, capsamples;
	int oom;		/* a sample could not be stored */
};

struct tm_report *
tm_report_new(const char *name)
{
	struct tm_report *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->name = strdup(name != NULL ? name : "-")) == NULL) {
		free(r);
		return NULL;
	}
	r->sample_limit = TM_REPORT_SAMPLE_DEFAULT;
	return r;
}

void
tm_report_free(struct tm_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsamples; i++) {
		free(r->samples[i].before);
		free(r->samples[i].after);
	}
	free(r->samples);
	free(r->name);
	free(r);
}

void
tm_report_set_sample_limit(struct tm_report *r, long limit)
{
	r->sample_limit = limit;
}

int
tm_report_add_filter(struct tm_report *r, const char *name)
{
	struct filter_rec *f;

	if (r->nfilters == MAX_FILTERS)
		return TM_ELIMIT;
	f = &r->filters[r->nfilters];
	snprintf(f->name, sizeof(f->name), "%s", name);
	return (int)r->nfilters++;
}

void
tm_report_set_input_size(struct tm_report *r, uint64_t size)
{
	r->input_size = size;
}

void
tm_report_set_output(struct tm_report *r, uint64_t size, uint32_t crc32)
{
	r->output_size = size;
	r->crc32 = crc32;
	r->have_output = 1;
}

void
tm_report_add_time(struct tm_report *r, unsigned slot, uint64_t ns)
{
	if (slot < r->nfilters)
		r->filters[slot].ns += ns;
}

void
tm_report_set_total_time(struct tm_report *r, uint64_t ns)
{
	r->total_ns = ns;
}

void
tm_report_set_encoding(struct tm_report *r, const char *name,
    double confidence, int gzip, int bom)
{
	snprintf(r->encoding, sizeof(r->encoding), "%s", name);
	r->confidence = confidence;
	r->gzip = gzip;
	r->bom = bom;
}

/*
 * Copy up to `limit` bytes of p as valid UTF-8, \xNN for bad bytes (and
 * NUL), with an ellipsis when cut. Every input byte yields at most four
 * output bytes, which sizes the allocation.
 */
static char *
valid_text(const char *p, size_t n, size_t limit)
{
	const char *end = p + n, *q;
	size_t len = 0;
	char *s;

	if ((s = malloc((n < limit ? n : limit) * 4 + 8)) == NULL)
		return NULL;
	while (p < end && len < limit) {
		unsigned cp;

		q = p;
		cp = tm_utf8_next(&q, end);
		if (cp == TM_UTF8_BAD || cp == 0) {
			len += (size_t)snprintf(s + len, 5, "\\x%02X",
			    (unsigned char)*p);
			p++;
			continue;
		}
		memcpy(s + len, p, (size_t)(q - p));
		len += (size_t)(q - p);
		p = q;
	}
	if (p < end) {
		memcpy(s + len, "\xe2\x80\xa6", 3);	/* … */
		len += 3;
	}
	s[len] = '\0';
	return s;
}

static char *
sample_text(const char *p, size_t n)
{
	return valid_text(p, n, SAMPLE_TEXT);
}

static void
count_rule(struct filter_rec *f, const char *rule)
{
	unsigned i;

	for (i = 0; i < f->nrules; i++) {
		if (f->rules[i].rule == rule ||
		    strcmp(f->rules[i].rule, rule) == 0) {
			f->rules[i].n++;
			return;
		}
	}
	if (f->nrules < MAX_RULES) {
		f->rules[f->nrules].rule = rule;
		f->rules[f->nrules++].n = 1;
	}
}

static void
add_sample(struct tm_report *r, unsigned slot, int suspect, uint64_t off,
    const char *a, size_t alen, const char *b, size_t blen, const char *rule)
{
	struct sample *s;

	if (r->nsamples == r->capsamples) {
		size_t cap = r->capsamples ? r->capsamples * 2 : 32;
		struct sample *n = realloc(r->samples, cap * sizeof(*n));

		if (n == NULL) {
			r->oom = 1;
			return;
		}
		r->samples = n;
		r->capsamples = cap;
	}
	s = &r->samples[r->nsamples];
	s->slot = slot;
	s->suspect = suspect;
	s->offset = off;
	s->rule = rule;
	s->before = sample_text(a, alen);
	s->after = suspect ? NULL : sample_text(b, blen);
	if (s->before == NULL || (!suspect && s->after == NULL)) {
		free(s->before);
		free(s->after);
		r->oom = 1;
		return;
	}
	r->nsamples++;
}

void
tm_edit(struct tm_filter_ctx *ctx, size_t seg_off, const char *before,
    size_t blen, const char *after, size_t alen, const char *rule)
{
	struct tm_report *r = ctx->report;
	struct filter_rec *f;

	if (r == NULL || ctx->slot >= r->nfilters)
		return;
	f = &r->filters[ctx->slot];
	f->edits++;
	count_rule(f, rule);
	if (r->sample_limit < 0 || f->sampled_edits < r->sample_limit) {
		f->sampled_edits++;
		add_sample(r, ctx->slot, 0, ctx->offset + seg_off, before,
		    blen, after, alen, rule);
	}
}

void
tm_suspect(struct tm_filter_ctx *ctx, size_t seg_off, const char *text,
    size_t len, const char *reason)
{
	struct tm_report *r = ctx->report;
	struct filter_rec *f;

	if (r == NULL || ctx->slot >= r->nfilters)
		return;
	f = &r->filters[ctx->slot];
	f->suspects++;
	if (r->sample_limit < 0 || f->sampled_suspects < r->sample_limit) {
		f->sampled_suspects++;
		add_sample(r, ctx->slot, 1, ctx->offset + seg_off, text, len,
		    NULL, 0, reason);
	}
}

const char *
tm_report_name(const struct tm_report *r)
{
	return r->name;
}

const char *
tm_report_encoding(const struct tm_report *r)
{
	return r->encoding;
}

double
tm_report_confidence(const struct tm_report *r)
{
	return r->confidence;
}

unsigned
tm_report_nfilters(const struct tm_report *r)
{
	return r->nfilters;
}

const char *
tm_report_filter_name(const struct tm_report *r, unsigned slot)
{
	return slot < r->nfilters ? r->filters[slot].name : NULL;
}

uint64_t
tm_report_edits(const struct tm_report *r, unsigned slot)
{
	return slot < r->nfilters ? r->filters[slot].edits : 0;
}

uint64_t
tm_report_suspects(const struct tm_report *r, unsigned slot)
{
	return slot < r->nfilters ? r->filters[slot].suspects : 0;
}

uint64_t
tm_report_total_edits(const struct tm_report *r)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < r->nfilters; i++)
		n += r->filters[i].edits;
	return n;
}

uint64_t
tm_report_time_ns(const struct tm_report *r, unsigned slot)
{
	return slot < r->nfilters ? r->filters[slot].ns : 0;
}

uint64_t
tm_report_output_size(const struct tm_report *r)
{
	return r->output_size;
}

void
tm_report_foreach_edit(const struct tm_report *r, tm_report_edit_fn fn,
    void *arg)
{
	size_t i;

	for (i = 0; i < r->nsamples; i++) {
		const struct sample *s = &r->samples[i];

		if (!s->suspect)
			fn(arg, r->filters[s->slot].name, s->offset,
			    s->before, s->after, s->rule);
	}
}

void
tm_report_foreach_suspect(const struct tm_report *r,
    tm_report_suspect_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < r->nsamples; i++) {
		const struct sample *s = &r->samples[i];

		if (s->suspect)
			fn(arg, r->filters[s->slot].name, s->offset,
			    s->before, s->rule);
	}
}

static double
ms(uint64_t ns)
{
	return (double)(ns / 1000) / 1000.0;
}

static json_t *
filter_json(const struct tm_report *r, unsigned slot)
{
	const struct filter_rec *f = &r->filters[slot];
	json_t *o, *rules, *edits, *suspects;
	size_t i;

	o = json_pack("{s:s, s:I, s:I, s:f}", "name", f->name,
	    "edits", (json_int_t)f->edits, "suspects",
	    (json_int_t)f->suspects, "ms", ms(f->ns));
	rules = json_object();
	edits = json_array();
	suspects = json_array();
	if (o == NULL || rules == NULL || edits == NULL || suspects == NULL)
		goto fail;
	for (i = 0; i < f->nrules; i++)
		json_object_set_new(rules, f->rules[i].rule,
		    json_integer((json_int_t)f->rules[i].n));
	for (i = 0; i < r->nsamples; i++) {
		const struct sample *s = &r->samples[i];

		if (s->slot != slot)
			continue;
		if (s->suspect)
			json_array_append_new(suspects, json_pack(
			    "{s:I, s:s, s:s}", "offset", (json_int_t)s->offset,
			    "text", s->before, "reason", s->rule));
		else
			json_array_append_new(edits, json_pack(
			    "{s:I, s:s, s:s, s:s}", "offset",
			    (json_int_t)s->offset, "rule", s->rule,
			    "before", s->before, "after", s->after));
	}
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "sample", edits);
	json_object_set_new(o, "suspect_sample", suspects);
	return o;
fail:
	json_decref(o);
	json_decref(rules);
	json_decref(edits);
	json_decref(suspects);
	return NULL;
}

int
tm_report_json(const struct tm_report *r, struct tm_buf *out)
{
	json_t *root, *filters, *f;
	char crc[16];
	char *s, *name;
	unsigned i;
	int rc;

	snprintf(crc, sizeof(crc), "%08x", (unsigned)r->crc32);
	/* File names are bytes; JSON wants UTF-8 (a GBK name, say). */
	if ((name = valid_text(r->name, strlen(r->name), SIZE_MAX / 8)) == NULL)
		return -ENOMEM;
	root = json_pack("{s:s, s:I, s:s?, s:f, s:b, s:b}",
	    "input", name, "input_size", (json_int_t)r->input_size,
	    "encoding", r->encoding[0] ? r->encoding : NULL,
	    "confidence", r->confidence, "gzip", r->gzip, "bom", r->bom);
	free(name);
	filters = json_array();
	if (root == NULL || filters == NULL) {
		json_decref(root);
		json_decref(filters);
		return -ENOMEM;
	}
	for (i = 0; i < r->nfilters; i++) {
		if ((f = filter_json(r, i)) == NULL) {
			json_decref(filters);
			json_decref(root);
			return -ENOMEM;
		}
		json_array_append_new(filters, f);
	}
	json_object_set_new(root, "filters", filters);
	json_object_set_new(root, "edits",
	    json_integer((json_int_t)tm_report_total_edits(r)));
	if (r->have_output) {
		json_object_set_new(root, "output_size",
		    json_integer((json_int_t)r->output_size));
		json_object_set_new(root, "crc32", json_string(crc));
	}
	json_object_set_new(root, "ms", json_real(ms(r->total_ns)));
	if (r->oom)
		json_object_set_new(root, "sample_incomplete", json_true());
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6));
	json_decref(root);
	if (s == NULL)
		return -ENOMEM;
	rc = tm_buf_puts(out, s);
	free(s);
	return rc;
}
