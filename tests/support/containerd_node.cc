#include "support/containerd_node.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>
#include <vector>

#include "agent/volumes/mount_points.h"
#include "cri/runtime/v1/api.grpc.pb.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::steady_clock;

CommandResult RunScript(const std::string& subcommand, const std::string& dir,
                        const std::string& extra = "") {
  std::vector<std::string> argv = {"/bin/bash", ContainerdEnvScript(), subcommand};
  if (!dir.empty()) argv.push_back(dir);
  if (!extra.empty()) argv.push_back(extra);
  return RunCommand(argv);
}

std::string Describe(const CommandResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\nstdout:\n" + result.out + "stderr:\n" +
         result.err;
}

std::string LastLine(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::string last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// Directory names only keep characters that are harmless in paths and in
// the script's arguments; the rest becomes '-'.
std::string Sanitize(const std::string& name) {
  std::string out = name.substr(0, 24);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) c = '-';
  }
  return out;
}

// Unix socket paths are limited to 108 bytes, so the directory stays short
// and under /tmp unless FLEETSET_NODE_TMPDIR says otherwise.
std::string MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("FLEETSET_NODE_TMPDIR");
  std::string pattern =
      std::string(base != nullptr ? base : "/tmp") + "/fleetset-" + Sanitize(prefix) + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

// Removes a node or registry directory, unless the developer asked to keep
// them for post-mortems, or something is still mounted there (recursive
// removal through a live mount would delete whatever it points at).
void RemoveDir(const std::string& dir) {
  if (std::getenv("FLEETSET_KEEP_NODE_DIRS") != nullptr) return;
  if (!agent::MountsUnder(dir).empty()) {
    ADD_FAILURE() << "mounts left under " << dir << "; not removing it";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

std::unique_ptr<grpc::ClientContext> ContextWithTimeout(std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

// containerd answers on its socket slightly before the CRI plugin has
// finished initialising ("server is not initialized yet").
bool WaitForCri(const std::shared_ptr<grpc::Channel>& channel, std::string* last_error) {
  auto stub = runtime::v1::RuntimeService::NewStub(channel);
  const auto deadline = steady_clock::now() + std::chrono::seconds(20);
  while (steady_clock::now() < deadline) {
    auto context = ContextWithTimeout(std::chrono::seconds(2));
    runtime::v1::VersionRequest request;
    runtime::v1::VersionResponse response;
    const grpc::Status status = stub->Version(context.get(), request, &response);
    if (status.ok()) return true;
    *last_error = status.error_message();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

std::string ContainerdEnvScript() {
  return std::string(FLEETSET_SOURCE_DIR) + "/tests/env/containerd-env.sh";
}

std::unique_ptr<ContainerdNode> ContainerdNode::Start(const std::string& name) {
  const std::string dir = MakeTempDir("node-" + name);
  if (dir.empty()) {
    ADD_FAILURE() << "cannot create a temporary directory for node " << name;
    return nullptr;
  }
  const CommandResult result = RunScript("start", dir);
  const std::string endpoint = LastLine(result.out);
  if (result.exit_code != 0 || !endpoint.starts_with("unix://")) {
    ADD_FAILURE() << "containerd-env.sh start " << dir << " failed: " << Describe(result);
    RunScript("stop", dir);
    RemoveDir(dir);
    return nullptr;
  }
  std::unique_ptr<ContainerdNode> node(new ContainerdNode(name, dir, endpoint));
  std::string error;
  if (!WaitForCri(node->channel(), &error)) {
    ADD_FAILURE() << "CRI on " << endpoint << " never answered Version: " << error;
    return nullptr;  // the destructor cleans up
  }
  return node;
}

ContainerdNode::ContainerdNode(std::string name, std::string dir, std::string endpoint)
    : name_(std::move(name)), dir_(std::move(dir)), endpoint_(std::move(endpoint)) {}

ContainerdNode::~ContainerdNode() {
  if (!stopped_) RemoveAllPods();
  if (Stop()) RemoveDir(dir_);
}

bool ContainerdNode::Stop() {
  if (stopped_) return true;
  stopped_ = true;
  channel_.reset();
  const CommandResult result = RunScript("stop", dir_);
  if (result.exit_code != 0) {
    ADD_FAILURE() << "containerd-env.sh stop " << dir_ << " failed: " << Describe(result);
    return false;
  }
  return true;
}

std::shared_ptr<grpc::Channel> ContainerdNode::channel() {
  if (channel_ == nullptr) {
    channel_ = grpc::CreateChannel(endpoint_, grpc::InsecureChannelCredentials());
  }
  return channel_;
}

// Best effort: the script's stop sweeps up whatever this misses, but only
// CRI runs the CNI DEL that releases port mappings and addresses.
void ContainerdNode::RemoveAllPods() {
  auto stub = runtime::v1::RuntimeService::NewStub(channel());
  runtime::v1::ListPodSandboxResponse pods;
  if (!stub->ListPodSandbox(ContextWithTimeout(std::chrono::seconds(5)).get(), {}, &pods).ok()) {
    return;
  }
  for (const runtime::v1::PodSandbox& pod : pods.items()) {
    runtime::v1::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(pod.id());
    runtime::v1::StopPodSandboxResponse stopped;
    stub->StopPodSandbox(ContextWithTimeout(std::chrono::seconds(15)).get(), stop, &stopped);
    runtime::v1::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(pod.id());
    runtime::v1::RemovePodSandboxResponse removed;
    stub->RemovePodSandbox(ContextWithTimeout(std::chrono::seconds(15)).get(), remove, &removed);
  }
}

std::unique_ptr<LocalRegistry> LocalRegistry::Start(const std::string& credentials) {
  const std::string dir = MakeTempDir("registry");
  if (dir.empty()) {
    ADD_FAILURE() << "cannot create a temporary directory for the registry";
    return nullptr;
  }
  std::unique_ptr<LocalRegistry> registry(new LocalRegistry(dir));
  const CommandResult result = RunScript("registry-start", dir, credentials);
  if (result.exit_code != 0 || LastLine(result.out) != kRegistryImage) {
    ADD_FAILURE() << "containerd-env.sh registry-start " << dir << " failed: " << Describe(result);
    return nullptr;  // the destructor stops whatever did start
  }
  return registry;
}

LocalRegistry::~LocalRegistry() {
  const CommandResult result = RunScript("registry-stop", dir_);
  if (result.exit_code != 0) {
    ADD_FAILURE() << "containerd-env.sh registry-stop " << dir_ << " failed: " << Describe(result);
    return;
  }
  RemoveDir(dir_);
}

}  // namespace fleetset::testing
