// Ports: container ports, probe and hook ports, host port conflicts
// (Kubernetes' validateContainerPorts, ValidatePortNumOrName,
// AccumulateUniqueHostPorts).
#include <arpa/inet.h>

#include <set>

#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

// IANA_SVC_NAME (RFC 6335): at most 15 characters.
constexpr size_t kMaxPortNameLength = 15;

}  // namespace

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::vector<std::string> CheckPortNumber(int64_t port) {
  if (port < 1 || port > 65535) return {"must be between 1 and 65535, inclusive"};
  return {};
}

std::vector<std::string> CheckPortName(std::string_view name) {
  std::vector<std::string> problems;
  if (name.size() > kMaxPortNameLength) problems.push_back("must be no more than 15 characters");
  bool charset_ok = !name.empty();
  bool has_letter = false;
  for (const char c : name) {
    const bool lower = c >= 'a' && c <= 'z';
    has_letter = has_letter || lower;
    charset_ok = charset_ok && (lower || (c >= '0' && c <= '9') || c == '-');
  }
  if (!charset_ok) {
    problems.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (!has_letter) problems.push_back("must contain at least one letter (a-z)");
  if (name.find("--") != std::string_view::npos) {
    problems.push_back("must not contain consecutive hyphens");
  }
  if (!name.empty() && (name.front() == '-' || name.back() == '-')) {
    problems.push_back("must not begin or end with a hyphen");
  }
  return problems;
}

void ValidateContainerPorts(const Repeated<v1::ContainerPort>& ports, const std::string& path,
                            FieldErrors* errors) {
  std::set<std::string> names;
  for (int i = 0; i < ports.size(); ++i) {
    const v1::ContainerPort& port = ports[i];
    const std::string port_path = IndexPath(path, i);
    if (!port.name().empty()) {
      const std::string name_path = ChildPath(port_path, "name");
      const std::vector<std::string> problems = CheckPortName(port.name());
      AppendInvalid(name_path, port.name(), problems, errors);
      // Probes refer to ports by name, so a name must mean one port.
      if (problems.empty() && !names.insert(port.name()).second) {
        errors->push_back(DuplicateError(name_path, Quote(port.name())));
      }
    }
    const std::string container_port_path = ChildPath(port_path, "containerPort");
    if (port.container_port() == 0) {
      errors->push_back(RequiredError(container_port_path));
    } else {
      for (const std::string& problem : CheckPortNumber(port.container_port())) {
        errors->push_back(InvalidError(container_port_path, port.container_port(), problem));
      }
    }
    // Zero means "no host port".
    if (port.host_port() != 0) {
      for (const std::string& problem : CheckPortNumber(port.host_port())) {
        errors->push_back(
            InvalidError(ChildPath(port_path, "hostPort"), port.host_port(), problem));
      }
    }
    const std::string protocol_path = ChildPath(port_path, "protocol");
    if (port.protocol().empty()) {
      errors->push_back(RequiredError(protocol_path));
    } else if (port.protocol() != "TCP" && port.protocol() != "UDP" && port.protocol() != "SCTP") {
      errors->push_back(UnsupportedError(protocol_path, port.protocol(), {"SCTP", "TCP", "UDP"}));
    }
    if (!port.host_ip().empty() && !IsIpAddress(port.host_ip())) {
      errors->push_back(InvalidError(ChildPath(port_path, "hostIP"), Quote(port.host_ip()),
                                     "must be a valid IP address"));
    }
  }
}

void ValidatePortNumberOrName(const v1::IntOrString& port, const std::string& path,
                              FieldErrors* errors) {
  if (port.has_int_val()) {
    for (const std::string& problem : CheckPortNumber(port.int_val())) {
      errors->push_back(InvalidError(path, port.int_val(), problem));
    }
  } else if (port.has_str_val()) {
    AppendInvalid(path, port.str_val(), CheckPortName(port.str_val()), errors);
  } else {
    errors->push_back(RequiredError(path));
  }
}

void ValidateHostPortConflicts(const std::vector<PathedContainer>& containers,
                               FieldErrors* errors) {
  // Kubernetes' key: the same port on different host addresses is fine.
  std::set<std::string> taken;
  for (const PathedContainer& entry : containers) {
    const auto& ports = entry.container->ports();
    for (int i = 0; i < ports.size(); ++i) {
      const v1::ContainerPort& port = ports[i];
      if (port.host_port() == 0) continue;
      const std::string key =
          port.protocol() + "/" + port.host_ip() + "/" + std::to_string(port.host_port());
      if (!taken.insert(key).second) {
        errors->push_back(DuplicateError(
            ChildPath(IndexPath(ChildPath(entry.path, "ports"), i), "hostPort"), Quote(key)));
      }
    }
  }
}

}  // namespace fleetset::internal
