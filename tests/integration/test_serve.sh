#!/bin/sh
# Integration tests of `textmend serve`: the real daemon on a temporary
# folder, files dropped by rename and by in-place writes, SIGSTOP/SIGCONT
# and SIGKILL in the middle of a run, bad files of every kind, every
# control command through the client and through socat, many clients,
# admin commands refused to another uid, SIGTERM draining, sd_notify, and
# the systemd unit checked by systemd-analyze.
#
# usage: sh test_serve.sh CASE   (env: TEXTMEND, TM_SOURCE_DIR, TM_SHARED_DIR)
# Every case is bounded in time and the daemon is always killed on exit.
set -u

: "${TEXTMEND:?set TEXTMEND to the textmend binary}"
: "${TM_SHARED_DIR:?set TM_SHARED_DIR}"
SEEDS=$TM_SHARED_DIR/seeds

# canonical, as the daemon's descriptors name it (reload_new_fs)
T=$(cd "$(mktemp -d)" && pwd -P)
DPID=
HELPERS=
cleanup() {
	if [ -n "$DPID" ]; then
		kill -CONT "$DPID" 2>/dev/null
		kill -KILL "$DPID" 2>/dev/null
	fi
	for p in $HELPERS; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
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

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
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

# config [LINE...]: a config with short timings for tests, plus LINEs.
config() {
	{
		echo "[serve]"
		echo "settle = 300ms"
		echo "workers = 2"
		echo "summary = 0"
		echo "sync = no"
		echo "rescan = 5s"
		for l in "$@"; do
			echo "$l"
		done
	} >"$T/textmend.conf"
}

# start [VAR=VALUE...]: the daemon on $T, with VARs in its environment.
start() {
	[ -f "$T/textmend.conf" ] || config
	(cd "$T" && exec env "$@" "$TEXTMEND" serve --config textmend.conf \
	    2>>"$T/log") &
	DPID=$!
	# Answering, not merely a socket file: a stale one may be there.
	wait_for 10 answers || fail "the daemon did not start"
}

answers() {
	"$TEXTMEND" status --socket "$T/textmend.sock" >/dev/null 2>&1
}

# stop: SIGTERM, and the exit status must be 0.
stop() {
	kill -TERM "$DPID"
	i=0
	while kill -0 "$DPID" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge 600 ] && fail "the daemon did not exit on SIGTERM"
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

tmc() {
	"$TEXTMEND" "$@" --socket "$T/textmend.sock"
}

# drop NAME < data: write under a temporary name, rename into the inbox.
drop() {
	cat >"$T/inbox/.$1.part" && mv "$T/inbox/.$1.part" "$T/inbox/$1"
}

# seed_pile: the seeds 300 times over (26 MB), a file that stays in
# flight long enough for a reload to meet it.
seed_pile() {
	i=0
	while [ $i -lt 300 ]; do
		cat "$SEEDS"/*.txt
		i=$((i + 1))
	done
}

expected() {
	"$TEXTMEND" clean -q <"$1" >"$2" || fail "textmend clean $1"
}

count() {
	find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l
}

has_count() {
	[ "$(count "$1")" -eq "$2" ]
}

no_temps() {
	left=$(find "$T" -name '*.part' -o -name '.*.part' | grep -v '/inbox/' |
	    head -5)
	[ -z "$left" ] || fail "temporary files left: $left"
}

# empty DIR...: every DIR is empty.
empty() {
	for d in "$@"; do
		[ -z "$(ls -A "$d")" ] || return 1
	done
}

status_field() {
	tmc status --json | sed -n "s/.*\"$1\": *\([^,}]*\).*/\1/p"
}

# -- cases -----------------------------------------------------------

case_rename() {
	start
	for s in "$SEEDS"/*.txt; do
		b=$(basename "$s")
		drop "$b" <"$s"
	done
	n=$(ls "$SEEDS"/*.txt | wc -l)
	wait_for 30 has_count "$T/outbox" "$n" || fail "not all seeds cleaned"
	for s in "$SEEDS"/*.txt; do
		b=$(basename "$s")
		expected "$s" "$T/want"
		cmp -s "$T/want" "$T/outbox/$b" || fail "$b differs from clean"
		[ -s "$T/reports/$b.json" ] || fail "no report for $b"
		grep -q '"name"\|"file"\|"input"' "$T/reports/$b.json" ||
		    fail "report of $b has no name"
		[ ! -e "$T/inbox/$b" ] || fail "$b still in the inbox"
	done
	[ -z "$(ls -A "$T/.work")" ] || fail "work folder not empty"
	no_temps
	stop
}

# No arguments: everything in the current folder, created as needed.
case_defaults() {
	rmdir "$T/inbox"
	(cd "$T" && exec "$TEXTMEND" serve 2>>"$T/log") &
	DPID=$!
	wait_for 10 test -S "$T/textmend.sock" || fail "no ./textmend.sock"
	for d in inbox outbox failed reports .work; do
		[ -d "$T/$d" ] || fail "./$d not created"
	done
	printf 'defaults,一\n' | drop d.txt
	wait_for 10 test -e "$T/outbox/d.txt" || fail "not cleaned"
	[ -e "$T/reports/d.txt.json" ] || fail "no report"
	(cd "$T" && "$TEXTMEND" status >/dev/null) ||
	    fail "the client does not find ./textmend.sock"
	stop
}

case_inplace() {
	config "settle = 1s"
	start
	# Written in two parts with a pause longer than the settle time:
	# the file is open all along and must not be taken.
	exec 3>"$T/inbox/slow.txt"
	printf 'first half,' >&3
	sleep 1.5
	[ ! -e "$T/outbox/slow.txt" ] || fail "taken while still open"
	printf 'second half\n' >&3
	exec 3>&-
	sleep 0.3
	[ ! -e "$T/outbox/slow.txt" ] ||
	    fail "taken before the settle time after close"
	wait_for 10 test -e "$T/outbox/slow.txt" || fail "never taken"
	printf 'first half,second half\n' >"$T/slow.in"
	expected "$T/slow.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/slow.txt" || fail "in-place file differs"
	# Names that are ignored until renamed.
	for n in .hidden x.part y.tmp z~; do
		echo text >"$T/inbox/$n"
	done
	sleep 2
	for n in .hidden x.part y.tmp z~; do
		[ -e "$T/inbox/$n" ] || fail "ignored name $n was taken"
	done
	mv "$T/inbox/x.part" "$T/inbox/x.txt"
	wait_for 10 test -e "$T/outbox/x.txt" || fail "renamed x.part not taken"
	stop
}

case_sigstop_flood() {
	config "queue = 200"
	start
	kill -STOP "$DPID"
	mkdir "$T/src"
	i=0
	while [ $i -lt 1000 ]; do
		echo "file $i,一二三" >"$T/src/f$i.txt"
		i=$((i + 1))
	done
	(cd "$T/src" && for f in *.txt; do mv "$f" ../inbox/; done)
	kill -CONT "$DPID"
	wait_for 120 has_count "$T/outbox" 1000 ||
	    fail "only $(count "$T/outbox") of 1000 cleaned"
	[ "$(count "$T/inbox")" -eq 0 ] || fail "files left in the inbox"
	echo "file 7,一二三" >"$T/f7"
	expected "$T/f7" "$T/want"
	cmp -s "$T/want" "$T/outbox/f7.txt" || fail "f7.txt differs"
	stop
}

# More events than the kernel queues (16384 by default): files written in
# place make three each. The daemon must notice the overflow and list.
case_overflow() {
	max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
	n=$((max / 3 + 500))
	[ "$n" -le 20000 ] || skip "max_queued_events $max is too large to overflow"
	config "settle = 200ms" "rescan = 1h" "workers = 2"
	start
	kill -STOP "$DPID"
	i=0
	while [ $i -lt "$n" ]; do
		echo "line $i,二" >"$T/inbox/f$i.txt"
		i=$((i + 1))
	done
	kill -CONT "$DPID"
	wait_for 240 has_count "$T/outbox" "$n" ||
	    fail "only $(count "$T/outbox") of $n cleaned"
	grep -q 'overflowed' "$T/log" || fail "the overflow went unnoticed"
	stop
}

case_archive() {
	config "archive = gzip"
	start
	printf 'keep me,一\n' | drop a.txt
	wait_for 10 test -e "$T/archive/a.txt.gz" || fail "no gzip archive"
	[ "$(gzip -dc "$T/archive/a.txt.gz")" = 'keep me,一' ] ||
	    fail "archive differs from the input"
	[ ! -e "$T/inbox/a.txt" ] || fail "input left in the inbox"
	stop
	config "archive = keep" "summary = 300ms"
	start
	printf 'kept,二\n' | drop b.txt
	wait_for 10 test -e "$T/archive/b.txt" || fail "input not kept"
	[ "$(cat "$T/archive/b.txt")" = 'kept,二' ] || fail "kept input differs"
	wait_for 5 grep -q 'summary: ' "$T/log" || fail "no periodic summary"
	stop
}

case_kill_restart() {
	config "sync = yes" "workers = 2"
	mkdir -p "$T/src" "$T/inbox"
	i=0
	for s in "$SEEDS"/*.txt; do
		j=0
		while [ $j -lt 60 ]; do
			{ cat "$s"; echo "copy $j"; } >"$T/src/s${i}_$j.txt"
			j=$((j + 1))
		done
		i=$((i + 1))
	done
	head -c 3000 "$TEXTMEND" >"$T/src/binary.bin"
	cp -r "$T/src" "$T/orig"
	(cd "$T/src" && for f in *; do mv "$f" ../inbox/; done)
	total=$(ls "$T/orig" | wc -l)
	for round in 1 2 3 4 5; do
		start
		# a random moment within the first second of the run
		sleep "$(awk -v r="$round$$" 'BEGIN { srand(r); printf "%.2f", rand() }')"
		crash
	done
	start
	wait_for 120 empty "$T/inbox" "$T/.work" ||
	    fail "inbox or work folder never emptied"
	nfailed=$(find "$T/failed" -mindepth 1 -maxdepth 1 ! -name '*.error.json' |
	    wc -l)
	done_=$(( $(count "$T/outbox") + nfailed ))
	[ "$done_" -eq "$total" ] || fail "$done_ outputs for $total inputs"
	for f in "$T"/orig/*; do
		b=$(basename "$f")
		if [ -e "$T/failed/$b" ]; then
			[ ! -e "$T/outbox/$b" ] || fail "$b both cleaned and failed"
			[ -s "$T/failed/$b.error.json" ] || fail "$b: no reason"
			continue
		fi
		expected "$f" "$T/want"
		cmp -s "$T/want" "$T/outbox/$b" || fail "$b differs from clean"
	done
	[ -e "$T/failed/binary.bin" ] || fail "the binary input was not failed"
	no_temps
	stop
}

cleaned_twice() {
	[ "$(grep -c 'cleaned "same.txt"' "$T/log")" -eq 2 ]
}

# A file dropped under the name of one still being cleaned is taken once
# that one is done, without waiting for the safety listing.
case_same_name() {
	config "workers = 1" "max-size = 512M" "rescan = 1h"
	start
	i=0
	while [ $i -lt 300 ]; do
		cat "$SEEDS"/*.txt
		i=$((i + 1))
	done >"$T/big.in"
	cp "$T/big.in" "$T/inbox/.same"
	mv "$T/inbox/.same" "$T/inbox/same.txt"
	wait_for 10 grep -q 'taken "same.txt"' "$T/log" || fail "not taken"
	printf 'second,版\n' | drop same.txt
	grep -q 'cleaned "same.txt"' "$T/log" &&
	    skip "the first file was done before the second came"
	wait_for 20 cleaned_twice || fail "the second same.txt was not taken"
	printf 'second,版\n' >"$T/s.in"
	expected "$T/s.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/same.txt" || fail "same.txt is not the second"
	stop
}

# Two daemons share an inbox and outbox (each with its own work folder and
# socket): rename() decides who takes a file, so each is cleaned once.
case_two_daemons() {
	config "workers = 2"
	cp "$T/textmend.conf" "$T/two.conf"
	printf '[paths]\nwork = .work2\nsocket = two.sock\n' >>"$T/two.conf"
	start
	(cd "$T" && exec "$TEXTMEND" serve --config two.conf 2>>"$T/log2") &
	D2=$!
	HELPERS="$HELPERS $D2"
	wait_for 10 "$TEXTMEND" status --socket "$T/two.sock" ||
	    fail "second daemon did not start"
	mkdir "$T/src"
	i=0
	while [ $i -lt 400 ]; do
		echo "shared $i,三" >"$T/src/s$i.txt"
		i=$((i + 1))
	done
	(cd "$T/src" && for f in *.txt; do mv "$f" ../inbox/; done)
	wait_for 60 has_count "$T/outbox" 400 || fail "not all shared files cleaned"
	wait_for 10 empty "$T/inbox" "$T/.work" "$T/.work2" || fail "leftovers"
	c1=$(grep -c '^<6>cleaned' "$T/log")
	c2=$(grep -c '^<6>cleaned' "$T/log2")
	[ $((c1 + c2)) -eq 400 ] || fail "$c1 + $c2 cleanings for 400 files"
	kill -TERM "$D2"
	wait "$D2" || fail "second daemon exit status"
	stop
}

case_bad_files() {
	config "max-size = 64k"
	start
	echo "secret" >"$T/target"
	ln -s "$T/target" "$T/inbox/link.txt"
	mkfifo "$T/inbox/pipe.txt"
	mkdir "$T/inbox/folder.txt"
	: >"$T/inbox/empty.txt"
	head -c 5000 "$TEXTMEND" >"$T/inbox/.bin"
	mv "$T/inbox/.bin" "$T/inbox/binary.dat"
	head -c 100000 /dev/zero | tr '\0' 'a' >"$T/big.txt"
	mv "$T/big.txt" "$T/inbox/big.txt"
	sp=$(printf 'with space\nand newline.txt')
	printf 'hello,世界\n' >"$T/inbox/.sp"
	mv "$T/inbox/.sp" "$T/inbox/$sp"
	bad=$(printf 'bad\377name.txt')
	printf 'hello,世界\n' >"$T/inbox/.bad"
	mv "$T/inbox/.bad" "$T/inbox/$bad"
	printf 'zipped,世界\n' | gzip -c >"$T/inbox/.gz"
	mv "$T/inbox/.gz" "$T/inbox/zipped.txt.gz"
	wait_for 20 empty "$T/inbox" ||
	    fail "inbox not emptied: $(ls -A "$T/inbox")"
	for f in link.txt:symlink pipe.txt:fifo folder.txt:folder \
	    binary.dat:binary big.txt:too-large; do
		n=${f%%:*}
		r=${f#*:}
		[ -e "$T/failed/$n" ] || [ -L "$T/failed/$n" ] ||
		    fail "$n not in failed/"
		grep -q "\"reason\": *\"$r\"" "$T/failed/$n.error.json" ||
		    fail "$n: reason is not $r: $(cat "$T/failed/$n.error.json")"
		grep -q '"file"' "$T/failed/$n.error.json" || fail "$n: no file"
		grep -q '"error"' "$T/failed/$n.error.json" || fail "$n: no error"
	done
	[ -L "$T/failed/link.txt" ] || fail "the link itself was not moved"
	[ "$(cat "$T/target")" = secret ] || fail "the link target changed"
	if [ ! -e "$T/outbox/empty.txt" ] || [ -s "$T/outbox/empty.txt" ]; then
		fail "0-byte file not cleaned to an empty output"
	fi
	[ -e "$T/outbox/$sp" ] || fail "name with space and newline lost"
	[ -e "$T/outbox/$bad" ] || fail "non-UTF-8 name lost"
	printf 'zipped,世界\n' >"$T/z"
	expected "$T/z" "$T/want"
	cmp -s "$T/want" "$T/outbox/zipped.txt" || fail "gzip input: .gz kept or differs"
	tmc status >/dev/null || fail "daemon not answering after bad files"
	# The log stays one line per event, even for the newline name.
	grep -q 'with space\\nand newline' "$T/log" || fail "name not escaped in log"
	stop
}

case_socket_commands() {
	start
	for c in status stats "recent 3" pause resume reload rescan; do
		# shellcheck disable=SC2086 # c holds a command and its argument
		tmc $c >"$T/out" 2>"$T/err" || fail "textmend $c: $(cat "$T/err")"
		[ -s "$T/out" ] || fail "textmend $c printed nothing"
		# shellcheck disable=SC2086
		tmc $c --json >"$T/out" || fail "textmend $c --json"
		grep -q '"ok": *true' "$T/out" || fail "$c --json: $(cat "$T/out")"
	done
	tmc status | grep -q '^state: *running' || fail "status not readable"
	# pause holds files in the inbox, resume lets them through
	tmc pause >/dev/null
	echo "paused,世界" | drop p.txt
	sleep 1
	[ -e "$T/inbox/p.txt" ] || fail "taken while paused"
	[ "$(status_field state)" = '"paused"' ] || fail "state not paused"
	tmc resume >/dev/null
	wait_for 10 test -e "$T/outbox/p.txt" || fail "not taken after resume"
	tmc recent 5 | grep -q 'cleaned.*p.txt' || fail "recent misses p.txt"
	tmc recent 5 --json | grep -q '"outcome": *"cleaned"' || fail "recent json"
	tmc stats --json | grep -q '"width"\|"space"' || fail "stats has no filters"
	tmc frobnicate 2>/dev/null && fail "unknown client command accepted"
	if command -v socat >/dev/null; then
		S=UNIX-CONNECT:$T/textmend.sock
		printf 'status\n' | timeout 10 socat -t 2 - "$S" >"$T/out"
		grep -q '"state"' "$T/out" || fail "socat bare status: $(cat "$T/out")"
		printf '{"cmd":"recent","n":2,"id":7}\n' |
		    timeout 10 socat -t 2 - "$S" >"$T/out"
		grep -q '"id": *7' "$T/out" || fail "id not echoed"
		# malformed and unknown requests: error replies, connection kept
		printf '{"cmd":\nnot json at all {\n{"cmd":"nope"}\n["x"]\nstatus\n' |
		    timeout 10 socat -t 2 - "$S" >"$T/out"
		[ "$(wc -l <"$T/out")" -eq 5 ] || fail "want 5 replies: $(cat "$T/out")"
		[ "$(grep -c '"ok": *false' "$T/out")" -eq 4 ] || fail "want 4 errors"
		tail -n 1 "$T/out" | grep -q '"state"' ||
		    fail "connection not usable after malformed requests"
		# a request over 4 KiB is refused, a line over 64 KiB closes
		{ printf '{"cmd":"status","pad":"'; head -c 5000 /dev/zero |
		    tr '\0' x; printf '"}\nstatus\n'; } |
		    timeout 10 socat -t 2 - "$S" >"$T/out"
		head -n 1 "$T/out" | grep -q 'longer than' || fail "oversized accepted"
		tail -n 1 "$T/out" | grep -q '"state"' || fail "closed on a 5 KiB line"
		# (socat may see EPIPE before it reads the error reply, so only
		# the closing is certain)
		{ head -c 70000 /dev/zero | tr '\0' x; printf '\nstatus\n'; } |
		    timeout 10 socat -t 2 - "$S" >"$T/out" 2>/dev/null
		[ ! -s "$T/out" ] || grep -q '64 KiB' "$T/out" ||
		    fail "no error for a 70 KB line: $(head -c 200 "$T/out")"
		grep -q '"state"' "$T/out" && fail "client kept after a 70 KB line"
		# a client that connects and sends nothing does not block others
		socat -u OPEN:/dev/null,ignoreeof "$S" >/dev/null 2>&1 &
		HELPERS="$HELPERS $!"
		sleep 0.2
		tmc status >/dev/null || fail "blocked by a silent client"
	fi
	tmc status --json >/dev/null || fail "daemon gone"
	stop
}

case_many_clients() {
	start
	i=0
	pids=
	while [ $i -lt 50 ]; do
		(tmc status --json >"$T/c$i" 2>&1; echo $? >"$T/rc$i") &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p"
	done
	i=0
	while [ $i -lt 50 ]; do
		[ "$(cat "$T/rc$i")" = 0 ] || fail "client $i: $(cat "$T/c$i")"
		grep -q '"ok": *true' "$T/c$i" || fail "client $i reply"
		i=$((i + 1))
	done
	stop
}

case_admin_refused() {
	command -v setpriv >/dev/null || skip "no setpriv"
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to nobody"
	asnobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	$asnobody "$TEXTMEND" --version >/dev/null 2>&1 ||
	    skip "nobody cannot run $TEXTMEND"
	chmod 755 "$T"
	start
	# The socket is 0660: another user cannot even connect.
	mode=$(stat -c %a "$T/textmend.sock")
	[ "$mode" = 660 ] || fail "socket mode $mode, want 660"
	$asnobody "$TEXTMEND" status --socket "$T/textmend.sock" \
	    >/dev/null 2>&1 && fail "nobody connected to a 0660 socket"
	# Let it connect: reading is allowed, admin commands are refused.
	chmod 666 "$T/textmend.sock"
	$asnobody "$TEXTMEND" status --socket "$T/textmend.sock" >/dev/null ||
	    fail "nobody cannot read the status"
	for c in pause resume reload rescan; do
		$asnobody "$TEXTMEND" $c --socket "$T/textmend.sock" \
		    2>"$T/err" >/dev/null && fail "nobody may $c"
		grep -q 'permission denied' "$T/err" || fail "$c: $(cat "$T/err")"
	done
	[ "$(status_field state)" = '"running"' ] || fail "state changed"
	# Named as admin in the config (and reloaded), nobody may pause.
	config "admin-uid = nobody"
	kill -HUP "$DPID"
	wait_for 10 grep -q 'reloaded' "$T/log" || fail "no reload"
	$asnobody "$TEXTMEND" pause --socket "$T/textmend.sock" >/dev/null ||
	    fail "admin-uid not honoured"
	stop
}

# admin-gid counts for a peer's supplementary groups too, not only for
# its primary group (no user database needed: setpriv sets the groups).
case_admin_group() {
	command -v setpriv >/dev/null || skip "no setpriv"
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to nobody"
	as="setpriv --reuid=nobody --regid=nogroup"
	$as --clear-groups "$TEXTMEND" --version >/dev/null 2>&1 ||
	    skip "nobody cannot run $TEXTMEND"
	chmod 755 "$T"
	config "admin-gid = 4242"
	start
	chmod 666 "$T/textmend.sock"
	sock=$T/textmend.sock
	$as --clear-groups "$TEXTMEND" pause --socket "$sock" \
	    2>"$T/err" >/dev/null && fail "a peer outside group 4242 may pause"
	grep -q 'permission denied' "$T/err" || fail "$(cat "$T/err")"
	$as --groups=100,4242 "$TEXTMEND" pause --socket "$sock" \
	    >/dev/null 2>"$T/err" ||
	    fail "supplementary group 4242 refused: $(cat "$T/err")"
	[ "$(status_field state)" = '"paused"' ] || fail "not paused"
	setpriv --reuid=nobody --regid=4242 --clear-groups "$TEXTMEND" \
	    resume --socket "$sock" >/dev/null 2>"$T/err" ||
	    fail "primary group 4242 refused: $(cat "$T/err")"
	[ "$(status_field state)" = '"running"' ] || fail "not resumed"
	$as --groups=100,4243 "$TEXTMEND" rescan --socket "$sock" \
	    >/dev/null 2>&1 && fail "group 4243 may rescan"
	grep -q 'control: pause by uid' "$T/log" || fail "admin use not logged"
	stop
}

case_sigterm_drains() {
	config "max-size = 512M" "workers = 1"
	start
	# About 60 MB: long enough to be in flight when SIGTERM comes.
	i=0
	while [ $i -lt 700 ]; do
		cat "$SEEDS"/*.txt
		i=$((i + 1))
	done >"$T/big.in"
	cp "$T/big.in" "$T/inbox/.big"
	mv "$T/inbox/.big" "$T/inbox/big.txt"
	wait_for 10 grep -q 'taken "big.txt"' "$T/log" || fail "big file not taken"
	kill -TERM "$DPID"
	wait "$DPID"
	rc=$?
	DPID=
	[ "$rc" -eq 0 ] || fail "exit status $rc after SIGTERM"
	grep -q 'finishing 1 file in flight' "$T/log" ||
	    fail "SIGTERM did not come while the file was in flight"
	[ -e "$T/outbox/big.txt" ] || fail "in-flight file not finished"
	expected "$T/big.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/big.txt" || fail "drained output differs"
	[ ! -e "$T/textmend.sock" ] || fail "socket file left behind"
	grep -q '^<5>stopped' "$T/log" || fail "no stop line in the log"
}

case_no_daemon() {
	"$TEXTMEND" status --socket "$T/none.sock" 2>/dev/null
	[ $? -eq 3 ] || fail "status without a daemon must exit 3"
	# a stale socket file is not a daemon either, and serve removes it
	start
	crash
	[ -S "$T/textmend.sock" ] || fail "no stale socket after SIGKILL"
	"$TEXTMEND" status --socket "$T/textmend.sock" 2>/dev/null
	[ $? -eq 3 ] || fail "status on a stale socket must exit 3"
	start
	tmc status >/dev/null || fail "restart over a stale socket"
	# a second daemon on the same socket refuses to start
	(cd "$T" && "$TEXTMEND" serve --config textmend.conf 2>"$T/second")
	[ $? -ne 0 ] || fail "a second daemon started on the same socket"
	grep -q 'another textmend' "$T/second" || fail "$(cat "$T/second")"
	stop
}

case_check_config() {
	config "[paths]" "inbox = in" "[filter.width]" "punct = ascii" \
	    "[profile.keep]" "width.punct = keep"
	(cd "$T" && "$TEXTMEND" serve --check --config textmend.conf) \
	    >/dev/null || fail "a good config was refused"
	printf '[serve]\nworkers = 2\nsettle = soon\n' >"$T/bad.conf"
	"$TEXTMEND" serve --check --config "$T/bad.conf" 2>"$T/err"
	[ $? -eq 2 ] || fail "a bad config must exit 2"
	grep -q 'bad.conf:3: settle' "$T/err" || fail "no file:line:key: $(cat "$T/err")"
	printf '[filter.width]\npunct = sideways\n' >"$T/bad.conf"
	"$TEXTMEND" serve --check --config "$T/bad.conf" 2>"$T/err"
	[ $? -eq 2 ] || fail "a bad filter option must exit 2"
	grep -q 'bad.conf:2: punct' "$T/err" || fail "$(cat "$T/err")"
	printf '[filters]\nchain = decode,nosuch\n' >"$T/bad.conf"
	"$TEXTMEND" serve --check --config "$T/bad.conf" 2>"$T/err"
	[ $? -eq 2 ] || fail "an unknown filter must exit 2"
	printf '[paths\n' >"$T/bad.conf"
	"$TEXTMEND" serve --check --config "$T/bad.conf" 2>"$T/err"
	[ $? -eq 2 ] || fail "a syntax error must exit 2"
	"$TEXTMEND" serve --check --config "$T/missing.conf" 2>/dev/null
	[ $? -eq 2 ] || fail "a missing config must exit 2"
}

case_profile() {
	config "[filter.width]" "punct = fullwidth" "[profile.keep]" \
	    "width.punct = keep"
	start
	[ -d "$T/inbox/keep" ] || fail "profile folder not created"
	printf 'a,b 你好,世界\n' >"$T/p.in"
	cp "$T/p.in" "$T/inbox/keep/.p"
	mv "$T/inbox/keep/.p" "$T/inbox/keep/p.txt"
	cp "$T/p.in" "$T/inbox/.p"
	mv "$T/inbox/.p" "$T/inbox/p.txt"
	wait_for 10 test -e "$T/outbox/keep/p.txt" || fail "profile file not cleaned"
	wait_for 10 test -e "$T/outbox/p.txt" || fail "base file not cleaned"
	"$TEXTMEND" clean -q -O width.punct=keep <"$T/p.in" >"$T/want"
	cmp -s "$T/want" "$T/outbox/keep/p.txt" || fail "profile chain not used"
	expected "$T/p.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/p.txt" || fail "base chain output differs"
	# a profile added by a reload gets its folder; a bad config on
	# reload keeps the old one
	config "[profile.later]" "width.alnum = off"
	kill -HUP "$DPID"
	wait_for 10 test -d "$T/inbox/later" || fail "reload did not add a profile"
	printf '[serve]\nworkers = many\n' >"$T/textmend.conf"
	tmc reload 2>"$T/err" && fail "reload of a bad config succeeded"
	grep -q 'workers' "$T/err" || fail "reload error: $(cat "$T/err")"
	echo "still,here" | drop after.txt
	wait_for 10 test -e "$T/outbox/after.txt" || fail "dead after a bad reload"
	stop
}

# A reload applies moved folders and a moved socket at once, finishes the
# file in flight, and keeps the old config when the new one is bad.
case_reload_paths() {
	config "workers = 1" "max-size = 512M"
	start
	printf 'before,一\n' | drop a.txt
	wait_for 10 test -e "$T/outbox/a.txt" || fail "a.txt not cleaned"
	seed_pile >"$T/big.in"
	drop big.txt <"$T/big.in"
	wait_for 10 grep -q 'taken "big.txt"' "$T/log" || fail "big not taken"
	config "workers = 1" "max-size = 512M" "[paths]" "inbox = in2" \
	    "outbox = out2" "failed = failed2" "reports = rep2" \
	    "work = .work2" "socket = moved.sock"
	tmc reload --json >"$T/out" 2>&1 || fail "reload: $(cat "$T/out")"
	grep -q '"in2"' "$T/out" || fail "reply does not name the new inbox"
	grep -q 'finishing\|reload failed' "$T/log" && fail "reload disturbed"
	[ -S "$T/textmend.sock" ] && fail "old socket file left"
	"$TEXTMEND" status --socket "$T/moved.sock" >/dev/null ||
	    fail "no answer on the moved socket"
	for d in in2 out2 failed2 rep2 .work2; do
		[ -d "$T/$d" ] || fail "$d not created"
	done
	# the file in flight finishes where it started, whole
	wait_for 60 test -e "$T/outbox/big.txt" || fail "in-flight file lost"
	expected "$T/big.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/big.txt" || fail "in-flight output differs"
	awk '/reloaded/ { r = 1 } /cleaned "big.txt"/ { exit !r }' "$T/log" ||
	    fail "big.txt was no longer in flight at the reload"
	printf 'moved,二\n' >"$T/in2/.b"
	mv "$T/in2/.b" "$T/in2/b.txt"
	wait_for 10 test -e "$T/out2/b.txt" || fail "new inbox not watched"
	[ -s "$T/rep2/b.txt.json" ] || fail "no report in the new folder"
	printf 'old,三\n' | drop c.txt
	sleep 1
	[ -e "$T/inbox/c.txt" ] || fail "the old inbox is still watched"
	# a bad config, then an unusable socket: the old config stays
	printf '[serve]\nworkers = many\n' >"$T/textmend.conf"
	"$TEXTMEND" reload --socket "$T/moved.sock" 2>"$T/err" &&
	    fail "a bad config was reloaded"
	grep -q 'workers' "$T/err" || fail "reload error: $(cat "$T/err")"
	grep -q 'reload failed, keeping the old config' "$T/log" ||
	    fail "the failed reload is not logged"
	: >"$T/notasock"
	config "[paths]" "inbox = in3" "socket = notasock"
	"$TEXTMEND" reload --socket "$T/moved.sock" 2>"$T/err" &&
	    fail "reloaded onto a file that is not a socket"
	grep -q 'notasock' "$T/err" || fail "socket error: $(cat "$T/err")"
	printf 'still,四\n' >"$T/in2/.d"
	mv "$T/in2/.d" "$T/in2/d.txt"
	wait_for 10 test -e "$T/out2/d.txt" || fail "half-applied reload"
	[ -e "$T/in3/d.txt" ] && fail "half-applied reload"
	# back to the defaults by SIGHUP: what waited in ./inbox is taken
	config
	kill -HUP "$DPID"
	wait_for 10 answers || fail "no answer on the default socket again"
	[ -S "$T/moved.sock" ] && fail "moved socket file left"
	wait_for 10 test -e "$T/outbox/c.txt" || fail "old inbox not listed"
	printf 'old,三\n' >"$T/c.in"
	expected "$T/c.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/c.txt" || fail "c.txt differs"
	no_temps
	stop
}

# The example of the issue: inbox/t2s/ converts to Simplified script.
case_profile_t2s() {
	"$TEXTMEND" filters | grep -q '^script ' || skip "no script filter"
	config "[profile.t2s]" "script = t2s"
	start
	printf '基層婦聯組織建設,來源:中國婦女報\n' >"$T/t.in"
	cp "$T/t.in" "$T/inbox/t2s/.t"
	mv "$T/inbox/t2s/.t" "$T/inbox/t2s/t.txt"
	wait_for 10 test -e "$T/outbox/t2s/t.txt" || fail "t2s file not cleaned"
	"$TEXTMEND" clean -q -s t2s <"$T/t.in" >"$T/want"
	cmp -s "$T/want" "$T/outbox/t2s/t.txt" || fail "t2s profile differs"
	grep -q '基层妇联' "$T/outbox/t2s/t.txt" || fail "not converted"
	[ -s "$T/reports/t2s/t.txt.json" ] || fail "no report in reports/t2s"
	stop
}

# A file of the same name waiting in the work folder (one that could not
# be given back to the inbox) is never replaced by a new one claimed: the
# old one is cleaned first, then the new one, whose output stays.
case_same_name_in_work() {
	config
	start
	mkdir -p "$T/.work"
	printf 'old,一\n' >"$T/.work/x.txt"
	printf 'new,二\n' >"$T/x.in"
	drop x.txt <"$T/x.in"
	wait_for 10 sh -c "[ \$(grep -c 'cleaned \"x.txt\"' '$T/log') -ge 2 ]" ||
	    fail "both files were not cleaned"
	wait_for 10 empty "$T/.work" "$T/inbox" || fail "inputs left behind"
	expected "$T/x.in" "$T/want"
	cmp -s "$T/want" "$T/outbox/x.txt" || fail "the new file's output lost"
	stop
}

case_crash_leftovers() {
	config
	mkdir -p "$T/.work" "$T/outbox"
	mkdir -p "$T/reports"
	printf 'left,behind\n' >"$T/.work/left.txt"
	printf 'half' >"$T/outbox/.left.txt.Ab12Cd.part"
	printf 'half' >"$T/reports/.left.txt.json.Ab12Cd.part"
	# not from this daemon's work (another daemon sharing the outbox)
	printf 'half' >"$T/outbox/.other.txt.Zz99Yy.part"
	start
	wait_for 10 test -e "$T/outbox/left.txt" || fail "work folder not re-queued"
	[ ! -e "$T/outbox/.left.txt.Ab12Cd.part" ] || fail "temporary file kept"
	[ ! -e "$T/reports/.left.txt.json.Ab12Cd.part" ] || fail "report temp kept"
	[ -e "$T/outbox/.other.txt.Zz99Yy.part" ] ||
	    fail "removed a temporary file of another daemon"
	rm "$T/outbox/.other.txt.Zz99Yy.part"
	[ -z "$(ls -A "$T/.work")" ] || fail "work folder not emptied"
	stop
}

case_polling() {
	config "rescan = 500ms"
	export TEXTMEND_NO_INOTIFY=1
	start
	unset TEXTMEND_NO_INOTIFY
	[ "$(status_field watch)" = '"polling"' ] || fail "not polling"
	echo "polled,一" | drop polled.txt
	wait_for 10 test -e "$T/outbox/polled.txt" || fail "polling missed a file"
	stop
}

case_notify() {
	command -v socat >/dev/null || skip "no socat"
	# Run directly (no timeout wrapper) so that cleanup kills socat itself
	# and no orphan keeps the test's output open.
	socat -u UNIX-RECV:"$T/notify.sock" \
	    OPEN:"$T/notify.log",creat,append >/dev/null 2>&1 &
	HELPERS="$HELPERS $!"
	wait_for 5 test -S "$T/notify.sock" || fail "no notify socket"
	config
	export NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=200000
	start
	unset NOTIFY_SOCKET WATCHDOG_USEC
	wait_for 5 grep -q 'READY=1' "$T/notify.log" || fail "no READY=1"
	grep -q 'STATUS=' "$T/notify.log" || fail "no STATUS="
	wait_for 5 grep -q 'WATCHDOG=1' "$T/notify.log" || fail "no WATCHDOG=1"
	kill -HUP "$DPID"
	wait_for 5 grep -q 'RELOADING=1' "$T/notify.log" || fail "no RELOADING=1"
	grep -q 'MONOTONIC_USEC=[0-9]' "$T/notify.log" || fail "no MONOTONIC_USEC"
	stop
	grep -q 'STOPPING=1' "$T/notify.log" || fail "no STOPPING=1"
}

# A full outbox: the input goes back to the inbox, the daemon stays up,
# and a small file goes through once there is room again.
case_enospc() {
	small_tmpfs 256k "[paths]" "outbox = small/out"
	head -c 400000 /dev/zero | tr '\0' a | drop big.txt
	wait_for 10 grep -q 'will retry' "$T/log"
	sleep 0.3
	[ -e "$T/inbox/big.txt" ] || fail "input not returned to the inbox"
	tmc status >/dev/null || fail "daemon down"
	rm -f "$T/inbox/big.txt"
	printf 'small,一\n' | drop small.txt
	wait_for 10 test -e "$T/small/out/small.txt" ||
	    fail "no recovery after the disk had room"
	stop
	grep -q 'no-space' "$T/log" || fail "ENOSPC not reported"
}

# A report that cannot be written for want of room holds its output
# back: the input goes back to the inbox and nothing is published until
# both can be written, report first, so an output never appears without
# its report.
case_report_full() {
	small_tmpfs 64k "[paths]" "reports = small/rep"
	head -c 1000000 /dev/zero >"$T/small/fill" 2>/dev/null
	printf 'a,b 你好,世界\n' | drop r.txt
	wait_for 10 grep -q 'will retry' "$T/log" || fail "no retry"
	[ -e "$T/outbox/r.txt" ] && fail "output published without its report"
	rm -f "$T/small/fill"
	wait_for 15 test -e "$T/outbox/r.txt" ||
	    fail "no recovery after the disk had room"
	[ -s "$T/small/rep/r.txt.json" ] || fail "output without its report"
	stop
	grep -q 'no-space' "$T/log" || fail "ENOSPC not reported"
	ls -a "$T/outbox" | grep -q 'part$' && fail "temporary file left"
	return 0
}

# holds DIR: the daemon has a descriptor open on folder DIR.
holds() {
	ls -l "/proc/$DPID/fd" 2>/dev/null | grep -q " -> $1\$"
}

# lets_go DIR: it has none (for wait_for).
lets_go() {
	! holds "$1"
}

# A reload that moves the outbox to another filesystem opens that
# filesystem for the commit's syncfs at once, before any file is written
# there (a write error in between would else go unseen); a reload away
# from it lets it go once no file in flight may still be written there.
case_reload_new_fs() {
	small_tmpfs 64m "sync = yes"
	holds "$T/small/out" && fail "holds the new outbox before the reload"
	config "sync = yes" "[paths]" "outbox = small/out"
	tmc reload >/dev/null || fail "reload failed"
	holds "$T/small/out" ||
	    fail "the new outbox's filesystem is not open after the reload"
	printf 'a,b 你好\n' | drop n.txt
	wait_for 10 test -e "$T/small/out/n.txt" ||
	    fail "not cleaned into the new outbox"
	seed_pile | drop big.txt
	wait_for 10 grep -q 'taken "big.txt"' "$T/log" || fail "big not taken"
	config "sync = yes"
	tmc reload >/dev/null || fail "reload back failed"
	holds "$T/outbox" || fail "the outbox's filesystem is not open"
	# let go only after the file is done (and logged)
	holds "$T/small/out" || grep -q 'cleaned "big.txt"' "$T/log" ||
	    fail "let go of the filesystem of a file in flight"
	wait_for 60 test -e "$T/small/out/big.txt" || fail "big.txt lost"
	wait_for 10 lets_go "$T/small/out" ||
	    fail "the old outbox's filesystem is kept"
	printf 'c,d\n' | drop m.txt
	wait_for 10 test -e "$T/outbox/m.txt" || fail "not cleaned after"
	stop
}

# start_faulty VAR=VALUE...: start the daemon with fault.c preloaded and
# the given TM_FAULT_* settings (see that file); skips without it.
start_faulty() {
	[ -n "${TM_FAULT_LIB:-}" ] && [ -f "$TM_FAULT_LIB" ] ||
	    skip "no fault library (TM_FAULT_LIB)"
	# an ASan daemon wants its runtime first; the library comes
	# before it here
	start LD_PRELOAD="$TM_FAULT_LIB" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$@"
}

# A write error that syncfs reports (it cannot say which file it hit):
# nothing is published from that batch, the input goes back to the
# inbox and is cleaned again, and the output is right in the end.
case_syncfs_error() {
	config "sync = yes"
	start_faulty TM_FAULT_SYNCFS=1
	printf 'a,b 你好,世界\n' | drop e.txt
	wait_for 20 test -e "$T/outbox/e.txt" ||
	    fail "not cleaned again after the syncfs error"
	grep -q 'syncfs' "$T/log" || fail "the syncfs error was not logged"
	printf 'a,b 你好,世界\n' >"$T/e"
	expected "$T/e" "$T/want"
	cmp -s "$T/want" "$T/outbox/e.txt" || fail "the output differs"
	[ -s "$T/reports/e.txt.json" ] || fail "no report"
	[ "$(count "$T/failed")" -eq 0 ] || fail "a file went to failed/"
	wait_for 10 empty "$T/inbox" || fail "the input is still in the inbox"
	no_temps
	stop
}

# A rename into the outbox that fails (EIO, not a full disk): the input
# goes to failed/ with the reason, and its report, put in place just
# before, is taken back; nothing is left half published.
case_publish_error() {
	start_faulty TM_FAULT_RENAME=outbox/p.txt
	printf 'a,b 你好,世界\n' | drop p.txt
	wait_for 10 test -e "$T/failed/p.txt.error.json" ||
	    fail "the input did not go to failed/"
	[ -e "$T/failed/p.txt" ] || fail "the input is not in failed/"
	grep -q 'Input/output error' "$T/failed/p.txt.error.json" ||
	    fail "no reason: $(cat "$T/failed/p.txt.error.json")"
	[ ! -e "$T/outbox/p.txt" ] || fail "an output was published"
	[ ! -e "$T/reports/p.txt.json" ] || fail "its report was left"
	no_temps
	# and the next file goes through
	printf 'next\n' | drop q.txt
	wait_for 10 test -e "$T/outbox/q.txt" || fail "the next file stuck"
	stop
}

case_systemd_unit() {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	unit=$(dirname "$TEXTMEND")/systemd/textmend.service
	[ -f "$unit" ] || fail "no configured unit at $unit"
	mkdir "$T/unit"
	# verify checks that ExecStart exists: point it at this build.
	sed "s|^ExecStart=[^ ]*|ExecStart=$TEXTMEND|" "$unit" \
	    >"$T/unit/textmend.service"
	out=$(cd "$T/unit" && systemd-analyze verify ./textmend.service 2>&1)
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
	score=$(cd "$T/unit" && systemd-analyze security --offline=yes \
	    ./textmend.service 2>/dev/null |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] || fail "no exposure level"
	awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }' ||
	    fail "exposure $score, want <= 1.0"
	grep -q '^Type=notify' "$unit" || fail "not Type=notify"
	grep -q '^ExecReload=.*kill -HUP \$MAINPID' "$unit" || fail "no ExecReload"
	"$TEXTMEND" serve --check --config \
	    "$TM_SOURCE_DIR/systemd/textmend.conf" >/dev/null ||
	    fail "the sample config does not pass --check"
}

[ $# -eq 1 ] || { echo "usage: $0 CASE" >&2; exit 2; }
CASE=$1
mkdir -p "$T/inbox"
"case_$CASE"
