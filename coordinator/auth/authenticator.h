// Who a caller is, from the client certificate its TLS handshake
// presented: checked against the trusted CAs at the current time, read
// as a node or a user with a role (fleetset/identity.h), and refused when
// the coordinator revoked it. gRPC asks for a certificate without checking
// it (GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY) so that a bad
// one is refused here with a reason, counted and audited, rather than as
// a broken handshake nobody can read; and so that Join, which a joining
// node makes before it has any certificate, can be served at all.
#pragma once

#include <string>
#include <vector>

#include "coordinator/registry/caller.h"
#include "coordinator/registry/registries.h"
#include "fleetset/clock.h"
#include "fleetset/pki/certificate.h"

namespace fleetset::coordinator {

class Authenticator {
 public:
  Authenticator(std::vector<pki::Certificate> roots, Registry<v1::IssuedCertificate>& issued,
                const Clock& clock)
      : roots_(std::move(roots)), issued_(issued), clock_(clock) {}

  // `leaf_pem` is the client's certificate, `chain_pem` what else it sent
  // (may be empty). An empty `leaf_pem` gives Caller::Anonymous(). Throws
  // ApiError Unauthorized: "client certificate: certificate has expired
  // (...)", "... was revoked (user deleted by admin)".
  Caller Authenticate(const std::string& leaf_pem, const std::string& chain_pem) const;

 private:
  // A certificate (with its chain) that verified, and until when that holds.
  struct Verified {
    Caller caller;
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point valid_until;
  };
  // Enough for every node and user of a large fleet; past it the
  // remembered ones are forgotten together and verified again.
  static constexpr std::size_t kMostRemembered = 65536;

  Verified Verify(const std::string& leaf_pem, const std::string& chain_pem) const;
  std::optional<Caller> Remembered(const std::string& key,
                                   std::chrono::system_clock::time_point now) const;
  void Remember(std::string key, Verified verified) const;
  void RefuseIfRevoked(const Caller& caller) const;

  std::vector<pki::Certificate> roots_;
  Registry<v1::IssuedCertificate>& issued_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  // Keyed by the leaf and chain PEM as presented.
  mutable std::unordered_map<std::string, Verified> verified_;
};

}  // namespace fleetset::coordinator
