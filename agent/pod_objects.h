// The ConfigMaps and Secrets this node's pods may reference, as the
// coordinator last gave them (or as its cached copy has them): an
// immutable snapshot, shared by every pod pass that starts after it was
// made. The reconciler makes a new one for every new desired state; a pass
// reads the one it was given, so its files and env come from one version.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "fleetset/v1/agent_service.pb.h"
#include "fleetset/v1/config.pb.h"

namespace fleetset::agent {

class PodObjects {
 public:
  PodObjects() = default;
  // The objects of `state` (the coordinator's desired state).
  static std::shared_ptr<const PodObjects> From(const v1::DesiredState& state);

  // nullptr when the coordinator gave none of that name in that namespace.
  const v1::ConfigMap* FindConfigMap(const std::string& pod_namespace,
                                     const std::string& name) const;
  const v1::Secret* FindSecret(const std::string& pod_namespace, const std::string& name) const;

  size_t size() const { return config_maps_.size() + secrets_.size(); }

 private:
  std::map<std::string, v1::ConfigMap> config_maps_;  // by namespace/name
  std::map<std::string, v1::Secret> secrets_;
};

// A ConfigMap's keys with their bytes: data and binaryData together (a key
// is in one or the other, never both).
std::map<std::string, std::string> ConfigMapContents(const v1::ConfigMap& config_map);

// kubelet's words for a missing object, as `get pods` and events show them:
// `configmap "fluent-bit" not found`, `secret "creds" not found`.
std::string ConfigMapNotFound(const std::string& name);
std::string SecretNotFound(const std::string& name);

}  // namespace fleetset::agent
