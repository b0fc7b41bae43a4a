#include "agent/reconciler.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <set>

#include "fleetset/desired_eligibility.h"
#include "fleetset/labels.h"
#include "fleetset/node_labels.h"

namespace fleetset::agent {

namespace {

// UIDs of the pods the operator deleted, for the coordinator's DaemonSet
// `owner` (static manifests have none).
std::set<std::string> DeletedPodUids(const std::optional<v1::DesiredState>& state,
                                     const PodOwner& owner) {
  std::set<std::string> uids;
  if (!state) return uids;
  for (const v1::DesiredDaemonSet& desired : state->daemon_sets()) {
    if (PodOwner::DaemonSet(desired.metadata()) == owner) {
      uids.insert(desired.deleted_pod_uids().begin(), desired.deleted_pod_uids().end());
    }
  }
  return uids;
}

}  // namespace

Reconciler::Reconciler(const PodWorkerDeps& deps, const ReconcilerOptions& options,
                       TimerFactory& timers)
    : deps_(deps), options_(options), timer_(timers.MakeTimer()) {}

Reconciler::~Reconciler() { Stop(); }

void Reconciler::SetLocalNodeFacts(const NodeFacts& facts) {
  local_node_ = facts;
  Decide();
}

void Reconciler::SetCoordinatorState(const v1::DesiredState& state) {
  coordinator_state_ = state;
  objects_ = PodObjects::From(state);
  Decide();
}

void Reconciler::SetStaticWorkloads(std::vector<Workload> workloads,
                                    std::vector<v1::ManifestProblem> problems) {
  static_workloads_ = std::move(workloads);
  manifest_problems_ = std::move(problems);
  Decide();
  NotifyChanged();
}

void Reconciler::Start() {
  stopped_ = false;
  Relist();
}

void Reconciler::Stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_->Cancel();
}

void Reconciler::ScheduleTick(std::chrono::milliseconds after) {
  if (stopped_) return;
  timer_->Arm(after, [this] { Relist(); });
}

void Reconciler::Relist() {
  if (stopped_) return;
  if (relisting_) {
    relist_again_ = true;
    return;
  }
  relisting_ = true;
  const uint64_t seq = ++relists_started_;
  deps_.executor->Post(
      [this, runtime = deps_.runtime, loop = deps_.loop, alive = std::weak_ptr<bool>(alive_), seq] {
        auto snapshot = std::make_shared<RuntimeSnapshot>();
        grpc::Status status = runtime->ListPods(snapshot.get());
        // `this` is used on the loop only, and only while the reconciler lives.
        boost::asio::post(*loop, [this, alive, status, snapshot, seq] {
          if (!alive.expired()) OnRelisted(status, snapshot, seq);
        });
      });
}

void Reconciler::OnRelisted(grpc::Status status, std::shared_ptr<RuntimeSnapshot> snapshot,
                            uint64_t seq) {
  relisting_ = false;
  if (stopped_) return;
  if (!status.ok()) {
    // The runtime being down changes nothing we run; try again next period.
    spdlog::warn("relist failed: {}", status.error_message());
  } else {
    snapshot_ = std::move(snapshot);
    snapshot_seq_ = seq;
    synced_ = true;
    // Pods found in the runtime that no worker knows: left by an earlier
    // run of the agent. Adopt them; Decide() keeps or removes them.
    for (const auto& [uid, sandboxes] : snapshot_->pods) {
      if (slots_.count(uid) != 0 || sandboxes.empty()) continue;
      Slot slot;
      slot.worker = std::make_unique<PodWorker>(deps_, sandboxes.back());
      spdlog::info("adopting pod {}/{} ({}) found in the runtime",
                   sandboxes.back().sandbox.metadata().namespace_(),
                   sandboxes.back().sandbox.metadata().name(), uid);
      slots_.emplace(uid, std::move(slot));
    }
    Decide();
  }
  if (relist_again_) {
    relist_again_ = false;
    Relist();
  } else {
    ScheduleTick(options_.sync_period);
  }
}

NodeFacts Reconciler::EffectiveNode() const {
  if (!coordinator_state_ || !coordinator_state_->has_node()) return local_node_;
  // Once registered, the coordinator's record of the node (labels and
  // taints edited with fleetsetctl) is the truth; the well-known labels
  // the agent discovers are always its own.
  NodeFacts node = NodeFactsOf(local_node_.name, coordinator_state_->node());
  CopyAgentOwnedLabels(local_node_.labels, node.labels);
  return node;
}

std::vector<Workload> Reconciler::AllWorkloads() const {
  std::vector<Workload> workloads = static_workloads_;
  if (coordinator_state_) {
    for (const v1::DesiredDaemonSet& desired : coordinator_state_->daemon_sets()) {
      Workload workload;
      workload.owner = PodOwner::DaemonSet(desired.metadata());
      workload.template_spec = desired.template_();
      workload.revision_hash = desired.revision_hash();
      workload.revision = desired.revision();
      workload.surge = desired.surge();
      workload.min_ready_seconds = desired.min_ready_seconds();
      workload.priority = desired.priority();
      workload.pod_create_error = desired.pod_create_error();
      workloads.push_back(std::move(workload));
    }
  }
  return workloads;
}

std::set<std::string> Reconciler::NeededImages() const {
  std::set<std::string> images;
  for (const Workload& workload : AllWorkloads()) {
    const v1::PodSpec& spec = workload.template_spec.spec();
    for (const v1::Container& container : spec.init_containers()) images.insert(container.image());
    for (const v1::Container& container : spec.containers()) images.insert(container.image());
  }
  return images;
}

std::vector<PodOnNode> Reconciler::OtherPods(const PodOwner& owner) const {
  std::vector<PodOnNode> pods;
  for (const auto& [uid, slot] : slots_) {
    if (slot.worker->owner() == owner || slot.terminate_reason) continue;
    Labels labels;
    for (const auto& [key, value] : slot.worker->PodTemplateLabels()) labels[key] = value;
    pods.push_back({slot.worker->owner().namespace_, slot.worker->name(), labels});
  }
  return pods;
}

void Reconciler::RequestTermination(Slot& slot, const std::string& reason) {
  if (slot.terminate_reason) return;
  slot.terminate_reason = reason;
  spdlog::info("pod {}/{}: will be removed: {}", slot.worker->owner().namespace_,
               slot.worker->name(), reason);
}

void Reconciler::Spawn(const Workload& workload) {
  auto worker = std::make_unique<PodWorker>(deps_, workload);
  spdlog::info("pod {}/{}: creating for {} revision {}", workload.owner.namespace_, worker->name(),
               workload.owner.Key(), workload.revision_hash);
  const std::string uid = worker->uid();
  Slot slot;
  slot.worker = std::move(worker);
  slots_.emplace(uid, std::move(slot));
}

void Reconciler::DecideWorkload(const Workload& workload, const NodeFacts& node) {
  const PodOwner& owner = workload.owner;
  const std::string key = owner.Key();
  Labels pod_labels = ToLabels(workload.template_spec.metadata().labels());
  EligibilityDecision decision = EvaluateEligibility(workload.template_spec.spec(), pod_labels,
                                                     owner.namespace_, node, OtherPods(owner));
  v1::Eligibility& eligibility = eligibility_[key] = ToEligibility(key, decision);

  // A pod the operator deleted goes, and (as with any missing pod) a new
  // one with a new name and UID takes its place below.
  const std::set<std::string> deleted = DeletedPodUids(coordinator_state_, owner);
  std::vector<Slot*> current;
  std::vector<Slot*> old;
  for (auto& [uid, slot] : slots_) {
    if (slot.worker->owner() != owner) continue;
    if (deleted.count(uid) != 0) RequestTermination(slot, "deleted by the operator");
    if (slot.terminate_reason) continue;
    if (slot.worker->revision_hash() == workload.revision_hash) {
      if (!slot.worker->HasTemplate()) slot.worker->AssignTemplate(workload);
      current.push_back(&slot);
    } else {
      old.push_back(&slot);
    }
  }
  const bool has_pods = !current.empty() || !old.empty();

  // Eviction: an untolerated NoExecute taint or a node that no longer
  // matches removes the pod now; a tolerated NoExecute taint with
  // tolerationSeconds removes it when the time is up.
  std::optional<std::string> evict;
  if (has_pods && !decision.should_continue_running) evict = decision.reason;
  if (decision.evict_after_seconds) {
    auto it = eviction_deadlines_.find(key);
    if (it == eviction_deadlines_.end() && has_pods) {
      it = eviction_deadlines_
               .emplace(key,
                        deps_.clock->Now() + std::chrono::seconds(*decision.evict_after_seconds))
               .first;
    }
    // Once the toleration has run out, the node stays closed to this
    // DaemonSet for as long as the taint remains; otherwise the pod would
    // be re-created and evicted again in a loop.
    if (it != eviction_deadlines_.end() && deps_.clock->Now() >= it->second) {
      const std::string why = "NoExecute taint tolerated for " +
                              std::to_string(*decision.evict_after_seconds) +
                              "s only (tolerationSeconds), and still present";
      eligibility.set_should_run(false);
      eligibility.set_should_continue_running(false);
      eligibility.set_reason(why);
      if (!has_pods) return;
      evict = why;
    }
  } else {
    eviction_deadlines_.erase(key);
  }
  if (evict) {
    for (Slot* slot : current) RequestTermination(*slot, "evicted: " + *evict);
    for (Slot* slot : old) RequestTermination(*slot, "evicted: " + *evict);
    return;
  }

  if (current.empty()) {
    if (!decision.should_run) return;  // old pods may stay (e.g. NoSchedule added later)
    // The coordinator records why (FailedCreate); nothing to create here.
    if (!workload.pod_create_error.empty()) return;
    if (old.empty() || workload.surge) {
      Spawn(workload);
    } else {
      // Replace: stop the old revision first; the new pod starts once it is
      // gone (a later pass finds no pod at all).
      for (Slot* slot : old)
        RequestTermination(*slot, "replaced by revision " + workload.revision_hash);
    }
    return;
  }
  // Several pods of the current revision (should not happen; e.g. a crash
  // mid-surge): keep the oldest-ready one.
  std::sort(current.begin(), current.end(),
            [](const Slot* a, const Slot* b) { return a->worker->Ready() && !b->worker->Ready(); });
  for (size_t i = 1; i < current.size(); ++i) RequestTermination(*current[i], "duplicate pod");
  if (!old.empty()) {
    const auto ready_since = current.front()->worker->ReadySince();
    const bool available = ready_since && deps_.clock->Now() - *ready_since >=
                                              std::chrono::seconds(workload.min_ready_seconds);
    if (!workload.surge || available) {
      for (Slot* slot : old) {
        RequestTermination(*slot, "replaced by revision " + workload.revision_hash);
      }
    }
  }
}

void Reconciler::Decide() {
  if (stopped_ || !synced_) return;
  const NodeFacts node = EffectiveNode();
  const std::vector<Workload> workloads = AllWorkloads();
  std::set<PodOwner> wanted;
  eligibility_.clear();
  for (const Workload& workload : workloads) {
    wanted.insert(workload.owner);
    DecideWorkload(workload, node);
  }
  // Pods whose owner is gone. Coordinator-owned pods wait until the
  // coordinator's desired state (or its cache) is known.
  const bool coordinator_known = coordinator_state_.has_value() || !options_.expect_coordinator;
  for (auto& [uid, slot] : slots_) {
    const PodOwner& owner = slot.worker->owner();
    if (wanted.count(owner) != 0) continue;
    if (!owner.static_pod && !coordinator_known) continue;
    RequestTermination(slot, owner.static_pod ? "static manifest removed"
                                              : "DaemonSet no longer assigned to this node");
  }
  Dispatch();
  NotifyChanged();
}

void Reconciler::Dispatch() {
  for (auto& [uid, slot] : slots_) {
    if (slot.busy) continue;
    PodWorker& worker = *slot.worker;
    if (slot.terminate_reason) {
      slot.busy = true;
      worker.Terminate(worker.GracePeriod(), *slot.terminate_reason,
                       [this, uid = uid](bool done) { OnTerminated(uid, done); });
      continue;
    }
    if (!worker.HasTemplate() || snapshot_seq_ < slot.min_snapshot_seq || !snapshot_) continue;
    slot.busy = true;
    // Static pods may not reference API objects, as with kubelet.
    worker.SetPodObjects(worker.owner().static_pod ? std::make_shared<const PodObjects>()
                                                   : objects_);
    auto found = snapshot_->pods.find(uid);
    worker.Sync(found == snapshot_->pods.end() || found->second.empty() ? nullptr : &found->second,
                [this, uid = uid](bool acted) { OnSynced(uid, acted); });
  }
}

void Reconciler::OnSynced(const std::string& uid, bool acted) {
  auto it = slots_.find(uid);
  if (it == slots_.end()) return;
  it->second.busy = false;
  // The next pass starts from a relist made after this one.
  it->second.min_snapshot_seq = relists_started_ + 1;
  if (stopped_) return;
  NotifyChanged();
  // Something changed in the runtime: look again now rather than a period
  // later, so a pod comes up in one quick sequence.
  if (acted) Relist();
}

void Reconciler::OnTerminated(const std::string& uid, bool done) {
  auto it = slots_.find(uid);
  if (it == slots_.end()) return;
  it->second.busy = false;
  if (done) slots_.erase(it);
  if (stopped_) return;
  NotifyChanged();
  Relist();
}

v1::StatusReport Reconciler::Report() const {
  v1::StatusReport report;
  report.set_node_name(deps_.node_defaults.node_name);
  for (const auto& [uid, slot] : slots_) *report.add_pods() = slot.worker->Status();
  for (const auto& [key, eligibility] : eligibility_) *report.add_eligibility() = eligibility;
  for (const v1::ManifestProblem& problem : manifest_problems_)
    *report.add_manifest_problems() = problem;
  if (coordinator_state_) report.set_desired_version(coordinator_state_->version());
  report.set_runtime(runtime_);
  return report;
}

void Reconciler::NotifyChanged() {
  if (!on_change_) return;
  // Only call out when the report really changed (pod workers publish on
  // every pass, mostly with nothing new).
  v1::StatusReport report = Report();
  std::string digest;
  report.SerializeToString(&digest);
  if (digest == last_report_digest_) return;
  last_report_digest_ = std::move(digest);
  on_change_();
}

}  // namespace fleetset::agent
