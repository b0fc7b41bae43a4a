// Container log rotation on real files in a temporary directory, with the
// runtime faked: what is renamed, compressed, removed and reopened, as
// kubelet's container log manager does it.
#include "agent/container_log_rotation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "agent/pod_identity.h"
#include "agent/runtime_snapshot.h"
#include "unit/agent_test_util.h"

namespace fleetset::testing {
namespace {

namespace fs = std::filesystem;
using agent::ContainerLogPolicy;
using agent::LogRotation;
using ::testing::ElementsAre;

void WriteFile(const fs::path& path, size_t bytes, char fill = 'x') {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << std::string(bytes, fill);
}

std::string ReadGzip(const fs::path& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (in == nullptr) return "<cannot open>";
  std::string text;
  char buffer[4096];
  int got = 0;
  while ((got = gzread(in, buffer, sizeof(buffer))) > 0) text.append(buffer, got);
  gzclose(in);
  return text;
}

// File names in `directory`, sorted.
std::vector<std::string> Names(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class ContainerLogRotationTest : public ::testing::Test {
 protected:
  ContainerLogRotationTest()
      : dir_(fs::temp_directory_path() / ("log-rotation-test-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "main");
  }
  ~ContainerLogRotationTest() override { fs::remove_all(dir_); }

  // A reopen that does what the runtime does: a new, empty live file.
  std::function<grpc::Status()> Reopen(const fs::path& log, grpc::Status status = {}) {
    return [this, log, status] {
      ++reopens_;
      if (status.ok()) std::ofstream(log, std::ios::app).flush();
      return status;
    };
  }

  // Writes a live log of `bytes` and rotates it, keeping three files.
  LogRotation WriteAndRotate(size_t bytes) {
    const fs::path log = dir_ / "main/0.log";
    WriteFile(log, bytes);
    return agent::RotateContainerLog("c", log, {1000, 3}, now_, Reopen(log));
  }

  fs::path dir_;
  int reopens_ = 0;
  // 2023-11-14 22:13:20 UTC.
  const std::chrono::system_clock::time_point now_{std::chrono::seconds(1700000000)};
};

TEST(RotationSuffixTest, IsKubeletsTimestampInUtc) {
  EXPECT_EQ(agent::RotationSuffix(
                std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))),
            "20231114-221320");
}

TEST_F(ContainerLogRotationTest, ALogUnderTheSizeIsLeftAlone) {
  EXPECT_EQ(WriteAndRotate(999), LogRotation::kNotNeeded);
  EXPECT_EQ(reopens_, 0);
  EXPECT_THAT(Names(dir_ / "main"), ElementsAre("0.log"));
}

TEST_F(ContainerLogRotationTest, ALogAtTheSizeIsRenamedAndReopened) {
  EXPECT_EQ(WriteAndRotate(1000), LogRotation::kRotated);
  EXPECT_EQ(reopens_, 1);
  const fs::path log = dir_ / "main/0.log";
  EXPECT_THAT(Names(dir_ / "main"), ElementsAre("0.log", "0.log.20231114-221320"));
  EXPECT_EQ(fs::file_size(log), 0u);
  EXPECT_EQ(fs::file_size(dir_ / "main/0.log.20231114-221320"), 1000u);
}

TEST_F(ContainerLogRotationTest, OlderRotationsAreCompressedAndTheOldestGoBeyondMaxFiles) {
  const fs::path log = dir_ / "main/0.log";
  WriteFile(dir_ / "main/0.log.20231114-221000.gz", 10);
  WriteFile(dir_ / "main/0.log.20231114-221100.gz", 10);
  WriteFile(dir_ / "main/0.log.20231114-221200", 500, 'a');
  // Another restart's log is not this log's rotation.
  WriteFile(dir_ / "main/1.log.20231114-220000", 10);
  WriteFile(log, 1000);
  ASSERT_EQ(agent::RotateContainerLog("c", log, {1000, 4}, now_, Reopen(log)),
            LogRotation::kRotated);
  // Four files: the live one, the newest rotation as it is, two gzipped.
  EXPECT_THAT(Names(dir_ / "main"),
              ElementsAre("0.log", "0.log.20231114-221100.gz", "0.log.20231114-221200.gz",
                          "0.log.20231114-221320", "1.log.20231114-220000"));
  EXPECT_EQ(ReadGzip(dir_ / "main/0.log.20231114-221200.gz"), std::string(500, 'a'));
}

TEST_F(ContainerLogRotationTest, TwoFilesKeepOnlyTheLiveLogAndTheNewestRotation) {
  const fs::path log = dir_ / "main/0.log";
  WriteFile(dir_ / "main/0.log.20231114-221200", 10);
  WriteFile(log, 1000);
  ASSERT_EQ(agent::RotateContainerLog("c", log, {1000, 2}, now_, Reopen(log)),
            LogRotation::kRotated);
  EXPECT_THAT(Names(dir_ / "main"), ElementsAre("0.log", "0.log.20231114-221320"));
}

TEST_F(ContainerLogRotationTest, ARefusedReopenRenamesTheLogBack) {
  const fs::path log = dir_ / "main/0.log";
  WriteFile(log, 1000);
  EXPECT_EQ(agent::RotateContainerLog(
                "c", log, {1000, 3}, now_,
                Reopen(log, grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not running"))),
            LogRotation::kFailed);
  EXPECT_THAT(Names(dir_ / "main"), ElementsAre("0.log"));
  EXPECT_EQ(fs::file_size(log), 1000u);
}

TEST_F(ContainerLogRotationTest, LeftoversOfAnInterruptedCompressionAreCleanedUp) {
  const fs::path log = dir_ / "main/0.log";
  // Compressed, but the original not yet removed; and a half-written one.
  WriteFile(dir_ / "main/0.log.20231114-221000", 10);
  WriteFile(dir_ / "main/0.log.20231114-221000.gz", 10);
  WriteFile(dir_ / "main/0.log.20231114-221100.gz.tmp", 10);
  WriteFile(log, 1000);
  ASSERT_EQ(agent::RotateContainerLog("c", log, {1000, 5}, now_, Reopen(log)),
            LogRotation::kRotated);
  EXPECT_THAT(Names(dir_ / "main"),
              ElementsAre("0.log", "0.log.20231114-221000.gz", "0.log.20231114-221320"));
}

TEST_F(ContainerLogRotationTest, AMissingLiveLogIsReopened) {
  const fs::path log = dir_ / "main/0.log";
  EXPECT_EQ(agent::RotateContainerLog("c", log, {1000, 3}, now_, Reopen(log)),
            LogRotation::kNotNeeded);
  EXPECT_EQ(reopens_, 1);
  EXPECT_TRUE(fs::exists(log));
}

TEST_F(ContainerLogRotationTest, RotationsInTheSameSecondWaitForTheNext) {
  const fs::path log = dir_ / "main/0.log";
  ASSERT_EQ(WriteAndRotate(1000), LogRotation::kRotated);
  WriteFile(log, 1000, 'b');
  EXPECT_EQ(agent::RotateContainerLog("c", log, {1000, 3}, now_, Reopen(log)),
            LogRotation::kFailed);
  EXPECT_EQ(fs::file_size(log), 1000u);
  EXPECT_EQ(
      agent::RotateContainerLog("c", log, {1000, 3}, now_ + std::chrono::seconds(1), Reopen(log)),
      LogRotation::kRotated);
  EXPECT_THAT(Names(dir_ / "main"),
              ElementsAre("0.log", "0.log.20231114-221320.gz", "0.log.20231114-221321"));
}

// Through the runtime: only this agent's running containers are rotated,
// and the check counts the bytes of their pods' logs.
class RotateContainerLogsTest : public ContainerLogRotationTest {
 protected:
  RotateContainerLogsTest() : runtime_(&clock_) { runtime_.AddImage(kImage); }

  std::string RunContainer(const std::string& pod, bool ours = true) {
    BareContainer spec;
    spec.pod = pod;
    spec.log_directory = dir_ / pod;
    if (ours) spec.labels = agent::OwnershipLabels(kNode);
    return RunBareContainer(runtime_, spec);
  }

  FakeClock clock_;
  FakeCriRuntime runtime_;
};

TEST_F(RotateContainerLogsTest, RotatesOnlyThisAgentsRunningContainers) {
  const std::string big = RunContainer("big");
  const std::string small = RunContainer("small");
  const std::string exited = RunContainer("exited");
  const std::string foreign = RunContainer("foreign", /*ours=*/false);
  WriteFile(dir_ / "big/main/0.log", 1500);
  WriteFile(dir_ / "small/main/0.log", 500);
  WriteFile(dir_ / "exited/main/0.log", 1500);
  WriteFile(dir_ / "foreign/main/0.log", 1500);
  ASSERT_TRUE(runtime_.ExitContainer(exited, 0));

  const agent::ContainerLogCheck check =
      agent::RotateContainerLogs(runtime_, kNode, {1000, 3}, clock_);
  EXPECT_TRUE(check.listed);
  EXPECT_EQ(check.rotations, 1);
  EXPECT_EQ(runtime_.ReopenCount(big), 1);
  EXPECT_EQ(runtime_.ReopenCount(small), 0);
  EXPECT_EQ(runtime_.ReopenCount(foreign), 0);
  EXPECT_THAT(Names(dir_ / "exited/main"), ElementsAre("0.log"));
  EXPECT_THAT(Names(dir_ / "foreign/main"), ElementsAre("0.log"));
  // The running pods' logs: the rotated 1500 bytes and the small 500.
  EXPECT_EQ(check.log_bytes, 2000u);
}

TEST_F(RotateContainerLogsTest, AGrowingLogKeepsAtMostMaxFiles) {
  const std::string id = RunContainer("busy");
  const fs::path log = dir_ / "busy/main/0.log";
  for (int i = 0; i < 6; ++i) {
    // The fake does not write logs: the test grows it as the runtime would
    // write a new one after each reopen.
    WriteFile(log, 1200);
    clock_.Advance(std::chrono::seconds(10));
    agent::RotateContainerLogs(runtime_, kNode, {1000, 3}, clock_);
  }
  EXPECT_EQ(runtime_.ReopenCount(id), 6);
  WriteFile(log, 10);
  // The live log, the newest rotation, and one older one compressed.
  const std::vector<std::string> names = Names(dir_ / "busy/main");
  ASSERT_EQ(names.size(), 3u) << ::testing::PrintToString(names);
  EXPECT_EQ(names[0], "0.log");
  EXPECT_TRUE(names[1].ends_with(".gz"));
  EXPECT_FALSE(names[2].ends_with(".gz"));
}

TEST_F(RotateContainerLogsTest, ARuntimeThatCannotListRotatesNothing) {
  runtime_.SetUnavailable(true);
  EXPECT_FALSE(agent::RotateContainerLogs(runtime_, kNode, {1000, 3}, clock_).listed);
}

}  // namespace
}  // namespace fleetset::testing
