#include "coordinator/auth/authenticator.h"

#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/verify.h"

namespace fleetset::coordinator {

Caller Authenticator::Authenticate(const std::string& leaf_pem,
                                   const std::string& chain_pem) const {
  if (leaf_pem.empty()) return Caller::Anonymous();
  std::vector<pki::Certificate> chain;
  try {
    chain.push_back(pki::Certificate::FromPem(leaf_pem));
    if (!chain_pem.empty()) {
      for (pki::Certificate& certificate : pki::Certificate::ChainFromPem(chain_pem)) {
        chain.push_back(std::move(certificate));
      }
    }
  } catch (const pki::PkiError& error) {
    throw ApiError::Unauthorized(std::string("client certificate: ") + error.what());
  }
  if (std::optional<std::string> problem =
          pki::VerifyCertificate(chain, roots_, clock_.WallNow(), pki::Purpose::kClient)) {
    throw ApiError::Unauthorized("client certificate: " + *problem);
  }
  const pki::CertificateInfo info = chain.front().Info();
  IdentityOrError read = IdentityFromSubject(info.subject.common_name, info.subject.organizations);
  if (!read.identity) throw ApiError::Unauthorized("client certificate: " + read.error);
  if (std::optional<v1::IssuedCertificate> issued = issued_.Find("", info.serial)) {
    if (issued->spec().revoked()) {
      throw ApiError::Unauthorized("client certificate " + info.serial + " of " +
                                   issued->spec().subject_kind() + " \"" +
                                   issued->spec().subject_name() + "\" was revoked (" +
                                   issued->spec().revocation_reason() + ")");
    }
  }
  Caller caller = read.identity->kind == CertificateIdentity::Kind::kNode
                      ? Caller::Node(read.identity->name)
                      : Caller::User(read.identity->name, read.identity->role);
  caller.certificate_serial = info.serial;
  return caller;
}

}  // namespace fleetset::coordinator
