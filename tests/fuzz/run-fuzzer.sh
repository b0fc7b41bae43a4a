#!/bin/sh
# Runs the fuzzers for a bounded time with leak detection on.
# Usage: tests/fuzz/run-fuzzer.sh BUILD_DIR [SECONDS [FUZZER]]
# SECONDS defaults to $FUZZ_SECONDS, else 60. It is the budget of the whole
# run: without FUZZER every fuzzer runs in turn (manifest_fuzzer, then
# credentials_fuzzer) for an equal share of it, so adding a fuzzer does not
# lengthen CI. FUZZER (e.g. credentials_fuzzer) runs that one alone for all
# of it.
# Each fuzzer starts from its own checked-in seed corpus (corpus/ for the
# manifest fuzzer, <name>-corpus/ for the others). Every fuzzer runs even
# when an earlier one failed; the exit status is non-zero on any crash, leak
# or sanitizer report, and the failing input is kept in
# BUILD_DIR/fuzz-artifacts as <fuzzer>-crash-<hash> (or leak-, timeout-,
# oom-). New inputs go to a scratch corpus so the seed corpora stay small.
set -eu
if [ "$#" -lt 1 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS [FUZZER]]" >&2
  exit 2
fi
build_dir=$1
seconds=${2:-${FUZZ_SECONDS:-60}}
fuzzers=${3:-manifest_fuzzer credentials_fuzzer}
here=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$build_dir" && pwd)

count=0
for name in $fuzzers; do
  case $name in
    manifest_fuzzer) ;;
    credentials_fuzzer) ;;
    *)
      echo "$0: unknown fuzzer $name (manifest_fuzzer or credentials_fuzzer)" >&2
      exit 2
      ;;
  esac
  if [ ! -x "$build_dir/tests/fuzz/$name" ]; then
    echo "$build_dir/tests/fuzz/$name not built (configure with -DFLEETSET_BUILD_FUZZERS=ON)" >&2
    exit 2
  fi
  count=$((count + 1))
done
share=$((seconds / count))
[ "$share" -ge 1 ] || share=1

artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# LeakSanitizer needs ptrace-like access to stop threads; where that is
# forbidden it aborts instead of checking, which counts as a failure here.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
cd "$work"
status=0
for name in $fuzzers; do
  if [ "$name" = manifest_fuzzer ]; then
    seeds="$here/corpus"
  else
    seeds="$here/${name%_fuzzer}-corpus"
  fi
  mkdir "$work/$name"
  echo "== $name for ${share}s" >&2
  # stdin is /dev/null: a client config may name any file, /dev/stdin
  # included, and a read of it must end rather than wait for a terminal.
  if ! "$build_dir/tests/fuzz/$name" -max_total_time="$share" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
    "$work/$name" "$seeds" </dev/null; then
    echo "== $name FAILED" >&2
    status=1
  fi
done
exit "$status"
