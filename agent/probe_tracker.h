// The bookkeeping of one probe of one container: when it is due, how many
// successes and failures in a row, and the verdict kubelet's prober derives
// from them (initialDelaySeconds, periodSeconds, successThreshold,
// failureThreshold).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

class ProbeTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `initial_result` is the verdict before the first probe: kubelet treats
  // readiness as failed and liveness/startup as succeeded until probed.
  ProbeTracker(const v1::Probe& probe, TimePoint container_started, bool initial_result);

  bool Due(TimePoint now) const;
  // Records one outcome; returns true when the verdict changed.
  bool Record(bool success, TimePoint now, const std::string& message);
  bool Verdict() const { return verdict_; }
  // failureThreshold consecutive failures: for liveness and startup probes
  // the container must be restarted.
  bool FailedOut() const {
    return consecutive_failures_ >= std::max(1, probe_.failure_threshold());
  }
  const std::string& LastMessage() const { return last_message_; }
  const v1::Probe& probe() const { return probe_; }

 private:
  v1::Probe probe_;
  TimePoint first_due_;
  std::optional<TimePoint> last_run_;
  int consecutive_successes_ = 0;
  int consecutive_failures_ = 0;
  bool verdict_;
  std::string last_message_;
};

}  // namespace fleetset::agent
