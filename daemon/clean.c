/*
 * clean.c - `textmend clean`: run the filter chain over files or stdin.
 *
 * Each input is streamed through a pipeline: read, decode, filter, write.
 * With no FILE (or "-") it reads stdin and writes stdout, so it works in a
 * pipe. With -o or --outdir the output goes to a temporary file that is
 * renamed into place only when the whole input was cleaned: a failure
 * never leaves a partial output file. Binary input is recognised on its
 * first bytes, before anything is written, so it produces no output at
 * all, even on stdout.
 *
 * --diff shows a person what would change (a unified diff of the decoded
 * input against the cleaned output) and writes nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textmend/buf.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/version.h"
#include "cli.h"
#include "fileio.h"

#define DIFF_MAX ((size_t)256 << 20)

struct clean_opts {
	struct tm_chain *chain;
	const char *output;	/* -o */
	const char *outdir;	/* --outdir */
	const char *report;	/* --report */
	FILE *report_f;
	int diff;
	int quiet;
	long sample;
};

/* Where one input's output goes. */
struct sink {
	int to_stdout;
	struct tm_outfile file;
	int err;
	struct tm_buf *before, *after;	/* --diff */
};

static void
clean_usage(FILE *f)
{
	fprintf(f,
	    "usage: textmend clean [OPTIONS] [FILE...]\n"
	    "Clean text files (or stdin) into UTF-8. With no FILE, or FILE -,\n"
	    "read stdin; output goes to stdout unless -o or --outdir is given.\n"
	    "\n"
	    "  -f, --filters LIST     filters to run, comma-separated (decode\n"
	    "                         always runs first); see 'textmend filters'\n"
	    "  -s, --script MODE      script conversion: none, t2s, s2t, ...\n"
	    "  -e, --from-code ENC    input charset; skips detection\n"
	    "  -O, --set F.KEY=VAL    set a filter option (repeatable)\n"
	    "  -o, --output FILE      write the output to FILE (one input)\n"
	    "  -d, --outdir DIR       write each output to DIR/NAME\n"
	    "  -r, --report FILE      write a JSON report per input, one per\n"
	    "                         line, to FILE ('-' for stderr)\n"
	    "      --report-all       keep every edit in the report, not a sample\n"
	    "  -D, --diff             show what would change; write nothing\n"
	    "  -q, --quiet            no summary lines on stderr (they are\n"
	    "                         printed when writing files or a diff)\n"
	    "  -h, --help             this help\n"
	    "  -V, --version          print the version\n"
	    "\n"
	    "Exit status: 0 cleaned, 1 an input could not be cleaned,\n"
	    "2 usage error.\n");
}

static int
usage_error(struct tm_diag *d)
{
	fprintf(stderr, "textmend: %s\n", d->msg);
	return TM_EXIT_USAGE;
}

/* "a/b/report.txt.gz" -> "report.txt": output names drop .gz. */
static char *
output_name(const char *outdir, const char *input)
{
	const char *base = strrchr(input, '/');
	size_t len;
	char *s;

	base = base != NULL ? base + 1 : input;
	len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".gz") == 0)
		len -= 3;
	if (asprintf(&s, "%s/%.*s", outdir, (int)len, base) < 0)
		return NULL;
	return s;
}

static int
write_sink(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;
	int rc;

	if (s->after != NULL)
		rc = tm_buf_append(s->after, p, n);
	else if (s->to_stdout)
		rc = tm_write_all(STDOUT_FILENO, p, n);
	else
		rc = tm_outfile_write(&s->file, p, n);
	if (rc != 0)
		s->err = rc;
	return rc;
}

static int
tap_sink(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	return tm_buf_append(s->before, p, n);
}

static void
print_suspect(void *arg, const char *filter, uint64_t offset,
    const char *text, const char *reason)
{
	const char *name = arg;

	fprintf(stderr, "%s: suspect at byte %llu (%s): %s: %s\n", name,
	    (unsigned long long)offset, filter, reason, text);
}

static void
summary(const char *name, const char *dest, const struct tm_report *r)
{
	unsigned i;
	int first = 1;

	fprintf(stderr, "%s%s%s: %s, %llu edit%s", name, dest ? " -> " : "",
	    dest ? dest : "", tm_report_encoding(r),
	    (unsigned long long)tm_report_total_edits(r),
	    tm_report_total_edits(r) == 1 ? "" : "s");
	for (i = 0; i < tm_report_nfilters(r); i++) {
		if (tm_report_edits(r, i) == 0 && tm_report_suspects(r, i) == 0)
			continue;
		fprintf(stderr, "%s%s %llu", first ? " (" : ", ",
		    tm_report_filter_name(r, i),
		    (unsigned long long)tm_report_edits(r, i));
		if (tm_report_suspects(r, i) > 0)
			fprintf(stderr, "+%llu?",
			    (unsigned long long)tm_report_suspects(r, i));
		first = 0;
	}
	fprintf(stderr, "%s\n", first ? "" : ")");
}

static int
open_input(const char *path, int *fdp)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		*fdp = STDIN_FILENO;
		return 0;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	*fdp = fd;
	return 0;
}

/* Clean one input. 0 on success, TM_EXIT_FAIL after printing why not. */
static int
clean_one(struct clean_opts *o, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct tm_buf before, after, json;
	struct tm_pipeline *pl = NULL;
	struct tm_report *r;
	struct tm_diag d;
	struct sink s;
	char *dest = NULL;
	char chunk[65536];
	ssize_t n;
	int fd = -1, rc;

	memset(&s, 0, sizeof(s));
	s.file.fd = -1;
	tm_diag_clear(&d);
	tm_buf_init(&before, DIFF_MAX);
	tm_buf_init(&after, DIFF_MAX);
	tm_buf_init(&json, TM_BUF_DEFAULT_MAX);
	if ((r = tm_report_new(name)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	tm_report_set_sample_limit(r, o->sample);
	if ((rc = open_input(path, &fd)) != 0)
		goto fail;
	if (o->diff) {
		s.before = &before;
		s.after = &after;
	} else if (o->outdir != NULL || o->output != NULL) {
		dest = o->output ? strdup(o->output) :
		    output_name(o->outdir, path);
		if (dest == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		/* Never clean a file onto itself. */
		{
			struct stat a, b;

			if (fd != STDIN_FILENO && stat(dest, &b) == 0 &&
			    fstat(fd, &a) == 0 && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino) {
				rc = tm_diag_set(&d, TM_EUSAGE, NULL, -1,
				    "output %s is the input itself", dest);
				goto fail;
			}
		}
		if ((rc = tm_outfile_open(&s.file, dest)) != 0) {
			tm_diag_set(&d, rc, NULL, -1, "%s: %s", dest,
			    tm_strerror(rc));
			goto fail;
		}
	} else
		s.to_stdout = 1;

	if ((rc = tm_pipeline_new(&pl, o->chain, r, write_sink, &s, &d)) != 0)
		goto fail;
	if (o->diff)
		tm_pipeline_set_tap(pl, tap_sink, &s);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		if ((rc = tm_pipeline_feed(pl, chunk, (size_t)n, &d)) != 0)
			goto fail;
	}
	if ((rc = tm_pipeline_finish(pl, &d)) != 0)
		goto fail;
	if (!s.to_stdout && !o->diff &&
	    (rc = tm_outfile_commit(&s.file, TM_SYNC_ALL)) != 0) {
		tm_diag_set(&d, rc, NULL, -1, "%s: %s", dest, tm_strerror(rc));
		goto fail;
	}
	if (o->diff) {
		tm_diff_unified(stdout, before.ptr, before.len, after.ptr,
		    after.len, name, dest ? dest : name,
		    isatty(STDOUT_FILENO));
		tm_report_foreach_suspect(r, print_suspect, (void *)name);
	}
	if (o->report_f != NULL && tm_report_json(r, &json) == 0)
		fprintf(o->report_f, "%s\n", json.ptr);
	if (!o->quiet && !s.to_stdout)
		summary(name, dest, r);
	rc = 0;
	goto out;
fail:
	if (s.err != 0 && d.msg[0] == '\0')
		rc = s.err;
	if (d.msg[0] != '\0')
		fprintf(stderr, "textmend: %s: %s\n", name, d.msg);
	else
		fprintf(stderr, "textmend: %s: %s\n", name, tm_strerror(rc));
	tm_outfile_abort(&s.file);
	rc = TM_EXIT_FAIL;
out:
	tm_pipeline_free(pl);
	if (fd > STDIN_FILENO)
		close(fd);
	tm_report_free(r);
	tm_buf_release(&before);
	tm_buf_release(&after);
	tm_buf_release(&json);
	free(dest);
	return rc;
}

int
tm_cmd_clean(int argc, char **argv)
{
	enum { OPT_REPORT_ALL = 256 };
	static const struct option longopts[] = {
		{ "filters", required_argument, NULL, 'f' },
		{ "script", required_argument, NULL, 's' },
		{ "from-code", required_argument, NULL, 'e' },
		{ "set", required_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ "outdir", required_argument, NULL, 'd' },
		{ "report", required_argument, NULL, 'r' },
		{ "report-all", no_argument, NULL, OPT_REPORT_ALL },
		{ "diff", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct clean_opts o;
	struct tm_diag d;
	const char *filters = NULL, *script = NULL, *from = NULL;
	const char **sets;
	size_t nsets = 0;
	int c, i, rc = TM_EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.sample = TM_REPORT_SAMPLE_DEFAULT;
	tm_diag_clear(&d);
	if ((sets = calloc((size_t)argc, sizeof(*sets))) == NULL)
		return TM_EXIT_FAIL;
	while ((c = getopt_long(argc, argv, "f:s:e:O:o:d:r:DqhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f': filters = optarg; break;
		case 's': script = optarg; break;
		case 'e': from = optarg; break;
		case 'O': sets[nsets++] = optarg; break;
		case 'o': o.output = optarg; break;
		case 'd': o.outdir = optarg; break;
		case 'r': o.report = optarg; break;
		case OPT_REPORT_ALL: o.sample = -1; break;
		case 'D': o.diff = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h':
			clean_usage(stdout);
			free(sets);
			return TM_EXIT_OK;
		case 'V':
			printf("textmend %s\n", TM_VERSION);
			free(sets);
			return TM_EXIT_OK;
		default:
			clean_usage(stderr);
			free(sets);
			return TM_EXIT_USAGE;
		}
	}
	if (tm_chain_new(&o.chain, filters, &d) != 0) {
		free(sets);
		return usage_error(&d);
	}
	if (from != NULL &&
	    tm_chain_set(o.chain, "decode", "from-code", from, &d) != 0)
		goto usage;
	if (script != NULL && strcmp(script, "none") != 0 &&
	    tm_chain_set(o.chain, "script", "mode", script, &d) != 0)
		goto usage;
	if (script != NULL && strcmp(script, "none") == 0 &&
	    tm_filter_find("script") != NULL &&
	    tm_chain_enable(o.chain, "script", 0, &d) != 0)
		goto usage;
	for (i = 0; i < (int)nsets; i++)
		if (tm_chain_set_str(o.chain, sets[i], &d) != 0)
			goto usage;
	/* Check filter options that need more than a type check now, as a
	   usage error, instead of failing on the first file. */
	if (tm_chain_check(o.chain, &d) != 0)
		goto usage;
	if (o.output != NULL && o.outdir != NULL) {
		tm_diag_set(&d, TM_EUSAGE, NULL, -1,
		    "-o and --outdir cannot be used together");
		goto usage;
	}
	if (o.output != NULL && argc - optind > 1) {
		tm_diag_set(&d, TM_EUSAGE, NULL, -1,
		    "-o takes one input; use --outdir for several");
		goto usage;
	}
	if (o.outdir != NULL) {
		struct stat st;

		if (stat(o.outdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			tm_diag_set(&d, TM_EUSAGE, NULL, -1,
			    "--outdir %s is not a folder", o.outdir);
			goto usage;
		}
		for (i = optind; i < argc; i++)
			if (strcmp(argv[i], "-") == 0) {
				tm_diag_set(&d, TM_EUSAGE, NULL, -1,
				    "--outdir needs named files, not stdin");
				goto usage;
			}
	}
	if (o.report != NULL) {
		if (strcmp(o.report, "-") == 0)
			o.report_f = stderr;
		else if ((o.report_f = fopen(o.report, "w")) == NULL) {
			tm_diag_set(&d, TM_EUSAGE, NULL, -1, "%s: %s",
			    o.report, strerror(errno));
			goto usage;
		}
	}
	if (optind == argc)
		rc = clean_one(&o, "-");
	for (i = optind; i < argc; i++)
		if (clean_one(&o, argv[i]) != 0)
			rc = TM_EXIT_FAIL;
	if (o.report_f != NULL && o.report_f != stderr &&
	    fclose(o.report_f) != 0) {
		fprintf(stderr, "textmend: %s: %s\n", o.report, strerror(errno));
		rc = TM_EXIT_FAIL;
	}
	tm_chain_free(o.chain);
	free(sets);
	return rc;
usage:
	tm_chain_free(o.chain);
	free(sets);
	return usage_error(&d);
}
