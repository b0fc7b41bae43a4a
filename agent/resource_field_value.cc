#include "agent/resource_field_value.h"

#include <sys/statvfs.h>

#include <thread>

#include "agent/container_resources.h"
#include "fleetset/quantity.h"

namespace fleetset::agent {
namespace {

const v1::Container* FindContainer(const v1::PodSpec& spec, const std::string& name) {
  for (const v1::Container& container : spec.containers()) {
    if (container.name() == name) return &container;
  }
  for (const v1::Container& container : spec.init_containers()) {
    if (container.name() == name) return &container;
  }
  return nullptr;
}

std::optional<Quantity> Amount(const google::protobuf::Map<std::string, std::string>& amounts,
                               const std::string& resource) {
  auto it = amounts.find(resource);
  if (it == amounts.end()) return std::nullopt;
  return Quantity::Parse(it->second);
}

int64_t CeilDiv(int64_t value, int64_t divisor) {
  if (divisor <= 0) return value;
  return value / divisor + (value % divisor != 0 ? 1 : 0);
}

}  // namespace

std::optional<std::string> ResourceFieldValue(const v1::PodSpec& spec,
                                              const std::string& default_container,
                                              const v1::ResourceFieldSelector& selector,
                                              const NodeAllocatable& node, std::string* error) {
  const std::string& name =
      selector.container_name().empty() ? default_container : selector.container_name();
  const v1::Container* container = FindContainer(spec, name);
  if (container == nullptr) {
    *error = "resourceFieldRef: no container named \"" + name + "\"";
    return std::nullopt;
  }
  const std::string& resource = selector.resource();
  const size_t dot = resource.find('.');
  const std::string kind = dot == std::string::npos ? "" : resource.substr(0, dot);
  const std::string what = dot == std::string::npos ? "" : resource.substr(dot + 1);
  int64_t allocatable = 0;
  bool cpu = false;
  if (what == "cpu") {
    allocatable = node.cpu_millis;
    cpu = true;
  } else if (what == "memory") {
    allocatable = node.memory_bytes;
  } else if (what == "ephemeral-storage") {
    allocatable = node.ephemeral_storage_bytes;
  }
  if ((kind != "limits" && kind != "requests") ||
      (what != "cpu" && what != "memory" && what != "ephemeral-storage")) {
    *error = "resourceFieldRef: unsupported resource \"" + resource + "\"";
    return std::nullopt;
  }
  std::optional<Quantity> limit = Amount(container->resources().limits(), what);
  std::optional<Quantity> amount =
      kind == "limits" ? limit : Amount(container->resources().requests(), what);
  if (!amount && kind == "requests") amount = limit;
  int64_t value = 0;  // a request left unset with no limit either: 0
  if (amount) {
    value = cpu ? amount->MilliValue() : amount->Value();
  } else if (kind == "limits") {
    value = allocatable;
  }
  std::optional<Quantity> divisor =
      Quantity::Parse(selector.divisor().empty() ? "1" : selector.divisor());
  if (!divisor || divisor->IsZero() || divisor->IsNegative()) {
    *error = "resourceFieldRef: bad divisor \"" + selector.divisor() + "\"";
    return std::nullopt;
  }
  const int64_t unit = cpu ? divisor->MilliValue() : divisor->Value();
  return std::to_string(CeilDiv(value, unit));
}

NodeAllocatable ThisNodeAllocatable(int64_t memory_bytes) {
  NodeAllocatable node;
  node.cpu_millis = static_cast<int64_t>(std::thread::hardware_concurrency()) * 1000;
  node.memory_bytes = memory_bytes > 0 ? memory_bytes : NodeMemoryFromProc();
  struct statvfs root {};
  if (::statvfs("/", &root) == 0) {
    node.ephemeral_storage_bytes = static_cast<int64_t>(root.f_blocks) * root.f_frsize;
  }
  return node;
}

}  // namespace fleetset::agent
