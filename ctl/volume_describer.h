// kubectl's "Volumes:" section of a pod template or pod.
#pragma once

#include <string>

#include "fleetset/v1/pod.pb.h"
#include "tabwriter.h"

namespace fleetset::ctl {

// `space`: kubectl's indent of the title ("  " in a pod template, "" in a pod).
void DescribeVolumes(TabWriter& w, const google::protobuf::RepeatedPtrField<v1::Volume>& volumes,
                     const std::string& space);

}  // namespace fleetset::ctl
