// The agent's Prometheus metrics and health check, served over HTTP by
// daemon/http_endpoint.h on --metrics-bind-address: pods desired, running
// and ready, container restarts, CRI call durations (through
// InstrumentedCriRuntime), the coordinator link, the event loop's
// liveness, and the node's disk as housekeeping keeps it bounded
// (container logs and their rotations, the image filesystem and image
// garbage collection).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "agent/container_log_rotation.h"
#include "agent/cri_runtime.h"
#include "agent/image_garbage_collector.h"
#include "daemon/http_endpoint.h"
#include "daemon/metrics.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::agent {

// An event loop that has not ticked for this long is unhealthy.
inline constexpr std::chrono::seconds kLoopStallLimit{10};

class AgentMetrics {
 public:
  AgentMetrics();
  ~AgentMetrics();

  Metrics& metrics() { return metrics_; }

  // `runtime` with every call timed. This object must outlive the result.
  std::shared_ptr<CriRuntime> Instrument(std::shared_ptr<CriRuntime> runtime);

  // From the agent's loop, with the status as reported.
  void Update(const v1::StatusReport& report, bool coordinator_connected, uint64_t desired_version);
  // From the agent's loop, after each container log check and image
  // garbage collection pass.
  void RecordContainerLogCheck(const ContainerLogCheck& check);
  void RecordImageGc(const ImageGcResult& result);
  // From the agent's loop, at least every second: the loop is alive.
  void Tick();
  HealthResult Health() const;

  // Starts the HTTP endpoint; logs and returns false when it cannot (the
  // agent keeps running its pods without it).
  bool Serve(const std::string& address);
  int port() const { return http_ ? http_->port() : 0; }

 private:
  Metrics metrics_;
  prometheus::Family<prometheus::Gauge>& pods_;
  prometheus::Counter& restarts_;
  prometheus::Gauge& connected_;
  prometheus::Gauge& desired_version_;
  prometheus::Gauge& container_log_bytes_;
  prometheus::Counter& log_rotations_;
  prometheus::Counter& images_removed_;
  prometheus::Counter& image_bytes_freed_;
  prometheus::Gauge& image_fs_used_;
  prometheus::Gauge& image_fs_capacity_;
  std::atomic<std::chrono::steady_clock::rep> last_tick_;
  // Restart counts last seen, by pod UID and container name: the counter
  // goes up by what they grew.
  std::map<std::pair<std::string, std::string>, int32_t> restart_counts_;
  // Last: stopped before the metrics its requests read.
  std::unique_ptr<HttpEndpoint> http_;
};

}  // namespace fleetset::agent
