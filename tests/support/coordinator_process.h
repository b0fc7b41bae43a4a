// The real fleetset-coordinator binary as a child process, for end-to-end
// tests of a whole fleet: it listens on a port the kernel picks on
// 127.0.0.1 and keeps its SQLite store in a private directory, so several
// can run side by side and nothing leaks into /var/lib.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace fleetset::testing {

class CoordinatorProcess {
 public:
  // Starts the coordinator with its data directory (created when missing)
  // under `dir`, and waits until it serves: it logged its port and
  // `fleetsetctl version` gets an answer. `extra_flags` follow the
  // standard ones (e.g. {"--node-monitor-grace-period", "10s"}). Returns
  // nullptr after recording a gtest failure (with the coordinator's
  // output) when it cannot.
  // `env` is added to the coordinator's environment (e.g. NOTIFY_SOCKET).
  static std::unique_ptr<CoordinatorProcess> Start(
      const std::string& dir, std::vector<std::string> extra_flags = {},
      const std::map<std::string, std::string>& env = {});

  CoordinatorProcess(const CoordinatorProcess&) = delete;
  CoordinatorProcess& operator=(const CoordinatorProcess&) = delete;
  // Stops the coordinator with SIGTERM (SIGKILL when it does not exit in
  // time). Prints its output when the test failed. Leaves `dir` alone.
  ~CoordinatorProcess();

  // "127.0.0.1:PORT", for fleetsetctl -s and the agents' --coordinator.
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return child_.pid(); }
  const std::string& data_dir() const { return data_dir_; }
  // The admin's fleetsetctl config the coordinator wrote.
  std::string admin_config() const { return data_dir_ + "/admin.conf"; }
  // fleetsetctl as this coordinator's admin: {program, --config, ..., -s, ...}.
  std::vector<std::string> CtlCommand() const;
  // An agent's flags to join this coordinator with a new bootstrap token:
  // --coordinator, --token and --discovery-token-ca-cert-hash.
  std::vector<std::string> JoinFlags() const;

  // True while the child has not exited (reaps it when it has).
  bool Running();
  bool Signal(int signal) const;
  // The exit code, or 128 + signal, once it has exited; nullopt when it
  // still runs after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Everything the coordinator printed so far (stdout and stderr).
  std::string Output() const;
  // The port of its metrics and health endpoint (started with
  // --metrics-listen HOST:0), from the line it logs; waits up to 10 s for
  // it, then 0.
  int MetricsPort() const;

 private:
  CoordinatorProcess(std::string data_dir, std::string output_path);

  bool Launch(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
  // The port from the "serving on ... (port N)" line, once it is there.
  std::optional<int> LoggedPort() const;

  std::string data_dir_;
  std::string output_path_;
  int port_ = 0;
  ChildProcess child_;
};

}  // namespace fleetset::testing
