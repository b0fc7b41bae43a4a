// The control loop: node liveness, rollout planning, DaemonSet status and
// each node's desired state.
#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include "coordinator/daemon_set_status.h"
#include "coordinator/fleet.h"
#include "coordinator/revision_history.h"
#include "coordinator/rollout_planner.h"
#include "coordinator/timestamps.h"
#include "fleetset/strings.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

constexpr char kUnreachableTaint[] = "node.kubernetes.io/unreachable";

ReportedPod ToReportedPod(const v1::Pod& pod) {
  ReportedPod reported;
  reported.uid = pod.metadata().uid();
  reported.name = pod.metadata().name();
  reported.revision_hash = pod.revision_hash();
  reported.phase = pod.status().phase();
  for (const v1::PodCondition& condition : pod.status().conditions()) {
    if (condition.type() != "Ready") continue;
    reported.ready = condition.status() == "True";
    if (reported.ready) reported.ready_since = FromTimestamp(condition.last_transition_time());
  }
  for (const v1::ContainerStatus& container : pod.status().container_statuses()) {
    reported.restarts += container.restart_count();
    if (reported.waiting_reason.empty() && container.state().has_waiting()) {
      reported.waiting_reason = container.state().waiting().reason();
      reported.waiting_message = container.state().waiting().message();
    }
  }
  return reported;
}

// "a, b, c and 4 more"
std::string NameList(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  if (names.size() <= kShown) return Join(names, ", ");
  const std::vector<std::string> shown(names.begin(), names.begin() + kShown);
  return Join(shown, ", ") + " and " + std::to_string(names.size() - kShown) + " more";
}

}  // namespace

NodeFacts Fleet::FactsOf(const NodeRecord& node) const {
  NodeFacts facts;
  facts.name = node.stored.node().metadata().name();
  facts.labels = ToLabels(node.stored.node().metadata().labels());
  for (const v1::Taint& taint : node.stored.node().spec().taints()) {
    // The coordinator's own verdict on reachability is not the node's
    // business: the agent never sees it, and it goes when the node returns.
    if (taint.key() != kUnreachableTaint) facts.taints.push_back(taint);
  }
  return facts;
}

NodeDaemonSetState Fleet::StateOf(const DaemonSetRecord& daemon_set, const NodeRecord& node) const {
  const std::string key = DaemonSetKey::Of(daemon_set.object).ToString();
  NodeDaemonSetState state;
  state.node_name = node.stored.node().metadata().name();
  state.node_ready = NodeReady(node.stored.node());
  auto assigned = node.stored.assignments().find(key);
  if (assigned != node.stored.assignments().end()) state.assignment = assigned->second;

  // The node decides; until it has seen the current state (a new DaemonSet,
  // new labels), the coordinator evaluates the same rules itself.
  const v1::Eligibility* reported = nullptr;
  const bool report_current =
      node.report && node.desired && node.report->desired_version() >= node.desired->version();
  if (report_current) {
    for (const v1::Eligibility& eligibility : node.report->eligibility()) {
      if (eligibility.daemon_set() == key) reported = &eligibility;
    }
  }
  if (reported != nullptr) {
    state.eligible = reported->should_run();
    state.should_continue_running = reported->should_continue_running();
    state.reason = reported->reason();
  } else {
    const v1::PodTemplateSpec& pod = daemon_set.object.spec().template_();
    EligibilityDecision decision =
        EvaluateEligibility(pod.spec(), ToLabels(pod.metadata().labels()),
                            daemon_set.object.metadata().namespace_(), FactsOf(node));
    state.eligible = decision.should_run;
    state.should_continue_running = decision.should_continue_running;
    state.reason = decision.reason;
  }
  if (node.report) {
    for (const v1::Pod& pod : node.report->pods()) {
      // A pod on its way out (stop-first replacement, eviction) no longer
      // counts for anything, as Kubernetes ignores terminating pods.
      if (pod.static_pod() || pod.owner() != key || pod.metadata().has_deletion_timestamp()) {
        continue;
      }
      state.pods.push_back(ToReportedPod(pod));
    }
  }
  return state;
}

std::vector<NodeDaemonSetState> Fleet::StatesOf(const DaemonSetRecord& daemon_set) const {
  std::vector<NodeDaemonSetState> states;
  states.reserve(nodes_.size());
  for (const auto& [name, node] : nodes_) states.push_back(StateOf(daemon_set, node));
  return states;
}

void Fleet::SyncOnce() {
  std::lock_guard lock(mu_);
  pending_ = false;
  StoreChange liveness;
  CheckLiveness(liveness);
  // Built once per pass: the planner and the status read the same
  // reports, and planning changes only assignments, which the status does
  // not count.
  StatesByDaemonSet states;
  for (const auto& [key, daemon_set] : daemon_sets_) states[key] = StatesOf(daemon_set);
  StoreChange rollouts;
  PlanRollouts(states, rollouts);
  RefreshStatuses(states);
  PushDesiredStates();
  if (!unsaved_events_.empty()) {
    StoreChange events;
    events.append_events = unsaved_events_;
    if (CommitLocked(events).ok()) unsaved_events_.clear();
  }
}

void Fleet::CheckLiveness(StoreChange& change) {
  const auto now = clock_.Now();
  std::vector<NodeRecord*> lost;
  for (auto& [name, node] : nodes_) {
    if (!NodeReady(node.stored.node())) continue;
    if (now - node.last_contact <= options_.node_grace_period) continue;
    lost.push_back(&node);
    v1::StoredNode& updated = change.put_nodes.emplace_back(node.stored);
    SetReadyCondition(*updated.mutable_node(), false);
  }
  if (lost.empty() || !CommitLocked(change).ok()) return;
  for (size_t i = 0; i < lost.size(); ++i) {
    NodeRecord& node = *lost[i];
    node.stored = change.put_nodes[i];
    const std::string& name = node.stored.node().metadata().name();
    RecordEvent(MakeEvent("node/" + name, "Normal", "NodeNotReady",
                          "Node " + name + " status is now: NodeNotReady"));
    PublishNode("MODIFIED", node);
  }
}

void Fleet::PlanRollouts(StatesByDaemonSet& states, StoreChange& change) {
  std::map<std::string, v1::StoredNode> updated;
  auto updated_node = [&](NodeRecord& node) -> v1::StoredNode& {
    auto [it, inserted] = updated.try_emplace(node.stored.node().metadata().name(), node.stored);
    return it->second;
  };
  for (auto& [key, daemon_set] : daemon_sets_) {
    RolloutInput input;
    input.strategy = daemon_set.object.spec().update_strategy();
    input.newest_hash = daemon_set.newest_hash;
    input.min_ready_seconds = daemon_set.object.spec().min_ready_seconds();
    input.now = WallNow();
    input.nodes = std::move(states[key]);
    std::vector<std::string> moved;
    for (auto& [node_name, assignment] : PlanRollout(input)) {
      NodeRecord& node = nodes_.at(node_name);
      auto old = node.stored.assignments().find(key.ToString());
      if (old != node.stored.assignments().end() &&
          old->second.revision_hash() != assignment.revision_hash()) {
        moved.push_back(node_name);
      }
      (*updated_node(node).mutable_assignments())[key.ToString()] = assignment;
    }
    // Operator-deleted pods are forgotten once their node stops reporting them.
    for (const NodeDaemonSetState& state : input.nodes) {
      if (!state.assignment || state.assignment->deleted_pod_uids().empty()) continue;
      NodeRecord& node = nodes_.at(state.node_name);
      if (!node.report) continue;
      v1::NodeAssignment& assignment = (*updated_node(node).mutable_assignments())[key.ToString()];
      auto* uids = assignment.mutable_deleted_pod_uids();
      uids->erase(std::remove_if(uids->begin(), uids->end(),
                                 [&](const std::string& uid) {
                                   for (const ReportedPod& pod : state.pods) {
                                     if (pod.uid == uid) return false;
                                   }
                                   return true;
                                 }),
                  uids->end());
    }
    if (!moved.empty()) {
      const v1::DaemonSetRevision* revision =
          FindRevisionByHash(daemon_set.revisions, daemon_set.newest_hash);
      RecordEvent(MakeEvent("daemonset/" + key.ToString(), "Normal", "RollingUpdate",
                            "Updating " + NameList(moved) + " to revision " +
                                std::to_string(revision ? revision->revision() : 0)));
    }
    states[key] = std::move(input.nodes);
  }
  // Only records that really changed are written.
  for (auto& [name, stored] : updated) {
    if (!MessageDifferencer::Equals(stored, nodes_.at(name).stored)) {
      change.put_nodes.push_back(stored);
    }
  }
  if (change.put_nodes.empty() || !CommitLocked(change).ok()) return;
  for (v1::StoredNode& stored : change.put_nodes) {
    NodeRecord& node = nodes_.at(stored.node().metadata().name());
    node.stored = std::move(stored);
    node.desired_dirty = true;
  }
}

void Fleet::RefreshStatuses(const StatesByDaemonSet& states) {
  const WallTime now = WallNow();
  for (auto& [key, daemon_set] : daemon_sets_) {
    v1::DaemonSetStatus status =
        ComputeDaemonSetStatus(daemon_set.object, daemon_set.newest_hash, now, states.at(key));
    if (MessageDifferencer::Equals(status, daemon_set.status)) continue;
    daemon_set.status = std::move(status);
    PublishDaemonSet("MODIFIED", daemon_set);
  }
}

void Fleet::PushDesiredStates() {
  for (auto& [name, node] : nodes_) {
    if (node.desired_dirty && node.outbox) OfferIfChanged(node);
  }
}

v1::DesiredState Fleet::BuildDesiredState(const NodeRecord& node) const {
  v1::DesiredState built;
  v1::DesiredState* state = &built;
  const v1::Node& record = node.stored.node();
  v1::NodeUpdate& update = *state->mutable_node();
  *update.mutable_labels() = record.metadata().labels();
  for (const v1::Taint& taint : FactsOf(node).taints) *update.add_taints() = taint;
  update.set_unschedulable(record.spec().unschedulable());
  for (const auto& [key, daemon_set] : daemon_sets_) {
    v1::NodeAssignment assignment;
    auto assigned = node.stored.assignments().find(key.ToString());
    if (assigned != node.stored.assignments().end()) assignment = assigned->second;
    const v1::DaemonSetRevision* revision =
        FindRevisionByHash(daemon_set.revisions, assignment.revision_hash());
    // A node not assigned yet (new node, new DaemonSet) starts on the newest.
    if (revision == nullptr) {
      revision = FindRevisionByHash(daemon_set.revisions, daemon_set.newest_hash);
      assignment.set_surge(false);
    }
    if (revision == nullptr) continue;
    v1::DesiredDaemonSet& desired = *state->add_daemon_sets();
    v1::ObjectMeta& meta = *desired.mutable_metadata();
    meta.set_name(key.name);
    meta.set_namespace_(key.namespace_);
    meta.set_uid(daemon_set.object.metadata().uid());
    meta.set_generation(daemon_set.object.metadata().generation());
    *desired.mutable_template_() = revision->template_();
    desired.set_revision_hash(revision->hash());
    desired.set_revision(revision->revision());
    desired.set_surge(assignment.surge());
    desired.set_min_ready_seconds(daemon_set.object.spec().min_ready_seconds());
    *desired.mutable_deleted_pod_uids() = assignment.deleted_pod_uids();
  }
  return built;
}

void Fleet::OfferIfChanged(NodeRecord& node) {
  node.desired_dirty = false;
  if (!node.outbox) return;
  v1::DesiredState built = BuildDesiredState(node);
  if (node.desired) {
    v1::DesiredState previous = *node.desired;
    previous.set_version(0);
    if (MessageDifferencer::Equals(previous, built)) return;
  }
  auto versioned = std::make_shared<v1::DesiredState>(std::move(built));
  versioned->set_version(NextDesiredVersion());
  node.desired = versioned;
  node.outbox->Offer(node.desired);
}

}  // namespace fleetset::coordinator
