// The agent's and the coordinator's HTTP endpoint for Prometheus and for
// health checks: a small Boost.Beast HTTP/1.1 server on a thread (and an
// io_context) of its own, so a slow or hostile client never touches the
// daemon's own loops.
//
//   GET /metrics   200, the text exposition format 0.0.4
//   GET /healthz   200 "ok" when the health check passes, else 503 and why
//   GET /readyz    the same for readiness (the health check when none given)
//   other paths    404;  other methods  405
//
// Requests are limited in size (431 for larger headers, 413 for a larger
// body) and in time: a connection that sends nothing for `idle_timeout` is
// closed. A malformed request gets 400 and its connection closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace fleetset {

struct HealthResult {
  bool healthy = true;
  // Why not, for the 503's body.
  std::string reason;
};

struct HttpEndpointOptions {
  // HOST:PORT, [IPV6]:PORT or :PORT (every IPv4 address); port 0 picks a
  // free one (see HttpEndpoint::port()).
  std::string address;
  // Called on the endpoint's thread for every request; must be thread-safe.
  std::function<std::string()> metrics;
  std::function<HealthResult()> health;
  // Defaults to `health`.
  std::function<HealthResult()> ready;
  // Request line plus headers.
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 8 * 1024;
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(10)};
  // At most this many connections at once; more are closed on accept.
  size_t max_connections = 64;
};

class HttpEndpoint {
 public:
  // Binds and starts serving; nullptr with *error (naming the address) when
  // the address is malformed or cannot be bound.
  static std::unique_ptr<HttpEndpoint> Start(HttpEndpointOptions options, std::string* error);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // The bound port.
  int port() const;
  // Closes the listener and every connection and joins the thread.
  // Idempotent.
  void Stop();

  // Opaque: the server's sockets, io_context and thread.
  struct State;

 private:
  explicit HttpEndpoint(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A daemon's endpoint on the address its command-line `flag` set: started,
// with the bound port logged, or nullptr with *error as "FLAG: why".
std::unique_ptr<HttpEndpoint> StartDaemonEndpoint(const std::string& flag,
                                                  HttpEndpointOptions options, std::string* error);

}  // namespace fleetset
