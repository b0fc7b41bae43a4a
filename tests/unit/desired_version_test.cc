#include "coordinator/agenthub/desired_version.h"

#include <gtest/gtest.h>

namespace fleetset::coordinator {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr uint64_t kNov2026 = 1795000000;

TEST(FirstDesiredVersion, StartsAtTheWallClockSecondAboveASmallStoredEpoch) {
  const system_clock::time_point now{seconds(kNov2026)};
  EXPECT_EQ(FirstDesiredVersion(0, now), kNov2026 << 32);
  EXPECT_EQ(FirstDesiredVersion((7ull << 32) | 123, now), kNov2026 << 32);
}

TEST(FirstDesiredVersion, TwoStartsInOneSecondStillMoveUp) {
  const system_clock::time_point now{seconds(kNov2026)};
  const uint64_t first = FirstDesiredVersion(0, now);
  const uint64_t second = FirstDesiredVersion(first + 40, now);
  EXPECT_EQ(second, (kNov2026 + 1) << 32);
}

TEST(FirstDesiredVersion, ARestoredBackupStartsAboveWhatTheFleetWasGivenSince) {
  // The backup was taken during the run that started at kNov2026; the run
  // after it started a day later and handed out many versions.
  const uint64_t in_backup = (kNov2026 << 32) | 10;
  const uint64_t handed_out_later = ((kNov2026 + 86400) << 32) | 5000;
  const system_clock::time_point restored_at{seconds(kNov2026 + 2 * 86400)};
  EXPECT_GT(FirstDesiredVersion(in_backup, restored_at), handed_out_later);
}

TEST(FirstDesiredVersion, AClockBeforeTheEpochFallsBackToTheStoredEpoch) {
  const system_clock::time_point before{seconds(-5)};
  EXPECT_EQ(FirstDesiredVersion(3ull << 32, before), 4ull << 32);
}

}  // namespace
}  // namespace fleetset::coordinator
