// Lifecycle hooks as the pod worker runs them against the in-memory
// runtime: postStart right after a container starts (a failing one kills
// it), preStop before a container is stopped, its time taken from the grace
// period. The scripted executor stands for the hooks' exec and HTTP GET;
// the fake clock stands for the time they take.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "agent/pod_worker.h"
#include "unit/agent_test_util.h"

namespace fleetset::testing {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::LifecycleHandler ExecHandler(const std::string& shell_command) {
  v1::LifecycleHandler handler;
  handler.mutable_exec()->add_command("sh");
  handler.mutable_exec()->add_command("-c");
  handler.mutable_exec()->add_command(shell_command);
  return handler;
}

class LifecycleHooksTest : public ::testing::Test {
 protected:
  LifecycleHooksTest()
      : pods_dir_(std::filesystem::temp_directory_path() /
                  ("lifecycle-hooks-test-" + std::to_string(::getpid()))),
        fakes_(pods_dir_) {
    fakes_.runtime.AddImage(kImage);
  }
  ~LifecycleHooksTest() override { std::filesystem::remove_all(pods_dir_); }

  // A pod of one container "main" with `grace` seconds to terminate.
  static v1::PodTemplateSpec PodWith(const v1::Lifecycle& lifecycle, int grace = 30) {
    v1::PodTemplateSpec pod = MakeTemplate();
    pod.mutable_spec()->set_termination_grace_period_seconds(grace);
    *pod.mutable_spec()->mutable_containers(0)->mutable_lifecycle() = lifecycle;
    return pod;
  }
  void Start(const v1::PodTemplateSpec& pod) {
    agent::Workload workload;
    workload.owner = PodOwner{"kube-system", "fluentd", false};
    workload.template_spec = pod;
    worker_ = std::make_unique<agent::PodWorker>(fakes_.Deps(), workload);
    Pass();
  }
  void Pass() {
    auto sandboxes = SandboxesOf(fakes_.runtime, worker_->uid());
    worker_->Sync(sandboxes.empty() ? nullptr : &sandboxes, [](bool) {});
    fakes_.Drain();
  }
  void Terminate() {
    std::optional<bool> ok;
    worker_->Terminate(worker_->GracePeriod(), "test", [&](bool result) { ok = result; });
    fakes_.Drain();
    EXPECT_EQ(ok, true);
  }
  std::string MainId() {
    std::string id;
    for (const auto& sandbox : SandboxesOf(fakes_.runtime, worker_->uid())) {
      for (const auto& container : sandbox.containers) id = container.id();
    }
    return id;
  }
  v1::ContainerStatus MainStatus() { return worker_->Status().status().container_statuses(0); }
  cri::ContainerState MainState() {
    cri::ContainerStatusRequest request;
    request.set_container_id(MainId());
    cri::ContainerStatusResponse response;
    EXPECT_TRUE(fakes_.runtime.ContainerStatus(request, &response).ok());
    return response.status().state();
  }

  std::string pods_dir_;
  AgentFakes fakes_;
  std::unique_ptr<agent::PodWorker> worker_;
};

TEST_F(LifecycleHooksTest, PostStartRunsInTheContainerRightAfterItStarts) {
  v1::Lifecycle lifecycle;
  *lifecycle.mutable_post_start() = ExecHandler("echo ready > /tmp/ready");
  std::optional<cri::ContainerState> state_during_hook;
  fakes_.probes.during_call = [&] { state_during_hook = MainState(); };
  Start(PodWith(lifecycle));
  EXPECT_THAT(fakes_.probes.log,
              ElementsAre("exec " + MainId() + " sh -c echo ready > /tmp/ready within 120s"));
  EXPECT_EQ(state_during_hook, cri::CONTAINER_RUNNING);
  EXPECT_TRUE(MainStatus().state().has_running());
  Pass();
  EXPECT_EQ(fakes_.probes.calls, 1) << "postStart runs once per container";
}

TEST_F(LifecycleHooksTest, FailedPostStartKillsTheContainerWhichRestartsWithBackOff) {
  v1::Lifecycle lifecycle;
  *lifecycle.mutable_post_start() = ExecHandler("exit 1");
  fakes_.probes.outcomes = {false};
  Start(PodWith(lifecycle));
  const std::string first = MainId();
  EXPECT_EQ(fakes_.runtime.CallCount("StopContainer"), 1);
  EXPECT_EQ(fakes_.runtime.StopTimeoutOf(first), 30) << "killed within the pod's grace period";
  EXPECT_EQ(MainStatus().state().waiting().reason(), "PostStartHookError");
  EXPECT_EQ(MainStatus().state().waiting().message(),
            "Exec lifecycle hook ([sh -c exit 1]) for Container \"main\" in Pod \"" +
                worker_->name() + "_kube-system(" + worker_->uid() +
                ")\" failed - error: scripted failure");

  Pass();  // restarted at once, and killed again
  EXPECT_NE(MainId(), first);
  EXPECT_EQ(MainStatus().restart_count(), 1);
  EXPECT_EQ(MainStatus().last_state().terminated().exit_code(), 137);
  EXPECT_EQ(MainStatus().state().waiting().reason(), "PostStartHookError");

  Pass();  // now it backs off
  EXPECT_EQ(MainStatus().state().waiting().reason(), "CrashLoopBackOff");
  EXPECT_EQ(fakes_.probes.calls, 2);
}

TEST_F(LifecycleHooksTest, TcpSocketPostStartIsNeverRunAndFailsAsInKubelet) {
  v1::Lifecycle lifecycle;
  lifecycle.mutable_post_start()->mutable_tcp_socket()->mutable_port()->set_int_val(80);
  Start(PodWith(lifecycle));
  EXPECT_EQ(fakes_.probes.calls, 0);
  EXPECT_EQ(MainStatus().state().waiting().reason(), "PostStartHookError");
  EXPECT_THAT(MainStatus().state().waiting().message(), HasSubstr("Cannot run handler"));
}

TEST_F(LifecycleHooksTest, PreStopRunsBeforeTheStopAndItsTimeComesOutOfTheGracePeriod) {
  v1::Lifecycle lifecycle;
  *lifecycle.mutable_pre_stop() = ExecHandler("drain");
  Start(PodWith(lifecycle, 30));
  const std::string id = MainId();
  std::optional<int> stops_during_hook;
  fakes_.probes.during_call = [&] {
    stops_during_hook = fakes_.runtime.CallCount("StopContainer");
    fakes_.clock.Advance(seconds(12));
  };
  Terminate();
  EXPECT_THAT(fakes_.probes.log, ElementsAre("exec " + id + " sh -c drain within 30s"));
  EXPECT_EQ(stops_during_hook, 0);
  EXPECT_EQ(fakes_.runtime.StopTimeoutOf(id), 18);
  EXPECT_EQ(fakes_.runtime.SandboxCount(), 0u);
}

TEST_F(LifecycleHooksTest, PreStopThatUsesUpTheGracePeriodLeavesTheStopItsMinimum) {
  v1::Lifecycle lifecycle;
  *lifecycle.mutable_pre_stop() = ExecHandler("sleep 100");
  Start(PodWith(lifecycle, 10));
  const std::string id = MainId();
  fakes_.probes.during_call = [&] { fakes_.clock.Advance(seconds(10)); };
  Terminate();
  EXPECT_EQ(fakes_.runtime.StopTimeoutOf(id), agent::kMinimumStopGrace.count());
}

TEST_F(LifecycleHooksTest, FailedPreStopIsLoggedAndTheContainerStoppedAllTheSame) {
  v1::Lifecycle lifecycle;
  *lifecycle.mutable_pre_stop() = ExecHandler("exit 1");
  Start(PodWith(lifecycle, 30));
  const std::string id = MainId();
  fakes_.probes.outcomes = {false};
  Terminate();
  EXPECT_EQ(fakes_.probes.calls, 1);
  EXPECT_EQ(fakes_.runtime.StopTimeoutOf(id), 30);
  EXPECT_EQ(fakes_.runtime.ContainerCount(), 0u);
}

TEST_F(LifecycleHooksTest, HttpGetPreStopGoesToThePodIp) {
  v1::Lifecycle lifecycle;
  v1::HTTPGetAction* action = lifecycle.mutable_pre_stop()->mutable_http_get();
  action->set_path("/shutdown");
  action->mutable_port()->set_str_val("admin");
  v1::PodTemplateSpec pod = PodWith(lifecycle);
  v1::ContainerPort* port = pod.mutable_spec()->mutable_containers(0)->add_ports();
  port->set_name("admin");
  port->set_container_port(9000);
  Start(pod);
  const std::string pod_ip = worker_->Status().status().pod_ip();
  ASSERT_NE(pod_ip, "");
  Terminate();
  EXPECT_THAT(fakes_.probes.log, ElementsAre("http " + pod_ip + ":9000/shutdown within 30s"));
}

TEST_F(LifecycleHooksTest, LivenessKillRunsPreStopWithinTheProbesGracePeriod) {
  v1::Lifecycle lifecycle;
  *lifecycle.mutable_pre_stop() = ExecHandler("drain");
  v1::PodTemplateSpec pod = PodWith(lifecycle, 30);
  v1::Probe* probe = pod.mutable_spec()->mutable_containers(0)->mutable_liveness_probe();
  probe->mutable_grpc()->set_port(9090);
  probe->set_period_seconds(10);
  probe->set_failure_threshold(1);
  probe->set_success_threshold(1);
  probe->set_termination_grace_period_seconds(8);
  Start(pod);
  const std::string id = MainId();
  fakes_.probes.outcomes = {false, true};
  fakes_.probes.during_call = [&] { fakes_.clock.Advance(seconds(3)); };
  Pass();  // the probe fails; the container is killed after its preStop hook
  ASSERT_EQ(fakes_.probes.log.size(), 2u);
  EXPECT_THAT(fakes_.probes.log[0], ::testing::StartsWith("grpc "));
  EXPECT_EQ(fakes_.probes.log[1], "exec " + id + " sh -c drain within 8s");
  EXPECT_EQ(fakes_.runtime.StopTimeoutOf(id), 5);
}

}  // namespace
}  // namespace fleetset::testing
