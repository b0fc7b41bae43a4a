// The coordinator's index of the certificates it signed: every one is
// recorded when issued, and revoked when its user or node is deleted, so
// that the authenticator refuses it at once although it has not expired.
#pragma once

#include <string>

#include "coordinator/registry/registries.h"
#include "fleetset/pki/certificate.h"

namespace fleetset::coordinator {

// Records `certificate`, issued to a user (with `role`) or a node.
void RecordIssuedCertificate(Registry<v1::IssuedCertificate>& records, const Caller& caller,
                             const pki::Certificate& certificate, const std::string& subject_kind,
                             const std::string& subject_name, const std::string& role = {});

// Revokes every unexpired certificate issued to that user or node; returns
// how many.
int RevokeCertificatesOf(Registry<v1::IssuedCertificate>& records, const Caller& caller,
                         const std::string& subject_kind, const std::string& subject_name,
                         const std::string& reason, std::chrono::system_clock::time_point now);

}  // namespace fleetset::coordinator
