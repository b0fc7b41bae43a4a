// The real fleetset-agent keeps a real containerd node's disk bounded:
// container logs are rotated and compressed as kubelet rotates them, a
// removed pod's log directory goes with it (also when the agent crashed
// in between), and unused images are garbage-collected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/agent_e2e.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Writes about 1 MiB a second to stdout, in lines of 1000 zeros.
constexpr char kLogWriter[] =
    "l=$(printf %01000d 0); "
    "while true; do i=0; while [ $i -lt 100 ]; do echo $l; i=$((i+1)); done; sleep 0.1; done";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Files in `directory` but what a compression in progress writes.
std::vector<fs::path> LogFiles(const fs::path& directory) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    if (!entry.path().string().ends_with(".tmp")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Gunzip(const fs::path& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (in == nullptr) return "";
  std::string text;
  char buffer[1 << 16];
  int got = 0;
  while ((got = gzread(in, buffer, sizeof(buffer))) > 0) text.append(buffer, got);
  gzclose(in);
  return text;
}

// Every complete line is "<RFC3339Nano> stdout F <1000 zeros>".
::testing::AssertionResult AllCriLines(const std::string& text, const std::string& what) {
  static const std::regex line(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F 0{1000})");
  std::istringstream lines(text);
  std::string current;
  int count = 0;
  while (std::getline(lines, current)) {
    if (lines.eof()) break;  // the writer may be in the middle of a line
    if (!std::regex_match(current, line)) {
      return ::testing::AssertionFailure() << what << ": not a CRI log line: " << current;
    }
    ++count;
  }
  if (count == 0) return ::testing::AssertionFailure() << what << " has no complete line";
  return ::testing::AssertionSuccess();
}

TEST_F(AgentE2ETest, ContainerLogsAreRotatedAndCompressedKeepingMaxFiles) {
  AgentOptions options;
  options.extra_flags = {"--container-log-max-size",         "1Mi",
                         "--container-log-max-files",        "3",
                         "--container-log-monitor-interval", "200ms"};
  AgentProcess& agent = StartAgent(options);
  agent.WriteManifest("chatty.yaml", DaemonSetManifest("chatty", BusyboxPodSpec(kLogWriter)));
  const std::optional<v1::Pod> pod = WaitForReadyPod("chatty");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  const fs::path live = LogPath(*pod, "main");
  const fs::path directory = live.parent_path();

  // Two rotations at least: the older one is then compressed.
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (const fs::path& file : LogFiles(directory)) {
          if (file.string().ends_with(".gz")) return true;
        }
        return false;
      },
      milliseconds(20000)))
      << agent.Output();
  // Some more rotations, never more than three files.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  size_t most = 0;
  while (std::chrono::steady_clock::now() < until) {
    most = std::max(most, LogFiles(directory).size());
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_LE(most, 3u);

  // Between two rotations (not in the middle of one, when the live log is
  // briefly missing or a rotation and its compressed copy both exist).
  // What the rotations hold is read at once: the next rotation removes the
  // older one.
  std::vector<fs::path> files;
  uintmax_t rotated_size = 0;
  uintmax_t compressed_size = 0;
  std::string unpacked;
  ASSERT_TRUE(WaitUntil(
      [&] {
        files = LogFiles(directory);
        if (files.size() != 3 || files[0] != live || !files[1].string().ends_with(".gz") ||
            files[2].string().ends_with(".gz")) {
          return false;
        }
        std::error_code ec;
        rotated_size = fs::file_size(files[2], ec);
        compressed_size = fs::file_size(files[1], ec);
        unpacked = Gunzip(files[1]);
        return !ec && !unpacked.empty();
      },
      milliseconds(5000)))
      << ::testing::PrintToString(files);
  // 0.log, 0.log.<time>.gz, 0.log.<time>.
  EXPECT_EQ(files[0], live);
  EXPECT_TRUE(
      std::regex_match(files[1].filename().string(), std::regex(R"(0\.log\.\d{8}-\d{6}\.gz)")))
      << files[1];
  EXPECT_TRUE(std::regex_match(files[2].filename().string(), std::regex(R"(0\.log\.\d{8}-\d{6})")))
      << files[2];
  // Rotated near the size: at 1 MiB/s a 200 ms check lets it grow a
  // little past it, and a rotation that would reuse the previous one's
  // second-resolution name waits up to a second more.
  EXPECT_GE(rotated_size, 1u << 20);
  EXPECT_LT(rotated_size, 3u << 20);
  EXPECT_GE(unpacked.size(), 1u << 20);
  EXPECT_LT(compressed_size, unpacked.size() / 10);
  EXPECT_TRUE(AllCriLines(unpacked, "the compressed rotation"));
  EXPECT_TRUE(AllCriLines(ReadFile(live), "the live log"));

  // The status file shows the disk.
  ASSERT_TRUE(
      WaitUntil([&] { return Report().disk_usage().container_log_bytes() > 0; }, kShortTimeout));
  const v1::DiskUsage disk = Report().disk_usage();
  EXPECT_LT(disk.container_log_bytes(), 6u << 20);
  EXPECT_GT(disk.image_fs_capacity_bytes(), 0u);
  EXPECT_GT(disk.image_fs_used_bytes(), 0u);
  const CommandResult status =
      RunCommand({BuiltProgram("agent/fleetset-agent"), "status", "--root-dir", agent.root_dir()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, ::testing::ContainsRegex("Disk: +image filesystem [0-9.]+[KMGT]i of "
                                                   "[0-9.]+[KMGT]i used \\([0-9]+%\\), "
                                                   "container logs [0-9.]+[KMG]i"));
}

TEST_F(AgentE2ETest, ARemovedPodTakesItsLogDirectoryWithIt) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("short.yaml",
                      DaemonSetManifest("short", BusyboxPodSpec("echo hello; sleep 3600")));
  const std::optional<v1::Pod> pod = WaitForReadyPod("short");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  const fs::path pod_directory = fs::path(LogPath(*pod, "main")).parent_path().parent_path();
  ASSERT_TRUE(
      WaitUntil([&] { return ReadCriLog(LogPath(*pod, "main")) == "hello"; }, kShortTimeout));

  agent.RemoveManifest("short.yaml");
  ASSERT_TRUE(WaitForPodGone(pod->metadata().uid())) << Report().DebugString();
  EXPECT_TRUE(WaitUntil([&] { return !fs::exists(pod_directory); }, kShortTimeout))
      << pod_directory;
}

TEST_F(AgentE2ETest, AnAgentRestartedAfterACrashRemovesOnlyItsStaleLogDirectories) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("kept.yaml",
                      DaemonSetManifest("kept", BusyboxPodSpec("echo kept; sleep 3600")));
  agent.WriteManifest("lost.yaml",
                      DaemonSetManifest("lost", BusyboxPodSpec("echo lost; sleep 3600")));
  const std::optional<v1::Pod> kept = WaitForReadyPod("kept");
  const std::optional<v1::Pod> lost = WaitForReadyPod("lost");
  ASSERT_TRUE(kept.has_value() && lost.has_value()) << Report().DebugString();
  const fs::path kept_directory = fs::path(LogPath(*kept, "main")).parent_path().parent_path();
  const fs::path lost_directory = fs::path(LogPath(*lost, "main")).parent_path().parent_path();
  ASSERT_TRUE(fs::exists(lost_directory));
  // Another manager's pod (a kubelet's) logging to the same root.
  const fs::path foreign = fs::path(agent.log_root()) / "kube-system_kube-proxy-x1_uid-foreign";
  fs::create_directories(foreign / "kube-proxy");
  std::ofstream(foreign / "kube-proxy/0.log") << "foreign\n";

  ASSERT_TRUE(agent.Signal(SIGKILL));
  ASSERT_EQ(agent.Wait(milliseconds(5000)), 128 + SIGKILL);
  // While the agent is down its pod "lost" goes: its manifest and, as if
  // the agent had died half-way through removing it, its sandbox.
  agent.RemoveManifest("lost.yaml");
  for (const cri::PodSandbox& sandbox : cri_->SandboxesOf(lost->metadata().uid())) {
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(sandbox.id());
    cri::StopPodSandboxResponse stopped;
    ASSERT_TRUE(cri_->runtime().StopPodSandbox(stop, &stopped).ok());
    cri::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(sandbox.id());
    cri::RemovePodSandboxResponse removed;
    ASSERT_TRUE(cri_->runtime().RemovePodSandbox(remove, &removed).ok());
  }
  ASSERT_TRUE(fs::exists(lost_directory));
  fs::remove(agent.root_dir() + "/status.json");
  ASSERT_TRUE(agent.Restart());

  ASSERT_TRUE(WaitForReadyPod("kept").has_value()) << Report().DebugString() << agent.Output();
  EXPECT_FALSE(fs::exists(lost_directory));
  EXPECT_EQ(ReadCriLog(LogPath(*kept, "main")), "kept");
  EXPECT_TRUE(fs::exists(kept_directory));
  EXPECT_TRUE(fs::exists(foreign / "kube-proxy/0.log"));
}

TEST_F(AgentE2ETest, ImageGarbageCollectionRemovesTheImageARollingUpdateLeftUnused) {
  AgentOptions options;
  // Off while the pod moves from one image to the other.
  options.config = "imageGCHighThresholdPercent: 100\n";
  AgentProcess& agent = StartAgent(options);
  const std::string spec =
      "terminationGracePeriodSeconds: 1\n"
      "containers:\n"
      "  - name: main\n"
      "    image: IMAGE\n"
      "    imagePullPolicy: IfNotPresent\n"
      "    command: ['sh', '-c', 'sleep 3600']\n";
  auto with_image = [&](const std::string& image) {
    return DaemonSetManifest("moving", std::regex_replace(spec, std::regex("IMAGE"), image));
  };
  agent.WriteManifest("moving.yaml", with_image(kTestImage));
  const std::optional<v1::Pod> first = WaitForReadyPod("moving");
  ASSERT_TRUE(first.has_value()) << Report().DebugString();
  agent.WriteManifest("moving.yaml", with_image(kOtherTestImage));
  ASSERT_TRUE(WaitForPodGone(first->metadata().uid())) << Report().DebugString();
  ASSERT_TRUE(WaitForReadyPod("moving").has_value()) << Report().DebugString();

  auto present = [&](const std::string& image) {
    cri::ImageStatusRequest request;
    request.mutable_image()->set_image(image);
    cri::ImageStatusResponse response;
    EXPECT_TRUE(cri_->runtime().ImageStatus(request, &response).ok());
    return !response.image().id().empty();
  };
  ASSERT_TRUE(present(kTestImage));
  // Now any use of the image filesystem is too much, and no image is too
  // young. An agent collects images when it starts (then every five
  // minutes): restart it with those settings.
  agent.WriteConfig(
      "imageGCHighThresholdPercent: 1\nimageGCLowThresholdPercent: 0\nimageMinimumGCAge: 0s\n");
  ASSERT_TRUE(agent.Signal(SIGTERM));
  ASSERT_EQ(agent.Wait(milliseconds(10000)), 0);
  ASSERT_TRUE(agent.Restart());

  EXPECT_TRUE(WaitUntil([&] { return !present(kTestImage); }, kShortTimeout)) << agent.Output();
  EXPECT_TRUE(present(kOtherTestImage));
  EXPECT_TRUE(present(kPauseImage));
  const std::optional<v1::Pod> running = WaitForReadyPod("moving");
  ASSERT_TRUE(running.has_value()) << Report().DebugString();
  EXPECT_EQ(FindContainer(*running, "main")->restart_count(), 0);
}

}  // namespace
}  // namespace fleetset::testing
