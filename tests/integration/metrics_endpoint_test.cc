// The real fleetset-coordinator's HTTP endpoint: /metrics in the Prometheus
// text format with the fleet's families, and /healthz.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "support/agent_process.h"
#include "support/coordinator_process.h"
#include "support/held_port.h"
#include "support/http_get.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr char kDaemonSet[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: probe
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: probe}
  template:
    metadata:
      labels: {app: probe}
    spec:
      containers:
        - name: main
          image: busybox
)";

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "coordinator-metrics-XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

TEST_F(MetricsEndpointTest, CoordinatorServesMetricsAndHealth) {
  auto coordinator = CoordinatorProcess::Start(dir_, {"--metrics-listen", "127.0.0.1:0"});
  ASSERT_NE(coordinator, nullptr);
  const int port = coordinator->MetricsPort();
  ASSERT_GT(port, 0) << coordinator->Output();

  const std::string manifest = dir_ + "/probe.yaml";
  std::ofstream(manifest) << kDaemonSet;
  std::vector<std::string> apply = coordinator->CtlCommand();
  apply.insert(apply.end(), {"apply", "-f", manifest});
  const CommandResult applied = RunCommand(apply);
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;

  const HttpResponse health = HttpGet(port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(HttpGet(port, "/nothing").status, 404);

  // The loop has passed at least once after the apply.
  std::string text;
  EXPECT_TRUE(WaitUntil(
      [&] {
        text = HttpGet(port, "/metrics").body;
        return SampleValue(text,
                           "fleetset_coordinator_daemonset_desired{daemonset=\"probe\","
                           "namespace=\"monitoring\"}")
                   .has_value() &&
               SampleValue(text, "fleetset_coordinator_sync_pass_duration_seconds_count")
                       .value_or(0) > 0;
      },
      milliseconds(10000)))
      << text;
  EXPECT_THAT(text, HasSubstr("# TYPE fleetset_coordinator_connected_agents gauge\n"));
  EXPECT_THAT(SampleValue(text, "fleetset_coordinator_connected_agents"), Optional(0.0));
  EXPECT_THAT(SampleValue(text, "fleetset_coordinator_nodes{condition=\"Ready\"}"), Optional(0.0));
  EXPECT_THAT(SampleValue(text, "fleetset_coordinator_nodes{condition=\"NotReady\"}"),
              Optional(0.0));
  for (const char* field :
       {"desired", "current", "ready", "updated", "available", "unavailable", "misscheduled"}) {
    EXPECT_THAT(SampleValue(text, std::string("fleetset_coordinator_daemonset_") + field +
                                      "{daemonset=\"probe\",namespace=\"monitoring\"}"),
                Optional(0.0))
        << field;
  }
  EXPECT_THAT(SampleValue(text, "fleetset_coordinator_agent_send_queue"), Optional(0.0));
  EXPECT_THAT(SampleValue(text, "fleetset_coordinator_agent_report_queue"), Optional(0.0));
  EXPECT_GT(SampleValue(text, "fleetset_coordinator_sync_pass_duration_seconds_count").value_or(0),
            0);
  EXPECT_THAT(text,
              HasSubstr("fleetset_coordinator_sync_pass_duration_seconds_bucket{le=\"+Inf\"}"));
  // The apply was at least one commit.
  EXPECT_GE(
      SampleValue(text, "fleetset_coordinator_store_commit_duration_seconds_count").value_or(0), 1);
  EXPECT_GT(SampleValue(text, "process_resident_memory_bytes").value_or(0), 0);
  EXPECT_GT(SampleValue(text, "process_open_fds").value_or(0), 0);
  EXPECT_GT(SampleValue(text, "process_start_time_seconds").value_or(0), 1577836800.0);
}

TEST_F(MetricsEndpointTest, EmptyMetricsListenTurnsTheEndpointOff) {
  auto coordinator = CoordinatorProcess::Start(dir_, {"--metrics-listen", ""});
  ASSERT_NE(coordinator, nullptr);
  EXPECT_THAT(coordinator->Output(), ::testing::Not(HasSubstr("metrics and health on")));
}

TEST_F(MetricsEndpointTest, TakenMetricsAddressFailsTheStartNamingTheFlag) {
  const HeldPort taken;
  ASSERT_NE(taken.port(), 0);
  const std::string address = "127.0.0.1:" + std::to_string(taken.port());
  // timeout(1) ends a coordinator that would start anyway (exit 124).
  const CommandResult result = RunCommand(
      {"/usr/bin/timeout", "20", BuiltProgram("coordinator/fleetset-coordinator"), "--listen",
       "127.0.0.1:0", "--data-dir", dir_ + "/data", "--metrics-listen", address});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out + result.err,
              HasSubstr("--metrics-listen: cannot listen on " + address + ": "));
  EXPECT_THAT(result.out + result.err, ::testing::Not(HasSubstr("serving on")));
}

}  // namespace
}  // namespace fleetset::testing
