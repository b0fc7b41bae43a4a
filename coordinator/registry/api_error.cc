#include "coordinator/registry/api_error.h"

#include "fleetset/names.h"

namespace fleetset::coordinator {

ApiError ApiError::NotFound(const std::string& resource, const std::string& name) {
  return {Reason::kNotFound, resource + " \"" + name + "\" not found"};
}

ApiError ApiError::AlreadyExists(const std::string& resource, const std::string& name) {
  return {Reason::kAlreadyExists, resource + " \"" + name + "\" already exists"};
}

ApiError ApiError::Conflict(const std::string& resource, const std::string& name) {
  return {Reason::kConflict,
          "Operation cannot be fulfilled on " + resource + " \"" + name +
              "\": the object has been modified; please apply your changes to the latest "
              "version and try again"};
}

ApiError ApiError::Invalid(const std::string& kind, const std::string& name, FieldErrors causes) {
  // kubectl prints the API server's "DaemonSet.apps "x" is invalid" as
  // "The DaemonSet "x" is invalid"; fleetset words it that way itself.
  std::string message = "The " + kind + " \"" + name + "\" is invalid: ";
  if (causes.size() > 1) message += "[";
  for (size_t i = 0; i < causes.size(); ++i) {
    if (i > 0) message += ", ";
    message += causes[i].ToString();
  }
  if (causes.size() > 1) message += "]";
  return {Reason::kInvalid, message, std::move(causes)};
}

ApiError ApiError::Gone(int64_t requested, int64_t oldest) {
  return {Reason::kGone, "too old resource version: " + std::to_string(requested) + " (" +
                             std::to_string(oldest) + ")"};
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
