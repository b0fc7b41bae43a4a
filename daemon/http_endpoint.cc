#include "daemon/http_endpoint.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <exception>
#include <optional>
#include <thread>

#include "daemon/thread_name.h"

namespace fleetset {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr char kMetricsType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextType[] = "text/plain; charset=utf-8";

// "host:port", "[v6]:port" or ":port" into an endpoint.
std::optional<tcp::endpoint> ResolveAddress(asio::io_context& io, const std::string& text,
                                            std::string* error) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    *error = "\"" + text + "\": must be HOST:PORT";
    return std::nullopt;
  }
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  int port = -1;
  const auto [end, parse_error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (parse_error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    *error = "\"" + text + "\": the port must be a number from 0 to 65535";
    return std::nullopt;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return tcp::endpoint(asio::ip::address_v4::any(), static_cast<uint16_t>(port));
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, static_cast<uint16_t>(port));
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, port_text, ec);
  if (ec || results.empty()) {
    *error = "\"" + text + "\": cannot resolve " + host + ": " + ec.message();
    return std::nullopt;
  }
  return results.begin()->endpoint();
}

}  // namespace

struct HttpEndpoint::State {
  HttpEndpointOptions options;
  // Before io, so that sessions destroyed with io's pending handlers can
  // still count themselves out.
  std::atomic<size_t> connections{0};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  int port = 0;
  bool stopped = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpEndpointOptions& options, std::atomic<size_t>& connections)
      : stream_(std::move(socket)),
        options_(options),
        connections_(connections),
        buffer_(options.max_header_bytes + options.max_body_bytes + 1024) {
    ++connections_;
  }
  ~Session() { --connections_; }

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser_->body_limit(options_.max_body_bytes);
    // One deadline for the whole request, so a client trickling bytes is
    // cut off as surely as a silent one.
    stream_.expires_after(options_.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return Respond(http::status::request_header_fields_too_large, "request too large\n", true);
    }
    if (ec == http::error::body_limit) {
      return Respond(http::status::payload_too_large, "request body too large\n", true);
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category()) {
      return Respond(http::status::bad_request, "malformed request\n", true);
    }
    // Timeouts, resets and shutdown: nothing to answer.
    if (ec) return;
    Handle(parser_->get());
  }

  void Handle(const http::request<http::string_body>& request) {
    const bool close = !request.keep_alive();
    if (request.method() != http::verb::get) {
      response_ = {};
      response_.set(http::field::allow, "GET");
      return Respond(http::status::method_not_allowed, "method not allowed\n", close, false);
    }
    std::string_view path(request.target().data(), request.target().size());
    if (const size_t query = path.find('?'); query != std::string_view::npos) {
      path = path.substr(0, query);
    }
    try {
      if (path == "/metrics") {
        const std::string body = options_.metrics ? options_.metrics() : std::string();
        return Respond(http::status::ok, body, close, true, kMetricsType);
      }
      if (path == "/healthz" || path == "/readyz") {
        const auto& check = path == "/readyz" && options_.ready ? options_.ready : options_.health;
        const HealthResult result = check ? check() : HealthResult{};
        if (result.healthy) return Respond(http::status::ok, "ok\n", close);
        return Respond(http::status::service_unavailable, result.reason + "\n", close);
      }
    } catch (const std::exception& e) {
      return Respond(http::status::internal_server_error, std::string(e.what()) + "\n", close);
    }
    Respond(http::status::not_found, "not found\n", close);
  }

  void Respond(http::status status, std::string body, bool close, bool fresh = true,
               const char* content_type = kTextType) {
    if (fresh) response_ = {};
    response_.version(11);
    response_.result(status);
    response_.set(http::field::content_type, content_type);
    response_.keep_alive(!close);
    response_.body() = std::move(body);
    response_.prepare_payload();
    stream_.expires_after(options_.idle_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), close](beast::error_code ec, size_t) {
                        if (ec) return;
                        if (close) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  const HttpEndpointOptions& options_;
  std::atomic<size_t>& connections_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

void Accept(HttpEndpoint::State* state) {
  state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) return;
    if (!ec) {
      if (state->connections.load() >= state->options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), state->options, state->connections)->Start();
      }
    }
    Accept(state);
  });
}

}  // namespace

HttpEndpoint::HttpEndpoint(std::unique_ptr<State> state) : state_(std::move(state)) {}

std::unique_ptr<HttpEndpoint> HttpEndpoint::Start(HttpEndpointOptions options, std::string* error) {
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  std::optional<tcp::endpoint> endpoint = ResolveAddress(state->io, state->options.address, error);
  if (!endpoint) return nullptr;
  beast::error_code ec;
  tcp::acceptor& acceptor = state->acceptor;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + state->options.address + ": " + ec.message();
    return nullptr;
  }
  state->port = acceptor.local_endpoint(ec).port();
  Accept(state.get());
  state->thread = std::thread([io = &state->io] {
    NameCurrentThread("http-endpoint");
    // A handler's exception (e.g. std::bad_alloc) must not end serving.
    while (true) {
      try {
        io->run();
        return;
      } catch (const std::exception& e) {
        spdlog::warn("http endpoint: {}", e.what());
      }
    }
  });
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(std::move(state)));
}

HttpEndpoint::~HttpEndpoint() { Stop(); }

int HttpEndpoint::port() const { return state_->port; }

void HttpEndpoint::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  asio::post(state_->io, [state = state_.get()] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->io.stop();
  });
  if (state_->thread.joinable()) state_->thread.join();
}

std::unique_ptr<HttpEndpoint> StartDaemonEndpoint(const std::string& flag,
                                                  HttpEndpointOptions options, std::string* error) {
  const std::string address = options.address;
  std::string why;
  std::unique_ptr<HttpEndpoint> endpoint = HttpEndpoint::Start(std::move(options), &why);
  if (!endpoint) {
    *error = flag + ": " + why;
    return nullptr;
  }
  spdlog::info("metrics and health on {} (port {})", address, endpoint->port());
  return endpoint;
}

}  // namespace fleetset
