#include "resources.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "fleetset/object_kinds.h"

namespace fleetset::ctl {
namespace {

constexpr ResourceType kDaemonSet{
    ResourceKind::kDaemonSet, "daemonset", "daemonsets.apps", "daemonset.apps", kDaemonSetKind,
    kDaemonSetApiVersion,     true,        "daemonsets"};
constexpr ResourceType kNode{
    ResourceKind::kNode, "node", "nodes", "node", "Node", "v1", false, "nodes"};
constexpr ResourceType kPod{ResourceKind::kPod, "pod", "pods", "pod", "Pod", "v1", true, "pods"};
constexpr ResourceType kUser{ResourceKind::kUser, "user", "users", "user", "User",
                             "fleetset.io/v1",    false,  "users"};
constexpr ResourceType kConfigMap{
    ResourceKind::kConfigMap, "configmap",     "configmaps", "configmap",
    kConfigMapKind,           kCoreApiVersion, true,         "configmaps"};
constexpr ResourceType kSecret{ResourceKind::kSecret, "secret",        "secrets", "secret",
                               kSecretKind,           kCoreApiVersion, true,      "secrets"};
constexpr ResourceType kPriorityClass{ResourceKind::kPriorityClass,
                                      "priorityclass",
                                      "priorityclasses.scheduling.k8s.io",
                                      "priorityclass.scheduling.k8s.io",
                                      kPriorityClassKind,
                                      kPriorityClassApiVersion,
                                      false,
                                      "priorityclasses"};
constexpr ResourceType kNamespace{
    ResourceKind::kNamespace, "namespace",     "namespaces", "namespace",
    kNamespaceKind,           kCoreApiVersion, false,        "namespaces"};

constexpr ResourceType kCoordinator{
    ResourceKind::kCoordinator, "coordinator", "coordinators", "coordinator", "Coordinator",
    "fleetset.io/v1",           false,         "coordinators"};

constexpr std::array kTypes{&kDaemonSet, &kNode,          &kPod,       &kUser,       &kConfigMap,
                            &kSecret,    &kPriorityClass, &kNamespace, &kCoordinator};

struct Alias {
  std::string_view name;
  const ResourceType* type;
};

constexpr std::array kAliases{
    Alias{"ds", &kDaemonSet},
    Alias{"daemonset", &kDaemonSet},
    Alias{"daemonsets", &kDaemonSet},
    Alias{"daemonset.apps", &kDaemonSet},
    Alias{"daemonsets.apps", &kDaemonSet},
    Alias{"no", &kNode},
    Alias{"node", &kNode},
    Alias{"nodes", &kNode},
    Alias{"po", &kPod},
    Alias{"pod", &kPod},
    Alias{"pods", &kPod},
    Alias{"user", &kUser},
    Alias{"users", &kUser},
    Alias{"cm", &kConfigMap},
    Alias{"configmap", &kConfigMap},
    Alias{"configmaps", &kConfigMap},
    Alias{"secret", &kSecret},
    Alias{"secrets", &kSecret},
    Alias{"pc", &kPriorityClass},
    Alias{"priorityclass", &kPriorityClass},
    Alias{"priorityclasses", &kPriorityClass},
    Alias{"priorityclass.scheduling.k8s.io", &kPriorityClass},
    Alias{"priorityclasses.scheduling.k8s.io", &kPriorityClass},
    Alias{"ns", &kNamespace},
    Alias{"namespace", &kNamespace},
    Alias{"namespaces", &kNamespace},
    Alias{"coordinator", &kCoordinator},
    Alias{"coordinators", &kCoordinator},
};

const ResourceType* FindOrExplain(std::string_view alias, std::string* error) {
  const ResourceType* type = FindResourceType(alias);
  if (type == nullptr) {
    *error = "the server doesn't have a resource type \"" + std::string(alias) + "\"";
  }
  return type;
}

}  // namespace

const ResourceType& DaemonSetType() { return kDaemonSet; }
const ResourceType& NodeType() { return kNode; }
const ResourceType& PodType() { return kPod; }
const ResourceType& UserType() { return kUser; }
const ResourceType& CoordinatorType() { return kCoordinator; }

bool IsObjectKind(ResourceKind kind) {
  return kind == ResourceKind::kConfigMap || kind == ResourceKind::kSecret ||
         kind == ResourceKind::kPriorityClass || kind == ResourceKind::kNamespace;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

const ResourceType* FindResourceType(std::string_view alias) {
  const std::string lower = Lower(alias);
  for (const Alias& entry : kAliases) {
    if (entry.name == lower) return entry.type;
  }
  return nullptr;
}

const ResourceType* FindResourceTypeOfKind(std::string_view kind_name) {
  for (const ResourceType* type : kTypes) {
    if (type->kind_name == kind_name) return type;
  }
  return nullptr;
}

std::string QualifiedName(const ResourceType& type, const std::string& name) {
  return std::string(type.qualified) + "/" + name;
}

std::optional<ResourceArgs> ParseResourceArgs(const std::vector<std::string>& args,
                                              std::string_view verb, std::string* error) {
  if (args.empty()) {
    *error = "You must specify the type of resource to " + std::string(verb) +
             ". Supported types: daemonsets (ds), nodes (no), pods (po), users, configmaps (cm), "
             "secrets, priorityclasses (pc), namespaces (ns)";
    return std::nullopt;
  }
  ResourceArgs result;
  const bool slash_form = args[0].find('/') != std::string::npos;
  if (!slash_form) {
    result.type = FindOrExplain(args[0], error);
    if (result.type == nullptr) return std::nullopt;
  }
  for (size_t i = slash_form ? 0 : 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const size_t slash = arg.find('/');
    if (!slash_form) {
      if (slash != std::string::npos) {
        *error =
            "there is no need to specify a resource type as a separate argument when passing "
            "arguments in resource/name form (e.g. 'fleetsetctl " +
            std::string(verb) + " resource/<resource_name>' instead of 'fleetsetctl " +
            std::string(verb) + " resource resource/<resource_name>'";
        return std::nullopt;
      }
      result.names.push_back(arg);
      continue;
    }
    if (slash == std::string::npos || slash == 0 || slash + 1 == arg.size()) {
      *error = "arguments in resource/name form must have a single resource and name";
      return std::nullopt;
    }
    const ResourceType* type = FindOrExplain(arg.substr(0, slash), error);
    if (type == nullptr) return std::nullopt;
    if (result.type != nullptr && result.type != type) {
      *error = "fleetsetctl " + std::string(verb) + " takes one resource type at a time";
      return std::nullopt;
    }
    result.type = type;
    result.names.push_back(arg.substr(slash + 1));
  }
  return result;
}

std::optional<ResourceArgs> ParseResourceArgsOf(const std::vector<std::string>& args,
                                                std::string_view verb,
                                                const std::vector<ResourceKind>& allowed,
                                                std::string* error) {
  auto parsed = ParseResourceArgs(args, verb, error);
  if (!parsed) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), parsed->type->kind) == allowed.end()) {
    *error = std::string(verb) + " is not supported for " + std::string(parsed->type->plural);
    return std::nullopt;
  }
  return parsed;
}

}  // namespace fleetset::ctl
