// fleetset_coordinator_bench: how the coordinator copes with a large fleet.
//
// For each fleet size N it starts the real fleetset-coordinator binary as a
// child process (fresh data directory, free port on 127.0.0.1), connects N
// simulated agents to it (bench/simulated_agents.h: a fake runtime that
// starts pods instantly, so every millisecond measured is the
// coordinator's, gRPC's or the simulation's), and measures:
//   connect  every agent's Hello -> its first DesiredState snapshot;
//   apply    OperatorService.ApplyDaemonSet -> each node first reporting
//            the DaemonSet's pod running (maxUnavailable 10%);
//   update   OperatorService.SetImage -> each node first reporting the new
//            revision running, through the rolling update's waves;
//   idle     N agents connected and heartbeating, nothing changing;
// with the coordinator's CPU (utime+stime) and RSS (now and peak) from
// /proc for each phase. A bare OperatorService.Version round trip gives
// the scale the latencies are compared with. Figures only; nothing here
// passes or fails.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/coordinator_process.h"
#include "bench/simulated_agents.h"
#include "fleetset/manifest.h"
#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::bench {
namespace {

constexpr char kNamespace[] = "default";
constexpr char kDaemonSetName[] = "bench";
constexpr char kContainer[] = "main";
constexpr char kUpdatedImage[] = "docker.io/library/busybox:1.36.1";
// The product's goals at N = 5,000.
constexpr int kGoalNodes = 5000;
constexpr double kGoalApplyP99Seconds = 2.0;
constexpr double kGoalRssMb = 512.0;

constexpr char kManifest[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: bench
  namespace: default
spec:
  selector:
    matchLabels: {app: bench}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: "10%"}
  template:
    metadata:
      labels: {app: bench}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers:
      - name: main
        image: docker.io/library/busybox:1.36.0
        command: [sleep, "3600"]
        resources:
          requests: {cpu: 10m, memory: 16Mi}
          limits: {memory: 32Mi}
)";

std::atomic<bool> g_interrupted{false};

void OnStopSignal(int) { g_interrupted = true; }

struct Options {
  std::string coordinator = FLEETSET_COORDINATOR_PATH;
  std::vector<int> nodes = {100, 1000, 5000};
  int agents_per_channel = 50;
  int heartbeat_seconds = 10;
  int idle_seconds = 10;
  int timeout_seconds = 300;
  int rpc_samples = 300;
  std::string log_level = "info";
  bool keep = false;
};

double Ms(SteadyClock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

double Seconds(SteadyClock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

struct Distribution {
  size_t count = 0;
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

// Nearest-rank percentiles of `values` (ms).
Distribution Summarize(std::vector<double> values) {
  Distribution result;
  result.count = values.size();
  if (values.empty()) return result;
  std::sort(values.begin(), values.end());
  auto rank = [&](double percentile) {
    const auto index = static_cast<size_t>(std::ceil(percentile / 100 * values.size()));
    return values[std::clamp<size_t>(index, 1, values.size()) - 1];
  };
  result.p50 = rank(50);
  result.p99 = rank(99);
  result.max = values.back();
  return result;
}

Distribution Since(SteadyClock::time_point start, const std::vector<SteadyClock::time_point>& at) {
  std::vector<double> values;
  values.reserve(at.size());
  for (const auto& time : at) values.push_back(Ms(time - start));
  return Summarize(std::move(values));
}

// CPU and memory of the coordinator (and the bench's own CPU, which
// competes with it for the same cores) over one phase, and the agent
// streams lost (and opened again) in it.
class UsageWindow {
 public:
  UsageWindow(pid_t coordinator, const FleetRecorder& recorder)
      : coordinator_(coordinator),
        recorder_(recorder),
        start_(SteadyClock::now()),
        before_(Read(coordinator)),
        self_before_(Read(getpid())),
        lost_before_(recorder.lost_streams()) {}

  struct Figures {
    double wall_s = 0;
    double cpu_s = 0;
    double bench_cpu_s = 0;
    size_t lost_streams = 0;
    ProcessUsage now;
  };

  Figures Finish() const {
    Figures figures;
    figures.wall_s = Seconds(SteadyClock::now() - start_);
    figures.now = Read(coordinator_);
    figures.cpu_s = figures.now.cpu_seconds - before_.cpu_seconds;
    figures.bench_cpu_s = Read(getpid()).cpu_seconds - self_before_.cpu_seconds;
    figures.lost_streams = recorder_.lost_streams() - lost_before_;
    return figures;
  }

 private:
  static ProcessUsage Read(pid_t pid) { return ReadProcessUsage(pid).value_or(ProcessUsage()); }

  pid_t coordinator_;
  const FleetRecorder& recorder_;
  SteadyClock::time_point start_;
  ProcessUsage before_;
  ProcessUsage self_before_;
  size_t lost_before_;
};

struct Phase {
  std::string name;
  // Per node, from the phase's start; absent for the idle phase.
  std::optional<Distribution> latency;
  // How many nodes got there (N when the phase completed).
  size_t reached = 0;
  // GetDaemonSet showing all N updated and available, from the start.
  std::optional<double> confirmed_ms;
  UsageWindow::Figures usage;
};

struct Run {
  int nodes = 0;
  int channels = 0;
  Distribution bare_rpc;
  std::vector<Phase> phases;
  std::map<std::string, size_t> losses;  // agent streams lost, by reason
  std::string error;

  const Phase* Find(const std::string& name) const {
    for (const Phase& phase : phases) {
      if (phase.name == name) return &phase;
    }
    return nullptr;
  }
};

// The operator API, as fleetsetctl uses it.
class OperatorClient {
 public:
  explicit OperatorClient(const std::string& address)
      : stub_(v1::OperatorService::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {}

  grpc::Status Version() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::VersionResponse response;
    return stub_->Version(&context, v1::VersionRequest(), &response);
  }

  // Round trips of the no-op call, ms.
  Distribution MeasureVersion(int samples) {
    std::vector<double> values;
    for (int i = 0; i < samples && !g_interrupted; ++i) {
      const auto start = SteadyClock::now();
      if (Version().ok()) values.push_back(Ms(SteadyClock::now() - start));
    }
    return Summarize(std::move(values));
  }

  grpc::Status Apply(const v1::DaemonSet& daemon_set) {
    grpc::ClientContext context;
    Deadline(context);
    v1::ApplyDaemonSetRequest request;
    *request.mutable_daemon_set() = daemon_set;
    v1::ApplyDaemonSetResponse response;
    return stub_->ApplyDaemonSet(&context, request, &response);
  }

  grpc::Status SetImage(const std::string& image) {
    grpc::ClientContext context;
    Deadline(context);
    v1::SetImageRequest request;
    *request.mutable_key() = Key();
    (*request.mutable_images())[kContainer] = image;
    v1::ApplyDaemonSetResponse response;
    return stub_->SetImage(&context, request, &response);
  }

  // The hash of the DaemonSet's newest revision: what the nodes must run.
  std::optional<std::string> NewestHash() {
    grpc::ClientContext context;
    Deadline(context);
    v1::RolloutHistoryRequest request;
    *request.mutable_key() = Key();
    v1::RolloutHistoryResponse response;
    if (!stub_->RolloutHistory(&context, request, &response).ok() || response.revisions().empty()) {
      return std::nullopt;
    }
    auto newest =
        std::max_element(response.revisions().begin(), response.revisions().end(),
                         [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
    return newest->hash();
  }

  // Polls GetDaemonSet until the coordinator's own status says every node
  // runs the newest revision, available.
  bool WaitForRolledOut(int nodes, SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline && !g_interrupted) {
      grpc::ClientContext context;
      Deadline(context);
      v1::GetDaemonSetRequest request;
      *request.mutable_key() = Key();
      v1::DaemonSet daemon_set;
      if (stub_->GetDaemonSet(&context, request, &daemon_set).ok()) {
        const v1::DaemonSetStatus& status = daemon_set.status();
        if (status.observed_generation() == daemon_set.metadata().generation() &&
            status.desired_number_scheduled() == nodes &&
            status.updated_number_scheduled() == nodes && status.number_available() == nodes) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  static v1::ObjectKey Key() {
    v1::ObjectKey key;
    key.set_namespace_(kNamespace);
    key.set_name(kDaemonSetName);
    return key;
  }

  std::unique_ptr<v1::OperatorService::Stub> stub_;
};

v1::DaemonSet BenchDaemonSet() {
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(kManifest, "bench");
  if (loaded.size() != 1 || !loaded.front().ok()) {
    throw std::runtime_error("the bench's own DaemonSet manifest does not load");
  }
  return loaded.front().daemon_set;
}

bool WaitUntilServing(OperatorClient& client, CoordinatorProcess& coordinator) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (SteadyClock::now() < deadline && !g_interrupted && coordinator.Running()) {
    if (client.Version().ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// One change the fleet must roll out: from `change` to every node running
// the newest revision (as the agents report it) and then to the
// coordinator's status saying so.
Phase MeasureRollout(const std::string& name, int nodes, pid_t coordinator, OperatorClient& client,
                     FleetRecorder& recorder, const std::function<grpc::Status()>& change,
                     SteadyClock::time_point deadline, std::string* error) {
  Phase phase;
  phase.name = name;
  UsageWindow usage(coordinator, recorder);
  const auto start = SteadyClock::now();
  if (grpc::Status status = change(); !status.ok()) {
    *error = name + ": " + status.error_message();
    return phase;
  }
  const std::optional<std::string> hash = client.NewestHash();
  if (!hash) {
    *error = name + ": no revision in the DaemonSet's history";
    return phase;
  }
  const auto running =
      recorder.WaitForRunning({{std::string(kNamespace) + "/" + kDaemonSetName, *hash}},
                              static_cast<size_t>(nodes), deadline);
  phase.reached = running.size();
  phase.latency = Since(start, running);
  if (phase.reached == static_cast<size_t>(nodes) && client.WaitForRolledOut(nodes, deadline)) {
    phase.confirmed_ms = Ms(SteadyClock::now() - start);
  }
  phase.usage = usage.Finish();
  return phase;
}

Run RunFleet(const Options& options, int nodes) {
  Run run;
  run.nodes = nodes;
  TempDir dir("fleetset-coordinator-bench");
  if (options.keep) dir.keep();
  const int port = PickFreePort();
  std::unique_ptr<CoordinatorProcess> coordinator = CoordinatorProcess::Start(
      options.coordinator, dir.path(), port, {"--log-level", options.log_level}, &run.error);
  if (!coordinator) return run;
  OperatorClient client(coordinator->address());
  if (!WaitUntilServing(client, *coordinator)) {
    run.error = "the coordinator did not serve on " + coordinator->address() + ":\n" +
                coordinator->LogTail(20);
    return run;
  }
  run.bare_rpc = client.MeasureVersion(options.rpc_samples);
  const pid_t pid = coordinator->pid();
  const auto timeout = std::chrono::seconds(options.timeout_seconds);

  SimulatedFleetOptions fleet_options;
  fleet_options.coordinator = coordinator->address();
  fleet_options.nodes = nodes;
  fleet_options.agents_per_channel = options.agents_per_channel;
  fleet_options.heartbeat_period = std::chrono::seconds(options.heartbeat_seconds);
  fleet_options.interrupted = &g_interrupted;
  SimulatedFleet fleet(fleet_options);
  run.channels = fleet.channels();
  FleetRecorder& recorder = fleet.recorder();

  auto failed = [&](const std::string& phase) {
    run.losses = recorder.losses();
    if (!run.error.empty()) return true;
    if (recorder.failures() > 0) {
      run.error = phase + ": " + std::to_string(recorder.failures()) +
                  " agent stream(s) failed; first: " + recorder.first_failure();
    } else if (g_interrupted) {
      run.error = "interrupted";
    } else if (run.phases.back().reached < static_cast<size_t>(nodes) ||
               (run.phases.back().latency && phase != "connect" &&
                !run.phases.back().confirmed_ms)) {
      run.error = phase + ": not finished within " + std::to_string(options.timeout_seconds) + " s";
    }
    if (!coordinator->Running())
      run.error += "; the coordinator exited:\n" + coordinator->LogTail(20);
    return !run.error.empty();
  };

  {
    Phase& phase = run.phases.emplace_back();
    phase.name = "connect";
    UsageWindow usage(pid, recorder);
    const auto start = SteadyClock::now();
    fleet.Connect();
    const auto snapshots =
        recorder.WaitForSnapshots(static_cast<size_t>(nodes), SteadyClock::now() + timeout);
    phase.reached = snapshots.size();
    phase.latency = Since(start, snapshots);
    phase.usage = usage.Finish();
  }
  if (failed("connect")) return run;

  const v1::DaemonSet daemon_set = BenchDaemonSet();
  run.phases.push_back(MeasureRollout(
      "apply", nodes, pid, client, recorder, [&] { return client.Apply(daemon_set); },
      SteadyClock::now() + timeout, &run.error));
  if (failed("apply")) return run;

  run.phases.push_back(MeasureRollout(
      "update", nodes, pid, client, recorder, [&] { return client.SetImage(kUpdatedImage); },
      SteadyClock::now() + timeout, &run.error));
  if (failed("update")) return run;

  {
    Phase& phase = run.phases.emplace_back();
    phase.name = "idle";
    phase.reached = static_cast<size_t>(nodes);
    UsageWindow usage(pid, recorder);
    const auto end = SteadyClock::now() + std::chrono::seconds(options.idle_seconds);
    while (SteadyClock::now() < end && !g_interrupted) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    phase.usage = usage.Finish();
  }
  failed("idle");
  if (options.keep)
    std::printf("kept %s (coordinator log: %s)\n", dir.path().c_str(),
                coordinator->log_path().c_str());
  return run;
}

void PrintRun(const Run& run) {
  std::printf("\n== N = %d simulated agents over %d channels ==\n", run.nodes, run.channels);
  std::printf(
      "bare RPC round trip (OperatorService.Version, idle coordinator, %zu calls): "
      "p50 %.3f ms, p99 %.3f ms\n",
      run.bare_rpc.count, run.bare_rpc.p50, run.bare_rpc.p99);
  std::printf("%-8s %6s %9s %9s %9s %10s %7s %8s %6s %8s %8s %8s %6s\n", "phase", "nodes", "p50 ms",
              "p99 ms", "max ms", "status ms", "wall s", "coord s", "CPU %", "RSS MB", "peak MB",
              "bench s", "lost");
  for (const Phase& phase : run.phases) {
    std::printf("%-8s %6zu ", phase.name.c_str(), phase.reached);
    if (phase.latency) {
      std::printf("%9.1f %9.1f %9.1f ", phase.latency->p50, phase.latency->p99, phase.latency->max);
    } else {
      std::printf("%9s %9s %9s ", "-", "-", "-");
    }
    if (phase.confirmed_ms) {
      std::printf("%10.1f ", *phase.confirmed_ms);
    } else {
      std::printf("%10s ", "-");
    }
    const UsageWindow::Figures& usage = phase.usage;
    const double percent = usage.wall_s > 0 ? 100 * usage.cpu_s / usage.wall_s : 0;
    std::printf("%7.2f %8.2f %6.1f %8.1f %8.1f %8.2f %6zu\n", usage.wall_s, usage.cpu_s, percent,
                usage.now.rss_mb, usage.now.peak_rss_mb, usage.bench_cpu_s, usage.lost_streams);
  }
  for (const auto& [reason, count] : run.losses) {
    std::printf("agent streams lost (opened again after a back-off): %zu x %s\n", count,
                reason.c_str());
  }
  if (!run.error.empty()) std::printf("INCOMPLETE: %s\n", run.error.c_str());
}

void PrintSummary(const std::vector<Run>& runs) {
  std::printf("\n== Summary (seconds; per node from the operator's call) ==\n");
  std::printf("%6s %9s %10s %10s %10s %10s %10s %10s %8s %8s %10s\n", "N", "connect", "apply p50",
              "apply p99", "apply all", "update p50", "update p99", "update all", "RSS MB",
              "peak MB", "p99/RPC");
  for (const Run& run : runs) {
    const Phase* connect = run.Find("connect");
    const Phase* apply = run.Find("apply");
    const Phase* update = run.Find("update");
    auto seconds = [](const Phase* phase, double Distribution::*field) {
      return phase && phase->latency ? phase->latency.value().*field / 1000 : NAN;
    };
    const Phase* last = run.phases.empty() ? nullptr : &run.phases.back();
    std::printf(
        "%6d %9.2f %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %8.1f %8.1f %9.0fx\n", run.nodes,
        seconds(connect, &Distribution::max), seconds(apply, &Distribution::p50),
        seconds(apply, &Distribution::p99), seconds(apply, &Distribution::max),
        seconds(update, &Distribution::p50), seconds(update, &Distribution::p99),
        seconds(update, &Distribution::max), last ? last->usage.now.rss_mb : NAN,
        last ? last->usage.now.peak_rss_mb : NAN,
        run.bare_rpc.p50 > 0 ? seconds(apply, &Distribution::p99) * 1000 / run.bare_rpc.p50 : NAN);
  }
  for (const Run& run : runs) {
    if (run.nodes != kGoalNodes) continue;
    const Phase* apply = run.Find("apply");
    if (apply != nullptr && apply->latency && apply->reached == static_cast<size_t>(run.nodes)) {
      const double p99 = apply->latency->p99 / 1000;
      std::printf("apply->all running p99 at %d: %.3f s (goal <= %.0f s): %s\n", run.nodes, p99,
                  kGoalApplyP99Seconds, p99 <= kGoalApplyP99Seconds ? "met" : "MISSED");
      std::printf("  that is %.0fx a bare RPC round trip (p50 %.3f ms)\n",
                  apply->latency->p99 / run.bare_rpc.p50, run.bare_rpc.p50);
    } else {
      std::printf("apply->all running p99 at %d: not measured (run incomplete)\n", run.nodes);
    }
    if (!run.phases.empty()) {
      const ProcessUsage& usage = run.phases.back().usage.now;
      std::printf("coordinator RSS at %d: %.1f MB now, %.1f MB peak (goal <= %.0f MB): %s\n",
                  run.nodes, usage.rss_mb, usage.peak_rss_mb, kGoalRssMb,
                  usage.peak_rss_mb <= kGoalRssMb ? "met" : "MISSED");
    }
  }
}

int Main(int argc, char** argv) {
  Options options;
  CLI::App app{"Scale benchmark of fleetset-coordinator with simulated agents (fake runtime)",
               "fleetset_coordinator_bench"};
  app.add_option("--coordinator", options.coordinator, "fleetset-coordinator binary")
      ->capture_default_str();
  app.add_option("--nodes", options.nodes, "Fleet sizes, one fresh coordinator each")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--agents-per-channel", options.agents_per_channel,
                 "Agents sharing one gRPC channel (TCP connection)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--heartbeat-seconds", options.heartbeat_seconds, "Agent heartbeat period")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-seconds", options.idle_seconds, "Length of the idle window")
      ->capture_default_str();
  app.add_option("--timeout-seconds", options.timeout_seconds, "Limit for each phase")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rpc-samples", options.rpc_samples, "Version calls for the bare round trip")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--log-level", options.log_level, "The coordinator's --log-level")
      ->capture_default_str();
  app.add_flag("--keep", options.keep, "Keep the temporary directories (data, coordinator.log)");
  CLI11_PARSE(app, argc, argv);

  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // Both the agents' connections (here) and the coordinator (which
  // inherits the limit) need a descriptor per connection.
  const unsigned long open_files = RaiseOpenFileLimit();

  std::printf("fleetset_coordinator_bench: coordinator %s, log level %s\n",
              options.coordinator.c_str(), options.log_level.c_str());
  std::printf("%ld CPUs, open-file limit %lu, %d agents per channel, heartbeat every %d s\n",
              sysconf(_SC_NPROCESSORS_ONLN), open_files, options.agents_per_channel,
              options.heartbeat_seconds);
  std::printf(
      "latencies per node from the operator's call; status ms: until GetDaemonSet shows "
      "all updated and available;\ncoord s / CPU %%: the coordinator's utime+stime in the "
      "phase (100%% = one core); bench s: this process\n");
  std::fflush(stdout);

  std::vector<Run> runs;
  for (int nodes : options.nodes) {
    if (g_interrupted) break;
    runs.push_back(RunFleet(options, nodes));
    PrintRun(runs.back());
    std::fflush(stdout);
  }
  PrintSummary(runs);
  return std::all_of(runs.begin(), runs.end(), [](const Run& run) { return run.error.empty(); })
             ? 0
             : 1;
}

}  // namespace
}  // namespace fleetset::bench

int main(int argc, char** argv) { return fleetset::bench::Main(argc, argv); }
