// fleetsetctl: the operator's command line, shaped like kubectl.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"
#include "fleetset/version.h"

int main(int argc, char** argv) {
  CLI::App app{"fleetsetctl controls a fleetset fleet: DaemonSets on bare-metal nodes.",
               "fleetsetctl"};
  app.set_version_flag("--version", std::string("fleetsetctl v") + fleetset::kVersion);
  app.require_subcommand(1);
  app.fallthrough();

  fleetset::ctl::Io io{std::cin, std::cout, std::cerr};
  fleetset::ctl::AddApplyCommands(app, io);
  fleetset::ctl::AddVersionCommand(app, io);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return io.exit_code;
}
