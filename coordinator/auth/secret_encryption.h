// Secrets encrypted at rest, as kube-apiserver does it: an
// EncryptionConfiguration file (apiserver.config.k8s.io/v1) whose
// providers for `secrets` are `aesgcm` key lists and `identity`. The first
// provider writes; every one listed reads, so a key is rotated by putting a
// new one first, restarting, and letting the old values be rewritten (the
// coordinator rewrites every Secret at start) before the old key goes.
// Values are AES-GCM with a random 96-bit nonce, stored as
// "k8s:enc:aesgcm:v1:<key name>:" + nonce + ciphertext + tag, with the
// store key as authenticated data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "coordinator/registry/value_transformer.h"

namespace fleetset::coordinator {

struct EncryptionKey {
  std::string name;
  // 16, 24 or 32 bytes (AES-128, -192, -256).
  std::string secret;
};

struct EncryptionProviders {
  // In the file's order; an empty name stands for `identity` (plain).
  std::vector<EncryptionKey> providers;
};

// Reads the file; throws std::runtime_error naming the file, the field and
// the reason (never a key). The file must not be readable by others.
EncryptionProviders LoadEncryptionConfig(const std::string& path);

// Writes a configuration with one new random AES-256 key (mode 0600) when
// `path` does not exist. Returns whether it wrote one.
bool EnsureEncryptionConfig(const std::string& path);

class AesGcmTransformer final : public ValueTransformer {
 public:
  explicit AesGcmTransformer(EncryptionProviders providers);

  std::string ToStorage(std::string_view plain, std::string_view key) const override;
  std::string FromStorage(std::string_view stored, std::string_view key) const override;

  // Whether `stored` was written by the first provider (else it is due for
  // a rewrite after a rotation).
  bool WrittenByCurrent(std::string_view stored) const;

 private:
  EncryptionProviders providers_;
};

}  // namespace fleetset::coordinator
