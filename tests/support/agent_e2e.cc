#include "support/agent_e2e.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/pod_identity.h"
#include "support/prerequisites.h"

namespace fleetset::testing {
namespace {

std::string Indent(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string line;
  std::string out;
  while (std::getline(lines, line)) out += line.empty() ? "\n" : prefix + line + "\n";
  return out;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

std::string DaemonSetManifest(const std::string& name, const std::string& pod_spec,
                              const std::string& namespace_name) {
  return "apiVersion: apps/v1\n"
         "kind: DaemonSet\n"
         "metadata:\n"
         "  name: " +
         name + "\n  namespace: " + namespace_name +
         "\n"
         "spec:\n"
         "  selector:\n"
         "    matchLabels:\n"
         "      app: " +
         name +
         "\n"
         "  template:\n"
         "    metadata:\n"
         "      labels:\n"
         "        app: " +
         name +
         "\n"
         "    spec:\n" +
         Indent(ReplaceAll(pod_spec, "${IMAGE}", kTestImage), "      ");
}

std::string BusyboxPodSpec(const std::string& shell_command) {
  // Single quotes in the command are doubled for the YAML string.
  return "terminationGracePeriodSeconds: 1\n"
         "containers:\n"
         "  - name: main\n"
         "    image: ${IMAGE}\n"
         "    command: ['sh', '-c', '" +
         ReplaceAll(shell_command, "'", "''") + "']\n";
}

std::string ReadCriLog(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::string messages;
  while (std::getline(in, line)) {
    // Skip the timestamp, the stream and the partial/full tag.
    size_t at = 0;
    for (int field = 0; field < 3 && at != std::string::npos; ++field) {
      at = line.find(' ', at);
      if (at != std::string::npos) ++at;
    }
    if (at == std::string::npos) continue;
    if (!messages.empty()) messages += "\n";
    messages += line.substr(at);
  }
  return messages;
}

CriView::CriView(const ContainerdNode& node)
    : runtime_(agent::ConnectCriRuntime(node.endpoint())) {}

std::vector<cri::PodSandbox> CriView::SandboxesOf(const std::string& pod_uid) {
  cri::ListPodSandboxRequest request;
  (*request.mutable_filter()->mutable_label_selector())[agent::kPodUidLabel] = pod_uid;
  cri::ListPodSandboxResponse response;
  EXPECT_TRUE(runtime_->ListPodSandbox(request, &response).ok());
  return {response.items().begin(), response.items().end()};
}

std::vector<cri::PodSandbox> CriView::AllSandboxes() {
  cri::ListPodSandboxRequest request;
  (*request.mutable_filter()->mutable_label_selector())[agent::kManagedByLabel] =
      agent::kManagedByValue;
  cri::ListPodSandboxResponse response;
  EXPECT_TRUE(runtime_->ListPodSandbox(request, &response).ok());
  return {response.items().begin(), response.items().end()};
}

std::vector<cri::Container> CriView::ContainersOf(const std::string& pod_uid) {
  cri::ListContainersRequest request;
  (*request.mutable_filter()->mutable_label_selector())[agent::kPodUidLabel] = pod_uid;
  cri::ListContainersResponse response;
  EXPECT_TRUE(runtime_->ListContainers(request, &response).ok());
  std::vector<cri::Container> containers(response.containers().begin(),
                                         response.containers().end());
  std::sort(containers.begin(), containers.end(),
            [](const cri::Container& a, const cri::Container& b) {
              return a.created_at() < b.created_at();
            });
  return containers;
}

std::vector<std::string> CriView::RunningContainerIds(const std::string& pod_uid) {
  std::vector<std::string> ids;
  for (const cri::Container& container : ContainersOf(pod_uid)) {
    if (container.state() == cri::CONTAINER_RUNNING) ids.push_back(container.id());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool CriView::KillContainer(const std::string& container_id) {
  cri::StopContainerRequest request;
  request.set_container_id(container_id);
  request.set_timeout(0);
  cri::StopContainerResponse response;
  return runtime_->StopContainer(request, &response).ok();
}

void AgentE2ETest::SetUp() {
  REQUIRE_REAL_CONTAINERD();
  node_ = ContainerdNode::Start(::testing::UnitTest::GetInstance()->current_test_info()->name());
  ASSERT_NE(node_, nullptr);
  cri_ = std::make_unique<CriView>(*node_);
}

void AgentE2ETest::TearDown() {
  // The agent first (so it cannot recreate what the node removes), then
  // the node with every pod.
  agent_.reset();
  cri_.reset();
  node_.reset();
}

AgentProcess& AgentE2ETest::StartAgent(AgentOptions options) {
  agent_ = AgentProcess::Start(*node_, std::move(options));
  if (agent_ == nullptr) throw std::runtime_error("cannot start fleetset-agent");
  return *agent_;
}

v1::StatusReport AgentE2ETest::Report() const {
  if (agent_ == nullptr) return {};
  return agent_->Status().value_or(v1::StatusReport());
}

std::optional<v1::Pod> AgentE2ETest::WaitForReadyPod(const std::string& daemon_set,
                                                     std::chrono::milliseconds timeout) {
  std::optional<v1::Pod> ready;
  WaitUntil(
      [&] {
        // A crashed agent starts nothing: no point waiting for it.
        if (agent_ == nullptr || !agent_->Running()) return true;
        const v1::StatusReport report = Report();
        const v1::Pod* pod = FindPod(report, daemon_set);
        if (pod != nullptr && PodReady(*pod) && pod->status().reason() != "Terminating") {
          ready = *pod;
        }
        return ready.has_value();
      },
      timeout);
  if (agent_ != nullptr && !agent_->Running()) {
    ADD_FAILURE() << "fleetset-agent exited with "
                  << agent_->Wait(std::chrono::milliseconds(0)).value_or(-1);
  }
  return ready;
}

bool AgentE2ETest::WaitForPodGone(const std::string& uid, std::chrono::milliseconds timeout) {
  return WaitUntil(
      [&] {
        const v1::StatusReport report = Report();
        for (const v1::Pod& pod : report.pods()) {
          if (pod.metadata().uid() == uid) return false;
        }
        return cri_->SandboxesOf(uid).empty();
      },
      timeout);
}

std::string AgentE2ETest::LogPath(const v1::Pod& pod, const std::string& container,
                                  int restart) const {
  return agent_->log_root() + "/" + pod.metadata().namespace_() + "_" + pod.metadata().name() +
         "_" + pod.metadata().uid() + "/" + container + "/" + std::to_string(restart) + ".log";
}

}  // namespace fleetset::testing
