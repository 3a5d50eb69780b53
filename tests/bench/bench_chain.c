/*
 * bench_chain.c - in-process throughput of a filter chain over many
 * separate documents.
 *
 * Each input file is one document and is cleaned on its own with
 * tm_clean_mem(), REPS times over, so every run sees the text as the
 * daemon would see a dropped file: layout's duplicate detection works per
 * document, and nothing is removed because an earlier copy was seen.
 * (Concatenating the seeds into one big file instead would make layout
 * drop every copy after the first, and the later filters would see almost
 * no text.) The whole pass is repeated BEST times and the fastest kept.
 *
 * Prints lines for bench_chain.sh to format:
 *   bytes N          input bytes per pass
 *   total NS         wall time of the fastest pass
 *   filter NAME NS   time each filter spent in it (report timings)
 * and checks that every repetition gives the same output as the first.
 *
 * It raises glibc's heap trim and mmap thresholds first, as textmend's
 * main does for clean and serve: a document's buffers take a few hundred
 * kilobytes at the top of the heap and are all freed at its end, and with
 * the default thresholds (128 KiB) every document gave them back to the
 * kernel and faulted them in again, zeroed, which cost about a sixth of
 * the chain's time.
 *
 * usage: bench_chain [-f LIST] [-n REPS] [-b BEST] FILE...
 */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "textmend/buf.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"

#define MAX_DOCS 256
#define MAX_SLOTS 32

struct doc {
	const char *name;
	struct tm_buf text;
	struct tm_buf expect;	/* output of the first run */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
slurp(const char *path, struct tm_buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if ((rc = tm_buf_append(b, chunk, (size_t)n)) != 0)
			break;
	}
	close(fd);
	return rc;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_chain [-f LIST] [-n REPS] [-b BEST] "
	    "FILE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct doc docs[MAX_DOCS];
	uint64_t slot_ns[MAX_SLOTS], best_slot[MAX_SLOTS];
	uint64_t bytes = 0, t, best = UINT64_MAX;
	const char *names[MAX_SLOTS] = { NULL };
	const char *list = NULL;
	struct tm_chain *chain;
	struct tm_diag diag;
	struct tm_buf out;
	long reps = 200, rounds = 5, r, k;
	unsigned nslots = 0, i;
	size_t ndocs = 0, d;
	int opt, rc;

#ifdef __GLIBC__
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
	while ((opt = getopt(argc, argv, "f:n:b:")) != -1) {
		switch (opt) {
		case 'f':
			list = optarg;
			break;
		case 'n':
			reps = atol(optarg);
			break;
		case 'b':
			rounds = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind == argc || reps < 1 || rounds < 1 ||
	    argc - optind > MAX_DOCS)
		usage();
	for (; optind < argc; optind++, ndocs++) {
		docs[ndocs].name = argv[optind];
		tm_buf_init(&docs[ndocs].text, TM_BUF_DEFAULT_MAX);
		tm_buf_init(&docs[ndocs].expect, TM_BUF_DEFAULT_MAX);
		if ((rc = slurp(argv[optind], &docs[ndocs].text)) != 0) {
			fprintf(stderr, "bench_chain: %s: %s\n", argv[optind],
			    tm_strerror(rc));
			return 1;
		}
		bytes += docs[ndocs].text.len;
	}
	if ((rc = tm_chain_new(&chain, list, &diag)) != 0) {
		fprintf(stderr, "bench_chain: %s\n", diag.msg);
		return 2;
	}
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	for (r = 0; r < rounds; r++) {
		memset(slot_ns, 0, sizeof(slot_ns));
		t = now_ns();
		for (k = 0; k < reps; k++) {
			for (d = 0; d < ndocs; d++) {
				struct tm_report *rep;

				if ((rep = tm_report_new(docs[d].name)) == NULL)
					return 1;
				tm_buf_reset(&out);
				tm_diag_clear(&diag);
				rc = tm_clean_mem(chain, docs[d].text.ptr,
				    docs[d].text.len, &out, rep, &diag);
				if (rc != 0) {
					fprintf(stderr, "bench_chain: %s: %s\n",
					    docs[d].name, tm_strerror(rc));
					return 1;
				}
				nslots = tm_report_nfilters(rep);
				for (i = 0; i < nslots && i < MAX_SLOTS; i++) {
					slot_ns[i] += tm_report_time_ns(rep, i);
					names[i] = tm_chain_filter(chain,
					    i)->name;
				}
				tm_report_free(rep);
				if (r == 0 && k == 0)
					rc = tm_buf_append(&docs[d].expect,
					    out.ptr, out.len);
				else if (out.len != docs[d].expect.len ||
				    memcmp(out.ptr, docs[d].expect.ptr,
				    out.len) != 0) {
					fprintf(stderr, "bench_chain: %s: output "
					    "changed between runs\n",
					    docs[d].name);
					return 1;
				}
				if (rc != 0)
					return 1;
			}
		}
		t = now_ns() - t;
		if (t < best) {
			best = t;
			memcpy(best_slot, slot_ns, sizeof(best_slot));
		}
	}
	printf("bytes %llu\n", (unsigned long long)(bytes * (uint64_t)reps));
	printf("total %llu\n", (unsigned long long)best);
	for (i = 0; i < nslots && i < MAX_SLOTS; i++)
		printf("filter %s %llu\n", names[i],
		    (unsigned long long)best_slot[i]);
	tm_buf_release(&out);
	for (d = 0; d < ndocs; d++) {
		tm_buf_release(&docs[d].text);
		tm_buf_release(&docs[d].expect);
	}
	tm_chain_free(chain);
	return 0;
}
