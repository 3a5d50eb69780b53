/*
 * control.c - the control socket: line-delimited JSON over a Unix socket.
 *
 * One request per line, one reply per line. A request is a JSON object
 * ({"cmd":"recent","n":5}, an "id" is echoed back) or, for people typing
 * into socat, bare words ("recent 5"). Replies are JSON objects with
 * "ok": true and the command's fields, or "ok": false and an "error".
 * Framing, parsing and dispatch live in proto.c (so that a fuzz target
 * runs the same code); this file holds the command table and the
 * connections. The admin commands (pause, resume, reload, rescan) are
 * allowed only to peers whose SO_PEERCRED uid is root, the daemon's own
 * uid or the configured admin-uid, or who belong to the configured
 * admin-gid, as primary or supplementary group (SO_PEERGROUPS: the
 * groups the peer had when it connected). Who may connect at all is
 * decided by the socket file's mode (0660, made under a tight umask).
 *
 * A reload may move the socket: the new one is bound and listening before
 * the old one is closed and unlinked, and clients already connected keep
 * their connections (the one that asked for the reload gets its reply).
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
#include "textmend/err.h"
#include "textmend/filter.h"
#include "textmend/version.h"
#include "daemon.h"
#include "log.h"
#include "proto.h"

#define UNSENT_MAX (1024 * 1024)
#define CLIENTS_MAX 256
#define IDLE_MS 60000
#define GROUPS_MAX 65536

struct client {
	uv_pipe_t h;
	struct tm_control *ctl;
	struct client *prev, *next;
	struct tm_lines lines;
	size_t unsent;
	uint64_t active_ms;
	struct tm_peer peer;
	pid_t pid;
	char rbuf[4096];
};

/* A listening socket; a reload that moves it has two for a moment. */
struct listener {
	uv_pipe_t h;
	struct tm_control *ctl;
	char *path;
	ino_t ino;
	dev_t dev;
};

struct tm_control {
	struct listener *srv;
	uv_timer_t sweep;
	struct tm_daemon *d;
	struct client *clients;
	unsigned nclients;
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

static json_t *
cmd_status(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;
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
cmd_stats(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;
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
cmd_recent(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;
	long long want;
	json_t *a;
	size_t i, k;

	if (tm_proto_count(req, "n", 10, (long long)d->recent_n, &want, err,
	    errlen) != 0)
		return NULL;
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
cmd_pause(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;

	tm_serve_pause(d, 1);
	return json_pack("{s:s}", "state", tm_serve_state_name(d));
}

static json_t *
cmd_resume(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;

	tm_serve_pause(d, 0);
	return json_pack("{s:s}", "state", tm_serve_state_name(d));
}

static json_t *
cmd_reload(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;

	if (tm_serve_reload(d, err, errlen) != 0)
		return NULL;
	return json_pack("{s:s?, s:s, s:s}", "config", d->cfg->file,
	    "inbox", d->cfg->inbox, "socket", d->cfg->socket);
}

static json_t *
cmd_rescan(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct tm_daemon *d = ctx;

	tm_watch_rescan(d);
	tm_serve_pump(d);
	return json_pack("{s:i, s:i}", "queue",
	    (int)(d->settling.n + d->ready.n), "in_flight", (int)d->inflight);
}

static const struct tm_command commands[] = {
	{ "status", 0, cmd_status },
	{ "stats", 0, cmd_stats },
	{ "recent", 0, cmd_recent },
	{ "pause", 1, cmd_pause },
	{ "resume", 1, cmd_resume },
	{ "reload", 1, cmd_reload },
	{ "rescan", 1, cmd_rescan },
	{ NULL, 0, NULL }
};

/* -- connections ---------------------------------------------------- */

static void
ctl_unref(struct tm_control *ctl)
{
	if (--ctl->handles > 0)
		return;
	free(ctl);
}

static void
on_client_closed(uv_handle_t *h)
{
	struct client *c = h->data;
	struct tm_control *ctl = c->ctl;

	tm_lines_release(&c->lines);
	free(c->peer.groups);
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

/* One request line: answer it. Non-zero stops reading (closing). */
static int
on_line(void *arg, const char *line, size_t len)
{
	struct client *c = arg;
	struct tm_daemon *d = c->ctl->d;
	struct tm_proto_call call;
	json_t *reply;
	int admin;

	admin = tm_proto_is_admin(&c->peer, geteuid(), d->cfg->admin_uid,
	    d->cfg->admin_gid);
	reply = tm_proto_handle(commands, d, admin, line, len, &call);
	if (call.refused)
		tm_log(TM_LOG_WARNING, "control: %s refused for uid %ld",
		    call.cmd->name, (long)c->peer.uid);
	else if (call.ok && call.cmd->admin)
		tm_log(TM_LOG_NOTICE, "control: %s by uid %ld",
		    call.cmd->name, (long)c->peer.uid);
	send_reply(c, reply);
	return uv_is_closing((uv_handle_t *)&c->h);
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct client *c = s->data;
	int rc;

	if (n < 0) {
		client_close(c);
		return;
	}
	if (n == 0)
		return;
	c->active_ms = uv_now(c->ctl->d->loop);
	rc = tm_lines_feed(&c->lines, buf->base, (size_t)n, on_line, c);
	if (rc != 0 && !uv_is_closing((uv_handle_t *)&c->h)) {
		send_reply(c, json_pack("{s:b, s:s}", "ok", 0, "error",
		    rc == TM_ELIMIT ? "request line longer than 64 KiB; "
		    "closing" : "out of memory; closing"));
		client_close(c);
	}
}

/*
 * The peer's supplementary groups as it had them when it connected
 * (SO_PEERGROUPS, Linux 4.13): one call that cannot block, unlike a
 * look-up in the group database. Where the kernel lacks it, only the
 * peer's primary group counts.
 */
static void
peer_groups(struct client *c, int fd)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *g = NULL, *v;

	for (;;) {
		if ((v = realloc(g, len)) == NULL)
			break;
		g = v;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
			c->peer.groups = g;
			c->peer.ngroups = len / sizeof(gid_t);
			return;
		}
		if (errno != ERANGE || len > GROUPS_MAX * sizeof(gid_t))
			break;
	}
	free(g);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct listener *l = server->data;
	struct tm_control *ctl = l->ctl;
	struct client *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uv_os_fd_t fd;

	if (status < 0)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->ctl = ctl;
	tm_lines_init(&c->lines);
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
		c->peer.uid = cred.uid;
		c->peer.gid = cred.gid;
		c->pid = cred.pid;
		c->peer.known = 1;
		peer_groups(c, fd);
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
on_sweep_closed(uv_handle_t *h)
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
	/* Non-blocking: a listener with a full backlog answers EAGAIN
	   rather than holding the loop; it is in use all the same. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (rc != 0 && errno == EAGAIN)
		rc = 0;
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

static void
on_listener_closed(uv_handle_t *h)
{
	struct listener *l = h->data;
	struct tm_control *ctl = l->ctl;

	free(l->path);
	free(l);
	ctl_unref(ctl);
}

/* Close a listener and remove its socket file if it is still ours. */
static void
listener_close(struct listener *l)
{
	struct stat st;

	if (l->ino != 0 && stat(l->path, &st) == 0 &&
	    st.st_ino == l->ino && st.st_dev == l->dev)
		unlink(l->path);
	uv_close((uv_handle_t *)&l->h, on_listener_closed);
}

/* Bind and listen on path; *out is the new listener. */
static int
listener_open(struct tm_control *ctl, const char *path, struct listener **out)
{
	struct listener *l;
	struct stat st;
	mode_t old;
	int rc;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -ENOMEM;
	if ((l->path = strdup(path)) == NULL) {
		free(l);
		return -ENOMEM;
	}
	if ((rc = clear_stale(path)) != 0) {
		free(l->path);
		free(l);
		return rc;
	}
	l->ctl = ctl;
	uv_pipe_init(ctl->d->loop, &l->h, 0);
	l->h.data = l;
	ctl->handles++;
	/* Created 0660 from the start: no window in which anyone else
	   could connect. */
	old = umask(0117);
	rc = uv_pipe_bind(&l->h, path);
	umask(old);
	if (rc == 0 && stat(path, &st) == 0) {
		l->ino = st.st_ino;
		l->dev = st.st_dev;
		(void)chmod(path, 0660);
	}
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&l->h, 128, on_connection);
	if (rc != 0) {
		tm_log(TM_LOG_ERR, "control socket %s: %s", path,
		    uv_strerror(rc));
		listener_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

int
tm_control_start(struct tm_daemon *d)
{
	struct tm_control *ctl;
	int rc;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return -ENOMEM;
	ctl->d = d;
	uv_timer_init(d->loop, &ctl->sweep);
	ctl->sweep.data = ctl;
	ctl->handles = 1;
	d->control = ctl;
	if ((rc = listener_open(ctl, d->cfg->socket, &ctl->srv)) != 0) {
		tm_control_stop(d);
		return rc;
	}
	uv_timer_start(&ctl->sweep, on_sweep, IDLE_MS / 4, IDLE_MS / 4);
	return 0;
}

int
tm_control_move(struct tm_daemon *d, const char *path, char *err,
    size_t errlen)
{
	struct tm_control *ctl = d->control;
	struct listener *l;
	struct stat st;
	int rc;

	/* The same socket, maybe under another spelling of its path. */
	if (ctl == NULL || (ctl->srv != NULL &&
	    (strcmp(ctl->srv->path, path) == 0 || (stat(path, &st) == 0 &&
	    st.st_ino == ctl->srv->ino && st.st_dev == ctl->srv->dev))))
		return 0;
	if ((rc = listener_open(ctl, path, &l)) != 0) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    rc == -EADDRINUSE ? "another textmend is serving there" :
		    uv_strerror(rc));
		return rc;
	}
	if (ctl->srv != NULL) {
		tm_log(TM_LOG_NOTICE, "control socket moved from %s to %s",
		    ctl->srv->path, path);
		listener_close(ctl->srv);
	}
	ctl->srv = l;
	return 0;
}

void
tm_control_stop(struct tm_daemon *d)
{
	struct tm_control *ctl = d->control;

	if (ctl == NULL)
		return;
	d->control = NULL;
	while (ctl->clients != NULL)
		client_close(ctl->clients);
	if (ctl->srv != NULL)
		listener_close(ctl->srv);
	ctl->srv = NULL;
	uv_close((uv_handle_t *)&ctl->sweep, on_sweep_closed);
}
