// The coordinator's metrics and health: store commits timed and their
// failures reported by /healthz, control loop passes, and the fleet's
// families read at scrape time.
#include "coordinator/coordinator_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "coordinator/coordinator_config.h"
#include "coordinator/server.h"
#include "coordinator/storage/forwarding_storage.h"
#include "coordinator/storage/memory_storage.h"
#include "fleetset/clock.h"
#include "support/http_get.h"

namespace fleetset::coordinator {
namespace {

using ::testing::HasSubstr;

// Commits fail while *fail is set; otherwise a real (in-memory) store.
class ScriptedStore final : public storage::ForwardingStorage {
 public:
  explicit ScriptedStore(bool* fail)
      : ForwardingStorage(storage::OpenMemoryStorage()), fail_(fail) {}
  void CommitAsync(storage::Transaction transaction,
                   std::function<void(const storage::TransactionResult&)> done) override {
    if (!*fail_) return ForwardingStorage::CommitAsync(std::move(transaction), std::move(done));
    storage::TransactionResult failed;
    failed.error = "disk I/O error";
    done(failed);
  }

 private:
  bool* fail_;
};

storage::Transaction OnePut() {
  storage::Transaction transaction;
  transaction.operations.push_back(storage::Operation::Put("/k", "v"));
  return transaction;
}

TEST(CoordinatorMetricsTest, StoreFailuresMakeItUnhealthyUntilACommitWorks) {
  CoordinatorMetrics metrics;
  bool fail = false;
  std::unique_ptr<storage::Storage> store =
      metrics.Instrument(std::make_unique<ScriptedStore>(&fail));
  EXPECT_TRUE(metrics.Health().healthy);
  EXPECT_TRUE(store->Commit(OnePut()).committed());
  fail = true;
  EXPECT_FALSE(store->Commit(OnePut()).committed());
  HealthResult health = metrics.Health();
  EXPECT_FALSE(health.healthy);
  EXPECT_EQ(health.reason, "the last store commit failed: disk I/O error");
  fail = false;
  EXPECT_TRUE(store->Commit(OnePut()).committed());
  EXPECT_TRUE(metrics.Health().healthy);
  EXPECT_THAT(metrics.metrics().Render(),
              HasSubstr("fleetset_coordinator_store_commit_duration_seconds_count 3\n"));
}

TEST(CoordinatorMetricsTest, PassesAreTimed) {
  CoordinatorMetrics metrics;
  metrics.PassDone(std::chrono::milliseconds(3));
  metrics.PassDone(std::chrono::milliseconds(200));
  const std::string text = metrics.metrics().Render();
  EXPECT_THAT(
      text, HasSubstr("fleetset_coordinator_sync_pass_duration_seconds_bucket{le=\"0.005\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("fleetset_coordinator_sync_pass_duration_seconds_bucket{le=\"0.25\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleetset_coordinator_sync_pass_duration_seconds_count 2\n"));
  EXPECT_TRUE(metrics.Health().healthy);
}

TEST(CoordinatorMetricsTest, FleetFamiliesOfAnEmptyFleet) {
  std::string data_dir = ::testing::TempDir() + "coordinator-metrics-XXXXXX";
  ASSERT_NE(mkdtemp(data_dir.data()), nullptr);
  {
    RealClock clock;
    ServerOptions options;
    options.listen = "";
    options.data_dir = data_dir;
    options.metrics_listen = "127.0.0.1:0";
    options.manual_passes = true;
    std::string error;
    std::unique_ptr<CoordinatorServer> server = CoordinatorServer::Start(options, clock, &error);
    ASSERT_NE(server, nullptr) << error;
    const std::string text = fleetset::testing::HttpGet(server->metrics_port(), "/metrics").body;
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_connected_agents 0\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_nodes{condition=\"NotReady\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_nodes{condition=\"Ready\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE fleetset_coordinator_daemonset_updated gauge\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_agent_send_queue 0\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_agent_report_queue 0\n"));
  }
  std::filesystem::remove_all(data_dir);
}

TEST(CoordinatorMetricsTest, MetricsListenSetting) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(CoordinatorConfig{}.metrics_listen, "127.0.0.1:7401");
  CoordinatorCommandLine parsed =
      ParseCoordinatorCommandLine({"--metrics-listen", "127.0.0.1:9400"}, out, err);
  EXPECT_FALSE(parsed.exit) << err.str();
  EXPECT_EQ(parsed.config.metrics_listen, "127.0.0.1:9400");
  parsed = ParseCoordinatorCommandLine({"--metrics-listen", ""}, out, err);
  EXPECT_FALSE(parsed.exit) << err.str();
  EXPECT_EQ(parsed.config.metrics_listen, "");
  parsed = ParseCoordinatorCommandLine({"--metrics-listen", "nowhere"}, out, err);
  EXPECT_TRUE(parsed.exit);
  EXPECT_EQ(parsed.exit_code, kExitConfig);
  EXPECT_THAT(err.str(), HasSubstr("--metrics-listen: \"nowhere\": must be HOST:PORT"));
}

}  // namespace
}  // namespace fleetset::coordinator
