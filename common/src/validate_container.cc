// Rules for one container, init or app (Kubernetes' validateContainerCommon
// and the init/app specific checks). Env, resources, ports, mounts, probes
// and security context have files of their own.
#include <cctype>

#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

bool IsBlank(std::string_view text) {
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void ValidateImage(const v1::Container& container, const std::string& path, FieldErrors* errors) {
  const std::string image_path = ChildPath(path, "image");
  const std::string& image = container.image();
  if (IsBlank(image)) {
    errors->push_back(RequiredError(image_path));
  } else if (std::isspace(static_cast<unsigned char>(image.front())) ||
             std::isspace(static_cast<unsigned char>(image.back()))) {
    errors->push_back(
        InvalidError(image_path, Quote(image), "must not have leading or trailing whitespace"));
  }
  const std::string policy_path = ChildPath(path, "imagePullPolicy");
  const std::string& policy = container.image_pull_policy();
  if (policy.empty()) {
    errors->push_back(RequiredError(policy_path));
  } else if (policy != "Always" && policy != "IfNotPresent" && policy != "Never") {
    errors->push_back(UnsupportedError(policy_path, policy, {"Always", "IfNotPresent", "Never"}));
  }
}

void ValidateTerminationMessage(const v1::Container& container, const std::string& path,
                                FieldErrors* errors) {
  const std::string policy_path = ChildPath(path, "terminationMessagePolicy");
  const std::string& policy = container.termination_message_policy();
  if (policy.empty()) {
    errors->push_back(RequiredError(policy_path));
  } else if (policy != "File" && policy != "FallbackToLogsOnError") {
    errors->push_back(UnsupportedError(policy_path, policy, {"File", "FallbackToLogsOnError"}));
  }
  // The runtime bind-mounts a file there, so it must be an absolute path.
  const std::string& message_path = container.termination_message_path();
  if (!message_path.empty()) {
    AppendInvalid(ChildPath(path, "terminationMessagePath"), message_path,
                  CheckAbsolutePath(message_path), errors);
  }
}

// Probes and hooks: init containers run to completion, so Kubernetes
// forbids both on them.
void ValidateProbesAndHooks(const v1::Container& container, ContainerKind kind,
                            const std::string& path, FieldErrors* errors) {
  struct NamedProbe {
    bool present;
    const v1::Probe& probe;
    ProbeKind kind;
    const char* field;
  };
  const NamedProbe probes[] = {
      {container.has_liveness_probe(), container.liveness_probe(), ProbeKind::kLiveness,
       "livenessProbe"},
      {container.has_readiness_probe(), container.readiness_probe(), ProbeKind::kReadiness,
       "readinessProbe"},
      {container.has_startup_probe(), container.startup_probe(), ProbeKind::kStartup,
       "startupProbe"},
  };
  for (const NamedProbe& probe : probes) {
    if (!probe.present) continue;
    const std::string probe_path = ChildPath(path, probe.field);
    if (kind == ContainerKind::kInit) {
      errors->push_back(ForbiddenError(probe_path, "may not be set for init containers"));
    } else {
      ValidateProbe(probe.probe, probe.kind, probe_path, errors);
    }
  }
  if (container.has_lifecycle()) {
    const std::string lifecycle_path = ChildPath(path, "lifecycle");
    if (kind == ContainerKind::kInit) {
      errors->push_back(ForbiddenError(lifecycle_path, "may not be set for init containers"));
    } else {
      ValidateLifecycle(container.lifecycle(), lifecycle_path, errors);
    }
  }
}

}  // namespace

void ValidateContainer(const v1::Container& container, ContainerKind kind,
                       const std::set<std::string>& volume_names, const std::string& path,
                       FieldErrors* errors) {
  const std::string name_path = ChildPath(path, "name");
  if (container.name().empty()) {
    errors->push_back(RequiredError(name_path));
  } else {
    AppendInvalid(name_path, container.name(), CheckDns1123Label(container.name()), errors);
  }
  ValidateImage(container, path, errors);
  // The OCI runtime requires an absolute working directory.
  if (!container.working_dir().empty()) {
    AppendInvalid(ChildPath(path, "workingDir"), container.working_dir(),
                  CheckAbsolutePath(container.working_dir()), errors);
  }
  ValidateContainerPorts(container.ports(), ChildPath(path, "ports"), errors);
  ValidateEnv(container.env(), ChildPath(path, "env"), errors);
  ValidateEnvFrom(container.env_from(), ChildPath(path, "envFrom"), errors);
  ValidateResources(container.resources(), ChildPath(path, "resources"), errors);
  ValidateVolumeMounts(container, volume_names, ChildPath(path, "volumeMounts"), errors);
  ValidateProbesAndHooks(container, kind, path, errors);
  ValidateTerminationMessage(container, path, errors);
  if (container.has_security_context()) {
    ValidateContainerSecurityContext(container.security_context(),
                                     ChildPath(path, "securityContext"), errors);
  }
}

}  // namespace fleetset::internal
