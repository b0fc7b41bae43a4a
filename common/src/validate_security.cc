// Security contexts of the pod and its containers (Kubernetes'
// ValidateSecurityContext / validatePodSecurityContext, seccomp profiles
// included), plus Linux capability names, which the runtime would otherwise
// reject at start.
#include <algorithm>
#include <cctype>
#include <set>

#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// Kubernetes' IsValidUserID / IsValidGroupID range.
constexpr int64_t kMaxId = 2147483647;

void ValidateId(int64_t id, const std::string& path, FieldErrors* errors) {
  if (id < 0 || id > kMaxId) {
    errors->push_back(InvalidError(path, id, "must be between 0 and 2147483647, inclusive"));
  }
}

// Linux capabilities (capabilities(7)) as written in a manifest: without
// or with the CAP_ prefix, any case (the runtime upper-cases them), or ALL.
std::string CanonicalCapability(const std::string& written) {
  std::string name = written;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.starts_with("CAP_")) name.erase(0, 4);
  return name;
}

bool IsCapabilityName(const std::string& written) {
  static const std::set<std::string> kCapabilities = {
      "AUDIT_CONTROL",   "AUDIT_READ",   "AUDIT_WRITE",
      "BLOCK_SUSPEND",   "BPF",          "CHECKPOINT_RESTORE",
      "CHOWN",           "DAC_OVERRIDE", "DAC_READ_SEARCH",
      "FOWNER",          "FSETID",       "IPC_LOCK",
      "IPC_OWNER",       "KILL",         "LEASE",
      "LINUX_IMMUTABLE", "MAC_ADMIN",    "MAC_OVERRIDE",
      "MKNOD",           "NET_ADMIN",    "NET_BIND_SERVICE",
      "NET_BROADCAST",   "NET_RAW",      "PERFMON",
      "SETFCAP",         "SETGID",       "SETPCAP",
      "SETUID",          "SYSLOG",       "SYS_ADMIN",
      "SYS_BOOT",        "SYS_CHROOT",   "SYS_MODULE",
      "SYS_NICE",        "SYS_PACCT",    "SYS_PTRACE",
      "SYS_RAWIO",       "SYS_RESOURCE", "SYS_TIME",
      "SYS_TTY_CONFIG",  "WAKE_ALARM"};
  const std::string name = CanonicalCapability(written);
  return name == "ALL" || kCapabilities.contains(name);
}

void ValidateCapabilityList(const Repeated<std::string>& names, const std::string& path,
                            FieldErrors* errors) {
  for (int i = 0; i < names.size(); ++i) {
    if (!IsCapabilityName(names[i])) {
      errors->push_back(InvalidError(IndexPath(path, i), Quote(names[i]),
                                     "must be a Linux capability name (e.g. 'NET_ADMIN', "
                                     "'CAP_SYS_TIME' or 'ALL')"));
    }
  }
}

// Kubernetes' validateSeccompProfileField. A Localhost profile is a file
// below the node's seccomp profile directory, so it must stay inside it.
void ValidateSeccompProfile(const v1::SeccompProfile& profile, const std::string& path,
                            FieldErrors* errors) {
  const std::string type_path = ChildPath(path, "type");
  const std::string& type = profile.type();
  if (type.empty()) {
    errors->push_back(RequiredError(type_path, "type is required when seccompProfile is set"));
  } else if (type != "Localhost" && type != "RuntimeDefault" && type != "Unconfined") {
    errors->push_back(
        UnsupportedError(type_path, type, {"Localhost", "RuntimeDefault", "Unconfined"}));
  }
  const std::string profile_path = ChildPath(path, "localhostProfile");
  const std::string& file = profile.localhost_profile();
  if (type == "Localhost") {
    if (file.empty()) {
      errors->push_back(RequiredError(profile_path, "must be set when seccomp type is Localhost"));
    } else {
      AppendInvalid(profile_path, file, CheckRelativeDescendingPath(file), errors);
    }
  } else if (profile.has_localhost_profile()) {
    errors->push_back(
        InvalidError(profile_path, Quote(file), "can only be set when seccomp type is Localhost"));
  }
}

// What both contexts have. seLinuxOptions has no rules on Linux: the
// labels are the node's policy's business.
template <typename Context>
void ValidateCommonContext(const Context& context, const std::string& path, FieldErrors* errors) {
  if (context.has_run_as_user()) {
    ValidateId(context.run_as_user(), ChildPath(path, "runAsUser"), errors);
  }
  if (context.has_run_as_group()) {
    ValidateId(context.run_as_group(), ChildPath(path, "runAsGroup"), errors);
  }
  if (context.has_seccomp_profile()) {
    ValidateSeccompProfile(context.seccomp_profile(), ChildPath(path, "seccompProfile"), errors);
  }
}

}  // namespace

void ValidateContainerSecurityContext(const v1::SecurityContext& context, const std::string& path,
                                      FieldErrors* errors) {
  ValidateCommonContext(context, path, errors);
  const bool privileged = context.has_privileged() && context.privileged();
  const bool no_escalation =
      context.has_allow_privilege_escalation() && !context.allow_privilege_escalation();
  // A privileged container can always escalate; the two contradict.
  if (privileged && no_escalation) {
    errors->push_back(ForbiddenError(
        path, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
  }
  if (no_escalation) {
    // SYS_ADMIN is a way to escalate.
    for (const std::string& added : context.capabilities().add()) {
      if (CanonicalCapability(added) == "SYS_ADMIN") {
        errors->push_back(ForbiddenError(
            path,
            "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
        break;
      }
    }
  }
  if (context.has_capabilities()) {
    const std::string capabilities_path = ChildPath(path, "capabilities");
    ValidateCapabilityList(context.capabilities().add(), ChildPath(capabilities_path, "add"),
                           errors);
    ValidateCapabilityList(context.capabilities().drop(), ChildPath(capabilities_path, "drop"),
                           errors);
  }
}

void ValidatePodSecurityContext(const v1::PodSecurityContext& context, const std::string& path,
                                FieldErrors* errors) {
  ValidateCommonContext(context, path, errors);
  if (context.has_fs_group()) ValidateId(context.fs_group(), ChildPath(path, "fsGroup"), errors);
  for (int i = 0; i < context.supplemental_groups_size(); ++i) {
    ValidateId(context.supplemental_groups(i), IndexPath(ChildPath(path, "supplementalGroups"), i),
               errors);
  }
}

}  // namespace fleetset::internal
