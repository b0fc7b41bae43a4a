#include "support/agent_process.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "support/containerd_node.h"
#include "support/run_command.h"

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
  // A port of its own for the metrics endpoint unless the test chooses:
  // agents on one machine would all want the default.
  const std::vector<std::string>& extra = options_.extra_flags;
  if (std::find(extra.begin(), extra.end(), "--metrics-bind-address") == extra.end() &&
      options_.config.find("metricsBindAddress") == std::string::npos) {
    args.insert(args.end(), {"--metrics-bind-address", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

bool AgentProcess::Launch() {
  std::string error;
  if (!child_.Start({Arguments(), options_.env, output_path_}, &error)) {
    ADD_FAILURE() << "cannot start fleetset-agent (build it first?): " << error;
    return false;
  }
  return true;
}

bool AgentProcess::Restart() {
  if (Running()) {
    ADD_FAILURE() << "Restart() while the agent (pid " << child_.pid() << ") still runs";
    return false;
  }
  return Launch();
}

bool AgentProcess::Signal(int signal) const { return child_.Signal(signal); }

bool AgentProcess::Running() { return child_.Running(); }

std::optional<int> AgentProcess::Wait(milliseconds timeout) { return child_.Wait(timeout); }

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
