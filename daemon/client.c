/*
 * client.c - `textmend status|stats|recent|pause|resume|reload|rescan`.
 *
 * Sends one request line to the daemon's control socket and prints the
 * reply: readable text by default, the raw JSON line with --json. A plain
 * blocking socket with a timeout is all a one-shot client needs; no loop.
 *
 * The socket is --socket PATH, else $TEXTMEND_SOCKET, else
 * ./textmend.sock when it exists (a daemon started with no arguments in
 * this folder), else the systemd service's /run/textmend/textmend.sock.
 *
 * Exit status: 0 the daemon said ok, 1 it refused or failed, 2 usage,
 * 3 the daemon is not running.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "textmend/buf.h"
#include "cli.h"
#include "daemon.h"
#include "fileio.h"

#define SERVICE_SOCKET "/run/textmend/textmend.sock"
#define REPLY_MAX (4 << 20)

static void
client_usage(FILE *f)
{
	fprintf(f,
	    "usage: textmend status|stats|pause|resume|reload|rescan [OPTIONS]\n"
	    "       textmend recent [N] [OPTIONS]\n"
	    "Ask the running daemon (textmend serve) over its control socket.\n"
	    "\n"
	    "  -s, --socket PATH   the daemon's socket (default: $TEXTMEND_SOCKET,\n"
	    "                      ./textmend.sock, " SERVICE_SOCKET ")\n"
	    "  -j, --json          print the daemon's JSON reply as it is\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "Exit status: 0 ok, 1 refused or failed, 2 usage error,\n"
	    "3 the daemon is not running.\n");
}

static const char *
default_socket(void)
{
	const char *s = getenv("TEXTMEND_SOCKET");
	struct stat st;

	if (s != NULL && *s != '\0')
		return s;
	if (stat("textmend.sock", &st) == 0 && S_ISSOCK(st.st_mode))
		return "textmend.sock";
	return SERVICE_SOCKET;
}

static const char *
human_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

static json_int_t
geti(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static double
getf(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(json_object_get(o, path1), path2);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *
gets_(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void
print_status(json_t *r)
{
	json_int_t up = geti(r, "uptime", NULL);
	char a[32], b[32];

	printf("state:       %s (pid %lld, up %lldh%02lldm%02llds, %s)\n",
	    gets_(r, "state"), (long long)geti(r, "pid", NULL),
	    (long long)(up / 3600), (long long)(up / 60 % 60),
	    (long long)(up % 60), gets_(r, "watch"));
	printf("version:     %s\n", gets_(r, "version"));
	if (*gets_(r, "config") != '\0')
		printf("config:      %s\n", gets_(r, "config"));
	printf("queue:       %lld waiting (%lld settling, %lld ready), "
	    "%lld in flight of %lld workers\n",
	    (long long)geti(r, "queue", NULL),
	    (long long)geti(r, "settling", NULL),
	    (long long)geti(r, "ready", NULL),
	    (long long)geti(r, "in_flight", NULL),
	    (long long)geti(r, "workers", NULL));
	printf("files:       %lld cleaned, %lld failed, %lld retried\n",
	    (long long)geti(r, "files", "cleaned"),
	    (long long)geti(r, "files", "failed"),
	    (long long)geti(r, "files", "retried"));
	printf("bytes:       %s in, %s out, %lld edits\n",
	    human_bytes((double)geti(r, "bytes", "in"), a, sizeof(a)),
	    human_bytes((double)geti(r, "bytes", "out"), b, sizeof(b)),
	    (long long)geti(r, "edits", NULL));
	printf("throughput:  %.1f files/s, %s/s (last minute)\n",
	    getf(r, "throughput", "files_per_s"),
	    human_bytes(getf(r, "throughput", "bytes_per_s"), a, sizeof(a)));
	printf("latency:     p50 %.1f ms, p99 %.1f ms (recent files)\n",
	    getf(r, "latency_ms", "p50"), getf(r, "latency_ms", "p99"));
}

static void
print_stats(json_t *r)
{
	const char *name;
	json_t *v;

	printf("%-10s %12s %10s\n", "filter", "edits", "suspects");
	json_object_foreach(json_object_get(r, "filters"), name, v)
		printf("%-10s %12lld %10lld\n", name,
		    (long long)geti(v, "edits", NULL),
		    (long long)geti(v, "suspects", NULL));
	printf("%lld edits in %lld files\n", (long long)geti(r, "edits", NULL),
	    (long long)geti(r, "cleaned", NULL));
}

static void
print_recent(json_t *r)
{
	json_t *files = json_object_get(r, "files"), *f;
	size_t i;

	if (json_array_size(files) == 0)
		printf("no files handled yet\n");
	json_array_foreach(files, i, f) {
		printf("%s  %-7s %8.1f ms  %s", gets_(f, "time"),
		    gets_(f, "outcome"), json_number_value(json_object_get(f,
		    "latency_ms")), gets_(f, "file"));
		if (*gets_(f, "reason") != '\0')
			printf("  (%s)", gets_(f, "reason"));
		printf("\n");
	}
}

static int
print_reply(const char *cmd, const char *line, int raw)
{
	json_error_t jerr;
	json_t *r;
	int ok;

	if (raw)
		printf("%s\n", line);
	if ((r = json_loads(line, 0, &jerr)) == NULL) {
		fprintf(stderr, "textmend: bad reply from the daemon: %s\n",
		    jerr.text);
		return TM_EXIT_FAIL;
	}
	ok = json_is_true(json_object_get(r, "ok"));
	if (!ok)
		fprintf(stderr, "textmend: %s: %s\n", cmd,
		    gets_(r, "error"));
	else if (raw)
		;
	else if (strcmp(cmd, "status") == 0)
		print_status(r);
	else if (strcmp(cmd, "stats") == 0)
		print_stats(r);
	else if (strcmp(cmd, "recent") == 0)
		print_recent(r);
	else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0)
		printf("%s\n", gets_(r, "state"));
	else if (strcmp(cmd, "reload") == 0)
		printf("reloaded\n");
	else if (strcmp(cmd, "rescan") == 0)
		printf("rescanned: %lld waiting, %lld in flight\n",
		    (long long)geti(r, "queue", NULL),
		    (long long)geti(r, "in_flight", NULL));
	json_decref(r);
	return ok ? TM_EXIT_OK : TM_EXIT_FAIL;
}

int
tm_cmd_client(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd = argv[0], *path = NULL;
	struct sockaddr_un sun;
	struct timeval tv = { 30, 0 };
	struct tm_buf reply;
	char req[128], chunk[65536], *nl;
	long n = -1;
	ssize_t got;
	int c, fd, raw = 0, rc;

	while ((c = getopt_long(argc, argv, "s:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'j': raw = 1; break;
		case 'h':
			client_usage(stdout);
			return TM_EXIT_OK;
		default:
			client_usage(stderr);
			return TM_EXIT_USAGE;
		}
	}
	if (strcmp(cmd, "recent") == 0 && optind < argc) {
		char *end;

		n = strtol(argv[optind], &end, 10);
		if (*end != '\0' || n < 0) {
			fprintf(stderr, "textmend: recent: '%s' is not a "
			    "count\n", argv[optind]);
			return TM_EXIT_USAGE;
		}
		optind++;
	}
	if (optind != argc) {
		client_usage(stderr);
		return TM_EXIT_USAGE;
	}
	if (path == NULL)
		path = default_socket();
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "textmend: socket path too long: %s\n", path);
		return TM_EXIT_USAGE;
	}
	if (n >= 0)
		snprintf(req, sizeof(req), "{\"cmd\":\"%s\",\"n\":%ld}\n", cmd,
		    n);
	else
		snprintf(req, sizeof(req), "{\"cmd\":\"%s\"}\n", cmd);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "textmend: socket: %s\n", strerror(errno));
		return TM_EXIT_FAIL;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		close(fd);
		if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR) {
			fprintf(stderr, "textmend: the daemon is not running "
			    "(nothing listens on %s)\n", path);
			return TM_EXIT_NODAEMON;
		}
		fprintf(stderr, "textmend: %s: %s\n", path, strerror(e));
		return TM_EXIT_FAIL;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((rc = tm_write_all(fd, req, strlen(req))) != 0) {
		fprintf(stderr, "textmend: %s: %s\n", path, strerror(-rc));
		close(fd);
		return TM_EXIT_FAIL;
	}
	tm_buf_init(&reply, REPLY_MAX);
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (tm_buf_append(&reply, chunk, (size_t)got) != 0)
			break;
		if (memchr(reply.ptr, '\n', reply.len) != NULL)
			break;
	}
	close(fd);
	if ((nl = memchr(reply.ptr, '\n', reply.len)) == NULL) {
		fprintf(stderr, "textmend: %s: no reply from the daemon%s\n",
		    path, got < 0 ? " (timed out)" : "");
		tm_buf_release(&reply);
		return TM_EXIT_FAIL;
	}
	*nl = '\0';
	rc = print_reply(cmd, reply.ptr, raw);
	tm_buf_release(&reply);
	return rc;
}
