#!/bin/sh
# The daemon's speed and memory beside a baseline from the same run:
#
#   throughput  N files of 4 KB cut from the seeds, written beside the
#               inbox and renamed into it at once, until all are in the
#               outbox; against a bare loop doing write+fsync+rename of
#               the same files on the same filesystem (run before and
#               after the daemon, the mean is the baseline). Target: the
#               daemon at no less than 0.5x the bare loop.
#   latency     rename into the inbox to the output's rename into the
#               outbox, one 10 KB file at a time on an idle daemon, seen
#               through inotify on the outbox; beside it, the bare loop's
#               time for one file. Target: p50 < 5 ms, p99 < 50 ms.
#   memory      the daemon's resident size (VmRSS) across a long run of
#               4 KB files, in batches of 10,000 whose outputs are removed
#               between batches: at start, after every batch and at the
#               end; flat means within 10 MB after the first batch. Then
#               one big file through a fresh daemon, with its peak RSS
#               (VmHWM) against the file's size.
#
# The daemon runs with its defaults (fsync on, one worker per CPU). Not a
# CTest test: it measures the machine as much as the code.
#
# usage: bench_serve.sh [--full] BUILD_DIR [SEEDS_DIR]
#   --full          the issue's sizes: 100,000 files for the memory run and
#                   a 1 GiB file (the default is 30,000 files and 256 MB)
#   BUILD_DIR       holds the textmend binary
#   SEEDS_DIR       text to cut the inputs from (default: $TM_SHARED_DIR/
#                   seeds, else the shared folder beside the tree)
#   BENCH_DIR       where the work folder goes (default $TMPDIR or /tmp);
#                   the baseline runs on the same filesystem
#   BENCH_FILES, BENCH_LAT_FILES, BENCH_MEM_FILES, BENCH_BIG_MB override
#                   the sizes (10000, 300, 30000 or 100000, 256 or 1024)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
full=0
if [ "${1:-}" = --full ]; then
	full=1
	shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--full] BUILD_DIR [SEEDS_DIR]" >&2; exit 2; }
bin=$1/textmend
seeds=${2:-${TM_SHARED_DIR:-$here/../../../shared}/seeds}
if [ "$full" -eq 1 ]; then
	mem_default=100000
	big_default=1024
else
	mem_default=30000
	big_default=256
fi
files=${BENCH_FILES:-10000}
lat_files=${BENCH_LAT_FILES:-300}
mem_files=${BENCH_MEM_FILES:-$mem_default}
big_mb=${BENCH_BIG_MB:-$big_default}

[ -x "$bin" ] || { echo "bench: no textmend binary at $bin" >&2; exit 2; }
ls "$seeds"/*.txt >/dev/null 2>&1 ||
    { echo "bench: no seeds in $seeds" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 not found" >&2; exit 2; }

work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bench_serve.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

python3 - "$bin" "$seeds" "$work" "$files" "$lat_files" "$mem_files" \
    "$big_mb" <<'EOF'
import ctypes, glob, os, select, signal, struct, subprocess, sys, time

BIN, SEEDS, WORK = sys.argv[1:4]
N_FILES, N_LAT, N_MEM, BIG_MB = map(int, sys.argv[4:8])
BATCH = 10000

IN_MOVED_TO = 0x80
IN_Q_OVERFLOW = 0x4000
libc = ctypes.CDLL(None, use_errno=True)

text = b"".join(open(p, "rb").read()
                for p in sorted(glob.glob(os.path.join(SEEDS, "*.txt"))))
ring = text * (1 + 16384 // len(text) + 1)


def cut(i, size):
    """size bytes of the seeds from a place that depends on i, on UTF-8
    character boundaries, ending with a newline."""
    start = (i * 7919) % len(text)
    while start < len(ring) and 0x80 <= ring[start] < 0xC0:
        start += 1
    end = start + size - 1
    while 0x80 <= ring[end] < 0xC0:
        end -= 1
    return ring[start:end] + b"\n"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Watch:
    """inotify on one folder for IN_MOVED_TO: the names renamed into it."""

    def __init__(self, path):
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(
                self.fd, path.encode(), IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), "inotify on " + path)
        self.overflowed = False

    def names(self, timeout):
        """The names that arrived, waiting up to timeout seconds."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return []
        try:
            buf = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return []
        out, off = [], 0
        while off < len(buf):
            wd, mask, cookie, ln = struct.unpack_from("iIII", buf, off)
            name = buf[off + 16:off + 16 + ln].rstrip(b"\0")
            off += 16 + ln
            if mask & IN_Q_OVERFLOW:
                self.overflowed = True
            elif not name.startswith(b"."):
                out.append(name.decode())
        return out

    def close(self):
        os.close(self.fd)


class Daemon:
    def __init__(self, name, extra=""):
        self.dir = os.path.join(WORK, name)
        os.makedirs(os.path.join(self.dir, "stage"))
        with open(os.path.join(self.dir, "textmend.conf"), "w") as f:
            f.write("[serve]\nsummary = 0\nmax-size = 4G\n" + extra)
        self.logf = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--config", "textmend.conf"], cwd=self.dir,
            stdout=subprocess.DEVNULL, stderr=self.logf)
        sock = os.path.join(self.dir, "textmend.sock")
        for _ in range(200):
            if subprocess.call([BIN, "status", "--socket", sock],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) == 0:
                break
            if self.proc.poll() is not None:
                raise SystemExit("bench: the daemon exited at start")
            time.sleep(0.05)
        else:
            raise SystemExit("bench: the daemon did not start")
        self.inbox = os.path.join(self.dir, "inbox")
        self.outbox = os.path.join(self.dir, "outbox")
        self.stage = os.path.join(self.dir, "stage")

    def mem(self):
        """VmRSS, VmHWM, RssAnon, RssFile in MB."""
        v = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    v[k] = int(rest.split()[0]) / 1024
        return v

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


def wait_outputs(watch, want, daemon, limit):
    """Wait until every name of want is in the outbox."""
    left = set(want)
    deadline = time.monotonic() + limit
    while left:
        if time.monotonic() > deadline:
            raise SystemExit("bench: %d files not cleaned in %d s"
                             % (len(left), limit))
        if daemon.proc.poll() is not None:
            raise SystemExit("bench: the daemon died")
        for n in watch.names(0.5):
            left.discard(n)
        if watch.overflowed:
            watch.overflowed = False
            left -= set(os.listdir(daemon.outbox))


def stage_files(daemon, names, size, first):
    for k, n in enumerate(names):
        with open(os.path.join(daemon.stage, n), "wb") as f:
            f.write(cut(first + k, size))
    os.sync()


def drop_all(daemon, names):
    for n in names:
        os.rename(os.path.join(daemon.stage, n), os.path.join(daemon.inbox, n))


def empty(path):
    for e in os.scandir(path):
        if e.is_file(follow_symlinks=False):
            os.unlink(e.path)


def bare_loop(name, datas):
    d = os.path.join(WORK, name)
    os.makedirs(d)
    os.sync()
    t0 = time.monotonic()
    for n, data in datas:
        tmp = os.path.join(d, "." + n + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, os.path.join(d, n))
    t = time.monotonic() - t0
    empty(d)
    return len(datas) / t


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def throughput():
    log("throughput: %d files of 4 KB..." % N_FILES)
    names = ["t%06d.txt" % i for i in range(N_FILES)]
    datas = [(n, cut(i, 4096)) for i, n in enumerate(names)]
    bare1 = bare_loop("bare1", datas)
    d = Daemon("tp")
    try:
        stage_files(d, names, 4096, 0)
        w = Watch(d.outbox)
        t0 = time.monotonic()
        drop_all(d, names)
        t_drop = time.monotonic() - t0
        wait_outputs(w, names, d, max(300, N_FILES // 20))
        t = time.monotonic() - t0
        w.close()
    finally:
        d.stop()
    bare2 = bare_loop("bare2", datas)
    bare = (bare1 + bare2) / 2
    ours = N_FILES / t
    print("\nthroughput: %d files of 4 KB dropped at once (renames took %.2f s)"
          % (N_FILES, t_drop))
    print("  bare write+fsync+rename loop  %8.0f files/s  (%.0f before, %.0f after)"
          % (bare, bare1, bare2))
    print("  textmend serve                %8.0f files/s  (%.2f s)" % (ours, t))
    print("  ratio serve/bare              %8.2f   (target >= 0.50: %s)"
          % (ours / bare, "met" if ours / bare >= 0.5 else "NOT met"))


def bare_latency(names, size):
    """The same files one at a time through write+fsync+rename, in ms."""
    d = os.path.join(WORK, "bare_lat")
    os.makedirs(d)
    os.sync()
    lat = []
    for k, n in enumerate(names):
        data = cut(50000 + k, size)
        tmp = os.path.join(d, "." + n + ".tmp")
        t0 = time.monotonic()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, os.path.join(d, n))
        lat.append((time.monotonic() - t0) * 1000)
        time.sleep(0.01)
    empty(d)
    return lat


def latency():
    log("latency: %d files of 10 KB, one at a time..." % N_LAT)
    names = ["l%05d.txt" % i for i in range(N_LAT)]
    d = Daemon("lat")
    try:
        stage_files(d, names, 10240, 50000)
        w = Watch(d.outbox)
        time.sleep(0.5)
        lat = []
        for n in names:
            w.names(0)
            t0 = time.monotonic()
            os.rename(os.path.join(d.stage, n), os.path.join(d.inbox, n))
            deadline = t0 + 10
            while True:
                got = w.names(max(0, deadline - time.monotonic()))
                if n in got:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("bench: %s not cleaned in 10 s" % n)
            lat.append((time.monotonic() - t0) * 1000)
            time.sleep(0.01)
        w.close()
    finally:
        d.stop()
    bare = bare_latency(names, 10240)
    p50, p99 = pct(lat, 50), pct(lat, 99)
    print("\nlatency: rename into the inbox -> output renamed into the outbox"
          " (seen by inotify), %d files of 10 KB, idle daemon" % N_LAT)
    print("  textmend serve   p50 %6.2f ms (target < 5: %s)   p99 %6.2f ms"
          " (target < 50: %s)   max %.2f ms"
          % (p50, "met" if p50 < 5 else "NOT met", p99,
             "met" if p99 < 50 else "NOT met", max(lat)))
    print("  bare write+fsync+rename of the same files: p50 %6.2f ms"
          "   p99 %6.2f ms   max %.2f ms"
          % (pct(bare, 50), pct(bare, 99), max(bare)))


def memory():
    batches = max(1, N_MEM // BATCH)
    log("memory: %d files of 4 KB in %d batches..." % (batches * BATCH, batches))
    d = Daemon("mem")
    rows = []
    try:
        time.sleep(0.5)
        rows.append((0, d.mem()))
        w = Watch(d.outbox)
        for b in range(batches):
            names = ["m%02d_%05d.txt" % (b, i) for i in range(BATCH)]
            stage_files(d, names, 4096, b * BATCH)
            drop_all(d, names)
            wait_outputs(w, names, d, max(300, BATCH // 20))
            rows.append(((b + 1) * BATCH, d.mem()))
            empty(d.outbox)
            empty(os.path.join(d.dir, "reports"))
        w.close()
        failed = len(os.listdir(os.path.join(d.dir, "failed")))
    finally:
        d.stop()
    print("\nmemory: resident size of the daemon across %d files (MB)"
          % (batches * BATCH))
    print("  %8s %8s %8s %8s %8s" % ("files", "VmRSS", "RssAnon", "RssFile",
                                      "VmHWM"))
    for n, m in rows:
        print("  %8d %8.1f %8.1f %8.1f %8.1f" % (n, m["VmRSS"], m["RssAnon"],
                                              m["RssFile"], m["VmHWM"]))
    after = [m["VmRSS"] for n, m in rows[1:]]
    spread = max(after) - min(after)
    print("  start to end %+.1f MB; spread after the first batch %.1f MB"
          " (flat within 10 MB: %s)%s"
          % (rows[-1][1]["VmRSS"] - rows[0][1]["VmRSS"], spread,
             "yes" if spread <= 10 else "NO",
             "" if not failed else "; %d files failed" % failed))


def big():
    log("memory: one %d MB file..." % BIG_MB)
    d = Daemon("big")
    try:
        path = os.path.join(d.stage, "big.txt")
        block = (text * (4194304 // len(text) + 1))
        with open(path, "wb") as f:
            size = 0
            while size < BIG_MB * 1048576:
                f.write(block)
                size += len(block)
        os.sync()
        time.sleep(0.5)
        base = d.mem()
        w = Watch(d.outbox)
        t0 = time.monotonic()
        os.rename(path, os.path.join(d.inbox, "big.txt"))
        peak = 0
        while "big.txt" not in w.names(0.2):
            if d.proc.poll() is not None:
                raise SystemExit("bench: the daemon died on the big file")
            if time.monotonic() - t0 > 3600:
                raise SystemExit("bench: big file not cleaned in an hour")
            peak = max(peak, d.mem()["VmRSS"])
        t = time.monotonic() - t0
        m = d.mem()
        w.close()
        failed = os.listdir(os.path.join(d.dir, "failed"))
    finally:
        d.stop()
    print("\nmemory: one file of %.0f MB through the daemon in %.1f s (%.1f MB/s)%s"
          % (size / 1048576, t, size / 1048576 / t,
             "; FAILED: %s" % failed if failed else ""))
    print("  VmRSS before %.1f MB, highest seen %.1f MB; VmHWM %.1f MB"
          " (%.1f%% of the input)"
          % (base["VmRSS"], max(peak, m["VmRSS"]), m["VmHWM"],
             100 * m["VmHWM"] / (size / 1048576)))


print("textmend serve benchmark: %s, work folder on %s"
      % (BIN, os.path.dirname(WORK)))
for step in (throughput, latency, memory, big):
    step()
    sys.stdout.flush()
EOF
