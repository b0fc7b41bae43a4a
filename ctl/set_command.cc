// `fleetsetctl set image ds/NAME CONTAINER=IMAGE...` (`*=IMAGE` for every
// container): a new revision, rolled out as the update strategy says.
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "node_change_args.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

void RunSetImage(const std::vector<std::string>& args, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto split = SplitResourcesAndChanges(args, "image", &error);
  if (!split) return Fail(io, error);
  const auto resources =
      ParseResourceArgsOf(split->resources, "set image", {ResourceKind::kDaemonSet}, &error);
  if (!resources) return Fail(io, error);
  if (resources->names.empty())
    return Fail(io, "resource(s) were provided, but no name was specified");
  std::map<std::string, std::string> images;
  for (const std::string& pair : split->changes) {
    const size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == pair.size()) {
      return Fail(io, "invalid image update \"" + pair + "\": expected CONTAINER=IMAGE");
    }
    images[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  if (images.empty()) return Fail(io, "at least one image update is required");
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  CallOptions call;
  call.precondition_is_client_check = true;
  for (const std::string& name : resources->names) {
    v1::SetImageRequest request;
    request.mutable_key()->set_namespace_(global.Namespace());
    request.mutable_key()->set_name(name);
    request.mutable_images()->insert(images.begin(), images.end());
    v1::ApplyDaemonSetResponse response;
    if (!connection->Write(&v1::OperatorService::Stub::SetImage, request, &response, call)) {
      if (connection->unreachable()) return;
      continue;
    }
    // kubectl prints nothing for an object the update left as it was.
    if (response.result() == "unchanged") continue;
    io.out << QualifiedName(DaemonSetType(), name) << " "
           << (response.result().empty() ? "image updated" : response.result()) << "\n";
  }
}

}  // namespace

void AddSetCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  CLI::App* set = app.add_subcommand("set", "Set specific features on DaemonSets: image");
  set->require_subcommand(1);
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* image = set->add_subcommand(
      "image",
      "Update the image of containers in a DaemonSet's pod template; the change rolls out as "
      "its update strategy says");
  image
      ->add_option("args", *args,
                   "ds/NAME... CONTAINER=IMAGE... (CONTAINER * means every container)")
      ->required();
  image->footer(
      "Examples:\n"
      "  fleetsetctl set image daemonset/fluentd-elasticsearch "
      "fluentd-elasticsearch=quay.io/fluentd_elasticsearch/fluentd:v2.6.0 -n kube-system\n"
      "  fleetsetctl set image ds/node-exporter '*=prom/node-exporter:v1.8.0'\n");
  image->callback([args, &global, &io] { RunSetImage(*args, global, io); });
}

}  // namespace fleetset::ctl
