#!/usr/bin/env bash
# What a settled fleetset-agent costs its node: the real binary, standalone,
# running five static DaemonSets (busybox sleep) on a private containerd
# with the default --sync-frequency (1s) and --file-check-frequency (5s).
# Once status.json shows all five pods running and the agent has settled, it
# samples the agent's resident memory and its CPU time over a window.
#
#   bench/agent_idle.sh [--agent PATH] [--window SECONDS] [--settle SECONDS] [--detail]
#
# Defaults: --agent build/agent/fleetset-agent (relative to the repository),
# --window 30, --settle 5. --detail adds where the resident memory is, per
# mapping (from /proc/PID/smaps). Needs root, jq and what tests/env/containerd-env.sh
# needs. Everything it starts (agent, containerd, pods, mounts, its temp
# directory) is gone when it exits, however it exits.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
readonly REPO
readonly ENV_SCRIPT=$REPO/tests/env/containerd-env.sh
readonly PODS=5
readonly RSS_GOAL_KB=$((25 * 1024))
readonly CPU_GOAL_PERCENT=1

agent=$REPO/build/agent/fleetset-agent
window=30
settle=5
detail=0
while (($#)); do
  case $1 in
    --agent) agent=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --detail) detail=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "agent_idle: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x $agent ]] || { echo "agent_idle: no fleetset-agent at $agent (use --agent)" >&2; exit 2; }
command -v jq >/dev/null || { echo "agent_idle: needs jq" >&2; exit 2; }

work=$(mktemp -d /tmp/fleetset-idle.XXXXXX)
agent_pid=

cleanup() {
  local status=$?
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid" 2>/dev/null || true
    # The agent stops within a second; its pods stay (as kubelet's do) and
    # go with containerd below.
    for _ in $(seq 50); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
  fi
  "$ENV_SCRIPT" stop "$work/containerd" || status=1
  if awk -v d="$work" 'index($5, d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    echo "agent_idle: mounts remain under $work; leaving it in place" >&2
    status=1
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

endpoint=$("$ENV_SCRIPT" start "$work/containerd")

mkdir -p "$work/manifests"
for i in $(seq 1 "$PODS"); do
  cat >"$work/manifests/idle-$i.yaml" <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: idle-$i
  namespace: default
spec:
  selector:
    matchLabels: {app: idle-$i}
  template:
    metadata:
      labels: {app: idle-$i}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: sleeper
        image: docker.io/fleetset/busybox:test
        command: [sleep, "3600"]
EOF
done

# Started directly (not through a shell) so $! is the agent itself.
"$agent" --container-runtime-endpoint "$endpoint" --root-dir "$work/root" \
  --pod-manifest-path "$work/manifests" --pod-log-root "$work/pod-logs" \
  --hostname-override idle-node >"$work/agent.log" 2>&1 &
agent_pid=$!

running() {
  jq '[.pods[]? | select(.status.phase == "Running")] | length' "$work/root/status.json" \
    2>/dev/null || echo 0
}
start=$SECONDS
until [[ $(running) -ge $PODS ]]; do
  if ! kill -0 "$agent_pid" 2>/dev/null; then
    echo "agent_idle: the agent exited; its log:" >&2
    cat "$work/agent.log" >&2
    exit 1
  fi
  if ((SECONDS - start > 120)); then
    echo "agent_idle: not all $PODS pods running after 120 s; agent log:" >&2
    tail -n 30 "$work/agent.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "agent_idle: $PODS pods running after $((SECONDS - start)) s; settling ${settle} s" >&2
sleep "$settle"

# utime + stime (fields 14 and 15, counted after the parenthesised command
# name, which may itself contain spaces) of the whole process, all threads.
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }
  awk '{ print $12 + $13 }' <<<"$stat"
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

containerd_pid=$(cat "$work/containerd/containerd.pid")
hz=$(getconf CLK_TCK)
agent_before=$(cpu_ticks "$agent_pid")
containerd_before=$(cpu_ticks "$containerd_pid")
t0=$(date +%s.%N)
sleep "$window"
agent_after=$(cpu_ticks "$agent_pid")
containerd_after=$(cpu_ticks "$containerd_pid")
t1=$(date +%s.%N)

rss_kb=$(status_kb "$agent_pid" VmRSS)
hwm_kb=$(status_kb "$agent_pid" VmHWM)
anon_kb=$(status_kb "$agent_pid" RssAnon)
file_kb=$(status_kb "$agent_pid" RssFile)
threads=$(status_kb "$agent_pid" Threads)
# Proportional set size: shared library pages divided among the processes
# that map them, a fairer "what this agent costs" than RSS.
pss_kb=$(awk '$1 == "Pss:" { print $2 }' "/proc/$agent_pid/smaps_rollup")
read -r agent_cpu containerd_cpu elapsed < <(awk -v a=$((agent_after - agent_before)) \
  -v c=$((containerd_after - containerd_before)) -v hz="$hz" -v t0="$t0" -v t1="$t1" \
  'BEGIN { e = t1 - t0; printf "%.2f %.2f %.1f\n", 100 * a / hz / e, 100 * c / hz / e, e }')
still_running=$(running)

verdict() { if awk -v v="$1" -v g="$2" 'BEGIN { exit !(v <= g) }'; then echo met; else echo MISSED; fi; }
echo "fleetset-agent idle with $PODS static pods ($still_running running), default sync 1s / file check 5s"
echo "  RSS        $((rss_kb / 1024)).$(((rss_kb % 1024) * 10 / 1024)) MB (VmRSS ${rss_kb} kB; anon ${anon_kb} kB, file ${file_kb} kB; peak VmHWM ${hwm_kb} kB; ${threads} threads)  goal <= 25 MB: $(verdict "$rss_kb" "$RSS_GOAL_KB")"
echo "  PSS        ${pss_kb} kB (shared pages divided among the processes mapping them)"
echo "  CPU        ${agent_cpu} % of one core over ${elapsed} s (utime+stime, ${hz} ticks/s)  goal <= ${CPU_GOAL_PERCENT} %: $(verdict "$agent_cpu" "$CPU_GOAL_PERCENT")"
echo "  containerd ${containerd_cpu} % of one core over the same window (context: it answers the agent's relists)"
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs: CPU figures are from the kernel's"
echo "  per-process accounting and do not depend on load, but tick granularity is $((1000 / hz)) ms"
if ((detail)); then
  echo "  resident memory by mapping (kB, largest first):"
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6 ? $6 : "[anon]") }
       $1 == "Rss:" { rss[name] += $2 }
       END { for (n in rss) if (rss[n] > 0) printf "%8d  %s\n", rss[n], n }' \
    "/proc/$agent_pid/smaps" | sort -rn | head -n 15 | sed 's/^/    /'
fi
