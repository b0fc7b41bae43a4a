// Users made by `fleetsetctl create user`: a name and one of the roles.
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/identity.h"

namespace fleetset::coordinator {

namespace {

class Users final : public Strategy<v1::User> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::User& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), false);
    if (auto error = CheckRole("spec.role", object.spec().role())) errors.push_back(*error);
    return errors;
  }

 private:
  ResourceInfo info_{"users", "fleetset.io", "User", "fleetset.io/v1", false};
};

}  // namespace

const Strategy<v1::User>& UserStrategy() {
  static const Users strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
