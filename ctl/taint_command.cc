// `fleetsetctl taint node NAME k=v:Effect... k:Effect- k-... [--overwrite]`.
// The coordinator rejects an existing taint without --overwrite, and a
// removal of a taint that is not there, with FAILED_PRECONDITION and
// kubectl's message.
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "node_change_args.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct TaintOptions {
  std::vector<std::string> args;
  bool overwrite = false;
};

// kubectl's reorganizeTaints wording: "modified" with --overwrite or when
// taints are both added and removed, else "tainted" or "untainted".
const char* Operation(const TaintChanges& changes, bool overwrite) {
  const bool added = !changes.add.empty();
  const bool removed = !changes.remove.empty();
  if (overwrite || (added && removed)) return "modified";
  return added ? "tainted" : "untainted";
}

void RunTaint(const TaintOptions& options, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto split = SplitResourcesAndChanges(options.args, "taint", &error);
  if (!split) return Fail(io, error);
  const auto resources =
      ParseResourceArgsOf(split->resources, "taint", {ResourceKind::kNode}, &error);
  if (!resources) return Fail(io, error);
  if (resources->names.empty())
    return Fail(io, "resource(s) were provided, but no name was specified");
  const auto changes = ParseTaintChanges(split->changes, &error);
  if (!changes) return Fail(io, error);
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  CallOptions call;
  call.precondition_is_client_check = true;
  for (const std::string& name : resources->names) {
    v1::TaintNodeRequest request;
    request.set_name(name);
    for (const v1::Taint& taint : changes->add) *request.add_add() = taint;
    for (const v1::Taint& taint : changes->remove) *request.add_remove() = taint;
    request.set_overwrite(options.overwrite);
    v1::Node node;
    if (connection->Write(&v1::OperatorService::Stub::TaintNode, request, &node, call)) {
      io.out << QualifiedName(NodeType(), name) << " " << Operation(*changes, options.overwrite)
             << "\n";
    } else if (connection->unreachable()) {
      return;
    }
  }
}

}  // namespace

void AddTaintCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<TaintOptions>();
  CLI::App* command = app.add_subcommand(
      "taint",
      "Update the taints on nodes: KEY[=VALUE]:EFFECT adds one (NoSchedule, PreferNoSchedule, "
      "NoExecute); KEY:EFFECT- or KEY- removes. DaemonSet pods that do not tolerate a "
      "NoExecute taint are evicted");
  command->add_option("args", options->args, "node NAME... TAINT...")->required();
  command->add_flag("--overwrite", options->overwrite,
                    "Allow replacing a taint that has the same key and effect");
  command->footer(
      "Examples:\n"
      "  fleetsetctl taint nodes node1 key1=value1:NoSchedule\n"
      "  fleetsetctl taint nodes node1 key1=value1:NoSchedule-\n"
      "  fleetsetctl taint nodes node1 key1-\n");
  command->callback([options, &global, &io] { RunTaint(*options, global, io); });
}

}  // namespace fleetset::ctl
