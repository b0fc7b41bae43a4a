// Environment variables (Kubernetes' ValidateEnv and the downward API
// selectors it allows in env).
#include <set>

#include "fleetset/names.h"
#include "fleetset/quantity.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// Pod fields the agent can put into env (Kubernetes'
// validEnvDownwardAPIFieldPathExpressions); labels and annotations are
// allowed only with a ['key'] subscript.
bool IsSupportedFieldPath(const std::string& path) {
  static const std::set<std::string> kPaths = {"metadata.name",
                                               "metadata.namespace",
                                               "metadata.uid",
                                               "spec.nodeName",
                                               "spec.serviceAccountName",
                                               "status.hostIP",
                                               "status.hostIPs",
                                               "status.podIP",
                                               "status.podIPs"};
  return kPaths.contains(path);
}

// "metadata.labels['app']" -> {"metadata.labels", "app"}.
bool SplitSubscript(const std::string& path, std::string* base, std::string* key) {
  const size_t open = path.find("['");
  if (open == std::string::npos || !path.ends_with("']") || open + 4 > path.size()) return false;
  *base = path.substr(0, open);
  *key = path.substr(open + 2, path.size() - open - 4);
  return true;
}

void ValidateFieldRef(const v1::ObjectFieldSelector& ref, const std::string& path,
                      FieldErrors* errors) {
  // Kubernetes defaults an empty apiVersion to v1, the only pod version.
  if (!ref.api_version().empty() && ref.api_version() != "v1") {
    errors->push_back(UnsupportedError(ChildPath(path, "apiVersion"), ref.api_version(), {"v1"}));
  }
  const std::string field_path = ChildPath(path, "fieldPath");
  const std::string& value = ref.field_path();
  if (value.empty()) {
    errors->push_back(RequiredError(field_path));
    return;
  }
  std::string base, key;
  if (SplitSubscript(value, &base, &key)) {
    if (base == "metadata.labels") {
      AppendInvalid(field_path, key, CheckQualifiedName(key), errors);
    } else if (base == "metadata.annotations") {
      AppendInvalid(field_path, key, CheckAnnotationKey(key), errors);
    } else {
      errors->push_back(InvalidError(field_path, Quote(base), "does not support subscript"));
    }
    return;
  }
  if (!IsSupportedFieldPath(value)) {
    errors->push_back(UnsupportedError(
        field_path, value,
        {"metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels['<KEY>']",
         "metadata.annotations['<KEY>']", "spec.nodeName", "spec.serviceAccountName",
         "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"}));
  }
}

bool IsSupportedResource(const std::string& resource) {
  static const std::set<std::string> kResources = {
      "limits.cpu",   "limits.memory",   "limits.ephemeral-storage",
      "requests.cpu", "requests.memory", "requests.ephemeral-storage"};
  return kResources.contains(resource) || resource.starts_with("limits.hugepages-") ||
         resource.starts_with("requests.hugepages-");
}

void ValidateResourceFieldRef(const v1::ResourceFieldSelector& ref, const std::string& path,
                              FieldErrors* errors) {
  const std::string resource_path = ChildPath(path, "resource");
  if (ref.resource().empty()) {
    errors->push_back(RequiredError(resource_path));
  } else if (!IsSupportedResource(ref.resource())) {
    errors->push_back(
        UnsupportedError(resource_path, ref.resource(),
                         {"limits.cpu", "limits.ephemeral-storage", "limits.hugepages-<size>",
                          "limits.memory", "requests.cpu", "requests.ephemeral-storage",
                          "requests.hugepages-<size>", "requests.memory"}));
  }
  if (!ref.container_name().empty()) {
    AppendInvalid(ChildPath(path, "containerName"), ref.container_name(),
                  CheckDns1123Label(ref.container_name()), errors);
  }
  if (ref.divisor().empty()) return;
  // The value is divided by it: it must be a positive quantity.
  const std::string divisor_path = ChildPath(path, "divisor");
  std::string problem;
  const auto divisor = Quantity::Parse(ref.divisor(), &problem);
  if (!divisor) {
    errors->push_back(InvalidError(divisor_path, Quote(ref.divisor()), problem));
  } else if (divisor->IsNegative() || divisor->IsZero()) {
    errors->push_back(InvalidError(divisor_path, Quote(ref.divisor()), "must be greater than 0"));
  }
}

void ValidateValueFrom(const v1::EnvVar& var, const std::string& path, FieldErrors* errors) {
  if (!var.has_value_from()) return;
  const v1::EnvVarSource& source = var.value_from();
  int sources = 0;
  if (source.has_field_ref()) {
    ++sources;
    ValidateFieldRef(source.field_ref(), ChildPath(path, "fieldRef"), errors);
  }
  if (source.has_resource_field_ref()) {
    ++sources;
    ValidateResourceFieldRef(source.resource_field_ref(), ChildPath(path, "resourceFieldRef"),
                             errors);
  }
  if (sources == 0) {
    errors->push_back(RequiredError(path, "must specify one of: `fieldRef` or `resourceFieldRef`"));
  } else if (!var.value().empty()) {
    errors->push_back(ForbiddenError(path, "may not be specified when `value` is not empty"));
  } else if (sources > 1) {
    errors->push_back(ForbiddenError(path, "may not have more than one field specified at a time"));
  }
}

}  // namespace

void ValidateEnv(const Repeated<v1::EnvVar>& env, const std::string& path, FieldErrors* errors) {
  for (int i = 0; i < env.size(); ++i) {
    const v1::EnvVar& var = env[i];
    const std::string var_path = IndexPath(path, i);
    const std::string name_path = ChildPath(var_path, "name");
    if (var.name().empty()) {
      errors->push_back(RequiredError(name_path));
    } else {
      AppendInvalid(name_path, var.name(), CheckEnvVarName(var.name()), errors);
    }
    ValidateValueFrom(var, ChildPath(var_path, "valueFrom"), errors);
  }
}

}  // namespace fleetset::internal
