// What of an object's metadata a request may set: its name, namespace,
// labels and annotations, and the resourceVersion an update must match.
// The rest (uid, creation time, generation) is the coordinator's.
#pragma once

#include "fleetset/v1/meta.pb.h"

namespace fleetset::coordinator {

inline v1::ObjectMeta RequestedMetadata(const v1::ObjectMeta& given) {
  v1::ObjectMeta meta;
  meta.set_name(given.name());
  meta.set_namespace_(given.namespace_());
  *meta.mutable_labels() = given.labels();
  *meta.mutable_annotations() = given.annotations();
  meta.set_resource_version(given.resource_version());
  return meta;
}

}  // namespace fleetset::coordinator
