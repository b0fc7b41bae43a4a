#include "agent/agent.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>

#include "agent/container_log_rotation.h"
#include "agent/credential_setup.h"
#include "agent/node_discovery.h"
#include "daemon/logging.h"
#include "fleetset/pod_readiness.h"
#include "fleetset/version.h"

namespace fleetset::agent {

namespace asio = boost::asio;

std::string StatusFilePath(const std::string& root_dir) { return root_dir + "/status.json"; }
std::string DesiredStateCachePath(const std::string& root_dir) {
  return root_dir + "/desired-state.pb";
}
std::string PodLogLedgerPath(const std::string& root_dir) { return root_dir + "/pod-logs"; }

namespace {

// Threads for pod work at most: each blocking CRI call (a pull, a stop that
// waits out its grace period) holds one, so this many pods' slow calls can
// run at once before another pod's work has to wait.
constexpr size_t kMaxPodWorkThreads = 32;

PodContext NodeDefaults(const AgentConfig& config) {
  PodContext defaults;
  defaults.node_name = config.NodeName();
  defaults.host_ip = config.NodeIp();
  defaults.log_root = config.pod_log_root;
  defaults.seccomp_profile_root = config.root_dir + "/seccomp";
  const ResolvConf resolv = ReadResolvConf();
  defaults.dns_servers = resolv.nameservers;
  defaults.dns_searches = resolv.searches;
  defaults.dns_options = resolv.options;
  return defaults;
}

std::string DescribeRuntime(CriRuntime& runtime) {
  cri::VersionRequest request;
  cri::VersionResponse response;
  grpc::Status status = runtime.Version(request, &response);
  if (!status.ok()) return "unreachable: " + status.error_message();
  return response.runtime_name() + " " + response.runtime_version();
}

}  // namespace

Agent::Agent(AgentInvocation invocation, Notifier& notifier)
    : Agent(std::move(invocation), notifier, nullptr) {}

Agent::Agent(AgentInvocation invocation, Notifier& notifier, std::shared_ptr<CriRuntime> runtime)
    : invocation_(std::move(invocation)),
      notifier_(notifier),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      static_timer_(io_),
      watchdog_timer_(io_),
      status_timer_(io_),
      heartbeat_timer_(io_),
      liveness_timer_(io_),
      runtime_(std::move(runtime)),
      cache_(DesiredStateCachePath(invocation_.config.root_dir)) {}

Agent::~Agent() = default;

int Agent::Run() {
  const AgentConfig& config = invocation_.config;
  std::error_code ec;
  std::filesystem::create_directories(config.root_dir + "/pods", ec);
  if (ec) {
    spdlog::error("cannot create --root-dir {}: {}", config.root_dir, ec.message());
    return 1;
  }
  if (!runtime_) runtime_ = ConnectCriRuntime(config.container_runtime_endpoint);
  metrics_ = std::make_unique<AgentMetrics>();
  // An address the operator asked for and cannot have is a failed start,
  // as for any daemon: health checks and scrapes would fail silently.
  if (!config.metrics_bind_address.empty() && !metrics_->Serve(config.metrics_bind_address)) {
    return 1;
  }
  runtime_ = metrics_->Instrument(std::move(runtime_));
  probes_ = MakeProbeExecutor(*runtime_);
  credentials_ = std::make_unique<RegistryCredentials>(config.root_dir + "/config.json");
  executor_ = std::make_unique<ThreadPoolExecutor>(kMaxPodWorkThreads);
  pod_logs_ = std::make_unique<PodLogLedger>(PodLogLedgerPath(config.root_dir));
  PodSeams seams;
  seams.runtime = runtime_.get();
  seams.probes = probes_.get();
  seams.clock = &clock_;
  seams.executor = executor_.get();
  seams.loop = &io_;
  seams.credentials = credentials_.get();
  seams.pod_logs = pod_logs_.get();
  pod_services_ =
      std::make_unique<PodServices>(seams, NodeDefaults(config), config.root_dir + "/pods");
  ReconcilerOptions options;
  options.sync_period = config.sync_frequency;
  options.expect_coordinator = !config.Standalone();
  reconciler_ = std::make_unique<Reconciler>(pod_services_->worker_deps(), options, timers_);
  reconciler_->OnStatusChanged([this] { StatusChanged(); });
  runtime_description_ = DescribeRuntime(*runtime_);
  reconciler_->SetRuntimeDescription(runtime_description_);
  spdlog::info("fleetset-agent v{} node {} runtime {} ({})", kVersion, config.NodeName(),
               config.container_runtime_endpoint, runtime_description_);

  ApplyNodeFacts();
  // Without any credential the agent cannot fix itself by restarting:
  // EX_CONFIG, which the unit does not restart on.
  if (!PrepareNodeCredentials()) return kExitConfig;
  if (!config.Standalone()) {
    std::string error;
    if (auto cached = cache_.Load(&error)) {
      spdlog::info("using the cached desired state (version {}) until a coordinator answers",
                   cached->version());
      applied_version_ = cached->version();
      reconciler_->SetCoordinatorState(*cached);
      held_state_ = std::move(cached);
    } else if (!error.empty()) {
      spdlog::warn("{}", error);
    }
  }
  static_manifests_ = std::make_unique<StaticManifests>(config.static_pod_path);
  ScanStaticManifests();
  // Before the reconciler starts, so that no pod it creates meanwhile can
  // be mistaken for one gone; on the loop's thread, which does not run yet.
  CleanUpStalePodLogs(*runtime_, *pod_logs_);
  reconciler_->Start();
  StartHousekeeping();
  WaitForSignals();
  if (auto interval = notifier_.WatchdogInterval()) ScheduleWatchdog(*interval);
  ScheduleStaticScan();
  ScheduleStatusHeartbeat();
  StartCoordinatorLink();
  ScheduleLivenessTick();
  notifier_.Ready(Summary());
  io_.run();
  return 0;
}

void Agent::ApplyCoordinatorState(const v1::DesiredState& state, bool first_on_stream) {
  if (state.version() < applied_version_) {
    if (!first_on_stream) {
      spdlog::info("ignoring desired state version {} older than {}", state.version(),
                   applied_version_);
      return;
    }
    // A coordinator answering a new stream is the authority, whatever its
    // numbering: one whose database came back from a backup counts from
    // where that backup was.
    spdlog::warn(
        "coordinator sent desired state version {}, older than the {} held (restored from a "
        "backup?); following it",
        state.version(), applied_version_);
  }
  std::string error;
  if (!cache_.Save(state, &error)) {
    // Running the new state matters more than caching it; say so loudly.
    spdlog::error("cannot persist the desired state: {}", error);
  }
  applied_version_ = state.version();
  held_state_ = state;
  reconciler_->SetCoordinatorState(state);
}

NodeFacts Agent::LocalNodeFacts() const {
  const AgentConfig& config = invocation_.config;
  NodeFacts facts;
  facts.name = config.NodeName();
  for (const auto& [key, value] : WellKnownLabels(facts.name)) facts.labels[key] = value;
  for (const auto& [key, value] : config.node_labels) facts.labels[key] = value;
  facts.taints = config.register_with_taints;
  return facts;
}

void Agent::ApplyNodeFacts() { reconciler_->SetLocalNodeFacts(LocalNodeFacts()); }

bool Agent::PrepareNodeCredentials() {
  const AgentConfig& config = invocation_.config;
  if (config.Standalone()) return true;
  try {
    NodeCredentialOptions options = CredentialOptionsFor(config);
    node_credentials_ = std::make_unique<NodeCredentials>(options);
    LoadNodeCredentials(*node_credentials_, options);
  } catch (const CredentialError& error) {
    spdlog::error("cannot connect to coordinators: {}", error.what());
    return false;
  }
  CertificateRotationSeams seams;
  seams.clock = &clock_;
  seams.timers = &timers_;
  seams.executor = executor_.get();
  seams.post_to_loop = [this](std::function<void()> task) { asio::post(io_, std::move(task)); };
  CertificateRotationCalls calls;
  calls.renew_at = [this] { return node_credentials_->RenewAt(); };
  calls.renew = [this] {
    const std::string connected = link_ ? link_->coordinator() : "";
    node_credentials_->Renew(connected.empty() ? invocation_.config.coordinators.front()
                                               : connected);
  };
  calls.renewed = [this] {
    if (link_) link_->Reconnect();
  };
  rotation_ = std::make_unique<CertificateRotation>(std::move(seams), std::move(calls));
  rotation_->Schedule();
  return true;
}

void Agent::StartCoordinatorLink() {
  const AgentConfig& config = invocation_.config;
  if (config.Standalone()) return;
  system_info_ = DiscoverSystemInfo();
  system_info_.set_container_runtime_version(runtime_description_);
  CoordinatorLinkOptions options;
  options.coordinators = config.coordinators;
  options.heartbeat_interval = config.node_status_update_frequency;
  options.credentials = [this](const std::string& address) {
    bool joined = false;
    auto credentials = CredentialsForStream(*node_credentials_, address, clock_, &joined);
    // A new certificate: its renewal is due in two thirds of its life.
    if (joined) asio::post(io_, [this] { rotation_->Schedule(); });
    return credentials;
  };
  CoordinatorLinkCallbacks callbacks;
  callbacks.make_hello = [this] { return MakeHello(); };
  callbacks.current_status = [this] { return CurrentStatus(); };
  callbacks.held_state = [this] { return held_state_; };
  callbacks.apply = [this](const v1::DesiredState& state, bool first_on_stream) {
    ApplyCoordinatorState(state, first_on_stream);
  };
  // The status file and systemd's STATUS= show the link.
  callbacks.connection_changed = [this] { StatusChanged(); };
  link_ = std::make_unique<CoordinatorLink>(io_, std::move(options), std::move(callbacks));
  link_->Start();
}

v1::Hello Agent::MakeHello() const {
  // The configuration as it is now, so a SIGHUP's labels and taints reach
  // the coordinator with the next Hello (it keeps its own record of a node
  // it has registered).
  const AgentConfig& config = invocation_.config;
  const NodeFacts facts = LocalNodeFacts();
  v1::Hello hello;
  hello.set_node_name(facts.name);
  hello.mutable_labels()->insert(facts.labels.begin(), facts.labels.end());
  for (const v1::Taint& taint : facts.taints) *hello.add_taints() = taint;
  *hello.mutable_node_info() = system_info_;
  if (const std::string ip = config.NodeIp(); !ip.empty()) {
    v1::NodeAddress* address = hello.add_addresses();
    address->set_type("InternalIP");
    address->set_address(ip);
  }
  v1::NodeAddress* hostname = hello.add_addresses();
  hostname->set_type("Hostname");
  hostname->set_address(facts.name);
  return hello;
}

v1::StatusReport Agent::CurrentStatus() const {
  v1::StatusReport report = reconciler_->Report();
  report.set_node_name(invocation_.config.NodeName());
  *report.mutable_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
  if (link_) report.set_coordinator(link_->coordinator());
  *report.mutable_disk_usage() = disk_usage_;
  return report;
}

void Agent::ScanStaticManifests() {
  if (invocation_.config.static_pod_path.empty()) return;
  if (static_manifests_->Scan() || !reconciler_->Synced()) {
    reconciler_->SetStaticWorkloads(static_manifests_->Workloads(), static_manifests_->Problems());
  }
}

void Agent::ScheduleStaticScan() {
  static_timer_.expires_after(invocation_.config.file_check_frequency);
  static_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    ScanStaticManifests();
    ScheduleStaticScan();
  });
}

void Agent::ScheduleWatchdog(std::chrono::microseconds interval) {
  // Pinging from the event loop itself is the point: a wedged loop stops
  // the pings and systemd restarts the agent.
  watchdog_timer_.expires_after(interval / 2);
  watchdog_timer_.async_wait([this, interval](boost::system::error_code ec) {
    if (ec) return;
    notifier_.Watchdog();
    ScheduleWatchdog(interval);
  });
}

void Agent::ScheduleLivenessTick() {
  metrics_->Tick();
  liveness_timer_.expires_after(std::chrono::seconds(1));
  liveness_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) ScheduleLivenessTick();
  });
}

void Agent::StartHousekeeping() {
  const AgentConfig& config = invocation_.config;
  PeriodicBackgroundTask::Seams seams;
  seams.timers = &timers_;
  seams.executor = executor_.get();
  seams.post_to_loop = [this](std::function<void()> task) { asio::post(io_, std::move(task)); };
  using LoopTask = PeriodicBackgroundTask::LoopTask;

  const ContainerLogPolicy policy{config.container_log_max_size, config.container_log_max_files};
  log_rotation_ = std::make_unique<PeriodicBackgroundTask>(
      seams, config.container_log_monitor_interval,
      [this, policy, node = config.NodeName()]() -> PeriodicBackgroundTask::BackgroundWork {
        return [this, policy, node]() -> LoopTask {
          const ContainerLogCheck check = RotateContainerLogs(*runtime_, node, policy, clock_);
          return [this, check] {
            metrics_->RecordContainerLogCheck(check);
            if (check.listed) disk_usage_.set_container_log_bytes(check.log_bytes);
          };
        };
      });
  log_rotation_->Start();

  ImageGcPolicy gc_policy;
  gc_policy.high_threshold_percent = config.image_gc_high_threshold_percent;
  gc_policy.low_threshold_percent = config.image_gc_low_threshold_percent;
  gc_policy.minimum_age = config.image_minimum_gc_age;
  image_gc_ = std::make_unique<ImageGarbageCollector>(*runtime_, StatvfsFilesystemStats(), clock_,
                                                      gc_policy);
  image_collection_ = std::make_unique<PeriodicBackgroundTask>(
      seams, kImageGcPeriod, [this]() -> PeriodicBackgroundTask::BackgroundWork {
        // The templates are the loop's; the pass gets their images.
        return [this, needed = reconciler_->NeededImages()]() -> LoopTask {
          const ImageGcResult result = image_gc_->Collect(needed);
          return [this, result] {
            metrics_->RecordImageGc(result);
            if (!result.measured) return;
            disk_usage_.set_image_fs_used_bytes(result.used_bytes);
            disk_usage_.set_image_fs_capacity_bytes(result.capacity_bytes);
          };
        };
      });
  // At once, as kubelet's image manager starts by taking stock: the status
  // shows the image filesystem from the start.
  image_collection_->RunNow();
}

std::string Agent::Summary() const {
  const v1::StatusReport report = CurrentStatus();
  int running = 0;
  int ready = 0;
  for (const v1::Pod& pod : report.pods()) {
    if (pod.status().phase() == "Running") ++running;
    if (IsPodReady(pod)) ++ready;
  }
  std::string summary = std::to_string(report.pods_size()) + " pods, " + std::to_string(running) +
                        " running, " + std::to_string(ready) + " ready";
  if (report.manifest_problems_size() > 0) {
    summary += "; " + std::to_string(report.manifest_problems_size()) + " bad static manifests";
  }
  summary += "; runtime " + report.runtime();
  if (link_) {
    summary +=
        "; coordinator " + (report.coordinator().empty() ? "disconnected" : report.coordinator());
  }
  return summary;
}

void Agent::StatusChanged() {
  // The link coalesces on its own (the newest report replaces one waiting).
  if (link_) link_->StatusChanged();
  // Coalesce bursts of changes into one write.
  if (status_write_pending_) return;
  status_write_pending_ = true;
  status_timer_.expires_after(std::chrono::milliseconds(100));
  status_timer_.async_wait([this](boost::system::error_code ec) {
    status_write_pending_ = false;
    if (ec) return;
    WriteStatus();
  });
}

void Agent::WriteStatus() {
  const v1::StatusReport report = CurrentStatus();
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  google::protobuf::util::MessageToJsonString(report, &json, options);
  std::string error;
  if (!WriteFileAtomically(StatusFilePath(invocation_.config.root_dir), json, &error)) {
    spdlog::warn("cannot write the status file: {}", error);
  }
  metrics_->Update(report, link_ && !report.coordinator().empty(), applied_version_);
  std::string summary = Summary();
  if (summary != last_summary_) {
    notifier_.Status(summary);
    last_summary_ = std::move(summary);
  }
}

void Agent::ScheduleStatusHeartbeat() {
  // The status file is rewritten at least every 10 s, so `fleetset-agent
  // status` can tell a live agent from a stopped one.
  heartbeat_timer_.expires_after(std::chrono::seconds(10));
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    WriteStatus();
    ScheduleStatusHeartbeat();
  });
}

void Agent::WaitForSignals() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      Reload();
      WaitForSignals();
      return;
    }
    Shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
  });
}

void Agent::RequestStop() {
  boost::asio::post(io_, [this] { Shutdown("a stop request"); });
}

void Agent::Shutdown(const char* why) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("received {}, stopping (pods keep running)", why);
  notifier_.Stopping();
  // The link first: it must not hand the reconciler a new state while the
  // reconciler is stopping.
  if (link_) link_->Stop();
  WriteStatus();
  reconciler_->Stop();
  // Pod work still in flight finishes (its results, posted to a stopped
  // loop, are dropped); nothing is left running behind the agent's back.
  executor_->Join();
  io_.stop();
}

void Agent::Reload() {
  notifier_.Reloading();
  ConfigResult result = ReloadAgentConfig(invocation_);
  if (auto* error = std::get_if<ConfigError>(&result)) {
    spdlog::error("reload failed, keeping the current configuration:\n{}", error->message);
  } else {
    AgentConfig next = std::get<AgentConfig>(std::move(result));
    const AgentConfig& current = invocation_.config;
    if (next.NodeName() != current.NodeName() || next.root_dir != current.root_dir ||
        next.container_runtime_endpoint != current.container_runtime_endpoint ||
        next.coordinators != current.coordinators ||
        next.node_status_update_frequency != current.node_status_update_frequency ||
        next.metrics_bind_address != current.metrics_bind_address) {
      spdlog::warn(
          "node name, root dir, runtime endpoint, coordinators, node status update frequency "
          "and metrics bind address change only on restart");
    }
    spdlog::set_level(next.log_level);
    const bool static_path_changed = next.static_pod_path != current.static_pod_path;
    invocation_.config.node_labels = next.node_labels;
    invocation_.config.register_with_taints = next.register_with_taints;
    invocation_.config.static_pod_path = next.static_pod_path;
    invocation_.config.file_check_frequency = next.file_check_frequency;
    invocation_.config.log_level = next.log_level;
    if (static_path_changed)
      static_manifests_ = std::make_unique<StaticManifests>(next.static_pod_path);
    ApplyNodeFacts();
    ScanStaticManifests();
    spdlog::info("configuration reloaded");
  }
  notifier_.Ready(Summary());
}

}  // namespace fleetset::agent
