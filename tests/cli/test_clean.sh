#!/bin/sh
# CLI tests of `textmend clean`: every input/output path, reports, --diff,
# -q, --help/--version, `textmend filters`, a filter option (-O), and the
# exit codes (0 ok, 1 an input could not be cleaned, 2 usage) with the
# rule that a failure never leaves an output file or a temporary file
# behind.
#
# usage: sh test_clean.sh CASE   (env: TEXTMEND, TM_SOURCE_DIR, TM_SHARED_DIR)
set -u

: "${TEXTMEND:?set TEXTMEND to the textmend binary}"
: "${TM_SHARED_DIR:?set TM_SHARED_DIR}"
SEED001=$TM_SHARED_DIR/seeds/001_1865decd81d81d18.txt
SEED002=$TM_SHARED_DIR/seeds/002_e7c89f63967000f2.txt

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_rc WANT CMD...: run CMD (stdout to $T/stdout, stderr to $T/stderr)
# and check its exit status.
expect_rc() {
	want=$1
	shift
	"$@" >"$T/stdout" 2>"$T/stderr"
	got=$?
	[ "$got" -eq "$want" ] ||
	    fail "exit $got, want $want: $* (stderr: $(head -c 400 "$T/stderr"))"
}

# The directory holds exactly the named files (no outputs, no .part).
dir_has_only() {
	dir=$1
	shift
	want=$(for f in "$@"; do echo "$f"; done | sort)
	got=$(ls -A "$dir" | sort)
	[ "$got" = "$want" ] || fail "$dir holds [$got], want [$want]"
}

# One line on stderr, naming the input.
one_line_naming() {
	[ "$(wc -l <"$T/stderr")" -eq 1 ] ||
	    fail "want one error line, got: $(cat "$T/stderr")"
	grep -qF -- "$1" "$T/stderr" || fail "error does not name $1: $(cat "$T/stderr")"
}

is_json_lines() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    assert "input" in r and "filters" in r and "edits" in r, line
    assert isinstance(r["filters"], list) and r["filters"][0]["name"] == "decode"
    n += 1
assert n == int(sys.argv[2]), "%d reports, want %s" % (n, sys.argv[2])
' "$1" "$2" || fail "$1 is not $2 JSON report lines: $(head -c 400 "$1")"
}

is_utf8() {
	python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" ||
	    fail "$1 is not UTF-8"
}

# A GBK copy of a seed line, the same in UTF-8.
make_gbk() {
	printf '來源:中國婦女報\n' >"$T/line.utf8"
	iconv -f UTF-8 -t GBK "$T/line.utf8" >"$T/line.gbk" || fail iconv
}

case_stdin_to_stdout() {
	make_gbk
	expect_rc 0 sh -c "\"\$TEXTMEND\" clean -f decode <\"$T/line.gbk\""
	cmp -s "$T/stdout" "$T/line.utf8" || fail "stdin: wrong output"
	[ ! -s "$T/stderr" ] || fail "stdout mode printed on stderr: $(cat "$T/stderr")"
	# "-" is stdin too; the default chain runs and writes UTF-8.
	expect_rc 0 sh -c "\"\$TEXTMEND\" clean - <\"$SEED002\""
	is_utf8 "$T/stdout"
	[ -s "$T/stdout" ] || fail "no output for a seed"
	# In a pipe, with empty input.
	printf '' | "$TEXTMEND" clean >"$T/empty.out" || fail "empty stdin"
	[ ! -s "$T/empty.out" ] || fail "empty input gave output"
}

case_file_to_stdout() {
	make_gbk
	expect_rc 0 "$TEXTMEND" clean -f decode "$T/line.gbk"
	cmp -s "$T/stdout" "$T/line.utf8" || fail "file: wrong output"
	# Two files to stdout: concatenated, in order.
	expect_rc 0 "$TEXTMEND" clean -f decode "$T/line.gbk" "$T/line.utf8"
	cat "$T/line.utf8" "$T/line.utf8" | cmp -s - "$T/stdout" ||
	    fail "two files: wrong output"
	# decode with the seed (valid UTF-8) is byte-identical.
	expect_rc 0 "$TEXTMEND" clean --filters decode "$SEED001"
	cmp -s "$T/stdout" "$SEED001" || fail "decode changed a UTF-8 seed"
}

case_output_file() {
	make_gbk
	mkdir "$T/out"
	expect_rc 0 "$TEXTMEND" clean -q -f decode -o "$T/out/x.txt" "$T/line.gbk"
	cmp -s "$T/out/x.txt" "$T/line.utf8" || fail "-o: wrong output"
	[ ! -s "$T/stdout" ] || fail "-o also wrote stdout"
	dir_has_only "$T/out" x.txt
	# Replaces an existing file; stdin may be the input.
	expect_rc 0 sh -c "\"\$TEXTMEND\" clean -q -f decode --output \"$T/out/x.txt\" <\"$T/line.utf8\""
	cmp -s "$T/out/x.txt" "$T/line.utf8" || fail "-o from stdin"
	dir_has_only "$T/out" x.txt
	# Never onto itself.
	cp "$T/line.utf8" "$T/out/self.txt"
	expect_rc 1 "$TEXTMEND" clean -q -o "$T/out/self.txt" "$T/out/self.txt"
	cmp -s "$T/out/self.txt" "$T/line.utf8" || fail "-o onto the input changed it"
	dir_has_only "$T/out" x.txt self.txt
}

case_outdir() {
	make_gbk
	mkdir "$T/in" "$T/out"
	cp "$T/line.gbk" "$T/in/a.txt"
	cp "$SEED001" "$T/in/b.txt"
	gzip -c "$T/line.gbk" >"$T/in/c.txt.gz"
	gzip -c "$SEED001" >"$T/in/d.gz.txt.gz"
	expect_rc 0 "$TEXTMEND" clean -q -f decode --outdir "$T/out" \
	    "$T/in/a.txt" "$T/in/b.txt" "$T/in/c.txt.gz" "$T/in/d.gz.txt.gz"
	dir_has_only "$T/out" a.txt b.txt c.txt d.gz.txt
	cmp -s "$T/out/a.txt" "$T/line.utf8" || fail "outdir a"
	cmp -s "$T/out/b.txt" "$SEED001" || fail "outdir b"
	cmp -s "$T/out/c.txt" "$T/line.utf8" || fail "outdir c (gzip)"
	cmp -s "$T/out/d.gz.txt" "$SEED001" || fail "outdir d (gzip)"
	[ ! -s "$T/stdout" ] || fail "--outdir wrote stdout"
	# -d is --outdir; a missing folder is a usage error.
	expect_rc 0 "$TEXTMEND" clean -q -d "$T/out" "$T/in/a.txt"
	expect_rc 2 "$TEXTMEND" clean -q -d "$T/nonexistent" "$T/in/a.txt"
	[ ! -e "$T/nonexistent" ] || fail "created the missing outdir"
	expect_rc 2 "$TEXTMEND" clean -q -d "$T/out" -
}

case_report_file() {
	make_gbk
	mkdir "$T/out"
	expect_rc 0 "$TEXTMEND" clean -q --outdir "$T/out" --report "$T/r.jsonl" \
	    "$T/line.gbk" "$SEED001" "$SEED002"
	is_json_lines "$T/r.jsonl" 3
	python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert rs[0]["input"].endswith("line.gbk"), rs[0]["input"]
assert rs[0]["encoding"] not in ("UTF-8", None), rs[0]["encoding"]
for r in rs:
    assert r["output_size"] > 0 and len(r["crc32"]) == 8
' "$T/r.jsonl" || fail "report contents"
	# -r FILE with stdout output, and --report-all.
	expect_rc 0 sh -c "printf 'a\\377b\\n' | \"\$TEXTMEND\" clean -e UTF-8 --report-all -r \"$T/r2.jsonl\""
	is_json_lines "$T/r2.jsonl" 1
	grep -qF '\\xFF' "$T/r2.jsonl" || fail "invalid byte not shown as \\xFF"
	# A file name that is not UTF-8 still gives a valid report.
	cp "$T/line.utf8" "$T/$(printf 'n\351.txt')"
	expect_rc 0 "$TEXTMEND" clean -q -r "$T/r3.jsonl" "$T/$(printf 'n\351.txt')"
	is_json_lines "$T/r3.jsonl" 1
}

case_report_stderr() {
	expect_rc 0 "$TEXTMEND" clean --report - "$SEED001" "$SEED002"
	is_json_lines "$T/stderr" 2
	[ -s "$T/stdout" ] || fail "no output with --report -"
	is_utf8 "$T/stdout"
}

case_diff() {
	mkdir "$T/work"
	cp "$SEED001" "$T/work/in.txt"
	# Pick a filter from the registry and an input it changes.
	if "$TEXTMEND" filters | grep -q '^markup '; then
		f=markup
		printf 'first line\nsecond a&amp;b<br>line\nthird line\n' >"$T/work/ch.txt"
	else
		f=space
		printf 'first line\r\nsecond line   \r\nthird line\r\n' >"$T/work/ch.txt"
	fi
	(cd "$T/work" && "$TEXTMEND" clean -q -f "$f" --diff ch.txt) \
	    >"$T/stdout" 2>"$T/stderr" || fail "--diff exit $?"
	head -n 1 "$T/stdout" | grep -q '^--- ch.txt' || fail "no diff header: $(cat "$T/stdout")"
	sed -n 2p "$T/stdout" | grep -q '^+++ ' || fail "no +++ line"
	grep -q '^@@ -[0-9]*,[0-9]* +[0-9]*,[0-9]* @@' "$T/stdout" || fail "no hunk"
	grep -q '^-second' "$T/stdout" || fail "no removed line"
	grep -q '^+second' "$T/stdout" || fail "no added line"
	# The diff applies: patch turns the input into the cleaned output.
	"$TEXTMEND" clean -q -f "$f" "$T/work/ch.txt" >"$T/cleaned"
	if command -v patch >/dev/null; then
		cp "$T/work/ch.txt" "$T/patched"
		patch -s "$T/patched" <"$T/stdout" || fail "patch rejected the diff"
		cmp -s "$T/patched" "$T/cleaned" || fail "patched != cleaned"
	fi
	dir_has_only "$T/work" in.txt ch.txt
	# Nothing to change: no diff at all; --diff with -o writes nothing.
	printf 'plain ascii line\n' >"$T/work/plain.txt"
	expect_rc 0 "$TEXTMEND" clean -q -f decode --diff -o "$T/work/o.txt" "$T/work/plain.txt"
	[ ! -s "$T/stdout" ] || fail "diff of unchanged text: $(cat "$T/stdout")"
	dir_has_only "$T/work" in.txt ch.txt plain.txt
	expect_rc 0 "$TEXTMEND" clean -D -d "$T/work" "$T/work/in.txt"
	dir_has_only "$T/work" in.txt ch.txt plain.txt
}

case_quiet() {
	make_gbk
	mkdir "$T/out"
	expect_rc 0 "$TEXTMEND" clean -d "$T/out" "$T/line.gbk"
	[ "$(wc -l <"$T/stderr")" -eq 1 ] || fail "want one summary line: $(cat "$T/stderr")"
	grep -qF "line.gbk" "$T/stderr" || fail "summary does not name the file"
	expect_rc 0 "$TEXTMEND" clean -q -d "$T/out" "$T/line.gbk"
	[ ! -s "$T/stderr" ] || fail "-q printed: $(cat "$T/stderr")"
	expect_rc 0 "$TEXTMEND" clean --quiet -o "$T/out/q.txt" "$T/line.gbk"
	[ ! -s "$T/stderr" ] || fail "--quiet printed: $(cat "$T/stderr")"
}

case_help_version() {
	expect_rc 0 "$TEXTMEND" clean --help
	grep -q '^usage: textmend clean' "$T/stdout" || fail "--help text"
	for opt in --filters --from-code --output --outdir --report --diff --quiet; do
		grep -q -- "$opt" "$T/stdout" || fail "--help does not mention $opt"
	done
	expect_rc 0 "$TEXTMEND" clean -h
	grep -q '^usage: textmend clean' "$T/stdout" || fail "-h text"
	expect_rc 0 "$TEXTMEND" clean --version
	grep -Eq '^textmend [0-9]+\.[0-9]+\.[0-9]+' "$T/stdout" || fail "--version: $(cat "$T/stdout")"
	expect_rc 0 "$TEXTMEND" --version
	grep -Eq '^textmend [0-9]+\.[0-9]+\.[0-9]+' "$T/stdout" || fail "top --version"
	expect_rc 0 "$TEXTMEND" --help
	grep -q 'clean' "$T/stdout" || fail "top --help"
	expect_rc 2 "$TEXTMEND"
	expect_rc 2 "$TEXTMEND" no-such-command
}

case_filters() {
	expect_rc 0 "$TEXTMEND" filters
	head -n 1 "$T/stdout" | grep -q '^decode ' || fail "decode is not listed first"
	grep -q '^    decode\.from-code=' "$T/stdout" || fail "decode options not listed"
	# Every listed filter is accepted by --filters.
	for f in $(grep -v '^ ' "$T/stdout" | cut -d' ' -f1); do
		printf 'text\n' | "$TEXTMEND" clean -f "$f" >/dev/null ||
		    fail "listed filter $f refused"
	done
}

# -O sets a filter option: on seed 001, mojibake.guess=off writes U+FFFD
# for the lead byte of 。 that the default puts back, and keeps the ”
# that is the only mark to close the quote; a bad value is a usage error.
case_filter_option() {
	expect_rc 0 "$TEXTMEND" clean -f mojibake "$SEED001"
	grep -q '5000多元。”</p>' "$T/stdout" || fail "default: 。” not put back"
	expect_rc 0 "$TEXTMEND" clean -f mojibake -O mojibake.guess=off "$SEED001"
	grep -q "5000多元$(printf '\357\277\275')”</p>" "$T/stdout" ||
	    fail "guess=off: no U+FFFD for the lost byte"
	grep -q '和家庭.*”聊城市婦聯' "$T/stdout" || fail "guess=off: run not repaired"
	expect_rc 2 "$TEXTMEND" clean -f mojibake -O mojibake.guess=maybe "$SEED001"
	one_line_naming mojibake.guess
}

# Exit 1 cases: each input fails, with one line naming it, and the
# output folder stays empty.
fail_one() {
	name=$1
	mkdir -p "$T/out"
	expect_rc 1 "$TEXTMEND" clean -q --outdir "$T/out" "$name"
	one_line_naming "$name"
	dir_has_only "$T/out"
	expect_rc 1 "$TEXTMEND" clean -q -o "$T/out/single.txt" "$name"
	one_line_naming "$name"
	dir_has_only "$T/out"
}

case_missing_file() {
	fail_one "$T/no-such-file.txt"
	grep -q 'No such file' "$T/stderr" || fail "reason missing: $(cat "$T/stderr")"
}

case_directory() {
	mkdir "$T/adir"
	fail_one "$T/adir"
}

case_binary_nul() {
	python3 -c '
import sys
sys.stdout.buffer.write(bytes((i * 7) % 5 and 65 + i % 26 or 0 for i in range(20000)))
' >"$T/nul.dat"
	fail_one "$T/nul.dat"
	grep -qi 'binary' "$T/stderr" || fail "reason: $(cat "$T/stderr")"
	# Binary on stdin: nothing at all on stdout.
	expect_rc 1 sh -c "\"\$TEXTMEND\" clean <\"$T/nul.dat\""
	[ ! -s "$T/stdout" ] || fail "binary stdin produced output"
}

case_binary_elf() {
	cp "$TEXTMEND" "$T/textmend.bin"
	fail_one "$T/textmend.bin"
	grep -qi 'ELF' "$T/stderr" || fail "reason: $(cat "$T/stderr")"
}

case_binary_png() {
	python3 -c '
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\0" + bytes(range(48)) for _ in range(16))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
' >"$T/image.png"
	fail_one "$T/image.png"
	grep -qi 'PNG' "$T/stderr" || fail "reason: $(cat "$T/stderr")"
}

case_gzip_corrupt() {
	gzip -c "$SEED001" >"$T/good.gz"
	size=$(wc -c <"$T/good.gz")
	head -c $((size / 2)) "$T/good.gz" >"$T/truncated.gz"
	fail_one "$T/truncated.gz"
	grep -qi 'truncated\|corrupt' "$T/stderr" || fail "reason: $(cat "$T/stderr")"
	# Flip bytes in the middle of the deflate data.
	python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for i in range(len(b) // 2, len(b) // 2 + 16):
    b[i] ^= 0xA5
open(sys.argv[2], "wb").write(b)
' "$T/good.gz" "$T/corrupt.gz"
	fail_one "$T/corrupt.gz"
	# Big enough that output is written before the damage is found.
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		cat "$TM_SHARED_DIR"/seeds/*.txt
	done | gzip -c >"$T/big.gz"
	size=$(wc -c <"$T/big.gz")
	head -c $((size - 100)) "$T/big.gz" >"$T/bigcut.gz"
	fail_one "$T/bigcut.gz"
}

case_gzip_bomb() {
	head -c 67108864 /dev/zero | tr '\0' 'a' | gzip -9 >"$T/bomb.gz"
	fail_one "$T/bomb.gz"
	grep -qi 'bomb\|limit' "$T/stderr" || fail "reason: $(cat "$T/stderr")"
}

# Exit 2 cases: nothing is read or written.
usage_fail() {
	mkdir -p "$T/out"
	expect_rc 2 "$TEXTMEND" clean -q "$@"
	[ -s "$T/stderr" ] || fail "usage error without a message: $*"
	dir_has_only "$T/out"
}

case_usage_errors() {
	printf 'text\n' >"$T/in.txt"
	usage_fail -f decode,nosuchfilter -o "$T/out/x" "$T/in.txt"
	grep -q 'nosuchfilter' "$T/stderr" || fail "unknown filter not named"
	usage_fail --no-such-option -o "$T/out/x" "$T/in.txt"
	usage_fail -O decode.max-ratio=lots -o "$T/out/x" "$T/in.txt"
	grep -q 'lots' "$T/stderr" || fail "bad value not named"
	usage_fail -O decode.nokey=1 -o "$T/out/x" "$T/in.txt"
	usage_fail -O nofilter.key=1 -o "$T/out/x" "$T/in.txt"
	usage_fail -O garbage -o "$T/out/x" "$T/in.txt"
	usage_fail --from-code no-such-charset-x -o "$T/out/x" "$T/in.txt"
	grep -q 'no-such-charset-x' "$T/stderr" || fail "charset not named"
	usage_fail -o "$T/out/x" "$T/in.txt" "$T/in.txt"
	usage_fail -o "$T/out/x" -d "$T/out" "$T/in.txt"
	usage_fail --outdir "$T/out" -
	usage_fail -r "$T/no/such/dir/r.json" -o "$T/out/x" "$T/in.txt"
	usage_fail --filters
}

case_some_fail() {
	make_gbk
	mkdir "$T/in" "$T/out"
	cp "$T/line.gbk" "$T/in/good1.txt"
	printf 'P\0\0\0\0\0\0\0\0\0\0\0binary' >"$T/in/bad.txt"
	cp "$SEED001" "$T/in/good2.txt"
	expect_rc 1 "$TEXTMEND" clean -q -f decode --outdir "$T/out" --report "$T/r.jsonl" \
	    "$T/in/good1.txt" "$T/in/bad.txt" "$T/in/missing.txt" "$T/in/good2.txt"
	dir_has_only "$T/out" good1.txt good2.txt
	cmp -s "$T/out/good1.txt" "$T/line.utf8" || fail "good1"
	cmp -s "$T/out/good2.txt" "$SEED001" || fail "good2"
	[ "$(wc -l <"$T/stderr")" -eq 2 ] || fail "want two error lines: $(cat "$T/stderr")"
	grep -q 'bad.txt' "$T/stderr" || fail "bad.txt not named"
	grep -q 'missing.txt' "$T/stderr" || fail "missing.txt not named"
	is_json_lines "$T/r.jsonl" 2
}

[ $# -eq 1 ] || { echo "usage: $0 CASE" >&2; exit 2; }
"case_$1"
