// Key pairs. Every key fleetset makes is ECDSA on P-256; keys read from an
// operator's files may be any type OpenSSL signs with (RSA, EC, Ed25519).
#pragma once

#include <memory>
#include <string>
#include <string_view>

// OpenSSL's key type, kept out of every includer's way.
typedef struct evp_pkey_st EVP_PKEY;

namespace fleetset::pki {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using KeyHandle = std::unique_ptr<EVP_PKEY, KeyDeleter>;

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo). Throws PkiError.
  static PublicKey FromPem(std::string_view pem);
  // Takes ownership.
  explicit PublicKey(KeyHandle key) : key_(std::move(key)) {}

  std::string ToPem() const;
  // The DER SubjectPublicKeyInfo: what a kubeadm-style pin hashes.
  std::string ToDer() const;
  // "sha256:<64 hex digits>" of ToDer(), kubeadm's
  // --discovery-token-ca-cert-hash format.
  std::string Pin() const;
  // "ECDSA P-256", "RSA 2048", "ED25519": for messages.
  std::string Describe() const;
  bool SameAs(const PublicKey& other) const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  KeyHandle key_;
};

class PrivateKey {
 public:
  // A new ECDSA P-256 key from the system's random source.
  static PrivateKey GenerateEcP256();
  // PEM "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" or "RSA PRIVATE KEY",
  // unencrypted. Throws PkiError (without quoting the text).
  static PrivateKey FromPem(std::string_view pem);
  explicit PrivateKey(KeyHandle key) : key_(std::move(key)) {}

  // PKCS#8, unencrypted.
  std::string ToPem() const;
  PublicKey Public() const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  KeyHandle key_;
};

}  // namespace fleetset::pki
