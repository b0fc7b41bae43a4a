// What the registry needs to know about a kind to store and name it.
#pragma once

#include <string>

namespace fleetset::coordinator {

struct ResourceInfo {
  // Plural, lower case: "daemonsets".
  std::string resource;
  // API group: "apps"; empty for the core group.
  std::string group;
  std::string kind;
  std::string api_version;
  bool namespaced = true;

  // "daemonsets.apps", "nodes": how kube-apiserver names the resource in
  // its messages.
  std::string QualifiedResource() const {
    return group.empty() ? resource : resource + "." + group;
  }
};

}  // namespace fleetset::coordinator
