// ConfigMaps, Secrets and PriorityClasses: kinds whose every rule is the
// shared model's (common/, the same the CLI checks before sending):
// defaults on every write, validation, and what an update may not change
// (an immutable ConfigMap's or Secret's data, a Secret's type, a
// PriorityClass's value and preemption policy).
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/config_objects.h"
#include "fleetset/object_kinds.h"

namespace fleetset::coordinator {

namespace {

template <typename T>
struct ModelRules {
  void (*defaults)(T*);
  FieldErrors (*validate)(const T&);
  FieldErrors (*validate_update)(const T&, const T&);
};

template <typename T>
class SharedModelStrategy final : public Strategy<T> {
 public:
  SharedModelStrategy(ResourceInfo info, ModelRules<T> rules)
      : info_(std::move(info)), rules_(rules) {}

  const ResourceInfo& Info() const override { return info_; }
  void PrepareForCreate(T& object) const override { rules_.defaults(&object); }
  FieldErrors Validate(const T& object) const override { return rules_.validate(object); }
  void PrepareForUpdate(T& object, const T&) const override { rules_.defaults(&object); }
  FieldErrors ValidateUpdate(const T& object, const T& old) const override {
    return rules_.validate_update(object, old);
  }

 private:
  const ResourceInfo info_;
  const ModelRules<T> rules_;
};

}  // namespace

const Strategy<v1::ConfigMap>& ConfigMapStrategy() {
  static const SharedModelStrategy<v1::ConfigMap> strategy(
      {"configmaps", "", kConfigMapKind, kCoreApiVersion, true},
      {ApplyConfigMapDefaults, ValidateConfigMap, ValidateConfigMapUpdate});
  return strategy;
}

const Strategy<v1::Secret>& SecretStrategy() {
  static const SharedModelStrategy<v1::Secret> strategy(
      {"secrets", "", kSecretKind, kCoreApiVersion, true},
      {ApplySecretDefaults, ValidateSecret, ValidateSecretUpdate});
  return strategy;
}

const Strategy<v1::PriorityClass>& PriorityClassStrategy() {
  static const SharedModelStrategy<v1::PriorityClass> strategy(
      {"priorityclasses", "scheduling.k8s.io", kPriorityClassKind, kPriorityClassApiVersion, false},
      {ApplyPriorityClassDefaults, ValidatePriorityClass, ValidatePriorityClassUpdate});
  return strategy;
}

}  // namespace fleetset::coordinator
