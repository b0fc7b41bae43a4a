// `fleetsetctl delete TYPE NAME...`: kubectl's `TYPE "NAME" deleted` for
// each; the others are still deleted when one fails.
#include <ostream>

#include "commands.h"
#include "connection.h"
#include "resources.h"

namespace fleetset::ctl {
namespace {

struct DeleteOptions {
  std::vector<std::string> args;
  bool ignore_not_found = false;
};

// One delete call; false when it failed (already reported unless it was a
// tolerated NotFound).
bool DeleteOne(Connection& connection, const ResourceType& type, const std::string& namespace_,
               const std::string& name, bool ignore_not_found) {
  using Stub = v1::OperatorService::Stub;
  constexpr auto kWrite = Connection::Effect::kWrite;
  v1::DeleteResponse response;
  grpc::Status status;
  switch (type.kind) {
    case ResourceKind::kDaemonSet: {
      v1::DeleteDaemonSetRequest request;
      request.mutable_key()->set_namespace_(namespace_);
      request.mutable_key()->set_name(name);
      status = connection.Invoke(kWrite, &Stub::DeleteDaemonSet, request, &response);
      break;
    }
    case ResourceKind::kNode: {
      v1::DeleteNodeRequest request;
      request.set_name(name);
      status = connection.Invoke(kWrite, &Stub::DeleteNode, request, &response);
      break;
    }
    case ResourceKind::kPod: {
      v1::DeletePodRequest request;
      request.set_namespace_(namespace_);
      request.set_name(name);
      status = connection.Invoke(kWrite, &Stub::DeletePod, request, &response);
      break;
    }
    case ResourceKind::kUser: {
      v1::DeleteUserRequest request;
      request.set_name(name);
      status = connection.Invoke(kWrite, &Stub::DeleteUser, request, &response);
      break;
    }
    case ResourceKind::kCoordinator:
      return false;  // refused by RunDelete
    case ResourceKind::kConfigMap:
    case ResourceKind::kSecret:
    case ResourceKind::kPriorityClass:
    case ResourceKind::kNamespace: {
      v1::DeleteObjectRequest request;
      request.set_resource(std::string(type.resource));
      request.set_namespace_(type.namespaced ? namespace_ : "");
      request.set_name(name);
      status = connection.Invoke(kWrite, &Stub::DeleteObject, request, &response);
      break;
    }
  }
  if (status.ok()) return true;
  if (!(ignore_not_found && status.error_code() == grpc::StatusCode::NOT_FOUND)) {
    connection.Report(status);
  }
  return false;
}

void RunDelete(const DeleteOptions& options, const GlobalOptions& global, Io& io) {
  std::string error;
  const auto resources = ParseResourceArgs(options.args, "delete", &error);
  if (!resources) return Fail(io, error);
  if (resources->type->kind == ResourceKind::kCoordinator) {
    return Fail(io,
                "coordinators cannot be deleted: one that is gone is forgotten a day after it was "
                "last heard from");
  }
  if (resources->names.empty()) {
    return Fail(io, "resource(s) were provided, but no name was specified");
  }
  auto connection = Connection::Open(global, io);
  if (!connection) return;
  for (const std::string& name : resources->names) {
    if (DeleteOne(*connection, *resources->type, global.Namespace(), name,
                  options.ignore_not_found)) {
      io.out << resources->type->qualified << " \"" << name << "\" deleted\n";
    } else if (connection->unreachable()) {
      return;
    }
  }
}

}  // namespace

void AddDeleteCommand(CLI::App& app, Io& io, const GlobalOptions& global) {
  auto options = std::make_shared<DeleteOptions>();
  CLI::App* command = app.add_subcommand(
      "delete",
      "Delete DaemonSets (their pods are removed from every node), nodes (their certificates "
      "are revoked: they must join again), pods (the DaemonSet starts a replacement), users "
      "(their certificates are revoked at once), ConfigMaps, Secrets, PriorityClasses or "
      "Namespaces");
  command->add_option("args", options->args, "TYPE NAME... or TYPE/NAME...")->required();
  command->add_flag("--ignore-not-found", options->ignore_not_found,
                    "Treat a missing object as deleted: no error, nothing printed");
  command->footer(
      "Examples:\n"
      "  fleetsetctl delete ds fluentd -n kube-system\n"
      "  fleetsetctl delete pod/fluentd-x7k2p -n kube-system\n"
      "  fleetsetctl delete node retired-01\n"
      "  fleetsetctl delete user alice\n"
      "  fleetsetctl delete configmap fluent-bit-config -n logging\n");
  command->callback([options, &global, &io] { RunDelete(*options, global, io); });
}

}  // namespace fleetset::ctl
