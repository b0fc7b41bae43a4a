#!/usr/bin/env bash
# Brings fleetset up on this one machine: installs what is missing, builds,
# starts a private containerd (its own root, state and socket under the
# quickstart directory; a system containerd is never touched), builds the
# small local example image, starts a node agent with the example
# DaemonSets of config/examples as static manifests, and shows them running.
#
#   scripts/quickstart.sh          bring it up (running it again is fine)
#   scripts/quickstart.sh --down   stop everything it started and remove it
#
# Environment: FLEETSET_QUICKSTART_DIR (default /var/tmp/fleetset-quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dir=${FLEETSET_QUICKSTART_DIR:-/var/tmp/fleetset-quickstart}
node=node-1
env_script=$repo/tests/env/containerd-env.sh

say() { printf '\n==> %s\n' "$*"; }

agent_running() { [[ -f $dir/agent.pid ]] && kill -0 "$(cat "$dir/agent.pid")" 2>/dev/null; }

down() {
  if agent_running; then
    say "stopping fleetset-agent"
    kill -TERM "$(cat "$dir/agent.pid")"
    for _ in $(seq 50); do agent_running || break; sleep 0.1; done
  fi
  if [[ -d $dir/$node/containerd ]]; then
    say "stopping the private containerd and its pods"
    "$env_script" stop "$dir/$node/containerd" || true
  fi
  rm -rf "$dir"
  echo "fleetset quickstart removed"
}

if [[ ${1:-} == "--down" ]]; then
  down
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--down]" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "quickstart: run as root (containerd and runc need it)" >&2
  exit 1
fi

say "installing missing packages"
scripts/install-deps.sh

say "building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target fleetset-agent fleetsetctl

say "validating the example DaemonSets"
build/ctl/fleetsetctl apply --dry-run=client -f config/examples

say "starting a private containerd for $node"
mkdir -p "$dir/$node"
endpoint=$("$env_script" start "$dir/$node/containerd")
echo "CRI endpoint: $endpoint"

say "starting fleetset-agent for $node"
mkdir -p "$dir/$node/manifests"
cp config/examples/*.yaml "$dir/$node/manifests/"
if agent_running; then
  echo "already running (pid $(cat "$dir/agent.pid"))"
else
  setsid build/agent/fleetset-agent \
    --hostname-override "$node" \
    --container-runtime-endpoint "$endpoint" \
    --root-dir "$dir/$node/state" \
    --pod-manifest-path "$dir/$node/manifests" \
    --pod-log-root "$dir/$node/pod-logs" \
    --file-check-frequency 1s \
    </dev/null >"$dir/$node/agent.log" 2>&1 &
  echo $! >"$dir/agent.pid"
  echo "pid $(cat "$dir/agent.pid"), log $dir/$node/agent.log"
fi

say "waiting for the pods to run and become ready"
wanted=$(ls config/examples/*.yaml | wc -l)
for _ in $(seq 120); do
  if build/agent/fleetset-agent status --root-dir "$dir/$node/state" 2>/dev/null |
    awk -v n="$wanted" '$4 == "Running" { split($3, r, "/"); if (r[1] == r[2]) ready++ }
        END { exit !(ready >= n) }'; then
    break
  fi
  sleep 1
done

say "fleetset-agent status"
build/agent/fleetset-agent status --root-dir "$dir/$node/state"
echo
echo "Logs of the pods: $dir/$node/pod-logs/<namespace>_<pod>_<uid>/<container>/0.log"
echo "Add or edit manifests in $dir/$node/manifests; they apply within a second."
echo "Stop everything with: $0 --down"
