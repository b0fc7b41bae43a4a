// Revision identity of a DaemonSet's pod template, as Kubernetes'
// controller-revision-hash: the same template gives the same hash in any
// process, whatever the field order of the manifest it came from.
#pragma once

#include <string>

#include "fleetset/v1/pod.pb.h"

namespace fleetset {

// Ten characters from Kubernetes' safe alphabet ("bcdfghjklmnpqrstvwxz2456789").
std::string PodTemplateHash(const v1::PodTemplateSpec& template_spec);

// Canonical bytes the hash is computed over (deterministic protobuf
// serialisation: fields by number, map entries by key). Exposed for tests.
std::string CanonicalTemplateBytes(const v1::PodTemplateSpec& template_spec);

}  // namespace fleetset
