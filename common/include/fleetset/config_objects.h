// The objects pods refer to, with Kubernetes' defaults and validation:
// ConfigMaps and Secrets (core/v1), PriorityClasses (scheduling.k8s.io/v1)
// and Namespaces (core/v1). Every entry point (the CLI's dry run, the
// coordinator's registry) uses these, so both refuse the same things with
// the same words.
#pragma once

#include <cstdint>
#include <string_view>

#include "fleetset/field_error.h"
#include "fleetset/v1/config.pb.h"

namespace fleetset {

// Kubernetes' limit on the data of one ConfigMap or Secret.
inline constexpr size_t kMaxConfigDataBytes = 1024 * 1024;

inline constexpr char kSecretTypeOpaque[] = "Opaque";
inline constexpr char kSecretTypeDockerConfigJson[] = "kubernetes.io/dockerconfigjson";
inline constexpr char kSecretTypeTls[] = "kubernetes.io/tls";
inline constexpr char kSecretTypeBasicAuth[] = "kubernetes.io/basic-auth";
inline constexpr char kSecretTypeSshAuth[] = "kubernetes.io/ssh-auth";

// The priority classes every cluster has, and the highest value a
// user-made class may take.
inline constexpr char kSystemNodeCritical[] = "system-node-critical";
inline constexpr char kSystemClusterCritical[] = "system-cluster-critical";
inline constexpr int32_t kSystemNodeCriticalValue = 2000001000;
inline constexpr int32_t kSystemClusterCriticalValue = 2000000000;
inline constexpr int32_t kHighestUserDefinablePriority = 1000000000;

// The namespaces that always exist and cannot be deleted.
bool IsBuiltInNamespace(std::string_view name);

// Defaults: metadata.namespace "default" for the namespaced kinds (and
// none for the others), a Secret's type Opaque with stringData merged over
// data (and dropped, as the API server does), a PriorityClass's
// preemptionPolicy PreemptLowerPriority. Idempotent.
void ApplyConfigMapDefaults(v1::ConfigMap* config_map);
void ApplySecretDefaults(v1::Secret* secret);
void ApplyPriorityClassDefaults(v1::PriorityClass* priority_class);
void ApplyNamespaceDefaults(v1::Namespace* namespace_object);

// Every problem of a defaulted object, each with its field path.
FieldErrors ValidateConfigMap(const v1::ConfigMap& config_map);
FieldErrors ValidateSecret(const v1::Secret& secret);
FieldErrors ValidatePriorityClass(const v1::PriorityClass& priority_class);
FieldErrors ValidateNamespace(const v1::Namespace& namespace_object);

// An update: the checks above, plus what may not change (the data of an
// immutable ConfigMap or Secret, a Secret's type, a PriorityClass's value
// and preemption policy).
FieldErrors ValidateConfigMapUpdate(const v1::ConfigMap& config_map, const v1::ConfigMap& old);
FieldErrors ValidateSecretUpdate(const v1::Secret& secret, const v1::Secret& old);
FieldErrors ValidatePriorityClassUpdate(const v1::PriorityClass& priority_class,
                                        const v1::PriorityClass& old);

}  // namespace fleetset
