#include "agent/agent_metrics.h"

#include <spdlog/spdlog.h>

#include "agent/instrumented_cri_runtime.h"
#include "fleetset/pod_readiness.h"

namespace fleetset::agent {

namespace {

using SteadyClock = std::chrono::steady_clock;

}  // namespace

AgentMetrics::AgentMetrics()
    : pods_(prometheus::BuildGauge()
                .Name("fleetset_agent_pods")
                .Help("Pods on this node: desired (DaemonSets that should run here), running "
                      "(phase Running) and ready (every container ready).")
                .Register(metrics_.registry())),
      restarts_(prometheus::BuildCounter()
                    .Name("fleetset_agent_container_restarts_total")
                    .Help("Container restarts of the node's pods (crashes, failed liveness "
                          "probes) seen by this agent.")
                    .Register(metrics_.registry())
                    .Add({})),
      connected_(prometheus::BuildGauge()
                     .Name("fleetset_agent_coordinator_connected")
                     .Help("1 while the agent has a stream to a coordinator, else 0.")
                     .Register(metrics_.registry())
                     .Add({})),
      desired_version_(prometheus::BuildGauge()
                           .Name("fleetset_agent_desired_state_version")
                           .Help("Version of the coordinator's desired state the agent runs "
                                 "(0: none).")
                           .Register(metrics_.registry())
                           .Add({})),
      last_tick_(SteadyClock::now().time_since_epoch().count()) {
  for (const char* state : {"desired", "running", "ready"}) pods_.Add({{"state", state}});
}

AgentMetrics::~AgentMetrics() {
  if (http_) http_->Stop();
}

std::shared_ptr<CriRuntime> AgentMetrics::Instrument(std::shared_ptr<CriRuntime> runtime) {
  return std::make_shared<InstrumentedCriRuntime>(std::move(runtime), metrics_);
}

void AgentMetrics::Update(const v1::StatusReport& report, bool coordinator_connected,
                          uint64_t desired_version) {
  int desired = 0;
  for (const v1::Eligibility& eligibility : report.eligibility())
    desired += eligibility.should_run();
  int running = 0;
  int ready = 0;
  std::map<std::pair<std::string, std::string>, int32_t> counts;
  for (const v1::Pod& pod : report.pods()) {
    if (pod.status().phase() == "Running") ++running;
    if (IsPodReady(pod)) ++ready;
    for (const v1::ContainerStatus& container : pod.status().container_statuses()) {
      const auto key = std::make_pair(pod.metadata().uid(), container.name());
      counts[key] = container.restart_count();
      const auto before = restart_counts_.find(key);
      // A container first seen with restarts (after the agent restarted)
      // adds nothing: those happened before this process counted.
      if (before != restart_counts_.end() && container.restart_count() > before->second) {
        restarts_.Increment(container.restart_count() - before->second);
      }
    }
  }
  restart_counts_ = std::move(counts);
  pods_.Add({{"state", "desired"}}).Set(desired);
  pods_.Add({{"state", "running"}}).Set(running);
  pods_.Add({{"state", "ready"}}).Set(ready);
  connected_.Set(coordinator_connected ? 1 : 0);
  desired_version_.Set(static_cast<double>(desired_version));
}

void AgentMetrics::Tick() { last_tick_ = SteadyClock::now().time_since_epoch().count(); }

HealthResult AgentMetrics::Health() const {
  const SteadyClock::time_point last{SteadyClock::duration(last_tick_.load())};
  const auto since = SteadyClock::now() - last;
  if (since > kLoopStallLimit) {
    return {false,
            "the event loop has not run for " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) +
                "s"};
  }
  return {};
}

bool AgentMetrics::Serve(const std::string& address) {
  HttpEndpointOptions options;
  options.address = address;
  options.metrics = [this] { return metrics_.Render(); };
  options.health = [this] { return Health(); };
  std::string error;
  http_ = StartDaemonEndpoint("--metrics-bind-address", std::move(options), &error);
  if (!http_) spdlog::error("{}", error);
  return http_ != nullptr;
}

}  // namespace fleetset::agent
