// Bootstrap tokens (kubeadm token create/list/delete), and the check a
// joining node's token must pass.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "coordinator/auth/cluster_pki.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

struct CreatedToken {
  // "<id>.<secret>": the only time the secret is seen.
  std::string token;
  v1::BootstrapToken record;
};

class TokenApi {
 public:
  TokenApi(Registries& registries, const Clock& clock) : registries_(registries), clock_(clock) {}

  // `ttl` 0: never expires.
  CreatedToken Create(const Caller& caller, std::chrono::seconds ttl,
                      const std::string& description);
  std::vector<v1::BootstrapToken> List(const Caller& caller);
  void Delete(const Caller& caller, const std::string& id);

  // Throws ApiError Unauthorized when `token` is malformed, unknown, wrong
  // or expired. The reason names the token's id, never its secret.
  void Check(const std::string& token) const;

 private:
  Registries& registries_;
  const Clock& clock_;
};

}  // namespace fleetset::coordinator
