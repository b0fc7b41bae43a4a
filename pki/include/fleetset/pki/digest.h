// A fingerprint of secret material that can be compared and stored
// without revealing it: "sha256:<hex>", the form CA pins take.
#pragma once

#include <string>
#include <string_view>

namespace fleetset::pki {

std::string Sha256Fingerprint(std::string_view data);

}  // namespace fleetset::pki
