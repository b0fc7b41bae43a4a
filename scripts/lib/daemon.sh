# Starting and watching background daemons from bash; sourced by
# scripts/quickstart.sh and tests/env/containerd-env.sh.

# Starts a daemon in its own session, with stdin from /dev/null, output
# appended to LOG and every other inherited descriptor closed: callers (test
# programs in particular) often leak pipe ends without close-on-exec, and a
# daemon holding one keeps the caller waiting for EOF forever. Prints the
# daemon's pid (the subshell execs setsid, which execs the daemon).
spawn_daemon() {
  local log=$1
  shift
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done 2>/dev/null
    exec setsid "$@" >>"$log" 2>&1 </dev/null
  ) &
  echo $!
}

# True while PID runs. A dead daemon stays a zombie until PID 1 reaps it,
# which can take a second here, so zombies count as gone.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != [ZX] ]]
}
