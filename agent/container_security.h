// securityContext (pod and container level) and the host namespace flags
// to the CRI security contexts, as kubelet computes them.
#pragma once

#include <string>

#include "cri/runtime/v1/api.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// NODE for hostNetwork/hostPID/hostIPC; otherwise the pod's network and IPC
// namespaces and a PID namespace per container, or one for the whole pod
// with shareProcessNamespace.
::runtime::v1::NamespaceOption PodNamespaceOptions(const v1::PodSpec& spec);

// True when any init or app container asks for privileged: the sandbox must
// then be privileged too, or the runtime refuses the container.
bool HasPrivilegedContainer(const v1::PodSpec& spec);

// `seccomp_root` is the directory Localhost seccomp profiles are named
// relative to (kubelet's <root-dir>/seccomp).
::runtime::v1::LinuxSandboxSecurityContext BuildSandboxSecurityContext(
    const v1::PodSpec& spec, const std::string& seccomp_root);

// The container's context with pod-level defaults merged in (users,
// seccomp profile, SELinux options). Returns an error (for
// CreateContainerConfigError) when runAsNonRoot contradicts an explicit
// runAsUser of 0.
std::string BuildContainerSecurityContext(const v1::PodSpec& spec, const v1::Container& container,
                                          const std::string& seccomp_root,
                                          ::runtime::v1::LinuxContainerSecurityContext* out);

// The half of kubelet's runAsNonRoot check that needs the image: with
// runAsNonRoot and no runAsUser, the image's USER decides. Call with the
// runtime's ImageStatus before CreateContainer; returns "" when allowed.
std::string VerifyImageUserIsNonRoot(const v1::PodSpec& spec, const v1::Container& container,
                                     const ::runtime::v1::Image& image);

}  // namespace fleetset::agent
