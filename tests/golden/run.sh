#!/bin/sh
# Golden test: run `textmend clean` on CASE.in with the options in
# CASE.args (default: --filters FILTER, FILTER being the folder's name) and
# compare the output with CASE.out byte for byte.
# usage: run.sh TEXTMEND CASE.in
set -u
bin=$1
in=$2
case_=${in%.in}
filter=$(basename "$(dirname "$in")")
args="--filters $filter"
[ -f "$case_.args" ] && args=$(cat "$case_.args")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086 # args are words on purpose
if ! "$bin" clean -q $args "$in" >"$out"; then
	echo "textmend clean $args $in failed" >&2
	exit 1
fi
if ! cmp -s "$out" "$case_.out"; then
	echo "output differs from $case_.out:" >&2
	diff -u "$case_.out" "$out" | head -40 >&2
	exit 1
fi
