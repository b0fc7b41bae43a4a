#!/usr/bin/env bash
# Private, real containerd instances for tests and the quickstart: one per
# simulated "node", each with its own root, state, sockets, runc root and CNI
# bridge, so several can run side by side on one machine without touching the
# host's /var/lib/containerd or /run/containerd.
#
#   containerd-env.sh image              build (once) the local test images;
#                                        prints the cache directory
#   containerd-env.sh start DIR          start a containerd under DIR;
#                                        prints its CRI endpoint (unix://...)
#   containerd-env.sh stop DIR           stop it and clean up everything it
#                                        left: tasks, shims, mounts, bridge,
#                                        cgroups, shim sockets, CNI cache
#   containerd-env.sh status DIR         exit 0 iff the instance answers
#   containerd-env.sh registry-start DIR [USER:PASSWORD]
#                                        run docker-registry on 127.0.0.1:5000
#                                        and push the test image into it;
#                                        prints the pullable image name; with
#                                        USER:PASSWORD it requires that login
#   containerd-env.sh registry-stop DIR  stop that registry
#   containerd-env.sh names              print the image names (key=value)
#
# Needs root, containerd 1.6, runc, containernetworking-plugins,
# busybox-static, umoci, skopeo and (for the registry) docker-registry.
# Nothing is downloaded: the images are built from the host's busybox.
set -euo pipefail

# spawn_daemon, alive
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/daemon.sh"

readonly IMAGE_CACHE_ROOT=${FLEETSET_IMAGE_CACHE:-/var/tmp/fleetset-test-image}
# Bump when the image recipe changes so that caches rebuild.
readonly IMAGE_RECIPE=3
readonly TEST_IMAGE=docker.io/fleetset/busybox:test
readonly PAUSE_IMAGE=docker.io/fleetset/pause:test
# The test image under another image ID (its config differs), for tests
# that move a pod from one image to another.
readonly OTHER_IMAGE=docker.io/fleetset/busybox:other
readonly REGISTRY_ADDR=127.0.0.1:5000
# A name that exists only in the registry, so pulling it must really go there.
readonly REGISTRY_IMAGE=${REGISTRY_ADDR}/fleetset/busybox:registry
# Bridge names and subnets are handed out as numbered slots so that
# concurrent instances never share a bridge or an address range.
readonly SLOT_DIR=/run/fleetset-test-net
readonly MAX_SLOTS=250
readonly CNI_BIN_DIR=/usr/lib/cni
readonly CRI_NAMESPACE=k8s.io

log() { echo "containerd-env: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------
# Image
# ---------------------------------------------------------------------------

image_dir() {
  local version
  version=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || true)
  [[ -n $version ]] || version=$(sha256sum /bin/busybox | cut -c1-16)
  echo "${IMAGE_CACHE_ROOT}/busybox-${version//[^A-Za-z0-9.+-]/_}-r${IMAGE_RECIPE}"
}

# A minimal root filesystem: static busybox plus one symlink per applet,
# and passwd/group files so that run_as_username and nobody work.
populate_rootfs() {
  local rootfs=$1 applet
  mkdir -p "$rootfs"/{bin,etc,tmp,root,proc,sys,dev,var/run,usr}
  chmod 1777 "$rootfs/tmp"
  install -m 0755 /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
  done
  ln -sfn ../bin "$rootfs/usr/bin"
  ln -sfn bin "$rootfs/sbin"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
}

build_image() {
  local out=$1 tmp
  tmp=$(mktemp -d "${IMAGE_CACHE_ROOT}/.build.XXXXXX")
  # shellcheck disable=SC2064  # expand now: tmp is local
  trap "rm -rf '$tmp'" RETURN
  umoci init --layout "$tmp/umoci"
  umoci new --image "$tmp/umoci:base"
  umoci unpack --image "$tmp/umoci:base" "$tmp/bundle" >/dev/null
  populate_rootfs "$tmp/bundle/rootfs"
  umoci repack --image "$tmp/umoci:base" "$tmp/bundle" >/dev/null
  umoci config --image "$tmp/umoci:base" --tag busybox \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.workingdir / --config.cmd sh
  # The sandbox ("pause") container only has to hold the namespaces open.
  umoci config --image "$tmp/umoci:busybox" --tag pause \
    --config.entrypoint /bin/sleep --config.entrypoint inf
  umoci config --image "$tmp/umoci:busybox" --tag other --config.env FLEETSET_IMAGE=other
  # One OCI layout holding the images under their full names: containerd
  # imports the names from the ref.name annotations in a single call.
  mkdir -p "$tmp/out"
  skopeo --insecure-policy copy --quiet "oci:$tmp/umoci:busybox" \
    "oci:$tmp/out/layout:${TEST_IMAGE}"
  skopeo --insecure-policy copy --quiet "oci:$tmp/umoci:pause" \
    "oci:$tmp/out/layout:${PAUSE_IMAGE}"
  skopeo --insecure-policy copy --quiet "oci:$tmp/umoci:other" \
    "oci:$tmp/out/layout:${OTHER_IMAGE}"
  tar -C "$tmp/out/layout" -cf "$tmp/out/images.tar" .
  mv "$tmp/out" "$out"
}

# Prints the cache directory (layout/ and images.tar), building it if needed.
ensure_image() {
  local dir lock
  dir=$(image_dir)
  if [[ ! -f $dir/images.tar ]]; then
    mkdir -p "$IMAGE_CACHE_ROOT"
    # Concurrent starts must not build the same image twice.
    exec {lock}>"${IMAGE_CACHE_ROOT}/.lock"
    flock "$lock"
    [[ -f $dir/images.tar ]] || build_image "$dir" >&2
    exec {lock}>&-
  fi
  echo "$dir"
}

# ---------------------------------------------------------------------------
# Per-instance helpers
# ---------------------------------------------------------------------------

# Waits up to N polls of 50 ms for PID to exit.
wait_gone() {
  local pid=$1 polls=$2
  while ((polls-- > 0)) && alive "$pid"; do sleep 0.05; done
}

socket_of() { echo "$1/run/containerd.sock"; }

ctr_of() { ctr --address "$(socket_of "$1")" --namespace "$CRI_NAMESPACE" "${@:2}"; }

# The containerd pid of DIR, if it is alive and really ours (pid reuse).
containerd_pid() {
  local dir=$1 pid
  pid=$(cat "$dir/containerd.pid" 2>/dev/null) || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--config $dir/config.toml" || return 1
  echo "$pid"
}

answers() { ctr --address "$(socket_of "$1")" --timeout 2s version >/dev/null 2>&1; }

# Claims a free slot for DIR (reusing its previous one) and prints it.
claim_slot() {
  local dir=$1 lock n owner
  mkdir -p "$SLOT_DIR"
  exec {lock}>"$SLOT_DIR/.lock"
  flock "$lock"
  n=$(cat "$dir/net-slot" 2>/dev/null || true)
  if [[ -n $n && $(cat "$SLOT_DIR/$n" 2>/dev/null) == "$dir" ]]; then
    exec {lock}>&-
    echo "$n"
    return
  fi
  for ((n = 0; n < MAX_SLOTS; n++)); do
    owner=$(cat "$SLOT_DIR/$n" 2>/dev/null || true)
    # A slot whose owner directory is gone was leaked by a crashed run.
    if [[ -z $owner || ! -d $owner || $(cat "$owner/net-slot" 2>/dev/null) != "$n" ]]; then
      echo "$dir" >"$SLOT_DIR/$n"
      echo "$n" >"$dir/net-slot"
      exec {lock}>&-
      echo "$n"
      return
    fi
  done
  exec {lock}>&-
  die "all $MAX_SLOTS network slots in $SLOT_DIR are taken"
}

release_slot() {
  local dir=$1 n
  n=$(cat "$dir/net-slot" 2>/dev/null) || return 0
  if [[ $(cat "$SLOT_DIR/$n" 2>/dev/null) == "$dir" ]]; then rm -f "$SLOT_DIR/$n"; fi
  rm -f "$dir/net-slot"
}

bridge_of_slot() { echo "fsbr$1"; }

# Rewrites `containerd config default`: each argument is
# "section|key|value" and replaces that key inside exactly that section.
# Failing on a key that is not found keeps us honest when containerd's
# default config changes shape.
rewrite_config() {
  awk -v specs="$(printf '%s\n' "$@")" '
    BEGIN {
      n = split(specs, lines, "\n")
      for (i = 1; i <= n; i++) {
        if (lines[i] == "") continue
        split(lines[i], f, "|")
        want[f[1] "|" f[2]] = f[3]
        seen[f[1] "|" f[2]] = 0
      }
      section = ""
    }
    /^[ \t]*\[/ {
      s = $0
      gsub(/^[ \t]*\[+|\]+[ \t]*$/, "", s)
      section = s
    }
    {
      line = $0
      if (match(line, /^[ \t]*[A-Za-z_]+[ \t]*=/)) {
        key = line
        sub(/^[ \t]*/, "", key)
        sub(/[ \t]*=.*/, "", key)
        k = section "|" key
        if (k in want) {
          indent = line
          sub(/[^ \t].*/, "", indent)
          line = indent key " = " want[k]
          seen[k] = 1
        }
      }
      print line
    }
    END {
      for (k in seen) if (!seen[k]) { print "missing config key: " k > "/dev/stderr"; bad = 1 }
      exit bad
    }'
}

write_config() {
  local dir=$1 slot=$2 cri='plugins."io.containerd.grpc.v1.cri"'
  containerd config default | rewrite_config \
    "|root|\"$dir/root\"" \
    "|state|\"$dir/state\"" \
    "|temp|\"$dir/tmp\"" \
    "grpc|address|\"$dir/run/containerd.sock\"" \
    "ttrpc|address|\"$dir/run/containerd.sock.ttrpc\"" \
    "plugins.\"io.containerd.internal.v1.opt\"|path|\"$dir/opt\"" \
    "$cri|sandbox_image|\"$PAUSE_IMAGE\"" \
    "$cri|restrict_oom_score_adj|true" \
    "$cri|disable_apparmor|true" \
    "$cri|netns_mounts_under_state_dir|true" \
    "$cri.cni|bin_dir|\"$CNI_BIN_DIR\"" \
    "$cri.cni|conf_dir|\"$dir/cni/conf\"" \
    "$cri.containerd.runtimes.runc.options|Root|\"$dir/run/runc\"" \
    "$cri.registry|config_path|\"$dir/certs.d\"" \
    >"$dir/config.toml.new"
  # Plugins a test node never uses; skipping them trims start-up work.
  sed -i 's|^disabled_plugins = \[\]|disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]|' \
    "$dir/config.toml.new"
  mv "$dir/config.toml.new" "$dir/config.toml"

  local bridge
  bridge=$(bridge_of_slot "$slot")
  cat >"$dir/cni/conf/10-fleetset.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "fleetset-$slot",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "10.213.$slot.0/24"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$dir/cni/ipam"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF

  # Image references naming 127.0.0.1:5000 go to the local registry over
  # plain HTTP (it has no TLS).
  mkdir -p "$dir/certs.d/$REGISTRY_ADDR"
  cat >"$dir/certs.d/$REGISTRY_ADDR/hosts.toml" <<EOF
server = "http://$REGISTRY_ADDR"

[host."http://$REGISTRY_ADDR"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
EOF
}

# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------

cmd_start() {
  local dir=$1 slot pid images sock deadline
  mkdir -p "$dir"
  dir=$(realpath "$dir")
  sock=$(socket_of "$dir")
  if containerd_pid "$dir" >/dev/null && answers "$dir"; then
    echo "unix://$sock"
    return
  fi
  images=$(ensure_image)
  mkdir -p "$dir"/{root,state,run,tmp,opt,logs,cni/conf,cni/ipam}
  slot=$(claim_slot "$dir")
  write_config "$dir" "$slot"
  rm -f "$sock" "$sock.ttrpc"

  pid=$(spawn_daemon "$dir/containerd.log" containerd --config "$dir/config.toml")
  echo "$pid" >"$dir/containerd.pid"

  deadline=$((SECONDS + 30))
  until answers "$dir"; do
    if ! alive "$pid"; then
      tail -n 20 "$dir/containerd.log" >&2
      release_slot "$dir"
      die "containerd exited during start; log: $dir/containerd.log"
    fi
    ((SECONDS < deadline)) || die "containerd did not answer on $sock within 30s"
    sleep 0.05
  done
  ctr_of "$dir" images import "$images/images.tar" >/dev/null ||
    die "importing $images/images.tar failed"
  echo "unix://$sock"
}

# Every mount point at or below DIR, deepest first.
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
    awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

# Pids of processes that were given SOCKET as an argument: the shims of
# this instance ("-address SOCKET") and nothing else (containerd itself only
# gets --config). One grep over all command lines keeps this fast on a busy
# machine.
shims_of() {
  local sock=$1 f
  grep -lzxF -- "$sock" /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
    f=${f#/proc/}
    echo "${f%/cmdline}"
  done
}

cmd_stop() {
  local dir=$1 sock pid id rroot m p
  [[ -d $dir ]] || return 0
  dir=$(realpath "$dir")
  sock=$(socket_of "$dir")

  # Task bundles disappear as tasks are deleted, so note first what they
  # say lives outside DIR: shim sockets (under /run/containerd/s), the
  # containers' cgroups and, by task id, libcni's result cache.
  local shim_sockets=() cgroups=() task_ids=() cg
  for m in "$dir"/state/io.containerd.runtime.v2.task/*/*; do
    [[ -d $m ]] || continue
    task_ids+=("${m##*/}")
    if [[ -f $m/address ]]; then
      p=$(cat "$m/address")
      p=${p#unix://}
      [[ $p == /run/containerd/s/* ]] && shim_sockets+=("$p")
    fi
    cg=$(grep -o '"cgroupsPath":"[^"]*"' "$m/config.json" 2>/dev/null | cut -d'"' -f4 || true)
    # cgroupfs paths only; "slice:prefix:name" would be systemd's.
    [[ $cg == /* && $cg != *:* && $cg != */../* ]] && cgroups+=("$cg")
  done

  if pid=$(containerd_pid "$dir"); then
    # Let containerd and its shims tear tasks down the normal way first;
    # the sweeps below only catch what this leaves behind.
    if answers "$dir"; then
      for id in $(ctr_of "$dir" --timeout 5s tasks ls -q 2>/dev/null || true); do
        ctr_of "$dir" --timeout 5s tasks delete --force "$id" >/dev/null 2>&1 || true
      done
    fi
    # containerd lingers ~2 s after SIGTERM with nothing left to save (its
    # bolt database is crash-safe), so it only gets a short grace period.
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 10
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 100
  fi

  # Containers still known to runc: all of those in this instance's private
  # runc root (CRI's), and those of its task bundles that used runc's shared
  # default root (e.g. started with plain `ctr run`).
  rroot=$dir/run/runc/$CRI_NAMESPACE
  if [[ -d $rroot ]]; then
    for id in $(runc --root "$rroot" list -q 2>/dev/null || true); do
      runc --root "$rroot" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  for m in "$dir"/state/io.containerd.runtime.v2.task/*/*; do
    [[ -d $m ]] || continue
    id=${m##*/}
    rroot=/run/containerd/runc/$(basename "${m%/*}")
    if [[ -d $rroot/$id ]]; then
      runc --root "$rroot" delete --force "$id" >/dev/null 2>&1 || true
    fi
  done

  # A shim is the parent (and subreaper) of its containers' processes; kill
  # those first so that nothing is orphaned when the shim goes.
  for p in $(shims_of "$sock"); do
    # shellcheck disable=SC2046  # one pid per word
    kill -KILL $(ps -o pid= --ppid "$p") 2>/dev/null || true
    kill -KILL "$p" 2>/dev/null || true
  done
  # Killed shims leave their sockets; killed containers their cgroups
  # (rmdir only removes empty ones, so a live cgroup is never touched).
  for p in "${shim_sockets[@]}"; do rm -f "$p"; done
  # libcni caches each attachment under /var/lib/cni/results until CNI DEL,
  # which a killed pod never got (the names embed the sandbox id).
  for id in "${task_ids[@]}"; do rm -f /var/lib/cni/results/*-"$id"-*; done
  for cg in "${cgroups[@]}"; do
    for m in /sys/fs/cgroup/*"$cg"; do
      if [[ -d $m ]]; then rmdir "$m" 2>/dev/null || true; fi
    done
  done

  for m in $(mounts_under "$dir"); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done

  local slot
  if slot=$(cat "$dir/net-slot" 2>/dev/null); then
    ip link delete "$(bridge_of_slot "$slot")" 2>/dev/null || true
  fi
  release_slot "$dir"
  rm -f "$dir/containerd.pid" "$sock" "$sock.ttrpc"
}

cmd_status() {
  local dir
  dir=$(realpath "$1")
  containerd_pid "$dir" >/dev/null && answers "$dir"
}

registry_pid() {
  local dir=$1 pid
  pid=$(cat "$dir/registry.pid" 2>/dev/null) || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/registry.yml" || return 1
  echo "$pid"
}

# 200, or 401 when the registry requires a login: either way it serves.
registry_answers() {
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null) || return 1
  [[ $code == 200 || $code == 401 ]]
}

cmd_registry_start() {
  local dir=$1 credentials=${2:-} images pid deadline auth_section="" dest_creds=()
  mkdir -p "$dir"
  dir=$(realpath "$dir")
  images=$(ensure_image)
  if ! registry_pid "$dir" >/dev/null; then
    registry_answers && die "something else already serves $REGISTRY_ADDR"
    mkdir -p "$dir/storage"
    if [[ -n $credentials ]]; then
      # docker-registry takes bcrypt htpasswd entries; libxcrypt makes them.
      python3 -c 'import crypt, sys; u, p = sys.argv[1].split(":", 1); print(u + ":" + crypt.crypt(p, crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
        "$credentials" 2>/dev/null >"$dir/htpasswd" || die "cannot write $dir/htpasswd"
      auth_section=$(printf 'auth:\n  htpasswd:\n    realm: fleetset-test\n    path: %s\n' "$dir/htpasswd")
    fi
    cat >"$dir/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
$auth_section
EOF
    pid=$(spawn_daemon "$dir/registry.log" docker-registry serve "$dir/registry.yml")
    echo "$pid" >"$dir/registry.pid"
    deadline=$((SECONDS + 15))
    until registry_answers; do
      alive "$pid" || die "docker-registry exited; log: $dir/registry.log"
      ((SECONDS < deadline)) || die "docker-registry did not answer within 15s"
      sleep 0.05
    done
  fi
  [[ -n $credentials ]] && dest_creds=(--dest-creds "$credentials")
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false "${dest_creds[@]}" \
    "oci:$images/layout:${TEST_IMAGE}" "docker://${REGISTRY_IMAGE}" >&2
  echo "$REGISTRY_IMAGE"
}

cmd_registry_stop() {
  local dir=$1 pid
  [[ -d $dir ]] || return 0
  dir=$(realpath "$dir")
  if pid=$(registry_pid "$dir"); then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 100
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 100
  fi
  rm -f "$dir/registry.pid"
}

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
  image)
    need_root
    ensure_image
    ;;
  names)
    echo "test_image=$TEST_IMAGE"
    echo "pause_image=$PAUSE_IMAGE"
    echo "other_image=$OTHER_IMAGE"
    echo "registry_image=$REGISTRY_IMAGE"
    ;;
  registry-start)
    [[ ($# -eq 1 || $# -eq 2) && -n $1 ]] || usage
    need_root
    cmd_registry_start "$@"
    ;;
  start | stop | status | registry-stop)
    [[ $# -eq 1 && -n $1 ]] || usage
    need_root
    "cmd_${cmd//-/_}" "$1"
    ;;
  *) usage ;;
  esac
}

main "$@"
