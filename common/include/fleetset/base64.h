// Standard base64 (RFC 4648, padded), as Kubernetes encodes []byte fields
// in JSON and YAML (a Secret's data, a ConfigMap's binaryData) and as
// kubeconfig-style files embed certificates.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fleetset {

std::string EncodeBase64(std::string_view data);

// The decoded bytes; nullopt when `text` is not padded standard base64.
// Line breaks are ignored, as Go's decoder ignores them.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace fleetset
