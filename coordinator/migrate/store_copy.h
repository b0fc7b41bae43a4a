// Moving a fleet between stores: a single coordinator's SQLite database
// into etcd for several coordinators, and back for a single-node restore.
// Every key is copied as it is stored (Secrets stay encrypted with the
// keys of the data directory, which the operator copies with pki/), into
// a store that holds none of them yet. Revisions are the target's own: a
// copied object's resourceVersion changes, as after an etcd restore.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "coordinator/storage/storage.h"

namespace fleetset::coordinator {

// What only means something to the coordinators running on a store, and
// is not copied: their records and the leader key.
std::vector<std::string> RunningStateKeys();

struct CopyResult {
  size_t copied = 0;
  // Keys left out because they are running state.
  size_t skipped = 0;
};

// Copies every key of `from` except those under `skip` into `to`, which
// must hold none of them (throws storage::StorageError naming the first
// one it holds, before writing anything). Writes in transactions of at
// most `batch` keys (etcd allows 128 operations in one). `progress` is
// told the count after each transaction.
CopyResult CopyStore(storage::Storage& from, storage::Storage& to,
                     const std::vector<std::string>& skip, size_t batch = 100,
                     const std::function<void(size_t copied)>& progress = {});

}  // namespace fleetset::coordinator
