/*
 * pipeline.c - chains of filters and runs of them over documents.
 *
 * A run has two halves. decode turns the bytes fed in into UTF-8 text,
 * which collects in `pending`; whenever enough has collected, the text up
 * to the last paragraph boundary is cut off as a segment and passed
 * through the other stages in phase order, and the result goes to the
 * sink. At the end, each stage's finish() may release text it held back;
 * that text goes through the stages after it. So memory is bounded by
 * the segment size (TM_SEGMENT_MAX at worst), whatever the input size.
 *
 * A paragraph boundary is the end of a blank line. Text written with one
 * paragraph per line has none; it is cut at a line end once a segment
 * reaches TM_SEGMENT_MAX, and a single line longer than that where a
 * filter can least be in the middle of something (safe_cut): after a
 * Chinese sentence mark, else at a character boundary.
 *
 * Debug builds check the filter contract after every stage: valid UTF-8,
 * no NUL bytes.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "textmend/pipeline.h"
#include "textmend/utf8.h"
#include "internal.h"
#include "options.h"

#define MAX_STAGES 16
#define SEGMENT_TARGET ((size_t)64 << 10)
#define READ_CHUNK ((size_t)64 << 10)
/* decode gets at most this much at a time, so that even gzip input at the
   largest ratio decode allows expands to a bounded amount per call. */
#define DECODE_CHUNK ((size_t)8 << 10)
#define PENDING_MAX ((size_t)32 << 20)
#define CUT_WINDOW ((size_t)4 << 10)	/* looked back for a safe cut */

struct tm_chain {
	size_t n;
	struct tm_options stages[MAX_STAGES];	/* sorted by phase */
};

struct stage {
	const struct tm_filter_type *type;
	void *state;
	int live;		/* init succeeded: release is due */
	struct tm_filter_ctx ctx;
	uint64_t in_off;
};

struct tm_pipeline {
	const struct tm_chain *chain;
	struct tm_report *report;
	tm_sink_fn sink, tap;
	void *sink_arg, *tap_arg;
	size_t n;
	struct stage stages[MAX_STAGES];
	struct tm_buf pending;		/* decoded text not yet segmented */
	size_t scan_pos;		/* pending scanned up to here */
	size_t last_para, last_nl;	/* last boundaries found, 0: none */
	struct tm_buf work[2];		/* ping-pong between stages */
	struct tm_buf held;		/* a stage's finish() output */
	uint64_t in_size, out_size;
	uint32_t crc;
	uint64_t t0;
	int failed;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- chains ---- */

static int
chain_index(const struct tm_chain *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->stages[i].type->name, name) == 0)
			return (int)i;
	return -1;
}

static int
chain_add(struct tm_chain *c, const struct tm_filter_type *type)
{
	size_t i;

	if (chain_index(c, type->name) >= 0)
		return 0;
	if (c->n == MAX_STAGES)
		return TM_ELIMIT;
	/* Insert in phase order. */
	for (i = c->n; i > 0 && c->stages[i - 1].type->phase > type->phase;
	    i--)
		c->stages[i] = c->stages[i - 1];
	tm_options_init(&c->stages[i], type);
	c->n++;
	return 0;
}

static int
unknown_filter(struct tm_diag *diag, const char *name, size_t len)
{
	return tm_diag_set(diag, TM_EUSAGE, NULL, -1,
	    "unknown filter '%.*s' (see 'textmend filters')", (int)len, name);
}

int
tm_chain_new(struct tm_chain **out, const char *list, struct tm_diag *diag)
{
	const struct tm_filter_type *const *f, *type;
	struct tm_chain *c;
	const char *p, *comma;
	char name[32];
	size_t len;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	if ((rc = chain_add(c, &tm_filter_decode)) != 0)
		goto fail;
	if (list == NULL) {
		for (f = tm_filters; *f != NULL; f++)
			if ((*f)->on_by_default &&
			    (rc = chain_add(c, *f)) != 0)
				goto fail;
	} else {
		for (p = list; *p != '\0'; p = comma ? comma + 1 : p + len) {
			comma = strchr(p, ',');
			len = comma ? (size_t)(comma - p) : strlen(p);
			while (len > 0 && (*p == ' ' || *p == '\t')) {
				p++;
				len--;
			}
			while (len > 0 && (p[len - 1] == ' ' ||
			    p[len - 1] == '\t'))
				len--;
			if (len == 0 || len >= sizeof(name)) {
				if (len == 0 && comma == NULL)
					break;
				rc = unknown_filter(diag, p, len);
				goto fail;
			}
			memcpy(name, p, len);
			name[len] = '\0';
			if ((type = tm_filter_find(name)) == NULL) {
				rc = unknown_filter(diag, p, len);
				goto fail;
			}
			if ((rc = chain_add(c, type)) != 0)
				goto fail;
			if (comma == NULL)
				break;
		}
	}
	*out = c;
	return 0;
fail:
	tm_chain_free(c);
	return rc;
}

void
tm_chain_free(struct tm_chain *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		tm_options_release(&c->stages[i]);
	free(c);
}

int
tm_chain_clone(struct tm_chain **out, const struct tm_chain *src)
{
	struct tm_chain *c;
	size_t i;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	for (i = 0; i < src->n; i++) {
		if ((rc = tm_options_copy(&c->stages[i], &src->stages[i])) != 0) {
			tm_chain_free(c);
			return rc;
		}
		c->n++;
	}
	*out = c;
	return 0;
}

int
tm_chain_enable(struct tm_chain *c, const char *filter, int on,
    struct tm_diag *diag)
{
	const struct tm_filter_type *type = tm_filter_find(filter);
	int i;

	if (type == NULL)
		return unknown_filter(diag, filter, strlen(filter));
	if (on)
		return chain_add(c, type);
	if (type == &tm_filter_decode)
		return tm_diag_set(diag, TM_EUSAGE, NULL, -1,
		    "decode cannot be turned off");
	if ((i = chain_index(c, filter)) < 0)
		return 0;
	tm_options_release(&c->stages[i]);
	memmove(&c->stages[i], &c->stages[i + 1],
	    (c->n - (size_t)i - 1) * sizeof(c->stages[0]));
	c->n--;
	return 0;
}

int
tm_chain_add_type(struct tm_chain *c, const struct tm_filter_type *type)
{
	if (type == NULL || type->abi != TM_FILTER_ABI || type->run == NULL)
		return TM_EUSAGE;
	return chain_add(c, type);
}

int
tm_chain_set(struct tm_chain *c, const char *filter, const char *key,
    const char *value, struct tm_diag *diag)
{
	const struct tm_filter_type *type = tm_filter_find(filter);
	int rc, i;

	if (type == NULL)
		return unknown_filter(diag, filter, strlen(filter));
	if ((rc = chain_add(c, type)) != 0)
		return rc;
	i = chain_index(c, filter);
	return tm_options_set(&c->stages[i], key, value, diag);
}

int
tm_chain_set_str(struct tm_chain *c, const char *setting,
    struct tm_diag *diag)
{
	const char *dot = strchr(setting, '.'), *eq = strchr(setting, '=');
	char filter[32], key[64];

	if (dot == NULL || eq == NULL || dot > eq ||
	    (size_t)(dot - setting) >= sizeof(filter) ||
	    (size_t)(eq - dot - 1) >= sizeof(key))
		return tm_diag_set(diag, TM_EUSAGE, NULL, -1,
		    "'%s' is not FILTER.OPTION=VALUE", setting);
	memcpy(filter, setting, (size_t)(dot - setting));
	filter[dot - setting] = '\0';
	memcpy(key, dot + 1, (size_t)(eq - dot - 1));
	key[eq - dot - 1] = '\0';
	return tm_chain_set(c, filter, key, eq + 1, diag);
}

int
tm_chain_check(const struct tm_chain *c, struct tm_diag *diag)
{
	const struct tm_filter_type *t;
	void *state;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->n && rc == 0; i++) {
		t = c->stages[i].type;
		if (t->init == NULL)
			continue;
		if ((state = calloc(1, t->state_size ? t->state_size : 1)) == NULL)
			return -ENOMEM;
		rc = t->init(state, &c->stages[i], diag);
		if (rc == 0 && t->release != NULL)
			t->release(state);
		free(state);
	}
	return rc;
}

size_t
tm_chain_len(const struct tm_chain *c)
{
	return c->n;
}

const struct tm_filter_type *
tm_chain_filter(const struct tm_chain *c, size_t i)
{
	return i < c->n ? c->stages[i].type : NULL;
}

const struct tm_options *
tm_chain_options(const struct tm_chain *c, size_t i)
{
	return i < c->n ? &c->stages[i] : NULL;
}

/* ---- runs ---- */

int
tm_pipeline_new(struct tm_pipeline **out, const struct tm_chain *c,
    struct tm_report *report, tm_sink_fn sink, void *sink_arg,
    struct tm_diag *diag)
{
	struct tm_pipeline *p;
	struct stage *s;
	size_t i;
	int rc, slot;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	p->chain = c;
	p->report = report;
	p->sink = sink;
	p->sink_arg = sink_arg;
	p->t0 = now_ns();
	tm_buf_init(&p->pending, PENDING_MAX);
	tm_buf_init(&p->work[0], TM_BUF_DEFAULT_MAX);
	tm_buf_init(&p->work[1], TM_BUF_DEFAULT_MAX);
	tm_buf_init(&p->held, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < c->n; i++) {
		s = &p->stages[i];
		s->type = c->stages[i].type;
		p->n++;
		if ((slot = tm_report_add_filter(report, s->type->name)) < 0) {
			rc = slot;
			goto fail;
		}
		s->ctx.report = report;
		s->ctx.slot = (unsigned)slot;
		s->ctx.input_name = tm_report_name(report);
		if (s->type->state_size != 0 &&
		    (s->state = calloc(1, s->type->state_size)) == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		if (s->type->init != NULL) {
			/* A filter's time includes its per-document setup. */
			uint64_t t = now_ns();

			rc = s->type->init(s->state, &c->stages[i], diag);
			tm_report_add_time(report, s->ctx.slot, now_ns() - t);
			if (rc != 0) {
				if (diag != NULL && diag->filter == NULL)
					diag->filter = s->type->name;
				goto fail;
			}
		}
		s->live = 1;
	}
	*out = p;
	return 0;
fail:
	tm_pipeline_free(p);
	return rc;
}

void
tm_pipeline_set_tap(struct tm_pipeline *p, tm_sink_fn tap, void *arg)
{
	p->tap = tap;
	p->tap_arg = arg;
}

void
tm_pipeline_free(struct tm_pipeline *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		if (p->stages[i].live && p->stages[i].type->release != NULL)
			p->stages[i].type->release(p->stages[i].state);
		free(p->stages[i].state);
	}
	tm_buf_release(&p->pending);
	tm_buf_release(&p->work[0]);
	tm_buf_release(&p->work[1]);
	tm_buf_release(&p->held);
	free(p);
}

static void
check_contract(const struct stage *s, const struct tm_buf *b)
{
#ifndef NDEBUG
	assert(tm_utf8_valid(b->ptr, b->len) && "filter wrote invalid UTF-8");
	assert(memchr(b->ptr, '\0', b->len) == NULL && "filter wrote NUL");
#else
	(void)s;
	(void)b;
#endif
}

/* A sink's negative code (-errno, TM_E*) says why; pass it on. */
static int
sink_rc(int rc)
{
	return rc < 0 ? rc : rc > 0 ? -EIO : 0;
}

static int
emit(struct tm_pipeline *p, const char *text, size_t len)
{
	if (len == 0)
		return 0;
	p->out_size += len;
	p->crc = tm_crc32(p->crc, text, len);
	return sink_rc(p->sink(p->sink_arg, text, len));
}

/* Pass text through stages k.. and on to the sink. */
static int
pass(struct tm_pipeline *p, size_t k, const char *text, size_t len,
    struct tm_diag *diag)
{
	struct tm_buf *out;
	struct stage *s;
	uint64_t t;
	int rc, w = 0;

	for (; k < p->n; k++) {
		assert(text[len] == '\0' && "a stage's input is a C string");
		s = &p->stages[k];
		out = &p->work[w];
		tm_buf_reset(out);
		/* Output is about as long as input: grow once, not by
		   doubling from nothing in every document. */
		if ((rc = tm_buf_reserve(out, len + len / 8 + 64)) != 0 &&
		    rc != TM_ELIMIT)
			return rc;
		s->ctx.offset = s->in_off;
		t = now_ns();
		rc = s->type->run(s->state, &s->ctx, text, len, out, diag);
		tm_report_add_time(p->report, s->ctx.slot, now_ns() - t);
		if (rc != 0) {
			if (diag != NULL && diag->filter == NULL)
				diag->filter = s->type->name;
			return rc;
		}
		s->in_off += len;
		check_contract(s, out);
		text = out->ptr;
		len = out->len;
		w ^= 1;
	}
	return emit(p, text, len);
}

/*
 * Record the paragraph boundaries (ends of blank lines) and line ends in
 * pending[scan_pos, lim), so each byte is scanned once however often
 * segment_end() is asked.
 */
static void
scan(struct tm_pipeline *p, size_t lim)
{
	const char *s = p->pending.ptr, *nl;
	size_t i = p->scan_pos, j;

	while (i < lim && (nl = memchr(s + i, '\n', lim - i)) != NULL) {
		i = (size_t)(nl - s);
		for (j = i; j > 0 && tm_blank_line_byte(s[j - 1]); j--)
			;
		if (j > 0 && s[j - 1] == '\n')
			p->last_para = i + 1;
		p->last_nl = ++i;
	}
	if (lim > p->scan_pos)
		p->scan_pos = lim;
}

/*
 * Where to cut a line longer than a segment, at most lim: the filters
 * see each piece as if the line ended there, so not inside a tag, an
 * entity, a URL, a reading in brackets or a run of mojibake. After the
 * last 。！？ or ， of the last CUT_WINDOW bytes (none of those is ever
 * part of one), else at the last character boundary. (Not after a
 * space: space.c judges the blanks around a cut itself.)
 */
static size_t
safe_cut(const char *s, size_t lim)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t from = lim > CUT_WINDOW ? lim - CUT_WINDOW : 0, i;

	/* 。 E3 80 82, ！ EF BC 81, ？ EF BC 9F, ， EF BC 8C */
	for (i = lim; i >= from + 3; i--)
		if ((u[i - 3] == 0xE3 && u[i - 2] == 0x80 && u[i - 1] == 0x82) ||
		    (u[i - 3] == 0xEF && u[i - 2] == 0xBC && (u[i - 1] == 0x81 ||
		    u[i - 1] == 0x9F || u[i - 1] == 0x8C)))
			return i;
	for (i = lim; i > 0 && (u[i] & 0xC0) == 0x80; i--)
		;
	return i;
}

/*
 * Where to cut pending text: after the last blank line; failing that, once
 * the text is TM_SEGMENT_MAX long, after the last newline, and failing that
 * at a safe place in the line (safe_cut). 0: wait for more text.
 */
static size_t
segment_end(struct tm_pipeline *p, int final)
{
	const char *s = p->pending.ptr;
	size_t len = p->pending.len;
	size_t lim = len < TM_SEGMENT_MAX ? len : TM_SEGMENT_MAX;

	if (final && len <= TM_SEGMENT_MAX)
		return len;
	if (!final && len < SEGMENT_TARGET)
		return 0;
	scan(p, lim);
	if (p->last_para > 0)
		return p->last_para;
	if (!final && len < TM_SEGMENT_MAX)
		return 0;
	if (p->last_nl > 0)
		return p->last_nl;
	return safe_cut(s, lim);
}

static size_t
after_cut(size_t pos, size_t cut)
{
	return pos > cut ? pos - cut : 0;
}

static int
drain(struct tm_pipeline *p, int final, struct tm_diag *diag)
{
	size_t cut;
	char kept;
	int rc;

	while (p->pending.len > 0 && (cut = segment_end(p, final)) > 0) {
		/* The stages read the segment where it is, NUL-terminated
		   for them (the byte after it is put back after): nothing is
		   added to pending while they run. */
		kept = p->pending.ptr[cut];
		p->pending.ptr[cut] = '\0';
		rc = pass(p, 1, p->pending.ptr, cut, diag);
		p->pending.ptr[cut] = kept;
		tm_buf_consume(&p->pending, cut);
		p->scan_pos = after_cut(p->scan_pos, cut);
		p->last_para = after_cut(p->last_para, cut);
		p->last_nl = after_cut(p->last_nl, cut);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
decoded(struct tm_pipeline *p, struct tm_buf *text, struct tm_diag *diag)
{
	int rc;

	check_contract(&p->stages[0], text);
	if (text->len == 0)
		return 0;
	if (p->tap != NULL &&
	    (rc = sink_rc(p->tap(p->tap_arg, text->ptr, text->len))) != 0)
		return rc;
	if ((rc = tm_buf_append(&p->pending, text->ptr, text->len)) != 0)
		return rc;
	return drain(p, 0, diag);
}

int
tm_pipeline_feed(struct tm_pipeline *p, const void *bytes, size_t n,
    struct tm_diag *diag)
{
	struct stage *s = &p->stages[0];
	struct tm_buf *out = &p->work[0];
	const char *b = bytes;
	size_t step;
	uint64_t t;
	int rc;

	if (p->failed)
		return TM_EDATA;
	p->in_size += n;
	/* Feed decode in chunks so its output stays near the segment size. */
	while (n > 0) {
		step = n < DECODE_CHUNK ? n : DECODE_CHUNK;
		tm_buf_reset(out);
		s->ctx.offset = s->in_off;
		t = now_ns();
		rc = s->type->run(s->state, &s->ctx, b, step, out, diag);
		tm_report_add_time(p->report, s->ctx.slot, now_ns() - t);
		if (rc == 0) {
			s->in_off += step;
			/* Move decode's output aside: pass() reuses work[]. */
			tm_buf_swap(out, &p->held);
			rc = decoded(p, &p->held, diag);
		} else if (diag != NULL && diag->filter == NULL)
			diag->filter = s->type->name;
		if (rc != 0) {
			p->failed = 1;
			return rc;
		}
		b += step;
		n -= step;
	}
	return 0;
}

int
tm_pipeline_finish(struct tm_pipeline *p, struct tm_diag *diag)
{
	struct stage *s;
	size_t k;
	uint64_t t;
	int rc;

	if (p->failed)
		return TM_EDATA;
	p->failed = 1;		/* a pipeline finishes once */
	for (k = 0; k < p->n; k++) {
		s = &p->stages[k];
		tm_buf_reset(&p->held);
		if (s->type->finish != NULL) {
			s->ctx.offset = s->in_off;
			t = now_ns();
			rc = s->type->finish(s->state, &s->ctx, &p->held, diag);
			tm_report_add_time(p->report, s->ctx.slot,
			    now_ns() - t);
			if (rc != 0) {
				if (diag != NULL && diag->filter == NULL)
					diag->filter = s->type->name;
				return rc;
			}
		}
		if (k == 0) {
			struct tm_buf tail = p->held;

			/* decode's tail joins pending; then flush it all. */
			tm_buf_init(&p->held, TM_BUF_DEFAULT_MAX);
			rc = decoded(p, &tail, diag);
			tm_buf_release(&tail);
			if (rc == 0)
				rc = drain(p, 1, diag);
		} else if (p->held.len > 0) {
			struct tm_buf tail = p->held;

			tm_buf_init(&p->held, TM_BUF_DEFAULT_MAX);
			check_contract(s, &tail);
			rc = pass(p, k + 1, tail.ptr, tail.len, diag);
			tm_buf_release(&tail);
		} else
			rc = 0;
		if (rc != 0)
			return rc;
	}
	tm_report_set_input_size(p->report, p->in_size);
	tm_report_set_output(p->report, p->out_size, p->crc);
	tm_report_set_total_time(p->report, now_ns() - p->t0);
	return 0;
}

int
tm_clean_fd(const struct tm_chain *c, int fd, struct tm_report *report,
    tm_sink_fn sink, void *sink_arg, struct tm_diag *diag)
{
	struct tm_pipeline *p;
	char *chunk;
	ssize_t n;
	int rc;

	if ((chunk = malloc(READ_CHUNK)) == NULL)
		return -ENOMEM;
	if ((rc = tm_pipeline_new(&p, c, report, sink, sink_arg, diag)) != 0) {
		free(chunk);
		return rc;
	}
	for (;;) {
		n = read(fd, chunk, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tm_diag_set(diag, -errno, NULL, -1, "read: %s",
			    strerror(errno));
			break;
		}
		if (n == 0) {
			rc = tm_pipeline_finish(p, diag);
			break;
		}
		if ((rc = tm_pipeline_feed(p, chunk, (size_t)n, diag)) != 0)
			break;
	}
	tm_pipeline_free(p);
	free(chunk);
	return rc;
}

static int
mem_sink(void *arg, const char *p, size_t n)
{
	return tm_buf_append(arg, p, n);
}

int
tm_clean_mem(const struct tm_chain *c, const void *in, size_t n,
    struct tm_buf *out, struct tm_report *report, struct tm_diag *diag)
{
	struct tm_pipeline *p;
	int rc;

	if ((rc = tm_pipeline_new(&p, c, report, mem_sink, out, diag)) != 0)
		return rc;
	rc = tm_pipeline_feed(p, in, n, diag);
	if (rc == 0)
		rc = tm_pipeline_finish(p, diag);
	tm_pipeline_free(p);
	return rc;
}
