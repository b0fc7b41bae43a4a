// The node's identity towards the coordinators: its certificate, its key
// and the CA it trusts them by. Kept in <root-dir>/pki/ (node.pem holds the
// certificate and key together, 0600, replaced whole so the two always
// match; ca.crt the CA), or given by the operator's own files.
//
// Joining (kubeadm's model): with a bootstrap token and no certificate
// yet, the agent reads the chain a coordinator presents without trusting
// it, finds the CA whose public key has the pinned hash
// (--discovery-token-ca-cert-hash) and refuses the coordinator otherwise;
// then makes its key here (it never leaves the node), sends a certificate
// request with the token over TLS verified by that CA, and keeps what it
// gets. Renewal goes over mutual TLS with the certificate it has.
//
// Thread-safe. Join and Renew make blocking calls: never on the agent's
// io_context.
#pragma once

#include <grpcpp/security/credentials.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "fleetset/pki/certificate.h"
#include "fleetset/pki/keys.h"

namespace fleetset::agent {

struct NodeCredentialOptions {
  // <root-dir>/pki.
  std::string pki_dir;
  std::string node_name;
  // "<id>.<secret>"; empty: no joining.
  std::string token;
  // "sha256:<hex>" of the CA's public key.
  std::string ca_cert_hash;
  // The operator's own files (all three, or none).
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  std::chrono::milliseconds call_timeout{std::chrono::seconds(10)};
};

class CredentialError : public std::runtime_error {
 public:
  explicit CredentialError(const std::string& message) : std::runtime_error(message) {}
};

class NodeCredentials {
 public:
  explicit NodeCredentials(NodeCredentialOptions options);

  // Reads the operator's files, or what an earlier join left in pki_dir.
  // False (with *why) when there is nothing yet: Join() is next. Throws
  // CredentialError when files are there but unusable (a key others can
  // read, a certificate for another node, a key that does not match).
  bool Load(std::string* why);
  bool Ready() const;
  // Whether Join() has what it needs (a token; not with the operator's
  // own files).
  bool CanJoin() const { return Own() && !options_.token.empty(); }

  // Joins through the coordinator at `address`. Throws CredentialError
  // naming what failed (no token, CA mismatch, the coordinator's refusal).
  void Join(const std::string& address);

  // Renews the certificate through `address` with a new key. Throws
  // CredentialError; the current certificate stays in use.
  void Renew(const std::string& address);

  // For a channel to a coordinator; null when not Ready().
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;

  // When to renew: two thirds into the certificate's life (kubelet's
  // rotation point); nullopt when not Ready() or the certificate is the
  // operator's (their PKI renews it).
  std::optional<std::chrono::system_clock::time_point> RenewAt() const;
  // The certificate's end; nullopt when not Ready().
  std::optional<std::chrono::system_clock::time_point> NotAfter() const;

 private:
  struct Material {
    std::string ca_pem;
    std::string certificate_pem;
    std::string key_pem;
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
  };
  Material Check(std::string ca_pem, std::string certificate_pem, std::string key_pem) const;
  void Keep(Material material);
  // A certificate request for this node's name, signed with `key`.
  std::string RequestFor(const pki::PrivateKey& key) const;
  std::chrono::system_clock::time_point Deadline() const;
  std::string NodePemPath() const { return options_.pki_dir + "/node.pem"; }
  std::string CaPath() const { return options_.pki_dir + "/ca.crt"; }
  bool Own() const { return options_.cert_file.empty(); }

  const NodeCredentialOptions options_;
  mutable std::mutex mu_;
  std::optional<Material> material_;
};

// Two thirds of the way from `not_before` to `not_after`.
std::chrono::system_clock::time_point RenewalPoint(std::chrono::system_clock::time_point not_before,
                                                   std::chrono::system_clock::time_point not_after);

}  // namespace fleetset::agent
