// Bootstrap tokens: named by their public id ([a-z0-9]{6}); the secret is
// stored only as its hash, so a copy of the database lets nobody join.
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/names.h"

namespace fleetset::coordinator {

namespace {

class BootstrapTokens final : public Strategy<v1::BootstrapToken> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::BootstrapToken& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), false);
    const std::string& id = object.metadata().name();
    if (id.size() != 6 ||
        id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
      errors.push_back({"metadata.name", "Invalid value: \"" + id + "\": must be [a-z0-9]{6}"});
    }
    if (!object.spec().secret_hash().starts_with("sha256:")) {
      errors.push_back({"spec.secretHash", "Required value: the secret's sha256 hash"});
    }
    return errors;
  }

 private:
  ResourceInfo info_{"bootstraptokens", "fleetset.io", "BootstrapToken", "fleetset.io/v1", false};
};

}  // namespace

const Strategy<v1::BootstrapToken>& BootstrapTokenStrategy() {
  static const BootstrapTokens strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
