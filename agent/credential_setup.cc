#include "agent/credential_setup.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "fleetset/pki/bootstrap_token.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"

namespace fleetset::agent {

namespace {

// The token as written by `echo TOKEN > file`: without the whitespace around.
std::string WithoutSurroundingSpace(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// The token in --token-file, checked. Throws CredentialError naming the file.
std::string ReadTokenFile(const AgentConfig& config) {
  const std::string& path = config.bootstrap_token_file;
  if (std::optional<std::string> problem = pki::CheckPrivateFileMode(path)) {
    throw CredentialError("--token-file: " + *problem);
  }
  std::string token;
  try {
    token = WithoutSurroundingSpace(pki::ReadWholeFile(path));
  } catch (const pki::PkiError& error) {
    throw CredentialError("--token-file: " + std::string(error.what()));
  }
  if (token.empty()) throw CredentialError("--token-file: " + path + " is empty");
  if (!pki::ParseBootstrapToken(token)) {
    throw CredentialError("--token-file: " + path +
                          " does not hold a bootstrap token [a-z0-9]{6}.[a-z0-9]{16}");
  }
  if (config.discovery_token_ca_cert_hash.empty()) {
    throw CredentialError(
        "--token-file needs --discovery-token-ca-cert-hash: the pin of the CA of the "
        "coordinator it joins (fleetsetctl token create --print-join-command prints it)");
  }
  return token;
}

}  // namespace

NodeCredentialOptions CredentialOptionsFor(const AgentConfig& config) {
  NodeCredentialOptions options;
  options.pki_dir = config.root_dir + "/pki";
  options.node_name = config.NodeName();
  options.token = config.bootstrap_token;
  std::error_code ignored;
  if (options.token.empty() && !config.bootstrap_token_file.empty() &&
      std::filesystem::exists(config.bootstrap_token_file, ignored)) {
    try {
      options.token = ReadTokenFile(config);
    } catch (const CredentialError& problem) {
      // A node that has its certificate needs no token: a problem with the
      // file is only worth a warning then.
      const bool joined = !config.tls_cert_file.empty() ||
                          std::filesystem::exists(options.pki_dir + "/node.pem", ignored);
      if (!joined) throw;
      spdlog::warn("{} (not needed: the node has its certificate)", problem.what());
    }
  }
  options.ca_cert_hash = config.discovery_token_ca_cert_hash;
  options.cert_file = config.tls_cert_file;
  options.key_file = config.tls_private_key_file;
  options.ca_file = config.tls_ca_file;
  return options;
}

void LoadNodeCredentials(NodeCredentials& credentials, const NodeCredentialOptions& options) {
  std::string why;
  if (credentials.Load(&why)) return;
  if (options.token.empty()) {
    throw CredentialError(why +
                          ", and no --token to join with (fleetsetctl token create "
                          "--print-join-command prints the flags)");
  }
  spdlog::info("{}: joining with bootstrap token {}", why, options.token.substr(0, 6));
}

std::shared_ptr<grpc::ChannelCredentials> CredentialsForStream(NodeCredentials& credentials,
                                                               const std::string& address,
                                                               const Clock& clock, bool* joined) {
  *joined = false;
  const auto not_after = credentials.NotAfter();
  if (!not_after || (*not_after <= clock.WallNow() && credentials.CanJoin())) {
    if (not_after) spdlog::warn("the node certificate has expired; joining again");
    credentials.Join(address);
    *joined = true;
  }
  return credentials.ChannelCredentials();
}

}  // namespace fleetset::agent
