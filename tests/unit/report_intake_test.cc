// The agent hub's report intake: one report per node queued, the newest,
// taken in the order nodes reported, on a thread below normal priority.
#include "coordinator/agenthub/report_intake.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetset::coordinator {
namespace {

int ThisThreadsNiceness() { return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); }

v1::StatusReport ReportOf(uint64_t desired_version) {
  v1::StatusReport report;
  report.set_desired_version(desired_version);
  return report;
}

// What the intake took, in order: "node/stream/desired_version".
class TakenLog {
 public:
  void Add(const std::string& node_name, uint64_t stream, const v1::StatusReport& report) {
    std::lock_guard lock(mu_);
    taken_.push_back(node_name + "/" + std::to_string(stream) + "/" +
                     std::to_string(report.desired_version()));
  }
  std::vector<std::string> Taken() {
    std::lock_guard lock(mu_);
    return taken_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> taken_;
};

TEST(ReportIntakeTest, KeepsTheNewestReportOfANodeInItsFirstPlace) {
  TakenLog log;
  std::promise<void> gate_entered;
  std::promise<void> release_gate;
  std::shared_future<void> released = release_gate.get_future().share();
  ReportIntake intake(
      [&](const std::string& node_name, uint64_t stream, v1::StatusReport report) {
        if (node_name == "gate") {
          gate_entered.set_value();
          released.wait();
        }
        log.Add(node_name, stream, report);
      },
      0);
  intake.Push("gate", 1, ReportOf(1));
  gate_entered.get_future().wait();
  // Queued while the intake is busy with the gate's report.
  intake.Push("node-a", 1, ReportOf(1));
  intake.Push("node-b", 1, ReportOf(1));
  intake.Push("node-a", 2, ReportOf(2));
  release_gate.set_value();
  intake.WaitUntilTaken();
  EXPECT_EQ(log.Taken(), (std::vector<std::string>{"gate/1/1", "node-a/2/2", "node-b/1/1"}));
}

TEST(ReportIntakeTest, CountsTheNodesWhoseReportWaits) {
  std::promise<void> gate_entered;
  std::promise<void> release_gate;
  std::shared_future<void> released = release_gate.get_future().share();
  ReportIntake intake(
      [&](const std::string& node_name, uint64_t, v1::StatusReport) {
        if (node_name == "gate") {
          gate_entered.set_value();
          released.wait();
        }
      },
      0);
  EXPECT_EQ(intake.Waiting(), 0u);
  intake.Push("gate", 1, ReportOf(1));
  gate_entered.get_future().wait();
  // The one being taken no longer waits; a node's newer report replaces
  // its waiting one.
  EXPECT_EQ(intake.Waiting(), 0u);
  intake.Push("node-a", 1, ReportOf(1));
  intake.Push("node-b", 1, ReportOf(1));
  intake.Push("node-a", 1, ReportOf(2));
  EXPECT_EQ(intake.Waiting(), 2u);
  release_gate.set_value();
  intake.WaitUntilTaken();
  EXPECT_EQ(intake.Waiting(), 0u);
}

TEST(ReportIntakeTest, WaitUntilTakenReturnsAfterEveryEarlierReport) {
  TakenLog log;
  ReportIntake intake([&](const std::string& node_name, uint64_t stream,
                          v1::StatusReport report) { log.Add(node_name, stream, report); },
                      0);
  for (int i = 0; i < 100; ++i) intake.Push("node-" + std::to_string(i), 1, ReportOf(7));
  intake.WaitUntilTaken();
  EXPECT_EQ(log.Taken().size(), 100u);
}

TEST(ReportIntakeTest, ATakeThatThrowsLeavesTheIntakeRunning) {
  TakenLog log;
  ReportIntake intake(
      [&](const std::string& node_name, uint64_t stream, v1::StatusReport report) {
        if (node_name == "broken") throw std::runtime_error("cannot encode");
        log.Add(node_name, stream, report);
      },
      0);
  intake.Push("broken", 1, ReportOf(1));
  intake.Push("node-a", 1, ReportOf(1));
  intake.WaitUntilTaken();
  EXPECT_EQ(log.Taken(), std::vector<std::string>{"node-a/1/1"});
}

TEST(ReportIntakeTest, TakesReportsBelowTheCallersPriority) {
  const int caller_niceness = ThisThreadsNiceness();
  std::promise<int> take_niceness;
  ReportIntake intake([&](const std::string&, uint64_t,
                          v1::StatusReport) { take_niceness.set_value(ThisThreadsNiceness()); },
                      19);
  intake.Push("node-a", 1, ReportOf(1));
  EXPECT_EQ(take_niceness.get_future().get(), std::max(caller_niceness, 19));
  EXPECT_EQ(ThisThreadsNiceness(), caller_niceness);
}

}  // namespace
}  // namespace fleetset::coordinator
