#include "coordinator/registry/api_error.h"
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/labels.h"
#include "fleetset/names.h"

namespace fleetset::coordinator {

FieldErrors ValidateCommonMetadata(const v1::ObjectMeta& meta, bool namespaced) {
  FieldErrors errors = CheckObjectName("metadata.name", meta.name());
  if (namespaced) {
    for (const std::string& problem : CheckDns1123Label(meta.namespace_())) {
      errors.push_back(
          {"metadata.namespace", "Invalid value: \"" + meta.namespace_() + "\": " + problem});
    }
  }
  FieldErrors labels = ValidateLabels(meta.labels(), "metadata.labels");
  errors.insert(errors.end(), labels.begin(), labels.end());
  return errors;
}

}  // namespace fleetset::coordinator
