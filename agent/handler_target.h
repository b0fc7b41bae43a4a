// Where a probe's or lifecycle hook's network action (httpGet, tcpSocket,
// grpc) connects, as kubelet resolves it: the port a number or the name of
// one of the container's ports, the host the action's own or else the
// pod's IP.
#pragma once

#include <string>

#include "agent/pod_config_builder.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

struct HandlerTarget {
  std::string host;
  int port = 0;
  // Why there is no target (a port name the container does not have);
  // empty when host and port are set.
  std::string error;
};

// `host` when set, else the pod's IP (the node's for a pod without its
// own, as a hostNetwork pod).
std::string HandlerHost(const std::string& host, const PodContext& context);

HandlerTarget ResolveHandlerTarget(const v1::IntOrString& port, const std::string& host,
                                   const v1::Container& spec, const PodContext& context);

// "host:port", with an IPv6 host in brackets (Go's net.JoinHostPort, which
// kubelet's messages and requests use).
std::string JoinHostPort(const std::string& host, int port);

}  // namespace fleetset::agent
