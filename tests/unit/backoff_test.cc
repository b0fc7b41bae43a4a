// The agent's one back-off: kubelet's crash-loop numbers exactly when there
// is no jitter, jitter from the injected random source, starting over, and
// the coordinator link's full-jitter reconnects.
#include "agent/backoff.h"

#include <gtest/gtest.h>

#include "fakes/fixed_random.h"

namespace fleetset::testing {
namespace {

using agent::Backoff;
using agent::BackoffPolicy;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = Backoff::TimePoint;

const TimePoint kStart{std::chrono::hours(1000)};

TEST(BackoffTest, CrashLoopIsKubeletsTenSecondsDoublingToFiveMinutes) {
  FixedRandom random(0.9);  // never consulted: the crash loop has no jitter
  Backoff backoff(agent::kCrashLoopBackoff, &random);
  TimePoint now = kStart;
  EXPECT_EQ(backoff.Remaining(now), Backoff::Duration::zero()) << "the first retry is at once";
  std::vector<seconds> waits;
  for (int i = 0; i < 7; ++i) {
    waits.push_back(std::chrono::duration_cast<seconds>(backoff.Next(now)));
    now += seconds(1);
  }
  EXPECT_EQ(waits, (std::vector<seconds>{seconds(10), seconds(20), seconds(40), seconds(80),
                                         seconds(160), seconds(300), seconds(300)}));
  EXPECT_EQ(backoff.Current(), seconds(300));
}

TEST(BackoffTest, WaitCountsFromWhenTheThingFailed) {
  Backoff backoff(agent::kCrashLoopBackoff, nullptr);
  backoff.Next(kStart);
  const TimePoint exited = kStart + seconds(3);
  EXPECT_TRUE(backoff.InBackoffSince(exited, exited + seconds(9)));
  EXPECT_EQ(backoff.RemainingSince(exited, exited + seconds(9)), seconds(1));
  EXPECT_FALSE(backoff.InBackoffSince(exited, exited + seconds(10)));
}

TEST(BackoffTest, TenQuietMinutesStartTheCrashLoopOver) {
  Backoff backoff(agent::kCrashLoopBackoff, nullptr);
  TimePoint now = kStart;
  for (int i = 0; i < 4; ++i) backoff.Next(now);
  ASSERT_EQ(backoff.Current(), seconds(80));
  // Just under twice the maximum since the last failure: still backing off.
  now += minutes(10);
  EXPECT_EQ(backoff.RemainingSince(now, now), seconds(80));
  EXPECT_EQ(backoff.Next(now), seconds(160));
  // Over it: nothing to wait for, and the next failure starts at 10 s.
  now += minutes(10) + seconds(1);
  EXPECT_EQ(backoff.RemainingSince(now, now), Backoff::Duration::zero());
  EXPECT_EQ(backoff.Next(now), seconds(10));
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(agent::kCrashLoopBackoff, nullptr);
  backoff.Next(kStart);
  backoff.Next(kStart);
  backoff.Reset();
  EXPECT_EQ(backoff.Current(), Backoff::Duration::zero());
  EXPECT_EQ(backoff.Remaining(kStart), Backoff::Duration::zero());
  EXPECT_EQ(backoff.Next(kStart), seconds(10));
}

TEST(BackoffTest, SandboxRetryIsKubeletsTenSecondsJitteredUpToHalfAgain) {
  FixedRandom random(0);
  Backoff backoff(agent::kSandboxRetryBackoff, &random);
  EXPECT_EQ(backoff.Next(kStart), seconds(10));
  EXPECT_EQ(backoff.Next(kStart), seconds(10)) << "it does not grow";
  random.Set(0.5);
  EXPECT_EQ(backoff.Next(kStart), milliseconds(12500));
  random.Set(0.999);
  EXPECT_GT(backoff.Next(kStart), milliseconds(14900));
  EXPECT_LE(backoff.Current(), seconds(15));
}

TEST(BackoffTest, FullJitterDrawsUnderADoublingCeiling) {
  BackoffPolicy policy;
  policy.initial = milliseconds(500);
  policy.max = seconds(30);
  policy.jitter_below = 1;
  FixedRandom random(0.5);
  Backoff backoff(policy, &random);
  // Half of each ceiling: 0.5 s, 1 s, 2 s ... up to 30 s.
  EXPECT_EQ(backoff.Next(kStart), milliseconds(250));
  EXPECT_EQ(backoff.Next(kStart), milliseconds(500));
  EXPECT_EQ(backoff.Next(kStart), milliseconds(1000));
  for (int i = 0; i < 10; ++i) backoff.Next(kStart);
  EXPECT_EQ(backoff.Next(kStart), seconds(15));
  random.Set(0);
  EXPECT_EQ(backoff.Next(kStart), Backoff::Duration::zero()) << "full jitter reaches zero";
  // The longest wait stays in the upper half of the maximum.
  EXPECT_EQ(backoff.Longest(), seconds(15));
  random.Set(0.5);
  EXPECT_EQ(backoff.Longest(), milliseconds(22500));
}

TEST(BackoffTest, InitialAboveTheMaximumIsCapped) {
  BackoffPolicy policy;
  policy.initial = seconds(10);
  policy.max = seconds(1);
  Backoff backoff(policy, nullptr);
  EXPECT_EQ(backoff.Next(kStart), seconds(1));
  EXPECT_EQ(backoff.Longest(), seconds(1));
}

}  // namespace
}  // namespace fleetset::testing
