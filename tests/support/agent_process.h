// The real fleetset-agent binary as a child process, for end-to-end tests
// against a real containerd (ContainerdNode). Each AgentProcess owns a
// private directory holding the agent's --root-dir, --pod-manifest-path,
// --pod-log-root and (optionally) its --config file, so the agent can be
// killed and started again on the same state, and nothing leaks into
// /var/lib/fleetset or /var/log/pods.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/v1/agent_service.pb.h"
#include "support/child_process.h"

namespace fleetset::testing {

class ContainerdNode;

struct AgentOptions {
  // --hostname-override; also the node name pods see as spec.nodeName.
  std::string node_name = "e2e-node";
  // Short periods keep the tests quick: restarts, manifest edits and
  // removals are noticed within a fraction of a second.
  std::chrono::milliseconds sync_frequency{200};
  std::chrono::milliseconds file_check_frequency{200};
  // Passed after the standard flags, e.g. {"--register-with-taints", "a:NoSchedule"}.
  std::vector<std::string> extra_flags;
  // Added to the agent's environment (e.g. NOTIFY_SOCKET). The test's own
  // NOTIFY_SOCKET and WATCHDOG_* are never inherited.
  std::map<std::string, std::string> env;
  // Text of a --config file written before the first start; empty: no
  // --config flag at all.
  std::string config;
};

class AgentProcess {
 public:
  // Makes the directories and starts the agent against `node`. Returns
  // nullptr after recording a gtest failure when it cannot.
  static std::unique_ptr<AgentProcess> Start(const ContainerdNode& node, AgentOptions options = {});

  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;
  // SIGKILLs the agent if it still runs and deletes its directory. The
  // pods stay: ContainerdNode's destructor removes them.
  ~AgentProcess();

  // Starts the agent again (after it exited) on the same directories.
  bool Restart();

  pid_t pid() const { return child_.pid(); }
  bool Signal(int signal) const;
  // True while the child has not exited (reaps it when it has).
  bool Running();
  // The exit code, or 128 + signal when a signal ended it, once the agent
  // has exited; nullopt when it is still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

  // <root-dir>/status.json as the agent last wrote it; nullopt while it
  // does not exist or does not parse.
  std::optional<v1::StatusReport> Status() const;
  // Everything the agent printed so far (stdout and stderr).
  std::string Output() const;

  // Writes (atomically, so the agent never reads half a file) or removes a
  // file in the static manifest directory.
  void WriteManifest(const std::string& file_name, const std::string& yaml) const;
  void RemoveManifest(const std::string& file_name) const;
  // Rewrites the --config file (for a later SIGHUP).
  void WriteConfig(const std::string& yaml) const;

  const AgentOptions& options() const { return options_; }
  const std::string& root_dir() const { return root_dir_; }
  const std::string& manifest_dir() const { return manifest_dir_; }
  const std::string& log_root() const { return log_root_; }
  const std::string& config_path() const { return config_path_; }

 private:
  AgentProcess(std::string endpoint, AgentOptions options, std::string dir);

  bool Launch();
  std::vector<std::string> Arguments() const;

  std::string endpoint_;
  AgentOptions options_;
  std::string dir_;
  std::string root_dir_;
  std::string manifest_dir_;
  std::string log_root_;
  std::string config_path_;
  std::string output_path_;
  ChildProcess child_;
};

// Polls `predicate` every 100 ms until it holds or `timeout` passes; returns
// its last answer.
bool WaitUntil(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

// Helpers for reading a StatusReport.
// The pod of the (static or coordinator) DaemonSet named `daemon_set`, or
// null. With several (during a replacement) the last one listed.
const v1::Pod* FindPod(const v1::StatusReport& report, const std::string& daemon_set);
// The status of container `container` of `pod` (app containers), or null.
const v1::ContainerStatus* FindContainer(const v1::Pod& pod, const std::string& container);
// The eligibility entry whose daemon_set ends with "/<daemon_set>", or null.
const v1::Eligibility* FindEligibility(const v1::StatusReport& report,
                                       const std::string& daemon_set);
// Phase Running and the Ready condition True.
bool PodReady(const v1::Pod& pod);

}  // namespace fleetset::testing
