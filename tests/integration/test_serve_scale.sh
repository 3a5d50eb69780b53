#!/bin/sh
# Scale tests of `textmend serve`, each on the real daemon in temporary
# folders: a flood of files written while the daemon is stopped (the
# inotify overflow path), SIGKILL again and again in a run of thousands
# of files, a 1 GiB input and a gzip bomb with the daemon's peak memory
# checked, and a full disk that clears up while the input waits.
# test_serve.sh covers the rest (bad files, odd names, the socket).
#
# usage: sh test_serve_scale.sh CASE
#   env: TEXTMEND, TM_SHARED_DIR; TM_SCALE=small|full (default: small
#   when TEXTMEND is built with a sanitizer, full otherwise)
# Every case is bounded in time and the daemon is always killed on exit.
set -u

: "${TEXTMEND:?set TEXTMEND to the textmend binary}"
: "${TM_SHARED_DIR:?set TM_SHARED_DIR}"
SEEDS=$TM_SHARED_DIR/seeds

T=$(mktemp -d)
# Expected outputs go to a tmpfs when there is one: `clean --outdir`
# fsyncs every file, which is slow for thousands of them on a disk.
W=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	W=$(mktemp -d /dev/shm/textmend-test.XXXXXX) || W=
fi
[ -n "$W" ] || W=$T/want.d
DPID=
cleanup() {
	if [ -n "$DPID" ]; then
		kill -CONT "$DPID" 2>/dev/null
		kill -KILL "$DPID" 2>/dev/null
	fi
	wait 2>/dev/null
	rm -rf "$T" "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/log" ]; then
		echo "--- daemon log (tail) ---" >&2
		tail -n 30 "$T/log" >&2
	fi
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77	# ctest counts it as skipped
}

# small_tmpfs: a full disk for the daemon to meet
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib_tmpfs.sh"

# A sanitizer build runs several times slower: smaller counts there.
small() {
	case "${TM_SCALE:-}" in
	small) return 0 ;;
	full) return 1 ;;
	esac
	ldd "$TEXTMEND" 2>/dev/null | grep -q 'libasan\|libubsan\|libtsan' &&
	    return 0
	grep -aq '__asan_init\|__ubsan_handle\|__tsan_init' "$TEXTMEND"
}

if small; then
	SCALE=small
	# keep ASan's quarantine from passing for the daemon's own memory
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=16"
	export ASAN_OPTIONS
else
	SCALE=full
fi

wait_for() {
	limit=$1
	shift
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge $((limit * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

config() {
	{
		echo "[serve]"
		echo "settle = 200ms"
		echo "workers = 2"
		echo "summary = 0"
		echo "sync = no"
		echo "rescan = 1h"
		for l in "$@"; do
			echo "$l"
		done
	} >"$T/textmend.conf"
}

start() {
	[ -f "$T/textmend.conf" ] || config
	(cd "$T" && exec "$TEXTMEND" serve --config textmend.conf \
	    2>>"$T/log") &
	DPID=$!
	wait_for 20 answers || fail "the daemon did not start"
}

answers() {
	"$TEXTMEND" status --socket "$T/textmend.sock" >/dev/null 2>&1
}

stop() {
	kill -TERM "$DPID"
	i=0
	while kill -0 "$DPID" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge 1200 ] && fail "the daemon did not exit on SIGTERM"
		sleep 0.05
	done
	wait "$DPID"
	rc=$?
	DPID=
	[ "$rc" -eq 0 ] || fail "the daemon exited $rc on SIGTERM"
}

crash() {
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=
}

count() {
	find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l
}

has_count() {
	[ "$(count "$1")" -eq "$2" ]
}

empty() {
	for d in "$@"; do
		[ -z "$(ls -A "$d")" ] || return 1
	done
}

# No temporary file of the daemon's anywhere (outputs, reports, errors,
# archives are all written as .NAME.XXXXXX.part).
no_temps() {
	left=$(find "$1" -name '.*.part' | head -5)
	[ -z "$left" ] || fail "temporary files left: $left"
}

# same_as_clean SRC_DIR OUT_DIR: OUT_DIR holds exactly what `textmend
# clean` makes of every file in SRC_DIR, under the same names.
same_as_clean() {
	rm -rf "$W/want"
	mkdir -p "$W/want"
	(cd "$1" && find . -maxdepth 1 -type f -print0 |
	    xargs -0 "$TEXTMEND" clean -q --outdir "$W/want") ||
	    fail "textmend clean of $1"
	diff -r "$W/want" "$2" >"$T/diff" 2>&1 ||
	    fail "outputs differ from textmend clean: $(head -c 600 "$T/diff")"
}

# peak_rss_kb: the daemon's peak resident size so far.
peak_rss_kb() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DPID/status"
}

# recent_has PATTERN: the last files the daemon handled match PATTERN.
recent_has() {
	"$TEXTMEND" recent 5 --json --socket "$T/textmend.sock" >"$T/recent" &&
	    grep -q "$1" "$T/recent"
}

# -- cases -----------------------------------------------------------

# 10,000 files written in place while the daemon is stopped: three events
# each are more than the kernel queues, so the daemon must notice the
# overflow and list the inbox. Every file is cleaned, as `clean` would.
case_sigstop_10k() {
	max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null ||
	    echo 16384)
	n=10000
	[ "$SCALE" = small ] && n=$((max / 3 + 500))
	[ $((n * 3)) -gt "$max" ] ||
	    skip "max_queued_events $max is too large to overflow"
	[ "$n" -le 20000 ] || skip "max_queued_events $max is too large"
	config "queue = 2000"
	start
	kill -STOP "$DPID"
	i=0
	while [ $i -lt "$n" ]; do
		echo "file $i, 一二三 ,四" >"$T/inbox/f$i.txt"
		i=$((i + 1))
	done
	kill -CONT "$DPID"
	# the same inputs, for `clean`, while the daemon works
	mkdir "$W/src"
	i=0
	while [ $i -lt "$n" ]; do
		echo "file $i, 一二三 ,四" >"$W/src/f$i.txt"
		i=$((i + 1))
	done
	wait_for 240 has_count "$T/outbox" "$n" ||
	    fail "only $(count "$T/outbox") of $n cleaned"
	wait_for 10 empty "$T/inbox" "$T/.work" || fail "leftovers in inbox/work"
	grep -q 'overflowed' "$T/log" || fail "the overflow went unnoticed"
	[ -z "$(ls -A "$T/failed")" ] || fail "files failed: $(ls "$T/failed" |
	    head -3)"
	same_as_clean "$W/src" "$T/outbox"
	stop
	no_temps "$T"
}

# SIGKILL at random moments in a run of 2,000 files, five times, then a
# last run to the end: every input is in the outbox exactly once and
# identical to what `clean` makes of it, or in failed/ with a reason.
case_kill_2000() {
	n=2000
	[ "$SCALE" = small ] && n=400
	config "sync = yes" "workers = 2"
	mkdir "$T/src"
	i=0
	set -- "$SEEDS"/*.txt
	nseeds=$#
	while [ $i -lt "$n" ]; do
		k=$((i % nseeds + 1))
		eval "s=\${$k}"
		# a different cut of a seed each time, and a line of its own
		# shellcheck disable=SC2154 # s is set by the eval above
		{ head -c $((2000 + i * 37 % 9000)) "$s"; echo; echo "copy $i"; } \
		    >"$T/src/k$i.txt"
		i=$((i + 1))
	done
	head -c 3000 "$TEXTMEND" >"$T/binary.bin"
	cp -r "$T/src" "$T/orig"
	find "$T/src" -type f -exec mv -t "$T/inbox" {} +
	mv "$T/binary.bin" "$T/inbox/"
	for round in 1 2 3 4 5; do
		start
		# a random moment in the first 1.5 s of this run
		sleep "$(awk -v r="$round$$" 'BEGIN { srand(r); printf "%.2f",
		    0.1 + rand() * 1.4 }')"
		crash
	done
	# the kills did land in the middle of the run
	[ "$(count "$T/inbox")" -lt "$n" ] || fail "nothing was cleaned"
	start
	wait_for 240 empty "$T/inbox" "$T/.work" ||
	    fail "inbox or work folder never emptied"
	nfailed=$(find "$T/failed" -mindepth 1 -maxdepth 1 \
	    ! -name '*.error.json' | wc -l)
	[ "$nfailed" -eq 1 ] || fail "$nfailed failed, want 1: $(ls "$T/failed")"
	[ -e "$T/failed/binary.bin" ] || fail "the binary input was not failed"
	grep -q '"reason": *"binary"' "$T/failed/binary.bin.error.json" ||
	    fail "no reason for binary.bin"
	same_as_clean "$T/orig" "$T/outbox"
	[ "$(count "$T/reports")" -eq "$n" ] || fail "a report is missing"
	stop
	no_temps "$T"
}

# A 1 GiB input is cleaned as it streams, without the daemon holding it
# in memory (its peak resident size stays far below the input's size),
# and a gzip bomb is refused; the daemon is still up afterwards. (The
# output is not compared with `clean` here: that would double the run
# time, and the other cases compare every output.)
case_huge_and_bomb() {
	mib=1024
	[ "$SCALE" = small ] && mib=64
	config "max-size = 2G" "workers = 2"
	start
	{ cat "$SEEDS"/*.txt; echo; } >"$T/block"
	yes "$(cat "$T/block")" | head -c $((mib * 1048576)) >"$T/inbox/.huge"
	rm "$T/block"
	mv "$T/inbox/.huge" "$T/inbox/huge.txt"
	# 64 MiB of one letter, compressed 1000:1, 16 times over: 1 GiB
	head -c 67108864 /dev/zero | tr '\0' a | gzip -9 >"$T/m.gz"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		cat "$T/m.gz"
	done >"$T/inbox/.bomb"
	rm "$T/m.gz"
	mv "$T/inbox/.bomb" "$T/inbox/bomb.txt.gz"
	wait_for 280 test -e "$T/outbox/huge.txt" || fail "huge.txt not cleaned"
	wait_for 20 empty "$T/inbox" "$T/.work" || fail "leftovers"
	[ -s "$T/outbox/huge.txt" ] || fail "huge.txt cleaned to nothing"
	out=$(wc -c <"$T/outbox/huge.txt")
	# (the output is visible a moment before the job is accounted for)
	want="\"bytes_in\": *$((mib * 1048576)), *\"bytes_out\": *$out,"
	wait_for 10 recent_has "$want" ||
	    fail "recent disagrees: $(cat "$T/recent")"
	rm -f "$T/outbox/huge.txt"
	if [ -e "$T/failed/bomb.txt.gz" ]; then
		grep -q '"reason": *"[a-z-]*"' "$T/failed/bomb.txt.gz.error.json" ||
		    fail "the bomb failed without a reason"
	elif [ ! -e "$T/outbox/bomb.txt" ]; then
		fail "the bomb was neither cleaned nor failed"
	fi
	rm -f "$T/outbox/bomb.txt" "$T/failed/bomb.txt.gz"
	answers || fail "the daemon is down"
	peak=$(peak_rss_kb)
	echo "peak RSS ${peak} kB for a ${mib} MiB input and a 1 GiB bomb"
	[ -n "$peak" ] || fail "no VmHWM for the daemon"
	[ "$peak" -lt 262144 ] || fail "peak RSS $peak kB, want < 256 MiB"
	stop
	no_temps "$T"
}

# A full disk under the outbox (a small tmpfs in a private mount
# namespace): the input stays (back in the inbox), the failure is
# reported, and once there is room again the same file is cleaned by
# a retry after backoff.
case_full_disk() {
	small_tmpfs 512k "[paths]" "outbox = small/out"
	head -c 420000 /dev/zero >"$T/small/filler" 2>/dev/null
	i=0
	while [ $i -lt 3000 ]; do
		echo "line $i of a file that does not fit, 一二三 ,四"
		i=$((i + 1))
	done >"$T/big.in"
	cp "$T/big.in" "$T/inbox/.big"
	mv "$T/inbox/.big" "$T/inbox/big.txt"
	wait_for 20 grep -q 'will retry "big.txt": no-space' "$T/log" ||
	    fail "ENOSPC not reported"
	# a second attempt after backoff, still no room
	wait_for 20 sh -c "[ \$(grep -c 'will retry \"big.txt\"' '$T/log') \
	    -ge 2 ]" || fail "no retry after backoff"
	[ -e "$T/inbox/big.txt" ] || [ -e "$T/.work/big.txt" ] ||
	    fail "the input left the inbox"
	[ ! -e "$T/failed/big.txt" ] || fail "a full disk failed the file"
	"$TEXTMEND" status --json --socket "$T/textmend.sock" >"$T/st" ||
	    fail "daemon down"
	grep -q '"retried": *[1-9]' "$T/st" || fail "retries not counted"
	rm "$T/small/filler"
	wait_for 30 test -e "$T/small/out/big.txt" ||
	    fail "not cleaned after the disk had room"
	"$TEXTMEND" clean -q <"$T/big.in" >"$T/want.big"
	cmp -s "$T/want.big" "$T/small/out/big.txt" || fail "big.txt differs"
	wait_for 10 empty "$T/inbox" "$T/.work" || fail "leftovers"
	stop
	no_temps "$T"
}

[ $# -eq 1 ] || { echo "usage: $0 CASE" >&2; exit 2; }
CASE=$1
mkdir -p "$T/inbox"
"case_$CASE"
