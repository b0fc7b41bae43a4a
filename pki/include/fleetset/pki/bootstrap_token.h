// Bootstrap tokens, as kubeadm makes them: "<id>.<secret>", id
// [a-z0-9]{6} (public, names the token), secret [a-z0-9]{16}. The
// coordinator stores the id and a hash of the secret only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fleetset::pki {

struct BootstrapToken {
  std::string id;
  std::string secret;

  std::string ToString() const { return id + "." + secret; }
};

// A random token from the system's random source (RAND_bytes), without
// modulo bias.
BootstrapToken GenerateBootstrapToken();

// nullopt unless `text` is exactly [a-z0-9]{6}.[a-z0-9]{16}.
std::optional<BootstrapToken> ParseBootstrapToken(std::string_view text);

// "sha256:<hex>" of the secret salted with the id: what is stored.
std::string HashTokenSecret(const BootstrapToken& token);

// Constant-time comparison of two equal-length strings (false when the
// lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace fleetset::pki
