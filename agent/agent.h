// fleetset-agent's serving mode: one io_context owns the agent's state; the
// reconciler, the static manifest scan, the status file, systemd's watchdog
// and the signals all run on it. Slow pod work runs on a thread pool
// executor and posts its results back to it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "agent/agent_metrics.h"
#include "agent/asio_timer_factory.h"
#include "agent/certificate_rotation.h"
#include "agent/coordinator_link.h"
#include "agent/cri_runtime.h"
#include "agent/desired_state_cache.h"
#include "agent/image_garbage_collector.h"
#include "agent/node_credentials.h"
#include "agent/periodic_background_task.h"
#include "agent/pod_log_cleanup.h"
#include "agent/pod_services.h"
#include "agent/probe_executor.h"
#include "agent/reconciler.h"
#include "agent/registry_credentials.h"
#include "agent/static_manifests.h"
#include "agent/thread_pool_executor.h"
#include "daemon/systemd_notifier.h"
#include "fleetset/clock.h"

namespace fleetset::agent {

// Where the agent keeps its files under --root-dir.
std::string StatusFilePath(const std::string& root_dir);
std::string DesiredStateCachePath(const std::string& root_dir);
std::string PodLogLedgerPath(const std::string& root_dir);

class Agent {
 public:
  Agent(AgentInvocation invocation, Notifier& notifier);
  // Serves with `runtime` instead of connecting to the configured runtime
  // endpoint: in-process fleets in tests run agents on a fake runtime.
  Agent(AgentInvocation invocation, Notifier& notifier, std::shared_ptr<CriRuntime> runtime);
  ~Agent();

  // Serves until SIGTERM or SIGINT; returns the exit code. Pods keep
  // running after it returns, as they do when kubelet stops.
  int Run();
  // Makes Run() return as SIGTERM does. Any thread.
  void RequestStop();

  // The coordinator link's way in (called on io()): persists the state first,
  // so a reboot with the coordinator unreachable still runs it, then
  // reconciles toward it. Within a stream an older version is ignored; the
  // first state of a new stream is followed whatever its version.
  void ApplyCoordinatorState(const v1::DesiredState& state, bool first_on_stream);

  Reconciler& reconciler() { return *reconciler_; }
  boost::asio::io_context& io() { return io_; }

 private:
  void ScanStaticManifests();
  void ScheduleStaticScan();
  void ScheduleWatchdog(std::chrono::microseconds interval);
  // Marks the loop alive for /healthz every second.
  void ScheduleLivenessTick();
  // Container log rotation and image garbage collection, each on its
  // period, their work on the executor.
  void StartHousekeeping();
  void StatusChanged();
  void WriteStatus();
  void ScheduleStatusHeartbeat();
  void WaitForSignals();
  void Shutdown(const char* why);
  void Reload();
  NodeFacts LocalNodeFacts() const;
  void ApplyNodeFacts();
  // Loads (or prepares to join for) the node's certificate; false, logged,
  // when the agent cannot talk to a coordinator at all.
  bool PrepareNodeCredentials();
  void StartCoordinatorLink();
  v1::Hello MakeHello() const;
  // The reconciler's report plus what only the agent knows (time, link).
  v1::StatusReport CurrentStatus() const;
  std::string Summary() const;

  AgentInvocation invocation_;
  Notifier& notifier_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer static_timer_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer status_timer_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer liveness_timer_;
  AsioTimerFactory timers_{io_};
  bool status_write_pending_ = false;
  RealClock clock_;
  // Before runtime_, which it instruments.
  std::unique_ptr<AgentMetrics> metrics_;
  // Shared so that a test can keep a fake runtime (and its pods) across
  // agent restarts.
  std::shared_ptr<CriRuntime> runtime_;
  std::unique_ptr<ProbeExecutor> probes_;
  std::unique_ptr<RegistryCredentials> credentials_;
  std::unique_ptr<PodLogLedger> pod_logs_;
  // Used by image garbage collection's passes on the executor, one at a
  // time: before executor_, so that it outlives them.
  std::unique_ptr<ImageGarbageCollector> image_gc_;
  // What housekeeping last measured, for the status file.
  v1::DiskUsage disk_usage_;
  std::unique_ptr<PodServices> pod_services_;
  std::unique_ptr<Reconciler> reconciler_;
  std::unique_ptr<StaticManifests> static_manifests_;
  DesiredStateCache cache_;
  std::string last_summary_;
  uint64_t applied_version_ = 0;
  bool stopping_ = false;
  // The coordinator's desired state being run (or its cached copy): the
  // base for a delta that follows the link's Hello.
  std::optional<v1::DesiredState> held_state_;
  std::string runtime_description_;
  v1::NodeSystemInfo system_info_;
  // After everything pod work uses, so it is joined before they go.
  std::unique_ptr<ThreadPoolExecutor> executor_;
  std::unique_ptr<PeriodicBackgroundTask> log_rotation_;
  std::unique_ptr<PeriodicBackgroundTask> image_collection_;
  // The node's identity towards the coordinators, and its renewal.
  std::unique_ptr<NodeCredentials> node_credentials_;
  std::unique_ptr<CertificateRotation> rotation_;
  // Last, so it is destroyed (and its threads stopped) before everything
  // its callbacks use.
  std::unique_ptr<CoordinatorLink> link_;
};

}  // namespace fleetset::agent
