#include "daemon/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <ctime>
#include <string>

namespace fleetset {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// The families of `text` without the process metrics, which vary.
std::string WithoutProcessMetrics(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start + 1);
    if (line.find("process_") == std::string::npos) out += line;
    start = end + 1;
  }
  return out;
}

TEST(MetricsTest, RendersCountersGaugesAndHistogramsSortedByName) {
  Metrics metrics;
  auto& requests = prometheus::BuildCounter()
                       .Name("test_requests_total")
                       .Help("Requests served.")
                       .Register(metrics.registry());
  requests.Add({{"method", "get"}}).Increment(3);
  requests.Add({{"method", "delete"}}).Increment();
  prometheus::BuildGauge()
      .Name("test_temperature")
      .Help("A gauge.")
      .Register(metrics.registry())
      .Add({})
      .Set(-1.5);
  auto& latency = prometheus::BuildHistogram()
                      .Name("test_latency_seconds")
                      .Help("A histogram.")
                      .Register(metrics.registry())
                      .Add({}, prometheus::Histogram::BucketBoundaries{0.125, 1});
  latency.Observe(0.0625);
  latency.Observe(0.125);  // upper bounds are inclusive
  latency.Observe(0.5);
  latency.Observe(7);

  EXPECT_EQ(WithoutProcessMetrics(metrics.Render()),
            "# HELP test_latency_seconds A histogram.\n"
            "# TYPE test_latency_seconds histogram\n"
            "test_latency_seconds_bucket{le=\"0.125\"} 2\n"
            "test_latency_seconds_bucket{le=\"1\"} 3\n"
            "test_latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "test_latency_seconds_sum 7.6875\n"
            "test_latency_seconds_count 4\n"
            "# HELP test_requests_total Requests served.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{method=\"delete\"} 1\n"
            "test_requests_total{method=\"get\"} 3\n"
            "# HELP test_temperature A gauge.\n"
            "# TYPE test_temperature gauge\n"
            "test_temperature -1.5\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics metrics;
  prometheus::BuildGauge()
      .Name("test_escaped")
      .Help("Back\\slash and\nnewline, \"quotes\" kept.")
      .Register(metrics.registry())
      .Add({{"path", "C:\\dir\n\"x\""}})
      .Set(1);
  EXPECT_EQ(WithoutProcessMetrics(metrics.Render()),
            "# HELP test_escaped Back\\\\slash and\\nnewline, \"quotes\" kept.\n"
            "# TYPE test_escaped gauge\n"
            "test_escaped{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST(MetricsTest, CallbackGaugesAreReadAtEveryScrape) {
  Metrics metrics;
  int agents = 2;
  metrics.AddCallbackGauge("test_agents", "Connected agents.", [&] { return agents; });
  metrics.AddCallbackGaugeFamily("test_nodes", "Nodes by condition.", [&] {
    return std::vector<Metrics::Sample>{{{{"condition", "Ready"}}, static_cast<double>(agents)},
                                        {{{"condition", "NotReady"}}, 0.0}};
  });
  const std::string expected_start =
      "# HELP test_agents Connected agents.\n"
      "# TYPE test_agents gauge\n"
      "test_agents 2\n"
      "# HELP test_nodes Nodes by condition.\n"
      "# TYPE test_nodes gauge\n"
      "test_nodes{condition=\"NotReady\"} 0\n"
      "test_nodes{condition=\"Ready\"} 2\n";
  EXPECT_EQ(WithoutProcessMetrics(metrics.Render()), expected_start);
  agents = 5;
  EXPECT_THAT(metrics.Render(), HasSubstr("test_agents 5\n"));
  EXPECT_THAT(metrics.Render(), HasSubstr("test_nodes{condition=\"Ready\"} 5\n"));
}

TEST(MetricsTest, ValuesReadBackExactly) {
  Metrics metrics;
  auto& gauges =
      prometheus::BuildGauge().Name("test_value").Help("Values.").Register(metrics.registry());
  gauges.Add({{"v", "small"}}).Set(1.25e-7);
  gauges.Add({{"v", "large"}}).Set(4294967297.0);
  gauges.Add({{"v", "zero"}}).Set(0);
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("test_value{v=\"small\"} 1.25e-07\n"));
  EXPECT_THAT(text, HasSubstr("test_value{v=\"large\"} 4294967297\n"));
  EXPECT_THAT(text, HasSubstr("test_value{v=\"zero\"} 0\n"));
}

TEST(MetricsTest, ProcessMetricsArePresentAndSane) {
  Metrics metrics;
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_resident_memory_bytes [1-9][0-9]+\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_virtual_memory_bytes [1-9][0-9]+\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_open_fds [1-9][0-9]*\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_max_fds [1-9][0-9]*\n"));
  // Started after 2020 and not in the future.
  bool found = false;
  for (const prometheus::MetricFamily& family : CollectProcessMetrics()) {
    if (family.name != "process_start_time_seconds") continue;
    found = true;
    ASSERT_EQ(family.metric.size(), 1u);
    EXPECT_GT(family.metric[0].gauge.value, 1577836800.0);
    EXPECT_LE(family.metric[0].gauge.value, static_cast<double>(std::time(nullptr)) + 1);
  }
  EXPECT_TRUE(found);
}

TEST(MetricsTest, TwoRendersOfTheSameValuesAreIdentical) {
  Metrics metrics;
  auto& family =
      prometheus::BuildCounter().Name("test_total").Help("Many.").Register(metrics.registry());
  for (int i = 0; i < 50; ++i) family.Add({{"n", std::to_string(i)}}).Increment(i);
  EXPECT_EQ(WithoutProcessMetrics(metrics.Render()), WithoutProcessMetrics(metrics.Render()));
  const std::string text = metrics.Render();
  EXPECT_LT(text.find("test_total{n=\"0\"}"), text.find("test_total{n=\"1\"}"));
  EXPECT_LT(text.find("test_total{n=\"1\"}"), text.find("test_total{n=\"10\"}"));
}

}  // namespace
}  // namespace fleetset
