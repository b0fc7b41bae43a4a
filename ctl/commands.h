// fleetsetctl's subcommands. Each Add*Command registers one verb on the
// CLI11 app; the callback it installs does the work and sets the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>

namespace fleetset::ctl {

// What every command writes to and returns through; tests substitute
// string streams.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;
};

void AddApplyCommands(CLI::App& app, Io& io);
void AddVersionCommand(CLI::App& app, Io& io);

}  // namespace fleetset::ctl
