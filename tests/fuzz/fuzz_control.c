/*
 * fuzz_control.c - the libFuzzer target for the control socket protocol.
 *
 * Any bytes go through the daemon's own framing and dispatch (proto.c,
 * the code control.c calls for every read and every line), fed in pieces
 * whose sizes come from the input, so lines are split everywhere; lines
 * may be empty, oversized (a 4 KiB request, a 64 KiB line), invalid JSON
 * or UTF-8, or bare words. The table has the daemon's command names and
 * admin flags; its handlers check their arguments with the same helper
 * the daemon's use (tm_proto_count) and build replies of the same shape.
 *
 * Contract checked for every line: a reply is a JSON object with a
 * boolean "ok" (an "error" string when false), it serialises to one line
 * of valid UTF-8 without a raw newline, an admin command runs only for an
 * admin, and the "id" of a JSON request comes back. The peer's groups
 * and ids come from the input too, so tm_proto_is_admin is exercised.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "textmend/err.h"
#include "textmend/utf8.h"
#include "proto.h"

struct fuzz {
	int admin;
	int paused;
	unsigned ran_admin;
};

static json_t *
cmd_status(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct fuzz *f = ctx;

	return json_pack("{s:s, s:i}", "state", f->paused ? "paused" :
	    "running", "queue", 0);
}

static json_t *
cmd_recent(void *ctx, json_t *req, char *err, size_t errlen)
{
	long long want, i;
	json_t *a;

	if (tm_proto_count(req, "n", 10, 256, &want, err, errlen) != 0)
		return NULL;
	if (want < 0 || want > 256)
		abort();
	a = json_array();
	for (i = 0; i < want; i++)
		json_array_append_new(a, json_pack("{s:s}", "outcome",
		    "cleaned"));
	return json_pack("{s:o}", "files", a);
}

static json_t *
cmd_admin(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct fuzz *f = ctx;

	if (!f->admin)
		abort();	/* dispatch ran an admin command for nobody */
	f->ran_admin++;
	f->paused = !f->paused;
	return json_pack("{s:s}", "state", f->paused ? "paused" : "running");
}

static json_t *
cmd_reload(void *ctx, json_t *req, char *err, size_t errlen)
{
	struct fuzz *f = ctx;

	if (!f->admin)
		abort();
	/* A reload that fails says why, as tm_serve_reload does. */
	snprintf(err, errlen, "fuzz.conf:1: workers: not a number");
	return NULL;
}

static const struct tm_command commands[] = {
	{ "status", 0, cmd_status },
	{ "stats", 0, cmd_status },
	{ "recent", 0, cmd_recent },
	{ "pause", 1, cmd_admin },
	{ "resume", 1, cmd_admin },
	{ "reload", 1, cmd_reload },
	{ "rescan", 1, cmd_admin },
	{ NULL, 0, NULL }
};

static int
on_line(void *arg, const char *line, size_t len)
{
	struct fuzz *f = arg;
	struct tm_proto_call call;
	json_t *reply, *ok, *id = NULL, *req;
	char *text;

	if (len == 0 || line[len] != '\0' || line[len - 1] == ' ' ||
	    line[len - 1] == '\r' || memchr(line, '\n', len) != NULL)
		abort();	/* framing contract */
	reply = tm_proto_handle(commands, f, f->admin, line, len, &call);
	if (reply == NULL)
		return 0;	/* out of memory (libFuzzer's malloc limit) */
	ok = json_object_get(reply, "ok");
	if (!json_is_object(reply) || !json_is_boolean(ok))
		abort();
	if (!json_is_true(ok) && !json_is_string(json_object_get(reply,
	    "error")))
		abort();
	if (call.refused && (f->admin || json_is_true(ok)))
		abort();
	if (json_is_true(ok) && (call.cmd == NULL || !call.ok))
		abort();
	/* A JSON object request's id is echoed. */
	if (line[0] == '{' && len <= TM_PROTO_REQUEST_MAX &&
	    (req = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL)) !=
	    NULL) {
		if (json_is_object(req) &&
		    (id = json_object_get(req, "id")) != NULL &&
		    !json_equal(id, json_object_get(reply, "id")))
			abort();
		json_decref(req);
	}
	text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (text == NULL)
		return 0;
	if (strchr(text, '\n') != NULL ||
	    !tm_utf8_valid(text, strlen(text)))
		abort();
	free(text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_lines lines;
	struct tm_peer peer;
	struct fuzz f;
	gid_t groups[4];
	size_t off, k, piece;
	int rc;

	if (size < 4)
		return 0;
	/* Byte 0: the peer (uid 0, ours, or another; groups); byte 1: the
	   admin settings; byte 2: how the rest is cut into reads. */
	memset(&peer, 0, sizeof(peer));
	peer.known = (data[0] & 0x80) != 0;
	peer.uid = (data[0] & 3) == 0 ? 0 : (data[0] & 3) == 1 ? getuid() :
	    1000 + (data[0] & 3);
	peer.gid = 100 + ((data[0] >> 2) & 3);
	for (k = 0; k < 4; k++)
		groups[k] = (gid_t)(200 + k * ((data[0] >> 4) & 7));
	peer.groups = groups;
	peer.ngroups = (data[0] >> 4) & 3;
	memset(&f, 0, sizeof(f));
	f.admin = tm_proto_is_admin(&peer, getuid(),
	    (data[1] & 1) ? 1001 : -1, (data[1] & 2) ? 100 + ((data[1] >> 2) &
	    3) : (data[1] & 4) ? 200 : -1);
	if (f.admin && !peer.known)
		abort();
	piece = (size_t)data[2] * 61 + 1;
	data += 3;
	size -= 3;
	tm_lines_init(&lines);
	for (off = 0; off < size; off += k) {
		k = size - off < piece ? size - off : piece;
		rc = tm_lines_feed(&lines, data + off, k, on_line, &f);
		if (rc == TM_ELIMIT) {
			/* The daemon closes such a client; start afresh. */
			tm_lines_release(&lines);
			tm_lines_init(&lines);
		} else if (rc != 0)
			abort();
		if (lines.in.len >= TM_PROTO_LINE_MAX)
			abort();	/* the buffer stays bounded */
	}
	tm_lines_release(&lines);
	if (!f.admin && f.ran_admin)
		abort();
	return 0;
}
