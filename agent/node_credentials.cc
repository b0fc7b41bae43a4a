#include "agent/node_credentials.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "fleetset/identity.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/peer_certificates.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/tls_channel.h"
#include "fleetset/v1/agent_service.grpc.pb.h"

namespace fleetset::agent {

namespace {

bool Exists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

std::string ReadPrivate(const std::string& path) {
  if (std::optional<std::string> problem = pki::CheckPrivateFileMode(path)) {
    throw CredentialError(*problem);
  }
  return pki::ReadWholeFile(path);
}

std::unique_ptr<v1::AgentService::Stub> Stub(
    const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  return v1::AgentService::NewStub(grpc::CreateChannel(address, std::move(credentials)));
}

// The certificate's PEM blocks from a combined file (certificate first,
// then key).
std::pair<std::string, std::string> SplitNodePem(const std::string& pem) {
  const size_t key = pem.find("-----BEGIN PRIVATE KEY-----");
  if (key == std::string::npos) throw CredentialError("node.pem holds no private key");
  return {pem.substr(0, key), pem.substr(key)};
}

}  // namespace

std::chrono::system_clock::time_point RenewalPoint(
    std::chrono::system_clock::time_point not_before,
    std::chrono::system_clock::time_point not_after) {
  return not_before + (not_after - not_before) * 2 / 3;
}

NodeCredentials::NodeCredentials(NodeCredentialOptions options) : options_(std::move(options)) {}

NodeCredentials::Material NodeCredentials::Check(std::string ca_pem, std::string certificate_pem,
                                                 std::string key_pem) const {
  try {
    const pki::Certificate certificate = pki::Certificate::FromPem(certificate_pem);
    const pki::PrivateKey key = pki::PrivateKey::FromPem(key_pem);
    pki::Certificate::FromPem(ca_pem);
    if (!certificate.Matches(key)) throw CredentialError("the key is not the certificate's");
    const pki::CertificateInfo info = certificate.Info();
    if (Own() && info.subject.common_name != NodeCommonName(options_.node_name)) {
      throw CredentialError("the certificate is for " + info.subject.common_name + ", not " +
                            NodeCommonName(options_.node_name) +
                            " (the node's name changed? remove " + NodePemPath() +
                            " and join again)");
    }
    return {std::move(ca_pem), std::move(certificate_pem), std::move(key_pem), info.not_before,
            info.not_after};
  } catch (const pki::PkiError& error) {
    throw CredentialError(error.what());
  }
}

std::string NodeCredentials::RequestFor(const pki::PrivateKey& key) const {
  return pki::CreateCertificateRequest(key, {NodeCommonName(options_.node_name), {kNodeGroup}});
}

std::chrono::system_clock::time_point NodeCredentials::Deadline() const {
  return std::chrono::system_clock::now() + options_.call_timeout;
}

void NodeCredentials::Keep(Material material) {
  std::lock_guard lock(mu_);
  material_ = std::move(material);
}

bool NodeCredentials::Load(std::string* why) {
  try {
    if (!Own()) {
      Keep(Check(pki::ReadWholeFile(options_.ca_file), pki::ReadWholeFile(options_.cert_file),
                 ReadPrivate(options_.key_file)));
      return true;
    }
    if (!Exists(NodePemPath()) || !Exists(CaPath())) {
      *why = "no node certificate in " + options_.pki_dir + " yet";
      return false;
    }
    auto [certificate, key] = SplitNodePem(ReadPrivate(NodePemPath()));
    Keep(Check(pki::ReadWholeFile(CaPath()), std::move(certificate), std::move(key)));
    return true;
  } catch (const pki::PkiError& error) {
    throw CredentialError(error.what());
  }
}

bool NodeCredentials::Ready() const {
  std::lock_guard lock(mu_);
  return material_.has_value();
}

void NodeCredentials::Join(const std::string& address) {
  if (options_.token.empty()) {
    throw CredentialError("no certificate, and no --token to join with");
  }
  if (options_.ca_cert_hash.empty()) {
    throw CredentialError(
        "--token needs --discovery-token-ca-cert-hash to know the coordinator it joins");
  }
  try {
    const std::vector<pki::Certificate> chain =
        pki::FetchPeerCertificates(address, options_.call_timeout);
    const std::string ca_pem = pki::FindPinnedCa(chain, options_.ca_cert_hash).ToPem();
    // The key is made here and stays here; written first, so a crash
    // between the two steps leaves nothing half made to trust.
    pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
    v1::JoinRequest request;
    request.set_token(options_.token);
    request.set_node_name(options_.node_name);
    request.set_certificate_request(RequestFor(key));
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    v1::CertificateResponse response;
    const grpc::Status status =
        Stub(address, CoordinatorCredentials(ca_pem, "", ""))->Join(&context, request, &response);
    if (!status.ok()) {
      throw CredentialError("the coordinator refused to join this node: " + status.error_message());
    }
    Material material = Check(ca_pem, response.certificate(), key.ToPem());
    pki::WriteFileAtomically(CaPath(), ca_pem, 0644);
    pki::WriteFileAtomically(NodePemPath(), material.certificate_pem + material.key_pem, 0600);
    spdlog::info("joined through {} as {}; certificate valid until {}", address,
                 NodeCommonName(options_.node_name), pki::FormatRfc3339(material.not_after));
    Keep(std::move(material));
  } catch (const pki::PkiError& error) {
    throw CredentialError(error.what());
  }
}

void NodeCredentials::Renew(const std::string& address) {
  std::shared_ptr<grpc::ChannelCredentials> current = ChannelCredentials();
  if (!current) throw CredentialError("no certificate to renew");
  std::string ca_pem;
  {
    std::lock_guard lock(mu_);
    ca_pem = material_->ca_pem;
  }
  try {
    pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
    v1::RenewCertificateRequest request;
    request.set_certificate_request(RequestFor(key));
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    v1::CertificateResponse response;
    const grpc::Status status =
        Stub(address, current)->RenewCertificate(&context, request, &response);
    if (!status.ok()) {
      throw CredentialError("the coordinator refused to renew: " + status.error_message());
    }
    Material material = Check(ca_pem, response.certificate(), key.ToPem());
    pki::WriteFileAtomically(NodePemPath(), material.certificate_pem + material.key_pem, 0600);
    spdlog::info("renewed the node certificate through {}; valid until {}", address,
                 pki::FormatRfc3339(material.not_after));
    Keep(std::move(material));
  } catch (const pki::PkiError& error) {
    throw CredentialError(error.what());
  }
}

std::shared_ptr<grpc::ChannelCredentials> NodeCredentials::ChannelCredentials() const {
  std::lock_guard lock(mu_);
  if (!material_) return nullptr;
  return CoordinatorCredentials(material_->ca_pem, material_->certificate_pem, material_->key_pem);
}

std::optional<std::chrono::system_clock::time_point> NodeCredentials::RenewAt() const {
  std::lock_guard lock(mu_);
  if (!material_ || !Own()) return std::nullopt;
  return RenewalPoint(material_->not_before, material_->not_after);
}

std::optional<std::chrono::system_clock::time_point> NodeCredentials::NotAfter() const {
  std::lock_guard lock(mu_);
  if (!material_) return std::nullopt;
  return material_->not_after;
}

}  // namespace fleetset::agent
