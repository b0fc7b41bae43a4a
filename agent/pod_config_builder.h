// Turns a pod template into the CRI requests kubelet would make for it:
// the sandbox config (namespaces, hostname, DNS, ports, labels, log
// directory) and one container config per container (command and args with
// $(VAR) expansion, env with fieldRef, mounts, resources, security context,
// log path). Pure functions: where a volume is on the node comes from the
// volume manager.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/pod_objects.h"
#include "cri/runtime/v1/api.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

namespace cri = ::runtime::v1;

class VolumeManager;

// Everything about one pod instance on this node that is not in its template.
struct PodContext {
  std::string node_name;
  std::string host_ip;
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  // namespace and name of the owning DaemonSet.
  std::string daemon_set_namespace;
  std::string daemon_set_name;
  std::string revision_hash;
  bool static_pod = false;
  // Known once the sandbox runs (empty before).
  std::string pod_ip;
  // kubelet's /var/log/pods; tests point it elsewhere.
  std::string log_root = "/var/log/pods";
  // The agent's state directory for this pod: <root-dir>/pods/<uid>; its
  // volumes/ subdirectory holds emptyDirs.
  std::string pod_dir;
  // DNS for pods that are not hostNetwork with dnsPolicy Default/ClusterFirst:
  // the node's resolv.conf servers and searches (no cluster DNS here).
  std::vector<std::string> dns_servers;
  std::vector<std::string> dns_searches;
  std::vector<std::string> dns_options;
  // Where Localhost seccomp profiles are (kubelet's <root-dir>/seccomp).
  std::string seccomp_profile_root = "/var/lib/fleetset/seccomp";
  // The node's memory in bytes, which a Burstable container's OOM score is
  // relative to (as kubelet's); 0 reads it from /proc/meminfo.
  int64_t node_memory_bytes = 0;
  // When the pod was created (whole seconds). Kept on its sandboxes, so an
  // agent that restarts reports the pod's age as before; unset: not kept.
  std::chrono::system_clock::time_point created{};
  // The ConfigMaps and Secrets the pod's volumes, env and image pulls may
  // name (never null; empty for static pods, which may not reference any).
  std::shared_ptr<const PodObjects> objects = std::make_shared<const PodObjects>();
  // From the pod's PriorityClass (0 without one).
  int32_t priority = 0;
};

// The pod's terminationGracePeriodSeconds, Kubernetes' 30 s when unset.
std::chrono::seconds TerminationGracePeriod(const v1::PodSpec& spec);

// Labels every sandbox and container of this pod carries (kubelet's
// io.kubernetes.* plus fleetset's ownership labels, see pod_identity.h).
std::map<std::string, std::string> PodLabels(const v1::PodTemplateSpec& template_spec,
                                             const PodContext& context);

cri::PodSandboxConfig BuildSandboxConfig(const v1::PodTemplateSpec& template_spec,
                                         const PodContext& context, uint32_t attempt);

struct ContainerConfigResult {
  cri::ContainerConfig config;
  // Non-empty when the container cannot be created as specified (e.g. a
  // volumeMount naming no volume, runAsNonRoot with runAsUser 0); reported
  // as CreateContainerConfigError.
  std::string error;
};

// restart_count selects the log file (<restart_count>.log) and the CRI
// attempt; `init` marks an init container. `volumes` says where the pod's
// volumes are on the node.
ContainerConfigResult BuildContainerConfig(const v1::PodTemplateSpec& template_spec,
                                           const v1::Container& container,
                                           const PodContext& context, const VolumeManager& volumes,
                                           uint32_t restart_count, bool init);

// Kubernetes' $(VAR) expansion of command and args: $(NAME) with NAME in
// `env` is replaced, $$ escapes to $, unknown references stay as written.
std::string ExpandVariables(const std::string& input,
                            const std::map<std::string, std::string>& env);

// Resolves env values in order (value, fieldRef; later entries may
// reference earlier ones with $(VAR)). Returns the error for an unsupported
// fieldRef in *error.
std::vector<std::pair<std::string, std::string>> ResolveEnv(
    const v1::Container& container, const v1::PodTemplateSpec& template_spec,
    const PodContext& context, std::string* error);

}  // namespace fleetset::agent
