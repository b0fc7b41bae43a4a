// apps/v1 ControllerRevision: a DaemonSet's pod template at one revision.
// Its data never changes; its number does when an old template comes back
// (an undo renumbers it as the newest, as Kubernetes does).
#include <google/protobuf/util/message_differencer.h>

#include "coordinator/registry/kinds/kinds.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

class ControllerRevisions final : public Strategy<v1::ControllerRevision> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::ControllerRevision& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), true);
    if (object.revision() < 0) errors.push_back({"revision", "Invalid value: must be >= 0"});
    return errors;
  }

  FieldErrors ValidateUpdate(const v1::ControllerRevision& object,
                             const v1::ControllerRevision& old) const override {
    FieldErrors errors = Validate(object);
    if (!MessageDifferencer::Equals(object.data(), old.data())) {
      errors.push_back({"data", "Invalid value: field is immutable"});
    }
    return errors;
  }

 private:
  ResourceInfo info_{"controllerrevisions", "apps", "ControllerRevision", "apps/v1", true};
};

}  // namespace

const Strategy<v1::ControllerRevision>& ControllerRevisionStrategy() {
  static const ControllerRevisions strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
