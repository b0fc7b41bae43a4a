#include "agent/registry_credentials.h"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

namespace fleetset::agent {
namespace {

// "https://index.docker.io/v1/" -> "docker.io"; "host:5000/path" -> "host:5000".
std::string NormaliseRegistryKey(std::string key) {
  if (auto scheme = key.find("://"); scheme != std::string::npos) key = key.substr(scheme + 3);
  if (auto slash = key.find('/'); slash != std::string::npos) key = key.substr(0, slash);
  if (key == "index.docker.io" || key == "registry-1.docker.io") key = "docker.io";
  return key;
}

}  // namespace

std::string RegistryHostOf(std::string_view image) {
  const auto slash = image.find('/');
  if (slash == std::string_view::npos) return "docker.io";
  const std::string_view first = image.substr(0, slash);
  // As Docker decides: the first component is a host only if it looks like
  // one (has a dot or a port, or is localhost).
  if (first.find('.') == std::string_view::npos && first.find(':') == std::string_view::npos &&
      first != "localhost") {
    return "docker.io";
  }
  return NormaliseRegistryKey(std::string(first));
}

std::optional<cri::AuthConfig> RegistryCredentials::For(std::string_view image) const {
  YAML::Node config;
  try {
    config = YAML::LoadFile(path_);
  } catch (const YAML::BadFile&) {
    return std::nullopt;
  } catch (const YAML::Exception& error) {
    spdlog::warn("{}: not a valid credential file: {}", path_, error.what());
    return std::nullopt;
  }
  const std::string host = RegistryHostOf(image);
  try {
    const YAML::Node auths = config["auths"];
    if (!auths || !auths.IsMap()) return std::nullopt;
    for (const auto& entry : auths) {
      if (NormaliseRegistryKey(entry.first.as<std::string>()) != host) continue;
      const YAML::Node& value = entry.second;
      // server_address stays empty: containerd parses it as a URL and
      // rejects a bare "host:port"; empty means "the host being pulled".
      cri::AuthConfig auth;
      if (value["auth"]) auth.set_auth(value["auth"].as<std::string>());
      if (value["username"]) auth.set_username(value["username"].as<std::string>());
      if (value["password"]) auth.set_password(value["password"].as<std::string>());
      if (value["identitytoken"]) auth.set_identity_token(value["identitytoken"].as<std::string>());
      return auth;
    }
  } catch (const YAML::Exception& error) {
    spdlog::warn("{}: not a valid credential file: {}", path_, error.what());
  }
  return std::nullopt;
}

}  // namespace fleetset::agent
