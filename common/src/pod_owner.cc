#include "fleetset/pod_owner.h"

namespace fleetset {
namespace {

constexpr std::string_view kStaticPrefix = "static:";

}  // namespace

PodOwner PodOwner::DaemonSet(const v1::ObjectMeta& metadata) {
  return {metadata.namespace_(), metadata.name(), false};
}

PodOwner PodOwner::StaticManifest(const v1::ObjectMeta& metadata) {
  return {metadata.namespace_(), metadata.name(), true};
}

std::string PodOwner::Reference() const { return namespace_ + "/" + name; }

std::string PodOwner::Key() const {
  return static_pod ? std::string(kStaticPrefix) + Reference() : Reference();
}

std::string DaemonSetReference(const v1::ObjectMeta& metadata) {
  return PodOwner::DaemonSet(metadata).Reference();
}

PodOwner OwnerOf(const v1::Pod& pod) {
  const std::string& reference = pod.owner();
  const size_t slash = reference.find('/');
  PodOwner owner;
  owner.static_pod = pod.static_pod();
  if (slash == std::string::npos) {
    owner.name = reference;
  } else {
    owner.namespace_ = reference.substr(0, slash);
    owner.name = reference.substr(slash + 1);
  }
  return owner;
}

std::optional<PodOwner> ParseOwnerKey(std::string_view key) {
  PodOwner owner;
  if (key.starts_with(kStaticPrefix)) {
    owner.static_pod = true;
    key.remove_prefix(kStaticPrefix.size());
  }
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) {
    return std::nullopt;
  }
  owner.namespace_ = std::string(key.substr(0, slash));
  owner.name = std::string(key.substr(slash + 1));
  return owner;
}

}  // namespace fleetset
