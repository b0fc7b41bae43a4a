#include "coordinator/storage/etcd_watch_feed.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "coordinator/storage/thread_priority.h"
#include "daemon/thread_name.h"

namespace fleetset::coordinator::storage {
namespace {

constexpr std::chrono::milliseconds kLongestRetryInterval{5000};

}  // namespace

EtcdWatchFeed::EtcdWatchFeed(EtcdClient& client, const EtcdKeyMapping& keys,
                             std::chrono::milliseconds retry_interval, Sink sink)
    : client_(client), keys_(keys), retry_interval_(retry_interval), sink_(std::move(sink)) {
  const etcdserverpb::RangeResponse listed = client_.Range(keys_.ListRequest(""));
  for (const mvccpb::KeyValue& kv : listed.kvs()) {
    KeyValue converted = keys_.FromEtcd(kv);
    mirror_.emplace(converted.key, std::move(converted));
  }
  start_revision_ = listed.header().revision();
  next_ = start_revision_ + 1;
}

void EtcdWatchFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

EtcdWatchFeed::~EtcdWatchFeed() { Stop(); }

void EtcdWatchFeed::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool EtcdWatchFeed::Pause(std::chrono::milliseconds interval) {
  std::unique_lock lock(mutex_);
  return !stop_requested_.wait_for(lock, interval, [this] { return stopping_; });
}

void EtcdWatchFeed::Run() {
  NameCurrentThread("etcd-watch");
  // Decoding etcd's events is the first half of the watch's work.
  YieldCallingThreadTo(kWatchThreadNiceness);
  bool compacted = false;
  // Doubles while no member answers, so that an outage of minutes is not
  // a log line every fraction of a second.
  std::chrono::milliseconds wait = retry_interval_;
  const std::chrono::milliseconds longest_wait = std::max(retry_interval_, kLongestRetryInterval);
  while (true) {
    if (compacted) {
      try {
        Relist();
        compacted = false;
      } catch (const StorageError& error) {
        spdlog::warn("etcd watch: listing {} again failed: {}", keys_.prefix(), error.what());
        if (!Pause(wait)) return;
        wait = std::min(wait * 2, longest_wait);
        continue;
      }
    }
    EtcdClient::WatchStream watch = client_.OpenWatch();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      context_ = watch.context.get();
    }
    bool answered = false;
    compacted = Follow(watch, answered);
    if (answered) wait = retry_interval_;
    watch.context->TryCancel();
    const grpc::Status status = watch.stream->Finish();
    {
      std::lock_guard lock(mutex_);
      context_ = nullptr;
      if (stopping_) return;
    }
    if (compacted) continue;
    spdlog::warn("etcd watch on {} ended ({}); resuming from revision {} on another member",
                 client_.endpoint_url(watch.endpoint), DescribeEtcdFailure(status), next_);
    client_.StreamFailed(watch.endpoint);
    if (!Pause(wait)) return;
    wait = std::min(wait * 2, longest_wait);
  }
}

bool EtcdWatchFeed::Follow(EtcdClient::WatchStream& watch, bool& answered) {
  etcdserverpb::WatchRequest request;
  etcdserverpb::WatchCreateRequest& create = *request.mutable_create_request();
  create.set_key(keys_.ToEtcd(""));
  create.set_range_end(PrefixRangeEnd(keys_.ToEtcd("")));
  create.set_start_revision(next_);
  if (!watch.stream->Write(request)) return false;
  etcdserverpb::WatchResponse response;
  while (watch.stream->Read(&response)) {
    answered = true;
    if (response.compact_revision() != 0) {
      spdlog::warn(
          "etcd watch on {}: revision {} has been compacted (oldest kept: {}); listing "
          "{} again",
          client_.endpoint_url(watch.endpoint), next_, response.compact_revision(), keys_.prefix());
      return true;
    }
    if (response.canceled()) {
      spdlog::warn("etcd watch on {} was cancelled by the member: {}",
                   client_.endpoint_url(watch.endpoint), response.cancel_reason());
      return false;
    }
    if (response.events_size() == 0) continue;
    std::vector<WatchEvent> events;
    events.reserve(response.events_size());
    for (const mvccpb::Event& event : response.events()) events.push_back(keys_.FromEtcd(event));
    {
      std::lock_guard lock(mirror_mutex_);
      for (WatchEvent& converted : events) {
        auto known = mirror_.find(converted.kv.key);
        if (converted.type == WatchEvent::Type::kPut) {
          if (known == mirror_.end()) {
            mirror_.emplace(converted.kv.key, converted.kv);
          } else {
            converted.previous = std::exchange(known->second, converted.kv);
          }
        } else if (known != mirror_.end()) {
          converted.previous = std::move(known->second);
          mirror_.erase(known);
        }
      }
      next_ = events.back().kv.mod_revision + 1;
    }
    Pass(std::move(events));
  }
  return false;
}

void EtcdWatchFeed::Relist() {
  const etcdserverpb::RangeResponse listed = client_.Range(keys_.ListRequest(""));
  const Revision revision = listed.header().revision();
  std::map<std::string, KeyValue> current;
  for (const mvccpb::KeyValue& kv : listed.kvs()) {
    KeyValue converted = keys_.FromEtcd(kv);
    current.emplace(converted.key, std::move(converted));
  }
  // Keys changed since the mirror was current have a mod_revision above
  // every revision passed on so far, so the events stay in order.
  std::vector<WatchEvent> events;
  for (const auto& [key, kv] : current) {
    auto known = mirror_.find(key);
    if (known != mirror_.end() && known->second.mod_revision == kv.mod_revision) continue;
    WatchEvent event{WatchEvent::Type::kPut, kv, std::nullopt};
    if (known != mirror_.end()) event.previous = known->second;
    events.push_back(std::move(event));
  }
  for (const auto& [key, kv] : mirror_) {
    if (current.contains(key)) continue;
    events.push_back({WatchEvent::Type::kDelete, {key, {}, 0, revision}, kv});
  }
  std::stable_sort(events.begin(), events.end(), [](const WatchEvent& a, const WatchEvent& b) {
    return a.kv.mod_revision < b.kv.mod_revision;
  });
  {
    std::lock_guard lock(mirror_mutex_);
    mirror_ = std::move(current);
    next_ = revision + 1;
  }
  if (!events.empty()) Pass(std::move(events));
}

std::optional<KeyValue> EtcdWatchFeed::MirrorGet(const std::string& key) const {
  std::lock_guard lock(mirror_mutex_);
  auto it = mirror_.find(key);
  if (it == mirror_.end()) return std::nullopt;
  return it->second;
}

ListResult EtcdWatchFeed::MirrorList(const std::string& prefix) const {
  ListResult result;
  std::lock_guard lock(mirror_mutex_);
  for (auto it = mirror_.lower_bound(prefix); it != mirror_.end() && it->first.starts_with(prefix);
       ++it) {
    result.items.push_back(it->second);
  }
  result.revision = next_ - 1;
  return result;
}

void EtcdWatchFeed::Pass(std::vector<WatchEvent> events) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  sink_(std::move(events));
}

}  // namespace fleetset::coordinator::storage
