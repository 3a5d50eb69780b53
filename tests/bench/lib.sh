# The opening and the helpers shared by the benchmarks that time the
# bench_chain driver (bench_chain.sh, bench_mojibake.sh). Sourced, not run:
# the script sets `here` to its own folder and sources this file, then
# calls driver_setup with its arguments. ftfy's speed as the issues quote
# it for this machine is kept here, so the targets derived from it are
# worded the same way in every script.
# shellcheck shell=sh disable=SC2034 # the variables are for those scripts

# ftfy's fix_text on this machine, as the issues quote it, in MB/s.
ftfy_lo=4
ftfy_hi=5

# driver_setup "$@": check the one argument, BUILD-DIR, and the driver
# built in it, and set what every run needs: build, driver, shared
# (TM_SHARED_DIR, else the shared folder beside the tree), pin (one core:
# CPU 0 when taskset is there), work (a temporary folder, removed on exit)
# and have_ftfy (1 when Python can import ftfy). Exits 2 on a bad call.
driver_setup() {
	usage="usage: ${0##*/} BUILD-DIR"
	[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
	if [ ! -d "$1" ]; then
		echo "bench: no build folder $1" >&2
		echo "$usage" >&2
		exit 2
	fi
	build=$1
	driver=$build/tests/bench_chain
	[ -x "$driver" ] ||
	    { echo "bench: no driver at $driver (build it)" >&2; exit 2; }
	shared=${TM_SHARED_DIR:-$here/../../../shared}

	pin=
	command -v taskset >/dev/null && pin="taskset -c 0"

	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT

	have_ftfy=0
	python3 -c 'import ftfy' 2>/dev/null && have_ftfy=1
	return 0
}

# mbps BYTES NANOSECONDS
mbps() {
	echo "$1 $2" |
	    awk '{ if ($2 > 0) printf "%.1f", $1 / 1e6 / ($2 / 1e9)
		else print "-" }'
}

# ratio NANOSECONDS NANOSECONDS: the first time over the second.
ratio() {
	echo "$1 $2" |
	    awk '{ if ($2 > 0) printf "%.1f", $1 / $2; else print "-" }'
}

# meets MBPS TARGET: whether a figure reaches a target.
meets() { echo "$1 $2" | awk '{ print ($1 >= $2) ? "met" : "NOT met" }'; }

# ftfy_range FACTOR: FACTOR times ftfy's speed, as LOW-HIGH (MB/s).
ftfy_range() { echo "$(($1 * ftfy_lo))-$(($1 * ftfy_hi))"; }

# ftfy_meets FACTOR MBPS: whether MBPS is FACTOR times ftfy's speed, at
# either end of the range the issues quote.
ftfy_meets() {
	if [ "$(meets "$2" $(($1 * ftfy_hi)))" = met ]; then
		echo met
	elif [ "$(meets "$2" $(($1 * ftfy_lo)))" = met ]; then
		echo "met against $ftfy_lo MB/s, not $ftfy_hi"
	else
		echo "NOT met"
	fi
}

# ftfy_absent WORDS...: in place of ftfy's figures, say it is not
# installed, then the targets derived from its quoted speed (WORDS, one
# line).
ftfy_absent() {
	echo "ftfy: not installed (Debian 12 does not package it); for"
	echo "its fix_text the issue quotes $ftfy_lo-$ftfy_hi MB/s on this" \
	    "machine, so"
	echo "$*"
}
