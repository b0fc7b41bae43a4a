// The configs the agent builds, run by a real containerd through the real
// gRPC CriRuntime: what kubelet conventions promise (log file location and
// format, labels, mounts, env from fieldRef, cgroup limits) must hold on a
// real node, not just in the builder's unit tests.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "agent/cri_runtime.h"
#include "agent/pod_config_builder.h"
#include "agent/pod_identity.h"
#include "agent/volumes/volume_manager.h"
#include "support/containerd_node.h"
#include "support/prerequisites.h"

namespace fleetset::agent {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// The seed fluentd DaemonSet's pod, with the local busybox image.
constexpr char kFluentdTemplate[] = R"pb(
  metadata {
    labels { key: "k8s-app" value: "fluentd-logging" }
    labels { key: "version" value: "v1" }
  }
  spec {
    termination_grace_period_seconds: 30
    containers {
      name: "fluentd"
      image: "docker.io/fleetset/busybox:test"
      command: "sh"
      command: "-c"
      command: "echo node=$K8S_NODE_NAME; echo via-expansion=$(K8S_NODE_NAME); sleep 3600"
      env {
        name: "K8S_NODE_NAME"
        value_from { field_ref { field_path: "spec.nodeName" } }
      }
      env { name: "FLUENT_ELASTICSEARCH_HOST" value: "elasticsearch-logging" }
      resources {
        limits { key: "memory" value: "200Mi" }
        requests { key: "cpu" value: "100m" }
        requests { key: "memory" value: "200Mi" }
      }
      volume_mounts { name: "varlog" mount_path: "/var/log" read_only: true }
      volume_mounts { name: "buffer" mount_path: "/buffer" }
    }
    volumes {
      name: "varlog"
      host_path { path: "/var/log" }
    }
    volumes {
      name: "buffer"
      empty_dir {}
    }
  }
)pb";

struct RunningPod {
  std::string sandbox_id;
  std::string container_id;
  cri::PodSandboxConfig sandbox_config;
};

class PodConfigOnContainerdTest : public ::testing::Test {
 protected:
  // Returns false (with a failure recorded) when the node cannot start.
  bool StartNode() {
    node_ = testing::ContainerdNode::Start("podcfg");
    if (node_ == nullptr) return false;
    runtime_ = ConnectCriRuntime(node_->endpoint());
    return true;
  }

  void TearDown() override {
    if (runtime_ == nullptr) return;
    for (const RunningPod& pod : pods_) {
      cri::StopContainerRequest stop;
      stop.set_container_id(pod.container_id);
      cri::StopContainerResponse stopped;
      EXPECT_TRUE(runtime_->StopContainer(stop, &stopped).ok());
      cri::RemoveContainerRequest remove;
      remove.set_container_id(pod.container_id);
      cri::RemoveContainerResponse removed;
      EXPECT_TRUE(runtime_->RemoveContainer(remove, &removed).ok());
      cri::StopPodSandboxRequest stop_pod;
      stop_pod.set_pod_sandbox_id(pod.sandbox_id);
      cri::StopPodSandboxResponse pod_stopped;
      EXPECT_TRUE(runtime_->StopPodSandbox(stop_pod, &pod_stopped).ok());
      cri::RemovePodSandboxRequest remove_pod;
      remove_pod.set_pod_sandbox_id(pod.sandbox_id);
      cri::RemovePodSandboxResponse pod_removed;
      EXPECT_TRUE(runtime_->RemovePodSandbox(remove_pod, &pod_removed).ok());
    }
    for (const PodContext& context : contexts_) {
      volumes_->TearDown(nullptr, context);
      EXPECT_FALSE(std::filesystem::exists(context.pod_dir));
    }
    runtime_.reset();
    node_.reset();
  }

  PodContext Context(const std::string& pod_name) {
    PodContext context;
    context.node_name = node_->name();
    context.host_ip = "127.0.0.1";
    context.pod_name = pod_name;
    context.pod_namespace = "kube-system";
    context.pod_uid = "uid-" + pod_name;
    context.daemon_set_namespace = "kube-system";
    context.daemon_set_name = "fluentd";
    context.revision_hash = "abc123";
    // Temporary directories that die with the node, never /var/log/pods.
    context.log_root = node_->log_dir();
    context.pod_dir = node_->dir() + "/agent/pods/" + context.pod_uid;
    return context;
  }

  static v1::PodTemplateSpec Template() {
    v1::PodTemplateSpec template_spec;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kFluentdTemplate, &template_spec));
    return template_spec;
  }

  // What the agent does for a new pod: volumes, sandbox, one container.
  RunningPod Run(const v1::PodTemplateSpec& template_spec, const PodContext& context) {
    RunningPod pod;
    contexts_.push_back(context);
    const std::optional<std::string> volume_error = volumes_->Prepare(template_spec, context);
    EXPECT_EQ(volume_error, std::nullopt);

    cri::RunPodSandboxRequest run;
    *run.mutable_config() = BuildSandboxConfig(template_spec, context, 0);
    cri::RunPodSandboxResponse ran;
    const grpc::Status run_status = runtime_->RunPodSandbox(run, &ran);
    EXPECT_TRUE(run_status.ok()) << run_status.error_message();
    pod.sandbox_id = ran.pod_sandbox_id();
    pod.sandbox_config = run.config();

    const ContainerConfigResult built = BuildContainerConfig(
        template_spec, template_spec.spec().containers(0), context, *volumes_, 0, false);
    EXPECT_EQ(built.error, "");
    cri::CreateContainerRequest create;
    create.set_pod_sandbox_id(pod.sandbox_id);
    *create.mutable_config() = built.config;
    *create.mutable_sandbox_config() = pod.sandbox_config;
    cri::CreateContainerResponse created;
    const grpc::Status create_status = runtime_->CreateContainer(create, &created);
    EXPECT_TRUE(create_status.ok()) << create_status.error_message();
    pod.container_id = created.container_id();

    cri::StartContainerRequest start;
    start.set_container_id(pod.container_id);
    cri::StartContainerResponse started;
    const grpc::Status start_status = runtime_->StartContainer(start, &started);
    EXPECT_TRUE(start_status.ok()) << start_status.error_message();
    pods_.push_back(pod);
    return pod;
  }

  cri::ContainerStatus Status(const std::string& container_id) {
    cri::ContainerStatusRequest request;
    request.set_container_id(container_id);
    cri::ContainerStatusResponse response;
    const grpc::Status status = runtime_->ContainerStatus(request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.status();
  }

  std::string Exec(const std::string& container_id, const std::string& script) {
    cri::ExecSyncRequest request;
    request.set_container_id(container_id);
    request.add_cmd("sh");
    request.add_cmd("-c");
    request.add_cmd(script);
    request.set_timeout(10);
    cri::ExecSyncResponse response;
    const grpc::Status status = runtime_->ExecSync(request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.exit_code(), 0) << script << ": " << response.stderr();
    return response.stdout();
  }

  // Waits until the file has a line containing `needle`, returns the file.
  static std::string WaitForLogLine(const std::string& path, const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::string content;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream file(path);
      std::stringstream buffer;
      buffer << file.rdbuf();
      content = buffer.str();
      if (content.find(needle) != std::string::npos) return content;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no \"" << needle << "\" in " << path << " after 15s; it holds:\n" << content;
    return content;
  }

  // The log must be where kubelet puts it, in the CRI format:
  // "<RFC 3339 time> stdout F <line>".
  void ExpectKubeletLog(const PodContext& context, const RunningPod& pod) {
    const std::string log_path = PodLogDirectory(context.log_root, context.pod_namespace,
                                                 context.pod_name, context.pod_uid) +
                                 "/fluentd/0.log";
    EXPECT_EQ(log_path, node_->log_dir() + "/kube-system_" + context.pod_name + "_" +
                            context.pod_uid + "/fluentd/0.log");
    EXPECT_EQ(Status(pod.container_id).log_path(), log_path);
    const std::string content = WaitForLogLine(log_path, "via-expansion=");
    const std::regex line(
        "(^|\\n)\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(Z|[+-]\\d\\d:\\d\\d) stdout F node=" + node_->name() +
        "\\n");
    EXPECT_TRUE(std::regex_search(content, line)) << content;
    EXPECT_THAT(content, HasSubstr(" stdout F via-expansion=" + node_->name() + "\n"));
  }

  std::unique_ptr<testing::ContainerdNode> node_;
  std::unique_ptr<CriRuntime> runtime_;
  std::vector<RunningPod> pods_;
  std::vector<PodContext> contexts_;
  std::unique_ptr<VolumeManager> volumes_ = MakeVolumeManager();
};

TEST_F(PodConfigOnContainerdTest, FluentdPodRunsAsKubeletWouldRunIt) {
  REQUIRE_REAL_CONTAINERD();
  ASSERT_TRUE(StartNode());
  const PodContext context = Context("fluentd-abcde");
  const RunningPod pod = Run(Template(), context);
  ASSERT_FALSE(pod.container_id.empty());

  const cri::ContainerStatus status = Status(pod.container_id);
  EXPECT_EQ(status.state(), cri::CONTAINER_RUNNING) << status.reason() << " " << status.message();
  ExpectKubeletLog(context, pod);

  // Mounts as reported by the runtime: hostPath read-only, emptyDir in the
  // pod's directory.
  std::map<std::string, cri::Mount> mounts;
  for (const cri::Mount& mount : status.mounts()) mounts[mount.container_path()] = mount;
  ASSERT_TRUE(mounts.contains("/var/log"));
  EXPECT_EQ(mounts["/var/log"].host_path(), "/var/log");
  EXPECT_TRUE(mounts["/var/log"].readonly());
  ASSERT_TRUE(mounts.contains("/buffer"));
  EXPECT_EQ(mounts["/buffer"].host_path(), context.pod_dir + "/volumes/buffer");
  EXPECT_FALSE(mounts["/buffer"].readonly());

  // The labels come back from ListContainers, selectable the way the agent
  // finds its own containers after a restart.
  cri::ListContainersRequest list;
  (*list.mutable_filter()->mutable_label_selector())[kPodUidLabel] = context.pod_uid;
  (*list.mutable_filter()->mutable_label_selector())[kManagedByLabel] = kManagedByValue;
  cri::ListContainersResponse listed;
  ASSERT_TRUE(runtime_->ListContainers(list, &listed).ok());
  ASSERT_EQ(listed.containers_size(), 1);
  const auto& labels = listed.containers(0).labels();
  EXPECT_EQ(labels.at(kPodNameLabel), "fluentd-abcde");
  EXPECT_EQ(labels.at(kPodNamespaceLabel), "kube-system");
  EXPECT_EQ(labels.at(kContainerNameLabel), "fluentd");
  EXPECT_EQ(labels.at(kContainerTypeLabel), "app");
  EXPECT_EQ(labels.at(kNodeLabel), node_->name());
  EXPECT_EQ(labels.at("k8s-app"), "fluentd-logging");
  EXPECT_EQ(listed.containers(0).annotations().at(kRestartCountAnnotation), "0");

  // Inside the container: env, the read-only hostPath, a writable emptyDir
  // shared with the node, and the cgroup memory limit.
  EXPECT_EQ(Exec(pod.container_id, "echo $K8S_NODE_NAME"), node_->name() + "\n");
  EXPECT_THAT(Exec(pod.container_id, "touch /var/log/x 2>&1 || echo read-only"),
              HasSubstr("read-only"));
  Exec(pod.container_id, "echo buffered > /buffer/chunk");
  std::ifstream chunk(context.pod_dir + "/volumes/buffer/chunk");
  std::string word;
  chunk >> word;
  EXPECT_EQ(word, "buffered");
  EXPECT_EQ(Exec(pod.container_id,
                 "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || "
                 "cat /sys/fs/cgroup/memory.max"),
            "209715200\n");
  EXPECT_EQ(Exec(pod.container_id, "hostname"), "fluentd-abcde\n");
}

TEST_F(PodConfigOnContainerdTest, HostNetworkPodSharesTheNodesNetworkAndHostname) {
  REQUIRE_REAL_CONTAINERD();
  ASSERT_TRUE(StartNode());
  v1::PodTemplateSpec template_spec = Template();
  template_spec.mutable_spec()->set_host_network(true);
  const PodContext context = Context("fluentd-hostnet");
  const RunningPod pod = Run(template_spec, context);
  ASSERT_FALSE(pod.container_id.empty());
  EXPECT_EQ(Status(pod.container_id).state(), cri::CONTAINER_RUNNING);
  ExpectKubeletLog(context, pod);

  cri::PodSandboxStatusRequest request;
  request.set_pod_sandbox_id(pod.sandbox_id);
  cri::PodSandboxStatusResponse response;
  ASSERT_TRUE(runtime_->PodSandboxStatus(request, &response).ok());
  EXPECT_EQ(response.status().linux().namespaces().options().network(), cri::NODE);
  EXPECT_EQ(response.status().state(), cri::SANDBOX_READY);

  char hostname[256] = {};
  ASSERT_EQ(::gethostname(hostname, sizeof(hostname) - 1), 0);
  EXPECT_EQ(Exec(pod.container_id, "hostname"), std::string(hostname) + "\n");
  // Same network namespace as the node (this test runs in it).
  const std::string node_netns = std::filesystem::read_symlink("/proc/self/ns/net").string();
  EXPECT_EQ(Exec(pod.container_id, "readlink /proc/self/ns/net"), node_netns + "\n");
}

// The real CriRuntime itself: both endpoint spellings, and a missing
// runtime is a prompt UNAVAILABLE rather than a hang until the deadline.
TEST_F(PodConfigOnContainerdTest, GrpcRuntimeEndpointsAndUnavailableRuntime) {
  REQUIRE_REAL_CONTAINERD();
  ASSERT_TRUE(StartNode());
  for (const std::string& endpoint : {node_->endpoint(), node_->socket_path()}) {
    const auto runtime = ConnectCriRuntime(endpoint);
    cri::VersionResponse version;
    const grpc::Status status = runtime->Version({}, &version);
    EXPECT_TRUE(status.ok()) << endpoint << ": " << status.error_message();
    EXPECT_EQ(version.runtime_name(), "containerd");
    EXPECT_EQ(version.runtime_api_version(), "v1");
  }

  CriTimeouts timeouts;
  timeouts.call = std::chrono::seconds(5);
  const auto missing = ConnectCriRuntime(node_->dir() + "/no-such.sock", timeouts);
  const auto start = std::chrono::steady_clock::now();
  cri::ListContainersResponse listed;
  EXPECT_EQ(missing->ListContainers({}, &listed).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace fleetset::agent
