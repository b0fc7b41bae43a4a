#include "agent/certificate_rotation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "fleetset/duration.h"

namespace fleetset::agent {

namespace {

BackoffPolicy RetryPolicy(const CertificateRotationOptions& options) {
  BackoffPolicy policy;
  policy.initial = options.retry_initial;
  policy.max = options.retry_max;
  return policy;
}

}  // namespace

CertificateRotation::CertificateRotation(CertificateRotationSeams seams,
                                         CertificateRotationCalls calls,
                                         CertificateRotationOptions options)
    : seams_(std::move(seams)),
      calls_(std::move(calls)),
      options_(options),
      timer_(seams_.timers->MakeTimer()),
      retry_(RetryPolicy(options_), nullptr),
      alive_(std::make_shared<bool>(true)) {}

CertificateRotation::~CertificateRotation() { *alive_ = false; }

void CertificateRotation::Schedule() {
  if (renewing_) return;
  const std::optional<std::chrono::system_clock::time_point> at = calls_.renew_at();
  if (!at) {
    timer_->Cancel();
    return;
  }
  const auto left =
      std::max(std::chrono::system_clock::duration::zero(), *at - seams_.clock->WallNow());
  const auto wait = std::min<std::chrono::steady_clock::duration>(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(left), options_.longest_wait);
  timer_->Arm(wait, [this] { Due(); });
}

void CertificateRotation::Due() {
  const std::optional<std::chrono::system_clock::time_point> at = calls_.renew_at();
  if (!at) return;
  if (*at > seams_.clock->WallNow()) return Schedule();  // an early re-check
  renewing_ = true;
  // The work holds copies of what it calls: the rotation may be gone by
  // the time it runs, and then its outcome is dropped.
  seams_.executor->Post(
      [this, alive = alive_, renew = calls_.renew, post_to_loop = seams_.post_to_loop] {
        std::optional<std::string> error;
        try {
          renew();
        } catch (const std::exception& failure) {
          error = failure.what();
        }
        post_to_loop([this, alive, error] {
          if (*alive) Finished(error);
        });
      });
}

void CertificateRotation::Finished(const std::optional<std::string>& error) {
  renewing_ = false;
  if (!error) {
    ++renewals_;
    failures_ = 0;
    retry_.Reset();
    if (calls_.renewed) calls_.renewed();
    return Schedule();
  }
  ++failures_;
  const auto wait = retry_.Next(seams_.clock->Now());
  spdlog::warn("cannot renew the node certificate ({}); retrying in {}", *error,
               FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(wait)));
  timer_->Arm(wait, [this] { Due(); });
}

}  // namespace fleetset::agent
