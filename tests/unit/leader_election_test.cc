// The election's timing on a fake clock, against a lease store that keeps
// etcd's rules in memory: keys bound to a lease vanish when it expires.
#include "coordinator/leader/leader_election.h"

#include <gtest/gtest.h>

#include <map>

namespace fleetset::coordinator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// etcd's lease and leader key, on the test's clock.
class FakeLeaseStore final : public LeaderLeaseStore {
 public:
  explicit FakeLeaseStore(const FakeClock& clock) : clock_(clock) {}

  int64_t GrantLease(seconds ttl) override {
    Check();
    const int64_t id = ++last_lease_;
    leases_[id] = {ttl, clock_.Now() + ttl};
    return id;
  }
  seconds RenewLease(int64_t lease) override {
    Check();
    Expire();
    auto it = leases_.find(lease);
    if (it == leases_.end()) return seconds(0);
    it->second.expires = clock_.Now() + it->second.ttl;
    return it->second.ttl;
  }
  void RevokeLease(int64_t lease) override {
    Check();
    leases_.erase(lease);
    Expire();
  }
  LeaderRecord Acquire(const std::string& key, const std::string& identity,
                       int64_t lease) override {
    Check();
    Expire();
    (void)key;
    if (!holder_.held() && leases_.contains(lease)) {
      holder_ = {identity, ++revision_, lease};
    }
    return holder_;
  }
  LeaderRecord Holder(const std::string&) override {
    Check();
    Expire();
    return holder_;
  }

  // Every call fails while the store is unreachable.
  bool reachable = true;

 private:
  struct Lease {
    seconds ttl;
    std::chrono::steady_clock::time_point expires;
  };
  void Check() const {
    if (!reachable) throw storage::StorageError("etcd unavailable: connection refused");
  }
  void Expire() {
    for (auto it = leases_.begin(); it != leases_.end();) {
      it = clock_.Now() >= it->second.expires ? leases_.erase(it) : std::next(it);
    }
    if (holder_.held() && !leases_.contains(holder_.lease)) holder_ = {};
  }

  const FakeClock& clock_;
  std::map<int64_t, Lease> leases_;
  int64_t last_lease_ = 0;
  storage::Revision revision_ = 100;
  LeaderRecord holder_;
};

LeaderElectionOptions Options(const std::string& identity) {
  LeaderElectionOptions options;
  options.identity = identity;
  options.lease_ttl = seconds(3);
  return options;
}

// Two coordinators, a and b, on one store and one fake clock.
class LeaderElectionTest : public ::testing::Test {
 protected:
  // Steps each election as its own thread would, 100 ms at a time.
  void RunFor(std::initializer_list<LeaderElection*> elections, milliseconds duration) {
    for (milliseconds passed(0); passed < duration; passed += milliseconds(100)) {
      for (LeaderElection* election : elections) election->Step();
      clock_.Advance(milliseconds(100));
    }
  }
  // Steps `election` alone until `done` holds or 10 s have passed; how long it took.
  template <typename Done>
  std::chrono::steady_clock::duration StepUntil(LeaderElection& election, Done done) {
    const auto start = clock_.Now();
    while (!done() && clock_.Now() - start < seconds(10)) RunFor({&election}, milliseconds(100));
    return clock_.Now() - start;
  }

  FakeClock clock_;
  FakeLeaseStore store_{clock_};
  LeaderElection a_{store_, clock_, Options("coordinator-a")};
  LeaderElection b_{store_, clock_, Options("coordinator-b")};
};

TEST_F(LeaderElectionTest, OneOfSeveralLeadsAndFencesOnTheRevisionThatWroteTheKey) {
  a_.Step();
  b_.Step();
  EXPECT_TRUE(a_.IsLeader());
  EXPECT_FALSE(b_.IsLeader());
  EXPECT_EQ(b_.Leader().identity, "coordinator-a");
  ASSERT_TRUE(a_.Fence().has_value());
  EXPECT_EQ(a_.Fence()->key, "/coordinator/leader");
  EXPECT_EQ(a_.Fence()->mod_revision, a_.Leader().revision);
  EXPECT_FALSE(b_.Fence().has_value());
  // Renewals keep it leading for as long as the store answers.
  RunFor({&a_, &b_}, seconds(30));
  EXPECT_TRUE(a_.IsLeader());
  EXPECT_FALSE(b_.IsLeader());
  EXPECT_EQ(a_.Transitions(), 1u);
}

TEST_F(LeaderElectionTest, ADeadLeadersLeaseExpiresAndAFollowerTakesOverWithinTheTtlAndASecond) {
  RunFor({&a_, &b_}, seconds(2));
  ASSERT_TRUE(a_.IsLeader());
  const storage::Revision old_fence = a_.Fence()->mod_revision;
  // a is killed: it steps no more.
  const auto took = StepUntil(b_, [&] { return b_.IsLeader(); });
  EXPECT_TRUE(b_.IsLeader());
  EXPECT_LE(took, seconds(3) + seconds(1));
  EXPECT_NE(b_.Fence()->mod_revision, old_fence) << "a new holder means a new fencing token";
}

TEST_F(LeaderElectionTest, AFollowerToldTheKeyWentCampaignsAtOnceInsteadOfAtItsNextRetry) {
  LeaderElectionOptions options = Options("coordinator-c");
  options.retry_interval = seconds(5);
  LeaderElection c(store_, clock_, options);
  a_.Step();
  c.Step();
  ASSERT_TRUE(a_.IsLeader());
  // a is killed; the store lets the key go once a's lease runs out, long
  // before c's next campaign is due.
  while (store_.Holder("/coordinator/leader").held()) clock_.Advance(milliseconds(100));
  c.Step();
  ASSERT_FALSE(c.IsLeader()) << "not due yet";
  c.KeyGone();
  c.Step();
  EXPECT_TRUE(c.IsLeader());
}

TEST_F(LeaderElectionTest, APausedLeaderStopsLeadingByItsOwnClockAndRejoinsAsAFollower) {
  RunFor({&a_, &b_}, seconds(2));
  ASSERT_TRUE(a_.IsLeader());
  // SIGSTOP: a's thread does not run while b's does.
  RunFor({&b_}, seconds(5));
  ASSERT_TRUE(b_.IsLeader());
  // SIGCONT: before its thread has stepped, a already knows it does not lead.
  EXPECT_FALSE(a_.IsLeader());
  EXPECT_FALSE(a_.Fence().has_value());
  a_.Step();
  EXPECT_FALSE(a_.IsLeader());
  RunFor({&a_, &b_}, seconds(10));
  EXPECT_FALSE(a_.IsLeader());
  EXPECT_TRUE(b_.IsLeader());
  EXPECT_EQ(a_.Leader().identity, "coordinator-b");
}

TEST_F(LeaderElectionTest, ALeaderCutOffFromTheStoreStopsBeforeItsLeaseCouldExpire) {
  RunFor({&a_}, milliseconds(500));
  ASSERT_TRUE(a_.IsLeader());
  store_.reachable = false;
  const auto took = StepUntil(a_, [&] { return !a_.IsLeader(); });
  EXPECT_FALSE(a_.IsLeader());
  EXPECT_LE(took, seconds(3)) << "no later than the store's own expiry";
  // Back in touch: it campaigns again and, alone, leads again.
  store_.reachable = true;
  RunFor({&a_}, seconds(5));
  EXPECT_TRUE(a_.IsLeader());
  EXPECT_EQ(a_.Transitions(), 3u);
}

TEST_F(LeaderElectionTest, StoppingALeaderHandsOverAtOnce) {
  RunFor({&a_, &b_}, seconds(1));
  ASSERT_TRUE(a_.IsLeader());
  a_.Stop();
  EXPECT_FALSE(a_.IsLeader());
  RunFor({&b_}, seconds(1) + milliseconds(100));
  EXPECT_TRUE(b_.IsLeader()) << "the revoked lease freed the key without waiting for the TTL";
}

TEST_F(LeaderElectionTest, ChangesAreReportedOncePerTransition) {
  std::vector<std::pair<bool, std::string>> seen;
  LeaderElectionOptions options = Options("coordinator-c");
  options.on_change = [&](bool leading, const LeaderRecord& leader) {
    seen.emplace_back(leading, leader.identity);
  };
  LeaderElection c(store_, clock_, options);
  RunFor({&c}, seconds(5));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_pair(true, std::string("coordinator-c")));
  store_.reachable = false;
  RunFor({&c}, seconds(5));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].first);
}

}  // namespace
}  // namespace fleetset::coordinator
