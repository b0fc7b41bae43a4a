// Operators as an admin manages them: create (a certificate for a key the
// client made, with the role in its organization), list, and delete,
// which revokes the user's certificates at once.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "coordinator/auth/cluster_pki.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

struct CreatedUser {
  v1::User user;
  std::string certificate_pem;
};

class UserApi {
 public:
  // A user's certificate lasts this long unless the request says
  // otherwise (kubeadm's client certificates last a year).
  static constexpr std::chrono::seconds kDefaultTtl{std::chrono::hours(24 * 365)};

  UserApi(Registries& registries, const ClusterPki& pki, const Clock& clock)
      : registries_(registries), pki_(pki), clock_(clock) {}

  CreatedUser Create(const Caller& caller, const std::string& name, const std::string& role,
                     std::chrono::seconds ttl, const std::string& certificate_request);
  std::vector<v1::User> List(const Caller& caller);
  void Delete(const Caller& caller, const std::string& name);

 private:
  Registries& registries_;
  const ClusterPki& pki_;
  const Clock& clock_;
};

}  // namespace fleetset::coordinator
