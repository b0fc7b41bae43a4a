// Who a pod belongs to: a DaemonSet, named by namespace and name, that came
// either from a coordinator or from a node's static manifest directory. The
// two are distinct owners even when namespace and name agree: a static
// manifest never adopts, replaces or reports for a coordinator's DaemonSet.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "fleetset/v1/meta.pb.h"
#include "fleetset/v1/node.pb.h"

namespace fleetset {

struct PodOwner {
  std::string namespace_;
  std::string name;
  bool static_pod = false;

  // The coordinator's DaemonSet with this metadata.
  static PodOwner DaemonSet(const v1::ObjectMeta& metadata);
  // The DaemonSet of a static manifest with this metadata.
  static PodOwner StaticManifest(const v1::ObjectMeta& metadata);

  // "namespace/name": how a DaemonSet is referred to (Pod.owner, delta
  // deletes, events' "daemonset/namespace/name").
  std::string Reference() const;
  // Unique among all owners on a node: Reference(), prefixed "static:" for a
  // static manifest (Eligibility.daemon_set).
  std::string Key() const;

  auto operator<=>(const PodOwner&) const = default;
};

// "namespace/name" of the object with this metadata.
std::string DaemonSetReference(const v1::ObjectMeta& metadata);
// The owner a reported pod names (Pod.owner and Pod.static_pod).
PodOwner OwnerOf(const v1::Pod& pod);
// Parses Key(); nullopt for anything else.
std::optional<PodOwner> ParseOwnerKey(std::string_view key);

}  // namespace fleetset
