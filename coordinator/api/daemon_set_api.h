// What operators do with DaemonSets, in the registry's terms: apply
// (create or update, with kubectl's result words), get, list, delete, set
// image, rollout status, history and undo, and why a node has (or has no)
// pod. Front ends translate their requests to these calls; every failure
// is an ApiError.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "coordinator/controllers/daemon_set_status.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

struct ApplyResult {
  v1::DaemonSet daemon_set;
  // created, configured, unchanged, image updated, rolled back, or
  // "skipped rollback (...)".
  std::string result;
};

struct Placement {
  std::string node_name;
  v1::Eligibility eligibility;
  // The DaemonSet's pod on that node, when there is one.
  std::string pod_name;
};

class DaemonSetApi {
 public:
  explicit DaemonSetApi(Registries& registries) : registries_(registries) {}

  // kubectl apply (create_only: kubectl create). kind and apiVersion may
  // be left out; anything but an apps/v1 DaemonSet is refused.
  ApplyResult Apply(const Caller& caller, v1::DaemonSet daemon_set, bool create_only, bool dry_run);
  v1::DaemonSet Get(const Caller& caller, const std::string& namespace_, const std::string& name);
  ObjectList<v1::DaemonSet> List(const Caller& caller, const ListOptions& options);
  void Delete(const Caller& caller, const std::string& namespace_, const std::string& name);
  // container name ("*": every container) -> image.
  ApplyResult SetImage(const Caller& caller, const std::string& namespace_, const std::string& name,
                       const std::map<std::string, std::string>& images);

  RolloutProgress RolloutStatus(const Caller& caller, const std::string& namespace_,
                                const std::string& name, int64_t* observed_generation);
  // Every revision, or the one numbered `revision` (non-zero).
  std::vector<v1::DaemonSetRevision> RolloutHistory(const Caller& caller,
                                                    const std::string& namespace_,
                                                    const std::string& name, int64_t revision);
  // Back to `to_revision` (0: the one before the current template).
  ApplyResult RolloutUndo(const Caller& caller, const std::string& namespace_,
                          const std::string& name, int64_t to_revision, bool dry_run);

  // Every node, or `node_name` only.
  std::vector<Placement> Explain(const Caller& caller, const std::string& namespace_,
                                 const std::string& name, const std::string& node_name);

 private:
  // Stores `daemon_set` over the existing one; `changed_result` is the
  // result word when the spec changed.
  ApplyResult Update(const Caller& caller, v1::DaemonSet daemon_set, const v1::DaemonSet& existing,
                     const std::string& changed_result, bool dry_run);
  std::vector<v1::DaemonSetRevision> Revisions(const v1::DaemonSet& daemon_set) const;

  Registries& registries_;
};

}  // namespace fleetset::coordinator
