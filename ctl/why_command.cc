// `fleetsetctl why ds/NAME [NODE]`: fleetset's own verb. For each node (or
// the one given), whether the DaemonSet's pod should run there and why, in
// the words of the eligibility decision (ExplainPlacement).
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "fleetset/display.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

void RunWhy(const std::vector<std::string>& args, const GlobalOptions& global, Io& io) {
  // ds/NAME [NODE] or ds NAME [NODE]: the node is what follows the name.
  const bool slash_form = !args.empty() && args[0].find('/') != std::string::npos;
  const size_t resource_args = slash_form ? 1 : 2;
  if (args.size() < resource_args || args.size() > resource_args + 1) {
    return Fail(io, "expected ds/NAME [NODE] or ds NAME [NODE]");
  }
  std::string error;
  const auto resources = ParseResourceArgsOf(
      std::vector<std::string>(args.begin(), args.begin() + static_cast<long>(resource_args)),
      "why", {ResourceKind::kDaemonSet}, &error);
  if (!resources) return Fail(io, error);
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  v1::ExplainPlacementRequest request;
  request.mutable_key()->set_namespace_(global.Namespace());
  request.mutable_key()->set_name(resources->names.front());
  if (args.size() > resource_args) request.set_node_name(args.back());
  v1::ExplainPlacementResponse response;
  if (!connection->Read(&v1::OperatorService::Stub::ExplainPlacement, request, &response)) return;
  if (response.nodes().empty()) {
    io.err << "No nodes found\n";
    return;
  }
  std::vector<v1::ExplainPlacementResponse::NodePlacement> nodes(response.nodes().begin(),
                                                                 response.nodes().end());
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a.node_name() < b.node_name(); });
  std::vector<std::vector<std::string>> rows{{"NODE", "POD", "SHOULD-RUN", "REASON"}};
  for (const auto& node : nodes) {
    rows.push_back({node.node_name(), node.pod_name().empty() ? "<none>" : node.pod_name(),
                    node.eligibility().should_run() ? "true" : "false",
                    node.eligibility().reason()});
  }
  PrintTable(io.out, rows);
}

}  // namespace

void AddWhyCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      "why",
      "Explain, node by node, why a DaemonSet has or has no pod there (nodeSelector, affinity, "
      "taints and tolerations)");
  command->add_option("args", *args, "ds/NAME [NODE]")->required();
  command->footer(
      "Examples:\n"
      "  fleetsetctl why ds/fluentd-elasticsearch -n kube-system\n"
      "  fleetsetctl why ds/fluentd-elasticsearch k8s-master-01 -n kube-system\n");
  command->callback([args, &global, &io] { RunWhy(*args, global, io); });
}

}  // namespace fleetset::ctl
