// The coordinator's etcd settings on the command line: kube-apiserver's
// names and defaults, and values refused with the flag named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/coordinator_config.h"
#include "unit/coordinator_flags_parse.h"

namespace fleetset::coordinator {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(CoordinatorEtcdFlagsTest, CompactionIntervalIsReadAndZeroTurnsItOff) {
  std::string errors;
  EXPECT_EQ(CoordinatorConfig{}.etcd_compaction_interval, 5min);
  CoordinatorCommandLine parsed = ParseFlags(
      {"--etcd-servers", "https://10.0.0.1:2379", "--etcd-compaction-interval", "90s"}, &errors);
  ASSERT_FALSE(parsed.exit) << errors;
  EXPECT_EQ(parsed.config.etcd_compaction_interval, 90s);
  parsed = ParseFlags(
      {"--etcd-servers", "https://10.0.0.1:2379", "--etcd-compaction-interval", "0"}, &errors);
  ASSERT_FALSE(parsed.exit) << errors;
  EXPECT_EQ(parsed.config.etcd_compaction_interval, 0ms);
}

TEST(CoordinatorEtcdFlagsTest, BadCompactionIntervalsNameTheFlag) {
  std::string errors;
  for (const std::string bad : {"500ms", "25h", "5", "-1m", "often"}) {
    EXPECT_TRUE(ParseFlags({"--etcd-compaction-interval", bad}, &errors).exit) << bad;
    EXPECT_THAT(errors, HasSubstr("--etcd-compaction-interval: \"" + bad +
                                  "\": must be 0 (never) or a duration from 1s to 24h"));
  }
}

TEST(CoordinatorEtcdFlagsTest, DbMetricPollIntervalIsReadAndZeroTurnsItOff) {
  std::string errors;
  EXPECT_EQ(CoordinatorConfig{}.etcd_db_metric_poll_interval, 30s);
  CoordinatorCommandLine parsed = ParseFlags({"--etcd-db-metric-poll-interval", "1m"}, &errors);
  ASSERT_FALSE(parsed.exit) << errors;
  EXPECT_EQ(parsed.config.etcd_db_metric_poll_interval, 1min);
  parsed = ParseFlags({"--etcd-db-metric-poll-interval", "0"}, &errors);
  ASSERT_FALSE(parsed.exit) << errors;
  EXPECT_EQ(parsed.config.etcd_db_metric_poll_interval, 0ms);
  for (const std::string bad : {"100ms", "48h", "often"}) {
    EXPECT_TRUE(ParseFlags({"--etcd-db-metric-poll-interval", bad}, &errors).exit) << bad;
    EXPECT_THAT(errors, HasSubstr("--etcd-db-metric-poll-interval: \"" + bad +
                                  "\": must be 0 (never) or a duration from 1s to 24h"));
  }
}

TEST(CoordinatorEtcdFlagsTest, EtcdServersMustBeUrlsAndPrefixesAbsolute) {
  std::string errors;
  CoordinatorCommandLine parsed = ParseFlags(
      {"--etcd-servers", "https://a:2379,http://b:2379", "--etcd-prefix", "/fleet-a"}, &errors);
  ASSERT_FALSE(parsed.exit) << errors;
  EXPECT_EQ(parsed.config.etcd_servers,
            (std::vector<std::string>{"https://a:2379", "http://b:2379"}));
  EXPECT_EQ(parsed.config.etcd_prefix, "/fleet-a");
  EXPECT_TRUE(ParseFlags({"--etcd-servers", "a:2379"}, &errors).exit);
  EXPECT_THAT(errors, HasSubstr("--etcd-servers: \"a:2379\": must be a URL"));
  EXPECT_TRUE(ParseFlags({"--etcd-prefix", "/fleet/"}, &errors).exit);
  EXPECT_THAT(errors, HasSubstr("--etcd-prefix: \"/fleet/\": must start with /"));
}

}  // namespace
}  // namespace fleetset::coordinator
