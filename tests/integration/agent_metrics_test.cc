// The real fleetset-agent's HTTP endpoint on a real node: pod counts, CRI
// call durations and the health check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>

#include "support/agent_e2e.h"
#include "support/held_port.h"
#include "support/http_get.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST_F(AgentE2ETest, ServesPodAndCriMetricsAndHealth) {
  AgentOptions options;
  options.extra_flags = {"--metrics-bind-address", "127.0.0.1:0"};
  AgentProcess& agent = StartAgent(options);
  int port = 0;
  static const std::regex kLine(R"(metrics and health on \S+ \(port ([0-9]+)\))");
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::smatch match;
        const std::string output = agent.Output();
        if (!std::regex_search(output, match, kLine)) return false;
        port = std::stoi(match[1]);
        return true;
      },
      kShortTimeout))
      << agent.Output();

  agent.WriteManifest("watched.yaml", DaemonSetManifest("watched", BusyboxPodSpec()));
  ASSERT_TRUE(WaitForReadyPod("watched").has_value()) << Report().DebugString();

  std::string text;
  EXPECT_TRUE(WaitUntil(
      [&] {
        text = HttpGet(port, "/metrics").body;
        return SampleValue(text, "fleetset_agent_pods{state=\"ready\"}") == 1.0;
      },
      kShortTimeout))
      << text;
  EXPECT_THAT(SampleValue(text, "fleetset_agent_pods{state=\"desired\"}"), Optional(1.0));
  EXPECT_THAT(SampleValue(text, "fleetset_agent_pods{state=\"running\"}"), Optional(1.0));
  EXPECT_THAT(SampleValue(text, "fleetset_agent_container_restarts_total"), Optional(0.0));
  EXPECT_THAT(SampleValue(text, "fleetset_agent_coordinator_connected"), Optional(0.0));
  EXPECT_THAT(SampleValue(text, "fleetset_agent_desired_state_version"), Optional(0.0));
  EXPECT_THAT(text, HasSubstr("# TYPE fleetset_agent_cri_request_duration_seconds histogram\n"));
  for (const char* method :
       {"RunPodSandbox", "CreateContainer", "StartContainer", "ListPodSandbox", "ListContainers"}) {
    EXPECT_GE(SampleValue(text, std::string("fleetset_agent_cri_request_duration_seconds_count{"
                                            "method=\"") +
                                    method + "\"}")
                  .value_or(0),
              1)
        << method;
  }
  EXPECT_GT(SampleValue(text, "process_resident_memory_bytes").value_or(0), 0);

  const HttpResponse health = HttpGet(port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
}

TEST(AgentMetricsAddress, TakenAddressFailsTheStartNamingTheFlag) {
  const HeldPort taken;
  ASSERT_NE(taken.port(), 0);
  const std::string address = "127.0.0.1:" + std::to_string(taken.port());
  std::string root = ::testing::TempDir() + "agent-metrics-XXXXXX";
  ASSERT_NE(mkdtemp(root.data()), nullptr);
  // No runtime is needed: the endpoint is bound before the agent uses one.
  // timeout(1) ends an agent that would start anyway (exit 124).
  const CommandResult result =
      RunCommand({"/usr/bin/timeout", "20", BuiltProgram("agent/fleetset-agent"), "--root-dir",
                  root, "--pod-manifest-path", root + "/manifests", "--container-runtime-endpoint",
                  "unix://" + root + "/none.sock", "--metrics-bind-address", address});
  std::filesystem::remove_all(root);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out + result.err,
              HasSubstr("--metrics-bind-address: cannot listen on " + address + ": "));
}

}  // namespace
}  // namespace fleetset::testing
