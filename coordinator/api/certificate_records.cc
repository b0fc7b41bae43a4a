#include "coordinator/api/certificate_records.h"

#include "coordinator/registry/kinds/kinds.h"
#include "coordinator/timestamps.h"

namespace fleetset::coordinator {

void RecordIssuedCertificate(Registry<v1::IssuedCertificate>& records, const Caller& caller,
                             const pki::Certificate& certificate, const std::string& subject_kind,
                             const std::string& subject_name, const std::string& role) {
  const pki::CertificateInfo info = certificate.Info();
  v1::IssuedCertificate record;
  record.mutable_metadata()->set_name(info.serial);
  record.mutable_spec()->set_subject_kind(subject_kind);
  record.mutable_spec()->set_subject_name(subject_name);
  record.mutable_spec()->set_role(role);
  *record.mutable_spec()->mutable_not_after() = ToTimestamp(info.not_after);
  records.Create(caller, std::move(record));
}

int RevokeCertificatesOf(Registry<v1::IssuedCertificate>& records, const Caller& caller,
                         const std::string& subject_kind, const std::string& subject_name,
                         const std::string& reason, std::chrono::system_clock::time_point now) {
  int revoked = 0;
  const auto now_stamp = ToTimestamp(now);
  for (const v1::IssuedCertificate& record : records.List().items) {
    const v1::IssuedCertificateSpec& spec = record.spec();
    if (spec.subject_kind() != subject_kind || spec.subject_name() != subject_name) continue;
    if (spec.revoked() || FromTimestamp(spec.not_after()) < now) continue;
    records.GuaranteedUpdate(caller, "", record.metadata().name(),
                             [&](v1::IssuedCertificate& current) {
                               current.mutable_spec()->set_revoked(true);
                               *current.mutable_spec()->mutable_revoked_at() = now_stamp;
                               current.mutable_spec()->set_revocation_reason(reason);
                             });
    ++revoked;
  }
  return revoked;
}

}  // namespace fleetset::coordinator
