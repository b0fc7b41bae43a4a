// Making certificates: the cluster CA and what it signs.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "fleetset/pki/certificate.h"
#include "fleetset/pki/keys.h"

namespace fleetset::pki {

enum class Usage {
  // A coordinator's serving certificate (serverAuth).
  kServer,
  // A user's or a node's certificate (clientAuth).
  kClient,
};

struct IssueOptions {
  Subject subject;
  Usage usage = Usage::kClient;
  // Valid from `now` minus a minute (clock skew between machines) until
  // `now` + `validity`, never past the CA's own end.
  std::chrono::system_clock::time_point now;
  std::chrono::seconds validity{std::chrono::hours(24)};
  // subjectAltNames; IP addresses in text form (IPv4 or IPv6).
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

// A self-signed CA (basicConstraints CA:TRUE, keyCertSign, cRLSign), with
// a random 128-bit serial, valid from `now` minus a minute for `validity`.
Certificate CreateSelfSignedCa(const PrivateKey& key, const std::string& common_name,
                               std::chrono::system_clock::time_point now,
                               std::chrono::seconds validity);

// A leaf certificate for `subject_key`, signed by `ca` with `ca_key`
// (SHA-256), with a random 128-bit serial. Throws PkiError when `ca_key`
// is not `ca`'s key or an IP address does not parse.
Certificate IssueCertificate(const Certificate& ca, const PrivateKey& ca_key,
                             const PublicKey& subject_key, const IssueOptions& options);

}  // namespace fleetset::pki
