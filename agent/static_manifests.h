// The static manifest directory (--pod-manifest-path): DaemonSet manifests
// the node runs with no coordinator at all. Rescanned periodically; a file
// that becomes invalid keeps its last good version running and is reported,
// so a typo never takes a node's daemons down.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/workload.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::agent {

class StaticManifests {
 public:
  explicit StaticManifests(std::string directory) : directory_(std::move(directory)) {}

  // Reads the directory again. Returns true when the workloads or the
  // problems changed since the last scan.
  bool Scan();

  std::vector<Workload> Workloads() const;
  const std::vector<v1::ManifestProblem>& Problems() const { return problems_; }

 private:
  std::string directory_;
  // Last good workloads per file (by path).
  std::map<std::string, std::vector<Workload>> good_;
  // Content of each file at the last scan, to skip unchanged files.
  std::map<std::string, std::string> contents_;
  std::vector<v1::ManifestProblem> problems_;
};

}  // namespace fleetset::agent
