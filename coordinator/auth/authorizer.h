// What each caller may do: users by role, as Kubernetes' default cluster
// roles (view reads everything but credentials and Secrets; edit also
// reads Secrets and changes DaemonSets, ConfigMaps, Secrets, rollouts, pods
// and nodes' labels, taints and cordons; admin does anything, tokens,
// users, namespaces and priority classes included), nodes nothing on the
// operators' API (the Node authorizer's rule: an agent speaks for its own
// node over its own service, see AgentHub). A refusal is one line naming
// the caller, the verb and the object, kube-apiserver's way.
#pragma once

#include <string>

#include "coordinator/registry/caller.h"

namespace fleetset::coordinator {

struct Action {
  // kubectl's verb for it: get, list, watch, apply, delete, update,
  // rollback, label, taint, cordon, create.
  std::string verb;
  // Plural resource: "daemonsets", "nodes", "users".
  std::string resource;
  // Empty for cluster-scoped resources (and for lists across namespaces).
  std::string namespace_;
  // The object's name, when there is one (for the audit log).
  std::string name;

  // Whether it changes anything (every such request is audited).
  bool Mutating() const;
  // "daemonsets/kube-system/fluentd", "nodes/node-1", "users".
  std::string Object() const;
};

// Throws ApiError: Unauthorized for an anonymous caller, Forbidden with
// `user "alice" (role view) cannot apply daemonsets in namespace
// "kube-system"` for one the action is not allowed to.
void Authorize(const Caller& caller, const Action& action);

}  // namespace fleetset::coordinator
