// Three real coordinators on a real three-member etcd: one leads; when it
// is killed another leads within the lease and a second; a paused leader
// stops leading and comes back as a follower; every coordinator serves
// operators; fleetsetctl moves to a live one; losing etcd's quorum refuses
// writes with one clear line while reads answer from the coordinators'
// caches, and everything works again once it is back; they compact etcd's
// history and work on, and their metrics show each etcd member's database
// size.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "etcd/etcd_cluster.h"
#include "fleetset/strings.h"
#include "support/coordinator_process.h"
#include "support/fleet_e2e.h"
#include "support/http_get.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr int kLeaseSeconds = 3;

class CoordinatorHaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ETCD();
    etcd_ = std::make_unique<EtcdCluster>(3);
    ASSERT_TRUE(etcd_->ok()) << etcd_->error();
    for (int n = 1; n <= 3; ++n) {
      const std::string dir = scratch_.path() + "/c" + std::to_string(n);
      if (n > 1) CopyClusterFiles(dir + "/coordinator-data");
      auto coordinator = CoordinatorProcess::Start(dir, Flags(n));
      ASSERT_NE(coordinator, nullptr);
      coordinators_.push_back(std::move(coordinator));
    }
  }

  std::vector<std::string> Flags(int n) const {
    std::vector<std::string> flags = {"--etcd-servers",
                                      Join(etcd_->endpoints(), ","),
                                      "--etcd-prefix",
                                      "/fleet",
                                      "--name",
                                      "c" + std::to_string(n),
                                      "--leader-elect-lease-duration",
                                      std::to_string(kLeaseSeconds) + "s",
                                      "--etcd-compaction-interval",
                                      compaction_interval_};
    flags.insert(flags.end(), extra_flags_.begin(), extra_flags_.end());
    return flags;
  }

  // What the operator copies from the first coordinator to the others.
  void CopyClusterFiles(const std::string& data_dir) {
    const std::string from = coordinators_[0]->data_dir() + "/pki/";
    std::filesystem::create_directories(data_dir + "/pki");
    for (const char* file : {"ca.crt", "ca.key", "encryption-config.yaml"}) {
      std::filesystem::copy_file(from + file, data_dir + "/pki/" + file,
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }

  // fleetsetctl as the admin, given every coordinator.
  CommandResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> addresses;
    for (const auto& coordinator : coordinators_) addresses.push_back(coordinator->address());
    std::vector<std::string> command = {BuiltProgram("ctl/fleetsetctl"),
                                        "--config",
                                        coordinators_[0]->admin_config(),
                                        "-s",
                                        Join(addresses, ","),
                                        "--request-timeout",
                                        "10s"};
    command.insert(command.end(), args.begin(), args.end());
    return RunCommand(command);
  }

  // The leader's name in `get coordinators`, or "" when none is shown.
  std::string Leader() {
    for (const TableRow& row : ParseTable(Ctl({"get", "coordinators"}).out)) {
      if (row.at("LEADER") == "true") return row.at("NAME");
    }
    return "";
  }

  // Polls until `done` holds or `timeout` passes; how long it took.
  template <typename Done>
  std::optional<milliseconds> Within(milliseconds timeout, Done done) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < timeout) {
      if (done()) {
        return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return std::nullopt;
  }

  CoordinatorProcess& ByName(const std::string& name) {
    return *coordinators_.at(std::stoi(name.substr(1)) - 1);
  }

  std::string DaemonSet(const std::string& name, const std::string& image) {
    const std::string path = scratch_.path() + "/" + name + ".yaml";
    std::ofstream(path) << "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: " << name
                        << "}\nspec:\n  selector: {matchLabels: {app: " << name
                        << "}}\n  template:\n    metadata: {labels: {app: " << name
                        << "}}\n    spec:\n      containers: [{name: main, image: " << image
                        << "}]\n";
    return path;
  }

  ScratchDirectory scratch_{"coordinator-ha"};
  std::string compaction_interval_ = "5m";
  std::vector<std::string> extra_flags_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::vector<std::unique_ptr<CoordinatorProcess>> coordinators_;
};

TEST_F(CoordinatorHaTest, OneLeadsAndAnotherTakesOverWithinTheLeaseWhenItIsKilled) {
  std::string leader;
  ASSERT_TRUE(Within(seconds(10), [&] { return !(leader = Leader()).empty(); }));
  // Each records itself as it starts serving; the write is not waited for.
  CommandResult listed;
  std::vector<TableRow> rows;
  Within(seconds(3), [&] {
    listed = Ctl({"get", "coordinators"});
    rows = ParseTable(listed.out);
    return rows.size() == 3u;
  });
  ASSERT_EQ(rows.size(), 3u) << Show(listed);
  for (const TableRow& row : rows) {
    EXPECT_EQ(row.at("STATUS"), "alive") << Show(listed);
    EXPECT_EQ(row.at("STORE"), "ok") << Show(listed);
  }
  // Any coordinator takes operators' writes; the leader's controllers act
  // on them.
  ASSERT_EQ(Ctl({"apply", "-f", DaemonSet("web", "example/web:1")}).exit_code, 0);
  ASSERT_TRUE(Within(seconds(10), [&] {
    return Ctl({"rollout", "history", "ds/web"}).out.find("1 ") != std::string::npos;
  }));

  ASSERT_TRUE(ByName(leader).Signal(SIGKILL));
  ByName(leader).Wait(seconds(5));
  std::string next;
  const auto took = Within(seconds(kLeaseSeconds + 5), [&] {
    next = Leader();
    return !next.empty() && next != leader;
  });
  ASSERT_TRUE(took) << Ctl({"get", "coordinators"}).out;
  EXPECT_LE(*took, seconds(kLeaseSeconds + 1)) << "a new leader within the lease and a second";
  // The new leader's controllers run: an update gets its revision.
  ASSERT_EQ(Ctl({"set", "image", "ds/web", "main=example/web:2"}).exit_code, 0);
  EXPECT_TRUE(Within(seconds(10), [&] {
    return Ctl({"rollout", "history", "ds/web"}).out.find("2 ") != std::string::npos;
  })) << Ctl({"rollout", "history", "ds/web"}).out;
  // The dead one is listed as unreachable once it has missed its heartbeats.
  EXPECT_TRUE(Within(seconds(20), [&] {
    for (const TableRow& row : ParseTable(Ctl({"get", "coordinators"}).out)) {
      if (row.at("NAME") == leader) return row.at("STATUS") == "unreachable";
    }
    return false;
  })) << Ctl({"get", "coordinators"}).out;
}

TEST_F(CoordinatorHaTest, APausedLeaderStopsLeadingAndRejoinsAsAFollower) {
  std::string leader;
  ASSERT_TRUE(Within(seconds(10), [&] { return !(leader = Leader()).empty(); }));
  CoordinatorProcess& paused = ByName(leader);
  ASSERT_TRUE(paused.Signal(SIGSTOP));
  std::string next;
  ASSERT_TRUE(Within(seconds(kLeaseSeconds + 5), [&] {
    next = Leader();
    return !next.empty() && next != leader;
  }));
  ASSERT_TRUE(paused.Signal(SIGCONT));
  // Back, it says it lost the lease and does not take the key back.
  EXPECT_TRUE(Within(seconds(10), [&] {
    return paused.Output().find("no longer leading") != std::string::npos;
  })) << paused.Output();
  std::this_thread::sleep_for(seconds(kLeaseSeconds));
  EXPECT_EQ(Leader(), next);
  const std::string output = paused.Output();
  EXPECT_EQ(output.find("leading the coordinators", output.find("no longer leading")),
            std::string::npos)
      << "the paused coordinator must not lead again while the new leader lives:\n"
      << output;
}

TEST_F(CoordinatorHaTest, LosingEtcdsQuorumRefusesWritesClearlyAndEverythingRecovers) {
  ASSERT_TRUE(Within(seconds(10), [&] { return !Leader().empty(); }));
  ASSERT_EQ(Ctl({"apply", "-f", DaemonSet("web", "example/web:1")}).exit_code, 0);
  // One member lost: nothing noticed.
  etcd_->KillMember(3);
  const CommandResult with_two = Ctl({"apply", "-f", DaemonSet("api", "example/api:1")});
  EXPECT_EQ(with_two.exit_code, 0) << Show(with_two);
  // Two lost: writes are refused with one line naming the store.
  etcd_->KillMember(2);
  const CommandResult refused = Ctl({"apply", "-f", DaemonSet("db", "example/db:1")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("store unavailable"));
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  // Reads still answer, from the coordinator's cache, and say so.
  const CommandResult stale = Ctl({"get", "ds"});
  EXPECT_EQ(stale.exit_code, 0) << Show(stale);
  EXPECT_THAT(stale.out, HasSubstr("api"));
  EXPECT_THAT(stale.err, HasSubstr("Warning: store unavailable: "));
  EXPECT_THAT(stale.err, HasSubstr("may be stale"));
  // No coordinator can keep leading without etcd.
  EXPECT_TRUE(Within(seconds(kLeaseSeconds + 3), [&] {
    const std::string listed = Ctl({"get", "coordinators"}).out;
    return listed.find("true") == std::string::npos;
  })) << Ctl({"get", "coordinators"}).out;
  // Quorum back: a leader again, and writes work, with nobody's help.
  etcd_->StartMember(2);
  etcd_->StartMember(3);
  EXPECT_TRUE(Within(seconds(20), [&] { return !Leader().empty(); }));
  EXPECT_TRUE(Within(seconds(20), [&] {
    return Ctl({"apply", "-f", DaemonSet("db", "example/db:1")}).exit_code == 0;
  }));
  const CommandResult listed = Ctl({"get", "ds"});
  EXPECT_THAT(listed.out, HasSubstr("web"));
  EXPECT_THAT(listed.out, HasSubstr("api"));
  EXPECT_THAT(listed.out, HasSubstr("db"));
}

TEST_F(CoordinatorHaTest, FleetsetctlMovesToALiveCoordinator) {
  ASSERT_TRUE(coordinators_[0]->Signal(SIGKILL));
  coordinators_[0]->Wait(seconds(5));
  ASSERT_TRUE(coordinators_[1]->Signal(SIGSTOP));
  const CommandResult listed = Ctl({"get", "coordinators"});
  EXPECT_EQ(listed.exit_code, 0) << Show(listed);
  EXPECT_THAT(listed.out, HasSubstr("c3"));
  coordinators_[1]->Signal(SIGCONT);
}

// The same coordinators compacting etcd every second, not every five
// minutes, and asking its members' database sizes every second for their
// metrics.
class CoordinatorHaCompactionTest : public CoordinatorHaTest {
 protected:
  CoordinatorHaCompactionTest() {
    compaction_interval_ = "1s";
    extra_flags_ = {"--metrics-listen", "127.0.0.1:0", "--etcd-db-metric-poll-interval", "1s"};
  }
};

TEST_F(CoordinatorHaCompactionTest, TheyCompactEtcdsHistoryAndKeepWorking) {
  ASSERT_EQ(Ctl({"apply", "-f", DaemonSet("web", "example/web:1")}).exit_code, 0);
  storage::EtcdClient admin(etcd_->ClientOptions());
  etcdserverpb::RangeRequest now;
  now.set_key("/fleet/coordinator/compaction");
  const int64_t applied = admin.Range(now).header().revision();
  // Within a few intervals a turn notes a later revision and the next
  // compacts to it: reading as of `applied` is refused.
  etcdserverpb::RangeRequest then = now;
  then.set_revision(applied);
  const auto compacted = Within(seconds(15), [&] {
    try {
      admin.Range(then);
      return false;
    } catch (const storage::EtcdError& error) {
      return error.code() == grpc::StatusCode::OUT_OF_RANGE;
    }
  });
  ASSERT_TRUE(compacted) << "etcd not compacted past revision " << applied;
  size_t compacting = 0;
  for (const auto& coordinator : coordinators_) {
    if (coordinator->Output().find("compacted etcd's history up to revision") !=
        std::string::npos) {
      ++compacting;
    }
  }
  EXPECT_GE(compacting, 1u);
  // Their watches go on past the compactions: a change made now reaches
  // the leader's controllers, and every coordinator still records itself.
  ASSERT_EQ(Ctl({"set", "image", "ds/web", "main=example/web:2"}).exit_code, 0);
  EXPECT_TRUE(Within(seconds(10), [&] {
    return Ctl({"rollout", "history", "ds/web"}).out.find("2 ") != std::string::npos;
  })) << Ctl({"rollout", "history", "ds/web"}).out;
  const CommandResult listed = Ctl({"get", "coordinators"});
  const std::vector<TableRow> rows = ParseTable(listed.out);
  ASSERT_EQ(rows.size(), 3u) << Show(listed);
  for (const TableRow& row : rows) EXPECT_EQ(row.at("STORE"), "ok") << Show(listed);
}

TEST_F(CoordinatorHaCompactionTest, TheirMetricsShowEachEtcdMembersDatabaseSize) {
  for (const auto& coordinator : coordinators_) {
    const int port = coordinator->MetricsPort();
    ASSERT_GT(port, 0) << coordinator->Output();
    std::string text;
    const auto shown = Within(seconds(10), [&] {
      text = HttpGet(port, "/metrics").body;
      for (const std::string& endpoint : etcd_->endpoints()) {
        const std::string labels = "{endpoint=\"" + endpoint + "\"}";
        if (SampleValue(text, "fleetset_coordinator_etcd_db_total_size_in_bytes" + labels)
                    .value_or(0) <= 0 ||
            SampleValue(text, "fleetset_coordinator_etcd_db_total_size_in_use_in_bytes" + labels)
                    .value_or(0) <= 0) {
          return false;
        }
      }
      return true;
    });
    EXPECT_TRUE(shown) << text;
  }
}

}  // namespace
}  // namespace fleetset::testing
