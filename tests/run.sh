#!/bin/sh
# The whole test suite, as CI runs it: install dependencies, then build and
# run every test twice, in a normal optimised build and in a Debug build
# under AddressSanitizer and UndefinedBehaviorSanitizer, then build the
# libFuzzer targets with clang and give each a short run.
# usage: tests/run.sh [-j N]
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
[ "${1:-}" = "-j" ] && jobs=$2

tests/install-deps.sh

echo "== normal build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEXTMEND_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== ASan + UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTEXTMEND_WERROR=ON \
	-DTEXTMEND_ASAN=ON -DTEXTMEND_UBSAN=ON >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 TM_SCALE=small \
	ctest --test-dir build-asan --output-on-failure -j "$jobs"

if command -v clang >/dev/null 2>&1; then
	echo "== libFuzzer targets (clang, ASan)"
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug \
		-DTEXTMEND_FUZZ=ON -DTEXTMEND_ASAN=ON -DTEXTMEND_UBSAN=ON >/dev/null
	cmake --build build-fuzz -j "$jobs"
	ctest --test-dir build-fuzz --output-on-failure -L fuzz -j "$jobs"
fi
