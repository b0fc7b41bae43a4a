// What the decoder knows about Kubernetes beyond the proto model: fields
// Kubernetes defines on these objects that fleetset does not model, and the
// string fields that hold resource quantities. Kept apart from the generic
// walker so the walker stays a plain proto/JSON mapping.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>

namespace fleetset::internal {

enum class KnownFieldPolicy {
  // Server-side bookkeeping (status, managedFields ...) that `kubectl get -o
  // yaml` prints; accepted so such output can be re-applied, then dropped.
  kIgnore,
  // A real Kubernetes feature fleetset cannot honour; silently dropping it
  // would run something other than what the user asked for.
  kUnsupported,
};

struct KnownField {
  KnownFieldPolicy policy;
  // For kUnsupported: the message after the field path.
  std::string message;
};

// A Kubernetes field of `message` (by JSON name) that needs special
// treatment, or nullopt when the proto model decides.
std::optional<KnownField> LookupKnownField(const google::protobuf::Descriptor& message,
                                           std::string_view json_name);

// Whether a string field (or map<string,string> field) holds resource
// quantities, which Kubernetes also accepts as plain YAML numbers
// (`cpu: 1`, `memory: 129e6`).
bool IsQuantityField(const google::protobuf::FieldDescriptor& field);

}  // namespace fleetset::internal
