// Client certificates for simulated nodes, made by the bench itself with
// the coordinator's own CA (<data-dir>/pki/ca.crt and ca.key). The
// coordinator accepts any certificate that chains to its CA and was not
// revoked, so the bench needs no bootstrap token and no Join per node: a
// Join would put 10,000 certificate requests on the coordinator before the
// connect phase, which is not what a fleet's steady reconnection costs.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace fleetset::bench {

// One node's certificate and private key, PEM.
struct NodeCredentials {
  std::string certificate_pem;
  std::string key_pem;
};

struct FleetCredentials {
  // The cluster CA: what the coordinator's serving certificate chains to.
  std::string ca_pem;
  // One per name asked for, in the same order.
  std::vector<NodeCredentials> nodes;
};

// A certificate for each of `node_names` as the coordinator issues a
// node's (CN system:node:<name>, O system:nodes, clientAuth), each with a
// new ECDSA P-256 key, valid for `validity`. Throws pki::PkiError when the
// CA files cannot be read or do not belong together.
FleetCredentials IssueNodeCredentials(const std::string& pki_dir,
                                      const std::vector<std::string>& node_names,
                                      std::chrono::seconds validity);

}  // namespace fleetset::bench
