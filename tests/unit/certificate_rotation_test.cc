// The node certificate's renewal on a fake clock: not before two thirds of
// its life, retried with back-off when it fails, and never when the
// certificate is the operator's.
#include "agent/certificate_rotation.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "agent/node_credentials.h"
#include "fakes/fake_timers.h"
#include "fakes/manual_executor.h"

namespace fleetset::testing {
namespace {

using namespace std::chrono_literals;
using agent::CertificateRotation;

class CertificateRotationTest : public ::testing::Test {
 protected:
  CertificateRotationTest() {
    // A 30-day certificate issued now: renewal is due on day 20.
    not_before_ = clock_.WallNow();
    not_after_ = not_before_ + 24h * 30;
  }

  std::unique_ptr<CertificateRotation> Start() {
    agent::CertificateRotationSeams seams;
    seams.clock = &clock_;
    seams.timers = &timers_;
    seams.executor = &executor_;
    seams.post_to_loop = [](std::function<void()> task) { task(); };
    agent::CertificateRotationCalls calls;
    calls.renew_at = [this]() -> std::optional<std::chrono::system_clock::time_point> {
      if (operators_own_) return std::nullopt;
      return agent::RenewalPoint(not_before_, not_after_);
    };
    calls.renew = [this] {
      ++attempts_;
      if (failing_) throw std::runtime_error("coordinator unreachable");
      // The new certificate starts now and lasts as long.
      not_before_ = clock_.WallNow();
      not_after_ = not_before_ + 24h * 30;
    };
    calls.renewed = [this] { ++reconnects_; };
    auto rotation = std::make_unique<CertificateRotation>(seams, calls);
    rotation->Schedule();
    return rotation;
  }

  // Moves time and runs whatever renewal that started.
  void Advance(std::chrono::steady_clock::duration by) {
    timers_.Advance(by);
    executor_.RunAll();
  }

  FakeClock clock_;
  FakeTimers timers_{clock_};
  ManualExecutor executor_;
  std::chrono::system_clock::time_point not_before_;
  std::chrono::system_clock::time_point not_after_;
  bool failing_ = false;
  bool operators_own_ = false;
  int attempts_ = 0;
  int reconnects_ = 0;
};

TEST_F(CertificateRotationTest, RenewsAtTwoThirdsOfTheLifetimeAndNotBefore) {
  auto rotation = Start();
  Advance(24h * 20 - 1min);
  EXPECT_EQ(attempts_, 0);
  Advance(2min);
  EXPECT_EQ(attempts_, 1);
  EXPECT_EQ(rotation->renewals(), 1);
  EXPECT_EQ(reconnects_, 1);
  // The next one is two thirds into the new certificate's life.
  Advance(24h * 20 - 2min);
  EXPECT_EQ(attempts_, 1);
  Advance(2min);
  EXPECT_EQ(attempts_, 2);
  EXPECT_LT(clock_.WallNow(), not_after_);
}

TEST_F(CertificateRotationTest, AFailedRenewalIsRetriedWithBackOffBeforeTheCertificateRunsOut) {
  auto rotation = Start();
  failing_ = true;
  Advance(24h * 20);
  EXPECT_EQ(attempts_, 1);
  EXPECT_EQ(rotation->failures(), 1);
  Advance(29s);
  EXPECT_EQ(attempts_, 1);
  Advance(1s);  // 30 s after the failure
  EXPECT_EQ(attempts_, 2);
  Advance(60s);  // doubled
  EXPECT_EQ(attempts_, 3);
  // Capped at five minutes: some 288 tries in a day.
  for (int minute = 0; minute < 24 * 60; ++minute) Advance(1min);
  EXPECT_GT(attempts_, 280);
  failing_ = false;
  Advance(5min);
  EXPECT_EQ(rotation->renewals(), 1);
  EXPECT_EQ(rotation->failures(), 0);
  EXPECT_EQ(reconnects_, 1);
}

TEST_F(CertificateRotationTest, TheOperatorsOwnCertificateIsNeverRenewedHere) {
  operators_own_ = true;
  auto rotation = Start();
  Advance(24h * 40);
  EXPECT_EQ(attempts_, 0);
  EXPECT_EQ(timers_.armed(), 0u);
}

TEST_F(CertificateRotationTest, LongWaitsAreCutIntoHoursSoAJumpingWallClockIsNoticed) {
  auto rotation = Start();
  EXPECT_EQ(timers_.armed(), 1u);
  Advance(1h);
  // Re-armed for the next hour, nothing renewed yet.
  EXPECT_EQ(timers_.armed(), 1u);
  EXPECT_EQ(attempts_, 0);
}

TEST_F(CertificateRotationTest, ARenewalStillRunningWhenTheRotationGoesIsDropped) {
  auto rotation = Start();
  timers_.Advance(24h * 20);
  ASSERT_EQ(executor_.pending(), 1u);
  rotation.reset();
  executor_.RunAll();
  EXPECT_EQ(attempts_, 1);
  EXPECT_EQ(reconnects_, 0);
}

}  // namespace
}  // namespace fleetset::testing
