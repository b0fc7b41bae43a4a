#!/usr/bin/env bash
# End-to-end test of scripts/quickstart.sh, run by ctest (label quickstart):
#
#   1. the quickstart in a temporary directory, on a free coordinator port
#      (never 7400's real quickstart), with the programs of BUILD_DIR
#      (FLEETSET_QUICKSTART_SKIP_BUILD=1: no package installs, no build);
#      its tables must show 3 nodes Ready (node-1 a control-plane node),
#      log-collector 2/2 and node-monitor 3/3 available, every pod Running;
#   2. the quickstart again: still one coordinator and three agents, the same
#      processes, and the apply says "unchanged";
#   3. --down: no process, mount or bridge of the quickstart is left and the
#      directory is gone.
#
#   quickstart_test.sh BUILD_DIR
#
# Exits 77 (ctest: skipped) without root or containerd, unless CI=true.
set -euo pipefail

build=$(realpath "${1:?usage: $0 BUILD_DIR}")
repo=$(realpath "$(dirname "$0")/../..")
quickstart=$repo/scripts/quickstart.sh

skip() {
  if [[ ${CI:-} == true || ${CI:-} == 1 ]]; then
    echo "FAIL: missing prerequisite (CI=true, so this fails instead of skipping): $*" >&2
    exit 1
  fi
  echo "SKIPPED (missing prerequisite): $*" >&2
  exit 77
}
[[ $(id -u) -eq 0 ]] || skip "root"
for program in containerd runc ctr umoci skopeo ss; do
  command -v "$program" >/dev/null || skip "$program"
done

tmp=$(mktemp -d /tmp/fleetset-quickstart-test.XXXXXX)
qdir=$tmp/quickstart
failures=0

cleanup() {
  if [[ -d $qdir ]]; then
    FLEETSET_QUICKSTART_DIR=$qdir "$quickstart" --down >"$tmp/cleanup.log" 2>&1 ||
      cat "$tmp/cleanup.log" >&2
  fi
  if ((failures > 0)) || [[ ${FLEETSET_KEEP_NODE_DIRS:-} != "" ]]; then
    echo "test output kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# A port nobody listens on, well away from 7400.
port=$((20000 + RANDOM % 20000))
while [[ -n $(ss -Htln "sport = :$port") ]]; do port=$((port + 1)); done

run_quickstart() {
  local log=$1 started=$SECONDS rc=0
  shift
  FLEETSET_QUICKSTART_DIR=$qdir FLEETSET_QUICKSTART_PORT=$port \
    FLEETSET_QUICKSTART_SKIP_BUILD=1 FLEETSET_BUILD_DIR=$build \
    FLEETSET_QUICKSTART_TIMEOUT=240 \
    "$quickstart" "$@" >"$log" 2>&1 </dev/null || rc=$?
  echo "quickstart $* took $((SECONDS - started))s, exit $rc" >&2
  if ((rc != 0)); then
    cat "$log" >&2
    fail "quickstart $* exited $rc"
    exit 1
  fi
}

# The table printed after "==> fleetsetctl TITLE", up to the next blank line.
table() {
  awk -v title="==> fleetsetctl $2" '
    $0 == title { on = 1; next }
    on && /^$/ { if (seen) exit; next }
    on { seen = 1; print }' "$1"
}

# Cell COLUMN of the row whose first cells match, from a table on stdin.
# Columns start where their titles start (the tab writer aligns them).
cells() {
  awk -v want="$1" '
    NR == 1 {
      header = $0
      n = 0
      for (at = 1; at <= length(header);) {
        while (substr(header, at, 1) == " " && at <= length(header)) at++
        if (at > length(header)) break
        start[++n] = at
        rest = substr(header, at)
        end = index(rest, "  ")
        title[n] = end ? substr(rest, 1, end - 1) : rest
        at += end ? end : length(rest)
      }
      next
    }
    {
      line = ""
      for (i = 1; i <= n; i++) {
        len = i < n ? start[i + 1] - start[i] : 1000
        cell = substr($0, start[i], len)
        gsub(/^ +| +$/, "", cell)
        if (title[i] ~ "^(" want ")$") line = line (line == "" ? "" : " ") cell
      }
      print line
    }'
}

check_tables() {
  local log=$1 nodes ds pods
  nodes=$(table "$log" "get nodes")
  ds=$(table "$log" "get ds -A")
  pods=$(table "$log" "get pods -A -o wide")
  printf '%s\n\n%s\n\n%s\n' "$nodes" "$ds" "$pods" >&2

  local got
  got=$(cells 'NAME|STATUS|ROLES' <<<"$nodes" | sort | tr '\n' ';')
  [[ $got == "node-1 Ready control-plane;node-2 Ready <none>;node-3 Ready <none>;" ]] ||
    fail "get nodes: want node-1..3 Ready with node-1 control-plane, got: $got"

  got=$(cells 'NAMESPACE|NAME|DESIRED|CURRENT|READY|UP-TO-DATE|AVAILABLE' <<<"$ds" | sort | tr '\n' ';')
  [[ $got == "kube-system log-collector 2 2 2 2 2;monitoring node-monitor 3 3 3 3 3;" ]] ||
    fail "get ds -A: want log-collector 2 everywhere and node-monitor 3 everywhere, got: $got"

  # NAMESPACE, then the pod's DaemonSet (its name without the suffix), its
  # node, READY and STATUS.
  got=$(cells 'NAMESPACE|NAME|READY|STATUS|NODE' <<<"$pods" |
    awk '{ sub(/-[a-z0-9]+$/, "", $2); print }' | sort | tr '\n' ';')
  local want="kube-system log-collector 1/1 Running node-2;kube-system log-collector 1/1 Running node-3;"
  want+="monitoring node-monitor 1/1 Running node-1;monitoring node-monitor 1/1 Running node-2;"
  want+="monitoring node-monitor 1/1 Running node-3;"
  [[ $got == "$want" ]] || fail "get pods -A -o wide: want $want got: $got"
}

# Pids of the quickstart's agents and coordinator, sorted, one line.
programs() { pgrep -f -- "$1 .*$qdir/" | sort -n | tr '\n' ' '; }

echo "--- first run (port $port, directory $qdir)" >&2
run_quickstart "$tmp/run1.log"
check_tables "$tmp/run1.log"
agents=$(programs fleetset-agent)
coordinators=$(programs fleetset-coordinator)
[[ $(wc -w <<<"$agents") -eq 3 ]] || fail "after the first run: want 3 agents, got pids: $agents"
[[ $(wc -w <<<"$coordinators") -eq 1 ]] || fail "after the first run: want 1 coordinator, got pids: $coordinators"
slot=$(cat "$qdir/containerd/net-slot")

# Secure end to end: the agents joined with the printed join command, the
# admin's config is private, and what it prints to use it works.
grep -qE "^fleetset-agent --coordinator 127\.0\.0\.1:$port --token [a-z0-9]{6}\.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:[0-9a-f]{64}$" "$tmp/run1.log" ||
  fail "the first run printed no join command"
for pid in $agents; do
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--discovery-token-ca-cert-hash sha256:" ||
    fail "agent $pid was not started with the join command"
done
admin_conf=$(sed -n 's/^ *export FLEETSET_CONFIG=//p' "$tmp/run1.log")
[[ -n $admin_conf ]] || fail "the first run printed no export FLEETSET_CONFIG=... line"
[[ $(stat -c %a "$admin_conf") == 600 ]] || fail "$admin_conf is not mode 0600"
FLEETSET_CONFIG=$admin_conf "$build/ctl/fleetsetctl" get nodes >/dev/null ||
  fail "fleetsetctl with FLEETSET_CONFIG=$admin_conf does not answer"
for node in node-1 node-2 node-3; do
  [[ $(stat -c %a "$qdir/nodes/$node/state/pki/node.pem") == 600 ]] ||
    fail "$node's node.pem is not mode 0600"
done
if "$build/ctl/fleetsetctl" --config /dev/null -s "127.0.0.1:$port" get nodes >/dev/null 2>&1; then
  fail "fleetsetctl without credentials was answered"
fi

echo "--- second run" >&2
run_quickstart "$tmp/run2.log"
check_tables "$tmp/run2.log"
[[ $(programs fleetset-agent) == "$agents" ]] ||
  fail "the second run changed the agents: $agents -> $(programs fleetset-agent)"
[[ $(programs fleetset-coordinator) == "$coordinators" ]] ||
  fail "the second run changed the coordinator: $coordinators -> $(programs fleetset-coordinator)"
for ds in log-collector node-monitor; do
  grep -qF "daemonset.apps/$ds unchanged" "$tmp/run2.log" || fail "the second apply of $ds was not \"unchanged\""
done

echo "--- --down" >&2
run_quickstart "$tmp/down.log" --down
[[ ! -e $qdir ]] || fail "$qdir is still there after --down"
left=$(pgrep -af -- "$qdir" || true)
[[ -z $left ]] || fail "processes left after --down: $left"
left=$(awk -v d="$qdir" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
[[ -z $left ]] || fail "mounts left after --down: $left"
if ip link show "fsbr$slot" >/dev/null 2>&1; then fail "bridge fsbr$slot left after --down"; fi

if ((failures > 0)); then
  for log in "$tmp"/*.log; do
    echo "--- $log" >&2
    cat "$log" >&2
  done
  exit 1
fi
echo "PASS: quickstart up, up again, down" >&2
