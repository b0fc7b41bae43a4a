// Records Events (kubectl describe's "Events:") for the controllers and
// the agent hub: logged at once, stored in the background, the oldest
// deleted beyond a limit so the store never grows without end, and no more
// than client-go's spam filter lets through per involved object
// (event_spam_filter.h). Recording never waits for the disk.
#pragma once

#include <deque>
#include <mutex>
#include <string>

#include "coordinator/controllers/event_spam_filter.h"
#include "coordinator/registry/registries.h"
#include "fleetset/clock.h"

namespace fleetset::coordinator {

class EventRecorder {
 public:
  // Keeps at most `max_events` (the newest).
  EventRecorder(Registry<v1::Event>& events, const Clock& clock, size_t max_events = 5000,
                EventSpamFilterOptions spam = {});

  // Learns the stored events (oldest first), so the limit counts them.
  void Load();

  // `involved_object` is "daemonset/NS/NAME" or "node/NAME"; `type` is
  // Normal or Warning; `reason` is CamelCase (SuccessfulCreate).
  void Record(const std::string& involved_object, const std::string& type,
              const std::string& reason, const std::string& message);

 private:
  Registry<v1::Event>& events_;
  const Clock& clock_;
  const size_t max_events_;

  std::mutex mu_;
  // namespace and name of the stored events, oldest first.
  std::deque<std::pair<std::string, std::string>> stored_;
  uint64_t sequence_ = 0;
  EventSpamFilter spam_filter_;
};

// " (by user "alice")" for an event a user caused, so that describe names
// them; empty for the coordinator's own.
std::string ByCaller(const Caller& caller);

// "daemonset/NS/NAME" -> NS; "node/NAME" -> "default" (where Kubernetes
// records node events).
std::string EventNamespace(const std::string& involved_object);

// Events oldest first (by time, then by when they were stored).
void SortEventsByTime(std::vector<v1::Event>& events);

}  // namespace fleetset::coordinator
