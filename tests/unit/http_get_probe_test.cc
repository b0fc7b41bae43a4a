// The HTTP GET of probes and hooks against a one-request Beast server on
// 127.0.0.1, plain or TLS with a self-signed certificate made for the test:
// HTTPS speaks TLS without verifying the certificate, names the host in SNI,
// and judges the status as kubelet does.
#include "agent/http_get_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "fleetset/pki/issuer.h"

namespace fleetset::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ::testing::StartsWith;

// What the server saw of the one request it answered.
struct SeenRequest {
  std::string target;
  std::string probe_header;
  // The TLS server name the client sent; empty without SNI or TLS.
  std::string server_name;
};

// Answers one connection on a free loopback port with `status`, over TLS
// (a fresh self-signed certificate) when `tls`.
class OneRequestServer {
 public:
  OneRequestServer(bool tls, unsigned status)
      : tls_context_(ssl::context::tls_server),
        acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}) {
    if (tls) {
      const pki::PrivateKey key = pki::PrivateKey::GenerateEcP256();
      const pki::Certificate certificate = pki::CreateSelfSignedCa(
          key, "probe-test", std::chrono::system_clock::now(), std::chrono::hours(1));
      const std::string certificate_pem = certificate.ToPem();
      const std::string key_pem = key.ToPem();
      tls_context_.use_certificate_chain(asio::buffer(certificate_pem));
      tls_context_.use_private_key(asio::buffer(key_pem), ssl::context::pem);
    }
    thread_ = std::thread([this, tls, status] { Serve(tls, status); });
  }
  ~OneRequestServer() { Join(); }

  int port() const { return acceptor_.local_endpoint().port(); }
  // Waits for the connection to end; then what it carried.
  const SeenRequest& Join() {
    if (thread_.joinable()) thread_.join();
    return seen_;
  }

 private:
  template <typename Stream>
  void Answer(Stream& stream, unsigned status) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code failure;
    http::read(stream, buffer, request, failure);
    if (failure) return;
    seen_.target = std::string(request.target());
    seen_.probe_header = std::string(request["X-Probe"]);
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.body() = "answer";
    response.prepare_payload();
    http::write(stream, response, failure);
  }

  void Serve(bool tls, unsigned status) {
    tcp::socket socket(context_);
    beast::error_code failure;
    acceptor_.accept(socket, failure);
    if (failure) return;
    if (!tls) return Answer(socket, status);
    ssl::stream<tcp::socket&> stream(socket, tls_context_);
    stream.handshake(ssl::stream_base::server, failure);
    if (failure) return;
    if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
      seen_.server_name = name;
    }
    Answer(stream, status);
    stream.shutdown(failure);
  }

  asio::io_context context_;
  ssl::context tls_context_;
  tcp::acceptor acceptor_;
  SeenRequest seen_;
  std::thread thread_;
};

v1::HTTPGetAction Action(const std::string& scheme, const std::string& path) {
  v1::HTTPGetAction action;
  action.set_scheme(scheme);
  action.set_path(path);
  v1::HTTPHeader* header = action.add_http_headers();
  header->set_name("X-Probe");
  header->set_value("from-test");
  return action;
}

constexpr std::chrono::seconds kTimeout{5};

TEST(HttpGetProbeTest, HttpsSucceedsAgainstASelfSignedCertificate) {
  OneRequestServer server(/*tls=*/true, 200);
  const agent::ProbeOutcome outcome =
      agent::HttpGetProbe("127.0.0.1", server.port(), Action("HTTPS", "/healthz"), kTimeout);
  EXPECT_TRUE(outcome.success) << outcome.message;
  const SeenRequest& seen = server.Join();
  EXPECT_EQ(seen.target, "/healthz");
  EXPECT_EQ(seen.probe_header, "from-test");
  EXPECT_EQ(seen.server_name, "") << "no SNI for an IP address, as Go's TLS client";
}

TEST(HttpGetProbeTest, HttpsNamesTheHostInSni) {
  OneRequestServer server(/*tls=*/true, 201);
  const agent::ProbeOutcome outcome =
      agent::HttpGetProbe("localhost", server.port(), Action("HTTPS", "/"), kTimeout);
  EXPECT_TRUE(outcome.success) << outcome.message;
  EXPECT_EQ(server.Join().server_name, "localhost");
}

TEST(HttpGetProbeTest, HttpsStatusOutsideTwoAndThreeHundredsFails) {
  OneRequestServer server(/*tls=*/true, 503);
  const agent::ProbeOutcome outcome =
      agent::HttpGetProbe("127.0.0.1", server.port(), Action("HTTPS", "/ready"), kTimeout);
  EXPECT_FALSE(outcome.success);
  EXPECT_EQ(outcome.message, "HTTP probe failed with statuscode: 503");
}

TEST(HttpGetProbeTest, PlainHttpRedirectSucceeds) {
  OneRequestServer server(/*tls=*/false, 302);
  const agent::ProbeOutcome outcome =
      agent::HttpGetProbe("127.0.0.1", server.port(), Action("", "/moved"), kTimeout);
  EXPECT_TRUE(outcome.success) << outcome.message;
  EXPECT_EQ(server.Join().target, "/moved");
}

TEST(HttpGetProbeTest, HttpsToAServerWithoutTlsFails) {
  OneRequestServer server(/*tls=*/false, 200);
  const int port = server.port();
  const agent::ProbeOutcome outcome =
      agent::HttpGetProbe("127.0.0.1", port, Action("HTTPS", "/healthz"), kTimeout);
  EXPECT_FALSE(outcome.success);
  EXPECT_THAT(outcome.message,
              StartsWith("Get \"https://127.0.0.1:" + std::to_string(port) + "/healthz\": "));
}

}  // namespace
}  // namespace fleetset::testing
