#include "coordinator/controllers/node_lifecycle_controller.h"

#include <algorithm>
#include <set>

#include "coordinator/controllers/node_conditions.h"
#include "coordinator/timestamps.h"

namespace fleetset::coordinator {

namespace {

const Caller kController = Caller::System("node-lifecycle-controller");

}  // namespace

NodeLifecycleController::NodeLifecycleController(Registries& registries, SharedInformers& informers,
                                                 EventRecorder& events, const Clock& clock,
                                                 std::chrono::milliseconds grace_period)
    : registries_(registries),
      events_(events),
      clock_(clock),
      grace_period_(grace_period),
      nodes_(informers.nodes),
      leases_(informers.node_leases) {}

void NodeLifecycleController::Start(std::function<void()> on_change) {
  nodes_.AddHandler([this, on_change](const WatchEvent<v1::Node>& event) {
    changed_.Note(event.object.metadata().name());
    if (on_change) on_change();
  });
}

std::chrono::milliseconds NodeLifecycleController::LeaseLeft(const v1::Node& node) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const std::string& name = node.metadata().name();
  std::shared_ptr<const v1::Lease> lease = leases_.Get(kNodeLeaseNamespace, name);
  if (lease) {
    first_seen_.erase(name);
    // The later of the lease and the Ready condition, as Kubernetes'
    // probe timestamp: a node the agent hub has just marked Ready again
    // counts from then even if this pass sees the renewal's lease late.
    const auto last_contact =
        std::max(FromTimestamp(lease->spec().renew_time()), ReadyHeartbeat(node));
    return grace_period_ - duration_cast<milliseconds>(clock_.WallNow() - last_contact);
  }
  auto [seen, inserted] = first_seen_.try_emplace(name, clock_.Now());
  return grace_period_ - duration_cast<milliseconds>(clock_.Now() - seen->second);
}

void NodeLifecycleController::SyncTaints(const v1::Node& node) {
  if (UnreachableTaintsInSync(node)) return;
  const auto now = ToTimestamp(clock_.WallNow());
  v1::Node updated = registries_.nodes.GuaranteedUpdate(
      kController, "", node.metadata().name(),
      [&](v1::Node& current) { SyncUnreachableTaints(current, now); });
  expected_nodes_ = std::max(expected_nodes_, ResourceRevision(updated.metadata()));
}

std::optional<std::chrono::milliseconds> NodeLifecycleController::Examine(const v1::Node& node) {
  if (!NodeReady(node)) {
    SyncTaints(node);
    return std::nullopt;
  }
  const std::chrono::milliseconds left = LeaseLeft(node);
  if (left > std::chrono::milliseconds::zero()) {
    SyncTaints(node);
    return left;
  }
  v1::Node lost = node;
  SetReadyCondition(lost, false, ToTimestamp(clock_.WallNow()));
  try {
    lost = registries_.nodes.UpdateStatus(kController, std::move(lost));
  } catch (const ApiError& error) {
    // Changed meanwhile (the agent came back): the next pass looks again.
    if (error.reason() != ApiError::Reason::kConflict) throw;
    return std::nullopt;
  }
  expected_nodes_ = std::max(expected_nodes_, ResourceRevision(lost.metadata()));
  const std::string& name = node.metadata().name();
  events_.Record("node/" + name, "Normal", "NodeNotReady",
                 "Node " + name + " status is now: NodeNotReady");
  SyncTaints(lost);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> NodeLifecycleController::SyncOnce() {
  nodes_.WaitForRevision(expected_nodes_);
  const std::set<std::string> changed = changed_.Take();
  const auto now = clock_.Now();
  if (changed.empty() || now >= next_scan_) {
    const std::optional<std::chrono::milliseconds> next = ScanAll();
    next_scan_ = next ? now + *next : SteadyTime::max();
    return next;
  }
  for (const std::string& name : changed) {
    std::shared_ptr<const v1::Node> node = nodes_.Get("", name);
    if (!node) {
      first_seen_.erase(name);
      continue;
    }
    if (std::optional<std::chrono::milliseconds> left = Examine(*node)) {
      next_scan_ = std::min(next_scan_, now + *left);
    }
  }
  if (next_scan_ == SteadyTime::max()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(next_scan_ - now);
}

std::optional<std::chrono::milliseconds> NodeLifecycleController::ScanAll() {
  std::optional<std::chrono::milliseconds> next;
  for (const auto& node : nodes_.List()) {
    std::optional<std::chrono::milliseconds> left = Examine(*node);
    if (left && (!next || *left < *next)) next = left;
  }
  // Forget nodes that are gone.
  std::erase_if(first_seen_, [&](const auto& entry) { return !nodes_.Get("", entry.first); });
  return next;
}

}  // namespace fleetset::coordinator
