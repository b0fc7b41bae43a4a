#include "agent/container_resources.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "fleetset/quantity.h"

namespace fleetset::agent {
namespace {

// kubelet's constants (pkg/kubelet/cm and qos).
constexpr int64_t kMinShares = 2;
constexpr int64_t kSharesPerCpu = 1024;
constexpr int64_t kCfsPeriodMicros = 100000;
constexpr int64_t kMinCfsQuotaMicros = 1000;
constexpr int64_t kGuaranteedOomScoreAdj = -997;
constexpr int64_t kBestEffortOomScoreAdj = 1000;
// Pods of this priority class are the node's own plumbing; kubelet protects
// them like Guaranteed ones whatever their resources say.
constexpr char kSystemNodeCritical[] = "system-node-critical";

struct Amounts {
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
};

// Manifests were validated before they reached the agent; an unparsable
// quantity here can only be "not given".
std::optional<Quantity> Lookup(const google::protobuf::Map<std::string, std::string>& values,
                               const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return Quantity::Parse(it->second);
}

Amounts Limits(const v1::Container& container) {
  Amounts out;
  const auto& limits = container.resources().limits();
  if (auto cpu = Lookup(limits, "cpu")) out.cpu_millis = cpu->MilliValue();
  if (auto memory = Lookup(limits, "memory")) out.memory_bytes = memory->Value();
  return out;
}

// Requests as the API server would have defaulted them from limits.
Amounts Requests(const v1::Container& container) {
  Amounts out = Limits(container);
  const auto& requests = container.resources().requests();
  if (auto cpu = Lookup(requests, "cpu")) out.cpu_millis = cpu->MilliValue();
  if (auto memory = Lookup(requests, "memory")) out.memory_bytes = memory->Value();
  return out;
}

int64_t MilliCpuToShares(int64_t milli_cpu) {
  const int64_t shares = milli_cpu * kSharesPerCpu / 1000;
  return shares < kMinShares ? kMinShares : shares;
}

int64_t MilliCpuToQuota(int64_t milli_cpu) {
  if (milli_cpu <= 0) return 0;
  const int64_t quota = milli_cpu * kCfsPeriodMicros / 1000;
  return quota < kMinCfsQuotaMicros ? kMinCfsQuotaMicros : quota;
}

// kubelet's GetContainerOOMScoreAdjust: Burstable containers are killed
// before Guaranteed ones, and those asking for less memory go first.
int64_t OomScoreAdj(const v1::PodSpec& spec, const v1::Container& container,
                    int64_t node_memory_bytes) {
  if (spec.priority_class_name() == kSystemNodeCritical) return kGuaranteedOomScoreAdj;
  switch (PodQosClass(spec)) {
    case QosClass::kGuaranteed:
      return kGuaranteedOomScoreAdj;
    case QosClass::kBestEffort:
      return kBestEffortOomScoreAdj;
    case QosClass::kBurstable:
      break;
  }
  if (node_memory_bytes <= 0) node_memory_bytes = NodeMemoryFromProc();
  const int64_t request = Requests(container).memory_bytes;
  // Unknown node memory: the least protected Burstable score.
  int64_t score = kBestEffortOomScoreAdj;
  if (node_memory_bytes > 0) {
    // Asking for the whole node (or an absurd "1E") gives the lowest score,
    // without letting request * 1000 overflow.
    const bool huge = request >= node_memory_bytes || request > INT64_MAX / 1000;
    score = huge ? 0 : 1000 - request * 1000 / node_memory_bytes;
  }
  // Stay above any Guaranteed container and below BestEffort ones.
  if (score < 1000 + kGuaranteedOomScoreAdj) return 1000 + kGuaranteedOomScoreAdj;
  if (score >= kBestEffortOomScoreAdj) return kBestEffortOomScoreAdj - 1;
  return score;
}

}  // namespace

int64_t NodeMemoryFromProc() {
  static const int64_t bytes = [] {
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
      std::istringstream fields(line);
      std::string key;
      int64_t kib = 0;
      if (fields >> key >> kib && key == "MemTotal:") return kib * 1024;
    }
    return int64_t{0};
  }();
  return bytes;
}

QosClass PodQosClass(const v1::PodSpec& spec) {
  Amounts requests;
  Amounts limits;
  bool any = false;
  bool all_limited = true;
  auto add = [&](const v1::Container& container) {
    const Amounts request = Requests(container);
    const Amounts limit = Limits(container);
    requests.cpu_millis += request.cpu_millis;
    requests.memory_bytes += request.memory_bytes;
    limits.cpu_millis += limit.cpu_millis;
    limits.memory_bytes += limit.memory_bytes;
    any = any || request.cpu_millis != 0 || request.memory_bytes != 0 || limit.cpu_millis != 0 ||
          limit.memory_bytes != 0;
    all_limited = all_limited && limit.cpu_millis != 0 && limit.memory_bytes != 0;
  };
  for (const v1::Container& container : spec.init_containers()) add(container);
  for (const v1::Container& container : spec.containers()) add(container);
  if (!any) return QosClass::kBestEffort;
  if (all_limited && requests.cpu_millis == limits.cpu_millis &&
      requests.memory_bytes == limits.memory_bytes) {
    return QosClass::kGuaranteed;
  }
  return QosClass::kBurstable;
}

::runtime::v1::LinuxContainerResources BuildContainerResources(const v1::PodSpec& spec,
                                                               const v1::Container& container,
                                                               int64_t node_memory_bytes) {
  ::runtime::v1::LinuxContainerResources resources;
  const Amounts requests = Requests(container);
  const Amounts limits = Limits(container);
  resources.set_cpu_shares(MilliCpuToShares(requests.cpu_millis));
  // kubelet always sends the period, with quota 0 (unlimited) when there is
  // no cpu limit.
  resources.set_cpu_period(kCfsPeriodMicros);
  resources.set_cpu_quota(MilliCpuToQuota(limits.cpu_millis));
  resources.set_memory_limit_in_bytes(limits.memory_bytes);
  resources.set_oom_score_adj(OomScoreAdj(spec, container, node_memory_bytes));
  return resources;
}

}  // namespace fleetset::agent
