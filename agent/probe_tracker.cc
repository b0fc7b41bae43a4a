#include "agent/probe_tracker.h"

#include <algorithm>

namespace fleetset::agent {

ProbeTracker::ProbeTracker(const v1::Probe& probe, TimePoint container_started, bool initial_result)
    : probe_(probe),
      first_due_(container_started + std::chrono::seconds(probe.initial_delay_seconds())),
      verdict_(initial_result) {}

bool ProbeTracker::Due(TimePoint now) const {
  if (now < first_due_) return false;
  if (!last_run_) return true;
  const int period = std::max(1, probe_.period_seconds());
  return now - *last_run_ >= std::chrono::seconds(period);
}

bool ProbeTracker::Record(bool success, TimePoint now, const std::string& message) {
  last_run_ = now;
  last_message_ = message;
  const bool before = verdict_;
  if (success) {
    consecutive_failures_ = 0;
    ++consecutive_successes_;
    if (consecutive_successes_ >= std::max(1, probe_.success_threshold())) verdict_ = true;
  } else {
    consecutive_successes_ = 0;
    ++consecutive_failures_;
    if (consecutive_failures_ >= std::max(1, probe_.failure_threshold())) verdict_ = false;
  }
  return verdict_ != before;
}

}  // namespace fleetset::agent
