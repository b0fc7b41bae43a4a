#!/usr/bin/env bash
# Installs every Debian package fleetset needs to build, test and run.
# Idempotent: when everything is already installed it returns in well under a second
# without touching the network.
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config ninja-build git
  libgrpc++-dev libabsl-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libboost-dev libspdlog-dev libfmt-dev libsystemd-dev
  libgtest-dev libgmock-dev googletest
  libyaml-cpp-dev libsqlite3-dev libcli11-dev libssl-dev prometheus-cpp-dev zlib1g-dev
  libjemalloc-dev
  clang libclang-rt-14-dev clang-format
  help2man dpkg-dev file
)
test_packages=(
  containerd runc containernetworking-plugins busybox-static umoci skopeo
  docker-registry iproute2 systemd procps curl python3 sqlite3 jq etcd-server etcd-client
)

wanted=("${build_packages[@]}")
if [[ "${1:-}" != "--build-only" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
else
  sudo=""
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Never let a package's postinst start a daemon on this machine (containerd,
# docker-registry): the project starts its own private instances.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null
  $sudo chmod +x $policy
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && $sudo rm -f $policy' EXIT
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
