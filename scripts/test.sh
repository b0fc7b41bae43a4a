#!/usr/bin/env bash
# Runs the whole fleetset test suite: installs what is missing, builds
# everything (including the libFuzzer build), and runs every test with ctest,
# integration tests against real containerd instances included.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -R Quantity     # extra arguments go to ctest
#
# Environment: FUZZ_SECONDS (default 60) bounds the fuzzing run;
# BUILD_DIR (default build) and FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build_dir=${BUILD_DIR:-build}
fuzz_build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=$(nproc)

# The fuzzer needs clang's sanitizer runtime, so it has a build of its own.
CXX=clang++ cmake -S . -B "$fuzz_build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFLEETSET_BUILD_FUZZERS=ON -DFLEETSET_BUILD_TESTS=OFF -DFLEETSET_BUILD_PROGRAMS=OFF >/dev/null
cmake --build "$fuzz_build_dir" -j "$jobs"

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFLEETSET_FUZZ_BUILD_DIR="$PWD/$fuzz_build_dir" >/dev/null
cmake --build "$build_dir" -j "$jobs"

ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "$@"
