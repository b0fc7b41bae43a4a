// A program run as a child process by the tests and benchmarks (agents,
// coordinators): output appended to a file, killed when its parent dies,
// reaped and signalled without races. Holds no gtest: benchmarks use it too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fleetset::testing {

struct ChildOptions {
  // argv[0] is the program's path.
  std::vector<std::string> argv;
  // Added to the parent's environment. The parent's NOTIFY_SOCKET,
  // WATCHDOG_*, JOURNAL_STREAM and INVOCATION_ID are never passed on: they
  // would change whom the child notifies and where it logs.
  std::map<std::string, std::string> env;
  // stdout and stderr are appended here; stdin is /dev/null.
  std::string output_path;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // SIGKILLs and reaps a child still running.
  ~ChildProcess();

  // False with *error when the program is missing or fork fails. A child
  // that exited may be started again.
  bool Start(const ChildOptions& options, std::string* error);

  pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it when it has).
  bool Running();
  bool Signal(int signal) const;
  // The exit code, or 128 + signal, once exited; nullopt when it still
  // runs after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL when it has not exited after `grace`.
  std::optional<int> Stop(std::chrono::milliseconds grace);
  std::optional<int> exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace fleetset::testing
