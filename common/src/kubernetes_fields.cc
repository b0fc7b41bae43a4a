#include "kubernetes_fields.h"

#include <array>
#include <span>

#include "fleetset/v1/daemonset.pb.h"

namespace fleetset::internal {
namespace {

using google::protobuf::Descriptor;

// Volume sources of core/v1 VolumeSource that fleetset does not model.
constexpr std::array<std::string_view, 24> kVolumeSources = {"awsElasticBlockStore",
                                                             "azureDisk",
                                                             "azureFile",
                                                             "cephfs",
                                                             "cinder",
                                                             "csi",
                                                             "ephemeral",
                                                             "fc",
                                                             "flexVolume",
                                                             "flocker",
                                                             "gcePersistentDisk",
                                                             "gitRepo",
                                                             "glusterfs",
                                                             "image",
                                                             "iscsi",
                                                             "nfs",
                                                             "persistentVolumeClaim",
                                                             "photonPersistentDisk",
                                                             "portworxVolume",
                                                             "quobyte",
                                                             "rbd",
                                                             "scaleIO",
                                                             "storageos",
                                                             "vsphereVolume"};

// Sources of core/v1 VolumeProjection that fleetset does not model.
constexpr std::array<std::string_view, 2> kProjectionSources = {"clusterTrustBundle",
                                                                "podCertificate"};

// Sources of core/v1 EnvVarSource that fleetset does not model.
constexpr std::array<std::string_view, 1> kEnvSources = {"fileKeyRef"};

// A one-of of Kubernetes (volume types, env sources ...) of which fleetset
// models some members: the others get one message naming what is supported.
struct UnsupportedSources {
  const Descriptor* (*message)();
  std::span<const std::string_view> names;
  // "volume type", "env source" ...
  std::string_view kind;
  std::string_view supported;
};

const std::array<UnsupportedSources, 3> kUnsupportedSources = {{
    {&v1::Volume::descriptor, kVolumeSources, "volume type",
     "hostPath, emptyDir, configMap, secret, downwardAPI, projected"},
    {&v1::VolumeProjection::descriptor, kProjectionSources, "projected source",
     "configMap, secret, downwardAPI, serviceAccountToken"},
    {&v1::EnvVarSource::descriptor, kEnvSources, "env source",
     "fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef"},
}};

struct UnsupportedField {
  const Descriptor* (*message)();
  std::string_view field;
  // Why, when the reason is not obvious from the field name.
  std::string_view reason;
};

// Fields of the modelled core/v1 and apps/v1 types that fleetset lacks.
const std::array<UnsupportedField, 33> kUnsupportedFields = {{
    {&v1::ObjectMeta::descriptor, "ownerReferences", "there is no garbage collector"},
    {&v1::ObjectMeta::descriptor, "finalizers", "there is no garbage collector"},
    {&v1::ObjectMeta::descriptor, "deletionGracePeriodSeconds", ""},
    {&v1::PodSpec::descriptor, "activeDeadlineSeconds", ""},
    {&v1::PodSpec::descriptor, "enableServiceLinks", "there are no Services"},
    {&v1::PodSpec::descriptor, "ephemeralContainers", ""},
    {&v1::PodSpec::descriptor, "hostAliases", ""},
    {&v1::PodSpec::descriptor, "hostUsers", ""},
    {&v1::PodSpec::descriptor, "os", ""},
    {&v1::PodSpec::descriptor, "overhead", ""},
    {&v1::PodSpec::descriptor, "preemptionPolicy", "there is no scheduler to preempt pods"},
    {&v1::PodSpec::descriptor, "readinessGates", ""},
    {&v1::PodSpec::descriptor, "resourceClaims", ""},
    {&v1::PodSpec::descriptor, "resources", "set resources per container"},
    {&v1::PodSpec::descriptor, "runtimeClassName", ""},
    {&v1::PodSpec::descriptor, "schedulingGates", ""},
    {&v1::PodSpec::descriptor, "setHostnameAsFQDN", ""},
    {&v1::PodSpec::descriptor, "topologySpreadConstraints", "a DaemonSet runs on every node"},
    {&v1::Container::descriptor, "resizePolicy", ""},
    {&v1::Container::descriptor, "restartPolicy", "sidecar containers are not supported"},
    {&v1::Container::descriptor, "stdinOnce", ""},
    {&v1::Container::descriptor, "volumeDevices", ""},
    {&v1::VolumeMount::descriptor, "subPathExpr", ""},
    {&v1::VolumeMount::descriptor, "recursiveReadOnly", ""},
    {&v1::SecurityContext::descriptor, "procMount", ""},
    {&v1::SecurityContext::descriptor, "appArmorProfile", ""},
    {&v1::PodSecurityContext::descriptor, "sysctls", ""},
    {&v1::PodSecurityContext::descriptor, "fsGroupChangePolicy", ""},
    {&v1::PodSecurityContext::descriptor, "supplementalGroupsPolicy", ""},
    {&v1::LifecycleHandler::descriptor, "sleep", "use exec"},
    {&v1::PodAffinityTerm::descriptor, "matchLabelKeys", ""},
    {&v1::PodAffinityTerm::descriptor, "mismatchLabelKeys", ""},
    {&v1::ResourceRequirements::descriptor, "claims", ""},
}};

// Windows-only settings: one message for all of them, not "unknown field"
// for what is inside (hostProcess, gmsaCredentialSpec ...).
const std::array<const Descriptor* (*)(), 2> kWindowsOnlyOwners = {
    &v1::SecurityContext::descriptor, &v1::PodSecurityContext::descriptor};
constexpr std::string_view kWindowsOptions = "windowsOptions";

// Bookkeeping the API server writes; harmless to drop.
struct IgnoredField {
  const Descriptor* (*message)();
  std::string_view field;
};
const std::array<IgnoredField, 3> kIgnoredFields = {{
    {&v1::DaemonSet::descriptor, "status"},
    {&v1::ObjectMeta::descriptor, "selfLink"},
    {&v1::ObjectMeta::descriptor, "managedFields"},
}};

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  for (std::string_view candidate : names) {
    if (candidate == name) return true;
  }
  return false;
}

bool IsWindowsOptionsOwner(const Descriptor& message) {
  for (const auto owner : kWindowsOnlyOwners) {
    if (owner() == &message) return true;
  }
  return false;
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

std::optional<KnownField> LookupKnownField(const Descriptor& message, std::string_view json_name) {
  for (const IgnoredField& ignored : kIgnoredFields) {
    if (ignored.message() == &message && ignored.field == json_name) {
      return KnownField{KnownFieldPolicy::kIgnore, ""};
    }
  }
  for (const UnsupportedSources& sources : kUnsupportedSources) {
    if (sources.message() == &message && Contains(sources.names, json_name)) {
      return KnownField{
          KnownFieldPolicy::kUnsupported,
          "Unsupported value: " + std::string(sources.kind) + " " + Quoted(json_name) +
              " is not supported (supported: " + std::string(sources.supported) + ")"};
    }
  }
  if (json_name == kWindowsOptions && IsWindowsOptionsOwner(message)) {
    return KnownField{KnownFieldPolicy::kUnsupported,
                      "Unsupported value: Windows pods are not supported by fleetset "
                      "(windowsOptions and its hostProcess apply to Windows nodes; fleetset runs "
                      "Linux containers)"};
  }
  for (const UnsupportedField& unsupported : kUnsupportedFields) {
    if (unsupported.message() == &message && unsupported.field == json_name) {
      std::string text =
          "Unsupported value: field " + Quoted(json_name) + " is not supported by fleetset";
      if (!unsupported.reason.empty()) text += " (" + std::string(unsupported.reason) + ")";
      return KnownField{KnownFieldPolicy::kUnsupported, text};
    }
  }
  return std::nullopt;
}

bool IsQuantityField(const google::protobuf::FieldDescriptor& field) {
  const Descriptor* owner = field.containing_type();
  if (owner == v1::ResourceRequirements::descriptor()) {
    return field.json_name() == "limits" || field.json_name() == "requests";
  }
  if (owner == v1::EmptyDirVolumeSource::descriptor()) return field.json_name() == "sizeLimit";
  if (owner == v1::ResourceFieldSelector::descriptor()) return field.json_name() == "divisor";
  return false;
}

}  // namespace fleetset::internal
