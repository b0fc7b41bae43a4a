// The reconciler's decisions with an in-memory runtime: which pods exist
// after node facts, workloads and revisions change. Everything runs on the
// test's thread and on a fake clock: the test drives the loop and the
// executor by hand and moves time by whole sync periods, firing the
// reconciler's timer; nothing sleeps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/pod_identity.h"
#include "agent/reconciler.h"
#include "unit/agent_test_util.h"

namespace fleetset::testing {
namespace {

using agent::Reconciler;
using agent::Workload;
using namespace std::chrono_literals;

Workload MakeWorkload(const std::string& name, const std::string& revision = "rev1") {
  Workload workload;
  workload.owner = {"kube-system", name, /*static_pod=*/true};
  workload.template_spec = MakeTemplate();
  workload.revision_hash = revision;
  return workload;
}

NodeFacts Node(std::map<std::string, std::string> labels = {}, std::vector<v1::Taint> taints = {}) {
  NodeFacts node;
  node.name = kNode;
  node.labels = Labels(labels.begin(), labels.end());
  node.labels[kLabelHostname] = kNode;
  node.taints = std::move(taints);
  return node;
}

v1::Taint Taint(const std::string& key, const std::string& effect) {
  v1::Taint taint;
  taint.set_key(key);
  taint.set_effect(effect);
  return taint;
}

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest()
      : pods_dir_(std::filesystem::temp_directory_path() /
                  ("reconciler-test-" + std::to_string(::getpid()))),
        fakes_(pods_dir_),
        runtime_(fakes_.runtime),
        probes_(fakes_.probes) {
    runtime_.AddImage(kImage);
  }
  ~ReconcilerTest() override {
    for (auto& reconciler : reconcilers_) reconciler->Stop();
    std::filesystem::remove_all(pods_dir_);
  }

  Reconciler& NewReconciler(bool expect_coordinator = false) {
    agent::ReconcilerOptions options;
    options.sync_period = kSyncPeriod;
    options.expect_coordinator = expect_coordinator;
    reconcilers_.push_back(std::make_unique<Reconciler>(fakes_.Deps(), options, fakes_.timers));
    return *reconcilers_.back();
  }

  // Runs what is due, then moves time a sync period at a time (each firing
  // the relist timer) until `done` holds or two seconds have passed.
  bool RunUntil(const std::function<bool()>& done) {
    fakes_.Drain();
    for (auto waited = 0ms; !done(); waited += kSyncPeriod) {
      if (waited > 2s) return false;
      fakes_.timers.Advance(kSyncPeriod);
      fakes_.Drain();
    }
    return true;
  }
  void RunFor(std::chrono::milliseconds duration) {
    fakes_.Drain();
    for (auto waited = 0ms; waited < duration; waited += kSyncPeriod) {
      fakes_.timers.Advance(kSyncPeriod);
      fakes_.Drain();
    }
  }

  std::vector<v1::Pod> RunningPods(const Reconciler& reconciler) {
    std::vector<v1::Pod> pods;
    const v1::StatusReport report = reconciler.Report();
    for (const v1::Pod& pod : report.pods()) {
      if (pod.status().phase() == "Running" && pod.status().reason() != "Terminating") {
        pods.push_back(pod);
      }
    }
    return pods;
  }

  static constexpr std::chrono::milliseconds kSyncPeriod{20};

  std::string pods_dir_;
  AgentFakes fakes_;
  FakeCriRuntime& runtime_;
  ScriptedProbes& probes_;
  std::vector<std::unique_ptr<Reconciler>> reconcilers_;
};

TEST_F(ReconcilerTest, RunsAWorkloadOnAnEligibleNode) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  const v1::StatusReport report = reconciler.Report();
  ASSERT_EQ(report.eligibility_size(), 1);
  EXPECT_TRUE(report.eligibility(0).should_run());
  EXPECT_EQ(report.eligibility(0).daemon_set(), "static:kube-system/fluentd");
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
}

TEST_F(ReconcilerTest, UntoleratedNoScheduleTaintBlocksANewPodWithAReason) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node({}, {Taint("node-role.kubernetes.io/master", "NoSchedule")}));
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return reconciler.Report().eligibility_size() == 1; }));
  RunFor(200ms);
  EXPECT_EQ(runtime_.SandboxCount(), 0u);
  EXPECT_EQ(reconciler.Report().eligibility(0).reason(),
            "node has taint node-role.kubernetes.io/master:NoSchedule that the pod does not "
            "tolerate");

  // Tolerating it lets the pod run, as in the seed article.
  Workload tolerant = MakeWorkload("fluentd", "rev2");
  v1::Toleration* toleration = tolerant.template_spec.mutable_spec()->add_tolerations();
  toleration->set_key("node-role.kubernetes.io/master");
  toleration->set_effect("NoSchedule");
  reconciler.SetStaticWorkloads({tolerant}, {});
  EXPECT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
}

TEST_F(ReconcilerTest, NoScheduleTaintAddedLaterKeepsTheRunningPod) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  reconciler.SetLocalNodeFacts(Node({}, {Taint("maintenance", "NoSchedule")}));
  RunFor(200ms);
  EXPECT_EQ(RunningPods(reconciler).size(), 1u);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
}

TEST_F(ReconcilerTest, UntoleratedNoExecuteTaintEvicts) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  reconciler.SetLocalNodeFacts(Node({}, {Taint("dedicated", "NoExecute")}));
  EXPECT_TRUE(RunUntil(
      [&] { return runtime_.SandboxCount() == 0 && reconciler.Report().pods_size() == 0; }));
}

TEST_F(ReconcilerTest, TolerationSecondsDelaysEviction) {
  Workload workload = MakeWorkload("fluentd");
  v1::Toleration* toleration = workload.template_spec.mutable_spec()->add_tolerations();
  toleration->set_key("dedicated");
  toleration->set_operator_("Exists");
  toleration->set_effect("NoExecute");
  toleration->set_toleration_seconds(1);
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({workload}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  reconciler.SetLocalNodeFacts(Node({}, {Taint("dedicated", "NoExecute")}));
  RunFor(500ms);
  EXPECT_EQ(runtime_.SandboxCount(), 1u) << "evicted before tolerationSeconds";
  EXPECT_TRUE(RunUntil([&] { return runtime_.SandboxCount() == 0; }));
  // Not re-created while the taint stays.
  RunFor(300ms);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
  EXPECT_EQ(reconciler.Report().eligibility(0).reason(),
            "NoExecute taint tolerated for 1s only (tolerationSeconds), and still present");
  // The taint goes: the pod comes back.
  reconciler.SetLocalNodeFacts(Node());
  EXPECT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
}

TEST_F(ReconcilerTest, NodeThatStopsMatchingTheSelectorLosesThePod) {
  Workload workload = MakeWorkload("fluentd");
  (*workload.template_spec.mutable_spec()->mutable_node_selector())["logger"] = "fluentd";
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node({{"logger", "fluentd"}}));
  reconciler.SetStaticWorkloads({workload}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  reconciler.SetLocalNodeFacts(Node());
  EXPECT_TRUE(RunUntil([&] { return runtime_.SandboxCount() == 0; }));
  EXPECT_EQ(reconciler.Report().eligibility(0).reason(),
            "node does not match nodeSelector: label logger=fluentd is missing");
}

TEST_F(ReconcilerTest, NewRevisionReplacesThePodStopFirst) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd", "rev1")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  const std::string old_uid = RunningPods(reconciler)[0].metadata().uid();
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd", "rev2")}, {});
  ASSERT_TRUE(RunUntil([&] {
    auto pods = RunningPods(reconciler);
    return pods.size() == 1 && pods[0].revision_hash() == "rev2";
  }));
  EXPECT_NE(RunningPods(reconciler)[0].metadata().uid(), old_uid);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
}

TEST_F(ReconcilerTest, SurgeStartsTheNewPodBeforeStoppingTheOld) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd", "rev1")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  Workload next = MakeWorkload("fluentd", "rev2");
  next.surge = true;
  // The new pod is never ready until its probe passes, so the old one must stay.
  v1::Probe* probe =
      next.template_spec.mutable_spec()->mutable_containers(0)->mutable_readiness_probe();
  probe->mutable_exec()->add_command("true");
  probe->set_period_seconds(1);
  probe->set_success_threshold(1);
  probe->set_failure_threshold(1);
  probes_.outcomes = {false};
  reconciler.SetStaticWorkloads({next}, {});
  ASSERT_TRUE(RunUntil([&] { return runtime_.SandboxCount() == 2; }));
  RunFor(300ms);
  EXPECT_EQ(runtime_.SandboxCount(), 2u) << "old pod stopped before the new one was ready";
  probes_.outcomes = {true};
  EXPECT_TRUE(RunUntil([&] {
    auto pods = reconciler.Report().pods();
    return runtime_.SandboxCount() == 1 && pods.size() == 1 && pods[0].revision_hash() == "rev2";
  }));
}

TEST_F(ReconcilerTest, RestartedAgentAdoptsItsPodsWithoutRestartingThem) {
  {
    Reconciler& first = NewReconciler();
    first.SetLocalNodeFacts(Node());
    first.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
    first.Start();
    ASSERT_TRUE(RunUntil([&] { return RunningPods(first).size() == 1; }));
    first.Stop();
  }
  const int sandboxes_created = runtime_.CallCount("RunPodSandbox");
  const int containers_created = runtime_.CallCount("CreateContainer");
  Reconciler& second = NewReconciler();
  second.SetLocalNodeFacts(Node());
  second.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  second.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(second).size() == 1; }));
  RunFor(200ms);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), sandboxes_created);
  EXPECT_EQ(runtime_.CallCount("CreateContainer"), containers_created);
  EXPECT_EQ(RunningPods(second)[0].status().container_statuses(0).restart_count(), 0);
}

TEST_F(ReconcilerTest, ARemovedPodTakesItsLogsButANewSandboxKeepsThem) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  const v1::Pod pod = RunningPods(reconciler)[0];
  const std::string log_directory =
      agent::PodLogDirectory(pods_dir_ + "/logs", pod.metadata().namespace_(),
                             pod.metadata().name(), pod.metadata().uid());
  // Recorded before the sandbox was asked for.
  EXPECT_EQ(fakes_.pod_logs.Entries(),
            (std::map<std::string, std::string>{{pod.metadata().uid(), log_directory}}));
  // What the runtime writes there.
  std::filesystem::create_directories(log_directory + "/main");
  std::ofstream(log_directory + "/main/0.log") << "line\n";

  // The sandbox dies: the pod starts over in a new one, logs and all.
  const std::string first_sandbox = SandboxesOf(runtime_, pod.metadata().uid()).back().sandbox.id();
  cri::StopPodSandboxRequest stop;
  stop.set_pod_sandbox_id(first_sandbox);
  cri::StopPodSandboxResponse stopped;
  ASSERT_TRUE(runtime_.StopPodSandbox(stop, &stopped).ok());
  ASSERT_TRUE(RunUntil([&] {
    const auto sandboxes = SandboxesOf(runtime_, pod.metadata().uid());
    return RunningPods(reconciler).size() == 1 && sandboxes.size() == 1 &&
           sandboxes.back().sandbox.id() != first_sandbox;
  }));
  EXPECT_TRUE(std::filesystem::exists(log_directory + "/main/0.log"));

  // The pod goes for good: so do its logs and its ledger entry.
  reconciler.SetStaticWorkloads({}, {});
  ASSERT_TRUE(RunUntil([&] { return runtime_.SandboxCount() == 0; }));
  EXPECT_FALSE(std::filesystem::exists(log_directory));
  EXPECT_TRUE(fakes_.pod_logs.Entries().empty());
}

TEST_F(ReconcilerTest, PodsNoLongerDesiredAreRemovedButCoordinatorPodsWaitForItsState) {
  {
    Reconciler& first = NewReconciler();
    first.SetLocalNodeFacts(Node());
    Workload workload = MakeWorkload("fluentd");
    workload.owner.static_pod = false;
    v1::DesiredState state;
    v1::DesiredDaemonSet* desired = state.add_daemon_sets();
    desired->mutable_metadata()->set_namespace_("kube-system");
    desired->mutable_metadata()->set_name("fluentd");
    *desired->mutable_template_() = workload.template_spec;
    desired->set_revision_hash("rev1");
    first.SetCoordinatorState(state);
    first.Start();
    ASSERT_TRUE(RunUntil([&] { return RunningPods(first).size() == 1; }));
    first.Stop();
  }
  // A coordinator is configured but has not answered: its pods stay.
  Reconciler& waiting = NewReconciler(/*expect_coordinator=*/true);
  waiting.SetLocalNodeFacts(Node());
  waiting.Start();
  RunFor(300ms);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  // Its (empty) state arrives: the pod goes.
  waiting.SetCoordinatorState(v1::DesiredState());
  EXPECT_TRUE(RunUntil([&] { return runtime_.SandboxCount() == 0; }));
}

TEST_F(ReconcilerTest, PodDeletedByTheOperatorIsReplacedByANewPod) {
  v1::DesiredState state;
  state.set_version(1);
  v1::DesiredDaemonSet* desired = state.add_daemon_sets();
  desired->mutable_metadata()->set_namespace_("kube-system");
  desired->mutable_metadata()->set_name("fluentd");
  *desired->mutable_template_() = MakeTemplate();
  desired->set_revision_hash("rev1");
  Reconciler& reconciler = NewReconciler(/*expect_coordinator=*/true);
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetCoordinatorState(state);
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  const v1::Pod deleted = RunningPods(reconciler)[0];

  state.set_version(2);
  state.mutable_daemon_sets(0)->add_deleted_pod_uids(deleted.metadata().uid());
  reconciler.SetCoordinatorState(state);
  ASSERT_TRUE(RunUntil([&] {
    const auto pods = reconciler.Report().pods();
    return runtime_.SandboxCount() == 1 && pods.size() == 1 &&
           pods[0].metadata().uid() != deleted.metadata().uid() &&
           RunningPods(reconciler).size() == 1;
  }));
  const v1::Pod replacement = RunningPods(reconciler)[0];
  EXPECT_NE(replacement.metadata().name(), deleted.metadata().name());
  EXPECT_EQ(replacement.revision_hash(), "rev1");
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 2);
  // The UID stays listed in later states; the replacement is not touched.
  RunFor(200ms);
  EXPECT_EQ(RunningPods(reconciler).size(), 1u);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 2);
}

TEST_F(ReconcilerTest, RuntimeOutageRemovesNothing) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd")}, {});
  reconciler.Start();
  ASSERT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 1; }));
  runtime_.SetUnavailable(true);
  RunFor(200ms);
  runtime_.SetUnavailable(false);
  RunFor(200ms);
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  EXPECT_EQ(RunningPods(reconciler).size(), 1u);
  EXPECT_EQ(runtime_.CallCount("RunPodSandbox"), 1);
}

TEST_F(ReconcilerTest, OnePodsPassInFlightHoldsUpNoOtherPod) {
  Reconciler& reconciler = NewReconciler();
  reconciler.SetLocalNodeFacts(Node());
  reconciler.Start();
  fakes_.Drain();  // the first relist: nothing to run yet
  reconciler.SetStaticWorkloads({MakeWorkload("fluentd"), MakeWorkload("node-exporter")}, {});
  // Each pod's first pass waits on the executor; the oldest runs, the other
  // stays in flight (as if pulling for minutes).
  ASSERT_EQ(fakes_.executor.pending(), 2u);
  ASSERT_TRUE(fakes_.executor.RunOne());
  fakes_.loop.restart();
  fakes_.loop.poll();
  EXPECT_EQ(RunningPods(reconciler).size(), 1u) << "the finished pass was applied";
  EXPECT_EQ(runtime_.SandboxCount(), 1u);
  EXPECT_TRUE(RunUntil([&] { return RunningPods(reconciler).size() == 2; }));
}

}  // namespace
}  // namespace fleetset::testing
