// The kinds of object fleetset takes from operators, and what a manifest's
// kind and apiVersion make of a document: an object fleetset manages, a
// Kubernetes object that only means something to an API server (skipped,
// so that published bundles apply as they are), or an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fleetset/field_error.h"
#include "fleetset/v1/object.pb.h"

namespace fleetset {

inline constexpr char kDaemonSetKind[] = "DaemonSet";
inline constexpr char kDaemonSetApiVersion[] = "apps/v1";
inline constexpr char kConfigMapKind[] = "ConfigMap";
inline constexpr char kSecretKind[] = "Secret";
inline constexpr char kNamespaceKind[] = "Namespace";
inline constexpr char kCoreApiVersion[] = "v1";
inline constexpr char kPriorityClassKind[] = "PriorityClass";
inline constexpr char kPriorityClassApiVersion[] = "scheduling.k8s.io/v1";

// The error for a kind fleetset does not run as a workload; nullopt for
// DaemonSet.
std::optional<FieldError> CheckKind(std::string_view kind);
// The error for an apiVersion other than apps/v1 (naming the removal for
// the old beta versions); nullopt for apps/v1.
std::optional<FieldError> CheckApiVersion(std::string_view api_version);

// What becomes of a document of this kind and apiVersion.
struct KindDecision {
  enum class Treatment { kManaged, kSkipped, kRefused };
  Treatment treatment = Treatment::kRefused;
  // kManaged: the member of v1::Object it decodes into.
  v1::Object::KindCase managed = v1::Object::KIND_NOT_SET;
  // kSkipped: why, e.g. "fleetset has no ServiceAccounts".
  std::string skip_reason;
  // kRefused: the kind's error. kManaged: the apiVersion's, if any.
  FieldErrors errors;
};
KindDecision ClassifyKind(std::string_view kind, std::string_view api_version);

// The kind's name as an object's metadata says it, for a v1::Object
// ("ConfigMap"); "" when none is set.
std::string_view KindName(v1::Object::KindCase kind);
// The object's metadata, whatever its kind; nullptr when none is set.
const v1::ObjectMeta* MetadataOf(const v1::Object& object);
v1::ObjectMeta* MutableMetadataOf(v1::Object& object);

}  // namespace fleetset
