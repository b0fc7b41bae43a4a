// The coordinator's Prometheus metrics and health check, served over HTTP
// by daemon/http_endpoint.h: the fleet's counts (connected agents, nodes by
// condition, every DaemonSet's rollout progress), the agent streams' send
// queues, and how long control loop passes and store commits take.
#pragma once

#include <prometheus/histogram.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "coordinator/agent_service.h"
#include "coordinator/fleet.h"
#include "coordinator/store.h"
#include "daemon/http_endpoint.h"
#include "daemon/metrics.h"

namespace fleetset::coordinator {

// A loop that has not completed a pass for this long is unhealthy (it runs
// at least every second).
inline constexpr std::chrono::seconds kLoopStallLimit{15};

class CoordinatorMetrics {
 public:
  CoordinatorMetrics();

  Metrics& metrics() { return metrics_; }

  // Wraps the store so that its commits are timed and their failures seen.
  // This object must outlive the returned store.
  std::unique_ptr<Store> Instrument(std::unique_ptr<Store> store);
  // For FleetOptions::pass_observer.
  void PassDone(std::chrono::steady_clock::duration took);
  // Adds the gauges read from `fleet` and `agents` at scrape time; both
  // must outlive every scrape.
  void Watch(const Fleet& fleet, const AgentServiceImpl& agents);

  // Healthy while the control loop passes and the last store commit worked.
  HealthResult Health() const;

 private:
  class TimedStore;

  Metrics metrics_;
  prometheus::Histogram& pass_durations_;
  prometheus::Histogram& commit_durations_;
  std::atomic<std::chrono::steady_clock::rep> last_pass_;
  mutable std::mutex mu_;
  // Why the last commit failed; empty when it worked.
  std::string store_error_;
};

}  // namespace fleetset::coordinator
