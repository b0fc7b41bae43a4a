// The options of list and watch, as kube-apiserver takes them.
#pragma once

#include <string>
#include <vector>

namespace fleetset::coordinator {

struct ListOptions {
  // Empty: every namespace (and the only choice for cluster-scoped kinds).
  std::string namespace_;
  // kubectl -l syntax.
  std::string label_selector;
  // kubectl --field-selector syntax.
  std::string field_selector;
};

template <typename T>
struct ObjectList {
  std::vector<T> items;
  // The store revision the list was read at; a watch from it misses
  // nothing and repeats nothing.
  std::string resource_version;
};

struct WatchOptions : ListOptions {
  // Empty or "0": the current objects as ADDED, then every change.
  // Otherwise every change after that resourceVersion; one older than the
  // history the store keeps is refused with Gone.
  std::string resource_version;
};

enum class WatchEventType { kAdded, kModified, kDeleted };

// "ADDED", "MODIFIED", "DELETED".
const char* WatchEventTypeName(WatchEventType type);

template <typename T>
struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // For kDeleted: the object as it last was, with the deleting revision
  // as its resourceVersion.
  T object;
};

struct WriteOptions {
  // Validate and compute the result; store nothing.
  bool dry_run = false;
};

struct DeleteOptions {
  bool dry_run = false;
  // When set, the delete happens only if the object still has this
  // resourceVersion (Kubernetes' preconditions.resourceVersion).
  std::string resource_version;
};

}  // namespace fleetset::coordinator
