// `fleetsetctl describe ds|pod|node|cm|secret|pc|ns [NAME...]`: kubectl's
// describe layouts, with the object's events where kubectl shows them;
// without names, every object of the type (in the namespace).
#include <ostream>

#include "commands.h"
#include "config_object_describers.h"
#include "connection.h"
#include "describers.h"
#include "fetch.h"
#include "pod_describer.h"
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

// Fetches the objects and describes each; without names, says so when
// there is none.
template <typename T, typename Fetch, typename DescribeOne>
void DescribeAll(Connection& connection, const Query& query, const ResourceType& type, Fetch fetch,
                 DescribeOne describe, Io& io) {
  const auto items = fetch(connection, query);
  if (!items) return;
  if (items->empty() && query.names.empty()) {
    io.err << (type.namespaced ? "No resources found in " + query.namespace_ + " namespace."
                               : std::string("No resources found"))
           << "\n";
  }
  Separator separator(io.out);
  for (const T& item : *items) {
    separator.Next();
    describe(item);
  }
}

void RunDescribe(const DescribeOptions& options, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto resources = ParseResourceArgsOf(
      options.args, "describe",
      {ResourceKind::kDaemonSet, ResourceKind::kPod, ResourceKind::kNode, ResourceKind::kConfigMap,
       ResourceKind::kSecret, ResourceKind::kPriorityClass, ResourceKind::kNamespace},
      &error);
  if (!resources) return Fail(io, error);
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  Query query;
  query.names = resources->names;
  query.namespace_ = global.Namespace();
  query.label_selector = options.selector;
  const auto now = std::chrono::system_clock::now();
  const ResourceType& type = *resources->type;
  // The object's events: "daemonset/NS/NAME", "pod/NS/NAME", "node/NAME" ...
  auto events = [&](const v1::ObjectMeta& metadata) {
    return EventsAbout(*connection, std::string(type.singular) + "/" +
                                        (type.namespaced ? metadata.namespace_() + "/" : "") +
                                        metadata.name());
  };
  switch (type.kind) {
    case ResourceKind::kDaemonSet:
      return DescribeAll<v1::DaemonSet>(
          *connection, query, type, FetchDaemonSets,
          [&](const v1::DaemonSet& item) {
            DescribeDaemonSet(io.out, item, PodsOf(*connection, item), events(item.metadata()),
                              now);
          },
          io);
    case ResourceKind::kNode:
      return DescribeAll<v1::Node>(
          *connection, query, type, FetchNodes,
          [&](const v1::Node& item) {
            Query on_node;
            on_node.all_namespaces = true;
            on_node.node_name = item.metadata().name();
            const auto pods = FetchPods(*connection, on_node);
            DescribeNode(io.out, item, pods.value_or(std::vector<v1::Pod>{}),
                         events(item.metadata()), now);
          },
          io);
    case ResourceKind::kConfigMap:
      return DescribeAll<v1::ConfigMap>(
          *connection, query, type, FetchObjects<v1::ConfigMap>,
          [&](const auto& item) { DescribeConfigMap(io.out, item, events(item.metadata()), now); },
          io);
    case ResourceKind::kSecret:
      return DescribeAll<v1::Secret>(
          *connection, query, type, FetchObjects<v1::Secret>,
          [&](const auto& item) { DescribeSecret(io.out, item); }, io);
    case ResourceKind::kPriorityClass:
      return DescribeAll<v1::PriorityClass>(
          *connection, query, type, FetchObjects<v1::PriorityClass>,
          [&](const auto& item) {
            DescribePriorityClass(io.out, item, events(item.metadata()), now);
          },
          io);
    case ResourceKind::kNamespace:
      return DescribeAll<v1::Namespace>(
          *connection, query, type, FetchObjects<v1::Namespace>,
          [&](const auto& item) { DescribeNamespace(io.out, item); }, io);
    case ResourceKind::kPod: {
      RevisionTemplates templates(*connection);
      return DescribeAll<v1::Pod>(
          *connection, query, type, FetchPods,
          [&](const v1::Pod& item) {
            DescribePod(io.out, item, templates.Of(item), events(item.metadata()), now);
          },
          io);
    }
    case ResourceKind::kUser:
    case ResourceKind::kCoordinator:
      return;  // refused by ParseResourceArgsOf
  }
}

}  // namespace

void AddDescribeCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<DescribeOptions>();
  CLI::App* command = app.add_subcommand(
      "describe",
      "Show details of DaemonSets or nodes (with their pods and recent events), pods (with "
      "each container's state and why it waits), ConfigMaps, Secrets (the size of each key, "
      "never its value), PriorityClasses or Namespaces (types: ds, pod, node, cm, secret, pc, "
      "ns)");
  command->add_option("args", options->args, "TYPE [NAME...] or TYPE/NAME...")->required();
  command->add_option("-l,--selector", options->selector,
                      "Label selector to choose the objects when no name is given");
  command->footer(
      "Examples:\n"
      "  fleetsetctl describe ds fluentd-elasticsearch -n kube-system\n"
      "  fleetsetctl describe pod fluentd-elasticsearch-c5r58 -n kube-system\n"
      "  fleetsetctl describe node k8s-01\n"
      "  fleetsetctl describe secret es-credentials -n logging\n");
  command->callback([options, &global, &io] { RunDescribe(*options, global, io); });
}

}  // namespace fleetset::ctl
