// Pod log garbage collection: a pod's log directory
// (<pod-log-root>/<ns>_<pod>_<uid>, written by the runtime) goes when the
// pod is removed for good, as kubelet removes it; recreating a pod's
// sandbox keeps it.
//
// Removing a directory needs proof that it is this agent's. For a pod
// being terminated the proof is the pod itself: its sandboxes carried this
// agent's labels. After a crash or a restart the agent may no longer know
// a pod whose directory is left, and /var/log/pods is shared with anything
// else on the host that runs pods (a kubelet, another agent), so a name
// that looks like a pod's proves nothing. The agent therefore keeps a
// ledger under its root dir: every pod log directory it is about to have
// created is recorded before the sandbox is asked for. At start-up a
// recorded directory goes when no sandbox labelled as this agent's
// (fleetset.io/managed-by) carries the pod's UID; a directory the ledger
// does not hold is never touched. Entries go with their directories.
//
// The ledger is a directory holding one file per pod (named by the pod's
// UID, holding the log directory's path), so pod workers record and remove
// their own pods' entries side by side with no lock and no shared state.
// Everything here does file I/O or CRI calls: executor threads, or
// start-up before the loop runs.
#pragma once

#include <map>
#include <string>

#include "agent/cri_runtime.h"

namespace fleetset::agent {

class PodLogLedger {
 public:
  explicit PodLogLedger(std::string directory);

  // Records that pod `uid` has its logs in `log_directory`. Idempotent;
  // false, with the reason in `error`, when the entry cannot be written.
  bool Record(const std::string& uid, const std::string& log_directory, std::string* error) const;
  // Removes the pod's log directories (the recorded one and `known`, which
  // may be empty), then its entry. False (logged) when a directory could
  // not be removed: the entry stays for another try.
  bool RemovePodLogs(const std::string& uid, const std::string& known = "") const;
  // Every entry: the log directory by pod UID.
  std::map<std::string, std::string> Entries() const;

  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
};

// Start-up: removes the recorded log directories of pods no sandbox of this
// agent carries any more. Removes nothing when the runtime cannot list its
// sandboxes. Returns how many pods' directories went.
int CleanUpStalePodLogs(CriRuntime& runtime, const PodLogLedger& ledger);

}  // namespace fleetset::agent
