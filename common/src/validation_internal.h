// The pieces of ValidateDaemonSet (manifest.h), one area per file. Each
// appends every problem it finds to `errors`, with paths below `path`, and
// never stops at the first one: the user fixes a manifest in one round.
// Nothing here may assume that defaults were applied or that sub-messages
// are present, since the coordinator also validates objects from the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/field_error.h"
#include "fleetset/quantity.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::internal {

template <typename T>
using Repeated = google::protobuf::RepeatedPtrField<T>;

// validate_metadata.cc: name, namespace, labels and annotations of the
// DaemonSet itself.
void ValidateObjectMeta(const v1::ObjectMeta& meta, const std::string& path, FieldErrors* errors);
// Annotation keys: qualified names, case-insensitively.
std::vector<std::string> CheckAnnotationKey(std::string_view key);
// Labels and annotations only (the pod template's metadata).
void ValidateLabelsAndAnnotations(const v1::ObjectMeta& meta, const std::string& path,
                                  FieldErrors* errors);

// validate_update_strategy.cc
void ValidateUpdateStrategy(const v1::DaemonSetUpdateStrategy& strategy, const std::string& path,
                            FieldErrors* errors);

// validate_pod_spec.cc: the pod-level fields, and the checks that span
// containers (unique names, host port conflicts, hostNetwork ports).
void ValidatePodSpec(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors);

// validate_container.cc
enum class ContainerKind { kInit, kApp };
void ValidateContainer(const v1::Container& container, ContainerKind kind,
                       const std::set<std::string>& volume_names, const std::string& path,
                       FieldErrors* errors);

// validate_volumes.cc. ValidateVolumes returns the declared volume names
// (valid or not, so that one bad volume does not also fail every mount).
std::set<std::string> ValidateVolumes(const Repeated<v1::Volume>& volumes, const std::string& path,
                                      FieldErrors* errors);
void ValidateVolumeMounts(const v1::Container& container, const std::set<std::string>& volume_names,
                          const std::string& path, FieldErrors* errors);

// validate_volume_files.cc: the volumes whose files the agent writes
// (configMap, secret, downwardAPI) and the file lists that projected
// volumes share with them. `written`, when not null, collects the file
// paths so that a second file at the same path is refused.
void ValidateConfigMapVolume(const v1::ConfigMapVolumeSource& source, const std::string& path,
                             FieldErrors* errors);
void ValidateSecretVolume(const v1::SecretVolumeSource& source, const std::string& path,
                          FieldErrors* errors);
void ValidateDownwardApiVolume(const v1::DownwardAPIVolumeSource& source, const std::string& path,
                               FieldErrors* errors);
void ValidateKeyToPaths(const Repeated<v1::KeyToPath>& items, const std::string& path,
                        std::set<std::string>* written, FieldErrors* errors);
void ValidateDownwardApiFiles(const Repeated<v1::DownwardAPIVolumeFile>& items,
                              const std::string& path, std::set<std::string>* written,
                              FieldErrors* errors);
// A file's path inside its volume.
void ValidateVolumeFilePath(const std::string& value, const std::string& path,
                            std::set<std::string>* written, FieldErrors* errors);
// Permission bits: 0 to 0777.
void ValidateFileMode(int32_t mode, const std::string& path, FieldErrors* errors);

// validate_projected_volumes.cc
void ValidateProjectedVolume(const v1::ProjectedVolumeSource& source, const std::string& path,
                             FieldErrors* errors);

// validate_paths.cc: file system paths of the node and the container.
// Problems as messages, empty when fine.
std::vector<std::string> CheckAbsolutePath(std::string_view value);
std::vector<std::string> CheckRelativeDescendingPath(std::string_view value);
std::vector<std::string> CheckNoBacksteps(std::string_view value);
// A file inside a volume (Kubernetes' ValidateLocalNonReservedPath):
// relative, no '..' element, and not starting with '..', which the volume's
// own bookkeeping entries (..data) use.
std::vector<std::string> CheckLocalNonReservedPath(std::string_view value);

// validate_ports.cc
bool IsIpAddress(const std::string& text);
std::vector<std::string> CheckPortNumber(int64_t port);
// IANA_SVC_NAME: the syntax of named ports.
std::vector<std::string> CheckPortName(std::string_view name);
void ValidateContainerPorts(const Repeated<v1::ContainerPort>& ports, const std::string& path,
                            FieldErrors* errors);
// A probe or handler port: a number or the name of a container port.
void ValidatePortNumberOrName(const v1::IntOrString& port, const std::string& path,
                              FieldErrors* errors);
// Containers that run at the same time may not bind the same host port.
struct PathedContainer {
  const v1::Container* container;
  std::string path;
};
void ValidateHostPortConflicts(const std::vector<PathedContainer>& containers, FieldErrors* errors);

// validate_env.cc
void ValidateEnv(const Repeated<v1::EnvVar>& env, const std::string& path, FieldErrors* errors);
void ValidateEnvFrom(const Repeated<v1::EnvFromSource>& sources, const std::string& path,
                     FieldErrors* errors);

// validate_downward_api.cc: the pod fields and container resources that env
// variables (kEnv) and downwardAPI volume files (kVolumeFile) may expose.
enum class DownwardApiUse { kEnv, kVolumeFile };
void ValidateObjectFieldSelector(const v1::ObjectFieldSelector& ref, DownwardApiUse use,
                                 const std::string& path, FieldErrors* errors);
void ValidateResourceFieldSelector(const v1::ResourceFieldSelector& ref, DownwardApiUse use,
                                   const std::string& path, FieldErrors* errors);

// validate_resources.cc
void ValidateResources(const v1::ResourceRequirements& resources, const std::string& path,
                       FieldErrors* errors);
// A quantity written in a field: the parsed value, or nullopt after one
// Invalid error when it does not parse or is below the minimum.
enum class QuantityMinimum { kZero, kAboveZero };
std::optional<Quantity> ValidateQuantity(const std::string& value, QuantityMinimum minimum,
                                         const std::string& path, FieldErrors* errors);

// validate_handlers.cc: probes and lifecycle hooks.
enum class ProbeKind { kLiveness, kReadiness, kStartup };
void ValidateProbe(const v1::Probe& probe, ProbeKind kind, const std::string& path,
                   FieldErrors* errors);
void ValidateLifecycle(const v1::Lifecycle& lifecycle, const std::string& path,
                       FieldErrors* errors);

// validate_security.cc
void ValidateContainerSecurityContext(const v1::SecurityContext& context, const std::string& path,
                                      FieldErrors* errors);
void ValidatePodSecurityContext(const v1::PodSecurityContext& context, const std::string& path,
                                FieldErrors* errors);

// validate_scheduling.cc: nodeSelector, affinity and tolerations.
void ValidateScheduling(const v1::PodSpec& spec, const std::string& path, FieldErrors* errors);

}  // namespace fleetset::internal
