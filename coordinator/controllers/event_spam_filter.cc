#include "coordinator/controllers/event_spam_filter.h"

#include <algorithm>

namespace fleetset::coordinator {

EventSpamFilter::EventSpamFilter(const Clock& clock, EventSpamFilterOptions options)
    : clock_(clock), options_(options) {}

void EventSpamFilter::Refill(Bucket& bucket, std::chrono::steady_clock::time_point now) const {
  const std::chrono::duration<double> elapsed = now - bucket.refilled;
  const double earned = elapsed / std::chrono::duration<double>(options_.refill_period);
  bucket.tokens = std::min(options_.burst, bucket.tokens + earned);
  bucket.refilled = now;
}

bool EventSpamFilter::Allow(const std::string& involved_object) {
  const auto now = clock_.Now();
  if (buckets_.size() >= options_.max_tracked && !buckets_.contains(involved_object)) {
    for (auto& [object, bucket] : buckets_) Refill(bucket, now);
    std::erase_if(buckets_,
                  [&](const auto& entry) { return entry.second.tokens >= options_.burst; });
  }
  auto [it, added] = buckets_.try_emplace(involved_object, Bucket{options_.burst, now});
  Bucket& bucket = it->second;
  if (!added) Refill(bucket, now);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

}  // namespace fleetset::coordinator
