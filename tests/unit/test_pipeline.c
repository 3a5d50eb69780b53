/*
 * test_pipeline.c - chains and runs: the registry and chain order, name
 * errors, segmenting (chunk size never changes the output; segments stay
 * bounded on large inputs with and without line breaks), finish() output
 * flowing through the later stages, offsets, and error propagation.
 *
 * Probe filters (not in the registry) are added to chains with
 * tm_chain_add_type() to watch what the pipeline hands a filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"
#include "harness.h"

/* ---- probe filters ---- */

/* What the probe saw; one pipeline at a time in these tests. */
static struct {
	size_t nseg, maxseg, minseg;
	uint64_t seen;
	int bad_offset, bad_utf8, has_nul, no_nl_end;
	size_t finish_calls;
} probe;

static void
probe_reset(void)
{
	memset(&probe, 0, sizeof(probe));
	probe.minseg = SIZE_MAX;
}

static int
probe_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	if (ctx->offset != probe.seen)
		probe.bad_offset++;
	if (!tm_utf8_valid(in, len))
		probe.bad_utf8++;
	if (memchr(in, '\0', len) != NULL)
		probe.has_nul++;
	if (len > 0 && in[len - 1] != '\n')
		probe.no_nl_end++;
	probe.nseg++;
	if (len > probe.maxseg)
		probe.maxseg = len;
	if (len < probe.minseg)
		probe.minseg = len;
	probe.seen += len;
	return tm_buf_append(out, in, len);
}

static int
probe_finish(void *state, struct tm_filter_ctx *ctx, struct tm_buf *out,
    struct tm_diag *diag)
{
	probe.finish_calls++;
	return 0;
}

static const struct tm_filter_type probe_type = {
	.abi = TM_FILTER_ABI, .name = "probe", .phase = TM_PHASE_SPACE + 1,
	.summary = "test probe", .run = probe_run, .finish = probe_finish,
};

/* Holds every byte back until finish (like a filter that needs to see
   the whole document). */
struct hold_state {
	struct tm_buf held;
};

static int
hold_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct hold_state *s = state;

	tm_buf_init(&s->held, TM_BUF_DEFAULT_MAX);
	return 0;
}

static int
hold_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct hold_state *s = state;

	return tm_buf_append(&s->held, in, len);
}

static int
hold_finish(void *state, struct tm_filter_ctx *ctx, struct tm_buf *out,
    struct tm_diag *diag)
{
	struct hold_state *s = state;

	return tm_buf_append(out, s->held.ptr, s->held.len);
}

static void
hold_release(void *state)
{
	struct hold_state *s = state;

	tm_buf_release(&s->held);
}

static const struct tm_filter_type hold_type = {
	.abi = TM_FILTER_ABI, .name = "hold", .phase = TM_PHASE_LAYOUT,
	.summary = "holds everything until finish",
	.state_size = sizeof(struct hold_state), .init = hold_init,
	.run = hold_run, .finish = hold_finish, .release = hold_release,
};

/* ASCII lowercase to uppercase: visible proof a stage ran. */
static int
upper_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	size_t i, start = out->len;
	int rc;

	if ((rc = tm_buf_append(out, in, len)) != 0)
		return rc;
	for (i = start; i < out->len; i++)
		if (out->ptr[i] >= 'a' && out->ptr[i] <= 'z')
			out->ptr[i] = (char)(out->ptr[i] - 'a' + 'A');
	return 0;
}

static const struct tm_filter_type upper_type = {
	.abi = TM_FILTER_ABI, .name = "upper", .phase = TM_PHASE_WIDTH,
	.summary = "uppercase ASCII", .run = upper_run,
};

static int
fail_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	if (memmem(in, len, "BOOM", 4) != NULL)
		return tm_diag_set(diag, TM_EDATA, NULL, -1, "found BOOM");
	return tm_buf_append(out, in, len);
}

static const struct tm_filter_type fail_type = {
	.abi = TM_FILTER_ABI, .name = "fail", .phase = TM_PHASE_REFLOW,
	.summary = "fails on BOOM", .run = fail_run,
};

/* ---- helpers ---- */

static int
buf_sink(void *arg, const char *p, size_t n)
{
	return tm_buf_append(arg, p, n);
}

/* Run c over data fed in pieces of `chunk` bytes. */
static int
run_chunked(const struct tm_chain *c, const char *data, size_t n,
    size_t chunk, struct tm_buf *out, struct tm_report **rp)
{
	struct tm_report *r = tm_report_new("test");
	struct tm_pipeline *p;
	struct tm_diag d;
	size_t off, step;
	int rc;

	tm_diag_clear(&d);
	if ((rc = tm_pipeline_new(&p, c, r, buf_sink, out, &d)) != 0)
		goto out;
	for (off = 0; off < n; off += step) {
		step = n - off < chunk ? n - off : chunk;
		if ((rc = tm_pipeline_feed(p, data + off, step, &d)) != 0)
			break;
	}
	if (rc == 0)
		rc = tm_pipeline_finish(p, &d);
	tm_pipeline_free(p);
out:
	if (rc != 0)
		fprintf(stderr, "run failed: %s (%s)\n", tm_strerror(rc), d.msg);
	if (rp != NULL)
		*rp = r;
	else
		tm_report_free(r);
	return rc;
}

static char *
seed(const char *name, size_t *len)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/seeds/%s", TM_SHARED_DIR, name);
	return tm_test_slurp(path, len);
}

/* All seeds, concatenated: 88 kB of real text with paragraphs. */
static char *
all_seeds(size_t *len)
{
	static const char *const names[] = {
		"000_a68f4d797b31b851.txt", "001_1865decd81d81d18.txt",
		"002_e7c89f63967000f2.txt", "003_8f7e8d385c693dd7.txt",
		"004_5e311010456c98bd.txt",
	};
	struct tm_buf b;
	size_t i, n;
	char *s;

	tm_buf_init(&b, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = seed(names[i], &n);
		tm_buf_append(&b, s, n);
		free(s);
	}
	*len = b.len;
	return b.ptr;
}

/* ---- chains ---- */

TM_TEST(registry_sorted)
{
	const struct tm_filter_type *const *f;
	int prev = 0, n = 0;

	CHECK(tm_filters[0] == tm_filter_find("decode"));
	for (f = tm_filters; *f != NULL; f++, n++) {
		CHECK((int)(*f)->phase > prev);
		prev = (int)(*f)->phase;
		CHECK_INT((*f)->abi, TM_FILTER_ABI);
		CHECK((*f)->name != NULL && (*f)->summary != NULL);
		CHECK((*f)->run != NULL);
		CHECK(tm_filter_find((*f)->name) == *f);
	}
	CHECK(n >= 2);
	CHECK(tm_filter_find("nosuch") == NULL);
	CHECK(tm_filter_find("") == NULL);
	CHECK(tm_filter_find("Decode") == NULL);
}

TM_TEST(chain_sorted_by_phase)
{
	struct tm_chain *c;
	size_t i;

	/* Named in reverse: the chain is in phase order anyway. */
	CHECK_INT(tm_chain_new(&c, "space, decode", NULL), 0);
	CHECK_INT(tm_chain_len(c), 2);
	CHECK_STR(tm_chain_filter(c, 0)->name, "decode");
	CHECK_STR(tm_chain_filter(c, 1)->name, "space");
	CHECK_INT(tm_chain_add_type(c, &upper_type), 0);
	CHECK_INT(tm_chain_add_type(c, &hold_type), 0);
	CHECK_INT(tm_chain_add_type(c, &probe_type), 0);
	for (i = 1; i < tm_chain_len(c); i++)
		CHECK(tm_chain_filter(c, i - 1)->phase <
		    tm_chain_filter(c, i)->phase);
	CHECK(tm_chain_filter(c, tm_chain_len(c)) == NULL);
	CHECK(tm_chain_options(c, tm_chain_len(c)) == NULL);
	tm_chain_free(c);

	/* The default chain is every filter that is on by default. */
	CHECK_INT(tm_chain_new(&c, NULL, NULL), 0);
	for (i = 0; tm_filters[i] != NULL; i++) {
		size_t j;
		int found = 0;

		for (j = 0; j < tm_chain_len(c); j++)
			found |= tm_chain_filter(c, j) == tm_filters[i];
		CHECK_INT(found, tm_filters[i]->on_by_default);
	}
	tm_chain_free(c);
}

TM_TEST(decode_always_first)
{
	struct tm_chain *c;
	struct tm_diag d;

	CHECK_INT(tm_chain_new(&c, "space", NULL), 0);
	CHECK_STR(tm_chain_filter(c, 0)->name, "decode");
	CHECK_INT(tm_chain_len(c), 2);
	tm_diag_clear(&d);
	CHECK_INT(tm_chain_enable(c, "decode", 0, &d), TM_EUSAGE);
	CHECK(d.msg[0] != '\0');
	CHECK_STR(tm_chain_filter(c, 0)->name, "decode");
	CHECK_INT(tm_chain_enable(c, "space", 0, NULL), 0);
	CHECK_INT(tm_chain_len(c), 1);
	CHECK_INT(tm_chain_enable(c, "space", 0, NULL), 0);
	CHECK_INT(tm_chain_enable(c, "space", 1, NULL), 0);
	CHECK_INT(tm_chain_enable(c, "space", 1, NULL), 0);
	CHECK_INT(tm_chain_len(c), 2);
	tm_chain_free(c);

	CHECK_INT(tm_chain_new(&c, "", NULL), 0);
	CHECK_INT(tm_chain_len(c), 1);
	CHECK_STR(tm_chain_filter(c, 0)->name, "decode");
	tm_chain_free(c);
	CHECK_INT(tm_chain_new(&c, "decode,decode,", NULL), 0);
	CHECK_INT(tm_chain_len(c), 1);
	tm_chain_free(c);
}

TM_TEST(unknown_filter)
{
	static const char *const bad[] = { "nosuch", "decode,nosuch",
	    "decode,,space", "DECODE", "decode;space",
	    "a-filter-name-that-is-far-too-long-to-exist" };
	struct tm_chain *c = NULL;
	struct tm_diag d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tm_diag_clear(&d);
		c = NULL;
		CHECK_INT(tm_chain_new(&c, bad[i], &d), TM_EUSAGE);
		CHECK(c == NULL);
		CHECK(strstr(d.msg, "unknown filter") != NULL);
	}
	tm_diag_clear(&d);
	CHECK_INT(tm_chain_new(&c, "decode,nosuch", &d), TM_EUSAGE);
	CHECK(strstr(d.msg, "'nosuch'") != NULL);
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_enable(c, "nosuch", 1, NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_set(c, "nosuch", "k", "v", NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_add_type(c, NULL), TM_EUSAGE);
	CHECK_INT(tm_chain_len(c), 1);
	tm_chain_free(c);
}

/* ---- runs ---- */

TM_TEST(chunk_sizes_same_output)
{
	static const size_t chunks[] = { 1, 7, 4096, 65536 };
	struct tm_chain *c;
	struct tm_buf ref, out;
	char *text, *gz, *mixed;
	size_t n, gzn, i, k;

	text = all_seeds(&n);
	/* Add CRLF, a BOM-less invalid byte and a NUL somewhere inside. */
	mixed = malloc(n + 16);
	memcpy(mixed, text, n / 2);
	memcpy(mixed + n / 2, "\r\n\xff\0x\r\n", 7);
	memcpy(mixed + n / 2 + 7, text + n / 2, n - n / 2);
	gz = tm_test_gzip(mixed, n + 7, &gzn);
	CHECK_INT(tm_chain_new(&c, NULL, NULL), 0);
	for (k = 0; k < 3; k++) {
		const char *in = k == 0 ? text : k == 1 ? mixed : gz;
		size_t len = k == 0 ? n : k == 1 ? n + 7 : gzn;

		tm_buf_init(&ref, TM_BUF_DEFAULT_MAX);
		CHECK_INT(run_chunked(c, in, len, len, &ref, NULL), 0);
		CHECK(ref.len > n / 2);
		if (k == 2) {	/* the gzip of `mixed` */
			struct tm_buf m;

			tm_buf_init(&m, TM_BUF_DEFAULT_MAX);
			CHECK_INT(run_chunked(c, mixed, n + 7, n + 7, &m, NULL),
			    0);
			CHECK(m.len == ref.len &&
			    memcmp(m.ptr, ref.ptr, m.len) == 0);
			tm_buf_release(&m);
		}
		for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
			CHECK_INT(run_chunked(c, in, len, chunks[i], &out,
			    NULL), 0);
			if (out.len != ref.len ||
			    memcmp(out.ptr, ref.ptr, out.len) != 0) {
				char m[80];

				snprintf(m, sizeof(m), "input %zu, chunk %zu: "
				    "output differs", k, chunks[i]);
				tm_test_fail(__FILE__, __LINE__, m);
			}
			tm_buf_release(&out);
		}
		tm_buf_release(&ref);
	}
	tm_chain_free(c);
	free(text);
	free(mixed);
	free(gz);
}

TM_TEST(identity_decode_only)
{
	struct tm_chain *c;
	struct tm_buf out;
	char *text;
	size_t n;

	/* Valid UTF-8 through decode alone comes out byte for byte. */
	text = all_seeds(&n);
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &probe_type), 0);
	probe_reset();
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK_INT(run_chunked(c, text, n, 1000, &out, NULL), 0);
	CHECK(out.len == n && memcmp(out.ptr, text, n) == 0);
	CHECK_INT(probe.seen, n);
	CHECK_INT(probe.bad_offset, 0);
	CHECK_INT(probe.finish_calls, 1);
	/* 88 kB with paragraphs: cut into more than one segment. */
	CHECK(probe.nseg >= 2);
	tm_buf_release(&out);
	tm_chain_free(c);
	free(text);
}

/* > 3 MiB written one paragraph per line (no blank lines). */
TM_TEST(large_lines)
{
	struct tm_chain *c;
	struct tm_buf in, out;
	char *text;
	size_t n, pos = 0, nl;

	text = all_seeds(&n);
	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	while (in.len < ((size_t)7 << 19)) {
		/* Copy non-blank lines only. */
		const char *line = text + pos, *e = memchr(line, '\n',
		    n - pos);

		nl = e ? (size_t)(e - line) + 1 : n - pos;
		if (nl > 1 && !(nl == 2 && line[0] == '\r'))
			tm_buf_append(&in, line, nl);
		pos = (pos + nl) % n;
	}
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &probe_type), 0);
	probe_reset();
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK_INT(run_chunked(c, in.ptr, in.len, 65536, &out, NULL), 0);
	CHECK(out.len == in.len && memcmp(out.ptr, in.ptr, in.len) == 0);
	CHECK(probe.maxseg <= TM_SEGMENT_MAX);
	CHECK(probe.nseg >= 3);
	CHECK_INT(probe.no_nl_end, 0);	/* every cut at a line end */
	CHECK_INT(probe.bad_utf8, 0);
	CHECK_INT(probe.bad_offset, 0);
	tm_buf_release(&out);
	tm_buf_release(&in);
	tm_chain_free(c);
	free(text);
}

/* > 3 MiB in one line: cut at character boundaries. */
TM_TEST(large_one_line)
{
	static const char *const pieces[] = { "中", "國", "a", "婦聯",
	    "\xf0\xa0\x80\x80", "é", " " };
	struct tm_chain *c;
	struct tm_buf in, out;
	size_t i = 0;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	while (in.len < ((size_t)7 << 19))
		tm_buf_puts(&in, pieces[i++ % 7]);
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &probe_type), 0);
	probe_reset();
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK_INT(run_chunked(c, in.ptr, in.len, 65536, &out, NULL), 0);
	CHECK(out.len == in.len && memcmp(out.ptr, in.ptr, in.len) == 0);
	CHECK(probe.maxseg <= TM_SEGMENT_MAX);
	CHECK(probe.nseg >= 4);
	CHECK_INT(probe.bad_utf8, 0);
	CHECK_INT(probe.bad_offset, 0);
	tm_buf_release(&out);
	tm_buf_release(&in);
	tm_chain_free(c);
}

TM_TEST(segments_at_paragraphs)
{
	struct tm_chain *c;
	struct tm_buf in, out;
	char *text;
	size_t n;

	text = all_seeds(&n);
	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	while (in.len < ((size_t)2 << 20)) {
		tm_buf_append(&in, text, n);
		tm_buf_puts(&in, "\n\n");
	}
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &probe_type), 0);
	probe_reset();
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK_INT(run_chunked(c, in.ptr, in.len, 3000, &out, NULL), 0);
	CHECK(out.len == in.len && memcmp(out.ptr, in.ptr, in.len) == 0);
	/* Paragraph cuts come near the target size, far below the max. */
	CHECK(probe.maxseg < TM_SEGMENT_MAX / 4);
	CHECK(probe.nseg >= 10);
	CHECK_INT(probe.no_nl_end, 0);
	tm_buf_release(&out);
	tm_buf_release(&in);
	tm_chain_free(c);
	free(text);
}

TM_TEST(finish_passes_later_stages)
{
	struct tm_chain *c;
	struct tm_buf out;
	const char *in = "abc\n\ndef 中文\n";

	/* hold (LAYOUT) releases everything in finish; upper (WIDTH) and
	   probe (after SPACE) must still see it. */
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &upper_type), 0);
	CHECK_INT(tm_chain_add_type(c, &hold_type), 0);
	CHECK_INT(tm_chain_add_type(c, &probe_type), 0);
	CHECK_STR(tm_chain_filter(c, 1)->name, "hold");
	probe_reset();
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK_INT(run_chunked(c, in, strlen(in), 2, &out, NULL), 0);
	CHECK_STR(out.ptr, "ABC\n\nDEF 中文\n");
	CHECK_INT(probe.seen, strlen(in));
	CHECK_INT(probe.finish_calls, 1);
	tm_buf_release(&out);
	tm_chain_free(c);

	/* hold as the last stage: its finish output goes to the sink. */
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &hold_type), 0);
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK_INT(run_chunked(c, in, strlen(in), 5, &out, NULL), 0);
	CHECK_STR(out.ptr, in);
	tm_buf_release(&out);
	tm_chain_free(c);
}

static int tap_calls;

static int
count_tap(void *arg, const char *p, size_t n)
{
	tap_calls++;
	return tm_buf_append(arg, p, n);
}

TM_TEST(tap_sees_decoded_text)
{
	struct tm_chain *c;
	struct tm_pipeline *p;
	struct tm_report *r = tm_report_new("tap");
	struct tm_buf out, tap;
	const char *in = "x\xffy, then some more text\n";

	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_set(c, "decode", "from-code", "UTF-8", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &upper_type), 0);
	tm_buf_init(&out, 1000);
	tm_buf_init(&tap, 1000);
	CHECK_INT(tm_pipeline_new(&p, c, r, buf_sink, &out, NULL), 0);
	tm_pipeline_set_tap(p, count_tap, &tap);
	CHECK_INT(tm_pipeline_feed(p, in, strlen(in), NULL), 0);
	CHECK_INT(tm_pipeline_finish(p, NULL), 0);
	/* A pipeline finishes once. */
	CHECK(tm_pipeline_finish(p, NULL) != 0);
	CHECK(tm_pipeline_feed(p, "a", 1, NULL) != 0);
	tm_pipeline_free(p);
	CHECK_STR(tap.ptr, "x\xef\xbf\xbdy, then some more text\n");
	CHECK_STR(out.ptr, "X\xef\xbf\xbdY, THEN SOME MORE TEXT\n");
	CHECK(tap_calls >= 1);
	CHECK_INT(tm_report_output_size(r), out.len);
	tm_report_free(r);
	tm_buf_release(&out);
	tm_buf_release(&tap);
	tm_chain_free(c);
}

static int
refusing_sink(void *arg, const char *p, size_t n)
{
	return 1;
}

TM_TEST(errors_propagate)
{
	struct tm_chain *c;
	struct tm_pipeline *p;
	struct tm_report *r;
	struct tm_buf out;
	struct tm_diag d;

	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	CHECK_INT(tm_chain_add_type(c, &fail_type), 0);
	r = tm_report_new("err");
	tm_buf_init(&out, 1000);
	tm_diag_clear(&d);
	CHECK_INT(tm_clean_mem(c, "fine\n\nBOOM\n", 11, &out, r, &d),
	    TM_EDATA);
	CHECK_STR(d.filter, "fail");
	CHECK_STR(d.msg, "found BOOM");
	tm_report_free(r);
	tm_buf_release(&out);

	/* A sink that refuses aborts the run. */
	r = tm_report_new("sink");
	CHECK_INT(tm_pipeline_new(&p, c, r, refusing_sink, NULL, NULL), 0);
	CHECK_INT(tm_pipeline_feed(p, "text\n", 5, NULL), 0);
	CHECK_INT(tm_pipeline_finish(p, NULL), -EIO);
	tm_pipeline_free(p);
	tm_report_free(r);

	/* Output beyond a tm_buf's limit in tm_clean_mem: TM_ELIMIT. */
	r = tm_report_new("limit");
	tm_buf_init(&out, 3);
	CHECK_INT(tm_clean_mem(c, "abcdef", 6, &out, r, NULL), TM_ELIMIT);
	tm_report_free(r);
	tm_buf_release(&out);
	tm_chain_free(c);
}

TM_TEST(clean_fd)
{
	struct tm_chain *c;
	struct tm_report *r = tm_report_new("fd");
	struct tm_buf out;
	FILE *f = tmpfile();
	int fd;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fd = fileno(f);
	CHECK(write(fd, "line one\r\nline two\n", 19) == 19);
	lseek(fd, 0, SEEK_SET);
	CHECK_INT(tm_chain_new(&c, "decode", NULL), 0);
	tm_buf_init(&out, 1000);
	CHECK_INT(tm_clean_fd(c, fd, r, buf_sink, &out, NULL), 0);
	CHECK_STR(out.ptr, "line one\r\nline two\n");
	CHECK_INT(tm_report_output_size(r), 19);
	tm_report_free(r);
	/* Reading a descriptor open only for writing: -EBADF. */
	r = tm_report_new("wronly");
	fd = open("/dev/null", O_WRONLY);
	CHECK_INT(tm_clean_fd(c, fd, r, buf_sink, &out, NULL), -EBADF);
	close(fd);
	fclose(f);
	tm_report_free(r);
	tm_buf_release(&out);
	tm_chain_free(c);
}

TM_TEST(long_line_cut_after_a_mark)
{
	static const char unit[] = "加强对乡村振兴重点任务，";
	struct tm_buf in, want;
	size_t n = (TM_SEGMENT_MAX - 3) / (sizeof(unit) - 1), i;
	char *got;

	/* A line longer than a segment, with an entity across the place
	   where a segment would end: the line is cut after the last
	   "，" instead, and the entity is decoded as in a short line. */
	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < n; i++) {
		CHECK_INT(tm_buf_puts(&in, unit), 0);
		CHECK_INT(tm_buf_puts(&want, unit), 0);
	}
	while (in.len < TM_SEGMENT_MAX - 3) {
		CHECK_INT(tm_buf_putc(&in, 'x'), 0);
		CHECK_INT(tm_buf_putc(&want, 'x'), 0);
	}
	CHECK_INT(tm_buf_puts(&in, "&ldquo;统一部署&rdquo;\n"), 0);
	CHECK_INT(tm_buf_puts(&want, "“统一部署”\n"), 0);
	got = tm_test_clean("decode,markup", NULL, in.ptr, NULL, NULL);
	CHECK(strcmp(got, want.ptr) == 0);
	free(got);
	tm_buf_release(&in);
	tm_buf_release(&want);
}
