// The kinds of object fleetset takes from operators, and the check of a
// manifest's or a request's kind and apiVersion, with Kubernetes' wording.
#pragma once

#include <optional>
#include <string_view>

#include "fleetset/field_error.h"

namespace fleetset {

inline constexpr char kDaemonSetKind[] = "DaemonSet";
inline constexpr char kDaemonSetApiVersion[] = "apps/v1";

// The error for a kind fleetset does not manage; nullopt for DaemonSet.
std::optional<FieldError> CheckKind(std::string_view kind);
// The error for an apiVersion other than apps/v1 (naming the removal for
// the old beta versions); nullopt for apps/v1.
std::optional<FieldError> CheckApiVersion(std::string_view api_version);

}  // namespace fleetset
