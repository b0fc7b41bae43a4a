#include "coordinator/controllers/pod_index.h"

#include "coordinator/timestamps.h"
#include "fleetset/pod_readiness.h"

namespace fleetset::coordinator {

ReportedPod ToReportedPod(const v1::Pod& pod) {
  ReportedPod reported;
  reported.uid = pod.metadata().uid();
  reported.name = pod.metadata().name();
  reported.revision_hash = pod.revision_hash();
  reported.phase = pod.status().phase();
  reported.ready = IsPodReady(pod);
  const v1::PodCondition* ready = FindPodCondition(pod, kPodReady);
  if (reported.ready && ready->has_last_transition_time()) {
    reported.ready_since = FromTimestamp(ready->last_transition_time());
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

bool CountedPod(const v1::Pod& pod) {
  return !pod.static_pod() && !pod.owner().empty() && !pod.metadata().has_deletion_timestamp();
}

void PodIndex::Start(const Registry<v1::Pod>& pods, std::function<void()> on_change) {
  watch_ = pods.Watch({}, [this, on_change](const WatchEvent<v1::Pod>& event) {
    const v1::Pod& pod = event.object;
    Change change;
    change.uid = pod.metadata().uid();
    change.deleted = event.type == WatchEventType::kDeleted || !CountedPod(pod);
    if (!change.deleted) change.entry = {pod.owner(), pod.node_name(), ToReportedPod(pod)};
    {
      std::lock_guard lock(mu_);
      queued_.push_back(std::move(change));
    }
    if (on_change) on_change();
  });
}

void PodIndex::Stop() {
  if (!watch_) return;
  // Once the handle is gone no callback runs or is running.
  watch_.reset();
  {
    std::lock_guard lock(mu_);
    queued_.clear();
  }
  by_uid_.clear();
  by_owner_.clear();
}

void PodIndex::Remove(const std::string& uid, std::vector<Touched>& touched) {
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end()) return;
  touched.emplace_back(it->second.owner, it->second.node);
  auto owner = by_owner_.find(it->second.owner);
  if (owner != by_owner_.end()) {
    auto node = owner->second.find(it->second.node);
    if (node != owner->second.end()) {
      std::erase_if(node->second, [&](const ReportedPod& pod) { return pod.uid == uid; });
      if (node->second.empty()) owner->second.erase(node);
    }
    if (owner->second.empty()) by_owner_.erase(owner);
  }
  by_uid_.erase(it);
}

std::vector<PodIndex::Touched> PodIndex::Drain() {
  std::vector<Change> changes;
  {
    std::lock_guard lock(mu_);
    changes.swap(queued_);
  }
  std::vector<Touched> touched;
  for (Change& change : changes) {
    Remove(change.uid, touched);
    if (change.deleted) continue;
    touched.emplace_back(change.entry.owner, change.entry.node);
    by_owner_[change.entry.owner][change.entry.node].push_back(change.entry.pod);
    by_uid_.emplace(change.uid, std::move(change.entry));
  }
  return touched;
}

const PodIndex::PodsByNode& PodIndex::PodsOf(const std::string& owner) const {
  static const PodsByNode kNone;
  auto it = by_owner_.find(owner);
  return it == by_owner_.end() ? kNone : it->second;
}

}  // namespace fleetset::coordinator
