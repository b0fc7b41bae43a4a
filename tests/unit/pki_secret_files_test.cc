// Files holding keys: written whole with the mode asked for, no temporary
// file left behind, parents created private, and the check that warns
// about a key others can read.
#include "fleetset/pki/secret_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fleetset/pki/pki_error.h"

namespace fleetset::testing {
namespace {

using pki::CheckPrivateFileMode;
using pki::PkiError;
using pki::ReadWholeFile;
using pki::WriteFileAtomically;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;

mode_t ModeOf(const std::string& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

class PkiSecretFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::TempDir() + "pki-secret-files-XXXXXX";
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    directory_ = name;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::vector<std::string> Entries(const std::string& directory) const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string directory_;
};

TEST_F(PkiSecretFilesTest, WritesContentsWithMode0600AndNoTemporaryFile) {
  const std::string path = directory_ + "/node.key";
  WriteFileAtomically(path, "key material\n");
  EXPECT_EQ(ReadWholeFile(path), "key material\n");
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_THAT(Entries(directory_), ElementsAre("node.key"));
}

TEST_F(PkiSecretFilesTest, ModeIsTheOneAskedForWhateverTheUmask) {
  const mode_t previous = ::umask(077);
  const std::string path = directory_ + "/ca.crt";
  WriteFileAtomically(path, "certificate", 0644);
  ::umask(previous);
  EXPECT_EQ(ModeOf(path), 0644u);
}

TEST_F(PkiSecretFilesTest, OverwritingReplacesContentsAndKeepsTheMode) {
  const std::string path = directory_ + "/node.key";
  WriteFileAtomically(path, std::string(100000, 'a'));
  WriteFileAtomically(path, "short");
  EXPECT_EQ(ReadWholeFile(path), "short");
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_THAT(Entries(directory_), ElementsAre("node.key"));
}

TEST_F(PkiSecretFilesTest, CreatesMissingParentsPrivate) {
  const std::string path = directory_ + "/etc/fleetset/pki/node.key";
  WriteFileAtomically(path, "key");
  EXPECT_EQ(ReadWholeFile(path), "key");
  EXPECT_EQ(ModeOf(directory_ + "/etc"), 0700u);
  EXPECT_EQ(ModeOf(directory_ + "/etc/fleetset"), 0700u);
  EXPECT_EQ(ModeOf(directory_ + "/etc/fleetset/pki"), 0700u);
}

TEST_F(PkiSecretFilesTest, FailuresNameThePath) {
  const std::string blocker = directory_ + "/file";
  WriteFileAtomically(blocker, "not a directory");
  const std::string path = blocker + "/node.key";
  try {
    WriteFileAtomically(path, "key");
    FAIL() << "no PkiError";
  } catch (const PkiError& error) {
    EXPECT_THAT(error.what(), HasSubstr(path));
  }
  try {
    ReadWholeFile(directory_ + "/missing");
    FAIL() << "no PkiError";
  } catch (const PkiError& error) {
    EXPECT_THAT(error.what(), StartsWith("cannot read " + directory_ + "/missing: "));
  }
  EXPECT_THROW(CheckPrivateFileMode(directory_ + "/missing"), PkiError);
  EXPECT_THAT(Entries(directory_), ElementsAre("file"));
}

TEST_F(PkiSecretFilesTest, CheckPrivateFileModeFlagsFilesOthersCanRead) {
  const std::string path = directory_ + "/node.key";
  WriteFileAtomically(path, "key");
  EXPECT_EQ(CheckPrivateFileMode(path), std::nullopt);

  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_THAT(CheckPrivateFileMode(path),
              Optional(path + " is readable by others (mode 0644); chmod 600 it"));
  ASSERT_EQ(::chmod(path.c_str(), 0620), 0);
  EXPECT_THAT(CheckPrivateFileMode(path), Optional(HasSubstr("(mode 0620)")));
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_EQ(CheckPrivateFileMode(path), std::nullopt);

  EXPECT_THAT(CheckPrivateFileMode(directory_), Optional(directory_ + " is not a regular file"));
}

TEST_F(PkiSecretFilesTest, ReadsLargeFilesWhole) {
  const std::string path = directory_ + "/large";
  std::string contents;
  for (int i = 0; i < 50000; ++i) contents += std::to_string(i) + "\n";
  std::ofstream(path) << contents;
  EXPECT_EQ(ReadWholeFile(path), contents);
}

}  // namespace
}  // namespace fleetset::testing
