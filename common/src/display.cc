#include "fleetset/display.h"

#include <algorithm>

namespace fleetset {

std::string FormatAge(std::chrono::seconds age) {
  const long long s = age.count();
  if (s < 0) return "<invalid>";
  auto join = [](long long big, const char* big_unit, long long small, const char* small_unit) {
    std::string text = std::to_string(big) + big_unit;
    if (small != 0) text += std::to_string(small) + small_unit;
    return text;
  };
  const long long minutes = s / 60;
  const long long hours = s / 3600;
  const long long days = s / 86400;
  const long long years = days / 365;
  if (s < 120) return std::to_string(s) + "s";
  if (minutes < 10) return join(minutes, "m", s % 60, "s");
  if (minutes < 180) return std::to_string(minutes) + "m";
  if (hours < 8) return join(hours, "h", minutes % 60, "m");
  if (hours < 48) return std::to_string(hours) + "h";
  if (days < 8) return join(days, "d", hours % 24, "h");
  if (days < 730) return std::to_string(days) + "d";
  if (years < 8) return join(years, "y", days % 365, "d");
  return std::to_string(years) + "y";
}

std::string PodReadyColumn(const v1::Pod& pod) {
  const auto& statuses = pod.status().container_statuses();
  const auto ready = std::count_if(statuses.begin(), statuses.end(),
                                   [](const v1::ContainerStatus& c) { return c.ready(); });
  return std::to_string(ready) + "/" + std::to_string(statuses.size());
}

std::string PodStatusColumn(const v1::Pod& pod) {
  if (pod.status().reason() == "Terminating") return "Terminating";
  const auto& init = pod.status().init_container_statuses();
  for (int i = 0; i < init.size(); ++i) {
    const v1::ContainerState& state = init[i].state();
    if (state.has_terminated() && state.terminated().exit_code() == 0) continue;
    if (state.has_waiting() && !state.waiting().reason().empty() &&
        state.waiting().reason() != "PodInitializing" &&
        state.waiting().reason() != "ContainerCreating") {
      return "Init:" + state.waiting().reason();
    }
    if (state.has_terminated()) {
      return "Init:" + (state.terminated().reason().empty() ? std::string("Error")
                                                            : state.terminated().reason());
    }
    return "Init:" + std::to_string(i) + "/" + std::to_string(init.size());
  }
  std::string status = pod.status().phase().empty() ? "Pending" : pod.status().phase();
  if (!pod.status().reason().empty() && pod.status().reason() != "PodSandboxError") {
    status = pod.status().reason();
  }
  // As kubectl: the last container that is not running names the status.
  for (const v1::ContainerStatus& container : pod.status().container_statuses()) {
    if (container.state().has_waiting() && !container.state().waiting().reason().empty()) {
      status = container.state().waiting().reason();
    } else if (container.state().has_terminated()) {
      const auto& terminated = container.state().terminated();
      status =
          !terminated.reason().empty()
              ? terminated.reason()
              : (terminated.signal() != 0 ? "Signal:" + std::to_string(terminated.signal())
                                          : "ExitCode:" + std::to_string(terminated.exit_code()));
    }
  }
  return status;
}

int PodRestarts(const v1::Pod& pod) {
  int restarts = 0;
  for (const v1::ContainerStatus& container : pod.status().container_statuses()) {
    restarts += container.restart_count();
  }
  return restarts;
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << line << "\n";
  }
}

}  // namespace fleetset
