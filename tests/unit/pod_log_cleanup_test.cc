// The pod log ledger and the start-up clean-up, on real directories in a
// temporary directory and an in-memory runtime: only directories the
// ledger holds go, and only once no sandbox of this agent carries the pod.
#include "agent/pod_log_cleanup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/pod_identity.h"
#include "fakes/fake_cri_runtime.h"

namespace fleetset::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::Pair;

class PodLogCleanupTest : public ::testing::Test {
 protected:
  PodLogCleanupTest()
      : dir_(fs::temp_directory_path() / ("pod-log-cleanup-test-" + std::to_string(::getpid()))),
        ledger_((dir_ / "ledger").string()),
        runtime_(&clock_) {
    fs::remove_all(dir_);
  }
  ~PodLogCleanupTest() override { fs::remove_all(dir_); }

  // A pod log directory with a log in it, as the runtime leaves it.
  std::string LogDirectory(const std::string& pod) {
    const std::string directory =
        agent::PodLogDirectory((dir_ / "logs").string(), "default", pod, "uid-" + pod);
    fs::create_directories(directory + "/main");
    std::ofstream(directory + "/main/0.log") << "line\n";
    return directory;
  }

  std::string Record(const std::string& pod) {
    const std::string directory = LogDirectory(pod);
    std::string error;
    EXPECT_TRUE(ledger_.Record("uid-" + pod, directory, &error)) << error;
    return directory;
  }

  // A sandbox of `pod` labelled as `manager`'s, still in the runtime.
  void RunSandbox(const std::string& pod, const std::string& manager = agent::kManagedByValue) {
    cri::RunPodSandboxRequest run;
    cri::PodSandboxConfig* config = run.mutable_config();
    config->mutable_metadata()->set_name(pod);
    config->mutable_metadata()->set_namespace_("default");
    config->mutable_metadata()->set_uid("uid-" + pod);
    (*config->mutable_labels())[agent::kManagedByLabel] = manager;
    (*config->mutable_labels())[agent::kPodUidLabel] = "uid-" + pod;
    cri::RunPodSandboxResponse ran;
    ASSERT_TRUE(runtime_.RunPodSandbox(run, &ran).ok());
  }

  fs::path dir_;
  agent::PodLogLedger ledger_;
  FakeClock clock_;
  FakeCriRuntime runtime_;
};

TEST_F(PodLogCleanupTest, TheLedgerKeepsTheFirstDirectoryRecordedForAPod) {
  const std::string directory = Record("a");
  std::string error;
  EXPECT_TRUE(ledger_.Record("uid-a", "/elsewhere/default_a_uid-a", &error));
  EXPECT_THAT(ledger_.Entries(), ElementsAre(Pair("uid-a", directory)));
  EXPECT_FALSE(ledger_.Record("../escape", directory, &error));
}

TEST_F(PodLogCleanupTest, RemovingAPodsLogsRemovesItsDirectoryAndEntry) {
  const std::string directory = Record("a");
  EXPECT_TRUE(ledger_.RemovePodLogs("uid-a"));
  EXPECT_FALSE(fs::exists(directory));
  EXPECT_TRUE(ledger_.Entries().empty());
}

TEST_F(PodLogCleanupTest, AnEntryNamingAnotherPodsDirectoryIsNotActedOn) {
  const std::string other = LogDirectory("other");
  std::string error;
  ASSERT_TRUE(ledger_.Record("uid-a", other, &error));
  ledger_.RemovePodLogs("uid-a");
  EXPECT_TRUE(fs::exists(other + "/main/0.log"));
}

TEST_F(PodLogCleanupTest, StartUpRemovesOnlyRecordedDirectoriesOfPodsWithoutSandboxes) {
  const std::string gone = Record("gone");
  const std::string live = Record("live");
  RunSandbox("live");
  // Not in the ledger: another manager's (a kubelet's) pod.
  const std::string foreign = LogDirectory("foreign");
  // Recorded, and its sandbox is there but someone else's: the UID is not
  // carried by a sandbox of this agent.
  const std::string taken_over = Record("taken");
  RunSandbox("taken", "kubelet");

  EXPECT_EQ(agent::CleanUpStalePodLogs(runtime_, ledger_), 2);
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_FALSE(fs::exists(taken_over));
  EXPECT_TRUE(fs::exists(live + "/main/0.log"));
  EXPECT_TRUE(fs::exists(foreign + "/main/0.log"));
  EXPECT_THAT(ledger_.Entries(), ElementsAre(Pair("uid-live", live)));
}

TEST_F(PodLogCleanupTest, StartUpRemovesNothingWhenTheRuntimeCannotList) {
  const std::string gone = Record("gone");
  runtime_.SetUnavailable(true);
  EXPECT_EQ(agent::CleanUpStalePodLogs(runtime_, ledger_), 0);
  EXPECT_TRUE(fs::exists(gone));
  EXPECT_EQ(ledger_.Entries().size(), 1u);
}

}  // namespace
}  // namespace fleetset::testing
