// How an agent gets its certificate (kubeadm's TLS bootstrap): Join with
// a bootstrap token and a request for the node's own key, and Renew with
// the certificate it has before that runs out. The node's name in the
// certificate is the one it joined with; a renewal keeps the caller's.
#pragma once

#include <chrono>
#include <string>

#include "coordinator/api/token_api.h"
#include "coordinator/auth/cluster_pki.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

struct IssuedNodeCertificate {
  std::string certificate_pem;
  std::string ca_pem;
};

class EnrollmentApi {
 public:
  EnrollmentApi(Registries& registries, const TokenApi& tokens, const ClusterPki& pki,
                std::chrono::seconds node_certificate_ttl)
      : registries_(registries), tokens_(tokens), pki_(pki), ttl_(node_certificate_ttl) {}

  // Throws ApiError: Unauthorized for a bad token, Invalid for a bad node
  // name, BadRequest for a bad request, AlreadyExists when a Ready node of
  // that name is registered (as kubeadm join refuses; delete it first).
  IssuedNodeCertificate Join(const Caller& caller, const std::string& token,
                             const std::string& node_name, const std::string& certificate_request);
  // `caller` is a node.
  IssuedNodeCertificate Renew(const Caller& caller, const std::string& certificate_request);

 private:
  IssuedNodeCertificate Issue(const Caller& caller, const std::string& node_name,
                              const std::string& certificate_request);

  Registries& registries_;
  const TokenApi& tokens_;
  const ClusterPki& pki_;
  const std::chrono::seconds ttl_;
};

}  // namespace fleetset::coordinator
