#include "agent/backoff.h"

#include <algorithm>

namespace fleetset::agent {

Backoff::Backoff(const Clock& clock, Duration initial, Duration max)
    : clock_(clock), initial_(initial), max_(max) {}

bool Backoff::Expired(const Entry& entry) const {
  return clock_.Now() - entry.last_update > 2 * max_;
}

bool Backoff::InBackoffSince(const std::string& key,
                             std::chrono::steady_clock::time_point since) const {
  return Remaining(key, since) > Duration::zero();
}

Backoff::Duration Backoff::Remaining(const std::string& key,
                                     std::chrono::steady_clock::time_point since) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || Expired(it->second)) return Duration::zero();
  const Duration waited = clock_.Now() - since;
  return std::max(Duration::zero(), it->second.period - waited);
}

void Backoff::Next(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || Expired(it->second)) {
    entries_[key] = Entry{initial_, clock_.Now()};
    return;
  }
  it->second.period = std::min(it->second.period * 2, max_);
  it->second.last_update = clock_.Now();
}

Backoff::Duration Backoff::Current(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? Duration::zero() : it->second.period;
}

void Backoff::Reset(const std::string& key) { entries_.erase(key); }

}  // namespace fleetset::agent
