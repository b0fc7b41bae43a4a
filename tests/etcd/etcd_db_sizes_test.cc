// etcd's members' database sizes for the coordinator's metrics, from a real
// cluster: every member that answers is shown with its own size, one that
// does not is left out rather than shown with an old figure, and the
// gauges name each member by its URL.
#include "coordinator/storage/etcd_db_sizes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/coordinator_metrics.h"
#include "etcd/etcd_cluster.h"
#include "support/http_get.h"

namespace fleetset::testing {
namespace {

using storage::EtcdClient;
using storage::EtcdDbSizes;
using storage::EtcdMemberDbSize;
using ::testing::HasSubstr;
using ::testing::Not;

class EtcdDbSizesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ETCD();
    cluster_ = &SharedEtcdCluster();
    ASSERT_TRUE(cluster_->ok()) << cluster_->error();
  }

  EtcdCluster* cluster_ = nullptr;
};

TEST_F(EtcdDbSizesTest, EveryMemberAnswersWithItsOwnSize) {
  EtcdClient client(cluster_->ClientOptions());
  EtcdDbSizes sizes(client);
  EXPECT_TRUE(sizes.Latest().empty());

  EXPECT_EQ(sizes.Poll(), cluster_->endpoints().size());
  const std::vector<EtcdMemberDbSize> latest = sizes.Latest();
  ASSERT_EQ(latest.size(), cluster_->endpoints().size());
  for (size_t i = 0; i < latest.size(); ++i) {
    EXPECT_EQ(latest[i].endpoint, cluster_->endpoints()[i]);
    // A fresh bbolt file is already some pages; what is in use is part of it.
    EXPECT_GT(latest[i].total_bytes, 0) << latest[i].endpoint;
    EXPECT_GT(latest[i].in_use_bytes, 0) << latest[i].endpoint;
    EXPECT_LE(latest[i].in_use_bytes, latest[i].total_bytes) << latest[i].endpoint;
  }
}

TEST_F(EtcdDbSizesTest, AMemberThatDoesNotAnswerIsLeftOut) {
  storage::EtcdClientOptions options = cluster_->ClientOptions();
  // Port 1 on loopback: nothing listens there, the connection is refused.
  const std::string gone =
      options.servers.front().substr(0, options.servers.front().find("://")) + "://127.0.0.1:1";
  options.servers.insert(options.servers.begin(), gone);
  EtcdClient client(options);
  EtcdDbSizes sizes(client);

  EXPECT_EQ(sizes.Poll(), cluster_->endpoints().size());
  const std::vector<EtcdMemberDbSize> latest = sizes.Latest();
  ASSERT_EQ(latest.size(), cluster_->endpoints().size());
  for (const EtcdMemberDbSize& member : latest) EXPECT_NE(member.endpoint, gone);
}

TEST_F(EtcdDbSizesTest, TheMetricsShowEachMembersSizes) {
  EtcdClient client(cluster_->ClientOptions());
  EtcdDbSizes sizes(client);
  coordinator::CoordinatorMetrics metrics;
  metrics.WatchEtcdDbSizes(sizes);
  // Before the first poll the families have no samples.
  EXPECT_THAT(metrics.metrics().Render(),
              Not(HasSubstr("fleetset_coordinator_etcd_db_total_size_in_bytes{")));

  ASSERT_EQ(sizes.Poll(), cluster_->endpoints().size());
  const std::string text = metrics.metrics().Render();
  for (const EtcdMemberDbSize& member : sizes.Latest()) {
    const std::string labels = "{endpoint=\"" + member.endpoint + "\"}";
    EXPECT_EQ(SampleValue(text, "fleetset_coordinator_etcd_db_total_size_in_bytes" + labels),
              static_cast<double>(member.total_bytes));
    EXPECT_EQ(SampleValue(text, "fleetset_coordinator_etcd_db_total_size_in_use_in_bytes" + labels),
              static_cast<double>(member.in_use_bytes));
  }
  EXPECT_THAT(text, HasSubstr("# TYPE fleetset_coordinator_etcd_db_total_size_in_bytes gauge"));
}

}  // namespace
}  // namespace fleetset::testing
