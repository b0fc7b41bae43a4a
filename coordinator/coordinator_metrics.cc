#include "coordinator/coordinator_metrics.h"

#include "coordinator/storage/forwarding_storage.h"

#include <map>
#include <optional>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

namespace fleetset::coordinator {

namespace {

using Clock = std::chrono::steady_clock;
using Sample = Metrics::Sample;

prometheus::Histogram& MakeHistogram(prometheus::Registry& registry, const std::string& name,
                                     const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add(
      {}, LatencyBuckets());
}

}  // namespace

// Times every request to the store by operation, and how long after a
// commit its change reaches this coordinator's watches (the watch lag).
class CoordinatorMetrics::TimedStore final : public storage::ForwardingStorage {
 public:
  TimedStore(std::unique_ptr<storage::Storage> inner, CoordinatorMetrics& metrics)
      : ForwardingStorage(std::move(inner)),
        owner_(metrics),
        commit_times_(std::make_shared<CommitTimes>()) {}

  std::optional<storage::KeyValue> Get(const std::string& key) override {
    const auto started = Clock::now();
    auto result = inner().Get(key);
    Observe(*owner_.get_durations_, started);
    return result;
  }
  storage::ListResult List(const std::string& prefix) override {
    const auto started = Clock::now();
    auto result = inner().List(prefix);
    Observe(*owner_.list_durations_, started);
    return result;
  }

  void CommitAsync(storage::Transaction transaction,
                   std::function<void(const storage::TransactionResult&)> done) override {
    const auto started = Clock::now();
    inner().CommitAsync(
        std::move(transaction), [this, started, times = commit_times_,
                                 done = std::move(done)](const storage::TransactionResult& result) {
          const bool failed = result.status == storage::TransactionResult::Status::kFailed;
          Record(started, failed ? result.error : "");
          if (result.committed()) times->Committed(result.revision, Clock::now());
          if (done) done(result);
        });
  }

  std::unique_ptr<storage::WatchHandle> Watch(const std::string& prefix, storage::Revision from,
                                              storage::WatchCallback callback) override {
    return inner().Watch(
        prefix, from,
        [times = commit_times_, lag = owner_.watch_lag_,
         callback = std::move(callback)](const std::vector<storage::WatchEvent>& events) {
          for (const storage::WatchEvent& event : events) {
            if (auto committed = times->Delivered(event.kv.mod_revision)) {
              lag->Observe(std::chrono::duration<double>(Clock::now() - *committed).count());
            }
          }
          callback(events);
        });
  }

 private:
  // When this coordinator's own commits completed, until a watch delivers
  // them; bounded, since a revision no watch covers is never delivered.
  class CommitTimes {
   public:
    void Committed(storage::Revision revision, Clock::time_point at) {
      std::lock_guard lock(mu_);
      times_[revision] = at;
      while (times_.size() > kKept) times_.erase(times_.begin());
    }
    std::optional<Clock::time_point> Delivered(storage::Revision revision) {
      std::lock_guard lock(mu_);
      auto it = times_.find(revision);
      if (it == times_.end()) return std::nullopt;
      const Clock::time_point at = it->second;
      times_.erase(it);
      return at;
    }

   private:
    static constexpr size_t kKept = 4096;
    std::mutex mu_;
    std::map<storage::Revision, Clock::time_point> times_;
  };

  static void Observe(prometheus::Histogram& histogram, Clock::time_point started) {
    histogram.Observe(std::chrono::duration<double>(Clock::now() - started).count());
  }

  void Record(Clock::time_point started, std::string error) {
    Observe(owner_.commit_durations_, started);
    Observe(*owner_.txn_durations_, started);
    std::lock_guard lock(owner_.mu_);
    owner_.store_error_ = std::move(error);
  }

  CoordinatorMetrics& owner_;
  const std::shared_ptr<CommitTimes> commit_times_;
};

CoordinatorMetrics::CoordinatorMetrics()
    : pass_durations_(MakeHistogram(metrics_.registry(),
                                    "fleetset_coordinator_sync_pass_duration_seconds",
                                    "Duration of the control loop's passes (liveness, rollout "
                                    "planning, status, desired states).")),
      commit_durations_(MakeHistogram(metrics_.registry(),
                                      "fleetset_coordinator_store_commit_duration_seconds",
                                      "Duration of the store's transactions (SQLite commits).")),
      // Until the first pass, the loop counts as having passed at start.
      last_pass_(Clock::now().time_since_epoch().count()) {
  auto& requests = prometheus::BuildHistogram()
                       .Name("fleetset_coordinator_store_request_duration_seconds")
                       .Help("Duration of requests to the store (SQLite or etcd), by operation.")
                       .Register(metrics_.registry());
  get_durations_ = &requests.Add({{"operation", "get"}}, LatencyBuckets());
  list_durations_ = &requests.Add({{"operation", "list"}}, LatencyBuckets());
  txn_durations_ = &requests.Add({{"operation", "txn"}}, LatencyBuckets());
  watch_lag_ = &MakeHistogram(metrics_.registry(), "fleetset_coordinator_watch_lag_seconds",
                              "Time from this coordinator's commit of a change to its delivery "
                              "to the coordinator's own watches (informers).");
  auto& leading = prometheus::BuildGauge()
                      .Name("fleetset_coordinator_is_leader")
                      .Help("1 while this coordinator leads and runs the controllers, else 0.")
                      .Register(metrics_.registry());
  is_leader_ = &leading.Add({});
  auto& transitions = prometheus::BuildCounter()
                          .Name("fleetset_coordinator_leader_transitions_total")
                          .Help("How often this coordinator started or stopped leading.")
                          .Register(metrics_.registry());
  leader_transitions_ = &transitions.Add({});
}

void CoordinatorMetrics::LeaderChanged(bool leading) {
  is_leader_->Set(leading ? 1 : 0);
  leader_transitions_->Increment();
}

std::unique_ptr<storage::Storage> CoordinatorMetrics::Instrument(
    std::unique_ptr<storage::Storage> store) {
  return std::make_unique<TimedStore>(std::move(store), *this);
}

void CoordinatorMetrics::PassDone(Clock::duration took) {
  pass_durations_.Observe(std::chrono::duration<double>(took).count());
  last_pass_ = Clock::now().time_since_epoch().count();
}

void CoordinatorMetrics::Watch(std::function<FleetCounts()> counts_of,
                               const AgentServiceImpl& agents) {
  metrics_.AddCallbackGauge(
      "fleetset_coordinator_connected_agents", "Agents with an open stream to this coordinator.",
      [counts_of] { return static_cast<double>(counts_of().connected_agents); });
  metrics_.AddCallbackGaugeFamily(
      "fleetset_coordinator_nodes", "Nodes by their Ready condition.", [counts_of] {
        const FleetCounts counts = counts_of();
        return std::vector<Sample>{
            {{{"condition", "Ready"}}, static_cast<double>(counts.nodes_ready)},
            {{{"condition", "NotReady"}}, static_cast<double>(counts.nodes_not_ready)},
        };
      });
  // One family per DaemonSet status field, as kube-state-metrics names them.
  struct Field {
    const char* name;
    const char* help;
    int32_t (v1::DaemonSetStatus::*get)() const;
  };
  static const Field kFields[] = {
      {"desired", "Nodes that should run the DaemonSet's pod (desiredNumberScheduled).",
       &v1::DaemonSetStatus::desired_number_scheduled},
      {"current", "Nodes running at least one of its pods (currentNumberScheduled).",
       &v1::DaemonSetStatus::current_number_scheduled},
      {"ready", "Nodes whose pod is ready (numberReady).", &v1::DaemonSetStatus::number_ready},
      {"updated", "Nodes running the newest revision (updatedNumberScheduled).",
       &v1::DaemonSetStatus::updated_number_scheduled},
      {"available", "Nodes whose pod has been ready for minReadySeconds (numberAvailable).",
       &v1::DaemonSetStatus::number_available},
      {"unavailable",
       "Nodes that should run the pod and have none available "
       "(numberUnavailable).",
       &v1::DaemonSetStatus::number_unavailable},
      {"misscheduled", "Nodes running its pod that should not (numberMisscheduled).",
       &v1::DaemonSetStatus::number_misscheduled},
  };
  for (const Field& field : kFields) {
    metrics_.AddCallbackGaugeFamily(
        std::string("fleetset_coordinator_daemonset_") + field.name, field.help,
        [counts_of, field] {
          std::vector<Sample> samples;
          for (const FleetCounts::DaemonSetCounts& daemon_set : counts_of().daemon_sets) {
            samples.push_back(
                {{{"namespace", daemon_set.namespace_}, {"daemonset", daemon_set.name}},
                 static_cast<double>((daemon_set.status.*field.get)())});
          }
          return samples;
        });
  }
  metrics_.AddCallbackGauge(
      "fleetset_coordinator_agent_send_queue",
      "Desired states waiting to be written to agent streams, over all streams (a stream holds "
      "at most one: a newer state replaces a waiting one).",
      [&agents] { return static_cast<double>(agents.QueuedStates()); });
  metrics_.AddCallbackGauge(
      "fleetset_coordinator_agent_report_queue",
      "Nodes whose status report waits to be taken in, over all streams (at most one per node: "
      "a newer report replaces a waiting one).",
      [&agents] { return static_cast<double>(agents.QueuedReports()); });
}

void CoordinatorMetrics::WatchEtcdDbSizes(const storage::EtcdDbSizes& sizes) {
  // As etcd names its own (etcd_mvcc_db_total_size_in_bytes and
  // etcd_mvcc_db_total_size_in_use_in_bytes), one sample per member.
  struct Figure {
    const char* name;
    const char* help;
    int64_t storage::EtcdMemberDbSize::*bytes;
  };
  static const Figure kFigures[] = {
      {"fleetset_coordinator_etcd_db_total_size_in_bytes",
       "Size of each etcd member's database file, as it last answered; etcd refuses writes once "
       "it reaches the member's --quota-backend-bytes.",
       &storage::EtcdMemberDbSize::total_bytes},
      {"fleetset_coordinator_etcd_db_total_size_in_use_in_bytes",
       "The part of each etcd member's database in use; the rest, freed by compaction, returns "
       "only with a defragmentation.",
       &storage::EtcdMemberDbSize::in_use_bytes},
  };
  for (const Figure& figure : kFigures) {
    metrics_.AddCallbackGaugeFamily(figure.name, figure.help, [&sizes, figure] {
      std::vector<Sample> samples;
      for (const storage::EtcdMemberDbSize& member : sizes.Latest()) {
        samples.push_back(
            {{{"endpoint", member.endpoint}}, static_cast<double>(member.*figure.bytes)});
      }
      return samples;
    });
  }
}

HealthResult CoordinatorMetrics::Health() const {
  const Clock::time_point last{Clock::duration(last_pass_.load())};
  const auto since = Clock::now() - last;
  if (since > kLoopStallLimit) {
    return {false,
            "the control loop has not completed a pass for " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) +
                "s"};
  }
  std::lock_guard lock(mu_);
  if (!store_error_.empty()) return {false, "the last store commit failed: " + store_error_};
  return {};
}

}  // namespace fleetset::coordinator
