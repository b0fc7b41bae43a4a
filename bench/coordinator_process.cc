#include "bench/coordinator_process.h"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fleetset::bench {
namespace {

namespace fs = std::filesystem;

constexpr auto kStopTimeout = std::chrono::seconds(10);

// "VmRSS:    12345 kB" -> 12345.
std::optional<double> StatusKilobytes(const std::string& line, const char* field) {
  const size_t length = std::strlen(field);
  if (line.compare(0, length, field) != 0) return std::nullopt;
  return std::strtod(line.c_str() + length, nullptr);
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + ".XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::optional<ProcessUsage> ReadProcessUsage(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream stat(proc + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  // The command name (field 2) may hold spaces; fields are counted after
  // its closing parenthesis, which starts with field 3 (state).
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  // A process that exited but is not reaped yet has no usage left to read.
  if (close + 2 < text.size() && text[close + 2] == 'Z') return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoull(field);
    if (number == 15) stime = std::stoull(field);
  }
  ProcessUsage usage;
  usage.cpu_seconds =
      static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));

  std::ifstream status(proc + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (auto kb = StatusKilobytes(line, "VmRSS:")) usage.rss_mb = *kb / 1024;
    if (auto kb = StatusKilobytes(line, "VmHWM:")) usage.peak_rss_mb = *kb / 1024;
    if (auto count = StatusKilobytes(line, "Threads:")) usage.threads = static_cast<int>(*count);
  }
  return usage;
}

std::optional<MachineUsage> ReadMachineUsage() {
  std::ifstream stat("/proc/stat");
  std::string label;
  // user nice system idle iowait irq softirq steal (guest time is already
  // in user and nice).
  unsigned long long ticks[8] = {};
  if (!(stat >> label) || label != "cpu") return std::nullopt;
  for (unsigned long long& field : ticks) {
    if (!(stat >> field)) return std::nullopt;
  }
  const auto per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  MachineUsage usage;
  usage.busy_seconds =
      static_cast<double>(ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / per_second;
  usage.steal_seconds = static_cast<double>(ticks[7]) / per_second;
  return usage;
}

unsigned long RaiseOpenFileLimit(unsigned long wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) {
    // Fails without the capability (or above fs.nr_open); the caller
    // compares what it got with what it wanted.
    const rlimit raised{wanted, wanted};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::unique_ptr<CoordinatorProcess> CoordinatorProcess::Start(
    const std::string& program, const std::string& dir, int port,
    const std::vector<std::string>& extra_flags, std::string* error) {
  const std::string data_dir = dir + "/data";
  const std::string config = dir + "/coordinator.yaml";
  const std::string log_path = dir + "/coordinator.log";
  fs::create_directories(data_dir);
  std::ofstream(config).close();
  std::vector<std::string> args = {
      program,      "--config", config, "--listen", "127.0.0.1:" + std::to_string(port),
      "--data-dir", data_dir};
  // The metrics endpoint on a free port: its default, 7401, may be held by
  // another coordinator on the machine, and a taken address fails the start.
  args.insert(args.end(), {"--metrics-listen", "127.0.0.1:0"});
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());

  // A fresh log per run (ChildProcess appends).
  std::ofstream(log_path, std::ios::trunc).close();
  std::unique_ptr<CoordinatorProcess> coordinator(new CoordinatorProcess(port, data_dir, log_path));
  if (!coordinator->child_.Start({args, {}, log_path}, error)) return nullptr;
  return coordinator;
}

CoordinatorProcess::~CoordinatorProcess() { child_.Stop(kStopTimeout); }

bool CoordinatorProcess::Running() { return child_.Running(); }

bool CoordinatorProcess::WaitForAdminConfig(std::chrono::seconds timeout,
                                            const std::atomic<bool>& interrupted) {
  const std::string path = admin_config_path();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && !interrupted && Running()) {
    std::error_code ignored;
    if (fs::exists(path, ignored)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string CoordinatorProcess::LogTail(size_t lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const std::string& kept : tail) text += kept + "\n";
  return text;
}

}  // namespace fleetset::bench
