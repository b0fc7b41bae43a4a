// `fleetsetctl cordon NODE...` / `uncordon NODE...`: mark nodes
// (un)schedulable. As in Kubernetes, DaemonSet pods tolerate
// node.kubernetes.io/unschedulable, so cordoning keeps them running.
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

void RunCordon(const std::vector<std::string>& names, bool unschedulable,
               const GlobalOptions& global, Io& io) {
  const std::string verb = unschedulable ? "cordoned" : "uncordoned";
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  for (const std::string& argument : names) {
    // kubectl accepts node/NAME as well as NAME.
    const std::string name = argument.starts_with("node/") || argument.starts_with("nodes/") ||
                                     argument.starts_with("no/")
                                 ? argument.substr(argument.find('/') + 1)
                                 : argument;
    v1::GetNodeRequest get;
    get.set_name(name);
    v1::Node node;
    if (!connection->Read(&v1::OperatorService::Stub::GetNode, get, &node)) {
      if (connection->unreachable()) return;
      continue;
    }
    const std::string object = QualifiedName(NodeType(), name);
    if (node.spec().unschedulable() == unschedulable) {
      io.out << object << " already " << verb << "\n";
      continue;
    }
    v1::SetNodeSchedulableRequest request;
    request.set_name(name);
    request.set_unschedulable(unschedulable);
    if (connection->Write(&v1::OperatorService::Stub::SetNodeSchedulable, request, &node)) {
      io.out << object << " " << verb << "\n";
    } else if (connection->unreachable()) {
      return;
    }
  }
}

void AddOne(CLI::App& app, Io& io, const GlobalOptions& global, bool unschedulable) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      unschedulable ? "cordon" : "uncordon",
      unschedulable ? "Mark nodes as unschedulable (STATUS shows SchedulingDisabled); "
                      "DaemonSet pods keep running, as they tolerate the unschedulable taint"
                    : "Mark nodes as schedulable again");
  command->add_option("node", *names, "NODE... (or node/NODE)")->required();
  command->callback(
      [names, unschedulable, &global, &io] { RunCordon(*names, unschedulable, global, io); });
}

}  // namespace

void AddCordonCommands(CLI::App& app, Io& io, const GlobalOptions& global) {
  AddOne(app, io, global, true);
  AddOne(app, io, global, false);
}

}  // namespace fleetset::ctl
