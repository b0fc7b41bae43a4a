// A running coordinator: the store, the fleet, its control loop thread and
// the gRPC server with both services. main() and the tests start it alike.
#pragma once

#include <grpcpp/server.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "coordinator/agent_service.h"
#include "coordinator/coordinator_metrics.h"
#include "coordinator/fleet.h"
#include "coordinator/operator_service.h"
#include "coordinator/store.h"

namespace fleetset::coordinator {

struct ServerOptions {
  // host:port; port 0 picks a free one (see CoordinatorServer::port()).
  std::string listen = "0.0.0.0:7400";
  std::string data_dir = "/var/lib/fleetset-coordinator";
  FleetOptions fleet;
  // Larger requests are refused with RESOURCE_EXHAUSTED.
  int max_message_bytes = 16 * 1024 * 1024;
  // Runs after every pass of the control loop (systemd's watchdog).
  std::function<void()> after_pass;
  // host:port of the HTTP endpoint for /metrics and /healthz (port 0 picks
  // a free one, see metrics_port()); empty: none. Failing to bind it is
  // logged, not fatal: the fleet matters more than its metrics.
  std::string metrics_listen;
};

class CoordinatorServer {
 public:
  // Opens the store, loads the fleet, binds and starts serving; nullptr with
  // *error (naming the data dir or the address) when any step fails.
  static std::unique_ptr<CoordinatorServer> Start(const ServerOptions& options, const Clock& clock,
                                                  std::string* error);
  ~CoordinatorServer();

  int port() const { return port_; }
  // The metrics endpoint's port; 0 when there is none.
  int metrics_port() const { return http_ ? http_->port() : 0; }
  Fleet& fleet() { return *fleet_; }
  // Stops accepting calls, ends the streams and the loop. Idempotent.
  void Shutdown();

 private:
  CoordinatorServer() = default;

  // First, so that it outlives the store it instruments.
  std::unique_ptr<CoordinatorMetrics> metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Fleet> fleet_;
  std::unique_ptr<AgentServiceImpl> agent_service_;
  std::unique_ptr<OperatorServiceImpl> operator_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HttpEndpoint> http_;
  std::thread loop_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace fleetset::coordinator
