#include "daemon/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace fleetset {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Shortest text that reads back as the same double; Prometheus' spellings
// for the special values.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc()) return "NaN";
  return std::string(buffer, end);
}

// Label values escape backslash, double quote and line feed; help text
// backslash and line feed only.
void AppendEscaped(std::string& out, const std::string& text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void AppendSample(std::string& out, const std::string& name, const ClientMetric& metric,
                  const char* extra_label, const std::string& extra_value,
                  const std::string& value) {
  out += name;
  if (!metric.label.empty() || extra_label != nullptr) {
    out += '{';
    const char* separator = "";
    for (const ClientMetric::Label& label : metric.label) {
      out += separator;
      out += label.name;
      out += "=\"";
      AppendEscaped(out, label.value, true);
      out += '"';
      separator = ",";
    }
    if (extra_label != nullptr) {
      out += separator;
      out += extra_label;
      out += "=\"";
      AppendEscaped(out, extra_value, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value;
  if (metric.timestamp_ms != 0) out += " " + std::to_string(metric.timestamp_ms);
  out += '\n';
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Untyped:
      break;
  }
  return "untyped";
}

void AppendFamily(std::string& out, const MetricFamily& family) {
  if (!family.help.empty()) {
    out += "# HELP " + family.name + " ";
    AppendEscaped(out, family.help, false);
    out += '\n';
  }
  out += "# TYPE " + family.name + " " + TypeName(family.type) + "\n";
  for (const ClientMetric& metric : family.metric) {
    switch (family.type) {
      case MetricType::Counter:
        AppendSample(out, family.name, metric, nullptr, "", FormatValue(metric.counter.value));
        break;
      case MetricType::Gauge:
        AppendSample(out, family.name, metric, nullptr, "", FormatValue(metric.gauge.value));
        break;
      case MetricType::Untyped:
        AppendSample(out, family.name, metric, nullptr, "", FormatValue(metric.untyped.value));
        break;
      case MetricType::Summary:
        for (const ClientMetric::Quantile& quantile : metric.summary.quantile) {
          AppendSample(out, family.name, metric, "quantile", FormatValue(quantile.quantile),
                       FormatValue(quantile.value));
        }
        AppendSample(out, family.name + "_sum", metric, nullptr, "",
                     FormatValue(metric.summary.sample_sum));
        AppendSample(out, family.name + "_count", metric, nullptr, "",
                     std::to_string(metric.summary.sample_count));
        break;
      case MetricType::Histogram: {
        // prometheus-cpp's buckets are already cumulative and end with +Inf.
        bool has_inf = false;
        for (const ClientMetric::Bucket& bucket : metric.histogram.bucket) {
          has_inf |= std::isinf(bucket.upper_bound);
          AppendSample(out, family.name + "_bucket", metric, "le", FormatValue(bucket.upper_bound),
                       std::to_string(bucket.cumulative_count));
        }
        if (!has_inf) {
          AppendSample(out, family.name + "_bucket", metric, "le", "+Inf",
                       std::to_string(metric.histogram.sample_count));
        }
        AppendSample(out, family.name + "_sum", metric, nullptr, "",
                     FormatValue(metric.histogram.sample_sum));
        AppendSample(out, family.name + "_count", metric, nullptr, "",
                     std::to_string(metric.histogram.sample_count));
        break;
      }
    }
  }
}

MetricFamily GaugeFamily(std::string name, std::string help, double value,
                         MetricType type = MetricType::Gauge) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  ClientMetric& metric = family.metric.emplace_back();
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return family;
}

// Seconds since the epoch at which the machine booted ("btime" in /proc/stat).
std::optional<double> BootTime() {
  std::ifstream stat("/proc/stat");
  std::string key;
  while (stat >> key) {
    if (key == "btime") {
      double seconds = 0;
      if (stat >> seconds) return seconds;
      return std::nullopt;
    }
    stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

std::optional<double> OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  // The directory's own descriptor was open while counting.
  return count - 1;
}

}  // namespace

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

void Metrics::AddCallbackGauge(const std::string& name, const std::string& help,
                               std::function<double()> value) {
  AddCallbackGaugeFamily(name, help, [value = std::move(value)] {
    return std::vector<Sample>{{prometheus::Labels{}, value()}};
  });
}

void Metrics::AddCallbackGaugeFamily(const std::string& name, const std::string& help,
                                     std::function<std::vector<Sample>()> samples) {
  std::lock_guard lock(mu_);
  callbacks_.push_back({name, help, std::move(samples)});
}

std::vector<MetricFamily> Metrics::Collect() const {
  std::vector<MetricFamily> families = registry_->Collect();
  {
    std::lock_guard lock(mu_);
    for (const CallbackFamily& callback : callbacks_) {
      MetricFamily& family = families.emplace_back();
      family.name = callback.name;
      family.help = callback.help;
      family.type = MetricType::Gauge;
      for (const auto& [labels, value] : callback.samples()) {
        ClientMetric& metric = family.metric.emplace_back();
        for (const auto& [label, label_value] : labels)
          metric.label.push_back({label, label_value});
        metric.gauge.value = value;
      }
    }
  }
  for (MetricFamily& family : CollectProcessMetrics()) families.push_back(std::move(family));
  std::stable_sort(families.begin(), families.end(),
                   [](const MetricFamily& a, const MetricFamily& b) { return a.name < b.name; });
  for (MetricFamily& family : families) {
    for (ClientMetric& metric : family.metric) std::sort(metric.label.begin(), metric.label.end());
    std::stable_sort(
        family.metric.begin(), family.metric.end(),
        [](const ClientMetric& a, const ClientMetric& b) { return a.label < b.label; });
  }
  return families;
}

std::string Metrics::Render() const { return RenderMetricsText(Collect()); }

std::string RenderMetricsText(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& family : families) AppendFamily(out, family);
  return out;
}

std::vector<MetricFamily> CollectProcessMetrics() {
  std::vector<MetricFamily> families;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces; the
  // fields after its closing parenthesis start with field 3 (state).
  const size_t close = stat.rfind(')');
  if (close != std::string::npos && ticks > 0) {
    std::istringstream fields(stat.substr(close + 1));
    std::vector<std::string> values;
    std::string field;
    while (fields >> field) values.push_back(field);
    // Field N of proc(5) is values[N - 3].
    auto number = [&](size_t n) { return std::stod(values.at(n - 3)); };
    if (values.size() >= 22) {
      try {
        families.push_back(GaugeFamily("process_cpu_seconds_total",
                                       "Total user and system CPU time spent in seconds.",
                                       (number(14) + number(15)) / ticks, MetricType::Counter));
        families.push_back(GaugeFamily("process_virtual_memory_bytes",
                                       "Virtual memory size in bytes.", number(23)));
        families.push_back(GaugeFamily("process_resident_memory_bytes",
                                       "Resident memory size in bytes.", number(24) * page_size));
        if (std::optional<double> boot = BootTime()) {
          families.push_back(GaugeFamily("process_start_time_seconds",
                                         "Start time of the process since unix epoch in seconds.",
                                         *boot + number(22) / ticks));
        }
      } catch (const std::exception&) {
        // A /proc we cannot read leaves these out.
      }
    }
  }
  if (std::optional<double> open = OpenFds()) {
    families.push_back(GaugeFamily("process_open_fds", "Number of open file descriptors.", *open));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    families.push_back(GaugeFamily("process_max_fds", "Maximum number of open file descriptors.",
                                   static_cast<double>(limit.rlim_cur)));
  }
  return families;
}

}  // namespace fleetset
