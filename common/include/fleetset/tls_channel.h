// Client credentials for a coordinator: TLS that trusts only the cluster's
// CA and presents a certificate and key (mutual TLS). The agent, fleetsetctl
// and the tests all dial coordinators through this, so they agree on what a
// connection to one is.
#pragma once

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

namespace fleetset {

// PEM text of the CA (what the coordinator's certificate must chain to),
// and of the client's certificate (chain) and private key; with an empty
// certificate and key, the client authenticates the server only (a join).
std::shared_ptr<grpc::ChannelCredentials> CoordinatorCredentials(const std::string& ca_pem,
                                                                 const std::string& certificate_pem,
                                                                 const std::string& key_pem);

}  // namespace fleetset
