// v1 Node: labels and taints are the operator's (fleetsetctl label, taint,
// cordon) and the node lifecycle controller's (unreachable taints); the
// status (conditions, system info, addresses) is written through the
// status subresource only, by the agent hub and the lifecycle controller.
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/names.h"
#include "fleetset/taint_effect.h"

namespace fleetset::coordinator {

namespace {

class Nodes final : public Strategy<v1::Node> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::Node& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), false);
    for (int i = 0; i < object.spec().taints_size(); ++i) {
      const v1::Taint& taint = object.spec().taints(i);
      const std::string path = IndexPath("spec.taints", i);
      for (const std::string& problem : CheckQualifiedName(taint.key())) {
        errors.push_back(
            {ChildPath(path, "key"), "Invalid value: \"" + taint.key() + "\": " + problem});
      }
      for (const std::string& problem : CheckLabelValue(taint.value())) {
        errors.push_back(
            {ChildPath(path, "value"), "Invalid value: \"" + taint.value() + "\": " + problem});
      }
      if (auto error = CheckTaintEffect(ChildPath(path, "effect"), taint.effect())) {
        errors.push_back(*error);
      }
    }
    return errors;
  }

  void PrepareForUpdate(v1::Node& object, const v1::Node& old) const override {
    *object.mutable_status() = old.status();
  }

  void PrepareForStatusUpdate(v1::Node& object, const v1::Node& old) const override {
    v1::NodeStatus status = std::move(*object.mutable_status());
    object = old;
    *object.mutable_status() = std::move(status);
  }

 private:
  ResourceInfo info_{"nodes", "", "Node", "v1", false};
};

}  // namespace

const Strategy<v1::Node>& NodeStrategy() {
  static const Nodes strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
