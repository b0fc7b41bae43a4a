// Shared fixtures for agent unit tests: a pod template builder, a scripted
// probe executor, and the agent's seams faked (AgentFakes): time on a
// FakeClock with FakeTimers, pod work on a ManualExecutor, the loop an
// io_context the test runs by hand, CRI an in-memory FakeCriRuntime; the
// runtime layer, volume manager and prober above them are the real ones.
// Nothing runs but what the test steps, and nothing sleeps.
#pragma once

#include <boost/asio/io_context.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/pod_services.h"
#include "agent/runtime_snapshot.h"
#include "fakes/fake_cri_runtime.h"
#include "fakes/fake_timers.h"
#include "fakes/fixed_random.h"
#include "fakes/manual_executor.h"

namespace fleetset::testing {

inline constexpr char kNode[] = "node-a";
inline constexpr char kImage[] = "docker.io/fleetset/busybox:test";

// A pod template with one container per name in `containers`.
v1::PodTemplateSpec MakeTemplate(const std::vector<std::string>& containers = {"main"},
                                 const std::vector<std::string>& init_containers = {});

// Probe and hook outcomes given in order; when the script runs out, the
// last one repeats. Each call is written down, and `during_call` runs in it
// (to move the clock as a slow action would, or look at the runtime then).
class ScriptedProbes final : public agent::ProbeExecutor {
 public:
  std::deque<bool> outcomes{true};
  int calls = 0;
  // "exec <container id> <command words>", "http <host>:<port><path>",
  // "tcp <host>:<port>", "grpc <host>:<port> <service>", each with
  // " within <timeout>s".
  std::vector<std::string> log;
  std::function<void()> during_call;

  agent::ProbeOutcome Exec(const std::string& container_id, const std::vector<std::string>& command,
                           std::chrono::seconds timeout) override {
    std::string words;
    for (const std::string& word : command) words += " " + word;
    return Next("exec " + container_id + words, timeout);
  }
  agent::ProbeOutcome HttpGet(const std::string& host, int port, const v1::HTTPGetAction& action,
                              std::chrono::seconds timeout) override {
    return Next("http " + host + ":" + std::to_string(port) + action.path(), timeout);
  }
  agent::ProbeOutcome TcpConnect(const std::string& host, int port,
                                 std::chrono::seconds timeout) override {
    return Next("tcp " + host + ":" + std::to_string(port), timeout);
  }
  agent::ProbeOutcome GrpcCheck(const std::string& host, int port, const std::string& service,
                                std::chrono::seconds timeout) override {
    return Next("grpc " + host + ":" + std::to_string(port) + " " + service, timeout);
  }

 private:
  agent::ProbeOutcome Next(const std::string& call, std::chrono::seconds timeout) {
    ++calls;
    log.push_back(call + " within " + std::to_string(timeout.count()) + "s");
    if (during_call) during_call();
    bool result = outcomes.front();
    if (outcomes.size() > 1) outcomes.pop_front();
    return {result, result ? "" : "scripted failure"};
  }
};

class AgentFakes {
 public:
  // Pods' directories go under `pods_dir`.
  explicit AgentFakes(const std::string& pods_dir);

  const agent::PodWorkerDeps& Deps() const { return services->worker_deps(); }
  // Runs the executor's work and the loop's posted results until neither
  // has anything left (a pass that acted leads to a relist, and so on).
  void Drain();

  FakeClock clock;
  FakeTimers timers{clock};
  ManualExecutor executor;
  boost::asio::io_context loop;
  // Jitter pinned to none: back-off waits are the policies' exact numbers.
  FixedRandom random{0};
  FakeCriRuntime runtime{&clock};
  ScriptedProbes probes;
  // <pods_dir>/pod-log-ledger; pods' logs are under <pods_dir>/logs.
  agent::PodLogLedger pod_logs;
  std::unique_ptr<agent::PodServices> services;
};

// This pod's sandboxes as the next relist would see them.
std::vector<agent::SandboxSnapshot> SandboxesOf(agent::CriRuntime& runtime, const std::string& uid);

// A running container "main" in a new sandbox of pod `pod` (UID
// "uid-<pod>"), made straight through CRI, for tests of code that looks at
// what runs rather than at the agent's pods.
struct BareContainer {
  std::string pod;
  std::string image = kImage;
  // The sandbox's log directory; the container logs to main/0.log in it.
  std::string log_directory;
  std::map<std::string, std::string> labels;
};
// Returns the container's ID.
std::string RunBareContainer(agent::CriRuntime& runtime, const BareContainer& spec);

}  // namespace fleetset::testing
