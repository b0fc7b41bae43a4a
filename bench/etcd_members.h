// A real etcd cluster on loopback for the bench's runs on a shared store,
// started and stopped with the test environment's script
// (tests/env/etcd-env.sh), with etcd's own default heartbeat and election
// timings rather than the tests' fast ones.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fleetset::coordinator::storage {
class EtcdClient;
}

namespace fleetset::bench {

class EtcdMembers {
 public:
  // Starts `members` members with their data under `dir`; nullptr with
  // *error when the script fails (etcd missing, ports taken).
  static std::unique_ptr<EtcdMembers> Start(const std::string& dir, int members,
                                            std::string* error);
  // Stops every member and removes their data.
  ~EtcdMembers();
  EtcdMembers(const EtcdMembers&) = delete;
  EtcdMembers& operator=(const EtcdMembers&) = delete;

  // http://127.0.0.1:PORT of each member.
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  // The members' processes, for their CPU and memory.
  std::vector<pid_t> pids() const;
  // The cluster's revision now, which every write transaction advances by
  // one; nullopt when no member answers.
  std::optional<int64_t> Revision() const;

  // The keys written since the cluster started, as its first member counts
  // them (etcd_mvcc_put_total, etcd_mvcc_delete_total): every member
  // applies every write, so these are the cluster's. A transaction of a
  // hundred puts advances the revision by one and these by a hundred,
  // and etcd's work follows the keys. nullopt when the member does not
  // answer.
  struct KeysWritten {
    double puts = 0;
    double deletes = 0;
  };
  std::optional<KeysWritten> Keys() const;

 private:
  EtcdMembers(std::string dir, std::vector<std::string> endpoints);

  std::string dir_;
  std::vector<std::string> endpoints_;
  std::unique_ptr<coordinator::storage::EtcdClient> client_;
};

}  // namespace fleetset::bench
