// Lifecycle hooks through the real agent on a real node: a postStart exec
// hook runs in the container right after it starts, and a preStop exec hook
// runs before the container is sent SIGTERM when its pod is removed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/agent_e2e.h"

namespace fleetset::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(AgentE2ETest, PostStartHookRunsInTheContainerRightAfterItStarts) {
  AgentProcess& agent = StartAgent();
  // The container waits for the file only its postStart hook writes.
  agent.WriteManifest("post-start.yaml",
                      DaemonSetManifest("post-start", R"(terminationGracePeriodSeconds: 1
containers:
  - name: main
    image: ${IMAGE}
    command: ['sh', '-c', 'until [ -f /tmp/started ]; do sleep 1; done; cat /tmp/started; sleep 3600']
    lifecycle:
      postStart:
        exec:
          command: ['sh', '-c', 'echo written by postStart > /tmp/started']
)"));
  const std::optional<v1::Pod> pod = WaitForReadyPod("post-start");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  const std::string log = LogPath(*pod, "main");
  EXPECT_TRUE(WaitUntil([&] { return ReadCriLog(log) == "written by postStart"; }, kShortTimeout))
      << log << " holds: " << ReadCriLog(log);
  EXPECT_EQ(FindContainer(*pod, "main")->restart_count(), 0);
}

TEST_F(AgentE2ETest, PreStopHookRunsBeforeTheContainerIsStopped) {
  std::string marks = (std::filesystem::temp_directory_path() / "prestop-XXXXXX").string();
  ASSERT_NE(mkdtemp(marks.data()), nullptr);
  AgentProcess& agent = StartAgent();
  // The hook writes its line and takes a while; the container writes its
  // own when SIGTERM reaches it. Had the hook run alongside the stop, or
  // not at all, the container's line would come first or alone.
  agent.WriteManifest("pre-stop.yaml",
                      DaemonSetManifest("pre-stop", R"(terminationGracePeriodSeconds: 10
containers:
  - name: main
    image: ${IMAGE}
    command: ['sh', '-c', 'trap "echo container got SIGTERM >> /marks/log; exit 0" TERM; while true; do sleep 1 & wait $!; done']
    lifecycle:
      preStop:
        exec:
          command: ['sh', '-c', 'echo preStop ran >> /marks/log; sleep 2']
    volumeMounts: [{name: marks, mountPath: /marks}]
volumes:
  - name: marks
    hostPath: {path: )" + marks + R"(, type: Directory}
)"));
  const std::optional<v1::Pod> pod = WaitForReadyPod("pre-stop");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  EXPECT_EQ(ReadFile(marks + "/log"), "");

  agent.RemoveManifest("pre-stop.yaml");
  EXPECT_TRUE(WaitForPodGone(pod->metadata().uid())) << Report().DebugString();
  EXPECT_EQ(ReadFile(marks + "/log"), "preStop ran\ncontainer got SIGTERM\n");
  std::filesystem::remove_all(marks);
}

}  // namespace
}  // namespace fleetset::testing
