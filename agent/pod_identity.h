// How the agent marks what it creates in the runtime, so that crictl, log
// shippers and the agent itself after a restart can tell whose it is.
// The io.kubernetes.* keys are the ones kubelet sets.
#pragma once

#include <string>

namespace fleetset::agent {

// Labels on sandboxes and containers (kubelet's).
inline constexpr char kPodNameLabel[] = "io.kubernetes.pod.name";
inline constexpr char kPodNamespaceLabel[] = "io.kubernetes.pod.namespace";
inline constexpr char kPodUidLabel[] = "io.kubernetes.pod.uid";
inline constexpr char kContainerNameLabel[] = "io.kubernetes.container.name";
// Kubernetes' label on DaemonSet pods naming the template revision.
inline constexpr char kRevisionHashLabel[] = "controller-revision-hash";

// fleetset's own labels: which agent (node) owns it and which DaemonSet.
inline constexpr char kManagedByLabel[] = "fleetset.io/managed-by";
inline constexpr char kManagedByValue[] = "fleetset-agent";
inline constexpr char kNodeLabel[] = "fleetset.io/node";
inline constexpr char kDaemonSetNameLabel[] = "fleetset.io/daemonset";
inline constexpr char kDaemonSetNamespaceLabel[] = "fleetset.io/daemonset-namespace";
// "true" on pods from the static manifest directory.
inline constexpr char kStaticPodLabel[] = "fleetset.io/static";
// Marks init containers, so a restart can tell them apart.
inline constexpr char kContainerTypeLabel[] = "fleetset.io/container-type";

// Annotations (kubelet's names where kubelet has one).
inline constexpr char kRestartCountAnnotation[] = "io.kubernetes.container.restartCount";
inline constexpr char kTerminationGraceAnnotation[] = "io.kubernetes.pod.terminationGracePeriod";
inline constexpr char kContainerHashAnnotation[] = "io.kubernetes.container.hash";
// The pod's creation time (Unix seconds), kept across agent restarts.
inline constexpr char kPodCreatedAnnotation[] = "fleetset.io/created";

// Where kubelet writes container logs: <root>/<ns>_<pod>_<uid>/<container>/<n>.log
inline constexpr char kDefaultPodLogRoot[] = "/var/log/pods";

std::string PodLogDirectory(const std::string& log_root, const std::string& pod_namespace,
                            const std::string& pod_name, const std::string& pod_uid);

}  // namespace fleetset::agent
