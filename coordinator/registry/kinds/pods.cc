// v1 Pod as agents report them: the agent names its pods and owns them
// outright, so the registry only checks that they are addressable. Agents
// name pods independently ("<daemonset>-<5 random characters>"), so two
// nodes can pick the same name: pods are stored under their uid.
// Selectable by node (spec.nodeName) and phase, as in Kubernetes.
#include "coordinator/registry/kinds/kinds.h"

namespace fleetset::coordinator {

namespace {

class Pods final : public Strategy<v1::Pod> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::Pod& object) const override {
    return ValidateCommonMetadata(object.metadata(), true);
  }

  std::string StorageName(const v1::Pod& object) const override { return object.metadata().uid(); }

  void AddSelectableFields(const v1::Pod& object, Fields& fields) const override {
    fields["spec.nodeName"] = object.node_name();
    fields["status.phase"] = object.status().phase();
  }

 private:
  ResourceInfo info_{"pods", "", "Pod", "v1", true};
};

}  // namespace

const Strategy<v1::Pod>& PodStrategy() {
  static const Pods strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
