// fleetset_coordinator_bench: how the coordinator copes with a large fleet.
//
// For each fleet size N it starts the real fleetset-coordinator binary as a
// child process (fresh data directory, free port on 127.0.0.1), which
// serves mutual TLS only: the operator's calls use the admin.conf the
// coordinator writes, and each of the N simulated agents
// (bench/simulated_agents.h: a fake runtime that starts pods instantly, so
// every millisecond measured is the coordinator's, gRPC's or the
// simulation's) presents a node certificate of its own on a connection of
// its own. The bench mints those certificates with the coordinator's CA
// before anything is timed (the time it takes is reported apart), then
// measures, with K DaemonSets that each run on every node:
//   connect  every agent's connection, TLS handshake and Hello -> its
//            first DesiredState snapshot;
//   apply    OperatorService.ApplyDaemonSet for all K -> each node first
//            reporting each DaemonSet's pod running (maxUnavailable 10%;
//            when its fake runtime started the pod is printed beside);
//   update   OperatorService.SetImage for all K -> each node first
//            reporting each DaemonSet's new revision running, through the
//            rolling updates' waves;
//   delete   with --rounds R > 1, before each round's apply after the
//            first: DeleteDaemonSet for all K -> each node stopping its
//            pods, then no pod listed (the next round's template is marked
//            with its number, so its revisions are new to the nodes);
//   idle     N agents connected and heartbeating, nothing changing;
// with the coordinator's CPU (utime+stime) and RSS (now and peak) from
// /proc for each phase. A bare OperatorService.Version round trip gives
// the scale the latencies are compared with. The figures recorded before
// mutual TLS (plaintext, which the coordinator no longer serves) are
// printed beside the N = 10,000 ones. Each run ends in one key=value line
// for scripts. With --stores etcd the same fleet is driven by several
// coordinators sharing a real etcd cluster (bench/coordinator_set.h), with
// each coordinator's and etcd's usage, etcd's write rate and a failover
// phase (the leader SIGKILLed), set beside the SQLite run of the same
// size. Figures only; nothing here passes or fails.
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
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench/coordinator_process.h"
#include "bench/coordinator_set.h"
#include "bench/node_certificates.h"
#include "bench/simulated_agents.h"
#include "coordinator/timestamps.h"
#include "daemon/lock_order_checks.h"
#include "fleetset/manifest.h"
#include "fleetset/pki/client_config.h"
#include "fleetset/pki/pki_error.h"
#include "fleetset/pki/secret_files.h"
#include "fleetset/tls_channel.h"
#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::bench {
namespace {

constexpr char kNamespace[] = "default";
constexpr char kContainer[] = "main";
constexpr char kUpdatedImage[] = "docker.io/library/busybox:1.36.1";
constexpr char kRoundAnnotation[] = "bench.fleetset.io/round";
// What the failover phase changes the first DaemonSet to.
constexpr char kFailoverImage[] = "docker.io/library/busybox:1.37.0";

// The product's goals, for the fleet shapes and stores they are stated
// for; `metric` names a field of the summary line.
struct Goal {
  const char* store;
  int nodes;
  int daemon_sets;
  const char* metric;
  double limit;
};
constexpr Goal kGoals[] = {
    {"sqlite", 10000, 1, "update_p99_s", 2.0},
    {"sqlite", 10000, 1, "apply_p99_s", 0.8},
    {"sqlite", 10000, 1, "status_lag_s", 0.2},
    {"sqlite", 10000, 1, "idle_cpu_pct", 3.0},
    {"sqlite", 10000, 1, "rss_mb", 400.0},
    {"sqlite", 5000, 20, "apply_p99_s", 2.0},
    {"sqlite", 5000, 20, "idle_cpu_pct", 5.0},
    {"sqlite", 5000, 20, "rss_mb", 600.0},
    // Several coordinators on a three-member etcd, the leader's lease 3 s.
    {"etcd", 10000, 1, "apply_p99_s", 2.0},
    {"etcd", 10000, 1, "update_p99_s", 4.0},
    {"etcd", 10000, 1, "failover_s", 5.0},
};

// The figures of the bench before mutual TLS, when the agents spoke
// plaintext gRPC and shared connections (50 agents per channel, the
// default then). The coordinator serves TLS only now, so they cannot be
// measured again; they are kept to see what TLS costs. What it may cost:
// connect within twice the plaintext time, idle CPU within one point of
// the plaintext figure.
struct Baseline {
  int nodes;
  int daemon_sets;
  double connect_s;
  double idle_cpu_pct;
  double apply_p99_s;
  double update_p99_s;
  double rss_mb;
};
constexpr Baseline kPlaintextBaseline = {10000, 1, 15.6, 9.5, 5.54, 10.8, 495.0};
constexpr double kConnectLimitTimesPlaintext = 2.0;
constexpr double kIdleCpuLimitPointsOverPlaintext = 1.0;

// Longer than any run: renewing node certificates is not what the bench
// measures.
constexpr auto kNodeCertificateValidity = std::chrono::hours(24);

// Every DaemonSet of a run is this one under its own name and app label:
// distinct templates, so each has its own revisions.
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
  std::vector<int> nodes = {10000};
  int daemon_sets = 1;
  // Accepted only as 1, for scripts that pass it: see its --help.
  int agents_per_channel = 1;
  int heartbeat_seconds = 10;
  int settle_seconds = 2;
  // Apply and update, each round after the first preceded by deleting the
  // DaemonSets, on the same connected fleet.
  int rounds = 1;
  int idle_seconds = 10;
  int timeout_seconds = 300;
  int rpc_samples = 300;
  std::string log_level = "info";
  bool keep = false;
  // Each fleet size runs once per store: "sqlite" (one coordinator) and
  // "etcd" (shared_coordinators on an etcd cluster of etcd_members).
  std::vector<std::string> stores = {"sqlite"};
  int shared_coordinators = 3;
  int etcd_members = 3;
  int leader_lease_seconds = 3;
  // The failover phase on etcd (off: the run ends after the idle window).
  bool failover = true;
};

double Ms(SteadyClock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

double Seconds(std::chrono::nanoseconds duration) {
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

// CPU and memory of the coordinators (and the bench's own CPU, which
// competes with them for the same cores) over one phase, the agent streams
// lost (and opened again) in it, and on etcd the members' CPU and the
// writes they took.
class UsageWindow {
 public:
  UsageWindow(CoordinatorSet& coordinators, const FleetRecorder& recorder)
      : coordinators_(coordinators.pids()),
        etcd_(coordinators.etcd()),
        etcd_pids_(etcd_ ? etcd_->pids() : std::vector<pid_t>()),
        recorder_(recorder),
        start_(SteadyClock::now()),
        before_(ReadAll(coordinators_)),
        etcd_before_(ReadAll(etcd_pids_)),
        revision_before_(etcd_ ? etcd_->Revision() : std::nullopt),
        keys_before_(etcd_ ? etcd_->Keys() : std::nullopt),
        self_before_(Read(getpid())),
        machine_before_(ReadMachineUsage()),
        lost_before_(recorder.lost_streams()),
        traffic_before_(recorder.traffic()) {}

  struct Figures {
    double wall_s = 0;
    // All the coordinators together.
    double cpu_s = 0;
    double bench_cpu_s = 0;
    size_t lost_streams = 0;
    // The largest RSS and peak among the coordinators.
    ProcessUsage now;
    // Each coordinator's CPU seconds and usage at the end; nullopt for one
    // that was gone by then.
    std::vector<std::optional<std::pair<double, ProcessUsage>>> each;
    // With etcd: its members' CPU seconds and RSS, write transactions and
    // the keys they put and deleted.
    double etcd_cpu_s = NAN;
    double etcd_rss_mb = NAN;
    double etcd_writes = NAN;
    double etcd_puts = NAN;
    double etcd_deletes = NAN;
    // The whole machine's busy and stolen CPU seconds (all cores).
    double machine_busy_s = NAN;
    double machine_steal_s = NAN;
    // What went over the agents' streams: the coordinators' messages
    // (desired-state snapshots and deltas) and the agents' status reports.
    uint64_t messages_received = 0;
    uint64_t reports_sent = 0;
  };

  Figures Finish() const {
    Figures figures;
    figures.wall_s = Seconds(SteadyClock::now() - start_);
    const auto after = ReadAll(coordinators_);
    for (size_t i = 0; i < after.size(); ++i) {
      if (!after[i] || !before_[i]) {
        figures.each.emplace_back();
        continue;
      }
      const double cpu = after[i]->cpu_seconds - before_[i]->cpu_seconds;
      figures.each.emplace_back(std::make_pair(cpu, *after[i]));
      figures.cpu_s += cpu;
      figures.now.rss_mb = std::max(figures.now.rss_mb, after[i]->rss_mb);
      figures.now.peak_rss_mb = std::max(figures.now.peak_rss_mb, after[i]->peak_rss_mb);
    }
    if (etcd_ != nullptr) {
      const auto etcd_after = ReadAll(etcd_pids_);
      figures.etcd_cpu_s = 0;
      figures.etcd_rss_mb = 0;
      for (size_t i = 0; i < etcd_after.size(); ++i) {
        if (!etcd_after[i] || !etcd_before_[i]) continue;
        figures.etcd_cpu_s += etcd_after[i]->cpu_seconds - etcd_before_[i]->cpu_seconds;
        figures.etcd_rss_mb = std::max(figures.etcd_rss_mb, etcd_after[i]->rss_mb);
      }
      const std::optional<int64_t> revision = etcd_->Revision();
      if (revision && revision_before_) {
        figures.etcd_writes = static_cast<double>(*revision - *revision_before_);
      }
      if (const auto keys = etcd_->Keys(); keys && keys_before_) {
        figures.etcd_puts = keys->puts - keys_before_->puts;
        figures.etcd_deletes = keys->deletes - keys_before_->deletes;
      }
    }
    figures.bench_cpu_s = Read(getpid()).cpu_seconds - self_before_.cpu_seconds;
    if (const std::optional<MachineUsage> machine = ReadMachineUsage();
        machine && machine_before_) {
      figures.machine_busy_s = machine->busy_seconds - machine_before_->busy_seconds;
      figures.machine_steal_s = machine->steal_seconds - machine_before_->steal_seconds;
    }
    figures.lost_streams = recorder_.lost_streams() - lost_before_;
    const FleetRecorder::Traffic traffic = recorder_.traffic();
    figures.messages_received = traffic.messages_received - traffic_before_.messages_received;
    figures.reports_sent = traffic.reports_sent - traffic_before_.reports_sent;
    return figures;
  }

 private:
  static ProcessUsage Read(pid_t pid) { return ReadProcessUsage(pid).value_or(ProcessUsage()); }
  static std::vector<std::optional<ProcessUsage>> ReadAll(const std::vector<pid_t>& pids) {
    std::vector<std::optional<ProcessUsage>> usage;
    for (pid_t pid : pids) usage.push_back(ReadProcessUsage(pid));
    return usage;
  }

  std::vector<pid_t> coordinators_;
  const EtcdMembers* etcd_;
  std::vector<pid_t> etcd_pids_;
  const FleetRecorder& recorder_;
  SteadyClock::time_point start_;
  std::vector<std::optional<ProcessUsage>> before_;
  std::vector<std::optional<ProcessUsage>> etcd_before_;
  std::optional<int64_t> revision_before_;
  std::optional<EtcdMembers::KeysWritten> keys_before_;
  ProcessUsage self_before_;
  std::optional<MachineUsage> machine_before_;
  size_t lost_before_;
  FleetRecorder::Traffic traffic_before_;
};

struct Phase {
  std::string name;
  // Per node (connect) or per pod, i.e. node and DaemonSet (apply,
  // update), from the phase's start; absent for the idle phase.
  std::optional<Distribution> latency;
  // The same pods' starts in their nodes' fake runtimes (apply, update):
  // what the reports that `latency` times were waiting behind.
  std::optional<Distribution> started;
  // How many nodes or pods got there, of how many.
  size_t reached = 0;
  size_t expected = 0;
  // GetDaemonSet showing every DaemonSet updated and available on all N,
  // from the start and from the last pod reported running.
  std::optional<double> confirmed_ms;
  std::optional<double> lag_ms;
  // The operator's calls, from the first one's start to the last one's
  // answer (apply, update).
  std::optional<double> calls_ms;
  UsageWindow::Figures usage;

  bool complete() const { return reached == expected; }
  double cpu_percent() const { return usage.wall_s > 0 ? 100 * usage.cpu_s / usage.wall_s : 0; }
  double etcd_writes_per_s() const {
    return usage.wall_s > 0 ? usage.etcd_writes / usage.wall_s : NAN;
  }
};

struct Run {
  int nodes = 0;
  int daemon_sets = 0;
  // "sqlite" (one coordinator) or "etcd" (several sharing it).
  std::string store = "sqlite";
  int coordinators = 1;
  // etcd: from SIGKILL of the leader to the next leader's controller
  // making the revision of a change sent right after the kill (the
  // revision's creation time) ...
  double failover_s = NAN;
  // ... and to the operator seeing that revision through a survivor.
  double failover_seen_s = NAN;
  // Making the N node certificates and keys, and the N channels that
  // present them: before connect, and not in it.
  double mint_s = NAN;
  double channels_s = NAN;
  // Part of connect: the bench starting the N streams, one after the
  // other. gRPC builds a channel's TLS context (OpenSSL parsing the CA,
  // certificate and key) when its first call starts and cannot be made to
  // do so earlier without connecting; each real agent pays that on its own
  // machine, so this is the share of connect that a real fleet would not
  // queue behind one thread.
  double stream_starts_s = NAN;
  // The bench process's own peak RSS: one TLS channel per agent is not
  // free on the agents' side either.
  double bench_peak_rss_mb = NAN;
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

// The operator API, as fleetsetctl uses it: as the coordinator's admin,
// with the client certificate of its admin.conf.
class OperatorClient {
 public:
  OperatorClient(const std::string& address, const pki::ClientConfig& config)
      : stub_(v1::OperatorService::NewStub(grpc::CreateChannel(
            address,
            CoordinatorCredentials(config.ca_pem, config.certificate_pem, config.key_pem)))) {}

  grpc::Status Version() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::VersionResponse response;
    return stub_->Version(&context, v1::VersionRequest(), &response);
  }

  // The name of the coordinator holding the leader key, or "" (none yet,
  // or the call failed).
  std::string Leader() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListCoordinatorsResponse response;
    if (!stub_->ListCoordinators(&context, v1::ListCoordinatorsRequest(), &response).ok()) {
      return "";
    }
    for (const v1::Coordinator& coordinator : response.items()) {
      if (coordinator.status().leader()) return coordinator.metadata().name();
    }
    return "";
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

  // The calls below wait until the phase's deadline, not fleetsetctl's
  // 30 s: an overloaded coordinator answers late, and the phase's figures
  // (with `calls ms`) show how late.
  grpc::Status Apply(const v1::DaemonSet& daemon_set, SteadyClock::time_point deadline) {
    v1::ApplyDaemonSetRequest request;
    *request.mutable_daemon_set() = daemon_set;
    return Call<v1::ApplyDaemonSetResponse>(&Stub::ApplyDaemonSet, request, deadline);
  }

  grpc::Status SetImage(const std::string& name, const std::string& image,
                        SteadyClock::time_point deadline) {
    v1::SetImageRequest request;
    *request.mutable_key() = Key(name);
    (*request.mutable_images())[kContainer] = image;
    return Call<v1::ApplyDaemonSetResponse>(&Stub::SetImage, request, deadline);
  }

  grpc::Status Delete(const std::string& name, SteadyClock::time_point deadline) {
    v1::DeleteDaemonSetRequest request;
    *request.mutable_key() = Key(name);
    return Call<v1::DeleteResponse>(&Stub::DeleteDaemonSet, request, deadline);
  }

  // Polls ListPods until the bench's namespace holds no pod; when it did.
  std::optional<SteadyClock::time_point> WaitForNoPods(SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline && !g_interrupted) {
      grpc::ClientContext context;
      Deadline(context, deadline);
      v1::ListPodsRequest request;
      request.set_namespace_(kNamespace);
      v1::ListPodsResponse response;
      if (stub_->ListPods(&context, request, &response).ok() && response.items().empty()) {
        return SteadyClock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return std::nullopt;
  }

  struct Revision {
    int64_t number = 0;
    std::string hash;
    // Stamped by the leader's DaemonSet controller when it made it.
    std::chrono::system_clock::time_point created;
  };

  // The DaemonSet's newest revision, or nullopt when it has none yet (or
  // the call failed).
  std::optional<Revision> NewestRevision(const std::string& name,
                                         SteadyClock::time_point deadline) {
    grpc::ClientContext context;
    Deadline(context, deadline);
    v1::RolloutHistoryRequest request;
    *request.mutable_key() = Key(name);
    v1::RolloutHistoryResponse response;
    if (!stub_->RolloutHistory(&context, request, &response).ok() || response.revisions().empty()) {
      return std::nullopt;
    }
    auto newest =
        std::max_element(response.revisions().begin(), response.revisions().end(),
                         [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
    return Revision{newest->revision(), newest->hash(),
                    coordinator::FromTimestamp(newest->creation_timestamp())};
  }

  // The first revision newer than `after`: its hash is what the nodes must
  // run. The DaemonSet controller writes a revision after the call that
  // changed the template returned, as Kubernetes' does, so this polls.
  std::optional<Revision> NextRevision(const std::string& name, int64_t after,
                                       SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline && !g_interrupted) {
      std::optional<Revision> newest = NewestRevision(name, deadline);
      if (newest && newest->number > after) return newest;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  // Polls GetDaemonSet until the coordinator's own status says, for each
  // of `names`, that every node runs the newest revision, available; when
  // the last of them did. A DaemonSet found rolled out is not asked again,
  // so a round costs one call per DaemonSet still rolling.
  std::optional<SteadyClock::time_point> WaitForRolledOut(std::vector<std::string> names, int nodes,
                                                          SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline && !g_interrupted) {
      std::erase_if(names,
                    [&](const std::string& name) { return RolledOut(name, nodes, deadline); });
      if (names.empty()) return SteadyClock::now();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

 private:
  using Stub = v1::OperatorService::Stub;

  // One call whose answer only matters by its status.
  template <class Response, class Request>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, SteadyClock::time_point deadline) {
    grpc::ClientContext context;
    Deadline(context, deadline);
    Response response;
    return (stub_.get()->*method)(&context, request, &response);
  }

  bool RolledOut(const std::string& name, int nodes, SteadyClock::time_point deadline) {
    grpc::ClientContext context;
    Deadline(context, deadline);
    v1::GetDaemonSetRequest request;
    *request.mutable_key() = Key(name);
    v1::DaemonSet daemon_set;
    if (!stub_->GetDaemonSet(&context, request, &daemon_set).ok()) return false;
    const v1::DaemonSetStatus& status = daemon_set.status();
    return status.observed_generation() == daemon_set.metadata().generation() &&
           status.desired_number_scheduled() == nodes &&
           status.updated_number_scheduled() == nodes && status.number_available() == nodes;
  }

  static void Deadline(grpc::ClientContext& context, SteadyClock::time_point deadline) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::system_clock::duration>(
                             deadline - SteadyClock::now()));
  }

  static v1::ObjectKey Key(const std::string& name) {
    v1::ObjectKey key;
    key.set_namespace_(kNamespace);
    key.set_name(name);
    return key;
  }

  std::unique_ptr<v1::OperatorService::Stub> stub_;
};

// bench-0 ... bench-<K-1>.
std::vector<std::string> DaemonSetNames(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("bench-" + std::to_string(i));
  return names;
}

// Rounds after the first mark the template with their number, so that
// each round's revisions (named by the template's hash) are new to the
// nodes, which count a revision's pods once.
v1::DaemonSet BenchDaemonSet(const std::string& name, int round) {
  std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(kManifest, "bench");
  if (loaded.size() != 1 || !loaded.front().ok()) {
    throw std::runtime_error("the bench's own DaemonSet manifest does not load");
  }
  v1::DaemonSet daemon_set = std::move(loaded.front().daemon_set);
  daemon_set.mutable_metadata()->set_name(name);
  (*daemon_set.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  (*daemon_set.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] =
      name;
  if (round > 1) {
    (*daemon_set.mutable_spec()
          ->mutable_template_()
          ->mutable_metadata()
          ->mutable_annotations())[kRoundAnnotation] = std::to_string(round);
  }
  return daemon_set;
}

// Interruptible by Ctrl-C.
void Sleep(SteadyClock::duration duration) {
  const auto end = SteadyClock::now() + duration;
  while (SteadyClock::now() < end && !g_interrupted) {
    std::this_thread::sleep_for(
        std::min<SteadyClock::duration>(std::chrono::milliseconds(100), end - SteadyClock::now()));
  }
}

bool WaitUntilServing(OperatorClient& client, CoordinatorProcess& coordinator) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (SteadyClock::now() < deadline && !g_interrupted && coordinator.Running()) {
    if (client.Version().ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// One change the fleet must roll out, made to every DaemonSet one call
// after the other (as `fleetsetctl apply -f` does with a file of several):
// from the first call to every node running each DaemonSet's newest
// revision (as the agents report it) and then to the coordinator's status
// saying so.
Phase MeasureRollout(const std::string& name, int nodes,
                     const std::vector<std::string>& daemon_sets, CoordinatorSet& coordinators,
                     OperatorClient& client, FleetRecorder& recorder,
                     const std::function<grpc::Status(const std::string&)>& change,
                     SteadyClock::time_point deadline, std::string* error,
                     std::vector<PodRevision>* revisions_out = nullptr) {
  Phase phase;
  phase.name = name;
  phase.expected = static_cast<size_t>(nodes) * daemon_sets.size();
  UsageWindow usage(coordinators, recorder);
  auto fail = [&](const std::string& why) {
    *error = name + ": " + why;
    phase.usage = usage.Finish();
    return phase;
  };
  std::vector<int64_t> before;
  for (const std::string& daemon_set : daemon_sets) {
    std::optional<OperatorClient::Revision> newest = client.NewestRevision(daemon_set, deadline);
    before.push_back(newest ? newest->number : 0);
  }
  const auto start = SteadyClock::now();
  for (const std::string& daemon_set : daemon_sets) {
    if (grpc::Status status = change(daemon_set); !status.ok()) {
      return fail(daemon_set + ": " + status.error_message());
    }
  }
  phase.calls_ms = Ms(SteadyClock::now() - start);
  std::vector<PodRevision> revisions;
  for (size_t i = 0; i < daemon_sets.size(); ++i) {
    const std::string& daemon_set = daemon_sets[i];
    const auto revision = client.NextRevision(daemon_set, before[i], deadline);
    if (!revision) return fail("no new revision in " + daemon_set + "'s history");
    revisions.push_back({std::string(kNamespace) + "/" + daemon_set, revision->hash});
  }
  if (revisions_out != nullptr) *revisions_out = revisions;
  const auto running = recorder.WaitForRunning(revisions, static_cast<size_t>(nodes), deadline);
  phase.reached = running.size();
  phase.latency = Since(start, running);
  phase.started = Since(start, recorder.StartTimes(revisions));
  if (phase.complete()) {
    const auto last_running = *std::max_element(running.begin(), running.end());
    if (auto confirmed = client.WaitForRolledOut(daemon_sets, nodes, deadline)) {
      phase.confirmed_ms = Ms(*confirmed - start);
      phase.lag_ms = Ms(*confirmed - last_running);
    }
  }
  phase.usage = usage.Finish();
  return phase;
}

// Between rounds: every DaemonSet deleted, one call after the other ->
// each node stopping its pod of `running` (the revisions the last update
// rolled out), then the coordinator listing no pod in the namespace.
Phase MeasureDeletion(const std::string& name, int nodes,
                      const std::vector<std::string>& daemon_sets,
                      const std::vector<PodRevision>& running, CoordinatorSet& coordinators,
                      OperatorClient& client, FleetRecorder& recorder,
                      SteadyClock::time_point deadline) {
  Phase phase;
  phase.name = name;
  phase.expected = static_cast<size_t>(nodes) * running.size();
  UsageWindow usage(coordinators, recorder);
  const auto start = SteadyClock::now();
  for (const std::string& daemon_set : daemon_sets) {
    if (!client.Delete(daemon_set, deadline).ok()) break;
  }
  phase.calls_ms = Ms(SteadyClock::now() - start);
  const auto stopped = recorder.WaitForStopped(running, static_cast<size_t>(nodes), deadline);
  phase.reached = stopped.size();
  phase.latency = Since(start, stopped);
  if (phase.complete()) {
    const auto last_stopped = *std::max_element(stopped.begin(), stopped.end());
    if (auto confirmed = client.WaitForNoPods(deadline)) {
      phase.confirmed_ms = Ms(*confirmed - start);
      phase.lag_ms = Ms(*confirmed - last_stopped);
    }
  }
  phase.usage = usage.Finish();
  return phase;
}

// With several coordinators: the leader is SIGKILLed and, at once, the
// operator changes the first DaemonSet's image through another
// coordinator. The run's failover_s is from the kill to that change's
// revision existing, which only the next leader's DaemonSet controller
// makes; the phase's latencies are each node reporting the new revision
// running, the dead coordinator's agents having moved to the others.
Phase MeasureFailover(CoordinatorSet& coordinators, const pki::ClientConfig& admin, int nodes,
                      FleetRecorder& recorder, SteadyClock::time_point deadline, Run& run) {
  Phase phase;
  phase.name = "failover";
  phase.expected = static_cast<size_t>(nodes);
  const std::string daemon_set = DaemonSetNames(1).front();
  OperatorClient first(coordinators.at(0).address(), admin);
  std::optional<size_t> leader;
  while (!leader && SteadyClock::now() < deadline && !g_interrupted) {
    const std::string name = first.Leader();
    for (size_t i = 0; i < coordinators.size(); ++i) {
      if (CoordinatorSet::NameOf(i) == name) leader = i;
    }
    if (!leader) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  UsageWindow usage(coordinators, recorder);
  auto fail = [&](const std::string& why) {
    run.error = "failover: " + why;
    phase.usage = usage.Finish();
    return phase;
  };
  if (!leader) return fail("no coordinator says it leads");
  OperatorClient client(coordinators.at((*leader + 1) % coordinators.size()).address(), admin);
  const std::optional<OperatorClient::Revision> newest =
      client.NewestRevision(daemon_set, deadline);
  if (!newest) return fail("no revision of " + daemon_set);
  const auto killed = SteadyClock::now();
  // The revision's creation time is the leader's wall clock, on this
  // machine: compared with the kill's, it leaves out how long the
  // operator's polls take to see it.
  const auto killed_wall = std::chrono::system_clock::now();
  if (!coordinators.Kill(*leader)) return fail("cannot kill the leader");
  if (grpc::Status status = client.SetImage(daemon_set, kFailoverImage, deadline); !status.ok()) {
    return fail(daemon_set + ": " + status.error_message());
  }
  phase.calls_ms = Ms(SteadyClock::now() - killed);
  const auto revision = client.NextRevision(daemon_set, newest->number, deadline);
  if (!revision) return fail("no new revision in " + daemon_set + "'s history");
  run.failover_seen_s = Seconds(SteadyClock::now() - killed);
  run.failover_s = Seconds(revision->created - killed_wall);
  const auto running =
      recorder.WaitForRunning({{std::string(kNamespace) + "/" + daemon_set, revision->hash}},
                              static_cast<size_t>(nodes), deadline);
  phase.reached = running.size();
  phase.latency = Since(killed, running);
  if (phase.complete()) {
    const auto last_running = *std::max_element(running.begin(), running.end());
    if (auto confirmed = client.WaitForRolledOut({daemon_set}, nodes, deadline)) {
      phase.confirmed_ms = Ms(*confirmed - killed);
      phase.lag_ms = Ms(*confirmed - last_running);
    }
  }
  phase.usage = usage.Finish();
  return phase;
}

Run RunFleet(const Options& options, int nodes, const std::string& store) {
  Run run;
  run.nodes = nodes;
  run.daemon_sets = options.daemon_sets;
  run.store = store;
  TempDir dir("fleetset-coordinator-bench");
  if (options.keep) dir.keep();
  CoordinatorSetOptions set_options;
  set_options.program = options.coordinator;
  set_options.log_level = options.log_level;
  if (store == "etcd") {
    set_options.shared_coordinators = options.shared_coordinators;
    set_options.etcd_members = options.etcd_members;
    set_options.leader_lease = std::chrono::seconds(options.leader_lease_seconds);
  }
  // The first coordinator makes the CA and admin.conf on its first start;
  // the operator cannot call without the one, nor the agents without the
  // other.
  std::unique_ptr<CoordinatorSet> coordinators =
      CoordinatorSet::Start(set_options, dir.path(), g_interrupted, &run.error);
  if (!coordinators) return run;
  run.coordinators = static_cast<int>(coordinators->size());
  pki::ClientConfig admin;
  try {
    const std::string path = coordinators->admin_config_path();
    admin = pki::ParseClientConfig(pki::ReadWholeFile(path), path);
  } catch (const pki::PkiError& error) {
    run.error = error.what();
    return run;
  }
  // The operator's calls go to the first coordinator, leading or not.
  OperatorClient client(coordinators->at(0).address(), admin);
  for (size_t i = 0; i < coordinators->size(); ++i) {
    OperatorClient each(coordinators->at(i).address(), admin);
    if (!WaitUntilServing(each, coordinators->at(i))) {
      run.error = "coordinator " + CoordinatorSet::NameOf(i) + " did not serve on " +
                  coordinators->at(i).address() + ":\n" + coordinators->at(i).LogTail(20);
      return run;
    }
  }
  run.bare_rpc = client.MeasureVersion(options.rpc_samples);
  const auto timeout = std::chrono::seconds(options.timeout_seconds);

  SimulatedFleetOptions fleet_options;
  fleet_options.coordinators = coordinators->addresses();
  fleet_options.heartbeat_period = std::chrono::seconds(options.heartbeat_seconds);
  fleet_options.interrupted = &g_interrupted;
  {
    std::vector<std::string> names;
    names.reserve(static_cast<size_t>(nodes));
    for (int i = 0; i < nodes; ++i) names.push_back(SimulatedNodeName(i));
    const auto start = SteadyClock::now();
    try {
      fleet_options.credentials =
          IssueNodeCredentials(coordinators->pki_dir(), names, kNodeCertificateValidity);
    } catch (const pki::PkiError& error) {
      run.error = std::string("node certificates: ") + error.what();
      return run;
    }
    run.mint_s = Seconds(SteadyClock::now() - start);
  }
  const auto channels_start = SteadyClock::now();
  SimulatedFleet fleet(std::move(fleet_options));
  run.channels_s = Seconds(SteadyClock::now() - channels_start);
  FleetRecorder& recorder = fleet.recorder();

  auto failed = [&](const std::string& phase) {
    run.losses = recorder.losses();
    if (!run.error.empty()) return true;
    if (recorder.failures() > 0) {
      run.error = phase + ": " + std::to_string(recorder.failures()) +
                  " agent stream(s) failed; first: " + recorder.first_failure();
    } else if (g_interrupted) {
      run.error = "interrupted";
    } else if (!run.phases.back().complete() || (run.phases.back().latency && phase != "connect" &&
                                                 !run.phases.back().confirmed_ms)) {
      run.error = phase + ": not finished within " + std::to_string(options.timeout_seconds) + " s";
    }
    if (const std::string exited = coordinators->Exited(); !exited.empty()) {
      run.error += "; " + exited;
    }
    return !run.error.empty();
  };

  {
    Phase& phase = run.phases.emplace_back();
    phase.name = "connect";
    phase.expected = static_cast<size_t>(nodes);
    UsageWindow usage(*coordinators, recorder);
    const auto start = SteadyClock::now();
    fleet.Connect();
    run.stream_starts_s = Seconds(SteadyClock::now() - start);
    const auto snapshots =
        recorder.WaitForSnapshots(static_cast<size_t>(nodes), SteadyClock::now() + timeout);
    phase.reached = snapshots.size();
    phase.latency = Since(start, snapshots);
    phase.usage = usage.Finish();
  }
  if (failed("connect")) return run;
  // The connect's tail (each node's acknowledgement of its first state,
  // written from the coordinators' report queues) is not the apply's.
  Sleep(std::chrono::seconds(options.settle_seconds));

  const std::vector<std::string> daemon_sets = DaemonSetNames(options.daemon_sets);
  std::vector<PodRevision> running_revisions;
  for (int round = 1; round <= options.rounds; ++round) {
    const std::string suffix = round == 1 ? "" : "#" + std::to_string(round);
    auto deadline = SteadyClock::now() + timeout;
    if (round > 1) {
      run.phases.push_back(MeasureDeletion("delete" + suffix, nodes, daemon_sets, running_revisions,
                                           *coordinators, client, recorder, deadline));
      if (failed("delete" + suffix)) return run;
      Sleep(std::chrono::seconds(options.settle_seconds));
      deadline = SteadyClock::now() + timeout;
    }
    // Built before the clock starts.
    std::map<std::string, v1::DaemonSet> manifests;
    for (const std::string& name : daemon_sets) manifests[name] = BenchDaemonSet(name, round);
    run.phases.push_back(MeasureRollout(
        "apply" + suffix, nodes, daemon_sets, *coordinators, client, recorder,
        [&](const std::string& name) { return client.Apply(manifests[name], deadline); }, deadline,
        &run.error));
    if (failed("apply" + suffix)) return run;

    deadline = SteadyClock::now() + timeout;
    run.phases.push_back(MeasureRollout(
        "update" + suffix, nodes, daemon_sets, *coordinators, client, recorder,
        [&](const std::string& name) { return client.SetImage(name, kUpdatedImage, deadline); },
        deadline, &run.error, &running_revisions));
    if (failed("update" + suffix)) return run;

    // Whatever the coordinator still does once its status agrees (the
    // pass that follows, events) is neither idle cost nor the next
    // round's.
    Sleep(std::chrono::seconds(options.settle_seconds));
  }
  {
    Phase& phase = run.phases.emplace_back();
    phase.name = "idle";
    phase.reached = phase.expected = static_cast<size_t>(nodes);
    UsageWindow usage(*coordinators, recorder);
    Sleep(std::chrono::seconds(options.idle_seconds));
    phase.usage = usage.Finish();
  }
  if (failed("idle")) return run;
  if (coordinators->shared() && options.failover) {
    run.phases.push_back(
        MeasureFailover(*coordinators, admin, nodes, recorder, SteadyClock::now() + timeout, run));
    failed("failover");
  }
  if (auto usage = ReadProcessUsage(getpid())) run.bench_peak_rss_mb = usage->peak_rss_mb;
  if (options.keep) std::printf("kept %s (coordinator logs in it)\n", dir.path().c_str());
  return run;
}

// The store and its coordinators, as the run's heading and the summary say.
std::string Setup(const Run& run) {
  if (run.store == "sqlite") return "one coordinator on SQLite";
  return std::to_string(run.coordinators) + " coordinators on etcd";
}

// With several coordinators: each one's share of a phase, and etcd's.
void PrintEachCoordinator(const Phase& phase) {
  const UsageWindow::Figures& usage = phase.usage;
  std::printf("  %-8s", phase.name.c_str());
  for (size_t i = 0; i < usage.each.size(); ++i) {
    const std::string name = CoordinatorSet::NameOf(i);
    if (!usage.each[i]) {
      std::printf(" %s: gone;", name.c_str());
      continue;
    }
    const auto& [cpu_s, now] = *usage.each[i];
    std::printf(" %s: CPU %.1f%%, RSS %.1f MB (peak %.1f);", name.c_str(),
                usage.wall_s > 0 ? 100 * cpu_s / usage.wall_s : 0, now.rss_mb, now.peak_rss_mb);
  }
  std::printf(" etcd: CPU %.1f%%, RSS %.1f MB, %.0f writes/s\n",
              usage.wall_s > 0 ? 100 * usage.etcd_cpu_s / usage.wall_s : NAN, usage.etcd_rss_mb,
              phase.etcd_writes_per_s());
  // etcd's work follows the keys written more than the transactions that
  // carry them: the figure a design with fewer writes per node would move.
  const double keys = usage.etcd_puts + usage.etcd_deletes;
  if (keys > 0) {
    std::printf("  %-8s etcd wrote %.0f keys (%.0f puts, %.0f deletes), %.0f us of its CPU each\n",
                "", keys, usage.etcd_puts, usage.etcd_deletes, 1e6 * usage.etcd_cpu_s / keys);
  }
}

// Where the whole machine's CPU went in a phase. The phase's work, spread
// evenly over every core, would keep them all busy this long: a phase
// that needs most of it before its last pod runs cannot have a p99 much
// shorter, however its parts are scheduled.
void PrintMachine(const Phase& phase) {
  const UsageWindow::Figures& usage = phase.usage;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const double rest = usage.machine_busy_s - usage.cpu_s - usage.bench_cpu_s -
                      (std::isnan(usage.etcd_cpu_s) ? 0 : usage.etcd_cpu_s);
  std::printf("  %-8s busy %.2f of %.2f (%.0f%%), stolen %.2f: coordinators %.2f,",
              phase.name.c_str(), usage.machine_busy_s, usage.wall_s * static_cast<double>(cores),
              100 * usage.machine_busy_s / (usage.wall_s * static_cast<double>(cores)),
              usage.machine_steal_s, usage.cpu_s);
  if (!std::isnan(usage.etcd_cpu_s)) std::printf(" etcd %.2f,", usage.etcd_cpu_s);
  std::printf(" agents (this process) %.2f, the rest %.2f; the work fills %ld cores for %.2f s\n",
              usage.bench_cpu_s, rest, cores, usage.machine_busy_s / static_cast<double>(cores));
}

// What each node got and sent in a phase: a node that is told more than
// once per change, or reports more often than its pods change, costs every
// part of the machine a round trip (and a report often a write) more.
void PrintAgentTraffic(const Phase& phase, int nodes) {
  const UsageWindow::Figures& usage = phase.usage;
  std::printf("  %-8s %llu coordinator messages (%.2f per node), %llu reports (%.2f per node)\n",
              phase.name.c_str(), static_cast<unsigned long long>(usage.messages_received),
              static_cast<double>(usage.messages_received) / nodes,
              static_cast<unsigned long long>(usage.reports_sent),
              static_cast<double>(usage.reports_sent) / nodes);
}

void PrintRun(const Run& run) {
  std::printf(
      "\n== N = %d simulated agents, one mutual-TLS connection each, %d DaemonSet(s), %s ==\n",
      run.nodes, run.daemon_sets, Setup(run).c_str());
  if (!std::isnan(run.mint_s)) {
    std::printf(
        "node certificates (ECDSA P-256, signed with the coordinator's CA): %d in %.2f s "
        "(%.2f ms each); their %d channels built in %.2f s; neither is in connect\n",
        run.nodes, run.mint_s, 1000 * run.mint_s / run.nodes, run.nodes, run.channels_s);
  }
  std::printf(
      "bare RPC round trip (OperatorService.Version, idle coordinator, %zu calls): "
      "p50 %.3f ms, p99 %.3f ms\n",
      run.bare_rpc.count, run.bare_rpc.p50, run.bare_rpc.p99);
  std::printf("%-8s %7s %9s %9s %9s %9s %10s %8s %7s %8s %6s %8s %8s %8s %6s\n", "phase", "count",
              "calls ms", "p50 ms", "p99 ms", "max ms", "status ms", "lag ms", "wall s", "coord s",
              "CPU %", "RSS MB", "peak MB", "bench s", "lost");
  auto optional_ms = [](const std::optional<double>& ms, int width) {
    if (ms) {
      std::printf("%*.1f ", width, *ms);
    } else {
      std::printf("%*s ", width, "-");
    }
  };
  for (const Phase& phase : run.phases) {
    std::printf("%-8s %7zu ", phase.name.c_str(), phase.reached);
    optional_ms(phase.calls_ms, 9);
    if (phase.latency) {
      std::printf("%9.1f %9.1f %9.1f ", phase.latency->p50, phase.latency->p99, phase.latency->max);
    } else {
      std::printf("%9s %9s %9s ", "-", "-", "-");
    }
    optional_ms(phase.confirmed_ms, 10);
    optional_ms(phase.lag_ms, 8);
    const UsageWindow::Figures& usage = phase.usage;
    std::printf("%7.2f %8.2f %6.1f %8.1f %8.1f %8.2f %6zu\n", usage.wall_s, usage.cpu_s,
                phase.cpu_percent(), usage.now.rss_mb, usage.now.peak_rss_mb, usage.bench_cpu_s,
                usage.lost_streams);
  }
  std::string starts;
  for (const Phase& phase : run.phases) {
    if (!phase.started || phase.started->count == 0) continue;
    char line[160];
    std::snprintf(line, sizeof line, "%s%s p50 %.1f ms, p99 %.1f ms", starts.empty() ? "" : "; ",
                  phase.name.c_str(), phase.started->p50, phase.started->p99);
    starts += line;
  }
  if (!starts.empty()) {
    std::printf("the same pods started by their nodes' fake runtimes, before the reports: %s\n",
                starts.c_str());
  }
  if (run.coordinators > 1) {
    std::printf(
        "per coordinator (CPU %% of one core over the phase, RSS at its end) and etcd's "
        "members together (writes: transactions, from etcd's revision; keys: what they put and "
        "deleted, from its first member's metrics):\n");
    for (const Phase& phase : run.phases) PrintEachCoordinator(phase);
  }
  std::printf(
      "the machine's CPU in each phase (seconds of CPU, all cores together; busy and stolen "
      "from /proc/stat):\n");
  for (const Phase& phase : run.phases) PrintMachine(phase);
  std::printf(
      "the agents' streams in each phase (messages the coordinators sent, status reports the "
      "agents sent back; heartbeats not counted):\n");
  for (const Phase& phase : run.phases) PrintAgentTraffic(phase, run.nodes);
  if (!std::isnan(run.failover_s)) {
    std::printf(
        "failover: leader SIGKILLed -> the next leader's controller made the revision of "
        "a change sent at once: %.3f s (its creation time); the operator saw it through a "
        "survivor after %.3f s\n",
        run.failover_s, run.failover_seen_s);
  }
  for (const auto& [reason, count] : run.losses) {
    std::printf("agent streams lost (opened again after a back-off): %zu x %s\n", count,
                reason.c_str());
  }
  if (!std::isnan(run.stream_starts_s)) {
    std::printf(
        "connect includes %.2f s of the bench starting the %d streams one after the other "
        "(gRPC makes each channel's TLS context at its first call; real agents do that each on "
        "its own machine)\n",
        run.stream_starts_s, run.nodes);
  }
  if (!std::isnan(run.bench_peak_rss_mb)) {
    std::printf("bench process (the %d agents): peak RSS %.1f MB\n", run.nodes,
                run.bench_peak_rss_mb);
  }
  if (!run.error.empty()) std::printf("INCOMPLETE: %s\n", run.error.c_str());
}

// A percentile of a phase in seconds; NaN unless every node or pod got there.
double PhaseSeconds(const Phase* phase, double Distribution::*field) {
  return phase != nullptr && phase->complete() && phase->latency
             ? phase->latency.value().*field / 1000
             : NAN;
}

// The median over a run's rounds of a percentile of `kind`'s phases
// ("apply", "apply#2", ...) in seconds; NaN unless every round's is known.
double RoundsMedianSeconds(const Run& run, const std::string& kind, double Distribution::*field) {
  std::vector<double> values;
  for (const Phase& phase : run.phases) {
    if (phase.name != kind && !phase.name.starts_with(kind + "#")) continue;
    const double value = PhaseSeconds(&phase, field);
    if (std::isnan(value)) return NAN;
    values.push_back(value);
  }
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// The figures of a run's summary line; NaN where the run did not get that far.
struct Headline {
  double connect_s = NAN;
  double apply_p99_s = NAN;
  double update_p99_s = NAN;
  double status_lag_s = NAN;
  double rss_mb = NAN;
  double idle_cpu_pct = NAN;
  double mint_s = NAN;
  double stream_starts_s = NAN;
  double failover_s = NAN;
  double failover_seen_s = NAN;
  // etcd's write transactions per second while the fleet idles (node
  // leases, coordinator records): its steady load.
  double etcd_idle_writes_per_s = NAN;
};

Headline HeadlineOf(const Run& run) {
  Headline headline;
  headline.connect_s = PhaseSeconds(run.Find("connect"), &Distribution::max);
  headline.apply_p99_s = RoundsMedianSeconds(run, "apply", &Distribution::p99);
  headline.update_p99_s = RoundsMedianSeconds(run, "update", &Distribution::p99);
  // The worst of the changes' lags (fmax ignores the NaN start).
  for (const Phase& phase : run.phases) {
    const bool change = phase.name.starts_with("apply") || phase.name.starts_with("update");
    if (change && phase.lag_ms) {
      headline.status_lag_s = std::fmax(headline.status_lag_s, *phase.lag_ms / 1000);
    }
  }
  // VmHWM as read at the end of each phase: the largest is the peak of the
  // coordinator's whole life.
  for (const Phase& phase : run.phases) {
    headline.rss_mb = std::fmax(headline.rss_mb, phase.usage.now.peak_rss_mb);
  }
  if (const Phase* idle = run.Find("idle")) {
    headline.idle_cpu_pct = idle->cpu_percent();
    headline.etcd_idle_writes_per_s = idle->etcd_writes_per_s();
  }
  headline.failover_s = run.failover_s;
  headline.failover_seen_s = run.failover_seen_s;
  headline.mint_s = run.mint_s;
  headline.stream_starts_s = run.stream_starts_s;
  return headline;
}

struct Metric {
  const char* name;
  double value;
  int precision;
};

// The summary line's fields, in its order.
std::vector<Metric> Metrics(const Headline& headline) {
  return {
      {"connect_s", headline.connect_s, 2},
      {"apply_p99_s", headline.apply_p99_s, 3},
      {"update_p99_s", headline.update_p99_s, 3},
      {"status_lag_s", headline.status_lag_s, 3},
      {"rss_mb", headline.rss_mb, 1},
      {"idle_cpu_pct", headline.idle_cpu_pct, 1},
      {"mint_s", headline.mint_s, 2},
      {"stream_starts_s", headline.stream_starts_s, 2},
      {"failover_s", headline.failover_s, 3},
      {"failover_seen_s", headline.failover_seen_s, 3},
      {"etcd_idle_writes_per_s", headline.etcd_idle_writes_per_s, 0},
  };
}

const char* Verdict(double value, double limit) {
  return std::isnan(value) ? "not measured (run incomplete)" : value <= limit ? "met" : "MISSED";
}

// The recorded plaintext figures, and beside them those of each run of the
// same fleet shape (other sizes are not comparable with them).
void PrintPlaintextComparison(const std::vector<Run>& runs) {
  const Baseline& base = kPlaintextBaseline;
  std::printf(
      "\nplaintext baseline recorded before mutual TLS (N=%d ds=%d, not measurable any more): "
      "connect_s=%.2f idle_cpu_pct=%.1f apply_p99_s=%.3f update_p99_s=%.3f rss_mb=%.1f\n",
      base.nodes, base.daemon_sets, base.connect_s, base.idle_cpu_pct, base.apply_p99_s,
      base.update_p99_s, base.rss_mb);
  bool compared = false;
  for (const Run& run : runs) {
    if (run.store != "sqlite" || run.nodes != base.nodes || run.daemon_sets != base.daemon_sets) {
      continue;
    }
    compared = true;
    const Headline now = HeadlineOf(run);
    const std::string shape =
        "N=" + std::to_string(run.nodes) + " ds=" + std::to_string(run.daemon_sets);
    std::printf("%-13s %10s %11s %12s\n", shape.c_str(), "plaintext", "mutual TLS", "change");
    auto times = [](const char* name, double before, double after, int precision) {
      std::printf("%-13s %10.*f %11.*f %11.2fx\n", name, precision, before, precision, after,
                  after / before);
    };
    times("connect_s", base.connect_s, now.connect_s, 2);
    std::printf("%-13s %10.1f %11.1f %+8.1f pts\n", "idle_cpu_pct", base.idle_cpu_pct,
                now.idle_cpu_pct, now.idle_cpu_pct - base.idle_cpu_pct);
    times("apply_p99_s", base.apply_p99_s, now.apply_p99_s, 3);
    times("update_p99_s", base.update_p99_s, now.update_p99_s, 3);
    times("rss_mb", base.rss_mb, now.rss_mb, 1);
    std::printf("goal at N=%d ds=%d: connect_s     %8.2f <= %g x plaintext %.2f (%.2fx): %s\n",
                run.nodes, run.daemon_sets, now.connect_s, kConnectLimitTimesPlaintext,
                base.connect_s, now.connect_s / base.connect_s,
                Verdict(now.connect_s, kConnectLimitTimesPlaintext * base.connect_s));
    std::printf("goal at N=%d ds=%d: idle_cpu_pct  %8.1f <= plaintext %.1f %+g point (%+.1f): %s\n",
                run.nodes, run.daemon_sets, now.idle_cpu_pct, base.idle_cpu_pct,
                kIdleCpuLimitPointsOverPlaintext, now.idle_cpu_pct - base.idle_cpu_pct,
                Verdict(now.idle_cpu_pct, base.idle_cpu_pct + kIdleCpuLimitPointsOverPlaintext));
  }
  if (!compared) {
    std::printf("no run at N=%d ds=%d, so nothing is compared with it\n", base.nodes,
                base.daemon_sets);
  }
}

// Each run on etcd beside the SQLite run of the same fleet shape, from
// the same invocation: what sharing the store among coordinators costs.
void PrintSharedComparison(const std::vector<Run>& runs) {
  for (const Run& shared : runs) {
    if (shared.store != "etcd") continue;
    const auto single = std::find_if(runs.begin(), runs.end(), [&](const Run& run) {
      return run.store == "sqlite" && run.nodes == shared.nodes &&
             run.daemon_sets == shared.daemon_sets;
    });
    if (single == runs.end()) {
      std::printf("\nno SQLite run at N=%d ds=%d to compare %s with\n", shared.nodes,
                  shared.daemon_sets, Setup(shared).c_str());
      continue;
    }
    const Headline before = HeadlineOf(*single);
    const Headline after = HeadlineOf(shared);
    std::printf("\nN=%d ds=%d %13s %13s %8s\n", shared.nodes, shared.daemon_sets, "SQLite",
                (std::to_string(shared.coordinators) + " on etcd").c_str(), "ratio");
    auto row = [](const char* name, double a, double b, int precision) {
      std::printf("%-16s %13.*f %13.*f %7.2fx\n", name, precision, a, precision, b, b / a);
    };
    row("connect_s", before.connect_s, after.connect_s, 2);
    row("apply_p99_s", before.apply_p99_s, after.apply_p99_s, 3);
    row("update_p99_s", before.update_p99_s, after.update_p99_s, 3);
    row("status_lag_s", before.status_lag_s, after.status_lag_s, 3);
    row("idle_cpu_pct", before.idle_cpu_pct, after.idle_cpu_pct, 1);
    row("peak_rss_mb", before.rss_mb, after.rss_mb, 1);
    std::printf("(etcd: idle CPU is all coordinators together, peak RSS the largest one's)\n");
  }
}

void PrintSummary(const std::vector<Run>& runs) {
  std::printf(
      "\n== Summary (seconds; per pod from the operator's first call; over several rounds, "
      "each figure's median) ==\n");
  std::printf("%-6s %6s %3s %8s %9s %9s %9s %10s %10s %10s %7s %6s %8s %9s\n", "store", "N", "ds",
              "connect", "apply p50", "apply p99", "apply all", "update p50", "update p99",
              "update all", "lag", "idle %", "peak MB", "p99/RPC");
  for (const Run& run : runs) {
    const Headline headline = HeadlineOf(run);
    std::printf(
        "%-6s %6d %3d %8.2f %9.3f %9.3f %9.3f %10.3f %10.3f %10.3f %7.3f %6.1f %8.1f %8.0fx\n",
        run.store.c_str(), run.nodes, run.daemon_sets, headline.connect_s,
        RoundsMedianSeconds(run, "apply", &Distribution::p50), headline.apply_p99_s,
        RoundsMedianSeconds(run, "apply", &Distribution::max),
        RoundsMedianSeconds(run, "update", &Distribution::p50), headline.update_p99_s,
        RoundsMedianSeconds(run, "update", &Distribution::max), headline.status_lag_s,
        headline.idle_cpu_pct, headline.rss_mb,
        run.bare_rpc.p50 > 0 ? headline.apply_p99_s * 1000 / run.bare_rpc.p50 : NAN);
  }
  for (const Run& run : runs) {
    for (const Goal& goal : kGoals) {
      if (goal.store != run.store || goal.nodes != run.nodes ||
          goal.daemon_sets != run.daemon_sets) {
        continue;
      }
      for (const Metric& metric : Metrics(HeadlineOf(run))) {
        if (std::string_view(metric.name) != goal.metric) continue;
        std::printf("goal at N=%d ds=%d (%s): %-13s %8.*f <= %g: %s\n", run.nodes, run.daemon_sets,
                    Setup(run).c_str(), metric.name, metric.precision, metric.value, goal.limit,
                    Verdict(metric.value, goal.limit));
      }
    }
  }
  PrintSharedComparison(runs);
  PrintPlaintextComparison(runs);
  // Last, for scripts: one line per run, `nan` for what was not measured.
  for (const Run& run : runs) {
    std::printf("store=%s coordinators=%d N=%d ds=%d", run.store.c_str(), run.coordinators,
                run.nodes, run.daemon_sets);
    for (const Metric& metric : Metrics(HeadlineOf(run))) {
      std::printf(" %s=%.*f", metric.name, metric.precision, metric.value);
    }
    std::printf("\n");
  }
}

// An integer flag that must be positive, its default shown in --help.
void PositiveOption(CLI::App& app, const std::string& name, int& value, const std::string& help) {
  app.add_option(name, value, help)->capture_default_str()->check(CLI::PositiveNumber);
}

int Main(int argc, char** argv) {
  // Ten thousand agent channels: as in the daemons, see the header.
  DisableMutexDeadlockDetection();
  Options options;
  CLI::App app{"Scale benchmark of fleetset-coordinator with simulated agents (fake runtime)",
               "fleetset_coordinator_bench"};
  app.add_option("--coordinator", options.coordinator, "fleetset-coordinator binary")
      ->capture_default_str();
  app.add_option("--nodes", options.nodes, "Fleet sizes, each run from scratch on every store")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  PositiveOption(app, "--daemon-sets", options.daemon_sets,
                 "DaemonSets applied together, each on every node, each rolled in the update");
  app.add_option("--agents-per-channel", options.agents_per_channel,
                 "Agents per gRPC channel (TCP connection): 1, the only value now. The "
                 "coordinator takes a stream's node from the client certificate of its "
                 "connection, and a channel presents one certificate, so agents cannot share "
                 "one (before mutual TLS the default was 50)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](const std::string& value) {
            return value == "1" ? std::string()
                                : "each agent needs a connection of its own (node identity is "
                                  "its connection's certificate): only 1";
          },
          "1", "ONE"));
  PositiveOption(app, "--heartbeat-seconds", options.heartbeat_seconds, "Agent heartbeat period");
  app.add_option("--settle-seconds", options.settle_seconds,
                 "Pause after the connect, after each delete and after each update, so "
                 "that what the coordinators still do for one phase is not counted in the next")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rounds", options.rounds,
                 "Apply and update this many times on the same connected fleet, each round after "
                 "the first deleting the DaemonSets first (the delete phase); the goals and the "
                 "summary take each figure's median over the rounds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-seconds", options.idle_seconds, "Length of the idle window")
      ->capture_default_str();
  PositiveOption(app, "--timeout-seconds", options.timeout_seconds, "Limit for each phase");
  PositiveOption(app, "--rpc-samples", options.rpc_samples,
                 "Version calls for the bare round trip");
  app.add_option("--log-level", options.log_level, "The coordinator's --log-level")
      ->capture_default_str();
  app.add_flag("--keep", options.keep, "Keep the temporary directories (data, coordinator.log)");
  app.add_option("--stores", options.stores,
                 "Stores each fleet size runs on, in turn: sqlite (one coordinator), etcd "
                 "(--shared-coordinators on a real etcd cluster, started with "
                 "tests/env/etcd-env.sh)")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember({"sqlite", "etcd"}));
  PositiveOption(app, "--shared-coordinators", options.shared_coordinators,
                 "Coordinators sharing etcd, the agents spread evenly over them");
  PositiveOption(app, "--etcd-members", options.etcd_members, "Members of the etcd cluster");
  PositiveOption(app, "--leader-lease-seconds", options.leader_lease_seconds,
                 "The coordinators' --leader-elect-lease-duration on etcd");
  app.add_flag("!--no-failover", options.failover,
               "On etcd, end each run after the idle window instead of killing the leader "
               "(failover_s is then nan)");
  CLI11_PARSE(app, argc, argv);

  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // Both the agents' connections (here) and the coordinator (which
  // inherits the limit) need a descriptor per agent, one connection each,
  // plus what each process needs besides (store, log, gRPC's own, the
  // operator channel).
  const int largest = *std::max_element(options.nodes.begin(), options.nodes.end());
  const auto wanted = static_cast<unsigned long>(largest) + 256;
  const unsigned long open_files = RaiseOpenFileLimit(wanted);
  if (open_files < wanted) {
    std::fprintf(stderr,
                 "fleetset_coordinator_bench: %d nodes, one connection each, need %lu open "
                 "files, the limit is %lu (raise the hard limit, ulimit -Hn, or run fewer "
                 "--nodes)\n",
                 largest, wanted, open_files);
    return 1;
  }

  std::printf("fleetset_coordinator_bench: coordinator %s, log level %s\n",
              options.coordinator.c_str(), options.log_level.c_str());
  std::printf(
      "%ld CPUs, open-file limit %lu, one mutual-TLS connection per agent, heartbeat every %d s, "
      "%d DaemonSet(s)\n",
      sysconf(_SC_NPROCESSORS_ONLN), open_files, options.heartbeat_seconds, options.daemon_sets);
  std::printf(
      "latencies per node (connect) or per pod (apply, update) from the operator's first call;\n"
      "status ms: until GetDaemonSet shows every DaemonSet updated and available on all nodes; "
      "lag ms: the same from the last pod reported running;\ncoord s / CPU %%: the "
      "coordinator's utime+stime in the phase (100%% = one core); bench s: this process\n");
  std::fflush(stdout);

  std::vector<Run> runs;
  for (int nodes : options.nodes) {
    for (const std::string& store : options.stores) {
      if (g_interrupted) break;
      runs.push_back(RunFleet(options, nodes, store));
      PrintRun(runs.back());
      std::fflush(stdout);
    }
  }
  PrintSummary(runs);
  return std::all_of(runs.begin(), runs.end(), [](const Run& run) { return run.error.empty(); })
             ? 0
             : 1;
}

}  // namespace
}  // namespace fleetset::bench

int main(int argc, char** argv) { return fleetset::bench::Main(argc, argv); }
