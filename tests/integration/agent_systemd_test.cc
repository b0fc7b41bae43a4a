// The agent's side of systemd: sd_notify datagrams on a real socket, the unit
// file through `systemd-analyze verify`, and the journal records' fields.
// (There is no journald on the test machines, so the journal sink's field
// list is checked as the pure function the sink sends.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/logging.h"
#include "daemon/systemd_notifier.h"
#include "support/notify_socket_listener.h"
#include "support/run_command.h"
#include "support/unit_file.h"

namespace fleetset::agent {
namespace {

using std::chrono::milliseconds;
using testing::CommandResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::NotifySocketListener;
using testing::RunCommand;
using testing::VerifyUnitFile;

constexpr milliseconds kWait{2000};
constexpr milliseconds kQuiet{100};

// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// --- sd_notify ---------------------------------------------------------------

TEST(SystemdNotifier, SendsEachStateAsOneDatagram) {
  NotifySocketListener listener;
  ScopedEnv socket("NOTIFY_SOCKET", listener.path().c_str());
  SystemdNotifier notifier;

  notifier.Ready("3 pods running");
  EXPECT_EQ(listener.Receive(kWait), "READY=1\nSTATUS=3 pods running");
  notifier.Ready("");
  EXPECT_EQ(listener.Receive(kWait), "READY=1");
  notifier.Status("2 pods running, 1 waiting for image");
  EXPECT_EQ(listener.Receive(kWait), "STATUS=2 pods running, 1 waiting for image");
  notifier.Watchdog();
  EXPECT_EQ(listener.Receive(kWait), "WATCHDOG=1");
  notifier.Reloading();
  EXPECT_THAT(listener.Receive(kWait).value_or(""),
              MatchesRegex("RELOADING=1\nMONOTONIC_USEC=[0-9]+"));
  notifier.Stopping();
  EXPECT_EQ(listener.Receive(kWait), "STOPPING=1");
  EXPECT_EQ(listener.Receive(kQuiet), std::nullopt);
}

TEST(SystemdNotifier, StatusCannotInjectOtherAssignments) {
  NotifySocketListener listener;
  ScopedEnv socket("NOTIFY_SOCKET", listener.path().c_str());
  SystemdNotifier notifier;
  notifier.Status("pod x failed:\nSTOPPING=1");
  EXPECT_EQ(listener.Receive(kWait), "STATUS=pod x failed: STOPPING=1");
}

TEST(SystemdNotifier, SilentWithoutNotifySocket) {
  NotifySocketListener listener;
  ScopedEnv socket("NOTIFY_SOCKET", nullptr);
  SystemdNotifier notifier;
  notifier.Ready("up");
  notifier.Watchdog();
  notifier.Stopping();
  EXPECT_EQ(listener.Receive(kQuiet), std::nullopt);
}

TEST(SystemdNotifier, WaitForSkipsOtherMessages) {
  NotifySocketListener listener;
  ScopedEnv socket("NOTIFY_SOCKET", listener.path().c_str());
  SystemdNotifier notifier;
  notifier.Status("starting");
  notifier.Watchdog();
  notifier.Ready("serving");
  EXPECT_EQ(listener.WaitFor("READY=1", kWait), "READY=1\nSTATUS=serving");
  EXPECT_EQ(listener.WaitFor("STOPPING=1", kQuiet), std::nullopt);
}

TEST(SystemdNotifier, WatchdogIntervalFromTheEnvironment) {
  ScopedEnv pid("WATCHDOG_PID", nullptr);
  {
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    EXPECT_EQ(SystemdNotifier().WatchdogInterval(), std::chrono::seconds(30));
    // Inherited from a parent that was the one being watched: not ours.
    ScopedEnv other_pid("WATCHDOG_PID", std::to_string(getpid() + 1).c_str());
    EXPECT_EQ(SystemdNotifier().WatchdogInterval(), std::nullopt);
  }
  ScopedEnv usec("WATCHDOG_USEC", nullptr);
  EXPECT_EQ(SystemdNotifier().WatchdogInterval(), std::nullopt);
}

TEST(RecordingNotifier, RecordsWhatWouldBeSent) {
  RecordingNotifier notifier;
  notifier.Ready("up");
  notifier.Watchdog();
  notifier.Stopping();
  EXPECT_THAT(notifier.messages, ElementsAre("READY=1\nSTATUS=up", "WATCHDOG=1", "STOPPING=1"));
}

// --- The unit file -----------------------------------------------------------

TEST(AgentUnitFile, SystemdAnalyzeVerifyPasses) {
  CommandResult result =
      VerifyUnitFile("fleetset-agent.service", "/usr/bin/fleetset-agent", "agent/fleetset-agent");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // Warnings (unknown keys, bad values) do not change the exit code; every
  // one of them names the unit's file or the unit.
  EXPECT_THAT(result.err, Not(HasSubstr("fleetset-agent.service"))) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(CoordinatorUnitFile, SystemdAnalyzeVerifyPasses) {
  CommandResult result =
      VerifyUnitFile("fleetset-coordinator.service", "/usr/bin/fleetset-coordinator",
                     "coordinator/fleetset-coordinator");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, Not(HasSubstr("fleetset-coordinator.service"))) << result.err;
  EXPECT_EQ(result.out, "");
}

// --- Journal records ---------------------------------------------------------

spdlog::details::log_msg Record(spdlog::level::level_enum level, std::string_view text,
                                spdlog::source_loc where = {}) {
  return spdlog::details::log_msg(where, "fleetset-agent", level, text);
}

TEST(JournalRecord, MessagePriorityIdentifierAndExtraFields) {
  EXPECT_THAT(JournalRecord(Record(spdlog::level::warn, "pod default/x: image pull failed"),
                            "fleetset-agent", {{"FLEETSET_NODE", "node-a"}}),
              ElementsAre("MESSAGE=pod default/x: image pull failed", "PRIORITY=4",
                          "SYSLOG_IDENTIFIER=fleetset-agent", "FLEETSET_NODE=node-a"));
}

TEST(JournalRecord, SourceLocationWhenKnown) {
  EXPECT_THAT(JournalRecord(Record(spdlog::level::info, "ready",
                                   spdlog::source_loc{"agent/agent.cc", 42, "Run"}),
                            "fleetset-agent", {}),
              ElementsAre("MESSAGE=ready", "PRIORITY=6", "SYSLOG_IDENTIFIER=fleetset-agent",
                          "CODE_FILE=agent/agent.cc", "CODE_LINE=42", "CODE_FUNC=Run"));
}

TEST(JournalRecord, KeepsMultiLineMessagesWhole) {
  // sd_journal_sendv() sends values with newlines in the binary-safe form,
  // so a multi-line error stays one record.
  EXPECT_EQ(JournalRecord(Record(spdlog::level::err, "a\nb"), "x", {}).front(), "MESSAGE=a\nb");
}

TEST(JournalRecord, PrioritiesAreSyslogLevels) {
  EXPECT_EQ(JournalPriority(spdlog::level::trace), LOG_DEBUG);
  EXPECT_EQ(JournalPriority(spdlog::level::debug), LOG_DEBUG);
  EXPECT_EQ(JournalPriority(spdlog::level::info), LOG_INFO);
  EXPECT_EQ(JournalPriority(spdlog::level::warn), LOG_WARNING);
  EXPECT_EQ(JournalPriority(spdlog::level::err), LOG_ERR);
  EXPECT_EQ(JournalPriority(spdlog::level::critical), LOG_CRIT);
}

TEST(JournalRecord, FieldNames) {
  EXPECT_TRUE(IsValidJournalFieldName("FLEETSET_NODE"));
  EXPECT_TRUE(IsValidJournalFieldName("POD_2"));
  for (const char* bad : {"", "_PID", "node", "FLEETSET-NODE", "2POD", "A=B"}) {
    EXPECT_FALSE(IsValidJournalFieldName(bad)) << bad;
  }
  EXPECT_FALSE(IsValidJournalFieldName(std::string(65, 'A')));
  EXPECT_THROW(JournalSink("x", {{"fleetset_node", "a"}}), std::invalid_argument);
}

TEST(JournalStream, MatchesStderrsDeviceAndInode) {
  EXPECT_TRUE(JournalStreamMatches("8:306630", 8, 306630));
  EXPECT_FALSE(JournalStreamMatches("8:306630", 8, 306631));
  EXPECT_FALSE(JournalStreamMatches("8:306630x", 8, 306630));
  EXPECT_FALSE(JournalStreamMatches("", 8, 306630));
}

TEST(JournalStream, StderrIsJournalOnlyWhenTheStreamIsStderr) {
  struct stat stderr_stat {};
  ASSERT_EQ(fstat(STDERR_FILENO, &stderr_stat), 0);
  const std::string ours =
      std::to_string(stderr_stat.st_dev) + ":" + std::to_string(stderr_stat.st_ino);
  {
    ScopedEnv stream("JOURNAL_STREAM", ours.c_str());
    EXPECT_TRUE(StderrIsJournal());
  }
  {
    // INVOCATION_ID alone (systemd started us, output elsewhere) is not enough.
    ScopedEnv stream("JOURNAL_STREAM", nullptr);
    ScopedEnv invocation("INVOCATION_ID", "0123456789abcdef0123456789abcdef");
    EXPECT_FALSE(StderrIsJournal());
  }
}

}  // namespace
}  // namespace fleetset::agent
