#!/usr/bin/env bash
# A private, real etcd cluster on loopback for tests: every member with its
# own data directory, log and ports under DIR, fast heartbeats and elections
# so that losing and regaining a leader takes well under a second, and no
# automatic compaction (tests compact when they mean to).
#
#   etcd-env.sh start DIR [MEMBERS] [--tls] [--max-txn-ops=N]
#                                start MEMBERS (default 3) members; waits
#                                until the cluster is healthy and prints the
#                                client endpoints, comma-separated. With
#                                --tls, clients must use https and present a
#                                certificate: DIR/tls/{ca,client,client-key}.pem
#                                --max-txn-ops is passed to every member
#                                (etcd's default is 128)
#   etcd-env.sh stop DIR         kill every member and remove DIR's data
#   etcd-env.sh kill-member DIR N
#                                SIGKILL member N (1-based)
#   etcd-env.sh start-member DIR N
#                                start member N again on its data; waits
#                                until it accepts connections
#   etcd-env.sh status DIR       exit 0 iff every member reports healthy
#   etcd-env.sh endpoints DIR    print the client endpoints again
#
# Needs etcd and etcdctl 3.4 (apt install etcd-server etcd-client), ss
# (iproute2) and, for --tls, openssl.
set -euo pipefail

# spawn_daemon, alive
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/daemon.sh"

readonly ETCD=${ETCD:-/usr/bin/etcd}
readonly ETCDCTL=${ETCDCTL:-/usr/bin/etcdctl}
# Milliseconds. etcd wants the election timeout at least five heartbeats.
# Fast for tests; the environment may ask for others (etcd's defaults are
# 100 and 1000).
readonly HEARTBEAT_MS=${ETCD_ENV_HEARTBEAT_MS:-25}
readonly ELECTION_MS=${ETCD_ENV_ELECTION_MS:-150}
readonly START_TIMEOUT_S=20
# A SIGKILLed member is gone within this unless the kernel holds it (a
# process stuck in uninterruptible I/O); the caller is told rather than
# left waiting.
readonly KILL_TIMEOUT_S=10

log() { echo "etcd-env: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------
# Ports and certificates
# ---------------------------------------------------------------------------

# COUNT loopback ports no socket uses, one a line, below the kernel's
# ephemeral range (where any outgoing connection may hold a port). Another
# process may take one before etcd binds it; start then fails and says so.
free_ports() {
  local count=$1 port taken low
  local -A used=()
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  ((low > 12000)) || low=32768
  taken=$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://')
  for port in $taken; do used[$port]=1; done
  while ((count > 0)); do
    port=$((10000 + RANDOM % (low - 10000)))
    [[ -z ${used[$port]:-} ]] || continue
    used[$port]=1
    echo "$port"
    count=$((count - 1))
  done
}

# A CA, a server certificate for 127.0.0.1/localhost (members and peers use
# it) and a client certificate, all under DIR/tls.
make_certificates() {
  local tls=$1/tls
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=fleetset-test-etcd-ca \
      -keyout ca-key.pem -out ca.pem 2>/dev/null
    local name
    for name in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=fleetset-test-$name" \
        -keyout "$name-key.pem" -out "$name.csr" 2>/dev/null
      printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        "extendedKeyUsage=serverAuth,clientAuth" >"$name.ext"
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
        -days 2 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    done
  )
}

# ---------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------

member_dir() { echo "$1/member$2"; }

# etcdctl's connection flags for DIR's cluster.
ctl_flags() {
  local dir=$1
  if [[ -f $dir/tls/ca.pem ]]; then
    echo "--cacert=$dir/tls/ca.pem --cert=$dir/tls/client.pem --key=$dir/tls/client-key.pem"
  fi
}

start_member() {
  local dir=$1 n=$2 mdir pid
  mdir=$(member_dir "$dir" "$n")
  [[ -f $mdir/args ]] || die "no member $n under $dir"
  if [[ -f $mdir/pid ]] && alive "$(cat "$mdir/pid")"; then return; fi
  local -a args
  mapfile -t args <"$mdir/args"
  pid=$(spawn_daemon "$mdir/etcd.log" "$ETCD" "${args[@]}")
  echo "$pid" >"$mdir/pid"
}

# Waits until member N accepts TCP connections on its client port.
wait_listening() {
  local dir=$1 n=$2 port deadline
  port=$(cat "$(member_dir "$dir" "$n")/client-port")
  deadline=$((SECONDS + START_TIMEOUT_S))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    alive "$(cat "$(member_dir "$dir" "$n")/pid")" ||
      die "member $n exited: $(tail -n 3 "$(member_dir "$dir" "$n")/etcd.log" | tr '\n' ' ')"
    ((SECONDS < deadline)) || die "member $n does not listen on $port"
    sleep 0.05
  done
}

healthy() {
  local dir=$1
  # shellcheck disable=SC2046
  "$ETCDCTL" $(ctl_flags "$dir") --endpoints="$(cat "$dir/endpoints")" \
    --command-timeout=2s endpoint health >/dev/null 2>&1
}

cmd_start() {
  local dir=$1 members=3 tls=false max_txn_ops="" arg
  shift
  for arg in "$@"; do
    case $arg in
      --tls) tls=true ;;
      --max-txn-ops=*)
        max_txn_ops=${arg#*=}
        [[ $max_txn_ops =~ ^[0-9]+$ ]] || die "bad --max-txn-ops: $max_txn_ops"
        ;;
      *[!0-9]* | '') die "bad member count: $arg" ;;
      *) members=$arg ;;
    esac
  done
  ((members >= 1)) || die "at least one member"
  [[ -x $ETCD ]] || die "$ETCD missing (apt install etcd-server)"
  [[ -x $ETCDCTL ]] || die "$ETCDCTL missing (apt install etcd-client)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ ! -f $dir/endpoints ]] || die "$dir already has a cluster (stop it first)"
  local scheme=http
  if $tls; then
    scheme=https
    make_certificates "$dir"
  fi

  local -a ports
  mapfile -t ports < <(free_ports $((2 * members)))
  local n cluster="" endpoints=""
  for ((n = 1; n <= members; n++)); do
    cluster+="${cluster:+,}member$n=$scheme://127.0.0.1:${ports[2 * n - 1]}"
    endpoints+="${endpoints:+,}$scheme://127.0.0.1:${ports[2 * n - 2]}"
  done
  local token
  token="fleetset-test-$(basename "$dir")-$RANDOM"
  for ((n = 1; n <= members; n++)); do
    local mdir client_url peer_url
    mdir=$(member_dir "$dir" "$n")
    mkdir -p "$mdir"
    client_url=$scheme://127.0.0.1:${ports[2 * n - 2]}
    peer_url=$scheme://127.0.0.1:${ports[2 * n - 1]}
    echo "${ports[2 * n - 2]}" >"$mdir/client-port"
    {
      printf '%s\n' --name "member$n" --data-dir "$mdir/data" \
        --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
        --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
        --initial-cluster "$cluster" --initial-cluster-state new \
        --initial-cluster-token "$token" \
        --heartbeat-interval "$HEARTBEAT_MS" --election-timeout "$ELECTION_MS" \
        --auto-compaction-retention 0 --snapshot-count 100000 \
        --logger zap --log-outputs stderr --log-level warn
      if [[ -n $max_txn_ops ]]; then printf '%s\n' --max-txn-ops "$max_txn_ops"; fi
      if $tls; then
        printf '%s\n' --cert-file "$dir/tls/server.pem" --key-file "$dir/tls/server-key.pem" \
          --trusted-ca-file "$dir/tls/ca.pem" --client-cert-auth \
          --peer-cert-file "$dir/tls/server.pem" --peer-key-file "$dir/tls/server-key.pem" \
          --peer-trusted-ca-file "$dir/tls/ca.pem" --peer-client-cert-auth
      fi
    } >"$mdir/args"
  done
  echo "$endpoints" >"$dir/endpoints"
  for ((n = 1; n <= members; n++)); do start_member "$dir" "$n"; done
  for ((n = 1; n <= members; n++)); do wait_listening "$dir" "$n"; done
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until healthy "$dir"; do
    ((SECONDS < deadline)) || die "the cluster under $dir is not healthy; see member*/etcd.log"
    sleep 0.1
  done
  echo "$endpoints"
}

# Waits until member PID (of member N) is gone after its SIGKILL.
wait_gone() {
  local pid=$1 n=$2 deadline=$((SECONDS + KILL_TIMEOUT_S))
  while alive "$pid"; do
    ((SECONDS < deadline)) || die "member $n (pid $pid) still runs ${KILL_TIMEOUT_S} s after SIGKILL"
    sleep 0.02
  done
}

cmd_stop() {
  local dir=$1 mdir pid
  [[ -d $dir ]] || return 0
  # Killed, not asked to stop: the data goes with them, and a graceful stop
  # spends seconds handing leadership over to members about to stop too.
  for mdir in "$dir"/member*; do
    [[ -f $mdir/pid ]] || continue
    pid=$(cat "$mdir/pid")
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for mdir in "$dir"/member*; do
    [[ -f $mdir/pid ]] || continue
    pid=$(cat "$mdir/pid")
    wait_gone "$pid" "${mdir##*/member}"
    rm -f "$mdir/pid"
  done
  rm -rf "$dir"/member* "$dir/tls" "$dir/endpoints"
}

cmd_kill_member() {
  local dir=$1 n=$2 mdir pid
  mdir=$(member_dir "$dir" "$n")
  [[ -f $mdir/pid ]] || die "member $n under $dir is not running"
  pid=$(cat "$mdir/pid")
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone "$pid" "$n"
  rm -f "$mdir/pid"
}

cmd_start_member() {
  local dir=$1 n=$2
  start_member "$dir" "$n"
  wait_listening "$dir" "$n"
}

main() {
  (($# >= 2)) || usage
  local command=$1 dir=$2
  shift 2
  case $command in
    start) cmd_start "$dir" "$@" ;;
    stop) cmd_stop "$dir" ;;
    kill-member) (($# == 1)) || usage && cmd_kill_member "$dir" "$1" ;;
    start-member) (($# == 1)) || usage && cmd_start_member "$dir" "$1" ;;
    status) healthy "$dir" ;;
    endpoints) cat "$dir/endpoints" ;;
    *) usage ;;
  esac
}

main "$@"
