#include "coordinator/api/user_api.h"

#include "coordinator/api/certificate_records.h"
#include "coordinator/registry/kinds/kinds.h"
#include "coordinator/timestamps.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/pki_error.h"

namespace fleetset::coordinator {

CreatedUser UserApi::Create(const Caller& caller, const std::string& name, const std::string& role,
                            std::chrono::seconds ttl, const std::string& certificate_request) {
  FieldErrors errors = CheckObjectName("name", name);
  if (auto error = CheckRole("role", role)) errors.push_back(*error);
  if (ttl.count() < 0) errors.push_back({"ttl", "Invalid value: must not be negative"});
  if (!errors.empty()) throw ApiError::Invalid("User", name, std::move(errors));
  if (registries_.users.Find("", name)) throw ApiError::AlreadyExists("users.fleetset.io", name);
  std::optional<pki::CertificateRequest> request;
  try {
    request = pki::ParseCertificateRequest(certificate_request);
  } catch (const pki::PkiError& error) {
    throw ApiError::BadRequest(std::string("certificateRequest: ") + error.what());
  }
  const std::chrono::seconds validity = ttl.count() > 0 ? ttl : kDefaultTtl;
  std::optional<pki::Certificate> certificate;
  try {
    certificate = pki_.IssueClientCertificate(request->public_key, {name, {role}}, validity);
  } catch (const pki::PkiError& error) {
    throw ApiError::Precondition(error.what());
  }
  const pki::CertificateInfo info = certificate->Info();
  v1::User user;
  user.mutable_metadata()->set_name(name);
  user.mutable_spec()->set_role(role);
  *user.mutable_spec()->mutable_expires() = ToTimestamp(info.not_after);
  user.mutable_spec()->set_created_by(caller.name);
  CreatedUser created{registries_.users.Create(caller, std::move(user)), certificate->ToPem()};
  RecordIssuedCertificate(registries_.certificates, caller, *certificate, kSubjectUser, name, role);
  return created;
}

std::vector<v1::User> UserApi::List(const Caller&) { return registries_.users.List().items; }

void UserApi::Delete(const Caller& caller, const std::string& name) {
  if (caller.kind == Caller::Kind::kUser && caller.name == name) {
    throw ApiError::Precondition("cannot delete user \"" + name +
                                 "\": it is the user making this request");
  }
  registries_.users.Delete(caller, "", name);
  RevokeCertificatesOf(registries_.certificates, caller, kSubjectUser, name,
                       "user deleted by " + caller.name, clock_.WallNow());
}

}  // namespace fleetset::coordinator
