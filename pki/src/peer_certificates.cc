#include "fleetset/pki/peer_certificates.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <optional>

#include "fleetset/pki/pki_error.h"
#include "openssl_util.h"

namespace fleetset::pki {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct HostPort {
  std::string host;
  std::string port;
};

std::optional<HostPort> SplitAddress(const std::string& address) {
  HostPort result;
  std::string_view rest;
  if (!address.empty() && address[0] == '[') {
    const size_t close = address.find(']');
    if (close == std::string::npos) return std::nullopt;
    result.host = address.substr(1, close - 1);
    rest = std::string_view(address).substr(close + 1);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    result.host = address.substr(0, colon);
    // An unbracketed IPv6 address cannot be told apart from its port.
    if (result.host.find(':') != std::string::npos) return std::nullopt;
    rest = std::string_view(address).substr(colon);
  }
  if (result.host.empty() || rest.size() < 2 || rest.size() > 6 || rest[0] != ':') {
    return std::nullopt;
  }
  result.port = std::string(rest.substr(1));
  if (!std::all_of(result.port.begin(), result.port.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; }) ||
      std::stoul(result.port) == 0 || std::stoul(result.port) > 65535) {
    return std::nullopt;
  }
  return result;
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// Runs the resolve, connect and handshake under one deadline and reports
// the first failure, or nothing once the handshake is done.
class Handshake {
 public:
  Handshake(asio::io_context& io, asio::ssl::context& tls, const HostPort& target)
      : target_(target), resolver_(io), stream_(io, tls), timer_(io) {}

  asio::ssl::stream<tcp::socket>& stream() { return stream_; }

  std::optional<std::string> Run(asio::io_context& io, std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([this, timeout](const boost::system::error_code& error) {
      if (error) return;
      Fail("timed out after " + std::to_string(timeout.count()) + " ms");
    });
    resolver_.async_resolve(target_.host, target_.port,
                            [this](const boost::system::error_code& error,
                                   const tcp::resolver::results_type& endpoints) {
                              if (error) return Fail("cannot resolve the host: " + error.message());
                              Connect(endpoints);
                            });
    io.run();
    return failure_;
  }

 private:
  void Connect(const tcp::resolver::results_type& endpoints) {
    asio::async_connect(stream_.lowest_layer(), endpoints,
                        [this](const boost::system::error_code& error, const tcp::endpoint&) {
                          if (error) return Fail(error.message());
                          StartTls();
                        });
  }

  void StartTls() {
    stream_.async_handshake(asio::ssl::stream_base::client,
                            [this](const boost::system::error_code& error) {
                              if (error) return Fail("TLS handshake failed: " + error.message());
                              Finish();
                            });
  }

  // The first failure wins: after a timeout, the cancelled operations
  // report "operation canceled", which says less.
  void Fail(const std::string& reason) {
    if (!finished_) failure_ = reason;
    Finish();
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    if (failure_) stream_.lowest_layer().close(ignored);
  }

  const HostPort& target_;
  tcp::resolver resolver_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer timer_;
  bool finished_ = false;
  std::optional<std::string> failure_;
};

}  // namespace

std::vector<Certificate> FetchPeerCertificates(const std::string& address,
                                               std::chrono::milliseconds timeout) {
  const std::string what = "cannot fetch the certificates of " + address;
  const std::optional<HostPort> target = SplitAddress(address);
  if (!target) throw PkiError(what + ": expected host:port or [address]:port");

  std::vector<Certificate> chain;
  std::optional<std::string> failure;
  try {
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    // Nothing is trusted yet: the caller checks what comes back against a
    // pin instead.
    tls.set_verify_mode(asio::ssl::verify_none);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    Handshake handshake(io, tls, *target);
    SSL* ssl = handshake.stream().native_handle();
    // gRPC servers refuse a handshake that does not offer HTTP/2.
    static constexpr unsigned char kAlpn[] = {2, 'h', '2'};
    if (SSL_set_alpn_protos(ssl, kAlpn, sizeof(kAlpn)) != 0) {
      internal::ThrowOpenSslError(what + ": ALPN");
    }
    // RFC 6066 forbids IP addresses in SNI.
    if (!IsIpLiteral(target->host) && SSL_set_tlsext_host_name(ssl, target->host.c_str()) != 1) {
      internal::ThrowOpenSslError(what + ": SNI");
    }
    failure = handshake.Run(io, timeout);
    if (!failure) {
      STACK_OF(X509)* peer_chain = SSL_get_peer_cert_chain(ssl);
      for (int i = 0; peer_chain != nullptr && i < sk_X509_num(peer_chain); ++i) {
        X509* certificate = sk_X509_value(peer_chain, i);
        X509_up_ref(certificate);
        chain.emplace_back(CertificateHandle(certificate));
      }
      boost::system::error_code ignored;
      handshake.stream().lowest_layer().close(ignored);
    }
  } catch (const boost::system::system_error& error) {
    failure = error.code().message();
  }
  // Asio reads handshake failures off the queue but may leave entries.
  ERR_clear_error();
  if (failure) throw PkiError(what + ": " + *failure);
  if (chain.empty()) throw PkiError(what + ": the server sent no certificate");
  return chain;
}

Certificate FindPinnedCa(const std::vector<Certificate>& chain, const std::string& pin) {
  static constexpr std::string_view kPrefix = "sha256:";
  const bool well_formed = pin.size() == kPrefix.size() + 64 &&
                           pin.compare(0, kPrefix.size(), kPrefix) == 0 &&
                           std::all_of(pin.begin() + kPrefix.size(), pin.end(),
                                       [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!well_formed) throw PkiError("--discovery-token-ca-cert-hash must be sha256:<64 hex digits>");
  std::string wanted = pin;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  if (chain.empty()) throw PkiError("the coordinator sent no certificate");
  X509* leaf = chain[0].get();
  std::optional<std::string> other_pin;
  for (const Certificate& candidate : chain) {
    // Only a CA that signed the serving certificate vouches for it; a CA
    // certificate merely included in the chain proves nothing.
    if (!internal::IsCa(candidate.get())) continue;
    if (X509_check_issued(candidate.get(), leaf) != X509_V_OK) continue;
    const PublicKey key = candidate.Key();
    const bool signed_leaf = X509_verify(leaf, key.get()) == 1;
    internal::ClearOpenSslErrors();
    if (!signed_leaf) continue;
    const std::string candidate_pin = key.Pin();
    if (candidate_pin == wanted) return candidate;
    if (!other_pin) other_pin = candidate_pin;
  }
  internal::ClearOpenSslErrors();
  if (!other_pin) throw PkiError("the coordinator sent no CA certificate");
  throw PkiError("the coordinator's CA does not match --discovery-token-ca-cert-hash (its CA has " +
                 *other_pin + ")");
}

}  // namespace fleetset::pki
