// The coordinator's Prometheus metrics and health check, served over HTTP
// by daemon/http_endpoint.h: the fleet's counts (connected agents, nodes by
// condition, every DaemonSet's rollout progress), the agent streams' send
// queues, and how long control loop passes and store commits take.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "coordinator/frontend/agent_service.h"
#include "coordinator/storage/etcd_db_sizes.h"
#include "coordinator/storage/storage.h"
#include "daemon/http_endpoint.h"
#include "daemon/metrics.h"

namespace fleetset::coordinator {

// A loop that has not completed a pass for this long is unhealthy (it runs
// at least every second).
inline constexpr std::chrono::seconds kLoopStallLimit{15};

// What the metrics show of the fleet, from the controllers' caches.
struct FleetCounts {
  struct DaemonSetCounts {
    std::string namespace_;
    std::string name;
    v1::DaemonSetStatus status;
  };
  size_t connected_agents = 0;
  size_t nodes_ready = 0;
  size_t nodes_not_ready = 0;
  std::vector<DaemonSetCounts> daemon_sets;
};

class CoordinatorMetrics {
 public:
  CoordinatorMetrics();

  Metrics& metrics() { return metrics_; }

  // Wraps the store so that its commits are timed and their failures seen.
  // This object must outlive the returned store.
  std::unique_ptr<storage::Storage> Instrument(std::unique_ptr<storage::Storage> store);
  // From the leader election: sets is_leader and counts the transition.
  // Without an election (one coordinator) is_leader is set once, at start.
  void LeaderChanged(bool leading);
  // For ControlLoopOptions::pass_observer.
  void PassDone(std::chrono::steady_clock::duration took);
  // Adds the gauges read from `counts` and `agents` at scrape time; both
  // must outlive every scrape.
  void Watch(std::function<FleetCounts()> counts, const AgentServiceImpl& agents);
  // Adds the gauges of etcd's members' database sizes, as `sizes` last
  // polled them; it must outlive every scrape.
  void WatchEtcdDbSizes(const storage::EtcdDbSizes& sizes);

  // Healthy while the control loop passes and the last store commit worked.
  HealthResult Health() const;

 private:
  class TimedStore;

  Metrics metrics_;
  prometheus::Histogram& pass_durations_;
  prometheus::Histogram& commit_durations_;
  prometheus::Histogram* get_durations_ = nullptr;
  prometheus::Histogram* list_durations_ = nullptr;
  prometheus::Histogram* txn_durations_ = nullptr;
  prometheus::Histogram* watch_lag_ = nullptr;
  prometheus::Gauge* is_leader_ = nullptr;
  prometheus::Counter* leader_transitions_ = nullptr;
  std::atomic<std::chrono::steady_clock::rep> last_pass_;
  mutable std::mutex mu_;
  // Why the last commit failed; empty when it worked.
  std::string store_error_;
};

}  // namespace fleetset::coordinator
