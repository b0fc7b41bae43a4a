// The fake must behave like containerd wherever the agent depends on it,
// or reconciler tests would prove nothing.
#include "fakes/fake_cri_runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace fleetset::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeCriRuntimeTest : public ::testing::Test {
 protected:
  FakeCriRuntimeTest() : runtime_(&clock_) { runtime_.AddImage("busybox"); }

  cri::PodSandboxConfig SandboxConfig(const std::string& name, uint32_t attempt = 0) {
    cri::PodSandboxConfig config;
    config.mutable_metadata()->set_name(name);
    config.mutable_metadata()->set_namespace_("default");
    config.mutable_metadata()->set_uid("uid-" + name);
    config.mutable_metadata()->set_attempt(attempt);
    config.set_log_directory("/logs/default_" + name + "_uid-" + name);
    (*config.mutable_labels())["io.kubernetes.pod.name"] = name;
    (*config.mutable_labels())["fleetset.io/managed-by"] = "fleetset-agent";
    return config;
  }

  std::string RunSandbox(const std::string& name, uint32_t attempt = 0) {
    cri::RunPodSandboxRequest request;
    *request.mutable_config() = SandboxConfig(name, attempt);
    cri::RunPodSandboxResponse response;
    EXPECT_TRUE(runtime_.RunPodSandbox(request, &response).ok());
    return response.pod_sandbox_id();
  }

  grpc::Status Create(const std::string& sandbox_id, const std::string& name, uint32_t attempt,
                      std::string* id, const std::string& image = "busybox") {
    cri::CreateContainerRequest request;
    request.set_pod_sandbox_id(sandbox_id);
    request.mutable_config()->mutable_metadata()->set_name(name);
    request.mutable_config()->mutable_metadata()->set_attempt(attempt);
    request.mutable_config()->mutable_image()->set_image(image);
    request.mutable_config()->set_log_path(name + "/" + std::to_string(attempt) + ".log");
    (*request.mutable_config()->mutable_labels())["io.kubernetes.container.name"] = name;
    cri::Mount* mount = request.mutable_config()->add_mounts();
    mount->set_container_path("/data");
    mount->set_host_path("/srv/data");
    cri::CreateContainerResponse response;
    grpc::Status status = runtime_.CreateContainer(request, &response);
    *id = response.container_id();
    return status;
  }

  std::string RunContainer(const std::string& sandbox_id, const std::string& name,
                           uint32_t attempt = 0) {
    std::string id;
    EXPECT_TRUE(Create(sandbox_id, name, attempt, &id).ok());
    cri::StartContainerRequest start;
    start.set_container_id(id);
    cri::StartContainerResponse started;
    EXPECT_TRUE(runtime_.StartContainer(start, &started).ok());
    return id;
  }

  cri::ContainerStatus Status(const std::string& id) {
    cri::ContainerStatusRequest request;
    request.set_container_id(id);
    cri::ContainerStatusResponse response;
    EXPECT_TRUE(runtime_.ContainerStatus(request, &response).ok());
    return response.status();
  }

  std::vector<std::string> ListContainerIds(const cri::ContainerFilter& filter) {
    cri::ListContainersRequest request;
    *request.mutable_filter() = filter;
    cri::ListContainersResponse response;
    EXPECT_TRUE(runtime_.ListContainers(request, &response).ok());
    std::vector<std::string> ids;
    for (const auto& container : response.containers()) ids.push_back(container.id());
    return ids;
  }

  int64_t WallNanos() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.WallNow().time_since_epoch())
        .count();
  }

  FakeClock clock_;
  FakeCriRuntime runtime_;
};

TEST_F(FakeCriRuntimeTest, ContainerLifecycleWithTimestamps) {
  const std::string sandbox = RunSandbox("web");
  std::string id;
  ASSERT_TRUE(Create(sandbox, "app", 0, &id).ok());
  EXPECT_EQ(id.size(), 64u);
  EXPECT_EQ(Status(id).state(), cri::CONTAINER_CREATED);
  const int64_t created = Status(id).created_at();
  EXPECT_GT(created, 0);

  clock_.Advance(std::chrono::seconds(2));
  cri::StartContainerRequest start;
  start.set_container_id(id);
  cri::StartContainerResponse started;
  ASSERT_TRUE(runtime_.StartContainer(start, &started).ok());
  cri::ContainerStatus status = Status(id);
  EXPECT_EQ(status.state(), cri::CONTAINER_RUNNING);
  EXPECT_EQ(status.started_at(), WallNanos());
  EXPECT_GT(status.started_at(), created);
  EXPECT_EQ(status.finished_at(), 0);
  EXPECT_EQ(status.log_path(), "/logs/default_web_uid-web/app/0.log");
  ASSERT_EQ(status.mounts_size(), 1);
  EXPECT_EQ(status.mounts(0).host_path(), "/srv/data");
  // Starting twice is an error, as in containerd.
  EXPECT_FALSE(runtime_.StartContainer(start, &started).ok());

  clock_.Advance(std::chrono::seconds(3));
  ASSERT_TRUE(runtime_.ExitContainer(id, 1));
  status = Status(id);
  EXPECT_EQ(status.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(status.exit_code(), 1);
  EXPECT_EQ(status.reason(), "Error");
  EXPECT_EQ(status.finished_at(), WallNanos());
  EXPECT_FALSE(runtime_.ExitContainer(id, 0)) << "already exited";
}

TEST_F(FakeCriRuntimeTest, ExitReasons) {
  const std::string sandbox = RunSandbox("web");
  const std::string ok = RunContainer(sandbox, "ok");
  const std::string oom = RunContainer(sandbox, "oom");
  runtime_.ExitContainer(ok, 0);
  runtime_.ExitContainer(oom, 137, "OOMKilled");
  EXPECT_EQ(Status(ok).reason(), "Completed");
  EXPECT_EQ(Status(oom).reason(), "OOMKilled");
}

TEST_F(FakeCriRuntimeTest, NamesAreReservedPerAttempt) {
  const std::string sandbox = RunSandbox("web");
  cri::RunPodSandboxRequest again;
  *again.mutable_config() = SandboxConfig("web");
  cri::RunPodSandboxResponse response;
  EXPECT_THAT(runtime_.RunPodSandbox(again, &response).error_message(),
              HasSubstr("failed to reserve sandbox name"));
  EXPECT_FALSE(RunSandbox("web", 1).empty()) << "the next attempt is free";

  std::string first;
  std::string second;
  ASSERT_TRUE(Create(sandbox, "app", 0, &first).ok());
  EXPECT_THAT(Create(sandbox, "app", 0, &second).error_message(),
              HasSubstr("failed to reserve container name"));
  EXPECT_TRUE(Create(sandbox, "app", 1, &second).ok());
  // Even with the clock standing still, the newer attempt is newer, as on
  // a real runtime (the agent picks the latest attempt by created_at).
  EXPECT_GT(Status(second).created_at(), Status(first).created_at());
}

TEST_F(FakeCriRuntimeTest, CreateNeedsTheImageAndASandbox) {
  const std::string sandbox = RunSandbox("web");
  std::string id;
  EXPECT_EQ(Create(sandbox, "app", 0, &id, "nginx").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Create("no-such-sandbox", "app", 0, &id).error_code(), grpc::StatusCode::NOT_FOUND);
  // Tag-less and fully qualified names are one image.
  EXPECT_TRUE(Create(sandbox, "app", 0, &id, "docker.io/library/busybox:latest").ok());
}

TEST_F(FakeCriRuntimeTest, ListFilters) {
  const std::string web = RunSandbox("web");
  const std::string db = RunSandbox("db");
  const std::string a = RunContainer(web, "a");
  const std::string b = RunContainer(web, "b");
  const std::string c = RunContainer(db, "c");
  runtime_.ExitContainer(b, 0);

  EXPECT_THAT(ListContainerIds({}), ElementsAre(a, b, c));
  cri::ContainerFilter filter;
  filter.set_pod_sandbox_id(web);
  EXPECT_THAT(ListContainerIds(filter), ElementsAre(a, b));
  filter.mutable_state()->set_state(cri::CONTAINER_RUNNING);
  EXPECT_THAT(ListContainerIds(filter), ElementsAre(a));
  filter.Clear();
  (*filter.mutable_label_selector())["io.kubernetes.container.name"] = "c";
  EXPECT_THAT(ListContainerIds(filter), ElementsAre(c));
  filter.Clear();
  filter.set_id(c.substr(0, 12));  // a unique prefix, as crictl allows
  EXPECT_THAT(ListContainerIds(filter), ElementsAre(c));

  cri::ListPodSandboxRequest list;
  (*list.mutable_filter()->mutable_label_selector())["io.kubernetes.pod.name"] = "db";
  cri::ListPodSandboxResponse sandboxes;
  ASSERT_TRUE(runtime_.ListPodSandbox(list, &sandboxes).ok());
  ASSERT_EQ(sandboxes.items_size(), 1);
  EXPECT_EQ(sandboxes.items(0).id(), db);
  EXPECT_EQ(sandboxes.items(0).metadata().name(), "db");
}

TEST_F(FakeCriRuntimeTest, StopAndRemoveCascadeLikeContainerd) {
  const std::string web = RunSandbox("web");
  const std::string a = RunContainer(web, "a");
  cri::StopPodSandboxRequest stop;
  stop.set_pod_sandbox_id(web);
  cri::StopPodSandboxResponse stopped;
  ASSERT_TRUE(runtime_.StopPodSandbox(stop, &stopped).ok());
  EXPECT_EQ(Status(a).state(), cri::CONTAINER_EXITED);

  cri::PodSandboxStatusRequest status_request;
  status_request.set_pod_sandbox_id(web);
  cri::PodSandboxStatusResponse status;
  ASSERT_TRUE(runtime_.PodSandboxStatus(status_request, &status).ok());
  EXPECT_EQ(status.status().state(), cri::SANDBOX_NOTREADY);
  std::string id;
  EXPECT_FALSE(Create(web, "late", 0, &id).ok()) << "no new containers in a stopped sandbox";

  cri::RemovePodSandboxRequest remove;
  remove.set_pod_sandbox_id(web);
  cri::RemovePodSandboxResponse removed;
  ASSERT_TRUE(runtime_.RemovePodSandbox(remove, &removed).ok());
  EXPECT_EQ(runtime_.SandboxCount(), 0u);
  EXPECT_EQ(runtime_.ContainerCount(), 0u) << "containers go with their sandbox";
  // Gone is gone: removing again succeeds, asking about it is NOT_FOUND.
  EXPECT_TRUE(runtime_.RemovePodSandbox(remove, &removed).ok());
  EXPECT_EQ(runtime_.PodSandboxStatus(status_request, &status).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(runtime_.StopPodSandbox(stop, &stopped).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(FakeCriRuntimeTest, StopContainerUsesTheConfiguredExitCode) {
  const std::string web = RunSandbox("web");
  const std::string a = RunContainer(web, "a");
  runtime_.SetStopExitCode(0);
  cri::StopContainerRequest stop;
  stop.set_container_id(a);
  stop.set_timeout(30);
  cri::StopContainerResponse stopped;
  ASSERT_TRUE(runtime_.StopContainer(stop, &stopped).ok());
  EXPECT_EQ(Status(a).exit_code(), 0);
  EXPECT_EQ(Status(a).reason(), "Completed");
  cri::RemoveContainerRequest remove;
  remove.set_container_id(a);
  cri::RemoveContainerResponse removed;
  ASSERT_TRUE(runtime_.RemoveContainer(remove, &removed).ok());
  EXPECT_TRUE(runtime_.RemoveContainer(remove, &removed).ok());
  EXPECT_EQ(runtime_.StopContainer(stop, &stopped).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(FakeCriRuntimeTest, SandboxIpAndHostNetwork) {
  cri::RunPodSandboxRequest request;
  *request.mutable_config() = SandboxConfig("host");
  request.mutable_config()
      ->mutable_linux()
      ->mutable_security_context()
      ->mutable_namespace_options()
      ->set_network(cri::NODE);
  cri::RunPodSandboxResponse response;
  ASSERT_TRUE(runtime_.RunPodSandbox(request, &response).ok());
  cri::PodSandboxStatusRequest status_request;
  status_request.set_pod_sandbox_id(response.pod_sandbox_id());
  cri::PodSandboxStatusResponse status;
  ASSERT_TRUE(runtime_.PodSandboxStatus(status_request, &status).ok());
  EXPECT_EQ(status.status().network().ip(), "");
  EXPECT_EQ(status.status().linux().namespaces().options().network(), cri::NODE);

  status_request.set_pod_sandbox_id(RunSandbox("pod"));
  ASSERT_TRUE(runtime_.PodSandboxStatus(status_request, &status).ok());
  EXPECT_THAT(status.status().network().ip(), ::testing::StartsWith("10.88.0."));
}

TEST_F(FakeCriRuntimeTest, Images) {
  cri::ImageStatusRequest status_request;
  status_request.mutable_image()->set_image("nginx:1.25");
  cri::ImageStatusResponse status;
  ASSERT_TRUE(runtime_.ImageStatus(status_request, &status).ok());
  EXPECT_FALSE(status.has_image()) << "absent is an empty answer";

  cri::PullImageRequest pull;
  pull.mutable_image()->set_image("nginx:1.25");
  cri::PullImageResponse pulled;
  ASSERT_TRUE(runtime_.PullImage(pull, &pulled).ok());
  EXPECT_THAT(pulled.image_ref(), ::testing::StartsWith("sha256:"));
  ASSERT_TRUE(runtime_.ImageStatus(status_request, &status).ok());
  ASSERT_TRUE(status.has_image());
  EXPECT_EQ(status.image().id(), pulled.image_ref());
  EXPECT_THAT(status.image().repo_tags(), ElementsAre("docker.io/library/nginx:1.25"));

  runtime_.SetUnpullable("registry.example/private:1",
                         grpc::Status(grpc::StatusCode::UNKNOWN, "401 Unauthorized"));
  pull.mutable_image()->set_image("registry.example/private:1");
  EXPECT_THAT(runtime_.PullImage(pull, &pulled).error_message(), HasSubstr("401"));
  EXPECT_FALSE(runtime_.HasImage("registry.example/private:1"));

  cri::RemoveImageRequest remove;
  remove.mutable_image()->set_image("docker.io/library/nginx:1.25");
  cri::RemoveImageResponse removed;
  ASSERT_TRUE(runtime_.RemoveImage(remove, &removed).ok());
  EXPECT_FALSE(runtime_.HasImage("nginx:1.25"));
}

TEST_F(FakeCriRuntimeTest, ExecSyncRunsTheHandlerOnRunningContainers) {
  const std::string web = RunSandbox("web");
  const std::string a = RunContainer(web, "a");
  runtime_.SetExecHandler([&](const std::string& id, const std::vector<std::string>& cmd) {
    cri::ExecSyncResponse response;
    response.set_exit_code(cmd.at(0) == "true" ? 0 : 1);
    response.set_stdout(id == a ? "mine" : "other");
    return response;
  });
  cri::ExecSyncRequest request;
  request.set_container_id(a);
  request.add_cmd("false");
  cri::ExecSyncResponse response;
  ASSERT_TRUE(runtime_.ExecSync(request, &response).ok());
  EXPECT_EQ(response.exit_code(), 1);
  EXPECT_EQ(response.stdout(), "mine");
  runtime_.ExitContainer(a, 0);
  EXPECT_FALSE(runtime_.ExecSync(request, &response).ok()) << "no exec into an exited container";
}

TEST_F(FakeCriRuntimeTest, FaultInjectionAndCounters) {
  runtime_.FailNext("RunPodSandbox", grpc::Status(grpc::StatusCode::UNKNOWN, "cni failed"));
  cri::RunPodSandboxRequest request;
  *request.mutable_config() = SandboxConfig("web");
  cri::RunPodSandboxResponse response;
  EXPECT_THAT(runtime_.RunPodSandbox(request, &response).error_message(), HasSubstr("cni"));
  EXPECT_TRUE(runtime_.RunPodSandbox(request, &response).ok()) << "only the next call fails";
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 2);
  EXPECT_EQ(runtime_.CallCount("StartContainer"), 0);

  runtime_.SetUnavailable(true);
  cri::VersionResponse version;
  EXPECT_EQ(runtime_.Version({}, &version).error_code(), grpc::StatusCode::UNAVAILABLE);
  cri::ListContainersResponse list;
  EXPECT_EQ(runtime_.ListContainers({}, &list).error_code(), grpc::StatusCode::UNAVAILABLE);
  runtime_.SetUnavailable(false);
  EXPECT_TRUE(runtime_.Version({}, &version).ok());
  EXPECT_EQ(version.runtime_api_version(), "v1");

  runtime_.SetConditions(true, false);
  cri::StatusResponse status;
  ASSERT_TRUE(runtime_.Status({}, &status).ok());
  ASSERT_EQ(status.status().conditions_size(), 2);
  EXPECT_FALSE(status.status().conditions(1).status());
}

TEST_F(FakeCriRuntimeTest, DelaysDoNotBlockOtherCallsAndCallsAreThreadSafe) {
  runtime_.SetDelay("PullImage", std::chrono::milliseconds(300));
  std::thread slow([&] {
    cri::PullImageRequest pull;
    pull.mutable_image()->set_image("slow:1");
    cri::PullImageResponse pulled;
    EXPECT_TRUE(runtime_.PullImage(pull, &pulled).ok());
  });
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int i = 0; i < 8; ++i) {
    workers.emplace_back([&, i] {
      const std::string sandbox = RunSandbox("pod" + std::to_string(i));
      RunContainer(sandbox, "c");
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  slow.join();
  EXPECT_EQ(runtime_.SandboxCount(), 8u);
  EXPECT_EQ(runtime_.ContainerCount(), 8u);
  EXPECT_TRUE(runtime_.HasImage("slow:1"));
}

}  // namespace
}  // namespace fleetset::testing
