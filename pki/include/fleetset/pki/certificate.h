// X.509 certificates: reading them and what fleetset needs to know of them.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fleetset/pki/keys.h"

typedef struct x509_st X509;

namespace fleetset::pki {

// The parts of a distinguished name fleetset uses, as Kubernetes does: the
// common name is the user (or system:node:<name>), the organizations are
// the groups (a user's role, or system:nodes).
struct Subject {
  std::string common_name;
  std::vector<std::string> organizations;
};

struct CertificateInfo {
  Subject subject;
  Subject issuer;
  // Lower-case hex, no separators, no leading zeros ("1f3a...").
  std::string serial;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool is_ca = false;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

struct X509Deleter {
  void operator()(X509* certificate) const;
};
using CertificateHandle = std::unique_ptr<X509, X509Deleter>;

class Certificate {
 public:
  // The first PEM certificate in `pem`. Throws PkiError.
  static Certificate FromPem(std::string_view pem);
  // Every PEM certificate in `pem`, in order; throws PkiError when there
  // is none or one is malformed.
  static std::vector<Certificate> ChainFromPem(std::string_view pem);
  // From DER. Throws PkiError.
  static Certificate FromDer(std::string_view der);
  explicit Certificate(CertificateHandle certificate) : certificate_(std::move(certificate)) {}
  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) = default;
  Certificate& operator=(Certificate&&) = default;

  std::string ToPem() const;
  CertificateInfo Info() const;
  PublicKey Key() const;
  // True when `key` is this certificate's private key.
  bool Matches(const PrivateKey& key) const;

  X509* get() const { return certificate_.get(); }

 private:
  CertificateHandle certificate_;
};

// "2026-12-05T10:00:00Z", as certificates' dates are shown everywhere.
std::string FormatRfc3339(std::chrono::system_clock::time_point time);

}  // namespace fleetset::pki
