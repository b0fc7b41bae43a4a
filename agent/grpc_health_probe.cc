#include "agent/grpc_health_probe.h"

#include <grpcpp/grpcpp.h>

#include "agent/handler_target.h"
#include "fleetset/duration.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace fleetset::agent {
namespace {

namespace health = ::grpc::health::v1;

std::shared_ptr<grpc::Channel> ProbeChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  // A connection of its own for every probe, as kubelet dials anew: a
  // shared one would keep the back-off of an earlier failed connect, and
  // fail probes of a server that has come up since.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  arguments.SetUserAgentPrefix("fleetset-probe/1.0");
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace

ProbeOutcome GrpcHealthProbe(const std::string& host, int port, const std::string& service,
                             std::chrono::seconds timeout) {
  const std::string address = JoinHostPort(host, port);
  const auto deadline = std::chrono::system_clock::now() + timeout;
  std::shared_ptr<grpc::Channel> channel = ProbeChannel(address);
  // kubelet dials with WithBlock: a server that refuses connections is
  // retried until the timeout, which is then what the probe reports.
  if (!channel->WaitForConnected(deadline)) {
    return {false, "timeout: failed to connect service \"" + address + "\" within " +
                       FormatDuration(timeout) + ": context deadline exceeded"};
  }
  grpc::ClientContext context;
  context.set_deadline(deadline);
  health::HealthCheckRequest request;
  request.set_service(service);
  health::HealthCheckResponse response;
  const grpc::Status status = health::Health::NewStub(channel)->Check(&context, request, &response);
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      break;
    case grpc::StatusCode::UNIMPLEMENTED:
      return {false,
              "this server does not implement the grpc health protocol "
              "(grpc.health.v1.Health): " +
                  status.error_message()};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {false, "timeout: health rpc did not complete within " + FormatDuration(timeout)};
    default:
      return {false, "error: health rpc probe failed: " + status.error_message()};
  }
  if (response.status() != health::HealthCheckResponse::SERVING) {
    return {false, "service unhealthy (responded with \"" +
                       health::HealthCheckResponse::ServingStatus_Name(response.status()) + "\")"};
  }
  return {true, ""};
}

}  // namespace fleetset::agent
