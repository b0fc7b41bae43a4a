// `fleetsetctl version`: the client's version and, unless --client, the
// coordinator's (Version RPC).
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "fleetset/version.h"

namespace fleetset::ctl {
namespace {

std::string WithV(const std::string& version) {
  return version.starts_with("v") ? version : "v" + version;
}

void RunVersion(bool client_only, const GlobalOptions& global, Io& io) {
  io.out << "Client Version: v" << kVersion << "\n";
  if (client_only) return;
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  v1::VersionResponse response;
  if (!connection->Read(&v1::OperatorService::Stub::Version, v1::VersionRequest(), &response)) {
    return;
  }
  io.out << "Server Version: " << WithV(response.version()) << "\n";
}

}  // namespace

void AddVersionCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto client_only = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand(
      "version", "Print the client version and the version of the coordinator it talks to");
  command->add_flag("--client", *client_only,
                    "Print the client version only, without contacting the coordinator");
  command->callback([client_only, &global, &io] { RunVersion(*client_only, global, io); });
}

}  // namespace fleetset::ctl
