#include "agent/agent_metrics.h"

#include <spdlog/spdlog.h>

#include "agent/instrumented_cri_runtime.h"
#include "fleetset/pod_readiness.h"

namespace fleetset::agent {

namespace {

using SteadyClock = std::chrono::steady_clock;

prometheus::Gauge& Gauge(Metrics& metrics, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(metrics.registry()).Add({});
}

prometheus::Counter& Counter(Metrics& metrics, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(metrics.registry()).Add({});
}

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
      container_log_bytes_(Gauge(metrics_, "fleetset_agent_container_log_bytes",
                                 "Bytes of the container logs of the node's running pods (live "
                                 "logs, rotations, logs of earlier restarts).")),
      log_rotations_(Counter(metrics_, "fleetset_agent_container_log_rotations_total",
                             "Container logs rotated past containerLogMaxSize.")),
      images_removed_(Counter(metrics_, "fleetset_agent_image_gc_images_removed_total",
                              "Unused images removed by image garbage collection.")),
      image_bytes_freed_(Counter(metrics_, "fleetset_agent_image_gc_freed_bytes_total",
                                 "Bytes of the images removed by image garbage collection.")),
      image_fs_used_(Gauge(metrics_, "fleetset_agent_image_fs_used_bytes",
                           "Bytes used on the filesystem holding the runtime's images.")),
      image_fs_capacity_(Gauge(metrics_, "fleetset_agent_image_fs_capacity_bytes",
                               "Size of the filesystem holding the runtime's images.")),
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

void AgentMetrics::RecordContainerLogCheck(const ContainerLogCheck& check) {
  if (!check.listed) return;
  log_rotations_.Increment(check.rotations);
  container_log_bytes_.Set(static_cast<double>(check.log_bytes));
}

void AgentMetrics::RecordImageGc(const ImageGcResult& result) {
  images_removed_.Increment(result.images_removed);
  image_bytes_freed_.Increment(static_cast<double>(result.bytes_freed));
  if (!result.measured) return;
  image_fs_used_.Set(static_cast<double>(result.used_bytes));
  image_fs_capacity_.Set(static_cast<double>(result.capacity_bytes));
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
