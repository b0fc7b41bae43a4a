// Container log rotation, as kubelet's container log manager does it: the
// runtime writes each running container's log to one file that would grow
// without bound. When it reaches containerLogMaxSize the agent renames it
// to "<log>.<YYYYMMDD-HHMMSS>" and asks the runtime to reopen the log
// (ReopenContainerLog), which starts a new file under the old name. Older
// rotations are gzip-compressed, all but the newest, which log shippers
// may still be reading; no more than containerLogMaxFiles files are kept,
// the live one included, the oldest going first.
//
// Everything here blocks (file I/O, CRI calls) and runs on the executor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "agent/cri_runtime.h"
#include "fleetset/clock.h"

namespace fleetset::agent {

struct ContainerLogPolicy {
  // A live log this big or bigger is rotated.
  int64_t max_size_bytes = 10 * 1024 * 1024;
  // Files kept per log, the live one included; at least 2.
  int max_files = 5;
};

enum class LogRotation {
  kNotNeeded,
  kRotated,
  // Nothing changed on disk (the runtime refused to reopen, so the file
  // was renamed back, or the file could not be renamed); tried again on
  // the next check.
  kFailed,
};

// The suffix kubelet gives a rotated log, from `now` (UTC).
std::string RotationSuffix(std::chrono::system_clock::time_point now);

// Rotates the live log at `log_path` when it is at least the policy's size.
// `reopen` asks the runtime to reopen the container's log. Errors are
// logged with `container` as the subject.
LogRotation RotateContainerLog(const std::string& container, const std::string& log_path,
                               const ContainerLogPolicy& policy,
                               std::chrono::system_clock::time_point now,
                               const std::function<grpc::Status()>& reopen);

// Writes `path`.gz from `path` (through `path`.gz.tmp, renamed when
// complete, so a crash never leaves a truncated .gz), then removes `path`.
bool CompressLogFile(const std::string& path, std::string* error);

// What one check of every container found and did.
struct ContainerLogCheck {
  int rotations = 0;
  // Bytes of every file under the log directories of the pods checked
  // (live logs, rotations, logs of earlier restarts).
  uint64_t log_bytes = 0;
  // False when the runtime could not list the containers.
  bool listed = false;
};

// One check over the running containers this node's agent manages.
ContainerLogCheck RotateContainerLogs(CriRuntime& runtime, const std::string& node_name,
                                      const ContainerLogPolicy& policy, const Clock& clock);

}  // namespace fleetset::agent
