// The downward API's fieldRef values (a pod's name, labels, IPs...), as
// kubelet resolves them. Container env and downwardAPI volume files share
// them, so a value reads the same in both.
#pragma once

#include <map>
#include <string>

#include "agent/pod_config_builder.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// Kubernetes' fieldpath.FormatMap: sorted key="value" lines (values quoted
// as Go's %q), so that a whole-map fieldRef (metadata.labels) is stable.
std::string FormatMap(const std::map<std::string, std::string>& values);

// The value of `path` (metadata.name, metadata.labels['app'],
// status.hostIP...) for the pod. false for a path the downward API does not
// know. A subscript naming a missing key is "", as in Kubernetes.
bool FieldRefValue(const std::string& path, const v1::PodTemplateSpec& template_spec,
                   const PodContext& context, std::string* value);

// The same for a downwardAPI volume file, which may name only the pod's
// metadata: its status and spec fields (IPs, node name) are env-only.
bool MetadataFieldRefValue(const std::string& path, const v1::PodTemplateSpec& template_spec,
                           const PodContext& context, std::string* value);

}  // namespace fleetset::agent
