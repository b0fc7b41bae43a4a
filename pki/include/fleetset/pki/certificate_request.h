// PKCS#10 certificate requests: an agent (or fleetsetctl, for a new user)
// makes its key where it will be used and sends only the request.
#pragma once

#include <string>
#include <string_view>

#include "fleetset/pki/certificate.h"
#include "fleetset/pki/keys.h"

namespace fleetset::pki {

// A PEM "CERTIFICATE REQUEST" for `subject`, signed with `key`.
std::string CreateCertificateRequest(const PrivateKey& key, const Subject& subject);

struct CertificateRequest {
  Subject subject;
  PublicKey public_key;
};

// Reads a PEM request and checks its signature with its own public key.
// Throws PkiError ("certificate request: ...") when it is malformed, larger
// than kMaxCertificateRequestBytes, unsigned or signed by another key.
CertificateRequest ParseCertificateRequest(std::string_view pem);

inline constexpr size_t kMaxCertificateRequestBytes = 16 * 1024;

}  // namespace fleetset::pki
