// v1 Namespace: cluster-scoped, Active from its creation; its status is
// the coordinator's.
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/config_objects.h"
#include "fleetset/object_kinds.h"

namespace fleetset::coordinator {

namespace {

class Namespaces final : public Strategy<v1::Namespace> {
 public:
  const ResourceInfo& Info() const override { return info_; }
  void PrepareForCreate(v1::Namespace& object) const override {
    ApplyNamespaceDefaults(&object);
    object.mutable_status()->set_phase("Active");
  }
  FieldErrors Validate(const v1::Namespace& object) const override {
    return ValidateNamespace(object);
  }
  void PrepareForUpdate(v1::Namespace& object, const v1::Namespace& old) const override {
    ApplyNamespaceDefaults(&object);
    *object.mutable_status() = old.status();
  }

 private:
  ResourceInfo info_{"namespaces", "", kNamespaceKind, kCoreApiVersion, false};
};

}  // namespace

const Strategy<v1::Namespace>& NamespaceStrategy() {
  static const Namespaces strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
