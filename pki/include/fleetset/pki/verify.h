// Checking a peer's certificate against trusted roots at a given time (the
// caller's clock, so tests move it), the way a TLS stack would, but with a
// reason a person can act on.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/pki/certificate.h"

namespace fleetset::pki {

enum class Purpose { kClient, kServer };

// nullopt when chain[0] chains through chain[1..] to one of `roots`, every
// certificate is valid at `now`, and chain[0] may be used for `purpose`;
// otherwise one line: "certificate has expired (not after
// 2026-12-05T10:00:00Z)", "certificate is not yet valid", "certificate is
// not signed by a trusted CA (issuer CN=...)", "certificate may not be used
// for client authentication".
std::optional<std::string> VerifyCertificate(const std::vector<Certificate>& chain,
                                             const std::vector<Certificate>& roots,
                                             std::chrono::system_clock::time_point now,
                                             Purpose purpose);

}  // namespace fleetset::pki
