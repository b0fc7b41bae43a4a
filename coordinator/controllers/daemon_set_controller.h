// The DaemonSet controller: for every DaemonSet, its revisions (one
// ControllerRevision per distinct template, numbered, pruned to
// revisionHistoryLimit), which revision each node runs (the rollout plan,
// written as NodeAssignments), and its status, from what agents report.
// Level-triggered, as Kubernetes' controller: each pass looks at the whole
// picture in its caches and writes what differs; it owns nothing but those
// caches and the writes it is waiting to see.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/controllers/daemon_set_status.h"
#include "coordinator/controllers/event_recorder.h"
#include "coordinator/controllers/node_state_cache.h"
#include "coordinator/controllers/node_states.h"
#include "coordinator/controllers/node_view_cache.h"
#include "coordinator/controllers/pod_index.h"
#include "coordinator/controllers/revision_objects.h"
#include "coordinator/registry/registries.h"
#include "coordinator/registry/shared_informers.h"
#include "fleetset/clock.h"

namespace fleetset::coordinator {

class DaemonSetController {
 public:
  DaemonSetController(Registries& registries, SharedInformers& informers, EventRecorder& events,
                      const Clock& clock);
  ~DaemonSetController();

  // Adds its handlers to the shared informers (before they start);
  // `on_change` (any thread, must not block) is told whenever something
  // the controller watches changed. Pods are watched from the first pass
  // on (see KeepUp).
  void Start(std::function<void()> on_change);
  void Stop();

  // One pass over every DaemonSet. Returns once its writes are stored,
  // with how soon time alone will change a decision (a ready pod becoming
  // available after minReadySeconds; Kubernetes' enqueueAfter), or nullopt.
  std::optional<std::chrono::milliseconds> SyncOnce();
  // What a coordinator that does not lead does instead of a pass, on the
  // pass's thread: stops watching pods and forgets them. Every pod an agent
  // reports would otherwise be decoded and indexed by every coordinator,
  // for a pass only the leader makes; as Kubernetes' controller managers
  // on standby start their informers only once elected, the first pass
  // after taking over lists the pods instead.
  void KeepUp();

 private:
  // The DaemonSet's revisions (oldest first) after making its template
  // the newest one and pruning; writes what changed.
  std::vector<v1::DaemonSetRevision> SyncRevisions(const v1::DaemonSet& daemon_set,
                                                   const std::string& newest_hash,
                                                   const std::map<std::string, NodeView>& nodes,
                                                   const PodIndex::PodsByNode& pods);
  // Records FailedCreate when nodes should run the DaemonSet's pods but
  // none may be created (a missing PriorityClass), once per distinct
  // reason, as the DaemonSet controller's event for each failed create.
  void RecordFailedCreate(const v1::DaemonSet& daemon_set,
                          const std::vector<NodeDaemonSetState>& nodes);
  void WaitForOwnWrites();

  Registries& registries_;
  EventRecorder& events_;
  const Clock& clock_;

  Informer<v1::DaemonSet>& daemon_sets_;
  Informer<v1::ControllerRevision>& revisions_;
  Informer<v1::Node>& nodes_;
  Informer<v1::NodeAssignments>& assignments_;
  Informer<v1::NodeReport>& reports_;
  Informer<v1::PriorityClass>& priority_classes_;
  PodIndex pods_;
  // Wakes the pass when pods change (Start's `on_change`).
  std::function<void()> on_pods_changed_;
  NodeViewCache node_views_;
  NodeStateCache node_states_;
  // The FailedCreate reason last recorded per DaemonSet (pass thread only).
  std::map<std::string, std::string> failed_create_;

  // Written by this controller and not yet seen in its caches: the next
  // pass waits for them (Kubernetes' controller expectations), so it never
  // plans from a picture older than its own last decision.
  // Raised by the pass's own thread and by the store's (as background
  // writes complete).
  std::atomic<storage::Revision> expected_assignments_ = 0;
  std::atomic<storage::Revision> expected_revisions_ = 0;
  std::atomic<storage::Revision> expected_daemon_sets_ = 0;
};

}  // namespace fleetset::coordinator
