// The agent's coordinator link against a fake coordinator served in this
// process on 127.0.0.1: what the agent says, what reaches it, and how it
// finds its way back after failures. The link's callbacks run on an
// io_context of the test's own, as they run on the agent's.
#include "agent/coordinator_link.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "fleetset/v1/agent_service.grpc.pb.h"
#include "fleetset/version.h"
#include "support/held_port.h"

namespace fleetset::testing {
namespace {

using agent::CoordinatorLink;
using agent::CoordinatorLinkCallbacks;
using agent::CoordinatorLinkOptions;
using namespace std::chrono_literals;

constexpr auto kPatience = 10s;

// Waits until `done` holds (checked every few milliseconds) or kPatience
// passes; the result says which.
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// Records what agents send; sends what the test tells it to.
class FakeCoordinator final : public v1::AgentService::Service {
 public:
  grpc::Status Connect(
      grpc::ServerContext* /*context*/,
      grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream) override {
    grpc::Status reject;
    {
      std::lock_guard lock(mutex_);
      reject = reject_;
      if (reject.ok()) stream_ = stream;
    }
    v1::AgentMessage message;
    while (stream->Read(&message)) {
      std::lock_guard lock(mutex_);
      received_.push_back(message);
      if (!reject.ok()) return reject;
    }
    std::lock_guard lock(mutex_);
    // A newer stream may have taken its place already.
    if (stream_ == stream) stream_ = nullptr;
    return grpc::Status::OK;
  }

  // Refuse every agent after its first message.
  void RejectWith(grpc::Status status) {
    std::lock_guard lock(mutex_);
    reject_ = std::move(status);
  }

  bool Send(const v1::CoordinatorMessage& message) {
    // Under the lock, so the stream cannot end while it is written to.
    std::lock_guard lock(mutex_);
    return stream_ != nullptr && stream_->Write(message);
  }
  bool StreamOpen() {
    std::lock_guard lock(mutex_);
    return stream_ != nullptr;
  }
  std::vector<v1::AgentMessage> Received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<v1::Hello> Hellos() {
    std::vector<v1::Hello> hellos;
    for (const v1::AgentMessage& message : Received()) {
      if (message.has_hello()) hellos.push_back(message.hello());
    }
    return hellos;
  }
  int Count(bool (v1::AgentMessage::*has)() const) {
    int count = 0;
    for (const v1::AgentMessage& message : Received()) count += (message.*has)() ? 1 : 0;
    return count;
  }
  // The newest status report received, if any.
  std::optional<v1::StatusReport> LastStatus() {
    const std::vector<v1::AgentMessage> received = Received();
    for (auto it = received.rbegin(); it != received.rend(); ++it) {
      if (it->has_status()) return it->status();
    }
    return std::nullopt;
  }

 private:
  grpc::Status reject_ = grpc::Status::OK;
  std::mutex mutex_;
  grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream_ = nullptr;
  std::vector<v1::AgentMessage> received_;
};

// A fake coordinator served on 127.0.0.1 (a free port, or a given one to
// come back on).
class CoordinatorServer {
 public:
  explicit CoordinatorServer(int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~CoordinatorServer() { Shutdown(); }

  void Shutdown() {
    if (!server_) return;
    // Cancels open streams at once rather than waiting for them to end.
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    server_.reset();
  }

  bool started() const { return server_ != nullptr && port_ != 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  FakeCoordinator& service() { return service_; }

 private:
  FakeCoordinator service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

v1::DesiredDaemonSet DaemonSet(const std::string& name) {
  v1::DesiredDaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_namespace_("kube-system");
  daemon_set.mutable_metadata()->set_name(name);
  daemon_set.set_revision_hash("rev1");
  return daemon_set;
}

v1::CoordinatorMessage Snapshot(uint64_t version, const std::vector<std::string>& names) {
  v1::CoordinatorMessage message;
  message.mutable_snapshot()->set_version(version);
  for (const std::string& name : names)
    *message.mutable_snapshot()->add_daemon_sets() = DaemonSet(name);
  return message;
}

v1::CoordinatorMessage Delta(uint64_t base_version, uint64_t version, const std::string& upsert) {
  v1::CoordinatorMessage message;
  message.mutable_delta()->set_base_version(base_version);
  message.mutable_delta()->set_version(version);
  *message.mutable_delta()->add_upserts() = DaemonSet(upsert);
  return message;
}

class CoordinatorLinkTest : public ::testing::Test {
 protected:
  CoordinatorLinkTest() : io_thread_([this] { io_.run(); }) {}
  ~CoordinatorLinkTest() override {
    if (link_) link_->Stop();
    guard_.reset();
    io_.stop();
    io_thread_.join();
  }

  CoordinatorLinkOptions Options(std::vector<std::string> coordinators) {
    CoordinatorLinkOptions options;
    options.coordinators = std::move(coordinators);
    options.heartbeat_interval = 10s;
    options.initial_backoff = 20ms;
    options.max_backoff = 200ms;
    // The fake coordinator speaks plaintext: what these tests cover is the
    // stream, not TLS (the fleet tests run the link over mutual TLS).
    options.credentials = [this](const std::string&) {
      ++credential_requests_;
      return grpc::InsecureChannelCredentials();
    };
    return options;
  }

  void StartLink(CoordinatorLinkOptions options) {
    CoordinatorLinkCallbacks callbacks;
    callbacks.make_hello = [] {
      v1::Hello hello;
      hello.set_node_name("node-a");
      (*hello.mutable_labels())["zone"] = "a";
      v1::Taint* taint = hello.add_taints();
      taint->set_key("maintenance");
      taint->set_effect("NoSchedule");
      return hello;
    };
    callbacks.current_status = [this] {
      v1::StatusReport report;
      report.set_node_name("node-a");
      // The report's generation, so the test can tell reports apart.
      report.set_desired_version(status_generation_);
      return report;
    };
    callbacks.held_state = [this] {
      std::lock_guard lock(mutex_);
      return held_;
    };
    callbacks.apply = [this](const v1::DesiredState& state, bool first_on_stream) {
      std::lock_guard lock(mutex_);
      applied_.push_back(state);
      first_on_stream_.push_back(first_on_stream);
      held_ = state;
    };
    link_ = std::make_unique<CoordinatorLink>(io_, std::move(options), std::move(callbacks));
    link_->Start();
  }

  std::vector<v1::DesiredState> Applied() {
    std::lock_guard lock(mutex_);
    return applied_;
  }

  // For each applied state: whether it was the first of its stream.
  std::vector<bool> FirstOnStream() {
    std::lock_guard lock(mutex_);
    return first_on_stream_;
  }

  // Runs `task` on the io_context, as the agent calls the link.
  void OnIo(std::function<void()> task) { boost::asio::post(io_, std::move(task)); }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_{
      boost::asio::make_work_guard(io_)};
  std::thread io_thread_;
  std::mutex mutex_;
  std::vector<v1::DesiredState> applied_;
  std::vector<bool> first_on_stream_;
  std::optional<v1::DesiredState> held_;
  std::atomic<uint64_t> status_generation_{0};
  std::unique_ptr<CoordinatorLink> link_;
  std::atomic<int> credential_requests_ = 0;
};

TEST_F(CoordinatorLinkTest, HelloComesFirstWithTheNodeAndProtocolVersion) {
  CoordinatorServer server;
  ASSERT_TRUE(server.started());
  held_ = Snapshot(7, {"fluentd"}).snapshot();
  status_generation_ = 3;
  StartLink(Options({server.address()}));
  ASSERT_TRUE(Eventually([&] { return !server.service().Received().empty(); }));
  const v1::AgentMessage first = server.service().Received().front();
  ASSERT_TRUE(first.has_hello());
  const v1::Hello& hello = first.hello();
  EXPECT_EQ(hello.protocol_version(), kProtocolVersion);
  EXPECT_EQ(hello.node_name(), "node-a");
  EXPECT_EQ(hello.labels().at("zone"), "a");
  ASSERT_EQ(hello.taints_size(), 1);
  EXPECT_EQ(hello.taints(0).key(), "maintenance");
  EXPECT_EQ(hello.desired_version(), 7u);
  EXPECT_EQ(hello.status().desired_version(), 3u);
  EXPECT_EQ(hello.status().coordinator(), server.address());
  EXPECT_TRUE(hello.status().has_time());
  ASSERT_TRUE(Eventually([&] { return link_->connected(); }));
  EXPECT_EQ(link_->coordinator(), server.address());
}

TEST_F(CoordinatorLinkTest, SnapshotThenDeltaReachTheAgentAsFullStates) {
  CoordinatorServer server;
  StartLink(Options({server.address()}));
  ASSERT_TRUE(Eventually([&] { return server.service().StreamOpen(); }));
  ASSERT_TRUE(server.service().Send(Snapshot(1, {"fluentd"})));
  ASSERT_TRUE(Eventually([&] { return Applied().size() == 1; }));
  EXPECT_EQ(Applied()[0].version(), 1u);

  ASSERT_TRUE(server.service().Send(Delta(1, 2, "exporter")));
  ASSERT_TRUE(Eventually([&] { return Applied().size() == 2; }));
  const v1::DesiredState merged = Applied()[1];
  EXPECT_EQ(merged.version(), 2u);
  ASSERT_EQ(merged.daemon_sets_size(), 2);
  EXPECT_EQ(merged.daemon_sets(0).metadata().name(), "fluentd");
  EXPECT_EQ(merged.daemon_sets(1).metadata().name(), "exporter");
  EXPECT_EQ(FirstOnStream(), (std::vector<bool>{true, false}));
}

TEST_F(CoordinatorLinkTest, DeltaAfterHelloAppliesToTheHeldState) {
  held_ = Snapshot(4, {"fluentd"}).snapshot();
  CoordinatorServer server;
  StartLink(Options({server.address()}));
  ASSERT_TRUE(Eventually([&] { return server.service().StreamOpen(); }));
  ASSERT_TRUE(server.service().Send(Delta(4, 5, "exporter")));
  ASSERT_TRUE(Eventually([&] { return Applied().size() == 1; }));
  EXPECT_EQ(Applied()[0].daemon_sets_size(), 2);
}

TEST_F(CoordinatorLinkTest, DeltaOnAnotherBaseReconnectsForASnapshot) {
  held_ = Snapshot(4, {"fluentd"}).snapshot();
  CoordinatorServer server;
  StartLink(Options({server.address()}));
  ASSERT_TRUE(Eventually([&] { return server.service().StreamOpen(); }));
  ASSERT_TRUE(server.service().Send(Delta(3, 5, "exporter")));
  ASSERT_TRUE(Eventually([&] { return server.service().Hellos().size() == 2; }));
  // Announcing nothing held asks for a snapshot.
  EXPECT_EQ(server.service().Hellos()[0].desired_version(), 4u);
  EXPECT_EQ(server.service().Hellos()[1].desired_version(), 0u);
  EXPECT_TRUE(Applied().empty());
  ASSERT_TRUE(Eventually([&] { return server.service().Send(Snapshot(5, {"fluentd", "x"})); }));
  ASSERT_TRUE(Eventually([&] { return Applied().size() == 1; }));
  EXPECT_EQ(Applied()[0].version(), 5u);
}

TEST_F(CoordinatorLinkTest, StatusChangesAreSentCoalescedAndHeartbeatsArrive) {
  CoordinatorServer server;
  CoordinatorLinkOptions options = Options({server.address()});
  options.heartbeat_interval = 30ms;
  StartLink(options);
  FakeCoordinator& coordinator = server.service();
  ASSERT_TRUE(Eventually([&] { return coordinator.Count(&v1::AgentMessage::has_heartbeat) >= 3; }));
  EXPECT_TRUE(coordinator.Received().front().has_hello());

  // A burst of changes: the newest arrives, without one message per change.
  constexpr uint64_t kChanges = 100;
  OnIo([&] {
    for (uint64_t generation = 1; generation <= kChanges; ++generation) {
      status_generation_ = generation;
      link_->StatusChanged();
    }
  });
  ASSERT_TRUE(Eventually([&] {
    const std::optional<v1::StatusReport> last = coordinator.LastStatus();
    return last && last->desired_version() == kChanges;
  }));
  const int statuses = coordinator.Count(&v1::AgentMessage::has_status);
  EXPECT_GE(statuses, 1);
  EXPECT_LT(statuses, static_cast<int>(kChanges));
  for (const v1::AgentMessage& message : coordinator.Received()) {
    if (message.has_status()) {
      EXPECT_EQ(message.status().coordinator(), server.address());
    }
    if (message.has_heartbeat()) {
      EXPECT_TRUE(message.heartbeat().has_time());
    }
  }
}

TEST_F(CoordinatorLinkTest, ReconnectsWhenTheCoordinatorComesBack) {
  auto server = std::make_unique<CoordinatorServer>();
  const int port = server->port();
  StartLink(Options({server->address()}));
  ASSERT_TRUE(Eventually([&] { return link_->connected(); }));
  server->Shutdown();
  ASSERT_TRUE(Eventually([&] { return !link_->connected(); }));
  EXPECT_EQ(link_->coordinator(), "");

  server = std::make_unique<CoordinatorServer>(port);
  ASSERT_TRUE(server->started());
  ASSERT_TRUE(Eventually([&] { return server->service().Hellos().size() == 1; }));
  ASSERT_TRUE(Eventually([&] { return link_->connected(); }));
  EXPECT_EQ(link_->coordinator(), server->address());
}

TEST_F(CoordinatorLinkTest, FirstStateOfEachStreamIsMarkedSoAnOlderVersionIsFollowed) {
  auto server = std::make_unique<CoordinatorServer>();
  const int port = server->port();
  StartLink(Options({server->address()}));
  ASSERT_TRUE(Eventually([&] { return server->service().StreamOpen(); }));
  ASSERT_TRUE(server->service().Send(Snapshot(9, {"fluentd"})));
  ASSERT_TRUE(server->service().Send(Delta(9, 10, "exporter")));
  ASSERT_TRUE(Eventually([&] { return Applied().size() == 2; }));
  server->Shutdown();
  ASSERT_TRUE(Eventually([&] { return !link_->connected(); }));

  // A coordinator restored from a backup numbers its states lower.
  server = std::make_unique<CoordinatorServer>(port);
  ASSERT_TRUE(Eventually(
      [&] { return server->service().StreamOpen() && server->service().Hellos().size() == 1; }));
  EXPECT_EQ(server->service().Hellos()[0].desired_version(), 10u);
  ASSERT_TRUE(server->service().Send(Snapshot(3, {"fluentd"})));
  ASSERT_TRUE(Eventually([&] { return Applied().size() == 3; }));
  EXPECT_EQ(Applied()[2].version(), 3u);
  EXPECT_EQ(FirstOnStream(), (std::vector<bool>{true, false, true}));
}

TEST_F(CoordinatorLinkTest, MovesOnToTheNextCoordinatorWhenOneIsDown) {
  // A port nothing listens on: the server is gone before the link starts.
  std::string dead;
  {
    CoordinatorServer gone;
    dead = gone.address();
  }
  CoordinatorServer server;
  StartLink(Options({dead, server.address()}));
  ASSERT_TRUE(Eventually([&] { return server.service().Hellos().size() == 1; }));
  ASSERT_TRUE(Eventually([&] { return link_->connected(); }));
  EXPECT_EQ(link_->coordinator(), server.address());
}

TEST_F(CoordinatorLinkTest, RefusedAgentRetriesWithTheLongestBackoff) {
  CoordinatorServer server;
  server.service().RejectWith(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "unknown protocol version"));
  CoordinatorLinkOptions options = Options({server.address()});
  options.max_backoff = 400ms;
  StartLink(options);
  ASSERT_TRUE(Eventually([&] { return server.service().Hellos().size() == 1; }));
  const auto first = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return server.service().Hellos().size() == 2; }));
  // Full jitter in the upper half of the longest wait, never a quick retry.
  EXPECT_GE(std::chrono::steady_clock::now() - first, options.max_backoff / 2);
}

TEST_F(CoordinatorLinkTest, WithoutCredentialsNothingIsDialledAndTheLinkBacksOffAsFromARefusal) {
  CoordinatorServer server;
  CoordinatorLinkOptions options = Options({server.address()});
  options.max_backoff = 400ms;
  std::atomic<int> asked = 0;
  std::atomic<std::chrono::steady_clock::time_point> first_ask{};
  std::atomic<std::chrono::steady_clock::time_point> second_ask{};
  options.credentials = [&](const std::string&) -> std::shared_ptr<grpc::ChannelCredentials> {
    const int attempt = ++asked;
    if (attempt == 1) first_ask = std::chrono::steady_clock::now();
    if (attempt == 2) second_ask = std::chrono::steady_clock::now();
    throw std::runtime_error("the coordinator's CA does not match the pin");
  };
  StartLink(options);
  ASSERT_TRUE(Eventually([&] { return asked >= 2; }));
  EXPECT_TRUE(server.service().Hellos().empty());
  EXPECT_FALSE(link_->connected());
  EXPECT_GE(second_ask.load() - first_ask.load(), options.max_backoff / 2);
}

TEST_F(CoordinatorLinkTest, ReconnectOpensAFreshStreamToTheSameCoordinatorAtOnce) {
  CoordinatorServer server;
  CoordinatorServer other;
  CoordinatorLinkOptions options = Options({server.address(), other.address()});
  // Long enough that a reconnect through the back-off would be noticed.
  options.initial_backoff = 10s;
  options.max_backoff = 10s;
  StartLink(options);
  // The first Hello has reached the coordinator, not only left the agent.
  ASSERT_TRUE(Eventually([&] { return server.service().Hellos().size() == 1; }));
  link_->Reconnect();
  ASSERT_TRUE(Eventually([&] { return server.service().Hellos().size() == 2; }));
  EXPECT_TRUE(other.service().Hellos().empty());
  ASSERT_TRUE(Eventually([&] { return link_->connected(); }));
  EXPECT_EQ(link_->coordinator(), server.address());
  // New credentials for each stream: the renewed certificate is used.
  EXPECT_EQ(credential_requests_, 2);
}

TEST_F(CoordinatorLinkTest, ReconnectWhileTheHelloWaitsStaysWithTheCoordinatorAtOnce) {
  // Accepts the connection and never answers: the Hello waits for the
  // transport, as it does when a certificate is renewed just as a stream
  // opens. Cancelling that stream is no failure of the coordinator.
  HeldPort silent;
  ASSERT_GT(silent.port(), 0);
  const std::string silent_address = "127.0.0.1:" + std::to_string(silent.port());
  CoordinatorServer other;
  CoordinatorLinkOptions options = Options({silent_address, other.address()});
  options.initial_backoff = 10s;
  options.max_backoff = 10s;
  std::mutex mutex;
  std::vector<std::string> asked;
  options.credentials = [&](const std::string& address) {
    std::lock_guard lock(mutex);
    asked.push_back(address);
    return grpc::InsecureChannelCredentials();
  };
  auto asked_for = [&] {
    std::lock_guard lock(mutex);
    return asked;
  };
  StartLink(options);
  ASSERT_TRUE(Eventually([&] { return asked_for().size() == 1; }));
  // Until the stream being opened is cancelled and the next one starts.
  ASSERT_TRUE(Eventually([&] {
    link_->Reconnect();
    return asked_for().size() >= 2;
  }));
  EXPECT_EQ(asked_for()[1], silent_address);
  EXPECT_TRUE(other.service().Hellos().empty());
  // Before `asked` goes: the link's thread asks for credentials into it.
  link_->Stop();
}

TEST_F(CoordinatorLinkTest, StopsPromptlyWhileRetrying) {
  CoordinatorLinkOptions options = Options({"127.0.0.1:1"});
  options.initial_backoff = 10s;
  options.max_backoff = 10s;
  StartLink(options);
  const auto start = std::chrono::steady_clock::now();
  link_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(LinkKeepaliveTest, WithSeveralCoordinatorsAStoppedOneIsLeftWellInsideTheNodeGracePeriod) {
  const auto node_grace_period = 40s;  // the coordinator's default
  const agent::LinkKeepalive several = agent::KeepaliveFor(3);
  EXPECT_LE(several.interval + several.timeout, node_grace_period / 2);
  EXPECT_GE(several.timeout, 10s) << "a busy coordinator needs time to answer";
  const agent::LinkKeepalive alone = agent::KeepaliveFor(1);
  EXPECT_GT(alone.interval, several.interval) << "with nowhere to go, pings are rarer";
}

}  // namespace
}  // namespace fleetset::testing
