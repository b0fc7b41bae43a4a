// `fleetsetctl label node NAME k=v... k-... [--overwrite]`. The coordinator
// enforces --overwrite and answers FAILED_PRECONDITION with kubectl's
// message ("'k' already has a value (v), and --overwrite is false").
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "node_change_args.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct LabelOptions {
  std::vector<std::string> args;
  bool overwrite = false;
};

void LabelOne(Connection& connection, const std::string& name, const LabelChanges& changes,
              bool overwrite, Io& io) {
  // Read first, as kubectl does, to name labels that are not there and to
  // tell "not labeled" from a change.
  v1::GetNodeRequest get;
  get.set_name(name);
  v1::Node before;
  if (!connection.Read(&v1::OperatorService::Stub::GetNode, get, &before)) return;
  for (const std::string& key : changes.remove) {
    if (!before.metadata().labels().contains(key)) io.out << "label \"" << key << "\" not found.\n";
  }
  v1::LabelNodeRequest request;
  request.set_name(name);
  request.mutable_set()->insert(changes.set.begin(), changes.set.end());
  for (const std::string& key : changes.remove) request.add_remove(key);
  request.set_overwrite(overwrite);
  v1::Node after;
  CallOptions call;
  call.precondition_is_client_check = true;
  if (!connection.Write(&v1::OperatorService::Stub::LabelNode, request, &after, call)) return;
  const std::map<std::string, std::string> old_labels(before.metadata().labels().begin(),
                                                      before.metadata().labels().end());
  const std::map<std::string, std::string> new_labels(after.metadata().labels().begin(),
                                                      after.metadata().labels().end());
  const char* result = old_labels == new_labels ? "not labeled"
                       : changes.set.empty()    ? "unlabeled"
                                                : "labeled";
  io.out << QualifiedName(NodeType(), name) << " " << result << "\n";
}

void RunLabel(const LabelOptions& options, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto split = SplitResourcesAndChanges(options.args, "label", &error);
  if (!split) return Fail(io, error);
  const auto resources =
      ParseResourceArgsOf(split->resources, "label", {ResourceKind::kNode}, &error);
  if (!resources) return Fail(io, error);
  if (resources->names.empty())
    return Fail(io, "resource(s) were provided, but no name was specified");
  const auto changes = ParseLabelChanges(split->changes, &error);
  if (!changes) return Fail(io, error);
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  for (const std::string& name : resources->names) {
    LabelOne(*connection, name, *changes, options.overwrite, io);
    if (connection->unreachable()) return;
  }
}

}  // namespace

void AddLabelCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<LabelOptions>();
  CLI::App* command = app.add_subcommand(
      "label",
      "Update the labels on nodes: KEY=VALUE sets a label, KEY- removes it. DaemonSets whose "
      "nodeSelector or affinity starts or stops matching gain or lose their pod there");
  command->add_option("args", options->args, "node NAME... KEY=VALUE... KEY-...")->required();
  command->add_flag("--overwrite", options->overwrite,
                    "Allow changing the value of a label that already exists");
  command->footer(
      "Examples:\n"
      "  fleetsetctl label node k8s-01 logger=fluentd\n"
      "  fleetsetctl label node k8s-01 logger=vector --overwrite\n"
      "  fleetsetctl label node k8s-01 logger-\n");
  command->callback([options, &global, &io] { RunLabel(*options, global, io); });
}

}  // namespace fleetset::ctl
