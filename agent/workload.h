// A DaemonSet as this node must run it, whichever source it came from: the
// coordinator (with the revision it assigned to this node) or a static
// manifest file.
#pragma once

#include <cstdint>
#include <string>

#include "fleetset/pod_owner.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

struct Workload {
  PodOwner owner;
  v1::PodTemplateSpec template_spec;
  std::string revision_hash;
  int64_t revision = 0;
  // Start the new revision's pod before stopping the old one (maxSurge).
  bool surge = false;
  int32_t min_ready_seconds = 0;
  // From the template's PriorityClass, resolved by the coordinator.
  int32_t priority = 0;
  // Why no new pod may be created (the coordinator's FailedCreate reason);
  // empty when pods may be.
  std::string pod_create_error;
};

}  // namespace fleetset::agent
