// PodWorker against the in-memory runtime: the kubelet behaviours a node
// relies on, one pass at a time, with time under the test's control. Each
// pass runs as in the agent (its work on the executor, its result posted
// back to the loop), with the test stepping both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "agent/pod_worker.h"
#include "fleetset/pod_readiness.h"
#include "unit/agent_test_util.h"

namespace fleetset::testing {
namespace {

using agent::PodWorker;
using std::chrono::seconds;

class PodWorkerTest : public ::testing::Test {
 protected:
  PodWorkerTest()
      : pods_dir_(std::filesystem::temp_directory_path() /
                  ("pod-worker-test-" + std::to_string(::getpid()))),
        fakes_(pods_dir_),
        clock_(fakes_.clock),
        runtime_(fakes_.runtime),
        probes_(fakes_.probes) {
    runtime_.AddImage(kImage);
  }
  ~PodWorkerTest() override { std::filesystem::remove_all(pods_dir_); }

  std::unique_ptr<PodWorker> NewWorker(const v1::PodTemplateSpec& template_spec) {
    agent::Workload workload;
    workload.owner = PodOwner{"kube-system", "fluentd", false};
    workload.template_spec = template_spec;
    workload.revision_hash = "rev1";
    return std::make_unique<PodWorker>(Deps(), workload);
  }
  static agent::Workload WorkloadOf(const v1::PodTemplateSpec& template_spec) {
    agent::Workload workload;
    workload.template_spec = template_spec;
    return workload;
  }
  agent::PodWorkerDeps Deps() { return fakes_.Deps(); }

  // One pass from `sandboxes`, run to its end; returns whether it acted.
  bool Sync(PodWorker& worker, const std::vector<agent::SandboxSnapshot>* sandboxes) {
    std::optional<bool> acted;
    worker.Sync(sandboxes, [&](bool result) { acted = result; });
    fakes_.Drain();
    EXPECT_TRUE(acted.has_value()) << "the pass did not finish";
    return acted.value_or(false);
  }
  // One pass with a fresh relist, as the reconciler runs it.
  bool Pass(PodWorker& worker) {
    auto sandboxes = SandboxesOf(runtime_, worker.uid());
    return Sync(worker, sandboxes.empty() ? nullptr : &sandboxes);
  }
  bool Terminate(PodWorker& worker, std::chrono::seconds grace) {
    std::optional<bool> ok;
    worker.Terminate(grace, "test", [&](bool result) { ok = result; });
    fakes_.Drain();
    EXPECT_TRUE(ok.has_value()) << "the termination did not finish";
    return ok.value_or(false);
  }
  // The id of the newest container named `name`.
  std::string ContainerId(PodWorker& worker, const std::string& name) {
    std::string id;
    for (const auto& sandbox : SandboxesOf(runtime_, worker.uid())) {
      for (const auto& container : sandbox.containers) {
        if (container.metadata().name() == name) id = container.id();
      }
    }
    return id;
  }
  v1::ContainerStatus StatusOf(PodWorker& worker, const std::string& name, bool init = false) {
    v1::Pod pod = worker.Status();
    const auto& list =
        init ? pod.status().init_container_statuses() : pod.status().container_statuses();
    for (const auto& status : list) {
      if (status.name() == name) return status;
    }
    ADD_FAILURE() << "no status for " << name;
    return {};
  }

  std::string pods_dir_;
  AgentFakes fakes_;
  FakeClock& clock_;
  FakeCriRuntime& runtime_;
  ScriptedProbes& probes_;
};

TEST_F(PodWorkerTest, FirstPassStartsSandboxAndContainersAndLaterPassesDoNothing) {
  auto worker = NewWorker(MakeTemplate({"a", "b"}));
  EXPECT_TRUE(Pass(*worker));
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
  EXPECT_EQ(runtime_.CallCount("StartContainer"), 2);
  EXPECT_FALSE(Pass(*worker));
  EXPECT_FALSE(Pass(*worker));
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
  EXPECT_EQ(runtime_.CallCount("CreateContainer"), 2);

  v1::Pod pod = worker->Status();
  EXPECT_EQ(pod.status().phase(), "Running");
  EXPECT_TRUE(worker->Ready());
  EXPECT_THAT(pod.metadata().name(), ::testing::StartsWith("fluentd-"));
  EXPECT_EQ(pod.metadata().name().size(), std::string("fluentd-").size() + 5);
  EXPECT_EQ(pod.metadata().labels().at("controller-revision-hash"), "rev1");
  EXPECT_EQ(pod.owner(), "kube-system/fluentd");
  EXPECT_EQ(StatusOf(*worker, "a").restart_count(), 0);
  EXPECT_TRUE(StatusOf(*worker, "a").state().has_running());
}

TEST_F(PodWorkerTest, CrashedContainerRestartsAtOnceThenWithDoublingBackoff) {
  auto worker = NewWorker(MakeTemplate());
  Pass(*worker);
  // First crash: restarted on the next pass (kubelet restarts at once).
  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "main"), 1));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").restart_count(), 1);
  EXPECT_TRUE(StatusOf(*worker, "main").state().has_running());
  EXPECT_EQ(StatusOf(*worker, "main").last_state().terminated().exit_code(), 1);

  // Second crash: 10 s back-off.
  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "main"), 2));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").state().waiting().reason(), "CrashLoopBackOff");
  EXPECT_THAT(StatusOf(*worker, "main").state().waiting().message(),
              ::testing::StartsWith("back-off 10s restarting failed container=main"));
  clock_.Advance(seconds(9));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").state().waiting().reason(), "CrashLoopBackOff");
  clock_.Advance(seconds(2));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").restart_count(), 2);
  EXPECT_TRUE(StatusOf(*worker, "main").state().has_running());

  // Third crash: 20 s.
  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "main"), 2));
  clock_.Advance(seconds(15));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").state().waiting().reason(), "CrashLoopBackOff");
  clock_.Advance(seconds(6));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").restart_count(), 3);
  // Only the previous instance is kept for its logs.
  EXPECT_EQ(runtime_.ContainerCount(), 2u);
}

TEST_F(PodWorkerTest, BackoffResetsAfterTenMinutesOfRunning) {
  auto worker = NewWorker(MakeTemplate());
  Pass(*worker);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "main"), 1));
    clock_.Advance(seconds(60));
    Pass(*worker);
  }
  ASSERT_EQ(StatusOf(*worker, "main").restart_count(), 3);
  clock_.Advance(std::chrono::minutes(11));
  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "main"), 1));
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").restart_count(), 4);
  EXPECT_TRUE(StatusOf(*worker, "main").state().has_running());
}

TEST_F(PodWorkerTest, InitContainersRunInOrderEachToCompletion) {
  auto worker = NewWorker(MakeTemplate({"app"}, {"first", "second"}));
  Pass(*worker);
  EXPECT_NE(ContainerId(*worker, "first"), "");
  EXPECT_EQ(ContainerId(*worker, "second"), "");
  EXPECT_EQ(ContainerId(*worker, "app"), "");
  EXPECT_EQ(worker->Status().status().phase(), "Pending");

  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "first"), 0));
  Pass(*worker);
  EXPECT_NE(ContainerId(*worker, "second"), "");
  EXPECT_EQ(ContainerId(*worker, "app"), "");

  // A failing init container is retried and nothing after it starts.
  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "second"), 3));
  Pass(*worker);
  EXPECT_EQ(ContainerId(*worker, "app"), "");
  EXPECT_EQ(StatusOf(*worker, "second", true).restart_count(), 1);

  ASSERT_TRUE(runtime_.ExitContainer(ContainerId(*worker, "second"), 0));
  Pass(*worker);
  EXPECT_NE(ContainerId(*worker, "app"), "");
  Pass(*worker);
  EXPECT_EQ(worker->Status().status().phase(), "Running");
  EXPECT_EQ(StatusOf(*worker, "first", true).state().terminated().reason(), "Completed");
}

TEST_F(PodWorkerTest, MissingImageReportsErrImagePullThenImagePullBackOff) {
  v1::PodTemplateSpec template_spec = MakeTemplate();
  template_spec.mutable_spec()->mutable_containers(0)->set_image("example.invalid/missing:1");
  runtime_.SetUnpullable("example.invalid/missing:1");
  auto worker = NewWorker(template_spec);
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").state().waiting().reason(), "ErrImagePull");
  EXPECT_EQ(runtime_.CallCount("PullImage"), 1);
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").state().waiting().reason(), "ImagePullBackOff");
  EXPECT_EQ(runtime_.CallCount("PullImage"), 1);
  clock_.Advance(seconds(11));
  Pass(*worker);
  EXPECT_EQ(runtime_.CallCount("PullImage"), 2);
  EXPECT_EQ(worker->Status().status().phase(), "Pending");
}

TEST_F(PodWorkerTest, FailedPullIsNoChangeAndTheBackoffMessageKeepsTheError) {
  v1::PodTemplateSpec template_spec = MakeTemplate();
  template_spec.mutable_spec()->mutable_containers(0)->set_image("example.invalid/missing:1");
  runtime_.SetUnpullable("example.invalid/missing:1");
  auto worker = NewWorker(template_spec);
  Pass(*worker);  // creates the sandbox, then the pull fails
  // Nothing changed in the runtime, so no immediate second pass is asked
  // for and ErrImagePull stays visible for a whole period.
  EXPECT_FALSE(Pass(*worker));
  EXPECT_THAT(StatusOf(*worker, "main").state().waiting().message(),
              ::testing::StartsWith(
                  "Back-off pulling image \"example.invalid/missing:1\": ErrImagePull: "));
}

TEST_F(PodWorkerTest, AdoptedPodKeepsItsCreationTime) {
  auto original = NewWorker(MakeTemplate());
  Pass(*original);
  const auto created = original->Status().metadata().creation_timestamp();
  clock_.Advance(std::chrono::minutes(5));
  auto sandboxes = SandboxesOf(runtime_, original->uid());
  ASSERT_EQ(sandboxes.size(), 1u);
  PodWorker adopted(Deps(), sandboxes.back());
  adopted.AssignTemplate(WorkloadOf(MakeTemplate()));
  Pass(adopted);
  EXPECT_EQ(adopted.Status().metadata().creation_timestamp().seconds(), created.seconds());
}

TEST_F(PodWorkerTest, PullPolicyAlwaysPullsAndNeverDoesNot) {
  v1::PodTemplateSpec always = MakeTemplate();
  always.mutable_spec()->mutable_containers(0)->set_image_pull_policy("Always");
  auto worker = NewWorker(always);
  Pass(*worker);
  EXPECT_EQ(runtime_.CallCount("PullImage"), 1);

  v1::PodTemplateSpec never = MakeTemplate();
  never.mutable_spec()->mutable_containers(0)->set_image("absent:1");
  never.mutable_spec()->mutable_containers(0)->set_image_pull_policy("Never");
  auto never_worker = NewWorker(never);
  Pass(*never_worker);
  EXPECT_EQ(runtime_.CallCount("PullImage"), 1);
  EXPECT_EQ(StatusOf(*never_worker, "main").state().waiting().reason(), "ErrImageNeverPull");
}

TEST_F(PodWorkerTest, ReadinessProbeGatesReady) {
  v1::PodTemplateSpec template_spec = MakeTemplate();
  v1::Probe* probe = template_spec.mutable_spec()->mutable_containers(0)->mutable_readiness_probe();
  probe->mutable_exec()->add_command("true");
  probe->set_period_seconds(10);
  probe->set_success_threshold(1);
  probe->set_failure_threshold(3);
  probes_.outcomes = {false, false, true};
  auto worker = NewWorker(template_spec);
  Pass(*worker);  // creates
  Pass(*worker);  // first probe: fails
  EXPECT_FALSE(worker->Ready());
  EXPECT_FALSE(StatusOf(*worker, "main").ready());
  clock_.Advance(seconds(10));
  Pass(*worker);  // fails
  EXPECT_FALSE(worker->Ready());
  clock_.Advance(seconds(5));
  Pass(*worker);  // not due yet
  EXPECT_EQ(probes_.calls, 2);
  clock_.Advance(seconds(5));
  Pass(*worker);  // succeeds
  EXPECT_TRUE(worker->Ready());
  EXPECT_TRUE(StatusOf(*worker, "main").ready());
}

TEST_F(PodWorkerTest, TheReadyConditionIsStampedWhenThePodBecomesReadyAndKeepsThatTime) {
  v1::PodTemplateSpec template_spec = MakeTemplate();
  v1::Probe* probe = template_spec.mutable_spec()->mutable_containers(0)->mutable_readiness_probe();
  probe->mutable_exec()->add_command("true");
  probe->set_period_seconds(10);
  probes_.outcomes = {false, true, true};
  auto worker = NewWorker(template_spec);
  Pass(*worker);  // creates
  Pass(*worker);  // first probe: fails
  clock_.Advance(seconds(10));
  Pass(*worker);  // succeeds: Ready turns True now
  const auto became_ready = clock_.WallNow();
  clock_.Advance(seconds(10));
  Pass(*worker);  // still ready
  ASSERT_TRUE(worker->Ready());
  const v1::Pod pod = worker->Status();
  const auto stamped = FindPodCondition(pod, kPodReady)->last_transition_time();
  EXPECT_EQ(stamped.seconds(), std::chrono::system_clock::to_time_t(became_ready))
      << "minReadySeconds counts from when the pod became ready, not from the last pass";
}

TEST_F(PodWorkerTest, LivenessFailureRestartsTheContainer) {
  v1::PodTemplateSpec template_spec = MakeTemplate();
  v1::Probe* probe = template_spec.mutable_spec()->mutable_containers(0)->mutable_liveness_probe();
  probe->mutable_tcp_socket()->mutable_port()->set_int_val(8080);
  probe->set_period_seconds(1);
  probe->set_failure_threshold(2);
  probe->set_success_threshold(1);
  probes_.outcomes = {false};
  auto worker = NewWorker(template_spec);
  Pass(*worker);
  const std::string first = ContainerId(*worker, "main");
  Pass(*worker);  // failure 1
  EXPECT_EQ(runtime_.CallCount("StopContainer"), 0);
  clock_.Advance(seconds(1));
  Pass(*worker);  // failure 2: killed
  EXPECT_EQ(runtime_.CallCount("StopContainer"), 1);
  Pass(*worker);  // restarted
  EXPECT_NE(ContainerId(*worker, "main"), first);
  EXPECT_EQ(StatusOf(*worker, "main").restart_count(), 1);
}

TEST_F(PodWorkerTest, AdoptedPodKeepsItsContainers) {
  auto original = NewWorker(MakeTemplate({"a", "b"}));
  Pass(*original);
  const std::string a = ContainerId(*original, "a");
  const int created = runtime_.CallCount("CreateContainer");

  auto sandboxes = SandboxesOf(runtime_, original->uid());
  ASSERT_EQ(sandboxes.size(), 1u);
  PodWorker adopted(Deps(), sandboxes.back());
  EXPECT_EQ(adopted.uid(), original->uid());
  EXPECT_EQ(adopted.name(), original->name());
  EXPECT_EQ(adopted.revision_hash(), "rev1");
  EXPECT_EQ(adopted.owner().Key(), "kube-system/fluentd");
  EXPECT_FALSE(adopted.HasTemplate());
  adopted.AssignTemplate(WorkloadOf(MakeTemplate({"a", "b"})));
  EXPECT_FALSE(Pass(adopted));
  EXPECT_EQ(runtime_.CallCount("CreateContainer"), created);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
  EXPECT_EQ(ContainerId(adopted, "a"), a);
  EXPECT_EQ(StatusOf(adopted, "a").restart_count(), 0);
}

TEST_F(PodWorkerTest, DeadSandboxIsReplacedAndContainersCountARestart) {
  auto worker = NewWorker(MakeTemplate());
  Pass(*worker);
  auto sandboxes = SandboxesOf(runtime_, worker->uid());
  cri::StopPodSandboxRequest stop;
  stop.set_pod_sandbox_id(sandboxes.back().sandbox.id());
  cri::StopPodSandboxResponse stopped;
  ASSERT_TRUE(runtime_.StopPodSandbox(stop, &stopped).ok());
  Pass(*worker);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 2);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  Pass(*worker);
  EXPECT_EQ(StatusOf(*worker, "main").restart_count(), 1);
  EXPECT_TRUE(StatusOf(*worker, "main").state().has_running());
}

TEST_F(PodWorkerTest, TerminateRemovesEverythingAndEmptyDirs) {
  v1::PodTemplateSpec template_spec = MakeTemplate();
  v1::Volume* volume = template_spec.mutable_spec()->add_volumes();
  volume->set_name("scratch");
  volume->mutable_empty_dir();
  auto worker = NewWorker(template_spec);
  Pass(*worker);
  const std::string pod_dir = pods_dir_ + "/" + worker->uid();
  EXPECT_TRUE(std::filesystem::exists(pod_dir));
  EXPECT_TRUE(Terminate(*worker, seconds(5)));
  EXPECT_EQ(runtime_.SandboxCount(), 0u);
  EXPECT_EQ(runtime_.ContainerCount(), 0u);
  EXPECT_FALSE(std::filesystem::exists(pod_dir));
  EXPECT_TRUE(worker->Terminating());
  EXPECT_EQ(worker->Status().status().reason(), "Terminating");
}

TEST_F(PodWorkerTest, RuntimeDownIsReportedNotFatal) {
  runtime_.SetUnavailable(true);
  auto worker = NewWorker(MakeTemplate());
  Sync(*worker, nullptr);
  EXPECT_EQ(worker->Status().status().phase(), "Pending");
  EXPECT_THAT(worker->Status().status().message(),
              ::testing::HasSubstr("Failed to create pod sandbox"));
  runtime_.SetUnavailable(false);
  clock_.Advance(agent::kSandboxRetryBackoff.initial);
  Pass(*worker);
  Pass(*worker);
  EXPECT_EQ(worker->Status().status().phase(), "Running");
}

TEST_F(PodWorkerTest, FailedSandboxIsRetriedAfterTheBackOffNotAtEveryPass) {
  auto worker = NewWorker(MakeTemplate({"a"}));
  runtime_.FailNext("RunPodSandbox", grpc::Status(grpc::StatusCode::UNKNOWN, "cni failed"));
  EXPECT_TRUE(Pass(*worker));
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
  const v1::Pod pending = worker->Status();
  EXPECT_EQ(pending.status().phase(), "Pending");
  EXPECT_THAT(pending.status().message(),
              ::testing::HasSubstr("Failed to create pod sandbox: cni failed"));
  // No init containers: the app container waits in ContainerCreating.
  EXPECT_EQ(StatusOf(*worker, "a").state().waiting().reason(), "ContainerCreating");

  // Relists in the meantime do not try again.
  clock_.Advance(agent::kSandboxRetryBackoff.initial - std::chrono::milliseconds(1));
  EXPECT_FALSE(Pass(*worker));
  EXPECT_FALSE(Pass(*worker));
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);

  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(Pass(*worker));
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 2);
  Pass(*worker);
  EXPECT_EQ(worker->Status().status().phase(), "Running");
  EXPECT_EQ(worker->Status().status().message(), "");
}

TEST_F(PodWorkerTest, APassChangesThePodOnlyWhenItsResultReachesTheLoop) {
  auto worker = NewWorker(MakeTemplate());
  bool done = false;
  worker->Sync(nullptr, [&](bool) { done = true; });
  ASSERT_EQ(fakes_.executor.pending(), 1u);
  EXPECT_EQ(runtime_.SandboxCount(), 0u) << "nothing runs on the caller's stack";
  fakes_.executor.RunAll();
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  EXPECT_FALSE(done);
  EXPECT_EQ(worker->Status().status().phase(), "") << "the pass's result is not the pod's yet";
  fakes_.loop.restart();
  fakes_.loop.poll();
  EXPECT_TRUE(done);
  EXPECT_EQ(worker->Status().status().phase(), "Running");
}

TEST_F(PodWorkerTest, AResultThatArrivesAfterTheWorkerIsGoneIsDropped) {
  auto worker = NewWorker(MakeTemplate());
  bool done = false;
  worker->Sync(nullptr, [&](bool) { done = true; });
  fakes_.executor.RunAll();
  worker.reset();
  fakes_.loop.restart();
  fakes_.loop.poll();
  EXPECT_FALSE(done);
}

TEST_F(PodWorkerTest, TerminationStopsEveryContainerAsItsOwnPieceOfWork) {
  auto worker = NewWorker(MakeTemplate({"a", "b", "c"}));
  Pass(*worker);
  std::optional<bool> ok;
  worker->Terminate(seconds(5), "test", [&](bool result) { ok = result; });
  ASSERT_TRUE(fakes_.executor.RunOne());  // lists the pod's sandbox and containers
  // All three stops wait side by side, so the grace period bounds the whole stop.
  EXPECT_EQ(fakes_.executor.pending(), 3u);
  EXPECT_EQ(runtime_.CallCount("StopContainer"), 0);
  fakes_.Drain();
  EXPECT_EQ(ok, true);
  EXPECT_EQ(runtime_.CallCount("StopContainer"), 3);
  EXPECT_EQ(runtime_.SandboxCount(), 0u);
}

TEST_F(PodWorkerTest, SandboxRetryIsJitteredByTheInjectedRandomSource) {
  fakes_.random.Set(0.5);  // half of the allowed jitter: 10 s + 2.5 s
  auto worker = NewWorker(MakeTemplate());
  runtime_.FailNext("RunPodSandbox", grpc::Status(grpc::StatusCode::UNKNOWN, "cni failed"));
  Pass(*worker);
  clock_.Advance(std::chrono::milliseconds(12499));
  Pass(*worker);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
  clock_.Advance(std::chrono::milliseconds(1));
  Pass(*worker);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 2);
}

}  // namespace
}  // namespace fleetset::testing
