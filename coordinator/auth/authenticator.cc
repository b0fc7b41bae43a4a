#include "coordinator/auth/authenticator.h"

#include <algorithm>

#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/verify.h"

namespace fleetset::coordinator {

Caller Authenticator::Authenticate(const std::string& leaf_pem,
                                   const std::string& chain_pem) const {
  if (leaf_pem.empty()) return Caller::Anonymous();
  std::string key = leaf_pem + '\n' + chain_pem;
  std::optional<Caller> caller = Remembered(key, clock_.WallNow());
  if (!caller) {
    Verified verified = Verify(leaf_pem, chain_pem);
    caller = verified.caller;
    Remember(std::move(key), std::move(verified));
  }
  RefuseIfRevoked(*caller);
  return *caller;
}

Authenticator::Verified Authenticator::Verify(const std::string& leaf_pem,
                                              const std::string& chain_pem) const {
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
  Verified verified;
  verified.caller = read.identity->kind == CertificateIdentity::Kind::kNode
                        ? Caller::Node(read.identity->name)
                        : Caller::User(read.identity->name, read.identity->role);
  verified.caller.certificate_serial = info.serial;
  verified.not_before = info.not_before;
  // The verification holds while every certificate it used is valid.
  verified.valid_until = info.not_after;
  for (const pki::Certificate& certificate : chain) {
    verified.valid_until = std::min(verified.valid_until, certificate.Info().not_after);
  }
  for (const pki::Certificate& root : roots_) {
    verified.valid_until = std::min(verified.valid_until, root.Info().not_after);
  }
  return verified;
}

std::optional<Caller> Authenticator::Remembered(const std::string& key,
                                                std::chrono::system_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto found = verified_.find(key);
  if (found == verified_.end()) return std::nullopt;
  if (now < found->second.not_before || now > found->second.valid_until) {
    // Verified again, so the refusal says why.
    verified_.erase(found);
    return std::nullopt;
  }
  return found->second.caller;
}

void Authenticator::Remember(std::string key, Verified verified) const {
  std::lock_guard lock(mutex_);
  if (verified_.size() >= kMostRemembered) verified_.clear();
  verified_.insert_or_assign(std::move(key), std::move(verified));
}

void Authenticator::RefuseIfRevoked(const Caller& caller) const {
  std::optional<v1::IssuedCertificate> issued = issued_.Find("", caller.certificate_serial);
  if (issued && issued->spec().revoked()) {
    throw ApiError::Unauthorized("client certificate " + caller.certificate_serial + " of " +
                                 issued->spec().subject_kind() + " \"" +
                                 issued->spec().subject_name() + "\" was revoked (" +
                                 issued->spec().revocation_reason() + ")");
  }
}

}  // namespace fleetset::coordinator
