/*
 * fileio.c - write-to-temporary, fsync, rename (see fileio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static mode_t file_mode = 0644;	/* 0666 & ~umask, from tm_fileio_init */

void
tm_fileio_init(void)
{
	mode_t mask = umask(0);

	umask(mask);
	file_mode = 0666 & ~mask;
}

int
tm_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int
tm_outfile_open(struct tm_outfile *of, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	int rc;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	if ((of->path = strdup(path)) == NULL)
		return -ENOMEM;
	if (asprintf(&of->tmp, "%.*s.%s.XXXXXX.part", (int)dirlen, path,
	    path + dirlen) < 0) {
		of->tmp = NULL;
		free(of->path);
		of->path = NULL;
		return -ENOMEM;
	}
	if ((of->fd = mkostemps(of->tmp, 5, O_CLOEXEC)) < 0) {
		rc = -errno;
		free(of->tmp);
		free(of->path);
		memset(of, 0, sizeof(*of));
		of->fd = -1;
		return rc;
	}
	/* mkstemp makes 0600; outputs get the usual 0666 & ~umask. */
	(void)fchmod(of->fd, file_mode);
	return 0;
}

int
tm_outfile_write(struct tm_outfile *of, const void *p, size_t n)
{
	int rc;

	if (of->err != 0)
		return of->err;
	if ((rc = tm_write_all(of->fd, p, n)) != 0)
		return of->err = rc;
	of->written += n;
	return 0;
}

int
tm_fsync_dir(const char *dir)
{
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

int
tm_fsync_dir_of(const char *path)
{
	char *copy;
	int rc;

	if ((copy = strdup(path)) == NULL)
		return -ENOMEM;
	rc = tm_fsync_dir(dirname(copy));
	free(copy);
	return rc;
}

int
tm_outfile_close(struct tm_outfile *of, int sync)
{
	int rc = of->err;

	if (rc == 0 && (sync & TM_SYNC_FILE) && fsync(of->fd) != 0)
		rc = -errno;
	if (close(of->fd) != 0 && rc == 0)
		rc = -errno;
	of->fd = -1;
	if (rc != 0)
		tm_outfile_abort(of);
	return rc;
}

int
tm_outfile_publish(struct tm_outfile *of, int sync)
{
	int rc = 0;

	if (rename(of->tmp, of->path) != 0) {
		rc = -errno;
		tm_outfile_abort(of);
		return rc;
	}
	if (sync & TM_SYNC_DIR)
		rc = tm_fsync_dir_of(of->path);
	free(of->tmp);
	free(of->path);
	of->tmp = of->path = NULL;
	return rc;
}

int
tm_outfile_commit(struct tm_outfile *of, int sync)
{
	int rc;

	if ((rc = tm_outfile_close(of, sync)) != 0)
		return rc;
	return tm_outfile_publish(of, sync);
}

void
tm_outfile_abort(struct tm_outfile *of)
{
	/* Only an open outfile has tmp set; a zeroed one has fd 0, which
	   is stdin, not ours to close. */
	if (of->tmp != NULL && of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->tmp != NULL)
		unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	of->tmp = of->path = NULL;
}
