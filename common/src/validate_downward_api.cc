// The downward API: pod fields (fieldRef) and container resources
// (resourceFieldRef) exposed to containers as env variables or as files of
// a downwardAPI volume (Kubernetes' validateObjectFieldSelector and
// validateContainerResourceFieldSelector).
#include <algorithm>
#include <array>
#include <span>

#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// Pod fields the agent can put into env (Kubernetes'
// validEnvDownwardAPIFieldPathExpressions), in the order messages list
// them; labels and annotations only with a ['key'] subscript. Subscripted
// paths are checked apart, so the <KEY> entries only show in messages.
constexpr std::array<std::string_view, 11> kEnvFieldPaths = {"metadata.name",
                                                             "metadata.namespace",
                                                             "metadata.uid",
                                                             "metadata.labels['<KEY>']",
                                                             "metadata.annotations['<KEY>']",
                                                             "spec.nodeName",
                                                             "spec.serviceAccountName",
                                                             "status.hostIP",
                                                             "status.hostIPs",
                                                             "status.podIP",
                                                             "status.podIPs"};

// Pod fields a volume file can hold (validVolumeDownwardAPIFieldPathExpressions):
// the whole label and annotation maps too, one `key="value"` per line.
constexpr std::array<std::string_view, 7> kVolumeFieldPaths = {"metadata.name",
                                                               "metadata.namespace",
                                                               "metadata.uid",
                                                               "metadata.labels",
                                                               "metadata.annotations",
                                                               "metadata.labels['<KEY>']",
                                                               "metadata.annotations['<KEY>']"};

bool Contains(std::span<const std::string_view> values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// "metadata.labels['app']" -> {"metadata.labels", "app"}.
bool SplitSubscript(const std::string& path, std::string* base, std::string* key) {
  const size_t open = path.find("['");
  if (open == std::string::npos || !path.ends_with("']") || open + 4 > path.size()) return false;
  *base = path.substr(0, open);
  *key = path.substr(open + 2, path.size() - open - 4);
  return true;
}

bool IsSupportedResource(const std::string& resource) {
  static const std::array<std::string_view, 6> kResources = {
      "limits.cpu",   "limits.memory",   "limits.ephemeral-storage",
      "requests.cpu", "requests.memory", "requests.ephemeral-storage"};
  return Contains(kResources, resource) || resource.starts_with("limits.hugepages-") ||
         resource.starts_with("requests.hugepages-");
}

}  // namespace

void ValidateObjectFieldSelector(const v1::ObjectFieldSelector& ref, DownwardApiUse use,
                                 const std::string& path, FieldErrors* errors) {
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
  const std::span<const std::string_view> supported =
      use == DownwardApiUse::kEnv ? std::span<const std::string_view>(kEnvFieldPaths)
                                  : std::span<const std::string_view>(kVolumeFieldPaths);
  if (!Contains(supported, value))
    errors->push_back(UnsupportedError(field_path, value, supported));
}

void ValidateResourceFieldSelector(const v1::ResourceFieldSelector& ref, DownwardApiUse use,
                                   const std::string& path, FieldErrors* errors) {
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
  const std::string container_path = ChildPath(path, "containerName");
  if (!ref.container_name().empty()) {
    AppendInvalid(container_path, ref.container_name(), CheckDns1123Label(ref.container_name()),
                  errors);
  } else if (use == DownwardApiUse::kVolumeFile) {
    // A volume belongs to the pod: it cannot default to "this container".
    errors->push_back(RequiredError(container_path));
  }
  // The value is divided by it: it must be a positive quantity.
  if (!ref.divisor().empty()) {
    ValidateQuantity(ref.divisor(), QuantityMinimum::kAboveZero, ChildPath(path, "divisor"),
                     errors);
  }
}

}  // namespace fleetset::internal
