// What every function of the PKI library throws: one line naming what was
// being read or made and why it failed ("certificate request: signature
// does not match its public key"), never the key material itself.
#pragma once

#include <stdexcept>
#include <string>

namespace fleetset::pki {

class PkiError : public std::runtime_error {
 public:
  explicit PkiError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace fleetset::pki
