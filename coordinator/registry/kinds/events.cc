// v1 Event: what happened to an object, recorded by the controllers.
// Selectable by the object it is about and by reason and type, as
// kubectl get events --field-selector does.
#include "coordinator/registry/kinds/kinds.h"

namespace fleetset::coordinator {

namespace {

class Events final : public Strategy<v1::Event> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::Event& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), true);
    if (object.reason().empty()) errors.push_back({"reason", "Required value"});
    if (object.involved_object().empty()) errors.push_back({"involvedObject", "Required value"});
    return errors;
  }

  void AddSelectableFields(const v1::Event& object, Fields& fields) const override {
    fields["involvedObject"] = object.involved_object();
    fields["reason"] = object.reason();
    fields["type"] = object.type();
  }

 private:
  ResourceInfo info_{"events", "", "Event", "v1", true};
};

}  // namespace

const Strategy<v1::Event>& EventStrategy() {
  static const Events strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
