// Runs a program to completion and captures what it printed, for tests that
// drive the real fleetset binaries.
#pragma once

#include <string>
#include <vector>

namespace fleetset::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// argv[0] is a path; `input` is written to the child's standard input.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "");

// Path of a program built by this build tree, e.g. BuiltProgram("ctl/fleetsetctl").
std::string BuiltProgram(const std::string& relative_path);

// Path of a file in the source tree, e.g. SourcePath("tests/data/seeds/x.yaml").
std::string SourcePath(const std::string& relative_path);

}  // namespace fleetset::testing
