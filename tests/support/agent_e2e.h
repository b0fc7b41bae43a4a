// Shared pieces of the end-to-end tests that run the real fleetset-agent
// against a real containerd: a fixture owning the node, manifest builders,
// a CRI view of the node for the test's own checks, and a reader for the
// CRI log files the containers write.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/cri_runtime.h"
#include "support/agent_process.h"
#include "support/containerd_node.h"

namespace fleetset::testing {

namespace cri = ::runtime::v1;

// Long enough for a sandbox, a container and a few status writes on a busy
// two-core machine; the tests normally finish far sooner.
inline constexpr std::chrono::milliseconds kPodStartTimeout{30000};
inline constexpr std::chrono::milliseconds kShortTimeout{10000};

// A DaemonSet manifest: `name` in `namespace_name`, selector and template
// label app=<name>, and `pod_spec` (YAML at indentation zero) as the
// template's spec. "${IMAGE}" in pod_spec becomes the local busybox image.
std::string DaemonSetManifest(const std::string& name, const std::string& pod_spec,
                              const std::string& namespace_name = "default");

// One busybox container "main" running `shell_command` under sh -c, with a
// one-second grace period (the shell ignores SIGTERM as PID 1, so a removal
// would otherwise wait out the default 30 s).
std::string BusyboxPodSpec(const std::string& shell_command = "sleep 3600");

// The messages of a CRI log file ("<time> <stream> <P|F> <message>" per
// line), joined with newlines; "" when it does not exist yet.
std::string ReadCriLog(const std::string& path);

// The test's own view of the node's runtime, independent of the agent.
class CriView {
 public:
  explicit CriView(const ContainerdNode& node);

  agent::CriRuntime& runtime() { return *runtime_; }
  // Sandboxes of the pod with that UID (any state).
  std::vector<cri::PodSandbox> SandboxesOf(const std::string& pod_uid);
  // Every sandbox the agent created for any pod.
  std::vector<cri::PodSandbox> AllSandboxes();
  // Containers of the pod with that UID, oldest first.
  std::vector<cri::Container> ContainersOf(const std::string& pod_uid);
  // IDs of the running containers of that pod, sorted.
  std::vector<std::string> RunningContainerIds(const std::string& pod_uid);
  // Kills a container at once (timeout 0), as a crash would.
  bool KillContainer(const std::string& container_id);

 private:
  std::unique_ptr<agent::CriRuntime> runtime_;
};

// Each test gets a fresh private containerd; the agent is started by the
// test (options differ per test).
class AgentE2ETest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts the agent against node_; fails the test when it cannot.
  AgentProcess& StartAgent(AgentOptions options = {});

  // The latest status report, or an empty one.
  v1::StatusReport Report() const;
  // The pod of `daemon_set` once it is Running and Ready (copied: the
  // report it comes from is gone by then), or nullopt after `timeout`.
  std::optional<v1::Pod> WaitForReadyPod(const std::string& daemon_set,
                                         std::chrono::milliseconds timeout = kPodStartTimeout);
  // Waits until the agent no longer reports pod `uid` and the runtime holds
  // no sandbox of it.
  bool WaitForPodGone(const std::string& uid, std::chrono::milliseconds timeout = kPodStartTimeout);
  // <pod-log-root>/<ns>_<pod>_<uid>/<container>/<restart>.log
  std::string LogPath(const v1::Pod& pod, const std::string& container, int restart = 0) const;

  std::unique_ptr<ContainerdNode> node_;
  std::unique_ptr<CriView> cri_;
  std::unique_ptr<AgentProcess> agent_;
};

}  // namespace fleetset::testing
