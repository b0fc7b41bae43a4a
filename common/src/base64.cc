#include "fleetset/base64.h"

#include <openssl/evp.h>

namespace fleetset {

std::string EncodeBase64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()),
                                     static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r') compact += c;
  }
  if (compact.size() % 4 != 0) return std::nullopt;
  // EVP_DecodeBlock skips leading and trailing blanks, which base64 does
  // not allow.
  if (compact.find_first_of(" \t") != std::string::npos) return std::nullopt;
  std::string out(3 * compact.size() / 4 + 1, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(compact.data()),
                                     static_cast<int>(compact.size()));
  if (length < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes. At most two '=' pad
  // the last group, and only there.
  size_t padding = 0;
  for (size_t i = compact.size(); i > 0 && compact[i - 1] == '='; --i) ++padding;
  if (padding > 2) return std::nullopt;
  if (compact.find('=') < compact.size() - padding) return std::nullopt;
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

}  // namespace fleetset
