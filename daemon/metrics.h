// Prometheus metrics shared by the agent and the coordinator.
//
// Counters, gauges and histograms (with label sets) are prometheus-cpp's
// (Debian's prometheus-cpp-dev): `registry()` hands out its families, all
// thread-safe. What prometheus-cpp lacks is added here: gauges evaluated at
// scrape time from values owned elsewhere (the number of connected agents),
// the standard process metrics that client libraries export
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), and one
// deterministic rendering in the text exposition format 0.0.4 for the HTTP
// endpoint (daemon/http_endpoint.h) to serve.
#pragma once

#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace fleetset {

// The Content-Type of Render()'s output.
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Bucket bounds in seconds for call and pass durations: 1 ms to 60 s.
prometheus::Histogram::BucketBoundaries LatencyBuckets();

class Metrics {
 public:
  // One sample of a callback gauge family.
  using Sample = std::pair<prometheus::Labels, double>;

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // For prometheus::BuildCounter(), BuildGauge() and BuildHistogram().
  prometheus::Registry& registry() { return *registry_; }

  // A gauge without labels whose value `value` returns at every scrape.
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> value);
  // A gauge family whose samples `samples` returns at every scrape (one per
  // label set). The callbacks run on the scraping thread.
  void AddCallbackGaugeFamily(const std::string& name, const std::string& help,
                              std::function<std::vector<Sample>()> samples);

  // Every family (registry()'s, the callback gauges and the process
  // metrics) sorted by name; within a family, samples sorted by their
  // labels. Two scrapes of the same values render the same text.
  std::vector<prometheus::MetricFamily> Collect() const;
  // Collect() in the text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct CallbackFamily {
    std::string name;
    std::string help;
    std::function<std::vector<Sample>()> samples;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mu_;
  std::vector<CallbackFamily> callbacks_;
};

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds of this process, from /proc/self. A value that
// cannot be read is left out.
std::vector<prometheus::MetricFamily> CollectProcessMetrics();

// Text exposition format 0.0.4 of `families`.
std::string RenderMetricsText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace fleetset
