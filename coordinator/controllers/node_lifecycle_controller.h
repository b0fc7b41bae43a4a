// The node lifecycle controller (kube-controller-manager's): a node whose
// lease has not been renewed for the grace period becomes NotReady
// (condition Ready=Unknown), and a node's node.kubernetes.io/unreachable
// taints (NoSchedule and NoExecute) follow its Ready condition. A node
// with no lease yet (this coordinator just started) is given the grace
// period from the moment the controller first saw it: a node is not lost
// for the time the coordinator itself was down.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "coordinator/controllers/changed_names.h"
#include "coordinator/controllers/event_recorder.h"
#include "coordinator/registry/registries.h"
#include "coordinator/registry/shared_informers.h"
#include "fleetset/clock.h"

namespace fleetset::coordinator {

class NodeLifecycleController {
 public:
  // `grace_period`: kube-controller-manager's --node-monitor-grace-period.
  NodeLifecycleController(Registries& registries, SharedInformers& informers, EventRecorder& events,
                          const Clock& clock, std::chrono::milliseconds grace_period);

  // Adds its handler to the shared informers (before they start).
  void Start(std::function<void()> on_change);
  // One pass; returns how soon the next lease of a Ready node runs out if
  // nobody renews it (when the next pass is due), or nullopt when no node
  // is Ready. A pass looks at every node when one's lease may have run out
  // by now, or when no node changed since the last pass (woken by time);
  // otherwise only at the nodes that changed. Nodes register by the
  // thousand when a fleet or coordinator starts, each a change that wakes
  // the pass: looking at all of them each time cost the leader a quarter
  // of a core at 10,000 nodes.
  std::optional<std::chrono::milliseconds> SyncOnce();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Marks the node NotReady when its lease ran out and syncs its taints;
  // returns how long its lease has left when it is Ready.
  std::optional<std::chrono::milliseconds> Examine(const v1::Node& node);
  // Examines every node; returns the least lease left.
  std::optional<std::chrono::milliseconds> ScanAll();
  // How long until the node's lease runs out; zero or less: it has.
  std::chrono::milliseconds LeaseLeft(const v1::Node& node);
  void SyncTaints(const v1::Node& node);

  Registries& registries_;
  EventRecorder& events_;
  const Clock& clock_;
  const std::chrono::milliseconds grace_period_;

  Informer<v1::Node>& nodes_;
  Informer<v1::Lease>& leases_;
  // The pass's own: when each node without a lease was first seen.
  std::map<std::string, std::chrono::steady_clock::time_point> first_seen_;
  storage::Revision expected_nodes_ = 0;
  // The pass's own: when the soonest lease seen runs out (a whole scan is
  // due then); the first pass scans.
  SteadyTime next_scan_ = SteadyTime::min();

  // Nodes changed since the last pass; the informer's handler notes them.
  ChangedNames changed_;
};

}  // namespace fleetset::coordinator
