#include "agent/desired_state_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fleetset::agent {
namespace {

class DesiredStateCacheTest : public ::testing::Test {
 protected:
  ~DesiredStateCacheTest() override { std::filesystem::remove_all(dir_); }
  std::string dir_ =
      std::filesystem::temp_directory_path() / ("cache-test-" + std::to_string(::getpid()));
  std::string path_ = dir_ + "/state/desired-state.pb";
};

v1::DesiredState State(uint64_t version, const std::string& name) {
  v1::DesiredState state;
  state.set_version(version);
  v1::DesiredDaemonSet* desired = state.add_daemon_sets();
  desired->mutable_metadata()->set_name(name);
  desired->set_revision_hash("abc");
  return state;
}

TEST_F(DesiredStateCacheTest, NoFileMeansNoStateAndNoError) {
  DesiredStateCache cache(path_);
  std::string error;
  EXPECT_FALSE(cache.Load(&error).has_value());
  EXPECT_EQ(error, "");
}

TEST_F(DesiredStateCacheTest, SavedStateComesBackAndReplacesTheOldOne) {
  DesiredStateCache cache(path_);
  ASSERT_TRUE(cache.Save(State(1, "fluentd")));
  ASSERT_TRUE(cache.Save(State(2, "node-exporter")));
  auto loaded = DesiredStateCache(path_).Load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->version(), 2u);
  EXPECT_EQ(loaded->daemon_sets(0).metadata().name(), "node-exporter");
  // The temporary file of the atomic write is gone.
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(DesiredStateCacheTest, CorruptFileIsReportedAndIgnored) {
  std::filesystem::create_directories(dir_ + "/state");
  std::ofstream(path_) << "\xff\xff\xff not a protobuf";
  std::string error;
  EXPECT_FALSE(DesiredStateCache(path_).Load(&error).has_value());
  EXPECT_NE(error.find("not a valid desired-state cache"), std::string::npos) << error;
}

TEST_F(DesiredStateCacheTest, UnwritableDirectoryFailsWithoutTouchingTheOldCopy) {
  DesiredStateCache cache(path_);
  ASSERT_TRUE(cache.Save(State(1, "fluentd")));
  // A directory where the temporary file should go makes the write fail.
  std::filesystem::create_directories(path_ + ".tmp");
  std::string error;
  EXPECT_FALSE(cache.Save(State(2, "other"), &error));
  EXPECT_NE(error, "");
  EXPECT_EQ(cache.Load()->version(), 1u);
}

}  // namespace
}  // namespace fleetset::agent
