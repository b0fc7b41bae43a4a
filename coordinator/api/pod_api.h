// Pods as operators see them (what the agents report), and deleting one,
// which asks its node to replace it as the DaemonSet controller replaces a
// deleted pod. Every failure is an ApiError.
#pragma once

#include <string>
#include <vector>

#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

class PodApi {
 public:
  explicit PodApi(Registries& registries) : registries_(registries) {}

  // `node_name` (when not empty) selects the pods of one node.
  ObjectList<v1::Pod> List(const Caller& caller, ListOptions options, const std::string& node_name);
  void Delete(const Caller& caller, const std::string& namespace_, const std::string& name);

 private:
  Registries& registries_;
};

}  // namespace fleetset::coordinator
