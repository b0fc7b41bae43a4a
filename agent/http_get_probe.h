// kubelet's HTTP GET for probes and lifecycle hooks: GET
// scheme://host:port/path with the action's headers, HTTP or HTTPS; a
// status from 200 to 399 succeeds. HTTPS does not verify the server's
// certificate, as kubelet's InsecureSkipVerify.
#pragma once

#include <chrono>
#include <string>

#include "agent/probe_executor.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// `host` is an IP address or a name to resolve; `timeout` bounds connect,
// TLS handshake, request and response together (not the name lookup).
ProbeOutcome HttpGetProbe(const std::string& host, int port, const v1::HTTPGetAction& action,
                          std::chrono::seconds timeout);

}  // namespace fleetset::agent
