// Renews the node certificate before it runs out, as kubelet's certificate
// manager does: at the rotation point (two thirds of its life) a renewal
// runs on the executor (it is a blocking call to a coordinator); a failed
// one is retried with back-off until it works or the certificate is gone.
// Everything here runs on the agent's loop, except the renewal itself.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/backoff.h"
#include "agent/executor.h"
#include "agent/timer.h"
#include "fleetset/clock.h"

namespace fleetset::agent {

struct CertificateRotationSeams {
  const Clock* clock = nullptr;
  TimerFactory* timers = nullptr;
  // Runs the renewal off the loop.
  Executor* executor = nullptr;
  // Brings the renewal's outcome back onto the loop.
  std::function<void(std::function<void()>)> post_to_loop;
};

struct CertificateRotationCalls {
  // When the certificate held should be renewed; nullopt: never (none yet,
  // or the operator's own). Loop.
  std::function<std::optional<std::chrono::system_clock::time_point>()> renew_at;
  // Renews it; blocking, on the executor. Throws std::exception with the
  // reason on failure.
  std::function<void()> renew;
  // After a renewal, on the loop (the agent reconnects with it).
  std::function<void()> renewed;
};

struct CertificateRotationOptions {
  // Retries after a failed renewal: from `retry_initial`, doubling to
  // `retry_max`.
  std::chrono::milliseconds retry_initial{std::chrono::seconds(30)};
  std::chrono::milliseconds retry_max{std::chrono::minutes(5)};
  // The longest single wait: the wall clock can jump (NTP, a suspended
  // machine) while timers count steady time, so the point is re-checked.
  std::chrono::milliseconds longest_wait{std::chrono::hours(1)};
};

class CertificateRotation {
 public:
  CertificateRotation(CertificateRotationSeams seams, CertificateRotationCalls calls,
                      CertificateRotationOptions options = {});
  ~CertificateRotation();
  CertificateRotation(const CertificateRotation&) = delete;
  CertificateRotation& operator=(const CertificateRotation&) = delete;

  // Looks at the certificate held and arms the timer. Call again after the
  // certificate changed by other means (a join).
  void Schedule();
  // Renewals done since the start, and failed attempts since the last
  // success (for tests and the status file).
  int renewals() const { return renewals_; }
  int failures() const { return failures_; }

 private:
  void Due();
  void Finished(const std::optional<std::string>& error);

  const CertificateRotationSeams seams_;
  const CertificateRotationCalls calls_;
  const CertificateRotationOptions options_;
  std::unique_ptr<Timer> timer_;
  Backoff retry_;
  bool renewing_ = false;
  int renewals_ = 0;
  int failures_ = 0;
  // Shared with renewals in flight, which must not call back into a
  // rotation that is gone.
  std::shared_ptr<bool> alive_;
};

}  // namespace fleetset::agent
