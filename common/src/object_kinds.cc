#include "fleetset/object_kinds.h"

#include <array>
#include <string>

namespace fleetset {
namespace {

struct ManagedKind {
  std::string_view kind;
  std::string_view api_version;
  v1::Object::KindCase member;
};

constexpr std::array<ManagedKind, 5> kManagedKinds = {{
    {kDaemonSetKind, kDaemonSetApiVersion, v1::Object::kDaemonSet},
    {kConfigMapKind, kCoreApiVersion, v1::Object::kConfigMap},
    {kSecretKind, kCoreApiVersion, v1::Object::kSecret},
    {kPriorityClassKind, kPriorityClassApiVersion, v1::Object::kPriorityClass},
    {kNamespaceKind, kCoreApiVersion, v1::Object::kNamespace},
}};

// Kinds a published bundle carries beside its DaemonSet that mean
// something only to a Kubernetes API server: access control, services and
// their routing, disruption budgets, admission and API extensions.
constexpr std::array<std::string_view, 27> kApiServerKinds = {
    "APIService",
    "ClusterRole",
    "ClusterRoleBinding",
    "CSIDriver",
    "CustomResourceDefinition",
    "Endpoints",
    "EndpointSlice",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "Lease",
    "LimitRange",
    "MutatingWebhookConfiguration",
    "NetworkPolicy",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "RuntimeClass",
    "SecurityContextConstraints",
    "Service",
    "ServiceAccount",
    "StorageClass",
    "ValidatingWebhookConfiguration",
};

// A kind's plural as Kubernetes' documentation writes it.
std::string Plural(std::string_view kind) {
  const std::string text(kind);
  if (kind == "Endpoints") return text;
  if (kind.ends_with("y") && kind.size() > 1 &&
      std::string_view("aeiou").find(kind[kind.size() - 2]) == std::string_view::npos) {
    return text.substr(0, text.size() - 1) + "ies";
  }
  if (kind.ends_with("s") || kind.ends_with("x")) return text + "es";
  return text + "s";
}

// The group of "group/version"; "" for the core group ("v1").
std::string_view Group(std::string_view api_version) {
  const size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

// A custom resource: a group of its own, outside Kubernetes' (*.k8s.io)
// ones. It needs its CRD and its operator, neither of which fleetset has.
bool IsCustomResource(std::string_view api_version) {
  const std::string_view group = Group(api_version);
  return group.find('.') != std::string_view::npos && !group.ends_with(".k8s.io") &&
         group != "k8s.io";
}

FieldError ApiVersionError(const ManagedKind& managed, std::string_view api_version) {
  const std::string text(api_version);
  if (managed.member == v1::Object::kPriorityClass &&
      (api_version == "scheduling.k8s.io/v1beta1" || api_version == "scheduling.k8s.io/v1alpha1")) {
    return {"apiVersion", "Unsupported value \"" + text + "\": PriorityClass in " + text +
                              " was removed in Kubernetes 1.22; use scheduling.k8s.io/v1"};
  }
  return {"apiVersion", "Unsupported value \"" + text + "\": supported values: \"" +
                            std::string(managed.api_version) + "\""};
}

}  // namespace

std::optional<FieldError> CheckKind(std::string_view kind) {
  if (kind == kDaemonSetKind) return std::nullopt;
  const std::string text(kind);
  return FieldError{"kind", "Unsupported value \"" + text + "\": kind " + text +
                                " is not supported; fleetset manages DaemonSets (apps/v1)"};
}

// apps/v1 is the only DaemonSet API left in Kubernetes. The beta versions
// were removed in Kubernetes 1.16; we reject them rather than converting,
// as the API server does, so that a manifest fleetset accepts is one
// kubectl accepts too (and apps/v1 made spec.selector mandatory, which an
// old manifest may lack).
std::optional<FieldError> CheckApiVersion(std::string_view api_version) {
  if (api_version == kDaemonSetApiVersion) return std::nullopt;
  const std::string text(api_version);
  if (api_version == "extensions/v1beta1" || api_version == "apps/v1beta2") {
    return FieldError{"apiVersion", "Unsupported value \"" + text + "\": DaemonSet in " + text +
                                        " was removed in Kubernetes 1.16; use apps/v1 (which "
                                        "requires spec.selector)"};
  }
  return FieldError{"apiVersion",
                    "Unsupported value \"" + text + "\": supported values: \"apps/v1\""};
}

KindDecision ClassifyKind(std::string_view kind, std::string_view api_version) {
  KindDecision decision;
  for (const ManagedKind& managed : kManagedKinds) {
    if (managed.kind != kind) continue;
    decision.treatment = KindDecision::Treatment::kManaged;
    decision.managed = managed.member;
    if (managed.member == v1::Object::kDaemonSet) {
      if (auto error = CheckApiVersion(api_version)) decision.errors.push_back(*error);
    } else if (api_version != managed.api_version) {
      decision.errors.push_back(ApiVersionError(managed, api_version));
    }
    return decision;
  }
  for (std::string_view other : kApiServerKinds) {
    if (other != kind) continue;
    decision.treatment = KindDecision::Treatment::kSkipped;
    decision.skip_reason = "fleetset has no " + Plural(kind);
    return decision;
  }
  if (IsCustomResource(api_version)) {
    decision.treatment = KindDecision::Treatment::kSkipped;
    decision.skip_reason = "fleetset has no " + Plural(kind) + " (a custom resource of " +
                           std::string(Group(api_version)) + ")";
    return decision;
  }
  decision.errors.push_back(*CheckKind(kind));
  return decision;
}

std::string_view KindName(v1::Object::KindCase kind) {
  for (const ManagedKind& managed : kManagedKinds) {
    if (managed.member == kind) return managed.kind;
  }
  return {};
}

v1::ObjectMeta* MutableMetadataOf(v1::Object& object) {
  switch (object.kind_case()) {
    case v1::Object::kDaemonSet:
      return object.mutable_daemon_set()->mutable_metadata();
    case v1::Object::kConfigMap:
      return object.mutable_config_map()->mutable_metadata();
    case v1::Object::kSecret:
      return object.mutable_secret()->mutable_metadata();
    case v1::Object::kPriorityClass:
      return object.mutable_priority_class()->mutable_metadata();
    case v1::Object::kNamespace:
      return object.mutable_namespace_()->mutable_metadata();
    case v1::Object::KIND_NOT_SET:
      break;
  }
  return nullptr;
}

const v1::ObjectMeta* MetadataOf(const v1::Object& object) {
  switch (object.kind_case()) {
    case v1::Object::kDaemonSet:
      return &object.daemon_set().metadata();
    case v1::Object::kConfigMap:
      return &object.config_map().metadata();
    case v1::Object::kSecret:
      return &object.secret().metadata();
    case v1::Object::kPriorityClass:
      return &object.priority_class().metadata();
    case v1::Object::kNamespace:
      return &object.namespace_().metadata();
    case v1::Object::KIND_NOT_SET:
      break;
  }
  return nullptr;
}

}  // namespace fleetset
