// What the volume tests look at on disk: a file's contents and mode, and
// where a written volume's ..data points.
#pragma once

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fleetset::agent {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The permission bits of `path` (through links); the test fails when it is
// missing.
inline mode_t FileMode(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// The timestamped directory the volume at `dir` shows now.
inline std::string DataTarget(const std::string& dir) {
  return std::filesystem::read_symlink(dir + "/..data").string();
}

}  // namespace fleetset::agent
