#include "agent/http_get_probe.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <functional>

#include "agent/handler_target.h"

namespace fleetset::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// One GET on one connection, with what its steps share.
struct Exchange {
  http::request<http::empty_body> request;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;
};

std::string Target(const v1::HTTPGetAction& action) {
  return action.path().empty() ? "/" : action.path();
}

http::request<http::empty_body> BuildRequest(const std::string& host, int port,
                                             const v1::HTTPGetAction& action) {
  http::request<http::empty_body> request{http::verb::get, Target(action), 11};
  request.set(http::field::host, JoinHostPort(host, port));
  request.set(http::field::user_agent, "fleetset-probe/1.0");
  request.set(http::field::accept, "*/*");
  // Set last, so that a header of the action's replaces a default (Host too).
  for (const v1::HTTPHeader& header : action.http_headers()) {
    request.set(header.name(), header.value());
  }
  return request;
}

bool IsIpAddress(const std::string& host) {
  beast::error_code invalid;
  asio::ip::make_address(host, invalid);
  return !invalid;
}

// Connects `stream` to host:port, resolving a name first (an IP address
// goes through the resolver as is); `connected()` runs once it is, and
// `exchange.failure` says why when it is not.
void Connect(tcp::resolver& resolver, beast::tcp_stream& stream, const std::string& host, int port,
             Exchange& exchange, std::function<void()> connected) {
  const auto flags = IsIpAddress(host) ? tcp::resolver::numeric_host : tcp::resolver::flags();
  resolver.async_resolve(
      host, std::to_string(port), flags,
      [&stream, &exchange, connected](beast::error_code ec, tcp::resolver::results_type results) {
        exchange.failure = ec;
        if (ec) return;
        stream.async_connect(
            results, [&exchange, connected](beast::error_code connect_ec, const tcp::endpoint&) {
              exchange.failure = connect_ec;
              if (!connect_ec) connected();
            });
      });
}

template <typename Stream>
void SendAndRead(Stream& stream, Exchange& exchange) {
  http::async_write(stream, exchange.request, [&stream, &exchange](beast::error_code ec, size_t) {
    exchange.failure = ec;
    if (ec) return;
    http::async_read(
        stream, exchange.buffer, exchange.response,
        [&exchange](beast::error_code read_ec, size_t) { exchange.failure = read_ec; });
  });
}

}  // namespace

// Each GET runs its own short-lived io_context, and the stream's expiry,
// set once, bounds every step after the name lookup together.
ProbeOutcome HttpGetProbe(const std::string& host, int port, const v1::HTTPGetAction& action,
                          std::chrono::seconds timeout) {
  const bool https = action.scheme() == "HTTPS";
  asio::io_context context;
  tcp::resolver resolver(context);
  Exchange exchange;
  exchange.request = BuildRequest(host, port, action);
  if (https) {
    // kubelet's InsecureSkipVerify: probes check that the server answers,
    // not who it is (pods' certificates are rarely valid for their IPs).
    ssl::context tls(ssl::context::tls_client);
    tls.set_verify_mode(ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(context, tls);
    // SNI names the host as Go's TLS client does, which sends none for an
    // IP address (RFC 6066 allows host names only).
    if (!IsIpAddress(host)) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    beast::get_lowest_layer(stream).expires_after(timeout);
    Connect(resolver, beast::get_lowest_layer(stream), host, port, exchange, [&] {
      stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
        exchange.failure = ec;
        if (!ec) SendAndRead(stream, exchange);
      });
    });
    context.run();
  } else {
    beast::tcp_stream stream(context);
    stream.expires_after(timeout);
    Connect(resolver, stream, host, port, exchange, [&] { SendAndRead(stream, exchange); });
    context.run();
  }
  if (exchange.failure) {
    return {false, "Get \"" + std::string(https ? "https" : "http") + "://" +
                       JoinHostPort(host, port) + Target(action) +
                       "\": " + exchange.failure.message()};
  }
  const unsigned code = exchange.response.result_int();
  // kubelet: 2xx and 3xx succeed.
  if (code >= 200 && code < 400) return {true, ""};
  return {false, "HTTP probe failed with statuscode: " + std::to_string(code)};
}

}  // namespace fleetset::agent
