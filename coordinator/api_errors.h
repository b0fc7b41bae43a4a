// gRPC statuses worded as the Kubernetes API server words them, so the CLI
// can print "Error from server (NotFound): daemonsets.apps "x" not found".
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "fleetset/field_error.h"

namespace fleetset::coordinator {

// `resource` is the plural API resource: "daemonsets.apps", "nodes", "pods".
grpc::Status NotFound(const std::string& resource, const std::string& name);
grpc::Status AlreadyExists(const std::string& resource, const std::string& name);
// `kind` is "DaemonSet" or "Node": every error, with its field path.
grpc::Status Invalid(const std::string& kind, const std::string& name, const FieldErrors& errors);
grpc::Status BadRequest(const std::string& message);
// A request that is well formed but conflicts with the object as it is
// (a label already set, a taint or revision that is not there): what
// kubectl checks on the client and prints as "error: ...".
grpc::Status Conflict(const std::string& message);

// Checks an object name (DNS-1123 subdomain) given in a request field.
FieldErrors CheckObjectName(const std::string& path, const std::string& name);

}  // namespace fleetset::coordinator
