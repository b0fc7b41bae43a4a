// client-go's EventSourceObjectSpamFilter: each involved object may have a
// burst of events recorded, then one more per refill period; the others are
// dropped (only logged). A rolling update over 10,000 nodes would otherwise
// store two events per node about one DaemonSet, each a write to the store
// that every coordinator shares, and describe would show the last few of
// them anyway.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "fleetset/clock.h"

namespace fleetset::coordinator {

struct EventSpamFilterOptions {
  // client-go's defaults: 25 at once, then one every 5 minutes.
  double burst = 25;
  std::chrono::seconds refill_period{300};
  // Objects tracked before the full buckets are forgotten (a forgotten
  // object starts again with a full burst, as it would have by then).
  size_t max_tracked = 4096;
};

// Not thread-safe: its owner serialises the calls.
class EventSpamFilter {
 public:
  explicit EventSpamFilter(const Clock& clock, EventSpamFilterOptions options = {});

  // Whether an event about `involved_object` may be recorded now; spends
  // one of its tokens when it may.
  bool Allow(const std::string& involved_object);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point refilled;
  };

  // Adds the tokens earned since the bucket was last refilled.
  void Refill(Bucket& bucket, std::chrono::steady_clock::time_point now) const;

  const Clock& clock_;
  const EventSpamFilterOptions options_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace fleetset::coordinator
