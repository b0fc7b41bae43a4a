#include "support/coordinator_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/server_credentials.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>

#include "fleetset/pki/client_config.h"
#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/tls_channel.h"

namespace fleetset::testing {

std::shared_ptr<grpc::Channel> ChannelFromClientConfig(const std::string& path,
                                                       const std::string& address) {
  const pki::ClientConfig config = pki::ParseClientConfig(pki::ReadWholeFile(path), path);
  const std::string target =
      !address.empty() ? address : (config.servers.empty() ? "" : config.servers.front());
  return grpc::CreateChannel(
      target, CoordinatorCredentials(config.ca_pem, config.certificate_pem, config.key_pem));
}

ClientIdentity IssueFromCa(const std::string& pki_dir, const pki::Subject& subject,
                           std::chrono::system_clock::time_point now,
                           std::chrono::seconds validity) {
  const pki::Certificate ca = pki::Certificate::FromPem(pki::ReadWholeFile(pki_dir + "/ca.crt"));
  const pki::PrivateKey ca_key = pki::PrivateKey::FromPem(pki::ReadWholeFile(pki_dir + "/ca.key"));
  const pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
  pki::IssueOptions options;
  options.subject = subject;
  options.now = now;
  options.validity = validity;
  return {ca.ToPem(), pki::IssueCertificate(ca, ca_key, key.Public(), options).ToPem(),
          key.ToPem()};
}

TestTls MakeTestTls(const pki::Subject& client) {
  const auto now = std::chrono::system_clock::now();
  const pki::PrivateKey ca_key = pki::PrivateKey::GenerateEcP256();
  const pki::Certificate ca =
      pki::CreateSelfSignedCa(ca_key, "fleetset-test-ca", now, std::chrono::hours(24));
  TestTls tls;
  tls.ca_pem = ca.ToPem();
  const pki::PrivateKey server_key = pki::PrivateKey::GenerateEcP256();
  pki::IssueOptions server;
  server.subject = {"fleetset-coordinator", {}};
  server.usage = pki::Usage::kServer;
  server.now = now;
  server.dns_names = {"localhost"};
  server.ip_addresses = {"127.0.0.1"};
  tls.server_certificate_pem =
      pki::IssueCertificate(ca, ca_key, server_key.Public(), server).ToPem();
  tls.server_key_pem = server_key.ToPem();
  const pki::PrivateKey client_key = pki::PrivateKey::GenerateEcP256();
  pki::IssueOptions options;
  options.subject = client;
  options.now = now;
  tls.client = {tls.ca_pem, pki::IssueCertificate(ca, ca_key, client_key.Public(), options).ToPem(),
                client_key.ToPem()};
  return tls;
}

std::shared_ptr<grpc::ServerCredentials> TestTls::ServerCredentials() const {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ca_pem;
  options.pem_key_cert_pairs.push_back({server_key_pem, server_certificate_pem});
  return grpc::SslServerCredentials(options);
}

ScopedClientConfig::ScopedClientConfig(const std::string& path, const std::string& server,
                                       const ClientIdentity& identity)
    : path_(path) {
  pki::WriteFileAtomically(
      path,
      pki::RenderClientConfig(
          {{server}, identity.ca_pem, identity.certificate_pem, identity.key_pem}),
      0600);
  setenv("FLEETSET_CONFIG", path.c_str(), 1);
}

ScopedClientConfig::~ScopedClientConfig() {
  unsetenv("FLEETSET_CONFIG");
  std::remove(path_.c_str());
}

std::shared_ptr<grpc::Channel> ChannelAs(const ClientIdentity& identity,
                                         const std::string& address) {
  return grpc::CreateChannel(
      address, CoordinatorCredentials(identity.ca_pem, identity.certificate_pem, identity.key_pem));
}

JoinToken CreateJoinToken(v1::OperatorService::Stub& operators) {
  v1::CreateTokenRequest request;
  request.set_ttl_seconds(3600);
  request.set_description("test");
  v1::CreateTokenResponse response;
  grpc::ClientContext context;
  const grpc::Status status = operators.CreateToken(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.token(), response.ca_cert_hash()};
}

}  // namespace fleetset::testing
