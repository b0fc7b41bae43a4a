// What each node's agent last decided about every DaemonSet (eligibility),
// named after the node; written by the agent hub from the agent's reports.
#include "coordinator/registry/kinds/kinds.h"

namespace fleetset::coordinator {

namespace {

class NodeReports final : public Strategy<v1::NodeReport> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::NodeReport& object) const override {
    return ValidateCommonMetadata(object.metadata(), false);
  }

 private:
  ResourceInfo info_{"nodereports", "fleetset.io", "NodeReport", "fleetset.io/v1", false};
};

}  // namespace

const Strategy<v1::NodeReport>& NodeReportStrategy() {
  static const NodeReports strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
