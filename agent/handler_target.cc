#include "agent/handler_target.h"

#include <charconv>

namespace fleetset::agent {
namespace {

// kubelet's resolvePort: a number, a number written as a string, or the
// name of one of the container's ports; -1 when none matches.
int ResolvePort(const v1::IntOrString& port, const v1::Container& spec) {
  if (port.has_int_val()) return port.int_val();
  const std::string& name = port.str_val();
  int number = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), number);
  if (error == std::errc() && end == name.data() + name.size() && !name.empty()) return number;
  for (const v1::ContainerPort& container_port : spec.ports()) {
    if (container_port.name() == name) return container_port.container_port();
  }
  return -1;
}

}  // namespace

std::string HandlerHost(const std::string& host, const PodContext& context) {
  if (!host.empty()) return host;
  return context.pod_ip.empty() ? context.host_ip : context.pod_ip;
}

HandlerTarget ResolveHandlerTarget(const v1::IntOrString& port, const std::string& host,
                                   const v1::Container& spec, const PodContext& context) {
  const int number = ResolvePort(port, spec);
  if (number <= 0) return {"", 0, "no port named \"" + port.str_val() + "\""};
  return {HandlerHost(host, context), number, ""};
}

std::string JoinHostPort(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace fleetset::agent
