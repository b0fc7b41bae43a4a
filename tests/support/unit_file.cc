#include "support/unit_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fleetset::testing {

CommandResult VerifyUnitFile(const std::string& unit, const std::string& installed,
                             const std::string& built) {
  const std::string program = BuiltProgram(built);
  EXPECT_TRUE(std::filesystem::exists(program)) << "build " << built << " first";
  std::ifstream in(SourcePath("systemd/" + unit));
  std::stringstream text;
  text << in.rdbuf();
  std::string contents = text.str();
  const size_t at = contents.find("ExecStart=" + installed);
  EXPECT_NE(at, std::string::npos) << unit << " has no ExecStart=" << installed;
  if (at != std::string::npos) {
    contents.replace(at + std::string("ExecStart=").size(), installed.size(), program);
  }
  std::string dir = ::testing::TempDir() + "unit-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return {-1, "", "mkdtemp failed"};
  const std::string path = dir + "/" + unit;
  std::ofstream(path) << contents;
  CommandResult result = RunCommand({"/usr/bin/systemd-analyze", "verify", "--man=no", path});
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace fleetset::testing
