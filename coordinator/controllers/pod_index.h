// The DaemonSet controller's view of the pods agents report: only what
// rollouts and status need (ReportedPod), indexed by owner and node. Fed by
// a watch on the pod registry; changes queue up on the store's thread and
// are applied by the controller's own pass, so the index has one owner and
// no lock is held while the pass reads it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/controllers/node_daemon_set_state.h"
#include "coordinator/registry/registry.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::coordinator {

// The parts of a reported pod the controllers use.
ReportedPod ToReportedPod(const v1::Pod& pod);

// Whether a DaemonSet's controller counts the pod: not a static pod, which
// no DaemonSet owns, nor one on its way out (stop-first replacement,
// eviction), as Kubernetes' controller ignores terminating pods.
bool CountedPod(const v1::Pod& pod);

class PodIndex {
 public:
  // node name -> that node's pods of one owner.
  using PodsByNode = std::map<std::string, std::vector<ReportedPod>>;

  // Watches `pods`, queueing the current ones before it returns;
  // `on_change` runs (on the store's thread) after each queued change. The
  // pass's thread only, as Stop.
  void Start(const Registry<v1::Pod>& pods, std::function<void()> on_change);
  // Ends the watch and forgets every pod, queued or indexed.
  void Stop();
  bool Watching() const { return watch_ != nullptr; }

  // An owner ("namespace/name") and a node whose pods of that owner
  // changed.
  using Touched = std::pair<std::string, std::string>;
  // Applies the queued changes; the pass's thread only. Returns where the
  // pods changed (repeats possible).
  std::vector<Touched> Drain();
  // The DaemonSet's pods ("namespace/name"), by node; only after Drain and
  // on the pass's thread. Pods on their way out are left out, as
  // Kubernetes' controller ignores terminating pods.
  const PodsByNode& PodsOf(const std::string& owner) const;

 private:
  struct Entry {
    std::string owner;
    std::string node;
    ReportedPod pod;
  };
  struct Change {
    bool deleted = false;
    std::string uid;
    Entry entry;
  };

  // Forgets the pod; notes its owner and node in `touched` when known.
  void Remove(const std::string& uid, std::vector<Touched>& touched);

  std::unique_ptr<storage::WatchHandle> watch_;

  mutable std::mutex mu_;
  std::vector<Change> queued_;

  // The pass's own.
  std::map<std::string, Entry> by_uid_;
  std::map<std::string, PodsByNode> by_owner_;
};

}  // namespace fleetset::coordinator
