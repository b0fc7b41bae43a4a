// Shared fixtures for agent unit tests: a pod template builder, a scripted
// probe executor, and worker dependencies over FakeCriRuntime.
#pragma once

#include <deque>
#include <string>

#include "agent/pod_worker.h"
#include "agent/runtime_snapshot.h"
#include "fakes/fake_cri_runtime.h"

namespace fleetset::testing {

inline constexpr char kNode[] = "node-a";
inline constexpr char kImage[] = "docker.io/fleetset/busybox:test";

// A pod template with one container per name in `containers`.
v1::PodTemplateSpec MakeTemplate(const std::vector<std::string>& containers = {"main"},
                                 const std::vector<std::string>& init_containers = {});

// Probe outcomes given in order; when the script runs out, the last one repeats.
class ScriptedProbes final : public agent::ProbeExecutor {
 public:
  std::deque<bool> outcomes{true};
  int calls = 0;
  agent::ProbeOutcome Exec(const std::string&, const std::vector<std::string>&,
                           std::chrono::seconds) override {
    return Next();
  }
  agent::ProbeOutcome HttpGet(const std::string&, int, const v1::HTTPGetAction&,
                              std::chrono::seconds) override {
    return Next();
  }
  agent::ProbeOutcome TcpConnect(const std::string&, int, std::chrono::seconds) override {
    return Next();
  }

 private:
  agent::ProbeOutcome Next() {
    ++calls;
    bool result = outcomes.front();
    if (outcomes.size() > 1) outcomes.pop_front();
    return {result, result ? "" : "scripted failure"};
  }
};

agent::PodWorkerDeps MakeDeps(agent::CriRuntime* runtime, const Clock* clock,
                              agent::ProbeExecutor* probes, const std::string& pods_dir);

// This pod's sandboxes as the next relist would see them.
std::vector<agent::SandboxSnapshot> SandboxesOf(agent::CriRuntime& runtime, const std::string& uid);

}  // namespace fleetset::testing
