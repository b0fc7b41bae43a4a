// Where each kind of object lives in the store, as kube-apiserver lays out
// etcd: /registry/<resource>/<namespace>/<name> for namespaced kinds,
// /registry/<resource>/<name> for cluster-scoped ones.
#pragma once

#include <string>

namespace fleetset::coordinator {

inline constexpr char kRegistryRoot[] = "/registry/";

// The prefix holding every object of `resource` ("daemonsets"), or of
// `resource` in one namespace when `namespace_` is not empty.
inline std::string ResourcePrefix(const std::string& resource, const std::string& namespace_ = {}) {
  std::string prefix = kRegistryRoot + resource + "/";
  if (!namespace_.empty()) prefix += namespace_ + "/";
  return prefix;
}

// The key of one object; `namespace_` is empty for cluster-scoped kinds.
inline std::string ObjectStorageKey(const std::string& resource, const std::string& namespace_,
                                    const std::string& name) {
  return ResourcePrefix(resource, namespace_) + name;
}

// Coordinator bookkeeping that is not an API object (the desired-state
// epoch, the schema's own records) lives outside /registry/.
inline constexpr char kCoordinatorRoot[] = "/fleetset/";

// The last desired-state version handed out to agents, a
// google.protobuf.UInt64Value.
inline constexpr char kDesiredVersionKey[] = "/fleetset/desired-version";

}  // namespace fleetset::coordinator
