// The DaemonSet controller's per-node decisions (which revision of each
// DaemonSet the node runs). Written by the controller, and by the pod
// delete verb, which asks for a pod to be replaced; never by agents.
#include "coordinator/registry/kinds/kinds.h"

namespace fleetset::coordinator {

namespace {

class NodeAssignmentsKind final : public Strategy<v1::NodeAssignments> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::NodeAssignments& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), false);
    for (const auto& [key, assignment] : object.assignments()) {
      if (key.find('/') == std::string::npos) {
        errors.push_back(
            {KeyPath("assignments", key), "Invalid value: must be the DaemonSet's namespace/name"});
      }
      if (assignment.revision_hash().empty()) {
        errors.push_back({KeyPath("assignments", key) + ".revisionHash", "Required value"});
      }
    }
    return errors;
  }

 private:
  ResourceInfo info_{"nodeassignments", "fleetset.io", "NodeAssignments", "fleetset.io/v1", false};
};

}  // namespace

const Strategy<v1::NodeAssignments>& NodeAssignmentsStrategy() {
  static const NodeAssignmentsKind strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
