// What the agent finds out about its machine: the well-known labels
// (kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch), system
// information, addresses and DNS settings for pods.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fleetset/v1/node.pb.h"

namespace fleetset::agent {

// Kubernetes' GOARCH names: x86_64 -> amd64, aarch64 -> arm64, ...
std::string KubernetesArch(const std::string& machine);

// The well-known labels for a node of this name on this machine.
std::map<std::string, std::string> WellKnownLabels(const std::string& node_name);

v1::NodeSystemInfo DiscoverSystemInfo();

struct ResolvConf {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};
// Parses resolv.conf text (nameserver, search/domain, options lines).
ResolvConf ParseResolvConf(const std::string& text);
ResolvConf ReadResolvConf(const std::string& path = "/etc/resolv.conf");

}  // namespace fleetset::agent
