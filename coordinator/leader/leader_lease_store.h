// What electing a leader needs from the store: etcd's leases (a key that
// disappears when its holder stops renewing) and a create-only put of the
// leader key bound to one. Behind an interface so the election's timing is
// tested on a fake clock; coordinator/storage/etcd_* implements it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator {

// Who holds the leader key: its value and the revision that wrote it. That
// revision changes only when another holder takes the key, so it is the
// fencing token: a write guarded by it fails once leadership has moved.
struct LeaderRecord {
  std::string identity;
  storage::Revision revision = 0;
  // The lease the key is bound to.
  int64_t lease = 0;

  bool held() const { return revision != 0; }
};

class LeaderLeaseStore {
 public:
  virtual ~LeaderLeaseStore() = default;

  // A new lease that expires `ttl` after its last renewal. Every call
  // throws storage::StorageError when the store cannot be reached.
  virtual int64_t GrantLease(std::chrono::seconds ttl) = 0;
  // Renews `lease`; returns the time it now has left, or zero when it has
  // already expired (or was revoked) and with it the keys bound to it.
  virtual std::chrono::seconds RenewLease(int64_t lease) = 0;
  // Ends `lease` at once, deleting the keys bound to it.
  virtual void RevokeLease(int64_t lease) = 0;
  // Writes `key` = `identity` bound to `lease` if the key does not exist;
  // returns the record of whoever holds the key afterwards.
  virtual LeaderRecord Acquire(const std::string& key, const std::string& identity,
                               int64_t lease) = 0;
  // Whoever holds `key` now (not held when nobody does).
  virtual LeaderRecord Holder(const std::string& key) = 0;
};

}  // namespace fleetset::coordinator
