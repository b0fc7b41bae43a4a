#include "fleetset/object_kinds.h"

#include <string>

namespace fleetset {

std::optional<FieldError> CheckKind(std::string_view kind) {
  if (kind == kDaemonSetKind) return std::nullopt;
  const std::string text(kind);
  return FieldError{"kind", "Unsupported value \"" + text + "\": kind " + text +
                                " is not supported; fleetset manages DaemonSets (apps/v1)"};
}

// apps/v1 is the only DaemonSet API left in Kubernetes. The beta versions
// were removed in Kubernetes 1.16; we reject them rather than converting,
// as the API server does, so that a manifest fleetset accepts is one
// kubectl accepts too (and apps/v1 made spec.selector mandatory, which an
// old manifest may lack).
std::optional<FieldError> CheckApiVersion(std::string_view api_version) {
  if (api_version == kDaemonSetApiVersion) return std::nullopt;
  const std::string text(api_version);
  if (api_version == "extensions/v1beta1" || api_version == "apps/v1beta2") {
    return FieldError{"apiVersion", "Unsupported value \"" + text + "\": DaemonSet in " + text +
                                        " was removed in Kubernetes 1.16; use apps/v1 (which "
                                        "requires spec.selector)"};
  }
  return FieldError{"apiVersion",
                    "Unsupported value \"" + text + "\": supported values: \"apps/v1\""};
}

}  // namespace fleetset
