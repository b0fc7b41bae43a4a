// Events per involved object are limited as client-go's spam filter limits
// them: a burst, then one per refill period; other objects are not affected.
#include "coordinator/controllers/event_spam_filter.h"

#include <gtest/gtest.h>

#include "coordinator/controllers/event_recorder.h"
#include "coordinator/storage/memory_storage.h"
#include "coordinator/storage/watch_barrier.h"

namespace fleetset::testing {
namespace {

using coordinator::EventSpamFilter;
using coordinator::EventSpamFilterOptions;

int AllowedOf(EventSpamFilter& filter, const std::string& object, int tries) {
  int allowed = 0;
  for (int i = 0; i < tries; ++i) allowed += filter.Allow(object) ? 1 : 0;
  return allowed;
}

TEST(EventSpamFilterTest, ABurstThenOnePerRefillPeriodForEachObject) {
  FakeClock clock;
  EventSpamFilter filter(clock);
  EXPECT_EQ(AllowedOf(filter, "daemonset/default/a", 40), 25);
  EXPECT_EQ(AllowedOf(filter, "daemonset/default/b", 3), 3) << "another object has its own";
  clock.Advance(std::chrono::seconds(299));
  EXPECT_FALSE(filter.Allow("daemonset/default/a"));
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(filter.Allow("daemonset/default/a")) << "one more after five minutes";
  EXPECT_FALSE(filter.Allow("daemonset/default/a"));
  clock.Advance(std::chrono::hours(10));
  EXPECT_EQ(AllowedOf(filter, "daemonset/default/a", 40), 25) << "never more than the burst";
}

TEST(EventSpamFilterTest, ObjectsBeyondTheTrackedLimitDoNotResetASpentBucket) {
  FakeClock clock;
  EventSpamFilterOptions options;
  options.max_tracked = 3;
  EventSpamFilter filter(clock, options);
  EXPECT_EQ(AllowedOf(filter, "node/spent", 30), 25);
  clock.Advance(std::chrono::hours(1));
  // More objects than are tracked: only full buckets may be forgotten.
  for (const char* other : {"node/a", "node/b", "node/c", "node/d"}) {
    EXPECT_TRUE(filter.Allow(other));
  }
  EXPECT_EQ(AllowedOf(filter, "node/spent", 30), 12) << "twelve earned in an hour, no more";
}

TEST(EventRecorderTest, ARollingUpdateOverManyNodesStoresOnlyTheBurstAboutItsDaemonSet) {
  FakeClock clock;
  auto durable = coordinator::storage::OpenMemoryStorage();
  auto volatile_store = coordinator::storage::OpenMemoryStorage();
  coordinator::Registries registries(*durable, *volatile_store, clock);
  coordinator::EventRecorder recorder(registries.events, clock);
  for (int node = 0; node < 100; ++node) {
    recorder.Record("daemonset/default/agent", "Normal", "SuccessfulCreate",
                    "Created pod: agent-x on node node-" + std::to_string(node));
  }
  recorder.Record("node/node-1", "Normal", "NodeReady", "Node node-1 status is now: NodeReady");
  coordinator::storage::WaitForWatchers(*volatile_store);
  coordinator::storage::WaitForWatchers(*durable);
  EXPECT_EQ(registries.events.List().items.size(), 26u);
}

}  // namespace
}  // namespace fleetset::testing
