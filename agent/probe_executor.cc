#include "agent/probe_executor.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "agent/grpc_health_probe.h"
#include "agent/handler_target.h"
#include "agent/http_get_probe.h"

namespace fleetset::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
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

  ProbeOutcome HttpGet(const std::string& host, int port, const v1::HTTPGetAction& action,
                       std::chrono::seconds timeout) override {
    return HttpGetProbe(host, port, action, timeout);
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
      return {false, "dial tcp " + JoinHostPort(host, port) + ": " + failure.message()};
    }
    return {true, ""};
  }

  ProbeOutcome GrpcCheck(const std::string& host, int port, const std::string& service,
                         std::chrono::seconds timeout) override {
    return GrpcHealthProbe(host, port, service, timeout);
  }

 private:
  CriRuntime& runtime_;
};

}  // namespace

std::unique_ptr<ProbeExecutor> MakeProbeExecutor(CriRuntime& runtime) {
  return std::make_unique<RealProbeExecutor>(runtime);
}

}  // namespace fleetset::agent
