// Feeds arbitrary bytes to the PKI code that reads credentials: the
// bootstrap token text and the PEM certificate request a joining node sends
// the coordinator, and the client config file with its base64 fields. A
// joining node is unauthenticated until its token has been checked, so the
// token parser sees text from anyone who can connect, and the request parser
// (plus the issuing that follows it) sees text from anyone holding a token.
//
// The first byte picks the reader (its low two bits, so seed files can start
// with a readable '0'..'3'); the rest is the text:
//   0  bootstrap token, then hashed and compared as the coordinator does
//   1  PEM certificate request, then a node certificate issued for its key
//   2  client config (fleetsetctl's file)
//   3  base64, decoded and round-tripped
// Errors must come as pki::PkiError; any other exception escapes to
// libFuzzer and counts as a crash, as do sanitizer reports, leaks and the
// invariant checks below.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fleetset/pki/bootstrap_token.h"
#include "fleetset/pki/certificate.h"
#include "fleetset/pki/certificate_request.h"
#include "fleetset/pki/client_config.h"
#include "fleetset/pki/issuer.h"
#include "fleetset/pki/keys.h"
#include "fleetset/pki/pki_error.h"

namespace pki = fleetset::pki;

namespace {

// A broken promise of the code under test; abort() makes libFuzzer keep the
// input like any other crash.
void Require(bool condition) {
  if (!condition) std::abort();
}

// Stands in for the token the coordinator stored; the fuzzer's text is
// checked against it the way the join API checks a presented token.
constexpr std::string_view kStoredToken = "abcdef.0123456789abcdef";

void FuzzBootstrapToken(std::string_view text) {
  const std::optional<pki::BootstrapToken> token = pki::ParseBootstrapToken(text);
  if (!token) return;
  // Accepting means the text is exactly the canonical form.
  Require(token->ToString() == text);
  static const std::string stored_hash =
      pki::HashTokenSecret(*pki::ParseBootstrapToken(kStoredToken));
  const std::string hash = pki::HashTokenSecret(*token);
  Require(hash.size() == stored_hash.size());
  Require(pki::ConstantTimeEquals(hash, stored_hash) == (text == kStoredToken));
}

// The coordinator's signer, made once: a key and a CA per input would make
// most of the fuzzer's time key generation.
struct Signer {
  pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
  pki::Certificate ca = pki::CreateSelfSignedCa(
      key, "fleetset-fuzz-ca", std::chrono::system_clock::now(), std::chrono::hours(24 * 365));
};

void FuzzCertificateRequest(std::string_view pem) {
  std::optional<pki::CertificateRequest> request;
  try {
    request = pki::ParseCertificateRequest(pem);
  } catch (const pki::PkiError&) {
    return;
  }
  // What a caller does with an accepted request: describe and pin its key,
  // then sign it. The key is the sender's choice of type and parameters.
  (void)request->public_key.Describe();
  (void)request->public_key.Pin();
  Require(pki::PublicKey::FromPem(request->public_key.ToPem()).SameAs(request->public_key));
  static const Signer signer;
  pki::IssueOptions options;
  options.subject = {"system:node:node-1", {"system:nodes"}};
  options.usage = pki::Usage::kClient;
  options.now = std::chrono::system_clock::now();
  try {
    const pki::Certificate certificate =
        pki::IssueCertificate(signer.ca, signer.key, request->public_key, options);
    Require(certificate.Key().SameAs(request->public_key));
    (void)certificate.Info();
  } catch (const pki::PkiError&) {
    // A key OpenSSL will not put in a certificate is refused, not a crash.
  }
}

void FuzzClientConfig(const std::string& text) {
  // File-name keys are read relative to the config's directory; this one
  // does not exist, so relative names fail instead of reading the tree.
  // Absolute names are read as given, which is why run-fuzzer.sh gives the
  // fuzzer /dev/null as its stdin.
  try {
    (void)pki::ParseClientConfig(text, "/nonexistent-fleetset-fuzz/config");
  } catch (const pki::PkiError&) {
  }
}

void FuzzBase64(const std::string& text) {
  try {
    (void)pki::Base64Decode(text);
  } catch (const pki::PkiError&) {
  }
  // Any bytes survive encoding and decoding unchanged (credentials are
  // binary-safe in a config).
  Require(pki::Base64Decode(pki::Base64Encode(text)) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // A view of libFuzzer's exactly-sized buffer where the API allows it, so
  // that reading one byte past the text is an ASan report rather than a read
  // of a std::string's terminator.
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] & 3) {
    case 0:
      FuzzBootstrapToken(text);
      break;
    case 1:
      FuzzCertificateRequest(text);
      break;
    case 2:
      FuzzClientConfig(std::string(text));
      break;
    case 3:
      FuzzBase64(std::string(text));
      break;
  }
  return 0;
}
