#!/bin/sh
# End-to-end test of textmend.service under a real systemd: systemd runs
# as PID 1 of private PID, mount, UTS, IPC, network and cgroup namespaces,
# loads the unit CMake generated (build/systemd/textmend.service) with the
# sample config, starts it, sees it active with its STATUS=, has it clean
# dropped files, asks it for its status through its socket, reloads it and
# stops it, and checks that it exited cleanly.
#
# The namespace cannot touch the host: systemd's search path holds only
# the test's units (the generated one and empty stand-ins for the targets
# it depends on), every host mount is read-only inside, and /run, /var,
# /tmp and /dev are fresh tmpfs. The one change the test makes to the unit
# is a drop-in that points ExecStart at the built binary and the sample
# config copied into the namespace, with the same arguments, and sends
# the daemon's log to a file (there is no journald in the namespace).
#
# It skips (exit 77, with a SKIP: line) when that is not possible: not
# root, no unshare/nsenter/systemd, no cgroup2, or systemd refuses to
# come up. PID 1 of the namespace is killed on every exit, which ends
# every process in it.
#
# usage: sh test_systemd.sh CASE   (env: TEXTMEND, TM_SOURCE_DIR,
#        TM_SHARED_DIR; TM_SERVICE_UNIT overrides the unit's path)
set -u

: "${TEXTMEND:?set TEXTMEND to the textmend binary}"
: "${TM_SOURCE_DIR:?set TM_SOURCE_DIR}"
: "${TM_SHARED_DIR:?set TM_SHARED_DIR}"
SEEDS=$TM_SHARED_DIR/seeds
SKIP_CODE=77

# Inside the namespaces (see boot): where the test's files are staged.
NS_DIR=/run/textmend-test
NS_STATE=/var/lib/textmend
NS_SOCK=/run/textmend/textmend.sock

T=
UPID=
P1=
CG=
WATCHDOG=

skip() {
	echo "SKIP: $*"
	exit $SKIP_CODE
}

# -- PID 1 of the namespaces ------------------------------------------
# `sh test_systemd.sh --ns-init STAGE SYSTEMD` runs as PID 1 of the new
# namespaces: it builds a sandbox where nothing reaches the host and
# execs systemd in it.
ns_init() {
	set -e
	stage=$1
	systemd=$2
	mount --make-rprivate /
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
	mkdir -p $NS_DIR
	cp -a "$stage"/. $NS_DIR/
	: >$NS_DIR/console.log
	# Every mount of the host read-only, bar the kernel's API ones
	# (/proc/sys and /sys follow below).
	sed 's/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .*/\1/' /proc/self/mountinfo |
	    while read -r mp; do
		mp=$(printf '%b' "$mp")
		case $mp in
		/proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run | /run/*) ;;
		*) mount -o remount,bind,ro "$mp" ;;
		esac
	done
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /var
	mkdir -p /var/lib /var/log /var/cache /var/spool /var/tmp
	chmod 1777 /var/tmp
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
	mount -t tmpfs -o mode=0755,nosuid tmpfs /dev
	mknod -m 666 /dev/null c 1 3
	mknod -m 666 /dev/zero c 1 5
	mknod -m 666 /dev/full c 1 7
	mknod -m 666 /dev/random c 1 8
	mknod -m 666 /dev/urandom c 1 9
	mknod -m 666 /dev/tty c 5 0
	mkdir /dev/shm /dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
	ln -s pts/ptmx /dev/ptmx
	ln -s /proc/self/fd /dev/fd
	ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout
	ln -s /proc/self/fd/2 /dev/stderr
	# Whatever systemd writes to the console stays in the namespace.
	: >/dev/console
	mount --bind $NS_DIR/console.log /dev/console
	mount -o remount,bind,ro /sys
	mount --bind /proc/sys /proc/sys
	mount -o remount,bind,ro /proc/sys
	# A cgroup2 hierarchy of its own, rooted at the namespace's cgroup.
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	# A writable copy of /etc: the unit's ConfigurationDirectory and user.
	mkdir /run/etc
	cp -a /etc/. /run/etc/
	mount --bind /run/etc /etc
	cat $NS_DIR/passwd.add >>/etc/passwd
	cat $NS_DIR/group.add >>/etc/group
	# Only the test's units: nothing of the host's system is started.
	export container=textmend-test SYSTEMD_UNIT_PATH=$NS_DIR/units
	exec "$systemd" --system --unit=textmend-test.target \
	    --log-target=console --log-level=info --show-status=no
}

if [ "${1:-}" = --ns-init ]; then
	ns_init "$2" "$3"
	exit 1
fi

# -- the host side ---------------------------------------------------

cleanup() {
	if [ -n "$P1" ]; then
		kill -KILL "$P1" 2>/dev/null
	fi
	if [ -n "$WATCHDOG" ]; then
		kill "$WATCHDOG" 2>/dev/null
		wait "$WATCHDOG" 2>/dev/null
	fi
	if [ -n "$UPID" ]; then
		kill -KILL "$UPID" 2>/dev/null
		wait "$UPID" 2>/dev/null
	fi
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		# the killed processes leave their cgroups within moments
		i=0
		while [ "$i" -lt 100 ]; do
			find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$CG" ] || break
			i=$((i + 1))
			sleep 0.1
		done
		[ -d "$CG" ] && echo "warning: cgroup $CG left behind" >&2
	fi
	[ -n "$T" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*" >&2
	if [ -n "$P1" ]; then
		echo "--- systemctl status ---" >&2
		ns systemctl status --no-pager textmend.service >&2 2>&1
		echo "--- daemon log (tail) ---" >&2
		ns tail -n 30 $NS_DIR/textmend.log >&2
	fi
	exit 1
}

# ns CMD...: run CMD in the namespaces, bounded in time.
ns() {
	timeout 60 nsenter -t "$P1" -m -u -i -n -p -- "$@"
}

# wait_for SECONDS CMD...: poll CMD every 100 ms until it succeeds.
wait_for() {
	limit=$1
	shift
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge $((limit * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

find_systemd() {
	for s in /lib/systemd/systemd /usr/lib/systemd/systemd; do
		[ -x "$s" ] && { echo "$s"; return 0; }
	done
	return 1
}

# The mount point of the host's cgroup2 hierarchy.
cgroup2_root() {
	awk '{ for (i = 7; i < NF; i++) if ($i == "-") break;
	    if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo
}

# stage DIR UNIT: the units, the config, the binary and the user.
stage() {
	st=$1
	unit=$2
	mkdir -p "$st/units/textmend.service.d" "$st/bin"
	cp "$unit" "$st/units/textmend.service"
	for t in sysinit basic shutdown local-fs multi-user sockets paths \
	    timers textmend-test; do
		printf '[Unit]\nDescription=%s (stand-in for the test)\n' \
		    "$t" >"$st/units/$t.target"
	done
	# ExecStart=BIN serve --config CONF: the same, with the built binary
	# and the sample config as the namespace sees them.
	exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
	set -- $exec_line
	[ $# -eq 4 ] && [ "$2" = serve ] && [ "$3" = --config ] ||
	    fail "unexpected ExecStart in the unit: $exec_line"
	cp "$TEXTMEND" "$st/bin/textmend"
	cp "$TM_SOURCE_DIR/systemd/textmend.conf" "$st/textmend.conf"
	# A sanitizer build runs as well, but LeakSanitizer cannot stop the
	# world under the unit's seccomp filter: leaks are checked elsewhere.
	asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	cat >"$st/units/textmend.service.d/test.conf" <<-EOF
	[Service]
	ExecStart=
	ExecStart=$NS_DIR/bin/textmend serve --config $NS_DIR/textmend.conf
	StandardError=append:$NS_DIR/textmend.log
	Environment="ASAN_OPTIONS=$asan"
	ExecStopPost=+/bin/sh -c 'echo "\$SERVICE_RESULT \$EXIT_CODE \$EXIT_STATUS" >$NS_DIR/exit'
	EOF
	# The unit's user (the sysusers snippet's), unless the host has it.
	user=$(sed -n 's/^User=//p' "$unit")
	: >"$st/passwd.add"
	: >"$st/group.add"
	if ! grep -q "^$user:" /etc/passwd; then
		id=$(awk -F: '{ u[$3] = 1 } END {
		    for (i = 999; i > 100; i--) if (!(i in u)) { print i; exit } }' \
		    /etc/passwd /etc/group)
		echo "$user:x:$id:$id:textmend test:$NS_STATE:/usr/sbin/nologin" \
		    >"$st/passwd.add"
		echo "$user:x:$id:" >"$st/group.add"
	fi
	chmod -R a+rX "$st"
}

# boot: systemd as PID 1 of new namespaces, up and idle.
boot() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	for c in unshare nsenter systemctl timeout mknod; do
		command -v $c >/dev/null || skip "no $c"
	done
	systemd=$(find_systemd) || skip "no systemd"
	unit=${TM_SERVICE_UNIT:-$(dirname "$TEXTMEND")/systemd/textmend.service}
	[ -f "$unit" ] || fail "no unit at $unit"
	cg2=$(cgroup2_root)
	[ -n "$cg2" ] || skip "no cgroup2 hierarchy"
	rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ "$rel" = / ] && rel=
	[ -d "$cg2$rel" ] || skip "own cgroup2 folder not visible"
	T=$(mktemp -d)
	stage "$T/stage" "$unit"
	CG=$cg2$rel/textmend-test.$$
	mkdir "$CG" 2>/dev/null || { CG=; skip "cannot create a cgroup"; }
	# Probe: can this kernel give us the namespaces at all?
	unshare --pid --fork --mount --uts --ipc --net --cgroup true \
	    2>/dev/null || skip "unshare cannot create the namespaces"
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
	    unshare --pid --fork --kill-child --mount --uts --ipc --net \
	    --cgroup --propagation private --mount-proc \
	    sh "$0" --ns-init "$T/stage" "$systemd" \
	    >"$T/boot.log" 2>&1 &
	UPID=$!
	i=0
	while [ -z "$P1" ]; do
		P1=$(cat /proc/$UPID/task/$UPID/children 2>/dev/null | tr -d ' ')
		i=$((i + 1))
		if [ "$i" -ge 100 ] || ! kill -0 "$UPID" 2>/dev/null; then
			P1=
			cat "$T/boot.log" >&2
			skip "the namespaces could not be set up"
		fi
		[ -n "$P1" ] || sleep 0.1
	done
	# Should this shell be killed before its trap runs, systemd still
	# goes within the test's time limit.
	(
		trap - EXIT
		sleep 280 &
		s=$!
		trap 'kill $s; exit 0' TERM
		wait $s
		grep -q systemd /proc/"$P1"/cmdline 2>/dev/null &&
		    kill -KILL "$P1"
	) >/dev/null 2>&1 &
	WATCHDOG=$!
	# systemd is up once its private socket answers
	if ! wait_for 30 running; then
		st=$(ns systemctl is-system-running 2>&1)
		tail -n 20 "$T/boot.log" >&2
		case $st in
		degraded) fail "systemd came up degraded" ;;
		esac
		skip "systemd did not come up in the namespace ($st)"
	fi
}

running() {
	s=$(ns systemctl is-system-running 2>/dev/null)
	[ "$s" = running ] || [ "$s" = degraded ]
}

prop() {
	ns systemctl show -p "$1" --value textmend.service
}

is_active() {
	[ "$(prop ActiveState)" = active ]
}

status_says() {
	prop StatusText | grep -q "$1"
}

# start: the unit started, active with READY=1 and its STATUS=.
start() {
	ns systemctl start textmend.service ||
	    fail "systemctl start textmend failed"
	is_active || fail "not active after start: $(prop ActiveState)"
	[ "$(prop Type)" = notify ] || fail "unit is not Type=notify"
	status_says '^running: ' || fail "STATUS= is '$(prop StatusText)'"
	[ -n "$(prop MainPID)" ] && [ "$(prop MainPID)" != 0 ] ||
	    fail "no main PID"
}

# stop: SIGTERM through systemd, and a clean exit 0 (a unit that stopped
# cleanly is unloaded at once: the drop-in's ExecStopPost= records how).
stop() {
	ns rm -f $NS_DIR/exit
	ns systemctl stop textmend.service || fail "systemctl stop failed"
	st=$(prop ActiveState)
	[ "$st" = inactive ] || fail "after stop: $st ($(prop Result))"
	how=$(ns cat $NS_DIR/exit)
	[ "$how" = "success exited 0" ] ||
	    fail "stopped with '$how', want 'success exited 0'"
	ns grep -q 'stopped: ' $NS_DIR/textmend.log ||
	    fail "no 'stopped' line in the daemon's log"
}

# drop NAME < data: written under a temporary name, renamed into the inbox.
drop() {
	ns sh -c 'cat >"$1/inbox/.$2" && mv "$1/inbox/.$2" "$1/inbox/$2"' \
	    sh $NS_STATE "$1"
}

outbox_has() {
	ns test -e "$NS_STATE/outbox/$1"
}

# tmc ARGS...: the client, in the namespace, on the unit's socket.
tmc() {
	ns $NS_DIR/bin/textmend "$@" --socket $NS_SOCK
}

# -- cases -----------------------------------------------------------

# Start, active with STATUS=, the folders and socket systemd set up,
# `textmend status`, pause and resume through the socket, stop with exit 0.
case_lifecycle() {
	boot
	start
	for d in inbox outbox failed reports; do
		ns test -d $NS_STATE/$d || fail "$NS_STATE/$d not created"
	done
	ns test -S $NS_SOCK || fail "no socket at $NS_SOCK"
	tmc status >"$T/status" || fail "textmend status failed"
	grep -qi 'running' "$T/status" || fail "status: $(cat "$T/status")"
	tmc status --json >"$T/status.json" || fail "status --json failed"
	grep -q '"state": *"running"' "$T/status.json" ||
	    fail "status --json: $(cat "$T/status.json")"
	# root may use the admin commands through PrivateUsers= (SO_PEERCRED)
	tmc pause >"$T/out" 2>&1 || fail "pause refused: $(cat "$T/out")"
	wait_for 10 status_says '^paused' ||
	    fail "STATUS= after pause is '$(prop StatusText)'"
	tmc resume >"$T/out" 2>&1 || fail "resume refused: $(cat "$T/out")"
	wait_for 10 status_says '^running' ||
	    fail "STATUS= after resume is '$(prop StatusText)'"
	# it runs as the unit's user, not root
	pid=$(prop MainPID)
	uid=$(ns awk '/^Uid:/ { print $2 }' /proc/$pid/status)
	[ -n "$uid" ] && [ "$uid" != 0 ] || fail "the daemon runs as uid '$uid'"
	ns grep -q '^<[0-7]>' $NS_DIR/textmend.log ||
	    fail "no <N> priority prefixes in the log"
	stop
	tmc status >/dev/null 2>&1
	[ $? -eq 3 ] || fail "status does not exit 3 once stopped"
}

# Files dropped into the inbox come out cleaned, as `textmend clean`
# cleans them (the sample config is the defaults), and STATUS= counts them.
case_files() {
	ls "$SEEDS"/*.txt >/dev/null 2>&1 || fail "no seeds in $SEEDS"
	boot
	start
	n=0
	for s in "$SEEDS"/*.txt; do
		drop "$(basename "$s")" <"$s" || fail "cannot drop $s"
		n=$((n + 1))
	done
	printf 'Caf\303\203\302\251 cr\303\203\302\250me,\tdone.  \r\n' >"$T/moji.txt"
	drop moji.txt <"$T/moji.txt" || fail "cannot drop moji.txt"
	n=$((n + 1))
	for s in "$SEEDS"/*.txt "$T/moji.txt"; do
		b=$(basename "$s")
		wait_for 30 outbox_has "$b" || fail "$b not cleaned"
		"$TEXTMEND" clean -q <"$s" >"$T/want" || fail "clean $b"
		ns cat "$NS_STATE/outbox/$b" >"$T/got"
		cmp -s "$T/want" "$T/got" || fail "$b differs from textmend clean"
		ns test -s "$NS_STATE/reports/$b.json" || fail "no report for $b"
		ns test ! -e "$NS_STATE/inbox/$b" || fail "$b left in the inbox"
	done
	grep -q 'Café crème' "$T/got" || fail "mojibake not repaired"
	# STATUS= is refreshed every few seconds with the counters
	wait_for 20 status_says "^running: $n cleaned, 0 failed" ||
	    fail "STATUS= is '$(prop StatusText)', want $n cleaned"
	tmc status --json >"$T/status.json" || fail "status --json failed"
	stop
}

# `systemctl reload` (SIGHUP): the unit goes through reloading and is
# active again, still cleaning files.
case_reload() {
	boot
	start
	printf 'before\n' | drop a.txt
	wait_for 30 outbox_has a.txt || fail "a.txt not cleaned"
	ns systemctl reload textmend.service || fail "systemctl reload failed"
	is_active || fail "not active after reload: $(prop ActiveState)"
	ns grep -q 'reloaded' $NS_DIR/textmend.log ||
	    fail "no 'reloaded' line in the daemon's log"
	printf 'after\n' | drop b.txt
	wait_for 30 outbox_has b.txt || fail "b.txt not cleaned after reload"
	[ "$(prop NRestarts)" = 0 ] || fail "restarted: $(prop NRestarts)"
	stop
}

# -- main ------------------------------------------------------------

[ $# -eq 1 ] || { echo "usage: $0 CASE" >&2; exit 2; }
command -v "case_$1" >/dev/null 2>&1 || { echo "no case $1" >&2; exit 2; }
"case_$1"
echo "ok $1"
