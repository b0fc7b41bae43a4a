#include "bench/coordinator_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

extern char** environ;

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

unsigned long RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
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
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());

  // Everything the child needs is built before fork(): the bench has gRPC
  // threads, so the child may only make system calls until execve.
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int output = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int null_input = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (output < 0 || null_input < 0) {
    *error = "cannot open " + log_path + " or /dev/null: " + std::strerror(errno);
    if (output >= 0) close(output);
    if (null_input >= 0) close(null_input);
    return nullptr;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // A bench that dies (even by SIGKILL) must not leave a coordinator.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // The coordinator sigwaits for SIGTERM: no inherited mask may hide it.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null_input, STDIN_FILENO);
    dup2(output, STDOUT_FILENO);
    dup2(output, STDERR_FILENO);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv.data(), environ);
    _exit(127);
  }
  close(output);
  close(null_input);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<CoordinatorProcess>(new CoordinatorProcess(pid, port, log_path));
}

CoordinatorProcess::~CoordinatorProcess() {
  if (!Running()) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  while (Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!Running()) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

bool CoordinatorProcess::Running() {
  if (exited_) return false;
  const pid_t reaped = waitpid(pid_, nullptr, WNOHANG);
  if (reaped == 0) return true;
  exited_ = true;
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
