// coordination.k8s.io/v1 Lease: node heartbeats (namespace kube-node-lease,
// one per node), renewed by the agent hub whenever the node's agent is
// heard from.
#include "coordinator/registry/kinds/kinds.h"

namespace fleetset::coordinator {

namespace {

class Leases final : public Strategy<v1::Lease> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::Lease& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), true);
    if (object.spec().lease_duration_seconds() < 0) {
      errors.push_back({"spec.leaseDurationSeconds", "Invalid value: must be >= 0"});
    }
    return errors;
  }

 private:
  ResourceInfo info_{"leases", "coordination.k8s.io", "Lease", "coordination.k8s.io/v1", true};
};

}  // namespace

const Strategy<v1::Lease>& LeaseStrategy() {
  static const Leases strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
