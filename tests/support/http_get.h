// A minimal HTTP/1.1 GET over 127.0.0.1 for the tests that scrape the
// programs' /metrics and /healthz, and a reader for single samples of the
// Prometheus text format.
#pragma once

#include <optional>
#include <string>

namespace fleetset::testing {

struct HttpResponse {
  // 0 when there was no answer (nothing listening, connection cut).
  int status = 0;
  std::string body;
};

// Sends `request` as is over a fresh connection to 127.0.0.1:port (then,
// with `half_close`, shuts the sending side) and returns all that comes back
// until the server closes or `timeout_seconds` pass without data; empty when
// nothing answers.
std::string HttpExchange(int port, const std::string& request, bool half_close,
                         int timeout_seconds = 10);

HttpResponse HttpGet(int port, const std::string& path);

// The value of the sample written exactly as `series` (a metric name with
// its labels as rendered, e.g. `fleetset_agent_pods{state="ready"}`), or
// nullopt when the text has no such line.
std::optional<double> SampleValue(const std::string& metrics_text, const std::string& series);

}  // namespace fleetset::testing
