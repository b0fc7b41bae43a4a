#include "fleetset/pki/keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

using internal::BioContents;
using internal::MemoryBio;
using internal::ReadOnlyBio;
using internal::ThrowOpenSslError;

void KeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

namespace {

// Declining every passphrase request keeps OpenSSL from prompting on the
// terminal for an encrypted key; it then fails like any unreadable key.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::string CurveName(EVP_PKEY* key) {
  char group[64] = {};
  size_t size = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &size) != 1) {
    internal::ClearOpenSslErrors();
    return "unknown curve";
  }
  const std::string name(group, size);
  if (name == "prime256v1" || name == "P-256") return "P-256";
  if (name == "secp384r1" || name == "P-384") return "P-384";
  if (name == "secp521r1" || name == "P-521") return "P-521";
  return name;
}

// OpenSSL 3's key decoders fail with a bare "unsupported" whatever was
// wrong, so the common cases are told apart from the text itself.
[[noreturn]] void ThrowKeyError(std::string_view pem, const std::string& what,
                                const std::string& expected) {
  if (pem.find("-----BEGIN ") == std::string_view::npos) {
    internal::ClearOpenSslErrors();
    throw PkiError(what + ": no PEM " + expected + " found");
  }
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    internal::ClearOpenSslErrors();
    throw PkiError(what + ": encrypted keys are not supported");
  }
  throw PkiError(what + ": not a valid " + expected + " (" + internal::TakeOpenSslError() + ")");
}

}  // namespace

PublicKey PublicKey::FromPem(std::string_view pem) {
  internal::BioPtr bio = ReadOnlyBio(pem, "public key");
  KeyHandle key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) ThrowKeyError(pem, "public key", "public key");
  return PublicKey(std::move(key));
}

std::string PublicKey::ToPem() const {
  internal::BioPtr bio = MemoryBio();
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) ThrowOpenSslError("public key: PEM");
  return BioContents(bio.get());
}

std::string PublicKey::ToDer() const {
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key_.get(), &der);
  if (size <= 0) ThrowOpenSslError("public key: DER");
  std::string result(reinterpret_cast<const char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return result;
}

std::string PublicKey::Pin() const { return "sha256:" + internal::Sha256Hex(ToDer()); }

std::string PublicKey::Describe() const {
  EVP_PKEY* key = key_.get();
  if (EVP_PKEY_is_a(key, "EC") == 1) return "ECDSA " + CurveName(key);
  if (EVP_PKEY_is_a(key, "RSA") == 1) return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
  if (EVP_PKEY_is_a(key, "ED25519") == 1) return "ED25519";
  if (EVP_PKEY_is_a(key, "ED448") == 1) return "ED448";
  const char* name = EVP_PKEY_get0_type_name(key);
  return name != nullptr ? name : "unknown key type";
}

bool PublicKey::SameAs(const PublicKey& other) const {
  // Keys of different types compare as an error (negative), not as false,
  // and leave an entry on the error queue.
  const bool same = EVP_PKEY_eq(key_.get(), other.key_.get()) == 1;
  internal::ClearOpenSslErrors();
  return same;
}

PrivateKey PrivateKey::GenerateEcP256() {
  KeyHandle key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) ThrowOpenSslError("private key: generating an ECDSA P-256 key");
  return PrivateKey(std::move(key));
}

PrivateKey PrivateKey::FromPem(std::string_view pem) {
  internal::BioPtr bio = ReadOnlyBio(pem, "private key");
  KeyHandle key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) ThrowKeyError(pem, "private key", "private key");
  return PrivateKey(std::move(key));
}

std::string PrivateKey::ToPem() const {
  // A secure-memory buffer is wiped when freed, so the key's text does not
  // linger in the heap.
  internal::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) ThrowOpenSslError("private key: PEM");
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
      1) {
    ThrowOpenSslError("private key: PEM");
  }
  return BioContents(bio.get());
}

PublicKey PrivateKey::Public() const {
  // A copy through the SubjectPublicKeyInfo carries no private half, so a
  // PublicKey can be handed anywhere.
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key_.get(), &der);
  if (size <= 0) ThrowOpenSslError("private key: its public key");
  const unsigned char* cursor = der;
  KeyHandle key(d2i_PUBKEY(nullptr, &cursor, size));
  OPENSSL_free(der);
  if (!key) ThrowOpenSslError("private key: its public key");
  return PublicKey(std::move(key));
}

}  // namespace fleetset::pki
