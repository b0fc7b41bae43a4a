// kubelet's gRPC probe: grpc.health.v1.Health/Check of a service over a
// plaintext connection; SERVING succeeds, and anything else, a connection
// that cannot be made or the timeout fails with kubelet's message.
#pragma once

#include <chrono>
#include <string>

#include "agent/probe_executor.h"

namespace fleetset::agent {

// `host` is an IP address (the pod's); `timeout` bounds connecting and the
// call together.
ProbeOutcome GrpcHealthProbe(const std::string& host, int port, const std::string& service,
                             std::chrono::seconds timeout);

}  // namespace fleetset::agent
