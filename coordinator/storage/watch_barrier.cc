#include "coordinator/storage/watch_barrier.h"

#include <condition_variable>
#include <mutex>

namespace fleetset::coordinator::storage {

namespace {

// Outside /registry/: no registry lists or watches it.
constexpr char kBarrierKey[] = "/fleetset/watch-barrier";

}  // namespace

void WaitForWatchers(Storage& store) {
  std::mutex mu;
  std::condition_variable seen;
  Revision delivered = 0;
  auto watch = store.Watch(kBarrierKey, 0, [&](const std::vector<WatchEvent>& events) {
    std::lock_guard lock(mu);
    for (const WatchEvent& event : events) delivered = std::max(delivered, event.kv.mod_revision);
    seen.notify_all();
  });
  Transaction transaction;
  transaction.operations.push_back(Operation::Put(kBarrierKey, ""));
  const TransactionResult result = store.Commit(std::move(transaction));
  if (!result.committed()) throw StorageError("watch barrier: " + result.error);
  std::unique_lock lock(mu);
  seen.wait(lock, [&] { return delivered >= result.revision; });
}

}  // namespace fleetset::coordinator::storage
