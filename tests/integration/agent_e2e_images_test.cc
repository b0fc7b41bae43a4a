// Image pulls through the real agent: a missing image backs off without
// disturbing other pods, and a pull from the local registry works.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/agent_e2e.h"
#include "support/prerequisites.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kMissingImage[] = "127.0.0.1:5999/nope:1";

std::string ImagePodSpec(const std::string& image, const std::string& pull_policy) {
  return "terminationGracePeriodSeconds: 1\n"
         "containers:\n"
         "  - name: main\n"
         "    image: " +
         image + "\n    imagePullPolicy: " + pull_policy +
         "\n    command: ['sh', '-c', 'sleep 3600']\n";
}

// The waiting reason of container "main" of `daemon_set`'s pod, or "".
std::string WaitingReason(const v1::StatusReport& report, const std::string& daemon_set) {
  const v1::Pod* pod = FindPod(report, daemon_set);
  const v1::ContainerStatus* main = pod ? FindContainer(*pod, "main") : nullptr;
  return main ? main->state().waiting().reason() : "";
}

TEST_F(AgentE2ETest, MissingImageBacksOffWhileOtherPodsRun) {
  AgentOptions options;
  // The default period: ErrImagePull shows until the next pass, one period
  // after the failed pull.
  options.sync_frequency = milliseconds(1000);
  AgentProcess& agent = StartAgent(options);
  agent.WriteManifest("good.yaml", DaemonSetManifest("good", BusyboxPodSpec()));
  // Nothing listens on that port: the pull fails at once.
  agent.WriteManifest("missing.yaml",
                      DaemonSetManifest("missing", ImagePodSpec(kMissingImage, "IfNotPresent")));

  // The first failure may be overtaken by a pass the good pod's start
  // causes; the retry 10 s later shows it for a whole period.
  v1::StatusReport pull_failed;
  ASSERT_TRUE(WaitUntil(
      [&] {
        pull_failed = Report();
        return WaitingReason(pull_failed, "missing") == "ErrImagePull";
      },
      milliseconds(25000)))
      << Report().DebugString();
  EXPECT_THAT(FindContainer(*FindPod(pull_failed, "missing"), "main")->state().waiting().message(),
              HasSubstr("connection refused"));
  // A report's time has whole seconds, and the status file is rewritten
  // at least every 10 s: a later second shows the agent is not stuck.
  v1::StatusReport backing_off;
  ASSERT_TRUE(WaitUntil(
      [&] {
        backing_off = Report();
        return WaitingReason(backing_off, "missing") == "ImagePullBackOff" &&
               backing_off.time() > pull_failed.time();
      },
      milliseconds(15000)))
      << Report().DebugString();
  const v1::Pod* missing = FindPod(backing_off, "missing");
  EXPECT_EQ(missing->status().phase(), "Pending");
  EXPECT_FALSE(PodReady(*missing));
  // Backing off still says why the pull failed.
  EXPECT_THAT(FindContainer(*missing, "main")->state().waiting().message(),
              AllOf(HasSubstr("Back-off pulling image \"127.0.0.1:5999/nope:1\""),
                    HasSubstr("connection refused")));

  const std::optional<v1::Pod> good = WaitForReadyPod("good");
  ASSERT_TRUE(good.has_value()) << Report().DebugString();
  EXPECT_EQ(FindContainer(*good, "main")->restart_count(), 0);
  EXPECT_TRUE(agent.Running());
  // Nothing was ever created for the missing image.
  EXPECT_TRUE(cri_->ContainersOf(missing->metadata().uid()).empty());
}

TEST_F(AgentE2ETest, PullsFromLocalRegistry) {
  REQUIRE_LOCAL_REGISTRY();
  std::unique_ptr<LocalRegistry> registry = LocalRegistry::Start();
  ASSERT_NE(registry, nullptr);
  // Not on the node yet: the pod can only run if the agent pulls it.
  cri::ImageStatusRequest request;
  request.mutable_image()->set_image(registry->image());
  cri::ImageStatusResponse image_status;
  ASSERT_TRUE(cri_->runtime().ImageStatus(request, &image_status).ok());
  ASSERT_FALSE(image_status.has_image() && !image_status.image().id().empty());

  AgentProcess& agent = StartAgent();
  agent.WriteManifest("pulled.yaml",
                      DaemonSetManifest("pulled", ImagePodSpec(registry->image(), "Always")));
  const std::optional<v1::Pod> pod = WaitForReadyPod("pulled");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  const v1::ContainerStatus* main = FindContainer(*pod, "main");
  EXPECT_EQ(main->image(), registry->image());
  EXPECT_FALSE(main->image_id().empty());
  ASSERT_TRUE(cri_->runtime().ImageStatus(request, &image_status).ok());
  EXPECT_FALSE(image_status.image().id().empty());
  // Stopping the agent before the registry goes: pods no longer need it.
  agent_.reset();
}

// A registry that wants a login: the pull fails without credentials and
// works once the node's credential file (<root-dir>/config.json, as
// kubelet's) names them.
TEST_F(AgentE2ETest, PullsWithCredentialsFromTheNodesConfigJson) {
  REQUIRE_LOCAL_REGISTRY();
  std::unique_ptr<LocalRegistry> registry = LocalRegistry::Start("fleet:s3cret-pull");
  ASSERT_NE(registry, nullptr);
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("private.yaml",
                      DaemonSetManifest("private", ImagePodSpec(registry->image(), "Always")));
  ASSERT_TRUE(WaitUntil(
      [&] {
        const v1::StatusReport report = Report();
        for (const v1::Pod& pod : report.pods()) {
          const v1::ContainerStatus* main = FindContainer(pod, "main");
          if (main != nullptr && main->state().waiting().reason() == "ErrImagePull") return true;
        }
        return false;
      },
      std::chrono::seconds(20)))
      << Report().DebugString();

  std::ofstream(agent.root_dir() + "/config.json")
      << R"({"auths": {"127.0.0.1:5000": {"username": "fleet", "password": "s3cret-pull"}}})";
  // The next retry (after the 10 s back-off) uses the credentials.
  const std::optional<v1::Pod> pod = WaitForReadyPod("private", std::chrono::seconds(45));
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  agent_.reset();
}

}  // namespace
}  // namespace fleetset::testing
