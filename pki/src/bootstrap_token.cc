#include "fleetset/pki/bootstrap_token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kIdLength = 6;
constexpr size_t kSecretLength = 16;
// The largest multiple of 36 a byte holds: bytes at or above it are drawn
// again, since keeping them would favour the first 256 % 36 characters.
constexpr unsigned kAcceptBelow = 256 - 256 % kAlphabet.size();

std::string RandomString(size_t length) {
  std::string text;
  text.reserve(length);
  std::array<unsigned char, 32> bytes;
  while (text.size() < length) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      internal::ThrowOpenSslError("bootstrap token: the random source failed");
    }
    for (unsigned char byte : bytes) {
      if (byte >= kAcceptBelow) continue;
      text.push_back(kAlphabet[byte % kAlphabet.size()]);
      if (text.size() == length) break;
    }
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return text;
}

bool IsTokenText(std::string_view text) {
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

BootstrapToken GenerateBootstrapToken() {
  BootstrapToken token;
  token.id = RandomString(kIdLength);
  token.secret = RandomString(kSecretLength);
  return token;
}

std::optional<BootstrapToken> ParseBootstrapToken(std::string_view text) {
  if (text.size() != kIdLength + 1 + kSecretLength || text[kIdLength] != '.') return std::nullopt;
  const std::string_view id = text.substr(0, kIdLength);
  const std::string_view secret = text.substr(kIdLength + 1);
  if (!IsTokenText(id) || !IsTokenText(secret)) return std::nullopt;
  return BootstrapToken{std::string(id), std::string(secret)};
}

std::string HashTokenSecret(const BootstrapToken& token) {
  return "sha256:" + internal::Sha256Hex(token.id + "." + token.secret);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace fleetset::pki
