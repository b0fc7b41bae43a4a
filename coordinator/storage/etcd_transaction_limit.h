// How many operations the store puts in one etcd transaction, and the
// check that etcd takes that many: etcd refuses a longer one
// (--max-txn-ops, 128 by default) with an error that would otherwise
// only show when the store first groups many writes, under load.
#pragma once

#include <cstddef>
#include <string>

#include "coordinator/storage/etcd_client.h"

namespace fleetset::coordinator::storage {

// etcd's --max-txn-ops default. etcd counts a Txn's longest list
// (compares, success or failure operations) against the limit, and a
// nested Txn's against what its parent's longest list leaves.
inline constexpr size_t kMaxTxnOperations = 128;

// Sends etcd a read-only transaction of kMaxTxnOperations reads of `key`;
// throws StorageError naming --max-txn-ops when etcd refuses it as too
// long (and EtcdError when etcd cannot be asked).
void CheckTransactionLimit(EtcdClient& client, const std::string& key);

}  // namespace fleetset::coordinator::storage
