// apps/v1 DaemonSet: Kubernetes' defaults and validation (the shared model
// in common/), a spec change bumps metadata.generation, the selector is
// immutable, and status is written only through the status subresource
// (by the DaemonSet controller).
#include <google/protobuf/util/message_differencer.h>

#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/manifest.h"
#include "fleetset/object_kinds.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

class DaemonSets final : public Strategy<v1::DaemonSet> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  void PrepareForCreate(v1::DaemonSet& object) const override {
    ApplyDaemonSetDefaults(&object);
    object.clear_status();
    object.mutable_metadata()->set_generation(1);
  }

  FieldErrors Validate(const v1::DaemonSet& object) const override {
    return ValidateDaemonSet(object);
  }

  void PrepareForUpdate(v1::DaemonSet& object, const v1::DaemonSet& old) const override {
    ApplyDaemonSetDefaults(&object);
    *object.mutable_status() = old.status();
    if (!MessageDifferencer::Equals(object.spec(), old.spec())) {
      object.mutable_metadata()->set_generation(old.metadata().generation() + 1);
    }
  }

  FieldErrors ValidateUpdate(const v1::DaemonSet& object, const v1::DaemonSet& old) const override {
    FieldErrors errors = Validate(object);
    if (!MessageDifferencer::Equals(object.spec().selector(), old.spec().selector())) {
      errors.push_back({"spec.selector", "Invalid value: field is immutable"});
    }
    return errors;
  }

  void PrepareForStatusUpdate(v1::DaemonSet& object, const v1::DaemonSet& old) const override {
    v1::DaemonSetStatus status = std::move(*object.mutable_status());
    object = old;
    *object.mutable_status() = std::move(status);
  }

 private:
  ResourceInfo info_{"daemonsets", "apps", kDaemonSetKind, kDaemonSetApiVersion, true};
};

}  // namespace

const Strategy<v1::DaemonSet>& DaemonSetStrategy() {
  static const DaemonSets strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
