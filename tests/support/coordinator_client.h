// How tests reach a coordinator the way its users do: over mutual TLS as
// the admin its admin.conf names, and with bootstrap tokens for the agents
// they start to join with.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "fleetset/pki/certificate.h"
#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::testing {

// A client's TLS material, as PEM.
struct ClientIdentity {
  std::string ca_pem;
  std::string certificate_pem;
  std::string key_pem;
};

// A client certificate for `subject` with a fresh key, signed by the CA in
// `pki_dir` (a coordinator's <data-dir>/pki: ca.crt and ca.key), valid
// from `now` for `validity`: an identity the coordinator never issued.
ClientIdentity IssueFromCa(const std::string& pki_dir, const pki::Subject& subject,
                           std::chrono::system_clock::time_point now,
                           std::chrono::seconds validity);

// A throwaway CA with a serving certificate for 127.0.0.1 and localhost
// and a client certificate for `client`: for fake coordinators that speak
// TLS as the real one does.
struct TestTls {
  std::string ca_pem;
  std::string server_certificate_pem;
  std::string server_key_pem;
  ClientIdentity client;

  std::shared_ptr<grpc::ServerCredentials> ServerCredentials() const;
};
TestTls MakeTestTls(const pki::Subject& client);

// Writes a fleetsetctl config for `identity` to `path` and points
// $FLEETSET_CONFIG at it until destroyed.
class ScopedClientConfig {
 public:
  ScopedClientConfig(const std::string& path, const std::string& server,
                     const ClientIdentity& identity);
  ~ScopedClientConfig();
  ScopedClientConfig(const ScopedClientConfig&) = delete;
  ScopedClientConfig& operator=(const ScopedClientConfig&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::shared_ptr<grpc::Channel> ChannelAs(const ClientIdentity& identity,
                                         const std::string& address);

// A channel with the credentials of the fleetsetctl config at `path` (the
// coordinator's admin.conf), to its first server or to `address` if given.
std::shared_ptr<grpc::Channel> ChannelFromClientConfig(const std::string& path,
                                                       const std::string& address = "");

// What `fleetsetctl token create --print-join-command` gives an agent.
struct JoinToken {
  std::string token;
  std::string ca_cert_hash;
};
// A token valid for an hour; fails the test when the coordinator refuses.
JoinToken CreateJoinToken(v1::OperatorService::Stub& operators);

}  // namespace fleetset::testing
