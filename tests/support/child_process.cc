#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace fleetset::testing {

namespace {

bool Inherited(const std::string& assignment) {
  for (const char* name :
       {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "JOURNAL_STREAM=", "INVOCATION_ID="}) {
    if (assignment.starts_with(name)) return false;
  }
  return true;
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (Running()) {
    Signal(SIGKILL);
    Wait(std::chrono::seconds(10));
  }
}

bool ChildProcess::Start(const ChildOptions& options, std::string* error) {
  if (options.argv.empty() || !std::filesystem::exists(options.argv.front())) {
    *error = "no such program: " + (options.argv.empty() ? std::string() : options.argv.front());
    return false;
  }
  // Everything the child needs is built before fork(): the parent has gRPC
  // threads, so the child may only make system calls until execve.
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (Inherited(*entry)) env.emplace_back(*entry);
  }
  for (const auto& [name, value] : options.env) env.push_back(name + "=" + value);
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& assignment : env) envp.push_back(const_cast<char*>(assignment.c_str()));
  envp.push_back(nullptr);
  const std::string output_path = options.output_path.empty() ? "/dev/null" : options.output_path;
  const int output = open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_input = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (output < 0 || null_input < 0) {
    *error = "cannot open " + output_path + " or /dev/null: " + std::strerror(errno);
    if (output >= 0) close(output);
    if (null_input >= 0) close(null_input);
    return false;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // A parent that crashes must not leave its children behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // The daemons wait for their signals; a mask inherited from the
    // parent's thread would hide them.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null_input, STDIN_FILENO);
    dup2(output, STDOUT_FILENO);
    dup2(output, STDERR_FILENO);
    // The parent's sockets and files are none of the child's business.
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(output);
  close(null_input);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  pid_ = pid;
  exit_code_.reset();
  return true;
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  const pid_t reaped = waitpid(pid_, &status, WNOHANG);
  if (reaped == 0) return true;
  if (reaped == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    exit_code_ = -1;  // not our child any more: nothing to wait for
  }
  return false;
}

bool ChildProcess::Signal(int signal) const {
  if (pid_ <= 0 || exit_code_) return false;
  return kill(pid_, signal) == 0;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

std::optional<int> ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running()) return exit_code_;
  Signal(SIGTERM);
  if (std::optional<int> code = Wait(grace)) return code;
  Signal(SIGKILL);
  return Wait(std::chrono::seconds(10));
}

}  // namespace fleetset::testing
