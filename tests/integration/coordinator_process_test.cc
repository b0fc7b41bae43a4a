// The real fleetset-coordinator process: what it tells systemd, how it stops,
// and how it refuses a bad command line, a bad config file and a data
// directory another coordinator holds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "support/coordinator_process.h"
#include "support/notify_socket_listener.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class CoordinatorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "coordinator-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CommandResult RunCoordinator(std::vector<std::string> args) {
    args.insert(args.begin(), BuiltProgram("coordinator/fleetset-coordinator"));
    return RunCommand(args);
  }

  std::string dir_;
};

TEST_F(CoordinatorProcessTest, NotifiesSystemdAndStopsOnSigterm) {
  NotifySocketListener listener;
  // WATCHDOG_PID is left unset: sd_watchdog_enabled() takes that as "meant
  // for this process". One second: the loop pings about every second.
  auto coordinator = CoordinatorProcess::Start(
      dir_, {}, {{"NOTIFY_SOCKET", listener.path()}, {"WATCHDOG_USEC", "2000000"}});
  ASSERT_NE(coordinator, nullptr);
  const std::optional<std::string> ready = listener.WaitFor("READY=1", milliseconds(10000));
  ASSERT_TRUE(ready.has_value()) << coordinator->Output();
  EXPECT_THAT(*ready, MatchesRegex("READY=1\nSTATUS=0 nodes \\(0 Ready\\), 0 daemon sets"));
  EXPECT_TRUE(listener.WaitFor("WATCHDOG=1", milliseconds(5000)).has_value());
  ASSERT_TRUE(coordinator->Signal(SIGTERM));
  EXPECT_TRUE(listener.WaitFor("STOPPING=1", milliseconds(5000)).has_value());
  EXPECT_EQ(coordinator->Wait(milliseconds(10000)), 0) << coordinator->Output();
}

TEST_F(CoordinatorProcessTest, SecondCoordinatorOnTheSameDataDirIsRefused) {
  auto first = CoordinatorProcess::Start(dir_);
  ASSERT_NE(first, nullptr);
  const CommandResult second =
      RunCoordinator({"--listen", "127.0.0.1:0", "--data-dir", first->data_dir()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("another fleetset-coordinator is using")) << second.err;
}

TEST_F(CoordinatorProcessTest, BadFlagsAndConfigValuesExitWithTheirCodes) {
  const CommandResult unknown = RunCoordinator({"--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 64) << unknown.err;

  const CommandResult relative = RunCoordinator({"--data-dir", "relative/dir"});
  EXPECT_EQ(relative.exit_code, 78);
  EXPECT_THAT(relative.err, HasSubstr("--data-dir: \"relative/dir\": must be an absolute path"));

  const std::string config = dir_ + "/coordinator.yaml";
  std::ofstream(config) << "listen: 127.0.0.1:0\nnodeMonitorGracePeriod: soon\nsurprise: 1\n";
  const CommandResult bad_file = RunCoordinator({"--config", config});
  EXPECT_EQ(bad_file.exit_code, 78);
  EXPECT_THAT(bad_file.err, HasSubstr(config + ":2: nodeMonitorGracePeriod: \"soon\""));
  EXPECT_THAT(bad_file.err, HasSubstr(config + ":3: surprise: unknown setting"));
}

}  // namespace
}  // namespace fleetset::testing
