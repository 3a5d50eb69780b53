/*
 * fault.c - a library preloaded into the daemon by the integration tests
 * (test_serve.sh) to make chosen system calls fail as a failing disk
 * makes them fail, which no real filesystem does on demand:
 *
 *   TM_FAULT_SYNCFS=N     the first N calls of syncfs() fail with EIO
 *   TM_FAULT_RENAME=TEXT  the first rename() to a path holding TEXT fails
 *                         with EIO
 *
 * Everything else goes to the C library's own functions. Counts are per
 * process and safe from any thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int (*real_syncfs)(int);
static int (*real_rename)(const char *, const char *);
static atomic_int syncfs_calls;
static atomic_int rename_failed;

/* The C library's f, which this library's f hides: into *fn. */
static void
next_symbol(const char *f, void *fn, size_t size)
{
	void *p = dlsym(RTLD_NEXT, f);

	if (p == NULL) {
		fprintf(stderr, "fault: no %s to pass calls on to\n", f);
		abort();
	}
	memcpy(fn, &p, size);
}

__attribute__((constructor)) static void
fault_init(void)
{
	next_symbol("syncfs", &real_syncfs, sizeof(real_syncfs));
	next_symbol("rename", &real_rename, sizeof(real_rename));
}

int
syncfs(int fd)
{
	const char *n = getenv("TM_FAULT_SYNCFS");

	if (n != NULL && atomic_fetch_add(&syncfs_calls, 1) < atoi(n)) {
		errno = EIO;
		return -1;
	}
	return real_syncfs(fd);
}

int
rename(const char *from, const char *to)
{
	const char *text = getenv("TM_FAULT_RENAME");

	if (text != NULL && *text != '\0' && strstr(to, text) != NULL &&
	    atomic_exchange(&rename_failed, 1) == 0) {
		errno = EIO;
		return -1;
	}
	return real_rename(from, to);
}
