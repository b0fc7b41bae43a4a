// fleetset-coordinator: entry point.
#include <CLI/CLI.hpp>

#include <iostream>

#include "fleetset/version.h"

int main(int argc, char** argv) {
  CLI::App app{"fleetset-coordinator stores DaemonSets and nodes and drives agents and rollouts.",
               "fleetset-coordinator"};
  app.set_version_flag("--version", std::string("fleetset-coordinator v") + fleetset::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  std::cerr << "fleetset-coordinator: the serving loop is not available in this build\n";
  return 1;
}
