// fleetsetctl given several coordinators, run in process against real gRPC
// servers on loopback: one with nothing listening, one that takes the
// connection and never answers (as a stopped process does), and fakes that
// answer. The command lands on a live one quickly, a write that may have
// been applied is not sent twice, and when none answers one line names
// them all.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "ctl/app.h"
#include "support/coordinator_client.h"
#include "support/held_port.h"

namespace fleetset::ctl {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// Nothing listens on port 1: connections are refused at once.
constexpr char kRefused[] = "127.0.0.1:1";

// A coordinator with one DaemonSet, counting the calls it gets; with
// `delay`, it takes that long over each of them.
class CountingCoordinator final : public v1::OperatorService::Service {
 public:
  std::atomic<int> deletes = 0;
  std::atomic<int> lists = 0;
  std::atomic<int> gets = 0;
  std::chrono::milliseconds delay{0};

  grpc::Status DeleteDaemonSet(grpc::ServerContext*, const v1::DeleteDaemonSetRequest*,
                               v1::DeleteResponse*) override {
    ++deletes;
    std::this_thread::sleep_for(delay);
    return grpc::Status::OK;
  }

  grpc::Status ListDaemonSets(grpc::ServerContext*, const v1::ListDaemonSetsRequest*,
                              v1::ListDaemonSetsResponse* response) override {
    ++lists;
    std::this_thread::sleep_for(delay);
    *response->add_items() = FluentD();
    return grpc::Status::OK;
  }

  grpc::Status GetDaemonSet(grpc::ServerContext*, const v1::GetDaemonSetRequest* request,
                            v1::DaemonSet* response) override {
    ++gets;
    std::this_thread::sleep_for(delay);
    *response = FluentD();
    response->mutable_metadata()->set_name(request->key().name());
    return grpc::Status::OK;
  }

  grpc::Status CreateToken(grpc::ServerContext*, const v1::CreateTokenRequest*,
                           v1::CreateTokenResponse* response) override {
    response->set_token("abcdef.0123456789abcdef");
    response->set_ca_cert_hash("sha256:00");
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext*, const v1::WatchRequest*,
                     grpc::ServerWriter<v1::WatchEvent>* writer) override {
    v1::WatchEvent event;
    event.set_type("MODIFIED");
    *event.mutable_daemon_set() = FluentD();
    event.mutable_daemon_set()->mutable_status()->set_number_ready(2);
    writer->Write(event);
    return grpc::Status::OK;
  }

 private:
  static v1::DaemonSet FluentD() {
    v1::DaemonSet daemon_set;
    daemon_set.mutable_metadata()->set_name("fluentd");
    daemon_set.mutable_metadata()->set_namespace_("default");
    daemon_set.mutable_status()->set_desired_number_scheduled(2);
    return daemon_set;
  }
};

struct Result {
  int code;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed;
};

class CtlFailoverTest : public ::testing::Test {
 protected:
  CtlFailoverTest()
      : tls_(testing::MakeTestTls({"admin", {"admin"}})),
        // One file per process: ctest runs the tests of this binary in
        // parallel processes, each with its own CA.
        config_(::testing::TempDir() + "ctl-failover-config-" + std::to_string(getpid()) + ".yaml",
                kRefused, tls_.client) {}

  void SetUp() override { ASSERT_NE(paused_.port(), 0); }

  void TearDown() override {
    for (auto& server : servers_) server->Shutdown();
  }

  // Starts `coordinator` on a loopback port and returns its address.
  std::string Serve(CountingCoordinator& coordinator) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", tls_.ServerCredentials(), &port);
    builder.RegisterService(&coordinator);
    servers_.push_back(builder.BuildAndStart());
    EXPECT_NE(servers_.back(), nullptr);
    return "127.0.0.1:" + std::to_string(port);
  }

  // A coordinator that takes 2.5s over each call, then one that answers at
  // once: with a shorter request timeout, a call sent to the first gets no
  // answer after it may have been acted on.
  std::string SlowThenPrompt() {
    slow_.delay = std::chrono::milliseconds(2500);
    slow_address_ = Serve(slow_);
    return slow_address_ + "," + Serve(prompt_);
  }

  // Takes connections into its backlog and never reads them: a coordinator
  // whose process is stopped.
  std::string Paused() const { return "127.0.0.1:" + std::to_string(paused_.port()); }

  static Result Ctl(const std::vector<std::string>& args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    Io io{in, out, err};
    const auto start = Clock::now();
    const int code = RunCtl(args, io);
    return {code, out.str(), err.str(),
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
  }

  testing::TestTls tls_;
  testing::ScopedClientConfig config_;
  testing::HeldPort paused_;
  CountingCoordinator slow_;
  std::string slow_address_;
  CountingCoordinator prompt_;
  std::vector<std::unique_ptr<grpc::Server>> servers_;
};

TEST_F(CtlFailoverTest, PassesOverADeadAndAStoppedCoordinatorWithoutWaitingTheRequestTimeout) {
  CountingCoordinator live;
  const std::string servers = std::string(kRefused) + "," + Paused() + "," + Serve(live);
  const Result result = Ctl({"-s", servers, "--request-timeout", "30s", "get", "ds"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("fluentd"));
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(live.lists, 1);
  EXPECT_LT(result.elapsed, std::chrono::seconds(10));
}

TEST_F(CtlFailoverTest, TheCoordinatorThatAnsweredTakesTheRestOfTheCommand) {
  CountingCoordinator live;
  // Three calls; only the first waits for the stopped coordinator.
  const Result result = Ctl(
      {"-s", Paused() + "," + Serve(live), "--request-timeout", "3s", "get", "ds", "a", "b", "c"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(live.gets, 3);
  EXPECT_LT(result.elapsed, std::chrono::seconds(6));
}

TEST_F(CtlFailoverTest, TheListMayComeFromTheEnvironment) {
  CountingCoordinator live;
  setenv("FLEETSET_SERVER", (std::string(kRefused) + "," + Serve(live)).c_str(), 1);
  const Result result = Ctl({"delete", "ds", "fluentd"});
  unsetenv("FLEETSET_SERVER");
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "daemonset.apps \"fluentd\" deleted\n");
  EXPECT_EQ(live.deletes, 1);
}

TEST_F(CtlFailoverTest, AWriteThatMayHaveBeenAppliedIsNotSentAgain) {
  const Result result =
      Ctl({"-s", SlowThenPrompt(), "--request-timeout", "1s", "delete", "ds", "a"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "error: the coordinator at " + slow_address_ +
                            " did not answer within 1s (--request-timeout)\n");
  EXPECT_EQ(slow_.deletes, 1);
  EXPECT_EQ(prompt_.deletes, 0);
}

TEST_F(CtlFailoverTest, AReadThatGotNoAnswerIsAskedOfTheNext) {
  const Result result = Ctl({"-s", SlowThenPrompt(), "--request-timeout", "1s", "get", "ds"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("fluentd"));
  EXPECT_EQ(slow_.lists, 1);
  EXPECT_EQ(prompt_.lists, 1);
}

TEST_F(CtlFailoverTest, AWatchStartsOnALiveCoordinator) {
  CountingCoordinator live;
  const Result result = Ctl({"-s", std::string(kRefused) + "," + Serve(live), "get", "ds", "-w"});
  EXPECT_EQ(result.code, 0) << result.err;
  // The listing, then the change the watch brought.
  EXPECT_THAT(result.out, HasSubstr("fluentd   2         0         0"));
  EXPECT_THAT(result.out, HasSubstr("\nfluentd   2   0   2   0   0   <none>   "));
}

TEST_F(CtlFailoverTest, TheJoinCommandGivesTheAgentEveryCoordinator) {
  CountingCoordinator live;
  const std::string servers = std::string(kRefused) + "," + Serve(live);
  const Result result = Ctl({"-s", servers, "token", "create", "--print-join-command"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "fleetset-agent --coordinator " + servers +
                            " --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash "
                            "sha256:00\n");
}

TEST_F(CtlFailoverTest, WhenNoneAnswersOneLineNamesThemAll) {
  const Result result = Ctl({"-s", std::string(kRefused) + "," + Paused(), "--request-timeout",
                             "2s", "delete", "ds", "a", "b"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "error: cannot reach any coordinator (127.0.0.1:1: connection refused; " +
                            Paused() + ": no answer within 2s)\n");
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace fleetset::ctl
