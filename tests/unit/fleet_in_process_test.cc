// A whole fleet in one process: the real coordinator (gRPC server, SQLite
// store, control loop) and real agents (link, reconciler, pod workers), the
// agents on a fake CRI runtime. Covers what only the pieces together show:
// agents reconnecting, a coordinator restart losing nothing, nodes leaving
// and coming back.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "agent/agent.h"
#include "coordinator/server.h"
#include "daemon/systemd_notifier.h"
#include "fakes/fake_cri_runtime.h"
#include "fleetset/manifest.h"
#include "fleetset/v1/agent_service.grpc.pb.h"
#include "fleetset/v1/operator_service.grpc.pb.h"
#include "support/coordinator_client.h"
#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kTimeout = 30s;

bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = kTimeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

// A real agent on a fake runtime, serving on its own thread. The runtime
// outlives the agent, as a node's containerd outlives an agent restart.
class InProcessAgent {
 public:
  InProcessAgent(const std::string& name, const std::string& root, const std::string& coordinator,
                 const JoinToken& join, std::shared_ptr<FakeCriRuntime> runtime) {
    agent::AgentInvocation invocation;
    agent::AgentConfig& config = invocation.config;
    config.hostname_override = name;
    config.root_dir = root + "/" + name;
    config.pod_log_root = root + "/" + name + "/logs";
    config.static_pod_path = "";
    config.coordinators = {coordinator};
    config.sync_frequency = 100ms;
    config.node_status_update_frequency = 200ms;
    config.host.hostname = name;
    config.metrics_bind_address = "";  // many agents, one machine
    config.bootstrap_token = join.token;
    config.discovery_token_ca_cert_hash = join.ca_cert_hash;
    agent_ = std::make_unique<agent::Agent>(std::move(invocation), notifier_, std::move(runtime));
    thread_ = std::thread([this] { agent_->Run(); });
  }
  ~InProcessAgent() {
    agent_->RequestStop();
    thread_.join();
  }

 private:
  RecordingNotifier notifier_;
  std::unique_ptr<agent::Agent> agent_;
  std::thread thread_;
};

// The wall clock of a host whose clock is behind; durations run normally.
class LaggingClock final : public Clock {
 public:
  explicit LaggingClock(std::chrono::seconds lag) : lag_(lag) {}
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now() - lag_;
  }

 private:
  std::chrono::seconds lag_;
};

class FleetInProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fleet-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    StartCoordinator("127.0.0.1:0");
    address_ = "127.0.0.1:" + std::to_string(server_->port());
    channel_ = ChannelFromClientConfig(server_->admin_config_path());
    operators_ = v1::OperatorService::NewStub(channel_);
    join_ = CreateJoinToken(*operators_);
  }

  void TearDown() override {
    agents_.clear();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartCoordinator(const std::string& listen, const Clock* clock = nullptr) {
    coordinator::ServerOptions options;
    options.listen = listen;
    options.data_dir = dir_ + "/coordinator";
    options.controllers.node_grace_period = 1500ms;
    options.controllers.resync_period = 200ms;
    std::string error;
    server_ = coordinator::CoordinatorServer::Start(options, clock ? *clock : clock_, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  void StartAgent(const std::string& name) {
    auto& runtime = runtimes_[name];
    if (!runtime) runtime = std::make_shared<FakeCriRuntime>(&clock_);
    agents_[name] = std::make_unique<InProcessAgent>(name, dir_, address_, join_, runtime);
  }

  void Apply(const std::string& yaml) {
    std::vector<LoadedDaemonSet> loaded = LoadDaemonSets(yaml, "test.yaml");
    ASSERT_EQ(loaded.size(), 1u);
    v1::ApplyDaemonSetRequest request;
    *request.mutable_daemon_set() = loaded[0].daemon_set;
    v1::ApplyDaemonSetResponse response;
    grpc::ClientContext context;
    grpc::Status status = operators_->ApplyDaemonSet(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // `kubectl set image ds/NAME main=IMAGE`; the DaemonSet as stored after.
  v1::DaemonSet SetImage(const std::string& name, const std::string& image) {
    v1::SetImageRequest request;
    request.mutable_key()->set_name(name);
    (*request.mutable_images())["main"] = image;
    v1::ApplyDaemonSetResponse response;
    grpc::ClientContext context;
    const grpc::Status status = operators_->SetImage(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.daemon_set();
  }

  v1::DaemonSet Get(const std::string& name) {
    v1::GetDaemonSetRequest request;
    request.mutable_key()->set_name(name);
    v1::DaemonSet daemon_set;
    grpc::ClientContext context;
    grpc::Status status = operators_->GetDaemonSet(&context, request, &daemon_set);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return daemon_set;
  }

  bool Available(const std::string& name, int count) {
    const v1::DaemonSetStatus status = Get(name).status();
    return status.desired_number_scheduled() == count && status.number_available() == count &&
           status.updated_number_scheduled() == count;
  }

  // Asks the coordinator, which computes it afresh (the status in
  // GetDaemonSet may be a pass behind a change just made).
  bool RolloutDone(const std::string& name) {
    v1::RolloutStatusRequest request;
    request.mutable_key()->set_name(name);
    v1::RolloutStatusResponse progress;
    grpc::ClientContext context;
    return operators_->RolloutStatus(&context, request, &progress).ok() && progress.done();
  }

  google::protobuf::RepeatedPtrField<v1::Pod> AllPods() {
    v1::ListPodsRequest request;
    request.set_all_namespaces(true);
    v1::ListPodsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(operators_->ListPods(&context, request, &response).ok());
    return std::move(*response.mutable_items());
  }

  std::map<std::string, std::string> PodsByNode() {
    std::map<std::string, std::string> pods;
    for (const v1::Pod& pod : AllPods()) pods[pod.node_name()] = pod.metadata().name();
    return pods;
  }

  // "APP IMAGE" for every container the agents report.
  std::multiset<std::string> PodImages() {
    std::multiset<std::string> images;
    for (const v1::Pod& pod : AllPods()) {
      for (const auto& container : pod.status().container_statuses()) {
        images.insert(pod.metadata().labels().at("app") + " " + container.image());
      }
    }
    return images;
  }

  std::string NodeReady(const std::string& name) {
    v1::GetNodeRequest request;
    request.set_name(name);
    v1::Node node;
    grpc::ClientContext context;
    if (!operators_->GetNode(&context, request, &node).ok()) return "absent";
    for (const auto& condition : node.status().conditions()) {
      if (condition.type() == "Ready") return condition.status();
    }
    return "none";
  }

  RealClock clock_;
  // For a coordinator on a host whose clock is a day behind; outlives it.
  LaggingClock day_behind_{std::chrono::hours(24)};
  std::string dir_;
  std::string address_;
  std::unique_ptr<coordinator::CoordinatorServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OperatorService::Stub> operators_;
  JoinToken join_;
  std::map<std::string, std::shared_ptr<FakeCriRuntime>> runtimes_;
  std::map<std::string, std::unique_ptr<InProcessAgent>> agents_;
};

TEST_F(FleetInProcessTest, CoordinatorRestartLosesNothingAndAgentsReconnect) {
  for (const char* name : {"node-a", "node-b", "node-c"}) StartAgent(name);
  Apply(DaemonSetYaml("logs", "docker.io/fleetset/busybox:test"));
  ASSERT_TRUE(WaitUntil([&] { return Available("logs", 3); })) << Get("logs").DebugString();
  const v1::DaemonSet before = Get("logs");
  const auto pods_before = PodsByNode();
  ASSERT_EQ(pods_before.size(), 3u);

  // The coordinator goes away; the agents keep their pods running.
  server_.reset();
  std::this_thread::sleep_for(500ms);
  StartCoordinator(address_);
  ASSERT_TRUE(WaitUntil([&] { return PodsByNode().size() == 3 && Available("logs", 3); }))
      << Get("logs").DebugString();
  const v1::DaemonSet after = Get("logs");
  EXPECT_EQ(after.metadata().uid(), before.metadata().uid());
  EXPECT_EQ(after.metadata().generation(), before.metadata().generation());
  // The same pods: nothing was restarted while the coordinator was away.
  EXPECT_EQ(PodsByNode(), pods_before);
  for (const char* name : {"node-a", "node-b", "node-c"}) EXPECT_EQ(NodeReady(name), "True");
}

TEST_F(FleetInProcessTest, CoordinatorRestoredFromAnOlderBackupIsFollowedByTheAgents) {
  for (const char* name : {"node-a", "node-b"}) StartAgent(name);
  Apply(DaemonSetYaml("logs", "docker.io/fleetset/busybox:test"));
  ASSERT_TRUE(WaitUntil([&] { return Available("logs", 2); })) << Get("logs").DebugString();

  // The backup: a copy of the database of a stopped coordinator.
  const std::filesystem::path database = dir_ + "/coordinator/fleetset.db";
  const std::filesystem::path backup = dir_ + "/backup.db";
  server_.reset();
  ASSERT_FALSE(std::filesystem::exists(database.string() + "-wal"));
  std::filesystem::copy_file(database, backup);

  // Life goes on: a new image, a new DaemonSet.
  StartCoordinator(address_);
  Apply(DaemonSetYaml("logs", "docker.io/fleetset/busybox:v2"));
  Apply(DaemonSetYaml("extra", "docker.io/fleetset/busybox:test"));
  const std::multiset<std::string> later = {
      "extra docker.io/fleetset/busybox:test", "extra docker.io/fleetset/busybox:test",
      "logs docker.io/fleetset/busybox:v2", "logs docker.io/fleetset/busybox:v2"};
  ASSERT_TRUE(WaitUntil([&] { return PodImages() == later && RolloutDone("logs"); }))
      << Get("logs").DebugString();

  // Restored on a host whose clock is a day behind, so the restored
  // coordinator numbers its states below the ones the agents hold.
  server_.reset();
  std::filesystem::remove(database.string() + "-wal");
  std::filesystem::remove(database.string() + "-shm");
  std::filesystem::copy_file(backup, database, std::filesystem::copy_options::overwrite_existing);
  StartCoordinator(address_, &day_behind_);
  const std::multiset<std::string> restored = {"logs docker.io/fleetset/busybox:test",
                                               "logs docker.io/fleetset/busybox:test"};
  ASSERT_TRUE(WaitUntil([&] { return PodImages() == restored && Available("logs", 2); }))
      << ::testing::PrintToString(PodImages());
}

TEST_F(FleetInProcessTest, NodeThatLeavesIsNotReadyAndComesBackWithItsPod) {
  for (const char* name : {"node-a", "node-b"}) StartAgent(name);
  Apply(DaemonSetYaml("logs", "docker.io/fleetset/busybox:test"));
  ASSERT_TRUE(WaitUntil([&] { return Available("logs", 2); }));
  const std::string pod_b = PodsByNode().at("node-b");

  agents_.erase("node-b");
  ASSERT_TRUE(WaitUntil([&] { return NodeReady("node-b") == "Unknown"; }));
  // The DaemonSet controller counts it on its next pass.
  EXPECT_TRUE(WaitUntil([&] { return Get("logs").status().number_available() == 1; }));

  // The agent restarts on the same root dir: it adopts its pod.
  StartAgent("node-b");
  ASSERT_TRUE(WaitUntil([&] { return NodeReady("node-b") == "True" && Available("logs", 2); }));
  EXPECT_EQ(PodsByNode().at("node-b"), pod_b);
}

TEST_F(FleetInProcessTest, NodeJoiningLaterGetsThePodAndARollingUpdateReachesEveryone) {
  StartAgent("node-a");
  Apply(DaemonSetYaml("logs", "docker.io/fleetset/busybox:test"));
  ASSERT_TRUE(WaitUntil([&] { return Available("logs", 1); }));
  StartAgent("node-b");
  StartAgent("node-c");
  ASSERT_TRUE(WaitUntil([&] { return Available("logs", 3); }));

  EXPECT_EQ(SetImage("logs", "docker.io/fleetset/busybox:v2").metadata().generation(), 2);
  ASSERT_TRUE(WaitUntil([&] { return RolloutDone("logs"); }));
  EXPECT_TRUE(Available("logs", 3));
}

TEST_F(FleetInProcessTest, RollingUpdateAcrossTwentyAgentsMovesOneNodeAtATimeInNameOrder) {
  std::vector<std::string> nodes;
  for (int i = 0; i < 20; ++i) {
    char name[16];
    snprintf(name, sizeof name, "node-%02d", i);
    nodes.push_back(name);
    StartAgent(name);
  }
  Apply(DaemonSetYaml("logs", "docker.io/fleetset/busybox:test"));
  ASSERT_TRUE(WaitUntil([&] { return Available("logs", 20); }, 60s)) << Get("logs").DebugString();

  SetImage("logs", "docker.io/fleetset/busybox:v2");
  ASSERT_TRUE(WaitUntil([&] { return RolloutDone("logs"); }, 90s)) << Get("logs").DebugString();

  // With maxUnavailable 1 the nodes move one at a time, in name order: the
  // new pods became Ready in that order. (The DaemonSet's events say so
  // too, but no more than the spam filter's burst of them is kept.)
  std::vector<std::pair<google::protobuf::Timestamp, std::string>> ready;
  for (const v1::Pod& pod : AllPods()) {
    for (const v1::PodCondition& condition : pod.status().conditions()) {
      if (condition.type() == "Ready")
        ready.emplace_back(condition.last_transition_time(), pod.node_name());
    }
  }
  std::sort(ready.begin(), ready.end());
  std::vector<std::string> order;
  for (const auto& [time, node] : ready) order.push_back(node);
  EXPECT_EQ(order, nodes);
}

TEST_F(FleetInProcessTest, HugeMalformedAndOutOfOrderRequestsAreRefusedAndServingGoesOn) {
  // Over the 16 MiB limit: refused before it reaches the fleet.
  v1::ApplyDaemonSetRequest huge;
  (*huge.mutable_daemon_set()->mutable_metadata()->mutable_annotations())["big"] =
      std::string(17 * 1024 * 1024, 'x');
  v1::ApplyDaemonSetResponse response;
  grpc::ClientContext huge_context;
  EXPECT_EQ(operators_->ApplyDaemonSet(&huge_context, huge, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Bytes that are no protobuf message at all.
  grpc::GenericStub generic(channel_);
  grpc::ClientContext garbage_context;
  const std::string garbage = "\xff\xff\xff\xff\x0f not a message";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  std::mutex mu;
  std::condition_variable done_cv;
  std::optional<grpc::Status> garbage_status;
  generic.UnaryCall(&garbage_context, "/fleetset.v1.OperatorService/ApplyDaemonSet", {}, &request,
                    &reply, [&](grpc::Status status) {
                      std::lock_guard lock(mu);
                      garbage_status = status;
                      done_cv.notify_all();
                    });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(done_cv.wait_for(lock, kTimeout, [&] { return garbage_status.has_value(); }));
  }
  EXPECT_FALSE(garbage_status->ok());

  // An agent stream that does not start with hello is ended with the reason.
  const ClientIdentity node_x =
      IssueFromCa(dir_ + "/coordinator/pki", {"system:node:node-x", {"system:nodes"}},
                  std::chrono::system_clock::now(), std::chrono::hours(1));
  auto agents = v1::AgentService::NewStub(ChannelAs(node_x, address_));
  grpc::ClientContext stream_context;
  auto stream = agents->Connect(&stream_context);
  v1::AgentMessage status_first;
  status_first.mutable_status()->set_node_name("node-x");
  ASSERT_TRUE(stream->Write(status_first));
  v1::CoordinatorMessage ignored;
  EXPECT_FALSE(stream->Read(&ignored));
  grpc::Status ended = stream->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ended.error_message(), "the first message must be hello");

  // Nothing was stored and the coordinator still answers.
  v1::ListDaemonSetsRequest list;
  list.set_all_namespaces(true);
  v1::ListDaemonSetsResponse listed;
  grpc::ClientContext list_context;
  ASSERT_TRUE(operators_->ListDaemonSets(&list_context, list, &listed).ok());
  EXPECT_EQ(listed.items_size(), 0);
  v1::ListNodesResponse nodes;
  grpc::ClientContext nodes_context;
  ASSERT_TRUE(operators_->ListNodes(&nodes_context, v1::ListNodesRequest(), &nodes).ok());
  EXPECT_EQ(nodes.items_size(), 0);
}

}  // namespace
}  // namespace fleetset::testing
