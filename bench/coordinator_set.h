// The coordinators a bench run drives: one on its SQLite store, or several
// sharing a real etcd cluster (one of them leading), each a child process
// of its own so that /proc shows its memory and CPU alone.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/coordinator_process.h"
#include "bench/etcd_members.h"

namespace fleetset::bench {

struct CoordinatorSetOptions {
  std::string program;
  std::string log_level = "info";
  // 0: one coordinator on SQLite. Otherwise this many coordinators on an
  // etcd cluster of `etcd_members` members.
  int shared_coordinators = 0;
  int etcd_members = 3;
  std::chrono::seconds leader_lease{3};
};

class CoordinatorSet {
 public:
  // Starts everything under `dir` and returns once the first coordinator
  // wrote its admin.conf (the others share its CA); nullptr with *error.
  static std::unique_ptr<CoordinatorSet> Start(const CoordinatorSetOptions& options,
                                               const std::string& dir,
                                               const std::atomic<bool>& interrupted,
                                               std::string* error);
  CoordinatorSet(const CoordinatorSet&) = delete;
  CoordinatorSet& operator=(const CoordinatorSet&) = delete;
  ~CoordinatorSet() = default;

  bool shared() const { return etcd_ != nullptr; }
  // "sqlite" or "etcd".
  std::string store() const { return shared() ? "etcd" : "sqlite"; }
  size_t size() const { return coordinators_.size(); }
  CoordinatorProcess& at(size_t index) { return *coordinators_.at(index); }
  // The name coordinator `index` runs under (--name c1, c2, ...).
  static std::string NameOf(size_t index) { return "c" + std::to_string(index + 1); }
  std::vector<std::string> addresses() const;
  std::vector<pid_t> pids() const;
  // The etcd cluster; null with SQLite.
  EtcdMembers* etcd() { return etcd_.get(); }
  // The cluster's CA, to mint node certificates with.
  std::string pki_dir() const { return coordinators_.front()->pki_dir(); }
  std::string admin_config_path() const { return coordinators_.front()->admin_config_path(); }
  // Why a coordinator exited, or "" while all run.
  std::string Exited();
  // SIGKILLs coordinator `index`, which Exited() then does not report.
  bool Kill(size_t index);

 private:
  CoordinatorSet() = default;

  // Declared first, so that it is destroyed last: the coordinators stop
  // before their store does.
  std::unique_ptr<EtcdMembers> etcd_;
  std::vector<std::unique_ptr<CoordinatorProcess>> coordinators_;
  // Indexes of coordinators stopped on purpose (a failover).
  std::vector<size_t> killed_;
};

}  // namespace fleetset::bench
