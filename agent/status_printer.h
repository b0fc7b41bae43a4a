// `fleetset-agent status`: what the agent last recorded in its status file,
// for a person at the node's console.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::agent {

// Prints the node's disk use (image filesystem, container logs), pods
// (kubectl get pods style), each DaemonSet's eligibility and reason, and
// static manifest problems. `now` dates the ages.
void PrintStatusReport(const v1::StatusReport& report, std::chrono::system_clock::time_point now,
                       std::ostream& out);

// Reads the status file under root_dir and prints it; returns the exit code
// (1 with a message on `err` when there is no readable status file).
// Bytes in binary units with one decimal: "512B", "1.5Ki", "10.0Mi", "3.2Gi".
std::string FormatBytes(uint64_t bytes);

int PrintAgentStatus(const std::string& root_dir, std::ostream& out, std::ostream& err);

}  // namespace fleetset::agent
