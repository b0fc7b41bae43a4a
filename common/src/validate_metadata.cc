// Object metadata rules (Kubernetes' ValidateObjectMeta for a namespaced
// object whose name is a DNS-1123 subdomain, as DaemonSet names are).
#include <algorithm>
#include <cctype>

#include "fleetset/labels.h"
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// Kubernetes' TotalAnnotationSizeLimitB: keys and values of one object.
constexpr int64_t kMaxAnnotationBytes = 256 * 1024;

void ValidateAnnotations(const google::protobuf::Map<std::string, std::string>& annotations,
                         const std::string& path, FieldErrors* errors) {
  int64_t total_bytes = 0;
  for (const auto& [key, value] : annotations) {
    AppendInvalid(path, key, CheckAnnotationKey(key), errors);
    total_bytes += static_cast<int64_t>(key.size() + value.size());
  }
  if (total_bytes > kMaxAnnotationBytes) {
    errors->push_back(TooLongError(path, kMaxAnnotationBytes));
  }
}

}  // namespace

std::vector<std::string> CheckAnnotationKey(std::string_view key) {
  // A qualified name in which case does not matter.
  std::string lowered(key);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return CheckQualifiedName(lowered);
}

void ValidateObjectMeta(const v1::ObjectMeta& meta, const std::string& path, FieldErrors* errors) {
  const std::string name_path = ChildPath(path, "name");
  if (meta.name().empty()) {
    // generateName is accepted in manifests but never acted on, so a
    // DaemonSet always needs its own name.
    errors->push_back(RequiredError(name_path));
  } else {
    AppendInvalid(name_path, meta.name(), CheckDns1123Subdomain(meta.name()), errors);
  }
  const std::string namespace_path = ChildPath(path, "namespace");
  if (meta.namespace_().empty()) {
    errors->push_back(RequiredError(namespace_path));
  } else {
    AppendInvalid(namespace_path, meta.namespace_(), CheckDns1123Label(meta.namespace_()), errors);
  }
  ValidateLabelsAndAnnotations(meta, path, errors);
}

void ValidateLabelsAndAnnotations(const v1::ObjectMeta& meta, const std::string& path,
                                  FieldErrors* errors) {
  Append(ValidateLabels(meta.labels(), ChildPath(path, "labels")), errors);
  ValidateAnnotations(meta.annotations(), ChildPath(path, "annotations"), errors);
}

}  // namespace fleetset::internal
