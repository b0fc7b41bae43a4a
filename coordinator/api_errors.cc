#include "coordinator/api_errors.h"

#include "fleetset/names.h"

namespace fleetset::coordinator {

grpc::Status NotFound(const std::string& resource, const std::string& name) {
  return {grpc::StatusCode::NOT_FOUND, resource + " \"" + name + "\" not found"};
}

grpc::Status AlreadyExists(const std::string& resource, const std::string& name) {
  return {grpc::StatusCode::ALREADY_EXISTS, resource + " \"" + name + "\" already exists"};
}

grpc::Status Invalid(const std::string& kind, const std::string& name, const FieldErrors& errors) {
  // kubectl prints the API server's "DaemonSet.apps "x" is invalid" as
  // "The DaemonSet "x" is invalid"; fleetset words it that way itself.
  std::string message = "The " + kind + " \"" + name + "\" is invalid: ";
  if (errors.size() > 1) message += "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) message += ", ";
    message += errors[i].ToString();
  }
  if (errors.size() > 1) message += "]";
  return {grpc::StatusCode::INVALID_ARGUMENT, message};
}

grpc::Status BadRequest(const std::string& message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, message};
}

grpc::Status Conflict(const std::string& message) {
  return {grpc::StatusCode::FAILED_PRECONDITION, message};
}

FieldErrors CheckObjectName(const std::string& path, const std::string& name) {
  FieldErrors errors;
  if (name.empty()) {
    errors.push_back({path, "Required value: name is required"});
    return errors;
  }
  for (const std::string& problem : CheckDns1123Subdomain(name)) {
    errors.push_back({path, "Invalid value: \"" + name + "\": " + problem});
  }
  return errors;
}

}  // namespace fleetset::coordinator
