#include "coordinator/controllers/event_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "coordinator/timestamps.h"

namespace fleetset::coordinator {

namespace {

const Caller kRecorder = Caller::System("event-recorder");

// "node-1.17f3a9c2b4d5e6f7": the object's name and a suffix unique to this
// coordinator's run (time and sequence), as kubelet names events.
std::string EventName(const std::string& involved_object, std::chrono::system_clock::time_point now,
                      uint64_t sequence) {
  const std::string object = involved_object.substr(involved_object.rfind('/') + 1);
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%016llx",
                static_cast<unsigned long long>(nanos) + static_cast<unsigned long long>(sequence));
  return object + "." + suffix;
}

}  // namespace

std::string ByCaller(const Caller& caller) {
  if (caller.kind != Caller::Kind::kUser) return {};
  return " (by user \"" + caller.name + "\")";
}

std::string EventNamespace(const std::string& involved_object) {
  const size_t first = involved_object.find('/');
  const size_t second = involved_object.find('/', first + 1);
  if (first == std::string::npos || second == std::string::npos) return "default";
  return involved_object.substr(first + 1, second - first - 1);
}

void SortEventsByTime(std::vector<v1::Event>& events) {
  std::stable_sort(events.begin(), events.end(), [](const v1::Event& a, const v1::Event& b) {
    if (a.time().seconds() != b.time().seconds()) return a.time().seconds() < b.time().seconds();
    if (a.time().nanos() != b.time().nanos()) return a.time().nanos() < b.time().nanos();
    return ResourceRevision(a.metadata()) < ResourceRevision(b.metadata());
  });
}

EventRecorder::EventRecorder(Registry<v1::Event>& events, const Clock& clock, size_t max_events,
                             EventSpamFilterOptions spam)
    : events_(events), clock_(clock), max_events_(max_events), spam_filter_(clock, spam) {}

void EventRecorder::Load() {
  std::vector<v1::Event> stored = events_.List().items;
  SortEventsByTime(stored);
  std::lock_guard lock(mu_);
  stored_.clear();
  for (const v1::Event& event : stored) {
    stored_.emplace_back(event.metadata().namespace_(), event.metadata().name());
  }
}

void EventRecorder::Record(const std::string& involved_object, const std::string& type,
                           const std::string& reason, const std::string& message) {
  spdlog::info("{} {}: {}", involved_object, reason, message);
  const std::chrono::system_clock::time_point now = clock_.WallNow();
  v1::Event event;
  *event.mutable_time() = ToTimestamp(now);
  event.set_type(type);
  event.set_reason(reason);
  event.set_message(message);
  event.set_involved_object(involved_object);
  event.set_count(1);
  std::vector<std::pair<std::string, std::string>> expired;
  {
    std::lock_guard lock(mu_);
    if (!spam_filter_.Allow(involved_object)) return;
    event.mutable_metadata()->set_name(EventName(involved_object, now, sequence_++));
    event.mutable_metadata()->set_namespace_(EventNamespace(involved_object));
    stored_.emplace_back(event.metadata().namespace_(), event.metadata().name());
    while (stored_.size() > max_events_) {
      expired.push_back(std::move(stored_.front()));
      stored_.pop_front();
    }
  }
  auto logged = [](const Registry<v1::Event>::WriteResult& result) {
    if (result.error) spdlog::warn("storing an event failed: {}", result.error->what());
  };
  // Its name is this recorder's own (time and sequence), so no other
  // writer's: created without a check, it may share an etcd transaction.
  events_.CreateUniqueAsync(kRecorder, std::move(event), logged);
  for (const auto& [namespace_, name] : expired) events_.DeleteAsync(kRecorder, namespace_, name);
}

}  // namespace fleetset::coordinator
