// Each coordinator records itself in the store; the list marks the leader,
// shows the silent ones as unreachable, and the leader forgets them after
// a day.
#include "coordinator/members/coordinator_members.h"

#include <gtest/gtest.h>

#include "coordinator/storage/memory_storage.h"

namespace fleetset::coordinator {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

CoordinatorMemberOptions Member(const std::string& name) {
  CoordinatorMemberOptions options;
  options.name = name;
  options.address = name + ":7400";
  options.store = "etcd";
  options.heartbeat_interval = seconds(5);
  return options;
}

class CoordinatorMembersTest : public ::testing::Test {
 protected:
  // Heartbeats are committed in the background; wait for them.
  void Beat(CoordinatorMembers& members) {
    members.Heartbeat();
    store_->Commit({});
  }

  FakeClock clock_;
  std::unique_ptr<storage::Storage> store_ = storage::OpenMemoryStorage();
  std::string leader_ = "coord-1";
  CoordinatorMembers one_{*store_, clock_, Member("coord-1"), [this] { return leader_; }};
  CoordinatorMembers two_{*store_, clock_, Member("coord-2"), [this] { return leader_; }};
};

TEST_F(CoordinatorMembersTest, EveryCoordinatorListsEveryOneWithTheLeaderMarked) {
  Beat(one_);
  Beat(two_);
  const std::vector<v1::Coordinator> seen = two_.List();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].metadata().name(), "coord-1");
  EXPECT_TRUE(seen[0].status().leader());
  EXPECT_EQ(seen[0].status().address(), "coord-1:7400");
  EXPECT_EQ(seen[0].status().state(), "alive");
  EXPECT_EQ(seen[0].status().store(), "etcd");
  EXPECT_FALSE(seen[1].status().leader());
  // Leadership moves: every list follows the key, not the stored records.
  leader_ = "coord-2";
  EXPECT_FALSE(one_.List()[0].status().leader());
  EXPECT_TRUE(one_.List()[1].status().leader());
}

TEST_F(CoordinatorMembersTest, ASilentCoordinatorIsUnreachableThenForgottenByTheLeader) {
  Beat(one_);
  Beat(two_);
  // coord-2 dies; coord-1 goes on beating.
  clock_.Advance(seconds(16));
  Beat(one_);
  std::vector<v1::Coordinator> seen = one_.List();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].status().state(), "unreachable");
  EXPECT_EQ(seen[0].status().state(), "alive");
  clock_.Advance(hours(25));
  Beat(one_);
  seen = one_.List();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].metadata().name(), "coord-1");
}

TEST_F(CoordinatorMembersTest, NoRecordIsWrittenBeforeTheAddressIsKnown) {
  CoordinatorMemberOptions options = Member("coord-3");
  options.address.clear();
  CoordinatorMembers three(*store_, clock_, options, [] { return std::string(); });
  Beat(three);
  EXPECT_EQ(store_->Get(std::string(kCoordinatorMembersPrefix) + "coord-3"), std::nullopt);
  three.SetAddress("10.0.0.3:7400");
  Beat(three);
  ASSERT_TRUE(store_->Get(std::string(kCoordinatorMembersPrefix) + "coord-3").has_value());
}

}  // namespace
}  // namespace fleetset::coordinator
