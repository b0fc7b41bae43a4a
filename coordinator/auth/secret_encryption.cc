#include "coordinator/auth/secret_encryption.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <stdexcept>

#include "fleetset/base64.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"

namespace fleetset::coordinator {

namespace {

constexpr char kPrefix[] = "k8s:enc:aesgcm:v1:";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const EVP_CIPHER* CipherFor(const std::string& secret) {
  switch (secret.size()) {
    case 16:
      return EVP_aes_128_gcm();
    case 24:
      return EVP_aes_192_gcm();
    default:
      return EVP_aes_256_gcm();
  }
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string Encrypt(const EncryptionKey& key, std::string_view plain, std::string_view aad) {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
    throw std::runtime_error("cannot draw a nonce to encrypt a secret");
  }
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out = kPrefix + key.name + ":" + nonce;
  const size_t header = out.size();
  out.resize(header + plain.size() + kTagBytes);
  auto* cipher_text = reinterpret_cast<unsigned char*>(out.data() + header);
  int length = 0;
  int final_length = 0;
  const bool ok = context &&
                  EVP_EncryptInit_ex(context.get(), CipherFor(key.secret), nullptr,
                                     Bytes(key.secret), Bytes(nonce)) == 1 &&
                  EVP_EncryptUpdate(context.get(), nullptr, &length, Bytes(aad),
                                    static_cast<int>(aad.size())) == 1 &&
                  EVP_EncryptUpdate(context.get(), cipher_text, &length, Bytes(plain),
                                    static_cast<int>(plain.size())) == 1 &&
                  EVP_EncryptFinal_ex(context.get(), cipher_text + length, &final_length) == 1 &&
                  EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                      cipher_text + plain.size()) == 1;
  if (!ok) throw std::runtime_error("cannot encrypt a secret");
  return out;
}

// nullopt when the tag does not match (another key, or changed bytes).
std::optional<std::string> Decrypt(const EncryptionKey& key, std::string_view sealed,
                                   std::string_view aad) {
  if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  const std::string_view nonce = sealed.substr(0, kNonceBytes);
  const std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string plain(body.size(), '\0');
  int length = 0;
  int final_length = 0;
  const bool ok =
      context &&
      EVP_DecryptInit_ex(context.get(), CipherFor(key.secret), nullptr, Bytes(key.secret),
                         Bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(context.get(), nullptr, &length, Bytes(aad),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                        Bytes(body), static_cast<int>(body.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                          &final_length) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

std::runtime_error ConfigError(const std::string& path, const std::string& field,
                               const std::string& reason) {
  return std::runtime_error(path + ": " + field + ": " + reason);
}

// The providers of the entry for `secrets`; nullopt when there is none.
std::optional<EncryptionProviders> ProvidersForSecrets(const std::string& path,
                                                       const YAML::Node& root) {
  if (!root.IsMap() || root["kind"].as<std::string>("") != "EncryptionConfiguration") {
    throw ConfigError(path, "kind", "must be EncryptionConfiguration");
  }
  const YAML::Node resources = root["resources"];
  if (!resources || !resources.IsSequence()) throw ConfigError(path, "resources", "Required value");
  for (size_t i = 0; i < resources.size(); ++i) {
    const std::string at = "resources[" + std::to_string(i) + "]";
    const YAML::Node names = resources[i]["resources"];
    bool for_secrets = false;
    if (names && names.IsSequence()) {
      for (const YAML::Node& name : names) for_secrets |= name.as<std::string>("") == "secrets";
    }
    if (!for_secrets) continue;
    const YAML::Node providers = resources[i]["providers"];
    if (!providers || !providers.IsSequence() || providers.size() == 0) {
      throw ConfigError(path, at + ".providers", "Required value");
    }
    EncryptionProviders loaded;
    for (size_t p = 0; p < providers.size(); ++p) {
      const std::string provider_at = at + ".providers[" + std::to_string(p) + "]";
      if (providers[p]["identity"]) {
        loaded.providers.push_back({});
        continue;
      }
      const YAML::Node aesgcm = providers[p]["aesgcm"];
      const YAML::Node keys = aesgcm && aesgcm.IsMap() ? aesgcm["keys"] : YAML::Node();
      if (!keys || !keys.IsSequence() || keys.size() == 0) {
        throw ConfigError(path, provider_at,
                          "only aesgcm (with keys) and identity providers are supported");
      }
      for (size_t k = 0; k < keys.size(); ++k) {
        const std::string key_at = provider_at + ".aesgcm.keys[" + std::to_string(k) + "]";
        EncryptionKey key;
        key.name = keys[k]["name"].as<std::string>("");
        if (key.name.empty() || key.name.find(':') != std::string::npos) {
          throw ConfigError(path, key_at + ".name", "a non-empty name without ':' is required");
        }
        std::optional<std::string> secret = DecodeBase64(keys[k]["secret"].as<std::string>(""));
        if (!secret || (secret->size() != 16 && secret->size() != 24 && secret->size() != 32)) {
          throw ConfigError(path, key_at + ".secret",
                            "must be 16, 24 or 32 bytes (AES-128, -192 or -256), base64-encoded");
        }
        key.secret = *std::move(secret);
        loaded.providers.push_back(std::move(key));
      }
    }
    return loaded;
  }
  return std::nullopt;
}

}  // namespace

EncryptionProviders LoadEncryptionConfig(const std::string& path) {
  std::string text;
  try {
    if (std::optional<std::string> problem = pki::CheckPrivateFileMode(path)) {
      throw std::runtime_error(*problem);
    }
    text = pki::ReadWholeFile(path);
  } catch (const pki::PkiError& error) {
    throw std::runtime_error(error.what());
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw std::runtime_error(path + ": " + error.what());
  }
  try {
    if (std::optional<EncryptionProviders> loaded = ProvidersForSecrets(path, root)) {
      return *std::move(loaded);
    }
  } catch (const YAML::Exception& error) {
    // A value of the wrong shape (a list where a map belongs ...).
    throw std::runtime_error(path + ": " + error.what());
  }
  throw ConfigError(path, "resources", "no entry for secrets");
}

bool EnsureEncryptionConfig(const std::string& path) {
  if (std::filesystem::exists(path)) return false;
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
    throw std::runtime_error("cannot draw a key to encrypt secrets");
  }
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "apiserver.config.k8s.io/v1"
      << YAML::Key << "kind" << YAML::Value << "EncryptionConfiguration" << YAML::Key << "resources"
      << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "resources" << YAML::Value
      << YAML::Flow << std::vector<std::string>{"secrets"} << YAML::Key << "providers"
      << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "aesgcm" << YAML::Value
      << YAML::BeginMap << YAML::Key << "keys" << YAML::Value << YAML::BeginSeq << YAML::BeginMap
      << YAML::Key << "name" << YAML::Value << "key1" << YAML::Key << "secret" << YAML::Value
      << EncodeBase64(secret) << YAML::EndMap << YAML::EndSeq << YAML::EndMap << YAML::EndMap
      << YAML::BeginMap << YAML::Key << "identity" << YAML::Value << YAML::BeginMap << YAML::EndMap
      << YAML::EndMap << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  try {
    pki::WriteFileAtomically(path, std::string(out.c_str()) + "\n", 0600);
  } catch (const pki::PkiError& error) {
    throw std::runtime_error(error.what());
  }
  return true;
}

AesGcmTransformer::AesGcmTransformer(EncryptionProviders providers)
    : providers_(std::move(providers)) {}

std::string AesGcmTransformer::ToStorage(std::string_view plain, std::string_view key) const {
  const EncryptionKey& writer = providers_.providers.front();
  if (writer.name.empty()) return std::string(plain);
  return Encrypt(writer, plain, key);
}

std::string AesGcmTransformer::FromStorage(std::string_view stored, std::string_view key) const {
  if (!stored.starts_with(kPrefix)) {
    for (const EncryptionKey& provider : providers_.providers) {
      if (provider.name.empty()) return std::string(stored);
    }
    throw std::runtime_error("stored secret " + std::string(key) +
                             " is not encrypted and the encryption configuration has no identity "
                             "provider to read it");
  }
  const std::string_view rest = stored.substr(sizeof(kPrefix) - 1);
  const size_t colon = rest.find(':');
  const std::string_view name = rest.substr(0, colon);
  for (const EncryptionKey& provider : providers_.providers) {
    if (provider.name.empty() || provider.name != name || colon == std::string_view::npos) continue;
    if (std::optional<std::string> plain = Decrypt(provider, rest.substr(colon + 1), key)) {
      return *std::move(plain);
    }
    throw std::runtime_error("stored secret " + std::string(key) +
                             " cannot be decrypted with key " + std::string(name) +
                             " (changed bytes, or a different key of that name)");
  }
  throw std::runtime_error("stored secret " + std::string(key) + " was encrypted with key " +
                           std::string(name) +
                           ", which the encryption configuration no longer has");
}

bool AesGcmTransformer::WrittenByCurrent(std::string_view stored) const {
  const EncryptionKey& writer = providers_.providers.front();
  if (writer.name.empty()) return !stored.starts_with(kPrefix);
  return stored.starts_with(std::string(kPrefix) + writer.name + ":");
}

}  // namespace fleetset::coordinator
