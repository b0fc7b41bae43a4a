// Talks to a real containerd through proto/cri/runtime/v1/api.proto. Every
// field these tests set or read crosses the wire, so a wrong field number in
// our copy of the CRI shows up here as a value that went missing (a label
// that does not come back, a uid that is not applied, an empty stdout).
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "agent/volumes/mount_points.h"
#include "cri/runtime/v1/api.grpc.pb.h"
#include "support/containerd_node.h"
#include "support/prerequisites.h"

namespace fleetset {
namespace {

namespace cri = runtime::v1;
using testing::ContainerdNode;

std::unique_ptr<grpc::ClientContext> Context(int seconds = 30) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

// Stubs for one node plus the few multi-step helpers the tests share.
class CriClient {
 public:
  explicit CriClient(ContainerdNode& node)
      : node_(node),
        runtime_(cri::RuntimeService::NewStub(node.channel())),
        images_(cri::ImageService::NewStub(node.channel())) {}

  cri::RuntimeService::Stub& runtime() { return *runtime_; }
  cri::ImageService::Stub& images() { return *images_; }

  // A DaemonSet-style pod: Kubernetes labels, a per-pod log directory, and
  // either the node's network namespace or a CNI one.
  cri::PodSandboxConfig PodConfig(const std::string& name, bool host_network) {
    const std::string uid = "uid-" + name;
    cri::PodSandboxConfig config;
    config.mutable_metadata()->set_name(name);
    config.mutable_metadata()->set_uid(uid);
    config.mutable_metadata()->set_namespace_("default");
    config.mutable_metadata()->set_attempt(0);
    if (!host_network) config.set_hostname(name);
    config.set_log_directory(node_.log_dir() + "/default_" + name + "_" + uid);
    (*config.mutable_labels())["io.kubernetes.pod.name"] = name;
    (*config.mutable_labels())["io.kubernetes.pod.namespace"] = "default";
    (*config.mutable_labels())["io.kubernetes.pod.uid"] = uid;
    (*config.mutable_annotations())["fleetset.io/test"] = "cri";
    auto* namespaces =
        config.mutable_linux()->mutable_security_context()->mutable_namespace_options();
    namespaces->set_network(host_network ? cri::NODE : cri::POD);
    namespaces->set_pid(cri::CONTAINER);
    return config;
  }

  // Returns the sandbox id, or "" after recording a failure.
  std::string RunPod(const cri::PodSandboxConfig& config) {
    cri::RunPodSandboxRequest request;
    *request.mutable_config() = config;
    cri::RunPodSandboxResponse response;
    const grpc::Status status = runtime_->RunPodSandbox(Context(60).get(), request, &response);
    EXPECT_TRUE(status.ok()) << "RunPodSandbox: " << status.error_message();
    return response.pod_sandbox_id();
  }

  // Creates and starts a busybox container running `script`; returns its id.
  std::string RunContainer(const std::string& pod_id, const cri::PodSandboxConfig& pod,
                           const std::string& name, const std::string& script) {
    cri::CreateContainerRequest create;
    create.set_pod_sandbox_id(pod_id);
    *create.mutable_sandbox_config() = pod;
    cri::ContainerConfig& config = *create.mutable_config();
    config.mutable_metadata()->set_name(name);
    config.mutable_metadata()->set_attempt(0);
    config.mutable_image()->set_image(node_.test_image());
    config.add_command("sh");
    config.add_args("-c");
    config.add_args(script);
    config.set_working_dir("/tmp");
    cri::KeyValue* env = config.add_envs();
    env->set_key("GREETING");
    env->set_value("hello from env");
    config.set_log_path(name + "/0.log");
    (*config.mutable_labels())["io.kubernetes.container.name"] = name;
    (*config.mutable_labels())["io.kubernetes.pod.uid"] = pod.metadata().uid();
    (*config.mutable_annotations())["fleetset.io/restart-count"] = "0";
    auto* linux = config.mutable_linux();
    linux->mutable_resources()->set_memory_limit_in_bytes(64 << 20);
    linux->mutable_resources()->set_cpu_shares(512);
    linux->mutable_security_context()->mutable_run_as_user()->set_value(65534);
    linux->mutable_security_context()->mutable_namespace_options()->set_pid(cri::CONTAINER);

    cri::CreateContainerResponse created;
    grpc::Status status = runtime_->CreateContainer(Context().get(), create, &created);
    EXPECT_TRUE(status.ok()) << "CreateContainer: " << status.error_message();
    if (!status.ok()) return "";

    cri::StartContainerRequest start;
    start.set_container_id(created.container_id());
    cri::StartContainerResponse started;
    status = runtime_->StartContainer(Context().get(), start, &started);
    EXPECT_TRUE(status.ok()) << "StartContainer: " << status.error_message();
    return created.container_id();
  }

  cri::ExecSyncResponse Exec(const std::string& container_id, std::vector<std::string> cmd) {
    cri::ExecSyncRequest request;
    request.set_container_id(container_id);
    for (std::string& arg : cmd) request.add_cmd(std::move(arg));
    request.set_timeout(10);
    cri::ExecSyncResponse response;
    const grpc::Status status = runtime_->ExecSync(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << "ExecSync: " << status.error_message();
    return response;
  }

  cri::ContainerStatus StatusOf(const std::string& container_id) {
    cri::ContainerStatusRequest request;
    request.set_container_id(container_id);
    cri::ContainerStatusResponse response;
    const grpc::Status status = runtime_->ContainerStatus(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << "ContainerStatus: " << status.error_message();
    return response.status();
  }

  cri::PodSandboxStatus PodStatusOf(const std::string& pod_id) {
    cri::PodSandboxStatusRequest request;
    request.set_pod_sandbox_id(pod_id);
    cri::PodSandboxStatusResponse response;
    const grpc::Status status = runtime_->PodSandboxStatus(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << "PodSandboxStatus: " << status.error_message();
    return response.status();
  }

  std::vector<cri::PodSandbox> PodsLabelled(const std::string& key, const std::string& value) {
    cri::ListPodSandboxRequest request;
    (*request.mutable_filter()->mutable_label_selector())[key] = value;
    cri::ListPodSandboxResponse response;
    const grpc::Status status = runtime_->ListPodSandbox(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << "ListPodSandbox: " << status.error_message();
    return {response.items().begin(), response.items().end()};
  }

  void StopAndRemovePod(const std::string& pod_id) {
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(pod_id);
    cri::StopPodSandboxResponse stopped;
    grpc::Status status = runtime_->StopPodSandbox(Context().get(), stop, &stopped);
    EXPECT_TRUE(status.ok()) << "StopPodSandbox: " << status.error_message();
    EXPECT_EQ(PodStatusOf(pod_id).state(), cri::SANDBOX_NOTREADY);
    cri::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(pod_id);
    cri::RemovePodSandboxResponse removed;
    status = runtime_->RemovePodSandbox(Context().get(), remove, &removed);
    EXPECT_TRUE(status.ok()) << "RemovePodSandbox: " << status.error_message();
  }

  // Status of an image, or nullopt-like empty id when absent.
  cri::Image ImageStatus(const std::string& name) {
    cri::ImageStatusRequest request;
    request.mutable_image()->set_image(name);
    cri::ImageStatusResponse response;
    const grpc::Status status = images_->ImageStatus(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << "ImageStatus: " << status.error_message();
    return response.image();
  }

 private:
  ContainerdNode& node_;
  std::unique_ptr<cri::RuntimeService::Stub> runtime_;
  std::unique_ptr<cri::ImageService::Stub> images_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Fields of /proc/PID/stat after the command name: state is [0], ppid [1].
std::vector<std::string> StatFields(int pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream rest(stat.substr(stat.rfind(')') + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// Zombies count as gone: they wait only for PID 1 to reap them.
bool Running(int pid) {
  const std::vector<std::string> fields = StatFields(pid);
  return !fields.empty() && fields[0] != "Z" && fields[0] != "X";
}

std::vector<int> AllPids() {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

// The shims of a node are the processes given its socket as an argument;
// their children are the containers' processes.
std::vector<int> ShimsAndChildren(const std::string& socket_path) {
  std::vector<int> shims;
  for (int pid : AllPids()) {
    const std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.find(std::string(1, '\0') + socket_path + '\0') != std::string::npos) {
      shims.push_back(pid);
    }
  }
  std::vector<int> found = shims;
  for (int pid : AllPids()) {
    const std::vector<std::string> fields = StatFields(pid);
    if (fields.size() < 2) continue;
    for (int shim : shims) {
      if (fields[1] == std::to_string(shim)) found.push_back(pid);
    }
  }
  return found;
}

TEST(CriTest, VersionAndStatus) {
  REQUIRE_REAL_CONTAINERD();
  auto node = ContainerdNode::Start("version");
  ASSERT_NE(node, nullptr);
  CriClient client(*node);

  cri::VersionRequest version_request;
  version_request.set_version("v1");
  cri::VersionResponse version;
  grpc::Status status = client.runtime().Version(Context().get(), version_request, &version);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(version.runtime_name(), "containerd");
  EXPECT_EQ(version.runtime_api_version(), "v1");
  EXPECT_FALSE(version.runtime_version().empty());

  cri::StatusResponse runtime_status;
  status = client.runtime().Status(Context().get(), {}, &runtime_status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  bool runtime_ready = false;
  bool network_ready = false;
  for (const cri::RuntimeCondition& condition : runtime_status.status().conditions()) {
    if (condition.type() == "RuntimeReady") runtime_ready = condition.status();
    if (condition.type() == "NetworkReady") network_ready = condition.status();
  }
  EXPECT_TRUE(runtime_ready);
  EXPECT_TRUE(network_ready) << "the private CNI config was not picked up";
}

TEST(CriTest, ListImagesShowsImportedImages) {
  REQUIRE_REAL_CONTAINERD();
  auto node = ContainerdNode::Start("images");
  ASSERT_NE(node, nullptr);
  CriClient client(*node);

  cri::ListImagesResponse list;
  const grpc::Status status = client.images().ListImages(Context().get(), {}, &list);
  ASSERT_TRUE(status.ok()) << status.error_message();
  bool saw_test = false;
  bool saw_pause = false;
  for (const cri::Image& image : list.images()) {
    for (const std::string& tag : image.repo_tags()) {
      saw_test |= tag == node->test_image();
      saw_pause |= tag == node->pause_image();
    }
    EXPECT_GT(image.size(), 0u);
    EXPECT_TRUE(image.id().starts_with("sha256:")) << image.id();
  }
  EXPECT_TRUE(saw_test);
  EXPECT_TRUE(saw_pause);

  const cri::Image image = client.ImageStatus(node->test_image());
  EXPECT_TRUE(image.id().starts_with("sha256:"));
  EXPECT_TRUE(client.ImageStatus("docker.io/fleetset/absent:none").id().empty());
}

TEST(CriTest, PodAndContainerRoundTrip) {
  REQUIRE_REAL_CONTAINERD();
  auto node = ContainerdNode::Start("roundtrip");
  ASSERT_NE(node, nullptr);
  CriClient client(*node);

  const cri::PodSandboxConfig pod = client.PodConfig("ds-pod", /*host_network=*/false);
  const std::string pod_id = client.RunPod(pod);
  ASSERT_FALSE(pod_id.empty());

  const cri::PodSandboxStatus pod_status = client.PodStatusOf(pod_id);
  EXPECT_EQ(pod_status.state(), cri::SANDBOX_READY);
  EXPECT_EQ(pod_status.metadata().name(), "ds-pod");
  EXPECT_EQ(pod_status.metadata().uid(), "uid-ds-pod");
  EXPECT_EQ(pod_status.metadata().namespace_(), "default");
  EXPECT_GT(pod_status.created_at(), 0);
  EXPECT_TRUE(pod_status.network().ip().starts_with("10.213.")) << pod_status.network().ip();
  EXPECT_EQ(pod_status.linux().namespaces().options().network(), cri::POD);
  EXPECT_EQ(pod_status.labels().at("io.kubernetes.pod.uid"), "uid-ds-pod");
  EXPECT_EQ(pod_status.annotations().at("fleetset.io/test"), "cri");

  const std::vector<cri::PodSandbox> listed =
      client.PodsLabelled("io.kubernetes.pod.uid", "uid-ds-pod");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id(), pod_id);
  EXPECT_EQ(listed[0].state(), cri::SANDBOX_READY);
  EXPECT_TRUE(client.PodsLabelled("io.kubernetes.pod.uid", "someone-else").empty());

  const std::string container_id =
      client.RunContainer(pod_id, pod, "sleeper", "echo started; exec sleep 3600");
  ASSERT_FALSE(container_id.empty());

  cri::ContainerStatus status = client.StatusOf(container_id);
  EXPECT_EQ(status.state(), cri::CONTAINER_RUNNING);
  EXPECT_EQ(status.metadata().name(), "sleeper");
  EXPECT_GT(status.started_at(), 0);
  EXPECT_EQ(status.finished_at(), 0);
  EXPECT_EQ(status.image().image(), node->test_image());
  EXPECT_TRUE(status.image_ref().starts_with("sha256:")) << status.image_ref();
  EXPECT_EQ(status.labels().at("io.kubernetes.container.name"), "sleeper");
  EXPECT_EQ(status.annotations().at("fleetset.io/restart-count"), "0");
  EXPECT_EQ(status.log_path(), pod.log_directory() + "/sleeper/0.log");

  cri::ExecSyncResponse exec = client.Exec(container_id, {"echo", "hi"});
  EXPECT_EQ(exec.stdout(), "hi\n");
  EXPECT_EQ(exec.exit_code(), 0);
  exec = client.Exec(container_id, {"sh", "-c", "echo oops >&2; exit 3"});
  EXPECT_EQ(exec.stderr(), "oops\n");
  EXPECT_EQ(exec.exit_code(), 3);
  // Environment, user, working directory and cgroup limits all travel in
  // nested messages, so they check those field numbers too.
  EXPECT_EQ(client.Exec(container_id, {"sh", "-c", "echo $GREETING"}).stdout(), "hello from env\n");
  EXPECT_EQ(client.Exec(container_id, {"id", "-u"}).stdout(), "65534\n");
  EXPECT_EQ(client.Exec(container_id, {"pwd"}).stdout(), "/tmp\n");
  EXPECT_EQ(
      client.Exec(container_id, {"cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}).stdout(),
      std::to_string(64 << 20) + "\n");

  cri::ListContainersRequest list_request;
  (*list_request.mutable_filter()->mutable_label_selector())["io.kubernetes.pod.uid"] =
      "uid-ds-pod";
  cri::ListContainersResponse containers;
  ASSERT_TRUE(client.runtime().ListContainers(Context().get(), list_request, &containers).ok());
  ASSERT_EQ(containers.containers_size(), 1);
  EXPECT_EQ(containers.containers(0).id(), container_id);
  EXPECT_EQ(containers.containers(0).pod_sandbox_id(), pod_id);
  EXPECT_EQ(containers.containers(0).state(), cri::CONTAINER_RUNNING);

  cri::StopContainerRequest stop;
  stop.set_container_id(container_id);
  stop.set_timeout(0);
  cri::StopContainerResponse stopped;
  grpc::Status grpc_status = client.runtime().StopContainer(Context().get(), stop, &stopped);
  ASSERT_TRUE(grpc_status.ok()) << grpc_status.error_message();
  status = client.StatusOf(container_id);
  EXPECT_EQ(status.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(status.exit_code(), 137);  // SIGKILL
  EXPECT_GE(status.finished_at(), status.started_at());
  EXPECT_FALSE(status.reason().empty());

  // The container's stdout went to the Kubernetes-style log file (CRI log
  // format: "<time> stdout F <line>").
  EXPECT_NE(ReadFile(status.log_path()).find(" stdout F started"), std::string::npos)
      << ReadFile(status.log_path());

  cri::RemoveContainerRequest remove;
  remove.set_container_id(container_id);
  cri::RemoveContainerResponse removed;
  grpc_status = client.runtime().RemoveContainer(Context().get(), remove, &removed);
  ASSERT_TRUE(grpc_status.ok()) << grpc_status.error_message();

  client.StopAndRemovePod(pod_id);
  EXPECT_TRUE(client.PodsLabelled("io.kubernetes.pod.uid", "uid-ds-pod").empty());
}

TEST(CriTest, HostNetworkPodSharesTheNodeNamespaces) {
  REQUIRE_REAL_CONTAINERD();
  auto node = ContainerdNode::Start("hostnet");
  ASSERT_NE(node, nullptr);
  CriClient client(*node);

  const cri::PodSandboxConfig pod = client.PodConfig("host-pod", /*host_network=*/true);
  const std::string pod_id = client.RunPod(pod);
  ASSERT_FALSE(pod_id.empty());
  EXPECT_EQ(client.PodStatusOf(pod_id).linux().namespaces().options().network(), cri::NODE);

  const std::string container_id = client.RunContainer(pod_id, pod, "agent", "exec sleep 3600");
  ASSERT_FALSE(container_id.empty());
  char hostname[256] = {};
  ASSERT_EQ(gethostname(hostname, sizeof(hostname) - 1), 0);
  EXPECT_EQ(client.Exec(container_id, {"hostname"}).stdout(), std::string(hostname) + "\n");

  // No StopContainer first: StopPodSandbox must take its containers down.
  client.StopAndRemovePod(pod_id);
}

TEST(CriTest, PullImageFromLocalRegistry) {
  REQUIRE_LOCAL_REGISTRY();
  auto registry = testing::LocalRegistry::Start();
  ASSERT_NE(registry, nullptr);
  auto node = ContainerdNode::Start("pull");
  ASSERT_NE(node, nullptr);
  CriClient client(*node);

  ASSERT_TRUE(client.ImageStatus(registry->image()).id().empty())
      << "the registry-only image must not be present before the pull";

  cri::PullImageRequest pull;
  pull.mutable_image()->set_image(registry->image());
  // The registry has no auth; credentials must simply be ignored.
  pull.mutable_auth()->set_username("nobody");
  pull.mutable_auth()->set_password("unused");
  cri::PullImageResponse pulled;
  grpc::Status status = client.images().PullImage(Context(60).get(), pull, &pulled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(pulled.image_ref().starts_with("sha256:")) << pulled.image_ref();

  const cri::Image image = client.ImageStatus(registry->image());
  EXPECT_EQ(image.id(), pulled.image_ref());
  // Same content as the imported test image, so the same image id.
  EXPECT_EQ(image.id(), client.ImageStatus(node->test_image()).id());
  bool has_digest = false;
  for (const std::string& digest : image.repo_digests()) {
    has_digest |= digest.starts_with("127.0.0.1:5000/fleetset/busybox@sha256:");
  }
  EXPECT_TRUE(has_digest) << image.DebugString();

  cri::RemoveImageRequest remove;
  remove.mutable_image()->set_image(registry->image());
  cri::RemoveImageResponse removed;
  status = client.images().RemoveImage(Context().get(), remove, &removed);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

// A node that dies with pods still running (the agent's tests kill nodes on
// purpose) must still leave no process, mount or bridge behind.
TEST(CriTest, StopCleansUpRunningPods) {
  REQUIRE_REAL_CONTAINERD();
  auto node = ContainerdNode::Start("abandon");
  ASSERT_NE(node, nullptr);
  CriClient client(*node);
  const cri::PodSandboxConfig pod = client.PodConfig("left-behind", /*host_network=*/false);
  const std::string pod_id = client.RunPod(pod);
  ASSERT_FALSE(pod_id.empty());
  const std::string container_id = client.RunContainer(pod_id, pod, "sleeper", "exec sleep 3600");
  ASSERT_FALSE(container_id.empty());

  const std::vector<int> processes = ShimsAndChildren(node->socket_path());
  EXPECT_GE(processes.size(), 3u) << "expected a shim, the sandbox and the container";
  EXPECT_FALSE(agent::MountsUnder(node->dir()).empty());
  const std::string bridge = "/sys/class/net/fsbr" + ReadFile(node->dir() + "/net-slot");
  const std::string bridge_path = bridge.substr(0, bridge.find_last_not_of("\n") + 1);
  EXPECT_TRUE(std::filesystem::exists(bridge_path)) << bridge_path;

  const std::string cgroup = "/sys/fs/cgroup/memory/k8s.io/" + container_id;
  EXPECT_TRUE(std::filesystem::exists(cgroup)) << cgroup;

  ASSERT_TRUE(node->Stop());
  for (int pid : processes) EXPECT_FALSE(Running(pid)) << "pid " << pid << " survived";
  EXPECT_TRUE(agent::MountsUnder(node->dir()).empty()) << ReadFile("/proc/self/mountinfo");
  EXPECT_FALSE(std::filesystem::exists(bridge_path));
  // Outside the node's directory: the container's cgroup and libcni's cache
  // of the pod's attachment.
  EXPECT_FALSE(std::filesystem::exists(cgroup));
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/var/lib/cni/results", ignored)) {
    EXPECT_EQ(entry.path().string().find(pod_id), std::string::npos) << entry.path();
  }
}

TEST(CriTest, TwoNodesRunSideBySide) {
  REQUIRE_REAL_CONTAINERD();
  // Start both at once: the script must cope with concurrent starts.
  std::unique_ptr<ContainerdNode> a;
  std::unique_ptr<ContainerdNode> b;
  std::thread start_b([&b] { b = ContainerdNode::Start("side-b"); });
  a = ContainerdNode::Start("side-a");
  start_b.join();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->socket_path(), b->socket_path());
  EXPECT_NE(a->endpoint(), b->endpoint());

  CriClient client_a(*a);
  CriClient client_b(*b);
  const cri::PodSandboxConfig pod_a = client_a.PodConfig("pod-a", /*host_network=*/false);
  const cri::PodSandboxConfig pod_b = client_b.PodConfig("pod-b", /*host_network=*/false);
  const std::string id_a = client_a.RunPod(pod_a);
  const std::string id_b = client_b.RunPod(pod_b);
  ASSERT_FALSE(id_a.empty());
  ASSERT_FALSE(id_b.empty());

  // Each runtime sees only its own pod, on its own bridge subnet.
  EXPECT_EQ(client_a.PodsLabelled("io.kubernetes.pod.namespace", "default").size(), 1u);
  EXPECT_EQ(client_b.PodsLabelled("io.kubernetes.pod.namespace", "default").size(), 1u);
  EXPECT_EQ(client_a.PodsLabelled("io.kubernetes.pod.name", "pod-b").size(), 0u);
  const std::string ip_a = client_a.PodStatusOf(id_a).network().ip();
  const std::string ip_b = client_b.PodStatusOf(id_b).network().ip();
  EXPECT_NE(ip_a.substr(0, ip_a.rfind('.')), ip_b.substr(0, ip_b.rfind('.')))
      << ip_a << " and " << ip_b << " share a subnet";

  // Stopping one node leaves the other serving.
  a.reset();
  EXPECT_EQ(client_b.PodStatusOf(id_b).state(), cri::SANDBOX_READY);
  client_b.StopAndRemovePod(id_b);
}

}  // namespace
}  // namespace fleetset
