# shellcheck shell=sh
# A full disk for the integration cases, shared by test_serve.sh and
# test_serve_scale.sh, which source this file. A case that needs one calls
# small_tmpfs first: it returns with a tmpfs of the given size on
# $T/small that no other process sees, a config naming the folders the
# case puts there, and the daemon answering. A shell cannot move itself
# into a new mount namespace, so the first call runs the script again on
# the same case under unshare(1) and exits with that run's status; the
# call in the second run mounts the tmpfs and starts the daemon.
#
# The sourcing script provides T, CASE (the case being run), cleanup
# (run on exit), fail, skip, config (writes $T/textmend.conf with the
# lines given) and start (which reads it).

# small_tmpfs SIZE [LINE...]: a tmpfs of SIZE (mount -o size=) on
# $T/small, the script's config with LINEs ("outbox = small/out" puts
# the outbox on it), and the daemon started. Skips without root,
# unshare or tmpfs.
small_tmpfs() {
	size=$1
	shift
	if [ -z "${TM_IN_SMALL_TMPFS:-}" ]; then
		[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
		command -v unshare >/dev/null || skip "no unshare"
		mkdir "$T/small"
		unshare -m sh -c \
		    "mount -t tmpfs -o size=$size tmpfs '$T/small'" \
		    2>/dev/null || skip "cannot mount a tmpfs here"
		TM_IN_SMALL_TMPFS=1 unshare -m --propagation private \
		    sh "$0" "$CASE"
		exit $?
	fi
	mkdir "$T/small"
	mount -t tmpfs -o size="$size" tmpfs "$T/small" || fail "mount"
	# Off before cleanup removes $T, which stops at a mount point; lazy,
	# as a failed case may leave the daemon holding files there.
	trap 'umount -l "$T/small" 2>/dev/null; cleanup' EXIT
	config "$@"
	start
}
