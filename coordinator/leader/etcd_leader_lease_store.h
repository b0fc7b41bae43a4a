// The leader key on etcd: a lease of this coordinator's, and a Txn that
// puts the key bound to it only when the key does not exist (etcd's own
// election does the same with a create-revision compare).
#pragma once

#include <memory>
#include <string>

#include "coordinator/leader/leader_lease_store.h"
#include "coordinator/storage/etcd_client.h"

namespace fleetset::coordinator {

class EtcdLeaderLeaseStore final : public LeaderLeaseStore {
 public:
  // Keys are relative to `prefix`, as the etcd store's are, so that the
  // fence the election hands out names the same key in that store.
  EtcdLeaderLeaseStore(std::unique_ptr<storage::EtcdClient> client, std::string prefix);

  int64_t GrantLease(std::chrono::seconds ttl) override;
  std::chrono::seconds RenewLease(int64_t lease) override;
  void RevokeLease(int64_t lease) override;
  LeaderRecord Acquire(const std::string& key, const std::string& identity, int64_t lease) override;
  LeaderRecord Holder(const std::string& key) override;

 private:
  const std::unique_ptr<storage::EtcdClient> client_;
  const std::string prefix_;
};

}  // namespace fleetset::coordinator
