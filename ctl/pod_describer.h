// kubectl's `describe pod` layout for a pod as its node reports it.
#pragma once

#include <optional>
#include <ostream>
#include <vector>

#include "fleetset/v1/operator_service.pb.h"
#include "printers.h"

namespace fleetset::ctl {

// `pod_template` is the template of the revision the pod runs (its
// DaemonSet's, found by the pod's controller-revision-hash), which holds
// what kubectl reads from a pod's spec: images, ports, env, mounts,
// volumes, tolerations. Without it (a static pod, or a revision no longer
// kept) only what the node reports is shown. `events` nullopt leaves the
// Events section out.
void DescribePod(std::ostream& out, const v1::Pod& pod, const v1::PodTemplateSpec* pod_template,
                 const std::optional<std::vector<v1::Event>>& events, TimePoint now);

}  // namespace fleetset::ctl
