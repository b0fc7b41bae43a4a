#include "client_config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "fleetset/pki/certificate.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/strings.h"

namespace fleetset::ctl {
namespace {

bool IsFile(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(path, ignored);
}

// The files to look in, in order, and whether the first is the only one.
std::vector<std::string> Candidates(const std::string& config_flag, const Environment& env,
                                    const std::string& system_config) {
  if (!config_flag.empty()) return {config_flag};
  if (auto explicit_config = env("FLEETSET_CONFIG")) return {*explicit_config};
  std::vector<std::string> files;
  if (auto home = env("HOME")) files.push_back(*home + "/.config/fleetset/config.yaml");
  files.push_back(system_config);
  return files;
}

// "a:1, b:1,,a:1" is {"a:1", "b:1"}: spaces and empty entries are dropped,
// and an address listed twice is tried once.
std::vector<std::string> SplitServers(const std::string& list) {
  std::vector<std::string> servers;
  for (std::string& server : SplitList(list)) {
    if (std::find(servers.begin(), servers.end(), server) == servers.end()) {
      servers.push_back(std::move(server));
    }
  }
  return servers;
}

std::string MissingCredential(const pki::ClientConfig& config) {
  if (config.ca_pem.empty()) return "certificate-authority-data";
  if (config.certificate_pem.empty()) return "client-certificate-data";
  if (config.key_pem.empty()) return "client-key-data";
  return "";
}

}  // namespace

Environment ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::optional<ClientSettings> ResolveClient(const std::string& config_flag,
                                            const std::string& server_flag, const Environment& env,
                                            std::string* error, const std::string& system_config) {
  const std::vector<std::string> candidates = Candidates(config_flag, env, system_config);
  ClientSettings settings;
  for (const std::string& path : candidates) {
    if (IsFile(path)) {
      settings.config_path = path;
      break;
    }
  }
  if (settings.config_path.empty()) {
    *error = "no credentials: no fleetsetctl config at " + Join(candidates, " or ") +
             " (on the coordinator's machine: export "
             "FLEETSET_CONFIG=/var/lib/fleetset-coordinator/admin.conf; elsewhere ask an admin "
             "for one: fleetsetctl create user)";
    return std::nullopt;
  }
  try {
    settings.config =
        pki::ParseClientConfig(pki::ReadWholeFile(settings.config_path), settings.config_path);
  } catch (const pki::PkiError& problem) {
    *error = "config file " + std::string(problem.what());
    return std::nullopt;
  }
  if (std::string missing = MissingCredential(settings.config); !missing.empty()) {
    *error = "no credentials: config file " + settings.config_path + " has no " + missing +
             " (the coordinator's admin.conf and the output of fleetsetctl create user have all "
             "three)";
    return std::nullopt;
  }
  // Where the list comes from, to name in an error.
  std::string source = "--server";
  std::string list = server_flag;
  if (list.empty()) {
    if (auto server = env("FLEETSET_SERVER")) {
      source = "$FLEETSET_SERVER";
      list = *server;
    } else {
      source = settings.config_path + ": servers";
      list = Join(settings.config.servers, ",");
    }
  }
  settings.servers = SplitServers(list);
  if (settings.servers.empty() && !list.empty()) {
    *error = source + " \"" + list + "\" names no coordinator (HOST:PORT,...)";
    return std::nullopt;
  }
  if (settings.servers.empty()) settings.servers = {kDefaultServer};
  return settings;
}

std::optional<std::string> CheckClientCertificate(const ClientSettings& settings,
                                                  std::chrono::system_clock::time_point now) {
  const std::string& path = settings.config_path;
  try {
    const pki::Certificate certificate = pki::Certificate::FromPem(settings.config.certificate_pem);
    const pki::CertificateInfo info = certificate.Info();
    if (now >= info.not_after) {
      return "the client certificate in " + path + " expired at " +
             pki::FormatRfc3339(info.not_after) + " (ask an admin for a new config for user \"" +
             info.subject.common_name + "\")";
    }
    if (now < info.not_before) {
      return "the client certificate in " + path + " is not valid before " +
             pki::FormatRfc3339(info.not_before) + " (is this machine's clock right?)";
    }
    if (!certificate.Matches(pki::PrivateKey::FromPem(settings.config.key_pem))) {
      return "the client key in " + path + " is not the certificate's key";
    }
  } catch (const pki::PkiError& problem) {
    return "config file " + path + ": " + problem.what();
  }
  return std::nullopt;
}

}  // namespace fleetset::ctl
