#include "bench/coordinator_set.h"

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "fleetset/strings.h"

namespace fleetset::bench {

std::unique_ptr<CoordinatorSet> CoordinatorSet::Start(const CoordinatorSetOptions& options,
                                                      const std::string& dir,
                                                      const std::atomic<bool>& interrupted,
                                                      std::string* error) {
  std::unique_ptr<CoordinatorSet> set(new CoordinatorSet());
  const std::vector<std::string> common = {"--log-level", options.log_level};
  if (options.shared_coordinators == 0) {
    auto coordinator =
        CoordinatorProcess::Start(options.program, dir, PickFreePort(), common, error);
    if (!coordinator) return nullptr;
    set->coordinators_.push_back(std::move(coordinator));
  } else {
    set->etcd_ = EtcdMembers::Start(dir + "/etcd", options.etcd_members, error);
    if (!set->etcd_) return nullptr;
    for (int n = 0; n < options.shared_coordinators; ++n) {
      const std::string own_dir = dir + "/" + NameOf(static_cast<size_t>(n));
      if (n > 0) {
        // What the operator copies from the first coordinator to the others.
        const std::string from = set->pki_dir() + "/";
        const std::string to = own_dir + "/data/pki/";
        std::filesystem::create_directories(to);
        for (const char* file : {"ca.crt", "ca.key", "encryption-config.yaml"}) {
          std::filesystem::copy_file(from + file, to + file);
        }
      }
      std::vector<std::string> flags = common;
      flags.insert(flags.end(), {"--etcd-servers", Join(set->etcd_->endpoints(), ","), "--name",
                                 NameOf(static_cast<size_t>(n)), "--leader-elect-lease-duration",
                                 std::to_string(options.leader_lease.count()) + "s"});
      auto coordinator =
          CoordinatorProcess::Start(options.program, own_dir, PickFreePort(), flags, error);
      if (!coordinator) return nullptr;
      set->coordinators_.push_back(std::move(coordinator));
      // The first one makes the CA and the encryption key the others share.
      if (n == 0 &&
          !set->coordinators_.front()->WaitForAdminConfig(std::chrono::seconds(30), interrupted)) {
        break;
      }
    }
  }
  if (!set->coordinators_.front()->WaitForAdminConfig(std::chrono::seconds(30), interrupted)) {
    *error = "the coordinator wrote no " + set->admin_config_path() + ":\n" +
             set->coordinators_.front()->LogTail(20);
    return nullptr;
  }
  return set;
}

std::vector<std::string> CoordinatorSet::addresses() const {
  std::vector<std::string> addresses;
  for (const auto& coordinator : coordinators_) addresses.push_back(coordinator->address());
  return addresses;
}

std::vector<pid_t> CoordinatorSet::pids() const {
  std::vector<pid_t> pids;
  for (const auto& coordinator : coordinators_) pids.push_back(coordinator->pid());
  return pids;
}

std::string CoordinatorSet::Exited() {
  for (size_t i = 0; i < coordinators_.size(); ++i) {
    if (std::find(killed_.begin(), killed_.end(), i) != killed_.end()) continue;
    if (!coordinators_[i]->Running()) {
      return "coordinator " + NameOf(i) + " exited:\n" + coordinators_[i]->LogTail(20);
    }
  }
  return "";
}

bool CoordinatorSet::Kill(size_t index) {
  killed_.push_back(index);
  return coordinators_.at(index)->Signal(SIGKILL);
}

}  // namespace fleetset::bench
