// The coordinator under test as a child process: a separate process, so
// that /proc/PID shows its memory and CPU alone, without the simulated
// agents that share the bench's address space.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace fleetset::bench {

// A private directory under $TMPDIR (or /tmp), removed with everything in
// it when this goes out of scope unless keep() was called.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// What /proc says about a process at one moment.
struct ProcessUsage {
  // utime + stime, in seconds (10 ms ticks on most kernels).
  double cpu_seconds = 0;
  double rss_mb = 0;
  // VmHWM: the peak resident set since the process started.
  double peak_rss_mb = 0;
  int threads = 0;
};

// nullopt when the process is gone (or a zombie).
std::optional<ProcessUsage> ReadProcessUsage(pid_t pid);

// What /proc/stat says of the whole machine since boot, all cores
// together: what the processes' own figures miss (the kernel's network
// work in interrupts, anything else running) shows here.
struct MachineUsage {
  // CPU seconds not idle: user, nice, system, irq and softirq.
  double busy_seconds = 0;
  // CPU seconds the hypervisor gave to someone else.
  double steal_seconds = 0;
};

// nullopt when /proc/stat cannot be read.
std::optional<MachineUsage> ReadMachineUsage();

// Raises RLIMIT_NOFILE's soft limit to the hard limit, and both to
// `wanted` when the hard limit is lower and the process may raise it
// (CAP_SYS_RESOURCE); children started afterwards inherit it. Returns the
// new soft limit.
unsigned long RaiseOpenFileLimit(unsigned long wanted);

// A TCP port on 127.0.0.1 that was free a moment ago. The coordinator only
// logs its port at info level, so the bench picks one itself to be able to
// run the coordinator at any log level.
int PickFreePort();

class CoordinatorProcess {
 public:
  // Starts `program` listening on 127.0.0.1:`port`, with its SQLite store,
  // its CA and admin.conf in `dir`/data, its output in
  // `dir`/coordinator.log and an empty config file (so no
  // /etc/fleetset/coordinator.yaml applies). nullptr with *error when it
  // cannot be started.
  static std::unique_ptr<CoordinatorProcess> Start(const std::string& program,
                                                   const std::string& dir, int port,
                                                   const std::vector<std::string>& extra_flags,
                                                   std::string* error);
  CoordinatorProcess(const CoordinatorProcess&) = delete;
  CoordinatorProcess& operator=(const CoordinatorProcess&) = delete;
  // SIGTERM, then SIGKILL when it does not exit within a few seconds.
  ~CoordinatorProcess();

  pid_t pid() const { return child_.pid(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_path_; }
  // The cluster CA (ca.crt, ca.key), which the coordinator makes on its
  // first start before it serves.
  std::string pki_dir() const { return data_dir_ + "/pki"; }
  // The admin's fleetsetctl config, which the coordinator writes right
  // after it starts serving.
  std::string admin_config_path() const { return data_dir_ + "/admin.conf"; }
  // True once admin.conf is there (it is written whole, by a rename, so
  // there means complete); false when the coordinator exited first, did
  // not write it within `timeout`, or `interrupted` was set.
  bool WaitForAdminConfig(std::chrono::seconds timeout, const std::atomic<bool>& interrupted);
  // True while the child has not exited (reaps it when it has).
  bool Running();
  bool Signal(int signal) const { return child_.Signal(signal); }
  // The last `lines` lines of its output, for error messages.
  std::string LogTail(size_t lines) const;

 private:
  CoordinatorProcess(int port, std::string data_dir, std::string log_path)
      : port_(port), data_dir_(std::move(data_dir)), log_path_(std::move(log_path)) {}

  testing::ChildProcess child_;
  int port_;
  std::string data_dir_;
  std::string log_path_;
};

}  // namespace fleetset::bench
