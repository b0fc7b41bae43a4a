#include "agent/backoff.h"

#include <algorithm>

namespace fleetset::agent {

Backoff::Backoff(const BackoffPolicy& policy, RandomSource* random)
    : policy_(policy), random_(random) {
  policy_.initial = std::min(policy_.initial, policy_.max);
}

bool Backoff::StartedOver(TimePoint now) const {
  return policy_.reset_after > Duration::zero() && now - last_failure_ > policy_.reset_after;
}

Backoff::Duration Backoff::Jittered(Duration period) const {
  if (policy_.jitter_below == 0 && policy_.jitter_above == 0) return period;
  const double low = 1 - policy_.jitter_below;
  const double factor = low + (policy_.jitter_below + policy_.jitter_above) * random_->Uniform();
  return std::chrono::duration_cast<Duration>(period * std::max(0.0, factor));
}

Backoff::Duration Backoff::Next(TimePoint now) {
  if (period_ == Duration::zero() || StartedOver(now)) {
    period_ = policy_.initial;
  } else {
    period_ = std::min(period_ * 2, policy_.max);
  }
  last_failure_ = now;
  wait_ = Jittered(period_);
  return wait_;
}

Backoff::Duration Backoff::RemainingSince(TimePoint since, TimePoint now) const {
  if (period_ == Duration::zero() || StartedOver(now)) return Duration::zero();
  return std::max(Duration::zero(), wait_ - (now - since));
}

Backoff::Duration Backoff::Longest() const {
  BackoffPolicy upper = policy_;
  upper.jitter_below = std::min(upper.jitter_below, 0.5);
  return Backoff(upper, random_).Jittered(policy_.max);
}

void Backoff::Reset() {
  period_ = Duration::zero();
  wait_ = Duration::zero();
}

}  // namespace fleetset::agent
