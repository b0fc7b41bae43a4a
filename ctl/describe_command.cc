// `fleetsetctl describe ds|node [NAME...]`: kubectl's describe layout, with
// the object's events; without names, every DaemonSet of the namespace or
// every node.
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "describers.h"
#include "fetch.h"
#include "fleetset/pod_owner.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct DescribeOptions {
  std::vector<std::string> args;
  std::string selector;
};

// kubectl separates described objects with a blank line pair.
class Separator {
 public:
  explicit Separator(std::ostream& out) : out_(out) {}
  void Next() {
    if (!first_) out_ << "\n\n";
    first_ = false;
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

void RunDescribe(const DescribeOptions& options, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto resources = ParseResourceArgsOf(
      options.args, "describe", {ResourceKind::kDaemonSet, ResourceKind::kNode}, &error);
  if (!resources) return Fail(io, error);
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  Query query;
  query.names = resources->names;
  query.namespace_ = global.Namespace();
  query.label_selector = options.selector;
  const auto now = std::chrono::system_clock::now();
  Separator separator(io.out);
  if (resources->type->kind == ResourceKind::kDaemonSet) {
    const auto items = FetchDaemonSets(*connection, query);
    if (!items) return;
    if (items->empty() && query.names.empty()) {
      io.err << "No resources found in " << query.namespace_ << " namespace.\n";
    }
    for (const v1::DaemonSet& item : *items) {
      separator.Next();
      const std::string involved = "daemonset/" + DaemonSetReference(item.metadata());
      DescribeDaemonSet(io.out, item, PodsOf(*connection, item), EventsAbout(*connection, involved),
                        now);
    }
    return;
  }
  const auto items = FetchNodes(*connection, query);
  if (!items) return;
  if (items->empty() && query.names.empty()) io.err << "No resources found\n";
  for (const v1::Node& item : *items) {
    separator.Next();
    Query on_node;
    on_node.all_namespaces = true;
    on_node.node_name = item.metadata().name();
    const auto pods = FetchPods(*connection, on_node);
    DescribeNode(io.out, item, pods.value_or(std::vector<v1::Pod>{}),
                 EventsAbout(*connection, "node/" + item.metadata().name()), now);
  }
}

}  // namespace

void AddDescribeCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<DescribeOptions>();
  CLI::App* command = app.add_subcommand(
      "describe",
      "Show details of DaemonSets or nodes, with their pods and recent events (types: ds, node)");
  command->add_option("args", options->args, "TYPE [NAME...] or TYPE/NAME...")->required();
  command->add_option("-l,--selector", options->selector,
                      "Label selector to choose the objects when no name is given");
  command->footer(
      "Examples:\n"
      "  fleetsetctl describe ds fluentd-elasticsearch -n kube-system\n"
      "  fleetsetctl describe node k8s-01\n");
  command->callback([options, &global, &io] { RunDescribe(*options, global, io); });
}

}  // namespace fleetset::ctl
