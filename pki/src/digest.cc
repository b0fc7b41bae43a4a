#include "fleetset/pki/digest.h"

#include "openssl_util.h"

namespace fleetset::pki {

std::string Sha256Fingerprint(std::string_view data) {
  return "sha256:" + internal::Sha256Hex(data);
}

}  // namespace fleetset::pki
