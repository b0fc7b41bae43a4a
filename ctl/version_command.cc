#include <ostream>

#include "commands.h"
#include "fleetset/version.h"

namespace fleetset::ctl {

void AddVersionCommand(CLI::App& app, Io& io) {
  CLI::App* command = app.add_subcommand("version", "Print the client version");
  command->callback([&io] { io.out << "Client Version: v" << kVersion << "\n"; });
}

}  // namespace fleetset::ctl
