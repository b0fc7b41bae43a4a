#include "coordinator/controllers/daemon_set_controller.h"

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <set>

#include "coordinator/controllers/pod_priority.h"
#include "coordinator/controllers/revision_history.h"
#include "coordinator/controllers/rollout_planner.h"
#include "coordinator/repeated_fields.h"
#include "coordinator/timestamps.h"
#include "fleetset/revision.h"
#include "fleetset/strings.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

const Caller kController = Caller::System("daemonset-controller");
constexpr int32_t kDefaultRevisionHistoryLimit = 10;

// "a, b, c and 4 more"
std::string NameList(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  if (names.size() <= kShown) return Join(names, ", ");
  const std::vector<std::string> shown(names.begin(), names.begin() + kShown);
  return Join(shown, ", ") + " and " + std::to_string(names.size() - kShown) + " more";
}

void RaiseTo(std::atomic<storage::Revision>& newest, storage::Revision revision) {
  storage::Revision seen = newest.load();
  while (seen < revision && !newest.compare_exchange_weak(seen, revision)) {
  }
}

// Counts the writes of one pass and the newest revision they made, so the
// pass can end when they are stored and the next one wait to see them.
class PassWrites {
 public:
  template <typename T>
  typename Registry<T>::WriteDone Track(std::atomic<storage::Revision>* newest) {
    std::lock_guard counting(mu_);
    ++in_flight_;
    return [this, newest](const typename Registry<T>::WriteResult& result) {
      if (result.error) spdlog::warn("daemonset-controller: {}", result.error->what());
      RaiseTo(*newest, result.revision);
      std::lock_guard lock(mu_);
      if (--in_flight_ == 0) done_.notify_all();
    };
  }
  void Wait() {
    std::unique_lock lock(mu_);
    done_.wait(lock, [this] { return in_flight_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable done_;
  int in_flight_ = 0;
};

// The revisions of DaemonSet `key` that nodes are assigned or run.
std::set<std::string> RevisionsInUse(const std::string& key,
                                     const std::map<std::string, NodeView>& nodes,
                                     const PodIndex::PodsByNode& pods) {
  std::set<std::string> in_use;
  for (const auto& [name, view] : nodes) {
    if (!view.assignments) continue;
    auto it = view.assignments->assignments().find(key);
    if (it != view.assignments->assignments().end()) in_use.insert(it->second.revision_hash());
  }
  // A node never assigned one runs its pod's revision (as Kubernetes keeps
  // the revisions live pods run).
  for (const auto& [node, on_node] : pods) {
    for (const ReportedPod& pod : on_node) in_use.insert(pod.revision_hash);
  }
  return in_use;
}

}  // namespace

DaemonSetController::DaemonSetController(Registries& registries, SharedInformers& informers,
                                         EventRecorder& events, const Clock& clock)
    : registries_(registries),
      events_(events),
      clock_(clock),
      daemon_sets_(informers.daemon_sets),
      revisions_(informers.controller_revisions),
      nodes_(informers.nodes),
      assignments_(informers.node_assignments),
      reports_(informers.node_reports),
      priority_classes_(informers.priority_classes),
      node_views_(nodes_, assignments_, reports_) {}

DaemonSetController::~DaemonSetController() { Stop(); }

void DaemonSetController::Start(std::function<void()> on_change) {
  auto wake = [on_change](const auto&) {
    if (on_change) on_change();
  };
  // Node assignments and reports are named after their node.
  auto node_changed = [this, wake](const auto& event) {
    node_views_.Changed(event.object.metadata().name());
    wake(event);
  };
  daemon_sets_.AddHandler(wake);
  revisions_.AddHandler(wake);
  nodes_.AddHandler(node_changed);
  assignments_.AddHandler(node_changed);
  reports_.AddHandler(node_changed);
  priority_classes_.AddHandler(wake);
  on_pods_changed_ = std::move(on_change);
}

void DaemonSetController::Stop() { pods_.Stop(); }

void DaemonSetController::KeepUp() {
  pods_.Stop();
  // The kept states hold pods the index no longer follows.
  node_states_.Clear();
}

void DaemonSetController::WaitForOwnWrites() {
  assignments_.WaitForRevision(expected_assignments_);
  revisions_.WaitForRevision(expected_revisions_);
  daemon_sets_.WaitForRevision(expected_daemon_sets_);
}

void DaemonSetController::RecordFailedCreate(const v1::DaemonSet& daemon_set,
                                             const std::vector<NodeDaemonSetState>& nodes) {
  const std::string key = OwnerKeyOf(daemon_set);
  const PodPriority priority =
      ResolvePodPriority(daemon_set.spec().template_().spec(), priority_classes_.List(),
                         daemon_set.metadata().name() + "-");
  const bool wanted = std::any_of(nodes.begin(), nodes.end(), [](const NodeDaemonSetState& node) {
    return node.eligible && node.pods.empty();
  });
  if (priority.refusal.empty() || !wanted) {
    failed_create_.erase(key);
    return;
  }
  std::string& recorded = failed_create_[key];
  if (recorded == priority.refusal) return;
  recorded = priority.refusal;
  events_.Record("daemonset/" + key, "Warning", "FailedCreate", "Error creating: " + recorded);
}

std::vector<v1::DaemonSetRevision> DaemonSetController::SyncRevisions(
    const v1::DaemonSet& daemon_set, const std::string& newest_hash,
    const std::map<std::string, NodeView>& nodes, const PodIndex::PodsByNode& pods) {
  const std::vector<v1::DaemonSetRevision> stored = RevisionsOwnedBy(daemon_set, revisions_.List());
  std::vector<v1::DaemonSetRevision> revisions = stored;
  const std::string previous_newest = revisions.empty() ? "" : revisions.back().hash();
  RecordTemplate(revisions, daemon_set.spec().template_(), ChangeCause(daemon_set.metadata()),
                 ToTimestamp(clock_.WallNow()));
  const std::string key = OwnerKeyOf(daemon_set);
  const int32_t history_limit = daemon_set.spec().has_revision_history_limit()
                                    ? daemon_set.spec().revision_history_limit()
                                    : kDefaultRevisionHistoryLimit;
  // Most passes have no more old revisions than the limit keeps; only when
  // some could go are the revisions in use collected, a look at every node.
  std::vector<int64_t> dropped;
  if (OverHistoryLimit(revisions, history_limit)) {
    dropped = PruneRevisions(revisions, history_limit, RevisionsInUse(key, nodes, pods));
  }

  auto& registry = registries_.controller_revisions;
  auto remember = [this](const v1::ControllerRevision& written) {
    RaiseTo(expected_revisions_, ResourceRevision(written.metadata()));
  };
  for (const v1::DaemonSetRevision& revision : revisions) {
    const v1::DaemonSetRevision* old = FindRevisionByHash(stored, revision.hash());
    if (old != nullptr && old->revision() == revision.revision() &&
        old->change_cause() == revision.change_cause()) {
      continue;
    }
    v1::ControllerRevision object = ToControllerRevision(daemon_set, revision);
    if (old == nullptr) {
      remember(registry.Create(kController, std::move(object)));
    } else {
      remember(registry.GuaranteedUpdate(
          kController, object.metadata().namespace_(), object.metadata().name(),
          [&](v1::ControllerRevision& current) {
            current.set_revision(object.revision());
            *current.mutable_metadata()->mutable_annotations() = object.metadata().annotations();
          }));
    }
  }
  for (int64_t number : dropped) {
    const v1::DaemonSetRevision* old = FindRevision(stored, number);
    if (old == nullptr) continue;
    const v1::ControllerRevision object = ToControllerRevision(daemon_set, *old);
    remember(
        registry.Delete(kController, object.metadata().namespace_(), object.metadata().name()));
  }
  if (!previous_newest.empty() && previous_newest != newest_hash) {
    const v1::DaemonSetRevision* revision = FindRevisionByHash(revisions, newest_hash);
    events_.Record(
        "daemonset/" + key, "Normal", "RollingUpdate",
        "Rolling out revision " + std::to_string(revision->revision()) + " (" + newest_hash + ")");
  }
  return revisions;
}

std::optional<std::chrono::milliseconds> DaemonSetController::SyncOnce() {
  WaitForOwnWrites();
  // The watch hands over the current pods before it returns: the Drain
  // below has them all.
  if (!pods_.Watching()) pods_.Start(registries_.pods, on_pods_changed_);
  for (const auto& [owner, node] : pods_.Drain()) node_states_.PodsChanged(owner, node);
  const std::map<std::string, NodeView>& nodes = node_views_.Refresh();
  const WallTime now = clock_.WallNow();
  PassWrites writes;
  std::optional<WallTime> next_available;

  // Nodes whose assignments change, copied from the cache on first touch.
  std::map<std::string, v1::NodeAssignments> updated;
  auto touch = [&](const std::string& node_name) -> v1::NodeAssignments& {
    auto [it, inserted] = updated.try_emplace(node_name);
    if (inserted) {
      const NodeView& view = nodes.at(node_name);
      if (view.assignments) {
        it->second = *view.assignments;
      } else {
        it->second.mutable_metadata()->set_name(node_name);
      }
    }
    return it->second;
  };

  std::set<std::string> live;
  std::set<std::string> live_uids;
  for (const auto& daemon_set : daemon_sets_.List()) {
    const std::string key = OwnerKeyOf(*daemon_set);
    live.insert(key);
    live_uids.insert(daemon_set->metadata().uid());
    const std::string newest_hash = PodTemplateHash(daemon_set->spec().template_());
    const PodIndex::PodsByNode& pods = pods_.PodsOf(key);
    const std::vector<v1::DaemonSetRevision> revisions =
        SyncRevisions(*daemon_set, newest_hash, nodes, pods);

    RolloutInput input;
    input.strategy = daemon_set->spec().update_strategy();
    input.newest_hash = newest_hash;
    input.min_ready_seconds = daemon_set->spec().min_ready_seconds();
    input.now = now;
    input.nodes = node_states_.Take(*daemon_set, key, nodes, pods);
    RecordFailedCreate(*daemon_set, input.nodes);

    std::vector<std::string> moved;
    for (auto& [node_name, assignment] : PlanRollout(input)) {
      const NodeView& view = nodes.at(node_name);
      if (view.assignments) {
        auto old = view.assignments->assignments().find(key);
        if (old != view.assignments->assignments().end() &&
            old->second.revision_hash() != assignment.revision_hash()) {
          moved.push_back(node_name);
        }
      }
      (*touch(node_name).mutable_assignments())[key] = assignment;
    }
    // Operator-deleted pods are forgotten once their node stops reporting them.
    for (const NodeDaemonSetState& state : input.nodes) {
      if (!state.assignment || state.assignment->deleted_pod_uids().empty()) continue;
      if (!nodes.at(state.node_name).report) continue;
      v1::NodeAssignment& assignment = (*touch(state.node_name).mutable_assignments())[key];
      EraseIf(*assignment.mutable_deleted_pod_uids(), [&](const std::string& uid) {
        return std::none_of(state.pods.begin(), state.pods.end(),
                            [&](const ReportedPod& pod) { return pod.uid == uid; });
      });
    }
    if (!moved.empty()) {
      const v1::DaemonSetRevision* revision = FindRevisionByHash(revisions, newest_hash);
      events_.Record("daemonset/" + key, "Normal", "RollingUpdate",
                     "Updating " + NameList(moved) + " to revision " +
                         std::to_string(revision ? revision->revision() : 0));
    }

    for (const NodeDaemonSetState& state : input.nodes) {
      for (const ReportedPod& pod : state.pods) {
        const std::optional<WallTime> at = AvailableAt(pod, input.min_ready_seconds, now);
        if (at && (!next_available || *at < *next_available)) next_available = at;
      }
    }
    v1::DaemonSetStatus status = ComputeDaemonSetStatus(*daemon_set, newest_hash, now, input.nodes);
    if (!MessageDifferencer::Equals(status, daemon_set->status())) {
      v1::DaemonSet with_status = *daemon_set;
      *with_status.mutable_status() = std::move(status);
      registries_.daemon_sets.UpdateAsync(kController, std::move(with_status), /*status=*/true,
                                          writes.Track<v1::DaemonSet>(&expected_daemon_sets_),
                                          daemon_set.get());
    }
    node_states_.Give(key, std::move(input.nodes));
  }
  node_states_.Retain(live);

  std::erase_if(failed_create_, [&](const auto& entry) { return live.count(entry.first) == 0; });
  // What the DaemonSets that are gone left behind: their revisions (as
  // Kubernetes' garbage collector deletes what an owner owned) and their
  // entries in node assignments.
  for (const auto& revision : revisions_.List()) {
    const auto& owners = revision->metadata().owner_references();
    const bool owned = std::any_of(
        owners.begin(), owners.end(),
        [&](const v1::OwnerReference& owner) { return live_uids.count(owner.uid()) != 0; });
    if (owned) continue;
    registries_.controller_revisions.DeleteAsync(
        kController, revision->metadata().namespace_(), revision->metadata().name(),
        writes.Track<v1::ControllerRevision>(&expected_revisions_));
  }
  for (const auto& [name, view] : nodes) {
    if (!view.assignments) continue;
    for (const auto& [key, assignment] : view.assignments->assignments()) {
      if (live.count(key) == 0) touch(name).mutable_assignments()->erase(key);
    }
  }
  for (const std::string& name : node_views_.AssignedButGone()) {
    registries_.node_assignments.DeleteAsync(
        kController, "", name, writes.Track<v1::NodeAssignments>(&expected_assignments_));
  }
  for (auto& [name, assignments] : updated) {
    const NodeView& view = nodes.at(name);
    if (view.assignments && MessageDifferencer::Equals(assignments, *view.assignments)) continue;
    registries_.node_assignments.UpdateAsync(
        kController, std::move(assignments), /*status=*/false,
        writes.Track<v1::NodeAssignments>(&expected_assignments_), view.assignments.get());
  }
  writes.Wait();
  if (!next_available) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(*next_available - now);
}

}  // namespace fleetset::coordinator
