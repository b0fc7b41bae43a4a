// The certificates a TLS server presents, read without trusting them: the
// first step of joining with a pinned CA hash (kubeadm's discovery), where
// the agent does not know the cluster CA yet and must find it in the
// server's chain and check it against the pin before believing anything.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "fleetset/pki/certificate.h"

namespace fleetset::pki {

// Connects to `address` ("host:port"), completes a TLS handshake (ALPN h2,
// no verification) and returns the chain the server sent, leaf first.
// Throws PkiError naming the address and the reason (connection refused,
// timeout, not TLS).
std::vector<Certificate> FetchPeerCertificates(const std::string& address,
                                               std::chrono::milliseconds timeout);

// From a chain fetched as above: the certificate whose public key has pin
// `pin` ("sha256:<hex>") and that is a CA which signed chain[0]. Throws
// PkiError: "the coordinator's CA does not match --discovery-token-ca-cert-hash
// (its CA has sha256:...)" or "the coordinator sent no CA certificate".
Certificate FindPinnedCa(const std::vector<Certificate>& chain, const std::string& pin);

}  // namespace fleetset::pki
