// Leader election and fencing on a real etcd cluster: one of two
// coordinators leads; when its lease runs out another takes over, and a
// write carrying the old leader's fence is refused by etcd itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "coordinator/leader/etcd_leader_lease_store.h"
#include "coordinator/leader/fenced_storage.h"
#include "coordinator/leader/leader_election.h"
#include "etcd_cluster.h"

namespace fleetset::testing {
namespace {

using coordinator::EtcdLeaderLeaseStore;
using coordinator::FencedStorage;
using coordinator::LeaderElection;
using coordinator::LeaderElectionOptions;
using ::testing::HasSubstr;

LeaderElectionOptions Options(const std::string& identity) {
  LeaderElectionOptions options;
  options.identity = identity;
  options.lease_ttl = std::chrono::seconds(2);
  return options;
}

std::unique_ptr<EtcdLeaderLeaseStore> LeaseStore(const EtcdCluster& cluster,
                                                 const std::string& prefix) {
  return std::make_unique<EtcdLeaderLeaseStore>(
      std::make_unique<storage::EtcdClient>(cluster.ClientOptions()), prefix);
}

// Steps `election` as its thread would until `done` holds or 10 s pass.
template <typename Done>
bool StepUntil(LeaderElection& election, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    election.Step();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

TEST(EtcdLeaderElection, ADeposedLeadersLateWriteIsRefusedByEtcd) {
  REQUIRE_ETCD();
  EtcdCluster& cluster = SharedEtcdCluster();
  const std::string prefix = UniquePrefix("election");
  const RealClock clock;
  auto a_store = LeaseStore(cluster, prefix);
  auto b_store = LeaseStore(cluster, prefix);
  LeaderElection a(*a_store, clock, Options("coordinator-a"));
  LeaderElection b(*b_store, clock, Options("coordinator-b"));
  ASSERT_TRUE(StepUntil(a, [&] { return a.IsLeader(); }));
  b.Step();
  EXPECT_FALSE(b.IsLeader());
  EXPECT_EQ(b.Leader().identity, "coordinator-a");

  auto store = storage::OpenEtcdStorage(cluster.Options(prefix));
  const std::optional<storage::Compare> a_fence = a.Fence();
  ASSERT_TRUE(a_fence.has_value());
  FencedStorage as_a(*store, a_fence->key, [a_fence] { return a_fence; });
  EXPECT_TRUE(as_a.Commit(PutTransaction("/registry/x", "from a")).committed());

  // a is paused: it neither renews nor steps. b takes over once a's lease
  // has run out in etcd.
  const auto paused = std::chrono::steady_clock::now();
  ASSERT_TRUE(StepUntil(b, [&] { return b.IsLeader(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - paused, std::chrono::seconds(2 + 2));
  EXPECT_FALSE(a.IsLeader()) << "a knows by its own clock that it may no longer lead";

  // A write a had already sent off carries its old fence: etcd refuses it.
  const storage::TransactionResult late = as_a.Commit(PutTransaction("/registry/x", "late"));
  EXPECT_EQ(late.status, storage::TransactionResult::Status::kFenced);
  EXPECT_THAT(late.error, HasSubstr("another coordinator has taken over"));
  EXPECT_EQ(store->Get("/registry/x")->value, "from a");
  FencedStorage as_b(*store, a_fence->key, [&b] { return b.Fence(); });
  EXPECT_TRUE(as_b.Commit(PutTransaction("/registry/x", "from b")).committed());

  // a resumes and rejoins as a follower.
  EXPECT_TRUE(StepUntil(a, [&] { return a.Leader().identity == "coordinator-b"; }));
  EXPECT_FALSE(a.IsLeader());
  b.Stop();
  // b resigned: its lease is revoked and a takes over without the TTL.
  const auto resigned = std::chrono::steady_clock::now();
  ASSERT_TRUE(StepUntil(a, [&] { return a.IsLeader(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - resigned, std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace fleetset::testing
