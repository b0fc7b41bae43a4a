// What operators do with the objects pods refer to (ConfigMaps, Secrets,
// PriorityClasses, Namespaces), in the registry's terms: apply with
// kubectl's result words, get, list, delete. Namespaces follow Kubernetes'
// NamespaceAutoProvision admission: an object applied to a namespace that
// does not exist creates it; the built-in namespaces and priority classes
// always exist and cannot be deleted; deleting a namespace deletes what it
// holds. Every failure is an ApiError.
#pragma once

#include <string>
#include <vector>

#include "coordinator/registry/registries.h"
#include "fleetset/v1/object.pb.h"

namespace fleetset::coordinator {

// Creates the namespace unless it exists: what applying a namespaced
// object of any kind does first.
void EnsureNamespaceExists(Registries& registries, const Caller& caller, const std::string& name,
                           bool dry_run);

struct ObjectApplyResult {
  v1::Object object;
  // created, configured or unchanged.
  std::string result;
};

class ConfigObjectApi {
 public:
  explicit ConfigObjectApi(Registries& registries) : registries_(registries) {}

  // The built-in namespaces and priority classes, and a namespace for
  // every namespace a stored DaemonSet uses (stores from before
  // namespaces were objects). Idempotent; run at start.
  void EnsureBuiltIns(const Caller& caller);
  // Creates the namespace unless it exists (auto-provisioning).
  void EnsureNamespace(const Caller& caller, const std::string& name, bool dry_run) {
    EnsureNamespaceExists(registries_, caller, name, dry_run);
  }

  // kubectl apply (create_only: kubectl create) of a ConfigMap, Secret,
  // PriorityClass or Namespace. DaemonSets have their own API.
  ObjectApplyResult Apply(const Caller& caller, v1::Object object, bool create_only, bool dry_run);
  // `resource` is the plural: configmaps, secrets, priorityclasses,
  // namespaces; the namespace is ignored for the cluster-scoped ones.
  v1::Object Get(const Caller& caller, const std::string& resource, const std::string& namespace_,
                 const std::string& name);
  ObjectList<v1::Object> List(const Caller& caller, const std::string& resource,
                              const ListOptions& options);
  void Delete(const Caller& caller, const std::string& resource, const std::string& namespace_,
              const std::string& name);

  // Whether `resource` is one of the plurals above.
  static bool Serves(const std::string& resource);

 private:
  Registries& registries_;
};

}  // namespace fleetset::coordinator
