// The cluster's certificates, as the coordinator holds them: the CA that
// signs nodes' and users' certificates (and the clients it trusts), and the
// coordinator's own serving certificate.
//
// By default the coordinator makes them on first start under
// <data-dir>/pki/ (kubeadm's layout: ca.crt, ca.key, server.crt,
// server.key; keys 0600) and renews the serving certificate when it nears
// its end or no longer names every address. An operator with a PKI of
// their own gives kube-apiserver's flags instead (--tls-cert-file,
// --tls-private-key-file, --client-ca-file) and, to let nodes join and
// users be made, the CA to sign with (kube-controller-manager's
// --cluster-signing-cert-file and --cluster-signing-key-file).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/clock.h"
#include "fleetset/pki/certificate.h"
#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"

namespace fleetset::coordinator {

struct PkiOptions {
  std::string data_dir;
  // The gRPC listen address; its host goes into the serving certificate
  // unless it is a wildcard.
  std::string listen;
  // Extra subjectAltNames (kubeadm's apiserver-cert-extra-sans): IP
  // addresses or DNS names.
  std::vector<std::string> extra_sans;
  std::string tls_cert_file;
  std::string tls_private_key_file;
  std::string client_ca_file;
  std::string signing_cert_file;
  std::string signing_key_file;
};

// What the serving certificate is made for: the machine's hostname,
// localhost, loopback, the addresses of its interfaces that are up, the
// listen host (unless a wildcard) and the extras. IPs and DNS names apart.
struct ServingNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};
ServingNames DetectServingNames(const std::string& listen, const std::vector<std::string>& extras);

class ClusterPki {
 public:
  // Loads the files, making what is missing (only in <data-dir>/pki/ and
  // only when no operator file was given). Throws pki::PkiError naming the
  // file and the reason, or a key file readable by others.
  static std::unique_ptr<ClusterPki> Open(const PkiOptions& options, const Clock& clock);

  // For gRPC's SslServerCredentials: the serving certificate followed by
  // its CA, and its key. The chain carries the CA so that an agent can
  // find it there and check it against its pinned hash before it trusts
  // anything.
  const std::string& serving_chain_pem() const { return serving_chain_pem_; }
  const std::string& serving_key_pem() const { return serving_key_pem_; }
  // The CAs whose client certificates are accepted.
  const std::vector<pki::Certificate>& client_roots() const { return client_roots_; }
  // PEM of the CA clients should trust for this coordinator (what Join and
  // admin.conf hand out).
  const std::string& trust_pem() const { return trust_pem_; }
  // "sha256:<hex>" of the trusted CA's public key, for
  // --discovery-token-ca-cert-hash.
  const std::string& ca_pin() const { return ca_pin_; }

  // Whether this coordinator holds a CA key to sign with.
  bool CanIssue() const { return signer_ != nullptr; }
  // A client certificate for `subject_key`, valid from now for `validity`
  // (capped at the CA's end). Throws pki::PkiError when CanIssue() is
  // false.
  pki::Certificate IssueClientCertificate(const pki::PublicKey& subject_key,
                                          const pki::Subject& subject,
                                          std::chrono::seconds validity) const;

 private:
  struct Signer {
    pki::Certificate certificate;
    pki::PrivateKey key;
  };

  ClusterPki(const Clock& clock) : clock_(clock) {}
  void OpenOwn(const PkiOptions& options);
  void OpenOperators(const PkiOptions& options);

  const Clock& clock_;
  std::unique_ptr<Signer> signer_;
  std::vector<pki::Certificate> client_roots_;
  std::string serving_chain_pem_;
  std::string serving_key_pem_;
  std::string trust_pem_;
  std::string ca_pin_;
};

}  // namespace fleetset::coordinator
