#include "support/agent_process.h"

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "support/containerd_node.h"
#include "support/run_command.h"

extern char** environ;

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes next to the target and renames, so a reader (the agent's scan, or
// Status() reading the agent's file) sees the old or the new text, never
// half of one.
void WriteAtomically(const std::string& scratch_dir, const std::string& path,
                     const std::string& text) {
  const std::string scratch =
      scratch_dir + "/.writing-" + std::filesystem::path(path).filename().string();
  {
    std::ofstream out(scratch, std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(scratch, path);
}

std::string DurationFlag(milliseconds duration) { return std::to_string(duration.count()) + "ms"; }

// Variables the test process may carry (it could itself run under systemd)
// that would change how the agent logs or whom it notifies.
bool PassedToAgent(const std::string& assignment) {
  for (const char* name :
       {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "JOURNAL_STREAM=", "INVOCATION_ID="}) {
    if (assignment.starts_with(name)) return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<AgentProcess> AgentProcess::Start(const ContainerdNode& node,
                                                  AgentOptions options) {
  // Inside the node's directory: the node's clean-up (after it has removed
  // the pods) deletes it, with its checks for leftover mounts.
  std::string dir = node.dir() + "/agent-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << dir << ": " << std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<AgentProcess> agent(
      new AgentProcess(node.endpoint(), std::move(options), std::move(dir)));
  for (const std::string* sub : {&agent->root_dir_, &agent->manifest_dir_, &agent->log_root_}) {
    std::filesystem::create_directories(*sub);
  }
  if (!agent->options_.config.empty()) agent->WriteConfig(agent->options_.config);
  if (!agent->Launch()) return nullptr;
  return agent;
}

AgentProcess::AgentProcess(std::string endpoint, AgentOptions options, std::string dir)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      dir_(std::move(dir)),
      root_dir_(dir_ + "/root"),
      manifest_dir_(dir_ + "/manifests"),
      log_root_(dir_ + "/pod-logs"),
      config_path_(dir_ + "/config.yaml"),
      output_path_(dir_ + "/agent.log") {}

AgentProcess::~AgentProcess() {
  if (Running()) {
    Signal(SIGKILL);
    Wait(milliseconds(10000));
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- fleetset-agent output (" << output_path_ << ") ---\n"
              << Output() << "--- end of fleetset-agent output ---\n";
  }
}

std::vector<std::string> AgentProcess::Arguments() const {
  std::vector<std::string> args = {BuiltProgram("agent/fleetset-agent"),
                                   "--hostname-override",
                                   options_.node_name,
                                   "--container-runtime-endpoint",
                                   endpoint_,
                                   "--root-dir",
                                   root_dir_,
                                   "--pod-manifest-path",
                                   manifest_dir_,
                                   "--pod-log-root",
                                   log_root_,
                                   "--sync-frequency",
                                   DurationFlag(options_.sync_frequency),
                                   "--file-check-frequency",
                                   DurationFlag(options_.file_check_frequency)};
  if (!options_.config.empty()) {
    args.push_back("--config");
    args.push_back(config_path_);
  }
  args.insert(args.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  return args;
}

bool AgentProcess::Launch() {
  const std::vector<std::string> args = Arguments();
  if (!std::filesystem::exists(args.front())) {
    ADD_FAILURE() << "build fleetset-agent first: " << args.front();
    return false;
  }
  // Everything the child needs is built before fork(): the test process
  // has gRPC threads, so the child may only make system calls.
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (PassedToAgent(*entry)) env.emplace_back(*entry);
  }
  for (const auto& [name, value] : options_.env) env.push_back(name + "=" + value);
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& assignment : env) envp.push_back(const_cast<char*>(assignment.c_str()));
  envp.push_back(nullptr);
  const int output = open(output_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_input = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (output < 0 || null_input < 0) {
    ADD_FAILURE() << "cannot open " << output_path_ << " or /dev/null: " << std::strerror(errno);
    return false;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // A test that crashes must not leave an agent behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // The agent waits for SIGTERM/SIGHUP with a signal_set: a mask
    // inherited from the test thread would hide them.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null_input, STDIN_FILENO);
    dup2(output, STDOUT_FILENO);
    dup2(output, STDERR_FILENO);
    // The test's sockets and files are none of the agent's business.
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(output);
  close(null_input);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return false;
  }
  pid_ = pid;
  exit_code_.reset();
  return true;
}

bool AgentProcess::Restart() {
  if (Running()) {
    ADD_FAILURE() << "Restart() while the agent (pid " << pid_ << ") still runs";
    return false;
  }
  return Launch();
}

bool AgentProcess::Signal(int signal) const {
  if (pid_ <= 0 || exit_code_) return false;
  return kill(pid_, signal) == 0;
}

bool AgentProcess::Running() {
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

std::optional<int> AgentProcess::Wait(milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (Running()) {
    if (steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return exit_code_;
}

std::optional<v1::StatusReport> AgentProcess::Status() const {
  const std::string path = root_dir_ + "/status.json";
  if (!std::filesystem::exists(path)) return std::nullopt;
  v1::StatusReport report;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(ReadAll(path), &report, options).ok()) {
    return std::nullopt;
  }
  return report;
}

std::string AgentProcess::Output() const { return ReadAll(output_path_); }

void AgentProcess::WriteManifest(const std::string& file_name, const std::string& yaml) const {
  WriteAtomically(dir_, manifest_dir_ + "/" + file_name, yaml);
}

void AgentProcess::RemoveManifest(const std::string& file_name) const {
  std::filesystem::remove(manifest_dir_ + "/" + file_name);
}

void AgentProcess::WriteConfig(const std::string& yaml) const {
  WriteAtomically(dir_, config_path_, yaml);
}

bool WaitUntil(const std::function<bool()>& predicate, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
}

const v1::Pod* FindPod(const v1::StatusReport& report, const std::string& daemon_set) {
  const v1::Pod* found = nullptr;
  for (const v1::Pod& pod : report.pods()) {
    if (!pod.owner().ends_with("/" + daemon_set)) continue;
    // During a replacement the old pod is still listed, marked Terminating.
    if (found == nullptr || found->status().reason() == "Terminating") found = &pod;
  }
  return found;
}

const v1::ContainerStatus* FindContainer(const v1::Pod& pod, const std::string& container) {
  for (const v1::ContainerStatus& status : pod.status().container_statuses()) {
    if (status.name() == container) return &status;
  }
  return nullptr;
}

const v1::Eligibility* FindEligibility(const v1::StatusReport& report,
                                       const std::string& daemon_set) {
  for (const v1::Eligibility& eligibility : report.eligibility()) {
    if (eligibility.daemon_set().ends_with("/" + daemon_set)) return &eligibility;
  }
  return nullptr;
}

bool PodReady(const v1::Pod& pod) {
  if (pod.status().phase() != "Running") return false;
  for (const v1::PodCondition& condition : pod.status().conditions()) {
    if (condition.type() == "Ready") return condition.status() == "True";
  }
  return false;
}

}  // namespace fleetset::testing
