// kubelet's atomic writer layout for the volumes the agent writes: ..data
// names a timestamped directory, visible names link through it, and an
// update swaps ..data in one rename.
#include "agent/volumes/atomic_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "storage_test_util.h"
#include "volume_test_util.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::UnorderedElementsAre;

class AtomicWriterTest : public ::testing::Test {
 protected:
  std::string Read(const std::string& relative) { return ReadFile(dir_ + "/" + relative); }
  mode_t Mode(const std::string& relative) { return FileMode(dir_ + "/" + relative); }
  std::string DataTarget() { return agent::DataTarget(dir_); }
  std::vector<std::string> Entries() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  fleetset::testing::ScratchDirectory scratch_{"atomic-writer"};
  const std::string& dir_ = scratch_.path();
};

TEST_F(AtomicWriterTest, FilesLiveInATimestampedDirectoryBehindDataLinks) {
  FilePayload payload = {{"app.conf", {"port=80\n", 0644}},
                         {"certs/ca.pem", {"PEM", 0400}},
                         {"certs/sub/key", {"K", 0600}}};
  ASSERT_EQ(WriteAtomically(dir_, payload, std::nullopt), "");

  const std::string data = DataTarget();
  EXPECT_THAT(
      data, MatchesRegex(R"(\.\.[0-9]{4}_[0-9]{2}_[0-9]{2}_[0-9]{2}_[0-9]{2}_[0-9]{2}\.[0-9]{9})"));
  EXPECT_THAT(Entries(), UnorderedElementsAre("..data", data, "app.conf", "certs"));
  EXPECT_EQ(fs::read_symlink(dir_ + "/app.conf"), "..data/app.conf");
  EXPECT_EQ(fs::read_symlink(dir_ + "/certs"), "..data/certs");
  EXPECT_EQ(Read("app.conf"), "port=80\n");
  EXPECT_EQ(Read("certs/sub/key"), "K");
  EXPECT_EQ(Mode("app.conf"), 0644u);
  EXPECT_EQ(Mode("certs/ca.pem"), 0400u);
  EXPECT_EQ(Mode("certs/sub/key"), 0600u);
  EXPECT_EQ(Mode(data), 0755u);
  EXPECT_EQ(Mode(data + "/certs/sub"), 0755u);
}

TEST_F(AtomicWriterTest, AnUpdateSwapsDataAndRemovesWhatIsNoLongerThere) {
  ASSERT_EQ(WriteAtomically(dir_, {{"a", {"1", 0644}}, {"old/x", {"x", 0644}}}, std::nullopt), "");
  const std::string first = DataTarget();

  ASSERT_EQ(WriteAtomically(dir_, {{"a", {"2", 0644}}, {"b", {"new", 0644}}}, std::nullopt), "");
  const std::string second = DataTarget();
  EXPECT_NE(second, first);
  EXPECT_FALSE(fs::exists(dir_ + "/" + first)) << "the old version is removed";
  EXPECT_FALSE(fs::exists(dir_ + "/..data_tmp"));
  EXPECT_THAT(Entries(), UnorderedElementsAre("..data", second, "a", "b"));
  EXPECT_EQ(Read("a"), "2");
  EXPECT_EQ(Read("b"), "new");
}

TEST_F(AtomicWriterTest, UnchangedContentsWriteNothing) {
  const FilePayload payload = {{"a", {"1", 0644}}, {"d/b", {"2", 0600}}};
  ASSERT_EQ(WriteAtomically(dir_, payload, std::nullopt), "");
  const std::string first = DataTarget();
  struct stat before {};
  ASSERT_EQ(::stat((dir_ + "/" + first + "/a").c_str(), &before), 0);

  ASSERT_EQ(WriteAtomically(dir_, payload, std::nullopt), "");
  EXPECT_EQ(DataTarget(), first);
  struct stat after {};
  ASSERT_EQ(::stat((dir_ + "/" + first + "/a").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);

  // A mode alone is a change too.
  ASSERT_EQ(WriteAtomically(dir_, {{"a", {"1", 0600}}, {"d/b", {"2", 0600}}}, std::nullopt), "");
  EXPECT_NE(DataTarget(), first);
  EXPECT_EQ(Mode("a"), 0600u);
}

TEST_F(AtomicWriterTest, AnEmptyPayloadStillMakesTheLayout) {
  ASSERT_EQ(WriteAtomically(dir_, {}, std::nullopt), "");
  const std::string data = DataTarget();
  EXPECT_THAT(Entries(), UnorderedElementsAre("..data", data));
  EXPECT_TRUE(fs::is_empty(dir_ + "/" + data));
  ASSERT_EQ(WriteAtomically(dir_, {}, std::nullopt), "");
  EXPECT_EQ(DataTarget(), data);
}

TEST_F(AtomicWriterTest, PathsThatLeaveTheVolumeAreRefused) {
  EXPECT_THAT(WriteAtomically(dir_, {{"../escape", {"x", 0644}}}, std::nullopt),
              HasSubstr("must not contain '..'"));
  EXPECT_THAT(WriteAtomically(dir_, {{"a/../../b", {"x", 0644}}}, std::nullopt),
              HasSubstr("must not contain '..'"));
  EXPECT_THAT(WriteAtomically(dir_, {{"/etc/passwd", {"x", 0644}}}, std::nullopt),
              HasSubstr("must be relative"));
  EXPECT_THAT(WriteAtomically(dir_, {{"..data", {"x", 0644}}}, std::nullopt),
              HasSubstr("must not start with '..'"));
  EXPECT_THAT(WriteAtomically(dir_, {{"", {"x", 0644}}}, std::nullopt),
              HasSubstr("must not be empty"));
  EXPECT_TRUE(Entries().empty()) << "nothing written for a refused payload";
  EXPECT_EQ(CheckPayloadPath("a/b/c"), "");
  EXPECT_EQ(CheckPayloadPath("..a"), "invalid path: must not start with '..': ..a");
}

TEST_F(AtomicWriterTest, CleanedPathsAreWrittenOnce) {
  ASSERT_EQ(WriteAtomically(dir_, {{"./d//f", {"x", 0644}}}, std::nullopt), "");
  EXPECT_EQ(Read("d/f"), "x");
  EXPECT_THAT(Entries(), UnorderedElementsAre("..data", DataTarget(), "d"));
}

TEST_F(AtomicWriterTest, AnFsGroupOwnsTheFilesAndMayReadThem) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing a file's group needs root";
  const gid_t group = 4321;
  ASSERT_EQ(WriteAtomically(dir_, {{"key", {"s", 0400}}, {"d/f", {"t", 0644}}}, group), "");
  struct stat info {};
  ASSERT_EQ(::stat((dir_ + "/key").c_str(), &info), 0);
  EXPECT_EQ(info.st_gid, group);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_mode & 07777, 0440u);
  EXPECT_EQ(Mode("d/f"), 0644u);
  ASSERT_EQ(::stat((dir_ + "/d").c_str(), &info), 0);
  EXPECT_EQ(info.st_gid, group);
  EXPECT_EQ(info.st_mode & 07777, 02755u);
  ASSERT_EQ(::stat(dir_.c_str(), &info), 0);
  EXPECT_EQ(info.st_gid, group) << "the volume's root too";
  const std::string data = DataTarget();
  ASSERT_EQ(WriteAtomically(dir_, {{"key", {"s", 0400}}, {"d/f", {"t", 0644}}}, group), "");
  EXPECT_EQ(DataTarget(), data) << "the group's read bit counts as unchanged";
}

}  // namespace
}  // namespace fleetset::agent
