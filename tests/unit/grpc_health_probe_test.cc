// The gRPC probe against an in-process server of the standard health
// service on 127.0.0.1: SERVING succeeds, and anything else fails with
// kubelet's message. And the prober sends it to the pod's IP.
#include "agent/grpc_health_probe.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>

#include "agent/pod_prober.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "unit/agent_test_util.h"

namespace fleetset::testing {
namespace {

namespace health = ::grpc::health::v1;
using ServingStatus = health::HealthCheckResponse::ServingStatus;

// Each service's status as set; an unknown service is NOT_FOUND, as in
// gRPC's own health service.
class ScriptedHealth final : public health::Health::Service {
 public:
  explicit ScriptedHealth(std::map<std::string, ServingStatus> statuses)
      : statuses_(std::move(statuses)) {}

  grpc::Status Check(grpc::ServerContext*, const health::HealthCheckRequest* request,
                     health::HealthCheckResponse* response) override {
    auto it = statuses_.find(request->service());
    if (it == statuses_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    response->set_status(it->second);
    return grpc::Status::OK;
  }

 private:
  const std::map<std::string, ServingStatus> statuses_;
};

class GrpcHealthProbeTest : public ::testing::Test {
 protected:
  GrpcHealthProbeTest()
      : health_({{"", health::HealthCheckResponse::SERVING},
                 {"db", health::HealthCheckResponse::NOT_SERVING}}) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
  }

  agent::ProbeOutcome Probe(const std::string& service) {
    return agent::GrpcHealthProbe("127.0.0.1", port_, service, std::chrono::seconds(1));
  }

  ScriptedHealth health_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(GrpcHealthProbeTest, ServingSucceeds) {
  const agent::ProbeOutcome outcome = Probe("");
  EXPECT_TRUE(outcome.success) << outcome.message;
}

TEST_F(GrpcHealthProbeTest, NotServingFailsWithTheStatus) {
  const agent::ProbeOutcome outcome = Probe("db");
  EXPECT_FALSE(outcome.success);
  EXPECT_EQ(outcome.message, "service unhealthy (responded with \"NOT_SERVING\")");
}

TEST_F(GrpcHealthProbeTest, UnknownServiceFailsWithTheServersError) {
  const agent::ProbeOutcome outcome = Probe("cache");
  EXPECT_FALSE(outcome.success);
  EXPECT_EQ(outcome.message, "error: health rpc probe failed: unknown service");
}

TEST_F(GrpcHealthProbeTest, NothingListeningFailsAtTheTimeout) {
  server_->Shutdown();
  server_->Wait();
  const agent::ProbeOutcome outcome = Probe("");
  EXPECT_FALSE(outcome.success);
  EXPECT_EQ(outcome.message, "timeout: failed to connect service \"127.0.0.1:" +
                                 std::to_string(port_) + "\" within 1s: context deadline exceeded");
}

TEST(GrpcProbeTargetTest, TheProberChecksTheServiceAtThePodIp) {
  ScriptedProbes executor;
  FakeClock clock;
  const agent::PodProber prober(executor, clock);
  v1::PodSpec spec = MakeTemplate().spec();
  v1::Probe* probe = spec.mutable_containers(0)->mutable_readiness_probe();
  probe->mutable_grpc()->set_port(9090);
  probe->mutable_grpc()->set_service("db");
  probe->set_timeout_seconds(3);
  probe->set_period_seconds(10);
  probe->set_success_threshold(1);
  probe->set_failure_threshold(3);
  agent::PodContext context;
  context.host_ip = "192.0.2.10";
  context.pod_ip = "10.88.0.7";
  cri::Container running;
  running.set_id("c1");
  running.mutable_metadata()->set_name("main");
  running.set_state(cri::CONTAINER_RUNNING);
  agent::PodProbes probes;
  prober.Probe(spec, context, {running}, probes);
  EXPECT_THAT(executor.log, ::testing::ElementsAre("grpc 10.88.0.7:9090 db within 3s"));
}

}  // namespace
}  // namespace fleetset::testing
