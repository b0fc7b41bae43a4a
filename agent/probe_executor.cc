#include "agent/probe_executor.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace fleetset::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class RealProbeExecutor final : public ProbeExecutor {
 public:
  explicit RealProbeExecutor(CriRuntime& runtime) : runtime_(runtime) {}

  ProbeOutcome Exec(const std::string& container_id, const std::vector<std::string>& command,
                    std::chrono::seconds timeout) override {
    cri::ExecSyncRequest request;
    request.set_container_id(container_id);
    for (const std::string& word : command) request.add_cmd(word);
    request.set_timeout(timeout.count());
    cri::ExecSyncResponse response;
    grpc::Status status = runtime_.ExecSync(request, &response);
    if (!status.ok()) return {false, "exec failed: " + status.error_message()};
    if (response.exit_code() != 0) {
      return {false, "command exited with " + std::to_string(response.exit_code()) + ": " +
                         response.stdout().substr(0, 256) + response.stderr().substr(0, 256)};
    }
    return {true, ""};
  }

  // Each probe runs its own short-lived io_context so the timeout covers
  // resolve, connect, write and read together.
  ProbeOutcome HttpGet(const std::string& host, int port, const v1::HTTPGetAction& action,
                       std::chrono::seconds timeout) override {
    if (action.scheme() == "HTTPS") {
      // kubelet does not verify certificates; without TLS support here a
      // TCP-level check is the honest approximation, and it is reported.
      ProbeOutcome outcome = TcpConnect(host, port, timeout);
      if (outcome.success) outcome.message = "HTTPS probe checked at TCP level only";
      return outcome;
    }
    asio::io_context context;
    beast::tcp_stream stream(context);
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    http::request<http::empty_body> request{http::verb::get,
                                            action.path().empty() ? "/" : action.path(), 11};
    request.set(http::field::host, host + ":" + std::to_string(port));
    request.set(http::field::user_agent, "fleetset-probe/1.0");
    request.set(http::field::accept, "*/*");
    for (const v1::HTTPHeader& header : action.http_headers()) {
      request.set(header.name(), header.value());
    }
    beast::error_code failure;
    stream.expires_after(timeout);
    tcp::endpoint endpoint(asio::ip::make_address(host, failure), static_cast<uint16_t>(port));
    if (failure) return {false, "bad probe host \"" + host + "\": " + failure.message()};
    stream.async_connect(endpoint, [&](beast::error_code ec) {
      if (ec) {
        failure = ec;
        return;
      }
      http::async_write(stream, request, [&](beast::error_code write_ec, size_t) {
        if (write_ec) {
          failure = write_ec;
          return;
        }
        http::async_read(stream, buffer, response,
                         [&](beast::error_code read_ec, size_t) { failure = read_ec; });
      });
    });
    context.run();
    if (failure) {
      return {false, "Get \"http://" + host + ":" + std::to_string(port) + action.path() +
                         "\": " + failure.message()};
    }
    const unsigned code = response.result_int();
    // kubelet: 2xx and 3xx succeed.
    if (code >= 200 && code < 400) return {true, ""};
    return {false, "HTTP probe failed with statuscode: " + std::to_string(code)};
  }

  ProbeOutcome TcpConnect(const std::string& host, int port,
                          std::chrono::seconds timeout) override {
    asio::io_context context;
    beast::tcp_stream stream(context);
    beast::error_code failure;
    tcp::endpoint endpoint(asio::ip::make_address(host, failure), static_cast<uint16_t>(port));
    if (failure) return {false, "bad probe host \"" + host + "\": " + failure.message()};
    stream.expires_after(timeout);
    stream.async_connect(endpoint, [&](beast::error_code ec) { failure = ec; });
    context.run();
    if (failure) {
      return {false, "dial tcp " + host + ":" + std::to_string(port) + ": " + failure.message()};
    }
    return {true, ""};
  }

 private:
  CriRuntime& runtime_;
};

}  // namespace

std::unique_ptr<ProbeExecutor> MakeProbeExecutor(CriRuntime& runtime) {
  return std::make_unique<RealProbeExecutor>(runtime);
}

}  // namespace fleetset::agent
