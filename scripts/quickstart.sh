#!/usr/bin/env bash
# Brings up a three-node fleetset fleet on this one machine and shows the
# example DaemonSets of config/examples running on it:
#
#   1. installs the Debian packages that are missing (scripts/install-deps.sh);
#   2. builds fleetset-agent, fleetset-coordinator and fleetsetctl in build/;
#   3. starts a private containerd under the quickstart directory (its own
#      root, state, sockets, runc root and CNI bridge, see
#      tests/env/containerd-env.sh) and imports the small local example image
#      docker.io/fleetset/busybox:test into it (built once from the host's
#      busybox; nothing is downloaded). A containerd answering on the default
#      socket, /run/containerd/containerd.sock, is never used, stopped,
#      restarted or reconfigured: the quickstart only ever talks to the
#      containerd it started itself;
#   4. starts one fleetset-coordinator (SQLite database under the quickstart
#      directory) listening on 127.0.0.1:7400, or on the next free port when
#      7400 is taken (it says so), over mutual TLS only: on first start it
#      makes the cluster CA and writes admin.conf, which fleetsetctl uses;
#   5. creates a bootstrap token (fleetsetctl token create
#      --print-join-command, printed) and starts three agents with that join
#      command, node-1, node-2 and node-3, each with its own root
#      directory, pod log root and (empty) static manifest directory. node-1 is
#      registered as a control-plane node: label
#      node-role.kubernetes.io/control-plane= and taint
#      node-role.kubernetes.io/control-plane:NoSchedule;
#   6. applies config/examples/ with fleetsetctl, waits until every DaemonSet
#      is rolled out, and prints `get nodes`, `get ds -A` and
#      `get pods -A -o wide`.
#
# Why one containerd for three agents: an agent labels every sandbox and
# container it creates with fleetset.io/managed-by=fleetset-agent and
# fleetset.io/node=<its node name> (agent/pod_identity.h) and lists the
# runtime only through those labels (agent/runtime_snapshot.cc); everything
# else it does is per pod sandbox or per pod UID. Each agent therefore sees,
# adopts and removes only its own node's pods, and three agents share one
# runtime safely. (The integration tests start one containerd per node
# instead, to check per-node runtime views; a quickstart does not need that.)
#
# Running it again is fine: a running containerd, coordinator and agents are
# reused (none is started twice) and the manifests are re-applied
# ("unchanged" when nothing changed).
#
#   scripts/quickstart.sh          bring it up, or check it is up
#   scripts/quickstart.sh --down   stop everything it started (agents,
#                                  coordinator, the private containerd and
#                                  every pod in it, their mounts and network
#                                  bridge) and remove the quickstart directory.
#                                  Left in place: the installed packages, build/
#                                  and the example image cache that the tests
#                                  share (/var/tmp/fleetset-test-image)
#
# Environment:
#   FLEETSET_QUICKSTART_DIR         where everything lives
#                                   (default /var/tmp/fleetset-quickstart)
#   FLEETSET_QUICKSTART_PORT        the coordinator port to try first (7400)
#   FLEETSET_QUICKSTART_SKIP_BUILD  1: skip installing packages and building;
#                                   use the programs already built
#   FLEETSET_BUILD_DIR              the build directory (default build/)
#   FLEETSET_QUICKSTART_TIMEOUT     seconds to wait for the rollouts (300)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
# spawn_daemon, alive
source "$repo/scripts/lib/daemon.sh"
dir=${FLEETSET_QUICKSTART_DIR:-/var/tmp/fleetset-quickstart}
build=${FLEETSET_BUILD_DIR:-$repo/build}
first_port=${FLEETSET_QUICKSTART_PORT:-7400}
rollout_timeout=${FLEETSET_QUICKSTART_TIMEOUT:-300}
nodes=(node-1 node-2 node-3)
control_plane="node-1"
control_plane_key="node-role.kubernetes.io/control-plane"
env_script=$repo/tests/env/containerd-env.sh
# Written when the directory is created; --down removes only a directory
# that has it, so a mistyped FLEETSET_QUICKSTART_DIR cannot delete anything.
marker=.fleetset-quickstart

say() { printf '\n==> %s\n' "$*"; }
die() {
  echo "quickstart: error: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

# The pid in FILE if that process is alive and its command line contains
# WORD (so a reused pid is never taken for ours).
live_pid() {
  local file=$1 word=$2 pid
  pid=$(cat "$file" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  grep -qaF -- "$word" "/proc/$pid/cmdline" || return 1
  alive "$pid" || return 1
  echo "$pid"
}

# Stops the process in FILE (SIGTERM, then SIGKILL after 10 s).
stop_pid_file() {
  local file=$1 word=$2 what=$3 pid
  if pid=$(live_pid "$file" "$word"); then
    echo "stopping $what (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      live_pid "$file" "$word" >/dev/null || break
      sleep 0.1
    done
    if live_pid "$file" "$word" >/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}

down() {
  if [[ ! -e $dir ]]; then
    echo "nothing to stop: $dir does not exist"
    return 0
  fi
  [[ -f $dir/$marker || -f $dir/agent.pid || -d $dir/node-1/containerd ]] ||
    die "$dir was not made by the quickstart ($marker missing); not touching it"
  dir=$(realpath "$dir")
  say "stopping the agents"
  local node
  for node in "${nodes[@]}"; do
    stop_pid_file "$dir/nodes/$node/agent.pid" "$dir/nodes/$node/" "fleetset-agent $node"
  done
  # The single agent of earlier versions of this script.
  stop_pid_file "$dir/agent.pid" "$dir/" "fleetset-agent"
  say "stopping the coordinator"
  stop_pid_file "$dir/coordinator/coordinator.pid" "$dir/coordinator" "fleetset-coordinator"
  say "stopping the private containerd and its pods"
  local runtime
  for runtime in "$dir/containerd" "$dir"/*/containerd; do
    [[ -f $runtime/config.toml ]] || continue
    "$env_script" stop "$runtime" || echo "quickstart: warning: stopping $runtime failed" >&2
  done
  rm -rf "$dir"
  echo "fleetset quickstart removed ($dir)"
}

case ${1:-} in
--down)
  [[ $# -eq 1 ]] || usage
  [[ $(id -u) -eq 0 ]] || die "run as root (it stops containerd and its pods)"
  down
  exit 0
  ;;
-h | --help) usage 0 ;;
"") ;;
*) usage ;;
esac
[[ $(id -u) -eq 0 ]] || die "run as root (containerd and runc need it)"

if [[ ${FLEETSET_QUICKSTART_SKIP_BUILD:-0} == 1 ]]; then
  say "using the programs already built in $build"
else
  say "installing missing packages"
  scripts/install-deps.sh

  say "building"
  # Configure only a build directory that is not configured yet: an existing
  # one keeps its options.
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build" -j "$(nproc)" --target fleetset-agent fleetset-coordinator fleetsetctl
fi
agent_bin=$build/agent/fleetset-agent
coordinator_bin=$build/coordinator/fleetset-coordinator
ctl_bin=$build/ctl/fleetsetctl
for program in "$agent_bin" "$coordinator_bin" "$ctl_bin"; do
  [[ -x $program ]] || die "$program is missing: build it first (or run without FLEETSET_QUICKSTART_SKIP_BUILD)"
done

say "validating the example DaemonSets"
"$ctl_bin" apply --dry-run=client -f config/examples

# Refuse to take over a directory that is neither empty nor ours (nor the
# layout of earlier versions of this script).
ours() { [[ -f $1/$marker || -f $1/agent.pid || -d $1/node-1/containerd ]]; }
if [[ -d $dir ]] && ! ours "$dir" && [[ -n $(ls -A "$dir") ]]; then
  die "$dir exists and was not made by the quickstart; set FLEETSET_QUICKSTART_DIR to another directory"
fi
mkdir -p "$dir"
touch "$dir/$marker"
dir=$(realpath "$dir")

say "starting a private containerd"
if [[ -S /run/containerd/containerd.sock ]] &&
  timeout 3 ctr --address /run/containerd/containerd.sock --connect-timeout 2s version >/dev/null 2>&1; then
  echo "(a containerd answers on /run/containerd/containerd.sock; it is left alone)"
fi
endpoint=$("$env_script" start "$dir/containerd")
echo "CRI endpoint: $endpoint (log $dir/containerd/containerd.log)"

say "starting fleetset-coordinator"
coordinator_dir=$dir/coordinator
mkdir -p "$coordinator_dir/data"
port_taken() { [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]; }
start_coordinator() {
  port=$first_port
  while port_taken "$port"; do
    ((port < first_port + 100)) || die "no free port in $first_port-$port for the coordinator"
    port=$((port + 1))
  done
  server=127.0.0.1:$port
  if ((port != first_port)); then
    echo "port $first_port is taken; the coordinator listens on $server instead"
  fi
  # A config file of its own, so that an /etc/fleetset/coordinator.yaml on
  # this machine does not apply.
  printf '%s\n' "listen: $server" "dataDir: $coordinator_dir/data" "logLevel: info" \
    >"$coordinator_dir/coordinator.yaml"
  # A coordinator built with a metrics endpoint (--metrics-listen, by
  # default 127.0.0.1:7401) serves it on loopback, on the next free port.
  if "$coordinator_bin" --help 2>&1 | grep -q -- --metrics-listen; then
    metrics=$((port + 1))
    while port_taken "$metrics"; do metrics=$((metrics + 1)); done
    echo "metricsListen: 127.0.0.1:$metrics" >>"$coordinator_dir/coordinator.yaml"
  fi
  echo "$server" >"$coordinator_dir/address"
  pid=$(spawn_daemon "$coordinator_dir/coordinator.log" "$coordinator_bin" \
    --config "$coordinator_dir/coordinator.yaml")
  echo "$pid" >"$coordinator_dir/coordinator.pid"
  echo "pid $pid on $server, log $coordinator_dir/coordinator.log"
}
# As the coordinator's admin: it writes admin.conf (its CA and an admin
# certificate) into its data directory on first start.
admin_conf=$coordinator_dir/data/admin.conf
ctl() { "$ctl_bin" --config "$admin_conf" -s "$server" "$@"; }
# Waits until the coordinator answers; fails when it has exited.
coordinator_answers() {
  for _ in $(seq 150); do
    ctl version >/dev/null 2>&1 && return 0
    live_pid "$coordinator_dir/coordinator.pid" "$coordinator_dir/" >/dev/null || return 1
    sleep 0.2
  done
  die "fleetset-coordinator does not answer on $server; log: $coordinator_dir/coordinator.log"
}
coordinator_exited() {
  tail -n 20 "$coordinator_dir/coordinator.log" >&2
  die "fleetset-coordinator exited; log: $coordinator_dir/coordinator.log"
}
if pid=$(live_pid "$coordinator_dir/coordinator.pid" "$coordinator_dir/"); then
  server=$(cat "$coordinator_dir/address")
  if coordinator_answers; then
    echo "already running (pid $pid) on $server"
  else
    # It was stopping when we looked.
    echo "the coordinator that was running (pid $pid) has stopped; starting it again"
    start_coordinator
    coordinator_answers || coordinator_exited
  fi
else
  start_coordinator
  coordinator_answers || coordinator_exited
fi

say "starting fleetset-agent for ${nodes[*]}"
# Nodes join as on a real fleet: with a bootstrap token and the pin of the
# cluster CA, in the command fleetsetctl prints (the agents below are that
# command plus their node's own flags). A node that has joined keeps its
# certificate under its root dir and needs no token when restarted.
join_command=$(ctl token create --ttl 1h --description "quickstart nodes" --print-join-command) ||
  die "fleetsetctl token create failed"
echo "$join_command"
read -r -a join_args <<<"$join_command"
[[ ${join_args[0]} == fleetset-agent ]] || die "unexpected join command: ${join_args[0]}"
# Agents built with a metrics endpoint (--metrics-bind-address, by default
# 127.0.0.1:10255) each get a port of their own: three agents share this
# machine's loopback.
metrics_ports=()
if "$agent_bin" --help 2>&1 | grep -q -- --metrics-bind-address; then
  metrics_port=10255
fi
for node in "${nodes[@]}"; do
  node_dir=$dir/nodes/$node
  mkdir -p "$node_dir/state" "$node_dir/manifests" "$node_dir/pod-logs"
  if pid=$(live_pid "$node_dir/agent.pid" "$node_dir/"); then
    if grep -qaF -- "$server" "/proc/$pid/cmdline"; then
      echo "$node: already running (pid $pid)"
      continue
    fi
    # The coordinator moved to another port: restart the agent (its pods
    # keep running and are adopted).
    stop_pid_file "$node_dir/agent.pid" "$node_dir/" "fleetset-agent $node"
  fi
  flags=(
    "${join_args[@]:1}"
    --hostname-override "$node"
    --container-runtime-endpoint "$endpoint"
    --root-dir "$node_dir/state"
    --pod-manifest-path "$node_dir/manifests"
    --pod-log-root "$node_dir/pod-logs"
    --node-status-update-frequency 5s
  )
  if [[ -n ${metrics_port:-} ]]; then
    # The port this agent had (so a rerun keeps it), else the next free one.
    port=$(cat "$node_dir/metrics-port" 2>/dev/null || true)
    if [[ -z $port ]] || port_taken "$port"; then
      while port_taken "$metrics_port" || [[ " ${metrics_ports[*]} " == *" $metrics_port "* ]]; do
        metrics_port=$((metrics_port + 1))
      done
      port=$metrics_port
    fi
    metrics_ports+=("$port")
    echo "$port" >"$node_dir/metrics-port"
    flags+=(--metrics-bind-address "127.0.0.1:$port")
  fi
  if [[ $node == "$control_plane" ]]; then
    # What kubeadm gives a control-plane node.
    flags+=(--node-labels "$control_plane_key=" --register-with-taints "$control_plane_key:NoSchedule")
  fi
  pid=$(spawn_daemon "$node_dir/agent.log" "$agent_bin" "${flags[@]}")
  echo "$pid" >"$node_dir/agent.pid"
  echo "$node: pid $pid, log $node_dir/agent.log"
done

# Shown when something does not come up in time.
fail_with_state() {
  echo >&2
  echo "quickstart: error: $*" >&2
  echo "--- fleetsetctl get nodes" >&2
  ctl get nodes >&2 || true
  echo "--- fleetsetctl get pods -A -o wide" >&2
  ctl get pods -A -o wide >&2 || true
  local node
  for node in "${nodes[@]}"; do
    echo "--- last lines of $dir/nodes/$node/agent.log" >&2
    tail -n 15 "$dir/nodes/$node/agent.log" >&2 || true
  done
  echo "--- last lines of $coordinator_dir/coordinator.log" >&2
  tail -n 10 "$coordinator_dir/coordinator.log" >&2 || true
  exit 1
}

say "waiting for the nodes to be Ready"
ready=0
for _ in $(seq 120); do
  ready=$(ctl get nodes 2>/dev/null | awk -v want=" ${nodes[*]} " \
    'NR > 1 && $2 == "Ready" && index(want, " " $1 " ") { n++ } END { print n + 0 }')
  ((ready == ${#nodes[@]})) && break
  sleep 0.5
done
((ready == ${#nodes[@]})) || fail_with_state "only $ready of ${#nodes[@]} nodes became Ready within 60s"

say "applying config/examples"
applied=$(ctl apply -f config/examples) || fail_with_state "fleetsetctl apply -f config/examples failed"
echo "$applied"

# The examples' DaemonSets (not others added since), as "NAMESPACE NAME".
say "waiting for the DaemonSets to roll out (up to ${rollout_timeout}s each)"
names=" $(sed -n 's|^daemonset.apps/\([^ ]*\) .*|\1|p' <<<"$applied" | tr '\n' ' ')"
mapfile -t daemon_sets < <(ctl get ds -A 2>/dev/null |
  awk -v names="$names" 'NR > 1 && index(names, " " $2 " ") { print $1 " " $2 }')
((${#daemon_sets[@]} > 0)) || fail_with_state "the coordinator lists none of the applied DaemonSets"
for entry in "${daemon_sets[@]}"; do
  read -r namespace name <<<"$entry"
  ctl rollout status "ds/$name" -n "$namespace" --timeout="${rollout_timeout}s" ||
    fail_with_state "daemon set $namespace/$name did not roll out"
done

say "fleetsetctl get nodes"
ctl get nodes
say "fleetsetctl get ds -A"
ctl get ds -A
say "fleetsetctl get pods -A -o wide"
ctl get pods -A -o wide

metrics_hint=""
if metrics=$(sed -n 's/^metricsListen: //p' "$coordinator_dir/coordinator.yaml" 2>/dev/null) && [[ -n $metrics ]]; then
  metrics_hint="Metrics: coordinator http://$metrics/metrics"
  for node in "${nodes[@]}"; do
    if [[ -f $dir/nodes/$node/metrics-port ]]; then
      metrics_hint+=", $node http://127.0.0.1:$(cat "$dir/nodes/$node/metrics-port")/metrics"
    fi
  done
  metrics_hint+=$'\n'
fi
down_env=""
[[ -z ${FLEETSET_QUICKSTART_DIR:-} ]] || down_env="FLEETSET_QUICKSTART_DIR=$dir "
cat <<EOF

fleetset runs three nodes on this machine (node-1 is a tainted control-plane
node, so the log collector skips it). Try:

  export FLEETSET_CONFIG=$admin_conf
  export PATH=$build/ctl:\$PATH
  fleetsetctl why ds/log-collector node-1 -n kube-system
  fleetsetctl describe ds node-monitor -n monitoring
  fleetsetctl get pods -A -o wide

Logs: agents $dir/nodes/NODE/agent.log, pods $dir/nodes/NODE/pod-logs/,
coordinator $coordinator_dir/coordinator.log.
${metrics_hint}More in docs/getting-started.md. Stop and remove everything:
  sudo ${down_env}$0 --down
EOF
