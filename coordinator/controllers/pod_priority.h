// Kubernetes' Priority admission for a pod created from a template: the
// value of its priorityClassName, of the globalDefault class when it names
// none (0 without one), or the refusal when the class does not exist.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fleetset/v1/config.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::coordinator {

struct PodPriority {
  int32_t value = 0;
  // `pods "<generate-name>" is forbidden: no PriorityClass with name x was
  // found`; empty when the pod may be created.
  std::string refusal;
};

// `generate_name` is the DaemonSet's name with Kubernetes' trailing dash.
PodPriority ResolvePodPriority(const v1::PodSpec& spec,
                               const std::vector<std::shared_ptr<const v1::PriorityClass>>& classes,
                               const std::string& generate_name);

}  // namespace fleetset::coordinator
