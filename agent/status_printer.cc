#include "agent/status_printer.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "agent/agent.h"
#include "fleetset/display.h"

namespace fleetset::agent {
namespace {

using google::protobuf::util::TimeUtil;

std::chrono::seconds Since(const google::protobuf::Timestamp& then,
                           std::chrono::system_clock::time_point now) {
  const auto then_point = std::chrono::system_clock::time_point(
      std::chrono::seconds(TimeUtil::TimestampToSeconds(then)));
  return std::chrono::duration_cast<std::chrono::seconds>(now - then_point);
}

// "Disk:" line: what housekeeping last measured; absent before it has.
void PrintDiskUsage(const v1::DiskUsage& disk, std::ostream& out) {
  if (disk.image_fs_capacity_bytes() == 0 && disk.container_log_bytes() == 0) return;
  out << "Disk:     ";
  if (disk.image_fs_capacity_bytes() > 0) {
    out << "image filesystem " << FormatBytes(disk.image_fs_used_bytes()) << " of "
        << FormatBytes(disk.image_fs_capacity_bytes()) << " used ("
        << disk.image_fs_used_bytes() * 100 / disk.image_fs_capacity_bytes() << "%), ";
  }
  out << "container logs " << FormatBytes(disk.container_log_bytes()) << "\n";
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  if (bytes < 1024) return std::to_string(bytes) + "B";
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%s", value, kUnits[unit]);
  return text;
}

void PrintStatusReport(const v1::StatusReport& report, std::chrono::system_clock::time_point now,
                       std::ostream& out) {
  out << "Node:     " << report.node_name() << "\n";
  out << "Runtime:  " << report.runtime() << "\n";
  if (report.has_time()) {
    const auto age = Since(report.time(), now);
    out << "Updated:  " << FormatAge(age) << " ago";
    // The agent rewrites the file at least every 10 seconds.
    if (age > std::chrono::seconds(30)) out << " (the agent does not seem to be running)";
    out << "\n";
  }
  PrintDiskUsage(report.disk_usage(), out);
  out << "\n";
  if (report.pods_size() == 0) {
    out << "No pods.\n";
  } else {
    std::vector<std::vector<std::string>> rows{
        {"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "DAEMONSET", "REVISION"}};
    for (const v1::Pod& pod : report.pods()) {
      rows.push_back({pod.metadata().namespace_(), pod.metadata().name(), PodReadyColumn(pod),
                      PodStatusColumn(pod), std::to_string(PodRestarts(pod)),
                      FormatAge(Since(pod.metadata().creation_timestamp(), now)),
                      pod.owner() + (pod.static_pod() ? " (static)" : ""), pod.revision_hash()});
    }
    PrintTable(out, rows);
  }
  if (report.eligibility_size() > 0) {
    out << "\n";
    std::vector<std::vector<std::string>> rows{{"DAEMONSET", "ELIGIBLE", "REASON"}};
    for (const v1::Eligibility& eligibility : report.eligibility()) {
      rows.push_back({eligibility.daemon_set(), eligibility.should_run() ? "yes" : "no",
                      eligibility.reason()});
    }
    PrintTable(out, rows);
  }
  if (report.manifest_problems_size() > 0) {
    out << "\nStatic manifests with errors (not applied):\n";
    for (const v1::ManifestProblem& problem : report.manifest_problems()) {
      out << "  " << problem.source() << ":\n";
      for (const std::string& error : problem.errors()) out << "    * " << error << "\n";
    }
  }
}

int PrintAgentStatus(const std::string& root_dir, std::ostream& out, std::ostream& err) {
  const std::string path = StatusFilePath(root_dir);
  std::ifstream in(path);
  if (!in) {
    err << "error: no status at " << path << ": is fleetset-agent running with --root-dir "
        << root_dir << "?\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  v1::StatusReport report;
  if (!google::protobuf::util::JsonStringToMessage(text.str(), &report).ok()) {
    err << "error: " << path << " is not a status file\n";
    return 1;
  }
  PrintStatusReport(report, std::chrono::system_clock::now(), out);
  return 0;
}

}  // namespace fleetset::agent
