// Reading DaemonSets, nodes, pods, users and the kinds of the generic
// object calls (ConfigMaps, Secrets, PriorityClasses, Namespaces) for the
// verbs that show them: by name (each missing one reported as kubectl
// reports it, the others still returned) or as a filtered list, sorted by
// namespace and name.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config_objects.h"
#include "connection.h"

namespace fleetset::ctl {

struct Query {
  // Empty: list.
  std::vector<std::string> names;
  std::string namespace_ = "default";
  bool all_namespaces = false;
  // kubectl's -l syntax, passed to the coordinator.
  std::string label_selector;
  // Pods only: spec.nodeName.
  std::string node_name;
};

// nullopt when the list call failed (already reported).
std::optional<std::vector<v1::DaemonSet>> FetchDaemonSets(Connection& connection,
                                                          const Query& query);
std::optional<std::vector<v1::Node>> FetchNodes(Connection& connection, const Query& query);
std::optional<std::vector<v1::Pod>> FetchPods(Connection& connection, const Query& query);
std::optional<std::vector<v1::User>> FetchUsers(Connection& connection, const Query& query);
std::optional<std::vector<v1::Coordinator>> FetchCoordinators(Connection& connection,
                                                              const Query& query);
// Through GetObject for each name, or ListObjects.
template <ConfigObject T>
std::optional<std::vector<T>> FetchObjects(Connection& connection, const Query& query);

// The pods a DaemonSet owns, for describe; empty when they cannot be listed.
std::vector<v1::Pod> PodsOf(Connection& connection, const v1::DaemonSet& daemon_set);
// The templates of the DaemonSet revisions pods run, each DaemonSet's
// history read once however many of its pods are described.
class RevisionTemplates {
 public:
  explicit RevisionTemplates(Connection& connection) : connection_(connection) {}
  // The template of the revision `pod` runs (by its
  // controller-revision-hash); null for a static pod, or when the revision
  // is no longer kept or cannot be read.
  const v1::PodTemplateSpec* Of(const v1::Pod& pod);

 private:
  Connection& connection_;
  // By "namespace/name" of the DaemonSet; empty when it cannot be read.
  std::map<std::string, std::vector<v1::DaemonSetRevision>> histories_;
};
// Events about "daemonset/NS/NAME" or "node/NAME"; nullopt when they cannot
// be listed (describe then leaves the section out, as kubectl does).
std::optional<std::vector<v1::Event>> EventsAbout(Connection& connection,
                                                  const std::string& involved_object);

}  // namespace fleetset::ctl
