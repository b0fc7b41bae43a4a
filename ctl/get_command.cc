// `fleetsetctl get`: DaemonSets, nodes, pods, users, ConfigMaps, Secrets,
// PriorityClasses and Namespaces as kubectl's tables, or as JSON, YAML or
// names; with -w (for the kinds the coordinator watches), then a line per
// change until interrupted.
#include <algorithm>
#include <ostream>
#include <set>

#include "commands.h"
#include "config_object_printers.h"
#include "connection.h"
#include "fetch.h"
#include "fleetset/display.h"
#include "fleetset/labels.h"
#include "object_output.h"
#include "printers.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct GetOptions {
  std::vector<std::string> args;
  std::string output;
  bool all_namespaces = false;
  std::string selector;
  std::string field_selector;
  bool watch = false;
};

// What a run of `get` prints, decided from the flags before any call.
struct Presentation {
  OutputFormat format = OutputFormat::kTable;
  TableOptions table;
  // One object asked for by name: -o json/yaml print it bare, not a List.
  bool single = false;
  std::string empty_message;
};

const v1::DaemonSet* ObjectOf(const v1::WatchEvent& event, const v1::DaemonSet*) {
  return event.has_daemon_set() ? &event.daemon_set() : nullptr;
}
const v1::Node* ObjectOf(const v1::WatchEvent& event, const v1::Node*) {
  return event.has_node() ? &event.node() : nullptr;
}
const v1::Pod* ObjectOf(const v1::WatchEvent& event, const v1::Pod*) {
  return event.has_pod() ? &event.pod() : nullptr;
}
// Users and the generic object kinds are not watched (RunGet refuses -w
// for them).
template <typename T>
const T* ObjectOf(const v1::WatchEvent&, const T*) {
  return nullptr;
}

template <typename T>
void PrintItems(const std::vector<T>& items, const Presentation& how, Io& io) {
  // A named object that was not found has been reported already; an empty
  // list prints as kubectl's message, or as an empty List with -o json|yaml.
  const bool structured = how.format == OutputFormat::kJson || how.format == OutputFormat::kYaml;
  if (items.empty() && (how.single || !structured)) {
    if (!how.single) io.err << how.empty_message << "\n";
    return;
  }
  switch (how.format) {
    case OutputFormat::kName:
      for (const T& item : items) io.out << NameLine(item) << "\n";
      break;
    case OutputFormat::kJson:
    case OutputFormat::kYaml: {
      std::vector<const google::protobuf::Message*> objects;
      for (const T& item : items) objects.push_back(&item);
      PrintObjects(io.out, how.format, objects, how.single);
      break;
    }
    default:
      PrintTable(io.out, TableRows(items, how.table));
  }
}

// Follows the Watch stream, printing each change the way the first listing
// was printed. The stream starts with every current object as ADDED: those
// already listed are skipped, as kubectl's watch starts after its list. The
// header is printed once, with the first row when the listing was empty.
template <typename T>
void Follow(Connection& connection, const v1::WatchRequest& request, const Query& query,
            Presentation how, std::set<std::string> listed, Io& io) {
  v1::OperatorService::Stub* stub = connection.LiveStub();
  if (stub == nullptr) return;
  grpc::ClientContext context;
  connection.PrepareContext(&context, /*with_deadline=*/false);
  auto reader = stub->Watch(&context, request);
  how.table.headers = listed.empty();
  how.single = true;
  v1::WatchEvent event;
  while (reader->Read(&event)) {
    const T* object = ObjectOf(event, static_cast<const T*>(nullptr));
    if (object == nullptr) continue;
    const std::string key = object->metadata().namespace_() + "/" + object->metadata().name();
    if (event.type() == "ADDED" && listed.erase(key) != 0) continue;
    const std::string& name = object->metadata().name();
    if (!query.names.empty() &&
        std::find(query.names.begin(), query.names.end(), name) == query.names.end()) {
      continue;
    }
    if (how.format == OutputFormat::kYaml) io.out << "---\n";
    how.table.now = std::chrono::system_clock::now();
    PrintItems(std::vector<T>{*object}, how, io);
    how.table.headers = false;
    io.out.flush();
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) connection.Report(status);
}

template <typename T, typename FetchFunction>
void Show(Connection& connection, const Query& query, const Presentation& how, bool watch,
          const char* watch_resource, FetchFunction fetch, Io& io) {
  auto items = fetch(connection, query);
  if (!items) return;
  PrintItems(*items, how, io);
  if (!watch || connection.unreachable()) return;
  v1::WatchRequest request;
  request.set_resource(watch_resource);
  request.set_namespace_(query.namespace_);
  request.set_all_namespaces(query.all_namespaces);
  request.set_label_selector(query.label_selector);
  std::set<std::string> listed;
  for (const T& item : *items) {
    listed.insert(item.metadata().namespace_() + "/" + item.metadata().name());
  }
  Follow<T>(connection, request, query, how, std::move(listed), io);
}

// --field-selector: only spec.nodeName for pods ("spec.nodeName=n1" or "==").
bool ApplyFieldSelector(const std::string& selector, const ResourceType& type, Query* query,
                        Io& io) {
  if (selector.empty()) return true;
  const size_t equals = selector.find('=');
  const std::string key = selector.substr(0, equals);
  if (type.kind != ResourceKind::kPod || key != "spec.nodeName" || equals == std::string::npos ||
      selector.find(',') != std::string::npos) {
    Fail(io, "field selector \"" + selector +
                 "\" is not supported: fleetsetctl supports "
                 "spec.nodeName=NODE for pods");
    return false;
  }
  size_t value_start = equals + 1;
  if (value_start < selector.size() && selector[value_start] == '=') ++value_start;
  query->node_name = selector.substr(value_start);
  return true;
}

void RunGet(const GetOptions& options, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto resources = ParseResourceArgs(options.args, "get", &error);
  if (!resources) return Fail(io, error);
  const auto format = ParseOutputFormat(options.output, &error);
  if (!format) return Fail(io, error);
  const ResourceType& type = *resources->type;
  if (!options.selector.empty()) {
    if (!resources->names.empty())
      return Fail(io, "name cannot be provided when a selector is specified");
    if (!StringSelector::Parse(options.selector, &error)) return Fail(io, error);
  }
  const bool all_namespaces = options.all_namespaces && type.namespaced;
  if (all_namespaces && !resources->names.empty()) {
    return Fail(io, "a resource cannot be retrieved by name across all namespaces");
  }

  if ((type.kind == ResourceKind::kUser || type.kind == ResourceKind::kCoordinator) &&
      (options.watch || !options.selector.empty())) {
    return Fail(io, std::string(type.resource) + " cannot be watched or selected by label");
  }
  if (IsObjectKind(type.kind) && options.watch) {
    return Fail(io, std::string(type.resource) +
                        " cannot be watched: the coordinator watches daemonsets, nodes and pods");
  }
  Query query;
  query.names = resources->names;
  query.namespace_ = global.Namespace();
  query.all_namespaces = all_namespaces;
  query.label_selector = options.selector;
  if (!ApplyFieldSelector(options.field_selector, type, &query, io)) return;

  Presentation how;
  how.format = *format;
  how.table.wide = *format == OutputFormat::kWide;
  how.table.with_namespace = all_namespaces;
  how.single = resources->names.size() == 1;
  how.empty_message = type.namespaced && !all_namespaces
                          ? "No resources found in " + query.namespace_ + " namespace."
                          : "No resources found";

  auto connection = Connection::Open(global, io);
  if (!connection) return;
  switch (type.kind) {
    case ResourceKind::kDaemonSet:
      return Show<v1::DaemonSet>(*connection, query, how, options.watch, "daemonsets",
                                 FetchDaemonSets, io);
    case ResourceKind::kNode:
      return Show<v1::Node>(*connection, query, how, options.watch, "nodes", FetchNodes, io);
    case ResourceKind::kPod:
      return Show<v1::Pod>(*connection, query, how, options.watch, "pods", FetchPods, io);
    case ResourceKind::kUser:
      return Show<v1::User>(*connection, query, how, false, "users", FetchUsers, io);
    case ResourceKind::kConfigMap:
      return Show<v1::ConfigMap>(*connection, query, how, false, "configmaps",
                                 FetchObjects<v1::ConfigMap>, io);
    case ResourceKind::kSecret:
      return Show<v1::Secret>(*connection, query, how, false, "secrets", FetchObjects<v1::Secret>,
                              io);
    case ResourceKind::kPriorityClass:
      return Show<v1::PriorityClass>(*connection, query, how, false, "priorityclasses",
                                     FetchObjects<v1::PriorityClass>, io);
    case ResourceKind::kNamespace:
      return Show<v1::Namespace>(*connection, query, how, false, "namespaces",
                                 FetchObjects<v1::Namespace>, io);
    case ResourceKind::kCoordinator:
      return Show<v1::Coordinator>(*connection, query, how, false, "coordinators",
                                   FetchCoordinators, io);
  }
}

}  // namespace

void AddGetCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<GetOptions>();
  CLI::App* command = app.add_subcommand(
      "get",
      "Display one or many DaemonSets, nodes, pods, users, ConfigMaps, Secrets, PriorityClasses, "
      "Namespaces or coordinators (types: daemonsets/ds, nodes/no, pods/po, users, "
      "configmaps/cm, secrets, priorityclasses/pc, namespaces/ns, coordinators)");
  command->add_option("args", options->args, "TYPE [NAME...] or TYPE/NAME...")->required();
  command->add_option("-o,--output", options->output,
                      "Output format: wide, json, yaml or name (default: a table)");
  command->add_flag("-A,--all-namespaces", options->all_namespaces,
                    "List DaemonSets, pods, ConfigMaps or Secrets in every namespace (adds a "
                    "NAMESPACE column)");
  command->add_option("-l,--selector", options->selector,
                      "Label selector to filter on, e.g. -l 'app=x,tier!=db,env in (a,b)'");
  command->add_option("--field-selector", options->field_selector,
                      "Pods only: spec.nodeName=NODE lists the pods on one node");
  command->add_flag("-w,--watch", options->watch,
                    "After listing, print a line for every change until interrupted (DaemonSets, "
                    "nodes and pods)");
  command->footer(
      "Examples:\n"
      "  fleetsetctl get ds -n kube-system\n"
      "  fleetsetctl get pods -n kube-system -l name=fluentd-elasticsearch -o wide\n"
      "  fleetsetctl get nodes\n"
      "  fleetsetctl get ds/fluentd -o yaml\n"
      "  fleetsetctl get configmaps -n logging\n"
      "  fleetsetctl get coordinators\n");
  command->callback([options, &global, &io] { RunGet(*options, global, io); });
}

}  // namespace fleetset::ctl
