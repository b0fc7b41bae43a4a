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
#include "fleetset/clock.h"

namespace fleetset::coordinator {
namespace {

using ::testing::HasSubstr;

class ScriptedStore final : public Store {
 public:
  explicit ScriptedStore(bool* fail) : fail_(fail) {}
  StoreContents Load() override { return {}; }
  void Commit(const StoreChange&) override {
    if (*fail_) throw StoreError("disk I/O error");
  }

 private:
  bool* fail_;
};

TEST(CoordinatorMetricsTest, StoreFailuresMakeItUnhealthyUntilACommitWorks) {
  CoordinatorMetrics metrics;
  bool fail = false;
  std::unique_ptr<Store> store = metrics.Instrument(std::make_unique<ScriptedStore>(&fail));
  EXPECT_TRUE(metrics.Health().healthy);
  store->Commit({});
  fail = true;
  EXPECT_THROW(store->Commit({}), StoreError);
  HealthResult health = metrics.Health();
  EXPECT_FALSE(health.healthy);
  EXPECT_EQ(health.reason, "the last store commit failed: disk I/O error");
  fail = false;
  store->Commit({});
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
    CoordinatorMetrics metrics;
    std::unique_ptr<Store> store = metrics.Instrument(OpenSqliteStore(data_dir));
    RealClock clock;
    Fleet fleet(*store, clock, FleetOptions{});
    AgentServiceImpl agents(fleet);
    metrics.Watch(fleet, agents);
    const std::string text = metrics.metrics().Render();
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_connected_agents 0\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_nodes{condition=\"NotReady\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_nodes{condition=\"Ready\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE fleetset_coordinator_daemonset_updated gauge\n"));
    EXPECT_THAT(text, HasSubstr("fleetset_coordinator_agent_send_queue 0\n"));
  }
  std::filesystem::remove_all(data_dir);
}

TEST(CoordinatorMetricsTest, MetricsListenSetting) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(CoordinatorConfig{}.metrics_listen, "0.0.0.0:7401");
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
