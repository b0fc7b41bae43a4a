// Runs one probe or lifecycle hook action (exec through CRI ExecSync, HTTP
// or HTTPS GET, TCP connect, gRPC health check) with its timeout. Behind an
// interface so pod-worker tests can script outcomes.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agent/cri_runtime.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

struct ProbeOutcome {
  bool success = false;
  // Why it failed, as kubelet words it ("HTTP probe failed with statuscode: 500").
  std::string message;
};

class ProbeExecutor {
 public:
  virtual ~ProbeExecutor() = default;
  virtual ProbeOutcome Exec(const std::string& container_id,
                            const std::vector<std::string>& command,
                            std::chrono::seconds timeout) = 0;
  // `host` is already resolved (the pod IP, or the probe's host field).
  virtual ProbeOutcome HttpGet(const std::string& host, int port, const v1::HTTPGetAction& action,
                               std::chrono::seconds timeout) = 0;
  virtual ProbeOutcome TcpConnect(const std::string& host, int port,
                                  std::chrono::seconds timeout) = 0;
  // grpc.health.v1.Health/Check of `service` ("" for the whole server).
  virtual ProbeOutcome GrpcCheck(const std::string& host, int port, const std::string& service,
                                 std::chrono::seconds timeout) = 0;
};

// Exec through `runtime`, HTTP(S) and TCP with Boost.Asio/Beast, gRPC with
// a gRPC channel of each probe's own.
std::unique_ptr<ProbeExecutor> MakeProbeExecutor(CriRuntime& runtime);

}  // namespace fleetset::agent
