#include "coordinator/fleet.h"
#include "coordinator/desired_version.h"
#include "coordinator/timestamps.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace fleetset::coordinator {

namespace {

// Events kept in memory for describe (the store keeps as many).
constexpr size_t kMaxEvents = 5000;

}  // namespace

Fleet::Fleet(Store& store, const Clock& clock, FleetOptions options)
    : store_(store), clock_(clock), options_(options) {
  Load();
}

Fleet::~Fleet() { Stop(); }

void Fleet::Load() {
  StoreContents contents = store_.Load();
  for (v1::DaemonSet& daemon_set : contents.daemon_sets) {
    DaemonSetKey key = DaemonSetKey::Of(daemon_set);
    DaemonSetRecord& record = daemon_sets_[key];
    record.object = std::move(daemon_set);
  }
  for (v1::StoredRevision& stored : contents.revisions) {
    DaemonSetRecord* record = FindDaemonSet({stored.namespace_(), stored.daemon_set()});
    if (record == nullptr) continue;  // the store deletes them with the DaemonSet
    record->revisions.push_back(std::move(*stored.mutable_revision()));
  }
  for (auto& [key, record] : daemon_sets_) {
    std::sort(record.revisions.begin(), record.revisions.end(),
              [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
    if (!record.revisions.empty()) record.newest_hash = record.revisions.back().hash();
    // Computed properly on the first pass; until then the spec is observed.
    record.status.set_observed_generation(record.object.metadata().generation());
  }
  for (v1::StoredNode& stored : contents.nodes) {
    std::string name = stored.node().metadata().name();
    NodeRecord& node = nodes_[name];
    node.stored = std::move(stored);
    // Its grace period starts now: a node is not lost for the time the
    // coordinator itself was down.
    node.last_contact = clock_.Now();
  }
  events_.assign(contents.events.begin(), contents.events.end());
  desired_version_ = FirstDesiredVersion(contents.desired_version, clock_.WallNow());
  StoreChange change;
  change.desired_version = desired_version_;
  store_.Commit(change);
  spdlog::info("loaded {} daemon sets and {} nodes", daemon_sets_.size(), nodes_.size());
}

grpc::Status Fleet::CommitLocked(const StoreChange& change) {
  if (change.empty()) return grpc::Status::OK;
  try {
    store_.Commit(change);
  } catch (const StoreError& error) {
    spdlog::error("store: {}", error.what());
    return {grpc::StatusCode::INTERNAL, std::string("storing the change failed: ") + error.what()};
  }
  return grpc::Status::OK;
}

void Fleet::Wake() {
  pending_ = true;
  wake_.notify_one();
}

uint64_t Fleet::NextDesiredVersion() { return ++desired_version_; }

Fleet::DaemonSetRecord* Fleet::FindDaemonSet(const DaemonSetKey& key) {
  auto it = daemon_sets_.find(key);
  return it == daemon_sets_.end() ? nullptr : &it->second;
}

Fleet::NodeRecord* Fleet::FindNode(const std::string& name) {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

v1::Event Fleet::MakeEvent(const std::string& involved_object, const std::string& type,
                           const std::string& reason, const std::string& message) const {
  v1::Event event;
  *event.mutable_time() = ToTimestamp(WallNow());
  event.set_type(type);
  event.set_reason(reason);
  event.set_message(message);
  event.set_involved_object(involved_object);
  event.set_count(1);
  return event;
}

void Fleet::RecordEvent(v1::Event event) {
  spdlog::info("{} {}: {}", event.involved_object(), event.reason(), event.message());
  events_.push_back(event);
  if (events_.size() > kMaxEvents) events_.pop_front();
  unsaved_events_.push_back(std::move(event));
  Wake();
}

void Fleet::MarkAllNodesDirty() {
  for (auto& [name, node] : nodes_) node.desired_dirty = true;
}

void Fleet::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  wake_.notify_all();
}

void Fleet::RunLoop(const std::function<void()>& after_pass) {
  while (true) {
    {
      Lock lock(mu_);
      wake_.wait_for(lock, options_.resync_period, [this] { return pending_ || stopped_; });
      if (stopped_) return;
    }
    // Let a burst of reports land before planning on them.
    std::this_thread::sleep_for(options_.batch_window);
    const auto started = std::chrono::steady_clock::now();
    SyncOnce();
    if (options_.pass_observer) options_.pass_observer(std::chrono::steady_clock::now() - started);
    if (after_pass) after_pass();
  }
}

std::string Fleet::Summary() const {
  std::lock_guard lock(mu_);
  size_t ready = 0;
  for (const auto& [name, node] : nodes_) ready += NodeReady(node.stored.node()) ? 1 : 0;
  return std::to_string(nodes_.size()) + " nodes (" + std::to_string(ready) + " Ready), " +
         std::to_string(daemon_sets_.size()) + " daemon sets";
}

}  // namespace fleetset::coordinator
