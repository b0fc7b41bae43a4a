// kubelet's restart back-off for crash-looping containers and failing image
// pulls: the first retry is immediate, then 10 s, doubling up to 300 s; an
// entry that has not been used for twice the maximum (10 minutes) is reset,
// so a container that ran for ten minutes starts over at 10 s.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "fleetset/clock.h"

namespace fleetset::agent {

class Backoff {
 public:
  using Duration = std::chrono::steady_clock::duration;

  explicit Backoff(const Clock& clock, Duration initial = std::chrono::seconds(10),
                   Duration max = std::chrono::seconds(300));

  // True while `key` must wait: its last failure at `since` is more recent
  // than its current back-off period.
  bool InBackoffSince(const std::string& key, std::chrono::steady_clock::time_point since) const;
  // Records another failure: the next period is the initial one for a new
  // (or reset) key, otherwise double the current one, capped.
  void Next(const std::string& key);
  // Time left before `key` may retry after a failure at `since` (zero when
  // it may retry now).
  Duration Remaining(const std::string& key, std::chrono::steady_clock::time_point since) const;
  Duration Current(const std::string& key) const;
  void Reset(const std::string& key);

 private:
  struct Entry {
    Duration period;
    std::chrono::steady_clock::time_point last_update;
  };
  bool Expired(const Entry& entry) const;

  const Clock& clock_;
  Duration initial_;
  Duration max_;
  std::map<std::string, Entry> entries_;
};

}  // namespace fleetset::agent
