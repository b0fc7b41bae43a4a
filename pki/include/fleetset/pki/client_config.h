// fleetsetctl's config file, which kubeadm's admin.conf inspired: where
// the coordinators are, the CA to trust them by, and the client's
// certificate and key. The coordinator writes one for its admin
// (<data-dir>/admin.conf) and `fleetsetctl create user` prints one.
//
//   servers:
//   - 10.0.0.1:7400
//   certificate-authority-data: <base64 of the CA's PEM>
//   client-certificate-data: <base64 of the certificate's PEM>
//   client-key-data: <base64 of the key's PEM>
//
// Instead of the *-data keys, certificate-authority, client-certificate
// and client-key may name files (relative to the config's directory).
// `server:` (one address) is read as well as `servers:`.
#pragma once

#include <string>
#include <vector>

namespace fleetset::pki {

struct ClientConfig {
  std::vector<std::string> servers;
  std::string ca_pem;
  std::string certificate_pem;
  std::string key_pem;
};

std::string RenderClientConfig(const ClientConfig& config);

// Reads `text` (the file at `path`, which names it in errors and anchors
// relative file names). Missing keys stay empty. Throws PkiError:
// "<path>: client-key-data: not base64".
ClientConfig ParseClientConfig(const std::string& text, const std::string& path);

std::string Base64Encode(const std::string& data);
// Throws PkiError("not base64") on bad input.
std::string Base64Decode(const std::string& text);

}  // namespace fleetset::pki
