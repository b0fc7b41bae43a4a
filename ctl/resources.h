// The resource types fleetsetctl knows, under kubectl's names and aliases,
// and the `TYPE NAME...` / `TYPE/NAME...` argument forms.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetset::ctl {

enum class ResourceKind {
  kDaemonSet,
  kNode,
  kPod,
  kUser,
  kConfigMap,
  kSecret,
  kPriorityClass,
  kNamespace,
  kCoordinator,
};

struct ResourceType {
  ResourceKind kind;
  // "daemonset": singular, as in `-o name` after the group is added.
  std::string_view singular;
  // "daemonsets.apps": the plural with its API group, as in kubectl's
  // `daemonsets.apps "x" not found` and `daemonset.apps "x" deleted`.
  std::string_view plural;
  // "daemonset.apps": the prefix of `-o name` and of "NAME created" lines.
  std::string_view qualified;
  std::string_view kind_name;
  std::string_view api_version;
  bool namespaced;
  // "configmaps": the plural without its group, as the operator API's
  // `resource` fields name it.
  std::string_view resource;
};

const ResourceType& DaemonSetType();
const ResourceType& NodeType();
const ResourceType& PodType();
const ResourceType& UserType();
const ResourceType& CoordinatorType();

// ConfigMaps, Secrets, PriorityClasses and Namespaces: the kinds the
// coordinator serves through its generic ApplyObject, GetObject,
// ListObjects and DeleteObject calls.
bool IsObjectKind(ResourceKind kind);

// ASCII lower case, as kubectl matches resource names and writes kinds
// ("ServiceAccount" is serviceaccount).
std::string Lower(std::string_view text);

// ds, daemonset, daemonsets, daemonset.apps, daemonsets.apps; no, node,
// nodes; po, pod, pods; user, users; cm, configmap, configmaps; secret,
// secrets; pc, priorityclass, priorityclasses (also with
// .scheduling.k8s.io); ns, namespace, namespaces. Case-insensitive, as
// kubectl. nullptr when unknown.
const ResourceType* FindResourceType(std::string_view alias);
// The type of a kind as objects name it ("ConfigMap"); nullptr when
// fleetsetctl has none.
const ResourceType* FindResourceTypeOfKind(std::string_view kind_name);

// "daemonset.apps/NAME", "node/NAME", "configmap/NAME",
// "priorityclass.scheduling.k8s.io/NAME".
std::string QualifiedName(const ResourceType& type, const std::string& name);

struct ResourceArgs {
  const ResourceType* type = nullptr;
  std::vector<std::string> names;
};

// Parses `TYPE [NAME...]` or `TYPE/NAME...` as kubectl does. `verb` names
// the command in the message for a missing type. On error returns nullopt
// with *error set to kubectl's message (without "error: ").
std::optional<ResourceArgs> ParseResourceArgs(const std::vector<std::string>& args,
                                              std::string_view verb, std::string* error);

// The same, restricted to the types in `allowed` (e.g. only DaemonSets for
// `rollout`); other types get kubectl's "no ... for" style message.
std::optional<ResourceArgs> ParseResourceArgsOf(const std::vector<std::string>& args,
                                                std::string_view verb,
                                                const std::vector<ResourceKind>& allowed,
                                                std::string* error);

}  // namespace fleetset::ctl
