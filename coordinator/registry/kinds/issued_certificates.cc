// The coordinator's record of the certificates it signed, named by serial.
// Only revocation changes one; what it was issued for never changes.
#include "coordinator/registry/kinds/kinds.h"
#include "fleetset/names.h"

namespace fleetset::coordinator {

namespace {

class IssuedCertificates final : public Strategy<v1::IssuedCertificate> {
 public:
  const ResourceInfo& Info() const override { return info_; }

  FieldErrors Validate(const v1::IssuedCertificate& object) const override {
    FieldErrors errors = ValidateCommonMetadata(object.metadata(), false);
    const std::string& kind = object.spec().subject_kind();
    if (kind != kSubjectUser && kind != kSubjectNode) {
      errors.push_back({"spec.subjectKind", "Unsupported value: \"" + kind +
                                                "\": supported values: \"user\", \"node\""});
    }
    if (object.spec().subject_name().empty()) {
      errors.push_back({"spec.subjectName", "Required value"});
    }
    return errors;
  }

  FieldErrors ValidateUpdate(const v1::IssuedCertificate& object,
                             const v1::IssuedCertificate& old) const override {
    FieldErrors errors = Validate(object);
    if (object.spec().subject_kind() != old.spec().subject_kind() ||
        object.spec().subject_name() != old.spec().subject_name() ||
        object.spec().role() != old.spec().role()) {
      errors.push_back({"spec", "Invalid value: what a certificate was issued for is immutable"});
    }
    if (old.spec().revoked() && !object.spec().revoked()) {
      errors.push_back({"spec.revoked", "Invalid value: a revoked certificate stays revoked"});
    }
    return errors;
  }

 private:
  ResourceInfo info_{"certificates", "fleetset.io", "IssuedCertificate", "fleetset.io/v1", false};
};

}  // namespace

const Strategy<v1::IssuedCertificate>& IssuedCertificateStrategy() {
  static const IssuedCertificates strategy;
  return strategy;
}

}  // namespace fleetset::coordinator
