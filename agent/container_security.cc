#include "agent/container_security.h"

#include <optional>

namespace fleetset::agent {
namespace {

namespace cri = ::runtime::v1;

// The /proc and /sys paths kubelet masks or makes read-only in every
// unprivileged container (securitycontext.DefaultProcMount). containerd
// applies exactly what it is sent, so leaving these out would unmask them.
constexpr const char* kMaskedPaths[] = {
    "/proc/asound",        "/proc/acpi",       "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",          "/sys/firmware"};
constexpr const char* kReadonlyPaths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                          "/proc/sysrq-trigger"};

struct EffectiveUser {
  std::optional<int64_t> uid;
  std::optional<int64_t> gid;
  bool run_as_non_root = false;
};

// Container settings win over the pod's, field by field.
EffectiveUser Effective(const v1::PodSpec& spec, const v1::Container& container) {
  const v1::PodSecurityContext& pod = spec.security_context();
  const v1::SecurityContext& own = container.security_context();
  EffectiveUser user;
  if (own.has_run_as_user()) {
    user.uid = own.run_as_user();
  } else if (pod.has_run_as_user()) {
    user.uid = pod.run_as_user();
  }
  if (own.has_run_as_group()) {
    user.gid = own.run_as_group();
  } else if (pod.has_run_as_group()) {
    user.gid = pod.run_as_group();
  }
  user.run_as_non_root = own.has_run_as_non_root()
                             ? own.run_as_non_root()
                             : pod.has_run_as_non_root() && pod.run_as_non_root();
  return user;
}

// fsGroup joins the supplemental groups so that every container can use
// the volumes kubelet would have chowned to it.
void AddSupplementalGroups(const v1::PodSecurityContext& pod,
                           google::protobuf::RepeatedField<int64_t>* groups) {
  for (int64_t group : pod.supplemental_groups()) groups->Add(group);
  if (pod.has_fs_group()) groups->Add(pod.fs_group());
}

// kubelet's getSeccompProfile: the container's profile, else the pod's,
// else Unconfined (kubelet's default without SeccompDefault).
cri::SecurityProfile SeccompProfile(const v1::SeccompProfile* own, const v1::SeccompProfile& pod,
                                    const std::string& seccomp_root) {
  const v1::SeccompProfile& chosen = own != nullptr && !own->type().empty() ? *own : pod;
  cri::SecurityProfile profile;
  if (chosen.type() == "RuntimeDefault") {
    profile.set_profile_type(cri::SecurityProfile::RuntimeDefault);
  } else if (chosen.type() == "Localhost") {
    profile.set_profile_type(cri::SecurityProfile::Localhost);
    profile.set_localhost_ref(seccomp_root + "/" + chosen.localhost_profile());
  } else {
    profile.set_profile_type(cri::SecurityProfile::Unconfined);
  }
  return profile;
}

cri::SELinuxOption SeLinuxOption(const v1::SELinuxOptions& options) {
  cri::SELinuxOption out;
  out.set_user(options.user());
  out.set_role(options.role());
  out.set_type(options.type());
  out.set_level(options.level());
  return out;
}

}  // namespace

cri::NamespaceOption PodNamespaceOptions(const v1::PodSpec& spec) {
  cri::NamespaceOption options;
  options.set_network(spec.host_network() ? cri::NODE : cri::POD);
  const bool shared = spec.has_share_process_namespace() && spec.share_process_namespace();
  options.set_pid(spec.host_pid() ? cri::NODE : shared ? cri::POD : cri::CONTAINER);
  options.set_ipc(spec.host_ipc() ? cri::NODE : cri::POD);
  return options;
}

bool HasPrivilegedContainer(const v1::PodSpec& spec) {
  auto privileged = [](const v1::Container& container) {
    return container.security_context().has_privileged() &&
           container.security_context().privileged();
  };
  for (const v1::Container& container : spec.init_containers()) {
    if (privileged(container)) return true;
  }
  for (const v1::Container& container : spec.containers()) {
    if (privileged(container)) return true;
  }
  return false;
}

cri::LinuxSandboxSecurityContext BuildSandboxSecurityContext(const v1::PodSpec& spec,
                                                             const std::string& seccomp_root) {
  cri::LinuxSandboxSecurityContext context;
  *context.mutable_namespace_options() = PodNamespaceOptions(spec);
  const v1::PodSecurityContext& pod = spec.security_context();
  if (pod.has_run_as_user()) context.mutable_run_as_user()->set_value(pod.run_as_user());
  if (pod.has_run_as_group()) context.mutable_run_as_group()->set_value(pod.run_as_group());
  AddSupplementalGroups(pod, context.mutable_supplemental_groups());
  context.set_privileged(HasPrivilegedContainer(spec));
  *context.mutable_seccomp() = SeccompProfile(nullptr, pod.seccomp_profile(), seccomp_root);
  if (pod.has_se_linux_options()) {
    *context.mutable_selinux_options() = SeLinuxOption(pod.se_linux_options());
  }
  return context;
}

std::string BuildContainerSecurityContext(const v1::PodSpec& spec, const v1::Container& container,
                                          const std::string& seccomp_root,
                                          cri::LinuxContainerSecurityContext* out) {
  const v1::SecurityContext& own = container.security_context();
  const EffectiveUser user = Effective(spec, container);
  if (user.run_as_non_root && user.uid.has_value() && *user.uid == 0) {
    return "container's runAsUser breaks non-root policy (container: " + container.name() + ")";
  }
  const bool privileged = own.has_privileged() && own.privileged();
  out->set_privileged(privileged);
  *out->mutable_namespace_options() = PodNamespaceOptions(spec);
  if (user.uid) out->mutable_run_as_user()->set_value(*user.uid);
  if (user.gid) out->mutable_run_as_group()->set_value(*user.gid);
  out->set_readonly_rootfs(own.has_read_only_root_filesystem() && own.read_only_root_filesystem());
  AddSupplementalGroups(spec.security_context(), out->mutable_supplemental_groups());
  // Unset means "allowed" in Kubernetes, so no_new_privs is only set when
  // the manifest says allowPrivilegeEscalation: false.
  out->set_no_new_privs(own.has_allow_privilege_escalation() && !own.allow_privilege_escalation());
  for (const std::string& capability : own.capabilities().add()) {
    out->mutable_capabilities()->add_add_capabilities(capability);
  }
  for (const std::string& capability : own.capabilities().drop()) {
    out->mutable_capabilities()->add_drop_capabilities(capability);
  }
  if (!privileged) {
    for (const char* path : kMaskedPaths) out->add_masked_paths(path);
    for (const char* path : kReadonlyPaths) out->add_readonly_paths(path);
  }
  *out->mutable_seccomp() = SeccompProfile(&own.seccomp_profile(),
                                           spec.security_context().seccomp_profile(), seccomp_root);
  const v1::SELinuxOptions& selinux = own.has_se_linux_options()
                                          ? own.se_linux_options()
                                          : spec.security_context().se_linux_options();
  if (own.has_se_linux_options() || spec.security_context().has_se_linux_options()) {
    *out->mutable_selinux_options() = SeLinuxOption(selinux);
  }
  // AppArmor stays unset: the runtime's default applies.
  return "";
}

std::string VerifyImageUserIsNonRoot(const v1::PodSpec& spec, const v1::Container& container,
                                     const cri::Image& image) {
  const EffectiveUser user = Effective(spec, container);
  if (!user.run_as_non_root || user.uid.has_value()) return "";
  if (image.has_uid()) {
    if (image.uid().value() == 0) return "container has runAsNonRoot and image will run as root";
    return "";
  }
  if (!image.username().empty()) {
    return "container has runAsNonRoot and image has non-numeric user (" + image.username() +
           "), cannot verify user is non-root";
  }
  // No USER in the image: it runs as root.
  return "container has runAsNonRoot and image will run as root";
}

}  // namespace fleetset::agent
