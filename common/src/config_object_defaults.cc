#include <array>
#include <string_view>

#include "fleetset/config_objects.h"

namespace fleetset {
namespace {

constexpr std::array<std::string_view, 4> kBuiltInNamespaces = {"default", "kube-system",
                                                                "kube-public", "kube-node-lease"};

void DefaultNamespace(v1::ObjectMeta* meta) {
  if (meta->namespace_().empty()) meta->set_namespace_("default");
}

}  // namespace

bool IsBuiltInNamespace(std::string_view name) {
  for (std::string_view built_in : kBuiltInNamespaces) {
    if (name == built_in) return true;
  }
  return false;
}

void ApplyConfigMapDefaults(v1::ConfigMap* config_map) {
  DefaultNamespace(config_map->mutable_metadata());
}

void ApplySecretDefaults(v1::Secret* secret) {
  DefaultNamespace(secret->mutable_metadata());
  if (secret->type().empty()) secret->set_type(kSecretTypeOpaque);
  for (const auto& [key, value] : secret->string_data()) (*secret->mutable_data())[key] = value;
  secret->clear_string_data();
}

void ApplyPriorityClassDefaults(v1::PriorityClass* priority_class) {
  // Cluster-scoped: a namespace given in a manifest means nothing.
  priority_class->mutable_metadata()->clear_namespace_();
  if (priority_class->preemption_policy().empty()) {
    priority_class->set_preemption_policy("PreemptLowerPriority");
  }
}

void ApplyNamespaceDefaults(v1::Namespace* namespace_object) {
  namespace_object->mutable_metadata()->clear_namespace_();
}

}  // namespace fleetset
