#include "fleetset/pki/client_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "fleetset/base64.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"

namespace fleetset::pki {

namespace {

// One credential: inline (`<key>-data`, base64) or a file (`<key>`).
std::string Credential(const YAML::Node& root, const std::string& key, const std::string& path) {
  if (const YAML::Node data = root[key + "-data"]) {
    try {
      return Base64Decode(data.as<std::string>());
    } catch (const PkiError&) {
      throw PkiError(path + ": " + key + "-data: not base64");
    }
  }
  if (const YAML::Node file = root[key]) {
    std::filesystem::path named = file.as<std::string>();
    if (named.is_relative()) named = std::filesystem::path(path).parent_path() / named;
    return ReadWholeFile(named.string());
  }
  return {};
}

}  // namespace

std::string Base64Encode(const std::string& data) { return EncodeBase64(data); }

std::string Base64Decode(const std::string& text) {
  std::optional<std::string> decoded = DecodeBase64(text);
  if (!decoded) throw PkiError("not base64");
  return *std::move(decoded);
}

std::string RenderClientConfig(const ClientConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "servers" << YAML::Value << YAML::BeginSeq;
  for (const std::string& server : config.servers) out << server;
  out << YAML::EndSeq;
  out << YAML::Key << "certificate-authority-data" << YAML::Value << Base64Encode(config.ca_pem);
  out << YAML::Key << "client-certificate-data" << YAML::Value
      << Base64Encode(config.certificate_pem);
  out << YAML::Key << "client-key-data" << YAML::Value << Base64Encode(config.key_pem);
  out << YAML::EndMap;
  return std::string("# fleetsetctl config: keep it private (it holds a key).\n") + out.c_str() +
         "\n";
}

ClientConfig ParseClientConfig(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw PkiError(path + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  ClientConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) throw PkiError(path + ": expected a map of settings");
  try {
    if (const YAML::Node servers = root["servers"]) {
      if (!servers.IsSequence()) throw PkiError(path + ": servers: must be a list");
      for (const YAML::Node& server : servers) config.servers.push_back(server.as<std::string>());
    }
    if (const YAML::Node server = root["server"])
      config.servers.push_back(server.as<std::string>());
    config.ca_pem = Credential(root, "certificate-authority", path);
    config.certificate_pem = Credential(root, "client-certificate", path);
    config.key_pem = Credential(root, "client-key", path);
  } catch (const YAML::Exception& error) {
    throw PkiError(path + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  return config;
}

}  // namespace fleetset::pki
