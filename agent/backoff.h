// The agent's one back-off: a wait that starts at `initial` and doubles per
// failure up to `max`, optionally jittered by an injected random source and
// optionally starting over after a quiet spell. Its uses:
//
// * crash loops and failing image pulls (kCrashLoopBackoff): kubelet's
//   numbers exactly, with no jitter: the first retry at once, then 10 s
//   doubling to 5 min; a container that ran for 10 minutes (twice the
//   maximum) without failing starts over at 10 s;
// * a pod whose sandbox failed (kSandboxRetryBackoff): kubelet's pod worker
//   waits 10 s after a failed sync, jittered up to half as long again;
// * the coordinator link's reconnects: full jitter under a ceiling that
//   doubles from 0.5 s to 30 s, so a fleet does not reconnect in one wave.
//
// A value type, one per thing that fails (a container, a pod's sandbox, a
// link); not thread-safe, like the state it belongs to.
#pragma once

#include <chrono>

#include "agent/random_source.h"

namespace fleetset::agent {

struct BackoffPolicy {
  using Duration = std::chrono::steady_clock::duration;

  Duration initial{};
  Duration max{};
  // A sequence with no failure for this long starts over at `initial`
  // (zero: never by itself; Reset() does it).
  Duration reset_after{};
  // Each wait is the period times a factor drawn uniformly from
  // [1 - jitter_below, 1 + jitter_above]: {0, 0} waits exactly the period,
  // {1, 0} is "full jitter" (anything up to the period).
  double jitter_below = 0;
  double jitter_above = 0;
};

inline constexpr BackoffPolicy kCrashLoopBackoff{std::chrono::seconds(10), std::chrono::minutes(5),
                                                 std::chrono::minutes(10), 0, 0};
inline constexpr BackoffPolicy kSandboxRetryBackoff{
    std::chrono::seconds(10), std::chrono::seconds(10), {}, 0, 0.5};

class Backoff {
 public:
  using Duration = BackoffPolicy::Duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  // `random` is used only when the policy has jitter; it must outlive this.
  Backoff(const BackoffPolicy& policy, RandomSource* random);

  // Records a failure at `now` and returns the wait before the next try:
  // the initial period for a new (or started over) sequence, otherwise
  // double the last, capped; jittered.
  Duration Next(TimePoint now);
  // The wait the last Next() chose; zero before any failure or after Reset().
  Duration Current() const { return wait_; }
  // How much of the current wait is left at `now`, counting from `since`
  // (when the thing last failed); zero when it may try again. A sequence
  // that has started over by `now` (reset_after) has nothing left.
  Duration RemainingSince(TimePoint since, TimePoint now) const;
  // The same, counting from the last Next().
  Duration Remaining(TimePoint now) const { return RemainingSince(last_failure_, now); }
  bool InBackoffSince(TimePoint since, TimePoint now) const {
    return RemainingSince(since, now) > Duration::zero();
  }
  // The longest wait, jittered within its upper half at most: for a peer
  // that refused us outright, where trying sooner only gets refused again.
  Duration Longest() const;
  void Reset();

 private:
  bool StartedOver(TimePoint now) const;
  Duration Jittered(Duration period) const;

  BackoffPolicy policy_;
  RandomSource* random_;
  // The un-jittered period the sequence has reached (zero: none yet).
  Duration period_{};
  Duration wait_{};
  TimePoint last_failure_{};
};

}  // namespace fleetset::agent
