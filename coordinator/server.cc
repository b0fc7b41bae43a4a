#include "coordinator/server.h"

#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>

namespace fleetset::coordinator {

std::unique_ptr<CoordinatorServer> CoordinatorServer::Start(const ServerOptions& options,
                                                            const Clock& clock,
                                                            std::string* error) {
  std::unique_ptr<CoordinatorServer> server(new CoordinatorServer());
  server->metrics_ = std::make_unique<CoordinatorMetrics>();
  CoordinatorMetrics* metrics = server->metrics_.get();
  FleetOptions fleet_options = options.fleet;
  fleet_options.pass_observer =
      [metrics, observer = options.fleet.pass_observer](std::chrono::steady_clock::duration took) {
        metrics->PassDone(took);
        if (observer) observer(took);
      };
  try {
    server->store_ = metrics->Instrument(OpenSqliteStore(options.data_dir));
    server->fleet_ = std::make_unique<Fleet>(*server->store_, clock, fleet_options);
  } catch (const StoreError& store_error) {
    *error = std::string("data dir ") + options.data_dir + ": " + store_error.what();
    return nullptr;
  }
  server->agent_service_ = std::make_unique<AgentServiceImpl>(*server->fleet_);
  server->operator_service_ = std::make_unique<OperatorServiceImpl>(*server->fleet_);
  metrics->Watch(*server->fleet_, *server->agent_service_);

  // Bound first: an address asked for and not had fails the start, before
  // agents could connect to a coordinator nothing can health-check.
  if (!options.metrics_listen.empty()) {
    HttpEndpointOptions http;
    http.address = options.metrics_listen;
    http.metrics = [metrics] { return metrics->metrics().Render(); };
    http.health = [metrics] { return metrics->Health(); };
    server->http_ = StartDaemonEndpoint("--metrics-listen", std::move(http), error);
    if (!server->http_) return nullptr;
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->agent_service_.get());
  builder.RegisterService(server->operator_service_.get());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  // Dead agents are noticed by keepalive pings, not only by their silence.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    *error = "cannot listen on " + options.listen + " (address in use or invalid)";
    return nullptr;
  }
  Fleet* fleet = server->fleet_.get();
  server->loop_ =
      std::thread([fleet, after_pass = options.after_pass] { fleet->RunLoop(after_pass); });
  spdlog::info("serving on {} (port {}), data in {}", options.listen, server->port_,
               options.data_dir);
  return server;
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

void CoordinatorServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // First: its callbacks read the fleet and the agent service.
  if (http_) http_->Stop();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (fleet_) fleet_->Stop();
  if (loop_.joinable()) loop_.join();
}

}  // namespace fleetset::coordinator
