#include "fleetset/pki/certificate_request.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

using internal::ThrowOpenSslError;

std::string CreateCertificateRequest(const PrivateKey& key, const Subject& subject) {
  const std::string what = "certificate request";
  internal::X509RequestPtr request(X509_REQ_new());
  if (!request) ThrowOpenSslError(what);
  const internal::X509NamePtr name = internal::BuildName(subject, what);
  if (X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(request.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1) {
    ThrowOpenSslError(what);
  }
  if (X509_REQ_sign(request.get(), key.get(), internal::SigningDigest(key.get())) <= 0) {
    ThrowOpenSslError(what + ": signing");
  }
  internal::BioPtr bio = internal::MemoryBio();
  if (PEM_write_bio_X509_REQ(bio.get(), request.get()) != 1) ThrowOpenSslError(what + ": PEM");
  return internal::BioContents(bio.get());
}

CertificateRequest ParseCertificateRequest(std::string_view pem) {
  // Checked before parsing: the request comes from a client that has not
  // been authenticated yet.
  if (pem.size() > kMaxCertificateRequestBytes) {
    throw PkiError("certificate request: larger than " +
                   std::to_string(kMaxCertificateRequestBytes) + " bytes");
  }
  internal::BioPtr bio = internal::ReadOnlyBio(pem, "certificate request");
  internal::X509RequestPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) internal::ThrowPemError("certificate request", "certificate request");
  KeyHandle key(X509_REQ_get_pubkey(request.get()));
  if (!key) ThrowOpenSslError("certificate request: public key");
  const int verified = X509_REQ_verify(request.get(), key.get());
  internal::ClearOpenSslErrors();
  if (verified != 1) {
    throw PkiError("certificate request: signature does not match its public key");
  }
  return CertificateRequest{internal::ReadName(X509_REQ_get_subject_name(request.get())),
                            PublicKey(std::move(key))};
}

}  // namespace fleetset::pki
