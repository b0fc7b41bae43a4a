// A coordinator started on a SQLite database written by an older release
// brings it to the current schema and serves what it held. (The fleet
// tests in fleet_test.cc run on both stores; this one is SQLite's own.)
#include <gtest/gtest.h>

#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

TEST(FleetSqliteSchemaTest, ADatabaseOfTheFirstSchemaIsMigratedOnStart) {
  FleetHarness harness;
  harness.ReopenOn(std::string(FLEETSET_SOURCE_DIR) + "/tests/data/coordinator/v1-fleetset.db");
  v1::ListDaemonSetsRequest list;
  list.set_all_namespaces(true);
  v1::ListDaemonSetsResponse listed;
  ASSERT_TRUE(harness.fleet().ListDaemonSets(list, &listed).ok());
  ASSERT_EQ(listed.items_size(), 2);
  EXPECT_EQ(listed.items(0).metadata().name(), "fluentd");
  EXPECT_FALSE(listed.items(0).metadata().resource_version().empty());
  v1::RolloutHistoryRequest history;
  history.mutable_key()->set_name("fluentd");
  v1::RolloutHistoryResponse revisions;
  ASSERT_TRUE(harness.fleet().RolloutHistory(history, &revisions).ok());
  ASSERT_EQ(revisions.revisions_size(), 2);
  EXPECT_EQ(revisions.revisions(0).revision(), 1);
  EXPECT_EQ(revisions.revisions(1).revision(), 2);
  v1::ListNodesResponse nodes;
  ASSERT_TRUE(harness.fleet().ListNodes({}, &nodes).ok());
  EXPECT_EQ(nodes.items_size(), 3);
}

}  // namespace
}  // namespace fleetset::testing
