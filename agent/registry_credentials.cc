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

// The entry for `host` in a map of registry keys to credentials (the
// "auths" of a config.json, or a whole .dockercfg); throws YAML::Exception
// on a malformed entry.
std::optional<cri::AuthConfig> EntryFor(const YAML::Node& auths, const std::string& host) {
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
  return std::nullopt;
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
  try {
    return EntryFor(config["auths"], RegistryHostOf(image));
  } catch (const YAML::Exception& error) {
    spdlog::warn("{}: not a valid credential file: {}", path_, error.what());
  }
  return std::nullopt;
}

std::vector<cri::AuthConfig> PullSecretCredentials(const v1::PodSpec& spec,
                                                   const std::string& pod_namespace,
                                                   const PodObjects& objects,
                                                   std::string_view image,
                                                   std::vector<std::string>* skipped) {
  std::vector<cri::AuthConfig> found;
  const std::string host = RegistryHostOf(image);
  auto skip = [&](const std::string& why) {
    if (skipped != nullptr) skipped->push_back(why);
  };
  for (const v1::LocalObjectReference& reference : spec.image_pull_secrets()) {
    const v1::Secret* secret = objects.FindSecret(pod_namespace, reference.name());
    if (secret == nullptr) {
      skip(SecretNotFound(reference.name()));
      continue;
    }
    // dockerconfigjson wraps the map in "auths"; the older dockercfg is the map.
    const bool wrapped = secret->type() == "kubernetes.io/dockerconfigjson";
    const char* key = wrapped ? ".dockerconfigjson" : ".dockercfg";
    auto data = secret->data().find(key);
    if (data == secret->data().end()) {
      skip("secret \"" + reference.name() + "\" has no " + std::string(key) + " key");
      continue;
    }
    try {
      const YAML::Node config = YAML::Load(data->second);
      if (auto auth = EntryFor(wrapped ? config["auths"] : config, host)) found.push_back(*auth);
    } catch (const YAML::Exception&) {
      // The parser's message may quote the secret; only say which one.
      skip("secret \"" + reference.name() + "\": " + std::string(key) + " is not valid JSON");
    }
  }
  return found;
}

}  // namespace fleetset::agent
