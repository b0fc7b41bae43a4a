#!/bin/sh
# Runs the manifest fuzzer for a bounded time with leak detection on.
# Usage: tests/fuzz/run-fuzzer.sh BUILD_DIR [SECONDS]
# SECONDS defaults to $FUZZ_SECONDS, else 60.
# Exits non-zero on any crash, leak or sanitizer report; the failing input
# is kept in BUILD_DIR/fuzz-artifacts. New inputs go to a scratch corpus so
# the checked-in seed corpus stays small.
set -eu
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build_dir=$1
seconds=${2:-${FUZZ_SECONDS:-60}}
here=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$build_dir" && pwd)
fuzzer="$build_dir/tests/fuzz/manifest_fuzzer"
if [ ! -x "$fuzzer" ]; then
  echo "$fuzzer not built (configure with -DFLEETSET_BUILD_FUZZERS=ON)" >&2
  exit 2
fi
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# LeakSanitizer needs ptrace-like access to stop threads; where that is
# forbidden it aborts instead of checking, which counts as a failure here.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
cd "$work"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$work/corpus" "$here/corpus"
