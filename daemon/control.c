/*
 * control.c - the control socket: line-delimited JSON over a Unix socket.
 *
 * One request per line, one reply per line. A request is a JSON object
 * ({"cmd":"recent","n":5}, an "id" is echoed back) or, for people typing
 * into socat, bare words ("recent 5"). Replies are JSON objects with
 * "ok": true and the command's fields, or "ok": false and an "error".
 * Commands are the static table below; the admin ones (pause, resume,
 * reload, rescan) are allowed only to peers whose SO_PEERCRED uid is
 * root, the daemon's own uid, or the configured admin-uid, or whose
 * primary gid is the configured admin-gid. Who may connect at all is
 * decided by the socket file's mode (0660, made under a tight umask).
 *
 * Everything is non-blocking on the loop: a malformed request gets an
 * error reply and the connection stays usable; a line over 64 KiB, a
 * client that does not read its replies (1 MiB unsent) or stays silent
 * for a minute is disconnected; past 256 clients new ones are turned
 * away. Loop thread only.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "textmend/buf.h"
#include "textmend/filter.h"
#include "textmend/version.h"
#include "daemon.h"
#include "log.h"

#define LINE_MAX_BYTES (64 * 1024)	/* longer: the client is closed */
#define REQUEST_MAX 4096		/* longer: an error reply */
#define UNSENT_MAX (1024 * 1024)
#define CLIENTS_MAX 256
#define IDLE_MS 60000

struct client {
	uv_pipe_t h;
	struct tm_control *ctl;
	struct client *prev, *next;
	struct tm_buf in;
	size_t unsent;
	uint64_t active_ms;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int have_cred;
	char rbuf[4096];
};

struct tm_control {
	uv_pipe_t server;
	uv_timer_t sweep;
	struct tm_daemon *d;
	struct client *clients;
	unsigned nclients;
	char *path;
	ino_t ino;
	dev_t dev;
	int handles;			/* open handles; freed at zero */
};

struct wreq {
	uv_write_t req;
	struct client *c;
	size_t len;
	char data[];
};

json_t *
tm_json_name(const char *name)
{
	char esc[1024];
	json_t *s = json_string(name);

	return s != NULL ? s : json_string(tm_log_name(name, esc,
	    sizeof(esc)));
}

/* -- commands ------------------------------------------------------- */

typedef json_t *(*cmd_fn)(struct tm_daemon *d, json_t *req, char *err,
    size_t errlen);

static json_t *
cmd_status(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	uint64_t p50, p99;
	double f, b;

	tm_serve_latency(d, &p50, &p99);
	tm_serve_rate(d, &f, &b);
	return json_pack("{s:s, s:s, s:i, s:I, s:s, s:i, s:i, s:i, s:i, s:i,"
	    " s:{s:I, s:I, s:I}, s:{s:I, s:I}, s:I, s:{s:f, s:f},"
	    " s:{s:f, s:f}, s:s?}",
	    "state", tm_serve_state_name(d),
	    "version", TM_VERSION,
	    "pid", (int)getpid(),
	    "uptime", (json_int_t)((uv_now(d->loop) - d->started_ms) / 1000),
	    "watch", d->watch.polling ? "polling" : "inotify",
	    "queue", (int)(d->settling.n + d->ready.n),
	    "settling", (int)d->settling.n,
	    "ready", (int)d->ready.n,
	    "in_flight", (int)d->inflight,
	    "workers", (int)d->cfg->workers,
	    "files", "cleaned", (json_int_t)d->stats.cleaned,
	    "failed", (json_int_t)d->stats.failed,
	    "retried", (json_int_t)d->stats.retried,
	    "bytes", "in", (json_int_t)d->stats.bytes_in,
	    "out", (json_int_t)d->stats.bytes_out,
	    "edits", (json_int_t)d->stats.edits,
	    "throughput", "files_per_s", f, "bytes_per_s", b,
	    "latency_ms", "p50", (double)p50 / 1000, "p99",
	    (double)p99 / 1000,
	    "config", d->cfg->file);
}

static json_t *
cmd_stats(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	json_t *o = json_object(), *f = json_object();
	int i;

	for (i = 0; tm_filters[i] != NULL && i < TM_FILTERS_MAX; i++)
		json_object_set_new(f, tm_filters[i]->name, json_pack(
		    "{s:I, s:I}", "edits",
		    (json_int_t)d->stats.filter_edits[i], "suspects",
		    (json_int_t)d->stats.filter_suspects[i]));
	json_object_set_new(o, "filters", f);
	json_object_set_new(o, "edits", json_integer(
	    (json_int_t)d->stats.edits));
	json_object_set_new(o, "cleaned", json_integer(
	    (json_int_t)d->stats.cleaned));
	return o;
}

static json_t *
cmd_recent(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	json_t *n = json_object_get(req, "n"), *a;
	json_int_t want = 10;
	size_t i, k;

	if (n != NULL) {
		if (!json_is_integer(n) || json_integer_value(n) < 0) {
			snprintf(err, errlen, "n must be a count");
			return NULL;
		}
		want = json_integer_value(n);
	}
	if (want > (json_int_t)d->recent_n)
		want = (json_int_t)d->recent_n;
	a = json_array();
	for (i = 0; i < (size_t)want; i++) {
		const struct tm_recent *r;
		char when[32];
		struct tm tm;

		k = (d->recent_next + TM_RECENT_MAX - 1 - i) % TM_RECENT_MAX;
		r = &d->recent[k];
		gmtime_r(&r->when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(a, json_pack("{s:o, s:s, s:s?, s:I, s:I,"
		    " s:I, s:f, s:s}", "file", tm_json_name(r->name),
		    "outcome", tm_outcome_name(r->outcome),
		    "reason", r->reason[0] ? r->reason : NULL,
		    "bytes_in", (json_int_t)r->in,
		    "bytes_out", (json_int_t)r->out,
		    "edits", (json_int_t)r->edits,
		    "latency_ms", (double)r->latency_us / 1000,
		    "time", when));
	}
	return json_pack("{s:o}", "files", a);
}

static json_t *
cmd_pause(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	tm_serve_pause(d, 1);
	return json_pack("{s:s}", "state", tm_serve_state_name(d));
}

static json_t *
cmd_resume(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	tm_serve_pause(d, 0);
	return json_pack("{s:s}", "state", tm_serve_state_name(d));
}

static json_t *
cmd_reload(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	if (tm_serve_reload(d, err, errlen) != 0)
		return NULL;
	return json_pack("{s:s?}", "config", d->cfg->file);
}

static json_t *
cmd_rescan(struct tm_daemon *d, json_t *req, char *err, size_t errlen)
{
	tm_watch_rescan(d);
	tm_serve_pump(d);
	return json_pack("{s:i, s:i}", "queue",
	    (int)(d->settling.n + d->ready.n), "in_flight", (int)d->inflight);
}

static const struct command {
	const char *name;
	int admin;
	cmd_fn fn;
} commands[] = {
	{ "status", 0, cmd_status },
	{ "stats", 0, cmd_stats },
	{ "recent", 0, cmd_recent },
	{ "pause", 1, cmd_pause },
	{ "resume", 1, cmd_resume },
	{ "reload", 1, cmd_reload },
	{ "rescan", 1, cmd_rescan },
	{ NULL, 0, NULL }
};

static int
is_admin(const struct client *c)
{
	const struct tm_config *cfg = c->ctl->d->cfg;

	if (!c->have_cred)
		return 0;
	return c->uid == 0 || c->uid == geteuid() ||
	    (cfg->admin_uid >= 0 && (long)c->uid == cfg->admin_uid) ||
	    (cfg->admin_gid >= 0 && (long)c->gid == cfg->admin_gid);
}

/* Turn "recent 5" into {"cmd":"recent","n":5}. */
static json_t *
parse_words(const char *line, char *err, size_t errlen)
{
	char word[32], extra[32];
	long n;
	int k;

	k = sscanf(line, "%31s %31s", word, extra);
	if (k < 1) {
		snprintf(err, errlen, "empty request");
		return NULL;
	}
	if (k == 2) {
		char *end;

		n = strtol(extra, &end, 10);
		if (*end != '\0' || n < 0) {
			snprintf(err, errlen, "'%s' is not a count", extra);
			return NULL;
		}
		return json_pack("{s:s, s:i}", "cmd", word, "n", (int)n);
	}
	return json_pack("{s:s}", "cmd", word);
}

/* One request line in, one reply object out (never NULL). */
static json_t *
handle(struct client *c, const char *line, size_t len)
{
	const struct command *cmd;
	json_t *req = NULL, *reply = NULL, *id = NULL, *v;
	json_error_t jerr;
	const char *name;
	char err[512];

	err[0] = '\0';
	if (len > REQUEST_MAX) {
		snprintf(err, sizeof(err), "request longer than %d bytes",
		    REQUEST_MAX);
		goto out;
	}
	if (line[0] == '{') {
		req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (req == NULL) {
			snprintf(err, sizeof(err), "malformed JSON: %s",
			    jerr.text);
			goto out;
		}
	} else if ((req = parse_words(line, err, sizeof(err))) == NULL)
		goto out;
	if (!json_is_object(req)) {
		snprintf(err, sizeof(err), "a request is a JSON object");
		goto out;
	}
	if ((id = json_object_get(req, "id")) != NULL)
		json_incref(id);
	v = json_object_get(req, "cmd");
	if (!json_is_string(v)) {
		snprintf(err, sizeof(err), "no \"cmd\" string");
		goto out;
	}
	name = json_string_value(v);
	for (cmd = commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, name) == 0)
			break;
	if (cmd->name == NULL) {
		snprintf(err, sizeof(err), "unknown command (status, stats, "
		    "recent, pause, resume, reload, rescan)");
		goto out;
	}
	if (cmd->admin && !is_admin(c)) {
		snprintf(err, sizeof(err), "%s: permission denied",
		    cmd->name);
		tm_log(TM_LOG_WARNING, "control: %s refused for uid %ld",
		    cmd->name, (long)c->uid);
		goto out;
	}
	if ((reply = cmd->fn(c->ctl->d, req, err, sizeof(err))) == NULL &&
	    err[0] == '\0')
		snprintf(err, sizeof(err), "out of memory");
	if (reply != NULL) {
		json_object_set_new(reply, "ok", json_true());
		json_object_set_new(reply, "cmd", json_string(cmd->name));
	}
	if (reply != NULL && cmd->admin)
		tm_log(TM_LOG_NOTICE, "control: %s by uid %ld", cmd->name,
		    (long)c->uid);
out:
	if (reply == NULL)
		reply = json_pack("{s:b, s:s}", "ok", 0, "error", err);
	if (id != NULL && reply != NULL)
		json_object_set_new(reply, "id", id);
	json_decref(req);
	return reply;
}

/* -- connections ---------------------------------------------------- */

static void
ctl_unref(struct tm_control *ctl)
{
	if (--ctl->handles > 0)
		return;
	free(ctl->path);
	free(ctl);
}

static void
on_client_closed(uv_handle_t *h)
{
	struct client *c = h->data;
	struct tm_control *ctl = c->ctl;

	tm_buf_release(&c->in);
	free(c);
	ctl_unref(ctl);
}

static void
client_close(struct client *c)
{
	struct tm_control *ctl = c->ctl;

	if (uv_is_closing((uv_handle_t *)&c->h))
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	ctl->nclients--;
	uv_close((uv_handle_t *)&c->h, on_client_closed);
}

static void
on_written(uv_write_t *req, int status)
{
	struct wreq *w = req->data;

	w->c->unsent -= w->len;
	if (status < 0)
		client_close(w->c);
	free(w);
}

static void
send_reply(struct client *c, json_t *reply)
{
	struct wreq *w;
	char *text = json_dumps(reply, JSON_COMPACT);
	size_t len;
	uv_buf_t b;

	json_decref(reply);
	if (text == NULL) {
		client_close(c);
		return;
	}
	len = strlen(text);
	if (c->unsent + len + 1 > UNSENT_MAX ||
	    (w = malloc(sizeof(*w) + len + 1)) == NULL) {
		free(text);
		client_close(c);
		return;
	}
	memcpy(w->data, text, len);
	w->data[len] = '\n';
	free(text);
	w->c = c;
	w->len = len + 1;
	w->req.data = w;
	b = uv_buf_init(w->data, (unsigned)w->len);
	c->unsent += w->len;
	if (uv_write(&w->req, (uv_stream_t *)&c->h, &b, 1, on_written) != 0) {
		c->unsent -= w->len;
		free(w);
		client_close(c);
	}
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct client *c = h->data;

	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct client *c = s->data;
	char *nl;
	size_t len;

	if (n < 0) {
		client_close(c);
		return;
	}
	if (n == 0)
		return;
	c->active_ms = uv_now(c->ctl->d->loop);
	if (tm_buf_append(&c->in, buf->base, (size_t)n) != 0) {
		send_reply(c, json_pack("{s:b, s:s}", "ok", 0, "error",
		    "request line longer than 64 KiB; closing"));
		client_close(c);
		return;
	}
	while (!uv_is_closing((uv_handle_t *)&c->h) &&
	    (nl = memchr(c->in.ptr, '\n', c->in.len)) != NULL) {
		len = (size_t)(nl - c->in.ptr);
		*nl = '\0';
		while (len > 0 && (c->in.ptr[len - 1] == '\r' ||
		    c->in.ptr[len - 1] == ' ' || c->in.ptr[len - 1] == '\t'))
			c->in.ptr[--len] = '\0';
		if (len > 0)
			send_reply(c, handle(c, c->in.ptr, len));
		tm_buf_consume(&c->in, (size_t)(nl - c->in.ptr) + 1);
	}
	if (!uv_is_closing((uv_handle_t *)&c->h) &&
	    c->in.len >= LINE_MAX_BYTES) {
		send_reply(c, json_pack("{s:b, s:s}", "ok", 0, "error",
		    "request line longer than 64 KiB; closing"));
		client_close(c);
	}
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct tm_control *ctl = server->data;
	struct client *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uv_os_fd_t fd;

	if (status < 0)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->ctl = ctl;
	tm_buf_init(&c->in, LINE_MAX_BYTES + sizeof(c->rbuf));
	uv_pipe_init(ctl->d->loop, &c->h, 0);
	c->h.data = c;
	ctl->handles++;
	c->next = ctl->clients;
	if (ctl->clients != NULL)
		ctl->clients->prev = c;
	ctl->clients = c;
	ctl->nclients++;
	if (uv_accept(server, (uv_stream_t *)&c->h) != 0) {
		client_close(c);
		return;
	}
	if (ctl->nclients > CLIENTS_MAX) {
		tm_log(TM_LOG_WARNING, "control: more than %d clients; "
		    "turning one away", CLIENTS_MAX);
		client_close(c);
		return;
	}
	if (uv_fileno((uv_handle_t *)&c->h, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->pid = cred.pid;
		c->have_cred = 1;
	}
	c->active_ms = uv_now(ctl->d->loop);
	if (uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read) != 0)
		client_close(c);
}

static void
on_sweep(uv_timer_t *t)
{
	struct tm_control *ctl = t->data;
	struct client *c, *next;
	uint64_t now = uv_now(ctl->d->loop);

	for (c = ctl->clients; c != NULL; c = next) {
		next = c->next;
		if (now - c->active_ms > IDLE_MS)
			client_close(c);
	}
}

static void
on_ctl_closed(uv_handle_t *h)
{
	ctl_unref(h->data);
}

/* A socket file is in the way: remove it if no daemon answers on it. */
static int
clear_stale(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		tm_log(TM_LOG_ERR, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		tm_log(TM_LOG_ERR, "another textmend is serving on %s", path);
		return -EADDRINUSE;
	}
	tm_log(TM_LOG_NOTICE, "removing stale socket %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
tm_control_start(struct tm_daemon *d)
{
	struct tm_control *ctl;
	struct stat st;
	mode_t old;
	int rc;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return -ENOMEM;
	ctl->d = d;
	if ((ctl->path = strdup(d->cfg->socket)) == NULL) {
		free(ctl);
		return -ENOMEM;
	}
	if ((rc = clear_stale(ctl->path)) != 0) {
		free(ctl->path);
		free(ctl);
		return rc;
	}
	uv_pipe_init(d->loop, &ctl->server, 0);
	ctl->server.data = ctl;
	uv_timer_init(d->loop, &ctl->sweep);
	ctl->sweep.data = ctl;
	ctl->handles = 2;
	d->control = ctl;
	/* Created 0660 from the start: no window in which anyone else
	   could connect. */
	old = umask(0117);
	rc = uv_pipe_bind(&ctl->server, ctl->path);
	umask(old);
	if (rc == 0 && stat(ctl->path, &st) == 0) {
		ctl->ino = st.st_ino;
		ctl->dev = st.st_dev;
		(void)chmod(ctl->path, 0660);
	}
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&ctl->server, 128,
		    on_connection);
	if (rc != 0) {
		tm_log(TM_LOG_ERR, "control socket %s: %s", ctl->path,
		    uv_strerror(rc));
		tm_control_stop(d);
		return rc;
	}
	uv_timer_start(&ctl->sweep, on_sweep, IDLE_MS / 4, IDLE_MS / 4);
	return 0;
}

void
tm_control_stop(struct tm_daemon *d)
{
	struct tm_control *ctl = d->control;
	struct stat st;

	if (ctl == NULL)
		return;
	d->control = NULL;
	while (ctl->clients != NULL)
		client_close(ctl->clients);
	/* Remove the socket file only if it is still ours. */
	if (ctl->ino != 0 && stat(ctl->path, &st) == 0 &&
	    st.st_ino == ctl->ino && st.st_dev == ctl->dev)
		unlink(ctl->path);
	uv_close((uv_handle_t *)&ctl->sweep, on_ctl_closed);
	uv_close((uv_handle_t *)&ctl->server, on_ctl_closed);
}
