// The agent's metrics: the --metrics-bind-address setting, CRI call timing,
// the pod and restart counts taken from the status, and disk housekeeping.
#include "agent/agent_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "agent/agent_config.h"
#include "agent/instrumented_cri_runtime.h"
#include "fakes/fake_cri_runtime.h"
#include "fleetset/clock.h"
#include "fleetset/pod_readiness.h"

namespace fleetset::agent {
namespace {

using ::testing::HasSubstr;

const HostIdentity kHost{"test-host", "10.0.0.7"};

std::string MetricsBindAddress(std::map<std::string, std::string> flags, std::string* error) {
  ConfigResult result = LoadAgentConfig(AgentFlags{"", std::move(flags)}, kHost);
  if (auto* problem = std::get_if<ConfigError>(&result)) {
    *error = problem->message;
    return "<error>";
  }
  return std::get<AgentConfig>(result).metrics_bind_address;
}

TEST(AgentMetricsConfigTest, MetricsBindAddress) {
  std::string error;
  EXPECT_EQ(MetricsBindAddress({}, &error), "127.0.0.1:10255");
  EXPECT_EQ(MetricsBindAddress({{"metrics-bind-address", "0.0.0.0:9100"}}, &error), "0.0.0.0:9100");
  EXPECT_EQ(MetricsBindAddress({{"metrics-bind-address", "[::1]:9100"}}, &error), "[::1]:9100");
  EXPECT_EQ(MetricsBindAddress({{"metrics-bind-address", "127.0.0.1:0"}}, &error), "127.0.0.1:0");
  EXPECT_EQ(MetricsBindAddress({{"metrics-bind-address", ""}}, &error), "");
  EXPECT_EQ(MetricsBindAddress({{"metrics-bind-address", "localhost"}}, &error), "<error>");
  EXPECT_EQ(error,
            "--metrics-bind-address: \"localhost\": must be host:port with a port from 0 to 65535");
  EXPECT_EQ(MetricsBindAddress({{"metrics-bind-address", "127.0.0.1:70000"}}, &error), "<error>");
}

TEST(InstrumentedCriRuntimeTest, TimesEveryCallAndCountsFailures) {
  FakeClock clock;
  auto fake = std::make_shared<fleetset::testing::FakeCriRuntime>(&clock);
  Metrics metrics;
  InstrumentedCriRuntime runtime(fake, metrics);

  cri::VersionResponse version;
  ASSERT_TRUE(runtime.Version({}, &version).ok());
  ASSERT_TRUE(runtime.Version({}, &version).ok());
  EXPECT_FALSE(version.runtime_name().empty());
  cri::ContainerStatusRequest request;
  request.set_container_id("missing");
  cri::ContainerStatusResponse status;
  EXPECT_EQ(runtime.ContainerStatus(request, &status).error_code(), grpc::StatusCode::NOT_FOUND);

  const std::string text = metrics.Render();
  EXPECT_THAT(
      text, HasSubstr("fleetset_agent_cri_request_duration_seconds_count{method=\"Version\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_cri_request_duration_seconds_bucket{method="
                              "\"Version\",le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_cri_request_duration_seconds_count{method="
                              "\"ContainerStatus\"} 1\n"));
  // Every method has its series from the start, so rates work at once.
  EXPECT_THAT(text, HasSubstr("fleetset_agent_cri_request_duration_seconds_count{method="
                              "\"PullImage\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_cri_request_errors_total{code=\"NOT_FOUND\","
                              "method=\"ContainerStatus\"} 1\n"));
}

v1::Pod MakePod(const std::string& uid, bool running, bool ready, int restarts) {
  v1::Pod pod;
  pod.mutable_metadata()->set_uid(uid);
  pod.mutable_status()->set_phase(running ? "Running" : "Pending");
  v1::ContainerStatus* container = pod.mutable_status()->add_container_statuses();
  container->set_name("main");
  container->set_ready(ready);
  container->set_restart_count(restarts);
  SetPodConditions(/*initialized=*/true, ready, pod.mutable_status());
  return pod;
}

TEST(AgentMetricsTest, CountsPodsAndRestartsFromTheStatus) {
  AgentMetrics metrics;
  v1::StatusReport report;
  for (bool should_run : {true, true, false}) report.add_eligibility()->set_should_run(should_run);
  *report.add_pods() = MakePod("a", true, true, 0);
  *report.add_pods() = MakePod("b", true, false, 2);  // restarts from before: not counted
  metrics.Update(report, true, 42);
  std::string text = metrics.metrics().Render();
  EXPECT_THAT(text, HasSubstr("fleetset_agent_pods{state=\"desired\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_pods{state=\"running\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_pods{state=\"ready\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_container_restarts_total 0\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_coordinator_connected 1\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_desired_state_version 42\n"));

  *report.mutable_pods(0) = MakePod("a", true, true, 1);
  *report.mutable_pods(1) = MakePod("b", true, true, 5);
  metrics.Update(report, false, 43);
  text = metrics.metrics().Render();
  EXPECT_THAT(text, HasSubstr("fleetset_agent_container_restarts_total 4\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_pods{state=\"ready\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_agent_coordinator_connected 0\n"));

  // A pod gone and back (same UID) starts over; the counter never drops.
  report.mutable_pods()->RemoveLast();
  metrics.Update(report, false, 43);
  *report.add_pods() = MakePod("b", true, true, 6);
  metrics.Update(report, false, 43);
  EXPECT_THAT(metrics.metrics().Render(), HasSubstr("fleetset_agent_container_restarts_total 4\n"));
}

TEST(AgentMetricsTest, CountsRotationsAndRemovedImagesAndShowsTheDisk) {
  AgentMetrics metrics;
  metrics.RecordContainerLogCheck({2, 5000, true});
  metrics.RecordContainerLogCheck({1, 3000, true});
  // A check that could not list changes nothing.
  metrics.RecordContainerLogCheck({0, 0, false});
  ImageGcResult collected;
  collected.measured = true;
  collected.used_bytes = 900;
  collected.capacity_bytes = 1000;
  collected.images_removed = 2;
  collected.bytes_freed = 120;
  metrics.RecordImageGc(collected);
  // Not measured: the filesystem gauges keep what they showed.
  metrics.RecordImageGc(ImageGcResult());
  const std::string text = metrics.metrics().Render();
  for (const char* sample : {"fleetset_agent_container_log_rotations_total 3\n",
                             "fleetset_agent_container_log_bytes 3000\n",
                             "fleetset_agent_image_gc_images_removed_total 2\n",
                             "fleetset_agent_image_gc_freed_bytes_total 120\n",
                             "fleetset_agent_image_fs_used_bytes 900\n",
                             "fleetset_agent_image_fs_capacity_bytes 1000\n"}) {
    EXPECT_THAT(text, HasSubstr(sample));
  }
}

TEST(AgentMetricsTest, HealthyWhileTheLoopTicks) {
  AgentMetrics metrics;
  metrics.Tick();
  EXPECT_TRUE(metrics.Health().healthy);
}

TEST(AgentMetricsTest, ServesOverHttpAndReportsABusyAddress) {
  AgentMetrics first;
  ASSERT_TRUE(first.Serve("127.0.0.1:0"));
  EXPECT_GT(first.port(), 0);
  AgentMetrics second;
  EXPECT_FALSE(second.Serve("127.0.0.1:" + std::to_string(first.port())));
  EXPECT_EQ(second.port(), 0);
}

}  // namespace
}  // namespace fleetset::agent
